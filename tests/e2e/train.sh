# Trainers: ridge and logistic regression against scikit-learn (fixtures
# from tests/data/make_train_fixtures.py), the Model artifact (weights
# file, curve, view), determinism, and every refusal naming what is wrong.
. "$(dirname "$0")/../lib.sh"
data=$MLPIPE_TOP/tests/data

# pipe NAME CSV INGEST-OPTS NODES: ingests CSV as one split `train` and
# adds NODES (Lua, with `ex` the Examples); prints each model's uri.
pipe() {
    cat > "$1.lua" <<LUA
local mp = require "mlpipe"
local p = mp.pipeline { name = "$1", root = "runs/$1" }
local ex = p:add("csv_import", { path = "$2", splits = { train = 1 }, $3 })
$4
local r = p:run {}
for name, n in pairs(r.nodes) do
  if n.outputs.model then print("model", name, n.outputs.model.uri, n.outputs.model.id) end
end
LUA
}
model() { awk -v n="$1" '$1 == "model" && $2 == n { print $3 }' <<<"$OUT"; }
model_id() { awk -v n="$1" '$1 == "model" && $2 == n { print $4 }' <<<"$OUT"; }

# check NAME MODEL-DIR FIXTURE PYTHON: runs PYTHON with `w` the model's
# tensors (name -> list of rows), `doc` its model.json and `r` the
# fixture; it prints "ok" or why not.
check() {
    local got
    got=$(python3 - "$2" "$data/fixtures/train.json" "$3" 2>&1 <<PY
import json, struct, sys
doc = json.load(open(sys.argv[1] + "/model.json"))
raw = open(sys.argv[1] + "/weights.bin", "rb").read()
w = {}
for t in doc["weights"]["tensors"]:
    vals = struct.unpack_from("<%dd" % (t["rows"] * t["cols"]), raw, t["offset"])
    w[t["name"]] = [list(vals[i * t["cols"]:(i + 1) * t["cols"]]) for i in range(t["rows"])]
r = json.load(open(sys.argv[2]))[sys.argv[3]]
def worst(a, b):
    return max(abs(x - y) for x, y in zip(a, b))
$4
PY
)
    [ "$got" = ok ] && pass "$1" || fail "$1" "$got"
}

# Ridge in closed form: coefficients and intercept to 1e-8 (relative to
# their size: the diabetes coefficients run to hundreds).
pipe ridge "$data/diabetes.csv" 'label = "target"' '
p:add("ridge", { examples = ex.examples, alpha = 1.0 })
p:add("ridge", { name = "lsq", examples = ex.examples, alpha = 0.0 })
p:add("ridge", { name = "noint", examples = ex.examples, alpha = 0.5, fit_intercept = false })'
expect ridge_runs 0 "$M" run ridge.lua
ridge_out=$OUT
ridge_check='
if doc["features"] != r["features"]: print("features", doc["features"])
elif worst(w["coef"][0], r["coef"]) > 1e-8 * max(map(abs, r["coef"])):
    print("coef differ by", worst(w["coef"][0], r["coef"]))
elif abs(w["intercept"][0][0] - r["intercept"]) > 1e-8 * max(abs(r["intercept"]), 1):
    print("intercept", w["intercept"][0][0], r["intercept"])
else: print("ok")'
check ridge_matches_sklearn "$(model ridge)" ridge_diabetes "$ridge_check"
check ridge_least_squares "$(model lsq)" ridge_diabetes_lsq "$ridge_check"
pipe shifted "$data/diabetes_shifted.csv" 'label = "target"' '
p:add("ridge", { examples = ex.examples, alpha = 1.0 })'
expect shifted_runs 0 "$M" run shifted.lua
check ridge_far_from_zero_matches_sklearn "$(model ridge)" ridge_diabetes_shifted "$ridge_check"
OUT=$ridge_out
# Its one curve point, computed from the normal equations, is the train
# MSE plus alpha |b|^2 / n.
check ridge_curve_is_objective "$(model ridge)" ridge_diabetes '
n = doc["metrics"]["train"]["rows"]
want = doc["metrics"]["train"]["mse"] + 1.0 * sum(v * v for v in w["coef"][0]) / n
got = doc["curve"][0]["loss"]
print("ok" if abs(got - want) <= 1e-9 * want else (got, want))'
check ridge_lsq_curve_is_mse "$(model lsq)" ridge_diabetes_lsq '
got, want = doc["curve"][0]["loss"], doc["metrics"]["train"]["mse"]
print("ok" if abs(got - want) <= 1e-9 * want else (got, want))'
check ridge_no_intercept "$(model noint)" ridge_diabetes_noint "$ridge_check"

