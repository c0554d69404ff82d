/* JSON files and the canonical form that fingerprints hash. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mlpipe/json.h>
#include <mlpipe/memory.h>

#include "fsutil.h"

int mlp_json_read_file(const char *path, cJSON **out, mlp_error *err)
{
    char *text;
    size_t len;
    const char *end = NULL;
    int rc;

    *out = NULL;
    rc = mlpi_read_file(path, &text, &len, err);
    if (rc != MLP_OK)
        return rc;
    *out = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (*out == NULL) {
        /* Turn cJSON's error position into a line and column. */
        size_t line = 1, col = 1;
        const char *p = text;
        if (end == NULL)
            end = cJSON_GetErrorPtr();
        while (end != NULL && p < end && p < text + len) {
            if (*p++ == '\n') {
                line++;
                col = 1;
            } else {
                col++;
            }
        }
        free(text);
        return mlp_error_set(err, MLP_EFORMAT,
                             "%s:%zu:%zu: invalid JSON", path, line, col);
    }
    free(text);
    return MLP_OK;
}

int mlp_json_write_file(const char *path, const cJSON *value, mlp_error *err)
{
    char *text = cJSON_Print(value);
    int rc;

    if (text == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "%s: cannot render JSON", path);
    size_t n = strlen(text);
    char *line = malloc(n + 1);
    if (line == NULL) {
        cJSON_free(text);
        return mlp_error_set(err, MLP_ENOMEM, "%s: out of memory", path);
    }
    memcpy(line, text, n);
    line[n] = '\n';
    cJSON_free(text);
    rc = mlpi_write_file_atomic(path, line, n + 1, err);
    free(line);
    return rc;
}

cJSON *mlp_json_number(double v)
{
    char buf[32];

    if (!isfinite(v))
        return cJSON_CreateNull();
    /* Shortest of 15, 16, 17 significant digits that round-trips. */
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    return cJSON_CreateRaw(buf);
}

static int cmp_keys(const void *a, const void *b)
{
    const cJSON *x = *(const cJSON *const *)a;
    const cJSON *y = *(const cJSON *const *)b;
    return strcmp(x->string, y->string);
}

/* Rebuilds objects with their members in key order, recursively. */
static cJSON *sorted_copy(const cJSON *v)
{
    cJSON *out;
    const cJSON *c;

    if (cJSON_IsArray(v)) {
        out = cJSON_CreateArray();
        cJSON_ArrayForEach(c, v) {
            cJSON *cc = sorted_copy(c);
            if (cc == NULL || out == NULL) {
                cJSON_Delete(cc);
                cJSON_Delete(out);
                return NULL;
            }
            cJSON_AddItemToArray(out, cc);
        }
        return out;
    }
    if (!cJSON_IsObject(v))
        return cJSON_Duplicate(v, 1);
    int n = cJSON_GetArraySize(v), i = 0;
    const cJSON **members = malloc(sizeof *members * (size_t)(n ? n : 1));
    out = cJSON_CreateObject();
    if (members == NULL || out == NULL) {
        free(members);
        cJSON_Delete(out);
        return NULL;
    }
    cJSON_ArrayForEach(c, v) members[i++] = c;
    qsort(members, (size_t)n, sizeof *members, cmp_keys);
    for (i = 0; i < n; i++) {
        cJSON *cc = sorted_copy(members[i]);
        if (cc == NULL) {
            free(members);
            cJSON_Delete(out);
            return NULL;
        }
        cJSON_AddItemToObject(out, members[i]->string, cc);
    }
    free(members);
    return out;
}

char *mlp_json_canonical(const cJSON *value)
{
    cJSON *s = sorted_copy(value);
    char *text, *out;

    if (s == NULL)
        return NULL;
    text = cJSON_PrintUnformatted(s);
    cJSON_Delete(s);
    if (text == NULL)
        return NULL;
    out = mlp_strdup(text);
    cJSON_free(text);
    return out;
}
