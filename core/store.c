/* The metadata store's file: opening it read-only or for writing, creating
 * it so that no reader ever sees half a store, upgrading older schemas,
 * and the statement helpers the record code uses. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cksumvfs.h"
#include "repair.h"
#include "store_priv.h"

static const char *const schema_sql =
    "CREATE TABLE mlpipe_schema(version INTEGER NOT NULL);"
    MLPI_SQL_STORE_INFO
    "CREATE TABLE artifact_type(id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL UNIQUE);"
    "CREATE TABLE artifact(id INTEGER PRIMARY KEY,"
    "  type_id INTEGER NOT NULL REFERENCES artifact_type(id),"
    "  uri TEXT NOT NULL,"
    "  state TEXT NOT NULL CHECK(state IN ('PENDING','LIVE','DELETED')),"
    "  fingerprint TEXT, properties TEXT NOT NULL DEFAULT '{}',"
    "  reason TEXT,"
    "  create_time REAL NOT NULL, update_time REAL NOT NULL);"
    "CREATE INDEX artifact_by_state ON artifact(state);"
    MLPI_SQL_ARTIFACT_FILE
    "CREATE TABLE execution(id INTEGER PRIMARY KEY,"
    "  node TEXT NOT NULL, component TEXT NOT NULL,"
    "  state TEXT NOT NULL CHECK(state IN"
    "    ('RUNNING','COMPLETE','FAILED','CACHED','CANCELED')),"
    "  fingerprint TEXT NOT NULL, fingerprint_parts TEXT NOT NULL,"
    "  params TEXT NOT NULL, attempt INTEGER NOT NULL DEFAULT 1,"
    "  cached_from INTEGER REFERENCES execution(id), error TEXT,"
    "  dir TEXT,"
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
    "  PRIMARY KEY(context_id, execution_id));"
    MLPI_SQL_FILE_HASH;

static int64_t damaged_page(mlpi_store *s)
{
    mlpi_cksum_state st = { 0, 0, -1 };

    if (sqlite3_file_control(s->db, "main", MLPI_FCNTL_CKSUM_STATE, &st) !=
        SQLITE_OK || st.fault_offset < 0 || st.page_size <= 0)
        return 0;
    return st.fault_offset / st.page_size + 1;
}

int mlpi_store_fail(mlpi_store *s, mlp_error *err, const char *what)
{
    int ext = sqlite3_extended_errcode(s->db);
    int sys = sqlite3_system_errno(s->db);

    if (ext == SQLITE_IOERR_DATA)
        return mlp_error_set(err, MLP_ECORRUPT,
                             "metadata store %s is damaged: page %lld fails "
                             "its checksum; `mlpipe verify --repair --root %s` "
                             "rebuilds the store from the artifacts' "
                             "execution files, or start a new root",
                             s->path, (long long)damaged_page(s), s->root);
    if ((ext & 0xff) == SQLITE_IOERR || ext == SQLITE_FULL) {
        /* SQLite says "disk I/O error"; the system says why. */
        const char *cause = sys ? strerror(sys)
                            : ext == SQLITE_FULL ? strerror(ENOSPC)
                            : "an I/O error";
        return mlp_error_set(err, ext == SQLITE_FULL || sys == ENOSPC ||
                             sys == EDQUOT ? MLP_EIO : MLP_EIO,
                             "metadata store %s: %s while %s it",
                             s->path, cause,
                             strstr(what, "write") || strstr(what, "commit")
                             ? "writing" : "reading");
    }
    if ((ext & 0xff) == SQLITE_READONLY)
        return mlp_error_set(err, MLP_EIO, "metadata store %s cannot be "
                             "written: the file or its directory is read-only "
                             "(or belongs to another user)", s->path);
    if ((ext & 0xff) == SQLITE_CORRUPT || (ext & 0xff) == SQLITE_NOTADB)
        return mlp_error_set(err, MLP_ECORRUPT,
                             "metadata store %s is damaged (%s: %s); "
                             "`mlpipe verify --repair --root %s` rebuilds it "
                             "from the artifacts' manifests, or start a new "
                             "root", s->path, what, sqlite3_errmsg(s->db),
                             s->root);
    return mlp_error_set(err, MLP_EIO, "metadata store %s: %s: %s", s->path,
                         what, sqlite3_errmsg(s->db));
}

int mlpi_store_exec(mlpi_store *s, const char *sql, mlp_error *err)
{
    if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return mlpi_store_fail(s, err, "write");
    return MLP_OK;
}

