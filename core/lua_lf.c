/* Labeling functions written in Lua.
 *
 * mp.lf { name, fn, description } registers one: a registry entry of
 * stage "label" that is no node of its own but is named by a component's
 * MLP_PARAM_LFS list (apply_lfs).  mlpi_lua_lf_rows() runs a set of them
 * over a range of rows in this process; core/labeling.c forks one worker
 * per CPU, so each worker has its own copy of the Lua state. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "context_priv.h"
#include "labeling_priv.h"
#include "lua_priv.h"

#define ROW_MT "mlpipe.Row"

/* Its address is mp.ABSTAIN: a value no Lua code can make by accident
 * (nil, -1 or false would all be easy to return by mistake). */
static const char abstain_key = 0;

void mlpi_lua_push_abstain(lua_State *L)
{
    lua_pushlightuserdata(L, (void *)&abstain_key);
}

/* mp.lf { name = "...", fn = function(row) ... end [, description] } */
static int l_lf(lua_State *L)
{
    mlpi_lua_app *app = mlpi_lua_app_get(L);
    mlpi_component *c;
    mlp_error err;
    int rc;

    luaL_checktype(L, 1, LUA_TTABLE);
    mlp_error_clear(&err);
    c = mlpi_lua_component_new(L, app);
    c->is_lf = 1;
    c->c.stage = MLP_STAGE_LABEL;
    c->c.inputs = calloc(1, sizeof *c->c.inputs);
    c->c.outputs = calloc(1, sizeof *c->c.outputs);
    c->c.params = calloc(1, sizeof *c->c.params);
    if (c->c.inputs == NULL || c->c.outputs == NULL || c->c.params == NULL) {
        mlpi_component_free(c);
        return luaL_error(L, "out of memory");
    }
    /* A misspelt key ("descripton", "func") is refused, not ignored. */
    lua_pushnil(L);
    while (lua_next(L, 1) != 0) {
        const char *k = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : NULL;
        lua_pop(L, 1);
        if (k == NULL || (strcmp(k, "name") && strcmp(k, "fn") && strcmp(k, "description"))) {
            mlp_error_set(&err, MLP_EINVAL, "mp.lf: unknown key '%s' (name, fn, description)",
                          k ? k : luaL_typename(L, -1));
            lua_pop(L, 1);
            break;
        }
    }
    if (err.code == MLP_OK)
        c->c.name = mlpi_lua_field_string(L, 1, "name", 1, &err, "mp.lf");
    if (err.code == MLP_OK)
        c->c.description = mlpi_lua_field_string(L, 1, "description", 0, &err, "mp.lf");
    rc = err.code;
    if (rc == MLP_OK && lua_getfield(L, 1, "fn") != LUA_TFUNCTION)
        rc = mlp_error_set(&err, MLP_EINVAL, "mp.lf '%s' needs 'fn', a function(row) "
                           "returning a class or mp.ABSTAIN", c->c.name);
    if (rc == MLP_OK) {
        mlpi_lua_function_hash(L, -1, c->source_hash);
        c->lua_ref = luaL_ref(L, LUA_REGISTRYINDEX);
        c->plugin = mlpi_lua_owner_plugin(app, &err);
        if (c->plugin == NULL)
            rc = err.code ? err.code : MLP_ENOMEM;
    }
    if (rc == MLP_OK) {
        rc = mlpi_registry_add_component(app->reg, c, &err);
        c = NULL;  /* the registry's now, also on failure */
    }
    if (rc != MLP_OK) {
        if (c != NULL) {
            if (c->lua_ref != LUA_NOREF)
                luaL_unref(L, LUA_REGISTRYINDEX, c->lua_ref);
            mlpi_component_free(c);
        }
        return luaL_error(L, "%s", err.msg[0] ? err.msg : "invalid labeling function");
    }
    /* The name, so a script can collect the functions it defined. */
    lua_getfield(L, 1, "name");
    return 1;
}

void mlpi_lua_open_lf(lua_State *L)
{
    lua_pushcfunction(L, l_lf);
    lua_setfield(L, -2, "lf");
    mlpi_lua_push_abstain(L);
    lua_setfield(L, -2, "ABSTAIN");
}

/* --------------------------------------------------------------- rows */

typedef struct lf_row {
    const mlp_table *t;
    size_t row;
} lf_row;

