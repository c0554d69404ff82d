# push: a blessed model copied whole to DIR/NAME/VERSION under the
# pipeline root (whatever the working directory), served by `mlpipe
# predict`; a re-run does not add a version; an unblessed model is never
# pushed and the run says why.
. "$(dirname "$0")/../lib.sh"
data=$MLPIPE_TOP/tests/data

# push_pipe NAME MIN-ACCURACY
push_pipe() {
    cat > "$1.lua" <<LUA
local mp = require "mlpipe"
local p = mp.pipeline { name = "$1", root = "$PWD/runs/$1" }
local ex = p:add("csv_import", { path = "$data/breast_cancer.csv", label = "target",
                                 types = { target = "categorical" },
                                 splits = { train = 8, eval = 2 } })
local tf = p:add("transform", { examples = ex.examples,
                                features = { [":numeric"] = { "zscore" } } })
local m = p:add("logistic_regression", { examples = tf.examples,
                                         transform_graph = tf.transform_graph })
local e = p:add("evaluate", { model = m.model, examples = ex.examples,
                              positive_class = "1", thresholds = { accuracy = $2 } })
p:add("push", { model = m.model, blessing = e.blessing, to = "serving/bc" })
p:run {}
LUA
}

push_pipe ok 0.9
mkdir elsewhere
expect blessed_pushes 0 bash -c "cd elsewhere && '$M' run ../ok.lua"
serve=runs/ok/serving/bc
[ -f "$serve/1/model.json" ] && [ -f "$serve/1/weights.bin" ] &&
    [ -f "$serve/1/transform_graph.json" ] && [ ! -e "$serve/2" ] &&
    [ -z "$(ls -A "$serve" | grep -v '^1$')" ] && pass pushed_version_1 ||
    fail pushed_version_1 "$(ls -laR "$serve" 2>&1 | head)"
expect serves_pushed 0 "$M" predict --model "$serve" "$data/breast_cancer.csv"
[ "$(wc -l <<<"$OUT")" = 570 ] && pass predict_from_serving || fail predict_from_serving "$(head -2 <<<"$OUT")"
pid=$(sql runs/ok/metadata.sqlite "select a.id from artifact a join artifact_type t on t.id = a.type_id where t.name = 'PushedModel'" | head -1)
expect pushed_view 0 "$M" show "$pid" --root runs/ok &&
has pushed_view "$OUT" "Pushed as version 1: $TMP/runs/ok/serving/bc/1"

# Again, not from the cache: the same weights are already serving.
expect rerun_same_version 0 "$M" run ok.lua --no-cache
[ ! -e "$serve/2" ] && pass rerun_adds_no_version || fail rerun_adds_no_version "$(ls "$serve")"

# Another model (another seed of the split): version 2.
sed 's/splits = { train = 8, eval = 2 }/splits = { train = 7, eval = 3 }/' ok.lua > ok2.lua
expect second_model 0 "$M" run ok2.lua
[ -f "$serve/2/weights.bin" ] && ! cmp -s "$serve/1/weights.bin" "$serve/2/weights.bin" &&
    pass second_model_version_2 || fail second_model_version_2 "$(ls "$serve")"

# Unblessed: gated, never pushed, and the run says why.
push_pipe bad 0.999
expect unblessed_not_pushed 4 "$M" run bad.lua &&
has unblessed_not_pushed "$OUT" "the model is not blessed" "accuracy" "< 0.999"
[ ! -e runs/bad/serving/bc/1 ] && pass nothing_pushed_when_unblessed ||
    fail nothing_pushed_when_unblessed "$(ls runs/bad/serving/bc)"

# A push always runs: a serving directory removed behind mlpipe's back is
# written again, not reported from the cache.
rm -rf runs/ok/serving
expect push_runs_again 0 "$M" run ok.lua
[ -f "$serve/1/weights.bin" ] && pass push_not_cached || fail push_not_cached "$(ls runs/ok)"

# A serving directory inside mlpipe's own (or the root, or "/") is refused.
sed 's|to = "serving/bc"|to = "artifacts/evil"|' ok.lua > evil.lua
expect push_into_artifacts_refused 3 "$M" run evil.lua &&
has push_into_artifacts_refused "$OUT" "parameter 'to': 'artifacts/evil' is not a directory a node may write"
[ ! -e runs/ok/artifacts/evil ] && pass nothing_written_into_artifacts ||
    fail nothing_written_into_artifacts "$(ls runs/ok/artifacts)"

# The served copy lacks a member the model has (edited by hand): not the
# same model, so the push adds a version instead of trusting the copy.
rm -rf runs/ok/serving && expect push_again 0 "$M" run ok.lua
python3 - "$serve/1/model.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); d.pop("transform_graph_hash")
json.dump(d, open(sys.argv[1], "w"))
PY
expect push_after_edit 0 "$M" run ok.lua
[ -f "$serve/2/model.json" ] && pass edited_copy_not_same_model ||
    fail edited_copy_not_same_model "$(ls "$serve")"
