/* Univariate feature scores against a class label (featscore.h). */
#include <math.h>
#include <stdlib.h>

#include <mlpipe/featscore.h>
#include <mlpipe/memory.h>

/* *count: rows per class (owned by the caller), after checking every
 * label; *present: classes with rows. */
static int class_counts(const int32_t *y, size_t n_rows, size_t n_classes,
                        double **count, size_t *present, mlp_error *err)
{
    double *k = mlp_calloc(n_classes + 1, sizeof *k);

    *count = NULL;
    if (k == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    for (size_t i = 0; i < n_rows; i++) {
        if (y[i] < 0 || (size_t)y[i] >= n_classes) {
            mlp_free(k);
            return mlp_error_set(err, MLP_EINVAL, "row %zu: label %d is not a "
                                 "class index 0..%zu", i + 1, (int)y[i],
                                 n_classes - 1);
        }
        k[y[i]] += 1;
    }
    *present = 0;
    for (size_t c = 0; c < n_classes; c++)
        *present += k[c] > 0;
    if (*present < 2) {
        mlp_free(k);
        return mlp_error_set(err, MLP_EINVAL, "the label has %zu class%s in these "
                             "rows; scoring features against it needs two or more",
                             *present, *present == 1 ? "" : "es");
    }
    *count = k;
    return MLP_OK;
}

/* Chi-squared from the class sums obs[] of a feature and the rows per
 * class count[] (n rows, `present` classes with rows). */
static void chi2_of(const double *count, const double *obs, size_t n_classes,
                    double n, size_t present, double *score, double *pvalue)
{
    double total = 0, chi2 = 0;

    for (size_t c = 0; c < n_classes; c++)
        total += obs[c];
    /* Classes with no rows are not cells of the table (scikit-learn's
     * label binarizer only sees the classes present). */
    for (size_t c = 0; c < n_classes; c++) {
        if (count[c] == 0)
            continue;
        double expected = count[c] / n * total;
        double d = obs[c] - expected;
        chi2 += d * d / expected;
    }
    *score = chi2;
    *pvalue = mlp_chi2_sf(chi2, (double)(present - 1));
}

/* ANOVA F from the rows and sums per class and the within-class sum of
 * squares. */
static void anova_of(const double *count, const double *sum, size_t n_classes,
                     double n, size_t present, double ssw, double *score,
                     double *pvalue)
{
    double grand = 0, ssb = 0, dfb = (double)(present - 1), dfw = n - (double)present;

    for (size_t c = 0; c < n_classes; c++)
        grand += sum[c];
    grand /= n;
    for (size_t c = 0; c < n_classes; c++)
        if (count[c] > 0) {
            double d = sum[c] / count[c] - grand;
            ssb += count[c] * d * d;
        }
    double f = (ssb / dfb) / (ssw / dfw);
    *score = f;
    *pvalue = mlp_f_sf(f, dfb, dfw);
}

/* The classes with rows among count[]; refused below two. */
static int classes_with_rows(const double *count, size_t n_classes, size_t *present,
                             mlp_error *err)
{
    *present = 0;
    for (size_t c = 0; c < n_classes; c++) {
        if (!(count[c] >= 0))
            return mlp_error_set(err, MLP_EINVAL, "class %zu: %g rows", c, count[c]);
        *present += count[c] > 0;
    }
    if (*present < 2)
        return mlp_error_set(err, MLP_EINVAL, "the label has %zu class%s in these "
                             "rows; scoring features against it needs two or more",
                             *present, *present == 1 ? "" : "es");
    return MLP_OK;
}

void mlp_shift_scale(const double *x, size_t n, double *x0, double *sc)
{
    double big = 0, lo = HUGE_VAL, hi = -HUGE_VAL;
    *x0 = n ? x[0] : 0;
    for (size_t i = 0; i < n; i++) {
        double d = fabs(x[i] - *x0);
        big = d > big ? d : big;
        lo = x[i] < lo ? x[i] : lo;
        hi = x[i] > hi ? x[i] : hi;
    }
    /* Distances from the first value overflow (values from -1e308 to
     * 1e308): from the midpoint they do not. */
    if (!isfinite(big) && isfinite(lo) && isfinite(hi)) {
        *x0 = lo / 2 + hi / 2;
        big = fmax(hi - *x0, *x0 - lo);
    }
    *sc = mlp_spread_scale(big);
}

double mlp_spread_scale(double spread)
{
    int e;

    if (!(spread > 0) || !isfinite(spread))
        return 1;
    frexp(spread, &e);
    /* Below 2^-1022 (subnormal spreads) 2^-e would overflow; 2^1023 still
     * brings the values to a normal range, and scaling by a power of two
     * loses no bit of a subnormal. */
    return ldexp(1, -e > 1023 ? 1023 : -e);
}

int mlp_score_chi2_sums(const double *count, const double *sum, size_t n_classes,
                        double *score, double *pvalue, mlp_error *err)
{
    size_t present;
    double n = 0;
    int rc = classes_with_rows(count, n_classes, &present, err);

    if (rc != MLP_OK)
        return rc;
    for (size_t c = 0; c < n_classes; c++) {
        if (!(sum[c] >= 0))
            return mlp_error_set(err, MLP_EINVAL, "class %zu: chi-squared needs a "
                                 "sum >= 0, not %g", c, sum[c]);
        n += count[c];
    }
    chi2_of(count, sum, n_classes, n, present, score, pvalue);
    return MLP_OK;
}

int mlp_score_anova_f_sums(const double *count, const double *sum, double ssw,
                           size_t n_classes, double *score, double *pvalue,
                           mlp_error *err)
{
    size_t present;
    double n = 0;
    int rc = classes_with_rows(count, n_classes, &present, err);

    if (rc != MLP_OK)
        return rc;
    for (size_t c = 0; c < n_classes; c++)
        n += count[c];
    if (!(n > (double)present) || !(ssw >= 0) || !isfinite(ssw))
        return mlp_error_set(err, MLP_EINVAL, "%g rows in %zu classes, within-class "
                             "sum of squares %g: the F test needs more rows than "
                             "classes and a finite sum", n, present, ssw);
    anova_of(count, sum, n_classes, n, present, ssw, score, pvalue);
    return MLP_OK;
}

int mlp_score_chi2(const double *const *cols, size_t n_feat, size_t n_rows,
                   const int32_t *y, size_t n_classes, double *score,
                   double *pvalue, mlp_error *err)
{
    size_t present;
    double *count, *obs;
    int rc = class_counts(y, n_rows, n_classes, &count, &present, err);

    if (rc != MLP_OK)
        return rc;
    obs = mlp_calloc(n_classes + 1, sizeof *obs);
    if (obs == NULL) {
        mlp_free(count);
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    }
    for (size_t j = 0; j < n_feat; j++) {
        const double *x = cols[j];
        for (size_t c = 0; c < n_classes; c++)
            obs[c] = 0;
        for (size_t i = 0; i < n_rows; i++) {
            if (!(x[i] >= 0)) {
                mlp_free(obs);
                mlp_free(count);
                return mlp_error_set(err, MLP_EINVAL, "feature %zu, row %zu: "
                                     "chi-squared needs values >= 0 (counts or "
                                     "frequencies), not %g", j + 1, i + 1, x[i]);
            }
            obs[y[i]] += x[i];
        }
        chi2_of(count, obs, n_classes, (double)n_rows, present, &score[j], &pvalue[j]);
    }
    mlp_free(obs);
    mlp_free(count);
    return MLP_OK;
}

int mlp_score_anova_f(const double *const *cols, size_t n_feat, size_t n_rows,
                      const int32_t *y, size_t n_classes, double *score,
                      double *pvalue, mlp_error *err)
{
    size_t present;
    double *count, *sum;
    int rc = class_counts(y, n_rows, n_classes, &count, &present, err);

    if (rc != MLP_OK)
        return rc;
    if (n_rows <= present) {
        mlp_free(count);
        return mlp_error_set(err, MLP_EINVAL, "%zu rows in %zu classes: the "
                             "within-class variance needs more rows than "
                             "classes", n_rows, present);
    }
    sum = mlp_calloc(n_classes + 1, sizeof *sum);
    if (sum == NULL) {
        mlp_free(count);
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    }
    for (size_t j = 0; j < n_feat; j++) {
        const double *x = cols[j];
        double ssw = 0, x0, sc;
        for (size_t c = 0; c < n_classes; c++)
            sum[c] = 0;
        for (size_t i = 0; i < n_rows; i++)
            if (!isfinite(x[i])) {
                mlp_free(sum);
                mlp_free(count);
                return mlp_error_set(err, MLP_EINVAL, "feature %zu, row %zu: "
                                     "ANOVA F needs finite values, not %g",
                                     j + 1, i + 1, x[i]);
            }
        /* F does not change with shift or scale: shifted by the first
         * value and scaled by a power of two, an offset of 1e15 loses no
         * digit and values near 1e200 do not overflow when squared. */
        mlp_shift_scale(x, n_rows, &x0, &sc);
        for (size_t i = 0; i < n_rows; i++)
            sum[y[i]] += (x[i] - x0) * sc;
        /* Deviations from the class means, in a second pass: the sums of
         * squares then lose nothing to cancellation. */
        for (size_t i = 0; i < n_rows; i++) {
            double d = (x[i] - x0) * sc - sum[y[i]] / count[y[i]];
            ssw += d * d;
        }
        anova_of(count, sum, n_classes, (double)n_rows, present, ssw, &score[j],
                 &pvalue[j]);
    }
    mlp_free(sum);
    mlp_free(count);
    return MLP_OK;
}

int mlp_score_f_regression(const double *const *cols, size_t n_feat,
                           size_t n_rows, const double *y, double *score,
                           double *pvalue, mlp_error *err)
{
    double ym = 0, syy = 0, dof, y0, ysc;

    if (n_rows < 3)
        return mlp_error_set(err, MLP_EINVAL, "%zu rows: a regression F "
                             "needs three or more", n_rows);
    for (size_t i = 0; i < n_rows; i++)
        if (!isfinite(y[i]))
            return mlp_error_set(err, MLP_EINVAL, "label, row %zu: the "
                                 "regression F needs finite values, not %g",
                                 i + 1, y[i]);
    mlp_shift_scale(y, n_rows, &y0, &ysc);
    for (size_t i = 0; i < n_rows; i++)
        ym += (y[i] - y0) * ysc;
    ym /= (double)n_rows;
    for (size_t i = 0; i < n_rows; i++)
        syy += ((y[i] - y0) * ysc - ym) * ((y[i] - y0) * ysc - ym);
    if (syy == 0)
        return mlp_error_set(err, MLP_EINVAL, "the label is constant (%g in "
                             "every row): nothing to correlate with", y[0]);
    dof = (double)(n_rows - 2);
    for (size_t j = 0; j < n_feat; j++) {
        const double *x = cols[j];
        double xm = 0, sxx = 0, sxy = 0, x0, sc;
        for (size_t i = 0; i < n_rows; i++)
            if (!isfinite(x[i]))
                return mlp_error_set(err, MLP_EINVAL, "feature %zu, row %zu: "
                                     "the regression F needs finite values, "
                                     "not %g", j + 1, i + 1, x[i]);
        /* r is unchanged by shift and scale: centred sums of shifted,
         * scaled values lose nothing to offsets or magnitudes. */
        mlp_shift_scale(x, n_rows, &x0, &sc);
        for (size_t i = 0; i < n_rows; i++)
            xm += (x[i] - x0) * sc;
        xm /= (double)n_rows;
        for (size_t i = 0; i < n_rows; i++) {
            double d = (x[i] - x0) * sc - xm;
            sxx += d * d;
            sxy += d * ((y[i] - y0) * ysc - ym);
        }
        if (sxx == 0) {
            score[j] = NAN;
            pvalue[j] = NAN;
            continue;
        }
        double r = sxy / sqrt(sxx) / sqrt(syy), r2 = r * r;
        if (r2 >= 1) {
            score[j] = INFINITY;
            pvalue[j] = 0;
            continue;
        }
        score[j] = r2 / (1 - r2) * dof;
        pvalue[j] = mlp_f_sf(score[j], 1, dof);
    }
    return MLP_OK;
}
