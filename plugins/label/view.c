/* How a person sees Labels (the LF summary of each split, as Snorkel's
 * lf_summary prints it) and a LabelModel (what it learned of each LF,
 * and its accuracy against gold labels next to majority vote's). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "label.h"

static double num_or_nan(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItem(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

/* A fraction, or a count (count set) as a whole number. */
static void cell(mlp_view *v, double x, int html, int width, int count)
{
    char b[MLP_VIEW_NUM_MAX];
    if (count && isfinite(x))
        snprintf(b, sizeof b, "%.0f", x);
    else
        mlp_view_num(x, b);
    if (html)
        mlp_view_printf(v, "<td class=\"num\">%s</td>", b);
    else
        mlp_view_printf(v, " %*s", width, b);
}

static void polarity(mlp_view *v, const cJSON *lf)
{
    const cJSON *p;
    int first = 1;
    cJSON_ArrayForEach(p, cJSON_GetObjectItem(lf, "polarity")) {
        mlp_view_puts(v, first ? "" : ",");
        mlp_view_text(v, cJSON_GetStringValue(p) ? p->valuestring : "?");
        first = 0;
    }
    if (first)
        mlp_view_puts(v, "-");
}

static void lf_table(mlp_view *v, const cJSON *a, int html, int gold)
{
    static const char *const cols[] = { "coverage", "overlaps", "conflicts" };
    const cJSON *lf;

    if (html) {
        mlp_view_puts(v, "<table><tr><th>labeling function</th><th>polarity</th>"
                         "<th>coverage</th><th>overlaps</th><th>conflicts</th>");
        if (gold)
            mlp_view_puts(v, "<th>correct</th><th>incorrect</th><th>emp. accuracy</th>");
        mlp_view_puts(v, "<th>errors</th></tr>\n");
    } else {
        mlp_view_printf(v, "  %-24s %-12s %9s %9s %9s", "labeling function", "polarity",
                        "coverage", "overlaps", "conflicts");
        if (gold)
            mlp_view_printf(v, " %8s %9s %9s", "correct", "incorrect", "emp.acc");
        mlp_view_printf(v, " %7s\n", "errors");
    }
    cJSON_ArrayForEach(lf, cJSON_GetObjectItem(a, "lfs")) {
        char name[25];
        snprintf(name, sizeof name, "%s", mlp_json_str(lf, "name"));
        if (html) {
            mlp_view_puts(v, "<tr><td>");
            mlp_view_text(v, mlp_json_str(lf, "name"));
            mlp_view_puts(v, "</td><td>");
            polarity(v, lf);
            mlp_view_puts(v, "</td>");
        } else {
            mlp_view_puts(v, "  ");
            mlp_view_text(v, name);
            mlp_view_printf(v, "%*s ", (int)(24 - strlen(name)), "");
            /* Polarity padded to its column, however many classes. */
            char pol[128] = "";
            const cJSON *p;
            cJSON_ArrayForEach(p, cJSON_GetObjectItem(lf, "polarity"))
                snprintf(pol + strlen(pol), sizeof pol - strlen(pol), "%s%s",
                         pol[0] ? "," : "", cJSON_GetStringValue(p) ? p->valuestring : "?");
            mlp_view_text(v, pol[0] ? pol : "-");
            mlp_view_printf(v, "%*s", strlen(pol) < 12 ? (int)(12 - (pol[0] ? strlen(pol) : 1))
                                                        : 0, "");
        }
        for (int c = 0; c < 3; c++)
            cell(v, num_or_nan(lf, cols[c]), html, 9, 0);
        if (gold) {
            cell(v, num_or_nan(lf, "correct"), html, 8, 1);
            cell(v, num_or_nan(lf, "incorrect"), html, 9, 1);
            cell(v, num_or_nan(lf, "emp_accuracy"), html, 9, 0);
        }
        cell(v, num_or_nan(lf, "errors"), html, 7, 1);
        mlp_view_puts(v, html ? "</tr>\n" : "\n");
    }
    if (html)
        mlp_view_puts(v, "</table>\n");
}

