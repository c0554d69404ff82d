/* Recovery of a root after an interrupted writer, and orphan detection. */
#define _GNU_SOURCE
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <mlpipe/log.h>

#include "execfile.h"
#include "recovery.h"
#include "repair.h"
#include "rootdir.h"

/* LIVE records whose directory someone removed by hand. */
static int sweep_missing(mlpi_store *s, mlp_error *err)
{
    cJSON *rows = NULL, *row;
    int rc = mlpi_store_query(s, "SELECT id, uri FROM artifact WHERE "
                              "state='LIVE'", NULL, 0, &rows, err);
    int begun = 0;

    cJSON_ArrayForEach(row, rows) {
        const char *loc = cJSON_GetStringValue(cJSON_GetObjectItem(row, "uri"));
        char path[PATH_MAX];
        int inside = mlpi_root_path(mlpi_store_root(s), loc, path,
                                    sizeof path, NULL) == MLP_OK;
        if (rc != MLP_OK)
            break;
        if (inside && mlpi_is_dir(path))
            continue;
        if (!begun) {
            rc = mlpi_store_begin(s, err);
            begun = rc == MLP_OK;
        }
        if (rc == MLP_OK)
            rc = mlpi_store_artifact_set_state(
                s, (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(row, "id")),
                "DELETED", inside ? "its directory was removed"
                : "its location is not inside the pipeline root", err);
        /* Nothing of that execution left to serve: its file goes too. */
        if (rc == MLP_OK && inside)
            mlpi_root_prune(mlpi_store_root(s), path);
    }
    cJSON_Delete(rows);
    if (begun && rc == MLP_OK)
        rc = mlpi_store_commit(s, err);
    else if (begun)
        mlpi_store_rollback(s);
    return rc;
}

/* A DELETED record is committed before its directory is removed, so a
 * kill between the two leaves the directory behind with nothing left
 * PENDING to point at it: finish those removals here. */
static void sweep_deleted(mlpi_store *s)
{
    cJSON *rows = NULL, *row;
    const char *root = mlpi_store_root(s);

    if (mlpi_store_query(s, "SELECT DISTINCT uri FROM artifact a WHERE "
                         "state='DELETED' AND NOT EXISTS (SELECT 1 FROM "
                         "artifact b WHERE b.uri=a.uri AND b.state<>'DELETED')",
                         NULL, 0, &rows, NULL) != MLP_OK)
        return;
    cJSON_ArrayForEach(row, rows) {
        const char *loc = cJSON_GetStringValue(cJSON_GetObjectItem(row, "uri"));
        char path[PATH_MAX];
        struct stat st;
        mlp_error e;
        if (loc == NULL || mlpi_root_path(root, loc, path, sizeof path,
                                          NULL) != MLP_OK ||
            lstat(path, &st) != 0)
            continue;
        if (mlpi_root_remove(root, path, &e) == MLP_OK)
            mlpi_root_prune(root, path);
        else
            mlp_log(MLP_LOG_WARN, "recovery: %s", e.msg);
    }
    cJSON_Delete(rows);
}

/* An execution the store calls RUNNING may have been finished by its run
 * all but the commit, or (a store restored from an older copy) by a later
 * run the store does not remember: its execution file says so.  Those
 * whose files match their file are finished, not thrown away. */
static void roll_forward(mlpi_store *s)
{
    cJSON *rows = NULL, *r;

    if (mlpi_store_query(s, "SELECT id, node, dir FROM execution WHERE "
                         "state='RUNNING' AND dir IS NOT NULL", NULL, 0, &rows,
                         NULL) != MLP_OK)
        return;
    cJSON_ArrayForEach(r, rows) {
        char loc[PATH_MAX], file[PATH_MAX];
        mlp_error e;
        snprintf(loc, sizeof loc, "artifacts/%s/%s",
                 cJSON_GetStringValue(cJSON_GetObjectItem(r, "node")),
                 cJSON_GetStringValue(cJSON_GetObjectItem(r, "dir")));
        snprintf(file, sizeof file, "%s/%s/%s", mlpi_store_root(s), loc,
                 MLPI_EXECFILE_NAME);
        if (!mlpi_exists(file))
            continue;
        if (mlpi_repair_finish(s, (int64_t)cJSON_GetNumberValue(
                                   cJSON_GetObjectItem(r, "id")), loc, &e) == MLP_OK)
            mlp_log(MLP_LOG_INFO, "recovery: %s was finished by an earlier run; "
                    "kept", loc);
        else
            mlp_log(MLP_LOG_WARN, "recovery: %s cannot be kept: %s", loc, e.msg);
    }
    cJSON_Delete(rows);
}

