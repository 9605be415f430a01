/* test_trace_chunks.c: a trace lookup in a block of many links reads the
 * chunk index and one link chunk, not the links section (store bytes
 * counted), answers like the scan baseline, and a damaged chunk or chunk
 * index is refused by the lookups that read it and by verify. */
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
TestSuite(reader_trace_chunks, .init = setup, .fini = teardown);

#define NTRACES 30000u /* x 2 spans: 60000 links, about 60 chunks */

/* Trace t's id: noise from t (never all zero). */
static void trace_id(uint8_t id[16], unsigned t)
{
    uint64_t a = hash64(&t, sizeof t, 1), b = hash64(&t, sizeof t, 2);
    set_u64le(id, a);
    set_u64le(id + 8, b | 1);
}

/* One profile: trace t has spans 1 and 2; sample (t, s) has stack
 * main;leaf<s>, cpu value t + s. */
static void write_block(char key[KILN_KEY_MAX])
{
    Perftools__Profiles__Profile p = PERFTOOLS__PROFILES__PROFILE__INIT;
    static const char *strs[] = {"", "cpu", "nanoseconds", "main", "leaf1",
                                 "leaf2", "trace_id", "span_id",
                                 "0000000000000001", "0000000000000002"};
    enum { S_N = 10, NS = 2 * NTRACES };
    char (*hexes)[33] = malloc((size_t)NTRACES * 33);
    ProtobufCBinaryData *st = malloc((S_N + NTRACES) * sizeof *st);
    cr_assert(hexes && st);
    for (size_t i = 0; i < S_N; i++) {
        st[i].data = (uint8_t *)strs[i];
        st[i].len = strlen(strs[i]);
    }
    for (unsigned t = 0; t < NTRACES; t++) {
        uint8_t id[16];
        trace_id(id, t);
        kiln_trace_id_format(id, hexes[t]);
        st[S_N + t].data = (uint8_t *)hexes[t];
        st[S_N + t].len = 32;
    }
    Perftools__Profiles__ValueType vt, *vtp = &vt;
    perftools__profiles__value_type__init(&vt);
    vt.type = 1;
    vt.unit = 2;
    p.n_sample_type = 1;
    p.sample_type = &vtp;
    /* Functions 1..3 = strings 3..5, one location each. */
    ru_frames frames;
    ru_frames_set(&frames, 3, 3, &p);
    Perftools__Profiles__Sample *smp = calloc(NS, sizeof *smp);
    Perftools__Profiles__Sample **smpp = calloc(NS, sizeof *smpp);
    Perftools__Profiles__Label *lab = calloc(2 * (size_t)NS, sizeof *lab);
    Perftools__Profiles__Label **labp = calloc(2 * (size_t)NS, sizeof *labp);
    uint64_t *locs = calloc(2 * (size_t)NS, sizeof *locs);
    int64_t *vals = calloc(NS, sizeof *vals);
    cr_assert(smp && smpp && lab && labp && locs && vals);
    for (size_t i = 0; i < NS; i++) {
        unsigned t = (unsigned)(i / 2), s = (unsigned)(i % 2);
        perftools__profiles__sample__init(&smp[i]);
        smpp[i] = &smp[i];
        locs[2 * i] = 2 + s; /* leaf<s+1> */
        locs[2 * i + 1] = 1; /* main */
        smp[i].n_location_id = 2;
        smp[i].location_id = &locs[2 * i];
        vals[i] = (int64_t)t + s + 1;
        smp[i].n_value = 1;
        smp[i].value = &vals[i];
        for (int j = 0; j < 2; j++) {
            perftools__profiles__label__init(&lab[2 * i + j]);
            lab[2 * i + j].key = 6 + j;
            lab[2 * i + j].str = j ? 8 + s : (int64_t)(S_N + t);
            labp[2 * i + j] = &lab[2 * i + j];
        }
        smp[i].n_label = 2;
        smp[i].label = &labp[2 * i];
    }
    p.n_sample = NS;
    p.sample = smpp;
    p.n_string_table = S_N + NTRACES;
    p.string_table = st;
    p.time_nanos = 1700000000000000000;
    p.duration_nanos = 1000000000;
    kiln_writer *w = NULL;
    cr_assert(eq(int, kiln_writer_new(&w, NULL), 0));
    kiln_label el[] = {{"service_name", "svc"}};
    ru_add_profile(w, &p, el, 1);
    cr_assert(eq(int, kiln_writer_flush(w, S.st, key), 0), "%s",
              kiln_error_last());
    kiln_writer_free(w);
    free(smp);
    free(smpp);
    free(lab);
    free(labp);
    free(locs);
    free(vals);
    free(hexes);
    free(st);
}

