/* Artifact records: the view a component has of its inputs and outputs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <mlpipe/json.h>

#include "artifact_priv.h"

mlp_artifact *mlpi_artifact_new(int64_t id, const char *type, const char *uri,
                                const char *loc)
{
    mlp_artifact *a = calloc(1, sizeof *a);

    if (a == NULL)
        return NULL;
    a->id = id;
    a->type = strdup(type);
    a->uri = strdup(uri);
    a->loc = strdup(loc);
    a->props = cJSON_CreateObject();
    if (a->type == NULL || a->uri == NULL || a->loc == NULL || a->props == NULL) {
        mlpi_artifact_free(a);
        return NULL;
    }
    return a;
}

void mlpi_artifact_free(mlp_artifact *a)
{
    if (a == NULL)
        return;
    free(a->type);
    free(a->uri);
    free(a->loc);
    free(a->work_uri);
    cJSON_Delete(a->props);
    free(a);
}

mlp_artifact *mlpi_artifact_dup(const mlp_artifact *a)
{
    mlp_artifact *d = mlpi_artifact_new(a->id, a->type, a->uri, a->loc);

    if (d == NULL)
        return NULL;
    cJSON_Delete(d->props);
    d->props = cJSON_Duplicate(a->props, 1);
    memcpy(d->fingerprint, a->fingerprint, sizeof d->fingerprint);
    if (d->props == NULL) {
        mlpi_artifact_free(d);
        return NULL;
    }
    return d;
}

const char *mlp_artifact_type(const mlp_artifact *a) { return a->type; }

const char *mlp_artifact_uri(const mlp_artifact *a)
{
    return a->writable && a->work_uri ? a->work_uri : a->uri;
}

int64_t mlp_artifact_id(const mlp_artifact *a) { return a->id; }

const cJSON *mlp_artifact_property(const mlp_artifact *a, const char *name)
{
    return cJSON_GetObjectItemCaseSensitive(a->props, name);
}

const cJSON *mlp_artifact_properties(const mlp_artifact *a)
{
    return a->props;
}

int mlp_artifact_set_property(mlp_artifact *a, const char *name, cJSON *value,
                              mlp_error *err)
{
    if (!a->writable) {
        cJSON_Delete(value);
        return mlp_error_set(err, MLP_ESTATE,
                             "artifact %s is an input and cannot be changed",
                             a->uri);
    }
    if (value == NULL)
        return mlp_error_set(err, MLP_EINVAL, "property '%s': no value", name);
    if (cJSON_GetObjectItemCaseSensitive(a->props, name) != NULL)
        cJSON_ReplaceItemInObjectCaseSensitive(a->props, name, value);
    else
        cJSON_AddItemToObject(a->props, name, value);
    return MLP_OK;
}

int mlp_artifact_has_file(const mlp_artifact *a, const char *name)
{
    char path[4096];
    struct stat st;
    return mlp_artifact_path(a, name, path, sizeof path, NULL) == MLP_OK &&
           stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int mlp_artifact_path(const mlp_artifact *a, const char *file, char *buf,
                      size_t size, mlp_error *err)
{
    if (strstr(file, "..") != NULL || file[0] == '/')
        return mlp_error_set(err, MLP_EINVAL,
                             "'%s' is not a plain file name inside the "
                             "artifact", file);
    if (mlpi_path_join(buf, size, mlp_artifact_uri(a), file) != MLP_OK)
        return mlp_error_set(err, MLP_EINVAL, "path too long: %s/%s",
                             mlp_artifact_uri(a), file);
    return MLP_OK;
}

int mlp_artifact_read_json(const mlp_artifact *a, const char *file,
                           cJSON **out, mlp_error *err)
{
    char path[4096];
    int rc = mlp_artifact_path(a, file, path, sizeof path, err);

    *out = NULL;
    return rc == MLP_OK ? mlp_json_read_file(path, out, err) : rc;
}

int mlp_artifact_write_json(mlp_artifact *a, const char *file,
                            const cJSON *value, mlp_error *err)
{
    char path[4096];
    int rc = mlp_artifact_path(a, file, path, sizeof path, err);

    if (rc == MLP_OK && !a->writable)
        rc = mlp_error_set(err, MLP_ESTATE, "artifact %s is an input and "
                           "cannot be changed", a->uri);
    return rc == MLP_OK ? mlp_json_write_file(path, value, err) : rc;
}
