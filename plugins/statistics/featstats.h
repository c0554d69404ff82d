/* Per-feature statistics of one column of one split, as TFDV defines them,
 * computed in one pass (plus a second cheap pass for the equal-width
 * histogram once min and max are known). */
#ifndef MLPIPE_STATISTICS_FEATSTATS_H
#define MLPIPE_STATISTICS_FEATSTATS_H

#include <cjson/cJSON.h>

#include <mlpipe/table.h>

typedef struct stats_opts {
    size_t top_k;
    size_t histogram_buckets;
    size_t quantile_buckets;
    size_t rank_buckets;
    size_t exact_quantiles_max;  /* values per column up to which
                                    quantiles are exact (by selection) */
    size_t max_value_bytes;      /* top values and rank labels are cut to
                                    this many bytes (0: never) */
    size_t exact_unique_bytes;   /* distinct text values are counted
                                    exactly while they take this much
                                    memory, sketched beyond (strstats.h) */
    const double *weights;       /* per row, or NULL */
} stats_opts;

/* Statistics of column c as a TFDV-shaped JSON object ("name", "type",
 * "common", "num_stats" or "string_stats").  kind: "int", "float" or NULL
 * (inferred), or "categorical" for an integer column counted as
 * categories (string statistics, type INT; its values must be decoded).
 * NULL on exhaustion. */
cJSON *feature_stats(const mlp_column *c, const char *kind,
                     const stats_opts *o);

/* A column given a piece at a time, in row order: get() lends piece k
 * (numeric pieces decoded, or packed in one or two bytes; decoded when
 * the kind is "categorical"), put() takes it back.  Pieces may be read
 * more than once (a numeric column's second pass). */
typedef struct stats_source {
    size_t n_pieces;
    int (*get)(void *arg, size_t k, const mlp_column **piece, void **hold,
               mlp_error *err);
    void (*put)(void *arg, void *hold);
    void *arg;
} stats_source;

/* feature_stats of the column src gives (name, type and, for a matrix,
 * width as every piece has them).  The same statistics however the rows
 * are cut into pieces.  NULL with err filled on a failure of get() or on
 * exhaustion. */
cJSON *feature_stats_source(const char *name, mlp_col_type type, size_t width,
                            const char *kind, const stats_opts *o,
                            const stats_source *src, mlp_error *err);

/* The "common" object of a feature (counts of present and missing rows).
 * NULL on exhaustion. */
cJSON *stats_common_json(double present, double missing, double wpresent,
                         double wmissing, size_t values_per_row, int weighted);

#endif
