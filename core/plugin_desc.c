/* A C plugin's descriptor to JSON (in the scanner) and back (in the host).
 *
 * The JSON carries exactly what the host reads of a descriptor: the plugin's
 * identity and each component's stage, ports and parameter specs.  The host
 * validates what it rebuilds as it validates a Lua component, so a damaged
 * registry cache is refused like a bad plugin, never trusted.
 */
#include <lauxlib.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mlpipe/json.h>
#include <mlpipe/labeling.h>
#include <mlpipe/trainer.h>

#include "contract.h"
#include "params.h"
#include "plugin_desc.h"

/* Fields a descriptor and a component must have for us to read them. */
#define DESC_MIN_SIZE offsetof(mlp_plugin_desc, init)
#define COMP_MIN_SIZE offsetof(mlp_component, reserved)

int mlpi_desc_check(const mlp_plugin_desc *d, mlp_error *err)
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

/* The i-th component, stepping by the size the plugin was built with. */
static const mlp_component *comp_at(const mlp_plugin_desc *d, size_t i)
{
    return (const mlp_component *)((const char *)d->components +
                                   i * d->component_size);
}

cJSON *mlpi_desc_component_names(const mlp_plugin_desc *d)
{
    cJSON *names;

    if (d->struct_size < DESC_MIN_SIZE || d->component_size < COMP_MIN_SIZE ||
        d->components == NULL)
        return NULL;
    names = cJSON_CreateArray();
    for (size_t i = 0; names != NULL && comp_at(d, i)->name != NULL; i++)
        cJSON_AddItemToArray(names, cJSON_CreateString(comp_at(d, i)->name));
    return names;
}

static void add_str(cJSON *o, const char *key, const char *v)
{
    if (v != NULL)
        cJSON_AddStringToObject(o, key, v);
}

static cJSON *ports_json(const mlp_port *ports)
{
    cJSON *a = cJSON_CreateArray();

    for (const mlp_port *p = ports; a != NULL && p && p->name; p++) {
        cJSON *o = cJSON_CreateObject();
        add_str(o, "name", p->name);
        add_str(o, "type", p->type);
        cJSON_AddNumberToObject(o, "flags", p->flags);
        add_str(o, "doc", p->doc);
        cJSON_AddItemToArray(a, o);
    }
    return a;
}

static cJSON *params_json(const mlp_param_spec *params)
{
    cJSON *a = cJSON_CreateArray();

    for (const mlp_param_spec *p = params; a != NULL && p && p->name; p++) {
        cJSON *o = cJSON_CreateObject();
        add_str(o, "name", p->name);
        cJSON_AddNumberToObject(o, "type", p->type);
        add_str(o, "default", p->default_json);
        cJSON_AddNumberToObject(o, "flags", p->flags);
        /* Bounds are kept only where a flag says they mean something, and
         * then they are finite (mlpi_param_spec_validate checked). */
        if (p->flags & MLP_PARAM_HAS_MIN)
            cJSON_AddNumberToObject(o, "min", p->min);
        if (p->flags & MLP_PARAM_HAS_MAX)
            cJSON_AddNumberToObject(o, "max", p->max);
        if (p->choices != NULL) {
            cJSON *ch = cJSON_AddArrayToObject(o, "choices");
            for (const char *const *c = p->choices; ch && *c; c++)
                cJSON_AddItemToArray(ch, cJSON_CreateString(*c));
        }
        add_str(o, "doc", p->doc);
        cJSON_AddItemToArray(a, o);
    }
    return a;
}

