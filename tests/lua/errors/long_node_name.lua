-- expect: long_node_name.lua:5: node name 'aaaaaaaaaaaaaaaaaaaaaaaa...' is 300 characters long; at most 128
local mp = require "mlpipe"
local p = mp.pipeline { name = "e", root = "runs/e" }
local s = p:add("tk_source", {})
p:add("tk_add", { name = string.rep("a", 300), data = s.data })
p:run {}
