/* Error values: filling, prefixing and naming them. */
#include <stdio.h>
#include <string.h>

#include <mlpipe/error.h>

int mlp_error_setv(mlp_error *err, int code, const char *fmt, va_list ap)
{
    if (err != NULL) {
        /* Formatted aside first: a caller may pass err->msg itself as an
         * argument (to change only the code, or to add a prefix). */
        char msg[sizeof err->msg];
        vsnprintf(msg, sizeof msg, fmt, ap);
        err->code = code;
        memcpy(err->msg, msg, sizeof msg);
    }
    return code;
}

int mlp_error_set(mlp_error *err, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    mlp_error_setv(err, code, fmt, ap);
    va_end(ap);
    return code;
}

int mlp_error_prefix(mlp_error *err, const char *fmt, ...)
{
    char prefix[MLP_ERROR_MAX];
    char old[MLP_ERROR_MAX];
    va_list ap;

    if (err == NULL)
        return MLP_EINVAL;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    memcpy(old, err->msg, sizeof old);
    snprintf(err->msg, sizeof err->msg, "%s: %s", prefix, old);
    return err->code;
}

void mlp_error_clear(mlp_error *err)
{
    if (err != NULL) {
        err->code = MLP_OK;
        err->msg[0] = '\0';
    }
}

const char *mlp_strerror(int code)
{
    switch (code) {
    case MLP_OK: return "success";
    case MLP_EINVAL: return "invalid input";
    case MLP_EIO: return "input/output error";
    case MLP_ENOMEM: return "out of memory";
    case MLP_EFORMAT: return "bad format";
    case MLP_ECORRUPT: return "corrupted data";
    case MLP_ENOTFOUND: return "not found";
    case MLP_EPLUGIN: return "plugin error";
    case MLP_ESTATE: return "wrong state";
    case MLP_ECANCELED: return "cancelled";
    case MLP_EVERSION: return "unsupported version";
    case MLP_EEXIST: return "already exists";
    default: return "unknown error";
    }
}
