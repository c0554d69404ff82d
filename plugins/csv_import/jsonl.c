/* JSON Lines: one flat object per line, read by a parser of our own.
 *
 * A general JSON library reads numbers into doubles (9007199254740993
 * would come back as ...992) and stops a string at an escaped NUL; here a
 * number keeps its text, which the numeric parser then reads exactly, and
 * every string is checked to be valid UTF-8 without NUL.  Errors name
 * file:line:column (the column in bytes).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonl.h"

/* One key and its value, as offsets into the reader's scratch. */
typedef struct jl_pair {
    size_t key, key_len;
    size_t val, val_len;
    int present;        /* 0: null */
} jl_pair;

typedef struct jl_line {
    mlp_csv_reader *r;
    const char *s, *p, *e;
    jl_pair *pairs;
    size_t n, cap;
    mlp_error *err;
} jl_line;

/* The next non-blank line of r from r->pos: [*start, *end). */
static int next_line(mlp_csv_reader *r, const char **start, const char **end)
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
        if (*end > *start && (*end)[-1] == '\r')
            (*end)--;
        const char *q = *start;
        while (q < *end && (*q == ' ' || *q == '\t'))
            q++;
        if (q < *end)
            return 1;
    }
}

static int fail(jl_line *l, const char *at, const char *what)
{
    return mlp_error_set(l->err, MLP_EFORMAT, "%s:%zu:%zu: %s", l->r->path,
                         l->r->line, (size_t)(at - l->s) + 1, what);
}

static void skip_ws(jl_line *l)
{
    while (l->p < l->e && (*l->p == ' ' || *l->p == '\t' || *l->p == '\r' ||
                           *l->p == '\n'))
        l->p++;
}

static int put(jl_line *l, const char *s, size_t n)
{
    mlp_csv_reader *r = l->r;

    if (r->scratch_len + n + 1 > r->scratch_cap) {
        size_t cap = r->scratch_cap ? r->scratch_cap * 2 : 4096;
        while (cap < r->scratch_len + n + 1)
            cap *= 2;
        char *ns = realloc(r->scratch, cap);
        if (ns == NULL)
            return mlp_error_set(l->err, MLP_ENOMEM, "out of memory");
        r->scratch = ns;
        r->scratch_cap = cap;
    }
    memcpy(r->scratch + r->scratch_len, s, n);
    r->scratch_len += n;
    return MLP_OK;
}

static int hex4(const char *p, const char *e, unsigned *out)
{
    unsigned v = 0;

    if (e - p < 4)
        return -1;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        v <<= 4;
        if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
        else return -1;
    }
    *out = v;
    return 0;
}

