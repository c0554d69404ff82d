/* `mlpipe plugins`: what is installed, read from the descriptors' static
 * metadata without running any component. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mlpipe/json.h>
#include <mlpipe/memory.h>

#include "cli.h"
#include "lua_api.h"
#include "params.h"

static void usage(FILE *f)
{
    fputs("usage: mlpipe plugins [NAME] [--json] [--plugin-path DIR]...\n"
          "\n"
          "Without NAME: every plugin (name, version, path) and its components\n"
          "(stage, inputs, outputs), then any plugin that was refused and why.\n"
          "With NAME: that component's ports and parameters (type, default,\n"
          "range, documentation).\n", f);
}

void mlpi_cli_print_json(const cJSON *v)
{
    char *t = mlp_json_print(v, 1);

    if (t != NULL) {
        puts(t);
        mlp_free(t);
    }
}

mlpi_registry *mlpi_cli_registry(char **dirs, int n_dirs, char **overrides,
                                 int n_overrides, int report_refusals,
                                 const mlpi_run_opts *opts)
{
    mlpi_registry *r = mlpi_registry_new();
    mlp_error err;
    int rc;

    if (r == NULL || mlpi_lua_new(r, opts) == NULL) {
        mlpi_registry_free(r);
        return NULL;
    }
    rc = mlpi_registry_default_dirs(r, &err);
    for (int i = 0; rc == MLP_OK && i < n_dirs; i++)
        rc = mlpi_registry_add_dir(r, dirs[i], &err);
    for (int i = 0; rc == MLP_OK && i < n_overrides; i++)
        rc = mlpi_registry_allow_override(r, overrides[i], &err);
    if (rc == MLP_OK)
        rc = mlpi_registry_load(r, &err);
    if (rc != MLP_OK) {
        fprintf(stderr, "mlpipe: %s\n", err.msg);
        mlpi_lua_close(r->L);
        mlpi_registry_free(r);
        return NULL;
    }
    if (report_refusals)
        for (size_t i = 0; i < r->n_refused; i++)
            fprintf(stderr, "mlpipe: warning: plugin %s refused: %s\n",
                    r->refused[i].path, r->refused[i].reason);
    return r;
}

static cJSON *ports_json(const mlp_port *ports)
{
    cJSON *a = cJSON_CreateArray();

    for (const mlp_port *p = ports; p && p->name; p++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", p->name);
        cJSON_AddStringToObject(o, "type", p->type);
        cJSON_AddBoolToObject(o, "optional", (p->flags & MLP_PORT_OPTIONAL) != 0);
        cJSON_AddBoolToObject(o, "multiple", (p->flags & MLP_PORT_MULTIPLE) != 0);
        if (p->doc)
            cJSON_AddStringToObject(o, "doc", p->doc);
        cJSON_AddItemToArray(a, o);
    }
    return a;
}

static cJSON *params_json(const mlp_param_spec *params)
{
    cJSON *a = cJSON_CreateArray();

    for (const mlp_param_spec *p = params; p && p->name; p++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", p->name);
        cJSON_AddStringToObject(o, "type", mlpi_param_type_name(p->type));
        if (MLP_PARAM_ELEM(p->flags) != 0)
            cJSON_AddStringToObject(o, "of", mlpi_param_type_name(MLP_PARAM_ELEM(p->flags)));
        cJSON_AddBoolToObject(o, "required", (p->flags & MLP_PARAM_REQUIRED) != 0);
        if (p->default_json) {
            cJSON *d = cJSON_Parse(p->default_json);
            cJSON_AddItemToObject(o, "default", d ? d : cJSON_CreateNull());
        }
        if (p->flags & MLP_PARAM_HAS_MIN)
            cJSON_AddNumberToObject(o, "min", p->min);
        if (p->flags & MLP_PARAM_MIN_EXCLUSIVE)
            cJSON_AddBoolToObject(o, "min_exclusive", 1);
        if (p->flags & MLP_PARAM_HAS_MAX)
            cJSON_AddNumberToObject(o, "max", p->max);
        if (p->choices) {
            cJSON *ch = cJSON_CreateArray();
            for (const char *const *c = p->choices; *c; c++)
                cJSON_AddItemToArray(ch, cJSON_CreateString(*c));
            cJSON_AddItemToObject(o, "choices", ch);
        }
        cJSON_AddStringToObject(o, "doc", p->doc ? p->doc : "");
        cJSON_AddItemToArray(a, o);
    }
    return a;
}

static cJSON *component_json(const mlpi_component *c, int detail)
{
    cJSON *o = cJSON_CreateObject();

    cJSON_AddStringToObject(o, "name", c->c.name);
    cJSON_AddStringToObject(o, "stage", mlp_stage_name(c->c.stage));
    if (c->is_lf)
        cJSON_AddStringToObject(o, "kind", "labeling function");
    cJSON_AddStringToObject(o, "plugin", c->plugin->name);
    cJSON_AddStringToObject(o, "language", c->plugin->is_lua ? "lua" : "c");
    cJSON_AddStringToObject(o, "description",
                            c->c.description ? c->c.description : "");
    cJSON_AddItemToObject(o, "inputs", ports_json(c->c.inputs));
    cJSON_AddItemToObject(o, "outputs", ports_json(c->c.outputs));
    if (detail) {
        cJSON_AddStringToObject(o, "path", c->plugin->path);
        cJSON_AddStringToObject(o, "version", c->plugin->version);
        cJSON_AddItemToObject(o, "params", params_json(c->c.params));
    }
    return o;
}

static void print_ports(const char *label, const mlp_port *ports)
{
    printf("%s", label);
    if (ports == NULL || ports->name == NULL)
        printf(" -");
    for (const mlp_port *p = ports; p && p->name; p++)
        printf(" %s:%s%s", p->name, p->type,
               (p->flags & MLP_PORT_OPTIONAL) ? "?" : "");
}

static int show_component(const mlpi_component *c, int json)
{
    if (json) {
        cJSON *o = component_json(c, 1);
        mlpi_cli_print_json(o);
        cJSON_Delete(o);
        return MLPI_EXIT_OK;
    }
    printf("%s  (%s%s, plugin %s %s, %s)\n", c->c.name,
           c->is_lf ? "labeling function" : mlp_stage_name(c->c.stage), c->is_lf ? "" : " stage",
           c->plugin->name, c->plugin->version, c->plugin->path);
    if (c->c.description && *c->c.description)
        printf("  %s\n", c->c.description);
    if (c->is_lf) {
        printf("  defined at %s; apply it with apply_lfs { lfs = { \"%s\" } }\n",
               c->where ? c->where : c->plugin->path, c->c.name);
        return MLPI_EXIT_OK;
    }
    print_ports("  inputs: ", c->c.inputs);
    print_ports("\n  outputs:", c->c.outputs);
    printf("\n  parameters:\n");
    if (c->c.params == NULL || c->c.params->name == NULL)
        printf("    (none)\n");
    for (const mlp_param_spec *p = c->c.params; p && p->name; p++) {
        char range[128] = "";
        if (p->flags & (MLP_PARAM_HAS_MIN | MLP_PARAM_HAS_MAX))
            snprintf(range, sizeof range, "  range %s%g, %g]",
                     (p->flags & MLP_PARAM_MIN_EXCLUSIVE) ? "(" : "[",
                     (p->flags & MLP_PARAM_HAS_MIN) ? p->min : -1.0 / 0.0,
                     (p->flags & MLP_PARAM_HAS_MAX) ? p->max : 1.0 / 0.0);
        char type[64];
        snprintf(type, sizeof type, "%s%s%s", mlpi_param_type_name(p->type),
                 MLP_PARAM_ELEM(p->flags) ? " of " : "",
                 MLP_PARAM_ELEM(p->flags) ? mlpi_param_type_name(MLP_PARAM_ELEM(p->flags)) : "");
        printf("    %-18s %-7s %s%s%s\n", p->name, type,
               (p->flags & MLP_PARAM_REQUIRED) ? "required"
               : p->default_json ? "default " : "optional",
               p->default_json ? p->default_json : "", range);
        if (p->choices) {
            printf("    %-18s         one of:", "");
            for (const char *const *ch = p->choices; *ch; ch++)
                printf(" %s", *ch);
            printf("\n");
        }
        if (p->doc)
            printf("    %-18s         %s\n", "", p->doc);
    }
    return MLPI_EXIT_OK;
}

int mlpi_cmd_plugins(int argc, char **argv)
{
    char *dirs[64];
    int n_dirs = 0, json = 0;
    const char *name = NULL;
    mlpi_registry *r;
    int rc = MLPI_EXIT_OK;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return MLPI_EXIT_OK;
        } else if (strcmp(argv[i], "--json") == 0) {
            json = 1;
        } else if (strcmp(argv[i], "--plugin-path") == 0 && i + 1 < argc &&
                   n_dirs < 64) {
            dirs[n_dirs++] = argv[++i];
        } else if (argv[i][0] != '-' && name == NULL) {
            name = argv[i];
        } else {
            fprintf(stderr, "mlpipe plugins: unexpected argument '%s'\n", argv[i]);
            usage(stderr);
            return MLPI_EXIT_USAGE;
        }
    }
    r = mlpi_cli_registry(dirs, n_dirs, NULL, 0, 0, NULL);
    if (r == NULL)
        return MLPI_EXIT_ENV;
    if (name != NULL) {
        const mlpi_component *c = mlpi_registry_find(r, name);
        if (c == NULL) {
            fprintf(stderr, "mlpipe plugins: no component '%s'\n", name);
            rc = MLPI_EXIT_USAGE;
        } else {
            rc = show_component(c, json);
        }
    } else if (json) {
        cJSON *root = cJSON_CreateObject(), *pl = cJSON_CreateArray();
        cJSON *ref = cJSON_CreateArray(), *dl = cJSON_CreateArray();
        for (size_t i = 0; i < r->n_dirs; i++)
            cJSON_AddItemToArray(dl, cJSON_CreateString(r->dirs[i]));
        for (size_t i = 0; i < r->n_plugins; i++) {
            const mlpi_plugin *p = r->plugins[i];
            cJSON *o = cJSON_CreateObject(), *cs = cJSON_CreateArray();
            cJSON_AddStringToObject(o, "name", p->name);
            cJSON_AddStringToObject(o, "version", p->version);
            cJSON_AddStringToObject(o, "license", p->license);
            cJSON_AddStringToObject(o, "description", p->description);
            cJSON_AddStringToObject(o, "path", p->path);
            cJSON_AddStringToObject(o, "language", p->is_lua ? "lua" : "c");
            for (size_t k = 0; k < r->n_comps; k++)
                if (r->comps[k]->plugin == p)
                    cJSON_AddItemToArray(cs, component_json(r->comps[k], 0));
            cJSON_AddItemToObject(o, "components", cs);
            cs = cJSON_AddArrayToObject(o, "types");
            for (size_t k = 0; k < p->n_types; k++) {
                cJSON *t = cJSON_CreateObject();
                cJSON_AddStringToObject(t, "name", p->types[k].name);
                cJSON_AddStringToObject(t, "description", p->types[k].description
                                        ? p->types[k].description : "");
                if (p->types[k].contract != NULL)
                    cJSON_AddItemToObject(t, "contract",
                                          cJSON_Duplicate(p->types[k].contract, 1));
                cJSON *views = cJSON_AddArrayToObject(t, "views");
                if (p->types[k].has_show)
                    cJSON_AddItemToArray(views, cJSON_CreateString("show"));
                if (p->types[k].has_html)
                    cJSON_AddItemToArray(views, cJSON_CreateString("html"));
                cJSON_AddItemToArray(cs, t);
            }
            cJSON_AddItemToArray(pl, o);
        }
        for (size_t i = 0; i < r->n_refused; i++) {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "path", r->refused[i].path);
            cJSON_AddStringToObject(o, "reason", r->refused[i].reason);
            cJSON_AddItemToArray(ref, o);
        }
        cJSON_AddItemToObject(root, "search_path", dl);
        cJSON_AddItemToObject(root, "plugins", pl);
        cJSON_AddItemToObject(root, "refused", ref);
        mlpi_cli_print_json(root);
        cJSON_Delete(root);
    } else {
        for (size_t i = 0; i < r->n_plugins; i++) {
            const mlpi_plugin *p = r->plugins[i];
            printf("%s %s (%s)  %s\n", p->name, p->version,
                   p->is_lua ? "lua" : "c", p->path);
            for (size_t k = 0; k < r->n_comps; k++) {
                const mlpi_component *c = r->comps[k];
                if (c->plugin != p)
                    continue;
                printf("  %-22s %-9s", c->c.name, mlp_stage_name(c->c.stage));
                if (c->is_lf) {
                    printf(" labeling function\n");
                    continue;
                }
                print_ports(" in:", c->c.inputs);
                print_ports("  out:", c->c.outputs);
                printf("\n");
            }
            for (size_t k = 0; k < p->n_types; k++) {
                const mlpi_type *t = &p->types[k];
                printf("  type %-17s %s%s%s%s\n", t->name,
                       t->description ? t->description : "",
                       t->has_show || t->has_html ? "  [views:" : "",
                       t->has_show ? " show" : "", t->has_html ? " html]"
                       : t->has_show ? "]" : "");
            }
        }
        if (r->n_plugins == 0)
            printf("no plugins found (search path:%s%s)\n",
                   r->n_dirs ? " " : " empty", r->n_dirs ? r->dirs[0] : "");
        for (size_t i = 0; i < r->n_refused; i++)
            printf("refused %s: %s\n", r->refused[i].path, r->refused[i].reason);
    }
    mlpi_lua_close(r->L);
    mlpi_registry_free(r);
    return rc;
}
