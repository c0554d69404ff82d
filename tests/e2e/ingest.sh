# Ingestion: RFC 4180 edge cases, JSON Lines, type inference and overrides,
# missing-value tokens, every malformed-input error with its position, the
# skip policy, deterministic splits, spans, and source lines.
. "$(dirname "$0")/../lib.sh"

# dump.lua FILE [OPTIONS_AS_LUA]: ingests FILE into one split and prints
# every column's type and values, one line per column.
cp "$MLPIPE_TOP/tests/e2e/dump.lua" .
run_dump() { expect "$1" 0 "$M" run dump.lua -- "$2" "${3:-{\}}"; }

printf 'a,b,c\n"x, y","say ""hi""","two\nlines"\n1,,3\n' > quoted.csv
run_dump csv_quoted_fields quoted.csv &&
has csv_quoted_fields "$OUT" 'all:a[categorical]=x, y|1' 'all:b[categorical]=say "hi"|<NA>' \
    $'all:c[categorical]=two\nlines|3'

printf '\xef\xbb\xbfid,v\r\n1,2.5\r\n2,-1e3\r\n' > crlf_bom.csv
run_dump csv_crlf_and_bom crlf_bom.csv &&
has csv_crlf_and_bom "$OUT" 'all:id[numeric]=1.0|2.0' 'all:v[numeric]=2.5|-1000.0' 'kind	id	numeric	int' 'kind	v	numeric	float'

# CRLF right after a closing quote ends the record (also through the
# general parser, which a parser option forces).
printf 'a,b\r\n"x","y"\r\n"z",\r\n' > crlf_quoted.csv
for parser in auto general; do
    run_dump "csv_crlf_after_quote_$parser" crlf_quoted.csv "{ parser = \"$parser\" }" &&
    has "csv_crlf_after_quote_$parser" "$OUT" 'all:a[categorical]=x|z' 'all:b[categorical]=y|<NA>'
done

printf 'p;q\n1;a\n2;"b;c"\n' > semi.csv
run_dump csv_delimiter semi.csv '{ delimiter = ";" }' &&
has csv_delimiter "$OUT" 'all:q[categorical]=a|b;c'

printf '1,a\n2,b\n' > nohead.csv
run_dump csv_given_names nohead.csv '{ header = false, column_names = { "n", "s" } }' &&
has csv_given_names "$OUT" 'all:n[numeric]=1.0|2.0' 'all:s[categorical]=a|b'

printf 'x,y,z\n1,NA,?\n-,3,4\n' > na.csv
run_dump na_default_tokens na.csv && has na_default_tokens "$OUT" 'all:y[numeric]=<NA>|3.0' 'all:z[categorical]=?|4'
run_dump na_custom_tokens na.csv '{ na_values = { "?", "-", "NA" } }' &&
has na_custom_tokens "$OUT" 'all:x[numeric]=1.0|<NA>' 'all:z[numeric]=<NA>|4.0'

# An empty field is missing only while "" is an NA token (it is by
# default); otherwise it is an empty value, and a numeric column with
# one is no longer numeric.
printf 's,n\nx,1\n,2\ny,\n' > empty.csv
run_dump empty_is_na_by_default empty.csv &&
has empty_is_na_by_default "$OUT" 'all:s[categorical]=x|<NA>|y' 'all:n[numeric]=1.0|2.0|<NA>'
run_dump empty_not_na empty.csv '{ na_values = { "NA" } }' &&
has empty_not_na "$OUT" 'all:s[categorical]=x||y' 'all:n[categorical]=1|2|'

printf 'code,n\n001,5\n002,6\n' > types.csv
run_dump type_override types.csv '{ types = { code = "string", n = "categorical" } }' &&
has type_override "$OUT" 'all:code[string]=001|002' 'all:n[categorical]=5|6'
# Past max_categories an inferred text column is string; a column declared
# categorical is refused instead of changed (whole-file and chunked reads).
run_dump max_categories types.csv '{ max_categories = 1 }' &&
has max_categories "$OUT" 'all:code[string]=001|002'
expect max_categories_declared 3 "$M" run dump.lua -- types.csv '{ types = { code = "categorical" }, max_categories = 1 }' &&
has max_categories_declared "$OUT" "types: column 'code' is declared categorical but has more than max_categories = 1 distinct values"
python3 -c "
print('code,n')
for i in range(3000): print('c%d,%d' % (i % 40, i))" > many_codes.csv
expect max_categories_declared_chunked 3 "$M" run dump.lua -- many_codes.csv \
    '{ types = { code = "categorical" }, max_categories = 30, parser = "general", chunk_bytes = 4096 }' &&
