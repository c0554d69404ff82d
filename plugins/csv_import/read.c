/* The reading half of csv_import, without a pipeline context: the general
 * two-pass reader (structure, types and splits, then typed column buffers
 * per split), the choice between it and the fast path, and the split
 * tables built from the buffers.  A fuzz target drives it directly to
 * compare the two readers. */
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mlpipe/mlpipe.h>

#include "ingest.h"
#include "jsonl.h"

/* Missing-value tokens, indexed by their first byte so that the common
 * field (a digit that starts no token) is decided with one lookup. */
typedef struct na_set {
    uint8_t first[256];
    int empty;
    size_t n;
    const char *s[64];
    size_t len[64];
} na_set;

static na_set na_tokens;

int ingest_set_na(const cJSON *list, mlp_error *err)
{
    const cJSON *v;

    memset(&na_tokens, 0, sizeof na_tokens);
    cJSON_ArrayForEach(v, list) {
        const char *s = cJSON_GetStringValue(v);
        if (s == NULL)
            return mlp_error_set(err, MLP_EINVAL, "parameter 'na_values': every "
                                 "item must be a string");
        if (na_tokens.n == 64)
            return mlp_error_set(err, MLP_EINVAL, "parameter 'na_values': at "
                                 "most 64 tokens");
        if (*s == '\0') {
            na_tokens.empty = 1;
            continue;
        }
        na_tokens.first[(unsigned char)s[0]] = 1;
        na_tokens.s[na_tokens.n] = s;
        na_tokens.len[na_tokens.n++] = strlen(s);
    }
    return MLP_OK;
}

int ingest_is_na(const job *j, const char *p, size_t len)
{
    (void)j;
    if (p == NULL)
        return 1;  /* a JSON key that is absent or null */
    if (len == 0)
        return na_tokens.empty;
    if (!na_tokens.first[(unsigned char)p[0]])
        return 0;
    for (size_t k = 0; k < na_tokens.n; k++)
        if (na_tokens.len[k] == len && memcmp(na_tokens.s[k], p, len) == 0)
            return 1;
    return 0;
}


int ingest_type_error(const job *j, const char *path, size_t line, size_t c,
                      const char *value, size_t len, mlp_error *err)
{
    return mlp_error_set(err, MLP_EFORMAT, "%s:%zu: column %zu ('%s') is "
                         "declared numeric, but the value \"%.*s\"%s is not a "
                         "number", path, line, c + 1, j->cols[c].name,
                         (int)(len > 40 ? 40 : len), value,
                         len > 40 ? "..." : "");
}

int ingest_record_skip(job *j, size_t line)
{
    if (j->skipped < MAX_SKIPPED_LINES)
        j->skipped_lines[j->skipped] = line;
    j->skipped++;
    return MLP_OK;
}

/* The split of a row: a hash of its key (the key column's value, or the
 * row's bytes) and of how often that key appeared before.  The same row
 * lands in the same split on every run and machine, whatever the order of
 * the other rows; repeated keys are spread by their occurrence number. */
int ingest_split_of(job *j, const char *keyp, size_t keylen, int *split)
{
    return ingest_split_of_hash(j, mlp_hash64(keyp, keylen, j->seed), split);
}

int ingest_split_from(const job *j, uint64_t key_hash, uint32_t occ)
{
    uint64_t h, key[2];
    double u, acc = 0;

    key[0] = key_hash;
    /* Rows with the same key column value stay together: that is what a
     * key column is for (all rows of one user in one split). */
    key[1] = j->key_col >= 0 ? 1 : occ;
    h = mlp_hash64(key, sizeof key, j->seed);
    /* 53 high bits give a uniform value in [0, 1). */
    u = (double)(h >> 11) * (1.0 / 9007199254740992.0) * j->total_weight;
    for (size_t s = 0; s < j->n_splits; s++) {
        acc += j->splits[s].weight;
        if (u < acc)
            return (int)s;
    }
    return (int)j->n_splits - 1;
}

int ingest_split_of_hash(job *j, uint64_t key_hash, int *split)
{
    uint32_t occ = 1;

    if (j->key_col < 0 && (occ = hc_bump(&j->occ, key_hash)) == 0)
        return MLP_ENOMEM;
    *split = ingest_split_from(j, key_hash, occ);
    return MLP_OK;
}

