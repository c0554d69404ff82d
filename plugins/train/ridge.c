/* Ridge regression in closed form: (Xc' W Xc + alpha I) b = Xc' W yc,
 * with Xc and yc centred on their weighted means (so the intercept is
 * not penalised), solved by Cholesky -- scikit-learn's Ridge(solver=
 * "cholesky").  The Gram matrix is gathered a block of rows at a time,
 * centred exactly, so memory beyond the rows is one block and d x d. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>
#include <lapacke.h>

#include <mlpipe/memory.h>

#include "linear.h"

#define BLOCK 2048

void openblas_set_num_threads(int);

/* Weighted column means of x and the mean of y (zeros without an
 * intercept); *sw gets the weights' sum. */
static void means(const mlp_rows *r, int intercept, double *mx, double *my, double *sw)
{
    size_t n = r->n_rows;
    double s = 0, ys = 0;

    for (size_t i = 0; i < n; i++) {
        double w = r->w ? r->w[i] : 1;
        s += w;
        ys += w * r->y[i];
    }
    *sw = s;
    *my = intercept ? ys / s : 0;
    for (size_t j = 0; j < r->n_features; j++) {
        const double *col = r->x + j * r->ld;
        double a = 0;
        if (intercept) {
            for (size_t i = 0; i < n; i++)
                a += (r->w ? r->w[i] : 1) * col[i];
            a /= s;
        }
        mx[j] = a;
    }
}

/* Solves g b = xy for symmetric g (upper triangle): Cholesky, or when g
 * is singular (alpha 0, collinear features) the minimum-norm solution
 * through its eigenvalues, as least squares would give. */
static int solve(size_t d, double *g, double *xy, int least_squares, mlp_error *err)
{
    double *g0 = malloc(d * d * sizeof *g0 + 1), *b = malloc(d * sizeof *b + 1);
    double *lam = malloc(d * sizeof *lam + 1);
    int rc = MLP_OK;

    if (g0 == NULL || b == NULL || lam == NULL) {
        rc = mlp_error_set(err, MLP_ENOMEM, "out of memory for %zu x %zu", d, d);
        goto done;
    }
    memcpy(g0, g, d * d * sizeof *g);
    memcpy(b, xy, d * sizeof *b);
    /* Without a penalty a numerically singular matrix may still factor:
     * least squares always takes the minimum-norm solution, as lstsq. */
    if (!least_squares &&
        LAPACKE_dposv(LAPACK_COL_MAJOR, 'U', (int)d, 1, g, (int)d, b, (int)d) == 0) {
        memcpy(xy, b, d * sizeof *b);
        goto done;
    }
    if (LAPACKE_dsyevd(LAPACK_COL_MAJOR, 'V', 'U', (int)d, g0, (int)d, lam) != 0) {
        rc = mlp_error_set(err, MLP_EINVAL, "the normal equations could not be solved "
                           "(their eigenvalues did not converge)");
        goto done;
    }
    double top = fabs(lam[d - 1]), cut = top * 1e-12 * (double)d;
    /* b = V diag(1/lam) V' xy over the eigenvalues above the cut-off. */
    cblas_dgemv(CblasColMajor, CblasTrans, (int)d, (int)d, 1.0, g0, (int)d, xy, 1, 0.0, b, 1);
    for (size_t j = 0; j < d; j++)
        b[j] = lam[j] > cut ? b[j] / lam[j] : 0;
    cblas_dgemv(CblasColMajor, CblasNoTrans, (int)d, (int)d, 1.0, g0, (int)d, b, 1, 0.0, xy, 1);
done:
    free(g0);
    free(b);
    free(lam);
    return rc;
}

/* The centred Gram matrix and X'y from one product over the rows as they
 * are -- no centred copy, and one call BLAS can spread over every thread
 * -- less the means' outer product: Xc'Xc = X'X - n mx mx'.  That
 * subtraction loses about eps * mean^2 / variance of each entry, so a
 * feature whose mean is over 100 standard deviations from zero (1e-12
 * relative lost and beyond) is declined (0): the caller centres block by
 * block, exactly.  Unweighted rows only. */
static int gram_uncentred(const mlp_rows *tr, const double *mx, double my, double *g,
                          double *xy)
{
    size_t n = tr->n_rows, d = tr->n_features;

    cblas_dsyrk(CblasColMajor, CblasUpper, CblasTrans, (int)d, (int)n, 1.0, tr->x,
                (int)tr->ld, 0.0, g, (int)d);
    for (size_t j = 0; j < d; j++) {
        double c = g[j * d + j] - (double)n * mx[j] * mx[j];
        if (!(c * 1e4 >= g[j * d + j]) && !(g[j * d + j] == 0)) {
            memset(g, 0, d * d * sizeof *g);
            return 0;
        }
    }
    for (size_t j = 0; j < d; j++)
        for (size_t i = 0; i <= j; i++)
            g[j * d + i] -= (double)n * mx[i] * mx[j];
    cblas_dgemv(CblasColMajor, CblasTrans, (int)n, (int)d, 1.0, tr->x, (int)tr->ld, tr->y,
                1, 0.0, xy, 1);
    for (size_t j = 0; j < d; j++)
        xy[j] -= (double)n * mx[j] * my;
    return 1;
}

