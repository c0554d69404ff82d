# Reports: `mlpipe show` prints Statistics and Anomalies as tables, and
# `mlpipe report` writes one self-contained HTML page.
. "$(dirname "$0")/../lib.sh"
printf 'cat,x\n' > d.csv
for i in $(seq 1 50); do echo "$([ $((i % 3)) = 0 ] && echo c || echo a),$i" >> d.csv; done
cat > s.json <<'JSON'
{ "version": 1, "features": [
  { "name": "cat", "type": "STRING", "string_domain": { "values": ["a", "b"] } },
  { "name": "x", "type": "INT", "int_domain": { "min": 1, "max": 40 } } ] }
JSON
cat > p.lua <<'LUA'
local mp = require "mlpipe"
local p = mp.pipeline { name = "rep", root = "runs/rep" }
local ex = p:add("csv_import", { path = "d.csv", splits = { all = 1 } })
local st = p:add("statistics", { examples = ex.examples })
local sc = p:add("schema_import", { path = "s.json" })
p:add("validate", { statistics = st.statistics, schema = sc.schema, examples = ex.examples, gate = "warn" })
p:run {}
LUA
expect report_pipeline 0 "$M" run p.lua &&
has report_pipeline "$OUT" "ran      statistics" "ran      schema_import" "ran      validate"
id=$(sql runs/rep/metadata.sqlite "SELECT a.id FROM artifact a JOIN artifact_type t ON t.id=a.type_id WHERE t.name='Statistics'")
expect show_statistics_table 0 "$M" show "$id" --root runs/rep &&
has show_statistics_table "$OUT" "Statistics" "split all: 50 examples" "feature" "median" \
    "x                    INT       0.00%        25.5" "cat                  STRING    0.00%" "2: a (34) c (16)"
expect show_statistics_json 0 "$M" show "$id" --root runs/rep --json && has show_statistics_json "$OUT" '"type": "Statistics"'
id=$(sql runs/rep/metadata.sqlite "SELECT a.id FROM artifact a JOIN artifact_type t ON t.id=a.type_id WHERE t.name='Anomalies'")
expect show_anomalies_table 0 "$M" show "$id" --root runs/rep &&
has show_anomalies_table "$OUT" "split all: 2 anomalies" "ERROR   cat                ENUM_TYPE_UNEXPECTED_STRING_VALUES" \
    "first rows: d.csv:4 d.csv:7" "ERROR   x                  INT_TYPE_BIG_INT"
# The counts are also properties, for scripts and `show --json`.
expect anomalies_counts 0 "$M" show "$id" --root runs/rep --json &&
has anomalies_counts "$OUT" '"errors": 2' '"warnings": 0'
id=$(sql runs/rep/metadata.sqlite "SELECT a.id FROM artifact a JOIN artifact_type t ON t.id=a.type_id WHERE t.name='Schema'")
expect show_schema_text 0 "$M" show "$id" --root runs/rep &&
has show_schema_text "$OUT" "artifact $id  Schema" "2 features" "  cat  STRING  optional" '    one of a, b' \
    "  x  INT  optional" '    integers in [1, 40]' && lacks show_schema_no_markup "$OUT" '<t[dr]>' '\{"'
expect report_written 0 "$M" report latest -o report.html --root runs/rep &&
has report_written "$OUT" "wrote report.html (4 artifacts)"
html=$(cat report.html)
run=$(sql runs/rep/metadata.sqlite "SELECT name FROM context WHERE type='run' ORDER BY id DESC LIMIT 1")
has report_titled_by_run "$html" "<h1>$run</h1>"
has report_has_sections "$html" "<h2>Statistics of statistics" "<h2>Schema of schema_import" \
    "<h2>Anomalies of validate" "<svg" "ENUM_TYPE_UNEXPECTED_STRING_VALUES" "d.csv:4" \
    '<tr><td class="ERROR">ERROR</td><td>cat</td>' \
    '<tr><td>cat</td><td>STRING</td><td>optional</td><td>one of a, b</td><td></td><td></td></tr>'
lacks report_schema_rows "$(grep -A3 '<h2>Schema of' <<<"$html")" '^  cat  STRING'

lacks report_self_contained "$html" '[sS][rR][cC]=|[hH][rR][eE][fF]=|https?:' 
expect report_unknown_run 1 "$M" report nope -o x.html --root runs/rep && has report_unknown_run "$OUT" "no run 'nope'"
[ ! -e x.html ] && pass report_no_partial_file || fail report_no_partial_file "x.html exists"

# Small integers are stored packed and their quantiles come from exact
# counts: the median of 1..6, 70 is 4, of 1..6 (even) 3.5.
printf 'a\n1\n2\n3\n4\n5\n6\n70\n' > odd.csv
printf 'a\n1\n2\n3\n4\n5\n6\n' > even.csv
for f in odd even; do
cat > q_$f.lua <<LUA
local mp = require "mlpipe"
local p = mp.pipeline { name = "q", root = "runs/q_$f" }
local ex = p:add("csv_import", { path = "$f.csv", splits = { all = 1 } })
p:add("statistics", { examples = ex.examples })
p:run {}
LUA
"$M" run q_$f.lua >/dev/null 2>&1
done
id=$(sql runs/q_odd/metadata.sqlite "SELECT a.id FROM artifact a JOIN artifact_type t ON t.id=a.type_id WHERE t.name='Statistics'")
expect packed_median_odd 0 "$M" show "$id" --root runs/q_odd &&
has packed_median_odd "$OUT" "  a                    INT       0.00%          13     23.3238           1           4          70"
id=$(sql runs/q_even/metadata.sqlite "SELECT a.id FROM artifact a JOIN artifact_type t ON t.id=a.type_id WHERE t.name='Statistics'")
expect packed_median_even 0 "$M" show "$id" --root runs/q_even &&
has packed_median_even "$OUT" "  a                    INT       0.00%         3.5     1.70783           1         3.5           6"
