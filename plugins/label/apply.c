/* apply_lfs: labeling functions over every row of every split, into a
 * Labels artifact (one categorical column per LF, missing = abstain),
 * with the LF analysis of each split. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "label.h"

/* The class index of each row's gold label (-1 where missing): a
 * categorical level or an integer, matched to the classes by its text. */
static int read_gold(const mlp_artifact *ex, const char *split, const mlp_table *t,
                     const char *gold, const char *const *classes, size_t k, int32_t *out,
                     mlp_error *err)
{
    const mlp_column *g = mlp_table_find(t, gold);
    mlp_classes cl;
    int32_t *map;
    int rc;

    if (g == NULL)
        return mlp_error_set(err, MLP_EINVAL, "gold: split '%s' has no column '%s'", split,
                             gold);
    rc = mlp_classes_read(g, NULL, 0, 100000, &cl, err);
    if (rc != MLP_OK) {
        char why[sizeof err->msg];
        snprintf(why, sizeof why, "%s", err->msg);
        return mlp_error_set(err, rc, "gold '%s' in split '%s': %s", gold, split, why);
    }
    map = malloc((cl.n_classes + 1) * sizeof *map);
    rc = map ? MLP_OK : mlp_error_set(err, MLP_ENOMEM, "out of memory");
    for (size_t c = 0; rc == MLP_OK && c < cl.n_classes; c++) {
        char name[256];
        mlp_class_name(cJSON_GetArrayItem(cl.names, (int)c), name, sizeof name);
        map[c] = -1;
        for (size_t l = 0; l < k; l++)
            if (strcmp(name, classes[l]) == 0)
                map[c] = (int32_t)l;
        if (map[c] < 0 && cl.count[c] > 0) {
            size_t row = 0;
            while (cl.of[row] != (int32_t)c)
                row++;
            char at[400] = "";
            mlp_error e2;
            if (mlp_examples_source(ex, split, row, at, sizeof at, &e2) != MLP_OK)
                at[0] = '\0';
            rc = mlp_error_set(err, MLP_EINVAL, "gold '%s' is '%s' in split '%s' row %zu%s%s%s, "
                               "which is not one of the classes", gold, name, split,
                               row + 1, at[0] ? " (" : "", at, at[0] ? ")" : "");
        }
    }
    for (size_t i = 0; rc == MLP_OK && i < mlp_table_n_rows(t); i++)
        out[i] = cl.of[i] < 0 ? -1 : map[cl.of[i]];
    free(map);
    mlp_classes_free(&cl);
    return rc;
}

static int write_votes(mlp_artifact *out, const char *split, const lab_votes *lv,
                       const char *const *lfs, const char *const *classes, mlp_error *err)
{
    mlp_table *t = mlp_table_new(lv->n);
    int32_t *codes = malloc(lv->n * sizeof *codes + 1);
    char file[300], path[4096];
    int rc = t && codes ? MLP_OK : mlp_error_set(err, MLP_ENOMEM, "out of memory");

    for (size_t j = 0; rc == MLP_OK && j < lv->m; j++) {
        for (size_t i = 0; i < lv->n; i++)
            codes[i] = lv->v[j * lv->n + i];
        rc = mlp_table_add_categorical(t, lfs[j], codes, lv->k, classes, err);
    }
    /* '#' is in no LF's name, so the gold column cannot take one's place. */
    if (rc == MLP_OK && lv->gold)
        rc = mlp_table_add_categorical(t, "#gold", lv->gold, lv->k, classes, err);
    snprintf(file, sizeof file, "%s.mlpt", split);
    if (rc == MLP_OK)
        rc = mlp_artifact_path(out, file, path, sizeof path, err);
    if (rc == MLP_OK)
        rc = mlp_table_write(t, path, err);
    free(codes);
    mlp_table_free(t);
    return rc;
}

