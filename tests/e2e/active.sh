# Active learning: al_select against the strategies recomputed here from
# the model's own weights, al_label with a file and a function as oracle,
# the rounds in the metadata store, the example's claim (uncertainty
# sampling reaches random sampling's final accuracy with fewer labels),
# the learning curves in the report as Chromium shows them, and the
# refusals.
. "$(dirname "$0")/../lib.sh"
data=$MLPIPE_TOP/tests/data
TABLE_CSV=$MLPIPE_BUILD/tests/tools/table_csv

# iris with an id, and an oracle that answers every row but one.
python3 - "$data/iris.csv" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
with open("iris.csv", "w") as f, open("oracle.csv", "w") as o:
    f.write("id," + ",".join(rows[0]) + "\n")
    o.write("id,target\n")
    for i, r in enumerate(rows[1:]):
        f.write("r%d," % i + ",".join(r) + "\n")
        if i != 7:
            o.write("r%d,%s\n" % (i, r[-1]))
PY
round_lua() {  # name strategy extra-label-args
    cat > "$1.lua" <<LUA
local mp = require "mlpipe"
local p = mp.pipeline { name = "$1", root = "runs/$1" }
local ex = p:add("csv_import", { path = "iris.csv", label = "target",
                                 types = { target = "categorical" },
                                 splits = { train = 2, pool = 10, eval = 3 } })
local m = p:add("logistic_regression", { examples = ex.examples })
local q = p:add("al_select", { model = m.model, examples = ex.examples, strategy = "$2",
                               batch = 12, seed = 3 })
local l = p:add("al_label", { examples = ex.examples, query = q.query, $3 })
local r = p:run {}
local function save(name, o)
  if o == nil then return end
  local f = assert(io.open(name .. ".json", "w"))
  f:write(mp.json_encode { uri = o.uri, id = o.id, properties = o.properties })
  f:close()
end
save("$1.model", r.nodes.logistic_regression.outputs.model)
save("$1.query", r.nodes.al_select.outputs.query)
save("$1.in", r.nodes.csv_import.outputs.examples)
save("$1.out", r.nodes.al_label.outputs.examples)
LUA
}
uri() { python3 -c 'import json, sys; print(json.load(open(sys.argv[1] + ".json"))["uri"])' "$1"; }

