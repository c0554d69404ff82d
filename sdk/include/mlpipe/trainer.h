/* Trainers: the interface a model-fitting plugin implements.
 *
 * A trainer is a component of stage MLP_STAGE_TRAIN whose descriptor entry
 * also points at an mlp_trainer (ABI 1.2, mlp_component.trainer): five
 * functions that fit a model on rows, predict from it, and save and load
 * its weights.  Everything around them -- reading the Examples, checking
 * and weighting the rows, the classes, progress, the training curve, the
 * Model artifact and its checksummed weights file -- is mlp_train_run()'s,
 * so a trainer's run function is one line:
 *
 *   static int run(mlp_ctx *ctx) { return mlp_train_run(ctx, &my_trainer); }
 *
 * and its parameter list starts with MLP_TRAIN_PARAMS.  Because every
 * Model names the component that made it, evaluation, model-based
 * selection and `mlpipe predict` load a third-party trainer's models
 * through the same five functions (mlpipe/model.h) with nothing else to
 * register.
 *
 * Rows reach a trainer as float64 columns with no missing value and no
 * infinity (mlp_train_run refuses those, naming the feature and the
 * row), the target as a value (regression) or a class index (0 ..
 * n_classes - 1, the classes in mlpipe/classes.h order), and a weight per
 * row with the class weights folded in.
 *
 * Determinism: a trainer must give bit-identical weights for the same
 * rows, parameters and seed on the same machine and thread count; draw
 * randomness only from spec->seed.
 */
#ifndef MLPIPE_TRAINER_H
#define MLPIPE_TRAINER_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include <mlpipe/context.h>
#include <mlpipe/error.h>
#include <mlpipe/plugin.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum mlp_model_task {
    MLP_TASK_REGRESSION = 1,
    MLP_TASK_CLASSIFICATION = 2
} mlp_model_task;

/* Rows as a trainer sees them.  Column-major float64 by default:
 * feature j of row i is x[j * ld + i], so a feature is one contiguous run
 * and rows r .. r + k of a larger block are the block at x + r with the
 * same ld.  A trainer that declares MLP_ROWS_F32 gets its train and eval
 * rows instead as row-major float32 in xf (feature j of row i at
 * xf[i * n_features + j], x NULL): what mini-batches gather by row, at
 * half the memory.  predict always gets column-major x.  All pointers
 * are borrowed for the call. */
typedef struct mlp_rows {
    size_t n_rows, n_features;
    const double *x;
    size_t ld;                 /* >= n_rows */
    const float *xf;           /* row-major, with MLP_ROWS_F32; else NULL */
    const double *y;           /* n_rows targets (value or class index);
                                  NULL when predicting */
    const double *w;           /* n_rows weights > 0, or NULL: all 1 */
} mlp_rows;

/* One point of the training curve: after an epoch (iterative trainers)
 * or once (closed-form ones). */
typedef struct mlp_epoch {
    size_t epoch;              /* from 1 */
    double loss;               /* the training objective, penalty included */
    double eval_loss;          /* on the eval rows (log loss or MSE); NaN
                                  when there are none */
    double eval_metric;        /* accuracy or R^2 on the eval rows; NaN
                                  when there are none */
    double rows_per_s;         /* training rows processed per second */
    size_t max_epochs;         /* the trainer's limit, for progress; 0 when
                                  it cannot tell */
} mlp_epoch;

typedef struct mlp_fit_spec mlp_fit_spec;
struct mlp_fit_spec {
    mlp_model_task task;
    size_t n_classes;          /* classification: >= 2; regression: 0 */
    size_t n_features;
    const char *const *features;   /* their names, n_features */
    const cJSON *params;       /* object: the component's parameters,
                                  checked, defaults filled; borrowed */
    uint64_t seed;
    int threads;               /* worker threads the trainer may use */
    /* Call after every epoch (mlp_fit_report does): records the curve
     * and reports progress.  Non-zero means stop now (the run was
     * cancelled): return MLP_ECANCELED. */
    int (*epoch)(void *user, const mlp_epoch *e);
    void *user;
    /* MLP_ROWS_STREAM trainers only (0 and NULL for the others): the
     * train rows are not in memory; train->x and train->xf are NULL
     * (train->y and train->w still hold every row's target and weight),
     * and block(spec, b, &rows, err) reads block b (0 .. n_blocks - 1, in
     * any order, as often as wanted) as column-major float64 rows with
     * their targets and weights, checked as mlp_train_run checks them.
     * rows point into the reader's buffers, valid until the next call;
     * rows.y[i] is train->y[first + i] with first the block's first row,
     * given in *first when first is not NULL.  n_blocks 0 (mlp_fitter
     * fits subsets in memory) means the rows are in train->x, column-
     * major, as for MLP_ROWS_F64_COLUMNS. */
    size_t n_blocks;
    int (*block)(const mlp_fit_spec *spec, size_t b, mlp_rows *rows, size_t *first,
                 mlp_error *err);
    void *stream;
};

