/* schema_update: relaxes a schema just enough to admit new data, as TFDV's
 * update_schema does, and lists every relaxation.  Nothing is tightened
 * and nothing is relaxed that the data does not ask for:
 *
 *   a feature the schema lacks          added (its type, present at least once)
 *   a value outside a string domain     added to the domain
 *   presence below min_fraction/count   lowered to what the data has
 *   a value beyond int/float min, max   the bound moved to it
 *   fractions in an INT feature         the type becomes FLOAT
 *   NaN or infinities disallowed        allowed
 *   distinct values beyond unique min/max  the bound moved
 *   an expected feature that is absent  no longer required
 *   examples beyond the dataset's min/max  the bound moved
 *
 * A value a bool domain does not allow is not relaxed (a third truth value
 * is a data problem, not a schema change); it is listed as such.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <mlpipe/mlpipe.h>

#include "update.h"

typedef struct upd {
    mlp_ctx *ctx;
    cJSON *schema;
    cJSON *list;     /* the relaxations */
} upd;

static double num(const cJSON *o, const char *k)
{
    return cJSON_GetNumberValue(cJSON_GetObjectItem(o, k));
}

/* Records one relaxation: feature (NULL: the data set), what changed,
 * from and to (taken), and logs it. */
static void relaxed(upd *u, const char *feature, const char *what, cJSON *from,
                    cJSON *to)
{
    cJSON *r = cJSON_CreateObject();
    char *f = from ? mlp_json_print(from, 0) : NULL, *t = to ? mlp_json_print(to, 0) : NULL;

    cJSON_AddStringToObject(r, "feature", feature ? feature : "(dataset)");
    cJSON_AddStringToObject(r, "relaxed", what);
    cJSON_AddItemToObject(r, "from", from ? from : cJSON_CreateNull());
    cJSON_AddItemToObject(r, "to", to ? to : cJSON_CreateNull());
    cJSON_AddItemToArray(u->list, r);
    mlp_ctx_log(u->ctx, MLP_LOG_INFO, "%s: %s relaxed from %s to %s",
                feature ? feature : "(dataset)", what, f ? f : "-", t ? t : "-");
    mlp_free(f);
    mlp_free(t);
}

static void set_num(cJSON *o, const char *k, double v)
{
    cJSON_DeleteItemFromObjectCaseSensitive(o, k);
    cJSON_AddItemToObject(o, k, mlp_json_number(v));
}

static void presence(upd *u, cJSON *f, const cJSON *fs, const char *name, double n)
{
    cJSON *p = cJSON_GetObjectItem(f, "presence");
    const cJSON *common = cJSON_GetObjectItem(fs, "common");
    double present = num(common, "num_non_missing");
    double have = n > 0 ? present / n : 0;

    if (p == NULL)
        return;
    if (cJSON_GetObjectItem(p, "min_fraction") && have < num(p, "min_fraction")) {
        relaxed(u, name, "presence.min_fraction", mlp_json_number(num(p, "min_fraction")),
                mlp_json_number(have));
        set_num(p, "min_fraction", have);
    }
    if (cJSON_GetObjectItem(p, "min_count") && present < num(p, "min_count")) {
        relaxed(u, name, "presence.min_count", mlp_json_number(num(p, "min_count")),
                mlp_json_number(present));
        set_num(p, "min_count", present);
    }
}

static void string_domain(upd *u, cJSON *f, const cJSON *fs, const char *name)
{
    cJSON *values = (cJSON *)mlp_schema_domain_values(u->schema, f);
    const cJSON *b, *e;
    cJSON *added;

    if (values == NULL)
        return;
    added = cJSON_CreateArray();
    cJSON_ArrayForEach(b, cJSON_GetObjectItem(cJSON_GetObjectItem(fs, "string_stats"),
                                              "rank_histogram")) {
        const char *l = mlp_json_str(b, "label");
        int known = 0;
        cJSON_ArrayForEach(e, values)
            known |= cJSON_IsString(e) && strcmp(e->valuestring, l) == 0;
        if (!known) {
            cJSON_AddItemToArray(values, cJSON_CreateString(l));
            cJSON_AddItemToArray(added, cJSON_CreateString(l));
        }
    }
    if (cJSON_GetArraySize(added) > 0)
        relaxed(u, name, mlp_json_str(f, "domain")[0] ? "domain (named, shared by "
                "every feature naming it) values" : "string_domain.values", NULL, added);
    else
        cJSON_Delete(added);
}

