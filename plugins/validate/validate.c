/* validate: checks statistics against a schema and reports anomalies with
 * TFDV's kinds, plus drift (against the previous span's statistics) and
 * training/serving skew (against statistics of serving data).  By default
 * it gates: anomalies of ERROR severity stop everything downstream.
 *
 * With the Examples as an extra input it also finds the first rows that
 * caused each value anomaly, with their source file and line when the
 * ingestion recorded them (<split>.lines.mlpt).
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mlpipe/mlpipe.h>

#include "tfdv.h"
#include "view.h"

typedef struct vstate {
    mlp_ctx *ctx;
    const cJSON *overrides;  /* severity_overrides: kind -> ERROR | WARNING */
    int new_as_warnings;     /* new_features_are_warnings */
    const cJSON *schema;
    mlp_json_index *schema_ix;  /* its features by name */
    const char *env;
    const mlp_artifact *examples;
    const char *split;
    cJSON *anoms;        /* of the split being checked */
    int errors, warnings;
    int nomem;               /* an index could not be built */
    char first_errors[600];
    size_t first_len;
} vstate;

static double num(const cJSON *o, const char *k)
{
    return cJSON_GetNumberValue(cJSON_GetObjectItem(o, k));
}

static const char *str(const cJSON *o, const char *k)
{
    return cJSON_GetStringValue(cJSON_GetObjectItem(o, k));
}

static cJSON *anomaly(vstate *v, const char *feature, const char *kind,
                      int error, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Every kind this validator raises, for checking severity_overrides. */
static const char *const known_kinds[] = {
    "SCHEMA_MISSING_COLUMN", "SCHEMA_NEW_COLUMN", "FEATURE_TYPE_LOW_FRACTION_PRESENT",
    "FEATURE_TYPE_LOW_NUMBER_PRESENT", "ENUM_TYPE_UNEXPECTED_STRING_VALUES",
    "INT_TYPE_BIG_INT", "INT_TYPE_SMALL_INT", "INT_TYPE_NOT_INT_STRING",
    "INT_TYPE_INT_EXPECTED", "FLOAT_TYPE_BIG_FLOAT", "FLOAT_TYPE_SMALL_FLOAT",
    "FLOAT_TYPE_STRING_NOT_FLOAT", "FLOAT_TYPE_HAS_NAN", "FLOAT_TYPE_HAS_INF",
    "UNEXPECTED_DATA_TYPE", "DATASET_LOW_NUM_EXAMPLES", "DATASET_HIGH_NUM_EXAMPLES",
    "COMPARATOR_LOW_NUM_EXAMPLES", "COMPARATOR_HIGH_NUM_EXAMPLES",
    "COMPARATOR_CONTROL_DATA_MISSING", "COMPARATOR_L_INFTY_HIGH",
    "COMPARATOR_JENSEN_SHANNON_DIVERGENCE_HIGH",
    "COMPARATOR_NORMALIZED_ABSOLUTE_DIFFERENCE_HIGH", "COMPARATOR_LOW_SAMPLE_COUNT",
    "FEATURE_TYPE_LOW_UNIQUE", "FEATURE_TYPE_HIGH_UNIQUE", "FEATURE_TYPE_NO_UNIQUE",
    "BOOL_TYPE_UNEXPECTED_STRING", "BOOL_TYPE_BIG_INT", "BOOL_TYPE_SMALL_INT",
    "BOOL_TYPE_UNEXPECTED_FLOAT",
    NULL
};

/* The severity of a kind after the node's overrides (TFDV's
 * ValidationConfig): new_features_are_warnings first, then
 * severity_overrides. */
static int is_error(const vstate *v, const char *kind, int error)
{
    const char *o = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(v->overrides, kind));

    if (v->new_as_warnings && strcmp(kind, "SCHEMA_NEW_COLUMN") == 0)
        error = 0;
    if (o != NULL)
        error = strcmp(o, "ERROR") == 0;
    return error;
}

/* Appends an anomaly and returns it so callers can add details. */
static cJSON *anomaly(vstate *v, const char *feature, const char *kind,
                      int error, const char *fmt, ...)
{
    cJSON *a = cJSON_CreateObject();
    char msg[1024];
    va_list ap;

    error = is_error(v, kind, error);
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (feature)
        cJSON_AddStringToObject(a, "feature", feature);
    else
        cJSON_AddNullToObject(a, "feature");
    cJSON_AddStringToObject(a, "kind", kind);
    cJSON_AddStringToObject(a, "severity", error ? "ERROR" : "WARNING");
    cJSON_AddStringToObject(a, "description", msg);
    cJSON_AddItemToArray(v->anoms, a);
    if (error) {
        if (v->errors++ < 4 && v->first_len < sizeof v->first_errors)
            v->first_len += (size_t)snprintf(v->first_errors + v->first_len,
                                             sizeof v->first_errors - v->first_len,
                                             "%s%s: %s %s", v->first_len ? "; " : "",
                                             v->split, feature ? feature : "dataset",
                                             kind);
    } else {
        v->warnings++;
    }
    return a;
}

/* A statistics split's features by name (NULL on exhaustion, and every
 * lookup in it then finds nothing: the caller fails the run first). */
static mlp_json_index *stats_index(const cJSON *split)
{
    return mlp_json_index_new(cJSON_GetObjectItem(split, "features"), "name");
}

static const cJSON *histogram(const cJSON *fs, const char *type)
{
    const cJSON *h;

    cJSON_ArrayForEach(h, cJSON_GetObjectItem(cJSON_GetObjectItem(fs, "num_stats"), "histograms"))
        if (str(h, "type") && strcmp(str(h, "type"), type) == 0)
            return cJSON_GetObjectItem(h, "buckets");
    return NULL;
}

static const cJSON *rank_histogram(const cJSON *fs)
{
    return cJSON_GetObjectItem(cJSON_GetObjectItem(fs, "string_stats"), "rank_histogram");
}

/* Whether a feature's statistics are counts of categories (text, or a
 * rank histogram) rather than numbers. */
