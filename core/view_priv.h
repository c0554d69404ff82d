/* Internal: the writer behind mlp_view, and rendering an artifact with its
 * type's view in a confined child process. */
#ifndef MLPIPE_CORE_VIEW_PRIV_H
#define MLPIPE_CORE_VIEW_PRIV_H

#include <signal.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include <mlpipe/view.h>

#include "registry.h"

struct mlp_view {
    FILE *out;
    mlp_view_kind kind;
};

void mlpi_view_init(mlp_view *v, FILE *out, mlp_view_kind kind);

/* Set by a command's SIGINT/SIGTERM handler: a view being rendered is
 * killed and mlpi_view_render returns MLP_ECANCELED. */
extern volatile sig_atomic_t mlpi_view_interrupted;
/* Installs that handler for SIGINT, SIGTERM and SIGHUP.  A view runs in a
 * process group of its own, out of reach of the terminal's Ctrl-C: the
 * command must catch it and kill the view itself. */
void mlpi_view_catch_interrupts(void);

/* What the core knows about an artifact it shows. */
typedef struct mlpi_view_target {
    const mlp_artifact *a;      /* id, type, uri (absolute), properties */
    const char *state;          /* LIVE, DELETED, ... */
    const char *reason;         /* why it is not LIVE; may be NULL */
    const cJSON *producer;      /* { execution, node, component, state } or NULL */
    const cJSON *files;         /* manifest rows [{ name, size }], may be NULL */
    const char *made_by;        /* the plugin that defined the type when the
                                   artifact was made; NULL: not recorded */
} mlpi_view_target;

/* In a terminal, what the store knows goes around a type's own view: its
 * state and producer before (after == 0), the files its manifest lists
 * after (after == 1). */
void mlpi_view_frame(const mlpi_view_target *t, FILE *out, int after);

/* Renders t with the view its type's plugin defines for kind, writing to
 * out only when the view succeeded.  Returns MLP_OK, MLP_ENOTFOUND when
 * the type has no such view (write the generic one), or another code
 * with err naming the plugin and what went wrong (crash, timeout, error):
 * nothing was written.  Plugin code runs only in a child process. */
int mlpi_view_render(mlpi_registry *r, const mlpi_view_target *t,
                     mlp_view_kind kind, FILE *out, mlp_error *err);

/* Writes a view's HTML fragment in[0..len) to out keeping only the tags
 * and attributes of tables, text and inline SVG, with every tag it opens
 * closed (html_clean.c). */
void mlpi_html_clean(const char *in, size_t len, FILE *out);

/* The generic view: the record, its properties and files. */
void mlpi_view_generic(const mlpi_view_target *t, mlp_view_kind kind,
                       FILE *out);

#endif
