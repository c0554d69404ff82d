/* Anomalies in TFDV's form, one Anomalies message per split. */
#ifndef MLPIPE_PLUGINS_VALIDATE_TFDV_H
#define MLPIPE_PLUGINS_VALIDATE_TFDV_H

#include <cjson/cJSON.h>

/* The Anomalies message (protobuf JSON mapping) of one split of our
 * anomalies.json: anomalies per feature with their reasons, the dataset's
 * own, and the drift and skew measurements; owned. */
cJSON *tfdv_anomalies_export(const cJSON *split);

#endif
