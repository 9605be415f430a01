/* pprof.c: gzip detection, bounded inflation and deflation for pprof
 * input and output (zlib). The protobuf code itself is generated from
 * profile.proto by protoc-c at build time. */
#include <string.h>

#include <zlib.h>

#include "format_internal.h"

int is_gzip(const void *p, size_t n)
{
    const uint8_t *b = p;

    return n >= 2 && b[0] == 0x1f && b[1] == 0x8b;
}

int gzip_inflate(const void *p, size_t n, size_t max, kiln_buf *out)
{
    z_stream z;
    const uint8_t *in = p;
    size_t pos = 0; /* bytes of input consumed */
    int rc = 0, zr;

    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
        return kiln_error_set(KILN_ENOMEM, "gzip: cannot initialise zlib");
    out->len = 0;
    while (pos < n) {
        /* A member starts here; trailing zero padding after a member is
         * tolerated as gzip(1) does. */
        if (pos > 0) {
            size_t k = pos;
            while (k < n && in[k] == 0)
                k++;
            if (k == n)
                break;
            if ((zr = inflateReset(&z)) != Z_OK) {
                rc = kiln_error_set(KILN_EINPUT, "gzip: reset failed at byte %zu", pos);
                goto out;
            }
        }
        z.next_in = (Bytef *)(in + pos);
        z.avail_in = (uInt)((n - pos) > UINT32_MAX ? UINT32_MAX : n - pos);
        size_t start = pos;
        for (;;) {
            if (out->len >= max) {
                rc = kiln_error_set(KILN_ELIMIT,
                                    "gzip: inflates past the %zu-byte limit", max);
                goto out;
            }
            size_t room = out->cap - out->len;
            if (room < 65536) {
                size_t want = out->len < 65536 ? 65536 : out->len;
                if (want > max - out->len + 1)
                    want = max - out->len + 1;
                if ((rc = kiln_buf_reserve(out, want)) < 0)
                    goto out;
                room = out->cap - out->len;
            }
            if (room > max - out->len + 1)
                room = max - out->len + 1;
            if (room > UINT32_MAX)
                room = UINT32_MAX;
            z.next_out = out->data + out->len;
            z.avail_out = (uInt)room;
            zr = inflate(&z, Z_NO_FLUSH);
            out->len += room - z.avail_out;
            if (zr == Z_STREAM_END)
                break;
            if (out->len > max) {
                rc = kiln_error_set(KILN_ELIMIT,
                                    "gzip: inflates past the %zu-byte limit", max);
                goto out;
            }
            if (zr == Z_OK && z.avail_in == 0 && z.avail_out != 0) {
                zr = Z_BUF_ERROR; /* the input ended inside a member */
            }
            if (zr != Z_OK) {
                rc = kiln_error_set(KILN_EINPUT, "gzip: %s at byte %zu",
                                    zr == Z_BUF_ERROR ? "unexpected end of input"
                                    : z.msg ? z.msg : zError(zr),
                                    start + (size_t)((const uint8_t *)z.next_in - (in + start)));
                goto out;
            }
            if (z.avail_in == 0 && (size_t)(z.next_in - in) < n) {
                size_t used = (size_t)(z.next_in - in);
                z.avail_in = (uInt)((n - used) > UINT32_MAX ? UINT32_MAX : n - used);
            }
        }
        if (out->len > max) {
            rc = kiln_error_set(KILN_ELIMIT, "gzip: inflates past the %zu-byte limit", max);
            goto out;
        }
        pos = (size_t)(z.next_in - in);
        if (pos < n && !is_gzip(in + pos, n - pos)) {
            size_t k = pos;
            while (k < n && in[k] == 0)
                k++;
            if (k == n)
                break;
            rc = kiln_error_set(KILN_EINPUT, "gzip: garbage after member at byte %zu", pos);
            goto out;
        }
    }
    if (n == 0)
        rc = kiln_error_set(KILN_EINPUT, "gzip: empty input");
out:
    inflateEnd(&z);
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
