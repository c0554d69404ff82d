/* Unit tests of the table and its file format: round trips of every column
 * type, missing values, empty tables, and every kind of damage. */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#define XXH_STATIC_LINKING_ONLY
#include <xxhash.h>

#include <mlpipe/memory.h>
#include <mlpipe/table.h>

#include "check.h"
#include "table_priv.h"

static char dir[256];

static void path_of(char *buf, size_t n, const char *name)
{
    snprintf(buf, n, "%s/%s", dir, name);
}

static mlp_table *sample(void)
{
    mlp_table *t = mlp_table_new(5);
    mlp_error err;
    double num[5] = { 1.5, -2, 0, 1e300, 7 };
    uint8_t miss[1] = { 0x04 };   /* row 2 missing */
    int32_t codes[5] = { 0, 1, -1, 1, 0 };
    const char *levels[2] = { "yes", "n\xc3\xb8" };
    const char *strs[5] = { "alpha", "", NULL, "with,comma", "\"q\"" };
    float mat[10] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 };

    if (mlp_table_add_numeric(t, "num", num, miss, &err) != MLP_OK ||
        mlp_table_add_categorical(t, "cat", codes, 2, levels, &err) != MLP_OK ||
        mlp_table_add_string(t, "str", strs, &err) != MLP_OK ||
        mlp_table_add_matrix(t, "pix", 2, mat, &err) != MLP_OK) {
        mlp_table_free(t);
        return NULL;
    }
    return t;
}

static void round_trip_all_types(void)
{
    char p[512];
    mlp_table *t = sample(), *r = NULL;
    mlp_error err;
    const mlp_column *c;
    size_t len;
    const char *s;

    CHECK(t != NULL);
    path_of(p, sizeof p, "all.mlpt");
    CHECK(mlp_table_write(t, p, &err) == MLP_OK);
    mlp_table_free(t);
    CHECK_MSG(mlp_table_open(p, &r, &err) == MLP_OK, "%s", err.msg);
    CHECK(mlp_table_n_rows(r) == 5 && mlp_table_n_cols(r) == 4);
    c = mlp_table_find(r, "num");
    CHECK(c && c->type == MLP_COL_NUMERIC);
    CHECK(c->num[0] == 1.5 && c->num[1] == -2 && c->num[3] == 1e300);
    CHECK(mlp_column_is_missing(c, 2) && isnan(c->num[2]));
    CHECK(!mlp_column_is_missing(c, 0) && !mlp_column_is_missing(c, 4));
    c = mlp_table_find(r, "cat");
    CHECK(c && c->type == MLP_COL_CATEGORICAL && c->n_levels == 2);
    CHECK(c->codes[1] == 1 && mlp_column_is_missing(c, 2));
    s = mlp_column_level(c, 1, &len);
    CHECK(len == 3 && memcmp(s, "n\xc3\xb8", 3) == 0);
    c = mlp_table_find(r, "str");
    CHECK(c && c->type == MLP_COL_STRING);
    s = mlp_column_string(c, 3, &len);
    CHECK(len == 10 && memcmp(s, "with,comma", 10) == 0);
    s = mlp_column_string(c, 1, &len);
    CHECK(len == 0 && !mlp_column_is_missing(c, 1));
    CHECK(mlp_column_is_missing(c, 2));
    c = mlp_table_find(r, "pix");
    CHECK(c && c->type == MLP_COL_MATRIX && c->width == 2 && c->mat[9] == 9);
    mlp_table_free(r);
}

static void empty_tables(void)
{
    char p[512];
    mlp_table *t = mlp_table_new(0), *r = NULL;
    mlp_error err;
    const char *levels[1] = { "x" };

    path_of(p, sizeof p, "nocols.mlpt");
    CHECK(mlp_table_write(t, p, &err) == MLP_OK);
    CHECK(mlp_table_open(p, &r, &err) == MLP_OK);
    CHECK(mlp_table_n_rows(r) == 0 && mlp_table_n_cols(r) == 0);
    mlp_table_free(r);
    /* zero rows, every type */
    CHECK(mlp_table_add_numeric(t, "a", NULL, NULL, &err) == MLP_OK);
    CHECK(mlp_table_add_categorical(t, "b", NULL, 1, levels, &err) == MLP_OK);
    CHECK(mlp_table_add_string(t, "c", NULL, &err) == MLP_OK);
    CHECK(mlp_table_add_matrix(t, "d", 3, NULL, &err) == MLP_OK);
    path_of(p, sizeof p, "norows.mlpt");
    CHECK(mlp_table_write(t, p, &err) == MLP_OK);
    mlp_table_free(t);
    CHECK_MSG(mlp_table_open(p, &r, &err) == MLP_OK, "%s", err.msg);
    CHECK(mlp_table_n_rows(r) == 0 && mlp_table_n_cols(r) == 4);
    CHECK(mlp_table_find(r, "b")->n_levels == 1);
    mlp_table_free(r);
}

static void all_missing(void)
{
    char p[512];
    mlp_table *t = mlp_table_new(9), *r = NULL;
    mlp_error err;
    double v[9] = { 0 };
    uint8_t miss[2] = { 0xFF, 0xFF };  /* bits past row 9 must not matter */
    const char *s[9] = { NULL };

    CHECK(mlp_table_add_numeric(t, "n", v, miss, &err) == MLP_OK);
    CHECK(mlp_table_add_string(t, "s", s, &err) == MLP_OK);
    path_of(p, sizeof p, "missing.mlpt");
    CHECK(mlp_table_write(t, p, &err) == MLP_OK);
    mlp_table_free(t);
    CHECK_MSG(mlp_table_open(p, &r, &err) == MLP_OK, "%s", err.msg);
    for (size_t i = 0; i < 9; i++) {
        CHECK(mlp_column_is_missing(mlp_table_find(r, "n"), i));
        CHECK(mlp_column_is_missing(mlp_table_find(r, "s"), i));
    }
    mlp_table_free(r);
}

static void refuses_bad_columns(void)
{
    mlp_table *t = mlp_table_new(2);
    mlp_error err;
    double v[2] = { 1, 2 };
    int32_t codes[2] = { 0, 5 };
    const char *levels[1] = { "a" };

    CHECK(mlp_table_add_numeric(t, "x", v, NULL, &err) == MLP_OK);
    CHECK(mlp_table_add_numeric(t, "x", v, NULL, &err) == MLP_EEXIST);
    CHECK_CONTAINS(err.msg, "'x' appears twice");
    CHECK(mlp_table_add_categorical(t, "c", codes, 1, levels, &err) == MLP_EINVAL);
    CHECK_CONTAINS(err.msg, "row 1: code 5 outside");
    CHECK(mlp_table_add_matrix(t, "m", 0, NULL, &err) == MLP_EINVAL);
    CHECK(mlp_table_n_cols(t) == 1);
    mlp_table_free(t);
}

static long file_size(const char *p)
{
    FILE *f = fopen(p, "rb");
    long n;

    if (f == NULL)
        return -1;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fclose(f);
    return n;
}

static int flip_byte(const char *p, long at)
{
    FILE *f = fopen(p, "r+b");
    int c;

    if (f == NULL)
        return -1;
    fseek(f, at, SEEK_SET);
    c = fgetc(f);
    fseek(f, at, SEEK_SET);
    fputc(c ^ 0x5A, f);
    fclose(f);
    return 0;
}

/* Every single-byte change anywhere in the file is caught: header,
 * directory, names, data and missing bitmaps.  Padding bytes are the only
 * exception: they carry nothing, so they are allowed to differ. */
static void detects_every_flipped_byte(void)
{
    char p[512], q[512], cmd[1200];
    mlp_table *t = sample(), *r;
    mlp_error err;
    long n, caught = 0, padding = 0;

    CHECK(t != NULL);
    path_of(p, sizeof p, "good.mlpt");
    path_of(q, sizeof q, "bad.mlpt");
    CHECK(mlp_table_write(t, p, &err) == MLP_OK);
    mlp_table_free(t);
    n = file_size(p);
    CHECK(n > 0);
    FILE *orig = fopen(p, "rb");
    CHECK(orig != NULL);
    for (long at = 0; at < n; at++) {
        snprintf(cmd, sizeof cmd, "cp '%s' '%s'", p, q);
        CHECK(system(cmd) == 0);
        CHECK(flip_byte(q, at) == 0);
        int rc = mlp_table_open(q, &r, &err);
        if (rc == MLP_OK) {
            mlp_table_free(r);
            padding++;
            /* Padding is written as zeros: an undetected change of any
             * other byte (a string's text, say) is a hole in the checks. */
            fseek(orig, at, SEEK_SET);
            int byte = fgetc(orig);
            if (byte != 0) {
                fclose(orig);
                CHECK_MSG(0, "byte %ld (0x%02x) changed unnoticed", at, byte);
            }
        } else {
            CHECK_MSG(rc == MLP_ECORRUPT || rc == MLP_EFORMAT || rc == MLP_EVERSION,
                      "byte %ld: unexpected code %d", at, rc);
            CHECK_CONTAINS(err.msg, q);
            caught++;
        }
    }
    fclose(orig);
    /* Padding is bounded: alignment to 64 bytes per segment. */
    CHECK_MSG(padding < 64 * 12, "%ld undetected bytes", padding);
    CHECK(caught > 300);
}

