/* select_trace.c: the trace filter of a selection. Per block it reads the
 * bloom filter first, then the link chunk index and the one chunk that can
 * hold the trace, then only the pages its trace index names, and keeps
 * only the rows linked to the trace, so blocks that do not hold it cost
 * one small read; spec/links.md describes the three sections. */
#include <stdlib.h>
#include <string.h>

#include "select_internal.h"

int rd_trace_init(rd_sel *s, const kiln_query_opts *o)
{
    if (o->version < 2)
        return 0;
    if (o->span_id && !o->trace_id)
        return kiln_error_set(KILN_EINVAL, "query options: a span id needs "
                              "its trace id");
    if (!o->trace_id)
        return 0;
    s->has_trace = true;
    memcpy(s->trace_id, o->trace_id, 16);
    if (o->span_id) {
        s->has_span = true;
        memcpy(s->span_id, o->span_id, 8);
    }
    s->trace_scan = o->trace_scan != 0;
    return 0;
}

void rd_trace_free(rd_sel *s)
{
    kiln_page_rows *t = &s->tr_rows;
    free(t->time);
    free(t->duration);
    free(t->stack);
    free(t->lset);
    free(t->link);
    free(t->values);
    memset(t, 0, sizeof *t);
}

int rd_trace_block(rd_sel *s, kiln_block *b)
{
    const kiln_link_chunk *ch = NULL;
    const kiln_link *links;
    size_t lo, hi, n, base = 0;
    int rc;

    s->tstats.blocks_searched++;
    if (!s->trace_scan) {
        if ((rc = rd_block_bloom_test(b, s->trace_id)) < 0)
            return rc;
        if (rc == 0) {
            s->tstats.blocks_bloom_pruned++;
            return 0;
        }
        /* Only the chunk that can hold the trace: the chunk index, then
         * one chunk (spec/links.md). */
        if ((rc = rd_block_trace_chunk(b, s->trace_id, &ch)) < 0)
            return rc;
        links = ch ? b->clinks : NULL;
        n = ch ? ch->nlinks : 0;
        base = ch ? ch->first_link : 0;
    } else {
        /* The baseline: every link of the block, as a scan would. */
        if ((rc = rd_block_links(b)) < 0)
            return rc;
        links = b->links;
        n = b->nlinks;
    }
    rd_links_range(links, n, s->trace_id, s->has_span ? s->span_id : NULL, &lo,
                &hi);
    if (lo == hi) {
        if (!s->trace_scan) {
            /* The filter said "maybe" for a trace the block lacks (with a
             * span: the trace may be here without that span). */
            size_t tl, th;
            if (s->has_span)
                rd_links_range(links, n, s->trace_id, NULL, &tl, &th);
            else
                tl = th = 0;
            if (tl == th)
                s->tstats.bloom_false_positives++;
            return 0;
        }
        /* The baseline reads every page whatever the links say. */
        s->tr_lo = s->tr_hi = 0;
        return 1;
    }
    s->tstats.blocks_hit++;
    s->tstats.links_matched += hi - lo;
    s->tr_lo = (uint32_t)(base + lo) + 1;
    s->tr_hi = (uint32_t)(base + hi) + 1;
    return 1;
}

int rd_trace_pages(rd_sel *s, kiln_block *b, uint8_t *mask)
{
    const kiln_trace_index *ti;
    const kiln_link_chunk *ch;
    uint32_t first;
    size_t lo, hi;
    int rc;

    if (s->trace_scan) {
        memset(mask, 1, b->npages);
        return 0;
    }
    /* The chunk rd_trace_block decoded (cached): its trace index. */
    if ((rc = rd_block_trace_chunk(b, s->trace_id, &ch)) < 0)
        return rc;
    if (!ch)
        return 0;
    ti = &b->cti;
    /* The trace's entry: the one whose first link is the trace's first. */
    rd_links_range(b->clinks, ch->nlinks, s->trace_id, NULL, &lo, &hi);
    if (lo == hi)
        return 0;
    first = (uint32_t)lo;
    size_t a = 0, z = ti->ntraces;
    while (a < z) {
        size_t mid = a + (z - a) / 2;
        if (ti->first_link[mid] < first)
            a = mid + 1;
        else
            z = mid;
    }
    if (a == ti->ntraces || ti->first_link[a] != first)
        return kiln_error_set(KILN_ECORRUPT, "block %s: section links: chunk "
                              "%zu: no trace index entry starts at link %u",
                              b->key, b->cur_chunk, first);
    for (uint32_t j = ti->pg_off[a]; j < ti->pg_off[a + 1]; j++) {
        if (ti->pg_ids[j] >= b->npages)
            return kiln_error_set(KILN_ECORRUPT, "block %s: section links: "
                                  "chunk %zu: page %u of %zu", b->key,
                                  b->cur_chunk, ti->pg_ids[j], b->npages);
        mask[ti->pg_ids[j]] = 1;
    }
    return 0;
}

/* Grow array ptr to n elements, keeping the old one when realloc fails
 * (then ok becomes false); the others still grow, so none is lost. */
#define REGROW(ptr, n, ok)                                                  \
    do {                                                                    \
        void *q_ = realloc((ptr), (n) * sizeof *(ptr));                     \
        if (q_)                                                             \
            (ptr) = q_;                                                     \
        else                                                                \
            (ok) = false;                                                   \
    } while (0)

static int grow_rows(rd_sel *s, size_t n, size_t nv)
{
    kiln_page_rows *t = &s->tr_rows;
    bool ok = true;

    if (n > s->tr_cap) {
        size_t c = n < 256 ? 256 : n;
        REGROW(t->time, c, ok);
        REGROW(t->duration, c, ok);
        REGROW(t->stack, c, ok);
        REGROW(t->lset, c, ok);
        REGROW(t->link, c, ok);
        if (!ok)
            return nomem();
        s->tr_cap = c;
    }
    if (nv > s->tr_capv) {
        REGROW(t->values, nv, ok);
        if (!ok)
            return nomem();
        s->tr_capv = nv;
    }
    return 0;
}

int rd_trace_rows(rd_sel *s, const kiln_page_rows *in,
                  const kiln_page_rows **out)
{
    kiln_page_rows *t = &s->tr_rows;
    uint32_t m = 0;
    int rc;

    for (uint32_t i = 0; i < in->n; i++)
        m += in->link[i] >= s->tr_lo && in->link[i] < s->tr_hi;
    if ((rc = grow_rows(s, m ? m : 1, (size_t)(m ? m : 1) *
                        (in->ntypes ? in->ntypes : 1))) < 0)
        return rc;
    t->n = m;
    t->ntypes = in->ntypes;
    uint32_t k = 0;
    for (uint32_t i = 0; i < in->n; i++) {
        if (in->link[i] < s->tr_lo || in->link[i] >= s->tr_hi)
            continue;
        t->time[k] = in->time[i];
        t->duration[k] = in->duration[i];
        t->stack[k] = in->stack[i];
        t->lset[k] = in->lset[i];
        t->link[k] = in->link[i];
        for (uint32_t ty = 0; ty < in->ntypes; ty++)
            t->values[(size_t)ty * m + k] =
                in->values[(size_t)ty * in->n + i];
        k++;
    }
    *out = t;
    return 0;
}

