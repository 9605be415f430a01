/* test_pages.c: sample pages, the page index, links and the trace index
 * round-trip and refuse truncated, out-of-range or unordered input. */
#include "fmt_test.h"

static kiln_page_rows make_rows(uint32_t n, uint32_t ntypes, uint64_t seed)
{
    kiln_page_rows r = {0};
    uint64_t s = seed;

    r.n = n;
    r.ntypes = ntypes;
    r.time = malloc((n + 1) * sizeof *r.time);
    r.duration = malloc((n + 1) * sizeof *r.duration);
    r.stack = malloc((n + 1) * sizeof *r.stack);
    r.lset = malloc((n + 1) * sizeof *r.lset);
    r.link = malloc((n + 1) * sizeof *r.link);
    r.values = malloc(((size_t)ntypes * n + 1) * sizeof *r.values);
    int64_t t = 1700000000000000000LL;
    for (uint32_t i = 0; i < n; i++) {
        t += (int64_t)(rng_next(&s) % 3) * 10000000;
        r.time[i] = t;
        r.duration[i] = 10000000000LL;
        r.stack[i] = (uint32_t)(rng_next(&s) % 1000);
        r.lset[i] = (uint32_t)(rng_next(&s) % 4);
        r.link[i] = i % 5 ? 0 : (uint32_t)(rng_next(&s) % 11);
    }
    for (size_t i = 0; i < (size_t)ntypes * n; i++)
        r.values[i] = (int64_t)(rng_next(&s) % 100000) - 10;
    return r;
}

static void free_rows(kiln_page_rows *r)
{
    free(r->time);
    free(r->duration);
    free(r->stack);
    free(r->lset);
    free(r->link);
    free(r->values);
}

static kiln_page_meta meta_of(const kiln_page_rows *r)
{
    kiln_page_meta m = {0};
    m.nrows = r->n;
    m.ntypes = (uint8_t)r->ntypes;
    m.tmin = r->time[0];
    m.tmax = r->time[r->n - 1];
    return m;
}

Test(format_pages, page_roundtrips_all_columns)
{
    kiln_page_rows r = make_rows(4096, 3, 1), d;
    kiln_page_meta m = meta_of(&r);
    kiln_buf b = KILN_BUF_INIT;

    cr_assert(eq(int, page_encode(&r, &b), 0));
    uint8_t *p = dup_exact(b.data, b.len);
    cr_assert(eq(int, page_decode(&d, p, b.len, &m, 1000, 4, 10), 0), "%s",
              kiln_error_last());
    cr_assert(eq(u32, d.n, 4096));
    cr_assert(eq(u32, d.ntypes, 3));
    cr_assert(eq(int, memcmp(d.time, r.time, 4096 * 8), 0));
    cr_assert(eq(int, memcmp(d.duration, r.duration, 4096 * 8), 0));
    cr_assert(eq(int, memcmp(d.stack, r.stack, 4096 * 4), 0));
    cr_assert(eq(int, memcmp(d.lset, r.lset, 4096 * 4), 0));
    cr_assert(eq(int, memcmp(d.link, r.link, 4096 * 4), 0));
    cr_assert(eq(int, memcmp(d.values, r.values, 3 * 4096 * 8), 0));
    page_rows_free(&d);
    /* Out-of-range references are refused. */
    cr_assert(eq(int, page_decode(&d, p, b.len, &m, 999, 4, 10), KILN_ECORRUPT));
    cr_assert(eq(int, page_decode(&d, p, b.len, &m, 1000, 3, 10), KILN_ECORRUPT));
    cr_assert(eq(int, page_decode(&d, p, b.len, &m, 1000, 4, 9), KILN_ECORRUPT));
    /* Times that disagree with the index are refused. */
    kiln_page_meta bad = m;
    bad.tmax += 1;
    cr_assert(eq(int, page_decode(&d, p, b.len, &bad, 1000, 4, 10), KILN_ECORRUPT));
    /* Truncation anywhere is refused. */
    for (size_t len = 0; len < b.len; len += 1 + len / 64) {
        uint8_t *q = dup_exact(b.data, len);
        cr_assert(eq(int, page_decode(&d, q, len, &m, 1000, 4, 10), KILN_ECORRUPT));
        free(q);
    }
    free(p);
    free_rows(&r);
    kiln_buf_free(&b);
}

