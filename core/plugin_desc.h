/* Internal: a C plugin's descriptor as JSON.
 *
 * The plugin scanner (a separate process) loads a module, checks its
 * descriptor and describes it as JSON; the host builds its registry entries
 * from that JSON without loading the module.  The same JSON is what the
 * registry cache keeps, so a module that has not changed is never loaded
 * just to be listed.
 */
#ifndef MLPIPE_CORE_PLUGIN_DESC_H
#define MLPIPE_CORE_PLUGIN_DESC_H

#include <cjson/cJSON.h>

#include <mlpipe/plugin.h>

#include "registry.h"

/* Checks what the host needs of a descriptor before reading any more of it:
 * ABI version, struct sizes, name, version, at least one component. */
int mlpi_desc_check(const mlp_plugin_desc *d, mlp_error *err);

/* Checks every component of an accepted descriptor (names, ports, parameter
 * specs, a run function) and returns the whole descriptor as a new JSON
 * object (the caller deletes it), or NULL with err filled. */
cJSON *mlpi_desc_to_json(const mlp_plugin_desc *d, mlp_error *err);

/* The component names a descriptor lists, as a new JSON array, read as far
 * as its struct sizes allow; NULL when there are none to read.  Used to tie
 * a refusal to the names a pipeline would use. */
cJSON *mlpi_desc_component_names(const mlp_plugin_desc *d);

/* Builds a plugin record and its components from mlpi_desc_to_json()'s
 * output.  The plugin has no module loaded (handle NULL); components own
 * their strings and have run == NULL until mlpi_component_bind().  On
 * success the caller owns *plugin and the n_comps components in *comps (an
 * array it frees); on failure nothing is returned and err says which field
 * was wrong.  hash is the module's content hash (its components'
 * source_hash). */
int mlpi_desc_from_json(const cJSON *j, const char *path,
                        const char *hash, mlpi_plugin **plugin,
                        mlpi_component ***comps,
                        size_t *n_comps, mlp_error *err);

#endif
