/* Error codes and messages shared by the core and plugins.
 *
 * Every function that can fail returns an int: MLP_OK (0) on success, a
 * negative MLP_E* code on failure.  When the caller passes an mlp_error, the
 * callee fills it with a sentence the caller can print as is; the message
 * names the file, line or field at fault.  An mlp_error is plain storage the
 * caller owns (usually on the stack); nothing in it needs freeing.
 */
#ifndef MLPIPE_ERROR_H
#define MLPIPE_ERROR_H

#include <stdarg.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

enum {
    MLP_OK = 0,
    MLP_EINVAL = -1,     /* bad argument or bad input data */
    MLP_EIO = -2,        /* the operating system refused a read or write */
    MLP_ENOMEM = -3,     /* out of memory */
    MLP_EFORMAT = -4,    /* input is not in the expected format */
    MLP_ECORRUPT = -5,   /* checksum or structure shows damage */
    MLP_ENOTFOUND = -6,  /* a named thing does not exist */
    MLP_EPLUGIN = -7,    /* a plugin was refused or failed */
    MLP_ESTATE = -8,     /* the operation does not fit the current state */
    MLP_ECANCELED = -9,  /* the run was cancelled */
    MLP_EVERSION = -10,  /* a version this build does not understand */
    MLP_EEXIST = -11     /* a name is already taken */
};

#define MLP_ERROR_MAX 1024

typedef struct mlp_error {
    int code;
    char msg[MLP_ERROR_MAX];
} mlp_error;

/* Fills err (when not NULL) and returns code, so callers can write
 * `return mlp_error_set(err, MLP_EINVAL, "...")`. */
int mlp_error_set(mlp_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int mlp_error_setv(mlp_error *err, int code, const char *fmt, va_list ap);

/* Prepends "prefix: " to the message already in err, keeping the code. */
int mlp_error_prefix(mlp_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

void mlp_error_clear(mlp_error *err);

/* A static English name for a code ("invalid input", ...). */
const char *mlp_strerror(int code);

#ifdef __cplusplus
}
#endif
#endif
