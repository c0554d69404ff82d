/* Fixture transforms built on the Examples helpers, as a third party
 * would write them:
 *   mapper_drop   mlp_examples_map: keeps the rows where column `column`
 *                 is present (so row counts may change)
 *   mapper_twice  mlp_examples_map: doubles numeric column `column`,
 *                 every row kept
 *   mapper_fail   mlp_examples_map whose map fails on split `split` */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <mlpipe/mlpipe.h>

typedef struct opts { const char *column, *split; } opts;

static int drop(const char *split, const mlp_table *in, mlp_table **out,
                void *user, mlp_error *err)
{
    const opts *o = user;
    const mlp_column *c = mlp_table_find(in, o->column);
    size_t *rows = malloc((mlp_table_n_rows(in) + 1) * sizeof *rows), n = 0;
    int rc;

    (void)split;
    if (c == NULL || rows == NULL) {
        free(rows);
        return mlp_error_set(err, MLP_EINVAL, "no column '%s'", o->column);
    }
    for (size_t r = 0; r < c->n_rows; r++)
        if (!mlp_column_is_missing(c, r))
            rows[n++] = r;
    rc = mlp_table_select(in, rows, n, out, err);
    free(rows);
    return rc;
}

static int twice(const char *split, const mlp_table *in, mlp_table **out,
                 void *user, mlp_error *err)
{
    const opts *o = user;
    int rc = MLP_OK;

    if (o->split != NULL && strcmp(split, o->split) == 0)
        return mlp_error_set(err, MLP_EFORMAT, "split %s cannot be mapped", split);
    *out = mlp_table_new(mlp_table_n_rows(in));
    for (size_t i = 0; rc == MLP_OK && i < mlp_table_n_cols(in); i++) {
        const mlp_column *c = mlp_table_column(in, i);
        if (strcmp(c->name, o->column) != 0 || c->type != MLP_COL_NUMERIC) {
            rc = mlp_table_add_copy(*out, c->name, c, err);
            continue;
        }
        double *v = malloc((c->n_rows + 1) * sizeof *v);
        for (size_t r = 0; v && r < c->n_rows; r++)
            v[r] = 2 * c->num[r];
        rc = v ? mlp_table_add_numeric(*out, c->name, v, c->missing, err)
               : mlp_error_set(err, MLP_ENOMEM, "out of memory");
        free(v);
    }
    return rc;
}

static int run(mlp_ctx *ctx)
{
    const char *name = mlp_ctx_component(ctx)->name;
    opts o = { mlp_ctx_param_string(ctx, "column"), NULL };

    if (strcmp(name, "mapper_fail") == 0)
        o.split = "eval";
    return mlp_examples_map(ctx, "examples", "mapped",
                            strcmp(name, "mapper_drop") == 0 ? drop : twice, &o);
}

static const mlp_port inputs[] = { { "examples", MLP_TYPE_EXAMPLES, 0, NULL }, MLP_PORTS_END };
static const mlp_port outputs[] = { { "mapped", MLP_TYPE_EXAMPLES, 0, NULL }, MLP_PORTS_END };
static const mlp_param_spec params[] = {
    { "column", MLP_PARAM_STRING, NULL, MLP_PARAM_REQUIRED, 0, 0, NULL, NULL },
    MLP_PARAMS_END
};
static const mlp_component components[] = {
    { "mapper_drop", MLP_STAGE_TRANSFORM, "drops rows", inputs, outputs, params, run, { NULL } },
    { "mapper_twice", MLP_STAGE_TRANSFORM, "doubles a column", inputs, outputs, params, run, { NULL } },
    { "mapper_fail", MLP_STAGE_TRANSFORM, "fails on eval", inputs, outputs, params, run, { NULL } },
    MLP_COMPONENTS_END
};
MLP_PLUGIN_DEFINE(mapper, "mapper", "1.0", "MIT", "Examples helper fixtures",
                  components, NULL, NULL);
