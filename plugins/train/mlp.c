/* Multilayer perceptron, as scikit-learn's MLPClassifier / MLPRegressor:
 * dense layers with ReLU, tanh or logistic units, a softmax (classes) or
 * identity (values) output, cross-entropy or half squared error, an L2
 * penalty alpha / 2 |W|^2 per batch row, mini-batches shuffled every
 * epoch, Adam or SGD with (Nesterov) momentum, optional inverted dropout
 * on the hidden layers, early stopping on the eval split (the best
 * weights are kept).  Computed in float32: every product is an OpenBLAS
 * sgemm, and the rows come row-major (MLP_ROWS_F32), so a batch is
 * gathered a row at a time.  Every random draw comes from the seed. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cblas.h>

#include <mlpipe/json.h>
#include <mlpipe/memory.h>

#include "linear.h"
#include "mlp_input.h"

void openblas_set_num_threads(int);

enum { ACT_RELU, ACT_TANH, ACT_LOGISTIC };
static const char *const act_names[] = { "relu", "tanh", "logistic", NULL };

typedef struct net {
    size_t n_layers;        /* weight layers: hidden + output */
    size_t *size;           /* n_layers + 1 sizes, size[0] = features */
    int act;
    int softmax;            /* classification output */
    float **w, **b;         /* w[l]: size[l] x size[l + 1] row-major */
} net;

static void net_free(void *p)
{
    net *m = p;
    if (m == NULL)
        return;
    for (size_t l = 0; m->w && l < m->n_layers; l++) {
        free(m->w[l]);
        free(m->b[l]);
    }
    free(m->w);
    free(m->b);
    free(m->size);
    free(m);
}

static net *net_new(size_t n_layers, const size_t *size, int act, int softmax)
{
    net *m = calloc(1, sizeof *m);
    if (m == NULL)
        return NULL;
    m->n_layers = n_layers;
    m->act = act;
    m->softmax = softmax;
    m->size = malloc((n_layers + 1) * sizeof *m->size);
    m->w = calloc(n_layers, sizeof *m->w);
    m->b = calloc(n_layers, sizeof *m->b);
    if (m->size == NULL || m->w == NULL || m->b == NULL) {
        net_free(m);
        return NULL;
    }
    memcpy(m->size, size, (n_layers + 1) * sizeof *size);
    for (size_t l = 0; l < n_layers; l++) {
        m->w[l] = calloc(size[l] * size[l + 1] + 1, sizeof **m->w);
        m->b[l] = calloc(size[l + 1] + 1, sizeof **m->b);
        if (m->w[l] == NULL || m->b[l] == NULL) {
            net_free(m);
            return NULL;
        }
    }
    return m;
}

/* splitmix64: reproducible draws from the seed. */
static uint64_t rnd(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static double uniform(uint64_t *s)
{
    return (double)(rnd(s) >> 11) * (1.0 / 9007199254740992.0);
}

static void activate(int act, float *restrict a, size_t n)
{
    /* One loop per kind, so the common ReLU is a vectorised max. */
    switch (act) {
    case ACT_RELU:
        for (size_t i = 0; i < n; i++)
            a[i] = a[i] > 0 ? a[i] : 0;
        break;
    case ACT_TANH:
        for (size_t i = 0; i < n; i++)
            a[i] = tanhf(a[i]);
        break;
    default:
        for (size_t i = 0; i < n; i++)
            a[i] = 1 / (1 + expf(-a[i]));
    }
}

/* Multiplies d (the gradient at a layer's output) by the activation's
 * derivative, from the activated values a times scale (dropout scaled the
 * kept ones up by 1 / scale; the dropped ones have d 0). */
static void derive(int act, const float *restrict a, float scale, float *restrict d, size_t n)
{
    switch (act) {
    case ACT_RELU:
        for (size_t i = 0; i < n; i++)
            d[i] = a[i] > 0 ? d[i] : 0;
        break;
    case ACT_TANH:
        for (size_t i = 0; i < n; i++) {
            float v = a[i] * scale;
            d[i] *= 1 - v * v;
        }
        break;
    default:
        for (size_t i = 0; i < n; i++) {
            float v = a[i] * scale;
            d[i] *= v * (1 - v);
        }
    }
}

/* Layer outputs for b rows of in (row-major): out = act(in w + bias). */
static void layer(const net *m, size_t l, const float *in, size_t b, float *out)
{
    size_t fi = m->size[l], fo = m->size[l + 1];
    for (size_t r = 0; r < b; r++)
        memcpy(out + r * fo, m->b[l], fo * sizeof *out);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)b, (int)fo, (int)fi, 1.0f,
                in, (int)fi, m->w[l], (int)fo, 1.0f, out, (int)fo);
    if (l + 1 < m->n_layers)
        activate(m->act, out, b * fo);
}

