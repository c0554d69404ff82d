/* csv_import: reads CSV, JSON Lines or table files into an Examples
 * artifact, one table per split.
 *
 * This file is the component: parameters, input files, the tables and
 * properties it writes.  Reading is read.c (the general two-pass reader)
 * and fastpath.c (plain files), tableinput.c for table files.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mlpipe/mlpipe.h>

#include "ingest.h"
#include "jsonl.h"
#include "view.h"

#define POPULATE_MAX ((size_t)256 << 20)

static int map_file(const char *path, mapped *m, mlp_error *err)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    m->path = strdup(path);
    m->data = NULL;
    m->len = 0;
    m->from_file = 0;
    if (fd < 0)
        return mlp_error_set(err, MLP_EIO, "cannot open %s: %s", path,
                             strerror(errno));
    if (fstat(fd, &st) != 0) {
        close(fd);
        return mlp_error_set(err, MLP_EIO, "%s: %s", path, strerror(errno));
    }
    m->len = (size_t)st.st_size;
    if (m->len > 0) {
        /* Populated at once: faulting 130 MB in page by page costs more
         * than reading it.  Not a large file, though: its pages would all
         * count against memory at once, and the parallel reader gives
         * them back as it goes. */
        m->data = mmap(NULL, m->len, PROT_READ, MAP_PRIVATE |
                       (m->len <= POPULATE_MAX ? MAP_POPULATE : 0), fd, 0);
        if (m->data == MAP_FAILED) {
            m->data = NULL;
            close(fd);
            return mlp_error_set(err, MLP_EIO, "cannot map %s: %s", path,
                                 strerror(errno));
        }
        madvise(m->data, m->len, MADV_SEQUENTIAL);
        m->from_file = 1;
    }
    close(fd);
    return MLP_OK;
}

/* <split>.lines.mlpt: where each row came from (file and line), so that
 * validators can point at the offending lines of the source. */
static int write_lines(job *j, size_t s, split_cols *sc, mlp_artifact *out,
                       mlp_error *err)
{
    mlp_table *t = mlp_table_new(j->splits[s].rows);
    const char **names = malloc((j->n_files + 1) * sizeof *names);
    char file[128], path[4096];
    int rc;

    if (t == NULL || names == NULL) {
        mlp_table_free(t);
        free(names);
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    }
    for (size_t f = 0; f < j->n_files; f++)
        names[f] = j->files[f].path;
    rc = mlp_table_add_categorical(t, "file", sc[s].file, j->n_files, names, err);
    if (rc == MLP_OK)
        rc = mlp_table_add_numeric(t, "line", sc[s].line, NULL, err);
    snprintf(file, sizeof file, "%s.lines.mlpt", j->splits[s].name);
    if (rc == MLP_OK)
        rc = mlp_artifact_path(out, file, path, sizeof path, err);
    if (rc == MLP_OK)
        rc = mlp_table_write(t, path, err);
    mlp_table_free(t);
    free(names);
    return rc;
}

static int cmp_split(const void *a, const void *b)
{
    return strcmp(((const split_def *)a)->name, ((const split_def *)b)->name);
}

