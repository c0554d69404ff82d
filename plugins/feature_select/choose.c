/* Ranking the features the filters left and keeping those the mode picks,
 * with scikit-learn's rules: SelectKBest, SelectPercentile, SelectFpr,
 * SelectFdr (Benjamini-Hochberg) and SelectFwe (Bonferroni); a threshold
 * on the score besides.  Undefined scores rank last. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsel.h"

typedef struct ranked {
    double score;
    size_t pos;             /* in the eligible list */
} ranked;

static int by_score(const void *x, const void *y)
{
    const ranked *a = x, *b = y;
    int na = isnan(a->score), nb = isnan(b->score);
    if (na != nb)
        return na - nb;
    if (!na && a->score != b->score)
        return a->score < b->score ? 1 : -1;
    return (a->pos > b->pos) - (a->pos < b->pos);
}

static int by_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

/* numpy.percentile's default (linear) of sorted v[0..n). */
static double percentile_of(const double *v, size_t n, double q)
{
    double pos = (double)(n - 1) * q / 100, lo = floor(pos);
    size_t i = (size_t)lo;
    if (i + 1 >= n)
        return v[n - 1];
    return v[i] + (v[i + 1] - v[i]) * (pos - lo);
}

static double clean(double s)
{
    return isnan(s) ? -DBL_MAX : s;
}

/* keep[i] for the eligible features elig[0..m), by the mode. */
static int pick(const fs_feature *feat, const size_t *elig, size_t m, const fs_mode *md,
                const size_t *order, unsigned char *keep, mlp_error *err)
{
    if (strcmp(md->name, "all") == 0) {
        memset(keep, 1, m);
    } else if (strcmp(md->name, "k_best") == 0) {
        for (size_t r = 0; r < m && r < md->k; r++)
            keep[order[r]] = 1;
    } else if (strcmp(md->name, "threshold") == 0) {
        for (size_t i = 0; i < m; i++)
            keep[i] = feat[elig[i]].score >= md->threshold;
    } else if (strcmp(md->name, "percentile") == 0) {
        if (md->percentile >= 100) {
            memset(keep, 1, m);
            return MLP_OK;
        }
        if (md->percentile <= 0)
            return MLP_OK;
        double *s = malloc(m * sizeof *s);
        size_t kept = 0, cap = (size_t)((double)m * md->percentile / 100);
        if (s == NULL)
            return mlp_error_set(err, MLP_ENOMEM, "out of memory");
        for (size_t i = 0; i < m; i++)
            s[i] = clean(feat[elig[i]].score);
        qsort(s, m, sizeof *s, by_double);
        double thr = percentile_of(s, m, 100 - md->percentile);
        free(s);
        for (size_t i = 0; i < m; i++)
            if (clean(feat[elig[i]].score) > thr) {
                keep[i] = 1;
                kept++;
            }
        /* Ties at the threshold in column order, up to the share. */
        for (size_t i = 0; i < m && kept < cap; i++)
            if (clean(feat[elig[i]].score) == thr) {
                keep[i] = 1;
                kept++;
            }
    } else { /* fpr, fdr, fwe */
        double cut = md->alpha;
        if (strcmp(md->name, "fwe") == 0) {
            cut = md->alpha / (double)m;
        } else if (strcmp(md->name, "fdr") == 0) {
            double *p = malloc(m * sizeof *p), best = -1;
            if (p == NULL)
                return mlp_error_set(err, MLP_ENOMEM, "out of memory");
            for (size_t i = 0; i < m; i++)
                p[i] = isnan(feat[elig[i]].pvalue) ? INFINITY : feat[elig[i]].pvalue;
            qsort(p, m, sizeof *p, by_double);
            for (size_t i = 0; i < m; i++)
                if (p[i] <= md->alpha / (double)m * (double)(i + 1))
                    best = p[i];
            free(p);
            for (size_t i = 0; i < m; i++)
                keep[i] = feat[elig[i]].pvalue <= best;
            return MLP_OK;
        }
        for (size_t i = 0; i < m; i++)
            keep[i] = feat[elig[i]].pvalue < cut;
    }
    return MLP_OK;
}

