# Change thresholds against a baseline model: an explicit one, and the
# latest model this pipeline blessed, found in the metadata store
# (baseline = "latest_blessed"), across runs.
. "$(dirname "$0")/../lib.sh"
data=$MLPIPE_TOP/tests/data

# The pipeline trains with L2 from the environment, so runs differ only
# in the model's quality.
cat > bl.lua <<LUA
local mp = require "mlpipe"
local p = mp.pipeline { name = "bl", root = "runs/bl" }
local ex = p:add("csv_import", { path = "$data/breast_cancer.csv", label = "target",
                                 types = { target = "categorical" },
                                 splits = { train = 8, eval = 2 }, seed = 7 })
local tf = p:add("transform", { examples = ex.examples,
                                features = { [":numeric"] = { "zscore" } } })
local m = p:add("logistic_regression", { examples = tf.examples,
                                         l2 = tonumber(os.getenv("L2")) })
local ev = p:add("evaluate", { model = m.model, examples = tf.examples, split = "eval",
                               baseline = "latest_blessed", positive_class = "1",
                               thresholds = { accuracy = 0.5 },
                               change_thresholds = { accuracy = 0.01, log_loss = 0.05 } })
local r = p:run {}
print("model", r.nodes.logistic_regression.outputs.model.id)
print("blessing", r.nodes.evaluate.outputs.blessing.uri)
LUA
field() { awk -v k="$1" '$1 == k { print $2 }' <<<"$OUT"; }
# bless BLESSING-DIR PYTHON: `b` the blessing.json; prints ok or why not.
bless() {
    python3 - "$1/blessing.json" <<PY
import json, sys
b = json.load(open(sys.argv[1]))
ch = [c for c in b["checks"] if c["scope"] == "change against the baseline"]
$2
PY
}

