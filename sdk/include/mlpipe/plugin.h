/* The plugin descriptor: what a plugin module exports.
 *
 * A plugin is a shared object that exports one constant mlp_plugin_desc and
 * nothing else the core looks at.  The descriptor is static data.  mlpipe
 * reads it in a separate scanner process (mlpipe-scan), which loads the
 * module with immediate binding and runs init and fini once; the answer is
 * cached until the file changes.  The module is loaded again only in the
 * process that runs one of its components (a node's child), where init runs
 * once more before the first run.  So constructors and init must be cheap
 * and may run in several processes; a crash in them refuses the plugin,
 * never takes mlpipe down.
 *
 * Define it with MLP_PLUGIN_DEFINE(module, ...).  The macro names the symbol
 * `<module>_LTX_mlpipe_plugin`, libltdl's convention, so the same source
 * works dlopened or preloaded into a static binary; `module` must be the
 * file's base name (csv_import for csv_import.so).
 *
 * Compatibility: the core accepts a plugin whose abi_major equals its own and
 * whose abi_minor is not newer, and reads a field only when struct_size (and
 * component_size for each component) says the plugin's struct has it.
 * Everything here is borrowed static data owned by the plugin.
 */
#ifndef MLPIPE_PLUGIN_H
#define MLPIPE_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#include <mlpipe/error.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MLP_ABI_MAJOR 1
#define MLP_ABI_MINOR 3

typedef enum mlp_stage {
    MLP_STAGE_INGEST = 1,
    MLP_STAGE_VALIDATE,
    MLP_STAGE_LABEL,
    MLP_STAGE_TRANSFORM,
    MLP_STAGE_SELECT,
    MLP_STAGE_TRAIN,
    MLP_STAGE_TUNE,
    MLP_STAGE_ANALYZE,
    MLP_STAGE_PUSH
} mlp_stage;

/* Artifact type names used by the built-in components. */
#define MLP_TYPE_EXAMPLES "Examples"
#define MLP_TYPE_STATISTICS "Statistics"
#define MLP_TYPE_SCHEMA "Schema"
#define MLP_TYPE_ANOMALIES "Anomalies"
#define MLP_TYPE_LABELS "Labels"
#define MLP_TYPE_TRANSFORM_GRAPH "TransformGraph"
#define MLP_TYPE_FEATURE_SELECTION "FeatureSelection"
#define MLP_TYPE_MODEL "Model"
#define MLP_TYPE_EVALUATION "Evaluation"
#define MLP_TYPE_BLESSING "Blessing"
#define MLP_TYPE_PUSHED_MODEL "PushedModel"

enum {
    MLP_PORT_OPTIONAL = 1u << 0,  /* an input that may be left unwired */
    MLP_PORT_MULTIPLE = 1u << 1   /* an input that takes a list of artifacts */
};

typedef struct mlp_port {
    const char *name;       /* identifier: [a-z_][a-z0-9_]* */
    const char *type;       /* artifact type name, e.g. MLP_TYPE_EXAMPLES */
    unsigned flags;         /* MLP_PORT_* */
    const char *doc;
} mlp_port;

typedef enum mlp_param_type {
    MLP_PARAM_INT = 1,
    MLP_PARAM_FLOAT,
    MLP_PARAM_BOOL,
    MLP_PARAM_STRING,
    MLP_PARAM_ENUM,      /* a string from `choices` */
    MLP_PARAM_LIST,      /* a JSON array (a Lua sequence) */
    MLP_PARAM_MAP        /* a JSON object (a Lua table with string keys) */
} mlp_param_type;

