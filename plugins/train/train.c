/* train: the built-in trainers (ridge, logistic regression) and the Model
 * artifact type they and every other trainer write. */
#include <mlpipe/mlpipe.h>

#include "linear.h"
#include "view.h"

static int run_ridge(mlp_ctx *ctx) { return mlp_train_run(ctx, &ridge_trainer); }
static int run_logistic(mlp_ctx *ctx) { return mlp_train_run(ctx, &logistic_trainer); }

static const mlp_param_spec ridge_params[] = {
    MLP_TRAIN_PARAMS,
    { "alpha", MLP_PARAM_FLOAT, "1.0", MLP_PARAM_HAS_MIN, 0, 0, NULL,
      "L2 penalty on the coefficients (scikit-learn's alpha); 0 gives least squares" },
    { "fit_intercept", MLP_PARAM_BOOL, "true", 0, 0, 0, NULL,
      "fit an unpenalised intercept (the features and target are centred)" },
    MLP_PARAMS_END
};

static const mlp_param_spec logistic_params[] = {
    MLP_TRAIN_PARAMS,
    { "l2", MLP_PARAM_FLOAT, "1.0", MLP_PARAM_HAS_MIN, 0, 0, NULL,
      "L2 penalty: the objective is sum_i w_i loss_i + l2 / 2 |coef|^2, so l2 is "
      "scikit-learn's 1 / C; 0 for none" },
    { "max_iter", MLP_PARAM_INT, "100", MLP_PARAM_HAS_MIN, 1, 0, NULL,
      "L-BFGS iterations at most" },
    { "tol", MLP_PARAM_FLOAT, "1e-4", MLP_PARAM_HAS_MIN | MLP_PARAM_MIN_EXCLUSIVE, 0, 0,
      NULL, "stop when no component of the gradient of the mean loss exceeds this" },
    { "fit_intercept", MLP_PARAM_BOOL, "true", 0, 0, 0, NULL,
      "fit an unpenalised intercept per score" },
    MLP_PARAMS_END
};

static const mlp_component components[] = {
    { "ridge", MLP_STAGE_TRAIN, "Linear regression with an L2 penalty, in closed form "
      "through LAPACK (scikit-learn's Ridge)", mlp_train_inputs, mlp_train_outputs,
      ridge_params, run_ridge, { &ridge_trainer } },
    { "logistic_regression", MLP_STAGE_TRAIN, "Binary or multinomial logistic regression "
      "fitted by L-BFGS (scikit-learn's LogisticRegression)", mlp_train_inputs,
      mlp_train_outputs, logistic_params, run_logistic, { &logistic_trainer } },
    MLP_COMPONENTS_END
};

static const mlp_type_desc types[] = {
    { MLP_TYPE_MODEL, "a trained model: model.json, weights.bin, and the transform "
      "graph it predicts through (mlpipe/model.h)",
      "{\"properties\": {\"trainer\": \"string\", \"task\": \"string\"}, "
      "\"files\": [\"model.json\", \"weights.bin\"]}",
      train_model_view, train_model_view, { NULL } },
    MLP_TYPES_END
};

MLP_PLUGIN_DEFINE_TYPES(train, "train", "0.1.0", "MIT",
                        "trainers: ridge and logistic regression through OpenBLAS",
                        components, types, NULL, NULL);
