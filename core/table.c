/* In-memory tables: building columns and reading them. */
#define _GNU_SOURCE
#include <fnmatch.h>
#include <math.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <mlpipe/memory.h>

#include "table_priv.h"

mlp_table *mlp_table_new(size_t n_rows)
{
    mlp_table *t = mlp_calloc(1, sizeof *t);

    if (t != NULL)
        t->n_rows = n_rows;
    return t;
}

void mlp_table_free(mlp_table *t)
{
    if (t == NULL)
        return;
    for (size_t i = 0; i < t->n_cols; i++) {
        mlp_free(t->cols[i].name);
        for (int k = 0; k < 4; k++)
            mlp_free(t->cols[i].owned[k]);
    }
    mlp_free(t->cols);
    mlp_names_free(t->index);
    if (t->map != NULL)
        munmap(t->map, t->map_len);
    if (t->advise != NULL && t->release != NULL) {
        mlpi_release *r = t->release;
        if (atomic_fetch_add(&r->pending, t->advise_len) + t->advise_len >=
                MLPI_RELEASE_BATCH &&
            atomic_exchange(&r->pending, 0) >= MLPI_RELEASE_BATCH)
            madvise(r->map, r->size, MADV_DONTNEED);
    } else if (t->advise != NULL) {
        /* Whole pages only; a neighbour group sharing an edge page just
         * reads it from the page cache again. */
        uintptr_t a = (uintptr_t)t->advise, page = (uintptr_t)sysconf(_SC_PAGESIZE);
        uintptr_t lo = a & ~(page - 1), hi = (a + t->advise_len + page - 1) & ~(page - 1);
        madvise((void *)lo, hi - lo, MADV_DONTNEED);
    }
    mlp_free(t);
}

size_t mlp_table_n_rows(const mlp_table *t) { return t->n_rows; }
size_t mlp_table_n_cols(const mlp_table *t) { return t->n_cols; }

const mlp_column *mlp_table_column(const mlp_table *t, size_t i)
{
    return i < t->n_cols ? &t->cols[i].pub : NULL;
}

enum { INDEX_FROM = 16 };   /* columns before names are indexed */

/* Puts the column just pushed in the index, building the index when the
 * table reaches INDEX_FROM columns.  Without memory the index is dropped;
 * finding then scans, slower but with the same answers. */
static void index_last(mlp_table *t)
{
    size_t from = t->n_cols - 1;

    if (t->n_cols < INDEX_FROM)
        return;
    if (t->index == NULL) {
        if ((t->index = mlp_names_new()) == NULL)
            return;
        from = 0;
    }
    for (size_t i = from; i < t->n_cols; i++)
        if (mlp_names_add(t->index, t->cols[i].name, i, NULL) == MLP_ENOMEM) {
            mlp_names_free(t->index);
            t->index = NULL;
            return;
        }
}

const mlp_column *mlp_table_find(const mlp_table *t, const char *name)
{
    if (t->index != NULL) {
        size_t i = mlp_names_find(t->index, name);
        return i == SIZE_MAX ? NULL : &t->cols[i].pub;
    }
    for (size_t i = 0; i < t->n_cols; i++)
        if (strcmp(t->cols[i].pub.name, name) == 0)
            return &t->cols[i].pub;
    return NULL;
}

const char *mlp_col_type_name(mlp_col_type type)
{
    switch (type) {
    case MLP_COL_NUMERIC: return "numeric";
    case MLP_COL_CATEGORICAL: return "categorical";
    case MLP_COL_STRING: return "string";
    case MLP_COL_MATRIX: return "matrix";
    }
    return "unknown";
}

int mlp_column_selector_is_pattern(const char *entry)
{
    return entry[0] == ':' || strpbrk(entry, "*?[") != NULL;
}

int mlp_column_selected(const char *entry, const char *name, mlp_col_type type)
{
    if (strcmp(entry, ":numeric") == 0)
        return type == MLP_COL_NUMERIC;
    if (strcmp(entry, ":categorical") == 0)
        return type == MLP_COL_CATEGORICAL;
    if (strcmp(entry, ":string") == 0)
        return type == MLP_COL_STRING;
    if (entry[0] == ':')
        return 0;
    return strpbrk(entry, "*?[") ? fnmatch(entry, name, 0) == 0 : strcmp(entry, name) == 0;
}

double mlp_column_number(const mlp_column *c, size_t row)
{
    if (c->missing && (c->missing[row >> 3] >> (row & 7) & 1))
        return NAN;
    if (c->num)
        return c->num[row];
    switch (c->packing) {
    case MLP_PACK_U8: return ((const uint8_t *)c->packed)[row];
    case MLP_PACK_I8: return ((const int8_t *)c->packed)[row];
    case MLP_PACK_U16: return ((const uint16_t *)c->packed)[row];
    case MLP_PACK_I16: return ((const int16_t *)c->packed)[row];
    case MLP_PACK_I32: return ((const int32_t *)c->packed)[row];
    case MLP_PACK_F32: return ((const float *)c->packed)[row];
    case MLP_PACK_F64: return ((const double *)c->packed)[row];
    case MLP_PACK_I64: return (double)((const int64_t *)c->packed)[row];
    }
    return NAN;
}

