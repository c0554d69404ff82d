/* Internal: execution fingerprints and the explanations behind cache
 * decisions. */
#ifndef MLPIPE_CORE_CACHE_H
#define MLPIPE_CORE_CACHE_H

#include <cjson/cJSON.h>

#include "fsutil.h"
#include "metadata.h"
#include "pipeline.h"

/* The parts a fingerprint is made of: component, its code's hash, plugin
 * version, canonical parameters (without NO_CACHE_KEY ones) and the inputs'
 * content fingerprints in port order.  inputs[b][k] is the k-th artifact of
 * the node's b-th input binding.  Data files are hashed through the
 * store's file-hash cache. */
cJSON *mlpi_fingerprint_parts(const mlpi_node *n, mlp_artifact ***inputs,
                              mlpi_store *store);
/* Hash of the canonical text of parts; text (owned, mlp_free) is returned
 * too so it can be stored for --explain. */
int mlpi_fingerprint(const cJSON *parts, char out[MLPI_HASH_HEX], char **text,
                     mlp_error *err);
/* One sentence on what differs between an earlier execution's parts (JSON
 * text) and the current ones; gone (may be NULL) says why the earlier
 * outputs were retired, for when nothing differs.  Owned, free(). */
char *mlpi_explain_change(const char *old_text, const cJSON *cur,
                          const char *gone);

#endif
