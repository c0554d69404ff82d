/* Per-feature statistics of one column, read a piece at a time: numeric
 * (moments, extremes, histograms, quantiles) here, text in strstats.c.
 *
 * Every figure depends on the column's values in row order only, never on
 * how the rows are cut into pieces (row groups), so a split gives the same
 * statistics in one group or in many.  A numeric column takes one pass
 * over its pieces, a second when its values are many and varied (for the
 * spread, the histogram and the quantiles), and a third for integers
 * beyond 2^53. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mlpipe/hash.h>
#include <mlpipe/json.h>

#include "featstats.h"
#include "select.h"
#include "sketch.h"
#include "strstats.h"

/* Numbers are written exactly (see mlp_json_number). */
#define NUM(obj, key, v) cJSON_AddItemToObject((obj), (key), mlp_json_number(v))

static double weight_of(const stats_opts *o, size_t row)
{
    return o->weights ? o->weights[row] : 1.0;
}

cJSON *stats_common_json(double present, double missing, double wpresent,
                          double wmissing, size_t values_per_row, int weighted)
{
    cJSON *c = cJSON_CreateObject();
    double total = present + missing;

    NUM(c, "num_non_missing", present);
    NUM(c, "num_missing", missing);
    NUM(c, "missing_fraction", total > 0 ? missing / total : 0);
    NUM(c, "min_num_values", present > 0 ? (double)values_per_row : 0);
    NUM(c, "max_num_values", present > 0 ? (double)values_per_row : 0);
    NUM(c, "avg_num_values", present > 0 ? (double)values_per_row : 0);
    if (weighted) {
        NUM(c, "weighted_num_non_missing", wpresent);
        NUM(c, "weighted_num_missing", wmissing);
    }
    return c;
}

static void add_bucket(cJSON *arr, double low, double high, double count)
{
    cJSON *b = cJSON_CreateObject();

    NUM(b, "low_value", low);
    NUM(b, "high_value", high);
    NUM(b, "sample_count", count);
    cJSON_AddItemToArray(arr, b);
}

/* Distinct values of a numeric column, while there are few of them: then
 * quantiles and histograms come exactly from (value, count) pairs and the
 * sketch is not needed.  Open addressing on the value's bits. */
#define FEW_MAX 1024
#define FEW_SLOTS 4096

typedef struct few {
    double v[FEW_SLOTS];
    double count[FEW_SLOTS];
    double wcount[FEW_SLOTS];
    uint8_t used[FEW_SLOTS];
    size_t n;
    int overflow;
} few;

/* Adds `count` rows of value v, of total weight w. */
static void few_put(few *f, double v, double count, double w)
{
    uint64_t bits;
    size_t i;

    if (f->overflow)
        return;
    if (v == 0)
        v = 0;  /* -0 and 0 are one value */
    memcpy(&bits, &v, sizeof bits);
    bits ^= bits >> 29;
    bits *= 0xbf58476d1ce4e5b9ull;
    bits ^= bits >> 32;
    for (i = (size_t)bits & (FEW_SLOTS - 1); f->used[i]; i = (i + 1) & (FEW_SLOTS - 1))
        if (f->v[i] == v) {
            f->count[i] += count;
            f->wcount[i] += w;
            return;
        }
    if (f->n == FEW_MAX) {
        f->overflow = 1;
        return;
    }
    f->used[i] = 1;
    f->v[i] = v;
    f->count[i] = count;
    f->wcount[i] = w;
    f->n++;
}

/* The values of a piece whose first row is row0 of the split, with
 * their row weights: a matrix's every cell, a numeric column's present
 * values, decoded or packed. */
#define PACKED_VALUES(T, c, o, row0, ...)                                   \
    for (size_t row_ = 0; row_ < (c)->n_rows; row_++) {                     \
        if ((c)->missing != NULL && mlp_column_is_missing((c), row_))       \
            continue;                                                       \
        double w = weight_of((o), (row0) + row_);                           \
        double x = (double)((const T *)(c)->packed)[row_];                  \
        __VA_ARGS__                                                         \
    }

