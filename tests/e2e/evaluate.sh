# evaluate: metrics on saved predictions against scikit-learn to 1e-12,
# slices, fairness rates and gaps against a by-hand pandas computation
# (fixtures from tests/data/make_eval_fixtures.py), thresholds and the
# Blessing that gates, a model's own predictions bit for bit equal to
# `mlpipe predict`'s, the views, and refusals.
. "$(dirname "$0")/../lib.sh"
data=$MLPIPE_TOP/tests/data
TABLE_CSV=$MLPIPE_BUILD/tests/tools/table_csv

# pipe NAME CSV NODES: ingests CSV as one split `train` and adds NODES.
pipe() {
    cat > "$1.lua" <<LUA
local mp = require "mlpipe"
local p = mp.pipeline { name = "$1", root = "runs/$1" }
local ex = p:add("csv_import", { path = "$2", splits = { train = 1 } })
$3
local r = p:run {}
for name, n in pairs(r.nodes) do
  if n.outputs.evaluation then
    print("eval", name, n.outputs.evaluation.uri, n.outputs.blessing.uri,
          n.outputs.evaluation.id, n.outputs.blessing.id)
  end
end
LUA
}
col() { awk -v n="$1" -v c="$2" '$1 == "eval" && $2 == n { print $c }' <<<"$OUT"; }

# check NAME EVALUATION-DIR PYTHON: runs PYTHON with `e` evaluation.json
# and `r` the fixtures; it prints "ok" or why not.
check() {
    local got
    got=$(python3 - "$2" "$data/fixtures/eval.json" 2>&1 <<PY
import json, math, sys
e = json.load(open(sys.argv[1] + "/evaluation.json"))
r = json.load(open(sys.argv[2]))
def close(a, b, tol=1e-12):
    return a is not None and b is not None and abs(a - b) <= tol * max(1.0, abs(b))
def differ(got, want, keys):
    return [(k, got.get(k), want[k]) for k in keys if not close(got.get(k), want[k])]
$3
PY
)
    [ "$got" = ok ] && pass "$1" || fail "$1" "$got"
}

pipe bin "$data/eval_binary.csv" '
p:add("evaluate", { examples = ex.examples, split = "train", label = "label",
                    probabilities = { "p_0", "p_1" },
                    slices = { "group", "region", { "group", "region" },
                               { feature = "age", boundaries = { 30, 50 } },
                               { feature = "age", boundaries = { 200 } } },
                    fairness = { "group" }, thresholds = { roc_auc = 0.8 } })
p:add("evaluate", { name = "vs_a", examples = ex.examples, split = "train", label = "label",
                    probabilities = { "p_0", "p_1" }, fairness = { "group" },
                    fairness_reference = { group = "A" } })'
expect binary_evaluates 0 "$M" run bin.lua
ev=$(col evaluate 3) ev_id=$(col evaluate 5) bl_id=$(col evaluate 6) bl_dir=$(col evaluate 4)
check binary_metrics_match_sklearn "$ev" '
b = r["binary"]
bad = differ(e["overall"], b, ["accuracy", "precision", "recall", "f1", "roc_auc", "pr_auc",
                               "log_loss", "brier"])
print(bad if bad else "ok")'
check calibration_matches_sklearn "$ev" '
c, w = e["overall"]["calibration"], r["binary"]["calibration"]
ok = len(c["prob_true"]) == len(w["prob_true"]) and all(
    close(a, b) for a, b in zip(c["prob_true"] + c["prob_pred"], w["prob_true"] + w["prob_pred"]))
print("ok" if ok else (c, w))'
check confusion_matrix_matches "$ev" '
print("ok" if e["overall"]["confusion_matrix"] == r["binary"]["confusion_matrix"]
      else e["overall"]["confusion_matrix"])'
