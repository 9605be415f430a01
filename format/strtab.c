/* strtab.c: interned byte strings (id 0 = ""), the string table of the
 * symbols and series sections (spec/symbols.md). A decoded table carries
 * no hash index: readers index by id; lookups on it scan linearly, and the
 * first intern into it builds the index (see reindex). */
#include <stdlib.h>
#include <string.h>

#include "format_internal.h"

/* Strings are at most 4 GiB - 1 (len is uint32), tables at most 2^32 - 1. */

typedef struct strkey {
    const void *s;
    size_t n;
} strkey;

static bool str_eq(const void *ctx, uint32_t id, const void *key)
{
    const kiln_strtab *t = ctx;
    const strkey *k = key;

    return t->len[id] == k->n &&
           memcmp(t->pool.data + t->off[id], k->s, k->n) == 0;
}

static int grow_ids(kiln_strtab *t)
{
    size_t cap = t->cap ? t->cap * 2 : 64;
    uint64_t *off = realloc(t->off, cap * sizeof *off);

    if (!off)
        return kiln_error_set(KILN_ENOMEM, "string table: %zu ids", cap);
    t->off = off;
    uint32_t *len = realloc(t->len, cap * sizeof *len);
    if (!len)
        return kiln_error_set(KILN_ENOMEM, "string table: %zu ids", cap);
    t->len = len;
    t->cap = cap;
    return 0;
}

/* Append without interning (strtab_intern after its lookup; pprof's
 * positional tables directly, which have no index). */
int strtab_append(kiln_strtab *t, const void *s, size_t n)
{
    int rc;

    if (n > UINT32_MAX - 1)
        return kiln_error_set(KILN_ELIMIT, "string table: string of %zu bytes",
                              n);
    if (t->n >= UINT32_MAX)
        return kiln_error_set(KILN_ELIMIT, "string table: too many strings");
    if (t->n == t->cap && (rc = grow_ids(t)) < 0)
        return rc;
    if ((rc = kiln_buf_reserve(&t->pool, n + 1)) < 0)
        return rc;
    t->off[t->n] = t->pool.len;
    t->len[t->n] = (uint32_t)n;
    if (n)
        memcpy(t->pool.data + t->pool.len, s, n);
    t->pool.data[t->pool.len + n] = '\0';
    t->pool.len += n + 1;
    t->n++;
    return 0;
}

int strtab_init(kiln_strtab *t)
{
    uint32_t id;

    memset(t, 0, sizeof *t);
    int rc = strtab_intern(t, "", 0, &id);
    if (rc < 0)
        strtab_free(t); /* a failed init leaves nothing to free */
    return rc;
}

void strtab_free(kiln_strtab *t)
{
    if (!t)
        return;
    kiln_buf_free(&t->pool);
    free(t->off);
    free(t->len);
    htab_free(&t->index);
    memset(t, 0, sizeof *t);
}

/* Build the index of a decoded table (which has none: cap 0). Once built,
 * every append also inserts, so it stays complete; duplicate strings of a
 * decoded table (allowed, if not written by kiln) map to their first id. */
static int reindex(kiln_strtab *t)
{
    uint32_t id;
    size_t slot;
    int rc;

    if (t->index.cap != 0 || t->n == 0)
        return 0;
    for (size_t i = 0; i < t->n; i++) {
        strkey k = {t->pool.data + t->off[i], t->len[i]};
        uint64_t h = hash64(k.s, k.n, 0);
        rc = htab_find(&t->index, h, str_eq, t, &k, &id, &slot);
        if (rc < 0)
            return rc;
        if (rc == 0 && (rc = htab_insert(&t->index, h, slot,
                                              (uint32_t)i)) < 0)
            return rc;
    }
    return 0;
}

