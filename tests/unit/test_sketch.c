/* Unit tests of the statistics plugin's quantile sketch: exact while
 * small, within its stated rank error when large, mergeable. */
#include <math.h>
#include <stdlib.h>

#include "check.h"
#include "sketch.h"

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Fraction of values below v. */
static double rank_of(const double *sorted, size_t n, double v)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (sorted[mid] < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (double)lo / (double)n;
}

static void exact_when_small(void)
{
    sketch s;
    double v[] = { 5, 1, 4, 2, 3 }, out[3], qs[3] = { 0, 0.5, 0.25 };

    sketch_init(&s);
    for (size_t i = 0; i < 5; i++)
        CHECK(sketch_add(&s, v[i]) == 0);
    CHECK(sketch_quantiles(&s, qs, 3, out) == 0);
    CHECK(out[0] == 1 && out[1] == 3 && out[2] == 2);
    CHECK(sketch_error_bound(&s) == 0);
    sketch_free(&s);
}

static void within_bound_when_large(void)
{
    size_t n = 200000;
    double *v = malloc(n * sizeof *v), *sorted = malloc(n * sizeof *sorted);
    sketch s;

    CHECK(v && sorted);
    srand(7);
    sketch_init(&s);
    for (size_t i = 0; i < n; i++) {
        v[i] = (double)rand() / RAND_MAX * 1000 + (i % 3 ? 0 : 500);
        sorted[i] = v[i];
        CHECK(sketch_add(&s, v[i]) == 0);
    }
    qsort(sorted, n, sizeof *sorted, cmp);
    double err = sketch_error_bound(&s);
    CHECK(err > 0 && err < 0.01);
    for (double q = 0.05; q < 1; q += 0.05) {
        double x = sketch_quantile(&s, q);
        CHECK_MSG(fabs(rank_of(sorted, n, x) - q) <= err + 1e-9,
                  "q %g: value %g has rank %g, bound %g", q, x, rank_of(sorted, n, x), err);
    }
    sketch_free(&s);
    free(v);
    free(sorted);
}

static void merge_matches_one_sketch(void)
{
    sketch a, b;
    size_t n = 50000;

    sketch_init(&a);
    sketch_init(&b);
    for (size_t i = 0; i < n; i++)
        CHECK(sketch_add(i % 2 ? &a : &b, (double)i) == 0);
    CHECK(sketch_merge(&a, &b) == 0);
    CHECK(a.count == n);
    double med = sketch_quantile(&a, 0.5);
    CHECK_MSG(fabs(med / n - 0.5) <= sketch_error_bound(&a) + 2.0 / n, "median %g", med);
    sketch_free(&a);
    sketch_free(&b);
}

int main(void)
{
    RUN(exact_when_small);
    RUN(within_bound_when_large);
    RUN(merge_matches_one_sketch);
    CHECK_EXIT();
}
