/* al_curve: learning curves from the models of active learning rounds:
 * per series (a strategy), each model's score on its eval split against
 * the labelled rows it was trained on; and the labels each series needed
 * to reach the last score of the first series (the baseline). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "label.h"

int lab_curve_run(mlp_ctx *ctx)
{
    size_t nm = mlp_ctx_input_count(ctx, "models");
    size_t ns = mlp_ctx_param_len(ctx, "series");
    const char *metric = mlp_ctx_param_string(ctx, "metric");
    mlp_artifact *out = mlp_ctx_output(ctx, "curve");
    cJSON *series = cJSON_CreateArray();
    mlp_error err;
    int rc = MLP_OK;

    mlp_error_clear(&err);
    if (ns != nm)
        rc = mlp_error_set(&err, MLP_EINVAL, "series: %zu names for %zu models; name the "
                           "series of each model, in order", ns, nm);
    for (size_t i = 0; rc == MLP_OK && i < nm; i++) {
        const mlp_artifact *m = mlp_ctx_input(ctx, "models", i);
        const cJSON *met = cJSON_GetObjectItem(mlp_artifact_property(m, "metrics"), "train");
        const cJSON *ev = cJSON_GetObjectItem(mlp_artifact_property(m, "metrics"), "eval");
        const char *name = mlp_ctx_param_string_at(ctx, "series", i);
        const cJSON *v = cJSON_GetObjectItem(ev, metric);
        cJSON *s = NULL;
        if (!cJSON_IsNumber(cJSON_GetObjectItem(met, "rows")) || !cJSON_IsNumber(v)) {
            rc = mlp_error_set(&err, MLP_EINVAL, "model %lld (input %zu) has no train rows or "
                               "eval %s in its metrics (was it trained with an eval split?)",
                               (long long)mlp_artifact_id(m), i + 1, metric);
            break;
        }
        for (cJSON *x = series->child; x; x = x->next)
            if (strcmp(mlp_json_str(x, "name"), name) == 0)
                s = x;
        if (s == NULL) {
            s = cJSON_CreateObject();
            cJSON_AddStringToObject(s, "name", name);
            cJSON_AddArrayToObject(s, "points");
            cJSON_AddItemToArray(series, s);
        }
        cJSON *pt = cJSON_CreateObject();
        cJSON_AddItemToObject(pt, "labels", mlp_json_int((int64_t)mlp_json_num(met, "rows")));
        cJSON_AddItemToObject(pt, "value", mlp_json_number(v->valuedouble));
        cJSON_AddItemToObject(pt, "model", mlp_json_int(mlp_artifact_id(m)));
        cJSON_AddItemToArray(cJSON_GetObjectItem(s, "points"), pt);
    }
    /* Labels needed to reach the baseline's (the first series') final
     * score: the first point at or above it (at or below, for a loss). */
    int lower = strcmp(metric, "log_loss") == 0 || strcmp(metric, "mse") == 0;
    const cJSON *base = series->child, *s;
    double target = NAN;
    if (rc == MLP_OK && base) {
        const cJSON *pts = cJSON_GetObjectItem(base, "points");
        target = mlp_json_num(cJSON_GetArrayItem(pts, cJSON_GetArraySize(pts) - 1), "value");
    }
    cJSON_ArrayForEach(s, series) {
        const cJSON *p;
        cJSON *reach = cJSON_CreateNull();
        cJSON_ArrayForEach(p, cJSON_GetObjectItem(s, "points"))
            if (lower ? mlp_json_num(p, "value") <= target : mlp_json_num(p, "value") >= target) {
                cJSON_Delete(reach);
                reach = mlp_json_int((int64_t)mlp_json_num(p, "labels"));
                break;
            }
        cJSON_AddItemToObject((cJSON *)s, "labels_to_reach_baseline", reach);
    }
    if (rc == MLP_OK) {
        cJSON *doc = cJSON_CreateObject();
        cJSON_AddStringToObject(doc, "metric", metric);
        cJSON_AddItemToObject(doc, "baseline_final", mlp_json_number(target));
        cJSON_AddItemToObject(doc, "series", cJSON_Duplicate(series, 1));
        rc = mlp_artifact_write_json(out, "curve.json", doc, &err);
        cJSON_Delete(doc);
    }
    if (rc == MLP_OK) {
        mlp_artifact_set_property(out, "metric", cJSON_CreateString(metric), &err);
        mlp_artifact_set_property(out, "baseline", cJSON_CreateString(
                                  base ? mlp_json_str(base, "name") : ""), &err);
        mlp_artifact_set_property(out, "baseline_final", mlp_json_number(target), &err);
        mlp_artifact_set_property(out, "series", series, &err);
        series = NULL;
        rc = err.code;
    }
    cJSON_Delete(series);
    return rc == MLP_OK ? MLP_OK : mlp_ctx_fail_error(ctx, &err);
}

