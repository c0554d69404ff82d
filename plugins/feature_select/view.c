/* How a person sees a FeatureSelection: what was scored against what,
 * then the ranking (kept features first, by rank), then what the filters
 * dropped and why.  The terminal lists the kept features and the 20 best
 * dropped ones; the report has every feature in a sortable table. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsel.h"

/* select_by_model's: how the trainer chose, and the cv score. */
static void model_header(mlp_view *v, const cJSON *doc, size_t n, size_t kept)
{
    const char *m = mlp_json_str(doc, "method");
    const cJSON *cv = cJSON_GetObjectItem(doc, "cv_score");

    mlp_view_printf(v, "%zu of %zu features kept: ", kept, n);
    mlp_view_text(v, strcmp(m, "rfe") == 0 ? "recursive elimination"
                   : strcmp(m, "forward") == 0 ? "forward selection"
                   : strcmp(m, "backward") == 0 ? "backward selection"
                   : strcmp(m, "from_model") == 0 ? "importance threshold" : m);
    mlp_view_puts(v, " around ");
    mlp_view_text(v, mlp_json_str(doc, "trainer"));
    int k = cJSON_IsNumber(cJSON_GetObjectItem(doc, "k"));
    if (cJSON_IsNumber(cJSON_GetObjectItem(doc, "importance_threshold")))
        mlp_view_printf(v, " (importance >= %g%s", mlp_json_num(doc, "importance_threshold"),
                        k ? ", " : ")");
    else
        mlp_view_puts(v, " (");
    if (k)
        mlp_view_printf(v, "k = %.0f)", mlp_json_num(doc, "k"));
    else if (strcmp(m, "rfe") == 0)
        mlp_view_puts(v, "k by cross-validation)");
    else if (strcmp(m, "from_model") != 0)
        mlp_view_printf(v, "until a round gains less than tol = %g)", mlp_json_num(doc, "tol"));
    mlp_view_printf(v, "; %.0f-fold cv ", mlp_json_num(doc, "cv"));
    mlp_view_text(v, mlp_json_str(doc, "scoring"));
    if (cJSON_IsNumber(cJSON_GetObjectItem(cv, "mean")))
        mlp_view_printf(v, " %.4f +- %.4f", mlp_json_num(cv, "mean"), mlp_json_num(cv, "std"));
    mlp_view_puts(v, " with those kept; trainer parameters ");
    char *tp = mlp_json_print(cJSON_GetObjectItem(doc, "trainer_params"), 0);
    mlp_view_text(v, tp ? tp : "?");
    mlp_free(tp);
    /* The cross-validated score by number of features, as it was searched. */
    const cJSON *pt, *curve = cJSON_GetObjectItem(doc, "cv_curve");
    if (cJSON_GetArraySize(curve) > 0) {
        mlp_view_puts(v, mlp_view_kind_of(v) == MLP_VIEW_HTML ? "<br>cv score by features: "
                                                              : "\ncv score by features:");
        cJSON_ArrayForEach(pt, curve)
            mlp_view_printf(v, " %.0f: %.4f", mlp_json_num(pt, "n_features"),
                            mlp_json_num(pt, "mean"));
    }
}

static void header(mlp_view *v, const cJSON *doc, size_t n, size_t kept)
{
    int html = mlp_view_kind_of(v) == MLP_VIEW_HTML;
    const char *label = mlp_json_str(doc, "label");

    mlp_view_puts(v, html ? "<p>" : "");
    if (*mlp_json_str(doc, "method")) {
        model_header(v, doc, n, kept);
    } else {
    mlp_view_printf(v, "%zu of %zu features kept: score ", kept, n);
    mlp_view_text(v, mlp_json_str(doc, "score"));
    mlp_view_puts(v, ", mode ");
    mlp_view_text(v, mlp_json_str(doc, "mode"));
    if (cJSON_IsNumber(cJSON_GetObjectItem(doc, "k")))
        mlp_view_printf(v, " (k = %.0f)", mlp_json_num(doc, "k"));
    if (cJSON_IsNumber(cJSON_GetObjectItem(doc, "percentile")))
        mlp_view_printf(v, " (%g %%)", mlp_json_num(doc, "percentile"));
    if (cJSON_IsNumber(cJSON_GetObjectItem(doc, "threshold")))
        mlp_view_printf(v, " (score >= %g)", mlp_json_num(doc, "threshold"));
    if (cJSON_IsNumber(cJSON_GetObjectItem(doc, "alpha")))
        mlp_view_printf(v, " (alpha %g)", mlp_json_num(doc, "alpha"));
    }
    mlp_view_puts(v, "; split ");
    mlp_view_text(v, mlp_json_str(doc, "split"));
    if (*label) {
        mlp_view_puts(v, ", label ");
        mlp_view_text(v, label);
        mlp_view_printf(v, " (%s, %.0f rows", mlp_json_str(doc, "task"),
                        mlp_json_num(doc, "rows"));
        if (mlp_json_num(doc, "rows_without_label") > 0)
            mlp_view_printf(v, "; %.0f without the label left out",
                            mlp_json_num(doc, "rows_without_label"));
        mlp_view_puts(v, ")");
    }
    if (cJSON_IsNumber(cJSON_GetObjectItem(doc, "variance_threshold")))
        mlp_view_printf(v, "; variance > %g", mlp_json_num(doc, "variance_threshold"));
    if (cJSON_IsNumber(cJSON_GetObjectItem(doc, "correlation_threshold")))
        mlp_view_printf(v, "; |r| <= %g", mlp_json_num(doc, "correlation_threshold"));
    mlp_view_puts(v, html ? "</p>\n" : "\n");
}

