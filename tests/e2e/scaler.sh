# The standard scaler of examples/scaler, in C (built out of tree against
# the installed SDK) and in Lua, against NumPy's results on the same rows
# (tests/data/scaler, made by make_fixture.py).  Tolerances: 1e-12
# absolute on scaled values, except the column near 1e6 with spread 1e-3,
# whose condition number (~1e9) makes 1e-6 the honest bound for any
# algorithm; 1e-9 relative on the fitted mean and scale (1e-6 for that
# column's scale, for the same reason).
. "$(dirname "$0")/../lib.sh"
D=$MLPIPE_TOP/tests/data/scaler
mkdir plugins
cc -std=c11 -Wall -Wextra -Werror -shared -fPIC $(PKG_CONFIG_PATH="$MLPIPE_PREFIX/lib/pkgconfig" pkg-config --cflags --libs mlpipe) \
    "$MLPIPE_TOP/examples/scaler/standard_scaler.c" -o plugins/standard_scaler.so 2> cc.log &&
    pass scaler_c_builds || fail scaler_c_builds "$(cat cc.log)"
cp "$MLPIPE_TOP/examples/scaler/standard_scaler.lua" plugins/
c_lines=$(wc -l < "$MLPIPE_TOP/examples/scaler/standard_scaler.c")
lua_lines=$(wc -l < "$MLPIPE_TOP/examples/scaler/standard_scaler.lua")
[ "$c_lines" -le 80 ] && [ "$lua_lines" -le 40 ] && pass scaler_is_short ||
    fail scaler_is_short "C $c_lines lines (at most 80), Lua $lua_lines (at most 40)"

cat > s.lua <<'LUA'
local mp = require "mlpipe"
mp.plugin_path("plugins")
local D, which = os.getenv("D"), arg[1]
-- Puts two single-split Examples together as one with splits train, eval.
mp.component { name = "merge", stage = "transform",
  inputs = { a = "Examples", b = "Examples" }, outputs = { examples = "Examples" },
  run = function(ctx)
    local out = ctx:output("examples")
    for _, port in ipairs { "a", "b" } do
      local ex = ctx:input(port)
      local split = ex.properties.splits[1]
      local t = assert(ctx:read_table(ex.uri .. "/" .. split .. ".mlpt"))
      local cols = {}
      for i, n in ipairs(t:names()) do cols[i] = { name = n, type = t:type(n), values = t:column(n) } end
      assert(ctx:write_table(out.uri .. "/" .. split .. ".mlpt", t:nrows(), cols))
    end
    ctx:set_property("examples", "splits", { "train", "eval" })
  end }
-- Writes every split's scaled columns as text with all 17 digits.
mp.component { name = "dump", stage = "analyze",
  inputs = { examples = "Examples" }, outputs = { text = "Dump" },
  run = function(ctx)
    local ex = ctx:input("examples")
    local f = assert(io.open(ctx:output("text").uri .. "/scaled.csv", "w"))
    for _, split in ipairs(ex.properties.splits) do
      local t = assert(ctx:read_table(ex.uri .. "/" .. split .. ".mlpt"))
      local cols = { t:column("x"), t:column("k"), t:column("c"), t:column("big") }
      for r = 1, t:nrows() do
        local v = {}
        for i = 1, 4 do v[i] = cols[i][r] == nil and "" or string.format("%.17g", cols[i][r]) end
        f:write(split, ",", r - 1, ",", table.concat(v, ","), "\n")
      end
    end
    f:close()
  end }
