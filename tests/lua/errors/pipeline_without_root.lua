-- expect: pipeline_without_root.lua:3: mp.pipeline needs a root directory
local mp = require "mlpipe"
local p = mp.pipeline { name = "e" }
