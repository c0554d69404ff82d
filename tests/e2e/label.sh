# Weak supervision: labeling functions (mp.lf) applied by apply_lfs, the
# LF analysis, and label_model (majority vote, Dawid-Skene), against
# tests/data/fixtures/label.json (make_label_fixtures.py: the analysis
# computed with numpy, and an independent numpy EM of the same model) on
# breast_cancer.csv with six LFs: two correlated (radius, perimeter), one
# worse than chance (contrary).  Then the parallel workers, the cache, and
# every kind of bad input.
. "$(dirname "$0")/../lib.sh"
data=$MLPIPE_TOP/tests/data
TABLE_CSV=$MLPIPE_BUILD/tests/tools/table_csv

cat > lfs.lua <<'LUA'
local mp = require "mlpipe"
local A = mp.ABSTAIN
local function two_sided(col, hi, lo)
  return function(row)
    local v = row[col]
    if v > hi then return "0" elseif v < lo then return "1" end
    return A
  end
end
return {
  mp.lf { name = "radius", fn = two_sided("mean_radius", 15, 12) },
  mp.lf { name = "perimeter", fn = two_sided("mean_perimeter", 98, 77) },
  mp.lf { name = "concave", fn = two_sided("worst_concave_points", 0.15, 0.08) },
  mp.lf { name = "smoothness", fn = two_sided("mean_smoothness", 0.11, 0.085) },
  mp.lf { name = "concavity", fn = two_sided("mean_concavity", 0.12, 0.03) },
  -- Worse than chance; and numbers name classes "1" and "0" too.
  mp.lf { name = "contrary", fn = function(row)
      if row.mean_smoothness > 0.1 then return 1 end
      if row.mean_fractal_dimension > 0.065 then return 0 end
      return A end },
}
LUA
# save(r): each output's uri and properties as NODE.PORT.json
cat > save.lua <<'LUA'
local mp = require "mlpipe"
return function(r)
  for n, node in pairs(r.nodes) do
    for port, o in pairs(node.outputs or {}) do
      local f = assert(io.open(n .. "." .. port .. ".json", "w"))
      f:write(mp.json_encode { uri = o.uri, properties = o.properties })
      f:close()
    end
  end
end
LUA
cat > bc.lua <<LUA
local mp = require "mlpipe"
package.path = "$TMP/?.lua;" .. package.path
local lfs, save = require "lfs", require "save"
local p = mp.pipeline { name = "bc", root = "runs/bc" }
local ex = p:add("csv_import", { path = "$data/breast_cancer.csv", label = "target",
                                 types = { target = "categorical" }, splits = { train = 1 } })
local L = p:add("apply_lfs", { examples = ex.examples, lfs = lfs, classes = { "0", "1" },
                               gold = "target" })
p:add("label_model", { name = "ds", labels = L.labels, examples = ex.examples })
p:add("label_model", { name = "mv", labels = L.labels, examples = ex.examples,
                       method = "majority", label = "weak" })
p:add("label_model", { name = "ds_bal", labels = L.labels, examples = ex.examples,
                       class_balance = { ["0"] = 2, ["1"] = 3 }, uncovered = "keep" })
p:add("label_model", { name = "mv_rand", labels = L.labels, examples = ex.examples,
                       method = "majority", tie_break = "random", seed = 5 })
save(p:run {})
LUA
expect bc_runs 0 "$M" run bc.lua

# check NAME PYTHON: fx the fixture; art(NAME) an output's { uri, properties }
check() {
    local got
    got=$(python3 - "$data/fixtures/label.json" "$TMP" 2>&1 <<PY
import csv, json, math, sys
fx = json.load(open(sys.argv[1]))
def art(name):
    return json.load(open(sys.argv[2] + "/" + name + ".json"))
$2
PY
)
    [ "$got" = ok ] && pass "$1" || fail "$1" "$got"
}

# Snorkel's LF summary, every figure against numpy's.
check lf_analysis_matches '
a = art("apply_lfs.labels")["properties"]["analysis"]["train"]
bad = []
if a["rows"] != fx["rows"] or any(abs(a[key] - fx[key]) > 1e-12
                                  for key in ("coverage", "overlap", "conflict")):
    bad.append(("split", a["rows"], a["coverage"], a["overlap"], a["conflict"]))
for got, want in zip(a["lfs"], fx["lfs"]):
    for key, mine in (("coverage", "coverage"), ("overlaps", "overlaps"),
                      ("conflicts", "conflicts"), ("emp_accuracy", "accuracy"),
                      ("correct", "correct"), ("incorrect", "incorrect")):
        if abs(got[key] - want[mine]) > 1e-12:
            bad.append((want["name"], key, got[key], want[mine]))
    if got["polarity"] != ["0", "1"] or got["errors"] != 0:
        bad.append((want["name"], got["polarity"], got["errors"]))
