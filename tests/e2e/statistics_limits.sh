# Statistics that stay readable on unusual data: a huge value is stored cut
# (and says so), a wide table is summarised in the terminal (the report has
# every feature), and a median says when it is approximate.
. "$(dirname "$0")/../lib.sh"
cat > st.lua <<'LUA'
local mp = require "mlpipe"
local opts = assert(load("return " .. (arg[2] or "{}")))()
local p = mp.pipeline { name = "st", root = "runs/" .. (opts.root or "st") }
opts.root = nil
local ex = p:add("csv_import", { path = arg[1], splits = { all = 1 } })
opts.examples = ex.examples
p:add("statistics", opts)
local r = p:run {}
if r.nodes.statistics.outputs.statistics then print("uri", r.nodes.statistics.outputs.statistics.uri) end
LUA
stats_of() { cat "$(awk '$1 == "uri" { print $2 }' <<<"$OUT")/statistics.json" 2>/dev/null; }

# A 100 KB value (with a multi-byte character at the cut): stored as its
# first 1024 bytes at most, cut at a character boundary.
awk 'BEGIN { print "s"; printf "x"; for (i = 0; i < 1022; i++) printf "a"; printf "é";
             for (i = 0; i < 100000; i++) printf "b"; print ""; print "short" }' > huge.csv
expect huge_value 0 "$M" run st.lua -- huge.csv
stats=$(stats_of)
has huge_value_cut "$stats" '"values_cut_at_bytes": 1024'
[ "$(wc -c <<<"$stats")" -lt 20000 ] && pass huge_value_small_stats ||
    fail huge_value_small_stats "$(wc -c <<<"$stats") bytes of statistics"
value=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(max(len(v["value"].encode()) for v in d["splits"][0]["features"][0]["string_stats"]["top_values"]))' \
        "$(awk '$1 == "uri" { print $2 }' <<<"$OUT")/statistics.json")
[ "$value" = 1023 ] && pass huge_value_cut_at_character || fail huge_value_cut_at_character "longest stored value $value bytes"
expect huge_value_whole 0 "$M" run st.lua -- huge.csv '{ max_value_bytes = 0, root = "whole" }'
lacks huge_value_whole_not_cut "$(stats_of)" 'values_cut_at_bytes'
# Values cut to the same first bytes: their counts add up when splits are
# compared (the statistics against themselves are at distance 0), and no
# domain is inferred from cut values (it would refuse every real one).
printf 's\nAAAAx\nAAAAy\nAAAAx\nB\n' > cut.csv
cat > cut.lua <<'LUA'
local mp = require "mlpipe"
local p = mp.pipeline { name = "cut", root = "runs/cut" }
local ex = p:add("csv_import", { path = "cut.csv", splits = { all = 1 } })
local st = p:add("statistics", { examples = ex.examples, max_value_bytes = 4 })
local sc = p:add("schema_infer", { statistics = st.statistics, split = "all", drift_threshold = 0.01 })
p:add("validate", { statistics = st.statistics, baseline = st.statistics, schema = sc.schema })
local r = p:run {}
local doc = mp.read_json(r.nodes.validate.outputs.anomalies.uri .. "/anomalies.json")
for _, d in ipairs(doc.splits[1].drift) do print("drift", d.feature, d.distance) end
print("domains", #(mp.read_json(r.nodes.schema_infer.outputs.schema.uri .. "/schema.json").string_domains or {}))
LUA
expect cut_values_compared 0 "$M" run cut.lua &&
has cut_values_compared "$OUT" "drift	s	0" "domains	0"

# 300 columns: the terminal gets the first 100 and a summary line.
awk 'BEGIN { for (c = 0; c < 300; c++) printf "%sc%d", (c ? "," : ""), c; print "";
             for (r = 0; r < 5; r++) { for (c = 0; c < 300; c++) printf "%s%d", (c ? "," : ""), r * c; print "" } }' > wide.csv