# Logistic regression, fitted to convergence: coefficients within 1e-4 of
# scikit-learn's optimum (l2 = 1 / C).
lr_check='
k = len(r["coef"])
if len(w["coef"]) != k: print("score columns", len(w["coef"]), "expected", k)
else:
    d = max(worst(w["coef"][c], r["coef"][c]) for c in range(k))
    i = worst(w["intercept"][0], r["intercept"])
    print("ok" if d <= 1e-4 and i <= 1e-4 else "coef differ by %g, intercept by %g" % (d, i))'
pipe iris "$data/iris.csv" 'label = "target"' '
p:add("logistic_regression", { examples = ex.examples, tol = 1e-10, max_iter = 10000 })
p:add("logistic_regression", { name = "c10", examples = ex.examples, l2 = 0.1, tol = 1e-10,
                               max_iter = 10000 })'
expect iris_runs 0 "$M" run iris.lua
check logistic_multinomial_matches_sklearn "$(model logistic_regression)" logistic_iris "$lr_check"
check logistic_multinomial_l2_0_1 "$(model c10)" logistic_iris_c10 "$lr_check"
check logistic_records_classes "$(model logistic_regression)" logistic_iris '
print("ok" if doc["classes"] == r["classes"] and doc["task"] == "classification"
      and doc["model"]["link"] == "softmax" else (doc["classes"], doc["model"]["link"]))'

pipe imb "$data/iris_imbalanced.csv" 'label = "target"' '
p:add("logistic_regression", { examples = ex.examples, class_weight = "balanced",
                               tol = 1e-10, max_iter = 10000 })
p:add("logistic_regression", { name = "given", examples = ex.examples,
                               class_weights = { ["1"] = 3.0, ["2"] = 0.5 },
                               tol = 1e-10, max_iter = 10000 })'
expect imbalanced_runs 0 "$M" run imb.lua
check logistic_balanced_class_weight "$(model logistic_regression)" logistic_iris_balanced "$lr_check"
check logistic_given_class_weights "$(model given)" logistic_iris_weights "$lr_check"
# Class weights change the fit only: the train metrics are the rows'
# plain log loss and accuracy (computed here from scikit-learn's
# probabilities for the same model), not the weighted objective.
check balanced_train_metrics_unweighted "$(model logistic_regression)" logistic_iris_balanced "
import csv, math
y = [int(row['target']) for row in csv.DictReader(open('$data/iris_imbalanced.csv'))]
P = r['proba']
acc = sum(max(range(len(p)), key=p.__getitem__) == c for p, c in zip(P, y)) / len(y)
ll = -sum(math.log(p[c]) for p, c in zip(P, y)) / len(y)
m = doc['metrics']['train']
print('ok' if m['rows'] == len(y) and m['accuracy'] == acc and abs(m['log_loss'] - ll) <= 1e-4
      else (m, acc, ll))"

# Binary: one score column (sigmoid), on features the transform
# standardised, as StandardScaler does.
pipe bc "$data/breast_cancer.csv" 'label = "target", types = { target = "categorical" }' '
local tf = p:add("transform", { examples = ex.examples,
                                features = { [":numeric"] = { "zscore" } } })
p:add("logistic_regression", { examples = tf.examples, transform_graph = tf.transform_graph,
                               tol = 1e-10, max_iter = 10000 })
p:add("logistic_regression", { name = "c01", examples = tf.examples, l2 = 10.0,
                               tol = 1e-10, max_iter = 10000 })
p:add("logistic_regression", { name = "short", examples = tf.examples, max_iter = 3 })'
expect binary_runs 0 "$M" run bc.lua
bc_out=$OUT
first=$(model logistic_regression) first_id=$(model_id logistic_regression)
check logistic_binary_matches_sklearn "$(model logistic_regression)" logistic_bc_zscore "$lr_check"
check logistic_binary_l2_10 "$(model c01)" logistic_bc_zscore_c01 "$lr_check"
check binary_model_keeps_graph "$(model logistic_regression)" logistic_bc_zscore '
import os
g = sys.argv[1] + "/transform_graph.json"
print("ok" if doc["model"]["link"] == "logistic" and doc.get("transform_graph") ==
      "transform_graph.json" and os.path.exists(g) else (doc["model"]["link"], doc.get("transform_graph")))'
