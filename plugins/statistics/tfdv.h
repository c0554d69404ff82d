/* Statistics in TFDV's form, for TFDV's tools and Facets Overview. */
#ifndef MLPIPE_PLUGINS_STATISTICS_TFDV_H
#define MLPIPE_PLUGINS_STATISTICS_TFDV_H

#include <mlpipe/mlpipe.h>

/* A DatasetFeatureStatisticsList in the protobuf JSON mapping, from our
 * statistics.json (one dataset per split); owned. */
cJSON *tfdv_statistics_export(const cJSON *stats);

/* Our statistics from a DatasetFeatureStatisticsList in the JSON mapping
 * (one split per dataset), *out owned; errors name origin and the field. */
int tfdv_statistics_import(const cJSON *tfdv, const char *origin, cJSON **out,
                           mlp_error *err);

#endif