# The selection is the top of each strategy's measure, computed here from
# the model's coefficients on the pool's rows.
for s in least_confidence margin entropy random; do
    round_lua "sel_$s" $s 'oracle_file = "oracle.csv", key = "id"'
    expect "sel_${s}_runs" 0 "$M" run "sel_$s.lua" || continue
    "$TABLE_CSV" "$(uri "sel_$s.in")/pool.mlpt" > "sel_$s.pool.csv"
    "$TABLE_CSV" "$(uri "sel_$s.out")/train.mlpt" > "sel_$s.train.csv"
    "$TABLE_CSV" "$(uri "sel_$s.out")/pool.mlpt" > "sel_$s.left.csv"
    "$TABLE_CSV" "$(uri "sel_$s.in")/train.mlpt" > "sel_$s.seed.csv"
    got=$(python3 - "$s" "$(uri "sel_$s.model")" <<'PY'
import csv, json, math, struct, sys
s, mdir = sys.argv[1], sys.argv[2]
doc = json.load(open(mdir + "/model.json"))
raw = open(mdir + "/weights.bin", "rb").read()
w = {}
for t in doc["weights"]["tensors"]:
    v = struct.unpack_from("<%dd" % (t["rows"] * t["cols"]), raw, t["offset"])
    w[t["name"]] = [v[i * t["cols"]:(i + 1) * t["cols"]] for i in range(t["rows"])]
feats = doc["features"]
pool = list(csv.DictReader(open("sel_%s.pool.csv" % s)))
q = json.load(open("sel_%s.query.json" % s))["properties"]
def proba(r):
    z = [sum(c * float(r[f]) for c, f in zip(w["coef"][k], feats)) + w["intercept"][0][k]
         for k in range(len(w["coef"]))]
    m = max(z)
    e = [math.exp(x - m) for x in z]
    return [x / sum(e) for x in e]
def measure(p):
    p = sorted(p, reverse=True)
    return {"least_confidence": 1 - p[0], "margin": -(p[0] - p[1]),
            "entropy": -sum(x * math.log(x) for x in p if x > 0)}[s]
bad = []
if len(q["rows"]) != 12 or len(set(q["rows"])) != 12 or q["pool_rows"] != len(pool):
    bad.append(("rows", q["rows"], q["pool_rows"]))
if s != "random":
    m = [measure(proba(r)) for r in pool]
    chosen = set(q["rows"])
    worst_in = min(m[i] for i in chosen)
    best_out = max(m[i] for i in range(len(pool)) if i not in chosen)
    # Every chosen row at least as uncertain as every row left (1e-9:
    # the model's sums and these differ in the last bits).
    if worst_in < best_out - 1e-9:
        bad.append(("order", worst_in, best_out))
    want = [abs(m[i]) for i in q["rows"]]
    if max(abs(a - b) for a, b in zip(want, q["scores"])) > 1e-9:
        bad.append(("scores", want[:3], q["scores"][:3]))
# al_label: the answered rows joined train with the oracle's labels, the
# rest of the pool kept its order; row r7 has no answer and stays.
seed = list(csv.DictReader(open("sel_%s.seed.csv" % s)))
train = list(csv.DictReader(open("sel_%s.train.csv" % s)))
left = list(csv.DictReader(open("sel_%s.left.csv" % s)))
oracle = dict(csv.reader(open("oracle.csv")))
asked = [pool[i]["id"] for i in q["rows"]]
answered = [a for a in asked if a in oracle]
if [r["id"] for r in train] != [r["id"] for r in seed] + answered:
    bad.append(("train", len(train), len(seed), len(answered)))
if any(r["target"] != oracle[r["id"]] for r in train[len(seed):]):
    bad.append("labels not the oracle's")
if [r["id"] for r in left] != [r["id"] for r in pool if r["id"] not in answered]:
    bad.append("pool order")
out = json.load(open("sel_%s.out.json" % s))["properties"]
step = out["active_learning"]["rounds"][-1]
if out["rows"]["train"] != len(train) or step["labelled"] != len(answered) \
        or step["unanswered"] != len(asked) - len(answered) or step["strategy"] != s:
    bad.append(("property", out["rows"], step))
print("ok" if not bad else bad)
PY
)
    [ "$got" = ok ] && pass "select_${s}_is_top_of_measure" || fail "select_${s}_is_top_of_measure" "$got"
