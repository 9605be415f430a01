/* bloom.c: the split-block bloom filter over a block's trace ids (the
 * Parquet SBBF algorithm; spec/links.md): one 32-byte block per lookup, so
 * "is trace X in this block?" costs one cache line and one small read. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "format_internal.h"

#define MAX_BLOCKS (1u << 24) /* 512 MiB of filter; spec/links.md */

static const uint32_t salt[8] = {
    0x47b6137bu, 0x44974d91u, 0x8824ad5bu, 0xa2b7289du,
    0x705495c7u, 0x2df1424bu, 0x9efc4947u, 0x5c6bfb31u,
};

/* Expected false-positive rate: the items land in blocks as a Poisson
 * process of mean lambda = nitems / nblocks; a block holding k items has
 * each of its 8 words' probe bit set with p = 1 - (31/32)^k, so a query
 * hits with p^8. Sum over k (the standard blocked-bloom analysis). */
double kiln_bloom_fpp(uint32_t nblocks, uint64_t nitems)
{
    if (nblocks == 0)
        return 1.0;
    if (nitems == 0)
        return 0.0;
    double lambda = (double)nitems / nblocks;
    /* Past a few hundred items per block the Poisson spread no longer
     * matters (and exp(-lambda) would underflow): use the mean. */
    if (lambda > 500)
        return pow(1.0 - pow(31.0 / 32.0, lambda), 8);
    double kmax = lambda + 12 * sqrt(lambda) + 30;
    double term = exp(-lambda); /* Poisson(0) */
    double sum = 0;
    for (double k = 0; k <= kmax; k++) {
        if (k > 0)
            term *= lambda / k;
        if (term == 0 && k > lambda) /* underflow past the mode */
            break;
        sum += term * pow(1.0 - pow(31.0 / 32.0, k), 8);
    }
    return sum < 1.0 ? sum : 1.0;
}

uint32_t kiln_bloom_blocks_for(uint64_t nitems, double fpp)
{
    uint32_t nb = 1;

    if (!(fpp > 0 && fpp < 1))
        fpp = 0.01;
    while (nb < MAX_BLOCKS && kiln_bloom_fpp(nb, nitems) > fpp)
        nb *= 2;
    return nb;
}

int kiln_bloom_init(kiln_bloom *b, uint32_t nblocks)
{
    b->words = NULL;
    b->nblocks = 0;
    if (nblocks == 0 || nblocks > MAX_BLOCKS || (nblocks & (nblocks - 1)))
        return kiln_error_set(KILN_EINVAL, "bloom: %u blocks (a power of two, 1..%u)",
                              nblocks, MAX_BLOCKS);
    b->words = calloc((size_t)nblocks * 8, sizeof *b->words);
    if (!b->words)
        return kiln_error_set(KILN_ENOMEM, "bloom: %u blocks", nblocks);
    b->nblocks = nblocks;
    return 0;
}

void kiln_bloom_free(kiln_bloom *b)
{
    if (!b)
        return;
    free(b->words);
    b->words = NULL;
    b->nblocks = 0;
}

static uint32_t *block_of(const kiln_bloom *b, uint64_t h)
{
    uint64_t i = ((h >> 32) * b->nblocks) >> 32;

    return b->words + 8 * i;
}

void kiln_bloom_insert(kiln_bloom *b, const void *id, size_t n)
{
    uint64_t h = XXH64(id, n, 0);
    uint32_t key = (uint32_t)h;
    uint32_t *w = block_of(b, h);

    for (int i = 0; i < 8; i++)
        w[i] |= 1u << ((key * salt[i]) >> 27);
}

bool kiln_bloom_contains(const kiln_bloom *b, const void *id, size_t n)
{
    uint64_t h = XXH64(id, n, 0);
    uint32_t key = (uint32_t)h;
    const uint32_t *w;

    if (b->nblocks == 0)
        return false;
    w = block_of(b, h);
    for (int i = 0; i < 8; i++)
        if (!(w[i] & (1u << ((key * salt[i]) >> 27))))
            return false;
    return true;
}

int kiln_bloom_encode(const kiln_bloom *b, kiln_buf *out)
{
    int rc;

    if ((rc = kiln_put_u32le(out, b->nblocks)) < 0)
        return rc;
    if ((rc = kiln_buf_reserve(out, (size_t)b->nblocks * 32)) < 0)
        return rc;
    for (size_t i = 0; i < (size_t)b->nblocks * 8; i++)
        kiln_store_u32le(out->data + out->len + 4 * i, b->words[i]);
    out->len += (size_t)b->nblocks * 32;
    return 0;
}

int kiln_bloom_decode(kiln_bloom *b, const void *p, size_t len)
{
    kiln_cur c;
    uint32_t nb;
    const uint8_t *w;
    int rc;

    b->words = NULL;
    b->nblocks = 0;
    kiln_cur_init(&c, p, len, "section bloom");
    if ((rc = kiln_get_u32le(&c, &nb)) < 0)
        return rc;
    if (nb == 0 || nb > MAX_BLOCKS || (nb & (nb - 1)))
        return kiln_corrupt(c.what, 0, "block count not a power of two in 1..2^24");
    if (kiln_cur_left(&c) != (size_t)nb * 32)
        return kiln_corrupt(c.what, 4, "length disagrees with the block count");
    if ((rc = kiln_get_bytes(&c, (size_t)nb * 32, &w)) < 0)
        return rc;
    b->words = malloc((size_t)nb * 32);
    if (!b->words)
        return kiln_error_set(KILN_ENOMEM, "bloom: %u blocks", nb);
    for (size_t i = 0; i < (size_t)nb * 8; i++)
        b->words[i] = kiln_load_u32le(w + 4 * i);
    b->nblocks = nb;
    return 0;
}
