/* The parallel general reader: any CSV, cut into chunks that threads read
 * at once, with exactly the serial reader's results.
 *
 * Cutting.  A chunk must start where a row starts, and a line break inside
 * a quoted field is not one.  A first pass over fixed byte ranges (in
 * parallel) counts each range's quote characters and line breaks and
 * notes its first LF after an even and after an odd number of quotes.
 * The quote counts of the ranges before give each range the quote state
 * at its start, so the LF that ends a row is known: the chunk starts after
 * it.  Line breaks counted the same way give the chunk's line number, so
 * messages name the same lines as the serial reader's.
 *
 * Checking.  The cut is a guess whenever quotes do not pair up as RFC 4180
 * says (quotes = "lenient", a malformed row that is skipped): so each
 * chunk records where its last row ended, and when that is not where the
 * next chunk began, the next chunk is read again from there.  The results
 * are therefore the serial reader's on every input, only faster on the
 * usual one.
 *
 * Pass 1 (scan) reads each chunk's rows for their types, the hash that
 * picks their split, and the texts of each column up to one more than
 * max_categories.  Merged in file order, that gives the serial reader's
 * types, notes, skipped lines and splits; a column with too many texts is
 * then read straight into a string column.  Pass 2 (fill) reads each chunk
 * again into its rows' places in the split buffers; each chunk interns
 * categorical text in a dictionary of its own, and the dictionaries are
 * merged in file order, which is the serial reader's order of first
 * appearance.
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <mlpipe/mlpipe.h>

#include "ingest.h"

#define ONES 0x0101010101010101ull
#define CHUNK_BYTES ((size_t)8 << 20)

typedef struct csv_chunk {
    size_t fi;
    size_t start, stop;     /* its rows start in [start, stop) */
    size_t line;            /* physical line at start */
    int first_of_file;
    /* Pass 1. */
    col_info *cols;         /* what its rows say of each column */
    dict *seen;             /* per column: texts, up to max_categories + 1 */
    uint64_t *hash;         /* split key hash of each kept row */
    size_t n, cap;
    size_t skipped;
    size_t skipped_lines[MAX_SKIPPED_LINES];
    size_t end, end_line;   /* where the row after its last one starts */
    int rc;
    mlp_error err;
    /* Pass 2. */
    size_t row0;            /* index of its first kept row */
    size_t at[MAX_SPLITS];  /* its first position in each split */
    dict *dicts;            /* per column: its categorical text */
    text_buf *texts;        /* [split * n_cols + c]: `many` columns' bytes */
    int32_t **remap;        /* per column: its codes -> the merged ones */
} csv_chunk;

/* --------------------------------------------------------------- cutting */

typedef struct range {
    size_t a, b;            /* [a, b) of the file */
    size_t quotes, breaks;
    size_t lf[2];           /* first LF after an even / odd number of its
                               quotes, or SIZE_MAX */
} range;

typedef struct cut {
    const char *buf;
    size_t len;
    range *r;
} cut;

static uint64_t zero_bytes(uint64_t v)
{
    return ~(((v & 0x7f7f7f7f7f7f7f7full) + 0x7f7f7f7f7f7f7f7full) | v) &
           0x8080808080808080ull;
}

/* A CR ends a line unless an LF follows it (that pair is one break). */
static int lone_cr(const char *buf, size_t len, size_t i)
{
    return i + 1 >= len || buf[i + 1] != '\n';
}

