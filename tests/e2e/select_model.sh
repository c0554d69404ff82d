# Model-based feature selection (select_by_model) against scikit-learn's
# RFE, RFECV and SequentialFeatureSelector (fixtures from
# tests/data/make_select_fixtures.py), the FeatureSelection it writes,
# and every refusal naming what is wrong.
. "$(dirname "$0")/../lib.sh"
data=$MLPIPE_TOP/tests/data
fix=$data/fixtures/select_model.json

# run_sel NAME CSV INGEST-OPTS NODES: NODES see `ex` (raw) and `tf`
# (standardised); prints each selection's uri.
run_sel() {
    cat > "$1.lua" <<LUA
local mp = require "mlpipe"
local p = mp.pipeline { name = "$1", root = "runs/$1" }
local ex = p:add("csv_import", { path = "$2", splits = { train = 1 }, $3 })
local tf = p:add("transform", { examples = ex.examples,
                                features = { [":numeric"] = { "zscore" } } })
$4
local r = p:run {}
for name, n in pairs(r.nodes) do
  if n.outputs.selection then print("sel", name, n.outputs.selection.uri) end
end
LUA
}
sel() { awk -v n="$1" '$1 == "sel" && $2 == n { print $3 }' <<<"$OUT"; }

# check NAME SELECTION FIXTURE PYTHON: `doc` the selection.json, `r` the
# fixture, `kept` the selected names; prints "ok" or why not.
check() {
    local got
    got=$(python3 - "$2/selection.json" "$fix" "$3" 2>&1 <<PY
import json, sys
doc = json.load(open(sys.argv[1]))
r = json.load(open(sys.argv[2]))[sys.argv[3]]
kept = doc["selected"]
$4
PY
)
    [ "$got" = ok ] && pass "$1" || fail "$1" "$got"
}
same_rfe='
rank = [f["rank"] for f in doc["features"]]
if kept != r["selected"]: print("selected", kept, "expected", r["selected"])
elif rank != r["ranking"]: print("ranking", rank, "expected", r["ranking"])
elif doc["method"] != "rfe" or doc["score"] != "importance": print(doc["method"], doc["score"])
else: print("ok")'

lr='trainer = "logistic_regression", trainer_params = { tol = 1e-10, max_iter = 10000 }'
run_sel bc "$data/breast_cancer.csv" 'label = "target", types = { target = "categorical" }' "
p:add('select_by_model', { name = 'rfe', examples = tf.examples, $lr, k = 10 })
p:add('select_by_model', { name = 'rfe3', examples = tf.examples, $lr, k = 5, step = 3 })
p:add('select_by_model', { name = 'rfecv', examples = tf.examples, $lr, step = 2 })
p:add('select_by_model', { name = 'fwd', examples = tf.examples, $lr, method = 'forward',
                           k = 4 })
p:add('select_by_model', { name = 'l1', examples = tf.examples, method = 'from_model',
                           trainer = 'logistic_regression',
                           trainer_params = { l2 = 0, l1 = 10, tol = 1e-10, max_iter = 10000 } })
p:add('select_by_model', { name = 'l1k', examples = tf.examples, method = 'from_model', k = 3,
                           trainer = 'logistic_regression',
                           trainer_params = { l2 = 0, l1 = 10, tol = 1e-10, max_iter = 10000 } })
