/* Fixture plugins the loader must refuse, one per -DFIXTURE_* flag.  Each
 * is otherwise a well-formed plugin, so the refusal has one cause. */
#include <stddef.h>

#include <mlpipe/mlpipe.h>

#define CAT2(a, b) a##b
#define CAT(a, b) CAT2(a, b)
#define SYMBOL CAT(MODULE, _LTX_mlpipe_plugin)

static int run(mlp_ctx *ctx)
{
    (void)ctx;
    return MLP_OK;
}

static const mlp_port outputs[] = {
    { "out", "TestData", 0, NULL },
    MLP_PORTS_END
};

#ifdef FIXTURE_BAD_PARAM_SPEC
static const char *const no_choices[] = { NULL };
static const mlp_param_spec params[] = {
    { "mode", MLP_PARAM_ENUM, "\"a\"", 0, 0, 0, no_choices, "an enum with no "
      "choices" },
    MLP_PARAMS_END
};
#else
static const mlp_param_spec params[] = { MLP_PARAMS_END };
#endif

static const mlp_component components[] = {
#ifdef FIXTURE_DUP_COMPONENT
    { "csv_import", MLP_STAGE_INGEST, "takes a built-in's name", NULL, outputs,
      params, run, { NULL } },
#else
    { "fixture_component", MLP_STAGE_INGEST, "fixture", NULL, outputs, params,
      run, { NULL } },
#endif
    MLP_COMPONENTS_END
};

#ifndef FIXTURE_NO_DESCRIPTOR
extern const mlp_plugin_desc SYMBOL;
const mlp_plugin_desc SYMBOL = {
#if defined(FIXTURE_BAD_ABI)
    MLP_ABI_MAJOR + 98, 0,
#elif defined(FIXTURE_NEWER_MINOR)
    MLP_ABI_MAJOR, MLP_ABI_MINOR + 7,
#else
    MLP_ABI_MAJOR, MLP_ABI_MINOR,
#endif
#ifdef FIXTURE_SMALL_STRUCT
    16,
#else
    (uint32_t)sizeof(mlp_plugin_desc),
#endif
    (uint32_t)sizeof(mlp_component),
    "fixture", "1.0", "MIT", "a plugin the loader must refuse", components,
    NULL, NULL, NULL, { NULL }
};
#else
/* Exports something, just not the descriptor. */
const mlp_component *no_descriptor_components(void);
const mlp_component *no_descriptor_components(void)
{
    return components;
}
#endif
