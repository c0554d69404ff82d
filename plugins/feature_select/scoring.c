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
    struct buffers {        /* per worker, reused from feature to feature:
                               fresh pages for every column cost more than
                               the scoring */
        double *x, *yr;
        int32_t *yc, *code;
    } *buf;
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

/* Mean, variance and |r| with a numeric label, of shifted and scaled
 * values. */
static void describe(const double *x, const double *yr, size_t m, fs_feature *ft)
{
    double x0, sc, y0, yc, mean = 0, ss = 0, ym = 0, syy = 0, sxy = 0;

    mlp_shift_scale(x, m, &x0, &sc);
    mlp_shift_scale(yr, m, &y0, &yc);
    for (size_t i = 0; i < m; i++)
        mean += (x[i] - x0) * sc;
    mean /= (double)m;
    for (size_t i = 0; i < m; i++)
        ss += ((x[i] - x0) * sc - mean) * ((x[i] - x0) * sc - mean);
    ft->mean = x0 + mean / sc;
    ft->variance = ss / (double)m / sc / sc;
    if (ss == 0)
        return;
    for (size_t i = 0; i < m; i++)
        ym += (yr[i] - y0) * yc;
    ym /= (double)m;
    for (size_t i = 0; i < m; i++) {
        double dy = (yr[i] - y0) * yc - ym;
        syy += dy * dy;
        sxy += ((x[i] - x0) * sc - mean) * dy;
    }
    if (syy > 0)
        ft->assoc = fabs(sxy) / sqrt(ss) / sqrt(syy);
}

static void fail(pass *p, size_t j, int code, const char *fmt, const char *what,
                 size_t row, double v)
{
    char src[400], at[410] = "";
    mlp_error e;
    int n;

    p->rc[j] = code;
    /* The line the user can open, when ingestion recorded it. */
    if (mlp_examples_source(p->o->examples, p->split, row, src, sizeof src, &e) == MLP_OK)
        snprintf(at, sizeof at, " (%s)", src);
    n = snprintf(p->msg[j], sizeof p->msg[j], "feature '%s', row %zu of split '%s'%s: ",
                 p->feat[j].name, row + 1, p->split, at);
    if (n > 0 && (size_t)n < sizeof p->msg[j])
        snprintf(p->msg[j] + n, sizeof p->msg[j] - (size_t)n, fmt, what, v);
}

/* A numeric feature against classes from count[k] rows and sum[k] of
 * values per class, the squared deviations from the class means (ssw) and
 * from the overall mean (sst) over its m rows -- all of values shifted by
 * x0 and scaled by sc (x' = (x - x0) sc), which no figure here depends on
 * but the mean and variance, undone for those: mean, variance, the
 * correlation ratio, and the chi2 or F score. */
static void finish_classes(pass *p, size_t j, const double *count, double *sum,
                           double ssw, double sst, size_t m, double x0, double sc,
                           int constant)
{
    fs_feature *ft = &p->feat[j];
    size_t nk = p->y->n_classes, present = 0;
    double mean = 0, ssb = 0;
    mlp_error err;
    int rc = MLP_OK;

    for (size_t k = 0; k < nk; k++) {
        mean += sum[k];
        present += count[k] > 0;
    }
    mean /= (double)m;
    for (size_t k = 0; k < nk; k++)
        if (count[k] > 0)
            ssb += count[k] * (sum[k] / count[k] - mean) * (sum[k] / count[k] - mean);
    ft->mean = x0 + mean / sc;
    ft->variance = sst / (double)m / sc / sc;
    /* The share of the variance the class means explain, square-rooted
     * (|r| for two classes). */
    if (sst > 0)
        ft->assoc = sqrt(fmin(1, ssb / sst));
    if (present < 2)
        return; /* one class among these rows: nothing to tell apart */
    if (p->o->score == FS_CHI2 && constant) {
        /* Every class's share of the total is its share of the rows: 0,
         * not what rounding makes of sums of a large constant. */
        ft->score = 0;
        ft->pvalue = 1;
    } else if (p->o->score == FS_CHI2) {
        /* chi2 is not shift-invariant: the sums of the values themselves. */
        for (size_t k = 0; k < nk; k++)
            sum[k] = sum[k] / sc + count[k] * x0;
        rc = mlp_score_chi2_sums(count, sum, nk, &ft->score, &ft->pvalue, &err);
    } else if (p->o->score == FS_F_CLASSIF && m > present) {
        rc = mlp_score_anova_f_sums(count, sum, ssw, nk, &ft->score, &ft->pvalue, &err);
    }
    if (rc != MLP_OK) {
        p->rc[j] = rc;
        snprintf(p->msg[j], sizeof p->msg[j], "feature '%s': %s", ft->name, err.msg);
    }
}

