-- expect: int_outside_int64.lua:5: parameter 'value' of tk_source = 1e+20 is outside the 64-bit integer range
local mp = require "mlpipe"
local p = mp.pipeline { name = "e", root = "runs/e" }
-- Lua reads a literal beyond int64 as a float.
p:add("tk_source", { value = 99999999999999999999 })
p:run {}
