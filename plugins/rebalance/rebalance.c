/* rebalance: random over-sampling, random under-sampling and SMOTE of one
 * split (train), as imbalanced-learn's RandomOverSampler,
 * RandomUnderSampler and SMOTE do them, seeded; the other splits are
 * passed on untouched, so the evaluation rows keep the real class mix.
 *
 * SMOTE (Chawla et al. 2002): for each new row of class c, a row x of c
 * and one of its k nearest neighbours z within c (Euclidean, over the
 * numeric features) are drawn, and the new row is x + u (z - x) with u
 * uniform in [0, 1).  The neighbours are found exactly, by brute force
 * over the class's rows (time grows with the square of the class size:
 * meant for the rare classes it is used on). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mlpipe/mlpipe.h>

static const char *const methods[] = { "random_over", "random_under", "smote", NULL };

/* ---- seeded draws: (seed, stream, i) -> 64 bits, in any order --------- */

static uint64_t draw(uint64_t seed, uint64_t stream, uint64_t i)
{
    uint64_t key[3] = { seed, stream, i };
    return mlp_hash64(key, sizeof key, 0x7265626c616e6365ull);
}

/* Uniform in [0, n) without modulo bias (Lemire's method would do; the
 * rejection here is simpler and n is small next to 2^64). */
static uint64_t below(uint64_t seed, uint64_t stream, uint64_t *i, uint64_t n)
{
    uint64_t lim = UINT64_MAX - UINT64_MAX % n, x;
    do
        x = draw(seed, stream, (*i)++);
    while (x >= lim);
    return x % n;
}

/* ---- the label ---------------------------------------------------------- */

typedef struct classes {
    size_t k;               /* classes */
    int32_t *of;            /* class of each row */
    size_t *count;          /* rows per class */
    char **name;            /* class names, as text */
    int64_t *value;         /* a numeric label's class values */
} classes;

static void classes_free(classes *c)
{
    for (size_t i = 0; c->name && i < c->k; i++)
        mlp_free(c->name[i]);
    free(c->name);
    free(c->value);
    mlp_free(c->of);
    mlp_free(c->count);
}

/* Appends where row came from (" (file:line)"), when ingestion recorded
 * it, to a message naming the row. */
static int at_source(mlp_error *err, const mlp_artifact *ex, const char *split, size_t row)
{
    char at[400];
    mlp_error e;
    size_t n = strlen(err->msg);

    if (mlp_examples_source(ex, split, row, at, sizeof at, &e) == MLP_OK && n + 4 < sizeof err->msg)
        snprintf(err->msg + n, sizeof err->msg - n, " (%s)", at);
    return err->code;
}

static int read_classes(const mlp_artifact *ex, const mlp_column *y, const char *split,
                        classes *c, mlp_error *err)
{
    mlp_classes m;
    int rc;

    memset(c, 0, sizeof *c);
    if ((rc = mlp_classes_read(y, NULL, 0, 10000, &m, err)) != MLP_OK)
        return mlp_error_prefix(err, "label '%s' in split '%s'", y->name, split);
    c->k = m.n_classes;
    c->of = m.of;
    c->count = m.count;
    c->name = calloc(c->k + 1, sizeof *c->name);
    c->value = calloc(c->k + 1, sizeof *c->value);
    for (size_t i = 0; c->name && c->value && i < c->k; i++) {
        const cJSON *v = cJSON_GetArrayItem(m.names, (int)i);
        if (cJSON_IsString(v))
            c->name[i] = mlp_strdup(v->valuestring);
        else if (mlp_json_get_int(v, &c->value[i]) == MLP_OK)
            c->name[i] = mlp_json_print(v, 0);
        if (c->name[i] == NULL)
            rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
    }
    cJSON_Delete(m.names);
    if (rc == MLP_OK && (c->name == NULL || c->value == NULL))
        rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
    for (size_t r = 0; rc == MLP_OK && r < y->n_rows; r++)
        if (c->of[r] < 0) {
            mlp_error_set(err, MLP_EINVAL, "label '%s' is missing in row %zu of split '%s': "
                          "rebalancing needs every row's class", y->name, r + 1, split);
            rc = at_source(err, ex, split, r);
        }
    return rc;
}

/* Wanted rows per class: `auto` (every class to the largest count when
 * adding, to the smallest when removing), or { class = count }. */
