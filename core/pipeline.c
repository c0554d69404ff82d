/* Pipeline definitions: nodes, wiring and the checks made before a run. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "artifact_priv.h"
#include "params.h"
#include "pipeline.h"
#include "rootdir.h"

mlpi_pipeline *mlpi_pipeline_new(const char *name, const char *root,
                                 const char *script, mlpi_registry *reg)
{
    mlpi_pipeline *p = calloc(1, sizeof *p);

    if (p == NULL)
        return NULL;
    p->name = strdup(name);
    p->root = strdup(root);
    p->script = strdup(script ? script : "");
    p->reg = reg;
    if (p->name == NULL || p->root == NULL || p->script == NULL) {
        mlpi_pipeline_free(p);
        return NULL;
    }
    return p;
}

static void node_free(mlpi_node *n)
{
    if (n == NULL)
        return;
    free(n->name);
    free(n->where);
    cJSON_Delete(n->params);
    for (size_t i = 0; i < n->n_inputs; i++) {
        for (size_t k = 0; k < n->inputs[i].n; k++) {
            free(n->inputs[i].wires[k].ref_node);
            free(n->inputs[i].wires[k].port);
        }
        free(n->inputs[i].wires);
        mlpi_artifact_free(n->inputs[i].resolved);
    }
    free(n->inputs);
    free(n->lfs);
    free(n);
}

void mlpi_pipeline_free(mlpi_pipeline *p)
{
    if (p == NULL)
        return;
    for (size_t i = 0; i < p->n_nodes; i++)
        node_free(p->nodes[i]);
    free(p->nodes);
    free(p->name);
    free(p->root);
    free(p->script);
    free(p);
}

void mlpi_pipeline_drop_last(mlpi_pipeline *p)
{
    if (p->n_nodes > 0)
        node_free(p->nodes[--p->n_nodes]);
}

int mlpi_pipeline_find(const mlpi_pipeline *p, const char *name)
{
    for (size_t i = 0; i < p->n_nodes; i++)
        if (strcmp(p->nodes[i]->name, name) == 0)
            return (int)i;
    return -1;
}

static int valid_node_name(const char *s)
{
    if (*s == '\0')
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
              (*s >= '0' && *s <= '9') || *s == '_' || *s == '-'))
            return 0;
    return 1;
}

/* An MLP_PARAM_TRAINER parameter: the component it names must be a
 * trainer, and its <name>_params map is resolved against that trainer's
 * list, so a typo in either fails at the script's line. */
static int resolve_trainer(const mlpi_registry *reg, mlpi_node *n, mlp_error *err)
{
    for (const mlp_param_spec *s = n->comp->c.params; s && s->name; s++) {
        char key[160];
        const mlpi_component *t;
        const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(n->params, s->name));
        const cJSON *user, *e;
        cJSON *resolved = NULL;
        int rc;

        if (!(s->flags & MLP_PARAM_TRAINER) || name == NULL)
            continue;
        t = reg ? mlpi_registry_find(reg, name) : NULL;
        if (t == NULL || !t->is_trainer) {
            char list[512] = "";
            size_t k = 0;
            for (size_t i = 0; reg && i < reg->n_comps; i++)
                if (reg->comps[i]->is_trainer)
                    k += (size_t)snprintf(list + k, k < sizeof list ? sizeof list - k : 0,
                                          "%s%s", k ? ", " : "", reg->comps[i]->c.name);
            return mlp_error_set(err, MLP_EINVAL, "parameter '%s': '%s' is %s (trainers: "
                                 "%s)", s->name, name, t ? "not a trainer component"
                                 : "no installed component", k ? list : "none");
        }
        n->trainer = t;
        snprintf(key, sizeof key, "%s_params", s->name);
        if (mlpi_param_find(n->comp->c.params, key) == NULL)
            continue;
        user = cJSON_GetObjectItem(n->params, key);
        /* Which rows and columns are fitted is the node's to say (the
         * fitter sets them): the trainer's own would be ignored. */
        cJSON_ArrayForEach(e, user)
            if (strcmp(e->string, "label") == 0 || strcmp(e->string, "features") == 0 ||
                strcmp(e->string, "train_split") == 0 || strcmp(e->string, "eval_split") == 0)
                return mlp_error_set(err, MLP_EINVAL, "parameter '%s': '%s' is not the "
                                     "trainer's to choose here; %s sets the rows and "
                                     "columns fitted (its own label, features, split)",
                                     key, e->string, n->comp->c.name);
        rc = mlpi_params_resolve(&t->c, user, &resolved, err);
        if (rc != MLP_OK) {
            char why[sizeof err->msg];
            snprintf(why, sizeof why, "%s", err->msg);
            return mlp_error_set(err, rc, "parameter '%s' (of trainer %s): %s", key, name,
                                 why);
        }
        cJSON_ReplaceItemInObject(n->params, key, resolved);
    }
    return MLP_OK;
}