local p = mp.pipeline { name = "s", root = "runs/" .. which }
local tr = p:add("csv_import", { name = "tr", path = D .. "/train.csv", splits = { train = 1 } })
local ev = p:add("csv_import", { name = "ev", path = D .. "/eval.csv", splits = { eval = 1 } })
local m = p:add("merge", { a = tr.examples, b = ev.examples })
local s = p:add(which, { examples = m.examples })
local d = p:add("dump", { examples = s.scaled })
local r = p:run {}
print("DUMP", r.nodes.dump.outputs.text.uri)
print("SCALED", r.nodes[which].outputs.scaled.uri)
print("NAME", r.nodes[which].outputs.scaled.properties.columns[5].type)
LUA
compare() {  # NAME OUTPUT: scaled values and fit against the fixture
    python3 - "$D" "$2" <<'PY'
import csv, json, math, sys
d, out = sys.argv[1], sys.argv[2].split("\n")
uri = {l.split("\t")[0]: l.split("\t")[1] for l in out if "\t" in l}
exp = list(csv.reader(open(d + "/expected.csv")))[1:]
got = [l.rstrip("\n").split(",") for l in open(uri["DUMP"] + "/scaled.csv")]
assert len(got) == len(exp) == 55, (len(got), len(exp))
worst = 0
for e, g in zip(exp, got):
    assert e[:2] == g[:2], (e[:2], g[:2])
    for i, col in enumerate(["x", "k", "c", "big"]):
        a, b = e[2 + i], g[2 + i]
        assert (a == "") == (b == ""), f"{e[:2]} {col}: missing expected {a == ''} got {b!r}"
        if a:
            tol = 1e-6 if col == "big" else 1e-12
            err = abs(float(a) - float(b))
            assert err <= tol, f"{e[:2]} {col}: expected {a} got {b} (error {err:.3g})"
            worst = max(worst, err if col != "big" else 0)
fit, want = json.load(open(uri["SCALED"] + "/scaler.json")), json.load(open(d + "/expected_fit.json"))
for k in ("mean", "scale"):
    for col, v in want[k].items():
        tol = 1e-6 if col == "big" else 1e-9
        assert math.isclose(fit[k][col], v, rel_tol=tol), (k, col, fit[k][col], v)
assert uri["NAME"] == "categorical", uri["NAME"]
print(f"worst error {worst:.3g}")
PY
}
for which in standard_scaler standard_scaler_lua; do
    expect "${which}_runs" 0 env D="$D" "$M" run s.lua -- "$which" &&
    res=$(compare "$which" "$OUT" 2>&1) && pass "${which}_matches_numpy" ||
        fail "${which}_matches_numpy" "$res $(head -c 600 <<<"$OUT")"
done
# The C scaler carries the rest of the Examples: properties, lines files.
sid=$(sql runs/standard_scaler/metadata.sqlite "SELECT a.id FROM artifact a JOIN event v ON v.artifact_id=a.id JOIN execution e ON e.id=v.execution_id WHERE e.node='standard_scaler' AND v.type='OUTPUT'")
expect scaler_props 0 "$M" show "$sid" --root runs/standard_scaler &&
has scaler_props "$OUT" 'splits train 40 rows, eval 15 rows' \
    '  x     numeric float' '  name  categorical' 'scaler.json' 'train.mlpt' 'eval.mlpt'
# No train split: refused naming the splits there are.  The merge's files
# stay the same and only its `splits` property changes: the scaler must
# not be served from the cache (properties are part of an input's
# identity).
sed -i 's/{ "train", "eval" }/{ "eval" }/' s.lua
expect scaler_needs_train 2 env D="$D" "$M" run s.lua -- standard_scaler &&
has scaler_needs_train "$OUT" "input 'examples' has no split 'train' to fit on (it has: eval)"
# A list of names given numbers is refused where the script says it.
cat > bad.lua <<'LUA'
local mp = require "mlpipe"
mp.plugin_path("plugins")
local p = mp.pipeline { name = "b", root = "runs/b" }
local ex = p:add("csv_import", { path = os.getenv("D") .. "/train.csv" })
p:add("standard_scaler", { examples = ex.examples, columns = { "x", 1 } })
LUA
expect typed_list_refused 2 env D="$D" "$M" run bad.lua &&
has typed_list_refused "$OUT" "bad.lua:5:" "parameter 'columns' of standard_scaler: item 2 must be a string, got a number"
sed -i 's/standard_scaler"/standard_scaler_lua"/' bad.lua
expect typed_list_refused_lua 2 env D="$D" "$M" run bad.lua &&
has typed_list_refused_lua "$OUT" "bad.lua:5:" "item 2 must be a string, got a number"
expect typed_list_listed 0 "$M" plugins standard_scaler --plugin-path plugins &&
has typed_list_listed "$OUT" "columns            list of string"