static int targets(mlp_ctx *ctx, const classes *c, int adding, size_t *want, mlp_error *err)
{
    const cJSON *s = mlp_ctx_param(ctx, "sampling_strategy"), *e;
    size_t most = 0, least = SIZE_MAX;

    for (size_t i = 0; i < c->k; i++) {
        if (c->count[i] == 0)
            continue;
        most = c->count[i] > most ? c->count[i] : most;
        least = c->count[i] < least ? c->count[i] : least;
    }
    for (size_t i = 0; i < c->k; i++)
        want[i] = c->count[i] == 0 ? 0 : adding ? most : least;
    if (s == NULL || cJSON_IsNull(s) || (cJSON_IsString(s) && strcmp(s->valuestring, "auto") == 0))
        return MLP_OK;
    if (!cJSON_IsObject(s))
        return mlp_error_set(err, MLP_EINVAL, "sampling_strategy: \"auto\" or { class = "
                             "count }");
    for (size_t i = 0; i < c->k; i++)
        want[i] = c->count[i];
    cJSON_ArrayForEach(e, s) {
        size_t i;
        for (i = 0; i < c->k && strcmp(c->name[i], e->string) != 0; i++)
            ;
        if (i == c->k || c->count[i] == 0)
            return mlp_error_set(err, MLP_EINVAL, "sampling_strategy: no class '%s' in "
                                 "the split", e->string);
        double v = cJSON_GetNumberValue(e);
        if (v > 1e9)
            return mlp_error_set(err, MLP_EINVAL, "sampling_strategy: class '%s': %g rows "
                                 "is beyond what a split may hold (10^9)", e->string, v);
        if (!(v >= 0 && v == floor(v)) ||
            (adding && v < (double)c->count[i]) || (!adding && v > (double)c->count[i]))
            return mlp_error_set(err, MLP_EINVAL, "sampling_strategy: class '%s' has %zu "
                                 "rows; %s wants %s (not %g)", e->string, c->count[i],
                                 adding ? "over-sampling" : "under-sampling",
                                 adding ? "at least that many" : "at most that many", v);
        want[i] = (size_t)v;
    }
    return MLP_OK;
}

/* ---- SMOTE ---------------------------------------------------------- */

typedef struct smote {
    size_t p;               /* numeric features */
    const double **x;       /* their columns */
    size_t k;               /* neighbours */
    uint64_t seed;
} smote;