/* The block's sections and link chunk index, decoded from its bytes. */
typedef struct layout {
    kiln_section *secs;
    size_t nsecs;
    kiln_link_chunk *chunks;
    size_t nchunks;
    const kiln_section *links, *index;
} layout;

static void read_layout(const uint8_t *blk, size_t size, layout *l)
{
    uint64_t foff, flen, fsum, nl, nt;
    kiln_meta meta;
    kiln_buf raw = KILN_BUF_INIT;

    memset(l, 0, sizeof *l);
    cr_assert(eq(int, trailer_decode(blk + size - KILN_TRAILER_SIZE, size,
                                          &foff, &flen, &fsum), 0));
    memset(&meta, 0, sizeof meta);
    cr_assert(eq(int, footer_decode(blk + foff, flen, foff, &l->secs,
                                         &l->nsecs, &meta), 0));
    for (size_t i = 0; i < l->nsecs; i++) {
        if (l->secs[i].type == KILN_SEC_LINKS)
            l->links = &l->secs[i];
        if (l->secs[i].type == KILN_SEC_TRACEINDEX)
            l->index = &l->secs[i];
    }
    cr_assert(l->links && l->index);
    cr_assert(eq(int, section_unpack(l->index, blk + l->index->offset,
                                          &raw, "traceindex", NULL), 0));
    cr_assert(eq(int, link_chunks_decode(&l->chunks, &l->nchunks,
                                              raw.data, raw.len,
                                              l->links->stored, &nl, &nt), 0));
    cr_assert(eq(u64, nl, meta.nlinks));
    cr_assert(eq(u64, nt, NTRACES));
    meta_free(&meta);
    kiln_buf_free(&raw);
}

static void layout_free(layout *l)
{
    free(l->secs);
    free(l->chunks);
}

/* A trace query over one opened block; store bytes read after the open
 * into *bytes. Returns the folded answer (malloc'd) or NULL with *rc. */
static char *lookup(const char *key, const uint8_t id[16], int scan,
                    uint64_t *bytes, int *rc)
{
    kiln_query_opts o = KILN_QUERY_OPTS_INIT;
    kiln_result *r = NULL;
    kiln_block *b = NULL;
    kiln_buf f = KILN_BUF_INIT;

    o.trace_id = id;
    o.trace_scan = scan;
    cr_assert(eq(int, kiln_block_open(&b, S.st, key), 0), "%s",
              kiln_error_last());
    cr_assert(eq(int, kiln_result_new(&r, &o), 0), "%s", kiln_error_last());
    uint64_t before = S.st->stats.bytes_read;
    *rc = kiln_result_add_block(r, b);
    *bytes = S.st->stats.bytes_read - before;
    kiln_block_free(b);
    if (*rc < 0) {
        kiln_result_free(r);
        return NULL;
    }
    if (kiln_result_ntypes(r))
        cr_assert(eq(int, kiln_result_folded(r, 0, &f), 0));
    cr_assert(eq(int, kiln_buf_append(&f, "", 1), 0));
    kiln_result_free(r);
    return (char *)f.data;
}

/* write_block, then its bytes (malloc'd), file path and layout. */
static uint8_t *written_block(char key[KILN_KEY_MAX], char path[4096],
                              size_t *size, layout *l)
{
    write_block(key);
    snprintf(path, 4096, "%s/%s", S.dir, key);
    uint8_t *blk = ru_slurp(path, size);
    cr_assert(blk != NULL);
    read_layout(blk, *size, l);
    return blk;
}

