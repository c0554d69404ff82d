/* The transform component: what its files share. */
#ifndef TF_H
#define TF_H

#include <stddef.h>

#include <mlpipe/mlpipe.h>

/* One entry of `features` resolved to a column: the mappers to fit on
 * it, in order. */
typedef struct tf_feature {
    char *output;           /* output name (owned) */
    size_t col;             /* its index in the file */
    const char *column;     /* raw column, borrowed from the file */
    mlp_col_type type;
    const cJSON *ops;       /* array of op names (borrowed from params or
                               from `spec`) */
    const cJSON *spec;      /* the entry's options object, or NULL */
    const char *key;        /* the features key it came from */
} tf_feature;

/* dropped: names a FeatureSelection dropped (may be NULL): patterns skip
 * them, an exact entry naming one is refused. */
int tf_resolve(mlp_table_file *f, const char *split, const cJSON *features,
               const char *label, const cJSON *dropped, tf_feature **out, size_t *n,
               mlp_error *err);
void tf_features_free(tf_feature *feat, size_t n);

/* Fits every feature (and crosses, Lua mappers, PCA) on the split's rows
 * and returns the graph document (owned). */
typedef struct tf_fit_opts {
    const cJSON *crosses, *lua, *pca, *passthrough;
    const char *label;
    int threads;            /* features fitted at once */
    const mlp_artifact *examples;   /* the rows' source lines, for errors */
} tf_fit_opts;
int tf_fit(mlp_table_file *f, const char *split, const tf_feature *feat, size_t n,
           const tf_fit_opts *o, cJSON **graph, mlp_error *err);

/* Rows per slice when a row group goes through graph g a piece at a time
 * (transform.c). */
size_t tf_slice_rows(const mlp_tgraph *g);
/* err's message about row `row` of split (or SIZE_MAX: no row) prefixed
 * with the split and followed by the file and line the row came from,
 * when ingestion recorded them: what a user needs to find it. */
void tf_name_row(const mlp_artifact *ex, const char *split, size_t row, mlp_error *err);
/* PCA of the graph-so-far's outputs cols[0..p) over split (the table in
 * f, of the Examples ex): the step's mean, components, variances and
 * (whiten) scale, added to step. */
int tf_fit_pca(mlp_table_file *f, const mlp_artifact *ex, const char *split,
               const mlp_tgraph *partial, const char *const *cols, size_t p,
               const cJSON *spec, cJSON *step, mlp_error *err);

int tf_view(const mlp_artifact *a, mlp_view *v, mlp_error *err);

#endif
