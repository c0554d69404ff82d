/* `mlpipe runs`, `show` and `lineage`: reading the metadata store. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mlpipe/json.h>
#include <mlpipe/memory.h>

#include "cli.h"
#include "fsutil.h"
#include "metadata.h"
#include "rootdir.h"
#include "verify.h"
#include "view_priv.h"

typedef struct meta_args {
    const char *root;
    const char *id;
    int json;
} meta_args;

static int parse(int argc, char **argv, const char *usage, int want_id,
                 meta_args *a)
{
    memset(a, 0, sizeof *a);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(usage, stdout);
            return 1;
        } else if (strcmp(argv[i], "--json") == 0) {
            a->json = 1;
        } else if (strcmp(argv[i], "--root") == 0 && i + 1 < argc) {
            a->root = argv[++i];
        } else if (want_id && a->id == NULL && argv[i][0] != '-') {
            a->id = argv[i];
        } else {
            fprintf(stderr, "mlpipe: unexpected argument '%s'\n%s", argv[i],
                    usage);
            return -1;
        }
    }
    a->root = mlpi_cli_root(a->root);
    if (want_id && a->id == NULL) {
        fputs(usage, stderr);
        return -1;
    }
    return 0;
}

/* The exit code of the first failed query (0: none failed).  A command
 * whose query failed prints nothing as data: a damaged store is refused
 * (exit 7), not read in part. */
static int query_exit;

static cJSON *query(mlpi_store *s, const char *sql, const int64_t *args,
                    int n)
{
    cJSON *rows;
    mlp_error err;
    int rc = mlpi_store_query(s, sql, args, n, &rows, &err);

    if (rc != MLP_OK) {
        fprintf(stderr, "mlpipe: %s\n", err.msg);
        if (query_exit == 0)
            query_exit = rc == MLP_ECORRUPT ? MLPI_EXIT_DAMAGED : MLPI_EXIT_ENV;
        return NULL;
    }
    return rows;
}

static const char *str(const cJSON *o, const char *k)
{
    const char *s = cJSON_GetStringValue(cJSON_GetObjectItem(o, k));
    return s ? s : "";
}

/* A JSON text from the store, integers beyond 2^53 kept exact. */
static cJSON *parse_text(const char *t)
{
    return mlp_json_parse(t, strlen(t));
}

static double num(const cJSON *o, const char *k)
{
    return cJSON_GetNumberValue(cJSON_GetObjectItem(o, k));
}

static void fmt_time(double t, char *buf, size_t size)
{
    time_t tt = (time_t)t;
    struct tm tmv;

    gmtime_r(&tt, &tmv);
    strftime(buf, size, "%Y-%m-%d %H:%M:%SZ", &tmv);
}

