/* Artifacts as a component sees them.
 *
 * An artifact is a directory (its uri) plus typed JSON properties.  Inputs
 * are immutable: read their files and properties.  Outputs are created by
 * the core before the run as an empty temporary directory; the component
 * writes files into it and sets properties, and the core renames it into
 * place and publishes it only when the run succeeded.
 *
 * Every mlp_artifact pointer is borrowed from the run context and lives
 * until the run function returns.
 */
#ifndef MLPIPE_ARTIFACT_H
#define MLPIPE_ARTIFACT_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include <mlpipe/error.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mlp_artifact mlp_artifact;

const char *mlp_artifact_type(const mlp_artifact *a);
/* The directory that holds the artifact's files. */
const char *mlp_artifact_uri(const mlp_artifact *a);
/* Metadata store id; 0 for an output not yet published. */
int64_t mlp_artifact_id(const mlp_artifact *a);
/* The property called name, or NULL; borrowed. */
const cJSON *mlp_artifact_property(const mlp_artifact *a, const char *name);
/* Every property, as a JSON object (never NULL); borrowed. */
const cJSON *mlp_artifact_properties(const mlp_artifact *a);
/* Sets a property of an output artifact.  Takes ownership of value, also on
 * failure.  Fails on an input artifact. */
int mlp_artifact_set_property(mlp_artifact *a, const char *name, cJSON *value,
                              mlp_error *err);
/* Whether the artifact holds a regular file called name (1) or not (0):
 * for optional files, such as an Examples split's source lines. */
int mlp_artifact_has_file(const mlp_artifact *a, const char *name);
/* Joins the artifact's uri and a relative file name into buf. */
int mlp_artifact_path(const mlp_artifact *a, const char *file, char *buf,
                      size_t size, mlp_error *err);

/* Reads the artifact's JSON file `file` (a plain name inside it) into
 * *out, owned (cJSON_Delete); errors name the file. */
int mlp_artifact_read_json(const mlp_artifact *a, const char *file,
                           cJSON **out, mlp_error *err);

/* Writes value as the output artifact's JSON file `file`, atomically. */
int mlp_artifact_write_json(mlp_artifact *a, const char *file,
                            const cJSON *value, mlp_error *err);

#ifdef __cplusplus
}
#endif
#endif
