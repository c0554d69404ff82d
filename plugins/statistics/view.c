/* How a person sees a Statistics artifact: per split, one row per feature
 * with its summary figures; in HTML also its histogram as inline SVG. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mlpipe/mlpipe.h>

#include "compare.h"
#include "view.h"

/* Features listed in full per split in a terminal. */
#define TEXT_FEATURES 100

static void fmt_num(char *buf, size_t n, const cJSON *o, const char *k)
{
    double v = mlp_json_num(o, k);
    /* A median from the sketch is approximate: marked with a tilde. */
    const char *approx = strcmp(k, "median") == 0 &&
                         cJSON_IsFalse(cJSON_GetObjectItem(o, "quantiles_exact"))
                         ? "~" : "";

    if (isnan(v) && !cJSON_IsNumber(cJSON_GetObjectItem(o, k)))
        snprintf(buf, n, "-");
    else
        snprintf(buf, n, "%s%.6g", approx, v);
}

/* Text counted by the sketches (past exact_unique_mb): unique is an
 * estimate and the top counts lower bounds. */
static int sketched(const cJSON *ss)
{
    return cJSON_IsFalse(cJSON_GetObjectItem(ss, "counts_exact"));
}

static void text_feature(mlp_view *v, const cJSON *f)
{
    const cJSON *ns = cJSON_GetObjectItem(f, "num_stats");
    const cJSON *ss = cJSON_GetObjectItem(f, "string_stats"), *t;
    char a[32], b[32], c[32], d[32], e[32];
    int k = 0;

    mlp_view_puts(v, "  ");
    {
        char name[21];
        snprintf(name, sizeof name, "%s", mlp_json_str(f, "name"));
        mlp_view_text(v, name);
        mlp_view_printf(v, "%*s", (int)(20 - strlen(name)), "");
    }
    mlp_view_printf(v, " %-6s %7.2f%%", mlp_json_str(f, "type"),
                    100 * mlp_json_num(cJSON_GetObjectItem(f, "common"),
                                       "missing_fraction"));
    if (ns) {
        fmt_num(a, sizeof a, ns, "mean");
        fmt_num(b, sizeof b, ns, "std_dev");
        fmt_num(c, sizeof c, ns, "min");
        fmt_num(d, sizeof d, ns, "median");
        fmt_num(e, sizeof e, ns, "max");
        mlp_view_printf(v, " %11s %11s %11s %11s %11s\n", a, b, c, d, e);
        return;
    }
    mlp_view_printf(v, " %11s %11s %11s %11s %11s  %s%.0f:", "", "", "", "", "",
                    sketched(ss) ? "~" : "", mlp_json_num(ss, "unique"));
    cJSON_ArrayForEach(t, cJSON_GetObjectItem(ss, "top_values")) {
        if (k++ == 3) {
            mlp_view_puts(v, " ...");
            break;
        }
        mlp_view_puts(v, " ");
        mlp_view_text(v, mlp_json_str(t, "value"));
        mlp_view_printf(v, " (%.0f)", mlp_json_num(t, "frequency"));
    }
    mlp_view_puts(v, "\n");
}

/* Bars of a histogram's buckets; numeric ones are labelled by range. */
static void bars(mlp_view *v, const cJSON *buckets, int ranked, int limit)
{
    int n = cJSON_GetArraySize(buckets), i = 0;
    const cJSON *b;

    if (n > limit)
        n = limit;
    double *counts = malloc((size_t)(n + 1) * sizeof *counts);
    char **labels = calloc((size_t)n + 1, sizeof *labels);
    if (counts == NULL || labels == NULL) {
        free(counts);
        free(labels);
        return;
    }
    cJSON_ArrayForEach(b, buckets) {
        if (i == n)
            break;
        char buf[96];
        counts[i] = mlp_json_num(b, "sample_count");
        if (ranked)
            labels[i] = strdup(mlp_json_str(b, "label"));
        else {
            snprintf(buf, sizeof buf, "[%.6g, %.6g]", mlp_json_num(b, "low_value"),
                     mlp_json_num(b, "high_value"));
            labels[i] = strdup(buf);
        }
        i++;
    }
    mlp_view_bars(v, (size_t)i, counts, (const char *const *)labels);
    for (int k = 0; k < i; k++)
        free(labels[k]);
    free(labels);
    free(counts);
}

/* The head of a split's or a slice's table of features. */
static void table_head(mlp_view *v)
{
    mlp_view_puts(v, "<table><tr><th>feature</th><th>type</th><th>missing</th>"
                  "<th>mean</th><th>std dev</th><th>min</th><th>median</th><th>max"
                  "</th><th>unique</th><th>distribution</th></tr>\n");
}

