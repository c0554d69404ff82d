/* Univariate scores of features against a class label, the measures
 * filter feature selection ranks features by: the chi-squared statistic
 * of non-negative features (counts, frequencies) and the ANOVA F
 * statistic, each with its p-value, defined as scikit-learn's chi2 and
 * f_classif define them.  Also the distribution tails those p-values come
 * from, for plugins that score features their own way.
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
