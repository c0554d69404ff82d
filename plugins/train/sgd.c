/* Linear regression by stochastic gradient descent, scikit-learn's
 * SGDRegressor (squared loss, L2 / L1 / elastic-net penalty): for data
 * that does not fit in memory.  The trainer asks for MLP_ROWS_STREAM, so
 * it sees one row group of the split at a time -- groups in a shuffled
 * order each epoch, rows shuffled within a group -- and memory holds one
 * group, the weights and every row's target.
 *
 * The objective is scikit-learn's:  (1/n) sum_i w_i (y_i - x_i b - b0)^2 / 2
 * + alpha ((1 - l1_ratio) |b|^2 / 2 + l1_ratio |b|_1); its minimiser with
 * l1_ratio 0 is Ridge's with alpha_ridge = n alpha.  Each step moves
 * along one row's gradient with the rate eta0 / t^power_t (invscaling)
 * or eta0 (constant); the L2 part shrinks the weights by
 * (1 - eta alpha (1 - l1_ratio)); the L1 part is the cumulative
 * truncation of Tsuruoka et al. (2009), as scikit-learn applies it.  With
 * average, the weights returned are the mean of every step's (ASGD),
 * which converge to the optimum where the last iterate jitters. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <mlpipe/memory.h>

#include "linear.h"

typedef struct sgd {
    const mlp_fit_spec *s;
    size_t d, t;            /* t: steps taken, from 1 */
    double *w, b, *q, u;    /* weights; L1: per-weight penalty applied, total */
    double *wa, ba;         /* averages */
    size_t n_avg;
    double eta0, power_t, alpha, l1_ratio;
    int invscaling, intercept, average;
    double *rowx;           /* a block, row-major */
    size_t *perm;
} sgd;

static uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static void shuffle(size_t *p, size_t n, uint64_t *rng)
{
    for (size_t i = 0; i < n; i++)
        p[i] = i;
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)(splitmix(rng) % i), t = p[i - 1];
        p[i - 1] = p[j];
        p[j] = t;
    }
}

static void l1_truncate(sgd *g)
{
    for (size_t j = 0; j < g->d; j++) {
        double z = g->w[j];
        if (z > 0)
            g->w[j] = fmax(0.0, z - (g->u + g->q[j]));
        else if (z < 0)
            g->w[j] = fmin(0.0, z + (g->u - g->q[j]));
        g->q[j] += g->w[j] - z;
    }
}

/* One pass over a block's rows in the order perm gives; returns the sum
 * of their squared-error losses. */
static double pass(sgd *g, const mlp_rows *r, int shuffled, uint64_t *rng)
{
    size_t n = r->n_rows, d = g->d;
    double loss = 0;

    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < d; j++)
            g->rowx[i * d + j] = r->x[j * r->ld + i];
    if (shuffled)
        shuffle(g->perm, n, rng);
    for (size_t k = 0; k < n; k++) {
        size_t i = shuffled ? g->perm[k] : k;
        const double *x = g->rowx + i * d;
        double p = g->b, sw = r->w ? r->w[i] : 1.0;
        for (size_t j = 0; j < d; j++)
            p += g->w[j] * x[j];
        double res = p - r->y[i];
        loss += 0.5 * res * res;
        double eta = g->invscaling ? g->eta0 / pow((double)g->t, g->power_t) : g->eta0;
        double step = -eta * res * sw, shrink = 1 - eta * g->alpha * (1 - g->l1_ratio);
        if (shrink < 0)
            shrink = 0;
        for (size_t j = 0; j < d; j++)
            g->w[j] = g->w[j] * shrink + step * x[j];
        if (g->intercept)
            g->b += step;
        if (g->l1_ratio > 0) {
            g->u += eta * g->alpha * g->l1_ratio;
            l1_truncate(g);
        }
        if (g->average) {
            g->n_avg++;
            for (size_t j = 0; j < d; j++)
                g->wa[j] += (g->w[j] - g->wa[j]) / (double)g->n_avg;
            g->ba += (g->b - g->ba) / (double)g->n_avg;
        }
        g->t++;
    }
    return loss;
}

static void sgd_free(sgd *g)
{
    free(g->w);
    free(g->q);
    free(g->wa);
    mlp_free(g->rowx);
    free(g->perm);
}

