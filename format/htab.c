/* htab.c: the open-addressing hash index used to intern strings, symbols,
 * stack nodes and series. It stores only (hash, id) pairs; the caller's
 * arrays hold the entries and its callback decides equality. */
#include <stdlib.h>

#include <xxhash.h>

#include "format_internal.h"

#define MIN_CAP 16

uint64_t hash64(const void *p, size_t n, uint64_t seed)
{
    return XXH64(p, n, seed);
}

static uint64_t fix(uint64_t h)
{
    return h ? h : 1; /* 0 marks an empty slot */
}

static int grow(kiln_htab *h)
{
    size_t cap = h->cap ? h->cap * 2 : MIN_CAP;
    uint64_t *hs = calloc(cap, sizeof *hs);
    uint32_t *ids = malloc(cap * sizeof *ids);

    if (!hs || !ids) {
        free(hs);
        free(ids);
        return kiln_error_set(KILN_ENOMEM, "hash index: cannot grow to %zu slots",
                              cap);
    }
    for (size_t i = 0; i < h->cap; i++) {
        if (!h->hashes[i])
            continue;
        size_t j = (size_t)h->hashes[i] & (cap - 1);
        while (hs[j])
            j = (j + 1) & (cap - 1);
        hs[j] = h->hashes[i];
        ids[j] = h->ids[i];
    }
    free(h->hashes);
    free(h->ids);
    h->hashes = hs;
    h->ids = ids;
    h->cap = cap;
    return 0;
}

int htab_find(kiln_htab *h, uint64_t hash, kiln_htab_eq eq,
                   const void *ctx, const void *key, uint32_t *id,
                   size_t *slot)
{
    int rc;

    hash = fix(hash);
    /* Keep load under 5/8 counting the slot this miss may fill. */
    if ((h->n + 1) * 8 > h->cap * 5) {
        if ((rc = grow(h)) < 0)
            return rc;
    }
    size_t mask = h->cap - 1, i = (size_t)hash & mask;
    while (h->hashes[i]) {
        if (h->hashes[i] == hash && eq(ctx, h->ids[i], key)) {
            *id = h->ids[i];
            return 1;
        }
        i = (i + 1) & mask;
    }
    *slot = i;
    return 0;
}

int htab_insert(kiln_htab *h, uint64_t hash, size_t slot, uint32_t id)
{
    if (slot >= h->cap || h->hashes[slot])
        return kiln_error_set(KILN_EINVAL, "hash index: slot %zu not reserved",
                              slot);
    h->hashes[slot] = fix(hash);
    h->ids[slot] = id;
    h->n++;
    return 0;
}

void htab_free(kiln_htab *h)
{
    free(h->hashes);
    free(h->ids);
    h->hashes = NULL;
    h->ids = NULL;
    h->cap = 0;
    h->n = 0;
}
