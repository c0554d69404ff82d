/* libFuzzer target, differential: the same bytes go to the fast path, to
 * the serial general reader and to the parallel one (cut into chunks of a
 * few bytes, so every cut lands somewhere odd), which must agree exactly:
 * the same error, or the same rows in the same splits, the same skipped
 * lines, the same types and values (bit for bit), dictionaries, source
 * lines and type notes.
 *
 * The first byte chooses the options: bit 0 bad_rows = skip, bit 1 a
 * column named "n" declared numeric, bit 2 quotes = lenient, bits 3-4 the
 * delimiter (, ; tab |), bits 5-7 the chunk size (1 to 128 bytes).  The
 * rest is the file. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <mlpipe/mlpipe.h>

#include "ingest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* read.c reports progress only with a context; the fuzzer has none. */
void mlp_ctx_progress(mlp_ctx *ctx, uint64_t done, uint64_t total,
                      const char *unit)
{
    (void)ctx, (void)done, (void)total, (void)unit;
}

typedef struct side {
    job j;
    mapped file;
    split_cols *sc;
    dict *dicts;
    mlp_table *t[2];
    mlp_table *lt[2];       /* the parallel reader's source lines */
    mlp_table **groups[2][2];
    size_t n_groups[2][2];
    mlp_error err;
    int rc;
} side;

/* The parallel reader's row groups, kept to be joined. */
static int keep_group(void *arg, size_t split, int lines, mlp_table *t,
                      mlp_error *err)
{
    side *s = arg;
    size_t n = s->n_groups[split][lines];
    mlp_table **g = realloc(s->groups[split][lines], (n + 1) * sizeof *g);

    (void)err;
    if (g == NULL)
        abort();
    g[n] = t;
    s->groups[split][lines] = g;
    s->n_groups[split][lines] = n + 1;
    return MLP_OK;
}

static void setup(side *s, const char *buf, size_t len, uint8_t opt,
                  const cJSON *na, const cJSON *types)
{
    job *j = &s->j;

    memset(s, 0, sizeof *s);
    s->file.path = (char *)"fuzz.csv";
    s->file.data = (char *)buf;
    s->file.len = len;
    j->files = &s->file;
    j->n_files = 1;
    j->delim = ",;\t|"[(opt >> 3) & 3];
    j->header = 1;
    j->skip_bad = opt & 1;
    j->lenient = (opt >> 2) & 1;
    j->na = na;
    j->types = types;
    j->key_col = -1;
    j->max_categories = 4;
    j->span = -1;
    strcpy(j->splits[0].name, "a");
    strcpy(j->splits[1].name, "b");
    j->splits[0].weight = j->splits[1].weight = 1;
    j->total_weight = 2;
    j->n_splits = 2;
}

static void release(side *s)
{
    job *j = &s->j;

    ingest_free_cols(j, s->sc, s->dicts);
    for (int k = 0; k < 2; k++) {
        mlp_table_free(s->t[k]);
        mlp_table_free(s->lt[k]);
        for (int l = 0; l < 2; l++) {
            for (size_t g = 0; g < s->n_groups[k][l]; g++)
                mlp_table_free(s->groups[k][l][g]);
            free(s->groups[k][l]);
        }
    }
    ingest_free_reading(j);
}

static void read_side(side *s, int parser)
{
    s->rc = ingest_read(&s->j, parser, &s->sc, &s->dicts, &s->err);
    if (s->rc == MLP_OK && s->j.chunked) {
        group_sink sink = { keep_group, s };
        s->rc = chunk_write(&s->j, s->dicts, &sink, &s->err);
        for (size_t k = 0; s->rc == MLP_OK && k < s->j.n_splits; k++) {
            if (mlp_table_concat((const mlp_table *const *)s->groups[k][0],
                                 s->n_groups[k][0], &s->t[k], &s->err) != MLP_OK ||
                mlp_table_concat((const mlp_table *const *)s->groups[k][1],
                                 s->n_groups[k][1], &s->lt[k], &s->err) != MLP_OK)
                abort();
        }
        return;
    }
    for (size_t k = 0; s->rc == MLP_OK && k < s->j.n_splits; k++) {
        s->t[k] = mlp_table_new(s->j.splits[k].rows);
        if (s->t[k] == NULL)
            abort();
        s->rc = ingest_build_split(&s->j, k, s->sc, s->dicts, s->t[k], &s->err);
    }
}

static void same_note(const ingest_note *a, const ingest_note *b)
{
    if (a->set != b->set || (a->set && (a->line != b->line || a->before != b->before ||
                                        strcmp(a->value, b->value) != 0)))
        abort();
}

