/* The train rows of an MLP_ROWS_STREAM trainer, read a row group of the
 * split's table file at a time: memory holds one group's features (and
 * every row's target and weight), so a split larger than memory can be
 * fitted.  Each block is checked as mlpi_split_rows_read checks a whole
 * split, naming the feature, row and source line of a value a trainer
 * cannot take. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mlpipe/memory.h>
#include <mlpipe/parallel.h>

#include "train_priv.h"

struct mlpi_stream {
    mlp_table_file *f;
    const mlp_artifact *ex;
    const char *split;
    char *const *features;
    ptrdiff_t *idx;
    size_t d, n_groups;
    size_t *row0;          /* per group: its first row in the file */
    size_t *first;         /* per group: its first row the trainer sees */
    const double *y_rows;  /* every file row's target, NaN: left out */
    const double *y, *w;   /* the rows the trainer sees */
    size_t n_rows_kept;
    size_t max_rows;
    double *x, *by, *bw;   /* the block */
    /* While a block is read, a column per task: */
    size_t b, kept;        /* the group; its rows the trainer sees */
    int *rc;               /* per column: MLP_OK or why not */
    size_t *bad;           /* ... the group's row at fault, or SIZE_MAX */
    mlp_error *errs;
};

void mlpi_stream_close(mlpi_stream *s)
{
    if (s == NULL)
        return;
    mlp_table_file_close(s->f);
    free(s->idx);
    free(s->row0);
    free(s->first);
    mlp_free(s->x);
    free(s->by);
    free(s->bw);
    free(s->rc);
    free(s->bad);
    free(s->errs);
    free(s);
}

size_t mlpi_stream_n_blocks(const mlpi_stream *s)
{
    return s->n_groups;
}

