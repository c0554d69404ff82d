/* mlp_train_run: everything a trainer component does besides fitting --
 * rows in, the Model artifact out -- so that every trainer, ours or a
 * third party's, reads, weights, reports and saves the same way. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mlpipe/classes.h>
#include <mlpipe/examples.h>
#include <mlpipe/json.h>
#include <mlpipe/memory.h>
#include <mlpipe/model.h>
#include <mlpipe/transform.h>

#include "context_priv.h"
#include "fsutil.h"
#include "model_priv.h"
#include "train_priv.h"

const char *const mlp_train_tasks[] = { "auto", "classification", "regression", NULL };
const char *const mlp_train_class_weight_modes[] = { "none", "balanced", NULL };
const char *const mlp_train_missing_label_modes[] = { "error", "skip", NULL };
const char *const mlp_train_target_modes[] = { "hard", "soft", NULL };

const mlp_port mlp_train_inputs[] = {
    { "examples", MLP_TYPE_EXAMPLES, 0, "features and label: the train split, and the "
      "eval split for the training curve" },
    { "transform_graph", MLP_TYPE_TRANSFORM_GRAPH, MLP_PORT_OPTIONAL,
      "the graph that made the features: copied into the model, so it predicts from "
      "raw rows" },
    MLP_PORTS_END
};

const mlp_port mlp_train_outputs[] = {
    { "model", MLP_TYPE_MODEL, 0, "model.json, weights.bin and the transform graph" },
    MLP_PORTS_END
};

/* ------------------------------------------------------------ scoring */

void mlp_fit_score(mlp_model_task task, size_t k, const mlp_rows *rows, const double *pred,
                   double *loss, double *metric)
{
    double sw = 0, sl = 0, sm = 0, mean = 0;
    size_t n = rows->n_rows;

    if (task == MLP_TASK_CLASSIFICATION) {
        for (size_t i = 0; i < n; i++) {
            double w = rows->w ? rows->w[i] : 1.0, p, s = 0;
            long y = (long)rows->y[i];
            const double *pi = pred + i * k;
            size_t best = 0;
            for (size_t c = 1; c < k; c++)
                if (pi[c] > pi[best])
                    best = c;
            /* scikit-learn 1.2's log_loss: clipped to [eps, 1 - eps], each
             * row renormalised. */
            for (size_t c = 0; c < k; c++)
                s += fmin(fmax(pi[c], DBL_EPSILON), 1 - DBL_EPSILON);
            p = y >= 0 ? fmin(fmax(pi[y], DBL_EPSILON), 1 - DBL_EPSILON) : DBL_EPSILON;
            sw += w;
            sl -= w * log(p / s);
            sm += y >= 0 && (size_t)y == best ? w : 0;
        }
        *loss = sw > 0 ? sl / sw : NAN;
        *metric = sw > 0 ? sm / sw : NAN;
        return;
    }
    for (size_t i = 0; i < n; i++) {
        double w = rows->w ? rows->w[i] : 1.0;
        sw += w;
        mean += w * rows->y[i];
    }
    mean = sw > 0 ? mean / sw : 0;
    for (size_t i = 0; i < n; i++) {
        double w = rows->w ? rows->w[i] : 1.0, r = rows->y[i] - pred[i],
               t = rows->y[i] - mean;
        sl += w * r * r;
        sm += w * t * t;
    }
    *loss = sw > 0 ? sl / sw : NAN;
    /* A constant target: scikit-learn's r2_score gives 1 for a perfect
     * fit and 0 otherwise rather than dividing by zero. */
    *metric = n < 2 ? NAN : sm > 0 ? 1 - sl / sm : sl == 0 ? 1.0 : 0.0;
}

