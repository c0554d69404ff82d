/* The table file format (.mlpt): writing and verified, mapped reading.
 *
 * Layout, all integers little-endian:
 *   [0, 128)        header: magic "MLPTABLE", format major/minor, an endian
 *                   probe, row and column counts, directory position and
 *                   size, total file size, directory hash, header hash;
 *   [128, ...)      directory: one 128-byte entry per column, then the
 *                   column names;
 *   64-byte aligned segments, up to four per column (see seg_layout).
 * The header hash covers the header, the directory hash covers entries and
 * names, and each entry holds the hash of its column's segments, so any
 * flipped byte or truncation is caught before data is handed out.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <math.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>
#define XXH_STATIC_LINKING_ONLY
#include <xxhash.h>

#include <mlpipe/memory.h>

#include "table_priv.h"

#define ENTRY_SIZE 128
#define NSEG 4

typedef struct file_entry {
    uint32_t type, encoding;  /* encoding: NUMERIC storage, ENC_* */
    uint64_t width;
    uint64_t name_off;      /* relative to the end of the entries */
    uint32_t name_len, reserved1;
    uint64_t seg_off[NSEG]; /* absolute */
    uint64_t seg_len[NSEG];
    uint64_t n_levels;
    uint64_t hash;          /* XXH3-64 over the segments in order */
    uint8_t reserved[16];
} file_entry;

/* How a NUMERIC column's values are stored.  The writer picks the
 * narrowest encoding that holds every present value exactly (pixel values
 * 0..255 take one byte, not eight); readers always see doubles, and the
 * int64 values themselves for ENC_I64 (integers beyond 2^53).
 *
 * ENC_DICT8 (format 1.2) is for fractions that repeat: a column of at most
 * 256 distinct values (scaled pixels, z-scores of ratings, bucket
 * midpoints) stores a byte per row, indexing a dictionary of the values'
 * exact bits in a third segment.  Readers never see it packed: it is
 * decoded on opening, also by mlp_table_open_packed(). */
enum { ENC_F64 = 0, ENC_F32, ENC_I8, ENC_U8, ENC_I16, ENC_U16, ENC_I32, ENC_I64,
       ENC_DICT8, ENC_COUNT };
static const size_t enc_size[ENC_COUNT] = { 8, 4, 1, 1, 2, 2, 4, 8, 1 };
enum { DICT_MAX = 256 };

_Static_assert(ENC_U8 == (int)MLP_PACK_U8 && ENC_I32 == (int)MLP_PACK_I32 &&
               ENC_I64 == (int)MLP_PACK_I64,
               "the stored encodings are the public packings");
_Static_assert(sizeof(file_entry) == ENTRY_SIZE, "entry size");

/* The segments a column of each type has, with their expected lengths. */
static void seg_layout(const mlp_column *c, const void *seg[NSEG],
                       uint64_t len[NSEG])
{
    size_t n = c->n_rows;

    memset(len, 0, sizeof(uint64_t) * NSEG);
    for (int i = 0; i < NSEG; i++)
        seg[i] = NULL;
    switch (c->type) {
    case MLP_COL_NUMERIC:
        seg[0] = c->num, len[0] = n * sizeof(double);
        seg[1] = c->missing, len[1] = c->missing ? (n + 7) / 8 : 0;
        break;
    case MLP_COL_CATEGORICAL:
        seg[0] = c->codes, len[0] = n * sizeof(int32_t);
        seg[1] = c->level_off, len[1] = (c->n_levels + 1) * sizeof(uint64_t);
        seg[2] = c->level_bytes, len[2] = c->level_off[c->n_levels];
        break;
    case MLP_COL_STRING:
        seg[0] = c->str_off, len[0] = (n + 1) * sizeof(uint64_t);
        seg[1] = c->str_bytes, len[1] = c->str_off[n];
        seg[2] = c->missing, len[2] = c->missing ? (n + 7) / 8 : 0;
        break;
    case MLP_COL_MATRIX:
        seg[0] = c->mat, len[0] = n * c->width * sizeof(float);
        break;
    }
}

static uint64_t align_up(uint64_t x) { return (x + ALIGN - 1) & ~(uint64_t)(ALIGN - 1); }

static int choose_encoding(const mlp_column *c)
{
    const double *v = c->num;
    size_t n = c->n_rows, i;
    double lo = 0, hi = 0;
    int any = 0;

    /* Integral values within int32 first (the common case for counts,
     * codes and pixels), then exactness in float32. */
    for (i = 0; i < n; i++) {
        double x = v[i];
        if (c->missing != NULL && mlp_column_is_missing(c, i))
            continue;
        if (!(x >= -2147483648.0 && x <= 2147483647.0 && x == (double)(int32_t)x) ||
            (x == 0 && signbit(x)))
            break;
        if (!any || x < lo)
            lo = x;
        if (!any || x > hi)
            hi = x;
        any = 1;
    }
    if (i == n) {
        if (lo >= 0 && hi <= 255) return ENC_U8;
        if (lo >= -128 && hi <= 127) return ENC_I8;
        if (lo >= 0 && hi <= 65535) return ENC_U16;
        if (lo >= -32768 && hi <= 32767) return ENC_I16;
        return ENC_I32;
    }
    for (i = 0; i < n; i++) {
        double x = v[i];
        if (c->missing != NULL && mlp_column_is_missing(c, i))
            continue;
        if (!((double)(float)x == x || isnan(x)))
            return ENC_F64;
    }
    return ENC_F32;
}

