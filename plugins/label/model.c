/* label_model: the votes of a Labels artifact turned into labels of the
 * Examples they were cast on, by majority vote or by the Dawid-Skene
 * model (ds.c), fitted on one split and applied to the splits asked for.
 *
 * The labelled splits get the label column (the most probable class) and
 * a matrix column `<label>_proba` of the class probabilities (soft
 * targets); rows no LF voted on are dropped or kept unlabelled.  The
 * other splits pass through as they were, so evaluation rows keep their
 * real labels.  A LabelModel artifact records what was learned. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "label.h"

typedef struct lm {
    mlp_ctx *ctx;
    const mlp_artifact *labels, *ex;
    const char **classes, **lfs;
    size_t k, m;
    int majority, tie_random, drop;
    uint64_t seed;
    const char *label;
    const char *old_label;     /* the Examples' label when it is another
                                  column: dropped from labelled splits */
    lab_fit fit;
    double *prior_given;
    cJSON *per_split;          /* split -> counts */
    cJSON *gold;               /* split -> accuracies on gold rows */
} lm;

static int probabilities(const lm *s, const lab_votes *lv, double *proba, mlp_error *err)
{
    if (!s->majority)
        return lab_ds_predict(&s->fit, lv, proba, err);
    lab_majority(lv, proba);
    return MLP_OK;
}

static cJSON *ratio(size_t a, size_t b)
{
    return b ? mlp_json_number((double)a / (double)b) : cJSON_CreateNull();
}

/* Against the gold labels: this model's accuracy on the gold rows it
 * labelled, and majority vote's (ties drawn at random, seeded) on every
 * gold row some LF voted on: what a user compares before trusting the
 * labels. */
static int score_gold(lm *s, const char *split, const lab_votes *lv, const int32_t *label,
                      mlp_error *err)
{
    size_t n = lv->n, rows = 0, right = 0, covered = 0, mv_right = 0, k = lv->k;
    double *mvp = malloc((n + 1) * k * sizeof *mvp);
    int32_t *mv = malloc((n + 1) * sizeof *mv);
    cJSON *o;

    if (mvp == NULL || mv == NULL) {
        free(mvp);
        free(mv);
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    }
    lab_majority(lv, mvp);
    lab_argmax(lv, mvp, 1, s->seed, mv);
    for (size_t i = 0; i < n; i++) {
        if (lv->gold[i] < 0)
            continue;
        rows += label[i] != MLP_ABSTAIN;
        right += label[i] != MLP_ABSTAIN && label[i] == lv->gold[i];
        covered += mv[i] != MLP_ABSTAIN;
        mv_right += mv[i] != MLP_ABSTAIN && mv[i] == lv->gold[i];
    }
    o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "rows", mlp_json_int((int64_t)rows));
    cJSON_AddItemToObject(o, "accuracy", ratio(right, rows));
    cJSON_AddItemToObject(o, "covered_rows", mlp_json_int((int64_t)covered));
    cJSON_AddItemToObject(o, "majority_accuracy", ratio(mv_right, covered));
    cJSON_AddItemToObject(s->gold, split, o);
    free(mvp);
    free(mv);
    return MLP_OK;
}

/* One labelled split: its votes to labels, its rows (less the dropped
 * ones) with the label and probability columns, and its source lines. */
