/* schema: infers a schema from statistics as TFDV does (schema_infer), or
 * takes a hand-curated one after checking it (schema_import).
 *
 * Inference: each feature gets its type; presence min_count 1, and
 * min_fraction 1.0 only when it was never missing; a string domain when it
 * has at most max_string_domain_size distinct values, none of them cut
 * short by the statistics' max_value_bytes; numeric ranges only
 * when asked for; the label leaves the SERVING environment.  Given an
 * earlier schema, its features are kept as they are (so hand edits
 * survive) and new features are added only with accept_new_features.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mlpipe/mlpipe.h>

#include "tfdv.h"
#include "update.h"
#include "view.h"

static const cJSON *find_split(const cJSON *stats, const char *name)
{
    const cJSON *s, *first = NULL;

    cJSON_ArrayForEach(s, cJSON_GetObjectItem(stats, "splits")) {
        const char *n = cJSON_GetStringValue(cJSON_GetObjectItem(s, "name"));
        if (first == NULL)
            first = s;
        if (n && name && strcmp(n, name) == 0)
            return s;
    }
    return name ? NULL : first;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void add_comparator(cJSON *f, const char *key, const char *type,
                           double threshold)
{
    cJSON *c = cJSON_AddObjectToObject(f, key);
    cJSON *m = cJSON_AddObjectToObject(c, strcmp(type, "STRING") == 0
                                              ? "infinity_norm"
                                              : "jensen_shannon_divergence");
    cJSON_AddItemToObject(m, "threshold", mlp_json_number(threshold));
}

/* A schema feature from one feature's statistics. */
static cJSON *infer_feature(mlp_ctx *ctx, const cJSON *fs, cJSON *domains)
{
    const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(fs, "name"));
    const char *type = cJSON_GetStringValue(cJSON_GetObjectItem(fs, "type"));
    const char *label = mlp_ctx_param_string(ctx, "label");
    const cJSON *common = cJSON_GetObjectItem(fs, "common");
    const cJSON *drift = mlp_ctx_param(ctx, "drift_threshold");
    const cJSON *skew = mlp_ctx_param(ctx, "skew_threshold");
    cJSON *f = cJSON_CreateObject(), *presence;

    cJSON_AddStringToObject(f, "name", name);
    cJSON_AddStringToObject(f, "type", type);
    presence = cJSON_AddObjectToObject(f, "presence");
    if (cJSON_GetNumberValue(cJSON_GetObjectItem(common, "num_missing")) == 0)
        cJSON_AddNumberToObject(presence, "min_fraction", 1.0);
    cJSON_AddNumberToObject(presence, "min_count", 1);

    if (strcmp(type, "STRING") == 0) {
        const cJSON *ss = cJSON_GetObjectItem(fs, "string_stats");
        const cJSON *rank = cJSON_GetObjectItem(ss, "rank_histogram"), *b;
        double unique = cJSON_GetNumberValue(cJSON_GetObjectItem(ss, "unique"));
        int n = cJSON_GetArraySize(rank), k = 0;
        /* Only when every value is known: the rank histogram may stop
         * short of `unique`, and a value cut at max_value_bytes is not the
         * value (a domain of cut values would refuse every real one). */
        if (unique <= (double)mlp_ctx_param_int(ctx, "max_string_domain_size") &&
            n == (int)unique && n > 0 &&
            cJSON_GetObjectItem(ss, "values_cut_at_bytes") == NULL) {
            const char **vals = malloc((size_t)n * sizeof *vals);
            cJSON *d = cJSON_CreateObject(), *arr;
            if (vals == NULL) {
                cJSON_Delete(d);
                cJSON_Delete(f);
                return NULL;
            }
            cJSON_ArrayForEach(b, rank)
                vals[k++] = cJSON_GetStringValue(cJSON_GetObjectItem(b, "label"));
            qsort(vals, (size_t)n, sizeof *vals, cmp_str);
            cJSON_AddStringToObject(d, "name", name);
            arr = cJSON_AddArrayToObject(d, "values");
            for (k = 0; k < n; k++)
                cJSON_AddItemToArray(arr, cJSON_CreateString(vals[k]));
            free(vals);
            cJSON_AddItemToArray(domains, d);
            cJSON_AddStringToObject(f, "domain", name);
        }
    } else if (mlp_ctx_param_bool(ctx, "infer_ranges")) {
        const cJSON *ns = cJSON_GetObjectItem(fs, "num_stats");
        const cJSON *lo = cJSON_GetObjectItem(ns, "min"), *hi = cJSON_GetObjectItem(ns, "max");
        if (cJSON_IsNumber(lo) && cJSON_IsNumber(hi)) {
            cJSON *d = cJSON_AddObjectToObject(f, strcmp(type, "INT") == 0
                                                      ? "int_domain" : "float_domain");
            cJSON_AddItemToObject(d, "min", mlp_json_number(lo->valuedouble));
            cJSON_AddItemToObject(d, "max", mlp_json_number(hi->valuedouble));
        }
    }
    if (label && strcmp(label, name) == 0) {
        cJSON *envs = cJSON_AddArrayToObject(f, "not_in_environment");
        cJSON_AddItemToArray(envs, cJSON_CreateString("SERVING"));
    }
    if (drift)
        add_comparator(f, "drift_comparator", type, drift->valuedouble);
    if (skew)
        add_comparator(f, "skew_comparator", type, skew->valuedouble);
    return f;
}