static int vprep(mlpi_store *s, sqlite3_stmt **st, mlp_error *err,
                 const char *sql, const char *types, va_list ap)
{
    if (sqlite3_prepare_v2(s->db, sql, -1, st, NULL) != SQLITE_OK)
        return mlpi_store_fail(s, err, "prepare");
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
            sqlite3_finalize(*st);
            *st = NULL;
            return mlpi_store_fail(s, err, "bind");
        }
    }
    return MLP_OK;
}

int mlpi_store_prep(mlpi_store *s, sqlite3_stmt **st, mlp_error *err,
                    const char *sql, const char *types, ...)
{
    va_list ap;
    int rc;

    va_start(ap, types);
    rc = vprep(s, st, err, sql, types, ap);
    va_end(ap);
    return rc;
}

int mlpi_store_write(mlpi_store *s, mlp_error *err, const char *sql,
                     const char *types, ...)
{
    sqlite3_stmt *st;
    va_list ap;
    int rc;

    va_start(ap, types);
    rc = vprep(s, &st, err, sql, types, ap);
    va_end(ap);
    return rc == MLP_OK ? mlpi_store_step_done(s, st, err) : rc;
}

int mlpi_store_step_done(mlpi_store *s, sqlite3_stmt *st, mlp_error *err)
{
    int rc = sqlite3_step(st);

    if (rc != SQLITE_DONE) {
        /* The connection's message belongs to the failed step: read it
         * before finalizing. */
        int r = mlpi_store_fail(s, err, "write");
        sqlite3_finalize(st);
        return r;
    }
    sqlite3_finalize(st);
    return MLP_OK;
}

/* One integer from a query, or dflt when it returns no row. */
static int query_int(mlpi_store *s, const char *sql, int dflt, int *out,
                     mlp_error *err)
{
    sqlite3_stmt *st;
    int rc = mlpi_store_prep(s, &st, err, sql, "");

    if (rc != MLP_OK)
        return rc;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *out = sqlite3_column_int(st, 0);
    else if (rc == SQLITE_DONE)
        *out = dflt;
    else {
        rc = mlpi_store_fail(s, err, "read");
        sqlite3_finalize(st);
        return rc;
    }
    sqlite3_finalize(st);
    return MLP_OK;
}

