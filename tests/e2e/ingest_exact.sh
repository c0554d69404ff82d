# Ingestion reads every value exactly or refuses it with file:line:column:
# NUL bytes, CR-only line ends, and the fast path and the general reader
# agreeing on every kind of bad row under both policies.
. "$(dirname "$0")/../lib.sh"
cp "$MLPIPE_TOP/tests/e2e/dump.lua" .
run_dump() { expect "$1" 0 "$M" run dump.lua -- "$2" "${3:-{\}}"; }
fails() {  # name file want [options]
    if expect "$1" 3 "$M" run dump.lua -- "$2" "${4:-{\}}"; then
        has "$1" "$OUT" "$3"
    fi
}

# A NUL byte is refused where it is, in any field, on either reader: cut
# short at it, "x<NUL>y" would be stored as "x" and "12<NUL>3" as a string.
printf 'a,b\n1,x\0y\n' > nul.csv
for parser in auto general; do
    fails "nul_unquoted_$parser" nul.csv "nul.csv:2:4: NUL byte in a field" "{ parser = \"$parser\" }"
done
printf 'a,b\n1,"x\0y"\n' > nul_quoted.csv
fails nul_quoted nul_quoted.csv "nul_quoted.csv:2:5: NUL byte in a field"
printf 'n,b\n1,x\n12\0003,y\n' > nul_number.csv
fails nul_in_number nul_number.csv "nul_number.csv:3:3: NUL byte in a field"
printf 'a\0b,c\n1,2\n' > nul_header.csv
fails nul_in_header nul_header.csv "nul_header.csv:1:2: NUL byte in a field"
# UTF-16 text is NUL bytes every other byte: the same clear refusal.
printf 'a,b\n1,2\n' | iconv -f UTF-8 -t UTF-16LE > utf16.csv
fails utf16_refused utf16.csv "utf16.csv:1:2: NUL byte in a field (is this a binary file, or text in UTF-16?"
printf 'a,b\n1,2\n' | iconv -f UTF-8 -t UTF-16 > utf16bom.csv
fails utf16_bom_refused utf16bom.csv "utf16bom.csv:1:1: UTF-16 byte order mark: CSV must be UTF-8"

# CR alone ends a record, as pandas reads old Mac files; a column name
# never keeps a line break.
printf 'a,b\r1,x\r2,"y\rz"\r\r3,w' > cr.csv
for parser in auto general; do
    run_dump "cr_only_lines_$parser" cr.csv "{ parser = \"$parser\" }" &&
    has "cr_only_lines_$parser" "$OUT" 'all:a[numeric]=1.0|2.0|3.0' \
        $'all:b[categorical]=x|y\rz|w'
done
printf 'a,b\r1,x\r2,x"\r' > cr_bad.csv
fails cr_only_error_position cr_bad.csv "cr_bad.csv:3:4: quote inside an unquoted field"
# A lone CR in a plain file read by the fast path hands it to the general
# reader (the CR ends a row there), not into a value.
printf 'a,b\n1,2\r3,4\n5,6\n' > cr_mixed.csv
run_dump cr_mixed_fast cr_mixed.csv && has cr_mixed_fast "$OUT" 'all:a[numeric]=1.0|3.0|5.0' 'all:b[numeric]=2.0|4.0|6.0'

# The fast path and the general reader agree on every kind of bad row,
# under both policies: the same rows kept, the same rows skipped and
# recorded, or the same error.  The files are large enough for the fast
# path to cut them in two; each has one kind of fault early and late.
awk 'BEGIN { print "id,n,c,f"; for (i = 1; i <= 60000; i++)
             printf "%d,%d,k%d,%d.25\n", i, i % 977, i % 5, i % 11 }' > base.csv
fault() {  # name awk-replacement-for-a-line
    awk -v r="$2" 'NR == 3 || NR == 55001 { print r; next } { print }' base.csv > "bad_$1.csv"
}
fault fields_few '7,8,k1'
fault fields_many '7,8,k1,2.5,9'
fault type 'x7,8,k1,1.5'
fault type_late_col '7,8,k1,zz'
fault utf8 $'7,8,k\xff,1.5'
fault nul $'7,8,k\x01,1.5'
printf 'id,n,c,f\n1,2,k,3\n' > small.csv
awk 'NR == 55001 { printf "7,8,k%c,1.5\n", 0; next } { print }' base.csv > bad_nul.csv
fault stray_quote '7,8,k"1,1.5'
fault after_quote '7,8,"k"1,1.5'
fault cr_inside $'7,8\r,k1,1.5'
# The parser is not part of the cache key (the results are the same), so
# each reader runs in a directory of its own.
mkdir -p auto general
for f in bad_*.csv; do
    for policy in error skip; do
        name="${f%.csv}_$policy"
        opts="types = { id = \"numeric\", f = \"numeric\" }, bad_rows = \"$policy\""
        for parser in auto general; do
            (cd "$parser" && "$M" run ../dump.lua -- "../$f" "{ parser = \"$parser\", $opts }" 2>&1 |
                sed -E 's/[0-9]+\.[0-9]+s / /; s/[0-9]+-[0-9a-f]{8}/ID/g' > "../$name.$parser")
        done
        if [ ! -s "$name.auto" ]; then
            fail "parsers_agree_$name" "no output"
        elif cmp -s "$name.auto" "$name.general"; then
            pass "parsers_agree_$name"
        else
            fail "parsers_agree_$name" "$(diff "$name.auto" "$name.general" | cut -c 1-200 | head -6)"
        fi
    done
