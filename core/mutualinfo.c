/* Mutual information between features and a label by nearest neighbours
 * (featscore.h): the estimators scikit-learn's mutual_info_classif and
 * mutual_info_regression use, computed by sorting instead of trees where
 * the space is one-dimensional.
 *
 * In one dimension the k-th neighbour of a point within its class is
 * among the k class members on either side of it in sorted order, and the
 * points of every class within a radius are a contiguous run of the fully
 * sorted values: a sort per feature replaces the k-d tree queries, which
 * is where the time goes in scikit-learn.  The plane (continuous feature,
 * continuous label) needs a real search: a k-d tree (knn2d.c).
 */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <mlpipe/featscore.h>
#include <mlpipe/memory.h>
#include <mlpipe/parallel.h>

#include "knn2d.h"

/* ---- noise ------------------------------------------------------------ */

static uint64_t mix64(uint64_t z)
{
    z += 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* A standard normal value that depends only on (seed, stream, row): the
 * numbers do not change with the order or the threads features are
 * scored on. */
static double noise_normal(uint64_t seed, uint64_t stream, uint64_t row)
{
    uint64_t h = mix64(mix64(mix64(seed) ^ stream) ^ row);
    uint64_t g = mix64(h);
    double u1 = ((double)(h >> 11) + 0.5) * 0x1p-53;
    double u2 = (double)(g >> 11) * 0x1p-53;
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

/* out = x / sd + 1e-10 * max(1, mean |x / sd|) * noise, as scikit-learn
 * prepares a continuous variable (sd the population standard deviation,
 * 1 for a constant). */
static void prepare_continuous(const double *x, size_t n, uint64_t seed,
                               uint64_t stream, double *out)
{
    double mean = 0, ss = 0, sd, absmean = 0, amax = 0, sc;

    /* The deviation of values scaled by a power of two (exact), so that
     * values near 1e300 do not overflow it to infinity (and every value
     * to 0 after the division). */
    for (size_t i = 0; i < n; i++)
        amax = fabs(x[i]) > amax ? fabs(x[i]) : amax;
    sc = mlp_spread_scale(amax);
    for (size_t i = 0; i < n; i++)
        mean += x[i] * sc;
    mean /= (double)n;
    for (size_t i = 0; i < n; i++)
        ss += (x[i] * sc - mean) * (x[i] * sc - mean);
    sd = sqrt(ss / (double)n) / sc;
    if (!(sd >= 10 * DBL_EPSILON))
        sd = 1;
    for (size_t i = 0; i < n; i++) {
        out[i] = x[i] / sd;
        absmean += fabs(out[i]);
    }
    absmean /= (double)n;
    double amp = 1e-10 * (absmean > 1 ? absmean : 1);
    for (size_t i = 0; i < n; i++)
        out[i] += amp * noise_normal(seed, stream, i);
}

/* ---- digamma of a positive integer ------------------------------------ */

static double digamma_int(size_t n)
{
    double r = 0, x = (double)n;

    /* psi(n) = psi(n + 1) - 1/n up to where the asymptotic series is
     * exact to the last bit. */
    while (x < 12) {
        r -= 1 / x;
        x += 1;
    }
    double i2 = 1 / (x * x);
    return r + log(x) - 0.5 / x -
           i2 * (1.0 / 12 - i2 * (1.0 / 120 - i2 * (1.0 / 252 - i2 * (1.0 / 240 - i2 / 132))));
}

/* ---- sorting ---------------------------------------------------------- */

static uint64_t sort_key(double v)
{
    uint64_t u;
    memcpy(&u, &v, sizeof u);
    return (u >> 63) ? ~u : u | (1ull << 63);
}

/* Sorts key[] ascending, carrying pay[] along (LSD radix, 11-bit digits;
 * digits every key shares are skipped).  tk, tp: scratch of n each. */
enum { BITS = 11, DIGITS = 6, B = 1 << BITS };

static void radix_sort(uint64_t *key, uint32_t *pay, size_t n, uint64_t *tk,
                       uint32_t *tp, size_t (*hist)[B])
{
    memset(hist, 0, DIGITS * sizeof *hist);
    for (size_t i = 0; i < n; i++)
        for (int d = 0; d < DIGITS; d++)
            hist[d][(key[i] >> (d * BITS)) & (B - 1)]++;
    for (int d = 0; d < DIGITS; d++) {
        size_t *h = hist[d], sum = 0;
        int shift = d * BITS;
        if (n == 0 || h[(key[0] >> shift) & (B - 1)] == n)
            continue;
        for (int b = 0; b < B; b++) {
            size_t c = h[b];
            h[b] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++) {
            size_t at = h[(key[i] >> shift) & (B - 1)]++;
            tk[at] = key[i];
            tp[at] = pay[i];
        }
        memcpy(key, tk, n * sizeof *key);
        memcpy(pay, tp, n * sizeof *pay);
    }
}

static double key_value(uint64_t u)
{
    double v;
    u = (u >> 63) ? u & ~(1ull << 63) : ~u;
    memcpy(&v, &u, sizeof v);
    return v;
}

/* ---- per-worker scratch ----------------------------------------------- */

typedef struct scratch {
    size_t n;
    uint64_t *key, *tk;
    uint32_t *pay, *tp, *pos, *inv;
    int32_t *cls;
    double *v, *w;
    size_t *count, n_count;
    size_t (*hist)[B];
} scratch;

static void scratch_free(scratch *s)
{
    mlp_free(s->key);
    mlp_free(s->tk);
    mlp_free(s->pay);
    mlp_free(s->tp);
    mlp_free(s->pos);
    mlp_free(s->inv);
    mlp_free(s->cls);
    mlp_free(s->v);
    mlp_free(s->w);
    mlp_free(s->count);
    mlp_free(s->hist);
    memset(s, 0, sizeof *s);
}

static int scratch_get(scratch *s, size_t n, size_t n_classes)
{
    if (s->key == NULL) {
        s->n = n;
        s->key = mlp_malloc((n + 1) * sizeof *s->key);
        s->tk = mlp_malloc((n + 1) * sizeof *s->tk);
        s->pay = mlp_malloc((n + 1) * sizeof *s->pay);
        s->tp = mlp_malloc((n + 1) * sizeof *s->tp);
        s->pos = mlp_malloc((n + 1) * sizeof *s->pos);
        s->inv = mlp_malloc((n + 1) * sizeof *s->inv);
        s->cls = mlp_malloc((n + 1) * sizeof *s->cls);
        s->v = mlp_malloc((n + 1) * sizeof *s->v);
        s->w = mlp_malloc((n + 1) * sizeof *s->w);
        s->hist = mlp_malloc(DIGITS * sizeof *s->hist);
    }
    if (s->n_count < n_classes + 1) {
        mlp_free(s->count);
        s->count = mlp_malloc((n_classes + 1) * sizeof *s->count);
        s->n_count = s->count ? n_classes + 1 : 0;
    }
    return s->key && s->tk && s->pay && s->tp && s->pos && s->inv && s->cls &&
           s->v && s->w && s->count && s->hist;
}

/* ---- estimators ------------------------------------------------------- */

/* Rows j with |v[j] - v[g]| <= r in the ascending v[0..n), g among them:
 * galloping out from g, as most runs are short. */
static size_t count_within(const double *v, size_t n, size_t g, double r)
{
    size_t lo = g, hi = g, step = 1, a, b;

    /* left: the smallest j with v[g] - v[j] <= r */
    while (lo >= step && v[g] - v[lo - step] <= r) {
        lo -= step;
        step *= 2;
    }
    a = lo >= step ? lo - step : 0; /* v[g] - v[a] > r, or a == 0 */
    b = lo;
    while (a < b) {
        size_t m = a + (b - a) / 2;
        if (v[g] - v[m] <= r)
            b = m;
        else
            a = m + 1;
    }
    lo = a;
    step = 1;
    while (hi + step < n && v[hi + step] - v[g] <= r) {
        hi += step;
        step *= 2;
    }
    a = hi;
    b = hi + step < n ? hi + step : n - 1;
    while (a < b) { /* the largest j with v[j] - v[g] <= r */
        size_t m = a + (b - a + 1) / 2;
        if (v[m] - v[g] <= r)
            a = m;
        else
            b = m - 1;
    }
    hi = a;
    return hi - lo + 1;
}

/* Ross (2014): c continuous (prepared), d class indexes 0..n_classes-1.
 * Leaves c's sorted order in s->v / s->cls. */
static double mi_cd(const double *c, const int32_t *d, size_t n, size_t n_classes,
                    size_t K, scratch *s)
{
    size_t *count = s->count, used = 0;
    double sum_k = 0, sum_count = 0, sum_m = 0;

    for (size_t i = 0; i < n; i++) {
        s->key[i] = sort_key(c[i]);
        s->pay[i] = (uint32_t)i;
    }
    radix_sort(s->key, s->pay, n, s->tk, s->tp, s->hist);
    for (size_t i = 0; i < n; i++) {
        s->v[i] = key_value(s->key[i]);
        s->cls[i] = d[s->pay[i]];
    }
    /* Positions of each class in sorted order, class by class. */
    memset(count, 0, (n_classes + 1) * sizeof *count);
    for (size_t i = 0; i < n; i++)
        count[s->cls[i] + 1]++;
    for (size_t k = 1; k <= n_classes; k++)
        count[k] += count[k - 1];
    for (size_t i = 0; i < n; i++)
        s->pos[count[s->cls[i]]++] = (uint32_t)i;
    /* count[k] is now the end of class k's run in pos[]. */
    for (size_t k = 0, start = 0; k < n_classes; start = count[k], k++) {
        size_t m = count[k] - start;
        const uint32_t *P = s->pos + start;
        if (m < 2)
            continue;
        size_t kk = K < m - 1 ? K : m - 1;
        used += m;
        sum_k += (double)m * digamma_int(kk);
        sum_count += (double)m * digamma_int(m);
        for (size_t t = 0; t < m; t++) {
            double vt = s->v[P[t]], dist = 0;
            size_t l = t, r = t + 1;
            for (size_t step = 0; step < kk; step++) {
                double dl = l > 0 ? vt - s->v[P[l - 1]] : INFINITY;
                double dr = r < m ? s->v[P[r]] - vt : INFINITY;
                if (dl <= dr) {
                    dist = dl;
                    l--;
                } else {
                    dist = dr;
                    r++;
                }
            }
            /* Strictly inside the k-th neighbour's distance. */
            sum_m += digamma_int(count_within(s->v, n, P[t], nextafter(dist, 0)));
        }
    }
    if (used == 0)
        return 0;
    double mi = digamma_int(used) + (sum_k - sum_count - sum_m) / (double)used;
    return mi > 0 ? mi : 0;
}

/* Dense 0.. indexes of integer values x (refused: a non-integer). */
static int dense_codes(const double *x, size_t n, int32_t *out, size_t *levels,
                       size_t *bad, scratch *s)
{
    for (size_t i = 0; i < n; i++) {
        if (!(x[i] == floor(x[i])) || fabs(x[i]) > 9007199254740992.0) {
            *bad = i;
            return 0;
        }
        s->key[i] = sort_key(x[i]);
        s->pay[i] = (uint32_t)i;
    }
    radix_sort(s->key, s->pay, n, s->tk, s->tp, s->hist);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && s->key[i] != s->key[i - 1])
            k++;
        out[s->pay[i]] = (int32_t)k;
    }
    *levels = n ? k + 1 : 0;
    return 1;
}