# L1 and elastic net (OWL-QN) against scikit-learn's saga: the same
# coefficients within 1e-4, and exactly zero where saga's are.
l1_check='
k = len(r["coef"])
zero_ok = all((r["coef"][c][j] == 0) == (w["coef"][c][j] == 0)
              for c in range(k) for j in range(len(r["coef"][c])))
d = max(worst(w["coef"][c], r["coef"][c]) for c in range(k))
i = worst(w["intercept"][0], r["intercept"])
nz = sum(v != 0 for row in w["coef"] for v in row)
# Quasi-Newton, not steepest descent: about 100 iterations, not thousands.
it = doc["model"]["iterations"]
print("ok" if d <= 1e-4 and i <= 1e-4 and zero_ok and 0 < nz < sum(map(len, w["coef"]))
      and it < 1000
      else "coef differ by %g, intercept by %g, zeros same: %s, %d non-zero, %d iterations"
      % (d, i, zero_ok, nz, it))'
pipe l1 "$data/breast_cancer.csv" 'label = "target", types = { target = "categorical" }' '
local tf = p:add("transform", { examples = ex.examples,
                                features = { [":numeric"] = { "zscore" } } })
p:add("logistic_regression", { name = "l1", examples = tf.examples, l2 = 0, l1 = 10,
                               tol = 1e-10, max_iter = 10000 })
p:add("logistic_regression", { name = "enet", examples = tf.examples, l2 = 1, l1 = 1,
                               tol = 1e-10, max_iter = 10000 })'
expect l1_runs 0 "$M" run l1.lua
check logistic_l1_matches_saga "$(model l1)" logistic_bc_l1 "$l1_check"
check logistic_elastic_net_matches_saga "$(model enet)" logistic_bc_enet "$l1_check"
l1_bc=$OUT
pipe l1iris "$data/iris.csv" 'label = "target", types = { target = "categorical" }' '
local tf = p:add("transform", { examples = ex.examples,
                                features = { [":numeric"] = { "zscore" } } })
p:add("logistic_regression", { name = "l1", examples = tf.examples, l2 = 0, l1 = 2,
                               tol = 1e-10, max_iter = 10000 })'
expect l1_multinomial_runs 0 "$M" run l1iris.lua
check logistic_l1_multinomial_matches_saga "$(model l1)" logistic_iris_l1 "$l1_check"
OUT=$bc_out

check curve_has_every_iteration "$(model logistic_regression)" logistic_bc_zscore '
c = doc["curve"]
if len(c) != doc["model"]["iterations"]: print(len(c), "points for", doc["model"]["iterations"])
elif any(b["loss"] > a["loss"] * (1 + 1e-6) for a, b in zip(c, c[1:])): print("loss rose")
elif doc["model"].get("float64_from_iteration", 0) < 2: print("no float64 phase", doc["model"])
elif "converged" not in doc["model"]["stopped"]: print(doc["model"]["stopped"])
else: print("ok")'
check max_iter_is_recorded "$(model short)" logistic_bc_zscore '
m = doc["model"]
print("ok" if m["iterations"] == 3 and m["stopped"].startswith("max_iter") and
      len(doc["curve"]) == 3 else m)'
check train_metrics_recorded "$(model logistic_regression)" logistic_bc_zscore '
t = doc["metrics"]["train"]
print("ok" if t["rows"] == 569 and 0.98 < t["accuracy"] <= 1 and 0 < t["log_loss"] < 0.1 else t)'

# The view: what the model is, how it did, its largest coefficients.
expect model_view 0 "$M" show "$first_id" --root runs/bc &&
has model_view "$OUT" "logistic_regression (linear, plugin train" \
    "classification of 'target' into 2 classes" "largest coefficients:" \
    "predicts from" "train split"

# Determinism: the same pipeline again, not from the cache, gives the
# same weights bit for bit.
cp "$first/weights.bin" first.bin
expect rerun 0 "$M" run bc.lua --no-cache
if cmp -s first.bin "$(model logistic_regression)/weights.bin"; then
    pass weights_bit_identical
else
    fail weights_bit_identical "weights.bin differs between two runs"
fi

