/* A checksumming VFS for the metadata store.  See cksumvfs.h.
 *
 * The layout follows SQLite's own reserved-bytes convention (the
 * "bytes of unused reserved space" at offset 20 of the header), so a
 * checksummed store is still an ordinary SQLite database to every other
 * tool; only a tool that rewrites pages without this VFS leaves pages
 * whose checksums no longer match, which the store then reports as damage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>
#include <unistd.h>
#include <xxhash.h>

#include "cksumvfs.h"

typedef struct ck_file {
    sqlite3_file base;        /* our methods */
    int page_size;            /* from the header, 0 until seen */
    int checksummed;
    int64_t fault_offset;
    unsigned char *scratch;   /* a page, for computing what we write */
    /* the wrapped file follows */
} ck_file;

static sqlite3_vfs ck_vfs;
static sqlite3_io_methods ck_methods;

#define REAL(f) ((sqlite3_file *)((ck_file *)(f) + 1))
#define ORIG (((sqlite3_vfs *)ck_vfs.pAppData))

static uint64_t page_sum(const unsigned char *page, int size)
{
    return XXH3_64bits(page, (size_t)size - MLPI_CKSUM_RESERVE);
}

static void put_le64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get_le64(const unsigned char *p)
{
    uint64_t v = 0;

    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

/* Page size and reserved bytes from a database header. */
static void read_header(ck_file *f, const unsigned char *h)
{
    int ps = (h[16] << 8) | h[17];

    if (memcmp(h, "SQLite format 3", 16) != 0)
        return;
    f->page_size = ps == 1 ? 65536 : ps;
    f->checksummed = h[20] == MLPI_CKSUM_RESERVE;
}

static int is_page(const ck_file *f, int amt, sqlite3_int64 off)
{
    return f->checksummed && f->page_size > 0 && amt == f->page_size &&
           off % f->page_size == 0;
}

static int ck_read(sqlite3_file *pf, void *buf, int amt, sqlite3_int64 off)
{
    ck_file *f = (ck_file *)pf;
    int rc = REAL(pf)->pMethods->xRead(REAL(pf), buf, amt, off);

    if (rc != SQLITE_OK)
        return rc;
    if (off == 0 && amt >= 100)
        read_header(f, buf);
    if (is_page(f, amt, off) &&
        get_le64((unsigned char *)buf + amt - 8) != page_sum(buf, amt)) {
        f->fault_offset = off;  /* the store names the page in its message */
        return SQLITE_IOERR_DATA;
    }
    return SQLITE_OK;
}

static int ck_write(sqlite3_file *pf, const void *buf, int amt,
                    sqlite3_int64 off)
{
    ck_file *f = (ck_file *)pf;

    if (off == 0 && amt >= 100)
        read_header(f, buf);
    if (is_page(f, amt, off)) {
        /* Never write into SQLite's own buffer: copy, then sum. */
        if (f->scratch == NULL && (f->scratch = malloc(65536)) == NULL)
            return SQLITE_NOMEM;
        memcpy(f->scratch, buf, (size_t)amt);
        put_le64(f->scratch + amt - 8, page_sum(f->scratch, amt));
        buf = f->scratch;
    }
    return REAL(pf)->pMethods->xWrite(REAL(pf), buf, amt, off);
}

static int ck_close(sqlite3_file *pf)
{
    ck_file *f = (ck_file *)pf;

    free(f->scratch);
    f->scratch = NULL;
    return REAL(pf)->pMethods->xClose(REAL(pf));
}

static int ck_truncate(sqlite3_file *pf, sqlite3_int64 size)
{
    return REAL(pf)->pMethods->xTruncate(REAL(pf), size);
}

static int ck_sync(sqlite3_file *pf, int flags)
{
    return REAL(pf)->pMethods->xSync(REAL(pf), flags);
}

static int ck_file_size(sqlite3_file *pf, sqlite3_int64 *size)
{
    return REAL(pf)->pMethods->xFileSize(REAL(pf), size);
}

static int ck_lock(sqlite3_file *pf, int lock)
{
    return REAL(pf)->pMethods->xLock(REAL(pf), lock);
}

static int ck_unlock(sqlite3_file *pf, int lock)
{
    return REAL(pf)->pMethods->xUnlock(REAL(pf), lock);
}

static int ck_check_reserved(sqlite3_file *pf, int *out)
{
    return REAL(pf)->pMethods->xCheckReservedLock(REAL(pf), out);
}

static int ck_file_control(sqlite3_file *pf, int op, void *arg)
{
    ck_file *f = (ck_file *)pf;

    if (op == MLPI_FCNTL_CKSUM_STATE) {
        mlpi_cksum_state *st = arg;
        st->checksummed = f->checksummed;
        st->page_size = f->page_size;
        st->fault_offset = f->fault_offset;
        return SQLITE_OK;
    }
    return REAL(pf)->pMethods->xFileControl(REAL(pf), op, arg);
}

static int ck_sector_size(sqlite3_file *pf)
{
    return REAL(pf)->pMethods->xSectorSize(REAL(pf));
}

static int ck_device(sqlite3_file *pf)
{
    return REAL(pf)->pMethods->xDeviceCharacteristics(REAL(pf));
}

static int ck_shm_map(sqlite3_file *pf, int pg, int size, int extend,
                      void volatile **pp)
{
    return REAL(pf)->pMethods->xShmMap(REAL(pf), pg, size, extend, pp);
}

static int ck_shm_lock(sqlite3_file *pf, int off, int n, int flags)
{
    return REAL(pf)->pMethods->xShmLock(REAL(pf), off, n, flags);
}

static void ck_shm_barrier(sqlite3_file *pf)
{
    REAL(pf)->pMethods->xShmBarrier(REAL(pf));
}

static int ck_shm_unmap(sqlite3_file *pf, int del)
{
    return REAL(pf)->pMethods->xShmUnmap(REAL(pf), del);
}

/* Memory-mapped reads would bypass the check. */
static int ck_fetch(sqlite3_file *pf, sqlite3_int64 off, int amt, void **pp)
{
    (void)pf;
    (void)off;
    (void)amt;
    *pp = NULL;
    return SQLITE_OK;
}

static int ck_unfetch(sqlite3_file *pf, sqlite3_int64 off, void *p)
{
    (void)pf;
    (void)off;
    (void)p;
    return SQLITE_OK;
}

static int ck_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *pf,
                   int flags, int *out_flags)
{
    ck_file *f = (ck_file *)pf;
    int rc;

    (void)vfs;
    if (!(flags & SQLITE_OPEN_MAIN_DB))
        return ORIG->xOpen(ORIG, name, pf, flags, out_flags);
    memset(f, 0, sizeof *f);
    f->fault_offset = -1;
    rc = ORIG->xOpen(ORIG, name, REAL(pf), flags, out_flags);
    pf->pMethods = rc == SQLITE_OK ? &ck_methods : NULL;
    return rc;
}

