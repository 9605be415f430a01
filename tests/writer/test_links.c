/* test_links.c: pprof sample labels holding trace and span ids (hex)
 * become the sample's link, indexed by trace and in the bloom filter;
 * malformed ids give no link and are counted, and no id is invented. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"

#define TRACE_A "0af7651916cd43dd8448eb211c80319c"
#define TRACE_B "4BF92F3577B34DA6A3CE929D0E0E4736" /* upper case */
#define SPAN_A "b7ad6b7169203331"
#define SPAN_B "00f067aa0ba902b7"

static void hex(const char *s, uint8_t *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        sscanf(s + 2 * i, "%2x", &v);
        out[i] = (uint8_t)v;
    }
}

static void build(th_prof *t, const kiln_writer_opts *o, kiln_writer_stats *st,
                  tblock *b, kiln_buf *block)
{
    kiln_writer *w = NULL;
    cr_assert(eq(int, kiln_writer_new(&w, o), 0));
    th_prof_add(w, t);
    kiln_writer_stats_get(w, st);
    char id[27];
    memset(block, 0, sizeof *block);
    th_finish(w, block, id);
    th_block_open(b, block);
    kiln_writer_free(w);
}

/* The row whose leaf is location `loc` (1-based pprof id). */
static uint32_t row_of(const tblock *b, uint64_t loc)
{
    const kiln_page_rows *r = &b->rows[0];
    for (uint32_t i = 0; i < r->n; i++) {
        const kiln_location *l = &b->sym.locations[b->stacks.loc[r->stack[i]]];
        if (l->address == 0x1000 + loc - 1)
            return i;
    }
    cr_assert(false, "no row for location %llu", (unsigned long long)loc);
    return 0;
}

/* The label set of a row as "k=v,k=v" (sorted by the writer). */
static void lset_str(const tblock *b, uint32_t lset, char *out, size_t n)
{
    out[0] = '\0';
    const kiln_labelset *ls = &b->sym.lsets[lset];
    for (uint32_t i = 0; i < ls->n; i++) {
        const kiln_label_ent *e = &b->sym.labels[ls->off + i];
        size_t k = strlen(out);
        snprintf(out + k, n - k, "%s%s=%s", i ? "," : "",
                 strtab_get(&b->sym.strings, e->key),
                 strtab_get(&b->sym.strings, e->str));
    }
}

