-- expect: wrong_artifact_type.lua:5: input 'data' of node 'tk_add' takes TestData, but csv_import.examples is Examples
local mp = require "mlpipe"
local p = mp.pipeline { name = "e", root = "runs/e" }
local ex = p:add("csv_import", { path = "x.csv" })
p:add("tk_add", { data = ex.examples })
p:run {}
