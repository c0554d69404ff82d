/* Internal file-system helpers shared by core files (not SDK API). */
#ifndef MLPIPE_CORE_FSUTIL_H
#define MLPIPE_CORE_FSUTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>

#include <mlpipe/error.h>

/* Creates path and its missing parents (mode 0755). */
int mlpi_mkdir_p(const char *path, mlp_error *err);
/* Removes path recursively; a missing path is not an error. */
int mlpi_rm_rf(const char *path, mlp_error *err);
/* Reads a whole file; *out is owned (free with free()), NUL-terminated. */
int mlpi_read_file(const char *path, char **out, size_t *len, mlp_error *err);
/* Writes data to path through a temporary file and rename(). */
int mlpi_write_file_atomic(const char *path, const void *data, size_t len,
                           mlp_error *err);
int mlpi_path_join(char *buf, size_t size, const char *a, const char *b);
/* The entries of a directory except . and .., sorted by name (so that what
 * is built from them does not depend on readdir order).  *names is owned:
 * release with mlpi_dir_entries_free.  A directory that does not exist is
 * MLP_ENOTFOUND. */
int mlpi_dir_entries(const char *path, char ***names, size_t *n, mlp_error *err);
void mlpi_dir_entries_free(char **names, size_t n);
int mlpi_is_dir(const char *path);
int mlpi_is_file(const char *path);     /* a regular file */
int mlpi_exists(const char *path);
/* fsyncs a directory so a rename inside it is durable. */
void mlpi_fsync_dir(const char *path);
/* Wall-clock seconds since the epoch and a monotonic clock in seconds. */
double mlpi_now(void);
double mlpi_monotonic(void);

/* What identifies a file's version without reading it: a rewrite in
 * place changes ctime even when size and mtime are restored. */
typedef struct mlpi_file_id {
    int64_t dev, ino, size, mtime_ns, ctime_ns;
} mlpi_file_id;
void mlpi_file_id_from(const struct stat *st, mlpi_file_id *id);
/* MLP_OK, or an error naming path (stat follows symlinks). */
int mlpi_file_id_of(const char *path, mlpi_file_id *id, mlp_error *err);
int mlpi_file_id_equal(const mlpi_file_id *a, const mlpi_file_id *b);
int64_t mlpi_timespec_ns(const struct timespec *t);

/* 128-bit content hashes as 32 hex digits plus NUL. */
#define MLPI_HASH_HEX 33
int mlpi_hash_file(const char *path, char out[MLPI_HASH_HEX], mlp_error *err);
void mlpi_hash_bytes(const void *data, size_t len, char out[MLPI_HASH_HEX]);

#endif
