/* Examples artifacts, and the shapes of code most components share.
 *
 * An Examples artifact is rows split into named parts ("train", "eval").
 * Its directory holds, for every split S:
 *   S.mlpt        the rows, one columnar table (mlpipe/table.h);
 *   S.lines.mlpt  optional: where each row came from, for validators to
 *                 point at source lines (columns `file`, `line`).
 * Its properties:
 *   splits   array of split names, in order (required: the contract);
 *   rows     object: split -> row count;
 *   columns  array of { name, type: numeric|categorical|string|matrix,
 *            kind: int|float (numeric only) };
 *   label    the label column's name, when there is one;
 *   and what the producer adds (ingestion: format, source, skipped_rows).
 *
 * The helpers below read an input Examples split by split and write an
 * output Examples with the same splits and properties, so a transform
 * states only what it changes.  They report failures through the context
 * (mlp_ctx_fail) and return its code, so `return mlp_examples_map(...)`
 * is a complete run function.
 */
#ifndef MLPIPE_EXAMPLES_H
#define MLPIPE_EXAMPLES_H

#include <stddef.h>

#include <mlpipe/artifact.h>
#include <mlpipe/context.h>
#include <mlpipe/error.h>
#include <mlpipe/table.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The splits of an Examples artifact: their number, and the name of split
 * i (borrowed from the artifact; NULL when i is out of range). */
size_t mlp_examples_split_count(const mlp_artifact *ex);
const char *mlp_examples_split(const mlp_artifact *ex, size_t i);

/* Whether the Examples have a split called split (1) or not (0). */
int mlp_examples_has_split(const mlp_artifact *ex, const char *split);
/* Opens split's table (checksums verified).  *out is owned
 * (mlp_table_free). */
int mlp_examples_read(const mlp_artifact *ex, const char *split,
                      mlp_table **out, mlp_error *err);

/* Where row `row` (0-based) of split came from, as "file:line" in buf
 * (len bytes), for messages that point a user at the input they wrote:
 * MLP_OK, or MLP_ENOTFOUND when the Examples recorded no source lines for
 * that row (buf then holds ""). */
int mlp_examples_source(const mlp_artifact *ex, const char *split, size_t row,
                        char *buf, size_t len, mlp_error *err);

/* Writes t as split's table of output Examples `out` and records its row
 * count in `rows`; does not touch `splits` or `columns`. */
int mlp_examples_write(mlp_artifact *out, const char *split,
                       const mlp_table *t, mlp_error *err);

/* Sets out's `columns` from table t's columns.  A numeric column's kind
 * is int when `like` (an input Examples, may be NULL) says int for the
 * same name and every value of t is still integral; otherwise float. */
int mlp_examples_describe(mlp_artifact *out, const mlp_table *t,
                          const mlp_artifact *like, mlp_error *err);

/* Copies every property of src to output dst except the names in except
 * (NULL-terminated list, may be NULL). */
int mlp_artifact_copy_properties(mlp_artifact *dst, const mlp_artifact *src,
                                 const char *const *except, mlp_error *err);
/* Copies file `name` of src into output dst: a hard link where it can be
 * made (artifacts are immutable once published), else a copy (another
 * file system; and in a node under the write sandbox, which refuses links
 * to files outside the node's directory). */
int mlp_artifact_copy_file(mlp_artifact *dst, const mlp_artifact *src,
                           const char *name, mlp_error *err);

/* Writes split's source lines for output rows taken from input rows
 * rows[0..n) of ex's split (in that order, repeats allowed), as the
 * output's split.lines.mlpt; nothing when ex has no lines for split.  For
 * a component that drops or repeats rows, so messages downstream still
 * name the line a row came from. */
int mlp_examples_select_lines(const mlp_artifact *ex, mlp_artifact *out,
                              const char *split, const size_t *rows, size_t n,
                              mlp_error *err);

/* Maps one split's table to a new one.  *out is owned by the caller of the
 * function (the helper frees it); `in` is borrowed.  Return MLP_OK or fill
 * err. */
typedef int (*mlp_examples_map_fn)(const char *split, const mlp_table *in,
                                   mlp_table **out, void *user,
                                   mlp_error *err);
/* Fits on one split's table (train), keeping what it learned in user. */
typedef int (*mlp_examples_fit_fn)(const mlp_table *train, void *user,
                                   mlp_error *err);

/* For each split of the Examples on input port in_port: map its table and
 * write the result as the same split of output port out_port.  The output
 * gets the input's properties, with rows and columns describing what was
 * written; a split's source lines are carried over when its row count is
 * unchanged (so a map that keeps the count must keep the order).  Progress
 * is reported per split. */
int mlp_examples_map(mlp_ctx *ctx, const char *in_port, const char *out_port,
                     mlp_examples_map_fn map, void *user);

/* The same, after fit() has seen split fit_split ("train" when NULL) of the
 * input: fit once on train, apply to every split.  A missing fit split is
 * an error naming the splits there are. */
int mlp_examples_fit_apply(mlp_ctx *ctx, const char *in_port,
                           const char *out_port, const char *fit_split,
                           mlp_examples_fit_fn fit, mlp_examples_map_fn apply,
                           void *user);

#ifdef __cplusplus
}
#endif
#endif
