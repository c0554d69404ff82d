/* The runner: executes a pipeline's nodes in dependency order.
 *
 * For each node it computes the fingerprint, reuses an earlier execution
 * when the cache allows, and otherwise runs the component in a child
 * process (fork) so that a crash, an abort or a hang fails that node only.
 * The child writes outputs into temporary directories and a result.json;
 * the parent renames the directories into place and then publishes the
 * execution in one transaction.  Anything a killed run leaves behind is
 * RUNNING/PENDING in the store and is cleaned up by the next run.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <mlpipe/json.h>
#include <mlpipe/memory.h>

#include "artifact_priv.h"
#include "cache.h"
#include "context_priv.h"
#include "contract.h"
#include "execfile.h"
#include "memlimit.h"
#include "sandbox.h"
#include "metadata.h"
#include "recovery.h"
#include "rootdir.h"
#include "runner.h"
#include "verify.h"

enum { NS_WAIT, NS_RUNNING, NS_DONE, NS_CACHED, NS_FAILED, NS_SKIPPED,
       NS_GATED, NS_CANCELED, NS_UNSELECTED };

static const char *const ns_names[] = {
    "waiting", "running", "ran", "cached", "failed", "skipped", "gated",
    "canceled", "unselected"
};

/* Seconds a node may go on after an allocation was refused before it is
 * taken as stuck (check_timeouts). */
#define MEMORY_GRACE_S 5

typedef struct nstate {
    int status;
    mlp_artifact **outs;       /* one per output port */
    int64_t *out_ids;          /* their store ids while still PENDING */
    size_t n_out;
    int64_t exec_id;
    pid_t pid;
    double start, dur;
    int attempt;
    int timed_out;
    double refused_at;         /* when its memory-refused marker appeared */
    int stuck;                 /* killed: still running long after it */
    char fp[MLPI_HASH_HEX];
    char *parts_text;
    char *error;
    char *explain;
    char *gate;
    char dir[40];              /* the execution's directory name */
    char tmp[4096];
    int progress_fd;
} nstate;

typedef struct run {
    mlpi_pipeline *p;
    const mlpi_run_opts *opts;
    int jobs;
    mlpi_store *store;
    nstate *st;
    int64_t ctx[2];            /* pipeline, run */
    int running;
    int lock_fd;
    char root[4096];           /* p->root, absolute and resolved */
    int status_line;           /* a progress line is on the terminal */
} run;

/* ---------------------------------------------------------------- helpers */

static char *xstrdup(const char *s)
{
    return s ? strdup(s) : NULL;
}

static int out_index(const mlpi_node *n, const char *port)
{
    int i = 0;
    for (const mlp_port *o = n->comp->c.outputs; o && o->name; o++, i++)
        if (strcmp(o->name, port) == 0)
            return i;
    return -1;
}

/* "latest_blessed" inputs: the newest live Model (the highest id: the
 * last made) that this same node of this pipeline, in an earlier run,
 * took as its `model` and blessed -- TFX's latest-blessed-model resolver,
 * per node, so two evaluations of two models in one pipeline each compare
 * with their own.  None yet (the first run) leaves the port empty. */
static int resolve_latest_blessed(run *r, mlp_error *err)
{
    static const char sql_fmt[] =
        "SELECT m.id AS id FROM event ei"
        " JOIN execution e ON e.id = ei.execution_id"
        " JOIN association ac ON ac.execution_id = e.id AND ac.context_id = ?1"
        " JOIN event eo ON eo.execution_id = e.id AND eo.type = 'OUTPUT'"
        "  AND eo.port = 'blessing'"
        " JOIN artifact b ON b.id = eo.artifact_id"
        " JOIN artifact m ON m.id = ei.artifact_id"
        " JOIN artifact_type t ON t.id = m.type_id AND t.name = 'Model'"
        " WHERE ei.type = 'INPUT' AND ei.port = 'model' AND e.node = '%s'"
        "  AND e.state IN ('COMPLETE', 'CACHED') AND m.state = 'LIVE'"
        "  AND b.state = 'LIVE' AND json_valid(b.properties)"
        "  AND json_extract(b.properties, '$.blessed') = 1"
        " ORDER BY m.id DESC LIMIT 1";

    for (size_t i = 0; i < r->p->n_nodes; i++) {
        mlpi_node *n = r->p->nodes[i];
        for (size_t b = 0; b < n->n_inputs; b++) {
            mlpi_binding *bd = &n->inputs[b];
            cJSON *rows = NULL;
            int rc;
            char sql[sizeof sql_fmt + 300];
            if (!bd->latest_blessed)
                continue;
            /* Node names are letters, digits, '_' and '-': safe to quote. */
            snprintf(sql, sizeof sql, sql_fmt, n->name);
            mlpi_artifact_free(bd->resolved);
            bd->resolved = NULL;
            rc = mlpi_store_query(r->store, sql, &r->ctx[0], 1, &rows, err);
            const cJSON *id = cJSON_GetObjectItem(cJSON_GetArrayItem(rows, 0), "id");
            if (rc == MLP_OK && cJSON_IsNumber(id))
                rc = mlpi_store_artifact_get(r->store, (int64_t)id->valuedouble,
                                             &bd->resolved, err);
            cJSON_Delete(rows);
            if (rc != MLP_OK)
                return mlp_error_prefix(err, "%s: input '%s' = \"latest_blessed\"",
                                        n->name, bd->port->name);
        }
    }
    return MLP_OK;
}

/* inputs[b][k]: the artifacts feeding node i, from upstream states. */
static mlp_artifact ***gather_inputs(run *r, size_t i)
{
    const mlpi_node *n = r->p->nodes[i];
    mlp_artifact ***in = calloc(n->n_inputs + 1, sizeof *in);

    if (in == NULL)
        return NULL;
    for (size_t b = 0; b < n->n_inputs; b++) {
        in[b] = calloc(n->inputs[b].n + 2, sizeof **in);
        if (in[b] == NULL)
            goto fail;
        for (size_t k = 0; k < n->inputs[b].n; k++) {
            const mlpi_wire *w = &n->inputs[b].wires[k];
            int o = out_index(r->p->nodes[w->src], w->port);
            in[b][k] = r->st[w->src].outs[o];
        }
        if (n->inputs[b].resolved != NULL)
            in[b][n->inputs[b].n] = n->inputs[b].resolved;
    }
    return in;
fail:
    for (size_t b = 0; b < n->n_inputs; b++)
        free(in[b]);
    free(in);
    return NULL;
}

static void free_inputs(const mlpi_node *n, mlp_artifact ***in)
{
    if (in == NULL)
        return;
    for (size_t b = 0; b < n->n_inputs; b++)
        free(in[b]);
    free(in);
}

static void clear_status_line(run *r)
{
    if (r->status_line) {
        fputs("\r\033[K", stderr);
        r->status_line = 0;
    }
}

static void print_node(run *r, size_t i, const char *detail)
{
    const nstate *s = &r->st[i];
    FILE *out = r->opts->out ? r->opts->out : stdout;

    if (r->opts->json)
        return;
    clear_status_line(r);
    fprintf(out, "%-8s %-22s %8.2fs  %s\n", ns_names[s->status],
            r->p->nodes[i]->name, s->dur, detail ? detail : "");
    if (r->opts->explain && s->explain != NULL)
        fprintf(out, "%8s %-22s            why: %s\n", "", "", s->explain);
    fflush(out);
}

