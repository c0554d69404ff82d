/* The fast path for plain delimited files: no quote characters, NUL bytes
 * or lone CRs, and only ASCII bytes, which is what large numeric exports
 * look like.  Then a row
 * is a line and a field is the text between delimiters, so:
 *
 *   scan: find rows with memchr, check each row's field count, hash it for
 *         its split (exactly as the general reader would);
 *   fill: parse the rows in parallel over two row ranges straight into
 *         their split's column buffers; a column that turns out not to be
 *         numeric is read again as text, serially, afterwards.
 *
 * Anything else (quotes, other bytes, JSON Lines) takes the general reader,
 * which gives the same results.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest.h"

#define FAST_THREADS 2

/* Grows parallel arrays to cap elements each: slots[k] is the address of
 * a pointer to sizes[k]-byte elements (read and written with memcpy, so
 * any element type is fine).  Returns -1 when one could not grow (those
 * that did keep their new size). */
static int grow_arrays(void *const *slots, const size_t *sizes, size_t n,
                       size_t cap)
{
    int rc = 0;

    for (size_t k = 0; k < n; k++) {
        void *old, *p;
        memcpy(&old, slots[k], sizeof old);
        p = realloc(old, cap * sizes[k]);
        if (p == NULL)
            rc = -1;
        else
            memcpy(slots[k], &p, sizeof p);
    }
    return rc;
}

static int push_pos(job *j, uint64_t off, uint32_t len, uint32_t file,
                    uint64_t line, mlp_error *err)
{
    size_t n = j->n_rows;  /* ingest_push_row has not counted it yet */

    if (n == 0 || (n & (n - 1)) == 0) {
        void *const arrays[] = { &j->row_off, &j->row_len, &j->row_file,
                                 &j->row_line };
        const size_t sizes[] = { sizeof *j->row_off, sizeof *j->row_len,
                                 sizeof *j->row_file, sizeof *j->row_line };
        if (grow_arrays(arrays, sizes, 4, n ? n * 2 : 4096) != 0)
            return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    }
    j->row_off[n] = off;
    j->row_len[n] = len;
    j->row_file[n] = file;
    j->row_line[n] = line;
    return MLP_OK;
}

/* Field k of a row: [*p, *p + *len). */
static void field_of(const char *row, size_t len, char delim, size_t k,
                     const char **p, size_t *flen)
{
    const char *s = row, *end = row + len;

    for (size_t i = 0; i < k; i++) {
        const char *d = memchr(s, delim, (size_t)(end - s));
        s = d ? d + 1 : end;
    }
    const char *d = memchr(s, delim, (size_t)(end - s));
    *p = s;
    *flen = (size_t)((d ? d : end) - s);
}

/* Rows of one byte range of a plain file: offsets, lengths, line numbers
 * relative to the range, key hashes, and the field count of bad rows. */
typedef struct chunk {
    job *j;
    size_t fi, from, to;
    size_t n, cap;
    uint64_t *off, *hash;
    uint32_t *len;
    size_t *rel_line;
    size_t *bad_count;     /* 0, or the field count of a malformed row */
    uint32_t *bad_col;     /* 0, or 1 + the declared numeric column whose
                              value is not a number */
    size_t lines;          /* newlines in the range */
    size_t line0;          /* lines before the range (set by the caller) */
    int oom;
    int not_plain;         /* a quote, NUL, lone CR or non-ASCII byte:
                              the general reader */
} chunk;

static int chunk_push(chunk *c, uint64_t off, uint32_t len, size_t line,
                      uint64_t hash, size_t bad, uint32_t bad_col)
{
    if (c->n == c->cap) {
        void *const arrays[] = { &c->off, &c->hash, &c->len, &c->rel_line,
                                 &c->bad_count, &c->bad_col };
        const size_t sizes[] = { sizeof *c->off, sizeof *c->hash, sizeof *c->len,
                                 sizeof *c->rel_line, sizeof *c->bad_count,
                                 sizeof *c->bad_col };
        size_t cap = c->cap ? c->cap * 2 : 4096;
        if (grow_arrays(arrays, sizes, 6, cap) != 0)
            return -1;
        c->cap = cap;
    }
    c->off[c->n] = off;
    c->len[c->n] = len;
    c->rel_line[c->n] = line;
    c->hash[c->n] = hash;
    c->bad_count[c->n] = bad;
    c->bad_col[c->n] = bad_col;
    c->n++;
    return 0;
}

