/* mlpipe-scan: describes plugin modules for the host (see scan.h).
 *
 *   mlpipe-scan FILE...
 *
 * Writes one JSON line per file, in order, on its standard output.  What
 * the modules themselves print goes to standard error, so a chatty
 * constructor cannot garble the answers. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <mlpipe/json.h>
#include <mlpipe/memory.h>

#include "loader.h"
#include "scan.h"

int main(int argc, char **argv)
{
    mlp_error err;
    FILE *answers;
    int fd = dup(STDOUT_FILENO);

    if (fd < 0 || dup2(STDERR_FILENO, STDOUT_FILENO) < 0 ||
        (answers = fdopen(fd, "w")) == NULL) {
        perror("mlpipe-scan");
        return 2;
    }
    if (mlpi_loader_init(&err) != MLP_OK) {
        fprintf(stderr, "mlpipe-scan: %s\n", err.msg);
        return 2;
    }
    for (int i = 1; i < argc; i++) {
        cJSON *j = mlpi_scan_describe(argv[i]);
        char *line = j ? mlp_json_print(j, 0) : NULL;
        cJSON_Delete(j);
        if (line == NULL) {
            fprintf(stderr, "mlpipe-scan: out of memory\n");
            return 2;
        }
        fprintf(answers, "%s\n", line);
        mlp_free(line);
        if (fflush(answers) != 0)
            return 2;
    }
    return 0;
}