/* One split: apply, analyse, write.  The analysis goes into `analysis`. */
static int label_split(mlp_ctx *ctx, const mlp_artifact *ex, mlp_artifact *out,
                       const char *split, const char **lfs, size_t m, const char **classes,
                       size_t k, cJSON *analysis, mlp_error *err)
{
    const char *gold = mlp_ctx_param_string(ctx, "gold");
    mlp_lf_options o = { (int)mlp_ctx_param_int(ctx, "threads"),
                         strcmp(mlp_ctx_param_string(ctx, "on_error"), "abstain") == 0
                         ? MLP_LF_ERRORS_ABSTAIN : MLP_LF_ERRORS_FAIL };
    mlp_lf_result *res = calloc(m, sizeof *res);
    mlp_table *t = NULL;
    lab_votes lv = { 0, m, k, NULL, NULL };
    size_t bad_row, bad_lf;
    int rc = res ? MLP_OK : mlp_error_set(err, MLP_ENOMEM, "out of memory");

    if (rc == MLP_OK)
        rc = mlp_examples_read(ex, split, &t, err);
    if (rc == MLP_OK) {
        lv.n = mlp_table_n_rows(t);
        lv.v = malloc(lv.n * m * sizeof *lv.v + 1);
        lv.gold = gold ? malloc(lv.n * sizeof *lv.gold + 1) : NULL;
        if (lv.v == NULL || (gold && lv.gold == NULL))
            rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
    }
    if (rc == MLP_OK && gold)
        rc = read_gold(ex, split, t, gold, classes, k, lv.gold, err);
    if (rc == MLP_OK) {
        mlp_ctx_log(ctx, MLP_LOG_INFO, "split '%s': %zu labeling functions on %zu rows", split,
                    m, lv.n);
        rc = mlp_lf_apply(ctx, lfs, m, t, classes, k, &o, lv.v, res, &bad_row, &bad_lf, err);
        if (rc != MLP_OK && rc != MLP_ECANCELED) {
            char why[sizeof err->msg], at[400] = "";
            mlp_error e2;
            snprintf(why, sizeof why, "%s", err->msg);
            if (bad_row != SIZE_MAX &&
                mlp_examples_source(ex, split, bad_row, at, sizeof at, &e2) != MLP_OK)
                at[0] = '\0';
            mlp_error_set(err, rc, "split '%s': %s%s%s%s", split, why, at[0] ? " (row from " : "",
                          at, at[0] ? ")" : "");
        }
    }
    for (size_t j = 0; rc == MLP_OK && j < m; j++)
        if (res[j].errors)
            mlp_ctx_log(ctx, MLP_LOG_WARN, "split '%s': labeling function '%s' raised an error "
                        "on %zu row%s, counted as abstaining; the first, row %zu: %s",
                        split, lfs[j], res[j].errors, res[j].errors == 1 ? "" : "s",
                        res[j].first_error_row + 1, res[j].first_error);
    if (rc == MLP_OK)
        rc = write_votes(out, split, &lv, lfs, classes, err);
    if (rc == MLP_OK) {
        cJSON *a = lab_analysis(&lv, lfs, classes, res);
        rc = a ? MLP_OK : mlp_error_set(err, MLP_ENOMEM, "out of memory");
        cJSON_AddItemToObject(analysis, split, a);
    }
    lab_votes_free(&lv);
    mlp_table_free(t);
    free(res);
    return rc;
}

