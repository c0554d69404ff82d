/* Reading and writing Examples artifacts split by split, so that plugins
 * state only what they change (see mlpipe/examples.h for the format). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mlpipe/examples.h>
#include <mlpipe/json.h>
#include <mlpipe/names.h>

#include "artifact_priv.h"

size_t mlp_examples_split_count(const mlp_artifact *ex)
{
    const cJSON *s = mlp_artifact_property(ex, "splits");

    return cJSON_IsArray(s) ? (size_t)cJSON_GetArraySize(s) : 0;
}

const char *mlp_examples_split(const mlp_artifact *ex, size_t i)
{
    const cJSON *s = mlp_artifact_property(ex, "splits");

    if (!cJSON_IsArray(s) || i >= (size_t)cJSON_GetArraySize(s))
        return NULL;
    return cJSON_GetStringValue(cJSON_GetArrayItem(s, (int)i));
}

static int split_file(const mlp_artifact *a, const char *split,
                      const char *suffix, char *path, size_t size,
                      mlp_error *err)
{
    char file[512];

    if (split == NULL || *split == '\0' || strchr(split, '/') != NULL ||
        strlen(split) > 400)
        return mlp_error_set(err, MLP_EFORMAT, "artifact %s: split name '%s' "
                             "is not a plain name", mlp_artifact_uri(a),
                             split ? split : "(none)");
    snprintf(file, sizeof file, "%s%s", split, suffix);
    return mlp_artifact_path(a, file, path, size, err);
}

int mlp_examples_has_split(const mlp_artifact *ex, const char *split)
{
    for (size_t i = 0; i < mlp_examples_split_count(ex); i++)
        if (strcmp(mlp_examples_split(ex, i), split) == 0)
            return 1;
    return 0;
}

int mlp_examples_source(const mlp_artifact *ex, const char *split, size_t row,
                        char *buf, size_t len, mlp_error *err)
{
    char path[4096];
    mlp_table *t = NULL;
    const mlp_column *fc, *lc;
    int rc = split_file(ex, split, ".lines.mlpt", path, sizeof path, err);

    if (len > 0)
        buf[0] = '\0';
    if (rc == MLP_OK && access(path, F_OK) != 0)
        rc = MLP_ENOTFOUND;
    if (rc == MLP_OK)
        rc = mlp_table_open(path, &t, err);
    if (rc != MLP_OK) {
        mlp_table_free(t);
        return mlp_error_set(err, MLP_ENOTFOUND, "split '%s' has no source lines", split);
    }
    fc = mlp_table_find(t, "file");
    lc = mlp_table_find(t, "line");
    if (fc == NULL || lc == NULL || fc->type != MLP_COL_CATEGORICAL ||
        lc->type != MLP_COL_NUMERIC || row >= lc->n_rows || fc->codes[row] < 0 ||
        isnan(lc->num[row])) {
        mlp_table_free(t);
        return mlp_error_set(err, MLP_ENOTFOUND, "split '%s' has no source line for "
                             "row %zu", split, row + 1);
    }
    size_t flen;
    const char *f = mlp_column_level(fc, (size_t)fc->codes[row], &flen);
    snprintf(buf, len, "%.*s:%.0f", (int)flen, f, lc->num[row]);
    mlp_table_free(t);
    return MLP_OK;
}

int mlp_examples_read(const mlp_artifact *ex, const char *split,
                      mlp_table **out, mlp_error *err)
{
    char path[4096];
    int rc = split_file(ex, split, ".mlpt", path, sizeof path, err);

    *out = NULL;
    return rc == MLP_OK ? mlp_table_open(path, out, err) : rc;
}

int mlp_examples_write(mlp_artifact *out, const char *split,
                       const mlp_table *t, mlp_error *err)
{
    char path[4096];
    cJSON *rows;
    int rc = split_file(out, split, ".mlpt", path, sizeof path, err);

    if (rc == MLP_OK)
        rc = mlp_table_write(t, path, err);
    if (rc != MLP_OK)
        return rc;
    rows = cJSON_Duplicate(mlp_artifact_property(out, "rows"), 1);
    if (!cJSON_IsObject(rows)) {
        cJSON_Delete(rows);
        rows = cJSON_CreateObject();
    }
    cJSON_DeleteItemFromObjectCaseSensitive(rows, split);
    cJSON_AddItemToObject(rows, split, mlp_json_int((int64_t)mlp_table_n_rows(t)));
    return mlp_artifact_set_property(out, "rows", rows, err);
}

/* The integer columns of like, by name (NULL when like is NULL or memory
 * ran out: every column is then described as float, which is never
 * wrong, only less specific). */
static mlp_names *int_columns(const mlp_artifact *like)
{
    mlp_names *ints = like ? mlp_names_new() : NULL;
    const cJSON *c;

    if (ints == NULL)
        return NULL;
    cJSON_ArrayForEach(c, mlp_artifact_property(like, "columns"))
        if (strcmp(mlp_json_str(c, "kind"), "int") == 0 &&
            mlp_names_add(ints, mlp_json_str(c, "name"), 1, NULL) == MLP_ENOMEM) {
            mlp_names_free(ints);
            return NULL;
        }
    return ints;
}