p:add('select_by_model', { name = 'mean', examples = tf.examples, method = 'from_model', $lr })"
expect bc_runs 0 "$M" run bc.lua
bc_out=$OUT
# Ridge on the 0/1 target as numbers, unscaled.
run_sel bcr "$data/breast_cancer.csv" 'label = "target"' "
p:add('select_by_model', { name = 'ridge', examples = ex.examples, trainer = 'ridge', k = 8 })"
expect bc_ridge_runs 0 "$M" run bcr.lua
check rfe_ridge_matches_sklearn "$(sel ridge)" rfe_ridge_bc "$same_rfe"
OUT=$bc_out
check rfe_logistic_matches_sklearn "$(sel rfe)" rfe_logistic_bc "$same_rfe"
check rfe_step3_matches_sklearn "$(sel rfe3)" rfe_logistic_bc_step3 "$same_rfe"
check rfecv_matches_sklearn "$(sel rfecv)" rfecv_logistic_bc '
curve = doc["cv_curve"]
got = [p["mean"] for p in reversed(curve)]
counts = [p["n_features"] for p in curve]
if len(kept) != r["n_features"] or kept != r["selected"]: print("selected", len(kept), kept)
elif len(got) != len(r["mean_test_score"]) or max(abs(a - b) for a, b in zip(got, r["mean_test_score"])) > 1e-12:
    print("cv curve", got, "expected", r["mean_test_score"])
elif counts[0] != 30 or counts[-1] != 1: print("counts", counts)
else: print("ok")'
# Embedded: the features an L1 model (scikit-learn's saga, fixture in
# train.json) gives a non-zero coefficient, as SelectFromModel keeps them.
l1_ref() {
    python3 - "$data/fixtures/train.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["logistic_bc_l1"]
print(json.dumps([n for n, c in zip(r["features"], r["coef"][0]) if abs(c) > 1e-5]))
PY
}
check from_model_l1_keeps_nonzero "$(sel l1)" rfe_logistic_bc "
want = $(l1_ref)
print('ok' if kept == want and doc['importance_threshold'] == 1e-5 and 0 < len(kept) < 30
      else (kept, want, doc['importance_threshold']))"
check from_model_k_keeps_largest "$(sel l1k)" rfe_logistic_bc '
imp = sorted(((f["score"], f["name"]) for f in doc["features"]), reverse=True)
print("ok" if sorted(kept) == sorted(n for _, n in imp[:3]) and [f["rank"] for f in doc["features"] if f["name"] == imp[0][1]] == [1] else (kept, imp[:4]))'
check from_model_mean_matches_sklearn "$(sel mean)" from_model_logistic_bc '
t = doc["importance_threshold"]
print("ok" if kept == r["selected"] and abs(t - r["threshold"]) < 1e-6 * r["threshold"]
      else (kept, r["selected"], t, r["threshold"]))'
check forward_logistic_matches_sklearn "$(sel fwd)" forward_logistic_bc '
order = [n for _, n in sorted((f["rank"], f["name"]) for f in doc["features"])]
if sorted(kept) != sorted(r["selected"]): print("selected", kept, "expected", r["selected"])
elif sorted(order[:4]) != sorted(kept) or len(order) != 30: print("ranks", order)
elif doc["score"] != "cv_score" or len(doc["cv_curve"]) != 4: print(doc["score"], doc.get("cv_curve"))
elif not all(a["mean"] <= b["mean"] for a, b in zip(doc["cv_curve"], doc["cv_curve"][1:])): print("curve", doc["cv_curve"])
else: print("ok")'

run_sel dia "$data/diabetes.csv" 'label = "target"' "
p:add('select_by_model', { name = 'fwd', examples = ex.examples, trainer = 'ridge', method = 'forward', k = 4 })
p:add('select_by_model', { name = 'bwd', examples = ex.examples, trainer = 'ridge', method = 'backward', k = 6 })
p:add('select_by_model', { name = 'rfecv', examples = ex.examples, trainer = 'ridge' })
p:add('select_by_model', { name = 'sfm', examples = ex.examples, trainer = 'ridge', method = 'from_model' })
p:add('select_by_model', { name = 'thr0', examples = ex.examples, trainer = 'ridge', method = 'from_model',
                           threshold = 0 })"
expect diabetes_runs 0 "$M" run dia.lua
check forward_ridge_matches_sklearn "$(sel fwd)" forward_ridge_diabetes '
print("ok" if sorted(kept) == sorted(r["selected"]) and doc["scoring"] == "r2" else (kept, doc["scoring"]))'
check backward_ridge_matches_sklearn "$(sel bwd)" backward_ridge_diabetes '
print("ok" if kept == r["selected"] else (kept, r["selected"]))'
check from_model_ridge_matches_sklearn "$(sel sfm)" from_model_ridge_diabetes '
t = doc["importance_threshold"]
print("ok" if kept == r["selected"] and abs(t - r["threshold"]) < 1e-9 * r["threshold"]
      else (kept, r["selected"], t, r["threshold"]))'
