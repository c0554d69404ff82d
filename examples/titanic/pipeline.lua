-- Titanic: ingest the bundled CSV with a deterministic 80/20 split,
-- describe it (statistics), infer its schema and validate every split
-- against it, count the label's classes per split with a Lua plugin
-- component, and summarise the age column with a component defined here.
--
--   mlpipe run examples/titanic/pipeline.lua      (from any directory)
local mp = require "mlpipe"
local here = debug.getinfo(1, "S").source:match("^@(.*)/") or "."
-- class_balance lives in examples/plugins; a relative directory is taken
-- relative to this file, not to where mlpipe runs.
mp.plugin_path("../plugins")

local p = mp.pipeline { name = "titanic", root = "runs/titanic" }

local ex = p:add("csv_import", {
  path = here .. "/data/TitanicSurvival.csv",
  label = "survived",
  splits = { train = 8, eval = 2 },
})

local st = p:add("statistics", { examples = ex.examples })
local sc = p:add("schema_infer", { statistics = st.statistics, label = "survived" })
p:add("validate", { statistics = st.statistics, schema = sc.schema,
                    examples = ex.examples })

local balance = p:add("class_balance", { examples = ex.examples })

-- A component defined inline: cached and recorded like any other.
mp.component {
  name = "age_summary", stage = "analyze",
  inputs = { examples = "Examples" }, outputs = { summary = "Summary" },
  run = function(ctx)
    local ex = ctx:input("examples")
    local t = assert(ctx:read_table(ex.uri .. "/train.mlpt"))
    local age, n = t:column("age")
    local sum, count, min, max = 0, 0, math.huge, -math.huge
    for i = 1, n do
      local a = age[i]
      if a then
        sum, count = sum + a, count + 1
        min, max = math.min(min, a), math.max(max, a)
      end
    end
    ctx:set_property("summary", "age", { mean = sum / count, min = min,
                                         max = max, missing = n - count })
  end,
}
local ages = p:add("age_summary", { examples = ex.examples })

local r = p:run { jobs = 2 }
if r.status == "ok" then
  local b = r.nodes.class_balance.outputs.balance.properties.splits
  local a = r.nodes.age_summary.outputs.summary.properties.age
  print(string.format("train: %d rows, %.1f%% survived; eval: %d rows, %.1f%% survived",
                      b.train.rows, 100 * b.train.shares.yes,
                      b.eval.rows, 100 * b.eval.shares.yes))
  print(string.format("train ages: mean %.1f, range %.2f-%.0f, %d missing",
                      a.mean, a.min, a.max, a.missing))
end
