/* Unit tests of the statistics plugin's per-feature statistics on the
 * column kinds the end-to-end tests do not reach: a dense matrix column
 * (every row holds `width` values, as pixels do), against values counted
 * by hand; a column given in pieces (row groups) of every form against
 * the same column whole; text counted by the sketches. */
#include <math.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <mlpipe/memory.h>
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
    stats_opts o = { 20, 10, 10, 1000, 4000000, 1024, 128u << 20, NULL };
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
    stats_opts o = { 20, 10, 10, 1000, 4000000, 1024, 128u << 20, NULL };
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
    stats_opts o = { 20, 10, 10, 1000, 4000000, 1024, 128u << 20, NULL };
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
    /* Many ranks at once (a percentile histogram), on random and on
     * few-valued data. */
    double many_q[101], many_out[101];
    for (int j = 0; j <= 100; j++)
        many_q[j] = j / 100.0;
    for (int shape = 0; shape < 2; shape++) {
        uint64_t x = 99991;
        for (size_t i = 0; i < n; i++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            v[i] = shape ? (double)(x % 5) : (double)(x % 1000003) / 3.0;
        }
        memcpy(s, v, n * sizeof *s);
        qsort(s, n, sizeof *s, cmp_dbl);
        exact_quantiles(v, n, many_q, 101, many_out);
        for (int j = 0; j <= 100; j++)
            CHECK_MSG(many_out[j] == sorted_quantile(s, n, many_q[j]), "shape %d q %g: %.17g vs %.17g",
                      shape, many_q[j], many_out[j], sorted_quantile(s, n, many_q[j]));
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
    stats_opts o = { 20, 10, 10, 1000, 4000000, 1024, 128u << 20, NULL };
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
    stats_opts o = { 20, 10, 10, 1000, 4000000, 1024, 128u << 20, NULL };
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

/* ------------------------------------------------- columns in pieces */

/* Rows of one column, kept raw so that any range can be made a piece in
 * any stored form. */
enum { F_DOUBLE, F_PACKED, F_INT64, F_STRING, F_CATEGORY, F_MATRIX };

typedef struct raw {
    size_t n;
    double *v;
    int64_t *iv;
    char **s;
    uint8_t *miss;     /* one byte a row */
} raw;

typedef struct piece_set {
    mlp_table **t;
    size_t n;
} piece_set;

static uint8_t *bitmap(const raw *r, size_t lo, size_t hi)
{
    uint8_t *m = mlp_calloc((hi - lo) / 8 + 1, 1);
    int any = 0;
    for (size_t i = lo; i < hi; i++)
        if (r->miss[i]) {
            m[(i - lo) / 8] |= (uint8_t)(1u << ((i - lo) % 8));
            any = 1;
        }
    if (!any) {
        mlp_free(m);
        return NULL;
    }
    return m;
}

/* Rows lo..hi of r as a table of one column in the given form; for
 * F_PACKED the narrowest of the forms below that holds the values, or
 * doubles. */
static mlp_table *make_piece(const raw *r, int form, size_t lo, size_t hi)
{
    size_t n = hi - lo;
    mlp_table *t = mlp_table_new(n);
    mlp_error err;
    int rc = MLP_OK;

    if (form == F_PACKED) {
        double mn = 0, mx = 0;
        for (size_t i = lo; i < hi; i++)
            if (!r->miss[i]) {
                mn = r->v[i] < mn ? r->v[i] : mn;
                mx = r->v[i] > mx ? r->v[i] : mx;
            }
        mlp_packing p = mn >= 0 && mx <= 255 ? MLP_PACK_U8 : mn >= -128 && mx <= 127
                        ? MLP_PACK_I8 : mn >= -32768 && mx <= 32767 ? MLP_PACK_I16
                        : mn >= 0 && mx <= 65535 ? MLP_PACK_U16 : MLP_PACK_F64;
        size_t size = p == MLP_PACK_U8 || p == MLP_PACK_I8 ? 1 : 2;
        if (p == MLP_PACK_F64)
            form = F_DOUBLE;
        else {
            char *buf = mlp_calloc(n + 1, size);
            for (size_t i = lo; i < hi; i++) {
                long x = r->miss[i] ? 0 : (long)r->v[i];
                if (p == MLP_PACK_U8) ((uint8_t *)buf)[i - lo] = (uint8_t)x;
                if (p == MLP_PACK_I8) ((int8_t *)buf)[i - lo] = (int8_t)x;
                if (p == MLP_PACK_I16) ((int16_t *)buf)[i - lo] = (int16_t)x;
                if (p == MLP_PACK_U16) ((uint16_t *)buf)[i - lo] = (uint16_t)x;
            }
            rc = mlp_table_adopt_packed(t, "c", p, buf, bitmap(r, lo, hi), &err);
        }
    }
    if (form == F_DOUBLE) {
        double *v = mlp_malloc((n + 1) * sizeof *v);
        memcpy(v, r->v + lo, n * sizeof *v);
        rc = mlp_table_adopt_numeric(t, "c", v, bitmap(r, lo, hi), &err);
    } else if (form == F_INT64) {
        int64_t *v = mlp_malloc((n + 1) * sizeof *v);
        memcpy(v, r->iv + lo, n * sizeof *v);
        rc = mlp_table_adopt_int64(t, "c", v, bitmap(r, lo, hi), &err);
    } else if (form == F_STRING) {
        const char **v = calloc(n + 1, sizeof *v);
        for (size_t i = lo; i < hi; i++)
            v[i - lo] = r->miss[i] ? NULL : r->s[i];
        rc = mlp_table_add_string(t, "c", v, &err);
        free(v);
    } else if (form == F_CATEGORY) {
        /* Each piece has its own dictionary, in reverse order of first
         * appearance, as a row group written alone would not have. */
        const char **lv = calloc(n + 1, sizeof *lv);
        int32_t *codes = calloc(n + 1, sizeof *codes);
        size_t nl = 0;
        for (size_t i = hi; i-- > lo;) {
            size_t k;
            if (r->miss[i])
                continue;
            for (k = 0; k < nl && strcmp(lv[k], r->s[i]) != 0; k++)
                ;
            if (k == nl)
                lv[nl++] = r->s[i];
        }
        for (size_t i = lo; i < hi; i++) {
            size_t k = 0;
            if (r->miss[i]) {
                codes[i - lo] = -1;
                continue;
            }
            while (strcmp(lv[k], r->s[i]) != 0)
                k++;
            codes[i - lo] = (int32_t)k;
        }
        rc = mlp_table_add_categorical(t, "c", codes, nl, lv, &err);
        free(lv);
        free(codes);
    } else if (form == F_MATRIX) {
        float *v = mlp_malloc((n * 3 + 1) * sizeof *v);
        for (size_t i = 0; i < n * 3; i++)
            v[i] = (float)r->v[lo * 3 + i];
        rc = mlp_table_adopt_matrix(t, "c", 3, v, &err);
    }
    if (rc != MLP_OK) {
        fprintf(stderr, "make_piece: %s\n", err.msg);
        mlp_table_free(t);
        return NULL;
    }
    return t;
}

static int set_get(void *arg, size_t k, const mlp_column **c, void **hold,
                   mlp_error *err)
{
    (void)err;
    *c = mlp_table_column(((piece_set *)arg)->t[k], 0);
    *hold = NULL;
    return MLP_OK;
}

static void set_put(void *arg, void *hold)
{
    (void)arg;
    (void)hold;
}

/* The statistics of r cut at the given row counts (0-terminated), piece
 * k in forms[k % n_forms], printed. */
static char *stats_cut(const raw *r, const int *forms, size_t n_forms,
                       size_t step, const char *kind, const stats_opts *o)
{
    piece_set ps = { calloc(r->n + 1, sizeof(mlp_table *)), 0 };
    mlp_error err;
    char *out = NULL;
    size_t width = 0;

    for (size_t lo = 0; lo < r->n; lo += step) {
        size_t hi = lo + step < r->n ? lo + step : r->n;
        ps.t[ps.n] = make_piece(r, forms[ps.n % n_forms], lo, hi);
        if (ps.t[ps.n++] == NULL)
            goto done;
    }
    const mlp_column *c0 = mlp_table_column(ps.t[0], 0);
    width = c0->width;
    stats_source src = { ps.n, set_get, set_put, &ps };
    cJSON *f = feature_stats_source("c", c0->type, width, kind, o, &src, &err);
    if (f == NULL)
        fprintf(stderr, "stats_cut: %s\n", err.msg);
    out = f ? cJSON_PrintUnformatted(f) : NULL;
    cJSON_Delete(f);
done:
    for (size_t k = 0; k < ps.n; k++)
        mlp_table_free(ps.t[k]);
    free(ps.t);
    return out;
}

static uint64_t rnd(uint64_t *x)
{
    *x ^= *x << 13, *x ^= *x >> 7, *x ^= *x << 17;
    return *x;
}

/* What a column gives whole (one piece, as a one-group file stores it)
 * is what it gives in pieces of every size and mixed forms, with and
 * without weights. */
static void check_cuts(const raw *r, const int *whole, const int *forms,
                       size_t n_forms, const char *kind, const char *what)
{
    static const size_t steps[] = { 1, 7, 997, 1500 };
    double *w = malloc((r->n + 1) * sizeof *w);
    uint64_t x = 12345;
    stats_opts o = { 20, 10, 10, 1000, 4000000, 1024, 128u << 20, NULL };

    for (size_t i = 0; i < r->n; i++)
        w[i] = (double)(rnd(&x) % 1000) / 7.0;
    for (int weighted = 0; weighted < 2; weighted++) {
        o.weights = weighted ? w : NULL;
        char *one = stats_cut(r, whole, 1, r->n, kind, &o);
        CHECK_MSG(one != NULL, "%s: no statistics whole", what);
        for (size_t s = 0; s < sizeof steps / sizeof *steps; s++) {
            char *cut = stats_cut(r, forms, n_forms, steps[s], kind, &o);
            CHECK_MSG(cut != NULL && strcmp(one, cut) == 0,
                      "%s, weighted %d, pieces of %zu rows:\n whole %.300s\n cut   %.300s",
                      what, weighted, steps[s], one, cut ? cut : "(null)");
            free(cut);
        }
        free(one);
    }
    free(w);
}

static raw make_raw(size_t n, int kind)
{
    raw r = { n, calloc(n * 3 + 1, sizeof(double)), calloc(n + 1, sizeof(int64_t)),
              calloc(n + 1, sizeof(char *)), calloc(n + 1, 1) };
    uint64_t x = 88172645463325252ull + (uint64_t)kind;

    for (size_t i = 0; i < n * 3; i++) {
        uint64_t u = rnd(&x);
        if (i >= n) {
            r.v[i] = (double)(u % 1000) / 8.0;   /* the matrix's cells */
            continue;
        }
        r.miss[i] = u % 13 == 0;
        switch (kind) {
        case 0: r.v[i] = (double)(u % 100000) / 3.0 - 5000; break;
        case 1: r.v[i] = (double)(u % 2000); break;                   /* binned */
        case 2: r.v[i] = i < n / 2 ? -(double)(u % 50) : 60000 + (double)(u % 3); break;
        case 3: r.iv[i] = i == n / 2 ? (1ll << 60) + 3 : (int64_t)(u % 5000);
                r.v[i] = (double)r.iv[i]; break;
        case 4: r.v[i] = u % 7 == 0 ? NAN : u % 11 == 0 ? INFINITY : (double)(u % 40); break;
        case 5: r.v[i] = (double)(u % 300); break;
        }
        char buf[32];
        snprintf(buf, sizeof buf, "v%llu", (unsigned long long)(u % 997));
        r.s[i] = strdup(buf);
    }
    if (kind == 6)
        memset(r.miss, 0, n);
    return r;
}

static void free_raw(raw *r)
{
    for (size_t i = 0; i < r->n; i++)
        free(r->s[i]);
    free(r->v);
    free(r->iv);
    free(r->s);
    free(r->miss);
}

static void pieces_match_whole(void)
{
    const size_t n = 3000;
    static const int dbl[] = { F_DOUBLE }, pk[] = { F_PACKED },
                     mixed[] = { F_PACKED, F_DOUBLE, F_DOUBLE },
                     i64[] = { F_INT64 }, str[] = { F_STRING },
                     cat[] = { F_CATEGORY }, strcat_[] = { F_STRING, F_CATEGORY },
                     mat[] = { F_MATRIX };
    raw r;

    r = make_raw(n, 0);
    check_cuts(&r, dbl, dbl, 1, NULL, "many distinct decimals");
    check_cuts(&r, str, str, 1, NULL, "text");
    check_cuts(&r, str, strcat_, 2, NULL, "text and categories mixed");
    check_cuts(&r, cat, cat, 1, NULL, "categories");
    free_raw(&r);
    r = make_raw(n, 1);
    check_cuts(&r, pk, mixed, 3, NULL, "2000 distinct small integers");
    check_cuts(&r, dbl, mixed, 3, NULL, "small integers stored as doubles");
    check_cuts(&r, dbl, dbl, 1, "categorical", "integers counted as categories");
    free_raw(&r);
    r = make_raw(n, 2);
    check_cuts(&r, dbl, mixed, 3, NULL, "small integers, then too large to bin");
    free_raw(&r);
    r = make_raw(n, 3);
    check_cuts(&r, i64, i64, 1, NULL, "an integer beyond 2^53");
    check_cuts(&r, i64, i64, 1, "categorical", "ids counted as categories");
    free_raw(&r);
    r = make_raw(n, 4);
    check_cuts(&r, dbl, dbl, 1, NULL, "NaN and infinities");
    free_raw(&r);
    r = make_raw(n, 5);
    check_cuts(&r, pk, mixed, 3, NULL, "few small integers");
    check_cuts(&r, mat, mat, 1, NULL, "matrix");
    free_raw(&r);
}

/* 200,000 rows: "hot" in every tenth, "warm" in every 50th (of the
 * others), every other row a value of its own. */
static char *sketch_row(size_t i, char *buf, size_t size)
{
    if (i % 10 == 0)
        return "hot";
    if (i % 50 == 1)
        return "warm";
    snprintf(buf, size, "unique value %zu", i);
    return buf;
}

static void text_sketches(void)
{
    const size_t n = 200000;
    const char **v = calloc(n + 1, sizeof *v);
    char **own = calloc(n + 1, sizeof *own);
    mlp_table *t = mlp_table_new(n);
    mlp_error err;
    stats_opts o = { 20, 10, 10, 1000, 4000000, 1024, 1u << 20, NULL };
    char buf[64];
    double distinct = 2, hot = 0, warm = 0;

    for (size_t i = 0; i < n; i++) {
        char *s = sketch_row(i, buf, sizeof buf);
        own[i] = strdup(s);
        v[i] = own[i];
        distinct += s == buf;
        hot += strcmp(s, "hot") == 0;
        warm += strcmp(s, "warm") == 0;
    }
    CHECK(mlp_table_add_string(t, "c", v, &err) == MLP_OK);
    cJSON *f = feature_stats(mlp_table_column(t, 0), NULL, &o);
    const cJSON *ss = cJSON_GetObjectItem(f, "string_stats");
    CHECK(ss != NULL);
    CHECK(cJSON_IsFalse(cJSON_GetObjectItem(ss, "counts_exact")));
    double u = num(ss, "unique", NULL), e = num(ss, "frequency_error", NULL);
    /* Four standard errors of HyperLogLog with 2^14 registers. */
    CHECK_MSG(fabs(u - distinct) <= 4 * 0.0081 * distinct, "unique %g of %g", u, distinct);
    const cJSON *top = cJSON_GetObjectItem(ss, "top_values");
    const cJSON *t0 = cJSON_GetArrayItem(top, 0), *t1 = cJSON_GetArrayItem(top, 1);
    CHECK(strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(t0, "value")), "hot") == 0);
    CHECK(strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(t1, "value")), "warm") == 0);
    /* Lower bounds, at most frequency_error below the truth. */
    double fh = num(t0, "frequency", NULL), fw = num(t1, "frequency", NULL);
    CHECK_MSG(e > 0 && fh <= hot && fh >= hot - e, "hot %g of %g, error %g", fh, hot, e);
    CHECK_MSG(fw <= warm && fw >= warm - e, "warm %g of %g, error %g", fw, warm, e);
    CHECK_MSG(e < 0.01 * (double)n, "error %g", e);
    /* The avg_length and counts stay exact. */
    CHECK(num(f, "common", "num_non_missing") == (double)n);
    cJSON_Delete(f);
    /* Within the budget: exact, and said so by the absence of the flag. */
    o.exact_unique_bytes = 128u << 20;
    f = feature_stats(mlp_table_column(t, 0), NULL, &o);
    ss = cJSON_GetObjectItem(f, "string_stats");
    CHECK(cJSON_GetObjectItem(ss, "counts_exact") == NULL);
    CHECK_MSG(num(ss, "unique", NULL) == distinct, "%g", num(ss, "unique", NULL));
    t0 = cJSON_GetArrayItem(cJSON_GetObjectItem(ss, "top_values"), 0);
    CHECK(num(t0, "frequency", NULL) == hot);
    cJSON_Delete(f);
    mlp_table_free(t);
    for (size_t i = 0; i < n; i++)
        free(own[i]);
    free(own);
    free(v);
}

