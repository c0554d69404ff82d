/* Statistics in TFDV's form: a DatasetFeatureStatisticsList in the
 * protobuf JSON mapping (lowerCamelCase names, uint64 values as strings,
 * infinities and NaN as the strings "Infinity", "-Infinity" and "NaN"),
 * which TFDV's tools and Facets Overview read.  Only fields the proto has
 * are written: a protobuf JSON parser refuses any other. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mlpipe/mlpipe.h>

#include "tfdv.h"

static const cJSON *get(const cJSON *o, const char *k)
{
    return cJSON_GetObjectItemCaseSensitive(o, k);
}

/* A double the way the JSON mapping writes it. */
static void put_double(cJSON *o, const char *k, const cJSON *v)
{
    double x = cJSON_GetNumberValue(v);

    /* Ours writes NaN as null (JSON has no NaN); absent in TFDV's would
     * read as 0. */
    if (v == NULL)
        return;
    if (isnan(x) || cJSON_IsNull(v))
        cJSON_AddStringToObject(o, k, "NaN");
    else if (isinf(x))
        cJSON_AddStringToObject(o, k, x > 0 ? "Infinity" : "-Infinity");
    else
        cJSON_AddNumberToObject(o, k, x);
}

/* A uint64 the way the JSON mapping writes it: a decimal string. */
static void put_uint(cJSON *o, const char *k, double x)
{
    char buf[32];

    snprintf(buf, sizeof buf, "%.0f", x > 0 ? x : 0);
    cJSON_AddStringToObject(o, k, buf);
}

static cJSON *common(const cJSON *c, double values_per_row)
{
    cJSON *o = cJSON_CreateObject();
    double present = cJSON_GetNumberValue(get(c, "num_non_missing"));

    put_uint(o, "numNonMissing", present);
    put_uint(o, "numMissing", cJSON_GetNumberValue(get(c, "num_missing")));
    put_uint(o, "minNumValues", cJSON_GetNumberValue(get(c, "min_num_values")));
    put_uint(o, "maxNumValues", cJSON_GetNumberValue(get(c, "max_num_values")));
    put_double(o, "avgNumValues", get(c, "avg_num_values"));
    put_uint(o, "totNumValues", present * values_per_row);
    if (get(c, "weighted_num_non_missing")) {
        cJSON *w = cJSON_AddObjectToObject(o, "weightedCommonStats");
        put_double(w, "numNonMissing", get(c, "weighted_num_non_missing"));
        put_double(w, "numMissing", get(c, "weighted_num_missing"));
    }
    return o;
}

static cJSON *histogram(const cJSON *h)
{
    cJSON *o = cJSON_CreateObject(), *buckets = cJSON_AddArrayToObject(o, "buckets");
    const cJSON *b;

    if (get(h, "num_nan"))
        put_uint(o, "numNan", cJSON_GetNumberValue(get(h, "num_nan")));
    cJSON_ArrayForEach(b, get(h, "buckets")) {
        cJSON *x = cJSON_CreateObject();
        put_double(x, "lowValue", get(b, "low_value"));
        put_double(x, "highValue", get(b, "high_value"));
        put_double(x, "sampleCount", get(b, "sample_count"));
        cJSON_AddItemToArray(buckets, x);
    }
    cJSON_AddStringToObject(o, "type", cJSON_GetStringValue(get(h, "type"))
                            ? cJSON_GetStringValue(get(h, "type")) : "STANDARD");
    return o;
}

