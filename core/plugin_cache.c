/* The registry cache (see plugin_cache.h). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <mlpipe/json.h>
#include <mlpipe/log.h>
#include <mlpipe/memory.h>

#include "config.h"
#include "plugin_cache.h"

/* Bumped whenever the shape of an entry or of a scan result changes. */
#define CACHE_FORMAT 1

struct mlpi_plugin_cache {
    char path[4096];        /* "" when there is no cache to keep */
    char base[4096];        /* must exist: we create below it, never it */
    cJSON *root;            /* { format, library, entries: { path: entry } } */
    cJSON *entries;
    int dirty;
};

static int cache_path(char *out, char *base, size_t size)
{
    const char *env = getenv("MLPIPE_REGISTRY");
    const char *xdg = getenv("XDG_CACHE_HOME");
    const char *home = getenv("HOME");
    int n;

    if (env != NULL) {
        const char *slash = strrchr(env, '/');
        n = snprintf(out, size, "%s", env);
        snprintf(base, size, "%.*s", slash ? (int)(slash - env) : 1,
                 slash ? env : ".");
    } else if (xdg != NULL && xdg[0] == '/') {
        /* The XDG spec has us create its directory when it is missing. */
        n = snprintf(out, size, "%s/mlpipe/registry.json", xdg);
        snprintf(base, size, "/");
    } else if (home != NULL && home[0] == '/') {
        n = snprintf(out, size, "%s/.cache/mlpipe/registry.json", home);
        snprintf(base, size, "%s", home);
    } else {
        n = 0;
    }
    if (n <= 0 || (size_t)n >= size) {
        out[0] = '\0';
        return 0;
    }
    return 1;
}

static cJSON *id_json(const mlpi_file_id *id)
{
    cJSON *a = cJSON_CreateArray();

    cJSON_AddItemToArray(a, mlp_json_int(id->dev));
    cJSON_AddItemToArray(a, mlp_json_int(id->ino));
    cJSON_AddItemToArray(a, mlp_json_int(id->size));
    cJSON_AddItemToArray(a, mlp_json_int(id->mtime_ns));
    cJSON_AddItemToArray(a, mlp_json_int(id->ctime_ns));
    return a;
}

static int id_matches(const cJSON *a, const mlpi_file_id *id)
{
    int64_t want[5] = { id->dev, id->ino, id->size, id->mtime_ns, id->ctime_ns };
    const cJSON *v;
    int i = 0;

    if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) != 5)
        return 0;
    cJSON_ArrayForEach(v, a) {
        int64_t got;
        if (mlp_json_get_int(v, &got) != MLP_OK || got != want[i++])
            return 0;
    }
    return 1;
}

/* Which libmlpipe made the entries: a rebuilt or upgraded library may
 * check plugins differently, so its entries are not reused. */
static cJSON *library_id(void)
{
    Dl_info info;
    mlpi_file_id id;
    mlp_error err;

    if (dladdr((void *)mlpi_plugin_cache_open, &info) == 0 ||
        info.dli_fname == NULL ||
        mlpi_file_id_of(info.dli_fname, &id, &err) != MLP_OK)
        return cJSON_CreateString(PACKAGE_VERSION);
    return id_json(&id);
}

mlpi_plugin_cache *mlpi_plugin_cache_open(void)
{
    mlpi_plugin_cache *c = calloc(1, sizeof *c);
    cJSON *old = NULL, *lib;
    mlp_error err;

    if (c == NULL)
        return NULL;
    lib = library_id();
    if (cache_path(c->path, c->base, sizeof c->path) &&
        mlp_json_read_file(c->path, &old, &err) == MLP_OK) {
        const cJSON *f = cJSON_GetObjectItemCaseSensitive(old, "format");
        cJSON *e = cJSON_GetObjectItemCaseSensitive(old, "entries");
        if (cJSON_IsNumber(f) && f->valuedouble == CACHE_FORMAT &&
            cJSON_IsObject(e) &&
            cJSON_Compare(cJSON_GetObjectItemCaseSensitive(old, "library"),
                          lib, 1)) {
            c->root = old;
            c->entries = e;
            old = NULL;
        }
    }
    cJSON_Delete(old);
    if (c->root == NULL) {
        c->root = cJSON_CreateObject();
        cJSON_AddNumberToObject(c->root, "format", CACHE_FORMAT);
        cJSON_AddItemToObject(c->root, "library", lib);
        c->entries = cJSON_AddObjectToObject(c->root, "entries");
        lib = NULL;
        /* A cache made by another build is rewritten once, then reused. */
        c->dirty = c->path[0] != '\0';
    }
    cJSON_Delete(lib);
    if (c->entries == NULL) {
        cJSON_Delete(c->root);
        free(c);
        return NULL;
    }
    return c;
}

