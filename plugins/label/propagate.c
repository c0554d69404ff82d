/* label_propagation: semi-supervised labels from the labelled rows of a
 * split to its unlabelled ones over a similarity graph, as scikit-learn's
 * LabelPropagation (Zhu and Ghahramani 2002) and LabelSpreading (Zhou et
 * al. 2004) do it in version 1.2:
 *
 *   graph  rbf: W[i][j] = exp(-gamma |xi - xj|^2), dense;
 *          knn: A[i][j] = 1 when j is one of i's n_neighbors nearest rows
 *          (i itself included), sparse;
 *   propagation  F <- rows of (W F) (or A F) normalised to sum 1, the
 *          labelled rows reset to their labels;
 *   spreading    F <- alpha S F + (1 - alpha) Y, S = D^-1/2 W D^-1/2
 *          without its diagonal, D the graph's column sums less the
 *          diagonal (scipy's normed laplacian, as scikit-learn calls it);
 *
 * from F = Y (labelled rows one-hot, the rest 0), until the summed
 * absolute change is below tol or max_iter; then rows normalised, the
 * label the most probable class.  One difference, on purpose: a row the
 * graph connects to no labelled row has no distribution (all zero), and
 * scikit-learn would call it the first class; here it stays unlabelled
 * and is counted. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "label.h"

/* The dense graph's rows this size and more would need gigabytes. */
#define DENSE_MAX_ROWS 30000

typedef struct graph {
    size_t n, k;               /* rows; knn: neighbours per row */
    double *dense;             /* n x n (rbf) */
    size_t *nbr;               /* n x k (knn) */
    double *w;                 /* knn spreading: n x k edge weights */
} graph;

typedef struct step {
    const graph *g;
    const double *f;           /* n x c, read */
    double *out;               /* n x c, written */
    size_t c;
} step;

#define ROW_BLOCK 256

/* out = G f, a block of rows at a time. */
static void multiply(void *arg, size_t blk, int worker)
{
    const step *s = arg;
    const graph *g = s->g;
    size_t c = s->c, end = (blk + 1) * ROW_BLOCK;

    (void)worker;
    if (end > g->n)
        end = g->n;
    for (size_t i = blk * ROW_BLOCK; i < end; i++) {
        double *o = s->out + i * c;
        for (size_t q = 0; q < c; q++)
            o[q] = 0;
        if (g->dense) {
            const double *row = g->dense + i * g->n;
            for (size_t j = 0; j < g->n; j++)
                if (row[j] != 0)
                    for (size_t q = 0; q < c; q++)
                        o[q] += row[j] * s->f[j * c + q];
        } else {
            for (size_t t = 0; t < g->k; t++) {
                size_t j = g->nbr[i * g->k + t];
                double wt = g->w ? g->w[i * g->k + t] : 1.0;
                for (size_t q = 0; q < c; q++)
                    o[q] += wt * s->f[j * c + q];
            }
        }
    }
}

static void normalise_rows(double *f, size_t n, size_t c)
{
    for (size_t i = 0; i < n; i++) {
        double s = 0;
        for (size_t q = 0; q < c; q++)
            s += f[i * c + q];
        if (s != 0)
            for (size_t q = 0; q < c; q++)
                f[i * c + q] /= s;
    }
}

