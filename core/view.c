/* The writer a view renders into: a FILE plus what kind of output it is,
 * so the same escaping rules hold for every plugin's views. */
#define _GNU_SOURCE
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include <mlpipe/view.h>

#include "view_priv.h"

void mlpi_view_init(mlp_view *v, FILE *out, mlp_view_kind kind)
{
    v->out = out;
    v->kind = kind;
}

mlp_view_kind mlp_view_kind_of(const mlp_view *v)
{
    return v->kind;
}

/* Length of a control sequence's start at s that a terminal (or a bidi
 * renderer) would act on: C0 and DEL (1 byte), C1 (U+0080..U+009F, 2
 * bytes in UTF-8), the bidi embeddings, overrides and isolates (U+202A..E,
 * U+2066..9, 3 bytes); 0 for anything else. */
static size_t control_at(const unsigned char *s, int keep_newline)
{
    if ((s[0] < 0x20 && s[0] != '\t' && !(keep_newline && s[0] == '\n')) ||
        s[0] == 0x7f)
        return 1;
    if (s[0] == 0xc2 && s[1] >= 0x80 && s[1] <= 0x9f)
        return 2;
    if (s[0] == 0xe2 && ((s[1] == 0x80 && s[2] >= 0xaa && s[2] <= 0xae) ||
                         (s[1] == 0x81 && s[2] >= 0xa6 && s[2] <= 0xa9)))
        return 3;
    return 0;
}

/* Text for a terminal: every control sequence becomes one '?'. */
static void put_clean(mlp_view *v, const char *s, int keep_newline)
{
    const unsigned char *p = (const unsigned char *)s;

    while (*p) {
        size_t n = control_at(p, keep_newline);
        if (n > 0) {
            fputc('?', v->out);
            p += n;
        } else {
            fputc(*p++, v->out);
        }
    }
}

void mlp_view_puts(mlp_view *v, const char *s)
{
    if (s == NULL)
        return;
    if (v->kind == MLP_VIEW_TEXT)
        put_clean(v, s, 1);
    else
        fputs(s, v->out);
}

void mlp_view_printf(mlp_view *v, const char *fmt, ...)
{
    va_list ap;
    char *s = NULL;

    va_start(ap, fmt);
    if (vasprintf(&s, fmt, ap) >= 0) {
        mlp_view_puts(v, s);
        free(s);
    }
    va_end(ap);
}

void mlp_view_text(mlp_view *v, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;

    if (s == NULL)
        return;
    if (v->kind == MLP_VIEW_TEXT) {
        put_clean(v, s, 0);
        return;
    }
    while (*p) {
        size_t n = control_at(p, 1);
        if (n > 0) {
            fputc('?', v->out);
            p += n;
            continue;
        }
        switch (*p) {
        case '<': fputs("&lt;", v->out); break;
        case '>': fputs("&gt;", v->out); break;
        case '&': fputs("&amp;", v->out); break;
        case '"': fputs("&quot;", v->out); break;
        case '\'': fputs("&#39;", v->out); break;
        default: fputc(*p, v->out);
        }
        p++;
    }
}

void mlp_view_bars(mlp_view *v, size_t n, const double *counts,
                   const char *const *labels)
{
    const int w = 200, h = 40;
    double max = 0, bw;

    if (n == 0 || v->kind != MLP_VIEW_HTML)
        return;
    /* Only finite, positive counts have a height. */
    for (size_t i = 0; i < n; i++)
        if (isfinite(counts[i]) && counts[i] > max)
            max = counts[i];
    bw = (double)w / (double)n;
    fprintf(v->out, "<svg width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">",
            w, h, w, h);
    for (size_t i = 0; i < n; i++) {
        double bh = max > 0 && isfinite(counts[i]) && counts[i] > 0
                    ? (double)h * counts[i] / max : 0;
        fprintf(v->out, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" "
                "height=\"%.2f\"><title>", bw * (double)i + 0.5, h - bh,
                bw > 2 ? bw - 1 : bw, bh);
        if (labels != NULL && labels[i] != NULL)
            mlp_view_text(v, labels[i]);
        else
            fprintf(v->out, "%zu", i + 1);
        fprintf(v->out, ": %.15g</title></rect>", counts[i]);
    }
    fputs("</svg>", v->out);
}

const char *mlp_view_num(double x, char buf[MLP_VIEW_NUM_MAX])
{
    double a = fabs(x);

    if (isnan(x))
        snprintf(buf, MLP_VIEW_NUM_MAX, "-");
    else if (isinf(x))
        snprintf(buf, MLP_VIEW_NUM_MAX, x > 0 ? "inf" : "-inf");
    else if (a >= 1e6 || (a < 1e-4 && a > 0))
        snprintf(buf, MLP_VIEW_NUM_MAX, "%.6g", x);
    else
        snprintf(buf, MLP_VIEW_NUM_MAX, "%.4f", x);
    return buf;
}
