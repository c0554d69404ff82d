/* Unit tests of parameter specs and values, and of canonical JSON. */
#include <stdlib.h>
#include <string.h>

#include <mlpipe/json.h>
#include <mlpipe/memory.h>

#include "check.h"
#include "params.h"
#include "registry.h"

static const char *const solvers[] = { "lbfgs", "sgd", NULL };
static const mlp_param_spec specs[] = {
    { "l2", MLP_PARAM_FLOAT, "0.001", MLP_PARAM_HAS_MIN, 0, 0, NULL, "penalty" },
    { "epochs", MLP_PARAM_INT, "10", MLP_PARAM_HAS_MIN | MLP_PARAM_HAS_MAX, 1,
      1000, NULL, "passes" },
    { "solver", MLP_PARAM_ENUM, "\"lbfgs\"", 0, 0, 0, solvers, "solver" },
    { "label", MLP_PARAM_STRING, NULL, MLP_PARAM_REQUIRED, 0, 0, NULL, "label" },
    { "columns", MLP_PARAM_LIST, "[]", 0, 0, 0, NULL, "columns" },
    { "rate", MLP_PARAM_FLOAT, "0.5", MLP_PARAM_HAS_MIN | MLP_PARAM_MIN_EXCLUSIVE,
      0, 0, NULL, "rate" },
    MLP_PARAMS_END
};
static const mlp_component comp = {
    "trainer", MLP_STAGE_TRAIN, "test", NULL, NULL, specs, NULL, { NULL }
};

static int resolve(const char *json, cJSON **out, mlp_error *err)
{
    cJSON *user = cJSON_Parse(json);
    int rc = mlpi_params_resolve(&comp, user, out, err);
    cJSON_Delete(user);
    return rc;
}

static void fills_defaults(void)
{
    cJSON *out;
    mlp_error err;

    CHECK(resolve("{\"label\": \"y\"}", &out, &err) == MLP_OK);
    CHECK(cJSON_GetObjectItem(out, "l2")->valuedouble == 0.001);
    CHECK(cJSON_GetObjectItem(out, "epochs")->valuedouble == 10);
    CHECK(strcmp(cJSON_GetObjectItem(out, "solver")->valuestring, "lbfgs") == 0);
    CHECK(cJSON_IsArray(cJSON_GetObjectItem(out, "columns")));
    cJSON_Delete(out);
}