static int sgd_fit(const mlp_fit_spec *s, const mlp_rows *tr, const mlp_rows *ev,
                   void **model, mlp_error *err)
{
    sgd g;
    size_t d = tr->n_features, epochs = (size_t)train_param(s, "epochs", 1000);
    size_t patience = (size_t)train_param(s, "n_iter_no_change", 5), bad = 0;
    size_t nb = s->n_blocks ? s->n_blocks : 1, max_rows = tr->n_rows, *order;
    double tol = train_param(s, "tol", 1e-3), best = INFINITY;
    const cJSON *lr = cJSON_GetObjectItemCaseSensitive(s->params, "learning_rate");
    uint64_t rng = s->seed ^ 0x5D5A3F1Bull;
    double *pred = ev ? malloc(ev->n_rows * sizeof *pred + 1) : NULL, t0 = train_now();
    linear_model *m = linear_new(LIN_IDENTITY, d, 1);
    int rc = MLP_OK, shuffled = train_param(s, "shuffle", 1) != 0;
    const char *stop = "epochs reached before the loss settled";

    *model = NULL;
    memset(&g, 0, sizeof g);
    g.s = s;
    g.d = d;
    g.t = 1;
    g.eta0 = train_param(s, "eta0", 0.01);
    g.power_t = train_param(s, "power_t", 0.25);
    g.alpha = train_param(s, "alpha", 1e-4);
    g.l1_ratio = train_param(s, "l1_ratio", 0);
    g.invscaling = !cJSON_IsString(lr) || strcmp(lr->valuestring, "constant") != 0;
    g.intercept = train_param(s, "fit_intercept", 1) != 0;
    g.average = train_param(s, "average", 0) != 0;
    /* Without blocks (mlp_fitter fits in memory) the rows are one. */
    if (s->n_blocks) {
        max_rows = 0;
        for (size_t b = 0; rc == MLP_OK && b < nb; b++) {
            mlp_rows r;
            rc = s->block(s, b, &r, NULL, err);
            max_rows = rc == MLP_OK && r.n_rows > max_rows ? r.n_rows : max_rows;
        }
    }
    order = malloc(nb * sizeof *order);
    g.w = calloc(d + 1, sizeof *g.w);
    g.q = calloc(d + 1, sizeof *g.q);
    g.wa = calloc(d + 1, sizeof *g.wa);
    g.rowx = mlp_malloc(max_rows * d * sizeof *g.rowx + 1);
    g.perm = malloc(max_rows * sizeof *g.perm + 1);
    if (rc == MLP_OK && (order == NULL || g.w == NULL || g.q == NULL || g.wa == NULL ||
                         g.rowx == NULL || g.perm == NULL || m == NULL ||
                         (ev && pred == NULL)))
        rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
    for (size_t e = 1; rc == MLP_OK && e <= epochs; e++) {
        double loss = 0;
        if (shuffled)
            shuffle(order, nb, &rng);
        for (size_t k = 0; rc == MLP_OK && k < nb; k++) {
            size_t b = shuffled ? order[k] : k;
            mlp_rows r = *tr;
            if (s->n_blocks)
                rc = s->block(s, b, &r, NULL, err);
            if (rc == MLP_OK)
                loss += pass(&g, &r, shuffled, &rng);
        }
        if (rc != MLP_OK)
            break;
        loss /= (double)tr->n_rows;
        /* The curve's loss is the objective: the penalty on the weights
         * the epoch ended with included (stopping uses the same). */
        double l2 = 0, l1 = 0;
        for (size_t j = 0; j < d; j++) {
            l2 += g.w[j] * g.w[j];
            l1 += fabs(g.w[j]);
        }
        loss += g.alpha * ((1 - g.l1_ratio) * l2 / 2 + g.l1_ratio * l1);
        memcpy(m->coef, g.average ? g.wa : g.w, d * sizeof *m->coef);
        m->intercept[0] = g.average ? g.ba : g.b;
        mlp_epoch ep = { e, loss, NAN, NAN, 0, epochs };
        ep.rows_per_s = (double)tr->n_rows * (double)e / (train_now() - t0 + 1e-9);
        if (ev && (rc = linear_predict(m, ev, pred, err)) != MLP_OK)
            break;
        if (mlp_fit_report(s, &ep, ev, pred)) {
            rc = mlp_error_set(err, MLP_ECANCELED, "cancelled");
            break;
        }
        m->iterations = e;
        if (!isfinite(loss)) {
            rc = mlp_error_set(err, MLP_EINVAL, "the loss diverged to %g in epoch %zu: lower "
                               "eta0 or scale the features", loss, e);
            break;
        }
        /* scikit-learn's rule: n_iter_no_change epochs in a row without
         * the loss falling below the best by tol. */
        if (tol > 0) {
            bad = loss > best - tol ? bad + 1 : 0;
            best = loss < best ? loss : best;
            if (bad >= patience) {
                stop = "converged: the loss stopped improving by tol";
                break;
            }
        }
    }
    sgd_free(&g);
    free(order);
    free(pred);
    if (rc != MLP_OK) {
        linear_free(m);
        return rc;
    }
    m->names = s->features;
    m->stop = stop;
    m->blocks = s->n_blocks;
    *model = m;
    return MLP_OK;
}

const mlp_trainer sgd_regressor_trainer = {
    sizeof(mlp_trainer), "linear", MLP_TRAINS_REGRESSION, MLP_ROWS_STREAM, sgd_fit,
    linear_predict, linear_save, linear_load, linear_free, linear_importance
};
