/* protowire.c: one field at a time of a protobuf message, by wire type only
 * (no schema). For the few places that must look at input bytes before
 * choosing how to decode them: the OTLP layout probe and the time peeks. */
#include "format_internal.h"

int pb_next(kiln_cur *c, kiln_pbfield *f)
{
    uint64_t key, n;
    int rc;

    if (c->p >= c->end)
        return KILN_ITEROVER;
    if ((rc = get_uvarint(c, &key)) < 0)
        return rc;
    if ((key >> 3) == 0 || (key >> 3) > 0x1fffffff)
        return corrupt(c->what, cur_off(c), "field number 0 or "
                            "beyond 2^29-1");
    f->num = (uint32_t)(key >> 3);
    f->wt = (uint8_t)(key & 7);
    f->v = 0;
    f->p = NULL;
    f->len = 0;
    switch (f->wt) {
    case KILN_PB_VARINT:
        return get_uvarint(c, &f->v);
    case KILN_PB_I64:
        return get_u64le(c, &f->v);
    case KILN_PB_LEN:
        if ((rc = get_uvarint(c, &n)) < 0)
            return rc;
        if (n > cur_left(c))
            return corrupt(c->what, cur_off(c), "length-delimited "
                                "field runs past the end");
        f->len = (size_t)n;
        return get_bytes(c, f->len, &f->p);
    case KILN_PB_I32: {
        uint32_t v;
        if ((rc = get_u32le(c, &v)) < 0)
            return rc;
        f->v = v;
        return 0;
    }
    default: /* 3 and 4 (groups) are deprecated; 6 and 7 do not exist */
        return corrupt(c->what, cur_off(c), "unsupported wire type");
    }
}

size_t pb_count_varints(const uint8_t *p, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += !(p[i] & 0x80);
    return n;
}
