/* Internal: the metadata store (SQLite, following ML Metadata's model).
 *
 * Artifact types, artifacts (PENDING, LIVE, DELETED with a reason),
 * executions (RUNNING, COMPLETE, FAILED, CACHED, CANCELED), INPUT/OUTPUT
 * events keyed by port, contexts (one per pipeline, one per run) with
 * attributions and associations, and each artifact's manifest.
 *
 * The store lives at ROOT/metadata.sqlite and records every location
 * relative to ROOT; mlpi_store_root() is the absolute root to resolve them
 * against.  Only the parent `mlpipe` process touches the store; child
 * processes that run components never open it.
 */
#ifndef MLPIPE_CORE_METADATA_H
#define MLPIPE_CORE_METADATA_H

#include <stdint.h>

#include <cjson/cJSON.h>

#include <mlpipe/artifact.h>

#include "fsutil.h"
#include "manifest.h"

#define MLPI_SCHEMA_VERSION 2

typedef struct mlpi_store mlpi_store;

/* Opens ROOT/metadata.sqlite; root_abs must be absolute and resolved
 * (mlpi_root_resolve).
 * writable: for the one process holding the root lock.  Creates the store
 * when missing (built aside and renamed into place, so a reader never sees
 * half a store) and upgrades an older schema.
 * read-only: never creates, upgrades or writes anything; a missing store is
 * MLP_ENOTFOUND, an older or newer schema MLP_EVERSION.
 * A store whose schema is newer than this build's is refused either way
 * and left untouched; a damaged one is MLP_ECORRUPT with a way out. */
int mlpi_store_open(const char *root_abs, int writable, mlpi_store **out,
                    mlp_error *err);
void mlpi_store_close(mlpi_store *s);
const char *mlpi_store_root(const mlpi_store *s);
int mlpi_store_writable(const mlpi_store *s);
/* The store's own identity, 32 hex digits, made when it was created. */
const char *mlpi_store_root_id(const mlpi_store *s);
/* Replaces it (a store rebuilt for a root takes the root's identity). */
int mlpi_store_set_root_id(mlpi_store *s, const char *id, mlp_error *err);

int mlpi_store_begin(mlpi_store *s, mlp_error *err);
int mlpi_store_commit(mlpi_store *s, mlp_error *err);
void mlpi_store_rollback(mlpi_store *s);

/* Finds or creates the context (type, name). */
int mlpi_store_context(mlpi_store *s, const char *type, const char *name,
                       const cJSON *props, int64_t *id, mlp_error *err);
int mlpi_store_context_set_props(mlpi_store *s, int64_t id, const cJSON *props,
                                 mlp_error *err);

/* After a process died while writing this root (the caller holds the
 * lock, so no other writer is alive): executions left RUNNING become
 * FAILED, their PENDING outputs DELETED, runs left "running" become
 * "killed".  Returns the locations (JSON array of strings, owned) of the
 * directories those executions may have left, for the caller to remove. */
int mlpi_store_recover(mlpi_store *s, cJSON **leftovers, mlp_error *err);

/* Records a RUNNING execution; dir (at least 40 bytes) receives the name
 * of its directories (artifacts/NODE/DIR, logs/DIR.log, .tmp/DIR), unique
 * across every copy of the store. */
int mlpi_store_execution_start(mlpi_store *s, const char *node,
                               const char *component, const char *fingerprint,
                               const char *fp_parts, const char *params,
                               int attempt, const int64_t *contexts,
                               int n_contexts, int64_t *id, char *dir,
                               mlp_error *err);
/* Records an execution restored from its execution file (repair): already
 * COMPLETE, with its original directory name and times. */
int mlpi_store_execution_import(mlpi_store *s, const char *node,
                                const char *component, const char *fingerprint,
                                const char *fp_parts, const char *params,
                                int attempt, const char *dir, double start,
                                double end, const int64_t *contexts,
                                int n_contexts, int64_t *id, mlp_error *err);
int mlpi_store_execution_finish(mlpi_store *s, int64_t exec_id,
                                const char *state, const char *error_msg,
                                mlp_error *err);
