/* JSON files and the canonical form that fingerprints hash. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mlpipe/json.h>
#include <mlpipe/memory.h>

#include "fsutil.h"

/* 2^53: every integer below it is a double; from it on, a double stands
 * for several integers (2^53 + 1 rounds to 2^53). */
#define EXACT_DOUBLE 9007199254740992.0

static int big_int(int64_t v)
{
    return v >= (int64_t)EXACT_DOUBLE || v <= -(int64_t)EXACT_DOUBLE;
}

cJSON *mlp_json_int(int64_t v)
{
    cJSON *n = cJSON_CreateNumber((double)v);
    char buf[24];

    if (n == NULL || !big_int(v))
        return n;
    snprintf(buf, sizeof buf, "%lld", (long long)v);
    n->valuestring = cJSON_malloc(strlen(buf) + 1);
    if (n->valuestring == NULL) {
        cJSON_Delete(n);
        return NULL;
    }
    memcpy(n->valuestring, buf, strlen(buf) + 1);
    return n;
}

int mlp_json_get_int(const cJSON *v, int64_t *out)
{
    double d;

    if (!cJSON_IsNumber(v))
        return MLP_EINVAL;
    if (v->valuestring != NULL) {
        char *end;
        errno = 0;
        *out = strtoll(v->valuestring, &end, 10);
        return errno == 0 && *end == '\0' ? MLP_OK : MLP_EINVAL;
    }
    d = v->valuedouble;
    if (d != floor(d) || d >= EXACT_DOUBLE || d <= -EXACT_DOUBLE)
        return MLP_EINVAL;
    *out = (int64_t)d;
    return MLP_OK;
}

/* The number nodes of a tree in document order. */
static void collect_numbers(cJSON *v, cJSON ***nodes, size_t *n, size_t *cap)
{
    cJSON *c;

    if (cJSON_IsNumber(v)) {
        if (*n == *cap) {
            size_t nc = *cap ? *cap * 2 : 64;
            cJSON **nn = realloc(*nodes, nc * sizeof *nn);
            if (nn == NULL)
                return;
            *nodes = nn;
            *cap = nc;
        }
        (*nodes)[(*n)++] = v;
    }
    cJSON_ArrayForEach(c, v)
        collect_numbers(c, nodes, n, cap);
}

/* cJSON reads every number into a double.  Walks the text's number
 * tokens alongside the tree's number nodes (both in document order) and
 * gives integer tokens beyond 2^53 their exact digits back. */
static void restore_big_ints(cJSON *root, const char *text, size_t len)
{
    cJSON **nodes = NULL;
    size_t n = 0, cap = 0, k = 0, i = 0;

    collect_numbers(root, &nodes, &n, &cap);
    while (i < len && k < n) {
        char c = text[i];
        if (c == '"') {
            for (i++; i < len && text[i] != '"'; i++)
                if (text[i] == '\\')
                    i++;
            i++;
        } else if (c == '-' || (c >= '0' && c <= '9')) {
            size_t start = i;
            int integral = 1;
            for (i++; i < len && strchr("0123456789.eE+-", text[i]); i++)
                if (text[i] == '.' || text[i] == 'e' || text[i] == 'E')
                    integral = 0;
            if (integral && i - start < 24) {
                char tok[24], *end;
                long long v;
                memcpy(tok, text + start, i - start);
                tok[i - start] = '\0';
                errno = 0;
                v = strtoll(tok, &end, 10);
                if (errno == 0 && *end == '\0' && big_int(v) &&
                    nodes[k]->valuestring == NULL) {
                    nodes[k]->valuestring = cJSON_malloc(strlen(tok) + 1);
                    if (nodes[k]->valuestring != NULL)
                        memcpy(nodes[k]->valuestring, tok, strlen(tok) + 1);
                }
            }
            k++;
        } else {
            i++;
        }
    }
    free(nodes);
}

cJSON *mlp_json_parse(const char *text, size_t len)
{
    cJSON *v = cJSON_ParseWithLengthOpts(text, len, NULL, 0);

    if (v != NULL)
        restore_big_ints(v, text, len);
    return v;
}

/* Line and column of position at in text, for an error message. */
static void position(const char *text, size_t len, const char *at, size_t *line,
                     size_t *col)
{
    *line = 1;
    *col = 1;
    for (const char *p = text; at != NULL && p < at && p < text + len; p++) {
        if (*p == '\n') {
            (*line)++;
            *col = 1;
        } else {
            (*col)++;
        }
    }
}

