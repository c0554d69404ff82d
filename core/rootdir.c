/* Pipeline roots: resolution, the writer's lock, locations and guarded
 * deletes.  See rootdir.h for the rules. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fsutil.h"
#include "rootdir.h"

int mlpi_root_resolve(const char *root, char *buf, size_t size, mlp_error *err)
{
    char tmp[PATH_MAX];

    if (realpath(root, tmp) == NULL)
        return errno == ENOENT
               ? mlp_error_set(err, MLP_ENOTFOUND, "no pipeline root at %s "
                               "(give it with --root DIR or MLPIPE_ROOT)", root)
               : mlp_error_set(err, MLP_EIO, "pipeline root %s: %s", root,
                               strerror(errno));
    if (!mlpi_is_dir(tmp))
        return mlp_error_set(err, MLP_EINVAL,
                             "pipeline root %s is not a directory", root);
    if (strlen(tmp) >= size)
        return mlp_error_set(err, MLP_EINVAL, "pipeline root %s: path too long",
                             root);
    memcpy(buf, tmp, strlen(tmp) + 1);
    return MLP_OK;
}

int mlpi_root_would_be(const char *root, char *buf, size_t size)
{
    char path[PATH_MAX], rest[PATH_MAX] = "", real[PATH_MAX];
    char *slash;

    if (root[0] == '/')
        snprintf(path, sizeof path, "%s", root);
    else if (getcwd(path, sizeof path) == NULL ||
             strlen(path) + strlen(root) + 2 > sizeof path)
        return MLP_EINVAL;
    else
        snprintf(path + strlen(path), sizeof path - strlen(path), "/%s", root);
    /* The longest part that exists, resolved; the rest as written. */
    while (realpath(path, real) == NULL) {
        char tmp[PATH_MAX];
        slash = strrchr(path, '/');
        if (slash == NULL || slash == path)
            return MLP_EINVAL;
        snprintf(tmp, sizeof tmp, "%s%s", slash, rest);
        snprintf(rest, sizeof rest, "%s", tmp);
        *slash = '\0';
    }
    if ((size_t)snprintf(buf, size, "%s%s", strcmp(real, "/") == 0 && rest[0]
                         ? "" : real, rest) >= size)
        return MLP_EINVAL;
    return MLP_OK;
}

int mlpi_root_check_place(const char *root_abs, mlp_error *err)
{
    static const char *const managed[] = { "artifacts", ".tmp", "logs", NULL };
    char anc[PATH_MAX];
    char *slash;

    if (strcmp(root_abs, "/") == 0)
        return mlp_error_set(err, MLP_EINVAL, "the file system's root directory "
                             "cannot be a pipeline root");
    snprintf(anc, sizeof anc, "%s", root_abs);
    while ((slash = strrchr(anc, '/')) != NULL && slash != anc) {
        char store[PATH_MAX + 32];
        *slash = '\0';
        snprintf(store, sizeof store, "%s/metadata.sqlite", anc);
        if (!mlpi_exists(store))
            continue;
        for (int i = 0; managed[i]; i++) {
            size_t n = strlen(anc);
            size_t m = strlen(managed[i]);
            if (strncmp(root_abs + n + 1, managed[i], m) == 0 &&
                (root_abs[n + 1 + m] == '/' || root_abs[n + 1 + m] == '\0'))
                return mlp_error_set(err, MLP_EINVAL,
                                     "pipeline root %s lies inside %s/%s, which "
                                     "the pipeline root %s manages (and cleans "
                                     "up); choose a directory outside it",
                                     root_abs, anc, managed[i], anc);
        }
    }
    return MLP_OK;
}

/* The pid the holder wrote, or 0. */
static long holder_pid(const char *root_abs)
{
    char path[PATH_MAX], *text = NULL;
    long pid = 0;

    if (mlpi_path_join(path, sizeof path, root_abs, ".lock") == MLP_OK &&
        mlpi_read_file(path, &text, NULL, NULL) == MLP_OK)
        pid = strtol(text, NULL, 10);
    free(text);
    return pid;
}

static void describe_holder(const char *root_abs, char *buf, size_t size)
{
    long pid = holder_pid(root_abs);

    if (pid > 0)
        snprintf(buf, size, "mlpipe process %ld", pid);
    else
        snprintf(buf, size, "another mlpipe process");
}

