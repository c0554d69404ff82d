# The plugin loader: listing, and every refusal case, each naming the file
# and the reason while the other plugins keep working.
. "$(dirname "$0")/../lib.sh"

mkdir plugins
for f in bad_abi newer_minor small_struct no_descriptor dup_component bad_param_spec testkit; do
    cp "$FIXTURES/$f.so" plugins/
done
printf 'this is not an ELF file\n' > plugins/garbage.so
cp "$FIXTURES/testkit.so" plugins/writable.so
chmod o+w plugins/writable.so

expect list_with_bad_plugins 0 "$M" plugins --plugin-path "$TMP/plugins" &&
has list_with_bad_plugins "$OUT" "csv_import 0.1.0 (c)" "testkit 1.0.0 (c)" \
    "tk_crash" "train" "in: data:TestData?"

has refuses_other_abi_major "$OUT" \
    "refused $TMP/plugins/bad_abi.so: built for plugin ABI 99.0, this mlpipe speaks ABI 1.3"
has refuses_newer_abi_minor "$OUT" \
    "refused $TMP/plugins/newer_minor.so: built for plugin ABI 1.10, newer than this mlpipe's 1.3"
has refuses_small_struct "$OUT" \
    "refused $TMP/plugins/small_struct.so: descriptor struct size 16 is smaller"
has refuses_missing_descriptor "$OUT" \
    "refused $TMP/plugins/no_descriptor.so: $TMP/plugins/no_descriptor.so: no entry point no_descriptor_LTX_mlpipe_plugin"
has refuses_taken_component_name "$OUT" \
    "refused $TMP/plugins/dup_component.so: component 'csv_import' is already provided by" \
    "csv_import.so (plugin 'csv_import')"
has refuses_invalid_param_spec "$OUT" \
    "refused $TMP/plugins/bad_param_spec.so: component 'fixture_component': enum parameter 'mode' lists no choices"
has refuses_non_shared_object "$OUT" \
    "refused $TMP/plugins/garbage.so: $TMP/plugins/garbage.so: not a loadable shared object"
has refuses_world_writable_file "$OUT" \
    "refused $TMP/plugins/writable.so: the file is world-writable"

mkdir -m 0777 open && cp "$FIXTURES/testkit.so" open/ && chmod o+w open
expect refuses_world_writable_dir 0 "$M" plugins --plugin-path "$TMP/open" &&
has refuses_world_writable_dir "$OUT" "refused $TMP/open/testkit.so: its directory $TMP/open is world-writable"

expect json_listing 0 "$M" plugins --json --plugin-path "$TMP/plugins" &&
has json_listing "$OUT" '"name": "testkit"' '"refused":' '"reason":' '"stage": "ingest"'

expect component_detail 0 "$M" plugins tk_add --plugin-path "$TMP/plugins" &&
has component_detail "$OUT" "tk_add  (transform stage, plugin testkit 1.0.0" \
    "add                int     default 1" "range [0, 60]" "seconds to sleep first" &&
[ "$(sed -n 2p <<<"$OUT")" = "  adds to a number" ] && pass component_description ||
    fail component_description "$(sed -n 2p <<<"$OUT")"

expect unknown_component_detail 1 "$M" plugins nope && has unknown_component_detail "$OUT" "no component 'nope'"

# A pipeline still runs with the refused plugins on the path.
cat > ok.lua <<'LUA'
local mp = require "mlpipe"
local p = mp.pipeline { name = "ok", root = "runs/ok" }
local s = p:add("tk_source", { value = 4 })
p:add("tk_add", { data = s.data, add = 2 })
p:run {}
LUA
expect runs_despite_refusals 0 "$M" run ok.lua --plugin-path "$TMP/plugins" &&
has runs_despite_refusals "$OUT" "ran      tk_add" "warning: plugin $TMP/plugins/bad_abi.so refused"

# Overriding a built-in component needs an explicit request.
mkdir over && cp "$FIXTURES/dup_component.so" over/
expect override_refused_by_default 0 "$M" plugins --plugin-path over &&
has override_refused_by_default "$OUT" "already provided by" "--allow-override csv_import"
cat > over.lua <<'LUA'
local mp = require "mlpipe"
local p = mp.pipeline { name = "over", root = "runs/over" }
p:add("csv_import", {})
p:run {}
LUA
expect override_when_asked 0 "$M" run over.lua --plugin-path over --allow-override csv_import &&
has override_when_asked "$OUT" "ran      csv_import"
# The same from the script: mp.plugin_path(DIR, { override = { NAME } }).
cat > over2.lua <<'LUA'
local mp = require "mlpipe"
mp.plugin_path("over", { override = { 42, "csv_import" } })
local p = mp.pipeline { name = "over", root = "runs/over2" }
p:add("csv_import", {})
p:run {}
LUA
expect override_from_script 0 "$M" run over2.lua && has override_from_script "$OUT" "ran      csv_import"
sed -i 's/override = { 42, "csv_import" }/override = { "csv_import2" }/' over2.lua
# Overriding another name leaves the built-in in place (which wants a path).
expect override_names_component 3 "$M" run over2.lua && has override_names_component "$OUT" "give the input as 'path'"