/* 1 + the first column declared numeric whose value in the row is not a
 * number (nor missing), or 0.  Checked while scanning, as the general
 * reader does in its first pass, so that both skip (or report) the same
 * rows whatever else is wrong further on. */
static uint32_t bad_typed_column(const job *j, const char *row, size_t len)
{
    const char *s = row, *end = row + len;

    for (size_t c = 0; c < j->n_cols; c++) {
        const char *d = memchr(s, j->delim, (size_t)(end - s));
        const char *fe = d ? d : end;
        double v;
        unsigned flags;
        if (j->cols[c].declared == T_NUMERIC &&
            !ingest_is_na(j, s, (size_t)(fe - s)) &&
            !mlp_parse_number(s, (size_t)(fe - s), &v, &flags, NULL))
            return (uint32_t)c + 1;
        s = fe + 1;
    }
    return 0;
}

#define ONES 0x0101010101010101ull

/* The high bit set in each byte of v that is zero. */
static uint64_t zero_bytes(uint64_t v)
{
    return ~(((v & 0x7f7f7f7f7f7f7f7full) + 0x7f7f7f7f7f7f7f7full) | v) &
           0x8080808080808080ull;
}

static void *scan_chunk(void *arg)
{
    chunk *c = arg;
    job *j = c->j;
    const char *buf = j->files[c->fi].data;
    size_t pos = c->from, line = 0;

    while (pos < c->to) {
        const char *row = buf + pos, *nl = memchr(row, '\n', c->to - pos);
        size_t rlen = (size_t)((nl ? nl : buf + c->to) - row), fields = 1;
        size_t next = nl ? (size_t)(nl - buf) + 1 : c->to;
        uint64_t h;

        if (rlen > 0 && row[rlen - 1] == '\r')
            rlen--;
        if (rlen > 0) {
            /* Count delimiters eight bytes at a time, and check on the way
             * that the row is plain (no quote, ASCII only). */
            uint64_t high = 0, odd = 0, dmask = ONES * (uint8_t)j->delim;
            size_t k = 0;
            for (; k + 8 <= rlen; k += 8) {
                uint64_t v;
                memcpy(&v, row + k, 8);
                high |= v;
                /* A quote, a NUL or a CR not ending the line: the general
                 * reader decides what they mean. */
                odd |= zero_bytes(v ^ (ONES * '"')) | zero_bytes(v) |
                       zero_bytes(v ^ (ONES * '\r'));
                fields += (size_t)__builtin_popcountll(zero_bytes(v ^ dmask));
            }
            for (; k < rlen; k++) {
                high |= (uint8_t)row[k];
                odd |= row[k] == '"' || row[k] == '\0' || row[k] == '\r';
                fields += row[k] == j->delim;
            }
            if ((high & 0x8080808080808080ull) || odd) {
                c->not_plain = 1;
                return NULL;
            }
            uint32_t bad_col = 0;
            if (fields == j->n_cols && j->any_declared_numeric)
                bad_col = bad_typed_column(j, row, rlen);
            if (fields != j->n_cols || bad_col != 0) {
                h = 0;
            } else if (j->key_col >= 0) {
                const char *kp;
                size_t kl;
                field_of(row, rlen, j->delim, (size_t)j->key_col, &kp, &kl);
                h = mlp_hash64(kp, kl, j->seed);
            } else {
                h = mlp_hash64(row, rlen, j->seed);
            }
            if (chunk_push(c, pos, (uint32_t)rlen, line, h,
                           fields != j->n_cols ? fields : 0, bad_col) != 0) {
                c->oom = 1;
                return NULL;
            }
        }
        pos = next;
        if (nl)
            line++;
    }
    c->lines = line;
    return NULL;
}

