-- expect: root_line_break.lua:3: mp.pipeline: root may not contain control characters
local mp = require "mlpipe"
local p = mp.pipeline { name = "e", root = "runs/e\nx" }
