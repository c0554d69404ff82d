/* Soft targets: a classifier trained on class probabilities (a label
 * model's <label>_proba) instead of one class per row.
 *
 * Cross-entropy against a distribution p is sum_c p_c (-log q_c): the
 * loss of the row repeated once per class c with weight p_c.  So each
 * train row becomes one weighted row per class it has some probability
 * of, and every trainer that takes row weights fits soft targets exactly,
 * with nothing of its own to change.  The rows multiply by the classes a
 * row is spread over (at most k; 2 for a binary label). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mlpipe/classes.h>
#include <mlpipe/examples.h>
#include <mlpipe/json.h>
#include <mlpipe/memory.h>

#include "train_priv.h"

/* A probability row must sum to 1 this closely (float32 columns). */
#define SUM_TOL 1e-4

int mlpi_soft_read(const mlpi_rows_opts *o, mlp_table_file *f, const cJSON *classes,
                   mlpi_split_rows *r, mlp_error *err)
{
    const cJSON *lp = mlp_artifact_property(o->ex, "label_probabilities");
    const char *colname = mlp_json_str(lp, "column");
    const cJSON *pcl = cJSON_GetObjectItem(lp, "classes"), *e;
    size_t k = (size_t)cJSON_GetArraySize(classes), pk = (size_t)cJSON_GetArraySize(pcl), c = 0;
    ptrdiff_t ci = *colname ? mlp_table_file_find(f, colname) : -1;
    mlp_table *t = NULL;
    size_t *map = NULL;
    int rc;

    if (!cJSON_IsObject(lp) || ci < 0)
        return mlp_error_set(err, MLP_EINVAL, "targets = \"soft\": the Examples have no class "
                             "probabilities (%s); soft targets come from label_model or "
                             "label_propagation", *colname ? "their column is missing"
                             : "no label_probabilities property");
    if ((map = calloc(pk + 1, sizeof *map)) == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    /* The probability columns in the label's class order, by name. */
    cJSON_ArrayForEach(e, pcl) {
        size_t t_ = 0;
        while (t_ < k && !mlpi_class_equal(cJSON_GetArrayItem(classes, (int)t_), e))
            t_++;
        if (t_ == k) {
            char name[256];
            mlp_class_name(e, name, sizeof name);
            free(map);
            return mlp_error_set(err, MLP_EINVAL, "targets = \"soft\": class '%s' of the "
                                 "probabilities is not a class of label '%s'", name, o->label);
        }
        map[c++] = t_;
    }
    rc = mlp_table_file_column(f, (size_t)ci, &t, err);
    const mlp_column *m = rc == MLP_OK ? mlp_table_column(t, 0) : NULL;
    if (rc == MLP_OK && (m->type != MLP_COL_MATRIX || m->width != pk))
        rc = mlp_error_set(err, MLP_EINVAL, "targets = \"soft\": column '%s' is not a matrix "
                           "of %zu class probabilities", colname, pk);
    if (rc == MLP_OK && (r->soft = calloc(r->n * k + 1, sizeof *r->soft)) == NULL)
        rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
    for (size_t i = 0; rc == MLP_OK && i < r->n; i++) {
        double s = 0;
        int bad = 0;
        if (isnan(r->y[i]))
            continue;  /* no label: the label's own policy decides */
        for (size_t q = 0; q < pk; q++) {
            double v = m->mat[i * pk + q];
            bad |= !(v >= 0 && v <= 1);
            s += v;
            r->soft[i * k + map[q]] = v;
        }
        if (bad || fabs(s - 1) > SUM_TOL) {
            mlp_error_set(err, MLP_EINVAL, "targets = \"soft\": the class probabilities of "
                          "row %zu %s", i + 1, bad ? "are not all between 0 and 1"
                          : "do not sum to 1");
            rc = mlpi_train_name_row(o->ex, o->split, i, err);
        }
        /* float32 rounding: the weights sum to 1 exactly. */
        for (size_t q = 0; rc == MLP_OK && q < k; q++)
            r->soft[i * k + q] /= s;
    }
    mlp_table_free(t);
    free(map);
    return rc;
}

int mlpi_soft_expand(mlpi_split_rows *r, size_t k, mlp_error *err)
{
    size_t n = r->n, d = r->d, m = 0;
    double *x = NULL, *y = NULL, *w = NULL, *ws = NULL;
    float *xf = NULL;

    for (size_t i = 0; i < n * k; i++)
        m += r->soft[i] > 0;
    y = malloc((m + 1) * sizeof *y);
    w = malloc((m + 1) * sizeof *w);
    ws = malloc((m + 1) * sizeof *ws);
    if (r->x)
        x = mlp_malloc(m * d * sizeof *x + 1);
    if (r->xf)
        xf = mlp_malloc(m * d * sizeof *xf + 1);
    if (y == NULL || w == NULL || ws == NULL || (r->x && x == NULL) || (r->xf && xf == NULL)) {
        free(y);
        free(w);
        free(ws);
        mlp_free(x);
        mlp_free(xf);
        return mlp_error_set(err, MLP_ENOMEM, "out of memory for %zu soft-target rows", m);
    }
    size_t at = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t c = 0; c < k; c++) {
            double p = r->soft[i * k + c];
            if (!(p > 0))
                continue;
            y[at] = (double)c;
            w[at] = ws[at] = p;
            if (xf)
                memcpy(xf + at * d, r->xf + i * d, d * sizeof *xf);
            if (x)
                for (size_t j = 0; j < d; j++)
                    x[j * m + at] = r->x[j * n + i];
            at++;
        }
    mlp_free(r->x);
    mlp_free(r->xf);
    free(r->y);
    free(r->w);
    free(r->soft);
    r->soft = NULL;
    r->x = x;
    r->xf = xf;
    r->y = y;
    r->w = w;
    r->w_score = ws;
    r->n_source = n;
    r->n = m;
    return MLP_OK;
}
