/* table_csv IN: prints a table file as CSV, numbers with 17 significant
 * digits (so equal text means equal bits; a matrix row's float32 values
 * with 9, ';' between them in one cell), missing values empty, for
 * tests that compare a table with another tool's output. */
#include <math.h>
#include <stdio.h>

#include <mlpipe/table.h>

int main(int argc, char **argv)
{
    mlp_table *t = NULL;
    mlp_error err;

    if (argc != 2) {
        fprintf(stderr, "usage: table_csv IN\n");
        return 2;
    }
    if (mlp_table_open(argv[1], &t, &err) != MLP_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    size_t nc = mlp_table_n_cols(t), nr = mlp_table_n_rows(t);
    for (size_t c = 0; c < nc; c++)
        printf("%s%s", c ? "," : "", mlp_table_column(t, c)->name);
    printf("\n");
    for (size_t r = 0; r < nr; r++) {
        for (size_t c = 0; c < nc; c++) {
            const mlp_column *col = mlp_table_column(t, c);
            size_t len;
            if (c)
                putchar(',');
            if (col->type == MLP_COL_NUMERIC && !isnan(mlp_column_number(col, r)))
                printf("%.17g", mlp_column_number(col, r));
            else if (col->type == MLP_COL_CATEGORICAL && col->codes[r] >= 0) {
                /* Levels are not NUL-terminated. */
                const char *s = mlp_column_level(col, (size_t)col->codes[r], &len);
                printf("%.*s", (int)len, s);
            }
            else if (col->type == MLP_COL_STRING && !mlp_column_is_missing(col, r)) {
                const char *s = mlp_column_string(col, r, &len);
                printf("%.*s", (int)len, s);
            } else if (col->type == MLP_COL_MATRIX) {
                /* A row's values in one cell, ';' between them. */
                for (size_t k = 0; k < col->width; k++)
                    printf("%s%.9g", k ? ";" : "", col->mat[r * col->width + k]);
            }
        }
        putchar('\n');
    }
    mlp_table_free(t);
    return 0;
}
