/* test_trace.c: the trace API on blocks written here from hand-built pprof
 * profiles whose samples carry trace_id/span_id labels: id parsing, exact
 * answers per trace and span, bloom pruning that reads nothing else of a
 * block, the trace listing, and damaged links/bloom/traceindex sections
 * refused by verify and by trace queries. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format_internal.h"
#include "rutil.h"

static ru_store S;

static void setup(void) { ru_store_open(&S); }
static void teardown(void) { ru_store_close(&S); }
TestSuite(reader_trace, .init = setup, .fini = teardown);


/* nblocks blocks, block k holding traces (k, 0..ntraces-1). */
static void write_blocks(unsigned nblocks, unsigned ntraces, char keys[][KILN_KEY_MAX])
{
    for (unsigned k = 0; k < nblocks; k++) {
        kiln_writer *w = NULL;
        cr_assert(eq(int, kiln_writer_new(&w, NULL), 0));
        ru_add_traced(w, k, ntraces);
        cr_assert(eq(int, kiln_writer_flush(w, S.st, keys[k]), 0), "%s",
                  kiln_error_last());
        kiln_writer_free(w);
    }
}

static kiln_result *tquery(const char *trace, const char *span, int scan,
                           int keep_labels)
{
    uint8_t t[16], s[8];
    kiln_query_opts o = KILN_QUERY_OPTS_INIT;
    kiln_result *r = NULL;
    cr_assert(eq(int, kiln_trace_id_parse(t, trace), 0));
    o.trace_id = t;
    if (span) {
        cr_assert(eq(int, kiln_span_id_parse(s, span), 0));
        o.span_id = s;
    }
    o.trace_scan = scan;
    o.type = "cpu";
    o.keep_labels = keep_labels;
    int rc = kiln_query(&r, S.st, NULL, &o);
    cr_assert(eq(int, rc, 0), "%s", kiln_error_last());
    return r;
}

static char *folded(kiln_result *r)
{
    kiln_buf b = KILN_BUF_INIT;
    if (kiln_result_ntypes(r))
        cr_assert(eq(int, kiln_result_folded(r, 0, &b), 0));
    cr_assert(eq(int, kiln_buf_append(&b, "", 1), 0));
    return (char *)b.data;
}

Test(reader_trace, parse_ids)
{
    uint8_t t[16], s[8];
    char back[33], sb[17];
    cr_assert(eq(int, kiln_trace_id_parse(t, "4BF92F3577B34DA6a3ce929d0e0e4736"), 0));
    kiln_trace_id_format(t, back);
    cr_assert(eq(str, back, "4bf92f3577b34da6a3ce929d0e0e4736"));
    cr_assert(eq(int, kiln_span_id_parse(s, "00f067aa0ba902b7"), 0));
    kiln_span_id_format(s, sb);
    cr_assert(eq(str, sb, "00f067aa0ba902b7"));
    cr_assert(eq(int, kiln_trace_id_parse(t, "4bf92f"), KILN_EINVAL));
    cr_assert(strstr(kiln_error_last(), "expected 32 hex digits") != NULL);
    cr_assert(eq(int, kiln_trace_id_parse(t, "4bf92f3577b34da6a3ce929d0e0e473z"), KILN_EINVAL));
    cr_assert(strstr(kiln_error_last(), "position 32") != NULL, "%s",
              kiln_error_last());
    cr_assert(eq(int, kiln_trace_id_parse(t, "00000000000000000000000000000000"), KILN_EINVAL));
    cr_assert(eq(int, kiln_span_id_parse(s, "4bf92f3577b34da6a3"), KILN_EINVAL));
    cr_assert(eq(int, kiln_span_id_parse(s, ""), KILN_EINVAL));
    /* A span without a trace is refused by the options. */
    kiln_query_opts o = KILN_QUERY_OPTS_INIT;
    kiln_result *r = NULL;
    o.span_id = s;
    cr_assert(eq(int, kiln_result_new(&r, &o), KILN_EINVAL));
}

