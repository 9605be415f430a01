/* test_copy.c: the identity merge - a block read through the public page
 * iterator and written back through kiln_writer_add_rows gives the same
 * answer to every query as its source (totals, pprof with and without
 * labels, folded, top, JSON, trace lookups and listings, CSV rows), its
 * rows resolve to the same frames (addresses, mappings, inlined lines)
 * and links, and a copy naming its source as replaced hides it. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rutil.h"

#define PAGE_ROWS 40
#define NTRACED 6

static ru_store A, B; /* source store, copy store */

static void setup(void)
{
    ru_store_open(&A);
    ru_store_open(&B);
}
static void teardown(void)
{
    ru_store_close(&A);
    ru_store_close(&B);
}
TestSuite(reader_copy, .init = setup, .fini = teardown, .timeout = 300);

/* One block of corpus profiles (every one up to 256 KiB the writer takes,
 * each its own series) and traced profiles, in small pages. */
static void write_source(kiln_store *st, char key[KILN_KEY_MAX])
{
    kiln_writer_opts wo = KILN_WRITER_OPTS_INIT;
    kiln_writer *w = NULL;
    size_t nf = 0, added = 0;
    char **files = ru_corpus_files(&nf);

    wo.page_rows = PAGE_ROWS;
    cr_assert(eq(int, kiln_writer_new(&w, &wo), 0), "%s", kiln_error_last());
    for (size_t i = 0; i < nf; i++) {
        size_t len = 0;
        uint8_t *data = ru_slurp(files[i], &len);
        char svc[32], host[32];
        cr_assert(data != NULL, "cannot read %s", files[i]);
        if (len > 256 * 1024) { /* the large ones add time, not cases */
            free(data);
            continue;
        }
        snprintf(svc, sizeof svc, "svc%zu", i % 4);
        snprintf(host, sizeof host, "h%zu", i);
        kiln_label lab[] = {{"service_name", svc}, {"host", host}};
        int rc = kiln_writer_add_pprof(w, data, len, lab, 2);
        cr_assert(rc == 0 || rc == KILN_EINPUT, "%s: %s", files[i],
                  kiln_error_last());
        added += rc == 0;
        free(data);
    }
    ru_free_list(files, nf);
    cr_assert(added >= 20, "only %zu corpus profiles taken", added);
    for (unsigned k = 0; k < NTRACED; k++)
        ru_add_traced(w, k, 40 + 25 * k);
    /* Profiles out of time order: the writer numbers stack nodes as they
     * arrive (x before y), while the block's rows, sorted by time, meet
     * y first; at t2 the source's row order is x, y, and a copy must keep
     * it. */
    static const struct { int64_t t; const char *text; } late[] = {
        {3, "a;x 1\n"}, {1, "a;y 2\n"}, {2, "a;x 3\na;y 4\n"}};
    kiln_label ord[] = {{"service_name", "order"}};
    for (size_t i = 0; i < 3; i++) {
        kiln_folded_opts fo = KILN_FOLDED_OPTS_INIT;
        fo.time_ns = (int64_t)1700000000000000000 + late[i].t * 1000000000;
        fo.duration_ns = 1000000000;
        cr_assert(eq(int, kiln_writer_add_folded(w, late[i].text,
                                                 strlen(late[i].text), ord, 1,
                                                 &fo), 0), "%s",
                  kiln_error_last());
    }
    cr_assert(eq(int, kiln_writer_flush(w, st, key), 0), "%s",
              kiln_error_last());
    kiln_writer_free(w);
}

/* Copy block `key` of src into dst page by page; sources (may be NULL)
 * go in the copy's footer. */
