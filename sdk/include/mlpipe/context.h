/* The run context: everything a component may use while it runs.
 *
 * The core builds one mlp_ctx per execution and passes it to the run
 * function.  Parameters arrive validated against the component's spec, with
 * defaults filled in, so the typed getters cannot fail for a declared
 * parameter; asking for an undeclared name is a programming error and
 * returns the zero value.  All returned pointers are borrowed from the
 * context and live until the run function returns.
 */
#ifndef MLPIPE_CONTEXT_H
#define MLPIPE_CONTEXT_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include <mlpipe/artifact.h>
#include <mlpipe/error.h>
#include <mlpipe/log.h>
#include <mlpipe/plugin.h>

#ifdef __cplusplus
extern "C" {
#endif

int64_t mlp_ctx_param_int(const mlp_ctx *ctx, const char *name);
double mlp_ctx_param_float(const mlp_ctx *ctx, const char *name);
int mlp_ctx_param_bool(const mlp_ctx *ctx, const char *name);
/* STRING and ENUM parameters; NULL when the parameter has no value. */
const char *mlp_ctx_param_string(const mlp_ctx *ctx, const char *name);
/* Any parameter as JSON (LIST and MAP need this); NULL when unset. */
const cJSON *mlp_ctx_param(const mlp_ctx *ctx, const char *name);

/* LIST parameters, element by element: the number of elements (0 when
 * unset or not a list), and element i as declared with MLP_PARAM_OF
 * (NULL / 0 when i is past the end or the element has another type). */
size_t mlp_ctx_param_len(const mlp_ctx *ctx, const char *name);
const char *mlp_ctx_param_string_at(const mlp_ctx *ctx, const char *name,
                                    size_t i);
int64_t mlp_ctx_param_int_at(const mlp_ctx *ctx, const char *name, size_t i);
double mlp_ctx_param_float_at(const mlp_ctx *ctx, const char *name, size_t i);
/* Whether LIST parameter name holds the string value. */
int mlp_ctx_param_contains(const mlp_ctx *ctx, const char *name,
                           const char *value);

/* Input artifacts wired to port: 0 for an unwired optional port. */
size_t mlp_ctx_input_count(const mlp_ctx *ctx, const char *port);
const mlp_artifact *mlp_ctx_input(const mlp_ctx *ctx, const char *port,
                                  size_t index);
/* The output artifact of port (its directory exists and is empty). */
mlp_artifact *mlp_ctx_output(mlp_ctx *ctx, const char *port);

/* A private directory for temporary files, removed after the run. */
const char *mlp_ctx_scratch_dir(const mlp_ctx *ctx);
const char *mlp_ctx_node_name(const mlp_ctx *ctx);
const mlp_component *mlp_ctx_component(const mlp_ctx *ctx);

/* Logs one line, tagged with the node, to the execution's log. */
void mlp_ctx_log(mlp_ctx *ctx, mlp_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Reports progress; cheap enough to call per chunk of rows or per epoch.
 * `unit` names what is counted ("rows", "epochs"). */
void mlp_ctx_progress(mlp_ctx *ctx, uint64_t done, uint64_t total,
                      const char *unit);
/* Non-zero once the run was asked to stop (timeout, Ctrl-C): return
 * MLP_ECANCELED soon after. */
int mlp_ctx_cancelled(const mlp_ctx *ctx);

/* Stops everything downstream of this node once it has finished: for
 * validators whose checks failed.  The node's outputs are still published
 * (so the anomalies can be read); `mlpipe run` exits with the gated code. */
void mlp_ctx_gate(mlp_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Records why the run failed; returns code for `return mlp_ctx_fail(...)`. */
int mlp_ctx_fail(mlp_ctx *ctx, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Records a failure already described in err. */
int mlp_ctx_fail_error(mlp_ctx *ctx, const mlp_error *err);

#ifdef __cplusplus
}
#endif
#endif
