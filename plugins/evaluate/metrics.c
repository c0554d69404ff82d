/* Metrics as scikit-learn 1.2 computes them (sklearn.metrics), so a
 * number here and there agree to rounding: the ranking metrics walk the
 * distinct scores from the highest (_binary_clf_curve), the log loss
 * clips to [eps, 1 - eps] and renormalises each row, the calibration
 * curve bins with searchsorted's left side on edges i / n_bins. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <mlpipe/json.h>

#include "metrics.h"

const char *const ev_metric_names[] = {
    "accuracy", "precision", "recall", "f1", "roc_auc", "pr_auc", "log_loss", "brier",
    "selection_rate", "tpr", "fpr", "fnr", "mse", "rmse", "mae", "r2",
    "demographic_parity_difference", "demographic_parity_ratio",
    "equal_opportunity_difference", "equalized_odds_difference", "fpr_gap", "fnr_gap",
    "precision_gap", NULL
};

int ev_higher_is_better(const char *m)
{
    static const char *const higher[] = { "accuracy", "precision", "recall", "f1", "roc_auc",
                                          "pr_auc", "r2", "tpr", "demographic_parity_ratio",
                                          NULL };
    for (size_t i = 0; higher[i]; i++)
        if (strcmp(higher[i], m) == 0)
            return 1;
    return 0;
}

static void put(cJSON *o, const char *k, double v)
{
    cJSON_AddItemToObject(o, k, mlp_json_number(v));  /* NaN: null, undefined */
}

static double ratio(double a, double b)
{
    return b > 0 ? a / b : NAN;
}

typedef struct scored {
    double s;
    int pos;
} scored;

static int by_score_desc(const void *a, const void *b)
{
    double x = ((const scored *)a)->s, y = ((const scored *)b)->s;
    return x < y ? 1 : x > y ? -1 : 0;
}

/* ROC AUC and average precision of class c against the rest; NaN when
 * the rows hold only one side.  With roc (not NULL) also the ROC points
 * (fpr, tpr) as a JSON object. */
static void ranking(const ev_rows *r, size_t c, double *auc, double *ap, cJSON **roc)
{
    scored *v = malloc((r->n + 1) * sizeof *v);
    double P = 0, N = 0, tp = 0, fp = 0, ptp = 0, pfp = 0, a = 0, ap_sum = 0;
    cJSON *fx = NULL, *ty = NULL;

    *auc = *ap = NAN;
    if (roc)
        *roc = NULL;
    if (v == NULL)
        return;
    for (size_t i = 0; i < r->n; i++) {
        size_t row = EV_ROW(r, i);
        v[i].s = r->p[row * r->k + c];
        v[i].pos = r->y[row] == (double)c;
        P += v[i].pos;
    }
    N = (double)r->n - P;
    if (P == 0 || N == 0) {
        free(v);
        return;
    }
    /* Ties keep no order that matters: each block of equal scores is one
     * threshold, so any sort will do. */
    qsort(v, r->n, sizeof *v, by_score_desc);
    if (roc) {
        *roc = cJSON_CreateObject();
        fx = cJSON_AddArrayToObject(*roc, "fpr");
        ty = cJSON_AddArrayToObject(*roc, "tpr");
        cJSON_AddItemToArray(fx, cJSON_CreateNumber(0));
        cJSON_AddItemToArray(ty, cJSON_CreateNumber(0));
    }
    for (size_t i = 0; i < r->n; i++) {
        tp += v[i].pos;
        fp += !v[i].pos;
        if (i + 1 < r->n && v[i + 1].s == v[i].s)
            continue;
        /* The trapezoid from the last threshold, in rates. */
        a += (fp / N - pfp / N) * (tp / P + ptp / P) / 2;
        ap_sum += (tp / P - ptp / P) * (tp / (tp + fp));
        ptp = tp;
        pfp = fp;
        if (roc) {
            cJSON_AddItemToArray(fx, cJSON_CreateNumber(fp / N));
            cJSON_AddItemToArray(ty, cJSON_CreateNumber(tp / P));
        }
    }
    *auc = a;
    *ap = ap_sum;
    free(v);
}

/* Counts of the positive class's confusion. */
typedef struct conf {
    double tp, fp, fn, tn;
} conf;

static size_t argmax(const double *p, size_t k)
{
    size_t b = 0;
    for (size_t c = 1; c < k; c++)
        if (p[c] > p[b])
            b = c;
    return b;
}

