/* Fixture plugins for the scanner, one per -DFIXTURE_* flag: modules that
 * misbehave while being loaded (a constructor that aborts, segfaults,
 * exits, hangs or prints; a symbol nothing defines; an init that fails;
 * a destructor that hangs).
 * Each is otherwise a well-formed plugin named after its file. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mlpipe/mlpipe.h>

#define CAT2(a, b) a##b
#define CAT(a, b) CAT2(a, b)
#define STR2(a) #a
#define STR(a) STR2(a)
#define SYMBOL CAT(MODULE, _LTX_mlpipe_plugin)

#ifdef FIXTURE_UNRESOLVED
/* Defined nowhere: lazy binding would fail only when run() calls it. */
int mlp_fixture_missing(void);
#endif

__attribute__((constructor)) static void on_load(void)
{
#if defined(FIXTURE_CTOR_ABORT)
    abort();
#elif defined(FIXTURE_CTOR_SEGV)
    raise(SIGSEGV);
#elif defined(FIXTURE_CTOR_EXIT)
    exit(3);
#elif defined(FIXTURE_CTOR_HANG)
    for (;;)
        pause();
#elif defined(FIXTURE_DTOR_HANG)
    /* Nothing: it is the destructor that misbehaves. */
#else
    /* Says where it was loaded: the tests check the host never is.  (In
     * a node's child the log file is outside the write sandbox: there
     * only the line on stdout, which goes to the node's log, tells.) */
    const char *log = getenv("MLPIPE_TEST_CTOR_LOG");
    printf("constructor of " STR(MODULE) " ran in %ld\n", (long)getpid());
    fflush(stdout);
    if (log != NULL) {
        FILE *f = fopen(log, "a");
        if (f != NULL) {
            fprintf(f, "%ld\n", (long)getpid());
            fclose(f);
        }
    }
#endif
}

#ifdef FIXTURE_DTOR_HANG
/* Loads and describes itself fine, then never lets its process exit. */
__attribute__((destructor)) static void on_unload(void)
{
    for (;;)
        pause();
}
#endif

static int run(mlp_ctx *ctx)
{
#ifdef FIXTURE_UNRESOLVED
    (void)ctx;
    return mlp_fixture_missing();
#else
    mlp_log(MLP_LOG_INFO, "%s ran in %ld", mlp_ctx_node_name(ctx), (long)getpid());
    return MLP_OK;
#endif
}

#ifdef FIXTURE_INIT_FAILS
static int init(mlp_error *err)
{
    return mlp_error_set(err, MLP_EINVAL, "the licence server is unreachable");
}
#else
#define init NULL
#endif

static const mlp_port outputs[] = {
    { "out", "TestData", 0, NULL },
    MLP_PORTS_END
};
static const mlp_param_spec params[] = { MLP_PARAMS_END };
static const mlp_component components[] = {
    { STR(MODULE), MLP_STAGE_INGEST, "scanner fixture", NULL, outputs, params,
      run, { NULL } },
    MLP_COMPONENTS_END
};

extern const mlp_plugin_desc SYMBOL;
const mlp_plugin_desc SYMBOL = {
    MLP_ABI_MAJOR, MLP_ABI_MINOR, (uint32_t)sizeof(mlp_plugin_desc),
    (uint32_t)sizeof(mlp_component), STR(MODULE), "1.0", "MIT",
#ifdef FIXTURE_CHATTY
    NULL,  /* no description: optional, must still load */
#else
    "a plugin that misbehaves while loading",
#endif
    components, init, NULL, NULL,
    { NULL }
};