int mlp_fit_report(const mlp_fit_spec *spec, mlp_epoch *e, const mlp_rows *eval,
                   const double *pred_eval)
{
    e->eval_loss = e->eval_metric = NAN;
    if (eval != NULL && pred_eval != NULL)
        mlp_fit_score(spec->task, spec->n_classes, eval, pred_eval, &e->eval_loss,
                      &e->eval_metric);
    return spec->epoch ? spec->epoch(spec->user, e) : 0;
}

/* ---------------------------------------------------------------- run */

typedef struct run_state {
    mlp_ctx *ctx;
    cJSON *curve;
    mlp_model_task task;
} run_state;

static int on_epoch(void *user, const mlp_epoch *e)
{
    run_state *s = user;
    cJSON *p = cJSON_CreateObject();
    const char *metric = s->task == MLP_TASK_CLASSIFICATION ? "accuracy" : "r2";

    cJSON_AddItemToObject(p, "epoch", mlp_json_int((int64_t)e->epoch));
    cJSON_AddItemToObject(p, "loss", mlp_json_number(e->loss));
    cJSON_AddItemToObject(p, "eval_loss", mlp_json_number(e->eval_loss));
    cJSON_AddItemToObject(p, "eval_metric", mlp_json_number(e->eval_metric));
    cJSON_AddItemToObject(p, "rows_per_s", mlp_json_number(e->rows_per_s));
    cJSON_AddItemToArray(s->curve, p);
    if (isnan(e->eval_metric))
        mlp_ctx_log(s->ctx, MLP_LOG_INFO, "epoch %zu: loss %.6g, %.0f rows/s", e->epoch,
                    e->loss, e->rows_per_s);
    else
        mlp_ctx_log(s->ctx, MLP_LOG_INFO, "epoch %zu: loss %.6g, eval loss %.6g, eval %s "
                    "%.4f, %.0f rows/s", e->epoch, e->loss, e->eval_loss, metric,
                    e->eval_metric, e->rows_per_s);
    mlp_ctx_progress(s->ctx, e->epoch, e->max_epochs ? e->max_epochs : e->epoch, "epochs");
    return mlp_ctx_cancelled(s->ctx);
}

int mlpi_train_pick_task(const cJSON *params, const mlp_trainer *t, const mlp_artifact *ex,
                         const char *label, mlp_model_task *task, mlp_error *err)
{
    const char *want = mlp_json_str(params, "task");
    const cJSON *col;
    const char *type = "";

    cJSON_ArrayForEach(col, mlp_artifact_property(ex, "columns"))
        if (strcmp(mlp_json_str(col, "name"), label) == 0)
            type = mlp_json_str(col, "type");
    if (strcmp(want, "classification") == 0)
        *task = MLP_TASK_CLASSIFICATION;
    else if (strcmp(want, "regression") == 0)
        *task = MLP_TASK_REGRESSION;
    else if (t->tasks == MLP_TRAINS_CLASSIFICATION || t->tasks == MLP_TRAINS_REGRESSION)
        *task = t->tasks == MLP_TRAINS_CLASSIFICATION ? MLP_TASK_CLASSIFICATION
                                                      : MLP_TASK_REGRESSION;
    else if (strcmp(type, "categorical") == 0)
        *task = MLP_TASK_CLASSIFICATION;
    else
        return mlp_error_set(err, MLP_EINVAL, "task: label '%s' is %s; say task = "
                             "\"classification\" or \"regression\"", label,
                             *type ? type : "of unknown type");
    if (!(t->tasks & (1u << *task)))
        return mlp_error_set(err, MLP_EINVAL, "task: this trainer does not do %s", want);
    return MLP_OK;
}

