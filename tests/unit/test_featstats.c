/* Unit tests of the statistics plugin's per-feature statistics on the
 * column kinds the end-to-end tests do not reach: a dense matrix column
 * (every row holds `width` values, as pixels do), against values counted
 * by hand. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <mlpipe/table.h>

#include "check.h"
#include "featstats.h"
#include "select.h"

static double num(const cJSON *o, const char *path1, const char *path2)
{
    const cJSON *a = cJSON_GetObjectItem(o, path1);
    return cJSON_GetNumberValue(path2 ? cJSON_GetObjectItem(a, path2) : a);
}

static void matrix_column(void)
{
    /* 3 rows of 4 values: 0..11, mean 5.5, one zero. */
    float v[12] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 };
    mlp_table *t = mlp_table_new(3);
    mlp_error err;
    stats_opts o = { 20, 10, 10, 1000, 4000000, 1024, NULL };
    cJSON *f;

    CHECK(t != NULL);
    CHECK_MSG(mlp_table_add_matrix(t, "pix", 4, v, &err) == MLP_OK, "%s", err.msg);
    f = feature_stats(mlp_table_column(t, 0), NULL, &o);
    CHECK(f != NULL);
    /* Every row is present and holds four values. */
    CHECK_MSG(num(f, "common", "num_non_missing") == 3, "%g",
              num(f, "common", "num_non_missing"));
    CHECK_MSG(num(f, "common", "avg_num_values") == 4, "%g",
              num(f, "common", "avg_num_values"));
    const cJSON *ns = cJSON_GetObjectItem(f, "num_stats");
    CHECK_MSG(num(ns, "mean", NULL) == 5.5, "mean %g", num(ns, "mean", NULL));
    CHECK(num(ns, "min", NULL) == 0 && num(ns, "max", NULL) == 11);
    CHECK(num(ns, "num_zeros", NULL) == 1);
    /* Population standard deviation of 0..11: sqrt(143/12). */
    CHECK_MSG(fabs(num(ns, "std_dev", NULL) - sqrt(143.0 / 12)) < 1e-12, "std %.17g",
              num(ns, "std_dev", NULL));
    cJSON_Delete(f);
    mlp_table_free(t);
}

static const cJSON *standard(const cJSON *f)
{
    const cJSON *h;

    cJSON_ArrayForEach(h, cJSON_GetObjectItem(cJSON_GetObjectItem(f, "num_stats"),
                                              "histograms"))
        if (strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(h, "type")), "STANDARD") == 0)
            return h;
    return NULL;
}

static double bucket(const cJSON *h, int i, const char *key)
{
    return num(cJSON_GetArrayItem(cJSON_GetObjectItem(h, "buckets"), i), key, NULL);
}

/* A constant column has NumPy's edges, [v - 0.5, v + 0.5] in ten buckets
 * with every value in the sixth (numpy.histogram([7, 7, 7], bins=10)), not
 * ten buckets of zero width. */
static void constant_column(void)
{
    double v[3] = { 7, 7, 7 };
    mlp_table *t = mlp_table_new(3);
    mlp_error err;
    stats_opts o = { 20, 10, 10, 1000, 4000000, 1024, NULL };
    cJSON *f;
    const cJSON *h;

    CHECK(mlp_table_add_numeric(t, "c", v, NULL, &err) == MLP_OK);
    f = feature_stats(mlp_table_column(t, 0), NULL, &o);
    CHECK(f != NULL && (h = standard(f)) != NULL);
    CHECK(cJSON_GetArraySize(cJSON_GetObjectItem(h, "buckets")) == 10);
    CHECK(bucket(h, 0, "low_value") == 6.5 && bucket(h, 9, "high_value") == 7.5);
    for (int i = 0; i < 10; i++)
        CHECK_MSG(bucket(h, i, "sample_count") == (i == 5 ? 3 : 0), "bucket %d: %g", i,
                  bucket(h, i, "sample_count"));
    CHECK(bucket(h, 5, "low_value") == 7);
    cJSON_Delete(f);
    mlp_table_free(t);
}

/* Infinities and NaN: the histogram covers the finite values as NumPy's
 * does (numpy.histogram([1, 2, 3], bins=10): 1, 0, 0, 0, 0, 1, 0, 0, 0,
 * 1), each infinity has a bucket with an infinite bound at its end, and
 * the NaNs are counted in the histogram's num_nan, as TFDV writes them. */
