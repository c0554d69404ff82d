/* Slices: rows grouped by the value of a feature, by a crossing of
 * features, or by a bucket of a numeric feature.  A row missing a slicing
 * value is in no slice of that spec; a bucket no row falls in is still a
 * slice, of 0 rows, so a reader sees it is empty. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ev.h"

void ev_slices_free(ev_slice *s, size_t n)
{
    for (size_t i = 0; s && i < n; i++) {
        free(s[i].feature);
        free(s[i].value);
        free(s[i].rows);
    }
    free(s);
}

/* The text of column c in row r into buf; 0 when it is missing. */
static int cell(const mlp_column *c, size_t r, char *buf, size_t size)
{
    size_t len;
    const char *s;

    switch (c->type) {
    case MLP_COL_CATEGORICAL:
        if (c->codes[r] < 0)
            return 0;
        s = mlp_column_level(c, (size_t)c->codes[r], &len);
        snprintf(buf, size, "%.*s", (int)len, s);
        return 1;
    case MLP_COL_STRING:
        if (mlp_column_is_missing(c, r))
            return 0;
        s = mlp_column_string(c, r, &len);
        snprintf(buf, size, "%.*s", (int)len, s);
        return 1;
    case MLP_COL_NUMERIC: {
        double v = mlp_column_number(c, r);
        if (isnan(v))
            return 0;
        if (c->ints != NULL) {
            /* Ids beyond 2^53 are told apart by their exact digits. */
            snprintf(buf, size, "%lld", (long long)c->ints[r]);
            return 1;
        }
        snprintf(buf, size, "%.15g", v);
        if (strtod(buf, NULL) != v)
            snprintf(buf, size, "%.17g", v);
        return 1;
    }
    default:
        return 0;
    }
}

typedef struct keyed {
    char *key;
    size_t row;
} keyed;

static int by_key(const void *a, const void *b)
{
    const keyed *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c ? c : x->row < y->row ? -1 : x->row > y->row;
}

