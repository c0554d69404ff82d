# Views belong to the plugin that defines an artifact type: `mlpipe show`
# and `mlpipe report` ask it to render (in a confined child process), fall
# back to the generic view (properties and files) for a type without one,
# and survive a view that crashes, hangs, fails, exits or writes.
. "$(dirname "$0")/../lib.sh"
mkdir plugins
cp "$FIXTURES/viewed.so" plugins/
cat > v.lua <<'LUA'
local mp = require "mlpipe"
mp.plugin_path("plugins")
local p = mp.pipeline { name = "v", root = "runs/v" }
for i, how in ipairs { "ok", "crash", "hang", "fail", "exit", "tamper", "chatty" } do
  p:add("viewed_make", { n = i, view = how, label = how == "ok" and "<b>&x" or how,
                         name = how })
end
p:run {}
LUA
expect views_pipeline 0 "$M" run v.lua && has views_pipeline "$OUT" "ran      ok" "ran      chatty"
id_of() { sql runs/v/metadata.sqlite "SELECT a.id FROM artifact a JOIN event v ON v.artifact_id=a.id JOIN execution e ON e.id=v.execution_id WHERE e.node='$1' AND v.type='OUTPUT'"; }

# The plugin's own view, found through the plugin directory the run
# recorded (no --plugin-path, no MLPIPE_PLUGIN_PATH), from another directory.
ok=$(id_of ok)
expect show_third_party_view 0 sh -c "cd / && '$M' show $ok --root '$TMP/runs/v'" &&
has show_third_party_view "$OUT" "artifact $ok  Tally  $TMP/runs/v/artifacts/" "tally 1 of <b>&x"
lacks show_not_generic "$OUT" "properties"
# The store's lines frame a type's own view in a terminal: the state and
# producer before it, the manifest's files after, once each.
has show_framed "$OUT" "  state       LIVE" "  made by     e" "files" "tally.txt  "
[ "$(grep -c '^  state ' <<<"$OUT")" = 1 ] && [ "$(grep -n 'state       LIVE' <<<"$OUT" | cut -d: -f1)" -lt \
  "$(grep -n 'tally 1 of' <<<"$OUT" | cut -d: -f1)" ] && pass show_frame_order || fail show_frame_order "$OUT"

# A view that goes wrong: the generic view instead, the failure named with
# the plugin and its file, exit 3; the host lives on.
expect view_crash 3 "$M" show "$(id_of crash)" --root runs/v &&
has view_crash "$OUT" "the view of type 'Tally' (plugin viewed, $TMP/plugins/viewed.so) crashed: Segmentation fault" \
    "shown with the generic view" '  view        "crash"' "tally.txt  2 bytes"
# A failed view is not framed: the generic view's own lines, once.
[ "$(grep -c '^  state ' <<<"$OUT")" = 1 ] && pass failed_view_state_once ||
    fail failed_view_state_once "$(grep -c '^  state ' <<<"$OUT") state lines"
expect view_hang 3 env MLPIPE_VIEW_TIMEOUT=1 "$M" show "$(id_of hang)" --root runs/v &&
has view_hang "$OUT" "did not finish within 1 s (MLPIPE_VIEW_TIMEOUT)" '  view        "hang"'
expect view_fail 3 "$M" show "$(id_of fail)" --root runs/v &&
has view_fail "$OUT" "failed: tally of 4 cannot be drawn" "properties"
expect view_exit 3 "$M" show "$(id_of exit)" --root runs/v &&
has view_exit "$OUT" "exited with status 0 before it finished"
lacks view_exit_no_partial "$OUT" "half"
# A view may not write, not even the artifact it draws.
tamper_dir=runs/v/$(sql runs/v/metadata.sqlite "SELECT uri FROM artifact WHERE id=$(id_of tamper)")
if sandbox_on; then
    expect view_tamper_refused 3 "$M" show "$(id_of tamper)" --root runs/v &&
    has view_tamper_refused "$OUT" "could not rewrite $TMP/$tamper_dir/tally.txt"
    [ "$(cat "$tamper_dir/tally.txt")" = 6 ] && pass view_tamper_unchanged ||
        fail view_tamper_unchanged "tally.txt is now $(cat "$tamper_dir/tally.txt")"
fi
# What a view prints itself does not reach the output.
expect view_chatty 0 "$M" show "$(id_of chatty)" --root runs/v &&
has view_chatty "$OUT" "tally 7 of chatty" && lacks view_chatty_quiet "$OUT" "CHATTY-STDOUT"

# --json is the record, whatever the views.
expect show_json_record 0 "$M" show "$ok" --root runs/v --json &&
has show_json_record "$OUT" '"type": "Tally"' '"label": "<b>&x"'

