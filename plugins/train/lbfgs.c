/* L-BFGS (Nocedal & Wright, Numerical Optimization, algorithms 7.4, 3.5
 * and 3.6): the two-loop recursion over the last m corrections, and a
 * line search that finds a step meeting the strong Wolfe conditions, so
 * every accepted pair has positive curvature. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lbfgs.h"

#define C1 1e-4      /* sufficient decrease */
#define C2 0.9       /* curvature: loose, as quasi-Newton methods want */
#define MAX_LS 40    /* evaluations per line search */

typedef struct ls {
    size_t n;
    const double *x0, *d;
    double *x, *g;
    lbfgs_fn fn;
    void *user;
    double f0, dphi0;
    size_t evals;
    double f;              /* f at x: the last point evaluated */
} ls;

static double dot(size_t n, const double *a, const double *b)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += a[i] * b[i];
    return s;
}

/* f and its slope along d at step a; leaves x and g at that point. */
static double phi(ls *l, double a, double *dphi)
{
    for (size_t i = 0; i < l->n; i++)
        l->x[i] = l->x0[i] + a * l->d[i];
    double f = l->fn(l->user, l->x, l->g);
    *dphi = dot(l->n, l->g, l->d);
    l->evals++;
    l->f = f;
    return f;
}

/* The minimiser of the cubic through (a, fa, da) and (b, fb, db), kept
 * well inside [a, b] so the bracket always shrinks. */
static double cubic(double a, double fa, double da, double b, double fb, double db)
{
    double lo = a < b ? a : b, hi = a < b ? b : a, w = hi - lo, t;
    double d1 = da + db - 3 * (fa - fb) / (a - b);
    double r = d1 * d1 - da * db;

    if (r >= 0 && isfinite(r)) {
        double d2 = (b > a ? 1 : -1) * sqrt(r);
        double den = db - da + 2 * d2;
        t = den != 0 ? b - (b - a) * (db + d2 - d1) / den : NAN;
    } else {
        t = NAN;
    }
    if (!isfinite(t) || t < lo + 0.1 * w || t > hi - 0.1 * w)
        t = lo + 0.5 * w;
    return t;
}

/* Algorithm 3.6: the bracket [lo, hi] holds a step meeting the
 * conditions.  Returns the step, x and g left at it; or a negative
 * number when none was found within MAX_LS evaluations (x and g are
 * then at lo, which decreased f, when lo > 0). */
static double zoom(ls *l, double lo, double flo, double dlo, double hi, double fhi, double dhi)
{
    while (l->evals < MAX_LS) {
        double a = cubic(lo, flo, dlo, hi, fhi, dhi), da;
        double f = phi(l, a, &da);
        if (!isfinite(f) || f > l->f0 + C1 * a * l->dphi0 || f >= flo) {
            hi = a;
            fhi = isfinite(f) ? f : 1e300;
            dhi = isfinite(da) ? da : 0;
        } else {
            if (fabs(da) <= -C2 * l->dphi0)
                return a;
            if (da * (hi - lo) >= 0) {
                hi = lo;
                fhi = flo;
                dhi = dlo;
            }
            lo = a;
            flo = f;
            dlo = da;
        }
        if (fabs(hi - lo) <= 1e-16 * fabs(lo))
            break;
    }
    if (lo > 0) {
        double da;
        phi(l, lo, &da);
        return lo;
    }
    return -1;
}

/* Algorithm 3.5. */
static double line_search(ls *l, double a)
{
    double prev = 0, fprev = l->f0, dprev = l->dphi0;

    l->evals = 0;
    for (int i = 0; l->evals < MAX_LS; i++) {
        double da, f = phi(l, a, &da);
        if (!isfinite(f) || f > l->f0 + C1 * a * l->dphi0 || (i > 0 && f >= fprev))
            return zoom(l, prev, fprev, dprev, a, isfinite(f) ? f : 1e300,
                        isfinite(da) ? da : 0);
        if (fabs(da) <= -C2 * l->dphi0)
            return a;
        if (da >= 0)
            return zoom(l, a, f, da, prev, fprev, dprev);
        prev = a;
        fprev = f;
        dprev = da;
        a *= 2;
    }
    return -1;
}

static double max_abs(size_t n, const double *g)
{
    double m = 0;
    for (size_t i = 0; i < n; i++)
        m = fabs(g[i]) > m ? fabs(g[i]) : m;
    return m;
}

