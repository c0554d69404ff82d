/* JSON objects by a string member (json.h, mlp_json_index). */
#include <stdint.h>

#include <mlpipe/json.h>
#include <mlpipe/memory.h>
#include <mlpipe/names.h>

struct mlp_json_index {
    const cJSON **item;     /* the objects indexed, by position */
    mlp_names *names;       /* member value -> position */
};

mlp_json_index *mlp_json_index_new(const cJSON *arr, const char *key)
{
    mlp_json_index *ix = mlp_calloc(1, sizeof *ix);
    const cJSON *o;
    size_t n = 0;

    if (ix == NULL)
        return NULL;
    ix->item = mlp_calloc((size_t)(cJSON_IsArray(arr) ? cJSON_GetArraySize(arr) : 0) + 1,
                          sizeof *ix->item);
    ix->names = mlp_names_new();
    if (ix->item == NULL || ix->names == NULL) {
        mlp_json_index_free(ix);
        return NULL;
    }
    if (cJSON_IsArray(arr))
        cJSON_ArrayForEach(o, arr) {
            const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
            if (v == NULL)
                continue;
            /* A repeat keeps the first (EEXIST); only exhaustion fails. */
            if (mlp_names_add(ix->names, v, n, NULL) == MLP_ENOMEM) {
                mlp_json_index_free(ix);
                return NULL;
            }
            ix->item[n++] = o;
        }
    return ix;
}

const cJSON *mlp_json_index_find(const mlp_json_index *ix, const char *value)
{
    size_t i = value ? mlp_names_find(ix->names, value) : SIZE_MAX;
    return i == SIZE_MAX ? NULL : ix->item[i];
}

void mlp_json_index_free(mlp_json_index *ix)
{
    if (ix == NULL)
        return;
    mlp_free(ix->item);
    mlp_names_free(ix->names);
    mlp_free(ix);
}