# A type whose plugin is gone: the generic view, not an error.
mv plugins plugins.away
expect view_plugin_gone 0 "$M" show "$ok" --root runs/v &&
has view_plugin_gone "$OUT" "artifact $ok  Tally" "  label       \"<b>&x\"" "tally.txt  2 bytes" \
    "note: plugin directory $TMP/plugins, which the run used, is gone"
mv plugins.away plugins

# The report: every artifact, each with its view or the generic one, the
# failures marked in the page and counted; exit 3, the page complete.
expect report_views 3 env MLPIPE_VIEW_TIMEOUT=1 "$M" report latest -o r.html --root runs/v &&
has report_views "$OUT" "wrote r.html (7 artifacts; 5 views failed, shown with the generic view)" \
    "the HTML view of type 'Tally' (plugin viewed, $TMP/plugins/viewed.so) crashed"
html=$(cat r.html)
has report_third_party_html "$html" '<p class="tally num">tally 1 of <b>&lt;b&gt;&amp;x</b></p>' \
    '<svg width="200" height="40"' '<title>&lt;b&gt;&amp;x: 1</title>' '<title>double: 2</title>' '<title>3: 1</title>' \
    '<h2>Tally of ok (artifact' '<p class="ERROR view-failed">' '<td>view</td><td>&quot;crash&quot;</td>' \
    '<p>LIVE</p>'
lacks report_no_stdout_noise "$html" "CHATTY-STDOUT"
# The terminal's frame stays in the terminal.
lacks report_no_text_frame "$html" "  state       LIVE" "  made by     e"
# Generic sections list properties and files; "none" only where there are none.
lacks report_generic_not_empty "$html" '<td colspan="2">none</td>'
[ "$(grep -c '<section>' r.html)" = 7 ] && [ "$(grep -c '</section>' r.html)" = 7 ] &&
    tail -1 r.html | grep -q '</body></html>' && pass report_complete ||
    fail report_complete "$(grep -c '<section>' r.html) sections"

# Lua plugins define types and views the same way.
mkdir lplugins
cat > lplugins/notes.lua <<'LUA'
local mp = require "mlpipe"
mp.plugin { name = "notes", version = "1.0" }
mp.type { name = "Note", description = "a line of text",
  contract = { properties = { text = "string" }, files = { "note.txt" } },
  show = function(a)
    if a.properties.text == "boom" then error("cannot draw boom") end
    if a.properties.text == "nil" then return nil end
    return "note: " .. a.properties.text .. "\27[31m\n"
  end }
mp.component { name = "note", stage = "analyze", outputs = { note = "Note" },
  params = { text = { type = "string", default = "hi" }, file = { type = "bool", default = true } },
  run = function(ctx)
    if ctx:param("file") then
      local f = assert(io.open(ctx:output("note").uri .. "/note.txt", "w"))
      f:write(ctx:param("text")) f:close()
    end
    ctx:set_property("note", "text", ctx:param("text"))
  end }
LUA
cat > n.lua <<'LUA'
local mp = require "mlpipe"
mp.plugin_path("lplugins")
local p = mp.pipeline { name = "n", root = "runs/n" }
p:add("note", { text = arg[1], file = arg[2] ~= "nofile" })
p:run {}
LUA
nid() { sql runs/n/metadata.sqlite "SELECT a.id FROM artifact a JOIN artifact_type t ON t.id=a.type_id WHERE a.properties LIKE '%\"$1\"%' AND a.state='LIVE'"; }
expect lua_type_contract 3 "$M" run n.lua -- hi nofile &&
has lua_type_contract "$OUT" "is not a complete Note (as plugin notes defines it): file note.txt is missing"
"$M" run n.lua -- hello >/dev/null 2>&1; "$M" run n.lua -- boom >/dev/null 2>&1; "$M" run n.lua -- nil >/dev/null 2>&1
expect lua_view_shown 0 "$M" show "$(nid hello)" --root runs/n &&
has lua_view_shown "$OUT" "note: hello?" && lacks lua_view_no_escape_codes "$OUT" $'\e'
expect lua_view_error 3 "$M" show "$(nid boom)" --root runs/n &&
has lua_view_error "$OUT" "the view of type 'Note' (plugin notes, $TMP/lplugins/notes.lua) failed:" \
    "cannot draw boom" '  text        "boom"'
