-- expect: unknown_output.lua:5: node 'tk_source' (tk_source) has no output 'dta' (outputs: data)
local mp = require "mlpipe"
local p = mp.pipeline { name = "e", root = "runs/e" }
local s = p:add("tk_source", {})
p:add("tk_add", { data = s.dta })
p:run {}