static void mode_words(const fs_mode *md, char *buf, size_t len)
{
    if (strcmp(md->name, "k_best") == 0)
        snprintf(buf, len, "k_best keeps %zu", md->k);
    else if (strcmp(md->name, "percentile") == 0)
        snprintf(buf, len, "percentile keeps the best %g %%", md->percentile);
    else if (strcmp(md->name, "threshold") == 0)
        snprintf(buf, len, "threshold keeps scores >= %g", md->threshold);
    else if (strcmp(md->name, "fpr") == 0)
        snprintf(buf, len, "fpr keeps p < %g", md->alpha);
    else if (strcmp(md->name, "fdr") == 0)
        snprintf(buf, len, "fdr keeps a false discovery rate <= %g (Benjamini-Hochberg)",
                 md->alpha);
    else if (strcmp(md->name, "fwe") == 0)
        snprintf(buf, len, "fwe keeps p < %g / features (Bonferroni)", md->alpha);
    else
        snprintf(buf, len, "all keeps every ranked feature");
}

int fs_choose(fs_feature *feat, size_t n, fs_score score, const fs_mode *md,
              mlp_error *err)
{
    size_t *elig = malloc((n + 1) * sizeof *elig), *order = NULL, m = 0, dropped;
    ranked *rk = NULL;
    unsigned char *keep = NULL;
    char words[128];
    int rc = MLP_OK;

    if (elig == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    for (size_t j = 0; j < n; j++)
        if (feat[j].status == FS_KEPT)
            elig[m++] = j;
    dropped = n - m;
    if (score == FS_NO_SCORE) {
        for (size_t i = 0; i < m; i++)
            snprintf(feat[elig[i]].reason, sizeof feat[elig[i]].reason,
                     "passed the filters (no score asked for)");
        free(elig);
        return MLP_OK;
    }
    if (strcmp(md->name, "k_best") == 0 && md->k > m) {
        rc = mlp_error_set(err, MLP_EINVAL, "k = %zu, but %zu feature%s left to rank "
                           "(%zu candidate%s, %zu dropped by the filters)", md->k, m,
                           m == 1 ? " is" : "s are", n, n == 1 ? "" : "s", dropped);
        goto done;
    }
    if ((md->name[0] == 'f') && (score == FS_MI_CLASSIF || score == FS_MI_REGRESSION)) {
        rc = mlp_error_set(err, MLP_EINVAL, "mode %s keeps features by p-value, and "
                           "%s has none: use k_best, percentile or threshold",
                           md->name, fs_score_name(score));
        goto done;
    }
    order = malloc((m + 1) * sizeof *order);
    keep = calloc(m + 1, 1);
    rk = malloc((m + 1) * sizeof *rk);
    if (order == NULL || keep == NULL || rk == NULL) {
        rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < m; i++)
        rk[i] = (ranked){ feat[elig[i]].score, i };
    qsort(rk, m, sizeof *rk, by_score);
    for (size_t r = 0; r < m; r++) {
        order[r] = rk[r].pos;
        feat[elig[rk[r].pos]].rank = r + 1;
    }
    if ((rc = pick(feat, elig, m, md, order, keep, err)) != MLP_OK)
        goto done;
    mode_words(md, words, sizeof words);
    for (size_t i = 0; i < m; i++) {
        fs_feature *ft = &feat[elig[i]];
        if (!keep[i])
            ft->status = FS_DROP_SCORE;
        snprintf(ft->reason, sizeof ft->reason, "rank %zu of %zu by %s%s; %s",
                 ft->rank, m, fs_score_name(score),
                 isnan(ft->score) ? " (score undefined: constant, or one class "
                                    "among its rows)" : "", words);
    }
done:
    free(elig);
    free(order);
    free(keep);
    free(rk);
    return rc;
}
