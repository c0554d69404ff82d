/* Schemas: parsing, checking every field, and the lookups validators use.
 *
 * The checks are strict on purpose: a schema is edited by hand, and a
 * misspelt field silently ignored would switch a check off.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mlpipe/json.h>
#include <mlpipe/names.h>
#include <mlpipe/schema.h>

#include "fsutil.h"

static const char *const types[] = { "INT", "FLOAT", "STRING", NULL };
static const char *const stages[] = {
    "UNKNOWN_STAGE", "PLANNED", "ALPHA", "BETA", "PRODUCTION", "DEPRECATED",
    "DEBUG", NULL
};

typedef struct checker {
    const char *origin;
    mlp_error *err;
    char path[512];
    /* The string domains by name, and the features' names seen so far:
     * a schema may describe 100,000 features. */
    mlp_json_index *domains;
    mlp_names *features;
} checker;

static int bad(checker *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int bad(checker *c, const char *fmt, ...)
{
    char msg[MLP_ERROR_MAX];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return mlp_error_set(c->err, MLP_EINVAL, "%s: %s%s%s", c->origin, c->path,
                         c->path[0] ? ": " : "", msg);
}

static const char *kind(const cJSON *v)
{
    if (v == NULL) return "nothing";
    if (cJSON_IsBool(v)) return "a boolean";
    if (cJSON_IsNumber(v)) return "a number";
    if (cJSON_IsString(v)) return "a string";
    if (cJSON_IsArray(v)) return "a list";
    if (cJSON_IsObject(v)) return "an object";
    return "null";
}

/* Runs fn with c->path extended by suffix; restores it afterwards. */
#define WITH_PATH(c, fmt, ...)                                               \
    for (size_t keep_ = strlen((c)->path), once_ = 1; once_;                  \
         (c)->path[keep_] = '\0', once_ = 0)                                 \
        for (int set_ = snprintf((c)->path + keep_, sizeof (c)->path - keep_, \
                                 fmt, __VA_ARGS__); set_ >= 0; set_ = -1)

static int only_keys(checker *c, const cJSON *obj, const char *const *keys)
{
    const cJSON *m;

    if (!cJSON_IsObject(obj))
        return bad(c, "expected an object, got %s", kind(obj));
    cJSON_ArrayForEach(m, obj) {
        int ok = 0;
        for (const char *const *k = keys; *k; k++)
            ok |= strcmp(*k, m->string) == 0;
        if (!ok) {
            char list[400] = "";
            size_t n = 0;
            for (const char *const *k = keys; *k; k++)
                n += (size_t)snprintf(list + n, n < sizeof list ? sizeof list - n : 0,
                                      "%s%s", n ? ", " : "", *k);
            return bad(c, "unknown field '%s' (known: %s)", m->string, list);
        }
    }
    return MLP_OK;
}

static int in_list(const char *s, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(s, *list) == 0)
            return 1;
    return 0;
}

static int number(checker *c, const cJSON *obj, const char *key, double lo,
                  double hi, int integer, int *present, double *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    int rc = MLP_OK;

    *present = v != NULL;
    if (v == NULL)
        return MLP_OK;
    WITH_PATH(c, ".%s", key) {
        if (!cJSON_IsNumber(v))
            rc = bad(c, "expected a number, got %s", kind(v));
        else if (!isfinite(v->valuedouble))
            rc = bad(c, "expected a finite number, got %g", v->valuedouble);
        else if (integer && floor(v->valuedouble) != v->valuedouble)
            rc = bad(c, "expected a whole number, got %g", v->valuedouble);
        else if (v->valuedouble < lo || v->valuedouble > hi)
            rc = bad(c, "%g is outside [%g, %g]", v->valuedouble, lo, hi);
        else
            *out = v->valuedouble;
    }
    return rc;
}

static int boolean(checker *c, const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    int rc = MLP_OK;

    if (v != NULL && !cJSON_IsBool(v))
        WITH_PATH(c, ".%s", key)
            rc = bad(c, "expected true or false, got %s", kind(v));
    return rc;
}

