-- expect: split_weight_text.lua:4: parameter 'splits' of csv_import: 'train' must be a number, got a string
local mp = require "mlpipe"
local p = mp.pipeline { name = "e", root = "runs/e" }
p:add("csv_import", { path = "x.csv", splits = { train = "8" } })
p:run {}
