/* Exact quantiles by selection (the SDK's mlp_select_ranks). */
#include <math.h>
#include <stdlib.h>

#include <mlpipe/order.h>

#include "select.h"

static int cmp_double(const void *p, const void *q)
{
    double x = *(const double *)p, y = *(const double *)q;
    return (x > y) - (x < y);
}

static int cmp_size(const void *p, const void *q)
{
    size_t x = *(const size_t *)p, y = *(const size_t *)q;
    return (x > y) - (x < y);
}

double quantile_lerp(double a, double b, double t)
{
    if (!(t > 0) || a == b)
        return a;
    if (!isfinite(a) || !isfinite(b))
        return t < 0.5 ? a : b;
    if (!isfinite(b - a))
        return a * (1 - t) + b * t;
    return a + t * (b - a);
}

void exact_quantiles(double *v, size_t n, const double *qs, size_t nq,
                     double *out)
{
    size_t *ranks = malloc((2 * nq + 1) * sizeof *ranks), nr = 0;

    if (ranks == NULL) {
        /* Sorting needs no memory of its own. */
        qsort(v, n, sizeof *v, cmp_double);
    } else {
        for (size_t j = 0; j < nq; j++) {
            size_t r = (size_t)floor(qs[j] * (double)(n - 1));
            ranks[nr++] = r;
            ranks[nr++] = r + 1 < n ? r + 1 : r;
        }
        qsort(ranks, nr, sizeof *ranks, cmp_size);
        size_t u = 0;
        for (size_t i = 0; i < nr; i++)
            if (u == 0 || ranks[i] != ranks[u - 1])
                ranks[u++] = ranks[i];
        mlp_select_ranks(v, n, ranks, u);
        free(ranks);
    }
    for (size_t j = 0; j < nq; j++) {
        double pos = qs[j] * (double)(n - 1), r = floor(pos), frac = pos - r;
        size_t k = (size_t)r;
        double a = v[k], b = k + 1 < n ? v[k + 1] : v[k];
        out[j] = quantile_lerp(a, b, frac);
    }
}
