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
} tf_fit_opts;
int tf_fit(mlp_table_file *f, const char *split, const tf_feature *feat, size_t n,
           const tf_fit_opts *o, cJSON **graph, mlp_error *err);

/* PCA of the graph-so-far's outputs cols[0..p) over the split in f: the
 * step's mean, components, variances and (whiten) scale, added to step. */
/* Rows per slice when a row group goes through graph g a piece at a time
 * (transform.c). */
size_t tf_slice_rows(const mlp_tgraph *g);
int tf_fit_pca(mlp_table_file *f, const mlp_tgraph *partial, const char *const *cols,
               size_t p, const cJSON *spec, cJSON *step, mlp_error *err);

int tf_view(const mlp_artifact *a, mlp_view *v, mlp_error *err);

#endif
