/* The metadata store's records: contexts, executions, artifacts with their
 * manifests, events, cache candidates and the data-file hash cache.  Every
 * write that publishes an execution happens inside one transaction the
 * caller opens. */
#define _GNU_SOURCE
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <mlpipe/json.h>
#include <mlpipe/memory.h>

#include "artifact_priv.h"
#include "rootdir.h"
#include "store_priv.h"

#define prep mlpi_store_prep
#define step_done mlpi_store_step_done

int mlpi_store_file_hash(mlpi_store *s, const char *path,
                         char out[MLPI_HASH_HEX], mlp_error *err)
{
    struct stat st;
    sqlite3_stmt *q;
    int64_t mtime, ctime;
    double newest;
    int rc;

    if (stat(path, &st) != 0)
        return mlpi_hash_file(path, out, err);  /* it reports the error */
    mtime = mlpi_timespec_ns(&st.st_mtim);
    ctime = mlpi_timespec_ns(&st.st_ctim);
    rc = prep(s, &q, err, "SELECT hash FROM file_hash WHERE path=? AND dev=? "
              "AND ino=? AND size=? AND mtime_ns=? AND ctime_ns=?", "tiiiii",
              path, (int64_t)st.st_dev, (int64_t)st.st_ino,
              (int64_t)st.st_size, mtime, ctime);
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
    newest = (double)(st.st_mtim.tv_sec > st.st_ctim.tv_sec ? st.st_mtim.tv_sec
                                                            : st.st_ctim.tv_sec);
    if (s->writable && mlpi_now() - newest > 2.0 &&
        prep(s, &q, NULL, "INSERT OR REPLACE INTO file_hash VALUES(?,?,?,?,?,?,?)",
             "tiiiiit", path, (int64_t)st.st_dev, (int64_t)st.st_ino,
             (int64_t)st.st_size, mtime, ctime, out) == MLP_OK)
        step_done(s, q, NULL);
    return MLP_OK;
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

/* Appends each row's text columns, joined with '/', to arr. */
static int collect(mlpi_store *s, cJSON *arr, const char *sql, mlp_error *err)
{
    sqlite3_stmt *st;
    int rc = prep(s, &st, err, sql, ""), step;

    if (rc != MLP_OK)
        return rc;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        char loc[PATH_MAX];
        size_t n = 0;
        loc[0] = '\0';
        for (int c = 0; c < sqlite3_column_count(st); c++)
            n += (size_t)snprintf(loc + n, n < sizeof loc ? sizeof loc - n : 0,
                                  "%s%s", c ? "/" : "",
                                  (const char *)sqlite3_column_text(st, c));
        cJSON_AddItemToArray(arr, cJSON_CreateString(loc));
    }
    if (step != SQLITE_DONE)
        rc = mlpi_store_fail(s, err, "read");
    sqlite3_finalize(st);
    return rc;
}