static int string_list(checker *c, const cJSON *v, int unique)
{
    const cJSON *e;
    int i = 0;

    if (!cJSON_IsArray(v))
        return bad(c, "expected a list of strings, got %s", kind(v));
    mlp_names *seen = unique ? mlp_names_new() : NULL;
    if (unique && seen == NULL)
        return mlp_error_set(c->err, MLP_ENOMEM, "out of memory");
    cJSON_ArrayForEach(e, v) {
        int rc = MLP_OK;
        WITH_PATH(c, "[%d]", i) {
            if (!cJSON_IsString(e))
                rc = bad(c, "expected a string, got %s", kind(e));
            else if (unique && (rc = mlp_names_add(seen, e->valuestring, 0, NULL)) != MLP_OK)
                rc = rc == MLP_EEXIST ? bad(c, "value \"%s\" is listed twice", e->valuestring)
                                      : mlp_error_set(c->err, MLP_ENOMEM, "out of memory");
        }
        if (rc != MLP_OK) {
            mlp_names_free(seen);
            return rc;
        }
        i++;
    }
    mlp_names_free(seen);
    return MLP_OK;
}

static int range(checker *c, const cJSON *f, const char *key, int integer)
{
    static const char *const int_keys[] = { "min", "max", "is_categorical", NULL };
    static const char *const float_keys[] = { "min", "max", "disallow_nan",
                                              "disallow_inf", NULL };
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(f, key);
    double lo = 0, hi = 0;
    int has_lo, has_hi, rc = MLP_OK;

    if (d == NULL)
        return MLP_OK;
    WITH_PATH(c, ".%s", key) {
        rc = only_keys(c, d, integer ? int_keys : float_keys);
        if (rc == MLP_OK)
            rc = number(c, d, "min", -INFINITY, INFINITY, integer, &has_lo, &lo);
        if (rc == MLP_OK)
            rc = number(c, d, "max", -INFINITY, INFINITY, integer, &has_hi, &hi);
        if (rc == MLP_OK && integer)
            rc = boolean(c, d, "is_categorical");
        if (rc == MLP_OK && !integer)
            rc = boolean(c, d, "disallow_nan");
        if (rc == MLP_OK && !integer)
            rc = boolean(c, d, "disallow_inf");
        if (rc == MLP_OK && has_lo && has_hi && lo > hi)
            rc = bad(c, "min %g is greater than max %g", lo, hi);
    }
    return rc;
}

/* A drift or skew comparator: any of TFDV's three, each with a threshold
 * in [0, 1]; Jensen-Shannon may name its histogram (source.type). */
static int comparator(checker *c, const cJSON *f, const char *key,
                      const char *type)
{
    static const char *const keys[] = { "infinity_norm", "jensen_shannon_divergence",
                                        "normalized_abs_difference", NULL };
    static const char *const t_keys[] = { "threshold", NULL };
    static const char *const jsd_keys[] = { "threshold", "source", NULL };
    static const char *const src_keys[] = { "type", NULL };
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(f, key), *m;
    int rc = MLP_OK;

    if (d == NULL)
        return MLP_OK;
    WITH_PATH(c, ".%s", key) {
        rc = only_keys(c, d, keys);
        if (rc == MLP_OK && (!cJSON_IsObject(d) || cJSON_GetArraySize(d) == 0))
            rc = bad(c, "give at least one of infinity_norm, "
                     "jensen_shannon_divergence or normalized_abs_difference");
        const cJSON *members = rc == MLP_OK ? d : NULL;
        cJSON_ArrayForEach(m, members) {
            int is_jsd = strcmp(m->string, "jensen_shannon_divergence") == 0;
            double t;
            int has;
            if (rc != MLP_OK)
                break;
            WITH_PATH(c, ".%s", m->string) {
                if (!is_jsd && strcmp(type, "FLOAT") == 0)
                    rc = bad(c, "%s compares category counts; a FLOAT feature "
                             "takes jensen_shannon_divergence", m->string);
                if (rc == MLP_OK)
                    rc = only_keys(c, m, is_jsd ? jsd_keys : t_keys);
                if (rc == MLP_OK)
                    rc = number(c, m, "threshold", 0, 1, 0, &has, &t);
                if (rc == MLP_OK && !has)
                    rc = bad(c, "needs a threshold");
                const cJSON *src = cJSON_GetObjectItemCaseSensitive(m, "source");
                if (rc == MLP_OK && src != NULL)
                    WITH_PATH(c, "%s", ".source") {
                        const cJSON *st = cJSON_GetObjectItemCaseSensitive(src, "type");
                        const char *sv = cJSON_GetStringValue(st);
                        rc = only_keys(c, src, src_keys);
                        if (rc == MLP_OK && st != NULL &&
                            (sv == NULL || (strcmp(sv, "DEFAULT") != 0 &&
                                            strcmp(sv, "QUANTILES") != 0 &&
                                            strcmp(sv, "STANDARD") != 0)))
                            WITH_PATH(c, "%s", ".type")
                                rc = bad(c, "expected \"DEFAULT\", \"QUANTILES\" "
                                         "or \"STANDARD\"");
                    }
            }
        }
    }
    return rc;
}