# An eval split: the curve carries eval scores.
cat > ev.lua <<LUA
local mp = require "mlpipe"
local p = mp.pipeline { name = "ev", root = "runs/ev" }
local ex = p:add("csv_import", { path = "$data/iris.csv", label = "target",
                                 splits = { train = 7, eval = 3 } })
local m = p:add("logistic_regression", { examples = ex.examples })
print("model", "m", p:run {}.nodes.logistic_regression.outputs.model.uri)
LUA
# An eval split with no rows: trained all the same, without eval scores,
# and the log says why.
cat > noeval.lua <<LUA
local mp = require "mlpipe"
local p = mp.pipeline { name = "noeval", root = "runs/noeval" }
local ex = p:add("csv_import", { path = "$data/iris.csv", label = "target",
                                 types = { target = "categorical" },
                                 splits = { train = 1, eval = 1e-9 } })
local m = p:add("logistic_regression", { examples = ex.examples })
local r = p:run {}
print("model", "m", r.nodes.logistic_regression.outputs.model.uri)
LUA
expect empty_eval_trains 0 "$M" run noeval.lua
noeval_out=$OUT
check empty_eval_no_curve_scores "$(model m)" logistic_iris '
c = doc["curve"][-1]
print("ok" if c["eval_loss"] is None and doc["rows"] == {"train": 150} else (c, doc["rows"]))'
has empty_eval_logged "$(cat runs/noeval/logs/2-*.log)" "eval split 'eval' has no rows"

expect eval_curve_runs 0 "$M" run ev.lua &&
check eval_curve "$(model m)" logistic_iris '
c = doc["curve"][-1]
e = doc["metrics"]["eval"]
print("ok" if 0.8 < c["eval_metric"] <= 1 and c["eval_loss"] > 0 and
      abs(e["accuracy"] - c["eval_metric"]) < 1e-12 and e["rows"] + doc["metrics"]["train"]["rows"] == 150
      else (c, e))'

# Refusals, each naming what is wrong.
printf 'a,b,y\n1,2,0\n3,,1\n5,6,0\n7,8,1\n' > gap.csv
pipe gap "$PWD/gap.csv" 'label = "y"' 'p:add("logistic_regression", { examples = ex.examples })'
expect missing_value_refused 3 "$M" run gap.lua &&
has missing_value_refused "$OUT" "feature 'b': missing in row 2" "gap.csv:3" "impute"

printf 'a,c,y\n1,x,0\n3,y,1\n5,x,0\n' > cat.csv
pipe catf "$PWD/cat.csv" 'label = "y"' \
    'p:add("logistic_regression", { examples = ex.examples, features = { "a", "c" } })'
expect categorical_feature_refused 3 "$M" run catf.lua &&
has categorical_feature_refused "$OUT" "features: 'c' is a categorical column"

pipe nofeat "$PWD/cat.csv" 'label = "y"' \
    'p:add("logistic_regression", { examples = ex.examples, features = { "zz" } })'
expect unknown_feature_refused 3 "$M" run nofeat.lua &&
has unknown_feature_refused "$OUT" "features: there is no column 'zz'"

# Patterns that match nothing numeric ('c' is categorical) are named.
pipe nomatch "$PWD/cat.csv" 'label = "y"' \
    'p:add("ridge", { examples = ex.examples, features = { "zz*", "c*" } })'
expect unmatched_patterns_named 3 "$M" run nomatch.lua &&
has unmatched_patterns_named "$OUT" "features: no numeric column matches 'zz*', 'c*'"

printf 'a,y\n1,0\n2,\n3,1\n' > nolabel.csv
pipe nolabel "$PWD/nolabel.csv" 'label = "y"' 'p:add("logistic_regression", { examples = ex.examples })'
expect missing_label_refused 3 "$M" run nolabel.lua &&
has missing_label_refused "$OUT" "label 'y' is missing in row 2" "nolabel.csv:3"

printf 'a,y\n1,4\n2,4\n3,4\n' > oneclass.csv
pipe oneclass "$PWD/oneclass.csv" 'label = "y"' 'p:add("logistic_regression", { examples = ex.examples })'
expect one_class_refused 3 "$M" run oneclass.lua &&
has one_class_refused "$OUT" "label 'y' has 1 class; a classifier needs at least 2"

pipe wclass "$data/iris.csv" 'label = "target"' \
    'p:add("logistic_regression", { examples = ex.examples, class_weights = { ["7"] = 2 } })'
