/* Internal to the store files (store.c, metadata.c, manifest rows): the
 * connection and the statement helpers. */
#ifndef MLPIPE_CORE_STORE_PRIV_H
#define MLPIPE_CORE_STORE_PRIV_H

#include <sqlite3.h>

#include "metadata.h"

struct mlpi_store {
    sqlite3 *db;
    char *path;            /* ROOT/metadata.sqlite, absolute */
    char *root;            /* the root, absolute and symlink-free */
    int writable;
    int trusted;           /* opened and checked: close may vouch for it */
    char root_id[MLPI_HASH_HEX];
};

/* Fills err from the connection's last error: the store's file, what was
 * being done, and the cause (the system's own words for I/O errors, such
 * as "no space left on device"). */
int mlpi_store_fail(mlpi_store *s, mlp_error *err, const char *what);
int mlpi_store_exec(mlpi_store *s, const char *sql, mlp_error *err);
/* Prepares sql and binds args: 'i' int64, 't' text (NULL binds NULL),
 * 'd' double. */
int mlpi_store_prep(mlpi_store *s, sqlite3_stmt **st, mlp_error *err,
                    const char *sql, const char *types, ...);
/* Steps a statement that returns no rows, then finalizes it. */
int mlpi_store_step_done(mlpi_store *s, sqlite3_stmt *st, mlp_error *err);
/* Prepares, binds (as mlpi_store_prep), steps and finalizes one statement
 * that returns no rows. */
int mlpi_store_write(mlpi_store *s, mlp_error *err, const char *sql,
                     const char *types, ...);

/* Tables added in schema 2, shared by creation and the upgrade. */
#define MLPI_SQL_ARTIFACT_FILE \
    "CREATE TABLE artifact_file(artifact_id INTEGER NOT NULL" \
    "  REFERENCES artifact(id), name TEXT NOT NULL, size INTEGER NOT NULL," \
    "  hash TEXT NOT NULL, dev INTEGER NOT NULL, ino INTEGER NOT NULL," \
    "  mtime_ns INTEGER NOT NULL, ctime_ns INTEGER NOT NULL," \
    "  PRIMARY KEY(artifact_id, name)) WITHOUT ROWID;"
#define MLPI_SQL_FILE_HASH \
    "CREATE TABLE file_hash(path TEXT PRIMARY KEY, dev INTEGER, ino INTEGER," \
    "  size INTEGER, mtime_ns INTEGER, ctime_ns INTEGER, hash TEXT NOT NULL);"
#define MLPI_SQL_STORE_INFO \
    "CREATE TABLE store_info(key TEXT PRIMARY KEY, value TEXT NOT NULL);"

/* 32 random hex digits. */
void mlpi_store_random_id(char out[MLPI_HASH_HEX]);
/* Brings a store of an older schema version up to MLPI_SCHEMA_VERSION
 * (store_upgrade.c). */
int mlpi_store_upgrade(mlpi_store *s, int version, mlp_error *err);

#endif
