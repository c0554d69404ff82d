/* Internal: the artifact record behind mlp_artifact. */
#ifndef MLPIPE_CORE_ARTIFACT_PRIV_H
#define MLPIPE_CORE_ARTIFACT_PRIV_H

#include <stdint.h>

#include <mlpipe/artifact.h>

#include "fsutil.h"

struct mlp_artifact {
    int64_t id;
    char *type;
    char *uri;          /* final directory, absolute */
    char *loc;          /* the same, relative to the root (as stored) */
    char *work_uri;     /* outputs: temporary directory written during the run */
    cJSON *props;       /* object, owned */
    char fingerprint[MLPI_HASH_HEX];
    int writable;
};

/* uri: absolute directory; loc: its location relative to the root. */
mlp_artifact *mlpi_artifact_new(int64_t id, const char *type, const char *uri,
                                const char *loc);
void mlpi_artifact_free(mlp_artifact *a);
mlp_artifact *mlpi_artifact_dup(const mlp_artifact *a);

#endif
