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
    size_t max_rows;
    double *x, *by, *bw;   /* the block */
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
            if (s->x == NULL || s->by == NULL || s->bw == NULL)
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

int mlpi_stream_block(const mlp_fit_spec *spec, size_t b, mlp_rows *rows, size_t *first,
                      mlp_error *err)
{
    mlpi_stream *s = spec->stream;
    size_t n = 0, m = 0;
    int rc = MLP_OK;

    if (s == NULL || b >= s->n_groups)
        return mlp_error_set(err, MLP_EINVAL, "block %zu of %zu", b, s ? s->n_groups : 0);
    const double *yr = s->y_rows + s->row0[b];
    for (size_t j = 0; rc == MLP_OK && j < s->d; j++) {
        mlp_table *t = NULL;
        rc = mlp_table_file_group_column(s->f, b, (size_t)s->idx[j], &t, err);
        if (rc != MLP_OK)
            return mlpi_train_name_row(s->ex, s->split, SIZE_MAX, err);
        const mlp_column *c = mlp_table_column(t, 0);
        n = mlp_table_n_rows(t);
        m = 0;
        for (size_t i = 0; i < n; i++) {
            if (isnan(yr[i]))
                continue;   /* left out: its label is missing */
            double v = mlp_column_number(c, i);
            if (!isfinite(v)) {
                mlp_error_set(err, MLP_EINVAL, "feature '%s': %s in row %zu: a trainer "
                              "needs a finite value in every row (impute or clip it with a "
                              "transform)", s->features[j], isnan(v) ? "missing" : "infinite",
                              s->row0[b] + i + 1);
                rc = mlpi_train_name_row(s->ex, s->split, s->row0[b] + i, err);
                break;
            }
            s->x[j * s->max_rows + m++] = v;
        }
        mlp_table_free(t);
    }
    if (rc != MLP_OK)
        return rc;
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
