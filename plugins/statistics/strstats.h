/* String statistics of one feature, accumulated a piece of the column at
 * a time (rows in order), with memory bounded whatever the row count.
 *
 * Distinct values are counted exactly while they fit in
 * opts->exact_unique_bytes.  Beyond that, the counts so far seed two
 * sketches that take every later row: HyperLogLog (2^14 registers, 0.81 %
 * standard error) for `unique`, and a frequent-items summary (Misra and
 * Gries, purging at the median count as Apache DataSketches' frequent
 * items sketch does) for the top values and the rank histogram.  Every
 * listed frequency is then a lower bound, at most `frequency_error` below
 * the true count, and a value whose count is above that bound is listed.
 * The switch depends on the rows alone, so a split gives the same
 * statistics however its rows are cut into row groups. */
#ifndef MLPIPE_STATISTICS_STRSTATS_H
#define MLPIPE_STATISTICS_STRSTATS_H

#include <cjson/cJSON.h>

#include <mlpipe/table.h>

#include "featstats.h"

typedef struct str_acc str_acc;

/* NULL on exhaustion.  o must outlive the accumulator. */
str_acc *str_acc_new(const stats_opts *o);
void str_acc_free(str_acc *a);
/* The rows of a STRING or CATEGORICAL piece whose first row is row0 of
 * the split (for the weights).  Returns 0, or -1 on exhaustion. */
int str_acc_add(str_acc *a, const mlp_column *piece, size_t row0);
/* Adds "type" (STRING), "common" and "string_stats" to feat.  Returns 0,
 * or -1 on exhaustion. */
int str_acc_finish(str_acc *a, cJSON *feat);

#endif
