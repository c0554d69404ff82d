/* `mlpipe verify`: checks a root completely — the store file, every LIVE
 * artifact's files against its manifest (every byte hashed), directories
 * the store does not know — and, asked to, repairs it: a damaged store is
 * rebuilt from the execution files kept beside the artifacts, damaged
 * artifacts are retired, orphans adopted or removed. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <mlpipe/json.h>

#include "cli.h"
#include "execfile.h"
#include "metadata.h"
#include "recovery.h"
#include "repair.h"
#include "rootdir.h"
#include "verify.h"

static const char usage[] =
    "usage: mlpipe verify [--root DIR] [--repair] [--remove-orphans] [--json]\n"
    "Checks the metadata store and every LIVE artifact of a pipeline root,\n"
    "hashing each file and comparing it with the manifest recorded when the\n"
    "artifact was published, and lists directories under artifacts/ that the\n"
    "store does not know.  Exit 0: all intact; 7: damage or orphans found.\n"
    "\n"
    "  --repair          rebuild a damaged store from the execution files\n"
    "                    kept beside the artifacts (the old store is kept as\n"
    "                    metadata.sqlite.damaged-TIME); retire damaged\n"
    "                    artifacts so their producers run again; adopt\n"
    "                    orphaned executions whose files still verify\n"
    "  --remove-orphans  remove directories under artifacts/ that the store\n"
    "                    does not know (after --repair adopted what it could)\n"
    "  --wait            with --repair/--remove-orphans: wait for a running\n"
    "                    pipeline to finish instead of failing\n";

typedef struct vargs {
    const char *root;
    int repair, remove_orphans, json, wait;
} vargs;

typedef struct report {
    cJSON *doc;          /* what --json prints */
    cJSON *damaged;      /* [{id, location, reason, retired}] */
    cJSON *orphans;      /* [{location, action}] */
    cJSON *restored;     /* [{location, result}] */
    cJSON *execfiles;    /* [{execution_file, reason, rewritten}] */
    double files, bytes;
    int store_rebuilt;
} report;

static int parse(int argc, char **argv, vargs *a)
{
    memset(a, 0, sizeof *a);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(usage, stdout);
            return 1;
        } else if (strcmp(argv[i], "--root") == 0 && i + 1 < argc) {
            a->root = argv[++i];
        } else if (strcmp(argv[i], "--repair") == 0) {
            a->repair = 1;
        } else if (strcmp(argv[i], "--remove-orphans") == 0) {
            a->remove_orphans = 1;
        } else if (strcmp(argv[i], "--wait") == 0) {
            a->wait = 1;
        } else if (strcmp(argv[i], "--json") == 0) {
            a->json = 1;
        } else {
            fprintf(stderr, "mlpipe verify: unexpected argument '%s'\n%s",
                    argv[i], usage);
            return -1;
        }
    }
    a->root = mlpi_cli_root(a->root);
    return 0;
}

/* Hashes every file of every LIVE artifact; retires damaged ones when
 * the store is writable. */
