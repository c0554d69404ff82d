# Crash isolation: a component that segfaults, aborts, exits, fails or hangs
# fails its own node only, with the cause named; independent branches go
# on; the store stays consistent; the next run resumes from the failed node.
. "$(dirname "$0")/../lib.sh"
tk=$(testkit_dir)
cat > p.lua <<'LUA'
local mp = require "mlpipe"
local mode, timeout = arg[1], tonumber(arg[2] or "0")
local p = mp.pipeline { name = "iso", root = "runs/" .. mode }
local s = p:add("tk_source", { value = 3 })
local bad = p:add("tk_crash", { name = "bad", data = s.data, mode = mode, timeout = timeout })
p:add("tk_add", { name = "after_bad", data = bad.data_out })
p:add("tk_add", { name = "independent", data = s.data, add = 100 })
p:run { jobs = 2 }
LUA
check_mode() {
    local mode=$1 want=$2 timeout=${3:-0}
    if expect "crash_$mode" 3 "$M" run p.lua --plugin-path "$tk" -- "$mode" "$timeout"; then
        has "crash_$mode" "$OUT" "failed   bad" "$want" "ran      independent" \
            "skipped  after_bad" "upstream node 'bad' failed"
    fi
    consistent "crash_${mode}_store_consistent" "runs/$mode"
}
check_mode segv "killed by signal 11 (Segmentation fault)"
check_mode abort "killed by signal 6 (Aborted)"
check_mode exit "exited with status 7"
check_mode fail "tk_crash was asked to fail"
check_mode hang "timed out after 1s (killed)" 1
has failure_shows_log_tail "$OUT" "log runs/hang/logs/" "tk_crash: about to hang"

# A log of blank lines only: no "log ... ends:" heading over nothing.
cat > blank.lua <<'LUA'
local mp = require "mlpipe"
mp.component { name = "blank", stage = "analyze", outputs = { o = "Report" },
  run = function(ctx) io.stderr:write("\n  \n\t\n"); error("boom") end }
local p = mp.pipeline { name = "bl", root = "runs/blank" }
p:add("blank", {})
p:run {}
LUA
expect blank_log_not_shown 3 "$M" run blank.lua &&
has blank_log_not_shown "$OUT" "failed   blank" "boom" &&
lacks blank_log_not_shown "$OUT" "ends:"

db=runs/segv/metadata.sqlite
state=$(sql $db "SELECT state || ':' || error FROM execution WHERE node='bad'")
has failed_execution_recorded "$state" "FAILED:killed by signal 11"
deleted=$(sql $db "SELECT count(*) FROM artifact a JOIN event v ON v.artifact_id=a.id JOIN execution e ON e.id=v.execution_id WHERE e.node='bad' AND a.state='DELETED'")
[ "$deleted" = 0 ] && pass failed_outputs_not_linked_as_outputs || fail failed_outputs_not_linked_as_outputs "$deleted"
[ "$(sql $db "SELECT count(*) FROM artifact WHERE state='DELETED'")" = 1 ] &&
    pass failed_output_marked_deleted || fail failed_output_marked_deleted "$(sql $db 'SELECT * FROM artifact')"

# Fix the node (mode ok) and run again with the same root: only the failed
# node and what depends on it execute.
sed -i 's|root = "runs/" .. mode|root = "runs/segv"|' p.lua
expect resume_from_failed_node 0 "$M" run p.lua --plugin-path "$tk" -- ok &&
has resume_from_failed_node "$OUT" "cached   tk_source" "cached   independent" \
    "ran      bad" "ran      after_bad"
consistent resume_store_consistent runs/segv

# Retries: the flaky node fails once and then succeeds; only one set of
# outputs survives.  tk_flaky keeps its state between attempts in a file
# outside its outputs, which the write sandbox would refuse.
export MLPIPE_SANDBOX=off
cat > flaky.lua <<'LUA'
local mp = require "mlpipe"
local p = mp.pipeline { name = "flaky", root = "runs/flaky" }
local s = p:add("tk_source", {})
p:add("tk_flaky", { data = s.data, marker = arg[1], retries = tonumber(arg[2]) })
p:run {}
LUA
expect retry_succeeds 0 "$M" run flaky.lua --plugin-path "$tk" -- "$TMP/marker1" 1 &&
has retry_succeeds "$OUT" "retry    tk_flaky" "attempt 1 failed: flaky: first attempt fails" "ran      tk_flaky"
db=runs/flaky/metadata.sqlite
live=$(sql $db "SELECT count(*) FROM artifact a JOIN event v ON v.artifact_id=a.id JOIN execution e ON e.id=v.execution_id WHERE e.node='tk_flaky' AND v.type='OUTPUT' AND a.state='LIVE'")
dirs=$(ls runs/flaky/artifacts/tk_flaky | wc -l)
[ "$live" = 1 ] && [ "$dirs" = 1 ] && pass retry_leaves_no_duplicate_outputs ||
    fail retry_leaves_no_duplicate_outputs "live $live, dirs $dirs"
