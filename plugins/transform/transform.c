/* transform: tf.Transform's promise in C.  Analyzers are fitted on one
 * split (train); the fitted mappers become a TransformGraph document, and
 * every split is written by applying that document through the SDK's
 * mlp_tgraph_apply() -- the call evaluation, prediction and serving make
 * on raw rows, so their features are these bit for bit. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tf.h"

/* Rows per slice of a row group, so that the columns a slice computes
 * take about 64 MB: memory stays bounded however large the groups are,
 * and is reused from slice to slice instead of faulted in afresh; larger
 * slices would gain little, smaller ones cost room in the file (each
 * group stores its own dictionaries). */
size_t tf_slice_rows(const mlp_tgraph *g)
{
    size_t r = ((size_t)64 << 20) / (8 * (mlp_tgraph_n_computed(g) + 1));
    return r < 1024 ? 1024 : r & ~(size_t)7;
}

void tf_name_row(const mlp_artifact *ex, const char *split, size_t row, mlp_error *err)
{
    char why[sizeof err->msg], at[400];
    mlp_error e2;
    int code = err->code;

    snprintf(why, sizeof why, "%s", err->msg);
    if (row == SIZE_MAX || ex == NULL ||
        mlp_examples_source(ex, split, row, at, sizeof at, &e2) != MLP_OK)
        mlp_error_set(err, code, "split '%s': %s", split, why);
    else
        mlp_error_set(err, code, "split '%s': %s (%s)", split, why, at);
}

/* Slice [r0, r0 + take) of row group raw through the graph, written as a
 * row group of the output; *rows counts the split's rows so far. */
static int transform_slice(const mlp_tgraph *g, const mlp_artifact *ex, mlp_artifact *out,
                           const char *split, const mlp_table *raw, size_t r0, size_t take,
                           int describe, mlp_table_writer *w, size_t *rows, mlp_error *err)
{
    mlp_table *slice = NULL, *t = NULL;
    size_t bad = SIZE_MAX;
    int rc = mlp_table_rows(raw, r0, take, &slice, err);

    if (rc == MLP_OK)
        rc = mlp_tgraph_apply_rows(g, slice, *rows, &t, &bad, err);
    mlp_table_free(slice);
    if (rc != MLP_OK) {
        tf_name_row(ex, split, bad == SIZE_MAX ? SIZE_MAX : *rows + bad, err);
        return rc;
    }
    if (describe && (rc = mlp_examples_describe(out, t, ex, err)) != MLP_OK) {
        mlp_table_free(t);
        return rc;
    }
    *rows += mlp_table_n_rows(t);
    return mlp_table_writer_add(w, t, err);
}

/* One split through the graph, a slice of a row group at a time; each
 * slice becomes a row group of the output. */
static int transform_split(const mlp_tgraph *g, const mlp_artifact *ex, mlp_artifact *out,
                           const char *split, int describe, size_t *rows, mlp_error *err)
{
    char file[300], path[4096];
    mlp_table_file *f = NULL;
    mlp_table_writer *w = NULL;
    size_t step = tf_slice_rows(g);
    int rc;

    *rows = 0;
    snprintf(file, sizeof file, "%s.mlpt", split);
    rc = mlp_artifact_path(ex, file, path, sizeof path, err);
    if (rc == MLP_OK)
        rc = mlp_table_file_open(path, &f, err);
    if (rc == MLP_OK)
        rc = mlp_artifact_path(out, file, path, sizeof path, err);
    if (rc == MLP_OK)
        rc = mlp_table_writer_open(path, &w, err);
    for (size_t gi = 0; rc == MLP_OK && gi < mlp_table_file_n_groups(f); gi++) {
        mlp_table *raw = NULL;
        rc = mlp_table_file_group_packed(f, gi, &raw, err);
        size_t n = rc == MLP_OK ? mlp_table_n_rows(raw) : 0;
        /* An empty group goes through once: its columns are the output's. */
        for (size_t r0 = 0; rc == MLP_OK && (r0 < n || r0 == 0); r0 += step)
            rc = transform_slice(g, ex, out, split, raw, r0, n - r0 < step ? n - r0 : step,
                                 describe && gi == 0 && r0 == 0, w, rows, err);
        mlp_table_free(raw);
    }
    if (rc == MLP_OK)
        rc = mlp_table_writer_close(w, err);
    else if (w)
        mlp_table_writer_abort(w);
    mlp_table_file_close(f);
    /* Rows keep their order: their source lines still apply. */
    snprintf(file, sizeof file, "%s.lines.mlpt", split);
    if (rc == MLP_OK && mlp_artifact_has_file(ex, file))
        rc = mlp_artifact_copy_file(out, ex, file, err);
    return rc;
}

