/* The rows a trainer fits on: the features of one split as a column-major
 * float64 block, the target as values or class indexes, and row weights
 * -- every value checked, every refusal naming the split, feature, row and
 * source line. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mlpipe/classes.h>
#include <mlpipe/examples.h>
#include <mlpipe/json.h>
#include <mlpipe/memory.h>
#include <mlpipe/parallel.h>

#include "train_priv.h"

/* Columns read at once for the row-major layout: 16 floats, one cache
 * line, written per row. */
#define F32_GROUP 16

void mlpi_split_rows_free(mlpi_split_rows *r)
{
    mlp_free(r->x);
    mlp_free(r->xf);
    free(r->y);
    free(r->w);
    free(r->y_rows);
    free(r->soft);
    free(r->w_score);
    memset(r, 0, sizeof *r);
}

/* "split 'train': <msg> (file:line)" for row `row`, when it is known. */
int mlpi_train_name_row(const mlp_artifact *ex, const char *split, size_t row, mlp_error *err)
{
    char why[sizeof err->msg], at[400];
    mlp_error e2;

    snprintf(why, sizeof why, "%s", err->msg);
    if (row != SIZE_MAX && mlp_examples_source(ex, split, row, at, sizeof at, &e2) == MLP_OK)
        return mlp_error_set(err, err->code, "split '%s': %s (%s)", split, why, at);
    return mlp_error_set(err, err->code, "split '%s': %s", split, why);
}

