/* The quantile sketch: buffers per level, compaction by halving. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "select.h"
#include "sketch.h"

void sketch_init(sketch *s)
{
    memset(s, 0, sizeof *s);
}

void sketch_free(sketch *s)
{
    for (size_t i = 0; i < SKETCH_MAX_LEVELS; i++)
        free(s->level[i].v);
    memset(s, 0, sizeof *s);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int ensure(sketch_level *l)
{
    if (l->v == NULL) {
        l->v = malloc(SKETCH_K * sizeof *l->v);
        if (l->v == NULL)
            return -1;
    }
    return 0;
}

static int compact(sketch *s, size_t i);

/* Adds v to level i, compacting the level when it fills up. */
static int push_level(sketch *s, size_t i, double v)
{
    sketch_level *l;

    if (i >= SKETCH_MAX_LEVELS)
        return -1;
    l = &s->level[i];
    if (ensure(l) != 0)
        return -1;
    if (i + 1 > s->n_levels)
        s->n_levels = i + 1;
    l->v[l->n++] = v;
    return l->n == SKETCH_K ? compact(s, i) : 0;
}

/* Level i is full: sort it and move every other value (the offset
 * alternates so no side is favoured) one level up, where each stands for
 * twice as many values. */
static int compact(sketch *s, size_t i)
{
    double half[SKETCH_K / 2];
    sketch_level *lo = &s->level[i];
    size_t n = 0, off;

    qsort(lo->v, lo->n, sizeof *lo->v, cmp_double);
    off = s->flip++ & 1;
    for (size_t k = off; k < lo->n; k += 2)
        half[n++] = lo->v[k];
    lo->n = 0;
    for (size_t k = 0; k < n; k++)
        if (push_level(s, i + 1, half[k]) != 0)
            return -1;
    return 0;
}

int sketch_add(sketch *s, double v)
{
    if (isnan(v))
        return 0;
    s->count++;
    return push_level(s, 0, v);
}

int sketch_merge(sketch *a, const sketch *b)
{
    for (size_t i = 0; i < b->n_levels; i++)
        for (size_t k = 0; k < b->level[i].n; k++)
            if (push_level(a, i, b->level[i].v[k]) != 0)
                return -1;
    a->count += b->count;
    return 0;
}

typedef struct wv {
    double v;
    double w;
} wv;

static int cmp_wv(const void *a, const void *b)
{
    return cmp_double(&((const wv *)a)->v, &((const wv *)b)->v);
}

int sketch_quantiles(const sketch *s, const double *qs, size_t nq, double *out)
{
    size_t total = 0, m = 0;
    double weight = 0, acc = 0;
    wv *all;

    for (size_t i = 0; i < s->n_levels; i++)
        total += s->level[i].n;
    if (total == 0) {
        for (size_t j = 0; j < nq; j++)
            out[j] = NAN;
        return 0;
    }
    all = malloc(total * sizeof *all);
    if (all == NULL)
        return -1;
    for (size_t i = 0; i < s->n_levels; i++)
        for (size_t k = 0; k < s->level[i].n; k++) {
            all[m].v = s->level[i].v[k];
            all[m].w = ldexp(1.0, (int)i);
            weight += all[m].w;
            m++;
        }
    qsort(all, m, sizeof *all, cmp_wv);
    /* Rank r (0-based, of `weight` items) of fraction q follows the usual
     * linear interpolation between order statistics when exact, as pandas
     * and NumPy do: position q * (n - 1). */
    for (size_t j = 0; j < nq; j++) {
        double pos = qs[j] * (weight - 1);
        size_t k = 0;
        acc = 0;
        while (k + 1 < m && acc + all[k].w <= pos) {
            acc += all[k].w;
            k++;
        }
        /* all[k] covers ranks [acc, acc + w): interpolate to the next value
         * only within an exact stretch (weight 1). */
        double frac = pos - acc;
        if (all[k].w == 1 && frac > 0 && k + 1 < m)
            out[j] = quantile_lerp(all[k].v, all[k + 1].v, frac);
        else
            out[j] = all[k].v;
    }
    free(all);
    return 0;
}

double sketch_quantile(const sketch *s, double q)
{
    double out;

    if (sketch_quantiles(s, &q, 1, &out) != 0)
        return NAN;
    return out;
}

double sketch_error_bound(const sketch *s)
{
    if (s->n_levels <= 1)
        return 0;
    return (double)(s->n_levels - 1) / SKETCH_K;
}