done
# Seeded: the same seed the same batch, another seed another.
cp sel_random.query.json first.json
expect random_again 0 "$M" run sel_random.lua --no-cache
cp sel_random.query.json again.json
sed 's/seed = 3/seed = 4/' sel_random.lua > sel_random4.lua
sed -i 's/root = "runs\/sel_random"/root = "runs\/sel_random4"/' sel_random4.lua
expect random_other_seed 0 "$M" run sel_random4.lua
got=$(python3 -c '
import json
a, b, c = (json.load(open(f))["properties"]["rows"] for f in ("first.json", "again.json", "sel_random.query.json"))
print("ok" if a == b and a != c else (a, b, c))' 2>&1)
[ "$got" = ok ] && pass random_is_seeded || fail random_is_seeded "$got"

# A labeling function as the oracle (it abstains on setosa: those stay).
round_lua fn margin 'oracle = { "ask" }, classes = { "0", "1", "2" }'
sed -i 's/^local p = mp.pipeline/mp.lf { name = "ask", fn = function(r)\n  if r.petal_length_cm < 2.5 then return mp.ABSTAIN end\n  return r.petal_length_cm < 4.85 and "1" or "2" end }\nlocal p = mp.pipeline/' fn.lua
expect function_oracle 0 "$M" run fn.lua &&
got=$(python3 -c '
import json
o = json.load(open("fn.out.json"))["properties"]["active_learning"]["rounds"][0]
print("ok" if o["oracle"] == "function" and o["labelled"] + o["unanswered"] == 12 else o)')
[ "$got" = ok ] && pass function_oracle_answers || fail function_oracle_answers "$got"

# Bad input.
round_lua dup margin 'oracle_file = "dup.csv", key = "id"'
{ cat oracle.csv; echo "r3,1"; } > dup.csv
expect duplicate_answer_refused 3 "$M" run dup.lua &&
has duplicate_answer_refused "$OUT" "oracle_file dup.csv: key 'r3' is answered twice (lines 5 and 151)"
round_lua nokey margin 'oracle_file = "oracle.csv"'
expect file_needs_key 3 "$M" run nokey.lua &&
has file_needs_key "$OUT" "key: an oracle_file needs key"
round_lua both margin 'oracle_file = "oracle.csv", key = "id", oracle = { "x" }'
sed -i 's/^local p = mp.pipeline/mp.lf { name = "x", fn = function(r) return mp.ABSTAIN end }\nlocal p = mp.pipeline/' both.lua
expect one_oracle_only 3 "$M" run both.lua &&
has one_oracle_only "$OUT" "name one oracle: oracle_file (a labels file) or oracle (a labeling function)"
# An empty pool: nothing left to select, said so.
cat > drain.lua <<'LUA'
local mp = require "mlpipe"
local p = mp.pipeline { name = "drain", root = "runs/drain" }
local ex = p:add("csv_import", { path = "iris.csv", label = "target", types = { target = "categorical" },
                                 splits = { train = 10, pool = 1, eval = 5 } })
local data = ex.examples
for r = 1, 3 do
  local m = p:add("logistic_regression", { name = "m" .. r, examples = data })
  local q = p:add("al_select", { name = "s" .. r, model = m.model, examples = data, batch = 100 })
  data = p:add("al_label", { name = "l" .. r, examples = data, query = q.query,
                             oracle_file = "all.csv", key = "id" }).examples
end
p:run {}
LUA
{ echo "id,target"; python3 -c '
import csv
for i, r in enumerate(list(csv.reader(open("iris.csv")))[1:]): print("%s,%s" % (r[0], r[-1]))'; } > all.csv
expect empty_pool_refused 3 "$M" run drain.lua &&
has empty_pool_refused "$OUT" "ran      l1" "failed   s2" \
    "the pool (split 'pool') is empty: every row has been labelled, nothing is left to select"
consistent empty_pool_store_consistent runs/drain

# A query made on other Examples than those wired.
cat > other.lua <<'LUA'
local mp = require "mlpipe"
local p = mp.pipeline { name = "o", root = "runs/o" }
local a = p:add("csv_import", { path = "iris.csv", label = "target", splits = { train = 2, pool = 10, eval = 3 } })
local b = p:add("csv_import", { name = "b", path = "iris.csv", label = "target", types = { target = "categorical" },
                                splits = { train = 2, pool = 10, eval = 3 } })
local m = p:add("logistic_regression", { examples = a.examples })
local q = p:add("al_select", { model = m.model, examples = a.examples })
p:add("al_label", { examples = b.examples, query = q.query, oracle_file = "oracle.csv", key = "id" })
p:run {}
LUA
expect other_examples_refused 3 "$M" run other.lua &&
has other_examples_refused "$OUT" "the query was made on Examples 1, not on these (2)"
cat > regr.lua <<'LUA'
local mp = require "mlpipe"
local p = mp.pipeline { name = "rg", root = "runs/rg" }
local a = p:add("csv_import", { path = "iris.csv", label = "sepal_length_cm", splits = { train = 2, pool = 10, eval = 3 } })
local m = p:add("ridge", { examples = a.examples })
p:add("al_select", { model = m.model, examples = a.examples, strategy = "entropy" })
p:run {}
LUA
expect regression_needs_random 3 "$M" run regr.lua &&
has regression_needs_random "$OUT" "strategy 'entropy' needs class probabilities: the model is a regression"

# ---- the example: the claim, the rounds in the store, the report ---------
expect example_runs 0 "$M" run "$MLPIPE_TOP/examples/active_learning/pipeline.lua"
random_n=$(sed -n 's/^random .* final accuracy with \([0-9]*\) labels$/\1/p' <<<"$OUT")
margin_n=$(sed -n 's/^margin .* final accuracy with \([0-9]*\) labels$/\1/p' <<<"$OUT")
if [ -n "$random_n" ] && [ -n "$margin_n" ] && [ "$margin_n" -lt "$random_n" ]; then
    pass uncertainty_needs_fewer_labels
else
    fail uncertainty_needs_fewer_labels "margin $margin_n, random $random_n: $(tail -2 <<<"$OUT")"
fi
db=runs/active/metadata.sqlite
# Every labelling round is an execution whose inputs include its query.
n=$(sql $db "SELECT count(*) FROM execution e JOIN event v ON v.execution_id = e.id
             JOIN artifact a ON a.id = v.artifact_id JOIN artifact_type t ON t.id = a.type_id
             WHERE e.node LIKE 'label_%' AND v.type = 'INPUT' AND t.name = 'Query'" 2>&1)
[ "$n" = 24 ] && pass rounds_in_store || fail rounds_in_store "$n Query inputs of labelling rounds, expected 24"

# A numeric key: the file's keys are read as numbers (1.004e3 is 1004).
python3 - <<'PY'
import csv
rows = list(csv.reader(open("iris.csv")))
with open("iris_num.csv", "w") as f, open("oracle_num.csv", "w") as o:
    f.write("num," + ",".join(rows[0][1:]) + "\n")
    o.write("num,target\n")
    for i, r in enumerate(rows[1:]):
        f.write("%d,%s\n" % (1000 + i, ",".join(r[1:])))
        o.write("%s,%s\n" % ("%.3e" % (1000 + i) if i % 2 else str(1000 + i), r[-1]))
PY
cat > numkey.lua <<'LUA'
local mp = require "mlpipe"
local p = mp.pipeline { name = "nk", root = "runs/nk" }
local ex = p:add("csv_import", { path = "iris_num.csv", label = "target", types = { target = "categorical" },
                                 splits = { train = 2, pool = 10, eval = 3 } })
local m = p:add("logistic_regression", { examples = ex.examples, features = { "sepal*", "petal*" } })
local q = p:add("al_select", { model = m.model, examples = ex.examples, batch = 20 })
local l = p:add("al_label", { examples = ex.examples, query = q.query, oracle_file = "oracle_num.csv",
                              key = "num" })
local r = p:run {}
print(mp.json_encode(r.nodes.al_label.outputs.examples.properties.active_learning.rounds[1]))
LUA
expect numeric_key_matches 0 "$M" run numkey.lua &&
has numeric_key_matches "$OUT" '"labelled":20' '"unanswered":0'

# A pool row the model cannot read (a missing feature) is named with its
# line, not skipped: the split follows the id, so blanking a value keeps
# the row in the pool.
cat > gap.lua <<'LUA'
local mp = require "mlpipe"
local p = mp.pipeline { name = "gap", root = "runs/gap" }
local ex = p:add("csv_import", { path = arg[1], label = "target", types = { target = "categorical" },
                                 splits = { train = 2, pool = 10, eval = 3 }, split_key = "id" })
local m = p:add("logistic_regression", { examples = ex.examples })
p:add("al_select", { model = m.model, examples = ex.examples })
local r = p:run {}
if r.status == "ok" then
  io.open("gap_pool.txt", "w"):write(r.nodes.csv_import.outputs.examples.uri)
end
LUA
expect gap_first_run 0 "$M" run gap.lua iris.csv
"$TABLE_CSV" "$(cat gap_pool.txt)/pool.mlpt" | sed -n 2p | cut -d, -f1 > gap_id.txt
id=$(cat gap_id.txt)
awk -F, -v OFS=, -v id="$id" '$1 == id { $3 = "" } { print }' iris.csv > iris_gap.csv
line=$(grep -n "^$id," iris_gap.csv | cut -d: -f1)
expect pool_gap_named 3 "$M" run gap.lua iris_gap.csv &&
has pool_gap_named "$OUT" "failed   al_select" "iris_gap.csv:$line" "sepal_width_cm"

# A loss reaches the baseline by going below it; a series that never
# gets there says so.  Recomputed here from the models' own metrics.
sed -e 's/^local curve = p:add("al_curve", { models = models, series = series })$/local curve = p:add("al_curve", { models = models, series = series, metric = "log_loss" })/' \
    -e 's/root = "runs\/active"/root = "runs\/active_loss"/' \
    "$MLPIPE_TOP/examples/active_learning/pipeline.lua" > loss.lua
sed -i 's|here .. "/data/|"'"$MLPIPE_TOP"'/examples/active_learning/data/|g' loss.lua
expect loss_curve 0 "$M" run loss.lua 5
got=$(sqlite3 -readonly runs/active_loss/metadata.sqlite \
    "SELECT properties FROM artifact WHERE uri LIKE '%al_curve%' AND state = 'LIVE'" | python3 -c '
import json, sys
p = json.load(sys.stdin)
target = p["series"][0]["points"][-1]["value"]
bad = []
for s in p["series"]:
    first = next((q["labels"] for q in s["points"] if q["value"] <= target), None)
    if s["labels_to_reach_baseline"] != first:
        bad.append((s["name"], s["labels_to_reach_baseline"], first))
print("ok" if p["metric"] == "log_loss" and not bad else bad)')
[ "$got" = ok ] && pass loss_reaches_below || fail loss_reaches_below "$got"

# Answers that are no class (a typo, a space, a new value) are refused
# with their line, unless `classes` lists them; so is a header naming the
# label twice, and a key that names two pool rows.
python3 - <<'PY'
import csv
rows = list(csv.reader(open("oracle.csv")))
with open("typo.csv", "w") as f:
    for i, r in enumerate(rows):
        f.write(",".join(r if i == 0 else [r[0], " " + r[1]]) + "\n")
with open("twice.csv", "w") as f:
    f.write("id,target,target\n")
    for r in rows[1:]:
        f.write("%s,%s,%s\n" % (r[0], r[1], r[1]))
rows = list(csv.reader(open("iris.csv")))
with open("iris_dupkey.csv", "w") as f:
    f.write(",".join(rows[0]) + "\n")
    for i, r in enumerate(rows[1:]):
        f.write("r%d,%s\n" % (i % 40, ",".join(r[1:])))
PY
round_lua typo margin 'oracle_file = "typo.csv", key = "id"'
expect answer_not_class 3 "$M" run typo.lua &&
has answer_not_class "$OUT" "typo.csv:" "the answer ' " "is not a class of label 'target' ([\"0\",\"1\",\"2\"]); list the classes in \`classes\` to add one"
round_lua twice margin 'oracle_file = "twice.csv", key = "id"'
expect header_twice 3 "$M" run twice.lua &&
has header_twice "$OUT" "oracle_file twice.csv: the header names 'target' twice"
round_lua dupkey margin 'oracle_file = "oracle.csv", key = "id"'
sed -i 's/path = "iris.csv"/path = "iris_dupkey.csv"/' dupkey.lua
expect pool_key_not_unique 3 "$M" run dupkey.lua &&
has pool_key_not_unique "$OUT" "key 'id' is not unique: 'r" "names rows" "of split 'pool' (iris_dupkey.csv:"
