/* evaluate: TFMA's job.  A model's predictions on a split (or predictions
 * saved in its columns) scored overall, per slice and per sensitive group,
 * with bootstrap intervals on request; checked against thresholds into a
 * Blessing that gates the pipeline when the model falls short. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ev.h"

cJSON *ev_metrics(const ev_data *d, const size_t *rows, size_t n, int curves)
{
    ev_rows r = { d->y, d->p, d->k, rows, rows ? n : d->n, d->positive };
    return d->task == MLP_TASK_CLASSIFICATION ? ev_classification(&r, curves)
                                              : ev_regression(&r, curves);
}

/* splitmix64: the bootstrap's draws, the same for a seed everywhere. */
static uint64_t next_rand(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

cJSON *ev_bootstrap(const ev_data *d, const size_t *rows, size_t n, size_t draws,
                    double confidence, uint64_t seed)
{
    size_t m = rows ? n : d->n, *pick = malloc((m + 1) * sizeof *pick);
    cJSON **runs = calloc(draws + 1, sizeof *runs), *out = cJSON_CreateObject(), *e;
    double *vals = malloc((draws + 1) * sizeof *vals);
    uint64_t s = seed;

    if (pick == NULL || runs == NULL || vals == NULL || out == NULL || m == 0) {
        free(pick);
        free(runs);
        free(vals);
        return out;
    }
    for (size_t b = 0; b < draws; b++) {
        for (size_t i = 0; i < m; i++) {
            size_t j = (size_t)(next_rand(&s) % m);
            pick[i] = rows ? rows[j] : j;
        }
        runs[b] = ev_metrics(d, pick, m, 0);
    }
    cJSON_ArrayForEach(e, runs[0]) {
        size_t k = 0;
        if (!cJSON_IsNumber(e) || strcmp(e->string, "rows") == 0)
            continue;
        for (size_t b = 0; b < draws; b++) {
            double v = mlp_json_num(runs[b], e->string);
            if (!isnan(v))
                vals[k++] = v;
        }
        if (k == 0)
            continue;
        qsort(vals, k, sizeof *vals, cmp_double);
        double lo = (1 - confidence) / 2, hi = 1 - lo;
        cJSON *iv = cJSON_CreateArray();
        /* Percentiles by linear interpolation, as numpy's. */
        for (int t = 0; t < 2; t++) {
            double pos = (t ? hi : lo) * (double)(k - 1);
            size_t i = (size_t)floor(pos);
            double f = pos - (double)i;
            cJSON_AddItemToArray(iv, mlp_json_number(i + 1 < k ? vals[i] + f * (vals[i + 1] - vals[i])
                                                                : vals[k - 1]));
        }
        cJSON_AddItemToObject(out, e->string, iv);
    }
    for (size_t b = 0; b < draws; b++)
        cJSON_Delete(runs[b]);
    free(runs);
    free(pick);
    free(vals);
    return out;
}

/* ---------------------------------------------------------- the rows */

/* Predictions of model m on every row of the split, as `mlpipe predict`
 * makes them; a row it cannot read is named with its source line. */
static int predict_rows(const mlp_model *m, ev_data *d, double **out, mlp_error *err)
{
    size_t bad = SIZE_MAX;
    int rc = mlp_model_predict_table(m, d->raw, d->features_given, out, &bad, err);

    if (rc != MLP_OK && bad != SIZE_MAX) {
        char at[400];
        mlp_error e2;
        if (mlp_examples_source(d->ex, d->split, bad, at, sizeof at, &e2) == MLP_OK)
            mlp_error_prefix(err, "%s", at);
    }
    return rc;
}

static int skip_missing(const mlp_ctx *ctx)
{
    return strcmp(mlp_ctx_param_string(ctx, "missing_label"), "skip") == 0;
}

/* Leaves out the rows whose label is missing, after every row was
 * predicted (so the others keep the bits `mlpipe predict` gives them). */
static int drop_unlabelled(ev_data *d, mlp_table **raw, size_t *skipped, mlp_error *err)
{
    size_t k = 0, *keep = malloc((d->n + 1) * sizeof *keep);
    mlp_table *sub = NULL;
    int rc;

    *skipped = 0;
    if (keep == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    for (size_t i = 0; i < d->n; i++)
        if (!isnan(d->y[i]))
            keep[k++] = i;
    if (k == d->n) {
        free(keep);
        return MLP_OK;
    }
    if (k == 0) {
        free(keep);
        return mlp_error_set(err, MLP_EINVAL, "split '%s': every row's label is missing",
                             d->split);
    }
    rc = mlp_table_select(*raw, keep, k, &sub, err);
    for (size_t i = 0; rc == MLP_OK && i < k; i++) {
        d->y[i] = d->y[keep[i]];
        memmove(d->p + i * d->k, d->p + keep[i] * d->k, d->k * sizeof *d->p);
    }
    if (rc == MLP_OK) {
        *skipped = d->n - k;
        mlp_table_free(*raw);
        *raw = sub;
        d->raw = sub;
        d->n = k;
    }
    free(keep);
    return rc;
}

/* Saved predictions: probability columns in the label's class order, or a
 * regression's value column. */
static int saved_predictions(mlp_ctx *ctx, ev_data *d, cJSON **classes, mlp_error *err)
{
    const char *label = mlp_ctx_param_string(ctx, "label");
    const cJSON *probs = mlp_ctx_param(ctx, "probabilities");
    const char *value = mlp_ctx_param_string(ctx, "prediction");
    const mlp_column *y;

    if (label == NULL)
        label = cJSON_GetStringValue(mlp_artifact_property(d->ex, "label"));
    if (label == NULL || (y = mlp_table_find(d->raw, label)) == NULL)
        return mlp_error_set(err, MLP_EINVAL, "label: split '%s' has no label column %s%s%s",
                             d->split, label ? "'" : "", label ? label : "(name one)",
                             label ? "'" : "");
    if ((cJSON_GetArraySize(probs) > 0) == (value != NULL))
        return mlp_error_set(err, MLP_EINVAL, "no model came in (input 'model' is empty; "
                             "model = \"latest_blessed\" stays empty until a model of this "
                             "node was blessed): without a model, give either probabilities "
                             "(a classifier's columns, one per class) or prediction (a "
                             "regression's column)");
    d->task = value ? MLP_TASK_REGRESSION : MLP_TASK_CLASSIFICATION;
    d->k = value ? 1 : (size_t)cJSON_GetArraySize(probs);
    d->y = mlp_malloc(d->n * sizeof *d->y + 1);
    d->p = malloc(d->n * d->k * sizeof *d->p + 1);
    if (d->y == NULL || d->p == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    if (value == NULL) {
        mlp_classes c;
        int rc = mlp_classes_read(y, NULL, 0, 10000, &c, err);
        if (rc != MLP_OK)
            return rc;
        if (c.n_classes != d->k) {
            mlp_error_set(err, MLP_EINVAL, "probabilities: %zu columns for the %zu classes "
                          "of label '%s'", d->k, c.n_classes, label);
            mlp_classes_free(&c);
            return MLP_EINVAL;
        }
        for (size_t i = 0; i < d->n; i++) {
            if (c.of[i] < 0 && skip_missing(ctx)) {
                d->y[i] = NAN;
                continue;
            }
            if (c.of[i] < 0) {
                mlp_classes_free(&c);
                return mlp_error_set(err, MLP_EINVAL, "label '%s' is missing in row %zu",
                                     label, i + 1);
            }
            d->y[i] = c.of[i];
        }
        *classes = c.names;
        c.names = NULL;
        mlp_classes_free(&c);
    }
    for (size_t j = 0; j < d->k; j++) {
        const char *name = value ? value : cJSON_GetStringValue(cJSON_GetArrayItem(probs,
                                                                                   (int)j));
        const mlp_column *c = mlp_table_find(d->raw, name);
        if (c == NULL || c->type != MLP_COL_NUMERIC)
            return mlp_error_set(err, MLP_EINVAL, "%s: split '%s' has no numeric column "
                                 "'%s'", value ? "prediction" : "probabilities", d->split,
                                 name);
        for (size_t i = 0; i < d->n; i++) {
            double v = mlp_column_number(c, i);
            if (!isfinite(v) || (!value && (v < 0 || v > 1)))
                return mlp_error_set(err, MLP_EINVAL, "column '%s' is %g in row %zu: "
                                     "expected %s", name, v, i + 1,
                                     value ? "a finite value" : "a probability in [0, 1]");
            d->p[i * d->k + j] = v;
        }
    }
    if (value != NULL)
        for (size_t i = 0; i < d->n; i++) {
            d->y[i] = mlp_column_number(y, i);
            if (isnan(d->y[i]) && skip_missing(ctx))
                continue;
            if (!isfinite(d->y[i]))
                return mlp_error_set(err, MLP_EINVAL, "label '%s' is missing in row %zu",
                                     label, i + 1);
        }
    return MLP_OK;
}

static int pick_positive(mlp_ctx *ctx, ev_data *d, mlp_error *err)
{
    const char *want = mlp_ctx_param_string(ctx, "positive_class");
    char name[256];

    d->positive = d->k - 1;
    if (d->task != MLP_TASK_CLASSIFICATION && want != NULL)
        return mlp_error_set(err, MLP_EINVAL, "positive_class: a regression has no classes");
    if (d->task != MLP_TASK_CLASSIFICATION)
        return MLP_OK;
    /* Integer classes have an order (scikit-learn's pos_label 1 is the
     * last of 0/1); text classes are in the order ingestion met them, so
     * which one is positive must be said. */
    if (want == NULL && !cJSON_IsNumber(cJSON_GetArrayItem(d->classes, (int)d->k - 1))) {
        if (d->k > 2) {
            d->positive = SIZE_MAX;  /* no positive class: no rates of one */
            return MLP_OK;
        }
        return mlp_error_set(err, MLP_EINVAL, "positive_class: the classes are text (%s ...), "
                             "in the order the data gave them; name the positive one",
                             cJSON_GetStringValue(cJSON_GetArrayItem(d->classes, 0)));
    }
    if (want == NULL)
        return MLP_OK;
    for (size_t c = 0; c < d->k; c++) {
        mlp_class_name(cJSON_GetArrayItem(d->classes, (int)c), name, sizeof name);
        if (strcmp(name, want) == 0) {
            d->positive = c;
            return MLP_OK;
        }
    }
    return mlp_error_set(err, MLP_EINVAL, "positive_class: the model has no class '%s'",
                         want);
}

/* A threshold the evaluation cannot check is refused, never passed. */
static int thresholds_fit(mlp_ctx *ctx, const cJSON *overall, mlp_error *err)
{
    static const char *const params[] = { "thresholds", "slice_thresholds",
                                          "change_thresholds" };
    int fair = cJSON_GetArraySize(mlp_ctx_param(ctx, "fairness")) > 0;

    for (int i = 0; i < 3; i++) {
        const cJSON *t;
        cJSON_ArrayForEach(t, mlp_ctx_param(ctx, params[i])) {
            int gap = strstr(t->string, "_difference") || strstr(t->string, "_ratio") ||
                      strstr(t->string, "_gap");
            if (gap && (i != 0 || !fair))
                return mlp_error_set(err, MLP_EINVAL, "%s: '%s' is a fairness gap: set "
                                     "fairness = { features } and put it in thresholds",
                                     params[i], t->string);
            if (!gap && cJSON_GetObjectItemCaseSensitive(overall, t->string) == NULL)
                return mlp_error_set(err, MLP_EINVAL, "%s: '%s' is not computed for a %s",
                                     params[i], t->string,
                                     cJSON_GetObjectItemCaseSensitive(overall, "r2")
                                         ? "regression" : "classifier of these classes");
        }
    }
    return MLP_OK;
}

static int write_predictions(mlp_artifact *out, const ev_data *d, mlp_error *err)
{
    mlp_table *t = mlp_table_new(d->n);
    double *col = malloc(d->n * sizeof *col + 1);
    char path[4096], name[300], cls[256];
    int rc = t && col ? MLP_OK : mlp_error_set(err, MLP_ENOMEM, "out of memory");

    if (rc == MLP_OK)
        rc = mlp_table_add_numeric(t, "target", d->y, NULL, err);
    for (size_t j = 0; rc == MLP_OK && j < d->k; j++) {
        for (size_t i = 0; i < d->n; i++)
            col[i] = d->p[i * d->k + j];
        if (d->classes) {
            mlp_class_name(cJSON_GetArrayItem(d->classes, (int)j), cls, sizeof cls);
            snprintf(name, sizeof name, "p_%s", cls);
        } else {
            snprintf(name, sizeof name, "prediction");
        }
        rc = mlp_table_add_numeric(t, name, col, NULL, err);
    }
    if (rc == MLP_OK)
        rc = mlp_artifact_path(out, "predictions.mlpt", path, sizeof path, err);
    if (rc == MLP_OK)
        rc = mlp_table_write(t, path, err);
    mlp_table_free(t);
    free(col);
    return rc;
}

static cJSON *slice_metrics(mlp_ctx *ctx, const ev_data *d, const ev_slice *s, size_t ns)
{
    cJSON *arr = cJSON_CreateArray();
    size_t min = (size_t)mlp_ctx_param_int(ctx, "min_slice_size");
    size_t draws = (size_t)mlp_ctx_param_int(ctx, "bootstrap");

    for (size_t i = 0; i < ns; i++) {
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "feature", s[i].feature);
        cJSON_AddStringToObject(e, "value", s[i].value);
        cJSON_AddItemToObject(e, "rows", mlp_json_int((int64_t)s[i].n));
        if (s[i].n < min)
            cJSON_AddTrueToObject(e, "small");
        cJSON_AddItemToObject(e, "metrics", s[i].n ? ev_metrics(d, s[i].rows, s[i].n, 0)
                                                   : cJSON_CreateNull());
        if (draws > 0 && s[i].n >= min && s[i].n > 0)
            cJSON_AddItemToObject(e, "intervals",
                                  ev_bootstrap(d, s[i].rows, s[i].n, draws,
                                               mlp_ctx_param_float(ctx, "confidence"),
                                               (uint64_t)mlp_ctx_param_int(ctx, "seed") + i + 1));
        cJSON_AddItemToArray(arr, e);
    }
    return arr;
}

static void class_list(const cJSON *classes, char *buf, size_t size)
{
    const cJSON *c;
    size_t k = 0;

    buf[0] = '\0';
    cJSON_ArrayForEach(c, classes) {
        char name[256];
        mlp_class_name(c, name, sizeof name);
        k += (size_t)snprintf(buf + k, k < size ? size - k : 0, "%s%s", k ? ", " : "", name);
    }
}

/* map[c]: where the baseline's class c is among the model's classes, by
 * name; a class either lacks is refused, naming both lists. */
static int class_map(const cJSON *base, const cJSON *mine, size_t **out, mlp_error *err)
{
    size_t kb = (size_t)cJSON_GetArraySize(base), km = (size_t)cJSON_GetArraySize(mine);
    size_t *map = malloc((kb + 1) * sizeof *map);
    int ok = kb == km;

    if (map == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");

    for (size_t c = 0; ok && c < kb; c++) {
        char a[256], b[256];
        mlp_class_name(cJSON_GetArrayItem(base, (int)c), a, sizeof a);
        map[c] = SIZE_MAX;
        for (size_t j = 0; j < km && map[c] == SIZE_MAX; j++) {
            mlp_class_name(cJSON_GetArrayItem(mine, (int)j), b, sizeof b);
            if (strcmp(a, b) == 0)
                map[c] = j;
        }
        ok = map[c] != SIZE_MAX;
    }
    if (!ok) {
        char lb[512], lm[512];
        free(map);
        class_list(base, lb, sizeof lb);
        class_list(mine, lm, sizeof lm);
        return mlp_error_set(err, MLP_EINVAL, "its classes (%s) are not the model's (%s)",
                             lb, lm);
    }
    *out = map;
    return MLP_OK;
}

/* The baseline model's overall metrics on the same rows. */
static int baseline_metrics(mlp_ctx *ctx, const ev_data *d, cJSON **out, mlp_error *err)
{
    const mlp_artifact *b = mlp_ctx_input(ctx, "baseline", 0);
    mlp_model *m = NULL;
    ev_data bd = *d;
    int rc;

    *out = NULL;
    if (b == NULL)
        return MLP_OK;
    rc = mlp_model_open(ctx, b, &m, err);
    if (rc == MLP_OK && mlp_model_n_outputs(m) != d->k)
        rc = mlp_error_set(err, MLP_EINVAL, "it predicts %zu values per row, the model %zu",
                           mlp_model_n_outputs(m), d->k);
    /* Compared on the same rows, it must predict the same target in the
     * same classes, or its scores say nothing about the model's. */
    if (rc == MLP_OK && d->label != NULL && strcmp(mlp_model_label(m), d->label) != 0)
        rc = mlp_error_set(err, MLP_EINVAL, "it predicts '%s', the model '%s'",
                           mlp_model_label(m), d->label);
    /* The same classes by name (a label read as numbers or as text), in
     * any order: its probability columns are put in the model's. */
    size_t *map = NULL;
    if (rc == MLP_OK && d->classes != NULL)
        rc = class_map(mlp_model_classes(m), d->classes, &map, err);
    /* Its own graph: the rows must be raw, or what that graph made. */
    if (rc == MLP_OK)
        rc = mlp_model_holds_features(m, d->ex, &bd.features_given, err);
    if (rc == MLP_OK)
        rc = predict_rows(m, &bd, &bd.p, err);
    if (rc == MLP_OK && map != NULL) {
        double *row = malloc((d->k + 1) * sizeof *row);
        if (row == NULL)
            rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
        for (size_t i = 0; rc == MLP_OK && i < d->n; i++) {
            for (size_t c = 0; c < d->k; c++)
                row[map[c]] = bd.p[i * d->k + c];
            memcpy(bd.p + i * d->k, row, d->k * sizeof *row);
        }
        free(row);
        if (rc != MLP_OK)
            free(bd.p);
    }
    free(map);
    if (rc == MLP_OK) {
        *out = ev_metrics(&bd, NULL, d->n, 0);
        free(bd.p);
        mlp_ctx_log(ctx, MLP_LOG_INFO, "baseline: model artifact %lld (%s)",
                    (long long)mlp_artifact_id(b), mlp_artifact_uri(b));
    }
    if (rc != MLP_OK)
        mlp_error_prefix(err, "baseline (model artifact %lld)", (long long)mlp_artifact_id(b));
    mlp_model_close(m);
    return rc;
}

static int run(mlp_ctx *ctx)
{
    const mlp_artifact *ex = mlp_ctx_input(ctx, "examples", 0);
    const mlp_artifact *ma = mlp_ctx_input(ctx, "model", 0);
    mlp_artifact *eo = mlp_ctx_output(ctx, "evaluation"), *bo = mlp_ctx_output(ctx, "blessing");
    ev_data d;
    mlp_table *raw = NULL;
    mlp_model *m = NULL;
    ev_slice *sl = NULL;
    size_t ns = 0;
    cJSON *doc = cJSON_CreateObject(), *classes = NULL, *fair = NULL, *base = NULL, *bless = NULL;
    mlp_error err;
    int rc, blessed = 0;

    memset(&d, 0, sizeof d);
    mlp_error_clear(&err);
    d.split = mlp_ctx_param_string(ctx, "split");
    d.ex = ex;
    if (!mlp_examples_has_split(ex, d.split))
        rc = mlp_error_set(&err, MLP_EINVAL, "split: the Examples at %s have no split '%s'",
                           mlp_artifact_uri(ex), d.split);
    else
        rc = mlp_examples_read(ex, d.split, &raw, &err);
    d.raw = raw;
    d.n = raw ? mlp_table_n_rows(raw) : 0;
    if (rc == MLP_OK && d.n == 0)
        rc = mlp_error_set(&err, MLP_EINVAL, "split '%s' has no rows to evaluate on", d.split);
    if (rc == MLP_OK && ma != NULL) {
        size_t bad;
        const char *want = mlp_ctx_param_string(ctx, "label");
        rc = mlp_model_open(ctx, ma, &m, &err);
        /* The model's label is the target; naming another is a mistake. */
        if (rc == MLP_OK && want != NULL && strcmp(want, mlp_model_label(m)) != 0)
            rc = mlp_error_set(&err, MLP_EINVAL, "label: the model predicts '%s', not '%s' "
                               "(leave label unset with a model)", mlp_model_label(m), want);
        if (rc == MLP_OK) {
            d.task = mlp_model_task_of(m);
            d.k = mlp_model_n_outputs(m);
            d.classes = mlp_model_classes(m);
            d.label = mlp_model_label(m);
            rc = mlp_model_targets(m, raw, 0, skip_missing(ctx), &d.y, &bad, &err);
        }
        if (rc == MLP_OK)
            rc = mlp_model_holds_features(m, ex, &d.features_given, &err);
        if (rc == MLP_OK && d.features_given)
            mlp_ctx_log(ctx, MLP_LOG_INFO, "split '%s' holds the model's features: its "
                        "transform graph is not applied again", d.split);
        if (rc == MLP_OK)
            rc = predict_rows(m, &d, &d.p, &err);
    } else if (rc == MLP_OK) {
        rc = saved_predictions(ctx, &d, &classes, &err);
        d.classes = classes;
    }
    size_t skipped = 0;
    if (rc == MLP_OK)
        rc = drop_unlabelled(&d, &raw, &skipped, &err);
    if (rc == MLP_OK)
        rc = pick_positive(ctx, &d, &err);
    if (rc == MLP_OK && d.task == MLP_TASK_CLASSIFICATION && d.k > 2 &&
        cJSON_GetArraySize(mlp_ctx_param(ctx, "fairness")) > 0 &&
        mlp_ctx_param_string(ctx, "positive_class") == NULL)
        rc = mlp_error_set(&err, MLP_EINVAL, "positive_class: fairness compares one class's "
                           "rates; name it for a model of %zu classes", d.k);
    cJSON *overall = rc == MLP_OK ? ev_metrics(&d, NULL, d.n, 1) : NULL;
    if (rc == MLP_OK)
        rc = thresholds_fit(ctx, overall, &err);
    if (rc == MLP_OK)
        rc = ev_make_slices(&d, mlp_ctx_param(ctx, "slices"),
                            (size_t)mlp_ctx_param_int(ctx, "max_slice_values"), &sl, &ns, &err);
    if (rc == MLP_OK)
        rc = ev_fairness(&d, mlp_ctx_param(ctx, "fairness"),
                         mlp_ctx_param(ctx, "fairness_reference"),
                         (size_t)mlp_ctx_param_int(ctx, "min_slice_size"), &fair, &err);
    if (rc == MLP_OK)
        rc = baseline_metrics(ctx, &d, &base, &err);
    if (rc == MLP_OK) {
        char pos[256] = "";
        cJSON_AddStringToObject(doc, "format", "mlpipe.evaluation");
        cJSON_AddNumberToObject(doc, "version", 1);
        cJSON_AddStringToObject(doc, "split", d.split);
        cJSON_AddStringToObject(doc, "task", d.task == MLP_TASK_CLASSIFICATION
                                                 ? "classification" : "regression");
        if (ma)
            cJSON_AddItemToObject(doc, "model", mlp_json_int(mlp_artifact_id(ma)));
        if (d.classes) {
            cJSON_AddItemToObject(doc, "classes", cJSON_Duplicate(d.classes, 1));
            if (d.positive != SIZE_MAX) {
                mlp_class_name(cJSON_GetArrayItem(d.classes, (int)d.positive), pos, sizeof pos);
                cJSON_AddStringToObject(doc, "positive_class", pos);
            }
        }
        cJSON_AddItemToObject(doc, "rows", mlp_json_int((int64_t)d.n));
        if (skipped > 0)
            cJSON_AddItemToObject(doc, "rows_without_label", mlp_json_int((int64_t)skipped));
        cJSON_AddItemToObject(doc, "min_slice_size",
                              mlp_json_int(mlp_ctx_param_int(ctx, "min_slice_size")));
        cJSON_AddItemToObject(doc, "overall", overall);
        overall = NULL;
        if (mlp_ctx_param_int(ctx, "bootstrap") > 0) {
            cJSON *bs = cJSON_AddObjectToObject(doc, "bootstrap");
            cJSON_AddItemToObject(bs, "draws", mlp_json_int(mlp_ctx_param_int(ctx, "bootstrap")));
            cJSON_AddNumberToObject(bs, "confidence", mlp_ctx_param_float(ctx, "confidence"));
            cJSON_AddItemToObject(bs, "intervals",
                                  ev_bootstrap(&d, NULL, d.n,
                                               (size_t)mlp_ctx_param_int(ctx, "bootstrap"),
                                               mlp_ctx_param_float(ctx, "confidence"),
                                               (uint64_t)mlp_ctx_param_int(ctx, "seed")));
        }
        cJSON_AddItemToObject(doc, "slices", slice_metrics(ctx, &d, sl, ns));
        cJSON_AddItemToObject(doc, "fairness", fair);
        fair = NULL;
        if (base)
            cJSON_AddItemToObject(doc, "baseline", cJSON_Duplicate(base, 1));
        bless = ev_checks(doc, mlp_ctx_param(ctx, "thresholds"),
                          mlp_ctx_param(ctx, "slice_thresholds"),
                          mlp_ctx_param(ctx, "change_thresholds"), base, &blessed);
        if (ma)
            cJSON_AddItemToObject(bless, "model", mlp_json_int(mlp_artifact_id(ma)));
        if (base)
            cJSON_AddItemToObject(bless, "baseline_model", mlp_json_int(mlp_artifact_id(
                                      mlp_ctx_input(ctx, "baseline", 0))));
        rc = mlp_artifact_write_json(eo, "evaluation.json", doc, &err);
    }
    if (rc == MLP_OK)
        rc = write_predictions(eo, &d, &err);
    if (rc == MLP_OK)
        rc = mlp_artifact_write_json(bo, "blessing.json", bless, &err);
    if (rc == MLP_OK)
        rc = mlp_artifact_set_property(eo, "overall", cJSON_Duplicate(
                                           cJSON_GetObjectItemCaseSensitive(doc, "overall"), 1),
                                       &err);
    if (rc == MLP_OK)
        rc = mlp_artifact_set_property(bo, "blessed", cJSON_CreateBool(blessed), &err);
    if (rc == MLP_OK && ma)
        rc = mlp_artifact_set_property(bo, "model", mlp_json_int(mlp_artifact_id(ma)), &err);
    if (rc == MLP_OK && !blessed) {
        const cJSON *c;
        char why[600] = "";
        cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(bless, "checks"))
            if (strcmp(mlp_json_str(c, "status"), "failed") == 0 && why[0] == '\0')
                snprintf(why, sizeof why, "%s (%s)", mlp_json_str(c, "why"),
                         mlp_json_str(c, "scope"));
        mlp_ctx_gate(ctx, "the model is not blessed: %d check%s failed, first %s",
                     (int)mlp_json_num(bless, "failed"),
                     mlp_json_num(bless, "failed") == 1 ? "" : "s", why);
    }
    cJSON_Delete(overall);
    cJSON_Delete(doc);
    cJSON_Delete(bless);
    cJSON_Delete(fair);
    cJSON_Delete(base);
    cJSON_Delete(classes);
    ev_slices_free(sl, ns);
    mlp_free(d.y);
    free(d.p);
    mlp_model_close(m);
    mlp_table_free(raw);
    return rc == MLP_OK ? MLP_OK : mlp_ctx_fail_error(ctx, &err);
}

static const mlp_port inputs[] = {
    { "examples", MLP_TYPE_EXAMPLES, 0, "the rows to evaluate on (raw rows when the model "
      "has its transform graph)" },
    { "model", MLP_TYPE_MODEL, MLP_PORT_OPTIONAL, "the model; without one, the split's "
      "columns hold saved predictions (probabilities or prediction)" },
    { "baseline", MLP_TYPE_MODEL, MLP_PORT_OPTIONAL, "\"latest_blessed\" (the newest model "
      "this pipeline blessed before), or a model: what change_thresholds compare "
      "with (on the same rows)" },
    MLP_PORTS_END
};
static const mlp_port outputs[] = {
    { "evaluation", MLP_TYPE_EVALUATION, 0, "evaluation.json (metrics overall, per slice, "
      "fairness, curves) and predictions.mlpt" },
    { "blessing", MLP_TYPE_BLESSING, 0, "blessing.json: every check, its value and why it "
      "passed or failed" },
    MLP_PORTS_END
};

#define METRIC_MAP(name, doc)                                                        \
    { name, MLP_PARAM_MAP, "{}", MLP_PARAM_OF(MLP_PARAM_FLOAT), 0, 0, ev_metric_names, doc }

static const mlp_param_spec params[] = {
    { "split", MLP_PARAM_STRING, "\"eval\"", 0, 0, 0, NULL, "the split evaluated" },
    { "slices", MLP_PARAM_LIST, "[]", 0, 0, 0, NULL,
      "slicing specs: \"col\" (per value), { \"a\", \"b\" } (per crossing), "
      "{ feature = \"age\", boundaries = { 30, 50 } } (per bucket)" },
    { "min_slice_size", MLP_PARAM_INT, "30", MLP_PARAM_HAS_MIN, 1, 0, NULL,
      "slices and groups with fewer rows are flagged small and skip slice thresholds" },
    { "max_slice_values", MLP_PARAM_INT, "100", MLP_PARAM_HAS_MIN, 1, 0, NULL,
      "a slicing column with more values is refused (bucket it)" },
    { "fairness", MLP_PARAM_LIST, "[]", MLP_PARAM_OF(MLP_PARAM_STRING), 0, 0, NULL,
      "sensitive features whose groups' rates are compared" },
    { "fairness_reference", MLP_PARAM_MAP, "{}", MLP_PARAM_OF(MLP_PARAM_STRING), 0, 0, NULL,
      "feature -> reference group (default: gaps between groups)" },
    { "positive_class", MLP_PARAM_STRING, "null", 0, 0, 0, NULL,
      "the class whose precision, recall, rates and curves are reported (default: the "
      "last class)" },
    { "bootstrap", MLP_PARAM_INT, "0", MLP_PARAM_HAS_MIN | MLP_PARAM_HAS_MAX, 0, 100000, NULL,
      "resamples for confidence intervals (0: none; at most 100,000)" },
    { "confidence", MLP_PARAM_FLOAT, "0.95", MLP_PARAM_HAS_MIN | MLP_PARAM_HAS_MAX |
      MLP_PARAM_MIN_EXCLUSIVE, 0, 1, NULL, "the intervals' coverage" },
    { "seed", MLP_PARAM_INT, "0", MLP_PARAM_HAS_MIN, 0, 0, NULL, "seeds the resamples" },
    METRIC_MAP("thresholds", "metric -> bound the model must meet overall (a minimum for "
               "accuracy, auc, ...; a maximum for losses and fairness gaps, checked per "
               "fairness feature)"),
    METRIC_MAP("slice_thresholds", "metric -> bound every slice of at least min_slice_size "
               "rows must meet"),
    { "change_thresholds", MLP_PARAM_MAP, "{}", MLP_PARAM_OF(MLP_PARAM_FLOAT) |
      MLP_PARAM_HAS_MIN, 0, 0, ev_metric_names,
      "metric -> how much worse than the baseline model it may be" },
    { "missing_label", MLP_PARAM_ENUM, "\"error\"", 0, 0, 0, mlp_train_missing_label_modes,
      "a row whose label is missing: error, or skip (left out of every metric, counted)" },
    { "label", MLP_PARAM_STRING, "null", 0, 0, 0, NULL,
      "without a model: the target column (default: the Examples' label)" },
    { "probabilities", MLP_PARAM_LIST, "[]", MLP_PARAM_OF(MLP_PARAM_STRING), 0, 0, NULL,
      "without a model: the class probability columns, in the label's class order" },
    { "prediction", MLP_PARAM_STRING, "null", 0, 0, 0, NULL,
      "without a model: a regression's predicted value column" },
    MLP_PARAMS_END
};

static const mlp_component components[] = {
    { "evaluate", MLP_STAGE_ANALYZE, "Scores a model (or saved predictions) overall, per "
      "slice and per sensitive group, and blesses it against thresholds (TFMA)", inputs,
      outputs, params, run, { NULL } },
    MLP_COMPONENTS_END
};

static const mlp_type_desc types[] = {
    { MLP_TYPE_EVALUATION, "a model's metrics overall, per slice and per group",
      "{\"files\": [\"evaluation.json\", \"predictions.mlpt\"]}", ev_view, ev_view, { NULL } },
    { MLP_TYPE_BLESSING, "whether a model passed its checks, and each check",
      "{\"properties\": {\"blessed\": \"boolean\"}, \"files\": [\"blessing.json\"]}",
      ev_blessing_view, ev_blessing_view, { NULL } },
    MLP_TYPES_END
};

MLP_PLUGIN_DEFINE_TYPES(evaluate, "evaluate", "0.1.0", "MIT",
                        "model evaluation, slices, fairness and blessing", components, types,
                        NULL, NULL);