static int label_split(lm *s, mlp_artifact *out, const char *split, cJSON *rows_prop,
                       mlp_table **described, mlp_error *err)
{
    lab_votes lv;
    mlp_table *t = NULL;
    double *proba = NULL;
    int32_t *label = NULL;
    size_t *keep = NULL, nk = 0, uncovered = 0, ties = 0;
    int rc = lab_votes_read(s->labels, split, &lv, err);

    if (rc == MLP_OK)
        rc = mlp_examples_read(s->ex, split, &t, err);
    if (rc == MLP_OK && mlp_table_n_rows(t) != lv.n)
        rc = mlp_error_set(err, MLP_EINVAL, "split '%s': the Labels hold %zu rows, the "
                           "Examples %zu: they were not cast on these Examples", split, lv.n,
                           mlp_table_n_rows(t));
    if (rc == MLP_OK) {
        proba = malloc((lv.n + 1) * s->k * sizeof *proba);
        label = malloc((lv.n + 1) * sizeof *label);
        keep = malloc((lv.n + 1) * sizeof *keep);
        if (proba == NULL || label == NULL || keep == NULL)
            rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
    }
    if (rc == MLP_OK)
        rc = probabilities(s, &lv, proba, err);
    if (rc == MLP_OK) {
        lab_argmax(&lv, proba, s->tie_random, s->seed, label);
        for (size_t i = 0; i < lv.n; i++) {
            int voted = 0;
            for (size_t j = 0; j < lv.m && !voted; j++)
                voted = lv.v[j * lv.n + i] != MLP_ABSTAIN;
            uncovered += !voted;
            /* Tied rows, whether dropped or drawn (tie_break). */
            if (voted) {
                const double *pr = proba + i * s->k;
                size_t top = 0, eq = 0;
                for (size_t c = 1; c < s->k; c++)
                    if (pr[c] > pr[top])
                        top = c;
                for (size_t c = 0; c < s->k; c++)
                    eq += pr[c] == pr[top];
                ties += eq > 1;
            }
            if (label[i] != MLP_ABSTAIN || !s->drop)
                keep[nk++] = i;
        }
        if (lv.gold)
            rc = score_gold(s, split, &lv, label, err);
    }
    if (rc == MLP_OK) {
        /* Rows left unlabelled (kept) carry no probabilities. */
        for (size_t i = 0; i < lv.n; i++)
            if (label[i] == MLP_ABSTAIN)
                for (size_t c = 0; c < s->k; c++)
                    proba[i * s->k + c] = NAN;
        lab_out o = { s->label, s->old_label, s->classes, s->k, label, proba };
        rc = lab_write_split(out, s->ex, split, t, &o, keep, nk, described, err);
    }
    if (rc == MLP_OK) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddItemToObject(o, "rows", mlp_json_int((int64_t)lv.n));
        size_t unlabelled = uncovered + (s->tie_random ? 0 : ties);
        cJSON_AddItemToObject(o, "labelled", mlp_json_int((int64_t)(lv.n - unlabelled)));
        cJSON_AddItemToObject(o, "uncovered", mlp_json_int((int64_t)uncovered));
        cJSON_AddItemToObject(o, "ties", mlp_json_int((int64_t)ties));
        cJSON_AddStringToObject(o, "ties_were", s->tie_random ? "drawn" : "left unlabelled");
        cJSON_AddItemToObject(o, s->drop ? "dropped" : "kept_unlabelled",
                              mlp_json_int((int64_t)unlabelled));
        cJSON_AddItemToObject(s->per_split, split, o);
        cJSON_ReplaceItemInObject(rows_prop, split, mlp_json_int((int64_t)nk));
        mlp_ctx_log(s->ctx, MLP_LOG_INFO, "split '%s': %zu of %zu rows labelled (%zu without "
                    "a vote, %zu tied, %s)", split, lv.n - unlabelled, lv.n, uncovered, ties,
                    s->tie_random ? "drawn" : "left unlabelled");
    }
    lab_votes_free(&lv);
    free(proba);
    free(label);
    free(keep);
    mlp_table_free(t);
    return rc;
}

