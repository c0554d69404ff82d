/* The label plugin: labeling functions applied (apply_lfs), their
 * analysis, and label models that turn the votes into labels
 * (label_model). */
#ifndef MLPIPE_PLUGINS_LABEL_H
#define MLPIPE_PLUGINS_LABEL_H

#include <stddef.h>
#include <stdint.h>

#include <mlpipe/mlpipe.h>
#include <mlpipe/labeling.h>

#define LAB_TYPE_LABEL_MODEL "LabelModel"

/* One split's votes: v[j * n + i] is LF j's vote on row i (a class index
 * or MLP_ABSTAIN); gold[i] a known class or -1 (gold may be NULL). */
typedef struct lab_votes {
    size_t n, m, k;
    int16_t *v;
    int32_t *gold;
} lab_votes;

void lab_votes_free(lab_votes *lv);

/* Snorkel's LF summary of one split, as JSON: per LF its polarity,
 * coverage, overlaps, conflicts, and with gold its correct, incorrect
 * and empirical accuracy; res (may be NULL) adds each LF's errors. */
cJSON *lab_analysis(const lab_votes *lv, const char *const *lfs, const char *const *classes,
                    const mlp_lf_result *res);

/* Reads split's votes from a Labels artifact (its table checked against
 * the artifact's classes and LFs).  Gold labels come along when the
 * Labels recorded them. */
int lab_votes_read(const mlp_artifact *labels, const char *split, lab_votes *out,
                   mlp_error *err);

/* The Labels' classes and LF names as arrays of borrowed strings
 * (NULL-terminated, owned by the caller: free()). */
const char **lab_strings(const cJSON *arr, size_t *n);

/* ---- writing labelled Examples (output.c) ----------------------------- */

typedef struct lab_out {
    const char *label;         /* the label column written */
    const char *drop;          /* a column to leave out (an old label), or NULL */
    const char *const *classes;
    size_t k;
    const int32_t *lab;        /* per input row: class index, or -1 (missing) */
    const double *proba;       /* per input row: k probabilities (NaN: none) */
} lab_out;

/* Writes split `split` of out from table t (ex's split): rows keep[0..nk)
 * with o's label and <label>_proba columns, and their source lines.  The
 * first table written is handed to *described (owned by the caller) for
 * lab_finish_examples. */
int lab_write_split(mlp_artifact *out, const mlp_artifact *ex, const char *split,
                    const mlp_table *t, const lab_out *o, const size_t *keep, size_t nk,
                    mlp_table **described, mlp_error *err);
/* Copies split of ex to out unchanged. */
int lab_copy_split(mlp_artifact *out, const mlp_artifact *ex, const char *split, mlp_error *err);
/* out's properties: ex's, with rows (taken), columns from described,
 * label and label_probabilities. */
int lab_finish_examples(mlp_artifact *out, const mlp_artifact *ex, const mlp_table *described,
                        cJSON *rows, const char *label, const cJSON *classes, mlp_error *err);

/* ---- label models ---------------------------------------------------- */

typedef struct lab_fit {
    size_t m, k;
    double *prior;         /* k: class balance */
    double *theta;         /* m x k x (k + 1): P(vote v | class c), v = k
                              abstains; NULL for majority vote */
    size_t iterations;
    int converged;
    double log_lik;        /* per row, at the end */
} lab_fit;

void lab_fit_free(lab_fit *f);

/* Dawid-Skene EM on lv's rows (see ds.c).  prior_given: k class
 * probabilities to hold fixed, or NULL to learn them. */
int lab_ds_fit(const lab_votes *lv, const double *prior_given, size_t max_iter, double tol,
               double smoothing, lab_fit *f, mlp_error *err);
/* Posterior class probabilities of each row of lv (n x k, row major,
 * the caller's). */
int lab_ds_predict(const lab_fit *f, const lab_votes *lv, double *proba, mlp_error *err);
/* P(vote is right | LF votes), per LF (m entries, the caller's). */
void lab_ds_accuracies(const lab_fit *f, double *acc);

/* Majority vote: proba shared equally by the classes with the most votes
 * (Snorkel's MajorityLabelVoter); rows with no vote get all zeros. */
void lab_majority(const lab_votes *lv, double *proba);

/* Hard labels from proba (n x k): the most probable class; a tie goes to
 * MLP_ABSTAIN (tie_random 0) or to one of the tied classes drawn from
 * seed.  Rows no LF voted on get MLP_ABSTAIN. */
void lab_argmax(const lab_votes *lv, const double *proba, int tie_random, uint64_t seed,
                int32_t *label);

#endif