static void infinite_values(void)
{
    double v[6] = { 1, 2, 3, INFINITY, -INFINITY, NAN };
    mlp_table *t = mlp_table_new(6);
    mlp_error err;
    stats_opts o = { 20, 10, 10, 1000, 4000000, 1024, NULL };
    cJSON *f;
    const cJSON *h;
    static const double want[10] = { 1, 0, 0, 0, 0, 1, 0, 0, 0, 1 };

    CHECK(mlp_table_add_numeric(t, "x", v, NULL, &err) == MLP_OK);
    f = feature_stats(mlp_table_column(t, 0), NULL, &o);
    CHECK(f != NULL && (h = standard(f)) != NULL);
    CHECK_MSG(cJSON_GetArraySize(cJSON_GetObjectItem(h, "buckets")) == 12, "%d",
              cJSON_GetArraySize(cJSON_GetObjectItem(h, "buckets")));
    CHECK(bucket(h, 0, "low_value") == -INFINITY && bucket(h, 0, "high_value") == 1 &&
          bucket(h, 0, "sample_count") == 1);
    for (int i = 0; i < 10; i++)
        CHECK_MSG(bucket(h, i + 1, "sample_count") == want[i], "bucket %d", i);
    CHECK(bucket(h, 1, "low_value") == 1 && bucket(h, 10, "high_value") == 3);
    CHECK(bucket(h, 11, "low_value") == 3 && bucket(h, 11, "high_value") == INFINITY &&
          bucket(h, 11, "sample_count") == 1);
    CHECK(num(h, "num_nan", NULL) == 1);
    CHECK(num(cJSON_GetObjectItem(f, "num_stats"), "num_inf", NULL) == 2);
    /* Both infinities: the mean is undefined (NaN, written null), as
     * numpy.mean has it. */
    CHECK(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetObjectItem(f, "num_stats"), "mean")));
    cJSON_Delete(f);
    mlp_table_free(t);
    /* One side's infinity: the mean is that infinity, the standard
     * deviation undefined; quantiles next to it are values, never NaN. */
    double w[10] = { -INFINITY, 1, 2, 3, 4, 5, 6, 7, 8, 9 };
    t = mlp_table_new(10);
    CHECK(mlp_table_add_numeric(t, "x", w, NULL, &err) == MLP_OK);
    f = feature_stats(mlp_table_column(t, 0), NULL, &o);
    const cJSON *ns = cJSON_GetObjectItem(f, "num_stats"), *b;
    CHECK(num(ns, "mean", NULL) == -INFINITY);
    CHECK(cJSON_IsNull(cJSON_GetObjectItem(ns, "std_dev")));
    cJSON_ArrayForEach(h, cJSON_GetObjectItem(ns, "histograms"))
        cJSON_ArrayForEach(b, cJSON_GetObjectItem(h, "buckets"))
            CHECK_MSG(cJSON_IsNumber(cJSON_GetObjectItem(b, "low_value")) &&
                      cJSON_IsNumber(cJSON_GetObjectItem(b, "high_value")),
                      "a %s bucket edge is not a number",
                      cJSON_GetStringValue(cJSON_GetObjectItem(h, "type")));
    cJSON_Delete(f);
    mlp_table_free(t);
}

static int cmp_dbl(const void *p, const void *q)
{
    double x = *(const double *)p, y = *(const double *)q;
    return (x > y) - (x < y);
}

/* The quantile of sorted s[0..n) as NumPy's default (linear) has it. */
static double sorted_quantile(const double *s, size_t n, double q)
{
    double pos = q * (double)(n - 1), r = floor(pos);
    size_t k = (size_t)r;
    return pos > r ? s[k] + (pos - r) * (s[k + 1] - s[k]) : s[k];
}

/* Selection gives exactly what sorting gives, on shapes that trouble a
 * naive quickselect: sorted, reversed, all equal, few distinct values,
 * infinities. */