Test(reader_trace_chunks, lookup_reads_one_chunk_not_the_links)
{
    char key[KILN_KEY_MAX], path[4096];
    size_t size;
    layout l;
    uint8_t *blk = written_block(key, path, &size, &l);
    /* The premise: a links section well past the tail read at open. */
    cr_assert(gt(u64, l.links->stored, 256 * 1024), "links: %llu bytes",
              (unsigned long long)l.links->stored);
    cr_assert(gt(sz, l.nchunks, 20), "%zu chunks", l.nchunks);
    uint64_t most = 0;
    for (unsigned t = 0; t < NTRACES; t += NTRACES / 10) {
        uint8_t id[16];
        uint64_t lb, sb;
        int rc;
        trace_id(id, t);
        char *got = lookup(key, id, 0, &lb, &rc);
        cr_assert(eq(int, rc, 0), "%s", kiln_error_last());
        char *want = lookup(key, id, 1, &sb, &rc);
        cr_assert(eq(int, rc, 0), "%s", kiln_error_last());
        /* main;leaf1 t+1 and main;leaf2 t+2 */
        char exp[128];
        snprintf(exp, sizeof exp, "main;leaf1 %u\nmain;leaf2 %u\n", t + 1,
                 t + 2);
        cr_assert(eq(str, got, exp));
        cr_assert(eq(str, want, exp));
        /* The scan reads every chunk; the lookup (chunk index, one chunk,
         * the page) a small part of the links section. */
        cr_assert(ge(u64, sb, l.links->stored));
        cr_assert(lt(u64, lb, l.links->stored / 8),
                  "lookup read %llu bytes, links are %llu",
                  (unsigned long long)lb, (unsigned long long)l.links->stored);
        if (lb > most)
            most = lb;
        free(got);
        free(want);
    }
    cr_log_info("links %llu bytes in %zu chunks; a lookup read at most %llu",
                (unsigned long long)l.links->stored, l.nchunks,
                (unsigned long long)most);
    layout_free(&l);
    free(blk);
}

static void put(const char *path, const uint8_t *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    cr_assert(f != NULL);
    cr_assert(eq(sz, fwrite(p, 1, n, f), n));
    fclose(f);
}

Test(reader_trace_chunks, damaged_chunk_or_index_is_refused)
{
    char key[KILN_KEY_MAX], path[4096];
    size_t size;
    layout l;
    uint8_t *blk = written_block(key, path, &size, &l);
    cr_assert(gt(sz, l.nchunks, 5));
    uint8_t *c = malloc(size);
    uint64_t bytes;
    int rc;

    /* A byte of chunk 3: lookups of its traces fail naming the chunk;
     * lookups elsewhere still answer; verify fails. */
    memcpy(c, blk, size);
    c[l.links->offset + l.chunks[3].offset + l.chunks[3].stored / 2] ^= 0x20;
    put(path, c, size);
    char *got = lookup(key, l.chunks[3].first_trace, 0, &bytes, &rc);
    cr_assert(got == NULL);
    cr_assert(eq(int, rc, KILN_ECHECKSUM), "%d", rc);
    cr_assert(strstr(kiln_error_last(), "section links: chunk 3") != NULL,
              "%s", kiln_error_last());
    cr_assert(strstr(kiln_error_last(), key) != NULL, "%s", kiln_error_last());
    got = lookup(key, l.chunks[0].first_trace, 0, &bytes, &rc);
    cr_assert(eq(int, rc, 0), "%s", kiln_error_last());
    cr_assert(strlen(got) > 0);
    free(got);
    kiln_block *b = NULL;
    cr_assert(eq(int, kiln_block_open(&b, S.st, key), 0));
    rc = kiln_block_verify(b);
    cr_assert(rc == KILN_ECHECKSUM || rc == KILN_ECORRUPT, "%d", rc);
    cr_assert(strstr(kiln_error_last(), "links") != NULL, "%s",
              kiln_error_last());
    kiln_block_free(b);

    /* A byte of the chunk index: every lookup that passes the bloom
     * filter fails; verify fails. */
    for (int where = 0; where < 3; where++) {
        memcpy(c, blk, size);
        c[l.index->offset + (l.index->stored - 1) * (uint64_t)where / 2] ^= 0x08;
        put(path, c, size);
        got = lookup(key, l.chunks[0].first_trace, 0, &bytes, &rc);
        cr_assert(got == NULL);
        cr_assert(rc == KILN_ECHECKSUM || rc == KILN_ECORRUPT, "%d", rc);
        cr_assert(strstr(kiln_error_last(), "traceindex") != NULL, "%s",
                  kiln_error_last());
        cr_assert(eq(int, kiln_block_open(&b, S.st, key), 0));
        rc = kiln_block_verify(b);
        cr_assert(rc == KILN_ECHECKSUM || rc == KILN_ECORRUPT, "%d", rc);
        kiln_block_free(b);
    }
    put(path, blk, size);
    cr_assert(eq(int, kiln_block_open(&b, S.st, key), 0));
    cr_assert(eq(int, kiln_block_verify(b), 0), "%s", kiln_error_last());
    kiln_block_free(b);
    free(c);
    layout_free(&l);
    free(blk);
}
