/* Filter feature selection: what the pieces of the select_features
 * component share. */
#ifndef FSEL_H
#define FSEL_H

#include <stddef.h>
#include <stdint.h>

#include <mlpipe/mlpipe.h>

typedef enum fs_score {
    FS_CHI2 = 1, FS_F_CLASSIF, FS_F_REGRESSION, FS_MI_CLASSIF, FS_MI_REGRESSION,
    FS_NO_SCORE
} fs_score;

typedef enum fs_status {
    FS_KEPT = 1,
    FS_DROP_VARIANCE,
    FS_DROP_CORRELATION,
    FS_DROP_SCORE
} fs_status;

typedef struct fs_feature {
    const char *name;       /* borrowed from the table file */
    size_t col;             /* its index in the file */
    mlp_col_type type;
    int discrete;           /* scored as discrete values */
    size_t rows;            /* rows scored: label and value present */
    size_t missing;         /* rows with the label but not this value */
    double mean, variance;  /* numeric; NaN otherwise */
    double assoc;           /* |r| with a numeric label, the correlation
                               ratio with classes; NaN if undefined */
    double score, pvalue;   /* NaN: undefined */
    fs_status status;
    size_t rank;            /* 1 = best among those the filters left; 0 */
    char reason[320];
} fs_feature;

/* The label, read once: the rows it is present in, and its values. */
typedef struct fs_label {
    const char *name;
    size_t file_rows;       /* rows in the split */
    size_t n;               /* rows with the label */
    uint32_t *row;          /* those rows' indexes, or NULL when all */
    int32_t *yc;            /* classes (classification), n values */
    size_t n_classes;
    cJSON *classes;         /* class names, in index order (owned) */
    double *yr;             /* numeric label (regression), n values */
} fs_label;

int fs_is_classification(fs_score s);
const char *fs_score_name(fs_score s);

/* The candidate features of the split's file: the columns `features`
 * names (names, glob patterns, ":numeric", ":categorical"; all numeric
 * and categorical columns when empty) less those `exclude` names, less
 * the label.  numeric_only: a categorical candidate is refused (the score
 * needs numbers).  *out owned (free). */
int fs_candidates(mlp_table_file *f, const char *split, const cJSON *features,
                  const cJSON *exclude, const cJSON *discrete, const char *label,
                  int numeric_only, fs_feature **out, size_t *n, mlp_error *err);

/* Reads the label column as the score needs it.  Free with
 * fs_label_free. */
int fs_label_read(mlp_table_file *f, const char *split, const char *name,
                  int classification, fs_label *out, mlp_error *err);
void fs_label_free(fs_label *l);

/* Per feature, on `threads` threads: variance, label association and the
 * score (with p-value where defined). */
typedef struct fs_score_opts {
    const mlp_artifact *examples;   /* for the source lines of rows named */
    fs_score score;
    size_t n_neighbors;
    uint64_t seed;
    int threads;
} fs_score_opts;
int fs_score_features(mlp_table_file *f, const char *split, const fs_label *y,
                      fs_feature *feat, size_t n, const fs_score_opts *o,
                      mlp_error *err);

/* Drops one of each pair of numeric features still kept whose |r| (over
 * the rows with the label, pairwise complete) exceeds threshold: the one
 * less associated with the label. */
int fs_correlation_filter(mlp_table_file *f, const char *split, const fs_label *y,
                          fs_feature *feat, size_t n, double threshold,
                          mlp_error *err);

/* Ranks the kept features by score and keeps those the mode picks. */
typedef struct fs_mode {
    const char *name;       /* k_best, percentile, threshold, fpr, fdr, fwe, all */
    size_t k;
    double percentile, threshold, alpha;
} fs_mode;
int fs_choose(fs_feature *feat, size_t n, fs_score score, const fs_mode *m,
              mlp_error *err);

/* Writes selection.json and the FeatureSelection's properties (selected,
 * score, split, label when not NULL, candidates) from doc. */
int fs_write_selection(mlp_artifact *out, const cJSON *doc, const char *label,
                       size_t candidates, mlp_error *err);

/* select_by_model (model_select.c). */
extern const mlp_param_spec fs_model_params[];
int fs_model_run(mlp_ctx *ctx);

/* The FeatureSelection view (show and html). */
int fs_view(const mlp_artifact *a, mlp_view *v, mlp_error *err);

#endif
