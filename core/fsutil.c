/* File-system helpers: recursive mkdir and removal, atomic writes, and the
 * content hashes behind artifact fingerprints. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>
#include <xxhash.h>

#include "fsutil.h"

int mlpi_path_join(char *buf, size_t size, const char *a, const char *b)
{
    int n;

    if (b[0] == '/' || a[0] == '\0')
        n = snprintf(buf, size, "%s", b);
    else
        n = snprintf(buf, size, "%s%s%s", a,
                     a[strlen(a) - 1] == '/' ? "" : "/", b);
    return (n < 0 || (size_t)n >= size) ? MLP_EINVAL : MLP_OK;
}

int mlpi_is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int mlpi_is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int mlpi_exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

int mlpi_mkdir_p(const char *path, mlp_error *err)
{
    char buf[4096];
    size_t n = strlen(path);

    if (n == 0 || n >= sizeof buf)
        return mlp_error_set(err, MLP_EINVAL, "%s: path too long", path);
    memcpy(buf, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] != '/' && buf[i] != '\0')
            continue;
        buf[i] = '\0';
        if (mkdir(buf, 0755) != 0 && errno != EEXIST)
            return mlp_error_set(err, MLP_EIO, "cannot create directory %s: %s",
                                 buf, strerror(errno));
        if (i < n)
            buf[i] = '/';
    }
    if (!mlpi_is_dir(path))
        return mlp_error_set(err, MLP_EIO, "%s exists and is not a directory",
                             path);
    return MLP_OK;
}

int mlpi_rm_rf(const char *path, mlp_error *err)
{
    struct stat st;
    DIR *d;
    struct dirent *e;
    char child[4096];
    int rc = MLP_OK;

    if (lstat(path, &st) != 0)
        return errno == ENOENT ? MLP_OK
               : mlp_error_set(err, MLP_EIO, "%s: %s", path, strerror(errno));
    if (!S_ISDIR(st.st_mode)) {
        if (unlink(path) != 0)
            return mlp_error_set(err, MLP_EIO, "cannot remove %s: %s", path,
                                 strerror(errno));
        return MLP_OK;
    }
    d = opendir(path);
    if (d == NULL)
        return mlp_error_set(err, MLP_EIO, "cannot open %s: %s", path,
                             strerror(errno));
    while (rc == MLP_OK && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (mlpi_path_join(child, sizeof child, path, e->d_name) != MLP_OK)
            rc = mlp_error_set(err, MLP_EINVAL, "%s: path too long", path);
        else
            rc = mlpi_rm_rf(child, err);
    }
    closedir(d);
    if (rc == MLP_OK && rmdir(path) != 0)
        rc = mlp_error_set(err, MLP_EIO, "cannot remove %s: %s", path,
                           strerror(errno));
    return rc;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int mlpi_dir_entries(const char *path, char ***names, size_t *n, mlp_error *err)
{
    DIR *d = opendir(path);
    struct dirent *e;
    size_t cap = 0;

    *names = NULL;
    *n = 0;
    if (d == NULL)
        return mlp_error_set(err, errno == ENOENT ? MLP_ENOTFOUND : MLP_EIO,
                             "cannot open %s: %s", path, strerror(errno));
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (*n == cap) {
            char **nn;
            cap = cap ? cap * 2 : 16;
            nn = realloc(*names, cap * sizeof **names);
            if (nn == NULL)
                break;
            *names = nn;
        }
        if (((*names)[*n] = strdup(e->d_name)) == NULL)
            break;
        (*n)++;
    }
    closedir(d);
    if (e != NULL) {
        for (size_t i = 0; i < *n; i++)
            free((*names)[i]);
        free(*names);
        *names = NULL;
        *n = 0;
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    }
    if (*n > 1)
        qsort(*names, *n, sizeof **names, cmp_names);
    return MLP_OK;
}

void mlpi_dir_entries_free(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

int mlpi_read_file(const char *path, char **out, size_t *len, mlp_error *err)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t cap = 0, n = 0;

    *out = NULL;
    if (f == NULL)
        return mlp_error_set(err, errno == ENOENT ? MLP_ENOTFOUND : MLP_EIO,
                             "cannot open %s: %s", path, strerror(errno));
    for (;;) {
        if (cap - n < 65536) {
            char *nb;
            cap = cap ? cap * 2 : 65536;
            nb = realloc(buf, cap + 1);
            if (nb == NULL) {
                free(buf);
                fclose(f);
                return mlp_error_set(err, MLP_ENOMEM, "%s: out of memory", path);
            }
            buf = nb;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        free(buf);
        fclose(f);
        return mlp_error_set(err, MLP_EIO, "cannot read %s", path);
    }
    fclose(f);
    buf[n] = '\0';
    *out = buf;
    if (len != NULL)
        *len = n;
    return MLP_OK;
}

int mlpi_write_file_atomic(const char *path, const void *data, size_t len,
                           mlp_error *err)
{
    char tmp[4096];
    int fd;
    const char *p = data;
    size_t left = len;

    if (snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid())
        >= (int)sizeof tmp)
        return mlp_error_set(err, MLP_EINVAL, "%s: path too long", path);
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return mlp_error_set(err, MLP_EIO, "cannot create %s: %s", tmp,
                             strerror(errno));
    while (left > 0) {
        ssize_t w = write(fd, p, left);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            mlp_error_set(err, MLP_EIO, "cannot write %s: %s", tmp,
                          strerror(errno));
            close(fd);
            unlink(tmp);
            return MLP_EIO;
        }
        p += w;
        left -= (size_t)w;
    }
    if (fsync(fd) != 0 || close(fd) != 0) {
        mlp_error_set(err, MLP_EIO, "cannot write %s: %s", tmp, strerror(errno));
        unlink(tmp);
        return MLP_EIO;
    }
    if (rename(tmp, path) != 0) {
        mlp_error_set(err, MLP_EIO, "cannot rename %s to %s: %s", tmp, path,
                      strerror(errno));
        unlink(tmp);
        return MLP_EIO;
    }
    return MLP_OK;
}

void mlpi_fsync_dir(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
}

double mlpi_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

double mlpi_monotonic(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int64_t mlpi_timespec_ns(const struct timespec *t)
{
    return (int64_t)t->tv_sec * 1000000000 + t->tv_nsec;
}

void mlpi_file_id_from(const struct stat *st, mlpi_file_id *id)
{
    id->dev = (int64_t)st->st_dev;
    id->ino = (int64_t)st->st_ino;
    id->size = (int64_t)st->st_size;
    id->mtime_ns = mlpi_timespec_ns(&st->st_mtim);
    id->ctime_ns = mlpi_timespec_ns(&st->st_ctim);
}

int mlpi_file_id_of(const char *path, mlpi_file_id *id, mlp_error *err)
{
    struct stat st;

    if (stat(path, &st) != 0)
        return mlp_error_set(err, errno == ENOENT ? MLP_ENOTFOUND : MLP_EIO,
                             "%s: %s", path, strerror(errno));
    mlpi_file_id_from(&st, id);
    return MLP_OK;
}

int mlpi_file_id_equal(const mlpi_file_id *a, const mlpi_file_id *b)
{
    return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
           a->mtime_ns == b->mtime_ns && a->ctime_ns == b->ctime_ns;
}

static void hex128(XXH128_hash_t h, char out[MLPI_HASH_HEX])
{
    snprintf(out, MLPI_HASH_HEX, "%016llx%016llx",
             (unsigned long long)h.high64, (unsigned long long)h.low64);
}

void mlpi_hash_bytes(const void *data, size_t len, char out[MLPI_HASH_HEX])
{
    hex128(XXH3_128bits(data, len), out);
}

static int hash_file_into(XXH3_state_t *st, const char *path, mlp_error *err)
{
    char buf[1 << 16];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n;

    if (fd < 0)
        return mlp_error_set(err, MLP_EIO, "cannot open %s: %s", path,
                             strerror(errno));
    while ((n = read(fd, buf, sizeof buf)) > 0)
        XXH3_128bits_update(st, buf, (size_t)n);
    close(fd);
    if (n < 0)
        return mlp_error_set(err, MLP_EIO, "cannot read %s: %s", path,
                             strerror(errno));
    return MLP_OK;
}

int mlpi_hash_file(const char *path, char out[MLPI_HASH_HEX], mlp_error *err)
{
    XXH3_state_t *st = XXH3_createState();
    int rc;

    if (st == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    XXH3_128bits_reset(st);
    rc = hash_file_into(st, path, err);
    if (rc == MLP_OK)
        hex128(XXH3_128bits_digest(st), out);
    XXH3_freeState(st);
    return rc;
}
