/* How a person sees a TransformGraph: each output feature with the raw
 * columns it comes from, its mappers and their fitted constants. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "tf.h"

static void words(mlp_view *v, const char *s)
{
    mlp_view_text(v, s);
}

/* The mapper chain of a step with its constants, as one line. */
static void describe(mlp_view *v, const cJSON *st)
{
    const char *kind = mlp_json_str(st, "kind");
    const cJSON *o;
    char buf[200];

    if (strcmp(kind, "numeric") == 0) {
        int first = 1;
        cJSON_ArrayForEach(o, cJSON_GetObjectItem(st, "ops")) {
            const char *op = mlp_json_str(o, "op");
            if (!first)
                mlp_view_puts(v, " -> ");
            first = 0;
            if (strcmp(op, "impute") == 0)
                snprintf(buf, sizeof buf, "%s %.6g", mlp_json_str(o, "fitted_as"),
                         mlp_json_num(o, "value"));
            else if (strcmp(op, "clip") == 0)
                snprintf(buf, sizeof buf, "clip [%.6g, %.6g]",
                         isnan(mlp_json_num(o, "min")) ? -INFINITY : mlp_json_num(o, "min"),
                         isnan(mlp_json_num(o, "max")) ? INFINITY : mlp_json_num(o, "max"));
            else if (strcmp(op, "log") == 0)
                snprintf(buf, sizeof buf, "log(x + %.6g)", mlp_json_num(o, "offset"));
            else if (strcmp(op, "zscore") == 0)
                snprintf(buf, sizeof buf, "zscore mean %.6g std %.6g", mlp_json_num(o, "mean"),
                         mlp_json_num(o, "std"));
            else if (strcmp(op, "minmax") == 0)
                snprintf(buf, sizeof buf, "minmax min %.6g range %.6g", mlp_json_num(o, "min"),
                         mlp_json_num(o, "range"));
            else
                snprintf(buf, sizeof buf, "bucketize into %d buckets",
                         cJSON_GetArraySize(cJSON_GetObjectItem(o, "boundaries")) + 1);
            words(v, buf);
        }
        if (cJSON_IsTrue(cJSON_GetObjectItem(st, "indicator")))
            mlp_view_puts(v, "; missing indicator");
    } else if (strcmp(kind, "vocab") == 0) {
        const cJSON *voc = cJSON_GetObjectItem(st, "vocab");
        snprintf(buf, sizeof buf, "%s of %d values", cJSON_IsTrue(cJSON_GetObjectItem(st, "one_hot"))
                 ? "one_hot" : "vocab", cJSON_GetArraySize(voc));
        words(v, buf);
        if (cJSON_GetArraySize(voc) > 0) {
            mlp_view_puts(v, " (most frequent '");
            words(v, cJSON_GetStringValue(cJSON_GetArrayItem(voc, 0)));
            snprintf(buf, sizeof buf, "', %.0f rows)",
                     cJSON_GetNumberValue(cJSON_GetArrayItem(cJSON_GetObjectItem(st, "counts"), 0)));
            words(v, buf);
        }
        snprintf(buf, sizeof buf, ", %.0f out-of-vocabulary bucket%s",
                 mlp_json_num(st, "oov_buckets"), mlp_json_num(st, "oov_buckets") == 1 ? "" : "s");
        words(v, buf);
    } else if (strcmp(kind, "hash") == 0 || strcmp(kind, "cross") == 0) {
        snprintf(buf, sizeof buf, "%s into %.0f buckets", kind, mlp_json_num(st, "buckets"));
        words(v, buf);
    } else if (strcmp(kind, "pca") == 0) {
        snprintf(buf, sizeof buf, "pca: %d components of %d inputs%s",
                 cJSON_GetArraySize(cJSON_GetObjectItem(st, "components")),
                 cJSON_GetArraySize(cJSON_GetObjectItem(st, "inputs")),
                 cJSON_GetObjectItem(st, "scale") ? ", whitened" : "");
        words(v, buf);
        if (cJSON_IsNumber(cJSON_GetObjectItem(st, "explained_variance_total")))
            mlp_view_printf(v, ", %.4g of the variance",
                            mlp_json_num(st, "explained_variance_total"));
    } else {
        mlp_view_puts(v, "lua mapper '");
        words(v, mlp_json_str(st, "name"));
        mlp_view_puts(v, "'");
    }
}

