/* A third-party trainer built against sdk/ only: class_prior predicts the
 * train split's class shares for every row.  It proves the trainer
 * boundary: mlp_train_run, the Model artifact, evaluation and `mlpipe
 * predict` serve it with nothing registered but its descriptor.  With
 * -DFIXTURE_BAD_STAGE or -DFIXTURE_NO_PREDICT it is a trainer the scanner
 * must refuse. */
#include <stdlib.h>
#include <string.h>

#include <mlpipe/mlpipe.h>

#define CAT2(a, b) a##b
#define CAT(a, b) CAT2(a, b)
#define SYMBOL CAT(MODULE, _LTX_mlpipe_plugin)

typedef struct prior {
    size_t k;
    double *share;
} prior;

static void prior_free(void *p)
{
    prior *m = p;
    if (m != NULL)
        free(m->share);
    free(m);
}

static prior *prior_new(size_t k)
{
    prior *m = calloc(1, sizeof *m);
    if (m != NULL && (m->share = calloc(k, sizeof *m->share)) == NULL) {
        free(m);
        return NULL;
    }
    if (m != NULL)
        m->k = k;
    return m;
}

static int fit(const mlp_fit_spec *s, const mlp_rows *tr, const mlp_rows *ev, void **model,
               mlp_error *err)
{
    prior *m = prior_new(s->n_classes);
    double total = 0;
    mlp_epoch e = { 1, 0, 0, 0, 0, 1 };

    if (m == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    for (size_t i = 0; i < tr->n_rows; i++) {
        double w = tr->w ? tr->w[i] : 1;
        m->share[(size_t)tr->y[i]] += w;
        total += w;
    }
    for (size_t c = 0; c < m->k; c++)
        m->share[c] /= total;
    (void)ev;
    mlp_fit_report(s, &e, NULL, NULL);
    *model = m;
    return MLP_OK;
}

static int predict(const void *model, const mlp_rows *x, double *out, mlp_error *err)
{
    const prior *m = model;
    (void)err;
    for (size_t i = 0; i < x->n_rows; i++)
        memcpy(out + i * m->k, m->share, m->k * sizeof *out);
    return MLP_OK;
}

static int save(const void *model, mlp_model_out *o, mlp_error *err)
{
    const prior *m = model;
    return mlp_model_put_tensor(o, "share", 1, m->k, m->share, err);
}

static int load(const mlp_model_in *in, void **model, mlp_error *err)
{
    size_t k = mlp_model_in_n_classes(in);
    const double *share;
    prior *m;
    int rc = mlp_model_get_tensor(in, "share", 1, k, &share, err);

    if (rc != MLP_OK)
        return rc;
    if ((m = prior_new(k)) == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    memcpy(m->share, share, k * sizeof *share);
    *model = m;
    return MLP_OK;
}

static const mlp_trainer trainer = {
    sizeof(mlp_trainer), "baseline", MLP_TRAINS_CLASSIFICATION, MLP_ROWS_F64_COLUMNS, fit,
    predict, save, load, prior_free, NULL
};
#ifdef FIXTURE_NO_PREDICT
static const mlp_trainer incomplete = {
    sizeof(mlp_trainer), "baseline", MLP_TRAINS_CLASSIFICATION, MLP_ROWS_F64_COLUMNS, fit,
    NULL, save, load, prior_free, NULL
};
#define TRAINER incomplete
#else
#define TRAINER trainer
#endif

static int run(mlp_ctx *ctx) { return mlp_train_run(ctx, &trainer); }

static const mlp_param_spec params[] = { MLP_TRAIN_PARAMS, MLP_PARAMS_END };

static const mlp_component components[] = {
    { "class_prior",
#ifdef FIXTURE_BAD_STAGE
      MLP_STAGE_ANALYZE,
#else
      MLP_STAGE_TRAIN,
#endif
      "predicts the train split's class shares", mlp_train_inputs, mlp_train_outputs, params,
      run, { &TRAINER } },
    MLP_COMPONENTS_END
};

MLP_PLUGIN_DEFINE(MODULE, "prior", "1.0", "MIT", "a third-party trainer", components, NULL,
                  NULL);
