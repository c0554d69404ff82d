/* Unit tests of the metadata store: creation, schema versioning,
 * publication and recovery after a crash. */
#define _GNU_SOURCE
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "metadata.h"

static char dir[256];

static void db_path(char *buf, size_t n, const char *name)
{
    snprintf(buf, n, "%s/%s", dir, name);
}

static int count(const char *path, const char *sql)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    int n = -1;

    if (sqlite3_open(path, &db) != SQLITE_OK)
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
    char p[512];
    mlpi_store *s;
    mlp_error err;

    db_path(p, sizeof p, "a.sqlite");
    CHECK_MSG(mlpi_store_open(p, &s, &err) == MLP_OK, "%s", err.msg);
    mlpi_store_close(s);
    CHECK(count(p, "SELECT version FROM mlpipe_schema") == MLPI_SCHEMA_VERSION);
    /* Opening again keeps it. */
    CHECK(mlpi_store_open(p, &s, &err) == MLP_OK);
    mlpi_store_close(s);
    CHECK(count(p, "SELECT count(*) FROM mlpipe_schema") == 1);
}

static void refuses_newer_schema(void)
{
    char p[512], cmd[1024];
    mlpi_store *s;
    mlp_error err;

    db_path(p, sizeof p, "b.sqlite");
    CHECK(mlpi_store_open(p, &s, &err) == MLP_OK);
    mlpi_store_close(s);
    snprintf(cmd, sizeof cmd, "sqlite3 '%s' 'UPDATE mlpipe_schema SET version=%d'",
             p, MLPI_SCHEMA_VERSION + 1);
    CHECK(system(cmd) == 0);
    CHECK(mlpi_store_open(p, &s, &err) == MLP_EVERSION);
    CHECK_CONTAINS(err.msg, "has schema version 2; this mlpipe knows versions up to 1");
    CHECK_CONTAINS(err.msg, p);
}

static void publish_and_cache(void)
{
    char p[512], uri[512];
    mlpi_store *s;
    mlp_error err;
    int64_t ctx = 0, e = 0, a = 0, hit = 0;
    cJSON *outs = NULL, *props = cJSON_Parse("{\"rows\": 3}");

    db_path(p, sizeof p, "c.sqlite");
    snprintf(uri, sizeof uri, "%s/art", dir);
    CHECK(mlpi_store_open(p, &s, &err) == MLP_OK);
    CHECK(mlpi_store_context(s, "pipeline", "x", NULL, &ctx, &err) == MLP_OK);
    CHECK(mlpi_store_begin(s, &err) == MLP_OK);
    CHECK(mlpi_store_execution_start(s, "n", "comp", "fp1", "{}", "{}", 1, &ctx,
                                     1, &e, &err) == MLP_OK);
    CHECK(mlpi_store_artifact_new(s, "Examples", uri, "PENDING", &ctx, 1, &a,
                                  &err) == MLP_OK);
    CHECK(mlpi_store_commit(s, &err) == MLP_OK);
    /* Not yet complete: no cache hit. */
    CHECK(mlpi_store_cache_lookup(s, "fp1", &hit, &outs, &err) == MLP_OK);
    CHECK(hit == 0);
    CHECK(mkdir(uri, 0755) == 0);
    CHECK(mlpi_store_begin(s, &err) == MLP_OK);
    CHECK(mlpi_store_artifact_publish(s, a, "h", props, &err) == MLP_OK);
    CHECK(mlpi_store_event(s, e, a, "OUTPUT", "examples", 0, &err) == MLP_OK);
    CHECK(mlpi_store_execution_finish(s, e, "COMPLETE", NULL, &err) == MLP_OK);
    CHECK(mlpi_store_commit(s, &err) == MLP_OK);
    CHECK(mlpi_store_cache_lookup(s, "fp1", &hit, &outs, &err) == MLP_OK);
    CHECK(hit == e && cJSON_GetArraySize(outs) == 1);
    cJSON_Delete(outs);
    /* The directory vanished: no longer a hit. */
    CHECK(rmdir(uri) == 0);
    CHECK(mlpi_store_cache_lookup(s, "fp1", &hit, &outs, &err) == MLP_OK);
    CHECK(hit == 0 && outs == NULL);
    /* Bad state values are refused by the schema itself. */
    CHECK(mlpi_store_execution_finish(s, e, "EXPLODED", NULL, &err) != MLP_OK);
    mlpi_store_close(s);
    cJSON_Delete(props);
}

