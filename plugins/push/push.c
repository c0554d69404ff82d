/* push: a blessed model, with its transform graph, copied to a versioned
 * serving directory (TO/VERSION/) atomically -- written under a temporary
 * name, synced, renamed into place -- so a server never sees half a
 * model.  An unblessed model is never pushed: the node records why and
 * gates the pipeline. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mlpipe/mlpipe.h>

static const char *const model_files[] = { "model.json", "weights.bin",
                                           "transform_graph.json", NULL };

static int all_digits(const char *s)
{
    if (*s == '\0' || strlen(s) > 18)
        return 0;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return 0;
    return 1;
}

/* The highest version under dir (0 when there is none). */
static int latest_version(const char *dir, long long *out, mlp_error *err)
{
    DIR *d = opendir(dir);
    struct dirent *e;

    *out = 0;
    if (d == NULL)
        return mlp_error_set(err, MLP_EIO, "%s: %s", dir, strerror(errno));
    while ((e = readdir(d)) != NULL)
        if (all_digits(e->d_name) && atoll(e->d_name) > *out)
            *out = atoll(e->d_name);
    closedir(d);
    return MLP_OK;
}

static int copy_file(const char *from, const char *to, mlp_error *err)
{
    int in = open(from, O_RDONLY | O_CLOEXEC), out = -1, rc = MLP_OK;
    char buf[1 << 16];
    ssize_t n;

    if (in < 0)
        return mlp_error_set(err, MLP_EIO, "%s: %s", from, strerror(errno));
    out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (out < 0)
        rc = mlp_error_set(err, MLP_EIO, "%s: %s", to, strerror(errno));
    while (rc == MLP_OK && (n = read(in, buf, sizeof buf)) != 0) {
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = mlp_error_set(err, MLP_EIO, "%s: %s", from, strerror(errno));
            break;
        }
        for (ssize_t w = 0; rc == MLP_OK && w < n;) {
            ssize_t k = write(out, buf + w, (size_t)(n - w));
            if (k < 0 && errno != EINTR)
                rc = mlp_error_set(err, MLP_EIO, "%s: %s", to, strerror(errno));
            else if (k > 0)
                w += k;
        }
    }
    if (rc == MLP_OK && fsync(out) != 0)
        rc = mlp_error_set(err, MLP_EIO, "%s: %s", to, strerror(errno));
    if (out >= 0 && close(out) != 0 && rc == MLP_OK)
        rc = mlp_error_set(err, MLP_EIO, "%s: %s", to, strerror(errno));
    close(in);
    return rc;
}

static void remove_tree(const char *dir)
{
    char path[4096];
    for (size_t i = 0; model_files[i]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, model_files[i]);
        unlink(path);
    }
    rmdir(dir);
}

static int same_file(const char *a, const char *b)
{
    FILE *x = fopen(a, "rb"), *y = fopen(b, "rb");
    int same = x && y, c1, c2;

    while (same) {
        c1 = getc(x);
        c2 = getc(y);
        same = c1 == c2;
        if (c1 == EOF)
            break;
    }
    if (x)
        fclose(x);
    if (y)
        fclose(y);
    return same;
}

/* What makes two model.json the same model: everything but the record
 * of how training went (curve, metrics, timings). */
static int same_identity(const mlp_artifact *m, const char *to, long long v)
{
    static const char *const keys[] = { "format", "version", "trainer", "plugin", "family",
                                        "task", "label", "classes", "features", "model",
                                        "weights", "transform_graph_hash", NULL };
    char path[4200];
    cJSON *a = NULL, *b = NULL;
    mlp_error err;
    int same;

    snprintf(path, sizeof path, "%s/%lld/model.json", to, v);
    same = mlp_artifact_read_json(m, "model.json", &a, &err) == MLP_OK &&
           mlp_json_read_file(path, &b, &err) == MLP_OK;
    for (size_t i = 0; same && keys[i]; i++) {
        const cJSON *x = cJSON_GetObjectItemCaseSensitive(a, keys[i]);
        const cJSON *y = cJSON_GetObjectItemCaseSensitive(b, keys[i]);
        same = (x == NULL && y == NULL) || (x && y && cJSON_Compare(x, y, 1));
    }
    cJSON_Delete(a);
    cJSON_Delete(b);
    return same;
}