static const cJSON *named_domain(const cJSON *schema, const char *name)
{
    const cJSON *d;

    cJSON_ArrayForEach(d, cJSON_GetObjectItemCaseSensitive(schema, "string_domains")) {
        const char *n = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(d, "name"));
        if (n && strcmp(n, name) == 0)
            return d;
    }
    return NULL;
}

static int environments(checker *c, const cJSON *schema, const cJSON *f)
{
    const cJSON *declared = cJSON_GetObjectItemCaseSensitive(schema, "default_environments");
    const char *const keys[] = { "in_environment", "not_in_environment" };
    int rc = MLP_OK;

    for (int k = 0; k < 2 && rc == MLP_OK; k++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(f, keys[k]), *e;
        if (v == NULL)
            continue;
        WITH_PATH(c, ".%s", keys[k]) {
            rc = string_list(c, v, 1);
            cJSON_ArrayForEach(e, v) {
                const cJSON *d;
                int found = declared == NULL;
                if (rc != MLP_OK)
                    break;
                cJSON_ArrayForEach(d, declared)
                    found |= strcmp(d->valuestring, e->valuestring) == 0;
                if (!found)
                    rc = bad(c, "environment \"%s\" is not among "
                             "default_environments", e->valuestring);
            }
        }
    }
    const cJSON *in = cJSON_GetObjectItemCaseSensitive(f, "in_environment");
    const cJSON *out = cJSON_GetObjectItemCaseSensitive(f, "not_in_environment"), *a, *b;
    cJSON_ArrayForEach(a, in)
        cJSON_ArrayForEach(b, out)
            if (rc == MLP_OK && strcmp(a->valuestring, b->valuestring) == 0)
                rc = bad(c, "environment \"%s\" is both in in_environment and "
                         "not_in_environment", a->valuestring);
    return rc;
}

