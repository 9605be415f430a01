/* block.c: opens a block footer-first (one tail read), then loads and
 * caches only the sections a query asks for, each checksummed; reads sample
 * pages by coalesced ranged reads; and verifies a whole block. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "block_internal.h"

#define TAIL_BYTES ((uint64_t)64 * 1024)
/* Pages closer than this are fetched in one read; a read stops growing at
 * RUN_MAX bytes. */
#define GAP_MAX ((uint64_t)16 * 1024)
#define RUN_MAX ((uint64_t)8 * 1024 * 1024)

int rd_block_err(const kiln_block *b, int err)
{
    return kiln_error_wrap(err, "block %s: ", b->key);
}

const kiln_section *rd_block_section(const kiln_block *b, unsigned type)
{
    for (size_t i = 0; i < b->nsecs; i++)
        if (b->secs[i].type == type)
            return &b->secs[i];
    return NULL;
}

/* Bytes [off, off+len) of the object: from the cached tail when they lie in
 * it, else by a ranged read into scratch. */
static int fetch(kiln_block *b, uint64_t off, uint64_t len, kiln_buf *scratch,
                 const uint8_t **p)
{
    int rc;

    if (off > b->size || len > b->size - off)
        return kiln_error_set(KILN_ECORRUPT,
                              "block %s: range %llu+%llu lies past the end "
                              "(%llu bytes)", b->key, (unsigned long long)off,
                              (unsigned long long)len,
                              (unsigned long long)b->size);
    if (off >= b->tail_off && off + len <= b->tail_off + b->tail.len) {
        *p = b->tail.data + (off - b->tail_off);
        return 0;
    }
    if (len > SIZE_MAX)
        return kiln_error_set(KILN_ELIMIT, "block %s: read of %llu bytes",
                              b->key, (unsigned long long)len);
    kiln_buf_reset(scratch);
    /* Ending inside the tail: read only the part before it. */
    uint64_t want = len;
    if (off < b->tail_off && off + len > b->tail_off &&
        off + len <= b->tail_off + b->tail.len)
        want = b->tail_off - off;
    if ((rc = kiln_store_get_range(b->st, b->key, off, want, scratch)) < 0)
        return rd_block_err(b, rc);
    if (scratch->len == want && want < len &&
        (rc = kiln_buf_append(scratch, b->tail.data, len - want)) < 0)
        return rc;
    if (scratch->len != len)
        return kiln_error_set(KILN_ECORRUPT,
                              "block %s: short read at %llu (%zu of %llu "
                              "bytes)", b->key, (unsigned long long)off,
                              scratch->len, (unsigned long long)len);
    *p = scratch->data;
    return 0;
}

/* The header must be accepted before any section is trusted. */
static int check_header(kiln_block *b)
{
    kiln_buf scratch = KILN_BUF_INIT;
    const uint8_t *p = NULL;
    uint64_t flags;
    int rc;

    if (b->header_ok)
        return 0;
    if (b->size < KILN_HEADER_SIZE + KILN_TRAILER_SIZE) {
        rc = kiln_error_set(KILN_ECORRUPT, "block %s: %llu bytes is too "
                            "small for a block", b->key,
                            (unsigned long long)b->size);
        goto out;
    }
    if ((rc = fetch(b, 0, KILN_HEADER_SIZE, &scratch, &p)) < 0)
        goto out;
    if ((rc = header_decode(p, KILN_HEADER_SIZE, &flags)) < 0) {
        rc = rd_block_err(b, rc);
        goto out;
    }
    b->flags = flags;
    b->header_ok = true;
out:
    kiln_buf_free(&scratch);
    return rc;
}

/* Check, decompress and return the raw bytes of a section into raw. */
static int load_section(kiln_block *b, const kiln_section *s, kiln_buf *raw)
{
    kiln_buf scratch = KILN_BUF_INIT;
    const uint8_t *p;
    char what[48];
    int rc;

    if ((rc = check_header(b)) < 0)
        goto out;
    /* footer_decode refused sizes a section cannot have (stored_sizes_bad):
     * the fetch is bounded. */
    if ((rc = fetch(b, s->offset, s->stored, &scratch, &p)) < 0)
        goto out;
    snprintf(what, sizeof what, "section %s", section_name(s->type));
    if ((rc = section_unpack(s, p, raw, what, &b->zstd)) < 0)
        rc = rd_block_err(b, rc);
out:
    kiln_buf_free(&scratch);
    return rc;
}

static int need_section(kiln_block *b, unsigned type, const kiln_section **s)
{
    *s = rd_block_section(b, type);
    if (!*s)
        return kiln_error_set(KILN_ECORRUPT, "block %s: section %s is "
                              "missing", b->key, section_name(type));
    return 0;
}

int rd_block_series(kiln_block *b)
{
    const kiln_section *s;
    kiln_buf raw = KILN_BUF_INIT;
    int rc;

    if (b->have & RD_HAVE_SERIES)
        return 0;
    if ((rc = need_section(b, KILN_SEC_SERIES, &s)) < 0 ||
        (rc = load_section(b, s, &raw)) < 0)
        goto out;
    memset(&b->series, 0, sizeof b->series);
    if ((rc = seriestab_decode(&b->series, raw.data, raw.len)) < 0) {
        memset(&b->series, 0, sizeof b->series);
        rc = rd_block_err(b, rc);
        goto out;
    }
    b->have |= RD_HAVE_SERIES;
out:
    kiln_buf_free(&raw);
    return rc;
}

int rd_block_pages(kiln_block *b)
{
    const kiln_section *s, *samples;
    kiln_buf raw = KILN_BUF_INIT;
    int rc;

    if (b->have & RD_HAVE_PAGES)
        return 0;
    if ((rc = rd_block_series(b)) < 0 ||
        (rc = need_section(b, KILN_SEC_SAMPLES, &samples)) < 0 ||
        (rc = need_section(b, KILN_SEC_PAGEINDEX, &s)) < 0 ||
        (rc = load_section(b, s, &raw)) < 0)
        goto out;
    if ((rc = pageindex_decode(&b->pages, &b->npages, raw.data, raw.len,
                                    samples->stored,
                                    b->series.nseries)) < 0) {
        b->pages = NULL;
        b->npages = 0;
        rc = rd_block_err(b, rc);
        goto out;
    }
    b->info.npages = b->npages;
    b->have |= RD_HAVE_PAGES;
out:
    kiln_buf_free(&raw);
    return rc;
}

