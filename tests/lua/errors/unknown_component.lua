-- expect: unknown_component.lua:5: unknown component 'tk_sauce' (`mlpipe plugins` lists the available ones)
local mp = require "mlpipe"
local p = mp.pipeline { name = "e", root = "runs/e" }
local s = p:add("tk_source", {})
p:add("tk_sauce", { data = s.data })
p:run {}
