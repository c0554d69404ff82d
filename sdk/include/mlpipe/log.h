/* Logging for the core and for plugins.
 *
 * Messages go to standard error, one line each, prefixed with the level.
 * Inside a component run, prefer mlp_ctx_log() from context.h: it tags the
 * line with the node name and writes it to the execution's log file.
 */
#ifndef MLPIPE_LOG_H
#define MLPIPE_LOG_H

#include <stdarg.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum mlp_log_level {
    MLP_LOG_DEBUG = 0,
    MLP_LOG_INFO = 1,
    MLP_LOG_WARN = 2,
    MLP_LOG_ERROR = 3
} mlp_log_level;

void mlp_log(mlp_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void mlp_logv(mlp_log_level level, const char *fmt, va_list ap);

/* Messages below this level are dropped.  Default: MLP_LOG_INFO, or the
 * value of the environment variable MLPIPE_LOG (debug, info, warn, error). */
void mlp_log_set_level(mlp_log_level level);
mlp_log_level mlp_log_get_level(void);

#ifdef __cplusplus
}
#endif
#endif
