# Parameters reach components exactly: integers to 64 bits (a Lua integer
# literal beyond 2^53 is not rounded, and changes the fingerprint), and
# `mlpipe run` exits with the documented code for what is not a script.
. "$(dirname "$0")/../lib.sh"
tk=$(testkit_dir)
cat > p.lua <<'LUA'
local mp = require "mlpipe"
local p = mp.pipeline { name = "i", root = "runs/i" }
local v = math.tointeger(arg[1])
p:add("tk_source", { value = v })
local r = p:run {}
local got = r.nodes.tk_source.outputs.data.properties.value
print("value", math.type(got), string.format("%d", got))
LUA
db=runs/i/metadata.sqlite
expect int_beyond_2_53 0 "$M" run p.lua --plugin-path "$tk" -- 9007199254740993 &&
has int_beyond_2_53 "$OUT" "ran      tk_source" "value	integer	9007199254740993"
f=runs/i/$(sql $db "SELECT uri FROM artifact ORDER BY id DESC LIMIT 1")/value.txt
[ "$(cat "$f")" = 9007199254740993 ] && pass int_reaches_plugin || fail int_reaches_plugin "$(cat "$f")"
has int_stored_exactly "$(sql $db "SELECT params FROM execution ORDER BY id DESC LIMIT 1")" '"value":9007199254740993'
expect int_next_not_cached 0 "$M" run p.lua --plugin-path "$tk" --explain -- 9007199254740992 &&
has int_next_not_cached "$OUT" "ran      tk_source" "parameter 'value' changed (9007199254740993 -> 9007199254740992)" \
    "value	integer	9007199254740992"
expect int_same_cached 0 "$M" run p.lua --plugin-path "$tk" -- 9007199254740993 &&
has int_same_cached "$OUT" "cached   tk_source" "value	integer	9007199254740993"
expect int64_max 0 "$M" run p.lua --plugin-path "$tk" -- 9223372036854775807 &&
has int64_max "$OUT" "value	integer	9223372036854775807"
e=$(sql $db "SELECT id FROM execution WHERE state='COMPLETE' ORDER BY id DESC LIMIT 1")
expect int_shown_exactly 0 "$M" show "e$e" --root runs/i && has int_shown_exactly "$OUT" '"value": 9223372036854775807'

# Not a script.
mkdir -p adir
expect run_directory 1 "$M" run adir && has run_directory "$OUT" "adir is not a file"
expect run_missing 1 "$M" run nothing.lua && has run_missing "$OUT" "cannot read nothing.lua: No such file"

# A string with a NUL byte cannot travel as JSON: refused, never cut short.
cat > nul.lua <<'LUA'
local mp = require "mlpipe"
local p = mp.pipeline { name = "n", root = "runs/nul" }
p:add("csv_import", { path = "a\0b.csv" })
LUA
expect nul_in_string_refused 2 "$M" run nul.lua &&
has nul_in_string_refused "$OUT" "nul.lua:3:" "holds a NUL byte (at byte 2)"