print("ok" if not bad and len(a["lfs"]) == 6 else bad)'

# The EM matches the numpy reference to rounding, row by row.
check dawid_skene_matches_reference '
m = art("ds.label_model")["properties"]
ref = fx["dawid_skene"]
names = [l["name"] for l in fx["lfs"]]
d = max(abs(m["accuracies"][n] - a) for n, a in zip(names, ref["accuracies"]))
b = max(abs(x - y) for x, y in zip(m["class_balance"], ref["class_balance"]))
print("ok" if d < 1e-9 and b < 1e-9 and m["iterations"] == ref["iterations"]
      and m["converged"] else (d, b, m["iterations"], ref["iterations"]))'
"$TABLE_CSV" "$(python3 -c 'import json; print(json.load(open("ds.examples.json"))["uri"])')/train.mlpt" > ds_train.csv
check dawid_skene_probabilities '
ref = [p for p, c in zip(fx["dawid_skene"]["posterior"], fx["covered"]) if c]
rows = list(csv.DictReader(open("ds_train.csv")))
got = [float(r["target_proba"].split(";")[0]) for r in rows]
d = max(abs(a - b) for a, b in zip(got, ref))
# Its label is the more probable class; no row without a vote is kept.
lab = all(r["target"] == ("0" if p > 0.5 else "1") for r, p in zip(rows, ref))
print("ok" if len(rows) == len(ref) == 531 and d < 1e-6 and lab else (len(rows), d, lab))'

# The learned accuracies are within 0.05 of the true ones (the correlated
# pair is overestimated most: independence counts their agreement twice),
# and the model labels better than majority vote.
check learned_accuracies_near_true '
m = art("ds.label_model")["properties"]
worst = max(abs(m["accuracies"][l["name"]] - l["accuracy"]) for l in fx["lfs"])
g = m["gold"]["train"]
print("ok" if worst <= 0.05 and g["accuracy"] >= g["majority_accuracy"] and g["rows"] == 531
      else (worst, g))'
check majority_vote_counts '
m = art("mv.label_model")["properties"]
s, g, ref = m["splits"]["train"], m["gold"]["train"], fx["majority"]
print("ok" if s["labelled"] == ref["labelled"] and s["ties"] == ref["ties"]
      and s["uncovered"] == fx["rows"] - sum(fx["covered"]) and s["dropped"] == s["ties"] + s["uncovered"]
      and abs(g["accuracy"] - ref["accuracy_untied"]) < 1e-12 and g["rows"] == ref["labelled"]
      else (s, g, ref))'
# Another label column: the old one (the answer) does not stay beside it.
"$TABLE_CSV" "$(python3 -c 'import json; print(json.load(open("mv.examples.json"))["uri"])')/train.mlpt" > mv_train.csv
check new_label_replaces_old '
head = next(csv.reader(open("mv_train.csv")))
p = art("mv.examples")["properties"]
print("ok" if "weak" in head and "weak_proba" in head and "target" not in head
      and p["label"] == "weak" and p["label_probabilities"]["column"] == "weak_proba"
      and p["rows"]["train"] == 507 else (head[-3:], p["label"]))'

# A class balance held fixed: the EM with that prior, as numpy's; rows
# without a vote kept, unlabelled, without probabilities.
check fixed_class_balance '
m = art("ds_bal.label_model")["properties"]
ref = fx["dawid_skene_balance"]
names = [l["name"] for l in fx["lfs"]]
d = max(abs(m["accuracies"][n] - a) for n, a in zip(names, ref["accuracies"]))
s = m["splits"]["train"]
print("ok" if d < 1e-9 and m["class_balance"] == [0.4, 0.6] and m["iterations"] == ref["iterations"]
      and s["kept_unlabelled"] == 38 and art("ds_bal.examples")["properties"]["rows"]["train"] == 569
      else (d, m["class_balance"], s))'
"$TABLE_CSV" "$(python3 -c 'import json; print(json.load(open("ds_bal.examples.json"))["uri"])')/train.mlpt" > bal.csv
check kept_rows_unlabelled '
rows = list(csv.DictReader(open("bal.csv")))
missing = [r for r in rows if r["target"] == ""]
print("ok" if len(rows) == 569 and len(missing) == 38 and
      all(r["target_proba"] == "nan;nan" for r in missing) and
      all(r["target_proba"] != "nan;nan" for r in rows if r["target"] != "") else
      (len(rows), len(missing), missing[:1]))'
# Ties drawn from the seed: every covered row labelled.
check ties_drawn '
s = art("mv_rand.label_model")["properties"]["splits"]["train"]
print("ok" if s["labelled"] == 531 and s["ties"] == fx["majority"]["ties"] and s["dropped"] == 38
      and s["ties_were"] == "drawn" else s)'

