-- The whole loop on the 1988 Chilean plebiscite survey: ingest, describe
-- and validate the data, pick the informative columns, turn them into
-- features with a saved TransformGraph, train a multinomial logistic
-- regression of the vote, evaluate it overall, per slice (sex, region,
-- their crossing, age bands) and for fairness across sex, bless it against
-- thresholds and push it to a versioned serving directory, from where
-- `mlpipe predict` serves raw rows.
--
--   mlpipe run examples/chile/pipeline.lua      (from any directory)
local mp = require "mlpipe"
local here = debug.getinfo(1, "S").source:match("^@(.*)/") or "."

local p = mp.pipeline { name = "chile", root = "runs/chile" }

local ex = p:add("csv_import", {
  path = here .. "/data/Chile.csv",
  label = "vote",
  splits = { train = 8, eval = 2 },
})

local st = p:add("statistics", { examples = ex.examples })
local sc = p:add("schema_infer", { statistics = st.statistics, label = "vote" })
p:add("validate", { statistics = st.statistics, schema = sc.schema, examples = ex.examples })

-- Rank the raw columns against the vote and keep the five best.
local sel = p:add("select_features", { examples = ex.examples,
                                       score = "mutual_info_classif", k = 5 })

local tf = p:add("transform", {
  examples = ex.examples, selection = sel.selection,
  features = {
    [":numeric"] = { ops = { "impute_median", "zscore" }, indicator = true },
    [":categorical"] = { "one_hot" },
  },
})

-- 168 respondents gave no vote: they are left out of training and scoring.
local m = p:add("logistic_regression", { examples = tf.examples,
                                         transform_graph = tf.transform_graph,
                                         missing_label = "skip", max_iter = 200 })

local ev = p:add("evaluate", {
  model = m.model, examples = ex.examples, missing_label = "skip",
  slices = { "sex", "region", { "sex", "region" },
             { feature = "age", boundaries = { 30, 45, 60 } } },
  fairness = { "sex" }, positive_class = "Y",
  thresholds = { accuracy = 0.55, equal_opportunity_difference = 0.15 },
  slice_thresholds = { accuracy = 0.4 },
  -- Against the newest model an earlier run blessed (none the first time).
  baseline = "latest_blessed", change_thresholds = { accuracy = 0.02 },
  bootstrap = 200,
})

p:add("push", { model = m.model, blessing = ev.blessing, to = "serving/chile" })

local r = p:run { jobs = 2 }
if r.status == "ok" then
  local o = r.nodes.evaluate.outputs.evaluation.properties.overall
  print(string.format("eval accuracy %.3f, log loss %.3f, macro F1 %.3f", o.accuracy,
                      o.log_loss, o.f1))
  local pm = r.nodes.push.outputs.pushed_model.properties
  print(string.format("pushed as version %d under runs/chile/serving/chile", pm.version))
end
