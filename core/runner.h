/* Internal: executing a pipeline — cache decisions, child processes,
 * parallelism, timeouts, retries, and publishing to the metadata store. */
#ifndef MLPIPE_CORE_RUNNER_H
#define MLPIPE_CORE_RUNNER_H

#include <cjson/cJSON.h>

#include "lua_api.h"
#include "pipeline.h"

/* Runs p.  *results (owned) describes every node; *outcome is an MLPI_RUN_*
 * code.  Returns an error only when the run could not be attempted (root
 * not writable, store refused, another run holds the lock). */
int mlpi_run(mlpi_pipeline *p, const mlpi_run_opts *opts, int jobs,
             cJSON **results, int *outcome, mlp_error *err);

#endif
