/* Decimal number parsing for the ingestion, correctly rounded. */
#ifndef MLPIPE_CSV_IMPORT_NUMPARSE_H
#define MLPIPE_CSV_IMPORT_NUMPARSE_H

#include <stddef.h>
#include <stdint.h>

/* What num_parse learnt about a number besides its value. */
enum {
    NUM_INT = 1,        /* digits only: no fraction, exponent or word */
    NUM_LEAD_ZERO = 2,  /* an integer with a leading zero (007, 08123): a
                           code or an id, whose zeros a number would lose */
    NUM_WIDE = 4,       /* an integer beyond +-2^53: the double is rounded,
                           *ival is exact */
    NUM_OVERFLOW = 8    /* an integer beyond int64: only text keeps it */
};

/* Parses the whole field as a number: blanks around, an optional sign,
 * digits with an optional fraction and exponent, or the words nan, inf and
 * infinity (any case).  Returns 1 and sets *out, *flags (NUM_*) and, for
 * an integer within int64, *ival (when ival is not NULL); 0 when the field
 * is not a number. */
int num_parse(const char *p, size_t len, double *out, unsigned *flags,
              int64_t *ival);

#endif
