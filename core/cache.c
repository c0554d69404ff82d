/* Fingerprints: what makes two executions interchangeable, and, when they
 * are not, which part changed. */
#define _GNU_SOURCE
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mlpipe/json.h>
#include <mlpipe/memory.h>

#include "artifact_priv.h"
#include "cache.h"
#include "lua_api.h"

/* Adds {path: content hash} for each file a FILE parameter names (globs
 * expanded), so changed raw data is a changed fingerprint. */
static void add_file_hashes(cJSON *files, const char *pattern, mlpi_store *store)
{
    glob_t g;
    char hash[MLPI_HASH_HEX], pat[4096];
    const char *span = strstr(pattern, "{SPAN}");

    /* {SPAN} (ingestion's span placeholder) matches every span: a new span
     * file changes the fingerprint. */
    if (span != NULL)
        snprintf(pat, sizeof pat, "%.*s*%s", (int)(span - pattern), pattern,
                 span + 6);
    else
        snprintf(pat, sizeof pat, "%s", pattern);
    if (glob(pat, GLOB_BRACE, NULL, &g) != 0) {
        cJSON_AddStringToObject(files, pattern, "missing");
        return;
    }
    for (size_t i = 0; i < g.gl_pathc; i++) {
        if (mlpi_store_file_hash(store, g.gl_pathv[i], hash, NULL) != MLP_OK)
            snprintf(hash, sizeof hash, "unreadable");
        cJSON_AddStringToObject(files, g.gl_pathv[i], hash);
    }
    globfree(&g);
}

static cJSON *file_parts(const mlpi_node *n, mlpi_store *store)
{
    cJSON *files = cJSON_CreateObject();

    for (const mlp_param_spec *s = n->comp->c.params; s && s->name; s++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(n->params, s->name), *e;
        if (!(s->flags & MLP_PARAM_FILE) || v == NULL)
            continue;
        if (cJSON_IsString(v))
            add_file_hashes(files, v->valuestring, store);
        if (cJSON_IsArray(v))
            cJSON_ArrayForEach(e, v)
                if (cJSON_IsString(e))
                    add_file_hashes(files, e->valuestring, store);
    }
    return files;
}

cJSON *mlpi_fingerprint_parts(const mlpi_node *n, mlp_artifact ***inputs,
                              mlpi_store *store)
{
    cJSON *parts = cJSON_CreateObject();
    cJSON *params = cJSON_CreateObject();
    cJSON *ins = cJSON_CreateArray();
    const cJSON *v;

    if (parts == NULL || params == NULL || ins == NULL) {
        cJSON_Delete(parts);
        cJSON_Delete(params);
        cJSON_Delete(ins);
        return NULL;
    }
    cJSON_AddStringToObject(parts, "component", n->comp->c.name);
    cJSON_AddStringToObject(parts, "code", n->comp->source_hash);
    if (n->comp->lua_ref >= 0) {
        char state[MLPI_HASH_HEX];
        mlpi_lua_component_state(n->comp, state);
        cJSON_AddStringToObject(parts, "lua_state", state);
    }
    cJSON_AddStringToObject(parts, "plugin_version", n->comp->plugin->version);
    if (n->trainer != NULL) {
        /* A selector's answer is its trainer's too. */
        cJSON_AddStringToObject(parts, "trainer_code", n->trainer->source_hash);
        cJSON_AddStringToObject(parts, "trainer_plugin_version",
                                n->trainer->plugin ? n->trainer->plugin->version : "");
    }
    if (n->n_lfs > 0) {
        /* The LFs' code and what they captured decide the votes. */
        cJSON *lfs = cJSON_AddArrayToObject(parts, "lfs");
        for (size_t j = 0; j < n->n_lfs; j++) {
            cJSON *o = cJSON_CreateObject();
            char state[MLPI_HASH_HEX];
            cJSON_AddStringToObject(o, "name", n->lfs[j]->c.name);
            cJSON_AddStringToObject(o, "code", n->lfs[j]->source_hash);
            if (n->lfs[j]->lua_ref >= 0) {
                mlpi_lua_component_state(n->lfs[j], state);
                cJSON_AddStringToObject(o, "lua_state", state);
            }
            cJSON_AddItemToArray(lfs, o);
        }
    }
    cJSON_ArrayForEach(v, n->params) {
        const mlp_param_spec *s = mlpi_param_find(n->comp->c.params, v->string);
        if (s != NULL && (s->flags & MLP_PARAM_NO_CACHE_KEY))
            continue;
        cJSON_AddItemToObject(params, v->string, cJSON_Duplicate(v, 1));
    }
    cJSON_AddItemToObject(parts, "params", params);
    for (size_t b = 0; b < n->n_inputs; b++) {
        cJSON *port = cJSON_CreateObject();
        cJSON *fps = cJSON_CreateArray(), *props = cJSON_CreateArray();
        cJSON_AddStringToObject(port, "port", n->inputs[b].port->name);
        /* Files and properties: an upstream that re-ran with the same
         * files but other properties (splits, label) is another input. */
        for (size_t k = 0; k < mlpi_binding_count(&n->inputs[b]); k++) {
            cJSON_AddItemToArray(fps, cJSON_CreateString(inputs[b][k]->fingerprint));
            cJSON_AddItemToArray(props, cJSON_Duplicate(inputs[b][k]->props, 1));
        }
        cJSON_AddItemToObject(port, "fingerprints", fps);
        cJSON_AddItemToObject(port, "properties", props);
        cJSON_AddItemToArray(ins, port);
    }
    cJSON_AddItemToObject(parts, "inputs", ins);
    cJSON_AddItemToObject(parts, "files", file_parts(n, store));
    return parts;
}