int mlpi_train_features(mlp_table_file *f, const cJSON *wanted, const char *label,
                        char ***names, size_t *n, mlp_error *err)
{
    size_t nc = mlp_table_file_n_cols(f), k = 0;
    char **out = calloc(nc + 1, sizeof *out);
    const cJSON *e;

    *names = NULL;
    *n = 0;
    if (out == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    cJSON_ArrayForEach(e, wanted) {
        const char *entry = cJSON_GetStringValue(e);
        int hit = 0;
        for (size_t i = 0; i < nc; i++) {
            const char *name = mlp_table_file_col_name(f, i);
            mlp_col_type type = mlp_table_file_col_type(f, i);
            if (strcmp(name, label) == 0 || !mlp_column_selected(entry, name, type))
                continue;
            hit = 1;
            if (type != MLP_COL_NUMERIC) {
                if (mlp_column_selector_is_pattern(entry))
                    continue;  /* a pattern takes the numbers it matches */
                mlpi_names_free(out, k);
                return mlp_error_set(err, MLP_EINVAL, "features: '%s' is a %s column; a "
                                     "trainer reads numbers (index or one-hot it with a "
                                     "transform first)", name, mlp_col_type_name(type));
            }
            int dup = 0;
            for (size_t j = 0; j < k && !dup; j++)
                dup = strcmp(out[j], name) == 0;
            if (!dup && (out[k++] = strdup(name)) == NULL) {
                mlpi_names_free(out, k);
                return mlp_error_set(err, MLP_ENOMEM, "out of memory");
            }
        }
        if (!hit && strcmp(entry, label) == 0) {
            mlpi_names_free(out, k);
            return mlp_error_set(err, MLP_EINVAL, "features: '%s' is the label", entry);
        }
        if (!hit && !mlp_column_selector_is_pattern(entry)) {
            mlpi_names_free(out, k);
            return mlp_error_set(err, MLP_EINVAL, "features: there is no column '%s'",
                                 entry);
        }
    }
    if (cJSON_GetArraySize(wanted) == 0)
        for (size_t i = 0; i < nc; i++) {
            const char *name = mlp_table_file_col_name(f, i);
            if (mlp_table_file_col_type(f, i) == MLP_COL_NUMERIC && strcmp(name, label) != 0 &&
                (out[k++] = strdup(name)) == NULL) {
                mlpi_names_free(out, k);
                return mlp_error_set(err, MLP_ENOMEM, "out of memory");
            }
        }
    if (k == 0) {
        /* Only patterns can get here with entries: a plain name that
         * misses is refused above.  Name them, so the typo shows. */
        char list[256] = "";
        size_t used = 0;
        free(out);
        if (cJSON_GetArraySize(wanted) == 0)
            return mlp_error_set(err, MLP_EINVAL, "features: no numeric column besides the "
                                 "label");
        cJSON_ArrayForEach(e, wanted) {
            int w = snprintf(list + used, sizeof list - used, "%s'%s'", used ? ", " : "",
                             cJSON_IsString(e) ? e->valuestring : "?");
            if (w < 0 || (size_t)w >= sizeof list - used) {
                snprintf(list + (sizeof list - 5), 5, "...");
                break;
            }
            used += (size_t)w;
        }
        return mlp_error_set(err, MLP_EINVAL, "features: no numeric column matches %s", list);
    }
    *names = out;
    *n = k;
    return MLP_OK;
}

void mlpi_names_free(char **names, size_t n)
{
    for (size_t i = 0; names && i < n; i++)
        free(names[i]);
    free(names);
}

typedef struct col_job {
    mlp_table_file *f;
    const ptrdiff_t *idx;
    double *x;             /* column j goes to x + (j - first) * n */
    size_t n, first;
    mlp_error *errs;       /* one per column: the first failing one wins */
    size_t *bad_row;
    const double *y;       /* NaN: a row left out (its label is missing) */
} col_job;

static void read_column(void *arg, size_t jj, int worker)
{
    col_job *c = arg;
    double *v = NULL;
    size_t n = 0, j = c->first + jj;
    (void)worker;

    c->bad_row[j] = SIZE_MAX;
    if (mlp_table_file_numbers(c->f, (size_t)c->idx[j], &v, &n, &c->errs[j]) != MLP_OK)
        return;
    if (n != c->n) {
        mlp_error_set(&c->errs[j], MLP_ECORRUPT, "column has %zu rows, the table %zu",
                      n, c->n);
    } else {
        double *dst = c->x + jj * c->n;
        unsigned bad = 0;
        for (size_t i = 0; i < n; i++) {
            dst[i] = v[i];
            bad |= !isfinite(v[i]);
        }
        for (size_t i = 0; bad && i < n; i++)
            if (!isfinite(v[i]) && !isnan(c->y[i])) {
                c->bad_row[j] = i;
                mlp_error_set(&c->errs[j], MLP_EINVAL, "%s in row %zu: a trainer needs a "
                              "finite value in every row (impute or clip it with a "
                              "transform)", isnan(v[i]) ? "missing" : "infinite", i + 1);
                break;
            }
    }
    mlp_free(v);
}

/* The classes of the label in the rows read, as the model will know them:
 * the classes that occur, in mlp_classes order. */
static int train_classes(const mlp_column *y, mlpi_split_rows *r, cJSON **names,
                         const mlp_artifact *ex, const char *split, int skip, mlp_error *err)
{
    mlp_classes c;
    size_t *map;
    int rc = mlp_classes_read(y, NULL, 0, MLPI_MAX_CLASSES, &c, err);

    if (rc != MLP_OK)
        return mlpi_train_name_row(ex, split, SIZE_MAX, err);
    map = calloc(c.n_classes + 1, sizeof *map);
    *names = cJSON_CreateArray();
    if (map == NULL || *names == NULL) {
        free(map);
        mlp_classes_free(&c);
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    }
    size_t k = 0;
    for (size_t i = 0; i < c.n_classes; i++)
        if (c.count[i] > 0) {
            map[i] = k++;
            cJSON_AddItemToArray(*names, cJSON_Duplicate(cJSON_GetArrayItem(c.names, (int)i), 1));
        }
    for (size_t i = 0; rc == MLP_OK && i < r->n; i++) {
        if (c.of[i] < 0 && skip) {
            r->y[i] = NAN;
        } else if (c.of[i] < 0) {
            mlp_error_set(err, MLP_EINVAL, "label '%s' is missing in row %zu (missing_label "
                          "= \"skip\" leaves such rows out)", y->name, i + 1);
            rc = mlpi_train_name_row(ex, split, i, err);
        } else {
            r->y[i] = (double)map[c.of[i]];
        }
    }
    if (rc == MLP_OK && k < 2)
        rc = mlp_error_set(err, MLP_EINVAL, "split '%s': label '%s' has %zu class%s; a "
                           "classifier needs at least 2", split, y->name, k,
                           k == 1 ? "" : "es");
    free(map);
    mlp_classes_free(&c);
    return rc;
}

int mlpi_class_indexes(const mlp_column *y, const cJSON *names, double *out, int skip,
                       size_t *bad_row, mlp_error *err)
{
    mlp_classes c;
    int rc = mlp_classes_read(y, NULL, 0, MLPI_MAX_CLASSES, &c, err);
    int *map;

    *bad_row = SIZE_MAX;
    if (rc != MLP_OK)
        return rc;
    map = calloc(c.n_classes + 1, sizeof *map);
    if (map == NULL) {
        mlp_classes_free(&c);
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < c.n_classes; i++) {
        const cJSON *mine = cJSON_GetArrayItem(c.names, (int)i);
        map[i] = -1;
        for (int k = 0; k < cJSON_GetArraySize(names); k++)
            if (mlpi_class_equal(mine, cJSON_GetArrayItem(names, k)))
                map[i] = k;
    }
    for (size_t i = 0; rc == MLP_OK && i < y->n_rows; i++) {
        if (c.of[i] < 0 && skip) {
            out[i] = NAN;
        } else if (c.of[i] < 0) {
            *bad_row = i;
            rc = mlp_error_set(err, MLP_EINVAL, "label '%s' is missing in row %zu", y->name,
                               i + 1);
        } else {
            out[i] = map[c.of[i]];
        }
    }
    free(map);
    mlp_classes_free(&c);
    return rc;
}

/* The same label in another split, as indexes into the train classes;
 * a class the train rows lack becomes -1 (always a wrong prediction). */
static int eval_classes(const mlp_column *y, mlpi_split_rows *r, const cJSON *names,
                        const mlp_artifact *ex, const char *split, int skip, mlp_error *err)
{
    size_t bad;
    int rc = mlpi_class_indexes(y, names, r->y, skip, &bad, err);

    return rc == MLP_OK ? MLP_OK : mlpi_train_name_row(ex, split, bad, err);
}

int mlpi_class_equal(const cJSON *a, const cJSON *b)
{
    char x[1024], y[1024];

    /* By their text: a label read as text ("1") and one read as numbers
     * (1) name the same class; "?" is no class. */
    mlp_class_name(a, x, sizeof x);
    mlp_class_name(b, y, sizeof y);
    return strcmp(x, "?") != 0 && strcmp(x, y) == 0;
}

static int read_target(mlp_table_file *f, const mlpi_rows_opts *o, mlpi_split_rows *r,
                       cJSON **classes, mlp_error *err)
{
    ptrdiff_t li = mlp_table_file_find(f, o->label);
    mlp_table *t = NULL;
    int rc;

    if (li < 0)
        return mlp_error_set(err, MLP_EINVAL, "split '%s' has no label column '%s'",
                             o->split, o->label);
    if ((rc = mlp_table_file_column(f, (size_t)li, &t, err)) != MLP_OK)
        return mlpi_train_name_row(o->ex, o->split, SIZE_MAX, err);
    const mlp_column *y = mlp_table_column(t, 0);
    if (o->task == MLP_TASK_REGRESSION) {
        if (y->type != MLP_COL_NUMERIC)
            rc = mlp_error_set(err, MLP_EINVAL, "split '%s': label '%s' is %s; regression "
                               "needs numbers", o->split, o->label,
                               mlp_col_type_name(y->type));
        for (size_t i = 0; rc == MLP_OK && i < r->n; i++) {
            r->y[i] = y->num[i];
            if (isnan(r->y[i]) && o->skip_missing_label)
                continue;
            if (!isfinite(r->y[i])) {
                mlp_error_set(err, MLP_EINVAL, "label '%s' is %s in row %zu", o->label,
                              isnan(r->y[i]) ? "missing" : "infinite", i + 1);
                rc = mlpi_train_name_row(o->ex, o->split, i, err);
            } else if (o->f32 && fabs(r->y[i]) > FLT_MAX) {
                mlp_error_set(err, MLP_EINVAL, "label '%s' is %g in row %zu, beyond the "
                              "float32 range this trainer computes in (scale it first)",
                              o->label, r->y[i], i + 1);
                rc = mlpi_train_name_row(o->ex, o->split, i, err);
            }
        }
    } else if (*classes == NULL) {
        rc = train_classes(y, r, classes, o->ex, o->split, o->skip_missing_label, err);
    } else {
        rc = eval_classes(y, r, *classes, o->ex, o->split, o->skip_missing_label, err);
    }
    mlp_table_free(t);
    return rc;
}

/* Leaves out the rows whose label is missing (NaN after read_target). */
static int drop_unlabelled(mlpi_split_rows *r, const char *split, mlp_error *err)
{
    size_t k = 0;

    for (size_t i = 0; i < r->n; i++)
        k += !isnan(r->y[i]);
    r->skipped = r->n - k;
    if (k == r->n)
        return MLP_OK;
    if (k == 0)
        return mlp_error_set(err, MLP_EINVAL, "split '%s': every row's label is missing",
                             split);
    /* In place, column by column: a column's new place never passes the
     * rows of the next one still to be read. */
    for (size_t j = 0; r->x && j < r->d; j++) {
        const double *col = r->x + j * r->n;
        double *dst = r->x + j * k;
        size_t m = 0;
        for (size_t i = 0; i < r->n; i++)
            if (!isnan(r->y[i]))
                dst[m++] = col[i];
    }
    for (size_t i = 0, m = 0; r->xf && i < r->n; i++)
        if (!isnan(r->y[i]))
            memmove(r->xf + m++ * r->d, r->xf + i * r->d, r->d * sizeof *r->xf);
    for (size_t i = 0, m = 0, c = r->soft ? r->n_classes_soft : 0; r->soft && i < r->n; i++)
        if (!isnan(r->y[i]))
            memmove(r->soft + m++ * c, r->soft + i * c, c * sizeof *r->soft);
    k = 0;
    for (size_t i = 0; i < r->n; i++)
        if (!isnan(r->y[i]))
            r->y[k++] = r->y[i];
    r->n = k;
    return MLP_OK;
}

int mlpi_split_rows_read(const mlpi_rows_opts *o, char *const *features, size_t d,
                         cJSON **classes, mlpi_split_rows *r, mlp_error *err)
{
    char file[300], path[4096];
    mlp_table_file *f = NULL;
    ptrdiff_t *idx = NULL;
    col_job job;
    int rc;

    memset(r, 0, sizeof *r);
    memset(&job, 0, sizeof job);
    snprintf(file, sizeof file, "%s.mlpt", o->split);
    rc = mlp_artifact_path(o->ex, file, path, sizeof path, err);
    if (rc == MLP_OK)
        rc = mlp_table_file_open(path, &f, err);
    if (rc != MLP_OK)
        return rc;
    r->n = mlp_table_file_n_rows(f);
    r->d = d;
    idx = calloc(d + 1, sizeof *idx);
    job.errs = calloc(d + 1, sizeof *job.errs);
    job.bad_row = calloc(d + 1, sizeof *job.bad_row);
    r->y = malloc(r->n * sizeof *r->y + 1);
    if (r->n && d > SIZE_MAX / 8 / r->n)
        ;
    else if (o->stream)
        r->y_rows = malloc(r->n * sizeof *r->y_rows + 1);
    else if (o->f32)
        r->xf = mlp_malloc(r->n * d * sizeof *r->xf + 1);
    else
        r->x = mlp_malloc(r->n * d * 8 + 1);
    if (idx == NULL || job.errs == NULL || job.bad_row == NULL || r->y == NULL ||
        (r->x == NULL && r->xf == NULL && r->y_rows == NULL))
        rc = mlp_error_set(err, MLP_ENOMEM, "split '%s': out of memory for %zu rows x "
                           "%zu features", o->split, r->n, d);
    for (size_t j = 0; rc == MLP_OK && j < d; j++) {
        idx[j] = mlp_table_file_find(f, features[j]);
        if (idx[j] < 0 || mlp_table_file_col_type(f, (size_t)idx[j]) != MLP_COL_NUMERIC)
            rc = mlp_error_set(err, MLP_EINVAL, "split '%s': feature '%s' is %s", o->split,
                               features[j], idx[j] < 0 ? "missing"
                               : "not numeric here");
    }
    if (rc == MLP_OK && r->n == 0)
        rc = mlp_error_set(err, MLP_EINVAL, "split '%s' has no rows", o->split);
    if (rc == MLP_OK)
        rc = read_target(f, o, r, classes, err);
    if (rc == MLP_OK && o->soft) {
        r->n_classes_soft = (size_t)cJSON_GetArraySize(*classes);
        rc = mlpi_soft_read(o, f, *classes, r, err);
    }
    /* A stream reads its features a block at a time, later: here only
     * which rows it will take. */
    if (rc == MLP_OK && o->stream)
        memcpy(r->y_rows, r->y, r->n * sizeof *r->y);
    if (rc == MLP_OK && !o->stream) {
        job.y = r->y;
        job.f = f;
        job.idx = idx;
        job.n = r->n;
        for (size_t j = 0; j < d; j++)
            mlp_error_clear(&job.errs[j]);
        /* Row-major float32: columns read a group at a time into doubles,
         * then written across the rows a cache line per row. */
        size_t group = r->xf ? F32_GROUP : d;
        double *tmp = r->xf ? mlp_malloc(group * r->n * sizeof *tmp + 1) : NULL;
        if (r->xf && tmp == NULL)
            rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
        for (size_t j0 = 0; rc == MLP_OK && j0 < d; j0 += group) {
            size_t g = d - j0 < group ? d - j0 : group;
            job.first = j0;
            job.x = r->xf ? tmp : r->x;
            mlp_parallel_for(g, o->threads, read_column, &job);
            for (size_t j = j0; rc == MLP_OK && j < j0 + g; j++)
                if (job.errs[j].code != MLP_OK) {
                    *err = job.errs[j];
                    mlp_error_prefix(err, "feature '%s'", features[j]);
                    rc = mlpi_train_name_row(o->ex, o->split, job.bad_row[j], err);
                }
            for (size_t i = 0; rc == MLP_OK && r->xf && i < r->n; i++) {
                float *row = r->xf + i * d + j0;
                for (size_t j = 0; j < g; j++) {
                    row[j] = (float)tmp[j * r->n + i];
                    if (isinf(row[j]) && isfinite(tmp[j * r->n + i]) && !isnan(r->y[i])) {
                        mlp_error_set(err, MLP_EINVAL, "feature '%s' is %g in row %zu, beyond "
                                      "the float32 range this trainer computes in (scale it "
                                      "with a transform)", features[j0 + j],
                                      tmp[j * r->n + i], i + 1);
                        rc = mlpi_train_name_row(o->ex, o->split, i, err);
                        break;
                    }
                }
            }
        }
        mlp_free(tmp);
    }
    if (rc == MLP_OK && o->skip_missing_label)
        rc = drop_unlabelled(r, o->split, err);
    mlp_table_file_close(f);
    free(idx);
    free(job.errs);
    free(job.bad_row);
    if (rc != MLP_OK)
        mlpi_split_rows_free(r);
    return rc;
}
