/* The plugin registry: search directories, checks before trusting a plugin,
 * and the component table that pipelines resolve names against. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <lauxlib.h>
#include <lua.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "loader.h"
#include "lua_api.h"
#include "params.h"
#include "registry.h"

#ifndef MLPIPE_PLUGINDIR
#define MLPIPE_PLUGINDIR "/usr/local/lib/mlpipe/plugins"
#endif

/* Fields a descriptor and a component must have for us to read them. */
#define DESC_MIN_SIZE offsetof(mlp_plugin_desc, init)
#define COMP_MIN_SIZE offsetof(mlp_component, reserved)

static const char *const stage_names[] = {
    NULL, "ingest", "validate", "label", "transform", "select", "train",
    "tune", "analyze", "push"
};

const char *mlp_stage_name(mlp_stage s)
{
    if ((int)s < MLP_STAGE_INGEST || (int)s > MLP_STAGE_PUSH)
        return "unknown";
    return stage_names[s];
}

int mlpi_stage_parse(const char *name, mlp_stage *out)
{
    for (int s = MLP_STAGE_INGEST; s <= MLP_STAGE_PUSH; s++)
        if (strcmp(name, stage_names[s]) == 0) {
            *out = (mlp_stage)s;
            return MLP_OK;
        }
    return MLP_ENOTFOUND;
}

size_t mlpi_port_count(const mlp_port *ports)
{
    size_t n = 0;
    while (ports != NULL && ports[n].name != NULL)
        n++;
    return n;
}

const mlp_port *mlpi_port_find(const mlp_port *ports, const char *name)
{
    for (; ports != NULL && ports->name != NULL; ports++)
        if (strcmp(ports->name, name) == 0)
            return ports;
    return NULL;
}

const mlp_param_spec *mlpi_param_find(const mlp_param_spec *params,
                                      const char *name)
{
    for (; params != NULL && params->name != NULL; params++)
        if (strcmp(params->name, name) == 0)
            return params;
    return NULL;
}

mlpi_registry *mlpi_registry_new(void)
{
    return calloc(1, sizeof(mlpi_registry));
}

void mlpi_plugin_free(mlpi_plugin *p)
{
    if (p == NULL)
        return;
    if (p->desc != NULL && p->desc->struct_size > offsetof(mlp_plugin_desc, fini) &&
        p->desc->fini != NULL)
        p->desc->fini();
    mlpi_loader_close(p->handle);
    free(p->name);
    free(p->version);
    free(p->license);
    free(p->description);
    free(p->path);
    free(p);
}

static void free_ports(mlp_port *ports)
{
    for (mlp_port *p = ports; p && p->name; p++) {
        free((char *)p->name);
        free((char *)p->type);
        free((char *)p->doc);
    }
    free(ports);
}

void mlpi_component_free(mlpi_component *c)
{
    if (c == NULL)
        return;
    if (c->owned) {
        free((char *)c->c.name);
        free((char *)c->c.description);
        free_ports((mlp_port *)c->c.inputs);
        free_ports((mlp_port *)c->c.outputs);
        for (mlp_param_spec *p = (mlp_param_spec *)c->c.params; p && p->name; p++) {
            free((char *)p->name);
            free((char *)p->default_json);
            free((char *)p->doc);
            for (char **ch = (char **)p->choices; ch && *ch; ch++)
                free(*ch);
            free((char **)p->choices);
        }
        free((mlp_param_spec *)c->c.params);
    }
    free(c->where);
    free(c);
}

