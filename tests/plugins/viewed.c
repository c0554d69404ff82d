/* A third-party plugin with its own artifact type and views, built only
 * against the SDK: viewed_make makes a Tally (tally.txt and properties n
 * and label); its views draw it, or misbehave as the artifact's `view`
 * property says, so one plugin covers every way a view can go wrong:
 *   ok      a text summary and an HTML fragment with bars
 *   crash   dies of SIGSEGV              hang    never returns
 *   fail    returns an error              exit    calls exit(0) half-way
 *   tamper  tries to rewrite tally.txt, then reports what happened
 *   chatty  prints to stdout itself before drawing
 *   markup  HTML that tries to leave its section, run a script, fetch an
 *           image, style the page and hide what follows; text with
 *           escape sequences
 *   fds     writes into every file descriptor it may have inherited
 *   fork    leaves a child running (one in its group, one in a session
 *           of its own) that keeps the output pipe open
 *   big     writes 80 MiB */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mlpipe/mlpipe.h>

static int run(mlp_ctx *ctx)
{
    mlp_artifact *out = mlp_ctx_output(ctx, "tally");
    char path[4096];
    mlp_error err;
    FILE *f;

    if (mlp_artifact_path(out, "tally.txt", path, sizeof path, &err) != MLP_OK)
        return mlp_ctx_fail_error(ctx, &err);
    if ((f = fopen(path, "w")) == NULL)
        return mlp_ctx_fail(ctx, MLP_EIO, "cannot write %s", path);
    fprintf(f, "%lld\n", (long long)mlp_ctx_param_int(ctx, "n"));
    fclose(f);
    if (mlp_artifact_set_property(out, "n", mlp_json_int(mlp_ctx_param_int(ctx, "n")),
                                  &err) != MLP_OK ||
        mlp_artifact_set_property(out, "label", cJSON_CreateString(
                                      mlp_ctx_param_string(ctx, "label")), &err) != MLP_OK ||
        mlp_artifact_set_property(out, "view", cJSON_CreateString(
                                      mlp_ctx_param_string(ctx, "view")), &err) != MLP_OK)
        return mlp_ctx_fail_error(ctx, &err);
    return MLP_OK;
}

static int view(const mlp_artifact *a, mlp_view *v, mlp_error *err)
{
    const char *how = cJSON_GetStringValue(mlp_artifact_property(a, "view"));
    const char *label = cJSON_GetStringValue(mlp_artifact_property(a, "label"));
    double n = cJSON_GetNumberValue(mlp_artifact_property(a, "n"));
    char path[4096];

    if (strcmp(how, "crash") == 0)
        raise(SIGSEGV);  /* not a NULL load: UBSan would exit(1) first */
    if (strcmp(how, "hang") == 0)
        for (;;)
            pause();
    if (strcmp(how, "fail") == 0)
        return mlp_error_set(err, MLP_EFORMAT, "tally of %g cannot be drawn", n);
    if (strcmp(how, "exit") == 0) {
        mlp_view_puts(v, "half");
        exit(0);
    }
    if (strcmp(how, "markup") == 0) {
        if (mlp_view_kind_of(v) == MLP_VIEW_TEXT) {
            /* C1 and bidi controls at both ends of their ranges, and the
             * first character after C1 (U+00A0), which stays. */
            mlp_view_puts(v, "plain \033[2J\033]0;title\007 \xe2\x80\xae" "evil "
                             "\xc2\x80\xc2\x9f\xe2\x80\xaa\xe2\x81\xa6\xe2\x81\xa9 "
                             "\xc2\xa0" "ok\n");
            return MLP_OK;
        }
        mlp_view_puts(v, "<p onclick=\"x()\" class=\"num\">kept</p></section></body>"
                         "<script>alert(1)</script><img src=\"http://example.com/x.png\">"
                         /* What sortable tables may use, abused. */
                         "<input type=\"text\" name=\"g\" value=\"x\" onfocus=\"y()\" "
                         "style=\"--a:1\"><input type=\"radio\" name=\"g\" checked>"
                         "<div style=\"background:url(http://example.com/y.png)\">u</div>"
                         "<div style=\"--o0:3;color:red\">c</div>"
                         "<div style=\"--o0:1234567890\">l</div>"
                         "<span name=\"n\" checked>s</span>"
                         "<p style=\"--o0:12;--o1:-3;\">ok</p>"
                         "<table><tr><td>open<b>bold<!-- hide <textarea>");
        return MLP_OK;
    }
    if (strcmp(how, "fds") == 0) {
        for (int fd = 3; fd < 64; fd++)
            if (lseek(fd, 0, SEEK_SET) == 0)
                (void)!write(fd, "PWNED", 5);
    }
    if (strcmp(how, "fork") == 0) {
        if (fork() == 0) {
            if (fork() == 0) {
                setsid();
                for (;;)
                    pause();
            }
            for (;;)
                pause();
        }
    }
    if (strcmp(how, "big") == 0) {
        static char chunk[1 << 20];
        memset(chunk, 'x', sizeof chunk - 1);
        for (int i = 0; i < 80; i++)
            mlp_view_puts(v, chunk);
    }
    if (strcmp(how, "chatty") == 0) {
        printf("CHATTY-STDOUT\n");
        fflush(stdout);
    }
    if (strcmp(how, "tamper") == 0) {
        FILE *f;
        if (mlp_artifact_path(a, "tally.txt", path, sizeof path, err) != MLP_OK)
            return err->code;
        if ((f = fopen(path, "w")) != NULL) {
            fputs("999\n", f);
            fclose(f);
            return mlp_error_set(err, MLP_EINVAL, "rewrote %s", path);
        }
        return mlp_error_set(err, MLP_EIO, "could not rewrite %s", path);
    }
    if (mlp_view_kind_of(v) == MLP_VIEW_TEXT) {
        mlp_view_printf(v, "tally %g of ", n);
        mlp_view_text(v, label);
        mlp_view_puts(v, "\n");
        return MLP_OK;
    }
    double counts[3] = { n, 2 * n, 1 };
    const char *labels[3] = { label, "double", NULL };
    mlp_view_printf(v, "<p class=\"tally num\">tally %g of <b>", n);
    mlp_view_text(v, label);
    mlp_view_puts(v, "</b></p>\n");
    mlp_view_bars(v, 3, counts, labels);
    return MLP_OK;
}

static const char *const hows[] = { "ok", "crash", "hang", "fail", "exit",
                                    "tamper", "chatty", "markup", "fds",
                                    "fork", "big", NULL };
static const mlp_port outputs[] = {
    { "tally", "Tally", 0, "tally.txt and properties n, label" },
    MLP_PORTS_END
};
static const mlp_param_spec params[] = {
    { "n", MLP_PARAM_INT, "3", 0, 0, 0, NULL, "the count" },
    { "label", MLP_PARAM_STRING, "\"things\"", 0, 0, 0, NULL, "what is counted" },
    { "view", MLP_PARAM_ENUM, "\"ok\"", 0, 0, 0, hows, "how the view behaves" },
    MLP_PARAMS_END
};
static const mlp_component components[] = {
    { "viewed_make", MLP_STAGE_ANALYZE, "makes a Tally", NULL, outputs,
      params, run, { NULL } },
    MLP_COMPONENTS_END
};
static const mlp_type_desc types[] = {
    { "Tally", "a count with a label", "{\"files\": [\"tally.txt\"]}", view,
      view, { NULL } },
    MLP_TYPES_END
};

MLP_PLUGIN_DEFINE_TYPES(viewed, "viewed", "1.0", "MIT", "a type with views",
                        components, types, NULL, NULL);
