/* Logistic regression: binary (one score, sigmoid) or multinomial (a
 * score per class, softmax), with L2, L1 or both (elastic net) penalties,
 * fitted by L-BFGS (OWL-QN with an L1 term).
 *
 * The objective is  sum_i w_i loss_i + l2 / 2 |coef|^2 + l1 |coef|_1
 * (scikit-learn's with l2 = (1 - l1_ratio) / C, l1 = l1_ratio / C)
 * divided by the weights' sum S, so the minimiser is the same and the
 * gradient tolerance does not depend on the number of rows.  The
 * intercepts are not penalised. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cblas.h>

#include <mlpipe/memory.h>
#include <mlpipe/parallel.h>

#include "lbfgs.h"
#include "linear.h"

void openblas_set_num_threads(int);

/* Rows per block of the objective: a block's rows (784 float32 features)
 * stay in a core's cache between its two products. */
#define BLOCK_ROWS 256

typedef struct lr {
    const mlp_fit_spec *spec;
    const mlp_rows *tr, *ev;
    size_t n, d, k;        /* k: score columns (1 for two classes) */
    double sw, l2;         /* weights' sum; the penalty l2 / S */
    float *z;              /* per worker: BLOCK_ROWS x k scores, then residuals,
                              and a k x d gradient */
    float *cf;             /* the coefficients as float32 */
    double *scores;        /* per worker: one row's k scores */
    double *wide;          /* per worker, in the float64 phase: a block of
                              rows widened, and its scores */
    double *part;          /* per block: its gradient, intercept sums, loss */
    int threads;
    size_t sub;            /* rows per product in block */
    double *pred;          /* eval predictions */
    linear_model view;     /* coef and intercept pointing into theta */
    int intercept;         /* 0: theta holds coef only, intercepts stay 0 */
    double *zeros;         /* k zero intercepts, for that case */
    double *gi;            /* k: the intercepts' gradient when not fitted */
    double t0;
    size_t iter0;          /* iterations before the current phase */
    int stopped;
} lr;

/* log(1 + e^z) without overflow. */
static double softplus(double z)
{
    return z > 0 ? z + log1p(exp(-z)) : log1p(exp(z));
}

static void point_at(lr *p, const double *theta)
{
    p->view.coef = (double *)theta;
    p->view.intercept = p->intercept ? (double *)theta + p->k * p->d : p->zeros;
}

/* One block of rows: its scores, loss and residuals, and its share of
 * the gradient, while the block's rows are in cache.  The products run
 * in float32 on the float32 rows (sgemm: half the bytes and twice the
 * lanes of doubles); the loss, the residuals' scale and every sum across
 * blocks are doubles. */