Test(writer, trace_and_span_labels_become_links)
{
    th_prof t;
    th_prof_init(&t);
    uint64_t l1[] = {1}, l2[] = {2}, l3[] = {3}, l4[] = {4};
    Perftools__Profiles__Sample *s;
    s = th_prof_sample(&t, l1, 1, 1, 1);
    th_prof_label(&t, s, "trace_id", TRACE_A);
    th_prof_label(&t, s, "span_id", SPAN_A);
    th_prof_label(&t, s, "http.route", "/pay");
    s = th_prof_sample(&t, l2, 1, 1, 1);
    th_prof_label(&t, s, "trace_id", TRACE_B);  /* upper case: kept too */
    th_prof_label(&t, s, "profile_id", SPAN_B); /* Pyroscope's span alias */
    s = th_prof_sample(&t, l3, 1, 1, 1);
    th_prof_label(&t, s, "trace_id", TRACE_A); /* no span: span 0 */
    s = th_prof_sample(&t, l4, 1, 1, 1);
    th_prof_label(&t, s, "http.route", "/pay");

    kiln_writer_stats st;
    tblock b;
    kiln_buf block;
    build(&t, NULL, &st, &b, &block);
    cr_assert(eq(u64, st.bad_links, 0));
    cr_assert(eq(sz, b.nlinks, 3));
    cr_assert(eq(u64, b.meta.nlinks, 3));
    cr_assert(eq(u64, b.meta.ntraces, 2));
    cr_assert(eq(u8, b.pages[0].has_links, 1));

    uint8_t ta[16], tb[16], sa[8], sb[8], zero[8] = {0};
    hex(TRACE_A, ta, 16);
    hex(TRACE_B, tb, 16);
    hex(SPAN_A, sa, 8);
    hex(SPAN_B, sb, 8);
    /* sorted by trace then span: (A, 0), (A, SPAN_A), (B, SPAN_B from
     * profile_id, issue 4's alias) */
    cr_assert(eq(int, memcmp(b.links[0].trace_id, ta, 16), 0));
    cr_assert(eq(int, memcmp(b.links[0].span_id, zero, 8), 0));
    cr_assert(eq(int, memcmp(b.links[1].trace_id, ta, 16), 0));
    cr_assert(eq(int, memcmp(b.links[1].span_id, sa, 8), 0));
    cr_assert(eq(int, memcmp(b.links[2].trace_id, tb, 16), 0));
    cr_assert(eq(int, memcmp(b.links[2].span_id, sb, 8), 0));

    const kiln_page_rows *r = &b.rows[0];
    cr_assert(eq(u32, r->link[row_of(&b, 1)], 2));
    cr_assert(eq(u32, r->link[row_of(&b, 2)], 3));
    cr_assert(eq(u32, r->link[row_of(&b, 3)], 1));
    cr_assert(eq(u32, r->link[row_of(&b, 4)], 0));
    /* link labels are not sample labels; the others are */
    char buf[256];
    lset_str(&b, r->lset[row_of(&b, 1)], buf, sizeof buf);
    cr_assert(eq(str, buf, "http.route=/pay"));
    cr_assert(eq(u32, r->lset[row_of(&b, 1)], r->lset[row_of(&b, 4)]));
    /* the upper-case trace id and profile_id stay labels, verbatim */
    lset_str(&b, r->lset[row_of(&b, 2)], buf, sizeof buf);
    cr_assert(strstr(buf, "trace_id=" TRACE_B) != NULL, "%s", buf);
    cr_assert(strstr(buf, "profile_id=" SPAN_B) != NULL, "%s", buf);
    cr_assert(eq(u32, b.sym.lsets[r->lset[row_of(&b, 2)]].n, 2));
    cr_assert(eq(u32, r->lset[row_of(&b, 3)], 0));

    /* trace index: both traces in page 0; bloom has both */
    cr_assert(eq(sz, b.ti.ntraces, 2));
    cr_assert(eq(u32, b.ti.first_link[0], 0));
    cr_assert(eq(u32, b.ti.first_link[1], 2));
    for (size_t k = 0; k < 2; k++) {
        cr_assert(eq(u32, b.ti.pg_off[k + 1] - b.ti.pg_off[k], 1));
        cr_assert(eq(u32, b.ti.pg_ids[b.ti.pg_off[k]], 0));
    }
    cr_assert(bloom_contains(&b.bloom, ta, 16));
    cr_assert(bloom_contains(&b.bloom, tb, 16));
    th_block_free(&b);
    kiln_buf_free(&block);
}

