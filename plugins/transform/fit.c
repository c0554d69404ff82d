/* Fitting the transform: which column each `features` entry takes, and
 * the analyzers (means, deviations, ranges, medians, modes, quantile
 * boundaries, vocabularies) run on the fit split.  A chain is fitted op by
 * op on the values the ops before it produce, and those values come from
 * the SDK's own mlp_tgraph_apply(): what an analyzer saw is exactly what
 * the graph will compute, here and wherever it is applied. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tf.h"

static const char *const numeric_ops[] = {
    "impute_mean", "impute_median", "impute_most_frequent", "impute_constant",
    "clip", "log", "zscore", "minmax", "bucketize", NULL
};
static const char *const text_ops[] = { "vocab", "one_hot", "hash", NULL };

static int in_list(const char *const *l, const char *s)
{
    for (int i = 0; l[i]; i++)
        if (strcmp(l[i], s) == 0)
            return 1;
    return 0;
}

static const char *const cross_keys[] = { "inputs", "buckets", "name", NULL };
static const char *const lua_keys[] = { "inputs", "outputs", "source", NULL };
static const char *const pca_keys[] = { "inputs", "components", "variance", "whiten",
                                        "name", "keep_inputs", NULL };

/* Every key of object o is one of known: a misspelt option is an error,
 * never a default quietly used instead. */
static int check_keys(const cJSON *o, const char *const *known, const char *what,
                      const char *extra, mlp_error *err)
{
    const cJSON *k;
    cJSON_ArrayForEach(k, o) {
        if (in_list(known, k->string))
            continue;
        char list[400] = "";
        for (int i = 0; known[i]; i++)
            snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "",
                     known[i]);
        return mlp_error_set(err, MLP_EINVAL, "%s: unknown option '%s' (known%s: %s)",
                             what, k->string, extra, list);
    }
    return MLP_OK;
}

/* A feature's options, and the mappers each one is for. */
static const struct { const char *key, *ops; } feature_options[] = {
    { "ops", "*" }, { "source", "*" }, { "indicator", "numeric" },
    { "fill", "impute_constant" }, { "clip_min", "clip" }, { "clip_max", "clip" },
    { "log_offset", "log" }, { "buckets", "bucketize hash" },
    { "top_k", "vocab one_hot" }, { "frequency_threshold", "vocab one_hot" },
    { "oov_buckets", "vocab one_hot" }, { NULL, NULL }
};

static int check_options(const tf_feature *ft, mlp_error *err)
{
    const cJSON *k, *o;
    cJSON_ArrayForEach(k, ft->spec) {
        int i, used = 0;
        for (i = 0; feature_options[i].key && strcmp(feature_options[i].key, k->string); i++)
            ;
        if (feature_options[i].key == NULL) {
            const char *names[16];
            int n = 0;
            for (; feature_options[n].key && n < 15; n++)
                names[n] = feature_options[n].key;
            names[n] = NULL;
            char what[300];
            snprintf(what, sizeof what, "features['%s']", ft->key);
            return check_keys(ft->spec, names, what, "", err);
        }
        const char *ops = feature_options[i].ops;
        if (strcmp(ops, "*") == 0)
            continue;
        if (strcmp(ops, "numeric") == 0) {
            used = ft->type == MLP_COL_NUMERIC;
        } else {
            for (o = cJSON_IsString(ft->ops) ? ft->ops : ft->ops->child; o;
                 o = cJSON_IsString(ft->ops) ? NULL : o->next) {
                const char *op = cJSON_GetStringValue(o), *at = op ? strstr(ops, op) : NULL;
                used |= at != NULL && (at[strlen(op)] == ' ' || at[strlen(op)] == '\0');
            }
        }
        if (!used)
            return mlp_error_set(err, MLP_EINVAL, "feature '%s': option '%s' is for %s, "
                                 "which its mappers do not include", ft->output, k->string,
                                 ops);
    }
    return MLP_OK;
}

void tf_features_free(tf_feature *feat, size_t n)
{
    for (size_t i = 0; feat && i < n; i++)
        free(feat[i].output);
    free(feat);
}

/* The ops of a features value: "op", { "op", ... } or { ops = {...}, ... }. */
static const cJSON *ops_of(const cJSON *v, const cJSON **spec)
{
    *spec = NULL;
    if (cJSON_IsString(v) || cJSON_IsArray(v))
        return v;
    if (cJSON_IsObject(v)) {
        *spec = v;
        return cJSON_GetObjectItem(v, "ops");
    }
    return NULL;
}

static int check_chain(const tf_feature *ft, mlp_error *err)
{
    const cJSON *o;
    size_t k = 0, n = cJSON_IsString(ft->ops) ? 1 : (size_t)cJSON_GetArraySize(ft->ops);
    int numeric = ft->type == MLP_COL_NUMERIC;

    if (n == 0)
        return mlp_error_set(err, MLP_EINVAL, "features['%s']: no mappers (give a "
                             "list such as { \"zscore\" })", ft->key);
    for (o = cJSON_IsString(ft->ops) ? ft->ops : ft->ops->child; o;
         o = cJSON_IsString(ft->ops) ? NULL : o->next, k++) {
        const char *op = cJSON_GetStringValue(o);
        if (op == NULL || (!in_list(numeric_ops, op) && !in_list(text_ops, op)))
            return mlp_error_set(err, MLP_EINVAL, "features['%s']: unknown mapper '%s' "
                                 "(numeric: impute_mean, impute_median, "
                                 "impute_most_frequent, impute_constant, clip, log, "
                                 "zscore, minmax, bucketize; categorical: vocab, "
                                 "one_hot, hash)", ft->key, op ? op : "?");
        if (numeric && in_list(text_ops, op) && strcmp(op, "hash") != 0)
            return mlp_error_set(err, MLP_EINVAL, "feature '%s': %s needs categories, and "
                                 "'%s' is numeric (use bucketize or hash, or ingest it "
                                 "with types = { %s = \"categorical\" })", ft->output, op,
                                 ft->column, ft->column);
        if (!numeric && in_list(numeric_ops, op))
            return mlp_error_set(err, MLP_EINVAL, "feature '%s': %s needs numbers, and "
                                 "'%s' is %s (use vocab, one_hot or hash)", ft->output, op,
                                 ft->column, mlp_col_type_name(ft->type));
        if (!numeric && n > 1)
            return mlp_error_set(err, MLP_EINVAL, "feature '%s': a %s column takes one "
                                 "mapper (vocab, one_hot or hash), not %zu", ft->output,
                                 mlp_col_type_name(ft->type), n);
        if (numeric && strcmp(op, "hash") == 0 && n > 1)
            return mlp_error_set(err, MLP_EINVAL, "feature '%s': hash takes the value "
                                 "as it is; it cannot be chained", ft->output);
        if (strncmp(op, "impute_", 7) == 0 && k > 0)
            return mlp_error_set(err, MLP_EINVAL, "feature '%s': %s must come first "
                                 "(the mappers after it see the filled values)",
                                 ft->output, op);
        if (strcmp(op, "bucketize") == 0 && k + 1 < n)
            return mlp_error_set(err, MLP_EINVAL, "feature '%s': bucketize must come "
                                 "last", ft->output);
    }
    if (!numeric && ft->type == MLP_COL_STRING) {
        const char *op = cJSON_IsString(ft->ops) ? ft->ops->valuestring
                                                 : cJSON_GetStringValue(ft->ops->child);
        if (strcmp(op, "hash") != 0)
            return mlp_error_set(err, MLP_EINVAL, "feature '%s': '%s' is free text; "
                                 "%s needs categories (ingest it as categorical, or "
                                 "use hash)", ft->output, ft->column, op);
    }
    return MLP_OK;
}