Test(format_pages, decreasing_time_is_corrupt)
{
    kiln_page_rows r = make_rows(10, 1, 2), d;
    kiln_buf b = KILN_BUF_INIT;

    r.time[5] = r.time[4] - 1;
    kiln_page_meta m = meta_of(&r);
    cr_assert(eq(int, page_encode(&r, &b), 0));
    cr_assert(eq(int, page_decode(&d, b.data, b.len, &m, 1000, 4, 10), KILN_ECORRUPT));
    free_rows(&r);
    kiln_buf_free(&b);
}

static void make_index(kiln_page_meta *pg, size_t n)
{
    uint64_t s = 3, off = 0;
    for (size_t i = 0; i < n; i++) {
        pg[i].series = (uint32_t)(i / 4);
        pg[i].nrows = 1 + (uint32_t)(rng_next(&s) % 4096);
        pg[i].tmin = 1700000000000000000LL + (int64_t)(i % 4) * 60000000000LL;
        pg[i].tmax = pg[i].tmin + (int64_t)(rng_next(&s) % 60000000000ULL);
        pg[i].offset = off;
        pg[i].stored = 100 + rng_next(&s) % 5000;
        pg[i].raw = pg[i].stored * 3;
        pg[i].checksum = rng_next(&s);
        pg[i].codec = KILN_CODEC_ZSTD;
        pg[i].ntypes = 2;
        pg[i].has_links = i % 2;
        off += pg[i].stored;
    }
}

static int dec_index(const uint8_t *p, size_t n)
{
    kiln_page_meta *pg;
    size_t np;
    int rc = pageindex_decode(&pg, &np, p, n, UINT64_MAX / 2, 100);
    if (rc == 0)
        free(pg);
    return rc;
}

Test(format_pages, page_index_roundtrips_and_checks_extents)
{
    kiln_page_meta pg[40], *d;
    size_t nd;
    kiln_buf b = KILN_BUF_INIT;

    memset(pg, 0, sizeof pg);
    make_index(pg, 40);
    uint64_t total = pg[39].offset + pg[39].stored;
    cr_assert(eq(int, pageindex_encode(pg, 40, &b), 0));
    cr_assert(eq(int, pageindex_decode(&d, &nd, b.data, b.len, total, 10), 0),
              "%s", kiln_error_last());
    cr_assert(eq(sz, nd, 40));
    cr_assert(eq(int, memcmp(d, pg, sizeof pg), 0));
    free(d);
    /* The last page ends one byte past a shorter samples section. */
    cr_assert(eq(int, pageindex_decode(&d, &nd, b.data, b.len, total - 1, 10),
                 KILN_ECORRUPT));
    /* Series 9 exists only if nseries > 9. */
    cr_assert(eq(int, pageindex_decode(&d, &nd, b.data, b.len, total, 9),
                 KILN_ECORRUPT));
    for (size_t len = 0; len < b.len; len++) {
        uint8_t *q = dup_exact(b.data, len);
        cr_assert(eq(int, dec_index(q, len), KILN_ECORRUPT), "prefix %zu", len);
        free(q);
    }
    kiln_buf_free(&b);
}

Test(format_pages, page_index_refuses_inverted_time_and_bad_codec)
{
    kiln_page_meta pg[2], *d;
    size_t nd;
    kiln_buf b = KILN_BUF_INIT;

    memset(pg, 0, sizeof pg);
    make_index(pg, 2);
    pg[1].tmax = pg[1].tmin - 1;
    pageindex_encode(pg, 2, &b);
    cr_assert(eq(int, pageindex_decode(&d, &nd, b.data, b.len, 1 << 20, 10), KILN_ECORRUPT));
    make_index(pg, 2);
    pg[0].codec = 7;
    kiln_buf_reset(&b);
    pageindex_encode(pg, 2, &b);
    cr_assert(eq(int, pageindex_decode(&d, &nd, b.data, b.len, 1 << 20, 10), KILN_ECORRUPT));
    kiln_buf_free(&b);
}

