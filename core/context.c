/* The run context API that components call. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mlpipe/json.h>

#include "context_priv.h"
#include "fsutil.h"

volatile sig_atomic_t mlpi_cancel_requested;

static const cJSON *param(const mlp_ctx *ctx, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(ctx->params, name);

    return cJSON_IsNull(v) ? NULL : v;
}

const cJSON *mlp_ctx_param(const mlp_ctx *ctx, const char *name)
{
    return param(ctx, name);
}

int64_t mlp_ctx_param_int(const mlp_ctx *ctx, const char *name)
{
    int64_t v = 0;

    /* The definition checked it is an exact integer. */
    return mlp_json_get_int(param(ctx, name), &v) == MLP_OK ? v : 0;
}

double mlp_ctx_param_float(const mlp_ctx *ctx, const char *name)
{
    const cJSON *v = param(ctx, name);
    return cJSON_IsNumber(v) ? v->valuedouble : 0.0;
}

int mlp_ctx_param_bool(const mlp_ctx *ctx, const char *name)
{
    return cJSON_IsTrue(param(ctx, name));
}

const char *mlp_ctx_param_string(const mlp_ctx *ctx, const char *name)
{
    const cJSON *v = param(ctx, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

size_t mlp_ctx_param_len(const mlp_ctx *ctx, const char *name)
{
    const cJSON *v = param(ctx, name);

    return cJSON_IsArray(v) ? (size_t)cJSON_GetArraySize(v) : 0;
}

static const cJSON *item(const mlp_ctx *ctx, const char *name, size_t i)
{
    const cJSON *v = param(ctx, name);

    return cJSON_IsArray(v) && i < (size_t)cJSON_GetArraySize(v)
           ? cJSON_GetArrayItem(v, (int)i) : NULL;
}

const char *mlp_ctx_param_string_at(const mlp_ctx *ctx, const char *name,
                                    size_t i)
{
    const cJSON *v = item(ctx, name, i);

    return cJSON_IsString(v) ? v->valuestring : NULL;
}

int64_t mlp_ctx_param_int_at(const mlp_ctx *ctx, const char *name, size_t i)
{
    int64_t v = 0;

    return mlp_json_get_int(item(ctx, name, i), &v) == MLP_OK ? v : 0;
}

double mlp_ctx_param_float_at(const mlp_ctx *ctx, const char *name, size_t i)
{
    const cJSON *v = item(ctx, name, i);

    return cJSON_IsNumber(v) ? v->valuedouble : 0.0;
}

int mlp_ctx_param_contains(const mlp_ctx *ctx, const char *name,
                           const char *value)
{
    const cJSON *e, *v = param(ctx, name);

    if (!cJSON_IsArray(v))
        return 0;
    cJSON_ArrayForEach(e, v)
        if (cJSON_IsString(e) && strcmp(e->valuestring, value) == 0)
            return 1;
    return 0;
}

static const mlpi_ctx_input *find_input(const mlp_ctx *ctx, const char *port)
{
    for (size_t i = 0; i < ctx->n_in; i++)
        if (strcmp(ctx->in[i].port, port) == 0)
            return &ctx->in[i];
    return NULL;
}

size_t mlp_ctx_input_count(const mlp_ctx *ctx, const char *port)
{
    const mlpi_ctx_input *in = find_input(ctx, port);
    return in ? in->n : 0;
}

const mlp_artifact *mlp_ctx_input(const mlp_ctx *ctx, const char *port,
                                  size_t index)
{
    const mlpi_ctx_input *in = find_input(ctx, port);
    return in && index < in->n ? in->arts[index] : NULL;
}

mlp_artifact *mlp_ctx_output(mlp_ctx *ctx, const char *port)
{
    for (size_t i = 0; i < ctx->n_out; i++)
        if (strcmp(ctx->out[i].port, port) == 0)
            return ctx->out[i].art;
    return NULL;
}

const char *mlp_ctx_scratch_dir(const mlp_ctx *ctx) { return ctx->scratch; }
const char *mlp_ctx_node_name(const mlp_ctx *ctx) { return ctx->node; }

const mlp_component *mlp_ctx_component(const mlp_ctx *ctx)
{
    return &ctx->comp->c;
}

void mlp_ctx_log(mlp_ctx *ctx, mlp_log_level level, const char *fmt, ...)
{
    static const char *const names[] = { "debug", "info", "warning", "error" };
    char line[2048];
    va_list ap;

    if ((int)level < (int)mlp_log_get_level())
        return;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    fprintf(ctx->log ? ctx->log : stderr, "[%s] %s: %s\n", ctx->node,
            names[level], line);
    fflush(ctx->log ? ctx->log : stderr);
}

void mlp_ctx_progress(mlp_ctx *ctx, uint64_t done, uint64_t total,
                      const char *unit)
{
    char buf[MLPI_PROGRESS_RECORD + 1];
    double now = mlpi_monotonic();

    /* Throttled: components may call this per chunk in a hot loop.  The
     * record has a fixed size and is rewritten in place, so the parent never
     * reads half of one. */
    if (ctx->progress_fd < 0 || (now - ctx->last_progress < 0.2 &&
                                 done != total))
        return;
    ctx->last_progress = now;
    memset(buf, ' ', sizeof buf);
    snprintf(buf, sizeof buf, "%llu %llu %.20s", (unsigned long long)done,
             (unsigned long long)total, unit ? unit : "");
    buf[strlen(buf)] = ' ';
    buf[MLPI_PROGRESS_RECORD - 1] = '\n';
    if (pwrite(ctx->progress_fd, buf, MLPI_PROGRESS_RECORD, 0) < 0)
        ctx->progress_fd = -1;
}

int mlp_ctx_cancelled(const mlp_ctx *ctx)
{
    (void)ctx;
    return mlpi_cancel_requested != 0;
}

int mlp_ctx_fail(mlp_ctx *ctx, int code, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(ctx->error, sizeof ctx->error, fmt, ap);
    va_end(ap);
    ctx->error_code = code;
    return code;
}

int mlp_ctx_fail_error(mlp_ctx *ctx, const mlp_error *err)
{
    snprintf(ctx->error, sizeof ctx->error, "%s", err->msg);
    ctx->error_code = err->code ? err->code : MLP_EINVAL;
    return ctx->error_code;
}

void mlp_ctx_gate(mlp_ctx *ctx, const char *fmt, ...)
{
    char buf[MLP_ERROR_MAX];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    free(ctx->gate);
    ctx->gate = strdup(buf);
}