static int split_of(job *j, const mlp_csv_reader *r, int *split)
{
    if (j->key_col >= 0)
        return ingest_split_of(j, r->fields[j->key_col].p,
                               r->fields[j->key_col].len, split);
    return ingest_split_of(j, r->row_start, r->row_len, split);
}

void ingest_reset_rows(job *j)
{
    j->n_rows = 0;
    j->skipped = 0;
    for (size_t s = 0; s < j->n_splits; s++)
        j->splits[s].rows = 0;
    hc_free(&j->occ);
}

int ingest_push_row(job *j, int split, mlp_error *err)
{
    if (j->n_rows == j->cap_rows) {
        size_t cap = j->cap_rows ? j->cap_rows * 2 : 4096;
        uint8_t *nr = realloc(j->row_split, cap);
        if (nr == NULL)
            return mlp_error_set(err, MLP_ENOMEM, "out of memory");
        j->row_split = nr;
        j->cap_rows = cap;
    }
    j->row_split[j->n_rows++] = (uint8_t)split;
    j->splits[split].rows++;
    return MLP_OK;
}

/* The columns' names, from column_names or the header row; a repeated
 * one is refused naming both positions. */
static int header_names(job *j, const mlp_csv_reader *r, const cJSON *names, size_t n,
                        mlp_names *seen, mlp_error *err)
{
    const cJSON *item = names ? names->child : NULL;

    for (size_t c = 0; c < n; c++, item = item ? item->next : NULL) {
        size_t k;
        if (names != NULL) {
            const char *s = cJSON_GetStringValue(item);
            if (s == NULL || *s == '\0')
                return mlp_error_set(err, MLP_EINVAL, "parameter 'column_names' "
                                     "item %zu must be a non-empty string",
                                     c + 1);
            j->cols[c].name = strdup(s);
        } else {
            j->cols[c].name = strndup(r->fields[c].p, r->fields[c].len);
        }
        if (j->cols[c].name == NULL)
            return mlp_error_set(err, MLP_ENOMEM, "out of memory");
        if (j->cols[c].name[0] == '\0')
            return mlp_error_set(err, MLP_EFORMAT, "%s:%zu: column %zu has an "
                                 "empty name", j->files[0].path, r->line, c + 1);
        int rc = mlp_names_add(seen, j->cols[c].name, c, &k);
        if (rc == MLP_EEXIST)
            return mlp_error_set(err, MLP_EFORMAT, "%s:%zu: column name "
                                 "'%s' appears twice (columns %zu and %zu)",
                                 j->files[0].path, r->line,
                                 j->cols[c].name, k + 1, c + 1);
        if (rc != MLP_OK)
            return mlp_error_set(err, MLP_ENOMEM, "out of memory");
        j->cols[c].numeric = 1;
        j->cols[c].integer = 1;
    }
    return MLP_OK;
}

/* The types parameter: columns declared numeric, categorical or text. */
static int declared_types(job *j, const cJSON *types, const mlp_names *seen,
                          mlp_error *err)
{
    const cJSON *t;

    cJSON_ArrayForEach(t, types) {
        size_t c = mlp_names_find(seen, t->string);
        const char *v = cJSON_GetStringValue(t);
        if (c == SIZE_MAX)
            return mlp_error_set(err, MLP_EINVAL, "parameter 'types' names "
                                 "column '%s', which the data does not have",
                                 t->string);
        /* A column declared text is not parsed for numbers. */
        if (v && strcmp(v, "numeric") == 0) {
            j->cols[c].declared = T_NUMERIC;
            j->any_declared_numeric = 1;
        } else if (v && strcmp(v, "categorical") == 0) {
            j->cols[c].declared = T_CATEGORICAL;
            j->cols[c].numeric = 0;
        } else if (v && strcmp(v, "string") == 0) {
            j->cols[c].declared = T_STRING;
            j->cols[c].numeric = 0;
        } else
            return mlp_error_set(err, MLP_EINVAL, "parameter 'types': column "
                                 "'%s' must be \"numeric\", \"categorical\" or "
                                 "\"string\"", t->string);
    }
    return MLP_OK;
}

