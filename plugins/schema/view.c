/* How a person sees a Schema artifact: one row per feature with its type,
 * presence, domain (a named domain's values, not only its name),
 * environments and drift/skew comparators. */
#include <stdio.h>
#include <string.h>

#include <mlpipe/mlpipe.h>

#include "view.h"

/* Writes member key of o as compact JSON (escaped), prefixed by `pre`. */
static void json_member(mlp_view *v, const cJSON *o, const char *key,
                        const char *pre)
{
    const cJSON *m = cJSON_GetObjectItem(o, key);
    char *t;

    if (m == NULL || (t = mlp_json_print(m, 0)) == NULL)
        return;
    mlp_view_puts(v, pre);
    mlp_view_text(v, t);
    mlp_free(t);
}

static void domain(mlp_view *v, const cJSON *schema, const cJSON *f)
{
    const cJSON *d, *val;
    const char *const doms[] = { "string_domain", "int_domain", "float_domain" };
    int k = 0;

    if (cJSON_GetObjectItem(f, "domain"))
        cJSON_ArrayForEach(d, cJSON_GetObjectItem(schema, "string_domains"))
            if (strcmp(mlp_json_str(d, "name"), mlp_json_str(f, "domain")) == 0)
                cJSON_ArrayForEach(val, cJSON_GetObjectItem(d, "values")) {
                    if (k++ == 20) {
                        mlp_view_puts(v, ", ...");
                        break;
                    }
                    if (k > 1)
                        mlp_view_puts(v, ", ");
                    mlp_view_text(v, cJSON_GetStringValue(val)
                                     ? cJSON_GetStringValue(val) : "");
                }
    for (int i = 0; i < 3; i++)
        json_member(v, f, doms[i], "");
}

static void feature(mlp_view *v, const cJSON *schema, const cJSON *f, int html)
{
    const char *cell = html ? "</td><td>" : "\n    ";

    if (html) {
        mlp_view_puts(v, "<tr><td>");
        mlp_view_text(v, mlp_json_str(f, "name"));
        mlp_view_puts(v, "</td><td>");
        mlp_view_text(v, mlp_json_str(f, "type"));
        mlp_view_puts(v, "</td><td>");
    } else {
        mlp_view_puts(v, "  ");
        mlp_view_text(v, mlp_json_str(f, "name"));
        mlp_view_puts(v, "  ");
        mlp_view_text(v, mlp_json_str(f, "type"));
        mlp_view_puts(v, "  ");
    }
    json_member(v, f, "presence", "");
    mlp_view_puts(v, html ? cell : (cJSON_GetObjectItem(f, "domain") ||
                                    cJSON_GetObjectItem(f, "string_domain") ||
                                    cJSON_GetObjectItem(f, "int_domain") ||
                                    cJSON_GetObjectItem(f, "float_domain")
                                    ? "\n    domain: " : ""));
    domain(v, schema, f);
    if (html)
        mlp_view_puts(v, cell);
    json_member(v, f, "not_in_environment", html ? "not in " : "\n    not in ");
    if (html)
        mlp_view_puts(v, cell);
    json_member(v, f, "drift_comparator", html ? "drift: " : "\n    drift: ");
    json_member(v, f, "skew_comparator", html ? " skew: " : "\n    skew: ");
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
