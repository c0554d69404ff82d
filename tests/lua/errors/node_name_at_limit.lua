-- expect: node_name_at_limit.lua:6: node 'bbbbbbbbbbbbbbbb
-- A name of exactly 128 characters is accepted (the error is the next line's).
local mp = require "mlpipe"
local p = mp.pipeline { name = "e", root = "runs/e" }
local s = p:add("tk_source", { name = string.rep("b", 128) })
p:add("tk_add", { data = s.nothing })
p:run {}