static void copy_block(kiln_store *src, const char *key, kiln_store *dst,
                       const char *const *sources, size_t nsources,
                       char out[KILN_KEY_MAX])
{
    kiln_writer_opts wo = KILN_WRITER_OPTS_INIT;
    kiln_writer *w = NULL;
    kiln_block *b = NULL;
    kiln_page_iter *it = NULL;
    const kiln_tables *t = NULL;
    kiln_rows rows;
    int rc;

    wo.page_rows = PAGE_ROWS;
    wo.sources = sources;
    wo.nsources = nsources;
    wo.level = nsources ? 1 : 0;
    cr_assert(eq(int, kiln_writer_new(&w, &wo), 0), "%s", kiln_error_last());
    cr_assert(eq(int, kiln_block_open(&b, src, key), 0), "%s",
              kiln_error_last());
    cr_assert(eq(int, kiln_block_tables(b, &t), 0), "%s", kiln_error_last());
    cr_assert(eq(int, kiln_page_iter_new(&it, b), 0), "%s",
              kiln_error_last());
    while ((rc = kiln_page_iter_next(&rows, it)) == 0)
        cr_assert(eq(int, kiln_writer_add_rows(w, t, &rows), 0), "%s",
                  kiln_error_last());
    cr_assert(eq(int, rc, KILN_ITEROVER), "%s", kiln_error_last());
    cr_assert(eq(int, kiln_writer_flush(w, dst, out), 0), "%s",
              kiln_error_last());
    kiln_page_iter_free(it);
    kiln_block_free(b);
    kiln_writer_free(w);
}

/* Every rendering of the query o over st, concatenated (with the stats of
 * the result and of the trace search when `stats`: JSON holds them too). */
static void answer(kiln_store *st, const kiln_query_opts *o, bool stats,
                   kiln_buf *out)
{
    kiln_result *r = NULL;
    kiln_result_stats rs;
    kiln_trace_stats ts;
    kiln_buf pb = KILN_BUF_INIT;
    char line[256];

    cr_assert(eq(int, kiln_query(&r, st, NULL, o), 0), "%s",
              kiln_error_last());
    kiln_result_stats_get(r, &rs);
    kiln_result_trace_stats_get(r, &ts);
    snprintf(line, sizeof line, "rows %llu pages %llu/%llu t %lld..%lld "
             "hit %llu links %llu\n", (unsigned long long)rs.rows,
             (unsigned long long)rs.pages_read,
             (unsigned long long)rs.pages_total, (long long)rs.tmin,
             (long long)rs.tmax, (unsigned long long)ts.blocks_hit,
             (unsigned long long)ts.links_matched);
    if (stats)
        cr_assert(eq(int, kiln_buf_append(out, line, strlen(line)), 0));
    for (size_t t = 0; t < kiln_result_ntypes(r); t++) {
        cr_assert(eq(int, kiln_result_folded(r, t, out), 0));
        cr_assert(eq(int, kiln_result_top_text(r, t, 0, out), 0));
    }
    if (stats)
        cr_assert(eq(int, kiln_result_json(r, out), 0));
    /* pprof is gzip'd: compare its bytes as they are (same input, same
     * deflate, same bytes). */
    cr_assert(eq(int, kiln_result_pprof(r, &pb), 0), "%s",
              kiln_error_last());
    cr_assert(eq(int, kiln_buf_append(out, pb.data, pb.len), 0));
    kiln_buf_free(&pb);
    kiln_result_free(r);
}

static void same_answer(kiln_store *a, kiln_store *b,
                        const kiln_query_opts *o, bool stats,
                        const char *what)
{
    kiln_buf x = KILN_BUF_INIT, y = KILN_BUF_INIT;
    answer(a, o, stats, &x);
    answer(b, o, stats, &y);
    cr_assert(x.len > 64, "%s: an empty answer proves nothing", what);
    cr_assert(eq(sz, x.len, y.len), "%s: answers differ in length", what);
    cr_assert(memcmp(x.data, y.data, x.len) == 0, "%s: answers differ",
              what);
    kiln_buf_free(&x);
    kiln_buf_free(&y);
}

