/* tgraph_apply GRAPH.json RAW.mlpt TRANSFORMED.mlpt: applies a transform
 * graph to raw rows through the SDK, as serving would, and compares every
 * output with what the transform component wrote for the same rows, bit
 * for bit: once for the whole table, and once row by row (a table of one
 * row per call, as a server sees requests).  Prints "identical ROWS rows
 * COLS columns" and exits 0, or names the first difference and exits 1.
 * tgraph_apply --print GRAPH.json RAW.mlpt prints the outputs instead. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <mlpipe/mlpipe.h>

static int same(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0 || (isnan(a) && isnan(b));
}

static int compare(const mlp_table *got, const mlp_table *want, size_t row0, const char *how)
{
    for (size_t i = 0; i < mlp_table_n_cols(want); i++) {
        const mlp_column *w = mlp_table_column(want, i);
        const mlp_column *g = mlp_table_find(got, w->name);
        if (w->type != MLP_COL_NUMERIC)
            continue; /* passthrough columns: copied, compared by the e2e test */
        if (g == NULL) {
            printf("%s: no column '%s'\n", how, w->name);
            return 1;
        }
        for (size_t r = 0; r < mlp_table_n_rows(got); r++) {
            double a = mlp_column_number(g, r), b = mlp_column_number(w, row0 + r);
            if (!same(a, b)) {
                printf("%s: column '%s', row %zu: %.17g, transform wrote %.17g\n", how,
                       w->name, row0 + r + 1, a, b);
                return 1;
            }
        }
    }
    return 0;
}

/* --print GRAPH RAW: the outputs, one row per line, name=value. */
static int print(const char *graph, const char *rawp)
{
    mlp_tgraph *g = NULL;
    mlp_table *raw = NULL, *got = NULL;
    mlp_error err;

    if (mlp_tgraph_load(graph, &g, &err) != MLP_OK || mlp_table_open(rawp, &raw, &err) != MLP_OK ||
        mlp_tgraph_apply(g, raw, &got, &err) != MLP_OK) {
        printf("error: %s\n", err.msg);
        mlp_tgraph_free(g);
        mlp_table_free(raw);
        return 1;
    }
    for (size_t r = 0; r < mlp_table_n_rows(got); r++) {
        for (size_t i = 0; i < mlp_table_n_cols(got); i++) {
            const mlp_column *c = mlp_table_column(got, i);
            if (c->type == MLP_COL_NUMERIC)
                printf("%s%s=%.17g", i ? " " : "", c->name, mlp_column_number(c, r));
        }
        printf("\n");
    }
    mlp_table_free(got);
    mlp_table_free(raw);
    mlp_tgraph_free(g);
    return 0;
}

int main(int argc, char **argv)
{
    mlp_tgraph *g = NULL;
    mlp_table *raw = NULL, *want = NULL, *got = NULL;
    mlp_error err;

    if (argc == 4 && strcmp(argv[1], "--print") == 0)
        return print(argv[2], argv[3]);
    if (argc != 4) {
        fprintf(stderr, "usage: tgraph_apply GRAPH.json RAW.mlpt TRANSFORMED.mlpt\n");
        return 2;
    }
    if (mlp_tgraph_load(argv[1], &g, &err) != MLP_OK || mlp_table_open(argv[2], &raw, &err) != MLP_OK ||
        mlp_table_open(argv[3], &want, &err) != MLP_OK ||
        mlp_tgraph_apply(g, raw, &got, &err) != MLP_OK) {
        printf("error: %s\n", err.msg);
        return 1;
    }
    if (compare(got, want, 0, "whole table"))
        return 1;
    mlp_table_free(got);
    for (size_t r = 0; r < mlp_table_n_rows(raw); r++) {
        mlp_table *one = NULL;
        if (mlp_table_select(raw, &r, 1, &one, &err) != MLP_OK ||
            mlp_tgraph_apply(g, one, &got, &err) != MLP_OK) {
            printf("row %zu: %s\n", r + 1, err.msg);
            return 1;
        }
        if (compare(got, want, r, "one row"))
            return 1;
        mlp_table_free(one);
        mlp_table_free(got);
    }
    printf("identical %zu rows %zu columns\n", mlp_table_n_rows(raw), mlp_table_n_cols(want));
    mlp_table_free(raw);
    mlp_table_free(want);
    mlp_tgraph_free(g);
    return 0;
}
