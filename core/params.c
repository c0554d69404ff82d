/* Parameter specs: validating the specs plugins declare and the values
 * pipelines give, and filling in defaults. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <mlpipe/json.h>

#include "params.h"

const char *const mlpi_reserved_keys[] = {
    "name", "cache", "timeout", "retries", "isolate", "memory", NULL
};

static const char *const type_names[] = {
    NULL, "int", "float", "bool", "string", "enum", "list", "map"
};

const char *mlpi_param_type_name(mlp_param_type t)
{
    if ((int)t < MLP_PARAM_INT || (int)t > MLP_PARAM_MAP)
        return "unknown";
    return type_names[t];
}

int mlpi_param_type_parse(const char *name, mlp_param_type *out)
{
    for (int t = MLP_PARAM_INT; t <= MLP_PARAM_MAP; t++)
        if (strcmp(name, type_names[t]) == 0) {
            *out = (mlp_param_type)t;
            return MLP_OK;
        }
    return MLP_ENOTFOUND;
}

int mlpi_is_identifier(const char *s)
{
    if (s == NULL || !((*s >= 'a' && *s <= 'z') || *s == '_'))
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
              *s == '_'))
            return 0;
    return 1;
}

static const char *json_kind(const cJSON *v)
{
    if (cJSON_IsBool(v)) return "a boolean";
    if (cJSON_IsNumber(v)) return "a number";
    if (cJSON_IsString(v)) return "a string";
    if (cJSON_IsArray(v)) return "a list";
    if (cJSON_IsObject(v)) return "a table";
    return "nil";
}

static int in_range(const mlp_param_spec *s, double x, const char *what,
                    mlp_error *err)
{
    if ((s->flags & MLP_PARAM_HAS_MIN) &&
        ((s->flags & MLP_PARAM_MIN_EXCLUSIVE) ? !(x > s->min) : !(x >= s->min)))
        return mlp_error_set(err, MLP_EINVAL, "%s = %.17g is out of range: "
                             "must be %s %.17g", what, x,
                             (s->flags & MLP_PARAM_MIN_EXCLUSIVE) ? ">" : ">=",
                             s->min);
    if ((s->flags & MLP_PARAM_HAS_MAX) && !(x <= s->max))
        return mlp_error_set(err, MLP_EINVAL, "%s = %.17g is out of range: "
                             "must be <= %.17g", what, x, s->max);
    return MLP_OK;
}

/* A list or map with an element type: each element checked as a
 * parameter of that type (with the spec's range and choices); without
 * one but with a range: every element is a number in it. */
static int elements_ok(const mlp_param_spec *s, const cJSON *v,
                       const char *what, mlp_error *err)
{
    const cJSON *e;
    int i = 0;
    mlp_param_spec es = *s;

    es.type = MLP_PARAM_ELEM(s->flags);
    es.flags = s->flags & ~MLP_PARAM_OF(0xfu);
    if (es.type == 0 && !(s->flags & (MLP_PARAM_HAS_MIN | MLP_PARAM_HAS_MAX)))
        return MLP_OK;
    cJSON_ArrayForEach(e, v) {
        char sub[512];
        int rc;
        if (e->string != NULL)
            snprintf(sub, sizeof sub, "%s: '%s'", what, e->string);
        else
            snprintf(sub, sizeof sub, "%s: item %d", what, i + 1);
        i++;
        if (es.type != 0)
            rc = mlpi_param_check(&es, e, sub, err);
        else if (!cJSON_IsNumber(e))
            rc = mlp_error_set(err, MLP_EINVAL, "%s must be a number, got %s",
                               sub, json_kind(e));
        else
            rc = in_range(s, e->valuedouble, sub, err);
        if (rc != MLP_OK)
            return rc;
    }
    return MLP_OK;
}