/* Rewrites a 32-bit field of column col's directory entry and fixes the
 * directory and header checksums, as a buggy or hostile writer would:
 * only the reader's own checks can refuse it. */
static int forge_entry(const char *path, int col, size_t field, uint32_t v)
{
    FILE *f = fopen(path, "r+b");
    unsigned char h[128], *dir;
    uint64_t off, size, hash;

    if (f == NULL || fread(h, 1, 128, f) != 128)
        return -1;
    memcpy(&off, h + 32, 8);
    memcpy(&size, h + 40, 8);
    dir = malloc(size);
    fseek(f, (long)off, SEEK_SET);
    if (dir == NULL || fread(dir, 1, size, f) != size)
        return -1;
    memcpy(dir + 128 * col + field, &v, 4);
    hash = XXH3_64bits(dir, size);
    memcpy(h + 56, &hash, 8);
    hash = XXH3_64bits(h, 120);
    memcpy(h + 120, &hash, 8);
    fseek(f, (long)off, SEEK_SET);
    fwrite(dir, 1, size, f);
    fseek(f, 0, SEEK_SET);
    fwrite(h, 1, 128, f);
    free(dir);
    return fclose(f);
}

/* Column 0's dictionary (segment 2) made one value shorter, its column
 * hash, the directory hash and the header hash recomputed to match. */
static int shrink_dictionary(const char *path)
{
    FILE *f = fopen(path, "r+b");
    long size = file_size(path);
    unsigned char *b = malloc((size_t)size);
    uint64_t off, len, hash, dir, dir_size;
    XXH3_state_t st;

    if (f == NULL || b == NULL || fread(b, 1, (size_t)size, f) != (size_t)size)
        return -1;
    memcpy(&dir, b + 32, 8);
    memcpy(&dir_size, b + 40, 8);
    unsigned char *e = b + dir;
    memcpy(&len, e + 64 + 16, 8);
    len -= 8;
    memcpy(e + 64 + 16, &len, 8);
    XXH3_64bits_reset(&st);
    for (int k = 0; k < 4; k++) {
        memcpy(&off, e + 32 + 8 * k, 8);
        memcpy(&len, e + 64 + 8 * k, 8);
        if (len)
            XXH3_64bits_update(&st, b + off, len);
    }
    hash = XXH3_64bits_digest(&st);
    memcpy(e + 104, &hash, 8);
    hash = XXH3_64bits(e, dir_size);
    memcpy(b + 56, &hash, 8);
    hash = XXH3_64bits(b, 120);
    memcpy(b + 120, &hash, 8);
    fseek(f, 0, SEEK_SET);
    fwrite(b, 1, (size_t)size, f);
    free(b);
    return fclose(f);
}

static void refuses_forged_entries(void)
{
    static const struct { int col; size_t field; uint32_t v; const char *msg; } cases[] = {
        { 0, 0, 0, "column 'num' has unknown type 0" },
        { 3, 0, MLP_COL_MATRIX + 1, "column 'pix' has unknown type 5" },
        { 0, 4, 9, "column 'num' has unknown encoding 9" },
        /* Dictionary-coded without a dictionary. */
        { 0, 4, 8, "column 'num' has a dictionary of 0 bytes" },
        { 2, 4, 1, "column 'str' has unknown encoding 1" },
    };
    char p[512], q[512], cmd[1200];
    mlp_table *t = sample(), *r;
    mlp_error err;

    CHECK(t != NULL);
    path_of(p, sizeof p, "forge.mlpt");
    path_of(q, sizeof q, "forged.mlpt");
    CHECK(mlp_table_write(t, p, &err) == MLP_OK);
    mlp_table_free(t);
    CHECK(MLP_COL_MATRIX + 1 == 5);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        snprintf(cmd, sizeof cmd, "cp '%s' '%s'", p, q);
        CHECK(system(cmd) == 0);
        CHECK(forge_entry(q, cases[i].col, cases[i].field, cases[i].v) == 0);
        CHECK_MSG(mlp_table_open(q, &r, &err) == MLP_ECORRUPT, "case %zu opened", i);
        CHECK_CONTAINS(err.msg, cases[i].msg);
    }
    /* The forging itself is sound: the same value back opens fine. */
    snprintf(cmd, sizeof cmd, "cp '%s' '%s'", p, q);
    CHECK(system(cmd) == 0);
    CHECK(forge_entry(q, 3, 0, MLP_COL_MATRIX) == 0);
    CHECK_MSG(mlp_table_open(q, &r, &err) == MLP_OK, "%s", err.msg);
    mlp_table_free(r);
}

/* Rewrites one 64-bit value of column col's first segment and fixes the
 * column, directory and header checksums: the value checks behind the
 * checksums must refuse what a buggy writer could produce. */
static int forge_segment_u64(const char *path, int col, size_t index,
                             uint64_t v)
{
    FILE *f = fopen(path, "r+b");
    unsigned char h[128], *dir, *data;
    uint64_t off, size, fsize, hash, seg_off[4], seg_len[4];
    XXH3_state_t *st = XXH3_createState();

    if (f == NULL || st == NULL || fread(h, 1, 128, f) != 128)
        return -1;
    memcpy(&off, h + 32, 8);
    memcpy(&size, h + 40, 8);
    memcpy(&fsize, h + 48, 8);
    dir = malloc(size);
    data = malloc(fsize);
    fseek(f, 0, SEEK_SET);
    if (dir == NULL || data == NULL || fread(data, 1, fsize, f) != fsize)
        return -1;
    memcpy(dir, data + off, size);
    memcpy(seg_off, dir + 128 * col + 32, 32);
    memcpy(seg_len, dir + 128 * col + 64, 32);
    memcpy(data + seg_off[0] + 8 * index, &v, 8);
    XXH3_64bits_reset(st);
    for (int k = 0; k < 4; k++)
        if (seg_len[k] > 0)
            XXH3_64bits_update(st, data + seg_off[k], seg_len[k]);
    hash = XXH3_64bits_digest(st);
    memcpy(dir + 128 * col + 104, &hash, 8);
    hash = XXH3_64bits(dir, size);
    memcpy(h + 56, &hash, 8);
    hash = XXH3_64bits(h, 120);
    memcpy(h + 120, &hash, 8);
    fseek(f, (long)seg_off[0], SEEK_SET);
    fwrite(data + seg_off[0], 1, seg_len[0], f);
    fseek(f, (long)off, SEEK_SET);
    fwrite(dir, 1, size, f);
    fseek(f, 0, SEEK_SET);
    fwrite(h, 1, 128, f);
    free(dir);
    free(data);
    XXH3_freeState(st);
    return fclose(f);
}

static void refuses_decreasing_offsets(void)
{
    char p[512];
    mlp_table *t = sample(), *r;
    mlp_error err;

    CHECK(t != NULL);
    path_of(p, sizeof p, "offsets.mlpt");
    CHECK(mlp_table_write(t, p, &err) == MLP_OK);
    mlp_table_free(t);
    /* "str" offsets are 0 5 5 5 15 18: the second becomes 10 > 5. */
    CHECK(forge_segment_u64(p, 2, 1, 10) == 0);
    CHECK(mlp_table_open(p, &r, &err) == MLP_ECORRUPT);
    CHECK_CONTAINS(err.msg, "column 'str' has decreasing offsets");
    /* The forging is sound: the true value back opens. */
    CHECK(forge_segment_u64(p, 2, 1, 5) == 0);
    CHECK_MSG(mlp_table_open(p, &r, &err) == MLP_OK, "%s", err.msg);
    mlp_table_free(r);
}

static void detects_truncation(void)
{
    char p[512];
    mlp_table *t = sample(), *r;
    mlp_error err;

    path_of(p, sizeof p, "trunc.mlpt");
    CHECK(mlp_table_write(t, p, &err) == MLP_OK);
    mlp_table_free(t);
    long n = file_size(p);
    for (long keep = 0; keep < n; keep += 37) {
        CHECK(truncate(p, keep) == 0);
        CHECK_MSG(mlp_table_open(p, &r, &err) != MLP_OK, "accepted %ld of %ld "
                  "bytes", keep, n);
        CHECK_CONTAINS(err.msg, "trunc.mlpt");
    }
}

static void refuses_other_files(void)
{
    char p[512];
    FILE *f;
    mlp_table *r;
    mlp_error err;

    path_of(p, sizeof p, "text.mlpt");
    f = fopen(p, "w");
    CHECK(f != NULL);
    for (int i = 0; i < 20; i++)
        fputs("name,age\nbob,12\n", f);
    fclose(f);
    CHECK(mlp_table_open(p, &r, &err) == MLP_EFORMAT);
    CHECK_CONTAINS(err.msg, "not an mlpipe table file");
    path_of(p, sizeof p, "does-not-exist.mlpt");
    CHECK(mlp_table_open(p, &r, &err) == MLP_ENOTFOUND);
}

