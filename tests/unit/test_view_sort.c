/* Unit tests of sortable tables (the ranks views compute, the rows'
 * markup) and of the cleaner that every view's HTML goes through. */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "view_priv.h"

static void rank_descending_nan_last_ties_stable(void)
{
    const double key[] = { 0.2, NAN, 0.5, 0.2, -1, 0.5 };
    size_t rank[6];

    CHECK(mlp_view_rank(6, key, 1, rank) == MLP_OK);
    /* 0.5 (2), 0.5 (5), 0.2 (0), 0.2 (3), -1 (4), NaN (1) */
    CHECK(rank[2] == 0 && rank[5] == 1 && rank[0] == 2 && rank[3] == 3);
    CHECK(rank[4] == 4 && rank[1] == 5);
}

static void rank_ascending(void)
{
    const double key[] = { 3, NAN, -INFINITY, 3, 1 };
    size_t rank[5];

    CHECK(mlp_view_rank(5, key, 0, rank) == MLP_OK);
    CHECK(rank[2] == 0 && rank[4] == 1 && rank[0] == 2 && rank[3] == 3 && rank[1] == 4);
    CHECK(mlp_view_rank(0, key, 0, rank) == MLP_OK);
}

static void rank_names_ignoring_case(void)
{
    const char *const names[] = { "b", "B", NULL, "a", "b", "Zebra", "apple" };
    size_t rank[7];

    CHECK(mlp_view_rank_names(7, names, rank) == MLP_OK);
    /* "" (NULL), "a", "apple", "B", "b", "b", "Zebra" */
    CHECK(rank[2] == 0 && rank[3] == 1 && rank[6] == 2 && rank[1] == 3);
    CHECK(rank[0] == 4 && rank[4] == 5 && rank[5] == 6);
}

static char *render(mlp_view_kind kind)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    mlp_view v;
    const char *const orders[] = { "big <first>", "by name", "x", "y", "dropped" };
    const size_t ranks[] = { 2, 0, 1, 3, 9 };

    mlpi_view_init(&v, f, kind);
    mlp_view_sort_begin(&v, 3, 5, orders);
    mlp_view_sort_row(&v, 5, ranks);
    mlp_view_puts(&v, "<td>a</td></tr>");
    mlp_view_sort_end(&v);
    fclose(f);
    return buf;
}

static void table_markup(void)
{
    char *html = render(MLP_VIEW_HTML), *text = render(MLP_VIEW_TEXT);

    /* At most four orders, the first checked; names escaped; ranks from 1. */
    CHECK_CONTAINS(html, "<input type=\"radio\" name=\"sort1\" class=\"by0\" checked> "
                         "big &lt;first&gt;</label>");
    CHECK_CONTAINS(html, "class=\"by3\"> y</label>");
    CHECK(strstr(html, "dropped") == NULL && strstr(html, "by4") == NULL);
    CHECK_CONTAINS(html, "<table style=\"--cols:3\">");
    CHECK_CONTAINS(html, "<tr class=\"sorted\" style=\"--o0:3;--o1:1;--o2:2;--o3:4;\">");
    CHECK_CONTAINS(html, "</table></div>");
    /* A text view lists rows in its own order: no markup at all. */
    CHECK_MSG(strcmp(text, "<td>a</td></tr>") == 0, "%s", text);
    free(html);
    free(text);
}

static char *clean(const char *in)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    mlpi_html_clean(in, strlen(in), f);
    fclose(f);
    return buf;
}

static void cleaner_styles(void)
{
    const char *const kept[] = {
        "--o0:1", "--o0:1;--o1:-22;", " --a-b:0 ; --c9:123456789", "--0:5",
    };
    const char *const dropped[] = {
        "color:red", "--o0:1;color:red", "--o0:1234567890", "--O0:1", "--o0:", "--o0:1.5",
        "--o0:1)", "-o0:1", "--:1", "--o0 1", "--o0:--1", "--o0:1x",
    };
    char in[200], want[200];

    for (size_t i = 0; i < sizeof kept / sizeof *kept; i++) {
        snprintf(in, sizeof in, "<tr style=\"%s\">", kept[i]);
        snprintf(want, sizeof want, "<tr style=\"%s\"></tr>", kept[i]);
        char *out = clean(in);
        CHECK_MSG(strcmp(out, want) == 0, "%s -> %s", in, out);
        free(out);
    }
    for (size_t i = 0; i < sizeof dropped / sizeof *dropped; i++) {
        snprintf(in, sizeof in, "<tr style=\"%s\">", dropped[i]);
        char *out = clean(in);
        CHECK_MSG(strcmp(out, "<tr></tr>") == 0, "%s -> %s", in, out);
        free(out);
    }
}