static int add_slice(ev_slice **out, size_t *n, const char *feature, const char *value,
                     const size_t *rows, size_t m, mlp_error *err)
{
    ev_slice *ns = realloc(*out, (*n + 1) * sizeof *ns), *s;

    if (ns == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    *out = ns;
    s = &ns[*n];
    memset(s, 0, sizeof *s);
    s->feature = strdup(feature);
    s->value = strdup(value);
    s->rows = malloc((m + 1) * sizeof *s->rows);
    s->n = m;
    (*n)++;
    if (s->feature == NULL || s->value == NULL || s->rows == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    if (m)
        memcpy(s->rows, rows, m * sizeof *rows);
    return MLP_OK;
}

static const mlp_column *find_col(const ev_data *d, const char *name, const char *what,
                                  mlp_error *err)
{
    const mlp_column *c = mlp_table_find(d->raw, name);

    if (c == NULL)
        mlp_error_set(err, MLP_EINVAL, "%s: split '%s' has no column '%s'", what, d->split,
                      name);
    else if (c->type == MLP_COL_MATRIX)
        mlp_error_set(err, MLP_EINVAL, "%s: column '%s' is a matrix; slice by a single "
                      "value", what, name);
    else
        return c;
    return NULL;
}

/* Value (or crossing) slices of the columns named in cols. */
static int value_slices(const ev_data *d, const mlp_column **cols, size_t nc,
                        const char *feature, size_t max_values, ev_slice **out, size_t *n,
                        mlp_error *err)
{
    keyed *kv = calloc(d->n + 1, sizeof *kv);
    size_t m = 0, *rows = malloc((d->n + 1) * sizeof *rows), groups = 0;
    char buf[512], part[256];
    int rc = MLP_OK;

    if (kv == NULL || rows == NULL) {
        free(kv);
        free(rows);
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    }
    for (size_t r = 0; rc == MLP_OK && r < d->n; r++) {
        size_t len = 0;
        int present = 1;
        for (size_t c = 0; present && c < nc; c++) {
            present = cell(cols[c], r, part, sizeof part);
            len += (size_t)snprintf(buf + len, len < sizeof buf ? sizeof buf - len : 0, "%s%s",
                                    c ? ", " : "", part);
        }
        if (!present)
            continue;
        if ((kv[m].key = strdup(buf)) == NULL)
            rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
        kv[m++].row = r;
    }
    if (rc == MLP_OK)
        qsort(kv, m, sizeof *kv, by_key);
    for (size_t i = 0; rc == MLP_OK && i < m;) {
        size_t j = i;
        while (j < m && strcmp(kv[j].key, kv[i].key) == 0) {
            rows[j - i] = kv[j].row;
            j++;
        }
        if (++groups > max_values)
            rc = mlp_error_set(err, MLP_EINVAL, "slices: '%s' has more than %zu values "
                               "(max_slice_values); bucket a number with { feature = "
                               "\"%s\", boundaries = { ... } }", feature, max_values,
                               cols[0]->name);
        else
            rc = add_slice(out, n, feature, kv[i].key, rows, j - i, err);
        i = j;
    }
    for (size_t i = 0; i < m; i++)
        free(kv[i].key);
    free(kv);
    free(rows);
    return rc;
}

/* Bucket slices of numeric column c at sorted boundaries b. */
static int bucket_slices(const ev_data *d, const mlp_column *c, const cJSON *bounds,
                         ev_slice **out, size_t *n, mlp_error *err)
{
    size_t nb = (size_t)cJSON_GetArraySize(bounds), *cnt, **rows;
    double *b = malloc((nb + 1) * sizeof *b);
    int rc = MLP_OK;

    if (c->type != MLP_COL_NUMERIC)
        rc = mlp_error_set(err, MLP_EINVAL, "slices: '%s' is %s; boundaries bucket numbers",
                           c->name, mlp_col_type_name(c->type));
    for (size_t i = 0; rc == MLP_OK && i < nb; i++) {
        const cJSON *e = cJSON_GetArrayItem(bounds, (int)i);
        if (!cJSON_IsNumber(e) || !isfinite(e->valuedouble) || (i && e->valuedouble <= b[i - 1]))
            rc = mlp_error_set(err, MLP_EINVAL, "slices: the boundaries of '%s' must be "
                               "finite numbers in increasing order (item %zu)", c->name,
                               i + 1);
        else
            b[i] = e->valuedouble;
    }
    if (rc == MLP_OK && nb == 0)
        rc = mlp_error_set(err, MLP_EINVAL, "slices: '%s' has an empty boundaries list",
                           c->name);
    cnt = calloc(nb + 2, sizeof *cnt);
    rows = calloc(nb + 2, sizeof *rows);
    for (size_t k = 0; rc == MLP_OK && cnt && rows && k <= nb; k++)
        if ((rows[k] = malloc((d->n + 1) * sizeof **rows)) == NULL)
            rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
    if (rc == MLP_OK && (cnt == NULL || rows == NULL))
        rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
    for (size_t r = 0; rc == MLP_OK && r < d->n; r++) {
        double v = mlp_column_number(c, r);
        size_t k = 0;
        if (isnan(v))
            continue;
        while (k < nb && v >= b[k])
            k++;
        rows[k][cnt[k]++] = r;
    }
    for (size_t k = 0; rc == MLP_OK && k <= nb; k++) {
        char val[128];
        if (k == 0)
            snprintf(val, sizeof val, "< %.15g", b[0]);
        else if (k == nb)
            snprintf(val, sizeof val, ">= %.15g", b[nb - 1]);
        else
            snprintf(val, sizeof val, "[%.15g, %.15g)", b[k - 1], b[k]);
        rc = add_slice(out, n, c->name, val, rows[k], cnt[k], err);
    }
    for (size_t k = 0; rows && k <= nb; k++)
        free(rows[k]);
    free(rows);
    free(cnt);
    free(b);
    return rc;
}

int ev_make_slices(const ev_data *d, const cJSON *specs, size_t max_values, ev_slice **out,
                   size_t *n, mlp_error *err)
{
    const cJSON *s;
    int i = 0, rc = MLP_OK;

    *out = NULL;
    *n = 0;
    cJSON_ArrayForEach(s, specs) {
        char what[64], feature[512] = "";
        const mlp_column *cols[8];
        size_t nc = 0;
        snprintf(what, sizeof what, "slices: item %d", ++i);
        if (cJSON_IsString(s)) {
            if ((cols[nc++] = find_col(d, s->valuestring, what, err)) == NULL)
                rc = err->code;
            snprintf(feature, sizeof feature, "%s", s->valuestring);
        } else if (cJSON_IsArray(s) && cJSON_GetArraySize(s) >= 2 && cJSON_GetArraySize(s) <= 8) {
            const cJSON *f;
            cJSON_ArrayForEach(f, s) {
                size_t len = strlen(feature);
                if (rc == MLP_OK && !cJSON_IsString(f))
                    rc = mlp_error_set(err, MLP_EINVAL, "%s: a crossing lists column names",
                                       what);
                else if (rc == MLP_OK && (cols[nc++] = find_col(d, f->valuestring, what,
                                                                err)) == NULL)
                    rc = err->code;
                if (rc == MLP_OK)
                    snprintf(feature + len, sizeof feature - len, "%s%s", len ? " x " : "",
                             f->valuestring);
            }
        } else if (cJSON_IsObject(s) &&
                   cJSON_IsString(cJSON_GetObjectItemCaseSensitive(s, "feature")) &&
                   cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(s, "boundaries"))) {
            const mlp_column *c = find_col(d, mlp_json_str(s, "feature"), what, err);
            rc = c ? bucket_slices(d, c, cJSON_GetObjectItemCaseSensitive(s, "boundaries"),
                                   out, n, err) : err->code;
            if (rc != MLP_OK)
                break;
            continue;
        } else {
            rc = mlp_error_set(err, MLP_EINVAL, "%s: expected a column name, a list of 2 "
                               "to 8 names (a crossing) or { feature = NAME, boundaries = "
                               "{ ... } }", what);
        }
        if (rc == MLP_OK)
            rc = value_slices(d, cols, nc, feature, max_values, out, n, err);
        if (rc != MLP_OK)
            break;
    }
    if (rc != MLP_OK) {
        ev_slices_free(*out, *n);
        *out = NULL;
        *n = 0;
    }
    return rc;
}
