/* Quickselect with a three-way partition (many equal values are common in
 * data: counts, codes, rounded measures), falling back to sorting a range
 * that refuses to shrink, so no input makes it quadratic. */
#include <math.h>
#include <stdlib.h>

#include "select.h"

static void swap(double *a, size_t i, size_t j)
{
    double t = a[i];
    a[i] = a[j];
    a[j] = t;
}

static double median3(double x, double y, double z)
{
    if (x < y)
        return y < z ? y : x < z ? z : x;
    return x < z ? x : y < z ? z : y;
}

static int cmp_double(const void *p, const void *q)
{
    double x = *(const double *)p, y = *(const double *)q;
    return (x > y) - (x < y);
}

/* Puts the order statistics ranks[0..nr) (ascending, all in [lo, hi)) of
 * a[lo, hi) in place: partition once, then go on only into the sides that
 * hold a wanted rank, so k ranks cost about n log k, not k n.  A range
 * that refuses to shrink (64 rounds of bad pivots) is sorted instead. */
static void select_ranks(double *a, size_t lo, size_t hi, const size_t *ranks,
                         size_t nr, int depth)
{
    while (nr > 0 && hi - lo > 1) {
        if (depth >= 64 || hi - lo <= 16) {
            qsort(a + lo, hi - lo, sizeof *a, cmp_double);
            return;
        }
        double p = median3(a[lo], a[lo + (hi - lo) / 2], a[hi - 1]);
        size_t lt = lo, i = lo, gt = hi, below = 0, inside;
        while (i < gt) {
            if (a[i] < p)
                swap(a, lt++, i++);
            else if (a[i] > p)
                swap(a, i, --gt);
            else
                i++;
        }
        while (below < nr && ranks[below] < lt)
            below++;
        for (inside = below; inside < nr && ranks[inside] < gt; inside++)
            ;
        select_ranks(a, lo, lt, ranks, below, depth + 1);
        ranks += inside;
        nr -= inside;
        lo = gt;
        depth++;
    }
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
        select_ranks(v, 0, n, ranks, u, 0);
        free(ranks);
    }
    for (size_t j = 0; j < nq; j++) {
        double pos = qs[j] * (double)(n - 1), r = floor(pos), frac = pos - r;
        size_t k = (size_t)r;
        double a = v[k], b = k + 1 < n ? v[k + 1] : v[k];
        out[j] = quantile_lerp(a, b, frac);
    }
}
