/* select_by_model: model-based feature selection around any trainer of
 * the registry (mlpipe/fitter.h), as scikit-learn's RFE / RFECV,
 * SequentialFeatureSelector and SelectFromModel do it:
 *
 *   rfe         fit, drop the `step` least important features, repeat
 *               until k are left; without k, k is the count whose
 *               cross-validated score was best (RFECV);
 *   forward     add, one at a time, the feature whose cross-validated
 *               score with those already chosen is best;
 *   backward    remove, one at a time, the feature whose removal leaves
 *               the best cross-validated score;
 *   from_model  fit once, keep the features whose importance is above a
 *               threshold (embedded selection: an L1 model's non-zero
 *               coefficients).
 *
 * Folds are scikit-learn's unshuffled (stratified) k-fold, so the same
 * rows in the same order give the same choices.  The FeatureSelection it
 * writes has the filter selectors' form. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mlpipe/fitter.h>

#include "fsel.h"

static const char *const methods[] = { "rfe", "forward", "backward", "from_model", NULL };
static const char *const scorings[] = { "auto", "accuracy", "log_loss", "r2", "mse", NULL };

typedef struct msel {
    mlp_ctx *ctx;
    mlp_fitter *f;
    size_t n, d;               /* rows, candidate features */
    size_t folds;
    size_t *fold;              /* row -> fold */
    size_t **train, **test;    /* per fold: row indexes */
    size_t *n_train, *n_test;
    mlp_fit_scoring scoring;
    const char *scoring_name;
    size_t fits, fits_total;   /* progress */
    /* Per feature: */
    double *score;             /* importance, or the cv score that decided */
    size_t *rank;              /* 0: none */
    int *kept;
    char (*reason)[200];
    cJSON *curve;              /* [{n_features, mean, std}] */
    double cv_mean, cv_std;    /* of the selected set */
} msel;

static int fit(msel *s, const size_t *rows, size_t n, const size_t *cols, size_t d,
               mlp_fitted **out, mlp_error *err)
{
    mlp_fit_subset sub = { rows, n, cols, d };
    int rc;

    if (mlp_ctx_cancelled(s->ctx))
        return mlp_error_set(err, MLP_ECANCELED, "cancelled");
    rc = mlp_fitter_fit(s->f, &sub, out, err);
    s->fits++;
    mlp_ctx_progress(s->ctx, s->fits, s->fits_total > s->fits ? s->fits_total : s->fits,
                     "fits");
    return rc;
}

/* A fold's score that is not a number (R^2 of a fold whose test rows
 * all have one target) would make every comparison meaningless. */
static int defined(const msel *s, double v, size_t fold, mlp_error *err)
{
    if (!isnan(v))
        return MLP_OK;
    return mlp_error_set(err, MLP_EINVAL, "cv: the %s of fold %zu (%zu test rows) is "
                         "undefined; use fewer folds (cv) or another scoring", s->scoring_name,
                         fold + 1, s->n_test[fold]);
}

/* Mean and (population) standard deviation of the scores over the folds
 * of features cols, as cross_val_score(...).mean() and .std(). */
static int cv_score(msel *s, const size_t *cols, size_t d, double *mean, double *sd,
                    mlp_error *err)
{
    double sum = 0, ss = 0, *v = malloc(s->folds * sizeof *v);
    int rc = v ? MLP_OK : mlp_error_set(err, MLP_ENOMEM, "out of memory");

    for (size_t k = 0; rc == MLP_OK && k < s->folds; k++) {
        mlp_fitted *m = NULL;
        rc = fit(s, s->train[k], s->n_train[k], cols, d, &m, err);
        if (rc == MLP_OK)
            rc = mlp_fitted_score(s->f, m, s->test[k], s->n_test[k], s->scoring, &v[k], err);
        if (rc == MLP_OK)
            rc = defined(s, v[k], k, err);
        mlp_fitted_free(m);
        if (rc == MLP_OK)
            sum += v[k];
    }
    if (rc == MLP_OK) {
        *mean = sum / (double)s->folds;
        for (size_t k = 0; k < s->folds; k++)
            ss += (v[k] - *mean) * (v[k] - *mean);
        *sd = sqrt(ss / (double)s->folds);
    }
    free(v);
    return rc;
}

static void curve_point(msel *s, size_t d, double mean, double sd)
{
    cJSON *p = cJSON_CreateObject();
    cJSON_AddItemToObject(p, "n_features", mlp_json_int((int64_t)d));
    cJSON_AddItemToObject(p, "mean", mlp_json_number(mean));
    cJSON_AddItemToObject(p, "std", mlp_json_number(sd));
    cJSON_AddItemToArray(s->curve, p);
}