has max_categories_declared_chunked "$OUT" "types: column 'code' is declared categorical but has more than max_categories = 30"

printf '{"a": 1, "b": "x"}\n\n{"b": "y", "c": true}\n{"a": 2.5, "b": null}\n' > rows.jsonl
run_dump jsonl_rows rows.jsonl &&
has jsonl_rows "$OUT" 'all:a[numeric]=1.0|<NA>|2.5' 'all:b[categorical]=x|y|<NA>' 'all:c[categorical]=<NA>|true|<NA>'

# Malformed input: the error names file, line and column.
fails() {  # name file want [options]
    local name=$1 file=$2 want=$3
    if expect "$name" 3 "$M" run dump.lua -- "$file" "${4:-{\}}"; then
        has "$name" "$OUT" "$want"
    fi
}
printf 'a,b\n1,2\n3,"open\n4,5\n' > unterminated.csv
fails error_unterminated_quote unterminated.csv "unterminated.csv:3:3: unterminated quoted field"
printf 'a,b\n1,2\n3\n' > fields.csv
fails error_field_count fields.csv "fields.csv:3: expected 2 fields (as in the header), found 1"
printf 'a,b\n1,\xc3\x28\n' > utf8.csv
fails error_invalid_utf8 utf8.csv "utf8.csv:2:3: invalid UTF-8 byte sequence"
printf 'a,b\n1,2\n3,x\n' > typed.csv
fails error_value_does_not_fit_type typed.csv "typed.csv:3: column 2 ('b') is declared numeric, but the value \"x\" is not a number" '{ types = { b = "numeric" } }'
printf 'a,b\n1,x"y\n' > stray.csv
fails error_stray_quote stray.csv "stray.csv:2:4: quote inside an unquoted field"
printf '{"a": 1}\n{"a": [1, 2]}\n' > nested.jsonl
fails error_jsonl_nested nested.jsonl "nested.jsonl:2:7: field 'a' is a list"
printf '{"a": 1}\n{"a": 1,,}\n' > badjson.jsonl
fails error_jsonl_syntax badjson.jsonl "badjson.jsonl:2:"
fails error_missing_file nothere.csv "parameter 'path': no file matches nothere.csv"
printf 'a,a\n1,2\n' > dupcol.csv
fails error_duplicate_column dupcol.csv "dupcol.csv:1: column name 'a' appears twice (columns 1 and 2)"

# The skip policy: bad rows are dropped, counted, and their lines recorded.
printf 'a,b\n1,2\n3\n4,\xff\n5,6\n7,8,9\n' > messy.csv
run_dump skip_bad_rows messy.csv '{ bad_rows = "skip" }' &&
has skip_bad_rows "$OUT" 'all:a[numeric]=1.0|5.0' 'skipped	3	3,4,6'

# Splits: deterministic across runs and independent of row order.
{ echo "id,v"; for i in $(seq 1 400); do echo "$i,$((i * 7 % 13))"; done; } > many.csv
{ head -1 many.csv; tail -n +2 many.csv | sort -r; } > shuffled.csv
cat > split.lua <<'LUA'
local mp = require "mlpipe"
local p = mp.pipeline { name = "split", root = "runs/split-" .. arg[2] }
local ex = p:add("csv_import", { path = arg[1], split_key = arg[3] })
local r = p:run {}
local e = r.nodes.csv_import.outputs.examples
mp.component { name = "x", stage = "analyze", outputs = {}, run = function() end }
local ids = {}
local f = io.open("ids-" .. arg[2] .. ".txt", "w")
for _, split in ipairs(e.properties.splits) do
  f:write(split, " ", e.properties.rows[split], "\n")
