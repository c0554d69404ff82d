/* Tails of the chi-squared and F distributions, through the regularized
 * incomplete gamma and beta functions.  Each is evaluated by the series
 * or the continued fraction (modified Lentz) that converges fast where it
 * is used, and the tail is computed directly rather than as 1 - (the
 * other side), so that small p-values keep their relative precision. */
#include <float.h>
#include <math.h>

#include <mlpipe/featscore.h>

#define MAX_ITER 100000
#define TINY 1e-300

/* e^(a ln x - x - lgamma(a)): the common factor of both expansions. */
static double gamma_front(double a, double x)
{
    return exp(a * log(x) - x - lgamma(a));
}

/* One step of the modified Lentz algorithm for a continued fraction
 * b0 + a1/(b1 + a2/(b2 + ...)): updates c and d for the term (an, bn) and
 * returns the factor the value is multiplied by. */
static double lentz(double an, double bn, double *c, double *d)
{
    *d = bn + an * *d;
    if (fabs(*d) < TINY)
        *d = TINY;
    *c = bn + an / *c;
    if (fabs(*c) < TINY)
        *c = TINY;
    *d = 1 / *d;
    return *d * *c;
}

/* Lower P(a, x) by its series (for x < a + 1). */
static double gamma_p_series(double a, double x)
{
    double sum = 1 / a, term = 1 / a;

    for (int n = 1; n < MAX_ITER; n++) {
        term *= x / (a + n);
        sum += term;
        if (fabs(term) < fabs(sum) * DBL_EPSILON)
            break;
    }
    return sum * gamma_front(a, x);
}

/* Upper Q(a, x) by its continued fraction (for x >= a + 1). */
static double gamma_q_fraction(double a, double x)
{
    double b = x + 1 - a, c = 1 / TINY, d = 1 / b, h = d;

    for (int i = 1; i < MAX_ITER; i++) {
        b += 2;
        double del = lentz(-i * (i - a), b, &c, &d);
        h *= del;
        if (fabs(del - 1) < DBL_EPSILON)
            break;
    }
    return gamma_front(a, x) * h;
}

/* Regularized upper incomplete gamma Q(a, x). */
static double gamma_q(double a, double x)
{
    if (x <= 0)
        return 1;
    if (isinf(x))
        return 0;
    return x < a + 1 ? 1 - gamma_p_series(a, x) : gamma_q_fraction(a, x);
}

double mlp_chi2_sf(double x, double dof)
{
    if (isnan(x) || !(dof > 0))
        return NAN;
    return gamma_q(dof / 2, x / 2);
}

/* The continued fraction of I_x(a, b) (converges for x < (a+1)/(a+b+2)). */
static double beta_fraction(double a, double b, double x)
{
    double qab = a + b, qap = a + 1, qam = a - 1;
    double c = 1, d = 1 - qab * x / qap, h;

    if (fabs(d) < TINY)
        d = TINY;
    d = 1 / d;
    h = d;
    for (int m = 1; m < MAX_ITER; m++) {
        int m2 = 2 * m;
        /* Even and odd terms of the fraction. */
        h *= lentz(m * (b - m) * x / ((qam + m2) * (a + m2)), 1, &c, &d);
        double del = lentz(-(a + m) * (qab + m) * x / ((a + m2) * (qap + m2)), 1, &c, &d);
        h *= del;
        if (fabs(del - 1) < DBL_EPSILON)
            break;
    }
    return h;
}

/* lgamma(z) - ((z - 1/2) ln z - z + ln(2 pi) / 2) for z >= 10: the tail
 * of Stirling's series, to about 1e-16 there. */
static double stirling_tail(double z)
{
    double r = 1 / (z * z);
    return (1.0 / 12 - r * (1.0 / 360 - r * (1.0 / 1260 - r * (1.0 / 1680 -
            r / 1188)))) / z;
}

/* ln B(a, b).  lgamma(a) + lgamma(b) - lgamma(a + b) subtracts numbers
 * near a ln a: with a = 1e5 (the F test's d2 / 2 at 200,000 rows) that
 * leaves errors near 1e-10, which p-values then carry.  Where a or b is
 * large the big terms are cancelled by hand first (as R's lbeta does). */
static double log_beta(double a, double b)
{
    double p = a < b ? a : b, q = a < b ? b : a;

    if (p >= 10) {
        double corr = stirling_tail(p) + stirling_tail(q) - stirling_tail(p + q);
        return -0.5 * log(q) + 0.918938533204672742 + corr +
               (p - 0.5) * log(p / (p + q)) + q * log1p(-p / (p + q));
    }
    if (q >= 10) {
        double corr = stirling_tail(q) - stirling_tail(p + q);
        return lgamma(p) + corr + p - p * log(p + q) + (q - 0.5) * log1p(-p / (p + q));
    }
    return lgamma(p) + lgamma(q) - lgamma(p + q);
}

/* Regularized incomplete beta I_x(a, b), given y = 1 - x as well: near
 * x = 1 the caller can form y without the rounding 1 - x would add, which
 * a ln x with a large a would multiply. */
static double beta_i(double a, double b, double x, double y)
{
    if (x <= 0)
        return 0;
    if (y <= 0)
        return 1;
    double lx = x > 0.5 ? log1p(-y) : log(x), ly = x < 0.5 ? log1p(-x) : log(y);
    double front = exp(a * lx + b * ly - log_beta(a, b));
    if (x < (a + 1) / (a + b + 2))
        return front * beta_fraction(a, b, x) / a;
    return 1 - front * beta_fraction(b, a, y) / b;
}

double mlp_f_sf(double x, double d1, double d2)
{
    if (isnan(x) || !(d1 > 0) || !(d2 > 0))
        return NAN;
    if (x <= 0)
        return 1;
    if (isinf(x))
        return 0;
    /* P(F > x) = I_{d2 / (d2 + d1 x)}(d2 / 2, d1 / 2). */
    return beta_i(d2 / 2, d1 / 2, d2 / (d2 + d1 * x), d1 * x / (d2 + d1 * x));
}
