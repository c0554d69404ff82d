/* The views of the Anomalies type (terminal table and HTML). */
#ifndef MLPIPE_PLUGINS_VALIDATE_VIEW_H
#define MLPIPE_PLUGINS_VALIDATE_VIEW_H

#include <mlpipe/view.h>

int anomalies_view(const mlp_artifact *a, mlp_view *v, mlp_error *err);

#endif