static int read_params(job *j, mlp_error *err)
{
    mlp_ctx *ctx = j->ctx;
    const char *delim = mlp_ctx_param_string(ctx, "delimiter");
    const cJSON *splits = mlp_ctx_param(ctx, "splits"), *s;

    if (delim == NULL || strlen(delim) != 1 || delim[0] == '"' ||
        delim[0] == '\n' || delim[0] == '\r')
        return mlp_error_set(err, MLP_EINVAL, "parameter 'delimiter' must be "
                             "one character other than a quote or line break");
    j->delim = delim[0];
    j->header = mlp_ctx_param_bool(ctx, "header");
    j->lenient = strcmp(mlp_ctx_param_string(ctx, "quotes"), "lenient") == 0;
    j->skip_bad = strcmp(mlp_ctx_param_string(ctx, "bad_rows"), "skip") == 0;
    j->na = mlp_ctx_param(ctx, "na_values");
    if (ingest_set_na(j->na, err) != MLP_OK)
        return err->code;
    j->seed = (uint64_t)mlp_ctx_param_int(ctx, "seed");
    j->max_categories = (size_t)mlp_ctx_param_int(ctx, "max_categories");
    j->chunk_bytes = (size_t)mlp_ctx_param_int(ctx, "chunk_bytes");
    j->threads = (int)mlp_ctx_param_int(ctx, "threads");
    if (j->threads == 0)
        j->threads = mlp_cpu_count();
    j->key_col = -1;
    j->names = mlp_ctx_param(ctx, "column_names");
    j->types = mlp_ctx_param(ctx, "types");
    j->key = mlp_ctx_param_string(ctx, "split_key");
    if (!j->header && mlp_ctx_param(ctx, "column_names") == NULL)
        return mlp_error_set(err, MLP_EINVAL, "with header = false, give the "
                             "column names in 'column_names'");
    cJSON_ArrayForEach(s, splits) {
        if (j->n_splits == MAX_SPLITS)
            return mlp_error_set(err, MLP_EINVAL, "parameter 'splits': at most "
                                 "%d splits", MAX_SPLITS);
        if (!cJSON_IsNumber(s) || !(s->valuedouble > 0))
            return mlp_error_set(err, MLP_EINVAL, "parameter 'splits': weight "
                                 "of '%s' must be a positive number", s->string);
        if (strlen(s->string) >= sizeof j->splits[0].name ||
            strspn(s->string, "abcdefghijklmnopqrstuvwxyz0123456789_") !=
                strlen(s->string) || s->string[0] == '\0')
            return mlp_error_set(err, MLP_EINVAL, "parameter 'splits': split "
                                 "name '%s' must be lower-case letters, digits "
                                 "or '_'", s->string);
        snprintf(j->splits[j->n_splits].name, sizeof j->splits[0].name, "%s",
                 s->string);
        j->splits[j->n_splits].weight = s->valuedouble;
        j->total_weight += s->valuedouble;
        j->n_splits++;
    }
    if (j->n_splits == 0)
        return mlp_error_set(err, MLP_EINVAL, "parameter 'splits' is empty");

    /* Sorted by name so a Lua table's iteration order cannot change which
     * split a row lands in. */
    qsort(j->splits, j->n_splits, sizeof *j->splits, cmp_split);
    return MLP_OK;
}

/* The span a file name has where the pattern says {SPAN}, or -1. */
static long span_of(const char *pattern, const char *file)
{
    const char *at = strstr(pattern, "{SPAN}");
    size_t pre = at ? (size_t)(at - pattern) : 0;
    char *end;
    long v;

    if (at == NULL || strlen(file) < pre || strncmp(file, pattern, pre) != 0)
        return -1;
    v = strtol(file + pre, &end, 10);
    return end == file + pre ? -1 : v;
}

