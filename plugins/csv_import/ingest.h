/* Internal to the csv_import plugin: the state of one ingestion, shared
 * by the general two-pass reader (csv_import.c) and the fast path for
 * plain files (fastpath.c). */
#ifndef MLPIPE_CSV_IMPORT_INGEST_H
#define MLPIPE_CSV_IMPORT_INGEST_H

#include <stddef.h>
#include <stdint.h>

#include <mlpipe/mlpipe.h>

#include <mlpipe/csv.h>
#include "dict.h"
#include "hashcount.h"

#define MAX_SPLITS 16
#define MAX_SKIPPED_LINES 10

enum { T_AUTO, T_NUMERIC, T_CATEGORICAL, T_STRING };

/* Where a value that decides a column's type was found. */
typedef struct ingest_note {
    int set;
    size_t file, line;
    size_t before;       /* values of the column before it, all numbers */
    char value[44];      /* its first bytes */
} ingest_note;

typedef struct col_info {
    char *name;
    int declared;        /* T_* from the `types` parameter */
    int numeric;         /* every present value parsed as a number */
    int integer;         /* ... and as an integer */
    int lead_zero;       /* an integer value had a leading zero (007) */
    int overflow;        /* an integer value was beyond int64 */
    int wide;            /* an integer value was beyond +-2^53 */
    size_t present;
    int many;            /* more distinct texts than max_categories: read
                            straight into a string column, no dictionary */
    /* The first non-number, integer with a leading zero and integer beyond
     * int64: why a column of numbers may end up read as text. */
    ingest_note text_note, zero_note, over_note;
} col_info;

typedef struct split_def {
    char name[64];
    double weight;
    size_t rows;
} split_def;

typedef struct mapped {
    char *path;
    char *data;
    size_t len;
    int from_file;   /* data is a read-only private map of the file, so
                        its pages may be given back (never for memory
                        that holds the only copy) */
} mapped;

typedef struct job {
    mlp_ctx *ctx;
    mapped *files;
    size_t n_files;
    char delim;
    int lenient;          /* quotes = "lenient" */
    int header;
    int skip_bad;
    const cJSON *na;
    const cJSON *names;   /* column_names, or NULL */
    const cJSON *types;   /* types, or NULL */
    const char *key;      /* split_key, or NULL */
    col_info *cols;
    size_t n_cols;
    split_def splits[MAX_SPLITS];
    size_t n_splits;
    double total_weight;
    int key_col;
    int any_declared_numeric;
    uint64_t seed;
    uint8_t *row_split;   /* per accepted row */
    /* Fast path: where each accepted row is. */
    uint64_t *row_off;
    uint32_t *row_len;
    uint32_t *row_file;
    uint64_t *row_line;
    int fast;             /* the fast path read this input */
    int chunked;          /* the parallel reader read it (chunks.c) */
    size_t chunk_bytes;   /* its chunk size */
    int threads;
    struct csv_chunk *chunks;  /* its chunks, of every file, in order */
    size_t n_chunks;
    struct chunk_run *run;     /* and what it keeps between its passes */
    size_t n_rows, cap_rows;
    size_t skipped;
    size_t skipped_lines[MAX_SKIPPED_LINES];
    size_t max_categories;
    int jsonl;            /* input is JSON Lines */
    int mlpt;             /* input is an mlpipe table file */
    cJSON *jcols;         /* JSON Lines: keys of all files, in order */
    long span;            /* -1: none */
    /* Occurrences so far of each distinct row (by hash), so duplicates of
     * one row spread over the splits instead of all landing in one. */
    hash_count occ;
} job;

/* Column buffers of one split during pass 2. */
typedef struct split_cols {
    double **num;
    uint8_t **miss;
    int32_t **codes;
    uint8_t **pk;        /* fast path: values 0..255 of numeric columns */
    int64_t **ints;      /* integer columns beyond +-2^53: exact values */
    uint64_t **str_off;  /* columns with `many` texts: n + 1 offsets */
    char **str_bytes;    /* ... and their bytes */
    double *line;        /* source line of each row */
    int32_t *file;       /* index of its source file */
} split_cols;

/* Reads j's files (the fast path unless `parser` says otherwise or the
 * input is not plain) into typed column buffers per split and their
 * dictionaries, both owned (ingest_free_cols, also after a failure).  The
 * parallel reader only scans (j->chunked; *sc is NULL): chunk_write then
 * reads the values while it writes the splits. */
enum { PARSER_AUTO, PARSER_GENERAL, PARSER_SERIAL };
int ingest_read(job *j, int parser, split_cols **sc, dict **dicts,
                mlp_error *err);
/* The table of split s from the buffers (which it adopts in part). */
int ingest_build_split(job *j, size_t s, split_cols *sc, dict *dicts,
                       mlp_table *t, mlp_error *err);