Test(writer, malformed_ids_give_no_link_and_are_counted)
{
    th_prof t;
    th_prof_init(&t);
    uint64_t l1[] = {1}, l2[] = {2}, l3[] = {3}, l4[] = {4};
    Perftools__Profiles__Sample *s;
    s = th_prof_sample(&t, l1, 1, 1, 1);
    th_prof_label(&t, s, "trace_id", "0af7651916cd43dd8448eb211c80319"); /* 31 */
    s = th_prof_sample(&t, l2, 1, 1, 1);
    th_prof_label(&t, s, "trace_id", "0af7651916cd43dd8448eb211c80319g");
    s = th_prof_sample(&t, l3, 1, 1, 1);
    th_prof_label(&t, s, "trace_id", TRACE_A);
    th_prof_label(&t, s, "span_id", "b7ad6b71692033"); /* 14 digits */
    s = th_prof_sample(&t, l4, 1, 1, 1);
    th_prof_label(&t, s, "trace_id", "00000000000000000000000000000000");

    kiln_writer_stats st;
    tblock b;
    kiln_buf block;
    build(&t, NULL, &st, &b, &block);
    cr_assert(eq(u64, st.bad_links, 4));
    cr_assert(eq(sz, b.nlinks, 0));
    cr_assert(eq(u8, b.pages[0].has_links, 0));
    const kiln_page_rows *r = &b.rows[0];
    char buf[256];
    for (uint64_t loc = 1; loc <= 4; loc++)
        cr_assert(eq(u32, r->link[row_of(&b, loc)], 0));
    /* the malformed labels are kept as ordinary sample labels */
    lset_str(&b, r->lset[row_of(&b, 2)], buf, sizeof buf);
    cr_assert(eq(str, buf, "trace_id=0af7651916cd43dd8448eb211c80319g"));
    lset_str(&b, r->lset[row_of(&b, 3)], buf, sizeof buf);
    /* (label sets are sorted by string id, not by text) */
    cr_assert(eq(u32, b.sym.lsets[r->lset[row_of(&b, 3)]].n, 2));
    cr_assert(strstr(buf, "span_id=b7ad6b71692033") != NULL, "%s", buf);
    cr_assert(strstr(buf, "trace_id=" TRACE_A) != NULL, "%s", buf);
    th_block_free(&b);
    kiln_buf_free(&block);
}

Test(writer, span_without_trace_stays_a_label)
{
    th_prof t;
    th_prof_init(&t);
    uint64_t l1[] = {1};
    Perftools__Profiles__Sample *s = th_prof_sample(&t, l1, 1, 1, 1);
    th_prof_label(&t, s, "span_id", SPAN_A);
    kiln_writer_stats st;
    tblock b;
    kiln_buf block;
    build(&t, NULL, &st, &b, &block);
    cr_assert(eq(u64, st.bad_links, 0));
    cr_assert(eq(sz, b.nlinks, 0));
    char buf[256];
    lset_str(&b, b.rows[0].lset[0], buf, sizeof buf);
    cr_assert(eq(str, buf, "span_id=" SPAN_A));
    th_block_free(&b);
    kiln_buf_free(&block);
}

Test(writer, link_keys_are_configurable)
{
    th_prof t;
    th_prof_init(&t);
    uint64_t l1[] = {1}, l2[] = {2};
    Perftools__Profiles__Sample *s = th_prof_sample(&t, l1, 1, 1, 1);
    th_prof_label(&t, s, "otel.trace", TRACE_A);
    th_prof_label(&t, s, "otel.span", SPAN_A);
    s = th_prof_sample(&t, l2, 1, 1, 1);
    th_prof_label(&t, s, "trace_id", TRACE_B); /* not a link key now */
    kiln_writer_opts o = KILN_WRITER_OPTS_INIT;
    o.trace_key = "otel.trace";
    o.span_key = "otel.span";
    kiln_writer_stats st;
    tblock b;
    kiln_buf block;
    build(&t, &o, &st, &b, &block);
    cr_assert(eq(sz, b.nlinks, 1));
    cr_assert(eq(u32, b.rows[0].link[row_of(&b, 1)], 1));
    cr_assert(eq(u32, b.rows[0].link[row_of(&b, 2)], 0));
    char buf[256];
    lset_str(&b, b.rows[0].lset[row_of(&b, 2)], buf, sizeof buf);
    cr_assert(eq(str, buf, "trace_id=" TRACE_B));
    th_block_free(&b);
    kiln_buf_free(&block);
}

/* Many traces over many pages: the trace index names exactly the pages
 * holding each trace, and the bloom filter knows every trace. */
