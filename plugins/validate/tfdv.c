/* Anomalies in TFDV's form: tensorflow_metadata's Anomalies message in the
 * protobuf JSON mapping, as TFDV's tools read it.  A feature's anomalies
 * become the reasons of one AnomalyInfo (its severity the worst of them);
 * a kind of our own, which TFDV's enum lacks, is UNKNOWN_TYPE with our
 * name in its short description.  The baseline schema is not repeated:
 * it is the Schema artifact's schema.tfdv.json. */
#include <stdio.h>
#include <string.h>

#include <mlpipe/mlpipe.h>

#include "tfdv.h"

/* Kinds this validator raises that TFDV's AnomalyInfo.Type does not have. */
static int ours(const char *kind)
{
    return strcmp(kind, "COMPARATOR_LOW_SAMPLE_COUNT") == 0;
}

static cJSON *path_of(const char *name)
{
    cJSON *p = cJSON_CreateObject(), *steps = cJSON_AddArrayToObject(p, "step");

    cJSON_AddItemToArray(steps, cJSON_CreateString(name));
    return p;
}

/* Adds anomaly a to info (created on first use) as a reason. */
static void add_reason(cJSON *info, const cJSON *a)
{
    const char *kind = mlp_json_str(a, "kind"), *sev = mlp_json_str(a, "severity");
    cJSON *r = cJSON_CreateObject();
    const char *prev = mlp_json_str(info, "severity");

    cJSON_AddStringToObject(r, "type", ours(kind) ? "UNKNOWN_TYPE" : kind);
    cJSON_AddStringToObject(r, "shortDescription", kind);
    cJSON_AddStringToObject(r, "description", mlp_json_str(a, "description"));
    cJSON_AddItemToArray(cJSON_GetObjectItem(info, "reason"), r);
    if (*prev == '\0' || strcmp(sev, "ERROR") == 0) {
        cJSON_DeleteItemFromObject(info, "severity");
        cJSON_AddStringToObject(info, "severity", sev);
    }
    /* The info's own descriptions: its reasons', joined. */
    const char *d = mlp_json_str(info, "description");
    size_t n = strlen(d) + strlen(mlp_json_str(a, "description")) + 3;
    char *both = mlp_malloc(n);
    if (both != NULL) {
        snprintf(both, n, "%s%s%s", d, *d ? " " : "", mlp_json_str(a, "description"));
        cJSON_DeleteItemFromObject(info, "description");
        cJSON_AddStringToObject(info, "description", both);
        mlp_free(both);
    }
    cJSON_DeleteItemFromObject(info, "shortDescription");
    cJSON_AddStringToObject(info, "shortDescription",
                            cJSON_GetArraySize(cJSON_GetObjectItem(info, "reason")) > 1
                            ? "Multiple errors" : kind);
}

static cJSON *new_info(const char *feature)
{
    cJSON *info = cJSON_CreateObject();

    if (feature != NULL)
        cJSON_AddItemToObject(info, "path", path_of(feature));
    cJSON_AddArrayToObject(info, "reason");
    return info;
}

static void add_measurements(cJSON *infos, const cJSON *list, const char *key)
{
    const cJSON *d;

    cJSON_ArrayForEach(d, list) {
        const char *name = mlp_json_str(d, "feature"), *cmp = mlp_json_str(d, "comparator");
        cJSON *info = NULL, *x;
        if (!cJSON_IsNumber(cJSON_GetObjectItem(d, "distance")))
            continue;  /* skipped: nothing was measured */
        cJSON_ArrayForEach(x, infos)
            if (strcmp(cJSON_GetStringValue(cJSON_GetArrayItem(
                    cJSON_GetObjectItem(cJSON_GetObjectItem(x, "path"), "step"), 0)),
                       name) == 0)
                info = x;
        if (info == NULL) {
            info = cJSON_CreateObject();
            cJSON_AddItemToObject(info, "path", path_of(name));
            cJSON_AddItemToArray(infos, info);
        }
        cJSON *arr = cJSON_GetObjectItem(info, key);
        if (arr == NULL)
            arr = cJSON_AddArrayToObject(info, key);
        cJSON *m = cJSON_CreateObject();
        cJSON_AddStringToObject(m, "type", strcmp(cmp, "infinity_norm") == 0 ? "L_INFTY"
                                : strcmp(cmp, "normalized_abs_difference") == 0
                                  ? "NORMALIZED_ABSOLUTE_DIFFERENCE"
                                  : "JENSEN_SHANNON_DIVERGENCE");
        cJSON_AddNumberToObject(m, "value", mlp_json_num(d, "distance"));
        cJSON_AddNumberToObject(m, "threshold", mlp_json_num(d, "threshold"));
        cJSON_AddItemToArray(arr, m);
    }
}

cJSON *tfdv_anomalies_export(const cJSON *split)
{
    cJSON *out = cJSON_CreateObject(), *by_feature, *dataset = NULL, *infos;
    const cJSON *a;

    cJSON_AddStringToObject(out, "anomalyNameFormat", "SERIALIZED_PATH");
    by_feature = cJSON_AddObjectToObject(out, "anomalyInfo");
    cJSON_ArrayForEach(a, cJSON_GetObjectItem(split, "anomalies")) {
        const char *f = cJSON_GetStringValue(cJSON_GetObjectItem(a, "feature"));
        cJSON *info;
        if (f == NULL) {
            if (dataset == NULL)
                dataset = new_info(NULL);
            add_reason(dataset, a);
            continue;
        }
        info = cJSON_GetObjectItemCaseSensitive(by_feature, f);
        if (info == NULL) {
            info = new_info(f);
            cJSON_AddItemToObject(by_feature, f, info);
        }
        add_reason(info, a);
    }
    if (dataset != NULL)
        cJSON_AddItemToObject(out, "datasetAnomalyInfo", dataset);
    cJSON_AddBoolToObject(out, "dataMissing", mlp_json_num(split, "num_examples") == 0);
    infos = cJSON_CreateArray();
    add_measurements(infos, cJSON_GetObjectItem(split, "drift"), "driftMeasurements");
    add_measurements(infos, cJSON_GetObjectItem(split, "skew"), "skewMeasurements");
    if (cJSON_GetArraySize(infos) > 0)
        cJSON_AddItemToObject(out, "driftSkewInfo", infos);
    else
        cJSON_Delete(infos);
    return out;
}