/* The switch to sketches happens at the same row however the rows are
 * cut, so sketched statistics match too. */
static void sketched_pieces_match(void)
{
    const size_t n = 30000;
    raw r = { n, calloc(n + 1, sizeof(double)), calloc(n + 1, sizeof(int64_t)),
              calloc(n + 1, sizeof(char *)), calloc(n + 1, 1) };
    static const int str[] = { F_STRING }, mixed[] = { F_STRING, F_CATEGORY };
    stats_opts o = { 20, 10, 10, 1000, 4000000, 1024, 64u << 10, NULL };
    char buf[64];

    for (size_t i = 0; i < n; i++)
        r.s[i] = strdup(sketch_row(i, buf, sizeof buf));
    char *one = stats_cut(&r, str, 1, n, NULL, &o);
    CHECK(one != NULL && strstr(one, "\"counts_exact\":false") != NULL);
    char *cut = stats_cut(&r, mixed, 2, 777, NULL, &o);
    CHECK_MSG(cut != NULL && strcmp(one, cut) == 0, "whole %.200s\ncut %.200s", one,
              cut ? cut : "(null)");
    free(one);
    free(cut);
    free_raw(&r);
}

/* The distinct-count estimate across the range where the classic
 * HyperLogLog estimator is biased (2.5 m to 5 m, m = 16384 registers):
 * within three standard errors everywhere. */
