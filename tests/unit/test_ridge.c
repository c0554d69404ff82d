/* Unit tests of ridge's row weights (plugins/train/ridge.c), which no
 * pipeline gives a regression today (row weights come from class
 * weights) but the trainer interface allows: a row of integer weight w
 * must count as w copies of it, in memory and streamed a group at a time,
 * on the one-pass sums and on the exactly centred pass (a feature moved
 * by 1e7 forces it).  Blocks of 2,100 rows cross ridge's 2,048-row
 * blocks. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

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

int main(void)
{
    RUN(test_weights_in_memory);
    RUN(test_weights_streamed);
    RUN(test_weights_centred_pass);
    RUN(test_weights_centred_pass_streamed);
    CHECK_EXIT();
}