void mlpi_registry_free(mlpi_registry *r)
{
    if (r == NULL)
        return;
    for (size_t i = 0; i < r->n_comps; i++)
        mlpi_component_free(r->comps[i]);
    free(r->comps);
    for (size_t i = 0; i < r->n_plugins; i++)
        mlpi_plugin_free(r->plugins[i]);
    free(r->plugins);
    for (size_t i = 0; i < r->n_refused; i++) {
        free(r->refused[i].path);
        free(r->refused[i].reason);
    }
    free(r->refused);
    for (size_t i = 0; i < r->n_dirs; i++)
        free(r->dirs[i]);
    free(r->dirs);
    for (size_t i = 0; i < r->n_overrides; i++)
        free(r->overrides[i]);
    free(r->overrides);
    if (r->loaded)
        mlpi_loader_exit();
    free(r);
}

static int push_ptr(void ***arr, size_t *n, void *p)
{
    void **na = realloc(*arr, (*n + 1) * sizeof *na);

    if (na == NULL)
        return MLP_ENOMEM;
    na[(*n)++] = p;
    *arr = na;
    return MLP_OK;
}

int mlpi_registry_add_dir(mlpi_registry *r, const char *dir, mlp_error *err)
{
    char *d;

    for (size_t i = 0; i < r->n_dirs; i++)
        if (strcmp(r->dirs[i], dir) == 0)
            return MLP_OK;
    d = strdup(dir);
    if (d == NULL || push_ptr((void ***)&r->dirs, &r->n_dirs, d) != MLP_OK) {
        free(d);
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    }
    return MLP_OK;
}

int mlpi_registry_default_dirs(mlpi_registry *r, mlp_error *err)
{
    const char *builtin = getenv("MLPIPE_BUILTIN_PLUGIN_DIR");
    const char *path = getenv("MLPIPE_PLUGIN_PATH");
    int rc;

    rc = mlpi_registry_add_dir(r, builtin && *builtin ? builtin : MLPIPE_PLUGINDIR,
                               err);
    while (rc == MLP_OK && path != NULL && *path) {
        const char *colon = strchr(path, ':');
        size_t n = colon ? (size_t)(colon - path) : strlen(path);
        char dir[4096];
        if (n > 0 && n < sizeof dir) {
            memcpy(dir, path, n);
            dir[n] = '\0';
            rc = mlpi_registry_add_dir(r, dir, err);
        }
        path = colon ? colon + 1 : NULL;
    }
    return rc;
}

int mlpi_registry_allow_override(mlpi_registry *r, const char *component,
                                 mlp_error *err)
{
    char *c = strdup(component);

    if (c == NULL ||
        push_ptr((void ***)&r->overrides, &r->n_overrides, c) != MLP_OK) {
        free(c);
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    }
    return MLP_OK;
}

static int refuse(mlpi_registry *r, const char *path, const char *reason)
{
    mlpi_refusal *nr = realloc(r->refused, (r->n_refused + 1) * sizeof *nr);

    if (nr == NULL)
        return MLP_ENOMEM;
    r->refused = nr;
    nr[r->n_refused].path = strdup(path);
    nr[r->n_refused].reason = strdup(reason);
    r->n_refused++;
    return MLP_OK;
}

const mlpi_component *mlpi_registry_find(const mlpi_registry *r,
                                         const char *name)
{
    for (size_t i = 0; i < r->n_comps; i++)
        if (strcmp(r->comps[i]->c.name, name) == 0)
            return r->comps[i];
    return NULL;
}

const char *mlpi_registry_refusal_for(const mlpi_registry *r, const char *name)
{
    /* A refused plugin's file name often is its component's name. */
    for (size_t i = 0; i < r->n_refused; i++) {
        const char *base = strrchr(r->refused[i].path, '/');
        base = base ? base + 1 : r->refused[i].path;
        if (strncmp(base, name, strlen(name)) == 0 &&
            (base[strlen(name)] == '.' || base[strlen(name)] == '\0'))
            return r->refused[i].reason;
    }
    return NULL;
}

