-- expect: huge_split_weights.lua:4: parameter 'splits' of csv_import: 'train' = 1e+308 is out of range: must be <= 1000000000000
local mp = require "mlpipe"
local p = mp.pipeline { name = "e", root = "runs/e" }
p:add("csv_import", { path = "x.csv", splits = { train = 1e308, eval = 2 } })
p:run {}
