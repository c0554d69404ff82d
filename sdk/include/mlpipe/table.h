/* The columnar table and its on-disk format.
 *
 * A table has n_rows rows and typed, named columns:
 *   MLP_COL_NUMERIC      float64 values plus a missing bitmap; integers
 *                        beyond +-2^53 (ids) also kept exactly as int64;
 *   MLP_COL_CATEGORICAL  int32 codes into a dictionary of level strings,
 *                        code -1 meaning missing;
 *   MLP_COL_STRING       variable-length UTF-8 strings plus a missing bitmap;
 *   MLP_COL_MATRIX       a dense float32 block of `width` values per row, for
 *                        wide numeric data such as pixels (no missing values).
 *
 * On disk (".mlpt") a table is one file: a versioned header, a column
 * directory, and 64-byte aligned data segments, each column covered by its own
 * XXH3 checksum.  mlp_table_open() maps the file and verifies every checksum
 * before returning, so a damaged or truncated file is reported, never read.
 *
 * Ownership: mlp_table_new() and mlp_table_open() return an owned table freed
 * with mlp_table_free(); columns and every pointer inside an mlp_column are
 * borrowed from the table and live until it is freed.  The add functions copy
 * what they are given.
 */
#ifndef MLPIPE_TABLE_H
#define MLPIPE_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include <mlpipe/error.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum mlp_col_type {
    MLP_COL_NUMERIC = 1,
    MLP_COL_CATEGORICAL = 2,
    MLP_COL_STRING = 3,
    MLP_COL_MATRIX = 4
} mlp_col_type;

/* How a numeric column's values are stored in a table file.  Readers that
 * can work on the stored form open tables with mlp_table_open_packed() and
 * skip decoding (counting pixel values 0..255 needs no doubles). */
typedef enum mlp_packing {
    MLP_PACK_F64 = 0, MLP_PACK_F32, MLP_PACK_I8, MLP_PACK_U8,
    MLP_PACK_I16, MLP_PACK_U16, MLP_PACK_I32,
    MLP_PACK_I64            /* since format 1.1: see mlp_column.ints */
} mlp_packing;

/* A read-only view of one column.  Only the fields of its type are set. */
typedef struct mlp_column {
    const char *name;
    mlp_col_type type;
    size_t n_rows;
    size_t width;              /* MATRIX: values per row; otherwise 1 */
    const double *num;         /* NUMERIC: n_rows values (NaN where missing) */
    const float *mat;          /* MATRIX: n_rows * width values, row major */
    const int32_t *codes;      /* CATEGORICAL: n_rows codes, -1 = missing */
    size_t n_levels;           /* CATEGORICAL: dictionary size */
    const uint64_t *level_off; /* CATEGORICAL: n_levels + 1 byte offsets */
    const char *level_bytes;   /* CATEGORICAL: concatenated level strings */
    const uint64_t *str_off;   /* STRING: n_rows + 1 byte offsets */
    const char *str_bytes;     /* STRING: concatenated values */
    const uint8_t *missing;    /* NUMERIC/STRING: bit i set = row i missing;
                                  NULL when no value is missing */
    mlp_packing packing;       /* NUMERIC from a file: the stored form */
    const void *packed;        /* NUMERIC from a file: the stored values
                                  (missing rows hold 0), or NULL */
    const int64_t *ints;       /* NUMERIC: when some value is an integer
                                  beyond +-2^53, which `num` can only round,
                                  every value exactly (missing rows hold 0);
                                  NULL otherwise, and then `num` is exact */
} mlp_column;

typedef struct mlp_table mlp_table;

mlp_table *mlp_table_new(size_t n_rows);
void mlp_table_free(mlp_table *t);

size_t mlp_table_n_rows(const mlp_table *t);
size_t mlp_table_n_cols(const mlp_table *t);
const mlp_column *mlp_table_column(const mlp_table *t, size_t i);
/* The column called name, or NULL. */
const mlp_column *mlp_table_find(const mlp_table *t, const char *name);
const char *mlp_col_type_name(mlp_col_type type);

