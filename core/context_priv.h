/* Internal: the run context behind mlp_ctx, built by the runner for each
 * execution (in the child process when the node is isolated). */
#ifndef MLPIPE_CORE_CONTEXT_PRIV_H
#define MLPIPE_CORE_CONTEXT_PRIV_H

#include <signal.h>
#include <stdio.h>

#include <mlpipe/context.h>

#include "registry.h"

typedef struct mlpi_ctx_input {
    const char *port;
    mlp_artifact **arts;
    size_t n;
} mlpi_ctx_input;

typedef struct mlpi_ctx_output {
    const char *port;
    mlp_artifact *art;
} mlpi_ctx_output;

struct mlp_ctx {
    const mlpi_component *comp;
    mlpi_registry *reg;         /* where a Model's trainer is found */
    const char *node;
    const cJSON *params;
    mlpi_ctx_input *in;
    size_t n_in;
    mlpi_ctx_output *out;
    size_t n_out;
    const char *scratch;
    FILE *log;                  /* the execution's log (may be stderr) */
    int progress_fd;            /* file the parent polls, or -1 */
    double last_progress;
    char error[MLP_ERROR_MAX];
    int error_code;
    char *gate;                 /* set by mlp_ctx_gate */
};

#define MLPI_PROGRESS_RECORD 64

/* Set from a signal handler when the run should stop. */
extern volatile sig_atomic_t mlpi_cancel_requested;

#endif
