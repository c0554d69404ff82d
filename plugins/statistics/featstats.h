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
    const double *weights;       /* per row, or NULL */
} stats_opts;

/* Statistics of column c as a TFDV-shaped JSON object ("name", "type",
 * "common", "num_stats" or "string_stats").  kind: "int", "float" or NULL
 * (inferred), or "categorical" for an integer column counted as
 * categories (string statistics, type INT; its values must be decoded).
 * NULL on exhaustion. */
cJSON *feature_stats(const mlp_column *c, const char *kind,
                     const stats_opts *o);

#endif
