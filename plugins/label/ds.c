/* The generative label model: Dawid and Skene (1979), fitted by EM.
 *
 * Each LF j, given the true class c, votes v (a class, or abstains) with
 * probability theta[j][c][v], independently of the other LFs; classes
 * have prior (class balance) pi.  EM alternates the posterior of each
 * row's class given its votes (E) and the theta and pi that maximise the
 * expected likelihood (M), starting from majority vote's posterior, so
 * the classes keep the meaning the LFs give them.  A full confusion
 * matrix per LF (not one accuracy) lets an LF be good on one class and
 * poor on another, and abstaining is one of its outcomes, so an LF that
 * fires mostly on one class says so by firing.
 *
 * Why this and not Snorkel's matrix completion: both fit the same
 * conditionally independent model; EM gives the maximum-likelihood
 * estimate directly from the votes, needs no learning rate or epochs,
 * and on the distinct vote patterns (a few thousand even for a million
 * rows) an iteration costs patterns x LFs x classes.  The price, shared
 * with Snorkel's default: LFs that are correlated beyond the class are
 * counted as independent evidence.
 *
 * `smoothing` adds that many pseudo-votes to every cell of theta (a
 * Dirichlet prior), so a vote never seen for a class is unlikely, not
 * impossible. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "label.h"

void lab_fit_free(lab_fit *f)
{
    free(f->prior);
    free(f->theta);
    memset(f, 0, sizeof *f);
}

typedef struct patterns {
    size_t n;          /* distinct vote vectors */
    size_t m;
    int16_t *votes;    /* n x m */
    double *count;     /* rows with each */
    size_t *of;        /* the pattern of each row (NULL when not asked) */
} patterns;

static uint64_t hash_row(const lab_votes *lv, size_t i)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t j = 0; j < lv->m; j++) {
        h ^= (uint16_t)lv->v[j * lv->n + i];
        h *= 1099511628211ull;
    }
    return h ^ (h >> 29);
}

/* Groups the rows by vote vector (open addressing on the vectors). */
static int find_patterns(const lab_votes *lv, patterns *p, int want_of)
{
    size_t cap = 64, m = lv->m;
    size_t *slot;

    memset(p, 0, sizeof *p);
    p->m = m;
    while (cap < 2 * (lv->n + 1) && cap < ((size_t)1 << 40))
        cap *= 2;
    slot = malloc(cap * sizeof *slot);
    p->votes = malloc((lv->n + 1) * m * sizeof *p->votes);
    p->count = malloc((lv->n + 1) * sizeof *p->count);
    p->of = want_of ? malloc((lv->n + 1) * sizeof *p->of) : NULL;
    if (slot == NULL || p->votes == NULL || p->count == NULL || (want_of && p->of == NULL)) {
        free(slot);
        free(p->votes);
        free(p->count);
        free(p->of);
        return MLP_ENOMEM;
    }
    memset(slot, 0xff, cap * sizeof *slot);
    for (size_t i = 0; i < lv->n; i++) {
        size_t h = (size_t)hash_row(lv, i) & (cap - 1);
        for (;; h = (h + 1) & (cap - 1)) {
            size_t q = slot[h];
            if (q == SIZE_MAX) {
                q = slot[h] = p->n++;
                for (size_t j = 0; j < m; j++)
                    p->votes[q * m + j] = lv->v[j * lv->n + i];
                p->count[q] = 0;
            }
            int same = 1;
            for (size_t j = 0; same && j < m; j++)
                same = p->votes[q * m + j] == lv->v[j * lv->n + i];
            if (same) {
                p->count[q] += 1;
                if (p->of)
                    p->of[i] = q;
                break;
            }
        }
    }
    free(slot);
    return MLP_OK;
}

static void patterns_free(patterns *p)
{
    free(p->votes);
    free(p->count);
    free(p->of);
}

#define THETA(f, j, c, v) ((f)->theta[((j) * (f)->k + (c)) * ((f)->k + 1) + (size_t)(v)])