/* The plug-in value of the contingency table of two discrete variables
 * (scikit-learn's mutual_info_score, natural log). */
static double mi_dd(const int32_t *a, size_t na, const int32_t *b, size_t nb,
                    size_t n, scratch *s)
{
    if (na < 2 || nb < 2)
        return 0;
    size_t *ca = mlp_calloc(na + nb, sizeof *ca), *cb = ca ? ca + na : NULL;
    if (ca == NULL)
        return NAN;
    for (size_t i = 0; i < n; i++) {
        ca[a[i]]++;
        cb[b[i]]++;
        s->key[i] = (uint64_t)a[i] * nb + (uint64_t)b[i];
        s->pay[i] = 0;
    }
    radix_sort(s->key, s->pay, n, s->tk, s->tp, s->hist);
    double mi = 0, logn = log((double)n);
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && s->key[j] == s->key[i])
            j++;
        double nij = (double)(j - i);
        double outer = (double)ca[s->key[i] / nb] * (double)cb[s->key[i] % nb];
        double term = nij / (double)n * (log(nij) - logn) +
                      nij / (double)n * (-log(outer) + 2 * logn);
        if (fabs(term) >= DBL_EPSILON)
            mi += term;
        i = j;
    }
    mlp_free(ca);
    return mi > 0 ? mi : 0;
}

