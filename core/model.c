/* Model artifacts: a trainer's tensors and members written as
 * weights.bin and model.json, and read back -- checked to the last byte
 * -- into the trainer that made them. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mlpipe/hash.h>
#include <mlpipe/json.h>
#include <mlpipe/memory.h>

#include "context_priv.h"
#include "fsutil.h"
#include "model_priv.h"
#include "train_priv.h"

/* weights.bin: this magic, then each tensor's doubles at the offset
 * model.json gives (8-byte aligned, in the order written). */
static const char WEIGHTS_MAGIC[8] = { 'M', 'L', 'P', 'W', 'G', 'T', '0', '1' };

typedef struct mtensor {
    char *name;
    size_t rows, cols;
    double *data;          /* out: owned copy; in: points into the file */
} mtensor;

struct mlp_model_out {
    cJSON *members;
    mtensor *t;
    size_t n;
};

struct mlp_model_in {
    const cJSON *doc, *members, *params;
    mlp_model_task task;
    size_t n_classes, n_features;
    mtensor *t;
    size_t n;
    const char *where;     /* the weights file, for errors */
};

struct mlp_model {
    cJSON *doc;
    const mlp_trainer *trainer;
    void *state;
    mlp_model_task task;
    size_t n_classes, n_features;
    const char **features;  /* borrowed from doc */
    mlp_tgraph *graph;
};

/* ------------------------------------------------------------ writing */

mlp_model_out *mlpi_model_out_new(void)
{
    mlp_model_out *o = calloc(1, sizeof *o);

    if (o != NULL && (o->members = cJSON_CreateObject()) == NULL) {
        free(o);
        return NULL;
    }
    return o;
}

void mlpi_model_out_free(mlp_model_out *o)
{
    if (o == NULL)
        return;
    for (size_t i = 0; i < o->n; i++) {
        free(o->t[i].name);
        free(o->t[i].data);
    }
    free(o->t);
    cJSON_Delete(o->members);
    free(o);
}

static int tensor_name_ok(const char *s)
{
    if (s == NULL || *s == '\0' || strlen(s) > 64)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
              (*s >= '0' && *s <= '9') || *s == '_' || *s == '.'))
            return 0;
    return 1;
}

