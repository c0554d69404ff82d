# select_features and apply_selection: scores and selections against
# scikit-learn's (fixtures from tests/data/make_score_fixtures.py), the
# filters, missing values, the view, and every refusal naming what is
# wrong.
. "$(dirname "$0")/../lib.sh"
data=$MLPIPE_TOP/tests/data

# pipe NAME CSV LABEL-OPTS SELECT-OPTS: a pipeline ingesting CSV into one
# split and selecting on it, applying the selection.
pipe() {
    cat > "$1.lua" <<LUA
local mp = require "mlpipe"
local p = mp.pipeline { name = "$1", root = "runs/$1" }
local ex = p:add("csv_import", { path = "$2", splits = { train = 1 }, $3 })
local s = p:add("select_features", { examples = ex.examples, $4 })
p:add("apply_selection", { examples = ex.examples, selection = s.selection })
local r = p:run {}
print("uri", r.nodes.select_features.outputs.selection.uri)
print("applied", r.nodes.apply_selection.outputs.examples.uri)
LUA
}
uri() { awk '$1 == "uri" { print $2 }' <<<"$OUT"; }
applied() { awk '$1 == "applied" { print $2 }' <<<"$OUT"; }

# check NAME SELECTION.JSON PYTHON: runs PYTHON with `d` the selection and
# `fx(name)` a fixture; it prints "ok" or why not.
check() {
    local got
    got=$(python3 - "$2" "$data/fixtures" 2>&1 <<PY
import json, math, sys
d = json.load(open(sys.argv[1]))
def fx(n): return json.load(open(sys.argv[2] + "/" + n))
feat = {f["name"]: f for f in d["features"]}
def close(a, b, tol=1e-9):
    if b is None: return a is None
    return a is not None and abs(a - b) <= tol * max(abs(b), 1e-300)
$3
PY
)
    [ "$got" = ok ] && pass "$1" || fail "$1" "$got"
}

# chi2 and F against scikit-learn on breast_cancer: every score and
# p-value to 1e-9 relative, and the same ten best.
pipe bc "$data/breast_cancer.csv" 'label = "target", types = { target = "categorical" }' \
    'score = "chi2", k = 10'
expect chi2_runs 0 "$M" run bc.lua && check chi2_matches_sklearn "$(uri)/selection.json" '
r = fx("breast_cancer_scores.json")
bad = [n for i, n in enumerate(r["features"])
       if not close(feat[n]["score"], r["chi2"][i]) or not close(feat[n]["pvalue"], r["chi2_p"][i])]
top = sorted(r["features"][i] for i in r["chi2_top10"])
if bad: print("differ:", bad)
elif sorted(d["selected"]) != top: print("selected", d["selected"], "sklearn", top)
elif [feat[n]["rank"] for n in [r["features"][i] for i in r["chi2_top10"]]] != list(range(1, 11)):
    print("ranks", [feat[r["features"][i]]["rank"] for i in r["chi2_top10"]])
else: print("ok")'
# Integers stored in a byte or two are counted per class, not summed row
# by row: chi2 and F from those counts against scikit-learn's, over a
# row count the four interleaved histograms do not divide.
ints_case() {  # NAME SCORE FEATURES FIXTURE-NAMES FIXTURE-SCORES FIXTURE-PVALUES COUNT
    pipe "$1" "$data/small_ints.csv" 'label = "y", types = { y = "categorical" }' \
        "score = \"$2\", mode = \"all\", features = $3"
    expect "$1_runs" 0 "$M" run "$1.lua" && check "$1_matches_sklearn" "$(uri)/selection.json" "
r = fx('small_ints_scores.json')
bad = [(n, feat[n]['score'], r['$5'][i]) for i, n in enumerate(r['$4'])
       if not close(feat[n]['score'], r['$5'][i]) or not close(feat[n]['pvalue'], r['$6'][i])]
print('differ: %s' % bad if bad or len(feat) != $7 else 'ok')"
}
ints_case ints_chi2 chi2 '{ "px_*", "w16" }' chi2_features chi2 chi2_p 4
ints_case ints_f f_classif '{}' features f f_p 6

