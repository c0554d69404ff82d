-- expect: wrong_type.lua:4: parameter 'value' of tk_source must be an integer, got a string
local mp = require "mlpipe"
local p = mp.pipeline { name = "e", root = "runs/e" }
p:add("tk_source", { value = "three" })
p:run {}