/* CSV-like rows of kiln_query_rows, one line each. */
static int row_line(void *ud, const kiln_rows_schema *s, const kiln_row *r)
{
    kiln_buf *out = ud;
    char num[64];
    if (!r) {
        for (size_t i = 0; i < s->nlabels; i++)
            kiln_buf_append(out, s->labels[i], strlen(s->labels[i]) + 1);
        return 0;
    }
    snprintf(num, sizeof num, "%lld %lld ", (long long)r->time,
             (long long)r->duration);
    kiln_buf_append(out, num, strlen(num));
    for (size_t i = 0; i < s->nlabels; i++)
        kiln_buf_append(out, r->labels[i], strlen(r->labels[i]) + 1);
    kiln_buf_append(out, r->stack, r->stack_len + 1);
    for (size_t t = 0; t < s->ntypes; t++) {
        snprintf(num, sizeof num, " %lld", (long long)r->values[t]);
        kiln_buf_append(out, num, strlen(num));
    }
    if (r->trace_id) {
        kiln_buf_append(out, r->trace_id, 16);
        kiln_buf_append(out, r->span_id, 8);
    }
    return kiln_buf_append(out, "\n", 1);
}

static void rows_of(kiln_store *st, int keep_labels, kiln_buf *out)
{
    kiln_query_opts o = KILN_QUERY_OPTS_INIT;
    kiln_result *r = NULL;
    o.keep_labels = keep_labels;
    cr_assert(eq(int, kiln_result_new(&r, &o), 0));
    cr_assert(eq(int, kiln_query_rows(r, st, NULL, NULL, 0, row_line, out),
                 0), "%s", kiln_error_last());
    kiln_result_free(r);
}

static void traces_of(kiln_store *st, kiln_buf *out)
{
    kiln_trace_entry *e = NULL;
    size_t n = 0;
    cr_assert(eq(int, kiln_list_traces(st, NULL, NULL, 0, &e, &n), 0), "%s",
              kiln_error_last());
    cr_assert(n > 0);
    cr_assert(eq(int, kiln_buf_append(out, e, n * sizeof *e), 0));
    free(e);
}

/* A row's stack as the frames its ids resolve to, leaf first: address,
 * mapping, and every inlined line. */
static void frames_of(const kiln_tables *t, uint32_t node, kiln_buf *out)
{
    char s[512];
    while (node) {
        uint32_t parent, loc;
        kiln_location_info li;
        cr_assert(eq(int, kiln_tables_stack(t, node, &parent, &loc), 0));
        cr_assert(eq(int, kiln_tables_location(t, loc, &li), 0));
        snprintf(s, sizeof s, "[%llx %s %s %llx %llx %llx %d", 
                 (unsigned long long)li.address, li.mapping_file,
                 li.build_id, (unsigned long long)li.memory_start,
                 (unsigned long long)li.memory_limit,
                 (unsigned long long)li.file_offset, li.is_folded);
        kiln_buf_append(out, s, strlen(s));
        for (size_t i = 0; i < li.nlines; i++) {
            kiln_line_info ln;
            cr_assert(eq(int, kiln_tables_line(t, loc, i, &ln), 0));
            snprintf(s, sizeof s, " (%s|%s|%s|%lld|%lld|%lld)", ln.function,
                     ln.system_name, ln.filename, (long long)ln.start_line,
                     (long long)ln.line, (long long)ln.column);
            kiln_buf_append(out, s, strlen(s));
        }
        kiln_buf_append(out, "]", 1);
        node = parent;
    }
}

/* Every row of the block as text: series labels, time, frames, link,
 * values. */
