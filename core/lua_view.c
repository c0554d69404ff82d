/* Artifact types and views written in Lua: mp.type{} in a plugin file,
 * the helpers a view uses (mp.html_escape, mp.svg_bars), and calling a
 * view function when `mlpipe show` or `report` asks for one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mlpipe/json.h>
#include <mlpipe/memory.h>

#include "contract.h"
#include "lua_priv.h"
#include "view_priv.h"

/* A view function at field key of the table at t: its registry ref, or 0
 * (no view); raises a Lua error for anything but a function or nil. */
static int view_ref(lua_State *L, int t, const char *key, const char *type)
{
    int kind = lua_getfield(L, t, key);

    if (kind == LUA_TNIL) {
        lua_pop(L, 1);
        return 0;
    }
    if (kind != LUA_TFUNCTION)
        return luaL_error(L, "mp.type '%s': '%s' must be a function(a), got "
                          "%s", type, key, luaL_typename(L, -1));
    return luaL_ref(L, LUA_REGISTRYINDEX);
}

/* The contract as JSON text: a table is encoded, a string is taken as
 * JSON; either is checked like a C plugin's. */
static int read_contract(lua_State *L, int t, const char *type, cJSON **out,
                         mlp_error *err)
{
    int kind = lua_getfield(L, t, "contract");
    int rc = MLP_OK;

    *out = NULL;
    if (kind == LUA_TSTRING) {
        rc = mlpi_contract_parse(lua_tostring(L, -1), out, err);
    } else if (kind == LUA_TTABLE) {
        cJSON *j = mlpi_lua_to_json(L, -1, "contract", 1, err);
        char *text = j ? mlp_json_print(j, 0) : NULL;
        rc = text ? mlpi_contract_parse(text, out, err)
                  : (err->code ? err->code : MLP_ENOMEM);
        mlp_free(text);
        cJSON_Delete(j);
    } else if (kind != LUA_TNIL) {
        rc = mlp_error_set(err, MLP_EINVAL, "'contract' must be a table or "
                           "JSON text, got %s", luaL_typename(L, -1));
    }
    lua_pop(L, 1);
    if (rc != MLP_OK)
        mlp_error_prefix(err, "mp.type '%s'", type);
    return rc;
}

/* mp.type { name, description, contract, show, html } in a plugin file */
static int l_type(lua_State *L)
{
    mlpi_lua_app *app = mlpi_lua_app_get(L);
    mlpi_plugin *p = app->reg->loading_lua;
    mlpi_type t, *grown;
    mlp_error err;

    luaL_checktype(L, 1, LUA_TTABLE);
    if (p == NULL)
        return luaL_error(L, "mp.type{} belongs in a plugin file found on the "
                             "plugin path, not in a pipeline script");
    memset(&t, 0, sizeof t);
    mlp_error_clear(&err);
    t.name = mlpi_lua_field_string(L, 1, "name", 1, &err, "mp.type");
    if (err.code == MLP_OK && !mlpi_type_name_ok(t.name))
        mlp_error_set(&err, MLP_EINVAL, "mp.type: '%s' is not a type name "
                      "([A-Za-z][A-Za-z0-9_]*)", t.name);
    if (err.code == MLP_OK)
        t.description = mlpi_lua_field_string(L, 1, "description", 0, &err,
                                              "mp.type");
    for (size_t i = 0; err.code == MLP_OK && i < p->n_types; i++)
        if (strcmp(p->types[i].name, t.name) == 0)
            mlp_error_set(&err, MLP_EEXIST, "mp.type: '%s' defined twice",
                          t.name);
    if (err.code == MLP_OK)
        read_contract(L, 1, t.name, &t.contract, &err);
    if (err.code != MLP_OK) {
        free(t.name);
        free(t.description);
        return luaL_error(L, "%s", err.msg);
    }
    /* Errors below leave t to the Lua error; take ownership first. */
    grown = realloc(p->types, (p->n_types + 1) * sizeof *p->types);
    if (grown == NULL) {
        free(t.name);
        free(t.description);
        cJSON_Delete(t.contract);
        return luaL_error(L, "out of memory");
    }
    p->types = grown;
    p->types[p->n_types++] = t;
    mlpi_type *mine = &p->types[p->n_types - 1];
    mine->show_ref = view_ref(L, 1, "show", mine->name);
    mine->html_ref = view_ref(L, 1, "html", mine->name);
    mine->has_show = mine->show_ref != 0;
    mine->has_html = mine->html_ref != 0;
    return 0;
}

