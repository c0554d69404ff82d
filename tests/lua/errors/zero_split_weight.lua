-- expect: zero_split_weight.lua:4: parameter 'splits' of csv_import: 'eval' = 0 is out of range: must be > 0
local mp = require "mlpipe"
local p = mp.pipeline { name = "e", root = "runs/e" }
p:add("csv_import", { path = "x.csv", splits = { train = 1, eval = 0 } })
p:run {}