int mlpi_param_check(const mlp_param_spec *s, const cJSON *v, const char *what,
                     mlp_error *err)
{
    double x;

    switch (s->type) {
    case MLP_PARAM_INT:
        if (!cJSON_IsNumber(v))
            return mlp_error_set(err, MLP_EINVAL, "%s must be an integer, got %s",
                                 what, json_kind(v));
        if (v->valuestring != NULL)
            break;  /* an exact 64-bit integer */
        x = v->valuedouble;
        if (floor(x) != x)
            return mlp_error_set(err, MLP_EINVAL, "%s must be an integer, got "
                                 "a fraction (%.17g)", what, x);
        if (x >= 9223372036854775808.0 || x < -9223372036854775808.0)
            return mlp_error_set(err, MLP_EINVAL, "%s = %.17g is outside the "
                                 "64-bit integer range", what, x);
        if (fabs(x) >= 9007199254740992.0)
            return mlp_error_set(err, MLP_EINVAL, "%s = %.17g is a floating-"
                                 "point number beyond 2^53, where it cannot "
                                 "say which integer was meant; write the "
                                 "integer itself (digits, no exponent or ^)",
                                 what, x);
        break;
    case MLP_PARAM_FLOAT:
        if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
            return mlp_error_set(err, MLP_EINVAL,
                                 "%s must be a finite number, got %s", what,
                                 json_kind(v));
        break;
    case MLP_PARAM_BOOL:
        if (!cJSON_IsBool(v))
            return mlp_error_set(err, MLP_EINVAL,
                                 "%s must be true or false, got %s", what,
                                 json_kind(v));
        return MLP_OK;
    case MLP_PARAM_STRING:
        if (!cJSON_IsString(v))
            return mlp_error_set(err, MLP_EINVAL, "%s must be a string, got %s",
                                 what, json_kind(v));
        return MLP_OK;
    case MLP_PARAM_ENUM:
        if (cJSON_IsString(v))
            for (const char *const *c = s->choices; c && *c; c++)
                if (strcmp(*c, v->valuestring) == 0)
                    return MLP_OK;
        {
            char list[512] = "";
            size_t n = 0;
            for (const char *const *c = s->choices; c && *c; c++)
                n += (size_t)snprintf(list + n, n < sizeof list ? sizeof list - n : 0,
                                      "%s\"%s\"", n ? ", " : "", *c);
            return mlp_error_set(err, MLP_EINVAL, "%s must be one of %s, got %s%s%s",
                                 what, list,
                                 cJSON_IsString(v) ? "\"" : "",
                                 cJSON_IsString(v) ? v->valuestring : json_kind(v),
                                 cJSON_IsString(v) ? "\"" : "");
        }
    case MLP_PARAM_LIST:
        if (!cJSON_IsArray(v))
            return mlp_error_set(err, MLP_EINVAL, "%s must be a list, got %s",
                                 what, json_kind(v));
        return elements_ok(s, v, what, err);
    case MLP_PARAM_MAP:
        if (!cJSON_IsObject(v))
            return mlp_error_set(err, MLP_EINVAL,
                                 "%s must be a table with named keys, got %s",
                                 what, json_kind(v));
        if (s->choices != NULL && MLP_PARAM_ELEM(s->flags) != MLP_PARAM_ENUM) {
            const cJSON *e;
            cJSON_ArrayForEach(e, v) {
                const char *const *c = s->choices;
                while (*c && strcmp(*c, e->string) != 0)
                    c++;
                if (*c == NULL) {
                    char list[1024] = "";
                    size_t n = 0;
                    for (c = s->choices; *c; c++)
                        n += (size_t)snprintf(list + n, n < sizeof list ? sizeof list - n : 0,
                                              "%s%s", n ? ", " : "", *c);
                    return mlp_error_set(err, MLP_EINVAL, "%s: '%s' is not a known key "
                                         "(one of %s)", what, e->string, list);
                }
            }
        }
        return elements_ok(s, v, what, err);
    default:
        return mlp_error_set(err, MLP_EINVAL, "%s has an unknown type", what);
    }
    return in_range(s, v->valuedouble, what, err);
}

