/* Finding a name among many: a column by name in a table of 100,000
 * columns, a repeated header, the entries of a list of features.  A scan
 * per lookup makes such work quadratic in the number of columns; this
 * index finds a name in constant time on average.
 *
 * Ownership: mlp_names_new() returns an owned index freed with
 * mlp_names_free().  The names added are borrowed, not copied: each must
 * stay valid and unchanged while the index is used.
 */
#ifndef MLPIPE_NAMES_H
#define MLPIPE_NAMES_H

#include <stddef.h>

#include <mlpipe/error.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mlp_names mlp_names;

/* An empty index; NULL on exhaustion. */
mlp_names *mlp_names_new(void);
void mlp_names_free(mlp_names *n);

/* Adds name with a value (an index into the caller's array, say).
 * MLP_OK; MLP_EEXIST when the name is already there (the index is
 * unchanged and *had, when not NULL, gets the value it has); MLP_ENOMEM. */
int mlp_names_add(mlp_names *n, const char *name, size_t value, size_t *had);

/* Adds name, or gives the name already there the new value (and keeps
 * this pointer to it from now on).  MLP_OK or MLP_ENOMEM. */
int mlp_names_put(mlp_names *n, const char *name, size_t value);

/* The value of name, or SIZE_MAX when it is not in the index. */
size_t mlp_names_find(const mlp_names *n, const char *name);

/* The number of names in the index. */
size_t mlp_names_count(const mlp_names *n);

#ifdef __cplusplus
}
#endif
#endif