/* Indexes of features still in, ascending. */
static size_t live(const int *in, size_t d, size_t *cols)
{
    size_t m = 0;
    for (size_t j = 0; j < d; j++)
        if (in[j])
            cols[m++] = j;
    return m;
}

/* One RFE run on rows (n of them) down to `target` features, as
 * scikit-learn's RFE._fit: each round fits on the features left, ranks
 * them by importance (ties: the earlier column first) and drops the
 * min(step, left - target) smallest.  With test rows, scores[i] gets the
 * score after i rounds (the last after the final fit), counts[i] the
 * features it had.  With record, the final run's ranks and reasons are
 * kept. */
typedef struct rfe_out {
    double *scores;
    size_t *counts;
    size_t points;
} rfe_out;

static int rfe_run(msel *s, const size_t *rows, size_t n, const size_t *test, size_t nt,
                   size_t target, size_t step, int record, rfe_out *o, mlp_error *err)
{
    int *in = malloc(s->d * sizeof *in);
    size_t *cols = malloc(s->d * sizeof *cols), *order = malloc(s->d * sizeof *order);
    double *imp = malloc(s->d * sizeof *imp);
    size_t round = 0;
    int rc = in && cols && order && imp ? MLP_OK
                                        : mlp_error_set(err, MLP_ENOMEM, "out of memory");

    for (size_t j = 0; rc == MLP_OK && j < s->d; j++) {
        in[j] = 1;
        if (record)
            s->rank[j] = 1;
    }
    for (;;) {
        size_t m = rc == MLP_OK ? live(in, s->d, cols) : 0;
        mlp_fitted *fm = NULL;
        if (rc != MLP_OK)
            break;
        rc = fit(s, rows, n, cols, m, &fm, err);
        if (rc == MLP_OK)
            rc = mlp_fitted_importance(fm, imp, err);
        if (rc == MLP_OK && test) {
            rc = mlp_fitted_score(s->f, fm, test, nt, s->scoring, &o->scores[o->points], err);
            if (rc == MLP_OK && isnan(o->scores[o->points]))
                rc = mlp_error_set(err, MLP_EINVAL, "cv: the %s of a fold (%zu test rows) is "
                                   "undefined; use fewer folds (cv) or another scoring",
                                   s->scoring_name, nt);
            o->counts[o->points++] = m;
        }
        mlp_fitted_free(fm);
        if (rc != MLP_OK)
            break;
        if (record)
            for (size_t i = 0; i < m; i++)
                s->score[cols[i]] = imp[i];
        if (m <= target)
            break;
        /* A stable order: np.argsort's on the few distinct values real
         * importances have. */
        for (size_t i = 0; i < m; i++) {
            size_t p = i;
            while (p > 0 && imp[order[p - 1]] > imp[i]) {
                order[p] = order[p - 1];
                p--;
            }
            order[p] = i;
        }
        size_t drop = step < m - target ? step : m - target;
        round++;
        for (size_t i = 0; i < drop; i++) {
            size_t j = cols[order[i]];
            in[j] = 0;
            if (record)
                snprintf(s->reason[j], sizeof s->reason[j], "eliminated in round %zu, with %zu "
                         "features left: importance %.6g, %s", round, m,
                         imp[order[i]], drop == 1 ? "the smallest" : "among the smallest");
        }
        if (record)
            for (size_t j = 0; j < s->d; j++)
                s->rank[j] += !in[j];
    }
    if (rc == MLP_OK && record)
        for (size_t j = 0; j < s->d; j++) {
            s->kept[j] = in[j];
            if (in[j])
                snprintf(s->reason[j], sizeof s->reason[j], "importance %.6g in the final "
                         "fit", s->score[j]);
        }
    free(in);
    free(cols);
    free(order);
    free(imp);
    return rc;
}

