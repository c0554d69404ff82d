# Validation: every anomaly kind from a crafted data set, environments,
# the gate, offending rows, drift between spans (found when a feature
# shifted, not when none did), training/serving skew, and schema files
# that are malformed or contradictory.
. "$(dirname "$0")/../lib.sh"

# check.lua DATA SCHEMA [VALIDATE_OPTIONS]: ingests DATA, validates it
# against the schema file, prints "kind feature severity" per anomaly.
cat > check.lua <<'LUA'
local mp = require "mlpipe"
local opts = assert(load("return " .. (arg[3] or "{}")))()
local p = mp.pipeline { name = "v", root = "runs/" .. (opts.root or "v") }
opts.root = nil
local ex = p:add("csv_import", { path = arg[1], splits = { all = 1 }, na_values = { "" } })
local st = p:add("statistics", { examples = ex.examples })
local sc = p:add("schema_import", { path = arg[2] })
opts.statistics, opts.schema, opts.examples = st.statistics, sc.schema, ex.examples
p:add("validate", opts)
local r = p:run {}
local a = r.nodes.validate.outputs.anomalies
if a then
  local doc = assert(mp.read_json(a.uri .. "/anomalies.json"))
  for _, s in ipairs(doc.splits) do
    for _, x in ipairs(s.anomalies) do
      local rows = {}
      for _, row in ipairs(x.rows or {}) do rows[#rows + 1] = (row.file or "?") .. ":" .. (row.line or "?") end
      print(x.kind, x.feature or "-", x.severity, #rows > 0 and table.concat(rows, ",") or "",
            x.offending_values and string.format("%d values, %.4g", x.offending_values,
                                                 x.offending_fraction) or "")
    end
  end
end
LUA
cat > schema.json <<'JSON'
{
  "version": 1,
  "default_environments": ["TRAINING", "SERVING"],
  "features": [
    { "name": "cat", "type": "STRING", "presence": { "min_fraction": 1, "min_count": 1 },
      "domain": "cats", "distribution_constraints": { "min_domain_mass": 0.9 } },
    { "name": "n_int", "type": "INT", "int_domain": { "min": 2, "max": 8 } },
    { "name": "n_float", "type": "FLOAT", "presence": { "min_fraction": 1 },
      "float_domain": { "min": 0.1, "max": 0.9, "disallow_nan": true, "disallow_inf": true } },
    { "name": "rare", "type": "FLOAT", "presence": { "min_count": 5 } },
    { "name": "code", "type": "INT" },
    { "name": "ratio", "type": "FLOAT" },
    { "name": "whole", "type": "INT" },
    { "name": "gone", "type": "FLOAT", "presence": { "min_count": 1 } },
    { "name": "label", "type": "STRING", "not_in_environment": ["SERVING"],
      "presence": { "min_count": 1 } },
    { "name": "old", "type": "FLOAT", "lifecycle_stage": "DEPRECATED",
      "presence": { "min_count": 1 } }
  ],
  "string_domains": [ { "name": "cats", "values": ["a", "b"] } ],
  "dataset_constraints": { "min_examples_count": 20 }
}
JSON
{
    echo "cat,n_int,n_float,rare,code,ratio,whole,extra,label"
    echo "a,1,0.5,1,x1,high,1.5,e,y"
    echo "c,10,0.95,2,2,0.5,2,e,n"
    echo "c,5,NaN,,3,0.5,3,e,y"
    echo "b,5,inf,,4,0.5,4,e,n"
    echo "a,5,,,5,0.5,5,e,y"
    echo "b,5,0.05,,6,0.5,6,e,n"
} > bad.csv

expect all_kinds_gated 4 "$M" run check.lua -- bad.csv schema.json &&
has all_kinds_gated "$OUT" "gated    validate" "anomalies of ERROR severity"
for k in "SCHEMA_MISSING_COLUMN	gone" "SCHEMA_NEW_COLUMN	extra" \
         "FEATURE_TYPE_LOW_FRACTION_PRESENT	n_float" "FEATURE_TYPE_LOW_NUMBER_PRESENT	rare" \
         "ENUM_TYPE_UNEXPECTED_STRING_VALUES	cat" "INT_TYPE_BIG_INT	n_int" \
         "INT_TYPE_SMALL_INT	n_int" "FLOAT_TYPE_BIG_FLOAT	n_float" \
         "FLOAT_TYPE_SMALL_FLOAT	n_float" "FLOAT_TYPE_HAS_NAN	n_float" \
         "FLOAT_TYPE_HAS_INF	n_float" "INT_TYPE_NOT_INT_STRING	code" \
         "FLOAT_TYPE_STRING_NOT_FLOAT	ratio" "INT_TYPE_INT_EXPECTED	whole" \
         "DATASET_LOW_NUM_EXAMPLES	-"; do
    name="anomaly_$(cut -f1 <<<"$k")"
    has "$name" "$OUT" "$k	ERROR"
done
lacks deprecated_feature_not_checked "$OUT" "	old	"
# Every value-level anomaly says how many values offend, and which share
# of the present values that is.
has offending_counts "$OUT" "INT_TYPE_NOT_INT_STRING	code	ERROR	bad.csv:2	1 values, 0.1667" \
    "FLOAT_TYPE_STRING_NOT_FLOAT	ratio	ERROR	bad.csv:2	1 values, 0.1667" \
    "FLOAT_TYPE_BIG_FLOAT	n_float	ERROR	bad.csv:3	1 values, 0.2" \
    "INT_TYPE_BIG_INT	n_int	ERROR	bad.csv:3	1 values, 0.1667" \
    "ENUM_TYPE_UNEXPECTED_STRING_VALUES	cat	ERROR	bad.csv:3,bad.csv:4	2 values, 0.3333" \
    "FEATURE_TYPE_LOW_FRACTION_PRESENT	n_float	ERROR	bad.csv:6	1 values, 0.1667"
has offending_rows_listed "$OUT" "ENUM_TYPE_UNEXPECTED_STRING_VALUES	cat	ERROR	bad.csv:3,bad.csv:4" \
    "FLOAT_TYPE_BIG_FLOAT	n_float	ERROR	bad.csv:3" "FLOAT_TYPE_HAS_NAN	n_float	ERROR	bad.csv:4" \
    "INT_TYPE_BIG_INT	n_int	ERROR	bad.csv:3" "FEATURE_TYPE_LOW_FRACTION_PRESENT	n_float	ERROR	bad.csv:6"

id=$(sql runs/v/metadata.sqlite "SELECT id FROM artifact WHERE uri LIKE '%/validate/%' LIMIT 1")
expect offending_counts_shown 0 "$M" show "${id:-none}" --root runs/v
has offending_counts_shown "$OUT" 'FLOAT_TYPE_BIG_FLOAT' 'is above the domain'"'"'s max 0.90000000000000002 [1 offending values, 20%]'

# unique_constraints and bool_domain.
cat > uniq.json <<'JSON'
{ "version": 1,
  "features": [
    { "name": "cat", "type": "STRING", "unique_constraints": { "min": 4 } },
    { "name": "label", "type": "STRING", "unique_constraints": { "max": 1 },
      "bool_domain": { "true_value": "y", "false_value": "n" } },
    { "name": "extra", "type": "STRING", "bool_domain": {} },
    { "name": "n_int", "type": "INT", "bool_domain": {} },
    { "name": "rare", "type": "INT", "unique_constraints": { "min": 1 } },
    { "name": "big", "type": "INT", "bool_domain": {} },
    { "name": "half", "type": "INT", "bool_domain": {} } ] }
JSON
cat > uniq.csv <<'CSV'
cat,label,extra,n_int,rare,big,half
a,y,true,1,1,0,0
b,n,false,0,2,1,1
b,y,yes,1,3,2,0.5
c,maybe,true,-1,4,1,1
CSV
expect unique_and_bool 4 "$M" run check.lua -- uniq.csv uniq.json '{ root = "uniq" }' &&
has unique_and_bool "$OUT" "FEATURE_TYPE_LOW_UNIQUE	cat	ERROR" "FEATURE_TYPE_HIGH_UNIQUE	label	ERROR" \
    "BOOL_TYPE_UNEXPECTED_STRING	label	ERROR	uniq.csv:5	1 values, 0.25" \
    "BOOL_TYPE_UNEXPECTED_STRING	extra	ERROR	uniq.csv:4	1 values, 0.25" \
    "BOOL_TYPE_SMALL_INT	n_int	ERROR	uniq.csv:5	1 values, 0.25" "FEATURE_TYPE_NO_UNIQUE	rare	ERROR" \
    "BOOL_TYPE_BIG_INT	big	ERROR	uniq.csv:4	1 values, 0.25" "BOOL_TYPE_UNEXPECTED_FLOAT	half	ERROR	uniq.csv:4	1 values, 0.25"
lacks unique_and_bool_no_big "$OUT" "BOOL_TYPE_BIG_INT	n_int"
# schema_update relaxes the schema just enough to admit the data, and
# lists what it relaxed; the data then validates, but for what no
# relaxation may fix (text where numbers are expected).
cat > update.lua <<'LUA'
local mp = require "mlpipe"
local p = mp.pipeline { name = "u", root = "runs/update" }
local ex = p:add("csv_import", { path = "bad.csv", splits = { all = 1 }, na_values = { "" } })
local st = p:add("statistics", { examples = ex.examples })
local sc = p:add("schema_import", { path = "schema.json" })
local up = p:add("schema_update", { schema = sc.schema, statistics = st.statistics, split = "all" })
-- Relaxing what already admits the data changes nothing.
local again = p:add("schema_update", { name = "again", schema = up.schema, statistics = st.statistics, split = "all" })
p:add("validate", { statistics = st.statistics, schema = up.schema, gate = "warn" })
local r = p:run {}
local s = r.nodes.schema_update.outputs.schema
for _, x in ipairs(s.properties.relaxations) do
  print("relaxed", x.feature, x.relaxed, mp.json_encode and "" or "")
end
local doc = mp.read_json(r.nodes.validate.outputs.anomalies.uri .. "/anomalies.json")
for _, a in ipairs(doc.splits[1].anomalies) do print("left", a.kind, a.feature or "-") end
print("relaxed again", r.nodes.again.outputs.schema.properties.relaxed)
LUA
expect schema_update 0 "$M" run update.lua &&
has schema_update "$OUT" "relaxed	cat	domain (named, shared by every feature naming it) values" \
    "relaxed	n_int	int_domain.max" "relaxed	n_int	int_domain.min" "relaxed	n_float	float_domain.max" \
    "relaxed	n_float	float_domain.min" "relaxed	n_float	float_domain.disallow_nan" \
    "relaxed	n_float	float_domain.disallow_inf" "relaxed	n_float	presence.min_fraction" \
    "relaxed	rare	presence.min_count" "relaxed	whole	type" "relaxed	gone	presence" \
    "relaxed	extra	feature" "relaxed	(dataset)	dataset_constraints.min_examples_count" \
    "left	INT_TYPE_NOT_INT_STRING	code" "left	FLOAT_TYPE_STRING_NOT_FLOAT	ratio" "relaxed again	0"
lacks schema_update_admits "$OUT" "left	(ENUM|INT_TYPE_BIG|INT_TYPE_SMALL|FLOAT_TYPE_BIG|FLOAT_TYPE_SMALL|FLOAT_TYPE_HAS|FEATURE_TYPE_LOW|SCHEMA_|DATASET_|INT_TYPE_INT_EXPECTED)"
# An INT feature whose data turned out FLOAT: its int_domain becomes a
# float_domain, widened to the data.
printf '{ "version": 1, "features": [ { "name": "x", "type": "INT", "int_domain": { "min": 0, "max": 10 } } ] }' > toflt.json
printf 'x\n0.5\n20\n3\n' > toflt.csv
cat > toflt.lua <<'LUA'
local mp = require "mlpipe"
local p = mp.pipeline { name = "f", root = "runs/toflt" }
local ex = p:add("csv_import", { path = "toflt.csv", splits = { all = 1 } })
local st = p:add("statistics", { examples = ex.examples })
local sc = p:add("schema_import", { path = "toflt.json" })
local up = p:add("schema_update", { schema = sc.schema, statistics = st.statistics, split = "all" })
local r = p:run {}
local f = mp.read_json(r.nodes.schema_update.outputs.schema.uri .. "/schema.json").features[1]
print("updated", f.type, f.int_domain and "int" or "-", f.float_domain and f.float_domain.min,
      f.float_domain and f.float_domain.max)
LUA
expect int_domain_to_float 0 "$M" run toflt.lua &&
has int_domain_to_float "$OUT" "updated	FLOAT	-	0	20"
# int_domain is_categorical: statistics given the schema count the
# integers as categories (string statistics, type INT), and a category
# comparator measures their drift.
cat > catint.json <<'JSON'
{ "version": 1,
  "features": [
    { "name": "k", "type": "INT", "int_domain": { "is_categorical": true },
      "drift_comparator": { "infinity_norm": { "threshold": 0.2 } } } ] }
JSON
printf 'k\n1\n1\n2\n3\n' > catint_1.csv
printf 'k\n3\n3\n3\n1\n' > catint_2.csv
cat > catint.lua <<'LUA'
local mp = require "mlpipe"
local p = mp.pipeline { name = "ci", root = "runs/catint" }
local sc = p:add("schema_import", { path = "catint.json" })
local a = p:add("csv_import", { name = "a", path = "catint_1.csv", splits = { all = 1 } })
local b = p:add("csv_import", { name = "b", path = "catint_2.csv", splits = { all = 1 } })
local sa = p:add("statistics", { name = "sa", examples = a.examples, schema = sc.schema })
local sb = p:add("statistics", { name = "sb", examples = b.examples, schema = sc.schema })
p:add("validate", { statistics = sb.statistics, baseline = sa.statistics, schema = sc.schema, gate = "warn" })
local r = p:run {}
local st = mp.read_json(r.nodes.sb.outputs.statistics.uri .. "/statistics.json")
local f = st.splits[1].features[1]
print("stats", f.type, f.string_stats and f.string_stats.unique, f.string_stats and f.string_stats.top_values[1].value)
local doc = mp.read_json(r.nodes.validate.outputs.anomalies.uri .. "/anomalies.json")
for _, d in ipairs(doc.splits[1].drift) do print("drift", d.feature, d.comparator, string.format("%.4f", d.distance)) end
for _, x in ipairs(doc.splits[1].anomalies) do print(x.kind, x.feature) end
LUA
expect categorical_int 0 "$M" run catint.lua &&
has categorical_int "$OUT" "stats	INT	2	3" "drift	k	infinity_norm	0.5000" "COMPARATOR_L_INFTY_HIGH	k"
# Severities per node, as TFDV's ValidationConfig: new features as
# warnings, and any kind overridden either way.
expect new_features_warn 4 "$M" run check.lua -- bad.csv schema.json '{ root = "nfw", new_features_are_warnings = true }' &&
has new_features_warn "$OUT" "SCHEMA_NEW_COLUMN	extra	WARNING" "FLOAT_TYPE_HAS_NAN	n_float	ERROR"
expect severity_overridden 4 "$M" run check.lua -- bad.csv schema.json \
    '{ root = "sev", severity_overrides = { FLOAT_TYPE_HAS_NAN = "WARNING", SCHEMA_NEW_COLUMN = "WARNING" } }' &&
has severity_overridden "$OUT" "FLOAT_TYPE_HAS_NAN	n_float	WARNING" "SCHEMA_NEW_COLUMN	extra	WARNING" \
    "FLOAT_TYPE_HAS_INF	n_float	ERROR"
# Every error demoted: nothing gated.
kinds=$(grep -oE '"[A-Z_]+"' "$MLPIPE_TOP/plugins/validate/validate.c" | sort -u | grep -E 'TYPE|SCHEMA|DATASET|COMPARATOR' | tr -d '"')
all='{ root = "sevall", severity_overrides = {'
for k in $kinds; do all+=" $k = \"WARNING\","; done
all+=' } }'
expect all_demoted_not_gated 0 "$M" run check.lua -- bad.csv schema.json "$all" &&
lacks all_demoted_not_gated "$OUT" "	ERROR	" "gated"
expect severity_unknown_kind 3 "$M" run check.lua -- bad.csv schema.json '{ root = "sevbad", severity_overrides = { FLOAT_TYPE_HAS_NANS = "WARNING" } }' &&
has severity_unknown_kind "$OUT" "parameter 'severity_overrides': 'FLOAT_TYPE_HAS_NANS' is not an anomaly kind validate raises"
expect severity_bad_value 2 "$M" run check.lua -- bad.csv schema.json '{ root = "sevbad2", severity_overrides = { FLOAT_TYPE_HAS_NAN = "INFO" } }' &&
has severity_bad_value "$OUT" "check.lua:9: parameter 'severity_overrides' of validate: 'FLOAT_TYPE_HAS_NAN' must be one of \"ERROR\", \"WARNING\", got \"INFO\""
# The domain mass: 2 of 6 values outside [a, b] is 33%; min_domain_mass
# 0.6 tolerates 40% and reports nothing.
sed 's/"min_domain_mass": 0.9/"min_domain_mass": 0.6/' schema.json > mass.json
expect domain_mass_tolerates 4 "$M" run check.lua -- bad.csv mass.json '{ root = "mass" }' &&
lacks domain_mass_tolerates "$OUT" ENUM_TYPE_UNEXPECTED

# A clean data set: no anomaly, nothing gated.
{
    echo "cat,n_int,n_float,rare,code,ratio,whole,gone,label"
    for i in $(seq 1 24); do
        echo "$([ $((i % 2)) = 0 ] && echo a || echo b),$((i % 7 + 2)),0.$((i % 8 + 1)),$i,$i,0.$i,$i,1.5,y"
    done
} > good.csv
expect clean_data_passes 0 "$M" run check.lua -- good.csv schema.json '{ root = "good" }' &&
[ -z "$(grep -E 'ERROR|WARNING' <<<"$OUT")" ] && pass clean_data_passes || fail clean_data_passes "$OUT"

# Environments: serving data has no label; that is fine in SERVING only.
cut -d, -f1-8 good.csv > serving.csv
expect serving_without_label 0 "$M" run check.lua -- serving.csv schema.json '{ root = "srv", environment = "SERVING" }' &&
has environment_recorded "$(cat runs/srv/artifacts/validate/*/anomalies/anomalies.json)" '"environment": "SERVING"' &&
[ -z "$(grep ERROR <<<"$OUT")" ] && pass serving_without_label || fail serving_without_label "$OUT"
# The label in serving data, where the schema excludes it: a column the
# schema does not have in that environment (SCHEMA_NEW_COLUMN, an error, as
# TFDV reports it).
expect label_in_serving 4 "$M" run check.lua -- good.csv schema.json '{ root = "srv3", environment = "SERVING" }' &&
has label_in_serving "$OUT" "SCHEMA_NEW_COLUMN	label	ERROR"
expect environment_misspelt 3 "$M" run check.lua -- serving.csv schema.json '{ root = "srv4", environment = "Serving" }' &&
has environment_misspelt "$OUT" "parameter 'environment': 'Serving' is not among the schema's default_environments (TRAINING, SERVING)"
expect training_needs_label 4 "$M" run check.lua -- serving.csv schema.json '{ root = "srv2" }' &&
has training_needs_label "$OUT" "SCHEMA_MISSING_COLUMN	label	ERROR"

# gate = "warn" reports without stopping.
expect warn_does_not_gate 0 "$M" run check.lua -- bad.csv schema.json '{ root = "warn", gate = "warn" }' &&
has warn_does_not_gate "$OUT" "ran      validate" "SCHEMA_NEW_COLUMN	extra	ERROR"

# Drift between spans: x numeric, g categorical.  Span 2 draws from the
# same distributions as span 1; span 3 shifts x by +3 and flips g's mix.
gen() {  # seed shift flip
    awk -v seed="$1" -v shift="$2" -v flip="$3" 'BEGIN {
        srand(seed); print "x,g";
        for (i = 0; i < 600; i++) {
            s = 0; for (k = 0; k < 12; k++) s += rand(); x = s - 6 + shift;
            u = rand(); g = (u < (flip ? 0.2 : 0.8)) ? "red" : "blue";
            printf "%.6f,%s\n", x, g } }'
}
gen 1 0 0 > data_1.csv
gen 2 0 0 > data_2.csv
gen 3 3 1 > shifted_3.csv
cat > drift_schema.json <<'JSON'
{ "version": 1,
  "features": [
    { "name": "x", "type": "FLOAT", "drift_comparator": { "jensen_shannon_divergence": { "threshold": 0.1 } } },
    { "name": "g", "type": "STRING", "drift_comparator": { "infinity_norm": { "threshold": 0.1 } } } ] }