static int given_prior(lm *s, mlp_error *err)
{
    const cJSON *cb = mlp_ctx_param(s->ctx, "class_balance"), *e;
    double sum = 0;

    if (cJSON_GetArraySize(cb) == 0)
        return MLP_OK;
    s->prior_given = calloc(s->k, sizeof *s->prior_given);
    if (s->prior_given == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    cJSON_ArrayForEach(e, cb) {
        size_t c = 0;
        while (c < s->k && strcmp(s->classes[c], e->string) != 0)
            c++;
        if (c == s->k)
            return mlp_error_set(err, MLP_EINVAL, "class_balance: '%s' is not one of the "
                                 "Labels' classes", e->string);
        s->prior_given[c] = e->valuedouble;
        sum += e->valuedouble;
    }
    for (size_t c = 0; c < s->k; c++) {
        if (s->prior_given[c] <= 0)
            return mlp_error_set(err, MLP_EINVAL, "class_balance: class '%s' needs a share "
                                 "above 0", s->classes[c]);
        s->prior_given[c] /= sum;
    }
    return MLP_OK;
}

static cJSON *numbers(const double *v, size_t n)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < n; i++)
        cJSON_AddItemToArray(a, mlp_json_number(v[i]));
    return a;
}

/* model.json and the LabelModel's properties. */
static int write_model(lm *s, mlp_artifact *out, const char *fit_split, mlp_error *err)
{
    cJSON *doc = cJSON_CreateObject(), *acc = cJSON_CreateObject();
    cJSON *cls = cJSON_CreateArray(), *lfs = cJSON_CreateArray();
    int rc;

    for (size_t c = 0; c < s->k; c++)
        cJSON_AddItemToArray(cls, cJSON_CreateString(s->classes[c]));
    for (size_t j = 0; j < s->m; j++)
        cJSON_AddItemToArray(lfs, cJSON_CreateString(s->lfs[j]));
    cJSON_AddStringToObject(doc, "method", s->majority ? "majority" : "dawid_skene");
    cJSON_AddItemToObject(doc, "classes", cJSON_Duplicate(cls, 1));
    cJSON_AddItemToObject(doc, "lfs", cJSON_Duplicate(lfs, 1));
    if (!s->majority) {
        double *a = malloc((s->m + 1) * sizeof *a);
        cJSON *theta = cJSON_CreateArray();
        if (a != NULL) {
            lab_ds_accuracies(&s->fit, a);
            for (size_t j = 0; j < s->m; j++)
                cJSON_AddItemToObject(acc, s->lfs[j], mlp_json_number(a[j]));
        }
        free(a);
        for (size_t j = 0; j < s->m; j++) {
            cJSON *rows = cJSON_CreateArray();
            for (size_t c = 0; c < s->k; c++)
                cJSON_AddItemToArray(rows, numbers(s->fit.theta + (j * s->k + c) * (s->k + 1),
                                                   s->k + 1));
            cJSON_AddItemToArray(theta, rows);
        }
        cJSON_AddStringToObject(doc, "fit_split", fit_split);
        cJSON_AddItemToObject(doc, "class_balance", numbers(s->fit.prior, s->k));
        cJSON_AddBoolToObject(doc, "class_balance_given", s->prior_given != NULL);
        /* theta[j][c][v]: P(LF j votes v | class c); v = k is abstaining. */
        cJSON_AddItemToObject(doc, "theta", theta);
        cJSON_AddItemToObject(doc, "iterations", mlp_json_int((int64_t)s->fit.iterations));
        cJSON_AddBoolToObject(doc, "converged", s->fit.converged);
        cJSON_AddItemToObject(doc, "log_likelihood", mlp_json_number(s->fit.log_lik));
    }
    cJSON_AddItemToObject(doc, "accuracies", cJSON_Duplicate(acc, 1));
    rc = mlp_artifact_write_json(out, "model.json", doc, err);
    cJSON_Delete(doc);
    if (rc == MLP_OK) {
        mlp_artifact_set_property(out, "method", cJSON_CreateString(
                                  s->majority ? "majority" : "dawid_skene"), err);
        mlp_artifact_set_property(out, "classes", cls, err);
        mlp_artifact_set_property(out, "lfs", lfs, err);
        mlp_artifact_set_property(out, "accuracies", acc, err);
        mlp_artifact_set_property(out, "class_balance", s->majority ? cJSON_CreateNull()
                                  : numbers(s->fit.prior, s->k), err);
        mlp_artifact_set_property(out, "splits", cJSON_Duplicate(s->per_split, 1), err);
        mlp_artifact_set_property(out, "gold", cJSON_Duplicate(s->gold, 1), err);
        if (!s->majority) {
            mlp_artifact_set_property(out, "iterations", mlp_json_int((int64_t)s->fit.iterations),
                                      err);
            mlp_artifact_set_property(out, "converged", cJSON_CreateBool(s->fit.converged), err);
        }
        return err->code;
    }
    cJSON_Delete(cls);
    cJSON_Delete(lfs);
    cJSON_Delete(acc);
    return rc;
}

