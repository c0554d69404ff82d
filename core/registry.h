/* Internal: the registry of plugins and components.
 *
 * The registry owns every plugin it accepted (C modules and Lua files) and
 * every component they provide.  Components of C plugins point at the
 * plugin's static descriptor data; components of Lua plugins own copies of
 * their ports and parameter specs.  Refusals are kept with their reasons so
 * the CLI can show them and an "unknown component" error can say that a
 * plugin providing the name was refused.
 */
#ifndef MLPIPE_CORE_REGISTRY_H
#define MLPIPE_CORE_REGISTRY_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include <mlpipe/plugin.h>

#include "fsutil.h"

typedef struct lua_State lua_State;

/* An artifact type a plugin defines (ABI 1.1). */
typedef struct mlpi_type {
    char *name, *description;
    cJSON *contract;            /* parsed; NULL: none */
    /* Views: a C plugin's are bound in the child that renders (the
     * scanner said they exist); a Lua plugin's are functions in the
     * registry's Lua state. */
    int has_show, has_html;
    int show_ref, html_ref;     /* Lua registry refs when is_lua */
} mlpi_type;

typedef struct mlpi_plugin {
    char *name, *version, *license, *description;
    char *path;                 /* as found in its search directory */
    char hash[MLPI_HASH_HEX];   /* content hash of the .so or .lua file */
    int is_lua;
    /* C plugins are described by the scanner and loaded only where a
     * component runs (mlpi_component_bind): id is the file version that
     * was described, so a module replaced since is never run. */
    mlpi_file_id id;
    void *handle;               /* libltdl handle once loaded, else NULL */
    const mlp_plugin_desc *desc;
    size_t dir_index;           /* which search directory it came from */
    mlpi_type *types;           /* the artifact types it defines (owned) */
    size_t n_types;
} mlpi_plugin;

typedef struct mlpi_component {
    mlp_component c;            /* ports and params NULL-terminated */
    mlpi_plugin *plugin;
    int lua_ref;                /* Lua run function (LUA_NOREF for C) */
    lua_State *L;               /* the state holding lua_ref */
    char source_hash[MLPI_HASH_HEX];
    int owned;                  /* Lua: strings and arrays are ours */
    char *where;                /* Lua: file:line of mp.component */
    int is_trainer;             /* C: the scanner saw an mlp_trainer; bound
                                   into c.trainer by mlpi_component_bind */
    int is_lf;                  /* a labeling function (mp.lf): no node of
                                   its own, named by MLP_PARAM_LFS lists */
} mlpi_component;

typedef struct mlpi_refusal {
    char *path;
    char *reason;
    char **components;          /* names its descriptor lists, if readable */
    size_t n_components;
} mlpi_refusal;

typedef struct mlpi_registry {
    mlpi_plugin **plugins;
    size_t n_plugins;
    mlpi_component **comps;
    size_t n_comps;
    mlpi_refusal *refused;
    size_t n_refused;
    char **dirs;                /* search directories, in order */
    size_t n_dirs;
    size_t n_scanned;           /* dirs[0..n_scanned) have been loaded */
    char **overrides;           /* component names a later dir may replace */
    size_t n_overrides;
    lua_State *L;               /* state that holds Lua components, if any */
    /* Set while a Lua plugin file runs, so mp.component knows its owner. */
    mlpi_plugin *loading_lua;
    size_t loading_dir;
} mlpi_registry;

mlpi_registry *mlpi_registry_new(void);
void mlpi_registry_free(mlpi_registry *r);

/* Adds a search directory after those already known. */
int mlpi_registry_add_dir(mlpi_registry *r, const char *dir, mlp_error *err);
/* Builtin dir (MLPIPE_BUILTIN_PLUGIN_DIR or the installed one), then each
 * directory of MLPIPE_PLUGIN_PATH. */
int mlpi_registry_default_dirs(mlpi_registry *r, mlp_error *err);
int mlpi_registry_allow_override(mlpi_registry *r, const char *component,
                                 mlp_error *err);
/* Scans every search directory not scanned yet and loads what it finds.
 * Refused plugins are recorded, not fatal; only a broken environment (out
 * of memory, libltdl failing to start) returns an error. */
int mlpi_registry_load(mlpi_registry *r, mlp_error *err);

const mlpi_component *mlpi_registry_find(const mlpi_registry *r,
                                         const char *name);
/* The definition of artifact type name and (if owner) its plugin, or NULL
 * when no loaded plugin defines it. */
const mlpi_type *mlpi_registry_find_type(const mlpi_registry *r,
                                         const char *name,
                                         const mlpi_plugin **owner);
/* The refusal of a plugin that provides (or, going by its file name, may
 * provide) component name, or NULL.  *certain is 1 when its descriptor
 * lists the name. */
const mlpi_refusal *mlpi_registry_refusal_for(const mlpi_registry *r,
                                              const char *name, int *certain);

/* Makes c runnable in this process: loads its C plugin module (checking it
 * is the file version that was scanned), runs the plugin's init once, and
 * sets c->c.run.  Nothing to do for Lua components.  Called in the child
 * that runs the component, so the host never runs plugin code. */
int mlpi_component_bind(mlpi_component *c, mlp_error *err);

/* Whether s is an artifact type name: [A-Za-z][A-Za-z0-9_]*. */
int mlpi_type_name_ok(const char *s);

/* Loads C plugin p's module in this process (checking it is the file
 * version that was scanned) and runs its init once; the module's views
 * and run functions are then in p->desc.  For a view's child process. */
int mlpi_plugin_bind(mlpi_plugin *p, mlp_error *err);

/* Registers a component (of a Lua plugin); the registry takes ownership of
 * comp also on failure. */
int mlpi_registry_add_component(mlpi_registry *r, mlpi_component *comp,
                                mlp_error *err);
/* Records that the plugin file at path was refused and why; components
 * (a JSON array, may be NULL) names what its descriptor lists.  MLP_OK or
 * MLP_ENOMEM. */
int mlpi_registry_refuse(mlpi_registry *r, const char *path,
                         const char *reason, const cJSON *components);
/* Drops every component of plugin p (after a refusal half-way through). */
void mlpi_registry_drop_components_of(mlpi_registry *r, const mlpi_plugin *p);
/* Registers a plugin record created by the Lua loader (or from a scan);
 * refused when its name or one of its artifact types is taken. */
int mlpi_registry_add_plugin(mlpi_registry *r, mlpi_plugin *p, mlp_error *err);
void mlpi_plugin_free(mlpi_plugin *p);
void mlpi_component_free(mlpi_component *c);

/* Checks a component's static metadata: names, stage, ports, parameter
 * specs and their defaults.  Used for C and Lua components alike. */
int mlpi_component_validate(const mlp_component *c, mlp_error *err);

size_t mlpi_port_count(const mlp_port *ports);
const mlp_port *mlpi_port_find(const mlp_port *ports, const char *name);
const mlp_param_spec *mlpi_param_find(const mlp_param_spec *params,
                                      const char *name);
int mlpi_stage_parse(const char *name, mlp_stage *out);

#endif