/* The graph over the rows' features x (p columns of n values). */
static int build_graph(const double *const *x, size_t p, size_t n, int knn, double gamma,
                       size_t k, int spreading, int threads, graph *g, mlp_error *err)
{
    memset(g, 0, sizeof *g);
    g->n = n;
    if (!knn) {
        if (n >= DENSE_MAX_ROWS)
            return mlp_error_set(err, MLP_EINVAL, "kernel 'rbf' builds a dense %zu x %zu graph "
                                 "(%.1f GB); use kernel = \"knn\" for this many rows", n, n,
                                 (double)n * (double)n * 8 / 1e9);
        g->dense = mlp_malloc(n * n * sizeof *g->dense + 1);
        double *deg = calloc(n + 1, sizeof *deg);
        if (g->dense == NULL || deg == NULL) {
            free(deg);
            return mlp_error_set(err, MLP_ENOMEM, "out of memory for the %zu x %zu graph", n, n);
        }
        for (size_t i = 0; i < n; i++)
            for (size_t j = i; j < n; j++) {
                double d = 0;
                for (size_t c = 0; c < p; c++) {
                    double t = x[c][i] - x[c][j];
                    d += t * t;
                }
                g->dense[i * n + j] = g->dense[j * n + i] = exp(-gamma * d);
            }
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < n; j++)
                deg[j] += g->dense[i * n + j];
        /* Spreading: sqrt of the degree less the self-loop, all of them
         * before any row changes (the diagonal is zeroed below). */
        for (size_t i = 0; spreading && i < n; i++) {
            double d = deg[i] - g->dense[i * n + i];
            deg[i] = d == 0 ? 1 : sqrt(d);
        }
        for (size_t i = 0; i < n; i++) {
            double *row = g->dense + i * n;
            if (!spreading) {
                for (size_t j = 0; j < n; j++)
                    row[j] /= deg[i];
                continue;
            }
            for (size_t j = 0; j < n; j++)
                row[j] = i == j ? 0 : row[j] / (deg[i] * deg[j]);
        }
        free(deg);
        return MLP_OK;
    }
    size_t *rows = malloc((n + 1) * sizeof *rows);
    g->k = k;
    g->nbr = malloc((n * k + 1) * sizeof *g->nbr);
    if (rows == NULL || g->nbr == NULL) {
        free(rows);
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++)
        rows[i] = i;
    int rc = mlp_knn(x, p, rows, n, k, 1, threads, g->nbr, NULL);
    free(rows);
    if (rc != MLP_OK)
        return mlp_error_set(err, rc, rc == MLP_EINVAL ? "n_neighbors (%zu) is more than the "
                             "split's %zu rows" : "out of memory", k, n);
    if (!spreading)
        return MLP_OK;
    /* Spreading: weights A[i][j] / sqrt(d_i d_j), d the in-degree less the
     * self-loop; the diagonal dropped. */
    double *deg = calloc(n + 1, sizeof *deg);
    g->w = malloc((n * k + 1) * sizeof *g->w);
    if (deg == NULL || g->w == NULL) {
        free(deg);
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++)
        for (size_t t = 0; t < k; t++)
            if (g->nbr[i * k + t] != i)
                deg[g->nbr[i * k + t]] += 1;
    for (size_t i = 0; i < n; i++)
        for (size_t t = 0; t < k; t++) {
            size_t j = g->nbr[i * k + t];
            double di = deg[i] == 0 ? 1 : sqrt(deg[i]), dj = deg[j] == 0 ? 1 : sqrt(deg[j]);
            g->w[i * k + t] = j == i ? 0 : 1.0 / (di * dj);
        }
    free(deg);
    return MLP_OK;
}

static void graph_free(graph *g)
{
    mlp_free(g->dense);
    free(g->nbr);
    free(g->w);
}

/* The features: the named numeric columns, or every numeric one but the
 * label; a missing or infinite value is refused with its row. */
