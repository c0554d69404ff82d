/* The metadata store on SQLite: schema, versioning, and the writes the
 * runner makes around each execution.  Every write that publishes an
 * execution happens inside one transaction the caller opens. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <mlpipe/json.h>
#include <mlpipe/memory.h>

#include "artifact_priv.h"
#include "fsutil.h"
#include "metadata.h"

struct mlpi_store {
    sqlite3 *db;
    char *path;
};

static const char *const schema_sql =
    "CREATE TABLE mlpipe_schema(version INTEGER NOT NULL);"
    "CREATE TABLE artifact_type(id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL UNIQUE);"
    "CREATE TABLE artifact(id INTEGER PRIMARY KEY,"
    "  type_id INTEGER NOT NULL REFERENCES artifact_type(id),"
    "  uri TEXT NOT NULL,"
    "  state TEXT NOT NULL CHECK(state IN ('PENDING','LIVE','DELETED')),"
    "  fingerprint TEXT, properties TEXT NOT NULL DEFAULT '{}',"
    "  create_time REAL NOT NULL, update_time REAL NOT NULL);"
    "CREATE TABLE execution(id INTEGER PRIMARY KEY,"
    "  node TEXT NOT NULL, component TEXT NOT NULL,"
    "  state TEXT NOT NULL CHECK(state IN"
    "    ('RUNNING','COMPLETE','FAILED','CACHED','CANCELED')),"
    "  fingerprint TEXT NOT NULL, fingerprint_parts TEXT NOT NULL,"
    "  params TEXT NOT NULL, attempt INTEGER NOT NULL DEFAULT 1,"
    "  cached_from INTEGER REFERENCES execution(id), error TEXT,"
    "  start_time REAL NOT NULL, end_time REAL);"
    "CREATE INDEX execution_by_fingerprint ON execution(fingerprint, state);"
    "CREATE TABLE event(id INTEGER PRIMARY KEY,"
    "  execution_id INTEGER NOT NULL REFERENCES execution(id),"
    "  artifact_id INTEGER NOT NULL REFERENCES artifact(id),"
    "  type TEXT NOT NULL CHECK(type IN ('INPUT','OUTPUT')),"
    "  port TEXT NOT NULL, idx INTEGER NOT NULL, time REAL NOT NULL);"
    "CREATE INDEX event_by_artifact ON event(artifact_id);"
    "CREATE INDEX event_by_execution ON event(execution_id);"
    "CREATE TABLE context(id INTEGER PRIMARY KEY, type TEXT NOT NULL,"
    "  name TEXT NOT NULL, properties TEXT NOT NULL DEFAULT '{}',"
    "  create_time REAL NOT NULL, UNIQUE(type, name));"
    "CREATE TABLE attribution(context_id INTEGER NOT NULL REFERENCES context(id),"
    "  artifact_id INTEGER NOT NULL REFERENCES artifact(id),"
    "  PRIMARY KEY(context_id, artifact_id));"
    "CREATE TABLE association(context_id INTEGER NOT NULL REFERENCES context(id),"
    "  execution_id INTEGER NOT NULL REFERENCES execution(id),"
    "  PRIMARY KEY(context_id, execution_id));";

static int db_fail(mlpi_store *s, mlp_error *err, const char *what)
{
    return mlp_error_set(err, MLP_EIO, "metadata store %s: %s: %s", s->path,
                         what, sqlite3_errmsg(s->db));
}

static int exec_sql(mlpi_store *s, const char *sql, mlp_error *err)
{
    char *msg = NULL;

    if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        mlp_error_set(err, MLP_EIO, "metadata store %s: %s", s->path,
                      msg ? msg : sqlite3_errmsg(s->db));
        sqlite3_free(msg);
        return MLP_EIO;
    }
    return MLP_OK;
}

/* Prepares sql and binds args: 'i' int64, 't' text (NULL binds NULL),
 * 'd' double. */