static int method_rfe(msel *s, size_t k, int k_given, size_t step, size_t min_features,
                      mlp_error *err)
{
    size_t max_points = s->d + 2;
    double *sum = calloc(max_points, sizeof *sum), *ss = calloc(max_points, sizeof *ss);
    size_t *counts = calloc(max_points, sizeof *counts), points = 0;
    rfe_out o = { malloc(max_points * sizeof(double)), malloc(max_points * sizeof(size_t)), 0 };
    int rc = sum && ss && counts && o.scores && o.counts ? MLP_OK
             : mlp_error_set(err, MLP_ENOMEM, "out of memory");

    if (rc == MLP_OK && !k_given) {
        /* RFECV: an elimination path per fold, scored on its test rows;
         * the count with the best mean (the fewest features among ties)
         * wins. */
        double *sc = malloc(s->folds * max_points * sizeof *sc);
        if (sc == NULL)
            rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
        for (size_t f = 0; rc == MLP_OK && f < s->folds; f++) {
            o.points = 0;
            rc = rfe_run(s, s->train[f], s->n_train[f], s->test[f], s->n_test[f],
                         min_features, step, 0, &o, err);
            if (rc == MLP_OK && f > 0 && o.points != points)
                rc = mlp_error_set(err, MLP_EINVAL, "rfe: folds took different paths");
            points = o.points;
            for (size_t i = 0; rc == MLP_OK && i < points; i++) {
                counts[i] = o.counts[i];
                sc[f * max_points + i] = o.scores[i];
                sum[i] += o.scores[i];
            }
        }
        size_t best = 0;
        for (size_t i = 0; rc == MLP_OK && i < points; i++) {
            double mean = sum[i] / (double)s->folds, var = 0;
            for (size_t f = 0; f < s->folds; f++)
                var += (sc[f * max_points + i] - mean) * (sc[f * max_points + i] - mean);
            curve_point(s, counts[i], mean, sqrt(var / (double)s->folds));
            /* Exact sums, as scikit-learn compares them: >= takes the
             * later (smaller) count on a tie. */
            if (sum[i] >= sum[best])
                best = i;
        }
        if (rc == MLP_OK)
            k = counts[best];
        free(sc);
    }
    if (rc == MLP_OK)
        rc = rfe_run(s, NULL, s->n, NULL, 0, k, step, 1, NULL, err);
    free(sum);
    free(ss);
    free(counts);
    free(o.scores);
    free(o.counts);
    return rc;
}

/* Forward or backward sequential selection, as scikit-learn's
 * SequentialFeatureSelector: `chosen` marks the features added (forward)
 * or removed (backward); each round tries every other feature and takes
 * the first with the best mean cv score.  Without k, a round whose best
 * score improves on the last by less than tol ends the search. */
static int method_sequential(msel *s, int forward, size_t k, int k_given, double tol,
                             mlp_error *err)
{
    int *chosen = calloc(s->d, sizeof *chosen);
    size_t *cols = malloc(s->d * sizeof *cols);
    double old = -INFINITY, *last = malloc(s->d * sizeof *last);
    size_t last_round = 0;
    size_t rounds = k_given ? (forward ? k : s->d - k) : s->d - 1, done = 0;
    int rc = chosen && cols && last ? MLP_OK
                                    : mlp_error_set(err, MLP_ENOMEM, "out of memory");

    if (rc == MLP_OK && s->d < 2)
        rc = mlp_error_set(err, MLP_EINVAL, "%s selection chooses among at least 2 "
                           "candidates; there is %zu", forward ? "forward" : "backward", s->d);

    s->fits_total = 0;
    for (size_t r = 0; r < rounds; r++)
        s->fits_total += (s->d - r) * s->folds;
    for (size_t j = 0; rc == MLP_OK && j < s->d; j++)
        last[j] = NAN;
    for (size_t r = 0; rc == MLP_OK && r < rounds; r++) {
        size_t best = SIZE_MAX;
        double best_mean = 0, best_sd = 0;
        for (size_t c = 0; rc == MLP_OK && c < s->d; c++) {
            double mean, sd;
            size_t m = 0;
            if (chosen[c])
                continue;
            chosen[c] = 1;
            for (size_t j = 0; j < s->d; j++)
                if (chosen[j] == forward)
                    cols[m++] = j;
            chosen[c] = 0;
            rc = cv_score(s, cols, m, &mean, &sd, err);
            last[c] = mean;
            last_round = r + 1;
            if (rc == MLP_OK && (best == SIZE_MAX || mean > best_mean)) {
                best = c;
                best_mean = mean;
                best_sd = sd;
            }
        }
        if (rc != MLP_OK)
            break;
        if (!k_given && best_mean - old < tol)
            break;
        old = best_mean;
        chosen[best] = 1;
        done++;
        s->score[best] = best_mean;
        curve_point(s, forward ? done : s->d - done, best_mean, best_sd);
        if (forward) {
            s->rank[best] = done;
            snprintf(s->reason[best], sizeof s->reason[best], "added in round %zu: cv %s "
                     "%.6g with it", done, s->scoring_name, best_mean);
        } else
            snprintf(s->reason[best], sizeof s->reason[best], "removed in round %zu: cv "
                     "%s %.6g without it", done, s->scoring_name, best_mean);
    }
    for (size_t j = 0; rc == MLP_OK && j < s->d; j++) {
        s->kept[j] = chosen[j] == forward;
        if (forward && !chosen[j]) {
            s->score[j] = last[j];
            snprintf(s->reason[j], sizeof s->reason[j], "not added: cv %s %.6g with it in "
                     "round %zu, the last run", s->scoring_name, last[j], last_round);
        } else if (!forward && !chosen[j]) {
            s->score[j] = last[j];
            s->rank[j] = 1;
            snprintf(s->reason[j], sizeof s->reason[j], "cv %s %.6g without it in round "
                     "%zu, the last run", s->scoring_name, last[j], last_round);
        }
    }
    if (rc == MLP_OK && forward) {
        /* Those never added rank after the added, best last score first. */
        size_t next = done;
        for (;;) {
            size_t best = SIZE_MAX;
            for (size_t j = 0; j < s->d; j++)
                if (!chosen[j] && s->rank[j] == 0 &&
                    (best == SIZE_MAX || last[j] > last[best]))
                    best = j;
            if (best == SIZE_MAX)
                break;
            s->rank[best] = ++next;
        }
    }
    if (rc == MLP_OK && !forward) {
        /* Removed last ranks next to those kept, as RFE's ranking. */
        for (size_t j = 0; j < s->d; j++)
            if (chosen[j]) {
                unsigned round = 0;
                sscanf(s->reason[j], "removed in round %u", &round);
                s->rank[j] = 1 + done - round + 1;
            }
    }
    free(chosen);
    free(cols);
    free(last);
    return rc;
}