/* [A-Za-z][A-Za-z0-9_]*: type names are CamelCase by convention. */
int mlpi_type_name_ok(const char *s)
{
    if (s == NULL || !((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z')))
        return 0;
    for (s++; *s; s++)
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
              (*s >= '0' && *s <= '9') || *s == '_'))
            return 0;
    return 1;
}

/* The types of an ABI >= 1.1 descriptor, checked, as a JSON array. */
static cJSON *types_json(const mlp_plugin_desc *d, mlp_error *err)
{
    cJSON *a = cJSON_CreateArray();

    if (d->abi_minor < 1 || d->types == NULL || a == NULL)
        return a;
    for (const mlp_type_desc *t = d->types; t->name != NULL; t++) {
        cJSON *o, *contract = NULL;
        if (!mlpi_type_name_ok(t->name)) {
            mlp_error_set(err, MLP_EPLUGIN, "artifact type name '%s' is not "
                          "a name ([A-Za-z][A-Za-z0-9_]*)", t->name);
            cJSON_Delete(a);
            return NULL;
        }
        for (const mlp_type_desc *u = d->types; u != t; u++)
            if (strcmp(u->name, t->name) == 0) {
                mlp_error_set(err, MLP_EPLUGIN, "artifact type '%s' defined "
                              "twice", t->name);
                cJSON_Delete(a);
                return NULL;
            }
        if (t->contract != NULL &&
            mlpi_contract_parse(t->contract, &contract, err) != MLP_OK) {
            mlp_error_prefix(err, "artifact type '%s'", t->name);
            cJSON_Delete(a);
            return NULL;
        }
        cJSON_Delete(contract);
        o = cJSON_CreateObject();
        add_str(o, "name", t->name);
        add_str(o, "description", t->description);
        add_str(o, "contract", t->contract);
        cJSON_AddBoolToObject(o, "show", t->show != NULL);
        cJSON_AddBoolToObject(o, "html", t->html != NULL);
        cJSON_AddItemToArray(a, o);
    }
    return a;
}

/* A trainer is loaded by others (evaluation, prediction) long after its
 * run: refuse one that could not serve them now, at scan time. */
static int check_trainer(const mlp_component *c, mlp_error *err)
{
    const mlp_trainer *t = c->trainer;

    if (c->stage != MLP_STAGE_TRAIN)
        return mlp_error_set(err, MLP_EPLUGIN, "component '%s' has a trainer but "
                             "stage %s, not train", c->name, mlp_stage_name(c->stage));
    if (t->struct_size < offsetof(mlp_trainer, importance))
        return mlp_error_set(err, MLP_EPLUGIN, "component '%s': trainer struct size "
                             "%u is smaller than the %zu bytes of ABI 1.2", c->name,
                             t->struct_size, (size_t)offsetof(mlp_trainer, importance));
    if (!t->fit || !t->predict || !t->save || !t->load || !t->free)
        return mlp_error_set(err, MLP_EPLUGIN, "component '%s': its trainer lacks "
                             "fit, predict, save, load or free", c->name);
    if (t->layout > MLP_ROWS_STREAM)
        return mlp_error_set(err, MLP_EPLUGIN, "component '%s': its trainer asks for row "
                             "layout %u, which this mlpipe does not know (0, 1 or 2)",
                             c->name, t->layout);
    return MLP_OK;
}

static int check_lf(const mlp_component *c, const mlp_lf_fn *lf, mlp_error *err)
{
    if (lf->struct_size < offsetof(mlp_lf_fn, close) + sizeof lf->close)
        return mlp_error_set(err, MLP_EPLUGIN, "component '%s': labeling function struct "
                             "size %u is smaller than the %zu bytes of ABI 1.3", c->name,
                             lf->struct_size, sizeof(mlp_lf_fn));
    if (lf->vote == NULL)
        return mlp_error_set(err, MLP_EPLUGIN, "component '%s': its labeling function has "
                             "no vote", c->name);
    if (c->run != NULL)
        return mlp_error_set(err, MLP_EPLUGIN, "component '%s' is a labeling function and "
                             "has a run function: an LF is applied by apply_lfs, not run",
                             c->name);
    return MLP_OK;
}

cJSON *mlpi_desc_to_json(const mlp_plugin_desc *d, mlp_error *err)
{
    cJSON *j, *comps;

    if (mlpi_desc_check(d, err) != MLP_OK)
        return NULL;
    j = cJSON_CreateObject();
    if (j == NULL) {
        mlp_error_set(err, MLP_ENOMEM, "out of memory");
        return NULL;
    }
    add_str(j, "name", d->name);
    add_str(j, "version", d->version);
    add_str(j, "license", d->license);
    add_str(j, "description", d->description);
    cJSON_AddNumberToObject(j, "abi_minor", d->abi_minor);
    comps = cJSON_AddArrayToObject(j, "components");
    for (size_t i = 0; comps != NULL && comp_at(d, i)->name != NULL; i++) {
        mlp_component c;
        cJSON *o;
        memset(&c, 0, sizeof c);
        memcpy(&c, comp_at(d, i),
               d->component_size < sizeof c ? d->component_size : sizeof c);
        if (mlpi_component_validate(&c, err) != MLP_OK) {
            cJSON_Delete(j);
            return NULL;
        }
        /* The slot is a labeling function for stage label (ABI 1.3). */
        const mlp_lf_fn *lf = c.stage == MLP_STAGE_LABEL && d->abi_minor >= 3 ? c.lf : NULL;
        if (lf != NULL && check_lf(&c, lf, err) != MLP_OK) {
            cJSON_Delete(j);
            return NULL;
        }
        if (c.run == NULL && lf == NULL) {
            mlp_error_set(err, MLP_EPLUGIN,
                          "component '%s' has no run function", c.name);
            cJSON_Delete(j);
            return NULL;
        }
        if (d->abi_minor < 2 || lf != NULL)
            c.trainer = NULL;  /* the field did not exist yet, or is the LF */
        if (c.trainer != NULL && check_trainer(&c, err) != MLP_OK) {
            cJSON_Delete(j);
            return NULL;
        }
        o = cJSON_CreateObject();
        add_str(o, "name", c.name);
        if (c.trainer != NULL)
            cJSON_AddBoolToObject(o, "trainer", 1);
        if (lf != NULL)
            cJSON_AddBoolToObject(o, "lf", 1);
        add_str(o, "stage", mlp_stage_name(c.stage));
        add_str(o, "description", c.description);
        cJSON_AddItemToObject(o, "inputs", ports_json(c.inputs));
        cJSON_AddItemToObject(o, "outputs", ports_json(c.outputs));
        cJSON_AddItemToObject(o, "params", params_json(c.params));
        cJSON_AddItemToArray(comps, o);
    }
    if (comps == NULL) {
        cJSON_Delete(j);
        mlp_error_set(err, MLP_ENOMEM, "out of memory");
        return NULL;
    }
    {
        cJSON *types = types_json(d, err);
        if (types == NULL) {
            cJSON_Delete(j);
            return NULL;
        }
        cJSON_AddItemToObject(j, "types", types);
    }
    return j;
}

/* ------------------------------------------------------------- reading */

/* Every read names the field, so a damaged cache entry says what broke. */
static int get_str(const cJSON *o, const char *key, int required, char **out,
                   const char *what, mlp_error *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

    *out = NULL;
    if (v == NULL || cJSON_IsNull(v)) {
        if (required)
            return mlp_error_set(err, MLP_ECORRUPT, "%s: '%s' is missing",
                                 what, key);
        return MLP_OK;
    }
    if (!cJSON_IsString(v))
        return mlp_error_set(err, MLP_ECORRUPT, "%s: '%s' is not a string",
                             what, key);
    *out = strdup(v->valuestring);
    return *out ? MLP_OK : mlp_error_set(err, MLP_ENOMEM, "out of memory");
}

static int get_uint(const cJSON *o, const char *key, unsigned *out,
                    const char *what, mlp_error *err)
{
    int64_t v;

    if (mlp_json_get_int(cJSON_GetObjectItemCaseSensitive(o, key), &v) != MLP_OK ||
        v < 0 || v > 0xffff)
        return mlp_error_set(err, MLP_ECORRUPT,
                             "%s: '%s' is not a small non-negative integer",
                             what, key);
    *out = (unsigned)v;
    return MLP_OK;
}

static int get_bound(const cJSON *o, const char *key, double *out,
                     const char *what, mlp_error *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
        return mlp_error_set(err, MLP_ECORRUPT, "%s: '%s' is not a number",
                             what, key);
    *out = v->valuedouble;
    return MLP_OK;
}

static const cJSON *get_array(const cJSON *o, const char *key, const char *what,
                              mlp_error *err)
{
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, key);

    if (!cJSON_IsArray(a)) {
        mlp_error_set(err, MLP_ECORRUPT, "%s: '%s' is not an array", what, key);
        return NULL;
    }
    return a;
}

