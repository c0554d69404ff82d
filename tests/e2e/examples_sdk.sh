# The Examples helpers of the SDK (examples.h) as a third-party transform
# uses them: every split mapped, properties carried, rows and columns
# recomputed, source lines carried (hard-linked) only while the rows are
# the same, a failing map fails the node naming the split.
. "$(dirname "$0")/../lib.sh"
mkdir plugins && cp "$FIXTURES/mapper.so" plugins/
printf 'a,b,t\n1,2,x\n,4,y\n5,,z\n7,8,x\n9,10,y\n11,12,z\n' > d.csv
cat > m.lua <<'LUA'
local mp = require "mlpipe"
mp.plugin_path("plugins")
local p = mp.pipeline { name = "m", root = "runs/" .. arg[1] }
local ex = p:add("csv_import", { path = os.getenv("CSV"), label = "t", splits = { one = 1, two = 1 } })
local m = p:add(arg[1], { examples = ex.examples, column = arg[2] })
local r = p:run {}
if r.status == "ok" then
  local o, i = r.nodes[arg[1]].outputs.mapped, r.nodes.csv_import.outputs.examples
  print("OUT", o.uri) print("IN", i.uri)
  print("ROWS", mp.json_encode(o.properties.rows), mp.json_encode(i.properties.rows))
  print("LABEL", o.properties.label, o.properties.format)
  print("COLUMNS", mp.json_encode(o.properties.columns))
end
LUA
val() { sed -n "s/^$1\t//p" <<<"$OUT"; }
expect map_twice 0 env CSV="$TMP/d.csv" "$M" run m.lua -- mapper_twice b &&
has map_twice "$OUT" "ran      mapper_twice" "LABEL	t	csv"
rows=$(val ROWS); [ "$(cut -f1 <<<"$rows")" = "$(cut -f2 <<<"$rows")" ] && pass map_rows_kept || fail map_rows_kept "$rows"
cols=$(python3 -c 'import json,sys; print(" ".join("%s:%s:%s" % (c["name"], c["type"], c.get("kind", "-")) for c in json.loads(sys.argv[1])))' "$(val COLUMNS)")
[ "$cols" = "a:numeric:int b:numeric:int t:categorical:-" ] && pass map_columns || fail map_columns "$cols"
out=$(val OUT); in=$(val IN)
# A hard link where the sandbox allows one, else a copy: the same bytes.
cmp -s "$out/one.lines.mlpt" "$in/one.lines.mlpt" && cmp -s "$out/two.lines.mlpt" "$in/two.lines.mlpt" &&
    pass map_lines_carried || fail map_lines_carried "$(ls -l "$out")"
expect map_drop 0 env CSV="$TMP/d.csv" "$M" run m.lua -- mapper_drop a && has map_drop "$OUT" "ran      mapper_drop"
out=$(val OUT)
total=$(python3 -c 'import json,sys; print(sum(json.loads(sys.argv[1]).values()))' "$(val ROWS | cut -f1)")
# The row with no `a` is in split one: its lines go, split two keeps them.
[ "$total" = 5 ] && [ ! -e "$out/one.lines.mlpt" ] && [ -e "$out/two.lines.mlpt" ] && pass map_dropped_rows_no_lines ||
    fail map_dropped_rows_no_lines "rows $(val ROWS); $(ls "$out")"
# mapper_fail fails on the split called eval.
sed -i 's/splits = { one = 1, two = 1 }/splits = { train = 1, eval = 1 }/' m.lua
expect map_fails_named 3 env CSV="$TMP/d.csv" "$M" run m.lua -- mapper_fail b &&
has map_fails_named "$OUT" "failed   mapper_fail" "split eval cannot be mapped"
