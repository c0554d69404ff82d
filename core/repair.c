/* Restoring executions into the store from their execution files. */
#define _GNU_SOURCE
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mlpipe/json.h>
#include <mlpipe/memory.h>

#include "execfile.h"
#include "recovery.h"
#include "repair.h"
#include "rootdir.h"

typedef struct found {
    char *loc;
    double start;
} found;

static int by_start(const void *a, const void *b)
{
    const found *x = a, *y = b;

    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    return strcmp(x->loc, y->loc);
}

/* The id an output had in the store that wrote its execution file, or 0
 * (files written before ids were kept have none): take the next. */
static int64_t want_id(const cJSON *o)
{
    const cJSON *id = cJSON_GetObjectItem(o, "id");
    double v = cJSON_IsNumber(id) ? id->valuedouble : 0;
    return v >= 1 && v <= 9007199254740992.0 && v == (double)(int64_t)v ? (int64_t)v : 0;
}

int mlpi_repair_scan(mlpi_store *s, cJSON **execs, mlp_error *err)
{
    const char *root = mlpi_store_root(s);
    char arts[PATH_MAX], **nodes = NULL;
    found *v = NULL;
    size_t nv = 0, cap = 0, n_nodes = 0;
    int rc = MLP_OK;

    *execs = cJSON_CreateArray();
    snprintf(arts, sizeof arts, "%s/artifacts", root);
    if (mlpi_dir_entries(arts, &nodes, &n_nodes, NULL) != MLP_OK)
        return MLP_OK;  /* no artifacts yet */
    for (size_t i = 0; rc == MLP_OK && i < n_nodes; i++) {
        char ndir[PATH_MAX], **dirs = NULL;
        size_t n_dirs = 0;
        snprintf(ndir, sizeof ndir, "%s/%s", arts, nodes[i]);
        if (mlpi_dir_entries(ndir, &dirs, &n_dirs, NULL) != MLP_OK)
            continue;
        for (size_t j = 0; rc == MLP_OK && j < n_dirs; j++) {
            char path[PATH_MAX];
            cJSON *doc = NULL;
            snprintf(path, sizeof path, "%s/%s/%s", ndir, dirs[j],
                     MLPI_EXECFILE_NAME);
            if (!mlpi_exists(path))
                continue;
            if (nv == cap) {
                found *nf = realloc(v, (cap = cap ? cap * 2 : 64) * sizeof *v);
                if (nf == NULL) {
                    rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
                    break;
                }
                v = nf;
            }
            /* Unreadable files still go in the list: importing them says
             * what is wrong with each. */
            v[nv].start = mlp_json_read_file(path, &doc, NULL) == MLP_OK
                ? cJSON_GetNumberValue(cJSON_GetObjectItem(doc, "start_time"))
                : 0;
            cJSON_Delete(doc);
            snprintf(path, sizeof path, "artifacts/%s/%s", nodes[i], dirs[j]);
            v[nv].loc = strdup(path);
            if (v[nv].loc != NULL)
                nv++;
        }
        mlpi_dir_entries_free(dirs, n_dirs);
    }
    mlpi_dir_entries_free(nodes, n_nodes);
    if (nv > 1)
        qsort(v, nv, sizeof *v, by_start);
    for (size_t i = 0; i < nv; i++) {
        cJSON_AddItemToArray(*execs, cJSON_CreateString(v[i].loc));
        free(v[i].loc);
    }
    free(v);
    return rc;
}

/* Builds the manifest of one output and compares it with the recorded
 * one: same files, same content hashes, same fingerprint. */
static int check_output(mlpi_store *s, const cJSON *o, mlpi_manifest *m,
                        mlp_error *err)
{
    const char *loc = cJSON_GetStringValue(cJSON_GetObjectItem(o, "uri"));
    const char *fp = cJSON_GetStringValue(cJSON_GetObjectItem(o, "fingerprint"));
    mlpi_manifest want = { 0 };
    char path[PATH_MAX], got[MLPI_HASH_HEX];
    int rc = mlpi_root_path(mlpi_store_root(s), loc, path, sizeof path, err);

    if (rc == MLP_OK && !mlpi_is_dir(path))
        rc = mlp_error_set(err, MLP_ECORRUPT, "%s is gone", loc);
    if (rc == MLP_OK)
        rc = mlpi_manifest_from_json(cJSON_GetObjectItem(o, "files"), &want, err);
    if (rc == MLP_OK) {
        rc = mlpi_manifest_build(path, m, got, err);
        if (rc != MLP_OK)
            rc = mlp_error_set(err, MLP_ECORRUPT, "%s: %s", loc, err->msg);
    }
    if (rc == MLP_OK && strcmp(got, fp) != 0) {
        rc = MLP_ECORRUPT;
        /* Name the file that differs when there is one. */
        mlp_error_set(err, rc, "%s: its files changed", loc);
        for (size_t i = 0; i < want.n; i++) {
            size_t j = 0;
            while (j < m->n && strcmp(m->files[j].name, want.files[i].name) != 0)
                j++;
            if (j == m->n || strcmp(m->files[j].hash, want.files[i].hash) != 0) {
                mlp_error_set(err, rc, "%s: file %s %s", loc,
                              want.files[i].name, j == m->n ? "is missing"
                              : "changed");
                break;
            }
        }
    }
    mlpi_manifest_free(&want);
    return rc;
}

