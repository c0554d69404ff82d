/* `mlpipe report`: one self-contained HTML page with every artifact a run
 * produced or reused, each drawn by its type's view. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mlpipe/json.h>

#include "cli.h"
#include "outfile.h"
#include "view_priv.h"
#include "fsutil.h"
#include "metadata.h"
#include "rootdir.h"
#include "verify.h"

static const char usage[] =
    "usage: mlpipe report RUN -o report.html [--root DIR]\n"
    "Renders every artifact run RUN (a name from `mlpipe runs`, or `latest`)\n"
    "made or reused into one HTML page that needs no network: each with the\n"
    "view its type's plugin defines, or as its properties and files.\n";

/* The page around the views: its style sheet offers the classes views
 * may use (num, ERROR, WARNING); see mlpipe/view.h. */
static void html_begin(FILE *out, const char *title)
{
    mlp_view v;

    mlpi_view_init(&v, out, MLP_VIEW_HTML);
    /* No script runs and nothing is fetched, whatever a view wrote. */
    mlp_view_puts(&v, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
                  "<meta http-equiv=\"Content-Security-Policy\" content=\""
                  "default-src 'none'; style-src 'unsafe-inline'\">"
                  "<title>");
    mlp_view_text(&v, title);
    mlp_view_puts(&v, "</title>\n<style>\n"
        "body{font-family:sans-serif;margin:2em;color:#222}\n"
        "table{border-collapse:collapse;margin:0.5em 0 1.5em}\n"
        "td,th{border-bottom:1px solid #ddd;padding:3px 8px;text-align:left;"
        "vertical-align:middle;font-size:13px}\n"
        "th{background:#f3f3f3}\n.num{text-align:right;"
        "font-variant-numeric:tabular-nums}\n"
        ".ERROR{color:#b00020;font-weight:bold}.WARNING{color:#a36b00;"
        "font-weight:bold}\nsvg rect:not([fill]){fill:#4a7ebb}\n"
        /* Sortable tables (mlp_view_sort_begin): a grid whose cells take
         * their row's rank in the checked order. */
        ".sortable table{display:grid;grid-template-columns:repeat(var(--cols),"
        "auto);justify-content:start}\n"
        ".sortable tbody,.sortable thead,.sortable tr{display:contents}\n"
        ".sortable tr>*{order:var(--o0)}\n"
        ".sortable:has(.by1:checked) tr>*{order:var(--o1)}\n"
        ".sortable:has(.by2:checked) tr>*{order:var(--o2)}\n"
        ".sortable:has(.by3:checked) tr>*{order:var(--o3)}\n"
        ".sort-by{font-size:13px;margin:0.3em 0}\n"
        /* Whatever a view draws stays inside its own section. */
        "section{contain:paint}\n"
        "</style></head><body>\n<h1>");
    mlp_view_text(&v, title);
    mlp_view_puts(&v, "</h1>\n");
}

