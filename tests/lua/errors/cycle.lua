-- expect: cycle in the pipeline: a -> b -> a (each arrow: feeds into)
local mp = require "mlpipe"
local p = mp.pipeline { name = "e", root = "runs/e" }
p:add("tk_add", { name = "a", data = "b.data_out" })
p:add("tk_add", { name = "b", data = "a.data_out" })
p:run {}
