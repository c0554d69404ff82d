-- expect: long_root.lua:3: mp.pipeline: root is 3000 characters long; at most 2048
local mp = require "mlpipe"
local p = mp.pipeline { name = "e", root = string.rep("r", 3000) }