static void softmax_rows(float *z, size_t b, size_t k)
{
    for (size_t r = 0; r < b; r++) {
        float *p = z + r * k, mx = p[0], s = 0;
        for (size_t c = 1; c < k; c++)
            mx = p[c] > mx ? p[c] : mx;
        for (size_t c = 0; c < k; c++)
            s += p[c] = expf(p[c] - mx);
        for (size_t c = 0; c < k; c++)
            p[c] /= s;
    }
}

static size_t widest(const net *m)
{
    size_t w = 0;
    for (size_t l = 0; l <= m->n_layers; l++)
        w = m->size[l] > w ? m->size[l] : w;
    return w;
}

static int mlp_predict(const void *model, const mlp_rows *x, double *out, mlp_error *err)
{
    const net *m = model;
    size_t n = x->n_rows, d = m->size[0], k = m->size[m->n_layers], wmax = widest(m);
    size_t blk = n < 1024 ? n : 1024;
    float *a = malloc((blk * wmax + 1) * sizeof *a), *bb = malloc((blk * wmax + 1) * sizeof *bb);
    int rc = a && bb ? MLP_OK : mlp_error_set(err, MLP_ENOMEM, "out of memory");

    for (size_t r0 = 0; rc == MLP_OK && r0 < n; r0 += blk) {
        size_t b = n - r0 < blk ? n - r0 : blk;
        float *acts[2] = { a, bb };
        if (x->x)
            /* Eight rows at a time, so that each column's run is read a
             * cache line at a time. */
            for (size_t i0 = 0; i0 < b; i0 += 8) {
                size_t ie = b - i0 < 8 ? b - i0 : 8;
                for (size_t j = 0; j < d; j++)
                    for (size_t r = 0; r < ie; r++)
                        a[(i0 + r) * d + j] = (float)x->x[j * x->ld + r0 + i0 + r];
            }
        else
            memcpy(a, x->xf + r0 * d, b * d * sizeof *a);
        /* Two buffers, used in turn from layer to layer. */
        for (size_t l = 0; l < m->n_layers; l++)
            layer(m, l, acts[l % 2], b, acts[(l + 1) % 2]);
        float *o = acts[m->n_layers % 2];
        if (m->softmax)
            softmax_rows(o, b, k);
        for (size_t i = 0; i < b * k; i++)
            out[r0 * k + i] = o[i];
    }
    free(a);
    free(bb);
    return rc;
}

/* ------------------------------------------------------------ training */

typedef struct opt {
    int adam, nesterov;
    double lr, momentum, alpha, beta1, beta2, eps, dropout;
    size_t batch, epochs, patience;
    double tol;
    int early;
} opt;

/* Glorot uniform, as scikit-learn initialises (a factor 2 for logistic). */
static void init_weights(net *m, uint64_t *seed)
{
    for (size_t l = 0; l < m->n_layers; l++) {
        double fi = (double)m->size[l], fo = (double)m->size[l + 1];
        double bound = sqrt((m->act == ACT_LOGISTIC ? 2.0 : 6.0) / (fi + fo));
        for (size_t i = 0; i < m->size[l] * m->size[l + 1]; i++)
            m->w[l][i] = (float)((2 * uniform(seed) - 1) * bound);
        for (size_t i = 0; i < m->size[l + 1]; i++)
            m->b[l][i] = (float)((2 * uniform(seed) - 1) * bound);
    }
}

