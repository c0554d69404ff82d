/* Ingestion of mlpipe table files (format mlpt): the same splits,
 * properties and source lines as for text input.  Each row is hashed over
 * its values (or its key column) for its split; several files must have
 * the same columns and are joined per split. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest.h"

/* The bytes a value contributes to its row's split hash. */
static size_t value_bytes(const mlp_column *c, size_t i, char *buf, size_t cap)
{
    size_t len = 0;
    const char *p = NULL;

    if (c->type != MLP_COL_MATRIX && mlp_column_is_missing(c, i))
        return 0;
    switch (c->type) {
    case MLP_COL_NUMERIC:
        p = (const char *)&c->num[i];
        len = sizeof(double);
        break;
    case MLP_COL_MATRIX:
        p = (const char *)(c->mat + i * c->width);
        len = c->width * sizeof(float);
        break;
    case MLP_COL_CATEGORICAL:
        p = mlp_column_level(c, (size_t)c->codes[i], &len);
        break;
    case MLP_COL_STRING:
        p = mlp_column_string(c, i, &len);
        break;
    }
    if (len > cap)
        len = cap;
    memcpy(buf, p, len);
    return len;
}

/* Appends the split key bytes of row i of t to a growing buffer. */
static int row_key(const job *j, const mlp_table *t, size_t i, char **buf,
                   size_t *cap, size_t *len)
{
    *len = 0;
    for (size_t c = 0; c < mlp_table_n_cols(t); c++) {
        const mlp_column *col = mlp_table_column(t, c);
        size_t need = col->type == MLP_COL_MATRIX ? col->width * sizeof(float) : 4096;
        if (j->key_col >= 0 && (int)c != j->key_col)
            continue;
        if (*cap < *len + need + 1) {
            size_t ncap = (*len + need + 1) * 2;
            char *nb = realloc(*buf, ncap);
            if (nb == NULL)
                return MLP_ENOMEM;
            *buf = nb;
            *cap = ncap;
        }
        *len += value_bytes(col, i, *buf + *len, need);
        (*buf)[(*len)++] = '\x1f';  /* keeps ("ab","c") apart from ("a","bc") */
    }
    return MLP_OK;
}

/* One split of table input: its rows of every file, joined, and the
 * source file and row number of each. */
static int write_table_split(job *j, mlp_table **tabs, size_t s,
                             const uint32_t *rf, const size_t *rr, size_t n,
                             mlp_artifact *out, mlp_error *err)
{
    mlp_table **parts = calloc(j->n_files + 1, sizeof *parts), *joined = NULL;
    mlp_table *lines = NULL;
    size_t *sel = malloc((n ? n : 1) * sizeof *sel);
    double *ln = malloc((n ? n : 1) * sizeof *ln);
    int32_t *fi = malloc((n ? n : 1) * sizeof *fi);
    const char **names = malloc((j->n_files + 1) * sizeof *names);
    char file[128], path[4096];
    int rc = MLP_OK;

    if (!parts || !sel || !ln || !fi || !names) {
        rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
        goto done;
    }
    /* Rows arrive in file order, so each file's rows are one stretch. */
    for (size_t f = 0, k = 0; rc == MLP_OK && f < j->n_files; f++) {
        size_t m = 0;
        names[f] = j->files[f].path;
        while (k < n && rf[k] == f) {
            sel[m++] = rr[k];
            ln[k] = (double)rr[k] + 1;  /* row numbers of the source table */
            fi[k] = (int32_t)f;
            k++;
        }
        rc = mlp_table_select(tabs[f], sel, m, &parts[f], err);
    }
    if (rc == MLP_OK)
        rc = mlp_table_concat((const mlp_table *const *)parts, j->n_files,
                              &joined, err);
    snprintf(file, sizeof file, "%s.mlpt", j->splits[s].name);
    if (rc == MLP_OK)
        rc = mlp_artifact_path(out, file, path, sizeof path, err);
    if (rc == MLP_OK)
        rc = mlp_table_write(joined, path, err);
    lines = rc == MLP_OK ? mlp_table_new(n) : NULL;
    if (rc == MLP_OK && lines == NULL)
        rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
    if (rc == MLP_OK)
        rc = mlp_table_add_categorical(lines, "file", fi, j->n_files, names, err);
    if (rc == MLP_OK)
        rc = mlp_table_add_numeric(lines, "line", ln, NULL, err);
    snprintf(file, sizeof file, "%s.lines.mlpt", j->splits[s].name);
    if (rc == MLP_OK)
        rc = mlp_artifact_path(out, file, path, sizeof path, err);
    if (rc == MLP_OK)
        rc = mlp_table_write(lines, path, err);
done:
    for (size_t f = 0; parts && f < j->n_files; f++)
        mlp_table_free(parts[f]);
    free(parts);
    mlp_table_free(joined);
    mlp_table_free(lines);
    free(sel);
    free(ln);
    free(fi);
    free(names);
    return rc;
}