/* The synthetic rows of every class as a table with t's columns. */
static int synthesize(const mlp_table *t, const mlp_column *label, const classes *c,
                      const size_t *want, const smote *s, const char *split,
                      mlp_table **out, size_t *made, mlp_error *err)
{
    size_t total = 0, n = mlp_table_n_rows(t), at = 0;
    for (size_t i = 0; i < c->k; i++)
        total += want[i] > c->count[i] ? want[i] - c->count[i] : 0;
    *made = total;
    double **val = calloc(s->p + 1, sizeof *val);
    int32_t *cls = malloc((total + 1) * sizeof *cls);
    size_t *rows = malloc((n + 1) * sizeof *rows);
    int rc = MLP_OK;

    if (val == NULL || cls == NULL || rows == NULL)
        rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
    for (size_t j = 0; rc == MLP_OK && j < s->p; j++)
        if ((val[j] = malloc((total + 1) * sizeof **val)) == NULL)
            rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
    for (size_t ci = 0; rc == MLP_OK && ci < c->k; ci++) {
        size_t m = 0, extra = want[ci] > c->count[ci] ? want[ci] - c->count[ci] : 0;
        if (extra == 0)
            continue;
        for (size_t r = 0; r < n; r++)
            if ((size_t)c->of[r] == ci)
                rows[m++] = r;
        if (m <= s->k) {
            rc = mlp_error_set(err, MLP_EINVAL, "class '%s' has %zu row%s in split '%s': "
                               "SMOTE needs more than k_neighbors (%zu)", c->name[ci], m,
                               m == 1 ? "" : "s", split, s->k);
            break;
        }
        size_t *nn = malloc(m * s->k * sizeof *nn);
        if (nn == NULL || mlp_knn(s->x, s->p, rows, m, s->k, 0, 0, nn, NULL) != MLP_OK) {
            free(nn);
            rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
            break;
        }
        uint64_t i = 0;
        for (size_t e = 0; e < extra; e++, at++) {
            uint64_t pick = below(s->seed, ci, &i, (uint64_t)m * s->k);
            size_t base = rows[pick / s->k], other = nn[(pick / s->k) * s->k + pick % s->k];
            double u = (double)(draw(s->seed, ci, i++) >> 11) * 0x1p-53;
            for (size_t j = 0; j < s->p; j++)
                val[j][at] = s->x[j][base] + u * (s->x[j][other] - s->x[j][base]);
            cls[at] = (int32_t)ci;
        }
        free(nn);
    }
    mlp_table *syn = rc == MLP_OK ? mlp_table_new(total) : NULL;
    if (rc == MLP_OK && syn == NULL)
        rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
    /* Same columns, same order: features from the draws, the label, and
     * any column SMOTE does not interpolate left missing. */
    for (size_t i = 0, f = 0; rc == MLP_OK && i < mlp_table_n_cols(t); i++) {
        const mlp_column *col = mlp_table_column(t, i);
        if (col == label) {
            if (label->type == MLP_COL_CATEGORICAL) {
                rc = mlp_table_add_categorical(syn, col->name, cls, c->k,
                                               (const char *const *)c->name, err);
            } else {
                /* int64, so that classes beyond 2^53 stay exact */
                int64_t *v = mlp_malloc((total + 1) * sizeof *v);
                for (size_t r = 0; v && r < total; r++)
                    v[r] = c->value[cls[r]];
                rc = v ? mlp_table_adopt_int64(syn, col->name, v, NULL, err)
                       : mlp_error_set(err, MLP_ENOMEM, "out of memory");
            }
        } else if (f < s->p && col->type == MLP_COL_NUMERIC && col->num == s->x[f]) {
            rc = mlp_table_add_numeric(syn, col->name, val[f++], NULL, err);
        } else {
            uint8_t *miss = malloc(total / 8 + 1);
            if (miss)
                memset(miss, 0xff, total / 8 + 1);
            if (miss == NULL) {
                rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
            } else if (col->type == MLP_COL_NUMERIC) {
                double *v = malloc((total + 1) * sizeof *v);
                for (size_t r = 0; v && r < total; r++)
                    v[r] = NAN;
                rc = v ? mlp_table_add_numeric(syn, col->name, v, miss, err)
                       : mlp_error_set(err, MLP_ENOMEM, "out of memory");
                free(v);
            } else if (col->type == MLP_COL_CATEGORICAL) {
                int32_t *none = malloc((total + 1) * sizeof *none);
                for (size_t r = 0; none && r < total; r++)
                    none[r] = -1;
                rc = none ? mlp_table_add_categorical(syn, col->name, none, 0, NULL, err)
                          : mlp_error_set(err, MLP_ENOMEM, "out of memory");
                free(none);
            } else {
                const char **none = calloc(total + 1, sizeof *none);
                rc = none ? mlp_table_add_string(syn, col->name, none, err)
                          : mlp_error_set(err, MLP_ENOMEM, "out of memory");
                free(none);
            }
            free(miss);
        }
    }
    for (size_t j = 0; val && j < s->p; j++)
        free(val[j]);
    free(val);
    free(cls);
    free(rows);
    if (rc != MLP_OK) {
        mlp_table_free(syn);
        return rc;
    }
    *out = syn;
    return MLP_OK;
}

/* ---- the component ------------------------------------------------------ */

/* Every class the split had, with its count (0 for one sampled away). */
static cJSON *counts_json(const classes *c, const size_t *count)
{
    cJSON *o = cJSON_CreateObject();
    for (size_t i = 0; i < c->k; i++)
        if (c->count[i] > 0)
            cJSON_AddItemToObject(o, c->name[i], mlp_json_int((int64_t)count[i]));
    return o;
}

