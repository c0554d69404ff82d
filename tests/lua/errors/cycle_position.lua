-- expect: cycle_position.lua:5: cycle in the pipeline
local mp = require "mlpipe"
local p = mp.pipeline { name = "e", root = "runs/e" }
local s = p:add("tk_source", {})
p:add("tk_add", { name = "loop", data = "loop.data_out" })
p:run {}
