-- expect: syntax_error.lua:4: unexpected symbol near '}'
local mp = require "mlpipe"
local p = mp.pipeline { name = "e", root = "runs/e" }
p:add("tk_source", { value = })