# Missing values, each feature its own pattern: every score is over the
# rows that feature has (scikit-learn's on those rows), for classes and
# for a numeric label.
gaps_case() {  # NAME CSV LABEL-OPTS SCORE
    pipe "$1" "$data/$2.csv" "$3" "score = \"$4\", mode = \"all\""
    expect "$1_runs" 0 "$M" run "$1.lua" && check "$1_matches_sklearn" "$(uri)/selection.json" "
r = fx('gaps_scores.json')['$2']
bad = [(n, feat[n]['score'], r['score'][i]) for i, n in enumerate(r['features'])
       if not close(feat[n]['score'], r['score'][i]) or not close(feat[n]['pvalue'], r['pvalue'][i])]
print('differ: %s' % bad if bad or len(feat) != 6 else 'ok')"
}
gaps_case gaps_f gaps_classes 'label = "target", types = { target = "categorical" }' f_classif
gaps_case gaps_reg gaps_values 'label = "target"' f_regression

expect applied_show 0 "$M" show 3 --root runs/bc &&
has applied_keeps_selected_and_label "$OUT" "columns (11)" "worst_area" "target (label)" &&
lacks applied_drops_the_rest "$OUT" "mean_smoothness" "symmetry_error"
expect view_ranking 0 "$M" show 2 --root runs/bc &&
has view_ranking "$OUT" "10 of 30 features kept: score chi2, mode k_best (k = 10)" \
    "label target (classification, 569 rows)" "      1  worst_area" "  kept" \
    "     11  worst_concavity" "dropped_score"

pipe bcf "$data/breast_cancer.csv" 'label = "target", types = { target = "categorical" }' \
    'score = "f_classif", mode = "percentile", percentile = 50'
expect f_runs 0 "$M" run bcf.lua && check f_percentile_matches_sklearn "$(uri)/selection.json" '
r = fx("breast_cancer_scores.json")
bad = [n for i, n in enumerate(r["features"])
       if not close(feat[n]["score"], r["f"][i]) or not close(feat[n]["pvalue"], r["f_p"][i], 1e-9)]
# SelectPercentile(50) keeps the 15 best
order = sorted(range(30), key=lambda i: -r["f"][i])
want = sorted(r["features"][i] for i in order[:15])
print("differ: %s" % bad if bad else "ok" if sorted(d["selected"]) == want else "selected %s" % d["selected"])'

# Mutual information: nine of scikit-learn's ten best (seed 0 each).
pipe bcm "$data/breast_cancer.csv" 'label = "target", types = { target = "categorical" }' \
    'score = "mutual_info_classif", k = 10, seed = 0'
expect mi_runs 0 "$M" run bcm.lua && check mi_nine_of_ten "$(uri)/selection.json" '
r = fx("mutual_info.json")["breast_cancer"]
names = fx("breast_cancer_scores.json")["features"]
want = set(names[i] for i in r["top10"])
n = len(want & set(d["selected"]))
print("ok" if n >= 9 and "pvalue" not in feat[names[0]] else "%d of ten" % n)'

# A numeric label: f_regression on diabetes, scikit-learn's to 1e-9.
pipe dia "$data/diabetes.csv" 'label = "target"' 'score = "f_regression", mode = "fwe", alpha = 0.01'
expect f_regression_runs 0 "$M" run dia.lua && check f_regression_matches_sklearn "$(uri)/selection.json" '
r = fx("diabetes_scores.json")
bad = [n for i, n in enumerate(r["features"])
       if not close(feat[n]["score"], r["f"][i]) or not close(feat[n]["pvalue"], r["f_p"][i])]
want = sorted(n for i, n in enumerate(r["features"]) if r["f_p"][i] < 0.01 / 10)
print("differ: %s" % bad if bad else "ok" if sorted(d["selected"]) == want and d["task"] == "regression"
      else "selected %s want %s" % (d["selected"], want))'

# Filters, missing values and a categorical feature, on data made here:
# x2 follows x1 (r about 0.99) but less closely the label; k is constant;
# m has gaps; city is categorical.
python3 - <<'PY'
import random
random.seed(5)
cities = ["oslo", "rome", "lima"]
with open("f.csv", "w") as f:
    f.write("id,x1,x2,x3,k,m,city,y\n")
    for i in range(400):
        y = random.randint(0, 1)
        x1 = y * 2 + random.gauss(0, 1)
        x2 = x1 + random.gauss(0, 0.15)
        x3 = random.gauss(0, 1)
        m = "" if i % 7 == 0 else "%.4f" % (x3 * 0.5 + random.gauss(0, 0.6))
        city = cities[(i * 7 + y) % 3] if i % 11 else ""
        f.write("%d,%.6f,%.6f,%.6f,5,%s,%s,%d\n" % (i, x1, x2, x3, m, city, y))