static int features(mlp_ctx *ctx, const mlp_artifact *ex, const char *split, const mlp_table *t,
                    const char *label, const double ***out, size_t *p, mlp_error *err)
{
    size_t nc = mlp_table_n_cols(t), n = mlp_table_n_rows(t), want = mlp_ctx_param_len(ctx, "features");
    const double **x = calloc(nc + 1, sizeof *x);

    *out = x;
    *p = 0;
    if (x == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    for (size_t i = 0; i < want; i++) {
        const char *name = mlp_ctx_param_string_at(ctx, "features", i);
        if (mlp_table_find(t, name) == NULL)
            return mlp_error_set(err, MLP_EINVAL, "features: split '%s' has no column '%s'",
                                 split, name);
    }
    for (size_t c = 0; c < nc; c++) {
        const mlp_column *col = mlp_table_column(t, c);
        if (strcmp(col->name, label) == 0)
            continue;
        if (want ? !mlp_ctx_param_contains(ctx, "features", col->name)
                 : col->type != MLP_COL_NUMERIC)
            continue;
        if (col->type != MLP_COL_NUMERIC || col->num == NULL)
            return mlp_error_set(err, MLP_EINVAL, "features: '%s' is a %s column; the graph "
                                 "measures distances between numbers", col->name,
                                 mlp_col_type_name(col->type));
        for (size_t r = 0; r < n; r++)
            if (!isfinite(col->num[r])) {
                char at[400] = "";
                mlp_error e2;
                if (mlp_examples_source(ex, split, r, at, sizeof at, &e2) != MLP_OK)
                    at[0] = '\0';
                return mlp_error_set(err, MLP_EINVAL, "feature '%s' is %s in split '%s' row "
                                     "%zu%s%s%s; a distance needs every value (impute it "
                                     "first)", col->name, isnan(col->num[r]) ? "missing"
                                     : "infinite", split, r + 1, at[0] ? " (" : "", at,
                                     at[0] ? ")" : "");
            }
        x[(*p)++] = col->num;
    }
    if (*p == 0)
        return mlp_error_set(err, MLP_EINVAL, "split '%s' has no numeric feature to measure "
                             "distances on", split);
    return MLP_OK;
}

int lab_propagate_run(mlp_ctx *ctx)
{
    const mlp_artifact *ex = mlp_ctx_input(ctx, "examples", 0);
    mlp_artifact *out = mlp_ctx_output(ctx, "examples");
    const char *split = mlp_ctx_param_string(ctx, "split");
    const char *label = mlp_ctx_param_string(ctx, "label");
    int spreading = strcmp(mlp_ctx_param_string(ctx, "method"), "spreading") == 0;
    int knn = strcmp(mlp_ctx_param_string(ctx, "kernel"), "knn") == 0;
    double alpha = mlp_ctx_param_float(ctx, "alpha"), tol = mlp_ctx_param_float(ctx, "tol");
    int threads = (int)mlp_ctx_param_int(ctx, "threads");
    size_t max_iter = mlp_ctx_param(ctx, "max_iter") && !cJSON_IsNull(mlp_ctx_param(ctx, "max_iter"))
                      ? (size_t)mlp_ctx_param_int(ctx, "max_iter") : spreading ? 30 : 1000;
    mlp_table *t = NULL, *described = NULL;
    const double **x = NULL;
    size_t p = 0, n = 0, c = 0, iter = 0, labelled = 0, unreached = 0, changed = 0;
    mlp_classes cl;
    graph g;
    double *f = NULL, *prev = NULL, *y0 = NULL;
    int32_t *map = NULL, *lab = NULL;
    const char **names = NULL;
    char (*name_buf)[256] = NULL;
    size_t *keep = NULL;
    cJSON *rows = cJSON_Duplicate(mlp_artifact_property(ex, "rows"), 1), *cls = NULL;
    int converged = 0, rc = MLP_OK;
    mlp_error err;

    mlp_error_clear(&err);
    memset(&cl, 0, sizeof cl);
    memset(&g, 0, sizeof g);
    if (label == NULL)
        label = cJSON_GetStringValue(mlp_artifact_property(ex, "label"));
    if (label == NULL)
        rc = mlp_error_set(&err, MLP_EINVAL, "no label to propagate: the Examples name none; "
                           "set label = \"<column>\"");
    if (rc == MLP_OK && !mlp_examples_has_split(ex, split))
        rc = mlp_error_set(&err, MLP_EINVAL, "split: the Examples have no split '%s'", split);
    if (rc == MLP_OK && spreading && !(alpha > 0 && alpha < 1))
        rc = mlp_error_set(&err, MLP_EINVAL, "alpha must be strictly between 0 and 1 for "
                           "spreading, got %g", alpha);
    if (rc == MLP_OK)
        rc = mlp_examples_read(ex, split, &t, &err);
    const mlp_column *y = rc == MLP_OK ? mlp_table_find(t, label) : NULL;
    if (rc == MLP_OK && y == NULL)
        rc = mlp_error_set(&err, MLP_EINVAL, "split '%s' has no label column '%s'", split, label);
    if (rc == MLP_OK)
        rc = mlp_classes_read(y, NULL, 0, 10000, &cl, &err);
    if (rc == MLP_OK)
        rc = features(ctx, ex, split, t, label, &x, &p, &err);
    if (rc == MLP_OK) {
        n = mlp_table_n_rows(t);
        map = malloc((cl.n_classes + 1) * sizeof *map);
        names = calloc(cl.n_classes + 1, sizeof *names);
        name_buf = calloc(cl.n_classes + 1, sizeof *name_buf);
        cls = cJSON_CreateArray();
        if (map == NULL || names == NULL || name_buf == NULL)
            rc = mlp_error_set(&err, MLP_ENOMEM, "out of memory");
    }
    /* The classes are the labels the rows have (scikit-learn's
     * classes_), in the column's order. */
    for (size_t q = 0; rc == MLP_OK && q < cl.n_classes; q++) {
        map[q] = -1;
        if (cl.count[q] == 0)
            continue;
        map[q] = (int32_t)c;
        mlp_class_name(cJSON_GetArrayItem(cl.names, (int)q), name_buf[c], sizeof name_buf[c]);
        names[c] = name_buf[c];
        cJSON_AddItemToArray(cls, cJSON_CreateString(names[c]));
        c++;
    }
    for (size_t i = 0; rc == MLP_OK && i < n; i++)
        labelled += cl.of[i] >= 0;
    if (rc == MLP_OK && labelled == 0)
        rc = mlp_error_set(&err, MLP_EINVAL, "split '%s': no row has a label in '%s', so there "
                           "is nothing to propagate from (label some rows; the unlabelled "
                           "ones have it missing)", split, label);
    if (rc == MLP_OK)
        rc = build_graph(x, p, n, knn, mlp_ctx_param_float(ctx, "gamma"),
                         (size_t)mlp_ctx_param_int(ctx, "n_neighbors"), spreading, threads, &g,
                         &err);
    if (rc == MLP_OK) {
        f = calloc(n * c + 1, sizeof *f);
        prev = calloc(n * c + 1, sizeof *prev);
        y0 = calloc(n * c + 1, sizeof *y0);
        lab = malloc((n + 1) * sizeof *lab);
        keep = malloc((n + 1) * sizeof *keep);
        if (f == NULL || prev == NULL || y0 == NULL || lab == NULL || keep == NULL)
            rc = mlp_error_set(&err, MLP_ENOMEM, "out of memory");
    }
    if (rc == MLP_OK) {
        for (size_t i = 0; i < n; i++)
            if (cl.of[i] >= 0)
                f[i * c + (size_t)map[cl.of[i]]] = y0[i * c + (size_t)map[cl.of[i]]] = 1;
        for (iter = 0; iter < max_iter; iter++) {
            double delta = 0;
            for (size_t e = 0; e < n * c; e++)
                delta += fabs(f[e] - prev[e]);
            if (delta < tol) {
                converged = 1;
                break;
            }
            if (mlp_ctx_cancelled(ctx)) {
                rc = mlp_error_set(&err, MLP_ECANCELED, "cancelled");
                break;
            }
            double *tmp = prev;
            prev = f;
            f = tmp;
            step s = { &g, prev, f, c };
            mlp_parallel_for((n + ROW_BLOCK - 1) / ROW_BLOCK, threads, multiply, &s);
            if (!spreading) {
                normalise_rows(f, n, c);
                for (size_t i = 0; i < n; i++)
                    if (cl.of[i] >= 0)
                        memcpy(f + i * c, y0 + i * c, c * sizeof *f);
            } else {
                for (size_t e = 0; e < n * c; e++)
                    f[e] = alpha * f[e] + (1 - alpha) * y0[e];
            }
            mlp_ctx_progress(ctx, iter + 1, max_iter, "iterations");
        }
        if (!converged)
            mlp_ctx_log(ctx, MLP_LOG_WARN, "max_iter (%zu) reached before the labels settled "
                        "(tol %g)", max_iter, tol);
    }
    if (rc == MLP_OK) {
        normalise_rows(f, n, c);
        for (size_t i = 0; i < n; i++) {
            size_t best = 0;
            double s = 0;
            for (size_t q = 0; q < c; q++) {
                s += f[i * c + q];
                if (f[i * c + q] > f[i * c + best])
                    best = q;
            }
            keep[i] = i;
            if (cl.of[i] >= 0) {
                /* Given labels stay; spreading may disagree with them. */
                lab[i] = map[cl.of[i]];
                changed += s > 0 && (int32_t)best != lab[i];
            } else if (s > 0) {
                lab[i] = (int32_t)best;
            } else {
                lab[i] = -1;
                unreached++;
                for (size_t q = 0; q < c; q++)
                    f[i * c + q] = NAN;
            }
        }
        lab_out o = { label, NULL, names, c, lab, f };
        rc = lab_write_split(out, ex, split, t, &o, keep, n, &described, &err);
    }
    for (size_t i = 0; rc == MLP_OK && i < mlp_examples_split_count(ex); i++)
        if (strcmp(mlp_examples_split(ex, i), split) != 0)
            rc = lab_copy_split(out, ex, mlp_examples_split(ex, i), &err);
    if (rc == MLP_OK) {
        rc = lab_finish_examples(out, ex, described, rows, label, cls, &err);
        rows = NULL;
    }
    if (rc == MLP_OK) {
        cJSON *info = cJSON_CreateObject();
        cJSON_AddStringToObject(info, "method", spreading ? "spreading" : "propagation");
        cJSON_AddStringToObject(info, "kernel", knn ? "knn" : "rbf");
        cJSON_AddStringToObject(info, "split", split);
        cJSON_AddItemToObject(info, "classes", cJSON_Duplicate(cls, 1));
        cJSON_AddItemToObject(info, "features", mlp_json_int((int64_t)p));
        cJSON_AddItemToObject(info, "rows", mlp_json_int((int64_t)n));
        cJSON_AddItemToObject(info, "labelled", mlp_json_int((int64_t)labelled));
        cJSON_AddItemToObject(info, "filled", mlp_json_int((int64_t)(n - labelled - unreached)));
        cJSON_AddItemToObject(info, "unreached", mlp_json_int((int64_t)unreached));
        cJSON_AddItemToObject(info, "disagreeing_labelled", mlp_json_int((int64_t)changed));
        cJSON_AddItemToObject(info, "iterations", mlp_json_int((int64_t)iter));
        cJSON_AddBoolToObject(info, "converged", converged);
        rc = mlp_artifact_set_property(out, "propagation", info, &err);
        mlp_ctx_log(ctx, MLP_LOG_INFO, "label %s (%s graph) on split '%s': %zu labelled rows, "
                    "%zu filled, %zu unreached, %zu iterations", spreading ? "spreading"
                    : "propagation", knn ? "knn" : "rbf", split, labelled,
                    n - labelled - unreached, unreached, iter);
    }
    graph_free(&g);
    cJSON_Delete(rows);
    cJSON_Delete(cls);
    mlp_classes_free(&cl);
    mlp_table_free(t);
    mlp_table_free(described);
    free(x);
    free(f);
    free(prev);
    free(y0);
    free(map);
    free(lab);
    free(keep);
    free(names);
    free(name_buf);
    return rc == MLP_OK ? MLP_OK : mlp_ctx_fail_error(ctx, &err);
}