/* A file from a future major version is refused by version, not as
 * corruption: its header hash is valid. */
static void refuses_newer_major(void)
{
    char p[512];
    mlp_table *t = sample(), *r;
    mlp_error err;
    unsigned char h[128];
    FILE *f;

    path_of(p, sizeof p, "future.mlpt");
    CHECK(mlp_table_write(t, p, &err) == MLP_OK);
    mlp_table_free(t);
    f = fopen(p, "r+b");
    CHECK(f != NULL);
    CHECK(fread(h, 1, sizeof h, f) == sizeof h);
    h[8] = MLP_TABLE_FORMAT_MAJOR + 2;  /* 2 is the grouped format */
    uint64_t hh = XXH3_64bits(h, 120);
    memcpy(h + 120, &hh, 8);
    fseek(f, 0, SEEK_SET);
    fwrite(h, 1, sizeof h, f);
    fclose(f);
    CHECK(mlp_table_open(p, &r, &err) == MLP_EVERSION);
    CHECK_CONTAINS(err.msg, "table format 3.0, this build reads 1.x and 2.x");
}

/* The minor format version in a table file's header. */
static unsigned file_minor(const char *path)
{
    unsigned char h[16] = { 0 };
    FILE *f = fopen(path, "rb");

    if (f == NULL || fread(h, 1, sizeof h, f) != sizeof h) {
        if (f)
            fclose(f);
        return 99;
    }
    fclose(f);
    return (unsigned)h[10] | (unsigned)h[11] << 8;
}

/* Integers beyond 2^53 (ids) stay exact through the table and its file:
 * `ints` has them, `num` the nearest doubles; smaller integers need no
 * int64 column, and files without one stay readable by format 1.0. */
static void int64_exact(void)
{
    char p[512], q[512];
    mlp_table *t = mlp_table_new(4), *r, *sel, *cat;
    mlp_error err;
    int64_t *v = mlp_malloc(4 * sizeof *v), *small = mlp_malloc(4 * sizeof *small);
    uint8_t *m = mlp_calloc(1, 1);
    const mlp_column *c;

    v[0] = 9007199254740993LL;           /* 2^53 + 1: no double holds it */
    v[1] = INT64_MIN;
    v[2] = 12345;                        /* missing below */
    v[3] = INT64_MAX;
    m[0] = 0x04;
    for (int i = 0; i < 4; i++)
        small[i] = (int64_t)i * 1000 - 1;
    CHECK(mlp_table_adopt_int64(t, "id", v, m, &err) == MLP_OK);
    CHECK(mlp_table_adopt_int64(t, "small", small, NULL, &err) == MLP_OK);
    c = mlp_table_find(t, "id");
    CHECK(c->ints != NULL && c->ints[0] == 9007199254740993LL && c->ints[2] == 0);
    CHECK(c->num[0] == 9007199254740992.0 && isnan(c->num[2]));
    CHECK(mlp_table_find(t, "small")->ints == NULL);
    CHECK(mlp_table_find(t, "small")->num[3] == 2999);
    path_of(p, sizeof p, "ids.mlpt");
    CHECK_MSG(mlp_table_write(t, p, &err) == MLP_OK, "%s", err.msg);
    CHECK(file_minor(p) == 1);
    CHECK_MSG(mlp_table_open(p, &r, &err) == MLP_OK, "%s", err.msg);
    c = mlp_table_find(r, "id");
    CHECK(c->ints != NULL && c->ints[0] == 9007199254740993LL &&
          c->ints[1] == INT64_MIN && c->ints[3] == INT64_MAX);
    CHECK(mlp_column_is_missing(c, 2) && isnan(c->num[2]));
    CHECK(c->num[3] == 9223372036854775807.0);
    mlp_table_free(r);
    CHECK(mlp_table_open_packed(p, &r, &err) == MLP_OK);
    c = mlp_table_find(r, "id");
    CHECK(c->num == NULL && c->packing == MLP_PACK_I64 && c->ints == c->packed);
    CHECK(c->ints[0] == 9007199254740993LL);
    /* Written again from its packed form: still exact. */
    path_of(q, sizeof q, "ids2.mlpt");
    CHECK(mlp_table_write(r, q, &err) == MLP_OK);
    mlp_table_free(r);
    CHECK(mlp_table_open(q, &r, &err) == MLP_OK);
    CHECK(mlp_table_find(r, "id")->ints[3] == INT64_MAX);
    /* Rows picked, copied or joined keep them exact. */
    size_t rows[3] = { 3, 0, 2 };
    CHECK(mlp_table_select(r, rows, 3, &sel, &err) == MLP_OK);
    c = mlp_table_find(sel, "id");
    CHECK(c->ints != NULL && c->ints[0] == INT64_MAX &&
          c->ints[1] == 9007199254740993LL && mlp_column_is_missing(c, 2));
    CHECK(mlp_table_add_copy(sel, "id2", c, &err) == MLP_OK);
    CHECK(mlp_table_find(sel, "id2")->ints[1] == 9007199254740993LL);
    const mlp_table *parts[2] = { r, r };
    CHECK(mlp_table_concat(parts, 2, &cat, &err) == MLP_OK);
    c = mlp_table_find(cat, "id");
    CHECK(c->ints != NULL && c->ints[4] == 9007199254740993LL &&
          mlp_column_is_missing(c, 6) && !mlp_column_is_missing(c, 7));
    mlp_table_free(cat);
    mlp_table_free(sel);
    mlp_table_free(r);
    mlp_table_free(t);

    /* Joined with doubles: exact integers join, a fraction is refused. */
    mlp_table *a = mlp_table_new(1), *b = mlp_table_new(1);
    int64_t *w = mlp_malloc(sizeof *w);
    double d = 2.0;
    w[0] = -9007199254740993LL;
    CHECK(mlp_table_adopt_int64(a, "x", w, NULL, &err) == MLP_OK);
    CHECK(mlp_table_add_numeric(b, "x", &d, NULL, &err) == MLP_OK);
    const mlp_table *ab[2] = { a, b };
    CHECK_MSG(mlp_table_concat(ab, 2, &cat, &err) == MLP_OK, "%s", err.msg);
    CHECK(cat && mlp_table_find(cat, "x")->ints[0] == -9007199254740993LL &&
          mlp_table_find(cat, "x")->ints[1] == 2);
    mlp_table_free(cat);
    mlp_table_free(b);
    b = mlp_table_new(1);
    d = 2.5;
    CHECK(mlp_table_add_numeric(b, "x", &d, NULL, &err) == MLP_OK);
    ab[1] = b;
    CHECK(mlp_table_concat(ab, 2, &cat, &err) == MLP_EINVAL);
    CHECK_CONTAINS(err.msg, "holds 2.5, which the exact 64-bit integers");
    mlp_table_free(a);
    mlp_table_free(b);

    /* A file without int64 columns is format 1.0. */
    t = sample();
    path_of(p, sizeof p, "plain.mlpt");
    CHECK(mlp_table_write(t, p, &err) == MLP_OK);
    CHECK(file_minor(p) == 0);
    mlp_table_free(t);
}

/* A file of a newer minor version with a column stored in a form this
 * build does not know says so, rather than calling the file corrupt. */
static void refuses_newer_minor_encoding(void)
{
    char p[512];
    mlp_table *t = sample(), *r;
    mlp_error err;

    path_of(p, sizeof p, "newer.mlpt");
    CHECK(mlp_table_write(t, p, &err) == MLP_OK);
    mlp_table_free(t);
    CHECK(forge_entry(p, 0, 4, 9) == 0);
    CHECK(mlp_table_open(p, &r, &err) == MLP_ECORRUPT);
    FILE *f = fopen(p, "r+b");
    unsigned char h[128];
    CHECK(f != NULL && fread(h, 1, sizeof h, f) == sizeof h);
    h[10] = MLP_TABLE_FORMAT_MINOR + 1;
    uint64_t hh = XXH3_64bits(h, 120);
    memcpy(h + 120, &hh, 8);
    fseek(f, 0, SEEK_SET);
    fwrite(h, 1, sizeof h, f);
    fclose(f);
    CHECK(mlp_table_open(p, &r, &err) == MLP_EVERSION);
    CHECK_CONTAINS(err.msg, "newer than this build's");
}

static void large_round_trip(void)
{
    char p[512];
    size_t n = 100000;
    mlp_table *t = mlp_table_new(n), *r;
    mlp_error err;
    double *v = mlp_malloc(n * sizeof *v);
    uint8_t *m = mlp_calloc(n / 8 + 1, 1);

    CHECK(v && m);
    for (size_t i = 0; i < n; i++) {
        v[i] = (double)i * 0.5;
        if (i % 7 == 0)
            m[i >> 3] |= (uint8_t)(1u << (i & 7));
    }
    CHECK(mlp_table_adopt_numeric(t, "v", v, m, &err) == MLP_OK);
    path_of(p, sizeof p, "large.mlpt");
    CHECK(mlp_table_write(t, p, &err) == MLP_OK);
    mlp_table_free(t);
    CHECK(mlp_table_open(p, &r, &err) == MLP_OK);
    const mlp_column *c = mlp_table_column(r, 0);
    for (size_t i = 0; i < n; i++) {
        CHECK(mlp_column_is_missing(c, i) == (i % 7 == 0));
        if (i % 7)
            CHECK(c->num[i] == (double)i * 0.5);
    }
    mlp_table_free(r);
}

