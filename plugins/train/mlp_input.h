/* The multilayer perceptron's first layer, where the rows come in: its
 * products with the batch, with the sparse columns (one-hot indicators,
 * rare counts) kept apart.  A dense product spends the same work on a
 * zero as on any value; for a column that is zero in most rows, adding
 * its few non-zero values' weight rows one at a time is cheaper, and a
 * table of one-hot levels is mostly such columns.  Which columns count as
 * sparse is decided once from the training rows by a cost estimate; the
 * answer changes the order of the float sums (both orders are fixed, so
 * a seed still gives the same weights) and nothing else. */
#ifndef MLP_TRAIN_INPUT_H
#define MLP_TRAIN_INPUT_H

#include <stddef.h>
#include <stdint.h>

typedef struct input_entry {
    uint32_t col;              /* index in sparse */
    float val;
} input_entry;

typedef struct mlp_input {
    size_t d, fo;              /* features; the first layer's outputs */
    size_t nd, ns;             /* dense and sparse columns; ns 0: no split */
    size_t *dense, *sparse;    /* their column numbers */
    /* With a split, every training row packed once, so that a shuffled
     * batch reads each row from a few neighbouring cache lines: */
    float *dx;                 /* n x nd: the dense columns */
    size_t *start;             /* row i's sparse non-zeros: [start[i], start[i + 1]) */
    input_entry *ent;          /* ... in ent */
    size_t *bstart;            /* the batch's rows' non-zeros, the same way */
    input_entry *bent;
    float *wd, *gd;            /* nd x fo: the dense columns' weight rows,
                                  packed, and their gradient */
} mlp_input;

/* Looks at the n training rows xf (row-major, d columns) and builds the
 * split when it pays.  Returns 0, or -1 out of memory (*in then freed). */
int input_init(mlp_input *in, const float *xf, size_t n, size_t d, size_t fo, size_t batch);
void input_free(mlp_input *in);

/* Takes the batch's rows (row numbers rows[0 .. b-1] of xf) as the
 * first layer reads them: their dense columns into a0 (b x nd, or b x d
 * without a split), their sparse ones into the batch's entries. */
void input_gather(mlp_input *in, const float *xf, const size_t *rows, size_t b, float *a0);

/* z (b x fo, holding the biases) += the gathered batch times w0 (d x fo). */
void input_forward(mlp_input *in, const float *w0, const float *a0, size_t b, float *z);

/* g0 (d x fo) = the gathered batch' times delta (b x fo). */
void input_backward(mlp_input *in, const float *a0, size_t b, const float *delta, float *g0);

#endif
