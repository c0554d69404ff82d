-- expect: out_of_range.lua:5: parameter 'sleep' of tk_add = 99 is out of range: must be <= 60
local mp = require "mlpipe"
local p = mp.pipeline { name = "e", root = "runs/e" }
local s = p:add("tk_source", {})
p:add("tk_add", { data = s.data,
                  sleep = 99 })
p:run {}