static void print_outputs(run *r, size_t i)
{
    char buf[2048];
    size_t n = 0;
    const nstate *s = &r->st[i];
    const mlp_port *o = r->p->nodes[i]->comp->c.outputs;

    buf[0] = '\0';
    for (size_t k = 0; k < s->n_out; k++)
        n += (size_t)snprintf(buf + n, n < sizeof buf ? sizeof buf - n : 0,
                              "%s%s=%s/%s", k ? "  " : "", o[k].name,
                              r->p->root, s->outs[k]->loc);
    print_node(r, i, buf);
}

/* ----------------------------------------------------------------- cache */

/* Checks every output of a cache candidate against its manifest.  A
 * damaged one is retired (so its producer runs again) and, when why is
 * still empty, the reason written there.  1: all intact, 0: not, < 0: an error. */
static int candidate_intact(run *r, const cJSON *outs, char *why,
                            size_t size, mlp_error *err)
{
    const cJSON *o;
    int intact = 1;

    cJSON_ArrayForEach(o, outs) {
        int64_t aid = (int64_t)cJSON_GetNumberValue(
            cJSON_GetObjectItem(o, "artifact_id"));
        mlp_error e;
        int rc = mlpi_verify_artifact(r->store, aid, 0, &e);
        if (rc == MLP_OK)
            continue;
        if (rc != MLP_ECORRUPT) {
            *err = e;
            return rc;
        }
        if (why[0] == '\0')
            snprintf(why, size, "artifact %lld (output '%s') is damaged: %s",
                     (long long)aid,
                     cJSON_GetStringValue(cJSON_GetObjectItem(o, "port")), e.msg);
        intact = 0;
        rc = mlpi_verify_retire(r->store, aid, e.msg, err);
        if (rc != MLP_OK)
            return rc;
    }
    return intact;
}

static int try_cache(run *r, size_t i, mlp_artifact ***in, mlp_error *err)
{
    nstate *s = &r->st[i];
    const mlpi_node *n = r->p->nodes[i];
    cJSON *cands = NULL, *outs = NULL, *c, *o;
    char *params = NULL;
    int64_t from = 0, id = 0;
    char damage[MLP_ERROR_MAX + 256] = "";
    int rc;

    rc = mlpi_store_cache_candidates(r->store, s->fp, &cands, err);
    cJSON_ArrayForEach(c, cands) {
        int ok;
        if (rc != MLP_OK)
            break;
        ok = candidate_intact(r, cJSON_GetObjectItem(c, "outputs"), damage,
                              sizeof damage, err);
        if (ok < 0) {
            rc = ok;
            break;
        }
        if (ok) {
            from = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(c, "execution"));
            outs = cJSON_GetObjectItem(c, "outputs");
            break;
        }
    }
    if (rc != MLP_OK || from == 0) {
        if (rc == MLP_OK && damage[0] != '\0') {
            char why[sizeof damage + 64];
            snprintf(why, sizeof why, "its earlier outputs were damaged, so it "
                     "runs again: %s", damage);
            free(s->explain);
            s->explain = strdup(why);
        }
        goto done;
    }
    params = mlp_json_print(n->params, 0);
    rc = mlpi_store_begin(r->store, err);
    if (rc != MLP_OK)
        goto done;
    rc = mlpi_store_execution_start(r->store, n->name, n->comp->c.name, s->fp,
                                    s->parts_text, params ? params : "{}", 1,
                                    r->ctx, 2, &id, s->dir, err);
    for (size_t b = 0; rc == MLP_OK && b < n->n_inputs; b++)
        for (size_t k = 0; rc == MLP_OK && k < mlpi_binding_count(&n->inputs[b]); k++)
            rc = mlpi_store_event(r->store, id, in[b][k]->id, "INPUT",
                                  n->inputs[b].port->name, (int)k, err);
    cJSON_ArrayForEach(o, outs) {
        const char *port = cJSON_GetStringValue(cJSON_GetObjectItem(o, "port"));
        int64_t aid = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(o, "artifact_id"));
        int k = port ? out_index(n, port) : -1;
        if (rc != MLP_OK)
            break;
        if (k < 0 || s->outs[k] != NULL)
            continue;  /* the component no longer has that port */
        rc = mlpi_store_event(r->store, id, aid, "OUTPUT", port, 0, err);
        if (rc == MLP_OK)
            rc = mlpi_store_artifact_get(r->store, aid, &s->outs[k], err);
    }
    for (size_t k = 0; rc == MLP_OK && k < s->n_out; k++)
        if (s->outs[k] == NULL)
            rc = mlp_error_set(err, MLP_ENOTFOUND, "no cached output");
    if (rc == MLP_OK)
        rc = mlpi_store_execution_cached(r->store, id, from, err);
    if (rc == MLP_OK)
        rc = mlpi_store_commit(r->store, err);
    if (rc != MLP_OK) {
        mlpi_store_rollback(r->store);
        for (size_t k = 0; k < s->n_out; k++) {
            mlpi_artifact_free(s->outs[k]);
            s->outs[k] = NULL;
        }
        /* A cache record we cannot use is a miss, not a failed run. */
        if (rc == MLP_ENOTFOUND)
            rc = MLP_OK;
        goto done;
    }
    s->exec_id = id;
    s->status = NS_CACHED;
    s->dur = 0;
    if (r->opts->explain) {
        char why[128];
        snprintf(why, sizeof why, "nothing changed: reusing the outputs of "
                 "execution %lld", (long long)from);
        free(s->explain);
        s->explain = strdup(why);
    }
    print_outputs(r, i);
done:
    mlp_free(params);
    cJSON_Delete(cands);
    return rc;
}

/* ----------------------------------------------------------------- child */

static void write_result(const char *tmp, const mlp_ctx *ctx, int rc)
{
    cJSON *res = cJSON_CreateObject();
    cJSON *outs = cJSON_CreateObject();
    char path[4096];

    cJSON_AddBoolToObject(res, "ok", rc == MLP_OK);
    if (rc != MLP_OK) {
        cJSON_AddStringToObject(res, "error", ctx->error[0] ? ctx->error
                                : "the component failed without saying why");
        cJSON_AddNumberToObject(res, "code", rc);
    }
    if (ctx->gate != NULL)
        cJSON_AddStringToObject(res, "gate", ctx->gate);
    for (size_t k = 0; k < ctx->n_out; k++)
        cJSON_AddItemToObject(outs, ctx->out[k].port,
                              cJSON_Duplicate(ctx->out[k].art->props, 1));
    cJSON_AddItemToObject(res, "outputs", outs);
    mlpi_path_join(path, sizeof path, tmp, "result.json");
    mlp_json_write_file(path, res, NULL);
    cJSON_Delete(res);
}

static void on_term(int sig)
{
    (void)sig;
    mlpi_cancel_requested = 1;
}

/* The memory limit of node i: its own, else --memory, else the
 * pipeline's; 0 for none. */
static uint64_t memory_limit(const run *r, size_t i)
{
    const mlpi_node *n = r->p->nodes[i];

    if (n->memory)
        return n->memory;
    return r->opts->memory ? r->opts->memory : r->p->memory;
}

/* Whether dir (absolute; root resolved) may be a node's own writable
 * directory: not "/", without ".." (so the checks below are lexical and
 * exact), not the root itself nor mlpipe's own directories in it. */
