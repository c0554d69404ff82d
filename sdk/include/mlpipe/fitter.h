/* Fitting a registry trainer in-process: what a component that needs many
 * fits of another component's model uses -- model-based feature selection
 * (recursive elimination, forward selection), and any search over
 * features or folds.
 *
 * A fitter reads one split of an Examples artifact once, as the named
 * trainer component would read it for mlp_train_run (same features, task,
 * classes, missing-label handling and class weights), and then fits that
 * trainer on any subset of its rows and features, scores the fits and
 * asks them for their feature importances.  Nothing is written: the fits
 * live in memory only.
 *
 * The trainer is named by a component parameter flagged
 * MLP_PARAM_TRAINER (plugin.h), so its name and parameters are checked
 * when the pipeline is defined and its code is part of the node's cache
 * fingerprint.
 */
#ifndef MLPIPE_FITTER_H
#define MLPIPE_FITTER_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include <mlpipe/artifact.h>
#include <mlpipe/context.h>
#include <mlpipe/error.h>
#include <mlpipe/trainer.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mlp_fitter mlp_fitter;
typedef struct mlp_fitted mlp_fitted;

typedef struct mlp_fitter_opts {
    const mlp_artifact *examples;
    const char *trainer;       /* a trainer component of the registry */
    const cJSON *params;       /* its parameters (as the node's
                                  MLP_PARAM_TRAINER companion holds them,
                                  defaults filled); borrowed */
    const char *split;         /* the rows read; NULL: params' train_split */
    const char *label;         /* NULL: params' label, else the Examples' */
    const cJSON *features;     /* selectors; NULL: params' features */
} mlp_fitter_opts;

/* Reads the rows.  Fails naming the split, feature, row and source line
 * of any value the trainer would refuse.  *out owned: mlp_fitter_close. */
int mlp_fitter_open(mlp_ctx *ctx, const mlp_fitter_opts *o, mlp_fitter **out,
                    mlp_error *err);
void mlp_fitter_close(mlp_fitter *f);

size_t mlp_fitter_n_rows(const mlp_fitter *f);
size_t mlp_fitter_n_features(const mlp_fitter *f);
/* Borrowed from f. */
const char *mlp_fitter_feature(const mlp_fitter *f, size_t j);
mlp_model_task mlp_fitter_task(const mlp_fitter *f);
/* Classification: the classes (mlpipe/classes.h order), borrowed; and
 * each row's class index (n_rows values, borrowed), which folds
 * stratify on.  Regression: NULL and the targets. */
const cJSON *mlp_fitter_classes(const mlp_fitter *f);
const double *mlp_fitter_targets(const mlp_fitter *f);
/* Rows the split had whose label was missing (missing_label = "skip"). */
size_t mlp_fitter_rows_skipped(const mlp_fitter *f);

/* A subset of the rows and of the features, as indexes (ascending or
 * not; a row may repeat).  NULL rows: every row; NULL cols: every
 * feature. */
typedef struct mlp_fit_subset {
    const size_t *rows;
    size_t n_rows;
    const size_t *cols;
    size_t n_cols;
} mlp_fit_subset;

/* Fits the trainer on s.  Class weights (class_weight = "balanced") are
 * computed on s's rows.  *out owned: mlp_fitted_free. */
int mlp_fitter_fit(mlp_fitter *f, const mlp_fit_subset *s, mlp_fitted **out,
                   mlp_error *err);

typedef enum mlp_fit_scoring {
    MLP_SCORE_ACCURACY = 1,    /* classification */
    MLP_SCORE_LOG_LOSS,        /* classification; reported negated */
    MLP_SCORE_R2,              /* regression */
    MLP_SCORE_MSE              /* regression; reported negated */
} mlp_fit_scoring;

/* Scores m on rows (indexes into f's rows; NULL: all) using the features
 * m was fitted on, unweighted (as scikit-learn's scorers): larger is
 * better, so losses come out negated. */
int mlp_fitted_score(const mlp_fitter *f, const mlp_fitted *m, const size_t *rows,
                     size_t n_rows, mlp_fit_scoring scoring, double *out,
                     mlp_error *err);
/* One number >= 0 per feature m was fitted on, in its order (the
 * trainer's importance()); MLP_EINVAL, naming the trainer, when it has
 * none. */
int mlp_fitted_importance(const mlp_fitted *m, double *out, mlp_error *err);
void mlp_fitted_free(mlp_fitted *m);

/* Cross-validation folds as scikit-learn's unshuffled StratifiedKFold
 * (classification: every class spread over the folds in order) or KFold
 * (regression: contiguous runs, the first n % k one row longer).
 * fold[i] gets row i's test fold, 0 .. k - 1.  Refuses k < 2, more folds
 * than rows, or (classification) than the rows of the largest class. */
int mlp_fitter_folds(const mlp_fitter *f, size_t k, size_t *fold, mlp_error *err);

#ifdef __cplusplus
}
#endif
#endif
