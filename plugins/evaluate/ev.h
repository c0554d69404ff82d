/* Internal to the evaluate plugin: the rows being evaluated, slices,
 * fairness, the checks that bless a model, and the views. */
#ifndef MLPIPE_EVALUATE_EV_H
#define MLPIPE_EVALUATE_EV_H

#include <mlpipe/mlpipe.h>

#include "metrics.h"

/* The evaluated split: raw columns (for slicing), targets, predictions. */
typedef struct ev_data {
    const mlp_table *raw;
    const char *split;
    const mlp_artifact *ex;
    mlp_model_task task;
    size_t n, k;            /* rows; probabilities per row (1: values) */
    double *y, *p;          /* owned by the caller */
    const cJSON *classes;   /* NULL for regression */
    const char *label;      /* the model's label (NULL for saved predictions) */
    size_t positive;
    int features_given;     /* the rows are the model's features already */
} ev_data;

/* One slice: the rows whose slicing columns have these values. */
typedef struct ev_slice {
    char *feature;          /* "sex", or "sex x region" */
    char *value;            /* "F", or "F, N"; a bucket "[30, 50)" */
    size_t *rows, n;
} ev_slice;

/* The slices the `slices` parameter asks for; *out owned (ev_slices_free). */
int ev_make_slices(const ev_data *d, const cJSON *specs, size_t max_values,
                   ev_slice **out, size_t *n, mlp_error *err);
void ev_slices_free(ev_slice *s, size_t n);

/* The metrics of rows (all when rows is NULL). */
cJSON *ev_metrics(const ev_data *d, const size_t *rows, size_t n, int curves);

/* Percentile intervals of every metric over `draws` bootstrap resamples
 * of the rows (seeded). */
cJSON *ev_bootstrap(const ev_data *d, const size_t *rows, size_t n, size_t draws,
                    double confidence, uint64_t seed);

/* Fairness of the positive class across the groups of each feature in
 * `features`, gaps between groups or against `reference` (feature ->
 * value); an array, one entry per feature. */
int ev_fairness(const ev_data *d, const cJSON *features, const cJSON *reference,
                size_t min_size, cJSON **out, mlp_error *err);

/* The checks of the threshold parameters against the evaluation; returns
 * the Blessing document. */
cJSON *ev_checks(const cJSON *evaluation, const cJSON *thresholds,
                 const cJSON *slice_thresholds, const cJSON *change_thresholds,
                 const cJSON *baseline, int *blessed);

int ev_view(const mlp_artifact *a, mlp_view *v, mlp_error *err);
int ev_blessing_view(const mlp_artifact *a, mlp_view *v, mlp_error *err);

#endif
