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
#define MAX_BYTES ((size_t)256 << 20)

typedef struct budget {
    long left;              /* instructions left for this row */
    size_t bytes;           /* held by the state */
} budget;

/* The state's allocator: at most MAX_BYTES, so a mapper that builds huge
 * strings fails its row ("not enough memory") instead of taking the
 * machine's memory -- work inside a library call is not counted by the
 * instruction hook. */
static void *limited_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    budget *b = ud;
    if (ptr == NULL)
        osize = 0;
    if (nsize == 0) {
        b->bytes -= osize;
        mlp_free(ptr);
        return NULL;
    }
    if (nsize > osize && b->bytes + (nsize - osize) > MAX_BYTES)
        return NULL;
    void *p = mlp_realloc(ptr, nsize);
    if (p != NULL)
        b->bytes = b->bytes - osize + nsize;
    return p;
}

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

/* The error value on top of the stack as text: error() may raise a table
 * or nil, which lua_tostring cannot show (and a __tostring metamethod is
 * not run here, outside a protected call). */
static const char *error_text(lua_State *L)
{
    if (lua_type(L, -1) == LUA_TSTRING || lua_type(L, -1) == LUA_TNUMBER)
        return lua_tostring(L, -1);
    lua_pushfstring(L, "an error value that is %s, not a message", luaL_typename(L, -1));
    return lua_tostring(L, -1);
}

static int refuse_write(lua_State *L)
{
    return luaL_error(L, "the libraries are read-only in a mapper (setting '%s')",
                      lua_tostring(L, 2));
}

/* The state lives for a row group, so anything a mapper could change in it
 * would carry from one row to the next, and a row would get other features
 * alone (serving) than after its neighbours (a batch).  Each library is
 * seen through an empty table that refuses writes; metatables are locked,
 * and rawset and _G are gone (dropped above), so no path reaches a table
 * that outlives the row. */
static void read_only_libraries(lua_State *L)
{
    static const char *const names[] = { LUA_STRLIBNAME, LUA_MATHLIBNAME,
                                         LUA_TABLIBNAME, LUA_UTF8LIBNAME, NULL };
    for (int i = 0; names[i]; i++) {
        lua_newtable(L);                     /* the view */
        lua_createtable(L, 0, 3);            /* its metatable */
        lua_getglobal(L, names[i]);
        lua_setfield(L, -2, "__index");
        lua_pushcfunction(L, refuse_write);
        lua_setfield(L, -2, "__newindex");
        lua_pushboolean(L, 0);
        lua_setfield(L, -2, "__metatable");
        lua_setmetatable(L, -2);
        lua_setglobal(L, names[i]);
    }
    lua_pushliteral(L, "");
    if (lua_getmetatable(L, -1)) {           /* strings' methods: ("x"):upper() */
        lua_pushboolean(L, 0);
        lua_setfield(L, -2, "__metatable");
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
}

/* Pushes a fresh environment that reads the globals (at index globals)
 * and has nothing of its own: what a chunk or a mapper assigns lands here
 * and is gone with it. */
static void push_fresh_env(lua_State *L, int globals)
{
    lua_createtable(L, 0, 0);
    lua_createtable(L, 0, 2);
    lua_pushvalue(L, globals);
    lua_setfield(L, -2, "__index");
    lua_pushboolean(L, 0);              /* getmetatable(_ENV) reaches nothing */
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, -2);
}

/* What the base library would let vary between two runs of the same row:
 * pairs() walks string keys in an order Lua seeds at random per state, so
 * it is replaced by a walk in key order (numbers, then strings, then
 * booleans; other keys have no order and are refused), and next() goes;
 * tostring() and string.format("%p") would show addresses; a __gc
 * finalizer runs with the instruction hook off, so it could loop for
 * ever -- setmetatable refuses one. */
