/* Internal: one labeling job, as the workers of mlp_lf_apply see it. */
#ifndef MLPIPE_CORE_LABELING_PRIV_H
#define MLPIPE_CORE_LABELING_PRIV_H

#include <lua.h>

#include <mlpipe/labeling.h>

#include "registry.h"

/* A worker's state, in memory shared with the process that forked it. */
typedef struct mlpi_lf_worker {
    uint64_t done;             /* rows finished (atomic) */
    int finished;              /* set last: the range ran to its end or
                                  stopped on a failure it recorded */
    int code;                  /* MLP_OK, or the failure's */
    size_t fail_row, fail_lf;
    char msg[MLP_ERROR_MAX];
    mlp_lf_result *res;        /* n_lfs entries (shared too) */
} mlpi_lf_worker;

typedef struct mlpi_lf_job {
    const mlpi_component *const *lfs;
    size_t n_lfs;
    const mlp_table *t;
    const char *const *classes;
    size_t k;
    const char *class_list;    /* "a, b, c" for messages */
    mlp_lf_on_error on_error;
    int16_t *votes;            /* shared */
    size_t *stop_row;          /* shared: the lowest failing row so far;
                                  workers past it stop */
} mlpi_lf_job;

/* The Lua side of a worker (lua_lf.c): begin pushes the job's Lua LFs,
 * the class names and the row object onto their state (a job of C LFs
 * only has none); call runs LF j on row: 0 with *vote set, 1 when it
 * raised an error, 2 when it returned no class, msg saying what; end
 * restores the state. */
typedef struct mlpi_lua_lf mlpi_lua_lf;
int mlpi_lua_lf_begin(const mlpi_lf_job *job, mlpi_lua_lf **out);
int mlpi_lua_lf_call(mlpi_lua_lf *s, size_t j, size_t row, int *vote, char *msg, size_t size);
void mlpi_lua_lf_end(mlpi_lua_lf *s);

/* A call of LF lf on row raised msg: counted (on_error ABSTAIN) or
 * recorded as the worker's failure. */
void mlpi_lf_worker_error(const mlpi_lf_job *job, mlpi_lf_worker *w, size_t lf,
                          size_t row, const char *msg);
/* The worker's failure on row (always fatal). */
void mlpi_lf_worker_fail(const mlpi_lf_job *job, mlpi_lf_worker *w, size_t lf,
                         size_t row, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

void mlpi_lua_push_abstain(lua_State *L);

#endif