int mlp_json_read_file(const char *path, cJSON **out, mlp_error *err)
{
    char *text;
    size_t len, line, col;
    const char *end = NULL;
    int rc;

    *out = NULL;
    rc = mlpi_read_file(path, &text, &len, err);
    if (rc != MLP_OK)
        return rc;
    *out = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (*out == NULL) {
        position(text, len, end != NULL ? end : cJSON_GetErrorPtr(), &line, &col);
        free(text);
        return mlp_error_set(err, MLP_EFORMAT,
                             "%s:%zu:%zu: invalid JSON", path, line, col);
    }
    /* One value per file: text after it is not ignored (a second
     * document pasted below, or a truncated edit). */
    while (end != NULL && end < text + len &&
           (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r'))
        end++;
    if (end != NULL && end < text + len) {
        position(text, len, end, &line, &col);
        free(text);
        cJSON_Delete(*out);
        *out = NULL;
        return mlp_error_set(err, MLP_EFORMAT, "%s:%zu:%zu: text after the JSON value",
                             path, line, col);
    }
    restore_big_ints(*out, text, len);
    free(text);
    return MLP_OK;
}

int mlp_json_write_file(const char *path, const cJSON *value, mlp_error *err)
{
    char *text = mlp_json_print(value, 1);
    int rc;

    if (text == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "%s: cannot render JSON", path);
    size_t n = strlen(text);
    char *line = mlp_realloc(text, n + 2);
    if (line == NULL) {
        mlp_free(text);
        return mlp_error_set(err, MLP_ENOMEM, "%s: out of memory", path);
    }
    line[n] = '\n';
    rc = mlpi_write_file_atomic(path, line, n + 1, err);
    mlp_free(line);
    return rc;
}

double mlp_json_num(const cJSON *o, const char *key)
{
    return cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(o, key));
}

const char *mlp_json_str(const cJSON *o, const char *key)
{
    const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));

    return s ? s : "";
}

cJSON *mlp_json_number(double v)
{
    return isnan(v) ? cJSON_CreateNull() : cJSON_CreateNumber(v);
}

/* A growing text buffer for the printer. */
typedef struct jbuf {
    char *p;
    size_t n, cap;
    int failed;
} jbuf;

static void put(jbuf *b, const char *s, size_t len)
{
    if (b->failed)
        return;
    if (b->n + len + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->n + len + 1)
            cap *= 2;
        char *np = mlp_realloc(b->p, cap);
        if (np == NULL) {
            b->failed = 1;
            return;
        }
        b->p = np;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, len);
    b->n += len;
    b->p[b->n] = '\0';
}

static void puts_(jbuf *b, const char *s) { put(b, s, strlen(s)); }

/* The shortest of 15, 16 or 17 significant digits that reads back as
 * exactly v: cJSON's own printer accepts a 15-digit text that is only
 * approximately equal, and loses the last bit. */
static void put_number(jbuf *b, double v)
{
    char buf[40];

    /* JSON has no infinities; 1e999 is valid JSON syntax that every
     * strtod-based reader (cJSON included) reads back as infinity. */
    if (isinf(v)) {
        puts_(b, v > 0 ? "1e999" : "-1e999");
        return;
    }
    if (isnan(v)) {
        puts_(b, "null");
        return;
    }
    if (v == floor(v) && fabs(v) < 1e15) {
        snprintf(buf, sizeof buf, "%.0f", v);
    } else {
        for (int prec = 15; prec <= 17; prec++) {
            snprintf(buf, sizeof buf, "%.*g", prec, v);
            if (strtod(buf, NULL) == v)
                break;
        }
    }
    puts_(b, buf);
}

static void put_string(jbuf *b, const char *s)
{
    char esc[8];

    put(b, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        const unsigned char *start = p;
        while (*p && *p != '"' && *p != '\\' && *p >= 0x20)
            p++;
        put(b, (const char *)start, (size_t)(p - start));
        if (*p == '\0')
            break;
        switch (*p) {
        case '"': puts_(b, "\\\""); break;
        case '\\': puts_(b, "\\\\"); break;
        case '\n': puts_(b, "\\n"); break;
        case '\t': puts_(b, "\\t"); break;
        case '\r': puts_(b, "\\r"); break;
        default:
            snprintf(esc, sizeof esc, "\\u%04x", *p);
            puts_(b, esc);
        }
    }
    put(b, "\"", 1);
}

static void indent(jbuf *b, int pretty, int depth)
{
    if (!pretty)
        return;
    put(b, "\n", 1);
    for (int i = 0; i < depth; i++)
        put(b, "  ", 2);
}

static void put_value(jbuf *b, const cJSON *v, int pretty, int depth)
{
    const cJSON *c;
    int first = 1;

    if (cJSON_IsNumber(v) && v->valuestring != NULL) {
        puts_(b, v->valuestring);  /* an integer beyond 2^53, exact */
    } else if (cJSON_IsNumber(v)) {
        put_number(b, v->valuedouble);
    } else if (cJSON_IsString(v)) {
        put_string(b, v->valuestring);
    } else if (cJSON_IsTrue(v)) {
        puts_(b, "true");
    } else if (cJSON_IsFalse(v)) {
        puts_(b, "false");
    } else if (cJSON_IsRaw(v)) {
        puts_(b, v->valuestring);
    } else if (cJSON_IsArray(v) || cJSON_IsObject(v)) {
        int obj = cJSON_IsObject(v);
        put(b, obj ? "{" : "[", 1);
        cJSON_ArrayForEach(c, v) {
            if (!first)
                put(b, ",", 1);
            first = 0;
            indent(b, pretty, depth + 1);
            if (obj) {
                put_string(b, c->string);
                puts_(b, pretty ? ": " : ":");
            }
            put_value(b, c, pretty, depth + 1);
        }
        if (!first)
            indent(b, pretty, depth);
        put(b, obj ? "}" : "]", 1);
    } else {
        puts_(b, "null");
    }
}

char *mlp_json_print(const cJSON *value, int pretty)
{
    jbuf b = { NULL, 0, 0, 0 };

    put_value(&b, value, pretty, 0);
    if (b.failed) {
        mlp_free(b.p);
        return NULL;
    }
    return b.p;
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
    char *out;

    if (s == NULL)
        return NULL;
    out = mlp_json_print(s, 0);
    cJSON_Delete(s);
    return out;
}
