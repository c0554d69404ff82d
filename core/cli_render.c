/* Rendering statistics, schemas and anomalies for people: aligned terminal
 * tables, and one self-contained HTML page with inline SVG histograms (no
 * scripts, no network fetches). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli_render.h"

static double num(const cJSON *o, const char *k)
{
    return cJSON_GetNumberValue(cJSON_GetObjectItem(o, k));
}

static const char *str(const cJSON *o, const char *k)
{
    const char *s = cJSON_GetStringValue(cJSON_GetObjectItem(o, k));
    return s ? s : "";
}

static void fmt_num(char *buf, size_t n, const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItem(o, k);

    if (!cJSON_IsNumber(v))
        snprintf(buf, n, "-");
    else
        snprintf(buf, n, "%.6g", v->valuedouble);
}

void mlpi_show_statistics(FILE *out, const cJSON *stats)
{
    const cJSON *s, *f, *t;

    cJSON_ArrayForEach(s, cJSON_GetObjectItem(stats, "splits")) {
        fprintf(out, "split %s: %.0f examples\n", str(s, "name"), num(s, "num_examples"));
        fprintf(out, "  %-20s %-6s %8s %11s %11s %11s %11s %11s  %s\n", "feature",
                "type", "missing", "mean", "std_dev", "min", "median", "max",
                "unique / top values");
        cJSON_ArrayForEach(f, cJSON_GetObjectItem(s, "features")) {
            const cJSON *common = cJSON_GetObjectItem(f, "common");
            const cJSON *ns = cJSON_GetObjectItem(f, "num_stats");
            const cJSON *ss = cJSON_GetObjectItem(f, "string_stats");
            char a[32], b[32], c[32], d[32], e[32];
            fprintf(out, "  %-20.20s %-6s %7.2f%%", str(f, "name"), str(f, "type"),
                    100 * num(common, "missing_fraction"));
            if (ns) {
                fmt_num(a, sizeof a, ns, "mean");
                fmt_num(b, sizeof b, ns, "std_dev");
                fmt_num(c, sizeof c, ns, "min");
                fmt_num(d, sizeof d, ns, "median");
                fmt_num(e, sizeof e, ns, "max");
                fprintf(out, " %11s %11s %11s %11s %11s\n", a, b, c, d, e);
            } else {
                int k = 0;
                fprintf(out, " %11s %11s %11s %11s %11s  %.0f:", "", "", "", "", "",
                        num(ss, "unique"));
                cJSON_ArrayForEach(t, cJSON_GetObjectItem(ss, "top_values")) {
                    if (k++ == 3) {
                        fprintf(out, " ...");
                        break;
                    }
                    fprintf(out, " %s (%.0f)", str(t, "value"), num(t, "frequency"));
                }
                fprintf(out, "\n");
            }
        }
    }
}

void mlpi_show_anomalies(FILE *out, const cJSON *doc)
{
    const cJSON *s, *a, *r, *d;

    cJSON_ArrayForEach(s, cJSON_GetObjectItem(doc, "splits")) {
        const cJSON *list = cJSON_GetObjectItem(s, "anomalies");
        fprintf(out, "split %s: %d anomalies\n", str(s, "name"), cJSON_GetArraySize(list));
        cJSON_ArrayForEach(a, list) {
            const char *feat = cJSON_IsString(cJSON_GetObjectItem(a, "feature"))
                               ? str(a, "feature") : "(dataset)";
            fprintf(out, "  %-7s %-18.18s %-38s %s\n", str(a, "severity"), feat,
                    str(a, "kind"), str(a, "description"));
            if (cJSON_GetArraySize(cJSON_GetObjectItem(a, "rows")) > 0) {
                fprintf(out, "  %-7s %-18s first rows:", "", "");
                cJSON_ArrayForEach(r, cJSON_GetObjectItem(a, "rows")) {
                    if (cJSON_GetObjectItem(r, "line"))
                        fprintf(out, " %s:%.0f", str(r, "file"), num(r, "line"));
                    else
                        fprintf(out, " row %.0f", num(r, "row"));
                }
                fprintf(out, "\n");
            }
        }
        const char *const kinds[] = { "drift", "skew" };
        for (int k = 0; k < 2; k++)
            cJSON_ArrayForEach(d, cJSON_GetObjectItem(s, kinds[k]))
                fprintf(out, "  %-7s %-18.18s %-38s %s %.4g (threshold %g)%s\n",
                        kinds[k], str(d, "feature"), str(d, "comparator"),
                        cJSON_IsNumber(cJSON_GetObjectItem(d, "distance")) ? "distance" : "no distance",
                        num(d, "distance"), num(d, "threshold"),
                        cJSON_IsTrue(cJSON_GetObjectItem(d, "exceeded")) ? "  EXCEEDED" : "");
    }
}

/* ----------------------------------------------------------------- HTML */

static void esc(FILE *out, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '&': fputs("&amp;", out); break;
        case '"': fputs("&quot;", out); break;
        default: fputc(*s, out);
        }
    }
}

