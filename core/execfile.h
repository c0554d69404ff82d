/* Internal: the execution file, ROOT/artifacts/NODE/DIR/execution.json.
 *
 * Written when an execution is published, beside its output directories:
 * the node, component, fingerprint (and its parts), parameters, inputs (by
 * location and fingerprint) and each output's id, type, properties,
 * fingerprint and manifest.  It is what the store holds about that
 * execution, kept with the data, so `mlpipe verify --repair` can rebuild a
 * lost or damaged store from the artifacts themselves.
 */
#ifndef MLPIPE_CORE_EXECFILE_H
#define MLPIPE_CORE_EXECFILE_H

#include <stdint.h>

#include <cjson/cJSON.h>

#include "metadata.h"

#define MLPI_EXECFILE_NAME "execution.json"
#define MLPI_EXECFILE_VERSION 1

/* Writes the file of execution exec_id from the store's records (also
 * those of the caller's open transaction), atomically. */
int mlpi_execfile_write(mlpi_store *s, int64_t exec_id, mlp_error *err);

/* Reads and checks one: fields present and of the right kind, locations
 * inside artifacts/NODE/DIR.  *doc is owned. */
int mlpi_execfile_read(const char *path, cJSON **doc, mlp_error *err);

#endif
