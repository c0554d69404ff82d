/* statistics: TFDV-style descriptive statistics of every feature of every
 * split of an Examples artifact, written as statistics.json.
 *
 * Columns are independent, so the work is split by column over `threads`
 * workers; each feature's statistics are computed in one pass over the
 * mapped table (the equal-width histogram takes a second, once the range
 * is known).  Memory per column is bounded: quantiles and, past a
 * budget, text counts come from sketches.  A split stored in several row
 * groups is read one group of one column at a time per worker, so memory
 * holds neither the table nor a column.
 */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mlpipe/mlpipe.h>

#include "describe.h"
#include "featstats.h"
#include "tfdv.h"
#include "view.h"

typedef struct work {
    mlp_table *t;
    const char **kinds;      /* per column: "int"/"float" from ingestion */
    stats_opts opts;
    cJSON **out;             /* per column */
    atomic_size_t next;
    mlp_ctx *ctx;
} work;

/* The int/float kind the ingestion recorded for each column of t, by
 * column index.  The property lists columns in table order, so one walk
 * suffices; a column it does not name (another producer) gets NULL and its
 * kind is inferred from the values. */
static const char **column_kinds(const mlp_table *t, const cJSON *props)
{
    size_t nc = mlp_table_n_cols(t), k = 0;
    const char **kinds = calloc(nc + 1, sizeof *kinds);
    const cJSON *c;

    if (kinds == NULL)
        return NULL;
    cJSON_ArrayForEach(c, props) {
        const char *n = cJSON_GetStringValue(cJSON_GetObjectItem(c, "name"));
        if (k < nc && n && strcmp(n, mlp_table_column(t, k)->name) == 0)
            kinds[k] = cJSON_GetStringValue(cJSON_GetObjectItem(c, "kind"));
        k++;
    }
    return kinds;
}

static void *worker(void *arg)
{
    work *w = arg;
    size_t nc = mlp_table_n_cols(w->t);

    for (;;) {
        size_t i = atomic_fetch_add(&w->next, 1);
        if (i >= nc || mlp_ctx_cancelled(w->ctx))
            break;
        const mlp_column *c = mlp_table_column(w->t, i);
        /* Small integers are counted in their stored form; other packed
         * columns are decoded here, in this worker. */
        int as_categories = w->kinds[i] && strcmp(w->kinds[i], "categorical") == 0;
        if (c->type == MLP_COL_NUMERIC && c->num == NULL &&
            (as_categories || (c->packing != MLP_PACK_U8 && c->packing != MLP_PACK_I8 &&
                               c->packing != MLP_PACK_U16 && c->packing != MLP_PACK_I16)) &&
            mlp_table_decode(w->t, i, NULL) != MLP_OK)
            continue;  /* out of memory: out[i] stays NULL and is reported */
        w->out[i] = feature_stats(c, w->kinds[i], &w->opts);
        /* Memory stays at one decoded column per worker. */
        if (c != NULL && c->type == MLP_COL_NUMERIC && c->packing != MLP_PACK_F64 &&
            (w->opts.weights == NULL || c->num != w->opts.weights))
            mlp_table_release(w->t, i);
    }
    return NULL;
}