/* The same from values in pieces (x[0..n[0]), then the next piece, ...:
 * the gathered rows as one piece, or a column's row groups read in place),
 * their classes yc in the same order, the shift and scale choose_shift()
 * gives for them, and whether every value is the same. */
static void score_classes(pass *p, size_t j, const double *const *x, const size_t *n,
                          size_t pieces, const int32_t *yc, double x0, double sc,
                          int constant)
{
    size_t nk = p->y->n_classes, m = 0;
    double *count = calloc(5 * nk + 1, sizeof *count), *sum, *mk, *alt;
    double mean, part[4] = { 0 }, pw[2] = { 0 };

    if (count == NULL) {
        p->rc[j] = MLP_ENOMEM;
        return;
    }
    sum = count + nk;
    mk = sum + nk;
    alt = mk + nk;
    /* Rows alternate between two sets of class sums, and the squares
     * between separate running totals: consecutive rows of one class would
     * otherwise wait on each other's store and add. */
    for (size_t q = 0; q < pieces; m += n[q], q++) {
        const double *v = x[q];
        const int32_t *c = yc + m;
        size_t i = 0;
        for (; i + 1 < n[q]; i += 2) {
            double a = (v[i] - x0) * sc, b = (v[i + 1] - x0) * sc;
            count[c[i]] += 1;
            sum[c[i]] += a;
            alt[c[i + 1]] += 1;
            alt[nk + c[i + 1]] += b;
            part[0] += a;
            part[1] += b;
        }
        for (; i < n[q]; i++) {
            double a = (v[i] - x0) * sc;
            count[c[i]] += 1;
            sum[c[i]] += a;
            part[0] += a;
        }
    }
    for (size_t k = 0; k < nk; k++) {
        count[k] += alt[k];
        sum[k] += alt[nk + k];
    }
    mean = (part[0] + part[1]) / (double)m;
    /* The class means once, not a division a row. */
    for (size_t k = 0; k < nk; k++)
        mk[k] = count[k] > 0 ? sum[k] / count[k] : 0;
    /* Deviations in a second pass: nothing lost to cancellation. */
    m = 0;
    for (size_t q = 0; q < pieces; m += n[q], q++) {
        const double *v = x[q];
        const int32_t *c = yc + m;
        size_t i = 0;
        for (; i + 1 < n[q]; i += 2) {
            double a = (v[i] - x0) * sc, da = a - mk[c[i]], ta = a - mean;
            double b = (v[i + 1] - x0) * sc, db = b - mk[c[i + 1]], tb = b - mean;
            pw[0] += da * da;
            part[2] += ta * ta;
            pw[1] += db * db;
            part[3] += tb * tb;
        }
        for (; i < n[q]; i++) {
            double a = (v[i] - x0) * sc, da = a - mk[c[i]], ta = a - mean;
            pw[0] += da * da;
            part[2] += ta * ta;
        }
    }
    finish_classes(p, j, count, sum, pw[0] + pw[1], part[2] + part[3], m, x0, sc, constant);
    free(count);
}

/* The label index of file row r, or -1 when the row has no label; *next
 * walks y->row as rows increase. */
static ptrdiff_t label_of(const fs_label *y, size_t r, size_t *next)
{
    if (y->row == NULL)
        return (ptrdiff_t)r;
    while (*next < y->n && y->row[*next] < r)
        (*next)++;
    return *next < y->n && y->row[*next] == r ? (ptrdiff_t)*next : -1;
}

static size_t bins_of(const mlp_column *c, size_t *off)
{
    if (c->num != NULL)
        return 0;
    switch (c->packing) {
    case MLP_PACK_U8: *off = 0; return 256;
    case MLP_PACK_I8: *off = 128; return 256;
    case MLP_PACK_U16: *off = 0; return 65536;
    case MLP_PACK_I16: *off = 32768; return 65536;
    default: return 0;
    }
}

