/* Schemas in TFDV's protobuf JSON mapping (Schema as
 * json_format.MessageToJson writes it), to validate against a schema TFDV
 * made and to hand ours to TFDV or Facets. */
#ifndef MLPIPE_PLUGINS_SCHEMA_TFDV_H
#define MLPIPE_PLUGINS_SCHEMA_TFDV_H

#include <mlpipe/mlpipe.h>

/* Our schema from a TFDV one, checked as any schema is; *out is owned.
 * Errors name origin (the file) and the field. */
int tfdv_schema_import(const cJSON *tfdv, const char *origin, cJSON **out,
                       mlp_error *err);
/* TFDV's form of a checked schema (owned), or NULL when out of memory. */
cJSON *tfdv_schema_export(const cJSON *schema);
/* Whether a JSON document looks like a TFDV schema (no "version", TFDV's
 * names). */
int tfdv_is_schema(const cJSON *doc);

#endif
