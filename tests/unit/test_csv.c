/* Unit tests of the RFC 4180 tokenizer of the csv_import plugin. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include <mlpipe/csv.h>

/* Tokenizes text and renders rows as "a|b|c;" for comparison. */
static int render(const char *text, size_t len, char delim, char *out,
                  size_t size, mlp_error *err)
{
    mlp_csv_reader r;
    size_t n = 0;
    int rc;

    out[0] = '\0';
    mlp_csv_init(&r, "t.csv", text, len, delim);
    while ((rc = mlp_csv_next(&r, err)) == 1) {
        for (size_t i = 0; i < r.n_fields; i++)
            n += (size_t)snprintf(out + n, size - n, "%s%.*s", i ? "|" : "",
                                  (int)r.fields[i].len, r.fields[i].p);
        n += (size_t)snprintf(out + n, size - n, ";");
    }
    mlp_csv_free(&r);
    return rc;
}

static void parses(const char *text, const char *want)
{
    char out[1024];
    mlp_error err;

    CHECK_MSG(render(text, strlen(text), ',', out, sizeof out, &err) == 0,
              "%s", err.msg);
    CHECK_MSG(strcmp(out, want) == 0, "got '%s', want '%s'", out, want);
}

static void plain(void) { parses("a,b,c\n1,2,3\n", "a|b|c;1|2|3;"); }
static void no_final_newline(void) { parses("a,b\n1,2", "a|b;1|2;"); }
static void crlf(void) { parses("a,b\r\n1,2\r\n", "a|b;1|2;"); }
static void bom(void) { parses("\xEF\xBB\xBFx,y\n1,2\n", "x|y;1|2;"); }
static void quoted(void) { parses("\"a,b\",c\n", "a,b|c;"); }
static void doubled_quotes(void) { parses("\"say \"\"hi\"\"\",x\n", "say \"hi\"|x;"); }
static void embedded_newline(void) { parses("\"line1\nline2\",x\n1,2\n", "line1\nline2|x;1|2;"); }
static void embedded_crlf(void) { parses("\"a\r\nb\",x\r\n", "a\r\nb|x;"); }
static void empty_fields(void) { parses(",,\n\"\",x,\n", "||;|x|;"); }
static void blank_lines_skipped(void) { parses("a\n\n\nb\n", "a;b;"); }
static void utf8_fields(void) { parses("na\xc3\xafve,\xe2\x82\xac\n", "na\xc3\xafve|\xe2\x82\xac;"); }

static void other_delimiter(void)
{
    char out[256];
    mlp_error err;
    const char *t = "a;b\t\n\"x;y\";2\n";

    CHECK(render(t, strlen(t), ';', out, sizeof out, &err) == 0);
    CHECK_MSG(strcmp(out, "a|b\t;x;y|2;") == 0, "%s", out);
}

static void fails(const char *text, const char *want)
{
    char out[1024];
    mlp_error err;

    CHECK_MSG(render(text, strlen(text), ',', out, sizeof out, &err) < 0,
              "accepted '%s'", text);
    CHECK_CONTAINS(err.msg, want);
}

static void unterminated_quote(void)
{
    fails("a,b\n1,\"open\n2,3\n", "t.csv:2:3: unterminated quoted field");
}
static void text_after_quote(void)
{
    fails("a,b\n\"x\"y,2\n", "t.csv:2:4: unexpected text after a closing quote");
}
static void stray_quote(void)
{
    fails("a,b\nx\"y,2\n", "t.csv:2:2: quote inside an unquoted field");
}
static void invalid_utf8(void)
{
    fails("a,b\nok,\xff\n", "t.csv:2:4: invalid UTF-8");
    fails("a\n\"\xc3\x28\"\n", "t.csv:2:2: invalid UTF-8");
    fails("a\n\xed\xa0\x80\n", "t.csv:2:1: invalid UTF-8");  /* surrogate */
}
static void line_numbers_after_multiline(void)
{
    fails("\"a\nb\nc\",x\n1,\"\xff\"\n", "t.csv:4:4: invalid UTF-8");
}

int main(void)
{
    RUN(plain);
    RUN(no_final_newline);
    RUN(crlf);
    RUN(bom);
    RUN(quoted);
    RUN(doubled_quotes);
    RUN(embedded_newline);
    RUN(embedded_crlf);
    RUN(empty_fields);
    RUN(blank_lines_skipped);
    RUN(utf8_fields);
    RUN(other_delimiter);
    RUN(unterminated_quote);
    RUN(text_after_quote);
    RUN(stray_quote);
    RUN(invalid_utf8);
    RUN(line_numbers_after_multiline);
    CHECK_EXIT();
}
