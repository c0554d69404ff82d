/* Unit tests of mlp_classes_read: class order and indexes, missing rows,
 * row subsets, integers beyond 2^53, and each refusal naming the row. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include <mlpipe/classes.h>
#include <mlpipe/json.h>
#include <mlpipe/memory.h>

static mlp_table *numeric(const double *v, size_t n)
{
    mlp_table *t = mlp_table_new(n);
    mlp_error err;
    if (t && mlp_table_add_numeric(t, "y", v, NULL, &err) != MLP_OK) {
        mlp_table_free(t);
        return NULL;
    }
    return t;
}

static char *names(const mlp_classes *c)
{
    return mlp_json_print(c->names, 0);
}

static void numeric_sorted_with_missing(void)
{
    const double v[] = { 7, -2, NAN, 7, 3, -2, 7 };
    mlp_table *t = numeric(v, 7);
    mlp_classes c;
    mlp_error err;
    CHECK(t != NULL);
    CHECK(mlp_classes_read(mlp_table_column(t, 0), NULL, 0, 10, &c, &err) == MLP_OK);
    char *s = names(&c);
    CHECK_MSG(strcmp(s, "[-2,3,7]") == 0, "names %s", s);
    mlp_free(s);
    const int32_t want[] = { 2, 0, -1, 2, 1, 0, 2 };
    for (size_t i = 0; i < 7; i++)
        CHECK_MSG(c.of[i] == want[i], "row %zu: %d", i, (int)c.of[i]);
    CHECK(c.n_classes == 3 && c.count[0] == 2 && c.count[1] == 1 && c.count[2] == 3);
    mlp_classes_free(&c);
    CHECK(c.of == NULL && c.names == NULL && c.n_classes == 0);
    mlp_table_free(t);
}

static void row_subset(void)
{
    const double v[] = { 5, 1, 9, 1, 5 };
    const uint32_t rows[] = { 4, 1, 3 };
    mlp_table *t = numeric(v, 5);
    mlp_classes c;
    mlp_error err;
    CHECK(mlp_classes_read(mlp_table_column(t, 0), rows, 3, 10, &c, &err) == MLP_OK);
    /* 9 is in no row read, so it is no class. */
    CHECK(c.n_classes == 2 && c.of[0] == 1 && c.of[1] == 0 && c.of[2] == 0);
    CHECK(c.count[0] == 2 && c.count[1] == 1);
    mlp_classes_free(&c);
    mlp_table_free(t);
}

static void beyond_2_53(void)
{
    int64_t *v = mlp_malloc(3 * sizeof *v);
    mlp_table *t = mlp_table_new(3);
    mlp_classes c;
    mlp_error err;
    v[0] = INT64_C(9007199254740993);
    v[1] = INT64_C(9007199254740992);
    v[2] = INT64_C(9007199254740993);
    CHECK(mlp_table_adopt_int64(t, "y", v, NULL, &err) == MLP_OK);
    CHECK(mlp_classes_read(mlp_table_column(t, 0), NULL, 0, 10, &c, &err) == MLP_OK);
    char *s = names(&c);
    CHECK_MSG(strcmp(s, "[9007199254740992,9007199254740993]") == 0, "names %s", s);
    mlp_free(s);
    CHECK(c.of[0] == 1 && c.of[1] == 0 && c.of[2] == 1);
    mlp_classes_free(&c);
    mlp_table_free(t);
}

static void categorical_levels(void)
{
    const int32_t codes[] = { 1, -1, 0, 1 };
    const char *const levels[] = { "no", "yes", "maybe" };
    mlp_table *t = mlp_table_new(4);
    mlp_classes c;
    mlp_error err;
    CHECK(mlp_table_add_categorical(t, "y", codes, 3, levels, &err) == MLP_OK);
    CHECK(mlp_classes_read(mlp_table_column(t, 0), NULL, 0, 10, &c, &err) == MLP_OK);
    char *s = names(&c);
    /* Every level is a class, "maybe" with no row too. */
    CHECK_MSG(strcmp(s, "[\"no\",\"yes\",\"maybe\"]") == 0, "names %s", s);
    mlp_free(s);
    CHECK(c.of[0] == 1 && c.of[1] == -1 && c.of[2] == 0 && c.of[3] == 1);
    CHECK(c.count[0] == 1 && c.count[1] == 2 && c.count[2] == 0);
    mlp_classes_free(&c);
    CHECK(mlp_classes_read(mlp_table_column(t, 0), NULL, 0, 2, &c, &err) == MLP_EINVAL);
    CHECK_CONTAINS(err.msg, "3 levels: more than 2 classes");
    mlp_table_free(t);
}

static void refusals(void)
{
    const double frac[] = { 1, 2, 2.5 }, inf[] = { 1, INFINITY }, many[] = { 1, 2, 3, 2 };
    mlp_table *t;
    mlp_classes c;
    mlp_error err;

    t = numeric(frac, 3);
    CHECK(mlp_classes_read(mlp_table_column(t, 0), NULL, 0, 10, &c, &err) == MLP_EINVAL);
    CHECK_CONTAINS(err.msg, "row 3: 2.5 is not a class");
    CHECK(c.of == NULL && c.names == NULL);
    mlp_table_free(t);
    t = numeric(inf, 2);
    CHECK(mlp_classes_read(mlp_table_column(t, 0), NULL, 0, 10, &c, &err) == MLP_EINVAL);
    CHECK_CONTAINS(err.msg, "row 2: inf is not a class");
    mlp_table_free(t);
    t = numeric(many, 4);
    CHECK(mlp_classes_read(mlp_table_column(t, 0), NULL, 0, 2, &c, &err) == MLP_EINVAL);
    CHECK_CONTAINS(err.msg, "3 distinct values: more than 2 classes");
    CHECK(mlp_classes_read(mlp_table_column(t, 0), NULL, 0, 3, &c, &err) == MLP_OK);
    mlp_classes_free(&c);
    mlp_table_free(t);
    const char *const text[] = { "a", "b" };
    t = mlp_table_new(2);
    CHECK(mlp_table_add_string(t, "y", text, &err) == MLP_OK);
    CHECK(mlp_classes_read(mlp_table_column(t, 0), NULL, 0, 10, &c, &err) == MLP_EINVAL);
    CHECK_CONTAINS(err.msg, "a text column holds no classes");
    mlp_table_free(t);
}

int main(void)
{
    RUN(numeric_sorted_with_missing);
    RUN(row_subset);
    RUN(beyond_2_53);
    RUN(categorical_levels);
    RUN(refusals);
    CHECK_EXIT();
}
