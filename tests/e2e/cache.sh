# The cache: unchanged pipelines execute nothing; a changed parameter,
# input, data file or plugin re-executes exactly the nodes it affects.
. "$(dirname "$0")/../lib.sh"
tk=$(testkit_dir)
cat > p.lua <<'LUA'
local mp = require "mlpipe"
local add = tonumber(arg[1] or "1")
local note = arg[2] or ""
local p = mp.pipeline { name = "c", root = "runs/c" }
local s  = p:add("tk_source", { value = 5 })
local a1 = p:add("tk_add", { name = "add1", data = s.data, add = add, note = note })
local a2 = p:add("tk_add", { name = "add2", data = a1.data_out, add = 10 })
local s2 = p:add("tk_source", { name = "src2", value = 7 })
p:add("tk_add", { name = "add3", data = s2.data })
local r = p:run { jobs = 2 }
if r.nodes.add2 then print("value", r.nodes.add2.outputs.data_out.properties.value) end
LUA
db=runs/c/metadata.sqlite
ran() { grep -c '^ran ' <<<"$OUT"; }
cached() { grep -c '^cached ' <<<"$OUT"; }
status_of() { grep -E "^[a-z]+ +$1 " <<<"$OUT" | awk '{print $1}'; }

expect first_run_executes_all 0 "$M" run p.lua --plugin-path "$tk" &&
    [ "$(ran)" = 5 ] && has first_run_executes_all "$OUT" "value	16" ||
    fail first_run_executes_all "$(ran) ran"

arts=$(sql $db "SELECT count(*) FROM artifact")
expect second_run_executes_nothing 0 "$M" run p.lua --plugin-path "$tk" &&
if [ "$(ran)" = 0 ] && [ "$(cached)" = 5 ] &&
   [ "$(sql $db "SELECT count(*) FROM artifact")" = "$arts" ] &&
   [ "$(sql $db "SELECT count(*) FROM execution WHERE state='CACHED'")" = 5 ]; then
    pass second_run_executes_nothing
else
    fail second_run_executes_nothing "ran $(ran), cached $(cached)"
fi

expect changed_param_reruns_descendants_only 0 "$M" run p.lua --plugin-path "$tk" --explain -- 2 &&
if [ "$(status_of add1)" = ran ] && [ "$(status_of add2)" = ran ] &&
   [ "$(status_of tk_source)" = cached ] && [ "$(status_of src2)" = cached ] &&
   [ "$(status_of add3)" = cached ]; then
    has changed_param_reruns_descendants_only "$OUT" "value	17"
else
    fail changed_param_reruns_descendants_only "$OUT"
fi
has explain_names_changed_parameter "$OUT" "why: parameter 'add' changed (1 -> 2)"
has explain_names_changed_input "$OUT" "why: input 'data' changed"
has explain_names_reuse "$OUT" "why: nothing changed: reusing the outputs of execution"

expect back_to_old_param_is_cached 0 "$M" run p.lua --plugin-path "$tk" -- 1 &&
    [ "$(ran)" = 0 ] && pass back_to_old_param_is_cached ||
    fail back_to_old_param_is_cached "$OUT"

expect no_cache_key_param_does_not_rerun 0 "$M" run p.lua --plugin-path "$tk" -- 1 "a note" &&
    [ "$(ran)" = 0 ] && pass no_cache_key_param_does_not_rerun ||
    fail no_cache_key_param_does_not_rerun "$OUT"

expect no_cache_flag_runs_all 0 "$M" run p.lua --plugin-path "$tk" --no-cache &&
    [ "$(ran)" = 5 ] && pass no_cache_flag_runs_all || fail no_cache_flag_runs_all "$OUT"

# Two complete executions now share add1's fingerprint: the newest wins.
expect newest_match_wins 0 "$M" run p.lua --plugin-path "$tk"
newest=$(sql $db "SELECT max(id) FROM execution WHERE node='add1' AND state='COMPLETE' AND params LIKE '%\"add\":1,%'")
used=$(sql $db "SELECT cached_from FROM execution WHERE node='add1' ORDER BY id DESC LIMIT 1")
[ -n "$newest" ] && [ "$newest" = "$used" ] && pass newest_match_wins ||
    fail newest_match_wins "newest $newest, used $used"

# Remove the source's outputs by hand: it runs again, and as its new
# output has the same files and properties, add1 (whose input identity is
# the content and the properties) is cached.
rm -rf runs/c/artifacts/tk_source
expect deleted_output_reruns_producer_only 0 "$M" run p.lua --plugin-path "$tk" &&
if [ "$(status_of tk_source)" = ran ] && [ "$(status_of add1)" = cached ] &&
   [ "$(status_of add2)" = cached ]; then
    pass deleted_output_reruns_producer_only