static int add_feature(tf_feature **feat, size_t *k, size_t *cap, const char *output,
                       size_t col, const char *column, mlp_col_type t, const cJSON *ops,
                       const cJSON *spec, const char *key)
{
    if (*k == *cap) {
        tf_feature *m = realloc(*feat, 2 * *cap * sizeof **feat);
        if (m == NULL)
            return MLP_ENOMEM;
        *feat = m;
        *cap *= 2;
    }
    tf_feature *ft = &(*feat)[*k];
    memset(ft, 0, sizeof *ft);
    if ((ft->output = strdup(output)) == NULL)
        return MLP_ENOMEM;
    ft->col = col;
    ft->column = column;
    ft->type = t;
    ft->ops = ops;
    ft->spec = spec;
    ft->key = key;
    (*k)++;
    return MLP_OK;
}

static ptrdiff_t col_index(mlp_table_file *f, const char *name)
{
    return mlp_table_file_find(f, name);
}

/* Outputs in the order of their columns, then by name: the graph does
 * not depend on the order a Lua table lists its keys in. */
static int by_column(const void *a, const void *b)
{
    const tf_feature *x = a, *y = b;
    if (x->col != y->col)
        return x->col < y->col ? -1 : 1;
    return strcmp(x->output, y->output);
}

static int in_names(const mlp_names *names, const char *s)
{
    return names != NULL && mlp_names_find(names, s) != SIZE_MAX;
}