/* The L1 term's share of the objective. */
static double l1_norm(const lbfgs_opts *o, const double *x)
{
    double s = 0;
    for (size_t i = 0; i < o->l1_n; i++)
        s += fabs(x[i]);
    return o->l1 * s;
}

/* OWL-QN's pseudo-gradient: the steepest-descent slope of f + l1|x|;
 * at x_i = 0 the one-sided derivative that descends, or 0 when neither
 * side does. */
static void pseudo_gradient(const lbfgs_opts *o, size_t n, const double *x, const double *g,
                            double *pg)
{
    for (size_t i = 0; i < n; i++) {
        if (i >= o->l1_n)
            pg[i] = g[i];
        else if (x[i] > 0)
            pg[i] = g[i] + o->l1;
        else if (x[i] < 0)
            pg[i] = g[i] - o->l1;
        else if (g[i] + o->l1 < 0)
            pg[i] = g[i] + o->l1;
        else if (g[i] - o->l1 > 0)
            pg[i] = g[i] - o->l1;
        else
            pg[i] = 0;
    }
}

/* OWL-QN's line search: backtracking along d, each point projected onto
 * the orthant of x0 (a coordinate that would cross zero stays at zero),
 * until F = f + l1|x| decreases enough against the pseudo-gradient.
 * Returns the step (x, g at the point, *F its value), or -1. */
static double orthant_search(size_t n, const double *x0, const double *d, const double *pg,
                             double *x, double *g, lbfgs_fn fn, void *user,
                             const lbfgs_opts *o, double F0, double a, double *F)
{
    for (int e = 0; e < 2 * MAX_LS; e++, a *= 0.5) {
        double dec = 0;
        for (size_t i = 0; i < n; i++) {
            x[i] = x0[i] + a * d[i];
            if (i < o->l1_n) {
                double orth = x0[i] != 0 ? x0[i] : -pg[i];
                if (x[i] * orth <= 0)
                    x[i] = 0;
            }
            dec += pg[i] * (x[i] - x0[i]);
        }
        double f = fn(user, x, g) + l1_norm(o, x);
        if (isfinite(f) && f <= F0 + C1 * dec) {
            *F = f;
            return a;
        }
    }
    return -1;
}

