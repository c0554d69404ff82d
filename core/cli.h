/* Internal: the `mlpipe` command's subcommands and shared helpers. */
#ifndef MLPIPE_CORE_CLI_H
#define MLPIPE_CORE_CLI_H

#include <stdint.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include <mlpipe/view.h>

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
    MLPI_EXIT_ENV = 6,       /* store, lock or I/O trouble */
    MLPI_EXIT_DAMAGED = 7    /* an artifact or the store is damaged */
};

int mlpi_cmd_run(int argc, char **argv);
int mlpi_cmd_plugins(int argc, char **argv);
int mlpi_cmd_runs(int argc, char **argv);
int mlpi_cmd_show(int argc, char **argv);
int mlpi_cmd_lineage(int argc, char **argv);
int mlpi_cmd_report(int argc, char **argv);
int mlpi_cmd_verify(int argc, char **argv);
int mlpi_cmd_predict(int argc, char **argv);

/* The pipeline root a read command works on: --root, else MLPIPE_ROOT,
 * else the current directory. */
const char *mlpi_cli_root(const char *given);
/* Opens the store of root read-only for a read command, printing why not
 * (prefixed with cmd) and setting *exit_code when it cannot. */
struct mlpi_store *mlpi_cli_open_store(const char *root, const char *cmd,
                                       int *exit_code);

/* Registry with the default search path plus extra dirs and overrides,
 * loaded, with a Lua state (reg->L) made with opts (may be NULL).  Prints
 * the reason and returns NULL when it cannot be built. */
mlpi_registry *mlpi_cli_registry(char **dirs, int n_dirs, char **overrides,
                                 int n_overrides, int report_refusals,
                                 const mlpi_run_opts *opts);
/* For show and report: a registry with the default search path plus the
 * plugin directories recorded by run context run_ctx (when > 0) or by the
 * runs that made or used artifact `artifact`.  NULL when it cannot be
 * built (the reason was printed): artifacts then get the generic view.
 * Freed with mlpi_lua_close(r->L) and mlpi_registry_free(r).  *types
 * (owned, cJSON_Delete) maps each type to the plugin that defined it when
 * those runs made their artifacts. */
mlpi_registry *mlpi_cli_view_registry(struct mlpi_store *s, int64_t run_ctx,
                                      int64_t artifact, cJSON **types);
/* Writes artifact record rec (id, type, uri, path, state, reason,
 * properties, producer: as `show --json` prints it) to out with its
 * type's view, or the generic view when its type has none or it is not
 * LIVE.  When the view fails, the generic view is written too and the
 * return is an error code with err saying what failed. */
int mlpi_cli_render(mlpi_registry *r, const cJSON *types,
                    struct mlpi_store *s, const cJSON *rec, mlp_view_kind kind,
                    FILE *out, mlp_error *err);
/* Prints a JSON value on stdout followed by a newline. */
void mlpi_cli_print_json(const cJSON *v);

#endif
