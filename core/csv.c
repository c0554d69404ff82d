/* RFC 4180 tokenizing with exact error positions. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mlpipe/csv.h>

void mlp_csv_init(mlp_csv_reader *r, const char *path, const char *buf, size_t len,
              char delim)
{
    memset(r, 0, sizeof *r);
    r->path = path;
    r->buf = buf;
    r->len = len;
    r->delim = delim;
    r->next_line = 1;
    if (len >= 3 && (unsigned char)buf[0] == 0xEF &&
        (unsigned char)buf[1] == 0xBB && (unsigned char)buf[2] == 0xBF)
        r->pos = 3;
}

void mlp_csv_free(mlp_csv_reader *r)
{
    free(r->fields);
    free(r->scratch);
    free(r->extra);
}

size_t mlp_csv_utf8_len(const unsigned char *p, const unsigned char *end)
{
    unsigned c = p[0];
    size_t n;
    unsigned min;

    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        n = 2, min = 0x80;
    else if (c >= 0xE0 && c <= 0xEF)
        n = 3, min = 0x800;
    else if (c >= 0xF0 && c <= 0xF4)
        n = 4, min = 0x10000;
    else
        return 0;
    if ((size_t)(end - p) < n)
        return 0;
    unsigned cp = c & (0x7F >> n);
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

/* Column of byte offset pos on its physical line (1-based).  A line ends
 * at LF, CRLF or a CR alone (old Mac files; pandas reads them so too). */
static size_t column_of(const mlp_csv_reader *r, size_t pos)
{
    size_t start = pos;

    while (start > 0 && r->buf[start - 1] != '\n' && r->buf[start - 1] != '\r')
        start--;
    return pos - start + 1;
}

/* Length of the line break at pos (1 for LF or a lone CR, 2 for CRLF), or
 * 0 when there is none. */
static size_t line_break(const mlp_csv_reader *r, size_t pos)
{
    if (pos >= r->len)
        return 0;
    if (r->buf[pos] == '\n')
        return 1;
    if (r->buf[pos] != '\r')
        return 0;
    return pos + 1 < r->len && r->buf[pos + 1] == '\n' ? 2 : 1;
}

static const char nul_what[] = "NUL byte in a field (is this a binary file, or "
                               "text in UTF-16? CSV must be UTF-8)";

static int fail_at(mlp_csv_reader *r, mlp_error *err, size_t line, size_t pos,
                   const char *what)
{
    r->err_pos = pos;
    r->next_line = line;
    return mlp_error_set(err, MLP_EFORMAT, "%s:%zu:%zu: %s", r->path, line,
                         column_of(r, pos), what);
}

static int push_field(mlp_csv_reader *r, const char *p, size_t len, int quoted)
{
    if (r->n_fields == r->cap_fields) {
        size_t cap = r->cap_fields ? r->cap_fields * 2 : 64;
        mlp_csv_field *nf = realloc(r->fields, cap * sizeof *nf);
        if (nf == NULL)
            return MLP_ENOMEM;
        r->fields = nf;
        r->cap_fields = cap;
    }
    r->fields[r->n_fields].p = p;
    r->fields[r->n_fields].len = len;
    r->fields[r->n_fields].quoted = quoted;
    r->n_fields++;
    return MLP_OK;
}

static int scratch_reserve(mlp_csv_reader *r, size_t extra)
{
    if (r->scratch_len + extra <= r->scratch_cap)
        return MLP_OK;
    size_t cap = r->scratch_cap ? r->scratch_cap : 4096;
    while (cap < r->scratch_len + extra)
        cap *= 2;
    char *ns = realloc(r->scratch, cap);
    if (ns == NULL)
        return MLP_ENOMEM;
    /* Fields already unescaped point into the old buffer: move them. */
    for (size_t i = 0; i < r->n_fields; i++)
        if (r->fields[i].quoted == 2)
            r->fields[i].p = ns + (r->fields[i].p - r->scratch);
    r->scratch = ns;
    r->scratch_cap = cap;
    return MLP_OK;
}

