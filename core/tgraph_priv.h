/* Transform graphs inside the core: the parsed document, and what the
 * Lua mappers (tgraph_lua.c) share with the rest (tgraph.c). */
#ifndef MLPIPE_TGRAPH_PRIV_H
#define MLPIPE_TGRAPH_PRIV_H

#include <stddef.h>
#include <stdint.h>

#include <mlpipe/names.h>
#include <mlpipe/transform.h>

typedef enum tg_op_kind {
    OP_IMPUTE, OP_CLIP, OP_LOG, OP_ZSCORE, OP_MINMAX, OP_BUCKETIZE
} tg_op_kind;

typedef struct tg_op {
    tg_op_kind kind;
    double a, b;            /* impute: value; clip: min, max; log: offset;
                               zscore: mean, std; minmax: min, range */
    double *bounds;         /* bucketize: increasing boundaries */
    size_t n_bounds;
} tg_op;

typedef enum tg_kind { ST_NUMERIC, ST_VOCAB, ST_HASH, ST_CROSS, ST_PCA, ST_LUA } tg_kind;

typedef struct tg_step {
    tg_kind kind;
    size_t *in, n_in;       /* working columns read */
    size_t *out, n_out;     /* working columns written */
    tg_op *ops;             /* numeric */
    size_t n_ops;
    int indicator;          /* numeric: out[1] is 1 where the input was missing */
    char **vocab;           /* vocab: entries, index = position */
    size_t n_vocab, oov;
    uint32_t *slots;        /* open addressing over vocab */
    size_t n_slots;
    int one_hot;
    uint64_t buckets;       /* hash, cross */
    double *mean, *comp, *scale; /* pca: p means, k x p rows, k or NULL */
    double *comp_t;         /* pca: the components by input, p x k_pad
                               (k rounded up to even, zeros after k) */
    size_t k_pad;
    size_t k;
    char *source, *name;    /* lua */
} tg_step;

struct mlp_tgraph {
    char **work;            /* every column name: inputs, then step outputs */
    size_t n_work, n_inputs, cap_work;
    mlp_names *work_index;  /* name -> its latest working column */
    mlp_col_type *types;    /* of the inputs */
    char **pass;
    size_t n_pass;
    tg_step *steps;
    size_t n_steps;
    size_t *emit, n_emit;
};

/* One application: per working column, the raw column (inputs) or the
 * values computed so far. */
/* A computed column also known as a byte per row and a dictionary (a
 * numeric step on a byte column), handed to the table for its writer. */
typedef struct tg_coded {
    uint8_t *codes, *miss;  /* miss: the rows whose value is NaN, or NULL */
    double *dict;
    size_t k;
} tg_coded;

typedef struct tg_run {
    const mlp_column **raw;
    double **num;
    tg_coded *coded;        /* per working column */
    const char *const *names;   /* the graph's working column names */
    size_t first_row;   /* errors name row first_row + r + 1 */
    size_t bad_row;     /* the row at fault (index in raw), or SIZE_MAX */
} tg_run;

/* The 1-based number of raw row r in errors; it also records r as the row
 * at fault, since a message naming a row is the error about it. */
static inline size_t tg_row(tg_run *run, size_t r)
{
    run->bad_row = r;
    return run->first_row + r + 1;
}

ptrdiff_t tg_vocab_find(const tg_step *st, const char *s, size_t len);
double tg_num(const tg_run *run, size_t c, size_t r);
/* Whether raw input c holds at row r an integer beyond 2^53 that the
 * column keeps exactly (its `ints`), and which. */
int tg_exact_int(const tg_run *run, size_t c, size_t r, int64_t *out);
const char *tg_key(const tg_run *run, size_t c, size_t r, char *buf, size_t cap,
                   size_t *len);
int tg_apply_pca(tg_run *run, const tg_step *st, size_t n, mlp_error *err);
int tg_lua_check(const mlp_tgraph *g, const tg_step *st, const char *where, size_t si,
                 mlp_error *err);
int tg_lua_apply(const mlp_tgraph *g, tg_run *run, const tg_step *st, size_t n,
                 mlp_error *err);

#endif