/* SelectFromModel: one fit on every row and feature; kept: importance
 * above the threshold, at most k (the largest). */
static int method_from_model(msel *s, const cJSON *threshold, const cJSON *tparams,
                             size_t k, int k_given, double *thr_used, mlp_error *err)
{
    mlp_fitted *m = NULL;
    size_t *order = malloc(s->d * sizeof *order);
    double thr;
    int rc = order ? fit(s, NULL, s->n, NULL, s->d, &m, err)
                   : mlp_error_set(err, MLP_ENOMEM, "out of memory");

    if (rc == MLP_OK)
        rc = mlp_fitted_importance(m, s->score, err);
    mlp_fitted_free(m);
    /* SelectFromModel compares |coef|, not its square: the importance's
     * square root (for a linear model the coefficients' L2 norm across
     * classes; |coef| itself with one score column). */
    for (size_t j = 0; rc == MLP_OK && j < s->d; j++)
        s->score[j] = sqrt(s->score[j]);
    if (rc != MLP_OK) {
        free(order);
        return rc;
    }
    if (cJSON_IsNumber(threshold)) {
        thr = threshold->valuedouble;
    } else if (mlp_json_num(tparams, "l1") > 0 || mlp_json_num(tparams, "l1_ratio") > 0) {
        thr = 1e-5;   /* scikit-learn's for an L1 model */
    } else {
        double sum = 0;
        for (size_t j = 0; j < s->d; j++)
            sum += s->score[j];
        thr = sum / (double)s->d;
    }
    *thr_used = thr;
    /* Rank by importance, largest first; ties: the earlier column. */
    for (size_t i = 0; i < s->d; i++) {
        size_t p = i;
        while (p > 0 && s->score[order[p - 1]] < s->score[i]) {
            order[p] = order[p - 1];
            p--;
        }
        order[p] = i;
    }
    for (size_t r = 0; r < s->d; r++) {
        size_t j = order[r];
        s->rank[j] = r + 1;
        s->kept[j] = s->score[j] >= thr && (!k_given || r < k);
        if (s->kept[j])
            snprintf(s->reason[j], sizeof s->reason[j], "importance %.6g >= threshold %.6g",
                     s->score[j], thr);
        else if (s->score[j] >= thr)
            snprintf(s->reason[j], sizeof s->reason[j], "importance %.6g is not among the "
                     "%zu largest", s->score[j], k);
        else
            snprintf(s->reason[j], sizeof s->reason[j], "importance %.6g is below the "
                     "threshold %.6g", s->score[j], thr);
    }
    free(order);
    return MLP_OK;
}

