/* testkit: components that misbehave on request, for the runner's tests.
 *
 *   tk_source  writes a number into TestData
 *   tk_add     reads TestData, adds `add`, records start/end times
 *   tk_crash   fails in the way `mode` says: segv, abort, exit, hang,
 *              fail, or ok (after sleeping `sleep` seconds)
 *   tk_flaky   fails while the file `marker` does not exist, creating it
 *   tk_gate    passes its input through, and gates when `block` is true
 */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <mlpipe/mlpipe.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int write_value(mlp_ctx *ctx, const char *port, long long v)
{
    mlp_artifact *out = mlp_ctx_output(ctx, port);
    char path[4096];
    mlp_error err;
    FILE *f;

    if (mlp_artifact_path(out, "value.txt", path, sizeof path, &err) != MLP_OK)
        return mlp_ctx_fail_error(ctx, &err);
    f = fopen(path, "w");
    if (f == NULL)
        return mlp_ctx_fail(ctx, MLP_EIO, "cannot write %s", path);
    fprintf(f, "%lld\n", v);
    fclose(f);
    return mlp_artifact_set_property(out, "value", mlp_json_int(v), &err) ==
           MLP_OK ? MLP_OK : mlp_ctx_fail_error(ctx, &err);
}

static int read_value(mlp_ctx *ctx, const char *port, long long *v)
{
    const mlp_artifact *in = mlp_ctx_input(ctx, port, 0);
    char path[4096];
    mlp_error err;
    FILE *f;

    *v = 0;
    if (in == NULL)
        return MLP_OK;
    if (mlp_artifact_path(in, "value.txt", path, sizeof path, &err) != MLP_OK)
        return mlp_ctx_fail_error(ctx, &err);
    f = fopen(path, "r");
    if (f == NULL || fscanf(f, "%lld", v) != 1) {
        if (f)
            fclose(f);
        return mlp_ctx_fail(ctx, MLP_EIO, "cannot read %s", path);
    }
    fclose(f);
    return MLP_OK;
}

static int source_run(mlp_ctx *ctx)
{
    return write_value(ctx, "data", mlp_ctx_param_int(ctx, "value"));
}

static void nap(double seconds, mlp_ctx *ctx)
{
    double end = now() + seconds;
    while (now() < end && !mlp_ctx_cancelled(ctx)) {
        struct timespec ts = { 0, 20000000 };
        mlp_ctx_progress(ctx, (uint64_t)((seconds - (end - now())) * 100),
                         (uint64_t)(seconds * 100), "ticks");
        nanosleep(&ts, NULL);
    }
}

static int add_run(mlp_ctx *ctx)
{
    long long v;
    double start = now();
    mlp_error err;
    int rc = read_value(ctx, "data", &v);

    if (rc != MLP_OK)
        return rc;
    nap(mlp_ctx_param_float(ctx, "sleep"), ctx);
    rc = write_value(ctx, "data_out", v + mlp_ctx_param_int(ctx, "add"));
    if (rc != MLP_OK)
        return rc;
    mlp_artifact *out = mlp_ctx_output(ctx, "data_out");
    mlp_artifact_set_property(out, "start", cJSON_CreateNumber(start), &err);
    mlp_artifact_set_property(out, "end", cJSON_CreateNumber(now()), &err);
    mlp_ctx_log(ctx, MLP_LOG_INFO, "added %lld", (long long)mlp_ctx_param_int(ctx, "add"));
    return MLP_OK;
}

static int crash_run(mlp_ctx *ctx)
{
    const char *mode = mlp_ctx_param_string(ctx, "mode");
    long long v;
    int rc = read_value(ctx, "data", &v);

    if (rc != MLP_OK)
        return rc;
    nap(mlp_ctx_param_float(ctx, "sleep"), ctx);
    fprintf(stderr, "tk_crash: about to %s\n", mode);
    fflush(stderr);
    if (strcmp(mode, "segv") == 0) {
        raise(SIGSEGV);
    } else if (strcmp(mode, "abort") == 0) {
        abort();
    } else if (strcmp(mode, "exit") == 0) {
        _exit(7);
    } else if (strcmp(mode, "hang") == 0) {
        for (;;)
            pause();
    } else if (strcmp(mode, "fail") == 0) {
        return mlp_ctx_fail(ctx, MLP_EINVAL, "tk_crash was asked to fail");
    } else if (strcmp(mode, "scribble") == 0) {
        /* Writes where it should not and ignores the outcome, as a
         * careless or hostile plugin would. */
        FILE *f = fopen(mlp_ctx_param_string(ctx, "target"), "w");
        if (f != NULL) {
            fputs("scribbled\n", f);
            fclose(f);
        }
    } else if (strncmp(mode, "hog", 3) == 0) {
        /* Allocates `mb` MiB a MiB at a time, touching every page; on a
         * refusal "hog" reports it, "hog_crash" uses the NULL as careless
         * code would. */
        long long mb = mlp_ctx_param_int(ctx, "mb");
        for (long long k = 0; k < mb; k++) {
            volatile char *p = malloc(1 << 20);
            if (p == NULL && strcmp(mode, "hog") == 0)
                return mlp_ctx_fail(ctx, MLP_ENOMEM, "out of memory after "
                                    "%lld MiB", k);
            for (size_t off = 0; off < (1u << 20); off += 4096)
                p[off] = 1;
        }
    }
    if (mlp_ctx_cancelled(ctx))
        return mlp_ctx_fail(ctx, MLP_ECANCELED, "cancelled");
    return write_value(ctx, "data_out", v);
}