/* Small integers stored in a byte or two (pixels, counts) against
 * classes: one pass over the stored values, row group by row group, fills
 * a histogram per class, and every figure the row-by-row path computes
 * comes from its counts.  Returns 0 when some piece of the column is not
 * stored so or the histograms would be too large, for the caller to take
 * the row-by-row path; 1 when done (or failed: p->rc). */
static int score_counts(pass *p, size_t j)
{
    fs_feature *ft = &p->feat[j];
    const fs_label *y = p->y;
    size_t bins = 0, off = 0, nk = y->n_classes, m = 0, base = 0, next = 0;
    size_t ng = mlp_table_file_n_groups(p->f), lanes = 1;
    uint32_t *h = NULL;
    double *count = NULL, *sum, mean = 0, sst = 0, ssw = 0;
    int done = 0;
    mlp_error err;

    for (size_t g = 0; g < ng; g++) {
        mlp_table *t = NULL;
        size_t o = 0;
        if (mlp_table_file_group_column(p->f, g, ft->col, &t, &err) != MLP_OK) {
            p->rc[j] = err.code;
            snprintf(p->msg[j], sizeof p->msg[j], "%s", err.msg);
            done = 1;
            goto out;
        }
        const mlp_column *c = mlp_table_column(t, 0);
        size_t b = bins_of(c, &o);
        if (g == 0) {
            bins = b;
            off = o;
            /* Byte values get four histograms, rows taking them in turn:
             * a run of equal (class, value) pairs -- zeros, mostly --
             * otherwise waits on its own increment row after row. */
            lanes = bins == 256 ? 4 : 1;
            if (bins == 0 || nk * bins > (1u << 22) ||
                (h = calloc(lanes * nk * bins, sizeof *h)) == NULL ||
                (count = calloc(2 * nk + 1, sizeof *count)) == NULL) {
                mlp_table_free(t);
                goto out;
            }
        } else if (b != bins || o != off) {
            /* Another form in this group: start over row by row. */
            mlp_table_free(t);
            goto out;
        }
        if (y->row == NULL && c->missing == NULL) {
            /* Every row counts: a tight loop per stored form. */
#define COUNT_ALL(T, OFF)                                                       \
            for (size_t r0 = 0; r0 < c->n_rows; r0++)                           \
                h[(size_t)y->yc[base + r0] * bins +                             \
                  (size_t)(((const T *)c->packed)[r0] + (OFF))]++;
#define COUNT_LANES(T, OFF)                                                     \
            {                                                                   \
                const T *v = c->packed;                                         \
                const int32_t *yk = y->yc + base;                               \
                size_t r0 = 0, lane = nk * bins;                                \
                for (; r0 + 4 <= c->n_rows; r0 += 4) {                          \
                    h[(size_t)yk[r0] * bins + (size_t)(v[r0] + (OFF))]++;       \
                    h[lane + (size_t)yk[r0 + 1] * bins +                        \
                      (size_t)(v[r0 + 1] + (OFF))]++;                           \
                    h[2 * lane + (size_t)yk[r0 + 2] * bins +                    \
                      (size_t)(v[r0 + 2] + (OFF))]++;                           \
                    h[3 * lane + (size_t)yk[r0 + 3] * bins +                    \
                      (size_t)(v[r0 + 3] + (OFF))]++;                           \
                }                                                               \
                for (; r0 < c->n_rows; r0++)                                    \
                    h[(size_t)yk[r0] * bins + (size_t)(v[r0] + (OFF))]++;       \
            }
            switch (c->packing) {
            case MLP_PACK_U8: COUNT_LANES(uint8_t, 0) break;
            case MLP_PACK_I8: COUNT_LANES(int8_t, 128) break;
            case MLP_PACK_U16: COUNT_ALL(uint16_t, 0) break;
            default: COUNT_ALL(int16_t, 32768) break;
            }
#undef COUNT_ALL
#undef COUNT_LANES
            m += c->n_rows;
        } else {
            for (size_t r0 = 0; r0 < c->n_rows; r0++) {
                ptrdiff_t i = label_of(y, base + r0, &next);
                if (i < 0 || (c->missing && (c->missing[r0 >> 3] >> (r0 & 7) & 1)))
                    continue;
                h[(size_t)y->yc[i] * bins + (size_t)(mlp_column_number(c, r0) + (double)off)]++;
                m++;
            }
        }
        base += c->n_rows;
        mlp_table_free(t);
    }
    for (size_t l = 1; l < lanes; l++)
        for (size_t i = 0; i < nk * bins; i++)
            h[i] += h[l * nk * bins + i];
    if (p->o->score == FS_CHI2)
        for (size_t k = 0; k < nk; k++)
            for (size_t v = 0; v < off; v++)
                if (h[k * bins + v])
                    goto out; /* a negative value: the row path names its row */
    done = 1;
    ft->rows = m;
    ft->missing = y->n - m;
    if (m == 0)
        goto out;
    sum = count + nk;
    /* Integers below 2^53 summed in doubles: the sums are exact. */
    for (size_t k = 0; k < nk; k++)
        for (size_t v = 0; v < bins; v++)
            if (h[k * bins + v]) {
                count[k] += h[k * bins + v];
                sum[k] += (double)h[k * bins + v] * ((double)v - (double)off);
            }
    /* The squared deviations from the overall and the class means. */
    for (size_t k = 0; k < nk; k++)
        mean += sum[k];
    mean /= (double)m;
    for (size_t k = 0; k < nk; k++) {
        if (count[k] == 0)
            continue;
        double mk = sum[k] / count[k];
        for (size_t v = 0; v < bins; v++)
            if (h[k * bins + v]) {
                double x = (double)v - (double)off;
                sst += h[k * bins + v] * (x - mean) * (x - mean);
                ssw += h[k * bins + v] * (x - mk) * (x - mk);
            }
    }
    finish_classes(p, j, count, sum, ssw, sst, m, 0, 1, 0);
out:
    free(h);
    free(count);
    return done;
}

