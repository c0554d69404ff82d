/* mlpipe predict: a model applied to raw CSV rows in batch, a block of
 * rows at a time -- parsed as ingestion parses them, through the model's
 * own transform graph, and predicted as evaluation predicts -- so memory
 * stays bounded and the answers equal the evaluator's bit for bit. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mlpipe/classes.h>
#include <mlpipe/csv.h>
#include <mlpipe/json.h>
#include <mlpipe/memory.h>
#include <mlpipe/model.h>

#include "cli.h"
#include "fsutil.h"
#include "model_priv.h"
#include "outfile.h"

static const char usage[] =
    "usage: mlpipe predict --model DIR [--version V] [--format csv|jsonl]\n"
    "                      [--id COLUMN] [--delimiter C] [-o FILE] INPUT.csv\n"
    "DIR is a pushed model's directory (its versions below it; the highest\n"
    "unless --version) or a Model artifact's.  Writes one row per input row:\n"
    "the id column when asked, the prediction and, for a classifier, each\n"
    "class's probability.\n";

typedef struct pargs {
    const char *model, *version, *format, *id, *input, *out;
    char delim;
} pargs;

/* A raw column the model reads, where it is in the input, and the
 * current block's values. */
typedef struct pcol {
    const char *name;
    mlp_col_type type;
    size_t field;
    double *num;
    uint8_t *miss;
    const char **str;
} pcol;

static int parse_args(int argc, char **argv, pargs *a)
{
    memset(a, 0, sizeof *a);
    a->format = "csv";
    a->delim = ',';
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        int more = i + 1 < argc;
        if (strcmp(o, "--help") == 0 || strcmp(o, "-h") == 0) {
            fputs(usage, stdout);
            return -1;
        } else if (strcmp(o, "--model") == 0 && more) {
            a->model = argv[++i];
        } else if (strcmp(o, "--version") == 0 && more) {
            a->version = argv[++i];
        } else if (strcmp(o, "--format") == 0 && more) {
            a->format = argv[++i];
        } else if (strcmp(o, "--id") == 0 && more) {
            a->id = argv[++i];
        } else if (strcmp(o, "-o") == 0 && more) {
            a->out = argv[++i];
        } else if (strcmp(o, "--delimiter") == 0 && more) {
            const char *d = argv[++i];
            if (strlen(d) != 1 || d[0] == '"' || d[0] == '\n' || d[0] == '\r') {
                fprintf(stderr, "mlpipe predict: --delimiter takes one character "
                        "other than a quote or a line end, not '%s'\n", d);
                return MLPI_EXIT_USAGE;
            }
            a->delim = d[0];
        } else if (o[0] != '-' && a->input == NULL) {
            a->input = o;
        } else {
            fprintf(stderr, "mlpipe predict: unexpected argument '%s'\n%s", o, usage);
            return MLPI_EXIT_USAGE;
        }
    }
    if (a->model == NULL || a->input == NULL) {
        fprintf(stderr, "mlpipe predict: --model and an input file are required\n%s",
                usage);
        return MLPI_EXIT_USAGE;
    }
    if (strcmp(a->format, "csv") != 0 && strcmp(a->format, "jsonl") != 0) {
        fprintf(stderr, "mlpipe predict: --format is csv or jsonl, not '%s'\n", a->format);
        return MLPI_EXIT_USAGE;
    }
    return MLPI_EXIT_OK;
}

static int all_digits(const char *s)
{
    if (*s == '\0')
        return 0;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return 0;
    return 1;
}

/* Whether dir holds a model document: 1 a regular file, 0 none, or
 * MLP_ECORRUPT set in err when something else has its name (a directory,
 * a device): a damaged model, never skipped for another. */
static int has_model(const char *dir, mlp_error *err)
{
    char probe[4096];

    if (mlpi_path_join(probe, sizeof probe, dir, MLPI_MODEL_FILE) != 0)
        return 0;
    if (mlpi_is_file(probe))
        return 1;
    if (mlpi_exists(probe)) {
        mlp_error_set(err, MLP_ECORRUPT, "%s: not a regular file", probe);
        return -1;
    }
    return 0;
}

