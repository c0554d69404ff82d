-- expect: list_to_single_input.lua:6: input 'data' of tk_add takes one artifact, not a list
local mp = require "mlpipe"
local p = mp.pipeline { name = "e", root = "runs/e" }
local a = p:add("tk_source", {})
local b = p:add("tk_source", {})
p:add("tk_add", { data = { a.data, b.data } })
p:run {}