PY
pipe flt f.csv 'label = "y", types = { y = "categorical" }' \
    'score = "chi2", mode = "all", exclude = { "id", "x*" }, features = { ":numeric", "city", "x1", "x2", "x3" }, variance_threshold = 0, correlation_threshold = 0.9'
expect filters_negative_chi2 2 "$M" run flt.lua &&
has filters_negative_chi2 "$OUT" "feature 'm', row 2 of split 'train' (f.csv:3): chi2 needs values >= 0"
pipe flt f.csv 'label = "y", types = { y = "categorical" }' \
    'score = "mutual_info_classif", mode = "all", exclude = { "id" }, variance_threshold = 0, correlation_threshold = 0.9'
expect filters_run 0 "$M" run flt.lua && check filters_as_built "$(uri)/selection.json" '
import csv
rows = list(csv.DictReader(open("f.csv")))
def r(a, b):
    p = [(float(x[a]), float(x[b])) for x in rows if x[a] != "" and x[b] != ""]
    n = len(p); ma = sum(u for u, _ in p) / n; mb = sum(v for _, v in p) / n
    sab = sum((u - ma) * (v - mb) for u, v in p)
    return sab / math.sqrt(sum((u - ma) ** 2 for u, _ in p) * sum((v - mb) ** 2 for _, v in p))
want_r = r("x1", "x2")
import re
m = re.search(r"r = ([-0-9.e]+)", feat["x2"]["reason"])
if feat["k"]["status"] != "dropped_variance": print("k", feat["k"])
elif feat["x2"]["status"] != "dropped_correlation" or "x1" not in feat["x2"]["reason"]: print("x2", feat["x2"])
elif not m or abs(float(m.group(1)) - want_r) > 1e-3: print("r", m and m.group(1), want_r)
elif feat["m"]["missing"] != 58 or feat["m"]["rows"] != 342: print("m", feat["m"])
elif feat["city"]["type"] != "categorical" or feat["city"]["rows"] != 400 - 37: print("city", feat["city"])
elif sorted(d["selected"]) != ["city", "m", "x1", "x3"]: print("selected", d["selected"])
elif "id" in feat or feat["x1"]["label_association"] <= feat["x2"]["label_association"]: print("assoc")
else: print("ok")'

# Pairwise-complete correlation with gaps: m against x3 over the rows m has.
pipe gap f.csv 'label = "y", types = { y = "categorical" }' \
    'score = "none", features = { "x3", "m" }, correlation_threshold = 0.5'
expect gaps_run 0 "$M" run gap.lua && check correlation_pairwise_complete "$(uri)/selection.json" '
import csv, re
rows = [x for x in csv.DictReader(open("f.csv")) if x["m"] != ""]
a = [float(x["x3"]) for x in rows]; b = [float(x["m"]) for x in rows]
ma, mb = sum(a) / len(a), sum(b) / len(b)
want = sum((u - ma) * (v - mb) for u, v in zip(a, b)) / math.sqrt(sum((u - ma) ** 2 for u in a) * sum((v - mb) ** 2 for v in b))
dropped = [f for f in d["features"] if f["status"] == "dropped_correlation"]
m = dropped and re.search(r"r = ([-0-9.e]+)", dropped[0]["reason"])
print("ok" if m and abs(float(m.group(1)) - want) < 1e-3 else "got %s want %s" % (dropped, want))'

# Categorical chi2: Pearson's test of independence of the table.
pipe cat f.csv 'label = "y", types = { y = "categorical" }' 'score = "chi2", features = { "city" }, k = 1'
expect categorical_chi2_runs 0 "$M" run cat.lua && check categorical_chi2 "$(uri)/selection.json" '
import csv
rows = [x for x in csv.DictReader(open("f.csv")) if x["city"] != ""]
cells = {}
for x in rows: cells[(x["city"], x["y"])] = cells.get((x["city"], x["y"]), 0) + 1
cs = sorted(set(c for c, _ in cells)); ys = sorted(set(y for _, y in cells)); n = len(rows)
rt = {c: sum(cells.get((c, y), 0) for y in ys) for c in cs}; ct = {y: sum(cells.get((c, y), 0) for c in cs) for y in ys}
chi = sum((cells.get((c, y), 0) - rt[c] * ct[y] / n) ** 2 / (rt[c] * ct[y] / n) for c in cs for y in ys)
# dof 2: the tail is exp(-x/2)
print("ok" if close(feat["city"]["score"], chi) and close(feat["city"]["pvalue"], math.exp(-chi / 2), 1e-9)
      else "%s want %s" % (feat["city"], chi))'

