/* stacks.c: the stacks section (spec/stacks.md), a prefix tree stored as a
 * parent-pointer array so shared caller prefixes are stored once and a
 * whole stack is one integer (its leaf node id) in a sample row. */
#include <stdlib.h>
#include <string.h>

#include "format_internal.h"

#define MAX_NODES (1u << 28) /* spec/stacks.md, "Limits" */

typedef struct nodekey {
    uint32_t parent, loc;
} nodekey;

static uint64_t hash_node(uint32_t parent, uint32_t loc)
{
    uint64_t k = (uint64_t)parent << 32 | loc;

    return kiln_hash(&k, sizeof k, 5);
}

static bool node_eq(const void *ctx, uint32_t id, const void *key)
{
    const kiln_stacks *t = ctx;
    const nodekey *k = key;

    return t->parent[id] == k->parent && t->loc[id] == k->loc;
}

static int grow(kiln_stacks *t, size_t need)
{
    size_t cap = t->cap ? t->cap : 64;

    while (cap < need)
        cap *= 2;
    if (cap == t->cap)
        return 0;
    uint32_t *p = realloc(t->parent, cap * sizeof *p);
    if (!p)
        return kiln_error_set(KILN_ENOMEM, "stacks: %zu nodes", cap);
    t->parent = p;
    uint32_t *l = realloc(t->loc, cap * sizeof *l);
    if (!l)
        return kiln_error_set(KILN_ENOMEM, "stacks: %zu nodes", cap);
    t->loc = l;
    t->cap = cap;
    return 0;
}

int kiln_stacks_init(kiln_stacks *t)
{
    int rc;

    memset(t, 0, sizeof *t);
    if ((rc = grow(t, 1)) < 0) {
        kiln_stacks_free(t); /* a failed init leaves nothing to free */
        return rc;
    }
    t->parent[0] = 0;
    t->loc[0] = 0;
    t->n = 1;
    return 0;
}

void kiln_stacks_free(kiln_stacks *t)
{
    if (!t)
        return;
    free(t->parent);
    free(t->loc);
    kiln_htab_free(&t->index);
    memset(t, 0, sizeof *t);
}

int kiln_stacks_reindex(kiln_stacks *t)
{
    uint32_t id;
    size_t slot;
    int rc;

    kiln_htab_free(&t->index);
    for (size_t i = 1; i < t->n; i++) {
        nodekey k = {t->parent[i], t->loc[i]};
        uint64_t h = hash_node(k.parent, k.loc);
        rc = kiln_htab_find(&t->index, h, node_eq, t, &k, &id, &slot);
        if (rc < 0)
            return rc;
        if (rc == 0 && (rc = kiln_htab_insert(&t->index, h, slot, (uint32_t)i)) < 0)
            return rc;
    }
    return 0;
}

int kiln_stacks_child(kiln_stacks *t, uint32_t parent, uint32_t loc,
                      uint32_t *node)
{
    nodekey k = {parent, loc};
    uint64_t h = hash_node(parent, loc);
    size_t slot;
    int rc;

    if (parent >= t->n)
        return kiln_error_set(KILN_EINVAL, "stacks: parent %u out of range", parent);
    /* A decoded tree has no index (cap 0); once built, each append keeps
     * it complete. */
    if (t->n > 1 && t->index.cap == 0 && (rc = kiln_stacks_reindex(t)) < 0)
        return rc;
    rc = kiln_htab_find(&t->index, h, node_eq, t, &k, node, &slot);
    if (rc != 0)
        return rc < 0 ? rc : 0;
    if (t->n >= MAX_NODES)
        return kiln_error_set(KILN_ELIMIT, "stacks: more than %u nodes", MAX_NODES);
    if ((rc = grow(t, t->n + 1)) < 0)
        return rc;
    t->parent[t->n] = parent;
    t->loc[t->n] = loc;
    *node = (uint32_t)t->n++;
    return kiln_htab_insert(&t->index, h, slot, *node);
}

int kiln_stacks_encode(const kiln_stacks *t, kiln_buf *out)
{
    size_t n = t->n ? t->n - 1 : 0;
    uint32_t *d = malloc((n ? n : 1) * sizeof *d);
    int rc;

    if (!d)
        return kiln_error_set(KILN_ENOMEM, "stacks: encode %zu nodes", n);
    if ((rc = kiln_put_uvarint(out, t->n ? t->n : 1)) < 0)
        goto out;
    for (size_t i = 1; i <= n; i++)
        d[i - 1] = (uint32_t)i - t->parent[i];
    if ((rc = kiln_col_encode_u32(out, d, n, KILN_COL_PLAIN)) < 0)
        goto out;
    if ((rc = kiln_col_encode_u32(out, n ? t->loc + 1 : d, n, KILN_COL_PLAIN)) < 0)
        goto out;
out:
    free(d);
    return rc;
}

int kiln_stacks_decode(kiln_stacks *t, const void *p, size_t n,
                       size_t nlocations)
{
    kiln_cur c;
    uint64_t cnt, off;
    int rc;

    memset(t, 0, sizeof *t);
    kiln_cur_init(&c, p, n, "section stacks");
    off = kiln_cur_off(&c);
    if ((rc = kiln_get_count(&c, MAX_NODES, "node count", &cnt)) < 0)
        goto out;
    if (cnt == 0) {
        rc = kiln_corrupt(c.what, off, "no root node");
        goto out;
    }
    if ((rc = grow(t, (size_t)cnt)) < 0)
        goto out;
    t->parent[0] = 0;
    t->loc[0] = 0;
    off = kiln_cur_off(&c);
    if ((rc = kiln_col_decode_u32(&c, t->parent + 1, (size_t)cnt - 1)) < 0)
        goto out;
    for (uint32_t i = 1; i < cnt; i++) {
        uint32_t d = t->parent[i];
        if (d == 0 || d > i) {
            rc = kiln_error_set(KILN_ECORRUPT,
                                "%s: node %u has parent distance %u (must be 1..%u) in column at offset %llu",
                                c.what, i, d, i, (unsigned long long)off);
            goto out;
        }
        t->parent[i] = i - d;
    }
    off = kiln_cur_off(&c);
    if ((rc = kiln_col_decode_u32(&c, t->loc + 1, (size_t)cnt - 1)) < 0)
        goto out;
    for (uint32_t i = 1; i < cnt; i++) {
        if (t->loc[i] >= nlocations) {
            rc = kiln_error_set(KILN_ECORRUPT,
                                "%s: node %u has location %u of %zu in column at offset %llu",
                                c.what, i, t->loc[i], nlocations,
                                (unsigned long long)off);
            goto out;
        }
    }
    if (kiln_cur_left(&c) != 0) {
        rc = kiln_corrupt(c.what, kiln_cur_off(&c), "trailing bytes");
        goto out;
    }
    t->n = (size_t)cnt;
    rc = 0;
out:
    if (rc < 0)
        kiln_stacks_free(t);
    return rc;
}
