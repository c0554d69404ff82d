/* Writing a labelled split: what label_model and label_propagation both
 * hand on.  The rows kept, every column but the old label, then the label
 * column (the type the split had: numeric when it was numeric and every
 * class is an integer, else categorical) and <label>_proba, the class
 * probabilities, with the split's source lines. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "label.h"

/* A class name as the number a numeric label holds: only an integer's
 * own digits ("1", "-3"; not "01", "+1", "-0" or "1.0", which would merge
 * with another class or change on the way back) within 2^53, where a
 * double is exact. */
static int class_number(const char *s, double *out)
{
    char *end, canon[32];
    long long v;

    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v > (1LL << 53) || v < -(1LL << 53))
        return 0;
    snprintf(canon, sizeof canon, "%lld", v);
    if (strcmp(canon, s) != 0)
        return 0;
    *out = (double)v;
    return 1;
}

static int add_label(mlp_table *t, const lab_out *o, const mlp_column *old, const size_t *keep,
                     size_t n, mlp_error *err)
{
    if (old != NULL && old->type == MLP_COL_NUMERIC) {
        double *v = malloc((n + 1) * sizeof *v), *num = calloc(o->k + 1, sizeof *num);
        uint8_t *miss = calloc(n / 8 + 1, 1);
        int rc = v && miss && num ? MLP_OK : mlp_error_set(err, MLP_ENOMEM, "out of memory");
        for (size_t c = 0; rc == MLP_OK && c < o->k; c++)
            if (!class_number(o->classes[c], &num[c]))
                rc = mlp_error_set(err, MLP_EINVAL, "label '%s' is numeric in the Examples, "
                                   "but class '%s' is not an integer written as one (digits, "
                                   "no leading zero or sign, within 2^53): name the classes "
                                   "as the label's values", o->label, o->classes[c]);
        for (size_t i = 0; rc == MLP_OK && i < n; i++) {
            int32_t c = o->lab[keep[i]];
            v[i] = c < 0 ? NAN : num[c];
            if (c < 0)
                miss[i >> 3] |= (uint8_t)(1u << (i & 7));
        }
        if (rc == MLP_OK)
            rc = mlp_table_add_numeric(t, o->label, v, miss, err);
        free(v);
        free(num);
        free(miss);
        return rc;
    }
    int32_t *codes = malloc((n + 1) * sizeof *codes);
    if (codes == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        codes[i] = o->lab[keep[i]];
    int rc = mlp_table_add_categorical(t, o->label, codes, o->k, o->classes, err);
    free(codes);
    return rc;
}

int lab_write_split(mlp_artifact *out, const mlp_artifact *ex, const char *split,
                    const mlp_table *t, const lab_out *o, const size_t *keep, size_t nk,
                    mlp_table **described, mlp_error *err)
{
    mlp_table *sel = NULL, *res = NULL;
    float *pm = NULL;
    char pcol[300];
    int rc = mlp_table_select(t, keep, nk, &sel, err);

    snprintf(pcol, sizeof pcol, "%s_proba", o->label);
    if (rc == MLP_OK && (res = mlp_table_new(nk)) == NULL)
        rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
    for (size_t c = 0; rc == MLP_OK && c < mlp_table_n_cols(sel); c++) {
        const mlp_column *col = mlp_table_column(sel, c);
        /* An old label left beside the new one would be a feature to
         * every trainer: the answer itself. */
        if (o->drop && strcmp(col->name, o->drop) == 0)
            continue;
        if (strcmp(col->name, o->label) != 0 && strcmp(col->name, pcol) != 0)
            rc = mlp_table_add_copy(res, col->name, col, err);
    }
    if (rc == MLP_OK)
        rc = add_label(res, o, mlp_table_find(t, o->label), keep, nk, err);
    if (rc == MLP_OK && (pm = malloc(nk * o->k * sizeof *pm + 1)) == NULL)
        rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
    for (size_t i = 0; rc == MLP_OK && i < nk; i++)
        for (size_t c = 0; c < o->k; c++)
            pm[i * o->k + c] = (float)o->proba[keep[i] * o->k + c];
    if (rc == MLP_OK)
        rc = mlp_table_add_matrix(res, pcol, o->k, pm, err);
    if (rc == MLP_OK)
        rc = mlp_examples_write(out, split, res, err);
    if (rc == MLP_OK)
        rc = mlp_examples_select_lines(ex, out, split, keep, nk, err);
    if (rc == MLP_OK && *described == NULL) {
        *described = res;
        res = NULL;
    }
    free(pm);
    mlp_table_free(sel);
    mlp_table_free(res);
    return rc;
}

int lab_finish_examples(mlp_artifact *out, const mlp_artifact *ex, const mlp_table *described,
                        cJSON *rows, const char *label, const cJSON *classes, mlp_error *err)
{
    static const char *const skip[] = { "rows", "columns", "label", NULL };
    char pcol[300];
    cJSON *lp;
    int rc = mlp_artifact_copy_properties(out, ex, skip, err);

    if (rc == MLP_OK)
        rc = mlp_examples_describe(out, described, ex, err);
    if (rc != MLP_OK) {
        cJSON_Delete(rows);
        return rc;
    }
    mlp_artifact_set_property(out, "rows", rows, err);
    mlp_artifact_set_property(out, "label", cJSON_CreateString(label), err);
    snprintf(pcol, sizeof pcol, "%s_proba", label);
    lp = cJSON_CreateObject();
    cJSON_AddStringToObject(lp, "column", pcol);
    cJSON_AddItemToObject(lp, "classes", cJSON_Duplicate(classes, 1));
    mlp_artifact_set_property(out, "label_probabilities", lp, err);
    return err->code;
}

int lab_copy_split(mlp_artifact *out, const mlp_artifact *ex, const char *split, mlp_error *err)
{
    char file[300], lines[300];
    int rc;

    snprintf(file, sizeof file, "%s.mlpt", split);
    snprintf(lines, sizeof lines, "%s.lines.mlpt", split);
    rc = mlp_artifact_copy_file(out, ex, file, err);
    if (rc == MLP_OK && mlp_artifact_has_file(ex, lines))
        rc = mlp_artifact_copy_file(out, ex, lines, err);
    return rc;
}