# Refusals, each naming what is wrong.
pipe e1 "$data/iris.csv" 'label = "target"' 'k = 5'
expect k_too_large 2 "$M" run e1.lua &&
has k_too_large "$OUT" "k = 5, but 4 features are left to rank (4 candidates, 0 dropped by the filters)"
pipe e2 "$data/iris.csv" 'label = "target"' 'features = { "petal_length_cm", "sepal_area" }'
expect unknown_feature 2 "$M" run e2.lua &&
has unknown_feature "$OUT" "features: 'sepal_area' is no column of split 'train' (its columns: sepal_length_cm,"
pipe e3 "$data/iris.csv" 'label = "target"' 'features = { "petal*", "zz*" }'
expect pattern_matches_nothing 2 "$M" run e3.lua && has pattern_matches_nothing "$OUT" "features: 'zz*' matches no column"
pipe e4 f.csv 'label = "y"' 'score = "f_classif", features = { "city", "x1" }'
expect f_on_categorical 2 "$M" run e4.lua &&
has f_on_categorical "$OUT" "feature 'city' (from features entry 'city') is a categorical column: this score needs numbers"
# refuse NAME LABEL-OPTS SELECT-OPTS NEEDLE: selecting on f.csv fails
# with a message holding NEEDLE.
refuse() {
    pipe "$1" f.csv "$2" "$3"
    expect "$1" 2 "$M" run "$1.lua" && has "$1" "$OUT" "$4"
}
refuse mi_has_no_pvalues 'label = "y"' 'score = "mutual_info_classif", mode = "fdr"' "mode fdr keeps features by p-value, and mutual_info_classif has none"
pipe e6 f.csv 'label = "city"' 'score = "f_regression"'
expect regression_on_categorical_label 2 "$M" run e6.lua &&
has regression_on_categorical_label "$OUT" "label 'city' is a categorical column: a regression score needs a numeric label"
pipe e7 f.csv 'label = "y"' 'label = "x1", score = "chi2"'
expect decimal_label_for_classes 2 "$M" run e7.lua &&
has decimal_label_for_classes "$OUT" "label 'x1' in split 'train': row 1: 1.9081429999999999 is not a class (classes are integers or categories); for a numeric target use f_regression"
pipe e8 f.csv 'label = "y"' 'split = "eval"'
expect missing_split 2 "$M" run e8.lua && has missing_split "$OUT" "split: the Examples at" "have no split 'eval' (they have 'train')"
refuse no_label '' 'k = 2' "no label to score features against"
refuse label_not_a_column 'label = "y"' 'label = "nope"' "label 'nope' is not a column of split 'train'"
refuse label_as_feature 'label = "y"' 'features = { "y" }' "features: 'y' is the label"
# The first entry that takes a column is the one named, pattern or name.
refuse first_entry_pattern 'label = "y"' 'score = "f_classif", features = { "ci*", "x1", "city" }' "feature 'city' (from features entry 'ci*') is a categorical column"
refuse first_entry_name 'label = "y"' 'score = "f_classif", features = { "x1", "city", "ci*" }' "feature 'city' (from features entry 'city') is a categorical column"
pipe e22 f.csv 'label = "y"' 'score = "f_classif", features = { "x*", "m", "k" }, exclude = { "k", "x?" }, mode = "all"'
expect exclude_name_and_pattern 0 "$M" run e22.lua && check exclude_name_and_pattern_leave_m "$(uri)/selection.json" '
assert sorted(feat) == ["m"], sorted(feat)
print("ok")'
# Settings that the chosen mode would ignore are refused, not dropped.
refuse none_with_k 'label = "y"' 'score = "none", k = 3' "k: score none ranks nothing, so it keeps every feature the filters pass"
refuse none_with_mode 'label = "y"' 'score = "none", mode = "k_best"' "mode k_best ranks features by score, and score none gives none"
refuse k_with_percentile 'label = "y"' 'mode = "percentile", k = 3' "k: not a setting of mode percentile"
refuse percentile_with_fdr 'label = "y"' 'mode = "fdr", percentile = 20' "percentile: not a setting of mode fdr"
refuse threshold_missing 'label = "y"' 'mode = "threshold"' "mode threshold needs threshold"
refuse alpha_with_k_best 'label = "y"' 'mode = "k_best", alpha = 0.1' "alpha: not a setting of mode k_best"
pipe e18 f.csv 'label = "y"' 'mode = "fwe", alpha = 0.1'
expect alpha_with_fwe 0 "$M" run e18.lua
pipe e19 f.csv 'label = "y"' 'score = "none"'
expect none_keeps_all 0 "$M" run e19.lua && check none_keeps_all_features "$(uri)/selection.json" '
assert d["mode"] == "all" and all(f["status"] == "kept" for f in d["features"]), d["mode"]
print("ok")'

