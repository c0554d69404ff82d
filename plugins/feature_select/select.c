/* feature_select: filter feature selection, as scikit-learn's
 * VarianceThreshold and SelectKBest / SelectPercentile / SelectFpr /
 * SelectFdr / SelectFwe do it, plus a correlation filter, on one split of
 * an Examples artifact (train by default), a column at a time.  The
 * FeatureSelection it writes lists every candidate with its score,
 * p-value, rank and why it was kept or dropped; apply_selection (or any
 * later component reading the `selected` property) applies it by name.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsel.h"

static const char *const score_names[] = {
    "auto", "chi2", "f_classif", "f_regression", "mutual_info_classif",
    "mutual_info_regression", "none", NULL
};
static const char *const mode_names[] = {
    "k_best", "percentile", "threshold", "fpr", "fdr", "fwe", "all", NULL
};

/* "auto": f_classif for a categorical or integer label, f_regression for
 * a label of decimals. */
static fs_score pick_score(const char *name, const mlp_artifact *ex, const char *label,
                           mlp_table_file *f)
{
    for (int s = FS_CHI2; s <= FS_NO_SCORE; s++)
        if (strcmp(name, fs_score_name((fs_score)s)) == 0)
            return (fs_score)s;
    const cJSON *c;
    cJSON_ArrayForEach(c, mlp_artifact_property(ex, "columns"))
        if (strcmp(mlp_json_str(c, "name"), label) == 0 &&
            strcmp(mlp_json_str(c, "kind"), "float") == 0)
            return FS_F_REGRESSION;
    for (size_t i = 0; i < mlp_table_file_n_cols(f); i++)
        if (strcmp(mlp_table_file_col_name(f, i), label) == 0 &&
            mlp_table_file_col_type(f, i) == MLP_COL_NUMERIC) {
            /* No kind recorded: decide by the type alone. */
            int kind_known = 0;
            cJSON_ArrayForEach(c, mlp_artifact_property(ex, "columns"))
                kind_known |= strcmp(mlp_json_str(c, "name"), label) == 0 &&
                              *mlp_json_str(c, "kind");
            return kind_known ? FS_F_CLASSIF : FS_F_REGRESSION;
        }
    return FS_F_CLASSIF;
}

static void variance_filter(fs_feature *feat, size_t n, double threshold)
{
    for (size_t j = 0; j < n; j++) {
        fs_feature *ft = &feat[j];
        if (ft->type != MLP_COL_NUMERIC || ft->status != FS_KEPT)
            continue;
        /* VarianceThreshold keeps variance > threshold; a feature with no
         * value among the rows has none to keep. */
        if (!(ft->variance > threshold)) {
            ft->status = FS_DROP_VARIANCE;
            snprintf(ft->reason, sizeof ft->reason, isnan(ft->variance)
                     ? "no value in any row with the label"
                     : "variance %.6g is not above the threshold %g", ft->variance,
                     threshold);
        }
    }
}

static const char *status_word(fs_status s)
{
    return s == FS_KEPT ? "kept" : s == FS_DROP_VARIANCE ? "dropped_variance"
         : s == FS_DROP_CORRELATION ? "dropped_correlation" : "dropped_score";
}

