/* The label plugin's descriptor: apply_lfs and label_model, and the
 * Labels and LabelModel artifact types. */
#include "label.h"

int lab_apply_run(mlp_ctx *ctx);
int lab_model_run(mlp_ctx *ctx);
int lab_propagate_run(mlp_ctx *ctx);
int lab_select_run(mlp_ctx *ctx);
int lab_label_run(mlp_ctx *ctx);
int lab_curve_run(mlp_ctx *ctx);
int lab_curve_view(const mlp_artifact *a, mlp_view *v, mlp_error *err);
int lab_query_view(const mlp_artifact *a, mlp_view *v, mlp_error *err);
int lab_labels_view(const mlp_artifact *a, mlp_view *v, mlp_error *err);
int lab_model_view(const mlp_artifact *a, mlp_view *v, mlp_error *err);

static const char *const on_error_modes[] = { "fail", "abstain", NULL };
static const char *const methods[] = { "dawid_skene", "majority", NULL };
static const char *const tie_modes[] = { "abstain", "random", NULL };
static const char *const uncovered_modes[] = { "drop", "keep", NULL };
static const char *const propagation_methods[] = { "propagation", "spreading", NULL };
static const char *const kernels[] = { "rbf", "knn", NULL };
static const char *const curve_metrics[] = { "accuracy", "log_loss", "r2", "mse", NULL };
static const char *const strategies[] = { "least_confidence", "margin", "entropy", "random",
                                          NULL };

static const mlp_port apply_inputs[] = {
    { "examples", MLP_TYPE_EXAMPLES, 0, "the rows to label" },
    MLP_PORTS_END
};
static const mlp_port apply_outputs[] = {
    { "labels", MLP_TYPE_LABELS, 0, "one vote per labeling function per row, and the LF "
      "analysis of each split" },
    MLP_PORTS_END
};
static const mlp_param_spec apply_params[] = {
    { "lfs", MLP_PARAM_LIST, NULL,
      MLP_PARAM_REQUIRED | MLP_PARAM_LFS | MLP_PARAM_OF(MLP_PARAM_STRING), 0, 0, NULL,
      "the labeling functions (mp.lf) to apply, in the order of the Labels' columns" },
    { "classes", MLP_PARAM_LIST, NULL, MLP_PARAM_REQUIRED | MLP_PARAM_OF(MLP_PARAM_STRING),
      0, 0, NULL, "the class names an LF may return, in order (at least 2)" },
    { "gold", MLP_PARAM_STRING, "null", 0, 0, 0, NULL,
      "a column holding known labels for some rows: each LF's empirical accuracy is "
      "measured on them" },
    { "on_error", MLP_PARAM_ENUM, "\"fail\"", 0, 0, 0, on_error_modes,
      "an LF that raises an error: fail the node naming the LF and row, or count the call "
      "as an abstention (counted per LF in the analysis)" },
    { "splits", MLP_PARAM_LIST, "[]", MLP_PARAM_OF(MLP_PARAM_STRING), 0, 0, NULL,
      "the splits to label; default: all" },
    { "threads", MLP_PARAM_INT, "0", MLP_PARAM_HAS_MIN | MLP_PARAM_HAS_MAX |
      MLP_PARAM_NO_CACHE_KEY, 0, 256, NULL,
      "worker processes, each with its own Lua state; 0: one per CPU" },
    MLP_PARAMS_END
};