static int integral(const mlp_column *c)
{
    for (size_t r = 0; r < c->n_rows; r++)
        if (!mlp_column_is_missing(c, r) &&
            (c->num[r] != floor(c->num[r]) || fabs(c->num[r]) >= 9007199254740992.0))
            return 0;
    return 1;
}

int mlp_examples_describe(mlp_artifact *out, const mlp_table *t,
                          const mlp_artifact *like, mlp_error *err)
{
    cJSON *cols = cJSON_CreateArray();
    mlp_names *ints = int_columns(like);

    for (size_t i = 0; cols != NULL && i < mlp_table_n_cols(t); i++) {
        const mlp_column *c = mlp_table_column(t, i);
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", c->name);
        cJSON_AddStringToObject(o, "type", mlp_col_type_name(c->type));
        if (c->type == MLP_COL_NUMERIC)
            cJSON_AddStringToObject(o, "kind", c->num != NULL &&
                                    ints && mlp_names_find(ints, c->name) != SIZE_MAX &&
                                    integral(c) ? "int" : "float");
        cJSON_AddItemToArray(cols, o);
    }
    mlp_names_free(ints);
    return mlp_artifact_set_property(out, "columns", cols, err);
}

int mlp_artifact_copy_properties(mlp_artifact *dst, const mlp_artifact *src,
                                 const char *const *except, mlp_error *err)
{
    const cJSON *p;

    cJSON_ArrayForEach(p, mlp_artifact_properties(src)) {
        int skip = 0;
        for (const char *const *e = except; e && *e; e++)
            skip |= strcmp(*e, p->string) == 0;
        if (skip)
            continue;
        int rc = mlp_artifact_set_property(dst, p->string,
                                           cJSON_Duplicate(p, 1), err);
        if (rc != MLP_OK)
            return rc;
    }
    return MLP_OK;
}

static int copy_bytes(const char *from, const char *to, mlp_error *err)
{
    char buf[65536];
    int in = open(from, O_RDONLY | O_CLOEXEC), out = -1, rc = MLP_OK;
    ssize_t n;

    if (in < 0)
        return mlp_error_set(err, MLP_EIO, "cannot read %s: %s", from,
                             strerror(errno));
    out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (out < 0) {
        rc = mlp_error_set(err, MLP_EIO, "cannot create %s: %s", to,
                           strerror(errno));
        close(in);
        return rc;
    }
    while (rc == MLP_OK && (n = read(in, buf, sizeof buf)) != 0) {
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            rc = mlp_error_set(err, MLP_EIO, "cannot read %s: %s", from,
                               strerror(errno));
        for (ssize_t w = 0, done = 0; rc == MLP_OK && done < n; done += w) {
            w = write(out, buf + done, (size_t)(n - done));
            if (w < 0 && errno == EINTR)
                w = 0;
            else if (w < 0)
                rc = mlp_error_set(err, MLP_EIO, "cannot write %s: %s", to,
                                   strerror(errno));
        }
    }
    if (close(out) != 0 && rc == MLP_OK)
        rc = mlp_error_set(err, MLP_EIO, "cannot write %s: %s", to,
                           strerror(errno));
    close(in);
    if (rc != MLP_OK)
        unlink(to);
    return rc;
}

int mlp_artifact_copy_file(mlp_artifact *dst, const mlp_artifact *src,
                           const char *name, mlp_error *err)
{
    char from[4096], to[4096];
    int rc = mlp_artifact_path(src, name, from, sizeof from, err);

    if (rc == MLP_OK)
        rc = mlp_artifact_path(dst, name, to, sizeof to, err);
    if (rc != MLP_OK)
        return rc;
    if (!dst->writable)
        return mlp_error_set(err, MLP_ESTATE, "artifact %s is an input and "
                             "cannot be changed", mlp_artifact_uri(dst));
    if (link(from, to) == 0)
        return MLP_OK;
    if (errno != EXDEV && errno != EPERM && errno != EMLINK)
        return mlp_error_set(err, MLP_EIO, "cannot link %s to %s: %s", from,
                             to, strerror(errno));
    return copy_bytes(from, to, err);
}

/* ------------------------------------------------------- the run shapes */

static const char *const recomputed[] = { "rows", "columns", NULL };

