/* LF analysis, as Snorkel's LFAnalysis.lf_summary reports it, and the
 * reading of a Labels artifact's votes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "label.h"

void lab_votes_free(lab_votes *lv)
{
    free(lv->v);
    free(lv->gold);
    memset(lv, 0, sizeof *lv);
}

const char **lab_strings(const cJSON *arr, size_t *n)
{
    size_t k = (size_t)cJSON_GetArraySize(arr), i = 0;
    const char **out = calloc(k + 1, sizeof *out);
    const cJSON *e;

    *n = 0;
    if (out == NULL)
        return NULL;
    cJSON_ArrayForEach(e, arr) {
        if (!cJSON_IsString(e)) {
            free(out);
            return NULL;
        }
        out[i++] = e->valuestring;
    }
    *n = k;
    return out;
}

static cJSON *fraction(size_t a, size_t n)
{
    return mlp_json_number(n ? (double)a / (double)n : 0.0);
}

cJSON *lab_analysis(const lab_votes *lv, const char *const *lfs, const char *const *classes,
                    const mlp_lf_result *res)
{
    size_t n = lv->n, m = lv->m, k = lv->k, gold_rows = 0;
    size_t any = 0, overlap = 0, conflict = 0;
    /* Per row: votes cast, and whether they disagree. */
    uint16_t *cast = calloc(n + 1, sizeof *cast);
    uint8_t *split = calloc(n + 1, 1);
    cJSON *o = cJSON_CreateObject(), *arr = cJSON_CreateArray();

    if (cast == NULL || split == NULL || o == NULL || arr == NULL) {
        free(cast);
        free(split);
        cJSON_Delete(o);
        cJSON_Delete(arr);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        int first = MLP_ABSTAIN;
        for (size_t j = 0; j < m; j++) {
            int v = lv->v[j * n + i];
            if (v == MLP_ABSTAIN)
                continue;
            if (cast[i] < UINT16_MAX)
                cast[i]++;
            if (first == MLP_ABSTAIN)
                first = v;
            else if (v != first)
                split[i] = 1;
        }
        any += cast[i] > 0;
        overlap += cast[i] > 1;
        conflict += split[i];
        gold_rows += lv->gold && lv->gold[i] >= 0;
    }
    for (size_t j = 0; j < m; j++) {
        const int16_t *v = lv->v + j * n;
        size_t votes = 0, ov = 0, cf = 0, right = 0, wrong = 0;
        size_t *per = calloc(k, sizeof *per);
        cJSON *e = cJSON_CreateObject(), *pol = cJSON_CreateArray();
        if (per == NULL) {
            /* Never a summary with an LF missing. */
            cJSON_Delete(e);
            cJSON_Delete(pol);
            cJSON_Delete(o);
            cJSON_Delete(arr);
            free(cast);
            free(split);
            return NULL;
        }
        for (size_t i = 0; i < n; i++) {
            if (v[i] == MLP_ABSTAIN)
                continue;
            votes++;
            per[v[i]]++;
            ov += cast[i] > 1;
            /* Conflicts: another LF voted for another class on the row. */
            cf += split[i];
            if (lv->gold && lv->gold[i] >= 0) {
                right += lv->gold[i] == v[i];
                wrong += lv->gold[i] != v[i];
            }
        }
        for (size_t c = 0; c < k; c++)
            if (per[c])
                cJSON_AddItemToArray(pol, cJSON_CreateString(classes[c]));
        cJSON_AddStringToObject(e, "name", lfs[j]);
        cJSON_AddItemToObject(e, "polarity", pol);
        cJSON_AddItemToObject(e, "votes", mlp_json_int((int64_t)votes));
        cJSON_AddItemToObject(e, "coverage", fraction(votes, n));
        cJSON_AddItemToObject(e, "overlaps", fraction(ov, n));
        cJSON_AddItemToObject(e, "conflicts", fraction(cf, n));
        if (lv->gold) {
            cJSON_AddItemToObject(e, "correct", mlp_json_int((int64_t)right));
            cJSON_AddItemToObject(e, "incorrect", mlp_json_int((int64_t)wrong));
            cJSON_AddItemToObject(e, "emp_accuracy", right + wrong
                                  ? mlp_json_number((double)right / (double)(right + wrong))
                                  : cJSON_CreateNull());
        }
        if (res) {
            cJSON_AddItemToObject(e, "errors", mlp_json_int((int64_t)res[j].errors));
            if (res[j].errors) {
                cJSON *f = cJSON_CreateObject();
                cJSON_AddItemToObject(f, "row", mlp_json_int((int64_t)res[j].first_error_row + 1));
                cJSON_AddStringToObject(f, "message", res[j].first_error);
                cJSON_AddItemToObject(e, "first_error", f);
            }
        }
        cJSON_AddItemToArray(arr, e);
        free(per);
    }
    cJSON_AddItemToObject(o, "rows", mlp_json_int((int64_t)n));
    cJSON_AddItemToObject(o, "coverage", fraction(any, n));
    cJSON_AddItemToObject(o, "overlap", fraction(overlap, n));
    cJSON_AddItemToObject(o, "conflict", fraction(conflict, n));
    if (lv->gold)
        cJSON_AddItemToObject(o, "gold_rows", mlp_json_int((int64_t)gold_rows));
    cJSON_AddItemToObject(o, "lfs", arr);
    free(cast);
    free(split);
    return o;
}