int ingest_set_columns(job *j, const mlp_csv_reader *r, mlp_error *err)
{
    const cJSON *names = j->jsonl ? j->jcols : j->names;
    const cJSON *types = j->types;
    size_t n = names ? (size_t)cJSON_GetArraySize(names) : r->n_fields;
    mlp_names *seen = mlp_names_new();
    int rc = MLP_OK;

    j->cols = calloc(n, sizeof *j->cols);
    if (j->cols == NULL || seen == NULL) {
        mlp_names_free(seen);
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    }
    j->n_cols = n;
    rc = header_names(j, r, names, n, seen, err);
    if (rc == MLP_OK)
        rc = declared_types(j, types, seen, err);
    mlp_names_free(seen);
    if (rc != MLP_OK)
        return rc;
    /* The key must be known before the first row is assigned a split. */
    const char *key = j->key;
    for (size_t c = 0; key && c < n; c++)
        if (strcmp(j->cols[c].name, key) == 0)
            j->key_col = (int)c;
    if (key && j->key_col < 0)
        return mlp_error_set(err, MLP_EINVAL, "parameter 'split_key': no "
                             "column '%s' in %s", key, j->files[0].path);
    return MLP_OK;
}

/* One row of file fi, CSV or JSON Lines. */
static void reader_init(const job *j, size_t fi, mlp_csv_reader *r)
{
    mlp_csv_init(r, j->files[fi].path, j->files[fi].data, j->files[fi].len, j->delim);
    r->lenient = j->lenient;
}

static int reader_next(const job *j, mlp_csv_reader *r, mlp_error *err)
{
    return j->jsonl ? jsonl_next(r, j->jcols, err) : mlp_csv_next(r, err);
}

int ingest_final_type(const job *j, size_t c)
{
    const col_info *ci = &j->cols[c];

    if (ci->declared != T_AUTO)
        return ci->declared;
    /* Integers with leading zeros are codes (zip codes, ids) whose zeros a
     * number would drop; integers beyond int64 no number holds exactly.
     * A column of either stays text unless declared numeric. */
    if (!ci->numeric || (ci->integer && (ci->lead_zero || ci->overflow)))
        return T_CATEGORICAL;
    return T_NUMERIC;
}

int ingest_is_string(const job *j, size_t c, const dict *dicts)
{
    int t = ingest_final_type(j, c);

    if (t == T_NUMERIC)
        return 0;
    return j->cols[c].many || t == T_STRING || dicts[c].n > j->max_categories;
}

int ingest_check_levels(const job *j, size_t c, size_t levels, mlp_error *err)
{
    /* A declared type is never changed behind the user's back: a column
     * declared categorical with more levels than max_categories would
     * otherwise become string (and the levels past max_categories are
     * not kept on the way). */
    if (j->cols[c].declared == T_CATEGORICAL && levels > j->max_categories)
        return mlp_error_set(err, MLP_EINVAL, "types: column '%s' is declared categorical "
                             "but has more than max_categories = %zu distinct values; raise "
                             "max_categories or declare it \"string\"", j->cols[c].name,
                             j->max_categories);
    return MLP_OK;
}

int ingest_exact_ints(const job *j, size_t c)
{
    const col_info *ci = &j->cols[c];

    return ingest_final_type(j, c) == T_NUMERIC && ci->integer && ci->wide &&
           !ci->overflow;
}

void ingest_note_value(ingest_note *n, size_t fi, size_t line, size_t before,
                       const char *p, size_t len)
{
    if (n->set)
        return;
    n->set = 1;
    n->file = fi;
    n->line = line;
    n->before = before;
    if (len >= sizeof n->value)
        len = sizeof n->value - 1;
    memcpy(n->value, p, len);
    n->value[len] = '\0';
}

/* What a number of column c tells about its type. */
static void infer_number(col_info *ci, unsigned flags, size_t fi, size_t line,
                         const mlp_csv_field *f)
{
    ci->integer &= (flags & MLP_NUM_INT) != 0;
    ci->wide |= (flags & MLP_NUM_WIDE) != 0;
    if (flags & MLP_NUM_LEAD_ZERO) {
        ci->lead_zero = 1;
        ingest_note_value(&ci->zero_note, fi, line, 0, f->p, f->len);
    }
    if (flags & MLP_NUM_OVERFLOW) {
        ci->overflow = 1;
        ingest_note_value(&ci->over_note, fi, line, 0, f->p, f->len);
    }
}

/* Collects a text value of column c, while fewer than max_categories + 1
 * are known: the count then proves the column has too many for a
 * dictionary.  Out of memory just stops collecting (a smaller count is
 * still a true lower bound). */
static void see_text(const job *j, dict *seen, const mlp_csv_field *f)
{
    int32_t code;

    if (seen != NULL && seen->n <= j->max_categories)
        (void)dict_intern(seen, f->p, f->len, &code);
}

