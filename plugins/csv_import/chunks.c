/* The parallel general reader: any CSV, cut into chunks that threads read
 * at once, with exactly the serial reader's results, in memory that holds
 * a few chunks rather than the file.
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
 * Pass 1 (scan) reads each chunk for the columns' types and the texts of
 * each column, up to one more than max_categories; merged in file order
 * (while later chunks are still being read) that gives the serial
 * reader's types, notes and skipped lines, and which columns have too
 * many distinct texts for a dictionary.  The hash of each row also goes
 * through a Bloom filter: rows whose hash may have been seen before are
 * the only ones whose split depends on the rows before them (a repeated
 * row's occurrence number), so only they are counted exactly.
 *
 * Pass 2 (write) reads each chunk again into typed buffers; in file order
 * it then settles the repeated rows' splits, merges the chunk's
 * dictionaries into the columns' (the serial reader's order of first
 * appearance) and hands each split its rows as one row group.
 */
#define _GNU_SOURCE
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <mlpipe/mlpipe.h>

#include "ingest.h"

#define ONES 0x0101010101010101ull
#define CHUNK_BYTES ((size_t)8 << 20)
#define MAX_RANGES ((size_t)1 << 20)
#define PENDING 0xFF        /* a row whose split waits for its turn */

typedef struct csv_chunk {
    size_t fi;
    size_t start, stop;     /* its rows start in [start, stop) */
    size_t line;            /* physical line at start */
    int first_of_file;
    /* Pass 1. */
    col_info *cols;         /* what its rows say of each column */
    dict *seen;             /* per column: texts, up to max_categories + 1 */
    uint64_t *hash;         /* split key hash of each kept row */
    size_t n, cap;          /* kept rows */
    size_t skipped;
    size_t skipped_lines[MAX_SKIPPED_LINES];
    size_t end, end_line;   /* where the row after its last one starts */
    int rc;
    mlp_error err;
    /* Pass 2. */
    split_cols sc;          /* its kept rows' values, in file order */
    dict *dicts;            /* per column: its categorical text */
    text_buf *texts;        /* per column: `many` columns' bytes */
    uint8_t *split;         /* per row: its split, or PENDING */
    size_t *pend;           /* rows waiting for their occurrence count */
    uint64_t *pend_hash;
    size_t n_pend;
} csv_chunk;

typedef struct chunk_run {
    dict *all;              /* per column: texts of every chunk, bounded */
    uint8_t *incomplete;    /* per column: some numbers were not collected */
    uint64_t *bloom;        /* one 64-bit word per key, k = 6 bits */
    size_t bloom_words;
    hash_count repeat;      /* hashes that may repeat: 1 + times seen */
    size_t n_rows;
    /* Pass 2. */
    job *j;
    dict *dicts;
    const group_sink *sink;
    size_t *last_levels;    /* [split * n_cols + c]: levels in its last group */
    size_t groups[MAX_SPLITS];
    atomic_int failed;
    int rc;
    mlp_error err;
} chunk_run;

static uint64_t zero_bytes(uint64_t v)
{
    return ~(((v & 0x7f7f7f7f7f7f7f7full) + 0x7f7f7f7f7f7f7f7full) | v) &
           0x8080808080808080ull;
}

/* Gives back the pages of [a, b) of a mapped input of len bytes: a
 * read-only private map, so they come back from the page cache if touched
 * again.  A touched page maps the whole large folio around it (kernels
 * since 6.x, up to 2 MB), so pages that far beyond the range go too, or
 * each piece's edges would leave a folio of its neighbour mapped and the
 * leftovers would grow with the file. */
#define FOLIO_MARGIN ((size_t)2 << 20)

static void drop_pages(const mapped *m, size_t a, size_t b)
{
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    size_t len = m->len;

    if (!m->from_file)
        return;
    a = a > FOLIO_MARGIN ? a - FOLIO_MARGIN : 0;
    b = len - b > FOLIO_MARGIN ? b + FOLIO_MARGIN : len;
    uintptr_t lo = ((uintptr_t)(m->data + a) + page - 1) & ~(page - 1);
    uintptr_t hi = b == len ? ((uintptr_t)(m->data + b) + page - 1) & ~(page - 1)
                            : (uintptr_t)(m->data + b) & ~(page - 1);

    if (hi > lo)
        madvise((void *)lo, hi - lo, MADV_DONTNEED);
}

