/* Unit tests of ridge (plugins/train/ridge.c): least squares on features
 * of very different scales, and row weights, which no
 * pipeline gives a regression today (row weights come from class
 * weights) but the trainer interface allows: a row of integer weight w
 * must count as w copies of it, in memory and streamed a group at a time,
 * on the one-pass sums and on the exactly centred pass (a feature moved
 * by 1e7 forces it).  Blocks of 2,100 rows cross ridge's 2,048-row
 * blocks. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "check.h"
#include "linear.h"

extern const mlp_trainer ridge_trainer;

enum { N = 5000, D = 6, GROUP = 2100 };

typedef struct data {
    size_t n;
    double *x, *y, *w;     /* column-major x, ld n */
} data;

static uint64_t state = 99;

static double draw(void)
{
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return (double)(state >> 11) / 9007199254740992.0;
}

static void make(data *a, data *b, double shift)
{
    size_t m = 0;

    a->n = N;
    a->x = malloc(N * D * sizeof *a->x);
    a->y = malloc(N * sizeof *a->y);
    a->w = malloc(N * sizeof *a->w);
    for (size_t i = 0; i < N; i++) {
        double t = 1.5;
        for (size_t j = 0; j < D; j++) {
            double v = draw() * 4 - 2;
            a->x[j * N + i] = v + (j == 0 ? shift : 0);
            t += v * (double)(j + 1) * (j % 2 ? -0.5 : 0.7);
        }
        a->y[i] = t + draw() - 0.5;
        a->w[i] = (double)(1 + (i * 7) % 3);
        m += (size_t)a->w[i];
    }
    /* b: each row of a, weight w, as w rows of weight 1. */
    b->n = m;
    b->x = malloc(m * D * sizeof *b->x);
    b->y = malloc(m * sizeof *b->y);
    b->w = NULL;
    size_t k = 0;
    for (size_t i = 0; i < N; i++)
        for (size_t c = 0; c < (size_t)a->w[i]; c++, k++) {
            for (size_t j = 0; j < D; j++)
                b->x[j * m + k] = a->x[j * N + i];
            b->y[k] = a->y[i];
        }
}

static void drop(data *d)
{
    free(d->x);
    free(d->y);
    free(d->w);
}

static mlp_rows rows_of(const data *d)
{
    mlp_rows r = { d->n, D, d->x, d->n, NULL, d->y, d->w };
    return r;
}

/* The streamed reader: groups of GROUP rows of the data in spec->stream. */
static int block(const mlp_fit_spec *s, size_t b, mlp_rows *r, size_t *first, mlp_error *err)
{
    const data *d = s->stream;
    size_t r0 = b * GROUP, n = d->n - r0 < GROUP ? d->n - r0 : GROUP;

    (void)err;
    *r = rows_of(d);
    r->n_rows = n;
    r->x = d->x + r0;
    r->y = d->y + r0;
    r->w = d->w ? d->w + r0 : NULL;
    if (first)
        *first = r0;
    return MLP_OK;
}

static linear_model *fit(const data *d, int streamed)
{
    static const char *const names[D] = { "a", "b", "c", "d", "e", "f" };
    cJSON *params = cJSON_Parse("{\"alpha\": 3.0}");
    mlp_fit_spec s = { 0 };
    mlp_rows r = rows_of(d);
    mlp_error err;
    void *model = NULL;

    s.task = MLP_TASK_REGRESSION;
    s.n_features = D;
    s.features = names;
    s.params = params;
    s.threads = 1;
    if (streamed) {
        s.n_blocks = (d->n + GROUP - 1) / GROUP;
        s.block = block;
        s.stream = (void *)d;
        r.x = NULL;
    }
    if (ridge_trainer.fit(&s, &r, NULL, &model, &err) != MLP_OK) {
        fprintf(stderr, "ridge: %s\n", err.msg);
        model = NULL;
    }
    cJSON_Delete(params);
    return model;
}

