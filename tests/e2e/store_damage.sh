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

# A flip anywhere: a reader checks every page it reads, so it prints the
# right data or refuses (exit 7); a writer, seeing the file changed since
# a writer of ours closed it, checks every page before it adds anything,
# so it refuses every flip (exit 6) and writes nothing.
bad=0
refused=0
n=0
for off in $(python3 -c "
import random
random.seed(7)
size = $size
print(' '.join(str(x) for x in sorted(set([0, 18, 20, 99, 100, size - 1] +
      [random.randrange(size) for _ in range(60)]))))"); do
    rm -rf d && cp -r good d
    flip d "$off"
    sum=$(md5sum <d/metadata.sqlite)
    out=$("$M" runs --root d --json 2>err.txt)
    rc=$?
    n=$((n + 1))
    if [ "$rc" = 7 ] && [ -z "$out" ] && grep -q "damaged" err.txt; then
        refused=$((refused + 1))
    elif ! { [ "$rc" = 0 ] && [ "$out" = "$(cat ref.json)" ]; }; then
        bad=$((bad + 1))
        echo "reader, offset $off: exit $rc, $(head -c 300 err.txt)" >>flips.txt
    fi
    ROOT=d "$M" run p.lua --plugin-path "$tk" >wout.txt 2>&1
    rc=$?
    if [ "$rc" != 6 ] || ! grep -qE "damaged|checksum" wout.txt ||
       [ "$(md5sum <d/metadata.sqlite)" != "$sum" ]; then
        bad=$((bad + 1))
        echo "writer, offset $off: exit $rc, $(head -c 300 wout.txt)" >>flips.txt
    fi
done
[ "$bad" = 0 ] && pass every_flip_refused || fail every_flip_refused "$bad of $n: $(head -3 flips.txt)"
# (The rest land in pages "runs" does not read: free space, other tables.)
[ "$refused" -ge 10 ] && pass readers_refuse_flips_they_read || fail readers_refuse_flips_they_read "$refused of $n"
has refusal_names_way_out "$(cat wout.txt)" "mlpipe verify --repair --root" "or start a new root"

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

# Artifacts keep their ids through a rebuild: properties name artifacts by
# id (a blessing its model, an evaluation its baseline), so renumbered
# ones would point at others.  A failed node first used ids no execution
# file restores, so numbering afresh would shift every later one.
cat > f.lua <<'LUA'
local mp = require "mlpipe"
local p = mp.pipeline { name = "d", root = os.getenv("ROOT") }
local s = p:add("tk_source", { name = "first", value = 1 })
p:add("tk_crash", { data = s.data, mode = "fail" })
p:run {}
LUA
ROOT=gap "$M" run f.lua --plugin-path "$tk" >/dev/null 2>&1
ROOT=gap "$M" run p.lua --plugin-path "$tk" >/dev/null 2>&1
ids="SELECT id || ' ' || uri FROM artifact WHERE state = 'LIVE' ORDER BY id"
want=$(sql gap/metadata.sqlite "$ids")
sqlite3 gap/metadata.sqlite "UPDATE execution SET node='x' WHERE id=1"
expect gap_repaired 0 "$M" verify --root gap --repair
got=$(sql gap/metadata.sqlite "$ids")
[ "$(wc -l <<<"$want")" -ge 4 ] && [ "$got" = "$want" ] && pass repair_keeps_ids ||
    fail repair_keeps_ids "before: $want; after: $got"
