/* skeleton: a third-party mlpipe plugin, built outside the mlpipe tree.
 *
 * Its one component, `column_scale`, reads every split of an Examples
 * artifact, multiplies one numeric column by a factor, and writes the
 * result as a new Examples artifact.  Copy this file to start a plugin.
 */
#include <stdio.h>
#include <string.h>

#include <mlpipe/mlpipe.h>

/* Scales `column` in one split's table and writes the new table. */
static int scale_split(mlp_ctx *ctx, const char *split, mlp_error *err)
{
    const mlp_artifact *in = mlp_ctx_input(ctx, "examples", 0);
    mlp_artifact *out = mlp_ctx_output(ctx, "examples_out");
    const char *column = mlp_ctx_param_string(ctx, "column");
    double factor = mlp_ctx_param_float(ctx, "factor");
    char file[256], src[4096], dst[4096];
    mlp_table *t = NULL, *res = NULL;
    int rc;

    snprintf(file, sizeof file, "%s.mlpt", split);
    rc = mlp_artifact_path(in, file, src, sizeof src, err);
    if (rc == MLP_OK)
        rc = mlp_artifact_path(out, file, dst, sizeof dst, err);
    if (rc == MLP_OK)
        rc = mlp_table_open(src, &t, err);
    if (rc != MLP_OK)
        return rc;
    const mlp_column *target = mlp_table_find(t, column);
    if (target == NULL || target->type != MLP_COL_NUMERIC) {
        rc = mlp_error_set(err, MLP_EINVAL, "parameter 'column': '%s' is not "
                           "a numeric column of split '%s'", column, split);
        goto done;
    }
    res = mlp_table_new(mlp_table_n_rows(t));
    if (res == NULL) {
        rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t c = 0; rc == MLP_OK && c < mlp_table_n_cols(t); c++) {
        const mlp_column *col = mlp_table_column(t, c);
        size_t n = col->n_rows;
        double *v;

        if (col != target) {
            rc = mlp_table_add_copy(res, col->name, col, err);
            continue;
        }
        v = mlp_malloc((n ? n : 1) * sizeof *v);
        if (v == NULL) {
            rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
            break;
        }
        for (size_t i = 0; i < n; i++)
            v[i] = col->num[i] * factor;
        /* add_numeric copies: missing values stay missing. */
        rc = mlp_table_add_numeric(res, col->name, v, col->missing, err);
        mlp_free(v);
    }
    if (rc == MLP_OK)
        rc = mlp_table_write(res, dst, err);
done:
    mlp_table_free(res);
    mlp_table_free(t);
    return rc;
}

static int run(mlp_ctx *ctx)
{
    const mlp_artifact *in = mlp_ctx_input(ctx, "examples", 0);
    mlp_artifact *out = mlp_ctx_output(ctx, "examples_out");
    const cJSON *splits = mlp_artifact_property(in, "splits"), *s;
    mlp_error err;
    int rc = MLP_OK;

    mlp_error_clear(&err);
    if (!cJSON_IsArray(splits))
        return mlp_ctx_fail(ctx, MLP_EINVAL, "input Examples list no splits");
    cJSON_ArrayForEach(s, splits) {
        if (mlp_ctx_cancelled(ctx))
            return mlp_ctx_fail(ctx, MLP_ECANCELED, "cancelled");
        rc = scale_split(ctx, cJSON_GetStringValue(s), &err);
        if (rc != MLP_OK)
            return mlp_ctx_fail_error(ctx, &err);
        mlp_ctx_log(ctx, MLP_LOG_INFO, "scaled split %s", s->valuestring);
    }
    /* Downstream stages read the same properties as from csv_import. */
    rc = mlp_artifact_set_property(out, "splits", cJSON_Duplicate(splits, 1),
                                   &err);
    if (rc == MLP_OK)
        rc = mlp_artifact_set_property(out, "scaled_column",
                                       cJSON_CreateString(mlp_ctx_param_string(ctx, "column")),
                                       &err);
    return rc == MLP_OK ? MLP_OK : mlp_ctx_fail_error(ctx, &err);
}

static const mlp_port inputs[] = {
    { "examples", MLP_TYPE_EXAMPLES, 0, "tables to transform" },
    MLP_PORTS_END
};
static const mlp_port outputs[] = {
    { "examples_out", MLP_TYPE_EXAMPLES, 0, "the same tables, one column scaled" },
    MLP_PORTS_END
};
static const mlp_param_spec params[] = {
    { "column", MLP_PARAM_STRING, NULL, MLP_PARAM_REQUIRED, 0, 0, NULL,
      "numeric column to scale" },
    { "factor", MLP_PARAM_FLOAT, "1.0", 0, 0, 0, NULL, "multiplier" },
    MLP_PARAMS_END
};
static const mlp_component components[] = {
    { "column_scale", MLP_STAGE_TRANSFORM, "Multiplies one numeric column",
      inputs, outputs, params, run, { NULL } },
    MLP_COMPONENTS_END
};

MLP_PLUGIN_DEFINE(skeleton, "skeleton", "1.0.0", "MIT",
                  "example third-party plugin", components, NULL, NULL);
