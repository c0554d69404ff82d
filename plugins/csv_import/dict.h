/* A string dictionary: interns field values into dense int32 codes. */
#ifndef MLPIPE_CSV_IMPORT_DICT_H
#define MLPIPE_CSV_IMPORT_DICT_H

#include <stddef.h>
#include <stdint.h>

typedef struct dict {
    char **strs;          /* code -> NUL-terminated string */
    size_t n, cap;
    int32_t *slots;       /* open addressing: code + 1, 0 = empty */
    uint64_t *hashes;     /* hash of each code's string */
    size_t n_slots;
} dict;

/* Finds or adds the string; *code gets its index. */
int dict_intern(dict *d, const char *s, size_t len, int32_t *code);
void dict_free(dict *d);

#endif