else
    fail deleted_output_reruns_producer_only "$OUT"
fi
# add1 records when it ran as properties: made again, its output has the
# same files but other properties, and what reads them runs again too.
rm -rf runs/c/artifacts/add1
expect other_properties_rerun_consumer 0 "$M" run p.lua --plugin-path "$tk" &&
if [ "$(status_of add1)" = ran ] && [ "$(status_of add2)" = ran ] &&
   [ "$(status_of add3)" = cached ]; then
    pass other_properties_rerun_consumer
else
    fail other_properties_rerun_consumer "$OUT"
fi

sed -i 's|local s2 = p:add("tk_source", { name = "src2", value = 7 })|local s2 = p:add("tk_source", { name = "src2", value = 7, cache = false })|' p.lua
expect cache_false_always_runs 0 "$M" run p.lua --plugin-path "$tk" &&
if [ "$(status_of src2)" = ran ] && [ "$(status_of add3)" = cached ] && [ "$(ran)" = 1 ]; then
    pass cache_false_always_runs
else
    fail cache_false_always_runs "$OUT"
fi

printf '\0mlpipe-test' >> "$tk/testkit.so"
expect changed_plugin_code_reruns 0 "$M" run p.lua --plugin-path "$tk" --explain &&
    [ "$(ran)" = 5 ] && has changed_plugin_code_reruns "$OUT" "why: the component's code changed (plugin 1.0.0 -> 1.0.0)" ||
    fail changed_plugin_code_reruns "$OUT"

# Data files named by FILE parameters are part of the fingerprint.
printf 'a,b\n1,x\n2,y\n' > d.csv
cat > csv.lua <<'LUA'
local mp = require "mlpipe"
local p = mp.pipeline { name = "csv", root = "runs/csv" }
p:add("csv_import", { path = "d.csv" })
p:run {}
LUA
expect csv_first 0 "$M" run csv.lua
expect csv_unchanged_cached 0 "$M" run csv.lua && [ "$(cached)" = 1 ] &&
    pass csv_unchanged_cached || fail csv_unchanged_cached "$OUT"
printf '3,z\n' >> d.csv
expect changed_data_file_reruns 0 "$M" run csv.lua --explain && [ "$(ran)" = 1 ] &&
    has changed_data_file_reruns "$OUT" "data file d.csv changed" ||
    fail changed_data_file_reruns "$OUT"

# Lua components: editing the source re-executes them.
cat > lua.lua <<'LUA'
local mp = require "mlpipe"
mp.component { name = "lc", stage = "transform", outputs = { out = "TestData" },
  run = function(ctx) ctx:set_property("out", "v", 1) end }
local p = mp.pipeline { name = "l", root = "runs/l" }
p:add("lc", {})
p:run {}
LUA
expect lua_first 0 "$M" run lua.lua
expect lua_unchanged_cached 0 "$M" run lua.lua && [ "$(cached)" = 1 ] &&
    pass lua_unchanged_cached || fail lua_unchanged_cached "$OUT"
sed -i 's|"v", 1|"v", 2|' lua.lua
expect lua_changed_source_reruns 0 "$M" run lua.lua && [ "$(ran)" = 1 ] &&
    pass lua_changed_source_reruns || fail lua_changed_source_reruns "$OUT"

consistent cache_metadata_consistent runs/c

# --only runs a node and what it needs, and nothing else.
rm -rf runs/c
expect only_runs_node_and_ancestors 0 "$M" run p.lua --plugin-path "$tk" --only add1 &&
if [ "$(status_of tk_source)" = ran ] && [ "$(status_of add1)" = ran ] &&
   ! grep -qE "^[a-z]+ +(add2|src2|add3) " <<<"$OUT"; then
    pass only_runs_node_and_ancestors
else
    fail only_runs_node_and_ancestors "$OUT"
fi
expect only_unknown_node 1 "$M" run p.lua --plugin-path "$tk" --only nope &&
has only_unknown_node "$OUT" "--only nope: the pipeline has no such node"

# A port taking several artifacts: every one of them is part of the
# fingerprint, and a cache hit records them as inputs and its outputs as
# outputs (the events lineage walks).
cat > multi.lua <<'LUA'
local mp = require "mlpipe"
mp.component { name = "sum", stage = "analyze",
  inputs = { { name = "parts", type = "TestData", multiple = true } },
  outputs = { total = "Report" },
  run = function(ctx)
    local t = 0
    for _, a in ipairs(ctx:inputs("parts")) do t = t + a.properties.value end
    ctx:set_property("total", "sum", t)
  end }
