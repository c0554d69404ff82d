# A full disk (simulated with an LD_PRELOAD shim that fails writes to
# chosen files with ENOSPC) is named with the file and the cause, never a
# bare "disk I/O error"; nothing half-written is LIVE, and the next run
# with room finishes the pipeline from a consistent store.
. "$(dirname "$0")/../lib.sh"
tk=$(testkit_dir)
shim=$MLPIPE_BUILD/tests/tools/.libs/enospc.so
# The shim may come before the sanitizer runtime in an ASan build.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0

cat > p.lua <<'LUA'
local mp = require "mlpipe"
local p = mp.pipeline { name = "f", root = "runs/f" }
local prev = p:add("tk_source", { value = 1 }).data
for i = 1, 6 do
  prev = p:add("tk_add", { name = "n" .. i, data = prev, add = i }).data_out
end
local r = p:run {}
if r.status == "ok" then
  print("value", r.nodes.n6.outputs.data_out.properties.value)
end
LUA
full() {
    env LD_PRELOAD="$shim" MLPIPE_ENOSPC_PATH="$1" MLPIPE_ENOSPC_AFTER="$2" \
        "$M" run p.lua --plugin-path "$tk"
}

# The store fills up part-way through the run.
ok_runs=0
named=1
for budget in 20000 60000 120000; do
    rm -rf runs/f
    OUT=$(full metadata.sqlite "$budget" 2>&1)
    rc=$?
    if [ "$rc" = 0 ]; then
        ok_runs=$((ok_runs + 1))
        continue
    fi
    if grep -q "disk I/O error" <<<"$OUT" ||
       ! grep -q "metadata.sqlite.*No space left on device while writing" <<<"$OUT"; then
        fail store_full_named "budget $budget, exit $rc: $(head -c 500 <<<"$OUT")"
        named=0
        break
    fi
    expect "store_full_recovers_$budget" 0 "$M" run p.lua --plugin-path "$tk" &&
    has "store_full_recovers_$budget" "$OUT" "value	22"
    consistent "store_full_consistent_$budget" runs/f
done
if [ "$named" = 1 ]; then
    [ "$ok_runs" -lt 3 ] && pass store_full_named ||
        fail store_full_named "no budget made the store run out of room"
fi

# An execution file cannot be written: that node fails with the file and
# the cause, its outputs are not LIVE, and the next run makes them.
rm -rf runs/f
OUT=$(full execution.json 0 2>&1)
rc=$?
[ "$rc" = 3 ] && pass artifact_full_fails_node || fail artifact_full_fails_node "exit $rc: $(head -c 400 <<<"$OUT")"
has artifact_full_named "$OUT" "failed   tk_source" "execution.json" "No space left on device"
[ "$(sql runs/f/metadata.sqlite "SELECT count(*) FROM artifact WHERE state='LIVE'")" = 0 ] &&
    pass artifact_full_nothing_live || fail artifact_full_nothing_live "LIVE artifacts after the failure"
consistent artifact_full_consistent runs/f
[ -z "$(ls runs/f/artifacts/tk_source 2>/dev/null)" ] && pass artifact_full_nothing_left ||
    fail artifact_full_nothing_left "$(ls -R runs/f/artifacts)"
expect artifact_full_recovers 0 "$M" run p.lua --plugin-path "$tk" &&
has artifact_full_recovers "$OUT" "ran      tk_source" "value	22"
