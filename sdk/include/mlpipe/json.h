/* JSON files for artifacts: properties, schemas, statistics, reports.
 *
 * cJSON is part of the SDK: parameters and properties are cJSON values.
 * mlp_json_read_file() returns an owned tree freed with cJSON_Delete(),
 * integers beyond 2^53 kept exact;
 * mlp_json_write_file() writes atomically (temporary file, then rename),
 * with exact numbers (see mlp_json_print).
 */
#ifndef MLPIPE_JSON_H
#define MLPIPE_JSON_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include <mlpipe/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Reads the one JSON value a file holds; invalid JSON, or anything but
 * whitespace after the value, is an error naming path:line:column. */
int mlp_json_read_file(const char *path, cJSON **out, mlp_error *err);
int mlp_json_write_file(const char *path, const cJSON *value, mlp_error *err);

/* Member key of object o as a number (NaN when absent or not a number)
 * or as a string ("" when absent or not a string; borrowed from o):
 * for reading documents whose members are optional. */
double mlp_json_num(const cJSON *o, const char *key);
const char *mlp_json_str(const cJSON *o, const char *key);

/* A number node; NaN, which JSON cannot hold, becomes null (infinities
 * print as 1e999 / -1e999, which read back as infinities).
 * Owned by the caller until added to a tree; NULL on exhaustion. */
cJSON *mlp_json_number(double v);

/* An integer node that keeps all 64 bits.  cJSON holds numbers as
 * doubles, exact only below 2^53; from there on the node also keeps the
 * decimal digits (in valuestring, owned by the node), which
 * mlp_json_get_int, mlp_json_print and mlp_json_canonical use, so
 * 9007199254740993 stays 9007199254740993.  NULL on exhaustion. */
cJSON *mlp_json_int(int64_t v);

/* The exact integer value of a number node: MLP_OK, or MLP_EINVAL when v
 * is not a number, has a fraction, or is a double beyond 2^53 (which
 * cannot say which integer it was meant to be). */
int mlp_json_get_int(const cJSON *v, int64_t *out);

/* Parses JSON text as cJSON_Parse does, keeping integers beyond 2^53
 * exact (see mlp_json_int).  Owned (cJSON_Delete); NULL when the text is
 * not valid JSON. */
cJSON *mlp_json_parse(const char *text, size_t len);

/* Renders value as JSON text, numbers with the shortest digits that read
 * back exactly (cJSON's own printer may drop the last bit of a double).
 * pretty: indented over several lines.  Owned, freed with mlp_free(). */
char *mlp_json_print(const cJSON *value, int pretty);

/* Canonical text: object keys sorted at every level, no white space.  Two
 * equal values give the same text, which is what fingerprints hash.
 * Returns an owned string freed with mlp_free(), or NULL on exhaustion. */
char *mlp_json_canonical(const cJSON *value);

/* The objects of a JSON array by a string member, for many lookups (a
 * schema's or a statistics split's features by "name"): a scan per lookup
 * is quadratic over 100,000 features.  Objects without that member are
 * left out; of two with the same value, the first is found, as a scan
 * would.  mlp_json_index_new() returns an owned index (NULL on
 * exhaustion) freed with mlp_json_index_free(); it borrows the array,
 * which must outlive it unchanged.  A NULL or non-array arr gives an
 * empty index. */
typedef struct mlp_json_index mlp_json_index;
mlp_json_index *mlp_json_index_new(const cJSON *arr, const char *key);
/* The object whose member is value, or NULL. */
const cJSON *mlp_json_index_find(const mlp_json_index *ix, const char *value);
void mlp_json_index_free(mlp_json_index *ix);

#ifdef __cplusplus
}
#endif
#endif
