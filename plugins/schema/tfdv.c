/* A schema in TFDV's form: the protobuf JSON mapping of
 * tensorflow_metadata's Schema message, as json_format.MessageToJson
 * writes it (lowerCamelCase names, repeated fields singular, int64 values
 * as strings, string features typed BYTES).
 *
 * Our schema uses the same concepts with snake_case names, so most of the
 * mapping is the name; the exceptions are listed in `renames`.  Whatever
 * the mapping does not know stays under its converted name, and the
 * schema check then refuses it naming the field: nothing is dropped
 * silently.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mlpipe/mlpipe.h>

#include "tfdv.h"

/* Ours, TFDV's: names that are not a plain case conversion. */
static const char *const renames[][2] = {
    { "features", "feature" },
    { "string_domains", "stringDomain" },
    { "default_environments", "defaultEnvironment" },
    { "values", "value" },
    { NULL, NULL }
};

/* int64 fields, which the JSON mapping writes as strings. */
static const char *const int64_fields[] = {
    "min_count", "min_examples_count", "max_examples_count", NULL
};

static int is_int64_field(const char *ours, const char *parent)
{
    for (const char *const *k = int64_fields; *k; k++)
        if (strcmp(*k, ours) == 0)
            return 1;
    /* min and max are int64 in int_domain and unique_constraints, double
     * in float_domain. */
    return (strcmp(ours, "min") == 0 || strcmp(ours, "max") == 0) && parent &&
           (strcmp(parent, "int_domain") == 0 || strcmp(parent, "unique_constraints") == 0);
}

static void to_camel(const char *in, char *out, size_t n)
{
    size_t k = 0;

    for (int up = 0; *in && k + 1 < n; in++) {
        if (*in == '_') {
            up = 1;
            continue;
        }
        out[k++] = up ? (char)toupper((unsigned char)*in) : *in;
        up = 0;
    }
    out[k] = '\0';
}

static void to_snake(const char *in, char *out, size_t n)
{
    size_t k = 0;

    for (; *in && k + 2 < n; in++) {
        if (isupper((unsigned char)*in)) {
            out[k++] = '_';
            out[k++] = (char)tolower((unsigned char)*in);
        } else {
            out[k++] = *in;
        }
    }
    out[k] = '\0';
}

static void rename_key(const char *key, int export, int in_feature, char *out,
                       size_t n)
{
    /* A feature's own domain is one; the schema's named ones a list. */
    if (!export && in_feature && strcmp(key, "stringDomain") == 0) {
        snprintf(out, n, "string_domain");
        return;
    }
    for (int i = 0; renames[i][0]; i++)
        if (strcmp(key, renames[i][export ? 0 : 1]) == 0) {
            snprintf(out, n, "%s", renames[i][export ? 1 : 0]);
            return;
        }
    if (export)
        to_camel(key, out, n);
    else
        to_snake(key, out, n);
}

/* A value of an int64 field, exported as a decimal string, imported from
 * a string or a number. */
static cJSON *int64_value(const cJSON *v, int export, const char *path, int *bad)
{
    char buf[32], *end;
    long long x;

    if (export) {
        snprintf(buf, sizeof buf, "%.0f", cJSON_GetNumberValue(v));
        return cJSON_CreateString(buf);
    }
    if (cJSON_IsNumber(v))
        return cJSON_Duplicate(v, 0);
    if (!cJSON_IsString(v)) {
        *bad = 1;
        return NULL;
    }
    errno = 0;
    x = strtoll(v->valuestring, &end, 10);
    if (errno != 0 || end == v->valuestring || *end != '\0' ||
        x > 9007199254740992LL || x < -9007199254740992LL) {
        *bad = 1;
        return NULL;
    }
    (void)path;
    return cJSON_CreateNumber((double)x);
}

/* Converts v (whose own key is `key`, parent key `parent`) into the other
 * form.  Returns NULL on a value that has no exact counterpart; *where
 * names it. */