static int categorical(const cJSON *fs)
{
    return strcmp(str(fs, "type") ? str(fs, "type") : "", "STRING") == 0 ||
           rank_histogram(fs) != NULL;
}

/* ------------------------------------------------------ offending rows */

typedef int (*row_test)(const mlp_column *c, size_t i, const void *arg);

/* A value of a STRING feature read as the schema's number: for INT an
 * optional sign and digits only (1e3 and 2.0 are not integers, as TFDV's
 * integer parse has it), for FLOAT any decimal number. */
static int parse_double(const char *s, size_t len, double *out, int want_int)
{
    char buf[64], *end;

    while (len > 0 && (*s == ' ' || *s == '\t'))
        s++, len--;
    while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    if (len == 0 || len >= sizeof buf)
        return 0;
    memcpy(buf, s, len);
    buf[len] = '\0';
    if (want_int && strspn(buf + (buf[0] == '-' || buf[0] == '+'), "0123456789") !=
                    len - (buf[0] == '-' || buf[0] == '+'))
        return 0;
    if (!want_int && strpbrk(buf, "xX") != NULL)
        return 0;  /* strtod's hexadecimal floats are not data */
    *out = strtod(buf, &end);
    return *end == '\0' && (!want_int || isfinite(*out));
}

static int test_missing(const mlp_column *c, size_t i, const void *arg);

/* Adds "rows", the first offending rows with source file:line, and how
 * many values offend: "offending_values" and their "offending_fraction"
 * of the present values (of all rows for a missing-value test). */
static void add_rows(vstate *v, cJSON *a, const char *feature, row_test test,
                     const void *arg)
{
    size_t n_bad = 0, n_base = 0;
    char file[300], path[4096];
    mlp_table *t = NULL, *lines = NULL;
    mlp_error err;
    size_t max = (size_t)mlp_ctx_param_int(v->ctx, "max_offending_rows"), found = 0;
    const mlp_column *c, *lc = NULL, *fc = NULL;
    cJSON *rows;

    if (v->examples == NULL || max == 0)
        return;
    snprintf(file, sizeof file, "%s.mlpt", v->split);
    if (mlp_artifact_path(v->examples, file, path, sizeof path, &err) != MLP_OK ||
        mlp_table_open(path, &t, &err) != MLP_OK)
        return;
    c = mlp_table_find(t, feature);
    snprintf(file, sizeof file, "%s.lines.mlpt", v->split);
    if (mlp_artifact_path(v->examples, file, path, sizeof path, &err) == MLP_OK &&
        mlp_table_open(path, &lines, &err) == MLP_OK) {
        lc = mlp_table_find(lines, "line");
        fc = mlp_table_find(lines, "file");
    }
    rows = cJSON_AddArrayToObject(a, "rows");
    for (size_t i = 0; c != NULL && i < c->n_rows; i++) {
        cJSON *r;
        n_base += test == test_missing || c->type == MLP_COL_MATRIX ||
                  !mlp_column_is_missing(c, i);
        if (!test(c, i, arg))
            continue;
        if (n_bad++ >= max)
            continue;
        r = cJSON_CreateObject();
        cJSON_AddNumberToObject(r, "row", (double)i);
        if (lc && fc && i < lc->n_rows) {
            size_t len;
            const char *f = mlp_column_level(fc, (size_t)fc->codes[i], &len);
            char *fs = malloc(len + 1);
            if (fs) {
                memcpy(fs, f, len);
                fs[len] = '\0';
                cJSON_AddStringToObject(r, "file", fs);
                free(fs);
            }
            cJSON_AddNumberToObject(r, "line", lc->num[i]);
        }
        cJSON_AddItemToArray(rows, r);
        found++;
    }
    if (c != NULL) {
        /* Counted over every row: exact, where a histogram may not be. */
        cJSON_DeleteItemFromObject(a, "offending_values");
        cJSON_DeleteItemFromObject(a, "offending_fraction");
        cJSON_AddNumberToObject(a, "offending_values", (double)n_bad);
        cJSON_AddItemToObject(a, "offending_fraction",
                              mlp_json_number(n_base ? (double)n_bad / (double)n_base : 0));
    }
    mlp_table_free(lines);
    mlp_table_free(t);
}

static const char *value_of(const mlp_column *c, size_t i, size_t *len)
{
    if (c->type == MLP_COL_CATEGORICAL)
        return mlp_column_level(c, (size_t)c->codes[i], len);
    if (c->type == MLP_COL_STRING)
        return mlp_column_string(c, i, len);
    return NULL;
}

static int test_missing(const mlp_column *c, size_t i, const void *arg)
{
    (void)arg;
    return c->type != MLP_COL_MATRIX && mlp_column_is_missing(c, i);
}

static int test_out_of_domain(const mlp_column *c, size_t i, const void *arg)
{
    const cJSON *values = arg, *e;
    size_t len;
    const char *s;

    if (mlp_column_is_missing(c, i) || (s = value_of(c, i, &len)) == NULL)
        return 0;
    cJSON_ArrayForEach(e, values)
        if (strlen(e->valuestring) == len && memcmp(e->valuestring, s, len) == 0)
            return 0;
    return 1;
}

typedef struct bound { double v; int above; int nan; } bound;

static int test_bound(const mlp_column *c, size_t i, const void *arg)
{
    const bound *b = arg;
    double x;

    if (c->type != MLP_COL_NUMERIC || mlp_column_is_missing(c, i))
        return 0;
    x = c->num[i];
    if (b->nan)
        return isnan(x);
    if (isinf(x))
        return 0;  /* not a bound's matter */
    return b->above ? x > b->v : x < b->v;
}

/* --------------------------------------------------------------- checks */

static int domain_has(const cJSON *values, const char *s)
{
    const cJSON *e;

    cJSON_ArrayForEach(e, values)
        if (cJSON_IsString(e) && strcmp(e->valuestring, s) == 0)
            return 1;
    return 0;
}

