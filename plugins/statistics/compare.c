/* The report's comparison of splits, as Facets Overview draws it: each
 * feature once, every split side by side (missing and zero shares, mean or
 * distinct values), one chart with each split's distribution overlaid,
 * axis ticks at its ends and middle and every bar's count on hover
 * (an SVG <title>), and how far each split's distribution is from the
 * first split's.  The reader orders the features by that distance, by
 * missing share, by name or as in the data.  Shares past a threshold are
 * highlighted; the label is marked. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mlpipe/mlpipe.h>

#include "compare.h"

#define MAX_SPLITS 8
#define W 240
#define H 60
#define MISSING_WARN 0.05   /* more than this share missing is marked */
#define ZEROS_WARN 0.5      /* more than this share zeros is marked */
/* Wide data: overlaid charts cost kilobytes a feature, and a view's
 * output is bounded (64 MiB); the furthest apart get them. */
#define MAX_CHARTS 1000

static const char *const fills[MAX_SPLITS] = {
    "#4878d0", "#ee854a", "#6acc64", "#d65f5f", "#956cb4", "#8c613c", "#dc7ec0", "#797979"
};

static const cJSON *standard(const cJSON *f)
{
    const cJSON *h;

    cJSON_ArrayForEach(h, cJSON_GetObjectItem(cJSON_GetObjectItem(f, "num_stats"), "histograms"))
        if (strcmp(mlp_json_str(h, "type"), "STANDARD") == 0)
            return cJSON_GetObjectItem(h, "buckets");
    return NULL;
}

/* Overlaid numeric histograms on one x axis (the finite range of every
 * split), heights as each split's share of its values. */
static void numeric_chart(mlp_view *v, const cJSON *const *fs, const char *const *names,
                          int n)
{
    double lo = INFINITY, hi = -INFINITY, top = 0;
    const cJSON *b;

    for (int k = 0; k < n; k++) {
        double t = mlp_histogram_total(standard(fs[k]));
        cJSON_ArrayForEach(b, standard(fs[k])) {
            double l = mlp_json_num(b, "low_value"), h = mlp_json_num(b, "high_value");
            if (!isfinite(l) || !isfinite(h))
                continue;
            lo = l < lo ? l : lo;
            hi = h > hi ? h : hi;
            if (t > 0 && mlp_json_num(b, "sample_count") / t > top)
                top = mlp_json_num(b, "sample_count") / t;
        }
    }
    if (!(hi > lo) || !(top > 0))
        return;
    mlp_view_printf(v, "<svg class=\"cmp\" width=\"%d\" height=\"%d\">", W, H + 14);
    for (int k = 0; k < n; k++) {
        double t = mlp_histogram_total(standard(fs[k]));
        cJSON_ArrayForEach(b, standard(fs[k])) {
            double l = mlp_json_num(b, "low_value"), h = mlp_json_num(b, "high_value");
            double c = mlp_json_num(b, "sample_count"), share = t > 0 ? c / t : 0;
            if (!isfinite(l) || !isfinite(h))
                continue;
            /* Halved, so a range as wide as the doubles cannot overflow. */
            double span = hi / 2 - lo / 2;
            double x = (l / 2 - lo / 2) / span * W, w = (h / 2 - l / 2) / span * W;
            double bh = share / top * H;
            mlp_view_printf(v, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                            "fill=\"%s\" opacity=\"0.5\"><title>", x, H - bh,
                            w > 1 ? w : 1, bh, fills[k]);
            mlp_view_text(v, names[k]);
            mlp_view_printf(v, ": [%.6g, %.6g] %.0f (%.1f%%)</title></rect>", l, h, c,
                            100 * share);
        }
    }
    /* Axis: ticks at the ends and the middle. */
    mlp_view_printf(v, "<line x1=\"0\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/>",
                    H, W, H);
    for (int i = 0; i <= 2; i++) {
        double x = i * W / 2.0;
        mlp_view_printf(v, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#888\"/>"
                        "<text class=\"tick\" x=\"%.1f\" y=\"%d\" font-size=\"9\" "
                        "text-anchor=\"%s\">%.4g</text>", x, H, x, H + 3, x, H + 12,
                        i == 0 ? "start" : i == 2 ? "end" : "middle",
                        i == 0 ? lo : i == 2 ? hi : lo / 2 + hi / 2);
    }
    mlp_view_puts(v, "</svg>");
}

/* Grouped bars of the most frequent values of base (the first split that
 * has the feature), every split's share of each side by side; a split
 * without the feature (fs[k] NULL) has no bars. */
