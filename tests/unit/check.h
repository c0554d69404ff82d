/* A minimal test framework: each TEST is a function; RUN prints
 * "PASS name" or "FAIL name: file:line: what" for tests/run to count. */
#ifndef MLPIPE_TESTS_CHECK_H
#define MLPIPE_TESTS_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_failed;
static int check_any_failed;
static char check_msg[1024];

#define CHECK(cond)                                                        \
    do {                                                                   \
        if (!(cond)) {                                                     \
            snprintf(check_msg, sizeof check_msg, "%s:%d: %s", __FILE__,   \
                     __LINE__, #cond);                                     \
            check_failed = 1;                                              \
            return;                                                        \
        }                                                                  \
    } while (0)

#define CHECK_MSG(cond, ...)                                               \
    do {                                                                   \
        if (!(cond)) {                                                     \
            int n_ = snprintf(check_msg, sizeof check_msg, "%s:%d: ",      \
                              __FILE__, __LINE__);                         \
            snprintf(check_msg + n_, sizeof check_msg - (size_t)n_,        \
                     __VA_ARGS__);                                         \
            check_failed = 1;                                              \
            return;                                                        \
        }                                                                  \
    } while (0)

#define CHECK_CONTAINS(hay, needle)                                        \
    CHECK_MSG(strstr((hay), (needle)) != NULL, "'%s' does not contain '%s'", \
              (hay), (needle))

#define RUN(fn)                                                            \
    do {                                                                   \
        check_failed = 0;                                                  \
        fn();                                                              \
        if (check_failed) {                                                \
            printf("FAIL %s: %s\n", #fn, check_msg);                       \
            check_any_failed = 1;                                          \
        } else {                                                           \
            printf("PASS %s\n", #fn);                                      \
        }                                                                  \
        fflush(stdout);                                                    \
    } while (0)

#define CHECK_EXIT() return check_any_failed ? 1 : 0

#endif
