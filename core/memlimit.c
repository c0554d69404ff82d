/* The per-node memory limit (see memlimit.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <unistd.h>

#include "memlimit.h"

int mlpi_size_parse(const char *s, uint64_t *bytes)
{
    static const struct { const char *unit; double mult; } units[] = {
        { "", 1.0 }, { "k", 1024.0 }, { "m", 1048576.0 },
        { "g", 1073741824.0 }, { "t", 1099511627776.0 },
    };
    char *end;
    double v;

    if (s == NULL || *s == '\0' || *s == '-' || *s == '+')
        return MLP_EINVAL;
    errno = 0;
    v = strtod(s, &end);
    if (errno != 0 || end == s || !isfinite(v) || v <= 0)
        return MLP_EINVAL;
    while (*end == ' ')
        end++;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        size_t n = strlen(units[i].unit);
        const char *rest = end + n;
        double b;
        if (strncasecmp(end, units[i].unit, n) != 0)
            continue;
        if (n > 0 && (strcasecmp(rest, "ib") == 0 || strcasecmp(rest, "b") == 0))
            rest += strlen(rest);
        if (*rest != '\0')
            continue;
        b = v * units[i].mult;
        /* Whole bytes, and far below what a 64-bit limit can hold. */
        if (b < 1 || b > 0x1p60 || (n == 0 && b != floor(b)))
            return MLP_EINVAL;
        *bytes = (uint64_t)b;
        return MLP_OK;
    }
    return MLP_EINVAL;
}

void mlpi_size_format(uint64_t bytes, char *buf, size_t size)
{
    static const char *const names[] = { "TiB", "GiB", "MiB", "KiB" };

    for (int i = 0; i < 4; i++) {
        uint64_t unit = 1ull << (10 * (4 - i));
        if (bytes >= unit && bytes % unit == 0) {
            snprintf(buf, size, "%llu %s", (unsigned long long)(bytes / unit),
                     names[i]);
            return;
        }
    }
    snprintf(buf, size, "%llu bytes", (unsigned long long)bytes);
}

/* ------------------------------------------------- refused allocations */

/* Set only in a child with a limit; written from malloc's failure path,
 * so everything here is async-signal-safe and allocates nothing. */
static char marker[4096];
static volatile int armed;

static void mlpi_memlimit_refused(void)
{
    int fd;

    if (!armed)
        return;
    armed = 0;  /* once is enough, and no recursion */
    fd = open(marker, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd >= 0)
        close(fd);
}

/* What the process has mapped privately now, in bytes (VmData). */
static int data_now(uint64_t *out)
{
    char buf[4096];
    ssize_t got;
    int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
    const char *p;

    if (fd < 0)
        return -1;
    got = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (got <= 0)
        return -1;
    buf[got] = '\0';
    p = strstr(buf, "\nVmData:");
    if (p == NULL)
        return -1;
    *out = strtoull(p + 8, NULL, 10) * 1024;
    return 0;
}

int mlpi_memlimit_apply(uint64_t limit, const char *marker_path,
                        mlp_error *err)
{
    struct rlimit rl;
    uint64_t base;

    if (data_now(&base) != 0)
        return mlp_error_set(err, MLP_EIO, "cannot read /proc/self/status to "
                             "set the memory limit");
    snprintf(marker, sizeof marker, "%s", marker_path);
    armed = 1;
    rl.rlim_cur = rl.rlim_max = (rlim_t)(base + limit);
    if (setrlimit(RLIMIT_DATA, &rl) != 0)
        return mlp_error_set(err, MLP_EIO, "cannot set the memory limit: %s",
                             strerror(errno));
    return MLP_OK;
}

/* The malloc family, forwarded to glibc's, noting refusals.  Defined in
 * libmlpipe, which precedes libc in every mlpipe process's lookup order,
 * so plugins' and Lua's allocations come through here too. */
extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t n);
extern void *__libc_memalign(size_t align, size_t n);

void *malloc(size_t n)
{
    void *p = __libc_malloc(n);
    if (p == NULL)
        mlpi_memlimit_refused();
    return p;
}

void *calloc(size_t n, size_t size)
{
    void *p = __libc_calloc(n, size);
    if (p == NULL && n != 0 && size != 0)
        mlpi_memlimit_refused();
    return p;
}

void *realloc(void *old, size_t n)
{
    void *p = __libc_realloc(old, n);
    if (p == NULL && n != 0)
        mlpi_memlimit_refused();
    return p;
}

void *memalign(size_t align, size_t n)
{
    void *p = __libc_memalign(align, n);
    if (p == NULL)
        mlpi_memlimit_refused();
    return p;
}

void *aligned_alloc(size_t align, size_t n)
{
    return memalign(align, n);
}

int posix_memalign(void **out, size_t align, size_t n)
{
    void *p;

    if (align < sizeof(void *) || (align & (align - 1)) != 0)
        return EINVAL;
    p = memalign(align, n);
    if (p == NULL)
        return ENOMEM;
    *out = p;
    return 0;
}
