/* bloom.c: the split-block bloom filter over a block's trace ids (the
 * Parquet SBBF algorithm; spec/links.md): one 32-byte block per lookup, and
 * the filter stored in checksummed groups of at most 4 KiB, so "is trace X
 * in this block?" costs one cache line and one small read. */
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
double bloom_expected_fpp(uint32_t nblocks, uint64_t nitems)
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

uint32_t bloom_blocks_for(uint64_t nitems, double fpp)
{
    uint32_t nb = 1;

    if (!(fpp > 0 && fpp < 1))
        fpp = 0.01;
    while (nb < MAX_BLOCKS && bloom_expected_fpp(nb, nitems) > fpp)
        nb *= 2;
    return nb;
}

int bloom_init(kiln_bloom *b, uint32_t nblocks)
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

void bloom_free(kiln_bloom *b)
{
    if (!b)
        return;
    free(b->words);
    b->words = NULL;
    b->nblocks = 0;
}

static uint32_t group_for(uint32_t nblocks)
{
    return nblocks < KILN_BLOOM_GROUP ? nblocks : KILN_BLOOM_GROUP;
}

static uint64_t block_index(uint32_t nblocks, uint64_t h)
{
    return ((h >> 32) * nblocks) >> 32;
}

/* Whether all eight of key's bits are set in one filter block. */
static bool block_has(const uint32_t w[8], uint32_t key)
{
    for (int i = 0; i < 8; i++)
        if (!(w[i] & (1u << ((key * salt[i]) >> 27))))
            return false;
    return true;
}

void bloom_insert(kiln_bloom *b, const void *id, size_t n)
{
    uint64_t h = XXH64(id, n, 0);
    uint32_t key = (uint32_t)h;
    uint32_t *w = b->words + 8 * block_index(b->nblocks, h);

    for (int i = 0; i < 8; i++)
        w[i] |= 1u << ((key * salt[i]) >> 27);
}

bool bloom_contains(const kiln_bloom *b, const void *id, size_t n)
{
    uint64_t h = XXH64(id, n, 0);

    if (b->nblocks == 0)
        return false;
    return block_has(b->words + 8 * block_index(b->nblocks, h), (uint32_t)h);
}


int bloom_encode(const kiln_bloom *b, kiln_buf *out)
{
    uint32_t group = group_for(b->nblocks);
    int rc;

    if ((rc = put_u32le(out, b->nblocks)) < 0 ||
        (rc = put_u32le(out, group)) < 0)
        return rc;
    if ((rc = kiln_buf_reserve(out, (size_t)b->nblocks * 32 +
                                        (size_t)(b->nblocks / group) * 8)) < 0)
        return rc;
    for (uint32_t g = 0; g < b->nblocks / group; g++) {
        uint8_t *start = out->data + out->len;
        const uint32_t *w = b->words + (size_t)g * group * 8;
        for (size_t i = 0; i < (size_t)group * 8; i++)
            set_u32le(start + 4 * i, w[i]);
        set_u64le(start + (size_t)group * 32,
                         XXH64(start, (size_t)group * 32, 0));
        out->len += (size_t)group * 32 + 8;
    }
    return 0;
}

int bloom_head(const void *p, size_t len, uint64_t section_len,
                    kiln_bloom_layout *l)
{
    kiln_cur c;
    uint32_t nb, group;
    int rc;

    cur_init(&c, p, len, "section bloom");
    if ((rc = get_u32le(&c, &nb)) < 0 ||
        (rc = get_u32le(&c, &group)) < 0)
        return rc;
    if (nb == 0 || nb > MAX_BLOCKS || (nb & (nb - 1)))
        return corrupt(c.what, 0, "block count not a power of two in 1..2^24");
    if (group != group_for(nb))
        return corrupt(c.what, 4, "group size is not min(block count, 128)");
    l->nblocks = nb;
    l->group = group;
    l->group_bytes = (uint64_t)group * 32 + 8;
    if (section_len != bloom_section_size(nb))
        return corrupt(c.what, 0, "length disagrees with the block count");
    return 0;
}

uint64_t bloom_section_size(uint32_t nblocks)
{
    uint32_t group = group_for(nblocks);

    return KILN_BLOOM_HEAD + (uint64_t)(nblocks / group) * ((uint64_t)group * 32 + 8);
}

uint32_t bloom_blocks_in(uint64_t section_len)
{
    for (uint32_t nb = 1; nb <= MAX_BLOCKS; nb *= 2)
        if (bloom_section_size(nb) == section_len)
            return nb;
    return 0;
}

int bloom_layout_of(uint64_t section_len, kiln_bloom_layout *l)
{
    uint32_t nb = bloom_blocks_in(section_len);

    if (nb == 0)
        return kiln_error_set(KILN_ECORRUPT, "section bloom: %llu bytes is no "
                              "filter's size", (unsigned long long)section_len);
    l->nblocks = nb;
    l->group = group_for(nb);
    l->group_bytes = (uint64_t)l->group * 32 + 8;
    return 0;
}

uint64_t bloom_locate(const kiln_bloom_layout *l, const void *id, size_t n)
{
    uint64_t blk = block_index(l->nblocks, XXH64(id, n, 0));

    return KILN_BLOOM_HEAD + blk / l->group * l->group_bytes;
}

/* Check one group's stored bytes and load its words. */
static int load_group(const kiln_bloom_layout *l, const uint8_t *p,
                      uint64_t gi, uint32_t *words)
{
    size_t nb = (size_t)l->group * 32;
    uint64_t want = load_u64le(p + nb), got = XXH64(p, nb, 0);

    if (want != got)
        return kiln_error_set(KILN_ECHECKSUM, "section bloom: group %llu: "
                              "checksum mismatch (stored %016llx, computed "
                              "%016llx)", (unsigned long long)gi,
                              (unsigned long long)want, (unsigned long long)got);
    for (size_t i = 0; i < (size_t)l->group * 8; i++)
        words[i] = load_u32le(p + 4 * i);
    return 0;
}

int bloom_test_group(const kiln_bloom_layout *l, const void *group,
                          size_t len, const void *id, size_t n)
{
    uint64_t h = XXH64(id, n, 0), blk = block_index(l->nblocks, h);
    uint32_t words[KILN_BLOOM_GROUP * 8];
    int rc;

    if (len != l->group_bytes || l->group > KILN_BLOOM_GROUP)
        return kiln_error_set(KILN_EINVAL, "section bloom: %zu bytes for a "
                              "group of %u blocks", len, l->group);
    if ((rc = load_group(l, group, blk / l->group, words)) < 0)
        return rc;
    return block_has(words + 8 * (blk % l->group), (uint32_t)h) ? 1 : 0;
}

int bloom_decode(kiln_bloom *b, const void *p, size_t len)
{
    kiln_bloom_layout l;
    const uint8_t *q = p;
    int rc;

    b->words = NULL;
    b->nblocks = 0;
    if ((rc = bloom_head(p, len, len, &l)) < 0)
        return rc;
    b->words = malloc((size_t)l.nblocks * 32);
    if (!b->words)
        return kiln_error_set(KILN_ENOMEM, "bloom: %u blocks", l.nblocks);
    for (uint64_t g = 0; g < l.nblocks / l.group; g++) {
        rc = load_group(&l, q + KILN_BLOOM_HEAD + g * l.group_bytes, g,
                        b->words + g * l.group * 8);
        if (rc < 0) {
            free(b->words);
            b->words = NULL;
            return rc;
        }
    }
    b->nblocks = l.nblocks;
    return 0;
}