/* row.NAME: upvalue 1 maps column names to 1-based indexes, upvalue 2
 * holds each categorical column's levels as Lua strings (made once, not
 * per row). */
static int row_index(lua_State *L)
{
    lf_row *r = lua_touserdata(L, 1);
    lua_Integer j;
    const mlp_column *c;

    lua_pushvalue(L, 2);
    if (lua_rawget(L, lua_upvalueindex(1)) != LUA_TNUMBER) {
        if (lua_type(L, 2) == LUA_TSTRING)
            return luaL_error(L, "the row has no column '%s'", lua_tostring(L, 2));
        return luaL_error(L, "a row is read by column name (row.x or row[\"x\"]), not by "
                          "a %s", luaL_typename(L, 2));
    }
    j = lua_tointeger(L, -1);
    c = mlp_table_column(r->t, (size_t)j - 1);
    if (mlp_column_is_missing(c, r->row)) {
        lua_pushnil(L);
        return 1;
    }
    switch (c->type) {
    case MLP_COL_NUMERIC: {
        double v = c->ints ? (double)c->ints[r->row] : mlp_column_number(c, r->row);
        if (c->ints)
            lua_pushinteger(L, (lua_Integer)c->ints[r->row]);
        else if (v == floor(v) && fabs(v) < 9007199254740992.0)
            lua_pushinteger(L, (lua_Integer)v);
        else
            lua_pushnumber(L, v);
        break;
    }
    case MLP_COL_CATEGORICAL:
        lua_rawgeti(L, lua_upvalueindex(2), j);
        lua_rawgeti(L, -1, (lua_Integer)c->codes[r->row] + 1);
        break;
    case MLP_COL_STRING: {
        size_t len;
        const char *s = mlp_column_string(c, r->row, &len);
        lua_pushlstring(L, s, len);
        break;
    }
    case MLP_COL_MATRIX:
        lua_createtable(L, (int)c->width, 0);
        for (size_t k = 0; k < c->width; k++) {
            lua_pushnumber(L, c->mat[r->row * c->width + k]);
            lua_rawseti(L, -2, (lua_Integer)k + 1);
        }
        break;
    }
    return 1;
}

static int row_newindex(lua_State *L)
{
    return luaL_error(L, "a row is read-only (assign to a local instead)");
}

/* Pushes the row object for t: one userdata whose row index moves, so a
 * million rows make no garbage.  A function that keeps it sees it move:
 * the docs say to copy values out. */
static lf_row *push_row(lua_State *L, const mlp_table *t)
{
    size_t nc = mlp_table_n_cols(t);
    lf_row *r = lua_newuserdatauv(L, sizeof *r, 0);

    r->t = t;
    r->row = 0;
    lua_createtable(L, 0, 3);
    lua_createtable(L, 0, (int)nc);
    lua_createtable(L, (int)nc, 0);
    for (size_t j = 0; j < nc; j++) {
        const mlp_column *c = mlp_table_column(t, j);
        lua_pushinteger(L, (lua_Integer)j + 1);
        lua_setfield(L, -3, c->name);
        if (c->type == MLP_COL_CATEGORICAL) {
            lua_createtable(L, (int)c->n_levels, 0);
            for (size_t k = 0; k < c->n_levels; k++) {
                size_t len;
                const char *s = mlp_column_level(c, k, &len);
                lua_pushlstring(L, s, len);
                lua_rawseti(L, -2, (lua_Integer)k + 1);
            }
        } else {
            lua_pushboolean(L, 0);
        }
        lua_rawseti(L, -2, (lua_Integer)j + 1);
    }
    lua_pushcclosure(L, row_index, 2);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, row_newindex);
    lua_setfield(L, -2, "__newindex");
    lua_pushstring(L, ROW_MT);
    lua_setfield(L, -2, "__name");
    lua_setmetatable(L, -2);
    return r;
}

/* The class a return value names: its index, MLP_ABSTAIN, or -2 with a
 * description of the value in what. */