int tf_resolve(mlp_table_file *f, const char *split, const cJSON *features,
               const char *label, const cJSON *dropped, tf_feature **out, size_t *n,
               mlp_error *err)
{
    size_t nc = mlp_table_file_n_cols(f), k = 0, cap = 16;
    tf_feature *feat = calloc(cap, sizeof *feat);
    const cJSON *e;
    int rc = MLP_OK;

    *out = NULL;
    *n = 0;
    if (feat == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    if (cJSON_GetArraySize(features) == 0) {
        free(feat);
        return mlp_error_set(err, MLP_EINVAL, "features: nothing to transform; name "
                             "columns (or patterns, \":numeric\") with their mappers, "
                             "e.g. features = { age = { \"zscore\" } }");
    }
    /* Indexes, so that matching every column against the entries, the
     * dropped names and the outputs so far is not quadratic. */
    mlp_names *drop = mlp_names_new(), *outs = mlp_names_new();
    const cJSON *x;
    if (drop == NULL || outs == NULL)
        rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
    cJSON_ArrayForEach(x, dropped)
        if (rc == MLP_OK && cJSON_IsString(x) &&
            mlp_names_add(drop, x->valuestring, 0, NULL) == MLP_ENOMEM)
            rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
    /* Exact names (and named outputs with a source) first. */
    cJSON_ArrayForEach(e, features) {
        if (rc != MLP_OK)
            break;
        const char *key = e->string;
        const cJSON *spec, *ops = ops_of(e, &spec);
        const char *src = spec ? cJSON_GetStringValue(cJSON_GetObjectItem(spec, "source")) : NULL;
        ptrdiff_t c;
        /* A column's exact name is that name, glob characters or not. */
        if (mlp_column_selector_is_pattern(key) && col_index(f, key) < 0) {
            if (src) {
                rc = mlp_error_set(err, MLP_EINVAL, "features['%s']: source names one "
                                   "column; a pattern takes its columns by name", key);
                break;
            }
            continue;
        }
        if ((c = col_index(f, src ? src : key)) < 0) {
            rc = mlp_error_set(err, MLP_EINVAL, "features['%s']: %s'%s' is no column of "
                               "split '%s'", key, src ? "source " : "", src ? src : key, split);
            break;
        }
        if (in_names(drop, src ? src : key)) {
            rc = mlp_error_set(err, MLP_EINVAL, "features['%s']: the feature selection "
                               "dropped '%s' (see its reason there); leave it out, or "
                               "select again", key, src ? src : key);
            break;
        }
        if (!src && strcmp(key, label) == 0) {
            rc = mlp_error_set(err, MLP_EINVAL, "features['%s']: that is the label, which "
                               "passes through as it is; to transform a copy, give it "
                               "another name and source = \"%s\"", key, key);
            break;
        }
        if ((rc = add_feature(&feat, &k, &cap, key, (size_t)c, mlp_table_file_col_name(f, (size_t)c),
                              mlp_table_file_col_type(f, (size_t)c), ops, spec, key)) != MLP_OK ||
            mlp_names_add(outs, feat[k - 1].output, k - 1, NULL) == MLP_ENOMEM) {
            rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
            break;
        }
    }
    /* Then patterns: each numeric or categorical column not already an
     * output, taken by exactly one pattern. */
    size_t exact = k;
    cJSON_ArrayForEach(e, features) {
        const char *key = e->string;
        const cJSON *spec, *ops = ops_of(e, &spec);
        size_t hits = 0;
        if (rc != MLP_OK || !mlp_column_selector_is_pattern(key) || col_index(f, key) >= 0)
            continue;
        for (size_t i = 0; i < nc && rc == MLP_OK; i++) {
            const char *name = mlp_table_file_col_name(f, i);
            mlp_col_type t = mlp_table_file_col_type(f, i);
            int taken = 0;
            if (!mlp_column_selected(key, name, t) || strcmp(name, label) == 0 ||
                in_names(drop, name) ||
                (t == MLP_COL_STRING && strcmp(key, ":string") != 0) || t == MLP_COL_MATRIX)
                continue;
            hits++;
            size_t j = mlp_names_find(outs, name);
            if (j != SIZE_MAX) {
                if (j >= exact)
                    rc = mlp_error_set(err, MLP_EINVAL, "column '%s' is taken by both "
                                       "features['%s'] and features['%s']: say which "
                                       "with an entry of its own", name, feat[j].key, key);
                taken = 1;
            }
            if (!taken && rc == MLP_OK &&
                (add_feature(&feat, &k, &cap, name, i, name, t, ops, spec, key) != MLP_OK ||
                 mlp_names_add(outs, feat[k - 1].output, k - 1, NULL) == MLP_ENOMEM))
                rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
        }
        if (rc == MLP_OK && hits == 0 && key[0] != ':')
            rc = mlp_error_set(err, MLP_EINVAL, "features['%s']: the pattern matches no "
                               "column of split '%s'", key, split);
    }
    mlp_names_free(drop);
    mlp_names_free(outs);
    for (size_t i = 0; i < k && rc == MLP_OK; i++) {
        rc = check_chain(&feat[i], err);
        if (rc == MLP_OK)
            rc = check_options(&feat[i], err);
    }
    if (rc != MLP_OK) {
        tf_features_free(feat, k);
        return rc;
    }
    qsort(feat, k, sizeof *feat, by_column);
    *out = feat;
    *n = k;
    return MLP_OK;
}

/* ---- fitting ---------------------------------------------------------- */

static double opt_num(const cJSON *spec, const char *k, double dflt)
{
    const cJSON *v = cJSON_GetObjectItem(spec, k);
    return cJSON_IsNumber(v) ? v->valuedouble : dflt;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The present values of x (owned), sorted when asked, their count, the
 * smallest and the largest (+inf and -inf when none), and whether one is
 * infinite -- in one pass. */
static double *present_values(const double *x, size_t n, int sorted, size_t *m, double *lo,
                              double *hi, int *inf)
{
    double *v = malloc((n > 0 ? n : 1) * sizeof *v), a = INFINITY, b = -INFINITY;
    size_t k = 0;

    *m = 0;
    if (v == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        double y = x[i];
        if (isnan(y))
            continue;
        v[k++] = y;
        a = y < a ? y : a;
        b = y > b ? y : b;
    }
    *m = k;
    *lo = a;
    *hi = b;
    *inf = isinf(a) || isinf(b);
    if (sorted)
        qsort(v, k, sizeof *v, cmp_double);
    return v;
}

/* The k-th smallest of v[0..m) (from 0), leaving smaller values before
 * position k and larger after (Hoare's selection). */
/* Mean and population standard deviation of v[0..m), m > 0: on the
 * values scaled by a power of two that brings the largest near 1 (exact,
 * and no sum of 1e308s overflows, no square of 1e-200s underflows), sums
 * of the distances from the first value, then the corrected two-pass
 * formula (Chan, Golub and LeVeque), so values far from zero (1e12 +
 * small spreads) keep their digits where a plain sum would lose dozens of
 * ulps. */
/* Neumaier's compensated sum: s + e holds what s alone would round away
 * when large values of both signs cancel (1e16, -1e16, 1, 3). */
static void add_comp(double *s, double *e, double x)
{
    double t = *s + x;
    *e += fabs(*s) >= fabs(x) ? (*s - t) + x : (x - t) + *s;
    *s = t;
}

static void mean_sd(const double *v, size_t m, double *mean, double *sd)
{
    double amax = 0, sc, x0, s = 0, se = 0, c = 0, ce = 0, ss = 0;

    for (size_t i = 0; i < m; i++)
        amax = fabs(v[i]) > amax ? fabs(v[i]) : amax;
    sc = mlp_spread_scale(amax);
    x0 = v[0] * sc;
    for (size_t i = 0; i < m; i++)
        add_comp(&s, &se, v[i] * sc - x0);
    *mean = x0 + (s + se) / (double)m;
    for (size_t i = 0; i < m; i++) {
        double d = v[i] * sc - *mean;
        add_comp(&c, &ce, d);
        ss += d * d;
    }
    c += ce;
    *mean += c / (double)m;
    *sd = sqrt((ss - c * c / (double)m) / (double)m) / sc;
    *mean /= sc;
}

/* numpy.quantile's default (linear interpolation) of sorted v[0..m). */
static double quantile(const double *v, size_t m, double q)
{
    double pos = q * (double)(m - 1), lo = floor(pos);
    size_t i = (size_t)lo;
    return i + 1 < m ? v[i] + (v[i + 1] - v[i]) * (pos - lo) : v[m - 1];
}

/* Fits one numeric op on the values x[0..n) it will see. */
static int fit_op(const tf_feature *ft, const char *op, const double *x, size_t n,
                  cJSON *json, mlp_error *err)
{
    const cJSON *spec = ft->spec;
    size_t m = 0;
    /* Only the median, the mode and quantiles need the values in order. */
    int order = strcmp(op, "impute_most_frequent") == 0 || strcmp(op, "bucketize") == 0;
    double lo, hi;
    int inf;
    double *v = present_values(x, n, order, &m, &lo, &hi, &inf);
    int rc = MLP_OK;

    if (v == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    if (m == 0 && strcmp(op, "impute_constant") != 0 && strcmp(op, "clip") != 0 &&
        strcmp(op, "log") != 0) {
        free(v);
        return mlp_error_set(err, MLP_EINVAL, "feature '%s': no value to fit %s on "
                             "(%s)", ft->output, op, n == 0 ? "the fit split has no rows"
                             : "every row of the fit split is missing");
    }
    if (inf && strcmp(op, "clip") != 0 && strcmp(op, "log") != 0) {
        free(v);
        return mlp_error_set(err, MLP_EINVAL, "feature '%s': %s cannot be fitted on "
                             "infinite values; clip them first", ft->output, op);
    }
    if (strncmp(op, "impute_", 7) == 0) {
        double fill = 0;
        if (strcmp(op, "impute_mean") == 0) {
            double sd;
            mean_sd(v, m, &fill, &sd);
        } else if (strcmp(op, "impute_median") == 0) {
            /* The middle one or two values, by selection: no full sort.
             * Their mean as (a + b) / 2, as numpy.median takes it. */
            size_t mid[2] = { (m - 1) / 2, m / 2 };
            mlp_select_ranks(v, m, mid, mid[0] == mid[1] ? 1 : 2);
            fill = m % 2 ? v[m / 2] : (v[mid[0]] + v[mid[1]]) / 2;
        } else if (strcmp(op, "impute_most_frequent") == 0) {
            /* The most frequent value, the smallest of equals (as
             * scikit-learn's SimpleImputer). */
            size_t best = 0;
            for (size_t i = 0, j; i < m; i = j) {
                for (j = i; j < m && v[j] == v[i]; j++)
                    ;
                if (j - i > best) {
                    best = j - i;
                    fill = v[i];
                }
            }
        } else {
            fill = opt_num(spec, "fill", 0);
        }
        cJSON_AddStringToObject(json, "op", "impute");
        cJSON_AddItemToObject(json, "value", mlp_json_number(fill));
        cJSON_AddStringToObject(json, "fitted_as", op);
    } else if (strcmp(op, "clip") == 0) {
        double lo = opt_num(spec, "clip_min", -INFINITY), hi = opt_num(spec, "clip_max", INFINITY);
        if (!(lo <= hi) || (isinf(lo) && isinf(hi)))
            rc = mlp_error_set(err, MLP_EINVAL, "feature '%s': clip needs clip_min and/or "
                               "clip_max (min <= max)", ft->output);
        cJSON_AddStringToObject(json, "op", "clip");
        if (isfinite(lo))
            cJSON_AddItemToObject(json, "min", mlp_json_number(lo));
        if (isfinite(hi))
            cJSON_AddItemToObject(json, "max", mlp_json_number(hi));
    } else if (strcmp(op, "log") == 0) {
        cJSON_AddStringToObject(json, "op", "log");
        cJSON_AddItemToObject(json, "offset", mlp_json_number(opt_num(spec, "log_offset", 1)));
    } else if (strcmp(op, "zscore") == 0) {
        double mean, sd;
        mean_sd(v, m, &mean, &sd);
        if (!isfinite(mean) || !isfinite(sd)) {
            free(v);
            return mlp_error_set(err, MLP_EINVAL, "feature '%s': zscore: the values' "
                                 "%s overflows (values near %g); clip or log them first",
                                 ft->output, isfinite(mean) ? "variance" : "mean",
                                 hi > -lo ? hi : lo);
        }
        cJSON_AddStringToObject(json, "op", "zscore");
        /* A constant (every value the same, whatever rounding makes of the
         * mean) is centred on itself and scaled by 1, as StandardScaler. */
        cJSON_AddItemToObject(json, "mean", mlp_json_number(lo == hi ? lo : mean));
        cJSON_AddItemToObject(json, "std", mlp_json_number(lo == hi || !(sd > 0) ? 1 : sd));
    } else if (strcmp(op, "minmax") == 0) {
        if (!isfinite(hi - lo)) {
            free(v);
            return mlp_error_set(err, MLP_EINVAL, "feature '%s': minmax: the range "
                                 "overflows (from %g to %g); clip or log the values first",
                                 ft->output, lo, hi);
        }
        cJSON_AddStringToObject(json, "op", "minmax");
        cJSON_AddItemToObject(json, "min", mlp_json_number(lo));
        cJSON_AddItemToObject(json, "range", mlp_json_number(hi > lo ? hi - lo : 1));
    } else { /* bucketize: boundaries at the quantiles k/B */
        double b = opt_num(spec, "buckets", 10);
        if (!(b >= 2 && b <= 10000 && b == floor(b))) {
            free(v);
            return mlp_error_set(err, MLP_EINVAL, "feature '%s': buckets is an integer "
                                 "2 .. 10000", ft->output);
        }
        cJSON *arr = cJSON_CreateArray();
        double last = v[0];
        /* As KBinsDiscretizer: bins of no width are dropped, so a boundary
         * lies strictly between the smallest and the largest value (a
         * repeated minimum is bucket 0, a constant one bucket). */
        for (size_t k = 1; k < (size_t)b; k++) {
            double q = quantile(v, m, (double)k / b);
            if (q > last && q < v[m - 1])
                cJSON_AddItemToArray(arr, mlp_json_number(last = q));
        }
        cJSON_AddStringToObject(json, "op", "bucketize");
        cJSON_AddItemToObject(json, "boundaries", arr);
    }
    free(v);
    return rc;
}

/* x <- the op applied to x, through the SDK. */
static int apply_op(const cJSON *op, double *x, size_t n, mlp_error *err)
{
    cJSON *doc = cJSON_CreateObject(), *ins, *steps, *st, *outs;
    mlp_tgraph *g = NULL;
    mlp_table *t = mlp_table_new(n), *o = NULL;
    int rc;

    cJSON_AddStringToObject(doc, "format", MLP_TGRAPH_FORMAT);
    cJSON_AddNumberToObject(doc, "version", MLP_TGRAPH_VERSION);
    ins = cJSON_AddArrayToObject(doc, "inputs");
    cJSON *in = cJSON_CreateObject();
    cJSON_AddStringToObject(in, "name", "v");
    cJSON_AddStringToObject(in, "type", "numeric");
    cJSON_AddItemToArray(ins, in);
    cJSON_AddArrayToObject(doc, "passthrough");
    steps = cJSON_AddArrayToObject(doc, "steps");
    st = cJSON_CreateObject();
    cJSON_AddStringToObject(st, "kind", "numeric");
    cJSON_AddStringToObject(st, "input", "v");
    cJSON_AddStringToObject(st, "output", "w");
    cJSON_AddItemToArray(cJSON_AddArrayToObject(st, "ops"), cJSON_Duplicate(op, 1));
    cJSON_AddItemToArray(steps, st);
    outs = cJSON_AddArrayToObject(doc, "outputs");
    cJSON_AddItemToArray(outs, cJSON_CreateString("w"));
    rc = t ? mlp_table_add_numeric(t, "v", x, NULL, err)
           : mlp_error_set(err, MLP_ENOMEM, "out of memory");
    if (rc == MLP_OK)
        rc = mlp_tgraph_parse(doc, "fitting", &g, err);
    if (rc == MLP_OK)
        rc = mlp_tgraph_apply(g, t, &o, err);
    if (rc == MLP_OK)
        memcpy(x, mlp_table_column(o, 0)->num, n * sizeof *x);
    mlp_table_free(o);
    mlp_table_free(t);
    mlp_tgraph_free(g);
    cJSON_Delete(doc);
    return rc;
}

static int fit_numeric(mlp_table_file *f, const tf_feature *ft, size_t col, cJSON *steps,
                       cJSON *outputs, mlp_error *err)
{
    cJSON *st = cJSON_CreateObject(), *ops;
    double *x = NULL;
    size_t n = 0;
    const cJSON *o;
    int rc = mlp_table_file_numbers(f, col, &x, &n, err);

    if (rc != MLP_OK) {
        cJSON_Delete(st);
        return rc;
    }
    cJSON_AddStringToObject(st, "kind", "numeric");
    cJSON_AddStringToObject(st, "input", ft->column);
    ops = cJSON_AddArrayToObject(st, "ops");
    for (o = cJSON_IsString(ft->ops) ? ft->ops : ft->ops->child; o && rc == MLP_OK;
         o = cJSON_IsString(ft->ops) ? NULL : o->next) {
        cJSON *fitted = cJSON_CreateObject();
        rc = fit_op(ft, o->valuestring, x, n, fitted, err);
        if (rc == MLP_OK && !cJSON_IsString(ft->ops) && o->next)
            rc = apply_op(fitted, x, n, err);
        cJSON_AddItemToArray(ops, fitted);
    }
    mlp_free(x);
    int ind = cJSON_IsTrue(cJSON_GetObjectItem(ft->spec, "indicator"));
    if (ind) {
        char name[512];
        cJSON *outs = cJSON_AddArrayToObject(st, "outputs");
        snprintf(name, sizeof name, "%s_missing", ft->output);
        cJSON_AddItemToArray(outs, cJSON_CreateString(ft->output));
        cJSON_AddItemToArray(outs, cJSON_CreateString(name));
        cJSON_AddTrueToObject(st, "indicator");
        cJSON_AddItemToArray(outputs, cJSON_CreateString(ft->output));
        cJSON_AddItemToArray(outputs, cJSON_CreateString(name));
    } else {
        cJSON_AddStringToObject(st, "output", ft->output);
        cJSON_AddItemToArray(outputs, cJSON_CreateString(ft->output));
    }
    cJSON_AddItemToArray(steps, st);
    return rc;
}

typedef struct level {
    const char *s;
    size_t len, count;
} level;

static int by_count(const void *a, const void *b)
{
    const level *x = a, *y = b;
    if (x->count != y->count)
        return x->count < y->count ? 1 : -1;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->s, y->s, n);
    return c ? c : (x->len > y->len) - (x->len < y->len);
}

/* vocab and one_hot: the levels by frequency (then by value), the top_k
 * with at least frequency_threshold rows. */
static int fit_vocab(mlp_table_file *f, const tf_feature *ft, size_t col, const char *op,
                     cJSON *steps, cJSON *outputs, mlp_error *err)
{
    mlp_table *t = NULL;
    int rc = mlp_table_file_column(f, col, &t, err);
    const mlp_column *c;
    level *lv;
    double top_k = opt_num(ft->spec, "top_k", 0), thr = opt_num(ft->spec, "frequency_threshold", 1);
    double oov = opt_num(ft->spec, "oov_buckets", 0);

    if (rc != MLP_OK)
        return rc;
    if (!(top_k >= 0 && top_k == floor(top_k)) || !(thr >= 1) || !(oov >= 0 && oov <= 1e6 && oov == floor(oov))) {
        mlp_table_free(t);
        return mlp_error_set(err, MLP_EINVAL, "feature '%s': top_k (0: all) and "
                             "oov_buckets are integers >= 0, frequency_threshold >= 1",
                             ft->output);
    }
    c = mlp_table_column(t, 0);
    lv = calloc(c->n_levels + 1, sizeof *lv);
    if (lv == NULL) {
        mlp_table_free(t);
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    }
    for (size_t k = 0; k < c->n_levels; k++)
        lv[k].s = mlp_column_level(c, k, &lv[k].len);
    for (size_t r = 0; r < c->n_rows; r++)
        if (c->codes[r] >= 0)
            lv[c->codes[r]].count++;
    qsort(lv, c->n_levels, sizeof *lv, by_count);
    cJSON *st = cJSON_CreateObject(), *vocab, *counts;
    cJSON_AddStringToObject(st, "kind", "vocab");
    cJSON_AddStringToObject(st, "input", ft->column);
    vocab = cJSON_AddArrayToObject(st, "vocab");
    counts = cJSON_AddArrayToObject(st, "counts");
    size_t kept = 0;
    for (size_t k = 0; k < c->n_levels; k++) {
        if ((top_k > 0 && (double)kept >= top_k) || (double)lv[k].count < thr)
            break;
        char *s = malloc(lv[k].len + 1);
        if (s == NULL) {
            rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
            break;
        }
        memcpy(s, lv[k].s, lv[k].len);
        s[lv[k].len] = '\0';
        cJSON_AddItemToArray(vocab, cJSON_CreateString(s));
        cJSON_AddItemToArray(counts, mlp_json_int((int64_t)lv[k].count));
        free(s);
        kept++;
    }
    cJSON_AddNumberToObject(st, "oov_buckets", oov);
    if (rc == MLP_OK && kept == 0 && (strcmp(op, "one_hot") == 0 || oov == 0)) {
        rc = mlp_error_set(err, MLP_EINVAL, "feature '%s': the vocabulary is empty (%s); "
                           "lower frequency_threshold or add oov_buckets", ft->output,
                           c->n_levels == 0 ? "no value in the fit split"
                           : "no value has frequency_threshold rows");
    }
    if (rc == MLP_OK && strcmp(op, "one_hot") == 0) {
        cJSON *outs = cJSON_AddArrayToObject(st, "outputs");
        const cJSON *v;
        char name[1024];
        cJSON_AddTrueToObject(st, "one_hot");
        cJSON_ArrayForEach(v, vocab) {
            snprintf(name, sizeof name, "%s=%s", ft->output, v->valuestring);
            cJSON_AddItemToArray(outs, cJSON_CreateString(name));
        }
        for (size_t k = 0; k < (size_t)oov; k++) {
            snprintf(name, sizeof name, "%s=<oov%zu>", ft->output, k + 1);
            cJSON_ArrayForEach(v, vocab)
                if (strcmp(v->valuestring, name + strlen(ft->output) + 1) == 0)
                    rc = mlp_error_set(err, MLP_EINVAL, "feature '%s': the value '%s' "
                                       "would name the same column as out-of-vocabulary "
                                       "bucket %zu", ft->output, v->valuestring, k + 1);
            cJSON_AddItemToArray(outs, cJSON_CreateString(name));
        }
        cJSON_ArrayForEach(v, outs)
            cJSON_AddItemToArray(outputs, cJSON_CreateString(v->valuestring));
    } else {
        cJSON_AddStringToObject(st, "output", ft->output);
        cJSON_AddItemToArray(outputs, cJSON_CreateString(ft->output));
    }
    cJSON_AddItemToArray(steps, st);
    free(lv);
    mlp_table_free(t);
    return rc;
}

static int add_hash(const tf_feature *ft, cJSON *steps, cJSON *outputs, mlp_error *err)
{
    double b = opt_num(ft->spec, "buckets", 0);
    if (!(b >= 1 && b <= 1e9 && b == floor(b)))
        return mlp_error_set(err, MLP_EINVAL, "feature '%s': hash needs buckets, an "
                             "integer 1 .. 1e9", ft->output);
    cJSON *st = cJSON_CreateObject();
    cJSON_AddStringToObject(st, "kind", "hash");
    cJSON_AddStringToObject(st, "input", ft->column);
    cJSON_AddNumberToObject(st, "buckets", b);
    cJSON_AddStringToObject(st, "output", ft->output);
    cJSON_AddItemToArray(outputs, cJSON_CreateString(ft->output));
    cJSON_AddItemToArray(steps, st);
    return MLP_OK;
}

/* The graph's raw inputs, each once; `seen` finds a name among them
 * without a scan (names borrowed from the file or the parameters). */
typedef struct input_list {
    cJSON *arr;
    mlp_names *seen;
} input_list;

static int add_input(input_list *in, const char *name, mlp_col_type t)
{
    int rc = mlp_names_add(in->seen, name, 0, NULL);
    if (rc == MLP_EEXIST)
        return MLP_OK;
    if (rc != MLP_OK)
        return rc;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", name);
    cJSON_AddStringToObject(o, "type", mlp_col_type_name(t));
    cJSON_AddItemToArray(in->arr, o);
    return MLP_OK;
}

/* Crosses and Lua mappers read raw columns by name. */
static int raw_inputs(mlp_table_file *f, const char *split, const char *what,
                      const char *label, const cJSON *names, input_list *inputs,
                      cJSON *step, mlp_error *err)
{
    cJSON *arr = cJSON_AddArrayToObject(step, "inputs");
    const cJSON *x;
    if (cJSON_GetArraySize(names) == 0)
        return mlp_error_set(err, MLP_EINVAL, "%s: needs inputs, a list of columns", what);
    cJSON_ArrayForEach(x, names) {
        ptrdiff_t c = cJSON_IsString(x) ? col_index(f, x->valuestring) : -1;
        if (c < 0)
            return mlp_error_set(err, MLP_EINVAL, "%s: '%s' is no column of split '%s'",
                                 what, cJSON_IsString(x) ? x->valuestring : "?", split);
        /* Serving rows have no label: a feature made from it would leak it
         * into training and fail at serving. */
        if (strcmp(x->valuestring, label) == 0)
            return mlp_error_set(err, MLP_EINVAL, "%s: '%s' is the label; a feature "
                                 "cannot be made from it", what, label);
        if (add_input(inputs, x->valuestring, mlp_table_file_col_type(f, (size_t)c)) != MLP_OK)
            return mlp_error_set(err, MLP_ENOMEM, "out of memory");
        cJSON_AddItemToArray(arr, cJSON_CreateString(x->valuestring));
    }
    return MLP_OK;
}

/* PCA of the outputs the `inputs` selectors take (all by default), as the
 * last step; the components replace their inputs among the outputs
 * unless keep_inputs. */
static int add_pca(mlp_table_file *f, const mlp_artifact *ex, const char *split, cJSON *doc,
                   const cJSON *spec, mlp_error *err)
{
    cJSON *outputs = cJSON_GetObjectItem(doc, "outputs"), *st, *ins;
    const cJSON *sel = cJSON_GetObjectItem(spec, "inputs"), *x, *e;
    const char *base = cJSON_IsString(cJSON_GetObjectItem(spec, "name"))
                       ? mlp_json_str(spec, "name") : "pc";
    size_t p = 0, n = (size_t)cJSON_GetArraySize(outputs);
    const char **cols = calloc(n + 1, sizeof *cols);
    mlp_tgraph *partial = NULL;
    int rc;

    if (cols == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    if ((rc = check_keys(spec, pca_keys, "pca", "", err)) != MLP_OK) {
        free(cols);
        return rc;
    }
    cJSON_ArrayForEach(x, outputs) {
        int take = cJSON_GetArraySize(sel) == 0;
        cJSON_ArrayForEach(e, sel)
            take |= cJSON_IsString(e) && mlp_column_selected(e->valuestring, x->valuestring,
                                                              MLP_COL_NUMERIC);
        if (take)
            cols[p++] = x->valuestring;
    }
    cJSON_ArrayForEach(e, sel) {
        int hit = 0;
        cJSON_ArrayForEach(x, outputs)
            hit |= cJSON_IsString(e) && mlp_column_selected(e->valuestring, x->valuestring,
                                                             MLP_COL_NUMERIC);
        if (!hit) {
            free(cols);
            return mlp_error_set(err, MLP_EINVAL, "pca: inputs entry '%s' takes none of "
                                 "the transform's outputs (PCA reads transformed features)",
                                 cJSON_IsString(e) ? e->valuestring : "?");
        }
    }
    if (p == 0) {
        free(cols);
        return mlp_error_set(err, MLP_EINVAL, "pca: no transformed feature to project");
    }
    rc = mlp_tgraph_parse(doc, "the transform graph before PCA", &partial, err);
    st = cJSON_CreateObject();
    cJSON_AddStringToObject(st, "kind", "pca");
    ins = cJSON_AddArrayToObject(st, "inputs");
    for (size_t j = 0; j < p; j++)
        cJSON_AddItemToArray(ins, cJSON_CreateString(cols[j]));
    if (rc == MLP_OK)
        rc = tf_fit_pca(f, ex, split, partial, cols, p, spec, st, err);
    mlp_tgraph_free(partial);
    if (rc == MLP_OK) {
        cJSON *outs = cJSON_AddArrayToObject(st, "outputs");
        char name[512];
        int k = cJSON_GetArraySize(cJSON_GetObjectItem(st, "components"));
        mlp_names *taken = cJSON_IsTrue(cJSON_GetObjectItem(spec, "keep_inputs"))
                           ? NULL : mlp_names_new();
        for (size_t j = 0; taken && j < p; j++)
            if (mlp_names_add(taken, cols[j], j, NULL) == MLP_ENOMEM)
                rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
        /* The index borrows the outputs' strings: they go after it. */
        cJSON *gone = cJSON_CreateArray();
        for (cJSON *o = outputs->child, *next; taken && gone && rc == MLP_OK && o; o = next) {
            next = o->next;
            if (mlp_names_find(taken, o->valuestring) != SIZE_MAX)
                cJSON_AddItemToArray(gone, cJSON_DetachItemViaPointer(outputs, o));
        }
        mlp_names_free(taken);
        cJSON_Delete(gone);
        for (int c = 0; c < k; c++) {
            snprintf(name, sizeof name, "%s%d", base, c + 1);
            cJSON_AddItemToArray(outs, cJSON_CreateString(name));
            cJSON_AddItemToArray(outputs, cJSON_CreateString(name));
        }
        cJSON_AddItemToArray(cJSON_GetObjectItem(doc, "steps"), st);
    } else {
        cJSON_Delete(st);
    }
    free(cols);
    return rc;
}

typedef struct fit_job {
    mlp_table_file *f;
    const tf_feature *feat;
    cJSON **steps, **outs;  /* per feature */
    int *rc;
    mlp_error *err;
} fit_job;

static void fit_one(void *arg, size_t i, int worker)
{
    fit_job *jb = arg;
    const tf_feature *ft = &jb->feat[i];
    size_t col = ft->col;
    const char *op = cJSON_IsString(ft->ops) ? ft->ops->valuestring
                                             : cJSON_GetStringValue(ft->ops->child);
    (void)worker;
    if (strcmp(op, "hash") == 0)
        jb->rc[i] = add_hash(ft, jb->steps[i], jb->outs[i], &jb->err[i]);
    else if (ft->type == MLP_COL_NUMERIC)
        jb->rc[i] = fit_numeric(jb->f, ft, col, jb->steps[i], jb->outs[i], &jb->err[i]);
    else
        jb->rc[i] = fit_vocab(jb->f, ft, col, op, jb->steps[i], jb->outs[i], &jb->err[i]);
}

static int by_key(const void *a, const void *b)
{
    return strcmp((*(const cJSON *const *)a)->string, (*(const cJSON *const *)b)->string);
}

int tf_fit(mlp_table_file *f, const char *split, const tf_feature *feat, size_t n,
           const tf_fit_opts *o, cJSON **graph, mlp_error *err)
{
    cJSON *doc = cJSON_CreateObject(), *inputs, *pass, *steps, *outputs;
    const cJSON *x;
    int rc = MLP_OK;

    cJSON_AddStringToObject(doc, "format", MLP_TGRAPH_FORMAT);
    cJSON_AddNumberToObject(doc, "version", MLP_TGRAPH_VERSION);
    cJSON_AddStringToObject(doc, "fitted_on", split);
    inputs = cJSON_AddArrayToObject(doc, "inputs");
    input_list ins_list = { inputs, mlp_names_new() };
    if (ins_list.seen == NULL) {
        cJSON_Delete(doc);
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    }
    pass = cJSON_AddArrayToObject(doc, "passthrough");
    if (*o->label)
        cJSON_AddItemToArray(pass, cJSON_CreateString(o->label));
    /* A label model's class probabilities travel with the label, so a
     * trainer after the transform can take them as soft targets. */
    const char *proba = mlp_json_str(mlp_artifact_property(o->examples, "label_probabilities"),
                                     "column");
    int listed = 0;
    cJSON_ArrayForEach(x, o->passthrough)
        listed |= strcmp(x->valuestring, proba) == 0;
    if (*proba && !listed && col_index(f, proba) >= 0)
        cJSON_AddItemToArray(pass, cJSON_CreateString(proba));
    cJSON_ArrayForEach(x, o->passthrough) {
        if (col_index(f, x->valuestring) < 0) {
            cJSON_Delete(doc);
            mlp_names_free(ins_list.seen);
            return mlp_error_set(err, MLP_EINVAL, "passthrough: '%s' is no column of "
                                 "split '%s'", x->valuestring, split);
        }
        cJSON_AddItemToArray(pass, cJSON_CreateString(x->valuestring));
    }
    /* Crosses and Lua mappers read raw columns, so they come first: a
     * feature's output may take its column's name and then replaces it
     * for the steps after.  Outputs list the features first. */
    cJSON *early = cJSON_CreateArray(), *early_out = cJSON_CreateArray();
    steps = cJSON_AddArrayToObject(doc, "steps");
    outputs = cJSON_AddArrayToObject(doc, "outputs");
    /* Features are fitted on several threads, each into its own step and
     * outputs; the document is put together in order afterwards. */
    cJSON **fouts = calloc(n + 1, sizeof *fouts), **fsteps = calloc(n + 1, sizeof *fsteps);
    fit_job job = { f, feat, fsteps, fouts, calloc(n + 1, sizeof(int)),
                    calloc(n + 1, sizeof(mlp_error)) };
    if (fouts == NULL || fsteps == NULL || job.rc == NULL || job.err == NULL)
        rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
    for (size_t i = 0; rc == MLP_OK && i < n; i++) {
        if (add_input(&ins_list, feat[i].column, feat[i].type) != MLP_OK)
            rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
        fsteps[i] = cJSON_CreateArray();
        fouts[i] = cJSON_CreateArray();
    }
    if (rc == MLP_OK)
        mlp_parallel_for(n, o->threads, fit_one, &job);
    for (size_t i = 0; rc == MLP_OK && i < n; i++)
        if (job.rc[i] != MLP_OK) {
            *err = job.err[i];
            rc = job.rc[i];
        }
    /* A feature whose output takes its column's name replaces the column
     * for every step after it: those steps come last, once every other
     * step has read the raw column.  Outputs stay in feature order. */
    for (int late = 0; late < 2 && rc == MLP_OK; late++)
        for (size_t i = 0; i < n; i++)
            if ((strcmp(feat[i].output, feat[i].column) == 0) == late)
                while (fsteps[i]->child)
                    cJSON_AddItemToArray(steps, cJSON_DetachItemFromArray(fsteps[i], 0));
    for (size_t i = 0; fsteps && i < n; i++)
        cJSON_Delete(fsteps[i]);
    free(fsteps);
    free(job.rc);
    free(job.err);
    for (size_t i = 0; fouts && i < n; i++) {
        while (fouts[i] && fouts[i]->child)
            cJSON_AddItemToArray(outputs, cJSON_DetachItemFromArray(fouts[i], 0));
        cJSON_Delete(fouts[i]);
    }
    free(fouts);
    cJSON_ArrayForEach(x, o->crosses) {
        if (rc != MLP_OK)
            break;
        const cJSON *in = cJSON_GetObjectItem(x, "inputs"), *v;
        double b = opt_num(x, "buckets", 0);
        char name[1024] = "";
        if (cJSON_GetArraySize(in) < 2 || !(b >= 1 && b <= 1e9 && b == floor(b))) {
            rc = mlp_error_set(err, MLP_EINVAL, "crosses: each cross needs inputs (two "
                               "or more columns) and buckets (an integer 1 .. 1e9)");
            break;
        }
        cJSON *st = cJSON_CreateObject();
        cJSON_AddStringToObject(st, "kind", "cross");
        rc = check_keys(x, cross_keys, "crosses", "", err);
        if (rc == MLP_OK)
            rc = raw_inputs(f, split, "crosses", o->label, in, &ins_list, st, err);
        cJSON_AddNumberToObject(st, "buckets", b);
        if (cJSON_IsString(cJSON_GetObjectItem(x, "name")))
            snprintf(name, sizeof name, "%s", mlp_json_str(x, "name"));
        else
            cJSON_ArrayForEach(v, in)
                snprintf(name + strlen(name), sizeof name - strlen(name), "%s%s",
                         *name ? "_x_" : "", cJSON_GetStringValue(v) ? v->valuestring : "");
        cJSON_AddStringToObject(st, "output", name);
        cJSON_AddItemToArray(early_out, cJSON_CreateString(name));
        cJSON_AddItemToArray(early, st);
    }
    /* Lua mappers in the order of their names. */
    size_t nl = (size_t)cJSON_GetArraySize(o->lua), li = 0;
    const cJSON **lua = calloc(nl + 1, sizeof *lua);
    cJSON_ArrayForEach(x, o->lua)
        if (lua)
            lua[li++] = x;
    if (lua)
        qsort(lua, nl, sizeof *lua, by_key);
    else if (nl)
        rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
    for (li = 0; lua && li < nl && rc == MLP_OK; li++) {
        x = lua[li];
        const cJSON *outs = cJSON_GetObjectItem(x, "outputs"), *v;
        if (!cJSON_IsString(cJSON_GetObjectItem(x, "source"))) {
            rc = mlp_error_set(err, MLP_EINVAL, "lua['%s']: needs source, Lua returning "
                               "a function of the row", x->string);
            break;
        }
        cJSON *st = cJSON_CreateObject();
        cJSON_AddStringToObject(st, "kind", "lua");
        cJSON_AddStringToObject(st, "name", x->string);
        char what[300];
        snprintf(what, sizeof what, "lua['%s']", x->string);
        rc = check_keys(x, lua_keys, what, "", err);
        if (rc == MLP_OK)
            rc = raw_inputs(f, split, what, o->label, cJSON_GetObjectItem(x, "inputs"),
                            &ins_list, st, err);
        cJSON_AddStringToObject(st, "source", mlp_json_str(x, "source"));
        cJSON *arr = cJSON_AddArrayToObject(st, "outputs");
        if (cJSON_IsArray(outs))
            cJSON_ArrayForEach(v, outs) {
                cJSON_AddItemToArray(arr, cJSON_CreateString(cJSON_GetStringValue(v) ? v->valuestring : ""));
                cJSON_AddItemToArray(early_out, cJSON_CreateString(cJSON_GetStringValue(v) ? v->valuestring : ""));
            }
        else {
            cJSON_AddItemToArray(arr, cJSON_CreateString(x->string));
            cJSON_AddItemToArray(early_out, cJSON_CreateString(x->string));
        }
        cJSON_AddItemToArray(early, st);
    }
    free(lua);
    /* early steps before the features' steps; their outputs after. */
    while (early->child) {
        cJSON *last = cJSON_DetachItemFromArray(early, cJSON_GetArraySize(early) - 1);
        cJSON_InsertItemInArray(steps, 0, last);
    }
    while (early_out->child)
        cJSON_AddItemToArray(outputs, cJSON_DetachItemFromArray(early_out, 0));
    cJSON_Delete(early);
    cJSON_Delete(early_out);
    mlp_names_free(ins_list.seen);
    if (rc == MLP_OK && cJSON_IsObject(o->pca))
        rc = add_pca(f, o->examples, split, doc, o->pca, err);
    if (rc != MLP_OK) {
        cJSON_Delete(doc);
        return rc;
    }
    *graph = doc;
    return MLP_OK;
}
