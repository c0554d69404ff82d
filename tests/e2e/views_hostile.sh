# Views as a hostile plugin writes them, and `report -o` given hostile
# targets: the page keeps its structure, nothing the view started
# survives it, it cannot write through inherited descriptors, its output
# is bounded, escape sequences never reach the terminal, and the page is
# written only where and as the user meant.
. "$(dirname "$0")/../lib.sh"
mkdir plugins && cp "$FIXTURES/viewed.so" plugins/
cat > v.lua <<'LUA'
local mp = require "mlpipe"
mp.plugin_path("plugins")
local p = mp.pipeline { name = "h", root = "runs/" .. arg[1] }
for i = 2, #arg do p:add("viewed_make", { n = i, view = arg[i], name = arg[i] }) end
p:add("viewed_make", { n = 99, view = "ok", name = "after" })
p:run {}
LUA
id_of() { sql "runs/$1/metadata.sqlite" "SELECT a.id FROM artifact a JOIN event v ON v.artifact_id=a.id JOIN execution e ON e.id=v.execution_id WHERE e.node='$2' AND v.type='OUTPUT'"; }
export TMPDIR=$TMP/tmp && mkdir -p "$TMPDIR"

# Markup that tries to leave its section, run, fetch and hide the rest.
"$M" run v.lua -- m markup >/dev/null 2>&1
expect markup_report 0 "$M" report latest -o m.html --root runs/m
html=$(cat m.html)
has markup_kept "$html" '<p class="num">kept</p>' '<h2>Tally of after' 'tally 99 of'
lacks markup_removed "$html" '<script' '<img' '<textarea' '<!--' 'onclick' '</body><script'
[ "$(grep -o '<section>' m.html | wc -l)" = 2 ] && [ "$(grep -o '</section>' m.html | wc -l)" = 2 ] &&
    pass markup_contained || fail markup_contained "$(grep -o '</\?section>' m.html | tr '\n' ' ')"
has markup_closed "$html" 'open<b>bold</b></td></tr></table>'
# Radio buttons stay radio buttons with only their own attributes, in a
# group of the view's own; a style is only integer custom properties.
has markup_radio "$html" '<input type="radio" name="v1-g"><input type="radio" name="v1-g" checked="">' \
    '<div>u</div><div>c</div><div>l</div><span>s</span><p style="--o0:12;--o1:-3;">ok</p>'
lacks markup_style_dropped "$html" 'url(' 'color:red' 'type="text"' 'value=' 'onfocus' '1234567890'
has markup_csp "$html" "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
expect markup_text 0 "$M" show "$(id_of m markup)" --root runs/m &&
has markup_text "$OUT" "plain ?[2J?]0;title? ?evil ????? "$'\xc2\xa0'"ok" &&
lacks markup_no_escapes "$OUT" $'\e' $'\a' $'\xe2\x80\xae' $'\xc2\x9f' $'\xc2\x80' $'\xe2\x81\xa9'

# Inherited descriptors: the page being written is not among them.
"$M" run v.lua -- f fds >/dev/null 2>&1
expect fds_report 0 "$M" report latest -o f.html --root runs/f &&
head -c 15 f.html | grep -q '<!DOCTYPE html>' && lacks fds_not_written "$(cat f.html)" PWNED

# What a view starts dies with it, also in a session of its own, and does
# not keep the command waiting on its output.
"$M" run v.lua -- k fork >/dev/null 2>&1
start=$(date +%s)
expect fork_shown 0 timeout 60 "$M" show "$(id_of k fork)" --root runs/k && has fork_shown "$OUT" "tally 2 of things" &&
{
    sleep 0.3
    left=$(pgrep -f "$TMP/runs/k" | wc -l)
    [ $(( $(date +%s) - start )) -lt 10 ] && [ "$left" = 0 ] && [ -z "$(ls -A "$TMPDIR")" ] &&
        pass fork_children_gone || fail fork_children_gone "$(( $(date +%s) - start ))s, $(pgrep -af "$TMP")"
}

