-- expect: missing_required.lua:4: csv_import needs parameter 'path' (string)
local mp = require "mlpipe"
local p = mp.pipeline { name = "e", root = "runs/e" }
p:add("csv_import", { label = "y" })
p:run {}