#define ENCODE_LOOP(T)                                                    \
    for (size_t i = 0; i < n; i++)                                        \
        ((T *)buf)[i] = (T)((c->missing != NULL &&                        \
                             mlp_column_is_missing(c, i)) ? 0 : c->num[i])

/* Encoded values of c (missing rows as 0); owned, mlp_free(). */
static void *encode(const mlp_column *c, int enc)
{
    size_t n = c->n_rows;
    char *buf = mlp_malloc(n * enc_size[enc] + 1);

    if (buf == NULL)
        return NULL;
    switch (enc) {
    case ENC_F32: ENCODE_LOOP(float); break;
    case ENC_I8: ENCODE_LOOP(int8_t); break;
    case ENC_U8: ENCODE_LOOP(uint8_t); break;
    case ENC_I16: ENCODE_LOOP(int16_t); break;
    case ENC_U16: ENCODE_LOOP(uint16_t); break;
    case ENC_I32: ENCODE_LOOP(int32_t); break;
    }
    return buf;
}

/* The common narrow case in one pass: every present value an integer in
 * 0..255.  NULL when not (or out of memory: the general path retries). */
static void *encode_u8(const mlp_column *c)
{
    size_t n = c->n_rows, i;
    uint8_t *b = mlp_malloc(n + 1);

    if (b == NULL)
        return NULL;
    for (i = 0; i < n; i++) {
        double x = c->num[i];
        if (c->missing != NULL && mlp_column_is_missing(c, i)) {
            b[i] = 0;
            continue;
        }
        if (!(x >= 0 && x <= 255) || x != (double)(uint8_t)x || (x == 0 && signbit(x)))
            break;
        b[i] = (uint8_t)x;
    }
    if (i < n) {
        mlp_free(b);
        return NULL;
    }
    return b;
}

/* The column as a byte per row indexing its distinct present values
 * (*dict, *n_dict of them, in order of first appearance; missing rows
 * 0), or 0 when it has more than DICT_MAX (found early for most such
 * columns: the 257th distinct value ends the attempt) or memory ran out.
 * Values are told apart by their bits, so -0 and 0 both keep theirs. */
static int encode_dict(const mlp_column *c, uint8_t **codes, double **dict, size_t *n_dict)
{
    enum { SLOTS = 1024 };  /* a quarter full at most: short probes */
    uint64_t key[SLOTS];
    int16_t slot[SLOTS];
    size_t n = c->n_rows, k = 0, i;
    uint8_t *b = mlp_malloc(n + 1);
    double *d = mlp_malloc(DICT_MAX * sizeof *d);

    *codes = NULL;
    *dict = NULL;
    *n_dict = 0;
    if (b == NULL || d == NULL) {
        mlp_free(b);
        mlp_free(d);
        return 0;
    }
    memset(slot, -1, sizeof slot);
    /* A value like the one before (runs of zeros in images and sparse
     * data, sorted columns) skips the lookup. */
    uint64_t last = 0;
    uint8_t last_code = 0;
    int have_last = 0;
    for (i = 0; i < n; i++) {
        if (c->missing != NULL && mlp_column_is_missing(c, i)) {
            b[i] = 0;
            continue;
        }
        uint64_t bits;
        memcpy(&bits, &c->num[i], sizeof bits);
        if (have_last && bits == last) {
            b[i] = last_code;
            continue;
        }
        size_t h = (size_t)((bits * UINT64_C(0x9E3779B97F4A7C15)) >> 54);
        while (slot[h] >= 0 && key[h] != bits)
            h = (h + 1) & (SLOTS - 1);
        if (slot[h] < 0) {
            if (k == DICT_MAX)
                break;
            key[h] = bits;
            slot[h] = (int16_t)k;
            d[k++] = c->num[i];
        }
        b[i] = (uint8_t)slot[h];
        last = bits;
        last_code = b[i];
        have_last = 1;
    }
    if (i < n || k == 0) {
        mlp_free(b);
        mlp_free(d);
        return 0;
    }
    *codes = b;
    *dict = d;
    *n_dict = k;
    return 1;
}

int mlpi_table_pack(const mlp_column *c, mlp_packing *packing, void **buf)
{
    *buf = NULL;
    *packing = MLP_PACK_F64;
    if (c->type != MLP_COL_NUMERIC || c->num == NULL || c->ints != NULL ||
        c->n_rows == 0)
        return MLP_OK;
    *buf = encode_u8(c);
    if (*buf != NULL) {
        *packing = MLP_PACK_U8;
        return MLP_OK;
    }
    int enc = choose_encoding(c);
    if (enc == ENC_F64)
        return MLP_OK;
    *buf = encode(c, enc);
    if (*buf == NULL)
        return MLP_ENOMEM;
    *packing = (mlp_packing)enc;
    return MLP_OK;
}