/* Display order: kept by rank, then dropped by score or by a model, by
 * rank (ranked but cut), then the filters' drops in column order. */
static size_t *display_order(const cJSON *const *ft, size_t n)
{
    size_t *o = malloc((n + 1) * sizeof *o);
    double *key = malloc((n + 1) * sizeof *key);
    size_t *rank = malloc((n + 1) * sizeof *rank);

    if (o == NULL || key == NULL || rank == NULL) {
        free(o);
        o = NULL;
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        const char *st = mlp_json_str(ft[i], "status");
        double r = mlp_json_num(ft[i], "rank");
        if (isnan(r))
            r = 0;
        /* Three tiers, each in its order; every key an exact double. */
        key[i] = strcmp(st, "kept") == 0 ? r
               : strcmp(st, "dropped_score") == 0 || strcmp(st, "dropped_model") == 0
                   ? 1e12 + r : 2e12 + (double)i;
    }
    if (mlp_view_rank(n, key, 0, rank) != MLP_OK) {
        free(o);
        o = NULL;
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        o[rank[i]] = i;
done:
    free(key);
    free(rank);
    return o;
}

static void number(mlp_view *v, const cJSON *o, const char *key, int html)
{
    const cJSON *x = cJSON_GetObjectItem(o, key);
    char buf[40];
    if (cJSON_IsNumber(x))
        snprintf(buf, sizeof buf, "%.6g", x->valuedouble);
    else
        snprintf(buf, sizeof buf, "%s", x ? "-" : "");
    if (html)
        mlp_view_printf(v, "<td class=\"num\">%s</td>", buf);
    else
        mlp_view_printf(v, " %12s", buf);
}

/* name in a column `width` characters wide (UTF-8 characters, not
 * bytes): cut at a character boundary and marked with '~' when longer. */
static void padded(mlp_view *v, const char *name, size_t width)
{
    char buf[256];
    size_t chars = 0, used = 0, len = strlen(name);
    for (size_t i = 0; i < len; i++)
        chars += ((unsigned char)name[i] & 0xC0) != 0x80;
    if (chars <= width) {
        mlp_view_text(v, name);
        mlp_view_printf(v, "%*s", (int)(width - chars), "");
        return;
    }
    for (size_t i = 0, c = 0; i < len && used + 5 < sizeof buf; i++) {
        if (((unsigned char)name[i] & 0xC0) != 0x80 && ++c == width)
            break;
        buf[used++] = name[i];
    }
    buf[used++] = '~';
    buf[used] = '\0';
    mlp_view_text(v, buf);
}

static void text_row(mlp_view *v, const cJSON *o)
{
    const cJSON *r = cJSON_GetObjectItem(o, "rank");
    if (cJSON_IsNumber(r))
        mlp_view_printf(v, "  %5.0f  ", r->valuedouble);
    else
        mlp_view_puts(v, "      -  ");
    padded(v, mlp_json_str(o, "name"), 24);
    number(v, o, "score", 0);
    number(v, o, "pvalue", 0);
    mlp_view_puts(v, "  ");
    mlp_view_text(v, mlp_json_str(o, "status"));
    /* A filter's rank says why it kept a feature; a model's reason does. */
    if (strcmp(mlp_json_str(o, "status"), "dropped_score") != 0 &&
        (strcmp(mlp_json_str(o, "status"), "kept") != 0 ||
         strcmp(mlp_json_str(o, "status_by"), "model") == 0)) {
        mlp_view_puts(v, ": ");
        mlp_view_text(v, mlp_json_str(o, "reason"));
    }
    mlp_view_puts(v, "\n");
}

static void html_table(mlp_view *v, const cJSON *const *ft, size_t n, const size_t *o)
{
    static const char *const orders[] = { "ranking", "name", "score" };
    size_t *byname = malloc((n + 1) * sizeof *byname), *byscore = malloc((n + 1) * sizeof *byscore);
    size_t *pos = malloc((n + 1) * sizeof *pos);
    const char **names = malloc((n + 1) * sizeof *names);
    double *scores = malloc((n + 1) * sizeof *scores);

    if (!byname || !byscore || !pos || !names || !scores)
        goto done;
    for (size_t i = 0; i < n; i++) {
        names[i] = mlp_json_str(ft[i], "name");
        scores[i] = mlp_json_num(ft[i], "score");
        pos[o[i]] = i;
    }
    if (mlp_view_rank_names(n, names, byname) != MLP_OK ||
        mlp_view_rank(n, scores, 1, byscore) != MLP_OK)
        goto done;
    mlp_view_sort_begin(v, 6, 3, orders);
    mlp_view_puts(v, "<tr><th>rank</th><th>feature</th><th>score</th><th>p-value</th>"
                     "<th>status</th><th>reason</th></tr>\n");
    for (size_t k = 0; k < n; k++) {
        size_t i = o[k], ranks[3] = { pos[i], byname[i], byscore[i] };
        const cJSON *r = cJSON_GetObjectItem(ft[i], "rank");
        const char *st = mlp_json_str(ft[i], "status");
        mlp_view_sort_row(v, 3, ranks);
        if (cJSON_IsNumber(r))
            mlp_view_printf(v, "<td class=\"num\">%.0f</td><td>", r->valuedouble);
        else
            mlp_view_puts(v, "<td class=\"num\">-</td><td>");
        mlp_view_text(v, names[i]);
        mlp_view_puts(v, "</td>");
        number(v, ft[i], "score", 1);
        number(v, ft[i], "pvalue", 1);
        mlp_view_printf(v, "<td%s>", strcmp(st, "kept") == 0 ? "" : " class=\"WARNING\"");
        mlp_view_text(v, st);
        mlp_view_puts(v, "</td><td>");
        mlp_view_text(v, mlp_json_str(ft[i], "reason"));
        mlp_view_puts(v, "</td></tr>\n");
    }
    mlp_view_sort_end(v);
done:
    free(byname);
    free(byscore);
    free(pos);
    free(names);
    free(scores);
}

int fs_view(const mlp_artifact *a, mlp_view *v, mlp_error *err)
{
    cJSON *doc = NULL;
    const cJSON *list, *f;
    const cJSON **ft;
    size_t n, kept = 0, shown_dropped = 0, i = 0;
    size_t *o;
    int rc = mlp_artifact_read_json(a, "selection.json", &doc, err);

    if (rc != MLP_OK)
        return rc;
    list = cJSON_GetObjectItem(doc, "features");
    n = (size_t)cJSON_GetArraySize(list);
    ft = malloc((n + 1) * sizeof *ft);
    if (ft == NULL) {
        cJSON_Delete(doc);
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    }
    cJSON_ArrayForEach(f, list) {
        ft[i++] = f;
        kept += strcmp(mlp_json_str(f, "status"), "kept") == 0;
    }
    o = display_order(ft, n);
    if (o == NULL) {
        free(ft);
        cJSON_Delete(doc);
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    }
    header(v, doc, n, kept);
    if (mlp_view_kind_of(v) == MLP_VIEW_HTML) {
        html_table(v, ft, n, o);
    } else {
        mlp_view_printf(v, "\n   rank  %-24s %12s %12s  status\n", "feature", "score",
                        "p-value");
        for (size_t k = 0; k < n; k++) {
            const char *st = mlp_json_str(ft[o[k]], "status");
            if (strcmp(st, "kept") != 0 && shown_dropped++ == 20) {
                mlp_view_printf(v, "  ... %zu more dropped (every feature is in "
                                "selection.json and the report)\n", n - k);
                break;
            }
            text_row(v, ft[o[k]]);
        }
    }
    free(o);
    free(ft);
    cJSON_Delete(doc);
    return MLP_OK;
}
