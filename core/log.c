/* Process-wide logging to standard error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mlpipe/log.h>

static int level = -1;

static void init_level(void)
{
    const char *env = getenv("MLPIPE_LOG");

    level = MLP_LOG_INFO;
    if (env == NULL)
        return;
    if (strcmp(env, "debug") == 0)
        level = MLP_LOG_DEBUG;
    else if (strcmp(env, "warn") == 0)
        level = MLP_LOG_WARN;
    else if (strcmp(env, "error") == 0)
        level = MLP_LOG_ERROR;
}

void mlp_log_set_level(mlp_log_level l)
{
    level = (int)l;
}

mlp_log_level mlp_log_get_level(void)
{
    if (level < 0)
        init_level();
    return (mlp_log_level)level;
}

void mlp_logv(mlp_log_level l, const char *fmt, va_list ap)
{
    static const char *const names[] = { "debug", "info", "warning", "error" };
    char line[2048];

    if ((int)l < (int)mlp_log_get_level())
        return;
    vsnprintf(line, sizeof line, fmt, ap);
    /* One fprintf per line so lines from parallel children do not interleave
     * mid-line on a shared stderr. */
    fprintf(stderr, "mlpipe: %s: %s\n", names[l], line);
}

void mlp_log(mlp_log_level l, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    mlp_logv(l, fmt, ap);
    va_end(ap);
}
