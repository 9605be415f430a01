/* test_gzip.c: gzip detection, multi-member inflation, the output cap and
 * clear errors on damaged input. */
#include "fmt_test.h"

Test(format_gzip, roundtrip_and_concatenated_members)
{
    kiln_buf gz = KILN_BUF_INIT, out = KILN_BUF_INIT;
    char text[100000];
    uint64_t s = 1;

    for (size_t i = 0; i < sizeof text; i++)
        text[i] = "abcdefgh"[rng_next(&s) % 8];
    cr_assert(eq(int, gzip_deflate(text, sizeof text, 6, &gz), 0));
    size_t first = gz.len;
    cr_assert(eq(int, gzip_deflate("tail", 4, 1, &gz), 0));
    cr_assert(is_gzip(gz.data, gz.len));
    cr_assert(eq(int, gzip_inflate(gz.data, gz.len, KILN_MAX_INFLATE, &out), 0), "%s",
              kiln_error_last());
    cr_assert(eq(sz, out.len, sizeof text + 4));
    cr_assert(eq(int, memcmp(out.data, text, sizeof text), 0));
    cr_assert(eq(int, memcmp(out.data + sizeof text, "tail", 4), 0));
    /* One member alone. */
    cr_assert(eq(int, gzip_inflate(gz.data, first, KILN_MAX_INFLATE, &out), 0));
    cr_assert(eq(sz, out.len, sizeof text));
    kiln_buf_free(&gz);
    kiln_buf_free(&out);
}

Test(format_gzip, detection)
{
    cr_assert(is_gzip("\x1f\x8b\x08", 3));
    cr_assert(not(is_gzip("\x1f", 1)));
    cr_assert(not(is_gzip("\x0a\x8b", 2)));
}

Test(format_gzip, output_cap_is_elimit)
{
    kiln_buf gz = KILN_BUF_INIT, out = KILN_BUF_INIT;
    static char zeros[1 << 20];

    cr_assert(eq(int, gzip_deflate(zeros, sizeof zeros, 9, &gz), 0));
    cr_assert(eq(int, gzip_inflate(gz.data, gz.len, sizeof zeros - 1, &out), KILN_ELIMIT));
    cr_assert(eq(int, gzip_inflate(gz.data, gz.len, sizeof zeros, &out), 0));
    cr_assert(eq(sz, out.len, sizeof zeros));
    kiln_buf_free(&gz);
    kiln_buf_free(&out);
}

Test(format_gzip, truncation_and_garbage_are_einput)
{
    kiln_buf gz = KILN_BUF_INIT, out = KILN_BUF_INIT;
    const char *msg = "the quick brown fox jumps over the lazy dog";

    cr_assert(eq(int, gzip_deflate(msg, strlen(msg), 6, &gz), 0));
    for (size_t len = 0; len < gz.len; len++) {
        uint8_t *q = dup_exact(gz.data, len);
        cr_assert(eq(int, gzip_inflate(q, len, 1 << 20, &out), KILN_EINPUT), "len %zu", len);
        cr_assert(eq(int, strncmp(kiln_error_last(), "gzip: ", 6), 0));
        free(q);
    }
    /* A corrupted deflate stream or CRC. */
    uint8_t *q = dup_exact(gz.data, gz.len);
    q[gz.len - 6] ^= 0xff; /* inside the CRC32 */
    cr_assert(eq(int, gzip_inflate(q, gz.len, 1 << 20, &out), KILN_EINPUT));
    cr_assert(ne(ptr, strstr(kiln_error_last(), "at byte"), NULL), "%s", kiln_error_last());
    free(q);
    /* Not gzip at all. */
    cr_assert(eq(int, gzip_inflate("hello world", 11, 1 << 20, &out), KILN_EINPUT));
    /* Garbage after a member. */
    kiln_buf_append(&gz, "xyz", 3);
    cr_assert(eq(int, gzip_inflate(gz.data, gz.len, 1 << 20, &out), KILN_EINPUT));
    kiln_buf_free(&gz);
    kiln_buf_free(&out);
}