static int check_artifacts(mlpi_store *s, report *rep, mlp_error *err)
{
    cJSON *rows = NULL, *r;
    int rc = mlpi_store_query(s, "SELECT a.id, a.uri, (SELECT count(*) FROM "
                              "artifact_file f WHERE f.artifact_id=a.id) AS "
                              "files, (SELECT total(size) FROM artifact_file f "
                              "WHERE f.artifact_id=a.id) AS bytes FROM artifact "
                              "a WHERE a.state='LIVE' ORDER BY a.id", NULL, 0,
                              &rows, err);

    cJSON_ArrayForEach(r, rows) {
        int64_t id = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(r, "id"));
        mlp_error e;
        int vr;
        if (rc != MLP_OK)
            break;
        vr = mlpi_verify_artifact(s, id, 1, &e);
        rep->files += cJSON_GetNumberValue(cJSON_GetObjectItem(r, "files"));
        rep->bytes += cJSON_GetNumberValue(cJSON_GetObjectItem(r, "bytes"));
        if (vr == MLP_ECORRUPT) {
            cJSON *d = cJSON_CreateObject();
            cJSON_AddNumberToObject(d, "id", (double)id);
            cJSON_AddStringToObject(d, "location", cJSON_GetStringValue(
                                        cJSON_GetObjectItem(r, "uri")));
            cJSON_AddStringToObject(d, "reason", e.msg);
            if (mlpi_store_writable(s)) {
                rc = mlpi_verify_retire(s, id, e.msg, err);
                cJSON_AddBoolToObject(d, "retired", rc == MLP_OK);
            }
            cJSON_AddItemToArray(rep->damaged, d);
        } else if (vr != MLP_OK) {
            *err = e;
            rc = vr;
        }
    }
    cJSON_AddNumberToObject(rep->doc, "artifacts", (double)cJSON_GetArraySize(rows));
    cJSON_Delete(rows);
    return rc;
}

/* Each execution with LIVE outputs keeps an execution file beside them,
 * which a repair will rebuild the store from: it must read back (its own
 * checksum) and say what the store says of each output.  A repair writes
 * a missing or wrong one again from the store. */
static int check_execfiles(mlpi_store *s, report *rep, mlp_error *err)
{
    cJSON *rows = NULL, *r;
    int rc = mlpi_store_query(s, "SELECT DISTINCT e.id, e.node, e.dir FROM "
                              "execution e JOIN event v ON v.execution_id=e.id "
                              "AND v.type='OUTPUT' JOIN artifact a ON "
                              "a.id=v.artifact_id WHERE e.state='COMPLETE' AND "
                              "a.state='LIVE' ORDER BY e.id", NULL, 0, &rows, err);

    cJSON_ArrayForEach(r, rows) {
        int64_t id = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(r, "id"));
        char path[PATH_MAX], why[MLP_ERROR_MAX] = "";
        cJSON *doc = NULL, *outs = NULL, *o, *x;
        mlp_error e;
        if (rc != MLP_OK)
            break;
        snprintf(path, sizeof path, "%s/artifacts/%s/%s/%s", mlpi_store_root(s),
                 cJSON_GetStringValue(cJSON_GetObjectItem(r, "node")),
                 cJSON_GetStringValue(cJSON_GetObjectItem(r, "dir")),
                 MLPI_EXECFILE_NAME);
        if (mlpi_execfile_read(path, &doc, &e) != MLP_OK) {
            snprintf(why, sizeof why, "%s", e.msg);
        } else if (strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(doc, "root_id")),
                          mlpi_store_root_id(s)) != 0) {
            snprintf(why, sizeof why, "%s names another pipeline root", path);
        } else if ((rc = mlpi_store_query(s, "SELECT a.uri, a.fingerprint FROM "
                                          "event v JOIN artifact a ON "
                                          "a.id=v.artifact_id WHERE "
                                          "v.execution_id=? AND v.type='OUTPUT'",
                                          &id, 1, &outs, err)) == MLP_OK) {
            cJSON_ArrayForEach(o, outs) {
                const char *uri = cJSON_GetStringValue(cJSON_GetObjectItem(o, "uri"));
                int match = 0;
                cJSON_ArrayForEach(x, cJSON_GetObjectItem(doc, "outputs"))
                    match |= strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(x, "uri")), uri) == 0 &&
                             strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(x, "fingerprint")),
                                    cJSON_GetStringValue(cJSON_GetObjectItem(o, "fingerprint"))) == 0;
                if (!match && why[0] == '\0')
                    snprintf(why, sizeof why, "%s does not describe the output "
                             "%s as the store does", path, uri);
            }
        }
        cJSON_Delete(outs);
        cJSON_Delete(doc);
        if (rc == MLP_OK && why[0] != '\0') {
            cJSON *d = cJSON_CreateObject();
            cJSON_AddStringToObject(d, "execution_file", path);
            cJSON_AddStringToObject(d, "reason", why);
            if (mlpi_store_writable(s)) {
                int wr = mlpi_execfile_write(s, id, &e);
                cJSON_AddBoolToObject(d, "rewritten", wr == MLP_OK);
            }
            cJSON_AddItemToArray(rep->execfiles, d);
        }
    }
    cJSON_Delete(rows);
    return rc;
}

