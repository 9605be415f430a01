/* column.c: the one integer-column encoding of kiln (spec/columns.md):
 * optional deltas, an optional common factor, a frame of reference, and
 * values packed LSB first in a byte-aligned width. Decoding is on the query
 * hot path: it reads 64-bit words where the packed bytes allow and checks
 * the packed length once, up front. */
#include <stdlib.h>
#include <string.h>

#include "format_internal.h"

/* Mode bit: a uvarint scale follows the mode byte and every quantity is a
 * multiple of it (spec/columns.md). Set by the encoder on its own. */
#define KILN_COL_SCALED 0x02

/* Bits needed for x (0 for 0). */
static unsigned bit_width(uint64_t x)
{
    return x ? 64u - (unsigned)__builtin_clzll(x) : 0u;
}

/* Append n values already reduced by the frame (x - min), w bits each. */
static int pack(kiln_buf *out, const uint64_t *x, size_t n, unsigned w)
{
    size_t nbytes;
    uint8_t *p;
    uint64_t acc = 0;
    unsigned nb = 0; /* bits held in acc, < 64 */
    int rc;

    if (w == 0 || n == 0)
        return 0;
    if (n > (SIZE_MAX - 7) / w)
        return kiln_error_set(KILN_ENOMEM, "column: %zu values too many", n);
    nbytes = (n * w + 7) / 8;
    if ((rc = kiln_buf_reserve(out, nbytes + 8)) < 0)
        return rc;
    p = out->data + out->len;
    for (size_t i = 0; i < n; i++) {
        uint64_t v = x[i];
        acc |= v << nb;
        if (nb + w >= 64) {
            unsigned spill = nb + w - 64;
            set_u64le(p, acc);
            p += 8;
            acc = spill ? v >> (w - spill) : 0;
            nb = spill;
        } else {
            nb += w;
        }
    }
    while (nb > 0) {
        *p++ = (uint8_t)acc;
        acc >>= 8;
        nb = nb > 8 ? nb - 8 : 0;
    }
    out->len += nbytes;
    return 0;
}

/* Bits of x rounded up to whole bytes: byte-aligned quantities let zstd,
 * which runs over every column afterwards, see repeats (measured on a
 * generated fleet: samples 18 % smaller than exact bit widths). */
static unsigned byte_width(uint64_t x)
{
    return (bit_width(x) + 7) / 8 * 8;
}

static uint64_t magnitude(int64_t v)
{
    return v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
}