static int ck_delete(sqlite3_vfs *v, const char *name, int sync_dir)
{
    (void)v;
    return ORIG->xDelete(ORIG, name, sync_dir);
}

static int ck_access(sqlite3_vfs *v, const char *name, int flags, int *out)
{
    (void)v;
    return ORIG->xAccess(ORIG, name, flags, out);
}

static int ck_full_path(sqlite3_vfs *v, const char *name, int n, char *out)
{
    (void)v;
    return ORIG->xFullPathname(ORIG, name, n, out);
}

static void *ck_dlopen(sqlite3_vfs *v, const char *name)
{
    (void)v;
    return ORIG->xDlOpen(ORIG, name);
}

static void ck_dlerror(sqlite3_vfs *v, int n, char *msg)
{
    (void)v;
    ORIG->xDlError(ORIG, n, msg);
}

static void (*ck_dlsym(sqlite3_vfs *v, void *h, const char *sym))(void)
{
    (void)v;
    return ORIG->xDlSym(ORIG, h, sym);
}

static void ck_dlclose(sqlite3_vfs *v, void *h)
{
    (void)v;
    ORIG->xDlClose(ORIG, h);
}

static int ck_randomness(sqlite3_vfs *v, int n, char *out)
{
    (void)v;
    return ORIG->xRandomness(ORIG, n, out);
}

static int ck_sleep(sqlite3_vfs *v, int us)
{
    (void)v;
    return ORIG->xSleep(ORIG, us);
}

static int ck_time(sqlite3_vfs *v, double *t)
{
    (void)v;
    return ORIG->xCurrentTime(ORIG, t);
}