static char *json_text(const cJSON *v, int canonical)
{
    if (v == NULL)
        return NULL;
    return canonical ? mlp_json_canonical(v) : mlp_json_print(v, 0);
}

/* A checked execution file: its document and each output's manifest as
 * built from the files now. */
typedef struct loaded {
    cJSON *doc;
    mlpi_manifest *m;
    size_t n_out;
} loaded;

static void loaded_free(loaded *l)
{
    for (size_t i = 0; l->m != NULL && i < l->n_out; i++)
        mlpi_manifest_free(&l->m[i]);
    free(l->m);
    cJSON_Delete(l->doc);
    memset(l, 0, sizeof *l);
}

/* Reads loc's execution file and checks it belongs to this root and that
 * every output's files match it.  pending: the store has this execution,
 * its outputs PENDING (finishing it); otherwise none of its outputs may be
 * LIVE in the store already (importing it). */
static int load_checked(mlpi_store *s, const char *loc, int pending,
                        loaded *l, mlp_error *err)
{
    char dir[PATH_MAX], path[PATH_MAX];
    const char *owner;
    cJSON *o;
    size_t k = 0;
    int rc = mlpi_root_path(mlpi_store_root(s), loc, dir, sizeof dir, err);

    memset(l, 0, sizeof *l);
    if (rc == MLP_OK)
        snprintf(path, sizeof path, "%s/%s", dir, MLPI_EXECFILE_NAME);
    if (rc == MLP_OK)
        rc = mlpi_execfile_read(path, &l->doc, err);
    if (rc != MLP_OK)
        return rc == MLP_EFORMAT || rc == MLP_EVERSION ? MLP_ECORRUPT : rc;
    owner = cJSON_GetStringValue(cJSON_GetObjectItem(l->doc, "root_id"));
    if (strcmp(owner, mlpi_store_root_id(s)) != 0) {
        loaded_free(l);
        return mlp_error_set(err, MLP_ECORRUPT, "%s was written for another "
                             "pipeline root (copied in from elsewhere?)", path);
    }
    l->n_out = (size_t)cJSON_GetArraySize(cJSON_GetObjectItem(l->doc, "outputs"));
    l->m = calloc(l->n_out + 1, sizeof *l->m);
    if (l->m == NULL) {
        loaded_free(l);
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    }
    cJSON_ArrayForEach(o, cJSON_GetObjectItem(l->doc, "outputs")) {
        int64_t known = 0;
        if (rc == MLP_OK && !pending)
            rc = mlpi_store_artifact_find(s, cJSON_GetStringValue(
                                              cJSON_GetObjectItem(o, "uri")),
                                          "LIVE", &known, err);
        if (rc == MLP_OK && known != 0)
            rc = mlp_error_set(err, MLP_EEXIST, "already in the store");
        if (rc == MLP_OK)
            rc = check_output(s, o, &l->m[k++], err);
    }
    if (rc != MLP_OK)
        loaded_free(l);
    return rc;
}

/* Input events to the LIVE artifacts at the recorded locations. */
static int link_inputs(mlpi_store *s, const cJSON *doc, int64_t exec_id,
                       mlp_error *err)
{
    const cJSON *o;
    int rc = MLP_OK;

    cJSON_ArrayForEach(o, cJSON_GetObjectItem(doc, "inputs")) {
        int64_t aid = 0;
        if (rc == MLP_OK)
            rc = mlpi_store_artifact_find(s, cJSON_GetStringValue(
                                              cJSON_GetObjectItem(o, "uri")),
                                          "LIVE", &aid, err);
        if (rc == MLP_OK && aid != 0)
            rc = mlpi_store_event(s, exec_id, aid, "INPUT",
                                  cJSON_GetStringValue(cJSON_GetObjectItem(o, "port")),
                                  (int)cJSON_GetNumberValue(cJSON_GetObjectItem(o, "idx")),
                                  err);
    }
    return rc;
}

/* Publishes output k of l: into artifact aid (PENDING or new). */
static int publish_output(mlpi_store *s, const loaded *l, const cJSON *o,
                          size_t k, int64_t exec_id, int64_t aid,
                          mlp_error *err)
{
    int rc = mlpi_store_artifact_publish(
        s, aid, cJSON_GetStringValue(cJSON_GetObjectItem(o, "fingerprint")),
        cJSON_GetObjectItem(o, "properties"), &l->m[k], err);

    if (rc == MLP_OK)
        rc = mlpi_store_event(s, exec_id, aid, "OUTPUT",
                              cJSON_GetStringValue(cJSON_GetObjectItem(o, "port")),
                              0, err);
    return rc;
}

