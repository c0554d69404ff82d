/* Transform graphs (transform.h): reading and checking the document, and
 * applying it to raw rows.  Apply works a step at a time over whole
 * columns: every mapper is a loop over rows of one array, and PCA is one
 * matrix product. */
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mlpipe/hash.h>
#include <mlpipe/json.h>
#include <mlpipe/memory.h>
#include <mlpipe/parallel.h>
#include <mlpipe/transform.h>

#include "table_priv.h"
#include "tgraph_priv.h"

/* ---- reading ---------------------------------------------------------- */

static int bad(mlp_error *err, const char *where, size_t step, const char *fmt,
               const char *what)
{
    char msg[600];
    snprintf(msg, sizeof msg, fmt, what ? what : "");
    if (step == (size_t)-1)
        return mlp_error_set(err, MLP_EFORMAT, "%s: %s", where, msg);
    return mlp_error_set(err, MLP_EFORMAT, "%s: step %zu: %s", where, step + 1, msg);
}

/* The working column called name, or -1: the latest definition, so a
 * step's output named as a raw input shadows it for the steps after. */
static ptrdiff_t find_col(const mlp_tgraph *g, const char *name)
{
    size_t i = g->work_index ? mlp_names_find(g->work_index, name) : SIZE_MAX;
    return i == SIZE_MAX ? -1 : (ptrdiff_t)i;
}

/* A new working column: an input's name may be taken again once (by the
 * output that replaces it), an output's never. */
static int add_col(mlp_tgraph *g, const char *name, size_t *at)
{
    ptrdiff_t old = find_col(g, name);
    if ((old >= 0 && g->n_work < g->n_inputs) || old >= (ptrdiff_t)g->n_inputs)
        return MLP_EEXIST;
    if (g->n_work == g->cap_work) {
        size_t cap = g->cap_work ? 2 * g->cap_work : 16;
        char **w = mlp_realloc(g->work, cap * sizeof *w);
        if (w == NULL)
            return MLP_ENOMEM;
        g->work = w;
        g->cap_work = cap;
    }
    if (g->work_index == NULL && (g->work_index = mlp_names_new()) == NULL)
        return MLP_ENOMEM;
    if ((g->work[g->n_work] = mlp_strdup(name)) == NULL)
        return MLP_ENOMEM;
    /* The latest definition wins (put replaces an input's entry). */
    if (mlp_names_put(g->work_index, g->work[g->n_work], g->n_work) != MLP_OK) {
        mlp_free(g->work[g->n_work]);
        return MLP_ENOMEM;
    }
    *at = g->n_work++;
    return MLP_OK;
}

static int num_member(const cJSON *o, const char *k, double *v)
{
    const cJSON *x = cJSON_GetObjectItem(o, k);
    if (!cJSON_IsNumber(x))
        return 0;
    *v = x->valuedouble;
    return 1;
}

/* An array of finite numbers, increasing strictly when `increasing`. */
static int num_array(const cJSON *a, size_t want, int increasing, double **out, size_t *n)
{
    const cJSON *x;
    size_t k = 0, len = (size_t)cJSON_GetArraySize(a);
    if (!cJSON_IsArray(a) || (want && len != want))
        return 0;
    *out = mlp_malloc((len + 1) * sizeof **out);
    if (*out == NULL)
        return 0;
    cJSON_ArrayForEach(x, a) {
        if (!cJSON_IsNumber(x) || !isfinite(x->valuedouble) ||
            (increasing && k > 0 && !(x->valuedouble > (*out)[k - 1]))) {
            mlp_free(*out);
            *out = NULL;
            return 0;
        }
        (*out)[k++] = x->valuedouble;
    }
    *n = len;
    return 1;
}

static const char *const op_names[] = { "impute", "clip", "log", "zscore", "minmax",
                                        "bucketize", NULL };

