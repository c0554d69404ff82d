/* Writing a user-named output file safely (see outfile.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "outfile.h"

/* Whether directory dir (resolved) is `sub` of root or beneath it. */
static int inside(const char *dir, const char *root, const char *sub)
{
    char rd[PATH_MAX], rr[PATH_MAX + 16];
    size_t n;

    if (realpath(dir, rd) == NULL || realpath(root, rr) == NULL)
        return 0;
    if (sub != NULL)
        strncat(rr, sub, sizeof rr - strlen(rr) - 1);
    n = strlen(rr);
    return strncmp(rd, rr, n) == 0 && (rd[n] == '\0' || rd[n] == '/');
}

/* Whether dir/base is one of mlpipe's own files in root: the store, the
 * lock, and everything under artifacts/, logs/ and .tmp/. */
static int reserved(const char *dir, const char *base, const char *root)
{
    static const char *const own[] = { "metadata.sqlite", ".lock",
                                       ".store-checked", "artifacts", "logs",
                                       ".tmp", NULL };

    if (inside(dir, root, "/artifacts") || inside(dir, root, "/logs") ||
        inside(dir, root, "/.tmp"))
        return 1;
    if (!inside(dir, root, NULL))
        return 0;
    {
        char rd[PATH_MAX], rr[PATH_MAX];
        if (realpath(dir, rd) == NULL || realpath(root, rr) == NULL ||
            strcmp(rd, rr) != 0)
            return 0;  /* a folder of the user's own inside the root */
    }
    for (const char *const *o = own; *o; o++)
        if (strncmp(base, *o, strlen(*o)) == 0)
            return 1;
    return 0;
}

int mlpi_outfile_open(mlpi_outfile *o, const char *path, const char *root,
                      mlp_error *err)
{
    char dir[4096], base[4096];
    struct stat st;
    mode_t mode, mask;
    int fd;

    memset(o, 0, sizeof *o);
    if (*path == '\0' || strlen(path) >= sizeof o->path - 16)
        return mlp_error_set(err, MLP_EINVAL, "'%s' is not a usable file name",
                             path);
    snprintf(o->path, sizeof o->path, "%s", path);
    char scratch[4096];
    snprintf(scratch, sizeof scratch, "%s", path);
    snprintf(dir, sizeof dir, "%s", dirname(scratch));
    snprintf(scratch, sizeof scratch, "%s", path);
    snprintf(base, sizeof base, "%s", basename(scratch));
    if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode))
        return mlp_error_set(err, MLP_EINVAL, "%s is %s, not a regular file: "
                             "give a file name to write", path,
                             S_ISLNK(st.st_mode) ? "a symbolic link"
                             : S_ISDIR(st.st_mode) ? "a directory"
                             : "a device or special file");
    if (root != NULL && reserved(dir, base, root))
        return mlp_error_set(err, MLP_EINVAL, "%s is one of the files mlpipe "
                             "keeps in the pipeline root %s (the store, the "
                             "lock, artifacts/, logs/): write it elsewhere",
                             path, root);
    mask = umask(0);
    umask(mask);
    mode = lstat(path, &st) == 0 ? (st.st_mode & 07777) : (0666 & ~mask);
    snprintf(o->tmp, sizeof o->tmp, "%s/.%s.XXXXXX", dir, base);
    fd = mkstemp(o->tmp);
    if (fd < 0) {
        int e = errno;
        o->tmp[0] = '\0';
        return mlp_error_set(err, MLP_EIO, "cannot write in %s: %s", dir,
                             strerror(e));
    }
    if (fchmod(fd, mode) != 0 || (o->f = fdopen(fd, "w")) == NULL) {
        int e = errno;
        close(fd);
        mlpi_outfile_abandon(o);
        return mlp_error_set(err, MLP_EIO, "cannot write %s: %s", o->tmp,
                             strerror(e));
    }
    return MLP_OK;
}

int mlpi_outfile_commit(mlpi_outfile *o, mlp_error *err)
{
    int bad = ferror(o->f) || fflush(o->f) != 0 || fsync(fileno(o->f)) != 0;
    int e = errno;

    if (fclose(o->f) != 0 && !bad) {
        bad = 1;
        e = errno;
    }
    o->f = NULL;
    if (!bad && rename(o->tmp, o->path) != 0) {
        bad = 1;
        e = errno;
    }
    if (bad) {
        mlpi_outfile_abandon(o);
        return mlp_error_set(err, MLP_EIO, "cannot write %s: %s", o->path,
                             strerror(e));
    }
    o->tmp[0] = '\0';
    return MLP_OK;
}

void mlpi_outfile_abandon(mlpi_outfile *o)
{
    if (o->f != NULL) {
        fclose(o->f);
        o->f = NULL;
    }
    if (o->tmp[0] != '\0')
        unlink(o->tmp);
    o->tmp[0] = '\0';
}