Test(reader_trace, trace_and_span_answers_are_exact)
{
    char keys[4][KILN_KEY_MAX], tr[33], sp[17];
    write_blocks(4, 10, keys);
    for (unsigned k = 0; k < 4; k++) {
        for (unsigned t = 0; t < 10; t += 3) {
            ru_trace_hex(tr, k, t);
            char want[512];
            snprintf(want, sizeof want,
                     "main;work%u;leaf0 %u\nmain;work%u;leaf1 %u\n"
                     "main;work%u;leaf2 %u\n", t % 3, 10 * (t + 1), t % 3,
                     10 * (t + 1) + 1, t % 3, 10 * (t + 1) + 2);
            for (int scan = 0; scan < 2; scan++) {
                kiln_result *r = tquery(tr, NULL, scan, 0);
                char *got = folded(r);
                cr_assert(eq(str, got, want), "trace %s scan %d", tr, scan);
                kiln_result_stats rs;
                kiln_result_stats_get(r, &rs);
                cr_assert(eq(u64, rs.rows, 3));
                kiln_trace_stats ts;
                kiln_result_trace_stats_get(r, &ts);
                cr_assert(eq(u64, ts.blocks_searched, 4));
                cr_assert(eq(u64, ts.blocks_hit, 1));
                cr_assert(eq(u64, ts.links_matched, 3));
                if (!scan)
                    cr_assert(eq(u64, ts.blocks_bloom_pruned +
                                 ts.bloom_false_positives, 3));
                else
                    cr_assert(eq(u64, rs.blocks_read, 4));
                free(got);
                kiln_result_free(r);
            }
            ru_span_hex(sp, t, 1);
            kiln_result *r = tquery(tr, sp, 0, 0);
            char *got = folded(r), want1[128];
            snprintf(want1, sizeof want1, "main;work%u;leaf1 %u\n", t % 3,
                     10 * (t + 1) + 1);
            cr_assert(eq(str, got, want1));
            free(got);
            kiln_result_free(r);
            /* pprof keeps the link as labels. */
            r = tquery(tr, sp, 0, 1);
            kiln_buf pb = KILN_BUF_INIT;
            cr_assert(eq(int, kiln_result_pprof(r, &pb), 0));
            Perftools__Profiles__Profile *p = ru_unpack(pb.data, pb.len);
            cr_assert(p != NULL);
            cr_assert(eq(sz, p->n_sample, 1));
            perftools__profiles__profile__free_unpacked(p, NULL);
            kiln_buf_free(&pb);
            kiln_result_free(r);
        }
    }
}

/* An id the filter of the block at key rules out. */
static void find_absent(const char *key, uint8_t absent[16])
{
    kiln_block *b = NULL;
    int found = 0;
    cr_assert(eq(int, kiln_block_open(&b, S.st, key), 0));
    for (unsigned i = 1; i < 5000 && !found; i++) {
        memset(absent, 0, 16);
        absent[0] = 0xee;
        absent[1] = (uint8_t)i;
        absent[2] = (uint8_t)(i >> 8);
        found = kiln_block_trace_maybe(b, absent) == 0;
    }
    cr_assert(found, "no ruled-out id among 5000");
    kiln_block_free(b);
}

/* A block whose filter says no costs the bloom section and nothing else:
 * bytes read equal those of the open (tail) and header alone. */
Test(reader_trace, bloom_no_reads_no_other_section)
{
    char keys[1][KILN_KEY_MAX], tr[33];
    write_blocks(1, 12000, keys);
    uint8_t absent[16];
    kiln_block *b = NULL;
    find_absent(keys[0], absent);
    uint64_t before = S.st->stats.bytes_read;
    kiln_query_opts o = KILN_QUERY_OPTS_INIT;
    kiln_result *r = NULL;
    o.trace_id = absent;
    cr_assert(eq(int, kiln_query(&r, S.st, NULL, &o), 0));
    uint64_t used = S.st->stats.bytes_read - before;
    /* The tail read at open (64 KiB, holding footer and bloom) and the
     * 16-byte header: no links, page index, symbols or pages. */
    uint64_t size = 0;
    cr_assert(eq(int, kiln_store_stat(S.st, keys[0], &size), 0));
    cr_assert(size > 2 * 65536, "block of %llu bytes is too small for the "
              "test", (unsigned long long)size);
    cr_assert(eq(u64, used, 65536 + KILN_HEADER_SIZE));
    kiln_result_stats rs;
    kiln_trace_stats ts;
    kiln_result_stats_get(r, &rs);
    kiln_result_trace_stats_get(r, &ts);
    cr_assert(eq(u64, ts.blocks_bloom_pruned, 1));
    cr_assert(eq(u64, rs.pages_read, 0));
    cr_assert(eq(u64, rs.blocks_read, 0));
    cr_assert(eq(u64, rs.rows, 0));
    cr_assert(eq(sz, kiln_result_ntypes(r), 0));
    kiln_result_free(r);
    /* A present trace reads more: links, pages, symbols. */
    ru_trace_hex(tr, 0, 1234);
    before = S.st->stats.bytes_read;
    r = tquery(tr, NULL, 0, 0);
    cr_assert(S.st->stats.bytes_read - before > 65536 + KILN_HEADER_SIZE);
    kiln_result_stats_get(r, &rs);
    cr_assert(eq(u64, rs.rows, 3));
    cr_assert(rs.pages_read >= 1);
    kiln_result_free(r);
    /* Through a block opened by hand: the filter loads, links do not. */
    cr_assert(eq(int, kiln_block_open(&b, S.st, keys[0]), 0));
    cr_assert(eq(int, kiln_block_trace_maybe(b, absent), 0));
    kiln_block_free(b);
}

