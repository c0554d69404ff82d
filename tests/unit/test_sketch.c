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

/* Within the stated rank error, and the statement is not loose: at 3000
 * values the worst of 999 quantiles uses more than half of it, so a bound
 * claimed twice as tight would be broken. */
static void within_bound_when_large(void)
{
    static const size_t sizes[] = { 3000, 200000 };

    for (size_t t = 0; t < 2; t++) {
        size_t n = sizes[t];
        double *v = malloc(n * sizeof *v), *sorted = malloc(n * sizeof *sorted);
        double worst = 0;
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
        for (int j = 1; j < 1000; j++) {
            double q = j / 1000.0, x = sketch_quantile(&s, q);
            double e = fabs(rank_of(sorted, n, x) - q);
            CHECK_MSG(e <= err + 1e-9, "n %zu q %g: value %g has rank %g, bound %g",
                      n, q, x, rank_of(sorted, n, x), err);
            if (e > worst)
                worst = e;
        }
        if (n == 3000)
            CHECK_MSG(worst > err / 2, "worst %g of bound %g", worst, err);
        sketch_free(&s);
        free(v);
        free(sorted);
    }
}

/* While exact, quantiles interpolate between order statistics as NumPy
 * and pandas do (position q * (n - 1)). */
static void interpolates_when_exact(void)
{
    sketch s;
    double v[] = { 40, 10, 30, 20 }, out[4], qs[4] = { 0.5, 1.0 / 3, 0.25, 1 };

    sketch_init(&s);
    for (size_t i = 0; i < 4; i++)
        CHECK(sketch_add(&s, v[i]) == 0);
    CHECK(sketch_quantiles(&s, qs, 4, out) == 0);
    CHECK_MSG(out[0] == 25, "median %g", out[0]);
    CHECK_MSG(fabs(out[1] - 20) < 1e-12, "q 1/3: %g", out[1]);
    CHECK_MSG(out[2] == 17.5, "q 0.25: %g", out[2]);
    CHECK(out[3] == 40);
    sketch_free(&s);
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
    RUN(interpolates_when_exact);
    RUN(merge_matches_one_sketch);
    CHECK_EXIT();
}