enum {
    MLP_PARAM_REQUIRED = 1u << 0,
    /* INT, FLOAT: the value; LIST, MAP: every element, which must then
     * be a number (split weights, class weights, thresholds). */
    MLP_PARAM_HAS_MIN = 1u << 1,  /* value >= min */
    MLP_PARAM_HAS_MAX = 1u << 2,  /* value <= max */
    MLP_PARAM_MIN_EXCLUSIVE = 1u << 3, /* value > min instead */
    MLP_PARAM_NO_CACHE_KEY = 1u << 4,  /* does not change results: left out
                                          of the cache fingerprint */
    MLP_PARAM_FILE = 1u << 5,          /* STRING or LIST of file paths the
                                          component reads: their contents
                                          are part of the cache fingerprint */
    MLP_PARAM_WRITES_DIR = 1u << 6,    /* STRING (ABI 1.2): a directory the
                                          component writes beneath (a
                                          serving directory), outside its
                                          outputs: created when missing,
                                          made absolute (a relative one is
                                          relative to the pipeline root)
                                          and opened to writes by the
                                          sandbox.  One per component. */
    MLP_PARAM_TRAINER = 1u << 7,       /* STRING (ABI 1.2): names a trainer
                                          component of the registry
                                          (mlpipe/fitter.h fits it).  A MAP
                                          parameter called <name>_params, if
                                          declared, holds that trainer's
                                          parameters: both are checked when
                                          the node is added (the map then
                                          holds every parameter, defaults
                                          filled; label, features,
                                          train_split and eval_split are
                                          refused in it: the component
                                          chooses rows and columns), and
                                          the trainer's code is part of
                                          the node's cache fingerprint. */
    MLP_PARAM_LFS = 1u << 12           /* LIST of strings (ABI 1.3): names
                                          labeling functions
                                          (mlpipe/labeling.h).  Each must
                                          be one, named once, when the node
                                          is added; their code and the
                                          values they captured are part of
                                          the node's cache fingerprint. */
};

/* LIST and MAP: the type every element must have, checked with the
 * element's own rules (an integer, a finite number, one of `choices`, in
 * the range min/max) when the pipeline is defined, so `columns = { 1 }`
 * for a list of names is refused at the script's line.  Or it into flags:
 *   { "columns", MLP_PARAM_LIST, "[]", MLP_PARAM_OF(MLP_PARAM_STRING), ... }
 * Element types: INT, FLOAT, BOOL, STRING, ENUM.  Without it, elements
 * may be anything (numbers, when the spec has a range). */
#define MLP_PARAM_OF(elem) ((unsigned)(elem) << 8)
#define MLP_PARAM_ELEM(flags) ((mlp_param_type)(((flags) >> 8) & 0xfu))

typedef struct mlp_param_spec {
    const char *name;
    mlp_param_type type;
    const char *default_json;      /* default as JSON text ("0.5", "\"auto\"",
                                      "[]"); NULL when there is none */
    unsigned flags;                /* MLP_PARAM_* */
    double min, max;               /* with MLP_PARAM_HAS_MIN / HAS_MAX */
    const char *const *choices;    /* ENUM (or LIST/MAP of ENUM elements):
                                      the values; a MAP of other elements:
                                      the keys it may have (checked when
                                      the pipeline is defined); NULL-
                                      terminated */
    const char *doc;
} mlp_param_spec;

typedef struct mlp_ctx mlp_ctx;
typedef struct mlp_artifact mlp_artifact;
typedef struct mlp_view mlp_view;

/* Renders artifact a into v (see mlpipe/view.h).  Returns MLP_OK, or a
 * negative code with err filled: the generic view is shown instead. */
typedef int (*mlp_view_fn)(const mlp_artifact *a, mlp_view *v, mlp_error *err);

/* Runs one execution.  Returns MLP_OK, or a negative code after describing
 * the failure with mlp_ctx_fail(). */
typedef int (*mlp_run_fn)(mlp_ctx *ctx);

typedef struct mlp_component {
    const char *name;              /* unique across all loaded plugins */
    mlp_stage stage;
    const char *description;
    const mlp_port *inputs;        /* terminated by an entry with name NULL */
    const mlp_port *outputs;       /* likewise */
    const mlp_param_spec *params;  /* likewise */
    mlp_run_fn run;
    union {
        /* ABI 1.2: a trainer's fit/predict/save/load (mlpipe/trainer.h)
         * for a component of stage MLP_STAGE_TRAIN, whose Models others
         * load; NULL for every other component:
         *   { "ridge", MLP_STAGE_TRAIN, ..., run, { &ridge_trainer } }
         * Read only when abi_minor >= 2 (before, this was reserved[0],
         * always NULL, so `{ NULL }` still reads as no trainer). */
        const struct mlp_trainer *trainer;
        /* ABI 1.3: for a component of stage MLP_STAGE_LABEL, a labeling
         * function (mlpipe/labeling.h); run is then NULL.  The same slot
         * as trainer: the stage says which it is. */
        const struct mlp_lf_fn *lf;
        void *reserved[4];         /* zero; room for later fields */
    };
} mlp_component;

