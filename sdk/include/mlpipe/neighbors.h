/* Nearest neighbours, exactly, for components that need them (SMOTE's
 * neighbours within a class, label propagation's k-NN graph).
 *
 * Brute force over the rows given: every distance is computed, so the
 * answer is exact and the same on every machine; time grows with the
 * square of the rows, shared out over threads.
 */
#ifndef MLPIPE_NEIGHBORS_H
#define MLPIPE_NEIGHBORS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* For each of the m rows rows[0..m) (indexes into the p columns cols[],
 * each column an array of doubles, borrowed), its k nearest rows among
 * the same m by Euclidean distance, into nn[i * k .. i * k + k) (the
 * caller's, m * k entries, values from rows[]), nearest first; equal
 * distances keep the order of rows[].  With self 0 a row is never its own
 * neighbour; with self 1 it counts as one at distance 0 (as scikit-learn's
 * kneighbors_graph of the fitted rows).  d2 (may be NULL) gets the squared
 * distances alongside.  Values must be finite.  Needs k < m (self 0) or
 * k <= m (self 1).  threads: at most that many (0: one per CPU).
 * Returns MLP_OK, MLP_EINVAL for a k the rows cannot give, or
 * MLP_ENOMEM. */
int mlp_knn(const double *const *cols, size_t p, const size_t *rows, size_t m, size_t k,
            int self, int threads, size_t *nn, double *d2);

#ifdef __cplusplus
}
#endif
#endif
