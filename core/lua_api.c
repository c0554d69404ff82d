/* The `mlpipe` Lua module: pipelines, nodes, wiring, and p:run().
 *
 * Definition errors are raised with luaL_error from inside p:add(), so they
 * carry the script's file:line; errors found only when the whole graph is
 * known (references by name, cycles, unwired inputs) are raised by p:run()
 * with the position of the node at fault, before anything runs.
 */
#include "config.h"

#include <lualib.h>
#include <stdlib.h>
#include <string.h>

#include <mlpipe/json.h>
#include <mlpipe/memory.h>

#include "lua_priv.h"
#include "memlimit.h"
#include "params.h"
#include "pipeline.h"
#include "rootdir.h"
#include "runner.h"

#define APP_KEY "mlpipe.app"
#define PIPELINE_MT "mlpipe.Pipeline"
#define NODE_MT "mlpipe.Node"
#define OUTPUT_MT "mlpipe.Output"

typedef struct lpipeline {
    mlpi_pipeline *p;
} lpipeline;

typedef struct lnode {
    mlpi_pipeline *p;
    int idx;
} lnode;

typedef struct loutput {
    mlpi_pipeline *p;
    int idx;
    char port[128];
} loutput;

mlpi_lua_app *mlpi_lua_app_get(lua_State *L)
{
    mlpi_lua_app *app;

    lua_getfield(L, LUA_REGISTRYINDEX, APP_KEY);
    app = lua_touserdata(L, -1);
    lua_pop(L, 1);
    return app;
}

static lpipeline *check_pipeline(lua_State *L, int idx)
{
    lpipeline *lp = luaL_checkudata(L, idx, PIPELINE_MT);

    if (lp->p == NULL)
        luaL_error(L, "pipeline is closed");
    return lp;
}

static int opt_memory(lua_State *L, int tidx, const char *what, uint64_t *out,
                      mlp_error *err);

/* mp.pipeline { name = ..., root = ... [, memory = ...] } */
static int l_pipeline(lua_State *L)
{
    mlpi_lua_app *app = mlpi_lua_app_get(L);
    const char *name, *root;
    lpipeline *lp;

    luaL_checktype(L, 1, LUA_TTABLE);
    if (app->reg->loading_lua != NULL)
        return luaL_error(L, "a plugin file may register components but not "
                             "define pipelines (keep pipeline scripts out of "
                             "plugin directories)");
    lua_getfield(L, 1, "name");
    name = lua_tostring(L, -1);
    if (name == NULL || name[0] == '\0')
        return luaL_error(L, "mp.pipeline needs a name (a string)");
    lua_getfield(L, 1, "root");
    root = lua_tostring(L, -1);
    if (root == NULL || root[0] == '\0')
        return luaL_error(L, "mp.pipeline needs a root directory (a string), "
                             "where artifacts and metadata go");
    for (const char *c = root; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f)
            return luaL_error(L, "mp.pipeline: root may not contain control "
                                 "characters (a line break, a tab)");
    for (const char *c = name; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f || *c == '/')
            return luaL_error(L, "mp.pipeline: name may not contain control "
                                 "characters or '/'");
    /* Locations inside the root must still fit a path. */
    if (strlen(root) > MLPI_ROOT_PATH_MAX)
        return luaL_error(L, "mp.pipeline: root is %d characters long; at most "
                             "%d", (int)strlen(root), MLPI_ROOT_PATH_MAX);
    uint64_t memory = 0;
    mlp_error err;
    if (opt_memory(L, 1, "mp.pipeline:", &memory, &err) != MLP_OK)
        return luaL_error(L, "%s", err.msg);
    lp = lua_newuserdatauv(L, sizeof *lp, 0);
    lp->p = mlpi_pipeline_new(name, root, app->script, app->reg);
    if (lp->p == NULL)
        return luaL_error(L, "out of memory");
    lp->p->memory = memory;
    luaL_setmetatable(L, PIPELINE_MT);
    return 1;
}

static int l_pipeline_gc(lua_State *L)
{
    lpipeline *lp = luaL_checkudata(L, 1, PIPELINE_MT);

    mlpi_pipeline_free(lp->p);
    lp->p = NULL;
    return 0;
}

