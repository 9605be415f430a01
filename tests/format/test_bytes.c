/* test_bytes.c: varints, zigzag, little-endian helpers, the bounds-checked
 * cursor and the error message plumbing of format/. */
#include <stdio.h>

#include "fmt_test.h"

static void roundtrip_u(uint64_t v, size_t want_len)
{
    kiln_buf b = KILN_BUF_INIT;
    kiln_cur c;
    uint64_t got;

    cr_assert(eq(int, put_uvarint(&b, v), 0));
    cr_assert(eq(sz, b.len, want_len));
    uint8_t *p = dup_exact(b.data, b.len);
    cur_init(&c, p, b.len, "test");
    cr_assert(eq(int, get_uvarint(&c, &got), 0));
    cr_assert(eq(u64, got, v));
    cr_assert(eq(sz, cur_left(&c), 0));
    free(p);
    kiln_buf_free(&b);
}

Test(format_bytes, uvarint_roundtrips_at_every_length)
{
    roundtrip_u(0, 1);
    roundtrip_u(127, 1);
    roundtrip_u(128, 2);
    roundtrip_u(16383, 2);
    roundtrip_u(16384, 3);
    for (unsigned k = 1; k < 64; k++)
        roundtrip_u(1ULL << k, (size_t)(k / 7 + 1));
    roundtrip_u(UINT64_MAX, 10);
}

Test(format_bytes, svarint_uses_zigzag)
{
    static const int64_t vals[] = {0, -1, 1, -2, 63, -64, 64, INT64_MAX, INT64_MIN};
    static const uint64_t zz[] = {0, 1, 2, 3, 126, 127, 128, UINT64_MAX - 1, UINT64_MAX};
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        kiln_buf b = KILN_BUF_INIT;
        kiln_cur c;
        int64_t got;
        cr_assert(eq(u64, zigzag(vals[i]), zz[i]));
        cr_assert(eq(i64, unzigzag(zz[i]), vals[i]));
        cr_assert(eq(int, put_svarint(&b, vals[i]), 0));
        cur_init(&c, b.data, b.len, "test");
        cr_assert(eq(int, get_svarint(&c, &got), 0));
        cr_assert(eq(i64, got, vals[i]));
        kiln_buf_free(&b);
    }
}

Test(format_bytes, truncated_uvarint_is_corrupt_with_offset)
{
    uint8_t *p = dup_exact("\x05\xff\xff", 3);
    kiln_cur c;
    uint64_t v;

    cur_init(&c, p, 3, "section x");
    cr_assert(eq(int, get_uvarint(&c, &v), 0));
    cr_assert(eq(int, get_uvarint(&c, &v), KILN_ECORRUPT));
    cr_assert(eq(str, (char *)kiln_error_last(),
                 "section x: truncated uvarint at offset 1"));
    free(p);
}

Test(format_bytes, overlong_and_overflowing_uvarints_are_corrupt)
{
    /* 11 bytes of continuation. */
    uint8_t eleven[11];
    memset(eleven, 0x80, 10);
    eleven[10] = 0;
    kiln_cur c;
    uint64_t v;
    cur_init(&c, eleven, sizeof eleven, "t");
    cr_assert(eq(int, get_uvarint(&c, &v), KILN_ECORRUPT));
    /* Ten bytes whose last carries bits past 2^64. */
    uint8_t over[10];
    memset(over, 0xff, 9);
    over[9] = 0x02;
    cur_init(&c, over, sizeof over, "t");
    cr_assert(eq(int, get_uvarint(&c, &v), KILN_ECORRUPT));
    /* The largest legal one still decodes. */
    over[9] = 0x01;
    cur_init(&c, over, sizeof over, "t");
    cr_assert(eq(int, get_uvarint(&c, &v), 0));
    cr_assert(eq(u64, v, UINT64_MAX));
}

Test(format_bytes, fixed_width_reads_check_length)
{
    uint8_t *p = dup_exact("\x01\x02\x03\x04\x05\x06\x07", 7);
    kiln_cur c;
    uint32_t v32;
    uint64_t v64;
    uint8_t v8;

    cur_init(&c, p, 7, "t");
    cr_assert(eq(int, get_u64le(&c, &v64), KILN_ECORRUPT));
    cr_assert(eq(int, get_u32le(&c, &v32), 0));
    cr_assert(eq(u32, v32, 0x04030201u));
    cr_assert(eq(int, get_u32le(&c, &v32), KILN_ECORRUPT));
    cr_assert(eq(int, get_u8(&c, &v8), 0));
    cr_assert(eq(u8, v8, 5));
    free(p);
}

