/* The Model view (terminal and HTML). */
#ifndef MLPIPE_TRAIN_VIEW_H
#define MLPIPE_TRAIN_VIEW_H

#include <mlpipe/artifact.h>
#include <mlpipe/view.h>

int train_model_view(const mlp_artifact *a, mlp_view *v, mlp_error *err);

#endif