int mlpi_cmd_runs(int argc, char **argv)
{
    static const char usage[] =
        "usage: mlpipe runs [--root DIR] [--json]\n"
        "Lists the runs recorded under a pipeline root, newest last, with how\n"
        "many executions ran, came from the cache, or failed.\n";
    meta_args a;
    mlpi_store *s;
    cJSON *rows, *r;
    int p = parse(argc, argv, usage, 0, &a), rc;

    if (p != 0)
        return p > 0 ? MLPI_EXIT_OK : MLPI_EXIT_USAGE;
    s = mlpi_cli_open_store(a.root, "runs", &rc);
    if (s == NULL)
        return rc;
    rows = query(s,
        "SELECT c.id, c.name, c.properties, c.create_time, "
        " (SELECT count(*) FROM association x JOIN execution e ON "
        "  e.id=x.execution_id WHERE x.context_id=c.id AND e.state='COMPLETE')"
        "  AS ran,"
        " (SELECT count(*) FROM association x JOIN execution e ON "
        "  e.id=x.execution_id WHERE x.context_id=c.id AND e.state='CACHED')"
        "  AS cached,"
        " (SELECT count(*) FROM association x JOIN execution e ON "
        "  e.id=x.execution_id WHERE x.context_id=c.id AND e.state IN "
        "  ('FAILED','CANCELED')) AS failed,"
        " (SELECT max(max(e.start_time, coalesce(e.end_time, 0))) FROM "
        "  association x JOIN execution e ON e.id=x.execution_id WHERE "
        "  x.context_id=c.id) AS last_activity "
        "FROM context c WHERE c.type='run' ORDER BY c.id", NULL, 0);
    mlpi_store_close(s);
    if (rows == NULL)
        return query_exit;
    cJSON_ArrayForEach(r, rows) {
        cJSON *props = parse_text(str(r, "properties"));
        cJSON_DeleteItemFromObject(r, "properties");
        if (props == NULL)
            props = cJSON_CreateObject();
        /* A run whose process is gone but whose root no writer has
         * recovered yet: it was killed. */
        if (strcmp(str(props, "status"), "running") == 0 &&
            num(props, "pid") > 0 && kill((pid_t)num(props, "pid"), 0) != 0 &&
            errno == ESRCH)
        {
            cJSON_ReplaceItemInObject(props, "status", cJSON_CreateString("killed"));
            /* Not recovered yet: it ended when it last recorded anything. */
            if (num(r, "last_activity") > 0 && !cJSON_GetObjectItem(props, "end_time"))
                cJSON_AddNumberToObject(props, "end_time", num(r, "last_activity"));
        }
        cJSON_AddItemToObject(r, "properties", props);
    }
    if (a.json) {
        mlpi_cli_print_json(rows);
    } else {
        printf("%-4s %-44s %-8s %-20s %-20s %4s %6s %6s\n", "id", "run",
               "status", "started", "ended", "ran", "cached", "failed");
        cJSON_ArrayForEach(r, rows) {
            const cJSON *props = cJSON_GetObjectItem(r, "properties");
            char t[64], e[64] = "-";
            fmt_time(num(r, "create_time"), t, sizeof t);
            if (num(props, "end_time") > 0)
                fmt_time(num(props, "end_time"), e, sizeof e);
            printf("%-4.0f %-44s %-8s %-20s %-20s %4.0f %6.0f %6.0f\n",
                   num(r, "id"), str(r, "name"), str(props, "status"), t, e,
                   num(r, "ran"), num(r, "cached"), num(r, "failed"));
        }
    }
    cJSON_Delete(rows);
    return MLPI_EXIT_OK;
}

static cJSON *artifact_record(mlpi_store *s, int64_t id)
{
    cJSON *rows = query(s, "SELECT a.id, t.name AS type, a.uri, a.state, "
                        "a.reason, a.fingerprint, a.properties, a.create_time "
                        "FROM "
                        "artifact a JOIN artifact_type t ON t.id=a.type_id "
                        "WHERE a.id=?", &id, 1);
    cJSON *row;

    if (rows == NULL || cJSON_GetArraySize(rows) == 0) {
        cJSON_Delete(rows);
        return NULL;
    }
    row = cJSON_DetachItemFromArray(rows, 0);
    cJSON_Delete(rows);
    cJSON *props = parse_text(str(row, "properties"));
    cJSON_DeleteItemFromObject(row, "properties");
    cJSON_AddItemToObject(row, "properties", props ? props : cJSON_CreateObject());
    char path[4096];
    if (mlpi_root_path(mlpi_store_root(s), str(row, "uri"), path, sizeof path,
                       NULL) == MLP_OK)
        cJSON_AddStringToObject(row, "path", path);
    return row;
}

static cJSON *execution_record(mlpi_store *s, int64_t id)
{
    cJSON *rows = query(s, "SELECT id, node, component, state, attempt, "
                        "cached_from, error, params, start_time, end_time, "
                        "fingerprint FROM execution WHERE id=?", &id, 1);
    cJSON *row, *ev;

    if (rows == NULL || cJSON_GetArraySize(rows) == 0) {
        cJSON_Delete(rows);
        return NULL;
    }
    row = cJSON_DetachItemFromArray(rows, 0);
    cJSON_Delete(rows);
    cJSON *params = parse_text(str(row, "params"));
    cJSON_DeleteItemFromObject(row, "params");
    cJSON_AddItemToObject(row, "params", params ? params : cJSON_CreateObject());
    ev = query(s, "SELECT v.type, v.port, v.idx, v.artifact_id, a.uri FROM "
               "event v JOIN artifact a ON a.id=v.artifact_id WHERE "
               "v.execution_id=? ORDER BY v.id", &id, 1);
    cJSON_AddItemToObject(row, "events", ev ? ev : cJSON_CreateArray());
    return row;
}