/* The segments to write for column ic: its own buffers, except encoded
 * numeric values, which live in plan_buf (and a dictionary's values in
 * dict) -- or, for a column its maker coded (plan_buf NULL), in the
 * column's own codes and dictionary. */
static void write_segments(const mlpi_col *ic, int enc, const void *plan_buf,
                           const double *dict, size_t n_dict,
                           const void *seg[NSEG], uint64_t len[NSEG])
{
    const mlp_column *c = &ic->pub;

    seg_layout(c, seg, len);
    if (enc == ENC_DICT8 && plan_buf == NULL) {
        plan_buf = ic->coded;
        dict = ic->coded_dict;
        n_dict = ic->n_coded;
    }
    if (c->type == MLP_COL_NUMERIC && enc != ENC_F64) {
        seg[0] = c->num == NULL ? c->packed : enc == ENC_I64 ? c->ints : plan_buf;
        len[0] = c->n_rows * enc_size[enc];
    }
    if (enc == ENC_DICT8) {
        seg[2] = dict;
        len[2] = n_dict * sizeof *dict;
    }
}

static int write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;

    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

static int write_zeros(int fd, size_t len)
{
    static const char zeros[ALIGN];
    return write_all(fd, zeros, len);
}

/* Pieces gathered for one writev: a wide table has thousands of small
 * segments, and a write call each cost more than the copying. */
typedef struct gather_out {
    int fd;
    int n;
    struct iovec iov[256];
} gather_out;

