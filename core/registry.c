/* The plugin registry: search directories, checks before trusting a plugin,
 * and the component table that pipelines resolve names against. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <lauxlib.h>
#include <lua.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader.h"
#include "lua_api.h"
#include "params.h"
#include "registry.h"

#ifndef MLPIPE_PLUGINDIR
#define MLPIPE_PLUGINDIR "/usr/local/lib/mlpipe/plugins"
#endif

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
    if (p->handle != NULL) {
        mlpi_loader_close(p->handle);
        mlpi_loader_exit();
    }
    free(p->name);
    free(p->version);
    free(p->license);
    free(p->description);
    free(p->path);
    for (size_t i = 0; i < p->n_types; i++) {
        free(p->types[i].name);
        free(p->types[i].description);
        cJSON_Delete(p->types[i].contract);
    }
    free(p->types);
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
        for (size_t k = 0; k < r->refused[i].n_components; k++)
            free(r->refused[i].components[k]);
        free(r->refused[i].components);
    }
    free(r->refused);
    for (size_t i = 0; i < r->n_dirs; i++)
        free(r->dirs[i]);
    free(r->dirs);
    for (size_t i = 0; i < r->n_overrides; i++)
        free(r->overrides[i]);
    free(r->overrides);
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

/* One directory named twice (relative and absolute, through a symlink,
 * from the environment and a script) is searched once. */
static int same_dir(const char *a, const char *b)
{
    char ra[PATH_MAX], rb[PATH_MAX];

    if (strcmp(a, b) == 0)
        return 1;
    return realpath(a, ra) != NULL && realpath(b, rb) != NULL &&
           strcmp(ra, rb) == 0;
}

int mlpi_registry_add_dir(mlpi_registry *r, const char *dir, mlp_error *err)
{
    char *d;

    for (size_t i = 0; i < r->n_dirs; i++)
        if (same_dir(r->dirs[i], dir))
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

int mlpi_registry_refuse(mlpi_registry *r, const char *path,
                         const char *reason, const cJSON *components)
{
    mlpi_refusal *nr = realloc(r->refused, (r->n_refused + 1) * sizeof *nr);
    mlpi_refusal *f;
    const cJSON *c;

    if (nr == NULL)
        return MLP_ENOMEM;
    r->refused = nr;
    f = &nr[r->n_refused];
    memset(f, 0, sizeof *f);
    f->path = strdup(path);
    f->reason = strdup(reason);
    r->n_refused++;
    if (f->path == NULL || f->reason == NULL)
        return MLP_ENOMEM;
    if (cJSON_GetArraySize(components) > 0) {
        f->components = calloc((size_t)cJSON_GetArraySize(components),
                               sizeof *f->components);
        if (f->components == NULL)
            return MLP_ENOMEM;
    }
    cJSON_ArrayForEach(c, components)
        if (cJSON_IsString(c) &&
            (f->components[f->n_components++] = strdup(c->valuestring)) == NULL)
            return MLP_ENOMEM;
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

const mlpi_refusal *mlpi_registry_refusal_for(const mlpi_registry *r,
                                              const char *name, int *certain)
{
    size_t len = strlen(name);

    for (size_t i = 0; i < r->n_refused; i++)
        for (size_t k = 0; k < r->refused[i].n_components; k++)
            if (strcmp(r->refused[i].components[k], name) == 0) {
                *certain = 1;
                return &r->refused[i];
            }
    /* A plugin refused before its descriptor could be read: its file name
     * often is its component's name. */
    *certain = 0;
    for (size_t i = 0; i < r->n_refused; i++) {
        const char *base = strrchr(r->refused[i].path, '/');
        base = base ? base + 1 : r->refused[i].path;
        if (strncmp(base, name, len) == 0 &&
            (base[len] == '.' || base[len] == '\0'))
            return &r->refused[i];
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

const mlpi_type *mlpi_registry_find_type(const mlpi_registry *r,
                                         const char *name,
                                         const mlpi_plugin **owner)
{
    for (size_t i = 0; i < r->n_plugins; i++)
        for (size_t k = 0; k < r->plugins[i]->n_types; k++)
            if (strcmp(r->plugins[i]->types[k].name, name) == 0) {
                if (owner != NULL)
                    *owner = r->plugins[i];
                return &r->plugins[i]->types[k];
            }
    return NULL;
}

int mlpi_registry_add_plugin(mlpi_registry *r, mlpi_plugin *p, mlp_error *err)
{
    for (size_t i = 0; i < r->n_plugins; i++)
        if (strcmp(r->plugins[i]->name, p->name) == 0)
            return mlp_error_set(err, MLP_EEXIST,
                                 "plugin name '%s' is already taken by %s",
                                 p->name, r->plugins[i]->path);
    for (size_t k = 0; k < p->n_types; k++) {
        const mlpi_plugin *owner;
        if (mlpi_registry_find_type(r, p->types[k].name, &owner) != NULL)
            return mlp_error_set(err, MLP_EEXIST,
                                 "artifact type '%s' is already defined by %s "
                                 "(plugin '%s')", p->types[k].name, owner->path,
                                 owner->name);
    }
    if (push_ptr((void ***)&r->plugins, &r->n_plugins, p) != MLP_OK)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    return MLP_OK;
}

/* Drops every component of plugin p (after a refusal half-way through). */
void mlpi_registry_drop_components_of(mlpi_registry *r, const mlpi_plugin *p)
{
    for (size_t i = r->n_comps; i-- > 0;)
        if (r->comps[i]->plugin == p)
            remove_comp(r, i);
}
