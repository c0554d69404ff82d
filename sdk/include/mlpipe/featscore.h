/* Univariate scores of features against a label, the measures filter
 * feature selection ranks features by: the chi-squared statistic of
 * non-negative features (counts, frequencies), the ANOVA F statistic and
 * the regression F, each with its p-value, and mutual information, each
 * defined as scikit-learn defines it (chi2, f_classif, f_regression,
 * mutual_info_classif and _regression).  Also the distribution tails
 * those p-values come from, for plugins that score features their own
 * way.
 *
 * Features are given as columns: cols[j][i] is feature j of row i (a
 * table's numeric columns can be passed as they are).  Labels are class
 * indexes 0 .. n_classes - 1.  Results go to caller-owned arrays of
 * n_feat doubles; nothing is allocated that outlives a call.
 */
#ifndef MLPIPE_FEATSCORE_H
#define MLPIPE_FEATSCORE_H

#include <stddef.h>
#include <stdint.h>

#include <mlpipe/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Chi-squared of each feature against the classes: the feature's sum in
 * each class against the sum its overall total and the class shares would
 * give; p-value with n_classes - 1 degrees of freedom.  A feature that is
 * zero in every row scores NaN (as scikit-learn's).  Refused (MLP_EINVAL,
 * naming the feature index and row): a negative or NaN value, a label out
 * of range, fewer than two classes present. */
int mlp_score_chi2(const double *const *cols, size_t n_feat, size_t n_rows,
                   const int32_t *y, size_t n_classes, double *score,
                   double *pvalue, mlp_error *err);

/* One-way ANOVA F of each feature across the classes (between-class mean
 * square over within-class mean square) and its p-value with
 * (k - 1, n - k) degrees of freedom, k the classes present.  A feature
 * constant within every class scores +inf (p 0) if its class means
 * differ, NaN if not.  Refused (MLP_EINVAL): NaN or infinite values, a
 * label out of range, fewer than two classes present, no more rows than
 * classes. */
int mlp_score_anova_f(const double *const *cols, size_t n_feat, size_t n_rows,
                      const int32_t *y, size_t n_classes, double *score,
                      double *pvalue, mlp_error *err);

/* The same two scores of one feature from what they are made of, for
 * scorers that count values rather than list them (a histogram of small
 * integers per class): count[c] rows of class c, sum[c] the feature's sum
 * over them, and for F ssw, the sum over rows of the squared deviation
 * from the row's class mean.  Refused (MLP_EINVAL): fewer than two
 * classes with rows, a negative sum (chi2), no more rows than classes or
 * a non-finite ssw (F). */
int mlp_score_chi2_sums(const double *count, const double *sum, size_t n_classes,
                        double *score, double *pvalue, mlp_error *err);
int mlp_score_anova_f_sums(const double *count, const double *sum, double ssw,
                           size_t n_classes, double *score, double *pvalue,
                           mlp_error *err);

/* Scikit-learn's f_regression: the F statistic of each feature's simple
 * linear regression on a numeric target, r^2 / (1 - r^2) * (n - 2) with r
 * Pearson's correlation, and its p-value with (1, n - 2) degrees of
 * freedom.  A constant feature scores NaN.  Refused (MLP_EINVAL): NaN or
 * infinite values in a feature or the target, fewer than three rows, a
 * constant target. */
int mlp_score_f_regression(const double *const *cols, size_t n_feat,
                           size_t n_rows, const double *y, double *score,
                           double *pvalue, mlp_error *err);

/* Mutual information between each feature and the label, estimated as
 * scikit-learn's mutual_info_classif and mutual_info_regression estimate
 * it, in nats:
 *   continuous feature, class label   Ross (2014): k-th neighbour within
 *                                     the row's class, rows of every class
 *                                     counted within that radius;
 *   continuous feature, numeric label Kraskov et al. (2004), estimator 1,
 *                                     max-norm neighbours in the plane;
 *   discrete feature, class label     the plug-in value of the contingency
 *                                     table (mutual_info_score);
 *   discrete feature, numeric label   Ross, the label's neighbours within
 *                                     the feature's value.
 * As there, continuous values (a continuous numeric label too) are
 * divided by their standard deviation and get Gaussian noise of 1e-10 x
 * max(1, mean |value|) so that tied values become neighbours in a random
 * order; the noise of feature j, row i depends only on (seed,
 * first_feature + j, i), so scoring features in batches or on several
 * threads gives the same numbers.  Negative estimates are reported as 0.
 * Rows of a class with one row are left out of the Ross estimate. */
typedef struct mlp_mi_params {
    size_t n_neighbors;            /* k; scikit-learn's default is 3 */
    uint64_t seed;                 /* the noise's seed */
    size_t first_feature;          /* index of cols[0] among all features */
    const unsigned char *discrete; /* per feature, nonzero = discrete (its
                                      values are integer codes); NULL: all
                                      continuous */
    int threads;                   /* features scored at once (<= 1: one) */
} mlp_mi_params;

/* Against class indexes y (0 .. n_classes - 1).  Refused (MLP_EINVAL):
 * NaN or infinite values, a discrete value that is not an integer, a
 * label out of range, fewer than two classes, n_neighbors 0. */
int mlp_score_mutual_info_classif(const double *const *cols, size_t n_feat,
                                  size_t n_rows, const int32_t *y,
                                  size_t n_classes, const mlp_mi_params *p,
                                  double *mi, mlp_error *err);

/* Against a numeric label y.  Refused as above, and when n_rows is not
 * above n_neighbors. */
int mlp_score_mutual_info_regression(const double *const *cols, size_t n_feat,
                                     size_t n_rows, const double *y,
                                     const mlp_mi_params *p, double *mi,
                                     mlp_error *err);

/* For sums of squares that lose nothing to where values sit: *x0 the
 * first of x[0..n) and *sc the power of two that brings the largest
 * |x[i] - *x0| into [0.5, 1) (1 when all are equal or the distance is not
 * finite).  Scores built from (x - x0) * sc are unchanged by an offset of
 * 1e15 and do not overflow or underflow for values near 1e+-200. */
void mlp_shift_scale(const double *x, size_t n, double *x0, double *sc);
/* The power of two mlp_shift_scale uses for values spread over
 * `spread` (their largest distance from x0): 2^-e with spread = m 2^e,
 * 0.5 <= m < 1, kept finite for subnormal spreads; 1 when spread is 0,
 * infinite or NaN. */
double mlp_spread_scale(double spread);

/* P(X > x) for X chi-squared with dof degrees of freedom (dof > 0), and
 * for X F-distributed with (d1, d2) degrees of freedom; computed for full
 * relative precision in the tail (p-values far below 1e-100 stay
 * accurate).  NaN for a NaN or invalid argument. */
double mlp_chi2_sf(double x, double dof);
double mlp_f_sf(double x, double d1, double d2);

#ifdef __cplusplus
}
#endif
#endif