static int validate_ports(const mlp_component *c, const mlp_port *ports,
                          const char *kind, mlp_error *err)
{
    for (const mlp_port *p = ports; p && p->name; p++) {
        if (!mlpi_is_identifier(p->name))
            return mlp_error_set(err, MLP_EINVAL,
                                 "component '%s': %s port name '%s' is not an "
                                 "identifier", c->name, kind, p->name);
        if (p->type == NULL || p->type[0] == '\0')
            return mlp_error_set(err, MLP_EINVAL,
                                 "component '%s': %s port '%s' has no artifact "
                                 "type", c->name, kind, p->name);
        for (const mlp_port *q = ports; q != p; q++)
            if (strcmp(q->name, p->name) == 0)
                return mlp_error_set(err, MLP_EINVAL,
                                     "component '%s': %s port '%s' declared "
                                     "twice", c->name, kind, p->name);
    }
    return MLP_OK;
}

int mlpi_component_validate(const mlp_component *c, mlp_error *err)
{
    int rc;

    if (!mlpi_is_identifier(c->name))
        return mlp_error_set(err, MLP_EINVAL,
                             "component name '%s' is not an identifier "
                             "([a-z_][a-z0-9_]*)", c->name ? c->name : "(null)");
    if ((int)c->stage < MLP_STAGE_INGEST || (int)c->stage > MLP_STAGE_PUSH)
        return mlp_error_set(err, MLP_EINVAL,
                             "component '%s': unknown stage %d", c->name,
                             (int)c->stage);
    rc = validate_ports(c, c->inputs, "input", err);
    if (rc == MLP_OK)
        rc = validate_ports(c, c->outputs, "output", err);
    if (rc != MLP_OK)
        return rc;
    for (const mlp_param_spec *p = c->params; p && p->name; p++) {
        rc = mlpi_param_spec_validate(p, c->name, err);
        if (rc != MLP_OK)
            return rc;
        for (const mlp_param_spec *q = c->params; q != p; q++)
            if (strcmp(q->name, p->name) == 0)
                return mlp_error_set(err, MLP_EINVAL,
                                     "component '%s': parameter '%s' declared "
                                     "twice", c->name, p->name);
        if (mlpi_port_find(c->inputs, p->name) != NULL)
            return mlp_error_set(err, MLP_EINVAL,
                                 "component '%s': '%s' is both a parameter and "
                                 "an input port", c->name, p->name);
    }
    return MLP_OK;
}

static int in_overrides(const mlpi_registry *r, const char *name)
{
    for (size_t i = 0; i < r->n_overrides; i++)
        if (strcmp(r->overrides[i], name) == 0)
            return 1;
    return 0;
}

static void remove_comp(mlpi_registry *r, size_t i)
{
    mlpi_component_free(r->comps[i]);
    memmove(&r->comps[i], &r->comps[i + 1],
            (r->n_comps - i - 1) * sizeof *r->comps);
    r->n_comps--;
}

int mlpi_registry_add_component(mlpi_registry *r, mlpi_component *comp,
                                mlp_error *err)
{
    int rc = mlpi_component_validate(&comp->c, err);

    if (rc != MLP_OK) {
        mlpi_component_free(comp);
        return rc;
    }
    for (size_t i = 0; i < r->n_comps; i++) {
        mlpi_component *old = r->comps[i];
        if (strcmp(old->c.name, comp->c.name) != 0)
            continue;
        if (in_overrides(r, comp->c.name) &&
            old->plugin->dir_index < comp->plugin->dir_index) {
            remove_comp(r, i);
            break;
        }
        rc = mlp_error_set(err, MLP_EEXIST,
                           "component '%s' is already provided by %s (plugin "
                           "'%s'); to replace it, allow the override "
                           "explicitly (--allow-override %s)",
                           comp->c.name, old->plugin->path, old->plugin->name,
                           comp->c.name);
        mlpi_component_free(comp);
        return rc;
    }
    if (push_ptr((void ***)&r->comps, &r->n_comps, comp) != MLP_OK) {
        mlpi_component_free(comp);
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    }
    return MLP_OK;
}

