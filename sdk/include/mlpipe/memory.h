/* Allocation across the plugin boundary.
 *
 * Memory that one side allocates and the other frees goes through these
 * functions, so the core can account for it and so plugins built with
 * another allocator still free what the core gave them correctly.  Each
 * returns NULL on exhaustion; mlp_free(NULL) is a no-op.
 */
#ifndef MLPIPE_MEMORY_H
#define MLPIPE_MEMORY_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

void *mlp_malloc(size_t n);
void *mlp_calloc(size_t count, size_t size);
void *mlp_realloc(void *p, size_t n);
char *mlp_strdup(const char *s);
void mlp_free(void *p);

/* Bytes currently allocated through these functions in this process. */
size_t mlp_memory_in_use(void);

#ifdef __cplusplus
}
#endif
#endif
