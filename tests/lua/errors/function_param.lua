-- expect: function_param.lua:4: parameter 'value' cannot be a function
local mp = require "mlpipe"
local p = mp.pipeline { name = "e", root = "runs/e" }
p:add("tk_source", { value = function() end })
p:run {}
