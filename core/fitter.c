/* mlp_fitter: a registry trainer fitted in-process on subsets of one
 * split's rows, for components that need many fits (model-based feature
 * selection).  The rows are read once, column-major float64, as
 * mlp_train_run would read them; each fit gathers its subset into its own
 * block (row-major float32 for a trainer that asks for it). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mlpipe/examples.h>
#include <mlpipe/fitter.h>
#include <mlpipe/json.h>
#include <mlpipe/memory.h>

#include "context_priv.h"
#include "registry.h"
#include "train_priv.h"

struct mlp_fitter {
    mlp_ctx *ctx;
    const mlp_trainer *t;
    const char *trainer;
    cJSON *params;             /* the trainer's, with label/features/split set */
    mlp_model_task task;
    char **feat;
    size_t d;
    cJSON *classes;            /* classification; else NULL */
    size_t k;                  /* classes, or 0 */
    mlpi_split_rows rows;
};

struct mlp_fitted {
    const mlp_trainer *t;
    const char *trainer;
    void *model;
    mlp_model_task task;
    size_t k;
    size_t *cols;              /* the features fitted on, into the fitter's */
    size_t n_cols;
};

void mlp_fitter_close(mlp_fitter *f)
{
    if (f == NULL)
        return;
    cJSON_Delete(f->params);
    mlpi_names_free(f->feat, f->d);
    cJSON_Delete(f->classes);
    mlpi_split_rows_free(&f->rows);
    free(f);
}

size_t mlp_fitter_n_rows(const mlp_fitter *f) { return f->rows.n; }
size_t mlp_fitter_n_features(const mlp_fitter *f) { return f->d; }
const char *mlp_fitter_feature(const mlp_fitter *f, size_t j)
{
    return j < f->d ? f->feat[j] : NULL;
}
mlp_model_task mlp_fitter_task(const mlp_fitter *f) { return f->task; }
const cJSON *mlp_fitter_classes(const mlp_fitter *f) { return f->classes; }
const double *mlp_fitter_targets(const mlp_fitter *f) { return f->rows.y; }
size_t mlp_fitter_rows_skipped(const mlp_fitter *f) { return f->rows.skipped; }

static int find_trainer(mlp_ctx *ctx, const char *name, const mlp_trainer **t,
                        mlp_error *err)
{
    mlpi_component *c;
    int rc;

    if (ctx == NULL || ctx->reg == NULL)
        return mlp_error_set(err, MLP_ESTATE, "mlp_fitter_open: no plugin registry in "
                             "this context");
    c = (mlpi_component *)mlpi_registry_find(ctx->reg, name ? name : "");
    if (c == NULL || !c->is_trainer)
        return mlp_error_set(err, MLP_ENOTFOUND, "trainer: '%s' is %s", name ? name : "",
                             c ? "a component but not a trainer (its plugin gives no "
                                 "mlp_trainer)" : "not a component of any installed plugin");
    if ((rc = mlpi_component_bind(c, err)) != MLP_OK)
        return rc;
    *t = c->c.trainer;
    return MLP_OK;
}

/* The trainer's parameters with the fitter's split, label and features. */
static int own_params(const mlp_fitter_opts *o, const char *label, cJSON **out,
                      mlp_error *err)
{
    cJSON *p = cJSON_Duplicate(o->params, 1);

    if (p == NULL || !cJSON_IsObject(p)) {
        cJSON_Delete(p);
        return mlp_error_set(err, MLP_EINVAL, "trainer parameters: not an object");
    }
    if (o->split) {
        cJSON_DeleteItemFromObject(p, "train_split");
        cJSON_AddStringToObject(p, "train_split", o->split);
    }
    cJSON_DeleteItemFromObject(p, "label");
    cJSON_AddStringToObject(p, "label", label);
    if (o->features) {
        cJSON_DeleteItemFromObject(p, "features");
        cJSON_AddItemToObject(p, "features", cJSON_Duplicate(o->features, 1));
    }
    *out = p;
    return MLP_OK;
}