/* Posterior of one vote vector into q (k); returns log P(votes). */
static double posterior(const lab_fit *f, const int16_t *votes, double *q)
{
    size_t k = f->k, m = f->m;
    double top = -INFINITY, s = 0;

    for (size_t c = 0; c < k; c++) {
        double l = log(f->prior[c]);
        for (size_t j = 0; j < m; j++)
            l += log(THETA(f, j, c, votes[j] == MLP_ABSTAIN ? (int)k : votes[j]));
        q[c] = l;
        if (l > top)
            top = l;
    }
    for (size_t c = 0; c < k; c++)
        s += q[c] = exp(q[c] - top);
    for (size_t c = 0; c < k; c++)
        q[c] /= s;
    return top + log(s);
}

/* Majority vote's posterior, the starting point: votes counted, plus a
 * little of every class so no row starts certain; a row without a vote
 * starts at the prior. */
static void start(const patterns *p, size_t k, const double *prior, double *q)
{
    for (size_t r = 0; r < p->n; r++) {
        double *qr = q + r * k, s = 0;
        for (size_t c = 0; c < k; c++)
            qr[c] = 0.1 / (double)k;
        for (size_t j = 0; j < p->m; j++)
            if (p->votes[r * p->m + j] != MLP_ABSTAIN)
                qr[p->votes[r * p->m + j]] += 1;
        for (size_t c = 0; c < k; c++)
            s += qr[c];
        for (size_t c = 0; c < k; c++)
            qr[c] = s > 0.1 + 1e-9 ? qr[c] / s : prior[c];
    }
}

/* mass: k doubles of scratch, the caller's. */
static void m_step(lab_fit *f, const patterns *p, const double *q, const double *prior_given,
                   double smoothing, double total, double *mass)
{
    size_t k = f->k, m = f->m;

    memset(mass, 0, k * sizeof *mass);
    memset(f->theta, 0, m * k * (k + 1) * sizeof *f->theta);
    for (size_t r = 0; r < p->n; r++)
        for (size_t c = 0; c < k; c++) {
            double w = p->count[r] * q[r * k + c];
            mass[c] += w;
            for (size_t j = 0; j < m; j++) {
                int v = p->votes[r * m + j];
                THETA(f, j, c, v == MLP_ABSTAIN ? (int)k : v) += w;
            }
        }
    for (size_t c = 0; c < k; c++) {
        double cm = mass[c];
        f->prior[c] = prior_given ? prior_given[c] : (cm + smoothing) / (total + k * smoothing);
        for (size_t j = 0; j < m; j++)
            for (size_t v = 0; v <= k; v++)
                THETA(f, j, c, v) = (THETA(f, j, c, v) + smoothing) /
                                    (cm + (double)(k + 1) * smoothing);
    }
}

int lab_ds_fit(const lab_votes *lv, const double *prior_given, size_t max_iter, double tol,
               double smoothing, lab_fit *f, mlp_error *err)
{
    size_t k = lv->k, m = lv->m;
    patterns p;
    double *q = NULL, prev = -INFINITY;
    double *uniform = malloc(2 * k * sizeof *uniform);

    memset(f, 0, sizeof *f);
    f->m = m;
    f->k = k;
    f->prior = malloc(k * sizeof *f->prior);
    f->theta = malloc(m * k * (k + 1) * sizeof *f->theta);
    if (uniform == NULL || f->prior == NULL || f->theta == NULL ||
        find_patterns(lv, &p, 0) != MLP_OK) {
        free(uniform);
        lab_fit_free(f);
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    }
    q = malloc((p.n + 1) * k * sizeof *q);
    if (q == NULL) {
        free(uniform);
        patterns_free(&p);
        lab_fit_free(f);
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    }
    for (size_t c = 0; c < k; c++)
        uniform[c] = prior_given ? prior_given[c] : 1.0 / (double)k;
    start(&p, k, uniform, q);
    for (f->iterations = 1; f->iterations <= max_iter; f->iterations++) {
        double ll = 0;
        m_step(f, &p, q, prior_given, smoothing, (double)lv->n, uniform + k);
        for (size_t r = 0; r < p.n; r++)
            ll += p.count[r] * posterior(f, p.votes + r * m, q + r * k);
        ll /= lv->n ? (double)lv->n : 1.0;
        f->log_lik = ll;
        /* EM never lowers the likelihood: a change below tol (relative)
         * is the end. */
        if (fabs(ll - prev) <= tol * fmax(1.0, fabs(ll))) {
            f->converged = 1;
            break;
        }
        prev = ll;
    }
    if (f->iterations > max_iter)
        f->iterations = max_iter;
    free(q);
    free(uniform);
    patterns_free(&p);
    return MLP_OK;
}