/* What a model writes when saved and reads when loaded.  Tensors are
 * float64 arrays of a given shape, stored in the model's weights file
 * under a name with a checksum each; members are JSON values kept in the
 * model's document (its architecture: layer sizes, activation, the
 * hyper-parameters that shaped the weights).  The member "coefficients"
 * is special: an array of { feature, class (optional), value } that the
 * Model view lists as the largest coefficients. */
typedef struct mlp_model_out mlp_model_out;
typedef struct mlp_model_in mlp_model_in;

/* Copies data (rows x cols values, row-major). */
int mlp_model_put_tensor(mlp_model_out *o, const char *name, size_t rows,
                         size_t cols, const double *data, mlp_error *err);
/* Takes ownership of value, also on failure. */
int mlp_model_put(mlp_model_out *o, const char *key, cJSON *value,
                  mlp_error *err);

/* *data (borrowed from in, valid until load returns: copy what the model
 * keeps) gets tensor name, which must have exactly rows x cols values;
 * a missing tensor or another shape is refused naming the file. */
int mlp_model_get_tensor(const mlp_model_in *in, const char *name,
                         size_t rows, size_t cols, const double **data,
                         mlp_error *err);
/* Member key of the document, or NULL; borrowed. */
const cJSON *mlp_model_get(const mlp_model_in *in, const char *key);
mlp_model_task mlp_model_in_task(const mlp_model_in *in);
size_t mlp_model_in_n_classes(const mlp_model_in *in);
size_t mlp_model_in_n_features(const mlp_model_in *in);
/* The component's parameters the model was trained with; borrowed. */
const cJSON *mlp_model_in_params(const mlp_model_in *in);

#define MLP_TRAINS_REGRESSION (1u << MLP_TASK_REGRESSION)
#define MLP_TRAINS_CLASSIFICATION (1u << MLP_TASK_CLASSIFICATION)
#define MLP_ROWS_F64_COLUMNS 0u
#define MLP_ROWS_F32 1u
/* Rows read a block (a row group of the split's table file) at a time
 * through spec->block, so a split larger than memory can be fitted; the
 * eval rows still come whole, column-major. */
#define MLP_ROWS_STREAM 2u

typedef struct mlp_trainer {
    uint32_t struct_size;      /* sizeof(mlp_trainer) when built */
    const char *family;        /* "linear", "mlp", ...: shown in views */
    unsigned tasks;            /* MLP_TRAINS_* it can learn */
    unsigned layout;           /* MLP_ROWS_F64_COLUMNS, MLP_ROWS_F32 or
                                  MLP_ROWS_STREAM */
    /* Fits a model on train; eval (NULL when there is no eval split) is
     * only for the curve and early stopping, never for the weights.
     * *model is the trainer's own state, freed with free(). */
    int (*fit)(const mlp_fit_spec *spec, const mlp_rows *train,
               const mlp_rows *eval, void **model, mlp_error *err);
    /* out: x->n_rows rows of n_classes probabilities (classification,
     * each row summing to 1) or of 1 value (regression), row-major. */
    int (*predict)(const void *model, const mlp_rows *x, double *out,
                   mlp_error *err);
    int (*save)(const void *model, mlp_model_out *o, mlp_error *err);
    int (*load)(const mlp_model_in *in, void **model, mlp_error *err);
    void (*free)(void *model);
    /* May be NULL.  One number >= 0 per feature, larger meaning more
     * important: what recursive feature elimination ranks by (for linear
     * models the squared coefficients, summed over classes, as
     * scikit-learn's RFE). */
    int (*importance)(const void *model, double *out, mlp_error *err);
} mlp_trainer;