static int scan_one(job *j, size_t fi, mlp_error *err)
{
    const char *buf = j->files[fi].data;
    size_t len = j->files[fi].len, pos = 0, line = 1;
    int rc;

    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
        pos = 3;
    if (j->header || j->cols == NULL) {
        /* The header (or the first row, to name the columns) goes through
         * the general tokenizer: it checks it the same way. */
        mlp_csv_reader r;
        mlp_csv_init(&r, j->files[fi].path, buf, len, j->delim);
        r.lenient = j->lenient;
        rc = mlp_csv_next(&r, err);
        if (rc < 0) {
            mlp_csv_free(&r);
            return rc;
        }
        if (rc == 1 && j->cols == NULL)
            rc = ingest_set_columns(j, &r, err);
        else if (rc == 1 && j->header && r.n_fields != j->n_cols)
            rc = mlp_error_set(err, MLP_EFORMAT, "%s:%zu: header has %zu "
                               "columns, %s has %zu", r.path, r.line,
                               r.n_fields, j->files[0].path, j->n_cols);
        else
            rc = MLP_OK;
        if (j->header) {
            pos = r.pos;
            line = r.next_line;
        }
        mlp_csv_free(&r);
        if (rc != MLP_OK)
            return rc;
    }
    /* The body in two halves, scanned at once; rows are then assigned to
     * splits in file order, so the result does not depend on the cut. */
    size_t cut = pos + (len - pos) / 2;
    const char *nl = len - pos > (1u << 20) ? memchr(buf + cut, '\n', len - cut) : NULL;
    chunk ch[2];
    pthread_t tid;
    int two = nl != NULL;

    memset(ch, 0, sizeof ch);
    ch[0].j = j;
    ch[0].fi = fi;
    ch[0].from = pos;
    ch[0].to = two ? (size_t)(nl - buf) + 1 : len;
    ch[1] = ch[0];
    ch[1].from = ch[0].to;
    ch[1].to = len;
    two = two && pthread_create(&tid, NULL, scan_chunk, &ch[1]) == 0;
    scan_chunk(&ch[0]);
    if (two)
        pthread_join(tid, NULL);
    else if (ch[1].from < ch[1].to)
        scan_chunk(&ch[1]);
    ch[1].line0 = ch[0].lines;  /* lines before the second half */
    rc = MLP_OK;
    if (ch[0].not_plain || ch[1].not_plain)
        rc = 1;  /* not plain after all: the general reader takes over */
    for (int k = 0; k < 2 && rc == MLP_OK; k++) {
        chunk *c = &ch[k];
        if (c->not_plain)
            break;
        for (size_t r = 0; r < c->n && rc == MLP_OK; r++) {
            size_t ln = line + c->line0 + c->rel_line[r];
            int sp;
            if (c->bad_count != NULL && c->bad_count[r] > 0) {
                if (!j->skip_bad) {
                    rc = mlp_error_set(err, MLP_EFORMAT, "%s:%zu: expected %zu "
                                       "fields (as in the header), found %zu",
                                       j->files[fi].path, ln, j->n_cols,
                                       c->bad_count[r]);
                    break;
                }
                ingest_record_skip(j, ln);
                continue;
            }
            if (c->bad_col[r] > 0) {
                if (!j->skip_bad) {
                    const char *p;
                    size_t flen;
                    field_of(buf + c->off[r], c->len[r], j->delim,
                             c->bad_col[r] - 1, &p, &flen);
                    rc = ingest_type_error(j, j->files[fi].path, ln,
                                           c->bad_col[r] - 1, p, flen, err);
                    break;
                }
                ingest_record_skip(j, ln);
                continue;
            }
            rc = ingest_split_of_hash(j, c->hash[r], &sp);
            if (rc == MLP_OK)
                rc = push_pos(j, c->off[r], c->len[r], (uint32_t)fi, ln, err);
            if (rc == MLP_OK)
                rc = ingest_push_row(j, sp, err);
            if (rc == MLP_ENOMEM)
                rc = mlp_error_set(err, rc, "out of memory");
        }
        if (c->oom && rc == MLP_OK)
            rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
    }
    for (int k = 0; k < 2; k++) {
        free(ch[k].off);
        free(ch[k].len);
        free(ch[k].rel_line);
        free(ch[k].hash);
        free(ch[k].bad_count);
        free(ch[k].bad_col);
    }
    return rc;
}

/* The fast path holds every value of the input at once; past this many
 * pieces' worth of input, the general reader (which streams row groups)
 * keeps memory flat instead. */
#define FAST_MAX_PIECES 32

int fast_scan(job *j, mlp_error *err)
{
    size_t total = 0;
    int rc;

    for (size_t f = 0; f < j->n_files; f++)
        total += j->files[f].len;
    if (j->chunk_bytes > 0 && total / FAST_MAX_PIECES >= j->chunk_bytes)
        return 1;
    for (size_t f = 0; f < j->n_files; f++)
        if (j->files[f].len >= ((size_t)1 << 32) ||
            (j->files[f].len > 0 &&
             memchr(j->files[f].data, '"', j->files[f].len < 65536
                                           ? j->files[f].len : 65536) != NULL))
            return 1;  /* quotes early on: not worth trying */
    for (size_t f = 0; f < j->n_files; f++) {
        rc = scan_one(j, f, err);
        if (rc == 1) {
            ingest_reset_rows(j);
            return 1;
        }
        if (rc != MLP_OK)
            return rc;
    }
    j->fast = 1;
    return MLP_OK;
}

