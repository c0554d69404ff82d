/* `mlpipe run`: load plugins, run the script, report, choose the exit code. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <lua.h>

#include "cli.h"
#include "lua_api.h"
#include "memlimit.h"

static void usage(FILE *f)
{
    fputs("usage: mlpipe run PIPELINE.lua [options] [-- script arguments]\n"
          "\n"
          "  -j, --jobs N            run up to N nodes at once (overrides the script)\n"
          "      --no-cache          execute every node, ignoring earlier results\n"
          "      --only NODE         run NODE and what it needs, nothing else\n"
          "      --explain           say for each node why it was or was not cached\n"
          "      --json              print the results as JSON, no per-node lines\n"
          "      --plugin-path DIR   also load plugins from DIR (repeatable)\n"
          "      --allow-override C  let a later plugin replace component C\n"
          "      --in-process        run components inside this process (debugging)\n"
          "      --wait              if another run holds the root, wait for it\n"
          "      --memory SIZE       memory limit of nodes without their own (4G)\n"
          "\n"
          "exit codes: 0 ok, 1 usage, 2 script error, 3 a node failed,\n"
          "            4 stopped by a validation gate, 5 interrupted, 6 store/I/O\n",
          f);
}

int mlpi_cmd_run(int argc, char **argv)
{
    mlpi_run_opts opts;
    char *dirs[64], *overrides[64];
    int n_dirs = 0, n_over = 0, i, rc = MLPI_EXIT_OK;
    const char *script = NULL;
    mlpi_registry *reg;
    lua_State *L;
    mlp_error err;
    struct stat st;

    memset(&opts, 0, sizeof opts);
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        int more = i + 1 < argc;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return MLPI_EXIT_OK;
        } else if ((strcmp(a, "--jobs") == 0 || strcmp(a, "-j") == 0) && more) {
            char *end;
            long j = strtol(argv[++i], &end, 10);
            if (*end != '\0' || j < 1 || j > 256) {
                fprintf(stderr, "mlpipe run: --jobs takes a number in 1..256, "
                        "got '%s'\n", argv[i]);
                return MLPI_EXIT_USAGE;
            }
            opts.jobs = (int)j;
        } else if (strcmp(a, "--no-cache") == 0) {
            opts.no_cache = 1;
        } else if (strcmp(a, "--only") == 0 && more) {
            opts.only = argv[++i];
        } else if (strcmp(a, "--explain") == 0) {
            opts.explain = 1;
        } else if (strcmp(a, "--json") == 0) {
            opts.json = 1;
        } else if (strcmp(a, "--in-process") == 0) {
            opts.in_process = 1;
        } else if (strcmp(a, "--wait") == 0) {
            opts.wait = 1;
        } else if (strcmp(a, "--memory") == 0 && more) {
            if (mlpi_size_parse(argv[++i], &opts.memory) != MLP_OK ||
                opts.memory < (1u << 20)) {
                fprintf(stderr, "mlpipe run: --memory takes a size of at least "
                        "1M such as 512M or 4G, got '%s'\n", argv[i]);
                return MLPI_EXIT_USAGE;
            }
        } else if (strcmp(a, "--plugin-path") == 0 && more && n_dirs < 64) {
            dirs[n_dirs++] = argv[++i];
        } else if (strcmp(a, "--allow-override") == 0 && more && n_over < 64) {
            overrides[n_over++] = argv[++i];
        } else if (strcmp(a, "--") == 0) {
            i++;
            break;
        } else if (a[0] == '-') {
            fprintf(stderr, "mlpipe run: unknown or incomplete option '%s'\n", a);
            usage(stderr);
            return MLPI_EXIT_USAGE;
        } else if (script == NULL) {
            script = a;
        } else {
            break;  /* the rest goes to the script */
        }
    }
    if (script == NULL) {
        usage(stderr);
        return MLPI_EXIT_USAGE;
    }
    if (access(script, R_OK) != 0) {
        fprintf(stderr, "mlpipe run: cannot read %s: %s\n", script,
                strerror(errno));
        return MLPI_EXIT_USAGE;
    }
    if (stat(script, &st) != 0 || !S_ISREG(st.st_mode)) {
        fprintf(stderr, "mlpipe run: %s is not a file: give a pipeline script "
                "(PIPELINE.lua)\n", script);
        return MLPI_EXIT_USAGE;
    }
    opts.tty = isatty(STDERR_FILENO) && !opts.json;
    opts.out = stdout;
    reg = mlpi_cli_registry(dirs, n_dirs, overrides, n_over, 1, &opts);
    if (reg == NULL)
        return MLPI_EXIT_ENV;
    L = reg->L;
    if (mlpi_lua_dofile(L, script, argc - i, argv + i, &err) != MLP_OK) {
        int runtime;
        lua_getfield(L, LUA_REGISTRYINDEX, "mlpipe.runtime_error");
        runtime = lua_isstring(L, -1);
        lua_pop(L, 1);
        fprintf(stderr, "%s%s\n", runtime ? "" : "mlpipe: ", err.msg);
        rc = runtime ? MLPI_EXIT_ENV
             : mlpi_lua_usage_error(L) ? MLPI_EXIT_USAGE : MLPI_EXIT_SCRIPT;
        goto done;
    }
    if (opts.json) {
        cJSON *res = mlpi_lua_results(L);
        mlpi_cli_print_json(cJSON_GetArraySize(res) == 1
                            ? cJSON_GetArrayItem(res, 0) : res);
    }
    switch (mlpi_lua_run_outcome(L)) {
    case MLPI_RUN_GATED: rc = MLPI_EXIT_GATED; break;
    case MLPI_RUN_FAILED: rc = MLPI_EXIT_FAILED; break;
    case MLPI_RUN_CANCELED: rc = MLPI_EXIT_CANCELED; break;
    default: rc = MLPI_EXIT_OK;
    }
done:
    mlpi_lua_close(L);
    mlpi_registry_free(reg);
    return rc;
}