/* The largest (or smallest) finite value: infinities are a matter of
 * disallow_inf, not of the bounds. */
static double finite_extreme(const cJSON *ns, int max)
{
    const char *k = max ? "finite_max" : "finite_min";

    return num(ns, cJSON_GetObjectItem(ns, k) ? k : max ? "max" : "min");
}

static void numeric(upd *u, cJSON *f, const cJSON *fs, const char *name)
{
    const cJSON *ns = cJSON_GetObjectItem(fs, "num_stats");
    const char *type = mlp_json_str(f, "type");
    cJSON *idom = cJSON_GetObjectItem(f, "int_domain");
    cJSON *fdom = cJSON_GetObjectItem(f, "float_domain");
    cJSON *dom = idom ? idom : fdom;
    const char *dname = idom ? "int_domain" : "float_domain";
    char what[64];

    if (ns == NULL)
        return;
    if (strcmp(type, "INT") == 0 && strcmp(mlp_json_str(fs, "type"), "FLOAT") == 0) {
        relaxed(u, name, "type", cJSON_CreateString("INT"), cJSON_CreateString("FLOAT"));
        cJSON_ReplaceItemInObject(f, "type", cJSON_CreateString("FLOAT"));
        if (idom) {
            /* An int domain does not fit a FLOAT: it becomes a float one. */
            cJSON *moved = cJSON_DetachItemFromObject(f, "int_domain");
            cJSON_AddItemToObject(f, "float_domain", moved);
            fdom = dom = moved;
            idom = NULL;
            dname = "float_domain";
        }
    }
    if (dom == NULL)
        return;
    double hi = finite_extreme(ns, 1), lo = finite_extreme(ns, 0);
    if (cJSON_GetObjectItem(dom, "max") && isfinite(hi) && hi > num(dom, "max")) {
        snprintf(what, sizeof what, "%s.max", dname);
        relaxed(u, name, what, mlp_json_number(num(dom, "max")), mlp_json_number(hi));
        set_num(dom, "max", hi);
    }
    if (cJSON_GetObjectItem(dom, "min") && isfinite(lo) && lo < num(dom, "min")) {
        snprintf(what, sizeof what, "%s.min", dname);
        relaxed(u, name, what, mlp_json_number(num(dom, "min")), mlp_json_number(lo));
        set_num(dom, "min", lo);
    }
    const char *const flags[] = { "disallow_nan", "disallow_inf" };
    const char *const counts[] = { "num_nan", "num_inf" };
    for (int k = 0; fdom && k < 2; k++)
        if (cJSON_IsTrue(cJSON_GetObjectItem(fdom, flags[k])) && num(ns, counts[k]) > 0) {
            snprintf(what, sizeof what, "float_domain.%s", flags[k]);
            relaxed(u, name, what, cJSON_CreateTrue(), cJSON_CreateFalse());
            cJSON_ReplaceItemInObject(fdom, flags[k], cJSON_CreateFalse());
        }
}

static void unique(upd *u, cJSON *f, const cJSON *fs, const char *name)
{
    cJSON *uc = cJSON_GetObjectItem(f, "unique_constraints");
    const cJSON *ss = cJSON_GetObjectItem(fs, "string_stats");
    double n = num(ss, "unique");

    if (uc == NULL || ss == NULL)
        return;
    if (cJSON_GetObjectItem(uc, "min") && n < num(uc, "min")) {
        relaxed(u, name, "unique_constraints.min", mlp_json_number(num(uc, "min")),
                mlp_json_number(n));
        set_num(uc, "min", n);
    }
    if (cJSON_GetObjectItem(uc, "max") && n > num(uc, "max")) {
        relaxed(u, name, "unique_constraints.max", mlp_json_number(num(uc, "max")),
                mlp_json_number(n));
        set_num(uc, "max", n);
    }
}

