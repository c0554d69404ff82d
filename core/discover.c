/* Plugin discovery: which files in the search directories become plugins.
 *
 * The host never loads a C module to list it.  Each .so found is looked up
 * in the registry cache by its file version; the ones the cache does not
 * know are described by the scanner process (scan.h), all in one go, and
 * the answers are kept for next time.  Lua plugin files run in the host's
 * Lua state, as they cannot crash it.  Files are then registered in order
 * (directory, then name), so which of two plugins wins a name does not
 * depend on what was cached.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "loader.h"
#include "lua_api.h"
#include "plugin_cache.h"
#include "plugin_desc.h"
#include "registry.h"
#include "scan.h"

typedef struct cand {
    char *path;
    size_t dir;
    int is_lua;
    char untrusted[512];   /* why the file is refused before any scan */
    char real[PATH_MAX];
    mlpi_file_id id;
    cJSON *result;         /* the scanner's answer (owned) */
} cand;

/* A file anyone may write could be replaced by anyone with code we would
 * then run: refuse it, as GStreamer and nginx do. */
static int check_trusted(const char *path, mlp_error *err)
{
    struct stat st;
    char dir[4096];
    char *slash;

    if (stat(path, &st) != 0)
        return mlp_error_set(err, MLP_EIO, "cannot stat: %s", strerror(errno));
    if (!S_ISREG(st.st_mode))
        return mlp_error_set(err, MLP_EPLUGIN, "not a regular file");
    if (st.st_mode & S_IWOTH)
        return mlp_error_set(err, MLP_EPLUGIN,
                             "the file is world-writable (chmod o-w it)");
    snprintf(dir, sizeof dir, "%s", path);
    slash = strrchr(dir, '/');
    if (slash != NULL) {
        *slash = '\0';
        if (stat(dir[0] ? dir : "/", &st) == 0 && (st.st_mode & S_IWOTH))
            return mlp_error_set(err, MLP_EPLUGIN,
                                 "its directory %s is world-writable", dir);
    }
    return MLP_OK;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n > m && strcmp(s + n - m, suffix) == 0;
}

/* Fills c->result from the cache, or leaves it NULL for the scanner. */
static void look_up(mlpi_plugin_cache *cache, cand *c)
{
    mlp_error err;
    const cJSON *hit;

    if (mlpi_file_id_of(c->path, &c->id, &err) != MLP_OK ||
        realpath(c->path, c->real) == NULL) {
        snprintf(c->untrusted, sizeof c->untrusted, "cannot stat: %s",
                 strerror(errno));
        return;
    }
    /* The cache checked the entry against its checksum; registering it
     * validates the rest, as for a fresh answer. */
    hit = cache ? mlpi_plugin_cache_get(cache, c->real, &c->id) : NULL;
    if (hit != NULL)
        c->result = cJSON_Duplicate(hit, 1);
}

/* Scans every candidate the cache did not answer for and keeps answers
 * about files that did not change while they were scanned. */
static int scan_missing(mlpi_plugin_cache *cache, cand *cs, size_t n,
                        mlp_error *err)
{
    char **paths = calloc(n + 1, sizeof *paths);
    cJSON **res = calloc(n + 1, sizeof *res);
    size_t *which = calloc(n + 1, sizeof *which);
    size_t m = 0;
    int rc = MLP_OK;

    if (paths == NULL || res == NULL || which == NULL)
        rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
    for (size_t i = 0; rc == MLP_OK && i < n; i++)
        if (!cs[i].is_lua && !cs[i].untrusted[0] && cs[i].result == NULL) {
            which[m] = i;
            paths[m++] = cs[i].path;
        }
    if (rc == MLP_OK && m > 0)
        rc = mlpi_scan_plugins(paths, m, res, err);
    for (size_t k = 0; rc == MLP_OK && k < m; k++) {
        cand *c = &cs[which[k]];
        mlpi_file_id after;
        mlp_error e2;
        c->result = res[k];
        if (cache != NULL &&
            !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c->result, "transient")) &&
            mlpi_file_id_of(c->path, &after, &e2) == MLP_OK &&
            mlpi_file_id_equal(&after, &c->id))
            mlpi_plugin_cache_put(cache, c->real, &c->id, c->result);
    }
    free(paths);
    free(res);
    free(which);
    return rc;
}

