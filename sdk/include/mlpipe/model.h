/* Models: using a trained Model artifact -- whatever trainer made it.
 *
 * A Model artifact (made by mlp_train_run, mlpipe/trainer.h) is a
 * directory that needs nothing else to predict:
 *   model.json    format "mlpipe.model" version 1: the trainer component
 *                 and plugin that made it, the task, the label and its
 *                 classes, the features it reads (names, in order), the
 *                 parameters, the trainer's own members (architecture),
 *                 the training curve, and the weights file's tensors with
 *                 their shapes, offsets and checksums;
 *   weights.bin   the tensors, float64 little-endian, each covered by its
 *                 own XXH64 checksum;
 *   transform_graph.json  when the trainer was given the TransformGraph
 *                 its features came from: predictions then start from raw
 *                 rows through mlp_tgraph_apply().
 * docs/architecture.md gives the byte layout.
 *
 * mlp_model_open() checks everything before it returns -- the document's
 * members, every tensor's checksum and shape, that the trainer that made
 * the model is still installed -- so a damaged or foreign model is
 * refused naming the file, never used.  The trainer's module is loaded
 * into the calling process for predict.
 *
 * Ownership: mlp_model_open() returns an owned model freed with
 * mlp_model_close(); every pointer the accessors return is borrowed from
 * it.  A model may predict from several threads at once.
 */
#ifndef MLPIPE_MODEL_H
#define MLPIPE_MODEL_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include <mlpipe/artifact.h>
#include <mlpipe/context.h>
#include <mlpipe/error.h>
#include <mlpipe/table.h>
#include <mlpipe/trainer.h>
#include <mlpipe/transform.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MLP_MODEL_FORMAT "mlpipe.model"
#define MLP_MODEL_VERSION 1

typedef struct mlp_model mlp_model;

/* Opens the Model artifact a (an input of the running component). */
int mlp_model_open(mlp_ctx *ctx, const mlp_artifact *a, mlp_model **out,
                   mlp_error *err);
void mlp_model_close(mlp_model *m);

mlp_model_task mlp_model_task_of(const mlp_model *m);
/* The trainer component that made it, and its family ("linear"). */
const char *mlp_model_trainer(const mlp_model *m);
const char *mlp_model_family(const mlp_model *m);
const char *mlp_model_label(const mlp_model *m);
/* Classification: the classes, in the order of predicted probabilities
 * (strings, or integers for a numeric label); NULL for regression. */
size_t mlp_model_n_classes(const mlp_model *m);
const cJSON *mlp_model_classes(const mlp_model *m);
/* Values per predicted row: n_classes, or 1 for regression. */
size_t mlp_model_n_outputs(const mlp_model *m);
size_t mlp_model_n_features(const mlp_model *m);
const char *mlp_model_feature(const mlp_model *m, size_t i);
/* The graph its features come from, or NULL when it was trained on
 * features as they were stored. */
const mlp_tgraph *mlp_model_graph(const mlp_model *m);
/* The whole document (model.json); borrowed. */
const cJSON *mlp_model_document(const mlp_model *m);

/* Predicts x (n_features columns, in the model's order) into out
 * (x->n_rows * n_outputs values, row-major).  Rows go to the trainer in
 * blocks of MLP_MODEL_BLOCK from x's first row, so two callers that give
 * the same rows in the same order from a multiple of MLP_MODEL_BLOCK get
 * the same bits (a BLAS product's rounding may depend on its shape):
 * evaluation and `mlpipe predict` agree row for row. */
#define MLP_MODEL_BLOCK 4096
int mlp_model_predict(const mlp_model *m, const mlp_rows *x, double *out,
                      mlp_error *err);

/* Reads the model's features from table t (by name; other columns are
 * ignored) into *x, column-major with ld = rows (owned, mlp_free).
 * Refused, naming the column and the row first_row + i + 1: a missing
 * feature column, one that is not numeric, a missing or infinite value
 * (then *bad_row, when not NULL, gets i; else SIZE_MAX). */
int mlp_model_features(const mlp_model *m, const mlp_table *t,
                       size_t first_row, double **x, size_t *bad_row,
                       mlp_error *err);

/* The model's target in table t, from its label column: values
 * (regression) or indexes into mlp_model_classes (classification; a
 * class the model does not know is -1), into *y (owned, mlp_free).  A
 * missing label is NaN with skip_missing, else refused naming the row
 * first_row + i + 1 (and *bad_row = i, when not NULL); so are a missing
 * or non-numeric label column and an infinite regression target. */
int mlp_model_targets(const mlp_model *m, const mlp_table *t, size_t first_row,
                      int skip_missing, double **y, size_t *bad_row, mlp_error *err);

/* Whether Examples ex hold rows the model's own transform graph already
 * made (a transform's output marked with the graph's hash): *given is 1
 * and the graph must not be applied again; 0 for raw rows (or a model
 * without a graph).  Rows another graph made are refused (MLP_EINVAL),
 * never fed to this one. */
int mlp_model_holds_features(const mlp_model *m, const mlp_artifact *ex, int *given,
                             mlp_error *err);

/* Predicts every row of t into *out (rows * n_outputs, row-major, owned:
 * free()), through the model's graph unless features_given, a block of
 * MLP_MODEL_BLOCK rows at a time from the first, as `mlpipe predict`
 * makes them.  On a row the model cannot read, *bad_row (may be NULL)
 * gets its index (else SIZE_MAX): a caller adds where it came from. */
int mlp_model_predict_table(const mlp_model *m, const mlp_table *t, int features_given,
                            double **out, size_t *bad_row, mlp_error *err);

#ifdef __cplusplus
}
#endif
#endif
