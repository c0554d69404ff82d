/* How a person sees a Schema artifact: one row per feature with its type,
 * presence, domain (a named domain's values, not only its name),
 * environments and drift/skew comparators, all in words. */
#include <stdio.h>
#include <string.h>

#include <mlpipe/mlpipe.h>

#include "view.h"

static double num(const cJSON *o, const char *k)
{
    return mlp_json_num(o, k);
}

static int has(const cJSON *o, const char *k)
{
    return cJSON_IsNumber(cJSON_GetObjectItem(o, k));
}

/* Presence in words: "always", "in at least 90% of examples", "at least 5
 * examples", or "optional". */
static void presence(mlp_view *v, const cJSON *f)
{
    const cJSON *p = cJSON_GetObjectItem(f, "presence");
    int said = 0;

    if (has(p, "min_fraction") && num(p, "min_fraction") >= 1) {
        mlp_view_puts(v, "always present");
        return;
    }
    if (has(p, "min_fraction") && num(p, "min_fraction") > 0) {
        mlp_view_printf(v, "present in at least %.4g%% of examples",
                        100 * num(p, "min_fraction"));
        said = 1;
    }
    if (has(p, "min_count") && num(p, "min_count") > 0) {
        mlp_view_printf(v, "%sin at least %.0f example%s", said ? ", " : "present ",
                        num(p, "min_count"), num(p, "min_count") == 1 ? "" : "s");
        said = 1;
    }
    if (!said)
        mlp_view_puts(v, "optional");
}

static void bounds(mlp_view *v, const cJSON *d, const char *what)
{
    if (has(d, "min") && has(d, "max"))
        mlp_view_printf(v, "%s in [%.17g, %.17g]", what, num(d, "min"), num(d, "max"));
    else if (has(d, "min"))
        mlp_view_printf(v, "%s of at least %.17g", what, num(d, "min"));
    else if (has(d, "max"))
        mlp_view_printf(v, "%s of at most %.17g", what, num(d, "max"));
    else
        mlp_view_puts(v, what);
}

/* The domain in words: "one of a, b, c", "integers in [0, 100]", "numbers
 * ..., no NaN", "yes or no". */
static void domain(mlp_view *v, const cJSON *schema, const cJSON *f)
{
    const cJSON *values = mlp_schema_domain_values(schema, f), *val;
    const cJSON *idom = cJSON_GetObjectItem(f, "int_domain");
    const cJSON *fdom = cJSON_GetObjectItem(f, "float_domain");
    const cJSON *bdom = cJSON_GetObjectItem(f, "bool_domain");
    const cJSON *uc = cJSON_GetObjectItem(f, "unique_constraints");
    int k = 0;

    if (values != NULL) {
        mlp_view_puts(v, "one of ");
        cJSON_ArrayForEach(val, values) {
            if (k++ == 20) {
                mlp_view_printf(v, ", ... (%d values)", cJSON_GetArraySize(values));
                break;
            }
            if (k > 1)
                mlp_view_puts(v, ", ");
            mlp_view_text(v, cJSON_GetStringValue(val) ? cJSON_GetStringValue(val) : "");
        }
    } else if (idom != NULL) {
        bounds(v, idom, "integers");
        if (cJSON_IsTrue(cJSON_GetObjectItem(idom, "is_categorical")))
            mlp_view_puts(v, ", counted as categories");
    } else if (fdom != NULL) {
        bounds(v, fdom, "numbers");
        if (cJSON_IsTrue(cJSON_GetObjectItem(fdom, "disallow_nan")))
            mlp_view_puts(v, ", no NaN");
        if (cJSON_IsTrue(cJSON_GetObjectItem(fdom, "disallow_inf")))
            mlp_view_puts(v, ", no infinity");
    } else if (bdom != NULL) {
        const char *t = cJSON_GetStringValue(cJSON_GetObjectItem(bdom, "true_value"));
        const char *fv = cJSON_GetStringValue(cJSON_GetObjectItem(bdom, "false_value"));
        mlp_view_puts(v, "true or false: ");
        mlp_view_text(v, t ? t : strcmp(mlp_json_str(f, "type"), "INT") == 0 ? "1" : "true");
        mlp_view_puts(v, " or ");
        mlp_view_text(v, fv ? fv : strcmp(mlp_json_str(f, "type"), "INT") == 0 ? "0" : "false");
    }
    if (uc != NULL) {
        mlp_view_puts(v, values || idom || fdom || bdom ? "; " : "");
        bounds(v, uc, "distinct values");
    }
}