typedef struct trainer_state {
    net *m, *best;
    float **acts, **deltas, **gw, **gb, **mw, **mb, **vw, **vb;
    uint8_t **drop;
    mlp_input in;          /* the first layer's view of the rows */
    size_t t;              /* Adam steps */
} trainer_state;

static void **alloc_per_layer(size_t n)
{
    return calloc(n + 1, sizeof(void *));
}

static void free_list(void **p, size_t n)
{
    for (size_t i = 0; p && i < n; i++)
        free(p[i]);
    free(p);
}

static void state_free(trainer_state *st, size_t L)
{
    free_list((void **)st->acts, L + 1);
    free_list((void **)st->deltas, L + 1);
    free_list((void **)st->gw, L);
    free_list((void **)st->gb, L);
    free_list((void **)st->mw, L);
    free_list((void **)st->mb, L);
    free_list((void **)st->vw, L);
    free_list((void **)st->vb, L);
    free_list((void **)st->drop, L + 1);
    net_free(st->best);
    input_free(&st->in);
}

static int state_alloc(trainer_state *st, const net *m, size_t batch)
{
    size_t L = m->n_layers;
    st->acts = (float **)alloc_per_layer(L + 1);
    st->deltas = (float **)alloc_per_layer(L + 1);
    st->drop = (uint8_t **)alloc_per_layer(L + 1);
    st->gw = (float **)alloc_per_layer(L);
    st->gb = (float **)alloc_per_layer(L);
    st->mw = (float **)alloc_per_layer(L);
    st->mb = (float **)alloc_per_layer(L);
    st->vw = (float **)alloc_per_layer(L);
    st->vb = (float **)alloc_per_layer(L);
    if (!st->acts || !st->deltas || !st->drop || !st->gw || !st->gb || !st->mw || !st->mb ||
        !st->vw || !st->vb)
        return MLP_ENOMEM;
    for (size_t l = 0; l <= L; l++) {
        st->acts[l] = malloc((batch * m->size[l] + 1) * sizeof(float));
        st->deltas[l] = malloc((batch * m->size[l] + 1) * sizeof(float));
        st->drop[l] = malloc(batch * m->size[l] + 1);
        if (!st->acts[l] || !st->deltas[l] || !st->drop[l])
            return MLP_ENOMEM;
    }
    for (size_t l = 0; l < L; l++) {
        size_t nw = m->size[l] * m->size[l + 1] + 1, nb = m->size[l + 1] + 1;
        st->gw[l] = calloc(nw, sizeof(float));
        st->gb[l] = calloc(nb, sizeof(float));
        st->mw[l] = calloc(nw, sizeof(float));
        st->mb[l] = calloc(nb, sizeof(float));
        st->vw[l] = calloc(nw, sizeof(float));
        st->vb[l] = calloc(nb, sizeof(float));
        if (!st->gw[l] || !st->gb[l] || !st->mw[l] || !st->mb[l] || !st->vw[l] || !st->vb[l])
            return MLP_ENOMEM;
    }
    return MLP_OK;
}

/* One step on n weights w from their gradient g plus decay w (the L2
 * penalty's share; 0 for the biases). */
static void update(float *restrict w, const float *restrict g, float *restrict mv,
                   float *restrict vv, size_t n, const opt *o, double lr_t, float decay)
{
    if (o->adam) {
        float b1 = (float)o->beta1, b2 = (float)o->beta2, lr = (float)lr_t, eps = (float)o->eps;
        for (size_t i = 0; i < n; i++) {
            float gi = g[i] + decay * w[i];
            mv[i] = b1 * mv[i] + (1 - b1) * gi;
            vv[i] = b2 * vv[i] + (1 - b2) * gi * gi;
            w[i] -= lr * mv[i] / (sqrtf(vv[i]) + eps);
        }
        return;
    }
    /* scikit-learn's SGDOptimizer: velocity = momentum v - lr g, and the
     * Nesterov step momentum velocity - lr g. */
    float mo = (float)o->momentum, lr = (float)o->lr;
    for (size_t i = 0; i < n; i++) {
        float gi = g[i] + decay * w[i];
        mv[i] = mo * mv[i] - lr * gi;
        w[i] += o->nesterov ? mo * mv[i] - lr * gi : mv[i];
    }
}

