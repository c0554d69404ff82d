# Output contracts: an artifact type's plugin says what a complete artifact
# holds; an output that falls short fails its node naming what is missing,
# is not published and not cached, and nothing downstream runs on it.
. "$(dirname "$0")/../lib.sh"
mkdir plugins
for f in typed typed_dup typed_bad typed_abi10 testkit; do cp "$FIXTURES/$f.so" plugins/; done

expect types_listed 0 "$M" plugins --plugin-path "$TMP/plugins" &&
has types_listed "$OUT" "  type Examples          rows split into named tables" \
    "  type Counts            a count in a file and a property" \
    "refused $TMP/plugins/typed_dup.so: artifact type 'Examples' is already defined by" \
    "csv_import.so (plugin 'csv_import')" \
    "refused $TMP/plugins/typed_bad.so: artifact type 'Broken': contract: files must be an array of file names"
# ABI 1.0: loads, and the slot 1.1 uses for types is not read.
has abi10_loads "$OUT" "typed_abi10 1.0 (c)" "typed_abi10_make"
lacks abi10_types_not_read "$(grep -A3 '^typed_abi10' <<<"$OUT")" "type Counts"
expect types_json 0 "$M" plugins --json --plugin-path "$TMP/plugins" &&
has types_json "$(tr -d ' \n' <<<"$OUT")" '"types":[{"name":"Counts","description":"acountinafileandaproperty","contract":{"properties":{"n":"integer"},"files":["counts.txt"]},"views":[]}]'

cat > c.lua <<'LUA'
local mp = require "mlpipe"
local p = mp.pipeline { name = "c", root = "runs/" .. arg[1] }
p:add("typed_make", { mode = arg[1] })
p:run {}
LUA
expect complete_published 0 "$M" run c.lua --plugin-path "$TMP/plugins" -- ok &&
has complete_published "$OUT" "ran      typed_make"
expect missing_file 3 "$M" run c.lua --plugin-path "$TMP/plugins" -- nofile &&
has missing_file "$OUT" "failed   typed_make" \
    "output 'counts' is not a complete Counts (as plugin typed defines it): file counts.txt is missing"
expect missing_property 3 "$M" run c.lua --plugin-path "$TMP/plugins" -- noprop &&
has missing_property "$OUT" "output 'counts' is not a complete Counts (as plugin typed defines it): property 'n' is missing"
expect wrong_property_type 3 "$M" run c.lua --plugin-path "$TMP/plugins" -- badprop &&
has wrong_property_type "$OUT" "property 'n' is not an integer"
# Nothing of the incomplete output stays: not LIVE, not on disk, not cached.
[ "$(sql runs/nofile/metadata.sqlite "SELECT count(*) FROM artifact WHERE state='LIVE'")" = 0 ] &&
[ -z "$(ls runs/nofile/artifacts/typed_make 2>/dev/null)" ] && pass incomplete_not_kept ||
    fail incomplete_not_kept "$(sql runs/nofile/metadata.sqlite "SELECT id, state, uri FROM artifact")"
expect incomplete_not_cached 3 "$M" run c.lua --plugin-path "$TMP/plugins" -- nofile &&
has incomplete_not_cached "$OUT" "failed   typed_make"

# The built-in types: an Examples artifact needs the splits property and a
# table per split; downstream of an incomplete one nothing runs.
cat > ex.lua <<'LUA'
local mp = require "mlpipe"
local how = arg[1]
mp.component { name = "make", stage = "ingest", outputs = { out = "Examples" },
  run = function(ctx)
    local dir = ctx:output("out").uri
    local cols = { { name = "x", type = "numeric", values = { 1, 2, 3 } } }
    ctx:write_table(dir .. "/train.mlpt", 3, cols)
    if how ~= "one_table" then ctx:write_table(dir .. "/eval.mlpt", 3, cols) end
    if how == "no_splits" then return end
    if how == "bad_name" then ctx:set_property("out", "splits", { "../x" }) return end
    ctx:set_property("out", "splits", { "train", "eval" })
  end }