static void push_node(lua_State *L, int pipeline_idx, mlpi_pipeline *p, int idx)
{
    lnode *ln = lua_newuserdatauv(L, sizeof *ln, 1);

    ln->p = p;
    ln->idx = idx;
    /* Keep the pipeline alive while a node handle exists. */
    lua_pushvalue(L, pipeline_idx);
    lua_setiuservalue(L, -2, 1);
    luaL_setmetatable(L, NODE_MT);
}

/* Wires one input value: an output handle, a "node.port" string, or a list
 * of those for a port that takes several.  Errors are returned, not raised,
 * so the caller can free before raising. */
static int wire_value(lua_State *L, int vidx, mlpi_pipeline *p, mlpi_node *n,
                      const char *port, mlp_error *err)
{
    loutput *o = luaL_testudata(L, vidx, OUTPUT_MT);

    if (o != NULL) {
        if (o->p != p)
            return mlp_error_set(err, MLP_EINVAL,
                                 "input '%s' is wired to an output of another "
                                 "pipeline", port);
        return mlpi_node_wire(p, n, port, o->idx, o->port, NULL, err);
    }
    if (lua_type(L, vidx) == LUA_TSTRING &&
        strcmp(lua_tostring(L, vidx), "latest_blessed") == 0)
        return mlpi_node_wire_latest_blessed(n, port, err);
    if (lua_type(L, vidx) == LUA_TSTRING) {
        const char *ref = lua_tostring(L, vidx);
        const char *dot = strrchr(ref, '.');
        char node[256];
        if (dot == NULL || dot == ref || dot[1] == '\0' ||
            (size_t)(dot - ref) >= sizeof node)
            return mlp_error_set(err, MLP_EINVAL,
                                 "input '%s' = \"%s\": expected an output such "
                                 "as ex.examples, a \"node.port\" string or "
                                 "\"latest_blessed\" (a Model input)",
                                 port, ref);
        memcpy(node, ref, (size_t)(dot - ref));
        node[dot - ref] = '\0';
        int src = mlpi_pipeline_find(p, node);
        return mlpi_node_wire(p, n, port, src, dot + 1, src < 0 ? node : NULL,
                              err);
    }
    if (lua_type(L, vidx) == LUA_TTABLE) {
        lua_Integer len = (lua_Integer)lua_rawlen(L, vidx);
        int rc = MLP_OK;
        if (len == 0)
            return mlp_error_set(err, MLP_EINVAL,
                                 "input '%s' is an empty list", port);
        for (lua_Integer i = 1; rc == MLP_OK && i <= len; i++) {
            lua_rawgeti(L, vidx, i);
            if (lua_type(L, -1) == LUA_TTABLE)
                rc = mlp_error_set(err, MLP_EINVAL,
                                   "input '%s' item %lld is a table, expected "
                                   "an output", port, (long long)i);
            else
                rc = wire_value(L, lua_gettop(L), p, n, port, err);
            lua_pop(L, 1);
        }
        return rc;
    }
    return mlp_error_set(err, MLP_EINVAL,
                         "input '%s' must be an output of another node (e.g. "
                         "ex.examples) or a \"node.port\" string, got %s",
                         port, luaL_typename(L, vidx));
}

/* memory = "4G" (or a number of bytes) in p:add and mp.pipeline. */
static int opt_memory(lua_State *L, int tidx, const char *what, uint64_t *out,
                      mlp_error *err)
{
    int t = lua_getfield(L, tidx, "memory");
    int rc = MLP_OK;

    if (t == LUA_TSTRING || t == LUA_TNUMBER) {
        const char *s = lua_tostring(L, -1);
        if (mlpi_size_parse(s, out) != MLP_OK || *out < (1u << 20))
            rc = mlp_error_set(err, MLP_EINVAL, "%s 'memory' must be a size "
                               "of at least 1M such as \"512M\" or \"4G\", "
                               "got \"%s\"", what, s);
    } else if (t != LUA_TNIL) {
        rc = mlp_error_set(err, MLP_EINVAL, "%s 'memory' must be a size such "
                           "as \"4G\", got %s", what, luaL_typename(L, -1));
    }
    lua_pop(L, 1);
    return rc;
}

static int opt_number(lua_State *L, int tidx, const char *key, double *out,
                      mlp_error *err)
{
    int t = lua_getfield(L, tidx, key);
    int rc = MLP_OK;

    if (t == LUA_TNUMBER)
        *out = lua_tonumber(L, -1);
    else if (t != LUA_TNIL)
        rc = mlp_error_set(err, MLP_EINVAL, "node option '%s' must be a "
                           "number, got %s", key, luaL_typename(L, -1));
    lua_pop(L, 1);
    return rc;
}