#define WIDEN(T)                                                  \
    for (size_t i = 0; i < n; i++)                                \
        out[i] = (double)((const T *)c->packed)[first + i];       \
    break

void mlp_column_numbers(const mlp_column *c, size_t first, size_t n, double *out)
{
    if (c->num) {
        memcpy(out, c->num + first, n * sizeof *out);
    } else {
        switch (c->packing) {
        case MLP_PACK_U8: WIDEN(uint8_t);
        case MLP_PACK_I8: WIDEN(int8_t);
        case MLP_PACK_U16: WIDEN(uint16_t);
        case MLP_PACK_I16: WIDEN(int16_t);
        case MLP_PACK_I32: WIDEN(int32_t);
        case MLP_PACK_F32: WIDEN(float);
        case MLP_PACK_F64: WIDEN(double);
        case MLP_PACK_I64: WIDEN(int64_t);
        default:
            for (size_t i = 0; i < n; i++)
                out[i] = NAN;
        }
    }
    for (size_t i = 0; c->missing && i < n; i++) {
        size_t row = first + i;
        if (c->missing[row >> 3] >> (row & 7) & 1)
            out[i] = NAN;
    }
}
#undef WIDEN

const char *mlp_column_string(const mlp_column *c, size_t row, size_t *len)
{
    *len = (size_t)(c->str_off[row + 1] - c->str_off[row]);
    return c->str_bytes + c->str_off[row];
}

const char *mlp_column_level(const mlp_column *c, size_t k, size_t *len)
{
    *len = (size_t)(c->level_off[k + 1] - c->level_off[k]);
    return c->level_bytes + c->level_off[k];
}

