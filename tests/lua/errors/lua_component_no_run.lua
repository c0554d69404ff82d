-- expect: lua_component_no_run.lua:3: mp.component needs 'run', a function(ctx)
local mp = require "mlpipe"
mp.component { name = "c", stage = "train", outputs = { m = "Model" } }