/* p:add(component, { params..., inputs..., name=, cache=, timeout=,
 *                    retries=, isolate=, memory= }) -> node */
static int l_add(lua_State *L)
{
    lpipeline *lp = check_pipeline(L, 1);
    const char *comp_name = luaL_checkstring(L, 2);
    const mlpi_component *comp;
    cJSON *params = NULL;
    mlpi_node *n = NULL;
    mlp_error err;
    char where[512];
    const char *name = NULL;
    double timeout = 0, retries = 0;
    int rc;

    if (lua_isnoneornil(L, 3))
        lua_newtable(L);
    luaL_checktype(L, 3, LUA_TTABLE);
    lua_settop(L, 3);
    mlpi_lua_where(L, 1, where, sizeof where);
    comp = mlpi_registry_find(lp->p->reg, comp_name);

    lua_getfield(L, 3, "name");
    if (!lua_isnil(L, -1) && lua_type(L, -1) != LUA_TSTRING)
        return luaL_error(L, "node option 'name' must be a string");
    name = lua_tostring(L, -1);
    lua_pop(L, 1);

    params = cJSON_CreateObject();
    if (params == NULL)
        return luaL_error(L, "out of memory");
    rc = MLP_OK;
    lua_pushnil(L);
    /* With an unknown component, say so before judging its arguments. */
    while (comp != NULL && rc == MLP_OK && lua_next(L, 3) != 0) {
        const char *key;
        int reserved = 0;
        if (lua_type(L, -2) != LUA_TSTRING) {
            rc = mlp_error_set(&err, MLP_EINVAL,
                               "arguments of p:add must be named (key = value)");
            lua_pop(L, 1);
            break;
        }
        key = lua_tostring(L, -2);
        for (const char *const *r = mlpi_reserved_keys; *r; r++)
            reserved |= strcmp(*r, key) == 0;
        if (!reserved && mlpi_port_find(comp->c.inputs, key) == NULL) {
            const mlp_param_spec *s = mlpi_param_find(comp->c.params, key);
            char what[256];
            cJSON *v;
            snprintf(what, sizeof what, "parameter '%s'", key);
            v = mlpi_lua_to_json(L, -1, what, s && s->type == MLP_PARAM_MAP, &err);
            if (v == NULL)
                rc = err.code;
            else
                cJSON_AddItemToObject(params, key, v);
        }
        lua_pop(L, 1);
    }
    if (rc == MLP_OK)
        rc = mlpi_pipeline_add(lp->p, comp_name, name, params, where, &n, &err);
    cJSON_Delete(params);
    if (rc != MLP_OK)
        return luaL_error(L, "%s", err.msg);

    /* Inputs, in port order so errors come out in a stable order. */
    for (size_t b = 0; rc == MLP_OK && b < n->n_inputs; b++) {
        const char *port = n->inputs[b].port->name;
        if (lua_getfield(L, 3, port) != LUA_TNIL)
            rc = wire_value(L, lua_gettop(L), lp->p, n, port, &err);
        lua_pop(L, 1);
    }
    if (rc == MLP_OK)
        rc = opt_number(L, 3, "timeout", &timeout, &err);
    if (rc == MLP_OK)
        rc = opt_number(L, 3, "retries", &retries, &err);
    if (rc == MLP_OK)
        rc = opt_memory(L, 3, "node option", &n->memory, &err);
    if (rc == MLP_OK && (timeout < 0 || retries < 0 || retries > 100))
        rc = mlp_error_set(&err, MLP_EINVAL,
                           "node options: timeout must be >= 0 and retries "
                           "within 0..100");
    if (rc == MLP_OK) {
        n->timeout = timeout;
        n->retries = (int)retries;
        if (lua_getfield(L, 3, "cache") != LUA_TNIL)
            n->cache = lua_toboolean(L, -1);
        if (lua_getfield(L, 3, "isolate") != LUA_TNIL)
            n->isolate = lua_toboolean(L, -1);
        lua_pop(L, 2);
    }
    if (rc != MLP_OK) {
        /* Undo the half-made node so the pipeline stays consistent when the
         * script catches the error with pcall. */
        mlpi_pipeline_drop_last(lp->p);
        return luaL_error(L, "%s", err.msg);
    }
    push_node(L, 1, lp->p, (int)lp->p->n_nodes - 1);
    return 1;
}

