/* What a plugin's HTML view may put in the report: a fragment of tables,
 * text and inline SVG, nothing that runs, fetches or reaches outside its
 * section.  Tags and attributes off the list are dropped (their text
 * stays), comments go, every tag left open is closed at the end, and a
 * stray '<' becomes text, so one view cannot hide or restyle the others.
 * The page's Content-Security-Policy forbids scripts and fetches as well;
 * this keeps the page's structure whatever the view wrote. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "view_priv.h"

static const char *const tags[] = {
    "h3", "h4", "h5", "h6", "p", "div", "span", "b", "i", "em", "strong",
    "small", "code", "pre", "br", "hr", "ul", "ol", "li", "table", "thead",
    "tbody", "tfoot", "tr", "td", "th", "caption", "svg", "label", "input", NULL
};
/* Kept only inside an <svg>: outside it a browser reads them as HTML
 * (an HTML <title> swallows the rest of the page as its text). */
static const char *const svg_tags[] = {
    "g", "rect", "line", "circle", "ellipse", "path", "polyline", "polygon",
    "text", "tspan", "title", NULL
};
static const char *const voids[] = { "br", "hr", "input", NULL };
static const char *const attrs[] = {
    "class", "colspan", "rowspan", "title", "width", "height", "viewbox", "x",
    "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry", "d", "points",
    "fill", "stroke", "stroke-width", "transform", "text-anchor", "font-size",
    "opacity", "dx", "dy", "style", "name", "checked", NULL
};

/* Which fragment is being cleaned: radio button names get it as a
 * prefix, so no two views on a page share a group. */
static unsigned fragment;

static int listed(const char *const *list, const char *name)
{
    for (; *list; list++)
        if (strcmp(*list, name) == 0)
            return 1;
    return 0;
}

/* Reads a lower-cased name of [A-Za-z0-9-] at *p into buf. */
static size_t read_name(const char **p, const char *end, char *buf, size_t size)
{
    size_t n = 0;

    while (*p < end && (isalnum((unsigned char)**p) || **p == '-')) {
        if (n + 1 < size)
            buf[n++] = (char)tolower((unsigned char)**p);
        (*p)++;
    }
    buf[n] = '\0';
    return n;
}

/* The one style a view may set: integer custom properties ("--o0:3;"),
 * which the page's sortable tables read.  Nothing that could fetch, draw
 * over the page or hide it. */
static int style_allowed(const char *v, size_t n)
{
    size_t i = 0;

    while (i < n) {
        size_t d;
        while (i < n && (v[i] == ' ' || v[i] == ';'))
            i++;
        if (i == n)
            break;
        if (n - i < 3 || v[i] != '-' || v[i + 1] != '-' ||
            !(islower((unsigned char)v[i + 2]) || isdigit((unsigned char)v[i + 2])))
            return 0;
        for (i += 2; i < n && (islower((unsigned char)v[i]) ||
                               isdigit((unsigned char)v[i]) || v[i] == '-'); i++)
            ;
        if (i == n || v[i++] != ':')
            return 0;
        if (i < n && v[i] == '-')
            i++;
        for (d = 0; i < n && isdigit((unsigned char)v[i]); i++)
            d++;
        while (i < n && v[i] == ' ')
            i++;
        if (d == 0 || d > 9 || (i < n && v[i] != ';'))
            return 0;
    }
    return 1;
}

/* A fill or stroke: a colour by name, #hex or rgb(), never a url() (an
 * entity could spell one, so no '&' either). */
static int paint_allowed(const char *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)v[i];
        if (!(isalnum(c) || c == '#' || c == '(' || c == ')' || c == ',' ||
              c == '.' || c == '%' || c == ' ' || c == '-'))
            return 0;
        if (n - i >= 3 && strncasecmp(v + i, "url", 3) == 0)
            return 0;
    }
    return 1;
}

static void put_attr_value(FILE *out, const char *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        switch (v[i]) {
        case '"': fputs("&quot;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '\0': break;
        default: fputc(v[i], out);
        }
    }
}

/* Parses the attributes of a tag up to '>' and writes the allowed ones;
 * *self_closing is set for "/>".  Returns where the tag ends. */