/* Turns a scan result into a plugin and its components, or a refusal. */
static int register_so(mlpi_registry *r, cand *c, mlp_error *err)
{
    const cJSON *res = c->result;
    const cJSON *hash = cJSON_GetObjectItemCaseSensitive(res, "hash");
    mlpi_plugin *p;
    mlpi_component **comps;
    size_t n, i = 0;
    int rc;

    if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(res, "ok"))) {
        const cJSON *why = cJSON_GetObjectItemCaseSensitive(res, "error");
        return mlp_error_set(err, MLP_EPLUGIN, "%s",
                             cJSON_IsString(why) ? why->valuestring
                                                 : "refused by the scanner");
    }
    rc = mlpi_desc_from_json(cJSON_GetObjectItemCaseSensitive(res, "plugin"),
                             c->path, cJSON_IsString(hash) ? hash->valuestring : "",
                             &p, &comps, &n, err);
    if (rc != MLP_OK)
        return rc;
    p->id = c->id;
    p->dir_index = c->dir;
    rc = mlpi_registry_add_plugin(r, p, err);
    if (rc != MLP_OK)
        mlpi_plugin_free(p);
    for (; rc == MLP_OK && i < n; i++)
        rc = mlpi_registry_add_component(r, comps[i], err);
    if (rc != MLP_OK) {
        /* add_component took comps[i - 1]; the rest are still ours. */
        for (; i < n; i++)
            mlpi_component_free(comps[i]);
        if (r->n_plugins > 0 && r->plugins[r->n_plugins - 1] == p) {
            mlpi_registry_drop_components_of(r, p);
            r->n_plugins--;
            mlpi_plugin_free(p);
        }
    }
    free(comps);
    return rc;
}

static int register_one(mlpi_registry *r, cand *c, mlp_error *err)
{
    int rc;

    if (c->untrusted[0])
        rc = mlp_error_set(err, MLP_EPLUGIN, "%s", c->untrusted);
    else if (c->is_lua)
        rc = mlpi_lua_load_plugin(r, c->path, c->dir, err);
    else
        rc = register_so(r, c, err);
    if (rc != MLP_OK && rc != MLP_ENOMEM &&
        mlpi_registry_refuse(r, c->path, err->msg,
                             c->result ? cJSON_GetObjectItemCaseSensitive(
                                             c->result, "components")
                                       : NULL) != MLP_OK)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    return rc;
}

static int add_cand(cand **cs, size_t *n, const char *path, size_t dir)
{
    cand *nc = realloc(*cs, (*n + 1) * sizeof *nc);

    if (nc == NULL)
        return MLP_ENOMEM;
    *cs = nc;
    memset(&nc[*n], 0, sizeof nc[*n]);
    nc[*n].path = strdup(path);
    nc[*n].dir = dir;
    nc[*n].is_lua = ends_with(path, ".lua");
    return nc[(*n)++].path ? MLP_OK : MLP_ENOMEM;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Adds the plugin files of directory dirs[di], sorted by name. */
static int list_dir(mlpi_registry *r, size_t di, cand **cs, size_t *n)
{
    const char *dir = r->dirs[di];
    DIR *d = opendir(dir);
    struct dirent *e;
    char **names = NULL;
    size_t k = 0, cap = 0;
    int rc = MLP_OK;

    if (d == NULL)
        return MLP_OK;  /* a search directory that does not exist is fine */
    while (rc == MLP_OK && (e = readdir(d)) != NULL) {
        if (!ends_with(e->d_name, ".so") && !ends_with(e->d_name, ".lua"))
            continue;
        if (k == cap) {
            char **nn = realloc(names, (cap = cap * 2 + 16) * sizeof *nn);
            if (nn == NULL) {
                rc = MLP_ENOMEM;
                break;
            }
            names = nn;
        }
        if ((names[k] = strdup(e->d_name)) == NULL)
            rc = MLP_ENOMEM;
        else
            k++;
    }
    closedir(d);
    if (k > 0)
        qsort(names, k, sizeof *names, cmp_str);
    for (size_t i = 0; i < k; i++) {
        char path[4096];
        mlpi_path_join(path, sizeof path, dir, names[i]);
        if (rc == MLP_OK)
            rc = add_cand(cs, n, path, di);
        free(names[i]);
    }
    free(names);
    return rc;
}

/* Checks, looks up, scans and registers cs[0..n). */
static int load_cands(mlpi_registry *r, cand *cs, size_t n, mlp_error *err)
{
    mlpi_plugin_cache *cache = NULL;
    int rc = MLP_OK;

    for (size_t i = 0; i < n; i++) {
        mlp_error e2;
        if (check_trusted(cs[i].path, &e2) != MLP_OK)
            snprintf(cs[i].untrusted, sizeof cs[i].untrusted, "%s", e2.msg);
        else if (!cs[i].is_lua) {
            if (cache == NULL && (cache = mlpi_plugin_cache_open()) == NULL)
                return mlp_error_set(err, MLP_ENOMEM, "out of memory");
            look_up(cache, &cs[i]);
        }
    }
    rc = scan_missing(cache, cs, n, err);
    for (size_t i = 0; rc == MLP_OK && i < n; i++) {
        mlp_error e2;
        if (register_one(r, &cs[i], &e2) == MLP_ENOMEM)
            rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
    }
    mlpi_plugin_cache_close(cache);
    return rc;
}

static void free_cands(cand *cs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(cs[i].path);
        cJSON_Delete(cs[i].result);
    }
    free(cs);
}

