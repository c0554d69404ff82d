/* Internal: pieces shared by the files of the Lua binding. */
#ifndef MLPIPE_CORE_LUA_PRIV_H
#define MLPIPE_CORE_LUA_PRIV_H

#include <lauxlib.h>
#include <lua.h>

#include <cjson/cJSON.h>

#include "lua_api.h"
#include "registry.h"

/* Per-state data, kept as a full userdata in the Lua registry. */
typedef struct mlpi_lua_app {
    mlpi_registry *reg;
    mlpi_run_opts opts;
    int outcome;
    int usage_error;         /* a p:run() failed on a command-line option */
    cJSON *results;          /* array: one entry per p:run() */
    mlpi_plugin *script_plugin; /* owner of components defined in scripts */
    const char *script;      /* path of the running script */
} mlpi_lua_app;

mlpi_lua_app *mlpi_lua_app_get(lua_State *L);

/* Lua value at idx to JSON; NULL with a message in err when the value
 * cannot be represented (functions, userdata, mixed tables, cycles). */
cJSON *mlpi_lua_to_json(lua_State *L, int idx, const char *what, int as_object,
                        mlp_error *err);
void mlpi_json_to_lua(lua_State *L, const cJSON *v);

/* "file:line" of the Lua code at stack level `level`, into buf. */
void mlpi_lua_where(lua_State *L, int level, char *buf, size_t size);

/* Registers mp.component and mp.plugin into the module table on top. */
void mlpi_lua_open_components(lua_State *L);
/* Registers mp.type, mp.html_escape and mp.svg_bars likewise. */
void mlpi_lua_open_views(lua_State *L);

/* Message handler for lua_pcall: the message with a traceback. */
int mlpi_lua_traceback(lua_State *L);

/* Pushes { id, type, uri, properties } of a. */
void mlpi_lua_push_artifact(lua_State *L, const mlp_artifact *a);
/* Field key of the table at t as an owned string; NULL when absent (an
 * error in err when required) or not a string (an error naming `what`). */
char *mlpi_lua_field_string(lua_State *L, int t, const char *key,
                            int required, mlp_error *err, const char *what);

/* The plugin that owns what the running Lua code registers: the plugin
 * file being loaded, else the script's own (dir_index (size_t)-1). */
mlpi_plugin *mlpi_lua_owner_plugin(mlpi_lua_app *app, mlp_error *err);
/* The hash of the file the function at fidx was defined in (or of its
 * source string), for the cache fingerprint. */
void mlpi_lua_function_hash(lua_State *L, int fidx, char out[MLPI_HASH_HEX]);
/* A new component registered by the Lua call running now (the table at
 * index 1 describes it): owned strings, no run function yet, defined at
 * the caller's file:line.  Raises a Lua error when memory runs out. */
mlpi_component *mlpi_lua_component_new(lua_State *L, mlpi_lua_app *app);
/* Registers mp.lf and mp.ABSTAIN into the module table on top. */
void mlpi_lua_open_lf(lua_State *L);

#endif