/* A numeric column, row group by row group as stored: the rows with the
 * label and a value go to x[], their labels to yc[] or yr[].  Returns the
 * rows gathered, or (size_t)-1 after recording a failure. */
/* The shift x0 and power-of-two scale sc the sums are taken with, from
 * the first value and the extremes: the first value (sums of values near
 * it lose little to cancellation), or the midpoint when distances from it
 * would overflow (values from -1e308 to 1e308); no shift for chi2, whose
 * sums are of non-negative values and must not come out below zero. */
static void choose_shift(fs_score s, double first, double lo, double hi, double *x0,
                         double *sc)
{
    double big;

    *x0 = s == FS_CHI2 ? 0 : first;
    big = fmax(hi - *x0, *x0 - lo);
    if (!isfinite(big)) {
        *x0 = lo / 2 + hi / 2;
        big = fmax(hi - *x0, *x0 - lo);
    }
    *sc = mlp_spread_scale(big);
}

/* Whether a group of a column is taken whole: every row labelled, and
 * every value finite and acceptable to the score (the common case, checked
 * without a branch a row).  Then *glo and *ghi take in the group's
 * extremes. */
static int clean_group(const mlp_column *c, const fs_label *y, fs_score s, int discrete,
                       double *glo, double *ghi)
{
    const double *v = c->num;
    size_t n = c->n_rows;
    double lo = HUGE_VAL, hi = -HUGE_VAL, lo1 = HUGE_VAL, hi1 = -HUGE_VAL;

    if (v == NULL || y->row != NULL || discrete || n == 0)
        return 0;
    /* NaN fails both comparisons and so leaves no mark on lo or hi: it is
     * caught by the sum, which it turns to NaN. */
    double nan_probe = 0;
    size_t i = 0;
    for (; i + 1 < n; i += 2) {
        lo = v[i] < lo ? v[i] : lo;
        hi = v[i] > hi ? v[i] : hi;
        lo1 = v[i + 1] < lo1 ? v[i + 1] : lo1;
        hi1 = v[i + 1] > hi1 ? v[i + 1] : hi1;
        nan_probe += v[i] * 0 + v[i + 1] * 0;
    }
    for (; i < n; i++) {
        lo = v[i] < lo ? v[i] : lo;
        hi = v[i] > hi ? v[i] : hi;
        nan_probe += v[i] * 0;
    }
    lo = lo1 < lo ? lo1 : lo;
    hi = hi1 > hi ? hi1 : hi;
    /* v * 0 is NaN for NaN and for +-inf alike. */
    if (nan_probe != 0 || isinf(lo) || isinf(hi) || (s == FS_CHI2 && lo < 0))
        return 0;
    *glo = fmin(*glo, lo);
    *ghi = fmax(*ghi, hi);
    return 1;
}

