/* Per-feature statistics: numeric (moments, extremes, histograms,
 * quantiles) and categorical/string (distinct values, top-k, lengths, rank
 * histogram). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <mlpipe/hash.h>
#include <mlpipe/json.h>

#include "featstats.h"
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

/* Numeric accumulator: weighted Welford mean and variance. */
typedef struct num_acc {
    double w, mean, m2;
    double min, max;
    double zeros, nan, inf;
    double present, missing, wpresent, wmissing;
    int all_int;
    sketch sk;
} num_acc;

static void num_add(num_acc *a, double v, double w)
{
    if (isnan(v)) {
        a->nan += 1;
        return;
    }
    if (isinf(v))
        a->inf += 1;
    if (v == 0)
        a->zeros += 1;
    if (v < a->min)
        a->min = v;
    if (v > a->max)
        a->max = v;
    if (a->all_int && (v != floor(v) || isinf(v)))
        a->all_int = 0;
    if (w > 0) {
        double nw = a->w + w, d = v - a->mean;
        a->mean += d * (w / nw);
        a->m2 += w * d * (v - a->mean);
        a->w = nw;
    }
    sketch_add(&a->sk, v);
}

/* Each row's values of a numeric or matrix column, through fn. */
static void for_values(const mlp_column *c, const stats_opts *o,
                       void (*fn)(void *, double, double), void *arg,
                       num_acc *counts)
{
    for (size_t i = 0; i < c->n_rows; i++) {
        double w = weight_of(o, i);
        if (c->type == MLP_COL_MATRIX) {
            const float *row = c->mat + i * c->width;
            for (size_t k = 0; k < c->width; k++)
                fn(arg, (double)row[k], w);
        } else if (mlp_column_is_missing(c, i)) {
            if (counts) {
                counts->missing += 1;
                counts->wmissing += w;
            }
            continue;
        } else {
            fn(arg, c->num[i], w);
        }
        if (counts) {
            counts->present += 1;
            counts->wpresent += w;
        }
    }
}

static void acc_fn(void *arg, double v, double w) { num_add(arg, v, w); }

typedef struct hist_fill {
    double lo, hi;
    size_t nb;
    double *counts;
} hist_fill;

/* Edge b of an equal-width histogram, computed as NumPy's linspace does,
 * so that values lying exactly on an edge land in the same bucket as in
 * numpy.histogram (standardised data often has many such values). */
static double edge(double lo, double hi, size_t nb, size_t b)
{
    return b == nb ? hi : lo + (double)b * ((hi - lo) / (double)nb);
}

static void hist_fn(void *arg, double v, double w)
{
    hist_fill *h = arg;
    size_t b;

    if (!isfinite(v))
        return;
    if (h->hi > h->lo) {
        double pos = (v - h->lo) * ((double)h->nb / (h->hi - h->lo));
        b = pos >= (double)h->nb ? h->nb - 1 : pos < 0 ? 0 : (size_t)pos;
        /* The estimate may be one off next to an edge: settle it against
         * the edges themselves; the last bucket is closed on the right. */
        if (b > 0 && v < edge(h->lo, h->hi, h->nb, b))
            b--;
        else if (b + 1 < h->nb && v >= edge(h->lo, h->hi, h->nb, b + 1))
            b++;
    } else {
        b = 0;
    }
    h->counts[b] += w;
}

