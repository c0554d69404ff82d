/* Class labels: which class each row of a label column is.
 *
 * A classification label is a categorical column, whose levels are the
 * classes in level order, or a numeric column of integers, whose distinct
 * values are the classes in increasing order.  Integers beyond 2^53 are
 * compared exactly (the column's `ints`), so 9007199254740992 and
 * 9007199254740993 are two classes.  Every component that needs classes
 * (selection scores, rebalancing, trainers) reads them here, so they all
 * agree on the class indexes of the same label.
 */
#ifndef MLPIPE_CLASSES_H
#define MLPIPE_CLASSES_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include <mlpipe/error.h>
#include <mlpipe/table.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mlp_classes {
    size_t n_classes;
    int32_t *of;    /* the class index of each row read (0 .. n_classes - 1),
                       -1 where the label is missing; owned */
    size_t *count;  /* rows of each class, n_classes entries; owned */
    cJSON *names;   /* array of the class values, in index order: strings
                       (categorical) or integers (numeric, exact beyond
                       2^53 through mlp_json_int); owned */
} mlp_classes;

/* Reads the classes of label column y over rows[0 .. n) (row indexes of
 * y), or over all its rows when rows is NULL (n is then ignored).  A
 * categorical column's classes are all its levels, present or not; a
 * numeric one's are the values that occur in the rows read.
 * Refused (MLP_EINVAL, the message naming the 1-based row of y): a value
 * with a fraction or an infinity; more than max_classes distinct values; a
 * string or matrix column.  On failure *out holds nothing to free. */
int mlp_classes_read(const mlp_column *y, const uint32_t *rows, size_t n,
                     size_t max_classes, mlp_classes *out, mlp_error *err);

/* A class value (an element of mlp_classes.names) as text into buf: a
 * string as it is, an integer's exact digits, "?" for anything else. */
void mlp_class_name(const cJSON *c, char *buf, size_t size);

/* Frees what mlp_classes_read filled and zeroes c; NULL is a no-op. */
void mlp_classes_free(mlp_classes *c);

#ifdef __cplusplus
}
#endif
#endif
