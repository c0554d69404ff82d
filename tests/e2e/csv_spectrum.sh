# The csv-spectrum corpus (tests/data/csv-spectrum, BSD-2-Clause): every
# file reads as the rows its JSON says, through both readers, every value
# as a string.  A quote inside an unquoted field is refused by default
# (RFC 4180) and read literally with quotes = "lenient".
. "$(dirname "$0")/../lib.sh"
cat > spectrum.lua <<'LUA'
local mp = require "mlpipe"
local name, extra = arg[1], arg[2] or "{}"
local top = os.getenv("MLPIPE_TOP") .. "/tests/data/csv-spectrum/"
local want = assert(mp.read_json(top .. "json/" .. name .. ".json"))
local opts = assert(load("return " .. extra))()
opts.path = top .. "csvs/" .. name .. ".csv"
opts.splits = { all = 1 }
opts.na_values = {}
opts.types = {}
local ncols = 0
for k in pairs(want[1]) do opts.types[k] = "string"; ncols = ncols + 1 end
mp.component { name = "compare", stage = "analyze", inputs = { examples = "Examples" },
  outputs = { out = "Report" },
  run = function(ctx)
    local e = ctx:input("examples")
    local t = assert(ctx:read_table(e.uri .. "/all.mlpt"))
    local verdict = "same"
    if t:nrows() ~= #want then verdict = "rows " .. t:nrows() .. ", expected " .. #want end
    local cols = t:names()
    if verdict == "same" and #cols ~= ncols then verdict = #cols .. " columns" end
    for _, col in ipairs(cols) do
      local vals = t:column(col)
      for i, row in ipairs(want) do
        if verdict == "same" and vals[i] ~= row[col] then
          verdict = string.format("row %d column %q: %q, expected %q", i, col,
                                  tostring(vals[i]), tostring(row[col]))
        end
      end
    end
    ctx:set_property("out", "verdict", verdict)
  end }
local p = mp.pipeline { name = "spectrum", root = "runs/" .. name .. (opts.parser or "") }
local ex = p:add("csv_import", opts)
p:add("compare", { examples = ex.examples, cache = false })
local r = p:run {}
if r.nodes.compare.outputs.out then print("verdict", r.nodes.compare.outputs.out.properties.verdict) end
LUA
for csv in "$MLPIPE_TOP"/tests/data/csv-spectrum/csvs/*.csv; do
    name=$(basename "$csv" .csv)
    opts='{}'
    [ "$name" = location_coordinates ] && opts='{ quotes = "lenient" }'
    for parser in auto general; do
        popts="${opts%\}}"
        [ "$popts" = "{" ] && popts="{ parser = \"$parser\" }" || popts="$popts, parser = \"$parser\" }"
        expect "spectrum_${name}_$parser" 0 "$M" run spectrum.lua -- "$name" "$popts" &&
        has "spectrum_${name}_$parser" "$OUT" "verdict	same"
    done
done
expect spectrum_strict_quote_refused 3 "$M" run spectrum.lua -- location_coordinates &&
has spectrum_strict_quote_refused "$OUT" \
    "location_coordinates.csv:2:24: quote inside an unquoted field (quote the whole field and double the quote, or read the file with quotes = \"lenient\")"

# Lenient quotes on the other malformed shape: text after a closing quote
# joins the field ("ab"cd reads as abcd, as Python's csv module reads it).
cp "$MLPIPE_TOP/tests/e2e/dump.lua" .
printf 'a,b\n"ab"cd,x"y"\n"q""r"s,2\n' > after.csv
expect lenient_after_quote 0 "$M" run dump.lua -- after.csv '{ quotes = "lenient" }' &&
has lenient_after_quote "$OUT" 'all:a[categorical]=abcd|q"rs' 'all:b[categorical]=x"y"|2'
expect strict_after_quote 3 "$M" run dump.lua -- after.csv &&
has strict_after_quote "$OUT" 'after.csv:2:5: unexpected text after a closing quote'
