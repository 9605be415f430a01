/* stacks.c: the stacks section (spec/stacks.md), a prefix tree stored as a
 * parent-pointer array so shared caller prefixes are stored once and a
 * whole stack is one integer (its leaf node id) in a sample row. */
#include <stdlib.h>
#include <string.h>

#include "format_internal.h"

#define MAX_NODES (1u << 28) /* spec/stacks.md, "Limits" */

/* The (parent, loc) -> node index: open addressing, one 16-byte slot per
 * entry so a lookup costs one cache line (it was the writer's own index;
 * every table that interns stacks - a block being written, a query's call
 * tree, a merge's output - now uses this one). */
static int idx_grow(kiln_stacks *t)
{
    size_t cap = t->idxcap ? t->idxcap * 2 : 1024;
    kiln_stack_slot *n = calloc(cap, sizeof *n);

    if (!n)
        return kiln_error_set(KILN_ENOMEM, "stacks: index of %zu slots", cap);
    for (size_t i = 0; i < t->idxcap; i++) {
        if (!t->idx[i].key)
            continue;
        size_t j = (size_t)hash_mix64(t->idx[i].key) & (cap - 1);
        while (n[j].key)
            j = (j + 1) & (cap - 1);
        n[j] = t->idx[i];
    }
    free(t->idx);
    t->idx = n;
    t->idxcap = cap;
    return 0;
}

/* The slot of key, or the empty slot where it goes (the table has room). */
static size_t idx_slot(const kiln_stacks *t, uint64_t key)
{
    size_t mask = t->idxcap - 1, i = (size_t)hash_mix64(key) & mask;

    while (t->idx[i].key && t->idx[i].key != key)
        i = (i + 1) & mask;
    return i;
}

static inline uint64_t node_key(uint32_t parent, uint32_t loc)
{
    return ((uint64_t)parent << 32 | loc) + 1;
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

int stacks_init(kiln_stacks *t)
{
    int rc;

    memset(t, 0, sizeof *t);
    if ((rc = grow(t, 1)) < 0) {
        stacks_free(t); /* a failed init leaves nothing to free */
        return rc;
    }
    t->parent[0] = 0;
    t->loc[0] = 0;
    t->n = 1;
    return 0;
}

void stacks_free(kiln_stacks *t)
{
    if (!t)
        return;
    free(t->parent);
    free(t->loc);
    free(t->idx);
    memset(t, 0, sizeof *t);
}

int stacks_reindex(kiln_stacks *t)
{
    int rc;

    free(t->idx);
    t->idx = NULL;
    t->idxcap = 0;
    t->nindexed = 0;
    while ((t->n + 1) * 8 > t->idxcap * 5)
        if ((rc = idx_grow(t)) < 0)
            return rc;
    for (size_t i = 1; i < t->n; i++) {
        uint64_t key = node_key(t->parent[i], t->loc[i]);
        size_t s = idx_slot(t, key);
        if (!t->idx[s].key) {
            t->idx[s].key = key;
            t->idx[s].node = (uint32_t)i;
        }
    }
    t->nindexed = t->n;
    return 0;
}

int stacks_child(kiln_stacks *t, uint32_t parent, uint32_t loc,
                      uint32_t *node)
{
    uint64_t key = node_key(parent, loc);
    size_t s;
    int rc;

    if (parent >= t->n)
        return kiln_error_set(KILN_EINVAL, "stacks: parent %u out of range", parent);
    /* A decoded tree has no index; once built, each append keeps it
     * complete. */
    if (t->nindexed != t->n && (rc = stacks_reindex(t)) < 0)
        return rc;
    if ((t->n + 1) * 8 > t->idxcap * 5 && (rc = idx_grow(t)) < 0)
        return rc;
    s = idx_slot(t, key);
    if (t->idx[s].key) {
        *node = t->idx[s].node;
        return 0;
    }
    if (t->n >= MAX_NODES)
        return kiln_error_set(KILN_ELIMIT, "stacks: more than %u nodes", MAX_NODES);
    if ((rc = grow(t, t->n + 1)) < 0)
        return rc;
    t->parent[t->n] = parent;
    t->loc[t->n] = loc;
    *node = (uint32_t)t->n++;
    t->idx[s].key = key;
    t->idx[s].node = *node;
    t->nindexed = t->n;
    return 0;
}

int stacks_encode(const kiln_stacks *t, kiln_buf *out)
{
    size_t n = t->n ? t->n - 1 : 0;
    uint32_t *d = malloc((n ? n : 1) * sizeof *d);
    int rc;

    if (!d)
        return kiln_error_set(KILN_ENOMEM, "stacks: encode %zu nodes", n);
    if ((rc = put_uvarint(out, t->n ? t->n : 1)) < 0)
        goto out;
    for (size_t i = 1; i <= n; i++)
        d[i - 1] = (uint32_t)i - t->parent[i];
    if ((rc = col_encode_u32(out, d, n, KILN_COL_PLAIN)) < 0)
        goto out;
    if ((rc = col_encode_u32(out, n ? t->loc + 1 : d, n, KILN_COL_PLAIN)) < 0)
        goto out;
out:
    free(d);
    return rc;
}

int stacks_decode(kiln_stacks *t, const void *p, size_t n,
                       size_t nlocations)
{
    kiln_cur c;
    uint64_t cnt, off;
    int rc;

    memset(t, 0, sizeof *t);
    cur_init(&c, p, n, "section stacks");
    off = cur_off(&c);
    if ((rc = get_count(&c, MAX_NODES, "node count", &cnt)) < 0)
        goto out;
    if (cnt == 0) {
        rc = corrupt(c.what, off, "no root node");
        goto out;
    }
    if ((rc = grow(t, (size_t)cnt)) < 0)
        goto out;
    t->parent[0] = 0;
    t->loc[0] = 0;
    off = cur_off(&c);
    if ((rc = col_decode_u32(&c, t->parent + 1, (size_t)cnt - 1)) < 0)
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
    off = cur_off(&c);
    if ((rc = col_decode_u32(&c, t->loc + 1, (size_t)cnt - 1)) < 0)
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
    if (cur_left(&c) != 0) {
        rc = corrupt(c.what, cur_off(&c), "trailing bytes");
        goto out;
    }
    t->n = (size_t)cnt;
    rc = 0;
out:
    if (rc < 0)
        stacks_free(t);
    return rc;
}