check slices_match_sklearn "$ev" '
got = {s["feature"] + "=" + s["value"]: s for s in e["slices"]}
bad = []
for k, w in r["binary_slices"].items():
    s = got.get(k)
    if s is None: bad.append((k, "missing")); continue
    if s["rows"] != w["rows"]: bad.append((k, s["rows"], w["rows"]))
    bad += [(k,) + d for d in differ(s["metrics"], w, [m for m in w if m != "rows"])]
print(bad if bad else "ok")'
check empty_bucket_flagged "$ev" '
s = [s for s in e["slices"] if s["feature"] == "age" and s["value"] == ">= 200"]
print("ok" if s and s[0]["rows"] == 0 and s[0]["metrics"] is None and s[0].get("small")
      else s)'
check fairness_rates_match_pandas "$ev" '
f = e["fairness"][0]
g = {x["value"]: x for x in f["groups"]}
bad = [(v,) + d for v, w in r["fairness_groups"].items()
       for d in differ(g[v], w, ["selection_rate", "tpr", "fpr", "fnr", "precision"])]
bad += [(v, g[v]["rows"]) for v, w in r["fairness_groups"].items() if g[v]["rows"] != w["rows"]]
print(bad if bad else "ok")'
check fairness_gaps_match_pandas "$ev" '
d = differ(e["fairness"][0], r["fairness_between"], list(r["fairness_between"]))
print(d if d else "ok")'
check fairness_against_reference "$(col vs_a 3)" '
f = e["fairness"][0]
d = differ(f, r["fairness_vs_A"], list(r["fairness_vs_A"]))
print(d if d or f["reference"] != "A" else "ok")'
got=$(python3 -c '
import json, sys
b = json.load(open(sys.argv[1] + "/blessing.json"))
c = b["checks"]
print("ok" if b["blessed"] and len(c) == 1 and c[0]["status"] == "passed" and
      c[0]["metric"] == "roc_auc" and abs(c[0]["value"] - 0.8495566046524207) < 1e-12 else b)' \
    "$bl_dir")
[ "$got" = ok ] && pass blessing_records_check || fail blessing_records_check "$got"

# Views: the text a person reads.
expect evaluation_view 0 "$M" show "$ev_id" --root runs/bin &&
has evaluation_view "$OUT" "Evaluation on split 'train', 2000 rows, positive class 1" \
    "roc_auc      0.8496" "slices, worst accuracy first:" "fairness across group" \
    "demographic_parity_difference    0.3118" "age = >= 200  rows 0  (empty)"
expect blessing_view 0 "$M" show "$bl_id" --root runs/bin &&
has blessing_view "$OUT" "BLESSED" "passed  roc_auc = 0.849557 >= 0.8 [overall]"

# Three classes and a regression.
pipe multi "$data/eval_multi.csv" '
p:add("evaluate", { examples = ex.examples, split = "train", label = "label",
                    probabilities = { "p_0", "p_1", "p_2" } })'
expect multi_evaluates 0 "$M" run multi.lua &&
check multiclass_matches_sklearn "$(col evaluate 3)" '
w = r["multi"]
bad = differ(e["overall"], w, ["accuracy", "precision", "recall", "f1", "log_loss", "roc_auc",
                               "pr_auc"])
if e["overall"]["confusion_matrix"] != w["confusion_matrix"]: bad.append("confusion")
print(bad if bad else "ok")'
pipe reg "$data/eval_regression.csv" '
p:add("evaluate", { examples = ex.examples, split = "train", label = "target",
                    prediction = "yhat" })'
expect regression_evaluates 0 "$M" run reg.lua &&
check regression_matches_sklearn "$(col evaluate 3)" '
w = r["regression"]
o = e["overall"]
bad = differ(o, w, ["mse", "rmse", "mae", "r2"])
bad += [k for k in ("median", "p05") if not close(o["residuals"][k], w["residual_" + k])]
print(bad if bad else "ok")'

# Errors of 1e300 read as numbers, not as 300 digits.
printf 'target,yhat\n1e300,0\n-1e300,0\n5,4\n' > huge.csv
pipe huge "$TMP/huge.csv" '
p:add("evaluate", { examples = ex.examples, split = "train", label = "target",
                    prediction = "yhat" })'
expect huge_evaluates 0 "$M" run huge.lua &&
expect huge_shows 0 "$M" show "$(col evaluate 5)" --root runs/huge &&
has huge_numbers_readable "$OUT" "mae" "6.66667e+299" &&
lacks huge_numbers_short "$OUT" '[0-9]{40}'

# A threshold the model misses gates the pipeline and says why.
pipe gate "$data/eval_binary.csv" '
local e = p:add("evaluate", { examples = ex.examples, split = "train", label = "label",
                              probabilities = { "p_0", "p_1" }, slices = { "group" },
                              thresholds = { roc_auc = 0.9, log_loss = 1.0 },
                              slice_thresholds = { accuracy = 0.75 } })'
expect unblessed_gates 4 "$M" run gate.lua &&
has unblessed_gates "$OUT" "the model is not blessed" "roc_auc = 0.849557 < 0.9 (overall)"
bl=$(ls -d runs/gate/artifacts/evaluate/*/blessing | head -1)
got=$(python3 -c '
import json, sys
b = json.load(open(sys.argv[1] + "/blessing.json"))
st = {(c["metric"], c["scope"]): c["status"] for c in b["checks"]}
want = {("roc_auc", "overall"): "failed", ("log_loss", "overall"): "passed"}
print("ok" if not b["blessed"] and all(st.get(k) == v for k, v in want.items())
      and sum(1 for c in b["checks"] if c["metric"] == "accuracy") == 3 else st)' "$bl")
[ "$got" = ok ] && pass blessing_lists_every_check || fail blessing_lists_every_check "$got"

# A metric that does not exist: refused when the pipeline is defined.
pipe badmetric "$data/eval_binary.csv" '
p:add("evaluate", { examples = ex.examples, split = "train", label = "label",
                    probabilities = { "p_0", "p_1" }, thresholds = { aucc = 0.8 } })'
expect unknown_metric_refused 2 "$M" run badmetric.lua &&
has unknown_metric_refused "$OUT" "badmetric.lua:5" \
    "parameter 'thresholds' of evaluate: 'aucc' is not a known key" \
    "roc_auc"

# A metric the task has not: refused when the node runs, never passed.
pipe r2cls "$data/eval_binary.csv" '
p:add("evaluate", { examples = ex.examples, split = "train", label = "label",
                    probabilities = { "p_0", "p_1" }, thresholds = { r2 = 0.5 } })'
expect wrong_task_metric_refused 3 "$M" run r2cls.lua &&
has wrong_task_metric_refused "$OUT" "thresholds: 'r2' is not computed for a classifier"

pipe gapnofair "$data/eval_binary.csv" '
p:add("evaluate", { examples = ex.examples, split = "train", label = "label",
                    probabilities = { "p_0", "p_1" },
                    thresholds = { demographic_parity_difference = 0.1 } })'
expect gap_without_fairness_refused 3 "$M" run gapnofair.lua &&
has gap_without_fairness_refused "$OUT" "'demographic_parity_difference' is a fairness gap"

pipe badslice "$data/eval_binary.csv" '
p:add("evaluate", { examples = ex.examples, split = "train", label = "label",
                    probabilities = { "p_0", "p_1" }, slices = { "nope" } })'
expect unknown_slice_refused 3 "$M" run badslice.lua &&
has unknown_slice_refused "$OUT" "slices: item 1: split 'train' has no column 'nope'"

pipe manyvals "$data/eval_binary.csv" '
p:add("evaluate", { examples = ex.examples, split = "train", label = "label",
                    probabilities = { "p_0", "p_1" }, slices = { "age" },
                    max_slice_values = 20 })'
expect too_many_values_refused 3 "$M" run manyvals.lua &&
has too_many_values_refused "$OUT" "slices: 'age' has more than 20 values"

pipe badref "$data/eval_binary.csv" '
p:add("evaluate", { examples = ex.examples, split = "train", label = "label",
                    probabilities = { "p_0", "p_1" }, fairness = { "group" },
                    fairness_reference = { group = "Z" } })'
expect missing_reference_refused 3 "$M" run badref.lua &&
has missing_reference_refused "$OUT" "fairness_reference: no row of split 'train' has group = 'Z'"

# A model's own predictions: through its transform graph, equal bit for
# bit to what `mlpipe predict` prints for the same rows.
cat > model.lua <<LUA
local mp = require "mlpipe"
local p = mp.pipeline { name = "model", root = "runs/model" }
local ex = p:add("csv_import", { path = "$data/breast_cancer.csv", label = "target",
                                 types = { target = "categorical" }, splits = { train = 1 } })
local tf = p:add("transform", { examples = ex.examples,
                                features = { [":numeric"] = { "zscore" } } })
local m = p:add("logistic_regression", { examples = tf.examples,
                                         transform_graph = tf.transform_graph })
local e = p:add("evaluate", { model = m.model, examples = ex.examples, split = "train",
                              positive_class = "1", thresholds = { accuracy = 0.9 } })
p:add("evaluate", { name = "on_features", model = m.model, examples = tf.examples,
                    split = "train", positive_class = "1" })
local r = p:run {}
print("model", r.nodes.logistic_regression.outputs.model.uri)
print("eval", r.nodes.evaluate.outputs.evaluation.uri)
print("feval", r.nodes.on_features.outputs.evaluation.uri)
LUA
expect model_evaluates 0 "$M" run model.lua
model=$(awk '$1 == "model" { print $2 }' <<<"$OUT")
evdir=$(awk '$1 == "eval" { print $2 }' <<<"$OUT")
"$TABLE_CSV" "$evdir/predictions.mlpt" | cut -d, -f2- > ev.csv
"$M" predict --model "$model" "$data/breast_cancer.csv" | cut -d, -f2- > pr.csv
if [ -s ev.csv ] && cmp -s ev.csv pr.csv; then
    pass evaluator_equals_predict_bitwise
else
    fail evaluator_equals_predict_bitwise "$(diff ev.csv pr.csv | head -5)"
fi
# The transform's output holds the model's features: the graph is not
# applied twice, and the scores are the raw rows' to the bit.
"$TABLE_CSV" "$(awk '$1 == "feval" { print $2 }' <<<"$OUT")/predictions.mlpt" | cut -d, -f2- > fev.csv
cmp -s ev.csv fev.csv && pass evaluates_transformed_rows ||
    fail evaluates_transformed_rows "$(diff ev.csv fev.csv | head -3)"

pipe nosplit "$data/eval_binary.csv" '
p:add("evaluate", { examples = ex.examples, label = "label", probabilities = { "p_0", "p_1" } })'
expect missing_split_refused 3 "$M" run nosplit.lua &&
has missing_split_refused "$OUT" "split: the Examples at" "have no split 'eval'"

# Rows another graph made are refused, never run through this model's.
sed -e 's/name = "model", root = "runs\/model"/name = "other", root = "runs\/other"/' \
    -e 's/p:add("evaluate", { name = "on_features", model = m.model, examples = tf.examples,/local tf2 = p:add("transform", { name = "minmax", examples = ex.examples, features = { [":numeric"] = { "minmax" } } })\np:add("evaluate", { name = "on_features", model = m.model, examples = tf2.examples,/' \
    model.lua > other.lua
expect other_graph_refused 2 "$M" run other.lua &&
has other_graph_refused "$OUT" "examples: these rows were made by a transform graph" \
    "that is not the model's"

# Text classes come in the order the data gave them: which is positive
# must be said for two of them.
sed -e 's/name = "model", root = "runs\/model"/name = "nopos", root = "runs\/nopos"/' \
    -e 's/positive_class = "1", thresholds/thresholds/' model.lua > nopos.lua
expect text_positive_class_required 2 "$M" run nopos.lua &&
has text_positive_class_required "$OUT" "positive_class: the classes are text (0 ...), in the order the data gave them; name the positive one"

# A label read as text ("0", "1") names the same classes as the integers a
# model learnt: the scores are the integer rows' own.
cat > textlabel.lua <<LUA
local mp = require "mlpipe"
local p = mp.pipeline { name = "textlabel", root = "runs/textlabel" }
local ex = p:add("csv_import", { path = "$data/breast_cancer.csv", label = "target", splits = { train = 1 } })
local tx = p:add("csv_import", { name = "text", path = "$data/breast_cancer.csv", label = "target",
                                 types = { target = "categorical" }, splits = { train = 1 } })
local m = p:add("logistic_regression", { examples = ex.examples })
p:add("evaluate", { name = "ints", model = m.model, examples = ex.examples, split = "train" })
p:add("evaluate", { name = "texts", model = m.model, examples = tx.examples, split = "train" })
local r = p:run {}
print("acc", r.nodes.ints.outputs.evaluation.properties.overall.accuracy,
      r.nodes.texts.outputs.evaluation.properties.overall.accuracy,
      r.nodes.texts.outputs.evaluation.properties.overall.unknown_class_rows)
LUA
expect text_label_evaluates 0 "$M" run textlabel.lua
got=$(awk '$1 == "acc" { print ($2 == $3 && $2 > 0.9 && $4 == "nil") ? "ok" : $0 }' <<<"$OUT")
[ "$got" = ok ] && pass text_label_same_classes || fail text_label_same_classes "$got"

# Parameters that cannot apply are refused, not ignored.
pipe regpos "$data/eval_regression.csv" '
p:add("evaluate", { examples = ex.examples, split = "train", label = "target",
                    prediction = "yhat", positive_class = "1" })'
expect positive_class_on_regression_refused 3 "$M" run regpos.lua &&
has positive_class_on_regression_refused "$OUT" "positive_class: a regression has no classes"
pipe fairmiss "$data/eval_binary.csv" '
p:add("evaluate", { examples = ex.examples, split = "train", label = "label",
                    probabilities = { "p_0", "p_1" }, fairness = { "nope" } })'
expect fairness_unknown_column_refused 3 "$M" run fairmiss.lua &&
has fairness_unknown_column_refused "$OUT" "fairness: split 'train' has no column 'nope'"
sed -e 's/name = "textlabel", root = "runs\/textlabel"/name = "otherlabel", root = "runs\/otherlabel"/' \
    -e 's/p:add("evaluate", { name = "ints", model = m.model, examples = ex.examples, split = "train" })/p:add("evaluate", { name = "ints", model = m.model, examples = ex.examples, split = "train", label = "mean_radius" })/' \
    textlabel.lua > otherlabel.lua
expect other_label_with_model_refused 2 "$M" run otherlabel.lua &&
has other_label_with_model_refused "$OUT" "label: the model predicts 'target', not 'mean_radius'"

# A baseline that predicts something else is refused, naming it as the baseline.
sed -e 's/name = "textlabel", root = "runs\/textlabel"/name = "badbase", root = "runs\/badbase"/' \
    -e 's/^p:add("evaluate", { name = "ints", model = m.model, examples = ex.examples, split = "train" })/local b = p:add("ridge", { examples = ex.examples, label = "mean_radius" })\np:add("evaluate", { name = "ints", model = m.model, baseline = b.model, examples = ex.examples, split = "train" })/' \
    textlabel.lua > badbase.lua
expect other_baseline_refused 2 "$M" run badbase.lua &&
has other_baseline_refused "$OUT" "baseline (model artifact " "): it predicts 1 values per row, the model 2"
