/* Model metrics over a set of rows, as scikit-learn defines them. */
#ifndef MLPIPE_EVALUATE_METRICS_H
#define MLPIPE_EVALUATE_METRICS_H

#include <stddef.h>

#include <cjson/cJSON.h>

/* Predictions of the rows being scored: y the target (value, or class
 * index; -1 a class the model does not know), p n x k probabilities
 * (k = 1: a regression's values), rows the subset (NULL: all n). */
typedef struct ev_rows {
    const double *y, *p;
    size_t k;
    const size_t *rows;
    size_t n;
    size_t positive;       /* the class that counts as positive */
} ev_rows;

#define EV_ROW(r, i) ((r)->rows ? (r)->rows[i] : (i))

/* Every metric of a classifier: accuracy, precision, recall, f1 (of the
 * positive class when k == 2, else macro averages), roc_auc and pr_auc
 * (one-vs-rest macro averages when k > 2; null when undefined), log_loss,
 * brier (k == 2), selection_rate, tpr, fpr, fnr; and, with curves, the
 * confusion matrix, ROC points and the calibration curve.  NULL when out
 * of memory. */
cJSON *ev_classification(const ev_rows *r, int curves);
/* mse, rmse, mae, r2, and with curves the residuals' summary. */
cJSON *ev_regression(const ev_rows *r, int curves);

/* The names a threshold may use, and whether larger is better. */
extern const char *const ev_metric_names[];
int ev_higher_is_better(const char *metric);

#endif