static int parse_ops(const cJSON *ops, tg_step *st, const char *where, size_t si,
                     mlp_error *err)
{
    const cJSON *o;
    if (!cJSON_IsArray(ops) || cJSON_GetArraySize(ops) == 0)
        return bad(err, where, si, "%sa numeric step needs ops, a list of one or more",
                   NULL);
    st->n_ops = (size_t)cJSON_GetArraySize(ops);
    st->ops = mlp_calloc(st->n_ops + 1, sizeof *st->ops);
    if (st->ops == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    size_t k = 0;
    cJSON_ArrayForEach(o, ops) {
        tg_op *op = &st->ops[k++];
        const char *name = mlp_json_str(o, "op");
        int kind = -1;
        for (int i = 0; op_names[i]; i++)
            if (strcmp(name, op_names[i]) == 0)
                kind = i;
        if (kind < 0)
            return bad(err, where, si, "unknown op '%s' (known: impute, clip, log, "
                       "zscore, minmax, bucketize)", name);
        if (k < st->n_ops && kind == OP_BUCKETIZE)
            return bad(err, where, si, "%sbucketize must be the last op of a chain", NULL);
        op->kind = (tg_op_kind)kind;
        switch (op->kind) {
        case OP_IMPUTE:
            if (!num_member(o, "value", &op->a) || !isfinite(op->a))
                return bad(err, where, si, "%simpute needs a finite value", NULL);
            break;
        case OP_CLIP:
            op->a = -INFINITY;
            op->b = INFINITY;
            num_member(o, "min", &op->a);
            num_member(o, "max", &op->b);
            if (!(op->a <= op->b))
                return bad(err, where, si, "%sclip needs min <= max", NULL);
            break;
        case OP_LOG:
            if (!num_member(o, "offset", &op->a) || !isfinite(op->a))
                return bad(err, where, si, "%slog needs a finite offset", NULL);
            break;
        case OP_ZSCORE:
            if (!num_member(o, "mean", &op->a) || !num_member(o, "std", &op->b) ||
                !isfinite(op->a) || !(op->b > 0) || !isfinite(op->b))
                return bad(err, where, si, "%szscore needs a finite mean and a "
                           "std > 0", NULL);
            break;
        case OP_MINMAX:
            if (!num_member(o, "min", &op->a) || !num_member(o, "range", &op->b) ||
                !isfinite(op->a) || !(op->b > 0) || !isfinite(op->b))
                return bad(err, where, si, "%sminmax needs a finite min and a "
                           "range > 0", NULL);
            break;
        case OP_BUCKETIZE:
            if (!num_array(cJSON_GetObjectItem(o, "boundaries"), 0, 1, &op->bounds,
                           &op->n_bounds))
                return bad(err, where, si, "%sbucketize needs boundaries: finite "
                           "numbers in increasing order", NULL);
            break;
        }
    }
    return MLP_OK;
}

static uint64_t key_hash(const char *s, size_t len)
{
    return mlp_hash64(s, len, 0x7467726170680001ull);
}

static int parse_vocab(const cJSON *v, tg_step *st, const char *where, size_t si,
                       mlp_error *err)
{
    const cJSON *x;
    size_t n = (size_t)cJSON_GetArraySize(v), k = 0;

    if (!cJSON_IsArray(v))
        return bad(err, where, si, "%svocab needs a list of values", NULL);
    st->n_vocab = n;
    st->vocab = mlp_calloc(n + 1, sizeof *st->vocab);
    st->n_slots = 16;
    while (st->n_slots < 2 * n + 2)
        st->n_slots *= 2;
    st->slots = mlp_malloc(st->n_slots * sizeof *st->slots);
    if (st->vocab == NULL || st->slots == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    for (size_t i = 0; i < st->n_slots; i++)
        st->slots[i] = UINT32_MAX;
    cJSON_ArrayForEach(x, v) {
        if (!cJSON_IsString(x))
            return bad(err, where, si, "%svocab entries are strings", NULL);
        if (tg_vocab_find(st, x->valuestring, strlen(x->valuestring)) >= 0)
            return bad(err, where, si, "vocab has '%s' twice", x->valuestring);
        if ((st->vocab[k] = mlp_strdup(x->valuestring)) == NULL)
            return mlp_error_set(err, MLP_ENOMEM, "out of memory");
        size_t at = key_hash(x->valuestring, strlen(x->valuestring)) & (st->n_slots - 1);
        while (st->slots[at] != UINT32_MAX)
            at = (at + 1) & (st->n_slots - 1);
        st->slots[at] = (uint32_t)k++;
    }
    return MLP_OK;
}

ptrdiff_t tg_vocab_find(const tg_step *st, const char *s, size_t len)
{
    size_t at = key_hash(s, len) & (st->n_slots - 1);
    while (st->slots[at] != UINT32_MAX) {
        const char *v = st->vocab[st->slots[at]];
        if (strlen(v) == len && memcmp(v, s, len) == 0)
            return st->slots[at];
        at = (at + 1) & (st->n_slots - 1);
    }
    return -1;
}

static const char *const kind_names[] = { "numeric", "vocab", "hash", "cross", "pca",
                                          "lua", NULL };

/* A step's input names (member "input", or "inputs") as working columns. */
static int step_inputs(mlp_tgraph *g, const cJSON *s, tg_step *st, const char *where,
                       size_t si, mlp_error *err)
{
    const cJSON *one = cJSON_GetObjectItem(s, "input"), *many = cJSON_GetObjectItem(s, "inputs"), *x;
    size_t n = cJSON_IsString(one) ? 1 : (size_t)cJSON_GetArraySize(many), k = 0;

    if (one != NULL && many != NULL)
        return bad(err, where, si, "%shas both input and inputs; give one", NULL);
    if (n == 0 || (!cJSON_IsString(one) && !cJSON_IsArray(many)))
        return bad(err, where, si, "%sneeds an input (or inputs)", NULL);
    st->in = mlp_malloc(n * sizeof *st->in);
    if (st->in == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    st->n_in = n;
    if (cJSON_IsString(one)) {
        ptrdiff_t c = find_col(g, one->valuestring);
        if (c < 0)
            return bad(err, where, si, "input '%s' is neither a graph input nor an "
                       "earlier step's output", one->valuestring);
        st->in[0] = (size_t)c;
        return MLP_OK;
    }
    cJSON_ArrayForEach(x, many) {
        ptrdiff_t c = cJSON_IsString(x) ? find_col(g, x->valuestring) : -1;
        if (c < 0)
            return bad(err, where, si, "input '%s' is neither a graph input nor an "
                       "earlier step's output", cJSON_IsString(x) ? x->valuestring : "?");
        st->in[k++] = (size_t)c;
    }
    return MLP_OK;
}

static int step_outputs(mlp_tgraph *g, const cJSON *s, tg_step *st, const char *where,
                        size_t si, mlp_error *err)
{
    const cJSON *one = cJSON_GetObjectItem(s, "output"), *many = cJSON_GetObjectItem(s, "outputs"), *x;
    size_t n = cJSON_IsString(one) ? 1 : (size_t)cJSON_GetArraySize(many), k = 0;

    if (n == 0 || (!cJSON_IsString(one) && !cJSON_IsArray(many)))
        return bad(err, where, si, "%sneeds an output (or outputs)", NULL);
    st->out = mlp_malloc(n * sizeof *st->out);
    if (st->out == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    st->n_out = n;
    for (x = cJSON_IsString(one) ? one : many->child; x; x = cJSON_IsString(one) ? NULL : x->next) {
        int rc;
        if (!cJSON_IsString(x) || !*x->valuestring)
            return bad(err, where, si, "%soutput names are non-empty strings", NULL);
        for (size_t p = 0; p < g->n_pass; p++)
            if (strcmp(g->pass[p], x->valuestring) == 0)
                return bad(err, where, si, "output '%s' is also a passthrough column",
                           x->valuestring);
        if ((rc = add_col(g, x->valuestring, &st->out[k++])) == MLP_EEXIST)
            return bad(err, where, si, "output '%s' is already a column of the graph",
                       x->valuestring);
        if (rc != MLP_OK)
            return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    }
    return MLP_OK;
}

static int parse_step(mlp_tgraph *g, const cJSON *s, size_t si, const char *where,
                      mlp_error *err)
{
    tg_step *st = &g->steps[si];
    const char *kind = mlp_json_str(s, "kind");
    double v;
    int k = -1, rc;

    for (int i = 0; kind_names[i]; i++)
        if (strcmp(kind, kind_names[i]) == 0)
            k = i;
    if (k < 0)
        return bad(err, where, si, "unknown kind '%s' (known: numeric, vocab, hash, "
                   "cross, pca, lua)", kind);
    st->kind = (tg_kind)k;
    if ((rc = step_inputs(g, s, st, where, si, err)) != MLP_OK)
        return rc;
    /* Inputs must be of the kind the step reads. */
    for (size_t i = 0; i < st->n_in; i++) {
        int text = st->in[i] < g->n_inputs && g->types[st->in[i]] != MLP_COL_NUMERIC;
        if (text && (st->kind == ST_NUMERIC || st->kind == ST_PCA))
            return bad(err, where, si, "'%s' is categorical: a numeric mapper or PCA "
                       "reads numbers", g->work[st->in[i]]);
    }
    if ((st->kind == ST_NUMERIC || st->kind == ST_VOCAB || st->kind == ST_HASH) &&
        st->n_in != 1)
        return bad(err, where, si, "%sreads exactly one input", NULL);
    if (st->kind == ST_CROSS && st->n_in < 2)
        return bad(err, where, si, "%sa cross reads two or more inputs", NULL);
    switch (st->kind) {
    case ST_NUMERIC:
        if ((rc = parse_ops(cJSON_GetObjectItem(s, "ops"), st, where, si, err)) != MLP_OK)
            return rc;
        break;
    case ST_VOCAB:
        if ((rc = parse_vocab(cJSON_GetObjectItem(s, "vocab"), st, where, si, err)) != MLP_OK)
            return rc;
        if (cJSON_GetObjectItem(s, "oov_buckets") != NULL && !num_member(s, "oov_buckets", &v))
            return bad(err, where, si, "%soov_buckets is a number", NULL);
        st->oov = num_member(s, "oov_buckets", &v) ? (size_t)v : 0;
        if (num_member(s, "oov_buckets", &v) && !(v >= 0 && v <= 1e6 && v == floor(v)))
            return bad(err, where, si, "%soov_buckets is an integer 0 .. 1e6", NULL);
        st->one_hot = cJSON_IsTrue(cJSON_GetObjectItem(s, "one_hot"));
        break;
    case ST_HASH:
    case ST_CROSS:
        if (!num_member(s, "buckets", &v) || !(v >= 1 && v <= 1e9 && v == floor(v)))
            return bad(err, where, si, "%sbuckets is an integer 1 .. 1e9", NULL);
        st->buckets = (uint64_t)v;
        break;
    case ST_PCA: {
        size_t n, p = st->n_in;
        const cJSON *comp = cJSON_GetObjectItem(s, "components"), *row;
        if (!num_array(cJSON_GetObjectItem(s, "mean"), p, 0, &st->mean, &n))
            return bad(err, where, si, "%spca needs a mean per input", NULL);
        st->k = (size_t)cJSON_GetArraySize(comp);
        if (!cJSON_IsArray(comp) || st->k == 0 || st->k > p)
            return bad(err, where, si, "%spca needs 1 .. inputs components", NULL);
        st->comp = mlp_malloc(st->k * p * sizeof *st->comp);
        if (st->comp == NULL)
            return mlp_error_set(err, MLP_ENOMEM, "out of memory");
        size_t r = 0;
        cJSON_ArrayForEach(row, comp) {
            double *vals;
            if (!num_array(row, p, 0, &vals, &n))
                return bad(err, where, si, "%spca components are rows of one number "
                           "per input", NULL);
            memcpy(st->comp + r++ * p, vals, p * sizeof *vals);
            mlp_free(vals);
        }
        st->k_pad = (st->k + 3) & ~(size_t)3;
        st->comp_t = mlp_calloc(p * st->k_pad + 1, sizeof *st->comp_t);
        if (st->comp_t == NULL)
            return mlp_error_set(err, MLP_ENOMEM, "out of memory");
        for (size_t c = 0; c < st->k; c++)
            for (size_t j = 0; j < p; j++)
                st->comp_t[j * st->k_pad + c] = st->comp[c * p + j];
        if (cJSON_GetObjectItem(s, "scale") &&
            !num_array(cJSON_GetObjectItem(s, "scale"), st->k, 0, &st->scale, &n))
            return bad(err, where, si, "%spca scale has one number per component", NULL);
        break;
    }
    case ST_LUA:
        st->source = mlp_strdup(mlp_json_str(s, "source"));
        st->name = mlp_strdup(mlp_json_str(s, "name"));
        if (st->source == NULL || st->name == NULL)
            return mlp_error_set(err, MLP_ENOMEM, "out of memory");
        if ((rc = tg_lua_check(g, st, where, si, err)) != MLP_OK)
            return rc;
        break;
    }
    if ((rc = step_outputs(g, s, st, where, si, err)) != MLP_OK)
        return rc;
    size_t want = st->kind == ST_NUMERIC ? 1 + (size_t)(cJSON_IsTrue(cJSON_GetObjectItem(s, "indicator")) != 0)
                : st->kind == ST_VOCAB && st->one_hot ? st->n_vocab + st->oov
                : st->kind == ST_PCA ? st->k : st->kind == ST_LUA ? st->n_out : 1;
    if (st->kind == ST_NUMERIC && want == 2)
        st->indicator = 1;
    if (st->n_out != want)
        return bad(err, where, si, "%sthe outputs do not match what the step writes", NULL);
    return MLP_OK;
}

int mlp_tgraph_parse(const cJSON *doc, const char *where, mlp_tgraph **out, mlp_error *err)
{
    mlp_tgraph *g = mlp_calloc(1, sizeof *g);
    const cJSON *x, *ins = cJSON_GetObjectItem(doc, "inputs");
    int rc = MLP_OK;

    *out = NULL;
    if (g == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    if (strcmp(mlp_json_str(doc, "format"), MLP_TGRAPH_FORMAT) != 0) {
        rc = bad(err, where, (size_t)-1, "not a transform graph (format is not '%s')",
                 MLP_TGRAPH_FORMAT);
        goto fail;
    }
    if (!cJSON_IsNumber(cJSON_GetObjectItem(doc, "version"))) {
        rc = mlp_error_set(err, MLP_EFORMAT, "%s: needs a version (a number)", where);
        goto fail;
    }
    if (mlp_json_num(doc, "version") != MLP_TGRAPH_VERSION) {
        rc = mlp_error_set(err, MLP_EVERSION, "%s: transform graph version %g; this "
                           "build reads version %d", where, mlp_json_num(doc, "version"),
                           MLP_TGRAPH_VERSION);
        goto fail;
    }
    /* Members every graph has: a graph without them would apply as
     * nothing (no outputs) and say nothing. */
    static const char *const lists[] = { "inputs", "passthrough", "steps", "outputs", NULL };
    for (int l = 0; lists[l]; l++) {
        const cJSON *a = cJSON_GetObjectItem(doc, lists[l]);
        if (!cJSON_IsArray(a)) {
            rc = bad(err, where, (size_t)-1, "needs %s, a list", lists[l]);
            goto fail;
        }
        cJSON_ArrayForEach(x, a)
            if ((l == 1 || l == 3) && !cJSON_IsString(x)) {
                rc = bad(err, where, (size_t)-1, "%s: every entry is a column name (a "
                         "string)", lists[l]);
                goto fail;
            }
    }
    if (cJSON_GetArraySize(cJSON_GetObjectItem(doc, "outputs")) == 0) {
        rc = mlp_error_set(err, MLP_EFORMAT, "%s: outputs: the graph emits no feature",
                           where);
        goto fail;
    }
    g->n_inputs = (size_t)cJSON_GetArraySize(ins);
    g->types = mlp_calloc(g->n_inputs + 1, sizeof *g->types);
    if (g->types == NULL) {
        rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
        goto fail;
    }
    size_t i = 0;
    cJSON_ArrayForEach(x, ins) {
        const char *t = mlp_json_str(x, "type");
        size_t at;
        g->types[i++] = strcmp(t, "numeric") == 0 ? MLP_COL_NUMERIC
                      : strcmp(t, "categorical") == 0 ? MLP_COL_CATEGORICAL
                      : strcmp(t, "string") == 0 ? MLP_COL_STRING : 0;
        if (!*mlp_json_str(x, "name") || g->types[i - 1] == 0) {
            rc = bad(err, where, (size_t)-1, "inputs: '%s' needs a name and a type "
                     "(numeric, categorical or string)", mlp_json_str(x, "name"));
            goto fail;
        }
        if ((rc = add_col(g, mlp_json_str(x, "name"), &at)) != MLP_OK) {
            rc = rc == MLP_EEXIST ? bad(err, where, (size_t)-1, "inputs: '%s' twice",
                                        mlp_json_str(x, "name"))
                                  : mlp_error_set(err, MLP_ENOMEM, "out of memory");
            goto fail;
        }
    }
    g->n_pass = (size_t)cJSON_GetArraySize(cJSON_GetObjectItem(doc, "passthrough"));
    g->pass = mlp_calloc(g->n_pass + 1, sizeof *g->pass);
    i = 0;
    cJSON_ArrayForEach(x, cJSON_GetObjectItem(doc, "passthrough"))
        if (g->pass)
            g->pass[i++] = mlp_strdup(x->valuestring);
    g->n_pass = i;
    g->n_steps = (size_t)cJSON_GetArraySize(cJSON_GetObjectItem(doc, "steps"));
    g->steps = mlp_calloc(g->n_steps + 1, sizeof *g->steps);
    if (g->pass == NULL || g->steps == NULL) {
        rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
        goto fail;
    }
    i = 0;
    cJSON_ArrayForEach(x, cJSON_GetObjectItem(doc, "steps"))
        if ((rc = parse_step(g, x, i++, where, err)) != MLP_OK)
            goto fail;
    g->n_emit = (size_t)cJSON_GetArraySize(cJSON_GetObjectItem(doc, "outputs"));
    g->emit = mlp_malloc((g->n_emit + 1) * sizeof *g->emit);
    if (g->emit == NULL) {
        rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
        goto fail;
    }
    i = 0;
    unsigned char *listed = mlp_calloc(g->n_work + 1, 1);
    if (listed == NULL) {
        rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
        goto fail;
    }
    cJSON_ArrayForEach(x, cJSON_GetObjectItem(doc, "outputs")) {
        ptrdiff_t c = cJSON_IsString(x) ? find_col(g, x->valuestring) : -1;
        if (c < (ptrdiff_t)g->n_inputs || listed[c]) {
            rc = bad(err, where, (size_t)-1, c < (ptrdiff_t)g->n_inputs
                     ? "outputs: '%s' is no step's output" : "outputs: '%s' is listed twice",
                     cJSON_IsString(x) ? x->valuestring : "?");
            mlp_free(listed);
            goto fail;
        }
        listed[c] = 1;
        g->emit[i++] = (size_t)c;
    }
    mlp_free(listed);
    *out = g;
    return MLP_OK;
fail:
    mlp_tgraph_free(g);
    return rc;
}

int mlp_tgraph_load(const char *path, mlp_tgraph **out, mlp_error *err)
{
    cJSON *doc = NULL;
    int rc = mlp_json_read_file(path, &doc, err);

    *out = NULL;
    if (rc != MLP_OK)
        return rc;
    rc = mlp_tgraph_parse(doc, path, out, err);
    cJSON_Delete(doc);
    return rc;
}

void mlp_tgraph_free(mlp_tgraph *g)
{
    if (g == NULL)
        return;
    for (size_t i = 0; i < g->n_steps; i++) {
        tg_step *st = &g->steps[i];
        for (size_t k = 0; k < st->n_ops; k++)
            mlp_free(st->ops[k].bounds);
        for (size_t k = 0; k < st->n_vocab && st->vocab; k++)
            mlp_free(st->vocab[k]);
        mlp_free(st->ops);
        mlp_free(st->vocab);
        mlp_free(st->slots);
        mlp_free(st->in);
        mlp_free(st->out);
        mlp_free(st->mean);
        mlp_free(st->comp);
        mlp_free(st->comp_t);
        mlp_free(st->scale);
        mlp_free(st->source);
        mlp_free(st->name);
    }
    mlp_names_free(g->work_index);
    for (size_t i = 0; i < g->n_work; i++)
        mlp_free(g->work[i]);
    for (size_t i = 0; i < g->n_pass; i++)
        mlp_free(g->pass[i]);
    mlp_free(g->work);
    mlp_free(g->pass);
    mlp_free(g->types);
    mlp_free(g->steps);
    mlp_free(g->emit);
    mlp_free(g);
}

size_t mlp_tgraph_n_inputs(const mlp_tgraph *g) { return g->n_inputs; }
size_t mlp_tgraph_n_outputs(const mlp_tgraph *g) { return g->n_emit; }
size_t mlp_tgraph_n_computed(const mlp_tgraph *g) { return g->n_work - g->n_inputs; }

const char *mlp_tgraph_input(const mlp_tgraph *g, size_t i, mlp_col_type *type)
{
    if (i >= g->n_inputs)
        return NULL;
    if (type)
        *type = g->types[i];
    return g->work[i];
}

const char *mlp_tgraph_output(const mlp_tgraph *g, size_t i)
{
    return i < g->n_emit ? g->work[g->emit[i]] : NULL;
}

/* ---- applying --------------------------------------------------------- */

/* A value of working column c at row r as text, for the keyed mappers;
 * NULL when missing.  Numbers are written as the shortest text that reads
 * back exactly (%.17g trimmed), so 3 and 3.0 are the same key. */
const char *tg_key(const tg_run *run, size_t c, size_t r, char *buf, size_t cap,
                   size_t *len)
{
    const mlp_column *raw = run->raw[c];
    if (raw && raw->type == MLP_COL_CATEGORICAL) {
        if (raw->codes[r] < 0)
            return NULL;
        return mlp_column_level(raw, (size_t)raw->codes[r], len);
    }
    if (raw && raw->type == MLP_COL_STRING) {
        if (mlp_column_is_missing(raw, r))
            return NULL;
        return mlp_column_string(raw, r, len);
    }
    double v = tg_num(run, c, r);
    int64_t exact;
    if (isnan(v))
        return NULL;
    /* Integers beyond 2^53 (ids) by their exact digits: as doubles two
     * of them would share a key.  Below that the shortest digits that
     * read back, as graphs have always hashed them; -0 as 0. */
    if (tg_exact_int(run, c, r, &exact)) {
        snprintf(buf, cap, "%" PRId64, exact);
        *len = strlen(buf);
        return buf;
    }
    if (v == 0)
        v = 0;
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, cap, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    *len = strlen(buf);
    return buf;
}

int tg_exact_int(const tg_run *run, size_t c, size_t r, int64_t *out)
{
    const mlp_column *raw = run->raw[c];

    /* `num` holds such a value rounded (2^53 + 1 as 2^53): ask `ints`. */
    if (run->num[c] != NULL || raw == NULL || raw->type != MLP_COL_NUMERIC ||
        raw->ints == NULL || isnan(mlp_column_number(raw, r)) ||
        (raw->ints[r] >= -INT64_C(9007199254740992) && raw->ints[r] <= INT64_C(9007199254740992)))
        return 0;
    *out = raw->ints[r];
    return 1;
}

double tg_num(const tg_run *run, size_t c, size_t r)
{
    if (run->num[c])
        return run->num[c][r];
    return mlp_column_number(run->raw[c], r);
}

/* One op on one value. */
static double run_op(const tg_op *op, double v)
{
    switch (op->kind) {
    case OP_IMPUTE:
        return isnan(v) ? op->a : v;
    case OP_CLIP:
        return isnan(v) ? v : v < op->a ? op->a : v > op->b ? op->b : v;
    case OP_LOG:
        /* log of a number at or below -offset is undefined: missing.
         * Offset 1 is log1p, exact near 0. */
        return !(v + op->a > 0) ? NAN : op->a == 1 ? log1p(v) : log(v + op->a);
    case OP_ZSCORE:
    case OP_MINMAX:
        return (v - op->a) / op->b;
    case OP_BUCKETIZE: {
        if (isnan(v))
            return v;
        size_t lo = 0, hi = op->n_bounds;
        while (lo < hi) { /* boundaries at or below v */
            size_t m = lo + (hi - lo) / 2;
            if (op->bounds[m] <= v)
                lo = m + 1;
            else
                hi = m;
        }
        return (double)lo;
    }
    }
    return v;
}

/* Every value of working column c into y[0..n), NaN where missing: a
 * column at a time, so the ops below run as tight loops. */
static void column_numbers(const tg_run *run, size_t c, size_t n, double *y)
{
    const mlp_column *col = run->num[c] ? NULL : run->raw[c];

    if (col == NULL) {
        memcpy(y, run->num[c], n * sizeof *y);
    } else if (col->num != NULL && col->missing == NULL) {
        memcpy(y, col->num, n * sizeof *y);
    } else if (col->packed != NULL && col->packing == MLP_PACK_U8 && col->missing == NULL) {
        const uint8_t *b = col->packed;
        for (size_t r = 0; r < n; r++)
            y[r] = b[r];
    } else {
        for (size_t r = 0; r < n; r++)
            y[r] = mlp_column_number(col, r);
    }
}

/* One op over a whole column, as tight loops for the common affine ops;
 * each value gets the arithmetic run_op gives it. */
static void column_op(const tg_op *op, double *y, size_t n)
{
    if (op->kind == OP_ZSCORE || op->kind == OP_MINMAX) {
        double a = op->a, b = op->b;
        for (size_t r = 0; r < n; r++)
            y[r] = (y[r] - a) / b;
    } else {
        for (size_t r = 0; r < n; r++)
            y[r] = run_op(op, y[r]);
    }
}

/* A numeric step on a raw column stored a byte per row (pixels, counts,
 * ratings): the ops run once on each of the 256 byte values and once on
 * a missing value, and every row looks its result up.  Each entry is
 * computed by column_op() as a row's value would be, so the results are
 * the same bits.  Returns 0 when the input is not so stored. */
/* The codes and dictionary of a numeric step's output y computed by
 * numeric_by_table() from byte column col (tab: the result for each byte,
 * then for a missing value): the results the rows use, NaN ones marked
 * missing instead.  Left out (the writer finds its own form) when memory
 * runs out. */
static void code_output(tg_coded *out, const mlp_column *col, const double *tab, size_t n)
{
    const uint8_t *code = col->packed;
    unsigned char used[257] = { 0 };
    int map[257];
    double dict[257];
    size_t k = 0;

    for (size_t r = 0; r < n; r++)
        used[col->missing && mlp_column_is_missing(col, r) ? 256 : code[r]] = 1;
    for (int b = 0; b < 257; b++) {
        map[b] = -1;
        if (used[b] && !isnan(tab[b])) {
            map[b] = (int)k;
            dict[k++] = tab[b];
        }
    }
    if (k == 0 || k > 256)
        return;
    out->codes = mlp_malloc(n + 1);
    out->dict = mlp_malloc(k * sizeof *out->dict);
    if (out->codes == NULL || out->dict == NULL)
        goto fail;
    memcpy(out->dict, dict, k * sizeof *dict);
    out->k = k;
    for (size_t r = 0; r < n; r++) {
        int m = map[col->missing && mlp_column_is_missing(col, r) ? 256 : code[r]];
        out->codes[r] = m < 0 ? 0 : (uint8_t)m;
        if (m < 0) {
            if (out->miss == NULL && (out->miss = mlp_calloc(n / 8 + 1, 1)) == NULL)
                goto fail;
            out->miss[r >> 3] |= (uint8_t)(1u << (r & 7));
        }
    }
    return;
fail:
    mlp_free(out->codes);
    mlp_free(out->dict);
    mlp_free(out->miss);
    memset(out, 0, sizeof *out);
}

static int numeric_by_table(tg_run *run, const tg_step *st, size_t n, double *y,
                            double *ind)
{
    const mlp_column *col = run->num[st->in[0]] ? NULL : run->raw[st->in[0]];
    double tab[257];

    if (col == NULL || col->num != NULL || col->packed == NULL || col->ints != NULL ||
        (col->packing != MLP_PACK_U8 && col->packing != MLP_PACK_I8) || n < 1024)
        return 0;
    for (int b = 0; b < 256; b++)
        tab[b] = col->packing == MLP_PACK_U8 ? (double)b : (double)(int8_t)(uint8_t)b;
    tab[256] = NAN;
    for (size_t k = 0; k < st->n_ops; k++)
        column_op(&st->ops[k], tab, 257);
    const uint8_t *code = col->packed;
    if (col->missing == NULL) {
        for (size_t r = 0; r < n; r++)
            y[r] = tab[code[r]];
    } else {
        for (size_t r = 0; r < n; r++)
            y[r] = mlp_column_is_missing(col, r) ? tab[256] : tab[code[r]];
    }
    if (ind)
        for (size_t r = 0; r < n; r++)
            ind[r] = col->missing != NULL && mlp_column_is_missing(col, r) ? 1 : 0;
    code_output(&run->coded[st->out[0]], col, tab, n);
    return 1;
}

static int apply_step(const mlp_tgraph *g, tg_run *run, const tg_step *st, size_t n,
                      mlp_error *err)
{
    char buf[64], *cross = NULL;
    size_t cross_cap = 0;

    for (size_t o = 0; o < st->n_out; o++) {
        run->num[st->out[o]] = mlp_malloc((n + 1) * sizeof(double));
        if (run->num[st->out[o]] == NULL)
            return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    }
    switch (st->kind) {
    case ST_NUMERIC: {
        double *y = run->num[st->out[0]], *ind = st->indicator ? run->num[st->out[1]] : NULL;
        if (numeric_by_table(run, st, n, y, ind))
            break;
        column_numbers(run, st->in[0], n, y);
        if (ind)
            for (size_t r = 0; r < n; r++)
                ind[r] = isnan(y[r]) ? 1 : 0;
        for (size_t k = 0; k < st->n_ops; k++)
            column_op(&st->ops[k], y, n);
        break;
    }
    case ST_VOCAB:
    case ST_HASH:
        for (size_t r = 0; r < n; r++) {
            size_t len = 0;
            const char *key = tg_key(run, st->in[0], r, buf, sizeof buf, &len);
            double idx;
            if (key == NULL)
                idx = NAN;
            else if (st->kind == ST_HASH)
                idx = (double)(key_hash(key, len) % st->buckets);
            else {
                ptrdiff_t k = tg_vocab_find(st, key, len);
                idx = k >= 0 ? (double)k
                    : st->oov ? (double)(st->n_vocab + key_hash(key, len) % st->oov) : -1;
            }
            if (!st->one_hot) {
                run->num[st->out[0]][r] = idx;
                continue;
            }
            /* One column per entry and out-of-vocabulary bucket: a missing
             * or unseen value without buckets sets none. */
            for (size_t o = 0; o < st->n_out; o++)
                run->num[st->out[o]][r] = idx == (double)o ? 1 : 0;
        }
        break;
    case ST_CROSS:
        for (size_t r = 0; r < n; r++) {
            size_t used = 0;
            double idx = 0;
            for (size_t i = 0; i < st->n_in; i++) {
                size_t len = 0;
                const char *key = tg_key(run, st->in[i], r, buf, sizeof buf, &len);
                if (key == NULL) {
                    idx = NAN;
                    break;
                }
                if (used + len + 1 > cross_cap) {
                    size_t cap = 2 * (used + len + 1) + 64;
                    char *c = mlp_realloc(cross, cap);
                    if (c == NULL) {
                        mlp_free(cross);
                        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
                    }
                    cross = c;
                    cross_cap = cap;
                }
                /* Values joined by a unit separator: ("a,b", "c") and
                 * ("a", "b,c") stay apart. */
                memcpy(cross + used, key, len);
                used += len;
                cross[used++] = '\x1f';
            }
            run->num[st->out[0]][r] = isnan(idx) ? NAN
                                    : (double)(key_hash(cross, used) % st->buckets);
        }
        mlp_free(cross);
        break;
    case ST_PCA:
        return tg_apply_pca(run, st, n, err);
    case ST_LUA:
        return tg_lua_apply(g, run, st, n, err);
    }
    return MLP_OK;
}

/* Work for the processors: the steps in [first, first + count) (numeric
 * steps on raw columns, each writing only its own columns), or the
 * missing-value bitmaps of the outputs. */
typedef struct apply_job {
    const mlp_tgraph *g;
    tg_run *run;
    size_t first, n;
    int *rc;                /* per task: MLP_OK or MLP_ENOMEM */
    uint8_t **miss;         /* per output: its bitmap, NULL when none is missing */
} apply_job;

static int independent(const mlp_tgraph *g, const tg_step *st)
{
    return st->kind == ST_NUMERIC && st->in[0] < g->n_inputs;
}

static void step_task(void *arg, size_t i, int worker)
{
    apply_job *j = arg;
    mlp_error e;

    (void)worker;
    j->rc[i] = apply_step(j->g, j->run, &j->g->steps[j->first + i], j->n, &e);
}

/* Output i's rows that are NaN, marked missing. */
static void missing_task(void *arg, size_t i, int worker)
{
    apply_job *j = arg;
    const double *v = j->run->num[j->g->emit[i]];
    tg_coded *cd = &j->run->coded[j->g->emit[i]];
    uint8_t *miss = NULL;

    (void)worker;
    if (cd->codes != NULL) {
        /* Known already: the rows its code marks missing. */
        j->miss[i] = cd->miss;
        cd->miss = NULL;
        return;
    }
    for (size_t r = 0; r < j->n; r++)
        if (isnan(v[r])) {
            if (miss == NULL && (miss = mlp_calloc(j->n / 8 + 1, 1)) == NULL) {
                j->rc[i] = MLP_ENOMEM;
                return;
            }
            miss[r >> 3] |= (uint8_t)(1u << (r & 7));
        }
    j->miss[i] = miss;
}

/* Runs the steps: a run of numeric steps on raw columns on every
 * processor when the rows are many, the others in order. */
static int run_steps(const mlp_tgraph *g, tg_run *run, size_t n, mlp_error *err)
{
    int rc = MLP_OK;

    for (size_t s = 0; s < g->n_steps && rc == MLP_OK;) {
        size_t e = s;
        while (e < g->n_steps && independent(g, &g->steps[e]))
            e++;
        if (e - s < 2 || n < 4096) {
            rc = apply_step(g, run, &g->steps[s], n, err);
            s++;
            continue;
        }
        int *rcs = mlp_calloc(e - s, sizeof *rcs);
        if (rcs == NULL)
            return mlp_error_set(err, MLP_ENOMEM, "out of memory");
        apply_job j = { g, run, s, n, rcs, NULL };
        mlp_parallel_for(e - s, mlp_cpu_count(), step_task, &j);
        for (size_t k = 0; k < e - s && rc == MLP_OK; k++)
            if (rcs[k] != MLP_OK)
                rc = mlp_error_set(err, rcs[k], "out of memory");
        mlp_free(rcs);
        s = e;
    }
    return rc;
}

/* Adds the outputs to t, the working columns taken over (every step has
 * run, and parsing refused an output listed twice), NaN rows marked
 * missing. */
static int emit_all(const mlp_tgraph *g, tg_run *run, size_t n, mlp_table *t, mlp_error *err)
{
    int *rcs = mlp_calloc(g->n_emit + 1, sizeof *rcs);
    uint8_t **miss = mlp_calloc(g->n_emit + 1, sizeof *miss);
    int rc = MLP_OK;

    if (rcs == NULL || miss == NULL) {
        mlp_free(rcs);
        mlp_free(miss);
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    }
    apply_job j = { g, run, 0, n, rcs, miss };
    mlp_parallel_for(g->n_emit, n * g->n_emit >= 65536 ? mlp_cpu_count() : 1, missing_task, &j);
    for (size_t i = 0; i < g->n_emit; i++) {
        size_t c = g->emit[i];
        if (rc == MLP_OK && rcs[i] != MLP_OK)
            rc = mlp_error_set(err, rcs[i], "out of memory");
        if (rc == MLP_OK) {
            double *v = run->num[c];
            tg_coded *cd = &run->coded[c];
            run->num[c] = NULL;
            rc = cd->codes ? mlpi_table_adopt_coded(t, g->work[c], v, miss[i], cd->codes,
                                                    cd->dict, cd->k, err)
                           : mlp_table_adopt_numeric(t, g->work[c], v, miss[i], err);
            cd->codes = NULL;
            cd->dict = NULL;
        } else {
            mlp_free(miss[i]);
        }
    }
    mlp_free(rcs);
    mlp_free(miss);
    return rc;
}

int mlp_tgraph_apply(const mlp_tgraph *g, const mlp_table *raw, mlp_table **out,
                     mlp_error *err)
{
    return mlp_tgraph_apply_rows(g, raw, 0, out, NULL, err);
}

int mlp_tgraph_apply_rows(const mlp_tgraph *g, const mlp_table *raw, size_t first_row,
                          mlp_table **out, size_t *bad_row, mlp_error *err)
{
    size_t n = mlp_table_n_rows(raw);
    tg_run run = { NULL, NULL, NULL, NULL, first_row, SIZE_MAX };
    mlp_table *t = NULL;
    int rc = MLP_OK;

    *out = NULL;
    run.names = (const char *const *)g->work;
    run.raw = mlp_calloc(g->n_work + 1, sizeof *run.raw);
    run.num = mlp_calloc(g->n_work + 1, sizeof *run.num);
    run.coded = mlp_calloc(g->n_work + 1, sizeof *run.coded);
    if (run.raw == NULL || run.num == NULL || run.coded == NULL) {
        rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < g->n_inputs; i++) {
        const mlp_column *c = mlp_table_find(raw, g->work[i]);
        int want_num = g->types[i] == MLP_COL_NUMERIC;
        if (c == NULL) {
            rc = mlp_error_set(err, MLP_EINVAL, "the rows have no column '%s', which "
                               "the transform graph reads", g->work[i]);
            goto done;
        }
        if (want_num != (c->type == MLP_COL_NUMERIC) || c->type == MLP_COL_MATRIX) {
            rc = mlp_error_set(err, MLP_EINVAL, "column '%s' is %s; the transform graph "
                               "was fitted on %s values", g->work[i],
                               mlp_col_type_name(c->type), want_num ? "numeric" : "text");
            goto done;
        }
        run.raw[i] = c;
    }
    rc = run_steps(g, &run, n, err);
    if (rc != MLP_OK)
        goto done;
    t = mlp_table_new(n);
    if (t == NULL) {
        rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < g->n_pass && rc == MLP_OK; i++) {
        const mlp_column *c = mlp_table_find(raw, g->pass[i]);
        if (c != NULL)
            rc = mlp_table_add_copy(t, c->name, c, err);
    }
    if (rc == MLP_OK)
        rc = emit_all(g, &run, n, t, err);
done:
    for (size_t i = 0; run.num && i < g->n_work; i++)
        mlp_free(run.num[i]);
    for (size_t i = 0; run.coded && i < g->n_work; i++) {
        mlp_free(run.coded[i].codes);
        mlp_free(run.coded[i].dict);
        mlp_free(run.coded[i].miss);
    }
    mlp_free(run.coded);
    mlp_free(run.num);
    mlp_free(run.raw);
    if (bad_row)
        *bad_row = rc != MLP_OK ? run.bad_row : SIZE_MAX;
    if (rc != MLP_OK) {
        mlp_table_free(t);
        return rc;
    }
    *out = t;
    return MLP_OK;
}

/* PCA: (x - mean) . c for every row x and component c.  Each value is
 * a dot product in a fixed order (four running sums over the inputs
 * j = 0, 4, 8, ... / 1, 5, 9, ... / ..., the inputs past the last four
 * added to the first, joined as (s0 + s1) + (s2 + s3)), so a row gets the
 * same bits in a batch of one as in a batch of a million, on one thread
 * or several, on a processor with wide vectors or without -- a matrix
 * library may change its order with the shape.  Four components go
 * through each vector operation (lanes never mix, so each is the scalar
 * sum; a multiply and an add, never fused), and two rows share each load
 * of the components, their sums held in registers over all the inputs.
 * A row with an input missing or infinite is refused, naming the first
 * such row: a projection of it would be NaN or infinite, which nothing
 * downstream can tell from a value.  Blocks of rows go to the
 * processors. */
typedef double tg_v4 __attribute__((vector_size(32)));

typedef struct pca_job {
    tg_run *run;
    const tg_step *st;
    size_t n;
    double *x;              /* per worker: PCA_SCRATCH(p) */
    size_t *bad;            /* per worker: its first row with a gap, or SIZE_MAX */
} pca_job;

enum { PCA_BLOCK = 256, PCA_TILE = 16 };
#define PCA_SCRATCH(p) (PCA_TILE * (p) + 8)

/* Rows r0 .. r0 + m - 1's inputs less their means into the rows of x
 * (m x p), an input at a time (each read in order); the first of them
 * with an input that is not finite goes to *bad. */
static void pca_inputs(const pca_job *jb, size_t r0, size_t m, double *x, size_t *bad)
{
    const tg_step *st = jb->st;
    size_t p = st->n_in;
    unsigned gap = 0;
    for (size_t j = 0; j < p; j++) {
        const double *src = jb->run->num[st->in[j]];
        for (size_t i = 0; i < m; i++) {
            double v = (src ? src[r0 + i] : tg_num(jb->run, st->in[j], r0 + i)) - st->mean[j];
            x[i * p + j] = v;
            gap |= (unsigned)!isfinite(v) << i;
        }
    }
    for (size_t i = 0; gap && i < m; i++)
        if (gap >> i & 1) {
            if (r0 + i < *bad)
                *bad = r0 + i;
            break;
        }
}

#define V4_LOAD(v, a) memcpy(&(v), (a), sizeof(v))

/* Components c .. c + 3 of rows a and b (inputs xa, xb) into oa[0..4),
 * ob[0..4).  Built twice, for processors with AVX2 and without; the
 * arithmetic is the same. */
__attribute__((target_clones("avx2", "default")))
static void pca_four(const tg_step *st, size_t c, const double *xa, const double *xb,
                     double *oa, double *ob)
{
    size_t p = st->n_in, kp = st->k_pad, j;
    const double *w = st->comp_t + c;
    tg_v4 a0 = { 0 }, a1 = { 0 }, a2 = { 0 }, a3 = { 0 };
    tg_v4 b0 = { 0 }, b1 = { 0 }, b2 = { 0 }, b3 = { 0 };

    for (j = 0; j + 4 <= p; j += 4) {
        tg_v4 w0, w1, w2, w3;
        V4_LOAD(w0, w + j * kp);
        V4_LOAD(w1, w + (j + 1) * kp);
        V4_LOAD(w2, w + (j + 2) * kp);
        V4_LOAD(w3, w + (j + 3) * kp);
        a0 += xa[j] * w0;
        a1 += xa[j + 1] * w1;
        a2 += xa[j + 2] * w2;
        a3 += xa[j + 3] * w3;
        b0 += xb[j] * w0;
        b1 += xb[j + 1] * w1;
        b2 += xb[j + 2] * w2;
        b3 += xb[j + 3] * w3;
    }
    for (; j < p; j++) {
        tg_v4 wj;
        V4_LOAD(wj, w + j * kp);
        a0 += xa[j] * wj;
        b0 += xb[j] * wj;
    }
    a0 = (a0 + a1) + (a2 + a3);
    b0 = (b0 + b1) + (b2 + b3);
    memcpy(oa, &a0, sizeof a0);
    memcpy(ob, &b0, sizeof b0);
}

static void pca_rows(void *arg, size_t b, int worker)
{
    pca_job *jb = arg;
    const tg_step *st = jb->st;
    size_t p = st->n_in, k = st->k, end = (b + 1) * PCA_BLOCK;
    double *x = jb->x + (size_t)worker * PCA_SCRATCH(p);

    if (end > jb->n)
        end = jb->n;
    for (size_t r = b * PCA_BLOCK; r < end; r += 2) {
        size_t t = (r - b * PCA_BLOCK) % PCA_TILE;
        if (t == 0)
            pca_inputs(jb, r, end - r < PCA_TILE ? end - r : PCA_TILE, x, &jb->bad[worker]);
        /* A last row alone is paired with itself. */
        size_t r2 = r + 1 < end ? r + 1 : r;
        const double *xa = x + t * p, *xb = x + (t + (r2 > r)) * p;
        for (size_t c = 0; c < k; c += 4) {
            double va[4], vb[4];
            pca_four(st, c, xa, xb, va, vb);
            for (size_t l = 0; l < 4 && c + l < k; l++) {
                double sc = st->scale ? st->scale[c + l] : 1;
                jb->run->num[st->out[c + l]][r] = st->scale ? va[l] * sc : va[l];
                jb->run->num[st->out[c + l]][r2] = st->scale ? vb[l] * sc : vb[l];
            }
        }
    }
}

int tg_apply_pca(tg_run *run, const tg_step *st, size_t n, mlp_error *err)
{
    int threads = mlp_cpu_count();
    pca_job jb = { run, st, n, NULL, NULL };
    size_t bad = SIZE_MAX;

    threads = threads > 8 ? 8 : threads;
    jb.x = mlp_malloc((size_t)threads * PCA_SCRATCH(st->n_in) * sizeof *jb.x);
    jb.bad = mlp_malloc((size_t)threads * sizeof *jb.bad);
    if (jb.x == NULL || jb.bad == NULL) {
        mlp_free(jb.x);
        mlp_free(jb.bad);
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    }
    for (int w = 0; w < threads; w++)
        jb.bad[w] = SIZE_MAX;
    mlp_parallel_for((n + PCA_BLOCK - 1) / PCA_BLOCK, threads, pca_rows, &jb);
    for (int w = 0; w < threads; w++)
        bad = jb.bad[w] < bad ? jb.bad[w] : bad;
    mlp_free(jb.x);
    mlp_free(jb.bad);
    if (bad == SIZE_MAX)
        return MLP_OK;
    for (size_t j = 0; j < st->n_in; j++) {
        double v = tg_num(run, st->in[j], bad);
        if (!isfinite(v))
            return mlp_error_set(err, MLP_EINVAL, "pca: input '%s' is %s in "
                                 "row %zu; PCA needs every input (impute missing "
                                 "values and clip infinite ones first)",
                                 run->names[st->in[j]], isnan(v) ? "missing" : "infinite",
                                 tg_row(run, bad));
    }
    return mlp_error_set(err, MLP_EINVAL, "pca: row %zu projects to a non-finite "
                         "value", tg_row(run, bad));
}

void mlp_tgraph_doc_hash(const cJSON *doc, char hex[17])
{
    char *text = mlp_json_canonical(doc);

    snprintf(hex, 17, "%016llx", text ? (unsigned long long)mlp_hash64(text, strlen(text), 0)
                                      : 0ull);
    mlp_free(text);
}
