/* How a person sees an Evaluation (metrics, slices worst first, fairness
 * gaps, ROC and calibration curves, the confusion matrix) and a Blessing
 * (every check and why). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ev.h"

static const char *const shown[] = { "accuracy", "precision", "recall", "f1", "roc_auc",
                                     "pr_auc", "log_loss", "brier", "mse", "rmse", "mae",
                                     "r2", NULL };

static void num(mlp_view *v, int html, double x)
{
    if (html)
        mlp_view_printf(v, "<td class=\"num\">");
    char b[MLP_VIEW_NUM_MAX];
    if (isnan(x))
        mlp_view_puts(v, html ? "&ndash;" : "       -");
    else
        mlp_view_printf(v, html ? "%s" : " %8s", mlp_view_num(x, b));
    if (html)
        mlp_view_puts(v, "</td>");
}

static void metric_table(mlp_view *v, int html, const cJSON *m, const cJSON *iv)
{
    char lo[MLP_VIEW_NUM_MAX], hi[MLP_VIEW_NUM_MAX];

    if (html)
        mlp_view_puts(v, "<table><tr><th>metric</th><th>value</th>");
    if (html && iv)
        mlp_view_puts(v, "<th>interval</th>");
    if (html)
        mlp_view_puts(v, "</tr>");
    for (size_t i = 0; shown[i]; i++) {
        const cJSON *x = cJSON_GetObjectItemCaseSensitive(m, shown[i]);
        const cJSON *ci = cJSON_GetObjectItemCaseSensitive(iv, shown[i]);
        if (x == NULL)
            continue;
        if (html) {
            mlp_view_printf(v, "<tr><td>%s</td>", shown[i]);
            num(v, html, cJSON_IsNumber(x) ? x->valuedouble : NAN);
            if (iv && ci)
                mlp_view_printf(v, "<td class=\"num\">[%s, %s]</td>",
                                mlp_view_num(cJSON_GetNumberValue(cJSON_GetArrayItem(ci, 0)), lo),
                                mlp_view_num(cJSON_GetNumberValue(cJSON_GetArrayItem(ci, 1)), hi));
            else if (iv)
                mlp_view_puts(v, "<td></td>");
            mlp_view_puts(v, "</tr>");
        } else {
            mlp_view_printf(v, "  %-10s", shown[i]);
            num(v, html, cJSON_IsNumber(x) ? x->valuedouble : NAN);
            if (ci)
                mlp_view_printf(v, "  [%s, %s]",
                                mlp_view_num(cJSON_GetNumberValue(cJSON_GetArrayItem(ci, 0)), lo),
                                mlp_view_num(cJSON_GetNumberValue(cJSON_GetArrayItem(ci, 1)), hi));
            mlp_view_puts(v, "\n");
        }
    }
    if (html)
        mlp_view_puts(v, "</table>");
}

/* Slices worst first by the task's main metric (accuracy, or RMSE). */
static void slices(mlp_view *v, int html, const cJSON *doc, int classification)
{
    const cJSON *sl = cJSON_GetObjectItemCaseSensitive(doc, "slices"), *s;
    const char *key = classification ? "accuracy" : "rmse";
    size_t n = (size_t)cJSON_GetArraySize(sl), i = 0;
    double *k1 = calloc(n + 1, sizeof *k1), *k2 = calloc(n + 1, sizeof *k2);
    size_t *r1 = calloc(n + 1, sizeof *r1), *r2 = calloc(n + 1, sizeof *r2);
    const char **names = calloc(n + 1, sizeof *names);
    char label[600], nb[MLP_VIEW_NUM_MAX];

    if (n == 0 || !k1 || !k2 || !r1 || !r2 || !names)
        goto done;
    cJSON_ArrayForEach(s, sl) {
        double m = mlp_json_num(cJSON_GetObjectItemCaseSensitive(s, "metrics"), key);
        k1[i] = classification ? m : -m;
        k2[i] = mlp_json_num(s, "rows");
        names[i++] = mlp_json_str(s, "feature");
    }
    mlp_view_rank(n, k1, 0, r1);
    mlp_view_rank(n, k2, 1, r2);
    if (!html) {
        mlp_view_printf(v, "slices, worst %s first:\n", key);
        for (size_t r = 0; r < n; r++)
            for (i = 0, s = sl->child; s; s = s->next, i++) {
                if (r1[i] != r)
                    continue;
                const cJSON *m = cJSON_GetObjectItemCaseSensitive(s, "metrics");
                snprintf(label, sizeof label, "%s = %s", mlp_json_str(s, "feature"),
                         mlp_json_str(s, "value"));
                mlp_view_puts(v, "  ");
                mlp_view_text(v, label);
                mlp_view_printf(v, "  rows %.0f", mlp_json_num(s, "rows"));
                if (cJSON_IsObject(m))
                    mlp_view_printf(v, "  %s %s", key, mlp_view_num(mlp_json_num(m, key), nb));
                if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(s, "small")))
                    mlp_view_puts(v, mlp_json_num(s, "rows") == 0 ? "  (empty)" : "  (small)");
                mlp_view_puts(v, "\n");
            }
        goto done;
    }
    static const char *const orders[] = { "worst first", "largest first" };
    mlp_view_printf(v, "<h4>Slices</h4>");
    mlp_view_sort_begin(v, 4, 2, orders);
    mlp_view_printf(v, "<tr><th>slice</th><th>rows</th><th>%s</th><th>note</th></tr>", key);
    for (i = 0, s = sl->child; s; s = s->next, i++) {
        size_t ranks[2] = { r1[i], r2[i] };
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(s, "metrics");
        mlp_view_sort_row(v, 2, ranks);
        mlp_view_puts(v, "<td>");
        snprintf(label, sizeof label, "%s = %s", mlp_json_str(s, "feature"),
                 mlp_json_str(s, "value"));
        mlp_view_text(v, label);
        mlp_view_printf(v, "</td><td class=\"num\">%.0f</td>", mlp_json_num(s, "rows"));
        num(v, 1, cJSON_IsObject(m) ? mlp_json_num(m, key) : NAN);
        mlp_view_printf(v, "<td>%s</td></tr>",
                        !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(s, "small")) ? ""
                        : mlp_json_num(s, "rows") == 0 ? "<span class=\"WARNING\">empty</span>"
                        : "<span class=\"WARNING\">small</span>");
    }
    mlp_view_sort_end(v);
