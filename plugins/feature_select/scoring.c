/* The per-feature pass of select_features: each feature's column is read
 * on its own (several at once), cut to the rows that have the label and a
 * value, described (mean, variance, association with the label) and
 * scored. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsel.h"

typedef struct pass {
    mlp_table_file *f;
    const char *split;
    const fs_label *y;
    fs_feature *feat;
    const fs_score_opts *o;
    int *rc;
    char (*msg)[480];
} pass;

/* Pearson's chi-squared test of independence of a categorical feature and
 * the classes (scipy.stats.chi2_contingency without correction), over the
 * levels and classes present. */
static void chi2_contingency(const int32_t *code, const int32_t *cls, size_t m,
                             size_t levels, size_t classes, fs_feature *ft, int *rc)
{
    double *obs = calloc(levels * classes + levels + classes, sizeof *obs);
    double *lv, *cl, chi2 = 0;
    size_t r = 0, c = 0;

    if (obs == NULL) {
        *rc = MLP_ENOMEM;
        return;
    }
    lv = obs + levels * classes;
    cl = lv + levels;
    for (size_t i = 0; i < m; i++) {
        obs[(size_t)code[i] * classes + (size_t)cls[i]] += 1;
        lv[code[i]] += 1;
        cl[cls[i]] += 1;
    }
    for (size_t a = 0; a < levels; a++)
        r += lv[a] > 0;
    for (size_t b = 0; b < classes; b++)
        c += cl[b] > 0;
    for (size_t a = 0; a < levels; a++)
        for (size_t b = 0; b < classes; b++) {
            if (lv[a] == 0 || cl[b] == 0)
                continue;
            double e = lv[a] * cl[b] / (double)m, d = obs[a * classes + b] - e;
            chi2 += d * d / e;
        }
    free(obs);
    if (r < 2 || c < 2)
        return; /* one level or one class: no test */
    ft->score = chi2;
    ft->pvalue = mlp_chi2_sf(chi2, (double)((r - 1) * (c - 1)));
}

static size_t classes_present(const int32_t *cls, size_t m, size_t n_classes,
                              int *rc)
{
    unsigned char *seen = calloc(n_classes + 1, 1);
    size_t k = 0;
    if (seen == NULL) {
        *rc = MLP_ENOMEM;
        return 0;
    }
    for (size_t i = 0; i < m; i++)
        if (!seen[cls[i]]++)
            k++;
    free(seen);
    return k;
}

/* Mean, variance and the association with the label of numeric values. */
static void describe(const double *x, const int32_t *yc, const double *yr, size_t m,
                     size_t n_classes, fs_feature *ft, int *rc)
{
    double mean = 0, ss = 0;

    for (size_t i = 0; i < m; i++)
        mean += x[i];
    mean /= (double)m;
    for (size_t i = 0; i < m; i++)
        ss += (x[i] - mean) * (x[i] - mean);
    ft->mean = mean;
    ft->variance = ss / (double)m;
    if (ss == 0)
        return;
    if (yr != NULL) {
        double ym = 0, syy = 0, sxy = 0;
        for (size_t i = 0; i < m; i++)
            ym += yr[i];
        ym /= (double)m;
        for (size_t i = 0; i < m; i++) {
            syy += (yr[i] - ym) * (yr[i] - ym);
            sxy += (x[i] - mean) * (yr[i] - ym);
        }
        if (syy > 0)
            ft->assoc = fabs(sxy) / sqrt(ss) / sqrt(syy);
        return;
    }
    /* The correlation ratio: the share of the variance the class means
     * explain, square-rooted (|r| for two classes). */
    double *sum = calloc(2 * n_classes + 1, sizeof *sum), *cnt, ssb = 0;
    if (sum == NULL) {
        *rc = MLP_ENOMEM;
        return;
    }
    cnt = sum + n_classes;
    for (size_t i = 0; i < m; i++) {
        sum[yc[i]] += x[i] - mean;
        cnt[yc[i]] += 1;
    }
    for (size_t k = 0; k < n_classes; k++)
        if (cnt[k] > 0)
            ssb += sum[k] * sum[k] / cnt[k];
    free(sum);
    ft->assoc = sqrt(fmin(1, ssb / ss));
}

static void fail(pass *p, size_t j, int code, const char *fmt, const char *what,
                 size_t row, double v)
{
    p->rc[j] = code;
    snprintf(p->msg[j], sizeof p->msg[j], fmt, p->feat[j].name, row + 1, p->split, what, v);
}