static int prep(mlpi_store *s, sqlite3_stmt **st, mlp_error *err,
                const char *sql, const char *types, ...)
{
    va_list ap;

    if (sqlite3_prepare_v2(s->db, sql, -1, st, NULL) != SQLITE_OK)
        return db_fail(s, err, "prepare");
    va_start(ap, types);
    for (int i = 0; types[i]; i++) {
        int rc;
        if (types[i] == 'i') {
            rc = sqlite3_bind_int64(*st, i + 1, va_arg(ap, int64_t));
        } else if (types[i] == 'd') {
            rc = sqlite3_bind_double(*st, i + 1, va_arg(ap, double));
        } else {
            const char *t = va_arg(ap, const char *);
            rc = t ? sqlite3_bind_text(*st, i + 1, t, -1, SQLITE_TRANSIENT)
                   : sqlite3_bind_null(*st, i + 1);
        }
        if (rc != SQLITE_OK) {
            va_end(ap);
            sqlite3_finalize(*st);
            *st = NULL;
            return db_fail(s, err, "bind");
        }
    }
    va_end(ap);
    return MLP_OK;
}

/* Steps a statement that returns no rows, then finalizes it. */
static int step_done(mlpi_store *s, sqlite3_stmt *st, mlp_error *err)
{
    int rc = sqlite3_step(st);

    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return db_fail(s, err, "write");
    return MLP_OK;
}

int mlpi_store_open(const char *path, mlpi_store **out, mlp_error *err)
{
    mlpi_store *s = calloc(1, sizeof *s);
    sqlite3_stmt *st = NULL;
    int rc, version = 0, has_schema = 0;

    *out = NULL;
    if (s == NULL || (s->path = strdup(path)) == NULL) {
        free(s);
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    }
    if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                        NULL) != SQLITE_OK) {
        rc = db_fail(s, err, "cannot open");
        goto fail;
    }
    sqlite3_busy_timeout(s->db, 10000);
    rc = exec_sql(s, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                     "PRAGMA foreign_keys=ON;", err);
    if (rc != MLP_OK)
        goto fail;
    rc = prep(s, &st, err, "SELECT count(*) FROM sqlite_master WHERE "
              "type='table' AND name='mlpipe_schema'", "");
    if (rc != MLP_OK)
        goto fail;
    if (sqlite3_step(st) == SQLITE_ROW)
        has_schema = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    if (has_schema) {
        rc = prep(s, &st, err, "SELECT version FROM mlpipe_schema", "");
        if (rc != MLP_OK)
            goto fail;
        if (sqlite3_step(st) == SQLITE_ROW)
            version = sqlite3_column_int(st, 0);
        sqlite3_finalize(st);
        if (version > MLPI_SCHEMA_VERSION) {
            rc = mlp_error_set(err, MLP_EVERSION,
                               "metadata store %s has schema version %d; this "
                               "mlpipe knows versions up to %d: upgrade mlpipe "
                               "to read it", path, version, MLPI_SCHEMA_VERSION);
            goto fail;
        }
        if (version < 1) {
            rc = mlp_error_set(err, MLP_ECORRUPT,
                               "metadata store %s: schema version missing", path);
            goto fail;
        }
    } else {
        char sql[64];
        rc = exec_sql(s, "BEGIN IMMEDIATE", err);
        if (rc == MLP_OK)
            rc = exec_sql(s, schema_sql, err);
        snprintf(sql, sizeof sql, "INSERT INTO mlpipe_schema VALUES(%d)",
                 MLPI_SCHEMA_VERSION);
        if (rc == MLP_OK)
            rc = exec_sql(s, sql, err);
        if (rc == MLP_OK)
            rc = exec_sql(s, "COMMIT", err);
        else
            exec_sql(s, "ROLLBACK", NULL);
        if (rc != MLP_OK)
            goto fail;
    }
    /* Added after schema version 1 shipped, and only a cache: created when
     * missing, ignored by older builds. */
    rc = exec_sql(s, "CREATE TABLE IF NOT EXISTS file_hash(path TEXT PRIMARY "
                     "KEY, dev INTEGER, ino INTEGER, size INTEGER, mtime_ns "
                     "INTEGER, hash TEXT NOT NULL)", err);
    if (rc != MLP_OK)
        goto fail;
    *out = s;
    return MLP_OK;
fail:
    mlpi_store_close(s);
    return rc;
}

