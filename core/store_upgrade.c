/* Upgrading a metadata store written by an older mlpipe.
 *
 * Schema 1 stored each location as the script wrote it, relative to the
 * directory the run started in, and kept no manifests.  Every location
 * ended in "artifacts/NODE/EXECUTION/PORT", which is what schema 2 keeps;
 * each LIVE artifact gets the manifest of the files it holds now if they
 * still hash to its recorded fingerprint, and is retired otherwise. */
#define _GNU_SOURCE
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cksumvfs.h"
#include "execfile.h"
#include "rootdir.h"
#include "store_priv.h"

/* The last four components of uri when the first of them is
 * "artifacts", else NULL. */
static const char *tail_location(const char *uri)
{
    const char *p = uri + strlen(uri);
    int slashes = 0;

    while (p > uri) {
        p--;
        if (*p == '/' && ++slashes == 4) {
            p++;
            break;
        }
    }
    return strncmp(p, "artifacts/", 10) == 0 ? p : NULL;
}

static int relocate(mlpi_store *s, cJSON **retired, mlp_error *err)
{
    cJSON *rows = NULL, *r;
    int rc = mlpi_store_query(s, "SELECT id, uri, state, fingerprint FROM "
                              "artifact", NULL, 0, &rows, err);

    cJSON_ArrayForEach(r, rows) {
        int64_t id = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(r, "id"));
        const char *uri = cJSON_GetStringValue(cJSON_GetObjectItem(r, "uri"));
        const char *state = cJSON_GetStringValue(cJSON_GetObjectItem(r, "state"));
        const char *fp = cJSON_GetStringValue(cJSON_GetObjectItem(r, "fingerprint"));
        const char *loc = uri ? tail_location(uri) : NULL;
        const char *why = NULL;
        char path[PATH_MAX], got[MLPI_HASH_HEX];
        mlpi_manifest m = { 0 };
        sqlite3_stmt *st;

        if (rc != MLP_OK)
            break;
        if (loc == NULL) {
            why = "its location is not inside the pipeline root";
        } else if (strcmp(state, "LIVE") == 0) {
            if (mlpi_root_path(s->root, loc, path, sizeof path, NULL) != MLP_OK ||
                !mlpi_is_dir(path))
                why = "its directory is gone";
            else if (mlpi_manifest_build(path, &m, got, NULL) != MLP_OK ||
                     fp == NULL || strcmp(got, fp) != 0)
                why = "damaged: its files changed after it was published";
            else
                rc = mlpi_store_artifact_publish(s, id, fp, NULL, &m, err);
            if (why != NULL && loc != NULL)
                cJSON_AddItemToArray(*retired, cJSON_CreateString(path));
        }
        mlpi_manifest_free(&m);
        if (rc == MLP_OK)
            rc = mlpi_store_prep(s, &st, err, "UPDATE artifact SET uri=?, "
                                 "state=CASE WHEN ? IS NULL THEN state ELSE "
                                 "'DELETED' END, reason=? WHERE id=?", "ttti",
                                 loc ? loc : uri, why, why, id);
        if (rc == MLP_OK)
            rc = mlpi_store_step_done(s, st, err);
    }
    cJSON_Delete(rows);
    return rc;
}

/* relocate() publishes with empty properties; the old ones are put back
 * from a copy. */
static int from_1(mlpi_store *s, mlp_error *err)
{
    char id[MLPI_HASH_HEX], sql[256];
    cJSON *retired = cJSON_CreateArray(), *execs = NULL, *e;
    int rc = mlpi_store_exec(s, "PRAGMA journal_mode=DELETE", err);

    if (rc == MLP_OK)
        rc = mlpi_store_exec(s, "BEGIN IMMEDIATE;"
            "CREATE TEMP TABLE old_props AS SELECT id, properties FROM artifact;"
            MLPI_SQL_STORE_INFO
            "ALTER TABLE artifact ADD COLUMN reason TEXT;"
            "ALTER TABLE execution ADD COLUMN dir TEXT;"
            "CREATE INDEX artifact_by_state ON artifact(state);"
            MLPI_SQL_ARTIFACT_FILE
            "DROP TABLE IF EXISTS file_hash;"
            MLPI_SQL_FILE_HASH
            "UPDATE execution SET dir=CAST(id AS TEXT);", err);
    if (rc == MLP_OK)
        rc = relocate(s, &retired, err);
    mlpi_store_random_id(id);
    snprintf(sql, sizeof sql,
             "UPDATE artifact SET properties=(SELECT properties FROM old_props "
             "o WHERE o.id=artifact.id); DROP TABLE old_props;"
             "INSERT INTO store_info VALUES('root_id', '%s');"
             "UPDATE mlpipe_schema SET version=2", id);
    if (rc == MLP_OK)
        rc = mlpi_store_exec(s, sql, err);
    snprintf(s->root_id, sizeof s->root_id, "%s", id);
    /* Execution files for what stays LIVE, so a repair can find it. */
    if (rc == MLP_OK)
        rc = mlpi_store_query(s, "SELECT DISTINCT v.execution_id AS id FROM "
                              "event v JOIN artifact a ON a.id=v.artifact_id "
                              "JOIN execution e ON e.id=v.execution_id WHERE "
                              "v.type='OUTPUT' AND e.state='COMPLETE' AND "
                              "a.state='LIVE'", NULL, 0, &execs, err);
    cJSON_ArrayForEach(e, execs)
        if (rc == MLP_OK)
            rc = mlpi_execfile_write(s, (int64_t)cJSON_GetNumberValue(
                                            cJSON_GetObjectItem(e, "id")), err);
    cJSON_Delete(execs);
    if (rc == MLP_OK)
        rc = mlpi_store_commit(s, err);
    /* Room for page checksums: every page is rewritten with them. */
    if (rc == MLP_OK) {
        int reserve = MLPI_CKSUM_RESERVE;
        sqlite3_file_control(s->db, "main", SQLITE_FCNTL_RESERVE_BYTES, &reserve);
        rc = mlpi_store_exec(s, "VACUUM", err);
    }
    if (rc != MLP_OK) {
        mlpi_store_rollback(s);
        mlp_error_prefix(err, "upgrading the metadata store from schema 1");
    } else {
        cJSON_ArrayForEach(e, retired) {
            mlpi_root_remove(s->root, e->valuestring, NULL);
            mlpi_root_prune(s->root, e->valuestring);
        }
    }
    cJSON_Delete(retired);
    return rc;
}

int mlpi_store_upgrade(mlpi_store *s, int version, mlp_error *err)
{
    if (version == 1)
        return from_1(s, err);
    return mlp_error_set(err, MLP_EVERSION, "metadata store %s: no upgrade "
                         "from schema version %d", s->path, version);
}
