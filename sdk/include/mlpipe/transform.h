/* Transform graphs: the feature transformations a transform component
 * fitted on training rows, kept as one self-describing JSON document with
 * every fitted constant, and applied to raw rows by one call.  Whatever
 * turns raw rows into features -- the transform itself on every split,
 * evaluation, batch prediction, serving -- calls mlp_tgraph_apply() on the
 * same document, so the features cannot differ between training and
 * serving (tf.Transform's promise).
 *
 * The document (format "mlpipe.transform_graph", version 1; docs/stages.md
 * describes every member):
 *   inputs       the raw columns it reads: name and type (numeric,
 *                categorical, string);
 *   passthrough  raw columns copied to the output as they are (the label);
 *   steps        in order; each reads raw columns or earlier steps'
 *                outputs and writes numeric columns:
 *                  numeric  one input through a chain of ops: impute,
 *                           clip, log, zscore, minmax, bucketize; with an
 *                           optional missing-indicator output
 *                  vocab    value -> index in a fitted vocabulary, unseen
 *                           values to out-of-vocabulary buckets; or one
 *                           0/1 column per entry (one_hot)
 *                  hash     value -> one of `buckets` by a stable hash
 *                  cross    two or more values -> a bucket of their
 *                           combination
 *                  pca      a fitted projection of numeric columns
 *                  lua      a Lua function of the row's values
 *   outputs      the columns the graph emits, in order.
 *
 * Every output is a numeric column (float64); a missing result is NaN and
 * marked missing.  How each mapper treats a missing value, an unseen
 * category and a number outside what it was fitted on is part of the
 * document (see docs/stages.md), never a guess at apply time.
 *
 * Ownership: mlp_tgraph_load() and mlp_tgraph_parse() return an owned
 * graph, freed with mlp_tgraph_free(); names returned by the accessors are
 * borrowed from it.  mlp_tgraph_apply() returns an owned table.  A graph
 * may be applied from several threads at once. */
#ifndef MLPIPE_TRANSFORM_H
#define MLPIPE_TRANSFORM_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include <mlpipe/error.h>
#include <mlpipe/table.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MLP_TGRAPH_FORMAT "mlpipe.transform_graph"
#define MLP_TGRAPH_VERSION 1

typedef struct mlp_tgraph mlp_tgraph;

/* Reads and checks a graph document (a file, or a parsed tree; `where`
 * names it in errors).  Every member is checked: an unknown step kind or
 * op, a step reading a column nothing provides, a vocabulary with a
 * repeated entry, boundaries out of order, a PCA matrix of the wrong
 * size, Lua that does not compile -- each refused naming the step. */
int mlp_tgraph_load(const char *path, mlp_tgraph **out, mlp_error *err);
int mlp_tgraph_parse(const cJSON *doc, const char *where, mlp_tgraph **out,
                     mlp_error *err);
void mlp_tgraph_free(mlp_tgraph *g);

/* The raw columns the graph reads and the columns it writes. */
size_t mlp_tgraph_n_inputs(const mlp_tgraph *g);
const char *mlp_tgraph_input(const mlp_tgraph *g, size_t i, mlp_col_type *type);
size_t mlp_tgraph_n_outputs(const mlp_tgraph *g);
/* How many columns applying the graph computes: its outputs and the
 * features they are made from (a PCA's scaled inputs).  Each takes 8
 * bytes a row while rows are applied: a caller going through a large
 * table in slices sizes them by it. */
size_t mlp_tgraph_n_computed(const mlp_tgraph *g);
const char *mlp_tgraph_output(const mlp_tgraph *g, size_t i);

/* Applies the graph to raw rows: `raw` must have every input column with
 * its type (a numeric input may come as numbers of any stored form; a
 * categorical input may come as strings and the other way round); other
 * columns are ignored.  *out gets the passthrough columns present in raw,
 * then the outputs.  Refused (MLP_EINVAL): a missing input column, one of
 * another kind (text where numbers are expected), a Lua mapper that fails
 * or returns something other than numbers (naming the mapper and row), a
 * PCA input missing or infinite (naming the input and row). */
int mlp_tgraph_apply(const mlp_tgraph *g, const mlp_table *raw,
                     mlp_table **out, mlp_error *err);

/* The same for rows that are part of something larger (a split read a
 * row group at a time): errors name row first_row + i + 1 for raw's row
 * i, and when one row is at fault (a Lua mapper's error, a PCA input
 * missing or infinite) *bad_row (may be NULL) gets its i, else SIZE_MAX,
 * so the caller can also say where the row came from. */
int mlp_tgraph_apply_rows(const mlp_tgraph *g, const mlp_table *raw,
                          size_t first_row, mlp_table **out, size_t *bad_row,
                          mlp_error *err);

/* A fingerprint of a graph document (XXH3-64 of its canonical JSON, 16
 * hex digits and a NUL into hex): the transform records it on the
 * Examples it writes and a Model on the graph it keeps, so a reader can
 * tell rows a graph already made from raw rows. */
void mlp_tgraph_doc_hash(const cJSON *doc, char hex[17]);

#ifdef __cplusplus
}
#endif
#endif
