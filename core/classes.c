/* Class labels (classes.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mlpipe/classes.h>
#include <mlpipe/json.h>
#include <mlpipe/memory.h>

static int cmp_int64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Row i's integer label, or MLP_EINVAL for a value that is no class.
 * Without `ints` every stored value is exact, so it is within 2^53. */
static int label_int(const mlp_column *y, size_t r, int64_t *out, mlp_error *err)
{
    double x = y->num[r];

    if (y->ints != NULL) {
        *out = y->ints[r];
        return MLP_OK;
    }
    if (!(x == floor(x)) || fabs(x) > 9007199254740992.0)
        return mlp_error_set(err, MLP_EINVAL, "row %zu: %.17g is not a class "
                             "(classes are integers or categories)", r + 1, x);
    *out = (int64_t)x;
    return MLP_OK;
}

static int numeric_classes(const mlp_column *y, const uint32_t *rows, size_t n,
                           size_t max_classes, mlp_classes *c, mlp_error *err)
{
    int64_t *v = mlp_malloc((n + 1) * sizeof *v);
    unsigned char *present = mlp_malloc(n + 1);
    size_t m = 0, k = 0;
    int rc = MLP_OK;

    if (v == NULL || present == NULL) {
        rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        size_t r = rows ? rows[i] : i;
        present[i] = !isnan(y->num[r]);
        if (present[i] && (rc = label_int(y, r, &v[m], err)) != MLP_OK)
            goto done;
        m += present[i];
    }
    qsort(v, m, sizeof *v, cmp_int64);
    for (size_t i = 0; i < m; i++)
        if (i == 0 || v[i] != v[i - 1])
            v[k++] = v[i];
    if (k > max_classes) {
        rc = mlp_error_set(err, MLP_EINVAL, "%zu distinct values: more than %zu "
                           "classes", k, max_classes);
        goto done;
    }
    c->n_classes = k;
    if ((c->names = cJSON_CreateArray()) == NULL) {
        rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t j = 0; j < k; j++) {
        cJSON *node = mlp_json_int(v[j]);
        if (node == NULL || !cJSON_AddItemToArray(c->names, node)) {
            cJSON_Delete(node);
            rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
            goto done;
        }
    }
    for (size_t i = 0; i < n; i++) {
        int64_t x;
        c->of[i] = -1;
        if (present[i]) {
            label_int(y, rows ? rows[i] : i, &x, err);
            c->of[i] = (int32_t)((int64_t *)bsearch(&x, v, k, sizeof *v, cmp_int64) - v);
        }
    }
done:
    mlp_free(v);
    mlp_free(present);
    return rc;
}

static int categorical_classes(const mlp_column *y, const uint32_t *rows, size_t n,
                               size_t max_classes, mlp_classes *c, mlp_error *err)
{
    if (y->n_levels > max_classes)
        return mlp_error_set(err, MLP_EINVAL, "%zu levels: more than %zu classes",
                             y->n_levels, max_classes);
    c->n_classes = y->n_levels;
    if ((c->names = cJSON_CreateArray()) == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    for (size_t k = 0; k < y->n_levels; k++) {
        size_t len;
        const char *s = mlp_column_level(y, k, &len);
        char *z = mlp_malloc(len + 1);
        cJSON *node = NULL;
        if (z != NULL) {
            memcpy(z, s, len);
            z[len] = '\0';
            node = cJSON_CreateString(z);
            mlp_free(z);
        }
        if (node == NULL || !cJSON_AddItemToArray(c->names, node)) {
            cJSON_Delete(node);
            return mlp_error_set(err, MLP_ENOMEM, "out of memory");
        }
    }
    for (size_t i = 0; i < n; i++)
        c->of[i] = y->codes[rows ? rows[i] : i];
    return MLP_OK;
}

int mlp_classes_read(const mlp_column *y, const uint32_t *rows, size_t n,
                     size_t max_classes, mlp_classes *out, mlp_error *err)
{
    int rc;

    memset(out, 0, sizeof *out);
    if (rows == NULL)
        n = y->n_rows;
    if (y->type != MLP_COL_NUMERIC && y->type != MLP_COL_CATEGORICAL)
        return mlp_error_set(err, MLP_EINVAL, "a %s column holds no classes "
                             "(classes are integers or categories)",
                             y->type == MLP_COL_STRING ? "text" : "matrix");
    if ((out->of = mlp_malloc((n + 1) * sizeof *out->of)) == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    rc = y->type == MLP_COL_NUMERIC ? numeric_classes(y, rows, n, max_classes, out, err)
                                    : categorical_classes(y, rows, n, max_classes, out, err);
    if (rc == MLP_OK && (out->count = mlp_calloc(out->n_classes + 1,
                                                 sizeof *out->count)) == NULL)
        rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
    if (rc != MLP_OK) {
        mlp_classes_free(out);
        return rc;
    }
    for (size_t i = 0; i < n; i++)
        if (out->of[i] >= 0)
            out->count[out->of[i]]++;
    return MLP_OK;
}

void mlp_classes_free(mlp_classes *c)
{
    if (c == NULL)
        return;
    mlp_free(c->of);
    mlp_free(c->count);
    cJSON_Delete(c->names);
    memset(c, 0, sizeof *c);
}

void mlp_class_name(const cJSON *c, char *buf, size_t size)
{
    int64_t v;

    if (cJSON_IsString(c))
        snprintf(buf, size, "%s", c->valuestring);
    else if (mlp_json_get_int(c, &v) == MLP_OK)
        snprintf(buf, size, "%lld", (long long)v);
    else
        snprintf(buf, size, "?");
}