int mlpi_cmd_show(int argc, char **argv)
{
    static const char usage[] =
        "usage: mlpipe show ID [--root DIR] [--json]\n"
        "ID is an artifact id (12), an execution id (e12), or a run name.\n"
        "An artifact prints with the view its type's plugin defines, or as\n"
        "its properties and files; --json prints the record.  Executions\n"
        "and runs print as JSON.\n";
    meta_args a;
    mlpi_store *s;
    cJSON *rec = NULL;
    int p = parse(argc, argv, usage, 1, &a), rc = MLPI_EXIT_OK;
    const char *damaged = NULL;
    char *end;
    int is_artifact = 0;

    if (p != 0)
        return p > 0 ? MLPI_EXIT_OK : MLPI_EXIT_USAGE;
    s = mlpi_cli_open_store(a.root, "show", &rc);
    if (s == NULL)
        return rc;
    if (a.id[0] == 'e' && strtoll(a.id + 1, &end, 10) > 0 && *end == '\0') {
        rec = execution_record(s, strtoll(a.id + 1, NULL, 10));
    } else if (strtoll(a.id, &end, 10) > 0 && *end == '\0') {
        rec = artifact_record(s, strtoll(a.id, NULL, 10));
        is_artifact = rec != NULL;
        if (rec != NULL) {
            int64_t id = (int64_t)num(rec, "id");
            cJSON *prod = query(s, "SELECT e.id AS execution, e.node, "
                                "e.component, e.state FROM event v JOIN "
                                "execution e ON e.id=v.execution_id WHERE "
                                "v.artifact_id=? AND v.type='OUTPUT' ORDER BY "
                                "e.id LIMIT 1", &id, 1);
            cJSON_AddItemToObject(rec, "producer",
                                  prod && cJSON_GetArraySize(prod)
                                  ? cJSON_DetachItemFromArray(prod, 0)
                                  : cJSON_CreateNull());
            cJSON_Delete(prod);
            /* What is shown must be what was published. */
            if (strcmp(str(rec, "state"), "LIVE") == 0) {
                mlp_error e;
                int vr = mlpi_verify_artifact(s, id, 0, &e);
                if (vr == MLP_ECORRUPT) {
                    cJSON_AddStringToObject(rec, "damaged", e.msg);
                    damaged = str(rec, "damaged");
                } else if (vr != MLP_OK) {
                    fprintf(stderr, "mlpipe show: %s\n", e.msg);
                    rc = MLPI_EXIT_ENV;
                }
            }
        }
    } else {
        cJSON *rows = query(s, "SELECT id FROM context WHERE type='run'", NULL, 0), *r;
        cJSON_ArrayForEach(r, rows) {
            int64_t cid = (int64_t)num(r, "id");
            cJSON *c = query(s, "SELECT name, properties FROM context WHERE id=?",
                             &cid, 1);
            if (c && strcmp(str(cJSON_GetArrayItem(c, 0), "name"), a.id) == 0) {
                rec = cJSON_DetachItemFromArray(c, 0);
                cJSON *props = parse_text(str(rec, "properties"));
                cJSON_DeleteItemFromObject(rec, "properties");
                cJSON_AddItemToObject(rec, "properties",
                                      props ? props : cJSON_CreateObject());
                cJSON_AddItemToObject(rec, "executions", query(s,
                    "SELECT e.id, e.node, e.component, e.state, e.error FROM "
                    "association x JOIN execution e ON e.id=x.execution_id "
                    "WHERE x.context_id=? ORDER BY e.id", &cid, 1));
            }
            cJSON_Delete(c);
        }
        cJSON_Delete(rows);
    }
    if (query_exit != 0 || rec == NULL || rc != MLPI_EXIT_OK ||
        damaged != NULL || a.json || !is_artifact) {
        mlpi_store_close(s);
        if (query_exit != 0) {
            cJSON_Delete(rec);
            return query_exit;
        }
        if (rec == NULL) {
            fprintf(stderr, "mlpipe show: nothing called '%s' in %s\n", a.id, a.root);
            return rc != MLPI_EXIT_OK ? rc : MLPI_EXIT_USAGE;
        }
        if (rc == MLPI_EXIT_OK && damaged != NULL) {
            if (a.json)
                mlpi_cli_print_json(rec);
            fprintf(stderr, "mlpipe show: artifact %s (%s) is damaged: %s; it is "
                    "not shown, and the next run that needs it makes it again\n",
                    a.id, str(rec, "uri"), damaged);
            rc = MLPI_EXIT_DAMAGED;
        } else if (rc == MLPI_EXIT_OK) {
            mlpi_cli_print_json(rec);
        }
        cJSON_Delete(rec);
        return rc;
    }
    /* An artifact as a person reads it: its type's view, or the generic
     * one.  Plugin code runs only in the view's child process. */
    cJSON *types = NULL;
    mlpi_registry *r = mlpi_cli_view_registry(s, 0, (int64_t)num(rec, "id"), &types);
    mlp_error err;
    int vr;
    mlpi_view_catch_interrupts();
    printf("artifact %s  %s  %s\n", a.id, str(rec, "type"), str(rec, "path"));
    vr = mlpi_cli_render(r, types, s, rec, MLP_VIEW_TEXT, stdout, &err);
    if (vr == MLP_ECANCELED || mlpi_view_interrupted) {
        fflush(stdout);
        fprintf(stderr, "mlpipe show: interrupted\n");
        rc = MLPI_EXIT_CANCELED;
    } else if (vr != MLP_OK) {
        fflush(stdout);
        fprintf(stderr, "mlpipe show: %s; shown with the generic view\n",
                err.msg);
        rc = MLPI_EXIT_FAILED;
    }
    if (r != NULL) {
        mlpi_lua_close(r->L);
        mlpi_registry_free(r);
    }
    cJSON_Delete(types);
    mlpi_store_close(s);
    cJSON_Delete(rec);
    return rc;
}