int mlpi_registry_add_plugin(mlpi_registry *r, mlpi_plugin *p, mlp_error *err)
{
    for (size_t i = 0; i < r->n_plugins; i++)
        if (strcmp(r->plugins[i]->name, p->name) == 0)
            return mlp_error_set(err, MLP_EEXIST,
                                 "plugin name '%s' is already taken by %s",
                                 p->name, r->plugins[i]->path);
    if (push_ptr((void ***)&r->plugins, &r->n_plugins, p) != MLP_OK)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    return MLP_OK;
}

/* Drops every component of plugin p (after a refusal half-way through). */
static void drop_components_of(mlpi_registry *r, const mlpi_plugin *p)
{
    for (size_t i = r->n_comps; i-- > 0;)
        if (r->comps[i]->plugin == p)
            remove_comp(r, i);
}

static int check_desc(const mlp_plugin_desc *d, mlp_error *err)
{
    if (d->struct_size < DESC_MIN_SIZE)
        return mlp_error_set(err, MLP_EPLUGIN,
                             "descriptor struct size %u is smaller than the "
                             "%zu bytes of ABI %d.0", d->struct_size,
                             (size_t)DESC_MIN_SIZE, MLP_ABI_MAJOR);
    if (d->abi_major != MLP_ABI_MAJOR)
        return mlp_error_set(err, MLP_EVERSION,
                             "built for plugin ABI %u.%u, this mlpipe speaks "
                             "ABI %d.%d (major versions must match)",
                             d->abi_major, d->abi_minor, MLP_ABI_MAJOR,
                             MLP_ABI_MINOR);
    if (d->abi_minor > MLP_ABI_MINOR)
        return mlp_error_set(err, MLP_EVERSION,
                             "built for plugin ABI %u.%u, newer than this "
                             "mlpipe's %d.%d: upgrade mlpipe", d->abi_major,
                             d->abi_minor, MLP_ABI_MAJOR, MLP_ABI_MINOR);
    if (d->component_size < COMP_MIN_SIZE)
        return mlp_error_set(err, MLP_EPLUGIN,
                             "component struct size %u is smaller than the "
                             "%zu bytes of ABI %d.0", d->component_size,
                             (size_t)COMP_MIN_SIZE, MLP_ABI_MAJOR);
    if (d->name == NULL || !mlpi_is_identifier(d->name))
        return mlp_error_set(err, MLP_EPLUGIN,
                             "plugin name '%s' is not an identifier",
                             d->name ? d->name : "(null)");
    if (d->version == NULL || d->version[0] == '\0')
        return mlp_error_set(err, MLP_EPLUGIN, "plugin '%s' has no version",
                             d->name);
    if (d->components == NULL || d->components[0].name == NULL)
        return mlp_error_set(err, MLP_EPLUGIN, "plugin '%s' has no components",
                             d->name);
    return MLP_OK;
}

static char *dup_or_empty(const char *s)
{
    return strdup(s ? s : "");
}