int rd_block_symbols(kiln_block *b)
{
    const kiln_section *s;
    kiln_buf raw = KILN_BUF_INIT;
    int rc;

    if (b->have & RD_HAVE_SYMBOLS)
        return 0;
    if ((rc = need_section(b, KILN_SEC_SYMBOLS, &s)) < 0 ||
        (rc = load_section(b, s, &raw)) < 0)
        goto out;
    memset(&b->sym, 0, sizeof b->sym);
    if ((rc = symtab_decode(&b->sym, raw.data, raw.len)) < 0) {
        memset(&b->sym, 0, sizeof b->sym);
        rc = rd_block_err(b, rc);
        goto out;
    }
    b->have |= RD_HAVE_SYMBOLS;
out:
    kiln_buf_free(&raw);
    return rc;
}

int rd_block_stacks(kiln_block *b)
{
    const kiln_section *s;
    kiln_buf raw = KILN_BUF_INIT;
    int rc;

    if (b->have & RD_HAVE_STACKS)
        return 0;
    if ((rc = rd_block_symbols(b)) < 0 ||
        (rc = need_section(b, KILN_SEC_STACKS, &s)) < 0 ||
        (rc = load_section(b, s, &raw)) < 0)
        goto out;
    memset(&b->stacks, 0, sizeof b->stacks);
    if ((rc = stacks_decode(&b->stacks, raw.data, raw.len,
                                 b->sym.nlocations)) < 0) {
        memset(&b->stacks, 0, sizeof b->stacks);
        rc = rd_block_err(b, rc);
        goto out;
    }
    b->have |= RD_HAVE_STACKS;
out:
    kiln_buf_free(&raw);
    return rc;
}

int rd_block_chunks(kiln_block *b)
{
    const kiln_section *s, *ls;
    kiln_buf raw = KILN_BUF_INIT;
    uint64_t nl, nt;
    int rc = 0;

    if (b->have & RD_HAVE_CHUNKS)
        return 0;
    ls = rd_block_section(b, KILN_SEC_LINKS);
    s = rd_block_section(b, KILN_SEC_TRACEINDEX);
    if (!s) {
        if (ls || b->meta.nlinks)
            return kiln_error_set(KILN_ECORRUPT, "block %s: section "
                                  "traceindex is missing for %llu links",
                                  b->key, (unsigned long long)b->meta.nlinks);
        b->chunks = NULL; /* a block without links */
        b->nchunks = 0;
        b->have |= RD_HAVE_CHUNKS;
        return 0;
    }
    if ((rc = load_section(b, s, &raw)) < 0)
        goto out;
    if ((rc = link_chunks_decode(&b->chunks, &b->nchunks, raw.data,
                                      raw.len, ls ? ls->stored : 0, &nl,
                                      &nt)) < 0) {
        b->chunks = NULL;
        b->nchunks = 0;
        rc = rd_block_err(b, rc);
        goto out;
    }
    if (nl != b->meta.nlinks || nt != b->meta.ntraces) {
        free(b->chunks);
        b->chunks = NULL;
        b->nchunks = 0;
        rc = kiln_error_set(KILN_ECORRUPT, "block %s: section traceindex: "
                            "chunks hold %llu links of %llu traces, the "
                            "footer says %llu of %llu", b->key,
                            (unsigned long long)nl, (unsigned long long)nt,
                            (unsigned long long)b->meta.nlinks,
                            (unsigned long long)b->meta.ntraces);
        goto out;
    }
    b->have |= RD_HAVE_CHUNKS;
out:
    kiln_buf_free(&raw);
    return rc;
}

int rd_block_trace_chunk(kiln_block *b, const uint8_t trace[16],
                         const kiln_link_chunk **ch)
{
    const kiln_section *ls;
    kiln_buf scratch = KILN_BUF_INIT;
    const uint8_t *p;
    size_t i;
    int rc;

    *ch = NULL;
    if ((rc = rd_block_chunks(b)) < 0)
        return rc;
    i = link_chunk_find(b->chunks, b->nchunks, trace);
    if (i == b->nchunks)
        return 0;
    if (b->clinks && b->cur_chunk == i) {
        *ch = &b->chunks[i];
        return 0;
    }
    free(b->clinks);
    b->clinks = NULL;
    trace_index_free(&b->cti);
    if ((rc = check_header(b)) < 0 ||
        (rc = need_section(b, KILN_SEC_LINKS, &ls)) < 0)
        goto out;
    const kiln_link_chunk *k = &b->chunks[i];
    /* link_chunks_decode checked the chunk lies inside the section. */
    if ((rc = fetch(b, ls->offset + k->offset, k->stored, &scratch, &p)) < 0)
        goto out;
    /* Page ids are checked against the page index where they are used. */
    if ((rc = link_chunk_decode(k, i, p,
                                     i + 1 < b->nchunks
                                         ? b->chunks[i + 1].first_trace
                                         : NULL,
                                     SIZE_MAX, &b->clinks, &b->cti,
                                     &b->zstd)) < 0) {
        b->clinks = NULL;
        rc = rd_block_err(b, rc);
        goto out;
    }
    b->cur_chunk = i;
    *ch = k;
out:
    kiln_buf_free(&scratch);
    return rc;
}

const kiln_link *rd_block_link(const kiln_block *b, uint32_t id)
{
    if (b->have & RD_HAVE_LINKS)
        return id < b->nlinks ? &b->links[id] : NULL;
    if (b->clinks) {
        const kiln_link_chunk *k = &b->chunks[b->cur_chunk];
        if (id >= k->first_link && id - k->first_link < k->nlinks)
            return &b->clinks[id - k->first_link];
    }
    return NULL;
}

size_t rd_block_nlinks(const kiln_block *b)
{
    return (b->have & RD_HAVE_LINKS) ? b->nlinks : (size_t)b->meta.nlinks;
}

int rd_block_links(kiln_block *b)
{
    const kiln_section *s;
    kiln_buf scratch = KILN_BUF_INIT;
    const uint8_t *p;
    int rc = 0;

    if (b->have & RD_HAVE_LINKS)
        return 0;
    if ((rc = rd_block_pages(b)) < 0 || (rc = rd_block_chunks(b)) < 0)
        return rc;
    s = rd_block_section(b, KILN_SEC_LINKS);
    if (!s) { /* a block without links (rd_block_chunks checked the footer) */
        b->links = NULL;
        b->nlinks = 0;
        memset(&b->ti, 0, sizeof b->ti);
        b->have |= RD_HAVE_LINKS | RD_HAVE_TRACEINDEX;
        return 0;
    }
    if ((rc = check_header(b)) < 0 ||
        (rc = fetch(b, s->offset, s->stored, &scratch, &p)) < 0)
        goto out;
    if (s->codec != KILN_CODEC_NONE) {
        rc = kiln_error_set(KILN_ECORRUPT, "block %s: section links: codec "
                            "%u (chunks are compressed, the section is not)",
                            b->key, s->codec);
        goto out;
    }
    if ((rc = links_chunked_decode(b->chunks, b->nchunks, p, s->stored,
                                        b->npages, &b->links, &b->nlinks,
                                        &b->ti)) < 0) {
        b->links = NULL;
        b->nlinks = 0;
        memset(&b->ti, 0, sizeof b->ti);
        rc = rd_block_err(b, rc);
        goto out;
    }
    b->have |= RD_HAVE_LINKS | RD_HAVE_TRACEINDEX;
out:
    kiln_buf_free(&scratch);
    return rc;
}