static int gather_flush(gather_out *o)
{
    struct iovec *v = o->iov;
    int n = o->n;

    o->n = 0;
    while (n > 0) {
        ssize_t w = writev(o->fd, v, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (w == 0) {   /* no progress: a full device that says nothing */
            errno = ENOSPC;
            return -1;
        }
        /* A short write: skip what went out, go on from there. */
        while (n > 0 && (size_t)w >= v->iov_len) {
            w -= (ssize_t)v->iov_len;
            v++;
            n--;
        }
        if (n > 0) {
            v->iov_base = (char *)v->iov_base + w;
            v->iov_len -= (size_t)w;
        }
    }
    return 0;
}

static int gather_add(gather_out *o, const void *p, size_t len)
{
    if (len == 0)
        return 0;
    if (o->n == (int)(sizeof o->iov / sizeof *o->iov) && gather_flush(o) != 0)
        return -1;
    o->iov[o->n].iov_base = (void *)p;
    o->iov[o->n].iov_len = len;
    o->n++;
    return 0;
}

/* Whether n rows as bytes and a dictionary of k values take less room
 * than as doubles. */
static int coded_smaller(size_t n, size_t k)
{
    return align_up(n) + align_up(8 * k) < align_up(8 * n);
}

/* Whether a coded column's values are all integers of the forms the
 * writer gives integers (readers count those in place): then it is
 * stored in one of them, not as a dictionary. */
static int coded_integers(const mlpi_col *c)
{
    for (size_t i = 0; i < c->n_coded; i++) {
        double x = c->coded_dict[i];
        if (!(x >= -2147483648.0 && x <= 2147483647.0 && x == (double)(int32_t)x) ||
            (x == 0 && signbit(x)))
            return 0;
    }
    return 1;
}

/* Per-column work before writing: choose the encoding, encode, hash.
 * Columns are independent, so two threads share them. */
typedef struct prep {
    const mlp_table *t;
    int *encs;
    void **bufs;
    double **dicts;
    size_t *n_dicts;
    uint64_t *hashes;
    atomic_size_t next;
    atomic_int failed;
} prep;

static void *prepare_columns(void *arg)
{
    prep *p = arg;
    size_t nc = p->t->n_cols;

    for (;;) {
        size_t i = atomic_fetch_add(&p->next, 1);
        const mlp_column *c;
        const void *seg[NSEG];
        uint64_t len[NSEG];
        XXH3_state_t st;

        if (i >= nc)
            break;
        c = &p->t->cols[i].pub;
        if (c->type == MLP_COL_NUMERIC && c->num == NULL) {
            /* Already in its stored form. */
            p->encs[i] = (int)c->packing;
        } else if (c->type == MLP_COL_NUMERIC && c->ints != NULL) {
            p->encs[i] = ENC_I64;
        } else if (c->type == MLP_COL_NUMERIC && c->n_rows > 0 && p->t->cols[i].coded &&
                   coded_smaller(c->n_rows, p->t->cols[i].n_coded) &&
                   !coded_integers(&p->t->cols[i])) {
            /* Its maker knows it as bytes and a dictionary already: they
             * are written from the column (write_segments). */
            p->encs[i] = ENC_DICT8;
        } else if (c->type == MLP_COL_NUMERIC && c->n_rows > 0) {
            p->bufs[i] = encode_u8(c);
            if (p->bufs[i] != NULL) {
                p->encs[i] = ENC_U8;
            } else {
                uint8_t *codes;
                p->encs[i] = choose_encoding(c);
                /* Integers keep their forms (readers count them in
                 * place); repeated fractions take a byte. */
                if ((p->encs[i] == ENC_F64 || p->encs[i] == ENC_F32) &&
                    encode_dict(c, &codes, &p->dicts[i], &p->n_dicts[i])) {
                    /* Only where the byte and the dictionary take less. */
                    if (align_up(c->n_rows) + align_up(8 * p->n_dicts[i]) <
                        align_up(c->n_rows * enc_size[p->encs[i]])) {
                        p->encs[i] = ENC_DICT8;
                        p->bufs[i] = codes;
                    } else {
                        mlp_free(codes);
                        mlp_free(p->dicts[i]);
                        p->dicts[i] = NULL;
                        p->n_dicts[i] = 0;
                    }
                }
                if (p->encs[i] != ENC_DICT8 && p->encs[i] != ENC_F64 &&
                    (p->bufs[i] = encode(c, p->encs[i])) == NULL) {
                    atomic_store(&p->failed, 1);
                    break;
                }
            }
        }
        write_segments(&p->t->cols[i], p->encs[i], p->bufs[i], p->dicts[i], p->n_dicts[i],
                       seg, len);
        XXH3_64bits_reset(&st);
        for (int k = 0; k < NSEG; k++)
            if (len[k])
                XXH3_64bits_update(&st, seg[k], len[k]);
        p->hashes[i] = XXH3_64bits_digest(&st);
    }
    return NULL;
}

/* Writes t's image (header, directory, segments; offsets from the image's
 * start) at fd's position.  *len gets its size (a multiple of ALIGN). */
int mlpi_table_write_image(int fd, const mlp_table *t, const char *path,
                           uint64_t *len_out, mlp_error *err)
{
    file_header h;
    file_entry *ents = NULL;
    char *dir = NULL;
    int *encs = NULL;
    void **bufs = NULL;
    double **dicts = NULL;
    size_t *n_dicts = NULL;
    uint64_t *hashes = NULL;
    size_t names_len = 0, dir_size, nc = t->n_cols;
    uint64_t pos;
    int rc = MLP_OK;

    for (size_t i = 0; i < nc; i++)
        names_len += strlen(t->cols[i].pub.name);
    dir_size = nc * ENTRY_SIZE + names_len;
    dir = mlp_calloc(1, dir_size ? dir_size : 1);
    encs = mlp_calloc(nc + 1, sizeof *encs);
    bufs = mlp_calloc(nc + 1, sizeof *bufs);
    hashes = mlp_calloc(nc + 1, sizeof *hashes);
    dicts = mlp_calloc(nc + 1, sizeof *dicts);
    n_dicts = mlp_calloc(nc + 1, sizeof *n_dicts);
    if (dir == NULL || encs == NULL || bufs == NULL || hashes == NULL || dicts == NULL ||
        n_dicts == NULL) {
        rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
        goto cleanup;
    }
    {
        prep p = { t, encs, bufs, dicts, n_dicts, hashes, 0, 0 };
        pthread_t tid;
        /* A second thread pays off on large tables only (small row
         * groups are written by the thousand). */
        int started = nc > 1 && t->n_rows * nc >= 65536 &&
                      pthread_create(&tid, NULL, prepare_columns, &p) == 0;
        prepare_columns(&p);
        if (started)
            pthread_join(tid, NULL);
        if (atomic_load(&p.failed)) {
            rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
            goto cleanup;
        }
    }
    ents = (file_entry *)dir;

    pos = align_up(HEADER_SIZE + dir_size);
    size_t name_pos = 0;
    for (size_t i = 0; i < nc; i++) {
        const mlp_column *c = &t->cols[i].pub;
        const void *seg[NSEG];
        uint64_t len[NSEG];
        size_t nl = strlen(c->name);

        write_segments(&t->cols[i], encs[i], bufs[i], dicts[i], n_dicts[i], seg, len);
        ents[i].type = (uint32_t)c->type;
        ents[i].encoding = (uint32_t)encs[i];
        ents[i].width = c->width;
        ents[i].name_off = name_pos;
        ents[i].name_len = (uint32_t)nl;
        ents[i].n_levels = c->n_levels;
        memcpy(dir + nc * ENTRY_SIZE + name_pos, c->name, nl);
        name_pos += nl;
        for (int k = 0; k < NSEG; k++) {
            ents[i].seg_off[k] = len[k] ? pos : 0;
            ents[i].seg_len[k] = len[k];
            if (len[k])
                pos = align_up(pos + len[k]);
        }
        ents[i].hash = hashes[i];
    }

    memset(&h, 0, sizeof h);
    memcpy(h.magic, MLPI_MAGIC, 8);
    h.major = MLP_TABLE_FORMAT_MAJOR;
    /* The oldest reader that can read it: 1.0 any file without int64
     * columns, 1.1 without dictionary-coded ones. */
    h.minor = 0;
    for (size_t i = 0; i < nc; i++) {
        if (encs[i] == ENC_I64 && h.minor < 1)
            h.minor = 1;
        if (encs[i] == ENC_DICT8)
            h.minor = 2;
    }
    h.endian = ENDIAN_PROBE;
    h.n_rows = t->n_rows;
    h.n_cols = (uint32_t)nc;
    h.dir_offset = HEADER_SIZE;
    h.dir_size = dir_size;
    h.file_size = pos;
    h.dir_hash = XXH3_64bits(dir, dir_size);
    h.header_hash = XXH3_64bits(&h, offsetof(file_header, header_hash));

    if (write_all(fd, &h, sizeof h) || write_all(fd, dir, dir_size) ||
        write_zeros(fd, align_up(HEADER_SIZE + dir_size) - HEADER_SIZE - dir_size))
        goto io_fail;
    static const char zeros[ALIGN];
    gather_out o;
    o.fd = fd;
    o.n = 0;
    for (size_t i = 0; i < nc; i++) {
        const void *seg[NSEG];
        uint64_t len[NSEG];

        write_segments(&t->cols[i], encs[i], bufs[i], dicts[i], n_dicts[i], seg, len);
        for (int k = 0; k < NSEG; k++)
            if (len[k] && (gather_add(&o, seg[k], len[k]) ||
                           gather_add(&o, zeros, align_up(len[k]) - len[k])))
                goto io_fail;
    }
    if (gather_flush(&o) != 0)
        goto io_fail;
    *len_out = pos;
    goto cleanup;

io_fail:
    rc = mlp_error_set(err, MLP_EIO, "cannot write %s: %s", path,
                       strerror(errno));
cleanup:
    for (size_t i = 0; bufs && i < nc; i++)
        mlp_free(bufs[i]);
    for (size_t i = 0; dicts && i < nc; i++)
        mlp_free(dicts[i]);
    mlp_free(bufs);
    mlp_free(dicts);
    mlp_free(n_dicts);
    mlp_free(encs);
    mlp_free(hashes);
    mlp_free(dir);
    return rc;
}

int mlp_table_write(const mlp_table *t, const char *path, mlp_error *err)
{
    char tmp[4096];
    uint64_t len;
    int fd, rc;

    if (snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid())
        >= (int)sizeof tmp)
        return mlp_error_set(err, MLP_EINVAL, "%s: path too long", path);
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return mlp_error_set(err, MLP_EIO, "cannot create %s: %s", tmp,
                             strerror(errno));
    rc = mlpi_table_write_image(fd, t, path, &len, err);
    if (rc == MLP_OK && fsync(fd) != 0)
        rc = mlp_error_set(err, MLP_EIO, "cannot write %s: %s", path,
                           strerror(errno));
    if (close(fd) != 0 && rc == MLP_OK)
        rc = mlp_error_set(err, MLP_EIO, "cannot write %s: %s", path,
                           strerror(errno));
    if (rc == MLP_OK && rename(tmp, path) != 0)
        rc = mlp_error_set(err, MLP_EIO, "cannot write %s: %s", path,
                           strerror(errno));
    if (rc != MLP_OK)
        unlink(tmp);
    return rc;
}