static void measure_range(void *arg, size_t k, int worker)
{
    cut *c = arg;
    range *r = &c->r[k];
    const char *buf = c->buf;
    size_t i = r->a;

    (void)worker;
    r->lf[0] = r->lf[1] = SIZE_MAX;
    while (i < r->b) {
        if (i + 8 <= r->b) {
            uint64_t v, m;
            memcpy(&v, buf + i, 8);
            m = zero_bytes(v ^ (ONES * '"')) | zero_bytes(v ^ (ONES * '\n')) |
                zero_bytes(v ^ (ONES * '\r'));
            if (m == 0) {
                i += 8;
                continue;
            }
            i += (size_t)__builtin_ctzll(m) >> 3;
        }
        char ch = buf[i];
        if (ch == '"') {
            r->quotes++;
        } else if (ch == '\n') {
            r->breaks++;
            if (r->lf[r->quotes & 1] == SIZE_MAX)
                r->lf[r->quotes & 1] = i;
        } else if (ch == '\r') {
            r->breaks += (size_t)lone_cr(buf, c->len, i);
        }
        i++;
    }
}

static size_t count_breaks(const char *buf, size_t len, size_t a, size_t b)
{
    size_t n = 0;

    for (size_t i = a; i < b; i++)
        n += buf[i] == '\n' || (buf[i] == '\r' && lone_cr(buf, len, i));
    return n;
}

static int add_chunk(job *j, size_t *cap, size_t fi, size_t start,
                     size_t line, int first)
{
    if (j->n_chunks == *cap) {
        size_t nc = *cap ? *cap * 2 : 64;
        csv_chunk *n = realloc(j->chunks, nc * sizeof *n);
        if (n == NULL)
            return MLP_ENOMEM;
        j->chunks = n;
        *cap = nc;
    }
    csv_chunk *ch = &j->chunks[j->n_chunks++];
    memset(ch, 0, sizeof *ch);
    ch->fi = fi;
    ch->start = start;
    ch->line = line;
    ch->first_of_file = first;
    return MLP_OK;
}

/* Chunks of file fi's rows from `body` (line `line`) on. */
static int cut_file(job *j, size_t *cap, size_t fi, size_t body, size_t line)
{
    const char *buf = j->files[fi].data;
    size_t len = j->files[fi].len, size = j->chunk_bytes;
    size_t n_ranges = (len - body + size - 1) / size, first = j->n_chunks;
    size_t quotes = 0, breaks = 0;
    range *r;
    cut c;

    if (body >= len)
        return MLP_OK;
    r = calloc(n_ranges, sizeof *r);
    if (r == NULL)
        return MLP_ENOMEM;
    for (size_t k = 0; k < n_ranges; k++) {
        r[k].a = body + k * size;
        r[k].b = k + 1 == n_ranges ? len : body + (k + 1) * size;
    }
    c.buf = buf;
    c.len = len;
    c.r = r;
    mlp_parallel_for(n_ranges, j->threads, measure_range, &c);
    int rc = add_chunk(j, cap, fi, body, line, 1);
    for (size_t k = 1; rc == MLP_OK && k < n_ranges; k++) {
        quotes += r[k - 1].quotes;
        breaks += r[k - 1].breaks;
        size_t lf = r[k].lf[quotes & 1];
        /* No row ends in this range (a long quoted field): the chunk
         * before goes on. */
        if (lf == SIZE_MAX || lf + 1 >= len)
            continue;
        rc = add_chunk(j, cap, fi, lf + 1,
                       line + breaks + count_breaks(buf, len, r[k].a, lf + 1), 0);
    }
    for (size_t k = first; rc == MLP_OK && k < j->n_chunks; k++)
        j->chunks[k].stop = k + 1 < j->n_chunks ? j->chunks[k + 1].start : len;
    free(r);
    return rc;
}

/* --------------------------------------------------------------- pass 1 */

static void chunk_reader(const job *j, const csv_chunk *ch, csv_reader *r)
{
    csv_init(r, j->files[ch->fi].path, j->files[ch->fi].data,
             j->files[ch->fi].len, j->delim);
    r->lenient = j->lenient;
    r->pos = ch->start;
    r->next_line = ch->line;
    r->stop = ch->stop;
}

static void forget_scan(const job *j, csv_chunk *ch)
{
    for (size_t c = 0; ch->seen != NULL && c < j->n_cols; c++)
        dict_free(&ch->seen[c]);
    free(ch->seen);
    free(ch->cols);
    free(ch->hash);
    ch->seen = NULL;
    ch->cols = NULL;
    ch->hash = NULL;
    ch->n = ch->cap = ch->skipped = 0;
}