/* Copies the model's files into a new version directory under `to`. */
static int push_copy(const mlp_artifact *m, const char *to, long long *version,
                     int *already, mlp_error *err)
{
    char tmp[4096], src[4096], dst[4096], latest[4096];
    long long v;
    int rc = latest_version(to, &v, err), fd;

    *already = 0;
    if (rc != MLP_OK)
        return rc;
    /* The same model already serving as the latest version (a re-run:
     * model.json differs only in timings): nothing to do. */
    int same = v > 0 && same_identity(m, to, v);
    for (size_t i = 1; same && model_files[i]; i++) {
        snprintf(latest, sizeof latest, "%s/%lld/%s", to, v, model_files[i]);
        if (!mlp_artifact_has_file(m, model_files[i]))
            same = access(latest, F_OK) != 0;
        else
            same = mlp_artifact_path(m, model_files[i], src, sizeof src, err) == MLP_OK &&
                   same_file(src, latest);
    }
    if (same) {
        *version = v;
        *already = 1;
        return MLP_OK;
    }
    snprintf(tmp, sizeof tmp, "%s/.push-XXXXXX", to);
    if (mkdtemp(tmp) == NULL)
        return mlp_error_set(err, MLP_EIO, "%s: %s", to, strerror(errno));
    for (size_t i = 0; rc == MLP_OK && model_files[i]; i++) {
        if (!mlp_artifact_has_file(m, model_files[i]))
            continue;
        rc = mlp_artifact_path(m, model_files[i], src, sizeof src, err);
        snprintf(dst, sizeof dst, "%s/%s", tmp, model_files[i]);
        if (rc == MLP_OK)
            rc = copy_file(src, dst, err);
    }
    /* mkdtemp makes 0700: a server running as another user reads it. */
    if (rc == MLP_OK && chmod(tmp, 0755) != 0)
        rc = mlp_error_set(err, MLP_EIO, "%s: %s", tmp, strerror(errno));
    if (rc == MLP_OK && (fd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
        fsync(fd);
        close(fd);
    }
    /* Another pusher may take a number first: the next one then. */
    for (int tries = 0; rc == MLP_OK; tries++) {
        snprintf(dst, sizeof dst, "%s/%lld", to, v + 1 + tries);
        if (rename(tmp, dst) == 0) {
            *version = v + 1 + tries;
            break;
        }
        if ((errno != EEXIST && errno != ENOTEMPTY) || tries == 20)
            rc = mlp_error_set(err, MLP_EIO, "%s: %s", dst, strerror(errno));
    }
    if (rc != MLP_OK) {
        remove_tree(tmp);
        return rc;
    }
    if ((fd = open(to, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
        fsync(fd);
        close(fd);
    }
    return MLP_OK;
}

static int run(mlp_ctx *ctx)
{
    const mlp_artifact *m = mlp_ctx_input(ctx, "model", 0);
    const mlp_artifact *b = mlp_ctx_input(ctx, "blessing", 0);
    mlp_artifact *out = mlp_ctx_output(ctx, "pushed_model");
    const char *to = mlp_ctx_param_string(ctx, "to");
    cJSON *bless = NULL, *rec = cJSON_CreateObject();
    long long version = 0;
    int64_t for_model = 0;
    int rc, already = 0, blessed;
    char why[600] = "";
    mlp_error err;

    mlp_error_clear(&err);
    rc = mlp_artifact_read_json(b, "blessing.json", &bless, &err);
    blessed = rc == MLP_OK && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(bless, "blessed"));
    if (rc == MLP_OK && mlp_json_get_int(cJSON_GetObjectItemCaseSensitive(bless, "model"),
                                         &for_model) == MLP_OK &&
        for_model != mlp_artifact_id(m))
        rc = mlp_error_set(&err, MLP_EINVAL, "blessing: it judges model artifact %lld, not "
                           "this model (%lld): wire the evaluation of the model you push",
                           (long long)for_model, (long long)mlp_artifact_id(m));
    if (rc == MLP_OK && !blessed) {
        const cJSON *c;
        cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(bless, "checks"))
            if (strcmp(mlp_json_str(c, "status"), "failed") == 0 && why[0] == '\0')
                snprintf(why, sizeof why, "%s (%s)", mlp_json_str(c, "why"),
                         mlp_json_str(c, "scope"));
    } else if (rc == MLP_OK) {
        rc = push_copy(m, to, &version, &already, &err);
    }
    if (rc == MLP_OK) {
        cJSON_AddBoolToObject(rec, "pushed", blessed);
        cJSON_AddItemToObject(rec, "model", mlp_json_int(mlp_artifact_id(m)));
        cJSON_AddStringToObject(rec, "to", to);
        if (blessed) {
            char dir[4200];
            snprintf(dir, sizeof dir, "%s/%lld", to, version);
            cJSON_AddItemToObject(rec, "version", mlp_json_int(version));
            cJSON_AddStringToObject(rec, "path", dir);
            cJSON_AddBoolToObject(rec, "already_serving", already);
        } else {
            cJSON_AddStringToObject(rec, "reason", why[0] ? why : "the model is not blessed");
        }
        rc = mlp_artifact_write_json(out, "pushed.json", rec, &err);
    }
    if (rc == MLP_OK)
        rc = mlp_artifact_set_property(out, "pushed", cJSON_CreateBool(blessed), &err);
    if (rc == MLP_OK && blessed)
        rc = mlp_artifact_set_property(out, "version", mlp_json_int(version), &err);
    if (rc == MLP_OK && blessed)
        rc = mlp_artifact_set_property(out, "path", cJSON_Duplicate(
                                           cJSON_GetObjectItemCaseSensitive(rec, "path"), 1),
                                       &err);
    if (rc == MLP_OK && blessed)
        mlp_ctx_log(ctx, MLP_LOG_INFO, "%s version %lld under %s",
                    already ? "already serving as" : "pushed as", version, to);
    if (rc == MLP_OK && !blessed)
        mlp_ctx_gate(ctx, "not pushed: the model is not blessed%s%s", why[0] ? ": " : "", why);
    cJSON_Delete(bless);
    cJSON_Delete(rec);
    return rc == MLP_OK ? MLP_OK : mlp_ctx_fail_error(ctx, &err);
}

static int pushed_view(const mlp_artifact *a, mlp_view *v, mlp_error *err)
{
    cJSON *d = NULL;
    int rc = mlp_artifact_read_json(a, "pushed.json", &d, err);
    int html = mlp_view_kind_of(v) == MLP_VIEW_HTML;

    if (rc != MLP_OK)
        return rc;
    mlp_view_puts(v, html ? "<p>" : "");
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(d, "pushed"))) {
        char line[5000];
        snprintf(line, sizeof line, "%s version %.0f: %s",
                 cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(d, "already_serving"))
                     ? "Already serving as" : "Pushed as",
                 mlp_json_num(d, "version"), mlp_json_str(d, "path"));
        mlp_view_text(v, line);
    } else {
        mlp_view_puts(v, html ? "<b class=\"ERROR\">Not pushed</b>: " : "NOT PUSHED: ");
        mlp_view_text(v, mlp_json_str(d, "reason"));
    }
    mlp_view_puts(v, html ? "</p>" : "\n");
    cJSON_Delete(d);
    return MLP_OK;
}