#define EACH_VALUE(c, o, row0, ...)                                         \
    do {                                                                    \
        if ((c)->type == MLP_COL_MATRIX) {                                  \
            for (size_t row_ = 0; row_ < (c)->n_rows; row_++) {             \
                double w = weight_of((o), (row0) + row_);                   \
                const float *r_ = (c)->mat + row_ * (c)->width;             \
                for (size_t k_ = 0; k_ < (c)->width; k_++) {                \
                    double x = (double)r_[k_];                              \
                    __VA_ARGS__                                             \
                }                                                           \
            }                                                               \
        } else if ((c)->num != NULL) {                                      \
            for (size_t row_ = 0; row_ < (c)->n_rows; row_++) {             \
                if ((c)->missing != NULL && mlp_column_is_missing((c), row_)) \
                    continue;                                               \
                double w = weight_of((o), (row0) + row_);                   \
                double x = (c)->num[row_];                                  \
                __VA_ARGS__                                                 \
            }                                                               \
        } else {                                                            \
            switch ((c)->packing) {                                         \
            case MLP_PACK_U8: PACKED_VALUES(uint8_t, c, o, row0, __VA_ARGS__) break; \
            case MLP_PACK_I8: PACKED_VALUES(int8_t, c, o, row0, __VA_ARGS__) break; \
            case MLP_PACK_U16: PACKED_VALUES(uint16_t, c, o, row0, __VA_ARGS__) break; \
            case MLP_PACK_I16: PACKED_VALUES(int16_t, c, o, row0, __VA_ARGS__) break; \
            default: break;                                                 \
            }                                                               \
        }                                                                   \
    } while (0)

static int is_narrow(const mlp_column *c)
{
    return c->type == MLP_COL_NUMERIC && c->num == NULL &&
           (c->packing == MLP_PACK_U8 || c->packing == MLP_PACK_I8 ||
            c->packing == MLP_PACK_U16 || c->packing == MLP_PACK_I16);
}

/* Calls fn on every piece of src in row order.  fn returns 0, or -1 when
 * out of memory. */
typedef int (*piece_fn)(void *state, const mlp_column *c, size_t row0);

static int each_piece(const stats_source *src, piece_fn fn, void *state,
                      mlp_error *err)
{
    size_t row0 = 0;

    for (size_t k = 0; k < src->n_pieces; k++) {
        const mlp_column *c;
        void *hold;
        int rc = src->get(src->arg, k, &c, &hold, err);
        if (rc != MLP_OK)
            return rc;
        rc = fn(state, c, row0);
        row0 += c->n_rows;
        src->put(src->arg, hold);
        if (rc != 0)
            return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    }
    return MLP_OK;
}
/* Edge b of an equal-width histogram, computed as NumPy's linspace does,
 * so that values lying exactly on an edge land in the same bucket as in
 * numpy.histogram (standardised data often has many such values). */
static double edge(double lo, double hi, size_t nb, size_t b)
{
    double t = (double)b / (double)nb;

    if (b == nb)
        return hi;
    /* A range wider than the largest double (-1e308 to 1e308): weighted
     * ends, which cannot overflow, where NumPy's step would. */
    if (!isfinite(hi - lo))
        return lo * (1 - t) + hi * t;
    return lo + (double)b * ((hi - lo) / (double)nb);
}

static size_t bucket_of(double v, double lo, double hi, size_t nb)
{
    size_t b;
    double pos;

    if (!(hi > lo))
        return 0;
    if (isfinite(hi - lo))
        pos = (v - lo) * ((double)nb / (hi - lo));
    else
        pos = (v / 2 - lo / 2) * ((double)nb / (hi / 2 - lo / 2));
    /* Not `pos < 0`: a NaN must not become an index. */
    b = pos >= (double)nb ? nb - 1 : !(pos >= 0) ? 0 : (size_t)pos;
    /* The estimate may be one off next to an edge: settle it against the
     * edges themselves; the last bucket is closed on the right. */
    if (b > 0 && v < edge(lo, hi, nb, b))
        b--;
    else if (b + 1 < nb && v >= edge(lo, hi, nb, b + 1))
        b++;
    return b;
}

typedef struct vcw {
    double v, c, w;    /* value, rows, weighted rows */
} vcw;

static int cmp_vcw(const void *a, const void *b)
{
    double x = ((const vcw *)a)->v, y = ((const vcw *)b)->v;
    return (x > y) - (x < y);
}

