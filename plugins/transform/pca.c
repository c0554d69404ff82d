/* Fitting PCA inside the transform: principal components of features the
 * graph already computes (scaled pixels, z-scores), found on the fit
 * split and stored in the graph as a projection step.
 *
 * With more rows than features, the covariance is accumulated a row group
 * and a block of rows at a time (BLAS syrk of values shifted by the first
 * row, so the sums lose little to cancellation; the block holds a
 * feature's values in a row, read column by column) and its eigenvectors come
 * from LAPACK's dsyevd: memory holds one group, never the split.  With
 * more features than rows, the centred rows are kept and LAPACK's dgesdd
 * gives the singular vectors.  Components, variances and their ratios are
 * scikit-learn's PCA's (svd_solver="full"); each component's sign makes
 * its largest entry positive. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>
#include <lapacke.h>

#include "tf.h"

enum { BLOCK_ROWS = 4096 };

typedef struct acc {
    size_t p, n;
    double *shift, *sum, *G;    /* p, p, p x p (row major, upper) */
    double *block;              /* p x BLOCK_ROWS: a feature's values in a row */
    size_t in_block;
    double *X;                  /* SVD path: every centred-later row */
    size_t x_rows;
} acc;

static void flush(acc *a)
{
    if (a->in_block == 0)
        return;
    cblas_dsyrk(CblasRowMajor, CblasUpper, CblasNoTrans, (int)a->p, (int)a->in_block,
                1.0, a->block, BLOCK_ROWS, 1.0, a->G, (int)a->p);
    a->in_block = 0;
}

static int not_finite(const mlp_column *const *c, const char *const *cols, size_t p,
                      size_t r0, size_t r1, size_t base, size_t *bad, mlp_error *err)
{
    /* The first in row order, as a reader of the split would meet it. */
    for (size_t r = r0; r < r1; r++)
        for (size_t j = 0; j < p; j++) {
            double v = mlp_column_number(c[j], r);
            if (!isfinite(v)) {
                *bad = base + r;
                return mlp_error_set(err, MLP_EINVAL, "pca: feature '%s' is %s in row "
                                     "%zu; PCA needs every input (impute it first)",
                                     cols[j], isnan(v) ? "missing" : "infinite",
                                     base + r + 1);
            }
        }
    return MLP_OK;
}