int rd_block_bloom_test(kiln_block *b, const uint8_t trace[16])
{
    const kiln_section *s;
    kiln_buf scratch = KILN_BUF_INIT;
    kiln_bloom_layout l;
    const uint8_t *p;
    uint64_t off;
    int rc;

    s = rd_block_section(b, KILN_SEC_BLOOM);
    if (!s) {
        if (b->meta.nlinks)
            return kiln_error_set(KILN_ECORRUPT, "block %s: section bloom "
                                  "is missing for %llu links", b->key,
                                  (unsigned long long)b->meta.nlinks);
        return 0; /* no links, no trace */
    }
    if (s->codec != KILN_CODEC_NONE || s->raw != s->stored) {
        rc = kiln_error_set(KILN_ECORRUPT, "block %s: section bloom: codec "
                            "%u, %llu raw bytes for %llu stored (it is "
                            "stored as is)", b->key, s->codec,
                            (unsigned long long)s->raw,
                            (unsigned long long)s->stored);
        goto out;
    }
    if ((rc = check_header(b)) < 0)
        goto out;
    /* The footer's (checksummed) length fixes the layout: no read of the
     * head, whose copy of the counts kiln verify checks. */
    if ((rc = bloom_layout_of(s->stored, &l)) < 0) {
        rc = rd_block_err(b, rc);
        goto out;
    }
    off = bloom_locate(&l, trace, 16);
    /* The groups fill the section exactly. */
    if ((rc = fetch(b, s->offset + off, l.group_bytes, &scratch, &p)) < 0)
        goto out;
    if ((rc = bloom_test_group(&l, p, l.group_bytes, trace, 16)) < 0)
        rc = rd_block_err(b, rc);
out:
    kiln_buf_free(&scratch);
    return rc;
}

int rd_block_traceindex(kiln_block *b)
{
    return rd_block_links(b);
}

/* ---- pages ---- */

static _Thread_local const kiln_page_meta *pages_of; /* qsort context */

static int cmp_page_off(const void *a, const void *b)
{
    uint64_t x = pages_of[*(const uint32_t *)a].offset;
    uint64_t y = pages_of[*(const uint32_t *)b].offset;
    return x < y ? -1 : x > y;
}

static void sort_by_offset(const kiln_page_meta *pages, uint32_t *ids,
                           size_t n)
{
    /* Usually already in order: check before sorting. */
    for (size_t i = 1; i < n; i++) {
        if (pages[ids[i]].offset < pages[ids[i - 1]].offset) {
            pages_of = pages;
            qsort(ids, n, sizeof *ids, cmp_page_off);
            return;
        }
    }
}

/* Check and decode one page from its stored bytes. */
/* Page id as a section (its own checksum and codec), named for errors. */
static void page_section(const kiln_block *b, uint32_t id, kiln_section *ps,
                         char what[40])
{
    const kiln_page_meta *pm = &b->pages[id];

    memset(ps, 0, sizeof *ps);
    ps->type = KILN_SEC_SAMPLES;
    ps->codec = pm->codec;
    ps->offset = pm->offset;
    ps->stored = pm->stored;
    ps->raw = pm->raw;
    ps->checksum = pm->checksum;
    snprintf(what, 40, "section samples: page %u", id);
}

static int decode_page(kiln_block *b, uint32_t id, const uint8_t *stored,
                       size_t nlinks, kiln_buf *raw, kiln_page_rows *rows)
{
    const kiln_page_meta *pm = &b->pages[id];
    kiln_section ps;
    char what[40];
    int rc;

    /* The page index refused sizes a page cannot have (stored_sizes_bad). */
    page_section(b, id, &ps, what);
    if ((rc = section_unpack(&ps, stored, raw, what, &b->zstd)) < 0)
        return rd_block_err(b, rc);
    memset(rows, 0, sizeof *rows);
    if ((rc = page_decode(rows, raw->data, raw->len, pm,
                               b->stacks.n, b->sym.nlsets, nlinks)) < 0) {
        memset(rows, 0, sizeof *rows);
        kiln_error_wrap(rc, "page %u: ", id);
        return rd_block_err(b, rc);
    }
    return 0;
}

/* The run of pages that starts at ids[i] (ids sorted by offset): the ones
 * one ranged read fetches, [i, return value), spanning [*start, *end) of
 * the samples section. */
static size_t page_run(const kiln_block *b, const uint32_t *ids, size_t i,
                       size_t n, uint64_t *start, uint64_t *end)
{
    const kiln_page_meta *first = &b->pages[ids[i]];
    size_t j = i + 1;

    *start = first->offset;
    *end = first->offset + first->stored;
    while (j < n) {
        const kiln_page_meta *pm = &b->pages[ids[j]];
        if (pm->offset < *end || pm->offset - *end > GAP_MAX ||
            pm->offset + pm->stored - *start > RUN_MAX)
            break;
        *end = pm->offset + pm->stored;
        j++;
    }
    return j;
}

int rd_block_read_pages(kiln_block *b, uint32_t *ids, size_t n, size_t nlinks,
                        rd_page_cb cb, void *ud)
{
    const kiln_section *samples;
    kiln_buf scratch = KILN_BUF_INIT, raw = KILN_BUF_INIT;
    int rc = 0;

    if ((rc = need_section(b, KILN_SEC_SAMPLES, &samples)) < 0)
        goto out;
    sort_by_offset(b->pages, ids, n);
    for (size_t i = 0; i < n;) {
        uint64_t start, end;
        size_t j = page_run(b, ids, i, n, &start, &end);
        const uint8_t *p;

        if ((rc = fetch(b, samples->offset + start, end - start, &scratch,
                        &p)) < 0)
            goto out;
        for (size_t k = i; k < j; k++) {
            kiln_page_rows rows;
            const kiln_page_meta *pm = &b->pages[ids[k]];

            if ((rc = decode_page(b, ids[k], p + (pm->offset - start), nlinks,
                                  &raw, &rows)) < 0)
                goto out;
            rc = cb(ud, ids[k], pm, &rows);
            page_rows_free(&rows);
            if (rc < 0)
                goto out;
        }
        i = j;
    }
out:
    kiln_buf_free(&scratch);
    kiln_buf_free(&raw);
    return rc;
}