int strtab_intern(kiln_strtab *t, const void *s, size_t n, uint32_t *id)
{
    strkey k = {s, n};
    uint64_t h = hash64(s, n, 0);
    size_t slot;
    int rc;

    if ((rc = reindex(t)) < 0)
        return rc;
    rc = htab_find(&t->index, h, str_eq, t, &k, id, &slot);
    if (rc != 0)
        return rc < 0 ? rc : 0;
    if ((rc = strtab_append(t, s, n)) < 0)
        return rc;
    *id = (uint32_t)(t->n - 1);
    return htab_insert(&t->index, h, slot, *id);
}

int strtab_lookup(const kiln_strtab *t, const void *s, size_t n,
                       uint32_t *id)
{
    strkey k = {s, n};

    if (t->index.cap == 0) {
        for (size_t i = 0; i < t->n; i++) {
            if (str_eq(t, (uint32_t)i, &k)) {
                *id = (uint32_t)i;
                return 1;
            }
        }
        return 0;
    }
    uint64_t h = hash64(s, n, 0);
    h = h ? h : 1;
    size_t mask = t->index.cap - 1, i = (size_t)h & mask;
    while (t->index.hashes[i]) {
        if (t->index.hashes[i] == h && str_eq(t, t->index.ids[i], &k)) {
            *id = t->index.ids[i];
            return 1;
        }
        i = (i + 1) & mask;
    }
    return 0;
}

int strtab_encode(const kiln_strtab *t, kiln_buf *out)
{
    int rc;

    if ((rc = put_uvarint(out, t->n)) < 0)
        return rc;
    for (size_t i = 1; i < t->n; i++)
        if ((rc = put_uvarint(out, t->len[i])) < 0)
            return rc;
    for (size_t i = 1; i < t->n; i++)
        if ((rc = kiln_buf_append(out, t->pool.data + t->off[i], t->len[i])) < 0)
            return rc;
    return 0;
}

int strtab_decode(kiln_strtab *t, kiln_cur *c)
{
    uint64_t count, total = 0, off;
    uint32_t *lens = NULL;
    const uint8_t *bytes;
    int rc;

    memset(t, 0, sizeof *t);
    off = cur_off(c);
    /* Each length takes at least one byte: count - 1 <= bytes left. */
    if ((rc = get_count(c, (uint64_t)cur_left(c) + 1,
                             "string count", &count)) < 0)
        goto out;
    if (count == 0) {
        rc = corrupt(c->what, off, "string table without the empty string");
        goto out;
    }
    if (count > UINT32_MAX) {
        rc = corrupt(c->what, off, "string count above 2^32-1");
        goto out;
    }
    lens = malloc(count * sizeof *lens);
    if (!lens) {
        rc = kiln_error_set(KILN_ENOMEM, "string table: %llu strings",
                            (unsigned long long)count);
        goto out;
    }
    lens[0] = 0;
    for (uint64_t i = 1; i < count; i++) {
        uint64_t len;
        if ((rc = get_count(c, cur_left(c), "string length", &len)) < 0)
            goto out;
        lens[i] = (uint32_t)len;
        total += len;
        if (total > cur_left(c)) {
            rc = corrupt(c->what, cur_off(c),
                              "string bytes past the end");
            goto out;
        }
    }
    if ((rc = get_bytes(c, (size_t)total, &bytes)) < 0)
        goto out;
    t->cap = (size_t)count;
    t->off = malloc(count * sizeof *t->off);
    t->len = lens;
    lens = NULL;
    if (!t->off || (rc = kiln_buf_reserve(&t->pool, (size_t)(total + count))) < 0) {
        rc = kiln_error_set(KILN_ENOMEM, "string table: %llu bytes",
                            (unsigned long long)total);
        goto out;
    }
    for (uint64_t i = 0; i < count; i++) {
        t->off[i] = t->pool.len;
        memcpy(t->pool.data + t->pool.len, bytes, t->len[i]);
        t->pool.data[t->pool.len + t->len[i]] = '\0';
        t->pool.len += (size_t)t->len[i] + 1;
        bytes += t->len[i];
    }
    t->n = (size_t)count;
    rc = 0;
out:
    free(lens);
    if (rc < 0)
        strtab_free(t);
    return rc;
}