static int write_schema(mlp_ctx *ctx, cJSON *schema, mlp_error *err)
{
    mlp_artifact *out = mlp_ctx_output(ctx, "schema");
    char path[4096];
    int rc;

    /* What we write must load again: check it like a hand-made one. */
    rc = mlp_schema_check(schema, "inferred schema", err);
    if (rc == MLP_OK)
        rc = mlp_artifact_path(out, "schema.json", path, sizeof path, err);
    if (rc == MLP_OK)
        rc = mlp_json_write_file(path, schema, err);
    /* Beside it, the same schema as TFDV writes one, for TFDV and Facets. */
    if (rc == MLP_OK) {
        cJSON *t = tfdv_schema_export(schema);
        rc = t ? mlp_artifact_path(out, "schema.tfdv.json", path, sizeof path, err)
               : mlp_error_set(err, MLP_ENOMEM, "out of memory");
        if (rc == MLP_OK)
            rc = mlp_json_write_file(path, t, err);
        cJSON_Delete(t);
    }
    if (rc == MLP_OK)
        rc = mlp_artifact_set_property(out, "features", cJSON_CreateNumber(
            cJSON_GetArraySize(cJSON_GetObjectItem(schema, "features"))), err);
    return rc;
}

static int load_input_schema(const mlp_artifact *a, cJSON **out, mlp_error *err)
{
    char path[4096];
    int rc = mlp_artifact_path(a, "schema.json", path, sizeof path, err);

    return rc == MLP_OK ? mlp_schema_load(path, out, err) : rc;
}

static int infer_run(mlp_ctx *ctx)
{
    const mlp_artifact *st = mlp_ctx_input(ctx, "statistics", 0);
    const mlp_artifact *prev_a = mlp_ctx_input(ctx, "schema", 0);
    const char *split_name = mlp_ctx_param_string(ctx, "split");
    const char *label = mlp_ctx_param_string(ctx, "label");
    cJSON *stats = NULL, *prev = NULL, *schema = NULL, *features, *domains;
    const cJSON *split, *fs, *pf;
    mlp_json_index *prev_ix = NULL;
    char path[4096];
    mlp_error err;
    int rc, added = 0;

    mlp_error_clear(&err);
    rc = mlp_artifact_path(st, "statistics.json", path, sizeof path, &err);
    if (rc == MLP_OK)
        rc = mlp_json_read_file(path, &stats, &err);
    if (rc == MLP_OK && prev_a != NULL)
        rc = load_input_schema(prev_a, &prev, &err);
    if (rc != MLP_OK)
        goto done;
    split = find_split(stats, split_name);
    if (split == NULL) {
        rc = mlp_error_set(&err, MLP_EINVAL, "parameter 'split': the statistics "
                           "have no split '%s'", split_name);
        goto done;
    }
    if (prev != NULL) {
        schema = cJSON_Duplicate(prev, 1);
        features = cJSON_GetObjectItem(schema, "features");
        domains = cJSON_GetObjectItem(schema, "string_domains");
        if (domains == NULL)
            domains = cJSON_AddArrayToObject(schema, "string_domains");
    } else {
        schema = cJSON_CreateObject();
        cJSON_AddNumberToObject(schema, "version", MLP_SCHEMA_VERSION);
        if (label)
            cJSON_AddItemToObject(schema, "default_environments",
                                  cJSON_CreateStringArray((const char *[]){ "TRAINING", "SERVING" }, 2));
        features = cJSON_AddArrayToObject(schema, "features");
        domains = cJSON_AddArrayToObject(schema, "string_domains");
    }
    if (label && cJSON_GetObjectItem(schema, "default_environments") == NULL)
        cJSON_AddItemToObject(schema, "default_environments",
                              cJSON_CreateStringArray((const char *[]){ "TRAINING", "SERVING" }, 2));
    prev_ix = prev ? mlp_json_index_new(cJSON_GetObjectItem(prev, "features"), "name") : NULL;
    if (prev != NULL && prev_ix == NULL) {
        rc = mlp_error_set(&err, MLP_ENOMEM, "out of memory");
        goto done;
    }
    cJSON_ArrayForEach(fs, cJSON_GetObjectItem(split, "features")) {
        const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(fs, "name"));
        if (prev != NULL && (pf = mlp_json_index_find(prev_ix, name)) != NULL)
            continue;  /* kept as curated */
        if (prev != NULL && !mlp_ctx_param_bool(ctx, "accept_new_features")) {
            mlp_ctx_log(ctx, MLP_LOG_WARN, "new feature '%s' not added to the "
                        "schema (accept_new_features = false)", name);
            continue;
        }
        cJSON *f = infer_feature(ctx, fs, domains);
        if (f == NULL) {
            rc = mlp_error_set(&err, MLP_ENOMEM, "out of memory");
            goto done;
        }
        cJSON_AddItemToArray(features, f);
        added++;
    }
    if (label && mlp_schema_feature(schema, label) == NULL) {
        rc = mlp_error_set(&err, MLP_EINVAL, "parameter 'label': no feature "
                           "'%s' in the statistics", label);
        goto done;
    }
    if (prev != NULL)
        mlp_ctx_log(ctx, MLP_LOG_INFO, "%d new features added to the schema", added);
    rc = write_schema(ctx, schema, &err);
    if (rc == MLP_OK && prev != NULL)
        rc = mlp_artifact_set_property(mlp_ctx_output(ctx, "schema"), "added_features",
                                       cJSON_CreateNumber(added), &err);