/* The execution directory ("artifacts/NODE/DIR") an orphan belongs to. */
static void exec_dir_of(const char *loc, char *buf, size_t size)
{
    const char *p = loc;
    int slashes = 0;

    while (*p && !(*p == '/' && ++slashes == 3))
        p++;
    snprintf(buf, size, "%.*s", (int)(p - loc), loc);
}

/* Adopts the orphaned executions whose files verify, oldest first, so an
 * execution's inputs are in the store before it links to them. */
static int adopt(mlpi_store *s, const cJSON *locs, int64_t run_ctx,
                 cJSON *adopted, cJSON *why_not, mlp_error *err)
{
    cJSON *wanted = cJSON_CreateObject(), *execs = NULL, *e;
    const cJSON *l;
    int rc = MLP_OK;

    cJSON_ArrayForEach(l, locs) {
        char edir[PATH_MAX];
        exec_dir_of(l->valuestring, edir, sizeof edir);
        if (strchr(edir + 10, '/') != NULL &&
            !cJSON_GetObjectItemCaseSensitive(wanted, edir))
            cJSON_AddTrueToObject(wanted, edir);
    }
    if (cJSON_GetArraySize(wanted) > 0)
        rc = mlpi_repair_scan(s, &execs, err);
    cJSON_ArrayForEach(e, execs) {
        mlp_error ie;
        int ir;
        if (rc != MLP_OK)
            break;
        if (!cJSON_GetObjectItemCaseSensitive(wanted, e->valuestring))
            continue;
        ir = mlpi_repair_import(s, e->valuestring, run_ctx, &ie);
        if (ir == MLP_OK)
            cJSON_AddTrueToObject(adopted, e->valuestring);
        else if (ir == MLP_ECORRUPT || ir == MLP_ENOTFOUND || ir == MLP_EEXIST)
            cJSON_AddStringToObject(why_not, e->valuestring, ie.msg);
        else {
            *err = ie;
            rc = ir;
        }
    }
    cJSON_Delete(execs);
    cJSON_Delete(wanted);
    return rc;
}

static int handle_orphans(mlpi_store *s, const vargs *a, int64_t run_ctx,
                          report *rep, mlp_error *err)
{
    cJSON *locs = NULL, *l, *adopted = cJSON_CreateObject();
    cJSON *why_not = cJSON_CreateObject();
    int rc = mlpi_orphans(s, &locs, err);

    if (rc == MLP_OK && a->repair)
        rc = adopt(s, locs, run_ctx, adopted, why_not, err);
    cJSON_ArrayForEach(l, locs) {
        cJSON *o = cJSON_CreateObject();
        char edir[PATH_MAX], path[PATH_MAX], store[PATH_MAX + 32];
        const char *action = "reported";
        const char *nope;
        mlp_error e;
        exec_dir_of(l->valuestring, edir, sizeof edir);
        cJSON_AddStringToObject(o, "location", l->valuestring);
        nope = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(why_not, edir));
        if (cJSON_GetObjectItemCaseSensitive(adopted, edir))
            action = "adopted";
        else if (nope != NULL)
            cJSON_AddStringToObject(o, "not_adopted", nope);
        if (rc == MLP_OK && strcmp(action, "reported") == 0 && a->remove_orphans) {
            int ok = mlpi_root_path(mlpi_store_root(s), l->valuestring, path,
                                    sizeof path, &e) == MLP_OK;
            snprintf(store, sizeof store, "%s/metadata.sqlite", path);
            if (!ok)
                cJSON_AddStringToObject(o, "not_removed", e.msg);
            else if (mlpi_exists(store))
                cJSON_AddStringToObject(o, "not_removed", "it holds another "
                                        "pipeline root's store");
            else if (mlpi_root_remove(mlpi_store_root(s), path, &e) != MLP_OK)
                cJSON_AddStringToObject(o, "not_removed", e.msg);
            else {
                mlpi_root_prune(mlpi_store_root(s), path);
                action = "removed";
            }
        }
        cJSON_AddStringToObject(o, "action", action);
        cJSON_AddItemToArray(rep->orphans, o);
    }
    cJSON_Delete(locs);
    cJSON_Delete(adopted);
    cJSON_Delete(why_not);
    return rc;
}

