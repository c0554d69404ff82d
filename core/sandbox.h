/* Internal: the write sandbox of a node's child process.
 *
 * Before a component runs, its child restricts itself with Landlock
 * (Linux 5.13+, no privilege needed): writes of any kind (creating,
 * writing, truncating, renaming, removing files and directories) are
 * allowed only beneath the execution's temporary directory, which holds
 * its output directories, scratch directory and result, and to /dev/null.
 * Everything stays readable.  So a component cannot alter an upstream
 * artifact, another pipeline's files or anything else on the machine.
 *
 * Landlock does not say which path it refused.  libmlpipe's wrappers of
 * the usual file calls (open, fopen, mkdir, rename, unlink, ...) notice a
 * refusal the sandbox caused and leave the path in a marker file, so the
 * node fails naming it even when the component ignored the error.
 */
#ifndef MLPIPE_CORE_SANDBOX_H
#define MLPIPE_CORE_SANDBOX_H

#include <mlpipe/error.h>

/* The Landlock ABI version this kernel offers, 0 when it has none or
 * MLPIPE_SANDBOX=off.  *why (static text) says why it is off. */
int mlpi_sandbox_available(const char **why);

/* In a node's child: confines writes to beneath dir, beneath extra (an
 * existing directory a parameter flagged MLP_PARAM_WRITES_DIR names, or
 * NULL) and to /dev/null, and arms the marker at marker_path.  MLP_OK, or
 * an error saying why the sandbox could not be set up (the node then
 * fails: running it unconfined when confinement was expected would be
 * silent). */
int mlpi_sandbox_enter(const char *dir, const char *extra, const char *marker_path,
                       mlp_error *err);

#endif
