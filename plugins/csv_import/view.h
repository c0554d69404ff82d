/* The views of the Examples type csv_import defines. */
#ifndef MLPIPE_PLUGINS_CSV_IMPORT_VIEW_H
#define MLPIPE_PLUGINS_CSV_IMPORT_VIEW_H

#include <mlpipe/view.h>

int examples_view(const mlp_artifact *a, mlp_view *v, mlp_error *err);

#endif