local p = mp.pipeline { name = "ex", root = "runs/ex_" .. how }
local m = p:add("make", {})
p:add("statistics", { examples = m.out })
p:run {}
LUA
expect examples_complete 0 "$M" run ex.lua -- ok &&
has examples_complete "$OUT" "ran      make" "ran      statistics"
expect examples_no_splits 3 "$M" run ex.lua -- no_splits &&
has examples_no_splits "$OUT" "output 'out' is not a complete Examples (as plugin csv_import defines it): property 'splits' is missing" \
    "skipped  statistics"
expect examples_missing_table 3 "$M" run ex.lua -- one_table &&
has examples_missing_table "$OUT" "file eval.mlpt is missing (for splits 'eval')"
expect examples_bad_split_name 3 "$M" run ex.lua -- bad_name &&
has examples_bad_split_name "$OUT" "property 'splits' holds '../x', which cannot name a file"

# Statistics, Schema and Anomalies need their JSON file.
cat > st.lua <<'LUA'
local mp = require "mlpipe"
mp.component { name = "fake", stage = "analyze", outputs = { s = "Statistics" },
  run = function(ctx) ctx:set_property("s", "note", "no file") end }
local p = mp.pipeline { name = "st", root = "runs/st" }
p:add("fake", {})
p:run {}
LUA
expect statistics_needs_file 3 "$M" run st.lua &&
has statistics_needs_file "$OUT" "output 's' is not a complete Statistics (as plugin statistics defines it): file statistics.json is missing"

# A type no plugin defines has no contract: an empty output is fine.
cat > free.lua <<'LUA'
local mp = require "mlpipe"
mp.component { name = "free", stage = "analyze", outputs = { r = "Report" }, run = function(ctx) end }
local p = mp.pipeline { name = "free", root = "runs/free" }
p:add("free", {})
p:run {}
LUA
expect undefined_type_free 0 "$M" run free.lua && has undefined_type_free "$OUT" "ran      free"

# The descriptor symbol is found from the file name whatever its letters
# (libltdl's <module>_LTX_ prefix: a..z, A..Z, 0..9, _).
mkdir zz && cp "$FIXTURES/typed_zz.so" zz/
expect module_name_letters 0 "$M" plugins --plugin-path zz && has module_name_letters "$OUT" "typed_zz 1.0 (c)" "typed_zz_make"

# What the scanner reads from a C descriptor reaches `plugins --json`.
expect descriptor_fields 0 "$M" plugins --json &&
has descriptor_fields "$(tr -d ' \n' <<<"$OUT")" '"name":"csv_import","version":"0.1.0","license":"MIT"'

# nonempty: an artifact that must hold at least one file.
mkdir lp
cat > lp/blob.lua <<'LUA'
local mp = require "mlpipe"
mp.plugin { name = "blob", version = "1.0" }
mp.type { name = "Blob", contract = { nonempty = true } }
mp.component { name = "blob", stage = "analyze", outputs = { out = "Blob" },
  params = { write = { type = "bool", default = true } },
  run = function(ctx)
    if ctx:param("write") then
      local f = assert(io.open(ctx:output("out").uri .. "/x", "w")) f:write("x") f:close()
    end
  end }
LUA
printf 'local mp = require "mlpipe"\nmp.plugin_path("lp")\nlocal p = mp.pipeline { name = "b", root = "runs/b" .. arg[1] }\np:add("blob", { write = arg[1] == "1" })\np:run {}\n' > b.lua
expect nonempty_with_file 0 "$M" run b.lua -- 1 && has nonempty_with_file "$OUT" "ran      blob"
expect nonempty_empty_refused 3 "$M" run b.lua -- 0 &&
has nonempty_empty_refused "$OUT" "is not a complete Blob (as plugin blob defines it)"