static size_t block_rows(kiln_store *st, const char *key, kiln_buf *out)
{
    kiln_block *b = NULL;
    kiln_page_iter *it = NULL;
    const kiln_tables *t = NULL;
    kiln_rows rows;
    size_t n = 0;
    char s[128];
    int rc;

    cr_assert(eq(int, kiln_block_open(&b, st, key), 0));
    cr_assert(eq(int, kiln_block_tables(b, &t), 0));
    cr_assert(eq(int, kiln_page_iter_new(&it, b), 0));
    while ((rc = kiln_page_iter_next(&rows, it)) == 0) {
        const char *svc = kiln_tables_series_label(t, rows.series,
                                                   "service_name");
        const char *host = kiln_tables_series_label(t, rows.series, "host");
        for (uint32_t i = 0; i < rows.n; i++) {
            snprintf(s, sizeof s, "%s/%s %lld %lld ", svc ? svc : "-",
                     host ? host : "-", (long long)rows.time[i],
                     (long long)rows.duration[i]);
            kiln_buf_append(out, s, strlen(s));
            frames_of(t, rows.stack[i], out);
            if (rows.link[i]) {
                const uint8_t *tr, *sp;
                cr_assert(eq(int, kiln_tables_link(t, rows.link[i], &tr,
                                                   &sp), 0));
                kiln_buf_append(out, tr, 16);
                kiln_buf_append(out, sp, 8);
            }
            for (uint32_t v = 0; v < rows.ntypes; v++) {
                snprintf(s, sizeof s, " %lld",
                         (long long)rows.values[(size_t)v * rows.n + i]);
                kiln_buf_append(out, s, strlen(s));
            }
            kiln_buf_append(out, "\n", 1);
            n++;
        }
    }
    cr_assert(eq(int, rc, KILN_ITEROVER));
    kiln_page_iter_free(it);
    kiln_block_free(b);
    return n;
}

static void same_bytes(const kiln_buf *x, const kiln_buf *y, const char *what)
{
    cr_assert(x->len > 0, "%s: empty", what);
    cr_assert(eq(sz, x->len, y->len), "%s: lengths differ", what);
    cr_assert(memcmp(x->data, y->data, x->len) == 0, "%s: differ", what);
}

