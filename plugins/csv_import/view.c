/* How a person sees an Examples artifact: its splits and row counts, each
 * column's type, which columns were read as text although they held
 * numbers (and the value that decided it), and the rows skipped.  Other
 * stages' Examples (a transform's output) show what properties they have. */
#include <stdio.h>
#include <string.h>

#include <mlpipe/mlpipe.h>

#include "view.h"

static void splits(mlp_view *v, const mlp_artifact *a, int html)
{
    const cJSON *s, *rows = mlp_artifact_property(a, "rows");
    const cJSON *src = mlp_artifact_property(a, "source");
    int first = 1;

    mlp_view_puts(v, html ? "<p>" : "splits ");
    cJSON_ArrayForEach(s, mlp_artifact_property(a, "splits")) {
        const char *name = cJSON_GetStringValue(s) ? cJSON_GetStringValue(s) : "?";
        mlp_view_puts(v, first ? "" : ", ");
        first = 0;
        mlp_view_text(v, name);
        if (cJSON_GetObjectItem(rows, name))
            mlp_view_printf(v, " %.0f rows", mlp_json_num(rows, name));
    }
    if (cJSON_GetArraySize(src) > 0) {
        mlp_view_puts(v, html ? "; read from " : "\nread from ");
        first = 1;
        cJSON_ArrayForEach(s, src) {
            mlp_view_puts(v, first ? "" : ", ");
            first = 0;
            mlp_view_text(v, cJSON_GetStringValue(s) ? cJSON_GetStringValue(s) : "?");
        }
        if (mlp_artifact_property(a, "format")) {
            mlp_view_puts(v, " (");
            mlp_view_text(v, mlp_json_str(mlp_artifact_properties(a), "format"));
            mlp_view_puts(v, ")");
        }
    }
    mlp_view_puts(v, html ? "</p>\n" : "\n");
}

/* Columns listed in a terminal before the rest are summarised. */
#define TEXT_COLUMNS 100

static void columns(mlp_view *v, const mlp_artifact *a, int html)
{
    const cJSON *c, *cols = mlp_artifact_property(a, "columns");
    const char *label = mlp_json_str(mlp_artifact_properties(a), "label");

    int width = 0;

    if (cols == NULL)
        return;
    cJSON_ArrayForEach(c, cols) {
        const char *name = mlp_json_str(c, "name");
        if (name && (int)strlen(name) > width && strlen(name) < 40)
            width = (int)strlen(name);
    }
    mlp_view_printf(v, html ? "<table><tr><th>column (%d)</th><th>type</th>"
                              "</tr>\n" : "columns (%d)\n",
                    cJSON_GetArraySize(cols));
    int k = 0;
    cJSON_ArrayForEach(c, cols) {
        const char *name = mlp_json_str(c, "name"), *kind = mlp_json_str(c, "kind");
        int is_label = label && name && strcmp(label, name) == 0;
        /* A terminal page, not a flood, for wide data. */
        if (!html && k++ == TEXT_COLUMNS) {
            mlp_view_printf(v, "  ... %d more columns (`mlpipe report` lists them all)\n",
                            cJSON_GetArraySize(cols) - TEXT_COLUMNS);
            break;
        }
        mlp_view_puts(v, html ? "<tr><td>" : "  ");
        mlp_view_text(v, name ? name : "?");
        if (is_label)
            mlp_view_puts(v, " (label)");
        if (!html) {
            int pad = width + 2 - (name ? (int)strlen(name) : 1) - (is_label ? 8 : 0);
            mlp_view_printf(v, "%*s", pad < 2 ? 2 : pad, "");
        } else
            mlp_view_puts(v, "</td><td>");
        mlp_view_text(v, mlp_json_str(c, "type") ? mlp_json_str(c, "type") : "?");
        if (kind && *kind) {
            mlp_view_puts(v, " ");
            mlp_view_text(v, kind);
        }
        mlp_view_puts(v, html ? "</td></tr>\n" : "\n");
    }
    if (html)
        mlp_view_puts(v, "</table>\n");
}

