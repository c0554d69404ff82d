/* L-infinity and Jensen-Shannon distances on TFDV-style histograms. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "distance.h"

static double num(const cJSON *o, const char *k)
{
    return cJSON_GetNumberValue(cJSON_GetObjectItem(o, k));
}

double histogram_total(const cJSON *buckets)
{
    const cJSON *b;
    double t = 0;

    cJSON_ArrayForEach(b, buckets)
        t += num(b, "sample_count");
    return t;
}

static double lookup(const cJSON *rank, const char *label)
{
    const cJSON *b;

    cJSON_ArrayForEach(b, rank) {
        const char *l = cJSON_GetStringValue(cJSON_GetObjectItem(b, "label"));
        if (l && strcmp(l, label) == 0)
            return num(b, "sample_count");
    }
    return 0;
}

double linf_distance(const cJSON *a, const cJSON *b)
{
    double ta = histogram_total(a), tb = histogram_total(b), d = 0;
    const cJSON *x;

    if (!(ta > 0) || !(tb > 0))
        return -1;
    cJSON_ArrayForEach(x, a) {
        const char *l = cJSON_GetStringValue(cJSON_GetObjectItem(x, "label"));
        double diff = fabs(num(x, "sample_count") / ta - (l ? lookup(b, l) : 0) / tb);
        if (diff > d)
            d = diff;
    }
    /* Categories only the second side has. */
    cJSON_ArrayForEach(x, b) {
        const char *l = cJSON_GetStringValue(cJSON_GetObjectItem(x, "label"));
        if (l && lookup(a, l) == 0) {
            double diff = num(x, "sample_count") / tb;
            if (diff > d)
                d = diff;
        }
    }
    return d;
}

static int cmp_double(const void *p, const void *q)
{
    double x = *(const double *)p, y = *(const double *)q;
    return (x > y) - (x < y);
}

/* Spreads hist's counts over the cells: cell k < ne - 1 is [edge k,
 * edge k+1), cell ne - 1 is the single point of the last edge.  A bucket of
 * zero width (all its values equal) puts its count in the cell that starts
 * at its value, or in that point cell. */
static void rebucket(const cJSON *hist, const double *edges, size_t ne,
                     double *cells)
{
    const cJSON *b;

    cJSON_ArrayForEach(b, hist) {
        double lo = num(b, "low_value"), hi = num(b, "high_value");
        double count = num(b, "sample_count");
        if (!(count > 0))
            continue;
        if (!(hi > lo)) {
            size_t k = 0;
            while (k + 1 < ne && edges[k + 1] <= lo)
                k++;
            cells[k] += count;
            continue;
        }
        for (size_t k = 0; k + 1 < ne; k++) {
            double a = edges[k] > lo ? edges[k] : lo;
            double z = edges[k + 1] < hi ? edges[k + 1] : hi;
            if (z > a)
                cells[k] += count * (z - a) / (hi - lo);
        }
    }
}

static double kl_part(double p, double m)
{
    return p > 0 ? p * log2(p / m) : 0;
}

double js_divergence(const cJSON *a, const cJSON *b)
{
    double ta = histogram_total(a), tb = histogram_total(b), js = 0;
    size_t n = 0, ne = 0;
    double *edges, *pa, *pb;
    const cJSON *x;

    if (!(ta > 0) || !(tb > 0))
        return -1;
    n = 2 * (size_t)(cJSON_GetArraySize(a) + cJSON_GetArraySize(b));
    edges = malloc((n + 1) * sizeof *edges);
    if (edges == NULL)
        return -1;
    n = 0;
    cJSON_ArrayForEach(x, a) {
        edges[n++] = num(x, "low_value");
        edges[n++] = num(x, "high_value");
    }
    cJSON_ArrayForEach(x, b) {
        edges[n++] = num(x, "low_value");
        edges[n++] = num(x, "high_value");
    }
    qsort(edges, n, sizeof *edges, cmp_double);
    for (size_t k = 0; k < n; k++)
        if (ne == 0 || edges[k] > edges[ne - 1])
            edges[ne++] = edges[k];
    pa = calloc(ne, sizeof *pa);
    pb = calloc(ne, sizeof *pb);
    if (pa == NULL || pb == NULL) {
        free(edges);
        free(pa);
        free(pb);
        return -1;
    }
    rebucket(a, edges, ne, pa);
    rebucket(b, edges, ne, pb);
    for (size_t k = 0; k < ne; k++) {
        double p = pa[k] / ta, q = pb[k] / tb, m = 0.5 * (p + q);
        if (m > 0)
            js += 0.5 * kl_part(p, m) + 0.5 * kl_part(q, m);
    }
    free(edges);
    free(pa);
    free(pb);
    /* Rounding can leave a hair outside [0, 1]. */
    return js < 0 ? 0 : js > 1 ? 1 : js;
}