/* Add columns of n_rows values.  `missing` may be NULL (nothing missing). */
int mlp_table_add_numeric(mlp_table *t, const char *name, const double *values,
                          const uint8_t *missing, mlp_error *err);
int mlp_table_add_categorical(mlp_table *t, const char *name,
                              const int32_t *codes, size_t n_levels,
                              const char *const *levels, mlp_error *err);
/* values[i] == NULL marks row i missing. */
int mlp_table_add_string(mlp_table *t, const char *name,
                         const char *const *values, mlp_error *err);
int mlp_table_add_matrix(mlp_table *t, const char *name, size_t width,
                         const float *values, mlp_error *err);

/* Adds a copy of column src (from any table with the same row count) under
 * name, keeping its type, dictionary and missing values (a packed numeric
 * column is copied decoded). */
int mlp_table_add_copy(mlp_table *t, const char *name, const mlp_column *src,
                       mlp_error *err);

/* Rows [first, first + n) of src as a table that shares src's memory
 * (nothing is copied but a string column's offsets; packed columns stay
 * packed): for going through a
 * large table a slice at a time.  first must be a multiple of 8 (missing
 * bitmaps are shared a byte at a time).  *out is owned (mlp_table_free),
 * and src must outlive it. */
int mlp_table_rows(const mlp_table *src, size_t first, size_t n, mlp_table **out,
                   mlp_error *err);
/* A new table of the given rows of src, in that order (rows may repeat).
 * Every column keeps its type, dictionary and missing values; a packed
 * numeric column comes out decoded.  *out is owned (mlp_table_free). */
int mlp_table_select(const mlp_table *src, const size_t *rows, size_t n,
                     mlp_table **out, mlp_error *err);

/* One table of the rows of parts[0], then parts[1], ...  The parts must
 * have the same columns (names, types, matrix widths) in the same order;
 * categorical dictionaries are merged.  *out is owned (mlp_table_free). */
int mlp_table_concat(const mlp_table *const *parts, size_t n, mlp_table **out,
                     mlp_error *err);

/* Adopts a numeric column in its stored form (values as `packing` says,
 * missing rows may hold anything): for writing large integer data without
 * expanding it to doubles first.  Such a column has `num` NULL until the
 * table is written and opened again.  Takes the buffers as the adopt
 * functions below do. */
int mlp_table_adopt_packed(mlp_table *t, const char *name, mlp_packing packing,
                           void *values, uint8_t *missing, mlp_error *err);

/* Adopts buffers the caller allocated with mlp_malloc(); the table frees
 * them.  On failure they are freed too, so the caller never double-frees. */
int mlp_table_adopt_numeric(mlp_table *t, const char *name, double *values,
                            uint8_t *missing, mlp_error *err);
/* A numeric column of 64-bit integers (missing rows may hold anything):
 * `num` gets them as doubles and, when one is beyond +-2^53, `ints` keeps
 * them exactly and the file stores them as int64. */
int mlp_table_adopt_int64(mlp_table *t, const char *name, int64_t *values,
                          uint8_t *missing, mlp_error *err);
/* A string column from offsets (n_rows + 1 byte offsets into bytes,
 * starting at 0 and never decreasing) and its missing bitmap (NULL: none
 * missing; a missing row's offsets span nothing). */
int mlp_table_adopt_string(mlp_table *t, const char *name, uint64_t *offsets,
                           char *bytes, uint8_t *missing, mlp_error *err);
int mlp_table_adopt_matrix(mlp_table *t, const char *name, size_t width,
                           float *values, mlp_error *err);

static inline int mlp_column_is_missing(const mlp_column *c, size_t row)
{
    if (c->type == MLP_COL_CATEGORICAL)
        return c->codes[row] < 0;
    if (c->missing == NULL)
        return 0;
    return (c->missing[row >> 3] >> (row & 7)) & 1;
}