JSON
cat > drift.lua <<'LUA'
local mp = require "mlpipe"
local p = mp.pipeline { name = "d", root = "runs/drift-" .. arg[3] }
local prev = p:add("csv_import", { name = "prev", path = arg[1], splits = { all = 1 } })
local cur = p:add("csv_import", { name = "cur", path = arg[2], splits = { all = 1 } })
local ps = p:add("statistics", { name = "prev_stats", examples = prev.examples })
local cs = p:add("statistics", { name = "cur_stats", examples = cur.examples })
local sc = p:add("schema_import", { path = "drift_schema.json" })
p:add("validate", { statistics = cs.statistics, baseline = ps.statistics, schema = sc.schema, gate = "warn" })
local r = p:run {}
if r.status == "failed" then return end
local doc = mp.read_json(r.nodes.validate.outputs.anomalies.uri .. "/anomalies.json")
for _, d in ipairs(doc.splits[1].drift) do
  print("drift", d.feature, d.comparator, string.format("%.4f", d.distance), tostring(d.exceeded))
end
for _, a in ipairs(doc.splits[1].anomalies) do print(a.kind, a.feature, a.severity) end
LUA
expect drift_not_detected_without_shift 0 "$M" run drift.lua -- data_1.csv data_2.csv same &&
has drift_not_detected_without_shift "$OUT" "drift	x	jensen_shannon_divergence" "drift	g	infinity_norm" &&
lacks drift_not_detected_without_shift_values "$OUT" "	true"
expect drift_detected_after_shift 0 "$M" run drift.lua -- data_1.csv shifted_3.csv shifted &&
has drift_detected_after_shift "$OUT" "COMPARATOR_JENSEN_SHANNON_DIVERGENCE_HIGH	x	ERROR" \
    "COMPARATOR_L_INFTY_HIGH	g	ERROR"