int ingest_scan_row(const job *j, col_info *cols, dict *seen, size_t fi,
                    const mlp_csv_reader *r, mlp_error *err)
{
    if (r->n_fields != j->n_cols) {
        if (j->skip_bad)
            return 0;
        return mlp_error_set(err, MLP_EFORMAT, "%s:%zu: expected %zu fields "
                             "(as in the header), found %zu", r->path, r->line,
                             j->n_cols, r->n_fields);
    }
    /* A declared numeric value that is not a number makes the row
     * bad as a whole: checked first, so that a skipped row leaves no
     * trace in the other columns' inference. */
    size_t bad = 0;
    for (size_t c = 0; c < j->n_cols && j->any_declared_numeric && !bad; c++) {
        const mlp_csv_field *f = &r->fields[c];
        double v;
        unsigned flags;
        if (cols[c].declared == T_NUMERIC &&
            !ingest_is_na(j, f->p, f->len) &&
            !mlp_parse_number(f->p, f->len, &v, &flags, NULL))
            bad = c + 1;
    }
    if (bad && !j->skip_bad) {
        const mlp_csv_field *f = &r->fields[bad - 1];
        return ingest_type_error(j, r->path, r->line, bad - 1, f->p, f->len, err);
    }
    if (bad)
        return 0;
    for (size_t c = 0; c < j->n_cols; c++) {
        const mlp_csv_field *f = &r->fields[c];
        col_info *ci = &cols[c];
        double v;
        unsigned flags;
        if (ingest_is_na(j, f->p, f->len))
            continue;
        ci->present++;
        if (!ci->numeric && ci->declared != T_NUMERIC) {
            see_text(j, seen ? &seen[c] : NULL, f);
            continue;
        }
        if (mlp_parse_number(f->p, f->len, &v, &flags, NULL)) {
            infer_number(ci, flags, fi, r->line, f);
            continue;
        }
        ingest_note_value(&ci->text_note, fi, r->line, ci->present - 1,
                          f->p, f->len);
        ci->numeric = 0;
        see_text(j, seen ? &seen[c] : NULL, f);
    }
    return 1;
}

/* Pass 1 over one file: structure, types, splits. */
static int scan_file(job *j, size_t fi, mlp_error *err)
{
    mlp_csv_reader r;
    int rc, first = 1;

    reader_init(j, fi, &r);
    for (;;) {
        rc = reader_next(j, &r, err);
        if (rc == 0)
            break;
        if (rc < 0) {
            /* A bad header is never skipped: the next row would become the
             * header.  Nor is an unterminated quote: where its row ends is
             * unknown. */
            if (!j->skip_bad || rc == MLP_ENOMEM || (first && j->header && !j->jsonl) ||
                strstr(err->msg, "unterminated") != NULL)
                goto done;
            ingest_record_skip(j, j->jsonl ? r.line : r.next_line);
            if (!j->jsonl)
                mlp_csv_skip_bad_line(&r);
            continue;
        }
        if (first && j->header && !j->jsonl) {
            first = 0;
            if (fi == 0 && j->cols == NULL) {
                rc = ingest_set_columns(j, &r, err);
                if (rc != MLP_OK)
                    goto done;
            } else if (r.n_fields != j->n_cols) {
                rc = mlp_error_set(err, MLP_EFORMAT, "%s:%zu: header has %zu "
                                   "columns, %s has %zu", r.path, r.line,
                                   r.n_fields, j->files[0].path, j->n_cols);
                goto done;
            }
            continue;
        }
        if (j->cols == NULL) {
            rc = ingest_set_columns(j, &r, err);
            if (rc != MLP_OK)
                goto done;
        }
        first = 0;
        rc = ingest_scan_row(j, j->cols, NULL, fi, &r, err);
        if (rc < 0)
            goto done;
        if (rc == 0) {
            ingest_record_skip(j, r.line);
            continue;
        }
        int s;
        if (split_of(j, &r, &s) != MLP_OK) {
            rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
            goto done;
        }
        rc = ingest_push_row(j, s, err);
        if (rc != MLP_OK)
            goto done;
        if ((j->n_rows & 0xFFFF) == 0 && j->ctx != NULL)
            mlp_ctx_progress(j->ctx, r.pos, j->files[fi].len, "bytes");
    }
    rc = MLP_OK;
done:
    mlp_csv_free(&r);
    return rc;
}



