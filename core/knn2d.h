/* The k-th nearest neighbour's distance in the plane under the max norm
 * (Chebyshev), for every point of a set: the search the Kraskov mutual
 * information estimator needs. */
#ifndef MLPIPE_KNN2D_H
#define MLPIPE_KNN2D_H

#include <stddef.h>

/* radius[i] = max-norm distance from point i to its k-th nearest other
 * point (1 <= k < n).  Returns 0, or -1 when out of memory. */
int mlpi_knn2d_radius(const double *x, const double *y, size_t n, size_t k,
                      double *radius);

#endif
