/* Open-addressing string interning for categorical columns. */
#include <stdlib.h>
#include <string.h>

#include <mlpipe/error.h>
#include <mlpipe/hash.h>

#include "dict.h"

static int grow(dict *d)
{
    size_t ns = d->n_slots ? d->n_slots * 2 : 64;
    int32_t *slots = calloc(ns, sizeof *slots);

    if (slots == NULL)
        return MLP_ENOMEM;
    for (size_t k = 0; k < d->n; k++) {
        size_t i = (size_t)d->hashes[k] & (ns - 1);
        while (slots[i] != 0)
            i = (i + 1) & (ns - 1);
        slots[i] = (int32_t)k + 1;
    }
    free(d->slots);
    d->slots = slots;
    d->n_slots = ns;
    return MLP_OK;
}

int dict_intern(dict *d, const char *s, size_t len, int32_t *code)
{
    uint64_t h = mlp_hash64(s, len, 0);
    size_t i;

    if ((d->n + 1) * 2 > d->n_slots && grow(d) != MLP_OK)
        return MLP_ENOMEM;
    for (i = (size_t)h & (d->n_slots - 1); d->slots[i] != 0;
         i = (i + 1) & (d->n_slots - 1)) {
        int32_t k = d->slots[i] - 1;
        if (d->hashes[k] == h && strncmp(d->strs[k], s, len) == 0 &&
            d->strs[k][len] == '\0') {
            *code = k;
            return MLP_OK;
        }
    }
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 16;
        char **ns = realloc(d->strs, cap * sizeof *ns);
        uint64_t *nh = ns ? realloc(d->hashes, cap * sizeof *nh) : NULL;
        if (ns) d->strs = ns;
        if (nh) d->hashes = nh;
        if (ns == NULL || nh == NULL)
            return MLP_ENOMEM;
        d->cap = cap;
    }
    d->strs[d->n] = malloc(len + 1);
    if (d->strs[d->n] == NULL)
        return MLP_ENOMEM;
    memcpy(d->strs[d->n], s, len);
    d->strs[d->n][len] = '\0';
    d->hashes[d->n] = h;
    d->slots[i] = (int32_t)d->n + 1;
    *code = (int32_t)d->n++;
    return MLP_OK;
}

void dict_free(dict *d)
{
    for (size_t k = 0; k < d->n; k++)
        free(d->strs[k]);
    free(d->strs);
    free(d->hashes);
    free(d->slots);
    memset(d, 0, sizeof *d);
}
