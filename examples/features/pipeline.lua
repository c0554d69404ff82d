-- Feature engineering on the Titanic passengers: rank the raw columns
-- against survival (mutual information), turn the kept ones into model
-- features with a saved TransformGraph (imputation, scaling, one-hot
-- encoding, a cross and a Lua mapper), then balance the training classes
-- with SMOTE.  The evaluation split keeps its real class mix.
--
--   mlpipe run examples/features/pipeline.lua      (from any directory)
local mp = require "mlpipe"
local here = debug.getinfo(1, "S").source:match("^@(.*)/") or "."

local p = mp.pipeline { name = "titanic-features", root = "runs/titanic-features" }

local ex = p:add("csv_import", {
  path = here .. "/../titanic/data/TitanicSurvival.csv",
  label = "survived",
  splits = { train = 8, eval = 2 },
})

-- Every column scored against survival on the training rows; keep two.
local sel = p:add("select_features", { examples = ex.examples,
                                       score = "mutual_info_classif", k = 2 })

-- Features for the kept columns: the selectors skip what the selection
-- dropped.  Crosses and Lua mappers read raw columns of their own.
local tf = p:add("transform", {
  examples = ex.examples, selection = sel.selection,
  features = {
    [":numeric"] = { ops = { "impute_median", "zscore" }, indicator = true },
    [":categorical"] = { "one_hot" },
  },
  crosses = { { inputs = { "sex", "passengerClass" }, buckets = 16 } },
  lua = { child = { inputs = { "age" },
                    source = "return function(r) return (r.age and r.age < 14) and 1 or 0 end" } },
})

local bal = p:add("rebalance", { examples = tf.examples, method = "smote", seed = 1 })

local r = p:run { jobs = 2 }
if r.status == "ok" then
  local s = r.nodes.select_features.outputs.selection.properties.selected
  local b = r.nodes.rebalance.outputs.examples.properties.rebalanced
  print("kept: " .. table.concat(s, ", "))
  print(string.format("train before: %d no, %d yes; after SMOTE: %d no, %d yes",
                      b.before.no, b.before.yes, b.after.no, b.after.yes))
  print("graph: " .. r.nodes.transform.outputs.transform_graph.uri .. "/transform_graph.json")
end