static void recovers_interrupted(void)
{
    char p[512];
    mlpi_store *s;
    mlp_error err;
    int64_t ctx = 0, e = 0, a = 0;
    cJSON *orphans = NULL;

    db_path(p, sizeof p, "d.sqlite");
    CHECK(mlpi_store_open(p, &s, &err) == MLP_OK);
    CHECK(mlpi_store_context(s, "run", "r1", NULL, &ctx, &err) == MLP_OK);
    CHECK(mlpi_store_execution_start(s, "n", "c", "fp", "{}", "{}", 1, &ctx, 1,
                                     &e, &err) == MLP_OK);
    CHECK(mlpi_store_artifact_new(s, "Model", "/nonexistent/x", "PENDING", &ctx,
                                  1, &a, &err) == MLP_OK);
    mlpi_store_close(s);  /* the "crash" */
    CHECK(mlpi_store_open(p, &s, &err) == MLP_OK);
    CHECK(mlpi_store_recover(s, &orphans, &err) == MLP_OK);
    CHECK(cJSON_GetArraySize(orphans) == 1);
    CHECK(strcmp(cJSON_GetArrayItem(orphans, 0)->valuestring, "/nonexistent/x") == 0);
    cJSON_Delete(orphans);
    mlpi_store_close(s);
    CHECK(count(p, "SELECT count(*) FROM execution WHERE state='FAILED' AND "
                   "error LIKE 'interrupted%'") == 1);
    CHECK(count(p, "SELECT count(*) FROM artifact WHERE state='DELETED'") == 1);
    CHECK(count(p, "SELECT count(*) FROM artifact WHERE state='PENDING'") == 0);
}

/* Data-file hashes are remembered by file identity and time stamp, but
 * never for a file changed in the last moments. */
static void file_hash_cache(void)
{
    char db[512], f[512], h1[33], h2[33], h3[33];
    mlpi_store *s;
    mlp_error err;
    struct timespec old[2] = { { 1000000000, 0 }, { 1000000000, 0 } };
    FILE *fp;

    db_path(db, sizeof db, "h.sqlite");
    db_path(f, sizeof f, "data.csv");
    fp = fopen(f, "w");
    CHECK(fp != NULL);
    fputs("a,b\n1,2\n", fp);
    fclose(fp);
    CHECK(mlpi_store_open(db, &s, &err) == MLP_OK);
    /* Fresh: hashed, not remembered. */
    CHECK(mlpi_store_file_hash(s, f, h1, &err) == MLP_OK);
    mlpi_store_close(s);
    CHECK(count(db, "SELECT count(*) FROM file_hash") == 0);
    /* Old enough: remembered. */
    CHECK(utimensat(AT_FDCWD, f, old, 0) == 0);
    CHECK(mlpi_store_open(db, &s, &err) == MLP_OK);
    CHECK(mlpi_store_file_hash(s, f, h2, &err) == MLP_OK);
    CHECK(strcmp(h1, h2) == 0);
    CHECK(count(db, "SELECT count(*) FROM file_hash") == 1);
    /* Changed (new time stamp): hashed again, to a new value. */
    fp = fopen(f, "w");
    fputs("a,b\n1,3\n", fp);
    fclose(fp);
    CHECK(mlpi_store_file_hash(s, f, h3, &err) == MLP_OK);
    CHECK(strcmp(h1, h3) != 0);
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
