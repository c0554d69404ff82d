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

/* A features, exclude or discrete list, ready to ask which entry takes a
 * column.  An entry that is some column's exact name is that name, even
 * with glob characters in it ("a[1]", "a?"); the others are patterns or
 * selectors.  Exact names are looked up by name, so a list of 100,000
 * names against 100,000 columns is not 10^10 comparisons. */
typedef struct entry_list {
    mlp_names *exact;       /* name -> position in the list */
    const cJSON **pattern;  /* the other entries, in list order */
    size_t *pattern_at, n_pattern;
} entry_list;

static void entry_list_free(entry_list *l)
{
    mlp_names_free(l->exact);
    free(l->pattern);
    free(l->pattern_at);
    memset(l, 0, sizeof *l);
}

static int entry_list_make(mlp_table_file *f, const cJSON *list, entry_list *l,
                           mlp_error *err)
{
    size_t n = (size_t)cJSON_GetArraySize(list), at = 0;
    const cJSON *e;

    memset(l, 0, sizeof *l);
    l->exact = mlp_names_new();
    l->pattern = malloc((n + 1) * sizeof *l->pattern);
    l->pattern_at = malloc((n + 1) * sizeof *l->pattern_at);
    if (l->exact == NULL || l->pattern == NULL || l->pattern_at == NULL) {
        entry_list_free(l);
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    }
    cJSON_ArrayForEach(e, list) {
        if (is_pattern(e->valuestring) && mlp_table_file_find(f, e->valuestring) < 0) {
            l->pattern[l->n_pattern] = e;
            l->pattern_at[l->n_pattern++] = at;
        } else if (mlp_names_add(l->exact, e->valuestring, at, NULL) == MLP_ENOMEM) {
            entry_list_free(l);
            return mlp_error_set(err, MLP_ENOMEM, "out of memory");
        }
        at++;
    }
    return MLP_OK;
}

/* The first entry of the list that takes the column, or NULL. */
static const char *taken_by(const entry_list *l, const char *name, mlp_col_type t)
{
    size_t at = mlp_names_find(l->exact, name);
    for (size_t p = 0; p < l->n_pattern && l->pattern_at[p] < at; p++)
        if (mlp_column_selected(l->pattern[p]->valuestring, name, t))
            return l->pattern[p]->valuestring;
    return at == SIZE_MAX ? NULL : name;
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
        int hit = mlp_table_file_find(f, e->valuestring) >= 0;
        for (size_t i = 0; !hit && is_pattern(e->valuestring) && i < nc; i++)
            hit = mlp_column_selected(e->valuestring, mlp_table_file_col_name(f, i),
                                      mlp_table_file_col_type(f, i));
        if (!hit && e->valuestring[0] != ':') {
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
    if ((rc = check_entries(f, split, "features", features, err)) != MLP_OK ||
        (rc = check_entries(f, split, "exclude", exclude, err)) != MLP_OK ||
        (rc = check_entries(f, split, "discrete", discrete, err)) != MLP_OK)
        return rc;
    entry_list fl, xl, dl;
    if ((rc = entry_list_make(f, features, &fl, err)) != MLP_OK)
        return rc;
    if ((rc = entry_list_make(f, exclude, &xl, err)) != MLP_OK) {
        entry_list_free(&fl);
        return rc;
    }
    if ((rc = entry_list_make(f, discrete, &dl, err)) != MLP_OK) {
        entry_list_free(&fl);
        entry_list_free(&xl);
        return rc;
    }
    feat = calloc(nc + 1, sizeof *feat);
    if (feat == NULL)
        rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
    for (size_t i = 0; rc == MLP_OK && i < nc; i++) {
        const char *name = mlp_table_file_col_name(f, i), *by;
        mlp_col_type t = mlp_table_file_col_type(f, i);
        if (all) {
            by = NULL;
            if (t != MLP_COL_NUMERIC && (t != MLP_COL_CATEGORICAL || numeric_only))
                continue;
        } else if ((by = taken_by(&fl, name, t)) == NULL) {
            continue;
        }
        if (taken_by(&xl, name, t) != NULL)
            continue;
        if (strcmp(name, label) == 0) {
            if (by != NULL && strcmp(by, name) == 0)
                rc = mlp_error_set(err, MLP_EINVAL, "features: '%s' is the label; "
                                   "a feature is scored against it, not as one", name);
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
        feat[k].discrete = t == MLP_COL_CATEGORICAL || taken_by(&dl, name, t) != NULL;
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
    }
    entry_list_free(&fl);
    entry_list_free(&xl);
    entry_list_free(&dl);
    if (rc != MLP_OK) {
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
