# Pipeline roots mean the same thing from any working directory: the store
# records locations relative to the root, a killed run's recovery deletes
# only inside its own root's artifacts/, and the read commands work on a
# root given from anywhere.
. "$(dirname "$0")/../lib.sh"
tk=$(testkit_dir)

# One pipeline, its root and first value taken from the environment, so
# the same script serves two pipelines and two working directories.
cat > p.lua <<'LUA'
local mp = require "mlpipe"
local p = mp.pipeline { name = "p", root = os.getenv("ROOT") }
local s = p:add("tk_source", { value = tonumber(os.getenv("V")) })
local a = p:add("tk_add", { name = "slow", data = s.data, add = 1,
                            sleep = tonumber(os.getenv("SLEEP") or "0") })
p:add("tk_add", { name = "last", data = a.data_out, add = 10 })
local r = p:run {}
print("value", r.nodes.last.outputs.data_out.properties.value)
LUA
mkdir -p a/sub
# Pipeline 1: relative root, from a/.  Pipeline 2: the same relative root,
# from a/sub/, so its root is a/sub/runs/x.
(cd a && env ROOT=runs/x V=1 "$M" run "$TMP/p.lua" --plugin-path "$tk") >out1.txt 2>&1
has rel_root_first "$(cat out1.txt)" "value	12" "ran      slow"
(cd a/sub && env ROOT=runs/x V=100 "$M" run "$TMP/p.lua" --plugin-path "$tk") >out2.txt 2>&1
has rel_root_second_pipeline "$(cat out2.txt)" "value	111"
has locations_relative "$(sql a/runs/x/metadata.sqlite "SELECT DISTINCT substr(uri, 1, 10) FROM artifact")" "artifacts/"
[ "$(sql a/runs/x/metadata.sqlite "SELECT count(*) FROM artifact WHERE uri LIKE '/%' OR uri LIKE 'runs/%'")" = 0 ] &&
    pass no_cwd_in_store || fail no_cwd_in_store "$(sql a/runs/x/metadata.sqlite 'SELECT uri FROM artifact')"

# Everything but pipeline 1's root, as it is now.
snapshot() {
    find "$TMP" -mindepth 1 -path "$TMP/a/runs/x" -prune -o -path "$TMP/snap*" -prune -o \
        -path "$TMP/out*" -prune -o -printf '%p %s %i %T@ %C@\n' | sort
}
snapshot >snap.before

# Pipeline 1 again, from a/sub/ with its absolute root, killed in the slow
# node with a changed parameter, then run again from there: recovery and
# the cache must use a/runs/x only.
(cd a/sub && exec env ROOT="$TMP/a/runs/x" V=2 SLEEP=3 "$M" run "$TMP/p.lua" --plugin-path "$tk") >/dev/null 2>&1 &
pid=$!
for _ in $(seq 100); do
    [ -n "$(ls a/runs/x/.tmp 2>/dev/null)" ] && break
    sleep 0.05
done
sleep 0.3
kill -9 "$pid"
wait "$pid" 2>/dev/null
sleep 0.3
[ "$(sql a/runs/x/metadata.sqlite "SELECT count(*) FROM execution WHERE state='RUNNING'")" = 1 ] &&
    pass killed_mid_node || fail killed_mid_node "$(sql a/runs/x/metadata.sqlite 'SELECT node, state FROM execution')"
(cd a/sub && env ROOT="$TMP/a/runs/x" V=2 "$M" run "$TMP/p.lua" --plugin-path "$tk" --explain) >out3.txt 2>&1
has abs_root_rerun "$(cat out3.txt)" "value	13" "cached   tk_source" "ran      slow"
snapshot >snap.after
if cmp -s snap.before snap.after; then
    pass nothing_outside_root_touched
else
    fail nothing_outside_root_touched "$(diff snap.before snap.after | head -5)"
fi
consistent root1_consistent a/runs/x
consistent root2_consistent a/sub/runs/x
# Back to the first value, from yet another directory with a relative
# path to the root: the cache serves pipeline 1's own outputs.
(cd a/sub && env ROOT=../runs/x V=1 "$M" run "$TMP/p.lua" --plugin-path "$tk") >out4.txt 2>&1
has cache_from_own_root "$(cat out4.txt)" "cached   tk_source" "cached   last" "value	12"

