# The command line: help, exit codes, JSON output, and the metadata views
# (runs, show, lineage) on the example pipeline with its Lua plugin.
. "$(dirname "$0")/../lib.sh"
export MLPIPE_PLUGIN_PATH=$MLPIPE_TOP/examples/plugins

for c in run plugins runs show lineage; do
    expect "help_$c" 0 "$M" "$c" --help && has "help_$c" "$OUT" "usage: mlpipe $c"
done
expect help_top 0 "$M" --help && has help_top "$OUT" "commands:" "lineage ARTIFACT"
expect unknown_command 1 "$M" frobnicate && has unknown_command "$OUT" "unknown command 'frobnicate'"
expect run_missing_script 1 "$M" run nothere.lua && has run_missing_script "$OUT" "cannot read nothere.lua"
expect run_bad_jobs 1 "$M" run x.lua --jobs 0 && has run_bad_jobs "$OUT" "--jobs takes a number in 1..256"

expect lists_lua_plugin 0 "$M" plugins &&
has lists_lua_plugin "$OUT" "class_balance 1.0.0 (lua)  $MLPIPE_TOP/examples/plugins/class_balance.lua" \
    "class_balance          analyze   in: examples:Examples  out: balance:ClassBalance" \
    "csv_import             ingest"
expect lua_component_detail 0 "$M" plugins class_balance &&
has lua_component_detail "$OUT" "min_share          float   default 0.05  range [0, 1]"

# The example finds its Lua plugin itself (mp.plugin_path relative to the
# script), from any working directory, without MLPIPE_PLUGIN_PATH; and a
# directory named both ways is searched once (no "already taken").
mkdir -p ex elsewhere
cp -r "$MLPIPE_TOP/examples/titanic" "$MLPIPE_TOP/examples/plugins" ex/
expect example_from_elsewhere 0 sh -c 'cd elsewhere && env -u MLPIPE_PLUGIN_PATH "$0" run ../ex/titanic/pipeline.lua' "$M" &&
has example_from_elsewhere "$OUT" "ran      class_balance" "train: 1048 rows" &&
lacks example_from_elsewhere_no_warning "$OUT" "warning" && [ -d elsewhere/runs/titanic ] &&
    pass example_root_in_working_dir || fail example_root_in_working_dir "$(ls elsewhere)"
mkdir elsewhere2
expect plugin_dir_named_twice 0 sh -c 'cd elsewhere2 && MLPIPE_PLUGIN_PATH=../ex/plugins "$0" run ../ex/titanic/pipeline.lua' "$M" &&
lacks plugin_dir_named_twice_no_refusal "$OUT" "refused"
cat > nodir.lua <<'LUA'
local mp = require "mlpipe"
mp.plugin_path("no/such/dir")
LUA
expect plugin_path_missing_dir 2 "$M" run nodir.lua &&
has plugin_path_missing_dir "$OUT" "nodir.lua:2: mp.plugin_path: no directory no/such/dir"

cp -r "$MLPIPE_TOP/examples/titanic" "$MLPIPE_TOP/examples/plugins" .
expect example_pipeline_runs 0 "$M" run titanic/pipeline.lua &&
has example_pipeline_runs "$OUT" "ran      csv_import" "ran      class_balance" \
    "ran      age_summary" "ran      statistics" "ran      schema_infer" "ran      validate" \
    "train: 1048 rows" "eval: 261 rows"
expect example_pipeline_cached 0 "$M" run titanic/pipeline.lua --json &&
has example_pipeline_cached "$OUT" '"status": "ok"' '"status": "cached"' '"class_balance":' &&
lacks json_has_no_node_lines "$OUT" '^(ran|cached) ' 

