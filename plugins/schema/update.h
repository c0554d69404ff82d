/* schema_update: relax a schema to admit new data (TFDV's update_schema). */
#ifndef MLPIPE_PLUGINS_SCHEMA_UPDATE_H
#define MLPIPE_PLUGINS_SCHEMA_UPDATE_H

#include <mlpipe/mlpipe.h>

/* Relaxes schema (changed in place) to admit the statistics of one split;
 * *relaxations (owned) lists every change as { feature, relaxed, from, to },
 * each also logged.  The result is checked as any schema is. */
int schema_update(mlp_ctx *ctx, cJSON *schema, const cJSON *split,
                  cJSON **relaxations, mlp_error *err);

#endif