static cJSON *document(const fs_feature *feat, size_t n, const fs_label *y,
                       const char *split, fs_score score, const fs_mode *md,
                       mlp_ctx *ctx)
{
    cJSON *doc = cJSON_CreateObject(), *arr, *sel;

    cJSON_AddNumberToObject(doc, "version", 1);
    cJSON_AddStringToObject(doc, "split", split);
    if (y->name) {
        cJSON_AddStringToObject(doc, "label", y->name);
        cJSON_AddStringToObject(doc, "task", y->yc ? "classification" : "regression");
        if (y->classes)
            cJSON_AddItemToObject(doc, "classes", cJSON_Duplicate(y->classes, 1));
        cJSON_AddItemToObject(doc, "rows", mlp_json_int((int64_t)y->n));
        cJSON_AddItemToObject(doc, "rows_without_label",
                              mlp_json_int((int64_t)(y->file_rows - y->n)));
    }
    cJSON_AddStringToObject(doc, "score", fs_score_name(score));
    cJSON_AddStringToObject(doc, "mode", md->name);
    if (strcmp(md->name, "k_best") == 0)
        cJSON_AddItemToObject(doc, "k", mlp_json_int((int64_t)md->k));
    else if (strcmp(md->name, "percentile") == 0)
        cJSON_AddItemToObject(doc, "percentile", mlp_json_number(md->percentile));
    else if (strcmp(md->name, "threshold") == 0)
        cJSON_AddItemToObject(doc, "threshold", mlp_json_number(md->threshold));
    else if (strcmp(md->name, "all") != 0)
        cJSON_AddItemToObject(doc, "alpha", mlp_json_number(md->alpha));
    if (score == FS_MI_CLASSIF || score == FS_MI_REGRESSION) {
        cJSON_AddItemToObject(doc, "n_neighbors", mlp_json_int(mlp_ctx_param_int(ctx, "n_neighbors")));
        cJSON_AddItemToObject(doc, "seed", mlp_json_int(mlp_ctx_param_int(ctx, "seed")));
    }
    if (mlp_ctx_param(ctx, "variance_threshold") &&
        !cJSON_IsNull(mlp_ctx_param(ctx, "variance_threshold")))
        cJSON_AddItemToObject(doc, "variance_threshold",
                              mlp_json_number(mlp_ctx_param_float(ctx, "variance_threshold")));
    if (mlp_ctx_param(ctx, "correlation_threshold") &&
        !cJSON_IsNull(mlp_ctx_param(ctx, "correlation_threshold")))
        cJSON_AddItemToObject(doc, "correlation_threshold",
                              mlp_json_number(mlp_ctx_param_float(ctx, "correlation_threshold")));
    arr = cJSON_AddArrayToObject(doc, "features");
    sel = cJSON_AddArrayToObject(doc, "selected");
    for (size_t j = 0; j < n; j++) {
        const fs_feature *ft = &feat[j];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", ft->name);
        cJSON_AddStringToObject(o, "type", ft->type == MLP_COL_NUMERIC ? "numeric"
                                                                       : "categorical");
        if (ft->discrete && ft->type == MLP_COL_NUMERIC)
            cJSON_AddTrueToObject(o, "discrete");
        cJSON_AddItemToObject(o, "score", mlp_json_number(ft->score));
        if (score != FS_MI_CLASSIF && score != FS_MI_REGRESSION && score != FS_NO_SCORE)
            cJSON_AddItemToObject(o, "pvalue", mlp_json_number(ft->pvalue));
        if (ft->rank)
            cJSON_AddItemToObject(o, "rank", mlp_json_int((int64_t)ft->rank));
        else
            cJSON_AddNullToObject(o, "rank");
        cJSON_AddStringToObject(o, "status", status_word(ft->status));
        cJSON_AddStringToObject(o, "reason", ft->reason);
        cJSON_AddItemToObject(o, "rows", mlp_json_int((int64_t)ft->rows));
        cJSON_AddItemToObject(o, "missing", mlp_json_int((int64_t)ft->missing));
        if (ft->type == MLP_COL_NUMERIC) {
            cJSON_AddItemToObject(o, "mean", mlp_json_number(ft->mean));
            cJSON_AddItemToObject(o, "variance", mlp_json_number(ft->variance));
        }
        cJSON_AddItemToObject(o, "label_association", mlp_json_number(ft->assoc));
        cJSON_AddItemToArray(arr, o);
        if (ft->status == FS_KEPT)
            cJSON_AddItemToArray(sel, cJSON_CreateString(ft->name));
    }
    return doc;
}

int fs_write_selection(mlp_artifact *out, const cJSON *doc, const char *label,
                       size_t candidates, mlp_error *err)
{
    char path[4096];
    int rc = mlp_artifact_path(out, "selection.json", path, sizeof path, err);

    if (rc == MLP_OK)
        rc = mlp_json_write_file(path, doc, err);
    if (rc == MLP_OK)
        rc = mlp_artifact_set_property(out, "selected", cJSON_Duplicate(
                                           cJSON_GetObjectItem(doc, "selected"), 1), err);
    if (rc == MLP_OK)
        rc = mlp_artifact_set_property(out, "score", cJSON_CreateString(
                                           mlp_json_str(doc, "score")), err);
    if (rc == MLP_OK)
        rc = mlp_artifact_set_property(out, "split", cJSON_CreateString(
                                           mlp_json_str(doc, "split")), err);
    if (rc == MLP_OK && label)
        rc = mlp_artifact_set_property(out, "label", cJSON_CreateString(label), err);
    if (rc == MLP_OK)
        rc = mlp_artifact_set_property(out, "candidates", mlp_json_int((int64_t)candidates),
                                       err);
    return rc;
}

