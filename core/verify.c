/* Artifact verification against manifests. */
#define _GNU_SOURCE
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mlpipe/log.h>

#include "artifact_priv.h"
#include "rootdir.h"
#include "verify.h"

int mlpi_verify_artifact(mlpi_store *s, int64_t id, int full, mlp_error *err)
{
    mlp_artifact *a = NULL;
    mlpi_manifest m = { 0 };
    size_t refreshed = 0;
    int rc = mlpi_store_artifact_get(s, id, &a, err);

    if (rc == MLP_OK)
        rc = mlpi_store_manifest_get(s, id, &m, err);
    if (rc == MLP_ENOTFOUND)
        rc = mlp_error_set(err, MLP_ECORRUPT, "no manifest of its files was "
                           "recorded");
    if (rc == MLP_OK && !mlpi_is_dir(a->uri))
        rc = mlp_error_set(err, MLP_ECORRUPT, "its directory %s is gone", a->loc);
    if (rc == MLP_OK)
        rc = mlpi_manifest_check(a->uri, &m, full, &refreshed, err);
    if (rc == MLP_OK && refreshed > 0 && mlpi_store_writable(s)) {
        /* Best effort: a failure here only costs a re-hash next time. */
        if (mlpi_store_begin(s, NULL) == MLP_OK) {
            if (mlpi_store_manifest_refresh(s, id, &m, NULL) == MLP_OK)
                mlpi_store_commit(s, NULL);
            else
                mlpi_store_rollback(s);
        }
    }
    mlpi_manifest_free(&m);
    mlpi_artifact_free(a);
    return rc;
}

int mlpi_verify_retire(mlpi_store *s, int64_t id, const char *reason,
                       mlp_error *err)
{
    mlp_artifact *a = NULL;
    char why[MLP_ERROR_MAX + 512];
    int rc = mlpi_store_artifact_get(s, id, &a, err);

    if (rc != MLP_OK)
        return rc;
    snprintf(why, sizeof why, "damaged: %s", reason);
    rc = mlpi_store_begin(s, err);
    if (rc == MLP_OK)
        rc = mlpi_store_artifact_set_state(s, id, "DELETED", why, err);
    if (rc == MLP_OK)
        rc = mlpi_store_commit(s, err);
    else
        mlpi_store_rollback(s);
    /* Retired it is; a directory we may not remove (it leads outside the
     * root) stays, and verify lists it as an orphan. */
    if (rc == MLP_OK) {
        mlp_error e;
        if (mlpi_root_remove(mlpi_store_root(s), a->uri, &e) == MLP_OK)
            mlpi_root_prune(mlpi_store_root(s), a->uri);
        else
            mlp_log(MLP_LOG_WARN, "%s", e.msg);
    }
    mlpi_artifact_free(a);
    return rc;
}
