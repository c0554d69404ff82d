/* Tables a reader can reorder in the report without a script: radio
 * buttons above the table pick one of the orders the view ranked its rows
 * in; the page's style sheet lays the table out as a grid and moves each
 * row to its rank in the checked order (CSS `order`, read from the row's
 * custom properties --o0..--o3).  The report's policy forbids scripts, and
 * a page that sorts by itself keeps working when saved or mailed. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <mlpipe/view.h>

#include "view_priv.h"

/* One group of buttons per table; the report's cleaner makes the name
 * unique on the page, so views cannot switch each other's tables. */
static unsigned sort_tables;

void mlp_view_sort_begin(mlp_view *v, size_t ncols, size_t norders,
                         const char *const *orders)
{
    if (v->kind != MLP_VIEW_HTML)
        return;
    if (norders > MLP_VIEW_SORT_MAX)
        norders = MLP_VIEW_SORT_MAX;
    sort_tables++;
    fputs("<div class=\"sortable\">", v->out);
    if (norders > 1) {
        fputs("<p class=\"sort-by\">order: ", v->out);
        for (size_t k = 0; k < norders; k++) {
            fprintf(v->out, "<label><input type=\"radio\" name=\"sort%u\" "
                    "class=\"by%zu\"%s> ", sort_tables, k, k == 0 ? " checked" : "");
            mlp_view_text(v, orders[k]);
            fputs("</label> ", v->out);
        }
        fputs("</p>", v->out);
    }
    fprintf(v->out, "<table style=\"--cols:%zu\">", ncols > 0 ? ncols : 1);
}

void mlp_view_sort_row(mlp_view *v, size_t norders, const size_t *ranks)
{
    if (v->kind != MLP_VIEW_HTML)
        return;
    fputs("<tr class=\"sorted\" style=\"", v->out);
    for (size_t k = 0; k < norders && k < MLP_VIEW_SORT_MAX; k++)
        fprintf(v->out, "--o%zu:%zu;", k, ranks[k] + 1);
    fputs("\">", v->out);
}

void mlp_view_sort_end(mlp_view *v)
{
    if (v->kind == MLP_VIEW_HTML)
        fputs("</table></div>\n", v->out);
}

typedef struct {
    const double *key;
    const char *const *name;
    int descending;
} rank_by;

/* qsort has no context argument in C11; one ranking runs at a time in a
 * view's process. */
static const rank_by *ranking;

static int compare_rows(const void *pa, const void *pb)
{
    size_t a = *(const size_t *)pa, b = *(const size_t *)pb;

    if (ranking->key != NULL) {
        double x = ranking->key[a], y = ranking->key[b];
        int nx = isnan(x), ny = isnan(y);
        if (nx != ny)
            return nx - ny;  /* rows without a key go last */
        if (!nx && x != y)
            return (x < y) == !ranking->descending ? -1 : 1;
    } else {
        const char *x = ranking->name[a] ? ranking->name[a] : "";
        const char *y = ranking->name[b] ? ranking->name[b] : "";
        /* "apple" before "Zebra", as a reader expects; bytes break ties. */
        int c = strcasecmp(x, y);
        if (c == 0)
            c = strcmp(x, y);
        if (c != 0)
            return c;
    }
    return (a > b) - (a < b);  /* ties keep the rows' own order */
}

static int rank_rows(size_t n, const rank_by *by, size_t *rank)
{
    size_t *order;

    if (n == 0)
        return MLP_OK;
    order = malloc(n * sizeof *order);
    if (order == NULL)
        return MLP_ENOMEM;
    for (size_t i = 0; i < n; i++)
        order[i] = i;
    ranking = by;
    qsort(order, n, sizeof *order, compare_rows);
    ranking = NULL;
    for (size_t i = 0; i < n; i++)
        rank[order[i]] = i;
    free(order);
    return MLP_OK;
}

int mlp_view_rank(size_t n, const double *key, int descending, size_t *rank)
{
    rank_by by = { key, NULL, descending };

    return rank_rows(n, &by, rank);
}

int mlp_view_rank_names(size_t n, const char *const *name, size_t *rank)
{
    rank_by by = { NULL, name, 0 };

    return rank_rows(n, &by, rank);
}
