/* CSV: an RFC 4180 tokenizer over bytes in memory, and the number
 * parser ingestion uses -- for every reader of delimited text (the
 * csv_import stage, `mlpipe predict`), so they accept and refuse the same
 * input with the same words.
 *
 * Handles quoted fields, doubled quotes, delimiters and line breaks inside
 * quotes, LF, CRLF and CR-only line ends (as pandas reads them), a UTF-8
 * byte order mark, and any one-byte delimiter.  It checks that every field
 * is valid UTF-8 without NUL bytes: a NUL would cut the value short in
 * every C string downstream.  Errors name the file, the physical line and
 * the column (1-based, in bytes).
 *
 * Ownership: the reader borrows the path and the bytes (they must outlive
 * it); field pointers are valid until the next mlp_csv_next();
 * mlp_csv_free() releases what the reader allocated.
 */
#ifndef MLPIPE_CSV_H
#define MLPIPE_CSV_H

#include <stddef.h>
#include <stdint.h>

#include <mlpipe/error.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mlp_csv_field {
    const char *p;     /* points into the file or into the row's scratch */
    size_t len;
    int quoted;
} mlp_csv_field;

typedef struct mlp_csv_reader {
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
    mlp_csv_field *fields;
    size_t n_fields, cap_fields;
    char *scratch;         /* unescaped quoted fields of the current row */
    size_t scratch_len, scratch_cap;
    size_t err_pos;        /* byte offset of the last error */
    void *extra;           /* private to csv_import's JSON Lines reader
                              (free()d by mlp_csv_free) */
    size_t extra_cap;
} mlp_csv_reader;

/* After an error, moves past the line where it happened so a caller that
 * skips bad rows can go on. */
void mlp_csv_skip_bad_line(mlp_csv_reader *r);
void mlp_csv_init(mlp_csv_reader *r, const char *path, const char *buf, size_t len,
              char delim);
void mlp_csv_free(mlp_csv_reader *r);
/* Length of the valid UTF-8 sequence at p (1..4), or 0 if invalid. */
size_t mlp_csv_utf8_len(const unsigned char *p, const unsigned char *end);
/* Reads the next row: 1 when a row was read, 0 at the end, negative on a
 * malformed row (err says where).  Blank lines are skipped. */
int mlp_csv_next(mlp_csv_reader *r, mlp_error *err);

/* What mlp_parse_number learnt about a number besides its value. */
enum {
    MLP_NUM_INT = 1,        /* digits only: no fraction, exponent or word */
    MLP_NUM_LEAD_ZERO = 2,  /* an integer with a leading zero (007, 08123): a
                               code or an id, whose zeros a number would lose */
    MLP_NUM_WIDE = 4,       /* an integer beyond +-2^53: the double is
                               rounded, *ival is exact */
    MLP_NUM_OVERFLOW = 8    /* an integer beyond int64: only text keeps it */
};

/* Parses the whole field as a number, correctly rounded: blanks around, an
 * optional sign, digits with an optional fraction and exponent, or the
 * words nan, inf and infinity (any case).  Returns 1 and sets *out,
 * *flags (MLP_NUM_*) and, for an integer within int64, *ival (when ival
 * is not NULL); 0 when the field is not a number. */
int mlp_parse_number(const char *p, size_t len, double *out, unsigned *flags,
                     int64_t *ival);

#ifdef __cplusplus
}
#endif
#endif