/* Ascending order of v as positions: s->inv[i] = rank of row i; sorted
 * values to out. */
static void sorted_ranks(const double *v, size_t n, double *out, scratch *s)
{
    for (size_t i = 0; i < n; i++) {
        s->key[i] = sort_key(v[i]);
        s->pay[i] = (uint32_t)i;
    }
    radix_sort(s->key, s->pay, n, s->tk, s->tp, s->hist);
    for (size_t i = 0; i < n; i++) {
        out[i] = key_value(s->key[i]);
        s->inv[s->pay[i]] = (uint32_t)i;
    }
}

/* Kraskov et al. (2004), estimator 1, max-norm: x and y prepared. */
static int mi_cc(const double *x, const double *y, size_t n, size_t K,
                 scratch *s, double *out)
{
    double *radius = mlp_malloc(n * sizeof *radius);
    double sum = 0;

    if (radius == NULL)
        return MLP_ENOMEM;
    if (mlpi_knn2d_radius(x, y, n, K, radius) != 0) {
        mlp_free(radius);
        return MLP_ENOMEM;
    }
    for (size_t i = 0; i < n; i++)
        radius[i] = nextafter(radius[i], 0);
    sorted_ranks(x, n, s->w, s);
    for (size_t i = 0; i < n; i++)
        sum += digamma_int(count_within(s->w, n, s->inv[i], radius[i]));
    sorted_ranks(y, n, s->w, s);
    for (size_t i = 0; i < n; i++)
        sum += digamma_int(count_within(s->w, n, s->inv[i], radius[i]));
    mlp_free(radius);
    double mi = digamma_int(n) + digamma_int(K) - sum / (double)n;
    *out = mi > 0 ? mi : 0;
    return MLP_OK;
}

