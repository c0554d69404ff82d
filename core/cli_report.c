/* `mlpipe report`: one self-contained HTML page with the statistics,
 * schemas and anomalies a run produced or reused. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mlpipe/json.h>

#include "cli.h"
#include "cli_render.h"
#include "fsutil.h"
#include "metadata.h"
#include "rootdir.h"
#include "verify.h"

static const char usage[] =
    "usage: mlpipe report RUN -o report.html [--root DIR]\n"
    "Renders the Statistics (with histograms), Schema and Anomalies artifacts\n"
    "of run RUN (a name from `mlpipe runs`, or `latest`) into one HTML page\n"
    "that needs no network.\n";

int mlpi_cmd_report(int argc, char **argv)
{
    const char *root = NULL, *run = NULL, *outp = NULL;
    char path[4096];
    mlpi_store *s;
    mlp_error err;
    cJSON *rows = NULL, *r;
    int64_t ctx = 0;
    FILE *out;
    int rc = MLPI_EXIT_OK, found = 0;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(usage, stdout);
            return MLPI_EXIT_OK;
        } else if (strcmp(argv[i], "--root") == 0 && i + 1 < argc) {
            root = argv[++i];
        } else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) {
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
    if (mlpi_store_query(s,
            "SELECT e.node, v.port, t.name AS type, a.uri, a.id, (SELECT 1 "
            "FROM artifact_file f WHERE f.artifact_id=a.id AND f.name=CASE "
            "t.name WHEN 'Statistics' THEN 'statistics.json' WHEN 'Schema' "
            "THEN 'schema.json' ELSE 'anomalies.json' END) AS ours FROM "
            "association x "
            "JOIN execution e ON e.id=x.execution_id JOIN event v ON "
            "v.execution_id=e.id AND v.type='OUTPUT' JOIN artifact a ON "
            "a.id=v.artifact_id JOIN artifact_type t ON t.id=a.type_id WHERE "
            "x.context_id=? AND a.state='LIVE' AND t.name IN "
            "('Statistics','Schema','Anomalies') ORDER BY e.id", &ctx, 1,
            &rows, &err) != MLP_OK) {
        mlpi_store_close(s);
        fprintf(stderr, "mlpipe report: %s\n", err.msg);
        return err.code == MLP_ECORRUPT ? MLPI_EXIT_DAMAGED : MLPI_EXIT_ENV;
    }
    /* Only artifacts whose manifest lists the file we draw are ours (a Lua
     * analyzer's Statistics keeps its results elsewhere), and each must
     * still be what was published. */
    for (int i = cJSON_GetArraySize(rows) - 1; i >= 0; i--) {
        cJSON *row = cJSON_GetArrayItem(rows, i);
        int64_t id = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(row, "id"));
        if (!cJSON_IsNumber(cJSON_GetObjectItem(row, "ours"))) {
            cJSON_DeleteItemFromArray(rows, i);
            continue;
        }
        rc = mlpi_verify_artifact(s, id, 0, &err);
        if (rc != MLP_OK) {
            fprintf(stderr, "mlpipe report: artifact %lld (%s) %s%s; no report "
                    "written\n", (long long)id, cJSON_GetStringValue(
                        cJSON_GetObjectItem(row, "uri")),
                    rc == MLP_ECORRUPT ? "is damaged: " : "", err.msg);
            mlpi_store_close(s);
            cJSON_Delete(rows);
            return rc == MLP_ECORRUPT ? MLPI_EXIT_DAMAGED : MLPI_EXIT_ENV;
        }
        if (mlpi_root_path(mlpi_store_root(s), cJSON_GetStringValue(
                               cJSON_GetObjectItem(row, "uri")), path,
                           sizeof path, &err) == MLP_OK)
            cJSON_AddStringToObject(row, "path", path);
    }
    rc = MLPI_EXIT_OK;
    mlpi_store_close(s);
    if (cJSON_GetArraySize(rows) == 0) {
        fprintf(stderr, "mlpipe report: run '%s' in %s has no Statistics, "
                "Schema or Anomalies artifacts; no report written\n", title,
                root);
        cJSON_Delete(rows);
        return MLPI_EXIT_USAGE;
    }
    snprintf(path, sizeof path, "%s.tmp", outp);
    out = fopen(path, "w");
    if (out == NULL) {
        cJSON_Delete(rows);
        fprintf(stderr, "mlpipe report: cannot write %s: %s\n", outp,
                strerror(errno));
        return MLPI_EXIT_USAGE;
    }
    mlpi_html_begin(out, title);
    cJSON_ArrayForEach(r, rows) {
        const char *type = cJSON_GetStringValue(cJSON_GetObjectItem(r, "type"));
        const char *uri = cJSON_GetStringValue(cJSON_GetObjectItem(r, "path"));
        const char *node = cJSON_GetStringValue(cJSON_GetObjectItem(r, "node"));
        const char *file = strcmp(type, "Statistics") == 0 ? "statistics.json"
                           : strcmp(type, "Schema") == 0 ? "schema.json" : "anomalies.json";
        char fpath[4096], heading[512];
        cJSON *doc;
        snprintf(fpath, sizeof fpath, "%s/%s", uri, file);
        if (mlp_json_read_file(fpath, &doc, &err) != MLP_OK) {
            fprintf(stderr, "mlpipe report: %s\n", err.msg);
            rc = MLPI_EXIT_ENV;
            break;
        }
        snprintf(heading, sizeof heading, "%s of %s (artifact %.0f)", type, node,
                 cJSON_GetNumberValue(cJSON_GetObjectItem(r, "id")));
        if (strcmp(type, "Statistics") == 0)
            mlpi_html_statistics(out, heading, doc);
        else if (strcmp(type, "Schema") == 0)
            mlpi_html_schema(out, heading, doc);
        else
            mlpi_html_anomalies(out, heading, doc);
        cJSON_Delete(doc);
        found++;
    }
    mlpi_html_end(out);
    cJSON_Delete(rows);
    if (fclose(out) != 0 || rc != MLPI_EXIT_OK || rename(path, outp) != 0) {
        int e = errno;
        remove(path);
        if (rc == MLPI_EXIT_OK) {
            fprintf(stderr, "mlpipe report: cannot write %s: %s\n", outp,
                    strerror(e));
            rc = MLPI_EXIT_USAGE;
        }
        return rc;
    }
    printf("wrote %s (%d artifacts)\n", outp, found);
    return MLPI_EXIT_OK;
}