static void html_feature(mlp_view *v, const cJSON *f)
{
    const cJSON *ns = cJSON_GetObjectItem(f, "num_stats");
    const cJSON *ss = cJSON_GetObjectItem(f, "string_stats"), *h;

    mlp_view_puts(v, "<tr><td>");
    mlp_view_text(v, mlp_json_str(f, "name"));
    mlp_view_puts(v, "</td><td>");
    mlp_view_text(v, mlp_json_str(f, "type"));
    mlp_view_printf(v, "</td><td class=\"num\">%.2f%%</td>", 100 * mlp_json_num(
                        cJSON_GetObjectItem(f, "common"), "missing_fraction"));
    if (ns) {
        const char *const keys[] = { "mean", "std_dev", "min", "median", "max" };
        for (int k = 0; k < 5; k++) {
            char b[32];
            fmt_num(b, sizeof b, ns, keys[k]);
            mlp_view_printf(v, "<td class=\"num\">%s</td>", b);
        }
        mlp_view_puts(v, "<td></td><td>");
        cJSON_ArrayForEach(h, cJSON_GetObjectItem(ns, "histograms"))
            if (strcmp(mlp_json_str(h, "type"), "STANDARD") == 0)
                bars(v, cJSON_GetObjectItem(h, "buckets"), 0, 1000);
    } else {
        mlp_view_printf(v, "<td></td><td></td><td></td><td></td><td></td>"
                        "<td class=\"num\">%s%.0f</td><td>", sketched(ss) ? "~" : "",
                        mlp_json_num(ss, "unique"));
        /* The 20 most frequent values. */
        bars(v, cJSON_GetObjectItem(ss, "rank_histogram"), 1, 20);
    }
    mlp_view_puts(v, "</td></tr>\n");
}

/* Sliced statistics: in a terminal the slices and their sizes, in the
 * report a table per slice. */
static void slices(mlp_view *v, const cJSON *list, int html)
{
    const cJSON *sl, *f;
    int first = 1;

    cJSON_ArrayForEach(sl, list) {
        if (!html) {
            mlp_view_puts(v, first ? "  slices: " : ", ");
            mlp_view_text(v, mlp_json_str(sl, "name"));
            mlp_view_printf(v, " (%.0f)", mlp_json_num(sl, "num_examples"));
            first = 0;
            continue;
        }
        mlp_view_puts(v, "<h4>slice ");
        mlp_view_text(v, mlp_json_str(sl, "name"));
        mlp_view_printf(v, ": %.0f examples</h4>\n", mlp_json_num(sl, "num_examples"));
        table_head(v);
        cJSON_ArrayForEach(f, cJSON_GetObjectItem(sl, "features"))
            html_feature(v, f);
        mlp_view_puts(v, "</table>\n");
    }
    if (!html && !first)
        mlp_view_puts(v, "\n");
}

int statistics_view(const mlp_artifact *a, mlp_view *v, mlp_error *err)
{
    cJSON *doc;
    const cJSON *s, *f;
    int html = mlp_view_kind_of(v) == MLP_VIEW_HTML;
    int rc = mlp_artifact_read_json(a, "statistics.json", &doc, err);

    if (rc != MLP_OK)
        return rc;
    if (html)
        stats_compare(v, doc, cJSON_GetStringValue(mlp_artifact_property(a, "label")));
    cJSON_ArrayForEach(s, cJSON_GetObjectItem(doc, "splits")) {
        if (html) {
            mlp_view_puts(v, "<h3>split ");
            mlp_view_text(v, mlp_json_str(s, "name"));
            mlp_view_printf(v, ": %.0f examples</h3>\n", mlp_json_num(s, "num_examples"));
            table_head(v);
        } else {
            mlp_view_puts(v, "split ");
            mlp_view_text(v, mlp_json_str(s, "name"));
            mlp_view_printf(v, ": %.0f examples\n  %-20s %-6s %8s %11s %11s %11s "
                            "%11s %11s  %s\n", mlp_json_num(s, "num_examples"),
                            "feature", "type", "missing", "mean", "std_dev", "min",
                            "median", "max", "unique / top values");
        }
        int k = 0, approx = 0, approx_text = 0, numeric = 0, with_missing = 0;
        cJSON_ArrayForEach(f, cJSON_GetObjectItem(s, "features")) {
            const cJSON *ns = cJSON_GetObjectItem(f, "num_stats");
            approx |= cJSON_IsFalse(cJSON_GetObjectItem(ns, "quantiles_exact"));
            approx_text |= sketched(cJSON_GetObjectItem(f, "string_stats"));
            if (html) {
                html_feature(v, f);
                continue;
            }
            /* A terminal page, not a flood: wide data is summarised past
             * the first TEXT_FEATURES features. */
            if (k++ < TEXT_FEATURES) {
                text_feature(v, f);
                continue;
            }
            numeric += ns != NULL;
            with_missing += mlp_json_num(cJSON_GetObjectItem(f, "common"),
                                         "num_missing") > 0;
        }
        if (html)
            mlp_view_puts(v, "</table>\n");
        if (!html && k > TEXT_FEATURES)
            mlp_view_printf(v, "  ... %d more features (%d numeric, %d with missing "
                            "values); `mlpipe report` shows them all\n",
                            k - TEXT_FEATURES, numeric, with_missing);
        if (approx)
            mlp_view_puts(v, html ? "<p><small>~ median from the quantile sketch "
                                    "(approximate)</small></p>\n"
                                  : "  ~ median from the quantile sketch (approximate)\n");
        if (approx_text)
            mlp_view_puts(v, html ? "<p><small>~ distinct values estimated and top "
                                    "counts from a frequent-items sketch (a text "
                                    "feature beyond exact_unique_mb)</small></p>\n"
                                  : "  ~ distinct values estimated and top counts from a "
                                    "frequent-items sketch (a text feature beyond "
                                    "exact_unique_mb)\n");
        slices(v, cJSON_GetObjectItem(s, "slices"), html);
    }
    cJSON_Delete(doc);
    return MLP_OK;
}