# The recorded distances equal ones computed here, independently, from
# the two statistics artifacts: L-inf from the category counts, JS (base
# 2) from the histograms spread evenly onto their shared edges.
cat > distances.py <<'PY'
import json, math, sys
root = sys.argv[1]
store = root + "/metadata.sqlite"
import sqlite3
db = sqlite3.connect("file:" + store + "?mode=ro", uri=True)
def stats(node):
    uri = db.execute("SELECT a.uri FROM artifact a JOIN event v ON v.artifact_id=a.id "
                     "JOIN execution e ON e.id=v.execution_id WHERE e.node=? AND "
                     "v.type='OUTPUT' AND a.state='LIVE' ORDER BY a.id DESC", (node,)).fetchone()[0]
    doc = json.load(open(root + "/" + uri + "/statistics.json"))
    return {f["name"]: f for f in doc["splits"][0]["features"]}
prev, cur = stats("prev_stats"), stats("cur_stats")
def counts(f):
    return {b["label"]: b["sample_count"] for b in f["string_stats"]["rank_histogram"]}
a, b = counts(cur["g"]), counts(prev["g"])
ta, tb = sum(a.values()), sum(b.values())
linf = max(abs(a.get(k, 0) / ta - b.get(k, 0) / tb) for k in set(a) | set(b))
def hist(f):
    return [h for h in f["num_stats"]["histograms"] if h["type"] == "STANDARD"][0]["buckets"]
