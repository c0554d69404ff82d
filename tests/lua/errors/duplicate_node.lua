-- expect: duplicate_node.lua:5: a node called 'src' already exists (defined at duplicate_node.lua:4)
local mp = require "mlpipe"
local p = mp.pipeline { name = "e", root = "runs/e" }
p:add("tk_source", { name = "src" })
p:add("tk_source", { name = "src" })
p:run {}
