/* Components written in Lua: mp.plugin{} and mp.component{} in plugin files
 * and scripts, and the context and table API their run functions get. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mlpipe/context.h>
#include <mlpipe/memory.h>
#include <mlpipe/table.h>

#include "artifact_priv.h"
#include "context_priv.h"
#include "lua_priv.h"
#include "params.h"
#include "scan.h"

#define CTX_MT "mlpipe.Context"
#define TABLE_MT "mlpipe.Table"

/* ----------------------------------------------------- declaring things */

char *mlpi_lua_field_string(lua_State *L, int t, const char *key,
                            int required, mlp_error *err, const char *what)
{
    char *out = NULL;
    int type = lua_getfield(L, t, key);

    if (type == LUA_TSTRING)
        out = strdup(lua_tostring(L, -1));
    else if (type != LUA_TNIL)
        mlp_error_set(err, MLP_EINVAL, "%s: '%s' must be a string, got %s",
                      what, key, luaL_typename(L, -1));
    else if (required)
        mlp_error_set(err, MLP_EINVAL, "%s needs '%s' (a string)", what, key);
    lua_pop(L, 1);
    return out;
}

static int cmp_ports(const void *a, const void *b)
{
    return strcmp(((const mlp_port *)a)->name, ((const mlp_port *)b)->name);
}

/* inputs = { examples = "Examples" } or
 * inputs = { { name = "examples", type = "Examples", optional = true } } */