static int given(mlp_ctx *ctx, const char *name)
{
    const cJSON *v = mlp_ctx_param(ctx, name);
    return v != NULL && !cJSON_IsNull(v);
}

/* The mode and its one setting.  A setting of another mode (k with mode
 * percentile), or any with score none, would be silently ignored: it is
 * refused, since the user meant something the run would not do. */
static int read_mode(mlp_ctx *ctx, int no_score, fs_mode *md, mlp_error *err)
{
    /* Each setting and the modes it belongs to. */
    static const struct { const char *name, *modes; } settings[] = {
        { "k", " k_best " }, { "percentile", " percentile " },
        { "threshold", " threshold " }, { "alpha", " fpr fdr fwe " }, { NULL, NULL }
    };
    char word[40];

    md->name = mlp_ctx_param_string(ctx, "mode");
    if (no_score && md->name != NULL && strcmp(md->name, "all") != 0)
        return mlp_error_set(err, MLP_EINVAL, "mode %s ranks features by score, and "
                             "score none gives none (pick a score, or drop mode)",
                             md->name);
    if (md->name == NULL)
        md->name = no_score ? "all" : "k_best";
    snprintf(word, sizeof word, " %s ", md->name);
    for (int i = 0; settings[i].name; i++) {
        const char *s = settings[i].name;
        int mine = strstr(settings[i].modes, word) != NULL;
        if (given(ctx, s) && no_score)
            return mlp_error_set(err, MLP_EINVAL, "%s: score none ranks nothing, so it "
                                 "keeps every feature the filters pass (pick a score "
                                 "to rank them)", s);
        if (given(ctx, s) && !mine)
            return mlp_error_set(err, MLP_EINVAL, "%s: not a setting of mode %s", s,
                                 md->name);
    }
    if (strcmp(md->name, "threshold") == 0 && !given(ctx, "threshold"))
        return mlp_error_set(err, MLP_EINVAL, "mode threshold needs threshold (the "
                             "lowest score kept)");
    md->k = given(ctx, "k") ? (size_t)mlp_ctx_param_int(ctx, "k") : 10;
    md->percentile = given(ctx, "percentile") ? mlp_ctx_param_float(ctx, "percentile") : 10;
    md->threshold = given(ctx, "threshold") ? mlp_ctx_param_float(ctx, "threshold") : 0;
    md->alpha = given(ctx, "alpha") ? mlp_ctx_param_float(ctx, "alpha") : 0.05;
    return MLP_OK;
}