static cJSON *names_of(const mlp_tgraph *g, int outputs)
{
    cJSON *arr = cJSON_CreateArray();
    size_t n = outputs ? mlp_tgraph_n_outputs(g) : mlp_tgraph_n_inputs(g);
    for (size_t i = 0; i < n; i++)
        cJSON_AddItemToArray(arr, cJSON_CreateString(outputs ? mlp_tgraph_output(g, i)
                                                             : mlp_tgraph_input(g, i, NULL)));
    return arr;
}

static int run(mlp_ctx *ctx)
{
    const mlp_artifact *ex = mlp_ctx_input(ctx, "examples", 0);
    mlp_artifact *out = mlp_ctx_output(ctx, "examples");
    mlp_artifact *og = mlp_ctx_output(ctx, "transform_graph");
    const char *split = mlp_ctx_param_string(ctx, "fit_split");
    const char *label = cJSON_GetStringValue(mlp_artifact_property(ex, "label"));
    static const char *const keep_out[] = { "rows", "columns", "transform_graph_hash", NULL };
    mlp_table_file *f = NULL;
    tf_feature *feat = NULL;
    size_t n = 0, total = mlp_examples_split_count(ex);
    cJSON *doc = NULL, *rows = cJSON_CreateObject();
    mlp_tgraph *g = NULL;
    tf_fit_opts fo;
    char file[300], path[4096];
    mlp_error err;
    int rc;

    mlp_error_clear(&err);
    if (!mlp_examples_has_split(ex, split)) {
        cJSON_Delete(rows);
        return mlp_ctx_fail(ctx, MLP_EINVAL, "fit_split: the Examples at %s have no "
                            "split '%s'", mlp_artifact_uri(ex), split);
    }
    snprintf(file, sizeof file, "%s.mlpt", split);
    rc = mlp_artifact_path(ex, file, path, sizeof path, &err);
    if (rc == MLP_OK)
        rc = mlp_table_file_open(path, &f, &err);
    /* A FeatureSelection applied as a transform step: what it dropped
     * is not transformed. */
    const mlp_artifact *sel = mlp_ctx_input(ctx, "selection", 0);
    cJSON *seldoc = NULL, *dropped = cJSON_CreateArray();
    if (rc == MLP_OK && sel != NULL)
        rc = mlp_artifact_read_json(sel, "selection.json", &seldoc, &err);
    const cJSON *x;
    cJSON_ArrayForEach(x, cJSON_GetObjectItem(seldoc, "features"))
        if (strcmp(mlp_json_str(x, "status"), "kept") != 0)
            cJSON_AddItemToArray(dropped, cJSON_CreateString(mlp_json_str(x, "name")));
    if (rc == MLP_OK)
        rc = tf_resolve(f, split, mlp_ctx_param(ctx, "features"), label ? label : "",
                        dropped, &feat, &n, &err);
    cJSON_Delete(seldoc);
    cJSON_Delete(dropped);
    if (rc == MLP_OK && n == 0 && cJSON_GetArraySize(mlp_ctx_param(ctx, "crosses")) == 0 &&
        cJSON_GetArraySize(mlp_ctx_param(ctx, "lua")) == 0)
        rc = mlp_error_set(&err, MLP_EINVAL, "features: no column of split '%s' is taken "
                           "(the selectors match none%s): nothing to transform", split,
                           sel ? ", or the selection dropped them" : "");
    fo.crosses = mlp_ctx_param(ctx, "crosses");
    fo.lua = mlp_ctx_param(ctx, "lua");
    fo.pca = mlp_ctx_param(ctx, "pca");
    fo.passthrough = mlp_ctx_param(ctx, "passthrough");
    fo.label = label ? label : "";
    fo.threads = (int)mlp_ctx_param_int(ctx, "threads");
    fo.examples = ex;
    if (rc == MLP_OK)
        rc = tf_fit(f, split, feat, n, &fo, &doc, &err);
    mlp_table_file_close(f);
    tf_features_free(feat, n);
    /* The document is checked as any reader will check it. */
    if (rc == MLP_OK)
        rc = mlp_tgraph_parse(doc, "the fitted transform graph", &g, &err);
    if (rc == MLP_OK)
        rc = mlp_artifact_path(og, "transform_graph.json", path, sizeof path, &err);
    if (rc == MLP_OK)
        rc = mlp_json_write_file(path, doc, &err);
    if (rc == MLP_OK)
        rc = mlp_artifact_copy_properties(out, ex, keep_out, &err);
    for (size_t i = 0; rc == MLP_OK && i < total; i++) {
        size_t nrows;
        rc = transform_split(g, ex, out, mlp_examples_split(ex, i), i == 0, &nrows, &err);
        cJSON_AddItemToObject(rows, mlp_examples_split(ex, i), mlp_json_int((int64_t)nrows));
        mlp_ctx_progress(ctx, i + 1, total, "splits");
    }
    if (rc == MLP_OK) {
        rc = mlp_artifact_set_property(out, "rows", rows, &err);
        rows = NULL;
    }
    /* Which graph made these rows: an evaluator given them and a model
     * trained behind the same graph knows not to apply it again. */
    if (rc == MLP_OK) {
        char hex[17];
        mlp_tgraph_doc_hash(doc, hex);
        rc = mlp_artifact_set_property(out, "transform_graph_hash", cJSON_CreateString(hex),
                                       &err);
    }
    if (rc == MLP_OK)
        rc = mlp_artifact_set_property(og, "outputs", names_of(g, 1), &err);
    if (rc == MLP_OK)
        rc = mlp_artifact_set_property(og, "inputs", names_of(g, 0), &err);
    if (rc == MLP_OK)
        rc = mlp_artifact_set_property(og, "fitted_on", cJSON_CreateString(split), &err);
    if (rc == MLP_OK && label)
        rc = mlp_artifact_set_property(og, "label", cJSON_CreateString(label), &err);
    if (rc == MLP_OK)
        mlp_ctx_log(ctx, MLP_LOG_INFO, "%zu raw columns to %zu features",
                    mlp_tgraph_n_inputs(g), mlp_tgraph_n_outputs(g));
    cJSON_Delete(rows);
    cJSON_Delete(doc);
    mlp_tgraph_free(g);
    return rc == MLP_OK ? MLP_OK : mlp_ctx_fail_error(ctx, &err);
}

