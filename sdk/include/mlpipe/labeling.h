/* Labeling functions: the voters of weak supervision.
 *
 * A labeling function (LF) looks at one row and returns a class or
 * abstains.  Pipelines define them in Lua:
 *
 *     mp.lf { name = "big_radius",
 *             fn = function(row)
 *                 if row.mean_radius > 17 then return "malignant" end
 *                 return mp.ABSTAIN
 *             end }
 *
 * An LF is an entry of the component registry (stage label) but no node
 * of its own: a component lists the LFs it applies in a LIST parameter
 * flagged MLP_PARAM_LFS, which the pipeline checks when the node is added
 * (each name must be an LF) and whose LFs' code, and the values it
 * captured, are part of the node's cache fingerprint.  mlp_lf_apply()
 * then runs them over a table's rows.
 */
#ifndef MLPIPE_LABELING_H
#define MLPIPE_LABELING_H

#include <stddef.h>
#include <stdint.h>

#include <mlpipe/context.h>
#include <mlpipe/error.h>
#include <mlpipe/table.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A vote that names no class. */
#define MLP_ABSTAIN (-1)

/* A labeling function in C (ABI 1.3): a component of stage
 * MLP_STAGE_LABEL whose descriptor points at one of these (the `lf`
 * member, where a trainer component has its trainer), with no run
 * function: like a Lua LF it is no node, and apply_lfs names it in `lfs`.
 *
 *   static int vote(void *state, const mlp_table *t, size_t row, int *out,
 *                   mlp_error *err) { ... *out = 1; return MLP_OK; }
 *   static const mlp_lf_fn kw = { sizeof(mlp_lf_fn), NULL, vote, NULL };
 *   { "kw_free", MLP_STAGE_LABEL, "says free", ports_none, ports_none,
 *     params_none, NULL, { .lf = &kw } },
 *
 * open (may be NULL) runs once in each worker process before its rows,
 * with the table voted on and the class names, and may keep per-worker
 * state (looked-up columns, compiled patterns) in *state; vote is called
 * for each of the worker's rows and writes a class index (0 .. k-1) or
 * MLP_ABSTAIN; an error it returns (with err filled) counts as the call
 * raising one (apply_lfs's on_error); close (may be NULL) frees the
 * state.  The functions run in the worker processes, never in the
 * process that defined the pipeline: keep no state in globals you expect
 * to see again. */
typedef struct mlp_lf_fn {
    uint32_t struct_size;          /* sizeof(mlp_lf_fn) when built */
    int (*open)(const mlp_table *t, const char *const *classes, size_t k, void **state,
                mlp_error *err);
    int (*vote)(void *state, const mlp_table *t, size_t row, int *vote, mlp_error *err);
    void (*close)(void *state);
} mlp_lf_fn;

/* What a call that raises an error counts as. */
typedef enum mlp_lf_on_error {
    MLP_LF_ERRORS_FAIL = 0,    /* stop: mlp_lf_apply fails naming the LF
                                  and the first row it failed on */
    MLP_LF_ERRORS_ABSTAIN = 1  /* the vote is MLP_ABSTAIN; counted in
                                  mlp_lf_result */
} mlp_lf_on_error;

typedef struct mlp_lf_options {
    int threads;               /* worker processes; 0: one per CPU */
    mlp_lf_on_error on_error;
} mlp_lf_options;

/* Per LF: the calls that raised an error (on_error ABSTAIN). */
typedef struct mlp_lf_result {
    size_t errors;
    size_t first_error_row;    /* SIZE_MAX when there was none */
    char first_error[256];     /* its message, cut to fit */
} mlp_lf_result;

/* Applies the LFs named lfs[0..n_lfs) to every row of t, in worker
 * processes forked from this one (each with its own copy of the Lua
 * state, so LFs run side by side; each worker takes a contiguous range of
 * rows).  votes (the caller's, n_lfs * rows entries) gets LF j's vote on
 * row i at votes[j * rows + i]: an index into classes[0..k), or
 * MLP_ABSTAIN.  A vote is returned as the class's name (a number is
 * taken as its decimal text, so 1 names class "1") or mp.ABSTAIN; any
 * other value fails the call whatever on_error says.  res (the caller's,
 * n_lfs entries) gets the error counts.  Progress goes to ctx.
 *
 * Fails with MLP_EPLUGIN when an LF raised an error (on_error FAIL),
 * MLP_EINVAL when one returned no class, a worker died, or a name is no
 * LF; *bad_row (may be NULL) then gets the row (SIZE_MAX when no row is
 * to blame) and *bad_lf the LF's index, and err reads
 *   labeling function 'big_radius' (lfs.lua:3) on row 57: <what happened>
 * so a caller adds where the row came from. */
int mlp_lf_apply(mlp_ctx *ctx, const char *const *lfs, size_t n_lfs,
                 const mlp_table *t, const char *const *classes, size_t k,
                 const mlp_lf_options *opts, int16_t *votes,
                 mlp_lf_result *res, size_t *bad_row, size_t *bad_lf,
                 mlp_error *err);

/* Where the LF called name is defined ("file:line"), borrowed from the
 * registry; NULL when there is no such LF. */
const char *mlp_lf_where(const mlp_ctx *ctx, const char *name);

#ifdef __cplusplus
}
#endif
#endif