ha, hb = hist(cur["x"]), hist(prev["x"])
edges = sorted(set([x["low_value"] for x in ha + hb] + [x["high_value"] for x in ha + hb]))
def spread(h):
    cells = [0.0] * len(edges)
    for x in h:
        lo, hi, c = x["low_value"], x["high_value"], x["sample_count"]
        if c <= 0: continue
        if not hi > lo:
            k = 0
            while k + 1 < len(edges) and edges[k + 1] <= lo: k += 1
            cells[k] += c
            continue
        for k in range(len(edges) - 1):
            lo2, hi2 = max(edges[k], lo), min(edges[k + 1], hi)
            if hi2 > lo2: cells[k] += c * (hi2 - lo2) / (hi - lo)
    t = sum(x["sample_count"] for x in h)
    return [c / t for c in cells]
p, q = spread(ha), spread(hb)
js = 0.0
for x, y in zip(p, q):
    m = (x + y) / 2
    if m > 0:
        js += 0.5 * (x * math.log2(x / m) if x > 0 else 0) + 0.5 * (y * math.log2(y / m) if y > 0 else 0)
print("%.12f %.12f" % (js, linf))
PY
cat > check_drift.py <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
d = {x["feature"]: x["distance"] for x in doc["splits"][0]["drift"]}
want_js, want_linf = float(sys.argv[2]), float(sys.argv[3])
sys.exit(0 if abs(d["x"] - want_js) < 1e-9 and abs(d["g"] - want_linf) < 1e-9
         and want_js > 0.5 else 1)