local p = mp.pipeline { name = "m", root = "runs/m" }
local a = p:add("tk_source", { name = "a", value = 1 })
local b = p:add("tk_source", { name = "b", value = tonumber(arg[1]) })
p:add("sum", { parts = { a.data, b.data } })
local r = p:run {}
print("sum", r.nodes.sum.outputs.total.properties.sum)
LUA
mdb=runs/m/metadata.sqlite
expect multi_first 0 "$M" run multi.lua --plugin-path "$tk" -- 2 && has multi_first "$OUT" "sum	3"
expect multi_cached 0 "$M" run multi.lua --plugin-path "$tk" -- 2 && has multi_cached "$OUT" "cached   sum" "sum	3"
e=$(sql $mdb "SELECT id FROM execution WHERE node='sum' AND state='CACHED' ORDER BY id DESC LIMIT 1")
has cache_hit_events "$(sql $mdb "SELECT type || ':' || port || ':' || idx FROM event WHERE execution_id=$e ORDER BY id")" \
    "INPUT:parts:0" "INPUT:parts:1" "OUTPUT:total:0"
[ "$(sql $mdb "SELECT count(*) FROM event WHERE execution_id=$e")" = 3 ] &&
    pass cache_hit_event_count || fail cache_hit_event_count "$(sql $mdb "SELECT * FROM event WHERE execution_id=$e")"
expect multi_second_input_reruns 0 "$M" run multi.lua --plugin-path "$tk" --explain -- 5 &&
has multi_second_input_reruns "$OUT" "ran      sum" "input 'parts' changed" "sum	6"

# A Lua component's results can depend on what it captured: a value from
# the script's arguments, a module it requires.  A change to either is a
# change of its fingerprint.
cat > helper.lua <<'LUA'
return { factor = 2 }
LUA
cat > cap.lua <<'LUA'
local mp = require "mlpipe"
local helper = require "helper"
local factor = tonumber(arg[1])
mp.component { name = "mul", stage = "transform",
  inputs = { data = "TestData" }, outputs = { out = "TestData" },
  run = function(ctx)
    ctx:set_property("out", "v", ctx:input("data").properties.value * factor * helper.factor)
  end }
local p = mp.pipeline { name = "cap", root = "runs/cap" }
local s = p:add("tk_source", { value = 5 })
local m = p:add("mul", { data = s.data })
local r = p:run {}
print("v", r.nodes.mul.outputs.out.properties.v)
LUA
expect capture_first 0 "$M" run cap.lua --plugin-path "$tk" -- 2 && has capture_first "$OUT" "v	20"
expect capture_same_cached 0 "$M" run cap.lua --plugin-path "$tk" -- 2 && has capture_same_cached "$OUT" "cached   mul" "v	20"
expect captured_arg_changed 0 "$M" run cap.lua --plugin-path "$tk" --explain -- 3 &&
has captured_arg_changed "$OUT" "ran      mul" "a value the Lua component captured" "v	30"
sed -i 's/factor = 2/factor = 4/' helper.lua
expect required_module_changed 0 "$M" run cap.lua --plugin-path "$tk" -- 3 &&
has required_module_changed "$OUT" "ran      mul" "v	60"

# A captured table is hashed with its keys and its values.
cat > keys.lua <<'LUA'
local mp = require "mlpipe"
local weights = {}
weights[os.getenv("KEY")] = tonumber(os.getenv("VAL") or "1")
mp.component { name = "pick", stage = "transform",
  inputs = { data = "TestData" }, outputs = { out = "TestData" },
  run = function(ctx)
    local k, w = next(weights)
    ctx:set_property("out", "key", k .. "=" .. w)
  end }
local p = mp.pipeline { name = "keys", root = "runs/keys" }
local s = p:add("tk_source", { value = 5 })
local m = p:add("pick", { data = s.data })
local r = p:run {}
print("key", r.nodes.pick.outputs.out.properties.key)
LUA
expect captured_table_first 0 env KEY=red "$M" run keys.lua --plugin-path "$tk" && has captured_table_first "$OUT" "key	red=1"
expect captured_table_keys 0 env KEY=blue "$M" run keys.lua --plugin-path "$tk" &&
has captured_table_keys "$OUT" "ran      pick" "key	blue=1"
expect captured_table_values 0 env KEY=blue VAL=7 "$M" run keys.lua --plugin-path "$tk" &&
has captured_table_values "$OUT" "ran      pick" "key	blue=7"