/* After a pass over every piece, whatever is left of the inputs' pages. */
static void drop_files(const job *j)
{
    for (size_t f = 0; f < j->n_files; f++)
        if (j->files[f].data != NULL)
            drop_pages(&j->files[f], 0, j->files[f].len);
}

/* --------------------------------------------------------------- cutting */

typedef struct range {
    size_t a, b;            /* [a, b) of the file */
    size_t quotes, breaks;
    size_t lf[2];           /* first LF after an even / odd number of its
                               quotes, or SIZE_MAX */
} range;

typedef struct cut {
    const mapped *m;
    const char *buf;
    size_t len;
    range *r;
} cut;

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
    size_t pos = r->a, i;
    int parity = 0;

    (void)worker;
    r->lf[0] = r->lf[1] = SIZE_MAX;
    /* Quotes are few: jump from one to the next, and look for the first
     * LF between two of them only while that parity still lacks one. */
    for (;;) {
        const char *q = memchr(buf + pos, '"', r->b - pos);
        size_t qpos = q ? (size_t)(q - buf) : r->b;
        if (r->lf[parity] == SIZE_MAX) {
            const char *lf = memchr(buf + pos, '\n', qpos - pos);
            if (lf != NULL)
                r->lf[parity] = (size_t)(lf - buf);
        }
        if (q == NULL)
            break;
        r->quotes++;
        parity ^= 1;
        pos = qpos + 1;
    }
    /* Line breaks: LFs counted eight bytes at a time, then any CR alone. */
    for (i = r->a; i + 8 <= r->b; i += 8) {
        uint64_t v;
        memcpy(&v, buf + i, 8);
        r->breaks += (size_t)__builtin_popcountll(zero_bytes(v ^ (ONES * '\n')));
    }
    for (; i < r->b; i++)
        r->breaks += buf[i] == '\n';
    for (const char *cr = memchr(buf + r->a, '\r', r->b - r->a); cr != NULL;
         cr = memchr(cr + 1, '\r', (size_t)(buf + r->b - cr - 1)))
        r->breaks += (size_t)lone_cr(buf, c->len, (size_t)(cr - buf));
    drop_pages(c->m, r->a, r->b);
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
    size_t n_ranges, first = j->n_chunks;
    /* Tiny pieces are for tests; on a large file they would only cost
     * bookkeeping, so there are never more than MAX_RANGES. */
    if (body < len && (len - body) / size > MAX_RANGES)
        size = (len - body) / MAX_RANGES + 1;
    n_ranges = body < len ? (len - body + size - 1) / size : 0;
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
    c.m = &j->files[fi];
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
        drop_pages(&j->files[fi], r[k].a, lf + 1);
    }
    for (size_t k = first; rc == MLP_OK && k < j->n_chunks; k++)
        j->chunks[k].stop = k + 1 < j->n_chunks ? j->chunks[k + 1].start : len;
    free(r);
    return rc;
}

/* --------------------------------------------------------------- pass 1 */