void mlpi_html_begin(FILE *out, const char *title)
{
    fputs("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>", out);
    esc(out, title);
    fputs("</title>\n<style>\n"
          "body{font-family:sans-serif;margin:2em;color:#222}\n"
          "table{border-collapse:collapse;margin:0.5em 0 1.5em}\n"
          "td,th{border-bottom:1px solid #ddd;padding:3px 8px;text-align:left;"
          "vertical-align:middle;font-size:13px}\n"
          "th{background:#f3f3f3}\n.num{text-align:right;font-variant-numeric:tabular-nums}\n"
          ".ERROR{color:#b00020;font-weight:bold}.WARNING{color:#a36b00;font-weight:bold}\n"
          "svg rect{fill:#4a7ebb}\n"
          "</style></head><body>\n<h1>", out);
    esc(out, title);
    fputs("</h1>\n", out);
}

void mlpi_html_end(FILE *out)
{
    fputs("</body></html>\n", out);
}

/* Bars of `counts` as a small inline SVG with a title per bar. */
static void svg_bars(FILE *out, const cJSON *buckets, const char *count_key,
                     int labels)
{
    const cJSON *b;
    double max = 0;
    int n = cJSON_GetArraySize(buckets), i = 0;
    const int w = 200, h = 40;

    if (n == 0)
        return;
    cJSON_ArrayForEach(b, buckets)
        if (num(b, count_key) > max)
            max = num(b, count_key);
    fprintf(out, "<svg width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">", w, h, w, h);
    cJSON_ArrayForEach(b, buckets) {
        double bh = max > 0 ? (double)h * num(b, count_key) / max : 0;
        double bw = (double)w / n;
        fprintf(out, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\">"
                "<title>", bw * i + 0.5, h - bh, bw > 2 ? bw - 1 : bw, bh);
        if (labels)
            esc(out, str(b, "label"));
        else
            fprintf(out, "[%.6g, %.6g]", num(b, "low_value"), num(b, "high_value"));
        fprintf(out, ": %.0f</title></rect>", num(b, count_key));
        i++;
    }
    fputs("</svg>", out);
}

void mlpi_html_statistics(FILE *out, const char *heading, const cJSON *stats)
{
    const cJSON *s, *f, *h;

    fputs("<h2>", out);
    esc(out, heading);
    fputs("</h2>\n", out);
    cJSON_ArrayForEach(s, cJSON_GetObjectItem(stats, "splits")) {
        fputs("<h3>split ", out);
        esc(out, str(s, "name"));
        fprintf(out, ": %.0f examples</h3>\n<table><tr><th>feature</th><th>type</th>"
                "<th>missing</th><th>mean</th><th>std dev</th><th>min</th>"
                "<th>median</th><th>max</th><th>unique</th><th>distribution</th></tr>\n",
                num(s, "num_examples"));
        cJSON_ArrayForEach(f, cJSON_GetObjectItem(s, "features")) {
            const cJSON *ns = cJSON_GetObjectItem(f, "num_stats");
            const cJSON *ss = cJSON_GetObjectItem(f, "string_stats");
            fputs("<tr><td>", out);
            esc(out, str(f, "name"));
            fprintf(out, "</td><td>%s</td><td class=\"num\">%.2f%%</td>", str(f, "type"),
                    100 * num(cJSON_GetObjectItem(f, "common"), "missing_fraction"));
            if (ns) {
                const char *const keys[] = { "mean", "std_dev", "min", "median", "max" };
                for (int k = 0; k < 5; k++) {
                    char b[32];
                    fmt_num(b, sizeof b, ns, keys[k]);
                    fprintf(out, "<td class=\"num\">%s</td>", b);
                }
                fputs("<td></td><td>", out);
                cJSON_ArrayForEach(h, cJSON_GetObjectItem(ns, "histograms"))
                    if (strcmp(str(h, "type"), "STANDARD") == 0)
                        svg_bars(out, cJSON_GetObjectItem(h, "buckets"), "sample_count", 0);
                fputs("</td></tr>\n", out);
            } else {
                fprintf(out, "<td></td><td></td><td></td><td></td><td></td>"
                        "<td class=\"num\">%.0f</td><td>", num(ss, "unique"));
                /* The 20 most frequent values. */
                cJSON *top = cJSON_CreateArray();
                int k = 0;
                cJSON_ArrayForEach(h, cJSON_GetObjectItem(ss, "rank_histogram"))
                    if (k++ < 20)
                        cJSON_AddItemToArray(top, cJSON_Duplicate(h, 1));
                svg_bars(out, top, "sample_count", 1);
                cJSON_Delete(top);
                fputs("</td></tr>\n", out);
            }
        }
        fputs("</table>\n", out);
    }
}

void mlpi_html_schema(FILE *out, const char *heading, const cJSON *schema)
{
    const cJSON *f;

    fputs("<h2>", out);
    esc(out, heading);
    fputs("</h2>\n<table><tr><th>feature</th><th>type</th><th>presence</th>"
          "<th>domain</th><th>environments</th><th>comparators</th></tr>\n", out);
    cJSON_ArrayForEach(f, cJSON_GetObjectItem(schema, "features")) {
        const char *const keys[] = { "presence", NULL };
        char *t;
        fputs("<tr><td>", out);
        esc(out, str(f, "name"));
        fprintf(out, "</td><td>%s</td><td>", str(f, "type"));
        for (int k = 0; keys[k]; k++)
            if ((t = cJSON_PrintUnformatted(cJSON_GetObjectItem(f, keys[k])))) {
                esc(out, t);
                cJSON_free(t);
            }
        fputs("</td><td>", out);
        if (cJSON_GetObjectItem(f, "domain")) {
            /* The named domain's values, not only its name. */
            const cJSON *d, *v;
            int k = 0;
            cJSON_ArrayForEach(d, cJSON_GetObjectItem(schema, "string_domains"))
                if (strcmp(str(d, "name"), str(f, "domain")) == 0)
                    cJSON_ArrayForEach(v, cJSON_GetObjectItem(d, "values")) {
                        if (k++ == 20) {
                            fputs(", ...", out);
                            break;
                        }
                        if (k > 1)
                            fputs(", ", out);
                        esc(out, cJSON_GetStringValue(v) ? cJSON_GetStringValue(v) : "");
                    }
        }
        const char *const doms[] = { "string_domain", "int_domain", "float_domain" };
        for (int k = 0; k < 3; k++)
            if ((t = cJSON_PrintUnformatted(cJSON_GetObjectItem(f, doms[k])))) {
                esc(out, t);
                cJSON_free(t);
            }
        fputs("</td><td>", out);
        if ((t = cJSON_PrintUnformatted(cJSON_GetObjectItem(f, "not_in_environment")))) {
            fputs("not in ", out);
            esc(out, t);
            cJSON_free(t);
        }
        fputs("</td><td>", out);
        const char *const cmps[] = { "drift_comparator", "skew_comparator" };
        for (int k = 0; k < 2; k++)
            if ((t = cJSON_PrintUnformatted(cJSON_GetObjectItem(f, cmps[k])))) {
                fprintf(out, "%s: ", k ? "skew" : "drift");
                esc(out, t);
                fputs(" ", out);
                cJSON_free(t);
            }
        fputs("</td></tr>\n", out);
    }
    fputs("</table>\n", out);
}

void mlpi_html_anomalies(FILE *out, const char *heading, const cJSON *doc)
{
    const cJSON *s, *a, *r, *d;

    fputs("<h2>", out);
    esc(out, heading);
    fputs("</h2>\n", out);
    cJSON_ArrayForEach(s, cJSON_GetObjectItem(doc, "splits")) {
        fputs("<h3>split ", out);
        esc(out, str(s, "name"));
        fprintf(out, ": %d anomalies</h3>\n<table><tr><th>severity</th><th>feature</th>"
                "<th>kind</th><th>description</th><th>first rows</th></tr>\n",
                cJSON_GetArraySize(cJSON_GetObjectItem(s, "anomalies")));
        cJSON_ArrayForEach(a, cJSON_GetObjectItem(s, "anomalies")) {
            fprintf(out, "<tr><td class=\"%s\">%s</td><td>", str(a, "severity"),
                    str(a, "severity"));
            esc(out, cJSON_IsString(cJSON_GetObjectItem(a, "feature")) ? str(a, "feature")
                                                                       : "(dataset)");
            fprintf(out, "</td><td>%s</td><td>", str(a, "kind"));
            esc(out, str(a, "description"));
            fputs("</td><td>", out);
            cJSON_ArrayForEach(r, cJSON_GetObjectItem(a, "rows")) {
                esc(out, str(r, "file"));
                fprintf(out, ":%.0f ", num(r, "line"));
            }
            fputs("</td></tr>\n", out);
        }
        if (cJSON_GetArraySize(cJSON_GetObjectItem(s, "anomalies")) == 0)
            fputs("<tr><td colspan=\"5\">none</td></tr>\n", out);
        fputs("</table>\n", out);
        const char *const kinds[] = { "drift", "skew" };
        for (int k = 0; k < 2; k++) {
            const cJSON *list = cJSON_GetObjectItem(s, kinds[k]);
            if (cJSON_GetArraySize(list) == 0)
                continue;
            fprintf(out, "<table><tr><th>%s</th><th>comparator</th><th>distance</th>"
                    "<th>threshold</th><th>samples</th></tr>\n", kinds[k]);
            cJSON_ArrayForEach(d, list) {
                fputs("<tr><td>", out);
                esc(out, str(d, "feature"));
                fprintf(out, "</td><td>%s</td><td class=\"num %s\">%.4g</td>"
                        "<td class=\"num\">%g</td><td class=\"num\">%.0f / %.0f</td></tr>\n",
                        str(d, "comparator"),
                        cJSON_IsTrue(cJSON_GetObjectItem(d, "exceeded")) ? "ERROR" : "",
                        num(d, "distance"), num(d, "threshold"), num(d, "samples"),
                        num(d, "control_samples"));
            }
            fputs("</table>\n", out);
        }
    }
}
