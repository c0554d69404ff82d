/* The correlation filter: Pearson's r between every two numeric features
 * still kept, over the rows that have the label, each pair over the rows
 * where both have a value (as pandas' DataFrame.corr).  The products come
 * from BLAS a block of rows at a time, so memory holds one row group's
 * columns and a block, never the whole table.
 *
 * With u = x - mean (0 where x is missing) and m the presence mask, for
 * features a and b over the rows both have:
 *   C[a][b] = sum u_a u_b,  S1[a][b] = sum u_a m_b,  S2[a][b] = sum u_a^2 m_b,
 *   N[a][b] = sum m_a m_b,
 *   r = (C - S1[a][b] S1[b][a] / N) /
 *       sqrt((S2[a][b] - S1[a][b]^2 / N) (S2[b][a] - S1[b][a]^2 / N)).
 * Without missing values S1 = 0 and S2 = diag(C): one syrk. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>

#include "fsel.h"

enum { BLOCK_BYTES = 16 << 20 };

typedef struct acc {
    size_t p;
    int gaps;                   /* some value is missing */
    double *C, *S1, *S2, *N;    /* p x p, column major */
    double *U, *M, *U2;         /* block: rows x p */
} acc;

static void add_block(acc *a, size_t rows)
{
    int p = (int)a->p, r = (int)rows;
    cblas_dsyrk(CblasColMajor, CblasUpper, CblasTrans, p, r, 1.0, a->U, r, 1.0, a->C, p);
    if (!a->gaps)
        return;
    cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, p, p, r, 1.0, a->U, r, a->M, r,
                1.0, a->S1, p);
    for (size_t i = 0; i < rows * a->p; i++)
        a->U2[i] = a->U[i] * a->U[i];
    cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, p, p, r, 1.0, a->U2, r, a->M, r,
                1.0, a->S2, p);
    cblas_dsyrk(CblasColMajor, CblasUpper, CblasTrans, p, r, 1.0, a->M, r, 1.0, a->N, p);
}