static void skip_line(csv_chunk *ch, size_t line)
{
    if (ch->skipped < MAX_SKIPPED_LINES)
        ch->skipped_lines[ch->skipped] = line;
    ch->skipped++;
}

static int push_hash(csv_chunk *ch, uint64_t h)
{
    if (ch->n == ch->cap) {
        size_t cap = ch->cap ? ch->cap * 2 : 4096;
        uint64_t *nh = realloc(ch->hash, cap * sizeof *nh);
        if (nh == NULL)
            return MLP_ENOMEM;
        ch->hash = nh;
        ch->cap = cap;
    }
    ch->hash[ch->n++] = h;
    return MLP_OK;
}

/* What the serial reader's first pass does with these rows, into the
 * chunk (the job is only read). */
static void scan_chunk(job *j, csv_chunk *ch)
{
    csv_reader r;

    forget_scan(j, ch);
    ch->rc = MLP_OK;
    mlp_error_clear(&ch->err);
    ch->cols = malloc((j->n_cols + 1) * sizeof *ch->cols);
    ch->seen = calloc(j->n_cols + 1, sizeof *ch->seen);
    if (ch->cols == NULL || ch->seen == NULL) {
        ch->rc = mlp_error_set(&ch->err, MLP_ENOMEM, "out of memory");
        return;
    }
    /* The columns as the header left them: each chunk starts afresh. */
    for (size_t c = 0; c < j->n_cols; c++) {
        memset(&ch->cols[c], 0, sizeof ch->cols[c]);
        ch->cols[c].declared = j->cols[c].declared;
        ch->cols[c].numeric = j->cols[c].declared == T_AUTO ||
                              j->cols[c].declared == T_NUMERIC;
        ch->cols[c].integer = 1;
    }
    chunk_reader(j, ch, &r);
    for (;;) {
        int rc = csv_next(&r, &ch->err);
        if (rc == 0)
            break;
        if (rc < 0) {
            /* As the serial reader: an unterminated quote is never
             * skipped, since where its row ends is unknown. */
            if (!j->skip_bad || rc == MLP_ENOMEM ||
                strstr(ch->err.msg, "unterminated") != NULL) {
                ch->rc = rc;
                break;
            }
            skip_line(ch, r.next_line);
            csv_skip_bad_line(&r);
            continue;
        }
        rc = ingest_scan_row(j, ch->cols, ch->seen, ch->fi, &r, &ch->err);
        if (rc < 0) {
            ch->rc = rc;
            break;
        }
        if (rc == 0) {
            skip_line(ch, r.line);
            continue;
        }
        uint64_t h = j->key_col >= 0
            ? mlp_hash64(r.fields[j->key_col].p, r.fields[j->key_col].len, j->seed)
            : mlp_hash64(r.row_start, r.row_len, j->seed);
        if (push_hash(ch, h) != MLP_OK) {
            ch->rc = mlp_error_set(&ch->err, MLP_ENOMEM, "out of memory");
            break;
        }
    }
    ch->end = r.pos;
    ch->end_line = r.next_line;
    csv_free(&r);
}

static void scan_task(void *arg, size_t i, int worker)
{
    job *j = arg;

    (void)worker;
    scan_chunk(j, &j->chunks[i]);
}

/* Folds chunk column l into g (the columns of every chunk before it),
 * keeping what the serial reader would have kept: it stops looking at a
 * column's numbers after its first text. */
static void merge_col(col_info *g, const col_info *l)
{
    if (l->text_note.set && !g->text_note.set) {
        g->text_note = l->text_note;
        g->text_note.before += g->present;
    }
    if (g->numeric) {
        if (l->zero_note.set && !g->zero_note.set)
            g->zero_note = l->zero_note;
        if (l->over_note.set && !g->over_note.set)
            g->over_note = l->over_note;
        g->integer &= l->integer;
        g->lead_zero |= l->lead_zero;
        g->overflow |= l->overflow;
        g->wide |= l->wide;
        g->numeric &= l->numeric;
    }
    g->present += l->present;
}

