/* table_canon IN OUT: reads a table file whole (any layout: one group or
 * several) and writes it as one group, so two tables can be compared byte
 * for byte whatever their layout.  Prints the error and exits 1 when IN
 * cannot be read. */
#include <stdio.h>

#include <mlpipe/table.h>

int main(int argc, char **argv)
{
    mlp_table *t = NULL;
    mlp_error err;

    if (argc != 3) {
        fprintf(stderr, "usage: table_canon IN OUT\n");
        return 2;
    }
    if (mlp_table_open(argv[1], &t, &err) != MLP_OK ||
        mlp_table_write(t, argv[2], &err) != MLP_OK) {
        fprintf(stderr, "%s\n", err.msg);
        mlp_table_free(t);
        return 1;
    }
    mlp_table_free(t);
    return 0;
}