/* mp.html_escape(s): s with & < > " ' as entities */
static int l_html_escape(lua_State *L)
{
    const char *s = luaL_checkstring(L, 1);
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    mlp_view v;

    if (m == NULL)
        return luaL_error(L, "out of memory");
    mlpi_view_init(&v, m, MLP_VIEW_HTML);
    mlp_view_text(&v, s);
    fclose(m);
    lua_pushlstring(L, buf, len);
    free(buf);
    return 1;
}

/* mp.svg_bars(counts [, labels]): an inline SVG bar chart */
static int l_svg_bars(lua_State *L)
{
    size_t n, len = 0;
    double *counts;
    const char **labels;
    char *buf = NULL;
    FILE *m;
    mlp_view v;

    luaL_checktype(L, 1, LUA_TTABLE);
    if (!lua_isnoneornil(L, 2))
        luaL_checktype(L, 2, LUA_TTABLE);
    n = (size_t)lua_rawlen(L, 1);
    counts = lua_newuserdatauv(L, (n + 1) * sizeof *counts, 0);
    labels = lua_newuserdatauv(L, (n + 1) * sizeof *labels, 0);
    for (size_t i = 0; i < n; i++) {
        lua_rawgeti(L, 1, (lua_Integer)i + 1);
        if (!lua_isnumber(L, -1))
            return luaL_error(L, "mp.svg_bars: counts[%d] is not a number",
                              (int)i + 1);
        counts[i] = lua_tonumber(L, -1);
        lua_pop(L, 1);
        labels[i] = NULL;
        if (lua_istable(L, 2)) {
            lua_rawgeti(L, 2, (lua_Integer)i + 1);
            labels[i] = lua_tostring(L, -1);  /* kept alive by table 2 */
            lua_pop(L, 1);
        }
    }
    m = open_memstream(&buf, &len);
    if (m == NULL)
        return luaL_error(L, "out of memory");
    mlpi_view_init(&v, m, MLP_VIEW_HTML);
    mlp_view_bars(&v, n, counts, labels);
    fclose(m);
    lua_pushlstring(L, buf, len);
    free(buf);
    return 1;
}

void mlpi_lua_open_views(lua_State *L)
{
    lua_pushcfunction(L, l_type);
    lua_setfield(L, -2, "type");
    lua_pushcfunction(L, l_html_escape);
    lua_setfield(L, -2, "html_escape");
    lua_pushcfunction(L, l_svg_bars);
    lua_setfield(L, -2, "svg_bars");
}

int mlpi_lua_view(lua_State *L, int ref, const mlp_artifact *a,
                  mlp_view_kind kind, FILE *out, mlp_error *err)
{
    int top, rc;
    size_t len;
    const char *s;

    if (L == NULL || ref == 0)
        return mlp_error_set(err, MLP_ESTATE, "no Lua view function");
    top = lua_gettop(L);
    lua_pushcfunction(L, mlpi_lua_traceback);
    lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
    mlpi_lua_push_artifact(L, a);
    rc = lua_pcall(L, 1, 2, top + 1);
    if (rc != LUA_OK) {
        rc = mlp_error_set(err, MLP_EPLUGIN, "%s", lua_tostring(L, -1));
    } else if (lua_type(L, -2) != LUA_TSTRING) {
        rc = mlp_error_set(err, MLP_EPLUGIN, "%s", lua_isstring(L, -1)
                           ? lua_tostring(L, -1)
                           : "the view returned no string");
    } else {
        s = lua_tolstring(L, -2, &len);
        if (kind == MLP_VIEW_HTML) {
            fwrite(s, 1, len, out);  /* cleaned by the parent */
        } else {
            /* Text as a C view's: no control sequence reaches the
             * terminal, and a NUL does not cut it short. */
            mlp_view v;
            char *copy = malloc(len + 1);
            for (size_t i = 0; copy != NULL && i < len; i++)
                copy[i] = s[i] == '\0' ? '\x7f' : s[i];
            if (copy != NULL) {
                copy[len] = '\0';
                mlpi_view_init(&v, out, kind);
                mlp_view_puts(&v, copy);
            }
            free(copy);
        }
        rc = MLP_OK;
    }
    lua_settop(L, top);
    return rc;
}