# The report as a person sees it (headless Chromium): the ranking in
# order, and re-ordered by name when the reader picks that order.
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
    fail select_report_browser "no chromium: scripts/setup installs Debian's chromium"
    exit 0
fi
expect select_report 0 "$M" report latest -o report.html --root runs/bc
{ sed 's|<meta http-equiv="Content-Security-Policy"[^>]*>||' report.html; cat <<'JS'; } > probe.html
<script>
const q = s => [...document.querySelectorAll(s)];
const seen = () => q('tr.sorted').map(r => [r.cells[0].getBoundingClientRect().top, r])
    .sort((a, b) => a[0] - b[0]).map(x => x[1].cells[1].textContent + '=' + x[1].cells[4].textContent);
const ranked = seen().slice(0, 12).join('|');
const b = q('input.by1')[0]; if (b) b.click();
const named = seen().slice(0, 3).join('|');
document.body.innerHTML = '<pre id="probe"></pre>';
document.getElementById('probe').textContent = 'RANKED ' + ranked + '\nNAMED ' + named +
    '\nSTATUS ' + document.title;
</script>
JS
timeout 120 "$browser" --headless --no-sandbox --disable-gpu --user-data-dir="$TMP/chrome" \
    --dump-dom "file://$TMP/probe.html" > dom.html 2>/dev/null
has select_report_ranking "$(cat dom.html)" \
    "RANKED worst_area=kept|mean_area=kept|area_error=kept|worst_perimeter=kept" \
    "mean_texture=kept|worst_concavity=dropped_score|radius_error=dropped_score" \
    "NAMED area_error=kept|compactness_error=dropped_score|concave_points_error=dropped_score"

# From a hostile test.  Scores do not change with an offset: a column of
# small integers and the same plus 1e15 (every value exact) score alike,
# and are correlated at exactly 1.
python3 - <<'PY'
import random
random.seed(3)
with open("prec.csv", "w") as f:
    f.write("a,big,huge,tiny,y\n")
    for i in range(1000):
        y = random.randint(0, 1); v = random.randint(0, 9) + y
        g = random.gauss(0, 1) + y
        f.write("%d,%d,%.17g,%.17g,%d\n" % (v, 10**15 + v, g * 1e200, g * 1e-200, y))
PY
pipe prec prec.csv 'label = "y", types = { y = "categorical" }' 'score = "f_classif", mode = "all", features = { "a", "big", "huge", "tiny" }'
expect offset_runs 0 "$M" run prec.lua && check offset_and_scale_invariant "$(uri)/selection.json" '
a, big, huge, tiny = (feat[n] for n in ("a", "big", "huge", "tiny"))
ok = close(big["score"], a["score"], 1e-9) and close(big["variance"], a["variance"], 1e-9) and \
     close(tiny["score"], huge["score"], 1e-9) and huge["score"] > 10
print("ok" if ok else [(f["name"], f["score"], f["variance"]) for f in (a, big, huge, tiny)])'
pipe precc prec.csv 'label = "y", types = { y = "categorical" }' 'score = "f_classif", mode = "all", features = { "a", "big" }, correlation_threshold = 0.99'
expect offset_corr_runs 0 "$M" run precc.lua && check offset_correlation "$(uri)/selection.json" '
print("ok" if feat["big"]["status"] == "dropped_correlation" or feat["a"]["status"] == "dropped_correlation" else d["features"])'