/* The run context repairs are recorded under, so `mlpipe runs` shows them. */
static int repair_context(mlpi_store *s, int64_t *ctx, mlp_error *err)
{
    char name[128], stamp[64];
    time_t now = time(NULL);
    struct tm tmv;
    cJSON *props = cJSON_CreateObject();
    int rc;

    gmtime_r(&now, &tmv);
    strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tmv);
    snprintf(name, sizeof name, "repair-%s-%ld", stamp, (long)getpid());
    cJSON_AddStringToObject(props, "status", "repair");
    cJSON_AddNumberToObject(props, "start_time", mlpi_now());
    cJSON_AddNumberToObject(props, "end_time", mlpi_now());
    rc = mlpi_store_context(s, "run", name, props, ctx, err);
    cJSON_Delete(props);
    return rc;
}

/* Moves a damaged store aside and builds a new one from the execution
 * files.  The lock is held. */
static int rebuild(const char *root, const char *why, report *rep,
                   mlpi_store **out, int64_t *ctx_out, mlp_error *err)
{
    char old[PATH_MAX], aside[PATH_MAX], stamp[64];
    time_t now = time(NULL);
    struct tm tmv;
    cJSON *execs = NULL, *l;
    mlpi_store *s = NULL;
    int64_t ctx = 0;
    int rc;

    gmtime_r(&now, &tmv);
    strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tmv);
    snprintf(old, sizeof old, "%s/metadata.sqlite", root);
    snprintf(aside, sizeof aside, "%s/metadata.sqlite.damaged-%s", root, stamp);
    if (rename(old, aside) != 0)
        return mlp_error_set(err, MLP_EIO, "cannot move the damaged store %s "
                             "aside: %s", old, strerror(errno));
    /* A journal belongs to the file it was written for. */
    {
        char j[PATH_MAX + 16], ja[PATH_MAX + 16];
        snprintf(j, sizeof j, "%s-journal", old);
        snprintf(ja, sizeof ja, "%s-journal", aside);
        if (mlpi_exists(j))
            rename(j, ja);
    }
    cJSON_AddStringToObject(rep->doc, "store_damage", why);
    cJSON_AddStringToObject(rep->doc, "damaged_store_kept_as", aside);
    rep->store_rebuilt = 1;
    rc = mlpi_store_open(root, 1, &s, err);
    if (rc == MLP_OK)
        rc = mlpi_repair_scan(s, &execs, err);
    if (rc == MLP_OK)
        rc = mlpi_repair_adopt_identity(s, execs, err);
    if (rc == MLP_OK)
        rc = repair_context(s, &ctx, err);
    cJSON_ArrayForEach(l, execs) {
        cJSON *o = cJSON_CreateObject();
        mlp_error e;
        int ir;
        if (rc != MLP_OK)
            break;
        ir = mlpi_repair_import(s, l->valuestring, ctx, &e);
        cJSON_AddStringToObject(o, "location", l->valuestring);
        cJSON_AddStringToObject(o, "result", ir == MLP_OK ? "restored" : e.msg);
        cJSON_AddItemToArray(rep->restored, o);
        if (ir != MLP_OK && ir != MLP_ECORRUPT && ir != MLP_EEXIST &&
            ir != MLP_ENOTFOUND) {
            *err = e;
            rc = ir;
        }
    }
    cJSON_Delete(execs);
    if (rc != MLP_OK) {
        mlpi_store_close(s);
        return rc;
    }
    *out = s;
    *ctx_out = ctx;
    return MLP_OK;
}