static void check_string_domain(vstate *v, const cJSON *f, const cJSON *fs,
                                const char *name)
{
    const cJSON *values = mlp_schema_domain_values(v->schema, f), *b;
    const cJSON *dc = cJSON_GetObjectItem(f, "distribution_constraints");
    double mass = dc && cJSON_GetObjectItem(dc, "min_domain_mass")
                  ? num(dc, "min_domain_mass") : 1.0;
    double total = 0, out = 0;
    cJSON *unexpected;

    if (values == NULL || strcmp(str(fs, "type"), "STRING") != 0)
        return;
    unexpected = cJSON_CreateArray();
    cJSON_ArrayForEach(b, rank_histogram(fs)) {
        double n = num(b, "sample_count");
        total += n;
        if (!domain_has(values, str(b, "label"))) {
            out += n;
            if (cJSON_GetArraySize(unexpected) < 10)
                cJSON_AddItemToArray(unexpected, cJSON_CreateString(str(b, "label")));
        }
    }
    if (out > 0 && (mass >= 1.0 || out / total > 1.0 - mass)) {
        char list[300] = "";
        size_t k = 0;
        cJSON_ArrayForEach(b, unexpected)
            k += (size_t)snprintf(list + k, k < sizeof list ? sizeof list - k : 0,
                                  "%s\"%s\"", k ? ", " : "", b->valuestring);
        cJSON *a = anomaly(v, name, "ENUM_TYPE_UNEXPECTED_STRING_VALUES", 1,
                           "%.4g%% of the values are outside the domain "
                           "(min_domain_mass %g allows %.4g%%): %s",
                           100 * out / total, mass, 100 * (1 - mass), list);
        cJSON_AddItemToObject(a, "unexpected_values", unexpected);
        cJSON_AddItemToObject(a, "out_of_domain_fraction", mlp_json_number(out / total));
        cJSON_AddItemToObject(a, "min_domain_mass", mlp_json_number(mass));
        add_rows(v, a, name, test_out_of_domain, values);
    } else {
        cJSON_Delete(unexpected);
    }
}

static int test_not_number(const mlp_column *c, size_t i, const void *arg)
{
    size_t len;
    const char *s;
    double x;

    if (mlp_column_is_missing(c, i) || (s = value_of(c, i, &len)) == NULL)
        return 0;
    return !parse_double(s, len, &x, *(const int *)arg);
}

/* A STRING feature where the schema expects numbers: every value must
 * parse; then ranges apply to the parsed values.  The anomaly counts the
 * values that do not parse (from the rank histogram, exact for up to its
 * 1000 distinct values; from the rows when the examples are wired). */
static void check_string_numbers(vstate *v, const cJSON *fs, const char *name,
                                 int want_int, const cJSON *dom)
{
    const cJSON *b;
    double lo = INFINITY, hi = -INFINITY, x, bad = 0, total = 0;
    cJSON *examples = cJSON_CreateArray();

    cJSON_ArrayForEach(b, rank_histogram(fs)) {
        const char *s = str(b, "label") ? str(b, "label") : "";
        total += num(b, "sample_count");
        if (!parse_double(s, strlen(s), &x, want_int)) {
            bad += num(b, "sample_count");
            if (cJSON_GetArraySize(examples) < 10)
                cJSON_AddItemToArray(examples, cJSON_CreateString(s));
            continue;
        }
        lo = x < lo ? x : lo;
        hi = x > hi ? x : hi;
    }
    if (bad > 0) {
        cJSON *a = anomaly(v, name, want_int ? "INT_TYPE_NOT_INT_STRING"
                                             : "FLOAT_TYPE_STRING_NOT_FLOAT", 1,
                           "the schema says %s, but %.0f values (%.4g%%) are not %s, "
                           "such as \"%s\"", want_int ? "INT" : "FLOAT", bad,
                           total > 0 ? 100 * bad / total : 0,
                           want_int ? "integers" : "numbers",
                           cJSON_GetStringValue(examples->child));
        cJSON_AddItemToObject(a, "unexpected_values", examples);
        cJSON_AddNumberToObject(a, "offending_values", bad);
        cJSON_AddItemToObject(a, "offending_fraction",
                              mlp_json_number(total > 0 ? bad / total : 0));
        add_rows(v, a, name, test_not_number, &want_int);
        return;
    }
    cJSON_Delete(examples);
    if (dom && cJSON_GetObjectItem(dom, "max") && hi > num(dom, "max"))
        anomaly(v, name, want_int ? "INT_TYPE_BIG_INT" : "FLOAT_TYPE_BIG_FLOAT", 1,
                "largest value %g is above the domain's max %g", hi, num(dom, "max"));
    if (dom && cJSON_GetObjectItem(dom, "min") && lo < num(dom, "min"))
        anomaly(v, name, want_int ? "INT_TYPE_SMALL_INT" : "FLOAT_TYPE_SMALL_FLOAT", 1,
                "smallest value %g is below the domain's min %g", lo, num(dom, "min"));
}

