/* A model over a table's rows: whether the rows are already its
 * features, and its predictions of every row, as evaluation, active
 * learning and `mlpipe predict` need them alike. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <mlpipe/examples.h>
#include <mlpipe/memory.h>
#include <mlpipe/model.h>

int mlp_model_holds_features(const mlp_model *m, const mlp_artifact *ex, int *given,
                             mlp_error *err)
{
    const char *made = cJSON_GetStringValue(mlp_artifact_property(ex, "transform_graph_hash"));
    const char *mine = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
        mlp_model_document(m), "transform_graph_hash"));

    *given = 0;
    if (made == NULL)
        return MLP_OK;  /* raw rows */
    if (mlp_model_graph(m) == NULL)
        return MLP_OK;  /* a model trained on transformed rows: they are its features */
    if (mine != NULL && strcmp(made, mine) == 0) {
        *given = 1;
        return MLP_OK;
    }
    return mlp_error_set(err, MLP_EINVAL, "examples: these rows were made by a transform "
                         "graph (%s) that is not the model's (%s); give the raw rows, or the "
                         "output of the model's own transform", made, mine ? mine : "unknown");
}

int mlp_model_predict_table(const mlp_model *m, const mlp_table *t, int features_given,
                            double **out, size_t *bad_row, mlp_error *err)
{
    size_t n = mlp_table_n_rows(t), k = mlp_model_n_outputs(m), bad = SIZE_MAX;
    double *p = malloc(n * k * sizeof *p + 1);
    int rc = p ? MLP_OK : mlp_error_set(err, MLP_ENOMEM, "out of memory");

    for (size_t r0 = 0; rc == MLP_OK && r0 < n; r0 += MLP_MODEL_BLOCK) {
        size_t take = n - r0 < MLP_MODEL_BLOCK ? n - r0 : MLP_MODEL_BLOCK;
        mlp_table *slice = NULL, *feat = NULL;
        double *x = NULL;
        rc = mlp_table_rows(t, r0, take, &slice, err);
        if (rc == MLP_OK && mlp_model_graph(m) && !features_given)
            rc = mlp_tgraph_apply_rows(mlp_model_graph(m), slice, r0, &feat, &bad, err);
        if (rc == MLP_OK)
            rc = mlp_model_features(m, feat ? feat : slice, r0, &x, &bad, err);
        if (rc == MLP_OK) {
            mlp_rows rows = { take, mlp_model_n_features(m), x, take, NULL, NULL, NULL };
            rc = mlp_model_predict(m, &rows, p + r0 * k, err);
        }
        if (rc != MLP_OK && bad != SIZE_MAX)
            bad += r0;
        mlp_free(x);
        mlp_table_free(feat);
        mlp_table_free(slice);
    }
    if (bad_row)
        *bad_row = rc == MLP_OK ? SIZE_MAX : bad;
    if (rc != MLP_OK) {
        free(p);
        return rc;
    }
    *out = p;
    return MLP_OK;
}