/* ---- links and trace index ---- */

static size_t make_links(kiln_link *l, size_t n)
{
    memset(l, 0, n * sizeof *l);
    for (size_t i = 0; i < n; i++) {
        l[i].trace_id[0] = (uint8_t)(i / 3);  /* three spans per trace */
        l[i].trace_id[15] = 0xaa;
        l[i].span_id[7] = (uint8_t)(i % 3);
    }
    return n;
}

Test(format_links, links_roundtrip_and_must_be_sorted)
{
    kiln_link l[30], *d;
    size_t nd;
    kiln_buf b = KILN_BUF_INIT;

    make_links(l, 30);
    cr_assert(eq(int, links_encode(l, 30, &b), 0));
    cr_assert(eq(sz, b.len, 1 + 30 * 24));
    cr_assert(eq(int, links_decode(&d, &nd, b.data, b.len), 0));
    cr_assert(eq(sz, nd, 30));
    cr_assert(eq(int, memcmp(d, l, sizeof l), 0));
    free(d);
    for (size_t len = 0; len < b.len; len += 7) {
        uint8_t *q = dup_exact(b.data, len);
        cr_assert(eq(int, links_decode(&d, &nd, q, len), KILN_ECORRUPT));
        free(q);
    }
    /* Swap two span ids in the stored bytes: no longer sorted. */
    uint8_t *spans = b.data + 1 + 30 * 16;
    spans[7] = 1;
    spans[8 + 7] = 0;
    cr_assert(eq(int, links_decode(&d, &nd, b.data, b.len), KILN_ECORRUPT));
    /* A duplicate is refused by the encoder. */
    l[1] = l[0];
    kiln_buf_reset(&b);
    cr_assert(eq(int, links_encode(l, 30, &b), KILN_EINVAL));
    kiln_buf_free(&b);
}

Test(format_links, trace_index_roundtrips_and_is_checked_against_links)
{
    kiln_link l[30];
    make_links(l, 30); /* 10 traces */
    uint32_t first[10], off[11], ids[25];
    size_t k = 0;
    for (uint32_t t = 0; t < 10; t++) {
        first[t] = 3 * t;
        off[t] = (uint32_t)k;
        for (uint32_t p = t % 3; p < 7; p += 3)
            ids[k++] = p + t;
    }
    off[10] = (uint32_t)k;
    kiln_trace_index ti = {10, first, off, ids}, d;
    kiln_buf b = KILN_BUF_INIT;
    cr_assert(eq(int, trace_index_encode(&ti, &b), 0));
    cr_assert(eq(int, trace_index_decode(&d, b.data, b.len, l, 30, 20), 0),
              "%s", kiln_error_last());
    cr_assert(eq(sz, d.ntraces, 10));
    cr_assert(eq(int, memcmp(d.first_link, first, sizeof first), 0));
    cr_assert(eq(int, memcmp(d.pg_off, off, sizeof off), 0));
    cr_assert(eq(int, memcmp(d.pg_ids, ids, k * 4), 0));
    trace_index_free(&d);
    /* Pages beyond npages, or links that do not match, are refused. */
    cr_assert(eq(int, trace_index_decode(&d, b.data, b.len, l, 30, 15), KILN_ECORRUPT));
    cr_assert(eq(int, trace_index_decode(&d, b.data, b.len, l, 27, 20), KILN_ECORRUPT));
    l[4].trace_id[0] = 1; /* still sorted, but trace 2 now starts at link 5 */
    l[5].trace_id[0] = 2;
    cr_assert(eq(int, trace_index_decode(&d, b.data, b.len, l, 30, 20), KILN_ECORRUPT));
    make_links(l, 30);
    for (size_t len = 0; len < b.len; len++) {
        uint8_t *q = dup_exact(b.data, len);
        cr_assert(eq(int, trace_index_decode(&d, q, len, l, 30, 20), KILN_ECORRUPT));
        free(q);
    }
    kiln_buf_free(&b);
}