static int check_feature(checker *c, const cJSON *schema, const cJSON *f)
{
    static const char *const keys[] = {
        "name", "type", "presence", "domain", "string_domain", "int_domain",
        "float_domain", "distribution_constraints", "lifecycle_stage",
        "in_environment", "not_in_environment", "drift_comparator",
        "skew_comparator", "description", "unique_constraints", "bool_domain", NULL
    };
    static const char *const uc_keys[] = { "min", "max", NULL };
    static const char *const bool_keys[] = { "true_value", "false_value", NULL };
    static const char *const presence_keys[] = { "min_fraction", "min_count", NULL };
    static const char *const sd_keys[] = { "values", NULL };
    static const char *const dc_keys[] = { "min_domain_mass", NULL };
    const char *type = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(f, "type"));
    const cJSON *v;
    double x;
    int has, rc = only_keys(c, f, keys);

    if (rc != MLP_OK)
        return rc;
    if (type == NULL || !in_list(type, types))
        return bad(c, "type must be \"INT\", \"FLOAT\" or \"STRING\", got %s",
                   type ? type : kind(cJSON_GetObjectItemCaseSensitive(f, "type")));
    if ((v = cJSON_GetObjectItemCaseSensitive(f, "presence")) != NULL)
        WITH_PATH(c, "%s", ".presence") {
            rc = only_keys(c, v, presence_keys);
            if (rc == MLP_OK)
                rc = number(c, v, "min_fraction", 0, 1, 0, &has, &x);
            if (rc == MLP_OK)
                rc = number(c, v, "min_count", 0, 9.0e15, 1, &has, &x);
        }
    if (rc != MLP_OK)
        return rc;
    const cJSON *dname = cJSON_GetObjectItemCaseSensitive(f, "domain");
    const cJSON *sd = cJSON_GetObjectItemCaseSensitive(f, "string_domain");
    const cJSON *idom = cJSON_GetObjectItemCaseSensitive(f, "int_domain");
    const cJSON *fdom = cJSON_GetObjectItemCaseSensitive(f, "float_domain");
    const cJSON *bdom = cJSON_GetObjectItemCaseSensitive(f, "bool_domain");
    if ((dname != NULL) + (sd != NULL) + (idom != NULL) + (fdom != NULL) +
        (bdom != NULL) > 1)
        return bad(c, "give at most one of domain, string_domain, int_domain, "
                   "float_domain and bool_domain");
    if (bdom != NULL)
        WITH_PATH(c, "%s", ".bool_domain") {
            rc = only_keys(c, bdom, bool_keys);
            for (int k = 0; rc == MLP_OK && k < 2; k++) {
                const cJSON *b = cJSON_GetObjectItemCaseSensitive(bdom, bool_keys[k]);
                if (b != NULL && !cJSON_IsString(b))
                    WITH_PATH(c, ".%s", bool_keys[k])
                        rc = bad(c, "expected a string, got %s", kind(b));
            }
            const char *tv = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(bdom, "true_value"));
            const char *fv = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(bdom, "false_value"));
            if (rc == MLP_OK && tv && fv && strcmp(tv, fv) == 0)
                rc = bad(c, "true_value and false_value are both \"%s\"", tv);
            if (rc == MLP_OK && strcmp(type, "FLOAT") == 0)
                rc = bad(c, "a bool domain fits INT (0 and 1) or STRING features, "
                         "this one is FLOAT");
            if (rc == MLP_OK && (tv || fv) && strcmp(type, "STRING") != 0)
                rc = bad(c, "true_value and false_value fit STRING features only, "
                         "this one is %s", type);
        }
    if (rc != MLP_OK)
        return rc;
    if ((v = cJSON_GetObjectItemCaseSensitive(f, "unique_constraints")) != NULL)
        WITH_PATH(c, "%s", ".unique_constraints") {
            double lo = 0, hi = 0;
            int has_lo, has_hi;
            rc = only_keys(c, v, uc_keys);
            if (rc == MLP_OK)
                rc = number(c, v, "min", 0, 9.0e15, 1, &has_lo, &lo);
            if (rc == MLP_OK)
                rc = number(c, v, "max", 0, 9.0e15, 1, &has_hi, &hi);
            if (rc == MLP_OK && has_lo && has_hi && lo > hi)
                rc = bad(c, "min %g is greater than max %g", lo, hi);
            if (rc == MLP_OK && strcmp(type, "FLOAT") == 0)
                rc = bad(c, "unique values are counted for categorical features "
                         "(STRING or INT), this one is FLOAT");
        }
    if (rc != MLP_OK)
        return rc;
    if (dname != NULL) {
        if (!cJSON_IsString(dname))
            WITH_PATH(c, "%s", ".domain")
                rc = bad(c, "expected the name of a string domain, got %s",
                         kind(dname));
        else if (mlp_json_index_find(c->domains, dname->valuestring) == NULL)
            WITH_PATH(c, "%s", ".domain")
                rc = bad(c, "no string domain called \"%s\" in string_domains",
                         dname->valuestring);
    }
    if (rc == MLP_OK && sd != NULL)
        WITH_PATH(c, "%s", ".string_domain") {
            rc = only_keys(c, sd, sd_keys);
            if (rc == MLP_OK)
                WITH_PATH(c, "%s", ".values")
                    rc = string_list(c, cJSON_GetObjectItemCaseSensitive(sd, "values"), 1);
        }
    if (rc == MLP_OK && (dname || sd) && strcmp(type, "STRING") != 0)
        rc = bad(c, "a string domain fits STRING features only, this one is %s",
                 type);
    if (rc == MLP_OK && idom && strcmp(type, "FLOAT") == 0)
        rc = bad(c, "int_domain on a FLOAT feature: use float_domain");
    if (rc == MLP_OK && fdom && strcmp(type, "INT") == 0)
        rc = bad(c, "float_domain on an INT feature: use int_domain");
    if (rc == MLP_OK)
        rc = range(c, f, "int_domain", 1);
    if (rc == MLP_OK)
        rc = range(c, f, "float_domain", 0);
    if (rc == MLP_OK && (v = cJSON_GetObjectItemCaseSensitive(f, "distribution_constraints")))
        WITH_PATH(c, "%s", ".distribution_constraints") {
            rc = only_keys(c, v, dc_keys);
            if (rc == MLP_OK)
                rc = number(c, v, "min_domain_mass", 0, 1, 0, &has, &x);
            if (rc == MLP_OK && !(dname || sd))
                rc = bad(c, "min_domain_mass needs a string domain");
        }
    if (rc == MLP_OK && (v = cJSON_GetObjectItemCaseSensitive(f, "lifecycle_stage")) &&
        (!cJSON_IsString(v) || !in_list(v->valuestring, stages)))
        WITH_PATH(c, "%s", ".lifecycle_stage")
            rc = bad(c, "unknown stage %s%s%s (UNKNOWN_STAGE, PLANNED, ALPHA, "
                     "BETA, PRODUCTION, DEPRECATED, DEBUG)",
                     cJSON_IsString(v) ? "\"" : "",
                     cJSON_IsString(v) ? v->valuestring : kind(v),
                     cJSON_IsString(v) ? "\"" : "");
    if (rc == MLP_OK)
        rc = environments(c, schema, f);
    if (rc == MLP_OK)
        rc = comparator(c, f, "drift_comparator", type);
    if (rc == MLP_OK)
        rc = comparator(c, f, "skew_comparator", type);
    if (rc == MLP_OK && (v = cJSON_GetObjectItemCaseSensitive(f, "description")) &&
        !cJSON_IsString(v))
        rc = bad(c, "description must be a string");
    return rc;
}

