/* fmt_test.h: helpers shared by the format tests: a seeded PRNG and exact
 * heap copies of encodings, so AddressSanitizer sees any read past the end. */
#ifndef KILN_FMT_TEST_H
#define KILN_FMT_TEST_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include "format_internal.h"

static inline uint64_t rng_next(uint64_t *s)
{
    /* splitmix64 */
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* A malloc'd copy of exactly n bytes (one byte allocated for n == 0). */
static inline uint8_t *dup_exact(const void *p, size_t n)
{
    uint8_t *q = malloc(n ? n : 1);
    cr_assert(q != NULL);
    if (n)
        memcpy(q, p, n);
    return q;
}

#endif