/* Reads the first row of each file (the header, or the first data row):
 * the columns come from it.  Returns 1, touching nothing, when a first row
 * is malformed: the serial reader then says so in its own words. */
static int first_rows(job *j, size_t *body, size_t *line, mlp_error *err)
{
    for (size_t fi = 0; fi < j->n_files; fi++) {
        csv_reader r;
        mlp_error e;
        csv_init(&r, j->files[fi].path, j->files[fi].data, j->files[fi].len,
                 j->delim);
        r.lenient = j->lenient;
        int rc = csv_next(&r, &e);
        csv_free(&r);
        if (rc < 0)
            return 1;
    }
    for (size_t fi = 0; fi < j->n_files; fi++) {
        csv_reader r;
        int rc;
        csv_init(&r, j->files[fi].path, j->files[fi].data, j->files[fi].len,
                 j->delim);
        r.lenient = j->lenient;
        body[fi] = r.pos;
        line[fi] = 1;
        rc = csv_next(&r, err);
        if (rc == 1 && j->header) {
            if (fi == 0 && j->cols == NULL)
                rc = ingest_set_columns(j, &r, err);
            else if (r.n_fields != j->n_cols)
                rc = mlp_error_set(err, MLP_EFORMAT, "%s:%zu: header has %zu "
                                   "columns, %s has %zu", r.path, r.line,
                                   r.n_fields, j->files[0].path, j->n_cols);
            else
                rc = MLP_OK;
            body[fi] = r.pos;
            line[fi] = r.next_line;
        } else if (rc == 1) {
            rc = j->cols == NULL ? ingest_set_columns(j, &r, err) : MLP_OK;
        } else {
            body[fi] = j->files[fi].len;  /* no rows */
        }
        csv_free(&r);
        if (rc != MLP_OK)
            return rc;
    }
    return MLP_OK;
}