static int make_folds(msel *s, size_t k, mlp_error *err)
{
    int rc;

    s->folds = k;
    s->fold = malloc((s->n + 1) * sizeof *s->fold);
    s->train = calloc(k, sizeof *s->train);
    s->test = calloc(k, sizeof *s->test);
    s->n_train = calloc(k, sizeof *s->n_train);
    s->n_test = calloc(k, sizeof *s->n_test);
    if (!s->fold || !s->train || !s->test || !s->n_train || !s->n_test)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    if ((rc = mlp_fitter_folds(s->f, k, s->fold, err)) != MLP_OK)
        return rc;
    for (size_t f = 0; f < k; f++) {
        s->train[f] = malloc((s->n + 1) * sizeof **s->train);
        s->test[f] = malloc((s->n + 1) * sizeof **s->test);
        if (s->train[f] == NULL || s->test[f] == NULL)
            return mlp_error_set(err, MLP_ENOMEM, "out of memory");
        for (size_t i = 0; i < s->n; i++) {
            if (s->fold[i] == f)
                s->test[f][s->n_test[f]++] = i;
            else
                s->train[f][s->n_train[f]++] = i;
        }
    }
    return MLP_OK;
}

static void msel_free(msel *s)
{
    for (size_t f = 0; f < s->folds; f++) {
        if (s->train)
            free(s->train[f]);
        if (s->test)
            free(s->test[f]);
    }
    free(s->fold);
    free(s->train);
    free(s->test);
    free(s->n_train);
    free(s->n_test);
    free(s->score);
    free(s->rank);
    free(s->kept);
    free(s->reason);
    cJSON_Delete(s->curve);
    mlp_fitter_close(s->f);
}

static int given(mlp_ctx *ctx, const char *name)
{
    const cJSON *v = mlp_ctx_param(ctx, name);
    return v != NULL && !cJSON_IsNull(v);
}

/* Settings of another method would be silently ignored: refused. */
static int check_settings(mlp_ctx *ctx, const char *method, mlp_error *err)
{
    static const struct { const char *name, *methods; } settings[] = {
        { "step", " rfe " }, { "min_features", " rfe " }, { "tol", " forward backward " },
        { "threshold", " from_model " }, { NULL, NULL }
    };
    char word[40];

    snprintf(word, sizeof word, " %s ", method);
    for (int i = 0; settings[i].name; i++)
        if (given(ctx, settings[i].name) && strstr(settings[i].methods, word) == NULL)
            return mlp_error_set(err, MLP_EINVAL, "%s: not a setting of method %s",
                                 settings[i].name, method);
    if (given(ctx, "tol") && given(ctx, "k"))
        return mlp_error_set(err, MLP_EINVAL, "tol: stops a search without k; with k = "
                             "%lld the search runs to k features",
                             (long long)mlp_ctx_param_int(ctx, "k"));
    if (given(ctx, "min_features") && given(ctx, "k"))
        return mlp_error_set(err, MLP_EINVAL, "min_features: bounds the count "
                             "cross-validation picks without k; k is given");
    return MLP_OK;
}