static void check_numeric(vstate *v, const cJSON *f, const cJSON *fs, const char *name)
{
    const char *stype = str(fs, "type");
    const char *type = str(f, "type");
    const cJSON *idom = cJSON_GetObjectItem(f, "int_domain");
    const cJSON *fdom = cJSON_GetObjectItem(f, "float_domain");
    const cJSON *ns = cJSON_GetObjectItem(fs, "num_stats");
    const cJSON *dom = idom ? idom : fdom;
    int is_int = idom != NULL;

    if (strcmp(stype, "STRING") == 0) {
        if (strcmp(type, "INT") == 0 || idom)
            check_string_numbers(v, fs, name, 1, idom);
        else if (strcmp(type, "FLOAT") == 0 || fdom)
            check_string_numbers(v, fs, name, 0, fdom);
        return;
    }
    if (strcmp(type, "INT") == 0 && strcmp(stype, "FLOAT") == 0)
        anomaly(v, name, "INT_TYPE_INT_EXPECTED", 1,
                "the schema says INT, but the data has non-integer values");
    if (dom == NULL || ns == NULL)
        return;
    /* The bounds are about finite values: infinities are disallow_inf's
     * matter (statistics write the finite extremes when there are any). */
    const char *kmax = cJSON_GetObjectItem(ns, "finite_max") ? "finite_max" : "max";
    const char *kmin = cJSON_GetObjectItem(ns, "finite_min") ? "finite_min" : "min";
    if (cJSON_GetObjectItem(dom, "max") && cJSON_IsNumber(cJSON_GetObjectItem(ns, kmax)) &&
        num(ns, kmax) > num(dom, "max")) {
        bound b = { num(dom, "max"), 1, 0 };
        cJSON *a = anomaly(v, name, is_int ? "INT_TYPE_BIG_INT" : "FLOAT_TYPE_BIG_FLOAT", 1,
                           "largest value %.17g is above the domain's max %.17g",
                           num(ns, kmax), num(dom, "max"));
        add_rows(v, a, name, test_bound, &b);
    }
    if (cJSON_GetObjectItem(dom, "min") && cJSON_IsNumber(cJSON_GetObjectItem(ns, kmin)) &&
        num(ns, kmin) < num(dom, "min")) {
        bound b = { num(dom, "min"), 0, 0 };
        cJSON *a = anomaly(v, name, is_int ? "INT_TYPE_SMALL_INT" : "FLOAT_TYPE_SMALL_FLOAT", 1,
                           "smallest value %.17g is below the domain's min %.17g",
                           num(ns, kmin), num(dom, "min"));
        add_rows(v, a, name, test_bound, &b);
    }
    if (fdom && cJSON_IsTrue(cJSON_GetObjectItem(fdom, "disallow_nan")) &&
        num(ns, "num_nan") > 0) {
        bound b = { 0, 0, 1 };
        cJSON *a = anomaly(v, name, "FLOAT_TYPE_HAS_NAN", 1,
                           "%.0f values are NaN and the domain disallows NaN",
                           num(ns, "num_nan"));
        add_rows(v, a, name, test_bound, &b);
    }
    if (fdom && cJSON_IsTrue(cJSON_GetObjectItem(fdom, "disallow_inf")) &&
        num(ns, "num_inf") > 0)
        anomaly(v, name, "FLOAT_TYPE_HAS_INF", 1,
                "%.0f values are infinite and the domain disallows them",
                num(ns, "num_inf"));
}

/* unique_constraints: the number of distinct values of a categorical
 * feature within [min, max]. */
static void check_unique(vstate *v, const cJSON *f, const cJSON *fs, const char *name)
{
    const cJSON *uc = cJSON_GetObjectItem(f, "unique_constraints");
    const cJSON *ss = cJSON_GetObjectItem(fs, "string_stats");
    double u = num(ss, "unique");

    if (uc == NULL)
        return;
    if (ss == NULL || !cJSON_IsNumber(cJSON_GetObjectItem(ss, "unique"))) {
        anomaly(v, name, "FEATURE_TYPE_NO_UNIQUE", 1, "the schema constrains the "
                "number of distinct values, but the data is numeric: its "
                "distinct values are not counted");
        return;
    }
    if (cJSON_GetObjectItem(uc, "min") && u < num(uc, "min"))
        anomaly(v, name, "FEATURE_TYPE_LOW_UNIQUE", 1, "%.0f distinct values, the "
                "schema wants at least %.0f", u, num(uc, "min"));
    if (cJSON_GetObjectItem(uc, "max") && u > num(uc, "max"))
        anomaly(v, name, "FEATURE_TYPE_HIGH_UNIQUE", 1, "%.0f distinct values, the "
                "schema allows at most %.0f", u, num(uc, "max"));
}

typedef struct bool_words { const char *t, *f; } bool_words;

static int test_not_bool(const mlp_column *c, size_t i, const void *arg)
{
    const bool_words *w = arg;
    size_t len;
    const char *s;

    if (mlp_column_is_missing(c, i))
        return 0;
    if (c->type == MLP_COL_NUMERIC)
        return !(c->num[i] == 0 || c->num[i] == 1);
    if ((s = value_of(c, i, &len)) == NULL)
        return 0;
    return !((w->t && strlen(w->t) == len && memcmp(w->t, s, len) == 0) ||
             (w->f && strlen(w->f) == len && memcmp(w->f, s, len) == 0));
}

/* bool_domain: text takes only its true_value and false_value ("true"
 * and "false" when it names neither); numbers take 0 and 1. */
static void check_bool(vstate *v, const cJSON *f, const cJSON *fs, const char *name)
{
    const cJSON *bd = cJSON_GetObjectItem(f, "bool_domain"), *b;
    const cJSON *ns = cJSON_GetObjectItem(fs, "num_stats");
    bool_words w = { str(bd, "true_value"), str(bd, "false_value") };

    if (bd == NULL)
        return;
    if (categorical(fs)) {
        double bad = 0, total = 0;
        cJSON *examples = cJSON_CreateArray();
        if (w.t == NULL && w.f == NULL) {
            w.t = "true";
            w.f = "false";
        }
        cJSON_ArrayForEach(b, rank_histogram(fs)) {
            const char *l = str(b, "label") ? str(b, "label") : "";
            total += num(b, "sample_count");
            if ((w.t && strcmp(l, w.t) == 0) || (w.f && strcmp(l, w.f) == 0))
                continue;
            bad += num(b, "sample_count");
            if (cJSON_GetArraySize(examples) < 10)
                cJSON_AddItemToArray(examples, cJSON_CreateString(l));
        }
        if (bad > 0) {
            cJSON *a = anomaly(v, name, "BOOL_TYPE_UNEXPECTED_STRING", 1,
                               "%.0f values are neither \"%s\" nor \"%s\", such "
                               "as \"%s\"", bad, w.t ? w.t : "", w.f ? w.f : "",
                               cJSON_GetStringValue(examples->child));
            cJSON_AddItemToObject(a, "unexpected_values", examples);
            cJSON_AddNumberToObject(a, "offending_values", bad);
            cJSON_AddItemToObject(a, "offending_fraction",
                                  mlp_json_number(total > 0 ? bad / total : 0));
            add_rows(v, a, name, test_not_bool, &w);
        } else {
            cJSON_Delete(examples);
        }
        return;
    }
    if (ns == NULL)
        return;
    if (strcmp(str(fs, "type") ? str(fs, "type") : "", "FLOAT") == 0) {
        cJSON *a = anomaly(v, name, "BOOL_TYPE_UNEXPECTED_FLOAT", 1,
                           "the schema says bool, the data has fractions");
        add_rows(v, a, name, test_not_bool, &w);
        return;
    }
    if (num(ns, "max") > 1) {
        cJSON *a = anomaly(v, name, "BOOL_TYPE_BIG_INT", 1, "largest value %.17g "
                           "is above 1, the largest a bool holds", num(ns, "max"));
        add_rows(v, a, name, test_not_bool, &w);
    }
    if (num(ns, "min") < 0) {
        cJSON *a = anomaly(v, name, "BOOL_TYPE_SMALL_INT", 1, "smallest value "
                           "%.17g is below 0, the smallest a bool holds",
                           num(ns, "min"));
        add_rows(v, a, name, test_not_bool, &w);
    }
}