int mlpi_class_weight_table(const cJSON *params, const cJSON *classes, const double *y,
                            const double *share, const size_t *rows, size_t n,
                            mlp_model_task task, double *cw, int *any, mlp_error *err)
{
    int balanced = strcmp(mlp_json_str(params, "class_weight"), "balanced") == 0;
    const cJSON *given = cJSON_GetObjectItem(params, "class_weights"), *e;
    size_t k = (size_t)cJSON_GetArraySize(classes);
    double *count, total = 0;

    *any = 0;
    if (task != MLP_TASK_CLASSIFICATION) {
        if (balanced || cJSON_GetArraySize(given) > 0)
            return mlp_error_set(err, MLP_EINVAL, "%s: a regression has no classes to "
                                 "weight", balanced ? "class_weight" : "class_weights");
        return MLP_OK;
    }
    count = calloc(k + 1, sizeof *count);
    if (count == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        size_t r = rows ? rows[i] : i;
        double one = share ? share[r] : 1.0;
        count[(size_t)y[r]] += one;
        total += one;
    }
    /* A class these rows lack weighs nothing in them: any finite value. */
    for (size_t c = 0; c < k; c++)
        cw[c] = balanced && count[c] > 0 ? total / ((double)k * count[c]) : 1.0;
    free(count);
    *any = balanced;
    cJSON_ArrayForEach(e, given) {
        size_t c = 0;
        for (; c < k; c++) {
            char buf[1024];
            mlp_class_name(cJSON_GetArrayItem(classes, (int)c), buf, sizeof buf);
            if (strcmp(e->string, buf) == 0)
                break;
        }
        if (c == k)
            return mlp_error_set(err, MLP_EINVAL, "class_weights: the train split has no "
                                 "class '%s'", e->string);
        cw[c] *= e->valuedouble;
        *any = 1;
    }
    return MLP_OK;
}

