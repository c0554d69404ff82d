/* Internal: the Lua side of mlpipe — the `mlpipe` module for pipeline
 * scripts, Lua plugin files, and running Lua components. */
#ifndef MLPIPE_CORE_LUA_API_H
#define MLPIPE_CORE_LUA_API_H

#include <stdio.h>

#include <cjson/cJSON.h>

#include <mlpipe/context.h>
#include <mlpipe/view.h>

#include "registry.h"

typedef struct lua_State lua_State;

/* What `mlpipe run` passes down to p:run() calls in the script. */
typedef struct mlpi_run_opts {
    int jobs;              /* 0: as the script says (default 1) */
    int no_cache;
    const char *only;      /* run this node (and what it needs) only */
    int explain;
    int json;              /* machine output: no per-node lines */
    int tty;               /* progress line on stderr */
    int in_process;        /* run components in this process (debugging) */
    int wait;              /* wait for another writer of the root to finish */
    uint64_t memory;       /* --memory: node memory limit, 0: the script's */
    FILE *out;
} mlpi_run_opts;

/* Run outcome codes, worst last; the CLI maps them to exit codes. */
enum { MLPI_RUN_OK = 0, MLPI_RUN_GATED = 1, MLPI_RUN_FAILED = 2,
       MLPI_RUN_CANCELED = 3 };

/* Creates a Lua state with the standard libraries and `mlpipe` available
 * to require().  The registry must outlive the state. */
lua_State *mlpi_lua_new(mlpi_registry *r, const mlpi_run_opts *opts);
void mlpi_lua_close(lua_State *L);
/* Worst outcome of the p:run() calls made so far, and their results. */
int mlpi_lua_run_outcome(lua_State *L);
cJSON *mlpi_lua_results(lua_State *L);
/* Non-zero when the script failed because of a command-line option (such
 * as --only naming no node), not because of the script. */
int mlpi_lua_usage_error(lua_State *L);

/* Runs a script file under a traceback handler.  On error, err gets the
 * message with file:line. */
int mlpi_lua_dofile(lua_State *L, const char *path, int argc, char **argv,
                    mlp_error *err);

/* Runs a plugin file that calls mp.plugin{} and mp.component{}. */
int mlpi_lua_load_plugin(mlpi_registry *r, const char *path, size_t dir_index,
                         mlp_error *err);
/* A hash of what a Lua component's results depend on besides its source
 * file: its run function's captured values, the defining script's
 * arguments, the source files of modules loaded with require(). */
void mlpi_lua_component_state(const mlpi_component *c, char out[33]);

/* Calls the Lua view function at registry ref on artifact a and writes
 * what it returns (text or HTML) to out; err says why it failed. */
int mlpi_lua_view(lua_State *L, int ref, const mlp_artifact *a,
                  mlp_view_kind kind, FILE *out, mlp_error *err);

/* Calls a Lua component's run function with a Lua view of ctx. */
int mlpi_lua_run_component(const mlpi_component *c, mlp_ctx *ctx);

#endif
