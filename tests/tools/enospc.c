/* LD_PRELOAD fault injection for the disk-full tests: once the bytes
 * written to files whose path contains $MLPIPE_ENOSPC_PATH pass
 * $MLPIPE_ENOSPC_AFTER, every further write to such a file fails with
 * ENOSPC, as on a full file system. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

static long long written;

static int full(int fd, size_t n)
{
    const char *pat = getenv("MLPIPE_ENOSPC_PATH");
    const char *after = getenv("MLPIPE_ENOSPC_AFTER");
    char link[64], path[4096];
    ssize_t len;

    if (pat == NULL || fd < 0)
        return 0;
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    len = readlink(link, path, sizeof path - 1);
    if (len <= 0)
        return 0;
    path[len] = '\0';
    if (strstr(path, pat) == NULL)
        return 0;
    if (written + (long long)n > (after ? atoll(after) : 0)) {
        errno = ENOSPC;
        return 1;
    }
    written += (long long)n;
    return 0;
}

typedef ssize_t (*write_fn)(int, const void *, size_t);
typedef ssize_t (*pwrite_fn)(int, const void *, size_t, off_t);
typedef ssize_t (*writev_fn)(int, const struct iovec *, int);

#define REAL(name, type) \
    static type real_##name; \
    if (real_##name == NULL) \
        real_##name = (type)dlsym(RTLD_NEXT, #name)

ssize_t write(int fd, const void *buf, size_t n)
{
    REAL(write, write_fn);
    return full(fd, n) ? -1 : real_write(fd, buf, n);
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
    REAL(pwrite, pwrite_fn);
    return full(fd, n) ? -1 : real_pwrite(fd, buf, n, off);
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off)
{
    REAL(pwrite64, pwrite_fn);
    return full(fd, n) ? -1 : real_pwrite64(fd, buf, n, off);
}

ssize_t writev(int fd, const struct iovec *iov, int cnt)
{
    size_t n = 0;
    REAL(writev, writev_fn);
    for (int i = 0; i < cnt; i++)
        n += iov[i].iov_len;
    return full(fd, n) ? -1 : real_writev(fd, iov, cnt);
}