/* The rows to keep or repeat (random over- and under-sampling). */
static int pick_rows(const classes *c, const size_t *want, size_t n, uint64_t seed,
                     int adding, size_t **out, size_t *m)
{
    size_t total = 0;
    for (size_t i = 0; i < c->k; i++)
        total += adding ? (want[i] > c->count[i] ? want[i] : c->count[i]) : want[i];
    size_t *rows = malloc((total + n + 1) * sizeof *rows), k = 0;
    size_t *members = malloc((n + 1) * sizeof *members);
    unsigned char *keep = calloc(n + 1, 1);
    if (rows == NULL || members == NULL || keep == NULL) {
        free(rows);
        free(members);
        free(keep);
        return MLP_ENOMEM;
    }
    if (adding)
        for (size_t r = 0; r < n; r++)
            rows[k++] = r;
    for (size_t ci = 0; ci < c->k; ci++) {
        size_t mm = 0;
        uint64_t i = 0;
        for (size_t r = 0; r < n; r++)
            if ((size_t)c->of[r] == ci)
                members[mm++] = r;
        if (adding) {
            /* With replacement, after the original rows. */
            for (size_t e = c->count[ci]; e < want[ci]; e++)
                rows[k++] = members[below(seed, ci, &i, mm)];
        } else {
            /* Without replacement (a partial shuffle), kept in order. */
            for (size_t e = 0; e < want[ci]; e++) {
                size_t j = e + below(seed, ci, &i, mm - e), t = members[e];
                members[e] = members[j];
                members[j] = t;
                keep[members[e]] = 1;
            }
        }
    }
    if (!adding)
        for (size_t r = 0; r < n; r++)
            if (keep[r])
                rows[k++] = r;
    free(members);
    free(keep);
    *out = rows;
    *m = k;
    return MLP_OK;
}