static int put_utf8(jl_line *l, unsigned cp)
{
    char b[4];
    size_t n;

    if (cp < 0x80) {
        b[0] = (char)cp, n = 1;
    } else if (cp < 0x800) {
        b[0] = (char)(0xC0 | cp >> 6), b[1] = (char)(0x80 | (cp & 0x3F)), n = 2;
    } else if (cp < 0x10000) {
        b[0] = (char)(0xE0 | cp >> 12), b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (char)(0x80 | (cp & 0x3F)), n = 3;
    } else {
        b[0] = (char)(0xF0 | cp >> 18), b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        b[2] = (char)(0x80 | ((cp >> 6) & 0x3F)), b[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    return put(l, b, n);
}

/* A string at l->p (its opening quote), unescaped into the scratch. */
static int string(jl_line *l, size_t *off, size_t *len)
{
    const char *open = l->p++;
    int rc;

    *off = l->r->scratch_len;
    for (;;) {
        const char *run = l->p;
        while (l->p < l->e && *l->p != '"' && *l->p != '\\' &&
               (unsigned char)*l->p >= 0x20 && (unsigned char)*l->p < 0x80)
            l->p++;
        if ((rc = put(l, run, (size_t)(l->p - run))) != MLP_OK)
            return rc;
        if (l->p == l->e)
            return fail(l, open, "unterminated string");
        unsigned char c = (unsigned char)*l->p;
        if (c == '"') {
            l->p++;
            break;
        }
        if (c >= 0x80) {
            size_t n = mlp_csv_utf8_len((const unsigned char *)l->p,
                                    (const unsigned char *)l->e);
            if (n == 0)
                return fail(l, l->p, "invalid UTF-8 byte sequence");
            if ((rc = put(l, l->p, n)) != MLP_OK)
                return rc;
            l->p += n;
            continue;
        }
        if (c < 0x20)
            return fail(l, l->p, c == 0 ? "NUL byte in a string"
                                        : "control character in a string "
                                          "(escape it)");
        /* A backslash escape. */
        const char *esc = l->p++;
        if (l->p == l->e)
            return fail(l, esc, "unterminated string");
        char e = *l->p++, one;
        unsigned cp, lo;
        switch (e) {
        case '"': one = '"'; break;
        case '\\': one = '\\'; break;
        case '/': one = '/'; break;
        case 'b': one = '\b'; break;
        case 'f': one = '\f'; break;
        case 'n': one = '\n'; break;
        case 'r': one = '\r'; break;
        case 't': one = '\t'; break;
        case 'u':
            if (hex4(l->p, l->e, &cp) != 0)
                return fail(l, esc, "\\u needs four hexadecimal digits");
            l->p += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                if (l->e - l->p < 6 || l->p[0] != '\\' || l->p[1] != 'u' ||
                    hex4(l->p + 2, l->e, &lo) != 0 || lo < 0xDC00 || lo > 0xDFFF)
                    return fail(l, esc, "unpaired UTF-16 surrogate");
                l->p += 6;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                return fail(l, esc, "unpaired UTF-16 surrogate");
            } else if (cp == 0) {
                return fail(l, esc, "\\u0000 (a NUL byte) in a string");
            }
            if ((rc = put_utf8(l, cp)) != MLP_OK)
                return rc;
            continue;
        default:
            return fail(l, esc, "unknown escape in a string");
        }
        if ((rc = put(l, &one, 1)) != MLP_OK)
            return rc;
    }
    *len = l->r->scratch_len - *off;
    return MLP_OK;
}

static int digits(jl_line *l)
{
    const char *d = l->p;

    while (l->p < l->e && *l->p >= '0' && *l->p <= '9')
        l->p++;
    return l->p > d;
}

/* A number, kept as its text (JSON's grammar, checked). */
static int number(jl_line *l, size_t *off, size_t *len)
{
    const char *start = l->p;

    if (*l->p == '-')
        l->p++;
    if (l->p < l->e && *l->p == '0')
        l->p++;
    else if (!digits(l))
        return fail(l, start, "not valid JSON (a number needs digits)");
    if (l->p < l->e && *l->p == '.') {
        l->p++;
        if (!digits(l))
            return fail(l, start, "not valid JSON (digits must follow '.')");
    }
    if (l->p < l->e && (*l->p == 'e' || *l->p == 'E')) {
        l->p++;
        if (l->p < l->e && (*l->p == '+' || *l->p == '-'))
            l->p++;
        if (!digits(l))
            return fail(l, start, "not valid JSON (an exponent needs digits)");
    }
    *off = l->r->scratch_len;
    *len = (size_t)(l->p - start);
    return put(l, start, *len);
}

static int word(jl_line *l, const char *w, size_t *off, size_t *len, int keep)
{
    size_t n = strlen(w);

    if ((size_t)(l->e - l->p) < n || memcmp(l->p, w, n) != 0)
        return fail(l, l->p, "not valid JSON");
    l->p += n;
    *off = l->r->scratch_len;
    *len = keep ? n : 0;
    return keep ? put(l, w, n) : MLP_OK;
}

static int push_pair(jl_line *l, size_t key, size_t key_len, const char *at)
{
    const char *k = l->r->scratch + key;

    for (size_t i = 0; i < l->n; i++)
        if (l->pairs[i].key_len == key_len &&
            memcmp(l->r->scratch + l->pairs[i].key, k, key_len) == 0) {
            char what[160];
            snprintf(what, sizeof what, "key '%.*s' appears twice in the object",
                     (int)(key_len > 60 ? 60 : key_len), k);
            return fail(l, at, what);
        }
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        jl_pair *np = realloc(l->pairs, cap * sizeof *np);
        if (np == NULL)
            return mlp_error_set(l->err, MLP_ENOMEM, "out of memory");
        l->pairs = np;
        l->cap = cap;
    }
    l->pairs[l->n].key = key;
    l->pairs[l->n].key_len = key_len;
    l->n++;
    return MLP_OK;
}