int mlpi_repair_import(mlpi_store *s, const char *loc, int64_t run_ctx,
                       mlp_error *err)
{
    loaded l;
    const cJSON *o, *doc;
    int64_t ctx[2] = { 0, run_ctx }, exec_id = 0;
    char *parts = NULL, *params = NULL;
    size_t k = 0;
    int rc = load_checked(s, loc, 0, &l, err);

    if (rc != MLP_OK)
        return rc;
    doc = l.doc;
    parts = json_text(cJSON_GetObjectItem(doc, "fingerprint_parts"), 1);
    params = json_text(cJSON_GetObjectItem(doc, "params"), 0);
    rc = mlpi_store_begin(s, err);
    if (rc != MLP_OK)
        goto done;
    rc = mlpi_store_context(s, "pipeline", cJSON_GetStringValue(
                                cJSON_GetObjectItem(doc, "pipeline")),
                            NULL, &ctx[0], err);
    if (rc == MLP_OK)
        rc = mlpi_store_execution_import(
            s, cJSON_GetObjectItem(doc, "node")->valuestring,
            cJSON_GetObjectItem(doc, "component")->valuestring,
            cJSON_GetObjectItem(doc, "fingerprint")->valuestring,
            parts ? parts : "{}", params ? params : "{}",
            (int)cJSON_GetNumberValue(cJSON_GetObjectItem(doc, "attempt")),
            cJSON_GetObjectItem(doc, "dir")->valuestring,
            cJSON_GetNumberValue(cJSON_GetObjectItem(doc, "start_time")),
            cJSON_GetNumberValue(cJSON_GetObjectItem(doc, "end_time")),
            ctx, 2, &exec_id, err);
    if (rc == MLP_OK)
        rc = link_inputs(s, doc, exec_id, err);
    cJSON_ArrayForEach(o, cJSON_GetObjectItem(doc, "outputs")) {
        int64_t aid = 0;
        if (rc == MLP_OK)
            rc = mlpi_store_artifact_new_id(
                s, cJSON_GetStringValue(cJSON_GetObjectItem(o, "type")),
                cJSON_GetStringValue(cJSON_GetObjectItem(o, "uri")), "PENDING", ctx, 2,
                want_id(o), &aid, err);
        if (rc == MLP_OK)
            rc = publish_output(s, &l, o, k, exec_id, aid, err);
        k++;
    }
    if (rc == MLP_OK)
        rc = mlpi_store_commit(s, err);
    else
        mlpi_store_rollback(s);
done:
    mlp_free(parts);
    mlp_free(params);
    loaded_free(&l);
    return rc;
}

int mlpi_repair_finish(mlpi_store *s, int64_t exec_id, const char *loc,
                       mlp_error *err)
{
    loaded l;
    const cJSON *o;
    size_t k = 0;
    int rc = load_checked(s, loc, 1, &l, err);

    if (rc != MLP_OK)
        return rc;
    rc = mlpi_store_begin(s, err);
    cJSON_ArrayForEach(o, cJSON_GetObjectItem(l.doc, "outputs")) {
        const char *uri = cJSON_GetStringValue(cJSON_GetObjectItem(o, "uri"));
        int64_t aid = 0;
        /* The PENDING artifact the store made for this output. */
        if (rc == MLP_OK)
            rc = mlpi_store_artifact_find(s, uri, "PENDING", &aid, err);
        if (rc == MLP_OK && aid == 0)
            rc = mlp_error_set(err, MLP_ENOTFOUND, "the store has no pending "
                               "output at %s", uri);
        if (rc == MLP_OK)
            rc = publish_output(s, &l, o, k, exec_id, aid, err);
        k++;
    }
    if (rc == MLP_OK)
        rc = mlpi_store_execution_finish(s, exec_id, "COMPLETE", NULL, err);
    if (rc == MLP_OK)
        rc = mlpi_store_commit(s, err);
    else
        mlpi_store_rollback(s);
    loaded_free(&l);
    return rc;
}

int mlpi_repair_adopt_identity(mlpi_store *s, const cJSON *locs, mlp_error *err)
{
    cJSON *counts = cJSON_CreateObject(), *c;
    const cJSON *l;
    const char *best = NULL;
    double most = 0;
    int rc = MLP_OK;

    cJSON_ArrayForEach(l, locs) {
        char path[PATH_MAX];
        cJSON *doc = NULL;
        const char *id;
        snprintf(path, sizeof path, "%s/%s/%s", mlpi_store_root(s),
                 l->valuestring, MLPI_EXECFILE_NAME);
        if (mlpi_execfile_read(path, &doc, NULL) != MLP_OK)
            continue;
        id = cJSON_GetStringValue(cJSON_GetObjectItem(doc, "root_id"));
        c = cJSON_GetObjectItemCaseSensitive(counts, id);
        if (c == NULL)
            cJSON_AddNumberToObject(counts, id, 1);
        else
            cJSON_SetNumberValue(c, c->valuedouble + 1);
        cJSON_Delete(doc);
    }
    cJSON_ArrayForEach(c, counts)
        if (c->valuedouble > most) {
            most = c->valuedouble;
            best = c->string;
        }
    if (best != NULL)
        rc = mlpi_store_set_root_id(s, best, err);
    cJSON_Delete(counts);
    return rc;
}