/* A damaged entry must not pass for a scan result: each keeps the hash of
 * its result's text. */
static int result_sum(const cJSON *result, char out[MLPI_HASH_HEX])
{
    char *text = mlp_json_print(result, 0);

    if (text == NULL)
        return 0;
    mlpi_hash_bytes(text, strlen(text), out);
    mlp_free(text);
    return 1;
}

const cJSON *mlpi_plugin_cache_get(mlpi_plugin_cache *c, const char *real,
                                   const mlpi_file_id *id)
{
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(c->entries, real);
    const cJSON *r = cJSON_GetObjectItemCaseSensitive(e, "result");
    const cJSON *sum = cJSON_GetObjectItemCaseSensitive(e, "sum");
    char want[MLPI_HASH_HEX];

    if (!id_matches(cJSON_GetObjectItemCaseSensitive(e, "id"), id) ||
        !cJSON_IsObject(r) || !cJSON_IsString(sum) || !result_sum(r, want) ||
        strcmp(want, sum->valuestring) != 0)
        return NULL;
    return r;
}

void mlpi_plugin_cache_put(mlpi_plugin_cache *c, const char *real,
                           const mlpi_file_id *id, const cJSON *result)
{
    cJSON *e = cJSON_CreateObject();
    char sum[MLPI_HASH_HEX];

    if (e == NULL || !result_sum(result, sum)) {
        cJSON_Delete(e);
        return;
    }
    cJSON_AddItemToObject(e, "id", id_json(id));
    cJSON_AddStringToObject(e, "sum", sum);
    cJSON_AddItemToObject(e, "result", cJSON_Duplicate(result, 1));
    cJSON_DeleteItemFromObjectCaseSensitive(c->entries, real);
    cJSON_AddItemToObject(c->entries, real, e);
    c->dirty = 1;
}

/* Entries for files that are gone would only grow the cache. */
static void prune(mlpi_plugin_cache *c)
{
    cJSON *e = c->entries->child;

    while (e != NULL) {
        cJSON *next = e->next;
        struct stat st;
        if (stat(e->string, &st) != 0 && errno == ENOENT)
            cJSON_Delete(cJSON_DetachItemViaPointer(c->entries, e));
        e = next;
    }
}

void mlpi_plugin_cache_close(mlpi_plugin_cache *c)
{
    if (c == NULL)
        return;
    if (c->dirty && c->path[0] != '\0') {
        char dir[4096], *slash, *text;
        mlp_error err;
        prune(c);
        snprintf(dir, sizeof dir, "%s", c->path);
        slash = strrchr(dir, '/');
        if (slash != NULL && slash != dir)
            *slash = '\0';
        text = mlp_json_print(c->root, 0);
        if (!mlpi_is_dir(c->base[0] ? c->base : "/"))
            mlp_error_set(&err, MLP_ENOTFOUND, "%s does not exist", c->base);
        if (text == NULL || !mlpi_is_dir(c->base[0] ? c->base : "/") ||
            (slash != NULL && mlpi_mkdir_p(dir, &err) != MLP_OK) ||
            mlpi_write_file_atomic(c->path, text, strlen(text), &err) != MLP_OK)
            mlp_log(MLP_LOG_DEBUG, "registry cache not written: %s",
                    text ? err.msg : "out of memory");
        mlp_free(text);
    }
    cJSON_Delete(c->root);
    free(c);
}