/* Numeric columns are stored in the narrowest exact encoding and read back
 * as the same doubles, with missing values kept. */
/* Release frees what decoding made, and only that: a column stored as
 * doubles has nothing to fall back on and keeps its values. */
static void release_only_decoded(void)
{
    double small[4] = { 0, 255, 17, 3 }, frac[4] = { 0.1, 2, 3, 4 };
    mlp_table *t = mlp_table_new(4), *r;
    char p[512];
    mlp_error err;

    CHECK(t != NULL);
    CHECK(mlp_table_add_numeric(t, "small", small, NULL, &err) == MLP_OK);
    CHECK(mlp_table_add_numeric(t, "frac", frac, NULL, &err) == MLP_OK);
    path_of(p, sizeof p, "release.mlpt");
    CHECK(mlp_table_write(t, p, &err) == MLP_OK);
    mlp_table_free(t);
    CHECK(mlp_table_open_packed(p, &r, &err) == MLP_OK);
    CHECK(mlp_table_column(r, 0)->num == NULL);
    CHECK(mlp_table_decode(r, 0, &err) == MLP_OK);
    CHECK(mlp_table_column(r, 0)->num != NULL && mlp_table_column(r, 0)->num[1] == 255);
    mlp_table_release(r, 0);
    CHECK(mlp_table_column(r, 0)->num == NULL);
    CHECK(mlp_table_column(r, 0)->packed != NULL);
    CHECK(mlp_table_column(r, 1)->num != NULL);
    mlp_table_release(r, 1);
    CHECK(mlp_table_column(r, 1)->num != NULL && mlp_table_column(r, 1)->num[0] == 0.1);
    mlp_table_release(r, 2);  /* past the last column: nothing */
    mlp_table_free(r);
}

static void compact_encodings_round_trip(void)
{
    static const double cases[][4] = {
        { 0, 255, 17, 3 },            /* u8 */
        { -128, 127, 0, -5 },         /* i8 */
        { 0, 65535, 300, 1 },         /* u16 */
        { -32768, 32767, -1, 2 },     /* i16 */
        { -2147483648.0, 2147483647.0, 7, 8 },  /* i32 */
        { 0.5, -0.25, 1099511627776.0, 3 },  /* f32: exact in float */
        { 0.1, 2, 3, 4 },             /* f64: 0.1 is not a float */
        { 4294967296.0, 1, 2, 3 },    /* f32: beyond i32, exact in float */
        /* One past each edge takes the next wider form. */
        { -1, 128, 0, 5 },            /* i16: neither u8 nor i8 */
        { -129, 0, 1, 2 },            /* i16 */
        { -1, 255, 3, 4 },            /* i16 */
        { 0, 256, 1, 2 },             /* u16 */
        { -1, 32768, 0, 0 },          /* i32 */
        { 0, 65536, 1, 1 },           /* i32 */
        { -32769, 0, 1, 1 },          /* i32 */
        { 2147483648.0, 0.1, 0, 0 },  /* f64 */
    };
    static const mlp_packing want[] = {
        MLP_PACK_U8, MLP_PACK_I8, MLP_PACK_U16, MLP_PACK_I16, MLP_PACK_I32,
        MLP_PACK_F32, MLP_PACK_F64, MLP_PACK_F32, MLP_PACK_I16, MLP_PACK_I16,
        MLP_PACK_I16, MLP_PACK_U16, MLP_PACK_I32, MLP_PACK_I32, MLP_PACK_I32,
        MLP_PACK_F64,
    };
    char p[512];
    size_t nc = sizeof cases / sizeof *cases;
    mlp_table *t = mlp_table_new(5), *r;
    mlp_error err;

    for (size_t k = 0; k < nc; k++) {
        double v[5] = { cases[k][0], cases[k][1], cases[k][2], cases[k][3], 99 };
        uint8_t miss[1] = { 0x10 };  /* row 4 missing: its 99 must not matter */
        char name[16];
        snprintf(name, sizeof name, "c%zu", k);
        CHECK(mlp_table_add_numeric(t, name, v, miss, &err) == MLP_OK);
    }
    double neg0[5] = { -0.0, 1, 2, 3, 4 };
    CHECK(mlp_table_add_numeric(t, "negzero", neg0, NULL, &err) == MLP_OK);
    path_of(p, sizeof p, "enc.mlpt");
    CHECK(mlp_table_write(t, p, &err) == MLP_OK);
    mlp_table_free(t);
    CHECK_MSG(mlp_table_open(p, &r, &err) == MLP_OK, "%s", err.msg);
    for (size_t k = 0; k < nc; k++) {
        const mlp_column *c = mlp_table_column(r, k);
        for (size_t i = 0; i < 4; i++)
            CHECK_MSG(c->num[i] == cases[k][i], "case %zu row %zu: %.17g", k, i, c->num[i]);
        CHECK(mlp_column_is_missing(c, 4) && isnan(c->num[4]));
    }
    const mlp_column *z = mlp_table_find(r, "negzero");
    CHECK(z->num[0] == 0 && signbit(z->num[0]));
    mlp_table_free(r);
    /* And each was stored in the narrowest form that holds it exactly. */
    CHECK_MSG(mlp_table_open_packed(p, &r, &err) == MLP_OK, "%s", err.msg);
    for (size_t k = 0; k < nc; k++)
        CHECK_MSG(mlp_table_column(r, k)->packing == want[k],
                  "case %zu stored as %d, not %d", k,
                  (int)mlp_table_column(r, k)->packing, (int)want[k]);
    mlp_table_free(r);
    /* Pixel-like data takes one byte per value on disk. */
    t = mlp_table_new(1000);
    double *v = mlp_malloc(1000 * sizeof *v);
    for (size_t i = 0; i < 1000; i++)
        v[i] = (double)(i % 256);
    CHECK(mlp_table_adopt_numeric(t, "px", v, NULL, &err) == MLP_OK);
    path_of(p, sizeof p, "px.mlpt");
    CHECK(mlp_table_write(t, p, &err) == MLP_OK);
    mlp_table_free(t);
    CHECK_MSG(file_size(p) < 1500, "%ld bytes", file_size(p));
}

/* Selecting rows keeps every type, dictionary and missing value. */
static void select_rows(void)
{
    mlp_table *t = sample(), *r = NULL;
    mlp_error err;
    size_t rows[4] = { 3, 0, 2, 3 };
    size_t len;

    CHECK(t != NULL);
    CHECK_MSG(mlp_table_select(t, rows, 4, &r, &err) == MLP_OK, "%s", err.msg);
    CHECK(mlp_table_n_rows(r) == 4 && mlp_table_n_cols(r) == 4);
    CHECK(mlp_table_find(r, "num")->num[0] == 1e300 && mlp_table_find(r, "num")->num[1] == 1.5);
    CHECK(mlp_column_is_missing(mlp_table_find(r, "num"), 2));
    const mlp_column *c = mlp_table_find(r, "cat");
    CHECK(c->n_levels == 2 && c->codes[0] == 1 && c->codes[2] == -1);
    CHECK(memcmp(mlp_column_string(mlp_table_find(r, "str"), 0, &len), "with,comma", 10) == 0);
    CHECK(mlp_column_is_missing(mlp_table_find(r, "str"), 2));
    CHECK(mlp_table_find(r, "pix")->mat[0] == 6 && mlp_table_find(r, "pix")->mat[7] == 7);
    mlp_table_free(r);
    rows[0] = 5;
    CHECK(mlp_table_select(t, rows, 1, &r, &err) == MLP_EINVAL && r == NULL);
    CHECK_CONTAINS(err.msg, "row 5 is past the table's 5 rows");
    mlp_table_free(t);
}