static void score_one(void *arg, size_t j, int worker)
{
    pass *p = arg;
    fs_feature *ft = &p->feat[j];
    const fs_label *y = p->y;
    fs_score s = p->o->score;
    mlp_table *t = NULL;
    const mlp_column *c;
    double *x = NULL, *yr = NULL;
    int32_t *yc = NULL, *code = NULL;
    size_t m = 0;
    mlp_error err;

    (void)worker;
    if (mlp_table_file_column(p->f, ft->col, &t, &err) != MLP_OK) {
        p->rc[j] = err.code;
        snprintf(p->msg[j], sizeof p->msg[j], "%s", err.msg);
        return;
    }
    c = mlp_table_column(t, 0);
    x = malloc((y->n + 1) * sizeof *x);
    code = ft->type == MLP_COL_CATEGORICAL ? malloc((y->n + 1) * sizeof *code) : NULL;
    if (y->yc)
        yc = malloc((y->n + 1) * sizeof *yc);
    else
        yr = malloc((y->n + 1) * sizeof *yr);
    if (x == NULL || (yc == NULL && yr == NULL) ||
        (ft->type == MLP_COL_CATEGORICAL && code == NULL)) {
        p->rc[j] = MLP_ENOMEM;
        goto done;
    }
    for (size_t i = 0; i < y->n; i++) {
        size_t r = y->row ? y->row[i] : i;
        if (ft->type == MLP_COL_CATEGORICAL) {
            if (c->codes[r] < 0)
                continue;
            code[m] = c->codes[r];
            x[m] = c->codes[r];
        } else {
            double v = c->num[r];
            if (isnan(v))
                continue;
            if (isinf(v) && s != FS_NO_SCORE) {
                fail(p, j, MLP_EINVAL, "feature '%s', row %zu of split '%s': %s "
                     "needs finite values, not %g (clip or drop them in a transform)",
                     fs_score_name(s), r, v);
                goto done;
            }
            if (s == FS_CHI2 && v < 0) {
                fail(p, j, MLP_EINVAL, "feature '%s', row %zu of split '%s': %s "
                     "needs values >= 0 (counts or frequencies), not %g; exclude "
                     "the feature, shift it in a transform, or score with f_classif",
                     fs_score_name(s), r, v);
                goto done;
            }
            x[m] = v;
        }
        if (yc)
            yc[m] = y->yc[i];
        else
            yr[m] = y->yr[i];
        m++;
    }
    ft->rows = m;
    ft->missing = y->n - m;
    if (m == 0)
        goto done;
    if (ft->type == MLP_COL_NUMERIC)
        describe(x, yc, yr, m, y->n_classes, ft, &p->rc[j]);
    if (s == FS_NO_SCORE || p->rc[j] != MLP_OK)
        goto done;
    {
        const double *col = x;
        size_t present = yc ? classes_present(yc, m, y->n_classes, &p->rc[j]) : 0;
        mlp_mi_params mi = { p->o->n_neighbors, p->o->seed, ft->col, NULL, 1 };
        unsigned char disc = (unsigned char)ft->discrete;
        int rc = MLP_OK;
        mi.discrete = &disc;
        if (p->rc[j] != MLP_OK || (yc && present < 2))
            goto done; /* one class among these rows: nothing to tell apart */
        switch (s) {
        case FS_CHI2:
            if (ft->type == MLP_COL_CATEGORICAL)
                chi2_contingency(code, yc, m, c->n_levels, y->n_classes, ft, &p->rc[j]);
            else
                rc = mlp_score_chi2(&col, 1, m, yc, y->n_classes, &ft->score,
                                    &ft->pvalue, &err);
            break;
        case FS_F_CLASSIF:
            if (m > present)
                rc = mlp_score_anova_f(&col, 1, m, yc, y->n_classes, &ft->score,
                                       &ft->pvalue, &err);
            break;
        case FS_F_REGRESSION: {
            size_t i = 1;
            while (i < m && yr[i] == yr[0])
                i++;
            if (m >= 3 && i < m)
                rc = mlp_score_f_regression(&col, 1, m, yr, &ft->score, &ft->pvalue,
                                            &err);
            break;
        }
        case FS_MI_CLASSIF:
            rc = mlp_score_mutual_info_classif(&col, 1, m, yc, y->n_classes, &mi,
                                               &ft->score, &err);
            break;
        case FS_MI_REGRESSION:
            if (m > p->o->n_neighbors)
                rc = mlp_score_mutual_info_regression(&col, 1, m, yr, &mi, &ft->score,
                                                      &err);
            break;
        default:
            break;
        }
        if (rc != MLP_OK) {
            p->rc[j] = rc;
            snprintf(p->msg[j], sizeof p->msg[j], "feature '%s': %s", ft->name, err.msg);
        }
    }
done:
    free(x);
    free(yr);
    free(yc);
    free(code);
    mlp_table_free(t);
}

int fs_score_features(mlp_table_file *f, const char *split, const fs_label *y,
                      fs_feature *feat, size_t n, const fs_score_opts *o,
                      mlp_error *err)
{
    pass p = { f, split, y, feat, o, calloc(n + 1, sizeof(int)),
               calloc(n + 1, sizeof *p.msg) };
    int rc = MLP_OK;

    if (p.rc == NULL || p.msg == NULL) {
        free(p.rc);
        free(p.msg);
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    }
    mlp_parallel_for(n, o->threads, score_one, &p);
    /* The first failure in column order, whatever thread met it first. */
    for (size_t j = 0; j < n && rc == MLP_OK; j++)
        if (p.rc[j] != MLP_OK)
            rc = mlp_error_set(err, p.rc[j], "%s", p.msg[j][0] ? p.msg[j] : "out of memory");
    free(p.rc);
    free(p.msg);
    return rc;
}
