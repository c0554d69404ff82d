# The parallel general reader gives exactly the serial reader's results:
# the same tables byte for byte (once its row groups are joined: small
# chunks make many), the same properties (types, skipped lines, type
# notes), or the same error, on every file of the corpus and
# on files made to put quotes, CRLF line ends, bad rows and long quoted
# fields across chunk boundaries, at chunk sizes from one byte up.
. "$(dirname "$0")/../lib.sh"
cat > ingest.lua <<'LUA'
-- ingest.lua ROOT FILE OPTIONS: ingests FILE into ROOT and prints the
-- examples' directory and properties, or the error.
local mp = require "mlpipe"
local root, file, extra = arg[1], arg[2], arg[3] or "{}"
local opts = assert(load("return " .. extra))()
opts.path = file
opts.cache = false
local p = mp.pipeline { name = "ingest", root = root }
p:add("csv_import", opts)
local r = p:run {}
local ex = r.nodes.csv_import.outputs.examples
if ex then
  print("dir", ex.uri)
  local props = ex.properties
  props.source = nil  -- the path is the same; the rest must be too
  -- keys sorted: a Lua table's order is not the same from run to run
  local function canon(v)
    if type(v) ~= "table" then return mp.json_encode(v) end
    if #v > 0 or next(v) == nil then
      local out = {}
      for i, x in ipairs(v) do out[i] = canon(x) end
      return "[" .. table.concat(out, ",") .. "]"
    end
    local keys = {}
    for k in pairs(v) do keys[#keys + 1] = k end
    table.sort(keys)
    for i, k in ipairs(keys) do keys[i] = mp.json_encode(k) .. ":" .. canon(v[k]) end
    return "{" .. table.concat(keys, ",") .. "}"
  end
  print("props", canon(props))
end
LUA

canon=$MLPIPE_BUILD/tests/tools/table_canon
# same NAME FILE OPTIONS: serial and parallel readers agree on FILE.
n_same=0
same() {
    local name=$1 file=$2 opts=$3 a b da db
    # Times and column padding differ from run to run: not compared.
    a=$("$M" run ingest.lua -- "runs/s-$name" "$file" "{ parser = \"serial\", $opts }" 2>&1 |
        sed -E 's/ +[0-9]+\.[0-9]+s( +|$)/ /; s/[0-9]+-[0-9a-f]{8}/ID/g; s|runs/s-[^/]*/||')
    # Pieces of a byte or a few on small files; on larger ones that many
    # pieces only cost time (under the sanitizers most of all).
    local sizes="100 4096"
    [ "$(cat $file 2>/dev/null | wc -c)" -lt 20000 ] && sizes="1 37"
    for chunk in $sizes; do
        b=$("$M" run ingest.lua -- "runs/p-$name-$chunk" "$file" \
                "{ parser = \"general\", chunk_bytes = $chunk, threads = 3, $opts }" 2>&1 |
            sed -E 's/ +[0-9]+\.[0-9]+s( +|$)/ /; s/[0-9]+-[0-9a-f]{8}/ID/g; s|runs/p-[^/]*/||')
        if [ "$a" != "$b" ]; then
            fail "same_$name" "chunk $chunk: $(diff <(echo "$a") <(echo "$b") | cut -c 1-300 | head -6)"
            return 1
        fi
        da=$(ls -d runs/s-"$name"/artifacts/csv_import/*/examples 2>/dev/null | head -1)
        db=$(ls -d runs/p-"$name-$chunk"/artifacts/csv_import/*/examples 2>/dev/null | head -1)
        # The same tables whatever the layout: a file of row groups is
        # read whole and written as one group before the comparison.
        for t in "$da"/*.mlpt; do
            [ -n "$da" ] || break
            "$canon" "$db/$(basename "$t")" canon.mlpt 2>canon.err ||
                { fail "same_$name" "chunk $chunk: $(cat canon.err)"; return 1; }
            if ! cmp -s "$t" canon.mlpt; then
                fail "same_$name" "chunk $chunk: $(basename "$t") differs from the serial reader's"
                return 1
            fi
        done
        [ -z "$da" ] || [ "$(ls "$da" | wc -l)" = "$(ls "$db" | wc -l)" ] ||
            { fail "same_$name" "chunk $chunk: other files: $(ls "$da") / $(ls "$db")"; return 1; }
        rm -rf "runs/p-$name-$chunk"
    done
    rm -rf "runs/s-$name"
    n_same=$((n_same + 1))
    pass "same_$name"
}

# The bundled data sets and the CSV spectrum, under both bad-row policies.
for f in "$MLPIPE_TOP"/tests/data/*.csv "$MLPIPE_TOP"/tests/data/csv-spectrum/csvs/*.csv; do
    base=$(basename "$f" .csv)
    same "$base" "$f" 'bad_rows = "error"'
    same "${base}_skip" "$f" 'bad_rows = "skip", quotes = "lenient"'
done

# Quoted fields with commas, doubled quotes and line breaks on every few
# rows, and CRLF line ends: every cut lands near a quote or a CR.
awk 'BEGIN { srand(7); print "id,text,n,when";
             for (i = 1; i <= 3000; i++) {
               t = (i % 3 == 0) ? "\"a, \"\"b\"\"\nline " i "\"" : (i % 5 == 0 ? "\"x\r\ny\"" : "w" i % 17);
               printf "%d,%s,%s,%s\r\n", i, t, (i % 11 ? i * 0.5 : ""), "2024-01-" (1 + i % 28) } }' > quoted_crlf.csv
same quoted_crlf quoted_crlf.csv 'bad_rows = "error"'
# Lone CRs inside quoted fields (each one a line, as the serial reader
# counts them) and CRLF row ends: line numbers stay right across cuts.
awk 'BEGIN { printf "a,b\r\n"; for (i = 1; i <= 800; i++)
             printf "%d,%s\r\n", i, (i % 4 ? "\"x\ry\r\"" : "plain") }' > lone_cr.csv
printf '801,"bad' >> lone_cr.csv
same lone_cr lone_cr.csv 'bad_rows = "error"'
# A quoted field far longer than a chunk, with line breaks inside.
awk 'BEGIN { print "k,long"; print "1,\"" ;
             for (i = 0; i < 400; i++) printf "part %d, with \"\"quotes\"\"\n", i;
             print "end\""; for (i = 2; i <= 50; i++) printf "%d,short %d\n", i, i }' > long_field.csv
same long_field long_field.csv 'bad_rows = "error"'
# Bad rows of every kind spread over the file, skipped: a skipped line
# moves the next row start past a cut, so chunks are read again.
awk 'BEGIN { print "id,n,c";
             for (i = 1; i <= 2000; i++) {
               if (i % 97 == 0) print i ",\"open"; else if (i % 89 == 0) print i ",x\"y,z";
               else if (i % 83 == 0) print i ",1"; else if (i % 79 == 0) printf "%d,\"q\"r,c\n", i;
               else printf "%d,%d,\"c%d\"\n", i, i % 13, i % 4 } }' > bad_rows.csv
same bad_rows_skip bad_rows.csv 'bad_rows = "skip", types = { n = "numeric" }'
same bad_rows_lenient bad_rows.csv 'bad_rows = "skip", quotes = "lenient"'
same bad_rows_error bad_rows.csv 'bad_rows = "error"'
# A stray quote early makes every later quote count off by one: the cut
# is wrong everywhere and only the check saves the results.
{ echo 'a,b'; echo '1,x"y'; for i in $(seq 2 600); do printf '%d,"v,\n%d"\n' "$i" "$i"; done; } > stray.csv
same stray_lenient stray.csv 'quotes = "lenient"'
same stray_skip stray.csv 'bad_rows = "skip"'
same stray_error stray.csv 'bad_rows = "error"'
# An unterminated quote near the end, and a type error in a late chunk.
{ cat quoted_crlf.csv; printf '9999,"never closed\r\n'; } > unterminated.csv
same unterminated unterminated.csv 'bad_rows = "skip"'
awk 'NR == 2500 { print "2499,zz,q"; next } { print }' bad_rows.csv > late_type.csv
same late_type late_type.csv 'bad_rows = "error", types = { n = "numeric" }, quotes = "lenient"'
# A byte order mark, blank lines, no header, a split key, many categories.
{ printf '\xef\xbb\xbfu,v\n\n'; for i in $(seq 1 500); do printf '%d,"c%d"\n\n' "$((i % 37))" "$((i % 1200))"; done; } > bom_blank.csv
same bom_blank bom_blank.csv 'split_key = "u", max_categories = 20'
same no_header bom_blank.csv 'header = false, column_names = { "p", "q" }'
# Text columns whose first values in some chunks are numbers.
awk 'BEGIN { print "z,t"; for (i = 1; i <= 3000; i++) printf "%s,\"%s\"\n", (i < 2900 ? i % 50 : "n" i), (i % 2 ? i : "t" i % 9) }' > mixed_kinds.csv
same mixed_kinds mixed_kinds.csv 'max_categories = 40'
same mixed_kinds_declared mixed_kinds.csv 'types = { z = "categorical", t = "string" }'
# Several files, each cut on its own.
head -1200 quoted_crlf.csv > multi_1.csv
{ head -1 quoted_crlf.csv; tail -n +1201 quoted_crlf.csv; } > multi_2.csv
same two_files 'multi_*.csv' 'bad_rows = "error"'
[ "$n_same" -ge 50 ] && pass "corpus_size ($n_same cases)" || fail corpus_size "only $n_same cases agreed"

# A plain file of more than 32 pieces goes to the streaming reader even
# under parser "auto" (the fast path holds the whole input): its tables
# come in row groups, and are the fast path's once joined.
awk 'BEGIN { OFS = ","; print "a,b,c"; for (i = 0; i < 4000; i++) print i, i % 7, i * 3 }' > plain_big.csv
fast=$("$M" run ingest.lua -- runs/fast plain_big.csv '{}' 2>&1 | awk '$1 == "dir" { print $2 }')
streamed=$("$M" run ingest.lua -- runs/streamed plain_big.csv '{ chunk_bytes = 1000 }' 2>&1 | awk '$1 == "dir" { print $2 }')
if [ ! -f "$fast/train.mlpt" ] || [ ! -f "$streamed/train.mlpt" ]; then
    fail plain_large_streams "no tables: $fast / $streamed"
elif [ "$(head -c 10 "$fast/train.mlpt" | tail -c 2 | od -An -tu1 | tr -d ' ')" != "10" ] ||
     [ "$(head -c 10 "$streamed/train.mlpt" | tail -c 2 | od -An -tu1 | tr -d ' ')" != "20" ]; then
    fail plain_large_streams "formats $(head -c 10 "$fast/train.mlpt" | tail -c 2 | od -An -tu1) / $(head -c 10 "$streamed/train.mlpt" | tail -c 2 | od -An -tu1)"
elif ! "$canon" "$streamed/train.mlpt" canon.mlpt 2>canon.err || ! cmp -s "$fast/train.mlpt" canon.mlpt; then
    fail plain_large_streams "the streamed table differs from the fast path's $(cat canon.err)"
else
    pass plain_large_streams
fi

# Statistics of a split stored in many row groups (read a column at a
# time) are those of the same split in one group, byte for byte, with and
# without weights; the mixed-type benchmark data at a small size.
"$MLPIPE_TOP/scripts/mixed-csv" mixed.csv 20000
cat > stats.lua <<'LUA'
local mp = require "mlpipe"
local root, file, extra, sopts = arg[1], arg[2], arg[3], arg[4] or "{}"
local opts = assert(load("return " .. extra))()
opts.path = file
local p = mp.pipeline { name = "stats", root = root }
local ex = p:add("csv_import", opts)
local so = assert(load("return " .. sopts))()
so.examples = ex.examples
p:add("statistics", so)
local r = p:run {}
print(r.nodes.statistics.outputs.statistics.uri)
LUA
# Integers beyond 2^53 in a few rows: most groups then hold only small
# integers, stored in a byte or two.
awk 'BEGIN { print "id,g"; for (i = 0; i < 3000; i++) print (i % 997 == 5 ? "-1152921504606846976" : i % 200 - 50) "," i % 3 }' > bigint.csv
for f in mixed.csv quoted_crlf.csv bigint.csv; do
    for sopts in '{}' '{ weight = "flag" }' '{ exact_unique_mb = 0 }'; do
        [ "$f" != mixed.csv ] && [ "$sopts" != '{}' ] && continue
        one=$("$M" run stats.lua -- "runs/st1-$f" "$f" '{ parser = "serial" }' "$sopts" 2>&1 | tail -1)
        many=$("$M" run stats.lua -- "runs/stn-$f" "$f" '{ parser = "general", chunk_bytes = 2000 }' "$sopts" 2>&1 | tail -1)
        name="statistics_same_${f%.csv}$(case $sopts in *weight*) echo _weighted;; *unique*) echo _sketched;; esac)"
        groups=$(ls "runs/stn-$f"/artifacts/csv_import/*/examples/train.mlpt 2>/dev/null | head -1)
        if [ ! -f "$one/statistics.json" ] || [ ! -f "$many/statistics.json" ]; then
            fail "$name" "no statistics: $one / $many"
        elif [ "$(head -c 10 "$groups" | tail -c 2 | od -An -tu1 | tr -d ' ')" != "20" ]; then
            fail "$name" "the chunked table is not in row groups (format $(head -c 10 "$groups" | tail -c 2 | od -An -tu1))"
        elif cmp -s "$one/statistics.json" "$many/statistics.json"; then
            pass "$name"
        else
            fail "$name" "$(diff "$one/statistics.json" "$many/statistics.json" | head -8)"
        fi
    done
done
