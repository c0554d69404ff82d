// A plugin written in C++ against the installed SDK: the headers must
// compile as C++ and the descriptor must keep its C name.
#include <numeric>
#include <string>
#include <vector>

#include <mlpipe/mlpipe.h>

static int run(mlp_ctx *ctx)
{
    const int64_t n = mlp_ctx_param_int(ctx, "n");
    std::vector<int64_t> v(static_cast<size_t>(n));
    std::iota(v.begin(), v.end(), int64_t{1});
    const int64_t sum = std::accumulate(v.begin(), v.end(), int64_t{0});
    mlp_artifact *out = mlp_ctx_output(ctx, "out");
    mlp_error err;
    if (mlp_artifact_set_property(out, "sum", mlp_json_int(sum), &err) != MLP_OK)
        return mlp_ctx_fail_error(ctx, &err);
    mlp_log(MLP_LOG_INFO, "%s", ("sum of 1.." + std::to_string(n)).c_str());
    return MLP_OK;
}

static const mlp_port outputs[] = {
    { "out", "TestData", 0, "the sum as property 'sum'" },
    MLP_PORTS_END
};
static const mlp_param_spec params[] = {
    { "n", MLP_PARAM_INT, "10", MLP_PARAM_HAS_MIN | MLP_PARAM_HAS_MAX, 0, 1e6,
      NULL, "sum 1..n" },
    MLP_PARAMS_END
};
static const mlp_component components[] = {
    { "cxx_sum", MLP_STAGE_INGEST, "sums 1..n in C++", NULL, outputs, params,
      run, { NULL } },
    MLP_COMPONENTS_END
};

MLP_PLUGIN_DEFINE(cxx_sum, "cxx_sum", "1.0.0", "MIT", "a C++ plugin",
                  components, NULL, NULL);