# Listing runs no component code: a plugin whose components would crash
# lists fine (tk_crash segfaults only when run).
expect listing_runs_no_code 0 "$M" plugins tk_crash --plugin-path "$(testkit_dir)" &&
has listing_runs_no_code "$OUT" "one of: segv abort exit hang fail ok hog hog_crash scribble"

# Two plugins may not share a name, even with different components.
mkdir dupname
cat > dupname/dupname.lua <<'LUA'
local mp = require "mlpipe"
mp.plugin { name = "csv_import", version = "9.9.9", license = "MIT",
            description = "takes a name already taken" }
mp.component { name = "fresh_component", stage = "analyze",
               outputs = { o = "Report" }, run = function(ctx) end }
LUA
expect refuses_taken_plugin_name 0 "$M" plugins --plugin-path "$TMP/dupname" &&
has refuses_taken_plugin_name "$OUT" "refused $TMP/dupname/dupname.lua: plugin name 'csv_import' is already taken by" &&
lacks taken_plugin_name_registers_nothing "$OUT" "fresh_component"

# The JSON listing says which ports are optional and which take several.
mkdir multi
cat > multi/multi.lua <<'LUA'
local mp = require "mlpipe"
mp.plugin { name = "multi", version = "1.0.0", license = "MIT", description = "ports" }
mp.component { name = "gather", stage = "analyze",
  inputs = { { name = "parts", type = "TestData", multiple = true },
             { name = "extra", type = "TestData", optional = true } },
  outputs = { o = "Report" }, run = function(ctx) end }
LUA
# A component without parameters says so; one with them does not.
expect no_params_detail 0 "$M" plugins gather --plugin-path "$TMP/multi" &&
has no_params_detail "$OUT" "  parameters:
    (none)"
lacks params_detail_not_none "$(cd "$TMP" && "$M" plugins tk_add --plugin-path "$TMP/plugins" 2>&1)" "(none)"
expect json_port_flags 0 "$M" plugins --json --plugin-path "$TMP/multi" &&
has json_port_flags "$(tr -d ' \n' <<<"$OUT")" \
    '{"name":"parts","type":"TestData","optional":false,"multiple":true}' \
    '{"name":"extra","type":"TestData","optional":true,"multiple":false}'

# An unknown component is tied to a refused plugin only when the refused
# file bears its name: no_descriptor.so is not "abcdefghijklm".
cat > unknown.lua <<'LUA'
local mp = require "mlpipe"
local p = mp.pipeline { name = "u", root = "runs/u" }
p:add("abcdefghijklm", {})
LUA
expect unknown_not_tied_to_refusal 2 "$M" run unknown.lua --plugin-path "$TMP/plugins" &&
has unknown_not_tied_to_refusal "$OUT" "unknown component 'abcdefghijklm' (\`mlpipe plugins\` lists" &&
lacks unknown_not_tied_to_refusal_text "$OUT" "was refused"
cat > refusedcomp.lua <<'LUA'
local mp = require "mlpipe"
local p = mp.pipeline { name = "u", root = "runs/u" }
p:add("no_descriptor", {})
LUA
expect unknown_tied_to_refusal 2 "$M" run refusedcomp.lua --plugin-path "$TMP/plugins" &&
has unknown_tied_to_refusal "$OUT" "refusedcomp.lua:3: unknown component 'no_descriptor' (plugin $TMP/plugins/no_descriptor.so, which may provide it, was refused: $TMP/plugins/no_descriptor.so: no entry point"

# A refused plugin whose descriptor could be read is known to provide its
# components: using one names the file and the reason.
cat > refusedknown.lua <<'LUA'
local mp = require "mlpipe"
local p = mp.pipeline { name = "u", root = "runs/u" }
p:add("fixture_component", {})
LUA
expect refused_component_named 2 "$M" run refusedknown.lua --plugin-path "$TMP/plugins" &&
has refused_component_named "$OUT" "refusedknown.lua:3: component 'fixture_component' cannot be used: its plugin $TMP/plugins/bad_abi.so was refused: built for plugin ABI 99.0"
