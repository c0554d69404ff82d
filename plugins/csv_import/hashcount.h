/* Counts of 64-bit hashes (open addressing): how often each row hash was
 * seen, for the occurrence number that spreads repeated rows over the
 * splits.  Shared by the serial reader and the parallel one. */
#ifndef MLPIPE_CSV_IMPORT_HASHCOUNT_H
#define MLPIPE_CSV_IMPORT_HASHCOUNT_H

#include <stddef.h>
#include <stdint.h>

typedef struct hash_count {
    uint64_t *keys;
    uint32_t *count;        /* 0: empty slot; else the count */
    size_t n, slots;
} hash_count;

/* Adds one to h's count and returns the new count (1 the first time), or
 * 0 when out of memory. */
uint32_t hc_bump(hash_count *t, uint64_t h);
/* h's count, 0 when it was never added. */
uint32_t hc_get(const hash_count *t, uint64_t h);
void hc_free(hash_count *t);

#endif