static int read_ports(const cJSON *a, mlp_port **out, const char *what,
                      mlp_error *err)
{
    size_t n = (size_t)cJSON_GetArraySize(a), i = 0;
    mlp_port *ports = calloc(n + 1, sizeof *ports);
    const cJSON *o;
    int rc = MLP_OK;

    *out = ports;
    if (ports == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    cJSON_ArrayForEach(o, a) {
        char *name, *type, *doc;
        if (!cJSON_IsObject(o))
            return mlp_error_set(err, MLP_ECORRUPT, "%s: a port is not an "
                                 "object", what);
        rc = get_str(o, "name", 1, &name, what, err);
        ports[i].name = name;
        if (rc == MLP_OK)
            rc = get_str(o, "type", 1, &type, what, err), ports[i].type = type;
        if (rc == MLP_OK)
            rc = get_str(o, "doc", 0, &doc, what, err), ports[i].doc = doc;
        if (rc == MLP_OK)
            rc = get_uint(o, "flags", &ports[i].flags, what, err);
        if (rc != MLP_OK)
            return rc;
        i++;
    }
    return MLP_OK;
}

static int read_choices(const cJSON *a, const char *const **out,
                        const char *what, mlp_error *err)
{
    size_t n = (size_t)cJSON_GetArraySize(a), i = 0;
    char **ch = calloc(n + 1, sizeof *ch);
    const cJSON *v;

    *out = (const char *const *)ch;
    if (ch == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    cJSON_ArrayForEach(v, a) {
        if (!cJSON_IsString(v))
            return mlp_error_set(err, MLP_ECORRUPT, "%s: a choice is not a "
                                 "string", what);
        if ((ch[i++] = strdup(v->valuestring)) == NULL)
            return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    }
    return MLP_OK;
}

static int read_params(const cJSON *a, mlp_param_spec **out, const char *what,
                       mlp_error *err)
{
    size_t n = (size_t)cJSON_GetArraySize(a), i = 0;
    mlp_param_spec *ps = calloc(n + 1, sizeof *ps);
    const cJSON *o;
    int rc = MLP_OK;

    *out = ps;
    if (ps == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    cJSON_ArrayForEach(o, a) {
        mlp_param_spec *p = &ps[i++];
        const cJSON *ch;
        char *name, *def, *doc;
        unsigned type = 0;
        if (!cJSON_IsObject(o))
            return mlp_error_set(err, MLP_ECORRUPT, "%s: a parameter is not "
                                 "an object", what);
        rc = get_str(o, "name", 1, &name, what, err);
        p->name = name;
        if (rc == MLP_OK)
            rc = get_str(o, "default", 0, &def, what, err), p->default_json = def;
        if (rc == MLP_OK)
            rc = get_str(o, "doc", 0, &doc, what, err), p->doc = doc;
        if (rc == MLP_OK)
            rc = get_uint(o, "type", &type, what, err);
        p->type = (mlp_param_type)type;
        if (rc == MLP_OK)
            rc = get_uint(o, "flags", &p->flags, what, err);
        if (rc == MLP_OK && (p->flags & MLP_PARAM_HAS_MIN))
            rc = get_bound(o, "min", &p->min, what, err);
        if (rc == MLP_OK && (p->flags & MLP_PARAM_HAS_MAX))
            rc = get_bound(o, "max", &p->max, what, err);
        ch = cJSON_GetObjectItemCaseSensitive(o, "choices");
        if (rc == MLP_OK && ch != NULL) {
            if (!cJSON_IsArray(ch))
                return mlp_error_set(err, MLP_ECORRUPT, "%s: 'choices' is not "
                                     "an array", what);
            rc = read_choices(ch, &p->choices, what, err);
        }
        if (rc != MLP_OK)
            return rc;
    }
    return MLP_OK;
}

static int read_component(const cJSON *o, mlpi_plugin *p, mlpi_component **out,
                          mlp_error *err)
{
    mlpi_component *c = calloc(1, sizeof *c);
    const cJSON *a;
    char what[256], *name = NULL, *stage = NULL, *desc = NULL;
    mlp_port *ports;
    mlp_param_spec *params;
    int rc;

    *out = NULL;
    if (c == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    c->owned = 1;
    c->plugin = p;
    c->lua_ref = LUA_NOREF;
    memcpy(c->source_hash, p->hash, sizeof c->source_hash);
    rc = get_str(o, "name", 1, &name, "a component", err);
    c->c.name = name;
    snprintf(what, sizeof what, "component '%s'", name ? name : "?");
    if (rc == MLP_OK)
        rc = get_str(o, "description", 0, &desc, what, err);
    c->c.description = desc;
    if (rc == MLP_OK)
        rc = get_str(o, "stage", 1, &stage, what, err);
    if (rc == MLP_OK && mlpi_stage_parse(stage, &c->c.stage) != MLP_OK)
        rc = mlp_error_set(err, MLP_ECORRUPT, "%s: unknown stage '%s'", what,
                           stage);
    free(stage);
    c->is_trainer = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "trainer"));
    c->is_lf = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "lf"));
    if (c->is_lf && (c->where = strdup(p->path)) == NULL)
        rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
    if (rc == MLP_OK && (a = get_array(o, "inputs", what, err)) == NULL)
        rc = err->code;
    if (rc == MLP_OK) {
        rc = read_ports(a, &ports, what, err);
        c->c.inputs = ports;
    }
    if (rc == MLP_OK && (a = get_array(o, "outputs", what, err)) == NULL)
        rc = err->code;
    if (rc == MLP_OK) {
        rc = read_ports(a, &ports, what, err);
        c->c.outputs = ports;
    }
    if (rc == MLP_OK && (a = get_array(o, "params", what, err)) == NULL)
        rc = err->code;
    if (rc == MLP_OK) {
        rc = read_params(a, &params, what, err);
        c->c.params = params;
    }
    if (rc != MLP_OK) {
        mlpi_component_free(c);
        return rc;
    }
    *out = c;
    return MLP_OK;
}

