/* Internal: a pipeline definition, the graph of nodes the runner executes.
 *
 * Nodes are added in script order.  An input is wired either to an output
 * handle of an earlier node (checked at once) or to a "node.port" string
 * (checked by mlpi_pipeline_finalize, which also finds cycles).  Every node
 * remembers the script position that defined it, so errors found later
 * still point at the right line.
 */
#ifndef MLPIPE_CORE_PIPELINE_H
#define MLPIPE_CORE_PIPELINE_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "registry.h"

typedef struct mlpi_wire {
    int src;            /* node index, -1 until resolved */
    char *ref_node;     /* as written, for string references */
    char *port;         /* output port of the source node */
} mlpi_wire;

typedef struct mlpi_binding {
    const mlp_port *port;   /* the component's input port */
    mlpi_wire *wires;
    size_t n;
    /* "latest_blessed": the newest Model of this pipeline an earlier run's
     * evaluation blessed, looked up in the store when a run starts
     * (mlpi_runner); resolved is that artifact (owned), or NULL when
     * there is none yet. */
    int latest_blessed;
    mlp_artifact *resolved;
} mlpi_binding;

/* The artifacts a binding feeds its port: its wires', then the one
 * resolved from the store. */
static inline size_t mlpi_binding_count(const mlpi_binding *b)
{
    return b->n + (b->resolved != NULL);
}

typedef struct mlpi_node {
    char *name;
    const mlpi_component *comp;
    cJSON *params;          /* resolved: every declared parameter */
    mlpi_binding *inputs;   /* one per input port, in port order */
    size_t n_inputs;
    int cache;              /* 0: always execute */
    double timeout;         /* seconds, 0 = none */
    int retries;
    int isolate;            /* run in a child process */
    uint64_t memory;        /* bytes it may add; 0: the run's default */
    char *where;            /* "file:line" of the defining call */
    const mlpi_component *trainer;  /* named by an MLP_PARAM_TRAINER
                                       parameter, or NULL */
    const mlpi_component **lfs;     /* named by MLP_PARAM_LFS parameters,
                                       in order (owned array) */
    size_t n_lfs;
} mlpi_node;

typedef struct mlpi_pipeline {
    char *name;
    char *root;
    char *script;
    mlpi_node **nodes;
    size_t n_nodes;
    mlpi_registry *reg;
    uint64_t memory;        /* default node memory limit, 0: none */
} mlpi_pipeline;

mlpi_pipeline *mlpi_pipeline_new(const char *name, const char *root,
                                 const char *script, mlpi_registry *reg);
void mlpi_pipeline_free(mlpi_pipeline *p);
int mlpi_pipeline_find(const mlpi_pipeline *p, const char *name);

/* Creates a node (no inputs wired yet).  `params` is the user's parameter
 * object (borrowed); it is checked and resolved against the spec. */
int mlpi_pipeline_add(mlpi_pipeline *p, const char *component,
                      const char *name, const cJSON *params, const char *where,
                      mlpi_node **out, mlp_error *err);
/* Removes the node added last (after a definition error). */
void mlpi_pipeline_drop_last(mlpi_pipeline *p);
/* Binds port (an optional Model input) to the latest blessed model. */
int mlpi_node_wire_latest_blessed(mlpi_node *n, const char *port, mlp_error *err);
/* Wires input port of node to (src, src_port) or to ref "node.port". */
int mlpi_node_wire(mlpi_pipeline *p, mlpi_node *n, const char *port, int src,
                   const char *src_port, const char *ref, mlp_error *err);
/* Checks required inputs, resolves references, port types and cycles. */
int mlpi_pipeline_finalize(mlpi_pipeline *p, mlp_error *err);

#endif