int mlpi_store_recover(mlpi_store *s, cJSON **leftovers, mlp_error *err)
{
    double now = mlpi_now();
    int rc;

    *leftovers = cJSON_CreateArray();
    if (*leftovers == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    rc = mlpi_store_begin(s, err);
    /* Each interrupted execution's own directory (its PENDING outputs and
     * whatever else it began to write there), and the PENDING outputs. */
    if (rc == MLP_OK)
        rc = collect(s, *leftovers, "SELECT 'artifacts', node, dir FROM "
                     "execution WHERE state='RUNNING' AND dir IS NOT NULL", err);
    if (rc == MLP_OK)
        rc = collect(s, *leftovers, "SELECT uri FROM artifact WHERE "
                     "state='PENDING'", err);
    /* The run's process is gone (we hold the lock): it was killed.  When
     * is the last thing it recorded. */
    if (rc == MLP_OK)
        rc = mlpi_store_write(s, err,
                  "UPDATE context SET properties=json_set(properties, "
                  "'$.status', 'killed', '$.detected_time', ?, '$.end_time', "
                  "coalesce((SELECT max(max(e.start_time, coalesce("
                  " e.end_time, 0))) FROM association x JOIN execution e ON "
                  " e.id=x.execution_id WHERE x.context_id=context.id), "
                  " json_extract(properties, '$.start_time'))) "
                  "WHERE type='run' AND json_valid(properties) AND "
                  "json_extract(properties, '$.status')='running'", "d", now);
    if (rc == MLP_OK)
        rc = mlpi_store_write(s, err,
                  "UPDATE artifact SET state='DELETED', update_time=?, reason="
                  "'its execution was interrupted' WHERE state='PENDING'",
                  "d", now);
    if (rc == MLP_OK)
        rc = mlpi_store_write(s, err,
                  "UPDATE execution SET state='FAILED', end_time=?, error="
                  "'interrupted: the mlpipe process running it stopped before "
                  "it finished' WHERE state='RUNNING'", "d", now);
    if (rc == MLP_OK)
        rc = mlpi_store_commit(s, err);
    if (rc != MLP_OK) {
        mlpi_store_rollback(s);
        cJSON_Delete(*leftovers);
        *leftovers = NULL;
    }
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
                               int n_contexts, int64_t *id, char *dir,
                               mlp_error *err)
{
    int rc = mlpi_store_write(s, err, "INSERT INTO execution(node, component, "
                              "state, fingerprint, fingerprint_parts, params, "
                              "attempt, start_time) VALUES(?,?,'RUNNING',?,?,"
                              "?,?,?)", "tttttid", node, component, fingerprint,
                              fp_parts, params, (int64_t)attempt, mlpi_now());

    if (rc != MLP_OK)
        return rc;
    *id = last_id(s);
    mlpi_root_exec_dir(*id, dir, 40);
    rc = mlpi_store_write(s, err, "UPDATE execution SET dir=? WHERE id=?", "ti",
                          dir, *id);
    if (rc != MLP_OK)
        return rc;
    return associate(s, "association", "execution_id", *id, contexts,
                     n_contexts, err);
}

int mlpi_store_execution_import(mlpi_store *s, const char *node,
                                const char *component, const char *fingerprint,
                                const char *fp_parts, const char *params,
                                int attempt, const char *dir, double start,
                                double end, const int64_t *contexts,
                                int n_contexts, int64_t *id, mlp_error *err)
{
    int rc = mlpi_store_write(s, err, "INSERT INTO execution(node, component, "
                              "state, fingerprint, fingerprint_parts, params, "
                              "attempt, dir, start_time, end_time) VALUES(?,?,"
                              "'COMPLETE',?,?,?,?,?,?,?)", "tttttitdd", node,
                              component, fingerprint, fp_parts, params,
                              (int64_t)attempt, dir, start, end);

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
    return mlpi_store_write(s, err, "UPDATE execution SET state=?, error=?, "
                            "end_time=? WHERE id=?", "ttdi", state, error_msg,
                            mlpi_now(), exec_id);
}

int mlpi_store_execution_cached(mlpi_store *s, int64_t exec_id,
                                int64_t cached_from, mlp_error *err)
{
    return mlpi_store_write(s, err, "UPDATE execution SET state='CACHED', "
                            "cached_from=?, end_time=? WHERE id=?", "idi", cached_from,
                            mlpi_now(), exec_id);
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
        rc = mlpi_store_fail(s, err, "artifact type");
        sqlite3_finalize(st);
        return rc;
    }
    *id = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return MLP_OK;
}

int mlpi_store_artifact_new(mlpi_store *s, const char *type, const char *loc,
                            const char *state, const int64_t *contexts,
                            int n_contexts, int64_t *id, mlp_error *err)
{
    return mlpi_store_artifact_new_id(s, type, loc, state, contexts, n_contexts, 0, id,
                                      err);
}

int mlpi_store_artifact_new_id(mlpi_store *s, const char *type, const char *loc,
                               const char *state, const int64_t *contexts,
                               int n_contexts, int64_t want, int64_t *id,
                               mlp_error *err)
{
    sqlite3_stmt *st;
    int64_t tid = 0;
    double now = mlpi_now();
    cJSON *taken = NULL;
    int rc = type_id(s, type, &tid, err);

    if (rc == MLP_OK && want > 0)
        rc = mlpi_store_query(s, "SELECT id FROM artifact WHERE id=?", &want, 1, &taken,
                              err);
    if (rc == MLP_OK && want > 0 && cJSON_GetArraySize(taken) == 0)
        rc = prep(s, &st, err, "INSERT INTO artifact(id, type_id, uri, state, "
                  "create_time, update_time) VALUES(?,?,?,?,?,?)", "iittdd", want, tid,
                  loc, state, now, now);
    else if (rc == MLP_OK)
        rc = prep(s, &st, err, "INSERT INTO artifact(type_id, uri, state, "
                  "create_time, update_time) VALUES(?,?,?,?,?)", "ittdd", tid,
                  loc, state, now, now);
    cJSON_Delete(taken);
    if (rc == MLP_OK)
        rc = step_done(s, st, err);
    if (rc != MLP_OK)
        return rc;
    *id = last_id(s);
    return associate(s, "attribution", "artifact_id", *id, contexts,
                     n_contexts, err);
}

