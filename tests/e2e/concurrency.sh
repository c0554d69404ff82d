# Readers and writers on one root: read commands open the store read-only
# and never create or change it, so reading during a first run never makes
# that run fail; a root nobody may write can still be read; a killed run is
# shown as killed.
. "$(dirname "$0")/../lib.sh"
tk=$(testkit_dir)

cat > p.lua <<'LUA'
local mp = require "mlpipe"
local p = mp.pipeline { name = "c", root = os.getenv("ROOT") }
local prev = p:add("tk_source", { value = 1 }).data
for i = 1, 4 do
  prev = p:add("tk_add", { name = "n" .. i, data = prev, add = 1 }).data_out
end
p:run {}
LUA

# First runs on new roots with readers polling all the while.
runs_failed=0
odd_reads=0
for i in $(seq 12); do
    ROOT="r$i" "$M" run p.lua --plugin-path "$tk" >"run$i.txt" 2>&1 &
    pid=$!
    while kill -0 "$pid" 2>/dev/null; do
        out=$("$M" runs --root "r$i" 2>&1)
        rc=$?
        # Before the store exists: no root, or no store yet.  After: rows.
        case "$rc:$out" in
            0:*|6:*"no pipeline root at"*|6:*"no metadata store at"*) ;;
            *) odd_reads=$((odd_reads + 1)); echo "$rc: $out" >>odd.txt ;;
        esac
    done
    wait "$pid" || { runs_failed=$((runs_failed + 1)); cat "run$i.txt" >>failed.txt; }
done
[ "$runs_failed" = 0 ] && pass first_runs_with_readers || fail first_runs_with_readers "$runs_failed failed: $(head -c 400 failed.txt)"
[ "$odd_reads" = 0 ] && pass readers_see_nothing_or_all || fail readers_see_nothing_or_all "$(head -3 odd.txt)"
leftovers=$(ls -d r*/metadata.sqlite.new-* 2>/dev/null | wc -l)
[ "$leftovers" = 0 ] && pass no_half_store_left || fail no_half_store_left "$leftovers"

# A root its reader may not write: another user, read-only files.
ROOT=ro "$M" run p.lua --plugin-path "$tk" >/dev/null 2>&1
chmod 755 "$TMP"
chmod -R a-w ro
chmod -R a+rX ro
sum=$(cd ro && find . -type f -exec md5sum {} + | sort)
sleep 0.05
touch before_reads
# Another user may not be able to reach the build tree (a checkout under
# /root, say): give it a copy of the installed tree.
cp -r "$MLPIPE_PREFIX" nprefix
chmod -R a+rX nprefix
as_nobody() {
    setpriv --reuid=65534 --regid=65534 --clear-groups env \
        LD_LIBRARY_PATH="$TMP/nprefix/lib" \
        MLPIPE_BUILTIN_PLUGIN_DIR="$TMP/nprefix/lib/mlpipe/plugins" "$@"
}
NM=$TMP/nprefix/bin/mlpipe
art=$(sql ro/metadata.sqlite "SELECT id FROM artifact WHERE state='LIVE' LIMIT 1")
expect ro_runs 0 as_nobody "$NM" runs --root "$TMP/ro" && has ro_runs "$OUT" "c-" "ok"
expect ro_show 0 as_nobody "$NM" show "$art" --root "$TMP/ro" && has ro_show "$OUT" "  state       LIVE"
expect ro_lineage 0 as_nobody "$NM" lineage "$art" --root "$TMP/ro" && has ro_lineage "$OUT" "upstream:"
expect ro_verify 0 as_nobody "$NM" verify --root "$TMP/ro" && has ro_verify "$OUT" "verified 5 artifacts" "0 damaged"
[ "$(cd ro && find . -type f -exec md5sum {} + | sort)" = "$sum" ] && [ -z "$(find ro -newer before_reads)" ] &&
    pass ro_nothing_written || fail ro_nothing_written "files changed under ro"
cp -r "$tk" "$TMP/ntk" && chmod -R a+rX "$TMP/ntk"
expect ro_run_refused 6 as_nobody env ROOT="$TMP/ro" "$NM" run p.lua --plugin-path "$TMP/ntk" &&
has ro_run_refused "$OUT" "$TMP/ro/metadata.sqlite cannot be written" "read-only"
chmod -R u+w ro

# A killed run: `runs` says killed before any recovery, and after it,
# with when it was last heard of.
cat > slow.lua <<'LUA'
local mp = require "mlpipe"
local p = mp.pipeline { name = "k", root = "k" }
local s = p:add("tk_source", { value = 1 })
p:add("tk_add", { name = "slow", data = s.data,
                  sleep = tonumber(os.getenv("SLEEP") or "5") })
p:run {}
LUA
"$M" run slow.lua --plugin-path "$tk" >/dev/null 2>&1 &
pid=$!
for _ in $(seq 100); do [ -n "$(ls k/.tmp 2>/dev/null)" ] && break; sleep 0.05; done
expect running_shown 0 "$M" runs --root k && has running_shown "$OUT" "running"
kill -9 "$pid"
wait "$pid" 2>/dev/null
sleep 0.2
expect killed_before_recovery 0 "$M" runs --root k && has killed_before_recovery "$OUT" "killed" &&
lacks killed_not_running "$OUT" running
expect recovered_run 0 env SLEEP=0 "$M" run slow.lua --plugin-path "$tk" && has recovered_run "$OUT" "ran      slow"
expect killed_after_recovery 0 "$M" runs --root k --json &&
has killed_after_recovery "$OUT" '"status": "killed"' '"detected_time":' '"end_time":' '"status": "ok"'
python3 -c "
import json, sys
runs = json.loads(sys.stdin.read())
p = runs[0]['properties']
sys.exit(0 if p['start_time'] <= p['end_time'] < p['detected_time'] else 1)" <<<"$OUT" &&
    pass killed_when_last_heard || fail killed_when_last_heard "$(head -c 600 <<<"$OUT")"

# A writer killed in the middle of a commit leaves a hot journal: a reader
# that may write undoes it and reads; one that may not says what to do.
ROOT=hj "$M" run p.lua --plugin-path "$tk" >/dev/null 2>&1
"$MLPIPE_BUILD/tests/tools/store_sql" hj/metadata.sqlite \
    "UPDATE execution SET params=hex(randomblob(3000)); UPDATE artifact SET properties=hex(randomblob(3000))" die 2>/dev/null
[ -s hj/metadata.sqlite-journal ] && pass hot_journal_made || fail hot_journal_made "no journal left"
cp -r hj hj2
chmod -R a-w hj2 && chmod -R a+rX hj2
expect hot_journal_reader_without_write 6 as_nobody "$NM" runs --root "$TMP/hj2" &&
has hot_journal_reader_without_write "$OUT" "was interrupted (a run was killed in the middle of a commit)" \
    "mlpipe verify --repair --root $TMP/hj2"
expect hot_journal_reader 0 "$M" runs --root hj && has hot_journal_reader "$OUT" "c-" "ok"
lacks hot_journal_rolled_back "$(sql hj/metadata.sqlite "SELECT params FROM execution")" '^[0-9A-F]{100}'
expect hot_journal_verify 0 "$M" verify --root hj && has hot_journal_verify "$OUT" "0 damaged, 0 orphaned"
chmod -R u+w hj2