/* p:node(name) -> node or nil */
static int l_node(lua_State *L)
{
    lpipeline *lp = check_pipeline(L, 1);
    int idx = mlpi_pipeline_find(lp->p, luaL_checkstring(L, 2));

    if (idx < 0) {
        lua_pushnil(L);
        return 1;
    }
    push_node(L, 1, lp->p, idx);
    return 1;
}

/* p:run { jobs = N } -> results */
static int l_run(lua_State *L)
{
    lpipeline *lp = check_pipeline(L, 1);
    mlpi_lua_app *app = mlpi_lua_app_get(L);
    cJSON *results = NULL;
    mlp_error err;
    int jobs = 1, outcome, rc;

    if (lua_istable(L, 2)) {
        if (lua_getfield(L, 2, "jobs") != LUA_TNIL) {
            if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) < 1 ||
                lua_tointeger(L, -1) > 256)
                return luaL_error(L, "p:run: jobs must be an integer in 1..256");
            jobs = (int)lua_tointeger(L, -1);
        }
        lua_pop(L, 1);
    }
    if (app->opts.jobs > 0)
        jobs = app->opts.jobs;
    if (app->opts.only != NULL && mlpi_pipeline_find(lp->p, app->opts.only) < 0) {
        app->usage_error = 1;
        return luaL_error(L, "--only %s: the pipeline has no such node",
                          app->opts.only);
    }
    rc = mlpi_run(lp->p, &app->opts, jobs, &results, &outcome, &err);
    if (rc != MLP_OK) {
        if (rc == MLP_ENOMEM || rc == MLP_EIO || rc == MLP_ESTATE ||
            rc == MLP_EVERSION || rc == MLP_ECORRUPT) {
            /* Not a definition error: let the CLI tell them apart. */
            lua_pushfstring(L, "mlpipe: %s", err.msg);
            lua_setfield(L, LUA_REGISTRYINDEX, "mlpipe.runtime_error");
        }
        lua_pushstring(L, err.msg);
        return lua_error(L);
    }
    if (outcome > app->outcome)
        app->outcome = outcome;
    cJSON_AddItemToArray(app->results, cJSON_Duplicate(results, 1));
    mlpi_json_to_lua(L, results);
    cJSON_Delete(results);
    return 1;
}

static int l_pipeline_tostring(lua_State *L)
{
    lpipeline *lp = luaL_checkudata(L, 1, PIPELINE_MT);

    lua_pushfstring(L, "pipeline '%s' (%d nodes)", lp->p ? lp->p->name : "?",
                    lp->p ? (int)lp->p->n_nodes : 0);
    return 1;
}

/* node.<port> -> output handle; node.name, node.component */
static int l_node_index(lua_State *L)
{
    lnode *ln = luaL_checkudata(L, 1, NODE_MT);
    const char *key = luaL_checkstring(L, 2);
    const mlpi_node *n = ln->p->nodes[ln->idx];
    loutput *o;

    if (strcmp(key, "name") == 0) {
        lua_pushstring(L, n->name);
        return 1;
    }
    if (strcmp(key, "component") == 0) {
        lua_pushstring(L, n->comp->c.name);
        return 1;
    }
    if (mlpi_port_find(n->comp->c.outputs, key) == NULL) {
        luaL_Buffer b;
        luaL_buffinit(L, &b);
        for (const mlp_port *p = n->comp->c.outputs; p && p->name; p++) {
            if (p != n->comp->c.outputs)
                luaL_addstring(&b, ", ");
            luaL_addstring(&b, p->name);
        }
        luaL_pushresult(&b);
        return luaL_error(L, "node '%s' (%s) has no output '%s' (outputs: %s)",
                          n->name, n->comp->c.name, key, lua_tostring(L, -1));
    }
    o = lua_newuserdatauv(L, sizeof *o, 1);
    o->p = ln->p;
    o->idx = ln->idx;
    snprintf(o->port, sizeof o->port, "%s", key);
    lua_getiuservalue(L, 1, 1);
    lua_setiuservalue(L, -2, 1);
    luaL_setmetatable(L, OUTPUT_MT);
    return 1;
}

