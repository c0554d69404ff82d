-- expect: bad_enum.lua:4: parameter 'mode' of tk_crash must be one of "segv", "abort", "exit", "hang", "fail", "ok", "hog", "hog_crash", "scribble", got "explode"
local mp = require "mlpipe"
local p = mp.pipeline { name = "e", root = "runs/e" }
p:add("tk_crash", { mode = "explode" })
p:run {}