# What a person reads: the LF table and the model summary.
expect show_labels 0 "$M" show "$(python3 -c 'import json; print(json.load(open("apply_lfs.labels.json"))["properties"]["examples"] + 1)')" --root runs/bc
has show_labels "$OUT" "gold labels from column target" "569 rows, 0.9332 covered" \
    "labeling function        polarity      coverage  overlaps conflicts  correct incorrect   emp.acc  errors" \
    "contrary                 0,1             0.4622    0.4271    0.3304       99       164    0.3764       0"
ds_id=$(sqlite3 -readonly runs/bc/metadata.sqlite "SELECT id FROM artifact WHERE uri LIKE '%/ds/%label_model'")
expect show_label_model 0 "$M" show "$ds_id" --root runs/bc
has show_label_model "$OUT" "method Dawid-Skene (EM), 23 iterations; class balance 0=0.3738 1=0.6262" \
    "perimeter                          0.9933" \
    "531 of 569 rows labelled, 38 without a vote, 0 tied; accuracy 0.9435 on the 531 gold rows it labelled (majority vote: 0.9247 on 531)"

# Unchanged: cached.  Another threshold captured by an LF: re-applied.
expect rerun_cached 0 "$M" run bc.lua --explain
has rerun_cached "$OUT" "cached   apply_lfs" "cached   ds"
sed -i 's/"mean_concavity", 0.12, 0.03/"mean_concavity", 0.13, 0.03/' lfs.lua
expect lf_edit_reruns 0 "$M" run bc.lua
has lf_edit_reruns "$OUT" "ran      apply_lfs" "ran      ds"

# Soft targets: logistic regression on the label model's probabilities,
# against scikit-learn's on each row once per class, weighted by its
# probability (coefficients within 1e-4, as train.sh holds trainers to).
cat > soft.lua <<LUA
local mp = require "mlpipe"
package.path = "$TMP/?.lua;" .. package.path
local lfs, save = require "lfs", require "save"
local p = mp.pipeline { name = "soft", root = "runs/soft" }
local ex = p:add("csv_import", { path = "$data/breast_cancer.csv", label = "target",
                                 types = { target = "categorical" }, splits = { train = 1 } })
local L = p:add("apply_lfs", { examples = ex.examples, lfs = lfs, classes = { "0", "1" } })
local lm = p:add("label_model", { labels = L.labels, examples = ex.examples })
local tf = p:add("transform", { examples = lm.examples, features = { [":numeric"] = { "zscore" } } })
p:add("logistic_regression", { name = "soft", examples = tf.examples, targets = "soft",
                               transform_graph = tf.transform_graph, tol = 1e-10, max_iter = 10000 })
p:add("logistic_regression", { name = "soft_bal", examples = tf.examples, targets = "soft",
                               class_weight = "balanced", transform_graph = tf.transform_graph,
                               tol = 1e-10, max_iter = 10000 })
p:add("logistic_regression", { name = "hard", examples = tf.examples,
                               transform_graph = tf.transform_graph, tol = 1e-10, max_iter = 10000 })
save(p:run {})
LUA
# (the LFs of the fixture again: lf_edit_reruns moved a threshold)
sed -i 's/"mean_concavity", 0.13, 0.03/"mean_concavity", 0.12, 0.03/' lfs.lua
expect soft_targets_run 0 "$M" run soft.lua
check soft_targets_match_sklearn '
import struct
def weights(d):
    doc = json.load(open(d + "/model.json"))
    raw = open(d + "/weights.bin", "rb").read()
    w = {}
    for t in doc["weights"]["tensors"]:
        v = struct.unpack_from("<%dd" % (t["rows"] * t["cols"]), raw, t["offset"])
        w[t["name"]] = list(v)
    return doc, w
ref = fx["soft_logistic"]
doc, w = weights(art("soft.model")["uri"])
_, h = weights(art("hard.model")["uri"])
d = max(abs(a - b) for a, b in zip(w["coef"], ref["coef"]))
i = abs(w["intercept"][0] - ref["intercept"])
# The hard model differs (it learns the argmax), and the train scores count
# each of the 531 rows once.
dh = max(abs(a - b) for a, b in zip(h["coef"], ref["coef"]))
m = doc["metrics"]["train"]
# Balanced over soft counts: each class weighs rows / (2 x its summed
# probability), as the fixture computes it.
_, b = weights(art("soft_bal.model")["uri"])
rb = fx["soft_logistic_balanced"]
db = max(abs(a - c) for a, c in zip(b["coef"] + b["intercept"], rb["coef"] + [rb["intercept"]]))
print("ok" if d <= 1e-4 and i <= 1e-4 and dh > 1e-2 and m["rows"] == 531 and db <= 1e-4
      and max(abs(a - c) for a, c in zip(b["coef"], w["coef"])) > 1e-3
      else (d, i, dh, db, m))'