static void check_presence(vstate *v, const cJSON *f, const cJSON *fs,
                           const char *name, double n_examples)
{
    const cJSON *p = cJSON_GetObjectItem(f, "presence");
    const cJSON *common = cJSON_GetObjectItem(fs, "common");
    double present = num(common, "num_non_missing"), missing = num(common, "num_missing");

    if (p == NULL)
        return;
    if (cJSON_GetObjectItem(p, "min_fraction")) {
        double want = num(p, "min_fraction");
        double have = n_examples > 0 ? present / n_examples : 0;
        if (have < want || (want >= 1.0 && missing > 0)) {
            cJSON *a = anomaly(v, name, "FEATURE_TYPE_LOW_FRACTION_PRESENT", 1,
                               "present in %.4g%% of examples, the schema wants "
                               "at least %.4g%%", 100 * have, 100 * want);
            add_rows(v, a, name, test_missing, NULL);
        }
    }
    if (cJSON_GetObjectItem(p, "min_count") && num(p, "min_count") > 0 &&
        present < num(p, "min_count"))
        anomaly(v, name, "FEATURE_TYPE_LOW_NUMBER_PRESENT", 1,
                "present in %.0f examples, the schema wants at least %.0f",
                present, num(p, "min_count"));
}

static int expected_present(const cJSON *f)
{
    const cJSON *p = cJSON_GetObjectItem(f, "presence");

    return p != NULL && (num(p, "min_count") > 0 || num(p, "min_fraction") > 0);
}

static void check_split(vstate *v, const cJSON *split, const mlp_json_index *stats_ix)
{
    const cJSON *f, *fs;
    double n = num(split, "num_examples");
    const cJSON *dc = cJSON_GetObjectItem(v->schema, "dataset_constraints");

    cJSON_ArrayForEach(f, cJSON_GetObjectItem(v->schema, "features")) {
        const char *name = str(f, "name");
        if (!mlp_schema_feature_active(v->schema, f, v->env))
            continue;
        fs = mlp_json_index_find(stats_ix, name);
        if (fs == NULL) {
            if (expected_present(f))
                anomaly(v, name, "SCHEMA_MISSING_COLUMN", 1,
                        "the schema expects this feature; the data does not "
                        "have it");
            continue;
        }
        check_presence(v, f, fs, name, n);
        check_unique(v, f, fs, name);
        check_bool(v, f, fs, name);
        if (strcmp(str(f, "type"), "STRING") == 0 && !categorical(fs))
            anomaly(v, name, "UNEXPECTED_DATA_TYPE", 1, "the schema says STRING, "
                    "but the data is %s", str(fs, "type") ? str(fs, "type") : "?");
        else if (strcmp(str(f, "type"), "STRING") == 0)
            check_string_domain(v, f, fs, name);
        else
            check_numeric(v, f, fs, name);
    }
    cJSON_ArrayForEach(fs, cJSON_GetObjectItem(split, "features")) {
        const char *name = str(fs, "name");
        const cJSON *sf = mlp_json_index_find(v->schema_ix, name);
        if (sf == NULL)
            anomaly(v, name, "SCHEMA_NEW_COLUMN", 1,
                    "the data has this feature; the schema does not describe it");
        else if (v->env && !mlp_schema_feature_active(v->schema, sf, v->env) &&
                 cJSON_GetObjectItem(sf, "not_in_environment") &&
                 num(cJSON_GetObjectItem(fs, "common"), "num_non_missing") > 0)
            anomaly(v, name, "SCHEMA_NEW_COLUMN", 1,
                    "present in environment %s, where the schema says it is "
                    "not expected (TFDV reports it as a column the schema does "
                    "not have)", v->env);
    }
    if (dc && cJSON_GetObjectItem(dc, "min_examples_count") && n < num(dc, "min_examples_count"))
        anomaly(v, NULL, "DATASET_LOW_NUM_EXAMPLES", 1,
                "%.0f examples, the schema wants at least %.0f", n,
                num(dc, "min_examples_count"));
    if (dc && cJSON_GetObjectItem(dc, "max_examples_count") && n > num(dc, "max_examples_count"))
        anomaly(v, NULL, "DATASET_HIGH_NUM_EXAMPLES", 1,
                "%.0f examples, the schema allows at most %.0f", n,
                num(dc, "max_examples_count"));
}

/* ------------------------------------------------------- drift and skew */

/* The histogram a Jensen-Shannon comparator reads: STANDARD unless its
 * source says QUANTILES (TFDV's HistogramSelection; DEFAULT is STANDARD). */
static const char *histogram_source(const cJSON *m)
{
    const char *t = str(cJSON_GetObjectItem(m, "source"), "type");
    return t && strcmp(t, "QUANTILES") == 0 ? "QUANTILES" : "STANDARD";
}

/* One comparator of one feature.  A comparator that does not fit the data
 * (a numeric one on text, or the other way round: the data arrived in a
 * type the schema does not expect, which the type checks report) is
 * skipped, and the record says why. */
