/* libFuzzer target: a table file is an input too.  Opening any bytes as a
 * table either fails with a message naming the file or gives columns whose
 * every value, offset, code and level can be read within bounds, decoded
 * or packed. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <mlpipe/table.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile uint64_t sink;

/* Touches a double's bytes (a cast of NaN to an integer is undefined). */
static uint64_t bits(double x)
{
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    return u;
}

static void walk(mlp_table *t)
{
    for (size_t c = 0; c < mlp_table_n_cols(t); c++) {
        const mlp_column *col = mlp_table_column(t, c);
        size_t len;
        for (size_t i = 0; i < col->n_rows; i++) {
            int miss = mlp_column_is_missing(col, i);
            switch (col->type) {
            case MLP_COL_NUMERIC:
                if (col->num)
                    sink += bits(col->num[i]);
                if (col->ints)
                    sink += (uint64_t)col->ints[i];
                break;
            case MLP_COL_CATEGORICAL:
                if (!miss)
                    sink += (uint64_t)mlp_column_level(col, (size_t)col->codes[i], &len)[0] + len;
                break;
            case MLP_COL_STRING: {
                const char *s = mlp_column_string(col, i, &len);
                if (len > 0)
                    sink += (uint64_t)s[len - 1];
                break;
            }
            case MLP_COL_MATRIX:
                for (size_t k = 0; k < col->width; k++)
                    sink += bits(col->mat[i * col->width + k]);
                break;
            }
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64];
    int fd = memfd_create("fuzz.mlpt", 0);
    mlp_table *t;
    mlp_error err;

    if (fd < 0)
        return 0;
    if (size > 0 && write(fd, data, size) != (ssize_t)size) {
        close(fd);
        return 0;
    }
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    for (int packed = 0; packed < 2; packed++) {
        int rc = packed ? mlp_table_open_packed(path, &t, &err)
                        : mlp_table_open(path, &t, &err);
        if (rc != MLP_OK) {
            if (strstr(err.msg, path) == NULL)
                abort();
            continue;
        }
        for (size_t c = 0; packed && c < mlp_table_n_cols(t); c++)
            if (mlp_table_decode(t, c, &err) != MLP_OK)
                abort();
        walk(t);
        mlp_table_free(t);
    }
    close(fd);
    return 0;
}
