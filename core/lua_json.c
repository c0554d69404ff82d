/* Converting between Lua values and JSON (cJSON) for parameters, properties
 * and results. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <mlpipe/json.h>

#include "lua_priv.h"

void mlpi_lua_where(lua_State *L, int level, char *buf, size_t size)
{
    lua_Debug ar;

    if (lua_getstack(L, level, &ar) && lua_getinfo(L, "Sl", &ar) &&
        ar.currentline > 0) {
        snprintf(buf, size, "%s:%d", ar.short_src, ar.currentline);
        return;
    }
    snprintf(buf, size, "?");
}

/* A table is a sequence when its keys are exactly 1..n. */
static int is_sequence(lua_State *L, int idx, size_t *n)
{
    size_t count = 0;
    lua_Integer max = 0;

    lua_pushnil(L);
    while (lua_next(L, idx) != 0) {
        lua_pop(L, 1);
        if (!lua_isinteger(L, -1)) {
            lua_pop(L, 1);
            return 0;
        }
        lua_Integer k = lua_tointeger(L, -1);
        if (k < 1) {
            lua_pop(L, 1);
            return 0;
        }
        if (k > max)
            max = k;
        count++;
    }
    *n = count;
    return (lua_Integer)count == max;
}

static cJSON *convert(lua_State *L, int idx, const char *what, int as_object,
                      int depth, mlp_error *err)
{
    cJSON *out;
    size_t n;

    idx = lua_absindex(L, idx);
    if (depth > 32) {
        mlp_error_set(err, MLP_EINVAL, "%s nests too deeply (a cycle?)", what);
        return NULL;
    }
    switch (lua_type(L, idx)) {
    case LUA_TNIL:
        return cJSON_CreateNull();
    case LUA_TBOOLEAN:
        return cJSON_CreateBool(lua_toboolean(L, idx));
    case LUA_TNUMBER:
        if (lua_isinteger(L, idx))
            return mlp_json_int((int64_t)lua_tointeger(L, idx));
        if (!isfinite(lua_tonumber(L, idx))) {
            mlp_error_set(err, MLP_EINVAL, "%s is not a finite number", what);
            return NULL;
        }
        return cJSON_CreateNumber(lua_tonumber(L, idx));
    case LUA_TSTRING: {
        /* JSON text cannot hold a NUL here: refuse rather than cut. */
        size_t n;
        const char *str = lua_tolstring(L, idx, &n);
        if (strlen(str) != n) {
            mlp_error_set(err, MLP_EINVAL, "%s holds a NUL byte (at byte %zu), "
                          "which cannot be passed on", what, strlen(str) + 1);
            return NULL;
        }
        return cJSON_CreateString(str);
    }
    case LUA_TTABLE:
        break;
    default:
        mlp_error_set(err, MLP_EINVAL, "%s cannot be a %s", what,
                      luaL_typename(L, idx));
        return NULL;
    }
    if (!as_object && is_sequence(L, idx, &n)) {
        out = cJSON_CreateArray();
        for (size_t i = 1; out && i <= n; i++) {
            char sub[256];
            cJSON *c;
            snprintf(sub, sizeof sub, "%s[%zu]", what, i);
            lua_rawgeti(L, idx, (lua_Integer)i);
            c = convert(L, -1, sub, 0, depth + 1, err);
            lua_pop(L, 1);
            if (c == NULL) {
                cJSON_Delete(out);
                return NULL;
            }
            cJSON_AddItemToArray(out, c);
        }
        return out;
    }
    out = cJSON_CreateObject();
    lua_pushnil(L);
    while (out && lua_next(L, idx) != 0) {
        char sub[256];
        cJSON *c;
        if (lua_type(L, -2) != LUA_TSTRING) {
            /* A parameter that takes a table of named keys, given a list. */
            size_t len;
            if (as_object && is_sequence(L, idx, &len))
                mlp_error_set(err, MLP_EINVAL, "%s must be a table with named keys "
                              "(key = value), got a list", what);
            else
                mlp_error_set(err, MLP_EINVAL, "%s mixes list items and named keys",
                              what);
            lua_pop(L, 2);
            cJSON_Delete(out);
            return NULL;
        }
        snprintf(sub, sizeof sub, "%s.%s", what, lua_tostring(L, -2));
        c = convert(L, -1, sub, 0, depth + 1, err);
        if (c == NULL) {
            lua_pop(L, 2);
            cJSON_Delete(out);
            return NULL;
        }
        cJSON_AddItemToObject(out, lua_tostring(L, -2), c);
        lua_pop(L, 1);
    }
    return out;
}

cJSON *mlpi_lua_to_json(lua_State *L, int idx, const char *what, int as_object,
                        mlp_error *err)
{
    return convert(L, idx, what, as_object, 0, err);
}

void mlpi_json_to_lua(lua_State *L, const cJSON *v)
{
    const cJSON *c;

    if (v == NULL || cJSON_IsNull(v)) {
        lua_pushnil(L);
    } else if (cJSON_IsBool(v)) {
        lua_pushboolean(L, cJSON_IsTrue(v));
    } else if (cJSON_IsNumber(v)) {
        int64_t i;
        if (mlp_json_get_int(v, &i) == MLP_OK)
            lua_pushinteger(L, (lua_Integer)i);
        else
            lua_pushnumber(L, v->valuedouble);
    } else if (cJSON_IsString(v)) {
        lua_pushstring(L, v->valuestring);
    } else if (cJSON_IsArray(v)) {
        lua_Integer i = 1;
        lua_createtable(L, cJSON_GetArraySize(v), 0);
        cJSON_ArrayForEach(c, v) {
            mlpi_json_to_lua(L, c);
            lua_rawseti(L, -2, i++);
        }
    } else {
        lua_newtable(L);
        cJSON_ArrayForEach(c, v) {
            mlpi_json_to_lua(L, c);
            lua_setfield(L, -2, c->string);
        }
    }
}