int mlp_fitter_open(mlp_ctx *ctx, const mlp_fitter_opts *o, mlp_fitter **out,
                    mlp_error *err)
{
    mlp_fitter *f = calloc(1, sizeof *f);
    const char *label = o->label, *split;
    mlp_table_file *tf = NULL;
    mlpi_rows_opts ro;
    char file[300], path[4096];
    int rc = MLP_OK;

    *out = NULL;
    if (f == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    f->ctx = ctx;
    f->trainer = o->trainer;
    if (label == NULL)
        label = cJSON_GetStringValue(cJSON_GetObjectItem(o->params, "label"));
    if (label == NULL)
        label = cJSON_GetStringValue(mlp_artifact_property(o->examples, "label"));
    if (label == NULL)
        rc = mlp_error_set(err, MLP_EINVAL, "label: the Examples at %s have no label; "
                           "name the target column", mlp_artifact_uri(o->examples));
    if (rc == MLP_OK)
        rc = find_trainer(ctx, o->trainer, &f->t, err);
    if (rc == MLP_OK)
        rc = own_params(o, label, &f->params, err);
    split = rc == MLP_OK ? mlp_json_str(f->params, "train_split") : "";
    if (rc == MLP_OK && !mlp_examples_has_split(o->examples, split))
        rc = mlp_error_set(err, MLP_EINVAL, "split: the Examples at %s have no split '%s'",
                           mlp_artifact_uri(o->examples), split);
    if (rc == MLP_OK)
        rc = mlpi_train_pick_task(f->params, f->t, o->examples, label, &f->task, err);
    snprintf(file, sizeof file, "%s.mlpt", split);
    if (rc == MLP_OK)
        rc = mlp_artifact_path(o->examples, file, path, sizeof path, err);
    if (rc == MLP_OK)
        rc = mlp_table_file_open(path, &tf, err);
    if (rc == MLP_OK)
        rc = mlpi_train_features(tf, cJSON_GetObjectItem(f->params, "features"), label,
                                 &f->feat, &f->d, err);
    mlp_table_file_close(tf);
    memset(&ro, 0, sizeof ro);
    ro.ex = o->examples;
    ro.split = split;
    ro.label = label;
    ro.task = f->task;
    ro.threads = (int)mlp_json_num(f->params, "threads");
    if (ro.threads < 1)
        ro.threads = 1;
    ro.skip_missing_label = strcmp(mlp_json_str(f->params, "missing_label"), "skip") == 0;
    if (rc == MLP_OK)
        rc = mlpi_split_rows_read(&ro, f->feat, f->d, &f->classes, &f->rows, err);
    if (rc == MLP_OK && f->task == MLP_TASK_CLASSIFICATION)
        f->k = (size_t)cJSON_GetArraySize(f->classes);
    if (rc == MLP_OK) {
        /* class_weights naming a class the split lacks: refused now, not
         * in the first fit. */
        double *cw = malloc((f->k + 1) * sizeof *cw);
        int any;
        rc = cw == NULL ? mlp_error_set(err, MLP_ENOMEM, "out of memory")
                        : mlpi_class_weight_table(f->params, f->classes, f->rows.y, NULL, NULL,
                                                  f->rows.n, f->task, cw, &any, err);
        free(cw);
    }
    if (rc != MLP_OK) {
        mlp_fitter_close(f);
        return rc;
    }
    *out = f;
    return MLP_OK;
}

static int no_cancel(void *user, const mlp_epoch *e)
{
    (void)e;
    return mlp_ctx_cancelled(user);
}

/* The subset's rows as the trainer reads them. */
typedef struct gathered {
    mlp_rows r;
    double *x, *y, *w;
    float *xf;
} gathered;

static void gathered_free(gathered *g)
{
    mlp_free(g->x);
    mlp_free(g->xf);
    free(g->y);
    free(g->w);
}

static int gather(const mlp_fitter *f, const size_t *rows, size_t n, const size_t *cols,
                  size_t d, int f32, gathered *g, mlp_error *err)
{
    const mlpi_split_rows *s = &f->rows;

    memset(g, 0, sizeof *g);
    if (n && d > SIZE_MAX / 8 / n)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    g->y = malloc(n * sizeof *g->y + 1);
    if (f32)
        g->xf = mlp_malloc(n * d * sizeof *g->xf + 1);
    else
        g->x = mlp_malloc(n * d * sizeof *g->x + 1);
    if (g->y == NULL || (g->x == NULL && g->xf == NULL)) {
        gathered_free(g);
        return mlp_error_set(err, MLP_ENOMEM, "out of memory for %zu rows x %zu "
                             "features", n, d);
    }
    for (size_t i = 0; i < n; i++)
        g->y[i] = s->y[rows ? rows[i] : i];
    for (size_t j = 0; j < d; j++) {
        const double *src = s->x + (cols ? cols[j] : j) * s->n;
        if (f32)
            for (size_t i = 0; i < n; i++)
                g->xf[i * d + j] = (float)src[rows ? rows[i] : i];
        else
            for (size_t i = 0; i < n; i++)
                g->x[j * n + i] = src[rows ? rows[i] : i];
    }
    g->r.n_rows = n;
    g->r.n_features = d;
    g->r.x = g->x;
    g->r.ld = g->x ? n : 0;
    g->r.xf = g->xf;
    g->r.y = g->y;
    return MLP_OK;
}

int mlp_fitter_fit(mlp_fitter *f, const mlp_fit_subset *s, mlp_fitted **out,
                   mlp_error *err)
{
    size_t n = s && s->rows ? s->n_rows : f->rows.n;
    size_t d = s && s->cols ? s->n_cols : f->d;
    const size_t *rows = s ? s->rows : NULL, *cols = s ? s->cols : NULL;
    mlp_fitted *m = calloc(1, sizeof *m);
    const char **names = calloc(d + 1, sizeof *names);
    double *cw = malloc((f->k + 1) * sizeof *cw);
    mlp_fit_spec spec;
    gathered g;
    int any = 0, rc = MLP_OK;

    *out = NULL;
    if (m != NULL)
        m->cols = malloc((d + 1) * sizeof *m->cols);
    if (m == NULL || names == NULL || cw == NULL || m->cols == NULL)
        rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
    for (size_t j = 0; rc == MLP_OK && j < d; j++) {
        m->cols[j] = cols ? cols[j] : j;
        if (m->cols[j] >= f->d)
            rc = mlp_error_set(err, MLP_EINVAL, "mlp_fitter_fit: feature index %zu of "
                               "%zu", m->cols[j], f->d);
        else
            names[j] = f->feat[m->cols[j]];
    }
    for (size_t i = 0; rc == MLP_OK && rows && i < n; i++)
        if (rows[i] >= f->rows.n)
            rc = mlp_error_set(err, MLP_EINVAL, "mlp_fitter_fit: row index %zu of %zu",
                               rows[i], f->rows.n);
    if (rc == MLP_OK && (n == 0 || d == 0))
        rc = mlp_error_set(err, MLP_EINVAL, "mlp_fitter_fit: %s to fit on",
                           n == 0 ? "no rows" : "no features");
    if (rc == MLP_OK)
        rc = gather(f, rows, n, m->cols, d, f->t->layout == MLP_ROWS_F32, &g, err);
    else
        memset(&g, 0, sizeof g);
    if (rc == MLP_OK)
        rc = mlpi_class_weight_table(f->params, f->classes, f->rows.y, NULL, rows, n, f->task,
                                     cw, &any, err);
    if (rc == MLP_OK && any) {
        g.w = malloc(n * sizeof *g.w + 1);
        if (g.w == NULL)
            rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
        for (size_t i = 0; rc == MLP_OK && i < n; i++)
            g.w[i] = cw[(size_t)g.y[i]];
        g.r.w = g.w;
    }
    if (rc == MLP_OK) {
        memset(&spec, 0, sizeof spec);
        spec.task = f->task;
        spec.n_classes = f->k;
        spec.n_features = d;
        spec.features = names;
        spec.params = f->params;
        spec.seed = (uint64_t)mlp_json_num(f->params, "seed");
        spec.threads = (int)mlp_json_num(f->params, "threads");
        if (spec.threads < 1)
            spec.threads = 1;
        spec.epoch = no_cancel;
        spec.user = f->ctx;
        m->t = f->t;
        m->trainer = f->trainer;
        m->task = f->task;
        m->k = f->k;
        m->n_cols = d;
        rc = f->t->fit(&spec, &g.r, NULL, &m->model, err);
        if (rc != MLP_OK && mlp_ctx_cancelled(f->ctx))
            rc = mlp_error_set(err, MLP_ECANCELED, "cancelled");
        else if (rc == MLP_OK && m->model == NULL)
            rc = mlp_error_set(err, MLP_EPLUGIN, "trainer %s: fit returned no model",
                               f->trainer);
    }
    gathered_free(&g);
    free(names);
    free(cw);
    if (rc != MLP_OK) {
        mlp_fitted_free(m);
        return rc;
    }
    *out = m;
    return MLP_OK;
}

int mlp_fitted_score(const mlp_fitter *f, const mlp_fitted *m, const size_t *rows,
                     size_t n_rows, mlp_fit_scoring scoring, double *out, mlp_error *err)
{
    size_t n = rows ? n_rows : f->rows.n, k = m->task == MLP_TASK_CLASSIFICATION ? m->k : 1;
    int cls = m->task == MLP_TASK_CLASSIFICATION;
    double *pred, loss, metric;
    gathered g;
    int rc;

    if ((scoring == MLP_SCORE_ACCURACY || scoring == MLP_SCORE_LOG_LOSS) != cls)
        return mlp_error_set(err, MLP_EINVAL, "scoring: %s scores a %s", scoring ==
                             MLP_SCORE_ACCURACY ? "accuracy" : scoring == MLP_SCORE_LOG_LOSS
                             ? "log_loss" : scoring == MLP_SCORE_R2 ? "r2" : "mse",
                             cls ? "regression, and this is a classification"
                                 : "classification, and this is a regression");
    if (n == 0)
        return mlp_error_set(err, MLP_EINVAL, "mlp_fitted_score: no rows to score on");
    for (size_t i = 0; rows && i < n; i++)
        if (rows[i] >= f->rows.n)
            return mlp_error_set(err, MLP_EINVAL, "mlp_fitted_score: row index %zu of %zu",
                                 rows[i], f->rows.n);
    if ((rc = gather(f, rows, n, m->cols, m->n_cols, 0, &g, err)) != MLP_OK)
        return rc;
    pred = malloc(n * k * sizeof *pred + 1);
    if (pred == NULL)
        rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
    if (rc == MLP_OK)
        rc = m->t->predict(m->model, &g.r, pred, err);
    if (rc == MLP_OK) {
        mlp_fit_score(m->task, k, &g.r, pred, &loss, &metric);
        *out = scoring == MLP_SCORE_ACCURACY || scoring == MLP_SCORE_R2 ? metric : -loss;
    }
    free(pred);
    gathered_free(&g);
    return rc;
}

int mlp_fitted_importance(const mlp_fitted *m, double *out, mlp_error *err)
{
    int rc;

    if (m->t->importance == NULL)
        return mlp_error_set(err, MLP_EINVAL, "trainer %s gives no feature importances "
                             "(its mlp_trainer has no importance function)", m->trainer);
    rc = m->t->importance(m->model, out, err);
    for (size_t j = 0; rc == MLP_OK && j < m->n_cols; j++)
        if (!(out[j] >= 0) || isinf(out[j]))
            rc = mlp_error_set(err, MLP_EPLUGIN, "trainer %s: importance of feature %zu "
                               "is %g, not a finite number >= 0", m->trainer, j, out[j]);
    return rc;
}

void mlp_fitted_free(mlp_fitted *m)
{
    if (m == NULL)
        return;
    if (m->model != NULL)
        m->t->free(m->model);
    free(m->cols);
    free(m);
}

/* sklearn's StratifiedKFold(shuffle=False): classes numbered in order of
 * first appearance; the rows sorted by that number dealt round-robin to
 * the folds give each fold's count per class; each class's rows, in row
 * order, fill fold 0's share first, then fold 1's... */
static int stratified(const double *y, size_t n, size_t k, size_t n_classes, size_t *fold,
                      mlp_error *err)
{
    size_t *order = malloc((n_classes + 1) * sizeof *order), next = 0, largest = 0;
    size_t *count = calloc(n_classes + 1, sizeof *count);
    size_t *alloc = calloc(k * (n_classes + 1), sizeof *alloc);
    size_t *seen = calloc(n_classes + 1, sizeof *seen);
    int rc = MLP_OK;

    if (order == NULL || count == NULL || alloc == NULL || seen == NULL)
        rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
    for (size_t c = 0; rc == MLP_OK && c < n_classes; c++)
        order[c] = SIZE_MAX;
    for (size_t i = 0; rc == MLP_OK && i < n; i++) {
        size_t c = (size_t)y[i];
        if (order[c] == SIZE_MAX)
            order[c] = next++;
        count[order[c]]++;
    }
    for (size_t c = 0; rc == MLP_OK && c < next; c++)
        largest = count[c] > largest ? count[c] : largest;
    if (rc == MLP_OK && k > largest)
        rc = mlp_error_set(err, MLP_EINVAL, "cv: %zu folds, but the largest class has %zu "
                           "rows (each fold needs a row of it)", k, largest);
    if (rc == MLP_OK) {
        /* Position p of the rows sorted by class goes to fold p % k. */
        size_t p = 0;
        for (size_t c = 0; c < next; c++)
            for (size_t r = 0; r < count[c]; r++, p++)
                alloc[(p % k) * next + c]++;
        for (size_t i = 0; i < n; i++) {
            size_t c = order[(size_t)y[i]], r = seen[c]++, f = 0;
            while (r >= alloc[f * next + c]) {
                r -= alloc[f * next + c];
                f++;
            }
            fold[i] = f;
        }
    }
    free(order);
    free(count);
    free(alloc);
    free(seen);
    return rc;
}

int mlp_fitter_folds(const mlp_fitter *f, size_t k, size_t *fold, mlp_error *err)
{
    size_t n = f->rows.n;

    if (k < 2)
        return mlp_error_set(err, MLP_EINVAL, "cv: %zu folds; at least 2", k);
    if (k > n)
        return mlp_error_set(err, MLP_EINVAL, "cv: %zu folds, but the split has %zu rows",
                             k, n);
    if (f->task == MLP_TASK_CLASSIFICATION)
        return stratified(f->rows.y, n, k, f->k, fold, err);
    for (size_t i = 0, fo = 0, left = n / k + (n % k > 0); i < n; i++) {
        fold[i] = fo;
        if (--left == 0) {
            fo++;
            left = n / k + (n % k > fo);
        }
    }
    return MLP_OK;
}