void mlp_csv_skip_bad_line(mlp_csv_reader *r)
{
    size_t pos = r->err_pos, n = 0;

    while (pos < r->len && (n = line_break(r, pos)) == 0)
        pos++;
    r->pos = pos < r->len ? pos + n : r->len;
    r->next_line++;
}

#define ONES 0x0101010101010101ull

/* The high bit set in each byte of v that is zero (exactly those bytes:
 * no carry reaches a neighbour). */
static uint64_t zero_bytes(uint64_t v)
{
    return ~(((v & 0x7f7f7f7f7f7f7f7full) + 0x7f7f7f7f7f7f7f7full) | v) &
           0x8080808080808080ull;
}

/* The high bit of each byte of v that ends or breaks plain text: the
 * delimiter, a quote, a line break or NUL. */
static uint64_t special_bytes(uint64_t v, char delim)
{
    return zero_bytes(v ^ (ONES * (uint8_t)delim)) | zero_bytes(v ^ (ONES * '"')) |
           zero_bytes(v ^ (ONES * '\n')) | zero_bytes(v ^ (ONES * '\r')) |
           zero_bytes(v);
}

/* Moves *k past unquoted text up to a delimiter, line break or the end,
 * checking it on the way. */
static int scan_unquoted(mlp_csv_reader *r, size_t *k, size_t line, mlp_error *err)
{
    const char *b = r->buf;
    const unsigned char *end = (const unsigned char *)b + r->len;
    size_t i = *k;

    while (i < r->len) {
        /* Eight plain ASCII bytes at a time: nothing to check in them. */
        while (i + 8 <= r->len) {
            uint64_t v, m;
            memcpy(&v, b + i, 8);
            m = special_bytes(v, r->delim) | (v & 0x8080808080808080ull);
            if (m != 0) {
                i += (size_t)__builtin_ctzll(m) >> 3;
                break;
            }
            i += 8;
        }
        if (i >= r->len)
            break;
        unsigned char c = (unsigned char)b[i];
        if (c == (unsigned char)r->delim || c == '\n' || c == '\r')
            break;
        if (c == '\0')
            return fail_at(r, err, line, i, nul_what);
        if (c == '"' && !r->lenient)
            return fail_at(r, err, line, i, "quote inside an unquoted field "
                           "(quote the whole field and double the quote, or "
                           "read the file with quotes = \"lenient\")");
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t n = mlp_csv_utf8_len((const unsigned char *)b + i, end);
        if (n == 0)
            return fail_at(r, err, line, i, "invalid UTF-8 byte sequence");
        i += n;
    }
    *k = i;
    return MLP_OK;
}

