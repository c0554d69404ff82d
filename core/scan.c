/* Describing plugin modules in a scanner process (see scan.h for why). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <mlpipe/json.h>

#include "fsutil.h"
#include "loader.h"
#include "plugin_desc.h"
#include "scan.h"

#ifndef MLPIPE_SCANNER_PATH
#define MLPIPE_SCANNER_PATH "/usr/local/libexec/mlpipe/mlpipe-scan"
#endif

/* Files per scanner process: keeps the command line far below ARG_MAX. */
#define BATCH 256

extern char **environ;

/* --------------------------------------------------------- scanner side */

static cJSON *refusal(const char *msg)
{
    cJSON *o = cJSON_CreateObject();

    cJSON_AddBoolToObject(o, "ok", 0);
    cJSON_AddStringToObject(o, "error", msg);
    return o;
}

cJSON *mlpi_scan_describe(const char *path)
{
    char hash[MLPI_HASH_HEX];
    const mlp_plugin_desc *d;
    void *handle;
    mlp_error err;
    cJSON *out, *desc;

    if (mlpi_hash_file(path, hash, &err) != MLP_OK ||
        mlpi_loader_open(path, &handle, &d, &err) != MLP_OK) {
        out = refusal(err.msg);
    } else if ((desc = mlpi_desc_to_json(d, &err)) == NULL) {
        cJSON *names = mlpi_desc_component_names(d);
        out = refusal(err.msg);
        if (names != NULL)
            cJSON_AddItemToObject(out, "components", names);
    } else {
        int rc = MLP_OK;
        /* init runs here too, so a plugin whose init fails is refused when
         * it is listed, not when a node needs it. */
        if (d->struct_size > offsetof(mlp_plugin_desc, init) && d->init != NULL) {
            rc = d->init(&err);
            if (rc != MLP_OK)
                mlp_error_prefix(&err, "init failed");
            else if (d->struct_size > offsetof(mlp_plugin_desc, fini) &&
                     d->fini != NULL)
                d->fini();
        }
        if (rc != MLP_OK) {
            out = refusal(err.msg);
            cJSON_AddItemToObject(out, "components",
                                  mlpi_desc_component_names(d));
            cJSON_Delete(desc);
        } else {
            out = cJSON_CreateObject();
            cJSON_AddBoolToObject(out, "ok", 1);
            cJSON_AddStringToObject(out, "hash", hash);
            cJSON_AddItemToObject(out, "plugin", desc);
        }
    }
    /* Modules stay loaded until the scanner exits: a destructor that
     * crashed now would be blamed on the next file. */
    if (out != NULL)
        cJSON_AddStringToObject(out, "path", path);
    return out;
}

/* ------------------------------------------------------------ host side */

/* The scanner installed with the library that is running (a copied or
 * relocated prefix included), else the configured one. */
static int find_scanner(char *out, size_t size, mlp_error *err)
{
    const char *env = getenv("MLPIPE_SCANNER");
    Dl_info info;

    if (env != NULL && *env) {
        snprintf(out, size, "%s", env);
        return MLP_OK;
    }
    if (dladdr((void *)mlpi_scan_plugins, &info) != 0 && info.dli_fname) {
        char lib[4096];
        snprintf(lib, sizeof lib, "%s", info.dli_fname);
        snprintf(out, size, "%s/../libexec/mlpipe/mlpipe-scan", dirname(lib));
        if (access(out, X_OK) == 0)
            return MLP_OK;
    }
    snprintf(out, size, "%s", MLPIPE_SCANNER_PATH);
    if (access(out, X_OK) == 0)
        return MLP_OK;
    return mlp_error_set(err, MLP_EPLUGIN,
                         "cannot find the plugin scanner %s (a broken "
                         "installation?  MLPIPE_SCANNER may name it)",
                         MLPIPE_SCANNER_PATH);
}

double mlpi_scan_timeout(void)
{
    const char *s = getenv("MLPIPE_SCAN_TIMEOUT");
    char *end;
    double t;

    if (s == NULL || *s == '\0')
        return MLPI_SCAN_TIMEOUT;
    t = strtod(s, &end);
    return *end == '\0' && t > 0 && t < 1e6 ? t : MLPI_SCAN_TIMEOUT;
}