int lab_apply_run(mlp_ctx *ctx)
{
    const mlp_artifact *ex = mlp_ctx_input(ctx, "examples", 0);
    mlp_artifact *out = mlp_ctx_output(ctx, "labels");
    size_t m = mlp_ctx_param_len(ctx, "lfs"), k = mlp_ctx_param_len(ctx, "classes");
    const char **lfs = calloc(m + 1, sizeof *lfs), **classes = calloc(k + 1, sizeof *classes);
    cJSON *analysis = cJSON_CreateObject(), *splits = cJSON_CreateArray(),
          *rows = cJSON_CreateObject(), *info = cJSON_CreateArray();
    const char *gold = mlp_ctx_param_string(ctx, "gold");
    mlp_error err;
    int rc = MLP_OK;

    mlp_error_clear(&err);
    if (lfs == NULL || classes == NULL || analysis == NULL || splits == NULL || rows == NULL ||
        info == NULL)
        rc = mlp_error_set(&err, MLP_ENOMEM, "out of memory");
    for (size_t j = 0; rc == MLP_OK && j < m; j++)
        lfs[j] = mlp_ctx_param_string_at(ctx, "lfs", j);
    for (size_t c = 0; rc == MLP_OK && c < k; c++) {
        classes[c] = mlp_ctx_param_string_at(ctx, "classes", c);
        for (size_t d = 0; d < c; d++)
            if (strcmp(classes[c], classes[d]) == 0)
                rc = mlp_error_set(&err, MLP_EINVAL, "classes: '%s' is listed twice",
                                   classes[c]);
        if (rc == MLP_OK && classes[c][0] == '\0')
            rc = mlp_error_set(&err, MLP_EINVAL, "classes: a class name is empty");
    }
    if (rc == MLP_OK && k < 2)
        rc = mlp_error_set(&err, MLP_EINVAL, "classes: at least 2 are needed, got %zu", k);
    if (rc == MLP_OK && m == 0)
        rc = mlp_error_set(&err, MLP_EINVAL, "lfs: name at least one labeling function");
    for (size_t i = 0; rc == MLP_OK && i < mlp_ctx_param_len(ctx, "splits"); i++) {
        const char *s = mlp_ctx_param_string_at(ctx, "splits", i);
        if (!mlp_examples_has_split(ex, s))
            rc = mlp_error_set(&err, MLP_EINVAL, "splits: the Examples have no split '%s'", s);
    }
    for (size_t i = 0; rc == MLP_OK && i < mlp_examples_split_count(ex); i++) {
        const char *s = mlp_examples_split(ex, i);
        if (mlp_ctx_param_len(ctx, "splits") > 0 && !mlp_ctx_param_contains(ctx, "splits", s))
            continue;
        rc = label_split(ctx, ex, out, s, lfs, m, classes, k, analysis, &err);
        if (rc == MLP_OK) {
            cJSON_AddItemToArray(splits, cJSON_CreateString(s));
            cJSON_AddItemToObject(rows, s, mlp_json_int(mlp_json_num(
                cJSON_GetObjectItem(analysis, s), "rows")));
        }
    }
    for (size_t j = 0; rc == MLP_OK && j < m; j++) {
        cJSON *e = cJSON_CreateObject();
        const char *where = mlp_lf_where(ctx, lfs[j]);
        cJSON_AddStringToObject(e, "name", lfs[j]);
        cJSON_AddStringToObject(e, "defined_at", where ? where : "?");
        cJSON_AddItemToArray(info, e);
    }
    if (rc == MLP_OK) {
        cJSON *names = cJSON_CreateArray(), *cls = cJSON_CreateArray();
        for (size_t j = 0; j < m; j++)
            cJSON_AddItemToArray(names, cJSON_CreateString(lfs[j]));
        for (size_t c = 0; c < k; c++)
            cJSON_AddItemToArray(cls, cJSON_CreateString(classes[c]));
        mlp_artifact_set_property(out, "splits", splits, &err);
        mlp_artifact_set_property(out, "rows", rows, &err);
        mlp_artifact_set_property(out, "classes", cls, &err);
        mlp_artifact_set_property(out, "lfs", names, &err);
        mlp_artifact_set_property(out, "lf_sources", info, &err);
        mlp_artifact_set_property(out, "analysis", analysis, &err);
        mlp_artifact_set_property(out, "examples", mlp_json_int(mlp_artifact_id(ex)), &err);
        mlp_artifact_set_property(out, "gold", gold ? cJSON_CreateString(gold)
                                                    : cJSON_CreateNull(), &err);
        mlp_artifact_set_property(out, "on_error", cJSON_CreateString(
                                  mlp_ctx_param_string(ctx, "on_error")), &err);
        splits = rows = analysis = info = NULL;
        rc = err.code;
    }
    cJSON_Delete(splits);
    cJSON_Delete(rows);
    cJSON_Delete(analysis);
    cJSON_Delete(info);
    free(lfs);
    free(classes);
    return rc == MLP_OK ? MLP_OK : mlp_ctx_fail_error(ctx, &err);
}