end
f:close()
print("fingerprint", e.fingerprint)
LUA
expect split_run_1 0 "$M" run split.lua -- many.csv a
fp1=$(grep fingerprint <<<"$OUT")
expect split_run_2 0 "$M" run split.lua -- many.csv b
fp2=$(grep fingerprint <<<"$OUT")
[ -n "$fp1" ] && [ "$fp1" = "$fp2" ] && pass splits_identical_across_runs ||
    fail splits_identical_across_runs "$fp1 vs $fp2"
cat > members.lua <<'LUA'
local mp = require "mlpipe"
local p = mp.pipeline { name = "m", root = "runs/m-" .. arg[2] }
local ex = p:add("csv_import", { path = arg[1] })
local r = p:run {}
mp.component { name = "unused", stage = "analyze", run = function() end }
LUA
cat > members2.lua <<'LUA'
local mp = require "mlpipe"
mp.component { name = "ids", stage = "analyze", inputs = { examples = "Examples" }, outputs = { o = "Report" },
  run = function(ctx)
    local e = ctx:input("examples")
    local res = {}
    for _, split in ipairs(e.properties.splits) do
      local t = ctx:read_table(e.uri .. "/" .. split .. ".mlpt")
      local ids, n = t:column("id")
      local list = {}
      for i = 1, n do list[#list + 1] = string.format("%d", ids[i]) end
      table.sort(list)
      res[#res + 1] = split .. "\t" .. table.concat(list, ",")
    end
    ctx:set_property("o", "lines", res)
  end }
local p = mp.pipeline { name = "m", root = "runs/m-" .. arg[2] }
local ex = p:add("csv_import", { path = arg[1] })
p:add("ids", { examples = ex.examples })
local r = p:run {}
for _, l in ipairs(r.nodes.ids.outputs.o.properties.lines) do print(l) end
LUA
expect members_sorted 0 "$M" run members2.lua -- many.csv s1
m1=$(grep -E '^(train|eval)	' <<<"$OUT")
expect members_shuffled 0 "$M" run members2.lua -- shuffled.csv s2
m2=$(grep -E '^(train|eval)	' <<<"$OUT")
[ -n "$m1" ] && [ "$m1" = "$m2" ] && pass split_membership_ignores_row_order ||
    fail split_membership_ignores_row_order "differs"
# Duplicated rows, many of them (the occurrence table grows and rehashes):
# each copy of a row keeps its split whatever the order of the others.
awk 'BEGIN { print "id,v"; for (r = 0; r < 3; r++) for (i = 0; i < 1500; i++) printf "%d,%d\n", i, i % 7 }' > dups.csv
{ head -1 dups.csv; tail -n +2 dups.csv | sort -t, -k1,1n -k2,2n; } > dups_sorted.csv
expect dups_order_1 0 "$M" run members2.lua -- dups.csv d1
d1=$(grep -E '^(train|eval)	' <<<"$OUT")
expect dups_order_2 0 "$M" run members2.lua -- dups_sorted.csv d2
d2=$(grep -E '^(train|eval)	' <<<"$OUT")
[ -n "$d1" ] && [ "$d1" = "$d2" ] && pass duplicate_rows_keep_splits ||
    fail duplicate_rows_keep_splits "split membership of duplicated rows depends on row order"
spread=$(grep '^train' <<<"$d1" | cut -f2 | tr ',' '\n' | sort | uniq -c | awk '$1 == 3' | wc -l)
[ "$spread" -lt 1500 ] && pass duplicates_spread || fail duplicates_spread "every row's copies in one split"
train=$(grep '^train' <<<"$m1" | tr ',' '\n' | wc -l)
[ "$train" -gt 290 ] && [ "$train" -lt 350 ] && pass split_ratio_near_8_to_2 ||
    fail split_ratio_near_8_to_2 "$train of 400 in train"

# Spans: {SPAN} takes the latest span, or the one asked for.
printf 'v\n1\n' > day_1.csv
printf 'v\n2\n3\n' > day_2.csv
printf 'v\n9\n' > day_10.csv
run_dump span_latest 'day_{SPAN}.csv' && has span_latest "$OUT" 'all:v[numeric]=9.0' 'span	10'
run_dump span_chosen 'day_{SPAN}.csv' '{ span = 2 }' && has span_chosen "$OUT" 'all:v[numeric]=2.0|3.0' 'span	2'
run_dump paths_list x '{ path = nil, paths = { "day_1.csv", "day_2.csv" } }' &&
has paths_list "$OUT" 'all:v[numeric]=1.0|2.0|3.0'

# Source lines are recorded beside every split.
cat > lines.lua <<'LUA'
local mp = require "mlpipe"
mp.component { name = "lines", stage = "analyze", inputs = { examples = "Examples" }, outputs = { o = "Report" },
  run = function(ctx)
    local e = ctx:input("examples")
    local t = assert(ctx:read_table(e.uri .. "/all.lines.mlpt"))
    local l, n = t:column("line")
    local out = {}
    for i = 1, n do out[i] = string.format("%d", l[i]) end
    ctx:set_property("o", "lines", table.concat(out, ","))
  end }
local p = mp.pipeline { name = "l", root = "runs/l-" .. arg[1] }
local ex = p:add("csv_import", { path = arg[1], splits = { all = 1 }, bad_rows = "skip" })
p:add("lines", { examples = ex.examples })
local r = p:run {}
print("lines", r.nodes.lines.outputs.o.properties.lines)
LUA
expect source_lines_recorded 0 "$M" run lines.lua -- quoted.csv && has source_lines_recorded "$OUT" "lines	2,4"
expect source_lines_after_skips 0 "$M" run lines.lua -- messy.csv && has source_lines_after_skips "$OUT" "lines	2,5"

# Large plain files take the parallel fast path (cut in two): its results
# must be byte-identical to the general reader's, and its errors must name
# the right line in the second half too.
awk 'BEGIN { print "a,b,c,d"; for (i = 0; i < 100000; i++)
             printf "%d,%d,%d.5,%s\n", i % 300, i * 7 % 1000, i % 13, (i % 50 ? i % 7 : "NA") }' > big.csv
cat > parsers.lua <<'LUA'
local mp = require "mlpipe"
local p = mp.pipeline { name = "parsers", root = "runs/parsers-" .. arg[2] }
p:add("csv_import", { path = arg[1], parser = arg[2] })
local r = p:run {}
local e = r.nodes.csv_import.outputs.examples
if e then print("fingerprint", e.fingerprint, e.properties.rows.train, e.properties.rows.eval) end
LUA
expect fast_parser 0 "$M" run parsers.lua -- big.csv auto
fast=$(grep fingerprint <<<"$OUT")
expect general_parser 0 "$M" run parsers.lua -- big.csv general
general=$(grep fingerprint <<<"$OUT")
[ -n "$fast" ] && [ "$fast" = "$general" ] && pass fast_path_equals_general_reader ||
    fail fast_path_equals_general_reader "$fast vs $general"
awk 'NR == 90001 { print "1,2,3"; next } { print }' big.csv > big_bad.csv
cp parsers.lua parsers2.lua
expect fast_path_error_line 3 "$M" run parsers2.lua -- big_bad.csv auto &&
has fast_path_error_line "$OUT" "big_bad.csv:90001: expected 4 fields (as in the header), found 3"

# The project's own table format as input: a table written by one
# ingestion reads back with the same columns, types and values.
cat > totable.lua <<'LUA'
local mp = require "mlpipe"
local p = mp.pipeline { name = "tt", root = "runs/tt" }
p:add("csv_import", { path = arg[1], splits = { all = 1 } })
local r = p:run {}
print("table", r.nodes.csv_import.outputs.examples.uri .. "/all.mlpt")
LUA
expect table_written 0 "$M" run totable.lua -- quoted.csv
tbl=$(awk '$1 == "table" {print $2}' <<<"$OUT")
run_dump table_input "$tbl" &&
has table_input "$OUT" 'all:a[categorical]=x, y|1' 'all:b[categorical]=say "hi"|<NA>' $'all:c[categorical]=two\nlines|3'
run_dump table_input_split "$tbl" '{ splits = { a = 1, b = 1 }, split_key = "a" }' &&
has table_input_split "$OUT" ':a[categorical]=' ':c[categorical]=' 'skipped	0'

# A file that looks plain at first and has a quoted field far into it: the
# fast path notices and hands over to the general reader, same result.
awk 'BEGIN { print "a,b,c,d"; for (i = 0; i < 100000; i++)
             printf "%d,%d,%s,%d\n", i % 300, i * 7 % 1000, (i == 99000 ? "\"q,1\"" : "x"), i % 7 }' > late_quote.csv