# An MLP takes the same soft targets (its float32 rows expanded alike);
# Examples without probabilities, and a regression, are refused.
cat >> soft.lua <<'LUA'
LUA
sed -i 's/^save(p:run {})$/p:add("mlp_classifier", { name = "soft_mlp", examples = tf.examples, targets = "soft",\n  transform_graph = tf.transform_graph, hidden = { 8 }, epochs = 5 })\nsave(p:run {})/' soft.lua
expect soft_mlp_runs 0 "$M" run soft.lua &&
has soft_mlp_runs "$(cat runs/soft/logs/*.log)" "soft targets: 531 rows as "
cat > nosoft.lua <<LUA
local mp = require "mlpipe"
local p = mp.pipeline { name = "nosoft", root = "runs/nosoft" }
local ex = p:add("csv_import", { path = "$data/breast_cancer.csv", label = "target",
                                 types = { target = "categorical" } })
p:add("logistic_regression", { examples = ex.examples, targets = "soft" })
p:add("ridge", { examples = ex.examples, label = "mean_radius", targets = "soft" })
p:run {}
LUA
expect soft_needs_probabilities 3 "$M" run nosoft.lua &&
has soft_needs_probabilities "$OUT" "targets = \"soft\": the Examples have no class probabilities (no label_probabilities property)" \
    "targets = \"soft\" is for classifiers"

# ---- many rows: two workers give what one gives ---------------------------
python3 - <<'PY'
import random
random.seed(7)
words = ["free", "win", "meeting", "lunch", "prize", "report", "urgent", "hello"]
with open("msgs.csv", "w") as f:
    f.write("id,text,n_links,kind\n")
    for i in range(30000):
        t = " ".join(random.choice(words) for _ in range(random.randint(1, 6)))
        f.write('%d,"%s, really",%s,%s\n' % (i, t, "" if i % 97 == 0 else random.randint(0, 9),
                                             random.choice(["mail", "sms", "chat"])))
PY
cat > msgs_lfs.lua <<'LUA'
local mp = require "mlpipe"
local A = mp.ABSTAIN
local fail_on = tonumber(os.getenv("FAIL_ON") or "") -- ids whose call raises
local fail_too = tonumber(os.getenv("FAIL_TOO") or "")
return {
  mp.lf { name = "says_free", fn = function(r)
      if r.id == fail_on or r.id == fail_too then error("cannot read message " .. r.id) end
      return r.text:find("free", 1, true) and "spam" or A end },
  mp.lf { name = "many_links", fn = function(r)
      if r.n_links == nil then return A end
      return r.n_links > 6 and "spam" or (r.n_links == 0 and "ham" or A) end },
  mp.lf { name = "by_kind", fn = function(r) return r.kind == "chat" and "ham" or A end },
}
LUA
msgs() {  # name threads extra-apply-args
    cat > "$1.lua" <<LUA
local mp = require "mlpipe"
package.path = "$TMP/?.lua;" .. package.path
local lfs, save = require "msgs_lfs", require "save"
local p = mp.pipeline { name = "$1", root = "runs/$1" }
local ex = p:add("csv_import", { path = "msgs.csv", splits = { train = 3, eval = 1 } })
p:add("apply_lfs", { examples = ex.examples, lfs = lfs, classes = { "ham", "spam" },
                     threads = $2 ${3:-} })
save(p:run {})
LUA
}
msgs one 1 && expect one_worker 0 "$M" run one.lua && cp apply_lfs.labels.json one.json
msgs two 2 && expect two_workers 0 "$M" run two.lua && cp apply_lfs.labels.json two.json
for s in train eval; do
    "$TABLE_CSV" "$(python3 -c "import json; print(json.load(open('one.json'))['uri'])")/$s.mlpt" > one_$s.csv
    "$TABLE_CSV" "$(python3 -c "import json; print(json.load(open('two.json'))['uri'])")/$s.mlpt" > two_$s.csv
done
check workers_agree '
one = [open("one_%s.csv" % s).read() for s in ("train", "eval")]
two = [open("two_%s.csv" % s).read() for s in ("train", "eval")]
a1 = json.load(open("one.json"))["properties"]["analysis"]
a2 = json.load(open("two.json"))["properties"]["analysis"]
# And the votes are what the LFs say, recomputed here from the CSV.
rows = {r["id"]: r for r in csv.DictReader(open("msgs.csv"))}
got = list(csv.DictReader(open("one_train.csv")))
print("ok" if one == two and a1 == a2 and len(got) + a1["eval"]["rows"] == 30000
      and a1["train"]["rows"] == len(got) else "differ")'
check votes_recomputed '
rows = list(csv.DictReader(open("msgs.csv")))
ids = set()
bad = 0
import itertools
def want(r):
    n = r["n_links"]
    return ["spam" if "free" in r["text"] else "",
            "" if n == "" else ("spam" if int(n) > 6 else ("ham" if int(n) == 0 else "")),
            "ham" if r["kind"] == "chat" else ""]