static void print_text(const report *rep, const char *root)
{
    const cJSON *x;
    int restored = 0;

    if (rep->store_rebuilt) {
        printf("store    damaged: %s\n", cJSON_GetStringValue(
                   cJSON_GetObjectItem(rep->doc, "store_damage")));
        printf("store    rebuilt from the execution files; the damaged one is "
               "kept as %s\n", cJSON_GetStringValue(cJSON_GetObjectItem(
                   rep->doc, "damaged_store_kept_as")));
    }
    cJSON_ArrayForEach(x, rep->restored) {
        const char *res = cJSON_GetStringValue(cJSON_GetObjectItem(x, "result"));
        if (strcmp(res, "restored") == 0)
            restored++;
        else
            printf("lost     %s: %s\n", cJSON_GetStringValue(
                       cJSON_GetObjectItem(x, "location")), res);
    }
    if (rep->store_rebuilt)
        printf("restored %d of %d executions\n", restored,
               cJSON_GetArraySize(rep->restored));
    cJSON_ArrayForEach(x, rep->damaged)
        printf("damaged  artifact %.0f %s: %s%s\n",
               cJSON_GetNumberValue(cJSON_GetObjectItem(x, "id")),
               cJSON_GetStringValue(cJSON_GetObjectItem(x, "location")),
               cJSON_GetStringValue(cJSON_GetObjectItem(x, "reason")),
               cJSON_IsTrue(cJSON_GetObjectItem(x, "retired"))
               ? " (retired: its producer runs again)" : "");
    cJSON_ArrayForEach(x, rep->execfiles)
        printf("damaged  %s%s\n", cJSON_GetStringValue(cJSON_GetObjectItem(x, "reason")),
               cJSON_IsTrue(cJSON_GetObjectItem(x, "rewritten"))
               ? " (written again from the store)" : "");
    cJSON_ArrayForEach(x, rep->orphans) {
        const char *action = cJSON_GetStringValue(cJSON_GetObjectItem(x, "action"));
        const char *why = cJSON_GetStringValue(cJSON_GetObjectItem(x, "not_adopted"));
        const char *kept = cJSON_GetStringValue(cJSON_GetObjectItem(x, "not_removed"));
        printf("orphan   %s: %s%s%s%s%s\n", cJSON_GetStringValue(
                   cJSON_GetObjectItem(x, "location")),
               strcmp(action, "reported") == 0
               ? "not recorded in the metadata store" : action,
               why ? "; not adopted: " : "", why ? why : "",
               kept ? "; not removed: " : "", kept ? kept : "");
    }
    printf("verified %.0f artifacts (%.0f files, %.0f bytes) under %s: "
           "%d damaged, %d orphaned\n",
           cJSON_GetNumberValue(cJSON_GetObjectItem(rep->doc, "artifacts")),
           rep->files, rep->bytes, root, cJSON_GetArraySize(rep->damaged) +
           cJSON_GetArraySize(rep->execfiles), cJSON_GetArraySize(rep->orphans));
}