int mlpi_param_spec_validate(const mlp_param_spec *s, const char *component,
                             mlp_error *err)
{
    char what[256];
    int rc = MLP_OK;

    if (!mlpi_is_identifier(s->name))
        return mlp_error_set(err, MLP_EINVAL,
                             "component '%s': parameter name '%s' is not an "
                             "identifier ([a-z_][a-z0-9_]*)", component,
                             s->name ? s->name : "(null)");
    for (const char *const *r = mlpi_reserved_keys; *r; r++)
        if (strcmp(*r, s->name) == 0)
            return mlp_error_set(err, MLP_EINVAL,
                                 "component '%s': parameter name '%s' is "
                                 "reserved for node options", component, *r);
    snprintf(what, sizeof what, "component '%s': default of parameter '%s'",
             component, s->name);
    if ((int)s->type < MLP_PARAM_INT || (int)s->type > MLP_PARAM_MAP)
        return mlp_error_set(err, MLP_EINVAL,
                             "component '%s': parameter '%s' has unknown type %d",
                             component, s->name, (int)s->type);
    if (s->type == MLP_PARAM_ENUM && (s->choices == NULL || s->choices[0] == NULL))
        return mlp_error_set(err, MLP_EINVAL,
                             "component '%s': enum parameter '%s' lists no "
                             "choices", component, s->name);
    mlp_param_type elem = MLP_PARAM_ELEM(s->flags);
    if (elem != 0 && s->type != MLP_PARAM_LIST && s->type != MLP_PARAM_MAP)
        return mlp_error_set(err, MLP_EINVAL, "component '%s': parameter '%s' "
                             "is a %s and cannot have an element type",
                             component, s->name, mlpi_param_type_name(s->type));
    if (elem != 0 && ((int)elem < MLP_PARAM_INT || (int)elem > MLP_PARAM_ENUM))
        return mlp_error_set(err, MLP_EINVAL, "component '%s': parameter '%s' "
                             "has element type %d (int, float, bool, string or "
                             "enum)", component, s->name, (int)elem);
    if ((elem == MLP_PARAM_ENUM) && (s->choices == NULL || s->choices[0] == NULL))
        return mlp_error_set(err, MLP_EINVAL, "component '%s': parameter '%s' "
                             "has enum elements but lists no choices",
                             component, s->name);
    if ((elem == MLP_PARAM_STRING || elem == MLP_PARAM_BOOL ||
         elem == MLP_PARAM_ENUM) && (s->flags & (MLP_PARAM_HAS_MIN | MLP_PARAM_HAS_MAX)))
        return mlp_error_set(err, MLP_EINVAL, "component '%s': parameter '%s' "
                             "has a range but its elements are %ss",
                             component, s->name, mlpi_param_type_name(elem));
    if ((s->flags & MLP_PARAM_HAS_MIN) && (s->flags & MLP_PARAM_HAS_MAX) &&
        s->min > s->max)
        return mlp_error_set(err, MLP_EINVAL,
                             "component '%s': parameter '%s' has min %g > max %g",
                             component, s->name, s->min, s->max);
    if ((s->flags & MLP_PARAM_WRITES_DIR) && s->type != MLP_PARAM_STRING)
        return mlp_error_set(err, MLP_EINVAL, "component '%s': parameter '%s' names a "
                             "directory it writes, so it must be a string", component,
                             s->name);
    if ((s->flags & MLP_PARAM_TRAINER) && s->type != MLP_PARAM_STRING)
        return mlp_error_set(err, MLP_EINVAL, "component '%s': parameter '%s' names a "
                             "trainer, so it must be a string", component, s->name);
    if ((s->flags & MLP_PARAM_LFS) &&
        (s->type != MLP_PARAM_LIST || MLP_PARAM_ELEM(s->flags) != MLP_PARAM_STRING))
        return mlp_error_set(err, MLP_EINVAL, "component '%s': parameter '%s' names "
                             "labeling functions, so it must be a list of strings",
                             component, s->name);
    if ((s->flags & MLP_PARAM_REQUIRED) && s->default_json != NULL)
        return mlp_error_set(err, MLP_EINVAL,
                             "component '%s': parameter '%s' is required and "
                             "also has a default", component, s->name);
    if (s->default_json != NULL) {
        cJSON *d = mlp_json_parse(s->default_json, strlen(s->default_json));
        if (d == NULL)
            return mlp_error_set(err, MLP_EINVAL, "%s is not valid JSON: %s",
                                 what, s->default_json);
        if (!cJSON_IsNull(d))
            rc = mlpi_param_check(s, d, what, err);
        cJSON_Delete(d);
    }
    return rc;
}

int mlpi_params_resolve(const mlp_component *c, const cJSON *user, cJSON **out,
                        mlp_error *err)
{
    cJSON *res = cJSON_CreateObject();
    const cJSON *v;
    char what[256];
    int rc;

    *out = NULL;
    if (res == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    cJSON_ArrayForEach(v, user) {
        const mlp_param_spec *s = NULL;
        for (const mlp_param_spec *p = c->params; p && p->name; p++)
            if (strcmp(p->name, v->string) == 0)
                s = p;
        if (s == NULL) {
            char list[512] = "";
            size_t n = 0;
            for (const mlp_param_spec *p = c->params; p && p->name; p++)
                n += (size_t)snprintf(list + n, n < sizeof list ? sizeof list - n : 0,
                                      "%s%s", n ? ", " : "", p->name);
            cJSON_Delete(res);
            return mlp_error_set(err, MLP_ENOTFOUND,
                                 "%s has no parameter '%s' (parameters: %s)",
                                 c->name, v->string, n ? list : "none");
        }
        snprintf(what, sizeof what, "parameter '%s' of %s", s->name, c->name);
        rc = mlpi_param_check(s, v, what, err);
        if (rc != MLP_OK) {
            cJSON_Delete(res);
            return rc;
        }
    }
    for (const mlp_param_spec *p = c->params; p && p->name; p++) {
        const cJSON *given = cJSON_GetObjectItemCaseSensitive(user, p->name);
        cJSON *val;
        if (given != NULL) {
            val = cJSON_Duplicate(given, 1);
        } else if (p->default_json != NULL) {
            val = mlp_json_parse(p->default_json, strlen(p->default_json));
        } else if (p->flags & MLP_PARAM_REQUIRED) {
            cJSON_Delete(res);
            return mlp_error_set(err, MLP_EINVAL,
                                 "%s needs parameter '%s' (%s): %s", c->name,
                                 p->name, mlpi_param_type_name(p->type),
                                 p->doc ? p->doc : "no description");
        } else {
            val = cJSON_CreateNull();
        }
        if (val == NULL) {
            cJSON_Delete(res);
            return mlp_error_set(err, MLP_ENOMEM, "out of memory");
        }
        cJSON_AddItemToObject(res, p->name, val);
    }
    *out = res;
    return MLP_OK;
}