int mlp_model_put_tensor(mlp_model_out *o, const char *name, size_t rows,
                         size_t cols, const double *data, mlp_error *err)
{
    mtensor *nt;

    if (!tensor_name_ok(name))
        return mlp_error_set(err, MLP_EINVAL, "tensor name '%s': expected 1 to 64 of "
                             "[A-Za-z0-9_.]", name ? name : "(null)");
    for (size_t i = 0; i < o->n; i++)
        if (strcmp(o->t[i].name, name) == 0)
            return mlp_error_set(err, MLP_EEXIST, "tensor '%s' is saved twice", name);
    if (rows != 0 && cols > SIZE_MAX / 8 / rows)
        return mlp_error_set(err, MLP_EINVAL, "tensor '%s': %zu x %zu is too large",
                             name, rows, cols);
    for (size_t i = 0; i < rows * cols; i++)
        if (!isfinite(data[i]))
            return mlp_error_set(err, MLP_EINVAL, "tensor '%s': value %zu is %g: a "
                                 "model's weights must be finite (did training "
                                 "diverge?)", name, i, data[i]);
    nt = realloc(o->t, (o->n + 1) * sizeof *nt);
    if (nt == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    o->t = nt;
    nt = &o->t[o->n];
    nt->name = strdup(name);
    nt->rows = rows;
    nt->cols = cols;
    nt->data = malloc(rows * cols * 8 + 1);
    if (nt->name == NULL || nt->data == NULL) {
        free(nt->name);
        free(nt->data);
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    }
    if (rows * cols != 0)
        memcpy(nt->data, data, rows * cols * 8);
    o->n++;
    return MLP_OK;
}

int mlp_model_put(mlp_model_out *o, const char *key, cJSON *value, mlp_error *err)
{
    if (value == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    if (key == NULL || *key == '\0') {
        cJSON_Delete(value);
        return mlp_error_set(err, MLP_EINVAL, "a model member needs a name");
    }
    if (cJSON_GetObjectItemCaseSensitive(o->members, key) != NULL) {
        cJSON_Delete(value);
        return mlp_error_set(err, MLP_EEXIST, "model member '%s' is saved twice", key);
    }
    cJSON_AddItemToObject(o->members, key, value);
    return MLP_OK;
}

static void hex64(uint64_t v, char out[17])
{
    snprintf(out, 17, "%016" PRIx64, v);
}

static int doc_hash(const cJSON *doc, char hex[17])
{
    char *t = mlp_json_canonical(doc);

    if (t == NULL)
        return MLP_ENOMEM;
    hex64(mlp_hash64(t, strlen(t), 0), hex);
    mlp_free(t);
    return MLP_OK;
}

int mlpi_model_write(const char *dir, cJSON *doc, const mlp_model_out *o, mlp_error *err)
{
    char path[4096], hex[17];
    size_t bytes = sizeof WEIGHTS_MAGIC;
    cJSON *tens = cJSON_CreateArray(), *w = cJSON_CreateObject(), *members;
    unsigned char *buf;
    int rc;

    for (size_t i = 0; i < o->n; i++)
        bytes += o->t[i].rows * o->t[i].cols * 8;
    buf = malloc(bytes);
    members = cJSON_Duplicate(o->members, 1);
    if (buf == NULL || tens == NULL || w == NULL || members == NULL) {
        free(buf);
        cJSON_Delete(tens);
        cJSON_Delete(w);
        cJSON_Delete(members);
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    }
    memcpy(buf, WEIGHTS_MAGIC, sizeof WEIGHTS_MAGIC);
    bytes = sizeof WEIGHTS_MAGIC;
    for (size_t i = 0; i < o->n; i++) {
        size_t len = o->t[i].rows * o->t[i].cols * 8;
        cJSON *e = cJSON_CreateObject();
        memcpy(buf + bytes, o->t[i].data, len);
        hex64(mlp_hash64(buf + bytes, len, 0), hex);
        cJSON_AddStringToObject(e, "name", o->t[i].name);
        cJSON_AddItemToObject(e, "rows", mlp_json_int((int64_t)o->t[i].rows));
        cJSON_AddItemToObject(e, "cols", mlp_json_int((int64_t)o->t[i].cols));
        cJSON_AddItemToObject(e, "offset", mlp_json_int((int64_t)bytes));
        cJSON_AddStringToObject(e, "xxh3", hex);
        cJSON_AddItemToArray(tens, e);
        bytes += len;
    }
    cJSON_AddStringToObject(w, "file", MLPI_WEIGHTS_FILE);
    cJSON_AddItemToObject(w, "bytes", mlp_json_int((int64_t)bytes));
    cJSON_AddStringToObject(w, "byte_order", "little");
    cJSON_AddItemToObject(w, "tensors", tens);
    cJSON_DeleteItemFromObjectCaseSensitive(doc, "model");
    cJSON_DeleteItemFromObjectCaseSensitive(doc, "weights");
    cJSON_AddItemToObject(doc, "model", members);
    cJSON_AddItemToObject(doc, "weights", w);
    rc = mlpi_path_join(path, sizeof path, dir, MLPI_WEIGHTS_FILE) == 0
             ? mlpi_write_file_atomic(path, buf, bytes, err)
             : mlp_error_set(err, MLP_EINVAL, "path too long: %s", dir);
    free(buf);
    if (rc == MLP_OK && mlpi_path_join(path, sizeof path, dir, MLPI_MODEL_FILE) != 0)
        rc = mlp_error_set(err, MLP_EINVAL, "path too long: %s", dir);
    if (rc == MLP_OK) {
        char hex[17];
        cJSON_DeleteItemFromObjectCaseSensitive(doc, "document_xxh3");
        if (doc_hash(doc, hex) != MLP_OK)
            rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
        else
            cJSON_AddStringToObject(doc, "document_xxh3", hex);
    }
    if (rc == MLP_OK)
        rc = mlp_json_write_file(path, doc, err);
    return rc;
}

/* The document's own checksum, over its canonical text without the
 * checksum: an edit by hand (a feature's order, a class's name) that
 * every other check would let through is seen. */
static int check_doc_hash(cJSON *doc, const char *file, mlp_error *err)
{
    cJSON *sum = cJSON_DetachItemFromObjectCaseSensitive(doc, "document_xxh3");
    char hex[17];
    int rc = MLP_OK;

    if (sum == NULL)
        return MLP_OK;   /* written before documents had one */
    if (!cJSON_IsString(sum))
        rc = mlp_error_set(err, MLP_ECORRUPT, "%s: 'document_xxh3' is not a string", file);
    else if (doc_hash(doc, hex) != MLP_OK)
        rc = mlp_error_set(err, MLP_ENOMEM, "out of memory");
    else if (strcmp(hex, sum->valuestring) != 0)
        rc = mlp_error_set(err, MLP_ECORRUPT, "%s was changed after it was written (its "
                           "checksum is %s, the document's content gives %s): restore it "
                           "or train the model again", file, sum->valuestring, hex);
    cJSON_AddItemToObject(doc, "document_xxh3", sum);
    return rc;
}

/* ------------------------------------------------------------ reading */

int mlp_model_get_tensor(const mlp_model_in *in, const char *name, size_t rows,
                         size_t cols, const double **data, mlp_error *err)
{
    *data = NULL;
    for (size_t i = 0; i < in->n; i++) {
        if (strcmp(in->t[i].name, name) != 0)
            continue;
        if (in->t[i].rows != rows || in->t[i].cols != cols)
            return mlp_error_set(err, MLP_ECORRUPT, "%s: tensor '%s' is %zu x %zu, "
                                 "expected %zu x %zu", in->where, name, in->t[i].rows,
                                 in->t[i].cols, rows, cols);
        *data = in->t[i].data;
        return MLP_OK;
    }
    return mlp_error_set(err, MLP_ECORRUPT, "%s: has no tensor '%s'", in->where, name);
}

const cJSON *mlp_model_get(const mlp_model_in *in, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(in->members, key);
}

mlp_model_task mlp_model_in_task(const mlp_model_in *in) { return in->task; }
size_t mlp_model_in_n_classes(const mlp_model_in *in) { return in->n_classes; }
size_t mlp_model_in_n_features(const mlp_model_in *in) { return in->n_features; }
const cJSON *mlp_model_in_params(const mlp_model_in *in) { return in->params; }

static int get_size(const cJSON *o, const char *key, size_t max, size_t *out,
                    const char *where, mlp_error *err)
{
    int64_t v;

    if (mlp_json_get_int(cJSON_GetObjectItemCaseSensitive(o, key), &v) != MLP_OK ||
        v < 0 || (uint64_t)v > max)
        return mlp_error_set(err, MLP_ECORRUPT, "%s: '%s' is not an integer from 0 "
                             "to %zu", where, key, max);
    *out = (size_t)v;
    return MLP_OK;
}

/* Reads weights.bin and checks it against the document's table: size,
 * magic, and every tensor's place and checksum.  *buf is owned. */
static int read_weights(const char *dir, const cJSON *w, mtensor **out, size_t *n_out,
                        char **buf_out, mlp_error *err)
{
    char path[4096], where[4200];
    const cJSON *tens = cJSON_GetObjectItemCaseSensitive(w, "tensors"), *e;
    size_t len = 0, want, n = 0;
    char *buf = NULL;
    mtensor *t;
    int rc;

    *out = NULL;
    *n_out = 0;
    *buf_out = NULL;
    if (!cJSON_IsObject(w) || !cJSON_IsArray(tens) ||
        strcmp(mlp_json_str(w, "file"), MLPI_WEIGHTS_FILE) != 0 ||
        strcmp(mlp_json_str(w, "byte_order"), "little") != 0)
        return mlp_error_set(err, MLP_ECORRUPT, "%s/%s: 'weights' must name %s, "
                             "byte order little, and list its tensors", dir,
                             MLPI_MODEL_FILE, MLPI_WEIGHTS_FILE);
    if (mlpi_path_join(path, sizeof path, dir, MLPI_WEIGHTS_FILE) != 0)
        return mlp_error_set(err, MLP_EINVAL, "path too long: %s", dir);
    snprintf(where, sizeof where, "%s", path);
    if ((rc = get_size(w, "bytes", SIZE_MAX / 2, &want, MLPI_MODEL_FILE " weights",
                       err)) != MLP_OK)
        return rc;
    if (!mlpi_is_file(path))
        return mlp_error_set(err, MLP_ECORRUPT, "%s: missing or not a regular file", path);
    if ((rc = mlpi_read_file(path, &buf, &len, err)) != MLP_OK)
        return rc;
    int magic = len >= sizeof WEIGHTS_MAGIC &&
                memcmp(buf, WEIGHTS_MAGIC, sizeof WEIGHTS_MAGIC) == 0;
    if (len != want || !magic) {
        free(buf);
        return mlp_error_set(err, MLP_ECORRUPT, "%s: %zu bytes%s, model.json says %zu: "
                             "the file is damaged or is not this model's weights", where,
                             len, magic ? "" : " without the weights magic", want);
    }
    t = calloc((size_t)cJSON_GetArraySize(tens) + 1, sizeof *t);
    if (t == NULL) {
        free(buf);
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    }
    cJSON_ArrayForEach(e, tens) {
        size_t off, rows, cols;
        const char *name = mlp_json_str(e, "name"), *sum = mlp_json_str(e, "xxh3");
        char hex[17];
        rc = get_size(e, "rows", SIZE_MAX / 16, &rows, where, err);
        if (rc == MLP_OK)
            rc = get_size(e, "cols", SIZE_MAX / 16, &cols, where, err);
        if (rc == MLP_OK)
            rc = get_size(e, "offset", len, &off, where, err);
        if (rc == MLP_OK && !tensor_name_ok(name))
            rc = mlp_error_set(err, MLP_ECORRUPT, "%s: tensor %zu has no valid name",
                               where, n);
        if (rc == MLP_OK && (off % 8 != 0 || off < sizeof WEIGHTS_MAGIC ||
                             (rows && cols > (len - off) / 8 / rows)))
            rc = mlp_error_set(err, MLP_ECORRUPT, "%s: tensor '%s' (%zu x %zu at "
                               "offset %zu) does not lie inside the file's %zu bytes",
                               where, name, rows, cols, off, len);
        if (rc == MLP_OK) {
            hex64(mlp_hash64(buf + off, rows * cols * 8, 0), hex);
            if (strcmp(hex, sum) != 0)
                rc = mlp_error_set(err, MLP_ECORRUPT, "%s: tensor '%s' has checksum "
                                   "%s, model.json says %s: the weights are damaged",
                                   where, name, hex, sum);
        }
        for (size_t k = 0; rc == MLP_OK && k < n; k++)
            if (strcmp(t[k].name, name) == 0)
                rc = mlp_error_set(err, MLP_ECORRUPT, "%s: tensor '%s' is listed twice",
                                   where, name);
        if (rc != MLP_OK) {
            free(t);
            free(buf);
            return rc;
        }
        t[n].name = (char *)name;
        t[n].rows = rows;
        t[n].cols = cols;
        t[n].data = (double *)(void *)(buf + off);
        n++;
    }
    *out = t;
    *n_out = n;
    *buf_out = buf;
    return MLP_OK;
}

static int parse_task(const char *s, mlp_model_task *out)
{
    if (strcmp(s, "classification") == 0)
        *out = MLP_TASK_CLASSIFICATION;
    else if (strcmp(s, "regression") == 0)
        *out = MLP_TASK_REGRESSION;
    else
        return MLP_EINVAL;
    return MLP_OK;
}

/* The document's shape: everything but the trainer's own members. */
static int check_doc(mlp_model *m, const char *file, mlp_error *err)
{
    const cJSON *d = m->doc, *f, *cls = cJSON_GetObjectItemCaseSensitive(d, "classes");
    int64_t version;
    size_t i = 0;

    if (strcmp(mlp_json_str(d, "format"), MLP_MODEL_FORMAT) != 0)
        return mlp_error_set(err, MLP_EFORMAT, "%s: not an mlpipe model (format is "
                             "'%s', expected '%s')", file, mlp_json_str(d, "format"),
                             MLP_MODEL_FORMAT);
    if (mlp_json_get_int(cJSON_GetObjectItemCaseSensitive(d, "version"), &version) !=
            MLP_OK || version != MLP_MODEL_VERSION)
        return mlp_error_set(err, MLP_EVERSION, "%s: model version %s, this mlpipe "
                             "reads version %d", file,
                             cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(d, "version"))
                                 ? "is newer or unknown" : "missing",
                             MLP_MODEL_VERSION);
    if (parse_task(mlp_json_str(d, "task"), &m->task) != MLP_OK)
        return mlp_error_set(err, MLP_ECORRUPT, "%s: 'task' must be classification or "
                             "regression", file);
    if (m->task == MLP_TASK_CLASSIFICATION) {
        if (!cJSON_IsArray(cls) || cJSON_GetArraySize(cls) < 2)
            return mlp_error_set(err, MLP_ECORRUPT, "%s: 'classes' must list at least "
                                 "2 classes", file);
        m->n_classes = (size_t)cJSON_GetArraySize(cls);
    }
    f = cJSON_GetObjectItemCaseSensitive(d, "features");
    if (!cJSON_IsArray(f) || cJSON_GetArraySize(f) < 1)
        return mlp_error_set(err, MLP_ECORRUPT, "%s: 'features' must list the feature "
                             "names", file);
    m->n_features = (size_t)cJSON_GetArraySize(f);
    m->features = calloc(m->n_features, sizeof *m->features);
    if (m->features == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    const cJSON *e;
    cJSON_ArrayForEach(e, f) {
        if (!cJSON_IsString(e))
            return mlp_error_set(err, MLP_ECORRUPT, "%s: feature %zu is not a name",
                                 file, i + 1);
        m->features[i++] = e->valuestring;
    }
    if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(d, "trainer")) ||
        !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(d, "label")) ||
        !cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(d, "model")) ||
        !cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(d, "params")))
        return mlp_error_set(err, MLP_ECORRUPT, "%s: 'trainer', 'label', 'model' and "
                             "'params' are required", file);
    return MLP_OK;
}

