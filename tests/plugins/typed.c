/* Fixture plugins that define artifact types (ABI 1.1), one per
 * -DFIXTURE_* flag:
 *   (none)            type Counts with a contract, and typed_make, which
 *                     makes a complete Counts or leaves out what `mode` says
 *   FIXTURE_DUP       defines Examples, which csv_import defines
 *   FIXTURE_BAD       a contract that is not one
 *   FIXTURE_ABI10     built as ABI 1.0: its `types` slot is not read */
#include <stdio.h>
#include <string.h>

#include <mlpipe/mlpipe.h>

#define CAT2(a, b) a##b
#define CAT(a, b) CAT2(a, b)
#define STR2(a) #a
#define STR(a) STR2(a)
#define SYMBOL CAT(MODULE, _LTX_mlpipe_plugin)

static int run(mlp_ctx *ctx)
{
    const char *mode = mlp_ctx_param_string(ctx, "mode");
    mlp_artifact *out = mlp_ctx_output(ctx, "counts");
    char path[4096];
    mlp_error err;

    if (strcmp(mode, "nofile") != 0) {
        FILE *f;
        if (mlp_artifact_path(out, "counts.txt", path, sizeof path, &err) != MLP_OK)
            return mlp_ctx_fail_error(ctx, &err);
        if ((f = fopen(path, "w")) == NULL)
            return mlp_ctx_fail(ctx, MLP_EIO, "cannot write %s", path);
        fputs("3\n", f);
        fclose(f);
    }
    if (strcmp(mode, "noprop") == 0)
        return MLP_OK;
    return mlp_artifact_set_property(out, "n", strcmp(mode, "badprop") == 0
                                     ? cJSON_CreateString("three") : mlp_json_int(3),
                                     &err) == MLP_OK ? MLP_OK
                                                     : mlp_ctx_fail_error(ctx, &err);
}

static const char *const modes[] = { "ok", "nofile", "noprop", "badprop", NULL };
static const mlp_port outputs[] = {
    { "counts", "Counts", 0, "counts.txt and property n" },
    MLP_PORTS_END
};
static const mlp_param_spec params[] = {
    { "mode", MLP_PARAM_ENUM, "\"ok\"", 0, 0, 0, modes, "what to leave out" },
    MLP_PARAMS_END
};
static const mlp_component components[] = {
    { STR(MODULE) "_make", MLP_STAGE_ANALYZE, "makes Counts", NULL, outputs,
      params, run, { NULL } },
    MLP_COMPONENTS_END
};

static const mlp_type_desc types[] = {
#if defined(FIXTURE_DUP)
    { "Examples", "a second definition", NULL, NULL, NULL, { NULL } },
#elif defined(FIXTURE_BAD)
    { "Broken", "a contract that is not one", "{\"files\": \"counts.txt\"}",
      NULL, NULL, { NULL } },
#else
    { "Counts", "a count in a file and a property",
      "{\"properties\": {\"n\": \"integer\"}, \"files\": [\"counts.txt\"]}",
      NULL, NULL, { NULL } },
#endif
    MLP_TYPES_END
};

extern const mlp_plugin_desc SYMBOL;
const mlp_plugin_desc SYMBOL = {
#ifdef FIXTURE_ABI10
    MLP_ABI_MAJOR, 0,
#else
    MLP_ABI_MAJOR, MLP_ABI_MINOR,
#endif
    (uint32_t)sizeof(mlp_plugin_desc), (uint32_t)sizeof(mlp_component),
    STR(MODULE), "1.0", "MIT", "defines artifact types", components, NULL, NULL,
    types, { NULL }
};
