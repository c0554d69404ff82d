/* Execution files: what the store knows of one execution, kept beside its
 * outputs for rebuilding the store. */
#define _GNU_SOURCE
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mlpipe/json.h>
#include <mlpipe/memory.h>

#include "execfile.h"
#include "rootdir.h"

/* The hash of the document's canonical text without its "checksum". */
static int doc_checksum(const cJSON *doc, char out[MLPI_HASH_HEX])
{
    cJSON *copy = cJSON_Duplicate(doc, 1);
    char *text;

    if (copy == NULL)
        return MLP_ENOMEM;
    cJSON_DeleteItemFromObjectCaseSensitive(copy, "checksum");
    text = mlp_json_canonical(copy);
    cJSON_Delete(copy);
    if (text == NULL)
        return MLP_ENOMEM;
    mlpi_hash_bytes(text, strlen(text), out);
    mlp_free(text);
    return MLP_OK;
}

static cJSON *one_row(mlpi_store *s, const char *sql, int64_t id,
                      mlp_error *err)
{
    cJSON *rows = NULL, *row;

    if (mlpi_store_query(s, sql, &id, 1, &rows, err) != MLP_OK)
        return NULL;
    row = cJSON_DetachItemFromArray(rows, 0);
    cJSON_Delete(rows);
    if (row == NULL)
        mlp_error_set(err, MLP_ENOTFOUND, "no execution %lld", (long long)id);
    return row;
}

/* Replaces a JSON-text field by its parsed value. */
static void parse_field(cJSON *obj, const char *key)
{
    const char *t = cJSON_GetStringValue(cJSON_GetObjectItem(obj, key));
    cJSON *v = t ? mlp_json_parse(t, strlen(t)) : NULL;

    if (v != NULL)
        cJSON_ReplaceItemInObject(obj, key, v);
}

int mlpi_execfile_write(mlpi_store *s, int64_t exec_id, mlp_error *err)
{
    cJSON *doc, *outs = NULL, *ins = NULL, *o, *ctx = NULL;
    char dir[PATH_MAX], path[PATH_MAX], loc[PATH_MAX];
    int rc = MLP_OK;

    doc = one_row(s, "SELECT node, component, fingerprint, fingerprint_parts,"
                  " params, attempt, dir, start_time, end_time FROM execution "
                  "WHERE id=?", exec_id, err);
    if (doc == NULL)
        return err ? err->code : MLP_ENOTFOUND;
    parse_field(doc, "fingerprint_parts");
    parse_field(doc, "params");
    cJSON_AddStringToObject(doc, "format", "mlpipe-execution");
    cJSON_AddNumberToObject(doc, "version", MLPI_EXECFILE_VERSION);
    cJSON_AddStringToObject(doc, "root_id", mlpi_store_root_id(s));
    ctx = one_row(s, "SELECT c.name FROM association x JOIN context c ON "
                  "c.id=x.context_id WHERE x.execution_id=? AND "
                  "c.type='pipeline'", exec_id, NULL);
    cJSON_AddStringToObject(doc, "pipeline",
                            ctx ? cJSON_GetStringValue(cJSON_GetObjectItem(ctx, "name"))
                                : "");
    cJSON_Delete(ctx);
    if (mlpi_store_query(s, "SELECT v.port, v.idx, a.uri, a.fingerprint FROM "
                         "event v JOIN artifact a ON a.id=v.artifact_id WHERE "
                         "v.execution_id=? AND v.type='INPUT' ORDER BY v.id",
                         &exec_id, 1, &ins, err) != MLP_OK ||
        mlpi_store_query(s, "SELECT v.port, a.id, t.name AS type, a.uri, "
                         "a.fingerprint, a.properties FROM event v JOIN "
                         "artifact a ON a.id=v.artifact_id JOIN artifact_type "
                         "t ON t.id=a.type_id WHERE v.execution_id=? AND "
                         "v.type='OUTPUT' ORDER BY v.id", &exec_id, 1, &outs,
                         err) != MLP_OK) {
        rc = err ? err->code : MLP_EIO;
        goto done;
    }
    cJSON_ArrayForEach(o, outs) {
        mlpi_manifest m = { 0 };
        int64_t aid = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(o, "id"));
        parse_field(o, "properties");
        /* The id stays: properties name artifacts by id (a blessing its
         * model), so a rebuilt store takes the same ones. */
        rc = mlpi_store_manifest_get(s, aid, &m, err);
        if (rc == MLP_OK)
            cJSON_AddItemToObject(o, "files", mlpi_manifest_to_json(&m));
        mlpi_manifest_free(&m);
        if (rc != MLP_OK)
            goto done;
    }
    cJSON_AddItemToObject(doc, "inputs", ins);
    cJSON_AddItemToObject(doc, "outputs", outs);
    ins = outs = NULL;
    snprintf(loc, sizeof loc, "artifacts/%s/%s",
             cJSON_GetStringValue(cJSON_GetObjectItem(doc, "node")),
             cJSON_GetStringValue(cJSON_GetObjectItem(doc, "dir")));
    rc = mlpi_root_path(mlpi_store_root(s), loc, dir, sizeof dir, err);
    if (rc == MLP_OK)
        rc = mlpi_root_mkdir(mlpi_store_root(s), dir, err);
    if (rc == MLP_OK && mlpi_path_join(path, sizeof path, dir,
                                       MLPI_EXECFILE_NAME) != MLP_OK)
        rc = mlp_error_set(err, MLP_EINVAL, "%s: path too long", dir);
    if (rc == MLP_OK) {
        char sum[MLPI_HASH_HEX];
        rc = doc_checksum(doc, sum);
        if (rc == MLP_OK)
            cJSON_AddStringToObject(doc, "checksum", sum);
        else
            mlp_error_set(err, rc, "out of memory");
    }
    if (rc == MLP_OK)
        rc = mlp_json_write_file(path, doc, err);