expect wide_stats 0 "$M" run st.lua -- wide.csv '{ root = "wide" }'
id=$(sql runs/wide/metadata.sqlite "SELECT id FROM artifact WHERE uri LIKE '%/statistics/%' LIMIT 1")
expect wide_show 0 "$M" show "${id:-none}" --root runs/wide &&
has wide_show "$OUT" "  c99 " "  ... 200 more features (200 numeric, 0 with missing values); \`mlpipe report\` shows them all"
lacks wide_show_paged "$OUT" "  c100 "
ex=$(sql runs/wide/metadata.sqlite "SELECT id FROM artifact WHERE uri LIKE '%/csv_import/%' LIMIT 1")
expect wide_examples_show 0 "$M" show "${ex:-none}" --root runs/wide &&
has wide_examples_show "$OUT" "  c99  " "  ... 200 more columns (\`mlpipe report\` lists them all)"
lacks wide_examples_paged "$OUT" "  c100 "
cat > wideschema.lua <<'LUA'
local mp = require "mlpipe"
local p = mp.pipeline { name = "ws", root = "runs/ws" }
local ex = p:add("csv_import", { path = "wide.csv", splits = { train = 1 } })
local st = p:add("statistics", { examples = ex.examples })
p:add("schema_infer", { statistics = st.statistics })
p:run {}
LUA
expect wide_schema 0 "$M" run wideschema.lua
sid=$(sql runs/ws/metadata.sqlite "SELECT id FROM artifact WHERE uri LIKE '%/schema_infer/%' LIMIT 1")
expect wide_schema_show 0 "$M" show "${sid:-none}" --root runs/ws &&
has wide_schema_show "$OUT" "300 features" "  ... 200 more features (\`mlpipe report\` lists them all)"
lacks wide_schema_paged "$OUT" "  c100  "
expect wide_report 0 "$M" report latest --root runs/wide -o wide.html &&
has wide_report "$(cat wide.html)" '<td>c299</td>'

# More distinct values than the exact counts keep (1024), within the
# exact limit: an exact median; beyond the limit, marked approximate.
awk 'BEGIN { print "x"; for (i = 0; i < 3001; i++) print (i * 7919) % 3001 + 0.5 }' > many.csv
expect exact_median 0 "$M" run st.lua -- many.csv '{ root = "exact" }'
has exact_median "$(stats_of)" '"median": 1500.5' '"quantiles_exact": true'
expect sketch_median 0 "$M" run st.lua -- many.csv '{ root = "sketch", exact_quantiles_max = 100 }'
has sketch_median "$(stats_of)" '"quantiles_exact": false'
id=$(sql runs/sketch/metadata.sqlite "SELECT id FROM artifact WHERE uri LIKE '%/statistics/%' LIMIT 1")
expect sketch_median_marked 0 "$M" show "${id:-none}" --root runs/sketch &&
has sketch_median_marked "$OUT" "~ median from the quantile sketch" " ~1"

# Text whose distinct values pass exact_unique_mb: unique estimated (within
# 3 % here), top counts as lower bounds within frequency_error, both
# marked in the view; the exact run counts them exactly.
awk 'BEGIN { print "t"; for (i = 0; i < 6000; i++) print (i % 3 == 0 ? "common" : "word" (i % 2000)) }' > words.csv
expect text_sketch 0 "$M" run st.lua -- words.csv '{ root = "tsketch", exact_unique_mb = 0 }'
cat > tsketch.py <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
ss = [f for f in d["splits"][0]["features"] if f["name"] == "t"][0]["string_stats"]
assert ss["counts_exact"] is False, ss.keys()
assert abs(ss["unique"] - 2001) <= 0.03 * 2001, ss["unique"]
top = ss["top_values"][0]
assert top["value"] == "common" and top["frequency"] <= 2000 <= top["frequency"] + ss["frequency_error"], (top, ss["frequency_error"])
print("ok")
PY
out=$(python3 tsketch.py "$(awk '$1 == "uri" { print $2 }' <<<"$OUT")/statistics.json" 2>&1)
[ "$out" = ok ] && pass text_sketch_figures || fail text_sketch_figures "$out"
id=$(sql runs/tsketch/metadata.sqlite "SELECT id FROM artifact WHERE uri LIKE '%/statistics/%' LIMIT 1")
expect text_sketch_marked 0 "$M" show "${id:-none}" --root runs/tsketch &&
has text_sketch_marked "$OUT" "~ distinct values estimated" "  ~2"
# Listing limits far beyond any table: capped, not an overflowed size.
expect text_sketch_huge_top 0 "$M" run st.lua -- words.csv '{ root = "thuge", exact_unique_mb = 0, top_k = 576460752303423488, rank_histogram_buckets = 1152921504606846976 }'
has text_sketch_huge_top "$(stats_of)" '"value": "common"'
expect text_exact 0 "$M" run st.lua -- words.csv '{ root = "texact" }'
has text_exact "$(stats_of)" '"unique": 2001' '"frequency": 2000'
lacks text_exact_unmarked "$(stats_of)" 'counts_exact'