static uint64_t gcd(uint64_t a, uint64_t b)
{
    while (b) {
        uint64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* Shared encoder over a uint64 view of the values (two's complement). */
static int encode_u64(kiln_buf *out, const uint64_t *v, size_t n, int mode)
{
    uint64_t *q = NULL;
    size_t nq;
    int64_t min = 0, max = 0;
    uint64_t scale = 1, g = 0;
    unsigned w;
    int rc;

    if (mode != KILN_COL_PLAIN && mode != KILN_COL_DELTA)
        return kiln_error_set(KILN_EINVAL, "column: unknown mode %d", mode);
    /* The quantities: the values, or the n - 1 differences. */
    nq = mode == KILN_COL_DELTA && n > 0 ? n - 1 : (mode == KILN_COL_DELTA ? 0 : n);
    q = malloc((nq ? nq : 1) * sizeof *q);
    if (!q)
        return kiln_error_set(KILN_ENOMEM, "column: %zu values", n);
    for (size_t i = 0; i < nq; i++)
        q[i] = mode == KILN_COL_DELTA ? v[i + 1] - v[i] : v[i];
    if (nq > 0) {
        min = max = (int64_t)q[0];
        for (size_t i = 0; i < nq; i++) {
            int64_t x = (int64_t)q[i];
            if (x < min) min = x;
            if (x > max) max = x;
            if (g != 1)
                g = gcd(g, magnitude(x));
        }
    }
    w = byte_width((uint64_t)max - (uint64_t)min);
    /* A common factor (CPU time = samples x period) is divided out when
     * that makes the packed quantities narrower. */
    if (g >= 2 && g <= (uint64_t)INT64_MAX && w > 0 &&
        byte_width(((uint64_t)max - (uint64_t)min) / g) < w) {
        scale = g;
        for (size_t i = 0; i < nq; i++)
            q[i] = (uint64_t)((int64_t)q[i] / (int64_t)g);
        min /= (int64_t)g;
        max /= (int64_t)g;
        w = byte_width((uint64_t)max - (uint64_t)min);
    }
    uint8_t m = (uint8_t)(mode | (scale > 1 ? KILN_COL_SCALED : 0));
    if ((rc = put_u8(out, m)) < 0)
        goto out;
    if (scale > 1 && (rc = put_uvarint(out, scale)) < 0)
        goto out;
    if (mode == KILN_COL_DELTA && n > 0 &&
        (rc = put_svarint(out, (int64_t)v[0])) < 0)
        goto out;
    if ((rc = put_svarint(out, min)) < 0 ||
        (rc = put_u8(out, (uint8_t)w)) < 0)
        goto out;
    for (size_t i = 0; i < nq; i++)
        q[i] -= (uint64_t)min;
    rc = pack(out, q, nq, w);
out:
    free(q);
    return rc;
}

int col_encode(kiln_buf *out, const int64_t *v, size_t n, int mode)
{
    /* int64 and uint64 share representation; arithmetic is done unsigned. */
    return encode_u64(out, (const uint64_t *)(const void *)v, n, mode);
}

int col_encode_u32(kiln_buf *out, const uint32_t *v, size_t n, int mode)
{
    uint64_t *w = malloc((n ? n : 1) * sizeof *w);
    int rc;

    if (!w)
        return kiln_error_set(KILN_ENOMEM, "column: %zu values", n);
    for (size_t i = 0; i < n; i++)
        w[i] = v[i];
    rc = encode_u64(out, w, n, mode);
    free(w);
    return rc;
}

/* A parsed column head: what col_decode* need to unpack. */
typedef struct colhead {
    int mode;            /* KILN_COL_PLAIN or KILN_COL_DELTA */
    uint64_t scale;      /* common factor of the quantities, 1 if none */
    uint64_t first;      /* delta mode: the first value */
    uint64_t min;        /* frame of reference (two's complement) */
    unsigned w;          /* bit width, 0..64 */
    size_t count;        /* packed values: n, or n-1 in delta mode */
    const uint8_t *bits; /* packed bytes */
    size_t nbytes;       /* ceil(count*w/8), checked against the cursor */
} colhead;

static int read_head(kiln_cur *c, size_t n, colhead *h)
{
    uint64_t off = cur_off(c);
    uint8_t mode, w;
    int64_t v;
    int rc;

    if ((rc = get_u8(c, &mode)) < 0)
        return rc;
    if (mode & ~(KILN_COL_DELTA | KILN_COL_SCALED))
        return corrupt(c->what, off, "column: unknown mode");
    h->mode = mode & KILN_COL_DELTA;
    h->scale = 1;
    if (mode & KILN_COL_SCALED) {
        off = cur_off(c);
        if ((rc = get_uvarint(c, &h->scale)) < 0)
            return rc;
        if (h->scale < 2)
            return corrupt(c->what, off, "column: scale below 2");
    }
    h->first = 0;
    h->count = n;
    if (h->mode == KILN_COL_DELTA && n > 0) {
        if ((rc = get_svarint(c, &v)) < 0)
            return rc;
        h->first = (uint64_t)v;
        h->count = n - 1;
    }
    if ((rc = get_svarint(c, &v)) < 0)
        return rc;
    h->min = (uint64_t)v;
    off = cur_off(c);
    if ((rc = get_u8(c, &w)) < 0)
        return rc;
    if (w > 64)
        return corrupt(c->what, off, "column: bit width above 64");
    h->w = w;
    if (w && h->count > (SIZE_MAX - 7) / w)
        return corrupt(c->what, off, "column: packed size overflows");
    h->nbytes = (h->count * w + 7) / 8;
    if (h->nbytes > cur_left(c))
        return corrupt(c->what, cur_off(c), "column: truncated packed values");
    h->bits = c->p;
    c->p += h->nbytes;
    return 0;
}

/* Value i of the packed array; slow path, byte reads only, never past
 * nbytes (bits beyond the packed bytes read as zero). */
static uint64_t get_slow(const uint8_t *p, size_t nbytes, size_t i, unsigned w)
{
    uint64_t bit = (uint64_t)i * w, lo = 0, x;
    size_t byte = (size_t)(bit / 8);
    unsigned sh = (unsigned)(bit % 8);

    for (unsigned k = 0; k < 8 && byte + k < nbytes; k++)
        lo |= (uint64_t)p[byte + k] << (8 * k);
    x = lo >> sh;
    if (sh && byte + 8 < nbytes)
        x |= (uint64_t)p[byte + 8] << (64 - sh);
    return w == 64 ? x : x & ((1ULL << w) - 1);
}

/* Unpack count values into u64 out (value - min). Fast while an 8-byte
 * load (or two for w > 56) stays inside the packed bytes. */
static void unpack(const colhead *h, uint64_t *out)
{
    const uint8_t *p = h->bits;
    unsigned w = h->w;
    size_t i = 0, n = h->count;

    if (w == 0) {
        memset(out, 0, n * sizeof *out);
        return;
    }
    if (w == 8) {
        for (; i < n; i++) out[i] = p[i];
        return;
    }
    if (w == 16) {
        for (; i < n; i++) out[i] = (uint64_t)p[2 * i] | (uint64_t)p[2 * i + 1] << 8;
        return;
    }
    if (w == 32) {
        for (; i < n; i++) out[i] = load_u32le(p + 4 * i);
        return;
    }
    if (w == 64) {
        for (; i < n; i++) out[i] = load_u64le(p + 8 * i);
        return;
    }
    uint64_t mask = (1ULL << w) - 1;
    if (w <= 56) {
        /* One 8-byte load covers sh (<8) + w (<=56) bits. */
        for (; i < n; i++) {
            uint64_t bit = (uint64_t)i * w;
            size_t byte = (size_t)(bit >> 3);
            if (byte + 8 > h->nbytes)
                break;
            out[i] = (load_u64le(p + byte) >> (bit & 7)) & mask;
        }
    }
    for (; i < n; i++)
        out[i] = get_slow(p, h->nbytes, i, w);
}

/* Plain id columns whose whole frame [min, min + 2^w) fits in uint32 (the
 * common case: stack, label set and link ids of a page) unpack straight
 * into the output with no per-value check. w <= 32 here. */
static void unpack32(const colhead *h, uint32_t *out, uint32_t min)
{
    const uint8_t *p = h->bits;
    unsigned w = h->w;
    size_t i = 0, n = h->count;

    if (w == 0) {
        for (; i < n; i++) out[i] = min;
        return;
    }
    if (w == 8) {
        for (; i < n; i++) out[i] = min + p[i];
        return;
    }
    if (w == 16) {
        for (; i < n; i++) out[i] = min + ((uint32_t)p[2 * i] | (uint32_t)p[2 * i + 1] << 8);
        return;
    }
    uint64_t mask = w == 32 ? 0xffffffffULL : (1ULL << w) - 1;
    for (; i < n; i++) {
        uint64_t bit = (uint64_t)i * w;
        size_t byte = (size_t)(bit >> 3);
        if (byte + 8 > h->nbytes)
            break;
        out[i] = min + (uint32_t)((load_u64le(p + byte) >> (bit & 7)) & mask);
    }
    for (; i < n; i++)
        out[i] = min + (uint32_t)get_slow(p, h->nbytes, i, w);
}

/* Fill out[0..n) with the decoded values as uint64. */
static int decode_u64(kiln_cur *c, uint64_t *out, size_t n)
{
    colhead h;
    int rc;

    if ((rc = read_head(c, n, &h)) < 0)
        return rc;
    if (n == 0)
        return 0;
    if (h.mode == KILN_COL_PLAIN) {
        unpack(&h, out);
        if (h.scale == 1) {
            for (size_t i = 0; i < n; i++)
                out[i] += h.min;
        } else {
            for (size_t i = 0; i < n; i++)
                out[i] = (out[i] + h.min) * h.scale;
        }
        return 0;
    }
    unpack(&h, out + 1);
    out[0] = h.first;
    if (h.scale == 1) {
        for (size_t i = 1; i < n; i++)
            out[i] = out[i - 1] + out[i] + h.min;
    } else {
        for (size_t i = 1; i < n; i++)
            out[i] = out[i - 1] + (out[i] + h.min) * h.scale;
    }
    return 0;
}

int col_decode(kiln_cur *c, int64_t *v, size_t n)
{
    return decode_u64(c, (uint64_t *)(void *)v, n);
}

int col_decode_u32(kiln_cur *c, uint32_t *v, size_t n)
{
    uint64_t off = cur_off(c);
    uint64_t buf[512];
    colhead h;
    int rc;

    if ((rc = read_head(c, n, &h)) < 0)
        return rc;
    if (n == 0)
        return 0;
    if (h.mode == KILN_COL_PLAIN && h.scale == 1 && h.w <= 32 && h.min <= UINT32_MAX &&
        (h.w == 32 ? 0xffffffffULL : (1ULL << h.w) - 1) <= UINT32_MAX - h.min) {
        unpack32(&h, v, (uint32_t)h.min);
        return 0;
    }
    /* Unpack in chunks so no allocation is needed; check each value. */
    uint64_t prev = h.first;
    size_t done = 0;
    if (h.mode == KILN_COL_DELTA) {
        if (h.first > UINT32_MAX)
            return corrupt(c->what, off, "column: value outside uint32");
        v[0] = (uint32_t)h.first;
        done = 1;
    }
    colhead part = h;
    size_t k = 0; /* packed values consumed */
    while (k < h.count) {
        size_t m = h.count - k < 512 ? h.count - k : 512;
        /* k is a multiple of 512, so k*w bits is a whole byte offset. */
        part.bits = h.bits + (k * h.w) / 8;
        part.nbytes = h.nbytes - (k * h.w) / 8;
        part.count = m;
        unpack(&part, buf);
        for (size_t j = 0; j < m; j++) {
            uint64_t x = (buf[j] + h.min) * h.scale;
            if (h.mode == KILN_COL_DELTA)
                x += prev;
            if (x > UINT32_MAX)
                return corrupt(c->what, off, "column: value outside uint32");
            v[done++] = (uint32_t)x;
            prev = x;
        }
        k += m;
    }
    return 0;
}
