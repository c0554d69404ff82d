/* Internal: putting a root back in order before a writer uses it, and
 * finding directories under artifacts/ that the store does not know. */
#ifndef MLPIPE_CORE_RECOVERY_H
#define MLPIPE_CORE_RECOVERY_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "metadata.h"

/* Run by the lock holder before anything else: what an interrupted run
 * left (RUNNING executions, PENDING outputs, their directories, .tmp) is
 * failed, retired and removed; runs left "running" become "killed"; LIVE
 * artifacts whose directory is gone become DELETED.  *n_orphans: how many
 * directories under artifacts/ the store does not know (for a warning;
 * `mlpipe verify` lists them). */
int mlpi_recover(mlpi_store *s, size_t *n_orphans, mlp_error *err);

/* Locations under artifacts/ that no LIVE or PENDING artifact of the store
 * accounts for: output directories the store never published or already
 * retired, execution directories left with nothing but their execution
 * file, and stray files.  *locs: JSON array of strings, owned. */
int mlpi_orphans(mlpi_store *s, cJSON **locs, mlp_error *err);

#endif