static int run(mlp_ctx *ctx)
{
    const mlp_artifact *ex = mlp_ctx_input(ctx, "examples", 0);
    mlp_artifact *out = mlp_ctx_output(ctx, "examples");
    const char *split = mlp_ctx_param_string(ctx, "split");
    const char *method = mlp_ctx_param_string(ctx, "method");
    const char *label = mlp_ctx_param_string(ctx, "label");
    uint64_t seed = (uint64_t)mlp_ctx_param_int(ctx, "seed");
    static const char *const skip[] = { "rows", NULL };
    int adding = strcmp(method, "random_under") != 0;
    mlp_table *t = NULL, *res = NULL;
    classes c;
    size_t *want = NULL, *after = NULL, made = 0, *kept_rows = NULL, n_kept = 0;
    cJSON *rows = cJSON_Duplicate(mlp_artifact_property(ex, "rows"), 1);
    mlp_error err;
    int rc = MLP_OK;

    mlp_error_clear(&err);
    memset(&c, 0, sizeof c);
    if (label == NULL)
        label = cJSON_GetStringValue(mlp_artifact_property(ex, "label"));
    if (label == NULL)
        rc = mlp_error_set(&err, MLP_EINVAL, "no label to balance: the Examples at %s "
                           "name none; set label = \"<column>\"", mlp_artifact_uri(ex));
    if (rc == MLP_OK && !mlp_examples_has_split(ex, split))
        rc = mlp_error_set(&err, MLP_EINVAL, "split: the Examples at %s have no split '%s'",
                           mlp_artifact_uri(ex), split);
    if (rc == MLP_OK)
        rc = mlp_examples_read(ex, split, &t, &err);
    const mlp_column *y = rc == MLP_OK ? mlp_table_find(t, label) : NULL;
    if (rc == MLP_OK && y == NULL)
        rc = mlp_error_set(&err, MLP_EINVAL, "label '%s' is not a column of split '%s'",
                           label, split);
    if (rc == MLP_OK)
        rc = read_classes(ex, y, split, &c, &err);
    if (rc == MLP_OK) {
        size_t present = 0;
        for (size_t i = 0; i < c.k; i++)
            present += c.count[i] > 0;
        if (present < 2)
            rc = mlp_error_set(&err, MLP_EINVAL, "label '%s' has %zu class%s in split "
                               "'%s': nothing to balance", label, present,
                               present == 1 ? "" : "es", split);
    }
    const cJSON *x;
    cJSON_ArrayForEach(x, mlp_ctx_param(ctx, "exclude"))
        if (rc == MLP_OK && t && mlp_table_find(t, x->valuestring) == NULL)
            rc = mlp_error_set(&err, MLP_EINVAL, "exclude: '%s' is no column of split '%s'",
                               x->valuestring, split);
    if (rc == MLP_OK) {
        want = calloc(c.k + 1, sizeof *want);
        after = calloc(c.k + 1, sizeof *after);
        rc = want && after ? targets(ctx, &c, adding, want, &err)
                           : mlp_error_set(&err, MLP_ENOMEM, "out of memory");
    }
    if (rc == MLP_OK && strcmp(method, "smote") == 0) {
        smote s = { 0, NULL, (size_t)mlp_ctx_param_int(ctx, "k_neighbors"), seed };
        mlp_table *syn = NULL;
        s.x = calloc(mlp_table_n_cols(t) + 1, sizeof *s.x);
        for (size_t i = 0; s.x && rc == MLP_OK && i < mlp_table_n_cols(t); i++) {
            const mlp_column *col = mlp_table_column(t, i);
            if (col == y || mlp_ctx_param_contains(ctx, "exclude", col->name))
                continue;
            if (col->type != MLP_COL_NUMERIC) {
                rc = mlp_error_set(&err, MLP_EINVAL, "column '%s' is %s: SMOTE makes new "
                                   "rows by interpolating numbers; encode it in a transform "
                                   "first, or list it in exclude (synthetic rows then leave "
                                   "it missing)", col->name, mlp_col_type_name(col->type));
                break;
            }
            if (col->ints != NULL) {
                /* Values a double cannot hold are ids, not measures: a
                 * point between two of them means nothing. */
                rc = mlp_error_set(&err, MLP_EINVAL, "column '%s' holds integers beyond "
                                   "2^53 (ids?): SMOTE interpolates features, and these "
                                   "have no exact double; list it in exclude (synthetic "
                                   "rows then leave it missing)", col->name);
                break;
            }
            for (size_t r = 0; r < col->n_rows; r++)
                if (!isfinite(col->num[r])) {
                    mlp_error_set(&err, MLP_EINVAL, "column '%s', row %zu of split "
                                  "'%s': %s; SMOTE needs every feature (impute or "
                                  "exclude it)", col->name, r + 1, split,
                                  isnan(col->num[r]) ? "missing" : "infinite");
                    rc = at_source(&err, ex, split, r);
                    break;
                }
            s.x[s.p++] = col->num;
        }
        if (s.x == NULL && rc == MLP_OK)
            rc = mlp_error_set(&err, MLP_ENOMEM, "out of memory");
        if (rc == MLP_OK && s.p == 0)
            rc = mlp_error_set(&err, MLP_EINVAL, "no numeric feature to interpolate");
        if (rc == MLP_OK)
            rc = synthesize(t, y, &c, want, &s, split, &syn, &made, &err);
        if (rc == MLP_OK) {
            const mlp_table *parts[2] = { t, syn };
            rc = mlp_table_concat(parts, 2, &res, &err);
        }
        mlp_table_free(syn);
        free(s.x);
    } else if (rc == MLP_OK) {
        if (pick_rows(&c, want, mlp_table_n_rows(t), seed, adding, &kept_rows, &n_kept) != MLP_OK)
            rc = mlp_error_set(&err, MLP_ENOMEM, "out of memory");
        if (rc == MLP_OK)
            rc = mlp_table_select(t, kept_rows, n_kept, &res, &err);
        made = adding && rc == MLP_OK ? n_kept - mlp_table_n_rows(t) : 0;
    }
    for (size_t i = 0; rc == MLP_OK && i < c.k; i++)
        after[i] = adding ? (want[i] > c.count[i] ? want[i] : c.count[i]) : want[i];
    if (rc == MLP_OK)
        rc = mlp_artifact_copy_properties(out, ex, skip, &err);
    /* Synthetic rows hold decimals where the data had integers. */
    if (rc == MLP_OK)
        rc = mlp_examples_describe(out, res, ex, &err);
    for (size_t i = 0; rc == MLP_OK && i < mlp_examples_split_count(ex); i++) {
        const char *s = mlp_examples_split(ex, i);
        char file[300], lines[300];
        snprintf(file, sizeof file, "%s.mlpt", s);
        snprintf(lines, sizeof lines, "%s.lines.mlpt", s);
        if (strcmp(s, split) == 0) {
            rc = mlp_examples_write(out, s, res, &err);
            /* Kept or repeated rows keep their source lines; a synthetic
             * row has none, so after SMOTE the split has no lines file. */
            if (rc == MLP_OK && kept_rows != NULL)
                rc = mlp_examples_select_lines(ex, out, split, kept_rows, n_kept, &err);
            continue;
        }
        rc = mlp_artifact_copy_file(out, ex, file, &err);
        /* Untouched rows keep their source lines. */
        if (rc == MLP_OK && mlp_artifact_has_file(ex, lines))
            rc = mlp_artifact_copy_file(out, ex, lines, &err);
    }
    if (rc == MLP_OK) {
        cJSON_ReplaceItemInObject(rows, split, mlp_json_int((int64_t)mlp_table_n_rows(res)));
        rc = mlp_artifact_set_property(out, "rows", rows, &err);
        rows = NULL;
    }
    if (rc == MLP_OK) {
        cJSON *info = cJSON_CreateObject();
        cJSON_AddStringToObject(info, "method", method);
        cJSON_AddStringToObject(info, "split", split);
        cJSON_AddStringToObject(info, "label", label);
        cJSON_AddItemToObject(info, "seed", mlp_json_int((int64_t)seed));
        cJSON_AddItemToObject(info, "before", counts_json(&c, c.count));
        cJSON_AddItemToObject(info, "after", counts_json(&c, after));
        cJSON_AddItemToObject(info, adding ? "rows_added" : "rows_removed",
                              mlp_json_int((int64_t)(adding ? made
                                           : mlp_table_n_rows(t) - mlp_table_n_rows(res))));
        if (strcmp(method, "smote") == 0)
            cJSON_AddItemToObject(info, "k_neighbors",
                                  mlp_json_int(mlp_ctx_param_int(ctx, "k_neighbors")));
        rc = mlp_artifact_set_property(out, "rebalanced", info, &err);
    }
    if (rc == MLP_OK)
        mlp_ctx_log(ctx, MLP_LOG_INFO, "%s: split '%s' from %zu to %zu rows", method, split,
                    mlp_table_n_rows(t), mlp_table_n_rows(res));
    cJSON_Delete(rows);
    classes_free(&c);
    free(want);
    free(after);
    free(kept_rows);
    mlp_table_free(res);
    mlp_table_free(t);
    return rc == MLP_OK ? MLP_OK : mlp_ctx_fail_error(ctx, &err);
}

