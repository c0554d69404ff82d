/* JSON files for artifacts: properties, schemas, statistics, reports.
 *
 * cJSON is part of the SDK: parameters and properties are cJSON values.
 * mlp_json_read_file() returns an owned tree freed with cJSON_Delete();
 * mlp_json_write_file() writes atomically (temporary file, then rename),
 * with exact numbers (see mlp_json_print).
 */
#ifndef MLPIPE_JSON_H
#define MLPIPE_JSON_H

#include <cjson/cJSON.h>

#include <mlpipe/error.h>

#ifdef __cplusplus
extern "C" {
#endif

int mlp_json_read_file(const char *path, cJSON **out, mlp_error *err);
int mlp_json_write_file(const char *path, const cJSON *value, mlp_error *err);

/* A number node; NaN, which JSON cannot hold, becomes null (infinities
 * print as 1e999 / -1e999, which read back as infinities).
 * Owned by the caller until added to a tree; NULL on exhaustion. */
cJSON *mlp_json_number(double v);

/* Renders value as JSON text, numbers with the shortest digits that read
 * back exactly (cJSON's own printer may drop the last bit of a double).
 * pretty: indented over several lines.  Owned, freed with mlp_free(). */
char *mlp_json_print(const cJSON *value, int pretty);

/* Canonical text: object keys sorted at every level, no white space.  Two
 * equal values give the same text, which is what fingerprints hash.
 * Returns an owned string freed with mlp_free(), or NULL on exhaustion. */
char *mlp_json_canonical(const cJSON *value);

#ifdef __cplusplus
}
#endif
#endif
