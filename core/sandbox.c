/* The write sandbox of a node's child (see sandbox.h). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sandbox.h"

/* Rights of later Landlock ABIs, for older kernel headers. */
#ifndef LANDLOCK_ACCESS_FS_REFER
#define LANDLOCK_ACCESS_FS_REFER (1ULL << 13)
#endif
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)
#endif

int mlpi_sandbox_available(const char **why)
{
    const char *env = getenv("MLPIPE_SANDBOX");
    long abi;

    if (env != NULL && strcmp(env, "off") == 0) {
        *why = "MLPIPE_SANDBOX=off";
        return 0;
    }
    abi = syscall(SYS_landlock_create_ruleset, NULL, 0,
                  LANDLOCK_CREATE_RULESET_VERSION);
    if (abi < 1) {
        *why = errno == EOPNOTSUPP ? "Landlock is disabled in this kernel"
                                   : "this kernel has no Landlock (Linux 5.13+)";
        return 0;
    }
    *why = NULL;
    return (int)abi;
}

static int add_rule(int ruleset, const char *path, __u64 access, mlp_error *err)
{
    struct landlock_path_beneath_attr pb = { .allowed_access = access };
    int rc;

    pb.parent_fd = open(path, O_PATH | O_CLOEXEC);
    if (pb.parent_fd < 0)
        return mlp_error_set(err, MLP_EIO, "write sandbox: cannot open %s: %s",
                             path, strerror(errno));
    rc = (int)syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH,
                      &pb, 0);
    close(pb.parent_fd);
    if (rc != 0)
        return mlp_error_set(err, MLP_EIO, "write sandbox: cannot allow %s: %s",
                             path, strerror(errno));
    return MLP_OK;
}

/* Set in a sandboxed child: where to note the first refused write, and
 * the directory writes are allowed in (resolved, with a trailing '/'). */
static char marker[4096];
static char allowed[4096];
static volatile int armed;

int mlpi_sandbox_enter(const char *dir, const char *extra, const char *marker_path,
                       mlp_error *err)
{
    const char *why;
    int abi = mlpi_sandbox_available(&why);
    __u64 writes = LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_REMOVE_DIR |
                   LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_MAKE_CHAR |
                   LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_MAKE_REG |
                   LANDLOCK_ACCESS_FS_MAKE_SOCK | LANDLOCK_ACCESS_FS_MAKE_FIFO |
                   LANDLOCK_ACCESS_FS_MAKE_BLOCK | LANDLOCK_ACCESS_FS_MAKE_SYM;
    __u64 file_writes = LANDLOCK_ACCESS_FS_WRITE_FILE;
    struct landlock_ruleset_attr attr;
    int ruleset, rc;

    if (abi == 0)
        return MLP_OK;  /* the parent said once that the sandbox is off */
    if (abi >= 2)
        writes |= LANDLOCK_ACCESS_FS_REFER;
    if (abi >= 3) {
        writes |= LANDLOCK_ACCESS_FS_TRUNCATE;
        file_writes |= LANDLOCK_ACCESS_FS_TRUNCATE;
    }
    memset(&attr, 0, sizeof attr);
    attr.handled_access_fs = writes;
    ruleset = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof attr, 0);
    if (ruleset < 0)
        return mlp_error_set(err, MLP_EIO, "write sandbox: %s", strerror(errno));
    rc = add_rule(ruleset, dir, writes, err);
    if (rc == MLP_OK && extra != NULL)
        rc = add_rule(ruleset, extra, writes, err);
    if (rc == MLP_OK)
        rc = add_rule(ruleset, "/dev/null", file_writes, err);
    if (rc == MLP_OK && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        rc = mlp_error_set(err, MLP_EIO, "write sandbox: no_new_privs: %s",
                           strerror(errno));
    if (rc == MLP_OK && syscall(SYS_landlock_restrict_self, ruleset, 0) != 0)
        rc = mlp_error_set(err, MLP_EIO, "write sandbox: %s", strerror(errno));
    close(ruleset);
    if (rc == MLP_OK) {
        char real[4096];
        snprintf(marker, sizeof marker, "%s", marker_path);
        snprintf(allowed, sizeof allowed, "%s/",
                 realpath(dir, real) ? real : dir);
        armed = 1;
    }
    return rc;
}

/* ------------------------------------------------ naming refused writes */

/* Whether EACCES on a write to path came from the sandbox rather than from
 * file permissions: access() is not confined by Landlock, so it answers as
 * the permissions alone would. */
static int sandbox_refused(const char *path, int at_create)
{
    char dir[4096], *slash;

    if (faccessat(AT_FDCWD, path, W_OK, AT_EACCESS) == 0)
        return 1;
    if (errno != ENOENT || !at_create)
        return 0;
    snprintf(dir, sizeof dir, "%s", path);
    slash = strrchr(dir, '/');
    if (slash == NULL)
        snprintf(dir, sizeof dir, ".");
    else if (slash == dir)
        dir[1] = '\0';
    else
        *slash = '\0';
    return faccessat(AT_FDCWD, dir, W_OK, AT_EACCESS) == 0;
}

/* Notes the first write the sandbox refused, with an absolute path.  Raw
 * system calls only: this runs inside the wrapped functions. */
