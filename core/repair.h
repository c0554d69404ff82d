/* Internal: rebuilding store records from the execution files kept beside
 * the artifacts (`mlpipe verify --repair`). */
#ifndef MLPIPE_CORE_REPAIR_H
#define MLPIPE_CORE_REPAIR_H

#include <stdint.h>

#include <cjson/cJSON.h>

#include "metadata.h"

/* Every ROOT/artifacts/NODE/DIR/execution.json, oldest execution first:
 * a JSON array (owned) of locations ("artifacts/NODE/DIR"). */
int mlpi_repair_scan(mlpi_store *s, cJSON **execs, mlp_error *err);

/* Restores the execution whose directory is loc (artifacts/NODE/DIR) into
 * the store: each output's files must match its recorded manifest; then
 * the execution is recorded COMPLETE, its outputs LIVE (with fresh
 * manifests), its input events pointing at LIVE artifacts of the same
 * locations where they exist.  run_ctx: the context restored executions
 * belong to.  MLP_EEXIST when an output is already LIVE in the store;
 * MLP_ECORRUPT (why in err) when the files do not match. */
int mlpi_repair_import(mlpi_store *s, const char *loc, int64_t run_ctx,
                       mlp_error *err);

/* A rebuilt store takes the identity most of the execution files at locs
 * were written for, so that files copied in from another root stay out. */
int mlpi_repair_adopt_identity(mlpi_store *s, const cJSON *locs, mlp_error *err);

/* Finishes execution exec_id, which the store calls RUNNING, from the
 * execution file at loc: a later run completed it (only its commit was
 * lost, or the store is an older copy).  Its files must match the file;
 * its PENDING outputs become LIVE and it becomes COMPLETE. */
int mlpi_repair_finish(mlpi_store *s, int64_t exec_id, const char *loc,
                       mlp_error *err);

#endif