/* A filter larger than the 64 KiB tail (80,000 traces: 4096 blocks in 32
 * groups, spec/links.md): an id it rules out costs the tail, the header
 * and at most one group of 4 KiB + 8; an id it holds is still found. */
Test(reader_trace, large_filter_probe_reads_one_group)
{
    char keys[1][KILN_KEY_MAX], tr[33];
    write_blocks(1, 80000, keys);
    kiln_block *b = NULL;
    cr_assert(eq(int, kiln_block_open(&b, S.st, keys[0]), 0));
    const kiln_block_info *in = kiln_block_info_get(b);
    cr_assert(in->bloom_bytes > 65536, "filter of %llu bytes is too "
              "small for the test", (unsigned long long)in->bloom_bytes);
    cr_assert(in->bloom_fpp > 0 && in->bloom_fpp <= 0.005);
    kiln_block_free(b);
    uint8_t absent[16];
    find_absent(keys[0], absent);
    for (int present = 0; present < 2; present++) {
        kiln_query_opts o = KILN_QUERY_OPTS_INIT;
        kiln_result *r = NULL;
        uint8_t t[16];
        ru_trace_hex(tr, 0, 54321);
        cr_assert(eq(int, kiln_trace_id_parse(t, tr), 0));
        o.trace_id = present ? t : absent;
        o.type = "cpu";
        uint64_t before = S.st->stats.bytes_read;
        cr_assert(eq(int, kiln_query(&r, S.st, NULL, &o), 0), "%s",
                  kiln_error_last());
        uint64_t used = S.st->stats.bytes_read - before;
        kiln_result_stats rs;
        kiln_result_stats_get(r, &rs);
        if (!present) {
            cr_assert(le(u64, used, 65536 + KILN_HEADER_SIZE + 4104),
                      "a ruled-out id read %llu bytes", (unsigned long long)used);
            cr_assert(eq(u64, rs.pages_read, 0));
        } else {
            cr_assert(eq(u64, rs.rows, 3));
            cr_assert(rs.pages_read >= 1);
        }
        kiln_result_free(r);
    }
}

Test(reader_trace, list_traces_heaviest_first)
{
    char keys[3][KILN_KEY_MAX], tr[33];
    write_blocks(3, 8, keys);
    kiln_trace_entry *e = NULL;
    size_t n = 0;
    kiln_query_opts o = KILN_QUERY_OPTS_INIT;
    o.type = "cpu";
    cr_assert(eq(int, kiln_list_traces(S.st, NULL, &o, 0, &e, &n), 0), "%s",
              kiln_error_last());
    cr_assert(eq(sz, n, 24));
    for (size_t i = 0; i < n; i++) {
        cr_assert(eq(u64, e[i].rows, 3));
        cr_assert(eq(i64, e[i].samples, 3));
        if (i)
            cr_assert(e[i].value <= e[i - 1].value);
    }
    /* Heaviest: trace 7 of some block, 3 * 80 + 0 + 1 + 2. */
    cr_assert(eq(i64, e[0].value, 243));
    kiln_trace_id_format(e[0].trace_id, tr);
    cr_assert(eq(str, tr + 2, "0700000000000000000000000000ab"));
    free(e);
    /* Limit and selector. */
    o.selector = "{service_name=\"odd\"}";
    cr_assert(eq(int, kiln_list_traces(S.st, NULL, &o, 5, &e, &n), 0));
    cr_assert(eq(sz, n, 5));
    kiln_trace_id_format(e[0].trace_id, tr);
    cr_assert(eq(str, tr, "010700000000000000000000000000ab"));
    free(e);
    /* A window holding no block. */
    o.selector = NULL;
    o.from = 0;
    o.to = 1;
    cr_assert(eq(int, kiln_list_traces(S.st, NULL, &o, 0, &e, &n), 0));
    cr_assert(eq(sz, n, 0));
    free(e);
}

