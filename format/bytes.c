/* bytes.c: growable buffers, little-endian integers, LEB128 varints and the
 * bounds-checked cursor every decoder reads through (spec/README.md,
 * "Conventions"). Nothing here trusts a length it has not checked. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "format_internal.h"

int kiln_buf_reserve(kiln_buf *b, size_t extra)
{
    size_t need, cap;
    uint8_t *p;

    if (extra > SIZE_MAX - b->len)
        return kiln_error_set(KILN_ENOMEM, "buffer: size overflow");
    need = b->len + extra;
    if (need <= b->cap)
        return 0;
    cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    p = realloc(b->data, cap);
    if (!p)
        return kiln_error_set(KILN_ENOMEM, "buffer: cannot grow to %zu bytes",
                              cap);
    b->data = p;
    b->cap = cap;
    return 0;
}

int buf_reserve_exact(kiln_buf *b, size_t extra)
{
    uint8_t *p;

    if (extra > SIZE_MAX - b->len)
        return kiln_error_set(KILN_ENOMEM, "buffer: size overflow");
    if (b->len + extra <= b->cap)
        return 0;
    if (!(p = realloc(b->data, b->len + extra)))
        return kiln_error_set(KILN_ENOMEM, "buffer: cannot grow to %zu bytes",
                              b->len + extra);
    b->data = p;
    b->cap = b->len + extra;
    return 0;
}

int kiln_buf_append(kiln_buf *b, const void *p, size_t n)
{
    int rc;

    if (n == 0)
        return 0;
    if ((rc = kiln_buf_reserve(b, n)) < 0)
        return rc;
    memcpy(b->data + b->len, p, n);
    b->len += n;
    return 0;
}

void kiln_buf_reset(kiln_buf *b)
{
    b->len = 0;
}

void kiln_buf_free(kiln_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

int put_u8(kiln_buf *b, uint8_t v)
{
    return kiln_buf_append(b, &v, 1);
}

int put_u32le(kiln_buf *b, uint32_t v)
{
    uint8_t t[4];

    set_u32le(t, v);
    return kiln_buf_append(b, t, 4);
}

int put_u64le(kiln_buf *b, uint64_t v)
{
    uint8_t t[8];

    set_u64le(t, v);
    return kiln_buf_append(b, t, 8);
}

int put_uvarint(kiln_buf *b, uint64_t v)
{
    uint8_t t[10];
    size_t n = 0;

    while (v >= 0x80) {
        t[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    t[n++] = (uint8_t)v;
    return kiln_buf_append(b, t, n);
}

int put_svarint(kiln_buf *b, int64_t v)
{
    return put_uvarint(b, zigzag(v));
}

int put_blob(kiln_buf *b, const void *p, size_t n)
{
    int rc;

    if ((rc = put_uvarint(b, n)) < 0)
        return rc;
    return kiln_buf_append(b, p, n);
}

void cur_init(kiln_cur *c, const void *p, size_t n, const char *what)
{
    static const uint8_t empty[1];

    if (!p) { /* an empty buffer (NULL + 0 would be undefined) */
        assert(n == 0);
        p = empty;
        n = 0;
    }
    c->p = p;
    c->base = p;
    c->end = c->p + n;
    c->what = what;
}

int get_u8(kiln_cur *c, uint8_t *v)
{
    if (c->p >= c->end)
        return corrupt(c->what, cur_off(c), "truncated u8");
    *v = *c->p++;
    return 0;
}

int get_u32le(kiln_cur *c, uint32_t *v)
{
    if (cur_left(c) < 4)
        return corrupt(c->what, cur_off(c), "truncated u32");
    *v = load_u32le(c->p);
    c->p += 4;
    return 0;
}

int get_u64le(kiln_cur *c, uint64_t *v)
{
    if (cur_left(c) < 8)
        return corrupt(c->what, cur_off(c), "truncated u64");
    *v = load_u64le(c->p);
    c->p += 8;
    return 0;
}

int get_uvarint(kiln_cur *c, uint64_t *v)
{
    const uint8_t *p = c->p;
    uint64_t x = 0;
    unsigned shift = 0;

    for (int i = 0; i < 10; i++) {
        if (p >= c->end)
            return corrupt(c->what, cur_off(c), "truncated uvarint");
        uint8_t b = *p++;
        if (i == 9 && b > 1) /* bits past the 64th */
            return corrupt(c->what, cur_off(c), "uvarint overflows 64 bits");
        x |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *v = x;
            c->p = p;
            return 0;
        }
        shift += 7;
    }
    return corrupt(c->what, cur_off(c), "uvarint longer than 10 bytes");
}

int get_svarint(kiln_cur *c, int64_t *v)
{
    uint64_t u;
    int rc;

    if ((rc = get_uvarint(c, &u)) < 0)
        return rc;
    *v = unzigzag(u);
    return 0;
}

int get_count(kiln_cur *c, uint64_t max, const char *field, uint64_t *v)
{
    uint64_t off = cur_off(c);
    uint64_t x;
    int rc;

    if ((rc = get_uvarint(c, &x)) < 0)
        return rc;
    if (x > max)
        return kiln_error_set(KILN_ECORRUPT,
                              "%s: %s %llu exceeds %llu at offset %llu",
                              c->what ? c->what : "block", field,
                              (unsigned long long)x, (unsigned long long)max,
                              (unsigned long long)off);
    *v = x;
    return 0;
}

int get_bytes(kiln_cur *c, size_t n, const uint8_t **p)
{
    if (cur_left(c) < n)
        return corrupt(c->what, cur_off(c), "truncated bytes");
    *p = c->p;
    c->p += n;
    return 0;
}

int get_blob(kiln_cur *c, const uint8_t **p, size_t *n)
{
    uint64_t off = cur_off(c);
    uint64_t len;
    int rc;

    if ((rc = get_uvarint(c, &len)) < 0)
        return rc;
    if (len > cur_left(c))
        return corrupt(c->what, off, "blob length past the end");
    *p = c->p;
    *n = (size_t)len;
    c->p += len;
    return 0;
}
