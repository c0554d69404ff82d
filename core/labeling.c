/* mlp_lf_apply: labeling functions over a table's rows, in forked workers.
 *
 * Processes, not threads: a Lua state runs one thread at a time, and a
 * fork gives every worker the pipeline's state as it was, with the values
 * each LF captured, at the cost of a page-table copy.  Votes go to shared
 * memory; each worker takes a contiguous range of rows.  On a failure a
 * worker lowers stop_row, and the workers past it stop, so the failure
 * reported is the first row's whatever the timing. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <mlpipe/parallel.h>

#include "context_priv.h"
#include "labeling_priv.h"

#define MAX_WORKERS 256
/* Below this many rows a second worker costs more than it saves. */
#define ROWS_PER_WORKER 2048

static void lower_stop(const mlpi_lf_job *job, size_t row)
{
    size_t cur = __atomic_load_n(job->stop_row, __ATOMIC_RELAXED);
    while (row < cur &&
           !__atomic_compare_exchange_n(job->stop_row, &cur, row, 0, __ATOMIC_RELAXED,
                                        __ATOMIC_RELAXED))
        ;
}

static void record(const mlpi_lf_job *job, mlpi_lf_worker *w, int code, size_t lf, size_t row,
                   const char *what)
{
    if (w->code != MLP_OK)
        return;
    w->code = code;
    w->fail_row = row;
    w->fail_lf = lf;
    snprintf(w->msg, sizeof w->msg, "labeling function '%s' (%s) on row %zu: %s",
             job->lfs[lf]->c.name, job->lfs[lf]->where ? job->lfs[lf]->where : "?",
             row + 1, what);
    lower_stop(job, row);
}

void mlpi_lf_worker_error(const mlpi_lf_job *job, mlpi_lf_worker *w, size_t lf, size_t row,
                          const char *msg)
{
    mlp_lf_result *r = &w->res[lf];

    if (job->on_error != MLP_LF_ERRORS_ABSTAIN) {
        record(job, w, MLP_EPLUGIN, lf, row, msg);
        return;
    }
    if (r->errors++ == 0) {
        r->first_error_row = row;
        snprintf(r->first_error, sizeof r->first_error, "%s", msg);
    }
}

void mlpi_lf_worker_fail(const mlpi_lf_job *job, mlpi_lf_worker *w, size_t lf, size_t row,
                         const char *fmt, ...)
{
    char what[MLP_ERROR_MAX];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    record(job, w, MLP_EINVAL, lf, row, what);
}

const char *mlp_lf_where(const mlp_ctx *ctx, const char *name)
{
    const mlpi_component *c = ctx && ctx->reg ? mlpi_registry_find(ctx->reg, name) : NULL;
    return c && c->is_lf ? c->where : NULL;
}

