/* Showing an artifact with its type's view.  A view is plugin code, and
 * `mlpipe show` must survive any plugin, so the view runs in a child
 * process under the write sandbox with a deadline; its output reaches the
 * terminal or the report only once the view has finished successfully. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <poll.h>
#include <stdint.h>
#include <sys/prctl.h>
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
#include "memlimit.h"
#include "sandbox.h"
#include "view_priv.h"

volatile sig_atomic_t mlpi_view_interrupted;

static void on_interrupt(int sig)
{
    (void)sig;
    mlpi_view_interrupted = 1;
}

void mlpi_view_catch_interrupts(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_interrupt;  /* no SA_RESTART: poll() must return */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

/* What a view may produce and use: past these it fails like a crash. */
#define VIEW_MAX_OUTPUT (64u << 20)
#define VIEW_MAX_MEMORY (1024ull << 20)

static int view_timeout_ms(void)
{
    static int said;
    const char *e = getenv("MLPIPE_VIEW_TIMEOUT");
    char *end = NULL;
    double s = e && *e ? strtod(e, &end) : 30;

    if (e && *e && (*end != '\0' || !(s > 0) || s > 86400)) {
        if (!said++)
            fprintf(stderr, "mlpipe: MLPIPE_VIEW_TIMEOUT='%s' is not a number "
                    "of seconds in (0, 86400]; using 30\n", e);
        s = 30;
    }
    return (int)(s * 1000);
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

/* The child's end: a status byte ('K' rendered, 'E' failed), the length
 * as 8 bytes, then the output or the error message.  The length lets the
 * parent stop reading even if something the view started keeps the pipe
 * open. */
static void send(int fd, char status, const char *buf, size_t len)
{
    uint64_t n = len;

    write_all(fd, &status, 1);
    write_all(fd, (const char *)&n, sizeof n);
    write_all(fd, buf, len);
}

static void run_child(int fd, const char *tmp, mlpi_plugin *p,
                      const mlpi_type *t, const mlpi_view_target *vt,
                      mlp_view_kind kind, lua_State *L)
{
    char marker[4096], *buf = NULL;
    size_t len = 0;
    mlp_error err;
    FILE *m;
    int rc, null;

    /* Its own process group, so whatever it starts can be killed with it;
     * only the pipe stays open: not the report being written, not the
     * store, not the terminal. */
    setpgid(0, 0);
    if (fd != 3) {
        dup2(fd, 3);
        fd = 3;
    }
    null = open("/dev/null", O_RDWR);
    if (null >= 0) {
        dup2(null, STDIN_FILENO);
        dup2(null, STDOUT_FILENO);
        dup2(null, STDERR_FILENO);
    }
    for (int i = 4; i < 1024; i++)
        close(i);
    setenv("TMPDIR", tmp, 1);
    mlp_error_clear(&err);
    mlpi_path_join(marker, sizeof marker, tmp, "memory-exceeded");
    rc = mlpi_memlimit_apply(VIEW_MAX_MEMORY, marker, &err);
    mlpi_path_join(marker, sizeof marker, tmp, "sandbox-refused");
    if (rc == MLP_OK)
        rc = mlpi_sandbox_enter(tmp, NULL, marker, &err);
    m = open_memstream(&buf, &len);
    if (m == NULL)
        _exit(3);
    if (rc == MLP_OK)
        rc = child_render(p, t, vt, kind, L, m, &err);
    if (fclose(m) != 0)
        _exit(3);
    if (rc == MLP_OK && len > VIEW_MAX_OUTPUT) {
        rc = mlp_error_set(&err, MLP_EPLUGIN, "it wrote %zu bytes, more than "
                           "the %u MiB a view may", len, VIEW_MAX_OUTPUT >> 20);
    }
    if (rc == MLP_OK)
        send(fd, 'K', buf, len);
    else
        send(fd, 'E', err.msg, strlen(err.msg));
    _exit(0);
}

/* Reads the child's frame until it is complete, the child is gone, the
 * deadline passes or the user interrupts.  Owned result in *out. */
static int read_child(int fd, pid_t pid, char **out, size_t *n,
                      int *timed_out, int *status, int *exited)
{
    size_t cap = 8192, want = SIZE_MAX;
    char *buf = malloc(cap);
    struct timespec t0, now;
    int limit = view_timeout_ms(), rc = MLP_OK;

    *n = 0;
    *timed_out = 0;
    *exited = 0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while (buf != NULL && *n < want) {
        struct pollfd pfd = { fd, POLLIN, 0 };
        long left;
        if (mlpi_view_interrupted) {
            rc = MLP_ECANCELED;
            break;
        }
        clock_gettime(CLOCK_MONOTONIC, &now);
        left = limit - ((now.tv_sec - t0.tv_sec) * 1000L +
                        (now.tv_nsec - t0.tv_nsec) / 1000000L);
        if (left <= 0) {
            *timed_out = 1;
            break;
        }
        int pr = poll(&pfd, 1, left < 100 ? (int)left : 100);
        if (pr < 0 && errno != EINTR)
            break;
        if (pr <= 0) {
            /* Gone without a complete frame, and nothing more to read. */
            if (!*exited && waitpid(pid, status, WNOHANG) == pid)
                *exited = 1;
            else if (*exited)
                break;
            continue;
        }
        if (*n == cap) {
            char *nb = cap > 2 * (size_t)VIEW_MAX_OUTPUT ? NULL : realloc(buf, cap * 2);
            if (nb == NULL) {
                rc = MLP_ENOMEM;
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
        if (want == SIZE_MAX && *n >= 9) {
            uint64_t len;
            memcpy(&len, buf + 1, sizeof len);
            want = len > VIEW_MAX_OUTPUT ? 0 : 9 + (size_t)len;
        }
    }
    *out = buf;
    return buf == NULL ? MLP_ENOMEM : rc;
}

/* Kills what is left of a view: its process group, and anything it
 * started that left the group (setsid) and was handed to us, its
 * subreaper, when its parent died. */
static void kill_view(pid_t pid, int *status, int exited)
{
    kill(-pid, SIGKILL);
    if (!exited)
        while (waitpid(pid, status, 0) < 0 && errno == EINTR)
            ;
    for (int round = 0; round < 50; round++) {
        DIR *d = opendir("/proc");
        struct dirent *e;
        int found = 0;
        if (d == NULL)
            return;
        while ((e = readdir(d)) != NULL) {
            char path[64], line[512], *close_paren;
            long child = strtol(e->d_name, NULL, 10), ppid = 0;
            FILE *f;
            if (child <= 0)
                continue;
            snprintf(path, sizeof path, "/proc/%ld/stat", child);
            if ((f = fopen(path, "r")) == NULL)
                continue;
            if (fgets(line, sizeof line, f) != NULL &&
                (close_paren = strrchr(line, ')')) != NULL)
                sscanf(close_paren + 1, " %*c %ld", &ppid);
            fclose(f);
            if (ppid == (long)getpid()) {
                kill((pid_t)child, SIGKILL);
                waitpid((pid_t)child, NULL, 0);
                found = 1;
            }
        }
        closedir(d);
        if (!found)
            return;
    }
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
    int fds[2], status = 0, timed_out = 0, exited = 0, complete, rc;
    uint64_t len, zero = 0;
    size_t n = 0;
    pid_t pid;

    if (r == NULL || find_view(r, mlp_artifact_type(vt->a), kind, &t, &p) != MLP_OK)
        return MLP_ENOTFOUND;
    if (vt->made_by != NULL && strcmp(vt->made_by, p->name) != 0)
        return mlp_error_set(err, MLP_ESTATE, "type '%s' is now defined by "
                             "plugin %s (%s), not by plugin %s, which defined "
                             "it when the artifact was made; its view is not "
                             "used", t->name, p->name, p->path, vt->made_by);
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
    prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
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
    setpgid(pid, pid);
    rc = read_child(fds[0], pid, &buf, &n, &timed_out, &status, &exited);
    close(fds[0]);
    kill_view(pid, &status, exited);
    mlpi_rm_rf(tmp, NULL);
    memcpy(&len, buf && n >= 9 ? buf + 1 : (const char *)&zero, sizeof len);
    complete = buf != NULL && n >= 9 && n == 9 + len;
    if (rc == MLP_ECANCELED) {
        rc = mlp_error_set(err, MLP_ECANCELED, "interrupted");
    } else if (rc != MLP_OK) {
        rc = mlp_error_set(err, rc, "the %s of type '%s' (plugin %s, %s) wrote "
                           "more than a view may", what, t->name, p->name, p->path);
    } else if (timed_out) {
        rc = mlp_error_set(err, MLP_EPLUGIN, "the %s of type '%s' (plugin %s, "
                           "%s) did not finish within %g s "
                           "(MLPIPE_VIEW_TIMEOUT)", what, t->name, p->name,
                           p->path, view_timeout_ms() / 1000.0);
    } else if (complete && buf[0] == 'K') {
        if (kind == MLP_VIEW_HTML)
            mlpi_html_clean(buf + 9, n - 9, out);
        else
            fwrite(buf + 9, 1, n - 9, out);
        rc = MLP_OK;
    } else if (complete) {
        rc = mlp_error_set(err, MLP_EPLUGIN, "the %s of type '%s' (plugin %s, "
                           "%s) failed: %.*s", what, t->name, p->name, p->path,
                           (int)(n - 9 > 700 ? 700 : n - 9), buf + 9);
    } else if (WIFSIGNALED(status)) {
        rc = mlp_error_set(err, MLP_EPLUGIN, "the %s of type '%s' (plugin %s, "
                           "%s) crashed: %s", what, t->name, p->name, p->path,
                           strsignal(WTERMSIG(status)));
    } else {
        rc = mlp_error_set(err, MLP_EPLUGIN, "the %s of type '%s' (plugin %s, "
                           "%s) exited with status %d before it finished",
                           what, t->name, p->name, p->path,
                           WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    }
    /* A message from plugin code must not steer the terminal either. */
    for (char *c = err->msg; rc != MLP_OK && *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f)
            *c = '?';
    free(buf);
    return rc;
}