/* The scanner's environment: ours plus LD_BIND_NOW=1. */
static char **scanner_env(void)
{
    size_t n = 0, k = 0;
    char **env;

    while (environ[n] != NULL)
        n++;
    env = calloc(n + 2, sizeof *env);
    if (env == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (strncmp(environ[i], "LD_BIND_NOW=", 12) != 0)
            env[k++] = environ[i];
    env[k] = (char *)"LD_BIND_NOW=1";
    return env;
}

typedef struct scanner {
    pid_t pid;
    int fd;
    char *buf;
    size_t len, cap;
} scanner;

static int start(const char *exe, char *const *paths, size_t n, scanner *s,
                 mlp_error *err)
{
    posix_spawn_file_actions_t fa;
    char **argv = calloc(n + 2, sizeof *argv), **env = scanner_env();
    int fds[2], rc;

    s->pid = -1;
    s->fd = -1;
    s->len = 0;
    if (argv == NULL || env == NULL) {
        free(argv);
        free(env);
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    }
    argv[0] = (char *)exe;
    memcpy(argv + 1, paths, n * sizeof *paths);
    if (pipe2(fds, O_CLOEXEC) != 0) {
        free(argv);
        free(env);
        return mlp_error_set(err, MLP_EIO, "cannot start the plugin scanner: "
                             "pipe: %s", strerror(errno));
    }
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
    rc = posix_spawn(&s->pid, exe, &fa, NULL, argv, env);
    posix_spawn_file_actions_destroy(&fa);
    close(fds[1]);
    free(argv);
    free(env);
    if (rc != 0) {
        close(fds[0]);
        s->pid = -1;
        return mlp_error_set(err, MLP_EPLUGIN,
                             "cannot start the plugin scanner %s: %s", exe,
                             strerror(rc));
    }
    s->fd = fds[0];
    return MLP_OK;
}

/* Stops the scanner (if it still runs) and returns its wait status. */
static int stop(scanner *s, int kill_it)
{
    int status = 0;

    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
    if (s->pid > 0) {
        if (kill_it)
            kill(s->pid, SIGKILL);
        while (waitpid(s->pid, &status, 0) < 0 && errno == EINTR)
            ;
    }
    s->pid = -1;
    return status;
}

/* Reads until a whole line is buffered: 1 a line (at s->buf, NUL instead
 * of its newline), 0 end of output, -1 time out, -2 out of memory. */
static int read_line(scanner *s, double deadline, size_t *line_len)
{
    for (;;) {
        char *nl = s->len ? memchr(s->buf, '\n', s->len) : NULL;
        struct pollfd pfd = { .fd = s->fd, .events = POLLIN };
        double left = deadline - mlpi_monotonic();
        ssize_t got;
        int pr;
        if (nl != NULL) {
            *nl = '\0';
            *line_len = (size_t)(nl - s->buf);
            return 1;
        }
        if (left <= 0)
            return -1;
        pr = poll(&pfd, 1, (int)(left * 1000) + 1);
        if (pr < 0 && errno == EINTR)
            continue;
        if (pr == 0)
            return -1;
        if (s->cap - s->len < 65536) {
            char *nb = realloc(s->buf, s->cap * 2 + 65536);
            if (nb == NULL)
                return -2;
            s->buf = nb;
            s->cap = s->cap * 2 + 65536;
        }
        got = read(s->fd, s->buf + s->len, s->cap - s->len);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return 0;
        s->len += (size_t)got;
    }
}

/* Drops the first line (of line_len bytes plus its newline) from s->buf. */
static void consume(scanner *s, size_t line_len)
{
    memmove(s->buf, s->buf + line_len + 1, s->len - line_len - 1);
    s->len -= line_len + 1;
}

static cJSON *died_refusal(int status)
{
    char msg[256];

    if (WIFSIGNALED(status))
        snprintf(msg, sizeof msg, "loading it crashed the plugin scanner "
                 "(signal %d, %s)", WTERMSIG(status), strsignal(WTERMSIG(status)));
    else if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
        snprintf(msg, sizeof msg, "the plugin scanner exited with status %d "
                 "while loading it (does a constructor call exit()?)",
                 WEXITSTATUS(status));
    else
        snprintf(msg, sizeof msg, "the plugin scanner stopped while loading it");
    return refusal(msg);
}

/* Takes one answer line for paths[i]: 1 taken, 0 unreadable. */
static int take(char *line, size_t len, const char *path, cJSON **result)
{
    cJSON *j = mlp_json_parse(line, len);
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(j, "path");

    if (!cJSON_IsObject(j) || !cJSON_IsString(p) || strcmp(p->valuestring, path) != 0 ||
        !cJSON_IsBool(cJSON_GetObjectItemCaseSensitive(j, "ok"))) {
        cJSON_Delete(j);
        return 0;
    }
    cJSON_DeleteItemFromObjectCaseSensitive(j, "path");
    *result = j;
    return 1;
}

int mlpi_scan_plugins(char *const *paths, size_t n, cJSON **results,
                      mlp_error *err)
{
    char exe[4096];
    double limit = mlpi_scan_timeout();
    scanner s = { .pid = -1, .fd = -1 };
    size_t next = 0;
    int rc = MLP_OK;

    for (size_t i = 0; i < n; i++)
        results[i] = NULL;
    if (n == 0)
        return MLP_OK;
    rc = find_scanner(exe, sizeof exe, err);
    while (rc == MLP_OK && next < n) {
        size_t end = next + BATCH < n ? next + BATCH : n;
        rc = start(exe, paths + next, end - next, &s, err);
        while (rc == MLP_OK && next < end) {
            size_t len;
            int got = read_line(&s, mlpi_monotonic() + limit, &len);
            if (got == -2) {
                rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
            } else if (got == 1) {
                int ok = take(s.buf, len, paths[next], &results[next]);
                consume(&s, len);
                if (ok) {
                    next++;
                    continue;
                }
                stop(&s, 1);
                results[next++] = refusal("the plugin scanner gave an "
                                          "unreadable answer while loading it "
                                          "(does it write to the scanner's "
                                          "output?)");
                break;
            } else if (got == -1) {
                char msg[128];
                stop(&s, 1);
                snprintf(msg, sizeof msg, "loading it took longer than %g s "
                         "(MLPIPE_SCAN_TIMEOUT); the scanner was stopped", limit);
                results[next] = refusal(msg);
                /* A slow machine is no reason to remember the refusal. */
                cJSON_AddBoolToObject(results[next++], "transient", 1);
                break;
            } else {
                results[next++] = died_refusal(stop(&s, 0));
                break;
            }
        }
        /* Its answers are in: a destructor that hangs at exit must not
         * hang us. */
        if (s.pid > 0)
            stop(&s, 1);
    }
    free(s.buf);
    for (size_t i = 0; rc == MLP_OK && i < n; i++)
        if (results[i] == NULL)
            rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
    if (rc != MLP_OK)
        for (size_t i = 0; i < n; i++) {
            cJSON_Delete(results[i]);
            results[i] = NULL;
        }
    return rc;
}