# Sliced statistics: per value of a feature and per pair of values of two,
# in the same artifact, the counts those of the rows that have them.
printf 'sex,cls,age\nm,1,30\nf,1,40\nm,2,50\nm,2,\nf,3,20\n,1,99\n' > people.csv
expect sliced 0 "$M" run st.lua -- people.csv '{ root = "sliced", slice_by = { "sex", { "sex", "cls" } } }'
cat > slices.py <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
s = {x["name"]: x for x in d["splits"][0]["slices"]}
def age(sl):
    return [f for f in s[sl]["features"] if f["name"] == "age"][0]["num_stats"]
assert sorted(s) == ["sex=f", "sex=f, cls=1", "sex=f, cls=3", "sex=m", "sex=m, cls=1", "sex=m, cls=2"], sorted(s)
assert s["sex=m"]["num_examples"] == 3 and s["sex=f"]["num_examples"] == 2
assert age("sex=m")["mean"] == 40 and age("sex=f")["mean"] == 30 and age("sex=m, cls=2")["mean"] == 50
t = json.load(open(sys.argv[2]))
names = [x["name"] for x in t["datasets"]]
assert names[0] == "all" and "all:sex=m, cls=2" in names, names
print("ok")
PY
suri=$(awk '$1 == "uri" { print $2 }' <<<"$OUT")
out=$(python3 slices.py "$suri/statistics.json" "$suri/statistics.tfdv.json" 2>&1)
[ "$out" = ok ] && pass sliced_statistics || fail sliced_statistics "$out"
id=$(sql runs/sliced/metadata.sqlite "SELECT id FROM artifact WHERE uri LIKE '%/statistics/%' LIMIT 1")
expect sliced_show 0 "$M" show "${id:-none}" --root runs/sliced &&
has sliced_show "$OUT" "  slices: sex=m (3), sex=f (2), sex=m, cls=1 (1)"
expect sliced_report 0 "$M" report latest --root runs/sliced -o sliced.html &&
has sliced_report "$(cat sliced.html)" "<h4>slice sex=f, cls=3: 1 examples</h4>"
expect slices_too_many 3 "$M" run st.lua -- people.csv '{ root = "many", slice_by = { "age" }, max_slices = 3 }' &&
has slices_too_many "$OUT" "parameter 'slice_by': more than max_slices (3) slices of age"
expect slices_unknown 3 "$M" run st.lua -- people.csv '{ root = "unk", slice_by = { "nope" } }' &&
has slices_unknown "$OUT" "parameter 'slice_by': no column 'nope'"

# A range of a few subnormals has no room for ten distinct edges: one
# bucket holds every value (no value counted where it does not lie).
printf 'x\n-5e-324\n5e-324\n5e-324\n' > subnormal.csv
expect subnormal_stats 0 "$M" run st.lua -- subnormal.csv '{ root = "subnormal" }'
buckets=$(stats_of | python3 -c '
import json, sys
f = json.load(sys.stdin)["splits"][0]["features"][0]
h = [h for h in f["num_stats"]["histograms"] if h["type"] == "STANDARD"][0]
print(";".join("%r,%r,%r" % (b["low_value"], b["high_value"], b["sample_count"]) for b in h["buckets"]))')
[ "$buckets" = "-5e-324,5e-324,3" ] && pass subnormal_one_bucket || fail subnormal_one_bucket "$buckets"

# Finite values whose sum passes the largest double: the mean is still
# the mean (2/3 of 1.797e308; NumPy's sum overflows to inf).
printf 'x\n1.7976931348623157e308\n1.7976931348623157e308\n0\n' > hugemean.csv
expect huge_mean_stats 0 "$M" run st.lua -- hugemean.csv '{ root = "hugemean" }'
mean=$(stats_of | python3 -c '
import json, sys
print(repr(json.load(sys.stdin)["splits"][0]["features"][0]["num_stats"]["mean"]))')
want=$(python3 -c 'print(repr(1.7976931348623157e308 / 3 * 2))')
python3 -c 'import sys; a, b = float(sys.argv[1]), float(sys.argv[2]); sys.exit(0 if abs(a - b) <= 1e-12 * b else 1)' \
    "$mean" "$want" 2>/dev/null && pass huge_mean_finite || fail huge_mean_finite "mean $mean, want $want"