static int corrupt(mlp_error *err, const char *path, const char *what)
{
    return mlp_error_set(err, MLP_ECORRUPT, "%s: corrupted table file: %s",
                         path, what);
}

/* Checks the contents a checksum cannot vouch for: offsets that stay inside
 * their byte segment and codes inside the dictionary. */
static int check_column(const mlp_column *c, const char *path, mlp_error *err)
{
    char what[512];

    if (c->type == MLP_COL_CATEGORICAL) {
        for (size_t k = 0; k < c->n_levels; k++)
            if (c->level_off[k] > c->level_off[k + 1])
                goto bad_off;
        for (size_t i = 0; i < c->n_rows; i++)
            if (c->codes[i] < -1 || (c->codes[i] >= 0 &&
                                     (size_t)c->codes[i] >= c->n_levels)) {
                snprintf(what, sizeof what,
                         "column '%s' row %zu has code %d outside its "
                         "dictionary", c->name, i, (int)c->codes[i]);
                return corrupt(err, path, what);
            }
    } else if (c->type == MLP_COL_STRING) {
        for (size_t i = 0; i < c->n_rows; i++)
            if (c->str_off[i] > c->str_off[i + 1])
                goto bad_off;
    }
    return MLP_OK;
bad_off:
    snprintf(what, sizeof what, "column '%s' has decreasing offsets", c->name);
    return corrupt(err, path, what);
}

