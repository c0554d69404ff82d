/* Lua mappers in a transform graph: a chunk that returns a function of
 * one row (a table of the step's inputs: numbers, strings, nil where
 * missing) returning one number (or nil) per output.  The mapper travels
 * inside the graph, so it runs wherever the graph runs.  It runs in a
 * state of its own with the base, string, math, table and utf8 libraries
 * only: no files, no clock, no randomness, nothing that could make the
 * same row give other features elsewhere; and at most MAX_STEPS Lua
 * instructions a row, so a loop that never ends fails the row instead of
 * hanging the run. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include <mlpipe/memory.h>

#include "tgraph_priv.h"

enum { MAX_STEPS = 10000000, HOOK_EVERY = 10000 };

typedef struct budget {
    long left;
} budget;

static void count_hook(lua_State *L, lua_Debug *ar)
{
    budget *b;
    (void)ar;
    lua_getfield(L, LUA_REGISTRYINDEX, "mlpipe.budget");
    b = lua_touserdata(L, -1);
    lua_pop(L, 1);
    if (b && (b->left -= HOOK_EVERY) < 0)
        luaL_error(L, "more than %d Lua instructions for one row", MAX_STEPS);
}

/* A sandboxed state with the mapper's function on top of the stack, or
 * NULL with err filled. */
static lua_State *mapper_state(const tg_step *st, const char *where, size_t si,
                               budget *b, mlp_error *err)
{
    static const luaL_Reg libs[] = {
        { LUA_GNAME, luaopen_base }, { LUA_STRLIBNAME, luaopen_string },
        { LUA_MATHLIBNAME, luaopen_math }, { LUA_TABLIBNAME, luaopen_table },
        { LUA_UTF8LIBNAME, luaopen_utf8 }, { NULL, NULL }
    };
    static const char *const drop_base[] = { "dofile", "loadfile", "load", "require",
                                             "print", "collectgarbage", NULL };
    lua_State *L = luaL_newstate();

    if (L == NULL) {
        mlp_error_set(err, MLP_ENOMEM, "out of memory");
        return NULL;
    }
    for (const luaL_Reg *l = libs; l->func; l++) {
        luaL_requiref(L, l->name, l->func, 1);
        lua_pop(L, 1);
    }
    for (int i = 0; drop_base[i]; i++) {
        lua_pushnil(L);
        lua_setglobal(L, drop_base[i]);
    }
    lua_getglobal(L, "math");
    lua_pushnil(L);
    lua_setfield(L, -2, "random");
    lua_pushnil(L);
    lua_setfield(L, -2, "randomseed");
    lua_pop(L, 1);
    b->left = MAX_STEPS;
    lua_pushlightuserdata(L, b);
    lua_setfield(L, LUA_REGISTRYINDEX, "mlpipe.budget");
    lua_sethook(L, count_hook, LUA_MASKCOUNT, HOOK_EVERY);
    if (luaL_loadbufferx(L, st->source, strlen(st->source), "=source", "t") != LUA_OK ||
        lua_pcall(L, 0, 1, 0) != LUA_OK) {
        mlp_error_set(err, MLP_EFORMAT, "%s: step %zu: lua mapper '%s': %s", where,
                      si + 1, st->name, lua_tostring(L, -1));
        lua_close(L);
        return NULL;
    }
    if (!lua_isfunction(L, -1)) {
        mlp_error_set(err, MLP_EFORMAT, "%s: step %zu: lua mapper '%s' must return a "
                      "function of the row (return function(row) ... end), not a %s",
                      where, si + 1, st->name, luaL_typename(L, -1));
        lua_close(L);
        return NULL;
    }
    return L;
}

int tg_lua_check(const mlp_tgraph *g, const tg_step *st, const char *where, size_t si,
                 mlp_error *err)
{
    budget b;
    lua_State *L;

    (void)g;
    if (!*st->name || !*st->source)
        return mlp_error_set(err, MLP_EFORMAT, "%s: step %zu: a lua step needs a name "
                             "and its source", where, si + 1);
    L = mapper_state(st, where, si, &b, err);
    if (L == NULL)
        return err ? err->code : MLP_EFORMAT;
    lua_close(L);
    return MLP_OK;
}

int tg_lua_apply(const mlp_tgraph *g, tg_run *run, const tg_step *st, size_t n,
                 mlp_error *err)
{
    budget b;
    lua_State *L = mapper_state(st, "transform graph", (size_t)(st - g->steps), &b, err);
    char buf[64];
    int rc = MLP_OK;

    if (L == NULL)
        return err ? err->code : MLP_EFORMAT;
    int fn = lua_gettop(L);
    lua_createtable(L, 0, (int)st->n_in);
    int row = lua_gettop(L);
    for (size_t r = 0; r < n && rc == MLP_OK; r++) {
        for (size_t i = 0; i < st->n_in; i++) {
            size_t c = st->in[i], len;
            const mlp_column *raw = run->raw[c];
            if (raw == NULL || raw->type == MLP_COL_NUMERIC) {
                double v = tg_num(run, c, r);
                if (isnan(v))
                    lua_pushnil(L);
                else
                    lua_pushnumber(L, v);
            } else {
                const char *s = tg_key(run, c, r, buf, sizeof buf, &len);
                if (s == NULL)
                    lua_pushnil(L);
                else
                    lua_pushlstring(L, s, len);
            }
            lua_setfield(L, row, g->work[c]);
        }
        b.left = MAX_STEPS;
        lua_pushvalue(L, fn);
        lua_pushvalue(L, row);
        if (lua_pcall(L, 1, (int)st->n_out, 0) != LUA_OK) {
            rc = mlp_error_set(err, MLP_EINVAL, "lua mapper '%s', row %zu: %s", st->name,
                               r + 1, lua_tostring(L, -1));
            break;
        }
        for (size_t o = 0; o < st->n_out; o++) {
            int at = -(int)st->n_out + (int)o;
            if (lua_isnil(L, at)) {
                run->num[st->out[o]][r] = NAN;
            } else if (lua_type(L, at) == LUA_TNUMBER) {
                run->num[st->out[o]][r] = lua_tonumber(L, at);
            } else {
                rc = mlp_error_set(err, MLP_EINVAL, "lua mapper '%s', row %zu: output "
                                   "'%s' is a %s; a mapper returns numbers (or nil "
                                   "for missing)", st->name, r + 1,
                                   g->work[st->out[o]], luaL_typename(L, at));
                break;
            }
        }
        lua_settop(L, row);
    }
    lua_close(L);
    return rc;
}