int mlpi_cmd_verify(int argc, char **argv)
{
    vargs a;
    report rep;
    char root[PATH_MAX];
    mlpi_store *s = NULL;
    mlp_error err;
    int64_t ctx = 0;
    int lock = -1, writing, rc, exit_code = MLPI_EXIT_OK;
    int p = parse(argc, argv, &a);

    if (p != 0)
        return p > 0 ? MLPI_EXIT_OK : MLPI_EXIT_USAGE;
    writing = a.repair || a.remove_orphans;
    memset(&rep, 0, sizeof rep);
    rep.doc = cJSON_CreateObject();
    rep.damaged = cJSON_AddArrayToObject(rep.doc, "damaged");
    rep.orphans = cJSON_AddArrayToObject(rep.doc, "orphans");
    rep.restored = cJSON_AddArrayToObject(rep.doc, "restored");
    rep.execfiles = cJSON_AddArrayToObject(rep.doc, "execution_files");
    cJSON_AddStringToObject(rep.doc, "store", "ok");
    rc = mlpi_root_resolve(a.root, root, sizeof root, &err);
    if (rc == MLP_OK && writing)
        rc = mlpi_root_lock(root, a.wait, &lock, &err);
    if (rc == MLP_OK) {
        rc = mlpi_store_open(root, writing, &s, &err);
        if (rc == MLP_OK)
            rc = mlpi_store_check(s, 1, &err);
        if (rc == MLP_ECORRUPT && a.repair) {
            char why[MLP_ERROR_MAX];
            snprintf(why, sizeof why, "%s", err.msg);
            mlpi_store_close(s);
            s = NULL;
            rc = rebuild(root, why, &rep, &s, &ctx, &err);
        } else if (rc == MLP_ECORRUPT) {
            cJSON_ReplaceItemInObject(rep.doc, "store", cJSON_CreateString(err.msg));
            exit_code = MLPI_EXIT_DAMAGED;
        }
    }
    if (rc == MLP_OK && writing && !rep.store_rebuilt) {
        size_t n;
        rc = mlpi_recover(s, &n, &err);
    }
    /* Orphans first: what --repair adopts is then verified with the rest. */
    if (rc == MLP_OK && a.repair && ctx == 0)
        rc = repair_context(s, &ctx, &err);
    if (rc == MLP_OK)
        rc = handle_orphans(s, &a, ctx, &rep, &err);
    if (rc == MLP_OK)
        rc = check_artifacts(s, &rep, &err);
    if (rc == MLP_OK)
        rc = check_execfiles(s, &rep, &err);
    mlpi_store_close(s);
    mlpi_root_unlock(lock);
    if (rc != MLP_OK && exit_code == MLPI_EXIT_OK) {
        fprintf(stderr, "mlpipe verify: %s\n", err.msg);
        cJSON_Delete(rep.doc);
        return rc == MLP_ECORRUPT ? MLPI_EXIT_DAMAGED : MLPI_EXIT_ENV;
    }
    if (exit_code == MLPI_EXIT_DAMAGED) {
        fprintf(stderr, "mlpipe verify: %s\n", err.msg);
        if (a.json)
            mlpi_cli_print_json(rep.doc);
        cJSON_Delete(rep.doc);
        return exit_code;
    }
    cJSON_AddNumberToObject(rep.doc, "files", rep.files);
    cJSON_AddNumberToObject(rep.doc, "bytes", rep.bytes);
    if (a.json)
        mlpi_cli_print_json(rep.doc);
    else
        print_text(&rep, a.root);
    /* After a repair, what is left unresolved decides the exit code. */
    {
        const cJSON *x;
        int unresolved = 0;
        cJSON_ArrayForEach(x, rep.damaged)
            unresolved |= !cJSON_IsTrue(cJSON_GetObjectItem(x, "retired"));
        cJSON_ArrayForEach(x, rep.execfiles)
            unresolved |= !cJSON_IsTrue(cJSON_GetObjectItem(x, "rewritten"));
        cJSON_ArrayForEach(x, rep.orphans)
            unresolved |= strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(
                                     x, "action")), "reported") == 0;
        if (unresolved)
            exit_code = MLPI_EXIT_DAMAGED;
    }
    cJSON_Delete(rep.doc);
    return exit_code;
}