static cJSON *numeric_stats(const mlp_column *c, const char *kind,
                            const stats_opts *o, cJSON *feat)
{
    num_acc a;
    cJSON *ns, *hists, *h, *buckets;
    size_t values_per_row = c->type == MLP_COL_MATRIX ? c->width : 1;
    double n_vals;

    memset(&a, 0, sizeof a);
    a.min = INFINITY;
    a.max = -INFINITY;
    a.all_int = 1;
    sketch_init(&a.sk);
    for_values(c, o, acc_fn, &a, &a);
    n_vals = (double)a.sk.count;

    if (kind == NULL)
        kind = a.all_int ? "int" : "float";
    cJSON_AddStringToObject(feat, "type", strcmp(kind, "int") == 0 ? "INT" : "FLOAT");
    cJSON_AddItemToObject(feat, "common", common_json(a.present, a.missing,
                                                      a.wpresent, a.wmissing,
                                                      values_per_row,
                                                      o->weights != NULL));
    ns = cJSON_AddObjectToObject(feat, "num_stats");
    if (n_vals > 0) {
        double q[3] = { 0.5 }, med;
        sketch_quantiles(&a.sk, q, 1, &med);
        NUM(ns, "mean", a.mean);
        /* Population standard deviation, as TFDV reports it. */
        NUM(ns, "std_dev", a.w > 0 ? sqrt(a.m2 / a.w) : 0);
        NUM(ns, "num_zeros", a.zeros);
        NUM(ns, "min", a.min);
        NUM(ns, "median", med);
        NUM(ns, "max", a.max);
    }
    NUM(ns, "num_nan", a.nan);
    NUM(ns, "num_inf", a.inf);
    NUM(ns, "quantile_rank_error", sketch_error_bound(&a.sk));
    hists = cJSON_AddArrayToObject(ns, "histograms");
    if (n_vals > 0 && isfinite(a.min) && isfinite(a.max)) {
        hist_fill hf = { a.min, a.max, o->histogram_buckets, NULL };
        hf.counts = calloc(hf.nb, sizeof *hf.counts);
        if (hf.counts != NULL) {
            for_values(c, o, hist_fn, &hf, NULL);
            h = cJSON_CreateObject();
            cJSON_AddStringToObject(h, "type", "STANDARD");
            buckets = cJSON_AddArrayToObject(h, "buckets");
            for (size_t b = 0; b < hf.nb; b++)
                add_bucket(buckets, edge(a.min, a.max, hf.nb, b),
                           edge(a.min, a.max, hf.nb, b + 1), hf.counts[b]);
            cJSON_AddItemToArray(hists, h);
            free(hf.counts);
        }
        size_t nq = o->quantile_buckets;
        double *qs = malloc((nq + 1) * sizeof *qs), *qv = malloc((nq + 1) * sizeof *qv);
        if (qs && qv) {
            for (size_t b = 0; b <= nq; b++)
                qs[b] = (double)b / (double)nq;
            sketch_quantiles(&a.sk, qs, nq + 1, qv);
            h = cJSON_CreateObject();
            cJSON_AddStringToObject(h, "type", "QUANTILES");
            buckets = cJSON_AddArrayToObject(h, "buckets");
            for (size_t b = 0; b < nq; b++)
                add_bucket(buckets, qv[b], qv[b + 1], n_vals / (double)nq);
            cJSON_AddItemToArray(hists, h);
        }
        free(qs);
        free(qv);
    }
    sketch_free(&a.sk);
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

static cJSON *string_stats(const mlp_column *c, const stats_opts *o, cJSON *feat)
{
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
        char *v = malloc(vals[k].len + 1);
        if (v == NULL)
            break;
        memcpy(v, vals[k].s, vals[k].len);
        v[vals[k].len] = '\0';
        cJSON_AddStringToObject(t, "value", v);
        NUM(t, "frequency", vals[k].count);
        free(v);
        cJSON_AddItemToArray(top, t);
    }
    NUM(ss, "avg_length", present > 0 ? total_len / present : 0);
    rank = cJSON_AddArrayToObject(ss, "rank_histogram");
    for (size_t k = 0; k < n && k < o->rank_buckets; k++) {
        cJSON *b = cJSON_CreateObject();
        char *v = malloc(vals[k].len + 1);
        if (v == NULL)
            break;
        memcpy(v, vals[k].s, vals[k].len);
        v[vals[k].len] = '\0';
        NUM(b, "low_rank", (double)k);
        NUM(b, "high_rank", (double)k);
        cJSON_AddStringToObject(b, "label", v);
        NUM(b, "sample_count", vals[k].count);
        free(v);
        cJSON_AddItemToArray(rank, b);
    }
    free(vals);
    return feat;
}

cJSON *feature_stats(const mlp_column *c, const char *kind, const stats_opts *o)
{
    cJSON *feat = cJSON_CreateObject();

    if (feat == NULL)
        return NULL;
    cJSON_AddStringToObject(feat, "name", c->name);
    cJSON_AddStringToObject(feat, "column_type", mlp_col_type_name(c->type));
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
