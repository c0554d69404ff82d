-- Active learning on the Wisconsin breast cancer data: a logistic
-- regression starts from the few rows of the train split and asks for
-- labels a batch at a time from the pool split, either the rows it is
-- least sure of (margin: the two most probable classes closest) or a
-- random batch (the baseline).  An oracle file stands in for the person
-- who answers.  Each round is a trainer, a selection and a labelling
-- node, so the metadata store shows which round every label came from;
-- al_curve draws both learning curves (eval accuracy against labelled
-- rows) for the report.
--
--   mlpipe run examples/active_learning/pipeline.lua      (from any directory)
--   mlpipe report latest -o active.html --root runs/active
local mp = require "mlpipe"
local here = debug.getinfo(1, "S").source:match("^@(.*)/") or "."
local rounds = tonumber(arg and arg[1]) or 12
local batch = 10

local p = mp.pipeline { name = "active", root = "runs/active" }
local ex = p:add("csv_import", {
  path = here .. "/data/breast_cancer.csv", label = "target",
  types = { target = "categorical" },
  splits = { train = 1, pool = 14, eval = 5 },   -- about 28, 400 and 140 rows
})

local models, series = {}, {}
for _, strategy in ipairs { "random", "margin" } do
  local data = ex.examples
  for r = 0, rounds do
    local tag = strategy .. "_" .. r
    local tf = p:add("transform", { name = "scale_" .. tag, examples = data,
                                    features = { [":numeric"] = { "zscore" } } })
    local m = p:add("logistic_regression", { name = "model_" .. tag, examples = tf.examples,
                                             transform_graph = tf.transform_graph })
    models[#models + 1], series[#series + 1] = m.model, strategy
    if r == rounds then break end
    local q = p:add("al_select", { name = "select_" .. tag, model = m.model, examples = data,
                                   strategy = strategy, batch = batch, seed = 7 })
    data = p:add("al_label", { name = "label_" .. tag, examples = data, query = q.query,
                               oracle_file = here .. "/data/oracle.csv", key = "id" }).examples
  end
end
local curve = p:add("al_curve", { models = models, series = series })

local r = p:run { jobs = 2 }
if r.status == "ok" then
  for _, s in ipairs(r.nodes.al_curve.outputs.curve.properties.series) do
    local last = s.points[#s.points]
    print(string.format("%-7s %d labels: eval accuracy %.4f; reached the random baseline's "
                        .. "final accuracy with %s labels", s.name, last.labels, last.value,
                        tostring(s.labels_to_reach_baseline)))
  end
end
