/* Unit tests of parameter specs and values, and of canonical JSON. */
#include <stdint.h>
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
    { "shuffle", MLP_PARAM_BOOL, "true", 0, 0, 0, NULL, "shuffle" },
    { "seed", MLP_PARAM_INT, "0", 0, 0, 0, NULL, "seed" },
    { "weights", MLP_PARAM_MAP, "{}", MLP_PARAM_HAS_MIN | MLP_PARAM_MIN_EXCLUSIVE |
      MLP_PARAM_HAS_MAX, 0, 10, NULL, "weights" },
    { "cuts", MLP_PARAM_LIST, "[]", MLP_PARAM_HAS_MIN, -1, 0, NULL, "cuts" },
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
        { "{\"label\": \"y\", \"shuffle\": 1}", "'shuffle' of trainer must be true or false, got a number" },
        { "{\"label\": \"y\", \"seed\": 1e19}", "is outside the 64-bit integer range" },
        { "{\"label\": \"y\", \"seed\": 9007199254740992.0}", "is a floating-point number beyond 2^53" },
        { "{\"label\": \"y\", \"seed\": -4503599627370495.5}", "got a fraction (-4503599627370495.5)" },
        { "{\"label\": \"y\", \"weights\": {\"a\": 1, \"b\": 0}}", "'weights' of trainer: 'b' = 0 is out of range: must be > 0" },
        { "{\"label\": \"y\", \"weights\": {\"a\": 10.5}}", "'a' = 10.5 is out of range: must be <= 10" },
        { "{\"label\": \"y\", \"weights\": {\"a\": true}}", "'a' must be a number, got a boolean" },
        { "{\"label\": \"y\", \"cuts\": [0, -2]}", "'cuts' of trainer: item 2 = -2 is out of range: must be >= -1" },
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

/* Values on a range's edge are inside it. */
static void accepts_edges(void)
{
    cJSON *out = NULL;
    mlp_error err;

    CHECK_MSG(resolve("{\"label\": \"y\", \"epochs\": 1000, \"l2\": 0, "
                      "\"weights\": {\"a\": 10}, \"cuts\": [-1], "
                      "\"shuffle\": false, \"seed\": -9007199254740991}",
                      &out, &err) == MLP_OK, "%s", err.msg);
    cJSON_Delete(out);
    CHECK(resolve("{\"label\": \"y\", \"epochs\": 1}", &out, &err) == MLP_OK);
    cJSON_Delete(out);
}

/* Integers beyond 2^53 keep every digit: in nodes, through parsing and
 * printing, in canonical text and when read back as int64. */
static void exact_integers(void)
{
    cJSON *a = mlp_json_int(INT64_C(9007199254740993));
    cJSON *b = mlp_json_int(INT64_C(9007199254740992));
    cJSON *c = mlp_json_int(-5), *back, *dup;
    char *ta = mlp_json_print(a, 0), *tb = mlp_json_print(b, 0), *t;
    int64_t v = 0;

    CHECK(strcmp(ta, "9007199254740993") == 0);
    CHECK(strcmp(tb, "9007199254740992") == 0);
    CHECK(mlp_json_get_int(a, &v) == MLP_OK && v == INT64_C(9007199254740993));
    CHECK(mlp_json_get_int(c, &v) == MLP_OK && v == -5);
    dup = cJSON_Duplicate(a, 1);
    CHECK(mlp_json_get_int(dup, &v) == MLP_OK && v == INT64_C(9007199254740993));
    cJSON_Delete(dup);
    mlp_free(ta);
    mlp_free(tb);
    /* Parsed text keeps them; other numbers are left alone. */
    const char *doc = "{\"s\": \"12345678901234567890 in a string\", "
                      "\"x\": [1.5, 9223372036854775807, -9223372036854775808, "
                      "9007199254740993, 1e300, 4]}";
    back = mlp_json_parse(doc, strlen(doc));
    CHECK(back != NULL);
    t = mlp_json_canonical(back);
    CHECK_MSG(strcmp(t, "{\"s\":\"12345678901234567890 in a string\",\"x\":[1.5,"
                        "9223372036854775807,-9223372036854775808,"
                        "9007199254740993,1e+300,4]}") == 0, "%s", t);
    mlp_free(t);
    CHECK(mlp_json_get_int(cJSON_GetArrayItem(cJSON_GetObjectItem(back, "x"), 1),
                           &v) == MLP_OK && v == INT64_MAX);
    /* A double that large cannot say which integer it is. */
    CHECK(mlp_json_get_int(cJSON_GetArrayItem(cJSON_GetObjectItem(back, "x"), 4),
                           &v) == MLP_EINVAL);
    CHECK(mlp_json_get_int(cJSON_GetArrayItem(cJSON_GetObjectItem(back, "x"), 0),
                           &v) == MLP_EINVAL);
    cJSON_Delete(back);
    cJSON_Delete(a);
    cJSON_Delete(b);
    cJSON_Delete(c);
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
    RUN(accepts_edges);
    RUN(exact_integers);
    RUN(validates_specs);
    RUN(validates_components);
    RUN(canonical_json);
    CHECK_EXIT();
}