/* |w|^2 in double, over eight running sums: one sum would wait on each
 * addition in turn. */
static double squares(const float *w, size_t n)
{
    double acc[8] = { 0 }, s = 0;
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int k = 0; k < 8; k++)
            acc[k] += (double)w[i + k] * w[i + k];
    for (; i < n; i++)
        s += (double)w[i] * w[i];
    for (int k = 0; k < 8; k++)
        s += acc[k];
    return s;
}

/* Column sums of the b x fo rows d, into s. */
static void column_sums(const float *restrict d, size_t b, size_t fo, float *restrict s)
{
    memset(s, 0, fo * sizeof *s);
    for (size_t r = 0; r < b; r++)
        for (size_t c = 0; c < fo; c++)
            s[c] += d[r * fo + c];
}

static void bias_rows(float *out, const float *bias, size_t b, size_t fo)
{
    for (size_t r = 0; r < b; r++)
        memcpy(out + r * fo, bias, fo * sizeof *out);
}

/* One mini-batch of b rows, gathered (input_gather); y the targets.  Returns the batch's loss (with
 * the penalty). */
static double batch_step(trainer_state *st, const opt *o, const double *y, size_t b,
                         uint64_t *seed)
{
    net *m = st->m;
    size_t L = m->n_layers, k = m->size[L];
    double loss = 0, pen = 0;

    for (size_t l = 0; l < L; l++) {
        if (l == 0) {
            bias_rows(st->acts[1], m->b[0], b, m->size[1]);
            input_forward(&st->in, m->w[0], st->acts[0], b, st->acts[1]);
            if (L > 1)
                activate(m->act, st->acts[1], b * m->size[1]);
        } else {
            layer(m, l, st->acts[l], b, st->acts[l + 1]);
        }
        if (o->dropout > 0 && l + 1 < L) {
            float keep = (float)(1 - o->dropout), *a = st->acts[l + 1];
            uint8_t *mask = st->drop[l + 1];
            for (size_t i = 0; i < b * m->size[l + 1]; i++) {
                mask[i] = uniform(seed) >= o->dropout;
                a[i] = mask[i] ? a[i] / keep : 0;
            }
        }
    }
    float *out = st->acts[L], *d = st->deltas[L];
    if (m->softmax) {
        softmax_rows(out, b, k);
        for (size_t r = 0; r < b; r++) {
            size_t yc = (size_t)y[r];
            double p = out[r * k + yc];
            loss -= log(p > 1e-7 ? p : 1e-7);
            for (size_t c = 0; c < k; c++)
                d[r * k + c] = (out[r * k + c] - (c == yc)) / (float)b;
        }
    } else {
        for (size_t r = 0; r < b; r++) {
            double e = out[r] - y[r];
            loss += 0.5 * e * e;
            d[r] = (float)(e / (double)b);
        }
    }
    loss /= (double)b;
    st->t++;
    double lr_t = o->lr * sqrt(1 - pow(o->beta2, (double)st->t)) /
                  (1 - pow(o->beta1, (double)st->t));
    float decay = (float)(o->alpha / (double)b);
    for (size_t l = L; l-- > 0;) {
        size_t fi = m->size[l], fo = m->size[l + 1];
        float *dl = st->deltas[l + 1];
        /* gw = a' d; the penalty's alpha w / b joins in update */
        if (l == 0)
            input_backward(&st->in, st->acts[0], b, dl, st->gw[0]);
        else
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)fi, (int)fo, (int)b,
                        1.0f, st->acts[l], (int)fi, dl, (int)fo, 0.0f, st->gw[l], (int)fo);
        column_sums(dl, b, fo, st->gb[l]);
        pen += squares(m->w[l], fi * fo);
        if (l > 0) {
            float *dp = st->deltas[l];
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)b, (int)fi, (int)fo, 1.0f,
                        dl, (int)fo, m->w[l], (int)fo, 0.0f, dp, (int)fi);
            if (o->dropout > 0) {
                float keep = (float)(1 - o->dropout);
                for (size_t i = 0; i < b * fi; i++)
                    dp[i] = st->drop[l][i] ? dp[i] / keep : 0;
            }
            derive(m->act, st->acts[l], o->dropout > 0 ? (float)(1 - o->dropout) : 1.0f, dp,
                   b * fi);
        }
        update(m->w[l], st->gw[l], st->mw[l], st->vw[l], fi * fo, o, lr_t, decay);
        update(m->b[l], st->gb[l], st->mb[l], st->vb[l], fo, o, lr_t, 0.0f);
    }
    return loss + 0.5 * o->alpha * pen / (double)b;
}