int mlpi_store_file_hash(mlpi_store *s, const char *path,
                         char out[MLPI_HASH_HEX], mlp_error *err)
{
    struct stat st;
    sqlite3_stmt *q;
    int64_t mtime;
    int rc;

    if (stat(path, &st) != 0)
        return mlpi_hash_file(path, out, err);  /* it reports the error */
    mtime = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
    rc = prep(s, &q, err, "SELECT hash FROM file_hash WHERE path=? AND dev=? "
              "AND ino=? AND size=? AND mtime_ns=?", "tiiii", path,
              (int64_t)st.st_dev, (int64_t)st.st_ino, (int64_t)st.st_size, mtime);
    if (rc == MLP_OK && sqlite3_step(q) == SQLITE_ROW) {
        snprintf(out, MLPI_HASH_HEX, "%s", (const char *)sqlite3_column_text(q, 0));
        sqlite3_finalize(q);
        return MLP_OK;
    }
    if (rc == MLP_OK)
        sqlite3_finalize(q);
    rc = mlpi_hash_file(path, out, err);
    if (rc != MLP_OK)
        return rc;
    if (mlpi_now() - (double)st.st_mtim.tv_sec > 2.0 &&
        prep(s, &q, NULL, "INSERT OR REPLACE INTO file_hash VALUES(?,?,?,?,?,?)",
             "tiiiit", path, (int64_t)st.st_dev, (int64_t)st.st_ino,
             (int64_t)st.st_size, mtime, out) == MLP_OK)
        step_done(s, q, NULL);
    return MLP_OK;
}

void mlpi_store_close(mlpi_store *s)
{
    if (s == NULL)
        return;
    sqlite3_close(s->db);
    free(s->path);
    free(s);
}

int mlpi_store_begin(mlpi_store *s, mlp_error *err)
{
    return exec_sql(s, "BEGIN IMMEDIATE", err);
}

int mlpi_store_commit(mlpi_store *s, mlp_error *err)
{
    return exec_sql(s, "COMMIT", err);
}

void mlpi_store_rollback(mlpi_store *s)
{
    exec_sql(s, "ROLLBACK", NULL);
}

static int64_t last_id(mlpi_store *s)
{
    return sqlite3_last_insert_rowid(s->db);
}

static char *print_or_empty(const cJSON *v)
{
    return v ? mlp_json_print(v, 0) : NULL;
}

int mlpi_store_context(mlpi_store *s, const char *type, const char *name,
                       const cJSON *props, int64_t *id, mlp_error *err)
{
    sqlite3_stmt *st;
    char *p = print_or_empty(props);
    int rc;

    rc = prep(s, &st, err, "SELECT id FROM context WHERE type=? AND name=?",
              "tt", type, name);
    if (rc != MLP_OK)
        goto done;
    if (sqlite3_step(st) == SQLITE_ROW) {
        *id = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
        goto done;
    }
    sqlite3_finalize(st);
    rc = prep(s, &st, err, "INSERT INTO context(type, name, properties, "
              "create_time) VALUES(?,?,?,?)", "tttd", type, name,
              p ? p : "{}", mlpi_now());
    if (rc == MLP_OK)
        rc = step_done(s, st, err);
    if (rc == MLP_OK)
        *id = last_id(s);
done:
    mlp_free(p);
    return rc;
}

int mlpi_store_context_set_props(mlpi_store *s, int64_t id, const cJSON *props,
                                 mlp_error *err)
{
    sqlite3_stmt *st;
    char *p = print_or_empty(props);
    int rc = prep(s, &st, err, "UPDATE context SET properties=? WHERE id=?",
                  "ti", p ? p : "{}", id);

    if (rc == MLP_OK)
        rc = step_done(s, st, err);
    mlp_free(p);
    return rc;
}

