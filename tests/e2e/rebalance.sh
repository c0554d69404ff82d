# rebalance: random over- and under-sampling and SMOTE against
# imbalanced-learn (tests/data/make_rebalance_fixtures.py): class counts
# exactly, SMOTE's synthetic rows by their statistics and by their
# construction (each on a segment from a class row towards one of its 5
# nearest neighbours in the class); the other splits untouched; seeded;
# refusals.
. "$(dirname "$0")/../lib.sh"
data=$MLPIPE_TOP/tests/data

pipe() {  # name csv csv-opts rebalance-opts
    cat > "$1.lua" <<LUA
local mp = require "mlpipe"
local p = mp.pipeline { name = "$1", root = "runs/$1" }
local ex = p:add("csv_import", { path = "$2", $3 })
local b = p:add("rebalance", { examples = ex.examples, $4 })
local r = p:run {}
print("in", r.nodes.csv_import.outputs.examples.uri)
print("out", r.nodes.rebalance.outputs.examples.uri)
print("info", mp.json_encode(r.nodes.rebalance.outputs.examples.properties.rebalanced))
LUA
}
val() { awk -v k="$1" '$1 == k { print $2 }' <<<"$OUT"; }
dump() {  # table file -> CSV on stdout, through a Lua component
    cat > dump_$2.lua <<LUA
local mp = require "mlpipe"
local p = mp.pipeline { name = "d", root = "runs/dump_$2" }
mp.component { name = "d", stage = "analyze", outputs = { out = "Report" },
  run = function(ctx)
    local t = assert(ctx:read_table("$1"))
    local names, cols, n = t:names(), {}, 0
    for i, c in ipairs(names) do local v; v, n = t:column(c); cols[i] = v end
    local lines = { table.concat(names, ",") }
    for r = 1, n do
      local row = {}
      for i = 1, #names do row[i] = cols[i][r] == nil and "" or string.format("%.17g", cols[i][r]) end
      lines[#lines + 1] = table.concat(row, ",")
    end
    ctx:set_property("out", "csv", table.concat(lines, "\\n"))
  end }
p:add("d", {})
local r = p:run {}
io.write(r.nodes.d.outputs.out.properties.csv, "\\n")
LUA
    "$M" run dump_$2.lua 2>&1 | sed '/^ran /d'
}

# check NAME PYTHON: `fx` the fixture case, `info` the rebalanced property
check() {
    local got
    got=$(python3 - "$data/fixtures/rebalance.json" "$(awk '$1 == "info" { $1 = ""; print }' <<<"$OUT")" 2>&1 <<PY
import csv, io, json, math, sys
fx = json.load(open(sys.argv[1]))
info = json.loads(sys.argv[2])
$2
PY
)
    [ "$got" = ok ] && pass "$1" || fail "$1" "$got"
}

for m in random_over:over random_under:under smote:smote; do
    method=${m%%:*} key=${m#*:}
    for set in breast_cancer iris_imbalanced; do
        csv=$data/$set.csv
        [ $set = iris_imbalanced ] && csv=$data/iris_imbalanced.csv
        pipe "$set-$method" "$csv" 'label = "target", types = { target = "categorical" }, splits = { train = 1 }' \
            "method = \"$method\", seed = 3"
        expect "${set}_${method}_runs" 0 "$M" run "$set-$method.lua" &&
        check "${set}_${method}_counts" "
c = fx['$set']
print('ok' if info['before'] == c['before'] and info['after'] == c['$key'] else (info, c['before'], c['$key']))"
    done
done

# SMOTE's synthetic rows: their statistics against imbalanced-learn's
# (means within 0.35 of a standard deviation, three standard errors of
# the difference for 145 rows; deviations within a third), and each one
# on a segment between a row of its class and one of that row's five
# nearest neighbours in the class.
pipe smote_rows "$data/breast_cancer.csv" 'label = "target", types = { target = "categorical" }, splits = { train = 1 }' \
    'method = "smote", seed = 11'
expect smote_rows_runs 0 "$M" run smote_rows.lua
out=$(val out) in=$(val in)
dump "$in/train.mlpt" before > before.csv
dump "$out/train.mlpt" after > after.csv
check smote_synthetic_rows "
c = fx['breast_cancer']
before = list(csv.reader(open('before.csv'))); after = list(csv.reader(open('after.csv')))
head, old, new = after[0], [list(map(float, r[:-1])) + [r[-1]] for r in before[1:]], after[1 + len(before) - 1:]
syn = [list(map(float, r[:-1])) for r in new]
bad = []
if before[1:] != after[1:len(before)]: bad.append('original rows changed')
if len(syn) != c['synthetic_rows']: bad.append('%d synthetic rows' % len(syn))
if set(r[-1] for r in new) != {'0'}: bad.append('classes %s' % set(r[-1] for r in new))
for j in range(30):
    v = [s[j] for s in syn]; m = sum(v) / len(v); sd = math.sqrt(sum((x - m) ** 2 for x in v) / len(v))
    if abs(m - c['synthetic_mean'][j]) > 0.35 * c['synthetic_sd'][j] or not (0.67 < sd / c['synthetic_sd'][j] < 1.5):
        bad.append('feature %d: mean %g sd %g, imblearn %g %g' % (j, m, sd, c['synthetic_mean'][j], c['synthetic_sd'][j]))
cls = [r[:-1] for r in old if r[-1] == '0']
d2 = lambda a, b: sum((x - y) ** 2 for x, y in zip(a, b))
nn = [sorted(range(len(cls)), key=lambda j: (d2(cls[i], cls[j]) if j != i else math.inf, j))[:5] for i in range(len(cls))]
for s in syn:
    ok = False
    for i, x in enumerate(cls):
        for j in nn[i]:
            z = cls[j]; dz = [b - a for a, b in zip(x, z)]; den = sum(t * t for t in dz)
            if den == 0: continue
            u = sum((a - b) * t for a, b, t in zip(s, x, dz)) / den
            if -1e-12 <= u < 1 and max(abs(a - (b + u * t)) for a, b, t in zip(s, x, dz)) < 1e-9 * (1 + max(map(abs, s))):
                ok = True; break
        if ok: break
    if not ok: bad.append('row %s not between neighbours' % s[:3]); break
print('ok' if not bad else bad[:3])"

# The other splits pass through untouched; the same seed, the same rows.
pipe kept "$data/breast_cancer.csv" 'label = "target", types = { target = "categorical" }' 'method = "smote", seed = 5'
expect kept_runs 0 "$M" run kept.lua
cmp -s "$(val in)/eval.mlpt" "$(val out)/eval.mlpt" && pass eval_untouched || fail eval_untouched "eval.mlpt differs"
[ -f "$(val out)/eval.lines.mlpt" ] && pass eval_keeps_lines || fail eval_keeps_lines "no eval.lines.mlpt"
first=$(val out)
sed 's/runs\/kept/runs\/kept2/' kept.lua > kept2.lua
expect kept2_runs 0 "$M" run kept2.lua
cmp -s "$first/train.mlpt" "$(val out)/train.mlpt" && pass same_seed_same_rows || fail same_seed_same_rows "differ"
sed 's/seed = 5/seed = 6/; s/runs\/kept/runs\/kept3/' kept.lua > kept3.lua
expect kept3_runs 0 "$M" run kept3.lua
cmp -s "$first/train.mlpt" "$(val out)/train.mlpt" && fail other_seed_other_rows "identical" || pass other_seed_other_rows

# Under-sampling keeps original rows only, in their order.
pipe under "$data/breast_cancer.csv" 'label = "target", types = { target = "categorical" }, splits = { train = 1 }' \
    'method = "random_under", seed = 2'
expect under_runs 0 "$M" run under.lua
dump "$(val in)/train.mlpt" u_before > u_before.csv
dump "$(val out)/train.mlpt" u_after > u_after.csv
check under_subset "
b = open('u_before.csv').read().splitlines()[1:]; a = open('u_after.csv').read().splitlines()[1:]
pos = {r: i for i, r in enumerate(b)}
idx = [pos.get(r, -1) for r in a]
print('ok' if len(a) == 424 and -1 not in idx and idx == sorted(idx) else (len(a), idx[:5]))"

# Refusals.
printf 'x,city,y\n1,oslo,a\n2,rome,a\n3,oslo,a\n4,rome,b\n' > small.csv
pipe cat small.csv 'label = "y", splits = { train = 1 }' 'method = "smote"'
expect smote_categorical 2 "$M" run cat.lua &&
has smote_categorical "$OUT" "column 'city' is categorical: SMOTE makes new rows by interpolating numbers"
pipe few small.csv 'label = "y", splits = { train = 1 }' 'method = "smote", exclude = { "city" }'
expect smote_class_too_small 2 "$M" run few.lua &&
has smote_class_too_small "$OUT" "class 'b' has 1 row in split 'train': SMOTE needs more than k_neighbors (5)"
pipe strat small.csv 'label = "y", splits = { train = 1 }' 'method = "random_over", sampling_strategy = { b = 2, c = 4 }'
expect unknown_class 2 "$M" run strat.lua && has unknown_class "$OUT" "sampling_strategy: no class 'c' in the split"
pipe strat2 small.csv 'label = "y", splits = { train = 1 }' 'method = "random_under", sampling_strategy = { b = 2 }'
expect under_more_than_there 2 "$M" run strat2.lua &&
has under_more_than_there "$OUT" "sampling_strategy: class 'b' has 1 rows; under-sampling wants at most that many (not 2)"
printf 'x,y\n1,a\n,a\n3,b\n4,b\n5,b\n6,b\n7,a\n8,a\n9,a\n10,a\n' > gap.csv
pipe gap gap.csv 'label = "y", splits = { train = 1 }' 'method = "smote", k_neighbors = 1'
expect smote_missing 2 "$M" run gap.lua && has smote_missing "$OUT" "column 'x', row 2 of split 'train': missing; SMOTE needs every feature (impute or exclude it) (gap.csv:3)"
pipe nolabel gap.csv 'splits = { train = 1 }' 'method = "random_over"'
expect no_label 2 "$M" run nolabel.lua && has no_label "$OUT" "no label to balance"

# From a hostile test: decimals after SMOTE are described as such; kept
# rows keep their source lines; exclude names columns that exist; one
# class is refused; a class sampled away is counted as 0.
printf 'y,a\n' > ints.csv
for i in $(seq 1 20); do echo "$([ $i -le 14 ] && echo A || echo B),$i" >> ints.csv; done
pipe ints ints.csv 'label = "y", splits = { train = 1 }' 'method = "smote", k_neighbors = 3'
expect ints_runs 0 "$M" run ints.lua && expect ints_show 0 "$M" show 2 --root runs/ints &&
has smote_columns_described "$OUT" "  a  numeric float"
pipe lines ints.csv 'label = "y", splits = { train = 1 }' 'method = "random_under"'
expect lines_runs 0 "$M" run lines.lua
[ -f "$(val out)/train.lines.mlpt" ] && pass under_keeps_lines || fail under_keeps_lines "no train.lines.mlpt"
pipe ex ints.csv 'label = "y", splits = { train = 1 }' 'method = "smote", k_neighbors = 3, exclude = { "nope" }'
expect exclude_unknown 2 "$M" run ex.lua && has exclude_unknown "$OUT" "exclude: 'nope' is no column of split 'train'"
printf 'y,a\nA,1\nA,2\nA,3\n' > one.csv
pipe one one.csv 'label = "y", splits = { train = 1 }' 'method = "random_over"'
expect one_class 2 "$M" run one.lua && has one_class "$OUT" "label 'y' has 1 class in split 'train': nothing to balance"
pipe zero ints.csv 'label = "y", splits = { train = 1 }' 'method = "random_under", sampling_strategy = { B = 0 }'
expect zero_runs 0 "$M" run zero.lua && has class_sampled_away "$OUT" '"B":0' '"rows_removed":6'

# Integer classes beyond 2^53 stay distinct (a double would merge them),
# in the counts and in the label the rebalanced rows carry: scoring the
# output finds both classes with 4 rows each.
printf 'x,y\n1,9007199254740992\n2,9007199254740992\n3,9007199254740992\n4,9007199254740992\n5,9007199254740993\n6,9007199254740993\n' > big.csv
cat > big.lua <<'LUA'
local mp = require "mlpipe"
local p = mp.pipeline { name = "big", root = "runs/big" }
local ex = p:add("csv_import", { path = "big.csv", label = "y", splits = { train = 1 } })
local b = p:add("rebalance", { examples = ex.examples, method = "random_over" })
local s = p:add("select_features", { examples = b.examples, score = "f_classif", mode = "all" })
local r = p:run {}
print("info", mp.json_encode(r.nodes.rebalance.outputs.examples.properties.rebalanced))
print(io.open(r.nodes.select_features.outputs.selection.uri .. "/selection.json"):read("a"))
LUA
expect big_classes_run 0 "$M" run big.lua &&
has big_classes_counted "$OUT" '"9007199254740992":4' '"9007199254740993":4' &&
has big_classes_kept "$OUT" '"classes": [' '9007199254740992,' '9007199254740993' '"rows": 8,'

# A column of ids beyond 2^53 cannot be interpolated: SMOTE says so and
# names exclude, which then works (the synthetic rows leave it missing).
printf 'x,big,y\n' > ids.csv
for i in $(seq 1 12); do echo "$i,$((9007199254740992 + i)),$([ $i -le 8 ] && echo a || echo b)" >> ids.csv; done
pipe ids ids.csv 'label = "y", splits = { train = 1 }' 'method = "smote", k_neighbors = 2'
expect smote_ids_refused 2 "$M" run ids.lua &&
has smote_ids_refused "$OUT" "column 'big' holds integers beyond 2^53 (ids?): SMOTE interpolates features" "list it in exclude"
pipe idsx ids.csv 'label = "y", splits = { train = 1 }' 'method = "smote", k_neighbors = 2, exclude = { "big" }'
expect smote_ids_excluded 0 "$M" run idsx.lua