int ingest_row_kept(const job *j, const mlp_csv_reader *r)
{
    if (r->n_fields != j->n_cols)
        return 0;
    /* Pass 1 dropped the rows with a declared numeric column that is not
     * a number; every other numeric column holds only numbers in the rows
     * it kept (one text value would have made it text), so only the
     * declared ones need a look. */
    for (size_t c = 0; c < j->n_cols && j->any_declared_numeric; c++) {
        const mlp_csv_field *f = &r->fields[c];
        double v;
        unsigned flags;
        if (j->cols[c].declared == T_NUMERIC && !ingest_is_na(j, f->p, f->len) &&
            !mlp_parse_number(f->p, f->len, &v, &flags, NULL))
            return 0;
    }
    return 1;
}

static void set_missing(uint8_t *bits, size_t i, int shared)
{
    uint8_t bit = (uint8_t)(1u << (i & 7));

    /* At a chunk's edge, one byte holds rows of two chunks. */
    if (shared)
        atomic_fetch_or_explicit((_Atomic uint8_t *)&bits[i >> 3], bit,
                                 memory_order_relaxed);
    else
        bits[i >> 3] |= bit;
}

static int append_text(text_buf *t, const char *p, size_t len)
{
    if (t->len + len > t->cap) {
        size_t cap = t->cap ? t->cap : 4096;
        while (cap < t->len + len)
            cap *= 2;
        char *nb = mlp_realloc(t->b, cap);
        if (nb == NULL)
            return MLP_ENOMEM;
        t->b = nb;
        t->cap = cap;
    }
    memcpy(t->b + t->len, p, len);
    t->len += len;
    return MLP_OK;
}

int ingest_fill_row(const job *j, split_cols *sc, size_t i, dict *dicts,
                    text_buf *texts, const mlp_csv_reader *r, size_t fi, int shared)
{
    sc->line[i] = (double)r->line;
    sc->file[i] = (int32_t)fi;
    for (size_t c = 0; c < j->n_cols; c++) {
        const mlp_csv_field *f = &r->fields[c];
        int na = ingest_is_na(j, f->p, f->len);
        if (sc->str_off != NULL && sc->str_off[c] != NULL) {
            sc->str_off[c][i + 1] = na ? 0 : f->len;
            if (na)
                set_missing(sc->miss[c], i, shared);
            else if (append_text(&texts[c], f->p, f->len) != MLP_OK)
                return MLP_ENOMEM;
        } else if (sc->num[c] != NULL) {
            double v = NAN;
            int64_t iv = 0;
            unsigned flags;
            if (na) {
                set_missing(sc->miss[c], i, shared);
            } else {
                mlp_parse_number(f->p, f->len, &v, &flags, &iv);
            }
            sc->num[c][i] = v;
            if (sc->ints[c] != NULL)
                sc->ints[c][i] = iv;
        } else if (na) {
            sc->codes[c][i] = -1;
        } else {
            int32_t code;
            if (dict_intern(&dicts[c], f->p, f->len, &code) != MLP_OK)
                return MLP_ENOMEM;
            sc->codes[c][i] = code;
        }
    }
    return MLP_OK;
}

static int fill(job *j, split_cols *sc, dict *dicts, mlp_error *err)
{
    size_t row = 0;
    size_t at[MAX_SPLITS] = { 0 };
    int rc = MLP_OK;

    for (size_t fi = 0; fi < j->n_files && rc == MLP_OK; fi++) {
        mlp_csv_reader r;
        int first = 1;
        reader_init(j, fi, &r);
        /* Pass 1 decided which rows are kept; this pass repeats its
         * decisions in the same order. */
        for (;;) {
            int k = reader_next(j, &r, err);
            if (k == 0)
                break;
            if (k < 0) {
                if (!j->jsonl)
                    mlp_csv_skip_bad_line(&r);
                continue;
            }
            if (first && j->header && !j->jsonl) {
                first = 0;
                continue;
            }
            first = 0;
            if (!ingest_row_kept(j, &r))
                continue;
            int s = j->row_split[row++];
            if (ingest_fill_row(j, &sc[s], at[s]++, dicts, NULL, &r, fi, 0) != MLP_OK) {
                rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
                break;
            }
        }
        mlp_csv_free(&r);
    }
    return rc;
}