has retry_attempts_recorded "$(sql $db "SELECT group_concat(attempt || state) FROM execution WHERE node='tk_flaky'")" "1FAILED,2COMPLETE"
consistent retry_store_consistent runs/flaky
rm -rf runs/flaky
expect no_retry_fails 3 "$M" run flaky.lua --plugin-path "$tk" -- "$TMP/marker2" 0 &&
has no_retry_fails "$OUT" "failed   tk_flaky" "flaky: first attempt fails"
unset MLPIPE_SANDBOX

# A gate stops what is downstream of it, publishes its own outputs, and
# gives the gated exit code.
cat > gate.lua <<'LUA'
local mp = require "mlpipe"
local p = mp.pipeline { name = "gate", root = "runs/gate" }
local s = p:add("tk_source", { value = 13 })
local g = p:add("tk_gate", { data = s.data, block = true })
p:add("tk_add", { name = "deploy", data = g.data_out })
p:add("tk_add", { name = "side", data = s.data })
p:run {}
LUA
expect gate_stops_downstream 4 "$M" run gate.lua --plugin-path "$tk" &&
has gate_stops_downstream "$OUT" "gated    tk_gate" "value 13 is not acceptable" \
    "skipped  deploy" "stopped the pipeline (gate)" "ran      side"
consistent gate_store_consistent runs/gate

# Independent nodes run at the same time with jobs = 2.
cat > par.lua <<'LUA'
local mp = require "mlpipe"
local p = mp.pipeline { name = "par", root = "runs/par" }
local s = p:add("tk_source", {})
p:add("tk_add", { name = "a", data = s.data, sleep = 0.6 })
p:add("tk_add", { name = "b", data = s.data, sleep = 0.6 })
local r = p:run { jobs = 2 }
local a, b = r.nodes.a.outputs.data_out.properties, r.nodes.b.outputs.data_out.properties
print(a.start < b["end"] and b.start < a["end"] and "overlap" or "serial")
LUA
expect parallel_nodes_overlap 0 "$M" run par.lua --plugin-path "$tk" &&
has parallel_nodes_overlap "$OUT" "overlap"
expect jobs_1_runs_serially 0 "$M" run par.lua --plugin-path "$tk" --no-cache --jobs 1 &&
has jobs_1_runs_serially "$OUT" "serial"

# Components may also run inside the mlpipe process (for debuggers).
expect in_process_mode 0 "$M" run par.lua --plugin-path "$tk" --no-cache --in-process &&
has in_process_mode "$OUT" "ran      a"

# Ctrl-C: running components are asked to stop (SIGTERM, then SIGKILL after
# a grace period), nodes not started are cancelled, the exit code says so,
# and the store stays consistent.
cat > int.lua <<'LUA'
local mp = require "mlpipe"
local p = mp.pipeline { name = "int", root = "runs/int" }
local s = p:add("tk_source", {})
local h = p:add("tk_crash", { name = "stubborn", data = s.data, mode = "hang" })
p:add("tk_add", { name = "later", data = h.data_out })
p:run {}
LUA
"$M" run int.lua --plugin-path "$tk" >int.log 2>&1 &
pid=$!
for _ in $(seq 100); do
    grep -q "about to hang" runs/int/logs/*.log 2>/dev/null && break
    sleep 0.05
done
kill -INT "$pid"
wait "$pid"
rc=$?
if [ "$rc" = 5 ]; then
    has interrupt_cancels "$(cat int.log)" "canceled stubborn" "killed by signal 9" \
        "canceled later                      0.00s  not started: the run was interrupted"
else
    fail interrupt_cancels "exit $rc: $(cat int.log)"
fi
has interrupt_recorded "$(sql runs/int/metadata.sqlite "SELECT state FROM execution WHERE node='stubborn'")" CANCELED
consistent interrupt_store_consistent runs/int

# After p:run returns, the signal mask is the script's again: the runner
# blocks SIGCHLD while children run, and must not leave it blocked.
cat > after.lua <<'LUA'
local mp = require "mlpipe"
local p = mp.pipeline { name = "after", root = "runs/after" }
p:add("tk_source", { value = 1 })
p:run {}
for l in io.lines("/proc/self/status") do if l:find("^SigBlk") then print(l) end end
LUA
expect signal_mask_restored 0 "$M" run after.lua --plugin-path "$tk" &&
has signal_mask_restored "$OUT" "SigBlk:	0000000000000000"