static int read_types(const cJSON *a, mlpi_plugin *p, mlp_error *err)
{
    const cJSON *o;
    size_t n = 0;

    if (a == NULL)
        return MLP_OK;  /* described before types existed */
    if (!cJSON_IsArray(a))
        return mlp_error_set(err, MLP_ECORRUPT, "plugin: 'types' is not an "
                             "array");
    p->types = calloc((size_t)cJSON_GetArraySize(a) + 1, sizeof *p->types);
    if (p->types == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    cJSON_ArrayForEach(o, a) {
        mlpi_type *t = &p->types[n];
        char *contract = NULL;
        int rc = get_str(o, "name", 1, &t->name, "artifact type", err);
        p->n_types = ++n;
        if (rc == MLP_OK)
            rc = get_str(o, "description", 0, &t->description, "artifact type",
                         err);
        if (rc == MLP_OK)
            rc = get_str(o, "contract", 0, &contract, "artifact type", err);
        if (rc == MLP_OK && !mlpi_type_name_ok(t->name))
            rc = mlp_error_set(err, MLP_ECORRUPT, "artifact type name '%s'",
                               t->name);
        if (rc == MLP_OK && contract != NULL)
            rc = mlpi_contract_parse(contract, &t->contract, err);
        free(contract);
        t->has_show = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "show"));
        t->has_html = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "html"));
        if (rc != MLP_OK)
            return rc;
    }
    return MLP_OK;
}

