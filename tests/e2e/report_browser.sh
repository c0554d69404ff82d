# The HTML report as a person sees it: rendered by headless Chromium, the
# page's visible text, headings, charts and elements are read back from
# the browser's DOM (not grepped from the file).  Covers the built-in
# views, a Lua plugin's view (class_balance) and a C third-party view with
# markup in its data.
. "$(dirname "$0")/../lib.sh"
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
    fail chromium_installed "no chromium: scripts/setup installs Debian's chromium"
    exit 0
fi
cp -r "$MLPIPE_TOP/examples/titanic" "$MLPIPE_TOP/examples/plugins" .
mkdir cplugins && cp "$FIXTURES/viewed.so" cplugins/
# A third-party C type in the same run, with markup in its data.
sed -i 's|^local r = p:run|mp.plugin_path("../cplugins")\
p:add("viewed_make", { n = 5, label = "<script>alert(1)</script> \& co" })\
local r = p:run|' titanic/pipeline.lua
expect browser_pipeline 0 "$M" run titanic/pipeline.lua && has browser_pipeline "$OUT" "ran      viewed_make"
expect browser_report 0 "$M" report latest -o report.html --root runs/titanic &&
has browser_report "$OUT" "wrote report.html (7 artifacts)"

# The page forbids scripts (Content-Security-Policy): one added to it
# does not run.
{ cat report.html; echo "<script>document.title = 'SCRIPT' + '-RAN-' + 'X';</script>"; } > csp.html
timeout 120 "$browser" --headless --no-sandbox --disable-gpu --user-data-dir="$TMP/chrome" \
    --dump-dom "file://$TMP/csp.html" > csp_dom.html 2>/dev/null
grep -q '<title>' csp_dom.html && ! grep -q 'SCRIPT-RAN-X' csp_dom.html && pass browser_csp_blocks_scripts ||
    fail browser_csp_blocks_scripts "$(grep -o '<title>[^<]*' csp_dom.html | head -1)"

# The probe (with the policy taken out, as it is itself a script) runs
# after the page has rendered and replaces it with what the browser made
# of it, as JSON.
{ sed 's|<meta http-equiv="Content-Security-Policy"[^>]*>||' report.html; cat <<'JS'; } > probe.html
<script id="probe-js">
const q = s => [...document.querySelectorAll(s)];
// Rows as the reader sees them: top to bottom on the screen.
const seen = s => q(s).map(r => [r.cells[0].getBoundingClientRect().top, r])
                      .sort((a, b) => a[0] - b[0]).map(x => x[1]);
