/* Linear models: what ridge and logistic regression fit, and the
 * predict / save / load / importance they share. */
#ifndef MLPIPE_TRAIN_LINEAR_H
#define MLPIPE_TRAIN_LINEAR_H

#include <mlpipe/trainer.h>

typedef enum lin_link {
    LIN_IDENTITY = 0,      /* regression: the value */
    LIN_LOGISTIC,          /* two classes: one score, P(class 1) = sigmoid */
    LIN_SOFTMAX            /* k classes: one score each */
} lin_link;

typedef struct linear_model {
    lin_link link;
    size_t d, k;           /* features; score columns (1, or the classes) */
    double *coef;          /* k x d row-major: class c's weights at c * d */
    double *intercept;     /* k */
    /* Set by fit, for save's table of coefficients and the record of how
     * fitting ended; NULL / 0 after load. */
    const char *const *names;
    size_t iterations;
    const char *stop;
    size_t f64_from;       /* the first iteration of the float64 phase, or 0 */
    size_t blocks;         /* streamed: the row groups read per epoch, or 0 */
    size_t passes;         /* ridge: passes over the rows (2: centred exactly) */
} linear_model;

linear_model *linear_new(lin_link link, size_t d, size_t k);
/* The scores x * coef^T + intercept, column-major n x k (ld n). */
void linear_scores(const linear_model *m, const mlp_rows *x, double *z);

int linear_predict(const void *model, const mlp_rows *x, double *out, mlp_error *err);
int linear_save(const void *model, mlp_model_out *o, mlp_error *err);
int linear_load(const mlp_model_in *in, void **model, mlp_error *err);
void linear_free(void *model);
int linear_importance(const void *model, double *out, mlp_error *err);

/* A numeric or boolean parameter of the fit (dflt when it is absent). */
double train_param(const mlp_fit_spec *s, const char *name, double dflt);
/* Monotonic seconds, for rows per second. */
double train_now(void);

/* Trainers (ridge.c, logistic.c, mlp.c, sgd.c). */
extern const mlp_trainer ridge_trainer;
extern const mlp_trainer logistic_trainer;
extern const mlp_trainer mlp_classifier_trainer;
extern const mlp_trainer mlp_regressor_trainer;
extern const mlp_trainer sgd_regressor_trainer;

#endif