void mlpi_store_random_id(char out[MLPI_HASH_HEX])
{
    unsigned char b[16];
    size_t got = 0;

    while (got < sizeof b) {
        ssize_t n = getrandom(b + got, sizeof b - got, 0);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    if (got < sizeof b)
        mlpi_hash_bytes(&got, sizeof got, out);  /* cannot happen on Linux */
    else
        for (int i = 0; i < 16; i++)
            snprintf(out + 2 * i, 3, "%02x", b[i]);
}

static int connect(mlpi_store *s, const char *path, int flags, mlp_error *err)
{
    int rc = mlpi_cksum_register(err);

    if (rc != MLP_OK)
        return rc;
    if (sqlite3_open_v2(path, &s->db, flags, MLPI_CKSUM_VFS) != SQLITE_OK) {
        int rc = mlp_error_set(err, MLP_EIO, "cannot open metadata store %s: %s",
                               path, s->db ? sqlite3_errmsg(s->db)
                                           : "out of memory");
        sqlite3_close(s->db);
        s->db = NULL;
        return rc;
    }
    sqlite3_extended_result_codes(s->db, 1);
    sqlite3_busy_timeout(s->db, 30000);
    return MLP_OK;
}

/* Builds a new store beside the final name and renames it into place:
 * a reader sees either no store or a whole one. */
static int create_store(mlpi_store *s, mlp_error *err)
{
    char tmp[PATH_MAX], sql[256], id[MLPI_HASH_HEX];
    int rc;

    snprintf(tmp, sizeof tmp, "%s.new-%ld", s->path, (long)getpid());
    unlink(tmp);
    rc = connect(s, tmp, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, err);
    if (rc != MLP_OK)
        return rc;
    mlpi_store_random_id(id);
    /* Room for a checksum in every page, before the first page exists. */
    {
        int reserve = MLPI_CKSUM_RESERVE;
        if (sqlite3_file_control(s->db, "main", SQLITE_FCNTL_RESERVE_BYTES,
                                 &reserve) != SQLITE_OK)
            rc = mlp_error_set(err, MLP_EIO, "%s: cannot reserve room for "
                               "page checksums", tmp);
    }
    if (rc == MLP_OK)
        rc = mlpi_store_exec(s, "PRAGMA journal_mode=DELETE; BEGIN", err);
    if (rc == MLP_OK)
        rc = mlpi_store_exec(s, schema_sql, err);
    snprintf(sql, sizeof sql, "INSERT INTO mlpipe_schema VALUES(%d);"
             "INSERT INTO store_info VALUES('root_id', '%s');"
             "INSERT INTO store_info VALUES('created', strftime('%%s','now'));"
             "COMMIT", MLPI_SCHEMA_VERSION, id);
    if (rc == MLP_OK)
        rc = mlpi_store_exec(s, sql, err);
    sqlite3_close(s->db);
    s->db = NULL;
    if (rc == MLP_OK && rename(tmp, s->path) != 0)
        rc = mlp_error_set(err, MLP_EIO, "cannot create metadata store %s: %s",
                           s->path, strerror(errno));
    if (rc != MLP_OK) {
        unlink(tmp);
        mlp_error_prefix(err, "creating the metadata store");
    }
    mlpi_fsync_dir(s->root);
    return rc;
}

/* A writer killed in the middle of a commit leaves a hot journal, which a
 * read-only connection cannot roll back.  Rolling it back restores the
 * store as it was before that commit (what any SQLite connection would
 * do; no writer is alive, or the journal would not be hot), then the
 * reader goes on read-only. */
static int undo_interrupted_write(mlpi_store *s, mlp_error *err)
{
    int dummy = 0, rc;

    sqlite3_close(s->db);
    s->db = NULL;
    rc = connect(s, s->path, SQLITE_OPEN_READWRITE, err);
    if (rc == MLP_OK)
        rc = query_int(s, "SELECT count(*) FROM sqlite_master", 0, &dummy, err);
    sqlite3_close(s->db);
    s->db = NULL;
    if (rc != MLP_OK)
        return mlp_error_set(err, MLP_EIO, "the last write to metadata store %s "
                             "was interrupted (a run was killed in the middle "
                             "of a commit), and this user may not undo it: run "
                             "`mlpipe verify --repair --root %s` (or any "
                             "`mlpipe run`) as a user who may write the root",
                             s->path, s->root);
    return connect(s, s->path, SQLITE_OPEN_READONLY, err);
}

/* The store file's identity, as the last writer left it. */
static void identity(const char *path, char *buf, size_t size)
{
    struct stat st;

    if (stat(path, &st) != 0)
        snprintf(buf, size, "none\n");
    else
        snprintf(buf, size, "%lld %lld %lld.%09ld %lld.%09ld\n",
                 (long long)st.st_ino, (long long)st.st_size,
                 (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec,
                 (long long)st.st_ctim.tv_sec, st.st_ctim.tv_nsec);
}

/* In place, not through a temporary file: a torn or stale marker only
 * costs a full check at the next open, and a kill leaves no stray file. */
static void write_marker(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

    if (fd < 0)
        return;
    if (write(fd, text, strlen(text)) < 0) {
        /* the next open checks the whole file */
    }
    close(fd);
}

static void marker_path(const mlpi_store *s, char *buf, size_t size)
{
    snprintf(buf, size, "%s/.store-checked", s->root);
}

/* Every page is checked as it is read, by readers and writers alike.  A
 * writer, before it adds to the store, also checks the whole file, but
 * only when it changed since a writer of ours last closed it (a crash,
 * another program): opening a large store stays cheap, and a reader,
 * which may poll while a run is writing, never pays for a full scan. */
static int check_if_changed(mlpi_store *s, mlp_error *err)
{
    char want[160], marker[PATH_MAX], *have = NULL;
    int rc;

    identity(s->path, want, sizeof want);
    marker_path(s, marker, sizeof marker);
    if (mlpi_read_file(marker, &have, NULL, NULL) == MLP_OK &&
        strcmp(have, want) == 0) {
        free(have);
        return MLP_OK;
    }
    free(have);
    rc = mlpi_store_check(s, 0, err);
    if (rc == MLP_OK)
        write_marker(marker, want);
    return rc;
}

static int checksums_on(mlpi_store *s, mlp_error *err)
{
    mlpi_cksum_state st = { 0, 0, -1 };

    sqlite3_file_control(s->db, "main", MLPI_FCNTL_CKSUM_STATE, &st);
    if (st.checksummed)
        return MLP_OK;
    return mlp_error_set(err, MLP_ECORRUPT, "metadata store %s is damaged: "
                         "its pages carry no checksums (its header was "
                         "changed, or another program rewrote it); `mlpipe "
                         "verify --repair --root %s` rebuilds it from the "
                         "artifacts' execution files, or start a new root",
                         s->path, s->root);
}

static int load_info(mlpi_store *s, mlp_error *err)
{
    sqlite3_stmt *st;
    int rc = mlpi_store_prep(s, &st, err, "SELECT value FROM store_info "
                             "WHERE key='root_id'", "");

    if (rc != MLP_OK)
        return rc;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        const char *v = (const char *)sqlite3_column_text(st, 0);
        snprintf(s->root_id, sizeof s->root_id, "%s", v ? v : "");
        rc = MLP_OK;
    } else {
        rc = rc == SQLITE_DONE
             ? mlp_error_set(err, MLP_ECORRUPT, "metadata store %s has no "
                             "root identity", s->path)
             : mlpi_store_fail(s, err, "read");
    }
    sqlite3_finalize(st);
    return rc;
}

int mlpi_store_open(const char *root_abs, int writable, mlpi_store **out,
                    mlp_error *err)
{
    mlpi_store *s = calloc(1, sizeof *s);
    char path[PATH_MAX];
    int rc, version = 0, has_schema = 0, created = 0;

    *out = NULL;
    snprintf(path, sizeof path, "%s/metadata.sqlite", root_abs);
    if (s == NULL || (s->path = strdup(path)) == NULL ||
        (s->root = strdup(root_abs)) == NULL) {
        mlpi_store_close(s);
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    }
    s->writable = writable;
    if (!mlpi_exists(path)) {
        if (!writable) {
            mlpi_store_close(s);
            return mlp_error_set(err, MLP_ENOTFOUND,
                                 "no metadata store at %s: nothing has run "
                                 "under this root yet (give the pipeline root "
                                 "with --root DIR or MLPIPE_ROOT)", path);
        }
        rc = create_store(s, err);
        if (rc != MLP_OK)
            goto fail;
        created = 1;
    }
    if (!mlpi_is_file(path)) {
        rc = mlp_error_set(err, MLP_ECORRUPT, "%s is not a file; `mlpipe "
                           "verify --repair --root %s` moves it aside and "
                           "rebuilds the store from the artifacts' execution "
                           "files", path, root_abs);
        goto fail;
    }
    rc = connect(s, path, writable ? SQLITE_OPEN_READWRITE : SQLITE_OPEN_READONLY,
                 err);
    if (rc != MLP_OK)
        goto fail;
    if (writable)
        rc = mlpi_store_exec(s, "PRAGMA foreign_keys=ON", err);
    if (rc == MLP_OK)
        rc = query_int(s, "SELECT count(*) FROM sqlite_master WHERE "
                       "type='table' AND name='mlpipe_schema'", 0, &has_schema,
                       err);
    if (rc != MLP_OK && !writable &&
        sqlite3_extended_errcode(s->db) == SQLITE_READONLY_ROLLBACK) {
        rc = undo_interrupted_write(s, err);
        if (rc == MLP_OK)
            rc = query_int(s, "SELECT count(*) FROM sqlite_master WHERE "
                           "type='table' AND name='mlpipe_schema'", 0,
                           &has_schema, err);
    }
    if (rc == MLP_OK && has_schema)
        rc = query_int(s, "SELECT version FROM mlpipe_schema", 0, &version, err);
    if (rc != MLP_OK)
        goto fail;
    if (!has_schema || version < 1) {
        rc = mlp_error_set(err, MLP_ECORRUPT, "%s is not an mlpipe metadata "
                           "store (no schema version); `mlpipe verify --repair "
                           "--root %s` moves it aside and rebuilds the store "
                           "from the artifacts' execution files", path,
                           root_abs);
        goto fail;
    }
    if (version > MLPI_SCHEMA_VERSION) {
        rc = mlp_error_set(err, MLP_EVERSION,
                           "metadata store %s has schema version %d; this "
                           "mlpipe knows versions up to %d: upgrade mlpipe "
                           "to read it", path, version, MLPI_SCHEMA_VERSION);
        goto fail;
    }
    if (version < MLPI_SCHEMA_VERSION) {
        if (!writable) {
            rc = mlp_error_set(err, MLP_EVERSION,
                               "metadata store %s has schema version %d, from "
                               "an older mlpipe; the next `mlpipe run` on this "
                               "root upgrades it to version %d", path, version,
                               MLPI_SCHEMA_VERSION);
            goto fail;
        }
        rc = mlpi_store_upgrade(s, version, err);
        if (rc != MLP_OK)
            goto fail;
    }
    rc = checksums_on(s, err);
    if (rc == MLP_OK)
        rc = writable ? check_if_changed(s, err) : MLP_OK;
    if (rc == MLP_OK)
        rc = load_info(s, err);
    /* A store made for a root that already has artifacts (its old store
     * was lost) takes the identity their execution files name, so that
     * verify --repair can adopt them. */
    if (rc == MLP_OK && created) {
        cJSON *execs = NULL;
        rc = mlpi_repair_scan(s, &execs, err);
        if (rc == MLP_OK && cJSON_GetArraySize(execs) > 0)
            rc = mlpi_repair_adopt_identity(s, execs, err);
        cJSON_Delete(execs);
    }
    if (rc != MLP_OK)
        goto fail;
    s->trusted = 1;
    *out = s;
    return MLP_OK;
fail:
    mlpi_store_close(s);
    return rc;
}

void mlpi_store_close(mlpi_store *s)
{
    if (s == NULL)
        return;
    sqlite3_close(s->db);
    /* What this writer leaves is what the next open need not re-check. */
    if (s->writable && s->trusted) {
        char want[160], marker[PATH_MAX];
        identity(s->path, want, sizeof want);
        marker_path(s, marker, sizeof marker);
        write_marker(marker, want);
    }
    free(s->path);
    free(s->root);
    free(s);
}

const char *mlpi_store_root(const mlpi_store *s) { return s->root; }
const char *mlpi_store_root_id(const mlpi_store *s) { return s->root_id; }
int mlpi_store_writable(const mlpi_store *s) { return s->writable; }

int mlpi_store_set_root_id(mlpi_store *s, const char *id, mlp_error *err)
{
    int rc = mlpi_store_write(s, err, "UPDATE store_info SET value=? WHERE "
                              "key='root_id'", "t", id);

    if (rc == MLP_OK)
        snprintf(s->root_id, sizeof s->root_id, "%s", id);
    return rc;
}

int mlpi_store_begin(mlpi_store *s, mlp_error *err)
{
    return mlpi_store_exec(s, "BEGIN IMMEDIATE", err);
}

int mlpi_store_commit(mlpi_store *s, mlp_error *err)
{
    if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        return mlpi_store_fail(s, err, "commit");
    return MLP_OK;
}

void mlpi_store_rollback(mlpi_store *s)
{
    sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

int mlpi_store_check(mlpi_store *s, int thorough, mlp_error *err)
{
    sqlite3_stmt *st;
    char found[512] = "";
    mlp_error scan;
    int rc = mlpi_cksum_scan(s->path, &scan), step;

    if (rc == MLP_ECORRUPT)
        return mlp_error_set(err, MLP_ECORRUPT, "metadata store damaged: %s; "
                             "`mlpipe verify --repair --root %s` rebuilds it "
                             "from the artifacts' execution files, or start a "
                             "new root", scan.msg, s->root);
    if (rc != MLP_OK && err != NULL)
        *err = scan;
    if (rc == MLP_OK)
        rc = mlpi_store_prep(s, &st, err, thorough ? "PRAGMA integrity_check(5)"
                             : "PRAGMA quick_check(5)", "");
    if (rc != MLP_OK)
        return rc;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(st, 0);
        if (t != NULL && strcmp(t, "ok") != 0 && found[0] == '\0')
            snprintf(found, sizeof found, "%s", t);
    }
    if (step != SQLITE_DONE)
        rc = mlpi_store_fail(s, err, "check");
    sqlite3_finalize(st);
    if (rc == MLP_OK && found[0] != '\0')
        rc = mlp_error_set(err, MLP_ECORRUPT, "metadata store %s is damaged: "
                           "%s", s->path, found);
    return rc;
}

int mlpi_store_query(mlpi_store *s, const char *sql, const int64_t *args,
                     int n_args, cJSON **rows, mlp_error *err)
{
    sqlite3_stmt *st;
    int rc;

    *rows = NULL;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
        return mlpi_store_fail(s, err, "read");
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
    if (rc != SQLITE_DONE) {
        rc = mlpi_store_fail(s, err, "read");
        sqlite3_finalize(st);
        cJSON_Delete(*rows);
        *rows = NULL;
        return rc;
    }
    sqlite3_finalize(st);
    return MLP_OK;
}