static void compare_one(vstate *v, const char *what, const char *name,
                        const cJSON *m, const cJSON *ft, const cJSON *fc,
                        cJSON *out)
{
    double min_samples = (double)mlp_ctx_param_int(v->ctx, "min_samples");
    double threshold = num(m, "threshold"), d = -1, na = 0, nb = 0;
    int jsd = strcmp(m->string, "jensen_shannon_divergence") == 0;
    int nad = strcmp(m->string, "normalized_abs_difference") == 0;
    int cat_t = categorical(ft), cat_c = categorical(fc);
    const char *skip = NULL, *metric;
    cJSON *rec = cJSON_CreateObject();

    if (cat_t != cat_c)
        skip = "one side's data is text and the other's numeric";
    else if (!jsd && !cat_t)
        skip = "it compares category counts, and the data is numeric";
    if (skip == NULL && jsd && !cat_t) {
        const char *src = histogram_source(m);
        const cJSON *ha = histogram(ft, src), *hb = histogram(fc, src);
        na = mlp_histogram_total(ha) + num(cJSON_GetObjectItem(ft, "num_stats"), "num_nan");
        nb = mlp_histogram_total(hb) + num(cJSON_GetObjectItem(fc, "num_stats"), "num_nan");
        d = mlp_distance_jsd(ha, num(cJSON_GetObjectItem(ft, "num_stats"), "num_nan"),
                          hb, num(cJSON_GetObjectItem(fc, "num_stats"), "num_nan"));
    } else if (skip == NULL) {
        const cJSON *ra = rank_histogram(ft), *rb = rank_histogram(fc);
        na = mlp_histogram_total(ra);
        nb = mlp_histogram_total(rb);
        d = jsd ? mlp_distance_jsd_labels(ra, rb) : nad ? mlp_distance_nad(ra, rb)
                : mlp_distance_linf(ra, rb);
    }
    metric = jsd ? "Jensen-Shannon divergence" : nad ? "normalized absolute "
             "difference" : "L-infinity distance";
    cJSON_AddStringToObject(rec, "feature", name);
    cJSON_AddStringToObject(rec, "comparator", m->string);
    if (d >= 0 && skip == NULL)
        cJSON_AddItemToObject(rec, "distance", mlp_json_number(d));
    else
        cJSON_AddNullToObject(rec, "distance");
    cJSON_AddItemToObject(rec, "threshold", mlp_json_number(threshold));
    cJSON_AddBoolToObject(rec, "exceeded", skip == NULL && d > threshold);
    if (skip != NULL) {
        cJSON_AddStringToObject(rec, "skipped", skip);
        cJSON_AddItemToArray(out, rec);
        return;
    }
    cJSON_AddNumberToObject(rec, "samples", na);
    cJSON_AddNumberToObject(rec, "control_samples", nb);
    cJSON_AddItemToArray(out, rec);
    if (d < 0 || na < min_samples || nb < min_samples)
        anomaly(v, name, "COMPARATOR_LOW_SAMPLE_COUNT", 0,
                "%s: %.0f and %.0f samples, fewer than the %.0f a meaningful "
                "%s needs", what, na, nb, min_samples, metric);
    if (d > threshold)
        anomaly(v, name, jsd ? "COMPARATOR_JENSEN_SHANNON_DIVERGENCE_HIGH"
                        : nad ? "COMPARATOR_NORMALIZED_ABSOLUTE_DIFFERENCE_HIGH"
                              : "COMPARATOR_L_INFTY_HIGH", 1,
                "%s: %s %.4g is above the threshold %g", what, metric, d,
                threshold);
}

/* Compares treatment with control for every feature that has comparators
 * under `key`, recording every distance in `out`. */
static void compare(vstate *v, const char *key, const char *what,
                    const mlp_json_index *tix, const cJSON *control, cJSON *out)
{
    const cJSON *f, *m;
    mlp_json_index *cix = stats_index(control);

    if (cix == NULL) {
        v->nomem = 1;
        return;
    }

    cJSON_ArrayForEach(f, cJSON_GetObjectItem(v->schema, "features")) {
        const cJSON *cmp = cJSON_GetObjectItem(f, key);
        const char *name = str(f, "name");
        const cJSON *ft, *fc;

        if (cmp == NULL || !mlp_schema_feature_active(v->schema, f, NULL))
            continue;
        ft = mlp_json_index_find(tix, name);
        fc = mlp_json_index_find(cix, name);
        if (ft == NULL)
            continue;  /* missing from the data: SCHEMA_MISSING_COLUMN says so */
        if (fc == NULL) {
            anomaly(v, name, "COMPARATOR_CONTROL_DATA_MISSING", 1,
                    "the %s comparator needs this feature in the %s statistics, "
                    "which lack it", what,
                    strcmp(what, "drift") == 0 ? "previous" : "serving");
            continue;
        }
        cJSON_ArrayForEach(m, cmp)
            compare_one(v, what, name, m, ft, fc, out);
    }
    mlp_json_index_free(cix);
}

static void compare_counts(vstate *v, const cJSON *cur, const cJSON *prev)
{
    const cJSON *cmp = cJSON_GetObjectItem(cJSON_GetObjectItem(v->schema,
                                                "dataset_constraints"),
                                           "num_examples_drift_comparator");
    double a = num(cur, "num_examples"), b = num(prev, "num_examples");

    if (cmp == NULL || !(b > 0))
        return;
    if (cJSON_GetObjectItem(cmp, "min_fraction_threshold") &&
        a / b < num(cmp, "min_fraction_threshold"))
        anomaly(v, NULL, "COMPARATOR_LOW_NUM_EXAMPLES", 1,
                "%.0f examples, %.4g of the previous span's %.0f (below %g)",
                a, a / b, b, num(cmp, "min_fraction_threshold"));
    if (cJSON_GetObjectItem(cmp, "max_fraction_threshold") &&
        a / b > num(cmp, "max_fraction_threshold"))
        anomaly(v, NULL, "COMPARATOR_HIGH_NUM_EXAMPLES", 1,
                "%.0f examples, %.4g times the previous span's %.0f (above %g)",
                a, a / b, b, num(cmp, "max_fraction_threshold"));
}

static const cJSON *split_named(const cJSON *stats, const char *name)
{
    const cJSON *s;

    cJSON_ArrayForEach(s, cJSON_GetObjectItem(stats, "splits"))
        if (name && str(s, "name") && strcmp(str(s, "name"), name) == 0)
            return s;
    return NULL;
}

