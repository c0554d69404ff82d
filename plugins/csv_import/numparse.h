/* Decimal number parsing for the ingestion, correctly rounded. */
#ifndef MLPIPE_CSV_IMPORT_NUMPARSE_H
#define MLPIPE_CSV_IMPORT_NUMPARSE_H

#include <stddef.h>

/* Parses the whole field as a number: blanks around, an optional sign,
 * digits with an optional fraction and exponent, or the words nan, inf and
 * infinity (any case).  Returns 1 and sets *out and *is_int (no fraction
 * or exponent), or 0 when the field is not a number. */
int num_parse(const char *p, size_t len, double *out, int *is_int);

#endif