static int load_column(mlp_table *t, const file_entry *e, const char *names,
                       const char *base, size_t size, const char *path,
                       unsigned minor, mlp_error *err)
{
    mlpi_col *c;
    mlp_column probe;
    const void *seg[NSEG];
    uint64_t want[NSEG];
    char name[1024], what[1200];
    const char *p[NSEG] = { NULL, NULL, NULL, NULL };
    XXH3_state_t st;
    int rc;

    if (e->name_len == 0 || e->name_len >= sizeof name)
        return corrupt(err, path, "bad column name length");
    memcpy(name, names + e->name_off, e->name_len);
    name[e->name_len] = '\0';
    if (e->type < MLP_COL_NUMERIC || e->type > MLP_COL_MATRIX) {
        snprintf(what, sizeof what, "column '%s' has unknown type %u", name,
                 e->type);
        return corrupt(err, path, what);
    }
    XXH3_64bits_reset(&st);
    for (int k = 0; k < NSEG; k++) {
        if (e->seg_len[k] == 0)
            continue;
        if (e->seg_off[k] % 8 != 0 || e->seg_off[k] > size ||
            e->seg_len[k] > size - e->seg_off[k]) {
            snprintf(what, sizeof what, "column '%s' points past the end of "
                     "the file (truncated?)", name);
            return corrupt(err, path, what);
        }
        p[k] = base + e->seg_off[k];
        XXH3_64bits_update(&st, p[k], e->seg_len[k]);
    }
    if (XXH3_64bits_digest(&st) != e->hash) {
        snprintf(what, sizeof what, "checksum mismatch in column '%s'", name);
        return corrupt(err, path, what);
    }

    /* Rebuild the view, then compare the lengths the type implies with the
     * lengths on disk: a hash only proves the bytes are the ones written. */
    memset(&probe, 0, sizeof probe);
    probe.name = name;
    probe.type = (mlp_col_type)e->type;
    probe.n_rows = t->n_rows;
    probe.width = (size_t)e->width;
    if (e->encoding >= ENC_COUNT && minor > MLP_TABLE_FORMAT_MINOR)
        return mlp_error_set(err, MLP_EVERSION, "%s: column '%s' is stored in "
                             "a form of table format 1.%u, newer than this "
                             "build's 1.%d: upgrade mlpipe to read it", path,
                             name, minor, MLP_TABLE_FORMAT_MINOR);
    if (e->encoding >= ENC_COUNT || (e->encoding != ENC_F64 &&
                                      probe.type != MLP_COL_NUMERIC)) {
        snprintf(what, sizeof what, "column '%s' has unknown encoding %u", name,
                 e->encoding);
        return corrupt(err, path, what);
    }
    switch (probe.type) {
    case MLP_COL_NUMERIC:
        probe.num = (const double *)p[0];
        probe.missing = (const uint8_t *)p[1];
        break;
    case MLP_COL_CATEGORICAL:
        probe.codes = (const int32_t *)p[0];
        probe.n_levels = (size_t)e->n_levels;
        probe.level_off = (const uint64_t *)p[1];
        probe.level_bytes = p[2] ? p[2] : "";
        if (probe.level_off == NULL || e->seg_len[1] !=
            (e->n_levels + 1) * sizeof(uint64_t))
            return corrupt(err, path, "bad dictionary size");
        break;
    case MLP_COL_STRING:
        if (e->seg_len[0] != (t->n_rows + 1) * sizeof(uint64_t))
            return corrupt(err, path, "string offsets have the wrong size");
        probe.str_off = (const uint64_t *)p[0];
        probe.str_bytes = p[1] ? p[1] : "";
        probe.missing = (const uint8_t *)p[2];
        if (probe.str_off == NULL)
            return corrupt(err, path, "string column without offsets");
        break;
    case MLP_COL_MATRIX:
        probe.mat = (const float *)p[0];
        if (probe.width == 0)
            return corrupt(err, path, "matrix of width 0");
        break;
    }
    if ((t->n_rows > 0 || probe.type == MLP_COL_STRING) &&
        p[0] == NULL)
        return corrupt(err, path, "column data is missing");
    seg_layout(&probe, seg, want);
    if (probe.type == MLP_COL_NUMERIC)
        want[0] = t->n_rows * enc_size[e->encoding];
    if (e->encoding == ENC_DICT8) {
        /* A dictionary of 1..256 values, every code inside it. */
        uint64_t k = e->seg_len[2] / sizeof(double);
        if (e->seg_len[2] % sizeof(double) != 0 || k == 0 || k > DICT_MAX) {
            snprintf(what, sizeof what, "column '%s' has a dictionary of %llu bytes",
                     name, (unsigned long long)e->seg_len[2]);
            return corrupt(err, path, what);
        }
        want[2] = e->seg_len[2];
    }
    for (int k = 0; k < NSEG; k++)
        if (want[k] != e->seg_len[k]) {
            snprintf(what, sizeof what, "column '%s' segment %d has %llu "
                     "bytes, expected %llu", name, k,
                     (unsigned long long)e->seg_len[k],
                     (unsigned long long)want[k]);
            return corrupt(err, path, what);
        }
    if (e->encoding == ENC_DICT8 && t->n_rows > 0) {
        /* Every code inside the dictionary (the lengths are checked by
         * now: the codes are all there). */
        const uint8_t *code = (const uint8_t *)p[0];
        uint64_t k = e->seg_len[2] / sizeof(double);
        uint8_t top = 0;
        for (size_t i = 0; i < t->n_rows; i++)
            top = code[i] > top ? code[i] : top;
        if (top >= k) {
            snprintf(what, sizeof what, "column '%s' has code %u outside its "
                     "dictionary of %llu values", name, (unsigned)top,
                     (unsigned long long)k);
            return corrupt(err, path, what);
        }
    }
    rc = check_column(&probe, path, err);
    if (rc != MLP_OK)
        return rc;
    rc = mlpi_table_push(t, name, err, &c);
    if (rc != MLP_OK)
        return rc == MLP_EEXIST ? corrupt(err, path, "duplicate column name")
                                : rc;
    probe.name = c->name;
    if (probe.type == MLP_COL_NUMERIC) {
        probe.packing = (mlp_packing)e->encoding;
        probe.packed = p[0];
        if (e->encoding == ENC_I64)
            probe.ints = (const int64_t *)p[0];
    }
    if (e->encoding == ENC_DICT8) {
        /* Never handed out packed: the public packings do not have it. */
        probe.packing = MLP_PACK_F64;
        probe.packed = NULL;
    }
    c->pub = probe;
    if (probe.type == MLP_COL_NUMERIC && e->encoding != ENC_F64 && t->n_rows > 0) {
        /* Decoded after every column is checked, in parallel. */
        c->encoded = p[0];
        c->encoding = (int)e->encoding;
        c->pub.num = NULL;
        if (e->encoding == ENC_DICT8) {
            c->dict = (const double *)p[2];
            c->n_dict = (size_t)(e->seg_len[2] / sizeof(double));
        }
    }
    return MLP_OK;
}