done:
    free(k1);
    free(k2);
    free(r1);
    free(r2);
    free(names);
}

static void fairness(mlp_view *v, int html, const cJSON *doc)
{
    static const char *const gaps[] = { "demographic_parity_difference",
                                        "demographic_parity_ratio",
                                        "equal_opportunity_difference",
                                        "equalized_odds_difference", NULL };
    static const char *const rates[] = { "selection_rate", "tpr", "fpr", "fnr", "precision",
                                         NULL };
    const cJSON *f, *g;

    cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(doc, "fairness")) {
        const char *ref = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(f, "reference"));
        if (html) {
            mlp_view_puts(v, "<h4>Fairness across ");
            mlp_view_text(v, mlp_json_str(f, "feature"));
            mlp_view_puts(v, ref ? " (against " : "</h4>");
            if (ref) {
                mlp_view_text(v, ref);
                mlp_view_puts(v, ")</h4>");
            }
            mlp_view_puts(v, "<table><tr><th>group</th><th>rows</th>");
            for (size_t i = 0; rates[i]; i++)
                mlp_view_printf(v, "<th>%s</th>", rates[i]);
            mlp_view_puts(v, "</tr>");
        } else {
            mlp_view_puts(v, "fairness across ");
            mlp_view_text(v, mlp_json_str(f, "feature"));
            if (ref) {
                mlp_view_puts(v, " (against ");
                mlp_view_text(v, ref);
                mlp_view_puts(v, ")");
            }
            mlp_view_puts(v, ":\n  group        rows  sel.rate      tpr      fpr      fnr  "
                             "precision\n");
        }
        cJSON_ArrayForEach(g, cJSON_GetObjectItemCaseSensitive(f, "groups")) {
            mlp_view_puts(v, html ? "<tr><td>" : "  ");
            mlp_view_text(v, mlp_json_str(g, "value"));
            mlp_view_printf(v, html ? "</td><td class=\"num\">%.0f</td>" : "  %8.0f ",
                            mlp_json_num(g, "rows"));
            for (size_t i = 0; rates[i]; i++)
                num(v, html, mlp_json_num(g, rates[i]));
            mlp_view_puts(v, html ? "</tr>" : "\n");
        }
        if (html)
            mlp_view_puts(v, "</table><table>");
        for (size_t i = 0; gaps[i]; i++) {
            if (html) {
                mlp_view_printf(v, "<tr><td>%s</td>", gaps[i]);
                num(v, 1, mlp_json_num(f, gaps[i]));
                mlp_view_puts(v, "</tr>");
            } else {
                mlp_view_printf(v, "  %-30s", gaps[i]);
                num(v, 0, mlp_json_num(f, gaps[i]));
                mlp_view_puts(v, "\n");
            }
        }
        if (html)
            mlp_view_puts(v, "</table>");
    }
}