/* ---- driver ----------------------------------------------------------- */

typedef struct job {
    const double *const *cols;
    size_t n_feat, n_rows, n_classes, K;
    const int32_t *yc;     /* class label, or NULL */
    const double *yprep;   /* numeric label, prepared */
    const mlp_mi_params *p;
    double *mi;
    scratch *scr;          /* per worker */
    int *rc;               /* per feature */
    size_t *bad;           /* per feature: the offending row */
} job;

static void score_one(void *arg, size_t j, int worker)
{
    job *jb = arg;
    scratch *s = &jb->scr[worker];
    const double *x = jb->cols[j];
    size_t n = jb->n_rows;
    int discrete = jb->p->discrete && jb->p->discrete[j];

    if (!scratch_get(s, n, jb->n_classes > n ? jb->n_classes : n)) {
        jb->rc[j] = MLP_ENOMEM;
        return;
    }
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i])) {
            jb->rc[j] = MLP_EINVAL;
            jb->bad[j] = i;
            return;
        }
    if (discrete) {
        int32_t *codes = mlp_malloc((n + 1) * sizeof *codes);
        size_t levels;
        if (codes == NULL) {
            jb->rc[j] = MLP_ENOMEM;
            return;
        }
        if (!dense_codes(x, n, codes, &levels, &jb->bad[j], s)) {
            mlp_free(codes);
            jb->rc[j] = MLP_EFORMAT;
            return;
        }
        if (jb->yc != NULL) {
            jb->mi[j] = mi_dd(codes, levels, jb->yc, jb->n_classes, n, s);
            if (isnan(jb->mi[j]))
                jb->rc[j] = MLP_ENOMEM;
        } else {
            /* The numeric label's neighbours within the feature's value;
             * count[] must hold the feature's levels. */
            if (!scratch_get(s, n, levels))
                jb->rc[j] = MLP_ENOMEM;
            else
                jb->mi[j] = mi_cd(jb->yprep, codes, n, levels, jb->K, s);
        }
        mlp_free(codes);
        return;
    }
    double *c = mlp_malloc((n + 1) * sizeof *c);
    if (c == NULL) {
        jb->rc[j] = MLP_ENOMEM;
        return;
    }
    prepare_continuous(x, n, jb->p->seed, jb->p->first_feature + j, c);
    if (jb->yc != NULL)
        jb->mi[j] = mi_cd(c, jb->yc, n, jb->n_classes, jb->K, s);
    else
        jb->rc[j] = mi_cc(c, jb->yprep, n, jb->K, s, &jb->mi[j]);
    mlp_free(c);
}