int mlpi_table_push(mlp_table *t, const char *name, mlp_error *err,
                    mlpi_col **out)
{
    mlpi_col *c;

    if (name == NULL || name[0] == '\0')
        return mlp_error_set(err, MLP_EINVAL, "column name is empty");
    if (mlp_table_find(t, name) != NULL)
        return mlp_error_set(err, MLP_EEXIST, "column '%s' appears twice",
                             name);
    if (t->n_cols == t->cap_cols) {
        size_t cap = t->cap_cols ? t->cap_cols * 2 : 8;
        mlpi_col *nc = mlp_realloc(t->cols, cap * sizeof *nc);
        if (nc == NULL)
            return mlp_error_set(err, MLP_ENOMEM, "out of memory");
        t->cols = nc;
        t->cap_cols = cap;
    }
    c = &t->cols[t->n_cols];
    memset(c, 0, sizeof *c);
    c->name = mlp_strdup(name);
    if (c->name == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    c->pub.name = c->name;
    c->pub.n_rows = t->n_rows;
    c->pub.width = 1;
    t->n_cols++;
    index_last(t);
    *out = c;
    return MLP_OK;
}

/* Drops the column just pushed, after a failed allocation. */
static int pop_nomem(mlp_table *t, mlp_error *err)
{
    /* The index holds the name about to be freed: drop it (finding scans
     * until the next push builds it again). */
    mlp_names_free(t->index);
    t->index = NULL;
    mlpi_col *c = &t->cols[--t->n_cols];

    mlp_free(c->name);
    for (int k = 0; k < 4; k++)
        mlp_free(c->owned[k]);
    return mlp_error_set(err, MLP_ENOMEM, "out of memory");
}

static void *dup_bytes(const void *src, size_t n)
{
    void *p = mlp_malloc(n ? n : 1);

    if (p != NULL && n > 0)
        memcpy(p, src, n);
    return p;
}

static size_t bitmap_bytes(size_t n) { return (n + 7) / 8; }

static int any_bit(const uint8_t *bits, size_t n)
{
    for (size_t i = 0; i < bitmap_bytes(n); i++)
        if (bits[i])
            return 1;
    return 0;
}

/* Takes a missing bitmap for column c: kept when some bit is set (and the
 * bits past n_rows cleared, so files written from here compare equal
 * whatever the caller left in the padding), freed otherwise.  Returns 1
 * when kept. */
static int adopt_missing(mlp_table *t, mlpi_col *c, uint8_t *missing)
{
    if (missing == NULL || !any_bit(missing, t->n_rows)) {
        mlp_free(missing);
        return 0;
    }
    if (t->n_rows & 7)
        missing[t->n_rows >> 3] &= (uint8_t)((1u << (t->n_rows & 7)) - 1);
    c->owned[1] = missing;
    c->pub.missing = missing;
    return 1;
}

int mlp_table_adopt_numeric(mlp_table *t, const char *name, double *values,
                            uint8_t *missing, mlp_error *err)
{
    mlpi_col *c;
    int rc = mlpi_table_push(t, name, err, &c);

    if (rc != MLP_OK) {
        mlp_free(values);
        mlp_free(missing);
        return rc;
    }
    c->pub.type = MLP_COL_NUMERIC;
    c->owned[0] = values;
    c->pub.num = values;
    if (adopt_missing(t, c, missing))
        for (size_t i = 0; i < t->n_rows; i++)
            if ((missing[i >> 3] >> (i & 7)) & 1)
                values[i] = NAN;
    return MLP_OK;
}

int mlpi_table_adopt_coded(mlp_table *t, const char *name, double *values,
                           uint8_t *missing, uint8_t *codes, double *dict, size_t k,
                           mlp_error *err)
{
    int rc = mlp_table_adopt_numeric(t, name, values, missing, err);

    if (rc != MLP_OK || k == 0 || k > 256) {
        mlp_free(codes);
        mlp_free(dict);
        return rc;
    }
    mlpi_col *c = &t->cols[t->n_cols - 1];
    c->owned[2] = codes;
    c->owned[3] = dict;
    c->coded = codes;
    c->coded_dict = dict;
    c->n_coded = k;
    return MLP_OK;
}

/* Beyond 2^53 a double no longer holds every integer. */
#define EXACT_LIMIT 9007199254740992.0

int mlp_table_adopt_int64(mlp_table *t, const char *name, int64_t *values,
                          uint8_t *missing, mlp_error *err)
{
    size_t n = t->n_rows;
    double *v = mlp_malloc((n ? n : 1) * sizeof *v);
    int wide = 0, rc;

    if (v == NULL) {
        mlp_free(values);
        mlp_free(missing);
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        if (missing != NULL && ((missing[i >> 3] >> (i & 7)) & 1)) {
            values[i] = 0;
            continue;
        }
        v[i] = (double)values[i];
        /* On the integers: 2^53 + 1 rounds to a double that is not beyond. */
        wide |= values[i] > ((int64_t)1 << 53) || values[i] < -((int64_t)1 << 53);
    }
    rc = mlp_table_adopt_numeric(t, name, v, missing, err);
    if (rc != MLP_OK || !wide) {
        mlp_free(values);
        return rc;
    }
    t->cols[t->n_cols - 1].owned[2] = values;
    t->cols[t->n_cols - 1].pub.ints = values;
    return MLP_OK;
}

/* The exact integers of rows[0..n) of a column that has them; owned. */
static int64_t *pick_ints(const mlp_column *c, const size_t *rows, size_t n)
{
    int64_t *v = mlp_malloc((n ? n : 1) * sizeof *v);

    for (size_t i = 0; v != NULL && i < n; i++)
        v[i] = c->ints[rows ? rows[i] : i];
    return v;
}

static uint8_t *copy_missing(const mlp_column *c, const size_t *rows, size_t n,
                             int *failed)
{
    uint8_t *m;

    *failed = 0;
    if (c->missing == NULL)
        return NULL;
    m = mlp_calloc((n + 7) / 8 + 1, 1);
    if (m == NULL) {
        *failed = 1;
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        if (mlp_column_is_missing(c, rows ? rows[i] : i))
            m[i >> 3] |= (uint8_t)(1u << (i & 7));
    return m;
}

/* A copy of rows[0..n) (all rows when rows is NULL) of a column with
 * exact integers, keeping them exact. */
static int copy_int64(mlp_table *t, const char *name, const mlp_column *c,
                      const size_t *rows, size_t n, mlp_error *err)
{
    int failed;
    int64_t *v = pick_ints(c, rows, n);
    uint8_t *m = copy_missing(c, rows, n, &failed);

    if (v == NULL || failed) {
        mlp_free(v);
        mlp_free(m);
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    }
    return mlp_table_adopt_int64(t, name, v, m, err);
}

int mlp_table_adopt_packed(mlp_table *t, const char *name, mlp_packing packing,
                           void *values, uint8_t *missing, mlp_error *err)
{
    mlpi_col *c;
    int rc;

    if (packing == MLP_PACK_F64) {
        /* Doubles are the ordinary numeric column. */
        return mlp_table_adopt_numeric(t, name, values, missing, err);
    }
    if ((int)packing < MLP_PACK_F32 || (int)packing > MLP_PACK_I32) {
        mlp_free(values);
        mlp_free(missing);
        return mlp_error_set(err, MLP_EINVAL, "column '%s': %s %d", name,
                             packing == MLP_PACK_I64 ? "int64 values take "
                             "mlp_table_adopt_int64, not packing"
                             : "unknown packing", (int)packing);
    }
    rc = mlpi_table_push(t, name, err, &c);
    if (rc != MLP_OK) {
        mlp_free(values);
        mlp_free(missing);
        return rc;
    }
    c->pub.type = MLP_COL_NUMERIC;
    c->pub.packing = packing;
    c->pub.packed = values;
    c->owned[0] = values;
    adopt_missing(t, c, missing);
    return MLP_OK;
}

int mlp_table_add_numeric(mlp_table *t, const char *name, const double *values,
                          const uint8_t *missing, mlp_error *err)
{
    double *v = dup_bytes(values, t->n_rows * sizeof *v);
    uint8_t *m = NULL;

    if (missing != NULL)
        m = dup_bytes(missing, bitmap_bytes(t->n_rows));
    if (v == NULL || (missing != NULL && m == NULL)) {
        mlp_free(v);
        mlp_free(m);
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    }
    return mlp_table_adopt_numeric(t, name, v, m, err);
}

int mlp_table_adopt_matrix(mlp_table *t, const char *name, size_t width,
                           float *values, mlp_error *err)
{
    mlpi_col *c;
    int rc;

    if (width == 0) {
        mlp_free(values);
        return mlp_error_set(err, MLP_EINVAL, "matrix column '%s' has width 0",
                             name);
    }
    rc = mlpi_table_push(t, name, err, &c);
    if (rc != MLP_OK) {
        mlp_free(values);
        return rc;
    }
    c->pub.type = MLP_COL_MATRIX;
    c->pub.width = width;
    c->owned[0] = values;
    c->pub.mat = values;
    return MLP_OK;
}

int mlp_table_add_matrix(mlp_table *t, const char *name, size_t width,
                         const float *values, mlp_error *err)
{
    float *v = dup_bytes(values, t->n_rows * width * sizeof *v);

    if (v == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    return mlp_table_adopt_matrix(t, name, width, v, err);
}

int mlp_table_add_categorical(mlp_table *t, const char *name,
                              const int32_t *codes, size_t n_levels,
                              const char *const *levels, mlp_error *err)
{
    mlpi_col *c;
    size_t total = 0;
    uint64_t *off;
    char *bytes;
    int rc;

    for (size_t i = 0; i < t->n_rows; i++)
        if (codes[i] < -1 || (codes[i] >= 0 && (size_t)codes[i] >= n_levels))
            return mlp_error_set(err, MLP_EINVAL,
                                 "column '%s' row %zu: code %d outside the "
                                 "dictionary of %zu levels",
                                 name, i, (int)codes[i], n_levels);
    for (size_t k = 0; k < n_levels; k++)
        total += strlen(levels[k]);
    rc = mlpi_table_push(t, name, err, &c);
    if (rc != MLP_OK)
        return rc;
    c->pub.type = MLP_COL_CATEGORICAL;
    c->owned[0] = dup_bytes(codes, t->n_rows * sizeof *codes);
    c->owned[1] = off = mlp_malloc((n_levels + 1) * sizeof *off);
    c->owned[2] = bytes = mlp_malloc(total ? total : 1);
    if (c->owned[0] == NULL || off == NULL || bytes == NULL)
        return pop_nomem(t, err);
    off[0] = 0;
    for (size_t k = 0; k < n_levels; k++) {
        size_t n = strlen(levels[k]);
        memcpy(bytes + off[k], levels[k], n);
        off[k + 1] = off[k] + n;
    }
    c->pub.codes = c->owned[0];
    c->pub.n_levels = n_levels;
    c->pub.level_off = off;
    c->pub.level_bytes = bytes;
    return MLP_OK;
}

int mlp_table_add_string(mlp_table *t, const char *name,
                         const char *const *values, mlp_error *err)
{
    mlpi_col *c;
    size_t total = 0, n = t->n_rows;
    uint64_t *off;
    char *bytes;
    uint8_t *miss;
    int rc, any = 0;

    for (size_t i = 0; i < n; i++)
        if (values[i] != NULL)
            total += strlen(values[i]);
        else
            any = 1;
    rc = mlpi_table_push(t, name, err, &c);
    if (rc != MLP_OK)
        return rc;
    c->pub.type = MLP_COL_STRING;
    c->owned[0] = off = mlp_malloc((n + 1) * sizeof *off);
    c->owned[1] = bytes = mlp_malloc(total ? total : 1);
    c->owned[2] = miss = any ? mlp_calloc(bitmap_bytes(n) ? bitmap_bytes(n) : 1, 1)
                             : NULL;
    if (off == NULL || bytes == NULL || (any && miss == NULL))
        return pop_nomem(t, err);
    off[0] = 0;
    for (size_t i = 0; i < n; i++) {
        size_t len = values[i] != NULL ? strlen(values[i]) : 0;
        if (values[i] == NULL)
            miss[i >> 3] |= (uint8_t)(1u << (i & 7));
        else
            memcpy(bytes + off[i], values[i], len);
        off[i + 1] = off[i] + len;
    }
    c->pub.str_off = off;
    c->pub.str_bytes = bytes;
    c->pub.missing = miss;
    return MLP_OK;
}

int mlp_table_adopt_string(mlp_table *t, const char *name, uint64_t *offsets,
                           char *bytes, uint8_t *missing, mlp_error *err)
{
    mlpi_col *c;
    size_t n = t->n_rows;
    int rc = MLP_OK;

    if (offsets[0] != 0)
        rc = mlp_error_set(err, MLP_EINVAL, "column '%s': string offsets must "
                           "start at 0", name);
    for (size_t i = 0; rc == MLP_OK && i < n; i++)
        if (offsets[i + 1] < offsets[i])
            rc = mlp_error_set(err, MLP_EINVAL, "column '%s': string offsets "
                               "decrease at row %zu", name, i + 1);
    if (rc == MLP_OK)
        rc = mlpi_table_push(t, name, err, &c);
    if (rc != MLP_OK) {
        mlp_free(offsets);
        mlp_free(bytes);
        mlp_free(missing);
        return rc;
    }
    c->pub.type = MLP_COL_STRING;
    c->owned[0] = offsets;
    c->owned[2] = bytes;
    c->pub.str_off = offsets;
    c->pub.str_bytes = bytes;
    adopt_missing(t, c, missing);  /* owned[1], as for every adopted column */
    return MLP_OK;
}

int mlp_table_add_copy(mlp_table *t, const char *name, const mlp_column *src,
                       mlp_error *err)
{
    mlpi_col *c;
    size_t n = t->n_rows;
    int rc;

    if (src->n_rows != n)
        return mlp_error_set(err, MLP_EINVAL, "column '%s' has %zu rows, the "
                             "table %zu", src->name, src->n_rows, n);
    switch (src->type) {
    case MLP_COL_NUMERIC:
        if (src->ints != NULL)
            return copy_int64(t, name, src, NULL, n, err);
        if (src->num == NULL) {
            /* Packed as a file stores it: copied as numbers. */
            double *v = mlp_malloc((n ? n : 1) * sizeof *v);
            if (v == NULL)
                return mlp_error_set(err, MLP_ENOMEM, "out of memory");
            for (size_t i = 0; i < n; i++)
                v[i] = mlp_column_number(src, i);
            rc = mlp_table_add_numeric(t, name, v, src->missing, err);
            mlp_free(v);
            return rc;
        }
        return mlp_table_add_numeric(t, name, src->num, src->missing, err);
    case MLP_COL_MATRIX:
        return mlp_table_add_matrix(t, name, src->width, src->mat, err);
    case MLP_COL_CATEGORICAL:
    case MLP_COL_STRING:
        break;
    }
    rc = mlpi_table_push(t, name, err, &c);
    if (rc != MLP_OK)
        return rc;
    c->pub.type = src->type;
    if (src->type == MLP_COL_CATEGORICAL) {
        size_t bytes = src->level_off[src->n_levels];
        c->owned[0] = dup_bytes(src->codes, n * sizeof *src->codes);
        c->owned[1] = dup_bytes(src->level_off, (src->n_levels + 1) * sizeof(uint64_t));
        c->owned[2] = dup_bytes(src->level_bytes, bytes);
        if (!c->owned[0] || !c->owned[1] || !c->owned[2])
            return pop_nomem(t, err);
        c->pub.codes = c->owned[0];
        c->pub.n_levels = src->n_levels;
        c->pub.level_off = c->owned[1];
        c->pub.level_bytes = c->owned[2];
    } else {
        c->owned[0] = dup_bytes(src->str_off, (n + 1) * sizeof(uint64_t));
        c->owned[1] = dup_bytes(src->str_bytes, src->str_off[n]);
        if (src->missing != NULL)
            c->owned[2] = dup_bytes(src->missing, bitmap_bytes(n));
        if (!c->owned[0] || !c->owned[1] || (src->missing && !c->owned[2]))
            return pop_nomem(t, err);
        c->pub.str_off = c->owned[0];
        c->pub.str_bytes = c->owned[1];
        c->pub.missing = c->owned[2];
    }
    return MLP_OK;
}

/* Row i of a STRING column, or level k of a CATEGORICAL one, as an owned
 * NUL-terminated copy (mlp_free); NULL on exhaustion. */
static char *text_copy(const mlp_column *c, size_t i)
{
    size_t len;
    const char *s = c->type == MLP_COL_STRING ? mlp_column_string(c, i, &len)
                                              : mlp_column_level(c, i, &len);
    char *d = mlp_malloc(len + 1);

    if (d != NULL) {
        memcpy(d, s, len);
        d[len] = '\0';
    }
    return d;
}

static int select_column(mlp_table *t, const mlp_column *c, const size_t *rows,
                         size_t n, mlp_error *err)
{
    switch (c->type) {
    case MLP_COL_NUMERIC: {
        double *v;
        uint8_t *m = NULL;
        if (c->ints != NULL)
            return copy_int64(t, c->name, c, rows, n, err);
        v = mlp_malloc((n ? n : 1) * sizeof *v);
        if (c->missing != NULL)
            m = mlp_calloc(bitmap_bytes(n) + 1, 1);
        if (v == NULL || (c->missing != NULL && m == NULL)) {
            mlp_free(v);
            mlp_free(m);
            return mlp_error_set(err, MLP_ENOMEM, "out of memory");
        }
        for (size_t i = 0; i < n; i++) {
            v[i] = c->num ? c->num[rows[i]] : mlp_column_number(c, rows[i]);
            if (m != NULL && mlp_column_is_missing(c, rows[i]))
                m[i >> 3] |= (uint8_t)(1u << (i & 7));
        }
        return mlp_table_adopt_numeric(t, c->name, v, m, err);
    }
    case MLP_COL_MATRIX: {
        float *v = mlp_malloc((n ? n : 1) * c->width * sizeof *v);
        if (v == NULL)
            return mlp_error_set(err, MLP_ENOMEM, "out of memory");
        for (size_t i = 0; i < n; i++)
            memcpy(v + i * c->width, c->mat + rows[i] * c->width,
                   c->width * sizeof *v);
        return mlp_table_adopt_matrix(t, c->name, c->width, v, err);
    }
    case MLP_COL_CATEGORICAL: {
        int32_t *codes = mlp_malloc((n ? n : 1) * sizeof *codes);
        const char **levels = mlp_malloc((c->n_levels + 1) * sizeof *levels);
        char **copies = mlp_calloc(c->n_levels + 1, sizeof *copies);
        int rc = MLP_OK;
        if (codes == NULL || levels == NULL || copies == NULL)
            rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
        for (size_t k = 0; rc == MLP_OK && k < c->n_levels; k++) {
            copies[k] = text_copy(c, k);
            if (copies[k] == NULL)
                rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
            levels[k] = copies[k];
        }
        for (size_t i = 0; rc == MLP_OK && i < n; i++)
            codes[i] = c->codes[rows[i]];
        if (rc == MLP_OK)
            rc = mlp_table_add_categorical(t, c->name, codes, c->n_levels,
                                           levels, err);
        for (size_t k = 0; copies && k < c->n_levels; k++)
            mlp_free(copies[k]);
        mlp_free(copies);
        mlp_free(levels);
        mlp_free(codes);
        return rc;
    }
    case MLP_COL_STRING: {
        const char **vals = mlp_calloc(n + 1, sizeof *vals);
        char **copies = mlp_calloc(n + 1, sizeof *copies);
        int rc = MLP_OK;
        if (vals == NULL || copies == NULL)
            rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
        for (size_t i = 0; rc == MLP_OK && i < n; i++) {
            if (mlp_column_is_missing(c, rows[i]))
                continue;
            copies[i] = text_copy(c, rows[i]);
            if (copies[i] == NULL)
                rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
            vals[i] = copies[i];
        }
        if (rc == MLP_OK)
            rc = mlp_table_add_string(t, c->name, vals, err);
        for (size_t i = 0; copies && i < n; i++)
            mlp_free(copies[i]);
        mlp_free(copies);
        mlp_free(vals);
        return rc;
    }
    }
    return mlp_error_set(err, MLP_EINVAL, "column '%s' has an unknown type",
                         c->name);
}

int mlp_table_rows(const mlp_table *src, size_t first, size_t n, mlp_table **out,
                   mlp_error *err)
{
    mlp_table *t;
    int rc = MLP_OK;

    *out = NULL;
    if (first % 8 != 0 || first > src->n_rows || n > src->n_rows - first)
        return mlp_error_set(err, MLP_EINVAL, "rows %zu..%zu are not a slice of the "
                             "table's %zu rows starting at a multiple of 8", first,
                             first + n, src->n_rows);
    t = mlp_table_new(n);
    if (t == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    for (size_t i = 0; rc == MLP_OK && i < src->n_cols; i++) {
        const mlp_column *s = &src->cols[i].pub;
        mlpi_col *c;
        rc = mlpi_table_push(t, s->name, err, &c);
        if (rc != MLP_OK)
            break;
        const char *name = c->pub.name;
        c->pub = *s;
        c->pub.name = name;
        c->pub.n_rows = n;
        /* Every per-row array moves to the first row; dictionaries and
         * string bytes are shared as they are (offsets stay absolute). */
        if (s->num)
            c->pub.num = s->num + first;
        if (s->codes)
            c->pub.codes = s->codes + first;
        if (s->str_off) {
            /* Offsets from the slice's first string: the writer stores
             * the bytes from str_bytes up to the last offset, which would
             * otherwise be every earlier row's text again. */
            uint64_t *off = mlp_malloc((n + 1) * sizeof *off);
            if (off == NULL) {
                rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
                break;
            }
            for (size_t r = 0; r <= n; r++)
                off[r] = s->str_off[first + r] - s->str_off[first];
            c->owned[0] = off;
            c->pub.str_off = off;
            c->pub.str_bytes = s->str_bytes + s->str_off[first];
        }
        if (s->missing)
            c->pub.missing = s->missing + first / 8;
        if (s->ints)
            c->pub.ints = s->ints + first;
        if (s->mat)
            c->pub.mat = s->mat + first * s->width;
        if (s->packed && (size_t)s->packing < 8) {
            static const size_t bytes[] = { 8, 4, 1, 1, 2, 2, 4, 8 };
            c->pub.packed = (const char *)s->packed + first * bytes[s->packing];
        }
    }
    if (rc != MLP_OK) {
        mlp_table_free(t);
        return rc;
    }
    *out = t;
    return MLP_OK;
}

int mlp_table_select(const mlp_table *src, const size_t *rows, size_t n,
                     mlp_table **out, mlp_error *err)
{
    mlp_table *t;
    int rc = MLP_OK;

    *out = NULL;
    for (size_t i = 0; i < n; i++)
        if (rows[i] >= src->n_rows)
            return mlp_error_set(err, MLP_EINVAL, "row %zu is past the table's "
                                 "%zu rows", rows[i], src->n_rows);
    t = mlp_table_new(n);
    if (t == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    for (size_t c = 0; rc == MLP_OK && c < src->n_cols; c++)
        rc = select_column(t, &src->cols[c].pub, rows, n, err);
    if (rc != MLP_OK) {
        mlp_table_free(t);
        return rc;
    }
    *out = t;
    return MLP_OK;
}

static int concat_categorical(mlp_table *t, const mlp_table *const *parts,
                              size_t np, size_t ci, mlp_error *err)
{
    const char *name = parts[0]->cols[ci].pub.name;
    size_t total = t->n_rows, at = 0, nl = 0, cap = 0;
    int32_t *codes = mlp_malloc((total ? total : 1) * sizeof *codes);
    char **levels = NULL;
    int rc = MLP_OK;

    if (codes == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    for (size_t p = 0; rc == MLP_OK && p < np; p++) {
        const mlp_column *c = &parts[p]->cols[ci].pub;
        int32_t *map = mlp_malloc((c->n_levels + 1) * sizeof *map);
        if (map == NULL) {
            rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
            break;
        }
        /* A dictionary that starts with the levels so far (row groups
         * of one growing dictionary) maps them to themselves: no search. */
        size_t same = 0;
        while (same < nl && same < c->n_levels) {
            size_t len;
            const char *lv = mlp_column_level(c, same, &len);
            if (strlen(levels[same]) != len || memcmp(levels[same], lv, len) != 0)
                break;
            same++;
        }
        for (size_t k = 0; k < same; k++)
            map[k] = (int32_t)k;
        /* Levels in order of first appearance across the parts. */
        for (size_t k = same; rc == MLP_OK && k < c->n_levels; k++) {
            char *lv = text_copy(c, k);
            size_t j;
            if (lv == NULL) {
                rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
                break;
            }
            /* Past the shared start, a part's own levels are distinct
             * from one another, so only the others need a look. */
            for (j = same == nl ? nl : 0; j < nl && strcmp(levels[j], lv) != 0; j++)
                ;
            if (j < nl) {
                mlp_free(lv);
            } else {
                if (nl == cap) {
                    cap = cap ? cap * 2 : 16;
                    char **nlv = mlp_realloc(levels, cap * sizeof *nlv);
                    if (nlv == NULL) {
                        mlp_free(lv);
                        rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
                        break;
                    }
                    levels = nlv;
                }
                levels[nl++] = lv;
            }
            map[k] = (int32_t)j;
        }
        for (size_t i = 0; rc == MLP_OK && i < c->n_rows; i++)
            codes[at++] = c->codes[i] < 0 ? -1 : map[c->codes[i]];
        mlp_free(map);
    }
    if (rc == MLP_OK)
        rc = mlp_table_add_categorical(t, name, codes, nl,
                                       (const char *const *)levels, err);
    for (size_t k = 0; k < nl; k++)
        mlp_free(levels[k]);
    mlp_free(levels);
    mlp_free(codes);
    return rc;
}

/* Joins a numeric column of which some part has exact integers: exact
 * when every part holds integers, refused otherwise (a fraction and an
 * integer beyond 2^53 share no exact type). */
static int concat_int64(mlp_table *t, const mlp_table *const *parts, size_t np,
                        size_t ci, mlp_error *err)
{
    size_t total = t->n_rows, at = 0;
    int64_t *v = mlp_malloc((total ? total : 1) * sizeof *v);
    uint8_t *m = mlp_calloc((total + 7) / 8 + 1, 1);

    if (v == NULL || m == NULL) {
        mlp_free(v);
        mlp_free(m);
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    }
    for (size_t p = 0; p < np; p++) {
        const mlp_column *c = &parts[p]->cols[ci].pub;
        for (size_t i = 0; i < c->n_rows; i++, at++) {
            if (mlp_column_is_missing(c, i)) {
                m[at >> 3] |= (uint8_t)(1u << (at & 7));
                v[at] = 0;
                continue;
            }
            if (c->ints != NULL) {
                v[at] = c->ints[i];
                continue;
            }
            double x = c->num != NULL ? c->num[i] : NAN;
            if (!(x >= -EXACT_LIMIT && x <= EXACT_LIMIT) || x != floor(x)) {
                mlp_free(v);
                mlp_free(m);
                return mlp_error_set(err, MLP_EINVAL, "column '%s': table %zu "
                                     "row %zu holds %.17g, which the exact "
                                     "64-bit integers of another table cannot "
                                     "join%s", c->name, p, i, x,
                                     c->num == NULL ? " (packed: decode it "
                                     "first)" : "");
            }
            v[at] = (int64_t)x;
        }
    }
    return mlp_table_adopt_int64(t, parts[0]->cols[ci].pub.name, v, m, err);
}

static int concat_column(mlp_table *t, const mlp_table *const *parts, size_t np,
                         size_t ci, mlp_error *err)
{
    const mlp_column *c0 = &parts[0]->cols[ci].pub;
    size_t total = t->n_rows, at = 0;

    switch (c0->type) {
    case MLP_COL_NUMERIC: {
        for (size_t p = 0; p < np; p++)
            if (parts[p]->cols[ci].pub.ints != NULL)
                return concat_int64(t, parts, np, ci, err);
        double *v = mlp_malloc((total ? total : 1) * sizeof *v);
        uint8_t *m = mlp_calloc(bitmap_bytes(total) + 1, 1);
        if (v == NULL || m == NULL) {
            mlp_free(v);
            mlp_free(m);
            return mlp_error_set(err, MLP_ENOMEM, "out of memory");
        }
        for (size_t p = 0; p < np; p++) {
            const mlp_column *c = &parts[p]->cols[ci].pub;
            if (c->num == NULL && c->n_rows > 0) {
                mlp_free(v);
                mlp_free(m);
                return mlp_error_set(err, MLP_EINVAL, "column '%s' is packed: "
                                     "decode it before joining tables", c->name);
            }
            for (size_t i = 0; i < c->n_rows; i++, at++) {
                v[at] = c->num[i];
                if (mlp_column_is_missing(c, i))
                    m[at >> 3] |= (uint8_t)(1u << (at & 7));
            }
        }
        return mlp_table_adopt_numeric(t, c0->name, v, m, err);
    }
    case MLP_COL_MATRIX: {
        float *v = mlp_malloc((total ? total : 1) * c0->width * sizeof *v);
        if (v == NULL)
            return mlp_error_set(err, MLP_ENOMEM, "out of memory");
        for (size_t p = 0; p < np; p++) {
            const mlp_column *c = &parts[p]->cols[ci].pub;
            memcpy(v + at * c0->width, c->mat, c->n_rows * c0->width * sizeof *v);
            at += c->n_rows;
        }
        return mlp_table_adopt_matrix(t, c0->name, c0->width, v, err);
    }
    case MLP_COL_CATEGORICAL:
        return concat_categorical(t, parts, np, ci, err);
    case MLP_COL_STRING: {
        uint64_t *off = mlp_malloc((total + 1) * sizeof *off), bytes = 0;
        uint8_t *m = mlp_calloc(bitmap_bytes(total) + 1, 1);
        char *b;
        for (size_t p = 0; p < np; p++) {
            const mlp_column *c = &parts[p]->cols[ci].pub;
            bytes += c->str_off[c->n_rows] - c->str_off[0];
        }
        b = mlp_malloc(bytes ? bytes : 1);
        if (off == NULL || m == NULL || b == NULL) {
            mlp_free(off);
            mlp_free(m);
            mlp_free(b);
            return mlp_error_set(err, MLP_ENOMEM, "out of memory");
        }
        off[0] = 0;
        for (size_t p = 0; p < np; p++) {
            const mlp_column *c = &parts[p]->cols[ci].pub;
            uint64_t base = off[at] - c->str_off[0];
            memcpy(b + off[at], c->str_bytes + c->str_off[0],
                   c->str_off[c->n_rows] - c->str_off[0]);
            for (size_t i = 0; i < c->n_rows; i++, at++) {
                off[at + 1] = c->str_off[i + 1] + base;
                if (mlp_column_is_missing(c, i))
                    m[at >> 3] |= (uint8_t)(1u << (at & 7));
            }
        }
        return mlp_table_adopt_string(t, c0->name, off, b, m, err);
    }
    }
    return mlp_error_set(err, MLP_EINVAL, "column '%s' has an unknown type",
                         c0->name);
}

int mlp_table_concat(const mlp_table *const *parts, size_t n, mlp_table **out,
                     mlp_error *err)
{
    size_t total = 0;
    mlp_table *t;
    int rc = MLP_OK;

    *out = NULL;
    if (n == 0)
        return mlp_error_set(err, MLP_EINVAL, "no tables to join");
    for (size_t p = 0; p < n; p++) {
        if (parts[p]->n_cols != parts[0]->n_cols)
            return mlp_error_set(err, MLP_EINVAL, "table %zu has %zu columns, "
                                 "table 0 has %zu", p, parts[p]->n_cols,
                                 parts[0]->n_cols);
        for (size_t c = 0; c < parts[0]->n_cols; c++) {
            const mlp_column *a = &parts[0]->cols[c].pub, *b = &parts[p]->cols[c].pub;
            if (strcmp(a->name, b->name) != 0 || a->type != b->type ||
                a->width != b->width)
                return mlp_error_set(err, MLP_EINVAL, "table %zu: column %zu is "
                                     "'%s' (%s), table 0 has '%s' (%s)", p, c,
                                     b->name, mlp_col_type_name(b->type),
                                     a->name, mlp_col_type_name(a->type));
        }
        total += parts[p]->n_rows;
    }
    t = mlp_table_new(total);
    if (t == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    for (size_t c = 0; rc == MLP_OK && c < parts[0]->n_cols; c++)
        rc = concat_column(t, parts, n, c, err);
    if (rc != MLP_OK) {
        mlp_table_free(t);
        return rc;
    }
    *out = t;
    return MLP_OK;
}