void ingest_free_cols(const job *j, split_cols *sc, dict *dicts);
/* One set of column buffers for n rows, as the job's column types say
 * (ingest_free_split frees it, also half made). */
int ingest_alloc_cols(const job *j, split_cols *sc, size_t n);
void ingest_free_split(const job *j, split_cols *sc);
/* Frees what reading kept in j (columns, row positions and splits); the
 * files and their maps stay the caller's. */
void ingest_free_reading(job *j);
/* The missing-value tokens (a list of strings) for ingest_is_na. */
int ingest_set_na(const cJSON *list, mlp_error *err);

/* Pass 1's verdict on a row the tokenizer read: 1 kept (its values
 * inform cols), 0 bad and to be skipped, or an error in err.  With seen
 * (one dictionary per column), text values are also collected there, up
 * to one more than max_categories per column. */
int ingest_scan_row(const job *j, col_info *cols, dict *seen, size_t fi,
                    const mlp_csv_reader *r, mlp_error *err);
/* Pass 2: whether pass 1 kept the row, and its values at position i of
 * one split's buffers: text interned in dicts, but appended to texts[c]
 * (its length in str_off[c][i + 1]) for `many` columns; `shared`: the
 * missing bitmaps' bytes are shared with other threads. */
int ingest_row_kept(const job *j, const mlp_csv_reader *r);
typedef struct text_buf {
    char *b;
    size_t len, cap;
} text_buf;
int ingest_fill_row(const job *j, split_cols *sc, size_t i, dict *dicts,
                    text_buf *texts, const mlp_csv_reader *r, size_t fi, int shared);
/* Column c's values are distinct enough to be stored as strings. */
int ingest_is_string(const job *j, size_t c, const dict *dicts);
/* Refuses column c declared categorical with more than max_categories
 * levels (it is not turned into a string column behind the user's back). */
int ingest_check_levels(const job *j, size_t c, size_t levels, mlp_error *err);

/* The parallel general reader (chunks.c): files cut into chunks at row
 * boundaries, each chunk scanned on its own thread (chunk_scan: types and
 * which rows are kept), then read again and written a row group at a
 * time (chunk_write), with the same results as the serial reader.  Memory
 * holds a few chunks, not the file.  chunk_scan returns 1 when the input
 * is one the serial reader must take. */
int chunk_scan(job *j, mlp_error *err);
/* Where chunk_write puts each row group: split s's table (lines = 0) or
 * its source lines (lines = 1).  add takes the table. */
typedef struct group_sink {
    int (*add)(void *arg, size_t split, int lines, mlp_table *t, mlp_error *err);
    void *arg;
} group_sink;
int chunk_write(job *j, dict *dicts, const group_sink *sink, mlp_error *err);
void chunk_free(job *j);

/* Shared between the two readers. */
int ingest_is_na(const job *j, const char *p, size_t len);
int ingest_final_type(const job *j, size_t c);
/* Column c is numeric and needs int64 to hold its integers exactly. */
int ingest_exact_ints(const job *j, size_t c);
/* Records in *n where value [p, p+len) of file fi, line `line` is, once. */
void ingest_note_value(ingest_note *n, size_t fi, size_t line, size_t before,
                       const char *p, size_t len);
int ingest_set_columns(job *j, const mlp_csv_reader *r, mlp_error *err);
/* The split of a row from its key bytes (row or key column). */
int ingest_split_of(job *j, const char *key, size_t len, int *split);
/* The split of the occ-th row (1 for the first) with this key hash; the
 * occurrence matters only without a key column. */
int ingest_split_from(const job *j, uint64_t key_hash, uint32_t occ);
/* The same from the key's mlp_hash64 (seeded with the job's seed). */
int ingest_split_of_hash(job *j, uint64_t key_hash, int *split);
int ingest_record_skip(job *j, size_t line);
/* The error for a value of declared numeric column c that is not a number
 * (the same words from both readers). */
int ingest_type_error(const job *j, const char *path, size_t line, size_t c,
                      const char *value, size_t len, mlp_error *err);
int ingest_push_row(job *j, int split, mlp_error *err);
/* Forgets the rows read so far (the fast path giving up half-way). */
void ingest_reset_rows(job *j);

/* The fast path: plain files (no quotes, ASCII) only.  Returns 1 when the
 * input is not plain (use the general reader), MLP_OK when done, or an
 * error. */
int fast_scan(job *j, mlp_error *err);
int fast_fill(job *j, split_cols *sc, dict *dicts, mlp_error *err);

/* Table-file input (tableinput.c): reads j's files, writes the splits
 * into out and fills j's columns and split counts for the properties. */
int table_ingest(mlp_ctx *ctx, job *j, mlp_artifact *out, mlp_error *err);

#endif
