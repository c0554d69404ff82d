/* `mlpipe report`: one self-contained HTML page with the statistics,
 * schemas and anomalies a run produced or reused. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mlpipe/json.h>

#include "cli.h"
#include "cli_render.h"
#include "fsutil.h"
#include "metadata.h"

static const char usage[] =
    "usage: mlpipe report RUN -o report.html [--root DIR]\n"
    "Renders the Statistics (with histograms), Schema and Anomalies artifacts\n"
    "of run RUN (a name from `mlpipe runs`, or `latest`) into one HTML page\n"
    "that needs no network.\n";

int mlpi_cmd_report(int argc, char **argv)
{
    const char *root = getenv("MLPIPE_ROOT"), *run = NULL, *outp = NULL;
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
    if (root == NULL)
        root = ".";
    snprintf(path, sizeof path, "%s/metadata.sqlite", root);
    if (!mlpi_exists(path)) {
        fprintf(stderr, "mlpipe report: no metadata store at %s\n", path);
        return MLPI_EXIT_ENV;
    }
    if (mlpi_store_open(path, &s, &err) != MLP_OK) {
        fprintf(stderr, "mlpipe report: %s\n", err.msg);
        return MLPI_EXIT_ENV;
    }
    char title[512] = "";
    if (mlpi_store_query(s, "SELECT id, name FROM context WHERE type='run' ORDER BY id",
                         NULL, 0, &rows, &err) == MLP_OK)
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
            "SELECT e.node, v.port, t.name AS type, a.uri, a.id FROM association x "
            "JOIN execution e ON e.id=x.execution_id JOIN event v ON "
            "v.execution_id=e.id AND v.type='OUTPUT' JOIN artifact a ON "
            "a.id=v.artifact_id JOIN artifact_type t ON t.id=a.type_id WHERE "
            "x.context_id=? AND a.state='LIVE' AND t.name IN "
            "('Statistics','Schema','Anomalies') ORDER BY e.id", &ctx, 1,
            &rows, &err) != MLP_OK) {
        mlpi_store_close(s);
        fprintf(stderr, "mlpipe report: %s\n", err.msg);
        return MLPI_EXIT_ENV;
    }
    mlpi_store_close(s);
    snprintf(path, sizeof path, "%s.tmp", outp);
    out = fopen(path, "w");
    if (out == NULL) {
        cJSON_Delete(rows);
        fprintf(stderr, "mlpipe report: cannot write %s\n", path);
        return MLPI_EXIT_USAGE;
    }
    mlpi_html_begin(out, title);
    cJSON_ArrayForEach(r, rows) {
        const char *type = cJSON_GetStringValue(cJSON_GetObjectItem(r, "type"));
        const char *uri = cJSON_GetStringValue(cJSON_GetObjectItem(r, "uri"));
        const char *node = cJSON_GetStringValue(cJSON_GetObjectItem(r, "node"));
        const char *file = strcmp(type, "Statistics") == 0 ? "statistics.json"
                           : strcmp(type, "Schema") == 0 ? "schema.json" : "anomalies.json";
        char fpath[4096], heading[512];
        cJSON *doc;
        snprintf(fpath, sizeof fpath, "%s/%s", uri, file);
        /* Artifacts of these types from other components (a Lua analyzer's
         * Statistics, say) keep their results elsewhere: not ours to draw. */
        if (!mlpi_exists(fpath))
            continue;
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
    if (found == 0)
        fputs("<p>This run has no statistics, schema or anomalies.</p>\n", out);
    mlpi_html_end(out);
    cJSON_Delete(rows);
    if (fclose(out) != 0 || rc != MLPI_EXIT_OK || rename(path, outp) != 0) {
        remove(path);
        if (rc == MLPI_EXIT_OK) {
            fprintf(stderr, "mlpipe report: cannot write %s\n", outp);
            rc = MLPI_EXIT_ENV;
        }
        return rc;
    }
    printf("wrote %s (%d artifacts)\n", outp, found);
    return MLPI_EXIT_OK;
}