/* Parameters every trainer component takes, first in its list, read by
 * mlp_train_run (docs/stages.md describes them):
 *   static const mlp_param_spec params[] = { MLP_TRAIN_PARAMS,
 *       { "l2", MLP_PARAM_FLOAT, ... }, MLP_PARAMS_END };
 * A trainer's own parameters reach fit() in spec->params beside these. */
#define MLP_TRAIN_PARAMS                                                     \
    { "label", MLP_PARAM_STRING, "null", 0, 0, 0, NULL,                      \
      "the target column (default: the Examples' label)" },                  \
    { "features", MLP_PARAM_LIST, "[]", MLP_PARAM_OF(MLP_PARAM_STRING), 0,   \
      0, NULL, "columns (names or glob patterns) the model reads; default: " \
      "every numeric column but the label" },                                \
    { "train_split", MLP_PARAM_STRING, "\"train\"", 0, 0, 0, NULL,           \
      "the split the weights are fitted on" },                               \
    { "eval_split", MLP_PARAM_STRING, "null", 0, 0, 0, NULL,                 \
      "the split the training curve is scored on (and early stopping "       \
      "watches); default: \"eval\" when there is one, \"\" for none" },      \
    { "task", MLP_PARAM_ENUM, "\"auto\"", 0, 0, 0, mlp_train_tasks,          \
      "classification or regression; auto: the trainer's only task, else "   \
      "classification for a categorical label (a numeric one must say)" },   \
    { "class_weight", MLP_PARAM_ENUM, "\"none\"", 0, 0, 0,                   \
      mlp_train_class_weight_modes,                                          \
      "balanced: weight each class by n_rows / (n_classes * its rows), as "  \
      "scikit-learn's class_weight='balanced'" },                            \
    { "class_weights", MLP_PARAM_MAP, "{}", MLP_PARAM_HAS_MIN |              \
      MLP_PARAM_MIN_EXCLUSIVE | MLP_PARAM_HAS_MAX, 0, 1e6, NULL,             \
      "class -> weight (multiplies class_weight's); classes not named "      \
      "weigh 1" },                                                           \
    { "missing_label", MLP_PARAM_ENUM, "\"error\"", 0, 0, 0,                 \
      mlp_train_missing_label_modes,                                          \
      "a row whose label is missing: error, or skip (left out and counted)" }, \
    { "targets", MLP_PARAM_ENUM, "\"hard\"", 0, 0, 0, mlp_train_target_modes, \
      "classifiers: hard (the label column) or soft (the class probabilities " \
      "a label model wrote, label_probabilities)" },                          \
    { "seed", MLP_PARAM_INT, "0", MLP_PARAM_HAS_MIN, 0, 0, NULL,             \
      "seeds every random choice: the same seed gives the same weights" },   \
    { "threads", MLP_PARAM_INT, "2", MLP_PARAM_HAS_MIN | MLP_PARAM_HAS_MAX,  \
      1, 64, NULL, "threads the trainer and its BLAS may use" }
extern const char *const mlp_train_tasks[];
extern const char *const mlp_train_class_weight_modes[];
extern const char *const mlp_train_missing_label_modes[];
extern const char *const mlp_train_target_modes[];

/* Ports every trainer component has (use them as its inputs and
 * outputs): examples (and an optional transform_graph copied into the
 * model, so a Model predicts from raw rows) in, model out. */
extern const mlp_port mlp_train_inputs[];
extern const mlp_port mlp_train_outputs[];

/* The whole run of a trainer component: reads the train (and eval) rows,
 * fits with t, writes the Model artifact.  Failures are reported through
 * the context; returns its code. */
int mlp_train_run(mlp_ctx *ctx, const mlp_trainer *t);

/* Scores predictions (as t->predict writes them) against rows->y,
 * weighted by rows->w: *loss gets the log loss (classification, as
 * scikit-learn 1.2's log_loss: clipped to [eps, 1 - eps], each row
 * renormalised; a class the model lacks counts as probability eps) or
 * the mean squared error; *metric the accuracy or R^2. */
void mlp_fit_score(mlp_model_task task, size_t n_classes, const mlp_rows *rows,
                   const double *pred, double *loss, double *metric);

/* Calls spec->epoch with e, after filling eval_loss and eval_metric from
 * pred_eval (predictions for eval, or NULL).  Returns its answer. */
int mlp_fit_report(const mlp_fit_spec *spec, mlp_epoch *e, const mlp_rows *eval,
                   const double *pred_eval);

#ifdef __cplusplus
}
#endif
#endif
