-- expect: infinite_param.lua:4: parameter 'sleep' is not a finite number
local mp = require "mlpipe"
local p = mp.pipeline { name = "e", root = "runs/e" }
p:add("tk_add", { sleep = math.huge })
p:run {}
