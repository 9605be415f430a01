/* test_link_chunks.c: links stored as chunks of whole traces with a chunk
 * index (spec/links.md): round trip, one chunk answers a trace, and damage
 * to a chunk or to the index is refused, never read past. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdlib.h>
#include <string.h>

#include "format_internal.h"

/* A sorted link set: ntraces traces with 1..5 spans each (pseudo-random),
 * and a trace index giving trace k the pages {k % 7, k % 7 + 3}. */
typedef struct fixture {
    kiln_link *links;
    size_t n;
    kiln_trace_index ti;
    kiln_buf sec, idx;
    kiln_link_chunk *chunks;
    size_t nchunks;
} fixture;

static uint64_t rnd(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return *s >> 17;
}

static void build(fixture *f, size_t ntraces, size_t per_chunk)
{
    uint64_t seed = 42;
    memset(f, 0, sizeof *f);
    f->links = malloc(ntraces * 5 * sizeof *f->links);
    f->ti.first_link = malloc(ntraces * sizeof(uint32_t));
    f->ti.pg_off = malloc((ntraces + 1) * sizeof(uint32_t));
    f->ti.pg_ids = malloc(ntraces * 2 * sizeof(uint32_t));
    cr_assert(f->links && f->ti.first_link && f->ti.pg_off && f->ti.pg_ids);
    for (size_t k = 0; k < ntraces; k++) {
        /* Ascending trace ids: the big-endian trace number, then noise. */
        uint8_t tr[16];
        memset(tr, 0, sizeof tr);
        tr[0] = (uint8_t)(k >> 16);
        tr[1] = (uint8_t)(k >> 8);
        tr[2] = (uint8_t)k;
        for (int j = 3; j < 16; j++)
            tr[j] = (uint8_t)rnd(&seed);
        size_t spans = 1 + rnd(&seed) % 5;
        f->ti.first_link[k] = (uint32_t)f->n;
        for (size_t s = 0; s < spans; s++) {
            memcpy(f->links[f->n].trace_id, tr, 16);
            memset(f->links[f->n].span_id, 0, 8);
            f->links[f->n].span_id[7] = (uint8_t)(s + 1);
            f->n++;
        }
        f->ti.pg_off[k] = (uint32_t)(2 * k);
        f->ti.pg_ids[2 * k] = (uint32_t)(k % 7);
        f->ti.pg_ids[2 * k + 1] = (uint32_t)(k % 7 + 3);
    }
    f->ti.pg_off[ntraces] = (uint32_t)(2 * ntraces);
    f->ti.ntraces = ntraces;
    cr_assert(eq(int, links_chunked_encode(f->links, f->n, &f->ti,
                                                per_chunk, KILN_CODEC_ZSTD, 3,
                                                &f->sec, &f->idx, NULL), 0),
              "%s", kiln_error_last());
    uint64_t nl, nt;
    cr_assert(eq(int, link_chunks_decode(&f->chunks, &f->nchunks,
                                              f->idx.data, f->idx.len,
                                              f->sec.len, &nl, &nt), 0),
              "%s", kiln_error_last());
    cr_assert(eq(u64, nl, f->n));
    cr_assert(eq(u64, nt, ntraces));
}

static void unbuild(fixture *f)
{
    free(f->links);
    trace_index_free(&f->ti);
    kiln_buf_free(&f->sec);
    kiln_buf_free(&f->idx);
    free(f->chunks);
}

Test(format_link_chunks, roundtrip_whole_and_chunk_boundaries)
{
    fixture f;
    build(&f, 2000, 100);
    cr_assert(gt(sz, f.nchunks, 10), "%zu chunks", f.nchunks);
    uint32_t links = 0, traces = 0;
    for (size_t i = 0; i < f.nchunks; i++) {
        const kiln_link_chunk *c = &f.chunks[i];
        cr_assert(eq(u32, c->first_link, links));
        cr_assert(eq(u32, c->first_trace_no, traces));
        /* Whole traces: the chunk starts where a trace starts. */
        cr_assert(eq(u32, f.ti.first_link[traces], c->first_link));
        cr_assert(eq(int, memcmp(c->first_trace,
                                 f.links[c->first_link].trace_id, 16), 0));
        /* At least per_chunk links, except the last; fewer than
         * per_chunk + one trace (5 spans). */
        if (i + 1 < f.nchunks)
            cr_assert(ge(u32, c->nlinks, 100));
        cr_assert(lt(u32, c->nlinks, 105));
        links += c->nlinks;
        traces += c->ntraces;
    }
    kiln_link *d;
    size_t nd;
    kiln_trace_index ti;
    cr_assert(eq(int, links_chunked_decode(f.chunks, f.nchunks,
                                                f.sec.data, f.sec.len, 10, &d,
                                                &nd, &ti), 0),
              "%s", kiln_error_last());
    cr_assert(eq(sz, nd, f.n));
    cr_assert(eq(int, memcmp(d, f.links, nd * sizeof *d), 0));
    cr_assert(eq(sz, ti.ntraces, f.ti.ntraces));
    cr_assert(eq(int, memcmp(ti.first_link, f.ti.first_link,
                             ti.ntraces * sizeof(uint32_t)), 0));
    cr_assert(eq(int, memcmp(ti.pg_off, f.ti.pg_off,
                             (ti.ntraces + 1) * sizeof(uint32_t)), 0));
    cr_assert(eq(int, memcmp(ti.pg_ids, f.ti.pg_ids,
                             ti.pg_off[ti.ntraces] * sizeof(uint32_t)), 0));
    free(d);
    trace_index_free(&ti);
    /* A page id past the page count is refused. */
    cr_assert(eq(int, links_chunked_decode(f.chunks, f.nchunks,
                                                f.sec.data, f.sec.len, 9, &d,
                                                &nd, &ti), KILN_ECORRUPT));
    unbuild(&f);
}