done:
    cJSON_Delete(ins);
    cJSON_Delete(outs);
    cJSON_Delete(doc);
    return rc;
}

static int need(const cJSON *o, const char *key, int string, const char *path,
                mlp_error *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

    if (string ? cJSON_IsString(v) : v != NULL)
        return MLP_OK;
    return mlp_error_set(err, MLP_EFORMAT, "%s: field '%s' is missing or not "
                         "%s", path, key, string ? "a string" : "set");
}

int mlpi_execfile_read(const char *path, cJSON **doc, mlp_error *err)
{
    static const char *const strs[] = { "format", "node", "component",
                                        "fingerprint", "dir", "root_id", NULL };
    const cJSON *o;
    char prefix[PATH_MAX];
    int rc = mlp_json_read_file(path, doc, err);

    if (rc != MLP_OK)
        return rc;
    for (int i = 0; rc == MLP_OK && strs[i]; i++)
        rc = need(*doc, strs[i], 1, path, err);
    if (rc == MLP_OK && strcmp(cJSON_GetObjectItem(*doc, "format")->valuestring,
                               "mlpipe-execution") != 0)
        rc = mlp_error_set(err, MLP_EFORMAT, "%s is not an execution file", path);
    if (rc == MLP_OK &&
        cJSON_GetNumberValue(cJSON_GetObjectItem(*doc, "version")) >
        MLPI_EXECFILE_VERSION)
        rc = mlp_error_set(err, MLP_EVERSION, "%s: written by a newer mlpipe",
                           path);
    if (rc == MLP_OK) {
        char sum[MLPI_HASH_HEX];
        const char *want = cJSON_GetStringValue(cJSON_GetObjectItem(*doc, "checksum"));
        rc = doc_checksum(*doc, sum);
        if (rc == MLP_OK && (want == NULL || strcmp(want, sum) != 0))
            rc = mlp_error_set(err, MLP_EFORMAT, "%s changed after it was "
                               "written (its checksum does not match)", path);
    }
    if (rc == MLP_OK && !cJSON_IsArray(cJSON_GetObjectItem(*doc, "outputs")))
        rc = mlp_error_set(err, MLP_EFORMAT, "%s: 'outputs' is not a list", path);
    if (rc == MLP_OK && !cJSON_IsArray(cJSON_GetObjectItem(*doc, "inputs")))
        rc = mlp_error_set(err, MLP_EFORMAT, "%s: 'inputs' is not a list", path);
    if (rc == MLP_OK)
        snprintf(prefix, sizeof prefix, "artifacts/%s/%s/",
                 cJSON_GetObjectItem(*doc, "node")->valuestring,
                 cJSON_GetObjectItem(*doc, "dir")->valuestring);
    if (rc == MLP_OK)
        cJSON_ArrayForEach(o, cJSON_GetObjectItem(*doc, "outputs")) {
            const char *uri = cJSON_GetStringValue(cJSON_GetObjectItem(o, "uri"));
            if (rc == MLP_OK)
                rc = need(o, "type", 1, path, err);
            if (rc == MLP_OK)
                rc = need(o, "fingerprint", 1, path, err);
            if (rc == MLP_OK)
                rc = need(o, "files", 0, path, err);
            if (rc == MLP_OK && (uri == NULL ||
                                 strncmp(uri, prefix, strlen(prefix)) != 0 ||
                                 strchr(uri + strlen(prefix), '/') != NULL))
                rc = mlp_error_set(err, MLP_EFORMAT, "%s: an output's location "
                                   "is not inside %s", path, prefix);
        }
    if (rc != MLP_OK) {
        cJSON_Delete(*doc);
        *doc = NULL;
    }
    return rc;
}
