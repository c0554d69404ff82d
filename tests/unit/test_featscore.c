/* Feature scores (featscore.h) against scikit-learn's chi2 and f_classif
 * on real data, and the distribution tails against SciPy: fixtures made
 * by tests/data/make_score_fixtures.py.  Scores and p-values must agree
 * to 1e-9 relative (p-values below 1e-300 to 1e-300 absolute), and the
 * ten best features by each score must be the same. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include <mlpipe/featscore.h>

#include "check.h"

typedef struct data {
    size_t rows, feats;
    double **cols;
    int32_t *y;
} data;

static char *path_of(const char *rel)
{
    static char buf[4096];
    const char *top = getenv("MLPIPE_TOP");
    snprintf(buf, sizeof buf, "%s/tests/data/%s", top ? top : ".", rel);
    return buf;
}

/* A headed CSV of numbers, the label last. */
static int load(const char *name, data *d)
{
    FILE *f = fopen(path_of(name), "r");
    char line[8192];
    size_t cap = 1024;

    memset(d, 0, sizeof *d);
    if (f == NULL || fgets(line, sizeof line, f) == NULL)
        return -1;
    for (char *p = line; *p; p++)
        d->feats += *p == ',';
    d->cols = calloc(d->feats, sizeof *d->cols);
    for (size_t j = 0; j < d->feats; j++)
        d->cols[j] = malloc(cap * sizeof(double));
    d->y = malloc(cap * sizeof *d->y);
    while (fgets(line, sizeof line, f) != NULL) {
        char *p = line;
        if (d->rows == cap) {
            cap *= 2;
            for (size_t j = 0; j < d->feats; j++)
                d->cols[j] = realloc(d->cols[j], cap * sizeof(double));
            d->y = realloc(d->y, cap * sizeof *d->y);
        }
        for (size_t j = 0; j < d->feats; j++) {
            d->cols[j][d->rows] = strtod(p, &p);
            p++;
        }
        d->y[d->rows++] = (int32_t)strtol(p, NULL, 10);
    }
    fclose(f);
    return 0;
}

static void free_data(data *d)
{
    for (size_t j = 0; j < d->feats; j++)
        free(d->cols[j]);
    free(d->cols);
    free(d->y);
}

static cJSON *fixture(const char *name)
{
    FILE *f = fopen(path_of(name), "r");
    static char buf[1 << 20];
    size_t n;

    if (f == NULL)
        return NULL;
    n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return cJSON_Parse(buf);
}

static int close_to(double got, double want, double floor_abs)
{
    if (isnan(want))
        return isnan(got);
    if (fabs(want) < floor_abs)
        return fabs(got - want) <= floor_abs;
    return fabs(got - want) <= 1e-9 * fabs(want);
}