Test(writer, trace_index_names_the_pages_of_each_trace)
{
    kiln_writer_opts o = KILN_WRITER_OPTS_INIT;
    o.page_rows = 2;
    kiln_writer *w = NULL;
    cr_assert(eq(int, kiln_writer_new(&w, &o), 0));
    char traces[5][33];
    for (int p = 0; p < 5; p++) {
        th_prof t;
        th_prof_init(&t);
        t.p.time_nanos += p * 10000000000LL;
        snprintf(traces[p], sizeof traces[p], "%032x", 0x100 + p);
        uint64_t l1[] = {1}, l2[] = {2};
        Perftools__Profiles__Sample *s = th_prof_sample(&t, l1, 1, 1, 1);
        th_prof_label(&t, s, "trace_id", traces[p]);
        s = th_prof_sample(&t, l2, 1, 1, 1);
        th_prof_label(&t, s, "trace_id", traces[0]); /* trace 0 everywhere */
        th_prof_add(w, &t);
    }
    kiln_buf block = KILN_BUF_INIT;
    char id[27];
    th_finish(w, &block, id);
    kiln_writer_free(w);
    tblock b;
    th_block_open(&b, &block);
    cr_assert(eq(sz, b.npages, 5));
    cr_assert(eq(sz, b.ti.ntraces, 5));
    /* trace k (k > 0) only in page k; trace 0 in every page */
    for (size_t k = 0; k < 5; k++) {
        uint32_t a = b.ti.pg_off[k], e = b.ti.pg_off[k + 1];
        if (k == 0) {
            cr_assert(eq(u32, e - a, 5));
            for (uint32_t i = 0; i < 5; i++)
                cr_assert(eq(u32, b.ti.pg_ids[a + i], i));
        } else {
            cr_assert(eq(u32, e - a, 1));
            cr_assert(eq(u32, b.ti.pg_ids[a], (uint32_t)k));
        }
        uint8_t tid[16];
        hex(traces[k], tid, 16);
        cr_assert(bloom_contains(&b.bloom, tid, 16));
    }
    th_block_free(&b);
    kiln_buf_free(&block);
}

/* A label leaves the label set only when the link rebuilds it exactly:
 * upper-case ids and repeated keys stay, beside the link. */
Test(writer, link_labels_a_reader_cannot_rebuild_stay_labels)
{
    th_prof t;
    th_prof_init(&t);
    uint64_t l1[] = {1}, l2[] = {2};
    Perftools__Profiles__Sample *s = th_prof_sample(&t, l1, 1, 1, 1);
    th_prof_label(&t, s, "trace_id", TRACE_A);
    th_prof_label(&t, s, "span_id", "B7AD6B7169203331");
    s = th_prof_sample(&t, l2, 1, 1, 1);
    th_prof_label(&t, s, "trace_id", TRACE_A);
    th_prof_label(&t, s, "trace_id", "4bf92f3577b34da6a3ce929d0e0e4736");
    kiln_writer_stats st;
    tblock b;
    kiln_buf block;
    build(&t, NULL, &st, &b, &block);
    cr_assert(eq(u64, st.bad_links, 0));
    cr_assert(eq(sz, b.nlinks, 2));
    const kiln_page_rows *r = &b.rows[0];
    char buf[256];
    /* sample 1: trace absorbed (lowercase), upper-case span kept */
    cr_assert(ne(u32, r->link[row_of(&b, 1)], 0));
    lset_str(&b, r->lset[row_of(&b, 1)], buf, sizeof buf);
    cr_assert(eq(str, buf, "span_id=B7AD6B7169203331"));
    uint8_t sa[8];
    hex(SPAN_A, sa, 8);
    cr_assert(eq(int, memcmp(b.links[r->link[row_of(&b, 1)] - 1].span_id,
                             sa, 8), 0));
    /* sample 2: two trace_id labels: the first makes the link, both stay */
    cr_assert(ne(u32, r->link[row_of(&b, 2)], 0));
    cr_assert(eq(u32, b.sym.lsets[r->lset[row_of(&b, 2)]].n, 2));
    th_block_free(&b);
    kiln_buf_free(&block);
}