static int copy_net(net *dst, const net *src)
{
    for (size_t l = 0; l < src->n_layers; l++) {
        memcpy(dst->w[l], src->w[l], src->size[l] * src->size[l + 1] * sizeof(float));
        memcpy(dst->b[l], src->b[l], src->size[l + 1] * sizeof(float));
    }
    return MLP_OK;
}

static int read_opts(const mlp_fit_spec *s, opt *o, size_t **sizes, size_t *n_layers,
                     int *act, mlp_error *err)
{
    const cJSON *hidden = cJSON_GetObjectItemCaseSensitive(s->params, "hidden"), *h;
    const char *a = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(s->params,
                                                                          "activation"));
    const char *sol = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(s->params,
                                                                            "solver"));
    size_t nh = (size_t)cJSON_GetArraySize(hidden), i = 1;

    memset(o, 0, sizeof *o);
    o->adam = sol == NULL || strcmp(sol, "adam") == 0;
    o->lr = train_param(s, "learning_rate", 1e-3);
    o->momentum = train_param(s, "momentum", 0.9);
    o->nesterov = train_param(s, "nesterov", 1) != 0;
    o->alpha = train_param(s, "alpha", 1e-4);
    o->beta1 = 0.9;
    o->beta2 = 0.999;
    o->eps = 1e-8;
    o->dropout = train_param(s, "dropout", 0);
    o->batch = (size_t)train_param(s, "batch_size", 200);
    o->epochs = (size_t)train_param(s, "epochs", 200);
    o->patience = (size_t)train_param(s, "n_iter_no_change", 10);
    o->tol = train_param(s, "tol", 1e-4);
    o->early = train_param(s, "early_stopping", 0) != 0;
    *act = ACT_RELU;
    for (int k = 0; a && act_names[k]; k++)
        if (strcmp(a, act_names[k]) == 0)
            *act = k;
    *sizes = malloc((nh + 2) * sizeof **sizes);
    if (*sizes == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    (*sizes)[0] = s->n_features;
    cJSON_ArrayForEach(h, hidden)
        (*sizes)[i++] = (size_t)h->valuedouble;
    (*sizes)[i] = s->task == MLP_TASK_CLASSIFICATION ? s->n_classes : 1;
    *n_layers = nh + 1;
    return MLP_OK;
}