static int l_node_tostring(lua_State *L)
{
    lnode *ln = luaL_checkudata(L, 1, NODE_MT);

    lua_pushfstring(L, "node '%s'", ln->p->nodes[ln->idx]->name);
    return 1;
}

static int l_output_tostring(lua_State *L)
{
    loutput *o = luaL_checkudata(L, 1, OUTPUT_MT);

    lua_pushfstring(L, "%s.%s", o->p->nodes[o->idx]->name, o->port);
    return 1;
}

/* A relative directory named in a script means the script's: a pipeline
 * finds its plugins from whatever directory it is run. */
static const char *script_relative(lua_State *L, const char *dir, char *buf,
                                   size_t size)
{
    lua_Debug ar;
    const char *slash;

    if (dir[0] == '/' || !lua_getstack(L, 1, &ar) || !lua_getinfo(L, "S", &ar) ||
        ar.source[0] != '@' || (slash = strrchr(ar.source, '/')) == NULL)
        return dir;
    snprintf(buf, size, "%.*s/%s", (int)(slash - ar.source - 1), ar.source + 1,
             dir);
    return buf;
}

/* mp.plugin_path(dir [, { override = { "name", ... } }]) */
static int l_plugin_path(lua_State *L)
{
    mlpi_lua_app *app = mlpi_lua_app_get(L);
    char buf[4096];
    const char *dir = script_relative(L, luaL_checkstring(L, 1), buf, sizeof buf);
    mlp_error err;
    int rc = MLP_OK;

    if (lua_istable(L, 2) && lua_getfield(L, 2, "override") == LUA_TTABLE) {
        lua_Integer len = (lua_Integer)lua_rawlen(L, -1);
        for (lua_Integer i = 1; rc == MLP_OK && i <= len; i++) {
            lua_rawgeti(L, -1, i);
            if (lua_type(L, -1) == LUA_TSTRING)
                rc = mlpi_registry_allow_override(app->reg, lua_tostring(L, -1),
                                                  &err);
            lua_pop(L, 1);
        }
    }
    /* Named in a script, a directory that is not there is a mistake (the
     * environment's search path may list ones that are not). */
    if (rc == MLP_OK && !mlpi_is_dir(dir))
        return luaL_error(L, "mp.plugin_path: no directory %s", dir);
    if (rc == MLP_OK)
        rc = mlpi_registry_add_dir(app->reg, dir, &err);
    if (rc == MLP_OK)
        rc = mlpi_registry_load(app->reg, &err);
    if (rc != MLP_OK)
        return luaL_error(L, "%s", err.msg);
    return 0;
}

/* mp.json_decode(text) -> value, or nil, message */
static int l_json_decode(lua_State *L)
{
    size_t len;
    const char *text = luaL_checklstring(L, 1, &len);
    cJSON *v = cJSON_ParseWithLength(text, len);

    if (v == NULL) {
        lua_pushnil(L);
        lua_pushstring(L, "invalid JSON");
        return 2;
    }
    mlpi_json_to_lua(L, v);
    cJSON_Delete(v);
    return 1;
}

/* mp.json_encode(value) -> text */
static int l_json_encode(lua_State *L)
{
    mlp_error err;
    cJSON *v = mlpi_lua_to_json(L, 1, "value", 0, &err);
    char *text;

    if (v == NULL)
        return luaL_error(L, "%s", err.msg);
    text = mlp_json_print(v, 0);
    cJSON_Delete(v);
    if (text == NULL)
        return luaL_error(L, "out of memory");
    lua_pushstring(L, text);
    mlp_free(text);
    return 1;
}

/* mp.read_json(path) -> value, or nil, message (with file:line:column) */
static int l_read_json(lua_State *L)
{
    cJSON *v;
    mlp_error err;

    if (mlp_json_read_file(luaL_checkstring(L, 1), &v, &err) != MLP_OK) {
        lua_pushnil(L);
        lua_pushstring(L, err.msg);
        return 2;
    }
    mlpi_json_to_lua(L, v);
    cJSON_Delete(v);
    return 1;
}

static int l_version(lua_State *L)
{
    lua_pushstring(L, PACKAGE_VERSION);
    return 1;
}

static const luaL_Reg module_fns[] = {
    { "pipeline", l_pipeline },
    { "plugin_path", l_plugin_path },
    { "version", l_version },
    { "json_decode", l_json_decode },
    { "json_encode", l_json_encode },
    { "read_json", l_read_json },
    { NULL, NULL }
};

