/* Internal: parameter specs and values. */
#ifndef MLPIPE_CORE_PARAMS_H
#define MLPIPE_CORE_PARAMS_H

#include <cjson/cJSON.h>

#include <mlpipe/plugin.h>

/* Keys of p:add() that set node options, so no parameter may use them. */
extern const char *const mlpi_reserved_keys[];

/* [a-z_][a-z0-9_]*: names of components, ports and parameters. */
int mlpi_is_identifier(const char *s);

const char *mlpi_param_type_name(mlp_param_type t);
int mlpi_param_type_parse(const char *name, mlp_param_type *out);
/* Checks that v fits spec (type, range, choices).  `what` names the value in
 * messages ("parameter 'l2' of logistic_regression"). */
int mlpi_param_check(const mlp_param_spec *spec, const cJSON *v,
                     const char *what, mlp_error *err);
/* Checks one spec: identifier name, known type, choices for ENUM, min <= max,
 * and a default that parses and fits. */
int mlpi_param_spec_validate(const mlp_param_spec *spec, const char *component,
                             mlp_error *err);
/* Given user values (an object), returns a new object with every declared
 * parameter: the user's value checked, or the default.  Unknown names,
 * missing required parameters and bad values are errors. */
int mlpi_params_resolve(const mlp_component *c, const cJSON *user,
                        cJSON **out, mlp_error *err);

#endif