static void note(const char *path, int saved_errno, int at_create)
{
    char line[8192], cwd[4096];
    int fd, n;

    if (!armed || saved_errno != EACCES || path == NULL) {
        errno = saved_errno;
        return;
    }
    if (path[0] != '/' && syscall(SYS_getcwd, cwd, sizeof cwd) > 0)
        n = snprintf(line, sizeof line, "%s/%s\n", cwd, path);
    else
        n = snprintf(line, sizeof line, "%s\n", path);
    /* A path where writes are allowed is not what the sandbox refused
     * (a rename names both ends); nor is one the permissions forbid. */
    if (strncmp(line, allowed, strlen(allowed)) == 0 ||
        !sandbox_refused(path, at_create)) {
        errno = saved_errno;
        return;
    }
    armed = 0;
    fd = (int)syscall(SYS_openat, AT_FDCWD, marker,
                      O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd >= 0) {
        if (n > 0 && write(fd, line, (size_t)n < sizeof line ? (size_t)n
                                                             : sizeof line - 1) < 0)
            n = 0;
        close(fd);
    }
    errno = saved_errno;
}

static int opens_for_write(int flags)
{
    return (flags & (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC)) != 0;
}

static mode_t mode_arg(int flags, va_list ap)
{
    /* As glibc decides whether a mode was passed. */
    int needs = (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE;
    return needs ? (mode_t)va_arg(ap, int) : 0;
}

static int do_openat(int dirfd, const char *path, int flags, mode_t mode)
{
    int fd = (int)syscall(SYS_openat, dirfd, path, flags, mode);

    if (fd < 0 && opens_for_write(flags) && dirfd == AT_FDCWD)
        note(path, errno, (flags & O_CREAT) != 0);
    return fd;
}

int open(const char *path, int flags, ...)
{
    va_list ap;
    mode_t mode;

    va_start(ap, flags);
    mode = mode_arg(flags, ap);
    va_end(ap);
    return do_openat(AT_FDCWD, path, flags, mode);
}

int open64(const char *path, int flags, ...)
{
    va_list ap;
    mode_t mode;

    va_start(ap, flags);
    mode = mode_arg(flags, ap);
    va_end(ap);
    return do_openat(AT_FDCWD, path, flags | O_LARGEFILE, mode);
}

int openat(int dirfd, const char *path, int flags, ...)
{
    va_list ap;
    mode_t mode;

    va_start(ap, flags);
    mode = mode_arg(flags, ap);
    va_end(ap);
    return do_openat(dirfd, path, flags, mode);
}

int creat(const char *path, mode_t mode)
{
    return do_openat(AT_FDCWD, path, O_WRONLY | O_CREAT | O_TRUNC, mode);
}

typedef FILE *(*fopen_fn)(const char *, const char *);

static FILE *wrap_fopen(const char *name, const char *path, const char *how)
{
    fopen_fn real = (fopen_fn)dlsym(RTLD_NEXT, name);
    FILE *f;

    if (real == NULL) {
        errno = ENOSYS;
        return NULL;
    }
    f = real(path, how);
    if (f == NULL && how != NULL && strpbrk(how, "wa+") != NULL)
        note(path, errno, strpbrk(how, "wa") != NULL);
    return f;
}

FILE *fopen(const char *path, const char *how)
{
    return wrap_fopen("fopen", path, how);
}

FILE *fopen64(const char *path, const char *how)
{
    return wrap_fopen("fopen64", path, how);
}

int mkdir(const char *path, mode_t mode)
{
    int rc = (int)syscall(SYS_mkdirat, AT_FDCWD, path, mode);

    if (rc != 0)
        note(path, errno, 1);
    return rc;
}

int unlink(const char *path)
{
    int rc = (int)syscall(SYS_unlinkat, AT_FDCWD, path, 0);

    if (rc != 0)
        note(path, errno, 0);
    return rc;
}

int remove(const char *path)
{
    int rc = (int)syscall(SYS_unlinkat, AT_FDCWD, path, 0);

    if (rc != 0 && errno == EISDIR)
        rc = (int)syscall(SYS_unlinkat, AT_FDCWD, path, AT_REMOVEDIR);
    if (rc != 0)
        note(path, errno, 0);
    return rc;
}

int rmdir(const char *path)
{
    int rc = (int)syscall(SYS_unlinkat, AT_FDCWD, path, AT_REMOVEDIR);

    if (rc != 0)
        note(path, errno, 0);
    return rc;
}

int rename(const char *from, const char *to)
{
    int rc = (int)syscall(SYS_renameat2, AT_FDCWD, from, AT_FDCWD, to, 0);

    if (rc != 0) {
        int e = errno;
        note(from, e, 0);
        note(to, e, 1);
    }
    return rc;
}

int truncate(const char *path, off_t len)
{
    int rc = (int)syscall(SYS_truncate, path, len);

    if (rc != 0)
        note(path, errno, 0);
    return rc;
}

int symlink(const char *target, const char *path)
{
    int rc = (int)syscall(SYS_symlinkat, target, AT_FDCWD, path);

    if (rc != 0)
        note(path, errno, 1);
    return rc;
}

int link(const char *from, const char *to)
{
    int rc = (int)syscall(SYS_linkat, AT_FDCWD, from, AT_FDCWD, to, 0);

    if (rc != 0)
        note(to, errno, 1);
    return rc;
}