static void pair_quantiles(const vcw *p, size_t n, double total,
                           const double *qs, size_t nq, double *out)
{
    for (size_t j = 0; j < nq; j++) {
        double pos = qs[j] * (total - 1), lo_rank = floor(pos), frac = pos - lo_rank;
        double acc = 0, lo = p[n - 1].v, hi = p[n - 1].v;
        size_t k = 0;
        while (k < n && acc + p[k].c <= lo_rank) {
            acc += p[k].c;
            k++;
        }
        if (k < n) {
            lo = p[k].v;
            /* The next order statistic: the same value unless lo_rank is
             * the last rank of this value. */
            hi = acc + p[k].c > lo_rank + 1 || k + 1 >= n ? p[k].v : p[k + 1].v;
        }
        out[j] = quantile_lerp(lo, hi, frac);
    }
}

/* Integers a one-group file stores in one or two bytes (-32768..32767 or
 * 0..65535) are counted in bins, whatever form each piece has them in:
 * every figure then comes exactly from the (value, count) pairs. */
#define BIN_LO (-32768)
#define BIN_HI 65535
#define N_BINS ((size_t)(BIN_HI - BIN_LO + 1))
/* Bins come in blocks of 256, allocated when a value falls in one: a
 * column of bytes takes one block, not the whole range. */
#define BIN_BLOCK 256
#define N_BLOCKS (N_BINS / BIN_BLOCK)

typedef struct num_acc {
    const stats_opts *o;
    const stats_source *src;
    size_t values_per_row;
    double present, missing, wpresent, wmissing;
    double n_vals, wsum, sum, comp;
    double zeros, nan, inf, mn, mx;
    /* The finite extremes and the infinities on each side: the histogram
     * covers the finite values, the infinities get buckets of their own
     * (with an infinite bound, as TFDV writes them). */
    double fmn, fmx, neg_inf, pos_inf;
    int all_int, any_ints;
    int binning;            /* every value so far fits a bin */
    double bin_lo, bin_hi;  /* the binned values' range */
    double *bins[N_BLOCKS]; /* each: BIN_BLOCK counts, then their weights */
    few *fv;                /* once binning stopped */
    /* second pass */
    double mean, m2, lo, hi;
    size_t nb;
    double *hist;
    int ranged;
    double *all;
    size_t n_all;
    sketch sk;
    /* integers beyond 2^53 */
    int64_t imin, imax;
    __int128 isum;
    int64_t *ivals;
    size_t n_ivals;
} num_acc;

/* Binning stops: the counts so far go to the few-values table, as if it
 * had taken every row (a value's weights add up in row order either way). */
static int stop_binning(num_acc *a)
{
    a->binning = 0;
    if ((a->fv = calloc(1, sizeof *a->fv)) == NULL)
        return -1;
    for (size_t k = 0; k < N_BLOCKS; k++)
        for (size_t i = 0; a->bins[k] != NULL && i < BIN_BLOCK; i++)
            if (a->bins[k][i] > 0)
                few_put(a->fv, (double)((long)(k * BIN_BLOCK + i) + BIN_LO),
                        a->bins[k][i], a->bins[k][BIN_BLOCK + i]);
    return 0;
}

/* x is an integer in [BIN_LO, BIN_HI]. */
static int bin_add(num_acc *a, double x, double w)
{
    size_t b = (size_t)((long)x - BIN_LO);
    double *blk = a->bins[b / BIN_BLOCK];

    if (blk == NULL && (blk = a->bins[b / BIN_BLOCK] =
                        calloc(2 * BIN_BLOCK, sizeof *blk)) == NULL)
        return -1;
    blk[b % BIN_BLOCK] += 1;
    blk[BIN_BLOCK + b % BIN_BLOCK] += w;
    a->bin_lo = x < a->bin_lo ? x : a->bin_lo;
    a->bin_hi = x > a->bin_hi ? x : a->bin_hi;
    return 0;
}

static void count_present(num_acc *a, const mlp_column *c, size_t row0)
{
    for (size_t i = 0; i < c->n_rows; i++) {
        double w = weight_of(a->o, row0 + i);
        if (c->type != MLP_COL_MATRIX && mlp_column_is_missing(c, i)) {
            a->missing += 1;
            a->wmissing += w;
        } else {
            a->present += 1;
            a->wpresent += w;
        }
    }
}

/* A lone narrow piece: the column is binned, so counting is all; done in
 * a plain array of the type's range first (the common case, pixels, is a
 * byte per value), then moved to the bins. */