/* Class i's name, cut to fit a chart's label. */
static void class_label(const cJSON *classes, size_t i, char *buf, size_t size)
{
    const cJSON *c = cJSON_GetArrayItem(classes, (int)i);
    if (c == NULL)
        snprintf(buf, size, "%zu", i);
    else
        mlp_class_name(c, buf, size < 9 ? size : 9);
}

static void curves(mlp_view *v, const cJSON *overall, const cJSON *classes)
{
    const cJSON *roc = cJSON_GetObjectItemCaseSensitive(overall, "roc_curve");
    const cJSON *cal = cJSON_GetObjectItemCaseSensitive(overall, "calibration");
    const cJSON *cm = cJSON_GetObjectItemCaseSensitive(overall, "confusion_matrix");

    if (roc) {
        size_t n = (size_t)cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(roc, "fpr"));
        size_t step = n / 1000 + 1, m = 0;
        double *x = malloc((n + 1) * sizeof *x), *y = malloc((n + 1) * sizeof *y);
        if (x && y) {
            const cJSON *a = cJSON_GetObjectItemCaseSensitive(roc, "fpr")->child;
            const cJSON *b = cJSON_GetObjectItemCaseSensitive(roc, "tpr")->child;
            for (size_t i = 0; a && b; i++, a = a->next, b = b->next)
                if (i % step == 0 || a->next == NULL) {
                    x[m] = a->valuedouble;
                    y[m++] = b->valuedouble;
                }
            double dx[2] = { 0, 1 };
            mlp_view_series s[2] = { { "ROC", m, x, y }, { "chance", 2, dx, dx } };
            mlp_view_puts(v, "<h4>ROC curve</h4>");
            mlp_view_lines(v, "false positive rate", "true positive rate", 2, s);
        }
        free(x);
        free(y);
    }
    if (cal) {
        double x[64], y[64], d[2] = { 0, 1 };
        size_t m = 0;
        const cJSON *a = cJSON_GetObjectItemCaseSensitive(cal, "prob_pred")->child;
        const cJSON *b = cJSON_GetObjectItemCaseSensitive(cal, "prob_true")->child;
        for (; a && b && m < 64; a = a->next, b = b->next) {
            x[m] = a->valuedouble;
            y[m++] = b->valuedouble;
        }
        mlp_view_series s[2] = { { "model", m, x, y }, { "perfect", 2, d, d } };
        mlp_view_puts(v, "<h4>Calibration</h4>");
        mlp_view_lines(v, "mean predicted probability", "fraction positive", 2, s);
    }
    if (cm) {
        size_t k = (size_t)cJSON_GetArraySize(cm), cell = k > 10 ? 24 : 40, m = 48;
        double max = 0;
        const cJSON *row, *c;
        cJSON_ArrayForEach(row, cm) cJSON_ArrayForEach(c, row) max = fmax(max, c->valuedouble);
        mlp_view_printf(v, "<h4>Confusion matrix (rows: true class, columns: predicted)</h4>"
                        "<svg class=\"confusion\" width=\"%zu\" height=\"%zu\" "
                        "viewBox=\"0 0 %zu %zu\">", m + k * cell + 2, m + k * cell + 2,
                        m + k * cell + 2, m + k * cell + 2);
        for (size_t i = 0; i < k; i++) {
            char name[64];
            class_label(classes, i, name, sizeof name);
            mlp_view_printf(v, "<text x=\"%zu\" y=\"%zu\" font-size=\"10\" "
                            "text-anchor=\"end\">", m - 4, m + i * cell + cell / 2 + 4);
            mlp_view_text(v, name);
            mlp_view_printf(v, "</text><text x=\"%zu\" y=\"%zu\" font-size=\"10\" "
                            "text-anchor=\"middle\">", m + i * cell + cell / 2, m - 6);
            mlp_view_text(v, name);
            mlp_view_puts(v, "</text>");
        }
        size_t i = 0;
        cJSON_ArrayForEach(row, cm) {
            size_t j = 0;
            cJSON_ArrayForEach(c, row) {
                char a[64], b[64];
                int shade = max > 0 ? (int)(230 - 180 * c->valuedouble / max) : 230;
                class_label(classes, i, a, sizeof a);
                class_label(classes, j, b, sizeof b);
                mlp_view_printf(v, "<rect x=\"%zu\" y=\"%zu\" width=\"%zu\" height=\"%zu\" "
                                "fill=\"rgb(%d,%d,255)\" stroke=\"#fff\"><title>", m + j * cell,
                                m + i * cell, cell, cell, shade, shade);
                mlp_view_text(v, a);
                mlp_view_puts(v, " predicted as ");
                mlp_view_text(v, b);
                mlp_view_printf(v, ": %.0f</title></rect><text x=\"%zu\" y=\"%zu\" "
                                "font-size=\"10\" text-anchor=\"middle\">%.0f</text>",
                                c->valuedouble, m + j * cell + cell / 2,
                                m + i * cell + cell / 2 + 4, c->valuedouble);
                j++;
            }
            i++;
        }
        mlp_view_puts(v, "</svg>");
    }
}