static void rejects_bad_values(void)
{
    static const struct { const char *json, *msg; } cases[] = {
        { "{\"label\": \"y\", \"l3\": 1}", "has no parameter 'l3' (parameters: l2, epochs" },
        { "{}", "needs parameter 'label' (string)" },
        { "{\"label\": 3}", "parameter 'label' of trainer must be a string, got a number" },
        { "{\"label\": \"y\", \"epochs\": 2.5}", "must be an integer, got a fraction" },
        { "{\"label\": \"y\", \"epochs\": 0}", "epochs' of trainer = 0 is out of range: must be >= 1" },
        { "{\"label\": \"y\", \"epochs\": 5000}", "must be <= 1000" },
        { "{\"label\": \"y\", \"l2\": \"big\"}", "must be a finite number, got a string" },
        { "{\"label\": \"y\", \"solver\": \"adam\"}", "must be one of \"lbfgs\", \"sgd\", got \"adam\"" },
        { "{\"label\": \"y\", \"columns\": {\"a\": 1}}", "must be a list, got a table" },
        { "{\"label\": \"y\", \"rate\": 0}", "must be > 0" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        cJSON *out = NULL;
        mlp_error err;
        CHECK_MSG(resolve(cases[i].json, &out, &err) != MLP_OK, "accepted %s",
                  cases[i].json);
        CHECK_CONTAINS(err.msg, cases[i].msg);
        CHECK(out == NULL);
    }
}

static void validates_specs(void)
{
    static const char *const none[] = { NULL };
    static const struct { mlp_param_spec s; const char *msg; } cases[] = {
        { { "Bad-Name", MLP_PARAM_INT, "1", 0, 0, 0, NULL, NULL }, "not an identifier" },
        { { "x", (mlp_param_type)99, NULL, 0, 0, 0, NULL, NULL }, "unknown type 99" },
        { { "x", MLP_PARAM_ENUM, "\"a\"", 0, 0, 0, none, NULL }, "lists no choices" },
        { { "x", MLP_PARAM_INT, "1", MLP_PARAM_HAS_MIN | MLP_PARAM_HAS_MAX, 5, 1, NULL, NULL }, "min 5 > max 1" },
        { { "x", MLP_PARAM_INT, "{", 0, 0, 0, NULL, NULL }, "is not valid JSON" },
        { { "x", MLP_PARAM_INT, "\"one\"", 0, 0, 0, NULL, NULL }, "must be an integer" },
        { { "x", MLP_PARAM_INT, "0", MLP_PARAM_HAS_MIN, 1, 0, NULL, NULL }, "out of range" },
        { { "x", MLP_PARAM_INT, "1", MLP_PARAM_REQUIRED, 0, 0, NULL, NULL }, "required and also has a default" },
        { { "name", MLP_PARAM_STRING, NULL, 0, 0, 0, NULL, NULL }, "reserved for node options" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        mlp_error err;
        CHECK_MSG(mlpi_param_spec_validate(&cases[i].s, "comp", &err) != MLP_OK,
                  "case %zu accepted", i);
        CHECK_CONTAINS(err.msg, cases[i].msg);
        CHECK_CONTAINS(err.msg, "component 'comp'");
    }
    for (const mlp_param_spec *s = specs; s->name; s++) {
        mlp_error err;
        CHECK_MSG(mlpi_param_spec_validate(s, "comp", &err) == MLP_OK, "%s", err.msg);
    }
}

static void validates_components(void)
{
    static const mlp_port dup_ports[] = {
        { "a", "Examples", 0, NULL }, { "a", "Examples", 0, NULL }, MLP_PORTS_END
    };
    static const mlp_port untyped[] = { { "a", "", 0, NULL }, MLP_PORTS_END };
    mlp_component c = comp;
    mlp_error err;

    CHECK(mlpi_component_validate(&c, &err) == MLP_OK);
    c.name = "Bad Name";
    CHECK(mlpi_component_validate(&c, &err) != MLP_OK);
    CHECK_CONTAINS(err.msg, "component name 'Bad Name' is not an identifier");
    c = comp;
    c.stage = (mlp_stage)42;
    CHECK(mlpi_component_validate(&c, &err) != MLP_OK);
    CHECK_CONTAINS(err.msg, "unknown stage 42");
    c = comp;
    c.inputs = dup_ports;
    CHECK(mlpi_component_validate(&c, &err) != MLP_OK);
    CHECK_CONTAINS(err.msg, "input port 'a' declared twice");
    c = comp;
    c.outputs = untyped;
    CHECK(mlpi_component_validate(&c, &err) != MLP_OK);
    CHECK_CONTAINS(err.msg, "has no artifact type");
}

static void canonical_json(void)
{
    cJSON *a = cJSON_Parse("{\"b\": 1, \"a\": {\"z\": [3, {\"y\": 1, \"x\": 2}], \"c\": true}}");
    cJSON *b = cJSON_Parse("{\"a\": {\"c\": true, \"z\": [3, {\"x\": 2, \"y\": 1}]}, \"b\": 1}");
    char *ta = mlp_json_canonical(a), *tb = mlp_json_canonical(b);

    CHECK(ta && tb);
    CHECK_MSG(strcmp(ta, tb) == 0, "%s vs %s", ta, tb);
    CHECK_MSG(strcmp(ta, "{\"a\":{\"c\":true,\"z\":[3,{\"x\":2,\"y\":1}]},\"b\":1}") == 0,
              "%s", ta);
    mlp_free(ta);
    mlp_free(tb);
    cJSON_Delete(a);
    cJSON_Delete(b);
}

int main(void)
{
    RUN(fills_defaults);
    RUN(rejects_bad_values);
    RUN(validates_specs);
    RUN(validates_components);
    RUN(canonical_json);
    CHECK_EXIT();
}