Test(format_link_chunks, one_chunk_answers_each_trace)
{
    fixture f;
    build(&f, 1000, 64);
    for (size_t k = 0; k < f.ti.ntraces; k += 37) {
        const uint8_t *tr = f.links[f.ti.first_link[k]].trace_id;
        size_t i = link_chunk_find(f.chunks, f.nchunks, tr);
        cr_assert(lt(sz, i, f.nchunks));
        const kiln_link_chunk *c = &f.chunks[i];
        kiln_link *l;
        kiln_trace_index ti;
        cr_assert(eq(int, link_chunk_decode(
                              c, i, f.sec.data + c->offset,
                              i + 1 < f.nchunks ? f.chunks[i + 1].first_trace
                                                : NULL,
                              10, &l, &ti, NULL), 0),
                  "%s", kiln_error_last());
        /* The trace's entry, with local link ids and its two pages. */
        uint32_t local = f.ti.first_link[k] - c->first_link;
        size_t e = k - c->first_trace_no;
        cr_assert(lt(sz, e, ti.ntraces));
        cr_assert(eq(u32, ti.first_link[e], local));
        cr_assert(eq(int, memcmp(l[local].trace_id, tr, 16), 0));
        cr_assert(eq(u32, ti.pg_off[e + 1] - ti.pg_off[e], 2));
        cr_assert(eq(u32, ti.pg_ids[ti.pg_off[e]], (uint32_t)(k % 7)));
        free(l);
        trace_index_free(&ti);
    }
    /* Before the first chunk's first trace: no chunk. */
    uint8_t zero[16] = {0};
    cr_assert(eq(sz, link_chunk_find(f.chunks, f.nchunks, zero),
                 f.nchunks));
    unbuild(&f);
}

Test(format_link_chunks, damaged_chunk_is_refused_by_checksum)
{
    fixture f;
    build(&f, 500, 64);
    size_t i = f.nchunks / 2;
    const kiln_link_chunk *c = &f.chunks[i];
    for (uint64_t at = 0; at < c->stored; at += 7) {
        f.sec.data[c->offset + at] ^= 0x10;
        kiln_link *l = NULL;
        kiln_trace_index ti;
        int rc = link_chunk_decode(c, i, f.sec.data + c->offset,
                                        f.chunks[i + 1].first_trace, 10, &l,
                                        &ti, NULL);
        cr_assert(eq(int, rc, KILN_ECHECKSUM), "byte %llu",
                  (unsigned long long)at);
        cr_assert(strstr(kiln_error_last(), "section links: chunk") != NULL,
                  "%s", kiln_error_last());
        kiln_link *d = NULL;
        size_t nd;
        cr_assert(eq(int, links_chunked_decode(f.chunks, f.nchunks,
                                                    f.sec.data, f.sec.len, 10,
                                                    &d, &nd, &ti),
                     KILN_ECHECKSUM));
        cr_assert(d == NULL);
        f.sec.data[c->offset + at] ^= 0x10;
    }
    unbuild(&f);
}

/* Every single-byte change and every truncation of the chunk index is
 * either refused or, when it decodes, caught when the chunks are read
 * (checksum, counts, order). Nothing is read past a buffer. */
