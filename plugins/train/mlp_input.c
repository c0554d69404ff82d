#include <stdlib.h>
#include <string.h>

#include <cblas.h>

#include <mlpipe/memory.h>

#include "mlp_input.h"

/* How many times more a float multiply-add costs in the scattered adds
 * than inside sgemm, measured on the bench machines (AVX2 and AVX-512
 * kernels against the vectorised loops below): about 6 to 10. */
#define SCATTER_COST 8

void input_free(mlp_input *in)
{
    free(in->dense);
    free(in->sparse);
    mlp_free(in->dx);
    mlp_free(in->start);
    mlp_free(in->ent);
    free(in->bstart);
    free(in->bent);
    free(in->wd);
    free(in->gd);
    memset(in, 0, sizeof *in);
}

/* Per column, its non-zeros among the n rows. */
static size_t *count_nonzeros(const float *xf, size_t n, size_t d)
{
    size_t *nnz = calloc(d + 1, sizeof *nnz);
    if (nnz == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        const float *r = xf + i * d;
        for (size_t j = 0; j < d; j++)
            nnz[j] += r[j] != 0;
    }
    return nnz;
}

int input_init(mlp_input *in, const float *xf, size_t n, size_t d, size_t fo, size_t batch)
{
    size_t *nnz = count_nonzeros(xf, n, d), total = 0;
    int rc = -1;

    memset(in, 0, sizeof *in);
    in->d = d;
    in->fo = fo;
    in->nd = d;
    if (nnz == NULL)
        return -1;
    in->dense = malloc((d + 1) * sizeof *in->dense);
    in->sparse = malloc((d + 1) * sizeof *in->sparse);
    if (in->dense == NULL || in->sparse == NULL)
        goto done;
    /* A column goes sparse when scattering its non-zeros costs less than
     * its share of the dense product over every row. */
    in->nd = 0;
    for (size_t j = 0; j < d; j++) {
        if (nnz[j] * SCATTER_COST < n) {
            in->sparse[in->ns++] = j;
            total += nnz[j];
        } else {
            in->dense[in->nd++] = j;
        }
    }
    /* Packing the dense weight rows and unpacking their gradient costs
     * 2 nd fo a batch: the split must save more than that. */
    size_t saved = in->ns * n / SCATTER_COST, cost = total + 2 * in->nd * (n / batch + 1);
    if (in->ns == 0 || saved <= cost) {
        in->ns = 0;
        in->nd = d;
        for (size_t j = 0; j < d; j++)
            in->dense[j] = j;
        rc = 0;
        goto done;
    }
    size_t widest = 0;
    for (size_t i = 0; i < n; i++) {
        size_t k = 0;
        for (size_t s = 0; s < in->ns; s++)
            k += xf[i * d + in->sparse[s]] != 0;
        widest = k > widest ? k : widest;
    }
    in->dx = mlp_malloc((n * in->nd + 1) * sizeof *in->dx);
    in->start = mlp_malloc((n + 1) * sizeof *in->start);
    in->ent = mlp_malloc((total + 1) * sizeof *in->ent);
    in->bstart = malloc((batch + 1) * sizeof *in->bstart);
    in->bent = malloc((batch * widest + 1) * sizeof *in->bent);
    in->wd = malloc((in->nd * fo + 1) * sizeof *in->wd);
    in->gd = malloc((in->nd * fo + 1) * sizeof *in->gd);
    if (in->dx == NULL || in->start == NULL || in->ent == NULL || in->bstart == NULL ||
        in->bent == NULL || in->wd == NULL || in->gd == NULL)
        goto done;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const float *r = xf + i * d;
        for (size_t j = 0; j < in->nd; j++)
            in->dx[i * in->nd + j] = r[in->dense[j]];
        in->start[i] = k;
        for (size_t s = 0; s < in->ns; s++)
            if (r[in->sparse[s]] != 0)
                in->ent[k++] = (input_entry){ (uint32_t)s, r[in->sparse[s]] };
    }
    in->start[n] = k;
    rc = 0;
done:
    free(nnz);
    if (rc != 0)
        input_free(in);
    return rc;
}

void input_gather(mlp_input *in, const float *xf, const size_t *rows, size_t b, float *a0)
{
    size_t d = in->d, nd = in->nd, k = 0;

    if (in->ns == 0) {
        for (size_t r = 0; r < b; r++)
            memcpy(a0 + r * d, xf + rows[r] * d, d * sizeof *a0);
        return;
    }
    for (size_t r = 0; r < b; r++) {
        /* The rows are in shuffled order: ask for a later row's lines
         * while this one is copied. */
        if (r + 8 < b) {
            __builtin_prefetch(in->dx + rows[r + 8] * nd);
            __builtin_prefetch(in->ent + in->start[rows[r + 8]]);
        }
        memcpy(a0 + r * nd, in->dx + rows[r] * nd, nd * sizeof *a0);
        size_t e0 = in->start[rows[r]], e1 = in->start[rows[r] + 1];
        in->bstart[r] = k;
        memcpy(in->bent + k, in->ent + e0, (e1 - e0) * sizeof *in->bent);
        k += e1 - e0;
    }
    in->bstart[b] = k;
}

/* y[0 .. n) += v x[0 .. n) */
static void axpy(size_t n, float v, const float *restrict x, float *restrict y)
{
    for (size_t c = 0; c < n; c++)
        y[c] += v * x[c];
}

void input_forward(mlp_input *in, const float *w0, const float *a0, size_t b, float *z)
{
    size_t fo = in->fo, nd = in->nd;
    const float *wd = w0;

    if (in->ns > 0) {
        for (size_t j = 0; j < nd; j++)
            memcpy(in->wd + j * fo, w0 + in->dense[j] * fo, fo * sizeof *in->wd);
        wd = in->wd;
    }
    if (nd > 0)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)b, (int)fo, (int)nd,
                    1.0f, a0, (int)nd, wd, (int)fo, 1.0f, z, (int)fo);
    for (size_t r = 0; in->ns > 0 && r < b; r++)
        for (size_t k = in->bstart[r]; k < in->bstart[r + 1]; k++)
            axpy(fo, in->bent[k].val, w0 + in->sparse[in->bent[k].col] * fo, z + r * fo);
}

void input_backward(mlp_input *in, const float *a0, size_t b, const float *delta, float *g0)
{
    size_t fo = in->fo, nd = in->nd;

    if (in->ns == 0) {
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)nd, (int)fo, (int)b, 1.0f,
                    a0, (int)nd, delta, (int)fo, 0.0f, g0, (int)fo);
        return;
    }
    if (nd > 0) {
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)nd, (int)fo, (int)b, 1.0f,
                    a0, (int)nd, delta, (int)fo, 0.0f, in->gd, (int)fo);
        for (size_t j = 0; j < nd; j++)
            memcpy(g0 + in->dense[j] * fo, in->gd + j * fo, fo * sizeof *g0);
    }
    for (size_t s = 0; s < in->ns; s++)
        memset(g0 + in->sparse[s] * fo, 0, fo * sizeof *g0);
    for (size_t r = 0; r < b; r++)
        for (size_t k = in->bstart[r]; k < in->bstart[r + 1]; k++)
            axpy(fo, in->bent[k].val, delta + r * fo, g0 + in->sparse[in->bent[k].col] * fo);
}
