/* Internal: the `mlpipe` command's subcommands and shared helpers. */
#ifndef MLPIPE_CORE_CLI_H
#define MLPIPE_CORE_CLI_H

#include <stdio.h>

#include <cjson/cJSON.h>

#include "lua_api.h"
#include "registry.h"

/* Exit codes (documented in docs/cli.md and mlpipe(1)). */
enum {
    MLPI_EXIT_OK = 0,
    MLPI_EXIT_USAGE = 1,     /* bad arguments, missing file */
    MLPI_EXIT_SCRIPT = 2,    /* pipeline definition or Lua error */
    MLPI_EXIT_FAILED = 3,    /* a node failed */
    MLPI_EXIT_GATED = 4,     /* a validator stopped the pipeline */
    MLPI_EXIT_CANCELED = 5,  /* interrupted */
    MLPI_EXIT_ENV = 6        /* store, lock or I/O trouble */
};

int mlpi_cmd_run(int argc, char **argv);
int mlpi_cmd_plugins(int argc, char **argv);
int mlpi_cmd_runs(int argc, char **argv);
int mlpi_cmd_show(int argc, char **argv);
int mlpi_cmd_lineage(int argc, char **argv);
int mlpi_cmd_report(int argc, char **argv);

/* Registry with the default search path plus extra dirs and overrides,
 * loaded, with a Lua state (reg->L) made with opts (may be NULL).  Prints
 * the reason and returns NULL when it cannot be built. */
mlpi_registry *mlpi_cli_registry(char **dirs, int n_dirs, char **overrides,
                                 int n_overrides, int report_refusals,
                                 const mlpi_run_opts *opts);
/* Prints a JSON value on stdout followed by a newline. */
void mlpi_cli_print_json(const cJSON *v);

#endif
