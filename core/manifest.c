/* Artifact manifests: building one from a directory, checking a directory
 * against one, and their JSON form. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include "manifest.h"

static void hex128(XXH128_hash_t h, char out[MLPI_HASH_HEX])
{
    snprintf(out, MLPI_HASH_HEX, "%016llx%016llx",
             (unsigned long long)h.high64, (unsigned long long)h.low64);
}

int mlpi_manifest_add(mlpi_manifest *m, const char *name, int64_t size,
                      const char *hash, int64_t dev, int64_t ino,
                      int64_t mtime_ns, int64_t ctime_ns)
{
    mlpi_mfile *f;

    if (m->n == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 8;
        mlpi_mfile *nf = realloc(m->files, cap * sizeof *nf);
        if (nf == NULL)
            return MLP_ENOMEM;
        m->files = nf;
        m->cap = cap;
    }
    f = &m->files[m->n];
    memset(f, 0, sizeof *f);
    f->name = strdup(name);
    if (f->name == NULL)
        return MLP_ENOMEM;
    f->size = size;
    snprintf(f->hash, sizeof f->hash, "%s", hash);
    f->dev = dev;
    f->ino = ino;
    f->mtime_ns = mtime_ns;
    f->ctime_ns = ctime_ns;
    m->n++;
    return MLP_OK;
}

static int cmp_files(const void *a, const void *b)
{
    return strcmp(((const mlpi_mfile *)a)->name, ((const mlpi_mfile *)b)->name);
}

void mlpi_manifest_sort(mlpi_manifest *m)
{
    if (m->n > 1)
        qsort(m->files, m->n, sizeof *m->files, cmp_files);
}

void mlpi_manifest_free(mlpi_manifest *m)
{
    for (size_t i = 0; i < m->n; i++)
        free(m->files[i].name);
    free(m->files);
    memset(m, 0, sizeof *m);
}

/* Hashes one file into out (and into dirst when given), recording the
 * identity of the very file that was read. */
static int hash_one(const char *path, XXH3_state_t *dirst,
                    char out[MLPI_HASH_HEX], struct stat *st, mlp_error *err)
{
    XXH3_state_t *fs = XXH3_createState();
    char buf[1 << 16];
    ssize_t got;
    int fd, rc = MLP_OK;

    if (fs == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    XXH3_128bits_reset(fs);
    fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 || fstat(fd, st) != 0) {
        rc = mlp_error_set(err, errno == ENOENT ? MLP_ECORRUPT : MLP_EIO,
                           "cannot read %s: %s", path, strerror(errno));
        goto done;
    }
    while ((got = read(fd, buf, sizeof buf)) > 0) {
        XXH3_128bits_update(fs, buf, (size_t)got);
        if (dirst != NULL)
            XXH3_128bits_update(dirst, buf, (size_t)got);
    }
    if (got < 0)
        rc = mlp_error_set(err, MLP_EIO, "cannot read %s: %s", path,
                           strerror(errno));
    else
        hex128(XXH3_128bits_digest(fs), out);
done:
    if (fd >= 0)
        close(fd);
    XXH3_freeState(fs);
    return rc;
}

/* The walk behind build (dirst != NULL: hash and record every file) and
 * the check for unexpected files (dirst == NULL, m is the manifest to
 * look names up in). */
static int walk(const char *path, const char *rel, XXH3_state_t *dirst,
                mlpi_manifest *m, mlp_error *err)
{
    char **names;
    size_t n;
    int rc = mlpi_dir_entries(path, &names, &n, err);

    for (size_t i = 0; rc == MLP_OK && i < n; i++) {
        char child[4096], crel[4096];
        struct stat st;

        if (mlpi_path_join(child, sizeof child, path, names[i]) != MLP_OK ||
            mlpi_path_join(crel, sizeof crel, rel, names[i]) != MLP_OK) {
            rc = mlp_error_set(err, MLP_EINVAL, "%s: path too long", path);
            break;
        }
        if (lstat(child, &st) != 0) {
            rc = mlp_error_set(err, MLP_EIO, "%s: %s", child, strerror(errno));
            break;
        }
        if (dirst != NULL)
            XXH3_128bits_update(dirst, crel, strlen(crel) + 1);
        if (S_ISDIR(st.st_mode)) {
            rc = walk(child, crel, dirst, m, err);
        } else if (!S_ISREG(st.st_mode)) {
            rc = mlp_error_set(err, dirst ? MLP_EINVAL : MLP_ECORRUPT,
                               "%s is %s, not a regular file: an artifact "
                               "holds only files and directories", crel,
                               S_ISLNK(st.st_mode) ? "a symbolic link"
                                                   : "a special file");
        } else if (dirst != NULL) {
            char hash[MLPI_HASH_HEX];
            rc = hash_one(child, dirst, hash, &st, err);
            if (rc == MLP_OK &&
                mlpi_manifest_add(m, crel, (int64_t)st.st_size, hash,
                                  (int64_t)st.st_dev, (int64_t)st.st_ino,
                                  mlpi_timespec_ns(&st.st_mtim),
                                  mlpi_timespec_ns(&st.st_ctim)) != MLP_OK)
                rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
        } else {
            mlpi_mfile key = { .name = crel };
            if (bsearch(&key, m->files, m->n, sizeof *m->files, cmp_files) == NULL)
                rc = mlp_error_set(err, MLP_ECORRUPT,
                                   "unexpected file %s: it was not part of "
                                   "the artifact when it was published", crel);
        }
    }
    mlpi_dir_entries_free(names, n);
    return rc;
}