/* Column selectors, as pipelines name the columns a stage works on: an
 * exact name, a glob pattern (fnmatch: "pixel*", "x[0-9]"), or a type
 * selector ":numeric", ":categorical", ":string".  Does `entry` take the
 * column called name of that type?  mlp_column_selector_is_pattern() says
 * whether entry may take several columns (pattern or type selector), so
 * a caller can refuse an exact name that takes none. */
int mlp_column_selected(const char *entry, const char *name, mlp_col_type type);
int mlp_column_selector_is_pattern(const char *entry);

/* Row `row` of a NUMERIC column as a double, whatever form it is held in
 * (decoded, or packed as a file stores small integers); NaN where the
 * value is missing. */
double mlp_column_number(const mlp_column *c, size_t row);
/* Rows [first, first + n) of a NUMERIC column into out (n doubles, the
 * caller's), as mlp_column_number() reads each: one loop per form, for
 * readers of whole columns. */
void mlp_column_numbers(const mlp_column *c, size_t first, size_t n, double *out);

/* The string of row `row` (STRING) or of level `k` (CATEGORICAL); *len gets
 * its length.  Not NUL-terminated. */
const char *mlp_column_string(const mlp_column *c, size_t row, size_t *len);
const char *mlp_column_level(const mlp_column *c, size_t k, size_t *len);

/* Writes t to path atomically (a temporary file renamed into place). */
int mlp_table_write(const mlp_table *t, const char *path, mlp_error *err);
/* Maps path and verifies its header and every column checksum.  A file of
 * several row groups is read whole into memory (decoded, dictionaries
 * merged); readers that can go a piece at a time use mlp_table_file. */
int mlp_table_open(const char *path, mlp_table **out, mlp_error *err);
/* The same, but numeric columns stored narrower than float64 are not
 * decoded: their `num` is NULL and `packed`/`packing` give the values
 * (a file of several row groups comes decoded). */
int mlp_table_open_packed(const char *path, mlp_table **out, mlp_error *err);
/* Decodes column i of a table opened packed, so its `num` is set; a no-op
 * for any other column.  Different columns may be decoded from different
 * threads at once. */
int mlp_table_decode(mlp_table *t, size_t i, mlp_error *err);
/* Frees what mlp_table_decode made for column i (its `num` is NULL again),
 * so a reader going column by column holds one decoded column at a time. */
void mlp_table_release(mlp_table *t, size_t i);

/* Writing a table in row groups, for data too large to hold at once: add
 * the rows a group at a time, each group an mlp_table with the same
 * columns (names, types, matrix widths) in the same order.  Categorical
 * codes may differ from group to group: readers joining the groups merge
 * the dictionaries in order (a dictionary that only grows, each group's
 * starting with the one before's levels, keeps every code as it was).
 *
 * Nothing is at path until mlp_table_writer_close() succeeds; a table of
 * one group is then written exactly as mlp_table_write() writes it (format
 * 1.x), one of several in format 2.0, which builds before 2.0 refuse.
 *
 * Ownership: the writer takes every table given to mlp_table_writer_add(),
 * also when that fails, and frees it; close and abort free the writer. */
typedef struct mlp_table_writer mlp_table_writer;

int mlp_table_writer_open(const char *path, mlp_table_writer **out,
                          mlp_error *err);
int mlp_table_writer_add(mlp_table_writer *w, mlp_table *group, mlp_error *err);
/* Finishes the file (at least one group must have been added). */
int mlp_table_writer_close(mlp_table_writer *w, mlp_error *err);
/* Gives up: removes what was written. */
void mlp_table_writer_abort(mlp_table_writer *w);