int mlpi_fingerprint(const cJSON *parts, char out[MLPI_HASH_HEX], char **text,
                     mlp_error *err)
{
    char *t = mlp_json_canonical(parts);

    if (t == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    mlpi_hash_bytes(t, strlen(t), out);
    *text = t;
    return MLP_OK;
}

static const char *str_of(const cJSON *obj, const char *key, const char *dflt)
{
    const char *s = cJSON_GetStringValue(cJSON_GetObjectItem(obj, key));
    return s ? s : dflt;
}

static char *short_json(const cJSON *v)
{
    char *t = v ? mlp_json_print(v, 0) : NULL;
    char *out;

    if (t == NULL)
        return strdup("unset");
    if (strlen(t) > 60)
        strcpy(t + 57, "...");
    out = strdup(t);
    mlp_free(t);
    return out;
}

/* Equal as their canonical texts are: cJSON_Compare takes numbers within
 * an epsilon as equal, and 2^53 + 1 as 2^53. */
static int same(const cJSON *a, const cJSON *b)
{
    char *ta = a ? mlp_json_canonical(a) : NULL;
    char *tb = b ? mlp_json_canonical(b) : NULL;
    int eq = ta != NULL && tb != NULL && strcmp(ta, tb) == 0;

    mlp_free(ta);
    mlp_free(tb);
    return eq;
}

char *mlpi_explain_change(const char *old_text, const cJSON *cur,
                          const char *gone)
{
    cJSON *old = old_text ? mlp_json_parse(old_text, strlen(old_text)) : NULL;
    char buf[2048];
    const cJSON *v;
    size_t n = 0;

    buf[0] = '\0';
    if (old == NULL)
        return strdup("no earlier execution of this node");
#define ADD(...) n += (size_t)snprintf(buf + n, n < sizeof buf ? sizeof buf - n : 0, __VA_ARGS__)
    if (strcmp(str_of(old, "component", ""),
               str_of(cur, "component", "")) != 0)
        ADD("%scomponent changed", n ? "; " : "");
    else if (strcmp(str_of(old, "code", ""),
                    str_of(cur, "code", "")) != 0)
        ADD("%sthe component's code changed (plugin %s -> %s)", n ? "; " : "",
            str_of(old, "plugin_version", "?"),
            str_of(cur, "plugin_version", "?"));
    else if (strcmp(str_of(old, "lua_state", ""),
                    str_of(cur, "lua_state", "")) != 0)
        ADD("%sa value the Lua component captured, the script's arguments or "
            "a module it requires changed", n ? "; " : "");
    const cJSON *op = cJSON_GetObjectItem(old, "params");
    const cJSON *cp = cJSON_GetObjectItem(cur, "params");
    cJSON_ArrayForEach(v, cp) {
        const cJSON *o = cJSON_GetObjectItemCaseSensitive(op, v->string);
        if (o == NULL || !same(o, v)) {
            char *a = short_json(o), *b = short_json(v);
            ADD("%sparameter '%s' changed (%s -> %s)", n ? "; " : "", v->string,
                a, b);
            free(a);
            free(b);
        }
    }
    cJSON_ArrayForEach(v, op)
        if (cJSON_GetObjectItemCaseSensitive(cp, v->string) == NULL)
            ADD("%sparameter '%s' was removed", n ? "; " : "", v->string);
    const cJSON *oi = cJSON_GetObjectItem(old, "inputs");
    cJSON_ArrayForEach(v, cJSON_GetObjectItem(cur, "inputs")) {
        const char *port = cJSON_GetStringValue(cJSON_GetObjectItem(v, "port"));
        const cJSON *match = NULL, *o;
        cJSON_ArrayForEach(o, oi)
            if (strcmp(str_of(o, "port", ""),
                       port ? port : "") == 0)
                match = o;
        if (match == NULL ||
            !same(cJSON_GetObjectItem(match, "fingerprints"),
                  cJSON_GetObjectItem(v, "fingerprints")))
            ADD("%sinput '%s' changed", n ? "; " : "", port ? port : "?");
    }
    const cJSON *of = cJSON_GetObjectItem(old, "files");
    cJSON_ArrayForEach(v, cJSON_GetObjectItem(cur, "files")) {
        const cJSON *o = cJSON_GetObjectItemCaseSensitive(of, v->string);
        if (o == NULL || !same(o, v))
            ADD("%sdata file %s changed", n ? "; " : "", v->string);
    }
#undef ADD
    cJSON_Delete(old);
    if (n == 0) {
        snprintf(buf, sizeof buf, "same fingerprint as before, but its "
                 "outputs are gone%s%s", gone ? ": " : "", gone ? gone : "");
        return strdup(buf);
    }
    return strdup(buf);
}
