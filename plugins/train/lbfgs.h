/* L-BFGS for the smooth objectives of the linear trainers, and OWL-QN
 * (Andrew & Gao, "Scalable training of L1-regularized log-linear models",
 * ICML 2007) for those plus an L1 penalty. */
#ifndef MLPIPE_TRAIN_LBFGS_H
#define MLPIPE_TRAIN_LBFGS_H

#include <stddef.h>

/* Objective at x: returns f(x) and fills g (n values) with its gradient. */
typedef double (*lbfgs_fn)(void *user, const double *x, double *g);
/* After each iteration: non-zero stops the run (cancelled). */
typedef int (*lbfgs_step_fn)(void *user, size_t iter, const double *x, double f);

typedef struct lbfgs_opts {
    size_t max_iter;       /* iterations (line searches) at most */
    double gtol;           /* stop when max |g_i| <= gtol */
    double ftol;           /* ... or when the relative decrease of f is below */
    size_t history;        /* correction pairs kept (m) */
    double l1;             /* > 0: minimise fn + l1 * sum |x_i| over the
                              first l1_n values, by OWL-QN */
    size_t l1_n;
} lbfgs_opts;

typedef enum lbfgs_status {
    LBFGS_CONVERGED = 0,   /* gradient (with l1: pseudo-gradient) small enough */
    LBFGS_FLAT,            /* f stopped decreasing (ftol) */
    LBFGS_MAX_ITER,
    LBFGS_LINE_SEARCH,     /* no step decreased f: at the precision limit */
    LBFGS_STOPPED,         /* step() asked to stop */
    LBFGS_NO_MEMORY
} lbfgs_status;

/* Minimises fn (plus the L1 term) from x (n values, updated in place).
 * *iters gets the iterations done and *f the final value, L1 term
 * included; step() sees it too. */
lbfgs_status lbfgs_minimize(size_t n, double *x, lbfgs_fn fn, lbfgs_step_fn step,
                            void *user, const lbfgs_opts *o, size_t *iters, double *f);

#endif
