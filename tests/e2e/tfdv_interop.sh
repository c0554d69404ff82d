# TFDV interop: a Schema in TFDV's protobuf JSON mapping (written here by
# hand from schema.proto's field names, as json_format.MessageToJson
# writes them; TFDV itself cannot be installed here) is imported, validated
# against, and exported back unchanged.
. "$(dirname "$0")/../lib.sh"
cat > tfdv_schema.json <<'JSON'
{
  "feature": [
    { "name": "age", "type": "INT", "presence": { "minFraction": 1.0, "minCount": "1" },
      "valueCount": { "min": "1", "max": "1" },
      "intDomain": { "min": "0", "max": "100" } },
    { "name": "sex", "type": "BYTES", "domain": "sex",
      "presence": { "minCount": "1" },
      "skewComparator": { "infinityNorm": { "threshold": 0.1 } } },
    { "name": "fare", "type": "FLOAT",
      "floatDomain": { "min": 0.0, "disallowNan": true },
      "driftComparator": { "jensenShannonDivergence": { "threshold": 0.2, "source": { "type": "QUANTILES" } } } },
    { "name": "port", "type": "BYTES", "stringDomain": { "value": ["C", "Q", "S"] },
      "distributionConstraints": { "minDomainMass": 0.9 },
      "uniqueConstraints": { "min": "1", "max": "3" } },
    { "name": "alive", "type": "BYTES", "boolDomain": { "trueValue": "yes", "falseValue": "no" },
      "notInEnvironment": ["SERVING"] },
    { "name": "old", "type": "FLOAT", "lifecycleStage": "DEPRECATED" }
  ],
  "stringDomain": [ { "name": "sex", "value": ["female", "male"] } ],
  "defaultEnvironment": ["TRAINING", "SERVING"],
  "datasetConstraints": { "minExamplesCount": "3",
                          "numExamplesDriftComparator": { "minFractionThreshold": 0.5, "maxFractionThreshold": 2.0 } }
}
JSON
printf 'age,sex,fare,port,alive,old\n30,male,7.25,S,no,1\n200,female,71.3,C,yes,2\n4,female,8.05,X,maybe,3\n' > people.csv
cat > check.lua <<'LUA'
local mp = require "mlpipe"
local p = mp.pipeline { name = "t", root = "runs/" .. arg[2] }
local ex = p:add("csv_import", { path = "people.csv", splits = { all = 1 } })
local st = p:add("statistics", { examples = ex.examples })
local sc = p:add("schema_import", { path = arg[1] })
p:add("validate", { statistics = st.statistics, schema = sc.schema, examples = ex.examples, gate = "warn" })
local r = p:run {}
local a = r.nodes.validate.outputs.anomalies
if a then
  local doc = assert(mp.read_json(a.uri .. "/anomalies.json"))
  for _, x in ipairs(doc.splits[1].anomalies) do print(x.kind, x.feature or "-", x.severity) end
end
print("schema", r.nodes.schema_import.outputs.schema.uri)
LUA
expect tfdv_schema_validates 0 "$M" run check.lua -- tfdv_schema.json tfdv &&
has tfdv_schema_validates "$OUT" "INT_TYPE_BIG_INT	age	ERROR" "ENUM_TYPE_UNEXPECTED_STRING_VALUES	port	ERROR" \
    "BOOL_TYPE_UNEXPECTED_STRING	alive	ERROR"
lacks tfdv_deprecated_ignored "$OUT" "	old	"
uri=$(awk '$1 == "schema" { print $2 }' <<<"$OUT")
# Ours, as docs/schema.md describes it.
has tfdv_imported_names "$(cat "$uri/schema.json" 2>/dev/null)" '"string_domains"' '"not_in_environment"' \
    '"min_count": 1' '"type": "STRING"' '"jensen_shannon_divergence"' '"source"' '"QUANTILES"'
# And back: the exported schema is the input, field for field (valueCount
# {1, 1}, which is what a table cell is, is implied and not written).
cat > same.py <<'PY'
import json, sys
a = json.load(open(sys.argv[1])); b = json.load(open(sys.argv[2]))
for f in a["feature"]:
    f.pop("valueCount", None)
sys.exit(0 if a == b else 1)
PY
python3 same.py tfdv_schema.json "$uri/schema.tfdv.json" && pass tfdv_round_trip ||
    fail tfdv_round_trip "$(diff <(python3 -m json.tool --sort-keys tfdv_schema.json) <(python3 -m json.tool --sort-keys "$uri/schema.tfdv.json") | head -20)"
