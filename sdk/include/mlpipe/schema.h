/* Schemas: what data should look like, as JSON that people edit.
 *
 * A schema follows TFDV's model: features with a type (INT, FLOAT,
 * STRING), presence, domains, lifecycle stage, environments, drift and skew
 * comparators, plus named string domains and dataset constraints.
 * docs/schema.md describes every field.  mlp_schema_parse and
 * mlp_schema_load return an owned cJSON tree (cJSON_Delete) only after it
 * passed mlp_schema_check; pointers returned by the lookups borrow from the
 * schema.
 */
#ifndef MLPIPE_SCHEMA_H
#define MLPIPE_SCHEMA_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include <mlpipe/error.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MLP_SCHEMA_VERSION 1

/* Parses and checks text; `origin` (a file name) prefixes every message,
 * which also gives the line and column of a syntax error or the path of
 * the offending field ("features[2] (age).float_domain.min"). */
int mlp_schema_parse(const char *text, size_t len, const char *origin,
                     cJSON **out, mlp_error *err);
int mlp_schema_load(const char *path, cJSON **out, mlp_error *err);
/* Checks a schema tree: known fields only, right types, ranges, domains
 * that exist and fit the feature type, no contradictions. */
int mlp_schema_check(const cJSON *schema, const char *origin, mlp_error *err);

/* The feature called name, or NULL. */
const cJSON *mlp_schema_feature(const cJSON *schema, const char *name);
/* The values of the feature's string domain (inline or named), or NULL. */
const cJSON *mlp_schema_domain_values(const cJSON *schema, const cJSON *feature);
/* Non-zero when the feature is expected in environment env (NULL: the
 * default) and its lifecycle stage is one that is validated. */
int mlp_schema_feature_active(const cJSON *schema, const cJSON *feature,
                              const char *env);

#ifdef __cplusplus
}
#endif
#endif