# apply_selection keeps the Examples' own label, even when a selection
# scored against another column dropped it.
pipe keeplab f.csv 'label = "y"' 'label = "x1", score = "f_regression", features = { "x2", "y" }, k = 1'
expect keep_label_runs 0 "$M" run keeplab.lua && expect keep_label_show 0 "$M" show 3 --root runs/keeplab &&
has keep_label "$OUT" "y (label)"

# Integer labels beyond 32 bits are classes; an infinite value is refused
# by the filters as by the scores; too few rows for n_neighbors is said.
printf 'x,z,y\n' > bigint.csv
for i in $(seq 1 40); do echo "$i,$((i % 7)),$((4294967296 + i % 2))" >> bigint.csv; done
pipe bigint bigint.csv 'label = "y"' 'k = 1, score = "f_classif"'
expect int64_label_classes 0 "$M" run bigint.lua
printf 'x,z,y\n1,inf,0\n2,3,1\n3,1,0\n4,2,1\n' > inf.csv
pipe infnone inf.csv 'label = "y"' 'score = "none", variance_threshold = 0'
expect inf_filters_refused 2 "$M" run infnone.lua &&
has inf_filters_refused "$OUT" "the variance and correlation filters needs finite values, not inf" "feature 'z', row 1 of split 'train' (inf.csv:2): "
pipe fewrows bigint.csv 'label = "y"' 'label = "x", score = "mutual_info_regression", k = 1, n_neighbors = 100'
expect mi_too_few_rows 2 "$M" run fewrows.lua &&
has mi_too_few_rows "$OUT" "has 40 rows with a value and the label in split 'train'; mutual information with n_neighbors = 100 needs more"

# A column whose name has glob characters is named exactly.
printf 'a[1],a?,ab,y\n1,2,3,0\n2,1,3,1\n3,3,1,0\n4,2,2,1\n5,1,1,0\n6,4,2,1\n' > glob.csv
pipe glob glob.csv 'label = "y", types = { y = "categorical" }' 'features = { "a[1]", "a?" }, mode = "all"'
expect glob_names_runs 0 "$M" run glob.lua && check glob_names_exact "$(uri)/selection.json" '
print("ok" if sorted(feat) == ["a?", "a[1]"] else sorted(feat))'

# The terminal view cuts long names at a character, marked, and pads by
# characters, not bytes.
printf 'größe_größe_größe_größe_größe,日本語,sensor_temperature_reading_evening,y\n' > wide_names.csv
for i in $(seq 1 20); do echo "$i,$((i * 3 % 7)),$((i % 5)),$((i % 2))" >> wide_names.csv; done
pipe names wide_names.csv 'label = "y", types = { y = "categorical" }' 'mode = "all"'
expect names_runs 0 "$M" run names.lua && expect names_view 0 "$M" show 2 --root runs/names
python3 - "$OUT" > names.txt <<'PY'
import sys
rows = [l for l in sys.argv[1].splitlines() if l.endswith("  kept")]
widths = {len(l) for l in rows}  # characters: the same when padding counts characters
cut = any("größe_größe_größe_größe~" in l for l in rows)
evening = any("sensor_temperature_read~" in l for l in rows)
print("ok" if len(rows) == 3 and len(widths) == 1 and cut and evening else rows)
PY
has view_names_by_character "$(cat names.txt)" "ok"

# Integer classes beyond 2^53 are two classes, not one (a double holds
# both as 2^53): x = 1,2,3 against 4,5,6 gives F = 13.5 exactly.
printf 'x,y\n1,9007199254740992\n2,9007199254740992\n3,9007199254740992\n4,9007199254740993\n5,9007199254740993\n6,9007199254740993\n' > big.csv
pipe big big.csv 'label = "y"' 'score = "f_classif", mode = "all"'
expect big_labels_run 0 "$M" run big.lua &&
check big_labels_are_two_classes "$(uri)/selection.json" '
assert d["classes"] == [9007199254740992, 9007199254740993], d["classes"]
assert close(feat["x"]["score"], 13.5, 1e-12), feat["x"]["score"]
print("ok")'

# Subnormal values (k * 1e-320) score as their integers k do: F is
# unchanged by scale, and the scale that normalises them stays finite.
printf 'x,y\n' > sub.csv; printf 'x,y\n' > subk.csv
for k in 2 3 4 5 6 9 7 8 12 11 3 5 6 4 9 10; do
    echo "${k}e-320,$((k % 3 == 0))" >> sub.csv; echo "$k,$((k % 3 == 0))" >> subk.csv
