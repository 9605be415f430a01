/* pprof.c: gzip detection, bounded inflation (libdeflate) and deflation
 * (zlib) for pprof and OTLP input and pprof output. */
#include <string.h>

#include <libdeflate.h>
#include <zlib.h>

#include "format_internal.h"

int is_gzip(const void *p, size_t n)
{
    const uint8_t *b = p;

    return n >= 2 && b[0] == 0x1f && b[1] == 0x8b;
}

/* Whole-buffer inflation with libdeflate, 2-3x zlib's speed: inflation
 * was two thirds of ingest's CPU time. libdeflate wants the room for a
 * member's output up front: the first try gets the size the gzip trailer
 * claims (or 4x the input), a member that does not fit is inflated again
 * into twice the room, and no try gets more than max + 1 bytes, so a bomb
 * costs at most max bytes of memory and two passes over them. */
int gzip_inflate(const void *p, size_t n, size_t max, kiln_buf *out)
{
    const uint8_t *in = p;
    struct libdeflate_decompressor *d;
    size_t pos = 0; /* bytes of input consumed */
    int rc = 0;

    out->len = 0;
    if (n == 0)
        return kiln_error_set(KILN_EINPUT, "gzip: empty input");
    if (!(d = libdeflate_alloc_decompressor()))
        return nomem();
    while (pos < n) {
        /* A member starts here; trailing zero padding after a member is
         * tolerated as gzip(1) does. */
        if (pos > 0) {
            size_t k = pos;
            while (k < n && in[k] == 0)
                k++;
            if (k == n)
                break;
            if (!is_gzip(in + pos, n - pos)) {
                rc = kiln_error_set(KILN_EINPUT, "gzip: garbage after member "
                                    "at byte %zu", pos);
                goto out;
            }
        }
        /* ISIZE, the last four bytes: right for a single member. */
        size_t room = n >= 4 ? (size_t)in[n - 4] | (size_t)in[n - 3] << 8 |
                                   (size_t)in[n - 2] << 16 |
                                   (size_t)in[n - 1] << 24
                             : 0;
        if (room < 4 * (n - pos))
            room = 4 * (n - pos);
        for (;;) {
            size_t used_in = 0, used_out = 0;
            enum libdeflate_result r;

            if (room > max - out->len + 1)
                room = max - out->len + 1;
            if ((rc = buf_reserve_exact(out, room)) < 0)
                goto out;
            r = libdeflate_gzip_decompress_ex(d, in + pos, n - pos,
                                              out->data + out->len, room,
                                              &used_in, &used_out);
            if (r == LIBDEFLATE_SUCCESS) {
                if (out->len + used_out > max) {
                    rc = kiln_error_set(KILN_ELIMIT, "gzip: inflates past "
                                        "the %zu-byte limit", max);
                    goto out;
                }
                out->len += used_out;
                pos += used_in;
                break;
            }
            if (r != LIBDEFLATE_INSUFFICIENT_SPACE) {
                rc = kiln_error_set(KILN_EINPUT, "gzip: corrupt or truncated "
                                    "data in the member at byte %zu", pos);
                goto out;
            }
            if (room > max - out->len) {
                rc = kiln_error_set(KILN_ELIMIT, "gzip: inflates past the "
                                    "%zu-byte limit", max);
                goto out;
            }
            room = room > SIZE_MAX / 2 ? SIZE_MAX : room * 2;
        }
    }
out:
    libdeflate_free_decompressor(d);
    return rc;
}

int gzip_deflate(const void *p, size_t n, int level, kiln_buf *out)
{
    z_stream z;
    int rc = 0, zr;

    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, level, Z_DEFLATED, 16 + MAX_WBITS, 8,
                     Z_DEFAULT_STRATEGY) != Z_OK)
        return kiln_error_set(KILN_EINVAL, "gzip: bad level %d", level);
    if (n > UINT32_MAX) {
        rc = kiln_error_set(KILN_ELIMIT, "gzip: %zu bytes in one call", n);
        goto out;
    }
    size_t bound = deflateBound(&z, (uLong)n);
    if ((rc = kiln_buf_reserve(out, bound)) < 0)
        goto out;
    z.next_in = (Bytef *)p;
    z.avail_in = (uInt)n;
    z.next_out = out->data + out->len;
    z.avail_out = (uInt)bound;
    zr = deflate(&z, Z_FINISH);
    if (zr != Z_STREAM_END) {
        rc = kiln_error_set(KILN_EINVAL, "gzip: deflate failed (%d)", zr);
        goto out;
    }
    out->len += bound - z.avail_out;
out:
    deflateEnd(&z);
    return rc;
}
