/* Internal: Model artifacts on disk (model.json, weights.bin), shared by
 * the trainer's run (writing), mlp_model_open and `mlpipe predict`. */
#ifndef MLPIPE_CORE_MODEL_PRIV_H
#define MLPIPE_CORE_MODEL_PRIV_H

#include <mlpipe/model.h>

#include "registry.h"

#define MLPI_WEIGHTS_FILE "weights.bin"
#define MLPI_MODEL_FILE "model.json"
#define MLPI_MODEL_GRAPH_FILE "transform_graph.json"

mlp_model_out *mlpi_model_out_new(void);
void mlpi_model_out_free(mlp_model_out *o);

/* Writes o's tensors as dir/weights.bin and doc, with o's members as
 * "model" and the tensors' table as "weights", as dir/model.json.  doc
 * stays the caller's. */
int mlpi_model_write(const char *dir, cJSON *doc, const mlp_model_out *o,
                     mlp_error *err);

/* Opens the model in directory dir, its trainer found in r (and bound
 * into this process). */
int mlpi_model_open_dir(mlpi_registry *r, const char *dir, mlp_model **out,
                        mlp_error *err);

#endif