Test(format_bytes, little_endian_store_and_load)
{
    kiln_buf b = KILN_BUF_INIT;

    cr_assert(eq(int, put_u32le(&b, 0x11223344u), 0));
    cr_assert(eq(int, put_u64le(&b, 0x0102030405060708ULL), 0));
    static const uint8_t want[] = {0x44, 0x33, 0x22, 0x11, 8, 7, 6, 5, 4, 3, 2, 1};
    cr_assert(eq(sz, b.len, sizeof want));
    cr_assert(eq(int, memcmp(b.data, want, sizeof want), 0));
    cr_assert(eq(u64, load_u64le(b.data + 4), 0x0102030405060708ULL));
    kiln_buf_free(&b);
}

Test(format_bytes, count_above_max_names_the_field)
{
    uint8_t p[] = {0x2a};
    kiln_cur c;
    uint64_t v;

    cur_init(&c, p, 1, "footer");
    cr_assert(eq(int, get_count(&c, 41, "section count", &v), KILN_ECORRUPT));
    cr_assert(eq(str, (char *)kiln_error_last(),
                 "footer: section count 42 exceeds 41 at offset 0"));
    cur_init(&c, p, 1, "footer");
    cr_assert(eq(int, get_count(&c, 42, "section count", &v), 0));
    cr_assert(eq(u64, v, 42));
}

Test(format_bytes, blob_length_past_end_is_corrupt)
{
    uint8_t *p = dup_exact("\x04" "abc", 4);
    kiln_cur c;
    const uint8_t *q;
    size_t n;

    cur_init(&c, p, 4, "t");
    cr_assert(eq(int, get_blob(&c, &q, &n), KILN_ECORRUPT));
    p[0] = 3;
    cur_init(&c, p, 4, "t");
    cr_assert(eq(int, get_blob(&c, &q, &n), 0));
    cr_assert(eq(sz, n, 3));
    cr_assert(eq(int, memcmp(q, "abc", 3), 0));
    free(p);
}

Test(format_bytes, error_set_wrap_and_clear)
{
    cr_assert(eq(int, kiln_error_set(KILN_ECHECKSUM, "section %s: bad", "samples"),
                 KILN_ECHECKSUM));
    cr_assert(eq(int, kiln_error_wrap(KILN_ECHECKSUM, "block %s: ", "01AB"),
                 KILN_ECHECKSUM));
    cr_assert(eq(str, (char *)kiln_error_last(), "block 01AB: section samples: bad"));
    kiln_error_clear();
    cr_assert(eq(str, (char *)kiln_error_last(), ""));
    kiln_error_wrap(KILN_EIO, "store: ");
    cr_assert(eq(str, (char *)kiln_error_last(), "store: I/O error"));
    cr_assert(eq(str, (char *)kiln_strerror(KILN_ECORRUPT), "corrupt block"));
    cr_assert(eq(str, (char *)kiln_strerror(-999), "unknown error"));
}

Test(format_bytes, long_messages_are_truncated_not_overflowed)
{
    char big[3000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    kiln_error_set(KILN_EINVAL, "%s", big);
    cr_assert(lt(sz, strlen(kiln_error_last()), sizeof big - 1));
    kiln_error_wrap(KILN_EINVAL, "%s", big);
    cr_assert(lt(sz, strlen(kiln_error_last()), sizeof big - 1));
}

Test(format_bytes, buffer_grows_and_resets)
{
    kiln_buf b = KILN_BUF_INIT;

    for (int i = 0; i < 10000; i++)
        cr_assert(eq(int, put_u8(&b, (uint8_t)i), 0));
    cr_assert(eq(sz, b.len, 10000));
    cr_assert(eq(u8, b.data[9999], (uint8_t)9999));
    kiln_buf_reset(&b);
    cr_assert(eq(sz, b.len, 0));
    cr_assert(ge(sz, b.cap, 10000));
    kiln_buf_free(&b);
    cr_assert(eq(ptr, b.data, NULL));
    cr_assert(eq(sz, b.cap, 0));
}