/* ------------------------------------------------------------------ fill */

/* Numeric columns are first read as bytes: most wide numeric exports
 * (pixels, counts, flags) hold small integers, and one byte per value
 * spares both the memory and the later encoding.  A column with any other
 * value is read again, as doubles, in a second pass of its own. */
/* What one worker learnt about a column in its rows. */
typedef struct colstat {
    uint8_t seen_wide;       /* a value that is not 0..255 */
    uint8_t not_numeric;     /* a value that is not a number */
    uint8_t not_int;         /* a number that is not an integer */
    uint8_t flags;           /* MLP_NUM_LEAD_ZERO | MLP_NUM_OVERFLOW | MLP_NUM_WIDE seen */
    size_t na;               /* missing values */
    /* The first rows (file order) of a non-number, of an integer with a
     * leading zero and of one beyond int64; SIZE_MAX: none. */
    size_t first_text, first_zero, first_over;
} colstat;

typedef struct worker {
    job *j;
    split_cols *sc;
    const uint32_t *pos;     /* position of each row within its split */
    size_t from, to;         /* rows */
    int wide_pass;           /* 0: bytes; 1: doubles for `wide` columns */
    const uint8_t *wide;     /* per column, for the second pass */
    colstat *cs;             /* per column */
} worker;

static void set_missing(uint8_t *bits, size_t i)
{
    /* Neighbouring rows of one split may belong to the other worker. */
    atomic_fetch_or_explicit((_Atomic uint8_t *)&bits[i >> 3],
                             (uint8_t)(1u << (i & 7)), memory_order_relaxed);
}

static const char *field_end(const char *s, const char *end, char delim)
{
    while (s < end && *s != delim)
        s++;
    return s;
}

static void narrow_row(worker *w, const char *s, const char *end, int sp,
                       size_t i)
{
    job *j = w->j;
    uint8_t **pk = w->sc[sp].pk;

    for (size_t c = 0; c < j->n_cols; c++) {
        if (pk[c] == NULL || w->cs[c].seen_wide) {
            s = field_end(s, end, j->delim) + 1;
            continue;
        }
        /* Up to three digits followed by the delimiter: a byte (not 007,
         * whose zeros may make the column a code). */
        unsigned acc = 0;
        const char *q = s;
        while (q < end && q - s < 4 && *q >= '0' && *q <= '9')
            acc = acc * 10 + (unsigned)(*q++ - '0');
        if (q > s && q - s < 4 && acc <= 255 && (q == end || *q == j->delim) &&
            (*s != '0' || q - s == 1)) {
            pk[c][i] = (uint8_t)acc;
            s = q + 1;
            continue;
        }
        q = field_end(q, end, j->delim);
        if (ingest_is_na(j, s, (size_t)(q - s))) {
            pk[c][i] = 0;
            set_missing(w->sc[sp].miss[c], i);
            w->cs[c].na++;
        } else {
            w->cs[c].seen_wide = 1;
        }
        s = q + 1;
    }
}

static void wide_row(worker *w, const char *s, const char *end, int sp,
                     size_t i, size_t r)
{
    job *j = w->j;

    for (size_t c = 0; c < j->n_cols; c++) {
        const char *fe = field_end(s, end, j->delim);
        size_t len = (size_t)(fe - s);
        double *dst = w->sc[sp].num[c];

        colstat *cs = &w->cs[c];
        if (w->wide[c] && dst != NULL && !cs->not_numeric) {
            double v;
            unsigned flags;
            if (ingest_is_na(j, s, len)) {
                dst[i] = 0;
                set_missing(w->sc[sp].miss[c], i);
                cs->na++;
            } else if (mlp_parse_number(s, len, &v, &flags, NULL)) {
                dst[i] = v;
                cs->not_int |= !(flags & MLP_NUM_INT);
                cs->flags |= (uint8_t)(flags & (MLP_NUM_LEAD_ZERO | MLP_NUM_OVERFLOW |
                                                MLP_NUM_WIDE));
                if ((flags & MLP_NUM_LEAD_ZERO) && cs->first_zero == SIZE_MAX)
                    cs->first_zero = r;
                if ((flags & MLP_NUM_OVERFLOW) && cs->first_over == SIZE_MAX)
                    cs->first_over = r;
            } else {
                /* Declared numeric columns were checked while scanning. */
                cs->not_numeric = 1;  /* read as text later */
                cs->first_text = r;
            }
        }
        s = fe + 1;
    }
}

