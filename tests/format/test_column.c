/* test_column.c: integer columns round-trip at every bit width in both
 * modes, stay compact, and refuse truncated or malformed bytes. */
#include "fmt_test.h"

static void roundtrip(const int64_t *v, size_t n, int mode)
{
    kiln_buf b = KILN_BUF_INIT;
    kiln_cur c;
    int64_t *got = calloc(n + 1, sizeof *got);

    cr_assert(eq(int, col_encode(&b, v, n, mode), 0));
    uint8_t *p = dup_exact(b.data, b.len);
    cur_init(&c, p, b.len, "column");
    cr_assert(eq(int, col_decode(&c, got, n), 0), "%s", kiln_error_last());
    cr_assert(eq(sz, cur_left(&c), 0));
    for (size_t i = 0; i < n; i++)
        cr_assert(eq(i64, got[i], v[i]), "value %zu", i);
    /* Every proper prefix is refused. */
    for (size_t len = 0; len < b.len; len++) {
        cur_init(&c, p, len, "column");
        cr_assert(eq(int, col_decode(&c, got, n), KILN_ECORRUPT),
                  "prefix %zu of %zu decoded", len, b.len);
    }
    free(p);
    free(got);
    kiln_buf_free(&b);
}

Test(format_column, roundtrips_every_width_both_modes)
{
    uint64_t s = 7;
    for (int mode = 0; mode < 2; mode++) {
        for (unsigned w = 0; w <= 64; w++) {
            size_t n = 37 + w * 3; /* odd sizes exercise the tail */
            int64_t *v = malloc(n * sizeof *v);
            for (size_t i = 0; i < n; i++) {
                uint64_t x = rng_next(&s);
                if (w < 64)
                    x &= (1ULL << w) - 1;
                v[i] = (int64_t)x - 1000;
            }
            roundtrip(v, n, mode);
            free(v);
        }
    }
}

Test(format_column, extremes_and_overflowing_deltas)
{
    int64_t v[] = {INT64_MIN, INT64_MAX, 0, INT64_MIN, -1, INT64_MAX, 1};
    roundtrip(v, 7, KILN_COL_PLAIN);
    roundtrip(v, 7, KILN_COL_DELTA);
    roundtrip(v, 1, KILN_COL_DELTA);
    roundtrip(v, 0, KILN_COL_DELTA);
    roundtrip(v, 0, KILN_COL_PLAIN);
}

Test(format_column, constant_column_costs_three_bytes)
{
    int64_t v[1000];
    kiln_buf b = KILN_BUF_INIT;

    for (int i = 0; i < 1000; i++)
        v[i] = 42;
    cr_assert(eq(int, col_encode(&b, v, 1000, KILN_COL_PLAIN), 0));
    cr_assert(eq(sz, b.len, 3));
    kiln_buf_free(&b);
}

Test(format_column, delta_mode_packs_regular_times_tightly)
{
    /* 4096 timestamps 10 ms apart: every delta equal -> width 0. */
    int64_t v[4096];
    kiln_buf b = KILN_BUF_INIT;

    for (int i = 0; i < 4096; i++)
        v[i] = 1700000000000000000LL + (int64_t)i * 10000000;
    cr_assert(eq(int, col_encode(&b, v, 4096, KILN_COL_DELTA), 0));
    cr_assert(le(sz, b.len, 16));
    roundtrip(v, 4096, KILN_COL_DELTA);
    kiln_buf_free(&b);
}

Test(format_column, u32_roundtrip_and_range_check)
{
    uint32_t v[1500], got[1500];
    uint64_t s = 99;
    kiln_buf b = KILN_BUF_INIT;
    kiln_cur c;

    for (int mode = 0; mode < 2; mode++) {
        for (int i = 0; i < 1500; i++)
            v[i] = (uint32_t)rng_next(&s) >> (i % 32);
        v[7] = UINT32_MAX;
        v[8] = 0;
        kiln_buf_reset(&b);
        cr_assert(eq(int, col_encode_u32(&b, v, 1500, mode), 0));
        cur_init(&c, b.data, b.len, "ids");
        cr_assert(eq(int, col_decode_u32(&c, got, 1500), 0));
        cr_assert(eq(int, memcmp(v, got, sizeof v), 0));
    }
    /* An int64 column holding 2^32 is not a valid id column. */
    int64_t big[3] = {1, (int64_t)1 << 32, 2};
    kiln_buf_reset(&b);
    cr_assert(eq(int, col_encode(&b, big, 3, KILN_COL_PLAIN), 0));
    cur_init(&c, b.data, b.len, "ids");
    cr_assert(eq(int, col_decode_u32(&c, got, 3), KILN_ECORRUPT));
    int64_t neg[2] = {-1, 5};
    kiln_buf_reset(&b);
    cr_assert(eq(int, col_encode(&b, neg, 2, KILN_COL_DELTA), 0));
    cur_init(&c, b.data, b.len, "ids");
    cr_assert(eq(int, col_decode_u32(&c, got, 2), KILN_ECORRUPT));
    kiln_buf_free(&b);
}