static const mlp_port model_inputs[] = {
    { "labels", MLP_TYPE_LABELS, 0, "the votes (apply_lfs)" },
    { "examples", MLP_TYPE_EXAMPLES, 0, "the Examples the votes were cast on" },
    MLP_PORTS_END
};
static const mlp_port model_outputs[] = {
    { "examples", MLP_TYPE_EXAMPLES, 0, "the Examples with the label column (the most "
      "probable class) and <label>_proba (class probabilities) in the labelled splits" },
    { "label_model", LAB_TYPE_LABEL_MODEL, 0, "what the model learned: each LF's accuracy, "
      "the class balance; accuracy against gold labels when the Labels have them" },
    MLP_PORTS_END
};
static const mlp_param_spec model_params[] = {
    { "method", MLP_PARAM_ENUM, "\"dawid_skene\"", 0, 0, 0, methods,
      "dawid_skene: learns each LF's confusion matrix and the class balance by EM, without "
      "labels; majority: the class with most votes" },
    { "fit_split", MLP_PARAM_STRING, "\"train\"", 0, 0, 0, NULL,
      "the split whose votes fit the model" },
    { "label_splits", MLP_PARAM_LIST, "[\"train\"]", MLP_PARAM_OF(MLP_PARAM_STRING), 0, 0,
      NULL, "the splits that get the model's labels; the others pass through unchanged" },
    { "label", MLP_PARAM_STRING, "null", 0, 0, 0, NULL,
      "the label column written; default: the Examples' label, else \"label\"" },
    { "class_balance", MLP_PARAM_MAP, "{}", MLP_PARAM_HAS_MIN, 0, 0, NULL,
      "class -> share (normalised) to hold fixed; default: learned (dawid_skene)" },
    { "uncovered", MLP_PARAM_ENUM, "\"drop\"", 0, 0, 0, uncovered_modes,
      "rows no LF voted on (and ties, below): drop them, or keep them with the label "
      "missing" },
    { "tie_break", MLP_PARAM_ENUM, "\"abstain\"", 0, 0, 0, tie_modes,
      "classes equally probable: no label (abstain), or one drawn from the seed" },
    { "seed", MLP_PARAM_INT, "0", MLP_PARAM_HAS_MIN, 0, 0, NULL, "seed of the tie draws" },
    { "max_iter", MLP_PARAM_INT, "200", MLP_PARAM_HAS_MIN | MLP_PARAM_HAS_MAX, 1, 100000,
      NULL, "dawid_skene: EM iterations at most" },
    { "tol", MLP_PARAM_FLOAT, "1e-8", MLP_PARAM_HAS_MIN | MLP_PARAM_MIN_EXCLUSIVE, 0, 0,
      NULL, "dawid_skene: stop when the log-likelihood per row changes by less (relative)" },
    { "smoothing", MLP_PARAM_FLOAT, "0.01", MLP_PARAM_HAS_MIN | MLP_PARAM_MIN_EXCLUSIVE, 0,
      0, NULL, "dawid_skene: pseudo-votes added to every cell of each LF's confusion matrix" },
    MLP_PARAMS_END
};

static const mlp_port prop_inputs[] = {
    { "examples", MLP_TYPE_EXAMPLES, 0, "rows of which some have a label (the rest have it "
      "missing)" },
    MLP_PORTS_END
};
static const mlp_port prop_outputs[] = {
    { "examples", MLP_TYPE_EXAMPLES, 0, "the split with its missing labels filled and "
      "<label>_proba; property `propagation`" },
    MLP_PORTS_END
};
static const mlp_param_spec prop_params[] = {
    { "method", MLP_PARAM_ENUM, "\"propagation\"", 0, 0, 0, propagation_methods,
      "propagation (LabelPropagation: labelled rows held fixed) or spreading "
      "(LabelSpreading: normalised graph, labels may soften)" },
    { "kernel", MLP_PARAM_ENUM, "\"rbf\"", 0, 0, 0, kernels,
      "rbf: dense graph exp(-gamma d^2) (under 30,000 rows); knn: each row to its "
      "n_neighbors nearest" },
    { "gamma", MLP_PARAM_FLOAT, "20", MLP_PARAM_HAS_MIN | MLP_PARAM_MIN_EXCLUSIVE, 0, 0, NULL,
      "rbf: the kernel's width" },
    { "n_neighbors", MLP_PARAM_INT, "7", MLP_PARAM_HAS_MIN | MLP_PARAM_HAS_MAX, 1, 10000, NULL,
      "knn: neighbours per row, the row itself included" },
    { "alpha", MLP_PARAM_FLOAT, "0.2", MLP_PARAM_HAS_MIN | MLP_PARAM_HAS_MAX |
      MLP_PARAM_MIN_EXCLUSIVE, 0, 1, NULL,
      "spreading: the share of a row's distribution taken from its neighbours (below 1)" },
    { "max_iter", MLP_PARAM_INT, "null", MLP_PARAM_HAS_MIN, 1, 0, NULL,
      "iterations at most; default 1000 (propagation) or 30 (spreading), as scikit-learn" },
    { "tol", MLP_PARAM_FLOAT, "1e-3", MLP_PARAM_HAS_MIN | MLP_PARAM_MIN_EXCLUSIVE, 0, 0, NULL,
      "stop when the distributions change by less, summed over rows and classes" },
    { "split", MLP_PARAM_STRING, "\"train\"", 0, 0, 0, NULL,
      "the split whose labelled rows seed the graph and whose unlabelled rows are filled" },
    { "label", MLP_PARAM_STRING, "null", 0, 0, 0, NULL,
      "the label column; default: the Examples' label" },
    { "features", MLP_PARAM_LIST, "[]", MLP_PARAM_OF(MLP_PARAM_STRING), 0, 0, NULL,
      "numeric columns the distances use; default: every numeric column but the label" },
    { "threads", MLP_PARAM_INT, "0", MLP_PARAM_HAS_MIN | MLP_PARAM_HAS_MAX |
      MLP_PARAM_NO_CACHE_KEY, 0, 256, NULL, "threads; 0: one per CPU" },
    MLP_PARAMS_END
};

