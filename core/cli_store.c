/* Opening a root's metadata store for the read commands (runs, show,
 * lineage, report, verify): read-only, from any working directory. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "metadata.h"
#include "rootdir.h"

const char *mlpi_cli_root(const char *given)
{
    const char *env = getenv("MLPIPE_ROOT");

    if (given != NULL)
        return given;
    return env != NULL && env[0] != '\0' ? env : ".";
}

mlpi_store *mlpi_cli_open_store(const char *root, const char *cmd,
                                int *exit_code)
{
    char abs[PATH_MAX];
    mlpi_store *s = NULL;
    mlp_error err;
    int rc = mlpi_root_resolve(root, abs, sizeof abs, &err);

    if (rc == MLP_OK)
        rc = mlpi_store_open(abs, 0, &s, &err);
    if (rc != MLP_OK) {
        fprintf(stderr, "mlpipe %s: %s\n", cmd, err.msg);
        *exit_code = rc == MLP_ECORRUPT ? MLPI_EXIT_DAMAGED : MLPI_EXIT_ENV;
        return NULL;
    }
    return s;
}
