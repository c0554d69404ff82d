-- expect: float_beyond_2_53.lua:5: parameter 'value' of tk_source = 9007199254740992 is a floating-point number beyond 2^53
local mp = require "mlpipe"
local p = mp.pipeline { name = "e", root = "runs/e" }
-- 2^53 + 1 is a float in Lua, and equals 2^53: refused, not rounded.
p:add("tk_source", { value = 2^53 + 1 })
p:run {}