done:
    mlp_json_index_free(prev_ix);
    cJSON_Delete(stats);
    cJSON_Delete(prev);
    cJSON_Delete(schema);
    return rc == MLP_OK ? MLP_OK : mlp_ctx_fail_error(ctx, &err);
}

static int import_run(mlp_ctx *ctx)
{
    const char *path = mlp_ctx_param_string(ctx, "path");
    const char *format = mlp_ctx_param_string(ctx, "format");
    cJSON *schema = NULL, *doc = NULL;
    mlp_error err;
    int rc = MLP_OK;

    mlp_error_clear(&err);
    if (strcmp(format, "mlpipe") != 0)
        rc = mlp_json_read_file(path, &doc, &err);
    if (rc != MLP_OK && strcmp(format, "auto") == 0) {
        /* Not JSON at all: the schema loader says where, in its words. */
        rc = MLP_OK;
        doc = NULL;
    }
    if (rc == MLP_OK && (strcmp(format, "tfdv") == 0 ||
                         (strcmp(format, "auto") == 0 && tfdv_is_schema(doc))))
        rc = tfdv_schema_import(doc, path, &schema, &err);
    else if (rc == MLP_OK)
        rc = mlp_schema_load(path, &schema, &err);
    cJSON_Delete(doc);

    if (rc == MLP_OK)
        rc = write_schema(ctx, schema, &err);
    cJSON_Delete(schema);
    return rc == MLP_OK ? MLP_OK : mlp_ctx_fail_error(ctx, &err);
}

static int update_run(mlp_ctx *ctx)
{
    const char *split_name = mlp_ctx_param_string(ctx, "split");
    cJSON *stats = NULL, *schema = NULL, *relax = NULL;
    const cJSON *split;
    char path[4096];
    mlp_error err;
    int rc;

    mlp_error_clear(&err);
    rc = mlp_artifact_path(mlp_ctx_input(ctx, "statistics", 0), "statistics.json",
                           path, sizeof path, &err);
    if (rc == MLP_OK)
        rc = mlp_json_read_file(path, &stats, &err);
    if (rc == MLP_OK)
        rc = load_input_schema(mlp_ctx_input(ctx, "schema", 0), &schema, &err);
    if (rc == MLP_OK && (split = find_split(stats, split_name)) == NULL)
        rc = mlp_error_set(&err, MLP_EINVAL, "parameter 'split': the statistics "
                           "have no split '%s'", split_name);
    if (rc == MLP_OK)
        rc = schema_update(ctx, schema, split, &relax, &err);
    if (rc == MLP_OK)
        rc = write_schema(ctx, schema, &err);
    if (rc == MLP_OK)
        rc = mlp_artifact_set_property(mlp_ctx_output(ctx, "schema"), "relaxed",
                                       cJSON_CreateNumber(cJSON_GetArraySize(relax)), &err);
    if (rc == MLP_OK) {
        rc = mlp_artifact_set_property(mlp_ctx_output(ctx, "schema"), "relaxations",
                                       relax, &err);
        relax = NULL;
    }
    cJSON_Delete(relax);
    cJSON_Delete(stats);
    cJSON_Delete(schema);
    return rc == MLP_OK ? MLP_OK : mlp_ctx_fail_error(ctx, &err);
}