static int mlp_fit(const mlp_fit_spec *s, const mlp_rows *tr, const mlp_rows *ev,
                   void **model, mlp_error *err)
{
    opt o;
    size_t *sizes = NULL, L = 0, n = tr->n_rows, d = tr->n_features, stall = 0;
    int act, rc;
    uint64_t seed = s->seed ^ 0x6d6c7069706531ull;
    trainer_state st;
    size_t *order = NULL;
    double *yb = NULL, *pred = NULL, best = INFINITY, t0 = train_now();

    *model = NULL;
    memset(&st, 0, sizeof st);
    if ((rc = read_opts(s, &o, &sizes, &L, &act, err)) != MLP_OK)
        return rc;
    if (o.early && ev == NULL) {
        free(sizes);
        return mlp_error_set(err, MLP_EINVAL, "early_stopping watches the eval split, and "
                             "there is none (eval_split)");
    }
    size_t batch = o.batch < n ? o.batch : n;
    st.m = net_new(L, sizes, act, s->task == MLP_TASK_CLASSIFICATION);
    st.best = o.early ? net_new(L, sizes, act, s->task == MLP_TASK_CLASSIFICATION) : NULL;
    order = malloc((n + 1) * sizeof *order);
    yb = malloc((batch + 1) * sizeof *yb);
    pred = ev ? malloc((ev->n_rows * sizes[L] + 1) * sizeof *pred) : NULL;
    free(sizes);
    if (st.m == NULL || (o.early && st.best == NULL) || order == NULL || yb == NULL ||
        (ev && pred == NULL) || state_alloc(&st, st.m, batch) != MLP_OK ||
        input_init(&st.in, tr->xf, n, d, st.m->size[1], batch) != 0) {
        rc = mlp_error_set(err, MLP_ENOMEM, "out of memory for the network");
        goto done;
    }
    openblas_set_num_threads(s->threads);
    init_weights(st.m, &seed);
    for (size_t i = 0; i < n; i++)
        order[i] = i;
    for (size_t epoch = 1; epoch <= o.epochs; epoch++) {
        double sum = 0;
        /* Fisher-Yates from the seed: every epoch its own order. */
        for (size_t i = n; i > 1; i--) {
            size_t j = (size_t)(rnd(&seed) % i), t = order[i - 1];
            order[i - 1] = order[j];
            order[j] = t;
        }
        for (size_t r0 = 0; r0 < n; r0 += batch) {
            size_t b = n - r0 < batch ? n - r0 : batch;
            input_gather(&st.in, tr->xf, order + r0, b, st.acts[0]);
            for (size_t r = 0; r < b; r++)
                yb[r] = tr->y[order[r0 + r]];
            sum += batch_step(&st, &o, yb, b, &seed) * (double)b;
        }
        mlp_epoch e = { epoch, sum / (double)n, NAN, NAN, 0, o.epochs };
        /* float32 overflows long before double: say so rather than save
         * weights that are NaN. */
        if (!isfinite(e.loss)) {
            rc = mlp_error_set(err, MLP_EINVAL, "training diverged in epoch %zu: the loss "
                               "is %g (scale the features or the target, or lower "
                               "learning_rate)", epoch, e.loss);
            goto done;
        }
        e.rows_per_s = (double)n * (double)epoch / (train_now() - t0 + 1e-9);
        if (ev && (rc = mlp_predict(st.m, ev, pred, err)) != MLP_OK)
            goto done;
        if (mlp_fit_report(s, &e, ev, pred)) {
            rc = mlp_error_set(err, MLP_ECANCELED, "cancelled");
            goto done;
        }
        /* Early stopping, as scikit-learn's: the eval loss must improve by
         * tol within n_iter_no_change epochs; the best weights are kept. */
        double watch = ev ? e.eval_loss : e.loss;
        if (watch < best - o.tol) {
            stall = 0;
            if (o.early)
                copy_net(st.best, st.m);
        } else {
            stall++;
        }
        if (watch < best)
            best = watch;
        if (o.early && stall >= o.patience)
            break;
    }
    if (o.early)
        copy_net(st.m, st.best);
    rc = MLP_OK;
done:
    free(order);
    free(yb);
    free(pred);
    if (rc == MLP_OK) {
        *model = st.m;
        st.m = NULL;
    }
    net_free(st.m);
    state_free(&st, L);
    return rc;
}

static int mlp_save(const void *model, mlp_model_out *o, mlp_error *err)
{
    const net *m = model;
    cJSON *layers = cJSON_CreateArray();
    char name[32];
    int rc = MLP_OK;

    for (size_t l = 0; l <= m->n_layers; l++)
        cJSON_AddItemToArray(layers, mlp_json_int((int64_t)m->size[l]));
    rc = mlp_model_put(o, "layers", layers, err);
    if (rc == MLP_OK)
        rc = mlp_model_put(o, "activation", cJSON_CreateString(act_names[m->act]), err);
    if (rc == MLP_OK)
        rc = mlp_model_put(o, "output", cJSON_CreateString(m->softmax ? "softmax" : "identity"),
                           err);
    for (size_t l = 0; rc == MLP_OK && l < m->n_layers; l++) {
        size_t nw = m->size[l] * m->size[l + 1], nb = m->size[l + 1];
        double *buf = malloc((nw + nb + 1) * sizeof *buf);
        if (buf == NULL)
            return mlp_error_set(err, MLP_ENOMEM, "out of memory");
        for (size_t i = 0; i < nw; i++)
            buf[i] = m->w[l][i];
        for (size_t i = 0; i < nb; i++)
            buf[nw + i] = m->b[l][i];
        snprintf(name, sizeof name, "W%zu", l + 1);
        rc = mlp_model_put_tensor(o, name, m->size[l], m->size[l + 1], buf, err);
        snprintf(name, sizeof name, "b%zu", l + 1);
        if (rc == MLP_OK)
            rc = mlp_model_put_tensor(o, name, 1, nb, buf + nw, err);
        free(buf);
    }
    return rc;
}

