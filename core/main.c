/* The `mlpipe` command: dispatches git-style subcommands. */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "config.h"

static void usage(FILE *f)
{
    fputs("usage: mlpipe <command> [options]\n"
          "\n"
          "commands:\n"
          "  run PIPELINE.lua    run a pipeline script\n"
          "  plugins [NAME]      list plugins and components, or one component\n"
          "  runs                list runs recorded under a pipeline root\n"
          "  show ID             show an artifact, execution (eN) or run\n"
          "  lineage ARTIFACT    trace an artifact upstream and downstream\n"
          "  report RUN -o FILE  statistics, schema and anomalies as one HTML page\n"
          "  verify              check (and --repair) a root's store and artifacts\n"
          "  predict --model DIR INPUT.csv   a trained model applied to raw rows\n"
          "\n"
          "`mlpipe <command> --help` describes a command; `man mlpipe` has more.\n",
          f);
}

int main(int argc, char **argv)
{
    /* Stages that stream read and write a row group at a time, allocating
     * and freeing blocks of a few megabytes over and over.  glibc's
     * defaults hand such blocks back to the system on every free and
     * fault them in again, zeroed, on the next malloc, which cost more
     * than the work on them; kept, they are reused (memory stays at what
     * the largest moment needed). */
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
    /* OpenBLAS starts its threads when a plugin linking it is loaded, and
     * they spin (sched_yield) for 2^28 cycles before sleeping: on a small
     * machine that took a core from the component's own workers for the
     * first tenth of a second of every node (a 60,000 x 784 chi2 ran in
     * 0.07 s instead of 0.04).  Idle BLAS threads sleep at once instead;
     * a user's own setting wins. */
    setenv("OPENBLAS_THREAD_TIMEOUT", "4", 0);
    if (argc < 2) {
        usage(stderr);
        return MLPI_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return MLPI_EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("mlpipe %s\n", PACKAGE_VERSION);
        return MLPI_EXIT_OK;
    }
    if (strcmp(argv[1], "run") == 0)
        return mlpi_cmd_run(argc - 1, argv + 1);
    if (strcmp(argv[1], "plugins") == 0)
        return mlpi_cmd_plugins(argc - 1, argv + 1);
    if (strcmp(argv[1], "runs") == 0)
        return mlpi_cmd_runs(argc - 1, argv + 1);
    if (strcmp(argv[1], "show") == 0)
        return mlpi_cmd_show(argc - 1, argv + 1);
    if (strcmp(argv[1], "lineage") == 0)
        return mlpi_cmd_lineage(argc - 1, argv + 1);
    if (strcmp(argv[1], "report") == 0)
        return mlpi_cmd_report(argc - 1, argv + 1);
    if (strcmp(argv[1], "verify") == 0)
        return mlpi_cmd_verify(argc - 1, argv + 1);
    if (strcmp(argv[1], "predict") == 0)
        return mlpi_cmd_predict(argc - 1, argv + 1);
    fprintf(stderr, "mlpipe: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return MLPI_EXIT_USAGE;
}