int lab_labels_view(const mlp_artifact *a, mlp_view *v, mlp_error *err)
{
    const cJSON *analysis = mlp_artifact_property(a, "analysis"), *s, *c;
    int html = mlp_view_kind_of(v) == MLP_VIEW_HTML;
    int gold = cJSON_IsString(mlp_artifact_property(a, "gold"));

    (void)err;
    mlp_view_puts(v, html ? "<p>classes: " : "classes: ");
    cJSON_ArrayForEach(c, mlp_artifact_property(a, "classes")) {
        mlp_view_text(v, cJSON_GetStringValue(c) ? c->valuestring : "?");
        mlp_view_puts(v, c->next ? ", " : "");
    }
    if (gold) {
        mlp_view_puts(v, "; gold labels from column ");
        mlp_view_text(v, cJSON_GetStringValue(mlp_artifact_property(a, "gold")));
    }
    mlp_view_puts(v, html ? "</p>\n" : "\n");
    cJSON_ArrayForEach(s, analysis) {
        char b1[MLP_VIEW_NUM_MAX], b2[MLP_VIEW_NUM_MAX], b3[MLP_VIEW_NUM_MAX];
        mlp_view_puts(v, html ? "<h3>split " : "split ");
        mlp_view_text(v, s->string);
        mlp_view_printf(v, "%s%.0f rows, %s covered, %s with overlaps, %s with conflicts",
                        html ? "</h3>\n<p>" : ": ", mlp_json_num(s, "rows"),
                        mlp_view_num(mlp_json_num(s, "coverage"), b1),
                        mlp_view_num(mlp_json_num(s, "overlap"), b2),
                        mlp_view_num(mlp_json_num(s, "conflict"), b3));
        if (gold)
            mlp_view_printf(v, "; %.0f with a gold label", mlp_json_num(s, "gold_rows"));
        mlp_view_puts(v, html ? "</p>\n" : "\n");
        lf_table(v, s, html, gold);
    }
    return MLP_OK;
}

int lab_model_view(const mlp_artifact *a, mlp_view *v, mlp_error *err)
{
    const cJSON *acc = mlp_artifact_property(a, "accuracies"), *e, *s;
    const cJSON *cb = mlp_artifact_property(a, "class_balance");
    int html = mlp_view_kind_of(v) == MLP_VIEW_HTML;
    char b[MLP_VIEW_NUM_MAX], b2[MLP_VIEW_NUM_MAX];

    (void)err;
    mlp_view_printf(v, "%smethod %s", html ? "<p>" : "",
                    strcmp(mlp_json_str(mlp_artifact_properties(a), "method"), "majority") == 0
                    ? "majority vote" : "Dawid-Skene (EM)");
    if (cJSON_IsNumber(mlp_artifact_property(a, "iterations")))
        mlp_view_printf(v, ", %.0f iterations%s",
                        mlp_artifact_property(a, "iterations")->valuedouble,
                        cJSON_IsTrue(mlp_artifact_property(a, "converged"))
                        ? "" : " (not converged)");
    if (cJSON_IsArray(cb)) {
        const cJSON *c = mlp_artifact_property(a, "classes")->child;
        mlp_view_puts(v, "; class balance");
        cJSON_ArrayForEach(e, cb) {
            mlp_view_puts(v, " ");
            mlp_view_text(v, c && cJSON_GetStringValue(c) ? c->valuestring : "?");
            mlp_view_printf(v, "=%s", mlp_view_num(e->valuedouble, b));
            c = c ? c->next : NULL;
        }
    }
    mlp_view_puts(v, html ? "</p>\n" : "\n");
    if (cJSON_GetArraySize(acc) > 0) {
        mlp_view_puts(v, html ? "<table><tr><th>labeling function</th>"
                                "<th>learned accuracy</th></tr>\n"
                              : "  labeling function        learned accuracy\n");
        cJSON_ArrayForEach(e, acc) {
            if (html) {
                mlp_view_puts(v, "<tr><td>");
                mlp_view_text(v, e->string);
                mlp_view_printf(v, "</td><td class=\"num\">%s</td></tr>\n",
                                mlp_view_num(cJSON_IsNumber(e) ? e->valuedouble : NAN, b));
            } else {
                char name[25];
                snprintf(name, sizeof name, "%s", e->string);
                mlp_view_puts(v, "  ");
                mlp_view_text(v, name);
                mlp_view_printf(v, "%*s %16s\n", (int)(24 - strlen(name)), "",
                                mlp_view_num(cJSON_IsNumber(e) ? e->valuedouble : NAN, b));
            }
        }
        if (html)
            mlp_view_puts(v, "</table>\n");
    }
    cJSON_ArrayForEach(s, mlp_artifact_property(a, "splits")) {
        mlp_view_puts(v, html ? "<p>split " : "split ");
        mlp_view_text(v, s->string);
        mlp_view_printf(v, ": %.0f of %.0f rows labelled, %.0f without a vote, %.0f tied",
                        mlp_json_num(s, "labelled"), mlp_json_num(s, "rows"),
                        mlp_json_num(s, "uncovered"), mlp_json_num(s, "ties"));
        const cJSON *g = cJSON_GetObjectItem(mlp_artifact_property(a, "gold"), s->string);
        if (g != NULL)
            mlp_view_printf(v, "; accuracy %s on the %.0f gold rows it labelled (majority "
                            "vote: %s on %.0f)", mlp_view_num(num_or_nan(g, "accuracy"), b),
                            mlp_json_num(g, "rows"),
                            mlp_view_num(num_or_nan(g, "majority_accuracy"), b2),
                            mlp_json_num(g, "covered_rows"));
        mlp_view_puts(v, html ? "</p>\n" : "\n");
    }
    return MLP_OK;
}