/* Flip a byte inside each of links, traceindex and bloom: verify fails, a
 * trace query (which reads those sections) fails naming the block and the
 * section, except for the bloom filter's head, which a lookup does not
 * read (spec/links.md). */
Test(reader_trace, damaged_trace_sections_are_refused)
{
    char keys[1][KILN_KEY_MAX], tr[33], path[4096];
    write_blocks(1, 20, keys);
    snprintf(path, sizeof path, "%s/%s", S.dir, keys[0]);
    size_t size;
    uint8_t *pristine = ru_slurp(path, &size);
    cr_assert(pristine != NULL);
    kiln_block *b = NULL;
    cr_assert(eq(int, kiln_block_open(&b, S.st, keys[0]), 0));
    const kiln_block_info *in = kiln_block_info_get(b);
    kiln_section_info secs[16];
    size_t nsecs = in->nsections < 16 ? in->nsections : 16;
    memcpy(secs, in->sections, nsecs * sizeof *secs);
    kiln_block_free(b);
    static const char *names[] = {"links", "traceindex", "bloom"};
    ru_trace_hex(tr, 0, 5);
    for (int k = 0; k < 3; k++) {
        const kiln_section_info *s = NULL;
        for (size_t i = 0; i < nsecs; i++)
            if (strcmp(secs[i].name, names[k]) == 0)
                s = &secs[i];
        cr_assert(s != NULL, "no section %s", names[k]);
        for (int where = 0; where < 3; where++) {
            uint64_t off = s->offset + (s->stored - 1) * (uint64_t)where / 2;
            uint8_t *c = malloc(size);
            memcpy(c, pristine, size);
            c[off] ^= 0x10;
            FILE *f = fopen(path, "wb");
            cr_assert(f != NULL);
            cr_assert(eq(sz, fwrite(c, 1, size, f), size));
            fclose(f);
            free(c);
            cr_assert(eq(int, kiln_block_open(&b, S.st, keys[0]), 0));
            int rc = kiln_block_verify(b);
            cr_assert(rc == KILN_ECHECKSUM || rc == KILN_ECORRUPT,
                      "%s byte %llu: verify gave %d", names[k],
                      (unsigned long long)off, rc);
            cr_assert(strstr(kiln_error_last(), keys[0]) != NULL);
            kiln_block_free(b);
            uint8_t t[16];
            kiln_query_opts o = KILN_QUERY_OPTS_INIT;
            kiln_result *r = NULL;
            cr_assert(eq(int, kiln_trace_id_parse(t, tr), 0));
            o.trace_id = t;
            rc = kiln_query(&r, S.st, NULL, &o);
            if (k == 2 && where == 0) {
                /* The filter's head: a lookup takes the layout from the
                 * section's length and reads only its group, so it
                 * answers right; verify (above) caught the damage. */
                cr_assert(eq(int, rc, 0), "%s", kiln_error_last());
                kiln_result_stats rs;
                kiln_result_stats_get(r, &rs);
                cr_assert(eq(u64, rs.rows, 3));
                kiln_result_free(r);
                continue;
            }
            cr_assert(rc == KILN_ECHECKSUM || rc == KILN_ECORRUPT,
                      "%s byte %llu: trace query gave %d", names[k],
                      (unsigned long long)off, rc);
            cr_assert(strstr(kiln_error_last(), keys[0]) != NULL, "%s",
                      kiln_error_last());
            cr_assert(strstr(kiln_error_last(), names[k]) != NULL, "%s",
                      kiln_error_last());
            cr_assert(r == NULL);
        }
    }
    free(pristine);
}