lbfgs_status lbfgs_minimize(size_t n, double *x, lbfgs_fn fn, lbfgs_step_fn step,
                            void *user, const lbfgs_opts *o, size_t *iters, double *fout)
{
    size_t m = o->history ? o->history : 10, k = 0, have = 0;
    double *mem = malloc((2 * m * n + 5 * n) * sizeof *mem + 1);
    double *rho = malloc(m * sizeof *rho + 1), *alpha = malloc(m * sizeof *alpha + 1);
    lbfgs_status st = LBFGS_MAX_ITER;
    double f, gamma = 1;

    *iters = 0;
    if (mem == NULL || rho == NULL || alpha == NULL) {
        free(mem);
        free(rho);
        free(alpha);
        return LBFGS_NO_MEMORY;
    }
    double *S = mem, *Y = mem + m * n, *g = Y + m * n, *d = g + n, *x0 = d + n, *g0 = x0 + n;
    /* pg: what the iteration descends along -- the gradient, or with l1
     * the pseudo-gradient of f + l1|x|. */
    double *pg = o->l1 > 0 ? g0 + n : g;
    int owl = o->l1 > 0;
    f = fn(user, x, g);
    if (owl) {
        f += l1_norm(o, x);
        pseudo_gradient(o, n, x, g, pg);
    }
    if (max_abs(n, pg) <= o->gtol)
        st = LBFGS_CONVERGED;
    while (st == LBFGS_MAX_ITER && *iters < o->max_iter) {
        /* Two-loop recursion: d = -H pg. */
        memcpy(d, pg, n * sizeof *d);
        for (size_t j = 0; j < have; j++) {
            size_t s = (k - 1 - j) % m;
            alpha[s] = rho[s] * dot(n, S + s * n, d);
            for (size_t i = 0; i < n; i++)
                d[i] -= alpha[s] * Y[s * n + i];
        }
        for (size_t i = 0; i < n; i++)
            d[i] *= gamma;
        for (size_t j = have; j-- > 0;) {
            size_t s = (k - 1 - j) % m;
            double b = rho[s] * dot(n, Y + s * n, d);
            for (size_t i = 0; i < n; i++)
                d[i] += (alpha[s] - b) * S[s * n + i];
        }
        for (size_t i = 0; i < n; i++)
            d[i] = -d[i];
        if (owl) {
            /* A direction leaving the orthant pg descends into is cut. */
            for (size_t i = 0; i < o->l1_n; i++)
                if (d[i] * pg[i] >= 0)
                    d[i] = 0;
            if (!(dot(n, pg, d) < 0)) {
                for (size_t i = 0; i < n; i++)
                    d[i] = -pg[i];
                have = 0;
                gamma = 1;
            }
            memcpy(x0, x, n * sizeof *x0);
            memcpy(g0, g, n * sizeof *g0);
            double a0 = have == 0 ? fmin(1.0, 1.0 / sqrt(dot(n, pg, pg))) : 1.0;
            double fprev = f, a = orthant_search(n, x0, d, pg, x, g, fn, user, o, f, a0, &f);
            if (a <= 0) {
                memcpy(x, x0, n * sizeof *x);
                memcpy(g, g0, n * sizeof *g);
                f = fprev;
                st = LBFGS_LINE_SEARCH;
                break;
            }
            size_t s = k % m;
            for (size_t i = 0; i < n; i++) {
                S[s * n + i] = x[i] - x0[i];
                Y[s * n + i] = g[i] - g0[i];
            }
            double ys = dot(n, Y + s * n, S + s * n), yy = dot(n, Y + s * n, Y + s * n);
            if (ys > 1e-12 * yy && yy > 0) {
                k++;
                rho[s] = 1 / ys;
                gamma = ys / yy;
                have = have < m ? have + 1 : m;
            } else if (have == m) {
                have = m - 1;   /* the slot written held the oldest pair */
            }
            pseudo_gradient(o, n, x, g, pg);
            (*iters)++;
            if (step && step(user, *iters, x, f)) {
                st = LBFGS_STOPPED;
                break;
            }
            if (max_abs(n, pg) <= o->gtol)
                st = LBFGS_CONVERGED;
            else if ((fprev - f) <= o->ftol * fmax(fmax(fabs(fprev), fabs(f)), 1.0))
                st = LBFGS_FLAT;
            continue;
        }
        ls l = { n, x0, d, x, g, fn, user, f, dot(n, g, d), 0, f };
        if (!(l.dphi0 < 0)) {
            /* Not a descent direction (rounding): restart from -g. */
            for (size_t i = 0; i < n; i++)
                d[i] = -g[i];
            have = 0;
            gamma = 1;
            l.dphi0 = -dot(n, g, g);
        }
        memcpy(x0, x, n * sizeof *x0);
        memcpy(g0, g, n * sizeof *g0);
        double a0 = have == 0 ? 1.0 / sqrt(dot(n, g, g)) : 1.0;
        if (have == 0 && a0 > 1)
            a0 = 1;
        double a = line_search(&l, a0);
        if (a <= 0) {
            memcpy(x, x0, n * sizeof *x);
            memcpy(g, g0, n * sizeof *g);
            st = LBFGS_LINE_SEARCH;
            break;
        }
        /* x, g and l.f are at the accepted step. */
        size_t s = k % m;
        double fprev = f;
        f = l.f;
        for (size_t i = 0; i < n; i++) {
            S[s * n + i] = x[i] - x0[i];
            Y[s * n + i] = g[i] - g0[i];
        }
        double ys = dot(n, Y + s * n, S + s * n), yy = dot(n, Y + s * n, Y + s * n);
        k++;
        if (ys > 1e-12 * yy && yy > 0) {
            rho[s] = 1 / ys;
            gamma = ys / yy;
            have = have < m ? have + 1 : m;
        } else {
            /* Drop the pair; its slot held the oldest one, now gone. */
            k--;
            if (have == m)
                have = m - 1;
        }
        (*iters)++;
        if (step && step(user, *iters, x, f)) {
            st = LBFGS_STOPPED;
            break;
        }
        if (max_abs(n, g) <= o->gtol)
            st = LBFGS_CONVERGED;
        else if ((fprev - f) <= o->ftol * fmax(fmax(fabs(fprev), fabs(f)), 1.0))
            st = LBFGS_FLAT;
    }
    *fout = f;
    free(mem);
    free(rho);
    free(alpha);
    return st;
}