int ev_view(const mlp_artifact *a, mlp_view *v, mlp_error *err)
{
    cJSON *doc = NULL;
    int html = mlp_view_kind_of(v) == MLP_VIEW_HTML, rc;

    if ((rc = mlp_artifact_read_json(a, "evaluation.json", &doc, err)) != MLP_OK)
        return rc;
    int cls = strcmp(mlp_json_str(doc, "task"), "classification") == 0;
    const cJSON *overall = cJSON_GetObjectItemCaseSensitive(doc, "overall");
    const cJSON *bs = cJSON_GetObjectItemCaseSensitive(doc, "bootstrap");
    char head[300];
    const char *pos = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(doc,
                                                                            "positive_class"));
    snprintf(head, sizeof head, "Evaluation on split '%s', %.0f rows%s%s", mlp_json_str(doc, "split"),
             mlp_json_num(doc, "rows"), cls && pos ? ", positive class " : "",
             cls && pos ? pos : "");
    mlp_view_puts(v, html ? "<p>" : "");
    mlp_view_text(v, head);
    mlp_view_puts(v, html ? "</p>" : "\n");
    metric_table(v, html, overall, cJSON_GetObjectItemCaseSensitive(bs, "intervals"));
    slices(v, html, doc, cls);
    fairness(v, html, doc);
    if (html)
        curves(v, overall, cJSON_GetObjectItemCaseSensitive(doc, "classes"));
    cJSON_Delete(doc);
    return MLP_OK;
}

int ev_blessing_view(const mlp_artifact *a, mlp_view *v, mlp_error *err)
{
    cJSON *doc = NULL;
    int html = mlp_view_kind_of(v) == MLP_VIEW_HTML, rc;
    const cJSON *c;

    if ((rc = mlp_artifact_read_json(a, "blessing.json", &doc, err)) != MLP_OK)
        return rc;
    int blessed = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(doc, "blessed"));
    if (html)
        mlp_view_printf(v, "<p><b%s>%s</b></p><table><tr><th>check</th><th>scope</th>"
                        "<th>status</th><th>why</th></tr>",
                        blessed ? "" : " class=\"ERROR\"",
                        blessed ? "Blessed" : "Not blessed");
    else
        mlp_view_printf(v, "%s\n", blessed ? "BLESSED" : "NOT BLESSED");
    if (cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(doc, "baseline_model")) && !html)
        mlp_view_printf(v, "  compared with baseline model artifact %.0f\n",
                        mlp_json_num(doc, "baseline_model"));
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(doc, "checks")) {
        const char *st = mlp_json_str(c, "status");
        if (html) {
            mlp_view_puts(v, "<tr><td>");
            mlp_view_text(v, mlp_json_str(c, "metric"));
            mlp_view_puts(v, "</td><td>");
            mlp_view_text(v, mlp_json_str(c, "scope"));
            mlp_view_printf(v, "</td><td%s>%s</td><td>",
                            strcmp(st, "failed") == 0 ? " class=\"ERROR\"" : "", st);
            mlp_view_text(v, mlp_json_str(c, "why"));
            mlp_view_puts(v, "</td></tr>");
        } else {
            mlp_view_printf(v, "  %-7s ", st);
            mlp_view_text(v, mlp_json_str(c, "why"));
            mlp_view_puts(v, " [");
            mlp_view_text(v, mlp_json_str(c, "scope"));
            mlp_view_puts(v, "]\n");
        }
    }
    if (html)
        mlp_view_puts(v, "</table>");
    if (html && cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(doc, "baseline_model")))
        mlp_view_printf(v, "<p>Compared with baseline model artifact %.0f.</p>",
                        mlp_json_num(doc, "baseline_model"));
    cJSON_Delete(doc);
    return MLP_OK;
}