Test(format_column, bad_mode_and_width_are_corrupt)
{
    int64_t got[4];
    kiln_cur c;
    uint8_t mode2[] = {2, 0, 0};
    cur_init(&c, mode2, sizeof mode2, "column");
    cr_assert(eq(int, col_decode(&c, got, 4), KILN_ECORRUPT));
    uint8_t w65[] = {0, 0, 65};
    cur_init(&c, w65, sizeof w65, "column");
    cr_assert(eq(int, col_decode(&c, got, 4), KILN_ECORRUPT));
    /* width 8 for 4 values needs 4 packed bytes; give 3 */
    uint8_t *short_ = dup_exact("\x00\x00\x08\x01\x02\x03", 6);
    cur_init(&c, short_, 6, "column");
    cr_assert(eq(int, col_decode(&c, got, 4), KILN_ECORRUPT));
    free(short_);
}

Test(format_column, huge_n_with_wide_column_is_refused_before_reading)
{
    /* A forged n * width that overflows or exceeds the bytes left. */
    uint8_t p[] = {0, 0, 64, 1, 2, 3};
    kiln_cur c;
    int64_t got[1];
    cur_init(&c, p, sizeof p, "column");
    cr_assert(eq(int, col_decode(&c, got, SIZE_MAX / 2), KILN_ECORRUPT));
}

Test(format_column, random_garbage_never_crashes)
{
    uint64_t s = 5;
    int64_t got[300];
    for (int iter = 0; iter < 3000; iter++) {
        size_t len = rng_next(&s) % 64;
        uint8_t *p = malloc(len ? len : 1);
        for (size_t i = 0; i < len; i++)
            p[i] = (uint8_t)rng_next(&s);
        if (len > 0)
            p[0] &= 1; /* a valid mode, so the rest gets parsed */
        if (len > 2)
            p[2] %= 70;
        kiln_cur c;
        cur_init(&c, p, len, "column");
        int rc = col_decode(&c, got, rng_next(&s) % 300);
        cr_assert(rc == 0 || rc == KILN_ECORRUPT);
        free(p);
    }
}

Test(format_column, u32_frame_at_the_top_of_the_range)
{
    kiln_buf b = KILN_BUF_INIT;
    kiln_cur c;
    uint32_t got[3];

    /* A frame that reaches exactly 2^32 - 1 decodes. */
    int64_t top[3] = {UINT32_MAX - 1, UINT32_MAX, UINT32_MAX - 1};
    cr_assert(eq(int, col_encode(&b, top, 3, KILN_COL_PLAIN), 0));
    cur_init(&c, b.data, b.len, "ids");
    cr_assert(eq(int, col_decode_u32(&c, got, 3), 0));
    cr_assert(eq(u32, got[1], UINT32_MAX));
    cr_assert(eq(u32, got[2], UINT32_MAX - 1));
    /* Full 32-bit width from zero. */
    int64_t full[3] = {0, UINT32_MAX, 7};
    kiln_buf_reset(&b);
    cr_assert(eq(int, col_encode(&b, full, 3, KILN_COL_PLAIN), 0));
    cur_init(&c, b.data, b.len, "ids");
    cr_assert(eq(int, col_decode_u32(&c, got, 3), 0));
    cr_assert(eq(u32, got[1], UINT32_MAX));
    cr_assert(eq(u32, got[2], 7));
    /* A frame one past the top, with only in-range values, still decodes;
     * one value past it does not. */
    int64_t wide[3] = {UINT32_MAX - 2, UINT32_MAX, UINT32_MAX - 2};
    kiln_buf_reset(&b);
    cr_assert(eq(int, col_encode(&b, wide, 3, KILN_COL_PLAIN), 0));
    cur_init(&c, b.data, b.len, "ids");
    cr_assert(eq(int, col_decode_u32(&c, got, 3), 0));
    cr_assert(eq(u32, got[1], UINT32_MAX));
    int64_t over[3] = {UINT32_MAX - 1, (int64_t)UINT32_MAX + 1, UINT32_MAX};
    kiln_buf_reset(&b);
    cr_assert(eq(int, col_encode(&b, over, 3, KILN_COL_PLAIN), 0));
    cur_init(&c, b.data, b.len, "ids");
    cr_assert(eq(int, col_decode_u32(&c, got, 3), KILN_ECORRUPT));
    kiln_buf_free(&b);
}

