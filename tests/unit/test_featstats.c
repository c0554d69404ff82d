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

int main(void)
{
    RUN(matrix_column);
    CHECK_EXIT();
}
