/* Unit tests of the name index (names.h) against a plain scan: adds,
 * repeats and finds at sizes where chains of colliding names are long, and
 * a wide table found by name. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include <mlpipe/memory.h>
#include <mlpipe/names.h>
#include <mlpipe/table.h>

enum { N = 5000 };
static char name[N][16];

static void add_find_repeat(void)
{
    mlp_names *ix = mlp_names_new();
    size_t had = 0;
    CHECK(ix != NULL);
    for (size_t i = 0; i < N; i++) {
        snprintf(name[i], sizeof name[i], "c%zu", i);
        CHECK(mlp_names_add(ix, name[i], i * 3, NULL) == MLP_OK);
    }
    CHECK(mlp_names_count(ix) == N);
    for (size_t i = 0; i < N; i++)
        CHECK_MSG(mlp_names_find(ix, name[i]) == i * 3, "%s", name[i]);
    CHECK(mlp_names_find(ix, "c5000") == SIZE_MAX && mlp_names_find(ix, "") == SIZE_MAX);
    CHECK(mlp_names_add(ix, "c17", 1, &had) == MLP_EEXIST && had == 51);
    CHECK(mlp_names_find(ix, "c17") == 51 && mlp_names_count(ix) == N);
    mlp_names_free(ix);
}

/* A wide table finds every column by name, and refuses a repeat. */
static void wide_table(void)
{
    mlp_table *t = mlp_table_new(1);
    mlp_error err;
    double v = 1;
    for (size_t i = 0; i < N; i++)
        CHECK(mlp_table_add_numeric(t, name[i], &v, NULL, &err) == MLP_OK);
    for (size_t i = 0; i < N; i++) {
        const mlp_column *c = mlp_table_find(t, name[i]);
        CHECK_MSG(c == mlp_table_column(t, i), "%s", name[i]);
    }
    CHECK(mlp_table_find(t, "nope") == NULL);
    CHECK(mlp_table_add_numeric(t, "c4321", &v, NULL, &err) == MLP_EEXIST);
    CHECK_CONTAINS(err.msg, "column 'c4321' appears twice");
    mlp_table_free(t);
}

int main(void)
{
    RUN(add_find_repeat);
    RUN(wide_table);
    CHECK_EXIT();
}