/* Scores feature j from its row groups as stored, without copying them,
 * when every group is clean_group() and the score is made of class sums.
 * Returns 1 when it scored (or failed to read), 0 for the caller to
 * gather instead: then *held gets the groups read so far (the caller
 * owns them; NULL where not read). */
static int score_in_place(pass *p, size_t j, mlp_table ***held)
{
    fs_feature *ft = &p->feat[j];
    size_t ng = mlp_table_file_n_groups(p->f), m = 0, g;
    mlp_table **t = calloc(ng + 1, sizeof *t);
    const double **piece = calloc(ng + 1, sizeof *piece);
    size_t *n = calloc(ng + 1, sizeof *n);
    double first = 0, lo = HUGE_VAL, hi = -HUGE_VAL, x0, sc;
    mlp_error err;

    *held = NULL;
    if (t == NULL || piece == NULL || n == NULL) {
        free(t);
        free(piece);
        free(n);
        return 0;
    }
    for (g = 0; g < ng; g++) {
        if (mlp_table_file_group_column(p->f, g, ft->col, &t[g], &err) != MLP_OK) {
            p->rc[j] = err.code;
            snprintf(p->msg[j], sizeof p->msg[j], "%s", err.msg);
            break;
        }
        const mlp_column *c = mlp_table_column(t[g], 0);
        if (!clean_group(c, p->y, p->o->score, 0, &lo, &hi))
            break;
        if (m == 0)
            first = c->num[0];
        piece[g] = c->num;
        n[g] = c->n_rows;
        m += n[g];
    }
    if (g == ng) {
        ft->rows = m;
        ft->missing = p->y->n - m;
        choose_shift(p->o->score, first, lo, hi, &x0, &sc);
        if (m > 0)
            score_classes(p, j, piece, n, ng, p->y->yc, x0, sc, lo == hi);
    }
    free(piece);
    free(n);
    if (g == ng || p->rc[j] != MLP_OK) {
        for (size_t k = 0; k < ng; k++)
            mlp_table_free(t[k]);
        free(t);
        return 1;
    }
    *held = t;
    return 0;
}

/* Frees the groups in held[from..ng) and held itself. */
static void free_held(mlp_table **held, size_t from, size_t ng)
{
    if (held == NULL)
        return;
    for (size_t g = from; g < ng; g++)
        mlp_table_free(held[g]);
    free(held);
}

/* Gathers feature j's rows that have the label and a value into x (and
 * their labels into yc or yr), checking each value; the groups in held
 * (when not NULL) are used and freed instead of read again. */
