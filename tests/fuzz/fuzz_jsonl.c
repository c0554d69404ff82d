/* libFuzzer target: the JSON Lines reader never crashes or reads out of
 * bounds, every error carries a position, and every value it returns is
 * valid UTF-8 without NUL. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jsonl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_text(const char *p, size_t len)
{
    const unsigned char *s = (const unsigned char *)p, *e = s + len;

    while (s < e) {
        size_t n = mlp_csv_utf8_len(s, e);
        if (n == 0 || *s == 0)
            abort();
        s += n;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size ? size : 1);
    cJSON *cols = NULL, *c;
    mlp_csv_reader r;
    mlp_error err;
    int rc;

    if (buf == NULL)
        return 0;
    memcpy(buf, data, size);
    rc = jsonl_columns("fuzz.jsonl", buf, size, 0, &cols, &err);
    if (rc != MLP_OK) {
        if (strncmp(err.msg, "fuzz.jsonl:", 11) != 0)
            abort();
        free(buf);
        return 0;
    }
    cJSON_ArrayForEach(c, cols)
        check_text(c->valuestring, strlen(c->valuestring));
    mlp_csv_init(&r, "fuzz.jsonl", buf, size, ',');
    while ((rc = jsonl_next(&r, cols, &err)) == 1)
        for (size_t i = 0; i < r.n_fields; i++)
            if (r.fields[i].p != NULL)
                check_text(r.fields[i].p, r.fields[i].len);
    /* The columns came from a full read: the second read fails nowhere. */
    if (rc != 0)
        abort();
    mlp_csv_free(&r);
    cJSON_Delete(cols);
    free(buf);
    return 0;
}