static const luaL_Reg pipeline_methods[] = {
    { "add", l_add },
    { "node", l_node },
    { "run", l_run },
    { NULL, NULL }
};

static int luaopen_mlpipe(lua_State *L)
{
    if (luaL_newmetatable(L, PIPELINE_MT)) {
        luaL_newlib(L, pipeline_methods);
        lua_setfield(L, -2, "__index");
        lua_pushcfunction(L, l_pipeline_gc);
        lua_setfield(L, -2, "__gc");
        lua_pushcfunction(L, l_pipeline_gc);
        lua_setfield(L, -2, "__close");
        lua_pushcfunction(L, l_pipeline_tostring);
        lua_setfield(L, -2, "__tostring");
    }
    lua_pop(L, 1);
    if (luaL_newmetatable(L, NODE_MT)) {
        lua_pushcfunction(L, l_node_index);
        lua_setfield(L, -2, "__index");
        lua_pushcfunction(L, l_node_tostring);
        lua_setfield(L, -2, "__tostring");
    }
    lua_pop(L, 1);
    if (luaL_newmetatable(L, OUTPUT_MT)) {
        lua_pushcfunction(L, l_output_tostring);
        lua_setfield(L, -2, "__tostring");
    }
    lua_pop(L, 1);
    luaL_newlib(L, module_fns);
    mlpi_lua_open_components(L);
    mlpi_lua_open_lf(L);
    return 1;
}

lua_State *mlpi_lua_new(mlpi_registry *r, const mlpi_run_opts *opts)
{
    lua_State *L = luaL_newstate();
    mlpi_lua_app *app;

    if (L == NULL)
        return NULL;
    luaL_openlibs(L);
    app = lua_newuserdatauv(L, sizeof *app, 0);
    memset(app, 0, sizeof *app);
    app->reg = r;
    if (opts != NULL)
        app->opts = *opts;
    app->results = cJSON_CreateArray();
    lua_setfield(L, LUA_REGISTRYINDEX, APP_KEY);
    luaL_requiref(L, "mlpipe", luaopen_mlpipe, 0);
    lua_pop(L, 1);
    r->L = L;
    return L;
}

void mlpi_lua_close(lua_State *L)
{
    mlpi_lua_app *app;

    if (L == NULL)
        return;
    app = mlpi_lua_app_get(L);
    if (app != NULL) {
        cJSON_Delete(app->results);
        app->results = NULL;
        if (app->reg != NULL && app->reg->L == L)
            app->reg->L = NULL;
    }
    lua_close(L);
}

int mlpi_lua_usage_error(lua_State *L)
{
    return mlpi_lua_app_get(L)->usage_error;
}

int mlpi_lua_run_outcome(lua_State *L)
{
    return mlpi_lua_app_get(L)->outcome;
}

cJSON *mlpi_lua_results(lua_State *L)
{
    return mlpi_lua_app_get(L)->results;
}

static int msghandler(lua_State *L)
{
    const char *msg = lua_tostring(L, 1);

    if (msg == NULL)
        msg = lua_pushfstring(L, "(error object is a %s value)",
                              luaL_typename(L, 1));
    if (mlp_log_get_level() <= MLP_LOG_DEBUG)
        luaL_traceback(L, L, msg, 1);
    else
        lua_pushstring(L, msg);
    return 1;
}

int mlpi_lua_dofile(lua_State *L, const char *path, int argc, char **argv,
                    mlp_error *err)
{
    mlpi_lua_app *app = mlpi_lua_app_get(L);
    int rc;

    app->script = path;
    lua_newtable(L);
    lua_pushstring(L, path);
    lua_rawseti(L, -2, 0);
    for (int i = 0; i < argc; i++) {
        lua_pushstring(L, argv[i]);
        lua_rawseti(L, -2, i + 1);
    }
    lua_setglobal(L, "arg");
    lua_pushcfunction(L, msghandler);
    rc = luaL_loadfile(L, path);
    if (rc == LUA_OK)
        rc = lua_pcall(L, 0, 0, -2);
    if (rc != LUA_OK) {
        mlp_error_set(err, rc == LUA_ERRFILE ? MLP_ENOTFOUND : MLP_EINVAL, "%s",
                      lua_tostring(L, -1));
        lua_pop(L, 2);
        return err->code;
    }
    lua_pop(L, 1);
    return MLP_OK;
}
