/* The view of an artifact whose type has none: what the store knows of
 * it (state, producer, properties) and the files its manifest lists. */
#include <stdio.h>
#include <string.h>

#include <mlpipe/json.h>
#include <mlpipe/memory.h>

#include "view_priv.h"

static const char *str(const cJSON *o, const char *k)
{
    const char *s = cJSON_GetStringValue(cJSON_GetObjectItem(o, k));
    return s ? s : "";
}

static void size_text(char *buf, size_t n, double bytes)
{
    const char *const unit[] = { "bytes", "KiB", "MiB", "GiB", "TiB" };
    int u = 0;

    while (bytes >= 1024 && u < 4) {
        bytes /= 1024;
        u++;
    }
    if (u == 0)
        snprintf(buf, n, "%.0f bytes", bytes);
    else
        snprintf(buf, n, "%.1f %s", bytes, unit[u]);
}

/* What the store knows: state, why, and who made it. */
static void store_lines(const mlpi_view_target *t, mlp_view *v)
{
    /* The caller's header line already names the id, type and path. */
    mlp_view_printf(v, "  state       %s\n", t->state);
    if (t->reason && *t->reason) {
        mlp_view_puts(v, "  reason      ");
        mlp_view_text(v, t->reason);
        mlp_view_puts(v, "\n");
    }
    if (t->producer && cJSON_IsObject(t->producer))
        mlp_view_printf(v, "  made by     e%.0f %s (%s), %s\n",
                        cJSON_GetNumberValue(cJSON_GetObjectItem(t->producer, "execution")),
                        str(t->producer, "node"), str(t->producer, "component"),
                        str(t->producer, "state"));
}

static void file_lines(const mlpi_view_target *t, mlp_view *v)
{
    const cJSON *f;

    /* What the manifest recorded; a retired artifact's files may be gone. */
    mlp_view_printf(v, "files%s%s\n", strcmp(t->state, "LIVE") == 0 ? ""
                    : " (as recorded)", cJSON_GetArraySize(t->files) ? "" : "  (none)");
    cJSON_ArrayForEach(f, t->files) {
        char sz[32];
        size_text(sz, sizeof sz, cJSON_GetNumberValue(cJSON_GetObjectItem(f, "size")));
        mlp_view_puts(v, "  ");
        mlp_view_text(v, str(f, "name"));
        mlp_view_printf(v, "  %s\n", sz);
    }
}

static void text_view(const mlpi_view_target *t, mlp_view *v)
{
    const cJSON *props = mlp_artifact_properties(t->a), *p;

    store_lines(t, v);
    mlp_view_printf(v, "properties%s\n", cJSON_GetArraySize(props) ? "" : "  (none)");
    cJSON_ArrayForEach(p, props) {
        char *j = mlp_json_print(p, 0);
        mlp_view_puts(v, "  ");
        mlp_view_text(v, p->string);
        mlp_view_printf(v, "%*s ", (int)(strlen(p->string) < 11 ? 11 - strlen(p->string) : 0), "");
        mlp_view_text(v, j ? j : "?");
        mlp_view_puts(v, "\n");
        mlp_free(j);
    }
    file_lines(t, v);
}

static void html_view(const mlpi_view_target *t, mlp_view *v)
{
    const cJSON *props = mlp_artifact_properties(t->a), *p, *f;

    mlp_view_printf(v, "<p>%s", t->state);
    if (t->reason && *t->reason) {
        mlp_view_puts(v, ": ");
        mlp_view_text(v, t->reason);
    }
    mlp_view_puts(v, "</p>\n<table><tr><th>property</th><th>value</th></tr>\n");
    cJSON_ArrayForEach(p, props) {
        char *j = mlp_json_print(p, 0);
        mlp_view_puts(v, "<tr><td>");
        mlp_view_text(v, p->string);
        mlp_view_puts(v, "</td><td>");
        mlp_view_text(v, j ? j : "?");
        mlp_view_puts(v, "</td></tr>\n");
        mlp_free(j);
    }
    if (cJSON_GetArraySize(props) == 0)
        mlp_view_puts(v, "<tr><td colspan=\"2\">none</td></tr>\n");
    mlp_view_puts(v, "</table>\n<table><tr><th>file</th><th>size</th></tr>\n");
    cJSON_ArrayForEach(f, t->files) {
        char sz[32];
        size_text(sz, sizeof sz, cJSON_GetNumberValue(cJSON_GetObjectItem(f, "size")));
        mlp_view_puts(v, "<tr><td>");
        mlp_view_text(v, str(f, "name"));
        mlp_view_printf(v, "</td><td class=\"num\">%s</td></tr>\n", sz);
    }
    if (cJSON_GetArraySize(t->files) == 0)
        mlp_view_puts(v, "<tr><td colspan=\"2\">none</td></tr>\n");
    mlp_view_puts(v, "</table>\n");
}

void mlpi_view_frame(const mlpi_view_target *t, FILE *out, int after)
{
    mlp_view v;

    mlpi_view_init(&v, out, MLP_VIEW_TEXT);
    if (after)
        file_lines(t, &v);
    else
        store_lines(t, &v);
}

void mlpi_view_generic(const mlpi_view_target *t, mlp_view_kind kind,
                       FILE *out)
{
    mlp_view v;

    mlpi_view_init(&v, out, kind);
    if (kind == MLP_VIEW_HTML)
        html_view(t, &v);
    else
        text_view(t, &v);
}
