/* The linear model both ridge and logistic regression fit: scores
 * through BLAS, the link, and the weights file's two tensors. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cblas.h>

#include <mlpipe/json.h>
#include <mlpipe/memory.h>
#include <mlpipe/view.h>

#include "linear.h"

static const char *const link_names[] = { "identity", "logistic", "softmax" };

double train_param(const mlp_fit_spec *s, const char *name, double dflt)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(s->params, name);
    return cJSON_IsNumber(v) ? v->valuedouble : cJSON_IsBool(v) ? cJSON_IsTrue(v) : dflt;
}

double train_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

linear_model *linear_new(lin_link link, size_t d, size_t k)
{
    linear_model *m = calloc(1, sizeof *m);

    if (m == NULL)
        return NULL;
    m->link = link;
    m->d = d;
    m->k = k;
    m->coef = calloc(d * k + 1, sizeof *m->coef);
    m->intercept = calloc(k + 1, sizeof *m->intercept);
    if (m->coef == NULL || m->intercept == NULL) {
        linear_free(m);
        return NULL;
    }
    return m;
}

void linear_free(void *model)
{
    linear_model *m = model;

    if (m == NULL)
        return;
    free(m->coef);
    free(m->intercept);
    free(m);
}

void linear_scores(const linear_model *m, const mlp_rows *x, double *z)
{
    size_t n = x->n_rows;

    for (size_t c = 0; c < m->k; c++)
        for (size_t i = 0; i < n; i++)
            z[c * n + i] = m->intercept[c];
    if (x->x == NULL) {
        /* Row-major float32 rows (a trainer's own, for its curve): the
         * product in float32, a block at a time. */
        float *cf = malloc((m->k * m->d + 1) * sizeof *cf), *zf;
        size_t blk = 1024;
        zf = malloc((blk * m->k + 1) * sizeof *zf);
        if (cf == NULL || zf == NULL) {
            for (size_t i = 0; i < n * m->k; i++)
                z[i] = NAN;
        } else {
            for (size_t i = 0; i < m->k * m->d; i++)
                cf[i] = (float)m->coef[i];
            for (size_t r0 = 0; r0 < n; r0 += blk) {
                size_t b = n - r0 < blk ? n - r0 : blk;
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)b, (int)m->k,
                            (int)m->d, 1.0f, x->xf + r0 * m->d, (int)m->d, cf, (int)m->d, 0.0f,
                            zf, (int)m->k);
                for (size_t i = 0; i < b; i++)
                    for (size_t c = 0; c < m->k; c++)
                        z[c * n + r0 + i] += zf[i * m->k + c];
            }
        }
        free(cf);
        free(zf);
        return;
    }
    /* z (n x k) += x (n x d) * coef^T; coef is k x d row-major, which is
     * d x k column-major. */
    cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)m->k, (int)m->d,
                1.0, x->x, (int)x->ld, m->coef, (int)m->d, 1.0, z, (int)n);
}

static double sigmoid(double z)
{
    if (z >= 0)
        return 1 / (1 + exp(-z));
    double e = exp(z);
    return e / (1 + e);
}

