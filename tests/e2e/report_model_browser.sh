# The Chile example's report as a person sees it in headless Chromium: the
# Model (training curve, coefficients), the Evaluation (metrics with
# intervals, slices the reader re-sorts, fairness, the confusion matrix
# with class names) and the Blessing, read back from the browser's DOM.
. "$(dirname "$0")/../lib.sh"
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
    fail chromium_installed "no chromium: scripts/setup installs Debian's chromium"
    exit 0
fi
cp -r "$MLPIPE_TOP/examples/chile" .
expect chile_runs 0 "$M" run chile/pipeline.lua &&
has chile_runs "$OUT" "ran      push" "pushed as version 1 under runs/chile/serving/chile"
expect chile_report 0 "$M" report latest -o report.html --root runs/chile

{ sed 's|<meta http-equiv="Content-Security-Policy"[^>]*>||' report.html; cat <<'JS'; } > probe.html
<script id="probe-js">
const q = s => [...document.querySelectorAll(s)];
const section = h => { const e = q('h2').find(x => x.textContent.startsWith(h));
                       return e ? e.parentNode : null; };
const ev = section('Evaluation of evaluate'), model = section('Model of logistic_regression');
const rows = () => [...ev.querySelectorAll('tr.sorted')]
    .map(r => [r.cells[0].getBoundingClientRect().top, r.cells[0].textContent + ' ' + r.cells[1].textContent])
    .sort((a, b) => a[0] - b[0]).map(x => x[1]);
const worst = rows();
const other = ev.querySelector('input.by1'); if (other) other.click();
const largest = rows();
const r = {
  h2: q('h2').map(h => h.textContent),
  model_text: model ? model.innerText : '',
  curve_lines: model ? model.querySelectorAll('svg polyline').length : 0,
  // Every mark of the chart (lines, legend, labels) inside the chart's box.
  curve_outside: model ? [...model.querySelectorAll('svg')].flatMap(svg => {
      const b = svg.getBoundingClientRect();
      return [...svg.querySelectorAll('polyline, rect, text')].filter(e => {
          const r = e.getBoundingClientRect();
          return r.left < b.left - 1 || r.right > b.right + 1 || r.top < b.top - 1 ||
                 r.bottom > b.bottom + 1; }).map(e => e.tagName + ':' + (e.textContent || ''));
  }) : ['no model'],
  // The training loss falls, so its line ends lower on the screen than it starts.
  curve_falls: (() => { const pl = model && model.querySelector('svg polyline');
      if (!pl) return 'none';
      const pts = pl.getAttribute('points').trim().split(/\s+/).map(p => +p.split(',')[1]);
      return pts[pts.length - 1] > pts[0] ? 'yes' : 'no'; })(),
  eval_text: ev ? ev.innerText : '',
  worst: worst.slice(0, 3), largest: largest.slice(0, 3), slice_rows: worst.length,
  confusion_cells: ev ? ev.querySelectorAll('svg.confusion rect').length : 0,
  confusion_labels: ev ? [...ev.querySelectorAll('svg.confusion text')].slice(0, 8).map(t => t.textContent) : [],
  confusion_tip: ev ? (ev.querySelector('svg.confusion rect title') || {}).textContent : '',
  blessing: (section('Blessing of evaluate') || {}).innerText || '',
};
document.body.innerHTML = '<pre id="probe"></pre>';
document.getElementById('probe').textContent = JSON.stringify(r);
</script>
JS
timeout 120 "$browser" --headless --no-sandbox --disable-gpu --user-data-dir="$TMP/chrome" \
    --dump-dom "file://$TMP/probe.html" > dom.html 2> chrome.log
python3 - "$TMP/dom.html" > seen.txt <<'PY'
import html, json, re, sys
dom = open(sys.argv[1], encoding="utf-8").read()
m = re.search(r'<pre id="probe">(.*?)</pre>', dom, re.S)
r = json.loads(html.unescape(m.group(1))) if m else {}
for k, v in r.items():
    for x in (v if isinstance(v, list) else str(v).splitlines()):
        print(f"{k}: {x}")
PY
seen=$(cat seen.txt)
has browser_sections "$seen" "h2: Model of logistic_regression (artifact" \
    "h2: Evaluation of evaluate (artifact" "h2: Blessing of evaluate (artifact" \
    "h2: PushedModel of push (artifact"
has browser_model_view "$seen" "model_text: task	classification of 'vote' into 4 classes" \
    "model_text: Training curve" "model_text: Largest coefficients" "model_text: statusquo	N	"
[ "$(sed -n 's/^curve_lines: //p' seen.txt)" -ge 2 ] && ! grep -q '^curve_outside:' seen.txt &&
    grep -q '^curve_falls: yes' seen.txt && pass browser_training_curve_drawn ||
    fail browser_training_curve_drawn "$(grep -E '^curve_' seen.txt)"
has browser_metrics "$seen" "eval_text: Evaluation on split 'eval', 531 rows, positive class Y" \
    "eval_text: accuracy	0.6780	[" "eval_text: Fairness across sex" \
    "eval_text: equal_opportunity_difference	0.0793"
# The slices worst first; the reader's other order puts the largest first.
has browser_slices_sorted "$seen" "worst: sex x region = F, M 5" "largest: sex = M 273"
[ "$(sed -n 's/^slice_rows: //p' seen.txt)" = 21 ] && pass browser_every_slice ||
    fail browser_every_slice "$(grep '^slice_rows' seen.txt)"
[ "$(sed -n 's/^confusion_cells: //p' seen.txt)" = 16 ] &&
    has browser_confusion "$seen" "confusion_labels: Y" "confusion_labels: N" \
        "confusion_tip: Y predicted as Y: 141" && pass browser_confusion_matrix ||
    fail browser_confusion_matrix "$(grep '^confusion' seen.txt)"
has browser_blessing "$seen" "blessing: Blessed" \
    "blessing: equal_opportunity_difference	fairness across sex	passed"