static cJSON *feature(const cJSON *f)
{
    cJSON *o = cJSON_CreateObject(), *s;
    const cJSON *ns = get(f, "num_stats"), *ss = get(f, "string_stats"), *x;
    const cJSON *c = get(f, "common");
    double vpr = cJSON_GetNumberValue(get(c, "max_num_values"));

    cJSON_AddStringToObject(o, "name", cJSON_GetStringValue(get(f, "name")) ?
                            cJSON_GetStringValue(get(f, "name")) : "");
    cJSON_AddStringToObject(o, "type", cJSON_GetStringValue(get(f, "type")) ?
                            cJSON_GetStringValue(get(f, "type")) : "FLOAT");
    if (ns != NULL) {
        s = cJSON_AddObjectToObject(o, "numStats");
        cJSON_AddItemToObject(s, "commonStats", common(c, vpr > 0 ? vpr : 1));
        put_double(s, "mean", get(ns, "mean"));
        put_double(s, "stdDev", get(ns, "std_dev"));
        put_uint(s, "numZeros", cJSON_GetNumberValue(get(ns, "num_zeros")));
        put_double(s, "min", get(ns, "min"));
        put_double(s, "median", get(ns, "median"));
        put_double(s, "max", get(ns, "max"));
        cJSON *hs = cJSON_AddArrayToObject(s, "histograms");
        cJSON_ArrayForEach(x, get(ns, "histograms"))
            cJSON_AddItemToArray(hs, histogram(x));
    } else if (ss != NULL) {
        s = cJSON_AddObjectToObject(o, "stringStats");
        cJSON_AddItemToObject(s, "commonStats", common(c, 1));
        put_uint(s, "unique", cJSON_GetNumberValue(get(ss, "unique")));
        cJSON *top = cJSON_AddArrayToObject(s, "topValues");
        cJSON_ArrayForEach(x, get(ss, "top_values")) {
            cJSON *t = cJSON_CreateObject();
            cJSON_AddStringToObject(t, "value", cJSON_GetStringValue(get(x, "value")) ?
                                    cJSON_GetStringValue(get(x, "value")) : "");
            put_double(t, "frequency", get(x, "frequency"));
            cJSON_AddItemToArray(top, t);
        }
        put_double(s, "avgLength", get(ss, "avg_length"));
        cJSON *rank = cJSON_AddObjectToObject(s, "rankHistogram");
        cJSON *buckets = cJSON_AddArrayToObject(rank, "buckets");
        cJSON_ArrayForEach(x, get(ss, "rank_histogram")) {
            cJSON *b = cJSON_CreateObject();
            put_uint(b, "lowRank", cJSON_GetNumberValue(get(x, "low_rank")));
            put_uint(b, "highRank", cJSON_GetNumberValue(get(x, "high_rank")));
            cJSON_AddStringToObject(b, "label", cJSON_GetStringValue(get(x, "label")) ?
                                    cJSON_GetStringValue(get(x, "label")) : "");
            put_double(b, "sampleCount", get(x, "sample_count"));
            cJSON_AddItemToArray(buckets, b);
        }
    }
    return o;
}

static cJSON *dataset(const char *name, const cJSON *split)
{
    cJSON *d = cJSON_CreateObject(), *fs;
    const cJSON *f;

    cJSON_AddStringToObject(d, "name", name);
    put_uint(d, "numExamples", cJSON_GetNumberValue(get(split, "num_examples")));
    if (get(split, "weighted_num_examples"))
        put_double(d, "weightedNumExamples", get(split, "weighted_num_examples"));
    fs = cJSON_AddArrayToObject(d, "features");
    cJSON_ArrayForEach(f, get(split, "features"))
        cJSON_AddItemToArray(fs, feature(f));
    return d;
}

cJSON *tfdv_statistics_export(const cJSON *stats)
{
    cJSON *o = cJSON_CreateObject(), *sets = cJSON_AddArrayToObject(o, "datasets");
    const cJSON *split;

    cJSON_ArrayForEach(split, get(stats, "splits")) {
        const char *sn = cJSON_GetStringValue(get(split, "name"));
        const cJSON *sl;
        cJSON_AddItemToArray(sets, dataset(sn ? sn : "", split));
        /* Slices are datasets of their own, named split:slice. */
        cJSON_ArrayForEach(sl, get(split, "slices")) {
            char name[600];
            snprintf(name, sizeof name, "%s:%s", sn ? sn : "",
                     cJSON_GetStringValue(get(sl, "name")) ?
                     cJSON_GetStringValue(get(sl, "name")) : "");
            cJSON_AddItemToArray(sets, dataset(name, sl));
        }
    }
    return o;
}

/* ------------------------------------------------------------- import */

/* A double of the JSON mapping: a number, or "NaN", "Infinity",
 * "-Infinity". */
static int get_double(const cJSON *v, double *out)
{
    if (cJSON_IsNumber(v)) {
        *out = v->valuedouble;
        return 1;
    }
    if (!cJSON_IsString(v))
        return 0;
    if (strcmp(v->valuestring, "NaN") == 0)
        *out = NAN;
    else if (strcmp(v->valuestring, "Infinity") == 0)
        *out = INFINITY;
    else if (strcmp(v->valuestring, "-Infinity") == 0)
        *out = -INFINITY;
    else {
        char *end;
        *out = strtod(v->valuestring, &end);
        return *end == '\0' && end != v->valuestring;
    }
    return 1;
}