static int check_dataset(checker *c, const cJSON *d)
{
    static const char *const keys[] = { "min_examples_count", "max_examples_count",
                                        "num_examples_drift_comparator", NULL };
    static const char *const cmp_keys[] = { "min_fraction_threshold",
                                            "max_fraction_threshold", NULL };
    double lo = 0, hi = 0, flo = 0, fhi = 0;
    int has_lo, has_hi, has_flo = 0, has_fhi = 0, rc;
    const cJSON *cmp;

    rc = only_keys(c, d, keys);
    if (rc == MLP_OK)
        rc = number(c, d, "min_examples_count", 0, 9.0e15, 1, &has_lo, &lo);
    if (rc == MLP_OK)
        rc = number(c, d, "max_examples_count", 0, 9.0e15, 1, &has_hi, &hi);
    if (rc == MLP_OK && has_lo && has_hi && lo > hi)
        rc = bad(c, "min_examples_count %g is greater than max_examples_count %g",
                 lo, hi);
    if (rc == MLP_OK && (cmp = cJSON_GetObjectItemCaseSensitive(d, "num_examples_drift_comparator")))
        WITH_PATH(c, "%s", ".num_examples_drift_comparator") {
            rc = only_keys(c, cmp, cmp_keys);
            if (rc == MLP_OK)
                rc = number(c, cmp, "min_fraction_threshold", 0, 1e9, 0, &has_flo, &flo);
            if (rc == MLP_OK)
                rc = number(c, cmp, "max_fraction_threshold", 0, 1e9, 0, &has_fhi, &fhi);
            if (rc == MLP_OK && has_flo && has_fhi && flo > fhi)
                rc = bad(c, "min_fraction_threshold %g is greater than "
                         "max_fraction_threshold %g", flo, fhi);
        }
    return rc;
}

