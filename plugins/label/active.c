/* Active learning: al_select picks the pool rows a model is least sure
 * of (or a seeded random batch, the baseline), al_label asks an oracle
 * for their labels (a labels file standing in for a person, or a
 * labeling function) and moves them from the pool split to the train
 * split.  A Lua loop chains them with a trainer, one set of nodes per
 * round, so the metadata store records which query, and so which
 * round, every label came from. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "label.h"

/* ---- al_select ------------------------------------------------------- */

typedef struct scored {
    size_t row;
    double score;              /* larger: asked first */
    uint64_t tie;              /* seeded order among equal scores */
} scored;

static int by_score(const void *a, const void *b)
{
    const scored *x = a, *y = b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    if (x->tie != y->tie)
        return x->tie < y->tie ? -1 : 1;
    return x->row < y->row ? -1 : x->row > y->row;
}

/* How unsure the model is of a row with class probabilities p (k). */
static double uncertainty(const char *strategy, const double *p, size_t k)
{
    double top = 0, second = 0, h = 0;

    for (size_t c = 0; c < k; c++) {
        if (p[c] > top) {
            second = top;
            top = p[c];
        } else if (p[c] > second) {
            second = p[c];
        }
        if (p[c] > 0)
            h -= p[c] * log(p[c]);
    }
    if (strcmp(strategy, "least_confidence") == 0)
        return 1 - top;
    if (strcmp(strategy, "margin") == 0)
        return -(top - second);
    return h;  /* entropy */
}

int lab_select_run(mlp_ctx *ctx)
{
    const mlp_artifact *ex = mlp_ctx_input(ctx, "examples", 0);
    const mlp_artifact *ma = mlp_ctx_input(ctx, "model", 0);
    mlp_artifact *out = mlp_ctx_output(ctx, "query");
    const char *pool = mlp_ctx_param_string(ctx, "pool");
    const char *strategy = mlp_ctx_param_string(ctx, "strategy");
    size_t batch = (size_t)mlp_ctx_param_int(ctx, "batch"), n = 0, take = 0, bad = SIZE_MAX;
    uint64_t seed = (uint64_t)mlp_ctx_param_int(ctx, "seed");
    int random = strcmp(strategy, "random") == 0, given = 0;
    mlp_model *m = NULL;
    mlp_table *t = NULL;
    double *p = NULL;
    scored *s = NULL;
    mlp_error err;
    int rc = MLP_OK;

    mlp_error_clear(&err);
    if (!mlp_examples_has_split(ex, pool))
        rc = mlp_error_set(&err, MLP_EINVAL, "pool: the Examples have no split '%s'", pool);
    if (rc == MLP_OK)
        rc = mlp_examples_read(ex, pool, &t, &err);
    if (rc == MLP_OK && (n = mlp_table_n_rows(t)) == 0)
        rc = mlp_error_set(&err, MLP_EINVAL, "the pool (split '%s') is empty: every row has "
                           "been labelled, nothing is left to select", pool);
    if (rc == MLP_OK && !random) {
        rc = mlp_model_open(ctx, ma, &m, &err);
        if (rc == MLP_OK && mlp_model_task_of(m) != MLP_TASK_CLASSIFICATION)
            rc = mlp_error_set(&err, MLP_EINVAL, "strategy '%s' needs class probabilities: "
                               "the model is a regression (use strategy = \"random\")",
                               strategy);
        if (rc == MLP_OK)
            rc = mlp_model_holds_features(m, ex, &given, &err);
        if (rc == MLP_OK)
            rc = mlp_model_predict_table(m, t, given, &p, &bad, &err);
        if (rc != MLP_OK && bad != SIZE_MAX) {
            char at[400];
            mlp_error e2;
            if (mlp_examples_source(ex, pool, bad, at, sizeof at, &e2) == MLP_OK)
                mlp_error_prefix(&err, "%s", at);
        }
    }
    if (rc == MLP_OK && (s = malloc(n * sizeof *s)) == NULL)
        rc = mlp_error_set(&err, MLP_ENOMEM, "out of memory");
    for (size_t i = 0; rc == MLP_OK && i < n; i++) {
        uint64_t key[2] = { seed, i };
        s[i].row = i;
        s[i].tie = mlp_hash64(key, sizeof key, 0x616c73656c656374ull);
        s[i].score = random ? 0 : uncertainty(strategy, p + i * mlp_model_n_outputs(m),
                                               mlp_model_n_outputs(m));
    }
    if (rc == MLP_OK) {
        qsort(s, n, sizeof *s, by_score);
        take = batch < n ? batch : n;
        if (take < batch)
            mlp_ctx_log(ctx, MLP_LOG_INFO, "the pool has %zu rows left, fewer than batch %zu: "
                        "all are selected", n, batch);
    }
    if (rc == MLP_OK) {
        cJSON *rows = cJSON_CreateArray(), *scores = cJSON_CreateArray(), *doc;
        cJSON *sources = cJSON_CreateArray();
        int margin = strcmp(strategy, "margin") == 0;
        for (size_t i = 0; i < take; i++) {
            char at[400];
            mlp_error e2;
            cJSON_AddItemToArray(rows, mlp_json_int((int64_t)s[i].row));
            /* The measure itself: a margin is smallest first. */
            cJSON_AddItemToArray(scores, random ? cJSON_CreateNull()
                                 : mlp_json_number(margin ? -s[i].score : s[i].score));
            /* Where the row came from: its name across rounds, when the
             * pool's position changes. */
            if (mlp_examples_source(ex, pool, s[i].row, at, sizeof at, &e2) == MLP_OK)
                cJSON_AddItemToArray(sources, cJSON_CreateString(at));
        }
        doc = cJSON_CreateObject();
        cJSON_AddItemToObject(doc, "rows", cJSON_Duplicate(rows, 1));
        cJSON_AddItemToObject(doc, "scores", cJSON_Duplicate(scores, 1));
        rc = mlp_artifact_write_json(out, "query.json", doc, &err);
        cJSON_Delete(doc);
        mlp_artifact_set_property(out, "strategy", cJSON_CreateString(strategy), &err);
        mlp_artifact_set_property(out, "pool", cJSON_CreateString(pool), &err);
        mlp_artifact_set_property(out, "pool_rows", mlp_json_int((int64_t)n), &err);
        mlp_artifact_set_property(out, "rows", rows, &err);
        mlp_artifact_set_property(out, "scores", scores, &err);
        if (cJSON_GetArraySize(sources) == (int)take)
            mlp_artifact_set_property(out, "sources", sources, &err);
        else
            cJSON_Delete(sources);
        mlp_artifact_set_property(out, "examples", mlp_json_int(mlp_artifact_id(ex)), &err);
        mlp_artifact_set_property(out, "model", mlp_json_int(mlp_artifact_id(ma)), &err);
        mlp_artifact_set_property(out, "seed", mlp_json_int((int64_t)seed), &err);
        if (rc == MLP_OK)
            rc = err.code;
        mlp_ctx_log(ctx, MLP_LOG_INFO, "%s: %zu of %zu pool rows selected", strategy, take, n);
    }
    free(s);
    free(p);
    mlp_model_close(m);
    mlp_table_free(t);
    return rc == MLP_OK ? MLP_OK : mlp_ctx_fail_error(ctx, &err);
}

