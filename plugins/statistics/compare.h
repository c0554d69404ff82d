/* The report's side-by-side comparison of a Statistics artifact's splits. */
#ifndef MLPIPE_PLUGINS_STATISTICS_COMPARE_H
#define MLPIPE_PLUGINS_STATISTICS_COMPARE_H

#include <mlpipe/view.h>

/* Writes the comparison (HTML) when doc has two splits or more; label
 * (may be NULL) is marked. */
void stats_compare(mlp_view *v, const cJSON *doc, const char *label);

#endif
