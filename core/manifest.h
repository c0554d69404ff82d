/* Internal: an artifact's manifest — every file it holds, with its size
 * and content hash, and the file's identity (device, inode, modification
 * and change times) when it was last seen with that content.
 *
 * Publication builds it; every later use checks the directory against it.
 * The cheap check stats each file and re-hashes only those whose identity
 * changed, so an untouched artifact costs a stat per file, and an edit
 * that restores the size and modification time is still caught (the
 * change time cannot be set back).
 */
#ifndef MLPIPE_CORE_MANIFEST_H
#define MLPIPE_CORE_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include <mlpipe/error.h>

#include "fsutil.h"

typedef struct mlpi_mfile {
    char *name;                 /* relative to the artifact directory */
    int64_t size;
    char hash[MLPI_HASH_HEX];
    int64_t dev, ino, mtime_ns, ctime_ns;
    int refreshed;              /* identity changed, content did not */
} mlpi_mfile;

typedef struct mlpi_manifest {
    mlpi_mfile *files;          /* sorted by name */
    size_t n, cap;
} mlpi_manifest;

/* Walks dir and fills m (which must be zeroed).  fingerprint: the hash of
 * the sorted relative names and contents, the artifact's content
 * fingerprint.  Symbolic links and special files are refused: an
 * artifact's content must not change through something outside it. */
int mlpi_manifest_build(const char *dir, mlpi_manifest *m,
                        char fingerprint[MLPI_HASH_HEX], mlp_error *err);

/* Adds one entry (loading a manifest from the store or a file); call
 * mlpi_manifest_sort once all are in. */
int mlpi_manifest_add(mlpi_manifest *m, const char *name, int64_t size,
                      const char *hash, int64_t dev, int64_t ino,
                      int64_t mtime_ns, int64_t ctime_ns);
void mlpi_manifest_sort(mlpi_manifest *m);
void mlpi_manifest_free(mlpi_manifest *m);

/* Checks dir against m: every file present, regular, with its recorded
 * content, and no file that m does not list.  full: hash every file;
 * otherwise only files whose identity differs.  Files whose identity
 * changed but whose content did not get their new identity in m and
 * `refreshed` set; *n_refreshed counts them.  A difference is
 * MLP_ECORRUPT with a sentence naming the file and what changed. */
int mlpi_manifest_check(const char *dir, mlpi_manifest *m, int full,
                        size_t *n_refreshed, mlp_error *err);

/* [{"name", "size", "hash"}]; owned. */
cJSON *mlpi_manifest_to_json(const mlpi_manifest *m);
/* Reads what mlpi_manifest_to_json wrote (identities unknown: zero). */
int mlpi_manifest_from_json(const cJSON *files, mlpi_manifest *m,
                            mlp_error *err);

#endif
