# The metadata store detects damage before it is trusted: every page
# carries a checksum, a flipped bit anywhere is refused with the way out,
# never printed as data and never written to further; `mlpipe verify
# --repair` rebuilds the store from the artifacts' execution files.
. "$(dirname "$0")/../lib.sh"
tk=$(testkit_dir)

cat > p.lua <<'LUA'
local mp = require "mlpipe"
local p = mp.pipeline { name = "d", root = os.getenv("ROOT") }
local s = p:add("tk_source", { value = 5 })
local a = p:add("tk_add", { name = "add", data = s.data, add = 1 })
p:add("tk_add", { name = "more", data = a.data_out, add = 2 })
local r = p:run {}
print("value", r.nodes.more.outputs.data_out.properties.value)
LUA
ROOT=good "$M" run p.lua --plugin-path "$tk" >/dev/null 2>&1
ROOT=good "$M" run p.lua --plugin-path "$tk" --no-cache >/dev/null 2>&1
[ "$(od -An -tu1 -j20 -N1 good/metadata.sqlite | tr -d ' ')" = 8 ] &&
    pass pages_reserve_checksum || fail pages_reserve_checksum "reserve byte is not 8"
"$M" runs --root good --json >ref.json
size=$(stat -c %s good/metadata.sqlite)

# flip ROOT OFFSET: inverts one bit of the store at OFFSET.
flip() {
    python3 - "$1/metadata.sqlite" "$2" <<'PY'
import sys
path, off = sys.argv[1], int(sys.argv[2])
with open(path, "r+b") as f:
    f.seek(off)
    b = f.read(1)[0]
    f.seek(off)
    f.write(bytes([b ^ (1 << (off % 8))]))
PY
}

# Every flip, wherever it lands, is refused by a reader (the file changed
# since the last writer closed it, so the reader checks every page).
bad=0
n=0
for off in $(python3 -c "
import random
random.seed(7)
size = $size
print(' '.join(str(x) for x in sorted(set([0, 18, 20, 99, 100, size - 1] +
      [random.randrange(size) for _ in range(60)]))))"); do
    rm -rf d && cp -r good d
    flip d "$off"
    out=$("$M" runs --root d --json 2>err.txt)
    rc=$?
    n=$((n + 1))
    if [ "$rc" != 7 ] || [ -n "$out" ] || ! grep -q "damaged" err.txt; then
        bad=$((bad + 1))
        echo "offset $off: exit $rc, $(head -c 300 err.txt)" >>flips.txt
    fi
done
[ "$bad" = 0 ] && pass every_flip_refused || fail every_flip_refused "$bad of $n: $(head -3 flips.txt)"
has refusal_names_way_out "$(cat err.txt)" "mlpipe verify --repair --root" "or start a new root"

# Bit rot that leaves the file's identity alone (forged here by vouching
# for the damaged file): pages are still checked as they are read, so a
# reader prints the right data or refuses, never anything else.
wrong=0
for off in $(python3 -c "
import random
random.seed(11)
print(' '.join(str(random.randrange(4096, $size)) for _ in range(40)))"); do
    rm -rf d && cp -r good d
    flip d "$off"
    python3 -c "
import os
s = os.stat('d/metadata.sqlite')
m, c = divmod(s.st_mtime_ns, 10**9), divmod(s.st_ctime_ns, 10**9)
open('d/.store-checked', 'w').write('%d %d %d.%09d %d.%09d\\n' % (s.st_ino, s.st_size, m[0], m[1], c[0], c[1]))"
    out=$("$M" runs --root d --json 2>err.txt)
    rc=$?
    if ! { [ "$rc" = 7 ] && grep -q "fails its checksum" err.txt; } &&
       ! { [ "$rc" = 0 ] && [ "$out" = "$(cat ref.json)" ]; }; then
        wrong=$((wrong + 1))
        echo "offset $off: exit $rc $(head -c 200 err.txt)" >>rot.txt
    fi
done
[ "$wrong" = 0 ] && pass bit_rot_never_misread || fail bit_rot_never_misread "$wrong: $(head -3 rot.txt)"

# A writer refuses a damaged store and does not write to it.
rm -rf d && cp -r good d
flip d 5000
sum=$(md5sum <d/metadata.sqlite)
ROOT=d "$M" run p.lua --plugin-path "$tk" >out.txt 2>&1
rc=$?
[ "$rc" = 6 ] && grep -q "page 2.*fails its checksum" out.txt &&
    pass writer_refuses_damage || fail writer_refuses_damage "exit $rc: $(cat out.txt)"
[ "$(md5sum <d/metadata.sqlite)" = "$sum" ] && pass damaged_store_untouched ||
    fail damaged_store_untouched "the store was written to"

# A store changed by another SQLite program lost its checksums there: it
# is damage too (mlpipe's own writes keep them).
rm -rf d && cp -r good d
sqlite3 d/metadata.sqlite "UPDATE execution SET node='x' WHERE id=1"
expect foreign_write_detected 7 "$M" runs --root d &&
has foreign_write_detected "$OUT" "fails its checksum"

# The way out: rebuild from the execution files; the next run is served
# from the cache and gives the same result.
expect repair_rebuilds 0 "$M" verify --root d --repair &&
has repair_rebuilds "$OUT" "rebuilt from the execution files" "restored 6 of 6 executions" "0 damaged"
ls d/metadata.sqlite.damaged-* >/dev/null 2>&1 && pass damaged_store_kept || fail damaged_store_kept "not kept"
expect rebuilt_serves_cache 0 env ROOT=d "$M" run p.lua --plugin-path "$tk" &&
has rebuilt_serves_cache "$OUT" "cached   tk_source" "cached   add" "cached   more" "value	8"
expect rebuilt_verifies 0 "$M" verify --root d && has rebuilt_verifies "$OUT" "0 damaged, 0 orphaned"
consistent rebuilt_consistent d
