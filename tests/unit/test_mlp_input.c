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

enum { DENSE, MIXED, ONE_HOT };

/* DENSE: every value drawn.  MIXED: columns 0-5 and 38 dense, 6-37 one
 * value in 40 (a one-hot's level), 39 always zero.  ONE_HOT: column 0
 * dense, then three one-hot features of 12 levels: every row has the same
 * number of non-zeros, so the batch's entries fill their buffer exactly
 * (AddressSanitizer sees one too few). */
static void fill(float *x, int kind)
{
    for (size_t i = 0; i < N; i++) {
        for (size_t j = 0; j < D; j++) {
            float v = (float)(draw() * 2 - 1);
            if (kind == MIXED && j >= 6 && j < 38)
                v = draw() < 1.0 / 40 ? (float)(1 + j % 3) : 0;
            if ((kind == MIXED && j == 39) || (kind == ONE_HOT && j > 0))
                v = 0;
            x[i * D + j] = v;
        }
        for (size_t f = 0; kind == ONE_HOT && f < 3; f++)
            x[i * D + 1 + f * 12 + (size_t)(draw() * 12)] = 1;
    }
}

/* The batch's rows: every third row from 7, in a shuffled order. */
static void pick(size_t *rows)
{
    for (size_t r = 0; r < B; r++)
        rows[r] = (7 + 3 * r * 11) % N;
}

static void check_products(int kind, size_t *ns_out)
{
    float *x = malloc(N * D * sizeof *x), *w = malloc(D * FO * sizeof *w);
    float *a0 = malloc(B * D * sizeof *a0), *z = malloc(B * FO * sizeof *z);
    float *delta = malloc(B * FO * sizeof *delta), *g = malloc(D * FO * sizeof *g);
    size_t rows[B];
    mlp_input in;

    fill(x, kind);
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
    check_products(MIXED, &ns);
    if (check_failed)
        return;
    CHECK_MSG(ns == 33, "%zu sparse columns, want the 32 rare ones and the zero one", ns);
}

/* Dense rows keep the plain product. */
static void test_dense_rows_not_split(void)
{
    size_t ns = 1;
    check_products(DENSE, &ns);
    if (check_failed)
        return;
    CHECK_MSG(ns == 0, "%zu sparse columns in dense rows", ns);
}

/* One-hot features alone: every level column is kept apart. */
static void test_one_hot_rows(void)
{
    size_t ns = 0;
    check_products(ONE_HOT, &ns);
    if (check_failed)
        return;
    CHECK_MSG(ns == D - 1, "%zu sparse columns, want %d", ns, D - 1);
}

int main(void)
{
    RUN(test_sparse_columns_split);
    RUN(test_dense_rows_not_split);
    RUN(test_one_hot_rows);
    CHECK_EXIT();
}
