/* csv_import: reads CSV files into an Examples artifact, one table per split.
 *
 * Two passes over the mapped files.  The first checks the structure, infers
 * each column's type and assigns every row to a split by hashing its key
 * (or its raw bytes), so the same row lands in the same split on every run
 * and machine.  The second fills typed column buffers per split.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mlpipe/mlpipe.h>

#include "jsonl.h"
#include "numparse.h"


#include "ingest.h"


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

static int na_init(const cJSON *list, mlp_error *err)
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

static int map_file(const char *path, mapped *m, mlp_error *err)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    m->path = strdup(path);
    m->data = NULL;
    m->len = 0;
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
         * than reading it. */
        m->data = mmap(NULL, m->len, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
        if (m->data == MAP_FAILED) {
            m->data = NULL;
            close(fd);
            return mlp_error_set(err, MLP_EIO, "cannot map %s: %s", path,
                                 strerror(errno));
        }
        madvise(m->data, m->len, MADV_SEQUENTIAL);
    }
    close(fd);
    return MLP_OK;
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

/* Returns how many times the row with hash h was seen before, counting
 * this one; 0 when out of memory. */
static uint32_t occurrence(job *j, uint64_t h)
{
    size_t i;

    if ((j->occ_n + 1) * 2 > j->occ_slots) {
        size_t ns = j->occ_slots ? j->occ_slots * 2 : 1024;
        uint64_t *nk = calloc(ns, sizeof *nk);
        uint32_t *nc = calloc(ns, sizeof *nc);
        if (nk == NULL || nc == NULL) {
            free(nk);
            free(nc);
            return 0;
        }
        for (size_t k = 0; k < j->occ_slots; k++) {
            if (j->occ_counts[k] == 0)
                continue;
            for (i = (size_t)j->occ_keys[k] & (ns - 1); nc[i] != 0; i = (i + 1) & (ns - 1))
                ;
            nk[i] = j->occ_keys[k];
            nc[i] = j->occ_counts[k];
        }
        free(j->occ_keys);
        free(j->occ_counts);
        j->occ_keys = nk;
        j->occ_counts = nc;
        j->occ_slots = ns;
    }
    for (i = (size_t)h & (j->occ_slots - 1); j->occ_counts[i] != 0;
         i = (i + 1) & (j->occ_slots - 1))
        if (j->occ_keys[i] == h)
            return ++j->occ_counts[i];
    j->occ_keys[i] = h;
    j->occ_counts[i] = 1;
    j->occ_n++;
    return 1;
}

/* The split of a row: a hash of its key (the key column's value, or the
 * row's bytes) and of how often that key appeared before.  The same row
 * lands in the same split on every run and machine, whatever the order of
 * the other rows; repeated keys are spread by their occurrence number. */
int ingest_split_of(job *j, const char *keyp, size_t keylen, int *split)
{
    return ingest_split_of_hash(j, mlp_hash64(keyp, keylen, j->seed), split);
}

int ingest_split_of_hash(job *j, uint64_t key_hash, int *split)
{
    uint64_t h, key[2];
    double u, acc = 0;

    key[0] = key_hash;
    /* Rows with the same key column value stay together: that is what a
     * key column is for (all rows of one user in one split). */
    key[1] = j->key_col >= 0 ? 1 : occurrence(j, key[0]);
    if (key[1] == 0)
        return MLP_ENOMEM;
    h = mlp_hash64(key, sizeof key, j->seed);
    /* 53 high bits give a uniform value in [0, 1). */
    u = (double)(h >> 11) * (1.0 / 9007199254740992.0) * j->total_weight;
    *split = (int)j->n_splits - 1;
    for (size_t s = 0; s < j->n_splits; s++) {
        acc += j->splits[s].weight;
        if (u < acc) {
            *split = (int)s;
            break;
        }
    }
    return MLP_OK;
}

static int split_of(job *j, const csv_reader *r, int *split)
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
    free(j->occ_keys);
    free(j->occ_counts);
    j->occ_keys = NULL;
    j->occ_counts = NULL;
    j->occ_n = j->occ_slots = 0;
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