static const mlp_port inputs[] = {
    { "examples", MLP_TYPE_EXAMPLES, 0, "rows with a class label" },
    MLP_PORTS_END
};
static const mlp_port outputs[] = {
    { "examples", MLP_TYPE_EXAMPLES, 0, "the split rebalanced, the others as they were; "
      "property `rebalanced` with the class counts before and after" },
    MLP_PORTS_END
};
static const mlp_param_spec params[] = {
    { "method", MLP_PARAM_ENUM, "\"smote\"", 0, 0, 0, methods,
      "random_over (repeat rows of the smaller classes), random_under (drop rows of "
      "the larger ones), smote (synthetic rows between neighbours of a class)" },
    { "split", MLP_PARAM_STRING, "\"train\"", 0, 0, 0, NULL,
      "the split rebalanced (never the evaluation rows)" },
    { "label", MLP_PARAM_STRING, "null", 0, 0, 0, NULL,
      "the class column; default: the Examples' label" },
    { "sampling_strategy", MLP_PARAM_MAP, "null", 0, 0, 0, NULL,
      "rows wanted per class, { class = count }; default: every class to the "
      "largest count (over-sampling, SMOTE) or to the smallest (under-sampling)" },
    { "k_neighbors", MLP_PARAM_INT, "5", MLP_PARAM_HAS_MIN | MLP_PARAM_HAS_MAX, 1, 1000,
      NULL, "SMOTE: neighbours within the class a new row may lie towards" },
    { "exclude", MLP_PARAM_LIST, "[]", MLP_PARAM_OF(MLP_PARAM_STRING), 0, 0, NULL,
      "SMOTE: columns not interpolated (ids, text): missing in synthetic rows" },
    { "seed", MLP_PARAM_INT, "0", MLP_PARAM_HAS_MIN, 0, 0, NULL, "seed of the draws" },
    MLP_PARAMS_END
};

static const mlp_component components[] = {
    { "rebalance", MLP_STAGE_TRANSFORM,
      "Random over- or under-sampling or SMOTE of the training split "
      "(imbalanced-learn), seeded", inputs, outputs, params, run, { NULL } },
    MLP_COMPONENTS_END
};

MLP_PLUGIN_DEFINE(rebalance, "rebalance", "0.1.0", "MIT",
                  "class rebalancing of the training split", components, NULL, NULL);