static const mlp_port inputs[] = {
    { "model", MLP_TYPE_MODEL, 0, "the model to serve" },
    { "blessing", MLP_TYPE_BLESSING, 0, "the evaluation's verdict on it" },
    MLP_PORTS_END
};
static const mlp_port outputs[] = {
    { "pushed_model", MLP_TYPE_PUSHED_MODEL, 0, "pushed.json: whether, where and which "
      "version" },
    MLP_PORTS_END
};
static const mlp_param_spec params[] = {
    { "to", MLP_PARAM_STRING, NULL, MLP_PARAM_REQUIRED | MLP_PARAM_WRITES_DIR, 0, 0, NULL,
      "the serving directory of this model (DIR/NAME; relative to the pipeline root): "
      "each push adds DIR/NAME/VERSION/" },
    MLP_PARAMS_END
};

static const mlp_component components[] = {
    { "push", MLP_STAGE_PUSH, "Copies a blessed model and its transform graph to a "
      "versioned serving directory, atomically (TFX's Pusher)", inputs, outputs, params, run,
      { NULL } },
    MLP_COMPONENTS_END
};

static const mlp_type_desc types[] = {
    { MLP_TYPE_PUSHED_MODEL, "where a model was pushed, or why not",
      "{\"properties\": {\"pushed\": \"boolean\"}, \"files\": [\"pushed.json\"]}",
      pushed_view, pushed_view, { NULL } },
    MLP_TYPES_END
};

MLP_PLUGIN_DEFINE_TYPES(push, "push", "0.1.0", "MIT", "pushes blessed models to serving",
                        components, types, NULL, NULL);