int lab_ds_predict(const lab_fit *f, const lab_votes *lv, double *proba, mlp_error *err)
{
    patterns p;
    size_t k = f->k;
    double *q;

    /* Pattern by pattern: a posterior depends on the votes only. */
    if (find_patterns(lv, &p, 1) != MLP_OK)
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    if ((q = malloc((p.n + 1) * k * sizeof *q)) == NULL) {
        patterns_free(&p);
        return mlp_error_set(err, MLP_ENOMEM, "out of memory");
    }
    for (size_t r = 0; r < p.n; r++)
        posterior(f, p.votes + r * f->m, q + r * k);
    for (size_t i = 0; i < lv->n; i++)
        memcpy(proba + i * k, q + p.of[i] * k, k * sizeof *q);
    free(q);
    patterns_free(&p);
    return MLP_OK;
}

void lab_ds_accuracies(const lab_fit *f, double *acc)
{
    size_t k = f->k;

    for (size_t j = 0; j < f->m; j++) {
        double right = 0, fired = 0;
        for (size_t c = 0; c < k; c++) {
            right += f->prior[c] * THETA(f, j, c, c);
            fired += f->prior[c] * (1 - THETA(f, j, c, k));
        }
        acc[j] = fired > 0 ? right / fired : NAN;
    }
}

void lab_majority(const lab_votes *lv, double *proba)
{
    size_t n = lv->n, k = lv->k;

    /* Each row's votes are counted in its own probabilities' place. */
    for (size_t i = 0; i < n; i++) {
        double *cnt = proba + i * k, top = 0, ties = 0;
        for (size_t c = 0; c < k; c++)
            cnt[c] = 0;
        for (size_t j = 0; j < lv->m; j++)
            if (lv->v[j * n + i] != MLP_ABSTAIN)
                cnt[lv->v[j * n + i]] += 1;
        for (size_t c = 0; c < k; c++)
            if (cnt[c] > top)
                top = cnt[c];
        for (size_t c = 0; c < k; c++)
            ties += top > 0 && cnt[c] == top;
        for (size_t c = 0; c < k; c++)
            cnt[c] = top > 0 && cnt[c] == top ? 1.0 / ties : 0.0;
    }
}

void lab_argmax(const lab_votes *lv, const double *proba, int tie_random, uint64_t seed,
                int32_t *label)
{
    size_t n = lv->n, k = lv->k;

    for (size_t i = 0; i < n; i++) {
        const double *p = proba + i * k;
        size_t best = 0, ties = 0;
        int voted = 0;
        for (size_t j = 0; j < lv->m && !voted; j++)
            voted = lv->v[j * n + i] != MLP_ABSTAIN;
        if (!voted) {
            label[i] = MLP_ABSTAIN;
            continue;
        }
        for (size_t c = 1; c < k; c++)
            if (p[c] > p[best])
                best = c;
        for (size_t c = 0; c < k; c++)
            ties += p[c] == p[best];
        if (ties > 1 && !tie_random) {
            label[i] = MLP_ABSTAIN;
        } else if (ties > 1) {
            uint64_t key[2] = { seed, i };
            size_t pick = (size_t)(mlp_hash64(key, sizeof key, 0x6c6162656c746965ull) % ties);
            for (size_t c = 0; c < k; c++)
                if (p[c] == p[best] && pick-- == 0) {
                    best = c;
                    break;
                }
            label[i] = (int32_t)best;
        } else {
            label[i] = (int32_t)best;
        }
    }
}