/* Row weights from class_weight and class_weights; NULL when all are 1. */
static int class_weights(mlp_ctx *ctx, const cJSON *classes, mlpi_split_rows *r,
                         mlp_model_task task, cJSON *record, mlp_error *err)
{
    size_t k = (size_t)cJSON_GetArraySize(classes);
    double *cw = malloc((k + 1) * sizeof *cw);
    int any = 0, rc;

    if (cw == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    rc = mlpi_class_weight_table(ctx->params, classes, r->y, r->w_score, NULL, r->n, task, cw,
                                 &any, err);
    if (rc == MLP_OK && any) {
        /* Soft targets weigh rows already: the class's weight multiplies. */
        int had = r->w != NULL;
        if (!had)
            r->w = malloc(r->n * sizeof *r->w + 1);
        if (r->w == NULL)
            rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
        for (size_t i = 0; rc == MLP_OK && i < r->n; i++)
            r->w[i] = (had ? r->w[i] : 1.0) * cw[(size_t)r->y[i]];
        for (size_t c = 0; rc == MLP_OK && c < k; c++)
            cJSON_AddItemToArray(record, mlp_json_number(cw[c]));
    }
    free(cw);
    return rc;
}

/* The eval split: the parameter, else "eval" when there is one. */
static int pick_eval(mlp_ctx *ctx, const mlp_artifact *ex, const char *train,
                     const char **out, mlp_error *err)
{
    const char *e = mlp_ctx_param_string(ctx, "eval_split");

    *out = NULL;
    if (e == NULL) {
        if (mlp_examples_has_split(ex, "eval") && strcmp(train, "eval") != 0)
            *out = "eval";
        return MLP_OK;
    }
    if (*e == '\0')
        return MLP_OK;
    if (strcmp(e, train) == 0)
        return mlp_error_set(err, MLP_EINVAL, "eval_split: '%s' is the train split", e);
    if (!mlp_examples_has_split(ex, e))
        return mlp_error_set(err, MLP_EINVAL, "eval_split: the Examples at %s have no "
                             "split '%s'", mlp_artifact_uri(ex), e);
    *out = e;
    return MLP_OK;
}

/* Copies the graph into the model after checking it makes every feature. */
static int adopt_graph(mlp_ctx *ctx, mlp_artifact *out, char *const *feat, size_t d,
                       cJSON *doc, mlp_error *err)
{
    const mlp_artifact *g = mlp_ctx_input(ctx, "transform_graph", 0);
    cJSON *gd = NULL;
    int rc;

    if (g == NULL)
        return MLP_OK;
    if ((rc = mlp_artifact_read_json(g, MLPI_MODEL_GRAPH_FILE, &gd, err)) != MLP_OK)
        return rc;
    /* The rows must be what this graph made: a model trained on raw rows
     * but served through a graph would see other numbers than it learnt. */
    char made_by[17];
    const char *rows_by = cJSON_GetStringValue(mlp_artifact_property(
        mlp_ctx_input(ctx, "examples", 0), "transform_graph_hash"));
    mlp_tgraph_doc_hash(gd, made_by);
    if (rows_by == NULL || strcmp(rows_by, made_by) != 0)
        rc = mlp_error_set(err, MLP_EINVAL, "transform_graph: the examples were not made by "
                           "this graph (%s): train on the examples output of the transform "
                           "that made it", rows_by ? "another graph made them"
                                                   : "they are raw rows");
    /* Rows a graph made hold its outputs and passthrough columns only;
     * a component downstream that kept the mark but added a column would
     * still be caught here. */
    for (size_t j = 0; rc == MLP_OK && j < d; j++) {
        const cJSON *x;
        int found = 0;
        cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(gd, "outputs"))
            found |= cJSON_IsString(x) && strcmp(x->valuestring, feat[j]) == 0;
        cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(gd, "passthrough"))
            found |= cJSON_IsString(x) && strcmp(x->valuestring, feat[j]) == 0;
        if (!found)
            rc = mlp_error_set(err, MLP_EINVAL, "transform_graph: feature '%s' is neither "
                               "an output nor a passthrough column of the graph at %s, so "
                               "a prediction from raw rows could not make it", feat[j],
                               mlp_artifact_uri(g));
    }
    if (rc == MLP_OK)
        rc = mlp_artifact_copy_file(out, g, MLPI_MODEL_GRAPH_FILE, err);
    if (rc == MLP_OK) {
        char hex[17];
        mlp_tgraph_doc_hash(gd, hex);
        cJSON_AddStringToObject(doc, "transform_graph_hash", hex);
        cJSON_AddStringToObject(doc, "transform_graph", MLPI_MODEL_GRAPH_FILE);
        cJSON_AddItemToObject(doc, "transform_graph_artifact", mlp_json_int(mlp_artifact_id(g)));
    }
    cJSON_Delete(gd);
    return rc;
}

static mlp_rows as_rows(const mlpi_split_rows *r)
{
    mlp_rows x = { r->n, r->d, r->x, r->x ? r->n : 0, r->xf, r->y, r->w };
    return x;
}

