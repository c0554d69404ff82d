-- expect: int_min_as_float.lua:5: parameter 'value' of tk_source = -9.2233720368547758e+18 is a floating-point number beyond 2^53
local mp = require "mlpipe"
local p = mp.pipeline { name = "e", root = "runs/e" }
-- In range, but a float (Lua reads the literal as one): refused as inexact.
p:add("tk_source", { value = -9223372036854775808 })
p:run {}