# Read commands from any directory, with a relative or absolute root.
(cd / && "$M" runs --root "$TMP/a/runs/x") >out5.txt 2>&1
has runs_abs_root "$(cat out5.txt)" "p-" "ok" "killed"
art=$(sql a/runs/x/metadata.sqlite "SELECT id FROM artifact WHERE state='LIVE' ORDER BY id LIMIT 1")
(cd a/sub && "$M" show "$art" --root ../runs/x) >out6.txt 2>&1
has show_rel_root "$(cat out6.txt)" "artifact $art  TestData  $TMP/a/runs/x/artifacts/"
(cd / && "$M" lineage "$art" --root "$TMP/a/runs/x") >out7.txt 2>&1
has lineage_abs_root "$(cat out7.txt)" "artifact $art  TestData  LIVE  $TMP/a/runs/x/artifacts/"

# A run with nothing to report is an error, not an empty page.
cat > none.lua <<'LUA'
local mp = require "mlpipe"
local p = mp.pipeline { name = "none", root = "runs/none" }
p:add("tk_crash", { mode = "fail" })
p:run {}
LUA
(cd a && "$M" run "$TMP/none.lua" --plugin-path "$tk") >/dev/null 2>&1
(cd / && "$M" report latest -o "$TMP/r.html" --root "$TMP/a/runs/none") >out8.txt 2>&1
rc=$?
[ "$rc" = 1 ] && [ ! -e r.html ] && grep -q "has no artifacts to show; no report written" out8.txt &&
    pass empty_report_refused || fail empty_report_refused "exit $rc: $(cat out8.txt)"

# Recovery never deletes outside the root's artifacts/: a record pointing
# through a symlink to a directory outside is refused, as is one that
# climbs out with "..".
mkdir -p victim/d/o
echo keep > victim/d/o/file
ln -s "$TMP/victim" a/runs/x/artifacts/evil
sql_write a/runs/x/metadata.sqlite "
INSERT INTO execution(node, component, state, fingerprint, fingerprint_parts, params, start_time, dir)
  VALUES('evil', 'tk_add', 'RUNNING', 'x', '{}', '{}', 0, 'd');
INSERT INTO artifact(type_id, uri, state, create_time, update_time)
  VALUES(1, 'artifacts/evil/d/o', 'PENDING', 0, 0);
INSERT INTO artifact(type_id, uri, state, create_time, update_time)
  VALUES(1, 'artifacts/../../victim/d/o', 'PENDING', 0, 0);"
(cd a && env ROOT=runs/x V=1 "$M" run "$TMP/p.lua" --plugin-path "$tk") >out9.txt 2>&1
[ -f victim/d/o/file ] && pass symlink_escape_refused || fail symlink_escape_refused "victim deleted"
has delete_refusal_named "$(cat out9.txt)" "refusing to remove $TMP/a/runs/x/artifacts/evil/d" \
    "not a path inside the root's artifacts/"
has run_after_refusal "$(cat out9.txt)" "value	12"

# The lock is the root directory itself: removing .lock does not let a
# second writer in; --wait waits for the first and names it.
cat > slow.lua <<'LUA'
local mp = require "mlpipe"
mp.component { name = "nap", stage = "analyze", outputs = { o = "Report" },
  run = function(ctx) os.execute("sleep 1.5") end }
local p = mp.pipeline { name = "lock", root = "runs/lock" }
p:add("nap", { cache = false })
p:run {}
LUA
"$M" run slow.lua >/dev/null 2>&1 &
first=$!
for _ in $(seq 100); do [ -f runs/lock/.lock ] && break; sleep 0.05; done
sleep 0.2
rm -f runs/lock/.lock
expect lock_survives_rm 6 "$M" run slow.lua &&
has lock_survives_rm "$OUT" "is running a pipeline on $TMP/runs/lock"
expect wait_for_lock 0 "$M" run slow.lua --wait &&
has wait_for_lock "$OUT" "waiting for" "to release $TMP/runs/lock" "ran      nap"
wait "$first"