expect lua_view_nil 3 "$M" show "$(nid nil)" --root runs/n && has lua_view_nil "$OUT" "the view returned no string"
printf 'local mp = require "mlpipe"\nmp.type { name = "X" }\n' > t.lua
expect lua_type_in_script 2 "$M" run t.lua &&
has lua_type_in_script "$OUT" "mp.type{} belongs in a plugin file"
cat > lplugins/badtype.lua <<'LUA'
local mp = require "mlpipe"
mp.plugin { name = "badtype", version = "1.0" }
mp.type { name = "Bad", contract = { files = "x" }, show = 3 }
LUA
expect lua_type_refused 0 "$M" plugins --plugin-path lplugins &&
has lua_type_refused "$OUT" "badtype.lua" "mp.type 'Bad': contract: files must be an array"
expect views_listed 0 "$M" plugins --plugin-path plugins --plugin-path lplugins &&
has views_listed "$OUT" "  type Tally             a count with a label  [views: show html]" \
    "  type Note              a line of text  [views: show]" "  type Statistics        per-split, per-feature descriptive statistics  [views: show html]" \
    "  type Examples          rows split into named tables (SPLIT.mlpt)  [views: show html]"
mkdir typedp && cp "$FIXTURES/typed.so" typedp/
expect views_none_listed 0 "$M" plugins --plugin-path typedp &&
lacks counts_has_no_view "$(grep 'type Counts' <<<"$OUT")" "views"
expect views_json 0 "$M" plugins --json --plugin-path plugins &&
has views_json "$(tr -d ' \n' <<<"$OUT")" '"name":"Tally","description":"acountwithalabel","contract":{"files":["tally.txt"]},"views":["show","html"]'

# A Lua plugin file that never finishes loading is refused after the
# scanner's time limit instead of hanging every command.
mkdir loop && printf 'local mp = require "mlpipe"\nmp.plugin { name = "loop", version = "1" }\nwhile true do end\n' > loop/loop.lua
start=$(date +%s)
expect lua_load_timeout 0 env MLPIPE_SCAN_TIMEOUT=1 timeout 60 "$M" plugins --plugin-path loop &&
has lua_load_timeout "$OUT" "refused loop/loop.lua" "loading it took longer than 1 s (MLPIPE_SCAN_TIMEOUT)" &&
[ $(( $(date +%s) - start )) -lt 10 ] && pass lua_load_timeout_quick || fail lua_load_timeout_quick "$(( $(date +%s) - start ))s"
printf 'local mp = require "mlpipe"\nmp.plugin { name = "badname", version = "1" }\nmp.type { name = "<b>\\27[31m" }\n' > loop/badname.lua
expect lua_type_name_checked 0 env MLPIPE_SCAN_TIMEOUT=1 "$M" plugins --plugin-path loop &&
has lua_type_name_checked "$OUT" "is not a type name ([A-Za-z][A-Za-z0-9_]*)"

# Another plugin defining the same type name later does not get to draw
# what was made with the first (here it comes first on the search path).
mkdir imp && cat > imp/impostor.lua <<'LUA'
local mp = require "mlpipe"
mp.plugin { name = "impostor", version = "1" }
mp.type { name = "Tally", show = function(a) return "IMPOSTOR VIEW\n" end }
LUA
expect impostor_not_used 3 env MLPIPE_PLUGIN_PATH="$TMP/imp" "$M" show "$ok" --root runs/v &&
has impostor_not_used "$OUT" "type 'Tally' is now defined by plugin impostor ($TMP/imp/impostor.lua), not by plugin viewed" \
    "shown with the generic view" '  label       "<b>&x"' && lacks impostor_view_absent "$OUT" "IMPOSTOR VIEW"
printf 'local mp = require "mlpipe"\nmp.plugin { name = "twice", version = "1" }\nmp.type { name = "Twice" }\nmp.type { name = "Twice" }\n' > loop/twice.lua
expect lua_type_twice 0 env MLPIPE_SCAN_TIMEOUT=1 "$M" plugins --plugin-path loop &&
has lua_type_twice "$OUT" "mp.type: 'Twice' defined twice"
# MLPIPE_VIEW_TIMEOUT: up to a day is taken; beyond, or not a number, is
# said once and 30 s used.
expect view_timeout_day 0 env MLPIPE_VIEW_TIMEOUT=86400 "$M" show "$ok" --root runs/v &&
lacks view_timeout_day_quiet "$OUT" "MLPIPE_VIEW_TIMEOUT"
expect view_timeout_too_long 0 env MLPIPE_VIEW_TIMEOUT=86401 "$M" show "$ok" --root runs/v &&
has view_timeout_too_long "$OUT" "MLPIPE_VIEW_TIMEOUT='86401' is not a number of seconds in (0, 86400]; using 30"
expect view_timeout_garbage 0 env MLPIPE_VIEW_TIMEOUT=soon "$M" show "$ok" --root runs/v &&
has view_timeout_garbage "$OUT" "MLPIPE_VIEW_TIMEOUT='soon'"
