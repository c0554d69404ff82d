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
 * ol li), inline SVG (svg g rect line circle ellipse path polyline
 * polygon text tspan title; inside an <svg> only these, inside its
 * <title> only text, and "/>" closes nothing but SVG elements other
 * than <title>) and radio buttons (label, input: always of
 * type radio, with name, class, checked), with their presentation
 * attributes (class, colspan, rowspan, title, sizes, coordinates, d,
 * points, fill and stroke without url(), transform except on the
 * outermost <svg>, ...) and a style attribute only of
 * integer custom properties (`--name:3;`); anything else is dropped,
 * comments go, and every tag left open is closed, so a view stays inside
 * its section.  Radio button names are made unique to the view.  The page
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
/* A metric as people read it, into buf (returned): four decimals for
 * ordinary magnitudes, six significant digits beyond 1e6 or below 1e-4
 * (an error of 2e300 is not 300 digits), "-" for NaN, "inf" / "-inf". */
#define MLP_VIEW_NUM_MAX 32
const char *mlp_view_num(double x, char buf[MLP_VIEW_NUM_MAX]);
/* HTML only: a small bar chart as inline SVG, one bar per count, each with
 * a tooltip "label: count" (labels may be NULL: bars are numbered).  Does
 * nothing for n == 0 or in a text view. */
void mlp_view_bars(mlp_view *v, size_t n, const double *counts,
                   const char *const *labels);

/* HTML only: a line chart as inline SVG with axes, their ranges and
 * labels, and a legend: each series is n points (x[i], y[i]) joined in
 * order; points with a NaN coordinate break the line.  For training
 * curves, ROC and calibration curves.  In a text view it writes nothing
 * (print the numbers instead).  Everything is borrowed for the call. */
typedef struct mlp_view_series {
    const char *name;          /* legend text (escaped) */
    size_t n;
    const double *x, *y;
} mlp_view_series;
void mlp_view_lines(mlp_view *v, const char *x_label, const char *y_label,
                    size_t n_series, const mlp_view_series *series);

/* Sortable tables (HTML only; in a text view these write nothing).  The
 * reader switches the rows between up to MLP_VIEW_SORT_MAX orders with
 * radio buttons above the table, no script needed; the first order is
 * shown until another is picked.  The view ranks its rows in each order
 * (mlp_view_rank helps) and writes:
 *
 *   mlp_view_sort_begin(v, ncols, norders, order_names);
 *   <tr><th>..</th> x ncols</tr>             the header, never moved
 *   for each row: mlp_view_sort_row(v, norders, ranks); <td>..</td> x ncols </tr>
 *   mlp_view_sort_end(v);
 *
 * Every row has exactly ncols cells (no colspan: the table is laid out as
 * a grid).  ranks[k] is the row's position in order k, from 0.  Order
 * names are text (escaped); the arrays are borrowed for the call. */
#define MLP_VIEW_SORT_MAX 4
void mlp_view_sort_begin(mlp_view *v, size_t ncols, size_t norders,
                         const char *const *orders);
void mlp_view_sort_row(mlp_view *v, size_t norders, const size_t *ranks);
void mlp_view_sort_end(mlp_view *v);

/* Fills rank[i] with row i's position (from 0) when the n rows are sorted
 * by key, largest first if descending; NaN keys (rows with nothing to
 * sort by) go last, and equal keys keep the rows' order.  rank is the
 * caller's, n entries.  Returns MLP_OK or MLP_ENOMEM. */
int mlp_view_rank(size_t n, const double *key, int descending, size_t *rank);
/* The same, by name: ASCII letters compared without case ("apple" before
 * "Zebra"), then byte order; NULL sorts as "". */
int mlp_view_rank_names(size_t n, const char *const *name, size_t *rank);

#ifdef __cplusplus
}
#endif
#endif
