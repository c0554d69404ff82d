-- expect: unknown_reference.lua:4: input 'data' of node 'x' refers to 'nowhere.data', but there is no node 'nowhere'
local mp = require "mlpipe"
local p = mp.pipeline { name = "e", root = "runs/e" }
p:add("tk_add", { name = "x", data = "nowhere.data" })
p:run {}