expect unknown_class_weight_refused 3 "$M" run wclass.lua &&
has unknown_class_weight_refused "$OUT" "class_weights: the train split has no class '7'"

pipe rtask "$data/iris.csv" 'label = "target"' \
    'p:add("ridge", { examples = ex.examples, task = "classification" })'
expect ridge_classification_refused 3 "$M" run rtask.lua &&
has ridge_classification_refused "$OUT" "task: this trainer does not do classification"

pipe noeval "$data/iris.csv" 'label = "target"' \
    'p:add("ridge", { examples = ex.examples, eval_split = "test" })'
expect missing_eval_split_refused 3 "$M" run noeval.lua &&
has missing_eval_split_refused "$OUT" "eval_split: the Examples at" "have no split 'test'"

printf 'a,y\n1,x\n2,y\n' > strlabel.csv
pipe strlabel "$PWD/strlabel.csv" 'label = "y"' 'p:add("ridge", { examples = ex.examples })'
expect categorical_target_for_regression_refused 3 "$M" run strlabel.lua &&
has categorical_target_for_regression_refused "$OUT" "label 'y' is categorical; regression needs numbers"


# missing_label = "skip": such rows are left out of training and counted;
# a missing feature in a left-out row does not matter.
printf 'a,b,y\n1,2,0\n2,,\n3,4,1\n5,6,0\n7,8,1\n' > skip.csv
pipe skip "$PWD/skip.csv" 'label = "y"' \
    'p:add("logistic_regression", { examples = ex.examples, missing_label = "skip" })'
expect skip_missing_label 0 "$M" run skip.lua &&
check unlabelled_rows_left_out "$(model logistic_regression)" logistic_iris '
print("ok" if doc["rows_without_label"] == {"train": 1} and doc["metrics"]["train"]["rows"] == 4
      else (doc.get("rows_without_label"), doc["metrics"]))'
printf 'a,y\n1,\n2,\n' > allmissing.csv
pipe allmissing "$PWD/allmissing.csv" 'label = "y", types = { y = "categorical" }' \
    'p:add("logistic_regression", { examples = ex.examples, missing_label = "skip" })'
expect all_labels_missing_refused 3 "$M" run allmissing.lua &&
has all_labels_missing_refused "$OUT" "label 'y' has 0 classes"

# Multilayer perceptrons: they learn, the same seed gives the same bits,
# early stopping keeps the best epoch, and a served model predicts.
cat > mlp.lua <<LUA
local mp = require "mlpipe"
local p = mp.pipeline { name = "mlp", root = "runs/mlp" }
local ex = p:add("csv_import", { path = "$data/breast_cancer.csv", label = "target",
                                 types = { target = "categorical" }, splits = { train = 8, eval = 2 } })
local tf = p:add("transform", { examples = ex.examples,
                                features = { [":numeric"] = { "zscore" } } })
p:add("mlp_classifier", { examples = tf.examples, transform_graph = tf.transform_graph,
                          hidden = { 16, 8 }, epochs = 60, seed = 7 })
p:add("mlp_classifier", { name = "early", examples = tf.examples, hidden = { 16 }, epochs = 500,
                          early_stopping = true, n_iter_no_change = 5, dropout = 0.2,
                          activation = "tanh", seed = 7 })
p:add("mlp_classifier", { name = "sgd", examples = tf.examples, hidden = { 8 }, epochs = 40,
                          solver = "sgd", learning_rate = 0.05, activation = "logistic" })
local dia = p:add("csv_import", { name = "dia", path = "$data/diabetes.csv", label = "target",
                                  splits = { train = 8, eval = 2 } })
p:add("mlp_regressor", { examples = dia.examples, hidden = { 32 }, epochs = 300,
                         learning_rate = 0.01, alpha = 0.001 })
local r = p:run {}
for name, n in pairs(r.nodes) do
  if n.outputs.model then print("model", name, n.outputs.model.uri) end
end
LUA
expect mlp_runs 0 "$M" run mlp.lua
mlp=$(model mlp_classifier)
check mlp_learns "$mlp" logistic_bc_zscore '
e = doc["metrics"]["eval"]
print("ok" if e["accuracy"] > 0.93 and doc["model"]["layers"] == [30, 16, 8, 2] and
      len(doc["curve"]) == 60 and doc["model"]["activation"] == "relu" else (e, doc["model"]))'