#define DECODE_LOOP(T)                                                    \
    for (size_t i = 0; i < n; i++)                                        \
        v[i] = (double)((const T *)src)[i]

/* Readers see doubles: decode once, NaN where missing. */
static int decode_column(mlpi_col *c, size_t n)
{
    double *v = mlp_malloc(n * sizeof *v);
    const void *src = c->encoded;

    if (v == NULL)
        return MLP_ENOMEM;
    switch (c->encoding) {
    case ENC_F32: DECODE_LOOP(float); break;
    case ENC_I8: DECODE_LOOP(int8_t); break;
    case ENC_U8: DECODE_LOOP(uint8_t); break;
    case ENC_I16: DECODE_LOOP(int16_t); break;
    case ENC_U16: DECODE_LOOP(uint16_t); break;
    case ENC_I32: DECODE_LOOP(int32_t); break;
    case ENC_I64: DECODE_LOOP(int64_t); break;
    case ENC_DICT8: {
        const uint8_t *code = src;
        for (size_t i = 0; i < n; i++)
            v[i] = c->dict[code[i]];
        break;
    }
    }
    if (c->pub.missing != NULL)
        for (size_t i = 0; i < n; i++)
            if (mlp_column_is_missing(&c->pub, i))
                v[i] = NAN;
    c->owned[0] = v;
    c->pub.num = v;
    return MLP_OK;
}

int mlp_table_decode(mlp_table *t, size_t i, mlp_error *err)
{
    if (i >= t->n_cols)
        return mlp_error_set(err, MLP_EINVAL, "no column %zu", i);
    if (t->cols[i].encoded == NULL || t->cols[i].pub.num != NULL)
        return MLP_OK;
    if (decode_column(&t->cols[i], t->n_rows) != MLP_OK)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    return MLP_OK;
}

void mlp_table_release(mlp_table *t, size_t i)
{
    mlpi_col *c;

    if (i >= t->n_cols)
        return;
    c = &t->cols[i];
    if (c->encoded == NULL || c->pub.num == NULL || c->encoding == ENC_DICT8)
        return;  /* nothing decoded, or nothing a reader could fall back on */
    mlp_free(c->owned[0]);
    c->owned[0] = NULL;
    c->pub.num = NULL;
}

typedef struct decoder {
    mlp_table *t;
    int mode;               /* MLPI_DECODE_* */
    atomic_size_t next;
    atomic_int failed;
} decoder;

/* Whether opening in this mode (MLPI_DECODE_*) decodes column c. */
static int wants_decoding(const mlpi_col *c, int mode)
{
    int narrow = c->encoding == ENC_U8 || c->encoding == ENC_I8 ||
                 c->encoding == ENC_U16 || c->encoding == ENC_I16;
    return c->encoded != NULL && c->pub.num == NULL &&
           (mode == MLPI_DECODE_ALL || c->encoding == ENC_DICT8 ||
            (mode == MLPI_DECODE_WIDE && !narrow));
}

static void *decode_columns(void *arg)
{
    decoder *d = arg;

    for (;;) {
        size_t i = atomic_fetch_add(&d->next, 1);
        if (i >= d->t->n_cols)
            break;
        if (wants_decoding(&d->t->cols[i], d->mode) &&
            decode_column(&d->t->cols[i], d->t->n_rows) != MLP_OK)
            atomic_store(&d->failed, 1);
    }
    return NULL;
}

static int open_table(const char *path, mlp_table **out, int decode,
                      mlp_error *err);

int mlp_table_open(const char *path, mlp_table **out, mlp_error *err)
{
    return open_table(path, out, 1, err);
}

int mlp_table_open_packed(const char *path, mlp_table **out, mlp_error *err)
{
    return open_table(path, out, 0, err);
}

