/* Fairness: the positive class's rates per group of a sensitive feature
 * (selection rate, TPR, FPR, FNR, precision) and the gaps between them,
 * as fairlearn's MetricFrame reports them: between groups (largest minus
 * smallest; the ratio smallest over largest), or, with a reference
 * group, each group against it (largest absolute difference; the
 * smallest ratio either way round). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <mlpipe/json.h>

#include "ev.h"

enum { SEL, TPR, FPR, FNR, PREC, N_RATES };
static const char *const rate_names[N_RATES] = { "selection_rate", "tpr", "fpr", "fnr",
                                                 "precision" };

static void rates(const ev_data *d, const size_t *rows, size_t n, double out[N_RATES])
{
    double tp = 0, fp = 0, fn = 0, tn = 0;

    for (size_t i = 0; i < n; i++) {
        size_t r = rows ? rows[i] : i, b = 0;
        const double *p = d->p + r * d->k;
        for (size_t c = 1; c < d->k; c++)
            if (p[c] > p[b])
                b = c;
        int pred = b == d->positive, act = d->y[r] == (double)d->positive;
        tp += pred && act;
        fp += pred && !act;
        fn += !pred && act;
        tn += !pred && !act;
    }
    out[SEL] = n ? (tp + fp) / (double)n : NAN;
    out[TPR] = tp + fn > 0 ? tp / (tp + fn) : NAN;
    out[FPR] = fp + tn > 0 ? fp / (fp + tn) : NAN;
    out[FNR] = tp + fn > 0 ? fn / (tp + fn) : NAN;
    out[PREC] = tp + fp > 0 ? tp / (tp + fp) : NAN;
}

/* The gap of one rate over the groups: max - min, or against ref. */
static double gap(const double (*g)[N_RATES], size_t ng, int rate, const double *ref)
{
    double lo = INFINITY, hi = -INFINITY, worst = -INFINITY;

    for (size_t i = 0; i < ng; i++) {
        double v = g[i][rate];
        if (isnan(v))
            continue;
        lo = fmin(lo, v);
        hi = fmax(hi, v);
        if (ref && !isnan(ref[rate]))
            worst = fmax(worst, fabs(v - ref[rate]));
    }
    if (ref)
        return isfinite(worst) ? worst : NAN;
    return hi >= lo ? hi - lo : NAN;
}

static double ratio_gap(const double (*g)[N_RATES], size_t ng, const double *ref)
{
    double lo = INFINITY, hi = -INFINITY, worst = INFINITY;

    for (size_t i = 0; i < ng; i++) {
        double v = g[i][SEL];
        if (isnan(v))
            continue;
        lo = fmin(lo, v);
        hi = fmax(hi, v);
        if (ref && !isnan(ref[SEL]) && ref[SEL] > 0 && v > 0)
            worst = fmin(worst, fmin(v / ref[SEL], ref[SEL] / v));
        else if (ref && !isnan(ref[SEL]))
            worst = fmin(worst, v == ref[SEL] ? 1.0 : 0.0);
    }
    if (ref)
        return isfinite(worst) ? worst : NAN;
    return hi > 0 ? lo / hi : hi == 0 && lo == 0 ? 1.0 : NAN;
}