static cJSON *document(msel *s, mlp_ctx *ctx, const char *method, const char *split,
                       const char *label, size_t k, int k_given, size_t step, double thr)
{
    cJSON *doc = cJSON_CreateObject(), *arr, *sel, *cv;
    const cJSON *classes = mlp_fitter_classes(s->f);

    cJSON_AddNumberToObject(doc, "version", 1);
    cJSON_AddStringToObject(doc, "split", split);
    cJSON_AddStringToObject(doc, "label", label);
    cJSON_AddStringToObject(doc, "task", mlp_fitter_task(s->f) == MLP_TASK_CLASSIFICATION
                                             ? "classification" : "regression");
    if (classes)
        cJSON_AddItemToObject(doc, "classes", cJSON_Duplicate(classes, 1));
    cJSON_AddItemToObject(doc, "rows", mlp_json_int((int64_t)s->n));
    cJSON_AddItemToObject(doc, "rows_without_label",
                          mlp_json_int((int64_t)mlp_fitter_rows_skipped(s->f)));
    /* score and mode: what the filter selectors' readers show. */
    cJSON_AddStringToObject(doc, "score", strcmp(method, "rfe") == 0 ||
                            strcmp(method, "from_model") == 0 ? "importance" : "cv_score");
    cJSON_AddStringToObject(doc, "mode", method);
    cJSON_AddStringToObject(doc, "method", method);
    cJSON_AddStringToObject(doc, "trainer", mlp_ctx_param_string(ctx, "trainer"));
    /* The parameters the trainer was fitted with: the selector's rows,
     * target and candidates in place of the trainer's own. */
    cJSON *tp = cJSON_Duplicate(mlp_ctx_param(ctx, "trainer_params"), 1);
    cJSON_ReplaceItemInObject(tp, "label", cJSON_CreateString(label));
    cJSON_ReplaceItemInObject(tp, "train_split", cJSON_CreateString(split));
    cJSON_ReplaceItemInObject(tp, "features", cJSON_Duplicate(mlp_ctx_param(ctx, "features"), 1));
    cJSON_AddItemToObject(doc, "trainer_params", tp);
    if (k_given)
        cJSON_AddItemToObject(doc, "k", mlp_json_int((int64_t)k));
    if (strcmp(method, "from_model") == 0)
        cJSON_AddItemToObject(doc, "importance_threshold", mlp_json_number(thr));
    if (strcmp(method, "rfe") == 0)
        cJSON_AddItemToObject(doc, "step", mlp_json_int((int64_t)step));
    if (!k_given && (strcmp(method, "forward") == 0 || strcmp(method, "backward") == 0))
        cJSON_AddItemToObject(doc, "tol", mlp_json_number(
                                  given(ctx, "tol") ? mlp_ctx_param_float(ctx, "tol") : 0));
    cJSON_AddItemToObject(doc, "cv", mlp_json_int((int64_t)s->folds));
    cJSON_AddStringToObject(doc, "scoring", s->scoring_name);
    if (cJSON_GetArraySize(s->curve) > 0) {
        cJSON_AddItemToObject(doc, "cv_curve", s->curve);
        s->curve = NULL;
    }
    cv = cJSON_AddObjectToObject(doc, "cv_score");
    cJSON_AddItemToObject(cv, "mean", mlp_json_number(s->cv_mean));
    cJSON_AddItemToObject(cv, "std", mlp_json_number(s->cv_std));
    arr = cJSON_AddArrayToObject(doc, "features");
    sel = cJSON_AddArrayToObject(doc, "selected");
    for (size_t j = 0; j < s->d; j++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", mlp_fitter_feature(s->f, j));
        cJSON_AddStringToObject(o, "type", "numeric");
        cJSON_AddItemToObject(o, "score", mlp_json_number(s->score[j]));
        if (s->rank[j])
            cJSON_AddItemToObject(o, "rank", mlp_json_int((int64_t)s->rank[j]));
        else
            cJSON_AddNullToObject(o, "rank");
        cJSON_AddStringToObject(o, "status", s->kept[j] ? "kept" : "dropped_model");
        cJSON_AddStringToObject(o, "reason", s->reason[j]);
        cJSON_AddStringToObject(o, "status_by", "model");
        cJSON_AddItemToObject(o, "rows", mlp_json_int((int64_t)s->n));
        cJSON_AddItemToObject(o, "missing", mlp_json_int(0));
        cJSON_AddItemToArray(arr, o);
        if (s->kept[j])
            cJSON_AddItemToArray(sel, cJSON_CreateString(mlp_fitter_feature(s->f, j)));
    }
    return doc;
}

static mlp_fit_scoring pick_scoring(const char *name, mlp_model_task task, const char **shown)
{
    if (strcmp(name, "auto") == 0)
        name = task == MLP_TASK_CLASSIFICATION ? "accuracy" : "r2";
    *shown = name;
    return strcmp(name, "accuracy") == 0 ? MLP_SCORE_ACCURACY
         : strcmp(name, "log_loss") == 0 ? MLP_SCORE_LOG_LOSS
         : strcmp(name, "r2") == 0 ? MLP_SCORE_R2 : MLP_SCORE_MSE;
}

/* The selected set's cv score, once more for the record (and for rfe or
 * from_model, which chose it otherwise). */