static cJSON *calibration(const ev_rows *r, size_t bins)
{
    double sum[64] = { 0 }, tru[64] = { 0 }, tot[64] = { 0 };
    cJSON *o = cJSON_CreateObject();
    cJSON *pt = cJSON_AddArrayToObject(o, "prob_true"), *pp = cJSON_AddArrayToObject(o, "prob_pred");
    cJSON *cnt = cJSON_AddArrayToObject(o, "count");

    for (size_t i = 0; i < r->n; i++) {
        size_t row = EV_ROW(r, i), b = 0;
        double p = r->p[row * r->k + r->positive];
        while (b + 1 < bins && (double)(b + 1) * (1.0 / (double)bins) < p)
            b++;
        sum[b] += p;
        tru[b] += r->y[row] == (double)r->positive;
        tot[b] += 1;
    }
    for (size_t b = 0; b < bins; b++)
        if (tot[b] > 0) {
            cJSON_AddItemToArray(pt, mlp_json_number(tru[b] / tot[b]));
            cJSON_AddItemToArray(pp, mlp_json_number(sum[b] / tot[b]));
            cJSON_AddItemToArray(cnt, cJSON_CreateNumber(tot[b]));
        }
    return o;
}

cJSON *ev_classification(const ev_rows *r, int curves)
{
    size_t k = r->k;
    double *cm = calloc(k * k + 1, sizeof *cm), correct = 0, ll = 0, brier = 0;
    double *tp = calloc(k + 1, sizeof *tp), *pred = calloc(k + 1, sizeof *pred);
    double *act = calloc(k + 1, sizeof *act), unknown = 0;
    cJSON *o = cJSON_CreateObject();

    if (cm == NULL || tp == NULL || pred == NULL || act == NULL || o == NULL) {
        free(cm);
        free(tp);
        free(pred);
        free(act);
        cJSON_Delete(o);
        return NULL;
    }
    for (size_t i = 0; i < r->n; i++) {
        size_t row = EV_ROW(r, i);
        const double *p = r->p + row * k;
        size_t b = argmax(p, k);
        long y = (long)r->y[row];
        double s = 0, py = DBL_EPSILON;
        for (size_t c = 0; c < k; c++)
            s += fmin(fmax(p[c], DBL_EPSILON), 1 - DBL_EPSILON);
        if (y >= 0)
            py = fmin(fmax(p[y], DBL_EPSILON), 1 - DBL_EPSILON);
        ll -= log(py / s);
        pred[b]++;
        if (k == 2) {
            /* A class the model does not know is a negative, as for the
             * ranking metrics. */
            double d = p[r->positive] - (y == (long)r->positive);
            brier += d * d;
        }
        if (y < 0) {
            unknown++;
            continue;
        }
        act[y]++;
        cm[(size_t)y * k + b]++;
        if ((size_t)y == b) {
            correct++;
            tp[b]++;
        }
    }
    double n = (double)r->n;
    put(o, "rows", n);
    put(o, "accuracy", ratio(correct, n));
    if (k == 2) {
        size_t c = r->positive;
        double prec = pred[c] > 0 ? tp[c] / pred[c] : 0, rec = act[c] > 0 ? tp[c] / act[c] : 0;
        put(o, "precision", prec);
        put(o, "recall", rec);
        put(o, "f1", prec + rec > 0 ? 2 * prec * rec / (prec + rec) : 0);
        put(o, "brier", ratio(brier, n));
    } else {
        /* Macro averages over every class, zero where undefined, as
         * scikit-learn's average="macro", zero_division=0. */
        double sp = 0, sr = 0, sf = 0;
        for (size_t c = 0; c < k; c++) {
            double prec = pred[c] > 0 ? tp[c] / pred[c] : 0, rec = act[c] > 0 ? tp[c] / act[c] : 0;
            sp += prec;
            sr += rec;
            sf += prec + rec > 0 ? 2 * prec * rec / (prec + rec) : 0;
        }
        put(o, "precision", sp / (double)k);
        put(o, "recall", sr / (double)k);
        put(o, "f1", sf / (double)k);
    }
    put(o, "log_loss", ratio(ll, n));
    if (r->positive != SIZE_MAX) {
        /* The positive class's rates, for fairness and slices. */
        size_t c = r->positive;
        double TP = cm[c * k + c], FN = act[c] - TP, FP = pred[c] - TP;
        double TN = n - TP - FN - FP;  /* rows of unknown classes are negatives */
        put(o, "selection_rate", ratio(pred[c], n));
        put(o, "tpr", ratio(TP, TP + FN));
        put(o, "fpr", ratio(FP, FP + TN));
        put(o, "fnr", ratio(FN, TP + FN));
    }
    {
        double auc = 0, ap = 0, sa = 0, sp = 0;
        size_t defined = 0;
        cJSON *roc = NULL;
        if (k == 2) {
            ranking(r, r->positive, &auc, &ap, curves ? &roc : NULL);
            put(o, "roc_auc", auc);
            put(o, "pr_auc", ap);
        } else {
            for (size_t c = 0; c < k; c++) {
                ranking(r, c, &auc, &ap, NULL);
                if (!isnan(auc)) {
                    sa += auc;
                    sp += ap;
                    defined++;
                }
            }
            /* scikit-learn refuses a class missing from the rows; the macro
             * average is undefined then, never over fewer classes. */
            put(o, "roc_auc", defined == k ? sa / (double)k : NAN);
            put(o, "pr_auc", defined == k ? sp / (double)k : NAN);
        }
        if (roc)
            cJSON_AddItemToObject(o, "roc_curve", roc);
    }
    if (unknown > 0)
        put(o, "unknown_class_rows", unknown);
    if (curves) {
        cJSON *m = cJSON_AddArrayToObject(o, "confusion_matrix");
        for (size_t a = 0; a < k; a++) {
            cJSON *row = cJSON_CreateArray();
            for (size_t b = 0; b < k; b++)
                cJSON_AddItemToArray(row, cJSON_CreateNumber(cm[a * k + b]));
            cJSON_AddItemToArray(m, row);
        }
        if (k == 2)
            cJSON_AddItemToObject(o, "calibration", calibration(r, 10));
    }
    free(cm);
    free(tp);
    free(pred);
    free(act);
    return o;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* numpy's percentile with linear interpolation, of sorted v. */
static double percentile(const double *v, size_t n, double q)
{
    double pos = q / 100 * (double)(n - 1);
    size_t lo = (size_t)floor(pos);
    double f = pos - (double)lo;
    return lo + 1 < n ? v[lo] + f * (v[lo + 1] - v[lo]) : v[n - 1];
}

cJSON *ev_regression(const ev_rows *r, int curves)
{
    double se = 0, ae = 0, mean = 0, tot = 0, n = (double)r->n;
    cJSON *o = cJSON_CreateObject();

    if (o == NULL)
        return NULL;
    for (size_t i = 0; i < r->n; i++)
        mean += r->y[EV_ROW(r, i)];
    mean = r->n ? mean / n : NAN;
    for (size_t i = 0; i < r->n; i++) {
        size_t row = EV_ROW(r, i);
        double e = r->y[row] - r->p[row], t = r->y[row] - mean;
        se += e * e;
        ae += fabs(e);
        tot += t * t;
    }
    put(o, "rows", n);
    put(o, "mse", ratio(se, n));
    put(o, "rmse", sqrt(ratio(se, n)));
    put(o, "mae", ratio(ae, n));
    /* scikit-learn's r2_score with force_finite: 1 for a perfect fit of a
     * constant target, else 0. */
    /* scikit-learn's r2_score is undefined (NaN) for fewer than two rows. */
    put(o, "r2", r->n < 2 ? NAN : tot > 0 ? 1 - se / tot : se == 0 ? 1.0 : 0.0);
    if (curves && r->n > 0) {
        double *res = malloc(r->n * sizeof *res), m = 0, v = 0;
        cJSON *s = cJSON_AddObjectToObject(o, "residuals");
        if (res != NULL) {
            for (size_t i = 0; i < r->n; i++) {
                size_t row = EV_ROW(r, i);
                res[i] = r->y[row] - r->p[row];
                m += res[i];
            }
            m /= n;
            for (size_t i = 0; i < r->n; i++)
                v += (res[i] - m) * (res[i] - m);
            qsort(res, r->n, sizeof *res, cmp_double);
            put(s, "mean", m);
            put(s, "std", sqrt(v / n));
            put(s, "min", res[0]);
            put(s, "p05", percentile(res, r->n, 5));
            put(s, "p25", percentile(res, r->n, 25));
            put(s, "median", percentile(res, r->n, 50));
            put(s, "p75", percentile(res, r->n, 75));
            put(s, "p95", percentile(res, r->n, 95));
            put(s, "max", res[r->n - 1]);
            free(res);
        }
    }
    return o;
}