static int accumulate(mlp_table_file *f, const fs_label *y, fs_feature **fc, acc *a,
                      size_t block, mlp_error *err)
{
    size_t ng = mlp_table_file_n_groups(f), base = 0, next = 0, p = a->p;
    mlp_table **gc = calloc(p, sizeof *gc);
    int rc = MLP_OK;

    if (gc == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    for (size_t g = 0; g < ng && rc == MLP_OK; g++) {
        size_t rows = 0;
        for (size_t j = 0; j < p && rc == MLP_OK; j++) {
            rc = mlp_table_file_group_column(f, g, fc[j]->col, &gc[j], err);
            if (rc == MLP_OK)
                rows = mlp_table_n_rows(gc[j]);
        }
        /* Rows with the label, block by block. */
        for (size_t r0 = 0; rc == MLP_OK && r0 < rows;) {
            size_t k = 0;
            for (; r0 < rows && k < block; r0++) {
                size_t r = base + r0;
                if (y->row) {
                    while (next < y->n && y->row[next] < r)
                        next++;
                    if (next == y->n || y->row[next] != r)
                        continue;
                }
                for (size_t j = 0; j < p; j++) {
                    double v = mlp_column_number(mlp_table_column(gc[j], 0), r0);
                    int has = !isnan(v);
                    a->U[j * block + k] = has ? v - fc[j]->mean : 0;
                    if (a->gaps)
                        a->M[j * block + k] = has;
                }
                k++;
            }
            if (k == 0)
                continue;
            /* The block's rows are its first k of `block`: pack them to
             * leading dimension k. */
            if (k < block)
                for (size_t j = 1; j < p; j++) {
                    memmove(a->U + j * k, a->U + j * block, k * sizeof *a->U);
                    if (a->gaps)
                        memmove(a->M + j * k, a->M + j * block, k * sizeof *a->M);
                }
            add_block(a, k);
        }
        for (size_t j = 0; j < p; j++) {
            mlp_table_free(gc[j]);
            gc[j] = NULL;
        }
        base += rows;
    }
    free(gc);
    return rc;
}

typedef struct pair {
    double r;
    size_t a, b;
} pair;

static int by_strength(const void *x, const void *y)
{
    const pair *p = x, *q = y;
    double ra = fabs(p->r), rb = fabs(q->r);
    if (ra != rb)
        return ra < rb ? 1 : -1;
    if (p->a != q->a)
        return p->a < q->a ? -1 : 1;
    return (p->b > q->b) - (p->b < q->b);
}

static double corr(const acc *a, size_t i, size_t j)
{
    size_t p = a->p, lo = i < j ? i : j, hi = i < j ? j : i;
    double c = a->C[lo + hi * p];
    if (!a->gaps)
        return c / sqrt(a->C[i + i * p] * a->C[j + j * p]);
    double n = a->N[lo + hi * p];
    if (n < 2)
        return NAN;
    double s_ij = a->S1[i + j * p], s_ji = a->S1[j + i * p];
    double vi = a->S2[i + j * p] - s_ij * s_ij / n, vj = a->S2[j + i * p] - s_ji * s_ji / n;
    return (c - s_ij * s_ji / n) / sqrt(vi * vj);
}

int fs_correlation_filter(mlp_table_file *f, const char *split, const fs_label *y,
                          fs_feature *feat, size_t n, double threshold,
                          mlp_error *err)
{
    fs_feature **fc = calloc(n + 1, sizeof *fc);
    acc a;
    size_t p = 0, block, np = 0;
    pair *pairs = NULL;
    int rc = MLP_OK;

    (void)split;
    memset(&a, 0, sizeof a);
    if (fc == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    for (size_t j = 0; j < n; j++)
        if (feat[j].status == FS_KEPT && feat[j].type == MLP_COL_NUMERIC &&
            feat[j].variance > 0) {
            fc[p++] = &feat[j];
            a.gaps |= feat[j].missing > 0;
        }
    if (p < 2)
        goto done;
    a.p = p;
    block = BLOCK_BYTES / (p * sizeof(double) * (a.gaps ? 3 : 1));
    block = block < 64 ? 64 : block;
    a.C = calloc(p * p, sizeof *a.C);
    a.U = malloc(block * p * sizeof *a.U);
    if (a.gaps) {
        a.S1 = calloc(p * p, sizeof *a.S1);
        a.S2 = calloc(p * p, sizeof *a.S2);
        a.N = calloc(p * p, sizeof *a.N);
        a.M = malloc(block * p * sizeof *a.M);
        a.U2 = malloc(block * p * sizeof *a.U2);
    }
    if (a.C == NULL || a.U == NULL ||
        (a.gaps && (!a.S1 || !a.S2 || !a.N || !a.M || !a.U2))) {
        rc = mlp_error_set(err, MLP_ENOMEM, "out of memory: the correlation filter "
                           "of %zu features needs %zu MB", p,
                           (p * p * 4 + block * p * 3) * 8 >> 20);
        goto done;
    }
    if ((rc = accumulate(f, y, fc, &a, block, err)) != MLP_OK)
        goto done;
    pairs = malloc(sizeof *pairs * 64);
    size_t cap = 64;
    for (size_t i = 0; i < p && pairs; i++)
        for (size_t j = i + 1; j < p; j++) {
            double r = corr(&a, i, j);
            if (!(fabs(r) > threshold))
                continue;
            if (np == cap) {
                pair *q = realloc(pairs, 2 * cap * sizeof *pairs);
                if (q == NULL) {
                    free(pairs);
                    pairs = NULL;
                    break;
                }
                pairs = q;
                cap *= 2;
            }
            pairs[np++] = (pair){ r, i, j };
        }
    if (pairs == NULL) {
        rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
        goto done;
    }
    qsort(pairs, np, sizeof *pairs, by_strength);
    for (size_t k = 0; k < np; k++) {
        fs_feature *x = fc[pairs[k].a], *z = fc[pairs[k].b], *drop, *keep;
        if (x->status != FS_KEPT || z->status != FS_KEPT)
            continue;
        /* The weaker link to the label goes; on a tie (or none defined),
         * the later column. */
        double ax = isnan(x->assoc) ? -1 : x->assoc, az = isnan(z->assoc) ? -1 : z->assoc;
        drop = az > ax ? x : z;
        keep = drop == x ? z : x;
        drop->status = FS_DROP_CORRELATION;
        snprintf(drop->reason, sizeof drop->reason, "correlated with '%s' (r = %.4g, "
                 "|r| above %g), which is as or more associated with the label "
                 "(%.4g against %.4g)", keep->name, pairs[k].r, threshold,
                 keep->assoc, drop->assoc);
    }
done:
    free(pairs);
    free(a.C);
    free(a.S1);
    free(a.S2);
    free(a.N);
    free(a.U);
    free(a.M);
    free(a.U2);
    free(fc);
    return rc;
}
