/* Per-feature statistics: numeric (moments, extremes, histograms,
 * quantiles) and categorical/string (distinct values, top-k, lengths, rank
 * histogram). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mlpipe/hash.h>
#include <mlpipe/json.h>

#include "featstats.h"
#include "select.h"
#include "sketch.h"

/* Numbers are written exactly (see mlp_json_number). */
#define NUM(obj, key, v) cJSON_AddItemToObject((obj), (key), mlp_json_number(v))

static double weight_of(const stats_opts *o, size_t row)
{
    return o->weights ? o->weights[row] : 1.0;
}

static cJSON *common_json(double present, double missing, double wpresent,
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

static void few_add(few *f, double v, double w)
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
            f->count[i] += 1;
            f->wcount[i] += w;
            return;
        }
    if (f->n == FEW_MAX) {
        f->overflow = 1;
        return;
    }
    f->used[i] = 1;
    f->v[i] = v;
    f->count[i] = 1;
    f->wcount[i] = w;
    f->n++;
}

/* Values of a numeric or matrix column, with their row weights. */
#define EACH_VALUE(c, o, ...)                                               \
    do {                                                                    \
        if ((c)->type == MLP_COL_MATRIX) {                                  \
            for (size_t row_ = 0; row_ < (c)->n_rows; row_++) {             \
                double w = weight_of((o), row_);                            \
                const float *r_ = (c)->mat + row_ * (c)->width;             \
                for (size_t k_ = 0; k_ < (c)->width; k_++) {                \
                    double x = (double)r_[k_];                              \
                    __VA_ARGS__                                                    \
                }                                                           \
            }                                                               \
        } else {                                                            \
            for (size_t row_ = 0; row_ < (c)->n_rows; row_++) {             \
                if ((c)->missing != NULL && mlp_column_is_missing((c), row_)) \
                    continue;                                               \
                double w = weight_of((o), row_);                            \
                double x = (c)->num[row_];                                  \
                __VA_ARGS__                                                        \
            }                                                               \
        }                                                                   \
    } while (0)

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

/* Distinct values of a packed integer column, counted in bins: already in
 * value order.  NULL when the packing is not one we bin. */
