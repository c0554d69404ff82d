/* mlp_knn: exact k nearest neighbours by brute force, rows shared out over
 * threads.  Each query row keeps its k best in a sorted array (insertion:
 * k is small next to m), so equal distances keep the earlier row. */
#include <math.h>
#include <stdlib.h>

#include <mlpipe/error.h>
#include <mlpipe/neighbors.h>
#include <mlpipe/parallel.h>

typedef struct job {
    const double *const *cols;
    size_t p, m, k;
    const size_t *rows;
    int self;
    size_t *nn;
    double *d2;
    double *best;              /* k per worker */
} job;

#define QUERY_BLOCK 64

static void query(void *arg, size_t blk, int worker)
{
    job *j = arg;
    size_t k = j->k, end = (blk + 1) * QUERY_BLOCK;
    double *best = j->best + (size_t)worker * k;

    if (end > j->m)
        end = j->m;
    for (size_t i = blk * QUERY_BLOCK; i < end; i++) {
        size_t *mine = j->nn + i * k, a = j->rows[i];
        for (size_t t = 0; t < k; t++)
            best[t] = INFINITY;
        for (size_t o = 0; o < j->m; o++) {
            size_t b = j->rows[o];
            double d = 0;
            if (o == i && !j->self)
                continue;
            if (o != i)
                for (size_t c = 0; c < j->p; c++) {
                    double t = j->cols[c][a] - j->cols[c][b];
                    d += t * t;
                }
            if (!(d < best[k - 1]))
                continue;
            size_t t = k - 1;
            while (t > 0 && best[t - 1] > d) {
                best[t] = best[t - 1];
                mine[t] = mine[t - 1];
                t--;
            }
            best[t] = d;
            mine[t] = b;
        }
        if (j->d2)
            for (size_t t = 0; t < k; t++)
                j->d2[i * k + t] = best[t];
    }
}

int mlp_knn(const double *const *cols, size_t p, const size_t *rows, size_t m, size_t k,
            int self, int threads, size_t *nn, double *d2)
{
    job j = { cols, p, m, k, rows, self, nn, d2, NULL };
    int workers = threads > 0 ? threads : mlp_cpu_count();

    if (k == 0 || k > m || (!self && k == m))
        return MLP_EINVAL;
    j.best = malloc((size_t)workers * k * sizeof *j.best);
    if (j.best == NULL)
        return MLP_ENOMEM;
    mlp_parallel_for((m + QUERY_BLOCK - 1) / QUERY_BLOCK, workers, query, &j);
    free(j.best);
    return MLP_OK;
}
