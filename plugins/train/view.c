/* How a person sees a Model, whichever trainer made it: what it is, how
 * well it did, its training curve and, for linear models, the largest
 * coefficients by feature name -- all read from model.json. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <mlpipe/classes.h>
#include <mlpipe/json.h>
#include <mlpipe/memory.h>
#include <mlpipe/view.h>

#include "view.h"

static void row(mlp_view *v, int html, const char *key, const char *val)
{
    if (html) {
        mlp_view_puts(v, "<tr><th>");
        mlp_view_text(v, key);
        mlp_view_puts(v, "</th><td>");
        mlp_view_text(v, val);
        mlp_view_puts(v, "</td></tr>");
    } else {
        mlp_view_printf(v, "  %-16s ", key);
        mlp_view_text(v, val);
        mlp_view_puts(v, "\n");
    }
}

/* The trainer's own members other than the coefficient table: its
 * architecture, as key = value lines. */
static void members(mlp_view *v, int html, const cJSON *m)
{
    const cJSON *e;

    cJSON_ArrayForEach(e, m) {
        if (strcmp(e->string, "coefficients") == 0)
            continue;
        char *s = cJSON_IsString(e) ? NULL : mlp_json_print(e, 0);
        row(v, html, e->string, s ? s : e->valuestring);
        mlp_free(s);
    }
}

static void metrics(mlp_view *v, int html, const cJSON *doc)
{
    const cJSON *split;
    char buf[200];

    cJSON_ArrayForEach(split, cJSON_GetObjectItemCaseSensitive(doc, "metrics")) {
        const cJSON *m;
        int n = 0;
        buf[0] = '\0';
        cJSON_ArrayForEach(m, split) {
            size_t len = strlen(buf);
            if (cJSON_IsNumber(m))
                snprintf(buf + len, sizeof buf - len, "%s%s %.6g", n++ ? ", " : "",
                         m->string, m->valuedouble);
        }
        char key[120];
        snprintf(key, sizeof key, "%s split", split->string);
        row(v, html, key, buf);
    }
}

static void curve(mlp_view *v, int html, const cJSON *doc, int classification)
{
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(doc, "curve"), *p;
    size_t n = (size_t)cJSON_GetArraySize(c), i = 0;
    double x[4096], loss[4096], eloss[4096];
    char buf[MLP_VIEW_NUM_MAX];

    if (n == 0)
        return;
    if (!html) {
        p = cJSON_GetArrayItem(c, (int)n - 1);
        mlp_view_printf(v, "  curve: %zu points, final loss %.6g", n, mlp_json_num(p, "loss"));
        if (!isnan(mlp_json_num(p, "eval_metric")))
            mlp_view_printf(v, ", eval %s %s", classification ? "accuracy" : "R^2",
                            mlp_view_num(mlp_json_num(p, "eval_metric"), buf));
        mlp_view_puts(v, "\n");
        return;
    }
    /* A long curve is thinned evenly to what a chart can show. */
    size_t stride = n / 4096 + 1;
    cJSON_ArrayForEach(p, c) {
        if (i / stride < 4096 && i % stride == 0) {
            x[i / stride] = mlp_json_num(p, "epoch");
            loss[i / stride] = mlp_json_num(p, "loss");
            eloss[i / stride] = mlp_json_num(p, "eval_loss");
        }
        i++;
    }
    size_t m = (n + stride - 1) / stride;
    mlp_view_series s[2] = { { "training loss", m, x, loss },
                             { "eval loss", m, x, eloss } };
    mlp_view_puts(v, "<h4>Training curve</h4>");
    mlp_view_lines(v, "epoch", "loss", isnan(eloss[0]) ? 1 : 2, s);
}

static void coefficients(mlp_view *v, int html, const cJSON *doc)
{
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(doc, "model");
    const cJSON *co = cJSON_GetObjectItemCaseSensitive(m, "coefficients"), *e;
    const cJSON *classes = cJSON_GetObjectItemCaseSensitive(doc, "classes");
    char buf[64];

    if (cJSON_GetArraySize(co) == 0)
        return;
    mlp_view_puts(v, html ? "<h4>Largest coefficients</h4><table><tr><th>feature</th>"
                            "<th>class</th><th>coefficient</th></tr>"
                          : "  largest coefficients:\n");
    cJSON_ArrayForEach(e, co) {
        const cJSON *ci = cJSON_GetObjectItemCaseSensitive(e, "class");
        const cJSON *cls = cJSON_IsNumber(ci) ? cJSON_GetArrayItem(classes, ci->valueint) : NULL;
        char cname[64] = "";
        if (cls != NULL)
            mlp_class_name(cls, cname, sizeof cname);
        snprintf(buf, sizeof buf, "%.6g", mlp_json_num(e, "value"));
        if (html) {
            mlp_view_puts(v, "<tr><td>");
            mlp_view_text(v, mlp_json_str(e, "feature"));
            mlp_view_puts(v, "</td><td>");
            mlp_view_text(v, cname);
            mlp_view_printf(v, "</td><td class=\"num\">%s</td></tr>", buf);
        } else {
            mlp_view_puts(v, "    ");
            mlp_view_text(v, mlp_json_str(e, "feature"));
            if (*cname) {
                mlp_view_puts(v, " [");
                mlp_view_text(v, cname);
                mlp_view_puts(v, "]");
            }
            mlp_view_printf(v, "  %s\n", buf);
        }
    }
    if (html)
        mlp_view_puts(v, "</table>");
}

int train_model_view(const mlp_artifact *a, mlp_view *v, mlp_error *err)
{
    cJSON *doc = NULL;
    int html = mlp_view_kind_of(v) == MLP_VIEW_HTML, rc;
    char buf[300];

    if ((rc = mlp_artifact_read_json(a, "model.json", &doc, err)) != MLP_OK)
        return rc;
    int classification = strcmp(mlp_json_str(doc, "task"), "classification") == 0;
    if (html)
        mlp_view_puts(v, "<table>");
    else
        mlp_view_puts(v, "Model\n");
    snprintf(buf, sizeof buf, "%s (%s, plugin %s %s)", mlp_json_str(doc, "trainer"),
             mlp_json_str(doc, "family"), mlp_json_str(doc, "plugin"),
             mlp_json_str(doc, "plugin_version"));
    row(v, html, "trainer", buf);
    if (classification)
        snprintf(buf, sizeof buf, "classification of '%s' into %d classes",
                 mlp_json_str(doc, "label"),
                 cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(doc, "classes")));
    else
        snprintf(buf, sizeof buf, "regression of '%s'", mlp_json_str(doc, "label"));
    row(v, html, "task", buf);
    snprintf(buf, sizeof buf, "%d", cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(doc,
                                                                                "features")));
    row(v, html, "features", buf);
    if (cJSON_IsString(cJSON_GetObjectItemCaseSensitive(doc, "transform_graph")))
        row(v, html, "predicts from", "raw rows, through its transform graph");
    members(v, html, cJSON_GetObjectItemCaseSensitive(doc, "model"));
    metrics(v, html, doc);
    if (html)
        mlp_view_puts(v, "</table>");
    curve(v, html, doc, classification);
    coefficients(v, html, doc);
    cJSON_Delete(doc);
    return MLP_OK;
}
