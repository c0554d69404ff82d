/* Labeling functions in C, built only against the SDK (labeling.h), for
 * tests/e2e/label.sh:
 *   c_says_free  "spam" when column `text` holds "free" (its column found
 *                once per worker, in open)
 *   c_few_links  "ham" when `n_links` is 0; fails its call on a row whose
 *                `id` is 4242 (an error apply_lfs reports or counts)
 *   c_bad_vote   votes class index 7 on row 3: never a class */
#include <stdlib.h>
#include <string.h>

#include <mlpipe/mlpipe.h>

typedef struct col_state {
    const mlp_column *col;
    int spam;
} col_state;

static int free_open(const mlp_table *t, const char *const *classes, size_t k, void **state,
                     mlp_error *err)
{
    col_state *s = calloc(1, sizeof *s);
    if (s == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    s->col = mlp_table_find(t, "text");
    s->spam = -1;
    for (size_t c = 0; c < k; c++)
        if (strcmp(classes[c], "spam") == 0)
            s->spam = (int)c;
    if (s->col == NULL || s->spam < 0) {
        free(s);
        return mlp_error_set(err, MLP_EINVAL, "needs a column 'text' and a class 'spam'");
    }
    *state = s;
    return MLP_OK;
}

static int free_vote(void *state, const mlp_table *t, size_t row, int *vote, mlp_error *err)
{
    col_state *s = state;
    size_t len;
    const char *v;
    (void)t;
    (void)err;
    *vote = MLP_ABSTAIN;
    if (mlp_column_is_missing(s->col, row))
        return MLP_OK;
    v = s->col->type == MLP_COL_STRING ? mlp_column_string(s->col, row, &len)
        : mlp_column_level(s->col, (size_t)s->col->codes[row], &len);
    for (size_t i = 0; i + 4 <= len; i++)
        if (memcmp(v + i, "free", 4) == 0) {
            *vote = s->spam;
            break;
        }
    return MLP_OK;
}

static int links_vote(void *state, const mlp_table *t, size_t row, int *vote, mlp_error *err)
{
    const mlp_column *n = mlp_table_find(t, "n_links"), *id = mlp_table_find(t, "id");
    (void)state;
    if (id && mlp_column_number(id, row) == 4242)
        return mlp_error_set(err, MLP_EINVAL, "row 4242 is unreadable");
    *vote = n && !mlp_column_is_missing(n, row) && mlp_column_number(n, row) == 0 ? 0
            : MLP_ABSTAIN;
    return MLP_OK;
}

static int bad_vote(void *state, const mlp_table *t, size_t row, int *vote, mlp_error *err)
{
    (void)state;
    (void)t;
    (void)err;
    *vote = row == 2 ? 7 : MLP_ABSTAIN;
    return MLP_OK;
}

static void free_close(void *state)
{
    free(state);
}

static const mlp_lf_fn says_free = { sizeof(mlp_lf_fn), free_open, free_vote, free_close };
static const mlp_lf_fn few_links = { sizeof(mlp_lf_fn), NULL, links_vote, NULL };
static const mlp_lf_fn bad = { sizeof(mlp_lf_fn), NULL, bad_vote, NULL };
static const mlp_port none[] = { MLP_PORTS_END };
static const mlp_param_spec no_params[] = { MLP_PARAMS_END };

static const mlp_component components[] = {
    { "c_says_free", MLP_STAGE_LABEL, "spam when the text says free", none, none, no_params,
      NULL, { .lf = &says_free } },
    { "c_few_links", MLP_STAGE_LABEL, "ham without links", none, none, no_params, NULL,
      { .lf = &few_links } },
    { "c_bad_vote", MLP_STAGE_LABEL, "votes a class that does not exist", none, none,
      no_params, NULL, { .lf = &bad } },
    MLP_COMPONENTS_END
};

MLP_PLUGIN_DEFINE(clfs, "clfs", "1.0", "MIT", "labeling functions in C", components, NULL,
                  NULL);