/* One worker's rows: every LF on every row, Lua or C. */
static void worker_rows(const mlpi_lf_job *job, size_t r0, size_t r1, mlpi_lf_worker *w)
{
    size_t m = job->n_lfs, n = mlp_table_n_rows(job->t);
    void **state = calloc(m + 1, sizeof *state);
    mlpi_lua_lf *lua = NULL;
    size_t opened = 0;

    if (state == NULL || mlpi_lua_lf_begin(job, &lua) != MLP_OK) {
        mlpi_lf_worker_fail(job, w, 0, r0, "out of memory");
        free(state);
        mlpi_lua_lf_end(lua);
        return;
    }
    for (; opened < m; opened++) {
        const mlp_lf_fn *lf = job->lfs[opened]->c.lf;
        mlp_error e;
        mlp_error_clear(&e);
        if (job->lfs[opened]->lua_ref >= 0 || lf->open == NULL)
            continue;
        if (lf->open(job->t, job->classes, job->k, &state[opened], &e) != MLP_OK) {
            mlpi_lf_worker_fail(job, w, opened, r0, "could not start: %s",
                                e.msg[0] ? e.msg : "its open failed");
            goto done;
        }
    }
    for (size_t i = r0; i < r1; i++) {
        if (((i - r0) & 1023) == 1023) {
            __atomic_store_n(&w->done, (uint64_t)(i - r0), __ATOMIC_RELAXED);
            if (mlpi_cancel_requested || i > __atomic_load_n(job->stop_row, __ATOMIC_RELAXED))
                break;
        }
        for (size_t j = 0; j < m; j++) {
            char msg[MLP_ERROR_MAX];
            int v = MLP_ABSTAIN, got;
            if (job->lfs[j]->lua_ref >= 0) {
                got = mlpi_lua_lf_call(lua, j, i, &v, msg, sizeof msg);
            } else {
                mlp_error e;
                mlp_error_clear(&e);
                got = job->lfs[j]->c.lf->vote(state[j], job->t, i, &v, &e) == MLP_OK ? 0 : 1;
                snprintf(msg, sizeof msg, "%s", e.msg[0] ? e.msg : "its vote failed");
                if (got == 0 && (v < MLP_ABSTAIN || v >= (int)job->k)) {
                    snprintf(msg, sizeof msg, "voted class index %d", v);
                    got = 2;
                }
            }
            if (got == 1) {
                mlpi_lf_worker_error(job, w, j, i, msg);
                if (job->on_error != MLP_LF_ERRORS_ABSTAIN)
                    goto done;
                v = MLP_ABSTAIN;
            } else if (got == 2) {
                mlpi_lf_worker_fail(job, w, j, i, "%s, which is neither one of the classes "
                                    "(%s) nor %s", msg, job->class_list,
                                    job->lfs[j]->lua_ref >= 0 ? "mp.ABSTAIN" : "MLP_ABSTAIN");
                goto done;
            }
            job->votes[j * n + i] = (int16_t)v;
        }
    }
    __atomic_store_n(&w->done, (uint64_t)(r1 - r0), __ATOMIC_RELAXED);
done:
    for (size_t j = 0; j < opened; j++)
        if (state[j] && job->lfs[j]->c.lf && job->lfs[j]->c.lf->close)
            job->lfs[j]->c.lf->close(state[j]);
    free(state);
    mlpi_lua_lf_end(lua);
}

static void run_worker(const mlpi_lf_job *job, size_t r0, size_t r1, mlpi_lf_worker *w,
                       pid_t parent)
{
    /* Whatever the LFs do to the terminal's signals, the parent decides
     * when to stop: it kills a worker it no longer needs, and a worker
     * whose parent died (killed with the node) ends with it. */
    signal(SIGINT, SIG_IGN);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
        _exit(1);
    worker_rows(job, r0, r1, w);
    __atomic_store_n(&w->finished, 1, __ATOMIC_RELEASE);
}