# Captured values are hashed so that no two different ones look alike:
# strings carry their length (so "a", "b" is not "ai2\0s\0b"), and a
# nested table is opened as well as closed (so { a = { b = "c" } } is not
# { a = "b", c = {} }).
cat > shapes.lua <<'LUA'
local mp = require "mlpipe"
local shapes = {
  list = { "a", "b" }, glued = { "ai2\0s\0b" },
  nested = { a = { b = "c" } }, flat = { a = "b", c = {} },
}
local t = shapes[os.getenv("SHAPE")]  -- not an argument: those are hashed
mp.component { name = "shape", stage = "transform",
  inputs = { data = "TestData" }, outputs = { out = "TestData" },
  run = function(ctx) ctx:set_property("out", "n", #t) end }
local p = mp.pipeline { name = "shapes", root = "runs/shapes" }
p:add("shape", { data = p:add("tk_source", { value = 5 }).data })
p:run {}
LUA
for pair in "list glued" "nested flat"; do
    set -- $pair
    SHAPE=$1 "$M" run shapes.lua --plugin-path "$tk" >/dev/null 2>&1
    expect "captured_${1}_vs_$2" 0 env SHAPE=$2 "$M" run shapes.lua --plugin-path "$tk" &&
    has "captured_${1}_vs_$2" "$OUT" "ran      shape"
done

# Captured tables with many string keys hash the same from one run to the
# next (Lua orders them differently in every process).
cat > many.lua <<'LUA'
local mp = require "mlpipe"
local names = {}
for i = 1, 40 do names["k" .. i] = i end
mp.component { name = "count", stage = "transform",
  inputs = { data = "TestData" }, outputs = { out = "TestData" },
  run = function(ctx)
    local n = 0
    for _ in pairs(names) do n = n + 1 end
    ctx:set_property("out", "n", n)
  end }
local p = mp.pipeline { name = "many", root = "runs/many" }
local s = p:add("tk_source", { value = 5 })
p:add("count", { data = s.data })
p:run {}
LUA
expect many_keys_first 0 "$M" run many.lua --plugin-path "$tk" && has many_keys_first "$OUT" "ran      count"
ok=1
for i in 1 2 3; do
    expect many_keys_cached 0 "$M" run many.lua --plugin-path "$tk" || { ok=0; break; }
    grep -q "cached   count" <<<"$OUT" || { ok=0; break; }
done
[ "$ok" = 1 ] && pass many_keys_cached || fail many_keys_cached "$OUT"

# Durations are measured, not invented: a node that sleeps half a second
# takes about that long.
cat > dur.lua <<'LUA'
local mp = require "mlpipe"
local p = mp.pipeline { name = "dur", root = "runs/dur" }
local s = p:add("tk_source", { value = 1 })
p:add("tk_add", { name = "nap", data = s.data, sleep = 0.5, cache = false })
local r = p:run {}
print("seconds", r.nodes.nap.seconds)
LUA
expect duration_measured 0 "$M" run dur.lua --plugin-path "$tk" &&
awk '$1 == "seconds" { exit !($2 >= 0.45 && $2 < 10) }' <<<"$OUT" &&
awk '$1 == "ran" && $2 == "nap" { sub("s", "", $3); exit !($3 >= 0.45 && $3 < 10) }' <<<"$OUT" &&
    pass duration_measured || fail duration_measured "$OUT"

# On a terminal a node running longer than half a second shows in a
# progress line: the progress it reports, else its elapsed whole seconds;
# the line is cleared before the node's result is printed. `script`
# gives the run a tty.
sed -e 's/sleep = 0.5/sleep = 1.8/' -e 's/runs\/dur/runs\/tty/' dur.lua > tty.lua
cat > tty2.lua <<'LUA'
local mp = require "mlpipe"
mp.component { name = "doze", stage = "analyze", outputs = { o = "Report" },
  run = function(ctx) os.execute("sleep 1.8") end }
local p = mp.pipeline { name = "tty2", root = "runs/tty2" }
p:add("doze", { cache = false })
p:run {}
LUA
script -qec "$M run tty.lua --plugin-path $tk" /dev/null > tty.out 2>&1
script -qec "$M run tty2.lua" /dev/null > tty2.out 2>&1
if grep -aEq 'running: nap [0-9]+/180 ticks' tty.out &&
   grep -aq 'running: doze [12]s' tty2.out && ! grep -aEq 'running: doze [0-9]{3,}' tty2.out &&
   grep -aq $'\033\\[Kran  *doze' tty2.out && grep -aq $'\033\\[Kran  *nap' tty.out; then
    pass tty_progress_line
else
    fail tty_progress_line "$(cat tty.out tty2.out | tr '\r\033' '|~')"
fi