static void category_chart(mlp_view *v, const cJSON *base, const cJSON *const *fs,
                           const char *const *names, int n)
{
    const cJSON *rank0 = cJSON_GetObjectItem(cJSON_GetObjectItem(base, "string_stats"),
                                             "rank_histogram"), *b, *x;
    int m = cJSON_GetArraySize(rank0) < 10 ? cJSON_GetArraySize(rank0) : 10, i = 0;
    double top = 0;

    if (m == 0)
        return;
    double gw = (double)W / m, bw = gw / (n + 1);
    mlp_view_printf(v, "<svg class=\"cmp\" width=\"%d\" height=\"%d\">", W, H + 14);
    for (int pass = 0; pass < 2; pass++) {
        i = 0;
        cJSON_ArrayForEach(b, rank0) {
            if (i == m)
                break;
            const char *label = mlp_json_str(b, "label");
            for (int k = 0; k < n; k++) {
                if (fs[k] == NULL)
                    continue;
                const cJSON *rank = cJSON_GetObjectItem(cJSON_GetObjectItem(fs[k],
                                                        "string_stats"), "rank_histogram");
                double t = mlp_histogram_total(rank), c = 0;
                cJSON_ArrayForEach(x, rank)
                    if (strcmp(mlp_json_str(x, "label"), label) == 0)
                        c = mlp_json_num(x, "sample_count");
                double share = t > 0 ? c / t : 0;
                if (pass == 0) {
                    top = share > top ? share : top;
                    continue;
                }
                double bh = top > 0 ? share / top * H : 0;
                mlp_view_printf(v, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
                                "height=\"%.1f\" fill=\"%s\"><title>", i * gw + k * bw,
                                H - bh, bw, bh, fills[k]);
                mlp_view_text(v, names[k]);
                mlp_view_puts(v, ": ");
                mlp_view_text(v, label);
                mlp_view_printf(v, " %.0f (%.1f%%)</title></rect>", c, 100 * share);
            }
            i++;
        }
    }
    mlp_view_printf(v, "<line x1=\"0\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/>"
                    "</svg>", H, W, H);
}

static void share_cell(mlp_view *v, double share, double warn)
{
    if (!isfinite(share)) {
        mlp_view_puts(v, "<td class=\"num\">-</td>");
        return;
    }
    mlp_view_printf(v, "<td class=\"num%s\">%.1f%%</td>", share > warn ? " WARNING" : "",
                    100 * share);
}

/* How far split k's distribution is from the first split's, as TFDV's
 * default comparators measure it (mlpipe/distance.h): Jensen-Shannon
 * divergence of the standard histograms (NaNs counted) for numbers, the
 * L-infinity distance of the category shares for text.  NaN when either
 * side has nothing to compare. */
static double distance_to_first(const cJSON *f0, const cJSON *fk, int numeric)
{
    double d;

    if (f0 == NULL || fk == NULL)
        return NAN;
    if (numeric) {
        const cJSON *n0 = cJSON_GetObjectItem(f0, "num_stats");
        const cJSON *nk = cJSON_GetObjectItem(fk, "num_stats");
        d = mlp_distance_jsd(standard(f0), mlp_json_num(n0, "num_nan"),
                             standard(fk), mlp_json_num(nk, "num_nan"));
    } else {
        d = mlp_distance_linf(
            cJSON_GetObjectItem(cJSON_GetObjectItem(f0, "string_stats"), "rank_histogram"),
            cJSON_GetObjectItem(cJSON_GetObjectItem(fk, "string_stats"), "rank_histogram"));
    }
    return d >= 0 ? d : NAN;
}

/* What the reader can order the features by. */
enum { BY_DISTANCE, BY_MISSING, BY_NAME, BY_DATA, N_ORDERS };

typedef struct {
    const cJSON *fs[MAX_SPLITS];   /* the feature in each split, or NULL */
    const cJSON *any;              /* the first split's that has it */
    double dist[MAX_SPLITS];       /* [k] for k >= 1: to the first split */
    double far, missing;           /* largest distance, largest missing share */
    size_t split, pos;             /* where it is listed first */
    int numeric, comparable;
} row;

/* Rows as the data lists them: the first split's features in its order,
 * then those only later splits have. */
static int by_listing(const void *pa, const void *pb)
{
    const row *a = pa, *b = pb;

    if (a->split != b->split)
        return a->split < b->split ? -1 : 1;
    return (a->pos > b->pos) - (a->pos < b->pos);
}

/* A feature of one split, for matching the splits' features by name. */
typedef struct {
    const char *name;
    const cJSON *f;
    size_t split, pos;
} entry;

static int by_name_split(const void *pa, const void *pb)
{
    const entry *a = pa, *b = pb;
    int c = strcmp(a->name, b->name);

    if (c != 0)
        return c;
    if (a->split != b->split)
        return a->split < b->split ? -1 : 1;
    return (a->pos > b->pos) - (a->pos < b->pos);
}