int rd_block_stage_pages(kiln_block *b, uint32_t *ids, size_t n,
                         rd_staged *st)
{
    const kiln_section *samples;
    kiln_buf scratch = KILN_BUF_INIT;
    int rc = 0;

    memset(st, 0, sizeof *st);
    st->ids = ids;
    st->n = n;
    if ((rc = need_section(b, KILN_SEC_SAMPLES, &samples)) < 0)
        goto out;
    if (!(st->at = malloc((n ? n : 1) * sizeof *st->at))) {
        rc = nomem();
        goto out;
    }
    sort_by_offset(b->pages, ids, n);
    for (size_t i = 0; i < n;) {
        uint64_t start, end;
        size_t j = page_run(b, ids, i, n, &start, &end);
        size_t base = st->bytes.len;
        const uint8_t *p;

        if ((rc = fetch(b, samples->offset + start, end - start, &scratch,
                        &p)) < 0)
            goto out;
        for (size_t k = i; k < j; k++) {
            const kiln_page_meta *pm = &b->pages[ids[k]];
            kiln_section ps;
            char what[40];

            page_section(b, ids[k], &ps, what);
            if ((rc = section_check(&ps, p + (pm->offset - start), what)) < 0) {
                rc = rd_block_err(b, rc);
                goto out;
            }
            st->at[k] = base + (size_t)(pm->offset - start);
        }
        if ((rc = kiln_buf_append(&st->bytes, p, (size_t)(end - start))) < 0)
            goto out;
        i = j;
    }
out:
    kiln_buf_free(&scratch);
    if (rc < 0)
        rd_staged_free(st);
    return rc;
}

int rd_block_decode_staged(kiln_block *b, const rd_staged *st, size_t nlinks,
                           rd_page_cb cb, void *ud)
{
    kiln_buf raw = KILN_BUF_INIT;
    int rc = 0;

    for (size_t k = 0; k < st->n; k++) {
        kiln_page_rows rows;
        uint32_t id = st->ids[k];

        if ((rc = decode_page(b, id, st->bytes.data + st->at[k], nlinks, &raw,
                              &rows)) < 0)
            break;
        rc = cb(ud, id, &b->pages[id], &rows);
        page_rows_free(&rows);
        if (rc < 0)
            break;
    }
    kiln_buf_free(&raw);
    return rc;
}

void rd_staged_free(rd_staged *st)
{
    kiln_buf_free(&st->bytes);
    free(st->at);
    memset(st, 0, sizeof *st);
}

int rd_block_read_page(kiln_block *b, uint32_t id, size_t nlinks,
                       kiln_page_rows *rows)
{
    const kiln_section *samples;
    const kiln_page_meta *pm = &b->pages[id];
    kiln_buf scratch = KILN_BUF_INIT, raw = KILN_BUF_INIT;
    const uint8_t *p;
    int rc;

    memset(rows, 0, sizeof *rows);
    if ((rc = need_section(b, KILN_SEC_SAMPLES, &samples)) < 0 ||
        (rc = fetch(b, samples->offset + pm->offset, pm->stored, &scratch,
                    &p)) < 0)
        goto out;
    rc = decode_page(b, id, p, nlinks, &raw, rows);
out:
    kiln_buf_free(&scratch);
    kiln_buf_free(&raw);
    return rc;
}

int kiln_block_tables(kiln_block *b, const kiln_tables **out)
{
    int rc;

    *out = NULL;
    if ((rc = rd_block_stacks(b)) < 0 || (rc = rd_block_links(b)) < 0)
        return rc;
    if (!b->tables.serial) {
        b->tables.sym = &b->sym;
        b->tables.stacks = &b->stacks;
        b->tables.series = &b->series;
        b->tables.links = b->links;
        b->tables.nlinks = b->nlinks;
        b->tables.serial = tables_serial_next();
    }
    *out = &b->tables;
    return api_return(0);
}

/* ---- traces ---- */

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

void rd_links_range(const kiln_link *links, size_t n, const uint8_t *trace,
                    const uint8_t *span, size_t *lo, size_t *hi)
{
    *lo = links_lower(links, n, trace, span);
    size_t h = *lo;
    while (h < n && link_cmp(&links[h], trace, span) == 0)
        h++; /* a trace has few spans per block: a walk is enough */
    *hi = h;
}

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
    rd_links_range(b->clinks, ch->nlinks, trace_id, NULL, &lo, &hi);
    return api_return64((int64_t)(hi - lo));
}

/* ---- open ---- */

/* A trailer or footer that does not decode (err, its message set) may be a
 * newer format's: the header says so when it is not ours (its error
 * stands). Else err, with its message - which the header's read, a
 * successful store call, would have cleared - named after the block. */
static int damage_or_version(kiln_block *b, int err)
{
    char msg[1024];
    int rc;

    snprintf(msg, sizeof msg, "%s", kiln_error_last());
    if ((rc = check_header(b)) < 0)
        return rc;
    kiln_error_set(err, "%s", msg);
    return rd_block_err(b, err);
}

static int fill_info(kiln_block *b)
{
    kiln_block_info *in = &b->info;

    b->sinfo = calloc(b->nsecs ? b->nsecs : 1, sizeof *b->sinfo);
    if (!b->sinfo)
        return kiln_error_set(KILN_ENOMEM, "block %s: out of memory", b->key);
    for (size_t i = 0; i < b->nsecs; i++) {
        b->sinfo[i].name = section_name(b->secs[i].type);
        b->sinfo[i].type = b->secs[i].type;
        b->sinfo[i].codec = b->secs[i].codec;
        b->sinfo[i].offset = b->secs[i].offset;
        b->sinfo[i].stored = b->secs[i].stored;
        b->sinfo[i].raw = b->secs[i].raw;
    }
    in->key = b->key;
    in->tenant = b->meta.tenant ? b->meta.tenant : "";
    in->id = b->meta.id ? b->meta.id : "";
    in->size = b->size;
    in->tmin = b->meta.tmin;
    in->tmax = b->meta.tmax;
    in->nseries = b->meta.nseries;
    in->nsamples = b->meta.nsamples;
    in->nstacks = b->meta.nstacks;
    in->nlocations = b->meta.nlocations;
    in->nfunctions = b->meta.nfunctions;
    in->nstrings = b->meta.nstrings;
    in->nlinks = b->meta.nlinks;
    in->ntraces = b->meta.ntraces;
    in->nprofiles = b->meta.nprofiles;
    in->npages = 0;
    in->resolution = b->meta.resolution;
    in->level = b->meta.level;
    in->nsources = b->meta.nsources;
    in->sources = (const char *const *)b->meta.sources;
    in->nlabelnames = b->meta.nlabelnames;
    in->labelnames = (const char *const *)b->meta.labelnames;
    in->labelvalues = b->meta.labelvalues;
    in->nsections = b->nsecs;
    in->sections = b->sinfo;
    in->bloom_bytes = 0;
    in->bloom_fpp = 0;
    const kiln_section *bs = rd_block_section(b, KILN_SEC_BLOOM);
    if (bs) { /* the section's size stands for its block count */
        uint32_t nblocks = bloom_blocks_in(bs->raw);
        in->bloom_bytes = (uint64_t)nblocks * 32;
        if (nblocks)
            in->bloom_fpp = bloom_expected_fpp(nblocks, b->meta.ntraces);
    }
    return 0;
}