static int run(mlp_ctx *ctx)
{
    const mlp_artifact *ex = mlp_ctx_input(ctx, "examples", 0);
    mlp_artifact *out = mlp_ctx_output(ctx, "selection");
    const char *split = mlp_ctx_param_string(ctx, "split");
    const char *label = mlp_ctx_param_string(ctx, "label");
    const char *score_param = mlp_ctx_param_string(ctx, "score");
    mlp_table_file *f = NULL;
    fs_feature *feat = NULL;
    fs_label y;
    size_t n = 0, kept = 0;
    fs_mode md;
    fs_score score;
    fs_score_opts so;
    cJSON *doc = NULL;
    char file[300], path[4096];
    mlp_error err;
    int rc;

    mlp_error_clear(&err);
    memset(&y, 0, sizeof y);
    if (!mlp_examples_has_split(ex, split)) {
        char names[400] = "";
        for (size_t i = 0; i < mlp_examples_split_count(ex); i++)
            snprintf(names + strlen(names), sizeof names - strlen(names), "%s'%s'",
                     i ? ", " : "", mlp_examples_split(ex, i));
        return mlp_ctx_fail(ctx, MLP_EINVAL, "split: the Examples at %s have no split "
                            "'%s' (they have %s)", mlp_artifact_uri(ex), split, names);
    }
    if (read_mode(ctx, strcmp(score_param, "none") == 0, &md, &err) != MLP_OK)
        return mlp_ctx_fail_error(ctx, &err);
    if (label == NULL)
        label = cJSON_GetStringValue(mlp_artifact_property(ex, "label"));
    if (label == NULL && strcmp(score_param, "none") != 0)
        return mlp_ctx_fail(ctx, MLP_EINVAL, "no label to score features against: the "
                            "Examples at %s name none; set label = \"<column>\" (or "
                            "score = \"none\" to filter by variance and correlation only)",
                            mlp_artifact_uri(ex));
    snprintf(file, sizeof file, "%s.mlpt", split);
    rc = mlp_artifact_path(ex, file, path, sizeof path, &err);
    if (rc == MLP_OK)
        rc = mlp_table_file_open(path, &f, &err);
    if (rc != MLP_OK)
        return mlp_ctx_fail_error(ctx, &err);
    score = label ? pick_score(score_param, ex, label, f) : FS_NO_SCORE;
    rc = fs_candidates(f, split, mlp_ctx_param(ctx, "features"),
                       mlp_ctx_param(ctx, "exclude"), mlp_ctx_param(ctx, "discrete"),
                       label ? label : "", score == FS_F_CLASSIF || score == FS_F_REGRESSION,
                       &feat, &n, &err);
    /* Without a score the label still decides correlation ties: read it
     * as auto would score it. */
    if (rc == MLP_OK && label)
        rc = fs_label_read(f, split, label, fs_is_classification(
                               score == FS_NO_SCORE ? pick_score("auto", ex, label, f)
                                                    : score), &y, &err);
    if (rc == MLP_OK && !label) {
        /* Filters only: every row counts. */
        y.file_rows = y.n = mlp_table_file_n_rows(f);
        y.yr = calloc(y.n + 1, sizeof *y.yr);
        if (y.yr == NULL)
            rc = mlp_error_set(&err, MLP_ENOMEM, "out of memory");
    }
    if (rc == MLP_OK && mlp_table_file_n_rows(f) == 0)
        rc = mlp_error_set(&err, MLP_EINVAL, "split '%s' has no rows to score features "
                           "on", split);
    if (rc == MLP_OK && y.n == 0)
        rc = mlp_error_set(&err, MLP_EINVAL, "label '%s' is missing in every row of "
                           "split '%s'", label, split);
    so.examples = ex;
    so.score = score;
    so.n_neighbors = (size_t)mlp_ctx_param_int(ctx, "n_neighbors");
    so.seed = (uint64_t)mlp_ctx_param_int(ctx, "seed");
    so.threads = (int)mlp_ctx_param_int(ctx, "threads");
    if (rc == MLP_OK)
        rc = fs_score_features(f, split, &y, feat, n, &so, &err);
    if (rc == MLP_OK) {
        const cJSON *vt = mlp_ctx_param(ctx, "variance_threshold");
        if (vt && !cJSON_IsNull(vt))
            variance_filter(feat, n, mlp_ctx_param_float(ctx, "variance_threshold"));
        const cJSON *ct = mlp_ctx_param(ctx, "correlation_threshold");
        if (ct && !cJSON_IsNull(ct))
            rc = fs_correlation_filter(f, split, &y, feat, n,
                                       mlp_ctx_param_float(ctx, "correlation_threshold"),
                                       &err);
    }
    if (rc == MLP_OK)
        rc = fs_choose(feat, n, score, &md, &err);
    if (rc == MLP_OK) {
        doc = document(feat, n, &y, split, score, &md, ctx);
        rc = fs_write_selection(out, doc, label, n, &err);
    }
    if (rc == MLP_OK) {
        kept = (size_t)cJSON_GetArraySize(cJSON_GetObjectItem(doc, "selected"));
        mlp_ctx_log(ctx, MLP_LOG_INFO, "%zu of %zu features kept (%s, %s)", kept, n,
                    fs_score_name(score), md.name);
    }
    cJSON_Delete(doc);
    fs_label_free(&y);
    free(feat);
    mlp_table_file_close(f);
    return rc == MLP_OK ? MLP_OK : mlp_ctx_fail_error(ctx, &err);
}

/* apply_selection: the Examples with the features a FeatureSelection
 * dropped taken out of every split; the label and columns that were not
 * candidates stay. */
typedef struct applying {
    mlp_names *drop;        /* names (borrowed from the selection document) */
    const cJSON *selected;
    const char *label;      /* the Examples' label: always kept */
} applying;

