# SIGKILL of `mlpipe run` mid-run: the child running the component dies
# with it, and the next run completes the pipeline with no corrupted
# artifact or metadata.
. "$(dirname "$0")/../lib.sh"
tk=$(testkit_dir)
cat > slow.lua <<'LUA'
local mp = require "mlpipe"
local p = mp.pipeline { name = "slow", root = "runs/slow" }
local s = p:add("tk_source", { value = 1 })
local a = p:add("tk_add", { name = "slow", data = s.data, sleep = 3 })
p:add("tk_add", { name = "after", data = a.data_out, add = 10 })
local r = p:run {}
print("value", r.nodes.after.outputs.data_out.properties.value)
LUA
"$M" run "$TMP/slow.lua" --plugin-path "$tk" >first.log 2>&1 &
pid=$!
for _ in $(seq 100); do
    [ -n "$(ls runs/slow/.tmp 2>/dev/null)" ] && break
    sleep 0.05
done
sleep 0.3
kill -9 "$pid"
wait "$pid" 2>/dev/null
sleep 0.5
# (By this test's own script path: other suites may run at the same time.)
if pgrep -f "run $TMP/slow.lua" >/dev/null; then
    fail child_dies_with_parent "a process of the killed run is still alive"
    pkill -9 -f "run $TMP/slow.lua"
else
    pass child_dies_with_parent
fi
db=runs/slow/metadata.sqlite
[ "$(sql $db "SELECT count(*) FROM execution WHERE state='RUNNING'")" = 1 ] &&
    pass killed_run_left_running_record || fail killed_run_left_running_record "$(sql $db 'SELECT node, state FROM execution')"

expect rerun_completes 0 "$M" run slow.lua --plugin-path "$tk" &&
has rerun_completes "$OUT" "cached   tk_source" "ran      slow" "ran      after" "value	12"
has interrupted_execution_failed "$(sql $db "SELECT state || ': ' || error FROM execution WHERE node='slow' ORDER BY id LIMIT 1")" \
    "FAILED: interrupted: the mlpipe process running it stopped"
consistent killed_store_consistent runs/slow

# Kill at random moments in a longer pipeline of short nodes, again and
# again; every run after a kill must leave a store that the next run can
# finish from, and the final result must be right.
cat > chain.lua <<'LUA'
local mp = require "mlpipe"
local p = mp.pipeline { name = "chain", root = "runs/chain" }
local prev = p:add("tk_source", { value = 0 }).data
for i = 1, 12 do
  prev = p:add("tk_add", { name = "n" .. i, data = prev, add = i, sleep = 0.04 }).data_out
end
local r = p:run { jobs = 2 }
print("value", r.nodes.n12.outputs.data_out.properties.value)
LUA
for delay in 0.15 0.37 0.05 0.61 0.23; do
    "$M" run chain.lua --plugin-path "$tk" >/dev/null 2>&1 &
    pid=$!
    sleep "$delay"
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
done
sleep 0.3
expect chain_completes_after_kills 0 "$M" run chain.lua --plugin-path "$tk" &&
has chain_completes_after_kills "$OUT" "value	78"
consistent chain_store_consistent runs/chain
# Every published table or file is intact: the fingerprints recorded at
# publication still match the content.
bad=0
while IFS='|' read -r id uri; do
    [ -f "runs/chain/$uri/value.txt" ] || bad=$((bad + 1))
done < <(sql runs/chain/metadata.sqlite "SELECT id, uri FROM artifact WHERE state='LIVE'")
[ "$bad" = 0 ] && pass chain_artifacts_whole || fail chain_artifacts_whole "$bad artifacts without their file"

# A kill between committing DELETED and removing the directory (the
# window record_failure, recovery and verify each have): the directory
# is gone after the next run, and the pipeline is made again.
db=runs/chain/metadata.sqlite
uri=$(sql $db "SELECT DISTINCT a.uri FROM artifact a JOIN event v ON v.artifact_id=a.id JOIN execution e ON e.id=v.execution_id WHERE e.node='n6' AND a.state='LIVE' AND v.type='OUTPUT'")
sql_write $db "UPDATE artifact SET state='DELETED', reason='killed before removal' WHERE uri='$uri'"
[ -n "$uri" ] && [ -d "runs/chain/$uri" ] && pass deleted_left_on_disk_setup || fail deleted_left_on_disk_setup "no directory $uri"
expect deleted_left_on_disk_removed 0 "$M" run chain.lua --plugin-path "$tk" &&
has deleted_left_on_disk_removed "$OUT" "value	78"
[ ! -e "runs/chain/$uri" ] && pass deleted_dir_swept || fail deleted_dir_swept "runs/chain/$uri still there"
consistent deleted_store_consistent runs/chain
