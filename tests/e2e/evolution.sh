# Weighted statistics, schema evolution between spans, and example-count
# drift between spans.
. "$(dirname "$0")/../lib.sh"

# Weights: x = 1, 2, 3, 4 with weights 1, 1, 1, 5: weighted mean 26 / 8 =
# 3.25, weighted population variance (5.0625 + 1.5625 + 0.0625 + 5 * 0.5625)
# / 8 = 1.1875, standard deviation 1.089725.
printf 'x,w,g\n1,1,a\n2,1,a\n3,1,b\n4,5,b\n' > wt.csv
cat > wt.lua <<'LUA'
local mp = require "mlpipe"
local p = mp.pipeline { name = "wt", root = "runs/wt" }
local ex = p:add("csv_import", { path = "wt.csv", splits = { all = 1 } })
local st = p:add("statistics", { examples = ex.examples, weight = "w" })
local r = p:run {}
if r.status ~= "ok" then return end
local s = mp.read_json(r.nodes.statistics.outputs.statistics.uri .. "/statistics.json").splits[1]
print("weighted_num_examples", s.weighted_num_examples)
for _, f in ipairs(s.features) do
  if f.name == "x" then print(string.format("x mean=%.6f std=%.6f", f.num_stats.mean, f.num_stats.std_dev)) end
  if f.name == "g" then for _, t in ipairs(f.string_stats.top_values) do print("g", t.value, t.frequency) end end
end
LUA
expect weighted_statistics 0 "$M" run wt.lua &&
has weighted_statistics "$OUT" "weighted_num_examples	8" "x mean=3.250000 std=1.089725" "g	b	6" "g	a	2"
printf 'x,w\n1,1\n2,-1\n' > negw.csv
sed 's/wt.csv/negw.csv/; s|runs/wt|runs/negw|' wt.lua > negw.lua
expect negative_weight_refused 3 "$M" run negw.lua &&
has negative_weight_refused "$OUT" "weight column 'w', split 'all', row 2: weights must be present, finite and >= 0"
printf 'x,w\n1,1\n2,inf\n' > infw.csv
sed 's/wt.csv/infw.csv/; s|runs/wt|runs/infw|' wt.lua > infw.lua
expect infinite_weight_refused 3 "$M" run infw.lua &&
has infinite_weight_refused "$OUT" "weight column 'w', split 'all', row 2: weights must be present, finite and >= 0"
awk 'BEGIN { print "x,w"; for (i = 0; i < 1000; i++) print i "," (i % 2 ? "1e308" : "0") }' > bigw.csv
sed 's/bigw.csv/bigw.csv/; s/wt.csv/bigw.csv/; s|runs/wt|runs/bigw|' wt.lua > bigw.lua
expect weight_total_refused 3 "$M" run bigw.lua &&
has weight_total_refused "$OUT" "weight column 'w', split 'all': the weights add up to more than the largest double"
# A split with no rows is described (with weight 0), not refused.
sed 's/splits = { all = 1 }/splits = { all = 1, none = 0.000001 }/; s|runs/wt|runs/emptyw|' wt.lua > emptyw.lua
expect empty_split_weighted 0 "$M" run emptyw.lua &&
has empty_split_weighted "$OUT" "weighted_num_examples	8"

# Schema evolution: span 1 has a, b; span 2 adds c.  A hand edit of the
# earlier schema (a's presence) survives; c is added only when accepted.
printf 'a,b\n1,x\n2,y\n3,x\n' > span_1.csv
printf 'a,b,c\n1,x,7\n2,y,8\n3,x,9\n' > span_2.csv
cat > evo.lua <<'LUA'
local mp = require "mlpipe"
local accept = arg[1] == "accept"
local p = mp.pipeline { name = "evo", root = "runs/evo-" .. arg[1] }
local s1 = p:add("csv_import", { name = "span1", path = "span_{SPAN}.csv", span = 1, splits = { train = 1 } })
local st1 = p:add("statistics", { name = "stats1", examples = s1.examples })
local sc1 = p:add("schema_import", { path = "curated.json" })
local s2 = p:add("csv_import", { name = "span2", path = "span_{SPAN}.csv", splits = { train = 1 } })
local st2 = p:add("statistics", { name = "stats2", examples = s2.examples })
local sc2 = p:add("schema_infer", { statistics = st2.statistics, schema = sc1.schema,
                                    accept_new_features = accept })
