# mlpipe predict: raw CSV rows through a model's transform graph and the
# model, against scikit-learn's probabilities and the trainer's own
# scores; versions; and every bad input refused with its file and line,
# leaving no half-written output.
. "$(dirname "$0")/../lib.sh"
data=$MLPIPE_TOP/tests/data

cat > bc.lua <<LUA
local mp = require "mlpipe"
local p = mp.pipeline { name = "bc", root = "runs/bc" }
local ex = p:add("csv_import", { path = "$data/breast_cancer.csv", label = "target",
                                 types = { target = "categorical" }, splits = { train = 1 } })
local tf = p:add("transform", { examples = ex.examples,
                                features = { [":numeric"] = { "zscore" } } })
local m = p:add("logistic_regression", { examples = tf.examples,
                                         transform_graph = tf.transform_graph,
                                         tol = 1e-10, max_iter = 10000 })
local d = p:add("ridge", { examples = ex.examples, features = { "mean_*" },
                           label = "worst_area", task = "regression" })
local r = p:run {}
print("model", r.nodes.logistic_regression.outputs.model.uri)
print("ridge", r.nodes.ridge.outputs.model.uri)
LUA
expect trains 0 "$M" run bc.lua
model=$(awk '$1 == "model" { print $2 }' <<<"$OUT")
ridge=$(awk '$1 == "ridge" { print $2 }' <<<"$OUT")

# From raw rows: the graph standardises them, the model predicts; within
# 1e-4 of scikit-learn's probabilities (the coefficients agree to 1e-4).
expect predicts_csv 0 "$M" predict --model "$model" "$data/breast_cancer.csv"
printf '%s\n' "$OUT" > pred.csv
got=$(python3 - pred.csv "$data/fixtures/train.json" "$model/model.json" <<'PY'
import csv, json, math, sys
rows = list(csv.reader(open(sys.argv[1])))
r = json.load(open(sys.argv[2]))["logistic_bc_zscore"]["proba"]
doc = json.load(open(sys.argv[3]))
if rows[0] != ["prediction", "p_0", "p_1"]: print("header", rows[0]); sys.exit()
body = rows[1:]
if len(body) != 569: print(len(body), "rows"); sys.exit()
worst = max(abs(float(b[1]) - a[0]) + abs(float(b[2]) - a[1]) for b, a in zip(body, r))
print("ok" if worst < 1e-4 and all(b[0] == ("1" if float(b[2]) > float(b[1]) else "0")
                                   for b in body) else "worst %g" % worst)
PY
)
[ "$got" = ok ] && pass predict_matches_sklearn || fail predict_matches_sklearn "$got"

# The trainer's own score of its final weights, recomputed from the
# printed probabilities.  The trainer scores its float32 rows with float32
# products (logistic regression trains in float32, mlpipe/trainer.h
# MLP_ROWS_F32) while predict computes in float64, so they agree to
# float32's resolution, not to the bit (evaluate.sh checks that predict
# and evaluate agree to the bit).
got=$(python3 - pred.csv "$data/breast_cancer.csv" "$model/model.json" <<'PY'
import csv, json, math, sys
body = list(csv.reader(open(sys.argv[1])))[1:]
y = [int(r[-1]) for r in list(csv.reader(open(sys.argv[2])))[1:]]
want = json.load(open(sys.argv[3]))["metrics"]["train"]["log_loss"]
eps = 2.220446049250313e-16
clip = lambda v: min(max(float(v), eps), 1 - eps)
ll = -sum(math.log(clip(b[1 + c]) / sum(clip(v) for v in b[1:])) for b, c in zip(body, y)) / len(y)
print("ok" if abs(ll - want) <= 1e-6 * want else "log loss %r, trainer's %r" % (ll, want))
PY
)
[ "$got" = ok ] && pass predict_equals_trainer || fail predict_equals_trainer "$got"

# JSON Lines with an id column kept as text.
expect predicts_jsonl 0 "$M" predict --model "$model" --format jsonl --id mean_radius \
    "$data/breast_cancer.csv"
