# The LF summary and the label model as a person sees them in the HTML
# report: rendered by headless Chromium, each table's rows read back from
# the browser's DOM as the reader sees their text.
. "$(dirname "$0")/../lib.sh"
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
    fail chromium_installed "no chromium: scripts/setup installs Debian's chromium"
    exit 0
fi
printf 'x,text,y\n' > rows.csv
for i in $(seq 1 40); do
    printf '%d,"%s",%s\n' "$i" "$([ $((i % 3)) -eq 0 ] && echo 'free <b>prize</b>' || echo 'see you')" \
        "$([ $((i % 3)) -eq 0 ] && echo spam || echo ham)" >> rows.csv
done
cat > p.lua <<'LUA'
local mp = require "mlpipe"
local lfs = {
  mp.lf { name = "says_free", fn = function(r)
      return r.text:find("free", 1, true) and "spam" or mp.ABSTAIN end },
  mp.lf { name = "small_x", fn = function(r) return r.x < 10 and "ham" or mp.ABSTAIN end },
  mp.lf { name = "even_x", fn = function(r) return r.x % 2 == 0 and "spam" or "ham" end },
}
local p = mp.pipeline { name = "lr", root = "runs/lr" }
local ex = p:add("csv_import", { path = "rows.csv", label = "y", splits = { train = 1 } })
local L = p:add("apply_lfs", { examples = ex.examples, lfs = lfs, classes = { "ham", "spam" },
                               gold = "y" })
p:add("label_model", { labels = L.labels, examples = ex.examples })
p:run {}
LUA
expect label_report_pipeline 0 "$M" run p.lua
expect label_report_written 0 "$M" report latest -o report.html --root runs/lr

# probe REPORT OUT: the report rendered by Chromium, with the script on
# stdin run after it (the page's policy, which forbids scripts, taken
# out); what the script leaves as the body's text, JSON, into OUT.
probe() {
    { sed 's|<meta http-equiv="Content-Security-Policy"[^>]*>||' "$1"; cat; } > "$2.html"
    timeout 120 "$browser" --headless --no-sandbox --disable-gpu --user-data-dir="$TMP/chrome" \
        --dump-dom "file://$TMP/$2.html" 2>/dev/null |
        python3 -c '
import html, json, re, sys
body = re.search(r"<body>(.*)</body>", sys.stdin.read(), re.S).group(1)
print(json.dumps(json.loads(html.unescape(body))))' > "$2"
}
probe report.html seen.json <<'JS'
<script>
const rows = [...document.querySelectorAll('table tr')].map(r =>
  [...r.cells].map(c => c.innerText.trim()).join(' | '));
document.body.innerText = JSON.stringify({ rows, text: document.body.innerText });
</script>
JS

# What the LFs did, recomputed here from the CSV, as the table shows it.
got=$(python3 - <<'PY'
import csv, json
seen = json.load(open("seen.json"))
rows = seen["rows"]
data = list(csv.DictReader(open("rows.csv")))
lfs = {
    "says_free": lambda r: "spam" if "free" in r["text"] else None,
    "small_x": lambda r: "ham" if int(r["x"]) < 10 else None,
    "even_x": lambda r: "spam" if int(r["x"]) % 2 == 0 else "ham",
}
votes = [{k: f(r) for k, f in lfs.items()} for r in data]
want = ["labeling function | polarity | coverage | overlaps | conflicts | correct | "
        "incorrect | emp. accuracy | errors"]
n = len(data)
for name in lfs:
    on = [i for i, v in enumerate(votes) if v[name] is not None]
    cast = lambda i: [x for x in votes[i].values() if x is not None]
    ov = sum(len(cast(i)) > 1 for i in on)
    cf = sum(len(set(cast(i))) > 1 for i in on)
    right = sum(votes[i][name] == data[i]["y"] for i in on)
    pol = ",".join(sorted({votes[i][name] for i in on}))
    want.append("%s | %s | %.4f | %.4f | %.4f | %d | %d | %.4f | 0" % (
        name, pol, len(on) / n, ov / n, cf / n, right, len(on) - right, right / len(on)))
missing = [w for w in want if w not in rows]
text = seen["text"]
ok = not missing and "labeling function | learned accuracy" in rows \
     and "split train\n" in text and "40 rows, 1.0000 covered" in text and "gold labels from column y" in text \
     and "method Dawid-Skene (EM)" in text
print("ok" if ok else json.dumps({"missing": missing, "rows": rows}))
PY
)
[ "$got" = ok ] && pass label_report_tables_as_seen || fail label_report_tables_as_seen "$got"

# The learning curves of the active learning example: two lines in the
# chart, one point per round, each named in the legend, and the table of
# labels needed to reach the baseline as the curve artifact records it.
expect active_example_runs 0 "$M" run "$MLPIPE_TOP/examples/active_learning/pipeline.lua" 4
expect active_report_written 0 "$M" report latest -o active.html --root runs/active
probe active.html aseen.json <<'JS'
<script>
const svg = [...document.querySelectorAll('svg')].filter(s =>
  [...s.querySelectorAll('text')].some(t => t.textContent === 'labelled rows'));
const lines = svg.length ? [...svg[0].querySelectorAll('polyline')].map(p =>
  ({ n: p.points.numberOfItems, stroke: getComputedStyle(p).stroke,
     width: Math.round(p.getBoundingClientRect().width) })) : [];
const legend = svg.length ? [...svg[0].querySelectorAll('text')].map(t => t.textContent) : [];
const rows = [...document.querySelectorAll('table tr')].map(r =>
  [...r.cells].map(c => c.innerText.trim()).join(' | '));
document.body.innerText = JSON.stringify({ charts: svg.length, lines, legend, rows });
</script>
JS
curve=$(sqlite3 -readonly runs/active/metadata.sqlite \
    "SELECT properties FROM artifact WHERE uri LIKE '%al_curve%' AND state = 'LIVE'")
got=$(python3 - "$curve" <<'PY'
import json, sys
seen = json.load(open("aseen.json"))
props = json.loads(sys.argv[1])
bad = []
if seen["charts"] != 1 or len(seen["lines"]) != 2:
    bad.append(("charts", seen["charts"], len(seen["lines"])))
if any(l["n"] != 5 or l["width"] < 200 for l in seen["lines"]) or \
        len({l["stroke"] for l in seen["lines"]}) != 2:
    bad.append(("lines", seen["lines"]))
if "random" not in seen["legend"] or "margin" not in seen["legend"]:
    bad.append(("legend", seen["legend"]))
for s in props["series"]:
    reach = s["labels_to_reach_baseline"]
    pts = " ".join("%d: %.4f" % (p["labels"], p["value"]) for p in s["points"])
    want = "%s | %s | %s" % (s["name"], "never" if reach is None else reach, pts)
    if want not in seen["rows"]:
        bad.append(("row", want))
print("ok" if not bad else json.dumps(bad + [seen["rows"][:4]]))
PY
)
[ "$got" = ok ] && pass learning_curves_as_seen || fail learning_curves_as_seen "$got"
