/* Unit tests of the validator's distances against values computed
 * independently (Python's math.log2 on the same shares, see each case):
 * L-infinity on category shares and Jensen-Shannon divergence (base 2) on
 * histograms re-bucketed onto shared edges. */
#include <math.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "check.h"
#include <mlpipe/distance.h>

static cJSON *cats(const char *json)
{
    return cJSON_Parse(json);
}

/* Buckets from triples (low, high, count). */
static cJSON *hist(const double *v, size_t n)
{
    cJSON *a = cJSON_CreateArray();

    for (size_t i = 0; i + 2 < n; i += 3) {
        cJSON *b = cJSON_CreateObject();
        cJSON_AddNumberToObject(b, "low_value", v[i]);
        cJSON_AddNumberToObject(b, "high_value", v[i + 1]);
        cJSON_AddNumberToObject(b, "sample_count", v[i + 2]);
        cJSON_AddItemToArray(a, b);
    }
    return a;
}

static void linf_exact(void)
{
    cJSON *a = cats("[{\"label\": \"red\", \"sample_count\": 2},"
                    " {\"label\": \"blue\", \"sample_count\": 2}]");
    /* Green exists only here and carries the largest difference:
     * |0 - 6/8| = 0.75, against 0.375 for red and blue. */
    cJSON *b = cats("[{\"label\": \"red\", \"sample_count\": 1},"
                    " {\"label\": \"blue\", \"sample_count\": 1},"
                    " {\"label\": \"green\", \"sample_count\": 6}]");
    /* Each side divided by its own total: 3/4 vs 1/4. */
    cJSON *c = cats("[{\"label\": \"red\", \"sample_count\": 3},"
                    " {\"label\": \"blue\", \"sample_count\": 1}]");
    cJSON *d = cats("[{\"label\": \"red\", \"sample_count\": 10},"
                    " {\"label\": \"blue\", \"sample_count\": 30}]");
    cJSON *empty = cats("[]");

    CHECK(mlp_distance_linf(a, b) == 0.75);
    CHECK(mlp_distance_linf(b, a) == 0.75);
    CHECK(mlp_distance_linf(a, a) == 0);
    CHECK(mlp_distance_linf(c, d) == 0.5);
    CHECK(mlp_distance_linf(d, c) == 0.5);
    CHECK(mlp_distance_linf(a, empty) == -1);
    cJSON_Delete(a);
    cJSON_Delete(b);
    cJSON_Delete(c);
    cJSON_Delete(d);
    cJSON_Delete(empty);
}

/* Without NaNs, as most cases are. */
#define JS(a, b) mlp_distance_jsd((a), 0, (b), 0)

static void js_exact(void)
{
    /* Shares (.5, .5) against (.25, .75): 0.0487949406953985. */
    double a1[] = { 0, 1, 1, 1, 2, 1 }, b1[] = { 0, 1, 1, 1, 2, 3 };
    /* Disjoint supports: 1 in base 2 (ln would give 0.693). */
    double a2[] = { 0, 1, 10 }, b2[] = { 2, 3, 5 };
    /* One wide bucket spread over the other side's edges by width:
     * [0, 4) with 8 becomes 2, 2, 4 against 1, 1, 6: 0.0487949406953985
     * again (the same shares up to order). */
    double a3[] = { 0, 4, 8 }, b3[] = { 0, 1, 1, 1, 2, 1, 2, 4, 6 };
    /* The same data in different buckets: 0. */
    double a4[] = { 0, 2, 4 }, b4[] = { 0, 1, 2, 1, 2, 2 };
    /* All values equal on one side (a zero-width bucket) at the other's
     * top edge: the point cell of the last edge. */
    double a5[] = { 3, 3, 4 }, b5[] = { 1, 3, 4 };
    cJSON *h[10] = {
        hist(a1, 6), hist(b1, 6), hist(a2, 3), hist(b2, 3), hist(a3, 3),
        hist(b3, 9), hist(a4, 3), hist(b4, 6), hist(a5, 3), hist(b5, 3)
    };

    CHECK_MSG(fabs(JS(h[0], h[1]) - 0.0487949406953985) < 1e-15,
              "%.17g", JS(h[0], h[1]));
    CHECK(fabs(JS(h[1], h[0]) - 0.0487949406953985) < 1e-15);
    CHECK_MSG(JS(h[2], h[3]) == 1, "%.17g", JS(h[2], h[3]));
    CHECK_MSG(fabs(JS(h[4], h[5]) - 0.0487949406953985) < 1e-15,
              "%.17g", JS(h[4], h[5]));
    CHECK_MSG(fabs(JS(h[6], h[7])) < 1e-15, "%.17g",
              JS(h[6], h[7]));
    CHECK_MSG(JS(h[8], h[9]) == 1, "%.17g", JS(h[8], h[9]));
    for (int i = 0; i < 10; i++)
        cJSON_Delete(h[i]);
}