/* Parses the line [s, e) as a flat object into l->pairs. */
static int parse_object(jl_line *l, const char *s, const char *e)
{
    int rc;

    l->s = l->p = s;
    l->e = e;
    l->n = 0;
    l->r->scratch_len = 0;
    skip_ws(l);
    if (l->p == l->e || *l->p != '{')
        return fail(l, l->p, "each line must be a JSON object");
    l->p++;
    skip_ws(l);
    if (l->p < l->e && *l->p == '}') {
        l->p++;
    } else {
        for (;;) {
            size_t key, key_len;
            const char *at = l->p;
            if (l->p == l->e || *l->p != '"')
                return fail(l, l->p, "not valid JSON (expected a key in quotes)");
            if ((rc = string(l, &key, &key_len)) != MLP_OK)
                return rc;
            if (key_len == 0)
                return fail(l, at, "empty key (every column needs a name)");
            if ((rc = push_pair(l, key, key_len, at)) != MLP_OK)
                return rc;
            skip_ws(l);
            if (l->p == l->e || *l->p != ':')
                return fail(l, l->p, "not valid JSON (expected ':')");
            l->p++;
            skip_ws(l);
            jl_pair *pr = &l->pairs[l->n - 1];
            pr->present = 1;
            if (l->p == l->e)
                return fail(l, l->p, "not valid JSON (expected a value)");
            switch (*l->p) {
            case '"': rc = string(l, &pr->val, &pr->val_len); break;
            case 't': rc = word(l, "true", &pr->val, &pr->val_len, 1); break;
            case 'f': rc = word(l, "false", &pr->val, &pr->val_len, 1); break;
            case 'n':
                rc = word(l, "null", &pr->val, &pr->val_len, 0);
                pr->present = 0;
                break;
            case '[':
            case '{': {
                char what[200];
                snprintf(what, sizeof what, "field '%.*s' is %s; JSON Lines input "
                         "takes flat objects of numbers, strings and booleans",
                         (int)(key_len > 60 ? 60 : key_len), l->r->scratch + key,
                         *l->p == '[' ? "a list" : "an object");
                return fail(l, l->p, what);
            }
            default:
                if (*l->p == '-' || (*l->p >= '0' && *l->p <= '9'))
                    rc = number(l, &pr->val, &pr->val_len);
                else
                    rc = fail(l, l->p, "not valid JSON (expected a value)");
            }
            if (rc != MLP_OK)
                return rc;
            skip_ws(l);
            if (l->p < l->e && *l->p == ',') {
                l->p++;
                skip_ws(l);
                continue;
            }
            if (l->p < l->e && *l->p == '}') {
                l->p++;
                break;
            }
            return fail(l, l->p, "not valid JSON (expected ',' or '}')");
        }
    }
    skip_ws(l);
    if (l->p != l->e)
        return fail(l, l->p, "not valid JSON (text after the object)");
    return MLP_OK;
}

