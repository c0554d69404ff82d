/* How a person sees an Anomalies artifact: per split, each anomaly with
 * its severity, feature, kind and first offending rows, then the drift
 * and skew distances against their thresholds. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mlpipe/mlpipe.h>

#include "view.h"

static const char *feature_of(const cJSON *a)
{
    return cJSON_IsString(cJSON_GetObjectItem(a, "feature"))
           ? mlp_json_str(a, "feature") : "(dataset)";
}

/* How many values offend, when the validator counted them. */
static void offending(mlp_view *v, const cJSON *a)
{
    if (cJSON_IsNumber(cJSON_GetObjectItem(a, "offending_values")))
        mlp_view_printf(v, " [%.0f offending values, %.4g%%]",
                        mlp_json_num(a, "offending_values"),
                        100 * mlp_json_num(a, "offending_fraction"));
}

static void text_split(mlp_view *v, const cJSON *s)
{
    const cJSON *list = cJSON_GetObjectItem(s, "anomalies"), *a, *r, *d;
    const char *const kinds[] = { "drift", "skew" };

    mlp_view_puts(v, "split ");
    mlp_view_text(v, mlp_json_str(s, "name"));
    mlp_view_printf(v, ": %d anomalies\n", cJSON_GetArraySize(list));
    cJSON_ArrayForEach(a, list) {
        char feat[19];
        snprintf(feat, sizeof feat, "%s", feature_of(a));
        mlp_view_printf(v, "  %-7s ", mlp_json_str(a, "severity"));
        mlp_view_text(v, feat);
        mlp_view_printf(v, "%*s %-38s ", (int)(18 - strlen(feat)), "",
                        mlp_json_str(a, "kind"));
        mlp_view_text(v, mlp_json_str(a, "description"));
        offending(v, a);
        mlp_view_puts(v, "\n");
        if (cJSON_GetArraySize(cJSON_GetObjectItem(a, "rows")) > 0) {
            mlp_view_printf(v, "  %-7s %-18s first rows:", "", "");
            cJSON_ArrayForEach(r, cJSON_GetObjectItem(a, "rows")) {
                if (cJSON_GetObjectItem(r, "line")) {
                    mlp_view_puts(v, " ");
                    mlp_view_text(v, mlp_json_str(r, "file"));
                    mlp_view_printf(v, ":%.0f", mlp_json_num(r, "line"));
                } else {
                    mlp_view_printf(v, " row %.0f", mlp_json_num(r, "row"));
                }
            }
            mlp_view_puts(v, "\n");
        }
    }
    for (int k = 0; k < 2; k++)
        cJSON_ArrayForEach(d, cJSON_GetObjectItem(s, kinds[k])) {
            char feat[19];
            snprintf(feat, sizeof feat, "%s", mlp_json_str(d, "feature"));
            mlp_view_printf(v, "  %-7s ", kinds[k]);
            mlp_view_text(v, feat);
            if (*mlp_json_str(d, "skipped")) {
                mlp_view_printf(v, "%*s %-38s skipped: ", (int)(18 - strlen(feat)), "",
                                mlp_json_str(d, "comparator"));
                mlp_view_text(v, mlp_json_str(d, "skipped"));
                mlp_view_puts(v, "\n");
                continue;
            }
            mlp_view_printf(v, "%*s %-38s %s %.4g (threshold %g)%s\n",
                            (int)(18 - strlen(feat)), "", mlp_json_str(d, "comparator"),
                            cJSON_IsNumber(cJSON_GetObjectItem(d, "distance"))
                            ? "distance" : "no distance",
                            mlp_json_num(d, "distance"), mlp_json_num(d, "threshold"),
                            cJSON_IsTrue(cJSON_GetObjectItem(d, "exceeded"))
                            ? "  EXCEEDED" : "");
        }
}

/* Every comparison of one kind, ordered as the reader picks: largest
 * distance first (skipped ones last), by feature, or as validated. */