int kiln_block_open(kiln_block **out, kiln_store *st, const char *key)
{
    kiln_block *b = NULL;
    kiln_buf extra = KILN_BUF_INIT;
    uint64_t foff, flen, fsum;
    const uint8_t *fp;
    int rc;

    *out = NULL;
    if (!st || !key)
        return kiln_error_set(KILN_EINVAL, "kiln_block_open: no store or key");
    b = calloc(1, sizeof *b);
    if (!b || !(b->key = strdup(key))) {
        rc = kiln_error_set(KILN_ENOMEM, "block %s: out of memory", key);
        goto out;
    }
    b->st = st;
    if ((rc = kiln_store_get_tail(st, key, TAIL_BYTES, &b->tail,
                                  &b->size)) < 0) {
        rc = rd_block_err(b, rc);
        goto out;
    }
    if (b->tail.len > b->size) {
        rc = kiln_error_set(KILN_EIO, "block %s: store returned %zu tail "
                            "bytes of a %llu-byte object", key, b->tail.len,
                            (unsigned long long)b->size);
        goto out;
    }
    b->tail_off = b->size - b->tail.len;
    if (b->size < KILN_HEADER_SIZE + KILN_TRAILER_SIZE ||
        b->tail.len < KILN_TRAILER_SIZE) {
        rc = kiln_error_set(KILN_ECORRUPT, "block %s: %llu bytes is too "
                            "small for a block", key,
                            (unsigned long long)b->size);
        goto out;
    }
    /* A small block holds its header in the tail: check it first, so an
     * unknown version is reported as such rather than as damage. */
    if (b->tail_off == 0 && (rc = check_header(b)) < 0)
        goto out;
    rc = trailer_decode(b->tail.data + b->tail.len - KILN_TRAILER_SIZE,
                             b->size, &foff, &flen, &fsum);
    if (rc < 0) {
        rc = damage_or_version(b, rc);
        goto out;
    }
    if (foff > b->size || flen > b->size - foff) {
        rc = kiln_error_set(KILN_ECORRUPT, "block %s: footer %llu+%llu lies "
                            "past the end", key, (unsigned long long)foff,
                            (unsigned long long)flen);
        goto out;
    }
    if ((rc = fetch(b, foff, flen, &extra, &fp)) < 0)
        goto out;
    if (hash64(fp, flen, 0) != fsum) {
        rc = kiln_error_set(KILN_ECHECKSUM, "block %s: footer: checksum "
                            "mismatch", key);
        goto out;
    }
    rc = footer_decode(fp, flen, foff, &b->secs, &b->nsecs, &b->meta);
    if (rc < 0) {
        b->secs = NULL;
        b->nsecs = 0;
        memset(&b->meta, 0, sizeof b->meta);
        rc = damage_or_version(b, rc);
        goto out;
    }
    /* A key that names a time range must hold the footer's: readers
     * prune by it without opening the block. */
    int64_t lo, hi;
    if (b->meta.nsamples && block_key_range(key, &lo, &hi) &&
        (b->meta.tmin < lo || b->meta.tmax > hi)) {
        rc = kiln_error_set(KILN_ECORRUPT, "block %s: its samples run from "
                            "%lld to %lld ns, outside the seconds its key "
                            "names", key, (long long)b->meta.tmin,
                            (long long)b->meta.tmax);
        goto out;
    }
    if ((rc = fill_info(b)) < 0)
        goto out;
    *out = b;
    b = NULL;
out:
    kiln_buf_free(&extra);
    kiln_block_free(b);
    return api_return(rc);
}

void kiln_block_free(kiln_block *b)
{
    if (!b)
        return;
    if (b->have & RD_HAVE_SERIES)
        seriestab_free(&b->series);
    free(b->pages);
    if (b->have & RD_HAVE_SYMBOLS)
        symtab_free(&b->sym);
    if (b->have & RD_HAVE_STACKS)
        stacks_free(&b->stacks);
    free(b->links);
    if (b->have & RD_HAVE_TRACEINDEX)
        trace_index_free(&b->ti);
    free(b->chunks);
    free(b->clinks);
    trace_index_free(&b->cti);
    free(b->secs);
    meta_free(&b->meta);
    free(b->sinfo);
    kiln_buf_free(&b->tail);
    zctx_free(&b->zstd);
    free(b->key);
    free(b);
}

void rd_block_release(kiln_block *b)
{
    kiln_buf_free(&b->tail);
    b->tail_off = b->size; /* every later read goes to the store */
}

const kiln_block_info *kiln_block_info_get(const kiln_block *b)
{
    return &b->info;
}

int kiln_block_load_index(kiln_block *b)
{
    return api_return(rd_block_pages(b));
}

/* ---- listing ---- */

typedef struct list_ctx {
    kiln_block_list_cb cb; /* the caller's */
    void *ud;
} list_ctx;

static int list_one(void *ud, const char *key, uint64_t size)
{
    list_ctx *lc = ud;
    size_t n = strlen(key);

    if (n < 5 || strcmp(key + n - 5, ".kiln") != 0)
        return 0;
    /* Only direct children of <tenant>/blocks/. */
    const char *slash = strrchr(key, '/');
    const char *blocks = strstr(key, "/blocks/");
    if (!blocks || slash != blocks + 7)
        return 0;
    return lc->cb(lc->ud, key, size);
}