/* TFDV's alignment (metrics.cc): infinite mass, NaNs and point masses in
 * cells of their own.  Reference values: Python's math.log2 on the cells
 * listed. */
static void js_tfdv_cells(void)
{
    /* [0, 1) with 2 and 2 at -inf, against [0, 1) with 4: cells (2, 4),
     * inf (2, 0): 0.31127812445913283. */
    double a1[] = { 0, 1, 2, -INFINITY, 0, 2 }, b1[] = { 0, 1, 4 };
    /* NaNs on both sides are unshared cells: (3, 3), (1, 0), (0, 1): 0.25. */
    double a2[] = { 0, 1, 3 };
    /* A point mass at 5 matched by value, apart from [0, 10): (8, 9) and
     * (2, 1): 0.014378460478078628. */
    double a3[] = { 0, 10, 8, 5, 5, 2 }, b3[] = { 5, 5, 1, 0, 10, 9 };
    cJSON *h[5] = { hist(a1, 6), hist(b1, 3), hist(a2, 3), hist(a3, 6), hist(b3, 6) };

    CHECK_MSG(fabs(JS(h[0], h[1]) - 0.31127812445913283) < 1e-15, "%.17g", JS(h[0], h[1]));
    CHECK_MSG(fabs(mlp_distance_jsd(h[2], 1, h[2], 1) - 0.25) < 1e-15, "%.17g",
              mlp_distance_jsd(h[2], 1, h[2], 1));
    CHECK(JS(h[2], h[2]) == 0);
    CHECK_MSG(fabs(JS(h[3], h[4]) - 0.014378460478078628) < 1e-15, "%.17g", JS(h[3], h[4]));
    /* Two point values, each matched only with itself, and a bucket that
     * starts at one of them is no point mass: cells [2, 4) (4, 4), point 2
     * (1, 3), point 7 (3, 1): 0.09436093777043358. */
    double a4[] = { 2, 4, 4, 2, 2, 1, 7, 7, 3 }, b4[] = { 2, 2, 3, 7, 7, 1, 2, 4, 4 };
    cJSON *p4 = hist(a4, 9), *q4 = hist(b4, 9);
    CHECK_MSG(fabs(JS(p4, q4) - 0.09436093777043358) < 1e-15, "%.17g", JS(p4, q4));
    cJSON_Delete(p4);
    cJSON_Delete(q4);
    /* Only NaNs on one side, nothing on the other: no samples to compare. */
    cJSON *empty = cJSON_CreateArray();
    CHECK(mlp_distance_jsd(empty, 0, h[2], 0) == -1);
    CHECK(mlp_distance_jsd(empty, 3, h[2], 0) == 1);
    cJSON_Delete(empty);
    for (int i = 0; i < 5; i++)
        cJSON_Delete(h[i]);
}

/* Categories: Jensen-Shannon on their shares, and TFDV's
 * normalized_abs_difference (|a - b| over both totals). */