static void selection_matches_sorting(void)
{
    size_t n = 20001;
    double *v = malloc(n * sizeof *v), *s = malloc(n * sizeof *s), out[13];
    const double qs[13] = { 0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1, 0.5, 0.25 };

    for (int shape = 0; shape < 6; shape++) {
        uint64_t x = 88172645463325252ull;
        for (size_t i = 0; i < n; i++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            v[i] = shape == 0 ? (double)(x % 1000003) / 7.0
                 : shape == 1 ? (double)i
                 : shape == 2 ? (double)(n - i)
                 : shape == 3 ? 4.25
                 : shape == 4 ? (double)(x % 3)
                 : (i % 100 == 0 ? (i % 200 ? INFINITY : -INFINITY) : (double)(x % 977));
        }
        memcpy(s, v, n * sizeof *s);
        qsort(s, n, sizeof *s, cmp_dbl);
        exact_quantiles(v, n, qs, 13, out);
        for (int j = 0; j < 13; j++)
            CHECK_MSG(out[j] == sorted_quantile(s, n, qs[j]) ||
                      (isnan(out[j]) && isnan(sorted_quantile(s, n, qs[j]))),
                      "shape %d q %g: %.17g vs %.17g", shape, qs[j], out[j],
                      sorted_quantile(s, n, qs[j]));
    }
    double one = 3, o1;
    exact_quantiles(&one, 1, qs, 1, &o1);
    CHECK(o1 == 3);
    /* Between values whose difference overflows, and next to infinities:
     * still a value. */
    CHECK(quantile_lerp(-1.7e308, 1.7e308, 0.5) == 0);
    CHECK(fabs(quantile_lerp(-1.7e308, 1.7e308, 0.25) + 0.85e308) < 1e293);
    CHECK(quantile_lerp(-INFINITY, 1, 0.25) == -INFINITY);
    CHECK(quantile_lerp(-INFINITY, 1, 0.75) == 1);
    CHECK(quantile_lerp(2, 4, 0.5) == 3 && quantile_lerp(2, 4, 0) == 2);
    free(v);
    free(s);
}

/* A column of 5000 distinct values (beyond the 1024 counted exactly):
 * exact median by selection within the limit, the sketch beyond it, and
 * the statistics say which. */
static void exact_or_sketched_median(void)
{
    size_t n = 5000;
    double *v = malloc(n * sizeof *v);
    mlp_table *t = mlp_table_new(n);
    mlp_error err;
    stats_opts o = { 20, 10, 10, 1000, 4000000, 1024, NULL };
    cJSON *f;

    for (size_t i = 0; i < n; i++)
        v[i] = (double)((i * 7919) % n) + 0.5;   /* 0.5 .. 4999.5, shuffled */
    CHECK(mlp_table_add_numeric(t, "x", v, NULL, &err) == MLP_OK);
    f = feature_stats(mlp_table_column(t, 0), NULL, &o);
    CHECK(f != NULL);
    const cJSON *ns = cJSON_GetObjectItem(f, "num_stats");
    CHECK(cJSON_IsTrue(cJSON_GetObjectItem(ns, "quantiles_exact")));
    CHECK_MSG(num(ns, "median", NULL) == 2500, "%.17g", num(ns, "median", NULL));
    CHECK(num(ns, "quantile_rank_error", NULL) == 0);
    cJSON_Delete(f);
    o.exact_quantiles_max = 1000;
    f = feature_stats(mlp_table_column(t, 0), NULL, &o);
    ns = cJSON_GetObjectItem(f, "num_stats");
    CHECK(cJSON_IsFalse(cJSON_GetObjectItem(ns, "quantiles_exact")));
    CHECK(num(ns, "quantile_rank_error", NULL) > 0);
    cJSON_Delete(f);
    mlp_table_free(t);
    free(v);
}

/* A range wider than the largest double (max - min overflows): ten
 * finite buckets holding every value, not an index computed from NaN. */
static void huge_range(void)
{
    double v[5] = { 1e308, -1e308, 1.7976931348623157e308, -1.7976931348623157e308, 0 };
    mlp_table *t = mlp_table_new(5);
    mlp_error err;
    stats_opts o = { 20, 10, 10, 1000, 4000000, 1024, NULL };
    cJSON *f;
    const cJSON *h;
    double total = 0;

    CHECK(mlp_table_add_numeric(t, "x", v, NULL, &err) == MLP_OK);
    f = feature_stats(mlp_table_column(t, 0), NULL, &o);
    CHECK(f != NULL && (h = standard(f)) != NULL);
    for (int i = 0; i < 10; i++) {
        CHECK(isfinite(bucket(h, i, "low_value")) && isfinite(bucket(h, i, "high_value")));
        total += bucket(h, i, "sample_count");
    }
    CHECK_MSG(total == 5, "%g values in the buckets", total);
    CHECK(bucket(h, 0, "sample_count") == 1 && bucket(h, 9, "sample_count") == 1);
    CHECK(bucket(h, 5, "low_value") == 0 && bucket(h, 5, "sample_count") == 1);
    cJSON_Delete(f);
    mlp_table_free(t);
}

int main(void)
{
    RUN(huge_range);
    RUN(selection_matches_sorting);
    RUN(exact_or_sketched_median);
    RUN(matrix_column);
    RUN(constant_column);
    RUN(infinite_values);
    CHECK_EXIT();
}