# A root inside another root's managed directories would be destroyed by
# its recovery or clean-up: refused before anything is made.
# (run from a/)
(cd a && expect nested_root_refused 2 env ROOT=runs/x/artifacts/inner V=1 "$M" run "$TMP/p.lua" --plugin-path "$tk" &&
 has nested_root_refused "$OUT" "lies inside $TMP/a/runs/x/artifacts, which the pipeline root $TMP/a/runs/x manages")
[ ! -e a/runs/x/artifacts/inner ] && pass nested_root_not_made || fail nested_root_not_made "made"
# Only the managed directories themselves: a sibling whose name merely
# starts the same is a place like any other.
(cd a && expect beside_managed_allowed 0 env ROOT=runs/x/artifacts_old V=1 "$M" run "$TMP/p.lua" --plugin-path "$tk" &&
 has beside_managed_allowed "$OUT" "ran      tk_source")
expect slash_root_refused 2 env ROOT=/ V=1 "$M" run "$TMP/p.lua" --plugin-path "$tk" &&
has slash_root_refused "$OUT" "the file system's root directory cannot be a pipeline root"

# A symbolic link inside the root's artifacts/ never carries new outputs
# out of it: the node fails naming it.
mkdir -p outside
mv a/runs/x/artifacts/last outside/last
ln -s "$TMP/outside/last" a/runs/x/artifacts/last
before=$(find outside | sort)
(cd a && env ROOT=runs/x V=7 "$M" run "$TMP/p.lua" --plugin-path "$tk") >out10.txt 2>&1
has symlinked_node_dir_refused "$(cat out10.txt)" "failed   last" "runs/x/artifacts/last is a symbolic link" \
    "what mlpipe writes stays inside the root"
[ "$(find outside | sort)" = "$before" ] && pass nothing_written_outside || fail nothing_written_outside "$(find outside | sort)"

# A store copied while a node ran, restored after that run finished: the
# store calls the execution RUNNING, its execution file says it finished.
# The next run finishes it from the file (its outputs are kept, served from
# the cache) instead of throwing it away.
cat > mid.lua <<'LUA'
local mp = require "mlpipe"
local p = mp.pipeline { name = "mid", root = "runs/mid" }
local s = p:add("tk_source", { value = 1 })
local a = p:add("tk_add", { name = "slow", data = s.data, add = 1, sleep = 2 })
p:add("tk_add", { name = "after", data = a.data_out, add = 10 })
local r = p:run {}
print("value", r.nodes.after.outputs.data_out.properties.value)
LUA
"$M" run mid.lua --plugin-path "$tk" >mid1.txt 2>&1 &
pid=$!
for _ in $(seq 100); do
    [ "$(sql runs/mid/metadata.sqlite "SELECT count(*) FROM execution WHERE node='slow' AND state='RUNNING'" 2>/dev/null)" = 1 ] && break
    sleep 0.05
done
cp runs/mid/metadata.sqlite mid_copy.sqlite
wait "$pid"
slow_dir=$(ls -d runs/mid/artifacts/slow/*/)
cp mid_copy.sqlite runs/mid/metadata.sqlite
expect restored_mid_run 0 "$M" run mid.lua --plugin-path "$tk" &&
has restored_mid_run "$OUT" "cached   slow" "value	12"
[ -d "$slow_dir" ] && pass finished_output_kept || fail finished_output_kept "$slow_dir removed"
has restored_mid_run_complete "$(sql runs/mid/metadata.sqlite "SELECT state FROM execution WHERE node='slow' ORDER BY id LIMIT 1")" COMPLETE

# The writer's lock is released when a run ends, whatever descriptor it
# got: with stdin closed it may be 0.  A script running the same root twice
# must not lock itself out.
cat > twice.lua <<'LUA'
local mp = require "mlpipe"
for i = 1, 2 do
  local p = mp.pipeline { name = "twice", root = "runs/twice" }
  p:add("tk_source", { value = i })
  p:run {}
end
LUA
expect lock_released_stdin_closed 0 sh -c 'exec "$0" run twice.lua --plugin-path "$1" <&-' "$M" "$(testkit_dir)" &&
[ "$(grep -c '^ran ' <<<"$OUT")" = 2 ] && pass lock_released_twice || fail lock_released_twice "$OUT"
