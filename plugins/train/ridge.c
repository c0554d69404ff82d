/* Ridge regression in closed form: (Xc' W Xc + alpha I) b = Xc' W yc,
 * with Xc and yc centred on their weighted means (so the intercept is
 * not penalised), solved by Cholesky -- scikit-learn's Ridge(solver=
 * "cholesky").  The rows stream (MLP_ROWS_STREAM): the Gram matrix is
 * gathered a row group at a time, so memory beyond d x d is one group --
 * a split larger than memory fits -- and one pass suffices unless a
 * feature's mean is far from zero against its spread. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>
#include <lapacke.h>

#include <mlpipe/memory.h>

#include "linear.h"

#define BLOCK 2048

void openblas_set_num_threads(int);

/* Without a penalty: Cholesky of g scaled to a unit diagonal, which judges
 * every feature on its own scale (a feature 1e-5 the size of another is
 * not singular, and an eigenvalue cut-off relative to the largest would
 * drop it), when that scaled matrix is clearly non-singular: reciprocal
 * condition above 1e-12.  Returns 1 with xy solved, 0 to take the
 * minimum-norm solution instead (a constant or collinear feature). */
static int solve_scaled(size_t d, const double *g, double *xy)
{
    double *gs = malloc(d * d * sizeof *gs + 1), *sc = malloc(d * sizeof *sc + 1);
    double *z = malloc(d * sizeof *z + 1), anorm = 0, rcond = 0;
    int ok = gs != NULL && sc != NULL && z != NULL;

    for (size_t j = 0; ok && j < d; j++) {
        ok = g[j * d + j] > 0 && isfinite(g[j * d + j]);
        sc[j] = ok ? 1 / sqrt(g[j * d + j]) : 0;
    }
    for (size_t j = 0; ok && j < d; j++) {
        for (size_t i = 0; i <= j; i++)
            gs[j * d + i] = g[j * d + i] * sc[i] * sc[j];
        z[j] = xy[j] * sc[j];
    }
    if (ok) {
        anorm = LAPACKE_dlansy(LAPACK_COL_MAJOR, '1', 'U', (int)d, gs, (int)d);
        ok = LAPACKE_dpotrf(LAPACK_COL_MAJOR, 'U', (int)d, gs, (int)d) == 0 &&
             LAPACKE_dpocon(LAPACK_COL_MAJOR, 'U', (int)d, gs, (int)d, anorm, &rcond) == 0 &&
             rcond > 1e-12 &&
             LAPACKE_dpotrs(LAPACK_COL_MAJOR, 'U', (int)d, 1, gs, (int)d, z, (int)d) == 0;
    }
    for (size_t j = 0; ok && j < d; j++)
        xy[j] = z[j] * sc[j];
    free(gs);
    free(sc);
    free(z);
    return ok;
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
    if (least_squares && solve_scaled(d, g0, xy))
        goto done;
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

/* What the passes over the rows gather: Gram matrix g (upper triangle),
 * X'y in xy, and on the first pass the columns' weighted sums sx. */
typedef struct gram {
    size_t d;
    double *g, *xy, *sx;
    const double *mx;      /* the second pass: the means to centre on */
    double my;
    double *z, *ry;        /* BLOCK x d and BLOCK scratch */
} gram;

/* One chunk of rows, first pass: the products of the rows as they are --
 * no copy, and one call BLAS can spread over every thread -- centred
 * afterwards (Xc'Xc = X'X - sw mx mx').  Weighted rows are scaled by
 * sqrt(w) a block at a time. */
static void gram_raw(gram *a, const mlp_rows *r)
{
    size_t n = r->n_rows, d = a->d;

    if (r->w == NULL) {
        cblas_dsyrk(CblasColMajor, CblasUpper, CblasTrans, (int)d, (int)n, 1.0, r->x,
                    (int)r->ld, 1.0, a->g, (int)d);
        cblas_dgemv(CblasColMajor, CblasTrans, (int)n, (int)d, 1.0, r->x, (int)r->ld, r->y, 1,
                    1.0, a->xy, 1);
        for (size_t j = 0; j < d; j++) {
            const double *col = r->x + j * r->ld;
            double t = 0;
            for (size_t i = 0; i < n; i++)
                t += col[i];
            a->sx[j] += t;
        }
        return;
    }
    for (size_t r0 = 0; r0 < n; r0 += BLOCK) {
        size_t bn = n - r0 < BLOCK ? n - r0 : BLOCK;
        for (size_t i = 0; i < bn; i++)
            a->ry[i] = sqrt(r->w[r0 + i]);
        for (size_t j = 0; j < d; j++) {
            const double *col = r->x + j * r->ld + r0;
            double *zc = a->z + j * BLOCK, t = 0;
            for (size_t i = 0; i < bn; i++) {
                zc[i] = a->ry[i] * col[i];
                t += r->w[r0 + i] * col[i];
            }
            a->sx[j] += t;
        }
        for (size_t i = 0; i < bn; i++)
            a->ry[i] *= r->y[r0 + i];
        cblas_dsyrk(CblasColMajor, CblasUpper, CblasTrans, (int)d, (int)bn, 1.0, a->z, BLOCK,
                    1.0, a->g, (int)d);
        cblas_dgemv(CblasColMajor, CblasTrans, (int)bn, (int)d, 1.0, a->z, BLOCK, a->ry, 1,
                    1.0, a->xy, 1);
    }
}

/* One chunk of rows, second pass: centred exactly, a block at a time. */
static void gram_centred(gram *a, const mlp_rows *r)
{
    size_t n = r->n_rows, d = a->d;

    for (size_t r0 = 0; r0 < n; r0 += BLOCK) {
        size_t bn = n - r0 < BLOCK ? n - r0 : BLOCK;
        for (size_t i = 0; i < bn; i++)
            a->ry[i] = sqrt(r->w ? r->w[r0 + i] : 1.0);
        for (size_t j = 0; j < d; j++) {
            const double *col = r->x + j * r->ld + r0;
            double *zc = a->z + j * BLOCK;
            for (size_t i = 0; i < bn; i++)
                zc[i] = a->ry[i] * (col[i] - a->mx[j]);
        }
        for (size_t i = 0; i < bn; i++)
            a->ry[i] *= r->y[r0 + i] - a->my;
        cblas_dsyrk(CblasColMajor, CblasUpper, CblasTrans, (int)d, (int)bn, 1.0, a->z, BLOCK,
                    1.0, a->g, (int)d);
        cblas_dgemv(CblasColMajor, CblasTrans, (int)bn, (int)d, 1.0, a->z, BLOCK, a->ry, 1,
                    1.0, a->xy, 1);
    }
}

/* One pass over the train rows: in memory, or read a row group at a time
 * (MLP_ROWS_STREAM), so memory beyond them is d x d and a group. */
static int pass(const mlp_fit_spec *s, const mlp_rows *tr, gram *a, int centred,
                mlp_error *err)
{
    memset(a->g, 0, a->d * a->d * sizeof *a->g);
    memset(a->xy, 0, a->d * sizeof *a->xy);
    for (size_t b = 0; b < (s->n_blocks ? s->n_blocks : 1); b++) {
        mlp_rows r = *tr;
        int rc = s->n_blocks ? s->block(s, b, &r, NULL, err) : MLP_OK;
        if (rc != MLP_OK)
            return rc;
        if (centred)
            gram_centred(a, &r);
        else
            gram_raw(a, &r);
    }
    return MLP_OK;
}

/* Centres the first pass's sums on the means when that loses nothing that
 * matters: X'X - sw mx mx' loses about eps * mean^2 / variance of each
 * entry, so a feature (or target) whose mean is over 100 standard
 * deviations from zero (1e-12 relative lost and beyond) is declined (0),
 * and the caller makes the exactly centred pass. */
static int centre(gram *a, const double *mx, double my, double sw, double yy_raw, double yy)
{
    size_t d = a->d;
    double *g = a->g;

    if (!(yy * 1e4 >= yy_raw) && yy_raw != 0)
        return 0;
    for (size_t j = 0; j < d; j++) {
        double c = g[j * d + j] - sw * mx[j] * mx[j];
        if (!(c * 1e4 >= g[j * d + j]) && !(g[j * d + j] == 0))
            return 0;
    }
    for (size_t j = 0; j < d; j++)
        for (size_t i = 0; i <= j; i++)
            g[j * d + i] -= sw * mx[i] * mx[j];
    for (size_t j = 0; j < d; j++)
        a->xy[j] -= my * a->sx[j];
    return 1;
}

static int ridge_fit(const mlp_fit_spec *s, const mlp_rows *tr, const mlp_rows *ev,
                     void **model, mlp_error *err)
{
    size_t n = tr->n_rows, d = tr->n_features;
    double alpha = train_param(s, "alpha", 1.0), my = 0, sw = 0, yy = 0, yy_raw = 0;
    int intercept = train_param(s, "fit_intercept", 1) != 0;
    double *mx = calloc(d + 1, sizeof *mx), *xty = malloc((d + 1) * sizeof *xty), *pred = NULL;
    gram a = { d, calloc(d * d + 1, sizeof(double)), calloc(d + 1, sizeof(double)),
               calloc(d + 1, sizeof(double)), mx, 0, mlp_malloc(BLOCK * d * sizeof(double) + 1),
               malloc(BLOCK * sizeof(double) + 1) };
    linear_model *m = NULL;
    int rc = MLP_OK;

    *model = NULL;
    if (mx == NULL || xty == NULL || a.g == NULL || a.xy == NULL || a.sx == NULL ||
        a.z == NULL || a.ry == NULL) {
        rc = mlp_error_set(err, MLP_ENOMEM, "out of memory for %zu features", d);
        goto done;
    }
    openblas_set_num_threads(s->threads);
    /* The targets and weights are in memory, also when the rows stream. */
    for (size_t i = 0; i < n; i++) {
        double w = tr->w ? tr->w[i] : 1;
        sw += w;
        my += w * tr->y[i];
        yy_raw += w * tr->y[i] * tr->y[i];
    }
    my = intercept ? my / sw : 0;
    for (size_t i = 0; i < n; i++)
        yy += (tr->w ? tr->w[i] : 1.0) * (tr->y[i] - my) * (tr->y[i] - my);
    a.my = my;
    if ((rc = pass(s, tr, &a, 0, err)) != MLP_OK)
        goto done;
    for (size_t j = 0; intercept && j < d; j++)
        mx[j] = a.sx[j] / sw;
    int passes = 1;
    if (intercept && !centre(&a, mx, my, sw, yy_raw, yy) &&
        (passes = 2, rc = pass(s, tr, &a, 1, err)) != MLP_OK)
        goto done;
    /* A feature whose squares overflow (values near 1e154 and beyond)
     * would make every coefficient meaningless: refuse it by name. */
    for (size_t j = 0; j < d; j++)
        if (!isfinite(a.g[j * d + j]) || !isfinite(a.xy[j])) {
            rc = mlp_error_set(err, MLP_EINVAL, "feature '%s': its sum of squares overflows "
                               "a double (values of magnitude near 1e154 or more, or a target "
                               "that large); scale it with a transform", s->features[j]);
            goto done;
        }
    for (size_t j = 0; j < d; j++)
        a.g[j * d + j] += alpha;
    memcpy(xty, a.xy, d * sizeof *xty);
    if ((rc = solve(d, a.g, a.xy, alpha == 0, err)) != MLP_OK)
        goto done;
    if ((m = linear_new(LIN_IDENTITY, d, 1)) == NULL) {
        rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
        goto done;
    }
    memcpy(m->coef, a.xy, d * sizeof *a.xy);
    m->intercept[0] = my - cblas_ddot((int)d, mx, 1, a.xy, 1);
    m->names = s->features;
    m->passes = (size_t)passes;

    /* One point of curve: the objective and the eval scores.  The train
     * error needs no pass over the rows: the normal equations (Gc + alpha
     * I) b = Xc'yc give |yc - Xc b|^2 = yc'yc - b'Xc'yc - alpha b'b. */
    pred = ev ? mlp_malloc(ev->n_rows * sizeof *pred + 1) : NULL;
    if (ev != NULL && pred == NULL) {
        rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
        goto done;
    }
    mlp_epoch e = { 1, 0, NAN, NAN, 0, 1 };
    double bb = cblas_ddot((int)d, a.xy, 1, a.xy, 1);
    e.loss = (fmax(0.0, yy - cblas_ddot((int)d, a.xy, 1, xty, 1) - alpha * bb) + alpha * bb) /
             sw;
    if (ev != NULL)
        linear_predict(m, ev, pred, err);
    if (mlp_fit_report(s, &e, ev, ev ? pred : NULL))
        rc = mlp_error_set(err, MLP_ECANCELED, "cancelled");
done:
    free(mx);
    free(xty);
    free(a.g);
    free(a.xy);
    free(a.sx);
    mlp_free(a.z);
    free(a.ry);
    mlp_free(pred);
    if (rc == MLP_OK)
        *model = m;
    else
        linear_free(m);
    return rc;
}

const mlp_trainer ridge_trainer = {
    sizeof(mlp_trainer), "linear", MLP_TRAINS_REGRESSION, MLP_ROWS_STREAM, ridge_fit,
    linear_predict,
    linear_save, linear_load, linear_free, linear_importance
};