static int apply_map(const char *split, const mlp_table *in, mlp_table **out,
                     void *user, mlp_error *err)
{
    applying *ap = user;
    const cJSON *s;
    mlp_table *t;
    int rc = MLP_OK;

    cJSON_ArrayForEach(s, ap->selected)
        if (mlp_table_find(in, s->valuestring) == NULL)
            return mlp_error_set(err, MLP_EINVAL, "feature '%s' was selected but is not "
                                 "a column of split '%s'", s->valuestring, split);
    t = mlp_table_new(mlp_table_n_rows(in));
    if (t == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    for (size_t i = 0; i < mlp_table_n_cols(in) && rc == MLP_OK; i++) {
        const mlp_column *c = mlp_table_column(in, i);
        int dropped = mlp_names_find(ap->drop, c->name) != SIZE_MAX;
        /* A selection scored against another column may have ranked the
         * Examples' own label as a feature: it stays all the same. */
        if (ap->label && strcmp(ap->label, c->name) == 0)
            dropped = 0;
        if (!dropped)
            rc = mlp_table_add_copy(t, c->name, c, err);
    }
    if (rc != MLP_OK) {
        mlp_table_free(t);
        return rc;
    }
    *out = t;
    return MLP_OK;
}

static int apply_run(mlp_ctx *ctx)
{
    const mlp_artifact *sa = mlp_ctx_input(ctx, "selection", 0);
    cJSON *doc = NULL;
    const cJSON *ft;
    applying ap;
    char path[4096];
    mlp_error err;
    int rc;

    mlp_error_clear(&err);
    rc = mlp_artifact_path(sa, "selection.json", path, sizeof path, &err);
    if (rc == MLP_OK)
        rc = mlp_json_read_file(path, &doc, &err);
    if (rc != MLP_OK)
        return mlp_ctx_fail_error(ctx, &err);
    ap.drop = mlp_names_new();
    ap.selected = cJSON_GetObjectItem(doc, "selected");
    ap.label = cJSON_GetStringValue(mlp_artifact_property(mlp_ctx_input(ctx, "examples", 0),
                                                          "label"));
    if (ap.drop == NULL) {
        cJSON_Delete(doc);
        return mlp_ctx_fail(ctx, MLP_ENOMEM, "out of memory");
    }
    cJSON_ArrayForEach(ft, cJSON_GetObjectItem(doc, "features"))
        if (strcmp(mlp_json_str(ft, "status"), "kept") != 0 &&
            mlp_names_add(ap.drop, mlp_json_str(ft, "name"), 0, NULL) == MLP_ENOMEM) {
            mlp_names_free(ap.drop);
            cJSON_Delete(doc);
            return mlp_ctx_fail(ctx, MLP_ENOMEM, "out of memory");
        }
    if (!cJSON_IsArray(ap.selected)) {
        mlp_names_free(ap.drop);
        cJSON_Delete(doc);
        return mlp_ctx_fail(ctx, MLP_EFORMAT, "%s: no list of selected features",
                            path);
    }
    rc = mlp_examples_map(ctx, "examples", "examples", apply_map, &ap);
    mlp_names_free(ap.drop);
    cJSON_Delete(doc);
    return rc;
}

static const mlp_port inputs[] = {
    { "examples", MLP_TYPE_EXAMPLES, 0, "the rows to select features on" },
    MLP_PORTS_END
};
static const mlp_port outputs[] = {
    { "selection", MLP_TYPE_FEATURE_SELECTION, 0, "selection.json: every candidate "
      "with its score, p-value, rank, status and reason; property `selected`" },
    MLP_PORTS_END
};
static const mlp_param_spec params[] = {
    { "split", MLP_PARAM_STRING, "\"train\"", 0, 0, 0, NULL,
      "the split scored (never the evaluation rows)" },
    { "label", MLP_PARAM_STRING, "null", 0, 0, 0, NULL,
      "the column scored against; default: the Examples' label" },
    { "score", MLP_PARAM_ENUM, "\"auto\"", 0, 0, 0, score_names,
      "univariate score: chi2, f_classif, mutual_info_classif (classes), "
      "f_regression, mutual_info_regression (a numeric label), none (filters "
      "only); auto: f_classif for a categorical or integer label, f_regression "
      "for decimals" },
    { "mode", MLP_PARAM_ENUM, "null", 0, 0, 0, mode_names,
      "which ranked features stay: the k best, the best percentile, scores >= "
      "threshold, p < alpha (fpr), false discovery rate alpha (fdr), p < alpha / "
      "features (fwe), or all; default k_best, or all with score none" },
    { "k", MLP_PARAM_INT, "null", MLP_PARAM_HAS_MIN, 0, 0, NULL,
      "k_best: features kept, default 10 (more than are left to rank is an error)" },
    { "percentile", MLP_PARAM_FLOAT, "null", MLP_PARAM_HAS_MIN | MLP_PARAM_HAS_MAX, 0, 100,
      NULL, "percentile: the share of features kept, in percent, default 10" },
    { "threshold", MLP_PARAM_FLOAT, "null", 0, 0, 0, NULL,
      "threshold: the lowest score kept (required by that mode)" },
    { "alpha", MLP_PARAM_FLOAT, "null", MLP_PARAM_HAS_MIN | MLP_PARAM_HAS_MAX, 0, 1, NULL,
      "fpr, fdr, fwe: the significance level, default 0.05" },
    { "features", MLP_PARAM_LIST, "[]", MLP_PARAM_OF(MLP_PARAM_STRING), 0, 0, NULL,
      "candidates: column names, glob patterns (\"pixel*\") or \":numeric\" / "
      "\":categorical\"; default every numeric column, and categorical ones "
      "unless the score is an F test" },
    { "exclude", MLP_PARAM_LIST, "[]", MLP_PARAM_OF(MLP_PARAM_STRING), 0, 0, NULL,
      "columns never scored (same forms as features), e.g. ids" },
    { "discrete", MLP_PARAM_LIST, "[]", MLP_PARAM_OF(MLP_PARAM_STRING), 0, 0, NULL,
      "numeric features of integer codes that mutual information treats as "
      "discrete (categorical ones always are)" },
    { "variance_threshold", MLP_PARAM_FLOAT, "null", MLP_PARAM_HAS_MIN, 0, 0, NULL,
      "drop numeric features whose variance is not above this (0 drops constants)" },
    { "correlation_threshold", MLP_PARAM_FLOAT, "null",
      MLP_PARAM_HAS_MIN | MLP_PARAM_HAS_MAX, 0, 1, NULL,
      "of two numeric features with |r| above this, drop the one less associated "
      "with the label (|r| with a numeric label, the correlation ratio with classes)" },
    { "n_neighbors", MLP_PARAM_INT, "3", MLP_PARAM_HAS_MIN | MLP_PARAM_HAS_MAX, 1, 1000,
      NULL, "mutual information: k of the nearest-neighbour estimate" },
    { "seed", MLP_PARAM_INT, "0", MLP_PARAM_HAS_MIN, 0, 0, NULL,
      "mutual information: seed of the noise that breaks ties" },
    { "threads", MLP_PARAM_INT, "2", MLP_PARAM_HAS_MIN | MLP_PARAM_HAS_MAX |
      MLP_PARAM_NO_CACHE_KEY, 1, 64, NULL, "worker threads (by feature)" },
    MLP_PARAMS_END
};

static const mlp_port apply_inputs[] = {
    { "examples", MLP_TYPE_EXAMPLES, 0, "the rows to take features out of" },
    { "selection", MLP_TYPE_FEATURE_SELECTION, 0, "which features stay" },
    MLP_PORTS_END
};
static const mlp_port apply_outputs[] = {
    { "examples", MLP_TYPE_EXAMPLES, 0, "every split, without the dropped features" },
    MLP_PORTS_END
};

static const mlp_component components[] = {
    { "select_features", MLP_STAGE_SELECT,
      "Filter feature selection: variance and correlation filters, then chi2, "
      "ANOVA F or mutual information ranking (scikit-learn's univariate selectors)",
      inputs, outputs, params, run, { NULL } },
    { "apply_selection", MLP_STAGE_SELECT,
      "Takes the features a FeatureSelection dropped out of every split of Examples",
      apply_inputs, apply_outputs, NULL, apply_run, { NULL } },
    { "select_by_model", MLP_STAGE_SELECT,
      "Model-based feature selection around any trainer: recursive elimination (RFE, "
      "RFECV), forward or backward selection by cross-validation, or importances "
      "above a threshold (L1)", inputs, outputs, fs_model_params, fs_model_run, { NULL } },
    MLP_COMPONENTS_END
};

static const mlp_type_desc types[] = {
    { MLP_TYPE_FEATURE_SELECTION, "features ranked and kept or dropped, with reasons",
      "{\"properties\": {\"selected\": \"array\"}, \"files\": [\"selection.json\"]}",
      fs_view, fs_view, { NULL } },
    MLP_TYPES_END
};

MLP_PLUGIN_DEFINE_TYPES(feature_select, "feature_select", "0.1.0", "MIT",
                        "filter feature selection", components, types, NULL, NULL);
