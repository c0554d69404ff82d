/* train: the built-in trainers (ridge, logistic regression) and the Model
 * artifact type they and every other trainer write. */
#include <mlpipe/mlpipe.h>

#include "linear.h"
#include "view.h"

static int run_ridge(mlp_ctx *ctx) { return mlp_train_run(ctx, &ridge_trainer); }
static int run_logistic(mlp_ctx *ctx) { return mlp_train_run(ctx, &logistic_trainer); }
static int run_mlp_classifier(mlp_ctx *ctx)
{
    return mlp_train_run(ctx, &mlp_classifier_trainer);
}
static int run_mlp_regressor(mlp_ctx *ctx) { return mlp_train_run(ctx, &mlp_regressor_trainer); }
static int run_sgd(mlp_ctx *ctx) { return mlp_train_run(ctx, &sgd_regressor_trainer); }

static const char *const activations[] = { "relu", "tanh", "logistic", NULL };
static const char *const solvers[] = { "adam", "sgd", NULL };
static const char *const rates[] = { "invscaling", "constant", NULL };

static const mlp_param_spec mlp_params[] = {
    MLP_TRAIN_PARAMS,
    { "hidden", MLP_PARAM_LIST, "[100]", MLP_PARAM_OF(MLP_PARAM_INT) | MLP_PARAM_HAS_MIN |
      MLP_PARAM_HAS_MAX, 1, 65536, NULL, "units of each hidden layer, in order "
      "(scikit-learn's hidden_layer_sizes)" },
    { "activation", MLP_PARAM_ENUM, "\"relu\"", 0, 0, 0, activations,
      "the hidden units: relu, tanh or logistic" },
    { "solver", MLP_PARAM_ENUM, "\"adam\"", 0, 0, 0, solvers,
      "adam, or sgd with momentum" },
    { "learning_rate", MLP_PARAM_FLOAT, "0.001", MLP_PARAM_HAS_MIN | MLP_PARAM_MIN_EXCLUSIVE,
      0, 0, NULL, "the step size (scikit-learn's learning_rate_init), constant" },
    { "momentum", MLP_PARAM_FLOAT, "0.9", MLP_PARAM_HAS_MIN | MLP_PARAM_HAS_MAX, 0, 1, NULL,
      "sgd: momentum" },
    { "nesterov", MLP_PARAM_BOOL, "true", 0, 0, 0, NULL, "sgd: Nesterov's momentum" },
    { "alpha", MLP_PARAM_FLOAT, "0.0001", MLP_PARAM_HAS_MIN, 0, 0, NULL,
      "weight decay: the loss adds alpha / 2 |W|^2 per batch row, as scikit-learn's" },
    { "batch_size", MLP_PARAM_INT, "200", MLP_PARAM_HAS_MIN, 1, 0, NULL,
      "rows per mini-batch (all rows when fewer)" },
    { "epochs", MLP_PARAM_INT, "200", MLP_PARAM_HAS_MIN, 1, 0, NULL,
      "passes over the train rows at most (scikit-learn's max_iter)" },
    { "dropout", MLP_PARAM_FLOAT, "0", MLP_PARAM_HAS_MIN | MLP_PARAM_HAS_MAX, 0, 0.95, NULL,
      "the share of hidden units dropped in each batch while training" },
    { "early_stopping", MLP_PARAM_BOOL, "false", 0, 0, 0, NULL,
      "stop when the eval loss has not improved by tol for n_iter_no_change epochs, and "
      "keep the best weights" },
    { "n_iter_no_change", MLP_PARAM_INT, "10", MLP_PARAM_HAS_MIN, 1, 0, NULL,
      "epochs without improvement before early stopping" },
    { "tol", MLP_PARAM_FLOAT, "0.0001", MLP_PARAM_HAS_MIN, 0, 0, NULL,
      "the improvement early stopping waits for" },
    MLP_PARAMS_END
};

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
    { "l1", MLP_PARAM_FLOAT, "0", MLP_PARAM_HAS_MIN, 0, 0, NULL,
      "L1 penalty, adding l1 |coef|_1 (fitted by OWL-QN): scikit-learn's penalty='l1' is "
      "l1 = 1 / C, l2 = 0; elasticnet is l1 = l1_ratio / C, l2 = (1 - l1_ratio) / C" },
    { "max_iter", MLP_PARAM_INT, "100", MLP_PARAM_HAS_MIN, 1, 0, NULL,
      "L-BFGS iterations at most" },
    { "tol", MLP_PARAM_FLOAT, "1e-4", MLP_PARAM_HAS_MIN | MLP_PARAM_MIN_EXCLUSIVE, 0, 0,
      NULL, "stop when no component of the gradient of the mean loss (with l1, its "
      "pseudo-gradient) exceeds this" },
    { "fit_intercept", MLP_PARAM_BOOL, "true", 0, 0, 0, NULL,
      "fit an unpenalised intercept per score" },
    MLP_PARAMS_END
};