Test(format_link_chunks, damaged_index_is_refused)
{
    fixture f;
    build(&f, 300, 64);
    for (size_t at = 0; at < f.idx.len; at++) {
        for (int bit = 0; bit < 8; bit += 3) {
            uint8_t *q = malloc(f.idx.len);
            memcpy(q, f.idx.data, f.idx.len);
            q[at] ^= (uint8_t)(1u << bit);
            kiln_link_chunk *ch = NULL;
            size_t n;
            uint64_t nl, nt;
            int rc = link_chunks_decode(&ch, &n, q, f.idx.len, f.sec.len,
                                             &nl, &nt);
            if (rc == 0) {
                kiln_link *d = NULL;
                size_t nd;
                kiln_trace_index ti;
                rc = links_chunked_decode(ch, n, f.sec.data, f.sec.len,
                                               10, &d, &nd, &ti);
                /* A changed count that still adds up is caught by the
                 * footer's totals (checked by the reader). */
                if (rc == 0) {
                    cr_assert(nl != f.n || nt != f.ti.ntraces,
                              "flip at %zu bit %d went unnoticed", at, bit);
                    free(d);
                    trace_index_free(&ti);
                }
            }
            cr_assert(rc == 0 || rc == KILN_ECORRUPT || rc == KILN_ECHECKSUM ||
                      rc == KILN_ELIMIT || rc == KILN_EVERSION,
                      "rc %d", rc);
            free(ch);
            free(q);
        }
    }
    for (size_t len = 0; len < f.idx.len; len++) {
        kiln_link_chunk *ch = NULL;
        size_t n;
        uint64_t nl, nt;
        cr_assert(lt(int, link_chunks_decode(&ch, &n, f.idx.data, len,
                                                  f.sec.len, &nl, &nt), 0),
                  "truncated to %zu", len);
        cr_assert(ch == NULL);
    }
    unbuild(&f);
}

Test(format_link_chunks, chunks_out_of_order_are_refused)
{
    fixture f;
    build(&f, 300, 64);
    cr_assert(ge(sz, f.nchunks, 3));
    /* Chunk 1 claims chunk 0's first trace: the index is not ascending. */
    kiln_buf idx = KILN_BUF_INIT;
    cr_assert(eq(int, kiln_buf_append(&idx, f.idx.data, f.idx.len), 0));
    /* Find chunk 1's first trace in the raw index and overwrite it. */
    uint8_t *p = memmem(idx.data, idx.len, f.chunks[1].first_trace, 16);
    cr_assert(p != NULL);
    memcpy(p, f.chunks[0].first_trace, 16);
    kiln_link_chunk *ch = NULL;
    size_t n;
    uint64_t nl, nt;
    cr_assert(eq(int, link_chunks_decode(&ch, &n, idx.data, idx.len,
                                              f.sec.len, &nl, &nt),
                 KILN_ECORRUPT));
    /* Chunk 1's first trace moved earlier than chunk 0's last link: chunk
     * 0 no longer sorts before its successor. */
    memcpy(f.chunks[1].first_trace, f.links[f.chunks[0].first_link].trace_id,
           16);
    f.chunks[1].first_trace[15] ^= 0x01;
    kiln_link *l = NULL;
    kiln_trace_index ti;
    cr_assert(eq(int, link_chunk_decode(&f.chunks[0], 0, f.sec.data,
                                             f.chunks[1].first_trace, 10, &l,
                                             &ti, NULL), KILN_ECORRUPT));
    /* The extents must tile the section exactly. */
    cr_assert(eq(int, link_chunks_decode(&ch, &n, f.idx.data, f.idx.len,
                                              f.sec.len + 1, &nl, &nt),
                 KILN_ECORRUPT));
    kiln_buf_free(&idx);
    unbuild(&f);
}

Test(format_link_chunks, no_links_no_chunks)
{
    kiln_trace_index ti;
    memset(&ti, 0, sizeof ti);
    kiln_buf sec = KILN_BUF_INIT, idx = KILN_BUF_INIT;
    cr_assert(eq(int, links_chunked_encode(NULL, 0, &ti, 0,
                                                KILN_CODEC_ZSTD, 3, &sec,
                                                &idx, NULL), 0));
    cr_assert(eq(sz, sec.len, 0));
    kiln_link_chunk *ch;
    size_t n;
    uint64_t nl, nt;
    cr_assert(eq(int, link_chunks_decode(&ch, &n, idx.data, idx.len, 0,
                                              &nl, &nt), 0));
    cr_assert(eq(sz, n, 0));
    cr_assert(eq(u64, nl, 0));
    kiln_link *d;
    size_t nd;
    cr_assert(eq(int, links_chunked_decode(ch, n, sec.data, 0, 0, &d, &nd,
                                                &ti), 0));
    cr_assert(eq(sz, nd, 0));
    free(d);
    trace_index_free(&ti);
    kiln_buf_free(&sec);
    kiln_buf_free(&idx);
}