int mlpi_store_recover(mlpi_store *s, cJSON **orphans, mlp_error *err)
{
    sqlite3_stmt *st;
    int rc;

    *orphans = cJSON_CreateArray();
    if (*orphans == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    rc = prep(s, &st, err, "SELECT a.uri FROM artifact a WHERE a.state="
              "'PENDING'", "");
    if (rc != MLP_OK)
        return rc;
    while (sqlite3_step(st) == SQLITE_ROW)
        cJSON_AddItemToArray(*orphans, cJSON_CreateString(
            (const char *)sqlite3_column_text(st, 0)));
    sqlite3_finalize(st);
    rc = mlpi_store_begin(s, err);
    if (rc != MLP_OK)
        return rc;
    rc = exec_sql(s, "UPDATE artifact SET state='DELETED', update_time="
                     "strftime('%s','now') WHERE state='PENDING';"
                     "UPDATE execution SET state='FAILED', end_time="
                     "strftime('%s','now'), error='interrupted: the mlpipe "
                     "process running it stopped before it finished' WHERE "
                     "state='RUNNING';", err);
    if (rc == MLP_OK)
        rc = mlpi_store_commit(s, err);
    else
        mlpi_store_rollback(s);
    return rc;
}

static int associate(mlpi_store *s, const char *table, const char *col,
                     int64_t id, const int64_t *contexts, int n, mlp_error *err)
{
    char sql[160];

    snprintf(sql, sizeof sql, "INSERT OR IGNORE INTO %s(context_id, %s) "
             "VALUES(?,?)", table, col);
    for (int i = 0; i < n; i++) {
        sqlite3_stmt *st;
        int rc = prep(s, &st, err, sql, "ii", contexts[i], id);
        if (rc == MLP_OK)
            rc = step_done(s, st, err);
        if (rc != MLP_OK)
            return rc;
    }
    return MLP_OK;
}

int mlpi_store_execution_start(mlpi_store *s, const char *node,
                               const char *component, const char *fingerprint,
                               const char *fp_parts, const char *params,
                               int attempt, const int64_t *contexts,
                               int n_contexts, int64_t *id, mlp_error *err)
{
    sqlite3_stmt *st;
    int rc = prep(s, &st, err, "INSERT INTO execution(node, component, state, "
                  "fingerprint, fingerprint_parts, params, attempt, start_time)"
                  " VALUES(?,?,'RUNNING',?,?,?,?,?)", "tttttid", node,
                  component, fingerprint, fp_parts, params, (int64_t)attempt,
                  mlpi_now());

    if (rc == MLP_OK)
        rc = step_done(s, st, err);
    if (rc != MLP_OK)
        return rc;
    *id = last_id(s);
    return associate(s, "association", "execution_id", *id, contexts,
                     n_contexts, err);
}

int mlpi_store_execution_finish(mlpi_store *s, int64_t exec_id,
                                const char *state, const char *error_msg,
                                mlp_error *err)
{
    sqlite3_stmt *st;
    int rc = prep(s, &st, err, "UPDATE execution SET state=?, error=?, "
                  "end_time=? WHERE id=?", "ttdi", state, error_msg,
                  mlpi_now(), exec_id);

    return rc == MLP_OK ? step_done(s, st, err) : rc;
}

int mlpi_store_execution_cached(mlpi_store *s, int64_t exec_id,
                                int64_t cached_from, mlp_error *err)
{
    sqlite3_stmt *st;
    int rc = prep(s, &st, err, "UPDATE execution SET state='CACHED', "
                  "cached_from=?, end_time=? WHERE id=?", "idi", cached_from,
                  mlpi_now(), exec_id);

    return rc == MLP_OK ? step_done(s, st, err) : rc;
}

static int type_id(mlpi_store *s, const char *type, int64_t *id, mlp_error *err)
{
    sqlite3_stmt *st;
    int rc = prep(s, &st, err, "INSERT OR IGNORE INTO artifact_type(name) "
                  "VALUES(?)", "t", type);

    if (rc == MLP_OK)
        rc = step_done(s, st, err);
    if (rc == MLP_OK)
        rc = prep(s, &st, err, "SELECT id FROM artifact_type WHERE name=?",
                  "t", type);
    if (rc != MLP_OK)
        return rc;
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        return db_fail(s, err, "artifact type");
    }
    *id = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return MLP_OK;
}