static void categories(void)
{
    cJSON *a = cats("[{\"label\": \"red\", \"sample_count\": 2},"
                    " {\"label\": \"blue\", \"sample_count\": 2}]");
    cJSON *b = cats("[{\"label\": \"red\", \"sample_count\": 1},"
                    " {\"label\": \"blue\", \"sample_count\": 1},"
                    " {\"label\": \"green\", \"sample_count\": 6}]");
    cJSON *empty = cats("[]");

    /* (2, 2, 0) against (1, 1, 6): 0.5487949406953986. */
    CHECK_MSG(fabs(mlp_distance_jsd_labels(a, b) - 0.5487949406953986) < 1e-15, "%.17g",
              mlp_distance_jsd_labels(a, b));
    CHECK(fabs(mlp_distance_jsd_labels(b, a) - 0.5487949406953986) < 1e-15);
    CHECK(mlp_distance_jsd_labels(a, a) == 0);
    CHECK(mlp_distance_jsd_labels(a, empty) == -1);
    /* Green: |0 - 6| / 12. */
    CHECK(mlp_distance_nad(a, b) == 0.5);
    CHECK(mlp_distance_nad(b, a) == 0.5);
    CHECK(mlp_distance_nad(a, a) == 0);
    /* Counts, not shares: the same shares at twice the size differ. */
    cJSON *a2 = cats("[{\"label\": \"red\", \"sample_count\": 4},"
                     " {\"label\": \"blue\", \"sample_count\": 4}]");
    CHECK_MSG(fabs(mlp_distance_nad(a, a2) - 2.0 / 12) < 1e-15, "%.17g", mlp_distance_nad(a, a2));
    CHECK(mlp_distance_nad(empty, empty) == -1);
    cJSON_Delete(a);
    cJSON_Delete(a2);
    cJSON_Delete(b);
    cJSON_Delete(empty);
}

/* Labels cut at max_value_bytes can repeat: each label's counts add up,
 * on either side, as TFDV reads a rank histogram. */
static void repeated_labels_add_up(void)
{
    cJSON *a = cats("[{\"label\": \"AAAA\", \"sample_count\": 30},"
                    " {\"label\": \"AAAA\", \"sample_count\": 20},"
                    " {\"label\": \"B\", \"sample_count\": 50}]");
    cJSON *b = cats("[{\"label\": \"B\", \"sample_count\": 50},"
                    " {\"label\": \"AAAA\", \"sample_count\": 50}]");
    cJSON *c = cats("[{\"label\": \"B\", \"sample_count\": 25},"
                    " {\"label\": \"AAAA\", \"sample_count\": 10},"
                    " {\"label\": \"AAAA\", \"sample_count\": 65}]");

    CHECK(mlp_distance_linf(a, b) == 0 && mlp_distance_linf(b, a) == 0);
    CHECK(mlp_distance_jsd_labels(a, b) == 0 && mlp_distance_nad(a, b) == 0);
    CHECK(mlp_distance_linf(a, a) == 0);
    /* AAAA: 0.5 against 0.75; B: 0.5 against 0.25. */
    CHECK_MSG(fabs(mlp_distance_linf(a, c) - 0.25) < 1e-15, "%.17g", mlp_distance_linf(a, c));
    /* NAD on counts: |50 - 75| / 200. */
    CHECK_MSG(fabs(mlp_distance_nad(c, a) - 0.125) < 1e-15, "%.17g", mlp_distance_nad(c, a));
    cJSON_Delete(a);
    cJSON_Delete(b);
    cJSON_Delete(c);
}

/* A sentinel near the largest double (1.797e308 for "missing") makes a
 * bucket wider than any double: the shares stay exact, no inf/inf. */
static void huge_bounds_do_not_overflow(void)
{
    const double va[] = { -1.7e308, 1.7e308, 100 };
    const double vb[] = { -1.7e308, 0, 90, 0, 1.7e308, 10 };
    cJSON *a = hist(va, 3), *b = hist(vb, 6);
    /* a spreads evenly over b's two buckets: (0.5, 0.5) against (0.9, 0.1). */
    double want = 0.5 * (0.5 * log2(0.5 / 0.7) + 0.5 * log2(0.5 / 0.3)) +
                  0.5 * (0.9 * log2(0.9 / 0.7) + 0.1 * log2(0.1 / 0.3));

    CHECK_MSG(fabs(mlp_distance_jsd(a, 0, b, 0) - want) < 1e-12, "%.17g vs %.17g",
              mlp_distance_jsd(a, 0, b, 0), want);
    CHECK(mlp_distance_jsd(a, 0, a, 0) == 0);
    cJSON_Delete(a);
    cJSON_Delete(b);
}

int main(void)
{
    RUN(linf_exact);
    RUN(js_exact);
    RUN(js_tfdv_cells);
    RUN(categories);
    RUN(repeated_labels_add_up);
    RUN(huge_bounds_do_not_overflow);
    CHECK_EXIT();
}