static int run_jobs(job *jb, mlp_error *err)
{
    int threads = jb->p->threads > 1 ? jb->p->threads : 1, rc = MLP_OK;

    if (jb->p->n_neighbors == 0)
        return mlp_error_set(err, MLP_EINVAL, "n_neighbors must be 1 or more");
    if (jb->n_rows >= UINT32_MAX)
        return mlp_error_set(err, MLP_EINVAL, "%zu rows: mutual information is "
                             "estimated on fewer than 2^32", jb->n_rows);
    jb->K = jb->p->n_neighbors;
    jb->scr = mlp_calloc((size_t)threads, sizeof *jb->scr);
    jb->rc = mlp_calloc(jb->n_feat + 1, sizeof *jb->rc);
    jb->bad = mlp_calloc(jb->n_feat + 1, sizeof *jb->bad);
    if (jb->scr == NULL || jb->rc == NULL || jb->bad == NULL)
        rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
    if (rc == MLP_OK)
        mlp_parallel_for(jb->n_feat, threads, score_one, jb);
    for (size_t j = 0; rc == MLP_OK && j < jb->n_feat; j++) {
        double v = jb->cols[j][jb->bad[j]];
        if (jb->rc[j] == MLP_EINVAL)
            rc = mlp_error_set(err, MLP_EINVAL, "feature %zu, row %zu: mutual "
                               "information needs finite values, not %g",
                               j + 1, jb->bad[j] + 1, v);
        else if (jb->rc[j] == MLP_EFORMAT)
            rc = mlp_error_set(err, MLP_EINVAL, "feature %zu, row %zu: a "
                               "discrete feature's values are integer codes, "
                               "not %.17g", j + 1, jb->bad[j] + 1, v);
        else if (jb->rc[j] != MLP_OK)
            rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
    }
    for (int w = 0; jb->scr != NULL && w < threads; w++)
        scratch_free(&jb->scr[w]);
    mlp_free(jb->scr);
    mlp_free(jb->rc);
    mlp_free(jb->bad);
    return rc;
}

int mlp_score_mutual_info_classif(const double *const *cols, size_t n_feat,
                                  size_t n_rows, const int32_t *y,
                                  size_t n_classes, const mlp_mi_params *p,
                                  double *mi, mlp_error *err)
{
    size_t *count = mlp_calloc(n_classes + 1, sizeof *count), present = 0;
    job jb;

    if (count == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    for (size_t i = 0; i < n_rows; i++) {
        if (y[i] < 0 || (size_t)y[i] >= n_classes) {
            mlp_free(count);
            return mlp_error_set(err, MLP_EINVAL, "row %zu: label %d is not a "
                                 "class index 0..%zu", i + 1, (int)y[i],
                                 n_classes - 1);
        }
        present += count[y[i]]++ == 0;
    }
    mlp_free(count);
    if (present < 2)
        return mlp_error_set(err, MLP_EINVAL, "the label has %zu class%s in these "
                             "rows; scoring features against it needs two or more",
                             present, present == 1 ? "" : "es");
    memset(&jb, 0, sizeof jb);
    jb.cols = cols;
    jb.n_feat = n_feat;
    jb.n_rows = n_rows;
    jb.n_classes = n_classes;
    jb.yc = y;
    jb.p = p;
    jb.mi = mi;
    return run_jobs(&jb, err);
}

int mlp_score_mutual_info_regression(const double *const *cols, size_t n_feat,
                                     size_t n_rows, const double *y,
                                     const mlp_mi_params *p, double *mi,
                                     mlp_error *err)
{
    double *yp;
    job jb;
    int rc;

    if (n_rows <= p->n_neighbors)
        return mlp_error_set(err, MLP_EINVAL, "%zu rows: the estimate needs "
                             "more rows than n_neighbors (%zu)", n_rows,
                             p->n_neighbors);
    for (size_t i = 0; i < n_rows; i++)
        if (!isfinite(y[i]))
            return mlp_error_set(err, MLP_EINVAL, "label, row %zu: mutual "
                                 "information needs finite values, not %g",
                                 i + 1, y[i]);
    yp = mlp_malloc(n_rows * sizeof *yp);
    if (yp == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    /* The label's own noise stream, after every feature's. */
    prepare_continuous(y, n_rows, p->seed, UINT64_MAX, yp);
    memset(&jb, 0, sizeof jb);
    jb.cols = cols;
    jb.n_feat = n_feat;
    jb.n_rows = n_rows;
    jb.yprep = yp;
    jb.p = p;
    jb.mi = mi;
    rc = run_jobs(&jb, err);
    mlp_free(yp);
    return rc;
}