/* Joining tables appends rows and merges categorical dictionaries. */
static void concat_tables(void)
{
    mlp_table *a = mlp_table_new(2), *b = mlp_table_new(3), *r = NULL;
    mlp_error err;
    int32_t ca[2] = { 0, 1 }, cb[3] = { 1, -1, 0 };
    const char *la[2] = { "x", "y" }, *lb[2] = { "z", "y" };
    double va[2] = { 1, 2 }, vb[3] = { 3, 4, 5 };
    uint8_t mb[1] = { 0x02 };
    const mlp_table *parts[2];
    size_t len;

    CHECK(mlp_table_add_categorical(a, "c", ca, 2, la, &err) == MLP_OK);
    CHECK(mlp_table_add_numeric(a, "v", va, NULL, &err) == MLP_OK);
    CHECK(mlp_table_add_categorical(b, "c", cb, 2, lb, &err) == MLP_OK);
    CHECK(mlp_table_add_numeric(b, "v", vb, mb, &err) == MLP_OK);
    parts[0] = a;
    parts[1] = b;
    CHECK_MSG(mlp_table_concat(parts, 2, &r, &err) == MLP_OK, "%s", err.msg);
    const mlp_column *c = mlp_table_find(r, "c"), *v = mlp_table_find(r, "v");
    CHECK(mlp_table_n_rows(r) == 5 && c->n_levels == 3);
    const char *want[5] = { "x", "y", "y", NULL, "z" };
    for (size_t i = 0; i < 5; i++) {
        if (want[i] == NULL) {
            CHECK(mlp_column_is_missing(c, i));
            continue;
        }
        const char *s = mlp_column_level(c, (size_t)c->codes[i], &len);
        CHECK_MSG(len == 1 && s[0] == want[i][0], "row %zu", i);
    }
    CHECK(v->num[2] == 3 && mlp_column_is_missing(v, 3) && v->num[4] == 5);
    mlp_table_free(r);
    mlp_table_free(b);
    b = mlp_table_new(1);
    CHECK(mlp_table_add_numeric(b, "other", vb, NULL, &err) == MLP_OK);
    CHECK(mlp_table_add_numeric(b, "v", vb, NULL, &err) == MLP_OK);
    parts[1] = b;
    CHECK(mlp_table_concat(parts, 2, &r, &err) == MLP_EINVAL && r == NULL);
    CHECK_CONTAINS(err.msg, "table 1: column 0 is 'other' (numeric), table 0 has 'c' (categorical)");
    mlp_table_free(a);
    mlp_table_free(b);
}


/* Three row groups of one table: numbers stored differently in each, a
 * dictionary that grows (and one that does not start with the last), an
 * exact int64 group, missing strings. */
static mlp_table *group_part(int g)
{
    static const char *lv[3][3] = { { "a", "b", NULL }, { "a", "b", "c" }, { "z", "a", NULL } };
    static const size_t nlv[3] = { 2, 3, 2 };
    mlp_table *t = mlp_table_new(3);
    mlp_error err;
    double num[3][3] = { { 1, 2, 255 }, { 0.5, -1, 1e300 }, { 7, 8, 9 } };
    int32_t codes[3][3] = { { 0, 1, -1 }, { 2, 0, 1 }, { 0, 1, 0 } };
    const char *strs[3][3] = { { "x", NULL, "yy" }, { "", "q,r", NULL }, { "s", "t", "u" } };
    int64_t *ids = mlp_malloc(3 * sizeof *ids);

    if (t == NULL || ids == NULL)
        return NULL;
    for (int i = 0; i < 3; i++)
        ids[i] = g == 2 ? (int64_t)9007199254740993LL + i : i;
    if (mlp_table_add_numeric(t, "n", num[g], NULL, &err) != MLP_OK ||
        mlp_table_add_categorical(t, "c", codes[g], nlv[g], lv[g], &err) != MLP_OK ||
        mlp_table_add_string(t, "s", strs[g], &err) != MLP_OK ||
        mlp_table_adopt_int64(t, "id", ids, NULL, &err) != MLP_OK) {
        mlp_table_free(t);
        return NULL;
    }
    return t;
}

/* Bytes of a whole file, or NULL; *n gets the size. */
static char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    char *b;

    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    *n = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    b = malloc(*n + 1);
    if (b != NULL && fread(b, 1, *n, f) != *n) {
        free(b);
        b = NULL;
    }
    fclose(f);
    return b;
}

static int same_file(const char *a, const char *b)
{
    size_t na, nb;
    char *x = slurp(a, &na), *y = slurp(b, &nb);
    int same = x && y && na == nb && memcmp(x, y, na) == 0;

    free(x);
    free(y);
    return same;
}

/* Two tables hold the same columns and values (compared in memory: no
 * file, no fsync). */
static int same_tables(const mlp_table *a, const mlp_table *b)
{
    if (mlp_table_n_rows(a) != mlp_table_n_rows(b) || mlp_table_n_cols(a) != mlp_table_n_cols(b))
        return 0;
    for (size_t i = 0; i < mlp_table_n_cols(a); i++) {
        const mlp_column *x = mlp_table_column(a, i), *y = mlp_table_column(b, i);
        size_t n = x->n_rows;
        if (strcmp(x->name, y->name) != 0 || x->type != y->type)
            return 0;
        for (size_t r = 0; r < n; r++)
            if (mlp_column_is_missing(x, r) != mlp_column_is_missing(y, r))
                return 0;
        switch (x->type) {
        case MLP_COL_NUMERIC:
            if (memcmp(x->num, y->num, n * sizeof(double)) != 0 ||
                (x->ints == NULL) != (y->ints == NULL) ||
                (x->ints && memcmp(x->ints, y->ints, n * sizeof(int64_t)) != 0))
                return 0;
            break;
        case MLP_COL_CATEGORICAL:
            if (x->n_levels != y->n_levels || memcmp(x->codes, y->codes, n * 4) != 0 ||
                memcmp(x->level_off, y->level_off, (x->n_levels + 1) * 8) != 0 ||
                memcmp(x->level_bytes, y->level_bytes, x->level_off[x->n_levels]) != 0)
                return 0;
            break;
        case MLP_COL_STRING:
            if (memcmp(x->str_off, y->str_off, (n + 1) * 8) != 0 ||
                memcmp(x->str_bytes, y->str_bytes, x->str_off[n]) != 0)
                return 0;
            break;
        case MLP_COL_MATRIX:
            if (x->width != y->width || memcmp(x->mat, y->mat, n * x->width * 4) != 0)
                return 0;
            break;
        }
    }
    return 1;
}

static void write_groups(const char *p, int n, mlp_error *err, int *rc)
{
    mlp_table_writer *w;

    *rc = mlp_table_writer_open(p, &w, err);
    for (int g = 0; *rc == MLP_OK && g < n; g++)
        *rc = mlp_table_writer_add(w, group_part(g), err);
    if (*rc == MLP_OK)
        *rc = mlp_table_writer_close(w, err);
    else
        mlp_table_writer_abort(w);
}

static void groups_read_as_joined(void)
{
    char p[512], q[512], pj[512];
    mlp_table *parts[3], *joined = NULL, *r = NULL;
    mlp_error err;
    int rc;

    path_of(p, sizeof p, "groups.mlpt");
    path_of(q, sizeof q, "groups-rewritten.mlpt");
    path_of(pj, sizeof pj, "joined.mlpt");
    write_groups(p, 3, &err, &rc);
    CHECK_MSG(rc == MLP_OK, "%s", err.msg);
    CHECK(access(p, F_OK) == 0);
    for (int g = 0; g < 3; g++)
        parts[g] = group_part(g);
    CHECK(mlp_table_concat((const mlp_table *const *)parts, 3, &joined, &err) == MLP_OK);
    for (int g = 0; g < 3; g++)
        mlp_table_free(parts[g]);
    CHECK_MSG(mlp_table_open(p, &r, &err) == MLP_OK, "%s", err.msg);
    CHECK(mlp_table_n_rows(r) == 9 && mlp_table_n_cols(r) == 4);
    /* The same table as joining the groups in memory, byte for byte once
     * written as one group. */
    CHECK(mlp_table_write(r, q, &err) == MLP_OK);
    CHECK(mlp_table_write(joined, pj, &err) == MLP_OK);
    CHECK(same_file(q, pj));
    const mlp_column *c = mlp_table_find(r, "c"), *id = mlp_table_find(r, "id");
    size_t len;
    CHECK(c->n_levels == 4 && c->codes[3] == 2 && c->codes[6] == 3);
    CHECK(memcmp(mlp_column_level(c, 3, &len), "z", 1) == 0 && len == 1);
    CHECK(id->ints != NULL && id->ints[8] == 9007199254740995LL && id->ints[1] == 1);
    CHECK(mlp_table_find(r, "n")->num[5] == 1e300);
    CHECK(mlp_column_is_missing(mlp_table_find(r, "s"), 1) &&
          mlp_column_is_missing(mlp_table_find(r, "s"), 5) &&
          !mlp_column_is_missing(mlp_table_find(r, "s"), 3));
    mlp_table_free(r);
    mlp_table_free(joined);
}

/* A table written in one group is the file mlp_table_write makes. */
static void one_group_is_plain(void)
{
    char p[512], q[512];
    mlp_table *t = group_part(0);
    mlp_error err;
    int rc;

    path_of(p, sizeof p, "one-group.mlpt");
    path_of(q, sizeof q, "one-plain.mlpt");
    write_groups(p, 1, &err, &rc);
    CHECK_MSG(rc == MLP_OK, "%s", err.msg);
    CHECK(mlp_table_write(t, q, &err) == MLP_OK);
    mlp_table_free(t);
    CHECK(same_file(p, q));
}

