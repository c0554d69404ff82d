# The per-node memory limit: a node over it fails naming the limit, whether
# the component reported the refused allocation or crashed on it; the
# limit comes from the node, else --memory, else the pipeline; it is no
# part of the fingerprint; bad sizes are definition errors.
. "$(dirname "$0")/../lib.sh"
tk=$(testkit_dir)

cat > p.lua <<'LUA'
local mp = require "mlpipe"
local p = mp.pipeline { name = "mem", root = "runs/" .. arg[1], memory = os.getenv("PIPE_MEM") }
local s = p:add("tk_source", { value = 1 })
p:add("tk_crash", { name = "hog", data = s.data, mode = arg[2], mb = tonumber(arg[3]),
                    memory = os.getenv("NODE_MEM") })
p:run {}
LUA

# Inside mlpipe (isolate = false) a limit cannot apply: said, not ignored.
cat > inproc.lua <<'LUA'
local mp = require "mlpipe"
local p = mp.pipeline { name = "inproc", root = "runs/inproc" }
p:add("tk_source", { value = 1, memory = "64M", isolate = false })
p:run {}
LUA
expect in_process_warns 0 "$M" run inproc.lua --plugin-path "$tk" &&
has in_process_warns "$OUT" "node 'tk_source' runs inside mlpipe (isolate = false): its memory limit is not applied"

# Bad sizes are definition errors naming the line; --memory a usage error.
i=0
for bad in '"4X"' '"-1G"' '"0"' '"512K"' '{}' '"1e30G"'; do
    i=$((i + 1))
    cat > bad.lua <<LUA
local mp = require "mlpipe"
local p = mp.pipeline { name = "bad", root = "runs/bad" }
p:add("tk_source", { value = 1, memory = $bad })
LUA
    expect "bad_size_$i" 2 "$M" run bad.lua --plugin-path "$tk" &&
    has "bad_size_$i" "$OUT" "bad.lua:3: node option 'memory' must be a size"
done
cat > badp.lua <<'LUA'
local mp = require "mlpipe"
local p = mp.pipeline { name = "bad", root = "runs/bad", memory = "lots" }
LUA
expect bad_pipeline_size 2 "$M" run badp.lua --plugin-path "$tk" &&
has bad_pipeline_size "$OUT" "badp.lua:2: mp.pipeline: 'memory' must be a size of at least 1M" '"lots"'
expect bad_cli_size 1 "$M" run p.lua --memory 12Q -- x ok 0 &&
has bad_cli_size "$OUT" "--memory takes a size of at least 1M such as 512M or 4G, got '12Q'"

if ldd "$M" | grep -q libasan; then
    # AddressSanitizer's allocator reserves its memory up front and
    # replaces the malloc that notices refusals: limits do not apply.
    echo "SKIP memory limits: not enforced under AddressSanitizer"
    exit 0
fi

expect under_limit_runs 0 env NODE_MEM=256M "$M" run p.lua --plugin-path "$tk" -- a hog 32 &&
has under_limit_runs "$OUT" "ran      hog"

expect over_limit_reported 3 env NODE_MEM=64M "$M" run p.lua --plugin-path "$tk" -- b hog 512 &&
has over_limit_reported "$OUT" "hog" "exceeded its memory limit of 64 MiB (an allocation was refused; then: out of memory after"
n=$(grep -o 'out of memory after [0-9]*' <<<"$OUT" | awk '{print $5}')
[ -n "$n" ] && [ "$n" -ge 16 ] && [ "$n" -le 64 ] && pass limit_is_what_was_asked ||
    fail limit_is_what_was_asked "allocated $n MiB under a 64 MiB limit"

expect over_limit_crash 3 env NODE_MEM=64M "$M" run p.lua --plugin-path "$tk" -- c hog_crash 512 &&
has over_limit_crash "$OUT" "exceeded its memory limit of 64 MiB (an allocation was refused; then: killed by signal 11"

# A crash with no refused allocation is not blamed on the limit.
expect plain_crash_not_blamed 3 env NODE_MEM=64M "$M" run p.lua --plugin-path "$tk" -- d segv 0 &&
has plain_crash_not_blamed "$OUT" "killed by signal 11" && lacks plain_crash_not_blamed_text "$OUT" "memory limit"

# Where the limit comes from: the pipeline's default, a node's own, --memory.
expect pipeline_default 3 env PIPE_MEM=64M "$M" run p.lua --plugin-path "$tk" -- e hog 512 &&
has pipeline_default "$OUT" "exceeded its memory limit of 64 MiB"
expect node_overrides_pipeline 0 env PIPE_MEM=64M NODE_MEM=1G "$M" run p.lua --plugin-path "$tk" -- f hog 128 &&
has node_overrides_pipeline "$OUT" "ran      hog"
expect cli_overrides_pipeline 3 env PIPE_MEM=4G "$M" run p.lua --plugin-path "$tk" --memory 96M -- g hog 512 &&
has cli_overrides_pipeline "$OUT" "exceeded its memory limit of 96 MiB"
expect node_overrides_cli 0 env NODE_MEM=1G "$M" run p.lua --plugin-path "$tk" --memory 64M -- h hog 128 &&
has node_overrides_cli "$OUT" "ran      hog"

# A limit does not change results: not part of the fingerprint.
expect limit_not_in_fingerprint 0 env NODE_MEM=512M "$M" run p.lua --plugin-path "$tk" -- a hog 32 &&
has limit_not_in_fingerprint "$OUT" "cached   hog"

# A Lua component over its limit.
cat > lua.lua <<'LUA'
local mp = require "mlpipe"
mp.component { name = "greedy", stage = "analyze", outputs = { o = "Report" },
  run = function(ctx) local t = {} for i = 1, 64 do t[i] = string.rep("x", 16 * 2^20 + i) end end }
local p = mp.pipeline { name = "lua", root = "runs/lua" }
p:add("greedy", { memory = "128M", cache = false })
p:run {}
LUA
expect lua_over_limit 3 "$M" run lua.lua &&
has lua_over_limit "$OUT" "exceeded its memory limit of 128 MiB" "not enough memory"