static int writes_dir_ok(const char *dir, const char *root)
{
    static const char *const own[] = { "/artifacts", "/logs", "/.tmp", "/metadata.sqlite",
                                       NULL };
    size_t rl = strlen(root);
    char tail[4096];

    if (dir[0] != '/' || strspn(dir, "/") == strlen(dir) || strstr(dir, "/../") ||
        (strlen(dir) >= 3 && strcmp(dir + strlen(dir) - 3, "/..") == 0))
        return 0;
    if (strncmp(dir, root, rl) != 0 || (dir[rl] != '/' && dir[rl] != '\0'))
        return 1;  /* outside the root */
    snprintf(tail, sizeof tail, "%s", dir + rl);
    while (strlen(tail) > 0 && tail[strlen(tail) - 1] == '/')
        tail[strlen(tail) - 1] = '\0';
    if (tail[0] == '\0' || strcmp(tail, "/.") == 0)
        return 0;  /* the root itself */
    for (size_t i = 0; own[i]; i++) {
        size_t l = strlen(own[i]);
        if (strncmp(tail, own[i], l) == 0 && (tail[l] == '/' || tail[l] == '\0'))
            return 0;
    }
    return 1;
}

/* Builds the context and runs the component; in a child (child != 0)
 * under its memory limit and write sandbox first. */