int mlpi_stream_open(const mlp_artifact *ex, const char *split, char *const *features,
                     size_t d, const mlpi_split_rows *r, mlpi_stream **out, mlp_error *err)
{
    mlpi_stream *s = calloc(1, sizeof *s);
    char file[300], path[4096];
    size_t row = 0, kept = 0;
    int rc;

    *out = NULL;
    if (s == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    s->ex = ex;
    s->split = split;
    s->features = features;
    s->d = d;
    s->y_rows = r->y_rows;
    s->y = r->y;
    s->w = r->w;
    s->n_rows_kept = r->n;
    snprintf(file, sizeof file, "%s.mlpt", split);
    rc = mlp_artifact_path(ex, file, path, sizeof path, err);
    if (rc == MLP_OK)
        rc = mlp_table_file_open(path, &s->f, err);
    if (rc == MLP_OK) {
        s->n_groups = mlp_table_file_n_groups(s->f);
        s->idx = malloc((d + 1) * sizeof *s->idx);
        s->row0 = malloc((s->n_groups + 1) * sizeof *s->row0);
        s->first = malloc((s->n_groups + 1) * sizeof *s->first);
        if (s->idx == NULL || s->row0 == NULL || s->first == NULL)
            rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
    }
    for (size_t j = 0; rc == MLP_OK && j < d; j++)
        s->idx[j] = mlp_table_file_find(s->f, features[j]);
    /* Each group's size, from its first feature column (the smallest
     * read there is). */
    for (size_t g = 0; rc == MLP_OK && g < s->n_groups; g++) {
        mlp_table *t = NULL;
        rc = mlp_table_file_group_column(s->f, g, d ? (size_t)s->idx[0] : 0, &t, err);
        if (rc != MLP_OK)
            break;
        size_t n = mlp_table_n_rows(t);
        mlp_table_free(t);
        s->row0[g] = row;
        s->first[g] = kept;
        for (size_t i = row; i < row + n && i < r->n + r->skipped; i++)
            kept += !isnan(r->y_rows[i]);
        row += n;
        s->max_rows = n > s->max_rows ? n : s->max_rows;
    }
    if (rc == MLP_OK && (row != r->n + r->skipped || kept != r->n))
        rc = mlp_error_set(err, MLP_ECORRUPT, "%s: its groups hold %zu rows, the label "
                           "column %zu", path, row, r->n + r->skipped);
    if (rc == MLP_OK) {
        if (s->max_rows && d > SIZE_MAX / 8 / s->max_rows)
            rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
        else {
            s->x = mlp_malloc(s->max_rows * d * sizeof *s->x + 1);
            s->by = malloc(s->max_rows * sizeof *s->by + 1);
            s->bw = malloc(s->max_rows * sizeof *s->bw + 1);
            s->rc = malloc((d + 1) * sizeof *s->rc);
            s->bad = malloc((d + 1) * sizeof *s->bad);
            s->errs = malloc((d + 1) * sizeof *s->errs);
            if (s->x == NULL || s->by == NULL || s->bw == NULL || s->rc == NULL ||
                s->bad == NULL || s->errs == NULL)
                rc = mlp_error_set(err, MLP_ENOMEM, "out of memory for a block of %zu "
                                   "rows x %zu features", s->max_rows, d);
        }
    }
    if (rc != MLP_OK) {
        mlpi_stream_close(s);
        return rc;
    }
    *out = s;
    return MLP_OK;
}

/* Column j of the current group, decoded into its place in the block,
 * the rows left out (missing label) closed up, every value checked. */
static void read_column(void *arg, size_t j, int worker)
{
    mlpi_stream *s = arg;
    mlp_table *t = NULL;
    double *col = s->x + j * s->max_rows;
    const double *yr = s->y_rows + s->row0[s->b];
    size_t n, m = 0;

    (void)worker;
    s->bad[j] = SIZE_MAX;
    s->rc[j] = mlp_table_file_group_column(s->f, s->b, (size_t)s->idx[j], &t, &s->errs[j]);
    if (s->rc[j] != MLP_OK)
        return;
    n = mlp_table_n_rows(t);
    if (n > s->max_rows) {
        s->rc[j] = mlp_error_set(&s->errs[j], MLP_ECORRUPT, "row group %zu holds %zu rows, "
                                 "its index %zu", s->b, n, s->max_rows);
        mlp_table_free(t);
        return;
    }
    mlp_column_numbers(mlp_table_column(t, 0), 0, n, col);
    mlp_table_free(t);
    for (size_t i = 0; i < n; i++) {
        if (isnan(yr[i]))
            continue;
        if (!isfinite(col[i])) {
            s->rc[j] = mlp_error_set(&s->errs[j], MLP_EINVAL, "feature '%s': %s in row %zu: "
                                     "a trainer needs a finite value in every row (impute "
                                     "or clip it with a transform)", s->features[j],
                                     isnan(col[i]) ? "missing" : "infinite",
                                     s->row0[s->b] + i + 1);
            s->bad[j] = i;
            return;
        }
        col[m++] = col[i];
    }
    if (m != s->kept)
        s->rc[j] = mlp_error_set(&s->errs[j], MLP_ECORRUPT, "feature '%s': row group %zu "
                                 "holds %zu rows, the label column %zu", s->features[j],
                                 s->b, n, s->kept);
}

int mlpi_stream_block(const mlp_fit_spec *spec, size_t b, mlp_rows *rows, size_t *first,
                      mlp_error *err)
{
    mlpi_stream *s = spec->stream;
    size_t m;

    if (s == NULL || b >= s->n_groups)
        return mlp_error_set(err, MLP_EINVAL, "block %zu of %zu", b, s ? s->n_groups : 0);
    s->b = b;
    s->kept = m = (b + 1 < s->n_groups ? s->first[b + 1] : s->n_rows_kept) - s->first[b];
    /* Columns decode independently: as many at once as there are threads. */
    mlp_parallel_for(s->d, spec->threads, read_column, s);
    for (size_t j = 0; j < s->d; j++)
        if (s->rc[j] != MLP_OK) {
            *err = s->errs[j];
            return mlpi_train_name_row(s->ex, s->split,
                                       s->bad[j] == SIZE_MAX ? SIZE_MAX
                                                             : s->row0[b] + s->bad[j], err);
        }
    if (s->d == 0)
        return mlp_error_set(err, MLP_EINVAL, "no features");
    for (size_t i = 0; i < m; i++) {
        s->by[i] = s->y[s->first[b] + i];
        s->bw[i] = s->w ? s->w[s->first[b] + i] : 1.0;
    }
    rows->n_rows = m;
    rows->n_features = s->d;
    rows->x = s->x;
    rows->ld = s->max_rows;
    rows->xf = NULL;
    rows->y = s->by;
    rows->w = s->w ? s->bw : NULL;
    if (first)
        *first = s->first[b];
    return MLP_OK;
}