expect late_quote_auto 0 "$M" run parsers.lua -- late_quote.csv auto
fast=$(grep fingerprint <<<"$OUT")
expect late_quote_general 0 "$M" run parsers.lua -- late_quote.csv general
general=$(grep fingerprint <<<"$OUT")
[ -n "$fast" ] && [ "$fast" = "$general" ] && pass late_quote_falls_back_to_general ||
    fail late_quote_falls_back_to_general "$fast vs $general"

# Several table files at once: rows of both, dictionaries merged.
expect table_written_2 0 "$M" run totable.lua -- types.csv
tblsemi=$(awk '$1 == "table" {print $2}' <<<"$OUT")
printf 'a,b,c\nz,w,q\n' > other.csv
expect table_written_3 0 "$M" run totable.lua -- other.csv
tbl2=$(awk '$1 == "table" {print $2}' <<<"$OUT")
run_dump table_inputs_joined x "{ paths = { \"$tbl\", \"$tbl2\" } }" &&
has table_inputs_joined "$OUT" 'all:a[categorical]=x, y|1|z' 'all:c[categorical]=two'
expect table_inputs_mismatch 3 "$M" run dump.lua -- x "{ paths = { \"$tbl\", \"$tblsemi\" } }" &&
has table_inputs_mismatch "$OUT" "$tblsemi: its columns differ from those of $tbl"