static int bin_narrow(num_acc *a, const mlp_column *c, size_t row0)
{
    size_t nb, off;
    uint32_t *cnt;
    double *wc = NULL;

    switch (c->packing) {
    case MLP_PACK_U8: nb = 256; off = 0; break;
    case MLP_PACK_I8: nb = 256; off = 128; break;
    case MLP_PACK_U16: nb = 65536; off = 0; break;
    default: nb = 65536; off = 32768; break;
    }
    cnt = calloc(nb, sizeof *cnt);
    if (a->o->weights != NULL)
        wc = calloc(nb, sizeof *wc);
    if (cnt == NULL || (a->o->weights != NULL && wc == NULL)) {
        free(cnt);
        free(wc);
        return -1;
    }
#define BIN(T)                                                              \
    for (size_t i = 0; i < c->n_rows; i++) {                                \
        if (c->missing != NULL && mlp_column_is_missing(c, i))              \
            continue;                                                       \
        size_t b = (size_t)((long)((const T *)c->packed)[i] + (long)off);   \
        cnt[b]++;                                                           \
        if (wc != NULL)                                                     \
            wc[b] += a->o->weights[row0 + i];                               \
    }
    switch (c->packing) {
    case MLP_PACK_U8: BIN(uint8_t); break;
    case MLP_PACK_I8: BIN(int8_t); break;
    case MLP_PACK_U16: BIN(uint16_t); break;
    default: BIN(int16_t); break;
    }
#undef BIN
    int rc = 0;
    for (size_t b = 0; rc == 0 && b < nb; b++) {
        if (cnt[b] == 0)
            continue;
        double x = (double)((long)b - (long)off);
        size_t k = (size_t)((long)x - BIN_LO);
        double *blk = a->bins[k / BIN_BLOCK];
        if (blk == NULL && (blk = a->bins[k / BIN_BLOCK] =
                            calloc(2 * BIN_BLOCK, sizeof *blk)) == NULL) {
            rc = -1;
            break;
        }
        blk[k % BIN_BLOCK] = cnt[b];
        blk[BIN_BLOCK + k % BIN_BLOCK] = wc != NULL ? wc[b] : cnt[b];
        a->bin_lo = x < a->bin_lo ? x : a->bin_lo;
        a->bin_hi = x > a->bin_hi ? x : a->bin_hi;
    }
    free(cnt);
    free(wc);
    return rc;
}

static int num_pass1(void *state, const mlp_column *c, size_t row0)
{
    num_acc *a = state;

    count_present(a, c, row0);
    if (c->ints != NULL)
        a->any_ints = 1;
    if (a->src->n_pieces == 1 && is_narrow(c))
        return bin_narrow(a, c, row0);
    EACH_VALUE(c, a->o, row0, {
        if (a->binning && !(x >= BIN_LO && x <= BIN_HI && x == floor(x)) &&
            stop_binning(a) != 0)
            return -1;
        if (isnan(x)) {
            a->nan += 1;
            continue;
        }
        if (isinf(x)) {
            a->inf += 1;
            a->neg_inf += x < 0 ? w : 0;
            a->pos_inf += x > 0 ? w : 0;
        } else {
            a->fmn = x < a->fmn ? x : a->fmn;
            a->fmx = x > a->fmx ? x : a->fmx;
        }
        if (x == 0)
            a->zeros += 1;
        if (x < a->mn)
            a->mn = x;
        if (x > a->mx)
            a->mx = x;
        if (a->all_int && x != floor(x))
            a->all_int = 0;
        a->n_vals += 1;
        a->wsum += w;
        double y = w * x - a->comp, t = a->sum + y;
        a->comp = (t - a->sum) - y;
        a->sum = t;
        if (a->binning) {
            if (bin_add(a, x, w) != 0)
                return -1;
        } else {
            few_put(a->fv, x, 1, w);
        }
    });
    return 0;
}

static int num_pass2(void *state, const mlp_column *c, size_t row0)
{
    num_acc *a = state;

    EACH_VALUE(c, a->o, row0, {
        if (isnan(x))
            continue;
        double d = x - a->mean;
        a->m2 += w * d * d;
        if (a->ranged && isfinite(x))
            a->hist[bucket_of(x, a->lo, a->hi, a->nb)] += w;
        if (a->all != NULL)
            a->all[a->n_all++] = x;
        else if (sketch_add(&a->sk, x) != 0)
            return -1;
    });
    return 0;
}

/* Finite values whose sum passes the largest double (values near
 * 1.8e308): the mean itself is finite, so take it as a running weighted
 * average, which never leaves the values' range. */