/* The trainer the document names, bound into this process. */
static int find_trainer(mlpi_registry *r, mlp_model *m, const char *file, mlp_error *err)
{
    const char *name = mlp_json_str(m->doc, "trainer");
    const char *plugin = mlp_json_str(m->doc, "plugin");
    mlpi_component *c = (mlpi_component *)mlpi_registry_find(r, name);
    int rc;

    if (c == NULL)
        return mlp_error_set(err, MLP_ENOTFOUND, "%s: made by trainer '%s' (plugin "
                             "'%s'), which no installed plugin provides", file, name,
                             plugin);
    if (strcmp(c->plugin ? c->plugin->name : "", plugin) != 0)
        return mlp_error_set(err, MLP_EPLUGIN, "%s: made by trainer '%s' of plugin "
                             "'%s', but '%s' is now provided by plugin '%s'", file, name,
                             plugin, name, c->plugin ? c->plugin->name : "?");
    if (!c->is_trainer)
        return mlp_error_set(err, MLP_EPLUGIN, "%s: component '%s' is not a trainer "
                             "(its plugin gives no mlp_trainer)", file, name);
    if ((rc = mlpi_component_bind(c, err)) != MLP_OK)
        return rc;
    m->trainer = c->c.trainer;
    return MLP_OK;
}

