/* Fast decimal parsing: most fields are short integers or short decimals,
 * which the fast path converts exactly (Clinger: a mantissa below 2^53
 * times or divided by an exact power of ten rounds once).  Anything else
 * goes to strtod, which is correctly rounded. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <mlpipe/csv.h>


static const double pow10_exact[] = {
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
};

static int slow_path(const char *p, size_t len, double *out)
{
    char buf[128], *end;

    if (len >= sizeof buf)
        return 0;
    memcpy(buf, p, len);
    buf[len] = '\0';
    *out = strtod(buf, &end);
    return *end == '\0';
}

/* Flags and exact value of an integer literal of `digits` significant
 * digits whose first digit is at `first` (mant holds them when there are
 * at most 19). */
static unsigned int_flags(const char *first, const char *end, int digits,
                          uint64_t mant, int neg, int64_t *ival)
{
    unsigned flags = MLP_NUM_INT;

    if (*first == '0' && end - first > 1)
        flags |= MLP_NUM_LEAD_ZERO;
    if (digits > 19 || mant > (uint64_t)INT64_MAX + (uint64_t)neg)
        return flags | MLP_NUM_OVERFLOW;
    if (mant > ((uint64_t)1 << 53))
        flags |= MLP_NUM_WIDE;
    if (ival != NULL)
        *ival = neg ? (int64_t)(0 - mant) : (int64_t)mant;
    return flags;
}

int mlp_parse_number(const char *p, size_t len, double *out, unsigned *flags,
              int64_t *ival)
{
    const char *s, *e, *first;
    uint64_t mant = 0;
    int digits = 0, frac_digits = 0, exp = 0, neg = 0, any = 0, is_int;

    while (len > 0 && (*p == ' ' || *p == '\t'))
        p++, len--;
    while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
        len--;
    if (len == 0)
        return 0;
    s = p;
    e = p + len;
    if (*s == '-' || *s == '+') {
        neg = *s == '-';
        s++;
    }
    if (s < e && (*s < '0' || *s > '9') && *s != '.') {
        /* Words: nan, inf, infinity. */
        size_t n = (size_t)(e - s);
        if ((n == 3 && strncasecmp(s, "nan", 3) == 0) ||
            (n == 3 && strncasecmp(s, "inf", 3) == 0) ||
            (n == 8 && strncasecmp(s, "infinity", 8) == 0)) {
            *flags = 0;
            return slow_path(p, len, out);
        }
        return 0;
    }
    first = s;
    for (; s < e && *s >= '0' && *s <= '9'; s++, any = 1) {
        if (digits < 19) {
            mant = mant * 10 + (uint64_t)(*s - '0');
            if (mant != 0)
                digits++;
        } else {
            exp++;  /* digits beyond 19 only scale */
            digits++;
        }
    }
    is_int = s == e && any;
    *flags = is_int ? int_flags(first, e, digits, mant, neg, ival) : 0;
    if (s < e && *s == '.') {
        for (s++; s < e && *s >= '0' && *s <= '9'; s++, any = 1) {
            if (digits < 19) {
                mant = mant * 10 + (uint64_t)(*s - '0');
                if (mant != 0)
                    digits++;
                frac_digits++;
            } else {
                digits++;
            }
        }
    }
    if (!any)
        return 0;
    if (s < e && (*s == 'e' || *s == 'E')) {
        int eneg = 0, ev = 0, edig = 0;
        s++;
        if (s < e && (*s == '-' || *s == '+'))
            eneg = *s++ == '-';
        for (; s < e && *s >= '0' && *s <= '9'; s++, edig++)
            if (ev < 100000)
                ev = ev * 10 + (*s - '0');
        if (edig == 0)
            return 0;
        exp += eneg ? -ev : ev;
    }
    if (s != e)
        return 0;
    exp -= frac_digits;
    if (digits <= 19 && mant < ((uint64_t)1 << 53) && exp >= -22 && exp <= 22) {
        double v = (double)mant;
        v = exp < 0 ? v / pow10_exact[-exp] : v * pow10_exact[exp];
        *out = neg ? -v : v;
        return 1;
    }
    return slow_path(p, len, out);
}