static size_t gather(pass *p, size_t j, mlp_table **held, double *x, int32_t *yc, double *yr,
                     const int32_t **classes, double *x0, double *sc, int *constant)
{
    fs_feature *ft = &p->feat[j];
    const fs_label *y = p->y;
    fs_score s = p->o->score;
    size_t ng = mlp_table_file_n_groups(p->f), base = 0, next = 0, m = 0;
    /* While every row of the file is kept in order, the label's own class
     * array serves: classes are copied from the first row left out. */
    int aligned = yc != NULL && y->row == NULL;
    double lo = HUGE_VAL, hi = -HUGE_VAL;
    mlp_error err;

    for (size_t g = 0; g < ng; g++) {
        mlp_table *t = held ? held[g] : NULL;
        if (t == NULL && mlp_table_file_group_column(p->f, g, ft->col, &t, &err) != MLP_OK) {
            p->rc[j] = err.code;
            snprintf(p->msg[j], sizeof p->msg[j], "%s", err.msg);
            free_held(held, g + 1, ng);
            return (size_t)-1;
        }
        if (held)
            held[g] = NULL;
        const mlp_column *c = mlp_table_column(t, 0);
        if (clean_group(c, y, s, ft->discrete, &lo, &hi)) {
            memcpy(x + m, c->num, c->n_rows * sizeof *x);
            if (yc != NULL && !aligned)
                memcpy(yc + m, y->yc + base, c->n_rows * sizeof *yc);
            else if (yc == NULL)
                memcpy(yr + m, y->yr + base, c->n_rows * sizeof *yr);
            m += c->n_rows;
            base += c->n_rows;
            mlp_table_free(t);
            continue;
        }
        for (size_t r0 = 0; r0 < c->n_rows; r0++) {
            ptrdiff_t i = y->row ? label_of(y, base + r0, &next) : (ptrdiff_t)(base + r0);
            double v = c->num ? c->num[r0] : mlp_column_number(c, r0);
            if (i < 0 || isnan(v)) {
                if (aligned) {
                    memcpy(yc, y->yc, m * sizeof *yc);
                    aligned = 0;
                }
                continue;
            }
            if (isinf(v) || (s == FS_CHI2 && v < 0) ||
                (ft->discrete && (v != floor(v) || fabs(v) > 9007199254740992.0))) {
                fail(p, j, MLP_EINVAL, isinf(v)
                     ? "%s needs finite values, not %g (clip or drop them in a "
                       "transform)"
                     : v < 0 && s == FS_CHI2
                     ? "%s needs values >= 0 (counts or frequencies), not %g; exclude "
                       "the feature, shift it in a transform, or score with f_classif"
                     : "%s takes a discrete feature's values as integer codes, not %.17g",
                     s == FS_NO_SCORE ? "the variance and correlation filters"
                                      : fs_score_name(s), base + r0, v);
                mlp_table_free(t);
                free_held(held, g + 1, ng);
                return (size_t)-1;
            }
            x[m] = v;
            lo = v < lo ? v : lo;
            hi = v > hi ? v : hi;
            if (yc) {
                if (!aligned)
                    yc[m] = y->yc[i];
            } else {
                yr[m] = y->yr[i];
            }
            m++;
        }
        base += c->n_rows;
        mlp_table_free(t);
    }
    free_held(held, ng, ng);
    *classes = aligned ? y->yc : yc;
    choose_shift(s, m ? x[0] : 0, lo, hi, x0, sc);
    *constant = m > 0 && lo == hi;
    return m;
}

