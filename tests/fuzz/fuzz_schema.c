/* libFuzzer target: the schema loader must reject bad input with a message
 * naming the origin, never crash, and accept only schemas it can check
 * again. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <mlpipe/schema.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cJSON *s = NULL;
    mlp_error err;
    int rc = mlp_schema_parse((const char *)data, size, "fuzz.json", &s, &err);

    if (rc != MLP_OK) {
        if (s != NULL || strncmp(err.msg, "fuzz.json", 9) != 0)
            abort();
        return 0;
    }
    if (mlp_schema_check(s, "again", &err) != MLP_OK)
        abort();
    for (const cJSON *f = cJSON_GetObjectItem(s, "features")->child; f; f = f->next) {
        mlp_schema_domain_values(s, f);
        mlp_schema_feature_active(s, f, "SERVING");
    }
    cJSON_Delete(s);
    return 0;
}
