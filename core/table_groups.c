/* Table files of several row groups (format 2.0), and reading any table
 * file a group or a column at a time.
 *
 * Layout, little-endian as in 1.x:
 *   [0, 128)       header, as in 1.x with major 2: total rows, columns,
 *                  the group index's position and size and hash;
 *   [128, ...)     the groups, each a complete 1.x table image (its own
 *                  header, directory and checksummed segments, offsets
 *                  from the image's start), 64-byte aligned;
 *   the index      one entry per group: offset, length, rows.
 * So a group is checked by exactly the code that checks a 1.x file, and a
 * build before 2.0 refuses the file by its major instead of reading its
 * first group as if it were the whole table.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdatomic.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#define XXH_STATIC_LINKING_ONLY
#include <xxhash.h>

#include <mlpipe/memory.h>

#include "table_priv.h"

#define SYNC_EVERY ((uint64_t)8 << 20)

typedef struct group_ent {
    uint64_t offset, length, n_rows, reserved;
} group_ent;

_Static_assert(sizeof(group_ent) == 32, "group index entry size");

static int corrupt(mlp_error *err, const char *path, const char *what)
{
    return mlp_error_set(err, MLP_ECORRUPT, "%s: corrupted table file: %s",
                         path, what);
}

/* ------------------------------------------------------------- writing */

struct mlp_table_writer {
    char *path;
    char tmp[4096];
    int fd;
    mlp_table *first;      /* held back: one group makes a 1.x file */
    group_ent *idx;
    size_t n_groups, cap;
    uint64_t pos, n_rows;
    uint64_t synced;       /* bytes whose writeback has been started */
    size_t n_cols;
    char **names;          /* the columns every group must have */
    mlp_col_type *types;
    size_t *widths;
    int failed;
};