Test(reader_copy, copy_answers_every_query_as_its_source)
{
    char ka[KILN_KEY_MAX], kb[KILN_KEY_MAX];
    write_source(A.st, ka);
    copy_block(A.st, ka, B.st, NULL, 0, kb);
    cr_assert(strcmp(ka, kb) != 0 || A.st != B.st);

    /* The rows themselves: same frames, links and values, in the same
     * order. */
    kiln_buf x = KILN_BUF_INIT, y = KILN_BUF_INIT;
    size_t na = block_rows(A.st, ka, &x), nb = block_rows(B.st, kb, &y);
    cr_assert(na > 1000, "only %zu rows", na);
    cr_assert(eq(sz, na, nb));
    same_bytes(&x, &y, "rows through the tables");
    kiln_buf_reset(&x);
    kiln_buf_reset(&y);

    /* Footer counts that queries rely on. */
    kiln_block *ba = NULL, *bb = NULL;
    cr_assert(eq(int, kiln_block_open(&ba, A.st, ka), 0));
    cr_assert(eq(int, kiln_block_open(&bb, B.st, kb), 0));
    cr_assert(eq(int, kiln_block_verify(bb), 0), "%s", kiln_error_last());
    cr_assert(eq(int, kiln_block_load_index(ba), 0));
    const kiln_block_info *ia = kiln_block_info_get(ba);
    const kiln_block_info *ib = kiln_block_info_get(bb);
    cr_assert(eq(i64, ia->tmin, ib->tmin));
    cr_assert(eq(i64, ia->tmax, ib->tmax));
    cr_assert(eq(u64, ia->nseries, ib->nseries));
    cr_assert(eq(u64, ia->nsamples, ib->nsamples));
    cr_assert(eq(u64, ia->nstacks, ib->nstacks));
    cr_assert(eq(u64, ia->nlinks, ib->nlinks));
    cr_assert(eq(u64, ia->ntraces, ib->ntraces));
    cr_assert(eq(u64, ia->npages, ib->npages));
    kiln_block_free(ba);
    kiln_block_free(bb);

    /* Aggregates: whole store, labels kept, a selector, a time window, a
     * type. */
    kiln_query_opts o = KILN_QUERY_OPTS_INIT;
    same_answer(A.st, B.st, &o, true, "everything");
    o.keep_labels = 1;
    same_answer(A.st, B.st, &o, true, "everything, labels kept");
    o.selector = "{service_name=~\"svc[13]|odd\"}";
    same_answer(A.st, B.st, &o, true, "a selector");
    o.keep_labels = 0;
    o.selector = NULL;
    o.type = "cpu";
    same_answer(A.st, B.st, &o, true, "one type");

    /* Trace lookups: a trace, a span, by index and by scan. */
    for (unsigned k = 0; k < NTRACED; k += 2) {
        char hex[33], shex[17];
        uint8_t tr[16], sp[8];
        ru_trace_hex(hex, k, 7 + k);
        ru_span_hex(shex, 7 + k, 1);
        cr_assert(eq(int, kiln_trace_id_parse(tr, hex), 0));
        cr_assert(eq(int, kiln_span_id_parse(sp, shex), 0));
        kiln_query_opts t = KILN_QUERY_OPTS_INIT;
        t.trace_id = tr;
        t.keep_labels = 1;
        same_answer(A.st, B.st, &t, true, "a trace");
        t.span_id = sp;
        same_answer(A.st, B.st, &t, true, "a span");
        t.span_id = NULL;
        t.trace_scan = 1;
        same_answer(A.st, B.st, &t, true, "a trace by scan");
    }
    traces_of(A.st, &x);
    traces_of(B.st, &y);
    same_bytes(&x, &y, "trace listing");
    kiln_buf_reset(&x);
    kiln_buf_reset(&y);

    /* Row export, with and without links. */
    for (int kl = 0; kl < 2; kl++) {
        rows_of(A.st, kl, &x);
        rows_of(B.st, kl, &y);
        same_bytes(&x, &y, "csv rows");
        kiln_buf_reset(&x);
        kiln_buf_reset(&y);
    }
    kiln_buf_free(&x);
    kiln_buf_free(&y);
}

/* Listing callback: up to two keys. */
static int note_key(void *ud, const char *key, uint64_t size)
{
    struct { size_t n; char key[2][KILN_KEY_MAX]; } *k = ud;
    (void)size;
    if (k->n < 2)
        snprintf(k->key[k->n], KILN_KEY_MAX, "%s", key);
    k->n++;
    return 0;
}

Test(reader_copy, copy_naming_its_source_replaces_it)
{
    char ka[KILN_KEY_MAX], kb[KILN_KEY_MAX], kc[KILN_KEY_MAX];
    write_source(A.st, ka);
    write_source(B.st, kb); /* B: the source alone, for reference */
    cr_assert(strcmp(ka, kb) == 0);

    kiln_block *b = NULL;
    cr_assert(eq(int, kiln_block_open(&b, A.st, ka), 0));
    const char *id = kiln_block_info_get(b)->id;
    char idc[27];
    snprintf(idc, sizeof idc, "%s", id);
    kiln_block_free(b);
    const char *srcs[] = {idc};
    copy_block(A.st, ka, A.st, srcs, 1, kc);
    cr_assert(strcmp(ka, kc) != 0, "the copy took its source's key");

    cr_assert(eq(int, kiln_block_open(&b, A.st, kc), 0));
    const kiln_block_info *info = kiln_block_info_get(b);
    cr_assert(eq(sz, info->nsources, 1));
    cr_assert(strcmp(info->sources[0], idc) == 0);
    cr_assert(eq(u32, info->level, 1));
    kiln_block_free(b);

    /* kiln ls's listing shows the copy only; the plain listing both. */
    struct keys { size_t n; char key[2][KILN_KEY_MAX]; } vis = {0}, all = {0};
    cr_assert(eq(int, kiln_blocks_visible(A.st, NULL, note_key, &vis), 0));
    cr_assert(eq(int, kiln_blocks_list(A.st, NULL, note_key, &all), 0));
    cr_assert(eq(sz, vis.n, 1));
    cr_assert(eq(sz, all.n, 2));
    cr_assert(strcmp(vis.key[0], kc) == 0);

    /* Both blocks in A, the source alone in B: the same answers, and A's
     * query reads one block. */
    kiln_query_opts o = KILN_QUERY_OPTS_INIT;
    o.keep_labels = 1;
    kiln_result *r = NULL;
    kiln_result_stats rs;
    cr_assert(eq(int, kiln_query(&r, A.st, NULL, &o), 0));
    kiln_result_stats_get(r, &rs);
    cr_assert(eq(u64, rs.blocks_read, 1));
    cr_assert(eq(u64, rs.blocks_total, 2));
    kiln_result_free(r);
    o.keep_labels = 0;
    same_answer(A.st, B.st, &o, false, "replaced source");
}

