# Statistics against pandas: the same files, the reference numbers saved by
# tests/data/make_fixtures.py (pandas with correctly rounded float parsing).
# Tolerances: counts, zeros, min, max, distinct values, top values and
# equal-width histogram counts exact (a value on a bucket edge counts in
# the bucket NumPy puts it in); missing fractions within 1e-15; mean and standard deviation within
# 1e-9 relative (plus 1e-12 of the standard deviation, for means near 0);
# median and quantiles within 1e-12 relative when exact (at most 1024
# distinct values, or under 1024 values), else their rank must lie within
# the sketch's reported rank error of the requested rank.
. "$(dirname "$0")/../lib.sh"
for set in TitanicSurvival breast_cancer diabetes ints; do
cat > "$set.lua" <<LUA
local mp = require "mlpipe"
local p = mp.pipeline { name = "$set", root = "runs/$set" }
local ex = p:add("csv_import", { path = "$MLPIPE_TOP/tests/data/$set.csv", splits = { all = 1 } })
local st = p:add("statistics", { examples = ex.examples })
-- An odd number of quantile buckets has no bucket edge at the median:
-- the median must not depend on it.
p:add("statistics", { name = "odd", examples = ex.examples, quantile_buckets = 7 })
local r = p:run {}
local odd = assert(mp.read_json(r.nodes.odd.outputs.statistics.uri .. "/statistics.json"))
local stats = assert(mp.read_json(r.nodes.statistics.outputs.statistics.uri .. "/statistics.json"))
local want = assert(mp.read_json("$MLPIPE_TOP/tests/data/fixtures/${set}_stats.json"))
local split = stats.splits[1]
local bad = {}
local function check(cond, fmt, ...) if not cond then bad[#bad + 1] = string.format(fmt, ...) end end
local function close(a, b, rel, abs) return a == b or math.abs(a - b) <= rel * math.max(math.abs(a), math.abs(b)) + (abs or 0) end
-- Rank check for approximate quantiles: some position of v in the sorted
-- values must lie within err * n of q * (n - 1).
local function rank_ok(sorted, v, q, err)
  local n, lo, hi = #sorted, nil, nil
  for i = 1, n do
    if sorted[i] <= v then hi = i - 1 end
    if lo == nil and sorted[i] >= v then lo = i - 1 end
  end
  lo, hi = lo or n - 1, hi or 0
  local want, slack = q * (n - 1), err * n + 1
  return not (hi < want - slack or lo > want + slack)
end
check(split.num_examples == want.num_examples, "num_examples %s vs %s", split.num_examples, want.num_examples)
local seen = 0
for _, f in ipairs(split.features) do
  local w = want.features[f.name]
  seen = seen + 1
  check(w ~= nil, "feature %s not in the fixture", f.name)
  if w then
    check(f.common.num_missing == w.num_missing, "%s missing %s vs %s", f.name, f.common.num_missing, w.num_missing)
    check(f.common.num_non_missing == w.num_non_missing, "%s present %s vs %s", f.name, f.common.num_non_missing, w.num_non_missing)
    local frac = w.num_missing / (w.num_missing + w.num_non_missing)
    check(close(f.common.missing_fraction, frac, 1e-15), "%s missing_fraction %.17g vs %.17g", f.name, f.common.missing_fraction, frac)
    if w.kind == "numeric" then
      local n = f.num_stats
      check(f.type == (w.all_int and "INT" or "FLOAT"), "%s type %s", f.name, f.type)
      check(close(n.mean, w.mean, 1e-9, 1e-12 * w.std_dev), "%s mean %.17g vs %.17g", f.name, n.mean, w.mean)
      check(close(n.std_dev, w.std_dev, 1e-9), "%s std %.17g vs %.17g", f.name, n.std_dev, w.std_dev)
      check(n.num_zeros == w.num_zeros, "%s zeros", f.name)
      check(n.min == w.min and n.max == w.max, "%s min/max", f.name)
      local exact = n.quantile_rank_error == 0
      check(exact or w.sorted ~= nil, "%s: approximate quantiles for only %d values", f.name, w.num_non_missing)
      local function qcheck(v, q, ref, what)
        if exact then check(close(v, ref, 1e-12), "%s %s %.17g vs %.17g", f.name, what, v, ref)
        else check(rank_ok(w.sorted, v, q, n.quantile_rank_error), "%s %s %.17g outside rank error %g", f.name, what, v, n.quantile_rank_error) end
      end
      qcheck(n.median, 0.5, w.median, "median")
      for _, g in ipairs(odd.splits[1].features) do
        if g.name == f.name then qcheck(g.num_stats.median, 0.5, w.median, "median with 7 buckets") end
      end
      local std, qh
      for _, h in ipairs(n.histograms) do
        if h.type == "STANDARD" then std = h else qh = h end
      end
      local total = 0
      for i, b in ipairs(std.buckets) do
        total = total + b.sample_count
        check(b.sample_count == w.histogram[i], "%s bucket %d: %s vs %s", f.name, i, b.sample_count, w.histogram[i])
      end
      check(total == w.num_non_missing, "%s histogram total %s", f.name, total)
      for i, b in ipairs(qh.buckets) do
        qcheck(b.low_value, (i - 1) / #qh.buckets, w.quantiles[i], "quantile " .. i)
      end
      qcheck(qh.buckets[#qh.buckets].high_value, 1, w.quantiles[#w.quantiles], "max quantile")
    else
      local s = f.string_stats
      check(f.type == "STRING", "%s type %s", f.name, f.type)
      check(s.unique == w.unique, "%s unique %s vs %s", f.name, s.unique, w.unique)
      check(close(s.avg_length, w.avg_length, 1e-12), "%s avg_length", f.name)
      for i, t in ipairs(s.top_values) do
        check(t.value == w.top_values[i].value and t.frequency == w.top_values[i].frequency,
              "%s top %d: %s=%s vs %s=%s", f.name, i, t.value, t.frequency, w.top_values[i].value, w.top_values[i].frequency)
      end
    end
  end
end
local nwant = 0
for _ in pairs(want.features) do nwant = nwant + 1 end
check(seen == nwant, "%d features, fixture has %d", seen, nwant)
if #bad == 0 then print("PASS stats_match_pandas_$set")
else print("FAIL stats_match_pandas_$set: " .. table.concat(bad, "; ", 1, math.min(#bad, 8))) end
LUA
"$M" run "$set.lua" 2>&1 | grep -E '^(PASS|FAIL) ' || fail "stats_match_pandas_$set" "pipeline failed"
done

# Values exactly on bucket edges, counted where NumPy counts them
# (np.histogram(x, bins=10), computed once and written here): NumPy's
# edges are linspace(min, max, 11), so 0.3 falls below the edge
# 0.30000000000000004 and lands in the third bucket.
{
    echo "i,d,m"
    for k in 0 1 2 3 4 5 6 7 8 9 10; do
        case $k in 0) m=-3;; 1) m=-1;; 2) m=0.5;; 3|4) m=2;; 5) m=7;; *) m=;; esac
        echo "$k,$(awk "BEGIN{printf \"%.1f\", $k/10}"),$m"
    done
} > edges.csv
cat > edges.lua <<LUA
local mp = require "mlpipe"
local p = mp.pipeline { name = "edges", root = "runs/edges" }
local ex = p:add("csv_import", { path = "edges.csv", splits = { all = 1 } })
local st = p:add("statistics", { examples = ex.examples })
local r = p:run {}
local s = assert(mp.read_json(r.nodes.statistics.outputs.statistics.uri .. "/statistics.json"))
for _, f in ipairs(s.splits[1].features) do
  for _, h in ipairs(f.num_stats.histograms) do
    if h.type == "STANDARD" then
      local c = {}
      for i, b in ipairs(h.buckets) do c[i] = string.format("%d", b.sample_count) end
      print("hist", f.name, table.concat(c, " "))
    end
  end
end
LUA
expect histogram_edges 0 "$M" run edges.lua &&
has histogram_edges "$OUT" "hist	i	1 1 1 1 1 1 1 1 1 2" "hist	d	1 1 2 0 1 2 1 0 1 2" \
    "hist	m	1 0 1 1 0 2 0 0 0 1"
