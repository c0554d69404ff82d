/* How a person sees an Anomalies artifact: per split, each anomaly with
 * its severity, feature, kind and first offending rows, then the drift
 * and skew distances against their thresholds. */
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

/* Larger distances first; comparisons that were skipped last. */
static int by_distance(const void *pa, const void *pb)
{
    const cJSON *a = *(const cJSON *const *)pa, *b = *(const cJSON *const *)pb;
    int ha = cJSON_IsNumber(cJSON_GetObjectItem(a, "distance"));
    int hb = cJSON_IsNumber(cJSON_GetObjectItem(b, "distance"));
    double x = mlp_json_num(a, "distance"), y = mlp_json_num(b, "distance");

    if (ha != hb)
        return hb - ha;
    return (x < y) - (x > y);
}

static void html_distances(mlp_view *v, const cJSON *list, const char *kind)
{
    const cJSON *d, **sorted;
    int n = cJSON_GetArraySize(list), i = 0;

    if (n == 0 || (sorted = malloc((size_t)n * sizeof *sorted)) == NULL)
        return;
    cJSON_ArrayForEach(d, list)
        sorted[i++] = d;
    qsort(sorted, (size_t)n, sizeof *sorted, by_distance);
    mlp_view_printf(v, "<table class=\"distances\"><tr><th>%s</th><th>comparator</th>"
                    "<th>distance (largest first)</th><th>threshold</th><th>samples"
                    "</th></tr>\n", kind);
    for (i = 0; i < n; i++) {
        d = sorted[i];
        mlp_view_puts(v, "<tr><td>");
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
        mlp_view_printf(v, "</td><td class=\"num %s\">%.4g</td><td class=\"num\">"
                        "%g</td><td class=\"num\">%.0f / %.0f</td></tr>\n",
                        cJSON_IsTrue(cJSON_GetObjectItem(d, "exceeded")) ? "ERROR" : "",
                        mlp_json_num(d, "distance"), mlp_json_num(d, "threshold"),
                        mlp_json_num(d, "samples"), mlp_json_num(d, "control_samples"));
    }
    mlp_view_puts(v, "</table>\n");
    free(sorted);
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