got=$(head -1 <<<"$OUT" | python3 -c '
import json, sys
d = json.loads(sys.stdin.read())
print("ok" if d["mean_radius"] == "17.99" and d["prediction"] == "0" and
      abs(sum(d["probabilities"].values()) - 1) < 1e-12 else d)')
[ "$got" = ok ] && pass jsonl_with_id || fail jsonl_with_id "$got"

# A regression model on raw features: the value column only.
expect predicts_regression 0 "$M" predict --model "$ridge" "$data/breast_cancer.csv"
[ "$(head -1 <<<"$OUT")" = prediction ] && [ "$(wc -l <<<"$OUT")" = 570 ] &&
    pass regression_output || fail regression_output "$(head -3 <<<"$OUT")"

# Served versions: the highest unless --version.
mkdir -p serving/bc
cp -r "$model" serving/bc/1
cp -r "$ridge" serving/bc/2
expect latest_version 0 "$M" predict --model serving/bc "$data/breast_cancer.csv"
has latest_version "$(head -1 <<<"$OUT")" "prediction"
[ "$(head -1 <<<"$OUT")" = prediction ] && pass picks_highest_version ||
    fail picks_highest_version "$(head -1 <<<"$OUT")"
expect chosen_version 0 "$M" predict --model serving/bc --version 1 "$data/breast_cancer.csv"
[ "$(head -1 <<<"$OUT")" = "prediction,p_0,p_1" ] && pass picks_given_version ||
    fail picks_given_version "$(head -1 <<<"$OUT")"
expect missing_version 1 "$M" predict --model serving/bc --version 9 "$data/breast_cancer.csv" &&
has missing_version "$OUT" "serving/bc: no model version 9 here"
# A newest version whose model.json is not a file is damaged: refused, not
# passed over for the older one; and so is a model directory's own.
mkdir -p serving/bc/3/model.json
expect damaged_newest_refused 7 "$M" predict --model serving/bc "$data/breast_cancer.csv" &&
has damaged_newest_named "$OUT" "serving/bc/3/model.json: not a regular file"
expect damaged_version_refused 7 "$M" predict --model serving/bc --version 3 "$data/breast_cancer.csv"
rm -r serving/bc/3
cp -r "$model" dirdoc && rm dirdoc/model.json && mkdir dirdoc/model.json
expect document_directory_refused 7 "$M" predict --model dirdoc "$data/breast_cancer.csv" &&
has document_directory_named "$OUT" "dirdoc/model.json: not a regular file"

# Damaged weights: one flipped byte, or a truncated file.
cp -r "$model" flipped
python3 - flipped/weights.bin <<'PY'
import sys
b = bytearray(open(sys.argv[1], "rb").read()); b[40] ^= 1
open(sys.argv[1], "wb").write(bytes(b))
PY
expect flipped_weights_refused 7 "$M" predict --model flipped "$data/breast_cancer.csv" &&
has flipped_weights_refused "$OUT" "flipped/weights.bin: tensor 'coef' has checksum" \
    "the weights are damaged"
cp -r "$model" short
truncate -s 100 short/weights.bin
expect truncated_weights_refused 7 "$M" predict --model short "$data/breast_cancer.csv" &&
has truncated_weights_refused "$OUT" "short/weights.bin: 100 bytes, model.json says"

cp -r "$model" nomagic
printf 'X' | dd of=nomagic/weights.bin bs=1 count=1 conv=notrunc 2>/dev/null
expect wrong_magic_refused 7 "$M" predict --model nomagic "$data/breast_cancer.csv" &&
has wrong_magic_refused "$OUT" "nomagic/weights.bin:" "bytes without the weights magic"

# model.json edited by hand (two features swapped: every check of its
# shape would pass) is refused by the document's own checksum.
cp -r "$model" swapped
python3 - swapped/model.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["features"][0], d["features"][1] = d["features"][1], d["features"][0]
json.dump(d, open(sys.argv[1], "w"), indent=1)
PY
expect edited_document_refused 7 "$M" predict --model swapped "$data/breast_cancer.csv" &&
has edited_document_refused "$OUT" "swapped/model.json was changed after it was written"
# The graph beside it swapped for another graph: refused by fingerprint.
cp -r "$model" othergraph
python3 - othergraph/transform_graph.json <<'PY'
import json, sys
g = json.load(open(sys.argv[1]))
g["outputs"] = list(reversed(g["outputs"]))
json.dump(g, open(sys.argv[1], "w"))
PY
expect other_graph_refused 7 "$M" predict --model othergraph "$data/breast_cancer.csv" &&
has other_graph_refused "$OUT" "othergraph/transform_graph.json is not the graph the model was trained behind"

# Not JSON at all: the parser's position is in the message.
cp -r "$model" cut
head -c 200 "$model/model.json" > cut/model.json
expect cut_document_refused 7 "$M" predict --model cut "$data/breast_cancer.csv" &&
has cut_document_refused "$OUT" "cut/model.json:" "invalid JSON"

# The checks below edit model.json to reach deeper checks, so they drop
# its checksum, as a model written before documents had one.
unsum() { python3 -c '
import json, sys
d = json.load(open(sys.argv[1])); d.pop("document_xxh3", None)
json.dump(d, open(sys.argv[1], "w"), indent=1)' "$1"; }

# A document that contradicts itself: a regression with a softmax link.
cp -r "$ridge" badlink
unsum badlink/model.json
sed -i 's/"link": *"identity"/"link": "softmax"/' badlink/model.json
expect contradicting_link_refused 7 "$M" predict --model badlink "$data/breast_cancer.csv" &&
has contradicting_link_refused "$OUT" "link 'softmax' does not fit a regression model of 0 classes"

# A tensor name outside [A-Za-z0-9_.] in the weights table.
cp -r "$model" badname
unsum badname/model.json
sed -i 's/"name": *"coef"/"name": "co ef"/' badname/model.json
expect bad_tensor_name_refused 7 "$M" predict --model badname "$data/breast_cancer.csv" &&
has bad_tensor_name_refused "$OUT" "badname/weights.bin: tensor 0 has no valid name"

# A model whose trainer is not installed.
cp -r "$model" foreign
unsum foreign/model.json
sed -i 's/"trainer": *"logistic_regression"/"trainer": "gbm_from_elsewhere"/' foreign/model.json
expect unknown_trainer_refused 1 "$M" predict --model foreign "$data/breast_cancer.csv" &&
has unknown_trainer_refused "$OUT" "made by trainer 'gbm_from_elsewhere'" \
    "which no installed plugin provides"

# Bad input rows, each named by file and line; nothing written with -o.
head -3 "$data/breast_cancer.csv" | cut -d, -f2- > nocol.csv
expect missing_column_refused 3 "$M" predict --model "$model" nocol.csv &&
has missing_column_refused "$OUT" "nocol.csv: column 'mean_radius' is missing: the model reads it (an input of its transform graph)"
{ head -3 "$data/breast_cancer.csv"; sed -n 4p "$data/breast_cancer.csv" | sed 's/^[^,]*,/abc,/'; } > text.csv
expect non_number_refused 3 "$M" predict --model "$model" text.csv &&
has non_number_refused "$OUT" "text.csv:4: column 'mean_radius' is \"abc\", not a number"
{ head -3 "$data/breast_cancer.csv"; echo '1,2,3'; } > short.csv
expect short_row_refused 3 "$M" predict --model "$model" short.csv &&
has short_row_refused "$OUT" "short.csv:4: 3 fields, the header has 31"
{ head -2 "$data/breast_cancer.csv"; echo '"17.99,1'; } > quote.csv
expect malformed_csv_refused 3 "$M" predict --model "$model" quote.csv &&
has malformed_csv_refused "$OUT" "quote.csv:3"
echo keep > out.csv
expect failed_output_untouched 3 "$M" predict --model "$model" -o out.csv short.csv
[ "$(cat out.csv)" = keep ] && [ "$(ls -A . | grep -c out)" = 1 ] &&
    pass no_half_written_output || fail no_half_written_output "$(cat out.csv; ls -A)"
expect writes_output 0 "$M" predict --model "$model" -o out.csv "$data/breast_cancer.csv"
[ "$(wc -l < out.csv)" = 570 ] && pass output_file || fail output_file "$(wc -l < out.csv)"

# Missing values where the model has no graph to impute them.
{ echo 'mean_radius,mean_texture,mean_perimeter,mean_area,mean_smoothness,mean_compactness,mean_concavity,mean_concave_points,mean_symmetry,mean_fractal_dimension';
  echo '1,2,3,4,5,6,7,8,9,10'; echo '1,,3,4,5,6,7,8,9,10'; } > gap.csv
expect missing_value_refused 3 "$M" predict --model "$ridge" gap.csv &&
has missing_value_refused "$OUT" "gap.csv:3: feature 'mean_texture' is missing in row 2"

expect usage_without_model 1 "$M" predict "$data/breast_cancer.csv" &&
has usage_without_model "$OUT" "--model and an input file are required"

# Two header fields of one name the model reads: refused, not guessed.
{ head -1 "$data/breast_cancer.csv" | sed 's/^mean_radius,mean_texture/mean_radius,mean_radius/'; sed -n 2,3p "$data/breast_cancer.csv"; } > dup.csv
expect duplicate_header_refused 3 "$M" predict --model "$model" dup.csv &&
has duplicate_header_refused "$OUT" "dup.csv: the header names column 'mean_radius' twice (fields 1 and 2)"