PY
read -r want_js want_linf < <(python3 distances.py runs/drift-shifted)
anoms=$(ls runs/drift-shifted/artifacts/validate/*/anomalies/anomalies.json)
python3 check_drift.py "$anoms" "$want_js" "$want_linf" && pass drift_distances_exact ||
    fail drift_distances_exact "want js $want_js linf $want_linf: $(grep -A2 '"distance"' "$anoms" | head -12)"


# Too few samples for a meaningful divergence is a warning.
head -11 data_1.csv > small_1.csv
head -11 data_2.csv > small_2.csv
expect low_sample_warning 0 "$M" run drift.lua -- small_1.csv small_2.csv small &&
has low_sample_warning "$OUT" "COMPARATOR_LOW_SAMPLE_COUNT	x	WARNING"

# Skew: training statistics against serving statistics.
cat > skew_schema.json <<'JSON'
{ "version": 1,
  "features": [
    { "name": "x", "type": "FLOAT", "skew_comparator": { "jensen_shannon_divergence": { "threshold": 0.1 } } },
    { "name": "g", "type": "STRING", "skew_comparator": { "infinity_norm": { "threshold": 0.1 } } } ] }
JSON
cat > skew.lua <<'LUA'
local mp = require "mlpipe"
local p = mp.pipeline { name = "s", root = "runs/skew" }
local tr = p:add("csv_import", { name = "train", path = "data_1.csv", splits = { train = 1 } })
local sv = p:add("csv_import", { name = "serving", path = "shifted_3.csv", splits = { serving = 1 } })
local ts = p:add("statistics", { name = "train_stats", examples = tr.examples })
local ss = p:add("statistics", { name = "serving_stats", examples = sv.examples })
local sc = p:add("schema_import", { path = "skew_schema.json" })
p:add("validate", { statistics = ts.statistics, serving = ss.statistics, schema = sc.schema })
local r = p:run {}
LUA
expect skew_detected 4 "$M" run skew.lua &&
has skew_detected "$OUT" "gated    validate" "train: x COMPARATOR_JENSEN_SHANNON_DIVERGENCE_HIGH" "train: g COMPARATOR_L_INFTY_HIGH"

# Data of another type than the schema says: the type anomaly (STRING
# expected, numbers found: UNEXPECTED_DATA_TYPE, as TFDV), and the
# comparator that does not fit is skipped with a note, every other
# distance kept.
sed 's/"name": "x", "type": "FLOAT"/"name": "x", "type": "STRING"/; s/jensen_shannon_divergence/infinity_norm/' drift_schema.json > wrongcmp.json
sed -i 's|drift_schema.json|" .. (arg[4] or "drift_schema.json") .. "|' drift.lua
sed -i 's|  print("drift", d.feature, d.comparator, string.format("%.4f", d.distance), tostring(d.exceeded))|  print("drift", d.feature, d.comparator, d.distance and string.format("%.4f", d.distance) or "-", tostring(d.exceeded), d.skipped or "")|' drift.lua
expect comparator_type_mismatch 0 "$M" run drift.lua -- data_1.csv data_2.csv wrong wrongcmp.json &&
has comparator_type_mismatch "$OUT" "UNEXPECTED_DATA_TYPE	x	ERROR" \
    "drift	x	infinity_norm	-	false	it compares category counts, and the data is numeric" \
    "drift	g	infinity_norm	0.0"
anoms=$(ls runs/drift-wrong/artifacts/validate/*/anomalies/anomalies.json | head -1)
id=$(sql runs/drift-wrong/metadata.sqlite "SELECT id FROM artifact WHERE uri LIKE '%/validate/%' LIMIT 1")
expect skipped_comparator_shown 0 "$M" show "${id:-none}" --root runs/drift-wrong &&
has skipped_comparator_shown "$OUT" "infinity_norm                          skipped: it compares category counts, and the data is numeric"
# Numbers arriving as text where the schema wants FLOAT with a divergence.
awk -F, 'NR == 1 { print; next } { printf "v%s,%s\n", $1, $2 }' data_2.csv > text_2.csv
expect numeric_as_text 0 "$M" run drift.lua -- data_1.csv text_2.csv text &&
has numeric_as_text "$OUT" "FLOAT_TYPE_STRING_NOT_FLOAT	x	ERROR" \
    "drift	x	jensen_shannon_divergence	-	false	one side's data is text and the other's numeric" \
    "drift	g	infinity_norm	0.0"
# One infinity no longer hides a shift: the finite values are compared,
# the infinity counted in a cell of its own (TFDV's metrics.cc).
{ cat shifted_3.csv; echo "inf,red"; } > shifted_inf.csv
expect drift_with_inf 0 "$M" run drift.lua -- data_1.csv shifted_inf.csv inf &&
has drift_with_inf "$OUT" "COMPARATOR_JENSEN_SHANNON_DIVERGENCE_HIGH	x	ERROR"
# Every comparator TFDV has, several on one feature, Jensen-Shannon on
# categories and on the quantiles histogram.
cat > allcmp.json <<'JSON'
{ "version": 1,
  "features": [
    { "name": "x", "type": "FLOAT", "drift_comparator": { "jensen_shannon_divergence": { "threshold": 0.1, "source": { "type": "QUANTILES" } } } },
    { "name": "g", "type": "STRING", "drift_comparator": {
        "infinity_norm": { "threshold": 0.1 },
        "jensen_shannon_divergence": { "threshold": 0.1 },
        "normalized_abs_difference": { "threshold": 0.1 } } } ] }