/* The model directory: DIR itself when it holds model.json, else
 * DIR/VERSION, else the highest all-digit version under DIR. */
static int model_dir(const pargs *a, char *out, size_t size, mlp_error *err)
{
    char probe[4096], sub[4096];
    char **names = NULL;
    size_t n = 0;
    unsigned long long best = 0;
    int found = 0, rc;

    if (a->version == NULL && (found = has_model(a->model, err)) != 0) {
        if (found < 0)
            return MLP_ECORRUPT;
        snprintf(out, size, "%s", a->model);
        return MLP_OK;
    }
    if (a->version != NULL) {
        if (!all_digits(a->version))
            return mlp_error_set(err, MLP_EINVAL, "--version: '%s' is not a version "
                                 "number", a->version);
        if (mlpi_path_join(out, size, a->model, a->version) != 0)
            return mlp_error_set(err, MLP_EINVAL, "path too long: %s", a->model);
        if ((found = has_model(out, err)) < 0)
            return MLP_ECORRUPT;
        if (found == 0 || mlpi_path_join(probe, sizeof probe, out, MLPI_MODEL_FILE) != 0)
            return mlp_error_set(err, MLP_ENOTFOUND, "%s: no model version %s here (no "
                                 "%s/%s)", a->model, a->version, out, MLPI_MODEL_FILE);
        return MLP_OK;
    }
    rc = mlpi_dir_entries(a->model, &names, &n, err);
    if (rc != MLP_OK)
        return rc == MLP_ENOTFOUND ? mlp_error_set(err, rc, "%s: no such model directory",
                                                   a->model) : rc;
    for (size_t i = 0; i < n; i++) {
        unsigned long long v;
        if (!all_digits(names[i]) || strlen(names[i]) > 18)
            continue;
        v = strtoull(names[i], NULL, 10);
        if (mlpi_path_join(sub, sizeof sub, a->model, names[i]) != 0)
            continue;
        int has = has_model(sub, err);
        if (has < 0) {
            /* Taking a lower version instead would serve an older model
             * without a word. */
            mlpi_dir_entries_free(names, n);
            return MLP_ECORRUPT;
        }
        if (has > 0 && (!found || v > best)) {
            best = v;
            found = 1;
        }
    }
    mlpi_dir_entries_free(names, n);
    if (!found)
        return mlp_error_set(err, MLP_ENOTFOUND, "%s holds neither %s nor a numbered "
                             "version directory with one", a->model, MLPI_MODEL_FILE);
    snprintf(probe, sizeof probe, "%llu", best);
    if (mlpi_path_join(out, size, a->model, probe) != 0)
        return mlp_error_set(err, MLP_EINVAL, "path too long: %s", a->model);
    return MLP_OK;
}

/* The raw columns: the graph's inputs and the features it passes
 * through (they are not among its outputs), or the model's features. */
