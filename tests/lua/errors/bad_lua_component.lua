-- expect: bad_lua_component.lua:3: mp.component: unknown stage 'training' (ingest, validate, label, transform, select, train, tune, analyze, push)
local mp = require "mlpipe"
mp.component { name = "c", stage = "training", run = function() end }