JSON
expect all_comparators 0 "$M" run drift.lua -- data_1.csv shifted_3.csv all allcmp.json &&
has all_comparators "$OUT" "drift	x	jensen_shannon_divergence" "drift	g	infinity_norm" \
    "drift	g	jensen_shannon_divergence" "drift	g	normalized_abs_difference" \
    "COMPARATOR_L_INFTY_HIGH	g	ERROR" "COMPARATOR_JENSEN_SHANNON_DIVERGENCE_HIGH	g	ERROR" \
    "COMPARATOR_NORMALIZED_ABSOLUTE_DIFFERENCE_HIGH	g	ERROR" \
    "COMPARATOR_JENSEN_SHANNON_DIVERGENCE_HIGH	x	ERROR"
# Dataset size: above the schema's maximum, and grown past the drift
# comparator's fraction of the previous span; a feature the comparator
# needs missing from the previous span's statistics.
cat > sizes.json <<'JSON'
{ "version": 1,
  "features": [
    { "name": "x", "type": "FLOAT", "drift_comparator": { "jensen_shannon_divergence": { "threshold": 0.5 } } },
    { "name": "g", "type": "STRING" } ],
  "dataset_constraints": { "max_examples_count": 1000,
                           "num_examples_drift_comparator": { "max_fraction_threshold": 1.5 } } }
JSON
{ cat data_2.csv; tail -n +2 data_2.csv; } > double_2.csv
expect dataset_size_kinds 0 "$M" run drift.lua -- data_1.csv double_2.csv sizes sizes.json &&
has dataset_size_kinds "$OUT" "DATASET_HIGH_NUM_EXAMPLES	nil	ERROR" \
    "COMPARATOR_HIGH_NUM_EXAMPLES	nil	ERROR"
# A split the previous statistics do not have.
cat > othersplit.lua <<'LUA'
local mp = require "mlpipe"
local p = mp.pipeline { name = "os", root = "runs/othersplit" }
local prev = p:add("csv_import", { name = "prev", path = "data_1.csv", splits = { other = 1 } })
local cur = p:add("csv_import", { name = "cur", path = "data_2.csv", splits = { all = 1 } })
local ps = p:add("statistics", { name = "ps", examples = prev.examples })
local cs = p:add("statistics", { name = "cs", examples = cur.examples })
local sc = p:add("schema_import", { path = "drift_schema.json" })
p:add("validate", { statistics = cs.statistics, baseline = ps.statistics, schema = sc.schema, gate = "warn" })
local r = p:run {}
local doc = mp.read_json(r.nodes.validate.outputs.anomalies.uri .. "/anomalies.json")
for _, a in ipairs(doc.splits[1].anomalies) do print(a.kind, a.feature or "-", a.description) end
LUA
expect control_split_missing 0 "$M" run othersplit.lua &&
has control_split_missing "$OUT" "COMPARATOR_CONTROL_DATA_MISSING	-	the previous statistics have no split 'all'"
cut -d, -f2 data_1.csv > only_g_1.csv
expect control_feature_missing 0 "$M" run drift.lua -- only_g_1.csv data_2.csv nox sizes.json &&
has control_feature_missing "$OUT" "COMPARATOR_CONTROL_DATA_MISSING	x	ERROR"
lacks control_feature_missing_no_distance "$OUT" "^drift	x"
# The categorical distances are the ones computed here from the counts.
cat > catdist.py <<'PY'
import json, math, sys
doc = json.load(open(sys.argv[1]))
d = {x["comparator"]: x["distance"] for x in doc["splits"][0]["drift"] if x["feature"] == "g"}
print("%.12f %.12f" % (d["jensen_shannon_divergence"], d["normalized_abs_difference"]))
PY
cat > catref.py <<'PY'
import csv, math, sys
def counts(path):
    c = {}
    for row in csv.DictReader(open(path)):
        c[row["g"]] = c.get(row["g"], 0) + 1
    return c
a, b = counts(sys.argv[2]), counts(sys.argv[1])
keys = set(a) | set(b)
ta, tb = sum(a.values()), sum(b.values())
js = 0.0
for k in keys:
    p, q = a.get(k, 0) / ta, b.get(k, 0) / tb
    m = (p + q) / 2
    js += 0.5 * (p * math.log2(p / m) if p > 0 else 0) + 0.5 * (q * math.log2(q / m) if q > 0 else 0)
nad = max(abs(a.get(k, 0) - b.get(k, 0)) for k in keys) / (ta + tb)
print("%.12f %.12f" % (js, nad))
PY
anoms=$(ls runs/drift-all/artifacts/validate/*/anomalies/anomalies.json)
got=$(python3 catdist.py "$anoms")
want=$(python3 catref.py data_1.csv shifted_3.csv)
[ -n "$got" ] && [ "$got" = "$want" ] && pass categorical_distances_exact ||
    fail categorical_distances_exact "got '$got', want '$want'"
# In the report, the distances come largest first (the order shown until
# the reader picks another: each row's rank is its --o0), and by feature
# name in the second order.
expect distances_report 0 "$M" report latest --root runs/drift-all -o drift.html
order=$(python3 -c '
import re, sys
t = open(sys.argv[1]).read()
tab = t[t.index("<th>drift</th>"):]
tab = tab[:tab.index("</table>")]
rows = re.findall(r"<tr class=\"sorted\" style=\"--o0:([0-9]+);--o1:([0-9]+);--o2:([0-9]+);\"><td>([^<]*)</td><td>[^<]*</td><td class=\"num [A-Z]*\">([0-9.e-]+)</td>", tab)
d = [float(r[4]) for r in sorted(rows, key=lambda r: int(r[0]))]
names = [r[3] for r in sorted(rows, key=lambda r: int(r[1]))]
asdone = [int(r[2]) for r in rows]
ok = len(d) >= 3 and d == sorted(d, reverse=True) and d != [float(r[4]) for r in rows] \
     and names == sorted(names) and asdone == list(range(1, len(rows) + 1))
print("sorted" if ok else "unsorted %s %s %s" % (d, names, asdone))' drift.html)
[ "$order" = sorted ] && pass distances_largest_first || fail distances_largest_first "$order"
# The same distances in TFDV's form.
tfdv_anoms=$(cat runs/drift-all/artifacts/validate/*/anomalies/anomalies.all.tfdv.json 2>/dev/null | tr -d ' \n')
has drift_in_tfdv_form "$tfdv_anoms" '"driftSkewInfo":[' '"driftMeasurements":[{"type":"L_INFTY"' \
    '"type":"JENSEN_SHANNON_DIVERGENCE"' '"type":"NORMALIZED_ABSOLUTE_DIFFERENCE"' '"path":{"step":["g"]}'