int mlpi_store_execution_cached(mlpi_store *s, int64_t exec_id,
                                int64_t cached_from, mlp_error *err);

/* loc: the artifact's location relative to the root. */
int mlpi_store_artifact_new(mlpi_store *s, const char *type, const char *loc,
                            const char *state, const int64_t *contexts,
                            int n_contexts, int64_t *id, mlp_error *err);
/* The same, taking id `want` when it is above 0 and free (a store rebuilt
 * from execution files keeps the ids properties refer to), else the next. */
int mlpi_store_artifact_new_id(mlpi_store *s, const char *type, const char *loc,
                               const char *state, const int64_t *contexts,
                               int n_contexts, int64_t want, int64_t *id,
                               mlp_error *err);
/* Marks the artifact LIVE with its fingerprint, properties and manifest. */
int mlpi_store_artifact_publish(mlpi_store *s, int64_t id,
                                const char *fingerprint, const cJSON *props,
                                const mlpi_manifest *m, mlp_error *err);
int mlpi_store_artifact_set_state(mlpi_store *s, int64_t id, const char *state,
                                  const char *reason, mlp_error *err);
/* The id of the newest artifact at loc in state, or 0. */
int mlpi_store_artifact_find(mlpi_store *s, const char *loc, const char *state,
                             int64_t *id, mlp_error *err);
/* Loads an artifact record, its uri resolved against the root; *out is
 * owned (mlpi_artifact_free). */
int mlpi_store_artifact_get(mlpi_store *s, int64_t id, mlp_artifact **out,
                            mlp_error *err);

/* The manifest recorded at publication (m must be zeroed; free with
 * mlpi_manifest_free).  An artifact published before manifests existed
 * has none: MLP_ENOTFOUND. */
int mlpi_store_manifest_get(mlpi_store *s, int64_t id, mlpi_manifest *m,
                            mlp_error *err);
/* Stores the new identities of the files mlpi_manifest_check refreshed. */
int mlpi_store_manifest_refresh(mlpi_store *s, int64_t id,
                                const mlpi_manifest *m, mlp_error *err);

int mlpi_store_event(mlpi_store *s, int64_t exec_id, int64_t artifact_id,
                     const char *type, const char *port, int idx,
                     mlp_error *err);

/* COMPLETE executions with this fingerprint whose outputs are all LIVE,
 * newest first: a JSON array (owned) of {"execution": id, "outputs":
 * [{"port", "artifact_id"}]}.  The caller verifies their files. */
int mlpi_store_cache_candidates(mlpi_store *s, const char *fingerprint,
                                cJSON **execs, mlp_error *err);
/* The fingerprint parts of the newest finished execution of a node of this
 * pipeline, for --explain; NULL text when none.  *gone (owned, may be NULL)
 * says why that execution's outputs are no longer LIVE. */
int mlpi_store_last_parts(mlpi_store *s, int64_t pipeline_ctx,
                          const char *node, int64_t *exec_id, char **parts,
                          char **gone, mlp_error *err);

/* The content hash of a data file, remembered by (device, inode, size,
 * modification time, change time), all to the nanosecond, so an unchanged
 * multi-gigabyte input is not read again on every run while a file
 * rewritten in place with its old size and modification time restored
 * (cp -p, rsync -t --inplace) is still read afresh: the change time cannot
 * be set back.  A file changed in the last two seconds is always hashed
 * afresh: its timestamps may not yet tell two versions apart. */
int mlpi_store_file_hash(mlpi_store *s, const char *path,
                         char out[MLPI_HASH_HEX], mlp_error *err);

/* Checks the store file itself: every page's checksum, then SQLite's own
 * structural check (thorough: integrity_check, else quick_check).  Damage
 * is MLP_ECORRUPT with what was found and the way out. */
int mlpi_store_check(mlpi_store *s, int thorough, mlp_error *err);

/* Runs a query and returns its rows as a JSON array of objects (owned). */
int mlpi_store_query(mlpi_store *s, const char *sql, const int64_t *args,
                     int n_args, cJSON **rows, mlp_error *err);

#endif