# The splits keep the rows of the file in order: walk them with the split ids.
got = list(csv.DictReader(open("one_train.csv"))) + list(csv.DictReader(open("one_eval.csv")))
w = [want(r) for r in rows]
from collections import Counter
c_want = Counter(tuple(x) for x in w)
c_got = Counter((g["says_free"], g["many_links"], g["by_kind"]) for g in got)
print("ok" if c_want == c_got else (c_want.most_common(3), c_got.most_common(3)))'

# An LF that raises: the first failing row is named, with its line, whichever
# worker meets it first (rows 20001 and 2001 fail; 2001 is in the first).
msgs err 2
FAIL_ON=20000 FAIL_TOO=2000 expect lf_error_named 3 "$M" run err.lua
has lf_error_named "$OUT" "failed   apply_lfs" "labeling function 'says_free' (" \
    "msgs_lfs.lua:" "cannot read message 2000" "(row from msgs.csv:"
grep -q "cannot read message 20000" <<<"$OUT" && fail lf_error_first_row "named a later row" ||
    pass lf_error_first_row
consistent lf_error_store_consistent runs/err
# on_error = "abstain": counted, warned, and the rest of the votes kept.
msgs errok 2 ', on_error = "abstain"'
FAIL_ON=20000 FAIL_TOO=2000 expect lf_errors_abstain 0 "$M" run errok.lua
check lf_errors_counted '
a = art("apply_lfs.labels")["properties"]["analysis"]
errs = sum(s["lfs"][0]["errors"] for s in a.values())
first = [s["lfs"][0].get("first_error") for s in a.values() if s["lfs"][0]["errors"]]
print("ok" if errs == 2 and all("cannot read message" in f["message"] for f in first)
      and all(s["lfs"][1]["errors"] == 0 for s in a.values()) else (errs, first))'
has lf_errors_logged "$(cat runs/errok/logs/*.log)" "labeling function 'says_free' raised an error on 2 rows, counted as abstaining; the first, row "

# ---- bad labeling functions and wiring ----------------------------------
bad_lf() {  # name body [apply args]
    cat > "$1.lua" <<LUA
local mp = require "mlpipe"
mp.lf { name = "bad", fn = function(r) $2 end }
mp.lf { name = "fine", fn = function(r) return mp.ABSTAIN end }
local p = mp.pipeline { name = "$1", root = "runs/$1" }
local ex = p:add("csv_import", { path = "msgs.csv", splits = { train = 1 } })
p:add("apply_lfs", { examples = ex.examples, lfs = { "fine", "bad" }, classes = { "ham", "spam" } ${3:-} })
p:run {}
LUA
}
bad_lf outside 'if r.id == 5 then return "eggs" end return mp.ABSTAIN'
expect outside_class_refused 3 "$M" run outside.lua &&
has outside_class_refused "$OUT" "labeling function 'bad' (outside.lua:2) on row 6: returned 'eggs', which is neither one of the classes (ham, spam) nor mp.ABSTAIN" \
    "(row from msgs.csv:7)"
bad_lf nilret 'if r.id == 3 then return end return "ham"'
expect nil_return_refused 3 "$M" run nilret.lua &&
has nil_return_refused "$OUT" "on row 4: returned nil (no value), which is neither"
bad_lf number 'return 1.5'
expect fraction_refused 3 "$M" run number.lua &&
has fraction_refused "$OUT" "returned 1.5, which is neither"
bad_lf nocol 'return r.no_such_column and "ham" or mp.ABSTAIN'
expect unknown_column_named 3 "$M" run nocol.lua &&
has unknown_column_named "$OUT" "on row 1: " "the row has no column 'no_such_column'"
bad_lf writes 'r.id = 3 return mp.ABSTAIN'
expect row_read_only 3 "$M" run writes.lua &&
has row_read_only "$OUT" "a row is read-only"
bad_lf exits 'if r.id == 9000 then os.exit(4) end return mp.ABSTAIN'
expect os_exit_reported 3 "$M" run exits.lua &&
has os_exit_reported "$OUT" "exited (status 4) before its last row: does a labeling function call os.exit?"
consistent os_exit_store_consistent runs/exits
# An error whose value is no string is still reported, by LF and row.
bad_lf errtable 'if r.id == 100 then error({ code = 7 }) end return mp.ABSTAIN' ', threads = 1'
expect error_object_named 3 "$M" run errtable.lua &&
has error_object_named "$OUT" "labeling function 'bad' (errtable.lua:2) on row 101: (the error value is not a string)"

