/* The views of the Schema type (terminal list and HTML table). */
#ifndef MLPIPE_PLUGINS_SCHEMA_VIEW_H
#define MLPIPE_PLUGINS_SCHEMA_VIEW_H

#include <mlpipe/view.h>

int schema_view(const mlp_artifact *a, mlp_view *v, mlp_error *err);

#endif
