/* Internal to the statistics plugin: describing a table's columns, and
 * the slices of a split. */
#ifndef MLPIPE_PLUGINS_STATISTICS_DESCRIBE_H
#define MLPIPE_PLUGINS_STATISTICS_DESCRIBE_H

#include <mlpipe/mlpipe.h>

#include "featstats.h"

/* The statistics of every column of t, appended to feats, on `threads`
 * threads.  kinds: per column, as feature_stats takes them. */
int stats_describe(mlp_ctx *ctx, mlp_table *t, const char **kinds,
                   const stats_opts *opts, int threads, cJSON *feats,
                   mlp_error *err);

/* Sliced statistics (the slice_by parameter): for every value of a
 * slicing column, or pair of values of two, the statistics of the rows
 * that have it, added to the split object as "slices". */
int stats_slices(mlp_ctx *ctx, mlp_table *t, const char **kinds,
                 const stats_opts *opts, const char *weight, int threads,
                 cJSON *split, mlp_error *err);

#endif