int ingest_build_split(job *j, size_t s, split_cols *sc, dict *dicts,
                       mlp_table *t, mlp_error *err)
{
    size_t n = j->splits[s].rows;
    int rc = MLP_OK;

    for (size_t c = 0; c < j->n_cols && rc == MLP_OK; c++) {
        int type = ingest_final_type(j, c);
        if (type == T_CATEGORICAL &&
            (rc = ingest_check_levels(j, c, j->cols[c].many ? j->max_categories + 1
                                                            : dicts[c].n, err)) != MLP_OK)
            break;
        if (sc[s].str_off != NULL && sc[s].str_off[c] != NULL) {
            rc = mlp_table_adopt_string(t, j->cols[c].name, sc[s].str_off[c],
                                        sc[s].str_bytes[c], sc[s].miss[c], err);
            sc[s].str_off[c] = NULL;
            sc[s].str_bytes[c] = NULL;
            sc[s].miss[c] = NULL;
        } else if (type == T_NUMERIC && sc[s].ints[c] != NULL) {
            rc = mlp_table_adopt_int64(t, j->cols[c].name, sc[s].ints[c],
                                       sc[s].miss[c], err);
            sc[s].ints[c] = NULL;
            sc[s].miss[c] = NULL;
        } else if (type == T_NUMERIC && sc[s].pk != NULL && sc[s].pk[c] != NULL) {
            rc = mlp_table_adopt_packed(t, j->cols[c].name, MLP_PACK_U8,
                                        sc[s].pk[c], sc[s].miss[c], err);
            sc[s].pk[c] = NULL;
            sc[s].miss[c] = NULL;
        } else if (type == T_NUMERIC) {
            rc = mlp_table_adopt_numeric(t, j->cols[c].name, sc[s].num[c],
                                         sc[s].miss[c], err);
            sc[s].num[c] = NULL;
            sc[s].miss[c] = NULL;
        } else if (!ingest_is_string(j, c, dicts)) {
            rc = mlp_table_add_categorical(t, j->cols[c].name, sc[s].codes[c],
                                           dicts[c].n,
                                           (const char *const *)dicts[c].strs, err);
        } else {
            const char **vals = malloc((n ? n : 1) * sizeof *vals);
            if (vals == NULL)
                return mlp_error_set(err, MLP_ENOMEM, "out of memory");
            for (size_t i = 0; i < n; i++)
                vals[i] = sc[s].codes[c][i] < 0 ? NULL
                          : dicts[c].strs[sc[s].codes[c][i]];
            rc = mlp_table_add_string(t, j->cols[c].name, vals, err);
            free(vals);
        }
    }
    return rc;
}

int ingest_alloc_cols(const job *j, split_cols *sc, size_t n)
{
    sc->num = calloc(j->n_cols + 1, sizeof *sc->num);
    sc->miss = calloc(j->n_cols + 1, sizeof *sc->miss);
    sc->codes = calloc(j->n_cols + 1, sizeof *sc->codes);
    sc->pk = calloc(j->n_cols + 1, sizeof *sc->pk);
    sc->ints = calloc(j->n_cols + 1, sizeof *sc->ints);
    sc->str_off = calloc(j->n_cols + 1, sizeof *sc->str_off);
    sc->str_bytes = calloc(j->n_cols + 1, sizeof *sc->str_bytes);
    sc->line = malloc((n ? n : 1) * sizeof *sc->line);
    sc->file = malloc((n ? n : 1) * sizeof *sc->file);
    if (!sc->num || !sc->miss || !sc->codes || !sc->pk || !sc->ints ||
        !sc->str_off || !sc->str_bytes || !sc->line || !sc->file)
        return MLP_ENOMEM;
    for (size_t c = 0; c < j->n_cols; c++) {
        int numeric = j->fast ? j->cols[c].declared == T_NUMERIC ||
                                j->cols[c].declared == T_AUTO
                              : ingest_final_type(j, c) == T_NUMERIC;
        int ints = !j->fast && numeric && ingest_exact_ints(j, c);
        if (j->cols[c].many) {
            /* Lengths at i + 1 until the offsets are summed. */
            sc->str_off[c] = mlp_calloc(n + 1, sizeof(uint64_t));
            sc->miss[c] = mlp_calloc(n / 8 + 1, 1);
            if (sc->str_off[c] == NULL || sc->miss[c] == NULL)
                return MLP_ENOMEM;
            continue;
        }
        if (numeric && j->fast) {
            /* One byte per value until a value does not fit. */
            sc->pk[c] = mlp_malloc(n ? n : 1);
        } else if (numeric) {
            sc->num[c] = mlp_malloc((n ? n : 1) * sizeof(double));
            if (ints)
                sc->ints[c] = mlp_malloc((n ? n : 1) * sizeof(int64_t));
        } else {
            sc->codes[c] = malloc((n ? n : 1) * sizeof(int32_t));
        }
        if (numeric)
            sc->miss[c] = mlp_calloc(n / 8 + 1, 1);
        if ((numeric && !sc->miss[c]) || (ints && !sc->ints[c]) ||
            (numeric && j->fast && !sc->pk[c]) ||
            (numeric && !j->fast && !sc->num[c]) ||
            (!numeric && !sc->codes[c]))
            return MLP_ENOMEM;
    }
    return MLP_OK;
}