static void write_row(mlp_view *v, const row *r, const char *const *names, int n,
                      const char *label, int chart)
{
    const cJSON *f = r->any;
    const char *name = mlp_json_str(f, "name");

    mlp_view_puts(v, "<td>");
    mlp_view_text(v, name);
    if (label && strcmp(label, name) == 0)
        mlp_view_puts(v, " <b>(label)</b>");
    mlp_view_puts(v, "</td><td>");
    mlp_view_text(v, mlp_json_str(f, "type"));
    mlp_view_puts(v, "</td>");
    for (int k = 0; k < n; k++) {
        const cJSON *c = cJSON_GetObjectItem(r->fs[k], "common");
        const cJSON *ns = cJSON_GetObjectItem(r->fs[k], "num_stats");
        double present = mlp_json_num(c, "num_non_missing");
        if (r->fs[k] == NULL) {
            mlp_view_puts(v, "<td>absent</td><td></td><td></td>");
        } else {
            share_cell(v, mlp_json_num(c, "missing_fraction"), MISSING_WARN);
            if (ns != NULL) {
                /* No values: no share of zeros and no mean, not 0. */
                share_cell(v, present > 0 ? mlp_json_num(ns, "num_zeros") / present : NAN,
                           ZEROS_WARN);
                if (isnan(mlp_json_num(ns, "mean")))
                    mlp_view_puts(v, "<td class=\"num\">-</td>");
                else
                    mlp_view_printf(v, "<td class=\"num\">%.6g</td>", mlp_json_num(ns, "mean"));
            } else {
                mlp_view_printf(v, "<td></td><td class=\"num\">%.0f</td>",
                                mlp_json_num(cJSON_GetObjectItem(r->fs[k], "string_stats"),
                                             "unique"));
            }
        }
        if (k == 0)
            continue;
        if (isnan(r->dist[k]))
            mlp_view_puts(v, "<td class=\"num distance\">-</td>");
        else
            mlp_view_printf(v, "<td class=\"num distance\" title=\"%s\">%.4f</td>",
                            r->numeric ? "Jensen-Shannon divergence"
                                       : "L-infinity distance", r->dist[k]);
    }
    mlp_view_puts(v, "<td>");
    if (chart && r->comparable && r->numeric)
        numeric_chart(v, r->fs, names, n);
    else if (chart && r->comparable)
        category_chart(v, r->any, r->fs, names, n);
    mlp_view_puts(v, "</td></tr>\n");
}