static void table_file_pieces(void)
{
    char p[512], one[512];
    mlp_table_file *f = NULL;
    mlp_table *g = NULL, *col = NULL;
    mlp_error err;
    int rc;

    path_of(p, sizeof p, "pieces.mlpt");
    write_groups(p, 3, &err, &rc);
    CHECK(rc == MLP_OK);
    CHECK_MSG(mlp_table_file_open(p, &f, &err) == MLP_OK, "%s", err.msg);
    CHECK(mlp_table_file_n_groups(f) == 3 && mlp_table_file_n_rows(f) == 9 &&
          mlp_table_file_n_cols(f) == 4);
    CHECK(strcmp(mlp_table_file_col_name(f, 2), "s") == 0 &&
          mlp_table_file_col_type(f, 1) == MLP_COL_CATEGORICAL &&
          mlp_table_file_col_name(f, 4) == NULL);
    CHECK(mlp_table_file_group(f, 1, &g, &err) == MLP_OK);
    CHECK(mlp_table_n_rows(g) == 3 && mlp_table_find(g, "n")->num[2] == 1e300);
    mlp_table_free(g);
    CHECK(mlp_table_file_group(f, 3, &g, &err) == MLP_EINVAL && g == NULL);
    CHECK_CONTAINS(err.msg, "no row group 4 (it has 3)");
    CHECK(mlp_table_file_column(f, 1, &col, &err) == MLP_OK);
    CHECK(mlp_table_n_rows(col) == 9 && mlp_table_n_cols(col) == 1);
    CHECK(mlp_table_column(col, 0)->n_levels == 4 && mlp_table_column(col, 0)->codes[8] == 3 &&
          mlp_table_column(col, 0)->codes[7] == 0);
    mlp_table_free(col);
    CHECK(mlp_table_file_column(f, 0, &col, &err) == MLP_OK);
    CHECK(mlp_table_column(col, 0)->num[8] == 9);
    mlp_table_free(col);
    CHECK(mlp_table_file_column(f, 9, &col, &err) == MLP_EINVAL);
    /* One column of one group: small integers as stored (u8), others
     * decoded; int64 kept exactly; the group's own dictionary. */
    CHECK_MSG(mlp_table_file_group_column(f, 0, 0, &col, &err) == MLP_OK, "%s", err.msg);
    const mlp_column *gc = mlp_table_column(col, 0);
    CHECK(mlp_table_n_rows(col) == 3 && mlp_table_n_cols(col) == 1 && strcmp(gc->name, "n") == 0);
    CHECK(gc->num == NULL && gc->packing == MLP_PACK_U8 &&
          ((const uint8_t *)gc->packed)[2] == 255);
    mlp_table_free(col);
    CHECK(mlp_table_file_group_column(f, 1, 0, &col, &err) == MLP_OK);
    CHECK(mlp_table_column(col, 0)->num != NULL && mlp_table_column(col, 0)->num[2] == 1e300);
    mlp_table_free(col);
    CHECK(mlp_table_file_group_column(f, 2, 1, &col, &err) == MLP_OK);
    gc = mlp_table_column(col, 0);
    size_t len;
    /* The group's own dictionary (levels are not NUL-terminated). */
    CHECK(gc->n_levels == 2 && gc->codes[0] == 0);
    const char *lv0 = mlp_column_level(gc, 0, &len);
    CHECK(len == 1 && lv0[0] == 'z');
    mlp_table_free(col);
    CHECK(mlp_table_file_group_column(f, 2, 3, &col, &err) == MLP_OK);
    CHECK(mlp_table_column(col, 0)->ints != NULL &&
          mlp_table_column(col, 0)->ints[1] == 9007199254740994LL);
    mlp_table_free(col);
    CHECK(mlp_table_file_group_column(f, 3, 0, &col, &err) == MLP_EINVAL && col == NULL);
    CHECK_CONTAINS(err.msg, "no column 1 of row group 4 (it has 4 columns, 3 groups)");
    CHECK(mlp_table_file_group_column(f, 0, 4, &col, &err) == MLP_EINVAL && col == NULL);
    mlp_table_file_close(f);
    /* A 1.x file reads as one group. */
    path_of(one, sizeof one, "one-plain.mlpt");
    CHECK_MSG(mlp_table_file_open(one, &f, &err) == MLP_OK, "%s", err.msg);
    CHECK(mlp_table_file_n_groups(f) == 1 && mlp_table_file_n_rows(f) == 3);
    CHECK(mlp_table_file_column(f, 2, &col, &err) == MLP_OK);
    CHECK(mlp_table_n_rows(col) == 3);
    mlp_table_free(col);
    mlp_table_file_close(f);
}

/* Every flipped byte of a grouped file is caught (by the whole-table
 * reader, and by the piece readers when they reach it); a truncated one
 * too; groups whose columns differ are refused when added. */
static void grouped_damage(void)
{
    char p[512], d[512];
    size_t n;
    char *orig;
    mlp_error err;
    int rc;

    path_of(p, sizeof p, "damage-groups.mlpt");
    path_of(d, sizeof d, "damaged.mlpt");
    write_groups(p, 3, &err, &rc);
    CHECK(rc == MLP_OK);
    orig = slurp(p, &n);
    CHECK(orig != NULL);
    for (size_t i = 0; i < n; i++) {
        FILE *f = fopen(d, "wb");
        mlp_table *r = NULL;
        mlp_table_file *tf = NULL;
        int caught = 0;
        orig[i] ^= 0x10;
        fwrite(orig, 1, n, f);
        fclose(f);
        orig[i] ^= 0x10;
        if (mlp_table_open(d, &r, &err) != MLP_OK)
            caught++;
        mlp_table_free(r);
        if (mlp_table_file_open(d, &tf, &err) != MLP_OK) {
            caught++;
        } else {
            for (size_t g = 0; g < mlp_table_file_n_groups(tf); g++) {
                mlp_table *x = NULL;
                if (mlp_table_file_group(tf, g, &x, &err) != MLP_OK)
                    caught++;
                mlp_table_free(x);
            }
            mlp_table_file_close(tf);
        }
        if (caught < 2) {
            /* Padding between segments is not data: only the whole-table
             * read is asked to notice nothing there. */
            mlp_table *a = NULL, *b = NULL;
            int same = mlp_table_open(d, &a, &err) == MLP_OK && mlp_table_open(p, &b, &err) == MLP_OK &&
                       same_tables(a, b);
            mlp_table_free(a);
            mlp_table_free(b);
            if (!same) {
                free(orig);
                CHECK_MSG(0, "flipped byte %zu of %zu went unnoticed", i, n);
            }
        }
    }
    for (size_t cut = 1; cut < n; cut += 97) {
        FILE *f = fopen(d, "wb");
        mlp_table *r = NULL;
        fwrite(orig, 1, n - cut, f);
        fclose(f);
        rc = mlp_table_open(d, &r, &err);
        mlp_table_free(r);
        if (rc == MLP_OK) {
            free(orig);
            CHECK_MSG(0, "file cut by %zu bytes was read", cut);
        }
    }
    free(orig);
    CHECK_CONTAINS(err.msg, "truncated");

    mlp_table_writer *w;
    mlp_table *odd = mlp_table_new(1);
    double v = 1;
    CHECK(mlp_table_writer_open(d, &w, &err) == MLP_OK);
    CHECK(mlp_table_writer_add(w, group_part(0), &err) == MLP_OK);
    CHECK(mlp_table_add_numeric(odd, "n", &v, NULL, &err) == MLP_OK);
    CHECK(mlp_table_writer_add(w, odd, &err) == MLP_EINVAL);
    CHECK_CONTAINS(err.msg, "row group 1 has 1 columns, the first has 4");
    CHECK(mlp_table_writer_close(w, &err) != MLP_OK);
    CHECK(access(d, F_OK) != 0 || unlink(d) == 0);
    /* Nothing at all, and giving up, leave no file. */
    path_of(d, sizeof d, "never.mlpt");
    CHECK(mlp_table_writer_open(d, &w, &err) == MLP_OK);
    CHECK(mlp_table_writer_close(w, &err) == MLP_EINVAL);
    CHECK_CONTAINS(err.msg, "no row groups to write");
    CHECK(mlp_table_writer_open(d, &w, &err) == MLP_OK);
    for (int g = 0; g < 3; g++)
        CHECK(mlp_table_writer_add(w, group_part(g), &err) == MLP_OK);
    mlp_table_writer_abort(w);
    CHECK(access(d, F_OK) != 0);
}

/* Repeated fractions (scaled pixels: 255 values and -0) take a byte a
 * row and a dictionary of their exact bits: they read back bit for bit, missing rows and -0
 * included, from whole files, row groups and packed opens alike (never
 * handed out packed); a column of 257 distinct values, or one too short
 * to gain, is not so stored; a code past the dictionary is refused; and
 * every flipped byte of such a file is caught. */