static int one_feature(const ev_data *d, const char *feature, const cJSON *reference,
                       size_t min_size, cJSON *out, mlp_error *err)
{
    cJSON *spec = cJSON_CreateArray(), *f, *groups;
    ev_slice *s = NULL;
    size_t ns = 0, ref = SIZE_MAX;
    const char *want = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(reference,
                                                                            feature));
    int rc;

    if (mlp_table_find(d->raw, feature) == NULL) {
        cJSON_Delete(spec);
        return mlp_error_set(err, MLP_EINVAL, "fairness: split '%s' has no column '%s'",
                             d->split, feature);
    }
    cJSON_AddItemToArray(spec, cJSON_CreateString(feature));
    rc = ev_make_slices(d, spec, 1000, &s, &ns, err);
    cJSON_Delete(spec);
    if (rc != MLP_OK) {
        mlp_error_prefix(err, "fairness");
        return rc;
    }
    double (*g)[N_RATES] = calloc(ns + 1, sizeof *g), overall[N_RATES];
    if (g == NULL) {
        ev_slices_free(s, ns);
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < ns; i++) {
        rates(d, s[i].rows, s[i].n, g[i]);
        if (want && strcmp(s[i].value, want) == 0)
            ref = i;
    }
    if (want && ref == SIZE_MAX) {
        ev_slices_free(s, ns);
        free(g);
        return mlp_error_set(err, MLP_EINVAL, "fairness_reference: no row of split '%s' "
                             "has %s = '%s'", d->split, feature, want);
    }
    rates(d, NULL, d->n, overall);
    const double *base = ref != SIZE_MAX ? g[ref] : overall;
    f = cJSON_CreateObject();
    cJSON_AddStringToObject(f, "feature", feature);
    if (ref != SIZE_MAX)
        cJSON_AddStringToObject(f, "reference", want);
    else
        cJSON_AddNullToObject(f, "reference");
    groups = cJSON_AddArrayToObject(f, "groups");
    for (size_t i = 0; i < ns; i++) {
        cJSON *e = cJSON_CreateObject(), *diff = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "value", s[i].value);
        cJSON_AddItemToObject(e, "rows", mlp_json_int((int64_t)s[i].n));
        if (s[i].n < min_size)
            cJSON_AddTrueToObject(e, "small");
        for (int k = 0; k < N_RATES; k++) {
            cJSON_AddItemToObject(e, rate_names[k], mlp_json_number(g[i][k]));
            cJSON_AddItemToObject(diff, rate_names[k], mlp_json_number(g[i][k] - base[k]));
        }
        cJSON_AddItemToObject(e, ref != SIZE_MAX ? "minus_reference" : "minus_overall", diff);
        cJSON_AddItemToArray(groups, e);
    }
    const double *r = ref != SIZE_MAX ? g[ref] : NULL;
    double tpr = gap((const double (*)[N_RATES])g, ns, TPR, r);
    double fpr = gap((const double (*)[N_RATES])g, ns, FPR, r);
    cJSON_AddItemToObject(f, "demographic_parity_difference",
                          mlp_json_number(gap((const double (*)[N_RATES])g, ns, SEL, r)));
    cJSON_AddItemToObject(f, "demographic_parity_ratio",
                          mlp_json_number(ratio_gap((const double (*)[N_RATES])g, ns, r)));
    cJSON_AddItemToObject(f, "equal_opportunity_difference", mlp_json_number(tpr));
    cJSON_AddItemToObject(f, "equalized_odds_difference",
                          mlp_json_number(isnan(tpr) || isnan(fpr) ? NAN : fmax(tpr, fpr)));
    cJSON_AddItemToObject(f, "fpr_gap", mlp_json_number(fpr));
    cJSON_AddItemToObject(f, "fnr_gap",
                          mlp_json_number(gap((const double (*)[N_RATES])g, ns, FNR, r)));
    cJSON_AddItemToObject(f, "precision_gap",
                          mlp_json_number(gap((const double (*)[N_RATES])g, ns, PREC, r)));
    cJSON_AddItemToArray(out, f);
    ev_slices_free(s, ns);
    free(g);
    return MLP_OK;
}

int ev_fairness(const ev_data *d, const cJSON *features, const cJSON *reference,
                size_t min_size, cJSON **out, mlp_error *err)
{
    const cJSON *f;
    int rc = MLP_OK;

    *out = cJSON_CreateArray();
    if (*out == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    if (cJSON_GetArraySize(features) > 0 && d->task != MLP_TASK_CLASSIFICATION)
        rc = mlp_error_set(err, MLP_EINVAL, "fairness: the rates compare a classifier's "
                           "decisions; this is a regression");
    cJSON_ArrayForEach(f, reference) {
        int listed = 0;
        const cJSON *x;
        cJSON_ArrayForEach(x, features)
            listed |= strcmp(x->valuestring, f->string) == 0;
        if (rc == MLP_OK && !listed)
            rc = mlp_error_set(err, MLP_EINVAL, "fairness_reference: '%s' is not one of the "
                               "fairness features", f->string);
        if (rc == MLP_OK && !cJSON_IsString(f))
            rc = mlp_error_set(err, MLP_EINVAL, "fairness_reference: the reference group "
                               "of '%s' must be a value written as a string", f->string);
    }
    cJSON_ArrayForEach(f, features) {
        if (rc != MLP_OK)
            break;
        rc = one_feature(d, f->valuestring, reference, min_size, *out, err);
    }
    if (rc != MLP_OK) {
        cJSON_Delete(*out);
        *out = NULL;
    }
    return rc;
}
