-- Weak supervision on the Wisconsin breast cancer data: six labeling
-- functions (thresholds a clinician might suggest, two of them on
-- correlated measurements and one that is mostly wrong) vote on the train
-- rows, whose own labels are never given to the model; the Dawid-Skene
-- label model learns how far to trust each function and labels the rows;
-- a logistic regression learns from those probabilities (soft targets);
-- evaluate scores it on the eval rows' real labels, next to the same model
-- trained on the real labels.
--
--   mlpipe run examples/weak_supervision/pipeline.lua      (from any directory)
--   mlpipe show <artifact> --root runs/weak                 (the LF summary)
local mp = require "mlpipe"
local here = debug.getinfo(1, "S").source:match("^@(.*)/") or "."
local A = mp.ABSTAIN

-- "0" is malignant, "1" benign.
local function two_sided(col, high, low)
  return function(row)
    local v = row[col]
    if v > high then return "0" elseif v < low then return "1" end
    return A
  end
end
local lfs = {
  mp.lf { name = "large_radius", fn = two_sided("mean_radius", 15, 12) },
  mp.lf { name = "large_perimeter", fn = two_sided("mean_perimeter", 98, 77) },
  mp.lf { name = "concave_points", fn = two_sided("worst_concave_points", 0.15, 0.08) },
  mp.lf { name = "rough_surface", fn = two_sided("mean_smoothness", 0.11, 0.085) },
  mp.lf { name = "concavity", fn = two_sided("mean_concavity", 0.12, 0.03) },
  mp.lf { name = "hunch", description = "a poor rule of thumb: mostly wrong",
          fn = function(row)
            if row.mean_smoothness > 0.1 then return "1" end
            if row.mean_fractal_dimension > 0.065 then return "0" end
            return A
          end },
}

local p = mp.pipeline { name = "weak", root = "runs/weak" }
local ex = p:add("csv_import", { path = here .. "/../active_learning/data/breast_cancer.csv",
                                 label = "target", types = { target = "categorical" },
                                 splits = { train = 4, eval = 1 } })
-- gold: the train rows' real labels measure each LF (the summary's
-- empirical accuracy); the label model never sees them.
local votes = p:add("apply_lfs", { examples = ex.examples, lfs = lfs, classes = { "0", "1" },
                                   gold = "target" })
local weak = p:add("label_model", { labels = votes.labels, examples = ex.examples })

local function model(name, examples, targets)
  local tf = p:add("transform", { name = "scale_" .. name, examples = examples,
                                  features = { [":numeric"] = { "zscore" } } })
  local m = p:add("logistic_regression", { name = name, examples = tf.examples, targets = targets,
                                           transform_graph = tf.transform_graph })
  return p:add("evaluate", { name = "evaluate_" .. name, model = m.model,
                             examples = ex.examples, positive_class = "0" })
end
local ev_weak = model("weakly_supervised", weak.examples, "soft")
local ev_full = model("fully_supervised", ex.examples, "hard")

local r = p:run { jobs = 2 }
if r.status == "ok" then
  local lm = r.nodes.label_model.outputs.label_model.properties
  for _, name in ipairs { "large_radius", "hunch" } do
    print(string.format("learned accuracy of %-15s %.3f", name, lm.accuracies[name]))
  end
  local g = lm.gold.train
  print(string.format("label model: %.4f of %d train rows right (majority vote %.4f)",
                      g.accuracy, g.rows, g.majority_accuracy))
  for _, n in ipairs { "weakly_supervised", "fully_supervised" } do
    local o = r.nodes["evaluate_" .. n].outputs.evaluation.properties.overall
    print(string.format("%-18s eval accuracy %.4f on %d rows", n, o.accuracy, o.rows))
  end
end