static void dictionary_columns(void)
{
    enum { N = 3000 };
    char p[512], q[512], cmd[1200];
    mlp_table *t = mlp_table_new(N), *r;
    mlp_table_file *f;
    mlp_table_writer *w;
    mlp_error err;
    double *px = mlp_malloc(N * sizeof *px), *many = mlp_malloc(N * sizeof *many);
    uint8_t *miss = mlp_calloc(N / 8 + 1, 1);

    for (size_t i = 0; i < N; i++) {
        px[i] = (double)(i * 7 % 255) / 255.0;
        many[i] = (double)(i % 257) / 3.0;
    }
    px[5] = -0.0;
    px[6] = 0.0;
    miss[1] = 0x01;   /* row 8 missing */
    CHECK(mlp_table_adopt_numeric(t, "px", px, miss, &err) == MLP_OK);
    CHECK(mlp_table_adopt_numeric(t, "many", many, NULL, &err) == MLP_OK);
    path_of(p, sizeof p, "dict.mlpt");
    CHECK_MSG(mlp_table_write(t, p, &err) == MLP_OK, "%s", err.msg);
    CHECK(file_minor(p) == 2);
    /* 3,000 bytes and 256 values, not 24,000 bytes (and "many" in full). */
    CHECK_MSG(file_size(p) < 2 * 128 + 128 + 3072 + 2048 + 512 + 24064 + 4 * 64,
              "%ld bytes", file_size(p));
    for (int packed = 0; packed < 2; packed++) {
        CHECK_MSG((packed ? mlp_table_open_packed(p, &r, &err) : mlp_table_open(p, &r, &err))
                  == MLP_OK, "%s", err.msg);
        const mlp_column *c = mlp_table_find(r, "px"), *m = mlp_table_find(r, "many");
        CHECK(c->num != NULL && c->packed == NULL && c->packing == MLP_PACK_F64);
        int same = 1;
        for (size_t i = 0; i < N; i++) {
            double want = i == 8 ? NAN : (double)(i * 7 % 255) / 255.0;
            if (i == 5 || i == 6)
                want = i == 5 ? -0.0 : 0.0;
            same &= i == 8 ? isnan(c->num[i]) && mlp_column_is_missing(c, i)
                           : memcmp(&c->num[i], &want, sizeof want) == 0;
            same &= m->num[i] == (double)(i % 257) / 3.0;
        }
        CHECK_MSG(same, "values differ (packed open: %d)", packed);
        CHECK(signbit(c->num[5]) && !signbit(c->num[6]));
        mlp_table_free(r);
    }
    /* As row groups, read whole and a column at a time. */
    path_of(q, sizeof q, "dict_groups.mlpt");
    CHECK(mlp_table_writer_open(q, &w, &err) == MLP_OK);
    for (size_t g = 0; g < 3; g++) {
        mlp_table *part = NULL;
        CHECK(mlp_table_rows(t, g * 1000, 1000, &part, &err) == MLP_OK);
        mlp_table *copy = mlp_table_new(1000);
        CHECK(mlp_table_add_copy(copy, "px", mlp_table_find(part, "px"), &err) == MLP_OK);
        mlp_table_free(part);
        CHECK(mlp_table_writer_add(w, copy, &err) == MLP_OK);
    }
    CHECK_MSG(mlp_table_writer_close(w, &err) == MLP_OK, "%s", err.msg);
    CHECK(mlp_table_file_open(q, &f, &err) == MLP_OK);
    double *all = NULL;
    size_t n = 0;
    CHECK(mlp_table_file_numbers(f, 0, &all, &n, &err) == MLP_OK && n == N);
    mlp_table *g1 = NULL, *c1 = NULL;
    CHECK(mlp_table_file_group_packed(f, 1, &g1, &err) == MLP_OK);
    CHECK(mlp_table_file_group_column(f, 2, 0, &c1, &err) == MLP_OK);
    CHECK(all && g1 && c1 && isnan(all[8]) && signbit(all[5]) &&
          all[2999] == px[2999] && mlp_table_column(g1, 0)->num[0] == px[1000] &&
          mlp_table_column(c1, 0)->num[999] == px[2999]);
    mlp_free(all);
    mlp_table_free(g1);
    mlp_table_free(c1);
    mlp_table_file_close(f);
    mlp_table_free(t);

    /* Too short to gain: stored as before. */
    t = mlp_table_new(4);
    double few[4] = { 0.5, 0.25, 0.5, 0.25 };
    CHECK(mlp_table_add_numeric(t, "few", few, NULL, &err) == MLP_OK);
    path_of(q, sizeof q, "few.mlpt");
    CHECK(mlp_table_write(t, q, &err) == MLP_OK && file_minor(q) == 0);
    mlp_table_free(t);

    /* A dictionary one value short, leaving code 255 outside it, with
     * every checksum made good. */
    path_of(q, sizeof q, "dict_bad.mlpt");
    snprintf(cmd, sizeof cmd, "cp '%s' '%s'", p, q);
    CHECK(system(cmd) == 0);
    CHECK(shrink_dictionary(q) == 0);
    CHECK(mlp_table_open(q, &r, &err) == MLP_ECORRUPT);
    CHECK_CONTAINS(err.msg, "column 'px' has code 255 outside its dictionary of 255 values");

    /* A row count past the codes there are (every hash made good) is
     * refused before any code is read. */
    snprintf(cmd, sizeof cmd, "cp '%s' '%s'", p, q);
    CHECK(system(cmd) == 0);
    FILE *fp = fopen(q, "r+b");
    unsigned char h[128];
    uint64_t rows = 1000000000, hh;
    CHECK(fp != NULL && fread(h, 1, sizeof h, fp) == sizeof h);
    memcpy(h + 16, &rows, 8);
    hh = XXH3_64bits(h, 120);
    memcpy(h + 120, &hh, 8);
    fseek(fp, 0, SEEK_SET);
    fwrite(h, 1, sizeof h, fp);
    fclose(fp);
    CHECK(mlp_table_open(q, &r, &err) == MLP_ECORRUPT);
    CHECK_CONTAINS(err.msg, "segment 0 has 3000 bytes, expected 1000000000");

    /* Every flipped byte. */
    long size = file_size(p), caught = 0;
    for (long at = 0; at < size; at += 1) {
        snprintf(cmd, sizeof cmd, "cp '%s' '%s'", p, q);
        CHECK(system(cmd) == 0);
        CHECK(flip_byte(q, at) == 0);
        if (mlp_table_open(q, &r, &err) == MLP_OK) {
            mlp_table_free(r);
            continue;
        }
        caught++;
    }
    CHECK_MSG(caught > size - 64 * 8, "%ld of %ld flipped bytes caught", caught, size);
}

/* A column its maker gives as codes and a dictionary (the transform's
 * byte lookups) is stored as exactly those: the file reads back the same
 * bits and holds a byte a row; one whose values are small integers is
 * stored as integers instead (readers count them in place); and one too
 * short to gain is stored as doubles. */
static void coded_columns(void)
{
    enum { N = 2000 };
    char p[512];
    mlp_table *t = mlp_table_new(N), *r;
    mlp_error err;
    double *v = mlp_malloc(N * sizeof *v), *iv = mlp_malloc(N * sizeof *iv);
    double *dict = mlp_malloc(3 * sizeof *dict), *idict = mlp_malloc(2 * sizeof *idict);
    uint8_t *codes = mlp_malloc(N), *icodes = mlp_malloc(N), *miss = mlp_calloc(N / 8 + 1, 1);

    dict[0] = 0.1;
    dict[1] = -0.0;
    dict[2] = 1.0 / 3;
    idict[0] = 7;
    idict[1] = 200;
    for (size_t i = 0; i < N; i++) {
        codes[i] = (uint8_t)(i % 3);
        v[i] = dict[codes[i]];
        icodes[i] = (uint8_t)(i % 2);
        iv[i] = idict[icodes[i]];
    }
    miss[0] = 0x02;     /* row 1 missing: its code says 0 */
    codes[1] = 0;
    v[1] = NAN;
    CHECK(mlpi_table_adopt_coded(t, "f", v, miss, codes, dict, 3, &err) == MLP_OK);
    CHECK(mlpi_table_adopt_coded(t, "i", iv, NULL, icodes, idict, 2, &err) == MLP_OK);
    path_of(p, sizeof p, "coded.mlpt");
    CHECK_MSG(mlp_table_write(t, p, &err) == MLP_OK, "%s", err.msg);
    mlp_table_free(t);
    CHECK(file_minor(p) == 2);
    /* Header and directory, then 2,000 bytes, a missing bitmap and 24
     * bytes of dictionary, and 2,000 bytes: not 32,000 bytes of doubles. */
    CHECK_MSG(file_size(p) <= 448 + 2048 + 256 + 64 + 2048, "%ld bytes", file_size(p));
    CHECK(mlp_table_open_packed(p, &r, &err) == MLP_OK);
    const mlp_column *f = mlp_table_find(r, "f"), *ic = mlp_table_find(r, "i");
    int same = 1;
    for (size_t i = 0; i < N; i++) {
        double want = i % 3 == 0 ? 0.1 : i % 3 == 1 ? -0.0 : 1.0 / 3;
        same &= i == 1 ? isnan(f->num[i]) && mlp_column_is_missing(f, i)
                       : memcmp(&f->num[i], &want, sizeof want) == 0;
    }
    CHECK_MSG(same, "coded values read back differently");
    CHECK(ic->num == NULL && ic->packing == MLP_PACK_U8 &&
          mlp_column_number(ic, 0) == 7 && mlp_column_number(ic, 1) == 200);
    mlp_table_free(r);
    /* Four rows: doubles take less than a byte each and a dictionary. */
    t = mlp_table_new(4);
    double *s4 = mlp_malloc(4 * sizeof *s4), *d4 = mlp_malloc(sizeof *d4);
    uint8_t *c4 = mlp_calloc(4, 1);
    d4[0] = 0.5;
    for (int i = 0; i < 4; i++)
        s4[i] = 0.5;
    CHECK(mlpi_table_adopt_coded(t, "x", s4, NULL, c4, d4, 1, &err) == MLP_OK);
    CHECK(mlp_table_write(t, p, &err) == MLP_OK && file_minor(p) == 0);
    mlp_table_free(t);
}