static int check_schema(checker *cp, const cJSON *schema);

int mlp_schema_check(const cJSON *schema, const char *origin, mlp_error *err)
{
    checker c = { origin ? origin : "schema", err, "", NULL, NULL };
    const cJSON *sd = cJSON_GetObjectItemCaseSensitive(schema, "string_domains");
    int rc;

    c.domains = mlp_json_index_new(cJSON_IsArray(sd) ? sd : NULL, "name");
    c.features = mlp_names_new();
    rc = c.domains && c.features ? check_schema(&c, schema)
                                 : mlp_error_set(err, MLP_ENOMEM, "out of memory");
    mlp_json_index_free(c.domains);
    mlp_names_free(c.features);
    return rc;
}

static int check_schema(checker *cp, const cJSON *schema)
{
    mlp_error *err = cp->err;
    static const char *const keys[] = { "version", "features", "string_domains",
                                        "default_environments",
                                        "dataset_constraints", NULL };
    static const char *const sd_keys[] = { "name", "values", NULL };
    const cJSON *v, *f;
    int rc = only_keys(cp, schema, keys), i;

    if (rc != MLP_OK)
        return rc;
    v = cJSON_GetObjectItemCaseSensitive(schema, "version");
    if (!cJSON_IsNumber(v))
        return bad(cp, "needs \"version\": %d", MLP_SCHEMA_VERSION);
    if (v->valuedouble > MLP_SCHEMA_VERSION)
        return mlp_error_set(err, MLP_EVERSION, "%s: schema version %g is newer "
                             "than this mlpipe's %d", cp->origin, v->valuedouble,
                             MLP_SCHEMA_VERSION);
    if (v->valuedouble != MLP_SCHEMA_VERSION)
        return bad(cp, "unknown schema version %g", v->valuedouble);
    if ((v = cJSON_GetObjectItemCaseSensitive(schema, "default_environments")))
        WITH_PATH(cp, "%s", "default_environments")
            rc = string_list(cp, v, 1);
    i = 0;
    cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(schema, "string_domains")) {
        const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(f, "name"));
        if (rc != MLP_OK)
            break;
        WITH_PATH(cp, "string_domains[%d]", i) {
            rc = only_keys(cp, f, sd_keys);
            if (rc == MLP_OK && (name == NULL || *name == '\0'))
                rc = bad(cp, "needs a name (a non-empty string)");
            if (rc == MLP_OK && mlp_json_index_find(cp->domains, name) != f)
                rc = bad(cp, "string domain name \"%s\" is used twice", name);
            if (rc == MLP_OK)
                WITH_PATH(cp, "%s", ".values")
                    rc = string_list(cp, cJSON_GetObjectItemCaseSensitive(f, "values"), 1);
        }
        i++;
    }
    if (rc == MLP_OK && (v = cJSON_GetObjectItemCaseSensitive(schema, "string_domains")) &&
        !cJSON_IsArray(v))
        WITH_PATH(cp, "%s", "string_domains")
            rc = bad(cp, "expected a list, got %s", kind(v));
    v = cJSON_GetObjectItemCaseSensitive(schema, "features");
    if (rc == MLP_OK && !cJSON_IsArray(v))
        WITH_PATH(cp, "%s", "features")
            rc = bad(cp, "expected a list of features, got %s", kind(v));
    i = 0;
    if (rc != MLP_OK)
        return rc;
    cJSON_ArrayForEach(f, v) {
        const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(f, "name"));
        WITH_PATH(cp, "features[%d]", i) {
            if (name == NULL || *name == '\0') {
                rc = bad(cp, "needs a name (a non-empty string)");
            } else {
                WITH_PATH(cp, " (%s)", name) {
                    int added = mlp_names_add(cp->features, name, 0, NULL);
                    if (added == MLP_EEXIST)
                        rc = bad(cp, "feature \"%s\" is described twice", name);
                    else if (added != MLP_OK)
                        rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
                    if (rc == MLP_OK)
                        rc = check_feature(cp, schema, f);
                }
            }
        }
        if (rc != MLP_OK)
            break;
        i++;
    }
    if (rc == MLP_OK && (v = cJSON_GetObjectItemCaseSensitive(schema, "dataset_constraints")))
        WITH_PATH(cp, "%s", "dataset_constraints")
            rc = check_dataset(cp, v);
    return rc;
}