Test(reader_copy, rows_out_of_range_are_refused_and_add_nothing)
{
    char ka[KILN_KEY_MAX];
    write_source(A.st, ka);
    kiln_block *b = NULL;
    kiln_page_iter *it = NULL;
    const kiln_tables *t = NULL;
    kiln_writer *w = NULL;
    kiln_rows rows;
    kiln_writer_stats ws;
    kiln_tables_counts tc;

    cr_assert(eq(int, kiln_block_open(&b, A.st, ka), 0));
    cr_assert(eq(int, kiln_block_tables(b, &t), 0));
    cr_assert(eq(int, kiln_page_iter_new(&it, b), 0));
    cr_assert(eq(int, kiln_page_iter_next(&rows, it), 0));
    cr_assert(eq(int, kiln_writer_new(&w, NULL), 0));
    kiln_tables_counts_get(t, &tc);

    uint32_t *stack = malloc(rows.n * sizeof *stack);
    cr_assert(stack != NULL && rows.n > 1);
    memcpy(stack, rows.stack, rows.n * sizeof *stack);
    stack[rows.n - 1] = (uint32_t)tc.nstacks; /* one past the last node */
    kiln_rows bad = rows;
    bad.stack = stack;
    cr_assert(eq(int, kiln_writer_add_rows(w, t, &bad), KILN_EINVAL));
    cr_assert(strstr(kiln_error_last(), "stack") != NULL, "%s",
              kiln_error_last());
    bad = rows;
    bad.series = (uint32_t)tc.nseries;
    cr_assert(eq(int, kiln_writer_add_rows(w, t, &bad), KILN_EINVAL));
    bad = rows;
    bad.ntypes = rows.ntypes + 1;
    cr_assert(eq(int, kiln_writer_add_rows(w, t, &bad), KILN_EINVAL));
    kiln_writer_stats_get(w, &ws);
    cr_assert(eq(u64, ws.rows, 0));
    cr_assert(eq(u64, ws.profiles, 0));

    /* The good page still goes in whole. */
    cr_assert(eq(int, kiln_writer_add_rows(w, t, &rows), 0));
    kiln_writer_stats_get(w, &ws);
    cr_assert(eq(u64, ws.rows, rows.n));

    /* Writer options v2 are checked. */
    kiln_writer_opts wo = KILN_WRITER_OPTS_INIT;
    kiln_writer *w2 = NULL;
    const char *badsrc[] = {"not-an-id"};
    wo.sources = badsrc;
    wo.nsources = 1;
    cr_assert(eq(int, kiln_writer_new(&w2, &wo), KILN_EINVAL));
    wo.nsources = 0;
    wo.resolution = -1;
    cr_assert(eq(int, kiln_writer_new(&w2, &wo), KILN_EINVAL));
    free(stack);
    kiln_writer_free(w);
    kiln_page_iter_free(it);
    kiln_block_free(b);
}