static int flaky_run(mlp_ctx *ctx)
{
    const char *marker = mlp_ctx_param_string(ctx, "marker");
    long long v;
    int rc = read_value(ctx, "data", &v);
    FILE *f;

    if (rc != MLP_OK)
        return rc;
    /* Write an output file first, so a failed attempt leaves something a
     * broken runner would publish twice. */
    rc = write_value(ctx, "data_out", v);
    if (rc != MLP_OK)
        return rc;
    if (access(marker, F_OK) != 0) {
        f = fopen(marker, "w");
        if (f)
            fclose(f);
        return mlp_ctx_fail(ctx, MLP_EIO, "flaky: first attempt fails");
    }
    return MLP_OK;
}

static int gate_run(mlp_ctx *ctx)
{
    long long v;
    int rc = read_value(ctx, "data", &v);

    if (rc != MLP_OK)
        return rc;
    if (mlp_ctx_param_bool(ctx, "block"))
        mlp_ctx_gate(ctx, "value %lld is not acceptable", v);
    return write_value(ctx, "data_out", v);
}

static const mlp_port source_out[] = {
    { "data", "TestData", 0, NULL }, MLP_PORTS_END
};
static const mlp_port data_in[] = {
    { "data", "TestData", 0, NULL }, MLP_PORTS_END
};
static const mlp_port opt_data_in[] = {
    { "data", "TestData", MLP_PORT_OPTIONAL, NULL }, MLP_PORTS_END
};
static const mlp_port data_out[] = {
    { "data_out", "TestData", 0, NULL }, MLP_PORTS_END
};

static const mlp_param_spec source_params[] = {
    { "value", MLP_PARAM_INT, "1", 0, 0, 0, NULL, "the number to write" },
    MLP_PARAMS_END
};
static const mlp_param_spec add_params[] = {
    { "add", MLP_PARAM_INT, "1", 0, 0, 0, NULL, "added to the input" },
    { "sleep", MLP_PARAM_FLOAT, "0", MLP_PARAM_HAS_MIN | MLP_PARAM_HAS_MAX, 0,
      60, NULL, "seconds to sleep first" },
    { "note", MLP_PARAM_STRING, "\"\"", MLP_PARAM_NO_CACHE_KEY, 0, 0, NULL,
      "free text that does not change the result" },
    MLP_PARAMS_END
};
static const char *const modes[] = { "segv", "abort", "exit", "hang", "fail",
                                     "ok", "hog", "hog_crash", "scribble", NULL };
static const mlp_param_spec crash_params[] = {
    { "mode", MLP_PARAM_ENUM, "\"segv\"", 0, 0, 0, modes, "how to fail" },
    { "sleep", MLP_PARAM_FLOAT, "0", MLP_PARAM_HAS_MIN, 0, 0, NULL,
      "seconds to sleep first" },
    { "mb", MLP_PARAM_INT, "0", MLP_PARAM_HAS_MIN, 0, 0, NULL,
      "hog: MiB to allocate" },
    { "target", MLP_PARAM_STRING, "\"\"", 0, 0, 0, NULL,
      "scribble: the file to write" },
    MLP_PARAMS_END
};
static const mlp_param_spec flaky_params[] = {
    { "marker", MLP_PARAM_STRING, NULL, MLP_PARAM_REQUIRED | MLP_PARAM_NO_CACHE_KEY,
      0, 0, NULL, "file whose absence makes the run fail" },
    MLP_PARAMS_END
};
static const mlp_param_spec gate_params[] = {
    { "block", MLP_PARAM_BOOL, "false", 0, 0, 0, NULL, "gate the pipeline" },
    MLP_PARAMS_END
};

static const mlp_component components[] = {
    { "tk_source", MLP_STAGE_INGEST, "writes a number", NULL, source_out,
      source_params, source_run, { NULL } },
    { "tk_add", MLP_STAGE_TRANSFORM, "adds to a number", data_in, data_out,
      add_params, add_run, { NULL } },
    { "tk_crash", MLP_STAGE_TRAIN, "misbehaves on request", opt_data_in,
      data_out, crash_params, crash_run, { NULL } },
    { "tk_flaky", MLP_STAGE_TRANSFORM, "fails once", data_in, data_out,
      flaky_params, flaky_run, { NULL } },
    { "tk_gate", MLP_STAGE_VALIDATE, "gates on request", data_in, data_out,
      gate_params, gate_run, { NULL } },
    MLP_COMPONENTS_END
};

MLP_PLUGIN_DEFINE(testkit, "testkit", "1.0.0", "MIT",
                  "test components that misbehave on request", components,
                  NULL, NULL);