static int read_ports(lua_State *L, int t, const char *key, mlp_port **out,
                      mlp_error *err)
{
    mlp_port *ports;
    size_t n = 0, cap = 8;
    int rc = MLP_OK;

    *out = ports = calloc(cap + 1, sizeof *ports);
    if (ports == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    if (lua_getfield(L, t, key) == LUA_TNIL) {
        lua_pop(L, 1);
        return MLP_OK;
    }
    if (!lua_istable(L, -1)) {
        lua_pop(L, 1);
        return mlp_error_set(err, MLP_EINVAL, "'%s' must be a table", key);
    }
    int pt = lua_gettop(L);
    lua_pushnil(L);
    while (rc == MLP_OK && lua_next(L, pt) != 0) {
        mlp_port p = { NULL, NULL, 0, NULL };
        if (n == cap) {
            mlp_port *np = realloc(ports, (cap * 2 + 1) * sizeof *np);
            if (np == NULL) {
                rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
                lua_pop(L, 2);
                break;
            }
            cap *= 2;
            *out = ports = np;
        }
        if (lua_type(L, -2) == LUA_TSTRING && lua_type(L, -1) == LUA_TSTRING) {
            p.name = strdup(lua_tostring(L, -2));
            p.type = strdup(lua_tostring(L, -1));
        } else if (lua_istable(L, -1)) {
            int e = lua_gettop(L);
            p.name = mlpi_lua_field_string(L, e, "name", 1, err, key);
            p.type = mlpi_lua_field_string(L, e, "type", 1, err, key);
            p.doc = mlpi_lua_field_string(L, e, "doc", 0, err, key);
            if (lua_getfield(L, e, "optional") != LUA_TNIL && lua_toboolean(L, -1))
                p.flags |= MLP_PORT_OPTIONAL;
            if (lua_getfield(L, e, "multiple") != LUA_TNIL && lua_toboolean(L, -1))
                p.flags |= MLP_PORT_MULTIPLE;
            lua_pop(L, 2);
        } else {
            rc = mlp_error_set(err, MLP_EINVAL, "'%s': each port is name = "
                               "\"Type\" or { name = ..., type = ... }", key);
        }
        if (rc == MLP_OK && (p.name == NULL || p.type == NULL) && err->code == MLP_OK)
            rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
        if (rc == MLP_OK && err->code != MLP_OK)
            rc = err->code;
        ports[n++] = p;
        memset(&ports[n], 0, sizeof ports[n]);
        lua_pop(L, 1);
    }
    if (rc == MLP_OK && lua_rawlen(L, pt) == 0 && n > 1)
        qsort(ports, n, sizeof *ports, cmp_ports);  /* map form: stable order */
    lua_settop(L, pt - 1);
    return rc;
}

static int read_param(lua_State *L, int e, const char *name, mlp_param_spec *s,
                      mlp_error *err)
{
    char *type = mlpi_lua_field_string(L, e, "type", 1, err, name);
    int rc = MLP_OK;

    s->name = strdup(name);
    s->doc = mlpi_lua_field_string(L, e, "doc", 0, err, name);
    if (type == NULL)
        return err->code ? err->code : MLP_EINVAL;
    if (mlpi_param_type_parse(type, &s->type) != MLP_OK) {
        rc = mlp_error_set(err, MLP_EINVAL, "parameter '%s': unknown type "
                           "'%s' (int, float, bool, string, enum, list, map)",
                           name, type);
        free(type);
        return rc;
    }
    free(type);
    type = mlpi_lua_field_string(L, e, "of", 0, err, name);
    if (type != NULL) {
        mlp_param_type elem;
        if (mlpi_param_type_parse(type, &elem) != MLP_OK ||
            elem == MLP_PARAM_LIST || elem == MLP_PARAM_MAP)
            rc = mlp_error_set(err, MLP_EINVAL, "parameter '%s': unknown "
                               "element type of = '%s' (int, float, bool, "
                               "string, enum)", name, type);
        else
            s->flags |= MLP_PARAM_OF(elem);
        free(type);
        if (rc != MLP_OK)
            return rc;
    } else if (err->code != MLP_OK) {
        return err->code;
    }
    if (lua_getfield(L, e, "default") != LUA_TNIL) {
        char what[256];
        cJSON *d;
        snprintf(what, sizeof what, "default of parameter '%s'", name);
        d = mlpi_lua_to_json(L, -1, what, s->type == MLP_PARAM_MAP, err);
        if (d == NULL) {
            lua_pop(L, 1);
            return err->code;
        }
        s->default_json = cJSON_PrintUnformatted(d);
        cJSON_Delete(d);
    }
    lua_pop(L, 1);
    if (lua_getfield(L, e, "required") != LUA_TNIL && lua_toboolean(L, -1))
        s->flags |= MLP_PARAM_REQUIRED;
    lua_pop(L, 1);
    if (lua_getfield(L, e, "min") == LUA_TNUMBER) {
        s->flags |= MLP_PARAM_HAS_MIN;
        s->min = lua_tonumber(L, -1);
    }
    if (lua_getfield(L, e, "max") == LUA_TNUMBER) {
        s->flags |= MLP_PARAM_HAS_MAX;
        s->max = lua_tonumber(L, -1);
    }
    lua_pop(L, 2);
    if (lua_getfield(L, e, "choices") == LUA_TTABLE) {
        size_t n = lua_rawlen(L, -1);
        char **ch = calloc(n + 1, sizeof *ch);
        for (size_t i = 0; ch && i < n; i++) {
            lua_rawgeti(L, -1, (lua_Integer)i + 1);
            ch[i] = strdup(lua_tostring(L, -1) ? lua_tostring(L, -1) : "");
            lua_pop(L, 1);
        }
        s->choices = (const char *const *)ch;
    }
    lua_pop(L, 1);
    return rc;
}

static int cmp_params(const void *a, const void *b)
{
    return strcmp(((const mlp_param_spec *)a)->name,
                  ((const mlp_param_spec *)b)->name);
}

/* params = { l2 = { type = "float", default = 0.001, min = 0, doc = "..." } } */
static int read_params(lua_State *L, int t, mlp_param_spec **out,
                       mlp_error *err)
{
    size_t n = 0;
    int rc = MLP_OK;

    if (lua_getfield(L, t, "params") == LUA_TNIL) {
        lua_pop(L, 1);
        *out = calloc(1, sizeof **out);
        return *out ? MLP_OK : mlp_error_set(err, MLP_ENOMEM, "out of memory");
    }
    if (!lua_istable(L, -1)) {
        lua_pop(L, 1);
        *out = calloc(1, sizeof **out);
        return mlp_error_set(err, MLP_EINVAL, "'params' must be a table");
    }
    int pt = lua_gettop(L);
    lua_pushnil(L);
    while (lua_next(L, pt) != 0) {
        n++;
        lua_pop(L, 1);
    }
    *out = calloc(n + 1, sizeof **out);
    if (*out == NULL) {
        lua_settop(L, pt - 1);
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    }
    size_t i = 0;
    lua_pushnil(L);
    while (rc == MLP_OK && lua_next(L, pt) != 0) {
        if (lua_type(L, -2) != LUA_TSTRING || !lua_istable(L, -1))
            rc = mlp_error_set(err, MLP_EINVAL, "'params': each entry is "
                               "name = { type = ..., default = ..., doc = ... }");
        else
            rc = read_param(L, lua_gettop(L), lua_tostring(L, -2), &(*out)[i++],
                            err);
        lua_pop(L, 1);
    }
    lua_settop(L, pt - 1);
    if (rc == MLP_OK && i > 1)
        qsort(*out, i, sizeof **out, cmp_params);
    return rc;
}

/* The plugin record that owns components defined in a pipeline script. */
static mlpi_plugin *script_plugin(mlpi_lua_app *app, mlp_error *err)
{
    mlpi_plugin *p;
    const char *script = app->script ? app->script : "script";
    const char *base = strrchr(script, '/');
    char name[256];

    if (app->script_plugin != NULL)
        return app->script_plugin;
    base = base ? base + 1 : script;
    snprintf(name, sizeof name, "script:%s", base);
    p = calloc(1, sizeof *p);
    if (p == NULL)
        return NULL;
    p->is_lua = 1;
    p->name = strdup(name);
    p->version = strdup("script");
    p->license = strdup("");
    p->description = strdup("components defined in a pipeline script");
    p->path = strdup(script);
    p->dir_index = (size_t)-1;  /* later than any directory */
    if (mlpi_registry_add_plugin(app->reg, p, err) != MLP_OK) {
        mlpi_plugin_free(p);
        return NULL;
    }
    app->script_plugin = p;
    return p;
}

mlpi_plugin *mlpi_lua_owner_plugin(mlpi_lua_app *app, mlp_error *err)
{
    mlpi_plugin *p;

    if (app->reg->loading_lua)
        return app->reg->loading_lua;
    p = script_plugin(app, err);
    if (p != NULL)
        p->dir_index = (size_t)-1;
    return p;
}

/* The hash of the file a function was defined in (or of its source
 * string), so editing a Lua component invalidates its cached results. */
void mlpi_lua_function_hash(lua_State *L, int fidx, char out[MLPI_HASH_HEX])
{
    lua_Debug ar;

    lua_pushvalue(L, fidx);
    lua_getinfo(L, ">S", &ar);
    if (ar.source[0] == '@') {
        if (mlpi_hash_file(ar.source + 1, out, NULL) == MLP_OK)
            return;
    }
    mlpi_hash_bytes(ar.source, strlen(ar.source), out);
}

mlpi_component *mlpi_lua_component_new(lua_State *L, mlpi_lua_app *app)
{
    char where[512];
    mlpi_component *c = calloc(1, sizeof *c);

    mlpi_lua_where(L, 1, where, sizeof where);
    if (c == NULL || (c->where = strdup(where)) == NULL) {
        free(c);
        luaL_error(L, "out of memory");
        return NULL;
    }
    c->owned = 1;
    c->lua_ref = LUA_NOREF;
    c->L = app->reg->L;
    return c;
}

/* mp.component { name, stage, description, inputs, outputs, params, run } */
static int l_component(lua_State *L)
{
    mlpi_lua_app *app = mlpi_lua_app_get(L);
    mlpi_component *c;
    mlp_error err;
    char *stage = NULL;
    int rc;

    luaL_checktype(L, 1, LUA_TTABLE);
    mlp_error_clear(&err);
    c = mlpi_lua_component_new(L, app);
    c->c.name = mlpi_lua_field_string(L, 1, "name", 1, &err, "mp.component");
    if (err.code == MLP_OK)
        stage = mlpi_lua_field_string(L, 1, "stage", 1, &err, "mp.component");
    if (err.code == MLP_OK)
        c->c.description = mlpi_lua_field_string(L, 1, "description", 0, &err,
                                        "mp.component");
    rc = err.code;
    if (rc == MLP_OK && mlpi_stage_parse(stage, &c->c.stage) != MLP_OK)
        rc = mlp_error_set(&err, MLP_EINVAL, "mp.component: unknown stage '%s' "
                           "(ingest, validate, label, transform, select, "
                           "train, tune, analyze, push)", stage);
    free(stage);
    if (rc == MLP_OK)
        rc = read_ports(L, 1, "inputs", (mlp_port **)&c->c.inputs, &err);
    if (rc == MLP_OK)
        rc = read_ports(L, 1, "outputs", (mlp_port **)&c->c.outputs, &err);
    if (rc == MLP_OK)
        rc = read_params(L, 1, (mlp_param_spec **)&c->c.params, &err);
    if (rc == MLP_OK && lua_getfield(L, 1, "run") != LUA_TFUNCTION)
        rc = mlp_error_set(&err, MLP_EINVAL, "mp.component needs 'run', a "
                           "function(ctx)");
    if (rc == MLP_OK) {
        mlpi_lua_function_hash(L, -1, c->source_hash);
        c->lua_ref = luaL_ref(L, LUA_REGISTRYINDEX);
        c->plugin = mlpi_lua_owner_plugin(app, &err);
        if (c->plugin == NULL)
            rc = err.code ? err.code : MLP_ENOMEM;
    }
    if (rc == MLP_OK) {
        rc = mlpi_registry_add_component(app->reg, c, &err);
        c = NULL;  /* owned by the registry now, also on failure */
    }
    if (rc != MLP_OK) {
        if (c != NULL) {
            if (c->lua_ref != LUA_NOREF)
                luaL_unref(L, LUA_REGISTRYINDEX, c->lua_ref);
            mlpi_component_free(c);
        }
        return luaL_error(L, "%s", err.msg[0] ? err.msg : "invalid component");
    }
    return 0;
}

/* mp.plugin { name, version, license, description } in a plugin file */
static int l_plugin(lua_State *L)
{
    mlpi_lua_app *app = mlpi_lua_app_get(L);
    mlpi_plugin *p = app->reg->loading_lua;
    mlp_error err;
    char *name, *version;

    luaL_checktype(L, 1, LUA_TTABLE);
    if (p == NULL)
        return luaL_error(L, "mp.plugin{} belongs in a plugin file found on "
                             "the plugin path, not in a pipeline script");
    mlp_error_clear(&err);
    name = mlpi_lua_field_string(L, 1, "name", 1, &err, "mp.plugin");
    version = mlpi_lua_field_string(L, 1, "version", 1, &err, "mp.plugin");
    if (err.code != MLP_OK) {
        free(name);
        free(version);
        return luaL_error(L, "%s", err.msg);
    }
    free(p->name);
    free(p->version);
    p->name = name;
    p->version = version;
    free(p->license);
    p->license = mlpi_lua_field_string(L, 1, "license", 0, &err, "mp.plugin");
    free(p->description);
    p->description = mlpi_lua_field_string(L, 1, "description", 0, &err, "mp.plugin");
    if (p->license == NULL)
        p->license = strdup("");
    if (p->description == NULL)
        p->description = strdup("");
    return 0;
}

/* A plugin file runs in the host: one that never finishes loading would
 * hang every command, so it gets the scanner's time limit. */
static struct timespec load_deadline;

static void load_hook(lua_State *L, lua_Debug *ar)
{
    struct timespec now;

    (void)ar;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (now.tv_sec > load_deadline.tv_sec ||
        (now.tv_sec == load_deadline.tv_sec && now.tv_nsec > load_deadline.tv_nsec)) {
        char msg[128];
        snprintf(msg, sizeof msg, "loading it took longer than %g s "
                 "(MLPIPE_SCAN_TIMEOUT)", mlpi_scan_timeout());
        luaL_error(L, "%s", msg);
    }
}

int mlpi_lua_load_plugin(mlpi_registry *r, const char *path, size_t dir_index,
                         mlp_error *err)
{
    lua_State *L = r->L;
    mlpi_plugin *p;
    int rc, named;

    if (L == NULL)
        return mlp_error_set(err, MLP_EPLUGIN, "Lua plugins need a Lua state");
    p = calloc(1, sizeof *p);
    if (p == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    p->is_lua = 1;
    p->path = strdup(path);
    p->dir_index = dir_index;
    rc = mlpi_hash_file(path, p->hash, err);
    if (rc != MLP_OK) {
        mlpi_plugin_free(p);
        return rc;
    }
    r->loading_lua = p;
    rc = luaL_loadfile(L, path);
    if (rc == LUA_OK) {
        double limit = mlpi_scan_timeout();
        clock_gettime(CLOCK_MONOTONIC, &load_deadline);
        load_deadline.tv_sec += (time_t)limit;
        load_deadline.tv_nsec += (long)((limit - (double)(time_t)limit) * 1e9);
        if (load_deadline.tv_nsec >= 1000000000L) {
            load_deadline.tv_sec++;
            load_deadline.tv_nsec -= 1000000000L;
        }
        lua_sethook(L, load_hook, LUA_MASKCOUNT, 100000);
        rc = lua_pcall(L, 0, 0, 0);
        lua_sethook(L, NULL, 0, 0);
    }
    r->loading_lua = NULL;
    named = p->name != NULL;
    if (rc != LUA_OK) {
        mlp_error_set(err, MLP_EPLUGIN, "%s", lua_tostring(L, -1));
        lua_pop(L, 1);
    } else if (!named) {
        mlp_error_set(err, MLP_EPLUGIN, "a Lua plugin file must call "
                      "mp.plugin { name = ..., version = ... }");
    }
    size_t n_comps = 0;
    for (size_t i = 0; i < r->n_comps; i++)
        n_comps += r->comps[i]->plugin == p;
    if (rc == LUA_OK && named && n_comps == 0 && p->n_types == 0) {
        mlp_error_set(err, MLP_EPLUGIN, "registers no component (mp.component{...}), "
                      "labeling function (mp.lf{...}) or type (mp.type{...})");
        named = 0;
    }
    if (rc == LUA_OK && named) {
        /* Components hash the plugin file, like .so components do. */
        for (size_t i = 0; i < r->n_comps; i++)
            if (r->comps[i]->plugin == p)
                memcpy(r->comps[i]->source_hash, p->hash, MLPI_HASH_HEX);
        if (mlpi_registry_add_plugin(r, p, err) == MLP_OK)
            return MLP_OK;
    }
    /* Refused: take back every component the file registered. */
    for (size_t i = r->n_comps; i-- > 0;)
        if (r->comps[i]->plugin == p) {
            if (r->comps[i]->lua_ref != LUA_NOREF)
                luaL_unref(L, LUA_REGISTRYINDEX, r->comps[i]->lua_ref);
            mlpi_component_free(r->comps[i]);
            memmove(&r->comps[i], &r->comps[i + 1],
                    (r->n_comps - i - 1) * sizeof *r->comps);
            r->n_comps--;
        }
    mlpi_plugin_free(p);
    return err->code ? err->code : MLP_EPLUGIN;
}

/* ------------------------------------------------------------ run time */

static mlp_ctx *check_ctx(lua_State *L)
{
    mlp_ctx **pc = luaL_checkudata(L, 1, CTX_MT);

    if (*pc == NULL)
        luaL_error(L, "the context is only valid while run() executes");
    return *pc;
}

void mlpi_lua_push_artifact(lua_State *L, const mlp_artifact *a)
{
    lua_createtable(L, 0, 5);
    lua_pushinteger(L, (lua_Integer)a->id);
    lua_setfield(L, -2, "id");
    lua_pushstring(L, a->type);
    lua_setfield(L, -2, "type");
    lua_pushstring(L, mlp_artifact_uri(a));
    lua_setfield(L, -2, "uri");
    mlpi_json_to_lua(L, a->props);
    lua_setfield(L, -2, "properties");
}

static int c_param(lua_State *L)
{
    mlp_ctx *ctx = check_ctx(L);
    const char *name = luaL_checkstring(L, 2);

    if (mlpi_param_find(ctx->comp->c.params, name) == NULL)
        return luaL_error(L, "component '%s' declares no parameter '%s'",
                          ctx->comp->c.name, name);
    mlpi_json_to_lua(L, mlp_ctx_param(ctx, name));
    return 1;
}

static int c_input(lua_State *L)
{
    mlp_ctx *ctx = check_ctx(L);
    const char *port = luaL_checkstring(L, 2);
    lua_Integer i = luaL_optinteger(L, 3, 1);
    const mlp_artifact *a = mlp_ctx_input(ctx, port, (size_t)(i - 1));

    if (a == NULL) {
        if (mlpi_port_find(ctx->comp->c.inputs, port) == NULL)
            return luaL_error(L, "component '%s' has no input '%s'",
                              ctx->comp->c.name, port);
        lua_pushnil(L);
        return 1;
    }
    mlpi_lua_push_artifact(L, a);
    return 1;
}

static int c_inputs(lua_State *L)
{
    mlp_ctx *ctx = check_ctx(L);
    const char *port = luaL_checkstring(L, 2);
    size_t n = mlp_ctx_input_count(ctx, port);

    lua_createtable(L, (int)n, 0);
    for (size_t i = 0; i < n; i++) {
        mlpi_lua_push_artifact(L, mlp_ctx_input(ctx, port, i));
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    return 1;
}

static int c_output(lua_State *L)
{
    mlp_ctx *ctx = check_ctx(L);
    const char *port = luaL_checkstring(L, 2);
    mlp_artifact *a = mlp_ctx_output(ctx, port);

    if (a == NULL)
        return luaL_error(L, "component '%s' has no output '%s'",
                          ctx->comp->c.name, port);
    mlpi_lua_push_artifact(L, a);
    return 1;
}

static int c_set_property(lua_State *L)
{
    mlp_ctx *ctx = check_ctx(L);
    const char *port = luaL_checkstring(L, 2);
    const char *key = luaL_checkstring(L, 3);
    mlp_artifact *a = mlp_ctx_output(ctx, port);
    mlp_error err;
    cJSON *v;

    if (a == NULL)
        return luaL_error(L, "component '%s' has no output '%s'",
                          ctx->comp->c.name, port);
    v = mlpi_lua_to_json(L, 4, key, 0, &err);
    if (v == NULL || mlp_artifact_set_property(a, key, v, &err) != MLP_OK)
        return luaL_error(L, "%s", err.msg);
    return 0;
}

static int c_log(lua_State *L)
{
    mlp_ctx *ctx = check_ctx(L);
    mlp_ctx_log(ctx, MLP_LOG_INFO, "%s", luaL_checkstring(L, 2));
    return 0;
}

static int c_warn(lua_State *L)
{
    mlp_ctx *ctx = check_ctx(L);
    mlp_ctx_log(ctx, MLP_LOG_WARN, "%s", luaL_checkstring(L, 2));
    return 0;
}

static int c_progress(lua_State *L)
{
    mlp_ctx *ctx = check_ctx(L);
    mlp_ctx_progress(ctx, (uint64_t)luaL_checkinteger(L, 2),
                     (uint64_t)luaL_checkinteger(L, 3), luaL_optstring(L, 4, ""));
    return 0;
}

static int c_cancelled(lua_State *L)
{
    lua_pushboolean(L, mlp_ctx_cancelled(check_ctx(L)));
    return 1;
}

static int c_scratch(lua_State *L)
{
    lua_pushstring(L, mlp_ctx_scratch_dir(check_ctx(L)));
    return 1;
}

static int c_gate(lua_State *L)
{
    mlp_ctx_gate(check_ctx(L), "%s", luaL_checkstring(L, 2));
    return 0;
}

/* ctx:read_table(path) -> table object */
static int c_read_table(lua_State *L)
{
    const char *path = luaL_checkstring(L, 2);
    mlp_table **pt;
    mlp_error err;

    check_ctx(L);
    pt = lua_newuserdatauv(L, sizeof *pt, 0);
    *pt = NULL;
    luaL_setmetatable(L, TABLE_MT);
    if (mlp_table_open(path, pt, &err) != MLP_OK) {
        lua_pushnil(L);
        lua_pushstring(L, err.msg);
        return 2;
    }
    return 1;
}

/* Frees what write_table allocated; kept together so every exit path
 * releases everything before a Lua error is raised. */
typedef struct wt_state {
    mlp_table *t;
    double *num;
    int64_t *ints;
    uint8_t *miss;
    const char **strs;
    int32_t *codes;
    char **levels;
    size_t n_levels;
} wt_state;

static void wt_reset(wt_state *w)
{
    mlp_free(w->num);
    mlp_free(w->ints);
    mlp_free(w->miss);
    free(w->strs);
    free(w->codes);
    for (size_t i = 0; i < w->n_levels; i++)
        free(w->levels[i]);
    free(w->levels);
    w->num = NULL;
    w->ints = NULL;
    w->miss = NULL;
    w->strs = NULL;
    w->codes = NULL;
    w->levels = NULL;
    w->n_levels = 0;
}

static int level_of(wt_state *w, const char *s, int32_t *code)
{
    for (size_t k = 0; k < w->n_levels; k++)
        if (strcmp(w->levels[k], s) == 0) {
            *code = (int32_t)k;
            return MLP_OK;
        }
    char **nl = realloc(w->levels, (w->n_levels + 1) * sizeof *nl);
    if (nl == NULL)
        return MLP_ENOMEM;
    w->levels = nl;
    nl[w->n_levels] = strdup(s);
    if (nl[w->n_levels] == NULL)
        return MLP_ENOMEM;
    *code = (int32_t)w->n_levels++;
    return MLP_OK;
}

static int write_column(lua_State *L, int ci, size_t n, wt_state *w,
                        mlp_error *err)
{
    const char *name, *type;
    int rc = MLP_OK;

    lua_getfield(L, ci, "name");
    lua_getfield(L, ci, "type");
    lua_getfield(L, ci, "values");
    name = lua_tostring(L, -3);
    type = lua_tostring(L, -2);
    if (name == NULL || type == NULL || !lua_istable(L, -1)) {
        lua_pop(L, 3);
        return mlp_error_set(err, MLP_EINVAL, "write_table: each column is "
                             "{ name = ..., type = \"numeric\"|\"categorical\"|"
                             "\"string\", values = { ... } }");
    }
    int vi = lua_gettop(L);
    if (strcmp(type, "numeric") == 0) {
        /* Lua integers beyond 2^53 (ids) stay exact when every value is an
         * integer; a double cannot hold them. */
        int all_int = 1, wide = 0;
        w->num = mlp_malloc((n ? n : 1) * sizeof *w->num);
        w->ints = mlp_calloc(n ? n : 1, sizeof *w->ints);
        w->miss = mlp_calloc((n + 7) / 8 + 1, 1);
        if (w->num == NULL || w->ints == NULL || w->miss == NULL)
            rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
        for (size_t i = 0; rc == MLP_OK && i < n; i++) {
            int t = lua_rawgeti(L, vi, (lua_Integer)i + 1);
            if (t == LUA_TNIL) {
                w->miss[i >> 3] |= (uint8_t)(1u << (i & 7));
            } else if (t == LUA_TNUMBER) {
                w->num[i] = lua_tonumber(L, -1);
                if (lua_isinteger(L, -1)) {
                    lua_Integer x = lua_tointeger(L, -1);
                    w->ints[i] = (int64_t)x;
                    wide |= x > ((lua_Integer)1 << 53) || x < -((lua_Integer)1 << 53);
                } else {
                    all_int = 0;
                }
            } else
                rc = mlp_error_set(err, MLP_EINVAL, "write_table: column '%s' "
                                   "row %zu is a %s, expected a number or nil",
                                   name, i + 1, luaL_typename(L, -1));
            lua_pop(L, 1);
        }
        if (rc == MLP_OK && all_int && wide) {
            rc = mlp_table_adopt_int64(w->t, name, w->ints, w->miss, err);
            w->ints = NULL;
            w->miss = NULL;
        } else if (rc == MLP_OK) {
            rc = mlp_table_adopt_numeric(w->t, name, w->num, w->miss, err);
            w->num = NULL;
            w->miss = NULL;
        }
    } else if (strcmp(type, "string") == 0 || strcmp(type, "categorical") == 0) {
        int cat = type[0] == 'c';
        w->strs = calloc(n + 1, sizeof *w->strs);
        w->codes = calloc(n + 1, sizeof *w->codes);
        if (w->strs == NULL || w->codes == NULL)
            rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
        /* The values stay on the Lua stack's table while we copy them. */
        for (size_t i = 0; rc == MLP_OK && i < n; i++) {
            int t = lua_rawgeti(L, vi, (lua_Integer)i + 1);
            if (t == LUA_TSTRING || t == LUA_TNUMBER) {
                w->strs[i] = lua_tostring(L, -1);
                if (cat && level_of(w, w->strs[i], &w->codes[i]) != MLP_OK)
                    rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
            } else if (t == LUA_TNIL) {
                w->strs[i] = NULL;
                w->codes[i] = -1;
            } else {
                rc = mlp_error_set(err, MLP_EINVAL, "write_table: column '%s' "
                                   "row %zu is a %s, expected a string or nil",
                                   name, i + 1, luaL_typename(L, -1));
            }
            lua_pop(L, 1);
        }
        if (rc == MLP_OK && cat)
            rc = mlp_table_add_categorical(w->t, name, w->codes, w->n_levels,
                                           (const char *const *)w->levels, err);
        else if (rc == MLP_OK)
            rc = mlp_table_add_string(w->t, name, w->strs, err);
    } else {
        rc = mlp_error_set(err, MLP_EINVAL, "write_table: column '%s' has "
                           "unknown type '%s'", name, type);
    }
    wt_reset(w);
    lua_pop(L, 3);
    return rc;
}

/* ctx:write_table(path, n_rows, { {name=, type=, values=}, ... }) */
static int c_write_table(lua_State *L)
{
    const char *path = luaL_checkstring(L, 2);
    lua_Integer n = luaL_checkinteger(L, 3);
    wt_state w;
    mlp_error err;
    int rc = MLP_OK;

    check_ctx(L);
    luaL_checktype(L, 4, LUA_TTABLE);
    if (n < 0)
        return luaL_error(L, "write_table: row count must be >= 0");
    memset(&w, 0, sizeof w);
    w.t = mlp_table_new((size_t)n);
    if (w.t == NULL)
        return luaL_error(L, "out of memory");
    for (lua_Integer c = 1; rc == MLP_OK && c <= (lua_Integer)lua_rawlen(L, 4); c++) {
        lua_rawgeti(L, 4, c);
        rc = write_column(L, lua_gettop(L), (size_t)n, &w, &err);
        lua_pop(L, 1);
    }
    if (rc == MLP_OK)
        rc = mlp_table_write(w.t, path, &err);
    mlp_table_free(w.t);
    if (rc != MLP_OK)
        return luaL_error(L, "%s", err.msg);
    lua_pushboolean(L, 1);
    return 1;
}

static mlp_table *check_table(lua_State *L)
{
    mlp_table **pt = luaL_checkudata(L, 1, TABLE_MT);

    if (*pt == NULL)
        luaL_error(L, "table is closed");
    return *pt;
}

static int t_gc(lua_State *L)
{
    mlp_table **pt = luaL_checkudata(L, 1, TABLE_MT);

    mlp_table_free(*pt);
    *pt = NULL;
    return 0;
}

static int t_nrows(lua_State *L)
{
    lua_pushinteger(L, (lua_Integer)mlp_table_n_rows(check_table(L)));
    return 1;
}

static int t_names(lua_State *L)
{
    mlp_table *t = check_table(L);

    lua_createtable(L, (int)mlp_table_n_cols(t), 0);
    for (size_t i = 0; i < mlp_table_n_cols(t); i++) {
        lua_pushstring(L, mlp_table_column(t, i)->name);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    return 1;
}

static const mlp_column *table_col(lua_State *L, mlp_table *t)
{
    const mlp_column *c;

    if (lua_isinteger(L, 2))
        c = mlp_table_column(t, (size_t)(lua_tointeger(L, 2) - 1));
    else
        c = mlp_table_find(t, luaL_checkstring(L, 2));
    if (c == NULL)
        luaL_error(L, "no column %s", lua_tostring(L, 2));
    return c;
}

static int t_type(lua_State *L)
{
    lua_pushstring(L, mlp_col_type_name(table_col(L, check_table(L))->type));
    return 1;
}

/* t:column(name or index) -> values (nil where missing), n.  Matrix
 * columns come back as rows of `width` numbers. */
static int t_column(lua_State *L)
{
    mlp_table *t = check_table(L);
    const mlp_column *c = table_col(L, t);
    size_t len;

    lua_createtable(L, (int)c->n_rows, 0);
    for (size_t i = 0; i < c->n_rows; i++) {
        if (c->type != MLP_COL_MATRIX && mlp_column_is_missing(c, i))
            continue;
        switch (c->type) {
        case MLP_COL_NUMERIC:
            if (c->ints != NULL)
                lua_pushinteger(L, (lua_Integer)c->ints[i]);
            else
                lua_pushnumber(L, c->num[i]);
            break;
        case MLP_COL_CATEGORICAL: {
            const char *s = mlp_column_level(c, (size_t)c->codes[i], &len);
            lua_pushlstring(L, s, len);
            break;
        }
        case MLP_COL_STRING: {
            const char *s = mlp_column_string(c, i, &len);
            lua_pushlstring(L, s, len);
            break;
        }
        case MLP_COL_MATRIX:
            lua_createtable(L, (int)c->width, 0);
            for (size_t k = 0; k < c->width; k++) {
                lua_pushnumber(L, c->mat[i * c->width + k]);
                lua_rawseti(L, -2, (lua_Integer)k + 1);
            }
            break;
        }
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    lua_pushinteger(L, (lua_Integer)c->n_rows);
    return 2;
}

static const luaL_Reg ctx_methods[] = {
    { "param", c_param },
    { "input", c_input },
    { "inputs", c_inputs },
    { "output", c_output },
    { "set_property", c_set_property },
    { "log", c_log },
    { "warn", c_warn },
    { "progress", c_progress },
    { "cancelled", c_cancelled },
    { "scratch_dir", c_scratch },
    { "gate", c_gate },
    { "read_table", c_read_table },
    { "write_table", c_write_table },
    { NULL, NULL }
};

static const luaL_Reg table_methods[] = {
    { "nrows", t_nrows },
    { "names", t_names },
    { "type", t_type },
    { "column", t_column },
    { NULL, NULL }
};

void mlpi_lua_open_components(lua_State *L)
{
    lua_pushcfunction(L, l_component);
    lua_setfield(L, -2, "component");
    lua_pushcfunction(L, l_plugin);
    lua_setfield(L, -2, "plugin");
    mlpi_lua_open_views(L);
    if (luaL_newmetatable(L, CTX_MT)) {
        luaL_newlib(L, ctx_methods);
        lua_setfield(L, -2, "__index");
    }
    lua_pop(L, 1);
    if (luaL_newmetatable(L, TABLE_MT)) {
        luaL_newlib(L, table_methods);
        lua_setfield(L, -2, "__index");
        lua_pushcfunction(L, t_gc);
        lua_setfield(L, -2, "__gc");
        lua_pushcfunction(L, t_gc);
        lua_setfield(L, -2, "__close");
    }
    lua_pop(L, 1);
}

int mlpi_lua_traceback(lua_State *L)
{
    luaL_traceback(L, L, lua_tostring(L, 1), 1);
    return 1;
}

int mlpi_lua_run_component(const mlpi_component *c, mlp_ctx *ctx)
{
    lua_State *L = c->L;
    mlp_ctx **pc;
    int rc, top;

    if (L == NULL)
        return mlp_ctx_fail(ctx, MLP_ESTATE, "no Lua state for component '%s'",
                            c->c.name);
    top = lua_gettop(L);
    lua_pushcfunction(L, mlpi_lua_traceback);
    lua_rawgeti(L, LUA_REGISTRYINDEX, c->lua_ref);
    pc = lua_newuserdatauv(L, sizeof *pc, 0);
    *pc = ctx;
    luaL_setmetatable(L, CTX_MT);
    rc = lua_pcall(L, 1, 2, top + 1);
    /* The handle may outlive the call inside Lua: make it inert. */
    *pc = NULL;
    if (rc != LUA_OK) {
        mlp_ctx_fail(ctx, MLP_EPLUGIN, "%s", lua_tostring(L, -1));
        lua_settop(L, top);
        return MLP_EPLUGIN;
    }
    if (lua_type(L, -2) == LUA_TBOOLEAN && !lua_toboolean(L, -2)) {
        mlp_ctx_fail(ctx, MLP_EPLUGIN, "%s", lua_tostring(L, -1)
                     ? lua_tostring(L, -1) : "run returned false");
        lua_settop(L, top);
        return MLP_EPLUGIN;
    }
    lua_settop(L, top);
    return MLP_OK;
}
