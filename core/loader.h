/* Internal: the only file that talks to libltdl. */
#ifndef MLPIPE_CORE_LOADER_H
#define MLPIPE_CORE_LOADER_H

#include <mlpipe/plugin.h>

int mlpi_loader_init(mlp_error *err);
void mlpi_loader_exit(void);
/* Opens the shared object at path and finds its descriptor, trying the plain
 * symbol and then "<module>_LTX_mlpipe_plugin".  *handle is closed with
 * mlpi_loader_close(). */
int mlpi_loader_open(const char *path, void **handle,
                     const mlp_plugin_desc **desc, mlp_error *err);
void mlpi_loader_close(void *handle);

#endif
