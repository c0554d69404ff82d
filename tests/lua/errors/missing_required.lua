-- expect: missing_required.lua:4: schema_import needs parameter 'path' (string)
local mp = require "mlpipe"
local p = mp.pipeline { name = "e", root = "runs/e" }
p:add("schema_import", { })
p:run {}