# Output is bounded.
"$M" run v.lua -- b big >/dev/null 2>&1
expect big_refused 3 "$M" show "$(id_of b big)" --root runs/b &&
has big_refused "$OUT" "more than the 64 MiB a view may" "shown with the generic view"

# Interrupted: exit 5, no page, no temporary file, no view left running,
# no scratch directory.
"$M" run v.lua -- i hang >/dev/null 2>&1
"$M" report latest -o i.html --root runs/i > int.txt 2>&1 &
pid=$!
sleep 1.5
kill -TERM $pid
wait $pid
rc=$?
sleep 0.3
[ "$rc" = 5 ] && [ ! -e i.html ] && [ -z "$(ls -A . | grep '^\.i\.html')" ] &&
    [ -z "$(ls -A "$TMPDIR")" ] && [ -z "$(pgrep -f "$M report latest -o i.html")" ] &&
    grep -q "interrupted; no report written" int.txt && pass report_interrupted ||
    fail report_interrupted "exit $rc; $(cat int.txt); $(ls -A . "$TMPDIR" | tr '\n' ' ')"

# show too: the view is in a process group of its own, so Ctrl-C does
# not reach it; show kills it and exits 5.
"$M" show "$(id_of i hang)" --root runs/i > sint.txt 2>&1 &
pid=$!
sleep 1.5
kill -INT $pid
wait $pid
rc=$?
sleep 0.3
[ "$rc" = 5 ] && grep -q "mlpipe show: interrupted" sint.txt && [ -z "$(ls -A "$TMPDIR")" ] &&
    [ -z "$(pgrep -f "$M show")" ] && pass show_interrupted ||
    fail show_interrupted "exit $rc; $(cat sint.txt); $(ls -A "$TMPDIR"); $(pgrep -af "$M show")"

# -o: never through a link at a guessable name, never onto a device, a
# link or the pipeline's own files; once; the old file's mode kept.
echo victim > V
ln -s "$TMP/V" m2.html.tmp
expect out_no_link_follow 0 "$M" report latest -o m2.html --root runs/m &&
[ "$(cat V)" = victim ] && [ -f m2.html ] && [ ! -L m2.html ] && pass out_no_link_follow_checked ||
    fail out_no_link_follow_checked "$(ls -l V m2.html)"
ln -s "$TMP/V" link.html
expect out_symlink_refused 1 "$M" report latest -o link.html --root runs/m &&
has out_symlink_refused "$OUT" "link.html is a symbolic link, not a regular file" && [ "$(cat V)" = victim ] && pass out_symlink_untouched
mkfifo fifo.html
expect out_special_refused 1 "$M" report latest -o fifo.html --root runs/m &&
has out_special_refused "$OUT" "fifo.html is a device or special file, not a regular file"
expect out_in_root_refused 1 "$M" report latest -o runs/m/metadata.sqlite --root runs/m &&
has out_in_root_refused "$OUT" "runs/m/metadata.sqlite is one of the files mlpipe keeps in the pipeline root"
adir=$(dirname "$(sql runs/m/metadata.sqlite "SELECT uri FROM artifact LIMIT 1")")
expect out_in_artifacts_refused 1 "$M" report latest -o "runs/m/$adir/page.html" --root runs/m &&
has out_in_artifacts_refused "$OUT" "is one of the files mlpipe keeps"
expect out_beside_store_allowed 0 "$M" report latest -o runs/m/report.html --root runs/m &&
has out_beside_store_allowed "$OUT" "wrote runs/m/report.html"
expect out_twice 1 "$M" report latest -o a.html -o b.html --root runs/m && has out_twice "$OUT" "-o given twice"
echo old > keep.html && chmod 600 keep.html
expect out_mode_kept 0 "$M" report latest -o keep.html --root runs/m &&
[ "$(stat -c %a keep.html)" = 600 ] && grep -q '<!DOCTYPE html>' keep.html && pass out_mode_kept_checked ||
    fail out_mode_kept_checked "$(stat -c %a keep.html)"
[ -z "$(ls -A | grep '^\.[a-z0-9]*\.html\.')" ] && pass out_no_temporaries || fail out_no_temporaries "$(ls -A)"