done
# What they agree on is right: skipped rows are named, errors name the
# column by number and name.
has skip_records_both_faults "$(cat bad_type_skip.auto)" 'skipped	2	3,55001'
has type_error_names_column "$(cat bad_type_late_col_error.auto)" \
    "bad_type_late_col.csv:3: column 4 ('f') is declared numeric, but the value \"zz\" is not a number"
has fields_error_first_row "$(cat bad_fields_many_error.auto)" \
    'bad_fields_many.csv:3: expected 4 fields (as in the header), found 5'

# An empty file and a header-only file (the fast path must not scan
# nothing: UBSan flags memchr on a NULL map).
: > empty.csv
fails empty_file empty.csv "empty.csv: no rows and no header"
printf 'a,b\n' > header_only.csv
run_dump header_only header_only.csv && has header_only "$OUT" 'all:a[' 'all:b[' 'skipped	0'

# 64-bit integers stay exact (ids): 2^53 + 1 is not stored as 2^53, the
# extremes of int64 survive, and both readers agree.  An integer beyond
# int64 makes its column text, as do integers with leading zeros (zip
# codes, ids), unless the type is declared; each such decision and a late
# non-number in a column of numbers is recorded with its line.
{
    echo 'id,zip,big,f,late'
    echo '9007199254740993,08123,99999999999999999999,1,1'
    echo '-9223372036854775808,10001,1,2.5,2'
    echo '9223372036854775807,99501,2,3,x'
} > ids.csv
for parser in auto general; do
    run_dump "int64_exact_$parser" ids.csv "{ parser = \"$parser\" }" &&
    has "int64_exact_$parser" "$OUT" \
        'all:id[numeric]=9007199254740993|-9223372036854775808|9223372036854775807' \
        'kind	id	numeric	int' 'all:zip[categorical]=08123|10001|99501' \
        'all:big[categorical]=99999999999999999999|1|2' 'all:late[categorical]=1|2|x' \
        'change	zip	2	08123	-	integers with leading zeros' \
        'change	big	2	99999999999999999999	-	an integer beyond 64 bits' \
        'change	late	4	x	2	a value that is not a number, after numbers'
done
run_dump leading_zeros_declared ids.csv '{ types = { zip = "numeric" } }' &&
has leading_zeros_declared "$OUT" 'all:zip[numeric]=8123.0|10001.0|99501.0' 'kind	zip	numeric	int'
run_dump beyond_int64_declared ids.csv '{ types = { big = "numeric" } }' &&
has beyond_int64_declared "$OUT" 'all:big[numeric]=1e+20|1.0|2.0' 'kind	big	numeric	float'
# A zero alone, a signed zero and decimals with leading zeros are numbers.
printf 'a,b\n0,0.5\n-0,00.25\n7,1\n' > zeros.csv
run_dump zero_is_a_number zeros.csv && has zero_is_a_number "$OUT" 'kind	a	numeric	int' 'kind	b	numeric	float'
lacks zero_is_a_number_no_change "$OUT" '^change'

# Late in a large file (both readers, the fast one cuts it in two): the
# column becomes text and says where and after how many numbers.
awk 'BEGIN { print "id,n,m"; for (i = 1; i <= 90000; i++)
             printf "%d,%d,%s\n", i, i % 500, (i == 88888 ? "oops" : (i % 9 ? i % 1000 : "")) }' > late.csv
for parser in auto general; do
    run_dump "late_text_$parser" late.csv "{ parser = \"$parser\" }" &&
    has "late_text_$parser" "$OUT" 'kind	m	string' \
        'change	m	88889	oops	79011	a value that is not a number, after numbers'
done
id=$(sql runs/dump/metadata.sqlite "SELECT id FROM artifact WHERE properties LIKE '%88889%' LIMIT 1")
expect late_text_shown 0 "$M" show "${id:-none}" --root runs/dump &&
has late_text_shown "$OUT" 'read as text although numbers were in them' \
    '  m  late.csv:88889 has "oops": a value that is not a number, after numbers (79011 numbers before it)' \
    '  m   string'
