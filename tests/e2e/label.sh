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
if a["rows"] != fx["rows"] or abs(a["coverage"] - fx["coverage"]) > 1e-12:
    bad.append(("split", a["rows"], a["coverage"]))
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
