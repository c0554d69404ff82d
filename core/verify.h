/* Internal: checking a published artifact against its manifest before it
 * is used — served from the cache, handed to a consumer, shown or
 * reported — and what happens to one that fails. */
#ifndef MLPIPE_CORE_VERIFY_H
#define MLPIPE_CORE_VERIFY_H

#include <stdint.h>

#include "metadata.h"

/* Checks artifact id (its directory: the root joined with its stored
 * location) against the manifest recorded at publication.  full: re-hash
 * every file; otherwise only files whose identity (size, inode, device,
 * modification and change time) differs.  On a writable store, new
 * identities of unchanged files are saved so the next check is cheap
 * again.  Damage is MLP_ECORRUPT with err saying which file and what. */
int mlpi_verify_artifact(mlpi_store *s, int64_t id, int full, mlp_error *err);

/* Marks a damaged artifact DELETED with the reason (prefixed with its
 * location) and removes its directory, so its producer runs again. */
int mlpi_verify_retire(mlpi_store *s, int64_t id, const char *reason,
                       mlp_error *err);

#endif