int mlpi_recover(mlpi_store *s, size_t *n_orphans, mlp_error *err)
{
    cJSON *left = NULL, *o;
    char path[PATH_MAX];
    const char *root = mlpi_store_root(s);
    int rc;

    *n_orphans = 0;
    roll_forward(s);
    rc = mlpi_store_recover(s, &left, err);
    if (rc != MLP_OK)
        return rc;
    cJSON_ArrayForEach(o, left) {
        mlp_error e;
        if (mlpi_root_path(root, o->valuestring, path, sizeof path, &e) != MLP_OK)
            mlp_log(MLP_LOG_WARN, "recovery: %s", e.msg);
        else if (mlpi_root_remove(root, path, &e) != MLP_OK)
            mlp_log(MLP_LOG_WARN, "recovery: %s", e.msg);
    }
    cJSON_Delete(left);
    sweep_deleted(s);
    snprintf(path, sizeof path, "%s/.tmp", root);
    rc = mlpi_root_remove(root, path, err);
    if (rc == MLP_OK)
        rc = sweep_missing(s, err);
    if (rc == MLP_OK) {
        cJSON *orphans = NULL;
        rc = mlpi_orphans(s, &orphans, err);
        *n_orphans = (size_t)cJSON_GetArraySize(orphans);
        cJSON_Delete(orphans);
    }
    return rc;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Entries of dir, or none when it cannot be read. */
static char **entries(const char *dir, size_t *n)
{
    char **v = NULL;

    if (mlpi_dir_entries(dir, &v, n, NULL) != MLP_OK)
        *n = 0;
    return v;
}

int mlpi_orphans(mlpi_store *s, cJSON **locs, mlp_error *err)
{
    const char *root = mlpi_store_root(s);
    char arts[PATH_MAX], **nodes, **known = NULL;
    size_t n_nodes, n_known = 0;
    cJSON *rows = NULL, *r;
    int rc;

    *locs = cJSON_CreateArray();
    snprintf(arts, sizeof arts, "%s/artifacts", root);
    /* List the directories first: every directory a writer makes under
     * artifacts/ was recorded (PENDING) before it was made, so a record
     * read afterwards accounts for anything listed here. */
    nodes = entries(arts, &n_nodes);
    rc = mlpi_store_query(s, "SELECT uri FROM artifact WHERE state IN "
                          "('LIVE','PENDING')", NULL, 0, &rows, err);
    if (rc == MLP_OK && (known = calloc((size_t)cJSON_GetArraySize(rows) + 1,
                                        sizeof *known)) == NULL)
        rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
    cJSON_ArrayForEach(r, rows)
        if (rc == MLP_OK)
            known[n_known++] = cJSON_GetStringValue(cJSON_GetObjectItem(r, "uri"));
    if (n_known > 1)
        qsort(known, n_known, sizeof *known, cmp_str);
    for (size_t i = 0; rc == MLP_OK && i < n_nodes; i++) {
        char ndir[PATH_MAX], **execs;
        size_t n_execs;
        snprintf(ndir, sizeof ndir, "%s/%s", arts, nodes[i]);
        if (!mlpi_is_dir(ndir)) {
            char loc[PATH_MAX];
            snprintf(loc, sizeof loc, "artifacts/%s", nodes[i]);
            cJSON_AddItemToArray(*locs, cJSON_CreateString(loc));
            continue;
        }
        execs = entries(ndir, &n_execs);
        for (size_t j = 0; j < n_execs; j++) {
            char edir[PATH_MAX], loc[PATH_MAX], **outs;
            size_t n_outs, live = 0, stray = 0;
            snprintf(edir, sizeof edir, "%s/%s", ndir, execs[j]);
            snprintf(loc, sizeof loc, "artifacts/%s/%s", nodes[i], execs[j]);
            if (!mlpi_is_dir(edir)) {
                cJSON_AddItemToArray(*locs, cJSON_CreateString(loc));
                continue;
            }
            outs = entries(edir, &n_outs);
            for (size_t k = 0; k < n_outs; k++) {
                char oloc[PATH_MAX];
                const char *key = oloc;
                if (strcmp(outs[k], MLPI_EXECFILE_NAME) == 0)
                    continue;
                snprintf(oloc, sizeof oloc, "%s/%s", loc, outs[k]);
                if (bsearch(&key, known, n_known, sizeof *known, cmp_str)) {
                    live++;
                } else {
                    cJSON_AddItemToArray(*locs, cJSON_CreateString(oloc));
                    stray++;
                }
            }
            /* An execution directory with nothing left to serve. */
            if (live == 0 && stray == 0)
                cJSON_AddItemToArray(*locs, cJSON_CreateString(loc));
            mlpi_dir_entries_free(outs, n_outs);
        }
        mlpi_dir_entries_free(execs, n_execs);
    }
    free(known);
    cJSON_Delete(rows);
    mlpi_dir_entries_free(nodes, n_nodes);
    return rc;
}