static void block(void *arg, size_t bi, int worker)
{
    lr *p = arg;
    size_t n = p->n, d = p->d, k = p->k, r0 = bi * BLOCK_ROWS;
    size_t br = n - r0 < BLOCK_ROWS ? n - r0 : BLOCK_ROWS;
    const double *b0 = p->view.intercept;
    float *z = p->z + (size_t)worker * (BLOCK_ROWS * k + k * d);
    float *gf = z + BLOCK_ROWS * k;
    double *g = p->part + bi * (k * d + k + 1), f = 0;

    memset(g, 0, (k * d + k + 1) * sizeof *g);
    /* A few rows at a time (p->sub): products that small run in
     * OpenBLAS's small-matrix kernels, which skip packing the rows -- and
     * with a few score columns, packing costs as much as multiplying. */
    for (size_t s0 = 0; s0 < br; s0 += p->sub) {
        size_t sr = br - s0 < p->sub ? br - s0 : p->sub;
        const float *x = p->tr->xf + (r0 + s0) * d;
        const double *y = p->tr->y + r0 + s0, *w = p->tr->w ? p->tr->w + r0 + s0 : NULL;
        /* z (sr x k) = x (sr x d) coef' */
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)sr, (int)k, (int)d, 1.0f, x,
                    (int)d, p->cf, (int)d, 0.0f, z, (int)k);
        for (size_t i = 0; i < sr; i++) {
            double wi = w ? w[i] : 1.0;
            float *zi = z + i * k;
            if (k == 1) {
                double v = (double)zi[0] + b0[0], e = v >= 0 ? 1 / (1 + exp(-v))
                                                             : exp(v) / (1 + exp(v));
                double r = wi * (e - y[i]) / p->sw;
                f += wi * (softplus(v) - y[i] * v);
                zi[0] = (float)r;
                g[k * d] += r;
                continue;
            }
            double *v = p->scores + (size_t)worker * k, mx = -INFINITY, sum = 0;
            size_t yi = (size_t)y[i];
            for (size_t c = 0; c < k; c++) {
                v[c] = (double)zi[c] + b0[c];
                mx = v[c] > mx ? v[c] : mx;
            }
            for (size_t c = 0; c < k; c++)
                sum += exp(v[c] - mx);
            f += wi * (mx + log(sum) - v[yi]);
            for (size_t c = 0; c < k; c++) {
                double r = wi * (exp(v[c] - mx) / sum - (c == yi)) / p->sw;
                zi[c] = (float)r;
                g[k * d + c] += r;
            }
        }
        /* g (k x d) += r' x */
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)k, (int)d, (int)sr, 1.0f, z,
                    (int)k, x, (int)d, 0.0f, gf, (int)d);
        for (size_t i = 0; i < k * d; i++)
            g[i] += gf[i];
    }
    g[k * d + k] = f;
}

/* The same in float64 (the rows widened a block at a time): once float32
 * products cannot resolve the gradient any further, the last iterations
 * run in full precision, so a tight tol reaches the optimum. */
static void block64(void *arg, size_t bi, int worker)
{
    lr *p = arg;
    size_t n = p->n, d = p->d, k = p->k, r0 = bi * BLOCK_ROWS;
    size_t br = n - r0 < BLOCK_ROWS ? n - r0 : BLOCK_ROWS;
    const float *xf = p->tr->xf + r0 * d;
    const double *y = p->tr->y + r0, *w = p->tr->w ? p->tr->w + r0 : NULL;
    double *x = p->wide + (size_t)worker * (BLOCK_ROWS * d + BLOCK_ROWS * k);
    double *z = x + BLOCK_ROWS * d, *g = p->part + bi * (k * d + k + 1), f = 0;
    const double *b0 = p->view.intercept;

    for (size_t i = 0; i < br * d; i++)
        x[i] = xf[i];
    memset(g + k * d, 0, (k + 1) * sizeof *g);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)br, (int)k, (int)d, 1.0, x,
                (int)d, p->view.coef, (int)d, 0.0, z, (int)k);
    for (size_t i = 0; i < br; i++) {
        double wi = w ? w[i] : 1.0, *zi = z + i * k;
        if (k == 1) {
            double v = zi[0] + b0[0], e = v >= 0 ? 1 / (1 + exp(-v)) : exp(v) / (1 + exp(v));
            f += wi * (softplus(v) - y[i] * v);
            zi[0] = wi * (e - y[i]) / p->sw;
            g[k * d] += zi[0];
            continue;
        }
        double mx = -INFINITY, sum = 0;
        size_t yi = (size_t)y[i];
        for (size_t c = 0; c < k; c++) {
            zi[c] += b0[c];
            mx = zi[c] > mx ? zi[c] : mx;
        }
        for (size_t c = 0; c < k; c++)
            sum += exp(zi[c] - mx);
        f += wi * (mx + log(sum) - zi[yi < k ? yi : 0]);
        for (size_t c = 0; c < k; c++) {
            zi[c] = wi * (exp(zi[c] - mx) / sum - (c == yi)) / p->sw;
            g[k * d + c] += zi[c];
        }
    }
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)k, (int)d, (int)br, 1.0, z,
                (int)k, x, (int)d, 0.0, g, (int)d);
    g[k * d + k] = f;
}