/* Column buffers for every split: bytes for the fast path's numeric
 * columns (it decides types while it fills), doubles (and exact int64
 * where needed) for the general reader's, codes for text. */
static int alloc_split_cols(job *j, split_cols *sc, mlp_error *err)
{
    for (size_t s = 0; s < j->n_splits; s++)
        if (ingest_alloc_cols(j, &sc[s], j->splits[s].rows) != MLP_OK)
            return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    return MLP_OK;
}

int ingest_read(job *j, int parser, split_cols **sc_out, dict **dicts_out,
                mlp_error *err)
{
    split_cols *sc = NULL;
    dict *dicts = NULL;
    int rc = j->jsonl || parser != PARSER_AUTO ? 1 : fast_scan(j, err);

    *sc_out = NULL;
    *dicts_out = NULL;
    if (rc == 1 && !j->jsonl && parser != PARSER_SERIAL)
        rc = chunk_scan(j, err);
    if (rc == 1) {
        rc = MLP_OK;
        for (size_t f = 0; rc == MLP_OK && f < j->n_files; f++)
            rc = scan_file(j, f, err);
    }
    if (rc == MLP_OK && j->cols == NULL)
        rc = mlp_error_set(err, MLP_EFORMAT, "%s: no rows and no header",
                           j->files[0].path);
    if (rc != MLP_OK)
        return rc;
    dicts = calloc(j->n_cols + 1, sizeof *dicts);
    if (dicts == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    *dicts_out = dicts;
    if (j->chunked)
        return MLP_OK;  /* chunk_write reads the values as it writes them */
    sc = calloc(j->n_splits, sizeof *sc);
    if (sc == NULL)
        rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
    if (rc == MLP_OK)
        rc = alloc_split_cols(j, sc, err);
    if (rc == MLP_OK)
        rc = j->fast ? fast_fill(j, sc, dicts, err) : fill(j, sc, dicts, err);
    *sc_out = sc;
    *dicts_out = dicts;
    return rc;
}

void ingest_free_reading(job *j)
{
    chunk_free(j);
    for (size_t c = 0; c < j->n_cols; c++)
        free(j->cols[c].name);
    free(j->cols);
    free(j->row_split);
    hc_free(&j->occ);
    free(j->row_off);
    free(j->row_len);
    free(j->row_file);
    free(j->row_line);
}

void ingest_free_split(const job *j, split_cols *sc)
{
    for (size_t c = 0; c < j->n_cols; c++) {
        if (sc->num) mlp_free(sc->num[c]);
        if (sc->miss) mlp_free(sc->miss[c]);
        if (sc->codes) free(sc->codes[c]);
        if (sc->pk) mlp_free(sc->pk[c]);
        if (sc->ints) mlp_free(sc->ints[c]);
        if (sc->str_off) mlp_free(sc->str_off[c]);
        if (sc->str_bytes) mlp_free(sc->str_bytes[c]);
    }
    free(sc->num);
    free(sc->miss);
    free(sc->codes);
    free(sc->pk);
    free(sc->ints);
    free(sc->str_off);
    free(sc->str_bytes);
    free(sc->line);
    free(sc->file);
    memset(sc, 0, sizeof *sc);
}

void ingest_free_cols(const job *j, split_cols *sc, dict *dicts)
{
    for (size_t s = 0; sc && s < j->n_splits; s++)
        ingest_free_split(j, &sc[s]);
    free(sc);
    for (size_t c = 0; dicts && c < j->n_cols; c++)
        dict_free(&dicts[c]);
    free(dicts);
}