static void describe_exit(int status, size_t r0, size_t r1, mlp_error *err)
{
    if (WIFSIGNALED(status))
        mlp_error_set(err, MLP_EPLUGIN, "the labeling worker for rows %zu-%zu was killed "
                      "by signal %d (%s)", r0 + 1, r1, WTERMSIG(status),
                      strsignal(WTERMSIG(status)));
    else
        mlp_error_set(err, MLP_EPLUGIN, "the labeling worker for rows %zu-%zu exited "
                      "(status %d) before its last row: does a labeling function call "
                      "os.exit?", r0 + 1, r1, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

/* Forks the workers, waits for them, reporting progress; the first
 * failure (lowest row) ends up in err. */
static int run_workers(mlp_ctx *ctx, const mlpi_lf_job *job, size_t n, int nw,
                       mlpi_lf_worker *w, size_t *bad_row, size_t *bad_lf, mlp_error *err)
{
    pid_t pid[MAX_WORKERS];
    size_t r0[MAX_WORKERS + 1];
    int alive = 0, rc = MLP_OK, status;
    mlp_error death;

    mlp_error_clear(&death);
    for (int i = 0; i <= nw; i++)
        r0[i] = n * (size_t)i / (size_t)nw;
    pid_t self = getpid();
    fflush(NULL);
    for (int i = 0; i < nw; i++) {
        pid[i] = fork();
        if (pid[i] == 0) {
            run_worker(job, r0[i], r0[i + 1], &w[i], self);
            _exit(0);
        }
        if (pid[i] < 0) {
            rc = mlp_error_set(err, MLP_EIO, "cannot start a labeling worker: %s",
                               strerror(errno));
            nw = i;
            break;
        }
        alive++;
    }
    while (alive > 0) {
        struct timespec nap = { 0, 20 * 1000 * 1000 };
        uint64_t done = 0;
        for (int i = 0; i < nw; i++) {
            if (pid[i] <= 0)
                continue;
            pid_t got = waitpid(pid[i], &status, WNOHANG);
            if (got == pid[i]) {
                pid[i] = 0;
                alive--;
                if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
                      __atomic_load_n(&w[i].finished, __ATOMIC_ACQUIRE)) &&
                    death.code == MLP_OK) {
                    describe_exit(status, r0[i], r0[i + 1], &death);
                    lower_stop(job, r0[i]);
                }
            }
            done += __atomic_load_n(&w[i].done, __ATOMIC_RELAXED);
        }
        if (alive == 0)
            break;
        if (mlp_ctx_cancelled(ctx) && rc == MLP_OK) {
            for (int i = 0; i < nw; i++)
                if (pid[i] > 0)
                    kill(pid[i], SIGKILL);
            rc = mlp_error_set(err, MLP_ECANCELED, "cancelled");
        }
        mlp_ctx_progress(ctx, done, n, "rows");
        nanosleep(&nap, NULL);
    }
    if (rc != MLP_OK)
        return rc;
    /* The failure on the lowest row, whichever worker met it. */
    size_t best = SIZE_MAX;
    int who = -1;
    for (int i = 0; i < nw; i++)
        if (w[i].code != MLP_OK && (who < 0 || w[i].fail_row < best)) {
            best = w[i].fail_row;
            who = i;
        }
    if (who >= 0) {
        *bad_row = w[who].fail_row;
        *bad_lf = w[who].fail_lf;
        return mlp_error_set(err, w[who].code, "%s", w[who].msg);
    }
    if (death.code != MLP_OK) {
        *err = death;
        return death.code;
    }
    return MLP_OK;
}