int jsonl_columns(const char *path, const char *buf, size_t len, int skip_bad,
                  cJSON **out, mlp_error *err)
{
    mlp_csv_reader r;
    const char *s, *e;
    cJSON *cols = cJSON_CreateArray();
    jl_line l = { &r, NULL, NULL, NULL, NULL, 0, 0, err };
    size_t n_cols = 0;
    int rc = cols ? MLP_OK : mlp_error_set(err, MLP_ENOMEM, "out of memory");

    mlp_csv_init(&r, path, buf, len, ',');
    l.pairs = NULL;
    while (rc == MLP_OK && next_line(&r, &s, &e)) {
        rc = parse_object(&l, s, e);
        /* A bad line that will be skipped names no columns; the reading
         * pass records it. */
        if (rc == MLP_EFORMAT && skip_bad) {
            rc = MLP_OK;
            continue;
        }
        for (size_t i = 0; rc == MLP_OK && i < l.n; i++) {
            const char *k = r.scratch + l.pairs[i].key;
            size_t kl = l.pairs[i].key_len;
            /* Keys mostly come in the same order on every line: try the
             * same position first. */
            const cJSON *c = i < n_cols ? cJSON_GetArrayItem(cols, (int)i) : NULL;
            int known = c && strlen(c->valuestring) == kl &&
                        memcmp(c->valuestring, k, kl) == 0;
            cJSON_ArrayForEach(c, cols) {
                if (known)
                    break;
                known = strlen(c->valuestring) == kl &&
                        memcmp(c->valuestring, k, kl) == 0;
            }
            if (known)
                continue;
            char *name = strndup(k, kl);
            cJSON *item = name ? cJSON_CreateString(name) : NULL;
            free(name);
            if (item == NULL) {
                rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
                break;
            }
            cJSON_AddItemToArray(cols, item);
            n_cols++;
        }
    }
    r.extra = l.pairs;
    mlp_csv_free(&r);
    if (rc != MLP_OK) {
        cJSON_Delete(cols);
        return rc;
    }
    *out = cols;
    return MLP_OK;
}

int jsonl_next(mlp_csv_reader *r, const cJSON *cols, mlp_error *err)
{
    const char *s, *e;
    const cJSON *c;
    size_t n = (size_t)cJSON_GetArraySize(cols), k = 0;
    /* The pair table lives with the reader from row to row. */
    jl_line l = { r, NULL, NULL, NULL, r->extra, 0, r->extra_cap, err };
    int rc;

    if (!next_line(r, &s, &e))
        return 0;
    r->row_start = s;
    r->row_len = (size_t)(e - s);
    rc = parse_object(&l, s, e);
    r->extra = l.pairs;
    r->extra_cap = l.cap;
    if (rc != MLP_OK)
        return rc;
    if (n > r->cap_fields) {
        mlp_csv_field *nf = realloc(r->fields, n * sizeof *nf);
        if (nf == NULL)
            return mlp_error_set(err, MLP_ENOMEM, "out of memory");
        r->fields = nf;
        r->cap_fields = n;
    }
    r->n_fields = n;
    cJSON_ArrayForEach(c, cols) {
        mlp_csv_field *f = &r->fields[k];
        size_t kl = strlen(c->valuestring), i;
        const jl_pair *pr = NULL;
        /* Same position first, as the keys usually are in order. */
        if (k < l.n && l.pairs[k].key_len == kl &&
            memcmp(r->scratch + l.pairs[k].key, c->valuestring, kl) == 0)
            pr = &l.pairs[k];
        for (i = 0; pr == NULL && i < l.n; i++)
            if (l.pairs[i].key_len == kl &&
                memcmp(r->scratch + l.pairs[i].key, c->valuestring, kl) == 0)
                pr = &l.pairs[i];
        f->quoted = 0;
        f->p = pr && pr->present ? r->scratch + pr->val : NULL;
        f->len = pr && pr->present ? pr->val_len : 0;
        k++;
    }
    return 1;
}