static double objective(void *user, const double *theta, double *grad)
{
    lr *p = user;
    size_t d = p->d, k = p->k, nb = (p->n + BLOCK_ROWS - 1) / BLOCK_ROWS, len = k * d + k + 1;
    double f = 0, *gi = p->intercept ? grad + k * d : p->gi;

    point_at(p, theta);
    for (size_t i = 0; i < k * d; i++)
        p->cf[i] = (float)theta[i];
    mlp_parallel_for(nb, p->threads, p->wide ? block64 : block, p);
    /* Blocks summed in their order, whichever thread made them: the same
     * bits on one thread or many. */
    memset(grad, 0, k * d * sizeof *grad);
    memset(gi, 0, k * sizeof *gi);
    for (size_t b = 0; b < nb; b++) {
        const double *g = p->part + b * len;
        for (size_t i = 0; i < k * d; i++)
            grad[i] += g[i];
        for (size_t c = 0; c < k; c++)
            gi[c] += g[k * d + c];
        f += g[k * d + k];
    }
    for (size_t i = 0; i < k * d; i++)
        grad[i] += p->l2 * theta[i];
    f /= p->sw;
    f += 0.5 * p->l2 * cblas_ddot((int)(k * d), theta, 1, theta, 1);
    return f;
}

static int step(void *user, size_t iter, const double *theta, double f)
{
    lr *p = user;
    mlp_epoch e = { p->iter0 + iter, f, NAN, NAN, 0, 0 };
    mlp_error err;
    const cJSON *mi = cJSON_GetObjectItemCaseSensitive(p->spec->params, "max_iter");

    e.max_epochs = cJSON_IsNumber(mi) ? (size_t)mi->valuedouble : 0;
    e.rows_per_s = (double)p->n * (double)e.epoch / (train_now() - p->t0 + 1e-9);
    point_at(p, theta);
    if (p->ev != NULL && linear_predict(&p->view, p->ev, p->pred, &err) != MLP_OK)
        p->ev = NULL;
    p->stopped = mlp_fit_report(p->spec, &e, p->ev, p->ev ? p->pred : NULL);
    return p->stopped;
}