static void cleaner_buttons_per_fragment(void)
{
    char *a = clean("<label><input type=checkbox name=s class=by1 checked "
                    "style=\"--o0:1\" value=v></label>");
    char *b = clean("<input name=\"s\">");
    unsigned na = 0, nb = 0;

    CHECK_MSG(sscanf(a, "<label><input type=\"radio\" name=\"v%u-s\" class=\"by1\" "
                     "checked=\"\"></label>", &na) == 1 && strstr(a, "value") == NULL &&
              strstr(a, "style") == NULL && strstr(a, "checkbox") == NULL, "%s", a);
    CHECK_MSG(sscanf(b, "<input type=\"radio\" name=\"v%u-s\">", &nb) == 1, "%s", b);
    /* Each fragment (each view on a page) has its own groups. */
    CHECK(nb == na + 1);
    free(a);
    free(b);
}

static void expect_clean(const char *in, const char *want)
{
    char *out = clean(in);
    int same = strcmp(out, want) == 0;

    if (!same)
        fprintf(stderr, "clean(%s) = %s, want %s\n", in, out, want);
    free(out);
    CHECK_MSG(same, "%s", in);
}

/* What a hostile view writes to leave its section: a self-closed HTML tag
 * stays open in a browser (so it is closed at the view's end), an SVG-only
 * tag outside an <svg> is HTML (an HTML <title> swallows the page). */
static void cleaner_keeps_views_in_their_section(void)
{
    expect_clean("<p>x</p><title/>after", "<p>x</p>after");
    expect_clean("<title>t</title>", "t");
    expect_clean("<b style=\"--o0:9\"/>after", "<b style=\"--o0:9\">after</b>");
    expect_clean("<small class=\"c\"/>", "<small class=\"c\"></small>");
    expect_clean("<svg><rect width=\"2\"/><title>t</title></svg>",
                 "<svg><rect width=\"2\"/><title>t</title></svg>");
    expect_clean("<svg/><b>x</b>", "<svg/><b>x</b>");
    expect_clean("<br/><hr>", "<br><hr>");
    /* An HTML tag inside SVG makes the browser leave the SVG: dropped, so
     * what follows is never an HTML <title> the cleaner took for SVG. */
    expect_clean("<svg><b><title/>x</b></svg>after", "<svg><title>x</title></svg>after");
    expect_clean("<svg><title><b><title/></b></title></svg>after",
                 "<svg><title></title></svg>after");
    expect_clean("<svg><p><text>t</text></p></svg>", "<svg><text>t</text></svg>");
    expect_clean("<svg><em><title>x</title></em></svg>", "<svg><title>x</title></svg>");
    expect_clean("<svg><title>a<span>b</span></title></svg>", "<svg><title>ab</title></svg>");
    expect_clean("<SVG><B><TITLE/>", "<svg><title></title></svg>");
    expect_clean("<svg><svg><b><title/>", "<svg><svg><title></title></svg></svg>");
    /* No outermost <svg> moved over other sections; inside, transforms stay. */
    expect_clean("<svg transform=\"scale(4)\"><g transform=\"scale(2)\"></g></svg>",
                 "<svg><g transform=\"scale(2)\"></g></svg>");
    expect_clean("<p><svg transform=\"translate(300,150)\"></svg></p>", "<p><svg></svg></p>");
}

static void cleaner_paint_and_style_values(void)
{
    expect_clean("<tr style=\"--a:1 --b:2\">", "<tr></tr>");
    expect_clean("<tr style=\"--a:1 ;--b:2\">", "<tr style=\"--a:1 ;--b:2\"></tr>");
    expect_clean("<svg fill=\"url(http://x/y)\" stroke=\"URL(#a)\">", "<svg></svg>");
    expect_clean("<svg fill=\"&#117;rl(http://x)\">", "<svg></svg>");
    expect_clean("<svg fill=\"#4878d0\" stroke=\"rgb(1, 2, 3)\">",
                 "<svg fill=\"#4878d0\" stroke=\"rgb(1, 2, 3)\"></svg>");
    expect_clean("<svg fill=\"none\" stroke=\"dark-blue\">",
                 "<svg fill=\"none\" stroke=\"dark-blue\"></svg>");
}

int main(void)
{
    RUN(rank_descending_nan_last_ties_stable);
    RUN(rank_ascending);
    RUN(rank_names_ignoring_case);
    RUN(table_markup);
    RUN(cleaner_styles);
    RUN(cleaner_buttons_per_fragment);
    RUN(cleaner_keeps_views_in_their_section);
    RUN(cleaner_paint_and_style_values);
    CHECK_EXIT();
}
