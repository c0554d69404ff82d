/* Open addressing with linear probing, kept at most half full. */
#include <stdlib.h>
#include <string.h>

#include "hashcount.h"

static int grow(hash_count *t)
{
    size_t ns = t->slots ? t->slots * 2 : 1024;
    uint64_t *nk = calloc(ns, sizeof *nk);
    uint32_t *nc = calloc(ns, sizeof *nc);

    if (nk == NULL || nc == NULL) {
        free(nk);
        free(nc);
        return -1;
    }
    for (size_t k = 0; k < t->slots; k++) {
        size_t i;
        if (t->count[k] == 0)
            continue;
        for (i = (size_t)t->keys[k] & (ns - 1); nc[i] != 0; i = (i + 1) & (ns - 1))
            ;
        nk[i] = t->keys[k];
        nc[i] = t->count[k];
    }
    free(t->keys);
    free(t->count);
    t->keys = nk;
    t->count = nc;
    t->slots = ns;
    return 0;
}

/* The slot of h, or the empty slot where it would go. */
static size_t slot(const hash_count *t, uint64_t h)
{
    size_t i = (size_t)h & (t->slots - 1);

    while (t->count[i] != 0 && t->keys[i] != h)
        i = (i + 1) & (t->slots - 1);
    return i;
}

uint32_t hc_bump(hash_count *t, uint64_t h)
{
    size_t i;

    if ((t->n + 1) * 2 > t->slots && grow(t) != 0)
        return 0;
    i = slot(t, h);
    if (t->count[i] == 0) {
        t->keys[i] = h;
        t->n++;
    }
    return ++t->count[i];
}

uint32_t hc_get(const hash_count *t, uint64_t h)
{
    return t->slots > 0 ? t->count[slot(t, h)] : 0;
}

void hc_free(hash_count *t)
{
    free(t->keys);
    free(t->count);
    memset(t, 0, sizeof *t);
}