int mlp_table_writer_open(const char *path, mlp_table_writer **out,
                          mlp_error *err)
{
    mlp_table_writer *w = mlp_calloc(1, sizeof *w);

    *out = NULL;
    if (w == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    w->fd = -1;
    w->path = mlp_strdup(path);
    if (w->path == NULL) {
        mlp_free(w);
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    }
    if (snprintf(w->tmp, sizeof w->tmp, "%s.tmp.%ld", path, (long)getpid())
        >= (int)sizeof w->tmp) {
        mlp_free(w->path);
        mlp_free(w);
        return mlp_error_set(err, MLP_EINVAL, "%s: path too long", path);
    }
    *out = w;
    return MLP_OK;
}

static int remember_columns(mlp_table_writer *w, const mlp_table *t)
{
    w->n_cols = t->n_cols;
    w->names = mlp_calloc(t->n_cols + 1, sizeof *w->names);
    w->types = mlp_calloc(t->n_cols + 1, sizeof *w->types);
    w->widths = mlp_calloc(t->n_cols + 1, sizeof *w->widths);
    if (w->names == NULL || w->types == NULL || w->widths == NULL)
        return MLP_ENOMEM;
    for (size_t i = 0; i < t->n_cols; i++) {
        w->names[i] = mlp_strdup(t->cols[i].pub.name);
        if (w->names[i] == NULL)
            return MLP_ENOMEM;
        w->types[i] = t->cols[i].pub.type;
        w->widths[i] = t->cols[i].pub.width;
    }
    return MLP_OK;
}

static int same_columns(const mlp_table_writer *w, const mlp_table *t,
                        mlp_error *err)
{
    if (t->n_cols != w->n_cols)
        return mlp_error_set(err, MLP_EINVAL, "%s: row group %zu has %zu "
                             "columns, the first has %zu", w->path,
                             w->n_groups + (w->first != NULL), t->n_cols,
                             w->n_cols);
    for (size_t i = 0; i < t->n_cols; i++) {
        const mlp_column *c = &t->cols[i].pub;
        if (strcmp(c->name, w->names[i]) != 0 || c->type != w->types[i] ||
            c->width != w->widths[i])
            return mlp_error_set(err, MLP_EINVAL, "%s: row group %zu: column "
                                 "%zu is '%s' (%s), in the first it is '%s' (%s)",
                                 w->path, w->n_groups + (w->first != NULL), i + 1,
                                 c->name, mlp_col_type_name(c->type), w->names[i],
                                 mlp_col_type_name(w->types[i]));
    }
    return MLP_OK;
}

static int write_group(mlp_table_writer *w, const mlp_table *t, mlp_error *err)
{
    uint64_t len;
    int rc;

    if (w->n_groups == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 64;
        group_ent *n = mlp_realloc(w->idx, cap * sizeof *n);
        if (n == NULL)
            return mlp_error_set(err, MLP_ENOMEM, "out of memory");
        w->idx = n;
        w->cap = cap;
    }
    rc = mlpi_table_write_image(w->fd, t, w->path, &len, err);
    if (rc != MLP_OK)
        return rc;
    /* Start writing to disk every few megabytes, so the fsync at the end
     * does not wait for the whole file (best effort: it only schedules;
     * not per group, since small groups would make many small writes). */
    if (w->pos + len - w->synced >= SYNC_EVERY) {
        sync_file_range(w->fd, (off_t)w->synced, (off_t)(w->pos + len - w->synced),
                        SYNC_FILE_RANGE_WRITE);
        w->synced = w->pos + len;
    }
    memset(&w->idx[w->n_groups], 0, sizeof w->idx[0]);
    w->idx[w->n_groups].offset = w->pos;
    w->idx[w->n_groups].length = len;
    w->idx[w->n_groups].n_rows = t->n_rows;
    w->n_groups++;
    w->pos += len;
    w->n_rows += t->n_rows;
    return MLP_OK;
}

int mlp_table_writer_add(mlp_table_writer *w, mlp_table *t, mlp_error *err)
{
    static const char zeros[HEADER_SIZE];
    int rc = MLP_OK;

    if (w->failed) {
        mlp_table_free(t);
        return mlp_error_set(err, MLP_EINVAL, "%s: an earlier row group "
                             "failed", w->path);
    }
    if (w->first == NULL && w->n_groups == 0) {
        if (remember_columns(w, t) != MLP_OK) {
            mlp_table_free(t);
            w->failed = 1;
            return mlp_error_set(err, MLP_ENOMEM, "out of memory");
        }
        w->first = t;
        return MLP_OK;
    }
    rc = same_columns(w, t, err);
    if (rc == MLP_OK && w->first != NULL) {
        /* A second group: the file is grouped.  The header comes last. */
        w->fd = open(w->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (w->fd < 0)
            rc = mlp_error_set(err, MLP_EIO, "cannot create %s: %s", w->tmp,
                               strerror(errno));
        else if (write(w->fd, zeros, HEADER_SIZE) != HEADER_SIZE)
            rc = mlp_error_set(err, MLP_EIO, "cannot write %s: %s", w->path,
                               strerror(errno));
        w->pos = HEADER_SIZE;
        if (rc == MLP_OK)
            rc = write_group(w, w->first, err);
        mlp_table_free(w->first);
        w->first = NULL;
    }
    if (rc == MLP_OK)
        rc = write_group(w, t, err);
    mlp_table_free(t);
    if (rc != MLP_OK)
        w->failed = 1;
    return rc;
}

static void free_writer(mlp_table_writer *w)
{
    if (w->fd >= 0)
        close(w->fd);
    mlp_table_free(w->first);
    for (size_t i = 0; w->names != NULL && i < w->n_cols; i++)
        mlp_free(w->names[i]);
    mlp_free(w->names);
    mlp_free(w->types);
    mlp_free(w->widths);
    mlp_free(w->idx);
    mlp_free(w->path);
    mlp_free(w);
}

void mlp_table_writer_abort(mlp_table_writer *w)
{
    if (w == NULL)
        return;
    if (w->fd >= 0)
        unlink(w->tmp);
    free_writer(w);
}

static int pwrite_all(int fd, const void *buf, size_t len, off_t at)
{
    const char *p = buf;

    while (len > 0) {
        ssize_t n = pwrite(fd, p, len, at);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
        at += n;
    }
    return 0;
}

int mlp_table_writer_close(mlp_table_writer *w, mlp_error *err)
{
    file_header h;
    size_t idx_len;
    int rc = MLP_OK;

    if (w->failed) {
        mlp_table_writer_abort(w);
        return mlp_error_set(err, MLP_EINVAL, "table not written: a row "
                             "group failed");
    }
    if (w->first != NULL) {
        rc = mlp_table_write(w->first, w->path, err);
        free_writer(w);
        return rc;
    }
    if (w->n_groups == 0) {
        rc = mlp_error_set(err, MLP_EINVAL, "%s: no row groups to write",
                           w->path);
        mlp_table_writer_abort(w);
        return rc;
    }
    idx_len = w->n_groups * sizeof *w->idx;
    memset(&h, 0, sizeof h);
    memcpy(h.magic, MLPI_MAGIC, 8);
    h.major = MLPI_GROUPED_MAJOR;
    h.minor = 0;
    h.endian = ENDIAN_PROBE;
    h.n_rows = w->n_rows;
    h.n_cols = (uint32_t)w->n_cols;
    h.dir_offset = w->pos;
    h.dir_size = idx_len;
    h.file_size = w->pos + idx_len;
    h.dir_hash = XXH3_64bits(w->idx, idx_len);
    h.header_hash = XXH3_64bits(&h, offsetof(file_header, header_hash));
    if (pwrite_all(w->fd, w->idx, idx_len, (off_t)w->pos) != 0 ||
        pwrite_all(w->fd, &h, sizeof h, 0) != 0 || fsync(w->fd) != 0)
        rc = mlp_error_set(err, MLP_EIO, "cannot write %s: %s", w->path,
                           strerror(errno));
    if (close(w->fd) != 0 && rc == MLP_OK)
        rc = mlp_error_set(err, MLP_EIO, "cannot write %s: %s", w->path,
                           strerror(errno));
    w->fd = -1;
    if (rc == MLP_OK && rename(w->tmp, w->path) != 0)
        rc = mlp_error_set(err, MLP_EIO, "cannot write %s: %s", w->path,
                           strerror(errno));
    if (rc != MLP_OK)
        unlink(w->tmp);
    free_writer(w);
    return rc;
}

/* ------------------------------------------------------------- reading */

int mlpi_table_is_grouped(const void *map, size_t size)
{
    const file_header *h = map;

    return size >= HEADER_SIZE && memcmp(h->magic, MLPI_MAGIC, 8) == 0 &&
           h->endian == ENDIAN_PROBE && h->major == MLPI_GROUPED_MAJOR;
}

/* The groups of a mapped 2.x file, checked against its header. */
static int read_index(const char *map, size_t size, const char *path,
                      const group_ent **idx, size_t *n, mlp_error *err)
{
    const file_header *h = (const file_header *)map;
    char what[256];
    uint64_t rows = 0, at = HEADER_SIZE;

    if (h->header_hash != XXH3_64bits(h, offsetof(file_header, header_hash)))
        return corrupt(err, path, "header checksum mismatch");
    if (h->minor > 0)
        return mlp_error_set(err, MLP_EVERSION, "%s: table format %u.%u, "
                             "this build reads 1.x and 2.0", path,
                             (unsigned)h->major, (unsigned)h->minor);
    if (h->file_size != size) {
        snprintf(what, sizeof what, "file has %zu bytes, header says %llu "
                 "(truncated?)", size, (unsigned long long)h->file_size);
        return corrupt(err, path, what);
    }
    if (h->dir_offset > size || h->dir_size > size - h->dir_offset ||
        h->dir_size == 0 || h->dir_size % sizeof(group_ent) != 0 ||
        h->dir_offset % 8 != 0 ||
        XXH3_64bits(map + h->dir_offset, h->dir_size) != h->dir_hash)
        return corrupt(err, path, "row group index damaged");
    *idx = (const group_ent *)(map + h->dir_offset);
    *n = (size_t)(h->dir_size / sizeof(group_ent));
    /* Groups in order, back to back, inside the file. */
    for (size_t g = 0; g < *n; g++) {
        const group_ent *e = &(*idx)[g];
        if (e->offset != at || e->length < HEADER_SIZE ||
            e->length > h->dir_offset - e->offset)
            return corrupt(err, path, "row group index damaged");
        at += e->length;
        rows += e->n_rows;
    }
    if (at != h->dir_offset || rows != h->n_rows)
        return corrupt(err, path, "row group index damaged");
    return MLP_OK;
}

/* Group g (or one column of it) of a mapped file, checked; its rows must
 * be the index's. */
/* Widens [*lo, *hi) to cover p[0..len) when that lies in [a, b). */
static void cover(const void *p, size_t len, const char *a, const char *b,
                  const char **lo, const char **hi)
{
    const char *x = p;
    if (x == NULL || x < a || x + len > b)
        return;
    if (*lo == NULL || x < *lo)
        *lo = x;
    if (*hi == NULL || x + len > *hi)
        *hi = x + len;
}

/* The bytes of the image one column's arrays take.  A reader going
 * through a group a column at a time gives back that column's pages when
 * it frees the piece, not the whole group's (which the next column would
 * fault in again). */
static void column_span(const mlp_column *c, const char *a, const char *b,
                        const char **lo, const char **hi)
{
    static const size_t pack_bytes[] = { 8, 4, 1, 1, 2, 2, 4, 8 };
    size_t n = c->n_rows;

    *lo = *hi = NULL;
    if (c->packed && (size_t)c->packing < sizeof pack_bytes / sizeof *pack_bytes)
        cover(c->packed, n * pack_bytes[c->packing], a, b, lo, hi);
    cover(c->num, n * sizeof *c->num, a, b, lo, hi);
    cover(c->mat, n * c->width * sizeof *c->mat, a, b, lo, hi);
    cover(c->codes, n * sizeof *c->codes, a, b, lo, hi);
    cover(c->ints, n * sizeof *c->ints, a, b, lo, hi);
    cover(c->missing, (n + 7) / 8, a, b, lo, hi);
    if (c->level_off) {
        cover(c->level_off, (c->n_levels + 1) * sizeof *c->level_off, a, b, lo, hi);
        cover(c->level_bytes, (size_t)c->level_off[c->n_levels], a, b, lo, hi);
    }
    if (c->str_off) {
        cover(c->str_off, (n + 1) * sizeof *c->str_off, a, b, lo, hi);
        cover(c->str_bytes, (size_t)c->str_off[n], a, b, lo, hi);
    }
}

/* dir_ok (may be NULL): per group, whether its directory hash was
 * checked already; the map is read-only and the file immutable, so once
 * is enough for as long as it is open. */
static int read_group(const char *map, const group_ent *e, size_t g,
                      const char *path, size_t want_col, int decode,
                      mlpi_release *rel, _Atomic unsigned char *dir_ok,
                      mlp_table **out, mlp_error *err)
{
    char where[4200];
    int rc;

    snprintf(where, sizeof where, "%s (row group %zu)", path, g + 1);
    rc = mlpi_table_parse_image(map + e->offset, (size_t)e->length, where, decode,
                                dir_ok != NULL && atomic_load(&dir_ok[g]), want_col,
                                out, err);
    if (rc == MLP_OK && dir_ok != NULL)
        atomic_store(&dir_ok[g], 1);
    if (rc == MLP_EINVAL)  /* it lacks the column the others have */
        return corrupt(err, where, "row groups have different columns");
    if (rc == MLP_OK && (*out)->n_rows != e->n_rows) {
        mlp_table_free(*out);
        *out = NULL;
        return corrupt(err, where, "row count differs from the index");
    }
    if (rc == MLP_OK) {
        const char *a = map + e->offset, *b = a + e->length, *lo, *hi;
        (*out)->advise = (void *)a;
        (*out)->advise_len = (size_t)e->length;
        (*out)->release = rel;
        if (want_col != SIZE_MAX && (*out)->n_cols == 1) {
            column_span(&(*out)->cols[0].pub, a, b, &lo, &hi);
            (*out)->advise = (void *)lo;
            (*out)->advise_len = lo ? (size_t)(hi - lo) : 0;
        }
    }
    return rc;
}

static int join_groups(const char *map, const group_ent *idx, size_t n,
                       const char *path, size_t want_col, mlpi_release *rel,
                       _Atomic unsigned char *dir_ok, mlp_table **out, mlp_error *err)
{
    mlp_table **parts = mlp_calloc(n + 1, sizeof *parts);
    int rc = MLP_OK;

    *out = NULL;
    if (parts == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    for (size_t g = 0; rc == MLP_OK && g < n; g++)
        rc = read_group(map, &idx[g], g, path, want_col, 1, rel, dir_ok, &parts[g], err);
    if (rc == MLP_OK) {
        rc = mlp_table_concat((const mlp_table *const *)parts, n, out, err);
        if (rc == MLP_EINVAL) {
            /* Groups that do not join were not written by the writer. */
            char why[sizeof err->msg];
            snprintf(why, sizeof why, "row groups do not join: %s", err->msg);
            rc = corrupt(err, path, why);
        }
    }
    for (size_t g = 0; g < n; g++)
        mlp_table_free(parts[g]);
    mlp_free(parts);
    return rc;
}

int mlpi_table_open_groups(void *map, size_t size, const char *path,
                           mlp_table **out, mlp_error *err)
{
    const group_ent *idx;
    size_t n;
    int rc = read_index(map, size, path, &idx, &n, err);

    if (rc == MLP_OK)
        rc = join_groups(map, idx, n, path, SIZE_MAX, NULL, NULL, out, err);
    munmap(map, size);
    return rc;
}

struct mlp_table_file {
    char *path;
    char *map;
    size_t size;
    group_ent one;          /* a 1.x file: one group, the whole file */
    const group_ent *idx;
    size_t n_groups;
    uint64_t n_rows;
    char **names;
    mlp_col_type *types;
    size_t n_cols;
    mlp_names *index;       /* names -> column */
    _Atomic unsigned char *dir_ok;  /* per group: directory hash checked */
    mlpi_release release;
};

void mlp_table_file_close(mlp_table_file *f)
{
    if (f == NULL)
        return;
    for (size_t i = 0; f->names != NULL && i < f->n_cols; i++)
        mlp_free(f->names[i]);
    mlp_free(f->names);
    mlp_free(f->types);
    mlp_names_free(f->index);
    mlp_free((void *)f->dir_ok);
    if (f->map != NULL)
        munmap(f->map, f->size);
    mlp_free(f->path);
    mlp_free(f);
}

/* The columns' names and types, from the first group's directory (checked
 * by its hash; the data is checked when read). */
static int read_columns(mlp_table_file *f, mlp_error *err)
{
    const char *img = f->map + f->idx[0].offset;
    const file_header *h = (const file_header *)img;
    size_t len = (size_t)f->idx[0].length;
    const uint8_t *dir = (const uint8_t *)img + HEADER_SIZE;

    if (len < HEADER_SIZE || memcmp(h->magic, MLPI_MAGIC, 8) != 0 ||
        h->header_hash != XXH3_64bits(h, offsetof(file_header, header_hash)) ||
        h->dir_offset != HEADER_SIZE || h->dir_size > len - HEADER_SIZE ||
        h->dir_size < (uint64_t)h->n_cols * 128 ||
        XXH3_64bits(dir, h->dir_size) != h->dir_hash)
        return corrupt(err, f->path, "column directory damaged");
    f->n_cols = h->n_cols;
    f->names = mlp_calloc(f->n_cols + 1, sizeof *f->names);
    f->types = mlp_calloc(f->n_cols + 1, sizeof *f->types);
    f->index = mlp_names_new();
    if (f->names == NULL || f->types == NULL || f->index == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    const char *names = (const char *)dir + (size_t)h->n_cols * 128;
    size_t names_len = (size_t)(h->dir_size - (uint64_t)h->n_cols * 128);
    for (size_t i = 0; i < f->n_cols; i++) {
        /* Entry layout (table_io.c): type, encoding, width, name_off,
         * name_len. */
        uint32_t type, name_len;
        uint64_t name_off;
        memcpy(&type, dir + i * 128, 4);
        memcpy(&name_off, dir + i * 128 + 16, 8);
        memcpy(&name_len, dir + i * 128 + 24, 4);
        if (name_off > names_len || name_len > names_len - name_off ||
            type < MLP_COL_NUMERIC || type > MLP_COL_MATRIX)
            return corrupt(err, f->path, "column directory damaged");
        f->names[i] = mlp_malloc(name_len + 1);
        if (f->names[i] == NULL)
            return mlp_error_set(err, MLP_ENOMEM, "out of memory");
        memcpy(f->names[i], names + name_off, name_len);
        f->names[i][name_len] = '\0';
        f->types[i] = (mlp_col_type)type;
        int rc = mlp_names_add(f->index, f->names[i], i, NULL);
        if (rc == MLP_EEXIST)
            return corrupt(err, f->path, "column directory names a column twice");
        if (rc != MLP_OK)
            return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    }
    return MLP_OK;
}

ptrdiff_t mlp_table_file_find(const mlp_table_file *f, const char *name)
{
    size_t i = mlp_names_find(f->index, name);
    return i == SIZE_MAX ? -1 : (ptrdiff_t)i;
}

int mlp_table_file_open(const char *path, mlp_table_file **out, mlp_error *err)
{
    mlp_table_file *f;
    struct stat st;
    int fd, rc = MLP_OK;

    *out = NULL;
    f = mlp_calloc(1, sizeof *f);
    if (f == NULL || (f->path = mlp_strdup(path)) == NULL) {
        mlp_free(f);
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    }
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        rc = mlp_error_set(err, errno == ENOENT ? MLP_ENOTFOUND : MLP_EIO,
                           "cannot open %s: %s", path, strerror(errno));
        goto fail;
    }
    if (fstat(fd, &st) != 0) {
        rc = mlp_error_set(err, MLP_EIO, "%s: %s", path, strerror(errno));
        close(fd);
        goto fail;
    }
    f->size = (size_t)st.st_size;
    if (f->size < HEADER_SIZE) {
        close(fd);
        rc = corrupt(err, path, "shorter than a table header (truncated?)");
        goto fail;
    }
    f->map = mmap(NULL, f->size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (f->map == MAP_FAILED) {
        f->map = NULL;
        rc = mlp_error_set(err, MLP_EIO, "cannot map %s: %s", path,
                           strerror(errno));
        goto fail;
    }
    atomic_init(&f->release.pending, 0);
    f->release.map = f->map;
    f->release.size = f->size;
    if (mlpi_table_is_grouped(f->map, f->size)) {
        rc = read_index(f->map, f->size, path, &f->idx, &f->n_groups, err);
        f->n_rows = rc == MLP_OK ? ((const file_header *)f->map)->n_rows : 0;
    } else {
        /* A 1.x file: its header is checked here as when it is opened. */
        f->one.offset = 0;
        f->one.length = f->size;
        f->one.n_rows = ((const file_header *)f->map)->n_rows;
        f->idx = &f->one;
        f->n_groups = 1;
        f->n_rows = f->one.n_rows;
        rc = mlpi_table_check_header(f->map, f->size, path, 0, err);
    }
    if (rc == MLP_OK)
        rc = read_columns(f, err);
    if (rc == MLP_OK && (f->dir_ok = mlp_calloc(f->n_groups + 1, sizeof *f->dir_ok)) == NULL)
        rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
    if (rc != MLP_OK)
        goto fail;
    *out = f;
    return MLP_OK;
fail:
    mlp_table_file_close(f);
    return rc;
}

size_t mlp_table_file_n_groups(const mlp_table_file *f) { return f->n_groups; }
size_t mlp_table_file_n_rows(const mlp_table_file *f) { return (size_t)f->n_rows; }
size_t mlp_table_file_n_cols(const mlp_table_file *f) { return f->n_cols; }

const char *mlp_table_file_col_name(const mlp_table_file *f, size_t i)
{
    return i < f->n_cols ? f->names[i] : NULL;
}

mlp_col_type mlp_table_file_col_type(const mlp_table_file *f, size_t i)
{
    return i < f->n_cols ? f->types[i] : (mlp_col_type)0;
}

static int file_group(mlp_table_file *f, size_t g, int decode, mlp_table **out,
                      mlp_error *err)
{
    *out = NULL;
    if (g >= f->n_groups)
        return mlp_error_set(err, MLP_EINVAL, "%s: no row group %zu (it has "
                             "%zu)", f->path, g + 1, f->n_groups);
    int rc = read_group(f->map, &f->idx[g], g, f->path, SIZE_MAX, decode, &f->release,
                        f->dir_ok, out, err);
    /* Each group is checked on its own: hold it to the first's columns. */
    for (size_t i = 0; rc == MLP_OK && i < f->n_cols; i++)
        if ((*out)->n_cols != f->n_cols || strcmp((*out)->cols[i].pub.name, f->names[i]) != 0 ||
            (*out)->cols[i].pub.type != f->types[i]) {
            mlp_table_free(*out);
            *out = NULL;
            rc = corrupt(err, f->path, "row groups have different columns");
        }
    return rc;
}

int mlp_table_file_group(mlp_table_file *f, size_t g, mlp_table **out, mlp_error *err)
{
    return file_group(f, g, MLPI_DECODE_ALL, out, err);
}

int mlp_table_file_group_packed(mlp_table_file *f, size_t g, mlp_table **out,
                                mlp_error *err)
{
    return file_group(f, g, MLPI_DECODE_WIDE, out, err);
}

int mlp_table_file_group_column(mlp_table_file *f, size_t g, size_t i,
                                mlp_table **out, mlp_error *err)
{
    mlp_table *t = NULL;
    int rc;

    *out = NULL;
    if (g >= f->n_groups || i >= f->n_cols)
        return mlp_error_set(err, MLP_EINVAL, "%s: no column %zu of row group "
                             "%zu (it has %zu columns, %zu groups)", f->path,
                             i + 1, g + 1, f->n_cols, f->n_groups);
    rc = read_group(f->map, &f->idx[g], g, f->path, i, 0, &f->release, f->dir_ok, &t, err);
    if (rc != MLP_OK)
        return rc;
    const mlp_column *c = &t->cols[0].pub;
    if (strcmp(c->name, f->names[i]) != 0 || c->type != f->types[i]) {
        mlp_table_free(t);
        return corrupt(err, f->path, "row groups have different columns");
    }
    /* Narrow integers stay as stored, for readers that count them. */
    if (c->type == MLP_COL_NUMERIC && c->num == NULL &&
        c->packing != MLP_PACK_U8 && c->packing != MLP_PACK_I8 &&
        c->packing != MLP_PACK_U16 && c->packing != MLP_PACK_I16 &&
        (rc = mlp_table_decode(t, 0, err)) != MLP_OK) {
        mlp_table_free(t);
        return rc;
    }
    *out = t;
    return MLP_OK;
}

int mlp_table_file_numbers(mlp_table_file *f, size_t i, double **out, size_t *n,
                           mlp_error *err)
{
    double *v;
    size_t at = 0;

    *out = NULL;
    *n = 0;
    if (i >= f->n_cols || f->types[i] != MLP_COL_NUMERIC)
        return mlp_error_set(err, MLP_EINVAL, "%s: column %zu is %s, not numeric", f->path,
                             i + 1, i < f->n_cols ? mlp_col_type_name(f->types[i]) : "absent");
    v = mlp_malloc((f->n_rows + 1) * sizeof *v);
    if (v == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    for (size_t g = 0; g < f->n_groups; g++) {
        mlp_table *t = NULL;
        int rc = mlp_table_file_group_column(f, g, i, &t, err);
        if (rc != MLP_OK) {
            mlp_free(v);
            return rc;
        }
        const mlp_column *c = mlp_table_column(t, 0);
        if (c->n_rows > f->n_rows - at) {
            mlp_table_free(t);
            mlp_free(v);
            return corrupt(err, f->path, "row groups hold more rows than the file");
        }
        mlp_column_numbers(c, 0, c->n_rows, v + at);
        at += c->n_rows;
        mlp_table_free(t);
    }
    *out = v;
    *n = at;
    return MLP_OK;
}

int mlp_table_file_column(mlp_table_file *f, size_t i, mlp_table **out,
                          mlp_error *err)
{
    *out = NULL;
    if (i >= f->n_cols)
        return mlp_error_set(err, MLP_EINVAL, "%s: no column %zu (it has %zu)",
                             f->path, i + 1, f->n_cols);
    return join_groups(f->map, f->idx, f->n_groups, f->path, i, &f->release, f->dir_ok,
                       out, err);
}

int mlp_table_file_column_packed(mlp_table_file *f, size_t i, mlp_table **out,
                                 mlp_error *err)
{
    mlp_table *whole = NULL, *t;
    const mlp_column *c;
    mlp_packing packing;
    void *buf;
    uint8_t *miss = NULL;
    int rc = mlp_table_file_column(f, i, &whole, err);

    *out = NULL;
    if (rc != MLP_OK)
        return rc;
    c = mlp_table_column(whole, 0);
    if (mlpi_table_pack(c, &packing, &buf) != MLP_OK) {
        mlp_table_free(whole);
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    }
    /* Only the narrow integers a reader counts in place: wider forms
     * would have to be decoded again. */
    if (packing != MLP_PACK_U8 && packing != MLP_PACK_I8 &&
        packing != MLP_PACK_U16 && packing != MLP_PACK_I16) {
        mlp_free(buf);
        *out = whole;
        return MLP_OK;
    }
    if (c->missing != NULL) {
        miss = mlp_malloc(c->n_rows / 8 + 1);
        if (miss == NULL) {
            mlp_free(buf);
            mlp_table_free(whole);
            return mlp_error_set(err, MLP_ENOMEM, "out of memory");
        }
        memcpy(miss, c->missing, (c->n_rows + 7) / 8);
    }
    t = mlp_table_new(c->n_rows);
    if (t == NULL) {
        mlp_free(buf);
        mlp_free(miss);
        mlp_table_free(whole);
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    }
    rc = mlp_table_adopt_packed(t, c->name, packing, buf, miss, err);
    mlp_table_free(whole);
    if (rc != MLP_OK) {
        mlp_table_free(t);
        return rc;
    }
    *out = t;
    return MLP_OK;
}