# First run: nothing blessed yet, so the change checks pass, saying why.
L2=1 expect first_run_blessed 0 "$M" run bl.lua
good=$(field model)
got=$(bless "$(field blessing)" '
print("ok" if b["blessed"] and len(ch) == 2 and "baseline_model" not in b
      and all(c["status"] == "skipped" and "no baseline model" in c["why"] for c in ch)
      else b)')
[ "$got" = ok ] && pass first_run_no_baseline || fail first_run_no_baseline "$got"

# A much weaker model: compared with the first (found in the store), it
# loses more accuracy than allowed and is not blessed; the run is gated.
L2=3000 expect worse_model_gated 4 "$M" run bl.lua
has worse_model_says_why "$OUT" "not blessed"
got=$(bless "$(field blessing)" "
bad = [c for c in ch if c['status'] == 'failed']
acc = [c for c in ch if c['metric'] == 'accuracy'][0]
print('ok' if not b['blessed'] and b['baseline_model'] == $good and bad
      and abs(acc['bound'] - (acc['baseline'] - 0.01)) < 1e-15
      and acc['value'] < acc['bound'] else b)")
[ "$got" = ok ] && pass baseline_is_latest_blessed || fail baseline_is_latest_blessed "$got"
bid=$(sql runs/bl/metadata.sqlite "SELECT max(id) FROM artifact WHERE uri LIKE '%/blessing'")
expect blessing_shows 0 "$M" show "$bid" --root runs/bl &&
has blessing_names_baseline "$OUT" "NOT BLESSED" "compared with baseline model artifact $good" \
    "change against the baseline"

# A slightly different model: the baseline is still the first (the weak
# one was never blessed), and it passes.
L2=1.5 expect close_model_blessed 0 "$M" run bl.lua
close=$(field model)
got=$(bless "$(field blessing)" "
print('ok' if b['blessed'] and b['baseline_model'] == $good
      and all(c['status'] == 'passed' and 'baseline' in c for c in ch) else b)")
[ "$got" = ok ] && pass unblessed_model_never_baseline || fail unblessed_model_never_baseline "$got"

# Now the newest blessed model is the L2 = 1.5 one.
L2=1.2 expect next_run 0 "$M" run bl.lua
got=$(bless "$(field blessing)" "print('ok' if b['baseline_model'] == $close else b)")
[ "$got" = ok ] && pass newest_blessed_wins || fail newest_blessed_wins "$got"

# The same model again: its own blessing made it the newest blessed
# model, so the baseline changed and the evaluation re-runs (against
# itself); once more, with nothing changed, it is cached.
L2=1.2 expect same_again 0 "$M" run bl.lua
has evaluation_reruns_new_baseline "$OUT" "ran      evaluate"
got=$(bless "$(field blessing)" "print('ok' if b['baseline_model'] == b['model'] else b)")
[ "$got" = ok ] && pass model_is_own_baseline || fail model_is_own_baseline "$got"
L2=1.2 expect third_time 0 "$M" run bl.lua
has evaluation_cached_same_baseline "$OUT" "cached   evaluate"

# A baseline damaged by hand fails the evaluation, naming it, and is
# retired: the next run falls back to the blessed model before it.
prev=$(bless "$(field blessing)" "print(b['baseline_model'])")
rm "runs/bl/$(sql runs/bl/metadata.sqlite "SELECT uri FROM artifact WHERE id = $prev")/weights.bin"
# (exit 2: the script then reads the blessing the failed node lacks)
L2=0.7 expect damaged_baseline_fails 2 "$M" run bl.lua
has damaged_baseline_named "$OUT" "input 'baseline' (artifact $prev" "weights.bin is missing" "the next run takes the blessed model before it"
L2=0.7 expect falls_back_after_damage 0 "$M" run bl.lua
got=$(bless "$(field blessing)" "print('ok' if b['baseline_model'] not in ($prev,) and b['baseline_model'] > 0 else b)")
[ "$got" = ok ] && pass falls_back_to_earlier_blessed || fail falls_back_to_earlier_blessed "$got"

# Refused when the pipeline is defined: a port that is not a Model, or
# one the component cannot do without.
cat > badport.lua <<LUA
local mp = require "mlpipe"
local p = mp.pipeline { name = "bp", root = "runs/bp" }
local ex = p:add("csv_import", { path = "$data/iris.csv", label = "target" })
p:add("push", { model = "latest_blessed", to = "serving" })
LUA
expect required_port_refused 2 "$M" run badport.lua &&
has required_port_refused_named "$OUT" "badport.lua:4" \
    "input 'model' = \"latest_blessed\": the first run has no blessed model, and push needs one"
sed -i 's/p:add("push", { model = "latest_blessed", to = "serving" })/p:add("evaluate", { examples = "latest_blessed" })/' badport.lua
expect non_model_port_refused 2 "$M" run badport.lua &&
has non_model_port_refused_named "$OUT" "only a Model input can take the latest blessed model"

# Two evaluations in one pipeline each compare with the model they
# blessed; a baseline behind another graph is scored through its own
# graph on raw rows, as it scored itself.
cat > two.lua <<LUA
local mp = require "mlpipe"
local p = mp.pipeline { name = "two", root = "runs/two" }
local ex = p:add("csv_import", { path = "$data/breast_cancer.csv", label = "target",
                                 types = { target = "categorical" }, splits = { train = 1 } })
local op = os.getenv("OP")
local tf = p:add("transform", { examples = ex.examples, features = { [":numeric"] = { op } } })
local c = p:add("logistic_regression", { examples = tf.examples,
                                         transform_graph = tf.transform_graph })
local r = p:add("ridge", { examples = tf.examples, transform_graph = tf.transform_graph,
                           label = "mean_radius" })
p:add("evaluate", { name = "ec", model = c.model, examples = ex.examples, split = "train",
                    positive_class = "1", baseline = "latest_blessed",
                    change_thresholds = { accuracy = 0.5 } })
p:add("evaluate", { name = "er", model = r.model, examples = ex.examples, split = "train",
                    baseline = "latest_blessed", change_thresholds = { r2 = 0.5 } })
local res = p:run {}
for _, n in ipairs({ "ec", "er" }) do
  print(n, res.nodes[n].outputs.evaluation.uri, res.nodes[n].outputs.blessing.uri)
end
LUA
OP=zscore expect two_first 0 "$M" run two.lua
first=$OUT
OP=minmax expect two_second 0 "$M" run two.lua
got=$(python3 - "$first" "$OUT" <<'PY'
import json, sys
def nodes(out):
    return {l.split()[0]: l.split()[1:] for l in out.splitlines() if l.split()[:1] in (["ec"], ["er"])}
a, b = nodes(sys.argv[1]), nodes(sys.argv[2])
bad = []
for n, metric in (("ec", "accuracy"), ("er", "r2")):
    ev1 = json.load(open(a[n][0] + "/evaluation.json"))
    ev2 = json.load(open(b[n][0] + "/evaluation.json"))
    b1, b2 = json.load(open(a[n][1] + "/blessing.json")), json.load(open(b[n][1] + "/blessing.json"))
    # The baseline is this node's first model, scored as it scored itself.
    if b2.get("baseline_model") != b1["model"]:
        bad.append((n, "baseline", b2.get("baseline_model"), b1["model"]))
    elif abs(ev2["baseline"][metric] - ev1["overall"][metric]) > 1e-12:
        bad.append((n, metric, ev2["baseline"][metric], ev1["overall"][metric]))
print("ok" if not bad else bad)
PY
)
[ "$got" = ok ] && pass baseline_per_node_own_graph || fail baseline_per_node_own_graph "$got"

# The model input itself as "latest_blessed": empty until something was
# blessed, and the error says so rather than only asking for predictions.
cat > lb.lua <<LUA
local mp = require "mlpipe"
local p = mp.pipeline { name = "lb", root = "runs/lb" }
local ex = p:add("csv_import", { path = "$data/breast_cancer.csv", label = "target",
                                 types = { target = "categorical" } })
p:add("evaluate", { model = "latest_blessed", examples = ex.examples, split = "train" })
p:run {}
LUA
expect nothing_blessed_yet 3 "$M" run lb.lua
has nothing_blessed_says_so "$OUT" "no model came in" "latest_blessed" \
    "stays empty until a model of this node was blessed"