int kiln_blocks_list(kiln_store *st, const char *tenant,
                     kiln_block_list_cb cb, void *ud)
{
    char prefix[256];
    list_ctx lc = {cb, ud};
    int n;

    if (!tenant)
        tenant = "default";
    n = snprintf(prefix, sizeof prefix, "%s/blocks/", tenant);
    if (n < 0 || (size_t)n >= sizeof prefix || !kiln_tenant_valid(tenant))
        return kiln_error_set(KILN_EINVAL,
                              "tenant \"%.80s\" is not 1-64 of [A-Za-z0-9_.-]",
                              tenant);
    return api_return(kiln_store_list(st, prefix, list_one, &lc));
}

/* ---- verify ---- */

typedef struct vctx {
    kiln_block *b;
    uint64_t rows;            /* rows seen */
    int64_t tmin, tmax;       /* of rows */
    uint32_t *trace_of_link;  /* per link: its trace index */
    uint8_t *seen;            /* per (trace, page) pair hit: via lists */
    uint32_t **tpages;        /* per trace: pages holding it (growing) */
    uint32_t *ntp, *captp;    /* per trace: count, capacity */
} vctx;

static int vfail(kiln_block *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* KILN_ECORRUPT with "block KEY: " and the formatted detail. */
static int vfail(kiln_block *b, const char *fmt, ...)
{
    char msg[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return kiln_error_set(KILN_ECORRUPT, "block %s: %s", b->key, msg);
}

static int verify_page(void *ud, uint32_t id, const kiln_page_meta *pm,
                       const kiln_page_rows *rows)
{
    vctx *v = ud;
    kiln_block *b = v->b;
    const kiln_series *s = &b->series.series[pm->series];
    const kiln_kind *k = &b->series.kinds[s->kind];

    if (rows->n != pm->nrows || rows->ntypes != pm->ntypes)
        return vfail(b, "%s: %llu rows / %llu types differ from the index",
                     "section samples", (unsigned long long)rows->n, (unsigned long long)rows->ntypes);
    if (pm->ntypes != k->ntypes)
        return vfail(b, "%s: page has %llu value columns, its series' kind "
                     "%llu types", "section samples", (unsigned long long)pm->ntypes, (unsigned long long)k->ntypes);
    for (uint32_t i = 0; i < rows->n; i++) {
        int64_t t = rows->time[i];
        if (t < pm->tmin || t > pm->tmax)
            return vfail(b, "%s: row %llu of page %llu lies outside the "
                         "page's time range", "section samples", (unsigned long long)i, (unsigned long long)id);
        if (i && t < rows->time[i - 1])
            return vfail(b, "%s: row %llu of page %llu goes back in time",
                         "section samples", (unsigned long long)i, (unsigned long long)id);
        if (rows->duration[i] < 0)
            return vfail(b, "%s: row %llu of page %llu has a negative "
                         "duration", "section samples", (unsigned long long)i, (unsigned long long)id);
        if (rows->link[i]) {
            if (!pm->has_links)
                return vfail(b, "%s: row %llu of page %llu has a link the "
                             "index does not announce", "section samples", (unsigned long long)i, (unsigned long long)id);
            uint32_t tr = v->trace_of_link[rows->link[i] - 1];
            if (v->ntp[tr] == 0 || v->tpages[tr][v->ntp[tr] - 1] != id) {
                if (v->ntp[tr] == v->captp[tr]) {
                    uint32_t cap = v->captp[tr] ? v->captp[tr] * 2 : 4;
                    uint32_t *np = realloc(v->tpages[tr], cap * sizeof *np);
                    if (!np)
                        return kiln_error_set(KILN_ENOMEM, "block %s: out of "
                                              "memory", b->key);
                    v->tpages[tr] = np;
                    v->captp[tr] = cap;
                }
                v->tpages[tr][v->ntp[tr]++] = id;
            }
        }
    }
    if (rows->n) {
        if (rows->time[0] != pm->tmin || rows->time[rows->n - 1] != pm->tmax)
            return vfail(b, "%s: page %llu's rows do not span its indexed "
                         "time range", "section samples", (unsigned long long)id);
        if (!v->rows || pm->tmin < v->tmin)
            v->tmin = pm->tmin;
        if (!v->rows || pm->tmax > v->tmax)
            v->tmax = pm->tmax;
    }
    v->rows += rows->n;
    return 0;
}

static int cmp_sec_off(const void *a, const void *b)
{
    const kiln_section *x = a, *y = b;
    return x->offset < y->offset ? -1 : x->offset > y->offset;
}

static int cmp_u32_pair(const void *a, const void *b)
{
    const uint32_t *x = a, *y = b;
    if (x[0] != y[0])
        return x[0] < y[0] ? -1 : 1;
    return x[1] < y[1] ? -1 : x[1] > y[1];
}

/* Sections: no two of a known type, none overlapping, every checksum. */
static int verify_sections(kiln_block *b)
{
    kiln_section *sorted = NULL;
    kiln_buf raw = KILN_BUF_INIT, scratch = KILN_BUF_INIT;
    unsigned seen = 0;
    int rc = 0;

    sorted = malloc((b->nsecs ? b->nsecs : 1) * sizeof *sorted);
    if (!sorted) {
        rc = kiln_error_set(KILN_ENOMEM, "block %s: out of memory", b->key);
        goto out;
    }
    for (size_t i = 0; i < b->nsecs; i++) {
        unsigned t = b->secs[i].type;
        if (t >= KILN_SEC_SYMBOLS && t <= KILN_SEC_BLOOM) {
            if (seen & (1u << t)) {
                rc = kiln_error_set(KILN_ECORRUPT, "block %s: footer: section "
                                    "%s appears twice", b->key,
                                    section_name(t));
                goto out;
            }
            seen |= 1u << t;
        }
    }
    memcpy(sorted, b->secs, b->nsecs * sizeof *sorted);
    qsort(sorted, b->nsecs, sizeof *sorted, cmp_sec_off);
    for (size_t i = 1; i < b->nsecs; i++) {
        if (sorted[i - 1].offset + sorted[i - 1].stored > sorted[i].offset) {
            rc = kiln_error_set(KILN_ECORRUPT, "block %s: footer: sections %s "
                                "and %s overlap", b->key,
                                section_name(sorted[i - 1].type),
                                section_name(sorted[i].type));
            goto out;
        }
    }
    for (size_t i = 0; i < b->nsecs; i++) {
        const kiln_section *s = &b->secs[i];
        if (s->type == KILN_SEC_SAMPLES) {
            const uint8_t *p;
            if ((rc = check_header(b)) < 0 ||
                (rc = fetch(b, s->offset, s->stored, &scratch, &p)) < 0)
                goto out;
            if (hash64(p, s->stored, 0) != s->checksum) {
                rc = kiln_error_set(KILN_ECHECKSUM, "block %s: section "
                                    "samples: checksum mismatch", b->key);
                goto out;
            }
            continue;
        }
        if ((rc = load_section(b, s, &raw)) < 0)
            goto out;
    }
out:
    free(sorted);
    kiln_buf_free(&raw);
    kiln_buf_free(&scratch);
    return rc;
}

/* Every posting lists, in ascending order, exactly the series that carry
 * its label pair. */
static int verify_postings(kiln_block *b)
{
    const kiln_seriestab *t = &b->series;
    uint64_t total = 0, pairs = 0;

    for (size_t i = 0; i < t->npostings; i++) {
        const kiln_posting *p = &t->postings[i];
        const char *name = strtab_get(&t->strings, p->name);
        const char *value = strtab_get(&t->strings, p->value);
        if ((uint64_t)p->off + p->n > t->npost_ids)
            return vfail(b, "%s: posting %llu lies past the ids",
                         "section series", (unsigned long long)i);
        for (uint32_t j = 0; j < p->n; j++) {
            uint32_t sid = t->post_ids[p->off + j];
            const char *v = sid < t->nseries ?
                series_label(t, sid, name) : NULL;
            if (!v || strcmp(v, value) != 0 ||
                (j && sid <= t->post_ids[p->off + j - 1]))
                return vfail(b, "%s: posting %llu (%s=%s) lists series "
                             "%llu wrongly", "section series",
                             (unsigned long long)i, name, value,
                             (unsigned long long)sid);
        }
        total += p->n;
    }
    for (size_t i = 0; i < t->nseries; i++)
        pairs += t->series[i].nlabs;
    if (total != pairs)
        return vfail(b, "%s: postings hold %llu entries, the series %llu "
                     "labels", "section series", (unsigned long long)total,
                     (unsigned long long)pairs);
    return 0;
}

/* Meta label names and value counts against the series' own labels. */
static int verify_labelnames(kiln_block *b)
{
    const kiln_seriestab *t = &b->series;
    size_t npairs = 0;
    uint32_t *pairs = NULL;
    int rc = 0;

    for (size_t i = 0; i < t->nseries; i++)
        npairs += t->series[i].nlabs;
    pairs = malloc((npairs ? npairs : 1) * 2 * sizeof *pairs);
    if (!pairs)
        return kiln_error_set(KILN_ENOMEM, "block %s: out of memory", b->key);
    size_t k = 0;
    for (size_t i = 0; i < t->nseries; i++) {
        const kiln_series *s = &t->series[i];
        if ((uint64_t)s->lab_off + s->nlabs > t->nlabs) {
            rc = vfail(b, "%s: series %llu labels past the end (%llu)",
                       "section series", (unsigned long long)i, (unsigned long long)s->lab_off);
            goto out;
        }
        for (uint32_t j = 0; j < s->nlabs; j++) {
            pairs[2 * k] = t->labs[2 * (s->lab_off + j)];
            pairs[2 * k + 1] = t->labs[2 * (s->lab_off + j) + 1];
            k++;
        }
    }
    qsort(pairs, npairs, 2 * sizeof *pairs, cmp_u32_pair);
    /* Walk distinct names in pair order; meta names are sorted by string,
     * so look each up. */
    size_t names = 0;
    for (size_t i = 0; i < npairs;) {
        size_t j = i;
        uint64_t values = 0;
        while (j < npairs && pairs[2 * j] == pairs[2 * i]) {
            if (j == i || pairs[2 * j + 1] != pairs[2 * j - 1])
                values++;
            j++;
        }
        const char *name = strtab_get(&t->strings, pairs[2 * i]);
        size_t m;
        for (m = 0; m < b->meta.nlabelnames; m++)
            if (strcmp(b->meta.labelnames[m], name) == 0)
                break;
        if (m == b->meta.nlabelnames) {
            rc = kiln_error_set(KILN_ECORRUPT, "block %s: footer: label name "
                                "\"%s\" of the series is not in the metadata",
                                b->key, name);
            goto out;
        }
        if (b->meta.labelvalues[m] != values) {
            rc = kiln_error_set(KILN_ECORRUPT, "block %s: footer: label \"%s\""
                                " has %llu values, the series %llu", b->key,
                                name,
                                (unsigned long long)b->meta.labelvalues[m],
                                (unsigned long long)values);
            goto out;
        }
        names++;
        i = j;
    }
    if (names != b->meta.nlabelnames)
        rc = kiln_error_set(KILN_ECORRUPT, "block %s: footer: %zu label names,"
                            " the series have %zu", b->key,
                            b->meta.nlabelnames, names);
out:
    free(pairs);
    return rc;
}

static int count_check(kiln_block *b, const char *what, uint64_t meta,
                       uint64_t got)
{
    if (meta == got)
        return 0;
    return kiln_error_set(KILN_ECORRUPT, "block %s: footer: %s is %llu, the "
                          "block holds %llu", b->key, what,
                          (unsigned long long)meta, (unsigned long long)got);
}

int kiln_block_verify(kiln_block *b)
{
    kiln_buf raw = KILN_BUF_INIT;
    kiln_trace_index ti;
    kiln_bloom bloom;
    bool have_ti = false, have_bloom = false;
    uint32_t *ids = NULL;
    vctx v;
    int rc;

    memset(&v, 0, sizeof v);
    memset(&ti, 0, sizeof ti);
    memset(&bloom, 0, sizeof bloom);
    v.b = b;
    if ((rc = check_header(b)) < 0)
        goto out;
    /* Readers skip ignorable flags; verify cannot vouch for what it does
     * not know (and the header has no checksum of its own). */
    if (b->flags & ~KILN_FLAGS_MUST_MASK & ~KILN_FLAGS_KNOWN) {
        rc = kiln_error_set(KILN_EVERSION, "block %s: header: unknown "
                            "ignorable feature flags 0x%llx (a newer writer, "
                            "or damage)", b->key,
                            (unsigned long long)(b->flags &
                                                 ~KILN_FLAGS_MUST_MASK));
        goto out;
    }
    if ((rc = verify_sections(b)) < 0 ||
        (rc = rd_block_pages(b)) < 0 || (rc = rd_block_stacks(b)) < 0 ||
        (rc = rd_block_links(b)) < 0)
        goto out;

    /* Trace index (every link chunk decoded and checked by rd_block_links:
     * checksums, order within and across chunks, counts against the chunk
     * index and the footer) and bloom filter. */
    const kiln_section *s = rd_block_section(b, KILN_SEC_TRACEINDEX);
    if (s) {
        ti = b->ti; /* borrowed from the block */
        have_ti = true;
    }
    s = rd_block_section(b, KILN_SEC_BLOOM);
    if (s) {
        if ((rc = load_section(b, s, &raw)) < 0)
            goto out;
        if ((rc = bloom_decode(&bloom, raw.data, raw.len)) < 0) {
            memset(&bloom, 0, sizeof bloom);
            rc = rd_block_err(b, rc);
            goto out;
        }
        have_bloom = true;
    } else if (b->nlinks) {
        rc = kiln_error_set(KILN_ECORRUPT, "block %s: section bloom is "
                            "missing for %zu links", b->key, b->nlinks);
        goto out;
    }
    if (have_ti) {
        v.trace_of_link = calloc(b->nlinks ? b->nlinks : 1, sizeof(uint32_t));
        v.tpages = calloc(ti.ntraces ? ti.ntraces : 1, sizeof(uint32_t *));
        v.ntp = calloc(ti.ntraces ? ti.ntraces : 1, sizeof(uint32_t));
        v.captp = calloc(ti.ntraces ? ti.ntraces : 1, sizeof(uint32_t));
        if (!v.trace_of_link || !v.tpages || !v.ntp || !v.captp) {
            rc = kiln_error_set(KILN_ENOMEM, "block %s: out of memory", b->key);
            goto out;
        }
        for (size_t k = 0; k < ti.ntraces; k++) {
            size_t end = k + 1 < ti.ntraces ? ti.first_link[k + 1] : b->nlinks;
            if (ti.first_link[k] >= end || end > b->nlinks) {
                rc = vfail(b, "%s: trace %llu's links are out of order (%llu)",
                           "section traceindex", (unsigned long long)k, (unsigned long long)ti.first_link[k]);
                goto out;
            }
            for (size_t l = ti.first_link[k]; l < end; l++) {
                if (memcmp(b->links[l].trace_id,
                           b->links[ti.first_link[k]].trace_id, 16) != 0) {
                    rc = vfail(b, "%s: link %llu does not belong to trace "
                               "%llu", "section traceindex", (unsigned long long)l, (unsigned long long)k);
                    goto out;
                }
                v.trace_of_link[l] = (uint32_t)k;
            }
            if (!have_bloom ||
                !bloom_contains(&bloom, b->links[ti.first_link[k]].trace_id,
                                     16)) {
                rc = vfail(b, "%s: trace %llu is not in the bloom filter",
                           "section bloom", (unsigned long long)k);
                goto out;
            }
        }
        if (b->nlinks && ti.ntraces == 0) {
            rc = vfail(b, "%s: %llu links but no traces",
                       "section traceindex", (unsigned long long)b->nlinks);
            goto out;
        }
    }

    /* Every page, in order: series then time. */
    for (size_t i = 0; i < b->npages; i++) {
        const kiln_page_meta *pm = &b->pages[i];
        if (i && (pm->series < b->pages[i - 1].series ||
                  (pm->series == b->pages[i - 1].series &&
                   pm->tmin < b->pages[i - 1].tmax))) {
            rc = vfail(b, "%s: page %llu is out of (series, time) order",
                       "section pageindex", (unsigned long long)i);
            goto out;
        }
        if (i && pm->offset < b->pages[i - 1].offset +
                                  b->pages[i - 1].stored) {
            rc = vfail(b, "%s: page %llu overlaps page %llu",
                       "section pageindex", (unsigned long long)i, (unsigned long long)i - 1);
            goto out;
        }
    }
    ids = malloc((b->npages ? b->npages : 1) * sizeof *ids);
    if (!ids) {
        rc = kiln_error_set(KILN_ENOMEM, "block %s: out of memory", b->key);
        goto out;
    }
    for (size_t i = 0; i < b->npages; i++)
        ids[i] = (uint32_t)i;
    /* Without links the page decoder refuses any row link, so
     * trace_of_link is only read when the trace index exists. */
    if ((rc = rd_block_read_pages(b, ids, b->npages, b->nlinks, verify_page,
                                  &v)) < 0)
        goto out;
    if (have_ti) {
        for (size_t k = 0; k < ti.ntraces; k++) {
            uint32_t n = ti.pg_off[k + 1] - ti.pg_off[k];
            if (n != v.ntp[k] ||
                (n && memcmp(&ti.pg_ids[ti.pg_off[k]], v.tpages[k],
                             n * sizeof(uint32_t)) != 0)) {
                rc = vfail(b, "%s: trace %llu lists %llu pages, not the pages "
                           "that hold it", "section traceindex", (unsigned long long)k, (unsigned long long)n);
                goto out;
            }
        }
    }

    /* The footer's counts against what was decoded. */
    if ((rc = count_check(b, "nseries", b->meta.nseries,
                          b->series.nseries)) < 0 ||
        (rc = count_check(b, "nsamples", b->meta.nsamples, v.rows)) < 0 ||
        (rc = count_check(b, "nstacks", b->meta.nstacks, b->stacks.n)) < 0 ||
        (rc = count_check(b, "nlocations", b->meta.nlocations,
                          b->sym.nlocations)) < 0 ||
        (rc = count_check(b, "nfunctions", b->meta.nfunctions,
                          b->sym.nfunctions)) < 0 ||
        (rc = count_check(b, "nstrings", b->meta.nstrings,
                          b->sym.strings.n)) < 0 ||
        (rc = count_check(b, "nlinks", b->meta.nlinks, b->nlinks)) < 0 ||
        (rc = count_check(b, "ntraces", b->meta.ntraces,
                          have_ti ? ti.ntraces : 0)) < 0)
        goto out;
    if (v.rows && (v.tmin != b->meta.tmin || v.tmax != b->meta.tmax)) {
        rc = kiln_error_set(KILN_ECORRUPT, "block %s: footer: time range "
                            "[%lld, %lld] differs from the samples' [%lld, "
                            "%lld]", b->key, (long long)b->meta.tmin,
                            (long long)b->meta.tmax, (long long)v.tmin,
                            (long long)v.tmax);
        goto out;
    }
    if ((rc = verify_labelnames(b)) < 0 || (rc = verify_postings(b)) < 0)
        goto out;
out:
    if (v.tpages)
        for (size_t k = 0; k < ti.ntraces; k++)
            free(v.tpages[k]);
    free(v.tpages);
    free(v.ntp);
    free(v.captp);
    free(v.trace_of_link);
    free(ids);
    if (have_bloom)
        bloom_free(&bloom);
    kiln_buf_free(&raw);
    return api_return(rc);
}