int lab_model_run(mlp_ctx *ctx)
{
    lm s;
    mlp_artifact *out = mlp_ctx_output(ctx, "examples");
    mlp_artifact *mout = mlp_ctx_output(ctx, "label_model");
    const char *fit_split = mlp_ctx_param_string(ctx, "fit_split");
    cJSON *rows = NULL;
    mlp_table *described = NULL;
    mlp_error err;
    int rc = MLP_OK;

    memset(&s, 0, sizeof s);
    mlp_error_clear(&err);
    s.ctx = ctx;
    s.labels = mlp_ctx_input(ctx, "labels", 0);
    s.ex = mlp_ctx_input(ctx, "examples", 0);
    s.majority = strcmp(mlp_ctx_param_string(ctx, "method"), "majority") == 0;
    s.tie_random = strcmp(mlp_ctx_param_string(ctx, "tie_break"), "random") == 0;
    s.drop = strcmp(mlp_ctx_param_string(ctx, "uncovered"), "drop") == 0;
    s.seed = (uint64_t)mlp_ctx_param_int(ctx, "seed");
    s.label = mlp_ctx_param_string(ctx, "label");
    if (s.label == NULL)
        s.label = cJSON_GetStringValue(mlp_artifact_property(s.ex, "label"));
    if (s.label == NULL)
        s.label = "label";
    s.old_label = cJSON_GetStringValue(mlp_artifact_property(s.ex, "label"));
    if (s.old_label && strcmp(s.old_label, s.label) == 0)
        s.old_label = NULL;
    /* The label written must be the label or a new column: never a
     * feature overwritten in the labelled splits only. */
    const char *ex_label = cJSON_GetStringValue(mlp_artifact_property(s.ex, "label"));
    const cJSON *col;
    cJSON_ArrayForEach(col, mlp_artifact_property(s.ex, "columns"))
        if (rc == MLP_OK && strcmp(mlp_json_str(col, "name"), s.label) == 0 &&
            (ex_label == NULL || strcmp(ex_label, s.label) != 0))
            rc = mlp_error_set(&err, MLP_EINVAL, "label: '%s' is a column of the Examples "
                               "that is not their label; name a new column%s%s%s", s.label,
                               ex_label ? " (or the label, '" : "", ex_label ? ex_label : "",
                               ex_label ? "')" : "");
    if (rc == MLP_OK && s.label[0] == '\0')
        rc = mlp_error_set(&err, MLP_EINVAL, "label: the name is empty");
    s.classes = lab_strings(mlp_artifact_property(s.labels, "classes"), &s.k);
    s.lfs = lab_strings(mlp_artifact_property(s.labels, "lfs"), &s.m);
    s.per_split = cJSON_CreateObject();
    s.gold = cJSON_CreateObject();
    rows = cJSON_Duplicate(mlp_artifact_property(s.ex, "rows"), 1);
    if (s.classes == NULL || s.lfs == NULL || s.k < 2 || s.m == 0)
        rc = mlp_error_set(&err, MLP_EINVAL, "the Labels at %s name no classes or labeling "
                           "functions", mlp_artifact_uri(s.labels));
    if (rc == MLP_OK && mlp_json_num(mlp_artifact_properties(s.labels), "examples") !=
        (double)mlp_artifact_id(s.ex))
        rc = mlp_error_set(&err, MLP_EINVAL, "the Labels were cast on Examples %.0f, not on "
                           "these (%lld): wire the Examples apply_lfs read",
                           mlp_json_num(mlp_artifact_properties(s.labels), "examples"),
                           (long long)mlp_artifact_id(s.ex));
    if (rc == MLP_OK && s.majority && cJSON_GetArraySize(mlp_ctx_param(ctx, "class_balance")))
        rc = mlp_error_set(&err, MLP_EINVAL, "class_balance: majority vote takes no class "
                           "balance (it is dawid_skene's prior)");
    if (rc == MLP_OK)
        rc = given_prior(&s, &err);
    /* Every split asked for must have votes. */
    const cJSON *lsplits = mlp_artifact_property(s.labels, "splits"), *e;
    for (size_t i = 0; rc == MLP_OK && i < mlp_ctx_param_len(ctx, "label_splits"); i++) {
        const char *sp = mlp_ctx_param_string_at(ctx, "label_splits", i);
        int found = 0;
        cJSON_ArrayForEach(e, lsplits)
            found |= cJSON_IsString(e) && strcmp(e->valuestring, sp) == 0;
        if (!found || !mlp_examples_has_split(s.ex, sp))
            rc = mlp_error_set(&err, MLP_EINVAL, "label_splits: '%s' is not a split of %s",
                               sp, found ? "the Examples" : "the Labels (apply_lfs did not "
                               "label it)");
    }
    if (rc == MLP_OK && !s.majority) {
        lab_votes lv;
        int found = 0;
        cJSON_ArrayForEach(e, lsplits)
            found |= cJSON_IsString(e) && strcmp(e->valuestring, fit_split) == 0;
        rc = found ? lab_votes_read(s.labels, fit_split, &lv, &err)
                   : mlp_error_set(&err, MLP_EINVAL, "fit_split: the Labels have no split "
                                   "'%s'", fit_split);
        int read = rc == MLP_OK;
        if (rc == MLP_OK && lv.n == 0)
            rc = mlp_error_set(&err, MLP_EINVAL, "fit_split '%s' has no rows: nothing to learn "
                               "the LFs' accuracies from", fit_split);
        if (rc == MLP_OK)
            rc = lab_ds_fit(&lv, s.prior_given, (size_t)mlp_ctx_param_int(ctx, "max_iter"),
                            mlp_ctx_param_float(ctx, "tol"),
                            mlp_ctx_param_float(ctx, "smoothing"), &s.fit, &err);
        if (read)
            lab_votes_free(&lv);
        if (rc == MLP_OK)
            mlp_ctx_log(ctx, MLP_LOG_INFO, "Dawid-Skene on split '%s': %zu iterations%s, "
                        "log-likelihood %.6g per row", fit_split, s.fit.iterations,
                        s.fit.converged ? "" : " (not converged)", s.fit.log_lik);
    }
    for (size_t i = 0; rc == MLP_OK && i < mlp_examples_split_count(s.ex); i++) {
        const char *sp = mlp_examples_split(s.ex, i);
        rc = mlp_ctx_param_contains(ctx, "label_splits", sp)
             ? label_split(&s, out, sp, rows, &described, &err)
             : lab_copy_split(out, s.ex, sp, &err);
    }
    if (rc == MLP_OK && described == NULL)
        rc = mlp_error_set(&err, MLP_EINVAL, "label_splits: name at least one split to label");
    if (rc == MLP_OK) {
        rc = lab_finish_examples(out, s.ex, described, rows, s.label,
                                 mlp_artifact_property(s.labels, "classes"), &err);
        rows = NULL;
    }
    if (rc == MLP_OK)
        rc = write_model(&s, mout, fit_split, &err);
    cJSON_Delete(rows);
    cJSON_Delete(s.per_split);
    cJSON_Delete(s.gold);
    mlp_table_free(described);
    lab_fit_free(&s.fit);
    free(s.prior_given);
    free(s.classes);
    free(s.lfs);
    return rc == MLP_OK ? MLP_OK : mlp_ctx_fail_error(ctx, &err);
}