static int put_files(mlpi_store *s, int64_t id, const mlpi_manifest *m,
                     int only_refreshed, mlp_error *err)
{
    for (size_t i = 0; i < m->n; i++) {
        const mlpi_mfile *f = &m->files[i];
        sqlite3_stmt *st;
        int rc;
        if (only_refreshed && !f->refreshed)
            continue;
        rc = prep(s, &st, err, "INSERT OR REPLACE INTO artifact_file VALUES"
                  "(?,?,?,?,?,?,?,?)", "ititiiii", id, f->name, f->size,
                  f->hash, f->dev, f->ino, f->mtime_ns, f->ctime_ns);
        if (rc == MLP_OK)
            rc = step_done(s, st, err);
        if (rc != MLP_OK)
            return rc;
    }
    return MLP_OK;
}

int mlpi_store_artifact_publish(mlpi_store *s, int64_t id,
                                const char *fingerprint, const cJSON *props,
                                const mlpi_manifest *m, mlp_error *err)
{
    sqlite3_stmt *st;
    char *p = print_or_empty(props);
    int rc = prep(s, &st, err, "UPDATE artifact SET state='LIVE', "
                  "fingerprint=?, properties=?, update_time=? WHERE id=?",
                  "ttdi", fingerprint, p ? p : "{}", mlpi_now(), id);

    if (rc == MLP_OK)
        rc = step_done(s, st, err);
    mlp_free(p);
    if (rc == MLP_OK)
        rc = put_files(s, id, m, 0, err);
    return rc;
}

int mlpi_store_artifact_set_state(mlpi_store *s, int64_t id, const char *state,
                                  const char *reason, mlp_error *err)
{
    return mlpi_store_write(s, err, "UPDATE artifact SET state=?, reason=?, "
                            "update_time=? WHERE id=?", "ttdi", state, reason,
                            mlpi_now(), id);
}

int mlpi_store_artifact_find(mlpi_store *s, const char *loc, const char *state,
                             int64_t *id, mlp_error *err)
{
    sqlite3_stmt *st;
    int rc = prep(s, &st, err, "SELECT id FROM artifact WHERE uri=? AND "
                  "state=? ORDER BY id DESC LIMIT 1", "tt", loc, state);

    *id = 0;
    if (rc != MLP_OK)
        return rc;
    if (sqlite3_step(st) == SQLITE_ROW)
        *id = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return MLP_OK;
}

int mlpi_store_artifact_get(mlpi_store *s, int64_t id, mlp_artifact **out,
                            mlp_error *err)
{
    sqlite3_stmt *st;
    mlp_artifact *a = NULL;
    char path[PATH_MAX];
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
    const char *loc = (const char *)sqlite3_column_text(st, 1);
    rc = mlpi_root_path(s->root, loc, path, sizeof path, err);
    if (rc == MLP_OK) {
        a = mlpi_artifact_new(id, (const char *)sqlite3_column_text(st, 0),
                              path, loc);
        if (a == NULL)
            rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
    }
    if (a != NULL) {
        const char *fp = (const char *)sqlite3_column_text(st, 2);
        const char *props = (const char *)sqlite3_column_text(st, 3);
        cJSON *pj = props ? mlp_json_parse(props, strlen(props)) : NULL;
        snprintf(a->fingerprint, sizeof a->fingerprint, "%s", fp ? fp : "");
        if (pj != NULL) {
            cJSON_Delete(a->props);
            a->props = pj;
        }
    }
    sqlite3_finalize(st);
    *out = a;
    return rc;
}

int mlpi_store_manifest_get(mlpi_store *s, int64_t id, mlpi_manifest *m,
                            mlp_error *err)
{
    sqlite3_stmt *st;
    int rc = prep(s, &st, err, "SELECT name, size, hash, dev, ino, mtime_ns, "
                  "ctime_ns FROM artifact_file WHERE artifact_id=?", "i", id);
    int step;

    if (rc != MLP_OK)
        return rc;
    while ((step = sqlite3_step(st)) == SQLITE_ROW && rc == MLP_OK)
        if (mlpi_manifest_add(m, (const char *)sqlite3_column_text(st, 0),
                              sqlite3_column_int64(st, 1),
                              (const char *)sqlite3_column_text(st, 2),
                              sqlite3_column_int64(st, 3),
                              sqlite3_column_int64(st, 4),
                              sqlite3_column_int64(st, 5),
                              sqlite3_column_int64(st, 6)) != MLP_OK)
            rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
    if (rc == MLP_OK && step != SQLITE_DONE)
        rc = mlpi_store_fail(s, err, "read");
    sqlite3_finalize(st);
    if (rc != MLP_OK)
        return rc;
    mlpi_manifest_sort(m);
    /* An empty artifact still has a manifest row set of size zero; tell
     * it apart from one published with no manifest at all. */
    if (m->n == 0) {
        rc = prep(s, &st, err, "SELECT fingerprint FROM artifact WHERE id=?",
                  "i", id);
        if (rc != MLP_OK)
            return rc;
        if (sqlite3_step(st) != SQLITE_ROW || sqlite3_column_type(st, 0) ==
            SQLITE_NULL)
            rc = mlp_error_set(err, MLP_ENOTFOUND, "artifact %lld has no "
                               "manifest", (long long)id);
        sqlite3_finalize(st);
    }
    return rc;
}

