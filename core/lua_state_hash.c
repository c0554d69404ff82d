/* What a Lua component's results can depend on besides its source file:
 * the values its run function captured (upvalues, followed into the
 * functions it calls), the script's arguments when it is defined in a
 * pipeline script, and the Lua modules the script loaded with require().
 * All of it goes into the execution's fingerprint, so
 *
 *     local factor = tonumber(arg[1])
 *     mp.component { ..., run = function(ctx) ... factor ... end }
 *
 * is not served from the cache when the script runs with another argument,
 * and editing a helper module re-runs the components of the script. */
#include <stdio.h>
#include <string.h>

#include <lauxlib.h>
#include <xxhash.h>

#include "lua_priv.h"

typedef struct feed {
    XXH3_state_t *st;
    int depth;
} feed;

static void put(feed *f, const char *s, size_t n)
{
    XXH3_128bits_update(f->st, s, n);
}

static void puts_(feed *f, const char *s)
{
    put(f, s, strlen(s) + 1);
}

static void value(lua_State *L, int idx, feed *f);

/* Keys in a fixed order: a table's iteration order is not. */
static int key_order(lua_State *L)
{
    int ta = lua_type(L, 1), tb = lua_type(L, 2);

    if (ta != tb)
        lua_pushboolean(L, ta < tb);
    else if (ta == LUA_TNUMBER || ta == LUA_TSTRING)
        lua_pushboolean(L, lua_compare(L, 1, 2, LUA_OPLT));
    else
        lua_pushboolean(L, 0);
    return 1;
}

static void table(lua_State *L, int idx, feed *f)
{
    int keys, n;

    idx = lua_absindex(L, idx);
    /* Collect the keys, sort them, then feed key and value pairs. */
    lua_newtable(L);
    keys = lua_gettop(L);
    n = 0;
    lua_pushnil(L);
    while (lua_next(L, idx) != 0) {
        lua_pop(L, 1);
        lua_pushvalue(L, -1);
        lua_rawseti(L, keys, ++n);
    }
    lua_getglobal(L, "table");
    lua_getfield(L, -1, "sort");
    lua_remove(L, -2);
    if (lua_isfunction(L, -1)) {
        lua_pushvalue(L, keys);
        lua_pushcfunction(L, key_order);
        if (lua_pcall(L, 2, 0, 0) != LUA_OK)
            lua_pop(L, 1);
    } else {
        lua_pop(L, 1);
    }
    puts_(f, "{");
    for (int i = 1; i <= n; i++) {
        lua_rawgeti(L, keys, i);
        value(L, -1, f);
        lua_gettable(L, idx);
        value(L, -1, f);
        lua_pop(L, 1);
    }
    puts_(f, "}");
    lua_pop(L, 1);
}

static void function(lua_State *L, int idx, feed *f)
{
    lua_Debug ar;
    char where[512];

    idx = lua_absindex(L, idx);
    lua_pushvalue(L, idx);
    lua_getinfo(L, ">S", &ar);
    snprintf(where, sizeof where, "fn %s:%d", ar.short_src, ar.linedefined);
    puts_(f, where);
    for (int i = 1;; i++) {
        const char *name = lua_getupvalue(L, idx, i);
        if (name == NULL)
            break;
        /* The globals table is the script's whole world, not a value. */
        if (strcmp(name, "_ENV") != 0) {
            puts_(f, name);
            value(L, -1, f);
        }
        lua_pop(L, 1);
    }
}

static void value(lua_State *L, int idx, feed *f)
{
    char buf[64];

    if (f->depth > 16) {
        puts_(f, "...");
        return;
    }
    f->depth++;
    switch (lua_type(L, idx)) {
    case LUA_TNIL:
        puts_(f, "nil");
        break;
    case LUA_TBOOLEAN:
        puts_(f, lua_toboolean(L, idx) ? "true" : "false");
        break;
    case LUA_TNUMBER:
        if (lua_isinteger(L, idx))
            snprintf(buf, sizeof buf, "i%lld", (long long)lua_tointeger(L, idx));
        else
            snprintf(buf, sizeof buf, "f%.17g", lua_tonumber(L, idx));
        puts_(f, buf);
        break;
    case LUA_TSTRING: {
        size_t n;
        const char *s = lua_tolstring(L, idx, &n);
        /* With its length: a string may hold anything, NUL included, so
         * only a length keeps it from running into what follows. */
        snprintf(buf, sizeof buf, "s%zu:", n);
        puts_(f, buf);
        put(f, s, n);
        break;
    }
    case LUA_TTABLE:
        table(L, idx, f);
        break;
    case LUA_TFUNCTION:
        if (lua_iscfunction(L, idx))
            puts_(f, "cfunction");
        else
            function(L, idx, f);
        break;
    default:
        puts_(f, luaL_typename(L, idx));
    }
    f->depth--;
}

/* Source files of the modules require() loaded from package.path. */
static void modules(lua_State *L, feed *f)
{
    int loaded, n = 0;

    lua_getfield(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
    loaded = lua_gettop(L);
    lua_newtable(L);
    lua_pushnil(L);
    while (lua_next(L, loaded) != 0) {
        lua_pop(L, 1);
        if (lua_type(L, -1) == LUA_TSTRING) {
            lua_pushvalue(L, -1);
            lua_rawseti(L, -3, ++n);
        }
    }
    lua_getglobal(L, "table");
    lua_getfield(L, -1, "sort");
    lua_remove(L, -2);
    lua_pushvalue(L, -2);
    if (lua_pcall(L, 1, 0, 0) != LUA_OK)
        lua_pop(L, 1);
    for (int i = 1; i <= n; i++) {
        lua_getglobal(L, "package");
        lua_getfield(L, -1, "searchpath");
        lua_rawgeti(L, -3, i);
        lua_getfield(L, -3, "path");
        if (lua_isfunction(L, -3) && lua_pcall(L, 2, 1, 0) == LUA_OK &&
            lua_isstring(L, -1)) {
            char hash[MLPI_HASH_HEX];
            if (mlpi_hash_file(lua_tostring(L, -1), hash, NULL) == MLP_OK)
                puts_(f, hash);
        }
        lua_settop(L, loaded + 1);
    }
    lua_settop(L, loaded - 1);
}

void mlpi_lua_component_state(const mlpi_component *c, char out[MLPI_HASH_HEX])
{
    lua_State *L = c->L;
    int top = lua_gettop(L);
    feed f = { XXH3_createState(), 0 };
    XXH128_hash_t h;

    if (f.st == NULL) {
        snprintf(out, MLPI_HASH_HEX, "%s", "unhashed");
        return;
    }
    XXH3_128bits_reset(f.st);
    lua_rawgeti(L, LUA_REGISTRYINDEX, c->lua_ref);
    value(L, -1, &f);
    /* Arguments of the script that defined it (plugin files have none). */
    if (c->plugin != NULL && c->plugin->dir_index == (size_t)-1) {
        lua_getglobal(L, "arg");
        value(L, -1, &f);
    }
    modules(L, &f);
    lua_settop(L, top);
    h = XXH3_128bits_digest(f.st);
    XXH3_freeState(f.st);
    snprintf(out, MLPI_HASH_HEX, "%016llx%016llx", (unsigned long long)h.high64,
             (unsigned long long)h.low64);
}
