/* Artifact type contracts: what a complete artifact holds. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <mlpipe/json.h>

#include "contract.h"
#include "fsutil.h"

static const char *const json_types[] = {
    "array", "object", "string", "number", "integer", "boolean", "any", NULL
};

/* A relative path inside the artifact: no "..", not absolute. */
static int safe_relative(const char *p)
{
    if (p[0] == '\0' || p[0] == '/')
        return 0;
    for (const char *s = p; *s;) {
        size_t n = strcspn(s, "/");
        if ((n == 2 && s[0] == '.' && s[1] == '.') || n == 0)
            return 0;
        s += n;
        if (*s == '/')
            s++;
    }
    return 1;
}

static int check_files_member(const cJSON *files, const char *where,
                              int pattern, mlp_error *err)
{
    const cJSON *f;

    if (!cJSON_IsArray(files))
        return mlp_error_set(err, MLP_EINVAL, "contract: %s must be an array "
                             "of file names", where);
    cJSON_ArrayForEach(f, files) {
        const char *brace;
        if (!cJSON_IsString(f) || !safe_relative(f->valuestring))
            return mlp_error_set(err, MLP_EINVAL, "contract: %s holds %s, not "
                                 "a relative file name inside the artifact",
                                 where, cJSON_IsString(f) ? f->valuestring
                                                         : "a non-string");
        brace = strstr(f->valuestring, "{}");
        if (pattern && brace == NULL)
            return mlp_error_set(err, MLP_EINVAL, "contract: each.files name "
                                 "'%s' has no {} for the element",
                                 f->valuestring);
        if (!pattern && brace != NULL)
            return mlp_error_set(err, MLP_EINVAL, "contract: files name '%s' "
                                 "has {} outside \"each\"", f->valuestring);
    }
    return MLP_OK;
}

int mlpi_contract_parse(const char *text, cJSON **out, mlp_error *err)
{
    cJSON *c = mlp_json_parse(text, strlen(text));
    const cJSON *m;
    int rc = MLP_OK;

    *out = NULL;
    if (!cJSON_IsObject(c)) {
        cJSON_Delete(c);
        return mlp_error_set(err, MLP_EINVAL, "contract: not a JSON object");
    }
    cJSON_ArrayForEach(m, c) {
        if (strcmp(m->string, "properties") == 0) {
            const cJSON *p;
            if (!cJSON_IsObject(m))
                rc = mlp_error_set(err, MLP_EINVAL, "contract: properties must "
                                   "be an object (name: JSON type)");
            cJSON_ArrayForEach(p, m) {
                int known = 0;
                for (size_t i = 0; cJSON_IsString(p) && json_types[i]; i++)
                    known |= strcmp(p->valuestring, json_types[i]) == 0;
                if (rc == MLP_OK && !known)
                    rc = mlp_error_set(err, MLP_EINVAL, "contract: property "
                                       "'%s' has type %s; expected one of "
                                       "array, object, string, number, "
                                       "integer, boolean, any", p->string,
                                       cJSON_IsString(p) ? p->valuestring : "?");
            }
        } else if (strcmp(m->string, "files") == 0) {
            rc = check_files_member(m, "files", 0, err);
        } else if (strcmp(m->string, "each") == 0) {
            const cJSON *prop = cJSON_GetObjectItemCaseSensitive(m, "property");
            if (!cJSON_IsObject(m) || !cJSON_IsString(prop))
                rc = mlp_error_set(err, MLP_EINVAL, "contract: each needs "
                                   "\"property\" (a name) and \"files\"");
            else
                rc = check_files_member(cJSON_GetObjectItemCaseSensitive(m, "files"),
                                        "each.files", 1, err);
        } else if (strcmp(m->string, "nonempty") == 0) {
            if (!cJSON_IsBool(m))
                rc = mlp_error_set(err, MLP_EINVAL, "contract: nonempty must "
                                   "be true or false");
        } else {
            rc = mlp_error_set(err, MLP_EINVAL, "contract: unknown member '%s' "
                               "(known: properties, files, each, nonempty)",
                               m->string);
        }
        if (rc != MLP_OK)
            break;
    }
    if (rc != MLP_OK) {
        cJSON_Delete(c);
        return rc;
    }
    *out = c;
    return MLP_OK;
}