static const mlp_port select_inputs[] = {
    { "model", MLP_TYPE_MODEL, 0, "the model trained on the rows labelled so far" },
    { "examples", MLP_TYPE_EXAMPLES, 0, "the Examples whose pool split is searched" },
    MLP_PORTS_END
};
static const mlp_port select_outputs[] = {
    { "query", "Query", 0, "the pool rows to label next, most uncertain first" },
    MLP_PORTS_END
};
static const mlp_param_spec select_params[] = {
    { "strategy", MLP_PARAM_ENUM, "\"least_confidence\"", 0, 0, 0, strategies,
      "least_confidence (1 - top probability), margin (top two closest), entropy, or "
      "random (the baseline)" },
    { "batch", MLP_PARAM_INT, "10", MLP_PARAM_HAS_MIN, 1, 0, NULL, "rows to select" },
    { "pool", MLP_PARAM_STRING, "\"pool\"", 0, 0, 0, NULL, "the split of unlabelled rows" },
    { "seed", MLP_PARAM_INT, "0", MLP_PARAM_HAS_MIN, 0, 0, NULL,
      "random: the draw; otherwise the order of equal scores" },
    MLP_PARAMS_END
};
static const mlp_port alabel_inputs[] = {
    { "examples", MLP_TYPE_EXAMPLES, 0, "the Examples al_select read" },
    { "query", "Query", 0, "the rows to label (al_select)" },
    MLP_PORTS_END
};
static const mlp_port alabel_outputs[] = {
    { "examples", MLP_TYPE_EXAMPLES, 0, "the Examples with the answered rows moved from the "
      "pool to the train split; property `active_learning` lists the rounds" },
    MLP_PORTS_END
};
static const mlp_param_spec alabel_params[] = {
    { "oracle_file", MLP_PARAM_STRING, "null", MLP_PARAM_FILE, 0, 0, NULL,
      "a CSV file of answers, a person's stand-in: a header with key and the label column, "
      "then one row per answered key (an empty label: no answer)" },
    { "key", MLP_PARAM_STRING, "null", 0, 0, 0, NULL,
      "oracle_file: the column naming a row, in the Examples and in the file" },
    { "oracle_label", MLP_PARAM_STRING, "null", 0, 0, 0, NULL,
      "oracle_file: its label column; default: the Examples' label's name" },
    { "oracle", MLP_PARAM_LIST, "[]", MLP_PARAM_LFS | MLP_PARAM_OF(MLP_PARAM_STRING), 0, 0,
      NULL, "or a labeling function (mp.lf) answering for each row (abstaining: no answer)" },
    { "classes", MLP_PARAM_LIST, "[]", MLP_PARAM_OF(MLP_PARAM_STRING), 0, 0, NULL,
      "oracle: the class names it may return" },
    { "train", MLP_PARAM_STRING, "\"train\"", 0, 0, 0, NULL, "the split labelled rows join" },
    { "label", MLP_PARAM_STRING, "null", 0, 0, 0, NULL,
      "the label column; default: the Examples' label" },
    MLP_PARAMS_END
};
static const mlp_port curve_inputs[] = {
    { "models", MLP_TYPE_MODEL, MLP_PORT_MULTIPLE, "the models of every round, each with an "
      "eval split score" },
    MLP_PORTS_END
};
static const mlp_port curve_outputs[] = {
    { "curve", "LearningCurve", 0, "score against labelled rows, per series" },
    MLP_PORTS_END
};
static const mlp_param_spec curve_params[] = {
    { "series", MLP_PARAM_LIST, NULL, MLP_PARAM_REQUIRED | MLP_PARAM_OF(MLP_PARAM_STRING), 0,
      0, NULL, "the series of each model, in order (the first series is the baseline)" },
    { "metric", MLP_PARAM_ENUM, "\"accuracy\"", 0, 0, 0, curve_metrics,
      "the model's eval metric plotted: accuracy, log_loss (lower is better), r2, mse "
      "(lower is better)" },
    MLP_PARAMS_END
};

