/* Order statistics by selection: the k-th smallest values of an array
 * without sorting it (medians, exact quantiles).
 *
 * A three-way partition keeps runs of equal values (counts, codes,
 * rounded measures) from slowing it, and a range that refuses to shrink
 * is sorted instead, so no input makes it quadratic.  The caller owns the
 * array; nothing is allocated.
 */
#ifndef MLPIPE_ORDER_H
#define MLPIPE_ORDER_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Reorders v[0..n) (no NaN) so that v[ranks[i]] holds the value that
 * position would hold if v were sorted, for each of ranks[0..nr), which
 * must be ascending, distinct and below n.  k ranks cost about n log k. */
void mlp_select_ranks(double *v, size_t n, const size_t *ranks, size_t nr);

#ifdef __cplusplus
}
#endif
#endif