cat > unknown.lua <<'LUA'
local mp = require "mlpipe"
local p = mp.pipeline { name = "u", root = "runs/u" }
local ex = p:add("csv_import", { path = "msgs.csv" })
p:add("apply_lfs", { examples = ex.examples, lfs = { "nope" }, classes = { "a", "b" } })
LUA
expect unknown_lf_refused 2 "$M" run unknown.lua &&
has unknown_lf_refused "$OUT" "unknown.lua:4" "parameter 'lfs': 'nope' is no labeling function"
cat > notlf.lua <<'LUA'
local mp = require "mlpipe"
local p = mp.pipeline { name = "u", root = "runs/u" }
local ex = p:add("csv_import", { path = "msgs.csv" })
p:add("apply_lfs", { examples = ex.examples, lfs = { "csv_import" }, classes = { "a", "b" } })
LUA
expect component_not_lf 2 "$M" run notlf.lua &&
has component_not_lf "$OUT" "'csv_import' is a component, not a labeling function"
cat > twice.lua <<'LUA'
local mp = require "mlpipe"
mp.lf { name = "x", fn = function(r) return mp.ABSTAIN end }
local p = mp.pipeline { name = "u", root = "runs/u" }
local ex = p:add("csv_import", { path = "msgs.csv" })
p:add("apply_lfs", { examples = ex.examples, lfs = { "x", "x" }, classes = { "a", "b" } })
LUA
expect lf_twice_refused 2 "$M" run twice.lua &&
has lf_twice_refused "$OUT" "'x' is named twice"
cat > asnode.lua <<'LUA'
local mp = require "mlpipe"
mp.lf { name = "x", fn = function(r) return mp.ABSTAIN end }
local p = mp.pipeline { name = "u", root = "runs/u" }
p:add("x", {})
LUA
expect lf_not_a_node 2 "$M" run asnode.lua &&
has lf_not_a_node "$OUT" "asnode.lua:4" "'x' is a labeling function (asnode.lua:2), not a node"
cat > nofn.lua <<'LUA'
local mp = require "mlpipe"
mp.lf { name = "x" }
LUA
expect lf_needs_fn 2 "$M" run nofn.lua &&
has lf_needs_fn "$OUT" "nofn.lua:2" "mp.lf 'x' needs 'fn', a function(row)"
bad_lf oneclass 'return "ham"' ''
sed -i 's/classes = { "ham", "spam" }/classes = { "ham", "ham" }/' oneclass.lua
expect duplicate_class_refused 3 "$M" run oneclass.lua &&
has duplicate_class_refused "$OUT" "classes: 'ham' is listed twice"

# Gold labels outside the classes are named with their line.
printf 'x,y\n1,a\n2,b\n3,zz\n' > gold.csv
cat > gold.lua <<'LUA'
local mp = require "mlpipe"
mp.lf { name = "x1", fn = function(r) return r.x > 1 and "a" or mp.ABSTAIN end }
local p = mp.pipeline { name = "g", root = "runs/g" }
local ex = p:add("csv_import", { path = "gold.csv", splits = { train = 1 } })
p:add("apply_lfs", { examples = ex.examples, lfs = { "x1" }, classes = { "a", "b" }, gold = "y" })
p:run {}
LUA
expect gold_outside_classes 3 "$M" run gold.lua &&
has gold_outside_classes "$OUT" "gold 'y' is 'zz' in split 'train' row 3 (gold.csv:4), which is not one of the classes"

# Votes on other Examples than the ones wired: refused, not mislabelled.
cat > other.lua <<LUA
local mp = require "mlpipe"
package.path = "$TMP/?.lua;" .. package.path
local lfs = require "lfs"
local p = mp.pipeline { name = "o", root = "runs/o" }
local a = p:add("csv_import", { path = "$data/breast_cancer.csv", splits = { train = 1 } })
local b = p:add("csv_import", { name = "b", path = "$data/breast_cancer.csv", splits = { train = 1 },
                                 types = { target = "categorical" } })
local L = p:add("apply_lfs", { examples = a.examples, lfs = lfs, classes = { "0", "1" } })
p:add("label_model", { labels = L.labels, examples = b.examples })
p:run {}
LUA
expect other_examples_refused 3 "$M" run other.lua &&
has other_examples_refused "$OUT" "the Labels were cast on Examples 1, not on these (2)"

# An LF shipped in a plugin file: listed as one, applied from a script.
mkdir -p lfplug
cat > lfplug/team_lfs.lua <<'LUA'
local mp = require "mlpipe"
mp.plugin { name = "team_lfs", version = "1.2" }
mp.lf { name = "kw_win", description = "messages that promise a prize",
        fn = function(r) return r.text:find("win", 1, true) and "spam" or mp.ABSTAIN end }
LUA
expect lf_plugin_listed 0 "$M" plugins --plugin-path lfplug
has lf_plugin_listed "$OUT" "team_lfs 1.2 (lua)" "kw_win                 label     labeling function"
expect lf_plugin_detail 0 "$M" plugins kw_win --plugin-path lfplug
has lf_plugin_detail "$OUT" "kw_win  (labeling function, plugin team_lfs 1.2" \
    "messages that promise a prize" "defined at lfplug/team_lfs.lua:3"