void stats_compare(mlp_view *v, const cJSON *doc, const char *label)
{
    const cJSON *splits = cJSON_GetObjectItem(doc, "splits"), *s, *f;
    const cJSON *sp[MAX_SPLITS];
    const char *names[MAX_SPLITS];
    static const char *const orders[N_ORDERS] = {
        "largest distance first", "most missing first", "by name", "as in the data"
    };
    int n = 0;

    int all_splits = cJSON_GetArraySize(splits);

    cJSON_ArrayForEach(s, splits)
        if (n < MAX_SPLITS) {
            names[n] = mlp_json_str(s, "name");
            sp[n++] = s;
        }
    if (n < 2)
        return;
    /* Every feature of any split, once: matched by name, in the order
     * the first split lists them, then what only later splits have. */
    size_t total = 0, ne = 0, nf = 0, i;
    for (int k = 0; k < n; k++)
        total += (size_t)cJSON_GetArraySize(cJSON_GetObjectItem(sp[k], "features"));
    entry *all = calloc(total ? total : 1, sizeof *all);
    row *rows = calloc(total ? total : 1, sizeof *rows);
    double *key = calloc(total ? total : 1, 2 * sizeof *key);
    const char **fname = calloc(total ? total : 1, sizeof *fname);
    size_t *rank = calloc(total ? total : 1, N_ORDERS * sizeof *rank);
    if (all == NULL || rows == NULL || key == NULL || fname == NULL || rank == NULL) {
        mlp_view_puts(v, "<p>(no memory to compare the splits)</p>\n");
        goto done;
    }
    for (int k = 0; k < n; k++) {
        size_t pos = 0;
        cJSON_ArrayForEach(f, cJSON_GetObjectItem(sp[k], "features"))
            if (mlp_json_str(f, "name") != NULL)
                all[ne++] = (entry){ mlp_json_str(f, "name"), f, (size_t)k, pos++ };
    }
    qsort(all, ne, sizeof *all, by_name_split);
    for (size_t e = 0; e < ne; nf++) {
        row *r = &rows[nf];
        size_t first = e;
        for (; e < ne && strcmp(all[e].name, all[first].name) == 0; e++)
            if (r->fs[all[e].split] == NULL)
                r->fs[all[e].split] = all[e].f;
        r->any = all[first].f;
        r->split = all[first].split;
        r->pos = all[first].pos;
        r->numeric = cJSON_GetObjectItem(r->any, "num_stats") != NULL;
        r->comparable = 1;
        r->far = NAN;
        r->missing = 0;
        /* Comparable: every split that has it has it of one kind (numbers
         * or text); a split that lacks it just has no bars. */
        for (int k = 0; k < n; k++) {
            r->comparable &= r->fs[k] == NULL ||
                (cJSON_GetObjectItem(r->fs[k], "num_stats") != NULL) == r->numeric;
            double m = mlp_json_num(cJSON_GetObjectItem(r->fs[k], "common"),
                                    "missing_fraction");
            r->missing = m > r->missing ? m : r->missing;
        }
        for (int k = 1; k < n; k++) {
            r->dist[k] = r->comparable && r->fs[0] != NULL && r->fs[k] != NULL
                         ? distance_to_first(r->fs[0], r->fs[k], r->numeric) : NAN;
            if (!isnan(r->dist[k]) && !(r->dist[k] <= r->far))
                r->far = r->dist[k];
        }
    }
    qsort(rows, nf, sizeof *rows, by_listing);
    for (i = 0; i < nf; i++) {
        key[i] = rows[i].far;
        key[nf + i] = rows[i].missing;
        fname[i] = mlp_json_str(rows[i].any, "name");
        rank[BY_DATA * nf + i] = i;
    }
    if (mlp_view_rank(nf, key, 1, rank + BY_DISTANCE * nf) != MLP_OK ||
        mlp_view_rank(nf, key + nf, 1, rank + BY_MISSING * nf) != MLP_OK ||
        mlp_view_rank_names(nf, fname, rank + BY_NAME * nf) != MLP_OK) {
        mlp_view_puts(v, "<p>(no memory to compare the splits)</p>\n");
        goto done;
    }
    mlp_view_puts(v, "<h3>Splits side by side</h3>\n<p>");
    for (int k = 0; k < n; k++) {
        mlp_view_printf(v, "<svg width=\"10\" height=\"10\"><rect width=\"10\" "
                        "height=\"10\" fill=\"%s\"/></svg> ", fills[k]);
        mlp_view_text(v, names[k]);
        mlp_view_printf(v, " (%.0f examples) ", mlp_json_num(sp[k], "num_examples"));
    }
    if (all_splits > n)
        mlp_view_printf(v, "<span class=\"WARNING\">(the first %d of %d splits; each "
                        "split has its own table below)</span>", n, all_splits);
    mlp_view_puts(v, "</p>\n<p>distance: how far each split's distribution is from ");
    mlp_view_text(v, names[0]);
    mlp_view_puts(v, "'s, from 0 (the same) to 1: the Jensen-Shannon divergence for "
                  "numbers, the L-infinity distance of the shares for categories. As in "
                  "TFDV's comparators, NaN and infinite values are each a share that "
                  "no other split's matches, so a feature with such values is never "
                  "at 0.</p>\n");
    if (nf > MAX_CHARTS)
        mlp_view_printf(v, "<p>(%zu features: charts for the %d furthest apart; the "
                        "rest are in each split's table below)</p>\n", nf, MAX_CHARTS);
    mlp_view_puts(v, "<div class=\"compare\">");
    mlp_view_sort_begin(v, 2 + 4 * (size_t)n, N_ORDERS, orders);
    mlp_view_puts(v, "<tr><th>feature</th><th>type</th>");
    for (int k = 0; k < n; k++) {
        mlp_view_puts(v, "<th>");
        mlp_view_text(v, names[k]);
        mlp_view_puts(v, ": missing</th><th>zeros</th><th>mean / distinct</th>");
        if (k > 0) {
            mlp_view_puts(v, "<th>distance to ");
            mlp_view_text(v, names[0]);
            mlp_view_puts(v, "</th>");
        }
    }
    mlp_view_puts(v, "<th>distribution</th></tr>\n");
    for (i = 0; i < nf; i++) {
        size_t ranks[N_ORDERS];
        for (int o = 0; o < N_ORDERS; o++)
            ranks[o] = rank[(size_t)o * nf + i];
        mlp_view_sort_row(v, N_ORDERS, ranks);
        write_row(v, &rows[i], names, n, label, ranks[BY_DISTANCE] < MAX_CHARTS);
    }
    mlp_view_sort_end(v);
    mlp_view_puts(v, "</div>\n");
done:
    free(all);
    free(rows);
    free(key);
    free(fname);
    free(rank);
}