int lab_curve_view(const mlp_artifact *a, mlp_view *v, mlp_error *err)
{
    const cJSON *series = mlp_artifact_property(a, "series"), *s, *p;
    const char *metric = mlp_json_str(mlp_artifact_properties(a), "metric");
    int html = mlp_view_kind_of(v) == MLP_VIEW_HTML;
    size_t ns = (size_t)cJSON_GetArraySize(series), i = 0;
    mlp_view_series *lines = calloc(ns + 1, sizeof *lines);
    double **xs = calloc(ns + 1, sizeof *xs), **ys = calloc(ns + 1, sizeof *ys);
    char b[MLP_VIEW_NUM_MAX];

    if (lines == NULL || xs == NULL || ys == NULL) {
        free(lines);
        free(xs);
        free(ys);
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    }
    cJSON_ArrayForEach(s, series) {
        size_t n = (size_t)cJSON_GetArraySize(cJSON_GetObjectItem(s, "points")), j = 0;
        xs[i] = calloc(n + 1, sizeof **xs);
        ys[i] = calloc(n + 1, sizeof **ys);
        cJSON_ArrayForEach(p, cJSON_GetObjectItem(s, "points")) {
            if (xs[i] && ys[i]) {
                xs[i][j] = mlp_json_num(p, "labels");
                ys[i][j] = mlp_json_num(p, "value");
            }
            j++;
        }
        lines[i].name = mlp_json_str(s, "name");
        lines[i].n = xs[i] && ys[i] ? n : 0;
        lines[i].x = xs[i];
        lines[i].y = ys[i];
        i++;
    }
    if (html)
        mlp_view_lines(v, "labelled rows", metric, ns, lines);
    mlp_view_puts(v, html ? "<p>" : "");
    mlp_view_printf(v, "eval %s against labelled rows; ", metric);
    mlp_view_text(v, mlp_json_str(mlp_artifact_properties(a), "baseline"));
    mlp_view_printf(v, " ends at %s", mlp_view_num(mlp_json_num(mlp_artifact_properties(a),
                                                                "baseline_final"), b));
    mlp_view_puts(v, html ? "</p>\n<table><tr><th>series</th><th>labels to reach it</th>"
                            "<th>points (labels: score)</th></tr>\n" : "\n");
    cJSON_ArrayForEach(s, series) {
        const cJSON *r = cJSON_GetObjectItem(s, "labels_to_reach_baseline");
        mlp_view_puts(v, html ? "<tr><td>" : "  ");
        mlp_view_text(v, mlp_json_str(s, "name"));
        mlp_view_puts(v, html ? "</td><td class=\"num\">" : ": reaches it with ");
        if (cJSON_IsNumber(r))
            mlp_view_printf(v, "%.0f", r->valuedouble);
        else
            mlp_view_puts(v, html ? "never" : "never (within these rounds)");
        mlp_view_puts(v, html ? "</td><td>" : " labels;");
        cJSON_ArrayForEach(p, cJSON_GetObjectItem(s, "points"))
            mlp_view_printf(v, " %.0f: %s", mlp_json_num(p, "labels"),
                            mlp_view_num(mlp_json_num(p, "value"), b));
        mlp_view_puts(v, html ? "</td></tr>\n" : "\n");
    }
    if (html)
        mlp_view_puts(v, "</table>\n");
    for (size_t k = 0; k < ns; k++) {
        free(xs[k]);
        free(ys[k]);
    }
    free(xs);
    free(ys);
    free(lines);
    return MLP_OK;
}

int lab_query_view(const mlp_artifact *a, mlp_view *v, mlp_error *err)
{
    const cJSON *rows = mlp_artifact_property(a, "rows");
    const cJSON *scores = mlp_artifact_property(a, "scores"), *r, *s;
    const cJSON *src = mlp_artifact_property(a, "sources");
    int html = mlp_view_kind_of(v) == MLP_VIEW_HTML;
    char b[MLP_VIEW_NUM_MAX];

    (void)err;
    mlp_view_printf(v, "%s%d of %.0f rows of split ", html ? "<p>" : "",
                    cJSON_GetArraySize(rows), mlp_json_num(mlp_artifact_properties(a),
                                                           "pool_rows"));
    mlp_view_text(v, mlp_json_str(mlp_artifact_properties(a), "pool"));
    mlp_view_puts(v, " selected by ");
    mlp_view_text(v, mlp_json_str(mlp_artifact_properties(a), "strategy"));
    mlp_view_puts(v, html ? "</p>\n<p>" : "\n  ");
    mlp_view_puts(v, src ? "rows" : "pool rows");
    mlp_view_puts(v, cJSON_IsNumber(scores ? scores->child : NULL) ? " (score):" : ":");
    s = scores ? scores->child : NULL;
    const cJSON *w = src ? src->child : NULL;
    cJSON_ArrayForEach(r, rows) {
        if (w && cJSON_GetStringValue(w)) {
            /* The file's name is enough to tell rows apart here; the
             * property keeps the whole path. */
            const char *slash = strrchr(w->valuestring, '/');
            mlp_view_puts(v, " ");
            mlp_view_text(v, slash ? slash + 1 : w->valuestring);
        } else {
            mlp_view_printf(v, " %.0f", r->valuedouble + 1);
        }
        if (s && cJSON_IsNumber(s))
            mlp_view_printf(v, " (%s)", mlp_view_num(s->valuedouble, b));
        s = s ? s->next : NULL;
        w = w ? w->next : NULL;
    }
    mlp_view_puts(v, html ? "</p>\n" : "\n");
    return MLP_OK;
}