# Schema files: each defect is reported with the file and the field.
bad_schema() {  # name json want
    printf '%s\n' "$2" > "$1.json"
    cat > "$1.lua" <<LUA
local mp = require "mlpipe"
local p = mp.pipeline { name = "s", root = "runs/schema-$1" }
p:add("schema_import", { path = "$1.json" })
p:run {}
LUA
    if expect "schema_$1" 3 "$M" run "$1.lua"; then
        has "schema_$1" "$OUT" "$3"
    fi
}
# Line and column (from 1) of the character the parser stopped at.
bad_schema syntax '{ "version": 1, "features": [ { "name": "a", } ] }' "syntax.json:1:"
bad_schema syntax_position '{ "version": 1, "features": tru }' "syntax_position.json:1:29: not valid JSON"
bad_schema syntax_line '{ "version": 1,
  "features": [1,, 2] }' "syntax_line.json:2:18: not valid JSON"
bad_schema unknown_field '{ "version": 1, "features": [ { "name": "a", "type": "INT", "presense": {} } ] }' \
    "unknown_field.json: features[0] (a): unknown field 'presense'"
bad_schema bad_type '{ "version": 1, "features": [ { "name": "a", "type": "BYTES" } ] }' \
    'bad_type.json: features[0] (a): type must be "INT", "FLOAT" or "STRING", got BYTES'
bad_schema fraction '{ "version": 1, "features": [ { "name": "a", "type": "INT", "presence": { "min_fraction": 1.5 } } ] }' \
    "fraction.json: features[0] (a).presence.min_fraction: 1.5 is outside [0, 1]"
bad_schema nan_flag '{ "version": 1, "features": [ { "name": "a", "type": "FLOAT", "float_domain": { "disallow_nan": "yes" } } ] }' \
    "nan_flag.json: features[0] (a).float_domain.disallow_nan:"
bad_schema inf_flag '{ "version": 1, "features": [ { "name": "a", "type": "FLOAT", "float_domain": { "disallow_inf": 1 } } ] }' \
    "inf_flag.json: features[0] (a).float_domain.disallow_inf:"
bad_schema range '{ "version": 1, "features": [ { "name": "a", "type": "FLOAT", "float_domain": { "min": 3, "max": 1 } } ] }' \
    "range.json: features[0] (a).float_domain: min 3 is greater than max 1"
bad_schema no_domain '{ "version": 1, "features": [ { "name": "a", "type": "STRING", "domain": "nope" } ] }' \
    'no_domain.json: features[0] (a).domain: no string domain called "nope" in string_domains'
bad_schema domain_on_int '{ "version": 1, "features": [ { "name": "a", "type": "INT", "string_domain": { "values": ["x"] } } ] }' \
    "domain_on_int.json: features[0] (a): a string domain fits STRING features only, this one is INT"
bad_schema dup_feature '{ "version": 1, "features": [ { "name": "a", "type": "INT" }, { "name": "a", "type": "INT" } ] }' \
    'dup_feature.json: features[1] (a): feature "a" is described twice'
bad_schema dup_value '{ "version": 1, "features": [], "string_domains": [ { "name": "d", "values": ["x", "x"] } ] }' \
    'dup_value.json: string_domains[0].values[1]: value "x" is listed twice'
bad_schema env_both '{ "version": 1, "features": [ { "name": "a", "type": "INT", "in_environment": ["S"], "not_in_environment": ["S"] } ] }' \
    'env_both.json: features[0] (a): environment "S" is both in in_environment and not_in_environment'
bad_schema env_undeclared '{ "version": 1, "default_environments": ["TRAINING"], "features": [ { "name": "a", "type": "INT", "not_in_environment": ["SERVING"] } ] }' \
    'env_undeclared.json: features[0] (a).not_in_environment: environment "SERVING" is not among default_environments'
bad_schema cmp_misfit '{ "version": 1, "features": [ { "name": "a", "type": "FLOAT", "drift_comparator": { "infinity_norm": { "threshold": 0.1 } } } ] }' \
    "cmp_misfit.json: features[0] (a).drift_comparator.infinity_norm: infinity_norm compares category counts; a FLOAT feature takes jensen_shannon_divergence"
bad_schema cmp_empty '{ "version": 1, "features": [ { "name": "a", "type": "FLOAT", "drift_comparator": {} } ] }' \
    "cmp_empty.json: features[0] (a).drift_comparator: give at least one of infinity_norm, jensen_shannon_divergence or normalized_abs_difference"
bad_schema cmp_source '{ "version": 1, "features": [ { "name": "a", "type": "FLOAT", "skew_comparator": { "jensen_shannon_divergence": { "threshold": 0.1, "source": { "type": "MEDIAN" } } } } ] }' \
    'cmp_source.json: features[0] (a).skew_comparator.jensen_shannon_divergence.source.type: expected "DEFAULT", "QUANTILES" or "STANDARD"'
bad_schema cmp_nad_threshold '{ "version": 1, "features": [ { "name": "a", "type": "STRING", "skew_comparator": { "normalized_abs_difference": { "threshold": 2 } } } ] }' \
    "cmp_nad_threshold.json: features[0] (a).skew_comparator.normalized_abs_difference.threshold: 2 is outside [0, 1]"
bad_schema bool_float '{ "version": 1, "features": [ { "name": "a", "type": "FLOAT", "bool_domain": {} } ] }' \
    "bool_float.json: features[0] (a).bool_domain: a bool domain fits INT (0 and 1) or STRING features, this one is FLOAT"
