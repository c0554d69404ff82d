/* The checks that bless a model: value thresholds overall (and on the
 * fairness gaps of each sensitive feature), on every slice large enough
 * to say something, and change thresholds against a baseline model.
 * Each check is recorded with its value, its bound and why it passed or
 * failed; one failure leaves the model unblessed. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <mlpipe/json.h>

#include "ev.h"

static int is_gap(const char *m)
{
    return strstr(m, "_difference") || strstr(m, "_ratio") || strstr(m, "_gap");
}

/* One check record; *failed counts failures. */
static void check(cJSON *out, const char *metric, const char *scope, double value,
                  double bound, int higher, const char *skip, int *failed)
{
    cJSON *c = cJSON_CreateObject();
    char why[256];
    int pass;

    cJSON_AddStringToObject(c, "metric", metric);
    cJSON_AddStringToObject(c, "scope", scope);
    cJSON_AddItemToObject(c, "value", mlp_json_number(value));
    cJSON_AddItemToObject(c, "bound", mlp_json_number(bound));
    cJSON_AddStringToObject(c, "direction", higher ? ">=" : "<=");
    if (skip != NULL) {
        cJSON_AddStringToObject(c, "status", "skipped");
        cJSON_AddStringToObject(c, "why", skip);
        cJSON_AddItemToArray(out, c);
        return;
    }
    if (isnan(value)) {
        pass = 0;
        snprintf(why, sizeof why, "%s is undefined on these rows (one class only, or no "
                 "rows)", metric);
    } else {
        pass = higher ? value >= bound : value <= bound;
        snprintf(why, sizeof why, "%s = %.6g %s %.6g", metric, value,
                 pass ? (higher ? ">=" : "<=") : (higher ? "<" : ">"), bound);
    }
    cJSON_AddStringToObject(c, "status", pass ? "passed" : "failed");
    cJSON_AddStringToObject(c, "why", why);
    cJSON_AddItemToArray(out, c);
    *failed += !pass;
}

cJSON *ev_checks(const cJSON *ev, const cJSON *thresholds, const cJSON *slice_thresholds,
                 const cJSON *change_thresholds, const cJSON *baseline, int *blessed)
{
    cJSON *doc = cJSON_CreateObject(), *out = cJSON_AddArrayToObject(doc, "checks");
    const cJSON *overall = cJSON_GetObjectItemCaseSensitive(ev, "overall"), *t, *x;
    size_t min_size = (size_t)mlp_json_num(ev, "min_slice_size");
    int failed = 0;
    char scope[512];

    cJSON_ArrayForEach(t, thresholds) {
        int hi = ev_higher_is_better(t->string);
        if (!is_gap(t->string)) {
            check(out, t->string, "overall", mlp_json_num(overall, t->string),
                  t->valuedouble, hi, NULL, &failed);
            continue;
        }
        cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(ev, "fairness")) {
            snprintf(scope, sizeof scope, "fairness across %s", mlp_json_str(x, "feature"));
            check(out, t->string, scope, mlp_json_num(x, t->string), t->valuedouble, hi,
                  NULL, &failed);
        }
    }
    cJSON_ArrayForEach(t, slice_thresholds) {
        int hi = ev_higher_is_better(t->string);
        cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(ev, "slices")) {
            size_t n = (size_t)mlp_json_num(x, "rows");
            char skip[128];
            snprintf(scope, sizeof scope, "slice %s = %s", mlp_json_str(x, "feature"),
                     mlp_json_str(x, "value"));
            snprintf(skip, sizeof skip, "%zu rows, fewer than min_slice_size %zu", n,
                     min_size);
            check(out, t->string, scope,
                  mlp_json_num(cJSON_GetObjectItemCaseSensitive(x, "metrics"), t->string),
                  t->valuedouble, hi, n < min_size ? skip : NULL, &failed);
        }
    }
    cJSON_ArrayForEach(t, change_thresholds) {
        int hi = ev_higher_is_better(t->string);
        double now = mlp_json_num(overall, t->string);
        if (baseline == NULL) {
            check(out, t->string, "change against the baseline", now, NAN, hi,
                  "no baseline model to compare with (the first model passes)", &failed);
            continue;
        }
        double base = mlp_json_num(baseline, t->string);
        /* The bound is how much worse than the baseline the model may be. */
        double bound = hi ? base - t->valuedouble : base + t->valuedouble;
        check(out, t->string, "change against the baseline", now, bound, hi, NULL, &failed);
        cJSON *last = cJSON_GetArrayItem(out, cJSON_GetArraySize(out) - 1);
        cJSON_AddItemToObject(last, "baseline", mlp_json_number(base));
    }
    *blessed = failed == 0;
    cJSON_AddBoolToObject(doc, "blessed", *blessed);
    cJSON_AddItemToObject(doc, "failed", cJSON_CreateNumber(failed));
    return doc;
}