int mlpi_table_check_header(const char *base, size_t size, const char *path,
                            int dir_checked, mlp_error *err)
{
    const file_header *h = (const file_header *)base;
    char what[256];

    if (size < HEADER_SIZE)
        return corrupt(err, path, "shorter than a table header (truncated?)");
    if (memcmp(h->magic, MLPI_MAGIC, 8) != 0)
        return mlp_error_set(err, MLP_EFORMAT, "%s: not an mlpipe table file",
                             path);
    if (h->endian != ENDIAN_PROBE)
        return mlp_error_set(err, MLP_EFORMAT,
                             "%s: written on a machine of other byte order",
                             path);
    if (h->header_hash != XXH3_64bits(h, offsetof(file_header, header_hash)))
        return corrupt(err, path, "header checksum mismatch");
    if (h->major != MLP_TABLE_FORMAT_MAJOR)
        return mlp_error_set(err, MLP_EVERSION,
                             "%s: table format %u.%u, this build reads 1.x "
                             "and 2.x", path, (unsigned)h->major,
                             (unsigned)h->minor);
    if (h->file_size != size) {
        snprintf(what, sizeof what, "file has %zu bytes, header says %llu "
                 "(truncated?)", size, (unsigned long long)h->file_size);
        return corrupt(err, path, what);
    }
    if (h->n_rows > ((uint64_t)1 << 48) || h->dir_offset != HEADER_SIZE || h->dir_size > size - HEADER_SIZE ||
        h->dir_size < (uint64_t)h->n_cols * ENTRY_SIZE ||
        (!dir_checked && XXH3_64bits(base + HEADER_SIZE, h->dir_size) != h->dir_hash))
        return corrupt(err, path, "column directory damaged");

    return MLP_OK;
}

int mlpi_table_parse_image(const char *base, size_t size, const char *path,
                           int decode, int dir_checked, size_t want_col,
                           mlp_table **out, mlp_error *err)
{
    const file_header *h = (const file_header *)base;
    mlp_table *t = NULL;
    int rc;

    *out = NULL;
    rc = mlpi_table_check_header(base, size, path, dir_checked, err);
    if (rc != MLP_OK)
        return rc;

    t = mlp_table_new((size_t)h->n_rows);
    if (t == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    const file_entry *ents = (const file_entry *)(base + HEADER_SIZE);
    const char *names = (const char *)(ents + h->n_cols);
    size_t names_len = (size_t)(h->dir_size - (uint64_t)h->n_cols * ENTRY_SIZE);
    if (want_col != SIZE_MAX && want_col >= h->n_cols) {
        rc = mlp_error_set(err, MLP_EINVAL, "%s: no column %zu", path, want_col);
        goto fail;
    }
    uint32_t first = want_col == SIZE_MAX ? 0 : (uint32_t)want_col;
    uint32_t end = want_col == SIZE_MAX ? h->n_cols : first + 1;
    for (uint32_t i = first; i < end; i++) {
        if (ents[i].name_off > names_len ||
            ents[i].name_len > names_len - ents[i].name_off) {
            rc = corrupt(err, path, "column name outside the directory");
            goto fail;
        }
        rc = load_column(t, &ents[i], names, base, size, path, h->minor, err);
        if (rc != MLP_OK)
            goto fail;
    }
    size_t todo = 0;
    for (size_t i = 0; i < t->n_cols && todo < 2; i++)
        todo += (size_t)wants_decoding(&t->cols[i], decode);
    if (todo > 0) {
        decoder d = { t, decode, 0, 0 };
        pthread_t tid;
        int started = todo > 1 && pthread_create(&tid, NULL, decode_columns, &d) == 0;
        decode_columns(&d);
        if (started)
            pthread_join(tid, NULL);
        if (atomic_load(&d.failed)) {
            rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
            goto fail;
        }
    }
    *out = t;
    return MLP_OK;
fail:
    mlp_table_free(t);
    return rc;
}

static int open_table(const char *path, mlp_table **out, int decode,
                      mlp_error *err)
{
    struct stat st;
    void *map;
    size_t size;
    int fd, rc;

    *out = NULL;
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return mlp_error_set(err, errno == ENOENT ? MLP_ENOTFOUND : MLP_EIO,
                             "cannot open %s: %s", path, strerror(errno));
    if (fstat(fd, &st) != 0) {
        close(fd);
        return mlp_error_set(err, MLP_EIO, "%s: %s", path, strerror(errno));
    }
    size = (size_t)st.st_size;
    if (size < HEADER_SIZE) {
        close(fd);
        return corrupt(err, path, "shorter than a table header (truncated?)");
    }
    map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED)
        return mlp_error_set(err, MLP_EIO, "cannot map %s: %s", path,
                             strerror(errno));
    if (mlpi_table_is_grouped(map, size))
        return mlpi_table_open_groups(map, size, path, out, err);
    rc = mlpi_table_parse_image(map, size, path, decode, 0, SIZE_MAX, out, err);
    if (rc != MLP_OK) {
        munmap(map, size);
        return rc;
    }
    (*out)->map = map;
    (*out)->map_len = size;
    return MLP_OK;
}