static int add_rows(acc *a, const mlp_table *t, const char *const *cols, size_t base,
                    size_t *bad_row, mlp_error *err)
{
    size_t p = a->p, rows = mlp_table_n_rows(t);
    const mlp_column **c = malloc((p + 1) * sizeof *c);
    int rc = MLP_OK;

    if (c == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    for (size_t j = 0; j < p; j++)
        c[j] = mlp_table_find(t, cols[j]);
    /* Rows go into the block a feature at a time (each feature's values
     * read in order), as many as the block has room for. */
    for (size_t r0 = 0; r0 < rows && rc == MLP_OK;) {
        size_t take = a->X ? rows - r0 : BLOCK_ROWS - a->in_block;
        int bad = 0;
        if (take > rows - r0)
            take = rows - r0;
        if (a->n == 0)
            for (size_t j = 0; j < p; j++)
                a->shift[j] = mlp_column_number(c[j], r0);
        for (size_t j = 0; j < p && !bad; j++) {
            double sh = a->shift[j], s = a->sum[j];
            const double *num = c[j]->missing ? NULL : c[j]->num;
            /* Column-major in the block; the SVD path keeps rows. */
            double *dst = a->X ? a->X + a->x_rows * p + j : a->block + j * BLOCK_ROWS + a->in_block;
            size_t step = a->X ? p : 1;
            for (size_t r = 0; r < take; r++) {
                double v = num ? num[r0 + r] : mlp_column_number(c[j], r0 + r);
                bad |= !isfinite(v);
                dst[r * step] = v - sh;
                s += v - sh;
            }
            a->sum[j] = s;
        }
        if (bad) {
            rc = not_finite(c, cols, p, r0, r0 + take, base, bad_row, err);
            break;
        }
        a->n += take;
        r0 += take;
        if (a->X)
            a->x_rows += take;
        else if ((a->in_block += take) == BLOCK_ROWS)
            flush(a);
    }
    free(c);
    return rc;
}

/* How many components: `components`, or the fewest whose variance ratios
 * reach `variance` (scikit-learn's float n_components). */
static int how_many(const cJSON *spec, const double *ratio, size_t avail, size_t p,
                    size_t *k, mlp_error *err)
{
    const cJSON *c = cJSON_GetObjectItem(spec, "components");
    const cJSON *v = cJSON_GetObjectItem(spec, "variance");
    if (cJSON_IsNumber(c) == cJSON_IsNumber(v))
        return mlp_error_set(err, MLP_EINVAL, "pca: give components (a count) or "
                             "variance (a fraction of the variance to keep), one of them");
    if (cJSON_IsNumber(c)) {
        double x = c->valuedouble;
        if (!(x >= 1 && x == floor(x)) || x > (double)avail)
            return mlp_error_set(err, MLP_EINVAL, "pca: components = %g, but there are "
                                 "%zu inputs and at most %zu components", x, p, avail);
        *k = (size_t)x;
        return MLP_OK;
    }
    if (!(v->valuedouble > 0 && v->valuedouble < 1))
        return mlp_error_set(err, MLP_EINVAL, "pca: variance is a fraction between 0 and "
                             "1, not %g", v->valuedouble);
    double cum = 0;
    for (*k = 0; *k < avail;) {
        cum += ratio[(*k)++];
        if (cum > v->valuedouble)
            break;
    }
    return MLP_OK;
}

/* values (k x p, rows the components, largest variance first), ev (k)
 * into the step. */
static void store(cJSON *step, const double *mean, size_t p, const double *comp,
                  const double *ev, const double *ratio, size_t k, int whiten)
{
    cJSON *m = cJSON_AddArrayToObject(step, "mean"), *cs = cJSON_AddArrayToObject(step, "components");
    cJSON *e = cJSON_AddArrayToObject(step, "explained_variance");
    cJSON *r = cJSON_AddArrayToObject(step, "explained_variance_ratio");
    double total = 0;

    for (size_t j = 0; j < p; j++)
        cJSON_AddItemToArray(m, mlp_json_number(mean[j]));
    for (size_t c = 0; c < k; c++) {
        cJSON *row = cJSON_CreateArray();
        for (size_t j = 0; j < p; j++)
            cJSON_AddItemToArray(row, mlp_json_number(comp[c * p + j]));
        cJSON_AddItemToArray(cs, row);
        cJSON_AddItemToArray(e, mlp_json_number(ev[c]));
        cJSON_AddItemToArray(r, mlp_json_number(ratio[c]));
        total += ratio[c];
    }
    cJSON_AddItemToObject(step, "explained_variance_total", mlp_json_number(total));
    if (whiten) {
        cJSON *s = cJSON_AddArrayToObject(step, "scale");
        for (size_t c = 0; c < k; c++)
            cJSON_AddItemToArray(s, mlp_json_number(ev[c] > 0 ? 1 / sqrt(ev[c]) : 0));
    }
}

/* The sign that makes the largest |entry| of v positive. */
static void orient(double *v, size_t p, size_t stride)
{
    size_t best = 0;
    for (size_t j = 1; j < p; j++)
        if (fabs(v[j * stride]) > fabs(v[best * stride]))
            best = j;
    if (v[best * stride] < 0)
        for (size_t j = 0; j < p; j++)
            v[j * stride] = -v[j * stride];
}

int tf_fit_pca(mlp_table_file *f, const mlp_artifact *ex, const char *split,
               const mlp_tgraph *partial, const char *const *cols, size_t p,
               const cJSON *spec, cJSON *step, mlp_error *err)
{
    size_t rows = mlp_table_file_n_rows(f), avail, k = 0;
    int whiten = cJSON_IsTrue(cJSON_GetObjectItem(spec, "whiten"));
    acc a;
    int rc = MLP_OK;
    double *mean = NULL, *ev = NULL, *ratio = NULL, *comp = NULL, total = 0;

    memset(&a, 0, sizeof a);
    if (rows < 2)
        return mlp_error_set(err, MLP_EINVAL, "pca: the fit split has %zu row%s; "
                             "components need two or more", rows, rows == 1 ? "" : "s");
    a.p = p;
    a.shift = calloc(p, sizeof *a.shift);
    a.sum = calloc(p, sizeof *a.sum);
    if (p > rows)
        a.X = malloc(rows * p * sizeof *a.X);
    else {
        a.G = calloc(p * p, sizeof *a.G);
        a.block = malloc(BLOCK_ROWS * p * sizeof *a.block);
    }
    if (a.shift == NULL || a.sum == NULL || (p > rows ? a.X == NULL : !a.G || !a.block)) {
        rc = mlp_error_set(err, MLP_ENOMEM, "out of memory: PCA of %zu features", p);
        goto done;
    }
    /* A slice of a group at a time: the features of a whole group (60,000
     * rows of 784 pixels: 376 MB) would be faulted in for one pass. */
    size_t slice = tf_slice_rows(partial), base = 0;
    for (size_t g = 0; g < mlp_table_file_n_groups(f) && rc == MLP_OK; g++) {
        mlp_table *raw = NULL;
        rc = mlp_table_file_group_packed(f, g, &raw, err);
        size_t n = rc == MLP_OK ? mlp_table_n_rows(raw) : 0;
        for (size_t r0 = 0; rc == MLP_OK && r0 < n; r0 += slice) {
            mlp_table *part = NULL, *t = NULL;
            size_t take = n - r0 < slice ? n - r0 : slice, bad = SIZE_MAX;
            rc = mlp_table_rows(raw, r0, take, &part, err);
            if (rc == MLP_OK && (rc = mlp_tgraph_apply_rows(partial, part, base, &t, &bad,
                                                             err)) != MLP_OK && bad != SIZE_MAX)
                bad += base;
            if (rc == MLP_OK)
                rc = add_rows(&a, t, cols, base, &bad, err);
            /* Rows are named in the split, with the line they came from. */
            if (rc != MLP_OK)
                tf_name_row(ex, split, bad, err);
            base += take;
            mlp_table_free(part);
            mlp_table_free(t);
        }
        mlp_table_free(raw);
    }
    if (rc != MLP_OK)
        goto done;
    flush(&a);
    avail = p < a.n ? p : a.n;
    mean = malloc(p * sizeof *mean);
    ev = calloc(avail + 1, sizeof *ev);
    ratio = calloc(avail + 1, sizeof *ratio);
    comp = malloc(avail * p * sizeof *comp);
    if (!mean || !ev || !ratio || !comp) {
        rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t j = 0; j < p; j++)
        mean[j] = a.shift[j] + a.sum[j] / (double)a.n;
    if (a.X == NULL) {
        /* Covariance from the shifted sums, then its eigenvectors. */
        double *w = malloc(p * sizeof *w);
        for (size_t i = 0; i < p; i++)
            for (size_t j = i; j < p; j++)
                a.G[i * p + j] = (a.G[i * p + j] - a.sum[i] * a.sum[j] / (double)a.n) /
                                 (double)(a.n - 1);
        if (w == NULL || LAPACKE_dsyevd(LAPACK_ROW_MAJOR, 'V', 'U', (lapack_int)p, a.G,
                                        (lapack_int)p, w) != 0) {
            free(w);
            rc = mlp_error_set(err, MLP_EINVAL, "pca: the eigendecomposition of the "
                               "covariance of %zu features failed", p);
            goto done;
        }
        for (size_t j = 0; j < p; j++)
            total += w[j] > 0 ? w[j] : 0;
        /* Eigenvalues ascend: the components are the last columns. */
        for (size_t c = 0; c < avail; c++) {
            size_t col = p - 1 - c;
            ev[c] = w[col] > 0 ? w[col] : 0;
            ratio[c] = total > 0 ? ev[c] / total : 0;
            for (size_t j = 0; j < p; j++)
                comp[c * p + j] = a.G[j * p + col];
            orient(comp + c * p, p, 1);
        }
        free(w);
    } else {
        size_t n = a.n;
        double *s = malloc(avail * sizeof *s), *vt = malloc(avail * p * sizeof *vt);
        for (size_t r = 0; r < n; r++)
            for (size_t j = 0; j < p; j++)
                a.X[r * p + j] -= a.sum[j] / (double)n;
        if (s == NULL || vt == NULL ||
            LAPACKE_dgesdd(LAPACK_ROW_MAJOR, 'S', (lapack_int)n, (lapack_int)p, a.X,
                           (lapack_int)p, s, NULL, (lapack_int)n, vt, (lapack_int)p) != 0) {
            free(s);
            free(vt);
            rc = mlp_error_set(err, MLP_EINVAL, "pca: the SVD of %zu rows x %zu features "
                               "failed", n, p);
            goto done;
        }
        for (size_t c = 0; c < avail; c++)
            total += s[c] * s[c] / (double)(n - 1);
        for (size_t c = 0; c < avail; c++) {
            ev[c] = s[c] * s[c] / (double)(n - 1);
            ratio[c] = total > 0 ? ev[c] / total : 0;
            memcpy(comp + c * p, vt + c * p, p * sizeof *comp);
            orient(comp + c * p, p, 1);
        }
        free(s);
        free(vt);
    }
    if ((rc = how_many(spec, ratio, avail, p, &k, err)) != MLP_OK)
        goto done;
    store(step, mean, p, comp, ev, ratio, k, whiten);
done:
    free(a.shift);
    free(a.sum);
    free(a.G);
    free(a.block);
    free(a.X);
    free(mean);
    free(ev);
    free(ratio);
    free(comp);
    return rc;
}