static int has_type(const cJSON *v, const char *type)
{
    if (strcmp(type, "any") == 0)
        return 1;
    if (strcmp(type, "array") == 0)
        return cJSON_IsArray(v);
    if (strcmp(type, "object") == 0)
        return cJSON_IsObject(v);
    if (strcmp(type, "string") == 0)
        return cJSON_IsString(v);
    if (strcmp(type, "boolean") == 0)
        return cJSON_IsBool(v);
    if (strcmp(type, "integer") == 0) {
        int64_t i;
        return mlp_json_get_int(v, &i) == MLP_OK;
    }
    return cJSON_IsNumber(v) && isfinite(v->valuedouble);
}

static int need_file(const char *dir, const char *name, const char *why,
                     mlp_error *err)
{
    char path[4096];

    mlpi_path_join(path, sizeof path, dir, name);
    if (!mlpi_is_file(path))
        return mlp_error_set(err, MLP_EFORMAT, "file %s is missing%s", name,
                             why);
    return MLP_OK;
}

/* Whether dir holds a file anywhere below it. */
static int holds_a_file(const char *dir)
{
    char **names;
    size_t n;
    mlp_error err;
    int found = 0;

    if (mlpi_dir_entries(dir, &names, &n, &err) != MLP_OK)
        return 0;
    for (size_t i = 0; i < n && !found; i++) {
        char path[4096];
        mlpi_path_join(path, sizeof path, dir, names[i]);
        found = mlpi_is_file(path) || (mlpi_is_dir(path) && holds_a_file(path));
    }
    mlpi_dir_entries_free(names, n);
    return found;
}

static int check_each(const cJSON *each, const char *dir, const cJSON *props,
                      mlp_error *err)
{
    const char *pname = cJSON_GetObjectItemCaseSensitive(each, "property")->valuestring;
    const cJSON *files = cJSON_GetObjectItemCaseSensitive(each, "files");
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(props, pname);
    const cJSON *e;

    if (!cJSON_IsArray(v) && !cJSON_IsObject(v))
        return mlp_error_set(err, MLP_EFORMAT, "property '%s' is missing or "
                             "neither an array nor an object", pname);
    cJSON_ArrayForEach(e, v) {
        const char *key = cJSON_IsObject(v) ? e->string
                          : cJSON_IsString(e) ? e->valuestring : NULL;
        const cJSON *f;
        if (key == NULL || !safe_relative(key) || strchr(key, '/') != NULL)
            return mlp_error_set(err, MLP_EFORMAT, "property '%s' holds %s%s%s, "
                                 "which cannot name a file", pname,
                                 key ? "'" : "a non-string", key ? key : "",
                                 key ? "'" : "");
        cJSON_ArrayForEach(f, files) {
            const char *brace = strstr(f->valuestring, "{}");
            char name[4096], why[512];
            int rc;
            snprintf(name, sizeof name, "%.*s%s%s", (int)(brace - f->valuestring),
                     f->valuestring, key, brace + 2);
            snprintf(why, sizeof why, " (for %s '%s')", pname, key);
            rc = need_file(dir, name, why, err);
            if (rc != MLP_OK)
                return rc;
        }
    }
    return MLP_OK;
}

int mlpi_contract_check(const cJSON *contract, const char *dir,
                        const cJSON *props, mlp_error *err)
{
    const cJSON *m;
    int rc = MLP_OK;

    cJSON_ArrayForEach(m, contract) {
        if (strcmp(m->string, "properties") == 0) {
            const cJSON *p;
            cJSON_ArrayForEach(p, m) {
                const cJSON *v = cJSON_GetObjectItemCaseSensitive(props, p->string);
                if (v == NULL || cJSON_IsNull(v))
                    return mlp_error_set(err, MLP_EFORMAT, "property '%s' is "
                                         "missing", p->string);
                if (!has_type(v, p->valuestring))
                    return mlp_error_set(err, MLP_EFORMAT, "property '%s' is "
                                         "not %s %s", p->string,
                                         strchr("aeiou", p->valuestring[0]) ? "an" : "a",
                                         p->valuestring);
            }
        } else if (strcmp(m->string, "files") == 0) {
            const cJSON *f;
            cJSON_ArrayForEach(f, m)
                if ((rc = need_file(dir, f->valuestring, "", err)) != MLP_OK)
                    return rc;
        } else if (strcmp(m->string, "each") == 0) {
            if ((rc = check_each(m, dir, props, err)) != MLP_OK)
                return rc;
        } else if (strcmp(m->string, "nonempty") == 0) {
            if (cJSON_IsTrue(m) && !holds_a_file(dir))
                return mlp_error_set(err, MLP_EFORMAT, "it holds no file");
        }
    }
    return MLP_OK;
}