int mlp_csv_next(mlp_csv_reader *r, mlp_error *err)
{
    const char *b = r->buf;
    const unsigned char *end = (const unsigned char *)b + r->len;
    size_t pos = r->pos, line;

    r->n_fields = 0;
    r->scratch_len = 0;
    /* Skip blank lines (an empty line is not a row of one empty field). */
    for (size_t n; (r->stop == 0 || pos < r->stop) &&
                   (n = line_break(r, pos)) > 0; pos += n)
        r->next_line++;
    if (pos >= r->len || (r->stop != 0 && pos >= r->stop)) {
        r->pos = pos;
        return 0;
    }
    line = r->line = r->next_line;
    r->row_start = b + pos;
    /* A UTF-16 byte order mark: not UTF-8 at all, and said so plainly. */
    if (pos == 0 && r->len >= 2 && (((unsigned char)b[0] == 0xFF && (unsigned char)b[1] == 0xFE) ||
                                    ((unsigned char)b[0] == 0xFE && (unsigned char)b[1] == 0xFF)))
        return fail_at(r, err, line, 0, "UTF-16 byte order mark: CSV must be "
                       "UTF-8 (convert it, e.g. iconv -f UTF-16 -t UTF-8)");
    for (;;) {
        size_t start = pos;
        if (pos < r->len && b[pos] == '"') {
            /* Quoted field: find the closing quote, unescaping "" on the way. */
            size_t open_pos = pos, open_line = line, out0;
            int escaped = 0;
            pos++;
            if (scratch_reserve(r, 0) != MLP_OK)
                return mlp_error_set(err, MLP_ENOMEM, "out of memory");
            out0 = r->scratch_len;
            for (;;) {
                const char *q = memchr(b + pos, '"', r->len - pos);
                size_t upto = q ? (size_t)(q - b) : r->len;
                for (size_t k = pos; k < upto;) {
                    /* Plain ASCII without line breaks or NUL needs no
                     * look: eight bytes at a time. */
                    uint64_t v;
                    if (k + 8 <= upto && (memcpy(&v, b + k, 8),
                                          ((v & 0x8080808080808080ull) | zero_bytes(v) |
                                           zero_bytes(v ^ (ONES * '\n')) |
                                           zero_bytes(v ^ (ONES * '\r'))) == 0)) {
                        k += 8;
                        continue;
                    }
                    size_t n = mlp_csv_utf8_len((const unsigned char *)b + k, end);
                    if (n == 0)
                        return fail_at(r, err, line, k, "invalid UTF-8 byte "
                                       "sequence");
                    if (b[k] == '\0')
                        return fail_at(r, err, line, k, nul_what);
                    /* A CR counts as a line unless an LF follows it. */
                    if (b[k] == '\n' || (b[k] == '\r' && line_break(r, k) == 1))
                        line++;
                    k += n;
                }
                if (q == NULL) {
                    char what[128];
                    snprintf(what, sizeof what, "unterminated quoted field "
                             "(the quote opened here is never closed)");
                    return fail_at(r, err, open_line, open_pos, what);
                }
                if (scratch_reserve(r, upto - pos + 1) != MLP_OK)
                    return mlp_error_set(err, MLP_ENOMEM, "out of memory");
                memcpy(r->scratch + r->scratch_len, b + pos, upto - pos);
                r->scratch_len += upto - pos;
                pos = upto + 1;
                if (pos < r->len && b[pos] == '"') {
                    r->scratch[r->scratch_len++] = '"';
                    escaped = 1;
                    pos++;
                    continue;
                }
                break;
            }
            if (pos < r->len && b[pos] != r->delim && line_break(r, pos) == 0) {
                if (!r->lenient)
                    return fail_at(r, err, line, pos, "unexpected text after a "
                                   "closing quote (a quote inside a quoted "
                                   "field must be doubled, or read the file "
                                   "with quotes = \"lenient\")");
                /* "ab"cd reads as abcd: the rest joins the field. */
                size_t k = pos;
                int rc = scan_unquoted(r, &k, line, err);
                if (rc != MLP_OK)
                    return rc;
                if (scratch_reserve(r, k - pos) != MLP_OK)
                    return mlp_error_set(err, MLP_ENOMEM, "out of memory");
                memcpy(r->scratch + r->scratch_len, b + pos, k - pos);
                r->scratch_len += k - pos;
                escaped = 1;
                pos = k;
            }
            int rc = escaped
                ? push_field(r, r->scratch + out0, r->scratch_len - out0, 2)
                : push_field(r, b + start + 1, pos - start - 2, 1);
            if (rc != MLP_OK)
                return mlp_error_set(err, MLP_ENOMEM, "out of memory");
            if (!escaped)
                r->scratch_len = out0;
        } else {
            size_t k = pos;
            int rc = scan_unquoted(r, &k, line, err);
            if (rc != MLP_OK)
                return rc;
            if (push_field(r, b + pos, k - pos, 0) != MLP_OK)
                return mlp_error_set(err, MLP_ENOMEM, "out of memory");
            pos = k;
        }
        if (pos < r->len && b[pos] == r->delim) {
            pos++;
            continue;
        }
        /* End of row: a line break or the end of the file. */
        r->row_len = (size_t)(b + pos - r->row_start);
        pos += line_break(r, pos);
        r->pos = pos;
        r->next_line = line + 1;
        return 1;
    }
}