cat > useplug.lua <<'LUA'
local mp = require "mlpipe"
mp.plugin_path("lfplug")
local p = mp.pipeline { name = "up", root = "runs/up" }
local ex = p:add("csv_import", { path = "msgs.csv", splits = { train = 1 } })
local r = p:run { } -- ingestion first, then the LF: both ways work
p:add("apply_lfs", { examples = ex.examples, lfs = { "kw_win" }, classes = { "ham", "spam" } })
r = p:run {}
local a = r.nodes.apply_lfs.outputs.labels.properties.analysis.train.lfs[1]
print(string.format("votes %d", a.votes))
LUA
expect lf_plugin_applied 0 "$M" run useplug.lua
want=$(python3 -c '
import csv
rows = list(csv.DictReader(open("msgs.csv")))
print(sum("win" in r["text"] for r in rows))')
has lf_plugin_applied "$OUT" "votes $want"

# ---- labeling functions in C ----------------------------------------------
mkdir -p cplug && cp "$FIXTURES/clfs.so" cplug/
expect c_lfs_listed 0 "$M" plugins --plugin-path cplug
has c_lfs_listed "$OUT" "c_says_free            label     labeling function"
cat > mixed.lua <<'LUA'
local mp = require "mlpipe"
mp.plugin_path("cplug")
mp.lf { name = "lua_free", fn = function(r)
    return r.text:find("free", 1, true) and "spam" or mp.ABSTAIN end }
local p = mp.pipeline { name = "mixed", root = "runs/mixed" }
local ex = p:add("csv_import", { path = "msgs.csv", splits = { train = 1 } })
p:add("apply_lfs", { examples = ex.examples, classes = { "ham", "spam" },
                     lfs = { "lua_free", "c_says_free", "c_few_links" },
                     on_error = os.getenv("ON_ERROR") or "fail" })
local r = p:run {}
if r.status == "ok" then
  local a = r.nodes.apply_lfs.outputs.labels
  print("uri " .. a.uri)
  print("errors " .. a.properties.analysis.train.lfs[3].errors)
end
LUA
# The C LF votes as the Lua one does, row for row; the other fails its
# call on id 4242: named, or counted with on_error = "abstain".
expect c_lf_error_named 3 "$M" run mixed.lua &&
has c_lf_error_named "$OUT" "labeling function 'c_few_links' (" "clfs.so) on row 4243: row 4242 is unreadable" \
    "(row from msgs.csv:4244)"
ON_ERROR=abstain expect c_and_lua_lfs 0 "$M" run mixed.lua &&
"$TABLE_CSV" "$(awk '$1 == "uri" { print $2 }' <<<"$OUT")/train.mlpt" > mixed.csv &&
got=$(python3 - <<'PY'
import csv
rows = list(csv.DictReader(open("msgs.csv")))
got = list(csv.DictReader(open("mixed.csv")))
same = all(g["lua_free"] == g["c_says_free"] for g in got)
want = ["ham" if r["n_links"] == "0" and r["id"] != "4242" else "" for r in rows]
print("ok" if same and len(got) == len(rows) and [g["c_few_links"] for g in got] == want
      else (same, len(got)))
PY
) && [ "$got" = ok ] && has c_and_lua_lfs "$OUT" "errors 1" || fail c_and_lua_lfs "$got"
sed -i 's/"lua_free", "c_says_free", "c_few_links"/"c_bad_vote"/' mixed.lua
expect c_bad_vote_refused 3 "$M" run mixed.lua &&
has c_bad_vote_refused "$OUT" "labeling function 'c_bad_vote' (" "on row 3: voted class index 7, which is neither one of the classes (ham, spam) nor MLP_ABSTAIN"

# Many labeling functions in one apply (each takes a slot of the worker's
# Lua stack): 150 of them, every vote right.
cat > many.lua <<'LUA'
local mp = require "mlpipe"
local names = {}
for i = 1, 150 do
  names[i] = mp.lf { name = "lf_" .. i, fn = function(r)
      if r.id % 150 == i - 1 then return "spam" end
      return r.id % 2 == 0 and "ham" or mp.ABSTAIN end }
end
local p = mp.pipeline { name = "many", root = "runs/many" }
local ex = p:add("csv_import", { path = "msgs.csv", splits = { train = 1 } })
local r = p:add("apply_lfs", { examples = ex.examples, lfs = names, classes = { "ham", "spam" } })
local res = p:run {}
local a = res.nodes.apply_lfs.outputs.labels.properties.analysis.train
local spam, ham = 0, 0
for _, l in ipairs(a.lfs) do
  for _, c in ipairs(l.polarity) do if c == "spam" then spam = spam + 1 end end
end
print(string.format("lfs %d spam_polarity %d coverage %.6f", #a.lfs, spam, a.lfs[1].coverage))
LUA
# lf_1 votes spam on ids 0, 150, ... (200 rows) and ham on the other even ids.
want=$(python3 -c 'print("%.6f" % ((200 + sum(1 for i in range(30000) if i % 2 == 0 and i % 150 != 0)) / 30000))')
expect many_lfs 0 "$M" run many.lua &&
has many_lfs "$OUT" "lfs 150 spam_polarity 150 coverage $want"

# A misspelt key of mp.lf, and a class balance given to majority vote.
cat > lfkey.lua <<'LUA'
local mp = require "mlpipe"
mp.lf { name = "x", func = function(r) return mp.ABSTAIN end }
LUA
expect lf_unknown_key 2 "$M" run lfkey.lua &&
has lf_unknown_key "$OUT" "lfkey.lua:2" "mp.lf: unknown key 'func' (name, fn, description)"
sed 's/method = "majority", tie_break = "random", seed = 5/method = "majority", class_balance = { ["0"] = 1, ["1"] = 1 }/' bc.lua |
    sed 's/root = "runs\/bc"/root = "runs\/bcbal"/' > bcbal.lua
expect majority_takes_no_balance 3 "$M" run bcbal.lua &&
has majority_takes_no_balance "$OUT" "class_balance: majority vote takes no class balance"

# An LF's body edited in the script (no captured value changes): its file
# is part of the fingerprint, so apply_lfs runs again.
cat > body.lua <<'LUA'
local mp = require "mlpipe"
mp.lf { name = "body", fn = function(r) return r.n_links ~= nil and r.n_links > 5 and "spam" or mp.ABSTAIN end }
local p = mp.pipeline { name = "body", root = "runs/body" }
local ex = p:add("csv_import", { path = "msgs.csv", splits = { train = 1 } })
p:add("apply_lfs", { examples = ex.examples, lfs = { "body" }, classes = { "ham", "spam" } })
p:run {}
LUA
expect body_first 0 "$M" run body.lua
sed -i 's/r.n_links > 5/r.n_links > 4/' body.lua
expect body_edit_reruns 0 "$M" run body.lua &&
has body_edit_reruns "$OUT" "ran      apply_lfs"

# The weak supervision example, from another directory: the label model
# beats majority vote on the train rows, and a model trained on its
# probabilities alone scores above 0.9 on the real eval labels.
mkdir -p elsewhere && cd elsewhere
expect weak_example_runs 0 "$M" run "$MLPIPE_TOP/examples/weak_supervision/pipeline.lua"
cd "$TMP"
got=$(python3 - <<PY
import re
out = """$OUT"""
lm = re.search(r"label model: ([0-9.]+) of \d+ train rows right \(majority vote ([0-9.]+)\)", out)
ws = re.search(r"weakly_supervised +eval accuracy ([0-9.]+)", out)
print("ok" if lm and ws and float(lm.group(1)) >= float(lm.group(2)) and float(ws.group(1)) > 0.9
      else out[-600:])
PY
)
[ "$got" = ok ] && pass weak_example_numbers || fail weak_example_numbers "$got"

# splits: only those labelled; one the Examples lack is refused.
msgs only 1 ', splits = { "eval" }'
expect only_eval 0 "$M" run only.lua &&
got=$(python3 -c '
import json
p = json.load(open("apply_lfs.labels.json"))["properties"]
print("ok" if p["splits"] == ["eval"] and list(p["analysis"]) == ["eval"] else p["splits"])') &&
[ "$got" = ok ] && pass only_named_splits || fail only_named_splits "$got"
msgs nosplit 1 ', splits = { "test" }'
expect unknown_split_refused 3 "$M" run nosplit.lua &&
has unknown_split_refused "$OUT" "splits: the Examples have no split 'test'"

# Numbers name classes by their text: 2.0 names "2", 1.5 names "1.5".
cat > numclass.lua <<'LUA'
local mp = require "mlpipe"
mp.lf { name = "num", fn = function(r)
    local m = r.id % 3
    if m == 0 then return 2.0 elseif m == 1 then return 1.5 end
    return 1 end }
local p = mp.pipeline { name = "numclass", root = "runs/numclass" }
local ex = p:add("csv_import", { path = "msgs.csv", splits = { train = 1 } })
local r = p:add("apply_lfs", { examples = ex.examples, lfs = { "num" }, classes = { "1", "1.5", "2" } })
local res = p:run {}
local l = res.nodes.apply_lfs.outputs.labels.properties.analysis.train.lfs[1]
print("polarity " .. table.concat(l.polarity, ",") .. " votes " .. l.votes)
LUA
expect numbers_name_classes 0 "$M" run numclass.lua &&
has numbers_name_classes "$OUT" "polarity 1,1.5,2 votes 30000"