static const mlp_port update_inputs[] = {
    { "schema", MLP_TYPE_SCHEMA, 0, "the schema to relax" },
    { "statistics", MLP_TYPE_STATISTICS, 0, "statistics of the data it must admit" },
    MLP_PORTS_END
};
static const mlp_param_spec update_params[] = {
    { "split", MLP_PARAM_STRING, "\"train\"", 0, 0, 0, NULL,
      "split whose statistics the schema must admit" },
    MLP_PARAMS_END
};

static const mlp_port infer_inputs[] = {
    { "statistics", MLP_TYPE_STATISTICS, 0, "statistics to infer from" },
    { "schema", MLP_TYPE_SCHEMA, MLP_PORT_OPTIONAL,
      "an earlier schema to keep and extend (schema evolution)" },
    MLP_PORTS_END
};
static const mlp_port schema_out[] = {
    { "schema", MLP_TYPE_SCHEMA, 0, "schema.json, and schema.tfdv.json in TFDV's form" },
    MLP_PORTS_END
};
static const mlp_param_spec infer_params[] = {
    { "split", MLP_PARAM_STRING, "\"train\"", 0, 0, 0, NULL,
      "split whose statistics describe the data" },
    { "label", MLP_PARAM_STRING, "null", 0, 0, 0, NULL,
      "label feature: not expected in the SERVING environment" },
    { "max_string_domain_size", MLP_PARAM_INT, "100", MLP_PARAM_HAS_MIN, 0, 0,
      NULL, "string features with at most this many values get a domain" },
    { "infer_ranges", MLP_PARAM_BOOL, "false", 0, 0, 0, NULL,
      "also record numeric min/max as int_domain / float_domain" },
    { "drift_threshold", MLP_PARAM_FLOAT, "null", MLP_PARAM_HAS_MIN | MLP_PARAM_HAS_MAX,
      0, 1, NULL, "add drift comparators with this threshold" },
    { "skew_threshold", MLP_PARAM_FLOAT, "null", MLP_PARAM_HAS_MIN | MLP_PARAM_HAS_MAX,
      0, 1, NULL, "add skew comparators with this threshold" },
    { "accept_new_features", MLP_PARAM_BOOL, "false", 0, 0, 0, NULL,
      "with an earlier schema: add features it lacks" },
    MLP_PARAMS_END
};
static const char *const format_choices[] = { "auto", "mlpipe", "tfdv", NULL };
static const mlp_param_spec import_params[] = {
    { "path", MLP_PARAM_STRING, NULL, MLP_PARAM_REQUIRED | MLP_PARAM_FILE, 0, 0,
      NULL, "schema JSON file curated by hand" },
    { "format", MLP_PARAM_ENUM, "\"auto\"", 0, 0, 0, format_choices,
      "mlpipe (docs/schema.md), tfdv (a TFDV Schema in the protobuf JSON "
      "mapping, as json_format.MessageToJson writes it), or auto: tfdv when "
      "the file has TFDV's names and no version" },
    MLP_PARAMS_END
};
static const mlp_component components[] = {
    { "schema_infer", MLP_STAGE_VALIDATE, "Infers a schema from statistics",
      infer_inputs, schema_out, infer_params, infer_run, { NULL } },
    { "schema_update", MLP_STAGE_VALIDATE,
      "Relaxes a schema to admit new data, listing every relaxation (TFDV's "
      "update_schema)", update_inputs, schema_out, update_params, update_run,
      { NULL } },
    { "schema_import", MLP_STAGE_VALIDATE,
      "Checks a hand-curated schema file and makes it a Schema artifact",
      NULL, schema_out, import_params, import_run, { NULL } },
    MLP_COMPONENTS_END
};

static const mlp_type_desc types[] = {
    { MLP_TYPE_SCHEMA, "the expected features, types and domains",
      "{\"files\": [\"schema.json\"]}", schema_view, schema_view, { NULL } },
    MLP_TYPES_END
};

MLP_PLUGIN_DEFINE_TYPES(schema, "schema", "0.1.0", "MIT",
                        "schema inference and import", components, types, NULL, NULL);