static int logistic_fit(const mlp_fit_spec *s, const mlp_rows *tr, const mlp_rows *ev,
                        void **model, mlp_error *err)
{
    lr p;
    size_t n = tr->n_rows, d = tr->n_features, iters = 0, nev = ev ? ev->n_rows : 0;
    lbfgs_opts o = { (size_t)train_param(s, "max_iter", 100), train_param(s, "tol", 1e-4),
                     2.220446049250313e-15, 10, 0, 0 };
    int intercept = train_param(s, "fit_intercept", 1) != 0;
    double *theta, f;
    linear_model *m;
    lbfgs_status st;

    *model = NULL;
    memset(&p, 0, sizeof p);
    p.spec = s;
    p.tr = tr;
    p.ev = ev;
    p.n = n;
    p.d = d;
    p.k = s->n_classes == 2 ? 1 : s->n_classes;
    for (size_t i = 0; i < n; i++)
        p.sw += tr->w ? tr->w[i] : 1.0;
    p.l2 = train_param(s, "l2", 1.0) / p.sw;
    o.l1 = train_param(s, "l1", 0.0) / p.sw;
    o.l1_n = p.k * d;
    p.view.link = p.k == 1 ? LIN_LOGISTIC : LIN_SOFTMAX;
    p.view.d = d;
    p.view.k = p.k;
    p.intercept = intercept;
    p.zeros = calloc(2 * p.k, sizeof *p.zeros);
    p.gi = p.zeros ? p.zeros + p.k : NULL;
    p.threads = s->threads;
    /* About 2^19 multiply-adds a product: within the small-matrix kernels'
     * reach (measured: 64 rows of 784 features and 10 classes run 1.7
     * times faster than 256). */
    p.sub = (size_t)1 << 19;
    p.sub = p.sub / (p.k * d + 1) < 8 ? 8 : p.sub / (p.k * d + 1);
    p.sub = p.sub > BLOCK_ROWS ? BLOCK_ROWS : p.sub;
    p.z = mlp_malloc((size_t)(s->threads > 0 ? s->threads : 1) * (BLOCK_ROWS * p.k + p.k * d) *
                     sizeof *p.z + 1);
    p.cf = mlp_malloc(p.k * d * sizeof *p.cf + 1);
    p.scores = mlp_malloc((size_t)(s->threads > 0 ? s->threads : 1) * p.k * sizeof *p.scores + 1);
    p.part = mlp_malloc(((n + BLOCK_ROWS - 1) / BLOCK_ROWS) * (p.k * d + p.k + 1) *
                        sizeof *p.part + 1);
    p.pred = mlp_malloc(nev * s->n_classes * sizeof *p.pred + 1);
    m = linear_new(p.view.link, d, p.k);
    theta = calloc(p.k * (d + 1) + 1, sizeof *theta);
    if (p.z == NULL || p.cf == NULL || p.scores == NULL || p.part == NULL || p.pred == NULL ||
        m == NULL || theta == NULL || p.zeros == NULL) {
        mlp_free(p.cf);
        mlp_free(p.scores);
        free(p.zeros);
        mlp_free(p.part);
        mlp_free(p.z);
        mlp_free(p.pred);
        linear_free(m);
        free(theta);
        return mlp_error_set(err, MLP_ENOMEM, "out of memory for %zu rows x %zu classes",
                             n, s->n_classes);
    }
    /* The blocks are the parallel work; each product runs on its thread. */
    openblas_set_num_threads(1);
    p.t0 = train_now();
    st = lbfgs_minimize(p.k * (d + (size_t)intercept), theta, objective, step, &p, &o,
                        &iters, &f);
    if ((st == LBFGS_FLAT || st == LBFGS_LINE_SEARCH) && iters < o.max_iter) {
        /* float32 products ran out of resolution before tol: go on in float64. */
        size_t more = 0;
        lbfgs_opts o2 = o;
        o2.max_iter = o.max_iter - iters;
        p.iter0 = iters;
        p.wide = mlp_malloc((size_t)(s->threads > 0 ? s->threads : 1) *
                            (BLOCK_ROWS * d + BLOCK_ROWS * p.k) * sizeof *p.wide + 1);
        if (p.wide == NULL)
            st = LBFGS_NO_MEMORY;
        else
            st = lbfgs_minimize(p.k * (d + (size_t)intercept), theta, objective, step, &p, &o2,
                                &more, &f);
        iters += more;
        mlp_free(p.wide);
        m->f64_from = p.iter0 + 1;
    }
    mlp_free(p.z);
    mlp_free(p.cf);
    mlp_free(p.scores);
    mlp_free(p.part);
    mlp_free(p.pred);
    free(p.zeros);
    if (st == LBFGS_NO_MEMORY || st == LBFGS_STOPPED) {
        linear_free(m);
        free(theta);
        return st == LBFGS_STOPPED ? mlp_error_set(err, MLP_ECANCELED, "cancelled")
                                   : mlp_error_set(err, MLP_ENOMEM, "out of memory");
    }
    memcpy(m->coef, theta, p.k * d * sizeof *theta);
    if (intercept)
        memcpy(m->intercept, theta + p.k * d, p.k * sizeof *theta);
    m->names = s->features;
    m->iterations = iters;
    m->stop = st == LBFGS_CONVERGED ? "converged: the gradient reached tol"
              : st == LBFGS_FLAT ? "converged: the loss stopped decreasing"
              : st == LBFGS_LINE_SEARCH ? "converged: no step decreased the loss further"
              : "max_iter reached before the gradient reached tol";
    free(theta);
    *model = m;
    return MLP_OK;
}

const mlp_trainer logistic_trainer = {
    sizeof(mlp_trainer), "linear", MLP_TRAINS_CLASSIFICATION, MLP_ROWS_F32, logistic_fit,
    linear_predict, linear_save, linear_load, linear_free, linear_importance
};
