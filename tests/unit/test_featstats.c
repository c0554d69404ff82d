/* Unit tests of the statistics plugin's per-feature statistics on the
 * column kinds the end-to-end tests do not reach: a dense matrix column
 * (every row holds `width` values, as pixels do), against values counted
 * by hand. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <mlpipe/table.h>

#include "check.h"
#include "featstats.h"

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
    stats_opts o = { 20, 10, 10, 1000, NULL };
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
    stats_opts o = { 20, 10, 10, 1000, NULL };
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
    stats_opts o = { 20, 10, 10, 1000, NULL };
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
    cJSON_Delete(f);
    mlp_table_free(t);
}

int main(void)
{
    RUN(matrix_column);
    RUN(constant_column);
    RUN(infinite_values);
    CHECK_EXIT();
}
