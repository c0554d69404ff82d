# A third-party trainer (tests/plugins/prior.c, built against the SDK
# alone) is trained, evaluated and served like a built-in one; trainers
# the scanner must refuse are refused with the reason.
. "$(dirname "$0")/../lib.sh"
data=$MLPIPE_TOP/tests/data
mkdir plugins bad
cp "$FIXTURES/prior.so" plugins/
cp "$FIXTURES/prior_bad_stage.so" "$FIXTURES/prior_no_predict.so" bad/

cat > prior.lua <<LUA
local mp = require "mlpipe"
mp.plugin_path("plugins")
local p = mp.pipeline { name = "prior", root = "runs/prior" }
local ex = p:add("csv_import", { path = "$data/iris_imbalanced.csv", label = "target",
                                 splits = { train = 1 } })
local m = p:add("class_prior", { examples = ex.examples })
local e = p:add("evaluate", { model = m.model, examples = ex.examples, split = "train",
                              thresholds = { accuracy = 0.2 } })
local r = p:run {}
print("model", r.nodes.class_prior.outputs.model.uri)
print("eval", r.nodes.evaluate.outputs.evaluation.uri)
LUA
expect third_party_trains 0 "$M" run prior.lua
model=$(awk '$1 == "model" { print $2 }' <<<"$OUT")
ev=$(awk '$1 == "eval" { print $2 }' <<<"$OUT")
# The prior predicts the majority class everywhere: accuracy is its share.
got=$(python3 - "$model/model.json" "$ev/evaluation.json" "$data/iris_imbalanced.csv" <<'PY'
import collections, csv, json, sys
doc, ev = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
ys = [r["target"] for r in csv.DictReader(open(sys.argv[3]))]
share = max(collections.Counter(ys).values()) / len(ys)
ok = (doc["trainer"] == "class_prior" and doc["plugin"] == "prior" and doc["family"] == "baseline"
      and abs(ev["overall"]["accuracy"] - share) < 1e-12)
print("ok" if ok else (doc["trainer"], doc["plugin"], ev["overall"]["accuracy"], share))
PY
)
[ "$got" = ok ] && pass third_party_evaluated || fail third_party_evaluated "$got"
MLPIPE_PLUGIN_PATH=$TMP/plugins expect third_party_served 0 "$M" predict --model "$model" \
    "$data/iris_imbalanced.csv"
[ "$(wc -l <<<"$OUT")" = "$(wc -l < "$data/iris_imbalanced.csv")" ] &&
    pass third_party_predicts || fail third_party_predicts "$(head -3 <<<"$OUT")"
# Without its plugin, the model is refused naming the trainer.
expect trainer_not_installed 1 "$M" predict --model "$model" "$data/iris_imbalanced.csv" &&
has trainer_not_installed "$OUT" "made by trainer 'class_prior' (plugin 'prior'), which no installed plugin provides"

expect bad_trainers_listed 0 "$M" plugins --plugin-path "$TMP/bad" &&
has bad_trainers_listed "$OUT" \
    "prior_bad_stage.so: component 'class_prior' has a trainer but stage analyze, not train" \
    "prior_no_predict.so: component 'class_prior': its trainer lacks fit, predict, save, load or free"

# Model-based selection fits the third-party trainer in-process: forward
# selection needs only fit and predict; elimination needs importances,
# which it does not give, and says so.
cat > sel.lua <<LUA
local mp = require "mlpipe"
mp.plugin_path("plugins")
local p = mp.pipeline { name = "sel", root = "runs/sel" }
local ex = p:add("csv_import", { path = "$data/iris_imbalanced.csv", label = "target",
                                 splits = { train = 1 } })
local s = p:add("select_by_model", { examples = ex.examples, trainer = "class_prior",
                                     method = "forward", k = 2 })
p:add("select_by_model", { name = "rfe", examples = ex.examples, trainer = "class_prior",
                           k = 2 })
local r = p:run {}
LUA
expect third_party_selects 3 "$M" run sel.lua
has third_party_selects "$OUT" "ran      select_by_model" \
    "trainer class_prior gives no feature importances"