static void *fill_range(void *arg)
{
    worker *w = arg;
    job *j = w->j;

    for (size_t r = w->from; r < w->to; r++) {
        const char *row = j->files[j->row_file[r]].data + j->row_off[r];
        const char *end = row + j->row_len[r];
        if (w->wide_pass)
            wide_row(w, row, end, j->row_split[r], w->pos[r], r);
        else
            narrow_row(w, row, end, j->row_split[r], w->pos[r]);
    }
    return NULL;
}

static void run_workers(worker *w)
{
    pthread_t tid[FAST_THREADS];
    int started[FAST_THREADS] = { 0 };

    for (int t = 1; t < FAST_THREADS; t++)
        started[t] = pthread_create(&tid[t], NULL, fill_range, &w[t]) == 0;
    fill_range(&w[0]);
    for (int t = 1; t < FAST_THREADS; t++) {
        if (started[t])
            pthread_join(tid[t], NULL);
        else
            fill_range(&w[t]);
    }
}

/* Text columns (declared, or found not numeric): one serial pass. */
static int fill_text(job *j, split_cols *sc, dict *dicts, const uint32_t *pos,
                     const uint8_t *text, mlp_error *err)
{
    size_t last = 0, any = 0;

    for (size_t c = 0; c < j->n_cols; c++)
        if (text[c]) {
            last = c;
            any = 1;
        }
    for (size_t r = 0; any && r < j->n_rows; r++) {
        const char *row = j->files[j->row_file[r]].data + j->row_off[r];
        const char *end = row + j->row_len[r], *s = row;
        int sp = j->row_split[r];

        /* Fields after the last text column are not needed. */
        for (size_t c = 0; c <= last; c++) {
            const char *d = memchr(s, j->delim, (size_t)(end - s));
            const char *fe = d ? d : end;
            if (text[c]) {
                size_t len = (size_t)(fe - s);
                int32_t code = -1;
                if (!ingest_is_na(j, s, len)) {
                    if (dict_intern(&dicts[c], s, len, &code) != MLP_OK)
                        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
                    j->cols[c].present++;
                }
                sc[sp].codes[c][pos[r]] = code;
            }
            s = fe + 1;
        }
    }
    return MLP_OK;
}

/* Notes row r (SIZE_MAX: none) of column c in *n, with the number of
 * values before it when `count` says so (they were all numbers). */
static void note_row(const job *j, ingest_note *n, size_t c, size_t r, int count)
{
    const char *p;
    size_t len, before = 0;

    if (r == SIZE_MAX || n->set)
        return;
    for (size_t k = 0; count && k < r; k++) {
        field_of(j->files[j->row_file[k]].data + j->row_off[k], j->row_len[k],
                 j->delim, c, &p, &len);
        before += !ingest_is_na(j, p, len);
    }
    field_of(j->files[j->row_file[r]].data + j->row_off[r], j->row_len[r],
             j->delim, c, &p, &len);
    ingest_note_value(n, j->row_file[r], j->row_line[r], before, p, len);
}

/* The exact int64 values of column c, whose integers go beyond 2^53: a
 * pass of its own (such columns are rare: ids, hashes). */
static int fill_ints(job *j, split_cols *sc, const uint32_t *pos, size_t c)
{
    for (size_t s = 0; s < j->n_splits; s++) {
        size_t rows = j->splits[s].rows;
        sc[s].ints[c] = mlp_calloc(rows ? rows : 1, sizeof(int64_t));
        if (sc[s].ints[c] == NULL)
            return MLP_ENOMEM;
    }
    for (size_t r = 0; r < j->n_rows; r++) {
        const char *p;
        size_t len;
        double v;
        unsigned flags;
        int64_t iv = 0;
        field_of(j->files[j->row_file[r]].data + j->row_off[r], j->row_len[r],
                 j->delim, c, &p, &len);
        if (!ingest_is_na(j, p, len) && mlp_parse_number(p, len, &v, &flags, &iv))
            sc[j->row_split[r]].ints[c][pos[r]] = iv;
    }
    return MLP_OK;
}

