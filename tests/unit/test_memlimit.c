/* The malloc family libmlpipe wraps (memlimit.c) keeps the C library's
 * contract: posix_memalign refuses an alignment that is not a power of
 * two multiple of sizeof(void *), and honours one that is. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "check.h"

static void posix_memalign_checks_alignment(void)
{
    void *p = NULL;

#ifndef __SANITIZE_ADDRESS__
    /* (AddressSanitizer's allocator replaces ours and aborts on these.) */
    CHECK(posix_memalign(&p, 24, 10) == EINVAL);      /* not a power of two */
    CHECK(posix_memalign(&p, 2, 10) == EINVAL);       /* below sizeof(void *) */
    CHECK(posix_memalign(&p, 3, 10) == EINVAL);       /* both */
#endif
    CHECK(posix_memalign(&p, 64, 10) == 0);
    CHECK(p != NULL && ((uintptr_t)p & 63) == 0);
    free(p);
}

int main(void)
{
    RUN(posix_memalign_checks_alignment);
    CHECK_EXIT();
}