static int final_cv(msel *s, mlp_error *err)
{
    size_t *cols = malloc((s->d + 1) * sizeof *cols), m = 0;
    int rc;

    if (cols == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    m = live(s->kept, s->d, cols);
    if (m == 0) {
        s->cv_mean = s->cv_std = NAN;
        rc = MLP_OK;
    } else {
        rc = cv_score(s, cols, m, &s->cv_mean, &s->cv_std, err);
    }
    free(cols);
    return rc;
}

int fs_model_run(mlp_ctx *ctx)
{
    const mlp_artifact *ex = mlp_ctx_input(ctx, "examples", 0);
    mlp_artifact *out = mlp_ctx_output(ctx, "selection");
    const char *method = mlp_ctx_param_string(ctx, "method");
    const char *split = mlp_ctx_param_string(ctx, "split");
    const char *label = mlp_ctx_param_string(ctx, "label");
    int k_given = given(ctx, "k");
    size_t k = k_given ? (size_t)mlp_ctx_param_int(ctx, "k") : 0, step = 1;
    double thr = NAN;
    mlp_fitter_opts fo;
    msel s;
    cJSON *doc = NULL;
    mlp_error err;
    int rc;

    mlp_error_clear(&err);
    memset(&s, 0, sizeof s);
    s.ctx = ctx;
    if (label == NULL)
        label = cJSON_GetStringValue(mlp_artifact_property(ex, "label"));
    rc = check_settings(ctx, method, &err);
    memset(&fo, 0, sizeof fo);
    fo.examples = ex;
    fo.trainer = mlp_ctx_param_string(ctx, "trainer");
    fo.params = mlp_ctx_param(ctx, "trainer_params");
    fo.split = split;
    fo.label = label;
    fo.features = mlp_ctx_param(ctx, "features");
    if (rc == MLP_OK)
        rc = mlp_fitter_open(ctx, &fo, &s.f, &err);
    if (rc == MLP_OK) {
        s.n = mlp_fitter_n_rows(s.f);
        s.d = mlp_fitter_n_features(s.f);
        label = label ? label : cJSON_GetStringValue(mlp_artifact_property(ex, "label"));
        s.scoring = pick_scoring(mlp_ctx_param_string(ctx, "scoring"),
                                 mlp_fitter_task(s.f), &s.scoring_name);
        s.score = malloc((s.d + 1) * sizeof *s.score);
        s.rank = calloc(s.d + 1, sizeof *s.rank);
        s.kept = calloc(s.d + 1, sizeof *s.kept);
        s.reason = calloc(s.d + 1, sizeof *s.reason);
        s.curve = cJSON_CreateArray();
        if (!s.score || !s.rank || !s.kept || !s.reason || !s.curve)
            rc = mlp_error_set(&err, MLP_ENOMEM, "out of memory");
        for (size_t j = 0; rc == MLP_OK && j < s.d; j++)
            s.score[j] = NAN;
    }
    if (rc == MLP_OK && k_given && (k < 1 || k > s.d))
        rc = mlp_error_set(&err, MLP_EINVAL, "k: %zu features to keep, but there are %zu "
                           "candidates", k, s.d);
    if (rc == MLP_OK && k_given && k == s.d && strcmp(method, "from_model") != 0)
        rc = mlp_error_set(&err, MLP_EINVAL, "k: %zu is every candidate: nothing to "
                           "select", k);
    if (rc == MLP_OK && strcmp(method, "rfe") == 0) {
        double st = given(ctx, "step") ? mlp_ctx_param_float(ctx, "step") : 1;
        if (st >= 1 && floor(st) != st)
            rc = mlp_error_set(&err, MLP_EINVAL, "step: %g; a count of features (an "
                               "integer >= 1) or a share of them (between 0 and 1)", st);
        step = st < 1 ? (size_t)fmax(1.0, floor(st * (double)s.d)) : (size_t)st;
    }
    size_t min_features = given(ctx, "min_features")
                              ? (size_t)mlp_ctx_param_int(ctx, "min_features") : 1;
    if (rc == MLP_OK && min_features > s.d)
        rc = mlp_error_set(&err, MLP_EINVAL, "min_features: %zu, but there are %zu "
                           "candidates", min_features, s.d);
    if (rc == MLP_OK)
        rc = make_folds(&s, (size_t)mlp_ctx_param_int(ctx, "cv"), &err);
    if (rc == MLP_OK) {
        mlp_ctx_log(ctx, MLP_LOG_INFO, "%s around %s: %zu candidates, %zu rows, %zu-fold cv "
                    "(%s)", method, fo.trainer, s.d, s.n, s.folds, s.scoring_name);
        if (strcmp(method, "rfe") == 0)
            rc = method_rfe(&s, k, k_given, step, min_features, &err);
        else if (strcmp(method, "from_model") == 0)
            rc = method_from_model(&s, mlp_ctx_param(ctx, "threshold"),
                                   mlp_ctx_param(ctx, "trainer_params"), k, k_given, &thr,
                                   &err);
        else
            rc = method_sequential(&s, strcmp(method, "forward") == 0, k, k_given,
                                   given(ctx, "tol") ? mlp_ctx_param_float(ctx, "tol") : 0,
                                   &err);
    }
    if (rc == MLP_OK) {
        size_t kept = 0;
        for (size_t j = 0; j < s.d; j++)
            kept += s.kept[j] != 0;
        /* Rows with no feature would fail the next trainer far from here. */
        if (kept == 0)
            rc = mlp_error_set(&err, MLP_EINVAL, "no feature was kept: every importance is "
                               "below the threshold %g (a smaller l1 or threshold keeps some)",
                               thr);
    }
    if (rc == MLP_OK)
        rc = final_cv(&s, &err);
    if (rc == MLP_OK) {
        doc = document(&s, ctx, method, split, label ? label : "", k, k_given, step, thr);
        rc = fs_write_selection(out, doc, label, s.d, &err);
    }
    if (rc == MLP_OK)
        mlp_ctx_log(ctx, MLP_LOG_INFO, "%d of %zu features kept (%s, cv %s %.4f), %zu fits",
                    cJSON_GetArraySize(cJSON_GetObjectItem(doc, "selected")), s.d, method,
                    s.scoring_name, s.cv_mean, s.fits);
    cJSON_Delete(doc);
    msel_free(&s);
    return rc == MLP_OK ? MLP_OK : mlp_ctx_fail_error(ctx, &err);
}

const mlp_param_spec fs_model_params[] = {
    { "trainer", MLP_PARAM_STRING, NULL, MLP_PARAM_REQUIRED | MLP_PARAM_TRAINER, 0, 0, NULL,
      "the trainer component fitted (any in the registry: logistic_regression, ridge, "
      "a third party's)" },
    { "trainer_params", MLP_PARAM_MAP, "{}", 0, 0, 0, NULL,
      "the trainer's own parameters (l2, l1, max_iter, class_weight, threads...)" },
    { "method", MLP_PARAM_ENUM, "\"rfe\"", 0, 0, 0, methods,
      "rfe (recursive elimination by importance), forward or backward (sequential, "
      "by cv score), from_model (importance above a threshold, once)" },
    { "k", MLP_PARAM_INT, "null", MLP_PARAM_HAS_MIN, 1, 0, NULL,
      "features kept; default: rfe picks the count with the best cv score (RFECV), "
      "forward and backward stop when the score improves by less than tol, "
      "from_model keeps every feature above the threshold" },
    { "step", MLP_PARAM_FLOAT, "null", MLP_PARAM_HAS_MIN | MLP_PARAM_MIN_EXCLUSIVE, 0, 0, NULL,
      "rfe: features dropped per round: a count (integer >= 1) or a share of the "
      "candidates (below 1); default 1" },
    { "min_features", MLP_PARAM_INT, "null", MLP_PARAM_HAS_MIN, 1, 0, NULL,
      "rfe without k: the fewest features cross-validation may pick, default 1" },
    { "tol", MLP_PARAM_FLOAT, "null", 0, 0, 0, NULL,
      "forward, backward without k: stop when a round's best cv score improves on "
      "the last by less than this, default 0" },
    { "threshold", MLP_PARAM_FLOAT, "null", 0, 0, 0, NULL,
      "from_model: keep importances >= this; default 1e-10 (|coef| > 1e-5) when the "
      "trainer's l1 > 0, else the mean importance" },
    { "cv", MLP_PARAM_INT, "5", MLP_PARAM_HAS_MIN | MLP_PARAM_HAS_MAX, 2, 100, NULL,
      "folds of the cross-validation (stratified for classes, unshuffled)" },
    { "scoring", MLP_PARAM_ENUM, "\"auto\"", 0, 0, 0, scorings,
      "the cv score: accuracy, log_loss (classes), r2, mse (numbers); auto: accuracy "
      "or r2" },
    { "split", MLP_PARAM_STRING, "\"train\"", 0, 0, 0, NULL,
      "the split fitted and cross-validated (never the evaluation rows)" },
    { "label", MLP_PARAM_STRING, "null", 0, 0, 0, NULL,
      "the target; default: the Examples' label" },
    { "features", MLP_PARAM_LIST, "[]", MLP_PARAM_OF(MLP_PARAM_STRING), 0, 0, NULL,
      "candidates: names or glob patterns of numeric columns; default every numeric "
      "column but the label" },
    MLP_PARAMS_END
};
