/* Distances between two distributions, for drift and skew. */
#ifndef MLPIPE_VALIDATE_DISTANCE_H
#define MLPIPE_VALIDATE_DISTANCE_H

#include <cjson/cJSON.h>

/* L-infinity distance between the category shares of two rank histograms
 * (arrays of {label, sample_count}), each normalised by its own total.
 * Returns -1 when either side has no samples. */
double linf_distance(const cJSON *rank_a, const cJSON *rank_b);

/* Jensen-Shannon divergence (log base 2, in [0, 1]) between two histograms
 * (arrays of {low_value, high_value, sample_count}).  Both are first
 * re-bucketed onto the union of their boundaries, spreading each bucket's
 * count evenly over its width.  Returns -1 when either side has no
 * samples. */
double js_divergence(const cJSON *hist_a, const cJSON *hist_b);

/* Total sample_count of a histogram's buckets. */
double histogram_total(const cJSON *buckets);

#endif