int mlpi_root_lock(const char *root_abs, int wait, int *fd, mlp_error *err)
{
    char path[PATH_MAX], who[128], pid[32];
    int d, lf;

    *fd = -1;
    d = open(root_abs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (d < 0)
        return mlp_error_set(err, MLP_EIO, "cannot open pipeline root %s: %s",
                             root_abs, strerror(errno));
    if (flock(d, LOCK_EX | LOCK_NB) != 0) {
        if (errno != EWOULDBLOCK) {
            mlp_error_set(err, MLP_EIO, "cannot lock pipeline root %s: %s",
                          root_abs, strerror(errno));
            close(d);
            return MLP_EIO;
        }
        describe_holder(root_abs, who, sizeof who);
        if (!wait) {
            close(d);
            return mlp_error_set(err, MLP_ESTATE,
                                 "%s is running a pipeline on %s; wait for it "
                                 "to finish (or pass --wait)", who, root_abs);
        }
        fprintf(stderr, "mlpipe: waiting for %s to release %s\n", who, root_abs);
        while (flock(d, LOCK_EX) != 0) {
            if (errno != EINTR) {
                mlp_error_set(err, MLP_EIO, "cannot lock pipeline root %s: %s",
                              root_abs, strerror(errno));
                close(d);
                return MLP_EIO;
            }
        }
    }
    /* For the message others print; the lock itself is the flock above. */
    snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
    if (mlpi_path_join(path, sizeof path, root_abs, ".lock") == MLP_OK) {
        lf = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (lf >= 0) {
            if (write(lf, pid, strlen(pid)) < 0) {
                /* informational only */
            }
            close(lf);
        }
    }
    *fd = d;
    return MLP_OK;
}

void mlpi_root_unlock(int fd)
{
    if (fd >= 0)
        close(fd);
}

int mlpi_root_path(const char *root_abs, const char *loc, char *buf,
                   size_t size, mlp_error *err)
{
    const char *p = loc;

    if (loc == NULL || strncmp(loc, "artifacts/", 10) != 0)
        goto bad;
    /* Reject "." and ".." components and empty ones. */
    while (*p) {
        const char *slash = strchr(p, '/');
        size_t n = slash ? (size_t)(slash - p) : strlen(p);
        if (n == 0 || (n == 1 && p[0] == '.') ||
            (n == 2 && p[0] == '.' && p[1] == '.'))
            goto bad;
        p += n + (slash != NULL);
        if (slash != NULL && *p == '\0')
            goto bad;
    }
    if (mlpi_path_join(buf, size, root_abs, loc) != MLP_OK)
        return mlp_error_set(err, MLP_EINVAL, "%s/%s: path too long", root_abs,
                             loc);
    return MLP_OK;
bad:
    return mlp_error_set(err, MLP_ECORRUPT,
                         "the metadata store of %s holds the location '%s', "
                         "which is not a path inside the root's artifacts/",
                         root_abs, loc ? loc : "(null)");
}

/* 1 when resolved lies strictly below dir (both symlink-free). */
static int strictly_below(const char *resolved, const char *dir)
{
    size_t n = strlen(dir);

    return strncmp(resolved, dir, n) == 0 && resolved[n] == '/' &&
           resolved[n + 1] != '\0';
}

int mlpi_root_mkdir(const char *root_abs, const char *path, mlp_error *err)
{
    size_t n = strlen(root_abs);
    char buf[PATH_MAX];

    if (strncmp(path, root_abs, n) != 0 || path[n] != '/' ||
        strlen(path) >= sizeof buf)
        return mlp_error_set(err, MLP_EINVAL, "%s is not inside the pipeline "
                             "root %s", path, root_abs);
    memcpy(buf, path, strlen(path) + 1);
    for (size_t i = n + 1;; i++) {
        struct stat st;
        char c = buf[i];
        if (c != '/' && c != '\0')
            continue;
        buf[i] = '\0';
        if (mkdir(buf, 0755) != 0 && errno != EEXIST)
            return mlp_error_set(err, MLP_EIO, "cannot create directory %s: %s",
                                 buf, strerror(errno));
        if (lstat(buf, &st) != 0 || !S_ISDIR(st.st_mode))
            return mlp_error_set(err, MLP_EIO, "%s is %s, not a directory: "
                                 "what mlpipe writes stays inside the root",
                                 buf, S_ISLNK(st.st_mode) ? "a symbolic link"
                                                          : "something else");
        if (c == '\0')
            break;
        buf[i] = c;
    }
    return MLP_OK;
}

int mlpi_root_remove(const char *root_abs, const char *path, mlp_error *err)
{
    char parent[PATH_MAX], rparent[PATH_MAX], full[PATH_MAX];
    char arts[PATH_MAX], tmp[PATH_MAX];
    const char *base;
    struct stat st;

    if (lstat(path, &st) != 0 && errno == ENOENT)
        return MLP_OK;
    /* Resolve the parent, not the path: the last component may itself be
     * a symlink, which rm_rf removes without following. */
    if (strlen(path) >= sizeof parent)
        return mlp_error_set(err, MLP_EINVAL, "%s: path too long", path);
    strcpy(parent, path);
    base = strrchr(parent, '/');
    if (base == NULL || base == parent)
        goto refuse;
    parent[base - parent] = '\0';
    base = path + (base - parent) + 1;
    if (realpath(parent, rparent) == NULL)
        goto refuse;
    if (strcmp(base, ".") == 0 || strcmp(base, "..") == 0 || base[0] == '\0')
        goto refuse;
    snprintf(full, sizeof full, "%s/%s", rparent, base);
    snprintf(arts, sizeof arts, "%s/artifacts", root_abs);
    snprintf(tmp, sizeof tmp, "%s/.tmp", root_abs);
    if (!strictly_below(full, arts) && !strictly_below(full, tmp) &&
        strcmp(full, tmp) != 0)
        goto refuse;
    return mlpi_rm_rf(full, err);
refuse:
    return mlp_error_set(err, MLP_ESTATE,
                         "refusing to remove %s: it is not inside %s/artifacts "
                         "or %s/.tmp", path, root_abs, root_abs);
}

void mlpi_root_prune(const char *root_abs, const char *output_dir)
{
    char parent[PATH_MAX];
    char *slash;
    DIR *d;
    struct dirent *e;
    int others = 0;

    snprintf(parent, sizeof parent, "%s", output_dir);
    slash = strrchr(parent, '/');
    if (slash == NULL)
        return;
    *slash = '\0';
    d = opendir(parent);
    if (d == NULL)
        return;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0 &&
            strcmp(e->d_name, "execution.json") != 0)
            others = 1;
    closedir(d);
    if (!others)
        mlpi_root_remove(root_abs, parent, NULL);
}

void mlpi_root_exec_dir(long long exec_id, char *buf, size_t size)
{
    unsigned int r = 0;

    if (getrandom(&r, sizeof r, 0) != (ssize_t)sizeof r) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        r = (unsigned int)(ts.tv_nsec ^ (getpid() << 16) ^ ts.tv_sec);
    }
    snprintf(buf, size, "%lld-%08x", exec_id, r);
}
