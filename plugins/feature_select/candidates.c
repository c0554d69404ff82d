/* Which columns select_features scores, and the label it scores them
 * against. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mlpipe/classes.h>
#include <mlpipe/memory.h>

#include "fsel.h"

int fs_is_classification(fs_score s)
{
    return s == FS_CHI2 || s == FS_F_CLASSIF || s == FS_MI_CLASSIF;
}

const char *fs_score_name(fs_score s)
{
    static const char *const names[] = { "", "chi2", "f_classif", "f_regression",
                                         "mutual_info_classif",
                                         "mutual_info_regression", "none" };
    return s >= FS_CHI2 && s <= FS_NO_SCORE ? names[s] : "";
}

static const char *type_word(mlp_col_type t)
{
    return t == MLP_COL_NUMERIC ? "numeric" : t == MLP_COL_CATEGORICAL ? "categorical"
         : t == MLP_COL_STRING ? "string" : "matrix";
}

static int is_pattern(const char *s)
{
    return mlp_column_selector_is_pattern(s);
}

static mlp_table_file *g_file; /* the file entries are read against */
static const char *g_seen_entry; /* reset with g_file */
static int g_seen_exact;

/* An entry that is some column's exact name is that name, even with glob
 * characters in it ("a[1]", "a?"); otherwise a pattern or selector. */
static int takes(const char *e, const char *name, mlp_col_type t)
{
    /* Asked once per entry and column: remember the last entry's answer
     * (a wide file made this a quadratic scan of names). */
    if (!is_pattern(e))
        return strcmp(e, name) == 0;
    if (g_seen_entry != e) {
        g_seen_exact = 0;
        for (size_t i = 0; g_file && i < mlp_table_file_n_cols(g_file) && !g_seen_exact; i++)
            g_seen_exact = strcmp(mlp_table_file_col_name(g_file, i), e) == 0;
        g_seen_entry = e;
    }
    return g_seen_exact ? strcmp(e, name) == 0 : mlp_column_selected(e, name, t);
}

/* "a, b, c" (at most a few hundred bytes) for error messages. */
static void list_columns(mlp_table_file *f, char *buf, size_t len)
{
    size_t used = 0, nc = mlp_table_file_n_cols(f);
    buf[0] = '\0';
    for (size_t i = 0; i < nc && used + 1 < len; i++) {
        int w = snprintf(buf + used, len - used, "%s%s", i ? ", " : "",
                         mlp_table_file_col_name(f, i));
        if (w < 0 || (size_t)w >= len - used) {
            snprintf(buf + (used < len - 5 ? used : len - 5), 5, " ...");
            return;
        }
        used += (size_t)w;
    }
}

/* Every entry of list must take some column. */
static int check_entries(mlp_table_file *f, const char *split, const char *param,
                         const cJSON *list, mlp_error *err)
{
    const cJSON *e;
    size_t nc = mlp_table_file_n_cols(f);

    cJSON_ArrayForEach(e, list) {
        size_t i;
        for (i = 0; i < nc; i++)
            if (takes(e->valuestring, mlp_table_file_col_name(f, i),
                      mlp_table_file_col_type(f, i)))
                break;
        if (i == nc && e->valuestring[0] != ':') {
            char cols[400];
            list_columns(f, cols, sizeof cols);
            return mlp_error_set(err, MLP_EINVAL, "%s: '%s' %s no column of split "
                                 "'%s' (its columns: %s)", param, e->valuestring,
                                 is_pattern(e->valuestring) ? "matches" : "is",
                                 split, cols);
        }
    }
    return MLP_OK;
}

/* The entry of list that takes column i, or NULL. */
static const char *taken_by(const cJSON *list, const char *name, mlp_col_type t)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, list)
        if (takes(e->valuestring, name, t))
            return e->valuestring;
    return NULL;
}