int mlpi_store_artifact_new(mlpi_store *s, const char *type, const char *uri,
                            const char *state, const int64_t *contexts,
                            int n_contexts, int64_t *id, mlp_error *err)
{
    sqlite3_stmt *st;
    int64_t tid = 0;
    double now = mlpi_now();
    int rc = type_id(s, type, &tid, err);

    if (rc == MLP_OK)
        rc = prep(s, &st, err, "INSERT INTO artifact(type_id, uri, state, "
                  "create_time, update_time) VALUES(?,?,?,?,?)", "ittdd", tid,
                  uri, state, now, now);
    if (rc == MLP_OK)
        rc = step_done(s, st, err);
    if (rc != MLP_OK)
        return rc;
    *id = last_id(s);
    return associate(s, "attribution", "artifact_id", *id, contexts,
                     n_contexts, err);
}

int mlpi_store_artifact_publish(mlpi_store *s, int64_t id,
                                const char *fingerprint, const cJSON *props,
                                mlp_error *err)
{
    sqlite3_stmt *st;
    char *p = print_or_empty(props);
    int rc = prep(s, &st, err, "UPDATE artifact SET state='LIVE', "
                  "fingerprint=?, properties=?, update_time=? WHERE id=?",
                  "ttdi", fingerprint, p ? p : "{}", mlpi_now(), id);

    if (rc == MLP_OK)
        rc = step_done(s, st, err);
    mlp_free(p);
    return rc;
}

int mlpi_store_artifact_set_state(mlpi_store *s, int64_t id, const char *state,
                                  mlp_error *err)
{
    sqlite3_stmt *st;
    int rc = prep(s, &st, err, "UPDATE artifact SET state=?, update_time=? "
                  "WHERE id=?", "tdi", state, mlpi_now(), id);

    return rc == MLP_OK ? step_done(s, st, err) : rc;
}

int mlpi_store_artifact_get(mlpi_store *s, int64_t id, mlp_artifact **out,
                            mlp_error *err)
{
    sqlite3_stmt *st;
    mlp_artifact *a;
    int rc = prep(s, &st, err, "SELECT t.name, a.uri, a.fingerprint, "
                  "a.properties FROM artifact a JOIN artifact_type t ON "
                  "t.id=a.type_id WHERE a.id=?", "i", id);

    *out = NULL;
    if (rc != MLP_OK)
        return rc;
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        return mlp_error_set(err, MLP_ENOTFOUND, "no artifact with id %lld",
                             (long long)id);
    }
    a = mlpi_artifact_new(id, (const char *)sqlite3_column_text(st, 0),
                          (const char *)sqlite3_column_text(st, 1));
    if (a != NULL) {
        const char *fp = (const char *)sqlite3_column_text(st, 2);
        const char *props = (const char *)sqlite3_column_text(st, 3);
        cJSON *pj = props ? cJSON_Parse(props) : NULL;
        snprintf(a->fingerprint, sizeof a->fingerprint, "%s", fp ? fp : "");
        if (pj != NULL) {
            cJSON_Delete(a->props);
            a->props = pj;
        }
    }
    sqlite3_finalize(st);
    if (a == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    *out = a;
    return MLP_OK;
}

int mlpi_store_event(mlpi_store *s, int64_t exec_id, int64_t artifact_id,
                     const char *type, const char *port, int idx,
                     mlp_error *err)
{
    sqlite3_stmt *st;
    int rc = prep(s, &st, err, "INSERT INTO event(execution_id, artifact_id, "
                  "type, port, idx, time) VALUES(?,?,?,?,?,?)", "iittid",
                  exec_id, artifact_id, type, port, (int64_t)idx, mlpi_now());

    return rc == MLP_OK ? step_done(s, st, err) : rc;
}