expect runs_lists_both 0 "$M" runs --root runs/titanic &&
has runs_lists_both "$OUT" "titanic-" "   6      0      0" "   0      6      0"
# Without --root: MLPIPE_ROOT, and when that is unset or empty, the
# working directory.
expect runs_default_root 0 sh -c 'cd runs/titanic && env -u MLPIPE_ROOT "$0" runs' "$M" &&
has runs_default_root "$OUT" "titanic-"
expect runs_empty_env_root 0 sh -c 'cd runs/titanic && MLPIPE_ROOT= "$0" runs' "$M" &&
has runs_empty_env_root "$OUT" "titanic-"
expect runs_env_root 0 env MLPIPE_ROOT=runs/titanic "$M" runs && has runs_env_root "$OUT" "titanic-"
expect runs_json 0 "$M" runs --root runs/titanic --json && has runs_json "$OUT" '"cached": 6'
expect show_artifact 0 "$M" show 1 --root runs/titanic &&
has show_artifact "$OUT" "artifact 1  Examples  $TMP/runs/titanic/artifacts/csv_import/" "  state       LIVE" \
    "  made by     e1 csv_import (csv_import), COMPLETE" 'splits eval ' ' rows, train ' 'columns (4)' \
    '  survived (label)  categorical' '  age             numeric float' "train.mlpt  "
db=runs/titanic/metadata.sqlite
cb_exec=$(sql $db "SELECT id FROM execution WHERE node='class_balance' ORDER BY id LIMIT 1")
cb_art=$(sql $db "SELECT artifact_id FROM event WHERE execution_id=$cb_exec AND type='OUTPUT'")
expect show_execution 0 "$M" show "e$cb_exec" --root runs/titanic &&
has show_execution "$OUT" '"component": "class_balance"' '"type": "INPUT"' '"port": "examples"'
run=$(sql runs/titanic/metadata.sqlite "SELECT name FROM context WHERE type='run' LIMIT 1")
expect show_run 0 "$M" show "$run" --root runs/titanic && has show_run "$OUT" '"executions":' '"node": "age_summary"'
expect show_missing 1 "$M" show 999 --root runs/titanic && has show_missing "$OUT" "nothing called '999'"
expect lineage_upstream 0 "$M" lineage "$cb_art" --root runs/titanic &&
has lineage_upstream "$OUT" "artifact $cb_art  ClassBalance" "upstream:" "class_balance (class_balance) made artifact $cb_art" \
    "csv_import (csv_import) made artifact 1" "TitanicSurvival.csv"
expect lineage_downstream 0 "$M" lineage 1 --root runs/titanic &&
has lineage_downstream "$OUT" "downstream:" "class_balance (class_balance, COMPLETE) read artifact 1" \
    "age_summary (age_summary, COMPLETE) read artifact 1" "made balance: artifact $cb_art" \
    "validate (validate, COMPLETE) read artifact 1" "statistics (statistics, COMPLETE) read artifact 1"
expect no_root 6 "$M" runs --root nowhere && has no_root "$OUT" "no pipeline root at nowhere"
mkdir -p empty
expect no_store 6 "$M" runs --root empty && has no_store "$OUT" "no metadata store at $TMP/empty/metadata.sqlite"
[ -z "$(ls -A empty)" ] && pass reader_creates_nothing || fail reader_creates_nothing "$(ls -A empty)"

# A store written by a newer mlpipe is refused, clearly, and left alone.
cp -r runs/titanic newer
sql_write newer/metadata.sqlite "UPDATE mlpipe_schema SET version=7"
sed 's|runs/titanic|newer|' titanic/pipeline.lua > titanic/newer.lua
expect newer_store_refused 6 "$M" run titanic/newer.lua &&
has newer_store_refused "$OUT" "has schema version 7; this mlpipe knows versions up to 2"
[ "$(sql newer/metadata.sqlite 'SELECT version FROM mlpipe_schema')" = 7 ] &&
    pass newer_store_untouched || fail newer_store_untouched "version changed"

# Two runs on one root at once: the second is refused, not interleaved.
cat > slow.lua <<'LUA'
local mp = require "mlpipe"
mp.component { name = "nap", stage = "analyze", outputs = { o = "Report" },
  run = function(ctx) os.execute("sleep 1") end }
local p = mp.pipeline { name = "lock", root = "runs/lock" }
p:add("nap", { cache = false })
p:run {}
LUA
"$M" run slow.lua >/dev/null 2>&1 &
sleep 0.4
expect concurrent_run_refused 6 "$M" run slow.lua &&
has concurrent_run_refused "$OUT" "is running a pipeline on $TMP/runs/lock" "or pass --wait"
wait
