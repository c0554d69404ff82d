/* standard_scaler: scikit-learn's StandardScaler fitted on train, applied to
 * every split; missing values stay missing.  Writes scaler.json. */
#include <math.h>

#include <mlpipe/mlpipe.h>

typedef struct fitted { const mlp_ctx *ctx; cJSON *mean, *scale; } fitted;

static int fit(const mlp_table *t, void *user, mlp_error *err)
{
    fitted *f = user;
    for (size_t i = 0; i < mlp_table_n_cols(t); i++) {
        const mlp_column *c = mlp_table_column(t, i);
        double sq = 0, n = 0, mean = 0;
        if (mlp_ctx_param_len(f->ctx, "columns") == 0 ? c->type != MLP_COL_NUMERIC
            : !mlp_ctx_param_contains(f->ctx, "columns", c->name))
            continue;
        if (c->type != MLP_COL_NUMERIC)
            return mlp_error_set(err, MLP_EINVAL, "column '%s' is %s, not numeric",
                                 c->name, mlp_col_type_name(c->type));
        for (size_t r = 0; r < c->n_rows; r++)
            if (!mlp_column_is_missing(c, r)) {  /* Welford: one pass, stable */
                double d = c->num[r] - mean;
                mean += d / ++n, sq += d * (c->num[r] - mean);
            }
        cJSON_AddItemToObject(f->mean, c->name, mlp_json_number(n > 0 ? mean : NAN));
        cJSON_AddItemToObject(f->scale, c->name, mlp_json_number(sq > 0 ? sqrt(sq / n) : 1));
    }
    return MLP_OK;
}

static int apply(const char *split, const mlp_table *in, mlp_table **out,
                 void *user, mlp_error *err)
{
    fitted *f = user;
    int rc = MLP_OK;
    (void)split;
    *out = mlp_table_new(mlp_table_n_rows(in));
    for (size_t i = 0; rc == MLP_OK && i < mlp_table_n_cols(in); i++) {
        const mlp_column *c = mlp_table_column(in, i);
        double mean = mlp_json_num(f->mean, c->name), s = mlp_json_num(f->scale, c->name);
        if (!cJSON_GetObjectItemCaseSensitive(f->mean, c->name)) {
            rc = mlp_table_add_copy(*out, c->name, c, err);
            continue;
        }
        double *v = mlp_malloc((c->n_rows + 1) * sizeof *v);
        for (size_t r = 0; v != NULL && r < c->n_rows; r++)
            v[r] = mlp_column_is_missing(c, r) ? NAN : (c->num[r] - mean) / s;
        rc = v ? mlp_table_add_numeric(*out, c->name, v, c->missing, err)
               : mlp_error_set(err, MLP_ENOMEM, "out of memory");
        mlp_free(v);
    }
    return rc;
}

static int run(mlp_ctx *ctx)
{
    fitted f = { ctx, cJSON_CreateObject(), cJSON_CreateObject() };
    cJSON *j = cJSON_CreateObject();
    mlp_error err;
    int rc = mlp_examples_fit_apply(ctx, "examples", "scaled", NULL, fit, apply, &f);
    cJSON_AddItemToObject(j, "mean", f.mean);
    cJSON_AddItemToObject(j, "scale", f.scale);
    if (rc == MLP_OK && mlp_artifact_write_json(mlp_ctx_output(ctx, "scaled"),
                                                "scaler.json", j, &err) != MLP_OK)
        rc = mlp_ctx_fail_error(ctx, &err);
    cJSON_Delete(j);
    return rc;
}

static const mlp_port inputs[] = { { "examples", MLP_TYPE_EXAMPLES, 0, "rows to scale" }, MLP_PORTS_END };
static const mlp_port outputs[] = { { "scaled", MLP_TYPE_EXAMPLES, 0, "scaled rows, scaler.json" }, MLP_PORTS_END };
static const mlp_param_spec params[] = {
    { "columns", MLP_PARAM_LIST, "[]", MLP_PARAM_OF(MLP_PARAM_STRING), 0, 0, NULL,
      "columns to scale (default: every numeric column)" }, MLP_PARAMS_END };
static const mlp_component components[] = {
    { "standard_scaler", MLP_STAGE_TRANSFORM, "Scales numeric columns to mean 0, std 1",
      inputs, outputs, params, run, { NULL } }, MLP_COMPONENTS_END };
MLP_PLUGIN_DEFINE(standard_scaler, "standard_scaler", "1.0.0", "MIT",
                  "StandardScaler as a transform", components, NULL, NULL);