int stats_describe(mlp_ctx *ctx, mlp_table *t, const char **kinds,
                   const stats_opts *opts, int threads, cJSON *feats, mlp_error *err)
{
    pthread_t tids[64];
    work w;
    int rc = MLP_OK, started = 0;

    memset(&w, 0, sizeof w);
    w.t = t;
    w.ctx = ctx;
    w.kinds = kinds;
    w.opts = *opts;
    w.out = calloc(mlp_table_n_cols(t) + 1, sizeof *w.out);
    if (w.out == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    if (threads > (int)(sizeof tids / sizeof *tids))
        threads = (int)(sizeof tids / sizeof *tids);
    for (int k = 1; k < threads; k++)
        if (pthread_create(&tids[k], NULL, worker, &w) == 0)
            started++;
    worker(&w);
    for (int k = 1; k <= started; k++)
        pthread_join(tids[k], NULL);
    if (mlp_ctx_cancelled(ctx))
        rc = mlp_error_set(err, MLP_ECANCELED, "cancelled");
    for (size_t i = 0; rc == MLP_OK && i < mlp_table_n_cols(t); i++) {
        if (w.out[i] == NULL) {
            rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
            break;
        }
        cJSON_AddItemToArray(feats, w.out[i]);
        w.out[i] = NULL;
    }
    for (size_t i = 0; i < mlp_table_n_cols(t); i++)
        cJSON_Delete(w.out[i]);
    free(w.out);
    return rc;
}

/* Integer columns the schema calls categorical (int_domain
 * is_categorical) are counted as categories, as TFDV does. */
static void categorical_ints(const mlp_table *t, const cJSON *schema,
                             const char **kinds)
{
    mlp_json_index *ix = schema ? mlp_json_index_new(cJSON_GetObjectItem(schema, "features"),
                                                     "name") : NULL;
    for (size_t i = 0; schema != NULL && i < mlp_table_n_cols(t); i++) {
        const char *name = mlp_table_column(t, i)->name;
        const cJSON *f = ix ? mlp_json_index_find(ix, name) : mlp_schema_feature(schema, name);
        const cJSON *d = cJSON_GetObjectItem(f, "int_domain");
        if (mlp_table_column(t, i)->type == MLP_COL_NUMERIC &&
            cJSON_IsTrue(cJSON_GetObjectItem(d, "is_categorical")))
            kinds[i] = "categorical";
    }
    mlp_json_index_free(ix);
}

/* A table of several row groups (a large split, streamed in) is described
 * a column at a time, and each column a group at a time: memory holds one
 * group's column per worker.  The figures depend on the values in row
 * order only (featstats.c), so they are the same as from one group. */
typedef struct colwork {
    mlp_table_file *f;
    const char **kinds;
    stats_opts opts;
    cJSON **out;
    mlp_ctx *ctx;
} colwork;

/* The pieces of column i are its row groups, read one at a time. */
typedef struct group_src {
    mlp_table_file *f;
    size_t col;
    int decode;   /* numbers as doubles even when stored narrow */
} group_src;

static int group_get(void *arg, size_t g, const mlp_column **c, void **hold,
                     mlp_error *err)
{
    group_src *s = arg;
    mlp_table *t;
    int rc = mlp_table_file_group_column(s->f, g, s->col, &t, err);

    if (rc == MLP_OK && s->decode && (rc = mlp_table_decode(t, 0, err)) != MLP_OK)
        mlp_table_free(t);
    if (rc != MLP_OK)
        return rc;
    *c = mlp_table_column(t, 0);
    *hold = t;
    return MLP_OK;
}

static void group_put(void *arg, void *hold)
{
    (void)arg;
    mlp_table_free(hold);
}

static void column_task(void *arg, size_t i, int worker)
{
    colwork *w = arg;
    mlp_error err;
    group_src gs = { w->f, i, w->kinds[i] && strcmp(w->kinds[i], "categorical") == 0 };
    stats_source src = { mlp_table_file_n_groups(w->f), group_get, group_put, &gs };
    size_t width = 0;

    (void)worker;
    if (mlp_ctx_cancelled(w->ctx))
        return;
    if (mlp_table_file_col_type(w->f, i) == MLP_COL_MATRIX) {
        /* Every group has the first's width (mlp_table_concat checks it
         * when the groups are joined; here each piece is checked). */
        const mlp_column *c;
        void *hold;
        if (group_get(&gs, 0, &c, &hold, &err) != MLP_OK) {
            w->out[i] = cJSON_CreateString(err.msg);
            return;
        }
        width = c->width;
        group_put(&gs, hold);
    }
    w->out[i] = feature_stats_source(mlp_table_file_col_name(w->f, i),
                                     mlp_table_file_col_type(w->f, i), width,
                                     w->kinds[i], &w->opts, &src, &err);
    /* Damage or exhaustion: reported after the workers end. */
    if (w->out[i] == NULL)
        w->out[i] = cJSON_CreateString(err.msg);
}

static int describe_columns(mlp_ctx *ctx, mlp_table_file *f, const char **kinds,
                            const stats_opts *opts, int threads, cJSON *feats,
                            mlp_error *err)
{
    colwork w;
    int rc = MLP_OK;
    size_t nc = mlp_table_file_n_cols(f);

    memset(&w, 0, sizeof w);
    w.f = f;
    w.ctx = ctx;
    w.kinds = kinds;
    w.opts = *opts;
    w.out = calloc(nc + 1, sizeof *w.out);
    if (w.out == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    mlp_parallel_for(nc, threads, column_task, &w);
    if (mlp_ctx_cancelled(ctx))
        rc = mlp_error_set(err, MLP_ECANCELED, "cancelled");
    for (size_t i = 0; rc == MLP_OK && i < nc; i++) {
        if (w.out[i] == NULL) {
            rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
        } else if (cJSON_IsString(w.out[i])) {
            rc = mlp_error_set(err, MLP_ECORRUPT, "%s", w.out[i]->valuestring);
        } else {
            cJSON_AddItemToArray(feats, w.out[i]);
            w.out[i] = NULL;
        }
    }
    for (size_t i = 0; i < nc; i++)
        cJSON_Delete(w.out[i]);
    free(w.out);
    return rc;
}

static void read_opts(mlp_ctx *ctx, stats_opts *o)
{
    o->top_k = (size_t)mlp_ctx_param_int(ctx, "top_k");
    o->histogram_buckets = (size_t)mlp_ctx_param_int(ctx, "histogram_buckets");
    o->quantile_buckets = (size_t)mlp_ctx_param_int(ctx, "quantile_buckets");
    o->rank_buckets = (size_t)mlp_ctx_param_int(ctx, "rank_histogram_buckets");
    o->exact_quantiles_max = (size_t)mlp_ctx_param_int(ctx, "exact_quantiles_max");
    o->max_value_bytes = (size_t)mlp_ctx_param_int(ctx, "max_value_bytes");
    o->exact_unique_bytes = (size_t)mlp_ctx_param_int(ctx, "exact_unique_mb") << 20;
}

/* Weights must be present, finite and not negative, and their total a
 * double; checked before any use.  *out: the weights, or (a split with no
 * rows) a placeholder that still marks the statistics as weighted. */
static int check_weights(const mlp_column *wc, const char *wcol,
                         const char *split, const double **out, mlp_error *err)
{
    static const double none[1] = { 0 };
    double total = 0;

    if (wc != NULL && wc->type == MLP_COL_NUMERIC && wc->n_rows == 0) {
        *out = none;
        return MLP_OK;
    }
    if (wc == NULL || wc->type != MLP_COL_NUMERIC || wc->num == NULL)
        return mlp_error_set(err, MLP_EINVAL, "parameter 'weight': split '%s' "
                             "has no numeric column '%s'", split, wcol);
    for (size_t i = 0; i < wc->n_rows; i++) {
        if (mlp_column_is_missing(wc, i) || !(wc->num[i] >= 0) || isinf(wc->num[i]))
            return mlp_error_set(err, MLP_EINVAL, "weight column '%s', split "
                                 "'%s', row %zu: weights must be present, "
                                 "finite and >= 0", wcol, split, i + 1);
        total += wc->num[i];
    }
    if (!isfinite(total))
        return mlp_error_set(err, MLP_EINVAL, "weight column '%s', split '%s': "
                             "the weights add up to more than the largest "
                             "double; scale them down", wcol, split);
    *out = wc->num;
    return MLP_OK;
}

static void add_counts(cJSON *sobj, const char *split, size_t rows,
                       const double *weights)
{
    cJSON_AddStringToObject(sobj, "name", split);
    cJSON_AddNumberToObject(sobj, "num_examples", (double)rows);
    if (weights != NULL) {
        double total = 0;
        for (size_t i = 0; i < rows; i++)
            total += weights[i];
        cJSON_AddNumberToObject(sobj, "weighted_num_examples", total);
    }
}

static int split_stats_streamed(mlp_ctx *ctx, const mlp_artifact *ex,
                                const char *split, mlp_table_file *f,
                                const cJSON *schema, cJSON *splits_out,
                                mlp_error *err)
{
    size_t nc = mlp_table_file_n_cols(f), k = 0;
    const char **kinds = calloc(nc + 1, sizeof *kinds);
    const char *wcol = mlp_ctx_param_string(ctx, "weight");
    mlp_table *wt = NULL;
    stats_opts o;
    const cJSON *c;
    int rc = MLP_OK;

    if (kinds == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    /* As column_kinds and categorical_ints, by the file's names. */
    cJSON_ArrayForEach(c, mlp_artifact_property(ex, "columns")) {
        const char *n = cJSON_GetStringValue(cJSON_GetObjectItem(c, "name"));
        if (k < nc && n && strcmp(n, mlp_table_file_col_name(f, k)) == 0)
            kinds[k] = cJSON_GetStringValue(cJSON_GetObjectItem(c, "kind"));
        k++;
    }
    mlp_json_index *six = schema ? mlp_json_index_new(cJSON_GetObjectItem(schema, "features"),
                                                      "name") : NULL;
    for (size_t i = 0; schema != NULL && i < nc; i++) {
        const char *name = mlp_table_file_col_name(f, i);
        /* Without memory for the index, the scan gives the same answer. */
        const cJSON *sf = six ? mlp_json_index_find(six, name) : mlp_schema_feature(schema, name);
        const cJSON *d = cJSON_GetObjectItem(sf, "int_domain");
        if (mlp_table_file_col_type(f, i) == MLP_COL_NUMERIC &&
            cJSON_IsTrue(cJSON_GetObjectItem(d, "is_categorical")))
            kinds[i] = "categorical";
    }
    mlp_json_index_free(six);
    memset(&o, 0, sizeof o);
    read_opts(ctx, &o);
    if (wcol != NULL) {
        size_t wi;
        for (wi = 0; wi < nc && strcmp(mlp_table_file_col_name(f, wi), wcol) != 0; wi++)
            ;
        if (wi < nc)
            rc = mlp_table_file_column(f, wi, &wt, err);
        if (rc == MLP_OK)
            rc = check_weights(wt ? mlp_table_column(wt, 0) : NULL, wcol, split,
                               &o.weights, err);
    }
    if (rc == MLP_OK) {
        cJSON *sobj = cJSON_CreateObject(), *feats;
        add_counts(sobj, split, mlp_table_file_n_rows(f), o.weights);
        feats = cJSON_AddArrayToObject(sobj, "features");
        rc = describe_columns(ctx, f, kinds, &o, (int)mlp_ctx_param_int(ctx, "threads"),
                              feats, err);
        if (rc == MLP_OK)
            cJSON_AddItemToArray(splits_out, sobj);
        else
            cJSON_Delete(sobj);
    }
    mlp_table_free(wt);
    free(kinds);
    return rc;
}

static int split_stats(mlp_ctx *ctx, const mlp_artifact *ex, const char *split,
                       const cJSON *schema, cJSON *splits_out, mlp_error *err)
{
    char file[256], path[4096];
    mlp_table *t = NULL;
    const char *wcol = mlp_ctx_param_string(ctx, "weight");
    int threads = (int)mlp_ctx_param_int(ctx, "threads");
    work w;
    int rc;

    memset(&w, 0, sizeof w);
    snprintf(file, sizeof file, "%s.mlpt", split);
    rc = mlp_artifact_path(ex, file, path, sizeof path, err);
    if (rc == MLP_OK && mlp_ctx_param(ctx, "slice_by") == NULL) {
        mlp_table_file *f = NULL;
        rc = mlp_table_file_open(path, &f, err);
        if (rc == MLP_OK && mlp_table_file_n_groups(f) > 1) {
            rc = split_stats_streamed(ctx, ex, split, f, schema, splits_out, err);
            mlp_table_file_close(f);
            return rc;
        }
        mlp_table_file_close(f);
    }
    if (rc == MLP_OK)
        rc = mlp_table_open_packed(path, &t, err);
    if (rc != MLP_OK)
        return rc;
    w.kinds = column_kinds(t, mlp_artifact_property(ex, "columns"));
    if (w.kinds == NULL) {
        rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
        goto done;
    }
    categorical_ints(t, schema, w.kinds);
    read_opts(ctx, &w.opts);
    if (wcol != NULL) {
        for (size_t i = 0; i < mlp_table_n_cols(t); i++)
            if (strcmp(mlp_table_column(t, i)->name, wcol) == 0 &&
                (rc = mlp_table_decode(t, i, err)) != MLP_OK)
                goto done;
        const mlp_column *wc = mlp_table_find(t, wcol);
        rc = check_weights(wc, wcol, split, &w.opts.weights, err);
        if (rc != MLP_OK)
            goto done;
    }
    {
        cJSON *sobj = cJSON_CreateObject(), *feats;
        add_counts(sobj, split, mlp_table_n_rows(t), w.opts.weights);
        feats = cJSON_AddArrayToObject(sobj, "features");
        rc = stats_describe(ctx, t, w.kinds, &w.opts, threads, feats, err);
        if (rc == MLP_OK && mlp_ctx_param(ctx, "slice_by") != NULL)
            rc = stats_slices(ctx, t, w.kinds, &w.opts, wcol, threads, sobj, err);
        if (rc != MLP_OK) {
            cJSON_Delete(sobj);
            goto done;
        }
        cJSON_AddItemToArray(splits_out, sobj);
    }
done:
    free(w.kinds);
    mlp_table_free(t);
    return rc;
}

static int run(mlp_ctx *ctx)
{
    const mlp_artifact *ex = mlp_ctx_input(ctx, "examples", 0);
    mlp_artifact *out = mlp_ctx_output(ctx, "statistics");
    const mlp_artifact *sa = mlp_ctx_input(ctx, "schema", 0);
    const cJSON *splits = mlp_artifact_property(ex, "splits"), *s;
    cJSON *doc = cJSON_CreateObject(), *arr, *schema = NULL;
    char path[4096];
    mlp_error err;
    int rc = MLP_OK;
    size_t done = 0, total = (size_t)cJSON_GetArraySize(splits);

    mlp_error_clear(&err);
    if (!cJSON_IsArray(splits)) {
        cJSON_Delete(doc);
        return mlp_ctx_fail(ctx, MLP_EINVAL, "input Examples at %s list no "
                            "splits", mlp_artifact_uri(ex));
    }
    if (sa != NULL) {
        rc = mlp_artifact_path(sa, "schema.json", path, sizeof path, &err);
        if (rc == MLP_OK)
            rc = mlp_schema_load(path, &schema, &err);
        if (rc != MLP_OK) {
            cJSON_Delete(doc);
            return mlp_ctx_fail_error(ctx, &err);
        }
    }
    cJSON_AddNumberToObject(doc, "version", 1);
    if (mlp_artifact_property(ex, "span"))
        cJSON_AddItemToObject(doc, "span",
                              cJSON_Duplicate(mlp_artifact_property(ex, "span"), 1));
    arr = cJSON_AddArrayToObject(doc, "splits");
    cJSON_ArrayForEach(s, splits) {
        rc = split_stats(ctx, ex, cJSON_GetStringValue(s), schema, arr, &err);
        if (rc != MLP_OK)
            break;
        mlp_ctx_progress(ctx, ++done, total, "splits");
    }
    if (rc == MLP_OK)
        rc = mlp_artifact_path(out, "statistics.json", path, sizeof path, &err);
    if (rc == MLP_OK)
        rc = mlp_json_write_file(path, doc, &err);
    /* Beside it, the same statistics as TFDV writes them, for Facets. */
    if (rc == MLP_OK) {
        cJSON *t = tfdv_statistics_export(doc);
        rc = t ? mlp_artifact_path(out, "statistics.tfdv.json", path, sizeof path, &err)
               : mlp_error_set(&err, MLP_ENOMEM, "out of memory");
        if (rc == MLP_OK)
            rc = mlp_json_write_file(path, t, &err);
        cJSON_Delete(t);
    }
    if (rc == MLP_OK)
        rc = mlp_artifact_set_property(out, "splits", cJSON_Duplicate(splits, 1), &err);
    /* The label, for the views to mark. */
    if (rc == MLP_OK && mlp_artifact_property(ex, "label"))
        rc = mlp_artifact_set_property(out, "label", cJSON_Duplicate(
                                           mlp_artifact_property(ex, "label"), 1), &err);
    if (rc == MLP_OK && mlp_artifact_property(ex, "span"))
        rc = mlp_artifact_set_property(out, "span", cJSON_Duplicate(
                                           mlp_artifact_property(ex, "span"), 1), &err);
    cJSON_Delete(doc);
    cJSON_Delete(schema);
    return rc == MLP_OK ? MLP_OK : mlp_ctx_fail_error(ctx, &err);
}

/* statistics_import: TFDV's statistics (a DatasetFeatureStatisticsList in
 * the protobuf JSON mapping) as a Statistics artifact, to validate or
 * compare against what TFDV computed elsewhere. */
static int import_run(mlp_ctx *ctx)
{
    const char *src = mlp_ctx_param_string(ctx, "path");
    mlp_artifact *out = mlp_ctx_output(ctx, "statistics");
    cJSON *doc = NULL, *stats = NULL, *names, *s;
    char path[4096];
    mlp_error err;
    int rc;

    mlp_error_clear(&err);
    rc = mlp_json_read_file(src, &doc, &err);
    if (rc == MLP_OK)
        rc = tfdv_statistics_import(doc, src, &stats, &err);
    if (rc == MLP_OK)
        rc = mlp_artifact_path(out, "statistics.json", path, sizeof path, &err);
    if (rc == MLP_OK)
        rc = mlp_json_write_file(path, stats, &err);
    if (rc == MLP_OK) {
        names = cJSON_CreateArray();
        cJSON_ArrayForEach(s, cJSON_GetObjectItem(stats, "splits"))
            cJSON_AddItemToArray(names, cJSON_Duplicate(cJSON_GetObjectItem(s, "name"), 0));
        rc = mlp_artifact_set_property(out, "splits", names, &err);
    }
    cJSON_Delete(doc);
    cJSON_Delete(stats);
    return rc == MLP_OK ? MLP_OK : mlp_ctx_fail_error(ctx, &err);
}

static const mlp_param_spec import_params[] = {
    { "path", MLP_PARAM_STRING, NULL, MLP_PARAM_REQUIRED | MLP_PARAM_FILE, 0, 0,
      NULL, "TFDV statistics: a DatasetFeatureStatisticsList in the protobuf "
      "JSON mapping (json_format.MessageToJson), one split per dataset" },
    MLP_PARAMS_END
};

static const mlp_port inputs[] = {
    { "examples", MLP_TYPE_EXAMPLES, 0, "tables to describe" },
    { "schema", MLP_TYPE_SCHEMA, MLP_PORT_OPTIONAL,
      "a schema whose int_domain is_categorical features are counted as "
      "categories" },
    MLP_PORTS_END
};
static const mlp_port outputs[] = {
    { "statistics", MLP_TYPE_STATISTICS, 0, "statistics.json, per split and feature, "
      "and statistics.tfdv.json in TFDV's form" },
    MLP_PORTS_END
};
static const mlp_param_spec params[] = {
    { "weight", MLP_PARAM_STRING, "null", 0, 0, 0, NULL,
      "numeric column of example weights (finite, non-negative, their total "
      "a double)" },
    { "top_k", MLP_PARAM_INT, "20", MLP_PARAM_HAS_MIN, 1, 0, NULL,
      "most frequent values listed per categorical or string feature" },
    { "histogram_buckets", MLP_PARAM_INT, "10", MLP_PARAM_HAS_MIN | MLP_PARAM_HAS_MAX,
      1, 10000, NULL, "buckets of the equal-width histogram" },
    { "quantile_buckets", MLP_PARAM_INT, "10", MLP_PARAM_HAS_MIN | MLP_PARAM_HAS_MAX,
      1, 10000, NULL, "buckets of the quantiles histogram" },
    { "rank_histogram_buckets", MLP_PARAM_INT, "1000", MLP_PARAM_HAS_MIN, 1, 0, NULL,
      "ranks listed in the rank histogram" },
    { "max_value_bytes", MLP_PARAM_INT, "1024", MLP_PARAM_HAS_MIN, 0, 0, NULL,
      "top values and rank histogram labels longer than this are stored cut "
      "to it (at a character boundary; recorded as values_cut_at_bytes); 0 "
      "keeps them whole, up to 65,536 bytes for text counted by the sketches "
      "(see exact_unique_mb)" },
    { "slice_by", MLP_PARAM_LIST, "null", 0, 0, 0, NULL,
      "sliced statistics: column names (a slice per value) or lists of two "
      "(a slice per pair of values), e.g. { \"sex\", { \"sex\", \"class\" } }" },
    { "max_slices", MLP_PARAM_INT, "100", MLP_PARAM_HAS_MIN, 1, 0, NULL,
      "more slices than this for one slice_by item is refused" },
    { "exact_quantiles_max", MLP_PARAM_INT, "4000000", MLP_PARAM_HAS_MIN, 0, 0, NULL,
      "median and quantiles are exact (by selection on a copy, 8 bytes a "
      "value) for a column of up to this many values, from a sketch beyond" },
    { "exact_unique_mb", MLP_PARAM_INT, "128", MLP_PARAM_HAS_MIN | MLP_PARAM_HAS_MAX,
      0, 1 << 20, NULL, "distinct text values of a feature are counted exactly "
      "while they take up to this many MB (their bytes plus 96 each); beyond, "
      "unique is estimated (HyperLogLog, 0.81 % standard error) and top values "
      "come from a frequent-items sketch (counts_exact false, frequency_error "
      "bounds the counts)" },
    { "threads", MLP_PARAM_INT, "2", MLP_PARAM_HAS_MIN | MLP_PARAM_HAS_MAX |
      MLP_PARAM_NO_CACHE_KEY, 1, 64, NULL, "worker threads (by column)" },
    MLP_PARAMS_END
};
static const mlp_component components[] = {
    { "statistics", MLP_STAGE_VALIDATE,
      "Per-split, per-feature statistics as TensorFlow Data Validation computes them",
      inputs, outputs, params, run, { NULL } },
    { "statistics_import", MLP_STAGE_VALIDATE,
      "Reads statistics TFDV computed (DatasetFeatureStatisticsList JSON) "
      "into a Statistics artifact", NULL, outputs, import_params, import_run,
      { NULL } },
    MLP_COMPONENTS_END
};

static const mlp_type_desc types[] = {
    { MLP_TYPE_STATISTICS, "per-split, per-feature descriptive statistics",
      "{\"files\": [\"statistics.json\"]}", statistics_view, statistics_view,
      { NULL } },
    MLP_TYPES_END
};

MLP_PLUGIN_DEFINE_TYPES(statistics, "statistics", "0.1.0", "MIT",
                        "descriptive statistics of Examples", components, types, NULL, NULL);