static const mlp_component components[] = {
    { "apply_lfs", MLP_STAGE_LABEL,
      "Applies labeling functions (mp.lf) to every row in parallel: the Labels matrix and "
      "Snorkel's LF analysis", apply_inputs, apply_outputs, apply_params, lab_apply_run,
      { NULL } },
    { "label_model", MLP_STAGE_LABEL,
      "Labels from LF votes: majority vote or a Dawid-Skene generative model, with class "
      "probabilities for soft targets", model_inputs, model_outputs, model_params,
      lab_model_run, { NULL } },
    { "label_propagation", MLP_STAGE_LABEL,
      "Semi-supervised labels over a k-NN or RBF graph: label propagation or spreading, as "
      "scikit-learn's", prop_inputs, prop_outputs, prop_params, lab_propagate_run, { NULL } },
    { "al_select", MLP_STAGE_LABEL,
      "Active learning: the pool rows a model is least sure of (least confidence, margin, "
      "entropy) or a seeded random batch", select_inputs, select_outputs, select_params,
      lab_select_run, { NULL } },
    { "al_label", MLP_STAGE_LABEL,
      "Active learning: an oracle (labels file or labeling function) labels the queried rows, "
      "which move from the pool to the train split", alabel_inputs, alabel_outputs,
      alabel_params, lab_label_run, { NULL } },
    { "al_curve", MLP_STAGE_ANALYZE,
      "Learning curves of active learning rounds: eval score against labelled rows, per "
      "strategy", curve_inputs, curve_outputs, curve_params, lab_curve_run, { NULL } },
    MLP_COMPONENTS_END
};

static const mlp_type_desc types[] = {
    { MLP_TYPE_LABELS, "labeling functions' votes: per split a table of one categorical "
      "column per LF (missing = abstain), and the LF analysis",
      "{\"properties\": {\"splits\": \"array\", \"classes\": \"array\", \"lfs\": \"array\", "
      "\"analysis\": \"object\", \"examples\": \"integer\"}, "
      "\"each\": {\"property\": \"splits\", \"files\": [\"{}.mlpt\"]}}",
      lab_labels_view, lab_labels_view, { NULL } },
    { LAB_TYPE_LABEL_MODEL, "a label model: method, each LF's learned accuracy, class balance",
      "{\"properties\": {\"method\": \"string\", \"classes\": \"array\"}, "
      "\"files\": [\"model.json\"]}", lab_model_view, lab_model_view, { NULL } },
    { "Query", "pool rows an active learner asks to have labelled",
      "{\"properties\": {\"rows\": \"array\", \"pool\": \"string\", "
      "\"strategy\": \"string\", \"examples\": \"integer\", \"pool_rows\": \"integer\"}, "
      "\"files\": [\"query.json\"]}", lab_query_view, lab_query_view, { NULL } },
    { "LearningCurve", "a score against labelled rows, per active learning strategy",
      "{\"properties\": {\"series\": \"array\", \"metric\": \"string\"}, "
      "\"files\": [\"curve.json\"]}", lab_curve_view, lab_curve_view, { NULL } },
    MLP_TYPES_END
};

MLP_PLUGIN_DEFINE_TYPES(label, "label", "0.1.0", "MIT",
                        "weak supervision: labeling functions, LF analysis, label models",
                        components, types, NULL, NULL);
