/* The views of the Statistics type (terminal table and HTML). */
#ifndef MLPIPE_PLUGINS_STATISTICS_VIEW_H
#define MLPIPE_PLUGINS_STATISTICS_VIEW_H

#include <mlpipe/view.h>

int statistics_view(const mlp_artifact *a, mlp_view *v, mlp_error *err);

#endif