# Many categories: the dictionary grows several times and must still map
# each value to one code (300 values, each twice: 300 levels, not more).
awk 'BEGIN { print "c,x"; for (r = 0; r < 2; r++) for (i = 0; i < 300; i++) printf "v%d,%d\n", i, i }' > cats.csv
cat > cats.lua <<'LUA'
local mp = require "mlpipe"
local p = mp.pipeline { name = "cats", root = "runs/cats" }
local ex = p:add("csv_import", { path = "cats.csv", splits = { all = 1 }, types = { c = "categorical" } })
local st = p:add("statistics", { examples = ex.examples })
local r = p:run {}
local s = mp.read_json(r.nodes.statistics.outputs.statistics.uri .. "/statistics.json")
for _, f in ipairs(s.splits[1].features) do
  if f.string_stats then print("unique", f.name, f.string_stats.unique, f.string_stats.top_values[1].frequency) end
end
LUA
expect dictionary_grows 0 "$M" run cats.lua && has dictionary_grows "$OUT" "unique	c	300	2"

# A Lua component writes a wide table (more columns than Lua's guaranteed
# stack slots) and reads it back whole.
cat > wide.lua <<'LUA'
local mp = require "mlpipe"
mp.component { name = "wide", stage = "transform", outputs = { out = "Examples" },
  run = function(ctx)
    local cols = {}
    for c = 1, 120 do cols[c] = { name = "c" .. c, type = "numeric", values = { c, c * 2 } } end
    local path = ctx:output("out").uri .. "/all.mlpt"
    ctx:write_table(path, 2, cols)
    local t = assert(ctx:read_table(path))
    local v = t:column("c120")
    ctx:set_property("out", "shape", #t:names() .. "x" .. t:nrows() .. ":" .. v[2])
    ctx:set_property("out", "splits", { "all" })
  end }
local p = mp.pipeline { name = "wide", root = "runs/wide" }
local r = p:add("wide", {})
local res = p:run {}
print("shape", res.nodes.wide.outputs.out.properties.shape)
LUA
expect wide_lua_table 0 "$M" run wide.lua && has wide_lua_table "$OUT" "shape	120x2:240"

# Wide headers: a repeat far apart is named with both positions, and a
# declared type for a column the data lacks is refused by name.
python3 -c "print(','.join(['c%d' % i for i in range(3000)] + ['c1234']) + ',y'); print(','.join(['1'] * 3002))" > widedup.csv
fails wide_duplicate widedup.csv "widedup.csv:1: column name 'c1234' appears twice (columns 1235 and 3001)"
python3 -c "print(','.join(['c%d' % i for i in range(3000)])); print(','.join(['1'] * 3000))" > wide.csv
fails wide_types_unknown wide.csv "parameter 'types' names column 'c3000', which the data does not have" '{ types = { c2999 = "string", c3000 = "numeric" } }'