static void check_same(double shift, int streamed)
{
    data a, b;
    make(&a, &b, shift);
    linear_model *ma = fit(&a, streamed), *mb = fit(&b, streamed);
    double worst = 0;

    if (ma && mb) {
        for (size_t j = 0; j < D; j++)
            worst = fmax(worst, fabs(ma->coef[j] - mb->coef[j]));
        worst = fmax(worst, fabs(ma->intercept[0] - mb->intercept[0]) / fmax(1, shift));
    }
    int ok = ma && mb && worst < 1e-9;
    if (ma)
        ridge_trainer.free(ma);
    if (mb)
        ridge_trainer.free(mb);
    drop(&a);
    drop(&b);
    CHECK_MSG(ok, "weights as copies of rows: differ by %g (shift %g, streamed %d)", worst,
              shift, streamed);
}

static void test_weights_in_memory(void) { check_same(0, 0); }
static void test_weights_streamed(void) { check_same(0, 1); }
static void test_weights_centred_pass(void) { check_same(1e7, 0); }
static void test_weights_centred_pass_streamed(void) { check_same(1e7, 1); }

/* alpha 0, two features: a ~ 1e-4 and b ~ 1e3 in scale, y = 1e4 a +
 * 1e-3 b + noise.  X'X is far from singular, though its eigenvalues are
 * 1e14 apart: the fit must keep a (coefficient near 1e4), as lstsq and
 * scikit-learn's Cholesky do.  With b = 2a exactly it is singular and the
 * minimum-norm split holds: y = 3a gives (0.6, 1.2). */
static linear_model *fit2(const double *a, const double *b, const double *y, size_t n)
{
    static const char *const names[2] = { "a", "b" };
    cJSON *params = cJSON_Parse("{\"alpha\": 0}");
    double *x = malloc(2 * n * sizeof *x);
    mlp_fit_spec s = { 0 };
    mlp_rows r = { n, 2, x, n, NULL, y, NULL };
    mlp_error err;
    void *model = NULL;

    memcpy(x, a, n * sizeof *x);
    memcpy(x + n, b, n * sizeof *x);
    s.task = MLP_TASK_REGRESSION;
    s.n_features = 2;
    s.features = names;
    s.params = params;
    s.threads = 1;
    if (ridge_trainer.fit(&s, &r, NULL, &model, &err) != MLP_OK)
        model = NULL;
    cJSON_Delete(params);
    free(x);
    return model;
}

static void test_least_squares_keeps_small_feature(void)
{
    enum { M = 20000 };
    double *a = malloc(M * sizeof *a), *b = malloc(M * sizeof *b), *y = malloc(M * sizeof *y);
    for (size_t i = 0; i < M; i++) {
        a[i] = (draw() - 0.5) * 1e-4;
        b[i] = (draw() - 0.5) * 1e3;
        y[i] = 1e4 * a[i] + 1e-3 * b[i] + (draw() - 0.5) * 0.01;
    }
    linear_model *m = fit2(a, b, y, M);
    double ca = m ? m->coef[0] : NAN, cb = m ? m->coef[1] : NAN;
    for (size_t i = 0; i < M; i++) {
        b[i] = 2 * a[i];
        y[i] = 3 * a[i];
    }
    linear_model *c = fit2(a, b, y, M);
    double c0 = c ? c->coef[0] : NAN, c1 = c ? c->coef[1] : NAN;
    if (m)
        ridge_trainer.free(m);
    if (c)
        ridge_trainer.free(c);
    free(a);
    free(b);
    free(y);
    CHECK_MSG(fabs(ca - 1e4) < 10 && fabs(cb - 1e-3) < 1e-6, "coef (%g, %g), want (1e4, 1e-3)",
              ca, cb);
    CHECK_MSG(fabs(c0 - 0.6) < 1e-9 && fabs(c1 - 1.2) < 1e-9, "collinear coef (%g, %g), "
              "want the minimum-norm (0.6, 1.2)", c0, c1);
}

int main(void)
{
    RUN(test_weights_in_memory);
    RUN(test_weights_streamed);
    RUN(test_weights_centred_pass);
    RUN(test_weights_centred_pass_streamed);
    RUN(test_least_squares_keeps_small_feature);
    CHECK_EXIT();
}
