/* Stable hashing for plugins.
 *
 * mlp_hash64 gives the same value for the same bytes on every machine and
 * in every release of mlpipe (XXH3-64 with a seed), so plugins can use it
 * where results must be reproducible: split assignment, sampling, bucket
 * ids.  It is not a cryptographic hash.
 */
#ifndef MLPIPE_HASH_H
#define MLPIPE_HASH_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

uint64_t mlp_hash64(const void *data, size_t len, uint64_t seed);

#ifdef __cplusplus
}
#endif
#endif