static int num_mean_pass(void *state, const mlp_column *c, size_t row0)
{
    num_acc *a = state;

    EACH_VALUE(c, a->o, row0, {
        if (isnan(x) || !(w > 0))
            continue;
        a->comp += w;   /* the weight seen so far */
        a->mean += (w / a->comp) * x - (w / a->comp) * a->mean;
    });
    return 0;
}

/* Value i of an integer piece: kept exactly, decoded, or packed narrow. */
static int64_t int_at(const mlp_column *c, size_t i)
{
    if (c->ints != NULL)
        return c->ints[i];
    if (c->num != NULL)
        return (int64_t)c->num[i];
    switch (c->packing) {
    case MLP_PACK_U8: return ((const uint8_t *)c->packed)[i];
    case MLP_PACK_I8: return ((const int8_t *)c->packed)[i];
    case MLP_PACK_U16: return ((const uint16_t *)c->packed)[i];
    default: return ((const int16_t *)c->packed)[i];
    }
}

static int num_int_pass(void *state, const mlp_column *c, size_t row0)
{
    num_acc *a = state;

    (void)row0;
    for (size_t i = 0; i < c->n_rows; i++) {
        if (mlp_column_is_missing(c, i))
            continue;
        int64_t v = int_at(c, i);
        a->imin = v < a->imin ? v : a->imin;
        a->imax = v > a->imax ? v : a->imax;
        a->isum += v;
        if (a->ivals != NULL)
            a->ivals[a->n_ivals++] = v;
    }
    return 0;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* A column of integers beyond 2^53 (ids): min, max, the unweighted mean
 * from an exact sum and, while the values may be held, the median, from
 * the exact int64 values where the doubles would have rounded them. */
static int exact_int64_stats(num_acc *a, cJSON *ns, mlp_error *err)
{
    int rc;

    a->imin = INT64_MAX;
    a->imax = INT64_MIN;
    a->isum = 0;
    if (a->n_vals <= (double)a->o->exact_quantiles_max) {
        a->ivals = malloc((a->n_vals > 0 ? (size_t)a->n_vals : 1) * sizeof *a->ivals);
        if (a->ivals == NULL)
            return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    }
    rc = each_piece(a->src, num_int_pass, a, err);
    if (rc != MLP_OK || a->n_vals == 0)
        return rc;
    cJSON_ReplaceItemInObject(ns, "min", mlp_json_int(a->imin));
    cJSON_ReplaceItemInObject(ns, "max", mlp_json_int(a->imax));
    if (a->ivals != NULL && a->n_ivals > 0) {
        size_t n = a->n_ivals;
        qsort(a->ivals, n, sizeof *a->ivals, cmp_i64);
        int64_t lo = a->ivals[(n - 1) / 2], hi = a->ivals[n / 2];
        cJSON_ReplaceItemInObject(ns, "median", lo == hi ? mlp_json_int(lo)
                                  : mlp_json_number((double)((long double)lo +
                                    ((long double)hi - (long double)lo) / 2)));
    }
    if (a->o->weights == NULL)
        cJSON_ReplaceItemInObject(ns, "mean", mlp_json_number(
            (double)((long double)a->isum / (long double)a->n_vals)));
    return MLP_OK;
}

/* The (value, count) pairs of a binned or few-valued column, in value
 * order; *n their number.  NULL on exhaustion. */
static vcw *value_pairs(num_acc *a, size_t *n)
{
    size_t k = 0;
    vcw *p;

    if (a->binning) {
        for (size_t b = 0; b < N_BLOCKS; b++)
            for (size_t i = 0; a->bins[b] != NULL && i < BIN_BLOCK; i++)
                k += a->bins[b][i] > 0;
        p = malloc((k ? k : 1) * sizeof *p);
        if (p == NULL)
            return NULL;
        k = 0;
        for (size_t b = 0; b < N_BLOCKS; b++)
            for (size_t i = 0; a->bins[b] != NULL && i < BIN_BLOCK; i++)
                if (a->bins[b][i] > 0)
                    p[k++] = (vcw){ (double)((long)(b * BIN_BLOCK + i) + BIN_LO),
                                    a->bins[b][i], a->bins[b][BIN_BLOCK + i] };
    } else {
        p = malloc((a->fv->n ? a->fv->n : 1) * sizeof *p);
        if (p == NULL)
            return NULL;
        for (size_t i = 0; i < FEW_SLOTS; i++)
            if (a->fv->used[i])
                p[k++] = (vcw){ a->fv->v[i], a->fv->count[i], a->fv->wcount[i] };
        qsort(p, k, sizeof *p, cmp_vcw);
    }
    *n = k;
    return p;
}

/* A binned column's figures from its pairs, as the rows would give them
 * but summed in value order (the rows' order is not kept by bins). */
static void from_pairs(num_acc *a, const vcw *p, size_t n)
{
    a->n_vals = a->wsum = a->sum = a->comp = a->zeros = 0;
    for (size_t k = 0; k < n; k++) {
        double x = p[k].v;
        a->n_vals += p[k].c;
        a->wsum += p[k].w;
        double y = p[k].w * x - a->comp, t = a->sum + y;
        a->comp = (t - a->sum) - y;
        a->sum = t;
        if (x == 0)
            a->zeros += p[k].c;
    }
    if (n > 0) {
        a->mn = a->fmn = p[0].v;
        a->mx = a->fmx = p[n - 1].v;
    }
}

static int numeric_stats(num_acc *a, const char *kind, cJSON *feat, mlp_error *err)
{
    const stats_opts *o = a->o;
    vcw *pairs = NULL;
    size_t n_pairs = 0;
    int exact, rc;
    cJSON *ns, *hists, *h, *buckets, *common;
    double *qs = NULL, *qv = NULL;

    rc = each_piece(a->src, num_pass1, a, err);
    if (rc != MLP_OK)
        return rc;
    /* Bins hold the column exactly when a one-group file would store it
     * in one or two bytes; otherwise they were only a start. */
    if (a->binning && !((a->bin_lo >= -32768 && a->bin_hi <= 32767) ||
                        (a->bin_lo >= 0 && a->bin_hi <= 65535)) &&
        stop_binning(a) != 0)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    exact = a->binning || !a->fv->overflow;
    if (exact) {
        pairs = value_pairs(a, &n_pairs);
        if (pairs == NULL)
            return mlp_error_set(err, MLP_ENOMEM, "out of memory");
        if (a->binning)
            from_pairs(a, pairs, n_pairs);
    }
    a->mean = a->wsum > 0 ? a->sum / a->wsum : 0;
    if (a->inf == 0 && a->wsum > 0 && !isfinite(a->mean)) {
        a->mean = a->comp = 0;
        rc = each_piece(a->src, num_mean_pass, a, err);
        if (rc != MLP_OK)
            goto done;
    }
    /* With infinities the sum is one (or undefined, both signs): as NumPy
     * has it, not the NaN a compensated sum makes of inf - inf. */
    if (a->inf > 0)
        a->mean = a->pos_inf > 0 && a->neg_inf > 0 ? NAN
                  : a->pos_inf > 0 ? INFINITY : -INFINITY;
    /* Squared deviations from the mean and the histogram: from the
     * distinct values when they are known, else in a second pass that
     * also keeps the values (for exact quantiles by selection) while that
     * is cheap, and feeds the sketch beyond. */
    a->nb = o->histogram_buckets;
    /* NumPy's edges: a single value v spans [v - 0.5, v + 0.5]. */
    a->lo = a->fmn < a->fmx ? a->fmn : a->fmn - 0.5;
    a->hi = a->fmn < a->fmx ? a->fmx : a->fmx + 0.5;
    /* A range of a few subnormals has no room for nb distinct edges (the
     * step underflows): one bucket then, so that no value is counted in
     * a bucket that does not hold it. */
    for (size_t b = 1; a->fmn <= a->fmx && b <= a->nb; b++)
        if (!(edge(a->lo, a->hi, a->nb, b) > edge(a->lo, a->hi, a->nb, b - 1))) {
            a->nb = 1;
            break;
        }
    a->hist = calloc(a->nb, sizeof *a->hist);
    if (a->hist == NULL) {
        rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
        goto done;
    }
    a->ranged = a->fmn <= a->fmx;
    if (exact) {
        for (size_t k = 0; k < n_pairs; k++) {
            double x = pairs[k].v, d = x - a->mean;
            a->m2 += pairs[k].w * d * d;
            if (a->ranged && isfinite(x))
                a->hist[bucket_of(x, a->lo, a->hi, a->nb)] += pairs[k].w;
        }
    } else {
        if (a->n_vals <= (double)o->exact_quantiles_max) {
            a->all = malloc((a->n_vals > 0 ? (size_t)a->n_vals : 1) * sizeof *a->all);
            if (a->all == NULL) {
                rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
                goto done;
            }
        }
        rc = each_piece(a->src, num_pass2, a, err);
        if (rc != MLP_OK)
            goto done;
    }

    if (kind == NULL)
        kind = a->all_int ? "int" : "float";
    cJSON_AddStringToObject(feat, "type", strcmp(kind, "int") == 0 ? "INT" : "FLOAT");
    common = stats_common_json(a->present, a->missing, a->wpresent, a->wmissing,
                               a->values_per_row, o->weights != NULL);
    ns = cJSON_AddObjectToObject(feat, "num_stats");
    size_t nq = o->quantile_buckets;
    qs = malloc((nq + 2) * sizeof *qs);
    qv = malloc((nq + 2) * sizeof *qv);
    if (common == NULL || ns == NULL || qs == NULL || qv == NULL) {
        cJSON_Delete(common);
        rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
        goto done;
    }
    cJSON_AddItemToObject(feat, "common", common);
    for (size_t b = 0; b <= nq; b++)
        qs[b] = (double)b / (double)nq;
    qs[nq + 1] = 0.5;
    if (exact && n_pairs > 0)
        pair_quantiles(pairs, n_pairs, a->n_vals, qs, nq + 2, qv);
    else if (a->all != NULL && a->n_all > 0)
        exact_quantiles(a->all, a->n_all, qs, nq + 2, qv);
    else if (sketch_quantiles(&a->sk, qs, nq + 2, qv) != 0) {
        rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
        goto done;
    }
    if (a->n_vals > 0) {
        NUM(ns, "mean", a->mean);
        /* Population standard deviation, as TFDV reports it. */
        NUM(ns, "std_dev", a->inf > 0 ? NAN : a->wsum > 0 ? sqrt(a->m2 / a->wsum) : 0);
        NUM(ns, "num_zeros", a->zeros);
        NUM(ns, "min", a->mn);
        NUM(ns, "median", qv[nq + 1]);
        NUM(ns, "max", a->mx);
        /* With infinities, the finite extremes too: a domain's bounds are
         * about them (infinities are disallow_inf's matter). */
        if (a->inf > 0 && a->fmn <= a->fmx) {
            NUM(ns, "finite_min", a->fmn);
            NUM(ns, "finite_max", a->fmx);
        }
        /* Some piece kept exact integers beyond 2^53, and the column is
         * all integers (as a one-group file would keep them). */
        if (a->any_ints && a->all_int && a->nan == 0 && a->inf == 0 &&
            (rc = exact_int64_stats(a, ns, err)) != MLP_OK)
            goto done;
    }
    NUM(ns, "num_nan", a->nan);
    NUM(ns, "num_inf", a->inf);
    NUM(ns, "quantile_rank_error", exact || a->all ? 0 : sketch_error_bound(&a->sk));
    /* Whether median and quantiles are exact or from the sketch. */
    cJSON_AddBoolToObject(ns, "quantiles_exact", exact || a->all != NULL);
    hists = cJSON_AddArrayToObject(ns, "histograms");
    if (a->n_vals > 0 && (a->ranged || a->inf > 0)) {
        h = cJSON_CreateObject();
        cJSON_AddStringToObject(h, "type", "STANDARD");
        buckets = cJSON_AddArrayToObject(h, "buckets");
        if (a->neg_inf > 0)
            add_bucket(buckets, -INFINITY, a->ranged ? a->lo : -INFINITY, a->neg_inf);
        for (size_t b = 0; a->ranged && b < a->nb; b++)
            add_bucket(buckets, edge(a->lo, a->hi, a->nb, b),
                       edge(a->lo, a->hi, a->nb, b + 1), a->hist[b]);
        if (a->pos_inf > 0)
            add_bucket(buckets, a->ranged ? a->hi : INFINITY, INFINITY, a->pos_inf);
        NUM(h, "num_nan", a->nan);
        cJSON_AddItemToArray(hists, h);
        h = cJSON_CreateObject();
        cJSON_AddStringToObject(h, "type", "QUANTILES");
        buckets = cJSON_AddArrayToObject(h, "buckets");
        for (size_t b = 0; b < nq; b++)
            add_bucket(buckets, qv[b], qv[b + 1], a->n_vals / (double)nq);
        cJSON_AddItemToArray(hists, h);
    }
    rc = MLP_OK;
done:
    free(qs);
    free(qv);
    free(pairs);
    return rc;
}

static void num_acc_init(num_acc *a, const stats_opts *o, const stats_source *src)
{
    memset(a, 0, sizeof *a);
    a->o = o;
    a->src = src;
    a->values_per_row = 1;
    a->mn = a->fmn = a->bin_lo = INFINITY;
    a->mx = a->fmx = a->bin_hi = -INFINITY;
    a->all_int = 1;
    a->binning = 1;
    sketch_init(&a->sk);
}

static void num_acc_free(num_acc *a)
{
    free(a->fv);
    for (size_t k = 0; k < N_BLOCKS; k++)
        free(a->bins[k]);
    free(a->hist);
    free(a->all);
    free(a->ivals);
    sketch_free(&a->sk);
}

static int add_strings(void *state, const mlp_column *c, size_t row0)
{
    return str_acc_add(state, c, row0);
}

/* An integer column the schema calls categorical (int_domain
 * is_categorical): counted as text, its values written as integers, as
 * TFDV gives such features string statistics. */
static int add_int_categories(void *state, const mlp_column *c, size_t row0)
{
    mlp_table *t = mlp_table_new(c->n_rows);
    const char **vals = calloc(c->n_rows + 1, sizeof *vals);
    char *text = malloc(c->n_rows * 24 + 1);
    mlp_error err;
    int rc = -1;

    if (t != NULL && vals != NULL && text != NULL && c->num != NULL) {
        for (size_t i = 0; i < c->n_rows; i++) {
            if (mlp_column_is_missing(c, i))
                continue;
            char *s = text + i * 24;
            if (c->ints != NULL)
                snprintf(s, 24, "%lld", (long long)c->ints[i]);
            else
                snprintf(s, 24, "%.17g", c->num[i]);
            vals[i] = s;
        }
        if (mlp_table_add_string(t, c->name, vals, &err) == MLP_OK)
            rc = str_acc_add(state, mlp_table_column(t, 0), row0);
    }
    mlp_table_free(t);
    free(vals);
    free(text);
    return rc;
}

static int text_stats(const stats_opts *o, const stats_source *src, int ints,
                      cJSON *feat, mlp_error *err)
{
    str_acc *a = str_acc_new(o);
    int rc;

    if (a == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    rc = each_piece(src, ints ? add_int_categories : add_strings, a, err);
    if (rc == MLP_OK && str_acc_finish(a, feat) != 0)
        rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
    if (rc == MLP_OK && ints)
        cJSON_ReplaceItemInObject(feat, "type", cJSON_CreateString("INT"));
    str_acc_free(a);
    return rc;
}

cJSON *feature_stats_source(const char *name, mlp_col_type type, size_t width,
                            const char *kind, const stats_opts *o,
                            const stats_source *src, mlp_error *err)
{
    cJSON *feat = cJSON_CreateObject();
    int rc;

    if (feat == NULL) {
        mlp_error_set(err, MLP_ENOMEM, "out of memory");
        return NULL;
    }
    cJSON_AddStringToObject(feat, "name", name);
    cJSON_AddStringToObject(feat, "column_type", mlp_col_type_name(type));
    if (type == MLP_COL_NUMERIC && kind != NULL && strcmp(kind, "categorical") == 0) {
        rc = text_stats(o, src, 1, feat, err);
    } else if (type == MLP_COL_NUMERIC || type == MLP_COL_MATRIX) {
        num_acc a;
        num_acc_init(&a, o, src);
        a.values_per_row = type == MLP_COL_MATRIX ? width : 1;
        rc = numeric_stats(&a, kind, feat, err);
        num_acc_free(&a);
    } else {
        rc = text_stats(o, src, 0, feat, err);
    }
    if (rc != MLP_OK) {
        cJSON_Delete(feat);
        return NULL;
    }
    return feat;
}

static int one_get(void *arg, size_t k, const mlp_column **c, void **hold,
                   mlp_error *err)
{
    (void)k;
    (void)err;
    *c = arg;
    *hold = NULL;
    return MLP_OK;
}

static void one_put(void *arg, void *hold)
{
    (void)arg;
    (void)hold;
}

cJSON *feature_stats(const mlp_column *c, const char *kind, const stats_opts *o)
{
    stats_source one = { 1, one_get, one_put, (void *)c };
    mlp_error err;

    return feature_stats_source(c->name, c->type, c->width, kind, o, &one, &err);
}