expect late_text_report 0 "$M" report latest --root runs/dump -o report.html
has late_text_report "$(cat report.html)" '<h3>Read as text although numbers were in them</h3>' \
    '<td>m</td><td>late.csv:88889</td><td>oops</td>'
has late_text_warning "$(cat runs/dump/logs/*.log)" \
    "warning: column 'm' is read as text: late.csv:88889 has \"oops\" (a value that is not a number, after numbers; 79011 numbers before it)"
# Wide ids through the fast path cut in two: exact in both halves.
awk 'BEGIN { print "id,v"; for (i = 1; i <= 90000; i++) printf "%s%06d,%d\n", "9007199255", i, i % 7 }' > wide_ids.csv
for parser in auto general; do
    run_dump "wide_ids_$parser" wide_ids.csv "{ parser = \"$parser\" }" &&
    has "wide_ids_$parser" "$OUT" '=9007199255000001|9007199255000002|' '|9007199255089999|9007199255090000' 'kind	id	numeric	int'
done

# Statistics of an int64 column: min, max and median exact.
cat > st.lua <<'LUA'
local mp = require "mlpipe"
local p = mp.pipeline { name = "st", root = "runs/st" }
local ex = p:add("csv_import", { path = arg[1], splits = { all = 1 } })
p:add("statistics", { examples = ex.examples })
local r = p:run {}
print("uri", r.nodes.statistics.outputs.statistics.uri)
LUA
expect int64_statistics 0 "$M" run st.lua -- ids.csv
stats=$(cat "$(awk '$1 == "uri" { print $2 }' <<<"$OUT")/statistics.json" 2>/dev/null)
has int64_statistics "$stats" '"min": -9223372036854775808' '"max": 9223372036854775807' \
    '"median": 9007199254740993'

# JSON Lines: numbers keep their text, so ids stay exact; strings are
# unescaped (surrogate pairs included) and checked; anything else is
# refused at file:line:column.
printf '{"id": 9007199254740993, "s": "a\\"b\\\\c\\u00e9\\ud83d\\ude00", "x": 1.5e2}\r\n{"id": -9223372036854775808, "s": "plain", "x": -0.25}\n' > exact.jsonl
for parser in auto general; do
    run_dump "jsonl_exact_$parser" exact.jsonl "{ parser = \"$parser\" }" &&
    has "jsonl_exact_$parser" "$OUT" 'all:id[numeric]=9007199254740993|-9223372036854775808' \
        'all:s[categorical]=a"b\cé😀|plain' 'all:x[numeric]=150.0|-0.25'
done
jsonl_fails() {  # name line want
    printf '{"a": 1}\n%s\n' "$2" > "$1.jsonl"
    fails "jsonl_$1" "$1.jsonl" "$1.jsonl:2:$3"
}
jsonl_fails nul '{"a": "x\u0000y"}' '9: \u0000 (a NUL byte) in a string'
jsonl_fails raw_nul $'{"a": "x\001y"}' '9: control character in a string'
jsonl_fails bad_utf8 $'{"a": "x\xffy"}' '9: invalid UTF-8 byte sequence'
jsonl_fails twice '{"a": 1, "a": 2}' "10: key 'a' appears twice in the object"
jsonl_fails surrogate '{"a": "\ud800x"}' '8: unpaired UTF-16 surrogate'
jsonl_fails leading_zero '{"a": 01}' '8: not valid JSON (expected '"','"' or '"'}'"')'
jsonl_fails bare_point '{"a": 1.}' '7: not valid JSON (digits must follow'
jsonl_fails nan_word '{"a": NaN}' '7: not valid JSON (expected a value)'
jsonl_fails trailing '{"a": 1} x' '10: not valid JSON (text after the object)'
jsonl_fails open_string '{"a": "x' '7: unterminated string'
printf '{"a": 1}\n{"a": 2}\n[1]\n' > notobj.jsonl
fails jsonl_not_object notobj.jsonl 'notobj.jsonl:3:1: each line must be a JSON object'
jsonl_fails empty_key '{"": 1}' '2: empty key (every column needs a name)'
# The skip policy covers every kind of bad JSON line, in both passes (the
# one that collects the columns too), and records the lines.
printf '{"a":1,"b":"x"}\n{"a":{"c":1},"b":"y"}\n{"a":2,"a":3}\n{"a":"\\ud800"}\n[1]\n{bad\n{"a":8,"b":"w"}\n{"zzz": 1} x\n' > skip.jsonl
run_dump jsonl_skip_policy skip.jsonl '{ bad_rows = "skip" }' &&
has jsonl_skip_policy "$OUT" 'all:a[numeric]=1.0|8.0' 'all:b[categorical]=x|w' 'skipped	6	2,3,4,5,6,8'
lacks jsonl_skip_no_column_from_bad_line "$OUT" 'zzz'