p:add("validate", { statistics = st2.statistics, schema = sc2.schema, gate = "warn" })
local r = p:run {}
local schema = mp.read_json(r.nodes.schema_infer.outputs.schema.uri .. "/schema.json")
for _, f in ipairs(schema.features) do
  print("feature", f.name, f.presence and f.presence.min_fraction or "-")
end
print("span", r.nodes.span2.outputs.examples.properties.span)
local a = mp.read_json(r.nodes.validate.outputs.anomalies.uri .. "/anomalies.json")
for _, x in ipairs(a.splits[1].anomalies) do print("anomaly", x.kind, x.feature) end
LUA
cat > curated.json <<'JSON'
{ "version": 1, "features": [
  { "name": "a", "type": "INT", "presence": { "min_fraction": 0.5, "min_count": 1 } },
  { "name": "b", "type": "STRING", "presence": { "min_count": 1 } } ] }
JSON
expect evolution_without_accept 0 "$M" run evo.lua -- keep &&
has evolution_without_accept "$OUT" "feature	a	0.5" "span	2" "anomaly	SCHEMA_NEW_COLUMN	c" &&
lacks evolution_keeps_schema "$OUT" "feature	c"
expect evolution_with_accept 0 "$M" run evo.lua -- accept &&
has evolution_with_accept "$OUT" "feature	a	0.5" "feature	c	1" &&
lacks evolution_accepts_new "$OUT" SCHEMA_NEW_COLUMN

# Example counts between spans.
{ echo v; seq 1 100; } > count_1.csv
{ echo v; seq 1 40; } > count_2.csv
cat > counts.json <<'JSON'
{ "version": 1, "features": [ { "name": "v", "type": "INT" } ],
  "dataset_constraints": { "num_examples_drift_comparator":
      { "min_fraction_threshold": 0.8, "max_fraction_threshold": 1.2 } } }
JSON
cat > counts.lua <<'LUA'
local mp = require "mlpipe"
local p = mp.pipeline { name = "counts", root = "runs/counts" }
local a = p:add("csv_import", { name = "prev", path = "count_1.csv", splits = { all = 1 } })
local b = p:add("csv_import", { name = "cur", path = "count_2.csv", splits = { all = 1 } })
local sa = p:add("statistics", { name = "sa", examples = a.examples })
local sb = p:add("statistics", { name = "sb", examples = b.examples })
local sc = p:add("schema_import", { path = "counts.json" })
p:add("validate", { statistics = sb.statistics, baseline = sa.statistics, schema = sc.schema })
p:run {}
LUA
expect example_count_drift 4 "$M" run counts.lua &&
has example_count_drift "$OUT" "all: dataset COMPARATOR_LOW_NUM_EXAMPLES"
# Within both limits (100 against 90, a fraction of 0.9; and on the upper
# edge, 120 against 100): no anomaly.  Above: high.
{ echo v; seq 1 90; } > count_2.csv
expect example_count_within 0 "$M" run counts.lua && has example_count_within "$OUT" "ran      validate" &&
lacks example_count_within_none "$OUT" "NUM_EXAMPLES"
{ echo v; seq 1 120; } > count_2.csv
expect example_count_upper_edge 0 "$M" run counts.lua && has example_count_upper_edge "$OUT" "ran      validate" &&
lacks example_count_upper_edge_none "$OUT" "NUM_EXAMPLES"
{ echo v; seq 1 121; } > count_2.csv
expect example_count_high 4 "$M" run counts.lua &&
has example_count_high "$OUT" "all: dataset COMPARATOR_HIGH_NUM_EXAMPLES"
