/* JSON Lines: one object per line, parsed with cJSON. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonl.h"

/* The next non-blank line of r from r->pos: [*start, *end). */
static int next_line(csv_reader *r, const char **start, const char **end)
{
    for (;;) {
        const char *b = r->buf + r->pos, *nl;
        size_t left = r->len - r->pos;

        if (left == 0)
            return 0;
        nl = memchr(b, '\n', left);
        r->line = r->next_line++;
        r->pos = nl ? (size_t)(nl - r->buf) + 1 : r->len;
        *start = b;
        *end = nl ? nl : b + left;
        while (*end > *start && ((*end)[-1] == '\r' || (*end)[-1] == ' '))
            (*end)--;
        if (*end > *start)
            return 1;
    }
}

static int parse_line(csv_reader *r, const char *s, const char *e, cJSON **obj,
                      mlp_error *err)
{
    const char *stop = NULL;

    *obj = cJSON_ParseWithLengthOpts(s, (size_t)(e - s), &stop, 0);
    if (*obj == NULL)
        return mlp_error_set(err, MLP_EFORMAT, "%s:%zu:%zu: not valid JSON",
                             r->path, r->line,
                             (size_t)((stop ? stop : s) - s) + 1);
    if (!cJSON_IsObject(*obj)) {
        cJSON_Delete(*obj);
        *obj = NULL;
        return mlp_error_set(err, MLP_EFORMAT, "%s:%zu: each line must be a "
                             "JSON object", r->path, r->line);
    }
    return MLP_OK;
}

int jsonl_columns(const char *path, const char *buf, size_t len, cJSON **out,
                  mlp_error *err)
{
    csv_reader r;
    const char *s, *e;
    cJSON *cols = cJSON_CreateArray();
    int rc = MLP_OK;

    csv_init(&r, path, buf, len, ',');
    while (rc == MLP_OK && next_line(&r, &s, &e)) {
        cJSON *obj, *m;
        rc = parse_line(&r, s, e, &obj, err);
        if (rc != MLP_OK)
            break;
        cJSON_ArrayForEach(m, obj) {
            const cJSON *c;
            int known = 0;
            cJSON_ArrayForEach(c, cols)
                known |= strcmp(c->valuestring, m->string) == 0;
            if (!known)
                cJSON_AddItemToArray(cols, cJSON_CreateString(m->string));
        }
        cJSON_Delete(obj);
    }
    csv_free(&r);
    if (rc != MLP_OK) {
        cJSON_Delete(cols);
        return rc;
    }
    *out = cols;
    return MLP_OK;
}

/* Appends text to the row's scratch; returns its offset. */
static int scratch_put(csv_reader *r, const char *s, size_t n, size_t *off)
{
    if (r->scratch_len + n + 1 > r->scratch_cap) {
        size_t cap = r->scratch_cap ? r->scratch_cap * 2 : 4096;
        while (cap < r->scratch_len + n + 1)
            cap *= 2;
        char *ns = realloc(r->scratch, cap);
        if (ns == NULL)
            return MLP_ENOMEM;
        r->scratch = ns;
        r->scratch_cap = cap;
    }
    memcpy(r->scratch + r->scratch_len, s, n);
    *off = r->scratch_len;
    r->scratch_len += n;
    return MLP_OK;
}

int jsonl_next(csv_reader *r, const cJSON *cols, mlp_error *err)
{
    const char *s, *e;
    cJSON *obj;
    const cJSON *c;
    size_t n = (size_t)cJSON_GetArraySize(cols), k = 0;
    size_t *offs;
    int rc;

    if (!next_line(r, &s, &e))
        return 0;
    r->row_start = s;
    r->row_len = (size_t)(e - s);
    rc = parse_line(r, s, e, &obj, err);
    if (rc != MLP_OK)
        return rc;
    if (n > r->cap_fields) {
        csv_field *nf = realloc(r->fields, n * sizeof *nf);
        if (nf == NULL) {
            cJSON_Delete(obj);
            return mlp_error_set(err, MLP_ENOMEM, "out of memory");
        }
        r->fields = nf;
        r->cap_fields = n;
    }
    offs = calloc(n + 1, sizeof *offs);
    if (offs == NULL) {
        cJSON_Delete(obj);
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    }
    r->scratch_len = 0;
    r->n_fields = n;
    cJSON_ArrayForEach(c, cols) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, c->valuestring);
        csv_field *f = &r->fields[k];
        char num[40];
        const char *text = NULL;
        size_t len = 0;

        f->quoted = 0;
        f->p = NULL;
        f->len = 0;
        if (cJSON_IsString(v)) {
            text = v->valuestring;
            len = strlen(text);
        } else if (cJSON_IsNumber(v)) {
            snprintf(num, sizeof num, "%.17g", v->valuedouble);
            text = num;
            len = strlen(num);
        } else if (cJSON_IsBool(v)) {
            text = cJSON_IsTrue(v) ? "true" : "false";
            len = strlen(text);
        } else if (v != NULL && !cJSON_IsNull(v)) {
            rc = mlp_error_set(err, MLP_EFORMAT, "%s:%zu: field '%s' is %s; "
                               "JSON Lines input takes flat objects of "
                               "numbers, strings and booleans", r->path,
                               r->line, c->valuestring,
                               cJSON_IsArray(v) ? "a list" : "an object");
            break;
        }
        if (text != NULL && scratch_put(r, text, len, &offs[k]) != MLP_OK) {
            rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
            break;
        }
        f->len = len;
        f->quoted = text != NULL ? 3 : 0;  /* 3: text lives in the scratch */
        k++;
    }
    /* The scratch may have moved while growing: point fields at it now. */
    for (size_t i = 0; rc == MLP_OK && i < n; i++)
        if (r->fields[i].quoted == 3)
            r->fields[i].p = r->scratch + offs[i];
    free(offs);
    cJSON_Delete(obj);
    return rc == MLP_OK ? 1 : rc;
}