typedef struct imp {
    const char *origin;
    char where[256];
    int bad;
} imp;

/* The counts of statistics.proto, and the uint64 fields (the other
 * numbers here are doubles). */
static const char *const counts[] = {
    "numNonMissing", "numMissing", "numExamples", "numZeros", "sampleCount",
    "unique", "frequency", "numNan", "minNumValues", "maxNumValues",
    "totNumValues", NULL
};
static const char *const uint64s[] = {
    "numNonMissing", "numMissing", "numExamples", "numZeros", "unique",
    "numNan", "minNumValues", "maxNumValues", "totNumValues", "lowRank",
    "highRank", NULL
};

static int in_list(const char *const *list, const char *field)
{
    for (; *list; list++)
        if (strcmp(*list, field) == 0)
            return 1;
    return 0;
}

static int by_string(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Copies TFDV field `from` of src to ours `to` of dst as a number (int64
 * strings included).  Absent is 0: these are proto3 scalars, which
 * MessageToJson leaves out when they are 0 (a bucket's lowValue 0, a
 * feature's min or numZeros 0).  A value that is not a number marks the
 * import bad, naming the field. */
static void num_field(imp *m, cJSON *dst, const char *to, const cJSON *src,
                      const char *from)
{
    const cJSON *v = get(src, from);
    double x = 0;

    if (m->bad)
        return;
    if (v != NULL && !get_double(v, &x)) {
        snprintf(m->where, sizeof m->where, "%s: expected a number", from);
        m->bad = 1;
        return;
    }
    /* Counts (fractional in a quantiles histogram) are never negative,
     * nor beyond what a uint64 holds (their totals must stay finite). */
    if (in_list(counts, from) && !(x >= 0 && x <= 18446744073709551615.0)) {
        snprintf(m->where, sizeof m->where, "%s: expected a count of at least 0 "
                 "and at most 2^64, got %g", from, x);
        m->bad = 1;
        return;
    }
    /* A uint64 is a whole number, in decimal digits when a string. */
    if (in_list(uint64s, from) && (x != floor(x) || (cJSON_IsString(v) &&
                                              strspn(v->valuestring, "0123456789") !=
                                              strlen(v->valuestring)))) {
        snprintf(m->where, sizeof m->where, "%s: expected a whole number, got %s%s%s",
                 from, cJSON_IsString(v) ? "\"" : "",
                 cJSON_IsString(v) ? v->valuestring : "a fraction",
                 cJSON_IsString(v) ? "\"" : "");
        m->bad = 1;
        return;
    }
    cJSON_AddItemToObject(dst, to, mlp_json_number(x));
}

/* The name listed twice in a split's features or among the splits, or
 * NULL; one would be compared against the other's figures. */
static const char *listed_twice(const cJSON *list)
{
    size_t n = (size_t)cJSON_GetArraySize(list), i = 0;
    const char **names = malloc((n ? n : 1) * sizeof *names), *dup = NULL;
    const cJSON *x;

    if (names == NULL)
        return NULL;
    cJSON_ArrayForEach(x, list)
        names[i++] = cJSON_GetStringValue(get(x, "name")) ?
                     cJSON_GetStringValue(get(x, "name")) : "";
    qsort(names, n, sizeof *names, by_string);
    for (i = 1; i < n && dup == NULL; i++)
        if (strcmp(names[i - 1], names[i]) == 0)
            dup = names[i];
    free(names);
    return dup;
}

static cJSON *import_common(imp *m, const cJSON *c)
{
    cJSON *o = cJSON_CreateObject();
    double present = 0, missing = 0;

    num_field(m, o, "num_non_missing", c, "numNonMissing");
    num_field(m, o, "num_missing", c, "numMissing");
    num_field(m, o, "min_num_values", c, "minNumValues");
    num_field(m, o, "max_num_values", c, "maxNumValues");
    num_field(m, o, "avg_num_values", c, "avgNumValues");
    get_double(get(c, "numNonMissing"), &present);
    get_double(get(c, "numMissing"), &missing);
    cJSON_AddItemToObject(o, "missing_fraction",
                          mlp_json_number(present + missing > 0 ? missing / (present + missing) : 0));
    return o;
}

/* A repeated field must be a JSON array when present: anything else
 * would silently import as nothing. */
static void want_array(imp *m, const cJSON *parent, const char *key)
{
    const cJSON *v = get(parent, key);

    if (m->bad || v == NULL || cJSON_IsArray(v))
        return;
    snprintf(m->where, sizeof m->where, "%s: expected a list", key);
    m->bad = 1;
}

static cJSON *import_feature(imp *m, const cJSON *f)
{
    cJSON *o = cJSON_CreateObject();
    const cJSON *ns = get(f, "numStats"), *ss = get(f, "stringStats"), *x, *b;
    const char *type = cJSON_GetStringValue(get(f, "type"));
    const char *name = cJSON_GetStringValue(get(f, "name"));
    char joined[512] = "";
    int was_bad = m->bad;

    /* A path of steps (TFDV's newer form) is its steps joined by dots. */
    if (name == NULL) {
        size_t k = 0;
        cJSON_ArrayForEach(x, get(get(f, "path"), "step"))
            k += (size_t)snprintf(joined + k, k < sizeof joined ? sizeof joined - k : 0,
                                  "%s%s", k ? "." : "", cJSON_GetStringValue(x) ?
                                  cJSON_GetStringValue(x) : "");
        name = joined;
    }
    cJSON_AddStringToObject(o, "name", name);
    if (*name == '\0' || (ns != NULL && ss != NULL)) {
        snprintf(m->where, sizeof m->where, *name ? "feature '%s': both numStats and "
                 "stringStats" : "a feature without a name or path%s", name);
        m->bad = 1;
        return o;
    }
    want_array(m, get(f, "path"), "step");
    want_array(m, ns, "histograms");
    want_array(m, ss, "topValues");
    want_array(m, get(ss, "rankHistogram"), "buckets");
    /* MessageToJson leaves out INT, the enum's default. */
    if (type == NULL)
        type = "INT";
    if (strcmp(type, "BYTES") == 0)
        type = "STRING";
    if (strcmp(type, "INT") != 0 && strcmp(type, "FLOAT") != 0 && strcmp(type, "STRING") != 0) {
        snprintf(m->where, sizeof m->where, "feature '%s': type %s has no counterpart "
                 "here", name, type);
        m->bad = 1;
        return o;
    }
    cJSON_AddStringToObject(o, "type", type);
    if (ns != NULL) {
        cJSON *n = cJSON_AddObjectToObject(o, "num_stats");
        cJSON_AddItemToObject(o, "common", import_common(m, get(ns, "commonStats")));
        num_field(m, n, "mean", ns, "mean");
        num_field(m, n, "std_dev", ns, "stdDev");
        num_field(m, n, "num_zeros", ns, "numZeros");
        num_field(m, n, "min", ns, "min");
        num_field(m, n, "median", ns, "median");
        num_field(m, n, "max", ns, "max");
        cJSON *hs = cJSON_AddArrayToObject(n, "histograms");
        double nan = 0;
        cJSON_ArrayForEach(x, get(ns, "histograms")) {
            cJSON *h = cJSON_CreateObject(), *bs;
            const char *ht = cJSON_GetStringValue(get(x, "type"));
            cJSON_AddStringToObject(h, "type", ht ? ht : "STANDARD");
            num_field(m, h, "num_nan", x, "numNan");
            get_double(get(x, "numNan"), &nan);
            bs = cJSON_AddArrayToObject(h, "buckets");
            want_array(m, x, "buckets");
            cJSON_ArrayForEach(b, get(x, "buckets")) {
                cJSON *y = cJSON_CreateObject();
                num_field(m, y, "low_value", b, "lowValue");
                num_field(m, y, "high_value", b, "highValue");
                num_field(m, y, "sample_count", b, "sampleCount");
                cJSON_AddItemToArray(bs, y);
                double lo = mlp_json_num(y, "low_value"), hi = mlp_json_num(y, "high_value");
                if (!m->bad && !(lo <= hi)) {
                    char l[32] = "NaN", u[32] = "NaN";
                    if (!isnan(lo))
                        snprintf(l, sizeof l, "%g", lo);
                    if (!isnan(hi))
                        snprintf(u, sizeof u, "%g", hi);
                    snprintf(m->where, sizeof m->where, "a %s bucket from %s to %s (bounds "
                             "must be numbers, low at most high)",
                             cJSON_GetStringValue(get(h, "type")), l, u);
                    m->bad = 1;
                }
            }
            cJSON_AddItemToArray(hs, h);
        }
        cJSON_AddItemToObject(n, "num_nan", mlp_json_number(nan));
    } else if (ss != NULL) {
        cJSON *s = cJSON_AddObjectToObject(o, "string_stats");
        cJSON_AddItemToObject(o, "common", import_common(m, get(ss, "commonStats")));
        num_field(m, s, "unique", ss, "unique");
        cJSON *top = cJSON_AddArrayToObject(s, "top_values");
        cJSON_ArrayForEach(x, get(ss, "topValues")) {
            cJSON *t = cJSON_CreateObject();
            cJSON_AddStringToObject(t, "value", cJSON_GetStringValue(get(x, "value")) ?
                                    cJSON_GetStringValue(get(x, "value")) : "");
            num_field(m, t, "frequency", x, "frequency");
            cJSON_AddItemToArray(top, t);
        }
        num_field(m, s, "avg_length", ss, "avgLength");
        cJSON *rank = cJSON_AddArrayToObject(s, "rank_histogram");
        cJSON_ArrayForEach(x, get(get(ss, "rankHistogram"), "buckets")) {
            cJSON *r = cJSON_CreateObject();
            num_field(m, r, "low_rank", x, "lowRank");
            num_field(m, r, "high_rank", x, "highRank");
            cJSON_AddStringToObject(r, "label", cJSON_GetStringValue(get(x, "label")) ?
                                    cJSON_GetStringValue(get(x, "label")) : "");
            num_field(m, r, "sample_count", x, "sampleCount");
            cJSON_AddItemToArray(rank, r);
        }
    } else {
        snprintf(m->where, sizeof m->where, "feature '%s': neither numStats nor "
                 "stringStats (other kinds have no counterpart here)", name);
        m->bad = 1;
    }
    /* A bad figure names its feature. */
    if (m->bad && !was_bad && strncmp(m->where, "feature '", 9) != 0) {
        char what[sizeof m->where];
        snprintf(what, sizeof what, "%s", m->where);
        snprintf(m->where, sizeof m->where, "feature '%s': %s", name, what);
    }
    return o;
}

int tfdv_statistics_import(const cJSON *tfdv, const char *origin, cJSON **out,
                           mlp_error *err)
{
    imp m = { origin, "", 0 };
    cJSON *o, *splits;
    const cJSON *d, *f;

    *out = NULL;
    if (!cJSON_IsArray(get(tfdv, "datasets")))
        return mlp_error_set(err, MLP_EFORMAT, "%s: a DatasetFeatureStatisticsList "
                             "needs \"datasets\"", origin);
    o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "version", 1);
    splits = cJSON_AddArrayToObject(o, "splits");
    cJSON_ArrayForEach(d, get(tfdv, "datasets")) {
        cJSON *s = cJSON_CreateObject(), *fs;
        const char *name = cJSON_GetStringValue(get(d, "name"));
        cJSON_AddStringToObject(s, "name", name && *name ? name : "all");
        int was_bad = m.bad;
        num_field(&m, s, "num_examples", d, "numExamples");
        want_array(&m, d, "features");
        if (m.bad && !was_bad) {
            char what[sizeof m.where];
            snprintf(what, sizeof what, "%s", m.where);
            snprintf(m.where, sizeof m.where, "dataset '%s': %s", mlp_json_str(s, "name"),
                     what);
        }
        fs = cJSON_AddArrayToObject(s, "features");
        cJSON_ArrayForEach(f, get(d, "features"))
            cJSON_AddItemToArray(fs, import_feature(&m, f));
        cJSON_AddItemToArray(splits, s);
        const char *dup = m.bad ? NULL : listed_twice(fs);
        if (dup != NULL) {
            snprintf(m.where, sizeof m.where, "dataset '%s': feature '%s' is listed "
                     "twice", mlp_json_str(s, "name"), dup);
            m.bad = 1;
        }
    }
    const char *dup = m.bad ? NULL : listed_twice(splits);
    if (dup != NULL) {
        snprintf(m.where, sizeof m.where, "two datasets are named '%s' (a dataset "
                 "without a name is 'all')", dup);
        m.bad = 1;
    }
    if (m.bad) {
        cJSON_Delete(o);
        return mlp_error_set(err, MLP_EFORMAT, "%s: %s", origin, m.where);
    }
    *out = o;
    return MLP_OK;
}
