/* Unit tests of the MLP's first layer (plugins/train/mlp_input.c): with
 * sparse columns kept apart or not, the batch's products must equal the
 * plain dense ones, computed here in double by the definition. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "mlp_input.h"

enum { N = 600, D = 40, FO = 7, B = 50 };

static uint64_t state = 12345;

static double draw(void)
{
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return (double)(state >> 11) / 9007199254740992.0;
}

/* Mixed: columns 0-5 and 38 dense, 6-37 one value in 40 (a one-hot's
 * level), 39 always zero. */
static void fill(float *x, int mixed)
{
    for (size_t i = 0; i < N; i++)
        for (size_t j = 0; j < D; j++) {
            float v = (float)(draw() * 2 - 1);
            if (mixed && j >= 6 && j < 38)
                v = draw() < 1.0 / 40 ? (float)(1 + j % 3) : 0;
            if (mixed && j == 39)
                v = 0;
            x[i * D + j] = v;
        }
}

/* The batch's rows: every third row from 7, in a shuffled order. */
static void pick(size_t *rows)
{
    for (size_t r = 0; r < B; r++)
        rows[r] = (7 + 3 * r * 11) % N;
}

static void check_products(int mixed, size_t *ns_out)
{
    float *x = malloc(N * D * sizeof *x), *w = malloc(D * FO * sizeof *w);
    float *a0 = malloc(B * D * sizeof *a0), *z = malloc(B * FO * sizeof *z);
    float *delta = malloc(B * FO * sizeof *delta), *g = malloc(D * FO * sizeof *g);
    size_t rows[B];
    mlp_input in;

    fill(x, mixed);
    for (size_t i = 0; i < D * FO; i++)
        w[i] = (float)(draw() - 0.5);
    for (size_t i = 0; i < B * FO; i++) {
        delta[i] = (float)(draw() - 0.5);
        z[i] = 0.25f;                      /* the bias */
    }
    for (size_t i = 0; i < D * FO; i++)
        g[i] = NAN;                        /* every entry must be written */
    pick(rows);
    memset(&in, 0xab, sizeof in);          /* input_init owes nothing to the caller */
    CHECK(input_init(&in, x, N, D, FO, B) == 0);
    *ns_out = in.ns;
    input_gather(&in, x, rows, B, a0);
    input_forward(&in, w, a0, B, z);
    input_backward(&in, a0, B, delta, g);
    for (size_t r = 0; r < B; r++)
        for (size_t c = 0; c < FO; c++) {
            double want = 0.25;
            for (size_t j = 0; j < D; j++)
                want += (double)x[rows[r] * D + j] * w[j * FO + c];
            CHECK_MSG(fabs(z[r * FO + c] - want) <= 1e-5, "z[%zu,%zu] = %g, want %g", r, c,
                      (double)z[r * FO + c], want);
        }
    for (size_t j = 0; j < D; j++)
        for (size_t c = 0; c < FO; c++) {
            double want = 0;
            for (size_t r = 0; r < B; r++)
                want += (double)x[rows[r] * D + j] * delta[r * FO + c];
            CHECK_MSG(fabs(g[j * FO + c] - want) <= 1e-5, "g[%zu,%zu] = %g, want %g", j, c,
                      (double)g[j * FO + c], want);
        }
    input_free(&in);
    free(x);
    free(w);
    free(a0);
    free(z);
    free(delta);
    free(g);
}

/* One-hot-like columns are kept apart, and the products stay exact. */
static void test_sparse_columns_split(void)
{
    size_t ns = 0;
    check_products(1, &ns);
    if (check_failed)
        return;
    CHECK_MSG(ns == 33, "%zu sparse columns, want the 32 rare ones and the zero one", ns);
}

/* One-hot rows: every row has the same number of non-zeros, so the
 * batch's entries fill their buffer exactly (AddressSanitizer sees one
 * too few). */
static void test_one_hot_rows(void)
{
    enum { L = 12 };           /* levels of each of 3 one-hot features */
    float *x = calloc(N * D, sizeof *x), *w = malloc(D * FO * sizeof *w);
    float *a0 = malloc(B * D * sizeof *a0), *z = malloc(B * FO * sizeof *z);
    float *delta = malloc(B * FO * sizeof *delta), *g = malloc(D * FO * sizeof *g);
    size_t rows[B];
    mlp_input in;
    int ok = 1;

    for (size_t i = 0; i < N; i++) {
        x[i * D] = (float)(draw() - 0.5);  /* one dense column */
        for (size_t f = 0; f < 3; f++)
            x[i * D + 1 + f * L + (size_t)(draw() * L)] = 1;
    }
    for (size_t i = 0; i < D * FO; i++)
        w[i] = (float)(draw() - 0.5);
    for (size_t i = 0; i < B * FO; i++) {
        delta[i] = (float)(draw() - 0.5);
        z[i] = 0;
    }
    pick(rows);
    CHECK(input_init(&in, x, N, D, FO, B) == 0);
    CHECK_MSG(in.ns == D - 1, "%zu sparse columns, want %d", in.ns, D - 1);
    input_gather(&in, x, rows, B, a0);
    input_forward(&in, w, a0, B, z);
    input_backward(&in, a0, B, delta, g);
    for (size_t r = 0; r < B && ok; r++)
        for (size_t c = 0; c < FO; c++) {
            double want = 0;
            for (size_t j = 0; j < D; j++)
                want += (double)x[rows[r] * D + j] * w[j * FO + c];
            ok = ok && fabs(z[r * FO + c] - want) <= 1e-5;
        }
    for (size_t j = 0; j < D && ok; j++)
        for (size_t c = 0; c < FO; c++) {
            double want = 0;
            for (size_t r = 0; r < B; r++)
                want += (double)x[rows[r] * D + j] * delta[r * FO + c];
            ok = ok && fabs(g[j * FO + c] - want) <= 1e-5;
        }
    input_free(&in);
    free(x);
    free(w);
    free(a0);
    free(z);
    free(delta);
    free(g);
    CHECK_MSG(ok, "one-hot products differ from the definition");
}

/* Dense rows keep the plain product. */
static void test_dense_rows_not_split(void)
{
    size_t ns = 1;
    check_products(0, &ns);
    if (check_failed)
        return;
    CHECK_MSG(ns == 0, "%zu sparse columns in dense rows", ns);
}

int main(void)
{
    RUN(test_sparse_columns_split);
    RUN(test_dense_rows_not_split);
    RUN(test_one_hot_rows);
    CHECK_EXIT();
}