int mlpi_registry_load(mlpi_registry *r, mlp_error *err)
{
    cand *cs = NULL;
    size_t n = 0;
    int rc = MLP_OK;

    /* Directories are scanned once each, in order; n_scanned remembers how
     * far we got so mp.plugin_path() can add and load more later. */
    for (size_t i = r->n_scanned; rc == MLP_OK && i < r->n_dirs; i++)
        if (list_dir(r, i, &cs, &n) != MLP_OK)
            rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
    if (rc == MLP_OK)
        rc = load_cands(r, cs, n, err);
    if (rc == MLP_OK)
        r->n_scanned = r->n_dirs;
    free_cands(cs, n);
    return rc;
}

/* ------------------------------------------------------------- binding */

static const mlp_component *desc_component(const mlp_plugin_desc *d,
                                           const char *name)
{
    for (size_t i = 0;; i++) {
        const mlp_component *c = (const mlp_component *)(
            (const char *)d->components + i * d->component_size);
        if (c->name == NULL)
            return NULL;
        if (strcmp(c->name, name) == 0)
            return c;
    }
}

int mlpi_plugin_bind(mlpi_plugin *p, mlp_error *err)
{
    if (p->handle != NULL)
        return MLP_OK;
    const mlp_plugin_desc *d = NULL;
    mlpi_file_id now;
    void *h = NULL;
    int rc;

    rc = mlpi_file_id_of(p->path, &now, err);
    if (rc == MLP_OK && !mlpi_file_id_equal(&now, &p->id))
        rc = mlp_error_set(err, MLP_EPLUGIN,
                           "plugin file %s changed after it was scanned; run "
                           "again to use the new version", p->path);
    if (rc == MLP_OK)
        rc = mlpi_loader_init(err);
    if (rc != MLP_OK)
        return rc;
    rc = mlpi_loader_open(p->path, &h, &d, err);
    if (rc == MLP_OK && (rc = mlpi_desc_check(d, err)) == MLP_OK &&
        strcmp(d->name, p->name) != 0)
        rc = mlp_error_set(err, MLP_EPLUGIN, "%s now defines plugin '%s', "
                           "not '%s'", p->path, d->name, p->name);
    if (rc == MLP_OK && d->struct_size > offsetof(mlp_plugin_desc, init) &&
        d->init != NULL && (rc = d->init(err)) != MLP_OK)
        mlp_error_prefix(err, "plugin '%s': init failed", p->name);
    if (rc != MLP_OK) {
        mlpi_loader_close(h);
        mlpi_loader_exit();
        return rc;
    }
    p->handle = h;
    p->desc = d;
    return MLP_OK;
}

int mlpi_component_bind(mlpi_component *c, mlp_error *err)
{
    const mlp_component *src;
    int rc;

    if (c->lua_ref >= 0 || c->c.run != NULL || (c->is_lf && c->c.lf != NULL))
        return MLP_OK;
    rc = mlpi_plugin_bind(c->plugin, err);
    if (rc != MLP_OK)
        return rc;
    src = desc_component(c->plugin->desc, c->c.name);
    if (c->is_lf) {
        /* The scanner checked the same module (its id was verified). */
        if (src == NULL || c->plugin->desc->abi_minor < 3 || src->stage != MLP_STAGE_LABEL ||
            src->lf == NULL)
            return mlp_error_set(err, MLP_EPLUGIN, "plugin %s no longer provides the "
                                 "labeling function '%s'", c->plugin->path, c->c.name);
        c->c.lf = src->lf;
        return MLP_OK;
    }
    if (src == NULL || src->run == NULL)
        return mlp_error_set(err, MLP_EPLUGIN, "plugin %s no longer provides "
                             "component '%s'", c->plugin->path, c->c.name);
    c->c.run = src->run;
    if (c->is_trainer) {
        /* The scanner checked the same module (its id was verified). */
        if (c->plugin->desc->abi_minor < 2 || src->trainer == NULL)
            return mlp_error_set(err, MLP_EPLUGIN, "plugin %s no longer provides "
                                 "the trainer of '%s'", c->plugin->path, c->c.name);
        c->c.trainer = src->trainer;
    }
    return MLP_OK;
}