static void score_one(void *arg, size_t j, int worker)
{
    pass *p = arg;
    fs_feature *ft = &p->feat[j];
    const fs_label *y = p->y;
    fs_score s = p->o->score;
    mlp_table *t = NULL;
    const mlp_column *c = NULL;
    double *x = NULL, *yr = NULL, x0 = 0, sc = 1;
    int constant = 0;
    int32_t *yc = NULL, *code = NULL;
    size_t m = 0;
    mlp_error err;

    /* Counting needs classes and a score made of class sums. */
    if (ft->type == MLP_COL_NUMERIC && y->yc != NULL &&
        (s == FS_CHI2 || s == FS_F_CLASSIF || s == FS_NO_SCORE) && score_counts(p, j))
        return;
    if (ft->type == MLP_COL_CATEGORICAL) {
        /* Joined: each row group has its own dictionary. */
        if (mlp_table_file_column(p->f, ft->col, &t, &err) != MLP_OK)
            goto read_failed;
        c = mlp_table_column(t, 0);
    }
    /* Every row labelled and a score of class sums: the column may not
     * need copying at all. */
    mlp_table **held = NULL;
    if (ft->type == MLP_COL_NUMERIC && y->yc != NULL && y->row == NULL && !ft->discrete &&
        (s == FS_CHI2 || s == FS_F_CLASSIF || s == FS_NO_SCORE) &&
        score_in_place(p, j, &held))
        return;
    struct buffers *b = &p->buf[worker];
    if (b->x == NULL) {
        b->x = malloc((y->n + 1) * sizeof *b->x);
        b->code = malloc((y->n + 1) * sizeof *b->code);
        if (y->yc)
            b->yc = malloc((y->n + 1) * sizeof *b->yc);
        else
            b->yr = malloc((y->n + 1) * sizeof *b->yr);
    }
    x = b->x;
    code = b->code;
    yc = b->yc;
    yr = b->yr;
    if (x == NULL || (yc == NULL && yr == NULL) || code == NULL) {
        p->rc[j] = MLP_ENOMEM;
        free_held(held, 0, mlp_table_file_n_groups(p->f));
        goto done;
    }
    if (ft->type == MLP_COL_NUMERIC) {
        const int32_t *classes = NULL;
        if ((m = gather(p, j, held, x, yc, yr, &classes, &x0, &sc, &constant)) == (size_t)-1)
            goto done;
        yc = (int32_t *)classes; /* read only from here on */
    } else {
        for (size_t i = 0; i < y->n; i++) {
            size_t r = y->row ? y->row[i] : i;
            if (c->codes[r] < 0)
                continue;
            code[m] = c->codes[r];
            x[m] = c->codes[r];
            if (yc)
                yc[m] = y->yc[i];
            else
                yr[m] = y->yr[i];
            m++;
        }
    }
    ft->rows = m;
    ft->missing = y->n - m;
    if (m == 0)
        goto done;
    if (ft->type == MLP_COL_NUMERIC && yc != NULL) {
        const double *piece = x;
        score_classes(p, j, &piece, &m, 1, yc, x0, sc, constant);
        if (s == FS_CHI2 || s == FS_F_CLASSIF || s == FS_NO_SCORE)
            goto done;
    } else if (ft->type == MLP_COL_NUMERIC) {
        describe(x, yr, m, ft);
    }
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
        /* A constant tells nothing apart either: its score is undefined
         * (null, ranked last), not whatever the tie-breaking noise gives. */
        if ((s == FS_MI_CLASSIF || s == FS_MI_REGRESSION) && ft->type == MLP_COL_NUMERIC) {
            size_t i = 1;
            while (i < m && x[i] == x[0])
                i++;
            if (i == m)
                goto done;
        }
        switch (s) {
        case FS_CHI2:
            chi2_contingency(code, yc, m, c->n_levels, y->n_classes, ft, &p->rc[j]);
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
        case FS_MI_REGRESSION:
            if (m <= p->o->n_neighbors) {
                p->rc[j] = MLP_EINVAL;
                snprintf(p->msg[j], sizeof p->msg[j], "feature '%s' has %zu rows with a "
                         "value and the label in split '%s'; mutual information with "
                         "n_neighbors = %zu needs more", ft->name, m, p->split,
                         p->o->n_neighbors);
                break;
            }
            rc = s == FS_MI_CLASSIF
                 ? mlp_score_mutual_info_classif(&col, 1, m, yc, y->n_classes, &mi,
                                                 &ft->score, &err)
                 : mlp_score_mutual_info_regression(&col, 1, m, yr, &mi, &ft->score, &err);
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
    mlp_table_free(t);
    return;
read_failed:
    p->rc[j] = err.code;
    snprintf(p->msg[j], sizeof p->msg[j], "%s", err.msg);
}

int fs_score_features(mlp_table_file *f, const char *split, const fs_label *y,
                      fs_feature *feat, size_t n, const fs_score_opts *o,
                      mlp_error *err)
{
    pass p = { f, split, y, feat, o, calloc(n + 1, sizeof(int)),
               calloc(n + 1, sizeof *p.msg), NULL };
    int rc = MLP_OK, workers = o->threads > 1 ? o->threads : 1;

    p.buf = calloc((size_t)workers, sizeof *p.buf);
    if (p.rc == NULL || p.msg == NULL || p.buf == NULL) {
        free(p.rc);
        free(p.msg);
        free(p.buf);
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    }
    mlp_parallel_for(n, workers, score_one, &p);
    for (int w = 0; w < workers; w++) {
        free(p.buf[w].x);
        free(p.buf[w].yr);
        free(p.buf[w].yc);
        free(p.buf[w].code);
    }
    free(p.buf);
    /* The first failure in column order, whatever thread met it first. */
    for (size_t j = 0; j < n && rc == MLP_OK; j++)
        if (p.rc[j] != MLP_OK)
            rc = mlp_error_set(err, p.rc[j], "%s", p.msg[j][0] ? p.msg[j] : "out of memory");
    free(p.rc);
    free(p.msg);
    return rc;
}
