/* Showing an artifact with its type's view.  A view is plugin code, and
 * `mlpipe show` must survive any plugin, so the view runs in a child
 * process under the write sandbox with a deadline; its output reaches the
 * terminal or the report only once the view has finished successfully. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <mlpipe/json.h>
#include <mlpipe/memory.h>

#include "fsutil.h"
#include "lua_api.h"
#include "sandbox.h"
#include "view_priv.h"

static int view_timeout_ms(void)
{
    const char *e = getenv("MLPIPE_VIEW_TIMEOUT");
    char *end;
    double s = e && *e ? strtod(e, &end) : 30;

    if (e && *e && (*end != '\0' || !(s > 0)))
        s = 30;
    return s > 86400 ? 86400000 : (int)(s * 1000);
}

/* The C view function of type name in a bound plugin, or NULL. */
static mlp_view_fn c_view(const mlp_plugin_desc *d, const char *name,
                          mlp_view_kind kind)
{
    if (d->abi_minor < 1 ||
        d->struct_size < offsetof(mlp_plugin_desc, types) + sizeof d->types ||
        d->types == NULL)
        return NULL;
    for (const mlp_type_desc *t = d->types; t->name != NULL; t++)
        if (strcmp(t->name, name) == 0)
            return kind == MLP_VIEW_HTML ? t->html : t->show;
    return NULL;
}

/* In the child: renders into out, or fills err. */
static int child_render(mlpi_plugin *p, const mlpi_type *t,
                        const mlpi_view_target *vt, mlp_view_kind kind,
                        lua_State *L, FILE *out, mlp_error *err)
{
    mlp_view v;
    mlp_view_fn fn;
    int rc;

    if (p->is_lua)
        return mlpi_lua_view(L, kind == MLP_VIEW_HTML ? t->html_ref
                                                      : t->show_ref,
                             vt->a, kind, out, err);
    rc = mlpi_plugin_bind(p, err);
    if (rc != MLP_OK)
        return rc;
    fn = c_view(p->desc, t->name, kind);
    if (fn == NULL)
        return mlp_error_set(err, MLP_EPLUGIN, "no longer defines the view");
    mlpi_view_init(&v, out, kind);
    mlp_error_clear(err);
    rc = fn(vt->a, &v, err);
    if (rc != MLP_OK && err->msg[0] == '\0')
        mlp_error_set(err, rc, "the view returned error %d", rc);
    return rc == MLP_OK ? MLP_OK : (err->code ? err->code : MLP_EPLUGIN);
}

static void write_all(int fd, const char *buf, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, buf, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;
        buf += w;
        n -= (size_t)w;
    }
}

/* The child's end: one status byte ('K' rendered, 'E' failed) and then
 * the output or the error message. */
static void run_child(int fd, const char *tmp, mlpi_plugin *p,
                      const mlpi_type *t, const mlpi_view_target *vt,
                      mlp_view_kind kind, lua_State *L)
{
    char marker[4096], *buf = NULL;
    size_t len = 0;
    mlp_error err;
    FILE *m;
    int rc, null = open("/dev/null", O_WRONLY);

    /* What the view prints itself must not land in our output. */
    if (null >= 0)
        dup2(null, STDOUT_FILENO);
    setenv("TMPDIR", tmp, 1);
    mlp_error_clear(&err);
    mlpi_path_join(marker, sizeof marker, tmp, "sandbox-refused");
    rc = mlpi_sandbox_enter(tmp, marker, &err);
    m = open_memstream(&buf, &len);
    if (m == NULL)
        _exit(3);
    if (rc == MLP_OK)
        rc = child_render(p, t, vt, kind, L, m, &err);
    if (fclose(m) != 0)
        _exit(3);
    if (rc == MLP_OK) {
        write_all(fd, "K", 1);
        write_all(fd, buf, len);
    } else {
        write_all(fd, "E", 1);
        write_all(fd, err.msg, strlen(err.msg));
    }
    _exit(0);
}

/* Reads everything the child sends until it closes the pipe or the
 * deadline passes.  Owned result in *out. */