static void chunk_reader(const job *j, const csv_chunk *ch, mlp_csv_reader *r)
{
    mlp_csv_init(r, j->files[ch->fi].path, j->files[ch->fi].data,
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
    ch->cap = ch->skipped = 0;
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

static uint64_t key_hash(const job *j, const mlp_csv_reader *r)
{
    return j->key_col >= 0
        ? mlp_hash64(r->fields[j->key_col].p, r->fields[j->key_col].len, j->seed)
        : mlp_hash64(r->row_start, r->row_len, j->seed);
}

/* What the serial reader's first pass does with these rows, into the
 * chunk (the job is only read). */
static void scan_chunk(job *j, csv_chunk *ch)
{
    mlp_csv_reader r;

    forget_scan(j, ch);
    ch->n = 0;
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
        int rc = mlp_csv_next(&r, &ch->err);
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
            mlp_csv_skip_bad_line(&r);
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
        if (push_hash(ch, key_hash(j, &r)) != MLP_OK) {
            ch->rc = mlp_error_set(&ch->err, MLP_ENOMEM, "out of memory");
            break;
        }
    }
    ch->end = r.pos;
    ch->end_line = r.next_line;
    mlp_csv_free(&r);
}

static void scan_task(void *arg, size_t i, int worker)
{
    job *j = arg;
    csv_chunk *ch = &j->chunks[i];

    (void)worker;
    if (atomic_load(&j->run->failed))
        return;
    scan_chunk(j, ch);
    drop_pages(&j->files[ch->fi], ch->start, ch->end);
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

/* Whether the chunk collected every value of column c: it does not
 * collect numbers before the column's first text. */
static int collected_all(const col_info *l)
{
    if (l->declared == T_CATEGORICAL || l->declared == T_STRING || l->present == 0)
        return 1;
    return !l->numeric && l->text_note.before == 0;
}

/* Adds h to the filter; 1 when it may have been added before. */
static int bloom_seen(chunk_run *run, uint64_t h)
{
    /* The word from the high bits, six bit positions from the low ones:
     * one memory access and one test per row. */
    uint64_t *w = &run->bloom[(size_t)((h >> 32) % run->bloom_words)];
    uint64_t bits = 0;

    for (int k = 0; k < 6; k++)
        bits |= (uint64_t)1 << ((h >> (6 * k)) & 63);
    int seen = (*w & bits) == bits;
    *w |= bits;
    return seen;
}

/* The filter, sized from the first chunk's rows per byte: 16 bits per
 * row expected (a poor guess only lets more hashes through to the exact
 * count, which stays exact). */
static int bloom_size(job *j, const csv_chunk *ch)
{
    chunk_run *run = j->run;
    size_t bytes = 0, rows;

    for (size_t f = 0; f < j->n_files; f++)
        bytes += j->files[f].len;
    rows = ch->n > 0 && ch->end > ch->start
        ? (size_t)((double)bytes / ((double)(ch->end - ch->start) / (double)ch->n) * 1.25)
        : bytes / 16;
    run->bloom_words = rows / 4 + 1024;
    run->bloom = calloc(run->bloom_words, sizeof *run->bloom);
    return run->bloom == NULL ? MLP_ENOMEM : MLP_OK;
}

/* Chunk k, in file order: check its start, then fold it into the job. */
static void merge_task(void *arg, size_t k, int worker)
{
    job *j = arg;
    chunk_run *run = j->run;
    csv_chunk *ch = &j->chunks[k];

    (void)worker;
    if (atomic_load(&run->failed))
        return;
    if (!ch->first_of_file && ch[-1].end != ch->start) {
        /* The cut guessed wrong: the row before ran past it (or stopped
         * short, after a skipped line).  Read on from where it really
         * ended. */
        const csv_chunk *prev = &ch[-1];
        if (prev->end >= ch->stop) {
            forget_scan(j, ch);
            ch->n = 0;
            ch->start = ch->stop = ch->end = prev->end;
            ch->end_line = prev->end_line;
            ch->rc = MLP_OK;
            return;
        }
        ch->start = prev->end;
        ch->line = prev->end_line;
        scan_chunk(j, ch);
        drop_pages(&j->files[ch->fi], ch->start, ch->end);
    }
    if (ch->rc != MLP_OK) {
        run->rc = ch->rc;
        run->err = ch->err;
        atomic_store(&run->failed, 1);
        return;
    }
    for (size_t c = 0; c < j->n_cols; c++) {
        run->incomplete[c] |= !collected_all(&ch->cols[c]);
        merge_col(&j->cols[c], &ch->cols[c]);
        for (size_t x = 0; x < ch->seen[c].n && run->all[c].n <= j->max_categories; x++) {
            int32_t code;
            if (dict_intern(&run->all[c], ch->seen[c].strs[x],
                            strlen(ch->seen[c].strs[x]), &code) != MLP_OK)
                break;  /* a smaller count is still a lower bound */
        }
    }
    for (size_t s = 0; s < ch->skipped; s++)
        if (s < MAX_SKIPPED_LINES)
            ingest_record_skip(j, ch->skipped_lines[s]);
        else
            j->skipped++;
    if (j->key_col < 0 && ch->n > 0 && run->bloom == NULL &&
        bloom_size(j, ch) != MLP_OK) {
        run->rc = mlp_error_set(&run->err, MLP_ENOMEM, "out of memory");
        atomic_store(&run->failed, 1);
        return;
    }
    for (size_t r = 0; j->key_col < 0 && r < ch->n; r++)
        if (bloom_seen(run, ch->hash[r]) && hc_get(&run->repeat, ch->hash[r]) == 0 &&
            hc_bump(&run->repeat, ch->hash[r]) == 0) {
            run->rc = mlp_error_set(&run->err, MLP_ENOMEM, "out of memory");
            atomic_store(&run->failed, 1);
            return;
        }
    run->n_rows += ch->n;
    if (j->ctx != NULL)
        mlp_ctx_progress(j->ctx, ch->end, j->files[ch->fi].len, "bytes");
    /* Only the counts are needed from here on. */
    for (size_t c = 0; c < j->n_cols; c++)
        dict_free(&ch->seen[c]);
    free(ch->hash);
    ch->hash = NULL;
    free(ch->cols);
    ch->cols = NULL;
}

/* Reads the first row of each file (the header, or the first data row):
 * the columns come from it.  Returns 1, touching nothing, when a first row
 * is malformed: the serial reader then says so in its own words. */
static int first_rows(job *j, size_t *body, size_t *line, mlp_error *err)
{
    for (size_t fi = 0; fi < j->n_files; fi++) {
        mlp_csv_reader r;
        mlp_error e;
        mlp_csv_init(&r, j->files[fi].path, j->files[fi].data, j->files[fi].len,
                 j->delim);
        r.lenient = j->lenient;
        int rc = mlp_csv_next(&r, &e);
        mlp_csv_free(&r);
        if (rc < 0)
            return 1;
    }
    for (size_t fi = 0; fi < j->n_files; fi++) {
        mlp_csv_reader r;
        int rc;
        mlp_csv_init(&r, j->files[fi].path, j->files[fi].data, j->files[fi].len,
                 j->delim);
        r.lenient = j->lenient;
        body[fi] = r.pos;
        line[fi] = 1;
        rc = mlp_csv_next(&r, err);
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
        mlp_csv_free(&r);
        if (rc != MLP_OK)
            return rc;
    }
    return MLP_OK;
}

/* Counting what pass 1 could not: the distinct values of text columns
 * some chunk had numbers in before its first text. */
typedef struct counting {
    job *j;
    dict **local;           /* per chunk, per column */
    atomic_int failed;
} counting;

static void count_task(void *arg, size_t k, int worker)
{
    counting *cn = arg;
    job *j = cn->j;
    csv_chunk *ch = &j->chunks[k];
    mlp_csv_reader r;
    mlp_error e;

    (void)worker;
    cn->local[k] = calloc(j->n_cols + 1, sizeof *cn->local[k]);
    if (cn->local[k] == NULL) {
        atomic_store(&cn->failed, 1);
        return;
    }
    chunk_reader(j, ch, &r);
    for (;;) {
        int rc = mlp_csv_next(&r, &e);
        if (rc == 0)
            break;
        if (rc < 0) {
            mlp_csv_skip_bad_line(&r);
            continue;
        }
        if (!ingest_row_kept(j, &r))
            continue;
        for (size_t c = 0; c < j->n_cols; c++) {
            const mlp_csv_field *f = &r.fields[c];
            int32_t code;
            if (j->run->incomplete[c] != 2 || ingest_is_na(j, f->p, f->len) ||
                cn->local[k][c].n > j->max_categories)
                continue;
            if (dict_intern(&cn->local[k][c], f->p, f->len, &code) != MLP_OK)
                atomic_store(&cn->failed, 1);
        }
    }
    mlp_csv_free(&r);
    drop_pages(&j->files[ch->fi], ch->start, ch->stop);
}

static void count_merge(void *arg, size_t k, int worker)
{
    counting *cn = arg;
    job *j = cn->j;

    (void)worker;
    for (size_t c = 0; cn->local[k] != NULL && c < j->n_cols; c++) {
        dict *all = &j->run->all[c];
        for (size_t x = 0; x < cn->local[k][c].n && all->n <= j->max_categories; x++) {
            int32_t code;
            if (dict_intern(all, cn->local[k][c].strs[x],
                            strlen(cn->local[k][c].strs[x]), &code) != MLP_OK)
                atomic_store(&cn->failed, 1);
        }
        dict_free(&cn->local[k][c]);
    }
    free(cn->local[k]);
    cn->local[k] = NULL;
}

static int count_texts(job *j, mlp_error *err)
{
    counting cn;
    int any = 0;

    for (size_t c = 0; c < j->n_cols; c++) {
        if (ingest_final_type(j, c) == T_CATEGORICAL && j->run->incomplete[c] &&
            j->run->all[c].n <= j->max_categories) {
            j->run->incomplete[c] = 2;  /* count again, from scratch */
            dict_free(&j->run->all[c]);
            any = 1;
        }
    }
    if (!any)
        return MLP_OK;
    cn.j = j;
    atomic_init(&cn.failed, 0);
    cn.local = calloc(j->n_chunks + 1, sizeof *cn.local);
    if (cn.local == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    mlp_parallel_for_ordered(j->n_chunks, j->threads, count_task, count_merge, &cn);
    drop_files(j);
    free(cn.local);
    return atomic_load(&cn.failed) ? mlp_error_set(err, MLP_ENOMEM, "out of memory")
                                   : MLP_OK;
}

int chunk_scan(job *j, mlp_error *err)
{
    size_t cap = 0, *body, *line;
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
    j->run = calloc(1, sizeof *j->run);
    if (j->run == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    atomic_init(&j->run->failed, 0);
    j->run->all = calloc(j->n_cols + 1, sizeof *j->run->all);
    j->run->incomplete = calloc(j->n_cols + 1, 1);
    if (j->run->all == NULL || j->run->incomplete == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    mlp_parallel_for_ordered(j->n_chunks, j->threads, scan_task, merge_task, j);
    drop_files(j);
    if (atomic_load(&j->run->failed))
        return mlp_error_set(err, j->run->rc, "%s", j->run->err.msg);
    j->n_rows = j->run->n_rows;
    free(j->run->bloom);
    j->run->bloom = NULL;
    rc = count_texts(j, err);
    for (size_t c = 0; rc == MLP_OK && c < j->n_cols; c++) {
        int t = ingest_final_type(j, c);
        j->cols[c].many = t == T_STRING ||
                          (t == T_CATEGORICAL && j->run->all[c].n > j->max_categories);
        if (t == T_CATEGORICAL)
            rc = ingest_check_levels(j, c, j->run->all[c].n, err);
    }
    for (size_t c = 0; c < j->n_cols; c++)
        dict_free(&j->run->all[c]);
    return rc;
}

/* --------------------------------------------------------------- pass 2 */

static void forget_fill(const job *j, csv_chunk *ch)
{
    ingest_free_split(j, &ch->sc);
    for (size_t c = 0; ch->dicts != NULL && c < j->n_cols; c++)
        dict_free(&ch->dicts[c]);
    for (size_t c = 0; ch->texts != NULL && c < j->n_cols; c++)
        mlp_free(ch->texts[c].b);
    free(ch->dicts);
    free(ch->texts);
    free(ch->split);
    free(ch->pend);
    free(ch->pend_hash);
    ch->dicts = NULL;
    ch->texts = NULL;
    ch->split = NULL;
    ch->pend = NULL;
    ch->pend_hash = NULL;
    ch->n_pend = 0;
}

/* Reads the chunk's kept rows into its own buffers, in file order, with
 * the split of every row that does not wait for its occurrence count. */
static void fill_task(void *arg, size_t k, int worker)
{
    chunk_run *run = arg;
    job *j = run->j;
    csv_chunk *ch = &j->chunks[k];
    size_t row = 0;
    mlp_csv_reader r;
    mlp_error e;
    int rc = MLP_OK;

    (void)worker;
    if (atomic_load(&run->failed))
        return;
    ch->dicts = calloc(j->n_cols + 1, sizeof *ch->dicts);
    ch->texts = calloc(j->n_cols + 1, sizeof *ch->texts);
    ch->split = malloc(ch->n + 1);
    ch->pend = malloc((ch->n + 1) * sizeof *ch->pend);
    ch->pend_hash = malloc((ch->n + 1) * sizeof *ch->pend_hash);
    if (ch->dicts == NULL || ch->texts == NULL || ch->split == NULL ||
        ch->pend == NULL || ch->pend_hash == NULL ||
        ingest_alloc_cols(j, &ch->sc, ch->n) != MLP_OK) {
        atomic_store(&run->failed, 1);
        return;
    }
    /* A column's bytes fit in the chunk's: no buffer ever grows (pages
     * never written are never taken from the system). */
    for (size_t c = 0; c < j->n_cols; c++) {
        if (!j->cols[c].many)
            continue;
        ch->texts[c].cap = ch->end - ch->start + 1;
        ch->texts[c].b = mlp_malloc(ch->texts[c].cap);
        if (ch->texts[c].b == NULL) {
            atomic_store(&run->failed, 1);
            return;
        }
    }
    chunk_reader(j, ch, &r);
    while (rc == MLP_OK && row < ch->n) {
        int got = mlp_csv_next(&r, &e);
        if (got == 0)
            break;
        if (got < 0) {
            mlp_csv_skip_bad_line(&r);
            continue;
        }
        if (!ingest_row_kept(j, &r))
            continue;
        uint64_t h = key_hash(j, &r);
        if (j->key_col < 0 && hc_get(&run->repeat, h) != 0) {
            ch->split[row] = PENDING;
            ch->pend[ch->n_pend] = row;
            ch->pend_hash[ch->n_pend++] = h;
        } else {
            ch->split[row] = (uint8_t)ingest_split_from(j, h, 1);
        }
        rc = ingest_fill_row(j, &ch->sc, row, ch->dicts, ch->texts, &r, ch->fi, 0);
        row++;
    }
    mlp_csv_free(&r);
    drop_pages(&j->files[ch->fi], ch->start, ch->end);
    if (rc != MLP_OK || row != ch->n)
        atomic_store(&run->failed, 1);
}

/* The rows of split s in the chunk, as a row group.  Categorical codes
 * are already the column's; its dictionary so far goes with them. */
static int build_group(chunk_run *run, const csv_chunk *ch, int s, size_t m,
                       mlp_table **data, mlp_table **lines, mlp_error *err)
{
    job *j = run->j;
    const split_cols *sc = &ch->sc;
    mlp_table *t = mlp_table_new(m), *lt = mlp_table_new(m);
    size_t *rows = malloc((m + 1) * sizeof *rows), n = 0;
    int rc = MLP_OK;

    *data = *lines = NULL;
    if (t == NULL || lt == NULL || rows == NULL) {
        rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < ch->n && n < m; i++)
        if (ch->split[i] == s)
            rows[n++] = i;
    for (size_t c = 0; rc == MLP_OK && c < j->n_cols; c++) {
        const char *name = j->cols[c].name;
        uint8_t *miss = sc->miss[c] ? mlp_calloc(m / 8 + 1, 1) : NULL;
        if (sc->miss[c] != NULL && miss == NULL) {
            rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
            break;
        }
        for (size_t x = 0; miss != NULL && x < m; x++)
            if ((sc->miss[c][rows[x] >> 3] >> (rows[x] & 7)) & 1)
                miss[x >> 3] |= (uint8_t)(1u << (x & 7));
        if (sc->str_off[c] != NULL) {
            uint64_t *off = mlp_malloc((m + 1) * sizeof *off), total = 0;
            char *b;
            for (size_t x = 0; off != NULL && x < m; x++)
                total += sc->str_off[c][rows[x] + 1] - sc->str_off[c][rows[x]];
            b = mlp_malloc(total ? total : 1);
            if (off == NULL || b == NULL) {
                mlp_free(off);
                mlp_free(b);
                mlp_free(miss);
                rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
                break;
            }
            off[0] = 0;
            for (size_t x = 0; x < m; x++) {
                uint64_t a = sc->str_off[c][rows[x]], len = sc->str_off[c][rows[x] + 1] - a;
                if (len > 0)  /* no bytes at all: the buffer is NULL */
                    memcpy(b + off[x], ch->texts[c].b + a, len);
                off[x + 1] = off[x] + len;
            }
            rc = mlp_table_adopt_string(t, name, off, b, miss, err);
        } else if (sc->num[c] != NULL) {
            double *v = mlp_malloc((m ? m : 1) * sizeof *v);
            int64_t *iv = sc->ints[c] ? mlp_malloc((m ? m : 1) * sizeof *iv) : NULL;
            if (v == NULL || (sc->ints[c] != NULL && iv == NULL)) {
                mlp_free(v);
                mlp_free(iv);
                mlp_free(miss);
                rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
                break;
            }
            for (size_t x = 0; x < m; x++) {
                v[x] = sc->num[c][rows[x]];
                if (iv != NULL)
                    iv[x] = sc->ints[c][rows[x]];
            }
            if (iv != NULL) {
                mlp_free(v);
                rc = mlp_table_adopt_int64(t, name, iv, miss, err);
            } else {
                rc = mlp_table_adopt_numeric(t, name, v, miss, err);
            }
        } else {
            int32_t *codes = malloc((m ? m : 1) * sizeof *codes);
            mlp_free(miss);
            if (codes == NULL) {
                rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
                break;
            }
            for (size_t x = 0; x < m; x++)
                codes[x] = sc->codes[c][rows[x]];
            rc = mlp_table_add_categorical(t, name, codes, run->dicts[c].n,
                                           (const char *const *)run->dicts[c].strs,
                                           err);
            free(codes);
        }
    }
    if (rc == MLP_OK) {
        /* Where each row came from: <split>.lines.mlpt. */
        const char **paths = malloc((j->n_files + 1) * sizeof *paths);
        int32_t *file = malloc((m ? m : 1) * sizeof *file);
        double *line = malloc((m ? m : 1) * sizeof *line);
        if (paths == NULL || file == NULL || line == NULL) {
            rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
        } else {
            for (size_t f = 0; f < j->n_files; f++)
                paths[f] = j->files[f].path;
            for (size_t x = 0; x < m; x++) {
                file[x] = sc->file[rows[x]];
                line[x] = sc->line[rows[x]];
            }
            rc = mlp_table_add_categorical(lt, "file", file, j->n_files, paths, err);
            if (rc == MLP_OK)
                rc = mlp_table_add_numeric(lt, "line", line, NULL, err);
        }
        free(paths);
        free(file);
        free(line);
    }
done:
    free(rows);
    if (rc != MLP_OK) {
        mlp_table_free(t);
        mlp_table_free(lt);
        return rc;
    }
    *data = t;
    *lines = lt;
    return MLP_OK;
}

static int add_groups(chunk_run *run, const csv_chunk *ch, int s, size_t m)
{
    job *j = run->j;
    mlp_table *t, *lt;
    int rc = build_group(run, ch, s, m, &t, &lt, &run->err);

    if (rc == MLP_OK)
        rc = run->sink->add(run->sink->arg, (size_t)s, 0, t, &run->err);
    else
        lt = NULL;
    if (rc == MLP_OK)
        rc = run->sink->add(run->sink->arg, (size_t)s, 1, lt, &run->err);
    else
        mlp_table_free(lt);
    if (rc != MLP_OK)
        return rc;
    run->groups[s]++;
    for (size_t c = 0; c < j->n_cols; c++)
        run->last_levels[(size_t)s * j->n_cols + c] = run->dicts[c].n;
    return MLP_OK;
}

/* Chunk k in file order: the repeated rows' splits, the dictionaries,
 * then one row group per split. */
static void write_task(void *arg, size_t k, int worker)
{
    chunk_run *run = arg;
    job *j = run->j;
    csv_chunk *ch = &j->chunks[k];
    size_t per[MAX_SPLITS] = { 0 };
    int rc = MLP_OK;

    (void)worker;
    if (atomic_load(&run->failed)) {
        forget_fill(j, ch);
        return;
    }
    for (size_t p = 0; p < ch->n_pend; p++) {
        /* Its count was 1 + the times seen before: the occurrence. */
        uint32_t occ = hc_bump(&run->repeat, ch->pend_hash[p]) - 1;
        ch->split[ch->pend[p]] = (uint8_t)ingest_split_from(j, ch->pend_hash[p], occ);
    }
    for (size_t c = 0; rc == MLP_OK && c < j->n_cols; c++) {
        int32_t *map, *codes = ch->sc.codes[c];
        if (codes == NULL)
            continue;
        map = malloc((ch->dicts[c].n + 1) * sizeof *map);
        if (map == NULL) {
            rc = mlp_error_set(&run->err, MLP_ENOMEM, "out of memory");
            break;
        }
        for (size_t x = 0; rc == MLP_OK && x < ch->dicts[c].n; x++)
            if (dict_intern(&run->dicts[c], ch->dicts[c].strs[x],
                            strlen(ch->dicts[c].strs[x]), &map[x]) != MLP_OK)
                rc = mlp_error_set(&run->err, MLP_ENOMEM, "out of memory");
        for (size_t i = 0; rc == MLP_OK && i < ch->n; i++)
            if (codes[i] >= 0)
                codes[i] = map[codes[i]];
        free(map);
    }
    /* `many` columns: lengths at i + 1 become offsets into the chunk's
     * bytes. */
    for (size_t c = 0; c < j->n_cols; c++) {
        uint64_t *off = ch->sc.str_off[c];
        for (size_t i = 0; off != NULL && i < ch->n; i++)
            off[i + 1] += off[i];
    }
    for (size_t i = 0; i < ch->n; i++)
        per[ch->split[i]]++;
    for (size_t s = 0; rc == MLP_OK && s < j->n_splits; s++)
        if (per[s] > 0) {
            rc = add_groups(run, ch, (int)s, per[s]);
            j->splits[s].rows += per[s];
        }
    if (rc != MLP_OK) {
        run->rc = rc;
        atomic_store(&run->failed, 1);
    }
    if (j->ctx != NULL)
        mlp_ctx_progress(j->ctx, ch->end, j->files[ch->fi].len, "bytes");
    forget_fill(j, ch);
}

int chunk_write(job *j, dict *dicts, const group_sink *sink, mlp_error *err)
{
    chunk_run *run = j->run;
    csv_chunk none;

    run->j = j;
    run->dicts = dicts;
    run->sink = sink;
    run->rc = MLP_OK;
    mlp_error_clear(&run->err);
    run->last_levels = calloc(j->n_splits * j->n_cols + 1, sizeof *run->last_levels);
    if (run->last_levels == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    for (size_t s = 0; s < j->n_splits; s++)
        j->splits[s].rows = 0;
    mlp_parallel_for_ordered(j->n_chunks, j->threads, fill_task, write_task, run);
    drop_files(j);
    if (atomic_load(&run->failed)) {
        if (run->rc == MLP_OK)
            return mlp_error_set(err, MLP_ENOMEM, "out of memory");
        return mlp_error_set(err, run->rc, "%s", run->err.msg);
    }
    /* A split without rows still gets its (empty) table, and one whose
     * last group came before a level first appeared gets an empty group
     * with the whole dictionary: every split's table has all the levels,
     * as the serial reader's do. */
    memset(&none, 0, sizeof none);
    if (ingest_alloc_cols(j, &none.sc, 0) != MLP_OK) {
        ingest_free_split(j, &none.sc);
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    }
    none.split = NULL;
    for (size_t s = 0; s < j->n_splits; s++) {
        int behind = run->groups[s] == 0;
        for (size_t c = 0; c < j->n_cols; c++)
            behind |= run->last_levels[s * j->n_cols + c] < dicts[c].n;
        if (behind && add_groups(run, &none, (int)s, 0) != MLP_OK) {
            ingest_free_split(j, &none.sc);
            return mlp_error_set(err, run->rc ? run->rc : MLP_ENOMEM, "%s", run->err.msg);
        }
    }
    ingest_free_split(j, &none.sc);
    return MLP_OK;
}

void chunk_free(job *j)
{
    for (size_t k = 0; k < j->n_chunks; k++) {
        forget_scan(j, &j->chunks[k]);
        forget_fill(j, &j->chunks[k]);
    }
    free(j->chunks);
    j->chunks = NULL;
    j->n_chunks = 0;
    if (j->run != NULL) {
        for (size_t c = 0; j->run->all != NULL && c < j->n_cols; c++)
            dict_free(&j->run->all[c]);
        free(j->run->all);
        free(j->run->incomplete);
        free(j->run->bloom);
        hc_free(&j->run->repeat);
        free(j->run->last_levels);
        free(j->run);
        j->run = NULL;
    }
}
