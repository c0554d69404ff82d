/* Views: how a person sees an artifact of a type your plugin defines.
 *
 * An mlp_type_desc may name two view functions (ABI 1.1): `show` writes a
 * plain-text summary for `mlpipe show ID`, `html` writes an HTML fragment
 * for `mlpipe report` (inline SVG welcome; no scripts, no links, nothing
 * fetched: the page must work offline).  A type without a view is shown
 * by the generic view: its properties and files.
 *
 * mlpipe runs a view in a child process of its own process group,
 * confined like a node (it may write nothing but its scratch TMPDIR),
 * with standard input, output and error on /dev/null and no other
 * descriptor, at most 1 GiB of memory and 64 MiB of output, killed after
 * MLPIPE_VIEW_TIMEOUT seconds (default 30), and whatever it started is
 * killed when it ends.  A view that crashes, hangs, exits or fails is
 * reported with the plugin's name and the generic view is shown instead.
 * The artifact was verified against its manifest before the view runs;
 * its files and properties are what was published.  A view runs only for
 * artifacts made while its plugin defined the type.
 *
 * Text views: control characters other than newline and tab, C1 controls
 * and bidi overrides become '?'.  HTML views: the fragment is cleaned to
 * text, tables (table thead tbody tfoot tr td th caption), blocks and
 * inline markup (h3-h6 p div span b i em strong small code pre br hr ul
 * ol li) and inline SVG (svg g rect line circle ellipse path polyline
 * polygon text tspan title), with their presentation attributes (class,
 * colspan, rowspan, title, sizes, coordinates, d, points, fill, stroke,
 * transform, ...); anything else is dropped, comments go, and every tag
 * left open is closed, so a view stays inside its section.  The page
 * forbids scripts and fetches.  Its style sheet offers the classes `num`
 * (right-aligned figures), `ERROR` and `WARNING` (severity colours); the
 * core writes the artifact's <h2>.
 */
#ifndef MLPIPE_VIEW_H
#define MLPIPE_VIEW_H

#include <stddef.h>

#include <mlpipe/artifact.h>
#include <mlpipe/error.h>
#include <mlpipe/plugin.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What a view writes to: terminal text or HTML.  Borrowed from the core
 * for the duration of the call. */
typedef enum mlp_view_kind { MLP_VIEW_TEXT = 1, MLP_VIEW_HTML } mlp_view_kind;

mlp_view_kind mlp_view_kind_of(const mlp_view *v);

/* Writes s as it is (markup in HTML). */
void mlp_view_puts(mlp_view *v, const char *s);
void mlp_view_printf(mlp_view *v, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Writes data from the artifact (a feature name, a value): escaped in
 * HTML; in text, control characters other than tab become '?', so a
 * value cannot move the terminal's cursor or change its colours. */
void mlp_view_text(mlp_view *v, const char *s);
/* HTML only: a small bar chart as inline SVG, one bar per count, each with
 * a tooltip "label: count" (labels may be NULL: bars are numbered).  Does
 * nothing for n == 0 or in a text view. */
void mlp_view_bars(mlp_view *v, size_t n, const double *counts,
                   const char *const *labels);

#ifdef __cplusplus
}
#endif
#endif
