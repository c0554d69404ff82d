/* What `mlpipe show` and `mlpipe report` share: finding the plugins that
 * define a run's artifact types, and rendering one artifact with its
 * type's view, or the generic view when there is none or it failed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mlpipe/json.h>

#include "artifact_priv.h"
#include "cli.h"
#include "fsutil.h"
#include "metadata.h"
#include "view_priv.h"

/* The plugin directories recorded by the runs in rows[*].properties, and
 * the plugin each type came from (the latest run's word wins). */
static void add_dirs(const cJSON *rows, cJSON *dirs, cJSON *types)
{
    const cJSON *r, *d;

    cJSON_ArrayForEach(r, rows) {
        const char *text = mlp_json_str(r, "properties");
        cJSON *props = mlp_json_parse(text, strlen(text));
        cJSON_ArrayForEach(d, cJSON_GetObjectItem(props, "type_plugins"))
            if (cJSON_IsString(d) && !cJSON_HasObjectItem(types, d->string))
                cJSON_AddStringToObject(types, d->string, d->valuestring);
        cJSON_ArrayForEach(d, cJSON_GetObjectItem(props, "plugin_dirs")) {
            const cJSON *seen;
            int dup = 0;
            if (!cJSON_IsString(d))
                continue;
            cJSON_ArrayForEach(seen, dirs)
                dup |= strcmp(seen->valuestring, d->valuestring) == 0;
            if (!dup)
                cJSON_AddItemToArray(dirs, cJSON_CreateString(d->valuestring));
        }
        cJSON_Delete(props);
    }
}

mlpi_registry *mlpi_cli_view_registry(mlpi_store *s, int64_t run_ctx,
                                      int64_t artifact, cJSON **types)
{
    cJSON *rows = NULL, *dirs = cJSON_CreateArray();
    char **list;
    mlpi_registry *r = NULL;
    int n;

    /* A run's own directories; for an artifact, those of the runs that
     * made or reused it, latest first. */
    if (run_ctx > 0)
        mlpi_store_query(s, "SELECT properties FROM context WHERE id=?",
                         &run_ctx, 1, &rows, NULL);
    else
        mlpi_store_query(s, "SELECT DISTINCT c.properties, c.id FROM event v "
                         "JOIN association x ON x.execution_id=v.execution_id "
                         "JOIN context c ON c.id=x.context_id WHERE "
                         "v.artifact_id=? AND c.type='run' ORDER BY c.id DESC",
                         &artifact, 1, &rows, NULL);
    *types = cJSON_CreateObject();
    add_dirs(rows, dirs, *types);
    cJSON_Delete(rows);
    n = cJSON_GetArraySize(dirs);
    list = calloc((size_t)n + 1, sizeof *list);
    if (list != NULL) {
        int k = 0;
        /* A directory that is gone is said once, not an error: its types
         * are shown with the generic view. */
        for (int i = 0; i < n; i++) {
            const char *d = cJSON_GetArrayItem(dirs, i)->valuestring;
            if (mlpi_is_dir(d))
                list[k++] = (char *)d;
            else
                fprintf(stderr, "mlpipe: note: plugin directory %s, which the "
                        "run used, is gone: the types its plugins define are "
                        "shown with the generic view\n", d);
        }
        r = mlpi_cli_registry(list, k, NULL, 0, 0, NULL);
    }
    free(list);
    cJSON_Delete(dirs);
    return r;
}

int mlpi_cli_render(mlpi_registry *r, const cJSON *types, mlpi_store *s,
                    const cJSON *rec, mlp_view_kind kind, FILE *out,
                    mlp_error *err)
{
    int64_t id = (int64_t)mlp_json_num(rec, "id");
    const char *state = mlp_json_str(rec, "state");
    mlp_artifact *a = mlpi_artifact_new(id, mlp_json_str(rec, "type"),
                                        mlp_json_str(rec, "path"),
                                        mlp_json_str(rec, "uri"));
    cJSON *files = NULL;
    mlpi_view_target t;
    int rc = MLP_ENOTFOUND;

    mlp_error_clear(err);
    if (a == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    cJSON_Delete(a->props);
    a->props = cJSON_Duplicate(cJSON_GetObjectItem(rec, "properties"), 1);
    if (!cJSON_IsObject(a->props)) {
        cJSON_Delete(a->props);
        a->props = cJSON_CreateObject();
    }
    mlpi_store_query(s, "SELECT name, size FROM artifact_file WHERE "
                     "artifact_id=? ORDER BY name", &id, 1, &files, NULL);
    memset(&t, 0, sizeof t);
    t.a = a;
    t.state = state;
    t.reason = mlp_json_str(rec, "reason");
    t.producer = cJSON_GetObjectItem(rec, "producer");
    t.files = files;
    t.made_by = cJSON_GetStringValue(cJSON_GetObjectItem(types, mlp_json_str(rec, "type")));
    /* Only what is still as published goes to a plugin's view.  It is
     * rendered aside first: in a terminal the store's lines frame it. */
    if (strcmp(state, "LIVE") == 0) {
        char *buf = NULL;
        size_t len = 0;
        FILE *mem = open_memstream(&buf, &len);
        rc = mem ? mlpi_view_render(r, &t, kind, mem, err)
                 : mlp_error_set(err, MLP_ENOMEM, "out of memory");
        if (mem)
            fclose(mem);
        if (rc == MLP_OK && kind == MLP_VIEW_TEXT)
            mlpi_view_frame(&t, out, 0);
        if (rc == MLP_OK)
            fwrite(buf, 1, len, out);
        if (rc == MLP_OK && kind == MLP_VIEW_TEXT)
            mlpi_view_frame(&t, out, 1);
        free(buf);
    }
    if (rc != MLP_OK)
        mlpi_view_generic(&t, kind, out);
    cJSON_Delete(files);
    mlpi_artifact_free(a);
    return rc == MLP_ENOTFOUND ? MLP_OK : rc;
}
