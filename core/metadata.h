/* Internal: the metadata store (SQLite, following ML Metadata's model).
 *
 * Artifact types, artifacts (PENDING, LIVE, DELETED), executions (RUNNING,
 * COMPLETE, FAILED, CACHED, CANCELED), INPUT/OUTPUT events keyed by port,
 * and contexts (one per pipeline, one per run) with attributions and
 * associations.  Only the parent `mlpipe` process touches the store; child
 * processes that run components never open it.
 */
#ifndef MLPIPE_CORE_METADATA_H
#define MLPIPE_CORE_METADATA_H

#include <stdint.h>

#include <cjson/cJSON.h>

#include <mlpipe/artifact.h>

#include "fsutil.h"

#define MLPI_SCHEMA_VERSION 1

typedef struct mlpi_store mlpi_store;

/* Opens (creating if needed) the store at path.  A store whose schema is
 * newer than MLPI_SCHEMA_VERSION is refused with MLP_EVERSION. */
int mlpi_store_open(const char *path, mlpi_store **out, mlp_error *err);
void mlpi_store_close(mlpi_store *s);

int mlpi_store_begin(mlpi_store *s, mlp_error *err);
int mlpi_store_commit(mlpi_store *s, mlp_error *err);
void mlpi_store_rollback(mlpi_store *s);

/* Finds or creates the context (type, name). */
int mlpi_store_context(mlpi_store *s, const char *type, const char *name,
                       const cJSON *props, int64_t *id, mlp_error *err);
int mlpi_store_context_set_props(mlpi_store *s, int64_t id, const cJSON *props,
                                 mlp_error *err);

/* Marks executions left RUNNING by a process that died as FAILED and their
 * PENDING outputs as DELETED; returns the URIs of those outputs (a JSON
 * array, owned) so the caller can remove any directories left behind. */
int mlpi_store_recover(mlpi_store *s, cJSON **orphan_uris, mlp_error *err);

int mlpi_store_execution_start(mlpi_store *s, const char *node,
                               const char *component, const char *fingerprint,
                               const char *fp_parts, const char *params,
                               int attempt, const int64_t *contexts,
                               int n_contexts, int64_t *id, mlp_error *err);
int mlpi_store_execution_finish(mlpi_store *s, int64_t exec_id,
                                const char *state, const char *error_msg,
                                mlp_error *err);
int mlpi_store_execution_cached(mlpi_store *s, int64_t exec_id,
                                int64_t cached_from, mlp_error *err);

int mlpi_store_artifact_new(mlpi_store *s, const char *type, const char *uri,
                            const char *state, const int64_t *contexts,
                            int n_contexts, int64_t *id, mlp_error *err);
int mlpi_store_artifact_publish(mlpi_store *s, int64_t id,
                                const char *fingerprint, const cJSON *props,
                                mlp_error *err);
int mlpi_store_artifact_set_state(mlpi_store *s, int64_t id, const char *state,
                                  mlp_error *err);
/* Loads an artifact record; *out is owned (mlpi_artifact_free). */
int mlpi_store_artifact_get(mlpi_store *s, int64_t id, mlp_artifact **out,
                            mlp_error *err);

int mlpi_store_event(mlpi_store *s, int64_t exec_id, int64_t artifact_id,
                     const char *type, const char *port, int idx,
                     mlp_error *err);

/* The newest COMPLETE execution with this fingerprint whose outputs are all
 * LIVE, or 0.  Its outputs come back as a JSON array of
 * {port, artifact_id} (owned). */
int mlpi_store_cache_lookup(mlpi_store *s, const char *fingerprint,
                            int64_t *exec_id, cJSON **outputs, mlp_error *err);
/* The fingerprint parts of the newest finished execution of a node of this
 * pipeline, for --explain; NULL text when none. */
int mlpi_store_last_parts(mlpi_store *s, int64_t pipeline_ctx,
                          const char *node, int64_t *exec_id, char **parts,
                          mlp_error *err);

/* The content hash of a data file, remembered by (device, inode, size,
 * modification time) so an unchanged multi-gigabyte input is not read again
 * on every run.  A file modified in the last two seconds is always hashed
 * afresh: its timestamp may not yet tell two versions apart. */
int mlpi_store_file_hash(mlpi_store *s, const char *path,
                         char out[MLPI_HASH_HEX], mlp_error *err);

/* Runs a query and returns its rows as a JSON array of objects (owned).
 * For the read-only CLI views. */
int mlpi_store_query(mlpi_store *s, const char *sql, const int64_t *args,
                     int n_args, cJSON **rows, mlp_error *err);

#endif