static int add_file(job *j, const char *path, mlp_error *err)
{
    mapped *nf = realloc(j->files, (j->n_files + 1) * sizeof *nf);

    if (nf == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    j->files = nf;
    memset(&j->files[j->n_files], 0, sizeof *nf);
    j->n_files++;
    return map_file(path, &j->files[j->n_files - 1], err);
}

/* Expands one pattern.  With {SPAN}, only the files of one span are taken:
 * the `span` parameter's, or the latest. */
static int expand(job *j, const char *pattern, const char *param, mlp_error *err)
{
    char glob_pat[4096];
    const char *at = strstr(pattern, "{SPAN}");
    long want = (long)mlp_ctx_param_int(j->ctx, "span"), best = -1;
    glob_t g;
    int grc, rc = MLP_OK;

    if (at != NULL)
        snprintf(glob_pat, sizeof glob_pat, "%.*s*%s", (int)(at - pattern),
                 pattern, at + 6);
    else
        snprintf(glob_pat, sizeof glob_pat, "%s", pattern);
    grc = glob(glob_pat, GLOB_BRACE, NULL, &g);
    if (grc == GLOB_NOMATCH)
        return mlp_error_set(err, MLP_ENOTFOUND, "parameter '%s': no file "
                             "matches %s", param, pattern);
    if (grc != 0)
        return mlp_error_set(err, MLP_EIO, "parameter '%s': cannot expand %s",
                             param, pattern);
    if (at != NULL) {
        for (size_t i = 0; i < g.gl_pathc; i++) {
            long sp = span_of(pattern, g.gl_pathv[i]);
            if (sp > best && (want < 0 || sp == want))
                best = sp;
        }
        if (best < 0) {
            globfree(&g);
            return mlp_error_set(err, MLP_ENOTFOUND, "parameter '%s': no file "
                                 "of span %ld matches %s", param, want, pattern);
        }
        j->span = best;
    }
    for (size_t i = 0; rc == MLP_OK && i < g.gl_pathc; i++)
        if (at == NULL || span_of(pattern, g.gl_pathv[i]) == best)
            rc = add_file(j, g.gl_pathv[i], err);
    globfree(&g);
    return rc;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int open_files(job *j, mlp_error *err)
{
    const char *path = mlp_ctx_param_string(j->ctx, "path");
    const cJSON *paths = mlp_ctx_param(j->ctx, "paths"), *p;
    const char *format = mlp_ctx_param_string(j->ctx, "format");
    int rc = MLP_OK;

    j->span = -1;
    if ((path == NULL) == (paths == NULL))
        return mlp_error_set(err, MLP_EINVAL, "give the input as 'path' (a file "
                             "or glob) or as 'paths' (a list), not %s",
                             path ? "both" : "neither");
    if (path != NULL)
        rc = expand(j, path, "path", err);
    cJSON_ArrayForEach(p, paths) {
        if (rc != MLP_OK)
            break;
        if (!cJSON_IsString(p))
            return mlp_error_set(err, MLP_EINVAL, "parameter 'paths': every item "
                                 "must be a file name or glob");
        rc = expand(j, p->valuestring, "paths", err);
    }
    if (rc != MLP_OK || j->n_files == 0)
        return rc != MLP_OK ? rc : mlp_error_set(err, MLP_ENOTFOUND, "parameter "
                                                 "'paths' is empty");
    j->mlpt = strcmp(format, "mlpt") == 0 ||
              (strcmp(format, "auto") == 0 && ends_with(j->files[0].path, ".mlpt"));
    if (j->mlpt)
        return MLP_OK;
    j->jsonl = strcmp(format, "jsonl") == 0 ||
               (strcmp(format, "auto") == 0 &&
                (ends_with(j->files[0].path, ".jsonl") ||
                 ends_with(j->files[0].path, ".ndjson")));
    if (j->jsonl) {
        /* The columns are the keys of all files, in first-seen order. */
        j->jcols = cJSON_CreateArray();
        for (size_t f = 0; rc == MLP_OK && f < j->n_files; f++) {
            cJSON *cols = NULL, *c;
            rc = jsonl_columns(j->files[f].path, j->files[f].data,
                               j->files[f].len, j->skip_bad, &cols, err);
            cJSON_ArrayForEach(c, cols) {
                const cJSON *k;
                int known = 0;
                cJSON_ArrayForEach(k, j->jcols)
                    known |= strcmp(k->valuestring, c->valuestring) == 0;
                if (!known)
                    cJSON_AddItemToArray(j->jcols, cJSON_CreateString(c->valuestring));
            }
            cJSON_Delete(cols);
        }
    }
    return rc;
}

/* Columns read as text although numbers were in them, and why: a user
 * expecting a numeric column learns which value decided it. */
static cJSON *type_changes(const job *j)
{
    cJSON *a = cJSON_CreateArray();

    for (size_t c = 0; a != NULL && c < j->n_cols; c++) {
        const col_info *ci = &j->cols[c];
        const ingest_note *n = NULL;
        const char *why = NULL;
        if (ci->declared != T_AUTO || ingest_final_type(j, c) == T_NUMERIC)
            continue;
        if (!ci->numeric && ci->text_note.set && ci->text_note.before > 0) {
            n = &ci->text_note;
            why = "a value that is not a number, after numbers";
        } else if (ci->numeric && ci->lead_zero) {
            n = &ci->zero_note;
            why = "integers with leading zeros (a code, not a quantity; "
                  "declare the type numeric to read them as numbers)";
        } else if (ci->numeric && ci->overflow) {
            n = &ci->over_note;
            why = "an integer beyond 64 bits, which no number holds exactly";
        }
        if (n == NULL || !n->set)
            continue;
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "column", ci->name);
        cJSON_AddStringToObject(o, "type", "text");
        cJSON_AddStringToObject(o, "because", why);
        cJSON_AddStringToObject(o, "file", j->files[n->file].path);
        cJSON_AddNumberToObject(o, "line", (double)n->line);
        cJSON_AddStringToObject(o, "value", n->value);
        if (n == &ci->text_note)
            cJSON_AddNumberToObject(o, "numbers_before", (double)n->before);
        cJSON_AddItemToArray(a, o);
    }
    return a;
}

static cJSON *describe(const job *j, const dict *dicts)
{
    cJSON *props = cJSON_CreateObject(), *a, *o;
    const char *label = mlp_ctx_param_string(j->ctx, "label");

    a = cJSON_AddArrayToObject(props, "splits");
    for (size_t s = 0; s < j->n_splits; s++)
        cJSON_AddItemToArray(a, cJSON_CreateString(j->splits[s].name));
    o = cJSON_AddObjectToObject(props, "rows");
    for (size_t s = 0; s < j->n_splits; s++)
        cJSON_AddNumberToObject(o, j->splits[s].name, (double)j->splits[s].rows);
    a = cJSON_AddArrayToObject(props, "columns");
    for (size_t c = 0; c < j->n_cols; c++) {
        int t = ingest_final_type(j, c);
        cJSON *col = cJSON_CreateObject();
        cJSON_AddStringToObject(col, "name", j->cols[c].name);
        if (t == T_NUMERIC) {
            cJSON_AddStringToObject(col, "type", "numeric");
            cJSON_AddStringToObject(col, "kind", j->cols[c].integer &&
                                    !j->cols[c].overflow ? "int" : "float");
        } else {
            cJSON_AddStringToObject(col, "type", ingest_is_string(j, c, dicts)
                                    ? "string" : "categorical");
        }
        cJSON_AddItemToArray(a, col);
    }
    if (label)
        cJSON_AddStringToObject(props, "label", label);
    if (j->span >= 0)
        cJSON_AddNumberToObject(props, "span", (double)j->span);
    cJSON_AddStringToObject(props, "format", j->mlpt ? "mlpt" : j->jsonl ? "jsonl" : "csv");
    a = cJSON_AddArrayToObject(props, "source");
    for (size_t f = 0; f < j->n_files; f++)
        cJSON_AddItemToArray(a, cJSON_CreateString(j->files[f].path));
    cJSON_AddItemToObject(props, "type_changes", type_changes(j));
    cJSON_AddNumberToObject(props, "skipped_rows", (double)j->skipped);
    a = cJSON_AddArrayToObject(props, "skipped_lines");
    for (size_t i = 0; i < j->skipped && i < MAX_SKIPPED_LINES; i++)
        cJSON_AddItemToArray(a, cJSON_CreateNumber((double)j->skipped_lines[i]));
    return props;
}

static void free_job(job *j, split_cols *sc, dict *dicts)
{
    ingest_free_cols(j, sc, dicts);
    ingest_free_reading(j);
    for (size_t f = 0; f < j->n_files; f++) {
        if (j->files[f].data)
            munmap(j->files[f].data, j->files[f].len);
        free(j->files[f].path);
    }
    free(j->files);
    cJSON_Delete(j->jcols);
}

/* The parallel reader's row groups, into one table writer per split and
 * per lines file. */
typedef struct writers {
    job *j;
    mlp_artifact *out;
    mlp_table_writer *w[MAX_SPLITS][2];
} writers;

static int add_group(void *arg, size_t s, int lines, mlp_table *t, mlp_error *err)
{
    writers *ws = arg;
    char file[128], path[4096];
    int rc;

    if (ws->w[s][lines] == NULL) {
        snprintf(file, sizeof file, "%s%s.mlpt", ws->j->splits[s].name,
                 lines ? ".lines" : "");
        rc = mlp_artifact_path(ws->out, file, path, sizeof path, err);
        if (rc == MLP_OK)
            rc = mlp_table_writer_open(path, &ws->w[s][lines], err);
        if (rc != MLP_OK) {
            mlp_table_free(t);
            return rc;
        }
    }
    return mlp_table_writer_add(ws->w[s][lines], t, err);
}

static int write_streamed(job *j, dict *dicts, mlp_artifact *out, mlp_error *err)
{
    writers ws;
    group_sink sink = { add_group, &ws };
    int rc;

    memset(&ws, 0, sizeof ws);
    ws.j = j;
    ws.out = out;
    rc = chunk_write(j, dicts, &sink, err);
    for (size_t s = 0; s < j->n_splits; s++)
        for (int l = 0; l < 2; l++) {
            if (ws.w[s][l] == NULL)
                continue;
            if (rc == MLP_OK)
                rc = mlp_table_writer_close(ws.w[s][l], err);
            else
                mlp_table_writer_abort(ws.w[s][l]);
        }
    return rc;
}

static int parser_of(const char *name)
{
    return strcmp(name, "general") == 0 ? PARSER_GENERAL
           : strcmp(name, "serial") == 0 ? PARSER_SERIAL : PARSER_AUTO;
}

static int run(mlp_ctx *ctx)
{
    job j;
    split_cols *sc = NULL;
    dict *dicts = NULL;
    mlp_artifact *out = mlp_ctx_output(ctx, "examples");
    const char *label = mlp_ctx_param_string(ctx, "label");
    mlp_error err;
    int rc;

    memset(&j, 0, sizeof j);
    j.ctx = ctx;
    mlp_error_clear(&err);
    rc = read_params(&j, &err);
    if (rc == MLP_OK)
        rc = open_files(&j, &err);
    if (rc == MLP_OK && j.mlpt) {
        rc = table_ingest(ctx, &j, out, &err);
        if (rc == MLP_OK) {
            dict *none = calloc(j.n_cols + 1, sizeof *none);
            cJSON *props = none ? describe(&j, none) : NULL, *p;
            if (props == NULL)
                rc = mlp_error_set(&err, MLP_ENOMEM, "out of memory");
            cJSON_ArrayForEach(p, props)
                if (rc == MLP_OK)
                    rc = mlp_artifact_set_property(out, p->string,
                                                   cJSON_Duplicate(p, 1), &err);
            cJSON_Delete(props);
            free(none);
        }
        free_job(&j, NULL, NULL);
        return rc == MLP_OK ? MLP_OK : mlp_ctx_fail_error(ctx, &err);
    }
    if (rc == MLP_OK)
        rc = ingest_read(&j, parser_of(mlp_ctx_param_string(ctx, "parser")),
                         &sc, &dicts, &err);
    if (rc == MLP_OK && label) {
        size_t c;
        for (c = 0; c < j.n_cols && strcmp(j.cols[c].name, label) != 0; c++)
            ;
        if (c == j.n_cols)
            rc = mlp_error_set(&err, MLP_EINVAL, "parameter 'label': no column "
                               "'%s' in %s", label, j.files[0].path);
    }
    if (rc == MLP_OK && j.chunked)
        rc = write_streamed(&j, dicts, out, &err);
    for (size_t s = 0; rc == MLP_OK && !j.chunked && s < j.n_splits; s++) {
        mlp_table *t = mlp_table_new(j.splits[s].rows);
        char file[128], path[4096];
        if (t == NULL) {
            rc = mlp_error_set(&err, MLP_ENOMEM, "out of memory");
            break;
        }
        rc = ingest_build_split(&j, s, sc, dicts, t, &err);
        snprintf(file, sizeof file, "%s.mlpt", j.splits[s].name);
        if (rc == MLP_OK)
            rc = mlp_artifact_path(out, file, path, sizeof path, &err);
        if (rc == MLP_OK)
            rc = mlp_table_write(t, path, &err);
        mlp_table_free(t);
        if (rc == MLP_OK)
            rc = write_lines(&j, s, sc, out, &err);
    }
    if (rc == MLP_OK) {
        cJSON *props = describe(&j, dicts), *p;
        cJSON_ArrayForEach(p, props)
            if (rc == MLP_OK)
                rc = mlp_artifact_set_property(out, p->string,
                                               cJSON_Duplicate(p, 1), &err);
        cJSON_ArrayForEach(p, cJSON_GetObjectItem(props, "type_changes")) {
            char before[64] = "";
            if (cJSON_GetObjectItem(p, "numbers_before"))
                snprintf(before, sizeof before, "; %.0f numbers before it",
                         cJSON_GetNumberValue(cJSON_GetObjectItem(p, "numbers_before")));
            mlp_ctx_log(ctx, MLP_LOG_WARN, "column '%s' is read as text: %s:%.0f "
                        "has \"%s\" (%s%s)",
                        cJSON_GetStringValue(cJSON_GetObjectItem(p, "column")),
                        cJSON_GetStringValue(cJSON_GetObjectItem(p, "file")),
                        cJSON_GetNumberValue(cJSON_GetObjectItem(p, "line")),
                        cJSON_GetStringValue(cJSON_GetObjectItem(p, "value")),
                        cJSON_GetStringValue(cJSON_GetObjectItem(p, "because")), before);
        }
        cJSON_Delete(props);
        if (j.skipped > 0)
            mlp_ctx_log(ctx, MLP_LOG_WARN, "skipped %zu malformed rows (first "
                        "at line %zu)", j.skipped, j.skipped_lines[0]);
    }
    free_job(&j, sc, dicts);
    if (rc != MLP_OK)
        return mlp_ctx_fail_error(ctx, &err);
    return MLP_OK;
}

static const mlp_port outputs[] = {
    { "examples", MLP_TYPE_EXAMPLES, 0, "one table per split: <split>.mlpt" },
    MLP_PORTS_END
};

static const char *const bad_row_choices[] = { "error", "skip", NULL };
static const char *const parser_choices[] = { "auto", "general", "serial", NULL };
static const char *const quote_choices[] = { "strict", "lenient", NULL };
static const char *const format_choices[] = { "auto", "csv", "jsonl", "mlpt", NULL };

static const mlp_param_spec params[] = {
    { "path", MLP_PARAM_STRING, "null", MLP_PARAM_FILE, 0, 0, NULL,
      "file to read, or a glob matching several with the same columns; "
      "{SPAN} stands for a span number (the latest, or `span`)" },
    { "paths", MLP_PARAM_LIST, "null",
      MLP_PARAM_FILE | MLP_PARAM_OF(MLP_PARAM_STRING), 0, 0, NULL,
      "several files or globs, read in this order (instead of path)" },
    { "format", MLP_PARAM_ENUM, "\"auto\"", 0, 0, 0, format_choices,
      "csv, jsonl (one JSON object per line), mlpt (an mlpipe table file), "
      "or auto: by the extension (.jsonl/.ndjson, .mlpt), csv otherwise" },
    { "span", MLP_PARAM_INT, "-1", MLP_PARAM_HAS_MIN, -1, 0, NULL,
      "with {SPAN} in path: the span to read (-1: the latest)" },
    { "label", MLP_PARAM_STRING, "null", 0, 0, 0, NULL,
      "name of the label column (recorded for downstream stages)" },
    { "delimiter", MLP_PARAM_STRING, "\",\"", 0, 0, 0, NULL,
      "field separator, one character" },
    { "quotes", MLP_PARAM_ENUM, "\"strict\"", 0, 0, 0, quote_choices,
      "strict: RFC 4180, a quote inside an unquoted field or text after a "
      "closing quote is an error; lenient: both are taken literally, as "
      "Python's csv module and pandas read them (37\u00b036'37.8\"N)" },
    { "header", MLP_PARAM_BOOL, "true", 0, 0, 0, NULL,
      "the first row holds the column names" },
    { "column_names", MLP_PARAM_LIST, "null", MLP_PARAM_OF(MLP_PARAM_STRING),
      0, 0, NULL,
      "column names, in order (needed when header = false; replaces the "
      "header's names otherwise)" },
    { "na_values", MLP_PARAM_LIST,
      "[\"\", \"NA\", \"N/A\", \"NaN\", \"nan\", \"NULL\", \"null\"]",
      MLP_PARAM_OF(MLP_PARAM_STRING), 0, 0,
      NULL, "field values read as missing" },
    { "types", MLP_PARAM_MAP, "{}", 0, 0, 0, NULL,
      "per-column type overriding inference: numeric, categorical or string" },
    { "max_categories", MLP_PARAM_INT, "1000", MLP_PARAM_HAS_MIN, 1, 0, NULL,
      "a text column with more distinct values than this is stored as string, "
      "not categorical" },
    /* Each weight in (0, 1e12]: any sum of them stays finite and exact
     * enough to divide rows by. */
    { "splits", MLP_PARAM_MAP, "{\"train\": 8, \"eval\": 2}",
      MLP_PARAM_HAS_MIN | MLP_PARAM_MIN_EXCLUSIVE | MLP_PARAM_HAS_MAX, 0, 1e12,
      NULL, "split names and their relative weights (each > 0, at most 1e12)" },
    { "split_key", MLP_PARAM_STRING, "null", 0, 0, 0, NULL,
      "column whose value decides the split (default: the whole row)" },
    { "seed", MLP_PARAM_INT, "0", MLP_PARAM_HAS_MIN, 0, 0, NULL,
      "seed of the split hash" },
    /* parser and chunk_bytes decide the output's row groups, which a
     * trainer that streams them (sgd_regressor) visits in turn: part of
     * the cache key. */
    { "parser", MLP_PARAM_ENUM, "\"auto\"", 0, 0, 0,
      parser_choices, "auto: a faster reader for plain files (no quotes, "
      "ASCII) of up to 32 x chunk_bytes (it holds the whole input), the "
      "general one otherwise; general: always the general one, "
      "which reads chunks of the file on every thread; serial: the general "
      "one on one thread (same results from all three)" },
    { "chunk_bytes", MLP_PARAM_INT, "8388608", MLP_PARAM_HAS_MIN, 1, 0, NULL,
      "size of the pieces the general reader cuts a file into for its "
      "threads (each piece is moved to the next row boundary; a file is "
      "cut into at most 2^20 pieces)" },
    { "threads", MLP_PARAM_INT, "0", MLP_PARAM_HAS_MIN | MLP_PARAM_HAS_MAX |
      MLP_PARAM_NO_CACHE_KEY, 0, 256, NULL,
      "threads of the general reader (0: one per processor)" },
    { "bad_rows", MLP_PARAM_ENUM, "\"error\"", 0, 0, 0, bad_row_choices,
      "malformed rows: stop with an error, or skip them and record where" },
    MLP_PARAMS_END
};

static const mlp_component components[] = {
    { "csv_import", MLP_STAGE_INGEST,
      "Reads CSV (RFC 4180) or JSON Lines into Examples with deterministic "
      "hash splits",
      NULL, outputs, params, run, { NULL } },
    MLP_COMPONENTS_END
};

/* Examples: one table per split the "splits" property lists. */
static const mlp_type_desc types[] = {
    { MLP_TYPE_EXAMPLES, "rows split into named tables (SPLIT.mlpt)",
      "{\"properties\": {\"splits\": \"array\"},"
      " \"each\": {\"property\": \"splits\", \"files\": [\"{}.mlpt\"]}}",
      examples_view, examples_view, { NULL } },
    MLP_TYPES_END
};

MLP_PLUGIN_DEFINE_TYPES(csv_import, "csv_import", "0.1.0", "MIT",
                        "CSV ingestion", components, types, NULL, NULL);