int fs_candidates(mlp_table_file *f, const char *split, const cJSON *features,
                  const cJSON *exclude, const cJSON *discrete, const char *label,
                  int numeric_only, fs_feature **out, size_t *n, mlp_error *err)
{
    size_t nc = mlp_table_file_n_cols(f), k = 0;
    int all = cJSON_GetArraySize(features) == 0;
    fs_feature *feat;
    int rc;

    *out = NULL;
    *n = 0;
    g_file = f;
    g_seen_entry = NULL;
    if ((rc = check_entries(f, split, "features", features, err)) != MLP_OK ||
        (rc = check_entries(f, split, "exclude", exclude, err)) != MLP_OK ||
        (rc = check_entries(f, split, "discrete", discrete, err)) != MLP_OK)
        return rc;
    feat = calloc(nc + 1, sizeof *feat);
    if (feat == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    for (size_t i = 0; i < nc; i++) {
        const char *name = mlp_table_file_col_name(f, i), *by;
        mlp_col_type t = mlp_table_file_col_type(f, i);
        if (all) {
            by = NULL;
            if (t != MLP_COL_NUMERIC && (t != MLP_COL_CATEGORICAL || numeric_only))
                continue;
        } else if ((by = taken_by(features, name, t)) == NULL) {
            continue;
        }
        if (taken_by(exclude, name, t) != NULL)
            continue;
        if (strcmp(name, label) == 0) {
            if (by != NULL && strcmp(by, name) == 0) {
                free(feat);
                return mlp_error_set(err, MLP_EINVAL, "features: '%s' is the label; "
                                     "a feature is scored against it, not as one", name);
            }
            continue;
        }
        if (t == MLP_COL_STRING || t == MLP_COL_MATRIX) {
            if (by != NULL && (!is_pattern(by) || strcmp(by, name) == 0))
                goto refuse_type;
            continue; /* a pattern's free text or pixels block: not a feature */
        }
        if (t == MLP_COL_CATEGORICAL && numeric_only)
            goto refuse_type;
        feat[k].name = name;
        feat[k].col = i;
        feat[k].type = t;
        feat[k].discrete = t == MLP_COL_CATEGORICAL || taken_by(discrete, name, t) != NULL;
        feat[k].mean = feat[k].variance = feat[k].assoc = NAN;
        feat[k].score = feat[k].pvalue = NAN;
        feat[k].status = FS_KEPT;
        k++;
        continue;
refuse_type:
        rc = mlp_error_set(err, MLP_EINVAL, "feature '%s'%s%s%s is a %s column: %s",
                           name, by ? " (from features entry '" : "", by ? by : "",
                           by ? "')" : "", type_word(t),
                           t == MLP_COL_CATEGORICAL
                           ? "this score needs numbers; exclude it, encode it in a "
                             "transform, or score with chi2 or mutual information"
                           : "only numeric and categorical columns can be scored");
        free(feat);
        return rc;
    }
    if (k == 0) {
        free(feat);
        return mlp_error_set(err, MLP_EINVAL, "no feature to score in split '%s': "
                             "the features and exclude lists leave no %scolumn "
                             "besides the label '%s'", split,
                             numeric_only ? "numeric " : "numeric or categorical ", label);
    }
    *out = feat;
    *n = k;
    return MLP_OK;
}

void fs_label_free(fs_label *l)
{
    free(l->row);
    mlp_free(l->yc);
    free(l->yr);
    cJSON_Delete(l->classes);
    memset(l, 0, sizeof *l);
}


int fs_label_read(mlp_table_file *f, const char *split, const char *name,
                  int classification, fs_label *l, mlp_error *err)
{
    size_t nc = mlp_table_file_n_cols(f), li;
    mlp_table *t = NULL;
    const mlp_column *c;
    int rc;

    memset(l, 0, sizeof *l);
    l->name = name;
    for (li = 0; li < nc && strcmp(mlp_table_file_col_name(f, li), name) != 0; li++)
        ;
    if (li == nc) {
        char cols[400];
        list_columns(f, cols, sizeof cols);
        return mlp_error_set(err, MLP_EINVAL, "label '%s' is not a column of split "
                             "'%s' (its columns: %s)", name, split, cols);
    }
    if ((rc = mlp_table_file_column(f, li, &t, err)) != MLP_OK)
        return rc;
    c = mlp_table_column(t, 0);
    l->file_rows = c->n_rows;
    if (c->type == MLP_COL_STRING || c->type == MLP_COL_MATRIX ||
        (c->type == MLP_COL_CATEGORICAL && !classification)) {
        rc = mlp_error_set(err, MLP_EINVAL, "label '%s' is a %s column: %s", name,
                           type_word(c->type), classification
                           ? "a classification label is categorical or integer"
                           : "a regression score needs a numeric label (for "
                             "classes use chi2, f_classif or mutual_info_classif)");
        goto done;
    }
    /* Rows without the label are left out of every score. */
    l->row = malloc((c->n_rows + 1) * sizeof *l->row);
    if (l->row == NULL) {
        rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < c->n_rows; i++) {
        int present = c->type == MLP_COL_CATEGORICAL ? c->codes[i] >= 0
                                                      : !isnan(c->num[i]);
        if (present && c->type == MLP_COL_NUMERIC && isinf(c->num[i])) {
            rc = mlp_error_set(err, MLP_EINVAL, "label '%s', row %zu of split '%s': "
                               "%g is not a label value", name, i + 1, split, c->num[i]);
            goto done;
        }
        if (present)
            l->row[l->n++] = (uint32_t)i;
    }
    if (l->n == l->file_rows) {
        free(l->row);
        l->row = NULL;
    }
    if (classification) {
        mlp_classes k;
        if ((rc = mlp_classes_read(c, l->row, l->n, 65536, &k, err)) != MLP_OK) {
            mlp_error_prefix(err, "label '%s' in split '%s'", name, split);
            if (rc == MLP_EINVAL && c->type == MLP_COL_NUMERIC)
                strncat(err->msg, "; for a numeric target use f_regression or "
                        "mutual_info_regression", sizeof err->msg - strlen(err->msg) - 1);
            goto done;
        }
        l->yc = k.of;
        l->n_classes = k.n_classes;
        l->classes = k.names;
        mlp_free(k.count);
    } else {
        l->yr = malloc((l->n + 1) * sizeof *l->yr);
        if (l->yr == NULL) {
            rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
            goto done;
        }
        for (size_t i = 0; i < l->n; i++)
            l->yr[i] = c->num[l->row ? l->row[i] : i];
    }
done:
    mlp_table_free(t);
    if (rc != MLP_OK)
        fs_label_free(l);
    return rc;
}