/* A slice of rows shares the table's memory and reads as those rows of
 * every type: missing bits, dictionary codes, strings, matrix rows and
 * packed bytes; a start off a multiple of 8, or rows past the end, are
 * refused. */
static void row_slices(void)
{
    enum { N = 40 };
    mlp_table *t = mlp_table_new(N), *s = NULL, *p = NULL;
    mlp_error err;
    double num[N];
    uint8_t miss[N / 8] = { 0 };
    int32_t codes[N];
    const char *levels[3] = { "a", "b", "c" }, *strs[N];
    char buf[N][8];
    float mat[2 * N];
    char path[512];

    for (int i = 0; i < N; i++) {
        num[i] = i * 1.5;
        codes[i] = i % 4 == 3 ? -1 : i % 3;
        snprintf(buf[i], sizeof buf[i], "s%d", i);
        strs[i] = i == 17 ? NULL : buf[i];
        mat[2 * i] = (float)i;
        mat[2 * i + 1] = (float)-i;
    }
    miss[2] = 0x22;   /* rows 17 and 21 missing */
    CHECK(mlp_table_add_numeric(t, "num", num, miss, &err) == MLP_OK);
    CHECK(mlp_table_add_categorical(t, "cat", codes, 3, levels, &err) == MLP_OK);
    CHECK(mlp_table_add_string(t, "str", strs, &err) == MLP_OK);
    CHECK(mlp_table_add_matrix(t, "pix", 2, mat, &err) == MLP_OK);
    CHECK(mlp_table_rows(t, 16, 10, &s, &err) == MLP_OK);
    CHECK(s && mlp_table_n_rows(s) == 10 && mlp_table_n_cols(s) == 4);
    int same = 1;
    for (size_t r = 0; s && r < 10; r++) {
        size_t i = 16 + r, len = 0;
        const char *v = mlp_column_string(mlp_table_find(s, "str"), r, &len);
        same &= (i == 17 || i == 21) ? isnan(mlp_column_number(mlp_table_find(s, "num"), r))
                                     : mlp_column_number(mlp_table_find(s, "num"), r) == i * 1.5;
        same &= mlp_table_find(s, "cat")->codes[r] == codes[i];
        same &= i == 17 ? mlp_column_is_missing(mlp_table_find(s, "str"), r)
                        : v != NULL && len == strlen(buf[i]) && memcmp(v, buf[i], len) == 0;
        same &= mlp_table_find(s, "pix")->mat[2 * r + 1] == (float)-(double)i;
    }
    CHECK_MSG(same, "a slice reads other rows");
    /* Written, a slice's strings are its own rows' text only. */
    path_of(path, sizeof path, "slice_str.mlpt");
    CHECK(mlp_table_write(s, path, &err) == MLP_OK);
    CHECK(mlp_table_open(path, &p, &err) == MLP_OK);
    const mlp_column *ps = mlp_table_find(p, "str");
    size_t plen = 0;
    const char *pv = mlp_column_string(ps, 9, &plen);
    CHECK(ps->str_off[10] == 9 * 3 && pv && plen == 3 && memcmp(pv, "s25", 3) == 0);
    mlp_table_free(p);
    mlp_table_free(s);
    CHECK(mlp_table_rows(t, 4, 10, &s, &err) == MLP_EINVAL && s == NULL);
    CHECK_CONTAINS(err.msg, "starting at a multiple of 8");
    CHECK(mlp_table_rows(t, 32, 9, &s, &err) == MLP_EINVAL);
    CHECK(mlp_table_rows(t, 40, 0, &s, &err) == MLP_OK && mlp_table_n_rows(s) == 0);
    mlp_table_free(s);
    /* Packed bytes, as a reader of stored groups gets them. */
    for (int i = 0; i < N; i++)
        num[i] = i % 7;
    mlp_table_free(t);
    t = mlp_table_new(N);
    CHECK(mlp_table_add_numeric(t, "b", num, NULL, &err) == MLP_OK);
    path_of(path, sizeof path, "slice.mlpt");
    CHECK(mlp_table_write(t, path, &err) == MLP_OK);
    mlp_table_free(t);
    CHECK(mlp_table_open_packed(path, &p, &err) == MLP_OK);
    CHECK(mlp_table_column(p, 0)->packing == MLP_PACK_U8);
    CHECK(mlp_table_rows(p, 24, 16, &s, &err) == MLP_OK);
    CHECK(s && mlp_table_column(s, 0)->num == NULL &&
          mlp_column_number(mlp_table_column(s, 0), 0) == 24 % 7 &&
          mlp_column_number(mlp_table_column(s, 0), 15) == 39 % 7);
    mlp_table_free(s);
    mlp_table_free(p);
}

/* Every table freed: the core's allocator count is back to zero. */
static void no_leaked_memory(void)
{
    CHECK_MSG(mlp_memory_in_use() == 0, "%zu bytes still allocated",
              mlp_memory_in_use());
}

static long rss_file_kb(void)
{
    char line[256];
    long kb = -1;
    FILE *f = fopen("/proc/self/status", "r");

    while (f != NULL && fgets(line, sizeof line, f) != NULL)
        if (strncmp(line, "RssFile:", 8) == 0)
            kb = strtol(line + 8, NULL, 10);
    if (f != NULL)
        fclose(f);
    return kb;
}

/* Reading a file group by group gives each group's pages back when it is
 * freed: a reader of a table larger than memory holds one group. */
static void groups_give_pages_back(void)
{
    char p[512];
    mlp_table_writer *w;
    mlp_table_file *f = NULL;
    mlp_error err;
    const size_t rows = 500000;
    uint64_t x = 7;

    path_of(p, sizeof p, "pages.mlpt");
    CHECK(mlp_table_writer_open(p, &w, &err) == MLP_OK);
    for (int g = 0; g < 8; g++) {
        double *v = mlp_malloc(rows * sizeof *v);
        mlp_table *t = mlp_table_new(rows);
        CHECK(v != NULL && t != NULL);
        for (size_t i = 0; i < rows; i++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            v[i] = (double)(x >> 11) / 3.0;
        }
        CHECK(mlp_table_adopt_numeric(t, "v", v, NULL, &err) == MLP_OK);
        CHECK_MSG(mlp_table_writer_add(w, t, &err) == MLP_OK, "%s", err.msg);
    }
    CHECK_MSG(mlp_table_writer_close(w, &err) == MLP_OK, "%s", err.msg);
    CHECK(mlp_table_file_open(p, &f, &err) == MLP_OK);
    long before = rss_file_kb();
    double sum = 0;
    for (size_t g = 0; g < mlp_table_file_n_groups(f); g++) {
        mlp_table *t = NULL;
        CHECK(mlp_table_file_group(f, g, &t, &err) == MLP_OK);
        sum += mlp_table_column(t, 0)->num[rows - 1];
        mlp_table_free(t);
    }
    long after = rss_file_kb();
    mlp_table_file_close(f);
    unlink(p);
    /* 32 MB of groups read; at most about one group's pages left. */
    CHECK_MSG(before >= 0 && after - before < 8 * 1024, "RssFile grew by %ld kB (sum %g)",
              after - before, sum);
}

int main(void)
{
    char cmd[300];

    snprintf(dir, sizeof dir, "/tmp/mlpipe-test-table-XXXXXX");
    if (mkdtemp(dir) == NULL)
        return 1;
    RUN(round_trip_all_types);
    RUN(empty_tables);
    RUN(all_missing);
    RUN(refuses_bad_columns);
    RUN(detects_every_flipped_byte);
    RUN(refuses_forged_entries);
    RUN(refuses_decreasing_offsets);
    RUN(detects_truncation);
    RUN(refuses_other_files);
    RUN(refuses_newer_major);
    RUN(int64_exact);
    RUN(refuses_newer_minor_encoding);
    RUN(large_round_trip);
    RUN(compact_encodings_round_trip);
    RUN(release_only_decoded);
    RUN(select_rows);
    RUN(concat_tables);
    RUN(groups_read_as_joined);
    RUN(one_group_is_plain);
    RUN(table_file_pieces);
    RUN(groups_give_pages_back);
    RUN(grouped_damage);
    RUN(dictionary_columns);
    RUN(row_slices);
    RUN(coded_columns);
    RUN(no_leaked_memory);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        return 1;
    CHECK_EXIT();
}