/* Ingests mlpipe table files: the same splits and properties as for text
 * input, each row hashed over its values (or its key column); the files
 * must have the same columns. */
int table_ingest(mlp_ctx *ctx, job *j, mlp_artifact *out, mlp_error *err)
{
    mlp_table **tabs = calloc(j->n_files + 1, sizeof *tabs);
    const char *key = mlp_ctx_param_string(ctx, "split_key");
    const char *label = mlp_ctx_param_string(ctx, "label");
    uint32_t *rf[MAX_SPLITS] = { NULL };
    size_t *rr[MAX_SPLITS] = { NULL }, nrow[MAX_SPLITS] = { 0 }, total = 0;
    char *scratch = NULL;
    size_t cap = 0;
    int rc = MLP_OK;

    if (tabs == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    for (size_t f = 0; rc == MLP_OK && f < j->n_files; f++) {
        rc = mlp_table_open(j->files[f].path, &tabs[f], err);
        if (rc == MLP_OK)
            total += mlp_table_n_rows(tabs[f]);
    }
    if (rc != MLP_OK)
        goto done;
    const mlp_table *t = tabs[0];
    size_t nc = mlp_table_n_cols(t);
    for (size_t f = 1; f < j->n_files; f++) {
        int same = mlp_table_n_cols(tabs[f]) == nc;
        for (size_t c = 0; same && c < nc; c++) {
            const mlp_column *a = mlp_table_column(t, c), *b = mlp_table_column(tabs[f], c);
            same = strcmp(a->name, b->name) == 0 && a->type == b->type && a->width == b->width;
        }
        if (!same) {
            rc = mlp_error_set(err, MLP_EINVAL, "%s: its columns differ from "
                               "those of %s (names, types and order must "
                               "match)", j->files[f].path, j->files[0].path);
            goto done;
        }
    }
    j->cols = calloc(nc + 1, sizeof *j->cols);
    if (j->cols == NULL) {
        rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
        goto done;
    }
    j->n_cols = nc;
    for (size_t c = 0; c < nc; c++) {
        const mlp_column *col = mlp_table_column(t, c);
        j->cols[c].name = strdup(col->name);
        j->cols[c].numeric = col->type == MLP_COL_NUMERIC;
        j->cols[c].declared = col->type == MLP_COL_CATEGORICAL ? T_CATEGORICAL
                              : col->type == MLP_COL_STRING ? T_STRING : T_NUMERIC;
        j->cols[c].integer = 1;
        for (size_t f = 0; f < j->n_files && col->type == MLP_COL_NUMERIC; f++) {
            const mlp_column *fc = mlp_table_column(tabs[f], c);
            for (size_t i = 0; i < fc->n_rows; i++)
                if (!mlp_column_is_missing(fc, i) && fc->num[i] != floor(fc->num[i]))
                    j->cols[c].integer = 0;
        }
        if (key && strcmp(key, col->name) == 0)
            j->key_col = (int)c;
    }
    if (key && j->key_col < 0) {
        rc = mlp_error_set(err, MLP_EINVAL, "parameter 'split_key': no column "
                           "'%s' in %s", key, j->files[0].path);
        goto done;
    }
    if (label && mlp_table_find(t, label) == NULL) {
        rc = mlp_error_set(err, MLP_EINVAL, "parameter 'label': no column "
                           "'%s' in %s", label, j->files[0].path);
        goto done;
    }
    for (size_t s = 0; s < j->n_splits; s++) {
        rf[s] = malloc((total ? total : 1) * sizeof *rf[s]);
        rr[s] = malloc((total ? total : 1) * sizeof *rr[s]);
        if (rf[s] == NULL || rr[s] == NULL) {
            rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
            goto done;
        }
    }
    for (size_t f = 0; rc == MLP_OK && f < j->n_files; f++)
        for (size_t i = 0; rc == MLP_OK && i < mlp_table_n_rows(tabs[f]); i++) {
            size_t len;
            int sp;
            rc = row_key(j, tabs[f], i, &scratch, &cap, &len);
            if (rc == MLP_OK)
                rc = ingest_split_of(j, scratch ? scratch : "", len, &sp);
            if (rc != MLP_OK) {
                rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
                break;
            }
            rf[sp][nrow[sp]] = (uint32_t)f;
            rr[sp][nrow[sp]++] = i;
            j->splits[sp].rows++;
        }
    for (size_t s = 0; rc == MLP_OK && s < j->n_splits; s++)
        rc = write_table_split(j, tabs, s, rf[s], rr[s], nrow[s], out, err);
done:
    for (size_t s = 0; s < MAX_SPLITS; s++) {
        free(rf[s]);
        free(rr[s]);
    }
    for (size_t f = 0; f < j->n_files; f++)
        mlp_table_free(tabs[f]);
    free(tabs);
    free(scratch);
    return rc;
}