/* Final scores of the fitted model on a split, into metrics[name]. */
static int final_scores(const mlp_trainer *t, void *model, const mlp_fit_spec *spec,
                        const mlpi_split_rows *r, const char *name, cJSON *metrics,
                        mlp_error *err)
{
    size_t k = spec->task == MLP_TASK_CLASSIFICATION ? spec->n_classes : 1;
    double *pred = malloc(r->n * k * sizeof *pred + 1), loss, metric;
    mlp_rows x = as_rows(r);
    int rc = MLP_OK;

    if (pred == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    if (r->y_rows != NULL) {
        /* Streamed rows: predicted a block at a time. */
        for (size_t b = 0; rc == MLP_OK && b < spec->n_blocks; b++) {
            mlp_rows blk;
            size_t first = 0;
            rc = spec->block(spec, b, &blk, &first, err);
            if (rc == MLP_OK && blk.n_rows > 0)
                rc = t->predict(model, &blk, pred + first * k, err);
        }
    } else if (r->x != NULL) {
        rc = t->predict(model, &x, pred, err);
    } else {
        /* predict takes column-major float64 (trainer.h), also from a
         * trainer that fits on float32 rows: widened a block at a time. */
        size_t d = r->d, bs = MLP_MODEL_BLOCK;
        double *col = mlp_malloc(bs * (d ? d : 1) * sizeof *col);
        rc = col ? MLP_OK : mlp_error_set(err, MLP_ENOMEM, "out of memory");
        for (size_t r0 = 0; rc == MLP_OK && r0 < r->n; r0 += bs) {
            size_t br = r->n - r0 < bs ? r->n - r0 : bs;
            mlp_rows b = { br, d, col, br, NULL, r->y + r0, r->w ? r->w + r0 : NULL };
            /* Eight rows at a time: each column gets a whole cache line
             * of them, and the eight rows are read side by side. */
            for (size_t i0 = 0; i0 < br; i0 += 8) {
                size_t ie = br - i0 < 8 ? br - i0 : 8;
                const float *src = r->xf + (r0 + i0) * d;
                for (size_t j = 0; j < d; j++)
                    for (size_t i = 0; i < ie; i++)
                        col[j * br + i0 + i] = src[i * d + j];
            }
            rc = t->predict(model, &b, pred + r0 * k, err);
        }
        mlp_free(col);
    }
    if (rc == MLP_OK) {
        cJSON *o = cJSON_CreateObject();
        /* Class weights shape the fit, not the report: these are the
         * rows' plain log loss and accuracy, as evaluate computes them;
         * with soft targets, each row's share is its probability. */
        x.w = r->w_score;
        mlp_fit_score(spec->task, k, &x, pred, &loss, &metric);
        cJSON_AddItemToObject(o, spec->task == MLP_TASK_CLASSIFICATION ? "log_loss" : "mse",
                              mlp_json_number(loss));
        cJSON_AddItemToObject(o, spec->task == MLP_TASK_CLASSIFICATION ? "accuracy" : "r2",
                              mlp_json_number(metric));
        cJSON_AddItemToObject(o, "rows", mlp_json_int((int64_t)(r->n_source ? r->n_source
                                                                              : r->n)));
        cJSON_AddItemToObject(metrics, name, o);
    }
    free(pred);
    return rc;
}

typedef struct train_job {
    mlp_ctx *ctx;
    const mlp_trainer *t;
    const mlp_artifact *ex;
    mlp_artifact *out;
    const char *label, *train, *eval;
    mlp_model_task task;
    char **feat;
    size_t d;
    cJSON *classes, *doc;
    mlpi_split_rows tr, ev;
} train_job;

static int fit_and_save(train_job *j, mlp_error *err)
{
    run_state st = { j->ctx, cJSON_CreateArray(), j->task };
    mlp_fit_spec spec;
    mlp_rows tr = as_rows(&j->tr), ev = as_rows(&j->ev);
    mlp_model_out *mo = mlpi_model_out_new();
    cJSON *metrics = cJSON_CreateObject();
    mlpi_stream *stream = NULL;
    void *model = NULL;
    int rc = MLP_OK;

    if (st.curve == NULL || mo == NULL || metrics == NULL)
        rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
    memset(&spec, 0, sizeof spec);
    spec.task = j->task;
    spec.n_classes = j->task == MLP_TASK_CLASSIFICATION
                         ? (size_t)cJSON_GetArraySize(j->classes) : 0;
    spec.n_features = j->d;
    spec.features = (const char *const *)j->feat;
    spec.params = j->ctx->params;
    spec.seed = (uint64_t)mlp_ctx_param_int(j->ctx, "seed");
    spec.threads = (int)mlp_ctx_param_int(j->ctx, "threads");
    spec.epoch = on_epoch;
    spec.user = &st;
    if (rc == MLP_OK && j->tr.y_rows != NULL) {
        rc = mlpi_stream_open(j->ex, j->train, j->feat, j->d, &j->tr, &stream, err);
        if (rc == MLP_OK) {
            spec.n_blocks = mlpi_stream_n_blocks(stream);
            spec.block = mlpi_stream_block;
            spec.stream = stream;
        }
    }
    if (rc == MLP_OK) {
        rc = j->t->fit(&spec, &tr, j->eval ? &ev : NULL, &model, err);
        if (rc != MLP_OK && mlp_ctx_cancelled(j->ctx))
            rc = mlp_error_set(err, MLP_ECANCELED, "training was cancelled");
    }
    if (rc == MLP_OK)
        rc = final_scores(j->t, model, &spec, &j->tr, j->train, metrics, err);
    if (rc == MLP_OK && j->eval)
        rc = final_scores(j->t, model, &spec, &j->ev, j->eval, metrics, err);
    if (rc == MLP_OK)
        rc = j->t->save(model, mo, err);
    if (model != NULL)
        j->t->free(model);
    mlpi_stream_close(stream);
    if (rc == MLP_OK) {
        cJSON_AddItemToObject(j->doc, "curve", st.curve);
        st.curve = NULL;
        cJSON_AddItemToObject(j->doc, "metrics", cJSON_Duplicate(metrics, 1));
        rc = mlpi_model_write(mlp_artifact_uri(j->out), j->doc, mo, err);
    }
    if (rc == MLP_OK)
        rc = mlp_artifact_set_property(j->out, "metrics", metrics, err);
    else
        cJSON_Delete(metrics);
    cJSON_Delete(st.curve);
    mlpi_model_out_free(mo);
    return rc;
}

static int build_doc(train_job *j, mlp_error *err)
{
    const mlpi_component *c = j->ctx->comp;
    cJSON *d = cJSON_CreateObject(), *f = cJSON_CreateArray(), *rows = cJSON_CreateObject();

    j->doc = d;
    if (d == NULL || f == NULL || rows == NULL) {
        cJSON_Delete(f);
        cJSON_Delete(rows);
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < j->d; i++)
        cJSON_AddItemToArray(f, cJSON_CreateString(j->feat[i]));
    cJSON_AddStringToObject(d, "format", MLP_MODEL_FORMAT);
    cJSON_AddNumberToObject(d, "version", MLP_MODEL_VERSION);
    cJSON_AddStringToObject(d, "trainer", c->c.name);
    cJSON_AddStringToObject(d, "plugin", c->plugin ? c->plugin->name : "");
    cJSON_AddStringToObject(d, "plugin_version", c->plugin ? c->plugin->version : "");
    cJSON_AddStringToObject(d, "family", j->t->family ? j->t->family : "");
    cJSON_AddStringToObject(d, "task", j->task == MLP_TASK_CLASSIFICATION
                                           ? "classification" : "regression");
    cJSON_AddStringToObject(d, "label", j->label);
    if (j->task == MLP_TASK_CLASSIFICATION)
        cJSON_AddItemToObject(d, "classes", cJSON_Duplicate(j->classes, 1));
    cJSON_AddItemToObject(d, "features", f);
    cJSON_AddItemToObject(d, "params", cJSON_Duplicate(j->ctx->params, 1));
    cJSON_AddItemToObject(rows, j->train, mlp_json_int((int64_t)(j->tr.n_source ? j->tr.n_source
                                                                 : j->tr.n)));
    if (j->eval)
        cJSON_AddItemToObject(rows, j->eval, mlp_json_int((int64_t)j->ev.n));
    cJSON_AddItemToObject(d, "rows", rows);
    if (j->tr.skipped + j->ev.skipped > 0) {
        cJSON *sk = cJSON_AddObjectToObject(d, "rows_without_label");
        cJSON_AddItemToObject(sk, j->train, mlp_json_int((int64_t)j->tr.skipped));
        if (j->eval)
            cJSON_AddItemToObject(sk, j->eval, mlp_json_int((int64_t)j->ev.skipped));
    }
    cJSON_AddItemToObject(d, "examples_artifact", mlp_json_int(mlp_artifact_id(j->ex)));
    return MLP_OK;
}

static int set_properties(train_job *j, mlp_error *err)
{
    int rc = mlp_artifact_set_property(j->out, "trainer",
                                       cJSON_CreateString(j->ctx->comp->c.name), err);
    if (rc == MLP_OK)
        rc = mlp_artifact_set_property(j->out, "family", cJSON_CreateString(
                                           j->t->family ? j->t->family : ""), err);
    if (rc == MLP_OK)
        rc = mlp_artifact_set_property(j->out, "task", cJSON_CreateString(
                                           mlp_json_str(j->doc, "task")), err);
    if (rc == MLP_OK)
        rc = mlp_artifact_set_property(j->out, "label", cJSON_CreateString(j->label), err);
    if (rc == MLP_OK)
        rc = mlp_artifact_set_property(j->out, "n_features",
                                       mlp_json_int((int64_t)j->d), err);
    if (rc == MLP_OK && j->classes)
        rc = mlp_artifact_set_property(j->out, "classes",
                                       cJSON_Duplicate(j->classes, 1), err);
    return rc;
}

static int eval_is_empty(const mlp_artifact *ex, const char *split)
{
    char file[300], path[4096];
    mlp_table_file *f = NULL;
    mlp_error e;
    int empty = 0;

    snprintf(file, sizeof file, "%s.mlpt", split);
    if (mlp_artifact_path(ex, file, path, sizeof path, &e) == MLP_OK &&
        mlp_table_file_open(path, &f, &e) == MLP_OK)
        empty = mlp_table_file_n_rows(f) == 0;
    mlp_table_file_close(f);
    return empty;
}

int mlp_train_run(mlp_ctx *ctx, const mlp_trainer *t)
{
    train_job j;
    mlp_table_file *f = NULL;
    mlpi_rows_opts o;
    char file[300], path[4096];
    cJSON *cw = cJSON_CreateArray();
    mlp_error err;
    int rc;

    memset(&j, 0, sizeof j);
    mlp_error_clear(&err);
    j.ctx = ctx;
    j.t = t;
    j.ex = mlp_ctx_input(ctx, "examples", 0);
    j.out = mlp_ctx_output(ctx, "model");
    j.train = mlp_ctx_param_string(ctx, "train_split");
    j.label = mlp_ctx_param_string(ctx, "label");
    if (j.label == NULL)
        j.label = cJSON_GetStringValue(mlp_artifact_property(j.ex, "label"));
    if (j.ex == NULL || j.out == NULL)
        rc = mlp_error_set(&err, MLP_EINVAL, "a trainer needs the ports examples (in) and "
                           "model (out): use mlp_train_inputs and mlp_train_outputs");
    else if (j.label == NULL)
        rc = mlp_error_set(&err, MLP_EINVAL, "label: the Examples at %s have no label; "
                           "name the target column", mlp_artifact_uri(j.ex));
    else if (!mlp_examples_has_split(j.ex, j.train))
        rc = mlp_error_set(&err, MLP_EINVAL, "train_split: the Examples at %s have no "
                           "split '%s'", mlp_artifact_uri(j.ex), j.train);
    else
        rc = pick_eval(ctx, j.ex, j.train, &j.eval, &err);
    if (rc == MLP_OK)
        rc = mlpi_train_pick_task(ctx->params, t, j.ex, j.label, &j.task, &err);
    snprintf(file, sizeof file, "%s.mlpt", j.train ? j.train : "");
    if (rc == MLP_OK)
        rc = mlp_artifact_path(j.ex, file, path, sizeof path, &err);
    if (rc == MLP_OK)
        rc = mlp_table_file_open(path, &f, &err);
    if (rc == MLP_OK)
        rc = mlpi_train_features(f, mlp_ctx_param(ctx, "features"), j.label, &j.feat, &j.d,
                                 &err);
    mlp_table_file_close(f);
    o.ex = j.ex;
    o.label = j.label;
    o.task = j.task;
    o.threads = (int)mlp_ctx_param_int(ctx, "threads");
    o.skip_missing_label = strcmp(mlp_ctx_param_string(ctx, "missing_label"), "skip") == 0;
    o.f32 = t->layout == MLP_ROWS_F32;
    o.stream = t->layout == MLP_ROWS_STREAM;
    o.split = j.train;
    o.soft = strcmp(mlp_ctx_param_string(ctx, "targets") ? mlp_ctx_param_string(ctx, "targets")
                    : "hard", "soft") == 0;
    if (rc == MLP_OK && o.soft && j.task != MLP_TASK_CLASSIFICATION)
        rc = mlp_error_set(&err, MLP_EINVAL, "targets = \"soft\" is for classifiers: a "
                           "regression's target is one number");
    if (rc == MLP_OK && o.soft && o.stream)
        rc = mlp_error_set(&err, MLP_EINVAL, "targets = \"soft\": %s reads its rows as a "
                           "stream and takes no soft targets", ctx->comp->c.name);
    if (rc == MLP_OK)
        rc = mlpi_split_rows_read(&o, j.feat, j.d, &j.classes, &j.tr, &err);
    if (rc == MLP_OK && o.soft) {
        size_t n0 = j.tr.n;
        rc = mlpi_soft_expand(&j.tr, (size_t)cJSON_GetArraySize(j.classes), &err);
        if (rc == MLP_OK)
            mlp_ctx_log(ctx, MLP_LOG_INFO, "soft targets: %zu rows as %zu weighted rows, one "
                        "per class a row has some probability of", n0, j.tr.n);
    }
    o.stream = 0;
    o.soft = 0;
    if (rc == MLP_OK && j.eval && eval_is_empty(j.ex, j.eval)) {
        /* Nothing to score a curve on: the model is still the same. */
        mlp_ctx_log(ctx, MLP_LOG_WARN, "eval split '%s' has no rows: no eval scores in the "
                    "curve", j.eval);
        j.eval = NULL;
    }
    o.split = j.eval;
    if (rc == MLP_OK && j.eval)
        rc = mlpi_split_rows_read(&o, j.feat, j.d, &j.classes, &j.ev, &err);
    if (rc == MLP_OK)
        rc = class_weights(ctx, j.classes, &j.tr, j.task, cw, &err);
    if (rc == MLP_OK)
        rc = build_doc(&j, &err);
    if (rc == MLP_OK && cJSON_GetArraySize(cw) > 0) {
        cJSON_AddItemToObject(j.doc, "class_weights", cw);
        cw = NULL;
    }
    if (rc == MLP_OK)
        rc = adopt_graph(ctx, j.out, j.feat, j.d, j.doc, &err);
    if (rc == MLP_OK) {
        if (j.tr.skipped + j.ev.skipped > 0)
            mlp_ctx_log(ctx, MLP_LOG_INFO, "left out %zu train and %zu eval rows whose label "
                        "is missing", j.tr.skipped, j.ev.skipped);
        mlp_ctx_log(ctx, MLP_LOG_INFO, "%s on %zu rows x %zu features%s", j.task ==
                    MLP_TASK_CLASSIFICATION ? "classification" : "regression", j.tr.n, j.d,
                    j.eval ? ", curve on the eval split" : "");
        rc = fit_and_save(&j, &err);
    }
    if (rc == MLP_OK)
        rc = set_properties(&j, &err);
    cJSON_Delete(cw);
    cJSON_Delete(j.doc);
    cJSON_Delete(j.classes);
    mlpi_names_free(j.feat, j.d);
    mlpi_split_rows_free(&j.tr);
    mlpi_split_rows_free(&j.ev);
    return rc == MLP_OK ? MLP_OK : mlp_ctx_fail_error(ctx, &err);
}