int fast_fill(job *j, split_cols *sc, dict *dicts, mlp_error *err)
{
    size_t nc = j->n_cols, n = j->n_rows, at[MAX_SPLITS] = { 0 };
    uint32_t *pos = malloc((n ? n : 1) * sizeof *pos);
    uint8_t *text = calloc(nc + 1, 1), *wide = calloc(nc + 1, 1);
    worker w[FAST_THREADS];
    int rc = MLP_OK, any_wide = 0;

    memset(w, 0, sizeof w);
    if (pos == NULL || text == NULL || wide == NULL) {
        rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t r = 0; r < n; r++) {
        int s = j->row_split[r];
        pos[r] = (uint32_t)at[s]++;
        sc[s].line[pos[r]] = (double)j->row_line[r];
        sc[s].file[pos[r]] = (int32_t)j->row_file[r];
    }
    for (int t = 0; t < FAST_THREADS; t++) {
        w[t].j = j;
        w[t].sc = sc;
        w[t].pos = pos;
        w[t].wide = wide;
        w[t].from = n * (size_t)t / FAST_THREADS;
        w[t].to = n * (size_t)(t + 1) / FAST_THREADS;
        w[t].cs = calloc(nc + 1, sizeof *w[t].cs);
        if (w[t].cs == NULL) {
            rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
            goto done;
        }
        for (size_t c = 0; c < nc; c++)
            w[t].cs[c].first_text = w[t].cs[c].first_zero =
                w[t].cs[c].first_over = SIZE_MAX;
    }
    run_workers(w);

    /* Columns with a value beyond a byte: doubles, in a second pass. */
    for (size_t c = 0; c < nc; c++) {
        for (int t = 0; t < FAST_THREADS; t++)
            wide[c] |= w[t].cs[c].seen_wide;
        if (!wide[c])
            continue;
        any_wide = 1;
        for (int t = 0; t < FAST_THREADS; t++)
            w[t].cs[c].na = 0;  /* counted again */
        for (size_t s = 0; s < j->n_splits; s++) {
            size_t rows = j->splits[s].rows;
            mlp_free(sc[s].pk[c]);
            sc[s].pk[c] = NULL;
            sc[s].num[c] = mlp_malloc((rows ? rows : 1) * sizeof(double));
            if (sc[s].num[c] == NULL) {
                rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
                goto done;
            }
        }
    }
    if (any_wide) {
        for (int t = 0; t < FAST_THREADS; t++)
            w[t].wide_pass = 1;
        run_workers(w);
    }
    for (size_t c = 0; c < nc; c++) {
        col_info *ci = &j->cols[c];
        size_t na = 0;
        ci->numeric = ci->declared == T_NUMERIC || ci->declared == T_AUTO;
        for (int t = 0; t < FAST_THREADS; t++) {
            const colstat *cs = &w[t].cs[c];
            ci->numeric &= !cs->not_numeric;
            ci->integer &= !cs->not_int;
            ci->lead_zero |= (cs->flags & MLP_NUM_LEAD_ZERO) != 0;
            ci->overflow |= (cs->flags & MLP_NUM_OVERFLOW) != 0;
            ci->wide |= (cs->flags & MLP_NUM_WIDE) != 0;
            na += cs->na;
            /* Worker 0 has the earlier rows: its first is the first. */
            note_row(j, &ci->text_note, c, cs->first_text, 1);
            note_row(j, &ci->zero_note, c, cs->first_zero, 0);
            note_row(j, &ci->over_note, c, cs->first_over, 0);
        }
        if (ingest_final_type(j, c) == T_NUMERIC) {
            ci->present = n - na;
            if (ingest_exact_ints(j, c) && fill_ints(j, sc, pos, c) != MLP_OK) {
                rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
                goto done;
            }
            continue;
        }
        text[c] = 1;
        /* Not numeric after all: give the column code buffers instead. */
        for (size_t s = 0; s < j->n_splits; s++) {
            mlp_free(sc[s].num[c]);
            mlp_free(sc[s].pk[c]);
            mlp_free(sc[s].miss[c]);
            sc[s].num[c] = NULL;
            sc[s].pk[c] = NULL;
            sc[s].miss[c] = NULL;
            if (sc[s].codes[c] == NULL) {
                size_t rows = j->splits[s].rows;
                sc[s].codes[c] = malloc((rows ? rows : 1) * sizeof(int32_t));
                if (sc[s].codes[c] == NULL) {
                    rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
                    goto done;
                }
            }
        }
    }
    rc = fill_text(j, sc, dicts, pos, text, err);
done:
    for (int t = 0; t < FAST_THREADS; t++)
        free(w[t].cs);
    free(pos);
    free(text);
    free(wide);
    return rc;
}