check threshold_zero_keeps_all "$(sel thr0)" from_model_ridge_diabetes '
print("ok" if len(kept) == 10 else kept)'
check rfecv_regression_matches_sklearn "$(sel rfecv)" rfecv_ridge_diabetes '
got = [p["mean"] for p in reversed(doc["cv_curve"])]
ok = kept == r["selected"] and max(abs(a - b) for a, b in zip(got, r["mean_test_score"])) < 1e-9
print("ok" if ok and len(got) == len(r["mean_test_score"]) else (kept, got))'

# The selection is the filter selectors' artifact: apply_selection takes
# the dropped features out, and the view says how they were chosen.
cat > apply.lua <<LUA
local mp = require "mlpipe"
local p = mp.pipeline { name = "apply", root = "runs/apply" }
local ex = p:add("csv_import", { path = "$data/diabetes.csv", splits = { train = 1 },
                                 label = "target" })
local s = p:add("select_by_model", { examples = ex.examples, trainer = "ridge",
                                     method = "forward", k = 4 })
local a = p:add("apply_selection", { examples = ex.examples, selection = s.selection })
p:add("ridge", { examples = a.examples })
local r = p:run {}
print("model", r.nodes.ridge.outputs.model.uri)
print("sel", r.nodes.select_by_model.outputs.selection.id)
LUA
expect apply_runs 0 "$M" run apply.lua
model=$(awk '$1 == "model" { print $2 }' <<<"$OUT")
sid=$(awk '$1 == "sel" { print $2 }' <<<"$OUT")
got=$(python3 -c 'import json,sys; print(sorted(json.load(open(sys.argv[1]))["features"]))' "$model/model.json")
[ "$got" = "['bmi', 'bp', 's3', 's5']" ] && pass selection_applies || fail selection_applies "$got"
got=$(sql runs/apply/metadata.sqlite "SELECT json_extract(properties, '\$.candidates') || ' ' ||
    json_extract(properties, '\$.split') || ' ' || json_extract(properties, '\$.label') || ' ' ||
    json_extract(properties, '\$.score') FROM artifact WHERE id = $sid")
[ "$got" = "10 train target cv_score" ] && pass selection_properties || fail selection_properties "$got"
expect selection_shows 0 "$M" show "$sid" --root runs/apply
has selection_view_names_method "$OUT" "4 of 10 features kept" "forward selection around ridge (k = 4)" \
    "5-fold cv r2" "dropped_model" "added in round 1"
expect rerun_cached 0 "$M" run apply.lua
has selection_cached "$OUT" "cached   select_by_model"

# The view lists the kept features, then the dropped by rank: the last
# eliminated first.
expect rfe_shows 0 "$M" show "$(sql runs/bc/metadata.sqlite "SELECT id FROM artifact WHERE uri LIKE '%/rfe/%'")" --root runs/bc
got=$(awk '$4 ~ /^dropped_model/ { print $1 }' <<<"$OUT" | head -3 | tr '\n' ' ')
[ "$got" = "2 3 4 " ] && pass view_orders_dropped_by_rank || fail view_orders_dropped_by_rank "$got"
has view_reasons_once "$OUT" "importance" && lacks view_no_double_kept "$OUT" "kept: kept"

# Refusals, at the script's line when the pipeline is defined...
refuse() {
    cat > bad.lua <<LUA
local mp = require "mlpipe"
local p = mp.pipeline { name = "bad", root = "runs/bad" }
local ex = p:add("csv_import", { path = "$data/diabetes.csv", splits = { train = 1 },
                                 label = "target" })
p:add("select_by_model", { examples = ex.examples, $2 })
p:run {}
LUA
    expect "$1" "$3" "$M" run bad.lua
    local name=$4
    shift 4
    has "$name" "$OUT" "$@"
}
refuse unknown_trainer 'trainer = "ridgee"' 2 unknown_trainer_named \
    "bad.lua:5" "'ridgee' is no installed component" "trainers: " "logistic_regression"
refuse not_a_trainer 'trainer = "evaluate"' 2 not_a_trainer_named \
    "'evaluate' is not a trainer component"
refuse trainer_param_typo 'trainer = "ridge", trainer_params = { alpah = 1 }' 2 \
    trainer_param_typo_named "bad.lua:5" "trainer_params" "alpah"
refuse trainer_param_bad_value 'trainer = "ridge", trainer_params = { alpha = -1 }' 2 \
    trainer_param_value_named "trainer_params" "alpha"
refuse trainer_label_refused 'trainer = "ridge", trainer_params = { label = "bmi" }' 2 \
    trainer_label_named "'label' is not the trainer's to choose here"
refuse trainer_required 'method = "rfe"' 2 trainer_required_named "trainer"
refuse trainer_params_list 'trainer = "ridge", trainer_params = { 1, 2 }' 2 \
    trainer_params_list_named "trainer_params' must be a table with named keys (key = value), got a list"
# ... and, where it depends on the data, when the node runs.
refuse k_too_large 'trainer = "ridge", k = 11' 3 k_too_large_named \
    "k: 11 features to keep, but there are 10 candidates"
refuse step_fraction 'trainer = "ridge", step = 2.5' 3 step_named "step: 2.5"
refuse setting_of_other_method 'trainer = "ridge", method = "forward", step = 2' 3 \
    other_method_named "step: not a setting of method forward"
refuse tol_with_k 'trainer = "ridge", method = "forward", k = 3, tol = 0.01' 3 tol_with_k_named \
    "tol: stops a search without k"
refuse accuracy_on_regression 'trainer = "ridge", scoring = "accuracy"' 3 scoring_named \
    "scoring: accuracy scores a classification"
refuse no_importance 'trainer = "mlp_regressor", k = 3' 3 no_importance_named \
    "trainer mlp_regressor gives no feature importances"
refuse hundred_folds_ok 'trainer = "ridge", method = "forward", k = 2, cv = 100' 0 \
    hundred_folds_run "ran      select_by_model"
refuse forward_one_candidate 'trainer = "ridge", method = "forward", features = { "bmi" }' 3 \
    forward_one_named "forward selection chooses among at least 2 candidates; there is 1"
refuse nothing_kept 'trainer = "ridge", method = "from_model", threshold = 1e9' 3 \
    nothing_kept_named "no feature was kept: every importance is below the threshold 1e+09"
printf 'a,b,y\n1,2,3\n2,1,5\n3,3,4\n4,0,9\n' > tiny.csv
cat > tiny.lua <<LUA
local mp = require "mlpipe"
local p = mp.pipeline { name = "tiny", root = "runs/tiny" }
local ex = p:add("csv_import", { path = "tiny.csv", label = "y", splits = { train = 1 } })
p:add("select_by_model", { examples = ex.examples, trainer = "ridge", method = "forward",
                           cv = 4 })
p:run {}
LUA
expect undefined_cv_refused 3 "$M" run tiny.lua
has undefined_cv_named "$OUT" "cv: the r2 of fold 1 (1 test rows) is undefined"
cat > iris.lua <<LUA
local mp = require "mlpipe"
local p = mp.pipeline { name = "iris", root = "runs/iris" }
local ex = p:add("csv_import", { path = "$data/iris_imbalanced.csv", splits = { train = 1 },
                                 label = "target", types = { target = "categorical" } })
p:add("select_by_model", { examples = ex.examples, trainer = "logistic_regression",
                           method = "forward", k = 2, cv = 90 })
p:run {}
LUA
expect folds_beyond_class_rows 3 "$M" run iris.lua
has folds_beyond_class_named "cv: 90 folds, but the largest class has"