/* Walks producer/consumer edges breadth-first.  Upstream: artifact ->
 * the execution that produced it (the original, not cache hits) -> its
 * inputs.  Downstream: artifact -> every execution that read it -> its
 * outputs. */
static cJSON *walk(mlpi_store *s, int64_t start, int up)
{
    cJSON *out = cJSON_CreateArray();
    int64_t queue[4096];
    size_t head = 0, tail = 0;
    cJSON *seen = cJSON_CreateObject();

    queue[tail++] = start;
    while (head < tail) {
        int64_t id = queue[head++];
        cJSON *execs, *e;
        execs = up
            ? query(s, "SELECT DISTINCT e.id, e.node, e.component, e.params "
                    "FROM event v JOIN execution e ON e.id=v.execution_id WHERE "
                    "v.artifact_id=? AND v.type='OUTPUT' AND e.state='COMPLETE'",
                    &id, 1)
            : query(s, "SELECT DISTINCT e.id, e.node, e.component, e.state "
                    "FROM event v JOIN execution e ON e.id=v.execution_id WHERE "
                    "v.artifact_id=? AND v.type='INPUT' AND e.state IN "
                    "('COMPLETE','CACHED')", &id, 1);
        cJSON_ArrayForEach(e, execs) {
            char key[32];
            int64_t eid = (int64_t)num(e, "id");
            snprintf(key, sizeof key, "%lld", (long long)eid);
            if (cJSON_GetObjectItem(seen, key))
                continue;
            cJSON_AddTrueToObject(seen, key);
            cJSON *arts = query(s, up
                ? "SELECT v.port, a.id, a.uri, t.name AS type FROM event v JOIN "
                  "artifact a ON a.id=v.artifact_id JOIN artifact_type t ON "
                  "t.id=a.type_id WHERE v.execution_id=? AND v.type='INPUT'"
                : "SELECT v.port, a.id, a.uri, t.name AS type FROM event v JOIN "
                  "artifact a ON a.id=v.artifact_id JOIN artifact_type t ON "
                  "t.id=a.type_id WHERE v.execution_id=? AND v.type='OUTPUT'",
                &eid, 1), *x;
            cJSON *item = cJSON_Duplicate(e, 1);
            if (up) {
                cJSON *params = parse_text(str(e, "params"));
                cJSON_DeleteItemFromObject(item, "params");
                cJSON_AddItemToObject(item, "params", params ? params : cJSON_CreateObject());
            }
            cJSON_AddNumberToObject(item, "via_artifact", (double)id);
            cJSON_ArrayForEach(x, arts)
                if (tail < sizeof queue / sizeof *queue)
                    queue[tail++] = (int64_t)num(x, "id");
            cJSON_AddItemToObject(item, up ? "inputs" : "outputs",
                                  arts ? arts : cJSON_CreateArray());
            cJSON_AddItemToArray(out, item);
        }
        cJSON_Delete(execs);
    }
    cJSON_Delete(seen);
    return out;
}