int mlpi_store_manifest_refresh(mlpi_store *s, int64_t id,
                                const mlpi_manifest *m, mlp_error *err)
{
    return put_files(s, id, m, 1, err);
}

int mlpi_store_event(mlpi_store *s, int64_t exec_id, int64_t artifact_id,
                     const char *type, const char *port, int idx,
                     mlp_error *err)
{
    return mlpi_store_write(s, err, "INSERT INTO event(execution_id, artifact_id, "
                            "type, port, idx, time) VALUES(?,?,?,?,?,?)", "iittid",
                            exec_id, artifact_id, type, port, (int64_t)idx, mlpi_now());
}

int mlpi_store_cache_candidates(mlpi_store *s, const char *fingerprint,
                                cJSON **execs, mlp_error *err)
{
    sqlite3_stmt *st;
    int rc, step;

    *execs = cJSON_CreateArray();
    if (*execs == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    /* Newest first; an execution qualifies only if none of its outputs has
     * left the LIVE state. */
    rc = prep(s, &st, err,
              "SELECT e.id, v.port, v.artifact_id FROM execution e JOIN event "
              "v ON v.execution_id=e.id AND v.type='OUTPUT' WHERE "
              "e.fingerprint=? AND e.state='COMPLETE' AND NOT EXISTS (SELECT 1 "
              "FROM event w JOIN artifact a ON a.id=w.artifact_id WHERE "
              "w.execution_id=e.id AND w.type='OUTPUT' AND a.state<>'LIVE') "
              "ORDER BY e.id DESC, v.id", "t", fingerprint);
    if (rc != MLP_OK)
        return rc;
    cJSON *cur = NULL;
    int64_t cur_id = 0;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0);
        cJSON *o = cJSON_CreateObject();
        if (cur == NULL || id != cur_id) {
            cur = cJSON_CreateObject();
            cur_id = id;
            cJSON_AddNumberToObject(cur, "execution", (double)id);
            cJSON_AddItemToObject(cur, "outputs", cJSON_CreateArray());
            cJSON_AddItemToArray(*execs, cur);
        }
        cJSON_AddStringToObject(o, "port", (const char *)sqlite3_column_text(st, 1));
        cJSON_AddNumberToObject(o, "artifact_id",
                                (double)sqlite3_column_int64(st, 2));
        cJSON_AddItemToArray(cJSON_GetObjectItem(cur, "outputs"), o);
    }
    if (step != SQLITE_DONE)
        rc = mlpi_store_fail(s, err, "read");
    sqlite3_finalize(st);
    return rc;
}

int mlpi_store_last_parts(mlpi_store *s, int64_t pipeline_ctx,
                          const char *node, int64_t *exec_id, char **parts,
                          char **gone, mlp_error *err)
{
    sqlite3_stmt *st;
    int rc = prep(s, &st, err,
                  "SELECT e.id, e.fingerprint_parts, (SELECT a.reason FROM "
                  "event v JOIN artifact a ON a.id=v.artifact_id WHERE "
                  "v.execution_id=coalesce(e.cached_from, e.id) AND "
                  "v.type='OUTPUT' AND a.state='DELETED' ORDER BY v.id LIMIT 1)"
                  " FROM execution e JOIN association c ON c.execution_id=e.id "
                  "WHERE c.context_id=? AND e.node=? AND e.state IN "
                  "('COMPLETE','CACHED') ORDER BY e.id DESC LIMIT 1", "it",
                  pipeline_ctx, node);

    *exec_id = 0;
    *parts = NULL;
    *gone = NULL;
    if (rc != MLP_OK)
        return rc;
    if (sqlite3_step(st) == SQLITE_ROW) {
        const char *g = (const char *)sqlite3_column_text(st, 2);
        *exec_id = sqlite3_column_int64(st, 0);
        *parts = strdup((const char *)sqlite3_column_text(st, 1));
        if (g != NULL)
            *gone = strdup(g);
    }
    sqlite3_finalize(st);
    return MLP_OK;
}