static double at(const cJSON *arr, int i)
{
    const cJSON *v = cJSON_GetArrayItem(arr, i);
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

/* Indexes of the ten largest, ties by index. */
static void top10(const double *s, size_t n, int *out)
{
    char used[256] = { 0 };
    for (int k = 0; k < 10; k++) {
        int best = -1;
        for (size_t j = 0; j < n; j++)
            if (!used[j] && (best < 0 || s[j] > s[best]))
                best = (int)j;
        used[best] = 1;
        out[k] = best;
    }
}

/* The scores and p-values of one method against the fixture's keys
 * `key` and `key`_p, and the ten best against `key`_top10.  Returns 0 or
 * fills why. */
static int compare(const cJSON *ref, const char *key, const char *name,
                   const double *score, const double *p, size_t n, char *why,
                   size_t why_len)
{
    char kp[32], kt[32];
    int top[10];

    snprintf(kp, sizeof kp, "%s_p", key);
    snprintf(kt, sizeof kt, "%s_top10", key);
    for (size_t j = 0; j < n; j++) {
        double ws = at(cJSON_GetObjectItem(ref, key), (int)j);
        double wp = at(cJSON_GetObjectItem(ref, kp), (int)j);
        if (!close_to(score[j], ws, 0) || !close_to(p[j], wp, 1e-300)) {
            snprintf(why, why_len, "%s %s feature %zu: %.17g (p %.17g), sklearn %.17g "
                     "(p %.17g)", name, key, j, score[j], p[j], ws, wp);
            return -1;
        }
    }
    if (n < 10)
        return 0;
    top10(score, n, top);
    for (int k = 0; k < 10; k++)
        if (top[k] != (int)at(cJSON_GetObjectItem(ref, kt), k)) {
            snprintf(why, why_len, "%s %s rank %d: feature %d", name, key, k + 1, top[k]);
            return -1;
        }
    return 0;
}

static void against_sklearn(const char *name, size_t classes)
{
    char csv[64], fx[64], why[512];
    data d;
    double score[64], p[64];
    mlp_error err;

    snprintf(csv, sizeof csv, "%s.csv", name);
    snprintf(fx, sizeof fx, "fixtures/%s_scores.json", name);
    CHECK_MSG(load(csv, &d) == 0, "cannot read %s", csv);
    cJSON *ref = fixture(fx);
    CHECK_MSG(ref != NULL, "cannot read %s", fx);
    CHECK((size_t)cJSON_GetArraySize(cJSON_GetObjectItem(ref, "chi2")) == d.feats);
    const double *const *cols = (const double *const *)d.cols;
    CHECK_MSG(mlp_score_chi2(cols, d.feats, d.rows, d.y, classes, score, p, &err) == MLP_OK,
              "%s", err.msg);
    CHECK_MSG(compare(ref, "chi2", name, score, p, d.feats, why, sizeof why) == 0, "%s", why);
    CHECK_MSG(mlp_score_anova_f(cols, d.feats, d.rows, d.y, classes, score, p, &err) == MLP_OK,
              "%s", err.msg);
    CHECK_MSG(compare(ref, "f", name, score, p, d.feats, why, sizeof why) == 0, "%s", why);
    cJSON_Delete(ref);
    free_data(&d);
}

static void breast_cancer(void) { against_sklearn("breast_cancer", 2); }
static void iris(void) { against_sklearn("iris", 3); }

static void tails_against_scipy(void)
{
    cJSON *ref = fixture("fixtures/tails.json"), *row;

    CHECK(ref != NULL);
    cJSON_ArrayForEach(row, cJSON_GetObjectItem(ref, "chi2_sf")) {
        double x = at(row, 0), k = at(row, 1), want = at(row, 2);
        double got = mlp_chi2_sf(x, k);
        CHECK_MSG(close_to(got, want, 1e-300), "chi2.sf(%g, %g): %.17g, SciPy %.17g",
                  x, k, got, want);
    }
    cJSON_ArrayForEach(row, cJSON_GetObjectItem(ref, "f_sf")) {
        double x = at(row, 0), a = at(row, 1), b = at(row, 2), want = at(row, 3);
        double got = mlp_f_sf(x, a, b);
        CHECK_MSG(close_to(got, want, 1e-300), "f.sf(%g, %g, %g): %.17g, SciPy %.17g",
                  x, a, b, got, want);
    }
    cJSON_Delete(ref);
    CHECK(isnan(mlp_chi2_sf(1, 0)) && isnan(mlp_f_sf(1, -1, 2)) && isnan(mlp_chi2_sf(NAN, 1)));
    CHECK(mlp_chi2_sf(0, 3) == 1 && mlp_f_sf(INFINITY, 2, 3) == 0);
}

static void refusals(void)
{
    double a[4] = { 1, 2, -3, 4 }, b[4] = { 1, 1, 2, 2 }, s[2], p[2];
    const double *cols[2] = { b, a };
    int32_t y[4] = { 0, 1, 0, 1 }, one[4] = { 1, 1, 1, 1 }, bad[4] = { 0, 1, 2, 1 };
    mlp_error err;

    CHECK(mlp_score_chi2(cols, 2, 4, y, 2, s, p, &err) == MLP_EINVAL);
    CHECK_CONTAINS(err.msg, "feature 2, row 3: chi-squared needs values >= 0");
    CHECK(mlp_score_anova_f(cols, 2, 4, one, 2, s, p, &err) == MLP_EINVAL);
    CHECK_CONTAINS(err.msg, "the label has 1 class in these rows");
    CHECK(mlp_score_anova_f(cols, 2, 4, bad, 2, s, p, &err) == MLP_EINVAL);
    CHECK_CONTAINS(err.msg, "row 3: label 2 is not a class index 0..1");
    CHECK(mlp_score_anova_f(cols, 2, 2, y, 2, s, p, &err) == MLP_EINVAL);
    CHECK_CONTAINS(err.msg, "2 rows in 2 classes");
    a[2] = INFINITY;
    CHECK(mlp_score_anova_f(cols, 2, 4, y, 2, s, p, NULL) == MLP_EINVAL);
    /* Constant within each class: infinite F when the means differ (p 0),
     * undefined when they do not; a feature of zeros has no chi2. */
    double c1[4] = { 5, 7, 5, 7 }, c2[4] = { 3, 3, 3, 3 }, z[4] = { 0, 0, 0, 0 };
    const double *cc[3] = { c1, c2, z };
    CHECK(mlp_score_anova_f(cc, 2, 4, y, 2, s, p, &err) == MLP_OK);
    CHECK(isinf(s[0]) && p[0] == 0 && isnan(s[1]) && isnan(p[1]));
    double s3[3], p3[3];
    CHECK(mlp_score_chi2(cc, 3, 4, y, 2, s3, p3, &err) == MLP_OK);
    CHECK(isnan(s3[2]) && isnan(p3[2]) && s3[1] == 0 && p3[1] == 1);
}

int main(void)
{
    RUN(breast_cancer);
    RUN(iris);
    RUN(tails_against_scipy);
    RUN(refusals);
    CHECK_EXIT();
}
