/* Unit tests of mlp_select_ranks against a full sort: random values,
 * runs of equal values, and orders that defeat a naive pivot. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include <mlpipe/order.h>

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Fills v by kind, selects the ranks, and compares with the sorted copy;
 * also checks every value is still there (a permutation). */
static int same_as_sort(int kind, size_t n, const size_t *ranks, size_t nr)
{
    double *v = malloc(n * sizeof *v), *s = malloc(n * sizeof *s);
    uint64_t x = 88172645463325252ull;
    int ok = 1;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        v[i] = kind == 0 ? (double)(x % 1000003)           /* random */
             : kind == 1 ? (double)(x % 3)                 /* few values */
             : kind == 2 ? (double)(i < n / 2 ? i : n - i) /* organ pipe */
             : (double)(n - i);                            /* descending */
    }
    memcpy(s, v, n * sizeof *s);
    qsort(s, n, sizeof *s, cmp);
    mlp_select_ranks(v, n, ranks, nr);
    for (size_t k = 0; k < nr; k++)
        ok &= v[ranks[k]] == s[ranks[k]];
    qsort(v, n, sizeof *v, cmp);
    ok &= memcmp(v, s, n * sizeof *v) == 0;
    free(v);
    free(s);
    return ok;
}

static void ranks_as_sorted(void)
{
    size_t one[] = { 50000 }, two[] = { 49999, 50000 }, many[] = { 0, 1, 17, 5000, 77777, 99999 };
    for (int kind = 0; kind < 4; kind++) {
        CHECK_MSG(same_as_sort(kind, 100000, one, 1), "kind %d, median", kind);
        CHECK_MSG(same_as_sort(kind, 100000, two, 2), "kind %d, two middles", kind);
        CHECK_MSG(same_as_sort(kind, 100000, many, 6), "kind %d, six ranks", kind);
        CHECK_MSG(same_as_sort(kind, 7, (size_t[]){ 3 }, 1), "kind %d, small", kind);
    }
    double single = 5;
    mlp_select_ranks(&single, 1, (size_t[]){ 0 }, 1);
    CHECK(single == 5);
}

int main(void)
{
    RUN(ranks_as_sorted);
    CHECK_EXIT();
}
