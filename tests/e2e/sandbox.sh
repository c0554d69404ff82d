# The write sandbox: a component may write its outputs, its scratch
# directory and temporary files, and nothing else; a write elsewhere fails
# its node naming the path, even when the component ignored the refusal,
# and what it aimed at is unchanged.  With the sandbox off (no Landlock,
# MLPIPE_SANDBOX=off) runs work and say so once.
. "$(dirname "$0")/../lib.sh"
tk=$(testkit_dir)
cat > twice.lua <<'LUA'
local mp = require "mlpipe"
for _, root in ipairs { "runs/off1", "runs/off2" } do
  local p = mp.pipeline { name = "off", root = root }
  local s = p:add("tk_source", { value = 5 })
  p:add("tk_add", { data = s.data })
  p:add("tk_add", { name = "b", data = s.data })
  p:run {}
end
LUA
if ! sandbox_on; then
    # A kernel without Landlock: runs work and say so once; nothing else
    # of the sandbox can be checked here.
    expect no_landlock_said_once 0 "$M" run twice.lua --plugin-path "$tk" &&
    [ "$(grep -c 'the write sandbox is off (' <<<"$OUT")" = 1 ] &&
        pass no_landlock_said_once || fail no_landlock_said_once "$OUT"
    echo "SKIP write sandbox: this kernel has no Landlock"
    exit 0
fi

cat > tamper.lua <<'LUA'
local mp = require "mlpipe"
local how = arg[1]
mp.component { name = "tamper", stage = "transform",
  inputs = { data = "TestData" }, outputs = { out = "TestData" },
  run = function(ctx)
    local dir = ctx:input("data").uri
    if how == "edit" then
      local f = io.open(dir .. "/value.txt", "w")
      if f then f:write("666\n") f:close() end
    elseif how == "remove" then
      os.remove(dir .. "/value.txt")
    elseif how == "rename" then
      os.rename(dir .. "/value.txt", ctx:scratch_dir() .. "/stolen")
    elseif how == "own" then
      -- everything a component may write
      local f = assert(io.open(ctx:output("out").uri .. "/value.txt", "w"))
      f:write("1\n") f:close()
      f = assert(io.open(ctx:scratch_dir() .. "/work", "w")) f:write("x") f:close()
      -- temporary files belong in TMPDIR, which is the scratch directory
      -- (Lua's os.tmpname ignores it and uses /tmp, which is refused)
      assert(os.getenv("TMPDIR") == ctx:scratch_dir(), "TMPDIR " .. tostring(os.getenv("TMPDIR")))
      f = assert(io.open(os.getenv("TMPDIR") .. "/t", "w")) f:write("x") f:close()
      assert(os.rename(os.getenv("TMPDIR") .. "/t", os.getenv("TMPDIR") .. "/u"))
      assert(os.remove(os.getenv("TMPDIR") .. "/u"))
      f = assert(io.open("/dev/null", "w")) f:write("x") f:close()
    end
  end }
local p = mp.pipeline { name = "t", root = "runs/" .. how }
local s = p:add("tk_source", { value = 5 })
p:add("tamper", { data = s.data, cache = false })
p:run {}
LUA

for how in edit remove rename; do
    expect "upstream_${how}_refused" 3 "$M" run tamper.lua --plugin-path "$tk" -- "$how" &&
    has "upstream_${how}_refused" "$OUT" "failed   tamper" "tried to write outside its outputs: $TMP/runs/$how/artifacts/tk_source/" \
        "/data/value.txt (refused by the write sandbox"
    v=$(cat runs/$how/artifacts/tk_source/*/data/value.txt 2>/dev/null)
    [ "$v" = 5 ] && pass "upstream_${how}_unchanged" || fail "upstream_${how}_unchanged" "value.txt is '$v'"
done
expect upstream_still_cached 3 "$M" run tamper.lua --plugin-path "$tk" -- edit &&
has upstream_still_cached "$OUT" "cached   tk_source"

expect own_writes_allowed 0 "$M" run tamper.lua --plugin-path "$tk" -- own &&
has own_writes_allowed "$OUT" "ran      tamper"

# A C plugin writing to /tmp and ignoring the failure.
cat > scribble.lua <<'LUA'
local mp = require "mlpipe"
local p = mp.pipeline { name = "s", root = "runs/scribble" }
local s = p:add("tk_source", { value = 5 })
p:add("tk_crash", { data = s.data, mode = "scribble", target = os.getenv("TARGET"), cache = false })
p:run {}
LUA
target=/tmp/mlpipe-sandbox-$$-$RANDOM
expect c_plugin_tmp_refused 3 env TARGET="$target" "$M" run scribble.lua --plugin-path "$tk" &&
has c_plugin_tmp_refused "$OUT" "tried to write outside its outputs: $target (refused by the write sandbox; then: the component reported success)"
[ ! -e "$target" ] && pass tmp_untouched || { fail tmp_untouched "$target was written"; rm -f "$target"; }
# Relative paths are named absolutely (from the child's working directory).
expect relative_path_named 3 env TARGET=scribbled.txt "$M" run scribble.lua --plugin-path "$tk" &&
has relative_path_named "$OUT" "tried to write outside its outputs: $TMP/scribbled.txt" && [ ! -e scribbled.txt ] &&
    pass relative_untouched || fail relative_untouched "scribbled.txt written"

# Sandbox off: the run works, says so once (two runs, three nodes), and the
# store's manifests still catch the edit at the next use.
expect sandbox_off_said_once 0 env MLPIPE_SANDBOX=off "$M" run twice.lua --plugin-path "$tk" &&
[ "$(grep -c 'the write sandbox is off (MLPIPE_SANDBOX=off): components can write wherever this user can' <<<"$OUT")" = 1 ] &&
    pass sandbox_off_said_once || fail sandbox_off_said_once "$OUT"
expect sandbox_on_silent 0 "$M" run twice.lua --plugin-path "$tk" &&
lacks sandbox_on_silent "$OUT" "sandbox"
expect unsandboxed_edit_runs 0 env MLPIPE_SANDBOX=off "$M" run tamper.lua --plugin-path "$tk" -- edit
cat > use.lua <<'LUA'
local mp = require "mlpipe"
local p = mp.pipeline { name = "t", root = "runs/edit" }
local s = p:add("tk_source", { value = 5 })
p:add("tk_add", { data = s.data })
p:run {}
LUA
expect edit_caught_by_manifest 0 "$M" run use.lua --plugin-path "$tk" --explain &&
has edit_caught_by_manifest "$OUT" "ran      tk_source" "ran      tk_add"