static vcw *packed_pairs(const mlp_column *c, const stats_opts *o, size_t *k)
{
    size_t nbins, off;
    uint32_t *cnt;
    double *wc = NULL;
    vcw *pairs;

    switch (c->packing) {
    case MLP_PACK_U8: nbins = 256; off = 0; break;
    case MLP_PACK_I8: nbins = 256; off = 128; break;
    case MLP_PACK_U16: nbins = 65536; off = 0; break;
    case MLP_PACK_I16: nbins = 65536; off = 32768; break;
    default: return NULL;
    }
    cnt = calloc(nbins, sizeof *cnt);
    if (o->weights)
        wc = calloc(nbins, sizeof *wc);
    if (cnt == NULL || (o->weights && wc == NULL)) {
        free(cnt);
        free(wc);
        return NULL;
    }
#define BIN(T)                                                              \
    for (size_t i = 0; i < c->n_rows; i++) {                                \
        if (c->missing != NULL && mlp_column_is_missing(c, i))              \
            continue;                                                       \
        size_t b = (size_t)((long)((const T *)c->packed)[i] + (long)off);   \
        cnt[b]++;                                                           \
        if (wc)                                                             \
            wc[b] += o->weights[i];                                         \
    }
    switch (c->packing) {
    case MLP_PACK_U8: BIN(uint8_t); break;
    case MLP_PACK_I8: BIN(int8_t); break;
    case MLP_PACK_U16: BIN(uint16_t); break;
    case MLP_PACK_I16: BIN(int16_t); break;
    default: break;
    }
#undef BIN
    *k = 0;
    for (size_t b = 0; b < nbins; b++)
        *k += cnt[b] > 0;
    pairs = malloc((*k ? *k : 1) * sizeof *pairs);
    if (pairs != NULL) {
        size_t j = 0;
        for (size_t b = 0; b < nbins; b++)
            if (cnt[b] > 0)
                pairs[j++] = (vcw){ (double)((long)b - (long)off), cnt[b],
                                    wc ? wc[b] : cnt[b] };
    }
    free(cnt);
    free(wc);
    return pairs;
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

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* A column of integers beyond 2^53 (ids): min, max and median from the
 * exact int64 values, and the unweighted mean from an exact sum, where
 * the doubles would have rounded them.  Returns 0 when out of memory. */
static int exact_int64_stats(const mlp_column *c, const stats_opts *o, cJSON *ns)
{
    size_t n = 0;
    int64_t *v = malloc((c->n_rows ? c->n_rows : 1) * sizeof *v);
    __int128 sum = 0;

    if (v == NULL)
        return 0;
    for (size_t i = 0; i < c->n_rows; i++)
        if (!mlp_column_is_missing(c, i)) {
            v[n++] = c->ints[i];
            sum += c->ints[i];
        }
    if (n > 0) {
        qsort(v, n, sizeof *v, cmp_i64);
        cJSON_ReplaceItemInObject(ns, "min", mlp_json_int(v[0]));
        cJSON_ReplaceItemInObject(ns, "max", mlp_json_int(v[n - 1]));
        int64_t lo = v[(n - 1) / 2], hi = v[n / 2];
        cJSON_ReplaceItemInObject(ns, "median", lo == hi ? mlp_json_int(lo)
                                  : mlp_json_number((double)((long double)lo +
                                    ((long double)hi - (long double)lo) / 2)));
        if (o->weights == NULL)
            cJSON_ReplaceItemInObject(ns, "mean", mlp_json_number(
                (double)((long double)sum / (long double)n)));
    }
    free(v);
    return 1;
}

static cJSON *numeric_stats(const mlp_column *c, const char *kind,
                            const stats_opts *o, cJSON *feat)
{
    size_t values_per_row = c->type == MLP_COL_MATRIX ? c->width : 1;
    double present = 0, missing = 0, wpresent = 0, wmissing = 0;
    double n_vals = 0, wsum = 0, sum = 0, comp = 0, m2 = 0;
    double zeros = 0, nan = 0, inf = 0, mn = INFINITY, mx = -INFINITY;
    /* The finite extremes and the infinities on each side: the histogram
     * covers the finite values, the infinities get buckets of their own
     * (with an infinite bound, as TFDV writes them). */
    double fmn = INFINITY, fmx = -INFINITY, neg_inf = 0, pos_inf = 0;
    int all_int = 1, exact = 0;
    vcw *pairs = NULL;
    size_t n_pairs = 0, n_all = 0;
    double *all = NULL;
    few *fv = NULL;
    sketch sk;
    cJSON *ns, *hists, *h, *buckets;

    sketch_init(&sk);
    for (size_t i = 0; i < c->n_rows; i++) {
        double w = weight_of(o, i);
        if (c->type != MLP_COL_MATRIX && mlp_column_is_missing(c, i)) {
            missing += 1;
            wmissing += w;
        } else {
            present += 1;
            wpresent += w;
        }
    }
    if (c->type == MLP_COL_NUMERIC && c->num == NULL) {
        /* A packed column: every statistic from the counted values. */
        pairs = packed_pairs(c, o, &n_pairs);
        if (pairs == NULL)
            return NULL;
        exact = 1;
        for (size_t k = 0; k < n_pairs; k++) {
            double x = pairs[k].v;
            n_vals += pairs[k].c;
            wsum += pairs[k].w;
            double y = pairs[k].w * x - comp, t = sum + y;
            comp = (t - sum) - y;
            sum = t;
            if (x == 0)
                zeros += pairs[k].c;
        }
        if (n_pairs > 0) {
            mn = fmn = pairs[0].v;
            mx = fmx = pairs[n_pairs - 1].v;
        }
    } else {
        /* Pass 1: counts, extremes, a compensated weighted sum, distinct
         * values while few. */
        fv = calloc(1, sizeof *fv);
        if (fv == NULL)
            return NULL;
        EACH_VALUE(c, o, {
            if (isnan(x)) {
                nan += 1;
                continue;
            }
            if (isinf(x)) {
                inf += 1;
                neg_inf += x < 0 ? w : 0;
                pos_inf += x > 0 ? w : 0;
            } else {
                fmn = x < fmn ? x : fmn;
                fmx = x > fmx ? x : fmx;
            }
            if (x == 0)
                zeros += 1;
            if (x < mn)
                mn = x;
            if (x > mx)
                mx = x;
            if (all_int && x != floor(x))
                all_int = 0;
            n_vals += 1;
            wsum += w;
            double y = w * x - comp, t = sum + y;
            comp = (t - sum) - y;
            sum = t;
            few_add(fv, x, w);
        });
        exact = !fv->overflow;
        if (exact) {
            pairs = malloc((fv->n ? fv->n : 1) * sizeof *pairs);
            if (pairs == NULL) {
                free(fv);
                return NULL;
            }
            for (size_t i = 0; i < FEW_SLOTS; i++)
                if (fv->used[i])
                    pairs[n_pairs++] = (vcw){ fv->v[i], fv->count[i], fv->wcount[i] };
            qsort(pairs, n_pairs, sizeof *pairs, cmp_vcw);
        }
        free(fv);
    }
    double mean = wsum > 0 ? sum / wsum : 0;
    /* Finite values whose sum passes the largest double (values near
     * 1.8e308): the mean itself is finite, so take it as a running
     * weighted average, which never leaves the values' range. */
    if (inf == 0 && wsum > 0 && !isfinite(mean)) {
        double m = 0, seen = 0;
        EACH_VALUE(c, o, {
            if (isnan(x) || !(w > 0))
                continue;
            seen += w;
            m += (w / seen) * x - (w / seen) * m;
        });
        mean = m;
    }
    /* With infinities the sum is one (or undefined, both signs): as NumPy
     * has it, not the NaN a compensated sum makes of inf - inf. */
    if (inf > 0)
        mean = pos_inf > 0 && neg_inf > 0 ? NAN : pos_inf > 0 ? INFINITY : -INFINITY;
    /* Squared deviations from the mean and the histogram: from the
     * distinct values when they are known, else in a second pass that
     * also feeds the sketch. */
    size_t nb = o->histogram_buckets;
    /* NumPy's edges: a single value v spans [v - 0.5, v + 0.5]. */
    double lo = fmn < fmx ? fmn : fmn - 0.5, hi = fmn < fmx ? fmx : fmx + 0.5;
    /* A range of a few subnormals has no room for nb distinct edges (the
     * step underflows): one bucket then, so that no value is counted in
     * a bucket that does not hold it. */
    for (size_t b = 1; fmn <= fmx && b <= nb; b++)
        if (!(edge(lo, hi, nb, b) > edge(lo, hi, nb, b - 1))) {
            nb = 1;
            break;
        }
    double *hist = calloc(nb, sizeof *hist);
    int ranged = hist && fmn <= fmx;
    if (exact) {
        for (size_t k = 0; k < n_pairs; k++) {
            double x = pairs[k].v, d = x - mean;
            m2 += pairs[k].w * d * d;
            if (ranged && isfinite(x))
                hist[bucket_of(x, lo, hi, nb)] += pairs[k].w;
        }
    } else {
        /* Many distinct values: keep them all while that is cheap, for
         * exact quantiles by selection; the sketch only beyond. */
        if (n_vals <= (double)o->exact_quantiles_max)
            all = malloc((n_vals > 0 ? (size_t)n_vals : 1) * sizeof *all);
        EACH_VALUE(c, o, {
            if (isnan(x))
                continue;
            double d = x - mean;
            m2 += w * d * d;
            if (ranged && isfinite(x))
                hist[bucket_of(x, lo, hi, nb)] += w;
            if (all != NULL)
                all[n_all++] = x;
            else
                sketch_add(&sk, x);
        });
    }

    if (kind == NULL)
        kind = all_int ? "int" : "float";
    cJSON_AddStringToObject(feat, "type", strcmp(kind, "int") == 0 ? "INT" : "FLOAT");
    cJSON_AddItemToObject(feat, "common", common_json(present, missing, wpresent,
                                                      wmissing, values_per_row,
                                                      o->weights != NULL));
    ns = cJSON_AddObjectToObject(feat, "num_stats");
    size_t nq = o->quantile_buckets;
    double *qs = malloc((nq + 2) * sizeof *qs), *qv = malloc((nq + 2) * sizeof *qv);
    if (qs && qv) {
        for (size_t b = 0; b <= nq; b++)
            qs[b] = (double)b / (double)nq;
        qs[nq + 1] = 0.5;
        if (exact && n_pairs > 0)
            pair_quantiles(pairs, n_pairs, n_vals, qs, nq + 2, qv);
        else if (all != NULL && n_all > 0)
            exact_quantiles(all, n_all, qs, nq + 2, qv);
        else
            sketch_quantiles(&sk, qs, nq + 2, qv);
    }
    if (n_vals > 0 && qs && qv) {
        NUM(ns, "mean", mean);
        /* Population standard deviation, as TFDV reports it. */
        NUM(ns, "std_dev", inf > 0 ? NAN : wsum > 0 ? sqrt(m2 / wsum) : 0);
        NUM(ns, "num_zeros", zeros);
        NUM(ns, "min", mn);
        NUM(ns, "median", qv[nq + 1]);
        NUM(ns, "max", mx);
        /* With infinities, the finite extremes too: a domain's bounds are
         * about them (infinities are disallow_inf's matter). */
        if (inf > 0 && fmn <= fmx) {
            NUM(ns, "finite_min", fmn);
            NUM(ns, "finite_max", fmx);
        }
        if (c->type == MLP_COL_NUMERIC && c->ints != NULL &&
            !exact_int64_stats(c, o, ns)) {
            free(qs);
            free(qv);
            free(hist);
            free(pairs);
            sketch_free(&sk);
            return NULL;
        }
    }
    NUM(ns, "num_nan", nan);
    NUM(ns, "num_inf", inf);
    NUM(ns, "quantile_rank_error", exact || all ? 0 : sketch_error_bound(&sk));
    /* Whether median and quantiles are exact or from the sketch. */
    cJSON_AddBoolToObject(ns, "quantiles_exact", exact || all != NULL);
    free(all);
    hists = cJSON_AddArrayToObject(ns, "histograms");
    if (n_vals > 0 && (ranged || inf > 0) && hist && qs && qv) {
        h = cJSON_CreateObject();
        cJSON_AddStringToObject(h, "type", "STANDARD");
        buckets = cJSON_AddArrayToObject(h, "buckets");
        if (neg_inf > 0)
            add_bucket(buckets, -INFINITY, ranged ? lo : -INFINITY, neg_inf);
        for (size_t b = 0; ranged && b < nb; b++)
            add_bucket(buckets, edge(lo, hi, nb, b), edge(lo, hi, nb, b + 1), hist[b]);
        if (pos_inf > 0)
            add_bucket(buckets, ranged ? hi : INFINITY, INFINITY, pos_inf);
        NUM(h, "num_nan", nan);
        cJSON_AddItemToArray(hists, h);
        h = cJSON_CreateObject();
        cJSON_AddStringToObject(h, "type", "QUANTILES");
        buckets = cJSON_AddArrayToObject(h, "buckets");
        for (size_t b = 0; b < nq; b++)
            add_bucket(buckets, qv[b], qv[b + 1], n_vals / (double)nq);
        cJSON_AddItemToArray(hists, h);
    }
    free(qs);
    free(qv);
    free(hist);
    free(pairs);
    sketch_free(&sk);
    return feat;
}

/* ----------------------------------------------------------- strings */

typedef struct value_count {
    const char *s;
    size_t len;
    double count;      /* weighted */
    double rows;       /* unweighted */
} value_count;

static int cmp_counts(const void *pa, const void *pb)
{
    const value_count *a = pa, *b = pb;
    size_t n = a->len < b->len ? a->len : b->len;
    int c;

    if (a->count != b->count)
        return a->count > b->count ? -1 : 1;
    c = memcmp(a->s, b->s, n);
    if (c != 0)
        return c;
    return (a->len > b->len) - (a->len < b->len);
}

/* Distinct values of a string column, counted with an open-addressing
 * table of indexes into `vals`. */
static value_count *count_strings(const mlp_column *c, const stats_opts *o,
                                  size_t *n_out)
{
    size_t slots = 1024, n = 0, cap = 256;
    int64_t *table = malloc(slots * sizeof *table);
    uint64_t *hashes = malloc(cap * sizeof *hashes);
    value_count *vals = malloc(cap * sizeof *vals);

    if (!table || !hashes || !vals)
        goto fail;
    memset(table, 0xff, slots * sizeof *table);
    for (size_t i = 0; i < c->n_rows; i++) {
        size_t len, k;
        const char *s;
        uint64_t h;
        if (mlp_column_is_missing(c, i))
            continue;
        s = mlp_column_string(c, i, &len);
        h = mlp_hash64(s, len, 0);
        for (k = (size_t)h & (slots - 1); table[k] >= 0; k = (k + 1) & (slots - 1)) {
            value_count *v = &vals[table[k]];
            if (hashes[table[k]] == h && v->len == len && memcmp(v->s, s, len) == 0)
                break;
        }
        if (table[k] >= 0) {
            vals[table[k]].count += weight_of(o, i);
            vals[table[k]].rows += 1;
            continue;
        }
        if (n == cap) {
            cap *= 2;
            value_count *nv = realloc(vals, cap * sizeof *nv);
            uint64_t *nh = nv ? realloc(hashes, cap * sizeof *nh) : NULL;
            if (nv) vals = nv;
            if (nh) hashes = nh;
            if (!nv || !nh)
                goto fail;
        }
        vals[n] = (value_count){ s, len, weight_of(o, i), 1 };
        hashes[n] = h;
        table[k] = (int64_t)n++;
        if (n * 2 > slots) {
            size_t ns = slots * 2;
            int64_t *nt = malloc(ns * sizeof *nt);
            if (nt == NULL)
                goto fail;
            memset(nt, 0xff, ns * sizeof *nt);
            for (size_t j = 0; j < n; j++) {
                size_t q = (size_t)hashes[j] & (ns - 1);
                while (nt[q] >= 0)
                    q = (q + 1) & (ns - 1);
                nt[q] = (int64_t)j;
            }
            free(table);
            table = nt;
            slots = ns;
        }
    }
    free(table);
    free(hashes);
    *n_out = n;
    return vals;
fail:
    free(table);
    free(hashes);
    free(vals);
    return NULL;
}

/* A value as a string of at most `cap` bytes, cut at a character
 * boundary; *cut says whether it was.  Owned; NULL on exhaustion. */
static char *capped(const char *s, size_t len, size_t cap, int *cut)
{
    char *v;

    if (cap > 0 && len > cap) {
        len = cap;
        while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
            len--;  /* not inside a UTF-8 sequence */
        *cut = 1;
    }
    v = malloc(len + 1);
    if (v != NULL) {
        memcpy(v, s, len);
        v[len] = '\0';
    }
    return v;
}

static cJSON *string_stats(const mlp_column *c, const stats_opts *o, cJSON *feat)
{
    int cut = 0;
    value_count *vals = NULL;
    size_t n = 0;
    double present = 0, missing = 0, wpresent = 0, wmissing = 0, total_len = 0;
    cJSON *ss, *top, *rank;

    for (size_t i = 0; i < c->n_rows; i++) {
        double w = weight_of(o, i);
        if (mlp_column_is_missing(c, i)) {
            missing += 1;
            wmissing += w;
        } else {
            size_t len;
            if (c->type == MLP_COL_STRING)
                mlp_column_string(c, i, &len);
            else
                mlp_column_level(c, (size_t)c->codes[i], &len);
            total_len += (double)len;
            present += 1;
            wpresent += w;
        }
    }
    if (c->type == MLP_COL_CATEGORICAL) {
        vals = calloc(c->n_levels + 1, sizeof *vals);
        if (vals == NULL)
            return NULL;
        for (size_t k = 0; k < c->n_levels; k++)
            vals[k].s = mlp_column_level(c, k, &vals[k].len);
        for (size_t i = 0; i < c->n_rows; i++)
            if (c->codes[i] >= 0) {
                vals[c->codes[i]].count += weight_of(o, i);
                vals[c->codes[i]].rows += 1;
            }
        /* Levels that occur in no row of this split are not values of it. */
        for (size_t k = 0; k < c->n_levels; k++)
            if (vals[k].rows > 0)
                vals[n++] = vals[k];
    } else {
        vals = count_strings(c, o, &n);
        if (vals == NULL)
            return NULL;
    }
    if (n > 1)
        qsort(vals, n, sizeof *vals, cmp_counts);

    cJSON_AddStringToObject(feat, "type", "STRING");
    cJSON_AddItemToObject(feat, "common", common_json(present, missing, wpresent,
                                                      wmissing, 1, o->weights != NULL));
    ss = cJSON_AddObjectToObject(feat, "string_stats");
    NUM(ss, "unique", (double)n);
    top = cJSON_AddArrayToObject(ss, "top_values");
    for (size_t k = 0; k < n && k < o->top_k; k++) {
        cJSON *t = cJSON_CreateObject();
        char *v = capped(vals[k].s, vals[k].len, o->max_value_bytes, &cut);
        if (v == NULL)
            break;
        cJSON_AddStringToObject(t, "value", v);
        NUM(t, "frequency", vals[k].count);
        free(v);
        cJSON_AddItemToArray(top, t);
    }
    NUM(ss, "avg_length", present > 0 ? total_len / present : 0);
    rank = cJSON_AddArrayToObject(ss, "rank_histogram");
    for (size_t k = 0; k < n && k < o->rank_buckets; k++) {
        cJSON *b = cJSON_CreateObject();
        char *v = capped(vals[k].s, vals[k].len, o->max_value_bytes, &cut);
        if (v == NULL)
            break;
        NUM(b, "low_rank", (double)k);
        NUM(b, "high_rank", (double)k);
        cJSON_AddStringToObject(b, "label", v);
        NUM(b, "sample_count", vals[k].count);
        free(v);
        cJSON_AddItemToArray(rank, b);
    }
    /* Values longer than the cap are stored cut short: say so, and where. */
    if (cut)
        NUM(ss, "values_cut_at_bytes", (double)o->max_value_bytes);
    free(vals);
    return feat;
}

/* An integer column the schema calls categorical (int_domain
 * is_categorical): counted as text, its values written as integers, as
 * TFDV gives such features string statistics. */
static cJSON *categorical_int_stats(const mlp_column *c, const stats_opts *o,
                                    cJSON *feat)
{
    mlp_table *t = mlp_table_new(c->n_rows);
    const char **vals = calloc(c->n_rows + 1, sizeof *vals);
    char *text = malloc(c->n_rows * 24 + 1);
    mlp_error err;
    cJSON *r = NULL;

    if (t != NULL && vals != NULL && text != NULL) {
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
            r = string_stats(mlp_table_column(t, 0), o, feat);
    }
    if (r != NULL)
        cJSON_ReplaceItemInObject(feat, "type", cJSON_CreateString("INT"));
    mlp_table_free(t);
    free(vals);
    free(text);
    return r;
}

cJSON *feature_stats(const mlp_column *c, const char *kind, const stats_opts *o)
{
    cJSON *feat = cJSON_CreateObject();

    if (feat == NULL)
        return NULL;
    cJSON_AddStringToObject(feat, "name", c->name);
    cJSON_AddStringToObject(feat, "column_type", mlp_col_type_name(c->type));
    if (c->type == MLP_COL_NUMERIC && c->num != NULL && kind != NULL &&
        strcmp(kind, "categorical") == 0) {
        if (categorical_int_stats(c, o, feat) == NULL) {
            cJSON_Delete(feat);
            return NULL;
        }
        return feat;
    }
    if (c->type == MLP_COL_NUMERIC || c->type == MLP_COL_MATRIX) {
        numeric_stats(c, kind, o, feat);
        return feat;
    }
    if (string_stats(c, o, feat) == NULL) {
        cJSON_Delete(feat);
        return NULL;
    }
    return feat;
}
