/* Unit tests of the metadata store: creation, schema versioning, read-only
 * opening, publication with manifests, cache candidates, recovery after a
 * crash, and the data-file hash cache. */
#define _GNU_SOURCE
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "artifact_priv.h"
#include "metadata.h"

static char dir[256];

/* A fresh root directory per test. */
static void root_dir(char *buf, size_t n, const char *name)
{
    snprintf(buf, n, "%s/%s", dir, name);
    mkdir(buf, 0755);
}

static int count(const char *root, const char *sql)
{
    char path[600];
    sqlite3 *db;
    sqlite3_stmt *st;
    int n = -1;

    snprintf(path, sizeof path, "%s/metadata.sqlite", root);
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        return -1;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

static void creates_schema(void)
{
    char r[512], p[600];
    mlpi_store *s;
    mlp_error err;
    char id[40];

    root_dir(r, sizeof r, "a");
    snprintf(p, sizeof p, "%s/metadata.sqlite", r);
    /* A reader never creates a store. */
    CHECK(mlpi_store_open(r, 0, &s, &err) == MLP_ENOTFOUND);
    CHECK_CONTAINS(err.msg, "no metadata store at");
    CHECK(access(p, F_OK) != 0);
    CHECK_MSG(mlpi_store_open(r, 1, &s, &err) == MLP_OK, "%s", err.msg);
    snprintf(id, sizeof id, "%s", mlpi_store_root_id(s));
    CHECK(strlen(id) == 32);
    mlpi_store_close(s);
    CHECK(count(r, "SELECT version FROM mlpipe_schema") == MLPI_SCHEMA_VERSION);
    /* Opening again keeps it, identity included; nothing is left beside. */
    CHECK(mlpi_store_open(r, 1, &s, &err) == MLP_OK);
    CHECK(strcmp(id, mlpi_store_root_id(s)) == 0);
    mlpi_store_close(s);
    CHECK(count(r, "SELECT count(*) FROM mlpipe_schema") == 1);
    CHECK(mlpi_store_open(r, 0, &s, &err) == MLP_OK);
    CHECK(!mlpi_store_writable(s));
    mlpi_store_close(s);
}

static void refuses_newer_schema(void)
{
    char r[512], cmd[1024];
    mlpi_store *s;
    mlp_error err;

    root_dir(r, sizeof r, "b");
    CHECK(mlpi_store_open(r, 1, &s, &err) == MLP_OK);
    mlpi_store_close(s);
    snprintf(cmd, sizeof cmd, "'%s/tests/tools/store_sql' '%s/metadata.sqlite' "
             "'UPDATE mlpipe_schema SET version=%d'", getenv("MLPIPE_BUILD"), r,
             MLPI_SCHEMA_VERSION + 1);
    CHECK(system(cmd) == 0);
    CHECK(mlpi_store_open(r, 1, &s, &err) == MLP_EVERSION);
    CHECK_CONTAINS(err.msg, "has schema version 3; this mlpipe knows versions up to 2");
    CHECK_CONTAINS(err.msg, r);
    CHECK(mlpi_store_open(r, 0, &s, &err) == MLP_EVERSION);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (f != NULL) {
        fputs(text, f);
        fclose(f);
    }
}

static void publish_and_cache(void)
{
    char r[512], loc[256], path[800];
    mlpi_store *s;
    mlp_error err;
    int64_t ctx = 0, e = 0, a = 0;
    cJSON *cands = NULL, *props = cJSON_Parse("{\"rows\": 3}");
    mlpi_manifest m = { 0 }, got = { 0 };
    char execdir[40], fp[MLPI_HASH_HEX];

    root_dir(r, sizeof r, "c");
    CHECK(mlpi_store_open(r, 1, &s, &err) == MLP_OK);
    CHECK(mlpi_store_context(s, "pipeline", "x", NULL, &ctx, &err) == MLP_OK);
    CHECK(mlpi_store_begin(s, &err) == MLP_OK);
    CHECK(mlpi_store_execution_start(s, "n", "comp", "fp1", "{}", "{}", 1, &ctx,
                                     1, &e, execdir, &err) == MLP_OK);
    /* The directory name starts with the id and cannot repeat. */
    CHECK(strtoll(execdir, NULL, 10) == e && strchr(execdir, '-') != NULL &&
          strlen(strchr(execdir, '-')) == 9);
    snprintf(loc, sizeof loc, "artifacts/n/%s/examples", execdir);
    CHECK(mlpi_store_artifact_new(s, "Examples", loc, "PENDING", &ctx, 1, &a,
                                  &err) == MLP_OK);
    CHECK(mlpi_store_commit(s, &err) == MLP_OK);
    /* Not yet complete: no candidate. */
    CHECK(mlpi_store_cache_candidates(s, "fp1", &cands, &err) == MLP_OK);
    CHECK(cJSON_GetArraySize(cands) == 0);
    cJSON_Delete(cands);
    snprintf(path, sizeof path, "mkdir -p '%s/%s'", r, loc);
    CHECK(system(path) == 0);
    snprintf(path, sizeof path, "%s/%s/t.txt", r, loc);
    write_file(path, "hello\n");
    snprintf(path, sizeof path, "%s/%s", r, loc);
    CHECK(mlpi_manifest_build(path, &m, fp, &err) == MLP_OK);
    CHECK(mlpi_store_begin(s, &err) == MLP_OK);
    CHECK(mlpi_store_artifact_publish(s, a, fp, props, &m, &err) == MLP_OK);
    CHECK(mlpi_store_event(s, e, a, "OUTPUT", "examples", 0, &err) == MLP_OK);
    CHECK(mlpi_store_execution_finish(s, e, "COMPLETE", NULL, &err) == MLP_OK);
    CHECK(mlpi_store_commit(s, &err) == MLP_OK);
    CHECK(mlpi_store_cache_candidates(s, "fp1", &cands, &err) == MLP_OK);
    CHECK(cJSON_GetArraySize(cands) == 1);
    CHECK(cJSON_GetNumberValue(cJSON_GetObjectItem(cJSON_GetArrayItem(cands, 0),
                                                   "execution")) == (double)e);
    cJSON_Delete(cands);
    /* The manifest comes back as recorded. */
    CHECK(mlpi_store_manifest_get(s, a, &got, &err) == MLP_OK);
    CHECK(got.n == 1 && strcmp(got.files[0].name, "t.txt") == 0 &&
          got.files[0].size == 6 && strcmp(got.files[0].hash, m.files[0].hash) == 0);
    /* The record resolves against the root. */
    mlp_artifact *art = NULL;
    CHECK(mlpi_store_artifact_get(s, a, &art, &err) == MLP_OK);
    CHECK(strcmp(mlp_artifact_uri(art), path) == 0);
    mlpi_artifact_free(art);
    /* Retired: no longer a candidate. */
    CHECK(mlpi_store_artifact_set_state(s, a, "DELETED", "test", &err) == MLP_OK);
    CHECK(mlpi_store_cache_candidates(s, "fp1", &cands, &err) == MLP_OK);
    CHECK(cJSON_GetArraySize(cands) == 0);
    cJSON_Delete(cands);
    /* Bad state values are refused by the schema itself. */
    CHECK(mlpi_store_execution_finish(s, e, "EXPLODED", NULL, &err) != MLP_OK);
    mlpi_store_close(s);
    mlpi_manifest_free(&m);
    mlpi_manifest_free(&got);
    cJSON_Delete(props);
}

static void recovers_interrupted(void)
{
    char r[512], loc[256], execdir[40];
    mlpi_store *s;
    mlp_error err;
    int64_t ctx = 0, e = 0, a = 0;
    cJSON *left = NULL, *props = cJSON_Parse("{\"status\": \"running\"}");

    root_dir(r, sizeof r, "d");
    CHECK(mlpi_store_open(r, 1, &s, &err) == MLP_OK);
    CHECK(mlpi_store_context(s, "run", "r1", props, &ctx, &err) == MLP_OK);
    CHECK(mlpi_store_execution_start(s, "n", "c", "fp", "{}", "{}", 1, &ctx, 1,
                                     &e, execdir, &err) == MLP_OK);
    snprintf(loc, sizeof loc, "artifacts/n/%s/model", execdir);
    CHECK(mlpi_store_artifact_new(s, "Model", loc, "PENDING", &ctx, 1, &a,
                                  &err) == MLP_OK);
    mlpi_store_close(s);  /* the "crash" */
    CHECK(mlpi_store_open(r, 1, &s, &err) == MLP_OK);
    CHECK(mlpi_store_recover(s, &left, &err) == MLP_OK);
    CHECK(cJSON_GetArraySize(left) == 2);
    CHECK(strncmp(cJSON_GetArrayItem(left, 0)->valuestring, "artifacts/n/", 12) == 0);
    CHECK(strcmp(cJSON_GetArrayItem(left, 1)->valuestring, loc) == 0);
    cJSON_Delete(left);
    mlpi_store_close(s);
    CHECK(count(r, "SELECT count(*) FROM execution WHERE state='FAILED' AND "
                   "error LIKE 'interrupted%'") == 1);
    CHECK(count(r, "SELECT count(*) FROM artifact WHERE state='DELETED' AND "
                   "reason LIKE '%interrupted%'") == 1);
    CHECK(count(r, "SELECT count(*) FROM artifact WHERE state='PENDING'") == 0);
    CHECK(count(r, "SELECT count(*) FROM context WHERE json_extract(properties,"
                   " '$.status')='killed'") == 1);
    cJSON_Delete(props);
}

/* Data-file hashes are remembered by file identity and time stamps, but
 * never for a file changed in the last moments; a rewrite in place with
 * its size and modification time restored is still noticed. */
static void file_hash_cache(void)
{
    char r[512], f[600], h1[33], h2[33], h3[33], h4[33];
    mlpi_store *s;
    mlp_error err;
    struct timespec old[2] = { { 1000000000, 0 }, { 1000000000, 0 } };

    root_dir(r, sizeof r, "h");
    snprintf(f, sizeof f, "%s/data.csv", r);
    write_file(f, "a,b\n1,2\n");
    CHECK(mlpi_store_open(r, 1, &s, &err) == MLP_OK);
    /* Fresh: hashed, not remembered. */
    CHECK(mlpi_store_file_hash(s, f, h1, &err) == MLP_OK);
    CHECK(count(r, "SELECT count(*) FROM file_hash") == 0);
    /* Old enough (the change time too): remembered. */
    CHECK(utimensat(AT_FDCWD, f, old, 0) == 0);
    usleep(2100000);
    CHECK(mlpi_store_file_hash(s, f, h2, &err) == MLP_OK);
    CHECK(strcmp(h1, h2) == 0);
    CHECK(count(r, "SELECT count(*) FROM file_hash") == 1);
    /* Rewritten in place, same size, modification time set back (what
     * cp -p or rsync -t --inplace do): the change time tells. */
    write_file(f, "a,b\n1,3\n");
    CHECK(utimensat(AT_FDCWD, f, old, 0) == 0);
    CHECK(mlpi_store_file_hash(s, f, h3, &err) == MLP_OK);
    CHECK(strcmp(h1, h3) != 0);
    /* And a plain rewrite with a new time stamp. */
    write_file(f, "a,b\n1,4\n");
    CHECK(mlpi_store_file_hash(s, f, h4, &err) == MLP_OK);
    CHECK(strcmp(h3, h4) != 0);
    mlpi_store_close(s);
}

int main(void)
{
    char cmd[300];

    snprintf(dir, sizeof dir, "/tmp/mlpipe-test-meta-XXXXXX");
    if (mkdtemp(dir) == NULL)
        return 1;
    RUN(creates_schema);
    RUN(refuses_newer_schema);
    RUN(publish_and_cache);
    RUN(recovers_interrupted);
    RUN(file_hash_cache);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        return 1;
    CHECK_EXIT();
}