static void unique_estimate_range(void)
{
    static const size_t sizes[] = { 500, 9000, 30000, 41000, 45000, 60000, 82000, 200000 };
    stats_opts o = { 20, 10, 10, 1000, 4000000, 1024, 0, NULL };

    for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
        size_t n = sizes[k];
        const char **v = calloc(n + 1, sizeof *v);
        char *text = malloc(n * 16);
        mlp_table *t = mlp_table_new(n);
        mlp_error err;
        for (size_t i = 0; i < n; i++) {
            snprintf(text + i * 16, 16, "k%zu", i * 7919);
            v[i] = text + i * 16;
        }
        CHECK(mlp_table_add_string(t, "c", v, &err) == MLP_OK);
        cJSON *f = feature_stats(mlp_table_column(t, 0), NULL, &o);
        double u = num(cJSON_GetObjectItem(f, "string_stats"), "unique", NULL);
        cJSON_Delete(f);
        mlp_table_free(t);
        free(v);
        free(text);
        CHECK_MSG(fabs(u - (double)n) <= 3 * 0.0081 * (double)n + 1, "%zu distinct: %g", n, u);
    }
}

int main(void)
{
    RUN(unique_estimate_range);
    RUN(pieces_match_whole);
    RUN(text_sketches);
    RUN(sketched_pieces_match);
    RUN(huge_range);
    RUN(selection_matches_sorting);
    RUN(exact_or_sketched_median);
    RUN(matrix_column);
    RUN(constant_column);
    RUN(infinite_values);
    CHECK_EXIT();
}