static int mlp_load(const mlp_model_in *in, void **model, mlp_error *err)
{
    const cJSON *layers = mlp_model_get(in, "layers"), *e;
    const char *a = cJSON_GetStringValue(mlp_model_get(in, "activation"));
    const char *out = cJSON_GetStringValue(mlp_model_get(in, "output"));
    size_t L = (size_t)cJSON_GetArraySize(layers), *size, i = 0;
    int act = -1, softmax = out && strcmp(out, "softmax") == 0;
    int cls = mlp_model_in_task(in) == MLP_TASK_CLASSIFICATION;
    net *m;

    *model = NULL;
    for (int k = 0; a && act_names[k]; k++)
        if (strcmp(a, act_names[k]) == 0)
            act = k;
    if (L < 2 || L > 65 || act < 0 || out == NULL || softmax != cls ||
        (!softmax && strcmp(out, "identity") != 0))
        return mlp_error_set(err, MLP_ECORRUPT, "model.json: 'model' must give layers (2 to "
                             "65 sizes), a known activation and the %s output",
                             cls ? "softmax" : "identity");
    if ((size = malloc(L * sizeof *size)) == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    cJSON_ArrayForEach(e, layers) {
        int64_t v;
        if (mlp_json_get_int(e, &v) != MLP_OK || v < 1 || v > (1 << 24)) {
            free(size);
            return mlp_error_set(err, MLP_ECORRUPT, "model.json: layer %zu has no valid size",
                                 i);
        }
        size[i++] = (size_t)v;
    }
    if (size[0] != mlp_model_in_n_features(in) ||
        size[L - 1] != (cls ? mlp_model_in_n_classes(in) : 1)) {
        free(size);
        return mlp_error_set(err, MLP_ECORRUPT, "model.json: the layers do not start with "
                             "the features and end with the outputs");
    }
    m = net_new(L - 1, size, act, softmax);
    free(size);
    if (m == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    for (size_t l = 0; l + 1 < L; l++) {
        const double *w, *b;
        char name[32];
        int rc;
        snprintf(name, sizeof name, "W%zu", l + 1);
        rc = mlp_model_get_tensor(in, name, m->size[l], m->size[l + 1], &w, err);
        snprintf(name, sizeof name, "b%zu", l + 1);
        if (rc == MLP_OK)
            rc = mlp_model_get_tensor(in, name, 1, m->size[l + 1], &b, err);
        if (rc != MLP_OK) {
            net_free(m);
            return rc;
        }
        for (size_t k = 0; k < m->size[l] * m->size[l + 1]; k++)
            m->w[l][k] = (float)w[k];
        for (size_t k = 0; k < m->size[l + 1]; k++)
            m->b[l][k] = (float)b[k];
    }
    *model = m;
    return MLP_OK;
}

const mlp_trainer mlp_classifier_trainer = {
    sizeof(mlp_trainer), "mlp", MLP_TRAINS_CLASSIFICATION, MLP_ROWS_F32, mlp_fit,
    mlp_predict, mlp_save, mlp_load, net_free, NULL
};

const mlp_trainer mlp_regressor_trainer = {
    sizeof(mlp_trainer), "mlp", MLP_TRAINS_REGRESSION, MLP_ROWS_F32, mlp_fit,
    mlp_predict, mlp_save, mlp_load, net_free, NULL
};