static void type_changes(mlp_view *v, const mlp_artifact *a, int html)
{
    const cJSON *t, *all = mlp_artifact_property(a, "type_changes");

    if (cJSON_GetArraySize(all) == 0)
        return;
    mlp_view_puts(v, html ? "<h3>Read as text although numbers were in them</h3>"
                            "<table><tr><th>column</th><th>where</th><th>value"
                            "</th><th>why</th></tr>\n"
                          : "read as text although numbers were in them\n");
    cJSON_ArrayForEach(t, all) {
        char where[64];
        mlp_view_puts(v, html ? "<tr><td>" : "  ");
        mlp_view_text(v, mlp_json_str(t, "column") ? mlp_json_str(t, "column") : "?");
        mlp_view_puts(v, html ? "</td><td>" : "  ");
        mlp_view_text(v, mlp_json_str(t, "file") ? mlp_json_str(t, "file") : "?");
        snprintf(where, sizeof where, ":%.0f", mlp_json_num(t, "line"));
        mlp_view_puts(v, where);
        mlp_view_puts(v, html ? "</td><td>" : " has \"");
        mlp_view_text(v, mlp_json_str(t, "value") ? mlp_json_str(t, "value") : "");
        mlp_view_puts(v, html ? "</td><td>" : "\": ");
        mlp_view_text(v, mlp_json_str(t, "because") ? mlp_json_str(t, "because") : "");
        if (cJSON_GetObjectItem(t, "numbers_before"))
            mlp_view_printf(v, " (%.0f numbers before it)",
                            mlp_json_num(t, "numbers_before"));
        mlp_view_puts(v, html ? "</td></tr>\n" : "\n");
    }
    if (html)
        mlp_view_puts(v, "</table>\n");
}

static void skipped(mlp_view *v, const mlp_artifact *a, int html)
{
    const cJSON *l;
    double n = mlp_json_num(mlp_artifact_properties(a), "skipped_rows");
    int first = 1;

    if (!(n > 0))
        return;
    mlp_view_printf(v, html ? "<p class=\"WARNING\">skipped %.0f malformed rows, "
                              "at lines " : "skipped %.0f malformed rows, at lines ", n);
    cJSON_ArrayForEach(l, mlp_artifact_property(a, "skipped_lines")) {
        mlp_view_printf(v, "%s%.0f", first ? "" : ", ", cJSON_GetNumberValue(l));
        first = 0;
    }
    if (n > cJSON_GetArraySize(mlp_artifact_property(a, "skipped_lines")))
        mlp_view_puts(v, ", ...");
    mlp_view_puts(v, html ? "</p>\n" : "\n");
}

/* Properties other stages added (a transform's parameters, a span):
 * shown as they are, so the view hides nothing the store has. */
static void other_properties(mlp_view *v, const mlp_artifact *a, int html)
{
    static const char *const shown[] = { "splits", "rows", "columns", "source",
                                         "format", "label", "type_changes",
                                         "skipped_rows", "skipped_lines", NULL };
    const cJSON *p;
    int first = 1;

    cJSON_ArrayForEach(p, mlp_artifact_properties(a)) {
        int known = 0;
        for (const char *const *k = shown; *k; k++)
            known |= strcmp(*k, p->string) == 0;
        char *j = known ? NULL : mlp_json_print(p, 0);
        if (j == NULL)
            continue;
        if (first)
            mlp_view_puts(v, html ? "<table><tr><th>property</th><th>value</th></tr>\n"
                                  : "other properties\n");
        first = 0;
        mlp_view_puts(v, html ? "<tr><td>" : "  ");
        mlp_view_text(v, p->string);
        mlp_view_puts(v, html ? "</td><td>" : "  ");
        mlp_view_text(v, j);
        mlp_view_puts(v, html ? "</td></tr>\n" : "\n");
        mlp_free(j);
    }
    if (!first && html)
        mlp_view_puts(v, "</table>\n");
}

int examples_view(const mlp_artifact *a, mlp_view *v, mlp_error *err)
{
    int html = mlp_view_kind_of(v) == MLP_VIEW_HTML;

    (void)err;
    splits(v, a, html);
    columns(v, a, html);
    type_changes(v, a, html);
    skipped(v, a, html);
    other_properties(v, a, html);
    return MLP_OK;
}