static const mlp_port inputs[] = {
    { "examples", MLP_TYPE_EXAMPLES, 0, "raw rows: the fit split, and every split to "
      "transform" },
    { "selection", MLP_TYPE_FEATURE_SELECTION, MLP_PORT_OPTIONAL,
      "features a select_features node dropped: patterns skip them, naming one is "
      "an error" },
    MLP_PORTS_END
};
static const mlp_port outputs[] = {
    { "examples", MLP_TYPE_EXAMPLES, 0, "every split as features: the label and "
      "passthrough columns, then the graph's outputs" },
    { "transform_graph", MLP_TYPE_TRANSFORM_GRAPH, 0, "transform_graph.json: the fitted "
      "mappers, for mlp_tgraph_apply()" },
    MLP_PORTS_END
};
static const mlp_param_spec params[] = {
    { "features", MLP_PARAM_MAP, NULL, MLP_PARAM_REQUIRED, 0, 0, NULL,
      "column (or glob pattern, or \":numeric\" / \":categorical\") -> mappers: a "
      "list such as { \"impute_median\", \"zscore\" }, or { ops = {...}, options }; "
      "options: indicator, fill, clip_min, clip_max, log_offset, buckets, top_k, "
      "frequency_threshold, oov_buckets, source (the column, when the key names a "
      "new output)" },
    { "crosses", MLP_PARAM_LIST, "[]", 0, 0, 0, NULL,
      "feature crosses: { inputs = { \"a\", \"b\" }, buckets = N, name = \"a_x_b\" }" },
    { "lua", MLP_PARAM_MAP, "{}", 0, 0, 0, NULL,
      "Lua mappers: name -> { inputs = {...}, outputs = {...} (default: the name), "
      "source = \"return function(row) ... end\" }" },
    { "passthrough", MLP_PARAM_LIST, "[]", MLP_PARAM_OF(MLP_PARAM_STRING), 0, 0, NULL,
      "raw columns copied as they are (the label always is)" },
    { "fit_split", MLP_PARAM_STRING, "\"train\"", 0, 0, 0, NULL,
      "the split the analyzers see (never the evaluation rows)" },
    { "pca", MLP_PARAM_MAP, "null", 0, 0, 0, NULL,
      "principal components of transformed features (see docs/stages.md)" },
    { "threads", MLP_PARAM_INT, "2", MLP_PARAM_HAS_MIN | MLP_PARAM_HAS_MAX |
      MLP_PARAM_NO_CACHE_KEY, 1, 64, NULL, "features fitted at once" },
    MLP_PARAMS_END
};

static const mlp_component components[] = {
    { "transform", MLP_STAGE_TRANSFORM,
      "Fits feature mappers on the training split and applies them to every split "
      "through a saved TransformGraph (tf.Transform)", inputs, outputs, params, run,
      { NULL } },
    MLP_COMPONENTS_END
};

static const mlp_type_desc types[] = {
    { MLP_TYPE_TRANSFORM_GRAPH, "fitted feature mappers, applied to raw rows by "
      "mlp_tgraph_apply()",
      "{\"properties\": {\"outputs\": \"array\"}, \"files\": [\"transform_graph.json\"]}",
      tf_view, tf_view, { NULL } },
    MLP_TYPES_END
};

MLP_PLUGIN_DEFINE_TYPES(transform, "transform", "0.1.0", "MIT",
                        "feature transforms with no training/serving skew", components,
                        types, NULL, NULL);
