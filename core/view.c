/* The writer a view renders into: a FILE plus what kind of output it is,
 * so the same escaping rules hold for every plugin's views. */
#include <stdarg.h>
#include <stdio.h>

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

void mlp_view_puts(mlp_view *v, const char *s)
{
    if (s != NULL)
        fputs(s, v->out);
}

void mlp_view_printf(mlp_view *v, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vfprintf(v->out, fmt, ap);
    va_end(ap);
}

void mlp_view_text(mlp_view *v, const char *s)
{
    if (s == NULL)
        return;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (v->kind == MLP_VIEW_HTML) {
            switch (c) {
            case '<': fputs("&lt;", v->out); break;
            case '>': fputs("&gt;", v->out); break;
            case '&': fputs("&amp;", v->out); break;
            case '"': fputs("&quot;", v->out); break;
            case '\'': fputs("&#39;", v->out); break;
            default: fputc(c, v->out);
            }
        } else {
            fputc(c < 0x20 && c != '\t' ? '?' : c == 0x7f ? '?' : c, v->out);
        }
    }
}

void mlp_view_bars(mlp_view *v, size_t n, const double *counts,
                   const char *const *labels)
{
    const int w = 200, h = 40;
    double max = 0, bw;

    if (n == 0 || v->kind != MLP_VIEW_HTML)
        return;
    for (size_t i = 0; i < n; i++)
        if (counts[i] > max)
            max = counts[i];
    bw = (double)w / (double)n;
    fprintf(v->out, "<svg width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">",
            w, h, w, h);
    for (size_t i = 0; i < n; i++) {
        double bh = max > 0 && counts[i] > 0 ? (double)h * counts[i] / max : 0;
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