int mlpi_cmd_lineage(int argc, char **argv)
{
    static const char usage[] =
        "usage: mlpipe lineage ARTIFACT_ID [--root DIR] [--json]\n"
        "Upstream: the executions and artifacts it came from, back to the raw\n"
        "data.  Downstream: every execution that consumed it, and their\n"
        "outputs, to the end of the graph.\n";
    meta_args a;
    mlpi_store *s;
    cJSON *art, *res, *e, *x;
    char *end;
    int64_t id;
    int p = parse(argc, argv, usage, 1, &a), rc;

    if (p != 0)
        return p > 0 ? MLPI_EXIT_OK : MLPI_EXIT_USAGE;
    id = strtoll(a.id, &end, 10);
    if (*end != '\0' || id <= 0) {
        fprintf(stderr, "mlpipe lineage: '%s' is not an artifact id\n", a.id);
        return MLPI_EXIT_USAGE;
    }
    s = mlpi_cli_open_store(a.root, "lineage", &rc);
    if (s == NULL)
        return rc;
    art = artifact_record(s, id);
    if (art == NULL) {
        mlpi_store_close(s);
        if (query_exit != 0)
            return query_exit;
        fprintf(stderr, "mlpipe lineage: no artifact %lld in %s\n",
                (long long)id, a.root);
        return MLPI_EXIT_USAGE;
    }
    res = cJSON_CreateObject();
    cJSON_AddItemToObject(res, "artifact", art);
    cJSON_AddItemToObject(res, "upstream", walk(s, id, 1));
    cJSON_AddItemToObject(res, "downstream", walk(s, id, 0));
    mlpi_store_close(s);
    if (query_exit != 0) {
        cJSON_Delete(res);
        return query_exit;
    }
    if (a.json) {
        mlpi_cli_print_json(res);
    } else {
        printf("artifact %lld  %s  %s  %s\n", (long long)id, str(art, "type"),
               str(art, "state"), str(art, "path"));
        printf("upstream:\n");
        cJSON_ArrayForEach(e, cJSON_GetObjectItem(res, "upstream")) {
            char *params = mlp_json_print(cJSON_GetObjectItem(e, "params"), 0);
            printf("  e%.0f %s (%s) made artifact %.0f  params %s\n", num(e, "id"),
                   str(e, "node"), str(e, "component"), num(e, "via_artifact"),
                   params ? params : "{}");
            mlp_free(params);
            cJSON_ArrayForEach(x, cJSON_GetObjectItem(e, "inputs"))
                printf("      from %s: artifact %.0f %s %s\n", str(x, "port"),
                       num(x, "id"), str(x, "type"), str(x, "uri"));
        }
        printf("downstream:\n");
        cJSON_ArrayForEach(e, cJSON_GetObjectItem(res, "downstream")) {
            printf("  e%.0f %s (%s, %s) read artifact %.0f\n", num(e, "id"),
                   str(e, "node"), str(e, "component"), str(e, "state"),
                   num(e, "via_artifact"));
            cJSON_ArrayForEach(x, cJSON_GetObjectItem(e, "outputs"))
                printf("      made %s: artifact %.0f %s %s\n", str(x, "port"),
                       num(x, "id"), str(x, "type"), str(x, "uri"));
        }
    }
    cJSON_Delete(res);
    return MLPI_EXIT_OK;
}
