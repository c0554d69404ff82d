/* Statistics in TFDV's form: a DatasetFeatureStatisticsList in the
 * protobuf JSON mapping (lowerCamelCase names, uint64 values as strings,
 * infinities and NaN as the strings "Infinity", "-Infinity" and "NaN"),
 * which TFDV's tools and Facets Overview read.  Only fields the proto has
 * are written: a protobuf JSON parser refuses any other. */
#include <math.h>
#include <stdio.h>
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

    if (v == NULL || cJSON_IsNull(v))
        return;
    if (isnan(x))
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
