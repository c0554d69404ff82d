/* L-infinity, Jensen-Shannon and normalised-absolute-difference distances
 * on TFDV-style histograms (mlpipe/distance.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <mlpipe/distance.h>

static double num(const cJSON *o, const char *k)
{
    return cJSON_GetNumberValue(cJSON_GetObjectItem(o, k));
}

double mlp_histogram_total(const cJSON *buckets)
{
    const cJSON *b;
    double t = 0;

    cJSON_ArrayForEach(b, buckets)
        t += num(b, "sample_count");
    return t;
}

/* One bucket of a rank histogram, for matching the two sides by label. */
typedef struct {
    const char *label;
    double count;
    int side;
} cat;

static int by_label(const void *pa, const void *pb)
{
    return strcmp(((const cat *)pa)->label, ((const cat *)pb)->label);
}

/* Category counts as two aligned vectors over the union of the labels of
 * two rank histograms, a label listed more than once on a side counted
 * once with the sum of its counts (as TFDV adds them up; labels cut at
 * max_value_bytes can repeat).  Returns the number of labels, or 0 (also
 * when out of memory, with *pa NULL). */
static size_t align_labels(const cJSON *a, const cJSON *b, double **pa, double **pb)
{
    size_t n = (size_t)(cJSON_GetArraySize(a) + cJSON_GetArraySize(b)), m = 0, k = 0;
    cat *all = calloc(n + 1, sizeof *all);
    const cJSON *x;

    *pa = calloc(n + 1, sizeof **pa);
    *pb = calloc(n + 1, sizeof **pb);
    if (all == NULL || *pa == NULL || *pb == NULL) {
        free(all);
        free(*pa);
        free(*pb);
        *pa = *pb = NULL;
        return 0;
    }
    for (int side = 0; side < 2; side++)
        cJSON_ArrayForEach(x, (side == 0 ? a : b)) {
            const char *l = cJSON_GetStringValue(cJSON_GetObjectItem(x, "label"));
            all[m++] = (cat){ l ? l : "", num(x, "sample_count"), side };
        }
    qsort(all, m, sizeof *all, by_label);
    for (size_t i = 0; i < m; k++) {
        size_t first = i;
        for (; i < m && strcmp(all[i].label, all[first].label) == 0; i++)
            (all[i].side == 0 ? *pa : *pb)[k] += all[i].count;
    }
    free(all);
    return k;
}

double mlp_distance_linf(const cJSON *a, const cJSON *b)
{
    double ta = mlp_histogram_total(a), tb = mlp_histogram_total(b), d = 0, *pa, *pb;
    size_t n;

    if (!(ta > 0) || !(tb > 0))
        return -1;
    n = align_labels(a, b, &pa, &pb);
    if (pa == NULL)
        return -1;
    for (size_t k = 0; k < n; k++)
        if (fabs(pa[k] / ta - pb[k] / tb) > d)
            d = fabs(pa[k] / ta - pb[k] / tb);
    free(pa);
    free(pb);
    return d;
}

double mlp_distance_nad(const cJSON *a, const cJSON *b)
{
    double *pa, *pb, total = 0, d = 0;
    size_t n = align_labels(a, b, &pa, &pb);

    if (pa == NULL)
        return -1;
    for (size_t k = 0; k < n; k++)
        total += pa[k] + pb[k];
    for (size_t k = 0; k < n && total > 0; k++)
        if (fabs(pa[k] - pb[k]) / total > d)
            d = fabs(pa[k] - pb[k]) / total;
    free(pa);
    free(pb);
    return total > 0 ? d : -1;
}

static double kl_part(double p, double m)
{
    return p > 0 ? p * log2(p / m) : 0;
}

/* JSD of two aligned count vectors, each normalised by its own total. */
static double jsd_cells(const double *pa, const double *pb, size_t n)
{
    double ta = 0, tb = 0, js = 0;

    for (size_t k = 0; k < n; k++) {
        ta += pa[k];
        tb += pb[k];
    }
    if (!(ta > 0) || !(tb > 0))
        return -1;
    for (size_t k = 0; k < n; k++) {
        double p = pa[k] / ta, q = pb[k] / tb, m = 0.5 * (p + q);
        if (m > 0)
            js += 0.5 * kl_part(p, m) + 0.5 * kl_part(q, m);
    }
    /* Rounding can leave a hair outside [0, 1]. */
    return js < 0 ? 0 : js > 1 ? 1 : js;
}

double mlp_distance_jsd_labels(const cJSON *a, const cJSON *b)
{
    double *pa, *pb, d;
    size_t n = align_labels(a, b, &pa, &pb);

    if (pa == NULL)
        return -1;
    d = jsd_cells(pa, pb, n);
    free(pa);
    free(pb);
    return d;
}