static int vote_of(lua_State *L, int idx, int classes, char *what, size_t size)
{
    int type = lua_type(L, idx);

    if (type == LUA_TLIGHTUSERDATA && lua_touserdata(L, idx) == &abstain_key)
        return MLP_ABSTAIN;
    if (type == LUA_TSTRING) {
        lua_pushvalue(L, idx);
    } else if (type == LUA_TNUMBER && lua_isinteger(L, idx)) {
        /* 1 for class "1": classes are names, so a number is its text. */
        lua_pushfstring(L, "%I", (LUAI_UACINT)lua_tointeger(L, idx));
    } else if (type == LUA_TNUMBER && isfinite(lua_tonumber(L, idx))) {
        /* 2.0 names "2" as 2 does; 1.5 names "1.5" (Lua's own %.14g). */
        lua_Number v = lua_tonumber(L, idx);
        char text[64];
        if (v == floor(v) && fabs(v) < 9.2e18)
            snprintf(text, sizeof text, "%lld", (long long)v);
        else
            snprintf(text, sizeof text, "%.14g", v);
        lua_pushstring(L, text);
    } else {
        if (type == LUA_TNUMBER)
            snprintf(what, size, "%s", isnan(lua_tonumber(L, idx)) ? "NaN"
                     : lua_tonumber(L, idx) > 0 ? "inf" : "-inf");
        else
            snprintf(what, size, "%s", type == LUA_TNIL ? "nil (no value)" : luaL_typename(L, idx));
        return -2;
    }
    if (lua_rawget(L, classes) == LUA_TNUMBER) {
        int k = (int)lua_tointeger(L, -1);
        lua_pop(L, 1);
        return k;
    }
    lua_pop(L, 1);
    if (type == LUA_TSTRING)
        snprintf(what, size, "'%.200s'", lua_tostring(L, idx));
    else
        snprintf(what, size, "%s", lua_tostring(L, idx) ? lua_tostring(L, idx) : "?");
    return -2;
}

struct mlpi_lua_lf {
    lua_State *L;
    int top, fns, classes, rowi;
    lf_row *row;
};

int mlpi_lua_lf_begin(const mlpi_lf_job *job, mlpi_lua_lf **out)
{
    mlpi_lua_lf *s = calloc(1, sizeof *s);
    lua_State *L = NULL;

    for (size_t j = 0; j < job->n_lfs && L == NULL; j++)
        if (job->lfs[j]->lua_ref >= 0)
            L = job->lfs[j]->L;
    *out = s;
    if (s == NULL)
        return MLP_ENOMEM;
    s->L = L;
    if (L == NULL)
        return MLP_OK;  /* C labeling functions only */
    s->top = lua_gettop(L);
    /* A stack slot per LF, and room for the calls: checked, never assumed. */
    if (job->n_lfs > 1000000 || !lua_checkstack(L, (int)job->n_lfs + 16))
        return MLP_ENOMEM;
    lua_gc(L, LUA_GCGEN, 0, 0);
    s->fns = s->top + 1;
    for (size_t j = 0; j < job->n_lfs; j++) {
        if (job->lfs[j]->lua_ref >= 0)
            lua_rawgeti(L, LUA_REGISTRYINDEX, job->lfs[j]->lua_ref);
        else
            lua_pushnil(L);
    }
    lua_createtable(L, 0, (int)job->k);
    s->classes = lua_gettop(L);
    for (size_t c = 0; c < job->k; c++) {
        lua_pushinteger(L, (lua_Integer)c);
        lua_setfield(L, s->classes, job->classes[c]);
    }
    s->row = push_row(L, job->t);
    s->rowi = lua_gettop(L);
    return MLP_OK;
}

int mlpi_lua_lf_call(mlpi_lua_lf *s, size_t j, size_t row, int *vote, char *msg, size_t size)
{
    lua_State *L = s->L;
    char what[256];
    int v;

    s->row->row = row;
    lua_pushvalue(L, s->fns + (int)j);
    lua_pushvalue(L, s->rowi);
    if (lua_pcall(L, 1, 1, 0) != LUA_OK) {
        snprintf(msg, size, "%s", lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1)
                 : "(the error value is not a string)");
        lua_pop(L, 1);
        return 1;
    }
    v = vote_of(L, -1, s->classes, what, sizeof what);
    lua_pop(L, 1);
    if (v == -2) {
        snprintf(msg, size, "returned %s", what);
        return 2;
    }
    *vote = v;
    return 0;
}

void mlpi_lua_lf_end(mlpi_lua_lf *s)
{
    if (s != NULL && s->L != NULL)
        lua_settop(s->L, s->top);
    free(s);
}
