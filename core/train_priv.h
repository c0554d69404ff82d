/* Internal: reading a trainer's rows (train_rows.c) for mlp_train_run. */
#ifndef MLPIPE_CORE_TRAIN_PRIV_H
#define MLPIPE_CORE_TRAIN_PRIV_H

#include <cjson/cJSON.h>

#include <mlpipe/artifact.h>
#include <mlpipe/table.h>
#include <mlpipe/trainer.h>

/* More classes than this is a label that is not a class (an id). */
#define MLPI_MAX_CLASSES 10000

typedef struct mlpi_split_rows {
    size_t n, d;
    double *x;        /* column-major n x d (mlp_free), or NULL when */
    float *xf;        /* ... the trainer asked for row-major float32 */
    double *y;        /* value, class index, or -1: a class train lacks */
    double *w;        /* row weights, or NULL */
    size_t skipped;   /* rows left out: their label was missing */
    double *y_rows;   /* stream: every row of the file's target (NaN: left
                         out), x and xf NULL */
    double *soft;     /* soft targets: n x classes probabilities, until
                         mlpi_soft_expand turns them into rows */
    double *w_score;  /* after expansion: each row's probability, what
                         the train scores weigh rows by (else NULL) */
    size_t n_source;  /* after expansion: the rows before it (else 0) */
    size_t n_classes_soft; /* soft: the classes per row of `soft` */
} mlpi_split_rows;

typedef struct mlpi_rows_opts {
    const mlp_artifact *ex;
    const char *split, *label;
    mlp_model_task task;
    int threads;
    int skip_missing_label;   /* leave such rows out instead of refusing */
    int f32;                  /* rows as row-major float32 (MLP_ROWS_F32) */
    int stream;               /* target only: features by mlpi_stream */
    int soft;                 /* read the class probabilities too */
} mlpi_rows_opts;

/* Soft targets (train_soft.c): the Examples' label_probabilities of the
 * split's rows into r->soft, in the order of `classes`; then each row as
 * one row per class it has some probability of, weighted by it. */
int mlpi_soft_read(const mlpi_rows_opts *o, mlp_table_file *f, const cJSON *classes,
                   mlpi_split_rows *r, mlp_error *err);
int mlpi_soft_expand(mlpi_split_rows *r, size_t k, mlp_error *err);

/* The feature columns `wanted` (a JSON array of selectors; empty: every
 * numeric column) of f, without the label; *names owned
 * (mlpi_names_free). */
int mlpi_train_features(mlp_table_file *f, const cJSON *wanted, const char *label,
                        char ***names, size_t *n, mlp_error *err);
void mlpi_names_free(char **names, size_t n);

/* Reads a split's features and target.  Classification: *classes NULL
 * reads the classes from these rows (the train split) and sets it (owned);
 * else maps this split's classes onto it. */
int mlpi_split_rows_read(const mlpi_rows_opts *o, char *const *features, size_t d,
                         cJSON **classes, mlpi_split_rows *r, mlp_error *err);
void mlpi_split_rows_free(mlpi_split_rows *r);

/* Label column y's rows as indexes into the class values `names` (-1 for
 * a class not among them) into out; a missing label is NaN with skip,
 * else refused naming the row (and *bad_row). */
int mlpi_class_indexes(const mlp_column *y, const cJSON *names, double *out, int skip,
                       size_t *bad_row, mlp_error *err);

/* The task: params' "task", else the trainer's only one, else
 * classification for a categorical label. */
int mlpi_train_pick_task(const cJSON *params, const mlp_trainer *t, const mlp_artifact *ex,
                         const char *label, mlp_model_task *task, mlp_error *err);

/* cw[c] (k = the classes' count): class c's weight from params'
 * class_weight ("balanced" over the n rows y[rows[i]], or y[i] when rows
 * is NULL, each row counting share[i] of one, or 1 when share is NULL:
 * soft targets count a row's probability of each class) and
 * class_weights; *any 0 when every weight is 1.  A regression with either
 * is refused. */
int mlpi_class_weight_table(const cJSON *params, const cJSON *classes, const double *y,
                            const double *share, const size_t *rows, size_t n,
                            mlp_model_task task, double *cw, int *any, mlp_error *err);

/* "split 'train': <msg> (file:line)" for row `row` (SIZE_MAX: none). */
int mlpi_train_name_row(const mlp_artifact *ex, const char *split, size_t row,
                        mlp_error *err);

/* The train rows of an MLP_ROWS_STREAM trainer, a row group at a time
 * (mlp_fit_spec.block). */
typedef struct mlpi_stream mlpi_stream;
int mlpi_stream_open(const mlp_artifact *ex, const char *split, char *const *features,
                     size_t d, const mlpi_split_rows *r, mlpi_stream **out, mlp_error *err);
size_t mlpi_stream_n_blocks(const mlpi_stream *s);
int mlpi_stream_block(const mlp_fit_spec *spec, size_t b, mlp_rows *rows, size_t *first,
                      mlp_error *err);
void mlpi_stream_close(mlpi_stream *s);

/* Whether two class values (strings, or integers) are the same class. */
int mlpi_class_equal(const cJSON *a, const cJSON *b);

#endif