static int cmp_double(const void *p, const void *q)
{
    double x = *(const double *)p, y = *(const double *)q;
    return (x > y) - (x < y);
}

static int finite_width(const cJSON *b)
{
    double lo = num(b, "low_value"), hi = num(b, "high_value");
    return isfinite(lo) && isfinite(hi) && hi > lo;
}

static int is_point(const cJSON *b)
{
    double lo = num(b, "low_value"), hi = num(b, "high_value");
    return isfinite(lo) && lo == hi;
}

/* Spreads the counts of hist's buckets of finite width over the cells
 * between consecutive edges, evenly by width (the edges include every
 * bucket's bounds, so a bucket covers whole cells). */
static void rebucket(const cJSON *hist, const double *edges, size_t ne,
                     double *cells)
{
    const cJSON *b;

    cJSON_ArrayForEach(b, hist) {
        double lo = num(b, "low_value"), hi = num(b, "high_value");
        double count = num(b, "sample_count");
        if (!finite_width(b) || !(count > 0))
            continue;
        for (size_t k = 0; k + 1 < ne; k++) {
            double x = edges[k] > lo ? edges[k] : lo;
            double z = edges[k + 1] < hi ? edges[k + 1] : hi;
            /* Halved: a bucket spanning most of the doubles (a sentinel
             * like 1.8e308) must not overflow to a share of inf/inf. */
            if (z > x)
                cells[k] += count * ((z / 2 - x / 2) / (hi / 2 - lo / 2));
        }
    }
}

/* The count of the point bucket(s) of hist at value v. */
static double point_mass(const cJSON *hist, double v)
{
    const cJSON *b;
    double m = 0;

    cJSON_ArrayForEach(b, hist)
        if (is_point(b) && num(b, "low_value") == v)
            m += num(b, "sample_count");
    return m;
}

static double infinite_mass(const cJSON *hist)
{
    const cJSON *b;
    double m = 0;

    cJSON_ArrayForEach(b, hist)
        if (!isfinite(num(b, "low_value")) || !isfinite(num(b, "high_value")))
            m += num(b, "sample_count");
    return m;
}

double mlp_distance_jsd(const cJSON *a, double nan_a, const cJSON *b, double nan_b)
{
    size_t na = (size_t)cJSON_GetArraySize(a), nb = (size_t)cJSON_GetArraySize(b);
    size_t n = 0, ne = 0, np = 0, cells;
    double *edges = malloc((2 * (na + nb) + 1) * sizeof *edges);
    double *points = malloc((na + nb + 1) * sizeof *points);
    double *pa = NULL, *pb = NULL, ia = infinite_mass(a), ib = infinite_mass(b), d;
    const cJSON *x;

    if (edges == NULL || points == NULL) {
        free(edges);
        free(points);
        return -1;
    }
    /* Cells: between the union of the finite buckets' bounds, then one per
     * point value, then the infinite masses and the NaNs, each in a cell
     * the other side does not share (as TFDV's metrics.cc aligns them). */
    for (int side = 0; side < 2; side++)
        cJSON_ArrayForEach(x, (side ? b : a)) {
            if (finite_width(x)) {
                edges[n++] = num(x, "low_value");
                edges[n++] = num(x, "high_value");
            } else if (is_point(x)) {
                points[np++] = num(x, "low_value");
            }
        }
    qsort(edges, n, sizeof *edges, cmp_double);
    for (size_t k = 0; k < n; k++)
        if (ne == 0 || edges[k] > edges[ne - 1])
            edges[ne++] = edges[k];
    qsort(points, np, sizeof *points, cmp_double);
    n = 0;
    for (size_t k = 0; k < np; k++)
        if (n == 0 || points[k] > points[n - 1])
            points[n++] = points[k];
    np = n;
    cells = (ne ? ne - 1 : 0) + np + 4;
    pa = calloc(cells, sizeof *pa);
    pb = calloc(cells, sizeof *pb);
    if (pa == NULL || pb == NULL) {
        free(edges);
        free(points);
        free(pa);
        free(pb);
        return -1;
    }
    n = ne ? ne - 1 : 0;
    rebucket(a, edges, ne, pa);
    rebucket(b, edges, ne, pb);
    for (size_t k = 0; k < np; k++, n++) {
        pa[n] = point_mass(a, points[k]);
        pb[n] = point_mass(b, points[k]);
    }
    /* Each side's infinite mass and NaNs in a cell of its own, which the
     * other side does not share: infinities or NaNs on both sides still
     * count as a difference, as in TFDV. */
    pa[n] = ia;
    pb[n + 1] = ib;
    pa[n + 2] = nan_a > 0 ? nan_a : 0;
    pb[n + 3] = nan_b > 0 ? nan_b : 0;
    n += 4;
    d = jsd_cells(pa, pb, n);
    free(edges);
    free(points);
    free(pa);
    free(pb);
    return d;
}
