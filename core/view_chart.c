/* Line charts for views: inline SVG a report can show offline. */
#include <math.h>
#include <stdio.h>

#include <mlpipe/view.h>

#include "view_priv.h"

#define W 360
#define H 220
#define L 48      /* room for the y axis' figures */
#define B 34      /* room for the x axis' figures and label */
#define T 10
#define R 10

static const char *const colours[] = { "#1f77b4", "#d62728", "#2ca02c", "#9467bd",
                                       "#ff7f0e", "#8c564b", "#e377c2", "#7f7f7f" };

static void range(size_t ns, const mlp_view_series *s, int y, double *lo, double *hi)
{
    *lo = INFINITY;
    *hi = -INFINITY;
    for (size_t k = 0; k < ns; k++)
        for (size_t i = 0; i < s[k].n; i++) {
            double v = y ? s[k].y[i] : s[k].x[i];
            if (isfinite(v)) {
                *lo = v < *lo ? v : *lo;
                *hi = v > *hi ? v : *hi;
            }
        }
    if (!(*lo <= *hi)) {
        *lo = 0;
        *hi = 1;
    } else if (*lo == *hi) {
        *lo -= 0.5;
        *hi += 0.5;
    }
}

void mlp_view_lines(mlp_view *v, const char *x_label, const char *y_label, size_t ns,
                    const mlp_view_series *s)
{
    double x0, x1, y0, y1;
    const double pw = W - L - R, ph = H - T - B;

    if (v->kind != MLP_VIEW_HTML || ns == 0)
        return;
    range(ns, s, 0, &x0, &x1);
    range(ns, s, 1, &y0, &y1);
    fprintf(v->out, "<svg width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">", W, H, W, H);
    fprintf(v->out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#444\"/>"
            "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#444\"/>",
            L, T, L, H - B, L, H - B, W - R, H - B);
    fprintf(v->out, "<text x=\"%d\" y=\"%d\" font-size=\"10\" text-anchor=\"end\">%.4g</text>"
            "<text x=\"%d\" y=\"%d\" font-size=\"10\" text-anchor=\"end\">%.4g</text>",
            L - 3, T + 8, y1, L - 3, H - B, y0);
    fprintf(v->out, "<text x=\"%d\" y=\"%d\" font-size=\"10\">%.4g</text>"
            "<text x=\"%d\" y=\"%d\" font-size=\"10\" text-anchor=\"end\">%.4g</text>",
            L, H - B + 12, x0, W - R, H - B + 12, x1);
    fprintf(v->out, "<text x=\"%.0f\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\">",
            L + pw / 2, H - 6);
    mlp_view_text(v, x_label ? x_label : "");
    fprintf(v->out, "</text><text x=\"12\" y=\"%.0f\" font-size=\"11\" "
            "text-anchor=\"middle\" transform=\"rotate(-90 12 %.0f)\">", T + ph / 2,
            T + ph / 2);
    mlp_view_text(v, y_label ? y_label : "");
    fputs("</text>", v->out);
    for (size_t k = 0; k < ns; k++) {
        const char *c = colours[k % (sizeof colours / sizeof *colours)];
        int open = 0;
        for (size_t i = 0; i < s[k].n; i++) {
            double x = s[k].x[i], y = s[k].y[i];
            if (!isfinite(x) || !isfinite(y)) {
                if (open)
                    fputs("\"/>", v->out);
                open = 0;
                continue;
            }
            if (!open)
                fprintf(v->out, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" "
                        "points=\"", c);
            open = 1;
            fprintf(v->out, "%.1f,%.1f ", L + pw * (x - x0) / (x1 - x0),
                    T + ph * (1 - (y - y0) / (y1 - y0)));
        }
        if (open)
            fputs("\"/>", v->out);
        fprintf(v->out, "<rect x=\"%.0f\" y=\"%zu\" width=\"10\" height=\"3\" fill=\"%s\"/>"
                "<text x=\"%.0f\" y=\"%zu\" font-size=\"10\">", L + pw - 110, T + 4 + 12 * k,
                c, L + pw - 96, T + 8 + 12 * k);
        mlp_view_text(v, s[k].name ? s[k].name : "");
        fputs("</text>", v->out);
    }
    fputs("</svg>", v->out);
}