int mlpi_manifest_build(const char *dir, mlpi_manifest *m,
                        char fingerprint[MLPI_HASH_HEX], mlp_error *err)
{
    XXH3_state_t *st = XXH3_createState();
    int rc;

    if (st == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    XXH3_128bits_reset(st);
    rc = walk(dir, "", st, m, err);
    if (rc == MLP_OK)
        hex128(XXH3_128bits_digest(st), fingerprint);
    XXH3_freeState(st);
    mlpi_manifest_sort(m);
    return rc;
}

static int same_identity(const mlpi_mfile *f, const struct stat *st)
{
    return f->size == (int64_t)st->st_size && f->dev == (int64_t)st->st_dev &&
           f->ino == (int64_t)st->st_ino &&
           f->mtime_ns == mlpi_timespec_ns(&st->st_mtim) &&
           f->ctime_ns == mlpi_timespec_ns(&st->st_ctim);
}

int mlpi_manifest_check(const char *dir, mlpi_manifest *m, int full,
                        size_t *n_refreshed, mlp_error *err)
{
    size_t refreshed = 0;
    int rc = MLP_OK;

    for (size_t i = 0; rc == MLP_OK && i < m->n; i++) {
        mlpi_mfile *f = &m->files[i];
        char path[4096], hash[MLPI_HASH_HEX];
        struct stat st;

        if (mlpi_path_join(path, sizeof path, dir, f->name) != MLP_OK)
            return mlp_error_set(err, MLP_EINVAL, "%s/%s: path too long", dir,
                                 f->name);
        if (lstat(path, &st) != 0) {
            if (errno == ENOENT || errno == ENOTDIR)
                return mlp_error_set(err, MLP_ECORRUPT, "file %s is missing",
                                     f->name);
            return mlp_error_set(err, MLP_EIO, "%s: %s", path, strerror(errno));
        }
        if (!S_ISREG(st.st_mode))
            return mlp_error_set(err, MLP_ECORRUPT,
                                 "%s is no longer a regular file", f->name);
        if (!full && same_identity(f, &st))
            continue;
        rc = hash_one(path, NULL, hash, &st, err);
        if (rc != MLP_OK)
            break;
        if ((int64_t)st.st_size != f->size)
            return mlp_error_set(err, MLP_ECORRUPT,
                                 "file %s changed: %lld bytes, %lld when "
                                 "published", f->name, (long long)st.st_size,
                                 (long long)f->size);
        if (strcmp(hash, f->hash) != 0)
            return mlp_error_set(err, MLP_ECORRUPT,
                                 "file %s changed: its content differs from "
                                 "what was published", f->name);
        if (!same_identity(f, &st)) {
            f->dev = (int64_t)st.st_dev;
            f->ino = (int64_t)st.st_ino;
            f->mtime_ns = mlpi_timespec_ns(&st.st_mtim);
            f->ctime_ns = mlpi_timespec_ns(&st.st_ctim);
            f->refreshed = 1;
            refreshed++;
        }
    }
    if (rc == MLP_OK)
        rc = walk(dir, "", NULL, m, err);
    if (n_refreshed != NULL)
        *n_refreshed = refreshed;
    return rc;
}

cJSON *mlpi_manifest_to_json(const mlpi_manifest *m)
{
    cJSON *a = cJSON_CreateArray();

    for (size_t i = 0; a != NULL && i < m->n; i++) {
        cJSON *o = cJSON_CreateObject();
        if (o == NULL) {
            cJSON_Delete(a);
            return NULL;
        }
        cJSON_AddStringToObject(o, "name", m->files[i].name);
        cJSON_AddNumberToObject(o, "size", (double)m->files[i].size);
        cJSON_AddStringToObject(o, "hash", m->files[i].hash);
        cJSON_AddItemToArray(a, o);
    }
    return a;
}

int mlpi_manifest_from_json(const cJSON *files, mlpi_manifest *m,
                            mlp_error *err)
{
    const cJSON *f;

    if (!cJSON_IsArray(files))
        return mlp_error_set(err, MLP_EFORMAT, "files: expected a list");
    cJSON_ArrayForEach(f, files) {
        const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(f, "name"));
        const char *hash = cJSON_GetStringValue(cJSON_GetObjectItem(f, "hash"));
        const cJSON *size = cJSON_GetObjectItem(f, "size");
        if (name == NULL || hash == NULL || strlen(hash) != MLPI_HASH_HEX - 1 ||
            !cJSON_IsNumber(size) || size->valuedouble < 0 || name[0] == '/' ||
            strstr(name, "..") != NULL)
            return mlp_error_set(err, MLP_EFORMAT,
                                 "files: an entry lacks a valid name, size or "
                                 "hash");
        if (mlpi_manifest_add(m, name, (int64_t)size->valuedouble, hash, 0, 0,
                              0, 0) != MLP_OK)
            return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    }
    mlpi_manifest_sort(m);
    return MLP_OK;
}
