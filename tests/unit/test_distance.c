/* Unit tests of the validator's distances against values computed
 * independently (Python's math.log2 on the same shares, see each case):
 * L-infinity on category shares and Jensen-Shannon divergence (base 2) on
 * histograms re-bucketed onto shared edges. */
#include <math.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "check.h"
#include "distance.h"

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

    CHECK(linf_distance(a, b) == 0.75);
    CHECK(linf_distance(b, a) == 0.75);
    CHECK(linf_distance(a, a) == 0);
    CHECK(linf_distance(c, d) == 0.5);
    CHECK(linf_distance(d, c) == 0.5);
    CHECK(linf_distance(a, empty) == -1);
    cJSON_Delete(a);
    cJSON_Delete(b);
    cJSON_Delete(c);
    cJSON_Delete(d);
    cJSON_Delete(empty);
}

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

    CHECK_MSG(fabs(js_divergence(h[0], h[1]) - 0.0487949406953985) < 1e-15,
              "%.17g", js_divergence(h[0], h[1]));
    CHECK(fabs(js_divergence(h[1], h[0]) - 0.0487949406953985) < 1e-15);
    CHECK_MSG(js_divergence(h[2], h[3]) == 1, "%.17g", js_divergence(h[2], h[3]));
    CHECK_MSG(fabs(js_divergence(h[4], h[5]) - 0.0487949406953985) < 1e-15,
              "%.17g", js_divergence(h[4], h[5]));
    CHECK_MSG(fabs(js_divergence(h[6], h[7])) < 1e-15, "%.17g",
              js_divergence(h[6], h[7]));
    CHECK_MSG(js_divergence(h[8], h[9]) == 1, "%.17g", js_divergence(h[8], h[9]));
    for (int i = 0; i < 10; i++)
        cJSON_Delete(h[i]);
}

int main(void)
{
    RUN(linf_exact);
    RUN(js_exact);
    CHECK_EXIT();
}