static const char *attributes(const char *p, const char *end, FILE *out,
                              const char *tag, int outer, int *self_closing)
{
    char name[32];
    int input = strcmp(tag, "input") == 0;

    *self_closing = 0;
    while (p < end && *p != '>') {
        const char *v = NULL;
        size_t vn = 0;
        if (*p == '/' && p + 1 < end && p[1] == '>') {
            *self_closing = 1;
            p++;
            continue;
        }
        if (!(isalnum((unsigned char)*p) || *p == '-')) {
            p++;
            continue;
        }
        read_name(&p, end, name, sizeof name);
        while (p < end && isspace((unsigned char)*p))
            p++;
        if (p < end && *p == '=') {
            p++;
            while (p < end && isspace((unsigned char)*p))
                p++;
            if (p < end && (*p == '"' || *p == '\'')) {
                char q = *p++;
                v = p;
                while (p < end && *p != q)
                    p++;
                vn = (size_t)(p - v);
                if (p < end)
                    p++;
            } else {
                v = p;
                while (p < end && !isspace((unsigned char)*p) && *p != '>')
                    p++;
                vn = (size_t)(p - v);
            }
        }
        if (out == NULL || !listed(attrs, name))
            continue;
        /* A button's own attributes only on buttons; its type is fixed. */
        if ((strcmp(name, "name") == 0 || strcmp(name, "checked") == 0) != input &&
            strcmp(name, "class") != 0)
            continue;
        if (strcmp(name, "style") == 0 && (v == NULL || !style_allowed(v, vn)))
            continue;
        /* A transform on the outermost <svg> moves it over other
         * sections; inside it, a transform stays within the drawing. */
        if (outer && strcmp(name, "transform") == 0)
            continue;
        if ((strcmp(name, "fill") == 0 || strcmp(name, "stroke") == 0) &&
            (v == NULL || !paint_allowed(v, vn)))
            continue;
        fprintf(out, " %s=\"", strcmp(name, "viewbox") == 0 ? "viewBox" : name);
        if (strcmp(name, "name") == 0)
            fprintf(out, "v%u-", fragment);
        if (v != NULL && strcmp(name, "checked") != 0)
            put_attr_value(out, v, vn);
        fputc('"', out);
    }
    return p < end ? p + 1 : end;
}

void mlpi_html_clean(const char *in, size_t len, FILE *out)
{
    const char *p = in, *end = in + len;
    char open[64][16], name[16];
    size_t depth = 0;

    fragment++;
    while (p < end) {
        if (*p == '\0') {
            p++;
            continue;
        }
        if (*p != '<') {
            fputc(*p++, out);
            continue;
        }
        if (end - p >= 4 && memcmp(p, "<!--", 4) == 0) {
            const char *c = NULL;
            for (const char *q = p + 4; q + 3 <= end; q++)
                if (memcmp(q, "-->", 3) == 0) {
                    c = q;
                    break;
                }
            p = c ? c + 3 : end;
            continue;
        }
        const char *q = p + 1;
        int closing = q < end && *q == '/';
        if (closing)
            q++;
        if (q >= end || !isalpha((unsigned char)*q)) {
            fputs("&lt;", out);
            p++;
            continue;
        }
        read_name(&q, end, name, sizeof name);
        if (closing) {
            while (q < end && *q != '>')
                q++;
            p = q < end ? q + 1 : end;
            /* Close up to the matching open tag; an unmatched one goes. */
            for (size_t i = depth; i-- > 0;)
                if (strcmp(open[i], name) == 0) {
                    while (depth > i)
                        fprintf(out, "</%s>", open[--depth]);
                    break;
                }
            continue;
        }
        /* Where the browser's parser will be: in HTML, in SVG, or in an
         * SVG <title>, whose content it reads as HTML again.  Inside SVG
         * only SVG elements: an HTML one (<b>, <p>, ...) makes the
         * browser leave the SVG early, and the tags after it would be
         * HTML where this cleaner thinks they are SVG. */
        int in_svg = 0, in_title = 0;
        for (size_t i = 0; i < depth; i++) {
            in_svg |= strcmp(open[i], "svg") == 0;
            in_title |= strcmp(open[i], "title") == 0;
        }
        int kind_ok = in_title ? 0
                      : in_svg ? listed(svg_tags, name) || strcmp(name, "svg") == 0
                      : listed(tags, name);
        /* A tag it could not close later is not opened at all. */
        int allowed = kind_ok &&
                      (depth < sizeof open / sizeof *open || listed(voids, name)),
            self_closing;
        if (allowed)
            fprintf(out, strcmp(name, "input") == 0 ? "<%s type=\"radio\"" : "<%s", name);
        p = attributes(q, end, allowed ? out : NULL, name, depth == 0 || !in_svg,
                       &self_closing);
        if (!allowed)
            continue;
        /* "/>" closes only SVG elements, and never a <title>: an HTML
         * parser ignores it on <b/> or <title/>, which would stay open
         * past the view (an HTML <title> swallows the page as text). */
        if (self_closing && (in_svg || strcmp(name, "svg") == 0) &&
            strcmp(name, "title") != 0) {
            fputs("/>", out);
        } else {
            fputc('>', out);
            if (!listed(voids, name))
                snprintf(open[depth++], sizeof *open, "%s", name);
        }
    }
    while (depth > 0)
        fprintf(out, "</%s>", open[--depth]);
}