static const char prelude[] =
    "local next, type, sort, rawget, setmt, tostr, fmt, find, error = "
    "  next, type, table.sort, rawget, setmetatable, tostring, string.format, "
    "  string.find, error\n"
    "local rank = { number = 1, string = 2, boolean = 3 }\n"
    "local function before(a, b)\n"
    "  local ra, rb = rank[type(a)], rank[type(b)]\n"
    "  if ra ~= rb then return ra < rb end\n"
    "  if ra == 3 then return not a and b end\n"
    "  return a < b\n"
    "end\n"
    "pairs = function(t)\n"
    "  local keys = {}\n"
    "  for k in next, t do\n"
    "    if not rank[type(k)] then\n"
    "      error('pairs: keys of type ' .. type(k) .. ' have no fixed order', 2)\n"
    "    end\n"
    "    keys[#keys + 1] = k\n"
    "  end\n"
    "  sort(keys, before)\n"
    "  local i = 0\n"
    "  return function()\n"
    "    i = i + 1\n"
    "    local k = keys[i]\n"
    "    if k ~= nil then return k, t[k] end\n"
    "  end, t, nil\n"
    "end\n"
    "_ENV.next = nil\n"
    "tostring = function(v)\n"
    "  local t = type(v)\n"
    "  if t == 'table' or t == 'function' or t == 'thread' or t == 'userdata' then\n"
    "    return t\n"
    "  end\n"
    "  return tostr(v)\n"
    "end\n"
    "string.format = function(f, ...)\n"
    "  if type(f) == 'string' and find(f, '%%[-+ #0]*%d*%.?%d*p') then\n"
    "    error('string.format: %p would show an address', 2)\n"
    "  end\n"
    "  return fmt(f, ...)\n"
    "end\n"
    "setmetatable = function(t, mt)\n"
    "  if type(mt) == 'table' and rawget(mt, '__gc') ~= nil then\n"
    "    error('setmetatable: a mapper has no finalizers (__gc)', 2)\n"
    "  end\n"
    "  return setmt(t, mt)\n"
    "end\n";

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
                                             "print", "collectgarbage", "rawset",
                                             "_G", NULL };
    lua_State *L;

    b->bytes = 0;
    L = lua_newstate(limited_alloc, b);
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
    if (luaL_loadbufferx(L, prelude, sizeof prelude - 1, "=prelude", "t") != LUA_OK ||
        lua_pcall(L, 0, 0, 0) != LUA_OK) {
        mlp_error_set(err, MLP_ENOMEM, "%s: step %zu: lua mapper '%s': the sandbox "
                      "could not be set up (%s)", where, si + 1, st->name, error_text(L));
        lua_close(L);
        return NULL;
    }
    read_only_libraries(L);
    b->left = MAX_STEPS;
    lua_pushlightuserdata(L, b);
    lua_setfield(L, LUA_REGISTRYINDEX, "mlpipe.budget");
    lua_sethook(L, count_hook, LUA_MASKCOUNT, HOOK_EVERY);
    /* The check run has an environment of its own too, so that what the
     * chunk sets at its top level (cache = cache or {}) is not left in the
     * globals every row reads. */
    int ok = luaL_loadbufferx(L, st->source, strlen(st->source), "=source", "t") == LUA_OK;
    if (ok) {
        lua_pushglobaltable(L);
        push_fresh_env(L, lua_gettop(L));
        lua_remove(L, -2);
        lua_setupvalue(L, -2, 1);
        ok = lua_pcall(L, 0, 1, 0) == LUA_OK;
    }
    if (!ok) {
        mlp_error_set(err, MLP_EFORMAT, "%s: step %zu: lua mapper '%s': %s", where,
                      si + 1, st->name, error_text(L));
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

/* The row table's __index: an input of the mapper that is missing reads
 * as nil; any other name is a mistake, not a missing value. */
static int row_index(lua_State *L)
{
    lua_pushvalue(L, 2);
    if (lua_rawget(L, lua_upvalueindex(1)) != LUA_TNIL)
        return lua_pushnil(L), 1;
    return luaL_error(L, "the row has no input '%s' (the mapper's inputs are "
                      "the columns it lists)", lua_tostring(L, 2));
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
    lua_pop(L, 1); /* the first run's function: every row gets its own */
    if (luaL_loadbufferx(L, st->source, strlen(st->source), "=source", "t") != LUA_OK) {
        rc = mlp_error_set(err, MLP_EFORMAT, "lua mapper '%s': %s", st->name,
                           error_text(L));
        lua_close(L);
        return rc;
    }
    int chunk = lua_gettop(L);
    /* The inputs' names, for the row's __index. */
    lua_createtable(L, 0, (int)st->n_in);
    for (size_t i = 0; i < st->n_in; i++) {
        lua_pushboolean(L, 1);
        lua_setfield(L, -2, g->work[st->in[i]]);
    }
    int names = lua_gettop(L);
    lua_pushglobaltable(L);
    int globals = lua_gettop(L);
    for (size_t r = 0; r < n && rc == MLP_OK; r++) {
        /* A fresh environment reading the libraries, and the chunk run
         * again: nothing a mapper keeps (a local counter, a global) lives
         * from one row to the next, so a row's features never depend on
         * the rows before it. */
        push_fresh_env(L, globals);
        lua_pushvalue(L, chunk);
        lua_pushvalue(L, -2);
        lua_setupvalue(L, -2, 1);
        /* Each row its full budget: setting the hook again also restarts
         * its count, which would otherwise carry over from the row before. */
        b.left = MAX_STEPS;
        lua_sethook(L, count_hook, LUA_MASKCOUNT, HOOK_EVERY);
        if (lua_pcall(L, 0, 1, 0) != LUA_OK) {
            rc = mlp_error_set(err, MLP_EINVAL, "lua mapper '%s', row %zu: %s", st->name,
                               tg_row(run, r), error_text(L));
            break;
        }
        if (!lua_isfunction(L, -1)) {
            rc = mlp_error_set(err, MLP_EINVAL, "lua mapper '%s', row %zu: the source "
                               "returned a %s, not a function of the row", st->name,
                               tg_row(run, r), luaL_typename(L, -1));
            break;
        }
        lua_createtable(L, 0, (int)st->n_in);
        lua_createtable(L, 0, 1);
        lua_pushvalue(L, names);
        lua_pushcclosure(L, row_index, 1);
        lua_setfield(L, -2, "__index");
        lua_setmetatable(L, -2);
        for (size_t i = 0; i < st->n_in; i++) {
            size_t c = st->in[i], len;
            const mlp_column *raw = run->raw[c];
            if (raw == NULL || raw->type == MLP_COL_NUMERIC) {
                double v = tg_num(run, c, r);
                int64_t exact;
                if (isnan(v))
                    continue;
                /* An id beyond 2^53 as a Lua integer, exact. */
                if (tg_exact_int(run, c, r, &exact))
                    lua_pushinteger(L, (lua_Integer)exact);
                else
                    lua_pushnumber(L, v);
            } else {
                const char *s = tg_key(run, c, r, buf, sizeof buf, &len);
                if (s == NULL)
                    continue;
                lua_pushlstring(L, s, len);
            }
            lua_setfield(L, -2, g->work[c]);
        }
        int base = lua_gettop(L) - 2; /* below the function and the row */
        if (lua_pcall(L, 1, LUA_MULTRET, 0) != LUA_OK) {
            rc = mlp_error_set(err, MLP_EINVAL, "lua mapper '%s', row %zu: %s", st->name,
                               tg_row(run, r), error_text(L));
            break;
        }
        int got = lua_gettop(L) - base;
        if (got != (int)st->n_out) {
            rc = mlp_error_set(err, MLP_EINVAL, "lua mapper '%s', row %zu: returned %d "
                               "value%s for %zu output%s", st->name, tg_row(run, r), got,
                               got == 1 ? "" : "s", st->n_out, st->n_out == 1 ? "" : "s");
            break;
        }
        for (size_t o = 0; o < st->n_out; o++) {
            int at = base + 1 + (int)o;
            if (lua_isnil(L, at)) {
                run->num[st->out[o]][r] = NAN;
            } else if (lua_type(L, at) == LUA_TNUMBER && isfinite(lua_tonumber(L, at))) {
                run->num[st->out[o]][r] = lua_tonumber(L, at);
            } else {
                rc = mlp_error_set(err, MLP_EINVAL, "lua mapper '%s', row %zu: output "
                                   "'%s' is %s; a mapper returns finite numbers (or nil "
                                   "for missing)", st->name, tg_row(run, r), g->work[st->out[o]],
                                   lua_type(L, at) == LUA_TNUMBER ? "not finite"
                                   : luaL_typename(L, at));
                break;
            }
        }
        lua_settop(L, globals);
    }
    lua_close(L);
    return rc;
}