# The exported file imports again as the same schema.
cp "$uri/schema.tfdv.json" again.json
expect tfdv_reimport 0 "$M" run check.lua -- again.json again &&
uri2=$(awk '$1 == "schema" { print $2 }' <<<"$OUT") &&
cmp -s "$uri/schema.json" "$uri2/schema.json" && pass tfdv_reimport_same || fail tfdv_reimport_same "differs"

# What has no exact counterpart is refused, naming the field.
refused() {  # name json want
    printf '%s\n' "$2" > "$1.json"
    printf 'local mp = require "mlpipe"\nlocal p = mp.pipeline { name = "s", root = "runs/%s" }\np:add("schema_import", { path = "%s.json" })\np:run {}\n' "$1" "$1" > "$1.lua"
    expect "$1" 3 "$M" run "$1.lua" && has "$1" "$OUT" "$3"
}
refused tfdv_unknown_field '{ "feature": [ { "name": "t", "type": "BYTES", "naturalLanguageDomain": {} } ] }' \
    "tfdv_unknown_field.json: features[0] (t): unknown field 'natural_language_domain'"
refused tfdv_value_count '{ "feature": [ { "name": "t", "type": "INT", "valueCount": { "min": "1", "max": "3" } } ] }' \
    "tfdv_value_count.json: features[0] (t): unknown field 'value_count'"
refused tfdv_bad_int64 '{ "feature": [ { "name": "t", "type": "INT", "presence": { "minCount": "many" } } ] }' \
    'tfdv_bad_int64.json: min_count: expected a whole number (as a JSON number or string), got many'
refused tfdv_struct '{ "feature": [ { "name": "t", "type": "STRUCT" } ] }' \
    'tfdv_struct.json: features[0] (t): type must be "INT", "FLOAT" or "STRING", got STRUCT'
# format = "mlpipe" reads a TFDV file as ours: refused, not guessed.
printf 'local mp = require "mlpipe"\nlocal p = mp.pipeline { name = "s", root = "runs/forced" }\np:add("schema_import", { path = "tfdv_schema.json", format = "mlpipe" })\np:run {}\n' > forced.lua
expect tfdv_format_forced 3 "$M" run forced.lua && has tfdv_format_forced "$OUT" "tfdv_schema.json: unknown field 'feature' (known: version, features"

# Statistics in TFDV's form (a DatasetFeatureStatisticsList), for Facets:
# only field names statistics.proto has, uint64 as strings, infinities as
# the strings the JSON mapping uses, and the same numbers as ours.
printf 'age,sex,fare,port,alive,old\n30,male,7.25,S,no,1\n200,female,inf,C,yes,2\n4,female,8.05,,maybe,NAN\n' > stats.csv
cat > stats.lua <<'LUA'
local mp = require "mlpipe"
local p = mp.pipeline { name = "st", root = "runs/stats" }
local ex = p:add("csv_import", { path = "stats.csv", splits = { all = 1 } })
p:add("statistics", { examples = ex.examples })
local r = p:run {}
print("uri", r.nodes.statistics.outputs.statistics.uri)
LUA
expect tfdv_statistics 0 "$M" run stats.lua
suri=$(awk '$1 == "uri" { print $2 }' <<<"$OUT")
cat > stats_check.py <<'PY'
import json, re, sys
proto, ours_path, tfdv_path = sys.argv[1:4]
fields = set()
for m in re.finditer(r"^\s*(?:optional |repeated )?[\w.]+ (\w+) = \d+(?: \[[^\]]*\])?;", open(proto).read(), re.M):
    parts = m.group(1).split("_")
    fields.add(parts[0] + "".join(p.title() for p in parts[1:]))
t = json.load(open(tfdv_path))
bad = []
def walk(x, path):
    if isinstance(x, dict):
        for k, v in x.items():
            if k not in fields:
                bad.append(path + "." + k)
            walk(v, path + "." + k)
    elif isinstance(x, list):
        for i, v in enumerate(x):
            walk(v, path + "[%d]" % i)
walk(t, "")
if bad:
    print("not in statistics.proto:", bad[:5]); sys.exit(1)
