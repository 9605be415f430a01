/* trace.c: trace-id queries and trace listings. A trace query reads, per
 * block, the bloom filter first, then the link chunk index and the one
 * chunk that can hold the trace, then only the pages its trace index
 * names, so blocks that do not hold the trace cost one small read;
 * spec/links.md describes the three sections. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reader_internal.h"

/* ---- ids ---- */

/* Exactly 2*n hex digits into n bytes, not all zero. */
static int parse_hex(uint8_t *out, size_t n, const char *hex,
                     const char *what)
{
    size_t len;
    uint8_t any = 0;

    if (!hex)
        return kiln_error_set(KILN_EINVAL, "%s: missing", what);
    len = strlen(hex);
    if (len != 2 * n)
        return kiln_error_set(KILN_EINVAL, "%s \"%.80s\": %zu characters, "
                              "expected %zu hex digits", what, hex, len,
                              2 * n);
    for (size_t i = 0; i < n; i++) {
        int hi = kiln_hexval((unsigned char)hex[2 * i]),
            lo = kiln_hexval((unsigned char)hex[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            size_t at = hi < 0 ? 2 * i : 2 * i + 1;
            return kiln_error_set(KILN_EINVAL, "%s \"%s\": '%c' at position "
                                  "%zu is not a hex digit", what, hex,
                                  hex[at], at + 1);
        }
        out[i] = (uint8_t)(hi << 4 | lo);
        any |= out[i];
    }
    if (!any)
        return kiln_error_set(KILN_EINVAL, "%s \"%s\": all zeros is not a "
                              "valid id", what, hex);
    return 0;
}

int kiln_trace_id_parse(uint8_t out[16], const char *hex)
{
    return api_return(parse_hex(out, 16, hex, "trace id"));
}

int kiln_span_id_parse(uint8_t out[8], const char *hex)
{
    return api_return(parse_hex(out, 8, hex, "span id"));
}

void kiln_trace_id_format(const uint8_t id[16], char out[33])
{
    kiln_hex_lower(out, id, 16);
}

void kiln_span_id_format(const uint8_t id[8], char out[17])
{
    kiln_hex_lower(out, id, 8);
}

/* ---- the filter of a query ---- */

int rd_trace_init(kiln_result *r, const kiln_query_opts *o)
{
    if (o->version < 2)
        return 0;
    if (o->span_id && !o->trace_id)
        return kiln_error_set(KILN_EINVAL, "query options: a span id needs "
                              "its trace id");
    if (!o->trace_id)
        return 0;
    r->has_trace = true;
    memcpy(r->trace_id, o->trace_id, 16);
    if (o->span_id) {
        r->has_span = true;
        memcpy(r->span_id, o->span_id, 8);
    }
    r->trace_scan = o->trace_scan != 0;
    return 0;
}

void rd_trace_free(kiln_result *r)
{
    kiln_page_rows *t = &r->tr_rows;
    free(t->time);
    free(t->duration);
    free(t->stack);
    free(t->lset);
    free(t->link);
    free(t->values);
    memset(t, 0, sizeof *t);
}

void kiln_result_trace_stats_get(const kiln_result *r, kiln_trace_stats *out)
{
    *out = r->tstats;
    out->version = KILN_TRACE_STATS_VERSION;
}

/* Order of link l against (trace, span); span NULL compares the trace
 * only. */
static int link_cmp(const kiln_link *l, const uint8_t *trace,
                    const uint8_t *span)
{
    int c = memcmp(l->trace_id, trace, 16);
    if (c || !span)
        return c;
    return memcmp(l->span_id, span, 8);
}

/* First link id >= (trace, span), in [0, n]. */
static size_t links_lower(const kiln_link *links, size_t n,
                          const uint8_t *trace, const uint8_t *span)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (link_cmp(&links[mid], trace, span) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The link ids [*lo, *hi) of the trace (and span) in links[0..n). */
static void links_range(const kiln_link *links, size_t n,
                        const uint8_t *trace, const uint8_t *span,
                        size_t *lo, size_t *hi)
{
    *lo = links_lower(links, n, trace, span);
    size_t h = *lo;
    while (h < n && link_cmp(&links[h], trace, span) == 0)
        h++; /* a trace has few spans per block: a walk is enough */
    *hi = h;
}

int rd_trace_block(kiln_result *r, kiln_block *b)
{
    const kiln_link_chunk *ch = NULL;
    const kiln_link *links;
    size_t lo, hi, n, base = 0;
    int rc;

    r->tstats.blocks_searched++;
    if (!r->trace_scan) {
        if ((rc = rd_block_bloom_test(b, r->trace_id)) < 0)
            return rc;
        if (rc == 0) {
            r->tstats.blocks_bloom_pruned++;
            return 0;
        }
        /* Only the chunk that can hold the trace: the chunk index, then
         * one chunk (spec/links.md). */
        if ((rc = rd_block_trace_chunk(b, r->trace_id, &ch)) < 0)
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
    links_range(links, n, r->trace_id, r->has_span ? r->span_id : NULL, &lo,
                &hi);
    if (lo == hi) {
        if (!r->trace_scan) {
            /* The filter said "maybe" for a trace the block lacks (with a
             * span: the trace may be here without that span). */
            size_t tl, th;
            if (r->has_span)
                links_range(links, n, r->trace_id, NULL, &tl, &th);
            else
                tl = th = 0;
            if (tl == th)
                r->tstats.bloom_false_positives++;
            return 0;
        }
        /* The baseline reads every page whatever the links say. */
        r->tr_lo = r->tr_hi = 0;
        return 1;
    }
    r->tstats.blocks_hit++;
    r->tstats.links_matched += hi - lo;
    r->tr_lo = (uint32_t)(base + lo) + 1;
    r->tr_hi = (uint32_t)(base + hi) + 1;
    return 1;
}

int rd_trace_pages(kiln_result *r, kiln_block *b, uint8_t *mask)
{
    const kiln_trace_index *ti;
    const kiln_link_chunk *ch;
    uint32_t first;
    size_t lo, hi;
    int rc;

    if (r->trace_scan) {
        memset(mask, 1, b->npages);
        return 0;
    }
    /* The chunk rd_trace_block decoded (cached): its trace index. */
    if ((rc = rd_block_trace_chunk(b, r->trace_id, &ch)) < 0)
        return rc;
    if (!ch)
        return 0;
    ti = &b->cti;
    /* The trace's entry: the one whose first link is the trace's first. */
    links_range(b->clinks, ch->nlinks, r->trace_id, NULL, &lo, &hi);
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

static int grow_rows(kiln_result *r, size_t n, size_t nv)
{
    kiln_page_rows *t = &r->tr_rows;
    bool ok = true;

    if (n > r->tr_cap) {
        size_t c = n < 256 ? 256 : n;
        REGROW(t->time, c, ok);
        REGROW(t->duration, c, ok);
        REGROW(t->stack, c, ok);
        REGROW(t->lset, c, ok);
        REGROW(t->link, c, ok);
        if (!ok)
            return nomem();
        r->tr_cap = c;
    }
    if (nv > r->tr_capv) {
        REGROW(t->values, nv, ok);
        if (!ok)
            return nomem();
        r->tr_capv = nv;
    }
    return 0;
}

int rd_trace_rows(kiln_result *r, const kiln_page_rows *in,
                  const kiln_page_rows **out)
{
    kiln_page_rows *t = &r->tr_rows;
    uint32_t m = 0;
    int rc;

    for (uint32_t i = 0; i < in->n; i++)
        m += in->link[i] >= r->tr_lo && in->link[i] < r->tr_hi;
    if ((rc = grow_rows(r, m ? m : 1, (size_t)(m ? m : 1) *
                        (in->ntypes ? in->ntypes : 1))) < 0)
        return rc;
    t->n = m;
    t->ntypes = in->ntypes;
    uint32_t k = 0;
    for (uint32_t i = 0; i < in->n; i++) {
        if (in->link[i] < r->tr_lo || in->link[i] >= r->tr_hi)
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

/* ---- single-block probes ---- */

int kiln_block_trace_maybe(kiln_block *b, const uint8_t trace_id[16])
{
    return api_return(rd_block_bloom_test(b, trace_id));
}

int64_t kiln_block_trace_links(kiln_block *b, const uint8_t trace_id[16])
{
    const kiln_link_chunk *ch;
    size_t lo, hi;
    int rc;
    if ((rc = rd_block_trace_chunk(b, trace_id, &ch)) < 0)
        return rc;
    if (!ch)
        return api_return64(0);
    links_range(b->clinks, ch->nlinks, trace_id, NULL, &lo, &hi);
    return api_return64((int64_t)(hi - lo));
}

/* ---- listing the traces of a selection ---- */

typedef struct tl_ctx {
    kiln_result *r;            /* selector, type and range */
    kiln_trace_entry *e;       /* entries, in first-seen order */
    size_t n, cap;
    kiln_htab index;           /* trace id -> entry */
    kiln_block *b;             /* the block being read */
    uint32_t *lmap;            /* per link of b: entry index */
    int16_t *vcol, *scol;      /* per kind of b: value / samples column,
                                * -1 = none */
} tl_ctx;

static bool entry_eq(const void *ctx, uint32_t id, const void *key)
{
    const tl_ctx *c = ctx;
    return memcmp(c->e[id].trace_id, key, 16) == 0;
}

static int entry_of(tl_ctx *c, const uint8_t *trace, uint32_t *out)
{
    uint64_t h = kiln_hash(trace, 16, 0);
    size_t slot = 0;
    uint32_t id;
    int rc = kiln_htab_find(&c->index, h, entry_eq, c, trace, &id, &slot);

    if (rc < 0)
        return rc;
    if (rc == 0) {
        if (c->n == c->cap) {
            size_t nc = c->cap ? 2 * c->cap : 256;
            kiln_trace_entry *ne = realloc(c->e, nc * sizeof *ne);
            if (!ne)
                return nomem();
            c->e = ne;
            c->cap = nc;
        }
        if (c->n >= UINT32_MAX)
            return kiln_error_set(KILN_ELIMIT, "trace list: too many traces");
        id = (uint32_t)c->n++;
        memset(&c->e[id], 0, sizeof c->e[id]);
        memcpy(c->e[id].trace_id, trace, 16);
        if ((rc = kiln_htab_insert(&c->index, h, slot, id)) < 0)
            return rc;
    }
    *out = id;
    return 0;
}

static bool sstr_is(const kiln_strtab *t, uint32_t id, const char *s)
{
    size_t n = strlen(s);
    return t->len[id] == n && memcmp(kiln_strtab_get(t, id), s, n) == 0;
}

/* Value and samples columns of each kind of the block. */
static int tl_kinds(tl_ctx *c)
{
    const kiln_seriestab *st = &c->b->series;
    size_t nk = st->nkinds ? st->nkinds : 1;

    free(c->vcol);
    free(c->scol);
    c->vcol = malloc(nk * sizeof *c->vcol);
    c->scol = malloc(nk * sizeof *c->scol);
    if (!c->vcol || !c->scol)
        return nomem();
    for (size_t k = 0; k < st->nkinds; k++) {
        const kiln_kind *kd = &st->kinds[k];
        int16_t v = -1, s = -1;
        for (uint32_t t = 0; t < kd->ntypes && t < KILN_MAX_TYPES; t++) {
            uint32_t ty = kd->types[2 * t], un = kd->types[2 * t + 1];
            if (c->r->want_type && v < 0 &&
                rd_type_wanted(c->r, &st->strings, ty, un))
                v = (int16_t)t;
            if (!c->r->want_type && kd->default_type &&
                ty == kd->default_type)
                v = (int16_t)t;
            if (s < 0 && sstr_is(&st->strings, ty, "samples"))
                s = (int16_t)t;
        }
        if (v < 0 && !c->r->want_type && kd->ntypes)
            v = (int16_t)(kd->ntypes - 1);
        c->vcol[k] = v;
        c->scol[k] = s;
    }
    return 0;
}

static int tl_page(void *ud, uint32_t pid, const kiln_page_meta *pm,
                   const kiln_page_rows *rows)
{
    tl_ctx *c = ud;
    kiln_result *r = c->r;
    uint32_t kind = c->b->series.series[pm->series].kind;
    int16_t vc = c->vcol[kind], sc = c->scol[kind];

    (void)pid;
    r->stats.pages_read++;
    if (vc >= 0 && (uint32_t)vc >= rows->ntypes)
        vc = -1;
    if (sc >= 0 && (uint32_t)sc >= rows->ntypes)
        sc = -1;
    for (uint32_t i = 0; i < rows->n; i++) {
        int64_t t = rows->time[i];
        if (!rows->link[i] || t < r->from || t >= r->to)
            continue;
        kiln_trace_entry *e = &c->e[c->lmap[rows->link[i] - 1]];
        if (!e->rows || t < e->tmin)
            e->tmin = t;
        if (!e->rows || t > e->tmax)
            e->tmax = t;
        e->rows++;
        if (vc >= 0)
            e->value += rows->values[(size_t)vc * rows->n + i];
        e->samples += sc >= 0 ? rows->values[(size_t)sc * rows->n + i] : 1;
        r->stats.rows++;
    }
    return 0;
}

static int tl_block(void *ud, kiln_block *b)
{
    tl_ctx *c = ud;
    kiln_result *r = c->r;
    uint32_t *ids = NULL;
    size_t n = 0;
    int rc = 0;

    r->stats.blocks_total++;
    c->b = b;
    if (b->meta.tmax < r->from || b->meta.tmin >= r->to || !b->meta.nlinks)
        return 0;
    if ((rc = rd_block_candidates(r, b, NULL, true, &ids, &n)) < 0)
        goto out;
    if (n == 0)
        goto out;
    r->stats.blocks_read++;
    if ((rc = rd_block_stacks(b)) < 0 || (rc = rd_block_links(b)) < 0 ||
        (rc = tl_kinds(c)) < 0)
        goto out;
    free(c->lmap);
    c->lmap = malloc((b->nlinks ? b->nlinks : 1) * sizeof *c->lmap);
    if (!c->lmap) {
        rc = nomem();
        goto out;
    }
    for (size_t l = 0; l < b->nlinks; l++) {
        if (l && memcmp(b->links[l].trace_id, b->links[l - 1].trace_id,
                        16) == 0)
            c->lmap[l] = c->lmap[l - 1];
        else if ((rc = entry_of(c, b->links[l].trace_id, &c->lmap[l])) < 0)
            goto out;
    }
    rc = rd_block_read_pages(b, ids, n, b->nlinks, tl_page, c);
out:
    free(ids);
    return rc;
}

static int cmp_entry(const void *pa, const void *pb)
{
    const kiln_trace_entry *a = pa, *b = pb;
    if (a->value != b->value)
        return a->value > b->value ? -1 : 1;
    if (a->samples != b->samples)
        return a->samples > b->samples ? -1 : 1;
    return memcmp(a->trace_id, b->trace_id, 16);
}

int kiln_list_traces(kiln_store *st, const char *tenant,
                     const kiln_query_opts *o, size_t limit,
                     kiln_trace_entry **out, size_t *nout)
{
    kiln_query_opts q = KILN_QUERY_OPTS_INIT;
    tl_ctx c;
    int rc;

    *out = NULL;
    *nout = 0;
    memset(&c, 0, sizeof c);
    if (o) {
        rc = opts_version_check("query options", o->version, 1,
                                KILN_QUERY_OPTS_VERSION);
        if (rc < 0)
            return rc;
        q.from = o->from;
        q.to = o->to;
        q.selector = o->selector;
        q.type = o->type;
    }
    if ((rc = kiln_result_new(&c.r, &q)) < 0)
        goto out;
    rc = rd_each_block(st, tenant, c.r, tl_block, &c);
    if (rc < 0)
        goto out;
    /* Traces whose rows all fell outside the selection are not listed. */
    size_t m = 0;
    for (size_t i = 0; i < c.n; i++)
        if (c.e[i].rows)
            c.e[m++] = c.e[i];
    c.n = m;
    if (c.n > 1)
        qsort(c.e, c.n, sizeof *c.e, cmp_entry);
    *nout = limit && limit < c.n ? limit : c.n;
    *out = c.e;
    c.e = NULL;
out:
    free(c.e);
    free(c.lmap);
    free(c.vcol);
    free(c.scol);
    kiln_htab_free(&c.index);
    kiln_result_free(c.r);
    return api_return(rc);
}