static int read_child(int fd, pid_t pid, char **out, size_t *n,
                      int *timed_out)
{
    size_t cap = 8192;
    char *buf = malloc(cap);
    struct timespec t0, now;
    int limit = view_timeout_ms();

    *n = 0;
    *timed_out = 0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while (buf != NULL) {
        struct pollfd pfd = { fd, POLLIN, 0 };
        long left;
        clock_gettime(CLOCK_MONOTONIC, &now);
        left = limit - ((now.tv_sec - t0.tv_sec) * 1000L +
                        (now.tv_nsec - t0.tv_nsec) / 1000000L);
        if (left <= 0) {
            *timed_out = 1;
            kill(pid, SIGKILL);
            break;
        }
        int pr = poll(&pfd, 1, (int)left);
        if (pr < 0 && errno == EINTR)
            continue;
        if (pr <= 0)
            continue;
        if (*n == cap) {
            char *nb = realloc(buf, cap * 2);
            if (nb == NULL) {
                free(buf);
                buf = NULL;
                kill(pid, SIGKILL);
                break;
            }
            buf = nb;
            cap *= 2;
        }
        ssize_t r = read(fd, buf + *n, cap - *n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        *n += (size_t)r;
    }
    *out = buf;
    return buf == NULL ? MLP_ENOMEM : MLP_OK;
}

static int find_view(mlpi_registry *r, const char *type, mlp_view_kind kind,
                     const mlpi_type **t, const mlpi_plugin **p)
{
    *t = mlpi_registry_find_type(r, type, p);
    if (*t == NULL || *p == NULL)
        return MLP_ENOTFOUND;
    if (kind == MLP_VIEW_HTML ? !(*t)->has_html : !(*t)->has_show)
        return MLP_ENOTFOUND;
    return MLP_OK;
}

int mlpi_view_render(mlpi_registry *r, const mlpi_view_target *vt,
                     mlp_view_kind kind, FILE *out, mlp_error *err)
{
    const mlpi_type *t;
    const mlpi_plugin *p;
    char tmp[4096], *buf = NULL;
    const char *base = getenv("TMPDIR");
    const char *what = kind == MLP_VIEW_HTML ? "HTML view" : "view";
    int fds[2], status = 0, timed_out = 0, rc;
    size_t n = 0;
    pid_t pid;

    if (r == NULL || find_view(r, mlp_artifact_type(vt->a), kind, &t, &p) != MLP_OK)
        return MLP_ENOTFOUND;
    snprintf(tmp, sizeof tmp, "%s/mlpipe-view-XXXXXX", base && *base ? base : "/tmp");
    if (mkdtemp(tmp) == NULL)
        return mlp_error_set(err, MLP_EIO, "cannot make a directory for the "
                             "view in %s: %s", base && *base ? base : "/tmp",
                             strerror(errno));
    if (pipe(fds) != 0) {
        mlpi_rm_rf(tmp, NULL);
        return mlp_error_set(err, MLP_EIO, "pipe: %s", strerror(errno));
    }
    fflush(NULL);
    pid = fork();
    if (pid == 0) {
        close(fds[0]);
        run_child(fds[1], tmp, (mlpi_plugin *)p, t, vt, kind, r->L);
    }
    close(fds[1]);
    if (pid < 0) {
        close(fds[0]);
        mlpi_rm_rf(tmp, NULL);
        return mlp_error_set(err, MLP_EIO, "fork: %s", strerror(errno));
    }
    rc = read_child(fds[0], pid, &buf, &n, &timed_out);
    close(fds[0]);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    mlpi_rm_rf(tmp, NULL);
    if (rc != MLP_OK) {
        rc = mlp_error_set(err, rc, "out of memory reading the %s", what);
    } else if (timed_out) {
        rc = mlp_error_set(err, MLP_EPLUGIN, "the %s of type '%s' (plugin %s, "
                           "%s) did not finish within %g s "
                           "(MLPIPE_VIEW_TIMEOUT)", what, t->name, p->name,
                           p->path, view_timeout_ms() / 1000.0);
    } else if (WIFSIGNALED(status)) {
        rc = mlp_error_set(err, MLP_EPLUGIN, "the %s of type '%s' (plugin %s, "
                           "%s) crashed: %s", what, t->name, p->name, p->path,
                           strsignal(WTERMSIG(status)));
    } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || n == 0) {
        rc = mlp_error_set(err, MLP_EPLUGIN, "the %s of type '%s' (plugin %s, "
                           "%s) exited with status %d before it finished",
                           what, t->name, p->name, p->path,
                           WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    } else if (buf[0] != 'K') {
        rc = mlp_error_set(err, MLP_EPLUGIN, "the %s of type '%s' (plugin %s, "
                           "%s) failed: %.*s", what, t->name, p->name, p->path,
                           (int)(n - 1 > 700 ? 700 : n - 1), buf + 1);
    } else {
        fwrite(buf + 1, 1, n - 1, out);
        rc = MLP_OK;
    }
    free(buf);
    return rc;
}
