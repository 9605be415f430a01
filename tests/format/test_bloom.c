/* test_bloom.c: the split-block bloom filter never forgets an inserted id,
 * keeps its measured false-positive rate within 1 % when sized by
 * bloom_blocks_for(n, 0.01), (de)serialises exactly, and answers
 * from one checksummed group as it does from the whole filter. */
#include "fmt_test.h"

static void trace_id(uint8_t id[16], uint64_t k)
{
    uint64_t s = k * 2654435761ULL + 17;
    set_u64le(id, rng_next(&s));
    set_u64le(id + 8, rng_next(&s));
}

static double measure(uint64_t n)
{
    kiln_bloom b;
    uint8_t id[16];
    uint32_t nb = bloom_blocks_for(n, 0.01);

    cr_assert(eq(int, bloom_init(&b, nb), 0));
    for (uint64_t i = 0; i < n; i++) {
        trace_id(id, i);
        bloom_insert(&b, id, 16);
    }
    for (uint64_t i = 0; i < n; i++) {
        trace_id(id, i);
        cr_assert(bloom_contains(&b, id, 16), "inserted id %llu missing",
                  (unsigned long long)i);
    }
    uint64_t probes = 400000, fp = 0;
    for (uint64_t i = 0; i < probes; i++) {
        trace_id(id, (1ULL << 40) + i);
        fp += bloom_contains(&b, id, 16);
    }
    bloom_free(&b);
    return (double)fp / (double)probes;
}

Test(format_bloom, no_false_negatives_and_fpp_within_one_percent)
{
    /* Sizes just below and just above a power-of-two step of the sizing. */
    static const uint64_t sizes[] = {1, 10, 100, 1000, 12000, 24000, 25000, 50000, 100000};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        double fpp = measure(sizes[i]);
        cr_assert(le(dbl, fpp, 0.01), "n=%llu: measured %.4f",
                  (unsigned long long)sizes[i], fpp);
    }
}

Test(format_bloom, sizing_is_power_of_two_and_model_is_monotonic)
{
    cr_assert(eq(u32, bloom_blocks_for(0, 0.01), 1));
    uint32_t prev = 1;
    for (uint64_t n = 1; n < 2000000; n *= 3) {
        uint32_t nb = bloom_blocks_for(n, 0.01);
        cr_assert(eq(u32, nb & (nb - 1), 0));
        cr_assert(ge(u32, nb, prev));
        cr_assert(le(dbl, bloom_expected_fpp(nb, n), 0.01));
        /* Not wastefully large: half the blocks would miss the target. */
        if (nb > 1)
            cr_assert(gt(dbl, bloom_expected_fpp(nb / 2, n), 0.01));
        prev = nb;
    }
    cr_assert(eq(dbl, bloom_expected_fpp(4, 0), 0.0));
    cr_assert(gt(dbl, bloom_expected_fpp(1, 1000000), 0.99));
}

Test(format_bloom, encode_decode_exact_and_refuses_bad_lengths)
{
    kiln_bloom b, d;
    kiln_buf e = KILN_BUF_INIT;
    uint8_t id[16];

    cr_assert(eq(int, bloom_init(&b, 8), 0));
    for (uint64_t i = 0; i < 50; i++) {
        trace_id(id, i);
        bloom_insert(&b, id, 16);
    }
    cr_assert(eq(int, bloom_encode(&b, &e), 0));
    cr_assert(eq(sz, e.len, 8 + 8 * 32 + 8)); /* head, one group, checksum */
    cr_assert(eq(u64, bloom_section_size(8), e.len));
    cr_assert(eq(u32, bloom_blocks_in(e.len), 8));
    cr_assert(eq(u32, load_u32le(e.data), 8));
    cr_assert(eq(u32, load_u32le(e.data + 4), 8));
    cr_assert(eq(int, bloom_decode(&d, e.data, e.len), 0));
    cr_assert(eq(u32, d.nblocks, 8));
    cr_assert(eq(int, memcmp(d.words, b.words, 8 * 32), 0));
    for (uint64_t i = 0; i < 50; i++) {
        trace_id(id, i);
        cr_assert(bloom_contains(&d, id, 16));
    }
    bloom_free(&d);
    for (size_t len = 0; len < e.len; len++) {
        uint8_t *q = dup_exact(e.data, len);
        cr_assert(eq(int, bloom_decode(&d, q, len), KILN_ECORRUPT));
        free(q);
    }
    set_u32le(e.data, 3); /* not a power of two */
    cr_assert(eq(int, bloom_decode(&d, e.data, e.len), KILN_ECORRUPT));
    set_u32le(e.data, 0);
    cr_assert(eq(int, bloom_decode(&d, e.data, e.len), KILN_ECORRUPT));
    cr_assert(eq(int, bloom_init(&d, 3), KILN_EINVAL));
    bloom_free(&b);
    kiln_buf_free(&e);
}

