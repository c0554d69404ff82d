/* An index of names (names.h): open addressing with linear probing,
 * kept at most half full. */
#include <stdint.h>
#include <string.h>

#include <mlpipe/hash.h>
#include <mlpipe/memory.h>
#include <mlpipe/names.h>

typedef struct entry {
    const char *name;       /* NULL: empty slot */
    size_t value;
} entry;

struct mlp_names {
    entry *slot;
    size_t n_slot;          /* a power of two */
    size_t count;
};

mlp_names *mlp_names_new(void)
{
    mlp_names *n = mlp_calloc(1, sizeof *n);

    if (n != NULL && (n->slot = mlp_calloc(16, sizeof *n->slot)) == NULL) {
        mlp_free(n);
        return NULL;
    }
    if (n != NULL)
        n->n_slot = 16;
    return n;
}

void mlp_names_free(mlp_names *n)
{
    if (n == NULL)
        return;
    mlp_free(n->slot);
    mlp_free(n);
}

static size_t home(const mlp_names *n, const char *name)
{
    return (size_t)mlp_hash64(name, strlen(name), 0) & (n->n_slot - 1);
}

/* The slot holding name, or the empty slot where it would go. */
static size_t probe(const mlp_names *n, const char *name)
{
    size_t s = home(n, name);
    while (n->slot[s].name != NULL && strcmp(n->slot[s].name, name) != 0)
        s = (s + 1) & (n->n_slot - 1);
    return s;
}

static int grow(mlp_names *n)
{
    entry *old = n->slot;
    size_t old_n = n->n_slot;
    entry *slot = mlp_calloc(old_n * 2, sizeof *slot);

    if (slot == NULL)
        return MLP_ENOMEM;
    n->slot = slot;
    n->n_slot = old_n * 2;
    for (size_t i = 0; i < old_n; i++)
        if (old[i].name != NULL)
            n->slot[probe(n, old[i].name)] = old[i];
    mlp_free(old);
    return MLP_OK;
}

int mlp_names_add(mlp_names *n, const char *name, size_t value, size_t *had)
{
    size_t s;

    if (2 * (n->count + 1) > n->n_slot && grow(n) != MLP_OK)
        return MLP_ENOMEM;
    s = probe(n, name);
    if (n->slot[s].name != NULL) {
        if (had != NULL)
            *had = n->slot[s].value;
        return MLP_EEXIST;
    }
    n->slot[s].name = name;
    n->slot[s].value = value;
    n->count++;
    return MLP_OK;
}

int mlp_names_put(mlp_names *n, const char *name, size_t value)
{
    size_t s = probe(n, name);

    if (n->slot[s].name == NULL)
        return mlp_names_add(n, name, value, NULL);
    n->slot[s].name = name;
    n->slot[s].value = value;
    return MLP_OK;
}

size_t mlp_names_find(const mlp_names *n, const char *name)
{
    size_t s = probe(n, name);
    return n->slot[s].name != NULL ? n->slot[s].value : SIZE_MAX;
}

size_t mlp_names_count(const mlp_names *n)
{
    return n->count;
}