Test(format_column, common_factor_is_divided_out_and_restored)
{
    uint64_t s = 77;
    for (int mode = 0; mode < 2; mode++) {
        for (unsigned w = 1; w <= 40; w += 3) {
            size_t n = 100 + w;
            int64_t *v = malloc(n * sizeof *v);
            int64_t acc = -5000000000LL;
            for (size_t i = 0; i < n; i++) {
                int64_t x = (int64_t)(rng_next(&s) & ((1ULL << w) - 1)) - (1LL << (w - 1));
                acc += x * 10000000; /* CPU time: samples x a 10 ms period */
                v[i] = mode ? acc : x * 10000000;
            }
            roundtrip(v, n, mode);
            free(v);
        }
    }
}

Test(format_column, scaled_encoding_is_used_when_it_narrows)
{
    kiln_buf b = KILN_BUF_INIT;
    int64_t v[4] = {10000000, 30000000, 0, 990000000};

    cr_assert(eq(int, col_encode(&b, v, 4, KILN_COL_PLAIN), 0));
    cr_assert(eq(u8, b.data[0], 0x02)); /* plain, scaled */
    /* mode, scale (3 bytes), min, width, 4 one-byte quantities */
    cr_assert(eq(sz, b.len, 1 + 4 + 1 + 1 + 4));
    roundtrip(v, 4, KILN_COL_PLAIN);
    roundtrip(v, 4, KILN_COL_DELTA);
    /* A factor that does not narrow the bytes is not used. */
    int64_t even[3] = {0, 2, 4};
    kiln_buf_reset(&b);
    cr_assert(eq(int, col_encode(&b, even, 3, KILN_COL_PLAIN), 0));
    cr_assert(eq(u8, b.data[0], 0x00));
    /* Extremes: 2^63 is never a scale; wrapping deltas stay exact. */
    int64_t ext[4] = {INT64_MIN, 0, INT64_MIN, 0};
    roundtrip(ext, 4, KILN_COL_PLAIN);
    roundtrip(ext, 4, KILN_COL_DELTA);
    int64_t big[3] = {INT64_MIN + 2, -4, INT64_MAX - 1};
    roundtrip(big, 3, KILN_COL_PLAIN);
    roundtrip(big, 3, KILN_COL_DELTA);
    kiln_buf_free(&b);
}

Test(format_column, scaled_u32_columns_decode_and_check_range)
{
    uint32_t v[6] = {0, 1000, 5000, 4294967000u, 3000, 1000}, got[6];
    kiln_buf b = KILN_BUF_INIT;
    kiln_cur c;

    for (int mode = 0; mode < 2; mode++) {
        kiln_buf_reset(&b);
        cr_assert(eq(int, col_encode_u32(&b, v, 6, mode), 0));
        cr_assert(eq(int, b.data[0] & 0x02, 0x02));
        cur_init(&c, b.data, b.len, "ids");
        cr_assert(eq(int, col_decode_u32(&c, got, 6), 0));
        cr_assert(eq(int, memcmp(got, v, sizeof v), 0));
    }
    /* A scale that pushes a value past 2^32 is corrupt: plain, scale 2^31,
     * min 0, width 8, quantities 1 and 2. */
    uint8_t bad[] = {0x02, 0x80, 0x80, 0x80, 0x80, 0x08, 0x00, 0x08, 0x01, 0x02};
    cur_init(&c, bad, sizeof bad, "ids");
    cr_assert(eq(int, col_decode_u32(&c, got, 2), KILN_ECORRUPT));
    /* Scale 1 (or 0) is not a valid scaled column. */
    uint8_t one[] = {0x02, 0x01, 0x00, 0x00};
    cur_init(&c, one, sizeof one, "ids");
    cr_assert(eq(int, col_decode_u32(&c, got, 2), KILN_ECORRUPT));
    kiln_buf_free(&b);
}