/* ---- al_label -------------------------------------------------------- */

/* A row's key as text: what a labels file holds for it. */
static void key_text(const mlp_column *c, size_t row, char *buf, size_t size)
{
    size_t len;

    buf[0] = '\0';
    if (mlp_column_is_missing(c, row))
        return;
    if (c->type == MLP_COL_NUMERIC) {
        double v = c->ints ? (double)c->ints[row] : mlp_column_number(c, row);
        if (c->ints)
            snprintf(buf, size, "%lld", (long long)c->ints[row]);
        else if (v == floor(v) && fabs(v) < 9e15)
            snprintf(buf, size, "%lld", (long long)v);
        else
            snprintf(buf, size, "%.17g", v);
    } else if (c->type == MLP_COL_CATEGORICAL) {
        const char *s = mlp_column_level(c, (size_t)c->codes[row], &len);
        snprintf(buf, size, "%.*s", (int)len, s);
    } else if (c->type == MLP_COL_STRING) {
        const char *s = mlp_column_string(c, row, &len);
        snprintf(buf, size, "%.*s", (int)len, s);
    }
}

typedef struct answers {
    size_t n;
    char **key, **label;
    size_t *line;
    size_t *order;             /* indexes sorted by key, for lookups */
} answers;

static void answers_free(answers *a)
{
    for (size_t i = 0; i < a->n; i++) {
        free(a->key[i]);
        free(a->label[i]);
    }
    free(a->key);
    free(a->label);
    free(a->line);
    free(a->order);
    memset(a, 0, sizeof *a);
}

static const answers *sorting;

static int by_key(const void *x, const void *y)
{
    size_t a = *(const size_t *)x, b = *(const size_t *)y;
    int c = strcmp(sorting->key[a], sorting->key[b]);
    return c ? c : (a > b) - (a < b);
}