int mlp_lf_apply(mlp_ctx *ctx, const char *const *names, size_t n_lfs, const mlp_table *t,
                 const char *const *classes, size_t k, const mlp_lf_options *opts,
                 int16_t *votes, mlp_lf_result *res, size_t *bad_row, size_t *bad_lf,
                 mlp_error *err)
{
    size_t n = mlp_table_n_rows(t), dummy_row, dummy_lf, list_len = 0;
    const mlpi_component **lfs = calloc(n_lfs + 1, sizeof *lfs);
    char *list = NULL;
    mlpi_lf_worker *w = MAP_FAILED;
    mlp_lf_result *wres = MAP_FAILED;
    int16_t *shared = MAP_FAILED;
    size_t *stop = MAP_FAILED;
    int nw, rc = MLP_OK;

    if (bad_row == NULL)
        bad_row = &dummy_row;
    if (bad_lf == NULL)
        bad_lf = &dummy_lf;
    *bad_row = SIZE_MAX;
    *bad_lf = SIZE_MAX;
    if (lfs == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    if (k < 2 || k > INT16_MAX)
        rc = mlp_error_set(err, MLP_EINVAL, "labeling needs between 2 and %d classes, got "
                           "%zu", INT16_MAX, k);
    for (size_t j = 0; rc == MLP_OK && j < n_lfs; j++) {
        lfs[j] = ctx->reg ? mlpi_registry_find(ctx->reg, names[j]) : NULL;
        if (lfs[j] == NULL || !lfs[j]->is_lf)
            rc = mlp_error_set(err, MLP_EINVAL, "'%s' is %s", names[j],
                               lfs[j] ? "not a labeling function" : "no labeling function "
                               "this pipeline defines");
        else if (lfs[j]->lua_ref < 0 &&
                 (rc = mlpi_component_bind((mlpi_component *)lfs[j], err)) != MLP_OK)
            ;  /* a C LF: its module loaded here, before the workers fork */
        else if (lfs[j]->lua_ref < 0 && lfs[j]->c.lf == NULL)
            rc = mlp_error_set(err, MLP_EINVAL, "labeling function '%s' has no vote "
                               "function", names[j]);
    }
    /* ", " between names, and the NUL: the one size both the buffer
     * and the writes below go by. */
    for (size_t c = 0; rc == MLP_OK && c < k; c++)
        list_len += strlen(classes[c]) + 2;
    if (rc == MLP_OK && (list = malloc(list_len)) == NULL)
        rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
    for (size_t c = 0, at = 0; rc == MLP_OK && c < k && at < list_len; c++) {
        int w = snprintf(list + at, list_len - at, "%s%s", c ? ", " : "", classes[c]);
        at += w > 0 ? (size_t)w : 0;
    }
    nw = opts && opts->threads > 0 ? opts->threads : mlp_cpu_count();
    if ((size_t)nw > n / ROWS_PER_WORKER)
        nw = (int)(n / ROWS_PER_WORKER);
    if (nw < 1)
        nw = 1;
    if (nw > MAX_WORKERS)
        nw = MAX_WORKERS;
    if (rc == MLP_OK && n_lfs > 0 && n > 0) {
        w = mmap(NULL, (size_t)nw * sizeof *w, PROT_READ | PROT_WRITE,
                 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        wres = mmap(NULL, (size_t)nw * n_lfs * sizeof *wres, PROT_READ | PROT_WRITE,
                    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        shared = mmap(NULL, n * n_lfs * sizeof *shared, PROT_READ | PROT_WRITE,
                      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        stop = mmap(NULL, sizeof *stop, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                    -1, 0);
        if (w == MAP_FAILED || wres == MAP_FAILED || shared == MAP_FAILED || stop == MAP_FAILED)
            rc = mlp_error_set(err, MLP_ENOMEM, "cannot map %zu bytes for the votes: %s",
                               n * n_lfs * sizeof *shared, strerror(errno));
    }
    if (rc == MLP_OK && n_lfs > 0 && n > 0) {
        mlpi_lf_job job = { lfs, n_lfs, t, classes, k, list,
                            opts ? opts->on_error : MLP_LF_ERRORS_FAIL, shared, stop };
        *stop = SIZE_MAX;
        for (int i = 0; i < nw; i++) {
            w[i].res = wres + (size_t)i * n_lfs;
            for (size_t j = 0; j < n_lfs; j++)
                w[i].res[j].first_error_row = SIZE_MAX;
        }
        rc = run_workers(ctx, &job, n, nw, w, bad_row, bad_lf, err);
        if (rc == MLP_OK)
            memcpy(votes, shared, n * n_lfs * sizeof *votes);
    }
    /* Each LF's errors: the sum, and the first by row (workers' ranges
     * are in row order). */
    for (size_t j = 0; res != NULL && j < n_lfs; j++) {
        memset(&res[j], 0, sizeof res[j]);
        res[j].first_error_row = SIZE_MAX;
        for (int i = 0; w != MAP_FAILED && rc == MLP_OK && i < nw; i++) {
            const mlp_lf_result *r = &w[i].res[j];
            if (r->errors && res[j].errors == 0) {
                res[j].first_error_row = r->first_error_row;
                memcpy(res[j].first_error, r->first_error, sizeof res[j].first_error);
            }
            res[j].errors += r->errors;
        }
    }
    if (w != MAP_FAILED)
        munmap(w, (size_t)nw * sizeof *w);
    if (wres != MAP_FAILED)
        munmap(wres, (size_t)nw * n_lfs * sizeof *wres);
    if (shared != MAP_FAILED)
        munmap(shared, n * n_lfs * sizeof *shared);
    if (stop != MAP_FAILED)
        munmap(stop, sizeof *stop);
    free(list);
    free(lfs);
    return rc;
}