static int ck_last_error(sqlite3_vfs *v, int n, char *out)
{
    (void)v;
    return ORIG->xGetLastError(ORIG, n, out);
}

static int ck_time64(sqlite3_vfs *v, sqlite3_int64 *t)
{
    (void)v;
    return ORIG->xCurrentTimeInt64(ORIG, t);
}

static int registered_rc = SQLITE_ERROR;

static void do_register(void)
{
    sqlite3_vfs *orig = sqlite3_vfs_find(NULL);

    if (orig == NULL || orig->iVersion < 2)
        return;
    ck_methods = (sqlite3_io_methods) {
        .iVersion = 3, .xClose = ck_close, .xRead = ck_read,
        .xWrite = ck_write, .xTruncate = ck_truncate, .xSync = ck_sync,
        .xFileSize = ck_file_size, .xLock = ck_lock, .xUnlock = ck_unlock,
        .xCheckReservedLock = ck_check_reserved,
        .xFileControl = ck_file_control, .xSectorSize = ck_sector_size,
        .xDeviceCharacteristics = ck_device, .xShmMap = ck_shm_map,
        .xShmLock = ck_shm_lock, .xShmBarrier = ck_shm_barrier,
        .xShmUnmap = ck_shm_unmap, .xFetch = ck_fetch, .xUnfetch = ck_unfetch,
    };
    ck_vfs = (sqlite3_vfs) {
        .iVersion = 2, .szOsFile = (int)sizeof(ck_file) + orig->szOsFile,
        .mxPathname = orig->mxPathname, .zName = MLPI_CKSUM_VFS,
        .pAppData = orig, .xOpen = ck_open, .xDelete = ck_delete,
        .xAccess = ck_access, .xFullPathname = ck_full_path,
        .xDlOpen = ck_dlopen, .xDlError = ck_dlerror, .xDlSym = ck_dlsym,
        .xDlClose = ck_dlclose, .xRandomness = ck_randomness,
        .xSleep = ck_sleep, .xCurrentTime = ck_time,
        .xGetLastError = ck_last_error, .xCurrentTimeInt64 = ck_time64,
    };
    registered_rc = sqlite3_vfs_register(&ck_vfs, 0);
}

int mlpi_cksum_register(mlp_error *err)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;

    pthread_once(&once, do_register);
    if (registered_rc != SQLITE_OK)
        return mlp_error_set(err, MLP_EIO, "cannot register the checksumming "
                             "SQLite VFS");
    return MLP_OK;
}

int mlpi_cksum_scan(const char *path, mlp_error *err)
{
    unsigned char hdr[100], *page = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC), ps, rc = MLP_OK;
    int64_t n = 0;
    ssize_t got;

    if (fd < 0)
        return mlp_error_set(err, MLP_EIO, "cannot open %s: %s", path,
                             strerror(errno));
    if (pread(fd, hdr, sizeof hdr, 0) != (ssize_t)sizeof hdr ||
        memcmp(hdr, "SQLite format 3", 16) != 0) {
        close(fd);
        return mlp_error_set(err, MLP_ECORRUPT, "%s is not an SQLite "
                             "database (its header is damaged)", path);
    }
    ps = (hdr[16] << 8) | hdr[17];
    ps = ps == 1 ? 65536 : ps;
    if (hdr[20] != MLPI_CKSUM_RESERVE || ps < 512 || (ps & (ps - 1)) != 0) {
        close(fd);
        return mlp_error_set(err, MLP_ECORRUPT, "%s has no page checksums "
                             "(its header is damaged, or another program "
                             "rewrote it)", path);
    }
    page = malloc((size_t)ps);
    if (page == NULL) {
        close(fd);
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    }
    while ((got = pread(fd, page, (size_t)ps, n * ps)) == ps) {
        if (get_le64(page + ps - 8) != page_sum(page, ps)) {
            rc = mlp_error_set(err, MLP_ECORRUPT, "page %lld of %s fails its "
                               "checksum", (long long)(n + 1), path);
            break;
        }
        n++;
    }
    if (rc == MLP_OK && got < 0)
        rc = mlp_error_set(err, MLP_EIO, "cannot read %s: %s", path,
                           strerror(errno));
    else if (rc == MLP_OK && got > 0)
        rc = mlp_error_set(err, MLP_ECORRUPT, "%s ends in a partial page "
                           "(truncated?)", path);
    free(page);
    close(fd);
    return rc;
}