done
pipe sub sub.csv 'label = "y"' 'score = "f_classif", mode = "all"'
expect subnormal_runs 0 "$M" run sub.lua && subsel=$(uri)
pipe subk subk.csv 'label = "y"' 'score = "f_classif", mode = "all"'
expect subnormal_ints_run 0 "$M" run subk.lua &&
check subnormal_scores_as_ints "$subsel/selection.json" "
k = json.load(open('$(uri)/selection.json'))['features'][0]
assert feat['x']['score'] is not None and close(feat['x']['score'], k['score'], 1e-9), (feat['x']['score'], k['score'])
assert close(feat['x']['pvalue'], k['pvalue'], 1e-9)
print('ok')"

# Mutual information: a constant feature's score is undefined (null,
# ranked last), a feature near 1e300 scores as the same feature near 1
# (its deviation no longer overflows), and n_neighbors must be below the
# rows for classes too.
python3 - > mi.csv <<'PY'
import random
random.seed(9)
print("unit,huge,const,y")
for i in range(300):
    y = i % 2
    u = y * 3 + random.gauss(0, 1)
    print("%r,%r,5,%d" % (u, u * 2.0 ** 996, y))
PY
pipe mi mi.csv 'label = "y"' 'score = "mutual_info_classif", mode = "all", seed = 4'
expect mi_runs 0 "$M" run mi.lua && check mi_constant_and_scale "$(uri)/selection.json" '
assert feat["const"]["score"] is None and feat["const"]["rank"] == 3, feat["const"]
assert feat["unit"]["score"] > 0.3 and feat["huge"]["score"] == feat["unit"]["score"], (feat["unit"]["score"], feat["huge"]["score"])
print("ok")'
refuse mi_classif_too_few_rows 'label = "y"' 'score = "mutual_info_classif", n_neighbors = 1000, mode = "all"' \
    "has 400 rows with a value and the label in split 'train'; mutual information with n_neighbors = 1000 needs more"

# A split without rows is said to be empty, not to miss its label.
printf 'x,y\n1,0\n2,1\n3,0\n' > tiny.csv
cat > empty.lua <<'LUA'
local mp = require "mlpipe"
local p = mp.pipeline { name = "empty", root = "runs/empty" }
local ex = p:add("csv_import", { path = "tiny.csv", label = "y", splits = { train = 1000000, eval = 1 }, split_key = "x" })
p:add("select_features", { examples = ex.examples, split = "eval", score = "f_classif", mode = "all" })
p:run {}
LUA
expect empty_split 3 "$M" run empty.lua && has empty_split "$OUT" "split 'eval' has no rows to score features on"

# Over several row groups (64 KB pieces of 3,000 rows): a clean column is
# scored from its groups as stored, a column missing one value late is
# gathered instead, and a negative value late in a chi2 column is named
# by its row and line.  Scores against exact rational arithmetic.
python3 - > rg.csv <<'PY'
print("id,f,g,h,y")
for i in range(3000):
    f = "%d.%03d" % ((i * 37) % 101, (i * 7) % 1000)
    g = "" if i == 2500 else "%d.5" % ((i * 11) % 23 + (i % 3) * 4)
    h = "-1.5" if i == 2700 else str(i % 5)
    print("%d,%s,%s,%s,%d" % (i, f, g, h, (i * 13) % 3))
PY
rgcheck='
import csv
from fractions import Fraction as Q
rows = list(csv.DictReader(open("rg.csv")))
def ref(col, score):
    xs = [(Q(r[col]), r["y"]) for r in rows if r[col] != ""]
    n = len(xs); ks = sorted({y for _, y in xs})
    cnt = {k: sum(1 for _, y in xs if y == k) for k in ks}
    s = {k: sum(x for x, y in xs if y == k) for k in ks}
    tot = sum(s.values())
    if score == "chi2":
        return float(sum((s[k] - cnt[k] * tot / n) ** 2 / (cnt[k] * tot / n) for k in ks))
    mean = tot / n
    ssb = sum(cnt[k] * (s[k] / cnt[k] - mean) ** 2 for k in ks)
    ssw = sum((x - s[y] / cnt[y]) ** 2 for x, y in xs)
    return float((ssb / (len(ks) - 1)) / (ssw / (n - len(ks))))