/* MLP_PARAM_LFS lists: every name an LF of the registry, each once. */
static int resolve_lfs(const mlpi_registry *reg, mlpi_node *n, mlp_error *err)
{
    for (const mlp_param_spec *s = n->comp->c.params; s && s->name; s++) {
        const cJSON *list = cJSON_GetObjectItem(n->params, s->name), *e;
        size_t first = n->n_lfs;
        const mlpi_component **more;

        if (!(s->flags & MLP_PARAM_LFS) || !cJSON_IsArray(list))
            continue;
        more = realloc(n->lfs, (n->n_lfs + (size_t)cJSON_GetArraySize(list) + 1) *
                       sizeof *more);
        if (more == NULL)
            return mlp_error_set(err, MLP_ENOMEM, "out of memory");
        n->lfs = more;
        cJSON_ArrayForEach(e, list) {
            const mlpi_component *c = reg ? mlpi_registry_find(reg, e->valuestring) : NULL;
            if (c == NULL || !c->is_lf)
                return mlp_error_set(err, MLP_EINVAL, "parameter '%s': '%s' is %s", s->name,
                                     e->valuestring, c ? "a component, not a labeling "
                                     "function (define one with mp.lf)"
                                     : "no labeling function (define it with mp.lf "
                                     "before this line)");
            for (size_t j = first; j < n->n_lfs; j++)
                if (n->lfs[j] == c)
                    return mlp_error_set(err, MLP_EINVAL, "parameter '%s': '%s' is named "
                                         "twice", s->name, e->valuestring);
            n->lfs[n->n_lfs++] = c;
        }
    }
    return MLP_OK;
}