int mlpi_desc_from_json(const cJSON *j, const char *path,
                        const char *hash, mlpi_plugin **plugin, mlpi_component ***comps,
                        size_t *n_comps, mlp_error *err)
{
    mlpi_plugin *p = calloc(1, sizeof *p);
    mlpi_component **cs = NULL;
    const cJSON *a, *o;
    size_t n = 0;
    int rc;

    *plugin = NULL;
    *comps = NULL;
    *n_comps = 0;
    if (p == NULL || (p->path = strdup(path)) == NULL) {
        mlpi_plugin_free(p);
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    }
    snprintf(p->hash, sizeof p->hash, "%s", hash);
    rc = get_str(j, "name", 1, &p->name, "plugin", err);
    if (rc == MLP_OK)
        rc = get_str(j, "version", 1, &p->version, "plugin", err);
    if (rc == MLP_OK)
        rc = get_str(j, "license", 0, &p->license, "plugin", err);
    if (rc == MLP_OK)
        rc = get_str(j, "description", 0, &p->description, "plugin", err);
    if (rc == MLP_OK && p->license == NULL && (p->license = strdup("")) == NULL)
        rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
    if (rc == MLP_OK && p->description == NULL &&
        (p->description = strdup("")) == NULL)
        rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
    if (rc == MLP_OK)
        rc = read_types(cJSON_GetObjectItemCaseSensitive(j, "types"), p, err);
    if (rc == MLP_OK && (a = get_array(j, "components", "plugin", err)) == NULL)
        rc = err->code;
    if (rc == MLP_OK) {
        cs = calloc((size_t)cJSON_GetArraySize(a) + 1, sizeof *cs);
        if (cs == NULL)
            rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
    }
    if (rc == MLP_OK)
        cJSON_ArrayForEach(o, a) {
            rc = read_component(o, p, &cs[n], err);
            if (rc != MLP_OK)
                break;
            n++;
        }
    if (rc != MLP_OK) {
        for (size_t i = 0; i < n; i++)
            mlpi_component_free(cs[i]);
        free(cs);
        mlpi_plugin_free(p);
        return rc;
    }
    *plugin = p;
    *comps = cs;
    *n_comps = n;
    return MLP_OK;
}