/* An artifact type a plugin defines (ABI 1.1).  The contract says what a
 * complete artifact of the type holds; the runner checks every output of
 * the type against it before publishing and fails the node naming what is
 * missing.  It is JSON, every member optional:
 *
 *   { "properties": { "splits": "array", "label": "string" },
 *     "files": [ "schema.json" ],
 *     "each": { "property": "splits", "files": [ "{}.mlpt" ] },
 *     "nonempty": true }
 *
 * properties: required properties and their JSON type (array, object,
 * string, number, integer, boolean, any); files: required regular files
 * (relative to the artifact); each: for every element of an array
 * property (or key of an object property), the files with {} replaced by
 * it; nonempty: the artifact holds at least one file.  A type no loaded
 * plugin defines has no contract.  One plugin defines a type name.
 *
 * show and html are the type's views (mlpipe/view.h): a terminal summary
 * for `mlpipe show` and an HTML fragment for `mlpipe report`; NULL gives
 * the generic view (properties and files). */
typedef struct mlp_type_desc {
    const char *name;              /* [A-Za-z][A-Za-z0-9_]* */
    const char *description;
    const char *contract;          /* JSON as above; NULL: none */
    mlp_view_fn show;              /* may be NULL */
    mlp_view_fn html;              /* may be NULL */
    void *reserved[4];             /* zero; room for later fields */
} mlp_type_desc;

#define MLP_TYPES_END { NULL, NULL, NULL, NULL, NULL, { NULL } }

typedef struct mlp_plugin_desc {
    uint32_t abi_major;
    uint32_t abi_minor;
    uint32_t struct_size;          /* sizeof(mlp_plugin_desc) when built */
    uint32_t component_size;       /* sizeof(mlp_component) when built */
    const char *name;
    const char *version;
    const char *license;
    const char *description;
    const mlp_component *components;  /* terminated by name NULL */
    /* Called once per process that loads the module, after the descriptor
     * was accepted (in the scanner, and where a component runs); may be
     * NULL.  Return MLP_OK or fill err: a failing init refuses the plugin
     * at scan time, or fails the node. */
    int (*init)(mlp_error *err);
    void (*fini)(void);            /* called before unloading; may be NULL */
    /* ABI 1.1: the artifact types this plugin defines, terminated by name
     * NULL; may be NULL.  Read only when abi_minor >= 1. */
    const mlp_type_desc *types;
    void *reserved[7];             /* zero; room for later fields */
} mlp_plugin_desc;

#define MLP_PLUGIN_SYMBOL "mlpipe_plugin"

#define MLP_PORTS_END { NULL, NULL, 0, NULL }
/* The casts keep these valid C++, where an int is no enum. */
#define MLP_PARAMS_END { NULL, (mlp_param_type)0, NULL, 0, 0, 0, NULL, NULL }
#define MLP_COMPONENTS_END \
    { NULL, (mlp_stage)0, NULL, NULL, NULL, NULL, NULL, { NULL } }

/* Defines the descriptor of module `module` (the .so base name). */
#ifdef __cplusplus
#define MLP_EXTERN_C_ extern "C"
#else
#define MLP_EXTERN_C_ extern
#endif
#define MLP_PLUGIN_DEFINE(module, name_, version_, license_, description_, \
                          components_, init_, fini_)                      \
    MLP_PLUGIN_DEFINE_TYPES(module, name_, version_, license_,            \
                            description_, components_, NULL, init_, fini_)

/* The same, for a plugin that also defines artifact types. */
#define MLP_PLUGIN_DEFINE_TYPES(module, name_, version_, license_,        \
                                description_, components_, types_, init_, \
                                fini_)                                    \
    MLP_EXTERN_C_ const mlp_plugin_desc module##_LTX_mlpipe_plugin;       \
    const mlp_plugin_desc module##_LTX_mlpipe_plugin = {                  \
        MLP_ABI_MAJOR, MLP_ABI_MINOR,                                     \
        (uint32_t)sizeof(mlp_plugin_desc),                                \
        (uint32_t)sizeof(mlp_component),                                  \
        name_, version_, license_, description_, components_,             \
        init_, fini_, types_, { NULL }                                    \
    }

const char *mlp_stage_name(mlp_stage stage);

#ifdef __cplusplus
}
#endif
#endif