int lab_votes_read(const mlp_artifact *labels, const char *split, lab_votes *out,
                   mlp_error *err)
{
    size_t k = 0, m = 0;
    const char **classes = lab_strings(mlp_artifact_property(labels, "classes"), &k);
    const char **lfs = lab_strings(mlp_artifact_property(labels, "lfs"), &m);
    const char *gold = cJSON_GetStringValue(mlp_artifact_property(labels, "gold"));
    char file[300], path[4096];
    mlp_table *t = NULL;
    int rc = MLP_OK;

    memset(out, 0, sizeof *out);
    if (classes == NULL || lfs == NULL || k < 2 || m == 0)
        rc = mlp_error_set(err, MLP_EINVAL, "the Labels at %s name no classes or labeling "
                           "functions", mlp_artifact_uri(labels));
    snprintf(file, sizeof file, "%s.mlpt", split);
    if (rc == MLP_OK)
        rc = mlp_artifact_path(labels, file, path, sizeof path, err);
    if (rc == MLP_OK)
        rc = mlp_table_open(path, &t, err);
    if (rc == MLP_OK) {
        out->n = mlp_table_n_rows(t);
        out->m = m;
        out->k = k;
        out->v = malloc(out->n * m * sizeof *out->v + 1);
        out->gold = gold ? malloc(out->n * sizeof *out->gold + 1) : NULL;
        if (out->v == NULL || (gold && out->gold == NULL))
            rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
    }
    /* Column j is LF j, its levels the classes in order (apply_lfs wrote
     * it so); anything else is another artifact's table. */
    for (size_t j = 0; rc == MLP_OK && j <= m; j++) {
        const char *name = j < m ? lfs[j] : gold ? "#gold" : NULL;
        const mlp_column *c = name ? mlp_table_find(t, name) : NULL;
        int ok = c && c->type == MLP_COL_CATEGORICAL && c->n_levels == k;
        if (name == NULL)
            break;
        for (size_t l = 0; ok && l < k; l++) {
            size_t len;
            const char *s = mlp_column_level(c, l, &len);
            ok = len == strlen(classes[l]) && memcmp(s, classes[l], len) == 0;
        }
        if (!ok) {
            rc = mlp_error_set(err, MLP_EINVAL, "%s: column '%s' is missing or does not "
                               "hold the classes in order", path, name);
            break;
        }
        for (size_t i = 0; i < out->n; i++) {
            if (j < m)
                out->v[j * out->n + i] = (int16_t)(c->codes[i] < 0 ? MLP_ABSTAIN : c->codes[i]);
            else
                out->gold[i] = c->codes[i];
        }
    }
    if (rc != MLP_OK)
        lab_votes_free(out);
    mlp_table_free(t);
    free(classes);
    free(lfs);
    return rc;
}