bad_schema bool_word '{ "version": 1, "features": [ { "name": "a", "type": "STRING", "bool_domain": { "true_value": 1 } } ] }' \
    "bool_word.json: features[0] (a).bool_domain.true_value: expected a string, got a number"
bad_schema bool_same '{ "version": 1, "features": [ { "name": "a", "type": "STRING", "bool_domain": { "true_value": "x", "false_value": "x" } } ] }' \
    'bool_same.json: features[0] (a).bool_domain: true_value and false_value are both "x"'
bad_schema unique_range '{ "version": 1, "features": [ { "name": "a", "type": "STRING", "unique_constraints": { "min": 5, "max": 2 } } ] }' \
    "unique_range.json: features[0] (a).unique_constraints: min 5 is greater than max 2"
bad_schema unique_float '{ "version": 1, "features": [ { "name": "a", "type": "FLOAT", "unique_constraints": { "min": 1 } } ] }' \
    "unique_float.json: features[0] (a).unique_constraints: unique values are counted for categorical features (STRING or INT), this one is FLOAT"
bad_schema two_domains '{ "version": 1, "features": [ { "name": "a", "type": "STRING", "bool_domain": {}, "string_domain": { "values": ["x"] } } ] }' \
    "two_domains.json: features[0] (a): give at most one of domain, string_domain, int_domain, float_domain and bool_domain"
bad_schema newer '{ "version": 2, "features": [] }' "newer.json: schema version 2 is newer than this mlpipe's 1"
bad_schema counts '{ "version": 1, "features": [], "dataset_constraints": { "min_examples_count": 10, "max_examples_count": 5 } }' \
    "counts.json: dataset_constraints: min_examples_count 10 is greater than max_examples_count 5"

# Edges: a distance equal to its threshold is not above it; a count equal
# to its limit is within it.  Shares 2/4 against 3/4 differ by exactly
# 0.25 in binary floating point.
printf 'g\nred\nred\nblue\nblue\n' > edge_prev.csv
printf 'g\nred\nred\nred\nblue\n' > edge_cur.csv
edge_schema() {  # threshold min max
    cat > edge.json <<JSON
{ "version": 1,
  "features": [ { "name": "g", "type": "STRING",
                  "drift_comparator": { "infinity_norm": { "threshold": $1 } } } ],
  "dataset_constraints": { "min_examples_count": $2, "max_examples_count": $3 } }
JSON
}
sed 's/drift_schema.json/edge.json/; s/runs\/drift-/runs\/edge-/' drift.lua > edge.lua
sed -i 's/" .. (arg\[4\] or "edge.json") .. "/edge.json/' edge.lua
edge_schema 0.25 4 4
expect threshold_equal_not_exceeded 0 "$M" run edge.lua -- edge_prev.csv edge_cur.csv eq &&
has threshold_equal_not_exceeded "$OUT" "drift	g	infinity_norm	0.2500	false" &&
lacks counts_equal_within_limits "$OUT" "COMPARATOR_L_INFTY_HIGH" "DATASET_(LOW|HIGH)_NUM_EXAMPLES"
edge_schema 0.2499 5 10
expect threshold_below_exceeded 0 "$M" run edge.lua -- edge_prev.csv edge_cur.csv below &&
has threshold_below_exceeded "$OUT" "drift	g	infinity_norm	0.2500	true" "COMPARATOR_L_INFTY_HIGH	g	ERROR" \
    "DATASET_LOW_NUM_EXAMPLES	nil	ERROR"
edge_schema 1 1 3
expect count_above_max 0 "$M" run edge.lua -- edge_prev.csv edge_cur.csv above &&
has count_above_max "$OUT" "DATASET_HIGH_NUM_EXAMPLES	nil	ERROR"

# Inferred string domains: a column with exactly max_string_domain_size
# distinct values gets one, a column with one more does not.
printf 'three,four\na,a\nb,b\nc,c\na,d\n' > domains.csv
cat > infer.lua <<'LUA'
local mp = require "mlpipe"
local p = mp.pipeline { name = "inf", root = "runs/infer" }
local ex = p:add("csv_import", { path = "domains.csv", splits = { train = 1 },
                                 types = { three = "string", four = "string" } })
local st = p:add("statistics", { examples = ex.examples })
local sc = p:add("schema_infer", { statistics = st.statistics, max_string_domain_size = 3 })
local r = p:run {}
local s = mp.read_json(r.nodes.schema_infer.outputs.schema.uri .. "/schema.json")
for _, f in ipairs(s.features) do print("feature", f.name, f.domain or "none") end
for _, d in ipairs(s.string_domains or {}) do print("domain", d.name, table.concat(d.values, ",")) end
LUA
expect string_domain_size_edge 0 "$M" run infer.lua &&
has string_domain_size_edge "$OUT" "feature	three	three" "feature	four	none" "domain	three	a,b,c"

# The gate's summary of the first errors stays within its bounds however
# long the feature names: the third of these 200-character names is cut.
a=$(printf 'a%.0s' $(seq 200)); b=$(printf 'b%.0s' $(seq 200))
c=$(printf 'c%.0s' $(seq 200)); d=$(printf 'd%.0s' $(seq 200))
printf '%s,%s,%s,%s\n5,5,5,5\n6,6,6,6\n' "$a" "$b" "$c" "$d" > long.csv
{
    printf '{ "version": 1, "features": ['
    sep=""
    for n in "$a" "$b" "$c" "$d"; do
        printf '%s{ "name": "%s", "type": "INT", "int_domain": { "max": 1 } }' "$sep" "$n"
        sep=", "
    done
    printf '] }\n'
} > long.json
expect long_names_gate 4 "$M" run check.lua -- long.csv long.json '{ root = "long" }' &&
gate=$(grep "anomalies of ERROR severity" <<<"$OUT")
has long_names_gate "$gate" "4 anomalies of ERROR severity (all: $a INT_TYPE_BIG_INT; all: $b INT_TYPE_BIG_INT; all: ccc" &&
lacks long_names_no_fourth "$gate" "$d" &&
[ "$(grep -o INT_TYPE_BIG_INT <<<"$gate" | wc -l)" = 2 ] && pass long_names_cut ||
    fail long_names_cut "$(sed 's/\(.\)\1\{20,\}/\1.../g' <<<"$gate")"
