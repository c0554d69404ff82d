/* Internal: the registry cache, what the scanner said about each module.
 *
 * Entries are keyed by the module's resolved path and valid only for the
 * file version they were made from (device, inode, size, mtime and ctime,
 * nanoseconds): a module rebuilt, replaced or touched is scanned again, one
 * that did not change is never loaded to be listed.  The whole cache is
 * dropped when libmlpipe itself changes, since what a scan checks may have
 * changed with it.  It lives in MLPIPE_REGISTRY if set (empty: no cache),
 * else $XDG_CACHE_HOME/mlpipe/registry.json or ~/.cache/mlpipe/...; a cache
 * that cannot be read is ignored and one that cannot be written is skipped,
 * so no command fails because of it.
 */
#ifndef MLPIPE_CORE_PLUGIN_CACHE_H
#define MLPIPE_CORE_PLUGIN_CACHE_H

#include <cjson/cJSON.h>

#include "fsutil.h"

typedef struct mlpi_plugin_cache mlpi_plugin_cache;

/* Never NULL unless out of memory; an absent or unreadable cache is empty. */
mlpi_plugin_cache *mlpi_plugin_cache_open(void);
/* The scan result kept for file real at version id, or NULL.  Borrowed:
 * valid until the next put or close. */
const cJSON *mlpi_plugin_cache_get(mlpi_plugin_cache *c, const char *real,
                                   const mlpi_file_id *id);
/* Keeps a copy of result for file real at version id. */
void mlpi_plugin_cache_put(mlpi_plugin_cache *c, const char *real,
                           const mlpi_file_id *id, const cJSON *result);
/* Writes the cache back if it changed, and frees c. */
void mlpi_plugin_cache_close(mlpi_plugin_cache *c);

#endif
