/* Internal layout of mlp_table, shared by table.c (building, access) and
 * table_io.c (the file format).  Not SDK API. */
#ifndef MLPIPE_CORE_TABLE_PRIV_H
#define MLPIPE_CORE_TABLE_PRIV_H

#include <mlpipe/table.h>

typedef struct mlpi_col {
    mlp_column pub;
    char *name;        /* owned copy (or NULL when pub.name points into a map) */
    void *owned[4];    /* buffers to free with mlp_free(); NULL when mapped */
    const void *encoded;  /* opening: numeric values still to decode */
    int encoding;
} mlpi_col;

struct mlp_table {
    size_t n_rows;
    size_t n_cols, cap_cols;
    mlpi_col *cols;
    void *map;         /* the mmap of an opened file, or NULL */
    size_t map_len;
};

int mlpi_table_push(mlp_table *t, const char *name, mlp_error *err,
                    mlpi_col **out);

#endif
