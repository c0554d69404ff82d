-- Runs the skeleton's component on a small CSV it writes itself.
local mp = require "mlpipe"
local dir = os.getenv("SKELETON_WORK") or "."
local f = assert(io.open(dir .. "/numbers.csv", "w"))
f:write("x,name\n")
for i = 1, 20 do f:write(i, ",row", i, "\n") end
f:close()
local p = mp.pipeline { name = "skeleton", root = dir .. "/runs/skeleton" }
local ex = p:add("csv_import", { path = dir .. "/numbers.csv", splits = { all = 1 } })
local sc = p:add("column_scale", { examples = ex.examples, column = "x", factor = 2.5 })
mp.component { name = "sum_x", stage = "analyze",
  inputs = { examples = "Examples" }, outputs = { report = "Report" },
  run = function(ctx)
    local t = assert(ctx:read_table(ctx:input("examples").uri .. "/all.mlpt"))
    local x, n = t:column("x")
    local s = 0
    for i = 1, n do s = s + x[i] end
    ctx:set_property("report", "sum", s)
  end }
local sum = p:add("sum_x", { examples = sc.examples_out })
local r = p:run {}
print("sum", r.nodes.sum_x.outputs.report.properties.sum)