/* Reading a table file a piece at a time, so memory does not grow with
 * the file: a row group at a time (a 1.x file is one group), or one column
 * of every group at a time.  mlp_table_file_open() checks the header and
 * the group index; each group's checksums are checked when it is read.
 * The pages of freed pieces go back to the kernel 8 MB at a time, so at
 * most that much of the file stays resident beyond what the caller holds.
 *
 * Ownership: the file is freed with mlp_table_file_close(); tables from
 * mlp_table_file_group() and mlp_table_file_group_column() are owned by
 * the caller (mlp_table_free) but may point into the file, so they must be
 * freed before it is closed; tables from mlp_table_file_column() are
 * independent of it. */
typedef struct mlp_table_file mlp_table_file;

int mlp_table_file_open(const char *path, mlp_table_file **out, mlp_error *err);
void mlp_table_file_close(mlp_table_file *f);
size_t mlp_table_file_n_groups(const mlp_table_file *f);
size_t mlp_table_file_n_rows(const mlp_table_file *f);
size_t mlp_table_file_n_cols(const mlp_table_file *f);
/* Name and type of column i (as in every group), or NULL / 0. */
const char *mlp_table_file_col_name(const mlp_table_file *f, size_t i);
mlp_col_type mlp_table_file_col_type(const mlp_table_file *f, size_t i);
/* The index of the column called name, or -1 when there is none (in
 * constant time: a file may have 100,000 columns). */
ptrdiff_t mlp_table_file_find(const mlp_table_file *f, const char *name);
/* Row group g, checked and decoded. */
int mlp_table_file_group(mlp_table_file *f, size_t g, mlp_table **out,
                         mlp_error *err);
/* Row group g, checked, with its numeric columns of integers that one
 * byte or two hold left packed (`num` NULL, `packed` and `packing` set;
 * mlp_column_number() reads them) and every other column decoded: for a
 * reader that takes whole groups and can use small integers as they are
 * (mlp_tgraph_apply_rows() looks bytes up in a table of 256 results). */
int mlp_table_file_group_packed(mlp_table_file *f, size_t g, mlp_table **out,
                                mlp_error *err);
/* Column i of row group g alone, as stored: a numeric column of integers
 * that one byte or two hold comes packed (`num` NULL, `packed` and
 * `packing` set), any other decoded.  The smallest piece of a file: a
 * reader that goes group by group through a column holds one group's
 * values.  Safe to call from several threads at once. */
int mlp_table_file_group_column(mlp_table_file *f, size_t g, size_t i,
                                mlp_table **out, mlp_error *err);
/* Column i of every group joined: a table of that one column and every
 * row, checked and decoded.  Safe to call from several threads at once
 * for different columns. */
int mlp_table_file_column(mlp_table_file *f, size_t i, mlp_table **out,
                          mlp_error *err);
/* Numeric column i of every group as doubles, NaN where missing: *out
 * (owned by the caller, mlp_free()) gets *n values, read a group at a
 * time into the one array (no table of the joined groups in between).
 * Safe to call from several threads at once for different columns. */
int mlp_table_file_numbers(mlp_table_file *f, size_t i, double **out, size_t *n,
                           mlp_error *err);
/* The same, but a numeric column whose values are integers that one byte
 * or two hold comes packed (`num` NULL, `packed` and `packing` set) in
 * the form a one-group file would store it, as mlp_table_open_packed()
 * gives it, so a reader can count them in place. */
int mlp_table_file_column_packed(mlp_table_file *f, size_t i, mlp_table **out,
                                 mlp_error *err);

/* The format version this build writes for a table of one group; it reads
 * the same major, and 2.x (several groups, mlp_table_writer). */
#define MLP_TABLE_FORMAT_MAJOR 1
#define MLP_TABLE_FORMAT_MINOR 2   /* 1.1 added MLP_PACK_I64, 1.2 columns of
                                      at most 256 distinct fractions stored
                                      as a byte per row and a dictionary
                                      (always decoded on reading); a file
                                      is written as the oldest minor that
                                      holds its columns */

#ifdef __cplusplus
}
#endif
#endif