check mlp_early_stopping "$(model early)" logistic_bc_zscore '
c = doc["curve"]
best = min(p["eval_loss"] for p in c)
print("ok" if len(c) < 500 and abs(doc["metrics"]["eval"]["log_loss"] - best) < 1e-6
      and doc["metrics"]["eval"]["accuracy"] > 0.9 else (len(c), best, doc["metrics"]))'
check mlp_sgd_learns "$(model sgd)" logistic_bc_zscore '
print("ok" if doc["metrics"]["eval"]["accuracy"] > 0.9 else doc["metrics"])'
check mlp_regressor_learns "$(model mlp_regressor)" logistic_bc_zscore '
print("ok" if doc["metrics"]["eval"]["r2"] > 0.3 and doc["model"]["output"] == "identity"
      else doc["metrics"])'
cp "$mlp/weights.bin" mlp_first.bin
expect mlp_rerun 0 "$M" run mlp.lua --no-cache
cmp -s mlp_first.bin "$(model mlp_classifier)/weights.bin" && pass mlp_weights_bit_identical ||
    fail mlp_weights_bit_identical "weights.bin differs between two runs"
expect mlp_predicts 0 "$M" predict --model "$mlp" "$data/breast_cancer.csv"
[ "$(wc -l <<<"$OUT")" = 570 ] && [ "$(head -1 <<<"$OUT")" = "prediction,p_0,p_1" ] &&
    pass mlp_served || fail mlp_served "$(head -2 <<<"$OUT")"

pipe noearly "$data/iris.csv" 'label = "target"' \
    'p:add("mlp_classifier", { examples = ex.examples, early_stopping = true })'
expect early_stopping_needs_eval 3 "$M" run noearly.lua &&
has early_stopping_needs_eval "$OUT" "early_stopping watches the eval split, and there is none"

# Magnitudes the arithmetic cannot hold are refused by name, never turned
# into zero coefficients.
printf 'a,b,y\n1e300,1,0\n2,2,1\n3,3,0\n' > huge.csv
pipe hugeridge "$PWD/huge.csv" 'label = "y"' 'p:add("ridge", { examples = ex.examples })'
expect ridge_overflow_refused 3 "$M" run hugeridge.lua &&
has ridge_overflow_refused "$OUT" "feature 'a': its sum of squares overflows a double"
pipe hugelr "$PWD/huge.csv" 'label = "y"' 'p:add("logistic_regression", { examples = ex.examples })'
expect float32_overflow_refused 3 "$M" run hugelr.lua &&
has float32_overflow_refused "$OUT" "feature 'a' is 1e+300 in row 1, beyond the float32 range" \
    "huge.csv:2"
printf 'a,y\n1,0\n2,1e300\n3,0\n' > hugey.csv
pipe hugey "$PWD/hugey.csv" 'label = "y"' 'p:add("mlp_regressor", { examples = ex.examples })'
expect float32_target_refused 3 "$M" run hugey.lua &&
has float32_target_refused "$OUT" "label 'y' is 1e+300 in row 2, beyond the float32 range" \
    "hugey.csv:3"
# Features of 1e20 and a large step overflow float32 within two epochs:
# the node fails saying so, and no model with NaN weights is written.
/usr/bin/python3 -c '
import random
random.seed(1)
print("a,b,y")
for i in range(200):
    a, b = random.random(), random.random()
    print("%r,%r,%r" % (a * 1e20, b * 1e20, a + b))' > diverge.csv
pipe diverge "$PWD/diverge.csv" 'label = "y"' \
    'p:add("mlp_regressor", { examples = ex.examples, solver = "sgd", learning_rate = 0.5 })'
expect divergence_reported 3 "$M" run diverge.lua &&
has divergence_reported "$OUT" "training diverged in epoch " "the loss is inf (scale the"

# A graph wired beside raw rows: the model would learn raw numbers and be
# served transformed ones.  Refused.
pipe rawgraph "$data/iris.csv" 'label = "target"' '
local tf = p:add("transform", { examples = ex.examples, features = { [":numeric"] = { "zscore" } } })
p:add("logistic_regression", { examples = ex.examples, transform_graph = tf.transform_graph })'
expect raw_rows_with_graph_refused 3 "$M" run rawgraph.lua &&
has raw_rows_with_graph_refused "$OUT" "transform_graph: the examples were not made by this graph (they are raw rows)"