static int wanted_columns(const mlp_model *m, pcol **out, size_t *n, mlp_error *err)
{
    const mlp_tgraph *g = mlp_model_graph(m);
    size_t ni = g ? mlp_tgraph_n_inputs(g) : 0, nf = mlp_model_n_features(m), k = 0;
    pcol *c = calloc(ni + nf + 1, sizeof *c);

    if (c == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    for (size_t i = 0; i < ni; i++) {
        c[k].name = mlp_tgraph_input(g, i, &c[k].type);
        k++;
    }
    for (size_t j = 0; j < nf; j++) {
        const char *f = mlp_model_feature(m, j);
        int known = 0;
        for (size_t o = 0; g && !known && o < mlp_tgraph_n_outputs(g); o++)
            known = strcmp(mlp_tgraph_output(g, o), f) == 0;
        for (size_t i = 0; !known && i < k; i++)
            known = strcmp(c[i].name, f) == 0;
        if (!known) {
            c[k].type = MLP_COL_NUMERIC;
            c[k++].name = f;
        }
    }
    *out = c;
    *n = k;
    return MLP_OK;
}

static const char *const na_tokens[] = { "NA", "N/A", "NaN", "nan", "NULL", "null", NULL };

/* Ingestion's missing-value tokens (csv_import's default na_values). */
static int is_na(const char *p, size_t len)
{
    if (len == 0)
        return 1;
    /* Every token starts with N or n: most fields (numbers) stop here. */
    if (p[0] != 'N' && p[0] != 'n')
        return 0;
    for (size_t k = 0; na_tokens[k]; k++)
        if (strlen(na_tokens[k]) == len && memcmp(na_tokens[k], p, len) == 0)
            return 1;
    return 0;
}

typedef struct predictor {
    const pargs *a;
    mlp_model *m;
    pcol *cols;
    size_t n_cols, n_fields;
    ptrdiff_t id_field;
    size_t cap;            /* rows per block */
    size_t *lines;         /* source line of each row of the block */
    char **texts;          /* copies of text fields (categorical, id) */
    size_t n_texts, cap_texts;
    const char **ids;
    FILE *out;
    size_t rows;           /* rows predicted so far */
} predictor;

static char *keep_text(predictor *p, const char *s, size_t len)
{
    char *t;

    if (p->n_texts == p->cap_texts) {
        size_t nc = p->cap_texts ? 2 * p->cap_texts : 1024;
        char **nt = realloc(p->texts, nc * sizeof *nt);
        if (nt == NULL)
            return NULL;
        p->texts = nt;
        p->cap_texts = nc;
    }
    if ((t = malloc(len + 1)) == NULL)
        return NULL;
    memcpy(t, s, len);
    t[len] = '\0';
    p->texts[p->n_texts++] = t;
    return t;
}

static void drop_texts(predictor *p)
{
    for (size_t i = 0; i < p->n_texts; i++)
        free(p->texts[i]);
    p->n_texts = 0;
}

/* Row i of the block from the reader's current row. */
static int take_row(predictor *p, const mlp_csv_reader *r, size_t i, mlp_error *err)
{
    if (r->n_fields != p->n_fields)
        return mlp_error_set(err, MLP_EFORMAT, "%s:%zu: %zu fields, the header has %zu",
                             p->a->input, r->line, r->n_fields, p->n_fields);
    p->lines[i] = r->line;
    for (size_t c = 0; c < p->n_cols; c++) {
        pcol *col = &p->cols[c];
        const mlp_csv_field *f = &r->fields[col->field];
        int na = is_na(f->p, f->len);
        if (col->type == MLP_COL_NUMERIC) {
            double v = NAN;
            unsigned flags;
            if (!na && !mlp_parse_number(f->p, f->len, &v, &flags, NULL))
                return mlp_error_set(err, MLP_EFORMAT, "%s:%zu: column '%s' is \"%.*s\", "
                                     "not a number: the model reads it as numeric",
                                     p->a->input, r->line, col->name,
                                     (int)(f->len > 40 ? 40 : f->len), f->p);
            col->num[i] = na ? NAN : v;
            if (na)
                col->miss[i / 8] |= (uint8_t)(1u << (i % 8));
        } else {
            col->str[i] = na ? NULL : keep_text(p, f->p, f->len);
            if (!na && col->str[i] == NULL)
                return mlp_error_set(err, MLP_ENOMEM, "out of memory");
        }
    }
    if (p->id_field >= 0) {
        const mlp_csv_field *f = &r->fields[p->id_field];
        if ((p->ids[i] = keep_text(p, f->p, f->len)) == NULL)
            return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    }
    return MLP_OK;
}

static void csv_text(FILE *out, const char *s)
{
    if (strpbrk(s, ",\"\r\n") == NULL) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

static void json_text(FILE *out, const char *s)
{
    cJSON *j = cJSON_CreateString(s);
    char *t = j ? mlp_json_print(j, 0) : NULL;
    fputs(t ? t : "null", out);
    mlp_free(t);
    cJSON_Delete(j);
}

static void write_header(predictor *p)
{
    const cJSON *classes = mlp_model_classes(p->m);
    char name[512];

    if (strcmp(p->a->format, "csv") != 0)
        return;
    if (p->a->id) {
        csv_text(p->out, p->a->id);
        fputc(',', p->out);
    }
    fputs("prediction", p->out);
    for (int c = 0; classes && c < cJSON_GetArraySize(classes); c++) {
        char h[600];
        mlp_class_name(cJSON_GetArrayItem(classes, c), name, sizeof name);
        snprintf(h, sizeof h, "p_%s", name);
        fputc(',', p->out);
        csv_text(p->out, h);
    }
    fputc('\n', p->out);
}

static void write_rows(predictor *p, size_t n, const double *pred)
{
    const cJSON *classes = mlp_model_classes(p->m);
    size_t k = mlp_model_n_outputs(p->m);
    int csv = strcmp(p->a->format, "csv") == 0;
    char name[512];

    for (size_t i = 0; i < n; i++) {
        const double *pi = pred + i * k;
        if (!csv)
            fputc('{', p->out);
        if (p->a->id) {
            if (csv) {
                csv_text(p->out, p->ids[i]);
                fputc(',', p->out);
            } else {
                json_text(p->out, p->a->id);
                fputc(':', p->out);
                json_text(p->out, p->ids[i]);
                fputc(',', p->out);
            }
        }
        if (classes == NULL) {
            fprintf(p->out, csv ? "%.17g" : "\"prediction\":%.17g", pi[0]);
        } else {
            size_t best = 0;
            for (size_t c = 1; c < k; c++)
                if (pi[c] > pi[best])
                    best = c;
            mlp_class_name(cJSON_GetArrayItem(classes, (int)best), name, sizeof name);
            if (csv) {
                csv_text(p->out, name);
            } else {
                fputs("\"prediction\":", p->out);
                json_text(p->out, name);
                fputs(",\"probabilities\":{", p->out);
            }
            for (size_t c = 0; c < k; c++) {
                if (csv) {
                    fprintf(p->out, ",%.17g", pi[c]);
                    continue;
                }
                mlp_class_name(cJSON_GetArrayItem(classes, (int)c), name, sizeof name);
                if (c)
                    fputc(',', p->out);
                json_text(p->out, name);
                fprintf(p->out, ":%.17g", pi[c]);
            }
            if (!csv)
                fputc('}', p->out);
        }
        fputs(csv ? "\n" : "}\n", p->out);
    }
}

/* The block's rows through the graph and the model, written out. */
static int predict_block(predictor *p, size_t n, mlp_error *err)
{
    mlp_table *raw = mlp_table_new(n), *feat = NULL;
    const mlp_tgraph *g = mlp_model_graph(p->m);
    double *x = NULL, *pred = NULL;
    size_t bad = SIZE_MAX;
    int rc = raw ? MLP_OK : mlp_error_set(err, MLP_ENOMEM, "out of memory");

    for (size_t c = 0; rc == MLP_OK && c < p->n_cols; c++) {
        pcol *col = &p->cols[c];
        rc = col->type == MLP_COL_NUMERIC
                 ? mlp_table_add_numeric(raw, col->name, col->num, col->miss, err)
                 : mlp_table_add_string(raw, col->name, col->str, err);
    }
    if (rc == MLP_OK && g != NULL)
        rc = mlp_tgraph_apply_rows(g, raw, p->rows, &feat, &bad, err);
    if (rc == MLP_OK)
        rc = mlp_model_features(p->m, feat ? feat : raw, p->rows, &x, &bad, err);
    if (rc == MLP_OK) {
        pred = malloc(n * mlp_model_n_outputs(p->m) * sizeof *pred + 1);
        mlp_rows rows = { n, mlp_model_n_features(p->m), x, n, NULL, NULL, NULL };
        rc = pred ? mlp_model_predict(p->m, &rows, pred, err)
                  : mlp_error_set(err, MLP_ENOMEM, "out of memory");
    }
    if (rc == MLP_OK)
        write_rows(p, n, pred);
    else if (bad != SIZE_MAX)
        mlp_error_prefix(err, "%s:%zu", p->a->input, p->lines[bad]);
    free(pred);
    mlp_free(x);
    mlp_table_free(feat);
    mlp_table_free(raw);
    p->rows += n;
    return rc;
}

static int alloc_block(predictor *p, mlp_error *err)
{
    p->lines = calloc(p->cap, sizeof *p->lines);
    p->ids = calloc(p->cap, sizeof *p->ids);
    if (p->lines == NULL || p->ids == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    for (size_t c = 0; c < p->n_cols; c++) {
        pcol *col = &p->cols[c];
        if (col->type == MLP_COL_NUMERIC) {
            col->num = malloc(p->cap * sizeof *col->num);
            col->miss = calloc(p->cap / 8 + 1, 1);
        } else {
            col->str = calloc(p->cap, sizeof *col->str);
        }
        if (col->type == MLP_COL_NUMERIC ? !col->num || !col->miss : !col->str)
            return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    }
    return MLP_OK;
}

static void free_block(predictor *p)
{
    for (size_t c = 0; c < p->n_cols; c++) {
        free(p->cols[c].num);
        free(p->cols[c].miss);
        free((void *)p->cols[c].str);
    }
    drop_texts(p);
    free(p->texts);
    free(p->lines);
    free((void *)p->ids);
}

/* Finds each wanted column and the id in the header row. */
static int match_header(predictor *p, const mlp_csv_reader *r, mlp_error *err)
{
    p->n_fields = r->n_fields;
    p->id_field = -1;
    for (size_t c = 0; c < p->n_cols; c++) {
        size_t f = 0;
        while (f < r->n_fields && !(r->fields[f].len == strlen(p->cols[c].name) &&
                                    memcmp(r->fields[f].p, p->cols[c].name,
                                           r->fields[f].len) == 0))
            f++;
        if (f == r->n_fields)
            return mlp_error_set(err, MLP_EINVAL, "%s: column '%s' is missing: the model "
                                 "reads it%s", p->a->input, p->cols[c].name,
                                 mlp_model_graph(p->m) ? " (an input of its transform graph)"
                                                       : " as a feature");
        for (size_t g = f + 1; g < r->n_fields; g++)
            if (r->fields[g].len == r->fields[f].len &&
                memcmp(r->fields[g].p, r->fields[f].p, r->fields[f].len) == 0)
                return mlp_error_set(err, MLP_EINVAL, "%s: the header names column '%s' "
                                     "twice (fields %zu and %zu): which one the model reads "
                                     "would be a guess", p->a->input, p->cols[c].name, f + 1,
                                     g + 1);
        p->cols[c].field = f;
    }
    for (size_t f = 0; p->a->id && f < r->n_fields; f++)
        if (r->fields[f].len == strlen(p->a->id) &&
            memcmp(r->fields[f].p, p->a->id, r->fields[f].len) == 0)
            p->id_field = (ptrdiff_t)f;
    if (p->a->id && p->id_field < 0)
        return mlp_error_set(err, MLP_EINVAL, "%s: --id: there is no column '%s'",
                             p->a->input, p->a->id);
    return MLP_OK;
}

static int run_input(predictor *p, const char *buf, size_t len, mlp_error *err)
{
    mlp_csv_reader r;
    size_t i = 0;
    int rc, got;

    mlp_csv_init(&r, p->a->input, buf, len, p->a->delim);
    got = mlp_csv_next(&r, err);
    rc = got < 0 ? err->code : got == 0 ? mlp_error_set(err, MLP_EFORMAT, "%s: empty: no "
                                                         "header row", p->a->input)
                                        : match_header(p, &r, err);
    if (rc == MLP_OK)
        rc = alloc_block(p, err);
    if (rc == MLP_OK)
        write_header(p);
    while (rc == MLP_OK && (got = mlp_csv_next(&r, err)) > 0) {
        rc = take_row(p, &r, i++, err);
        if (rc == MLP_OK && i == p->cap) {
            rc = predict_block(p, i, err);
            drop_texts(p);
            for (size_t c = 0; c < p->n_cols; c++)
                if (p->cols[c].miss)
                    memset(p->cols[c].miss, 0, p->cap / 8 + 1);
            i = 0;
        }
    }
    if (rc == MLP_OK && got < 0)
        rc = err->code;
    if (rc == MLP_OK && i > 0)
        rc = predict_block(p, i, err);
    mlp_csv_free(&r);
    return rc;
}

/* Exit codes: while the model is opened, anything but "no such model"
 * or "its trainer is not installed" is a damaged model (7); while rows
 * are read, a bad row is 3. */
static int exit_for(int code, int opening_model)
{
    switch (code) {
    case MLP_EIO:
        return MLPI_EXIT_ENV;
    case MLP_ENOTFOUND:
    case MLP_EVERSION:
    case MLP_EPLUGIN:
        return MLPI_EXIT_USAGE;
    case MLP_ECORRUPT:
        return MLPI_EXIT_DAMAGED;
    default:
        return opening_model ? MLPI_EXIT_DAMAGED : MLPI_EXIT_FAILED;
    }
}

/* The output being written, so an interrupt removes its temporary file
 * (only async-signal-safe calls in the handler). */
static mlpi_outfile *volatile writing;

static void on_signal(int sig)
{
    (void)sig;
    if (writing != NULL && writing->tmp[0] != '\0')
        unlink(writing->tmp);
    _exit(MLPI_EXIT_CANCELED);
}

int mlpi_cmd_predict(int argc, char **argv)
{
    pargs a;
    predictor p;
    mlpi_registry *reg = NULL;
    mlpi_outfile of;
    char dir[4096];
    mlp_error err;
    int rc = parse_args(argc, argv, &a), fd = -1, ex;
    struct stat st;
    void *map = MAP_FAILED;

    if (rc != MLPI_EXIT_OK)
        return rc < 0 ? MLPI_EXIT_OK : rc;
    memset(&p, 0, sizeof p);
    memset(&of, 0, sizeof of);
    mlp_error_clear(&err);
    p.a = &a;
    p.cap = MLP_MODEL_BLOCK;
    p.out = stdout;
    int opening = 1, bad_output = 0;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    rc = model_dir(&a, dir, sizeof dir, &err);
    if (rc == MLP_OK && (reg = mlpi_cli_registry(NULL, 0, NULL, 0, 0, NULL)) == NULL) {
        mlp_error_set(&err, MLP_EPLUGIN, "the plugin registry could not be built");
        rc = MLP_EPLUGIN;
    }
    if (rc == MLP_OK)
        rc = mlpi_model_open_dir(reg, dir, &p.m, &err);
    if (rc == MLP_OK)
        opening = 0;
    if (rc == MLP_OK)
        rc = wanted_columns(p.m, &p.cols, &p.n_cols, &err);
    if (rc == MLP_OK && ((fd = open(a.input, O_RDONLY | O_CLOEXEC)) < 0 ||
                         fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)))
        rc = mlp_error_set(&err, MLP_ENOTFOUND, "%s: %s", a.input,
                           fd < 0 ? strerror(errno) : "not a regular file");
    if (rc == MLP_OK && st.st_size > 0 &&
        (map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0)) == MAP_FAILED)
        rc = mlp_error_set(&err, MLP_EIO, "%s: %s", a.input, strerror(errno));
    if (map != MAP_FAILED)
        posix_madvise(map, (size_t)st.st_size, POSIX_MADV_SEQUENTIAL);
    if (rc == MLP_OK && a.out != NULL) {
        rc = mlpi_outfile_open(&of, a.out, NULL, &err);
        if (rc == MLP_OK)
            writing = &of;
        else
            bad_output = 1;
        p.out = of.f;
    }
    if (rc == MLP_OK)
        rc = run_input(&p, map == MAP_FAILED ? "" : map,
                       map == MAP_FAILED ? 0 : (size_t)st.st_size, &err);
    if (rc == MLP_OK && a.out != NULL)
        rc = mlpi_outfile_commit(&of, &err);
    else if (a.out != NULL && of.f != NULL)
        mlpi_outfile_abandon(&of);
    if (rc == MLP_OK && fflush(stdout) != 0)
        rc = mlp_error_set(&err, MLP_EIO, "writing the predictions: %s", strerror(errno));
    writing = NULL;
    ex = rc == MLP_OK ? MLPI_EXIT_OK : bad_output ? MLPI_EXIT_USAGE : exit_for(rc, opening);
    if (rc != MLP_OK)
        fprintf(stderr, "mlpipe predict: %s\n", err.msg);
    if (map != MAP_FAILED)
        munmap(map, (size_t)st.st_size);
    if (fd >= 0)
        close(fd);
    free_block(&p);
    free(p.cols);
    mlp_model_close(p.m);
    if (reg != NULL) {
        mlpi_lua_close(reg->L);
        mlpi_registry_free(reg);
    }
    return ex;
}