int mlpi_pipeline_add(mlpi_pipeline *p, const char *component,
                      const char *name, const cJSON *params, const char *where,
                      mlpi_node **out, mlp_error *err)
{
    const mlpi_component *c = mlpi_registry_find(p->reg, component);
    mlpi_node *n, **nn;
    char autoname[256];
    int rc;

    *out = NULL;
    if (c == NULL) {
        int certain;
        const mlpi_refusal *f = mlpi_registry_refusal_for(p->reg, component,
                                                          &certain);
        if (f != NULL && certain)
            return mlp_error_set(err, MLP_EPLUGIN,
                                 "component '%s' cannot be used: its plugin "
                                 "%s was refused: %s", component, f->path,
                                 f->reason);
        if (f != NULL)
            return mlp_error_set(err, MLP_ENOTFOUND,
                                 "unknown component '%s' (plugin %s, which "
                                 "may provide it, was refused: %s)", component,
                                 f->path, f->reason);
        return mlp_error_set(err, MLP_ENOTFOUND,
                             "unknown component '%s' (`mlpipe plugins` lists "
                             "the available ones)", component);
    }
    if (c->is_lf)
        return mlp_error_set(err, MLP_EINVAL, "'%s' is a labeling function (%s), not a "
                             "node: apply it with apply_lfs { lfs = { \"%s\", ... } }",
                             component, c->where ? c->where : c->plugin->path, component);
    if (name == NULL) {
        /* Default names: the component's, then component_2, _3, ... */
        snprintf(autoname, sizeof autoname, "%s", component);
        for (int k = 2; mlpi_pipeline_find(p, autoname) >= 0; k++)
            snprintf(autoname, sizeof autoname, "%s_%d", component, k);
        name = autoname;
    }
    /* A node name is a directory name under artifacts/ and logs/. */
    if (strlen(name) > MLPI_NODE_NAME_MAX) {
        return mlp_error_set(err, MLP_EINVAL,
                             "node name '%.24s...' is %zu characters long; at "
                             "most %d (it names the node's directories)",
                             name, strlen(name), MLPI_NODE_NAME_MAX);
    } else if (!valid_node_name(name)) {
        return mlp_error_set(err, MLP_EINVAL,
                             "node name '%s' may contain only letters, digits, "
                             "'_' and '-'", name);
    } else if (mlpi_pipeline_find(p, name) >= 0) {
        return mlp_error_set(err, MLP_EEXIST,
                             "a node called '%s' already exists (defined at %s)",
                             name, p->nodes[mlpi_pipeline_find(p, name)]->where);
    }
    n = calloc(1, sizeof *n);
    if (n == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    n->comp = c;
    n->cache = 1;
    n->isolate = 1;
    n->name = strdup(name);
    n->where = strdup(where ? where : "?");
    n->n_inputs = mlpi_port_count(c->c.inputs);
    n->inputs = calloc(n->n_inputs ? n->n_inputs : 1, sizeof *n->inputs);
    if (n->name == NULL || n->where == NULL || n->inputs == NULL) {
        node_free(n);
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < n->n_inputs; i++)
        n->inputs[i].port = &c->c.inputs[i];
    rc = mlpi_params_resolve(&c->c, params, &n->params, err);
    if (rc == MLP_OK)
        rc = resolve_trainer(p->reg, n, err);
    if (rc == MLP_OK)
        rc = resolve_lfs(p->reg, n, err);
    if (rc != MLP_OK) {
        node_free(n);
        return rc;
    }
    nn = realloc(p->nodes, (p->n_nodes + 1) * sizeof *nn);
    if (nn == NULL) {
        node_free(n);
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    }
    p->nodes = nn;
    p->nodes[p->n_nodes++] = n;
    *out = n;
    return MLP_OK;
}

static int check_type(const mlpi_pipeline *p, const mlpi_node *n,
                      const mlp_port *in, int src, const char *src_port,
                      mlp_error *err)
{
    const mlpi_node *s = p->nodes[src];
    const mlp_port *out = mlpi_port_find(s->comp->c.outputs, src_port);

    if (out == NULL) {
        char list[512] = "";
        size_t k = 0;
        for (const mlp_port *o = s->comp->c.outputs; o && o->name; o++)
            k += (size_t)snprintf(list + k, k < sizeof list ? sizeof list - k : 0,
                                  "%s%s", k ? ", " : "", o->name);
        return mlp_error_set(err, MLP_ENOTFOUND,
                             "node '%s' (%s) has no output '%s' (outputs: %s)",
                             s->name, s->comp->c.name, src_port,
                             k ? list : "none");
    }
    if (strcmp(out->type, in->type) != 0)
        return mlp_error_set(err, MLP_EINVAL,
                             "input '%s' of node '%s' takes %s, but %s.%s is "
                             "%s", in->name, n->name, in->type, s->name,
                             src_port, out->type);
    return MLP_OK;
}

static mlpi_binding *find_binding(mlpi_node *n, const char *port, mlp_error *err)
{
    for (size_t i = 0; i < n->n_inputs; i++)
        if (strcmp(n->inputs[i].port->name, port) == 0)
            return &n->inputs[i];
    mlp_error_set(err, MLP_ENOTFOUND, "%s has no input '%s'", n->comp->c.name, port);
    return NULL;
}

int mlpi_node_wire(mlpi_pipeline *p, mlpi_node *n, const char *port, int src,
                   const char *src_port, const char *ref, mlp_error *err)
{
    mlpi_binding *b = find_binding(n, port, err);
    mlpi_wire *nw;
    int rc;

    if (b == NULL)
        return MLP_ENOTFOUND;
    if ((b->n > 0 || b->latest_blessed) && !(b->port->flags & MLP_PORT_MULTIPLE))
        return mlp_error_set(err, MLP_EINVAL,
                             "input '%s' of %s takes one artifact, not a list",
                             port, n->comp->c.name);
    if (src >= 0) {
        rc = check_type(p, n, b->port, src, src_port, err);
        if (rc != MLP_OK)
            return rc;
    }
    nw = realloc(b->wires, (b->n + 1) * sizeof *nw);
    if (nw == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    b->wires = nw;
    nw[b->n].src = src;
    nw[b->n].ref_node = ref ? strdup(ref) : NULL;
    nw[b->n].port = strdup(src_port);
    if (nw[b->n].port == NULL || (ref && nw[b->n].ref_node == NULL)) {
        free(nw[b->n].ref_node);
        free(nw[b->n].port);
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    }
    b->n++;
    return MLP_OK;
}

int mlpi_node_wire_latest_blessed(mlpi_node *n, const char *port, mlp_error *err)
{
    mlpi_binding *b = find_binding(n, port, err);

    if (b == NULL)
        return MLP_ENOTFOUND;
    if (strcmp(b->port->type, MLP_TYPE_MODEL) != 0)
        return mlp_error_set(err, MLP_EINVAL, "input '%s' = \"latest_blessed\": only a "
                             "Model input can take the latest blessed model; '%s' takes %s",
                             port, port, b->port->type);
    /* The first run has no blessed model: the port must do without. */
    if (!(b->port->flags & MLP_PORT_OPTIONAL))
        return mlp_error_set(err, MLP_EINVAL, "input '%s' = \"latest_blessed\": the "
                             "first run has no blessed model, and %s needs one", port,
                             n->comp->c.name);
    if (b->n > 0 || b->latest_blessed)
        return mlp_error_set(err, MLP_EINVAL, "input '%s' of %s takes one artifact, not "
                             "a list", port, n->comp->c.name);
    b->latest_blessed = 1;
    return MLP_OK;
}

/* Depth-first search with colours; on a back edge, reports the cycle by
 * walking the parent chain. */
static int visit(const mlpi_pipeline *p, size_t i, char *colour, int *parent,
                 mlp_error *err)
{
    const mlpi_node *n = p->nodes[i];

    colour[i] = 1;
    for (size_t b = 0; b < n->n_inputs; b++)
        for (size_t w = 0; w < n->inputs[b].n; w++) {
            size_t s = (size_t)n->inputs[b].wires[w].src;
            if (colour[s] == 1) {
                char path[1024];
                size_t k = (size_t)snprintf(path, sizeof path, "%s",
                                            p->nodes[s]->name);
                for (size_t c = i; c != s && k < sizeof path; c = (size_t)parent[c])
                    k += (size_t)snprintf(path + k, sizeof path - k, " -> %s",
                                          p->nodes[c]->name);
                if (k < sizeof path)
                    snprintf(path + k, sizeof path - k, " -> %s",
                             p->nodes[s]->name);
                return mlp_error_set(err, MLP_EINVAL,
                                     "%s: cycle in the pipeline: %s "
                                     "(each arrow: feeds into)", n->where, path);
            }
            if (colour[s] == 0) {
                int rc;
                parent[s] = (int)i;
                rc = visit(p, s, colour, parent, err);
                if (rc != MLP_OK)
                    return rc;
            }
        }
    colour[i] = 2;
    return MLP_OK;
}

int mlpi_pipeline_finalize(mlpi_pipeline *p, mlp_error *err)
{
    char *colour;
    int *parent;
    int rc = MLP_OK;

    for (size_t i = 0; i < p->n_nodes; i++) {
        mlpi_node *n = p->nodes[i];
        for (size_t b = 0; b < n->n_inputs; b++) {
            mlpi_binding *bd = &n->inputs[b];
            if (bd->n == 0 && !bd->latest_blessed && !(bd->port->flags & MLP_PORT_OPTIONAL))
                return mlp_error_set(err, MLP_EINVAL,
                                     "%s: node '%s' (%s) needs input '%s' (%s)",
                                     n->where, n->name, n->comp->c.name,
                                     bd->port->name, bd->port->type);
            for (size_t w = 0; w < bd->n; w++) {
                mlpi_wire *wr = &bd->wires[w];
                if (wr->src >= 0)
                    continue;
                wr->src = mlpi_pipeline_find(p, wr->ref_node);
                if (wr->src < 0)
                    return mlp_error_set(err, MLP_ENOTFOUND,
                                         "%s: input '%s' of node '%s' refers to "
                                         "'%s.%s', but there is no node '%s'",
                                         n->where, bd->port->name, n->name,
                                         wr->ref_node, wr->port, wr->ref_node);
                rc = check_type(p, n, bd->port, wr->src, wr->port, err);
                if (rc != MLP_OK)
                    return mlp_error_prefix(err, "%s", n->where);
            }
        }
    }
    colour = calloc(p->n_nodes + 1, 1);
    parent = calloc(p->n_nodes + 1, sizeof *parent);
    if (colour == NULL || parent == NULL) {
        free(colour);
        free(parent);
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < p->n_nodes && rc == MLP_OK; i++)
        if (colour[i] == 0)
            rc = visit(p, i, colour, parent, err);
    free(colour);
    free(parent);
    return rc;
}