int mlpi_store_cache_lookup(mlpi_store *s, const char *fingerprint,
                            int64_t *exec_id, cJSON **outputs, mlp_error *err)
{
    sqlite3_stmt *st;
    cJSON *gone = cJSON_CreateArray(), *g;
    int rc;

    *exec_id = 0;
    *outputs = NULL;
    /* Newest first; an execution qualifies only if none of its outputs has
     * left the LIVE state. */
    rc = prep(s, &st, err,
              "SELECT e.id FROM execution e WHERE e.fingerprint=? AND "
              "e.state='COMPLETE' AND NOT EXISTS (SELECT 1 FROM event v JOIN "
              "artifact a ON a.id=v.artifact_id WHERE v.execution_id=e.id AND "
              "v.type='OUTPUT' AND a.state<>'LIVE') ORDER BY e.id DESC",
              "t", fingerprint);
    if (rc != MLP_OK) {
        cJSON_Delete(gone);
        return rc;
    }
    while (sqlite3_step(st) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0);
        sqlite3_stmt *o;
        cJSON *outs = cJSON_CreateArray();
        int all_there = 1;

        rc = prep(s, &o, err, "SELECT v.port, v.artifact_id, a.uri FROM event "
                  "v JOIN artifact a ON a.id=v.artifact_id WHERE "
                  "v.execution_id=? AND v.type='OUTPUT' ORDER BY v.id", "i", id);
        if (rc != MLP_OK) {
            cJSON_Delete(outs);
            break;
        }
        while (sqlite3_step(o) == SQLITE_ROW) {
            cJSON *row = cJSON_CreateObject();
            const char *uri = (const char *)sqlite3_column_text(o, 2);
            /* A LIVE record whose directory someone deleted by hand cannot
             * serve as a cache hit, and is no longer LIVE. */
            if (!mlpi_is_dir(uri)) {
                all_there = 0;
                cJSON_AddItemToArray(gone, cJSON_CreateNumber(
                    (double)sqlite3_column_int64(o, 1)));
            }
            cJSON_AddStringToObject(row, "port",
                                    (const char *)sqlite3_column_text(o, 0));
            cJSON_AddNumberToObject(row, "artifact_id",
                                    (double)sqlite3_column_int64(o, 1));
            cJSON_AddItemToArray(outs, row);
        }
        sqlite3_finalize(o);
        if (all_there) {
            *exec_id = id;
            *outputs = outs;
            break;
        }
        cJSON_Delete(outs);
    }
    sqlite3_finalize(st);
    cJSON_ArrayForEach(g, gone)
        if (rc == MLP_OK)
            rc = mlpi_store_artifact_set_state(s, (int64_t)g->valuedouble,
                                               "DELETED", err);
    cJSON_Delete(gone);
    return rc;
}

int mlpi_store_last_parts(mlpi_store *s, int64_t pipeline_ctx,
                          const char *node, int64_t *exec_id, char **parts,
                          mlp_error *err)
{
    sqlite3_stmt *st;
    int rc = prep(s, &st, err,
                  "SELECT e.id, e.fingerprint_parts FROM execution e JOIN "
                  "association c ON c.execution_id=e.id WHERE c.context_id=? "
                  "AND e.node=? AND e.state IN ('COMPLETE','CACHED') ORDER BY "
                  "e.id DESC LIMIT 1", "it", pipeline_ctx, node);

    *exec_id = 0;
    *parts = NULL;
    if (rc != MLP_OK)
        return rc;
    if (sqlite3_step(st) == SQLITE_ROW) {
        *exec_id = sqlite3_column_int64(st, 0);
        *parts = strdup((const char *)sqlite3_column_text(st, 1));
    }
    sqlite3_finalize(st);
    return MLP_OK;
}

int mlpi_store_query(mlpi_store *s, const char *sql, const int64_t *args,
                     int n_args, cJSON **rows, mlp_error *err)
{
    sqlite3_stmt *st;
    int rc;

    *rows = NULL;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
        return db_fail(s, err, "query");
    for (int i = 0; i < n_args; i++)
        sqlite3_bind_int64(st, i + 1, args[i]);
    *rows = cJSON_CreateArray();
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        cJSON *row = cJSON_CreateObject();
        for (int c = 0; c < sqlite3_column_count(st); c++) {
            const char *name = sqlite3_column_name(st, c);
            switch (sqlite3_column_type(st, c)) {
            case SQLITE_INTEGER:
            case SQLITE_FLOAT:
                cJSON_AddNumberToObject(row, name, sqlite3_column_double(st, c));
                break;
            case SQLITE_NULL:
                cJSON_AddNullToObject(row, name);
                break;
            default:
                cJSON_AddStringToObject(row, name,
                                        (const char *)sqlite3_column_text(st, c));
            }
        }
        cJSON_AddItemToArray(*rows, row);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        cJSON_Delete(*rows);
        *rows = NULL;
        return db_fail(s, err, "query");
    }
    return MLP_OK;
}
