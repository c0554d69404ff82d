/* libFuzzer target: the CSV tokenizer must never crash, read out of bounds
 * or loop forever, and every error must carry a position.  No field it
 * returns holds a NUL byte, and no unquoted field a line break. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <mlpipe/csv.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char delim = size > 0 && (data[0] == ';' || data[0] == '\t') ? (char)data[0] : ',';
    /* A private copy without a terminator, as a mapped file would be. */
    char *buf = malloc(size ? size : 1);
    mlp_csv_reader r;
    mlp_error err;
    size_t rows = 0;
    int rc;

    if (buf == NULL)
        return 0;
    memcpy(buf, data, size);
    mlp_csv_init(&r, "fuzz.csv", buf, size, delim);
    while ((rc = mlp_csv_next(&r, &err)) == 1) {
        for (size_t i = 0; i < r.n_fields; i++)
            if (r.fields[i].len > size ||
                memchr(r.fields[i].p, '\0', r.fields[i].len) != NULL ||
                (!r.fields[i].quoted &&
                 (memchr(r.fields[i].p, '\n', r.fields[i].len) != NULL ||
                  memchr(r.fields[i].p, '\r', r.fields[i].len) != NULL)))
                abort();
        if (++rows > size + 1)
            abort();  /* no progress */
    }
    if (rc < 0 && strncmp(err.msg, "fuzz.csv:", 9) != 0)
        abort();
    mlp_csv_free(&r);
    free(buf);
    return 0;
}