static int execute(run *r, size_t i, mlp_artifact ***in, FILE *log,
                   int child)
{
    const mlpi_node *n = r->p->nodes[i];
    nstate *s = &r->st[i];
    mlp_ctx ctx;
    char scratch[4096], progress[4096], writes_dir[4096] = "";
    cJSON *own_params = NULL;
    int rc;

    memset(&ctx, 0, sizeof ctx);
    ctx.comp = n->comp;
    ctx.reg = r->p->reg;
    ctx.node = n->name;
    ctx.params = n->params;
    ctx.log = log;
    mlpi_path_join(scratch, sizeof scratch, s->tmp, "scratch");
    mlpi_path_join(progress, sizeof progress, s->tmp, "progress");
    ctx.scratch = scratch;
    ctx.progress_fd = open(progress, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    ctx.n_in = n->n_inputs;
    ctx.in = calloc(n->n_inputs + 1, sizeof *ctx.in);
    ctx.n_out = s->n_out;
    ctx.out = calloc(s->n_out + 1, sizeof *ctx.out);
    if (ctx.in == NULL || ctx.out == NULL) {
        rc = mlp_ctx_fail(&ctx, MLP_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t b = 0; b < n->n_inputs; b++) {
        ctx.in[b].port = n->inputs[b].port->name;
        ctx.in[b].arts = in[b];
        ctx.in[b].n = mlpi_binding_count(&n->inputs[b]);
    }
    for (size_t k = 0; k < s->n_out; k++) {
        ctx.out[k].port = n->comp->c.outputs[k].name;
        ctx.out[k].art = s->outs[k];
    }
    /* A directory the component writes outside its outputs: absolute,
     * created, and the one place beyond them the sandbox opens. */
    for (const mlp_param_spec *ps = n->comp->c.params; ps && ps->name; ps++) {
        const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(n->params,
                                                                              ps->name));
        mlp_error e;
        if (!(ps->flags & MLP_PARAM_WRITES_DIR) || v == NULL || writes_dir[0])
            continue;
        if (v[0] == '/')
            snprintf(writes_dir, sizeof writes_dir, "%s", v);
        else
            mlpi_path_join(writes_dir, sizeof writes_dir, r->root, v);
        if (!writes_dir_ok(writes_dir, r->root)) {
            rc = mlp_ctx_fail(&ctx, MLP_EINVAL, "parameter '%s': '%s' is not a directory a "
                              "node may write: name one of its own (not empty, not '/', no "
                              "'..', not the pipeline root or mlpipe's artifacts/, logs/ "
                              "or .tmp/ in it)", ps->name, v);
            goto done;
        }
        if (mlpi_mkdir_p(writes_dir, &e) != MLP_OK) {
            rc = mlp_ctx_fail(&ctx, e.code, "parameter '%s': %s", ps->name, e.msg);
            goto done;
        }
        own_params = cJSON_Duplicate(n->params, 1);
        if (own_params != NULL)
            cJSON_ReplaceItemInObjectCaseSensitive(own_params, ps->name,
                                                   cJSON_CreateString(writes_dir));
        ctx.params = own_params ? own_params : n->params;
    }
    if (child) {
        char marker[4096];
        uint64_t limit = memory_limit(r, i);
        mlp_error e;
        rc = MLP_OK;
        mlpi_path_join(marker, sizeof marker, s->tmp, "memory-refused");
        if (limit > 0)
            rc = mlpi_memlimit_apply(limit, marker, &e);
        mlpi_path_join(marker, sizeof marker, s->tmp, "sandbox-refused");
        if (rc == MLP_OK)
            rc = mlpi_sandbox_enter(s->tmp, writes_dir[0] ? writes_dir : NULL, marker, &e);
        /* Temporary files go where the component may write them. */
        if (rc == MLP_OK)
            setenv("TMPDIR", scratch, 1);
        if (rc != MLP_OK) {
            rc = mlp_ctx_fail_error(&ctx, &e);
            goto done;
        }
    }
    if (n->comp->lua_ref >= 0) {
        rc = mlpi_lua_run_component(n->comp, &ctx);
    } else {
        /* The module is loaded here, in the child, not in the host. */
        mlp_error e;
        rc = mlpi_component_bind((mlpi_component *)n->comp, &e);
        if (rc == MLP_OK)
            rc = n->comp->c.run(&ctx);
        else
            mlp_ctx_fail(&ctx, rc, "%s", e.msg);
    }
    if (rc == MLP_OK && ctx.error[0] != '\0')
        rc = ctx.error_code ? ctx.error_code : MLP_EINVAL;
done:
    write_result(s->tmp, &ctx, rc);
    if (ctx.progress_fd >= 0)
        close(ctx.progress_fd);
    free(ctx.in);
    free(ctx.out);
    free(ctx.gate);
    cJSON_Delete(own_params);
    return rc;
}

static void child_main(run *r, size_t i, mlp_artifact ***in, const char *logp)
{
    sigset_t none;
    struct sigaction sa;
    FILE *log;
    int fd, rc;

    /* If the parent dies (SIGKILL included), so do we: an orphan would
     * keep writing into directories the next run cleans up. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() == 1)
        _exit(125);
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_term;
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGINT, SIG_IGN);
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    fd = open(logp, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd >= 0) {
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
        close(fd);
    }
    log = stderr;
    setvbuf(stdout, NULL, _IOLBF, 0);
    rc = execute(r, i, in, log, 1);
    fflush(NULL);
    _exit(rc == MLP_OK ? 0 : 1);
}

/* ---------------------------------------------------------------- launch */

static int record_start(run *r, size_t i, mlp_artifact ***in, mlp_error *err)
{
    nstate *s = &r->st[i];
    const mlpi_node *n = r->p->nodes[i];
    char *params = mlp_json_print(n->params, 0);
    int rc;

    rc = mlpi_store_begin(r->store, err);
    if (rc != MLP_OK) {
        mlp_free(params);
        return rc;
    }
    rc = mlpi_store_execution_start(r->store, n->name, n->comp->c.name, s->fp,
                                    s->parts_text, params ? params : "{}",
                                    s->attempt, r->ctx, 2, &s->exec_id, s->dir,
                                    err);
    mlp_free(params);
    snprintf(s->tmp, sizeof s->tmp, "%s/.tmp/%s", r->root, s->dir);
    for (size_t b = 0; rc == MLP_OK && b < n->n_inputs; b++)
        for (size_t k = 0; rc == MLP_OK && k < mlpi_binding_count(&n->inputs[b]); k++)
            rc = mlpi_store_event(r->store, s->exec_id, in[b][k]->id, "INPUT",
                                  n->inputs[b].port->name, (int)k, err);
    for (size_t k = 0; rc == MLP_OK && k < s->n_out; k++) {
        const mlp_port *o = &n->comp->c.outputs[k];
        char loc[4096], uri[4096], work[4096];
        int64_t aid;
        snprintf(loc, sizeof loc, "artifacts/%s/%s/%s", n->name, s->dir,
                 o->name);
        snprintf(work, sizeof work, "%s/out/%s", s->tmp, o->name);
        rc = mlpi_root_path(r->root, loc, uri, sizeof uri, err);
        if (rc == MLP_OK)
            rc = mlpi_store_artifact_new(r->store, o->type, loc, "PENDING",
                                         r->ctx, 2, &aid, err);
        if (rc != MLP_OK)
            break;
        s->outs[k] = mlpi_artifact_new(aid, o->type, uri, loc);
        if (s->outs[k] == NULL || (s->outs[k]->work_uri = strdup(work)) == NULL) {
            rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
            break;
        }
        s->outs[k]->writable = 1;
        s->out_ids[k] = aid;
        s->outs[k]->id = 0;  /* components see 0 until it is published */
    }
    if (rc == MLP_OK)
        rc = mlpi_store_commit(r->store, err);
    else
        mlpi_store_rollback(r->store);
    return rc;
}

static void finish(run *r, size_t i, int ok, const char *why);

static int launch(run *r, size_t i, mlp_artifact ***in, mlp_error *err)
{
    nstate *s = &r->st[i];
    char logp[4096], logdir[4096], sub[4096];
    int rc;

    snprintf(logdir, sizeof logdir, "%s/logs", r->root);
    snprintf(logp, sizeof logp, "%s/%s.log", logdir, s->dir);
    rc = mlpi_root_mkdir(r->root, logdir, err);
    snprintf(sub, sizeof sub, "%s/scratch", s->tmp);
    if (rc == MLP_OK)
        rc = mlpi_root_mkdir(r->root, sub, err);
    for (size_t k = 0; rc == MLP_OK && k < s->n_out; k++)
        rc = mlpi_root_mkdir(r->root, s->outs[k]->work_uri, err);
    if (rc != MLP_OK)
        return rc;
    snprintf(sub, sizeof sub, "%s/progress", s->tmp);
    s->start = mlpi_monotonic();
    s->status = NS_RUNNING;
    s->timed_out = s->stuck = 0;
    s->refused_at = 0;
    if (!r->p->nodes[i]->isolate || r->opts->in_process) {
        FILE *log = fopen(logp, "a");
        int erc;
        if (memory_limit(r, i) > 0)
            mlp_log(MLP_LOG_WARN, "node '%s' runs inside mlpipe (%s): its "
                    "memory limit is not applied", r->p->nodes[i]->name,
                    r->opts->in_process ? "--in-process" : "isolate = false");
        erc = execute(r, i, in, log ? log : stderr, 0);
        if (log)
            fclose(log);
        s->dur = mlpi_monotonic() - s->start;
        finish(r, i, erc == MLP_OK, NULL);
        return MLP_OK;
    }
    fflush(NULL);
    s->pid = fork();
    if (s->pid < 0)
        return mlp_error_set(err, MLP_EIO, "cannot fork: %s", strerror(errno));
    if (s->pid == 0)
        child_main(r, i, in, logp);
    r->running++;
    return MLP_OK;
}

/* Inputs are checked right before a component reads them.  One that
 * changed since it was published (or verified as a cache hit) fails the
 * node and is retired, so the next run makes it again.  1: intact, 0: not
 * (why says which and how), < 0: an error. */
static int inputs_intact(run *r, size_t i, mlp_artifact ***in, char *why,
                         size_t size, mlp_error *err)
{
    const mlpi_node *n = r->p->nodes[i];

    for (size_t b = 0; b < n->n_inputs; b++)
        for (size_t k = 0; k < mlpi_binding_count(&n->inputs[b]); k++) {
            mlp_error e;
            int rc = mlpi_verify_artifact(r->store, in[b][k]->id, 0, &e);
            if (rc == MLP_OK)
                continue;
            if (rc != MLP_ECORRUPT) {
                *err = e;
                return rc;
            }
            snprintf(why, size, "input '%s' (artifact %lld, %s) is damaged: %s; "
                     "it was retired, so the next run %s",
                     n->inputs[b].port->name, (long long)in[b][k]->id,
                     in[b][k]->loc, e.msg, k == n->inputs[b].n && n->inputs[b].resolved
                     ? "takes the blessed model before it" : "makes it again");
            rc = mlpi_verify_retire(r->store, in[b][k]->id, e.msg, err);
            return rc != MLP_OK ? rc : 0;
        }
    return 1;
}

/* Prepares node i: fingerprint, explanation, cache; launches it when the
 * cache cannot serve it and a job slot is free.  Returns 1 when the node
 * moved on (cached or launched), 0 when it waits for a slot. */
static int start(run *r, size_t i, mlp_error *err)
{
    nstate *s = &r->st[i];
    const mlpi_node *n = r->p->nodes[i];
    mlp_artifact ***in = gather_inputs(r, i);
    int rc = MLP_OK, moved = 0;

    if (in == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    if (s->parts_text == NULL) {
        cJSON *parts = mlpi_fingerprint_parts(n, in, r->store);
        if (parts == NULL) {
            rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
            goto done;
        }
        rc = mlpi_fingerprint(parts, s->fp, &s->parts_text, err);
        if (rc == MLP_OK && r->opts->explain) {
            int64_t last;
            char *old = NULL, *gone = NULL;
            rc = mlpi_store_last_parts(r->store, r->ctx[0], n->name, &last,
                                       &old, &gone, err);
            if (rc == MLP_OK)
                s->explain = mlpi_explain_change(old, parts, gone);
            free(old);
            free(gone);
        }
        cJSON_Delete(parts);
        if (rc != MLP_OK)
            goto done;
        /* A pusher acts on the world outside the root (a serving
         * directory that may have changed since): it always runs, and is
         * itself idempotent. */
        if (r->opts->no_cache || !n->cache || n->comp->c.stage == MLP_STAGE_PUSH) {
            free(s->explain);
            s->explain = strdup(r->opts->no_cache ? "--no-cache was given"
                                : !n->cache ? "the node sets cache = false"
                                            : "push nodes always run");
        } else {
            rc = try_cache(r, i, in, err);
            if (rc != MLP_OK || s->status == NS_CACHED) {
                moved = s->status == NS_CACHED;
                goto done;
            }
        }
    }
    if (r->running >= r->jobs)
        goto done;
    {
        char why[MLP_ERROR_MAX + 256];
        int ok = inputs_intact(r, i, in, why, sizeof why, err);
        if (ok < 0) {
            rc = ok;
            goto done;
        }
        if (!ok) {
            s->status = NS_FAILED;
            s->error = strdup(why);
            print_node(r, i, why);
            moved = 1;
            goto done;
        }
    }
    rc = record_start(r, i, in, err);
    if (rc == MLP_OK)
        rc = launch(r, i, in, err);
    moved = rc == MLP_OK;
done:
    /* The child owns its copy of `in`; the parent's copy only points into
     * upstream states. */
    free_inputs(n, in);
    return rc != MLP_OK ? rc : moved;
}

/* ---------------------------------------------------------------- finish */

static char *tail_of_log(run *r, size_t i)
{
    char logp[4096], *text = NULL, *out;
    size_t len = 0;

    snprintf(logp, sizeof logp, "%s/logs/%s.log", r->root, r->st[i].dir);
    if (mlpi_read_file(logp, &text, &len, NULL) != MLP_OK || len == 0) {
        free(text);
        return NULL;
    }
    while (len > 0 && isspace((unsigned char)text[len - 1]))
        text[--len] = '\0';
    /* Only blank lines: "log ... ends:" over nothing would mislead. */
    if (len == 0) {
        free(text);
        return NULL;
    }
    const char *start = text + (len > 600 ? len - 600 : 0);
    out = strdup(start);
    free(text);
    return out;
}

/* Moves a finished output into place.  RENAME_NOREPLACE: a directory
 * already there (a store restored from an older copy, say) is an error,
 * never silently replaced or merged. */
static int move_output(const char *root, mlp_artifact *a, mlp_error *err)
{
    char parent[4096];
    int rc;

    snprintf(parent, sizeof parent, "%s", a->uri);
    *strrchr(parent, '/') = '\0';
    rc = mlpi_root_mkdir(root, parent, err);
    if (rc == MLP_OK &&
        renameat2(AT_FDCWD, a->work_uri, AT_FDCWD, a->uri, RENAME_NOREPLACE) != 0)
        rc = mlp_error_set(err, MLP_EIO, "cannot move %s to %s: %s",
                           a->work_uri, a->uri, errno == EEXIST
                           ? "a directory of that name already exists"
                           : strerror(errno));
    mlpi_fsync_dir(parent);
    return rc;
}

static int publish(run *r, size_t i, const cJSON *result, mlp_error *err)
{
    nstate *s = &r->st[i];
    const mlpi_node *n = r->p->nodes[i];
    const cJSON *outs = cJSON_GetObjectItem(result, "outputs");
    mlpi_manifest *m = calloc(s->n_out + 1, sizeof *m);
    int rc = m ? MLP_OK : mlp_error_set(err, MLP_ENOMEM, "out of memory");

    /* Rename first, publish second: a crash in between leaves directories
     * the store still calls PENDING, which the next run removes. */
    for (size_t k = 0; rc == MLP_OK && k < s->n_out; k++) {
        mlp_artifact *a = s->outs[k];
        const cJSON *props = cJSON_GetObjectItem(outs, n->comp->c.outputs[k].name);

        rc = move_output(r->root, a, err);
        if (rc == MLP_OK)
            rc = mlpi_manifest_build(a->uri, &m[k], a->fingerprint, err);
        if (rc != MLP_OK)
            mlp_error_prefix(err, "output '%s'", n->comp->c.outputs[k].name);
        if (rc == MLP_OK && cJSON_IsObject(props)) {
            cJSON_Delete(a->props);
            a->props = cJSON_Duplicate(props, 1);
        }
    }
    if (rc == MLP_OK)
        rc = mlpi_store_begin(r->store, err);
    if (rc != MLP_OK)
        goto done;
    for (size_t k = 0; rc == MLP_OK && k < s->n_out; k++) {
        rc = mlpi_store_artifact_publish(r->store, s->out_ids[k],
                                         s->outs[k]->fingerprint,
                                         s->outs[k]->props, &m[k], err);
        if (rc == MLP_OK)
            rc = mlpi_store_event(r->store, s->exec_id, s->out_ids[k], "OUTPUT",
                                  n->comp->c.outputs[k].name, 0, err);
    }
    if (rc == MLP_OK)
        rc = mlpi_store_execution_finish(r->store, s->exec_id, "COMPLETE",
                                         NULL, err);
    if (rc == MLP_OK && s->n_out > 0)
        rc = mlpi_execfile_write(r->store, s->exec_id, err);
    if (rc == MLP_OK)
        rc = mlpi_store_commit(r->store, err);
    else
        mlpi_store_rollback(r->store);
    if (rc == MLP_OK)
        for (size_t k = 0; k < s->n_out; k++) {
            s->outs[k]->id = s->out_ids[k];
            s->outs[k]->writable = 0;
        }
done:
    for (size_t k = 0; m != NULL && k < s->n_out; k++)
        mlpi_manifest_free(&m[k]);
    free(m);
    return rc;
}

/* Marks the execution FAILED (or CANCELED), its outputs DELETED, and
 * removes what it wrote, also outputs already moved into place when
 * publishing failed half-way. */
static void record_failure(run *r, size_t i, const char *state,
                           const char *msg)
{
    nstate *s = &r->st[i];
    mlp_error err;
    char dir[4096];
    int rc = mlpi_store_begin(r->store, &err);

    for (size_t k = 0; rc == MLP_OK && k < s->n_out; k++)
        rc = mlpi_store_artifact_set_state(r->store, s->out_ids[k], "DELETED",
                                           "its execution failed", &err);
    if (rc == MLP_OK)
        rc = mlpi_store_execution_finish(r->store, s->exec_id, state, msg, &err);
    if (rc == MLP_OK)
        rc = mlpi_store_commit(r->store, &err);
    else
        mlpi_store_rollback(r->store);
    if (rc != MLP_OK)
        mlp_log(MLP_LOG_ERROR, "%s", err.msg);
    snprintf(dir, sizeof dir, "%s/artifacts/%s/%s", r->root,
             r->p->nodes[i]->name, s->dir);
    if (mlpi_root_remove(r->root, dir, &err) != MLP_OK)
        mlp_log(MLP_LOG_ERROR, "%s", err.msg);
    for (size_t k = 0; k < s->n_out; k++) {
        mlpi_artifact_free(s->outs[k]);
        s->outs[k] = NULL;
    }
}

/* Called once the execution of node i has ended.  `why` describes an
 * abnormal end (signal, timeout); NULL means read result.json. */
/* Every output of a type with a contract holds what the contract asks:
 * 1, or 0 with why naming the output and what is missing. */
static int outputs_complete(run *r, size_t i, const cJSON *result, char *why,
                            size_t size)
{
    nstate *s = &r->st[i];
    const mlpi_node *n = r->p->nodes[i];
    const cJSON *outs = cJSON_GetObjectItem(result, "outputs");

    for (size_t k = 0; k < s->n_out; k++) {
        const mlp_port *o = &n->comp->c.outputs[k];
        const mlpi_plugin *owner;
        const mlpi_type *t = mlpi_registry_find_type(r->p->reg, o->type, &owner);
        mlp_error e;
        if (t == NULL || t->contract == NULL ||
            mlpi_contract_check(t->contract, s->outs[k]->work_uri,
                                cJSON_GetObjectItem(outs, o->name), &e) == MLP_OK)
            continue;
        snprintf(why, size, "output '%s' is not a complete %s (as plugin %s "
                 "defines it): %s", o->name, o->type, owner->name, e.msg);
        return 0;
    }
    return 1;
}

static void finish(run *r, size_t i, int ok, const char *why)
{
    nstate *s = &r->st[i];
    const mlpi_node *n = r->p->nodes[i];
    char path[4096], msg[MLP_ERROR_MAX * 2], incomplete[MLP_ERROR_MAX + 256];
    cJSON *result = NULL;
    mlp_error err;
    int canceled = 0;

    mlpi_path_join(path, sizeof path, s->tmp, "result.json");
    if (mlp_json_read_file(path, &result, &err) != MLP_OK)
        result = NULL;
    if (ok && (result == NULL || !cJSON_IsTrue(cJSON_GetObjectItem(result, "ok")))) {
        ok = 0;
        why = "the component exited without writing its result";
    }
    if (ok && (ok = outputs_complete(r, i, result, incomplete,
                                     sizeof incomplete)) == 0)
        why = incomplete;
    mlpi_path_join(path, sizeof path, s->tmp, "sandbox-refused");
    if (ok && mlpi_exists(path)) {
        /* It carried on after the refusal: still not a result to keep. */
        ok = 0;
        why = "the component reported success";
    }
    if (ok) {
        if (publish(r, i, result, &err) == MLP_OK) {
            const char *gate = cJSON_GetStringValue(cJSON_GetObjectItem(result, "gate"));
            s->status = gate ? NS_GATED : NS_DONE;
            s->gate = xstrdup(gate);
            mlpi_root_remove(r->root, s->tmp, NULL);
            cJSON_Delete(result);
            if (s->gate != NULL)
                print_node(r, i, s->gate);
            else
                print_outputs(r, i);
            return;
        }
        snprintf(msg, sizeof msg, "publishing outputs failed: %s", err.msg);
    } else if (why != NULL) {
        snprintf(msg, sizeof msg, "%s", why);
    } else {
        const char *e = cJSON_GetStringValue(cJSON_GetObjectItem(result, "error"));
        snprintf(msg, sizeof msg, "%s", e ? e : "failed");
        canceled = (int)cJSON_GetNumberValue(cJSON_GetObjectItem(result, "code"))
                   == MLP_ECANCELED;
    }
    cJSON_Delete(result);
    mlpi_path_join(path, sizeof path, s->tmp, "sandbox-refused");
    if (mlpi_exists(path)) {
        char *where = NULL, was[MLP_ERROR_MAX * 2];
        size_t len;
        mlp_error e2;
        if (mlpi_read_file(path, &where, &len, &e2) == MLP_OK)
            where[strcspn(where, "\n")] = '\0';
        snprintf(was, sizeof was, "%s", msg);
        snprintf(msg, sizeof msg, "tried to write outside its outputs: %s "
                 "(refused by the write sandbox; then: %s)",
                 where && *where ? where : "(path unknown)", was);
        free(where);
    }
    mlpi_path_join(path, sizeof path, s->tmp, "memory-refused");
    if (mlpi_exists(path)) {
        /* Whatever the component made of the refused allocation (an
         * error, a crash), the limit is the cause worth naming. */
        char size[64], was[MLP_ERROR_MAX * 2];
        mlpi_size_format(memory_limit(r, i), size, sizeof size);
        snprintf(was, sizeof was, "%s", msg);
        snprintf(msg, sizeof msg, "exceeded its memory limit of %s (an "
                 "allocation was refused; then: %s)", size, was);
    }
    canceled = canceled || mlpi_cancel_requested;
    record_failure(r, i, canceled ? "CANCELED" : "FAILED", msg);
    mlpi_root_remove(r->root, s->tmp, NULL);
    if (!canceled && s->attempt <= n->retries) {
        if (!r->opts->json) {
            clear_status_line(r);
            fprintf(r->opts->out ? r->opts->out : stdout,
                    "retry    %-22s            attempt %d failed: %s\n",
                    n->name, s->attempt, msg);
        }
        s->attempt++;
        s->status = NS_WAIT;
        /* Keep the fingerprint; only the execution is new. */
        return;
    }
    s->status = canceled ? NS_CANCELED : NS_FAILED;
    {
        char *tail = tail_of_log(r, i);
        char detail[MLP_ERROR_MAX * 3];
        if (tail != NULL && !canceled)
            snprintf(detail, sizeof detail, "%s\n    log %s/logs/%s.log ends:\n%s",
                     msg, r->p->root, s->dir, tail);
        else
            snprintf(detail, sizeof detail, "%s", msg);
        free(tail);
        s->error = strdup(msg);
        print_node(r, i, detail);
    }
}

/* ------------------------------------------------------------ main loop */

static void reap(run *r, int block_ms)
{
    sigset_t set;
    struct timespec ts = { block_ms / 1000, (long)(block_ms % 1000) * 1000000L };
    siginfo_t info;
    pid_t pid;
    int status;

    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    if (block_ms > 0)
        (void)sigtimedwait(&set, &info, &ts);
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
        for (size_t i = 0; i < r->p->n_nodes; i++) {
            nstate *s = &r->st[i];
            char why[256];
            if (s->status != NS_RUNNING || s->pid != pid)
                continue;
            r->running--;
            s->pid = 0;
            s->dur = mlpi_monotonic() - s->start;
            if (s->timed_out) {
                snprintf(why, sizeof why, "timed out after %gs (killed)",
                         r->p->nodes[i]->timeout);
                finish(r, i, 0, why);
            } else if (s->stuck) {
                snprintf(why, sizeof why, "still running %ds after it (killed)",
                         MEMORY_GRACE_S);
                finish(r, i, 0, why);
            } else if (WIFSIGNALED(status)) {
                int sig = WTERMSIG(status);
                snprintf(why, sizeof why, "killed by signal %d (%s)%s", sig,
                         strsignal(sig), WCOREDUMP(status) ? ", core dumped" : "");
                finish(r, i, 0, why);
            } else if (WEXITSTATUS(status) != 0) {
                /* result.json carries the reason when the component wrote it */
                char p[4096];
                snprintf(p, sizeof p, "%s/result.json", s->tmp);
                if (mlpi_exists(p)) {
                    finish(r, i, 0, NULL);
                } else {
                    snprintf(why, sizeof why, "exited with status %d",
                             WEXITSTATUS(status));
                    finish(r, i, 0, why);
                }
            } else {
                finish(r, i, 1, NULL);
            }
        }
    }
}

static void check_timeouts(run *r)
{
    double now = mlpi_monotonic();

    for (size_t i = 0; i < r->p->n_nodes; i++) {
        nstate *s = &r->st[i];
        double t = r->p->nodes[i]->timeout;
        if (s->status == NS_RUNNING && s->pid > 0 && !s->timed_out && t > 0 &&
            now - s->start > t) {
            s->timed_out = 1;
            kill(s->pid, SIGKILL);
        }
        /* Some libraries retry a refused allocation forever (OpenBLAS's
         * work buffers do): a node still running well after its first
         * refusal is taken as stuck in such a loop. */
        if (s->status == NS_RUNNING && s->pid > 0 && !s->timed_out && !s->stuck &&
            memory_limit(r, i) > 0) {
            char path[4096];
            mlpi_path_join(path, sizeof path, s->tmp, "memory-refused");
            if (s->refused_at == 0 && mlpi_exists(path))
                s->refused_at = now;
            if (s->refused_at > 0 && now - s->refused_at > MEMORY_GRACE_S) {
                s->stuck = 1;
                kill(s->pid, SIGKILL);
            }
        }
    }
}

static void show_progress(run *r)
{
    char line[512];
    size_t n = 0;
    double now = mlpi_monotonic();

    if (!r->opts->tty || r->opts->json)
        return;
    for (size_t i = 0; i < r->p->n_nodes && n < sizeof line - 80; i++) {
        nstate *s = &r->st[i];
        char path[4096], rec[MLPI_PROGRESS_RECORD + 1];
        unsigned long long done = 0, total = 0;
        char unit[32] = "";
        int fd;
        /* Short nodes would only make the line flicker. */
        if (s->status != NS_RUNNING || now - s->start < 0.5)
            continue;
        snprintf(path, sizeof path, "%s/progress", s->tmp);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd >= 0) {
            ssize_t got = pread(fd, rec, MLPI_PROGRESS_RECORD, 0);
            close(fd);
            if (got > 0) {
                rec[got] = '\0';
                if (sscanf(rec, "%llu %llu %31s", &done, &total, unit) < 2)
                    total = 0;
            }
        }
        if (total > 0)
            n += (size_t)snprintf(line + n, sizeof line - n, "%s%s %llu/%llu %s",
                                  n ? ", " : "", r->p->nodes[i]->name, done,
                                  total, unit);
        else
            n += (size_t)snprintf(line + n, sizeof line - n, "%s%s %.0fs",
                                  n ? ", " : "", r->p->nodes[i]->name,
                                  now - s->start);
    }
    if (n > 0) {
        fprintf(stderr, "\r\033[Krunning: %s", line);
        fflush(stderr);
        r->status_line = 1;
    }
}

/* Nodes --only needs: the node and everything upstream of it. */
static void mark_needed(run *r, size_t i)
{
    const mlpi_node *n = r->p->nodes[i];

    if (r->st[i].status == NS_WAIT)
        return;
    r->st[i].status = NS_WAIT;
    for (size_t b = 0; b < n->n_inputs; b++)
        for (size_t k = 0; k < n->inputs[b].n; k++)
            mark_needed(r, (size_t)n->inputs[b].wires[k].src);
}

/* 1 ready, 0 not yet, -1 never (an upstream node did not succeed). */
static int readiness(run *r, size_t i, const char **blocker)
{
    const mlpi_node *n = r->p->nodes[i];
    int ready = 1;

    for (size_t b = 0; b < n->n_inputs; b++)
        for (size_t k = 0; k < n->inputs[b].n; k++) {
            size_t src = (size_t)n->inputs[b].wires[k].src;
            int st = r->st[src].status;
            if (st == NS_DONE || st == NS_CACHED)
                continue;
            if (st == NS_WAIT || st == NS_RUNNING) {
                ready = 0;
                continue;
            }
            *blocker = r->p->nodes[src]->name;
            return -1;
        }
    return ready;
}

/* Seconds a component gets to stop after SIGTERM before SIGKILL. */
#define CANCEL_GRACE 3.0

static int drive(run *r, mlp_error *err)
{
    double last_show = 0, cancel_at = 0;
    int rc;

    for (;;) {
        int moved = 0;

        if (mlpi_cancel_requested) {
            int first = cancel_at == 0;
            int late = !first && mlpi_monotonic() - cancel_at > CANCEL_GRACE;
            if (first)
                cancel_at = mlpi_monotonic();
            for (size_t i = 0; i < r->p->n_nodes; i++) {
                if (r->st[i].status == NS_RUNNING && r->st[i].pid > 0 &&
                    (first || late))
                    kill(r->st[i].pid, late ? SIGKILL : SIGTERM);
                if (r->st[i].status == NS_WAIT) {
                    r->st[i].status = NS_CANCELED;
                    print_node(r, i, "not started: the run was interrupted");
                }
            }
        }
        for (size_t i = 0; i < r->p->n_nodes; i++) {
            const char *blocker = NULL;
            int ready;
            if (r->st[i].status != NS_WAIT)
                continue;
            ready = readiness(r, i, &blocker);
            if (ready < 0) {
                char why[512];
                int st = r->st[mlpi_pipeline_find(r->p, blocker)].status;
                r->st[i].status = NS_SKIPPED;
                snprintf(why, sizeof why, "upstream node '%s' %s", blocker,
                         st == NS_GATED ? "stopped the pipeline (gate)"
                         : st == NS_FAILED ? "failed" : "did not run");
                r->st[i].error = strdup(why);
                print_node(r, i, why);
                moved = 1;
                continue;
            }
            if (ready == 0)
                continue;
            rc = start(r, i, err);
            if (rc < 0)
                return rc;
            moved |= rc;
        }
        if (r->running == 0 && !moved) {
            int waiting = 0;
            for (size_t i = 0; i < r->p->n_nodes; i++)
                waiting |= r->st[i].status == NS_WAIT;
            if (!waiting)
                break;
            return mlp_error_set(err, MLP_ESTATE,
                                 "internal error: no node can make progress");
        }
        if (r->running > 0) {
            reap(r, moved ? 0 : 100);
            check_timeouts(r);
            if (mlpi_monotonic() - last_show > 0.25) {
                show_progress(r);
                last_show = mlpi_monotonic();
            }
        }
    }
    clear_status_line(r);
    return MLP_OK;
}

/* ---------------------------------------------------------- set-up, API */

static cJSON *artifact_json(const mlp_artifact *a)
{
    cJSON *o = cJSON_CreateObject();

    cJSON_AddNumberToObject(o, "id", (double)a->id);
    cJSON_AddStringToObject(o, "type", a->type);
    cJSON_AddStringToObject(o, "uri", a->uri);
    cJSON_AddStringToObject(o, "location", a->loc);
    cJSON_AddStringToObject(o, "fingerprint", a->fingerprint);
    cJSON_AddItemToObject(o, "properties", cJSON_Duplicate(a->props, 1));
    return o;
}

static cJSON *results_json(run *r, const char *run_name, int outcome)
{
    static const char *const outcomes[] = { "ok", "gated", "failed", "canceled" };
    cJSON *res = cJSON_CreateObject(), *nodes = cJSON_CreateObject();

    cJSON_AddStringToObject(res, "pipeline", r->p->name);
    cJSON_AddStringToObject(res, "run", run_name);
    cJSON_AddNumberToObject(res, "run_context", (double)r->ctx[1]);
    cJSON_AddStringToObject(res, "status", outcomes[outcome]);
    for (size_t i = 0; i < r->p->n_nodes; i++) {
        nstate *s = &r->st[i];
        cJSON *n, *outs;
        if (s->status == NS_UNSELECTED)
            continue;
        n = cJSON_CreateObject();
        outs = cJSON_CreateObject();
        cJSON_AddStringToObject(n, "status", ns_names[s->status]);
        cJSON_AddStringToObject(n, "component", r->p->nodes[i]->comp->c.name);
        if (s->exec_id)
            cJSON_AddNumberToObject(n, "execution", (double)s->exec_id);
        cJSON_AddNumberToObject(n, "seconds", s->dur);
        if (s->error)
            cJSON_AddStringToObject(n, "error", s->error);
        if (s->gate)
            cJSON_AddStringToObject(n, "gate", s->gate);
        if (s->explain)
            cJSON_AddStringToObject(n, "explain", s->explain);
        for (size_t k = 0; k < s->n_out; k++)
            if (s->outs[k] != NULL && s->outs[k]->id > 0)
                cJSON_AddItemToObject(outs, r->p->nodes[i]->comp->c.outputs[k].name,
                                      artifact_json(s->outs[k]));
        cJSON_AddItemToObject(n, "outputs", outs);
        cJSON_AddItemToObject(nodes, r->p->nodes[i]->name, n);
    }
    cJSON_AddItemToObject(res, "nodes", nodes);
    return res;
}

static void on_interrupt(int sig)
{
    (void)sig;
    mlpi_cancel_requested = 1;
}

/* Said once per process, not per run or node. */
static void sandbox_notice(void)
{
    static int said;
    const char *why;

    if (!said && mlpi_sandbox_available(&why) == 0) {
        said = 1;
        mlp_log(MLP_LOG_WARN, "the write sandbox is off (%s): components can "
                "write wherever this user can", why);
    }
}

int mlpi_run(mlpi_pipeline *p, const mlpi_run_opts *opts, int jobs,
             cJSON **results, int *outcome, mlp_error *err)
{
    run r;
    char run_name[256], script[PATH_MAX];
    size_t orphans = 0;
    sigset_t block, old;
    struct sigaction sa, old_int, old_term;
    cJSON *props;
    int rc;

    *results = NULL;
    *outcome = MLPI_RUN_OK;
    memset(&r, 0, sizeof r);
    r.p = p;
    r.opts = opts;
    r.jobs = jobs > 0 ? jobs : 1;
    r.lock_fd = -1;
    rc = mlpi_pipeline_finalize(p, err);
    if (rc != MLP_OK)
        return rc;
    /* Checked before the directory is made, and again once resolved. */
    if (mlpi_root_would_be(p->root, r.root, sizeof r.root) == MLP_OK)
        rc = mlpi_root_check_place(r.root, err);
    if (rc == MLP_OK)
        rc = mlpi_mkdir_p(p->root, err);
    if (rc == MLP_OK)
        rc = mlpi_root_resolve(p->root, r.root, sizeof r.root, err);
    if (rc == MLP_OK)
        rc = mlpi_root_check_place(r.root, err);
    if (rc == MLP_OK)
        rc = mlpi_root_lock(r.root, opts->wait, &r.lock_fd, err);
    if (rc == MLP_OK)
        rc = mlpi_store_open(r.root, 1, &r.store, err);
    if (rc == MLP_OK)
        rc = mlpi_recover(r.store, &orphans, err);
    if (rc == MLP_OK && orphans > 0 && !opts->json) {
        clear_status_line(&r);
        fprintf(stderr, "mlpipe: %zu director%s under %s/artifacts %s not "
                "recorded in the metadata store; `mlpipe verify --root %s` "
                "lists them\n", orphans, orphans == 1 ? "y" : "ies", p->root,
                orphans == 1 ? "is" : "are", p->root);
    }
    if (rc == MLP_OK && !opts->in_process)
        sandbox_notice();
    if (rc == MLP_OK)
        rc = mlpi_store_context(r.store, "pipeline", p->name, NULL, &r.ctx[0], err);
    {
        time_t now = time(NULL);
        struct tm tmv;
        char stamp[64];
        gmtime_r(&now, &tmv);
        strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tmv);
        snprintf(run_name, sizeof run_name, "%s-%s-%ld", p->name, stamp,
                 (long)getpid());
        /* A script may run pipelines several times within one second:
         * each run is its own context. */
        static int runs_here;
        if (++runs_here > 1)
            snprintf(run_name + strlen(run_name), sizeof run_name - strlen(run_name),
                     "-%d", runs_here);
    }
    props = cJSON_CreateObject();
    cJSON_AddStringToObject(props, "pipeline", p->name);
    cJSON_AddStringToObject(props, "script", realpath(p->script, script)
                                             ? script : p->script);
    cJSON_AddStringToObject(props, "status", "running");
    cJSON_AddNumberToObject(props, "pid", (double)getpid());
    cJSON_AddNumberToObject(props, "start_time", mlpi_now());
    /* So `mlpipe show` and `report` find the plugins that define this
     * run's artifact types (and their views) without the script. */
    {
        cJSON *dirs = cJSON_AddArrayToObject(props, "plugin_dirs");
        char real[PATH_MAX];
        for (size_t i = 0; dirs != NULL && i < p->reg->n_dirs; i++)
            cJSON_AddItemToArray(dirs, cJSON_CreateString(
                realpath(p->reg->dirs[i], real) ? real : p->reg->dirs[i]));
        /* And which plugin defined each type it makes: another plugin
         * defining the name later does not get to draw these. */
        cJSON *types = cJSON_AddObjectToObject(props, "type_plugins");
        for (size_t i = 0; types != NULL && i < p->n_nodes; i++)
            for (const mlp_port *o = p->nodes[i]->comp->c.outputs; o && o->name; o++) {
                const mlpi_plugin *owner = NULL;
                if (mlpi_registry_find_type(p->reg, o->type, &owner) != NULL &&
                    owner != NULL && !cJSON_HasObjectItem(types, o->type))
                    cJSON_AddStringToObject(types, o->type, owner->name);
            }
    }
    if (rc == MLP_OK)
        rc = mlpi_store_context(r.store, "run", run_name, props, &r.ctx[1], err);
    if (rc == MLP_OK)
        rc = resolve_latest_blessed(&r, err);
    r.st = calloc(p->n_nodes + 1, sizeof *r.st);
    if (rc == MLP_OK && r.st == NULL)
        rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
    for (size_t i = 0; rc == MLP_OK && i < p->n_nodes; i++) {
        r.st[i].n_out = mlpi_port_count(p->nodes[i]->comp->c.outputs);
        r.st[i].outs = calloc(r.st[i].n_out + 1, sizeof *r.st[i].outs);
        r.st[i].out_ids = calloc(r.st[i].n_out + 1, sizeof *r.st[i].out_ids);
        r.st[i].attempt = 1;
        r.st[i].status = opts->only ? NS_UNSELECTED : NS_WAIT;
        if (r.st[i].outs == NULL || r.st[i].out_ids == NULL)
            rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
    }
    if (rc == MLP_OK && opts->only) {
        int k = mlpi_pipeline_find(p, opts->only);
        if (k < 0)
            rc = mlp_error_set(err, MLP_ENOTFOUND,
                               "--only %s: the pipeline has no such node",
                               opts->only);
        else
            mark_needed(&r, (size_t)k);
    }
    if (rc == MLP_OK) {
        sigemptyset(&block);
        sigaddset(&block, SIGCHLD);
        sigprocmask(SIG_BLOCK, &block, &old);
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_interrupt;
        sigaction(SIGINT, &sa, &old_int);
        sigaction(SIGTERM, &sa, &old_term);
        rc = drive(&r, err);
        /* On an internal error children may still run: stop and reap them. */
        for (size_t i = 0; i < p->n_nodes; i++)
            if (r.st[i].status == NS_RUNNING && r.st[i].pid > 0) {
                kill(r.st[i].pid, SIGKILL);
                waitpid(r.st[i].pid, NULL, 0);
                r.st[i].status = NS_CANCELED;
                record_failure(&r, i, "CANCELED", "the run stopped on an "
                               "internal error");
                mlpi_root_remove(r.root, r.st[i].tmp, NULL);
            }
        sigaction(SIGINT, &old_int, NULL);
        sigaction(SIGTERM, &old_term, NULL);
        sigprocmask(SIG_SETMASK, &old, NULL);
    }
    if (rc == MLP_OK) {
        for (size_t i = 0; i < p->n_nodes; i++) {
            int st = r.st[i].status, o = MLPI_RUN_OK;
            if (st == NS_GATED)
                o = MLPI_RUN_GATED;
            else if (st == NS_FAILED)
                o = MLPI_RUN_FAILED;
            else if (st == NS_CANCELED)
                o = MLPI_RUN_CANCELED;
            if (o > *outcome)
                *outcome = o;
        }
        *results = results_json(&r, run_name, *outcome);
        cJSON_ReplaceItemInObject(props, "status", cJSON_CreateString(
            cJSON_GetStringValue(cJSON_GetObjectItem(*results, "status"))));
        cJSON_AddNumberToObject(props, "end_time", mlpi_now());
        mlpi_store_context_set_props(r.store, r.ctx[1], props, NULL);
    } else if (r.ctx[1] > 0) {
        cJSON_ReplaceItemInObject(props, "status", cJSON_CreateString("error"));
        cJSON_AddStringToObject(props, "error", err ? err->msg : "");
        cJSON_AddNumberToObject(props, "end_time", mlpi_now());
        mlpi_store_context_set_props(r.store, r.ctx[1], props, NULL);
    }
    cJSON_Delete(props);
    for (size_t i = 0; r.st != NULL && i < p->n_nodes; i++) {
        for (size_t k = 0; k < r.st[i].n_out; k++)
            mlpi_artifact_free(r.st[i].outs[k]);
        free(r.st[i].outs);
        free(r.st[i].out_ids);
        mlp_free(r.st[i].parts_text);
        free(r.st[i].error);
        free(r.st[i].explain);
        free(r.st[i].gate);
    }
    free(r.st);
    mlpi_store_close(r.store);
    mlpi_root_unlock(r.lock_fd);
    return rc;
}
