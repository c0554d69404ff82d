-- expect: missing_input.lua:4: node 'tk_add' (tk_add) needs input 'data' (TestData)
local mp = require "mlpipe"
local p = mp.pipeline { name = "e", root = "runs/e" }
p:add("tk_add", { add = 1 })
p:run {}
