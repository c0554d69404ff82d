/* Internal: describing C plugin modules in a separate scanner process.
 *
 * dlopen runs a module's constructors, so loading an unknown module in the
 * host would let it crash or hang every command.  As GStreamer's
 * gst-plugin-scanner does, the host starts `mlpipe-scan` with the files to
 * describe; the scanner loads each with immediate binding (LD_BIND_NOW, so
 * a missing symbol is a refusal now, not a crash when a node runs), checks
 * its descriptor and writes one JSON line per file on its stdout.  A file
 * that kills the scanner (a signal, exit() in a constructor) or keeps it
 * busy past the time limit is refused with that reason; the scanner is
 * restarted for the files after it.
 */
#ifndef MLPIPE_CORE_SCAN_H
#define MLPIPE_CORE_SCAN_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include <mlpipe/error.h>

/* Seconds one file may take to load before it is refused
 * (MLPIPE_SCAN_TIMEOUT overrides). */
#define MLPI_SCAN_TIMEOUT 30.0
/* That limit, from MLPIPE_SCAN_TIMEOUT when it is a usable number.  Lua
 * plugin files, which load in the host, are held to it as well. */
double mlpi_scan_timeout(void);

/* Describes paths[0..n).  On MLP_OK results[i] is a new JSON object (the
 * caller deletes each) for every i:
 *   {"ok": true, "hash": H, "plugin": DESC}   DESC as mlpi_desc_to_json
 *   {"ok": false, "error": WHY [, "components": [NAMES]]}
 * An error return (the scanner cannot be started, out of memory) leaves no
 * results. */
int mlpi_scan_plugins(char *const *paths, size_t n, cJSON **results,
                      mlp_error *err);

/* The scanner's side: describes one file as above (with "path" added).
 * Runs in mlpipe-scan only, since it loads the module. */
cJSON *mlpi_scan_describe(const char *path);

#endif
