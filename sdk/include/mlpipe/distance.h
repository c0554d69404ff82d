/* Distances between two distributions, as TFDV's drift and skew
 * comparators measure them, on the histograms of a Statistics artifact's
 * statistics.json (a feature's num_stats.histograms[].buckets or its
 * string_stats.rank_histogram).  The validator's comparators and the
 * report's comparison of splits both use them, so the two agree.
 *
 * Pure functions: they read their arguments (borrowed) and own nothing.
 */
#ifndef MLPIPE_DISTANCE_H
#define MLPIPE_DISTANCE_H

#include <cjson/cJSON.h>

#ifdef __cplusplus
extern "C" {
#endif

/* L-infinity distance between the category shares of two rank histograms
 * (arrays of {label, sample_count}), each normalised by its own total.
 * Returns -1 when either side has no samples. */
double mlp_distance_linf(const cJSON *rank_a, const cJSON *rank_b);

/* Jensen-Shannon divergence (log base 2, in [0, 1]) between two numeric
 * histograms (arrays of {low_value, high_value, sample_count}) with nan_a
 * and nan_b NaN values, aligned as TFDV's metrics.cc does: buckets of
 * finite width re-bucketed onto the union of their bounds (each count
 * spread evenly over its bucket), zero-width buckets as point masses
 * matched by value, and the mass of buckets with an infinite bound and the
 * NaNs each in a cell of its own that the other side does not share.
 * Returns -1 when either side has no samples. */
double mlp_distance_jsd(const cJSON *hist_a, double nan_a, const cJSON *hist_b,
                        double nan_b);

/* Jensen-Shannon divergence between the category shares of two rank
 * histograms (arrays of {label, sample_count}); -1 when a side is empty. */
double mlp_distance_jsd_labels(const cJSON *rank_a, const cJSON *rank_b);

/* TFDV's normalized_abs_difference: max over categories of |a - b| divided
 * by the total count of both sides (counts, not shares: for data sets
 * expected to have similar sizes); -1 when both are empty. */
double mlp_distance_nad(const cJSON *rank_a, const cJSON *rank_b);

/* Total sample_count of a histogram's buckets. */
double mlp_histogram_total(const cJSON *buckets);

#ifdef __cplusplus
}
#endif
#endif