int mlp_schema_parse(const char *text, size_t len, const char *origin,
                     cJSON **out, mlp_error *err)
{
    const char *end = NULL;
    cJSON *s;
    int rc;

    *out = NULL;
    s = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (s == NULL) {
        size_t line = 1, col = 1;
        const char *stop = end ? end : cJSON_GetErrorPtr();
        for (const char *p = text; stop && p < stop && p < text + len; p++) {
            if (*p == '\n') {
                line++;
                col = 1;
            } else {
                col++;
            }
        }
        return mlp_error_set(err, MLP_EFORMAT, "%s:%zu:%zu: not valid JSON",
                             origin ? origin : "schema", line, col);
    }
    rc = mlp_schema_check(s, origin, err);
    if (rc != MLP_OK) {
        cJSON_Delete(s);
        return rc;
    }
    *out = s;
    return MLP_OK;
}

int mlp_schema_load(const char *path, cJSON **out, mlp_error *err)
{
    char *text;
    size_t len;
    int rc = mlpi_read_file(path, &text, &len, err);

    *out = NULL;
    if (rc != MLP_OK)
        return rc;
    rc = mlp_schema_parse(text, len, path, out, err);
    free(text);
    return rc;
}

const cJSON *mlp_schema_feature(const cJSON *schema, const char *name)
{
    const cJSON *f;

    cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(schema, "features")) {
        const char *n = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(f, "name"));
        if (n && strcmp(n, name) == 0)
            return f;
    }
    return NULL;
}

const cJSON *mlp_schema_domain_values(const cJSON *schema, const cJSON *feature)
{
    const cJSON *sd = cJSON_GetObjectItemCaseSensitive(feature, "string_domain");
    const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(feature, "domain"));

    if (sd != NULL)
        return cJSON_GetObjectItemCaseSensitive(sd, "values");
    if (name != NULL) {
        const cJSON *d = named_domain(schema, name);
        return d ? cJSON_GetObjectItemCaseSensitive(d, "values") : NULL;
    }
    return NULL;
}

static int listed(const cJSON *list, const char *s)
{
    const cJSON *e;

    cJSON_ArrayForEach(e, list)
        if (cJSON_IsString(e) && strcmp(e->valuestring, s) == 0)
            return 1;
    return 0;
}

int mlp_schema_feature_active(const cJSON *schema, const cJSON *feature,
                              const char *env)
{
    const char *stage = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(feature, "lifecycle_stage"));
    const cJSON *in = cJSON_GetObjectItemCaseSensitive(feature, "in_environment");
    const cJSON *out = cJSON_GetObjectItemCaseSensitive(feature, "not_in_environment");

    /* The schema is part of the signature for default environments, which
     * need nothing from it today: a feature without in_environment is in
     * every one. */
    (void)schema;
    /* As TFDV: features being planned, tried out or retired are not
     * checked. */
    if (stage && (strcmp(stage, "PLANNED") == 0 || strcmp(stage, "ALPHA") == 0 ||
                  strcmp(stage, "DEBUG") == 0 || strcmp(stage, "DEPRECATED") == 0))
        return 0;
    if (env == NULL)
        return in == NULL;
    if (in != NULL)
        return listed(in, env);
    return !listed(out, env);
}