const names = s => seen(s).map(r => r.cells[0].textContent).join('|');
// The reader picks another order (a click on its button).
const pick = (s, k) => { const b = q(s + ' input.by' + k)[0]; if (b) b.click(); return b ? 1 : 0; };
const by_distance = names('.compare tr.sorted');
const distances = seen('.compare tr.sorted').map(r => r.querySelector('td.distance').textContent).join('|');
const distance_title = (q('.compare td.distance')[0] || {}).title || null;
pick('.compare', 2);
const by_name = names('.compare tr.sorted');
pick('.compare', 1);
const by_missing = names('.compare tr.sorted');
pick('.compare', 3);
const by_data = names('.compare tr.sorted');
const r = {
  by_distance, distances, distance_title, by_name, by_missing, by_data,
  buttons: q('.compare input[type=radio]').map(b => b.name + ':' + b.parentNode.textContent.trim()).join('|'),
  compare_tables: q('.compare table').length,
  split_fills: [...new Set(q('svg.cmp rect').map(e => getComputedStyle(e).fill))].length,
  // Numeric and category charts alike: the bars and the axis labels below.
  cmp_sizes: [...new Set(q('svg.cmp').map(s => Math.round(s.getBoundingClientRect().width) + 'x' +
                                             Math.round(s.getBoundingClientRect().height)))].join(','),
  text: document.body.innerText,
  h2: q('h2').map(h => h.textContent),
  rects: q('svg rect').length,
  svg_sizes: [...new Set(q('svg').map(s => Math.round(s.getBoundingClientRect().width) + 'x' +
                                          Math.round(s.getBoundingClientRect().height)))],
  tags: [...new Set(q('body *').filter(e => e.id !== 'probe-js').map(e => e.tagName.toLowerCase()))].sort(),
  error_color: q('.ERROR').map(e => getComputedStyle(e).color)[0] || null,
  tooltips: q('svg title').map(t => t.textContent).slice(0, 400),
  compare_rows: q('.compare tr.sorted').map(r => r.cells[0].textContent),
  compare_charts: q('.compare tr.sorted').map(r => r.querySelectorAll('svg.cmp').length).join(','),
  ticks: q('svg.cmp text.tick').map(t => t.textContent),
  warned_cells: q('.compare td.WARNING').length,
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
    if isinstance(v, list):
        for x in v:
            print(f"{k}: {x}")
    else:
        for line in str(v).splitlines():
            print(f"{k}: {line}")
PY
seen=$(cat seen.txt)
has browser_rendered "$seen" "h2: Examples of csv_import (artifact 1)" "h2: Statistics of statistics" \
    "h2: Schema of schema" "h2: Anomalies of validate" "h2: ClassBalance of class_balance" \
    "h2: Tally of viewed_make"
# Statistics: a person reads the figures in the table and sees histograms.
has browser_statistics "$seen" "text: split train: 1048 examples" \
    "text: age	FLOAT	19.66%	29.8372	14.3911	0.1667	28	80		"
# The Lua view's table and chart.
has browser_lua_view "$seen" "text: split train: 1048 rows of survived" "text: no	641	61.2%" \
    "text: yes	407	38.8%" "tooltips: no: 641" "tooltips: yes: 407"
# Markup in the data is shown as text, never becomes elements.
has browser_data_is_text "$seen" "text: tally 5 of <script>alert(1)</script> & co" \
    "tooltips: <script>alert(1)</script> & co: 5"
lacks browser_no_injected_elements "$(grep '^tags:' seen.txt)" "tags: script" "tags: img" "tags: a$"
# Every chart is drawn at its size, with bars.
has browser_svg_size "$seen" "svg_sizes: 200x40" "svg_sizes: 240x74" &&
    [ "$(sed -n 's/^rects: //p' seen.txt)" -gt 20 ] && pass browser_charts_drawn ||
    fail browser_charts_drawn "$(grep -E '^(svg_sizes|rects):' seen.txt)"
# The splits side by side, as Facets Overview: every feature once, one
# chart each with both splits' bars in the splits' own colours and their
# counts on hover, the axis ticked, shares past a threshold marked, the
# label marked.
has browser_compare "$seen" "compare_rows: survived (label)" "compare_rows: sex" "compare_rows: age" \
    "compare_rows: passengerClass" "compare_charts: 1,1,1,1" "tooltips: train: no 641 (61.2%)" \
    "tooltips: eval: no" "ticks: 80" "split_fills: 2"
# The comparison holds its own table only (each split's follows it), and
# draws every feature's chart: no note that charts were left out.
[ "$(sed -n 's/^compare_tables: //p' seen.txt)" = 1 ] && pass browser_compare_alone ||
    fail browser_compare_alone "$(grep '^compare_tables:' seen.txt)"
lacks browser_compare_all_charts "$seen" "charts for the"
[ "$(sed -n 's/^cmp_sizes: //p' seen.txt)" = 240x74 ] && pass browser_compare_chart_size ||
    fail browser_compare_chart_size "$(grep '^cmp_sizes:' seen.txt)"
[ "$(grep -c '^compare_rows:' seen.txt)" = 4 ] && [ "$(grep -c '^ticks:' seen.txt)" -ge 3 ] &&
    [ "$(sed -n 's/^warned_cells: //p' seen.txt)" -ge 2 ] && pass browser_compare_layout ||
    fail browser_compare_layout "$(grep -E '^(compare_rows|ticks|warned_cells):' seen.txt)"
# Each row's distance from the first split (eval): the L-infinity distance
# of the category shares, e.g. passengerClass |155/261 - 554/1048| =
# 0.0652, and the Jensen-Shannon divergence for age.  Shown largest first;
# the reader's other orders (by name, by missing share, as in the data)
# move the rows on the screen, with no script.
has browser_compare_distances "$seen" "distances: 0.0652|0.0320|0.0272|0.0187" \
    "distance_title: L-infinity distance" \
    "by_distance: passengerClass|survived (label)|age|sex" \
    "by_name: age|passengerClass|sex|survived (label)" \
    "by_missing: age|survived (label)|sex|passengerClass" \
    "by_data: survived (label)|sex|age|passengerClass"
# One group of buttons, its name made unique to the view by the page.
buttons=$(sed -n 's/^buttons: //p' seen.txt)
group=${buttons%%:*}
[ "$buttons" = "$group:largest distance first|$group:most missing first|$group:by name|$group:as in the data" ] &&
    [[ $group =~ ^v[0-9]+-sort1$ ]] && pass browser_sort_buttons || fail browser_sort_buttons "$buttons"
# The page as shipped (its policy in place): no console message (a
# refused script or style, a failed load), and nothing it would fetch.
timeout 120 "$browser" --headless --no-sandbox --disable-gpu --user-data-dir="$TMP/chrome2" \
    --enable-logging=stderr --v=0 --dump-dom "file://$TMP/report.html" > shipped_dom.html 2> console.log
grep -q '</body>' shipped_dom.html && ! grep -qE 'CONSOLE|Refused to|ERR_' console.log &&
    pass browser_no_console_errors || fail browser_no_console_errors "$(grep -E 'CONSOLE|Refused|ERR_' console.log | head -3)"
lacks report_fetches_nothing "$(cat report.html)" '(src|href)="' 'url\(' '@import'