/* The graph beside the model is the one it was trained behind: its
 * fingerprint is the one model.json recorded. */
static int graph_matches(const cJSON *doc, const char *path, mlp_error *err)
{
    const char *want = mlp_json_str(doc, "transform_graph_hash");
    cJSON *g = NULL;
    char hex[17];
    int rc = mlp_json_read_file(path, &g, err);

    if (rc != MLP_OK)
        return mlp_error_set(err, MLP_ECORRUPT, "%s", err->msg);
    mlp_tgraph_doc_hash(g, hex);
    cJSON_Delete(g);
    if (*want && strcmp(want, hex) != 0)
        return mlp_error_set(err, MLP_ECORRUPT, "%s is not the graph the model was trained "
                             "behind (fingerprint %s, the model recorded %s)", path, hex, want);
    return MLP_OK;
}

int mlpi_model_open_dir(mlpi_registry *r, const char *dir, mlp_model **out,
                        mlp_error *err)
{
    char path[4096], *buf = NULL;
    mlp_model *m = calloc(1, sizeof *m);
    mlp_model_in in;
    int rc;

    *out = NULL;
    if (m == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    memset(&in, 0, sizeof in);
    if (mlpi_path_join(path, sizeof path, dir, MLPI_MODEL_FILE) != 0)
        rc = mlp_error_set(err, MLP_EINVAL, "path too long: %s", dir);
    else if (!mlpi_is_file(path))
        rc = mlp_error_set(err, MLP_ENOTFOUND, "%s: no model here (missing or not a regular "
                           "file)", path);
    else if ((rc = mlp_json_read_file(path, &m->doc, err)) != MLP_OK)
        rc = mlp_error_set(err, MLP_ECORRUPT, "%s", err->msg);
    if (rc == MLP_OK)
        rc = check_doc_hash(m->doc, path, err);
    if (rc == MLP_OK)
        rc = check_doc(m, path, err);
    if (rc == MLP_OK)
        rc = find_trainer(r, m, path, err);
    if (rc == MLP_OK)
        rc = read_weights(dir, cJSON_GetObjectItemCaseSensitive(m->doc, "weights"), &in.t,
                          &in.n, &buf, err);
    if (rc == MLP_OK) {
        char where[4200];
        snprintf(where, sizeof where, "%s/%s", dir, MLPI_WEIGHTS_FILE);
        in.doc = m->doc;
        in.members = cJSON_GetObjectItemCaseSensitive(m->doc, "model");
        in.params = cJSON_GetObjectItemCaseSensitive(m->doc, "params");
        in.task = m->task;
        in.n_classes = m->n_classes;
        in.n_features = m->n_features;
        in.where = where;
        rc = m->trainer->load(&in, &m->state, err);
        if (rc != MLP_OK)
            mlp_error_prefix(err, "%s: trainer '%s' could not load it", dir,
                             mlp_json_str(m->doc, "trainer"));
    }
    free(in.t);
    free(buf);
    if (rc == MLP_OK && cJSON_IsString(cJSON_GetObjectItemCaseSensitive(m->doc,
                                                                        "transform_graph"))) {
        const char *g = mlp_json_str(m->doc, "transform_graph");
        if (strcmp(g, MLPI_MODEL_GRAPH_FILE) != 0)
            rc = mlp_error_set(err, MLP_ECORRUPT, "%s/%s: 'transform_graph' must be "
                               "\"%s\"", dir, MLPI_MODEL_FILE, MLPI_MODEL_GRAPH_FILE);
        else if (mlpi_path_join(path, sizeof path, dir, g) != 0)
            rc = mlp_error_set(err, MLP_EINVAL, "path too long: %s", dir);
        else if (!mlpi_is_file(path))
            rc = mlp_error_set(err, MLP_ECORRUPT, "%s: missing or not a regular file, and "
                               "model.json names it", path);
        else if ((rc = graph_matches(m->doc, path, err)) != MLP_OK)
            ;
        else if ((rc = mlp_tgraph_load(path, &m->graph, err)) != MLP_OK)
            rc = mlp_error_set(err, MLP_ECORRUPT, "%s", err->msg);
    }
    if (rc != MLP_OK) {
        mlp_model_close(m);
        return rc;
    }
    *out = m;
    return MLP_OK;
}

int mlp_model_open(mlp_ctx *ctx, const mlp_artifact *a, mlp_model **out, mlp_error *err)
{
    *out = NULL;
    if (ctx == NULL || ctx->reg == NULL)
        return mlp_error_set(err, MLP_ESTATE, "mlp_model_open: no plugin registry in "
                             "this context");
    if (strcmp(mlp_artifact_type(a), MLP_TYPE_MODEL) != 0)
        return mlp_error_set(err, MLP_EINVAL, "%s is a %s artifact, not a Model",
                             mlp_artifact_uri(a), mlp_artifact_type(a));
    return mlpi_model_open_dir(ctx->reg, mlp_artifact_uri(a), out, err);
}

void mlp_model_close(mlp_model *m)
{
    if (m == NULL)
        return;
    if (m->state != NULL && m->trainer != NULL)
        m->trainer->free(m->state);
    mlp_tgraph_free(m->graph);
    free(m->features);
    cJSON_Delete(m->doc);
    free(m);
}

mlp_model_task mlp_model_task_of(const mlp_model *m) { return m->task; }
const char *mlp_model_trainer(const mlp_model *m) { return mlp_json_str(m->doc, "trainer"); }
const char *mlp_model_family(const mlp_model *m) { return mlp_json_str(m->doc, "family"); }
const char *mlp_model_label(const mlp_model *m) { return mlp_json_str(m->doc, "label"); }
size_t mlp_model_n_classes(const mlp_model *m) { return m->n_classes; }
size_t mlp_model_n_features(const mlp_model *m) { return m->n_features; }
const mlp_tgraph *mlp_model_graph(const mlp_model *m) { return m->graph; }
const cJSON *mlp_model_document(const mlp_model *m) { return m->doc; }

const cJSON *mlp_model_classes(const mlp_model *m)
{
    return m->task == MLP_TASK_CLASSIFICATION
               ? cJSON_GetObjectItemCaseSensitive(m->doc, "classes") : NULL;
}

size_t mlp_model_n_outputs(const mlp_model *m)
{
    return m->task == MLP_TASK_CLASSIFICATION ? m->n_classes : 1;
}

const char *mlp_model_feature(const mlp_model *m, size_t i)
{
    return i < m->n_features ? m->features[i] : NULL;
}

int mlp_model_predict(const mlp_model *m, const mlp_rows *x, double *out, mlp_error *err)
{
    if (x->n_features != m->n_features)
        return mlp_error_set(err, MLP_EINVAL, "the model reads %zu features, not %zu",
                             m->n_features, x->n_features);
    size_t k = mlp_model_n_outputs(m);
    if (x->x == NULL && x->n_rows > 0)
        return mlp_error_set(err, MLP_EINVAL, "mlp_model_predict reads column-major x");
    for (size_t r0 = 0; r0 < x->n_rows; r0 += MLP_MODEL_BLOCK) {
        mlp_rows b = *x;
        int rc;
        b.n_rows = x->n_rows - r0 < MLP_MODEL_BLOCK ? x->n_rows - r0 : MLP_MODEL_BLOCK;
        b.x = x->x + r0;
        b.y = x->y ? x->y + r0 : NULL;
        b.w = x->w ? x->w + r0 : NULL;
        if ((rc = m->trainer->predict(m->state, &b, out + r0 * k, err)) != MLP_OK)
            return rc;
    }
    return MLP_OK;
}

int mlp_model_features(const mlp_model *m, const mlp_table *t, size_t first_row,
                       double **x, size_t *bad_row, mlp_error *err)
{
    size_t n = mlp_table_n_rows(t);
    double *buf = mlp_malloc(m->n_features * n * sizeof *buf + 1);

    *x = NULL;
    if (bad_row != NULL)
        *bad_row = SIZE_MAX;
    if (buf == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    for (size_t j = 0; j < m->n_features; j++) {
        const mlp_column *c = mlp_table_find(t, m->features[j]);
        double *dst = buf + j * n;
        if (c == NULL || c->type != MLP_COL_NUMERIC) {
            mlp_free(buf);
            return mlp_error_set(err, MLP_EINVAL, c == NULL
                                     ? "feature '%s' is missing: the model reads it"
                                     : "feature '%s' is %s, the model reads a number",
                                 m->features[j], c ? mlp_col_type_name(c->type) : "");
        }
        for (size_t i = 0; i < n; i++) {
            double v = c->num ? c->num[i] : mlp_column_number(c, i);
            if (!isfinite(v)) {
                mlp_free(buf);
                if (bad_row != NULL)
                    *bad_row = i;
                return mlp_error_set(err, MLP_EINVAL, "feature '%s' is %s in row %zu",
                                     m->features[j], isnan(v) ? "missing" : "infinite",
                                     first_row + i + 1);
            }
            dst[i] = v;
        }
    }
    *x = buf;
    return MLP_OK;
}

int mlp_model_targets(const mlp_model *m, const mlp_table *t, size_t first_row,
                      int skip_missing, double **y, size_t *bad_row, mlp_error *err)
{
    const char *label = mlp_model_label(m);
    const mlp_column *c = mlp_table_find(t, label);
    size_t n = mlp_table_n_rows(t), bad = SIZE_MAX;
    double *out;
    int rc = MLP_OK;

    *y = NULL;
    if (bad_row != NULL)
        *bad_row = SIZE_MAX;
    if (c == NULL)
        return mlp_error_set(err, MLP_EINVAL, "label column '%s' is missing", label);
    if ((out = mlp_malloc(n * sizeof *out + 1)) == NULL)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    if (m->task == MLP_TASK_CLASSIFICATION) {
        rc = mlpi_class_indexes(c, mlp_model_classes(m), out, skip_missing, &bad, err);
    } else if (c->type != MLP_COL_NUMERIC) {
        rc = mlp_error_set(err, MLP_EINVAL, "label '%s' is %s; the model predicts numbers",
                           label, mlp_col_type_name(c->type));
    } else {
        for (size_t i = 0; rc == MLP_OK && i < n; i++) {
            out[i] = c->num ? c->num[i] : mlp_column_number(c, i);
            if (isnan(out[i]) && skip_missing)
                continue;
            if (!isfinite(out[i])) {
                bad = i;
                rc = mlp_error_set(err, MLP_EINVAL, "label '%s' is %s in row %zu", label,
                                   isnan(out[i]) ? "missing" : "infinite", first_row + i + 1);
            }
        }
    }
    if (rc != MLP_OK) {
        if (bad != SIZE_MAX && m->task == MLP_TASK_CLASSIFICATION)
            mlp_error_set(err, rc, "label '%s' is missing in row %zu", label,
                          first_row + bad + 1);
        if (bad_row != NULL)
            *bad_row = bad;
        mlp_free(out);
        return rc;
    }
    *y = out;
    return MLP_OK;
}