static int load_so(mlpi_registry *r, const char *path, size_t dir_index,
                   mlp_error *err)
{
    mlpi_plugin *p = calloc(1, sizeof *p);
    const mlp_plugin_desc *d;
    void *handle;
    int rc;

    if (p == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    rc = mlpi_hash_file(path, p->hash, err);
    if (rc == MLP_OK)
        rc = mlpi_loader_open(path, &handle, &d, err);
    if (rc != MLP_OK) {
        free(p);
        return rc;
    }
    p->handle = handle;
    p->dir_index = dir_index;
    p->path = strdup(path);
    rc = check_desc(d, err);
    if (rc != MLP_OK) {
        mlpi_plugin_free(p);
        return rc;
    }
    p->desc = d;
    p->name = dup_or_empty(d->name);
    p->version = dup_or_empty(d->version);
    p->license = dup_or_empty(d->license);
    p->description = dup_or_empty(d->description);
    rc = mlpi_registry_add_plugin(r, p, err);
    if (rc != MLP_OK) {
        p->desc = NULL;  /* never initialised: do not call fini */
        mlpi_plugin_free(p);
        return rc;
    }
    const char *base = (const char *)d->components;
    for (size_t i = 0;; i++) {
        const mlp_component *src =
            (const mlp_component *)(base + i * d->component_size);
        mlpi_component *c;
        if (src->name == NULL)
            break;
        c = calloc(1, sizeof *c);
        if (c == NULL) {
            rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
            break;
        }
        memcpy(&c->c, src, d->component_size < sizeof c->c ? d->component_size
                                                            : sizeof c->c);
        c->plugin = p;
        c->lua_ref = LUA_NOREF;
        memcpy(c->source_hash, p->hash, sizeof c->source_hash);
        if (c->c.run == NULL) {
            rc = mlp_error_set(err, MLP_EPLUGIN, "component '%s' has no run "
                               "function", c->c.name);
            mlpi_component_free(c);
            break;
        }
        rc = mlpi_registry_add_component(r, c, err);
        if (rc != MLP_OK)
            break;
    }
    if (rc == MLP_OK && d->struct_size > offsetof(mlp_plugin_desc, init) &&
        d->init != NULL) {
        rc = d->init(err);
        if (rc != MLP_OK)
            mlp_error_prefix(err, "init failed");
    }
    if (rc != MLP_OK) {
        drop_components_of(r, p);
        r->n_plugins--;
        p->desc = NULL;
        mlpi_plugin_free(p);
    }
    return rc;
}

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

int mlpi_registry_load_file(mlpi_registry *r, const char *path,
                            size_t dir_index, mlp_error *err)
{
    int rc = check_trusted(path, err);

    if (rc == MLP_OK) {
        if (ends_with(path, ".lua"))
            rc = mlpi_lua_load_plugin(r, path, dir_index, err);
        else
            rc = load_so(r, path, dir_index, err);
    }
    if (rc != MLP_OK && rc != MLP_ENOMEM) {
        if (refuse(r, path, err->msg) != MLP_OK)
            return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    }
    return rc;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int scan_dir(mlpi_registry *r, size_t di, mlp_error *err)
{
    const char *dir = r->dirs[di];
    DIR *d = opendir(dir);
    struct dirent *e;
    char **names = NULL;
    size_t n = 0;
    int rc = MLP_OK;

    if (d == NULL)
        return MLP_OK;  /* a search directory that does not exist is fine */
    while ((e = readdir(d)) != NULL) {
        char *nm;
        if (!ends_with(e->d_name, ".so") && !ends_with(e->d_name, ".lua"))
            continue;
        nm = strdup(e->d_name);
        if (nm == NULL || push_ptr((void ***)&names, &n, nm) != MLP_OK) {
            free(nm);
            rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
            break;
        }
    }
    closedir(d);
    if (n > 0)
        qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; rc == MLP_OK && i < n; i++) {
        char path[4096];
        mlp_error e2;
        mlpi_path_join(path, sizeof path, dir, names[i]);
        if (mlpi_registry_load_file(r, path, di, &e2) == MLP_ENOMEM)
            rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return rc;
}

int mlpi_registry_load(mlpi_registry *r, mlp_error *err)
{
    int rc;

    if (!r->loaded) {
        rc = mlpi_loader_init(err);
        if (rc != MLP_OK)
            return rc;
        r->loaded = 1;
    }
    /* Directories are scanned once each, in order; n_scanned remembers how
     * far we got so mp.plugin_path() can add and load more later. */
    for (size_t i = r->n_scanned; i < r->n_dirs; i++) {
        rc = scan_dir(r, i, err);
        if (rc != MLP_OK)
            return rc;
        r->n_scanned = i + 1;
    }
    return MLP_OK;
}