int chunk_scan(job *j, mlp_error *err)
{
    size_t cap = 0, *body, *line;
    dict *all = NULL;
    int rc;

    body = calloc(j->n_files + 1, sizeof *body);
    line = calloc(j->n_files + 1, sizeof *line);
    if (body == NULL || line == NULL) {
        free(body);
        free(line);
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    }
    rc = first_rows(j, body, line, err);
    if (rc == 1) {
        free(body);
        free(line);
        return 1;
    }
    if (j->threads < 1)
        j->threads = 1;
    if (j->chunk_bytes == 0)
        j->chunk_bytes = CHUNK_BYTES;
    for (size_t fi = 0; rc == MLP_OK && fi < j->n_files; fi++)
        if (cut_file(j, &cap, fi, body[fi], line[fi]) != MLP_OK)
            rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
    free(body);
    free(line);
    if (rc != MLP_OK || j->cols == NULL)
        return rc;  /* no rows at all: the caller says so */
    j->chunked = 1;
    mlp_parallel_for(j->n_chunks, j->threads, scan_task, j);

    all = calloc(j->n_cols + 1, sizeof *all);
    if (all == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    for (size_t k = 0; rc == MLP_OK && k < j->n_chunks; k++) {
        csv_chunk *ch = &j->chunks[k];
        if (!ch->first_of_file && ch[-1].end != ch->start) {
            /* The cut guessed wrong: the row before ran past it (or
             * stopped short, after a skipped line).  Read on from where
             * it really ended. */
            const csv_chunk *prev = &ch[-1];
            if (prev->end >= ch->stop) {
                forget_scan(j, ch);
                ch->row0 = j->n_rows;
                ch->start = ch->stop = ch->end = prev->end;
                ch->end_line = prev->end_line;
                ch->rc = MLP_OK;
                continue;
            }
            ch->start = prev->end;
            ch->line = prev->end_line;
            scan_chunk(j, ch);
        }
        if (ch->rc != MLP_OK) {
            rc = mlp_error_set(err, ch->rc, "%s", ch->err.msg);
            break;
        }
        for (size_t c = 0; c < j->n_cols; c++) {
            merge_col(&j->cols[c], &ch->cols[c]);
            for (size_t x = 0; x < ch->seen[c].n && all[c].n <= j->max_categories; x++) {
                int32_t code;
                if (dict_intern(&all[c], ch->seen[c].strs[x],
                                strlen(ch->seen[c].strs[x]), &code) != MLP_OK)
                    break;  /* a smaller count is still a lower bound */
            }
        }
        for (size_t s = 0; s < ch->skipped; s++)
            if (s < MAX_SKIPPED_LINES)
                ingest_record_skip(j, ch->skipped_lines[s]);
            else
                j->skipped++;
        ch->row0 = j->n_rows;
        for (size_t r = 0; rc == MLP_OK && r < ch->n; r++) {
            int s;
            rc = ingest_split_of_hash(j, ch->hash[r], &s);
            if (rc == MLP_OK)
                rc = ingest_push_row(j, s, err);
            else
                rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
        }
        if (j->ctx != NULL)
            mlp_ctx_progress(j->ctx, ch->end, j->files[ch->fi].len, "bytes");
        /* Only the counts are needed from here on. */
        for (size_t c = 0; c < j->n_cols; c++)
            dict_free(&ch->seen[c]);
        free(ch->hash);
        ch->hash = NULL;
    }
    for (size_t c = 0; rc == MLP_OK && c < j->n_cols; c++) {
        int t = ingest_final_type(j, c);
        j->cols[c].many = t == T_STRING ||
                          (t == T_CATEGORICAL && all[c].n > j->max_categories);
    }
    for (size_t c = 0; c < j->n_cols; c++)
        dict_free(&all[c]);
    free(all);
    return rc;
}

/* --------------------------------------------------------------- pass 2 */

typedef struct filling {
    job *j;
    split_cols *sc;
    atomic_int failed;
} filling;

static void fill_task(void *arg, size_t k, int worker)
{
    filling *f = arg;
    job *j = f->j;
    csv_chunk *ch = &j->chunks[k];
    size_t at[MAX_SPLITS], row = ch->row0;
    csv_reader r;
    mlp_error e;

    (void)worker;
    memcpy(at, ch->at, sizeof at);
    chunk_reader(j, ch, &r);
    for (;;) {
        int rc = csv_next(&r, &e);
        if (rc == 0)
            break;
        if (rc < 0) {
            csv_skip_bad_line(&r);
            continue;
        }
        if (!ingest_row_kept(j, &r))
            continue;
        int s = j->row_split[row++];
        if (ingest_fill_row(j, &f->sc[s], at[s]++, ch->dicts,
                            ch->texts + (size_t)s * j->n_cols, &r, ch->fi, 1) != MLP_OK) {
            atomic_store(&f->failed, 1);
            break;
        }
    }
    csv_free(&r);
}

static void remap_task(void *arg, size_t k, int worker)
{
    filling *f = arg;
    job *j = f->j;
    const csv_chunk *ch = &j->chunks[k];

    (void)worker;
    for (size_t s = 0; s < j->n_splits; s++) {
        size_t to = k + 1 < j->n_chunks ? ch[1].at[s] : j->splits[s].rows;
        for (size_t c = 0; c < j->n_cols; c++) {
            int32_t *codes = f->sc[s].codes[c];
            if (codes == NULL || ch->remap[c] == NULL)
                continue;
            for (size_t i = ch->at[s]; i < to; i++)
                if (codes[i] >= 0)
                    codes[i] = ch->remap[c][codes[i]];
        }
    }
}

/* The offsets and bytes of `many` column c of split s, from the lengths
 * the rows left at str_off[i + 1] and the chunks' bytes. */
static int join_texts(job *j, split_cols *sc, size_t s, size_t c)
{
    uint64_t *off = sc[s].str_off[c];
    size_t n = j->splits[s].rows;
    char *bytes;

    off[0] = 0;
    for (size_t i = 0; i < n; i++)
        off[i + 1] += off[i];
    bytes = mlp_malloc(off[n] ? off[n] : 1);
    if (bytes == NULL)
        return MLP_ENOMEM;
    for (size_t k = 0; k < j->n_chunks; k++) {
        const text_buf *t = &j->chunks[k].texts[s * j->n_cols + c];
        if (t->len > 0)
            memcpy(bytes + off[j->chunks[k].at[s]], t->b, t->len);
    }
    sc[s].str_bytes[c] = bytes;
    return MLP_OK;
}

int chunk_fill(job *j, split_cols *sc, dict *dicts, mlp_error *err)
{
    size_t at[MAX_SPLITS] = { 0 };
    filling f;

    f.j = j;
    f.sc = sc;
    atomic_init(&f.failed, 0);
    for (size_t k = 0; k < j->n_chunks; k++) {
        csv_chunk *ch = &j->chunks[k];
        size_t n = k + 1 < j->n_chunks ? ch[1].row0 - ch->row0 : j->n_rows - ch->row0;
        memcpy(ch->at, at, sizeof at);
        for (size_t r = 0; r < n; r++)
            at[j->row_split[ch->row0 + r]]++;
        ch->dicts = calloc(j->n_cols + 1, sizeof *ch->dicts);
        ch->texts = calloc(j->n_splits * j->n_cols + 1, sizeof *ch->texts);
        ch->remap = calloc(j->n_cols + 1, sizeof *ch->remap);
        if (ch->dicts == NULL || ch->texts == NULL || ch->remap == NULL)
            return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    }
    mlp_parallel_for(j->n_chunks, j->threads, fill_task, &f);
    if (atomic_load(&f.failed))
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    for (size_t s = 0; s < j->n_splits; s++)
        for (size_t c = 0; c < j->n_cols; c++)
            if (sc[s].str_off[c] != NULL && join_texts(j, sc, s, c) != MLP_OK)
                return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    /* Each chunk's dictionary, in file order, into the column's: the
     * order of first appearance, as one reader would have made it. */
    for (size_t k = 0; k < j->n_chunks; k++) {
        csv_chunk *ch = &j->chunks[k];
        for (size_t c = 0; c < j->n_cols; c++) {
            if (ch->dicts[c].n == 0)
                continue;
            ch->remap[c] = malloc(ch->dicts[c].n * sizeof(int32_t));
            if (ch->remap[c] == NULL)
                return mlp_error_set(err, MLP_ENOMEM, "out of memory");
            for (size_t x = 0; x < ch->dicts[c].n; x++)
                if (dict_intern(&dicts[c], ch->dicts[c].strs[x],
                                strlen(ch->dicts[c].strs[x]), &ch->remap[c][x]) != MLP_OK)
                    return mlp_error_set(err, MLP_ENOMEM, "out of memory");
            dict_free(&ch->dicts[c]);
        }
    }
    mlp_parallel_for(j->n_chunks, j->threads, remap_task, &f);
    return MLP_OK;
}

void chunk_free(job *j)
{
    for (size_t k = 0; k < j->n_chunks; k++) {
        csv_chunk *ch = &j->chunks[k];
        forget_scan(j, ch);
        for (size_t c = 0; c < j->n_cols; c++) {
            if (ch->dicts != NULL)
                dict_free(&ch->dicts[c]);
            if (ch->remap != NULL)
                free(ch->remap[c]);
        }
        for (size_t t = 0; ch->texts != NULL && t < j->n_splits * j->n_cols; t++)
            mlp_free(ch->texts[t].b);
        free(ch->dicts);
        free(ch->texts);
        free(ch->remap);
    }
    free(j->chunks);
    j->chunks = NULL;
    j->n_chunks = 0;
}