static void sources(mlp_view *v, const cJSON *st)
{
    const cJSON *x;
    int first = 1;
    if (cJSON_IsString(cJSON_GetObjectItem(st, "input"))) {
        words(v, mlp_json_str(st, "input"));
        return;
    }
    cJSON_ArrayForEach(x, cJSON_GetObjectItem(st, "inputs")) {
        if (!first)
            mlp_view_puts(v, ", ");
        if (!first && cJSON_GetArraySize(cJSON_GetObjectItem(st, "inputs")) > 6) {
            mlp_view_printf(v, "... (%d)", cJSON_GetArraySize(cJSON_GetObjectItem(st, "inputs")));
            return;
        }
        first = 0;
        words(v, cJSON_GetStringValue(x));
    }
}

static void output_names(mlp_view *v, const cJSON *st)
{
    const cJSON *outs = cJSON_GetObjectItem(st, "outputs"), *x;
    int n = cJSON_GetArraySize(outs), k = 0;
    if (cJSON_IsString(cJSON_GetObjectItem(st, "output"))) {
        words(v, mlp_json_str(st, "output"));
        return;
    }
    cJSON_ArrayForEach(x, outs) {
        if (k == 3 && n > 4) {
            mlp_view_printf(v, " ... (%d)", n);
            return;
        }
        if (k++)
            mlp_view_puts(v, ", ");
        words(v, cJSON_GetStringValue(x));
    }
}

int tf_view(const mlp_artifact *a, mlp_view *v, mlp_error *err)
{
    cJSON *doc = NULL;
    const cJSON *st, *x;
    int html = mlp_view_kind_of(v) == MLP_VIEW_HTML;
    int rc = mlp_artifact_read_json(a, "transform_graph.json", &doc, err);

    if (rc != MLP_OK)
        return rc;
    mlp_view_puts(v, html ? "<p>" : "");
    mlp_view_printf(v, "%d raw columns to %d features, fitted on split ",
                    cJSON_GetArraySize(cJSON_GetObjectItem(doc, "inputs")),
                    cJSON_GetArraySize(cJSON_GetObjectItem(doc, "outputs")));
    words(v, mlp_json_str(doc, "fitted_on"));
    if (cJSON_GetArraySize(cJSON_GetObjectItem(doc, "passthrough")) > 0) {
        int first = 1;
        mlp_view_puts(v, "; passed through: ");
        cJSON_ArrayForEach(x, cJSON_GetObjectItem(doc, "passthrough")) {
            if (!first)
                mlp_view_puts(v, ", ");
            first = 0;
            words(v, cJSON_GetStringValue(x));
        }
    }
    mlp_view_puts(v, html ? "</p>\n<table><tr><th>output</th><th>from</th><th>mappers "
                            "and fitted constants</th></tr>\n" : "\n\n");
    cJSON_ArrayForEach(st, cJSON_GetObjectItem(doc, "steps")) {
        mlp_view_puts(v, html ? "<tr><td>" : "  ");
        output_names(v, st);
        mlp_view_puts(v, html ? "</td><td>" : "  <-  ");
        sources(v, st);
        mlp_view_puts(v, html ? "</td><td>" : ":  ");
        describe(v, st);
        mlp_view_puts(v, html ? "</td></tr>\n" : "\n");
    }
    if (html)
        mlp_view_puts(v, "</table>\n");
    cJSON_Delete(doc);
    return MLP_OK;
}
