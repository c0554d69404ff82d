/* Order statistics by selection (order.h). */
#include <stdlib.h>

#include <mlpipe/order.h>

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

void mlp_select_ranks(double *v, size_t n, const size_t *ranks, size_t nr)
{
    select_ranks(v, 0, n, ranks, nr, 0);
}