/* The labels file: a header naming key_col and label_col, then rows.  A
 * key given twice is refused (which answer would be the person's?). */
static int read_answers(const char *path, const char *key_col, const char *label_col,
                        int numeric_key, answers *a, mlp_error *err)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    long len;
    mlp_csv_reader r;
    int rc = MLP_OK, got, ki = -1, li = -1;
    size_t cap = 0;

    memset(a, 0, sizeof *a);
    if (f == NULL)
        return mlp_error_set(err, MLP_EIO, "oracle_file %s: cannot open it", path);
    if (fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0 ||
        (buf = malloc((size_t)len + 1)) == NULL ||
        fread(buf, 1, (size_t)len, f) != (size_t)len) {
        fclose(f);
        free(buf);
        return mlp_error_set(err, MLP_EIO, "oracle_file %s: cannot read it", path);
    }
    fclose(f);
    mlp_csv_init(&r, path, buf, (size_t)len, ',');
    got = mlp_csv_next(&r, err);
    if (got <= 0)
        rc = got < 0 ? MLP_EINVAL : mlp_error_set(err, MLP_EINVAL, "oracle_file %s is empty",
                                                  path);
    for (size_t i = 0; rc == MLP_OK && i < r.n_fields; i++) {
        int is_key = r.fields[i].len == strlen(key_col) &&
                     memcmp(r.fields[i].p, key_col, r.fields[i].len) == 0;
        int is_label = r.fields[i].len == strlen(label_col) &&
                       memcmp(r.fields[i].p, label_col, r.fields[i].len) == 0;
        /* Which of two columns of one name would be the answers? */
        if ((is_key && ki >= 0) || (is_label && li >= 0))
            rc = mlp_error_set(err, MLP_EINVAL, "oracle_file %s: the header names '%s' "
                               "twice", path, is_key ? key_col : label_col);
        if (is_key)
            ki = (int)i;
        if (is_label)
            li = (int)i;
    }
    if (rc == MLP_OK && (ki < 0 || li < 0))
        rc = mlp_error_set(err, MLP_EINVAL, "oracle_file %s: the header has no column '%s'",
                           path, ki < 0 ? key_col : label_col);
    while (rc == MLP_OK && (got = mlp_csv_next(&r, err)) > 0) {
        char kb[512];
        if ((size_t)(ki > li ? ki : li) >= r.n_fields) {
            rc = mlp_error_set(err, MLP_EINVAL, "%s:%zu: expected at least %d fields, found "
                               "%zu", path, r.line, (ki > li ? ki : li) + 1, r.n_fields);
            break;
        }
        snprintf(kb, sizeof kb, "%.*s", (int)r.fields[ki].len, r.fields[ki].p);
        if (numeric_key) {
            double v;
            unsigned fl;
            int64_t iv;
            if (!mlp_parse_number(kb, strlen(kb), &v, &fl, &iv)) {
                rc = mlp_error_set(err, MLP_EINVAL, "%s:%zu: key '%s' is no number, and the "
                                   "Examples' '%s' is numeric", path, r.line, kb, key_col);
                break;
            }
            if (fl & MLP_NUM_INT)
                snprintf(kb, sizeof kb, "%lld", (long long)iv);
            else
                snprintf(kb, sizeof kb, "%.17g", v);
        }
        if (a->n == cap) {
            cap = cap ? cap * 2 : 256;
            char **k2 = realloc(a->key, cap * sizeof *k2);
            if (k2)
                a->key = k2;
            char **l2 = realloc(a->label, cap * sizeof *l2);
            if (l2)
                a->label = l2;
            size_t *n2 = realloc(a->line, cap * sizeof *n2);
            if (n2)
                a->line = n2;
            if (!k2 || !l2 || !n2) {
                rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
                break;
            }
        }
        a->key[a->n] = strdup(kb);
        a->label[a->n] = strndup(r.fields[li].p, r.fields[li].len);
        a->line[a->n] = r.line;
        if (a->key[a->n] == NULL || a->label[a->n] == NULL) {
            rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
            break;
        }
        a->n++;
    }
    if (rc == MLP_OK && got < 0)
        rc = MLP_EINVAL;
    /* Sorted by key: lookups by bisection, and a key answered twice is
     * found whoever asks for it (which answer would be the person's?). */
    if (rc == MLP_OK && (a->order = malloc((a->n + 1) * sizeof *a->order)) == NULL)
        rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
    if (rc == MLP_OK) {
        for (size_t i = 0; i < a->n; i++)
            a->order[i] = i;
        sorting = a;
        qsort(a->order, a->n, sizeof *a->order, by_key);
        for (size_t i = 1; i < a->n && rc == MLP_OK; i++)
            if (strcmp(a->key[a->order[i - 1]], a->key[a->order[i]]) == 0)
                rc = mlp_error_set(err, MLP_EINVAL, "oracle_file %s: key '%s' is answered "
                                   "twice (lines %zu and %zu)", path, a->key[a->order[i]],
                                   a->line[a->order[i - 1]], a->line[a->order[i]]);
    }
    mlp_csv_free(&r);
    free(buf);
    if (rc != MLP_OK)
        answers_free(a);
    return rc;
}

