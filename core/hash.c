/* mlp_hash64: the stable hash offered to plugins. */
#include <xxhash.h>

#include <mlpipe/hash.h>

uint64_t mlp_hash64(const void *data, size_t len, uint64_t seed)
{
    return XXH3_64bits_withSeed(data, len, seed);
}