ours = json.load(open(ours_path))
d = t["datasets"][0]
assert d["name"] == "all" and d["numExamples"] == "3", d["numExamples"]
f = {x["name"]: x for x in d["features"]}
o = {x["name"]: x for x in ours["splits"][0]["features"]}
age = f["age"]["numStats"]
assert f["age"]["type"] == "INT"
assert age["commonStats"]["numNonMissing"] == "3" and age["commonStats"]["totNumValues"] == "3"
assert age["mean"] == o["age"]["num_stats"]["mean"] and age["max"] == 200
assert f["fare"]["numStats"]["max"] == "Infinity", f["fare"]["numStats"]["max"]
assert [h.get("numNan") for h in f["old"]["numStats"]["histograms"] if h["type"] == "STANDARD"] == ["1"], f["old"]
assert all(h.get("numNan", "0") == "0" for h in f["age"]["numStats"]["histograms"]), f["age"]
assert any(b["highValue"] == "Infinity" for h in f["fare"]["numStats"]["histograms"] for b in h["buckets"])
port = f["port"]["stringStats"]
assert port["commonStats"]["numMissing"] == "1" and port["unique"] == "2"
assert port["rankHistogram"]["buckets"][0]["lowRank"] == "0"
assert {v["value"] for v in port["topValues"]} == {"C", "S"}
print("ok")
PY
out=$(python3 stats_check.py "$MLPIPE_TOP/tests/data/tfdv/statistics.proto" "$suri/statistics.json" "$suri/statistics.tfdv.json" 2>&1)
[ "$out" = ok ] && pass tfdv_statistics_fields || fail tfdv_statistics_fields "$out"
# The schema export likewise uses only schema.proto's field names.
cat > schema_fields.py <<'PY'
import json, re, sys
fields = set()
for m in re.finditer(r"^\s*(?:optional |repeated )?[\w.]+ (\w+) = \d+(?: \[[^\]]*\])?;", open(sys.argv[1]).read(), re.M):
    parts = m.group(1).split("_")
    fields.add(parts[0] + "".join(p.title() for p in parts[1:]))
bad = []
def walk(x, path):
    if isinstance(x, dict):
        for k, v in x.items():
            if k not in fields: bad.append(path + "." + k)
            walk(v, path + "." + k)
    elif isinstance(x, list):
        for i, v in enumerate(x): walk(v, path + "[%d]" % i)
walk(json.load(open(sys.argv[2])), "")
print("ok" if not bad else "not in schema.proto: %s" % bad[:5])
PY
out=$(python3 schema_fields.py "$MLPIPE_TOP/tests/data/tfdv/schema.proto" "$uri/schema.tfdv.json" 2>&1)
[ "$out" = ok ] && pass tfdv_schema_fields || fail tfdv_schema_fields "$out"

