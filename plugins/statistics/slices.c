/* Sliced statistics, as TFDV's slicing functions give them: the split's
 * rows grouped by the value of a feature (or the pair of values of two),
 * each group described like the split.  A row missing a slicing value is
 * in no slice.  More distinct groups than max_slices is refused: slicing
 * by an id would describe every row on its own. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mlpipe/mlpipe.h>

#include "describe.h"

typedef struct group {
    char *key;
    size_t *rows;
    size_t n, cap;
} group;

/* The value of column c at row i as text (NULL when missing); buf holds
 * numbers. */
static const char *value_text(const mlp_column *c, size_t i, char *buf,
                              size_t n, size_t *len)
{
    if (mlp_column_is_missing(c, i))
        return NULL;
    if (c->type == MLP_COL_CATEGORICAL)
        return mlp_column_level(c, (size_t)c->codes[i], len);
    if (c->type == MLP_COL_STRING)
        return mlp_column_string(c, i, len);
    if (c->ints != NULL)
        snprintf(buf, n, "%lld", (long long)c->ints[i]);
    else
        snprintf(buf, n, "%.17g", c->num[i]);
    *len = strlen(buf);
    return buf;
}

static void free_groups(group *g, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        free(g[k].key);
        free(g[k].rows);
    }
    free(g);
}

/* Groups t's rows by the values of cols[0..nc), in order of first
 * appearance.  Returns the number of groups, or -1 (err set). */
static long group_rows(const mlp_table *t, const mlp_column *const *cols,
                       size_t nc, size_t max, group **out, mlp_error *err)
{
    group *g = NULL;
    size_t ng = 0;

    for (size_t i = 0; i < mlp_table_n_rows(t); i++) {
        char key[1024], num[2][32];
        size_t k = 0, len;
        int missing = 0;
        for (size_t c = 0; c < nc && !missing; c++) {
            const char *v = value_text(cols[c], i, num[c], sizeof num[c], &len);
            if (v == NULL) {
                missing = 1;
                break;
            }
            k += (size_t)snprintf(key + k, k < sizeof key ? sizeof key - k : 0,
                                  "%s%s=%.*s", c ? ", " : "", cols[c]->name,
                                  (int)(len > 200 ? 200 : len), v);
        }
        if (missing)
            continue;
        size_t j;
        for (j = 0; j < ng && strcmp(g[j].key, key) != 0; j++)
            ;
        if (j == ng) {
            if (ng == max) {
                free_groups(g, ng);
                return mlp_error_set(err, MLP_EINVAL, "parameter 'slice_by': "
                                     "more than max_slices (%zu) slices of %s%s%s",
                                     max, cols[0]->name, nc > 1 ? " and " : "",
                                     nc > 1 ? cols[1]->name : ""), -1;
            }
            group *ngp = realloc(g, (ng + 1) * sizeof *g);
            if (ngp == NULL || (ngp[ng].key = strdup(key)) == NULL) {
                free_groups(ngp ? ngp : g, ng);
                return mlp_error_set(err, MLP_ENOMEM, "out of memory"), -1;
            }
            g = ngp;
            g[ng].rows = NULL;
            g[ng].n = g[ng].cap = 0;
            ng++;
        }
        if (g[j].n == g[j].cap) {
            size_t cap = g[j].cap ? g[j].cap * 2 : 64;
            size_t *nr = realloc(g[j].rows, cap * sizeof *nr);
            if (nr == NULL) {
                free_groups(g, ng);
                return mlp_error_set(err, MLP_ENOMEM, "out of memory"), -1;
            }
            g[j].rows = nr;
            g[j].cap = cap;
        }
        g[j].rows[g[j].n++] = i;
    }
    *out = g;
    return (long)ng;
}

/* One slicing spec: a column name or a list of two. */
static int spec_columns(mlp_table *t, const cJSON *spec, const mlp_column **cols,
                        size_t *nc, mlp_error *err)
{
    const cJSON *e;

    *nc = 0;
    if (cJSON_IsString(spec)) {
        cols[(*nc)++] = mlp_table_find(t, spec->valuestring);
    } else if (cJSON_IsArray(spec) && cJSON_GetArraySize(spec) >= 1 &&
               cJSON_GetArraySize(spec) <= 2) {
        cJSON_ArrayForEach(e, spec)
            cols[(*nc)++] = cJSON_IsString(e) ? mlp_table_find(t, e->valuestring) : NULL;
    } else {
        return mlp_error_set(err, MLP_EINVAL, "parameter 'slice_by': each item "
                             "is a column name or a list of two (a crossing)");
    }
    for (size_t k = 0; k < *nc; k++) {
        const cJSON *name = cJSON_IsString(spec) ? spec : cJSON_GetArrayItem(spec, (int)k);
        if (cols[k] == NULL)
            return mlp_error_set(err, MLP_EINVAL, "parameter 'slice_by': no column "
                                 "%s%s%s", cJSON_IsString(name) ? "'" : "",
                                 cJSON_IsString(name) ? name->valuestring : "named",
                                 cJSON_IsString(name) ? "'" : "");
        if (cols[k]->type == MLP_COL_MATRIX)
            return mlp_error_set(err, MLP_EINVAL, "parameter 'slice_by': column "
                                 "'%s' is a matrix", cols[k]->name);
    }
    return MLP_OK;
}

int stats_slices(mlp_ctx *ctx, mlp_table *t, const char **kinds,
                 const stats_opts *opts, const char *weight, int threads,
                 cJSON *split, mlp_error *err)
{
    const cJSON *spec;
    size_t max = (size_t)mlp_ctx_param_int(ctx, "max_slices");
    cJSON *slices = cJSON_AddArrayToObject(split, "slices");
    int rc = MLP_OK;

    /* Rows are copied per slice: every column decoded first. */
    for (size_t c = 0; c < mlp_table_n_cols(t) && rc == MLP_OK; c++)
        rc = mlp_table_decode(t, c, err);
    cJSON_ArrayForEach(spec, mlp_ctx_param(ctx, "slice_by")) {
        const mlp_column *cols[2];
        size_t nc;
        group *g = NULL;
        long ng;
        if (rc != MLP_OK)
            break;
        rc = spec_columns(t, spec, cols, &nc, err);
        if (rc != MLP_OK)
            break;
        ng = group_rows(t, cols, nc, max, &g, err);
        if (ng < 0)
            return err->code;
        for (long k = 0; k < ng && rc == MLP_OK; k++) {
            mlp_table *sub = NULL;
            stats_opts o = *opts;
            cJSON *sl = cJSON_CreateObject(), *feats;
            cJSON_AddStringToObject(sl, "name", g[k].key);
            cJSON_AddNumberToObject(sl, "num_examples", (double)g[k].n);
            feats = cJSON_AddArrayToObject(sl, "features");
            cJSON_AddItemToArray(slices, sl);
            rc = mlp_table_select(t, g[k].rows, g[k].n, &sub, err);
            if (rc == MLP_OK && weight != NULL)
                o.weights = mlp_table_find(sub, weight)->num;
            if (rc == MLP_OK)
                rc = stats_describe(ctx, sub, kinds, &o, threads, feats, err);
            mlp_table_free(sub);
        }
        free_groups(g, (size_t)ng);
    }
    return rc;
}