static void html_distances(mlp_view *v, const cJSON *list, const char *kind)
{
    static const char *const orders[] = {
        "largest distance first", "by feature", "as validated"
    };
    const cJSON *d;
    size_t n = (size_t)cJSON_GetArraySize(list), i = 0;
    double *key;
    const char **names;
    size_t *rank;

    if (n == 0)
        return;
    key = malloc(n * sizeof *key);
    names = malloc(n * sizeof *names);
    rank = malloc(3 * n * sizeof *rank);
    if (key == NULL || names == NULL || rank == NULL)
        goto done;
    cJSON_ArrayForEach(d, list) {
        key[i] = cJSON_IsNumber(cJSON_GetObjectItem(d, "distance"))
                 ? mlp_json_num(d, "distance") : NAN;
        names[i] = mlp_json_str(d, "feature");
        rank[2 * n + i] = i;
        i++;
    }
    if (mlp_view_rank(n, key, 1, rank) != MLP_OK ||
        mlp_view_rank_names(n, names, rank + n) != MLP_OK)
        goto done;
    mlp_view_sort_begin(v, 5, 3, orders);
    mlp_view_printf(v, "<tr><th>%s</th><th>comparator</th><th>distance</th>"
                    "<th>threshold</th><th>samples</th></tr>\n", kind);
    i = 0;
    cJSON_ArrayForEach(d, list) {
        size_t ranks[3] = { rank[i], rank[n + i], rank[2 * n + i] };
        i++;
        mlp_view_sort_row(v, 3, ranks);
        mlp_view_puts(v, "<td>");
        mlp_view_text(v, mlp_json_str(d, "feature"));
        mlp_view_puts(v, "</td><td>");
        mlp_view_text(v, mlp_json_str(d, "comparator"));
        if (*mlp_json_str(d, "skipped")) {
            mlp_view_puts(v, "</td><td>skipped: ");
            mlp_view_text(v, mlp_json_str(d, "skipped"));
            mlp_view_printf(v, "</td><td class=\"num\">%g</td><td></td></tr>\n",
                            mlp_json_num(d, "threshold"));
            continue;
        }
        /* No distance: a side had nothing to compare. */
        if (isnan(key[i - 1]))
            mlp_view_puts(v, "</td><td class=\"num \">-");
        else
            mlp_view_printf(v, "</td><td class=\"num %s\">%.4g",
                            cJSON_IsTrue(cJSON_GetObjectItem(d, "exceeded")) ? "ERROR" : "",
                            key[i - 1]);
        mlp_view_printf(v, "</td><td class=\"num\">%g</td><td class=\"num\">%.0f / %.0f"
                        "</td></tr>\n", mlp_json_num(d, "threshold"),
                        mlp_json_num(d, "samples"), mlp_json_num(d, "control_samples"));
    }
    mlp_view_sort_end(v);
done:
    free(key);
    free(names);
    free(rank);
}

static void html_split(mlp_view *v, const cJSON *s)
{
    const cJSON *list = cJSON_GetObjectItem(s, "anomalies"), *a, *r;
    const char *sev;

    mlp_view_puts(v, "<h3>split ");
    mlp_view_text(v, mlp_json_str(s, "name"));
    mlp_view_printf(v, ": %d anomalies</h3>\n<table><tr><th>severity</th><th>"
                    "feature</th><th>kind</th><th>description</th><th>first rows"
                    "</th></tr>\n", cJSON_GetArraySize(list));
    cJSON_ArrayForEach(a, list) {
        sev = mlp_json_str(a, "severity");
        /* Only the two known severities become a class name. */
        mlp_view_printf(v, "<tr><td class=\"%s\">", strcmp(sev, "ERROR") == 0
                        ? "ERROR" : strcmp(sev, "WARNING") == 0 ? "WARNING" : "");
        mlp_view_text(v, sev);
        mlp_view_puts(v, "</td><td>");
        mlp_view_text(v, feature_of(a));
        mlp_view_puts(v, "</td><td>");
        mlp_view_text(v, mlp_json_str(a, "kind"));
        mlp_view_puts(v, "</td><td>");
        mlp_view_text(v, mlp_json_str(a, "description"));
        offending(v, a);
        mlp_view_puts(v, "</td><td>");
        cJSON_ArrayForEach(r, cJSON_GetObjectItem(a, "rows")) {
            if (cJSON_GetObjectItem(r, "line")) {
                mlp_view_text(v, mlp_json_str(r, "file"));
                mlp_view_printf(v, ":%.0f ", mlp_json_num(r, "line"));
            } else {
                mlp_view_printf(v, "row %.0f ", mlp_json_num(r, "row"));
            }
        }
        mlp_view_puts(v, "</td></tr>\n");
    }
    if (cJSON_GetArraySize(list) == 0)
        mlp_view_puts(v, "<tr><td colspan=\"5\">none</td></tr>\n");
    mlp_view_puts(v, "</table>\n");
    html_distances(v, cJSON_GetObjectItem(s, "drift"), "drift");
    html_distances(v, cJSON_GetObjectItem(s, "skew"), "skew");
}

int anomalies_view(const mlp_artifact *a, mlp_view *v, mlp_error *err)
{
    cJSON *doc;
    const cJSON *s;
    int rc = mlp_artifact_read_json(a, "anomalies.json", &doc, err);

    if (rc != MLP_OK)
        return rc;
    cJSON_ArrayForEach(s, cJSON_GetObjectItem(doc, "splits")) {
        if (mlp_view_kind_of(v) == MLP_VIEW_HTML)
            html_split(v, s);
        else
            text_split(v, s);
    }
    cJSON_Delete(doc);
    return MLP_OK;
}
