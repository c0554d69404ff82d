/* An RFC 4180 CSV tokenizer over a file mapped in memory.
 *
 * Handles quoted fields, doubled quotes, delimiters and line breaks inside
 * quotes, LF, CRLF and CR-only line ends (as pandas reads them), a UTF-8
 * byte order mark, and any one-byte delimiter.  It checks that every field
 * is valid UTF-8 without NUL bytes: a NUL would cut the value short in
 * every C string downstream.  Errors name the file, the physical line and
 * the column (1-based, in bytes).
 */
#ifndef MLPIPE_CSV_IMPORT_CSV_H
#define MLPIPE_CSV_IMPORT_CSV_H

#include <stddef.h>

#include <mlpipe/error.h>

typedef struct csv_field {
    const char *p;     /* points into the file or into the row's scratch */
    size_t len;
    int quoted;
} csv_field;

typedef struct csv_reader {
    const char *path;
    const char *buf;
    size_t len, pos;
    size_t stop;           /* no row starts at or after this offset (the
                              next chunk's); 0: the end of the buffer */
    char delim;
    int lenient;           /* quotes = "lenient": a quote inside an unquoted
                              field, and text after a closing quote, are
                              taken literally (as Python's csv and pandas
                              do) instead of refused */
    size_t line;           /* physical line where the current row starts */
    size_t next_line;      /* physical line of the next row */
    const char *row_start; /* raw bytes of the current row */
    size_t row_len;
    csv_field *fields;
    size_t n_fields, cap_fields;
    char *scratch;         /* unescaped quoted fields of the current row */
    size_t scratch_len, scratch_cap;
    size_t err_pos;        /* byte offset of the last error */
    void *extra;           /* the JSON Lines reader's key table (free()d
                              by csv_free) */
    size_t extra_cap;
} csv_reader;

/* After an error, moves past the line where it happened so a caller that
 * skips bad rows can go on. */
void csv_skip_bad_line(csv_reader *r);
void csv_init(csv_reader *r, const char *path, const char *buf, size_t len,
              char delim);
void csv_free(csv_reader *r);
/* Length of the valid UTF-8 sequence at p (1..4), or 0 if invalid. */
size_t csv_utf8_len(const unsigned char *p, const unsigned char *end);
/* Reads the next row: 1 when a row was read, 0 at the end, negative on a
 * malformed row (err says where).  Blank lines are skipped. */
int csv_next(csv_reader *r, mlp_error *err);

#endif