/* A filter of 1024 blocks is 8 groups of 128: a lookup that reads one
 * group answers as the whole filter does, a damaged group fails its own
 * checksum (and the whole decode) but not a lookup in another group, and
 * a head whose counts disagree with the length is refused. */
Test(format_bloom, one_group_answers_like_the_whole_filter)
{
    kiln_bloom b, d;
    kiln_buf e = KILN_BUF_INIT;
    kiln_bloom_layout l;
    uint8_t id[16];

    cr_assert(eq(int, bloom_init(&b, 1024), 0));
    for (uint64_t i = 0; i < 5000; i++) {
        trace_id(id, i);
        bloom_insert(&b, id, 16);
    }
    cr_assert(eq(int, bloom_encode(&b, &e), 0));
    cr_assert(eq(sz, e.len, 8 + 8 * (128 * 32 + 8)));
    cr_assert(eq(u32, bloom_blocks_in(e.len), 1024));
    cr_assert(eq(int, bloom_head(e.data, KILN_BLOOM_HEAD, e.len, &l), 0));
    cr_assert(eq(u32, l.nblocks, 1024));
    cr_assert(eq(u32, l.group, 128));
    kiln_bloom_layout from_len;
    cr_assert(eq(int, bloom_layout_of(e.len, &from_len), 0));
    cr_assert(eq(u32, from_len.nblocks, l.nblocks));
    cr_assert(eq(u32, from_len.group, l.group));
    cr_assert(eq(u64, from_len.group_bytes, l.group_bytes));
    cr_assert(eq(int, bloom_layout_of(e.len - 8, &from_len), KILN_ECORRUPT));
    cr_assert(eq(int, bloom_layout_of(0, &from_len), KILN_ECORRUPT));
    unsigned seen[8] = {0}, present = 0;
    for (uint64_t i = 0; i < 20000; i++) { /* 5000 inserted, then absent */
        trace_id(id, i);
        uint64_t off = bloom_locate(&l, id, 16);
        cr_assert(off >= KILN_BLOOM_HEAD && off + l.group_bytes <= e.len);
        cr_assert(eq(u64, (off - KILN_BLOOM_HEAD) % l.group_bytes, 0));
        seen[(off - KILN_BLOOM_HEAD) / l.group_bytes]++;
        int got = bloom_test_group(&l, e.data + off, l.group_bytes, id, 16);
        cr_assert(eq(int, got, bloom_contains(&b, id, 16) ? 1 : 0));
        present += got == 1;
    }
    cr_assert(present >= 5000 && present < 5000 + 15000 / 50);
    for (int g = 0; g < 8; g++)
        cr_assert(seen[g] > 0, "no id fell in group %d", g);

    /* Damage group 3: its lookups and the whole decode fail; group 4 still
     * answers. */
    size_t g3 = KILN_BLOOM_HEAD + 3 * l.group_bytes;
    e.data[g3 + 100] ^= 0x01;
    int bad = 0, good = 0;
    for (uint64_t i = 0; i < 20000 && (!bad || !good); i++) {
        trace_id(id, i);
        uint64_t off = bloom_locate(&l, id, 16);
        int got = bloom_test_group(&l, e.data + off, l.group_bytes, id, 16);
        if (off == g3) {
            cr_assert(eq(int, got, KILN_ECHECKSUM));
            cr_assert(strstr(kiln_error_last(), "group 3") != NULL, "%s",
                      kiln_error_last());
            bad = 1;
        } else if (off == g3 + l.group_bytes) {
            cr_assert(got == 0 || got == 1);
            good = 1;
        }
    }
    cr_assert(bad && good);
    cr_assert(eq(int, bloom_decode(&d, e.data, e.len), KILN_ECHECKSUM));
    e.data[g3 + 100] ^= 0x01;
    cr_assert(eq(int, bloom_decode(&d, e.data, e.len), 0));
    bloom_free(&d);

    /* Heads that disagree with the length, or a group size other than
     * min(nblocks, 128). */
    cr_assert(eq(int, bloom_head(e.data, KILN_BLOOM_HEAD, e.len - 1, &l),
                 KILN_ECORRUPT));
    set_u32le(e.data + 4, 64);
    cr_assert(eq(int, bloom_head(e.data, KILN_BLOOM_HEAD, e.len, &l),
                 KILN_ECORRUPT));
    set_u32le(e.data + 4, 128);
    set_u32le(e.data, 2048);
    cr_assert(eq(int, bloom_head(e.data, KILN_BLOOM_HEAD, e.len, &l),
                 KILN_ECORRUPT));
    cr_assert(eq(int, bloom_head(e.data, 7, e.len, &l), KILN_ECORRUPT));
    bloom_free(&b);
    kiln_buf_free(&e);
}
