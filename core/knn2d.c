/* k-th neighbour distances in the plane (knn2d.h), by a k-d tree: median
 * splits along the wider side down to small leaves, each node with its
 * bounding box, searched nearest child first and pruned by the box's
 * distance to the query point. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include <mlpipe/memory.h>

#include "knn2d.h"

enum { LEAF = 16 };

typedef struct node {
    double lo[2], hi[2];
    uint32_t begin, end;   /* the node's points: idx[begin..end) */
    uint32_t child;        /* the first of two consecutive children; 0: leaf */
} node;

typedef struct tree {
    const double *c[2];
    uint32_t *idx;
    node *nodes;
    size_t n_nodes;
} tree;

/* Puts the point with the m-th smallest coordinate among idx[a..b) at m,
 * smaller ones before it and larger after (Wirth's selection). */
static void select_nth(const double *v, uint32_t *idx, size_t a, size_t b, size_t m)
{
    ptrdiff_t l = (ptrdiff_t)a, r = (ptrdiff_t)b - 1, k = (ptrdiff_t)m;

    while (l < r) {
        double pivot = v[idx[k]];
        ptrdiff_t i = l, j = r;
        do {
            while (v[idx[i]] < pivot)
                i++;
            while (pivot < v[idx[j]])
                j--;
            if (i <= j) {
                uint32_t t = idx[i];
                idx[i] = idx[j];
                idx[j] = t;
                i++;
                j--;
            }
        } while (i <= j);
        if (j < k)
            l = i;
        if (k < i)
            r = j;
    }
}

static void build(tree *t, size_t at, size_t begin, size_t end)
{
    node *nd = &t->nodes[at];

    nd->begin = (uint32_t)begin;
    nd->end = (uint32_t)end;
    nd->child = 0;
    for (int d = 0; d < 2; d++) {
        nd->lo[d] = INFINITY;
        nd->hi[d] = -INFINITY;
        for (size_t i = begin; i < end; i++) {
            double v = t->c[d][t->idx[i]];
            nd->lo[d] = v < nd->lo[d] ? v : nd->lo[d];
            nd->hi[d] = v > nd->hi[d] ? v : nd->hi[d];
        }
    }
    if (end - begin <= LEAF)
        return;
    int d = nd->hi[1] - nd->lo[1] > nd->hi[0] - nd->lo[0];
    size_t mid = begin + (end - begin) / 2, first = t->n_nodes;
    select_nth(t->c[d], t->idx, begin, end, mid);
    t->n_nodes += 2;
    t->nodes[at].child = (uint32_t)first;
    build(t, first, begin, mid);
    build(t, first + 1, mid, end);
}

static double box_dist(const node *nd, double px, double py)
{
    double dx = px < nd->lo[0] ? nd->lo[0] - px : px > nd->hi[0] ? px - nd->hi[0] : 0;
    double dy = py < nd->lo[1] ? nd->lo[1] - py : py > nd->hi[1] ? py - nd->hi[1] : 0;
    return dx > dy ? dx : dy;
}

/* best[0..k) ascending, the k smallest distances so far. */
static void search(const tree *t, const node *nd, size_t self, double px, double py,
                   double *best, size_t k)
{
    if (box_dist(nd, px, py) >= best[k - 1])
        return;
    if (nd->child == 0) {
        for (uint32_t i = nd->begin; i < nd->end; i++) {
            uint32_t j = t->idx[i];
            if (j == self)
                continue;
            double dx = fabs(t->c[0][j] - px), dy = fabs(t->c[1][j] - py);
            double dist = dx > dy ? dx : dy;
            if (dist < best[k - 1]) {
                size_t s = k - 1;
                while (s > 0 && best[s - 1] > dist) {
                    best[s] = best[s - 1];
                    s--;
                }
                best[s] = dist;
            }
        }
        return;
    }
    const node *a = &t->nodes[nd->child], *b = a + 1;
    if (box_dist(b, px, py) < box_dist(a, px, py)) {
        const node *s = a;
        a = b;
        b = s;
    }
    search(t, a, self, px, py, best, k);
    search(t, b, self, px, py, best, k);
}

int mlpi_knn2d_radius(const double *x, const double *y, size_t n, size_t k,
                      double *radius)
{
    tree t;
    double *best = mlp_malloc(k * sizeof *best);

    t.c[0] = x;
    t.c[1] = y;
    t.idx = mlp_malloc(n * sizeof *t.idx);
    /* A binary tree with leaves of at most LEAF points: fewer than
     * 4n / LEAF + 1 nodes. */
    t.nodes = mlp_malloc((4 * n / LEAF + 2) * sizeof *t.nodes);
    t.n_nodes = 1;
    if (best == NULL || t.idx == NULL || t.nodes == NULL) {
        mlp_free(best);
        mlp_free(t.idx);
        mlp_free(t.nodes);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        t.idx[i] = (uint32_t)i;
    build(&t, 0, 0, n);
    for (size_t i = 0; i < n; i++) {
        for (size_t s = 0; s < k; s++)
            best[s] = INFINITY;
        search(&t, &t.nodes[0], i, x[i], y[i], best, k);
        radius[i] = best[k - 1];
    }
    mlp_free(best);
    mlp_free(t.idx);
    mlp_free(t.nodes);
    return 0;
}