'
for score in chi2 f_classif; do
    feats='"f", "g"'
    [ $score = f_classif ] && feats='"f", "g", "h"'
    pipe "rg_$score" rg.csv 'label = "y", types = { y = "categorical" }, parser = "general", chunk_bytes = 4096' \
        "score = \"$score\", mode = \"all\", features = { $feats }"
    expect "groups_${score}_runs" 0 "$M" run "rg_$score.lua" &&
    check "groups_${score}_exact" "$(uri)/selection.json" "$rgcheck
bad = [(c, feat[c][\"score\"], ref(c, \"$score\")) for c in [$feats]
       if not close(feat[c][\"score\"], ref(c, \"$score\"), 1e-12)]
if feat[\"g\"][\"missing\"] != 1 or feat[\"f\"][\"missing\"] != 0: print(\"missing\", feat[\"g\"])
else: print(bad or \"ok\")"
done
pipe rg_neg rg.csv 'label = "y", types = { y = "categorical" }, parser = "general", chunk_bytes = 4096' \
    'score = "chi2", mode = "all", features = { "f", "h" }'
expect groups_negative_refused 2 "$M" run rg_neg.lua &&
has groups_negative_named "$OUT" "feature 'h', row 2701 of split 'train' (rg.csv:2702)" "needs values >= 0"

# Sums that must not round below zero or overflow (a third hostile round):
# chi2 of fractions where one class holds only zeros, the first value not
# zero (it used to be refused as "a sum >= 0, not -4e-13"); chi2 of a
# large constant is 0 with p-value 1 (it used to score 1.8e122 and rank
# first); F of values from -1e308 to 1e308 (it used to fail as "-nan").
python3 - > negsum.csv <<'PY'
print("x,big,lab")
for i in range(200):
    lab = i % 3 != 1
    x = [0.1, 0.2, 0.3, 0.7][i % 4] if lab else 0
    print("%s,1e150,%d" % (x, lab))
PY
pipe negsum negsum.csv 'label = "lab", types = { lab = "categorical" }' 'score = "chi2", mode = "all"'
expect negsum_runs 0 "$M" run negsum.lua &&
check negsum_scores "$(uri)/selection.json" '
import csv
from fractions import Fraction as Q
rows = list(csv.DictReader(open("negsum.csv")))
n = len(rows); ks = sorted({r["lab"] for r in rows})
cnt = {k: sum(1 for r in rows if r["lab"] == k) for k in ks}
s = {k: sum(Q(r["x"]) for r in rows if r["lab"] == k) for k in ks}
tot = sum(s.values())
want = float(sum((s[k] - cnt[k] * tot / n) ** 2 / (cnt[k] * tot / n) for k in ks))
if not close(feat["x"]["score"], want, 1e-12): print("x", feat["x"]["score"], want)
elif feat["big"]["score"] != 0 or feat["big"]["pvalue"] != 1: print("big", feat["big"])
else: print("ok")'
python3 - > spread.csv <<'PY'
print("x,lab")
for i in range(300):
    print("%r,%d" % ([-1e308, 0.0, 1e308][(i * 7) % 3] * (1 if i % 5 else 0.5), i % 3))
PY
pipe spread spread.csv 'label = "lab", types = { lab = "categorical" }' 'score = "f_classif", mode = "all"'
expect spread_runs 0 "$M" run spread.lua &&
check spread_f_exact "$(uri)/selection.json" '
import csv
from fractions import Fraction as Q
rows = [(Q(float(r["x"])), r["lab"]) for r in csv.DictReader(open("spread.csv"))]
n = len(rows); ks = sorted({k for _, k in rows})
cnt = {k: sum(1 for _, y in rows if y == k) for k in ks}
s = {k: sum(x for x, y in rows if y == k) for k in ks}
mean = sum(s.values()) / n
ssb = sum(cnt[k] * (s[k] / cnt[k] - mean) ** 2 for k in ks)
ssw = sum((x - s[y] / cnt[y]) ** 2 for x, y in rows)
want = float((ssb / (len(ks) - 1)) / (ssw / (n - len(ks))))
print("ok" if close(feat["x"]["score"], want, 1e-12) else (feat["x"]["score"], want))'