int mlpi_cmd_report(int argc, char **argv)
{
    const char *root = NULL, *run = NULL, *outp = NULL;
    char path[4096];
    mlpi_store *s;
    mlp_error err;
    cJSON *rows = NULL, *r;
    int64_t ctx = 0;
    FILE *out;
    mlpi_outfile of;
    int rc = MLPI_EXIT_OK, found = 0, failed = 0;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(usage, stdout);
            return MLPI_EXIT_OK;
        } else if (strcmp(argv[i], "--root") == 0 && i + 1 < argc) {
            root = argv[++i];
        } else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) {
            if (outp != NULL) {
                fprintf(stderr, "mlpipe report: -o given twice\n%s", usage);
                return MLPI_EXIT_USAGE;
            }
            outp = argv[++i];
        } else if (argv[i][0] != '-' && run == NULL) {
            run = argv[i];
        } else {
            fprintf(stderr, "mlpipe report: unexpected argument '%s'\n%s", argv[i], usage);
            return MLPI_EXIT_USAGE;
        }
    }
    if (run == NULL || outp == NULL) {
        fputs(usage, stderr);
        return MLPI_EXIT_USAGE;
    }
    root = mlpi_cli_root(root);
    s = mlpi_cli_open_store(root, "report", &rc);
    if (s == NULL)
        return rc;
    char title[512] = "";
    rc = mlpi_store_query(s, "SELECT id, name FROM context WHERE type='run' "
                          "ORDER BY id", NULL, 0, &rows, &err);
    if (rc != MLP_OK) {
        mlpi_store_close(s);
        fprintf(stderr, "mlpipe report: %s\n", err.msg);
        return rc == MLP_ECORRUPT ? MLPI_EXIT_DAMAGED : MLPI_EXIT_ENV;
    }
    rc = MLPI_EXIT_OK;
    cJSON_ArrayForEach(r, rows) {
        const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(r, "name"));
        if (strcmp(run, "latest") == 0 || strcmp(name, run) == 0) {
            ctx = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(r, "id"));
            snprintf(title, sizeof title, "%s", name);
        }
    }
    cJSON_Delete(rows);
    rows = NULL;
    if (ctx == 0) {
        mlpi_store_close(s);
        fprintf(stderr, "mlpipe report: no run '%s' in %s\n", run, root);
        return MLPI_EXIT_USAGE;
    }
    /* Every artifact the run made or reused, in the order they came. */
    if (mlpi_store_query(s,
            "SELECT a.id, MIN(e.id) AS first, e.node, t.name AS type, a.uri, "
            "a.state, a.reason, a.properties FROM association x "
            "JOIN execution e ON e.id=x.execution_id JOIN event v ON "
            "v.execution_id=e.id AND v.type='OUTPUT' JOIN artifact a ON "
            "a.id=v.artifact_id JOIN artifact_type t ON t.id=a.type_id WHERE "
            "x.context_id=? AND a.state='LIVE' GROUP BY a.id ORDER BY first, "
            "a.id", &ctx, 1, &rows, &err) != MLP_OK) {
        mlpi_store_close(s);
        fprintf(stderr, "mlpipe report: %s\n", err.msg);
        return err.code == MLP_ECORRUPT ? MLPI_EXIT_DAMAGED : MLPI_EXIT_ENV;
    }
    /* Each must still be what was published before anything is drawn. */
    cJSON_ArrayForEach(r, rows) {
        int64_t id = (int64_t)mlp_json_num(r, "id");
        const char *text = mlp_json_str(r, "properties");
        cJSON *props = mlp_json_parse(text, strlen(text));
        rc = mlpi_verify_artifact(s, id, 0, &err);
        if (rc != MLP_OK) {
            cJSON_Delete(props);
            fprintf(stderr, "mlpipe report: artifact %lld (%s) %s%s; no report "
                    "written\n", (long long)id, mlp_json_str(r, "uri"),
                    rc == MLP_ECORRUPT ? "is damaged: " : "", err.msg);
            mlpi_store_close(s);
            cJSON_Delete(rows);
            return rc == MLP_ECORRUPT ? MLPI_EXIT_DAMAGED : MLPI_EXIT_ENV;
        }
        cJSON_DeleteItemFromObject(r, "properties");
        cJSON_AddItemToObject(r, "properties", props ? props : cJSON_CreateObject());
        if (mlpi_root_path(mlpi_store_root(s), mlp_json_str(r, "uri"), path,
                           sizeof path, &err) == MLP_OK)
            cJSON_AddStringToObject(r, "path", path);
    }
    rc = MLPI_EXIT_OK;
    if (cJSON_GetArraySize(rows) == 0) {
        mlpi_store_close(s);
        fprintf(stderr, "mlpipe report: run '%s' in %s has no artifacts to "
                "show; no report written\n", title, root);
        cJSON_Delete(rows);
        return MLPI_EXIT_USAGE;
    }
    if (mlpi_outfile_open(&of, outp, root, &err) != MLP_OK) {
        mlpi_store_close(s);
        cJSON_Delete(rows);
        fprintf(stderr, "mlpipe report: %s\n", err.msg);
        return MLPI_EXIT_USAGE;
    }
    out = of.f;
    mlpi_view_catch_interrupts();
    cJSON *types = NULL;
    mlpi_registry *reg = mlpi_cli_view_registry(s, ctx, 0, &types);
    html_begin(out, title);
    cJSON_ArrayForEach(r, rows) {
        mlp_view v;
        mlpi_view_init(&v, out, MLP_VIEW_HTML);
        mlp_view_puts(&v, "<section>\n<h2>");
        mlp_view_text(&v, mlp_json_str(r, "type"));
        mlp_view_puts(&v, " of ");
        mlp_view_text(&v, mlp_json_str(r, "node"));
        mlp_view_printf(&v, " (artifact %.0f)</h2>\n", mlp_json_num(r, "id"));
        int vr = mlpi_cli_render(reg, types, s, r, MLP_VIEW_HTML, out, &err);
        if (vr == MLP_ECANCELED || mlpi_view_interrupted)
            break;
        if (vr != MLP_OK) {
            fprintf(stderr, "mlpipe report: %s; shown with the generic view\n",
                    err.msg);
            mlp_view_puts(&v, "<p class=\"ERROR view-failed\">");
            mlp_view_text(&v, err.msg);
            mlp_view_puts(&v, "</p>\n");
            failed++;
        }
        mlp_view_puts(&v, "</section>\n");
        found++;
    }
    fputs("</body></html>\n", out);
    if (reg != NULL) {
        mlpi_lua_close(reg->L);
        mlpi_registry_free(reg);
    }
    cJSON_Delete(types);
    mlpi_store_close(s);
    cJSON_Delete(rows);
    if (mlpi_view_interrupted) {
        mlpi_outfile_abandon(&of);
        fprintf(stderr, "mlpipe report: interrupted; no report written\n");
        return MLPI_EXIT_CANCELED;
    }
    if (mlpi_outfile_commit(&of, &err) != MLP_OK) {
        fprintf(stderr, "mlpipe report: %s\n", err.msg);
        return MLPI_EXIT_USAGE;
    }
    if (failed > 0) {
        printf("wrote %s (%d artifacts; %d view%s failed, shown with the "
               "generic view)\n", outp, found, failed, failed == 1 ? "" : "s");
        return MLPI_EXIT_FAILED;
    }
    printf("wrote %s (%d artifacts)\n", outp, found);
    return MLPI_EXIT_OK;
}