static const mlp_param_spec sgd_params[] = {
    MLP_TRAIN_PARAMS,
    { "alpha", MLP_PARAM_FLOAT, "0.0001", MLP_PARAM_HAS_MIN, 0, 0, NULL,
      "penalty strength (scikit-learn's alpha: the mean loss adds alpha |coef|^2 / 2 with "
      "l1_ratio 0, so Ridge's alpha is n_rows x this)" },
    { "l1_ratio", MLP_PARAM_FLOAT, "0", MLP_PARAM_HAS_MIN | MLP_PARAM_HAS_MAX, 0, 1, NULL,
      "the L1 share of the penalty: 0 is L2 (ridge), 1 is L1 (lasso), between is "
      "elastic net" },
    { "learning_rate", MLP_PARAM_ENUM, "\"invscaling\"", 0, 0, 0, rates,
      "invscaling: eta0 / t^power_t at step t; constant: eta0" },
    { "eta0", MLP_PARAM_FLOAT, "0.01", MLP_PARAM_HAS_MIN | MLP_PARAM_MIN_EXCLUSIVE, 0, 0,
      NULL, "the initial step size" },
    { "power_t", MLP_PARAM_FLOAT, "0.25", MLP_PARAM_HAS_MIN, 0, 0, NULL,
      "invscaling's exponent" },
    { "epochs", MLP_PARAM_INT, "1000", MLP_PARAM_HAS_MIN, 1, 0, NULL,
      "passes over the train rows at most (scikit-learn's max_iter)" },
    { "tol", MLP_PARAM_FLOAT, "0.001", MLP_PARAM_HAS_MIN, 0, 0, NULL,
      "stop after n_iter_no_change epochs whose mean loss did not fall below the best "
      "by this; 0 runs every epoch" },
    { "n_iter_no_change", MLP_PARAM_INT, "5", MLP_PARAM_HAS_MIN, 1, 0, NULL,
      "epochs without improvement before stopping" },
    { "average", MLP_PARAM_BOOL, "false", 0, 0, 0, NULL,
      "return the mean of every step's weights (averaged SGD), which settles where the "
      "last step's weights jitter" },
    { "shuffle", MLP_PARAM_BOOL, "true", 0, 0, 0, NULL,
      "visit the row groups, and the rows in each, in a new seeded order every epoch" },
    { "fit_intercept", MLP_PARAM_BOOL, "true", 0, 0, 0, NULL,
      "fit an unpenalised intercept" },
    MLP_PARAMS_END
};

static const mlp_component components[] = {
    { "ridge", MLP_STAGE_TRAIN, "Linear regression with an L2 penalty, in closed form "
      "through LAPACK (scikit-learn's Ridge)", mlp_train_inputs, mlp_train_outputs,
      ridge_params, run_ridge, { &ridge_trainer } },
    { "logistic_regression", MLP_STAGE_TRAIN, "Binary or multinomial logistic regression "
      "with L2, L1 or elastic-net penalties, fitted by L-BFGS or OWL-QN (scikit-learn's "
      "LogisticRegression)", mlp_train_inputs,
      mlp_train_outputs, logistic_params, run_logistic, { &logistic_trainer } },
    { "mlp_classifier", MLP_STAGE_TRAIN, "Multilayer perceptron classifier: softmax output, "
      "Adam or SGD, dropout, early stopping (scikit-learn's MLPClassifier)", mlp_train_inputs,
      mlp_train_outputs, mlp_params, run_mlp_classifier, { &mlp_classifier_trainer } },
    { "mlp_regressor", MLP_STAGE_TRAIN, "Multilayer perceptron regressor: identity output, "
      "squared error (scikit-learn's MLPRegressor)", mlp_train_inputs, mlp_train_outputs,
      mlp_params, run_mlp_regressor, { &mlp_regressor_trainer } },
    { "sgd_regressor", MLP_STAGE_TRAIN, "Linear regression by stochastic gradient descent "
      "over the split a row group at a time, for data larger than memory (scikit-learn's "
      "SGDRegressor)", mlp_train_inputs, mlp_train_outputs, sgd_params, run_sgd,
      { &sgd_regressor_trainer } },
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
                        "trainers: ridge, logistic regression and multilayer perceptrons through OpenBLAS",
                        components, types, NULL, NULL);
