-- expect: unknown_parameter.lua:5: tk_add has no parameter 'ad' (parameters: add, sleep, note)
local mp = require "mlpipe"
local p = mp.pipeline { name = "e", root = "runs/e" }
local s = p:add("tk_source", {})
p:add("tk_add", { data = s.data, ad = 3 })
p:run {}