static void same_column(const mlp_column *a, const mlp_column *b)
{
    size_t la, lb;

    if (a->type != b->type || a->n_rows != b->n_rows || strcmp(a->name, b->name) != 0)
        abort();
    for (size_t i = 0; i < a->n_rows; i++) {
        int ma = mlp_column_is_missing(a, i), mb = mlp_column_is_missing(b, i);
        if (ma != mb)
            abort();
        if (ma)
            continue;
        switch (a->type) {
        case MLP_COL_NUMERIC: {
            /* Packed byte columns (fast path) against doubles. */
            double x = a->num ? a->num[i] : ((const uint8_t *)a->packed)[i];
            double y = b->num ? b->num[i] : ((const uint8_t *)b->packed)[i];
            if (memcmp(&x, &y, sizeof x) != 0 && !(isnan(x) && isnan(y)))
                abort();
            if ((a->ints == NULL) != (b->ints == NULL) ||
                (a->ints && a->ints[i] != b->ints[i]))
                abort();
            break;
        }
        case MLP_COL_CATEGORICAL: {
            const char *x = mlp_column_level(a, (size_t)a->codes[i], &la);
            const char *y = mlp_column_level(b, (size_t)b->codes[i], &lb);
            if (la != lb || memcmp(x, y, la) != 0 || a->codes[i] != b->codes[i])
                abort();
            break;
        }
        case MLP_COL_STRING: {
            const char *x = mlp_column_string(a, i, &la);
            const char *y = mlp_column_string(b, i, &lb);
            if (la != lb || memcmp(x, y, la) != 0)
                abort();
            break;
        }
        case MLP_COL_MATRIX:
            abort();
        }
    }
}

static const double *lines_of(const side *s, size_t k)
{
    return s->lt[k] != NULL ? mlp_table_find(s->lt[k], "line")->num : s->sc[k].line;
}

/* Both sides read the file alike (a is the serial reader). */
static void same_sides(const side *sa, const side *sb)
{
    if (sa->rc != sb->rc)
        abort();
    if (sa->rc != MLP_OK && strcmp(sa->err.msg, sb->err.msg) != 0)
        abort();
    if (sa->rc != MLP_OK)
        return;
    const job *a = &sa->j, *b = &sb->j;
    if (a->n_cols != b->n_cols || a->n_rows != b->n_rows || a->skipped != b->skipped)
        abort();
    for (size_t i = 0; i < a->skipped && i < MAX_SKIPPED_LINES; i++)
        if (a->skipped_lines[i] != b->skipped_lines[i])
            abort();
    for (size_t c = 0; c < a->n_cols; c++) {
        const col_info *x = &a->cols[c], *y = &b->cols[c];
        if (ingest_final_type(a, c) != ingest_final_type(b, c) ||
            ingest_is_string(a, c, sa->dicts) != ingest_is_string(b, c, sb->dicts))
            abort();
        /* The int/float kind, which numeric columns report. */
        if (ingest_final_type(a, c) == T_NUMERIC &&
            (x->integer && !x->overflow) != (y->integer && !y->overflow))
            abort();
        /* The notes the type_changes property reports. */
        if (x->declared == T_AUTO && ingest_final_type(a, c) != T_NUMERIC) {
            if (!x->numeric)
                same_note(&x->text_note, &y->text_note);
            else if (x->lead_zero)
                same_note(&x->zero_note, &y->zero_note);
            else if (x->overflow)
                same_note(&x->over_note, &y->over_note);
        }
    }
    for (size_t k = 0; k < a->n_splits; k++) {
        size_t rows = a->splits[k].rows;
        if (rows != b->splits[k].rows ||
            memcmp(lines_of(sa, k), lines_of(sb, k), rows * sizeof(double)) != 0)
            abort();
        if (mlp_table_n_cols(sa->t[k]) != mlp_table_n_cols(sb->t[k]))
            abort();
        for (size_t c = 0; c < mlp_table_n_cols(sa->t[k]); c++)
            same_column(mlp_table_column(sa->t[k], c),
                        mlp_table_column(sb->t[k], c));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static cJSON *na, *types;
    side *fast = calloc(1, sizeof *fast), *ser = calloc(1, sizeof *ser);
    side *par = calloc(1, sizeof *par);
    char *buf;
    uint8_t opt;
    mlp_error err;

    if (size == 0 || fast == NULL || ser == NULL || par == NULL) {
        free(fast);
        free(ser);
        free(par);
        return 0;
    }
    if (na == NULL) {
        na = cJSON_Parse("[\"\", \"NA\", \"nan\"]");
        types = cJSON_Parse("{\"n\": \"numeric\"}");
        if (ingest_set_na(na, &err) != MLP_OK)
            abort();
    }
    opt = data[0];
    /* A private copy without a terminator, as a mapped file would be. */
    buf = malloc(size - 1 ? size - 1 : 1);
    memcpy(buf, data + 1, size - 1);
    setup(fast, buf, size - 1, opt, na, (opt & 2) ? types : NULL);
    setup(ser, buf, size - 1, opt, na, (opt & 2) ? types : NULL);
    setup(par, buf, size - 1, opt, na, (opt & 2) ? types : NULL);
    par->j.chunk_bytes = (size_t)1 << (opt >> 5);
    par->j.threads = 3;
    read_side(fast, PARSER_AUTO);
    read_side(ser, PARSER_SERIAL);
    read_side(par, PARSER_GENERAL);
    same_sides(ser, fast);
    same_sides(ser, par);
    release(fast);
    release(ser);
    release(par);
    free(fast);
    free(ser);
    free(par);
    free(buf);
    return 0;
}