static cJSON *convert(const cJSON *v, const char *key, const char *parent,
                      int export, char *where, size_t wn)
{
    cJSON *out;
    const cJSON *m;

    if (key && is_int64_field(key, parent) && (cJSON_IsNumber(v) || cJSON_IsString(v))) {
        int bad = 0;
        out = int64_value(v, export, where, &bad);
        if (bad)
            snprintf(where, wn, "%s: expected a whole number (as a JSON number or "
                     "string), got %s", key, cJSON_IsString(v) ? v->valuestring : "?");
        return out;
    }
    if (key && strcmp(key, "type") == 0 && cJSON_IsString(v) && parent &&
        strcmp(parent, "features") == 0) {
        /* TFDV types text BYTES. */
        const char *t = v->valuestring;
        if (export && strcmp(t, "STRING") == 0)
            return cJSON_CreateString("BYTES");
        if (!export && strcmp(t, "BYTES") == 0)
            return cJSON_CreateString("STRING");
        return cJSON_Duplicate(v, 0);
    }
    if (cJSON_IsArray(v)) {
        out = cJSON_CreateArray();
        cJSON_ArrayForEach(m, v) {
            cJSON *c = convert(m, NULL, key, export, where, wn);
            if (c == NULL) {
                cJSON_Delete(out);
                return NULL;
            }
            cJSON_AddItemToArray(out, c);
        }
        return out;
    }
    if (!cJSON_IsObject(v))
        return cJSON_Duplicate(v, 0);
    out = cJSON_CreateObject();
    cJSON_ArrayForEach(m, v) {
        char name[128], ours[128];
        rename_key(m->string, export, key == NULL && parent != NULL &&
                   strcmp(parent, "features") == 0, name, sizeof name);
        /* Conversions look at our names: the source's when exporting. */
        snprintf(ours, sizeof ours, "%s", export ? m->string : name);
        /* TFDV's valueCount {min 1, max 1} is what a table cell is. */
        if (!export && strcmp(ours, "value_count") == 0 &&
            cJSON_IsObject(m) && cJSON_GetArraySize(m) == 2) {
            cJSON *lo = convert(cJSON_GetObjectItem(m, "min"), "min", "int_domain", 0, where, wn);
            cJSON *hi = convert(cJSON_GetObjectItem(m, "max"), "max", "int_domain", 0, where, wn);
            int one = lo && hi && cJSON_GetNumberValue(lo) == 1 && cJSON_GetNumberValue(hi) == 1;
            cJSON_Delete(lo);
            cJSON_Delete(hi);
            if (one)
                continue;
        }
        /* An array of features is "features" whatever its parent says. */
        cJSON *c = convert(m, ours, key ? key : (parent ? parent : ""), export,
                           where, wn);
        if (c == NULL) {
            cJSON_Delete(out);
            return NULL;
        }
        cJSON_AddItemToObject(out, name, c);
    }
    return out;
}

int tfdv_schema_import(const cJSON *tfdv, const char *origin, cJSON **out,
                       mlp_error *err)
{
    char where[256] = "";
    cJSON *s;

    *out = NULL;
    if (!cJSON_IsObject(tfdv))
        return mlp_error_set(err, MLP_EFORMAT, "%s: a TFDV schema is a JSON object",
                             origin);
    s = convert(tfdv, NULL, NULL, 0, where, sizeof where);
    if (s == NULL)
        return mlp_error_set(err, MLP_EFORMAT, "%s: %s", origin, where);
    /* TFDV's schema has no version: it is this mlpipe's format now. */
    cJSON_AddNumberToObject(s, "version", MLP_SCHEMA_VERSION);
    if (cJSON_GetObjectItem(s, "features") == NULL)
        cJSON_AddItemToObject(s, "features", cJSON_CreateArray());
    int rc = mlp_schema_check(s, origin, err);
    if (rc != MLP_OK) {
        cJSON_Delete(s);
        return rc;
    }
    *out = s;
    return MLP_OK;
}

cJSON *tfdv_schema_export(const cJSON *schema)
{
    char where[256];
    cJSON *copy = cJSON_Duplicate(schema, 1), *t;

    if (copy == NULL)
        return NULL;
    cJSON_DeleteItemFromObject(copy, "version");
    t = convert(copy, NULL, NULL, 1, where, sizeof where);
    cJSON_Delete(copy);
    return t;
}

int tfdv_is_schema(const cJSON *doc)
{
    return cJSON_IsObject(doc) && cJSON_GetObjectItem(doc, "version") == NULL &&
           (cJSON_GetObjectItem(doc, "feature") != NULL ||
            cJSON_GetObjectItem(doc, "stringDomain") != NULL ||
            cJSON_GetObjectItem(doc, "defaultEnvironment") != NULL ||
            cJSON_GetObjectItem(doc, "datasetConstraints") != NULL);
}