static int map_split(const mlp_artifact *in, mlp_artifact *out,
                     const char *split, mlp_examples_map_fn map, void *user,
                     int first, mlp_error *err)
{
    mlp_table *t = NULL, *m = NULL;
    char lines[512];
    int rc = mlp_examples_read(in, split, &t, err);

    if (rc == MLP_OK) {
        mlp_error_clear(err);
        rc = map(split, t, &m, user, err);
        if (rc != MLP_OK && err->msg[0] == '\0')
            mlp_error_set(err, rc, "split %s: the map failed (%d)", split, rc);
        if (rc == MLP_OK && m == NULL)
            rc = mlp_error_set(err, MLP_EINVAL, "split %s: the map made no table",
                               split);
    }
    if (rc == MLP_OK)
        rc = mlp_examples_write(out, split, m, err);
    if (rc == MLP_OK && first)
        rc = mlp_examples_describe(out, m, in, err);
    snprintf(lines, sizeof lines, "%s.lines.mlpt", split);
    if (rc == MLP_OK && mlp_table_n_rows(m) == mlp_table_n_rows(t) &&
        mlp_artifact_has_file(in, lines))
        rc = mlp_artifact_copy_file(out, in, lines, err);
    mlp_table_free(m);
    mlp_table_free(t);
    return rc;
}

static int run_map(mlp_ctx *ctx, const char *in_port, const char *out_port,
                   mlp_examples_fit_fn fit, const char *fit_split,
                   mlp_examples_map_fn map, void *user)
{
    const mlp_artifact *in = mlp_ctx_input(ctx, in_port, 0);
    mlp_artifact *out = mlp_ctx_output(ctx, out_port);
    size_t n;
    mlp_error err;
    int rc;

    if (in == NULL || out == NULL)
        return mlp_ctx_fail(ctx, MLP_EINVAL, "no %s '%s'", in == NULL ?
                            "input" : "output", in == NULL ? in_port : out_port);
    n = mlp_examples_split_count(in);
    mlp_error_clear(&err);
    if (n == 0)
        return mlp_ctx_fail(ctx, MLP_EFORMAT, "input '%s' (%s) lists no splits",
                            in_port, mlp_artifact_uri(in));
    if (fit != NULL) {
        mlp_table *t = NULL;
        size_t i;
        for (i = 0; i < n && strcmp(mlp_examples_split(in, i), fit_split) != 0; i++)
            ;
        if (i == n) {
            char have[512] = "";
            size_t k = 0;
            for (size_t s = 0; s < n; s++)
                k += (size_t)snprintf(have + k, k < sizeof have ? sizeof have - k : 0,
                                      "%s%s", s ? ", " : "", mlp_examples_split(in, s));
            return mlp_ctx_fail(ctx, MLP_EINVAL, "input '%s' has no split '%s' "
                                "to fit on (it has: %s)", in_port, fit_split, have);
        }
        rc = mlp_examples_read(in, fit_split, &t, &err);
        if (rc == MLP_OK) {
            rc = fit(t, user, &err);
            if (rc != MLP_OK && err.msg[0] == '\0')
                mlp_error_set(&err, rc, "fitting on split %s failed (%d)",
                              fit_split, rc);
        }
        mlp_table_free(t);
        if (rc != MLP_OK)
            return mlp_ctx_fail_error(ctx, &err);
    }
    rc = mlp_artifact_copy_properties(out, in, recomputed, &err);
    for (size_t i = 0; rc == MLP_OK && i < n; i++) {
        rc = map_split(in, out, mlp_examples_split(in, i), map, user,
                       i == 0, &err);
        mlp_ctx_progress(ctx, i + 1, n, "splits");
    }
    return rc == MLP_OK ? MLP_OK : mlp_ctx_fail_error(ctx, &err);
}

int mlp_examples_map(mlp_ctx *ctx, const char *in_port, const char *out_port,
                     mlp_examples_map_fn map, void *user)
{
    return run_map(ctx, in_port, out_port, NULL, NULL, map, user);
}

int mlp_examples_fit_apply(mlp_ctx *ctx, const char *in_port,
                           const char *out_port, const char *fit_split,
                           mlp_examples_fit_fn fit, mlp_examples_map_fn apply,
                           void *user)
{
    return run_map(ctx, in_port, out_port, fit,
                   fit_split ? fit_split : "train", apply, user);
}

int mlp_examples_select_lines(const mlp_artifact *ex, mlp_artifact *out, const char *split,
                              const size_t *rows, size_t n, mlp_error *err)
{
    char file[300], path[4096];
    mlp_table *lines = NULL, *sel = NULL;
    int rc;

    snprintf(file, sizeof file, "%s.lines.mlpt", split);
    if (!mlp_artifact_has_file(ex, file))
        return MLP_OK;
    rc = mlp_artifact_path(ex, file, path, sizeof path, err);
    if (rc == MLP_OK)
        rc = mlp_table_open(path, &lines, err);
    if (rc == MLP_OK)
        rc = mlp_table_select(lines, rows, n, &sel, err);
    if (rc == MLP_OK)
        rc = mlp_artifact_path(out, file, path, sizeof path, err);
    if (rc == MLP_OK)
        rc = mlp_table_write(sel, path, err);
    mlp_table_free(lines);
    mlp_table_free(sel);
    return rc;
}