static int ridge_fit(const mlp_fit_spec *s, const mlp_rows *tr, const mlp_rows *ev,
                     void **model, mlp_error *err)
{
    size_t n = tr->n_rows, d = tr->n_features;
    double alpha = train_param(s, "alpha", 1.0), my, sw;
    int intercept = train_param(s, "fit_intercept", 1) != 0;
    double *mx = malloc(d * sizeof *mx + 1), *g = calloc(d * d + 1, sizeof *g);
    double *xy = calloc(d + 1, sizeof *xy), *z = mlp_malloc(BLOCK * d * sizeof *z + 1);
    double *xty = malloc((d + 1) * sizeof *xty);
    double *ry = malloc(BLOCK * sizeof *ry + 1), *pred = NULL;
    linear_model *m = NULL;
    int rc = MLP_OK;

    *model = NULL;
    if (mx == NULL || g == NULL || xy == NULL || z == NULL || ry == NULL || xty == NULL) {
        rc = mlp_error_set(err, MLP_ENOMEM, "out of memory for %zu features", d);
        goto done;
    }
    openblas_set_num_threads(s->threads);
    means(tr, intercept, mx, &my, &sw);
    /* Rows centred block by block: all of them, or none when the one
     * product over them could be used. */
    size_t blocked = tr->w == NULL && gram_uncentred(tr, mx, my, g, xy) ? 0 : n;
    for (size_t r0 = 0; r0 < blocked; r0 += BLOCK) {
        size_t bn = n - r0 < BLOCK ? n - r0 : BLOCK;
        for (size_t i = 0; i < bn; i++)
            ry[i] = sqrt(tr->w ? tr->w[r0 + i] : 1.0);
        for (size_t j = 0; j < d; j++) {
            const double *col = tr->x + j * tr->ld + r0;
            double *zc = z + j * BLOCK;
            for (size_t i = 0; i < bn; i++)
                zc[i] = ry[i] * (col[i] - mx[j]);
        }
        for (size_t i = 0; i < bn; i++)
            ry[i] *= tr->y[r0 + i] - my;
        cblas_dsyrk(CblasColMajor, CblasUpper, CblasTrans, (int)d, (int)bn, 1.0, z, BLOCK,
                    1.0, g, (int)d);
        cblas_dgemv(CblasColMajor, CblasTrans, (int)bn, (int)d, 1.0, z, BLOCK, ry, 1, 1.0,
                    xy, 1);
    }
    /* A feature whose squares overflow (values near 1e154 and beyond)
     * would make every coefficient meaningless: refuse it by name. */
    for (size_t j = 0; j < d; j++)
        if (!isfinite(g[j * d + j]) || !isfinite(xy[j])) {
            rc = mlp_error_set(err, MLP_EINVAL, "feature '%s': its sum of squares overflows "
                               "a double (values of magnitude near 1e154 or more, or a target "
                               "that large); scale it with a transform", s->features[j]);
            goto done;
        }
    for (size_t j = 0; j < d; j++)
        g[j * d + j] += alpha;
    memcpy(xty, xy, d * sizeof *xy);
    if ((rc = solve(d, g, xy, alpha == 0, err)) != MLP_OK)
        goto done;
    if ((m = linear_new(LIN_IDENTITY, d, 1)) == NULL) {
        rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
        goto done;
    }
    memcpy(m->coef, xy, d * sizeof *xy);
    m->intercept[0] = my - cblas_ddot((int)d, mx, 1, xy, 1);
    m->names = s->features;

    /* One point of curve: the objective and the eval scores.  The train
     * error needs no pass over the rows: the normal equations (Gc + alpha
     * I) b = Xc'yc give |yc - Xc b|^2 = yc'yc - b'Xc'yc - alpha b'b. */
    pred = ev ? mlp_malloc(ev->n_rows * sizeof *pred + 1) : NULL;
    if (ev != NULL && pred == NULL) {
        rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
        goto done;
    }
    mlp_epoch e = { 1, 0, NAN, NAN, 0, 1 };
    double yy = 0, bb = cblas_ddot((int)d, xy, 1, xy, 1);
    for (size_t i = 0; i < n; i++)
        yy += (tr->w ? tr->w[i] : 1.0) * (tr->y[i] - my) * (tr->y[i] - my);
    e.loss = (fmax(0.0, yy - cblas_ddot((int)d, xy, 1, xty, 1) - alpha * bb) + alpha * bb) / sw;
    if (ev != NULL)
        linear_predict(m, ev, pred, err);
    if (mlp_fit_report(s, &e, ev, ev ? pred : NULL))
        rc = mlp_error_set(err, MLP_ECANCELED, "cancelled");
done:
    free(mx);
    free(g);
    free(xy);
    free(xty);
    mlp_free(z);
    free(ry);
    mlp_free(pred);
    if (rc == MLP_OK)
        *model = m;
    else
        linear_free(m);
    return rc;
}

const mlp_trainer ridge_trainer = {
    sizeof(mlp_trainer), "linear", MLP_TRAINS_REGRESSION, MLP_ROWS_F64_COLUMNS, ridge_fit,
    linear_predict,
    linear_save, linear_load, linear_free, linear_importance
};
