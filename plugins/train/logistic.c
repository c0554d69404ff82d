/* Logistic regression: binary (one score, sigmoid) or multinomial (a
 * score per class, softmax), L2-penalised, fitted by L-BFGS.
 *
 * The objective is  sum_i w_i loss_i + l2 / 2 |coef|^2  (scikit-learn's
 * with l2 = 1 / C) divided by the weights' sum S, so the minimiser is the
 * same and the gradient tolerance does not depend on the number of rows.  The
 * intercepts are not penalised. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cblas.h>

#include <mlpipe/memory.h>

#include "lbfgs.h"
#include "linear.h"

void openblas_set_num_threads(int);

typedef struct lr {
    const mlp_fit_spec *spec;
    const mlp_rows *tr, *ev;
    size_t n, d, k;        /* k: score columns (1 for two classes) */
    double sw, l2;         /* weights' sum; the penalty l2 / S */
    double *z;             /* n x k scores, then residuals */
    double *pred;          /* eval predictions */
    linear_model view;     /* coef and intercept pointing into theta */
    int intercept;         /* 0: theta holds coef only, intercepts stay 0 */
    double *zeros;         /* k zero intercepts, for that case */
    double *gi;            /* k: the intercepts' gradient when not fitted */
    double t0;
    int stopped;
} lr;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

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

static double objective(void *user, const double *theta, double *grad)
{
    lr *p = user;
    size_t n = p->n, d = p->d, k = p->k;
    const double *y = p->tr->y, *w = p->tr->w;
    double f = 0, *z = p->z, *gi = p->intercept ? grad + k * d : p->gi;

    point_at(p, theta);
    linear_scores(&p->view, p->tr, z);
    if (k == 1) {
        for (size_t i = 0; i < n; i++) {
            double wi = w ? w[i] : 1.0, zi = z[i], e;
            f += wi * (softplus(zi) - y[i] * zi);
            e = zi >= 0 ? 1 / (1 + exp(-zi)) : exp(zi) / (1 + exp(zi));
            z[i] = wi * (e - y[i]) / p->sw;
        }
    } else {
        for (size_t i = 0; i < n; i++) {
            double wi = w ? w[i] : 1.0, mx = z[i], s = 0;
            size_t yi = (size_t)y[i];
            for (size_t c = 1; c < k; c++)
                mx = z[c * n + i] > mx ? z[c * n + i] : mx;
            for (size_t c = 0; c < k; c++)
                s += exp(z[c * n + i] - mx);
            f += wi * (mx + log(s) - z[yi * n + i]);
            for (size_t c = 0; c < k; c++)
                z[c * n + i] = wi * (exp(z[c * n + i] - mx) / s - (c == yi)) / p->sw;
        }
    }
    f /= p->sw;
    /* grad coef (k x d row-major, d x k column-major) = x' r + l2 coef */
    memcpy(grad, theta, k * d * sizeof *grad);
    cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, (int)d, (int)k, (int)n, 1.0,
                p->tr->x, (int)p->tr->ld, z, (int)n, p->l2, grad, (int)d);
    for (size_t c = 0; c < k; c++) {
        double s = 0;
        for (size_t i = 0; i < n; i++)
            s += z[c * n + i];
        gi[c] = s;
    }
    f += 0.5 * p->l2 * cblas_ddot((int)(k * d), theta, 1, theta, 1);
    return f;
}

static int step(void *user, size_t iter, const double *theta, double f)
{
    lr *p = user;
    mlp_epoch e = { iter, f, NAN, NAN, 0, 0 };
    mlp_error err;
    const cJSON *mi = cJSON_GetObjectItemCaseSensitive(p->spec->params, "max_iter");

    e.max_epochs = cJSON_IsNumber(mi) ? (size_t)mi->valuedouble : 0;
    e.rows_per_s = (double)p->n * (double)iter / (now() - p->t0 + 1e-9);
    point_at(p, theta);
    if (p->ev != NULL && linear_predict(&p->view, p->ev, p->pred, &err) != MLP_OK)
        p->ev = NULL;
    p->stopped = mlp_fit_report(p->spec, &e, p->ev, p->ev ? p->pred : NULL);
    return p->stopped;
}

static double param(const mlp_fit_spec *s, const char *name, double dflt)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(s->params, name);
    return cJSON_IsNumber(v) ? v->valuedouble : cJSON_IsBool(v) ? cJSON_IsTrue(v) : dflt;
}

static int logistic_fit(const mlp_fit_spec *s, const mlp_rows *tr, const mlp_rows *ev,
                        void **model, mlp_error *err)
{
    lr p;
    size_t n = tr->n_rows, d = tr->n_features, iters = 0, nev = ev ? ev->n_rows : 0;
    lbfgs_opts o = { (size_t)param(s, "max_iter", 100), param(s, "tol", 1e-4),
                     2.220446049250313e-15, 10 };
    int intercept = param(s, "fit_intercept", 1) != 0;
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
    p.l2 = param(s, "l2", 1.0) / p.sw;
    p.view.link = p.k == 1 ? LIN_LOGISTIC : LIN_SOFTMAX;
    p.view.d = d;
    p.view.k = p.k;
    p.intercept = intercept;
    p.zeros = calloc(2 * p.k, sizeof *p.zeros);
    p.gi = p.zeros ? p.zeros + p.k : NULL;
    p.z = mlp_malloc(n * p.k * sizeof *p.z + 1);
    p.pred = mlp_malloc(nev * s->n_classes * sizeof *p.pred + 1);
    m = linear_new(p.view.link, d, p.k);
    theta = calloc(p.k * (d + 1) + 1, sizeof *theta);
    if (p.z == NULL || p.pred == NULL || m == NULL || theta == NULL || p.zeros == NULL) {
        free(p.zeros);
        mlp_free(p.z);
        mlp_free(p.pred);
        linear_free(m);
        free(theta);
        return mlp_error_set(err, MLP_ENOMEM, "out of memory for %zu rows x %zu classes",
                             n, s->n_classes);
    }
    openblas_set_num_threads(s->threads);
    p.t0 = now();
    st = lbfgs_minimize(p.k * (d + (size_t)intercept), theta, objective, step, &p, &o,
                        &iters, &f);
    mlp_free(p.z);
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
    sizeof(mlp_trainer), "linear", MLP_TRAINS_CLASSIFICATION, logistic_fit,
    linear_predict, linear_save, linear_load, linear_free, linear_importance
};
