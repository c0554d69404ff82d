/* Allocation that crosses the plugin boundary, with a running total.
 *
 * Each block carries a small header with its size so mlp_free() can keep the
 * count right without the caller passing the size back.
 */
#define _GNU_SOURCE
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <mlpipe/memory.h>

/* 16 bytes keeps the user pointer aligned for any scalar type. */
typedef union block_header {
    struct {
        size_t size;
        size_t mapped;   /* bytes mapped with mmap, 0 for malloc */
    } s;
    max_align_t align;
} block_header;

/* Large blocks (column buffers of big tables) are mapped with their pages
 * populated up front: faulting in hundreds of megabytes one page at a time
 * costs more than parsing the data that fills them.  Smaller ones come
 * from malloc, which reuses them: a reader going a row group at a time
 * allocates and frees blocks of a few megabytes thousands of times, and
 * mapping, zeroing and unmapping each one cost more than the reading. */
#define BIG_BLOCK (32u * 1024u * 1024u)

static atomic_size_t in_use;

void *mlp_malloc(size_t n)
{
    block_header *h;

    if (n > (size_t)-1 - sizeof *h - 4096)
        return NULL;
    if (n >= BIG_BLOCK) {
        size_t len = sizeof *h + n;
        void *m = mmap(NULL, len, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
        if (m == MAP_FAILED) {
            /* malloc may still find room; if not, its refusal is noted
             * like any other (see memlimit.h). */
            h = malloc(len);
            if (h == NULL)
                return NULL;
            h->s.mapped = 0;
        } else {
            h = m;
            h->s.mapped = len;
        }
    } else {
        h = malloc(sizeof *h + n);
        if (h == NULL)
            return NULL;
        h->s.mapped = 0;
    }
    h->s.size = n;
    atomic_fetch_add(&in_use, n);
    return h + 1;
}

void *mlp_calloc(size_t count, size_t size)
{
    void *p;

    if (size != 0 && count > (size_t)-1 / size)
        return NULL;
    p = mlp_malloc(count * size);
    if (p != NULL)
        memset(p, 0, count * size);
    return p;
}

void *mlp_realloc(void *p, size_t n)
{
    block_header *h, *nh;
    size_t old;

    if (p == NULL)
        return mlp_malloc(n);
    if (n > (size_t)-1 - sizeof *h - 4096)
        return NULL;
    h = (block_header *)p - 1;
    old = h->s.size;
    if (h->s.mapped || n >= BIG_BLOCK) {
        /* Mapped blocks move by copy. */
        void *np = mlp_malloc(n);
        if (np == NULL)
            return NULL;
        memcpy(np, p, old < n ? old : n);
        mlp_free(p);
        return np;
    }
    nh = realloc(h, sizeof *nh + n);
    if (nh == NULL)
        return NULL;
    nh->s.size = n;
    atomic_fetch_sub(&in_use, old);
    atomic_fetch_add(&in_use, n);
    return nh + 1;
}

char *mlp_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = mlp_malloc(n);

    if (d != NULL)
        memcpy(d, s, n);
    return d;
}

void mlp_free(void *p)
{
    block_header *h;

    if (p == NULL)
        return;
    h = (block_header *)p - 1;
    atomic_fetch_sub(&in_use, h->s.size);
    if (h->s.mapped)
        munmap(h, h->s.mapped);
    else
        free(h);
}

size_t mlp_memory_in_use(void)
{
    return atomic_load(&in_use);
}