# Anomalies in TFDV's form, per split: one AnomalyInfo per feature with
# its reasons, field names from anomalies.proto (and Path's step).
auri=$(ls -d runs/tfdv/artifacts/validate/*/anomalies | head -1)
cat > anomalies_check.py <<'PY'
import json, re, sys
fields = {"step"}
for m in re.finditer(r"^\s*(?:optional |repeated )?(?:map<[^>]*>|[\w.]+) (\w+) = \d+(?: \[[^\]]*\])?;", open(sys.argv[1]).read(), re.M):
    parts = m.group(1).split("_")
    fields.add(parts[0] + "".join(p.title() for p in parts[1:]))
a = json.load(open(sys.argv[2]))
bad = []
def walk(x, path, free):
    if isinstance(x, dict):
        for k, v in x.items():
            if not free and k not in fields: bad.append(path + "." + k)
            # anomalyInfo is a map: its keys are feature names.
            walk(v, path + "." + k, k == "anomalyInfo")
    elif isinstance(x, list):
        for i, v in enumerate(x): walk(v, path + "[%d]" % i, False)
walk(a, "", False)
assert not bad, bad[:5]
age = a["anomalyInfo"]["age"]
assert age["severity"] == "ERROR" and age["reason"][0]["type"] == "INT_TYPE_BIG_INT", age
assert age["path"]["step"] == ["age"]
assert a["anomalyInfo"]["port"]["reason"][0]["type"] == "ENUM_TYPE_UNEXPECTED_STRING_VALUES"
assert a["anomalyNameFormat"] == "SERIALIZED_PATH" and a["dataMissing"] is False
print("ok")
PY
out=$(python3 anomalies_check.py "$MLPIPE_TOP/tests/data/tfdv/anomalies.proto" "$auri/anomalies.all.tfdv.json" 2>&1)
[ "$out" = ok ] && pass tfdv_anomalies || fail tfdv_anomalies "$out"

# The schema as a person reads it: in words, not JSON.
sid=$(sql runs/tfdv/metadata.sqlite "SELECT id FROM artifact WHERE uri LIKE '%/schema_import/%' LIMIT 1")
expect schema_in_words 0 "$M" show "${sid:-none}" --root runs/tfdv &&
has schema_in_words "$OUT" "  age  INT  always present" "    integers in [0, 100]" \
    "  sex  STRING  present in at least 1 example" "    one of female, male" \
    "    skew: L-infinity distance at most 0.1" \
    "    numbers of at least 0, no NaN" "    drift: Jensen-Shannon divergence at most 0.2 over the quantiles" \
    "    one of C, Q, S; distinct values in [1, 3]" "    true or false: yes or no" "    not in SERVING"
lacks schema_in_words_no_json "$OUT" '\{"' '"threshold"'

# Statistics TFDV computed come in too: our export imported again gives
# the same figures, and validation reads them as its own.
cp "$suri/statistics.tfdv.json" tfdv_stats.json
cat > simport.lua <<'LUA'
local mp = require "mlpipe"
local p = mp.pipeline { name = "si", root = "runs/simport-" .. arg[2] }
local st = p:add("statistics_import", { path = arg[1] })
local sc = p:add("schema_import", { path = "tfdv_schema.json" })
p:add("validate", { statistics = st.statistics, schema = sc.schema, gate = "warn" })
local r = p:run {}
if r.nodes.statistics_import.outputs.statistics then
  print("uri", r.nodes.statistics_import.outputs.statistics.uri)
  local doc = mp.read_json(r.nodes.validate.outputs.anomalies.uri .. "/anomalies.json")
  for _, x in ipairs(doc.splits[1].anomalies) do print(x.kind, x.feature or "-") end
end
LUA
expect tfdv_statistics_import 0 "$M" run simport.lua -- tfdv_stats.json a &&
has tfdv_statistics_import "$OUT" "INT_TYPE_BIG_INT	age" "BOOL_TYPE_UNEXPECTED_STRING	alive"
iuri=$(awk '$1 == "uri" { print $2 }' <<<"$OUT")
cat > same_stats.py <<'PY'
import json, sys
a = json.load(open(sys.argv[1]))["splits"][0]; b = json.load(open(sys.argv[2]))["splits"][0]
assert a["name"] == b["name"] and a["num_examples"] == b["num_examples"]
fa = {f["name"]: f for f in a["features"]}; fb = {f["name"]: f for f in b["features"]}
assert set(fa) == set(fb)
for n, f in fa.items():
    g = fb[n]
    assert f["type"] == g["type"], n
    assert f["common"]["num_non_missing"] == g["common"]["num_non_missing"], n
    assert f["common"]["num_missing"] == g["common"]["num_missing"], n
    if "num_stats" in f:
        for k in ("mean", "std_dev", "min", "median", "max", "num_zeros"):
            assert f["num_stats"].get(k) == g["num_stats"].get(k), (n, k)
        assert [h["buckets"] for h in f["num_stats"]["histograms"]] == \
               [h["buckets"] for h in g["num_stats"]["histograms"]], n
    else:
        for k in ("unique", "top_values", "rank_histogram", "avg_length"):
            assert f["string_stats"][k] == g["string_stats"][k], (n, k)
print("ok")
PY
out=$(python3 same_stats.py "$suri/statistics.json" "$iuri/statistics.json" 2>&1)
[ "$out" = ok ] && pass tfdv_statistics_round_trip || fail tfdv_statistics_round_trip "$out"
# MessageToJson leaves out INT (the type enum's default); other kinds of
# statistics have no counterpart and are refused by name.
printf '{"datasets": [{"name": "d", "numExamples": "2", "features": [{"name": "n", "numStats": {"commonStats": {"numNonMissing": "2"}, "mean": 1.5, "max": "Infinity"}}, {"name": "b", "type": "BYTES", "bytesStats": {}}]}]}' > odd_stats.json
expect tfdv_statistics_refused 3 "$M" run simport.lua -- odd_stats.json b &&
has tfdv_statistics_refused "$OUT" "odd_stats.json: feature 'b': neither numStats nor stringStats"
# Ours without its version is not taken for TFDV's: refused as ours.
refused tfdv_not_guessed '{ "features": [ { "name": "a", "type": "INT" } ] }' \
    'tfdv_not_guessed.json: needs "version": 1'

# Statistics as MessageToJson writes them leave out every field that is 0
# (proto3): a bucket's lowValue, a feature's min and numZeros.  They are
# read as 0, not as missing figures.
cp "$MLPIPE_TOP/tests/data/tfdv/two_splits_stats.json" .
expect tfdv_zeros_omitted 0 "$M" run simport.lua -- two_splits_stats.json z
zuri=$(awk '$1 == "uri" { print $2 }' <<<"$OUT")
zeros=$(python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))["splits"][0]
x = [f for f in s["features"] if f["name"] == "x"][0]
n = x["num_stats"]
print(n["histograms"][0]["buckets"][0]["low_value"], n["min"], n["num_zeros"], x["common"]["num_missing"])' \
    "$zuri/statistics.json" 2>&1)
[ "$zeros" = "0 0 0 0" ] && pass tfdv_zeros_read || fail tfdv_zeros_read "$zeros"
# The report compares the two splits feature by feature: every feature of
# either split once (only_b and c_b are absent from a), no distance where the types
# differ (x) or a side is absent, the L-infinity distance of t's shares
# (|3/4 - 1/4| = 0.5), and no "nan" anywhere.
expect tfdv_compare_report 0 "$M" report latest --root runs/simport-z -o z.html
rows=$(python3 -c '
import re, sys
t = open(sys.argv[1]).read()
for r in re.findall(r"<tr class=\"sorted\"[^>]*>(.*?)</tr>", t):
    cells = re.findall(r"<td[^>]*>(.*?)</td>", re.sub(r"<svg.*?</svg>", "SVG", r))
    print("|".join(cells))' z.html)
# Whole rows: only_b's one value (a point) has no width to chart.
want_rows=$(printf '%s\n' "t|STRING|0.0%||2|0.0%||2|0.5000|SVG" "x|FLOAT|0.0%|0.0%|1|0.0%||1|-|" \
    "only_b|INT|absent|||50.0%|0.0%|5|-|" "c_b|STRING|absent|||0.0%||2|-|SVG")
[ "$rows" = "$want_rows" ] && pass tfdv_compare_union || fail tfdv_compare_union "$rows"
# A feature only the second split has is drawn in that split's colour only.
fills=$(python3 -c '
import re, sys
t = open(sys.argv[1]).read()
row = [r for r in re.findall(r"<tr class=\"sorted\"[^>]*>(.*?)</tr>", t) if r.startswith("<td>c_b<")][0]
print(" ".join(sorted(set(re.findall(r"fill=\"(#[0-9a-f]+)\"", row)))))' z.html)
[ "$fills" = "#ee854a" ] && pass tfdv_compare_partial_chart || fail tfdv_compare_partial_chart "$fills"
[ "$(wc -l <<<"$rows")" = 4 ] && lacks tfdv_compare_no_nan "$(cat z.html)" 'nan%' '>-?nan<' && pass tfdv_compare_rows ||
    fail tfdv_compare_rows "$rows"
# Figures that cannot be right are refused by name, not compared: a
# feature listed twice in a split, two splits of one name, a negative count.
printf '{"datasets": [{"name": "d", "features": [{"name": "n", "numStats": {}}, {"name": "n", "numStats": {}}]}]}' > dup_feature.json
expect tfdv_dup_feature 3 "$M" run simport.lua -- dup_feature.json df &&
has tfdv_dup_feature "$OUT" "dup_feature.json: dataset 'd': feature 'n' is listed twice"
printf '{"datasets": [{"features": []}, {"name": "all", "features": []}]}' > dup_split.json
expect tfdv_dup_split 3 "$M" run simport.lua -- dup_split.json ds &&
has tfdv_dup_split "$OUT" "dup_split.json: two datasets are named 'all'"
printf '{"datasets": [{"name": "d", "features": [{"name": "n", "numStats": {"histograms": [{"buckets": [{"highValue": 1, "sampleCount": -3}]}]}}]}]}' > neg_count.json
expect tfdv_negative_count 3 "$M" run simport.lua -- neg_count.json nc &&
has tfdv_negative_count "$OUT" "neg_count.json: feature 'n': sampleCount: expected a count of at least 0 and at most 2^64, got -3"
# What would import as nothing, or as figures no statistics have, is
# refused by name too; so is text after the JSON value.
bad_import() {
    printf '%s' "$2" > "$1.json"
    expect "tfdv_refuses_$1" 3 "$M" run simport.lua -- "$1.json" "$1" &&
    has "tfdv_refuses_$1" "$OUT" "$1.json$3"
}
bad_import features_not_list '{"datasets": [{"name": "d", "features": "f"}]}' \
    ": dataset 'd': features: expected a list"
bad_import buckets_not_list '{"datasets": [{"name": "d", "features": [{"name": "n", "numStats": {"histograms": [{"buckets": "x"}]}}]}]}' \
    ": feature 'n': buckets: expected a list"
bad_import bucket_reversed '{"datasets": [{"name": "d", "features": [{"name": "n", "numStats": {"histograms": [{"type": "STANDARD", "buckets": [{"lowValue": 5, "highValue": 1, "sampleCount": 1}]}]}}]}]}' \
    ": feature 'n': a STANDARD bucket from 5 to 1 (bounds must be numbers, low at most high)"
bad_import bucket_nan '{"datasets": [{"name": "d", "features": [{"name": "n", "numStats": {"histograms": [{"buckets": [{"lowValue": "NaN", "highValue": 1, "sampleCount": 1}]}]}}]}]}' \
    ": feature 'n': a STANDARD bucket from NaN to 1"
bad_import uint_fraction '{"datasets": [{"name": "d", "numExamples": "2.5", "features": []}]}' \
    ": dataset 'd': numExamples: expected a whole number, got \"2.5\""
bad_import uint_hex '{"datasets": [{"name": "d", "features": [{"name": "s", "type": "STRING", "stringStats": {"unique": "0x10"}}]}]}' \
    ": feature 's': unique: expected a whole number, got \"0x10\""
bad_import count_huge '{"datasets": [{"name": "d", "features": [{"name": "n", "numStats": {"histograms": [{"buckets": [{"highValue": 1, "sampleCount": 1.7e308}]}]}}]}]}' \
    ": feature 'n': sampleCount: expected a count of at least 0 and at most 2^64, got 1.7e+308"
bad_import no_name '{"datasets": [{"name": "d", "features": [{"numStats": {}}]}]}' \
    ": a feature without a name or path"
bad_import both_kinds '{"datasets": [{"name": "d", "features": [{"name": "n", "numStats": {}, "stringStats": {}}]}]}' \
    ": feature 'n': both numStats and stringStats"
bad_import trailing '{"datasets": []} {"datasets": []}' ":1:18: text after the JSON value"
# A long domain in words: its first 20 values and how many there are.
python3 -c '
import json
print(json.dumps({"version": 1, "features": [{"name": "c", "type": "STRING", "domain": "c"}],
                  "string_domains": [{"name": "c", "values": ["v%02d" % i for i in range(25)]}]}))' > long_domain.json
cat > longdom.lua <<'LUA'
local mp = require "mlpipe"
local p = mp.pipeline { name = "ld", root = "runs/longdom" }
p:add("schema_import", { path = "long_domain.json" })
p:run {}
LUA
expect long_domain_run 0 "$M" run longdom.lua
lid=$(sql runs/longdom/metadata.sqlite "SELECT id FROM artifact WHERE uri LIKE '%/schema_import/%' LIMIT 1")
expect long_domain_words 0 "$M" show "${lid:-none}" --root runs/longdom &&
has long_domain_words "$OUT" "one of v00, v01, v02, v03, v04, v05, v06, v07, v08, v09, v10, v11, v12, v13, v14, v15, v16, v17, v18, v19, ... (25 values)"
lacks long_domain_cut "$OUT" "v20"
# Wide data: charts for the 1000 features furthest apart, and the page
# says so.
python3 -c '
import json
def ds(name, shift):
    return {"name": name, "features": [
        {"name": "f%04d" % i, "type": "FLOAT", "numStats": {"commonStats": {"numNonMissing": "10"},
         "histograms": [{"buckets": [{"highValue": 1, "sampleCount": 5 + (shift if i % 7 == 0 else 0)},
                                     {"lowValue": 1, "highValue": 2, "sampleCount": 5}]}]}}
        for i in range(1001)]}
print(json.dumps({"datasets": [ds("a", 0), ds("b", 3)]}))' > wide_stats.json
expect wide_compare_run 0 "$M" run simport.lua -- wide_stats.json w
expect wide_compare_report 0 "$M" report latest --root runs/simport-w -o w.html &&
has wide_compare_note "$(cat w.html)" "(1001 features: charts for the 1000 furthest apart; the rest are in each split's table below)"
[ "$(grep -o '<svg class="cmp"' w.html | wc -l)" = 1000 ] && pass wide_compare_charts ||
    fail wide_compare_charts "$(grep -o '<svg class="cmp"' w.html | wc -l) charts"