/* The file's answer for key: its index, or SIZE_MAX. */
static size_t answer_for(const answers *a, const char *key)
{
    size_t lo = 0, hi = a->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(a->key[a->order[mid]], key);
        if (c == 0)
            return a->order[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return SIZE_MAX;
}

/* The queried rows' new label column: the type of the train split's. */
static int label_column(mlp_table *t, const char *name, const mlp_column *like,
                        char **text, size_t n, mlp_error *err)
{
    if (like->type == MLP_COL_NUMERIC) {
        double *v = malloc((n + 1) * sizeof *v);
        int rc = v ? MLP_OK : mlp_error_set(err, MLP_ENOMEM, "out of memory");
        for (size_t i = 0; rc == MLP_OK && i < n; i++) {
            unsigned fl;
            if (!mlp_parse_number(text[i], strlen(text[i]), &v[i], &fl, NULL) ||
                !isfinite(v[i]))
                rc = mlp_error_set(err, MLP_EINVAL, "the oracle's label '%s' is no number, "
                                   "and label '%s' is numeric", text[i], name);
        }
        if (rc == MLP_OK)
            rc = mlp_table_add_numeric(t, name, v, NULL, err);
        free(v);
        return rc;
    }
    /* Categorical: the answers are the levels, in the order given. */
    int32_t *codes = malloc((n + 1) * sizeof *codes);
    const char **levels = calloc(n + 1, sizeof *levels);
    size_t nl = 0;
    int rc = codes && levels ? MLP_OK : mlp_error_set(err, MLP_ENOMEM, "out of memory");
    for (size_t i = 0; rc == MLP_OK && i < n; i++) {
        size_t l = 0;
        while (l < nl && strcmp(levels[l], text[i]) != 0)
            l++;
        if (l == nl)
            levels[nl++] = text[i];
        codes[i] = (int32_t)l;
    }
    if (rc == MLP_OK)
        rc = mlp_table_add_categorical(t, name, codes, nl, levels, err);
    free(codes);
    free(levels);
    return rc;
}

/* Every pool row's key names it alone: a key on two rows would give both
 * one answer. */
static int unique_keys(const mlp_artifact *ex, const char *pool, const mlp_table *pt,
                       const mlp_column *kc, mlp_error *err)
{
    size_t n = mlp_table_n_rows(pt);
    answers k;
    int rc = MLP_OK;

    memset(&k, 0, sizeof k);
    k.key = calloc(n + 1, sizeof *k.key);
    k.order = malloc((n + 1) * sizeof *k.order);
    if (k.key == NULL || k.order == NULL)
        rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
    for (size_t i = 0; rc == MLP_OK && i < n; i++) {
        char kb[512];
        key_text(kc, i, kb, sizeof kb);
        if ((k.key[i] = strdup(kb)) == NULL)
            rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
        k.order[i] = i;
        k.n = i + 1;
    }
    if (rc == MLP_OK) {
        sorting = &k;
        qsort(k.order, n, sizeof *k.order, by_key);
    }
    for (size_t i = 1; rc == MLP_OK && i < n; i++)
        if (strcmp(k.key[k.order[i - 1]], k.key[k.order[i]]) == 0) {
            char a[400] = "", b[400] = "";
            mlp_error e2;
            mlp_examples_source(ex, pool, k.order[i - 1], a, sizeof a, &e2);
            mlp_examples_source(ex, pool, k.order[i], b, sizeof b, &e2);
            rc = mlp_error_set(err, MLP_EINVAL, "key '%s' is not unique: '%s' names rows %zu "
                               "and %zu of split '%s'%s%s%s%s%s", kc->name,
                               k.key[k.order[i]], k.order[i - 1] + 1, k.order[i] + 1, pool,
                               a[0] ? " (" : "", a, a[0] ? ", " : "", b, a[0] ? ")" : "");
        }
    k.label = NULL;
    k.line = NULL;
    for (size_t i = 0; i < k.n; i++)
        free(k.key[i]);
    free(k.key);
    free(k.order);
    return rc;
}

/* The classes an answer may name: `classes` when given, else the label's
 * values in every split of the Examples (as text). */
static int known_classes(mlp_ctx *ctx, const mlp_artifact *ex, const char *label,
                         cJSON **out, mlp_error *err)
{
    cJSON *known = cJSON_CreateArray();
    int rc = MLP_OK;

    *out = known;
    if (known == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    for (size_t i = 0; i < mlp_ctx_param_len(ctx, "classes"); i++)
        cJSON_AddItemToArray(known, cJSON_CreateString(mlp_ctx_param_string_at(ctx, "classes",
                                                                               i)));
    if (cJSON_GetArraySize(known) > 0)
        return MLP_OK;
    for (size_t s = 0; rc == MLP_OK && s < mlp_examples_split_count(ex); s++) {
        mlp_table_file *f = NULL;
        mlp_table *t = NULL;
        mlp_classes cl;
        const mlp_column *y = NULL;
        char file[300], path[4096];
        ptrdiff_t li;
        /* The label column alone: every round asks, the rest is not needed. */
        snprintf(file, sizeof file, "%s.mlpt", mlp_examples_split(ex, s));
        rc = mlp_artifact_path(ex, file, path, sizeof path, err);
        if (rc == MLP_OK)
            rc = mlp_table_file_open(path, &f, err);
        li = rc == MLP_OK ? mlp_table_file_find(f, label) : -1;
        if (li >= 0)
            rc = mlp_table_file_column(f, (size_t)li, &t, err);
        if (rc == MLP_OK && t != NULL)
            y = mlp_table_column(t, 0);
        if (y != NULL && (y->type == MLP_COL_NUMERIC || y->type == MLP_COL_CATEGORICAL)) {
            rc = mlp_classes_read(y, NULL, 0, 100000, &cl, err);
            for (size_t c = 0; rc == MLP_OK && c < cl.n_classes; c++) {
                char name[256];
                const cJSON *e;
                int seen = 0;
                mlp_class_name(cJSON_GetArrayItem(cl.names, (int)c), name, sizeof name);
                cJSON_ArrayForEach(e, known)
                    seen |= strcmp(e->valuestring, name) == 0;
                if (!seen)
                    cJSON_AddItemToArray(known, cJSON_CreateString(name));
            }
            if (rc == MLP_OK)
                mlp_classes_free(&cl);
        }
        mlp_table_free(t);
        mlp_table_file_close(f);
    }
    return rc;
}

/* Whether answer names one of the classes (a number by its value). */
static int is_class(const cJSON *known, const char *answer, int numeric)
{
    const cJSON *e;
    double v = 0, w;
    unsigned fl;

    if (numeric && !mlp_parse_number(answer, strlen(answer), &v, &fl, NULL))
        return 0;
    cJSON_ArrayForEach(e, known) {
        if (!numeric && strcmp(e->valuestring, answer) == 0)
            return 1;
        if (numeric && mlp_parse_number(e->valuestring, strlen(e->valuestring), &w, &fl, NULL) &&
            w == v)
            return 1;
    }
    return 0;
}

/* Rows chosen of the pool, with the label column replaced by answers. */
static int labelled_rows(const mlp_table *pool, const size_t *rows, size_t n, const char *label,
                         const mlp_column *like, char **text, mlp_table **out, mlp_error *err)
{
    mlp_table *sel = NULL, *res = NULL;
    int rc = mlp_table_select(pool, rows, n, &sel, err);

    if (rc == MLP_OK && (res = mlp_table_new(n)) == NULL)
        rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
    for (size_t c = 0; rc == MLP_OK && c < mlp_table_n_cols(sel); c++) {
        const mlp_column *col = mlp_table_column(sel, c);
        rc = strcmp(col->name, label) == 0 ? label_column(res, label, like, text, n, err)
                                           : mlp_table_add_copy(res, col->name, col, err);
    }
    mlp_table_free(sel);
    if (rc != MLP_OK) {
        mlp_table_free(res);
        return rc;
    }
    *out = res;
    return MLP_OK;
}

/* Source lines of train then the rows taken from the pool, when both
 * splits have them. */
static int grown_lines(const mlp_artifact *ex, mlp_artifact *out, const char *train,
                       const char *pool, const size_t *rows, size_t n, mlp_error *err)
{
    char tf[300], pf[300], path[4096];
    mlp_table *a = NULL, *b = NULL, *bs = NULL, *all = NULL;
    int rc;

    snprintf(tf, sizeof tf, "%s.lines.mlpt", train);
    snprintf(pf, sizeof pf, "%s.lines.mlpt", pool);
    if (!mlp_artifact_has_file(ex, tf) || !mlp_artifact_has_file(ex, pf))
        return MLP_OK;
    rc = mlp_artifact_path(ex, tf, path, sizeof path, err);
    if (rc == MLP_OK)
        rc = mlp_table_open(path, &a, err);
    if (rc == MLP_OK)
        rc = mlp_artifact_path(ex, pf, path, sizeof path, err);
    if (rc == MLP_OK)
        rc = mlp_table_open(path, &b, err);
    if (rc == MLP_OK)
        rc = mlp_table_select(b, rows, n, &bs, err);
    if (rc == MLP_OK) {
        const mlp_table *parts[2] = { a, bs };
        rc = mlp_table_concat(parts, 2, &all, err);
    }
    if (rc == MLP_OK)
        rc = mlp_artifact_path(out, tf, path, sizeof path, err);
    if (rc == MLP_OK)
        rc = mlp_table_write(all, path, err);
    mlp_table_free(a);
    mlp_table_free(b);
    mlp_table_free(bs);
    mlp_table_free(all);
    return rc;
}

int lab_label_run(mlp_ctx *ctx)
{
    const mlp_artifact *ex = mlp_ctx_input(ctx, "examples", 0);
    const mlp_artifact *q = mlp_ctx_input(ctx, "query", 0);
    mlp_artifact *out = mlp_ctx_output(ctx, "examples");
    const char *train = mlp_ctx_param_string(ctx, "train");
    const char *pool = cJSON_GetStringValue(mlp_artifact_property(q, "pool"));
    const char *file = mlp_ctx_param_string(ctx, "oracle_file");
    const char *key = mlp_ctx_param_string(ctx, "key");
    const char *label = mlp_ctx_param_string(ctx, "label");
    const cJSON *qrows = mlp_artifact_property(q, "rows"), *e;
    size_t nq = (size_t)cJSON_GetArraySize(qrows), got = 0, skipped = 0, nl = 0;
    size_t *rows = calloc(nq + 1, sizeof *rows), *rest = NULL;
    char **text = calloc(nq + 1, sizeof *text);
    mlp_table *tt = NULL, *pt = NULL, *added = NULL, *grown = NULL, *left = NULL;
    cJSON *known = NULL;
    answers a;
    mlp_error err;
    int rc = MLP_OK;

    memset(&a, 0, sizeof a);
    mlp_error_clear(&err);
    if (label == NULL)
        label = cJSON_GetStringValue(mlp_artifact_property(ex, "label"));
    if (rows == NULL || text == NULL)
        rc = mlp_error_set(&err, MLP_ENOMEM, "out of memory");
    if (rc == MLP_OK && label == NULL)
        rc = mlp_error_set(&err, MLP_EINVAL, "no label: the Examples name none; set label");
    if (rc == MLP_OK && mlp_json_num(mlp_artifact_properties(q), "examples") !=
        (double)mlp_artifact_id(ex))
        rc = mlp_error_set(&err, MLP_EINVAL, "the query was made on Examples %.0f, not on "
                           "these (%lld): wire the Examples al_select read",
                           mlp_json_num(mlp_artifact_properties(q), "examples"),
                           (long long)mlp_artifact_id(ex));
    if (rc == MLP_OK && (file == NULL) == (mlp_ctx_param_len(ctx, "oracle") == 0))
        rc = mlp_error_set(&err, MLP_EINVAL, "name one oracle: oracle_file (a labels file) or "
                           "oracle (a labeling function)");
    if (rc == MLP_OK && !mlp_examples_has_split(ex, train))
        rc = mlp_error_set(&err, MLP_EINVAL, "train: the Examples have no split '%s'", train);
    if (rc == MLP_OK)
        rc = mlp_examples_read(ex, train, &tt, &err);
    if (rc == MLP_OK)
        rc = mlp_examples_read(ex, pool, &pt, &err);
    const mlp_column *like = rc == MLP_OK ? mlp_table_find(tt, label) : NULL;
    if (rc == MLP_OK && like == NULL)
        rc = mlp_error_set(&err, MLP_EINVAL, "split '%s' has no label column '%s'", train, label);
    if (rc == MLP_OK && (uint64_t)mlp_json_num(mlp_artifact_properties(q), "pool_rows") !=
        mlp_table_n_rows(pt))
        rc = mlp_error_set(&err, MLP_EINVAL, "the query's pool had %.0f rows, split '%s' has "
                           "%zu", mlp_json_num(mlp_artifact_properties(q), "pool_rows"), pool,
                           mlp_table_n_rows(pt));
    if (rc == MLP_OK && file != NULL) {
        const mlp_column *kc = key ? mlp_table_find(pt, key) : NULL;
        if (kc == NULL)
            rc = mlp_error_set(&err, MLP_EINVAL, "key: %s", key ? "the pool has no such "
                               "column" : "an oracle_file needs key, the column that names "
                               "a row in both");
        if (rc == MLP_OK)
            rc = unique_keys(ex, pool, pt, kc, &err);
        if (rc == MLP_OK)
            rc = read_answers(file, key, mlp_ctx_param_string(ctx, "oracle_label")
                              ? mlp_ctx_param_string(ctx, "oracle_label") : label,
                              kc->type == MLP_COL_NUMERIC, &a, &err);
        if (rc == MLP_OK)
            rc = known_classes(ctx, ex, label, &known, &err);
        cJSON_ArrayForEach(e, qrows) {
            char kb[512];
            size_t row = (size_t)e->valuedouble, hit;
            if (rc != MLP_OK)
                break;
            key_text(kc, row, kb, sizeof kb);
            hit = answer_for(&a, kb);
            if (hit == SIZE_MAX || a.label[hit][0] == '\0') {
                skipped++;  /* no answer: the row stays in the pool */
            } else if (!is_class(known, a.label[hit], like->type == MLP_COL_NUMERIC)) {
                char *list = mlp_json_print(known, 0);
                rc = mlp_error_set(&err, MLP_EINVAL, "%s:%zu: the answer '%s' for key '%s' is "
                                   "not a class of label '%s' (%s); list the classes in "
                                   "`classes` to add one", file, a.line[hit], a.label[hit], kb,
                                   label, list ? list : "?");
                mlp_free(list);
            } else {
                rows[got] = row;
                text[got++] = strdup(a.label[hit]);
            }
        }
    } else if (rc == MLP_OK) {
        /* A labeling function as the oracle: it sees the queried rows. */
        const char *lf = mlp_ctx_param_string_at(ctx, "oracle", 0);
        size_t k = (size_t)cJSON_GetArraySize(mlp_ctx_param(ctx, "classes"));
        const char **classes = calloc(k + 1, sizeof *classes);
        size_t *sel = calloc(nq + 1, sizeof *sel);
        mlp_table *st = NULL;
        int16_t *votes = malloc((nq + 1) * sizeof *votes);
        mlp_lf_options o = { 1, MLP_LF_ERRORS_FAIL };
        size_t bad_row = SIZE_MAX, bad_lf;
        if (classes == NULL || sel == NULL || votes == NULL)
            rc = mlp_error_set(&err, MLP_ENOMEM, "out of memory");
        if (rc == MLP_OK && k < 2)
            rc = mlp_error_set(&err, MLP_EINVAL, "classes: an oracle function needs the class "
                               "names it may return (at least 2)");
        for (size_t c = 0; rc == MLP_OK && c < k; c++)
            classes[c] = mlp_ctx_param_string_at(ctx, "classes", c);
        size_t i = 0;
        cJSON_ArrayForEach(e, qrows)
            sel[i++] = (size_t)e->valuedouble;
        if (rc == MLP_OK)
            rc = mlp_table_select(pt, sel, nq, &st, &err);
        if (rc == MLP_OK)
            rc = mlp_lf_apply(ctx, &lf, 1, st, classes, k, &o, votes, NULL, &bad_row, &bad_lf,
                              &err);
        if (rc != MLP_OK && bad_row != SIZE_MAX && bad_row < nq) {
            char at[400];
            mlp_error e2;
            if (mlp_examples_source(ex, pool, sel[bad_row], at, sizeof at, &e2) == MLP_OK)
                mlp_error_prefix(&err, "%s", at);
        }
        for (size_t r = 0; rc == MLP_OK && r < nq; r++) {
            if (votes[r] == MLP_ABSTAIN) {
                skipped++;
                continue;
            }
            rows[got] = sel[r];
            text[got++] = strdup(classes[votes[r]]);
        }
        mlp_table_free(st);
        free(votes);
        free(sel);
        free(classes);
    }
    for (size_t i = 0; rc == MLP_OK && i < got; i++)
        if (text[i] == NULL)
            rc = mlp_error_set(&err, MLP_ENOMEM, "out of memory");
    if (rc == MLP_OK)
        rc = labelled_rows(pt, rows, got, label, like, text, &added, &err);
    if (rc == MLP_OK) {
        const mlp_table *parts[2] = { tt, added };
        rc = mlp_table_concat(parts, 2, &grown, &err);
    }
    /* The pool less the rows labelled, in its order. */
    if (rc == MLP_OK) {
        size_t np = mlp_table_n_rows(pt);
        uint8_t *taken = calloc(np + 1, 1);
        rest = malloc((np + 1) * sizeof *rest);
        if (taken == NULL || rest == NULL)
            rc = mlp_error_set(&err, MLP_ENOMEM, "out of memory");
        for (size_t i = 0; rc == MLP_OK && i < got; i++)
            taken[rows[i]] = 1;
        for (size_t i = 0; rc == MLP_OK && i < np; i++)
            if (!taken[i])
                rest[nl++] = i;
        free(taken);
        if (rc == MLP_OK)
            rc = mlp_table_select(pt, rest, nl, &left, &err);
    }
    for (size_t i = 0; rc == MLP_OK && i < mlp_examples_split_count(ex); i++) {
        const char *s = mlp_examples_split(ex, i);
        if (strcmp(s, train) == 0) {
            rc = mlp_examples_write(out, s, grown, &err);
            if (rc == MLP_OK)
                rc = grown_lines(ex, out, train, pool, rows, got, &err);
        } else if (strcmp(s, pool) == 0) {
            rc = mlp_examples_write(out, s, left, &err);
            if (rc == MLP_OK)
                rc = mlp_examples_select_lines(ex, out, pool, rest, nl, &err);
        } else {
            rc = lab_copy_split(out, ex, s, &err);
        }
    }
    if (rc == MLP_OK) {
        static const char *const skip[] = { "rows", "columns", "active_learning", NULL };
        cJSON *rp = cJSON_Duplicate(mlp_artifact_property(ex, "rows"), 1);
        cJSON *al = cJSON_Duplicate(mlp_artifact_property(ex, "active_learning"), 1);
        cJSON *hist, *step = cJSON_CreateObject();
        cJSON_ReplaceItemInObject(rp, train, mlp_json_int((int64_t)mlp_table_n_rows(grown)));
        cJSON_ReplaceItemInObject(rp, pool, mlp_json_int((int64_t)nl));
        if (al == NULL) {
            al = cJSON_CreateObject();
            cJSON_AddItemToObject(al, "seed_rows", mlp_json_int((int64_t)mlp_table_n_rows(tt)));
            cJSON_AddArrayToObject(al, "rounds");
        }
        hist = cJSON_GetObjectItem(al, "rounds");
        cJSON_AddItemToObject(step, "round", mlp_json_int(cJSON_GetArraySize(hist) + 1));
        cJSON_AddItemToObject(step, "query", mlp_json_int(mlp_artifact_id(q)));
        cJSON_AddStringToObject(step, "strategy", mlp_json_str(mlp_artifact_properties(q),
                                                               "strategy"));
        cJSON_AddStringToObject(step, "oracle", file ? "file" : "function");
        cJSON_AddItemToObject(step, "labelled", mlp_json_int((int64_t)got));
        cJSON_AddItemToObject(step, "unanswered", mlp_json_int((int64_t)skipped));
        cJSON_AddItemToObject(step, "train_rows", mlp_json_int((int64_t)mlp_table_n_rows(grown)));
        cJSON_AddItemToArray(hist, step);
        rc = mlp_artifact_copy_properties(out, ex, skip, &err);
        if (rc == MLP_OK)
            rc = mlp_examples_describe(out, grown, ex, &err);
        mlp_artifact_set_property(out, "rows", rp, &err);
        mlp_artifact_set_property(out, "active_learning", al, &err);
        if (rc == MLP_OK)
            rc = err.code;
        mlp_ctx_log(ctx, MLP_LOG_INFO, "round %d: %zu rows labelled, %zu unanswered; train "
                    "%zu rows, pool %zu", cJSON_GetArraySize(hist), got, skipped,
                    mlp_table_n_rows(grown), nl);
    }
    for (size_t i = 0; text && i < got; i++)
        free(text[i]);
    free(text);
    free(rows);
    free(rest);
    answers_free(&a);
    cJSON_Delete(known);
    mlp_table_free(tt);
    mlp_table_free(pt);
    mlp_table_free(added);
    mlp_table_free(grown);
    mlp_table_free(left);
    return rc == MLP_OK ? MLP_OK : mlp_ctx_fail_error(ctx, &err);
}