int ingest_set_columns(job *j, const csv_reader *r, mlp_error *err)
{
    const cJSON *names = j->jsonl ? j->jcols : mlp_ctx_param(j->ctx, "column_names");
    const cJSON *types = mlp_ctx_param(j->ctx, "types");
    const cJSON *t;
    size_t n = names ? (size_t)cJSON_GetArraySize(names) : r->n_fields;

    j->cols = calloc(n, sizeof *j->cols);
    if (j->cols == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    j->n_cols = n;
    for (size_t c = 0; c < n; c++) {
        if (names != NULL) {
            const char *s = cJSON_GetStringValue(cJSON_GetArrayItem(names, (int)c));
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
        for (size_t k = 0; k < c; k++)
            if (strcmp(j->cols[k].name, j->cols[c].name) == 0)
                return mlp_error_set(err, MLP_EFORMAT, "%s:%zu: column name "
                                     "'%s' appears twice (columns %zu and %zu)",
                                     j->files[0].path, r->line,
                                     j->cols[c].name, k + 1, c + 1);
        j->cols[c].numeric = 1;
        j->cols[c].integer = 1;
    }
    cJSON_ArrayForEach(t, types) {
        size_t c;
        const char *v = cJSON_GetStringValue(t);
        for (c = 0; c < n && strcmp(j->cols[c].name, t->string) != 0; c++)
            ;
        if (c == n)
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
    /* The key must be known before the first row is assigned a split. */
    const char *key = mlp_ctx_param_string(j->ctx, "split_key");
    for (size_t c = 0; key && c < n; c++)
        if (strcmp(j->cols[c].name, key) == 0)
            j->key_col = (int)c;
    if (key && j->key_col < 0)
        return mlp_error_set(err, MLP_EINVAL, "parameter 'split_key': no "
                             "column '%s' in %s", key, j->files[0].path);
    return MLP_OK;
}

/* One row of file fi, CSV or JSON Lines. */
static void reader_init(const job *j, size_t fi, csv_reader *r)
{
    csv_init(r, j->files[fi].path, j->files[fi].data, j->files[fi].len, j->delim);
    r->lenient = j->lenient;
}

static int reader_next(const job *j, csv_reader *r, mlp_error *err)
{
    return j->jsonl ? jsonl_next(r, j->jcols, err) : csv_next(r, err);
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
                         const csv_field *f)
{
    ci->integer &= (flags & NUM_INT) != 0;
    ci->wide |= (flags & NUM_WIDE) != 0;
    if (flags & NUM_LEAD_ZERO) {
        ci->lead_zero = 1;
        ingest_note_value(&ci->zero_note, fi, line, 0, f->p, f->len);
    }
    if (flags & NUM_OVERFLOW) {
        ci->overflow = 1;
        ingest_note_value(&ci->over_note, fi, line, 0, f->p, f->len);
    }
}

/* Pass 1 over one file: structure, types, splits. */
static int scan_file(job *j, size_t fi, mlp_error *err)
{
    csv_reader r;
    int rc, first = 1;

    reader_init(j, fi, &r);
    for (;;) {
        rc = reader_next(j, &r, err);
        if (rc == 0)
            break;
        if (rc < 0) {
            if (!j->skip_bad || rc == MLP_ENOMEM ||
                strstr(err->msg, "unterminated") != NULL)
                goto done;
            ingest_record_skip(j, j->jsonl ? r.line : r.next_line);
            if (!j->jsonl)
                csv_skip_bad_line(&r);
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
        if (r.n_fields != j->n_cols) {
            if (j->skip_bad) {
                ingest_record_skip(j, r.line);
                continue;
            }
            rc = mlp_error_set(err, MLP_EFORMAT, "%s:%zu: expected %zu fields "
                               "(as in the header), found %zu", r.path, r.line,
                               j->n_cols, r.n_fields);
            goto done;
        }
        /* A declared numeric value that is not a number makes the row
         * bad as a whole: checked first, so that a skipped row leaves no
         * trace in the other columns' inference. */
        size_t bad = 0;
        for (size_t c = 0; c < j->n_cols && j->any_declared_numeric && !bad; c++) {
            const csv_field *f = &r.fields[c];
            double v;
            unsigned flags;
            if (j->cols[c].declared == T_NUMERIC &&
                !ingest_is_na(j, f->p, f->len) &&
                !num_parse(f->p, f->len, &v, &flags, NULL))
                bad = c + 1;
        }
        if (bad && !j->skip_bad) {
            const csv_field *f = &r.fields[bad - 1];
            rc = ingest_type_error(j, r.path, r.line, bad - 1, f->p, f->len, err);
            goto done;
        }
        if (bad) {
            ingest_record_skip(j, r.line);
            continue;
        }
        for (size_t c = 0; c < j->n_cols; c++) {
            const csv_field *f = &r.fields[c];
            col_info *ci = &j->cols[c];
            double v;
            unsigned flags;
            if (ingest_is_na(j, f->p, f->len))
                continue;
            ci->present++;
            if (!ci->numeric && ci->declared != T_NUMERIC)
                continue;
            if (num_parse(f->p, f->len, &v, &flags, NULL)) {
                infer_number(ci, flags, fi, r.line, f);
                continue;
            }
            ingest_note_value(&ci->text_note, fi, r.line, ci->present - 1,
                              f->p, f->len);
            ci->numeric = 0;
        }
        int s;
        if (split_of(j, &r, &s) != MLP_OK) {
            rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
            goto done;
        }
        rc = ingest_push_row(j, s, err);
        if (rc != MLP_OK)
            goto done;
        if ((j->n_rows & 0xFFFF) == 0)
            mlp_ctx_progress(j->ctx, r.pos, j->files[fi].len, "bytes");
    }
    rc = MLP_OK;
done:
    csv_free(&r);
    return rc;
}



static int fill(job *j, split_cols *sc, dict *dicts, mlp_error *err)
{
    size_t row = 0;
    size_t at[MAX_SPLITS] = { 0 };
    int rc = MLP_OK;

    for (size_t fi = 0; fi < j->n_files && rc == MLP_OK; fi++) {
        csv_reader r;
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
                    csv_skip_bad_line(&r);
                continue;
            }
            if (first && j->header && !j->jsonl) {
                first = 0;
                continue;
            }
            first = 0;
            if (r.n_fields != j->n_cols)
                continue;
            int bad = 0;
            for (size_t c = 0; c < j->n_cols && !bad; c++) {
                const csv_field *f = &r.fields[c];
                double v;
                unsigned flags;
                if (ingest_final_type(j, c) == T_NUMERIC && !ingest_is_na(j, f->p, f->len) &&
                    !num_parse(f->p, f->len, &v, &flags, NULL))
                    bad = 1;
            }
            if (bad)
                continue;
            int s = j->row_split[row++];
            size_t i = at[s]++;
            sc[s].line[i] = (double)r.line;
            sc[s].file[i] = (int32_t)fi;
            for (size_t c = 0; c < j->n_cols; c++) {
                const csv_field *f = &r.fields[c];
                int na = ingest_is_na(j, f->p, f->len);
                if (ingest_final_type(j, c) == T_NUMERIC) {
                    double v = NAN;
                    int64_t iv = 0;
                    unsigned flags;
                    if (na)
                        sc[s].miss[c][i >> 3] |= (uint8_t)(1u << (i & 7));
                    else
                        num_parse(f->p, f->len, &v, &flags, &iv);
                    sc[s].num[c][i] = v;
                    if (sc[s].ints[c] != NULL)
                        sc[s].ints[c][i] = iv;
                } else if (na) {
                    sc[s].codes[c][i] = -1;
                } else {
                    int32_t code;
                    if (dict_intern(&dicts[c], f->p, f->len, &code) != MLP_OK) {
                        rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
                        break;
                    }
                    sc[s].codes[c][i] = code;
                }
            }
            if (rc != MLP_OK)
                break;
        }
        csv_free(&r);
    }
    return rc;
}

static int build_split(job *j, size_t s, split_cols *sc, dict *dicts,
                       mlp_table *t, mlp_error *err)
{
    size_t n = j->splits[s].rows;
    int rc = MLP_OK;

    for (size_t c = 0; c < j->n_cols && rc == MLP_OK; c++) {
        int type = ingest_final_type(j, c);
        if (type == T_NUMERIC && sc[s].ints[c] != NULL) {
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
        } else if (type == T_CATEGORICAL && dicts[c].n <= j->max_categories) {
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
    if (na_init(j->na, err) != MLP_OK)
        return err->code;
    j->seed = (uint64_t)mlp_ctx_param_int(ctx, "seed");
    j->max_categories = (size_t)mlp_ctx_param_int(ctx, "max_categories");
    j->key_col = -1;
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
                               j->files[f].len, &cols, err);
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
            cJSON_AddStringToObject(col, "type", t == T_CATEGORICAL &&
                                    dicts[c].n <= j->max_categories
                                    ? "categorical" : "string");
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
    for (size_t s = 0; sc && s < j->n_splits; s++) {
        for (size_t c = 0; c < j->n_cols; c++) {
            if (sc[s].num) mlp_free(sc[s].num[c]);
            if (sc[s].miss) mlp_free(sc[s].miss[c]);
            if (sc[s].codes) free(sc[s].codes[c]);
            if (sc[s].pk) mlp_free(sc[s].pk[c]);
            if (sc[s].ints) mlp_free(sc[s].ints[c]);
        }
        free(sc[s].num);
        free(sc[s].miss);
        free(sc[s].codes);
        free(sc[s].pk);
        free(sc[s].ints);
        free(sc[s].line);
        free(sc[s].file);
    }
    free(sc);
    for (size_t c = 0; dicts && c < j->n_cols; c++)
        dict_free(&dicts[c]);
    free(dicts);
    for (size_t c = 0; c < j->n_cols; c++)
        free(j->cols[c].name);
    free(j->cols);
    for (size_t f = 0; f < j->n_files; f++) {
        if (j->files[f].data)
            munmap(j->files[f].data, j->files[f].len);
        free(j->files[f].path);
    }
    free(j->files);
    free(j->row_split);
    free(j->occ_keys);
    free(j->occ_counts);
    free(j->row_off);
    free(j->row_len);
    free(j->row_file);
    free(j->row_line);
    cJSON_Delete(j->jcols);
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
    if (rc == MLP_OK && !j.jsonl &&
        strcmp(mlp_ctx_param_string(ctx, "parser"), "auto") == 0)
        rc = fast_scan(&j, &err);
    else if (rc == MLP_OK)
        rc = 1;
    if (rc == 1) {
        rc = MLP_OK;
        for (size_t f = 0; rc == MLP_OK && f < j.n_files; f++)
            rc = scan_file(&j, f, &err);
    }
    if (rc == MLP_OK && j.cols == NULL)
        rc = mlp_error_set(&err, MLP_EFORMAT, "%s: no rows and no header",
                           j.files[0].path);
    if (rc == MLP_OK && label) {
        size_t c;
        for (c = 0; c < j.n_cols && strcmp(j.cols[c].name, label) != 0; c++)
            ;
        if (c == j.n_cols)
            rc = mlp_error_set(&err, MLP_EINVAL, "parameter 'label': no column "
                               "'%s' in %s", label, j.files[0].path);
    }
    if (rc == MLP_OK) {
        sc = calloc(j.n_splits, sizeof *sc);
        dicts = calloc(j.n_cols, sizeof *dicts);
        if (sc == NULL || dicts == NULL)
            rc = mlp_error_set(&err, MLP_ENOMEM, "out of memory");
    }
    for (size_t s = 0; rc == MLP_OK && s < j.n_splits; s++) {
        size_t n = j.splits[s].rows;
        sc[s].num = calloc(j.n_cols, sizeof *sc[s].num);
        sc[s].miss = calloc(j.n_cols, sizeof *sc[s].miss);
        sc[s].codes = calloc(j.n_cols, sizeof *sc[s].codes);
        sc[s].pk = calloc(j.n_cols, sizeof *sc[s].pk);
        sc[s].ints = calloc(j.n_cols, sizeof *sc[s].ints);
        sc[s].line = malloc((n ? n : 1) * sizeof *sc[s].line);
        sc[s].file = malloc((n ? n : 1) * sizeof *sc[s].file);
        if (!sc[s].num || !sc[s].miss || !sc[s].codes || !sc[s].pk || !sc[s].ints ||
            !sc[s].line || !sc[s].file) {
            rc = mlp_error_set(&err, MLP_ENOMEM, "out of memory");
            break;
        }
        for (size_t c = 0; c < j.n_cols; c++) {
            /* The fast path decides types while it fills: it starts every
             * column not declared text as numeric. */
            int numeric = j.fast ? j.cols[c].declared == T_NUMERIC ||
                                   j.cols[c].declared == T_AUTO
                                 : ingest_final_type(&j, c) == T_NUMERIC;
            if (numeric && j.fast) {
                /* One byte per value until a value does not fit. */
                sc[s].pk[c] = mlp_malloc(n ? n : 1);
                sc[s].miss[c] = mlp_calloc(n / 8 + 1, 1);
                if (!sc[s].pk[c] || !sc[s].miss[c])
                    rc = mlp_error_set(&err, MLP_ENOMEM, "out of memory");
            } else if (numeric) {
                sc[s].num[c] = mlp_malloc((n ? n : 1) * sizeof(double));
                sc[s].miss[c] = mlp_calloc(n / 8 + 1, 1);
                if (ingest_exact_ints(&j, c))
                    sc[s].ints[c] = mlp_malloc((n ? n : 1) * sizeof(int64_t));
                if (!sc[s].num[c] || !sc[s].miss[c] ||
                    (ingest_exact_ints(&j, c) && !sc[s].ints[c]))
                    rc = mlp_error_set(&err, MLP_ENOMEM, "out of memory");
            } else {
                sc[s].codes[c] = malloc((n ? n : 1) * sizeof(int32_t));
                if (!sc[s].codes[c])
                    rc = mlp_error_set(&err, MLP_ENOMEM, "out of memory");
            }
        }
    }
    if (rc == MLP_OK)
        rc = j.fast ? fast_fill(&j, sc, dicts, &err) : fill(&j, sc, dicts, &err);
    for (size_t s = 0; rc == MLP_OK && s < j.n_splits; s++) {
        mlp_table *t = mlp_table_new(j.splits[s].rows);
        char file[128], path[4096];
        if (t == NULL) {
            rc = mlp_error_set(&err, MLP_ENOMEM, "out of memory");
            break;
        }
        rc = build_split(&j, s, sc, dicts, t, &err);
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
        cJSON_ArrayForEach(p, cJSON_GetObjectItem(props, "type_changes"))
            mlp_ctx_log(ctx, MLP_LOG_WARN, "column '%s' is read as text: %s:%.0f "
                        "has \"%s\" (%s)",
                        cJSON_GetStringValue(cJSON_GetObjectItem(p, "column")),
                        cJSON_GetStringValue(cJSON_GetObjectItem(p, "file")),
                        cJSON_GetNumberValue(cJSON_GetObjectItem(p, "line")),
                        cJSON_GetStringValue(cJSON_GetObjectItem(p, "value")),
                        cJSON_GetStringValue(cJSON_GetObjectItem(p, "because")));
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
static const char *const parser_choices[] = { "auto", "general", NULL };
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
    { "parser", MLP_PARAM_ENUM, "\"auto\"", MLP_PARAM_NO_CACHE_KEY, 0, 0,
      parser_choices, "auto: a faster parallel reader for plain files (no "
      "quotes, ASCII), the general one otherwise; general: always the "
      "general one (same results)" },
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
      NULL, NULL, { NULL } },
    MLP_TYPES_END
};

MLP_PLUGIN_DEFINE_TYPES(csv_import, "csv_import", "0.1.0", "MIT",
                        "CSV ingestion", components, types, NULL, NULL);