static void environments(mlp_view *v, const cJSON *f)
{
    const char *const keys[] = { "in_environment", "not_in_environment" };
    const cJSON *e;

    for (int i = 0; i < 2; i++) {
        int k = 0;
        cJSON_ArrayForEach(e, cJSON_GetObjectItem(f, keys[i])) {
            mlp_view_puts(v, k++ ? ", " : i ? "not in " : "only in ");
            mlp_view_text(v, cJSON_GetStringValue(e) ? cJSON_GetStringValue(e) : "");
        }
    }
}

static void comparators(mlp_view *v, const cJSON *f)
{
    const char *const keys[] = { "drift_comparator", "skew_comparator" };
    const cJSON *m;
    int any = 0;

    for (int i = 0; i < 2; i++)
        cJSON_ArrayForEach(m, cJSON_GetObjectItem(f, keys[i])) {
            const char *src = mlp_json_str(cJSON_GetObjectItem(m, "source"), "type");
            mlp_view_printf(v, "%s%s: %s at most %g%s%s", any++ ? "; " : "",
                            i ? "skew" : "drift",
                            strcmp(m->string, "infinity_norm") == 0 ? "L-infinity distance"
                            : strcmp(m->string, "normalized_abs_difference") == 0
                              ? "normalized absolute difference"
                              : "Jensen-Shannon divergence",
                            num(m, "threshold"), *src ? " over the " : "",
                            *src ? (strcmp(src, "QUANTILES") == 0 ? "quantiles"
                                                                   : "equal-width histogram")
                                 : "");
        }
}

static void feature(mlp_view *v, const cJSON *schema, const cJSON *f, int html)
{
    const char *cell = html ? "</td><td>" : "\n    ";

    mlp_view_puts(v, html ? "<tr><td>" : "  ");
    mlp_view_text(v, mlp_json_str(f, "name"));
    mlp_view_puts(v, html ? "</td><td>" : "  ");
    mlp_view_text(v, mlp_json_str(f, "type"));
    mlp_view_puts(v, html ? "</td><td>" : "  ");
    presence(v, f);
    if (html || mlp_schema_domain_values(schema, f) || cJSON_GetObjectItem(f, "int_domain") ||
        cJSON_GetObjectItem(f, "float_domain") || cJSON_GetObjectItem(f, "bool_domain") ||
        cJSON_GetObjectItem(f, "unique_constraints"))
        mlp_view_puts(v, cell);
    domain(v, schema, f);
    mlp_view_puts(v, html ? cell : "");
    if (!html && (cJSON_GetObjectItem(f, "in_environment") ||
                  cJSON_GetObjectItem(f, "not_in_environment")))
        mlp_view_puts(v, "\n    ");
    environments(v, f);
    mlp_view_puts(v, html ? cell : "");
    if (!html && (cJSON_GetObjectItem(f, "drift_comparator") ||
                  cJSON_GetObjectItem(f, "skew_comparator")))
        mlp_view_puts(v, "\n    ");
    comparators(v, f);
    mlp_view_puts(v, html ? "</td></tr>\n" : "\n");
}

/* Features listed in a terminal before the rest are summarised. */
#define TEXT_FEATURES 100

int schema_view(const mlp_artifact *a, mlp_view *v, mlp_error *err)
{
    cJSON *doc;
    const cJSON *f;
    int html = mlp_view_kind_of(v) == MLP_VIEW_HTML;
    int rc = mlp_artifact_read_json(a, "schema.json", &doc, err);

    if (rc != MLP_OK)
        return rc;
    if (html)
        mlp_view_puts(v, "<table><tr><th>feature</th><th>type</th><th>presence"
                      "</th><th>domain</th><th>environments</th><th>comparators"
                      "</th></tr>\n");
    else
        mlp_view_printf(v, "%d features\n", cJSON_GetArraySize(
                            cJSON_GetObjectItem(doc, "features")));
    int k = 0;
    cJSON_ArrayForEach(f, cJSON_GetObjectItem(doc, "features")) {
        /* A terminal page, not a flood, for wide data. */
        if (!html && k++ == TEXT_FEATURES) {
            mlp_view_printf(v, "  ... %d more features (`mlpipe report` lists them all)\n",
                            cJSON_GetArraySize(cJSON_GetObjectItem(doc, "features")) -
                            TEXT_FEATURES);
            break;
        }
        feature(v, doc, f, html);
    }
    if (html)
        mlp_view_puts(v, "</table>\n");
    cJSON_Delete(doc);
    return MLP_OK;
}
