/* Statistics in TFDV's form, for TFDV's tools and Facets Overview. */
#ifndef MLPIPE_PLUGINS_STATISTICS_TFDV_H
#define MLPIPE_PLUGINS_STATISTICS_TFDV_H

#include <cjson/cJSON.h>

/* A DatasetFeatureStatisticsList in the protobuf JSON mapping, from our
 * statistics.json (one dataset per split); owned. */
cJSON *tfdv_statistics_export(const cJSON *stats);

#endif
