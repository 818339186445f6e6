/* fuzz_check.h - the fuzz targets' CHECK: says which check failed, then
 * aborts, so that libFuzzer keeps the input as a crash. */
#ifndef SWNG_FUZZ_CHECK_H
#define SWNG_FUZZ_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#define CHECK(cond)                                                                       \
    do {                                                                                  \
        if (!(cond)) {                                                                    \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);      \
            abort();                                                                      \
        }                                                                                 \
    } while (0)

#endif
