/* Exact quantiles of an array by selection: O(n) per requested rank on a
 * shrinking range, instead of sorting. */
#ifndef MLPIPE_STATISTICS_SELECT_H
#define MLPIPE_STATISTICS_SELECT_H

#include <stddef.h>

/* a + t (b - a), the interpolation NumPy's quantiles use, without NaN:
 * next to an infinity it takes the nearer of a and b, and a difference
 * too large for a double is spread over both ends. */
double quantile_lerp(double a, double b, double t);

/* out[j] = the qs[j] quantile of v[0..n) (no NaN; n > 0), interpolating
 * linearly between neighbouring order statistics as NumPy's default
 * does.  Reorders v. */
void exact_quantiles(double *v, size_t n, const double *qs, size_t nq,
                     double *out);

#endif