static int load_json(const mlp_artifact *a, const char *file, cJSON **out,
                     mlp_error *err)
{
    char path[4096];
    int rc = mlp_artifact_path(a, file, path, sizeof path, err);

    *out = NULL;
    return rc == MLP_OK ? mlp_json_read_file(path, out, err) : rc;
}

static int selected(const cJSON *list, const char *name)
{
    const cJSON *e;

    if (list == NULL)
        return 1;
    cJSON_ArrayForEach(e, list)
        if (cJSON_IsString(e) && strcmp(e->valuestring, name) == 0)
            return 1;
    return 0;
}

static int run(mlp_ctx *ctx)
{
    const mlp_artifact *st = mlp_ctx_input(ctx, "statistics", 0);
    const mlp_artifact *sc = mlp_ctx_input(ctx, "schema", 0);
    const mlp_artifact *base = mlp_ctx_input(ctx, "baseline", 0);
    const mlp_artifact *serving = mlp_ctx_input(ctx, "serving", 0);
    mlp_artifact *out = mlp_ctx_output(ctx, "anomalies");
    cJSON *stats = NULL, *schema = NULL, *bstats = NULL, *sstats = NULL;
    cJSON *doc = cJSON_CreateObject(), *splits_out;
    const cJSON *split;
    vstate v;
    mlp_error err;
    char path[4096];
    int rc;

    memset(&v, 0, sizeof v);
    mlp_error_clear(&err);
    v.ctx = ctx;
    v.overrides = mlp_ctx_param(ctx, "severity_overrides");
    v.new_as_warnings = mlp_ctx_param_bool(ctx, "new_features_are_warnings");
    rc = MLP_OK;
    for (const cJSON *o = v.overrides ? v.overrides->child : NULL; o && rc == MLP_OK;
         o = o->next) {
        const char *const *k = known_kinds;
        while (*k && strcmp(*k, o->string) != 0)
            k++;
        if (*k == NULL)
            rc = mlp_error_set(&err, MLP_EINVAL, "parameter 'severity_overrides': "
                               "'%s' is not an anomaly kind validate raises "
                               "(docs/stages.md lists them)", o->string);
    }
    if (rc != MLP_OK) {
        cJSON_Delete(doc);
        return mlp_ctx_fail_error(ctx, &err);
    }
    v.env = mlp_ctx_param_string(ctx, "environment");
    v.examples = mlp_ctx_input(ctx, "examples", 0);
    rc = load_json(st, "statistics.json", &stats, &err);
    if (rc == MLP_OK) {
        rc = mlp_artifact_path(sc, "schema.json", path, sizeof path, &err);
        if (rc == MLP_OK)
            rc = mlp_schema_load(path, &schema, &err);
    }
    if (rc == MLP_OK && base)
        rc = load_json(base, "statistics.json", &bstats, &err);
    if (rc == MLP_OK && serving)
        rc = load_json(serving, "statistics.json", &sstats, &err);
    if (rc != MLP_OK)
        goto done;
    v.schema = schema;
    if ((v.schema_ix = mlp_json_index_new(cJSON_GetObjectItem(schema, "features"),
                                          "name")) == NULL) {
        rc = mlp_error_set(&err, MLP_ENOMEM, "out of memory");
        goto done;
    }
    /* A misspelt environment would silently turn environment checks off. */
    const cJSON *envs = cJSON_GetObjectItem(schema, "default_environments"), *e;
    if (v.env && envs) {
        int found = 0;
        char list[300] = "";
        size_t k = 0;
        cJSON_ArrayForEach(e, envs) {
            found |= strcmp(e->valuestring, v.env) == 0;
            k += (size_t)snprintf(list + k, k < sizeof list ? sizeof list - k : 0,
                                  "%s%s", k ? ", " : "", e->valuestring);
        }
        if (!found) {
            rc = mlp_error_set(&err, MLP_EINVAL, "parameter 'environment': '%s' is "
                               "not among the schema's default_environments (%s)",
                               v.env, list);
            goto done;
        }
    }
    cJSON_AddNumberToObject(doc, "version", 1);
    if (v.env)
        cJSON_AddStringToObject(doc, "environment", v.env);
    splits_out = cJSON_AddArrayToObject(doc, "splits");
    cJSON_ArrayForEach(split, cJSON_GetObjectItem(stats, "splits")) {
        cJSON *so;
        const char *name = str(split, "name");
        if (!selected(mlp_ctx_param(ctx, "splits"), name))
            continue;
        so = cJSON_CreateObject();
        cJSON_AddStringToObject(so, "name", name);
        cJSON_AddNumberToObject(so, "num_examples", num(split, "num_examples"));
        v.anoms = cJSON_AddArrayToObject(so, "anomalies");
        v.split = name;
        cJSON_AddItemToArray(splits_out, so);
        mlp_json_index *six = stats_index(split);
        if (six == NULL) {
            rc = mlp_error_set(&err, MLP_ENOMEM, "out of memory");
            goto done;
        }
        check_split(&v, split, six);
        if (bstats) {
            const cJSON *prev = split_named(bstats, name);
            cJSON *drift = cJSON_AddArrayToObject(so, "drift");
            if (prev == NULL) {
                anomaly(&v, NULL, "COMPARATOR_CONTROL_DATA_MISSING", 1,
                        "the previous statistics have no split '%s'", name);
            } else {
                compare_counts(&v, split, prev);
                compare(&v, "drift_comparator", "drift", six, prev, drift);
            }
        }
        if (rc == MLP_OK && sstats &&
            strcmp(name, mlp_ctx_param_string(ctx, "skew_split")) == 0) {
            const cJSON *srv = cJSON_GetObjectItem(sstats, "splits")->child;
            cJSON *skew = cJSON_AddArrayToObject(so, "skew");
            if (srv != NULL)
                compare(&v, "skew_comparator", "skew", six, srv, skew);
        }
        mlp_json_index_free(six);
        if (rc == MLP_OK && v.nomem)
            rc = mlp_error_set(&err, MLP_ENOMEM, "out of memory");
        if (rc != MLP_OK)
            goto done;
    }
    cJSON *sum = cJSON_AddObjectToObject(doc, "summary");
    cJSON_AddNumberToObject(sum, "errors", v.errors);
    cJSON_AddNumberToObject(sum, "warnings", v.warnings);
    rc = mlp_artifact_path(out, "anomalies.json", path, sizeof path, &err);
    if (rc == MLP_OK)
        rc = mlp_json_write_file(path, doc, &err);
    /* Each split's anomalies as TFDV writes them: anomalies.SPLIT.tfdv.json. */
    cJSON_ArrayForEach(split, cJSON_GetObjectItem(doc, "splits")) {
        char file[300];
        cJSON *t = rc == MLP_OK ? tfdv_anomalies_export(split) : NULL;
        if (t == NULL)
            break;
        const char *sn = str(split, "name") ? str(split, "name") : "";
        /* A split name is a file name part only when it is plain. */
        if (*sn == '\0' || *sn == '.' || strlen(sn) > 200 ||
            strspn(sn, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.")
                != strlen(sn)) {
            cJSON_Delete(t);
            continue;
        }
        snprintf(file, sizeof file, "anomalies.%s.tfdv.json", sn);
        rc = mlp_artifact_path(out, file, path, sizeof path, &err);
        if (rc == MLP_OK)
            rc = mlp_json_write_file(path, t, &err);
        cJSON_Delete(t);
    }
    if (rc == MLP_OK)
        rc = mlp_artifact_set_property(out, "errors", cJSON_CreateNumber(v.errors), &err);
    if (rc == MLP_OK)
        rc = mlp_artifact_set_property(out, "warnings", cJSON_CreateNumber(v.warnings), &err);
    if (rc == MLP_OK && v.errors > 0) {
        if (strcmp(mlp_ctx_param_string(ctx, "gate"), "error") == 0)
            mlp_ctx_gate(ctx, "%d anomalies of ERROR severity (%s%s)", v.errors,
                         v.first_errors, v.errors > 4 ? "; ..." : "");
        else
            mlp_ctx_log(ctx, MLP_LOG_WARN, "%d anomalies of ERROR severity (%s)",
                        v.errors, v.first_errors);
    }
done:
    mlp_json_index_free(v.schema_ix);
    cJSON_Delete(doc);
    cJSON_Delete(stats);
    cJSON_Delete(schema);
    cJSON_Delete(bstats);
    cJSON_Delete(sstats);
    return rc == MLP_OK ? MLP_OK : mlp_ctx_fail_error(ctx, &err);
}

static const mlp_port inputs[] = {
    { "statistics", MLP_TYPE_STATISTICS, 0, "statistics to check" },
    { "schema", MLP_TYPE_SCHEMA, 0, "what the data should look like" },
    { "baseline", MLP_TYPE_STATISTICS, MLP_PORT_OPTIONAL,
      "statistics of the previous span, for drift" },
    { "serving", MLP_TYPE_STATISTICS, MLP_PORT_OPTIONAL,
      "statistics of serving data, for training/serving skew" },
    { "examples", MLP_TYPE_EXAMPLES, MLP_PORT_OPTIONAL,
      "the examples behind `statistics`, to list offending rows" },
    MLP_PORTS_END
};
static const mlp_port outputs[] = {
    { "anomalies", MLP_TYPE_ANOMALIES, 0, "anomalies.json, and "
      "anomalies.SPLIT.tfdv.json per split in TFDV's form" },
    MLP_PORTS_END
};
static const char *const gate_choices[] = { "error", "warn", NULL };
static const char *const severity_choices[] = { "ERROR", "WARNING", NULL };
static const mlp_param_spec params[] = {
    { "environment", MLP_PARAM_STRING, "null", 0, 0, 0, NULL,
      "environment of the data (e.g. SERVING): features not expected in it "
      "are not required" },
    { "gate", MLP_PARAM_ENUM, "\"error\"", 0, 0, 0, gate_choices,
      "error: anomalies of ERROR severity stop everything downstream; warn: "
      "only report them" },
    { "splits", MLP_PARAM_LIST, "null", MLP_PARAM_OF(MLP_PARAM_STRING), 0, 0,
      NULL,
      "splits to check (default: all)" },
    { "skew_split", MLP_PARAM_STRING, "\"train\"", 0, 0, 0, NULL,
      "split compared with the serving statistics" },
    { "min_samples", MLP_PARAM_INT, "30", MLP_PARAM_HAS_MIN, 0, 0, NULL,
      "fewer samples than this on either side of a comparison is a warning" },
    { "severity_overrides", MLP_PARAM_MAP, "{}", MLP_PARAM_OF(MLP_PARAM_ENUM), 0, 0,
      severity_choices, "anomaly kind -> \"ERROR\" or \"WARNING\": the severity "
      "this node gives it (TFDV's ValidationConfig.severity_overrides)" },
    { "new_features_are_warnings", MLP_PARAM_BOOL, "false", 0, 0, 0, NULL,
      "a feature the schema does not have (SCHEMA_NEW_COLUMN) is a warning, "
      "not an error" },
    { "max_offending_rows", MLP_PARAM_INT, "5", MLP_PARAM_HAS_MIN, 0, 0, NULL,
      "offending rows listed per anomaly (needs the examples input)" },
    MLP_PARAMS_END
};
static const mlp_component components[] = {
    { "validate", MLP_STAGE_VALIDATE,
      "Checks statistics against a schema: anomalies, drift and skew (TFDV kinds)",
      inputs, outputs, params, run, { NULL } },
    MLP_COMPONENTS_END
};

static const mlp_type_desc types[] = {
    { MLP_TYPE_ANOMALIES, "what a validation found, per feature",
      "{\"files\": [\"anomalies.json\"]}", anomalies_view, anomalies_view,
      { NULL } },
    MLP_TYPES_END
};

MLP_PLUGIN_DEFINE_TYPES(validate, "validate", "0.1.0", "MIT",
                        "data validation against a schema", components, types, NULL, NULL);