int linear_predict(const void *model, const mlp_rows *x, double *out, mlp_error *err)
{
    const linear_model *m = model;
    size_t n = x->n_rows, k = m->k;
    double *z = mlp_malloc(n * k * sizeof *z + 1);

    if (z == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory for %zu rows", n);
    linear_scores(m, x, z);
    if (m->link == LIN_IDENTITY) {
        memcpy(out, z, n * sizeof *out);
    } else if (m->link == LIN_LOGISTIC) {
        for (size_t i = 0; i < n; i++) {
            double p = sigmoid(z[i]);
            out[2 * i] = 1 - p;
            out[2 * i + 1] = p;
        }
    } else {
        for (size_t i = 0; i < n; i++) {
            double mx = z[i], s = 0;
            for (size_t c = 1; c < k; c++)
                mx = z[c * n + i] > mx ? z[c * n + i] : mx;
            for (size_t c = 0; c < k; c++)
                s += out[i * k + c] = exp(z[c * n + i] - mx);
            for (size_t c = 0; c < k; c++)
                out[i * k + c] /= s;
        }
    }
    mlp_free(z);
    return MLP_OK;
}

/* The largest coefficients by magnitude, for the Model view: feature,
 * class index (softmax models), value. */
static cJSON *top_coefficients(const linear_model *m)
{
    size_t n = m->d * m->k, keep = n < 20 ? n : 20;
    size_t *rank = malloc(n * sizeof *rank + 1), *order = malloc(n * sizeof *order + 1);
    double *key = malloc(n * sizeof *key + 1);
    cJSON *arr = cJSON_CreateArray();

    if (rank != NULL && key != NULL && order != NULL && arr != NULL) {
        for (size_t i = 0; i < n; i++)
            key[i] = fabs(m->coef[i]);
        if (mlp_view_rank(n, key, 1, rank) == MLP_OK) {
            for (size_t i = 0; i < n; i++)
                order[rank[i]] = i;
            for (size_t r = 0; r < keep; r++) {
                size_t i = order[r];
                cJSON *e = cJSON_CreateObject();
                cJSON_AddStringToObject(e, "feature", m->names[i % m->d]);
                if (m->link == LIN_SOFTMAX)
                    cJSON_AddItemToObject(e, "class", mlp_json_int((int64_t)(i / m->d)));
                cJSON_AddItemToObject(e, "value", mlp_json_number(m->coef[i]));
                cJSON_AddItemToArray(arr, e);
            }
        }
    }
    free(rank);
    free(order);
    free(key);
    return arr;
}

int linear_save(const void *model, mlp_model_out *o, mlp_error *err)
{
    const linear_model *m = model;
    int rc = mlp_model_put_tensor(o, "coef", m->k, m->d, m->coef, err);

    if (rc == MLP_OK)
        rc = mlp_model_put_tensor(o, "intercept", 1, m->k, m->intercept, err);
    if (rc == MLP_OK)
        rc = mlp_model_put(o, "link", cJSON_CreateString(link_names[m->link]), err);
    if (rc == MLP_OK && m->names != NULL)
        rc = mlp_model_put(o, "coefficients", top_coefficients(m), err);
    if (rc == MLP_OK && m->stop != NULL)
        rc = mlp_model_put(o, "iterations", mlp_json_int((int64_t)m->iterations), err);
    if (rc == MLP_OK && m->stop != NULL)
        rc = mlp_model_put(o, "stopped", cJSON_CreateString(m->stop), err);
    if (rc == MLP_OK && m->f64_from > 0)
        rc = mlp_model_put(o, "float64_from_iteration", mlp_json_int((int64_t)m->f64_from), err);
    if (rc == MLP_OK && m->blocks > 0)
        rc = mlp_model_put(o, "row_groups", mlp_json_int((int64_t)m->blocks), err);
    if (rc == MLP_OK && m->passes > 0)
        rc = mlp_model_put(o, "passes", mlp_json_int((int64_t)m->passes), err);
    return rc;
}

int linear_load(const mlp_model_in *in, void **model, mlp_error *err)
{
    const char *link = cJSON_GetStringValue(mlp_model_get(in, "link"));
    size_t d = mlp_model_in_n_features(in), nc = mlp_model_in_n_classes(in), k;
    const double *coef, *icpt;
    lin_link l;
    linear_model *m;
    int rc;

    *model = NULL;
    if (link == NULL)
        return mlp_error_set(err, MLP_ECORRUPT, "model.json: 'model.link' is missing");
    for (l = LIN_IDENTITY; l <= LIN_SOFTMAX; l++)
        if (strcmp(link, link_names[l]) == 0)
            break;
    if (l > LIN_SOFTMAX ||
        (mlp_model_in_task(in) == MLP_TASK_REGRESSION) != (l == LIN_IDENTITY) ||
        (l == LIN_LOGISTIC && nc != 2) || (l == LIN_SOFTMAX && nc < 3))
        return mlp_error_set(err, MLP_ECORRUPT, "model.json: link '%s' does not fit a "
                             "%s model of %zu classes", link,
                             mlp_model_in_task(in) == MLP_TASK_REGRESSION ? "regression"
                                                                         : "classification",
                             nc);
    k = l == LIN_SOFTMAX ? nc : 1;
    rc = mlp_model_get_tensor(in, "coef", k, d, &coef, err);
    if (rc == MLP_OK)
        rc = mlp_model_get_tensor(in, "intercept", 1, k, &icpt, err);
    if (rc != MLP_OK)
        return rc;
    if ((m = linear_new(l, d, k)) == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    memcpy(m->coef, coef, d * k * sizeof *coef);
    memcpy(m->intercept, icpt, k * sizeof *icpt);
    *model = m;
    return MLP_OK;
}

int linear_importance(const void *model, double *out, mlp_error *err)
{
    const linear_model *m = model;
    (void)err;

    for (size_t j = 0; j < m->d; j++) {
        double s = 0;
        for (size_t c = 0; c < m->k; c++)
            s += m->coef[c * m->d + j] * m->coef[c * m->d + j];
        out[j] = s;
    }
    return MLP_OK;
}