static void dataset(upd *u, double n)
{
    cJSON *dc = cJSON_GetObjectItem(u->schema, "dataset_constraints");

    if (dc == NULL)
        return;
    if (cJSON_GetObjectItem(dc, "min_examples_count") && n < num(dc, "min_examples_count")) {
        relaxed(u, NULL, "dataset_constraints.min_examples_count",
                mlp_json_number(num(dc, "min_examples_count")), mlp_json_number(n));
        set_num(dc, "min_examples_count", n);
    }
    if (cJSON_GetObjectItem(dc, "max_examples_count") && n > num(dc, "max_examples_count")) {
        relaxed(u, NULL, "dataset_constraints.max_examples_count",
                mlp_json_number(num(dc, "max_examples_count")), mlp_json_number(n));
        set_num(dc, "max_examples_count", n);
    }
}

int schema_update(mlp_ctx *ctx, cJSON *schema, const cJSON *split,
                  cJSON **relaxations, mlp_error *err)
{
    upd u = { ctx, schema, cJSON_CreateArray() };
    cJSON *f, *features = cJSON_GetObjectItem(schema, "features");
    const cJSON *fs;
    double n = num(split, "num_examples");

    /* By name: a scan per feature is quadratic over 100,000 features.
     * The schema's index is taken before new features are added, and
     * statistics name each feature once. */
    mlp_json_index *six = mlp_json_index_new(cJSON_GetObjectItem(split, "features"), "name");
    mlp_json_index *fix = mlp_json_index_new(features, "name");
    if (u.list == NULL || six == NULL || fix == NULL) {
        mlp_json_index_free(six);
        mlp_json_index_free(fix);
        cJSON_Delete(u.list);
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    }
    cJSON_ArrayForEach(f, features) {
        const char *name = mlp_json_str(f, "name");
        if (!mlp_schema_feature_active(schema, f, NULL))
            continue;
        fs = mlp_json_index_find(six, name);
        cJSON *p = cJSON_GetObjectItem(f, "presence");
        if (fs == NULL) {
            /* Expected and absent: no longer required. */
            if (p && (num(p, "min_count") > 0 || num(p, "min_fraction") > 0)) {
                relaxed(&u, name, "presence", cJSON_Duplicate(p, 1),
                        cJSON_CreateString("not required"));
                cJSON_DeleteItemFromObject(f, "presence");
            }
            continue;
        }
        presence(&u, f, fs, name, n);
        unique(&u, f, fs, name);
        if (strcmp(mlp_json_str(f, "type"), "STRING") == 0)
            string_domain(&u, f, fs, name);
        else
            numeric(&u, f, fs, name);
        if (cJSON_GetObjectItem(f, "bool_domain"))
            mlp_ctx_log(ctx, MLP_LOG_INFO, "%s: a bool domain is never relaxed", name);
    }
    cJSON_ArrayForEach(fs, cJSON_GetObjectItem(split, "features")) {
        const char *name = mlp_json_str(fs, "name");
        if (mlp_json_index_find(fix, name) != NULL)
            continue;
        f = cJSON_CreateObject();
        cJSON_AddStringToObject(f, "name", name);
        cJSON_AddStringToObject(f, "type", mlp_json_str(fs, "type"));
        cJSON *p = cJSON_AddObjectToObject(f, "presence");
        cJSON_AddNumberToObject(p, "min_count", 1);
        cJSON_AddItemToArray(features, f);
        relaxed(&u, name, "feature", NULL, cJSON_Duplicate(f, 1));
    }
    mlp_json_index_free(six);
    mlp_json_index_free(fix);
    dataset(&u, n);
    *relaxations = u.list;
    return mlp_schema_check(schema, "updated schema", err);
}
