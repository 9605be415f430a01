/* test_otlp.c: OTLP profiles ingest. A profile converted pprof -> OTLP
 * (tools/otlp_gen.c) and added with kiln_writer_add_otlp gives the same block
 * contents (per-stack values, links, kinds, series) as the pprof added
 * directly; malformed requests are refused whole, naming what is wrong. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "otlp_example.h"
#include "otlp_gen.h"
#include "otlp_profiles_service.pb-c.h"

typedef Opentelemetry__Proto__Collector__Profiles__V1development__ExportProfilesServiceRequest
    o_request;

static kiln_writer *new_writer(const char *trace_key, const char *span_key)
{
    kiln_writer_opts o = KILN_WRITER_OPTS_INIT;
    o.trace_key = trace_key;
    o.span_key = span_key;
    kiln_writer *w = NULL;
    int rc = kiln_writer_new(&w, &o);
    cr_assert(eq(int, rc, 0), "%s", kiln_error_last());
    return w;
}

static o_request *unpack_req(const kiln_buf *b)
{
    o_request *r =
        opentelemetry__proto__collector__profiles__v1development__export_profiles_service_request__unpack(
            NULL, b->len, b->data);
    cr_assert(r != NULL, "converted request does not unpack");
    return r;
}

static void free_req(o_request *r)
{
    opentelemetry__proto__collector__profiles__v1development__export_profiles_service_request__free_unpacked(
        r, NULL);
}

static void pack_req(const o_request *r, kiln_buf *out)
{
    size_t n =
        opentelemetry__proto__collector__profiles__v1development__export_profiles_service_request__get_packed_size(r);
    kiln_buf_reset(out);
    cr_assert(eq(int, kiln_buf_reserve(out, n), 0));
    out->len =
        opentelemetry__proto__collector__profiles__v1development__export_profiles_service_request__pack(
            r, out->data);
}

/* Per link: values summed per sample type; sorted by link bytes. */
typedef struct link_sum {
    uint8_t id[24];
    uint32_t ntypes;
    int64_t v[KILN_MAX_TYPES];
} link_sum;

static int cmp_link_sum(const void *a, const void *b)
{
    return memcmp(((const link_sum *)a)->id, ((const link_sum *)b)->id, 24);
}

static link_sum *link_sums(const tblock *b, size_t *n)
{
    link_sum *s = calloc(b->nlinks + 1, sizeof(*s));
    cr_assert(s != NULL);
    for (size_t l = 0; l < b->nlinks; l++) {
        memcpy(s[l].id, b->links[l].trace_id, 16);
        memcpy(s[l].id + 16, b->links[l].span_id, 8);
    }
    for (size_t pg = 0; pg < b->npages; pg++) {
        const kiln_page_rows *r = &b->rows[pg];
        for (uint32_t i = 0; i < r->n; i++) {
            if (r->link[i] == 0)
                continue;
            link_sum *e = &s[r->link[i] - 1];
            e->ntypes = r->ntypes;
            for (uint32_t t = 0; t < r->ntypes; t++)
                e->v[t] += r->values[(size_t)t * r->n + i];
        }
    }
    qsort(s, b->nlinks, sizeof(*s), cmp_link_sum);
    *n = b->nlinks;
    return s;
}

static void kind_assert_eq(const tblock *a, const tblock *b, const char *what)
{
    cr_assert(eq(sz, a->ser.nseries, b->ser.nseries), "%s: series", what);
    for (size_t s = 0; s < a->ser.nseries; s++) {
        const kiln_kind *ka = &a->ser.kinds[a->ser.series[s].kind];
        const kiln_kind *kb = &b->ser.kinds[b->ser.series[s].kind];
        cr_assert(eq(u32, ka->ntypes, kb->ntypes), "%s: ntypes", what);
        for (uint32_t t = 0; t < 2 * ka->ntypes; t++)
            cr_assert(eq(str, (char *)strtab_get(&a->ser.strings, ka->types[t]),
                         (char *)strtab_get(&b->ser.strings, kb->types[t])),
                      "%s: sample type %u", what, t / 2);
        cr_assert(eq(i64, ka->period, kb->period), "%s: period", what);
        for (int t = 0; t < 2; t++)
            cr_assert(eq(str, (char *)strtab_get(&a->ser.strings, ka->period_type[t]),
                         (char *)strtab_get(&b->ser.strings, kb->period_type[t])),
                      "%s: period type", what);
        cr_assert(eq(str, (char *)strtab_get(&a->ser.strings, ka->default_type),
                     (char *)strtab_get(&b->ser.strings, kb->default_type)),
                  "%s: default type", what);
        cr_assert(eq(u32, ka->ncomments, kb->ncomments), "%s: comments", what);
        const char *names[] = {"service_name", "host"};
        for (int k = 0; k < 2; k++) {
            const char *va = series_label(&a->ser, (uint32_t)s, names[k]);
            const char *vb = series_label(&b->ser, (uint32_t)s, names[k]);
            cr_assert(va && vb, "%s: label %s missing", what, names[k]);
            cr_assert(eq(str, (char *)va, (char *)vb), "%s: %s", what, names[k]);
        }
    }
}

/* The blocks of the two paths hold the same data. */
static void blocks_assert_same(const kiln_buf *ba, const kiln_buf *bb,
                               const char *what)
{
    tblock a, b;
    th_block_open(&a, ba);
    th_block_open(&b, bb);
    cr_assert(eq(u64, a.meta.nprofiles, b.meta.nprofiles), "%s", what);
    cr_assert(eq(i64, a.meta.tmin, b.meta.tmin), "%s", what);
    cr_assert(eq(i64, a.meta.tmax, b.meta.tmax), "%s", what);
    cr_assert(eq(u64, a.meta.nsamples, b.meta.nsamples), "%s: rows", what);
    cr_assert(eq(u64, a.meta.nstacks, b.meta.nstacks), "%s: stacks", what);
    cr_assert(eq(u64, a.meta.nfunctions, b.meta.nfunctions), "%s", what);
    kind_assert_eq(&a, &b, what);

    th_sums sa = {0}, sb = {0};
    th_sums_block(&sa, &a);
    th_sums_block(&sb, &b);
    th_sums_assert_eq(&sa, &sb, what);
    th_sums_free(&sa);
    th_sums_free(&sb);

    cr_assert(eq(sz, a.nlinks, b.nlinks), "%s: links", what);
    size_t na, nb;
    link_sum *la = link_sums(&a, &na), *lb = link_sums(&b, &nb);
    for (size_t i = 0; i < na; i++) {
        cr_assert(memcmp(la[i].id, lb[i].id, 24) == 0, "%s: link %zu", what, i);
        cr_assert(eq(u32, la[i].ntypes, lb[i].ntypes));
        for (uint32_t t = 0; t < la[i].ntypes; t++)
            cr_assert(eq(i64, la[i].v[t], lb[i].v[t]), "%s: link %zu type %u",
                      what, i, t);
    }
    free(la);
    free(lb);
    th_block_free(&a);
    th_block_free(&b);
}

/* Add `data` as pprof to one writer and as OTLP to another; compare. */
static void both_paths(const uint8_t *data, size_t len, const char *what,
                       kiln_otlp_layout layout, bool *pprof_ok)
{
    kiln_writer *wa = new_writer(NULL, NULL), *wb = new_writer(NULL, NULL);
    kiln_label lab[] = {{"service_name", "checkout"}, {"host", "web-3"}};
    kiln_label res[] = {{"service.name", "checkout"}, {"host.name", "web-3"}};
    int rca = kiln_writer_add_pprof(wa, data, len, lab, 2);
    kiln_buf otlp = KILN_BUF_INIT;
    int rc = pprof_to_otlp_layout(data, len, res, 2, layout, &otlp);
    *pprof_ok = rca == 0;
    if (rc == 0) {
        kiln_otlp_layout seen;
        cr_assert(eq(int, kiln_otlp_detect(&seen, otlp.data, otlp.len), 0),
                  "%s: %s", what, kiln_error_last());
        cr_assert(eq(int, (int)seen, (int)layout), "%s: layout", what);
    }
    if (rca < 0) {
        /* Refused as pprof: the OTLP path must refuse it too. */
        if (rc == 0)
            cr_assert(lt(int, kiln_writer_add_otlp(wb, otlp.data, otlp.len,
                                                   NULL, 0), 0),
                      "%s: pprof refused but OTLP accepted", what);
    } else {
        cr_assert(eq(int, rc, 0), "%s: pprof->otlp: %s", what, kiln_error_last());
        rc = kiln_writer_add_otlp(wb, otlp.data, otlp.len, NULL, 0);
        cr_assert(eq(int, rc, 0), "%s: add_otlp: %s", what, kiln_error_last());
        kiln_writer_stats sta, stb;
        kiln_writer_stats_get(wa, &sta);
        kiln_writer_stats_get(wb, &stb);
        cr_assert(eq(u64, sta.bad_links, stb.bad_links), "%s: bad links", what);
        cr_assert(eq(u64, sta.rows, stb.rows), "%s: rows", what);
        kiln_buf ba = KILN_BUF_INIT, bb = KILN_BUF_INIT;
        char ida[27], idb[27];
        th_finish(wa, &ba, ida);
        th_finish(wb, &bb, idb);
        blocks_assert_same(&ba, &bb, what);
        kiln_buf_free(&ba);
        kiln_buf_free(&bb);
    }
    kiln_buf_free(&otlp);
    kiln_writer_free(wa);
    kiln_writer_free(wb);
}

/* Every real pprof of the corpus, as OTLP in both layouts. */
static void corpus_both_paths(kiln_otlp_layout layout)
{
    size_t n;
    char **files = th_corpus_files("pprof", &n);
    cr_assert(n > 0, "no corpus files under $KILN_CORPUS/pprof");
    size_t compared = 0;
    for (size_t i = 0; i < n; i++) {
        size_t len;
        uint8_t *data = th_slurp(files[i], &len);
        cr_assert(data != NULL, "%s", files[i]);
        bool ok;
        both_paths(data, len, files[i], layout, &ok);
        compared += ok;
        free(data);
    }
    cr_assert(gt(sz, compared, n / 2), "only %zu of %zu files compared",
              compared, n);
    th_free_list(files, n);
}

Test(writer_otlp, corpus_profiles_give_the_same_block_as_pprof)
{
    corpus_both_paths(KILN_OTLP_V1_9);
}

Test(writer_otlp, corpus_profiles_in_the_v1_11_layout_give_the_same_block)
{
    corpus_both_paths(KILN_OTLP_V1_11);
}

/* Two sample types, links on some samples (one with a malformed trace id,
 * one with a trace id only, one in upper case, one with Pyroscope's
 * profile_id), a plain label. */
static uint8_t *linked_profile(size_t *len)
{
    static th_prof t;
    th_prof_init(&t);
    uint64_t s1[] = {1, 2, 3}, s2[] = {4, 2, 3}, s3[] = {3};
    Perftools__Profiles__Sample *a = th_prof_sample(&t, s1, 3, 5, 50);
    th_prof_label(&t, a, "trace_id", "0af7651916cd43dd8448eb211c80319c");
    th_prof_label(&t, a, "span_id", "b7ad6b7169203331");
    Perftools__Profiles__Sample *b = th_prof_sample(&t, s2, 3, 2, 20);
    th_prof_label(&t, b, "trace_id", "0af7651916cd43dd8448eb211c80319c");
    th_prof_label(&t, b, "span_id", "00f067aa0ba902b7");
    th_prof_label(&t, b, "endpoint", "/cart");
    Perftools__Profiles__Sample *c = th_prof_sample(&t, s1, 3, 1, 10);
    th_prof_label(&t, c, "trace_id", "not-hex-at-all");
    th_prof_label(&t, c, "span_id", "b7ad6b7169203331");
    Perftools__Profiles__Sample *d = th_prof_sample(&t, s3, 1, 7, 70);
    th_prof_label(&t, d, "trace_id", "4bf92f3577b34da6a3ce929d0e0e4736");
    th_prof_sample(&t, s2, 3, 3, 30);
    Perftools__Profiles__Sample *e = th_prof_sample(&t, s2, 3, 4, 40);
    th_prof_label(&t, e, "trace_id", "4BF92F3577B34DA6A3CE929D0E0E4736");
    th_prof_label(&t, e, "span_id", "b7ad6b7169203331");
    Perftools__Profiles__Sample *f = th_prof_sample(&t, s3, 1, 6, 60);
    th_prof_label(&t, f, "trace_id", "5bf92f3577b34da6a3ce929d0e0e4736");
    th_prof_label(&t, f, "profile_id", "00f067aa0ba902b7");
    return th_prof_pack(&t, len);
}

/* linked_profile converted to an OTLP request with resource attributes
 * res[0..nres), appended to otlp. */
static void linked_otlp(const kiln_label *res, size_t nres, kiln_buf *otlp)
{
    size_t len;
    uint8_t *data = linked_profile(&len);
    cr_assert(eq(int, pprof_to_otlp(data, len, res, nres, otlp), 0));
    free(data);
}

/* Add the OTLP request in to w with caller labels lab[0..nlab), which w
 * must accept, then finish the block into block and open it as b. */
static void add_finish(kiln_writer *w, const kiln_buf *in,
                       const kiln_label *lab, size_t nlab, kiln_buf *block,
                       tblock *b)
{
    cr_assert(eq(int, kiln_writer_add_otlp(w, in->data, in->len, lab, nlab), 0),
              "%s", kiln_error_last());
    char id[27];
    th_finish(w, block, id);
    th_block_open(b, block);
}

Test(writer_otlp, links_and_labels_match_pprof_ingest)
{
    size_t len;
    uint8_t *data = linked_profile(&len);
    bool ok;
    both_paths(data, len, "linked profile", KILN_OTLP_V1_9, &ok);
    cr_assert(ok, "the pprof path refused the hand-made profile: %s",
              kiln_error_last());
    both_paths(data, len, "linked profile (v1.11)", KILN_OTLP_V1_11, &ok);

    /* The conversion really used link_table: 4 links + the zero entry (the
     * upper-case and malformed ids stay attributes, as the pprof path keeps
     * them as labels), and one Profile per sample type. */
    kiln_buf otlp = KILN_BUF_INIT;
    linked_otlp(NULL, 0, &otlp);
    o_request *r = unpack_req(&otlp);
    cr_assert(eq(sz, r->dictionary->n_link_table, 5));
    cr_assert(eq(sz, r->resource_profiles[0]->scope_profiles[0]->n_profiles, 2));
    const Opentelemetry__Proto__Profiles__V1development__Profile *p =
        r->resource_profiles[0]->scope_profiles[0]->profiles[0];
    cr_assert(ne(i32, p->samples[0]->link_index, 0));
    cr_assert(eq(i32, p->samples[2]->link_index, 0)); /* malformed: no link */
    cr_assert(eq(i32, p->samples[4]->link_index, 0));
    cr_assert(eq(i32, p->samples[5]->link_index, 0)); /* upper case */
    cr_assert(ne(i32, p->samples[6]->link_index, 0)); /* profile_id aside */
    free_req(r);
    kiln_buf_free(&otlp);
    free(data);
}

Test(writer_otlp, sample_types_of_one_pprof_stay_one_series)
{
    kiln_buf otlp = KILN_BUF_INIT, block = KILN_BUF_INIT;
    linked_otlp(NULL, 0, &otlp);
    kiln_writer *w = new_writer(NULL, NULL);
    kiln_label lab[] = {{"service_name", "svc"}};
    tblock b;
    add_finish(w, &otlp, lab, 1, &block, &b);
    cr_assert(eq(u64, b.meta.nprofiles, 1));
    cr_assert(eq(sz, b.ser.nseries, 1));
    cr_assert(eq(u32, b.ser.kinds[b.ser.series[0].kind].ntypes, 2));
    th_block_free(&b);
    kiln_buf_free(&block);
    kiln_buf_free(&otlp);
    kiln_writer_free(w);
}

Test(writer_otlp, resource_attributes_become_series_labels_caller_wins)
{
    kiln_label res[] = {{"service.name", "from-resource"},
                        {"host.name", "host-a"}};
    kiln_buf otlp = KILN_BUF_INIT, block = KILN_BUF_INIT;
    linked_otlp(res, 2, &otlp);
    kiln_writer *w = new_writer(NULL, NULL);
    kiln_label lab[] = {{"service_name", "from-caller"}};
    tblock b;
    add_finish(w, &otlp, lab, 1, &block, &b);
    cr_assert(eq(str, (char *)series_label(&b.ser, 0, "service_name"),
                 "from-caller"));
    cr_assert(eq(str, (char *)series_label(&b.ser, 0, "host"), "host-a"));
    th_block_free(&b);
    kiln_buf_free(&block);
    kiln_buf_free(&otlp);
    kiln_writer_free(w);
}

Test(writer_otlp, links_use_the_writers_configured_keys)
{
    kiln_buf otlp = KILN_BUF_INIT, block = KILN_BUF_INIT;
    linked_otlp(NULL, 0, &otlp);
    kiln_writer *w = new_writer("tid", "sid");
    tblock b;
    add_finish(w, &otlp, NULL, 0, &block, &b);
    cr_assert(eq(sz, b.nlinks, 4)); /* links came through under tid/sid */
    th_block_free(&b);
    kiln_buf_free(&block);
    kiln_buf_free(&otlp);
    kiln_writer_free(w);
}

/* A valid request (two profiles: the two sample types) to break. */
static o_request *base_request(void)
{
    kiln_buf otlp = KILN_BUF_INIT;
    linked_otlp(NULL, 0, &otlp);
    o_request *r = unpack_req(&otlp);
    kiln_buf_free(&otlp);
    return r;
}

static Opentelemetry__Proto__Profiles__V1development__Profile *
prof(o_request *r, size_t i)
{
    return r->resource_profiles[0]->scope_profiles[0]->profiles[i];
}

/* The request is refused with KILN_EINPUT mentioning `want`, and the writer
 * holds nothing afterwards. */
static void assert_refused(const o_request *r, const char *want)
{
    kiln_buf b = KILN_BUF_INIT;
    pack_req(r, &b);
    kiln_writer *w = new_writer(NULL, NULL);
    int rc = kiln_writer_add_otlp(w, b.data, b.len, NULL, 0);
    cr_assert(eq(int, rc, KILN_EINPUT), "want refusal (%s), got %d: %s", want,
              rc, kiln_error_last());
    cr_assert(strstr(kiln_error_last(), want) != NULL,
              "message \"%s\" lacks \"%s\"", kiln_error_last(), want);
    kiln_writer_stats st;
    kiln_writer_stats_get(w, &st);
    cr_assert(eq(u64, st.profiles, 0), "a refused request added profiles");
    cr_assert(eq(u64, st.rows, 0));
    kiln_writer_free(w);
    kiln_buf_free(&b);
}

Test(writer_otlp, link_index_out_of_range_is_refused)
{
    o_request *r = base_request();
    prof(r, 1)->samples[3]->link_index = 9; /* second profile: none added */
    assert_refused(r, "profile 1: sample 3: link_index 9 out of range "
                      "(link_table has 5)");
    free_req(r);
}

Test(writer_otlp, trace_id_of_wrong_length_is_refused)
{
    o_request *r = base_request();
    r->dictionary->link_table[1]->trace_id.len = 12;
    assert_refused(r, "trace_id is 12 bytes, want 16");
    free_req(r);
}

Test(writer_otlp, span_id_of_wrong_length_is_refused)
{
    o_request *r = base_request();
    r->dictionary->link_table[1]->span_id.len = 5;
    assert_refused(r, "span_id is 5 bytes, want 8");
    free_req(r);
}

Test(writer_otlp, stack_and_location_indexes_are_checked)
{
    o_request *r = base_request();
    prof(r, 0)->samples[1]->stack_index = 1000;
    assert_refused(r, "sample 1: stack_index 1000 out of range");
    prof(r, 0)->samples[1]->stack_index = 1;
    r->dictionary->stack_table[1]->location_indices[0] = -2;
    assert_refused(r, "location index -2 out of range");
    free_req(r);
}

Test(writer_otlp, string_and_attribute_indexes_are_checked)
{
    o_request *r = base_request();
    r->dictionary->function_table[1]->name_strindex = 100000;
    assert_refused(r, "function name: string index 100000 out of range");
    free_req(r);
    r = base_request();
    size_t n = prof(r, 0)->samples[1]->n_attribute_indices;
    cr_assert(gt(sz, n, 0));
    prof(r, 0)->samples[1]->attribute_indices[0] = 77;
    assert_refused(r, "attribute index 77 out of range");
    free_req(r);
}

Test(writer_otlp, samples_without_values_are_refused)
{
    o_request *r = base_request();
    prof(r, 0)->samples[0]->n_values = 0;
    assert_refused(r, "sample 0: neither values nor timestamps");
    free_req(r);
}

Test(writer_otlp, timestamps_place_each_event_at_its_time)
{
    o_request *r = base_request();
    /* Sample 4 of type 0: no values, four timestamps = four events of 1,
     * each at its own time (not the profile's); the other sample type has
     * no timestamps there, so the two are no longer one pprof. */
    uint64_t ts[4] = {4, 2, 3, 1};
    Opentelemetry__Proto__Profiles__V1development__Sample *s = prof(r, 0)->samples[4];
    s->n_values = 0;
    s->timestamps_unix_nano = ts;
    s->n_timestamps_unix_nano = 4;
    kiln_buf b = KILN_BUF_INIT, block = KILN_BUF_INIT;
    pack_req(r, &b);
    s->timestamps_unix_nano = NULL; /* not ours to free */
    s->n_timestamps_unix_nano = 0;
    kiln_writer *w = new_writer(NULL, NULL);
    tblock tb;
    add_finish(w, &b, NULL, 0, &block, &tb);
    int64_t total = 0;
    uint32_t early = 0, stack = UINT32_MAX;
    for (size_t pg = 0; pg < tb.npages; pg++)
        for (uint32_t i = 0; i < tb.rows[pg].n; i++) {
            const kiln_page_rows *pr = &tb.rows[pg];
            if (pr->time[i] > 4)
                continue;
            cr_assert(eq(u32, pr->ntypes, 1));
            cr_assert(eq(i64, pr->time[i], (int64_t)++early));
            cr_assert(eq(i64, pr->values[i], 1));
            cr_assert(eq(i64, pr->duration[i], 0));
            if (stack == UINT32_MAX)
                stack = pr->stack[i];
            cr_assert(eq(u32, pr->stack[i], stack), "one sample, one stack");
            total += pr->values[i];
        }
    cr_assert(eq(u32, early, 4));
    cr_assert(eq(i64, total, 4));
    cr_assert(eq(i64, tb.meta.tmin, 1));
    th_block_free(&tb);
    kiln_buf_free(&block);
    kiln_buf_free(&b);
    kiln_writer_free(w);
    free_req(r);
}

Test(writer_otlp, garbage_and_empty_requests_are_refused)
{
    kiln_writer *w = new_writer(NULL, NULL);
    static const uint8_t junk[] = {0x0a, 0xff, 0xff, 0xff, 0x0f, 1, 2};
    cr_assert(eq(int, kiln_writer_add_otlp(w, junk, sizeof(junk), NULL, 0),
                 KILN_EINPUT));
    cr_assert(strstr(kiln_error_last(), "otlp:") != NULL);
    cr_assert(eq(int, kiln_writer_add_otlp(w, "", 0, NULL, 0), KILN_EINPUT));
    o_request empty =
        OPENTELEMETRY__PROTO__COLLECTOR__PROFILES__V1DEVELOPMENT__EXPORT_PROFILES_SERVICE_REQUEST__INIT;
    kiln_buf b = KILN_BUF_INIT;
    pack_req(&empty, &b);
    /* An empty message packs to 0 bytes; add a resource with no profile. */
    o_request *r = base_request();
    r->resource_profiles[0]->scope_profiles[0]->n_profiles = 0;
    pack_req(r, &b);
    r->resource_profiles[0]->scope_profiles[0]->n_profiles = 2;
    cr_assert(eq(int, kiln_writer_add_otlp(w, b.data, b.len, NULL, 0),
                 KILN_EINPUT));
    cr_assert(strstr(kiln_error_last(), "no profile") != NULL, "%s",
              kiln_error_last());
    kiln_writer_stats st;
    kiln_writer_stats_get(w, &st);
    cr_assert(eq(u64, st.profiles, 0));
    free_req(r);
    kiln_buf_free(&b);
    kiln_writer_free(w);
}

Test(writer_otlp, gzipped_requests_are_read)
{
    kiln_buf otlp = KILN_BUF_INIT, gz = KILN_BUF_INIT;
    linked_otlp(NULL, 0, &otlp);
    cr_assert(eq(int, gzip_deflate(otlp.data, otlp.len, 6, &gz), 0));
    kiln_writer *w = new_writer(NULL, NULL);
    cr_assert(eq(int, kiln_writer_add_otlp(w, gz.data, gz.len, NULL, 0), 0),
              "%s", kiln_error_last());
    kiln_writer_stats st;
    kiln_writer_stats_get(w, &st);
    cr_assert(eq(u64, st.profiles, 1));
    kiln_buf_free(&otlp);
    kiln_buf_free(&gz);
    kiln_writer_free(w);
}

Test(writer_otlp, damaged_requests_never_crash_and_refusals_add_nothing)
{
    o_request *r = base_request();
    kiln_buf b = KILN_BUF_INIT;
    pack_req(r, &b);
    free_req(r);
    kiln_writer *w = new_writer(NULL, NULL);
    uint8_t *copy = malloc(b.len);
    cr_assert(copy != NULL);
    size_t refused = 0;
    for (size_t i = 0; i < b.len; i++) {
        memcpy(copy, b.data, b.len);
        copy[i] ^= 0xff;
        kiln_writer_stats before, after;
        kiln_writer_stats_get(w, &before);
        int rc = kiln_writer_add_otlp(w, copy, b.len, NULL, 0);
        kiln_writer_stats_get(w, &after);
        cr_assert(rc == 0 || rc == KILN_EINPUT || rc == KILN_ELIMIT,
                  "flip at %zu: %d %s", i, rc, kiln_error_last());
        if (rc != 0) {
            refused++;
            cr_assert(strstr(kiln_error_last(), "otlp") != NULL,
                      "flip at %zu: message \"%s\" does not say otlp", i,
                      kiln_error_last());
            cr_assert(eq(u64, after.profiles, before.profiles), "flip at %zu", i);
            cr_assert(eq(u64, after.rows, before.rows), "flip at %zu", i);
        }
    }
    cr_assert(gt(sz, refused, 0));
    free(copy);
    kiln_buf_free(&b);
    kiln_writer_free(w);
}

Test(writer_otlp, each_resource_is_its_own_series)
{
    kiln_label ra[] = {{"service.name", "cart"}, {"host.name", "h1"}};
    kiln_label rb[] = {{"service.name", "checkout"}, {"host.name", "h2"}};
    kiln_buf oa = KILN_BUF_INIT, ob = KILN_BUF_INIT, two = KILN_BUF_INIT;
    linked_otlp(ra, 2, &oa);
    linked_otlp(rb, 2, &ob);
    /* One request, two resources sharing the first request's dictionary
     * (both conversions made the same one from the same pprof). */
    o_request *a = unpack_req(&oa), *b = unpack_req(&ob);
    Opentelemetry__Proto__Profiles__V1development__ResourceProfiles *res[2] = {
        a->resource_profiles[0], b->resource_profiles[0]};
    Opentelemetry__Proto__Profiles__V1development__ResourceProfiles **keep =
        a->resource_profiles;
    a->resource_profiles = res;
    a->n_resource_profiles = 2;
    pack_req(a, &two);
    a->resource_profiles = keep;
    a->n_resource_profiles = 1;
    kiln_writer *w = new_writer(NULL, NULL);
    kiln_buf block = KILN_BUF_INIT;
    tblock tb;
    add_finish(w, &two, NULL, 0, &block, &tb);
    cr_assert(eq(u64, tb.meta.nprofiles, 2));
    cr_assert(eq(sz, tb.ser.nseries, 2));
    bool cart = false, checkout = false;
    for (uint32_t s = 0; s < 2; s++) {
        const char *v = series_label(&tb.ser, s, "service_name");
        cr_assert(v != NULL);
        cart |= strcmp(v, "cart") == 0;
        checkout |= strcmp(v, "checkout") == 0;
    }
    cr_assert(cart && checkout);
    th_block_free(&tb);
    free_req(a);
    free_req(b);
    kiln_buf_free(&block);
    kiln_buf_free(&oa);
    kiln_buf_free(&ob);
    kiln_buf_free(&two);
    kiln_writer_free(w);
}

/* The hand-built profile of otlp_example.h (laid out the way OpenTelemetry's
 * own profilers send it: events as timestamps, a build id under the
 * semantic conventions' key, attributes kiln does not use on locations, no
 * pprof.* attributes) in `layout`: its block. */
static void example_block(kiln_otlp_layout layout, kiln_buf *block)
{
    static otlp_example x;
    otlp_example_init(&x);
    kiln_buf b = KILN_BUF_INIT;
    cr_assert(eq(int, otlp_pack(&x.req, layout, &b), 0));
    kiln_otlp_layout seen;
    cr_assert(eq(int, kiln_otlp_detect(&seen, b.data, b.len), 0));
    cr_assert(eq(int, (int)seen, (int)layout));
    kiln_writer *w = new_writer(NULL, NULL);
    cr_assert(eq(int, kiln_writer_add_otlp(w, b.data, b.len, NULL, 0), 0),
              "%s", kiln_error_last());
    char id[27];
    th_finish(w, block, id);
    kiln_writer_free(w);
    kiln_buf_free(&b);
}

static const char *sym_str(const tblock *tb, uint32_t id)
{
    return (const char *)strtab_get(&tb->sym.strings, id);
}

/* The stack of row i of page 0 as "root;...;leaf" function names. */
static void row_stack(const tblock *tb, uint32_t i, char *out, size_t cap)
{
    const char *names[8];
    size_t n = 0;
    for (uint32_t node = tb->rows[0].stack[i]; node && n < 8;
         node = tb->stacks.parent[node]) {
        const kiln_location *l = &tb->sym.locations[tb->stacks.loc[node]];
        names[n++] = sym_str(tb, tb->sym.functions[tb->sym.lines[l->line_off].function].name);
    }
    out[0] = '\0';
    while (n--)
        snprintf(out + strlen(out), cap - strlen(out), "%s%s", names[n],
                 n ? ";" : "");
}

Test(writer_otlp, foreign_producer_profile_reads_the_same_in_both_layouts)
{
    kiln_buf b9 = KILN_BUF_INIT, b11 = KILN_BUF_INIT;
    example_block(KILN_OTLP_V1_9, &b9);
    example_block(KILN_OTLP_V1_11, &b11);
    cr_assert(eq(sz, b9.len, b11.len));
    cr_assert(eq(int, memcmp(b9.data, b11.data, b9.len), 0),
              "the two layouts give different blocks");

    tblock tb;
    th_block_open(&tb, &b11);
    /* six rows, each at its own time (T0 + k s): the aggregated sample at
     * the profile's time, then sample 0's three values and sample 1's two
     * events */
    static const struct {
        int64_t dt;
        const char *stack;
        int64_t v;
        bool link, label;
    } want[6] = {
        {0, "main;work", 5000000, false, false},
        {1, "main;work", 10000000, true, false},
        {1, "main;idle", 1, false, true},
        {2, "main;work", 20000000, true, false},
        {3, "main;work", 30000000, true, false},
        {4, "main;idle", 1, false, true},
    };
    cr_assert(eq(sz, tb.npages, 1));
    cr_assert(eq(u32, tb.rows[0].n, 6));
    cr_assert(eq(u64, tb.meta.nsamples, 6));
    cr_assert(eq(i64, tb.meta.tmin, OTLP_EXAMPLE_T0));
    bool used[6] = {false};
    for (uint32_t i = 0; i < 6; i++) {
        char st[64];
        row_stack(&tb, i, st, sizeof st);
        int64_t dt = (tb.rows[0].time[i] - OTLP_EXAMPLE_T0) / OTLP_EXAMPLE_S;
        size_t k = 0;
        while (k < 6 && (used[k] || want[k].dt != dt ||
                         strcmp(want[k].stack, st) != 0 ||
                         want[k].v != tb.rows[0].values[i]))
            k++;
        cr_assert(lt(sz, k, 6), "unexpected row: +%" PRId64 " s %s %" PRId64,
                  dt, st, tb.rows[0].values[i]);
        used[k] = true;
        cr_assert(eq(i64, tb.rows[0].time[i] % OTLP_EXAMPLE_S, 0));
        cr_assert(eq(u32, tb.rows[0].link[i], want[k].link ? 1 : 0));
        if (!want[k].label) {
            cr_assert(eq(u32, tb.rows[0].lset[i], 0));
            continue;
        }
        /* the sample attribute is a label */
        const kiln_labelset *set = &tb.sym.lsets[tb.rows[0].lset[i]];
        cr_assert(eq(u32, set->n, 1));
        const kiln_label_ent *e = &tb.sym.labels[set->off];
        cr_assert(eq(str, (char *)sym_str(&tb, e->key), "thread.name"));
        cr_assert(eq(str, (char *)sym_str(&tb, e->str), "worker-1"));
    }
    cr_assert(eq(sz, tb.nlinks, 1));
    static const uint8_t span[8] = {0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8};
    for (int i = 0; i < 16; i++)
        cr_assert(eq(u8, tb.links[0].trace_id[i], (uint8_t)(0x11 * (i + 1))));
    cr_assert(memcmp(tb.links[0].span_id, span, 8) == 0);
    cr_assert(eq(str, (char *)series_label(&tb.ser, 0, "service_name"),
                 "ebpf-app"));
    cr_assert(eq(sz, tb.sym.nmappings, 1));
    cr_assert(eq(str, (char *)sym_str(&tb, tb.sym.mappings[0].build_id),
                 "9f86d081884c7d65"));
    cr_assert(eq(str, (char *)sym_str(&tb, tb.sym.mappings[0].filename),
                 "/usr/bin/app"));
    cr_assert(eq(sz, tb.sym.nlocations, 3));
    for (size_t i = 0; i < 3; i++) {
        const kiln_location *l = &tb.sym.locations[i];
        const kiln_line *ln = &tb.sym.lines[l->line_off];
        const char *name = sym_str(&tb, tb.sym.functions[ln->function].name);
        int k = strcmp(name, "main") == 0 ? 1 : strcmp(name, "work") == 0 ? 2 : 3;
        cr_assert(eq(u64, l->address, 0x401000 + 0x100 * (uint64_t)k), "%s", name);
        cr_assert(eq(i64, ln->line, 10 * k));
    }
    th_block_free(&tb);
    kiln_buf_free(&b9);
    kiln_buf_free(&b11);
}

/* ---- layouts from the bytes ---------------------------------------------- */

static void put_key(kiln_buf *b, uint32_t field, int wt)
{
    cr_assert(eq(int, put_uvarint(b, (uint64_t)field << 3 | (unsigned)wt), 0));
}

/* Field `field` holding the message `inner`, appended to b. */
static void put_msg(kiln_buf *b, uint32_t field, const kiln_buf *inner)
{
    put_key(b, field, KILN_PB_LEN);
    cr_assert(eq(int, put_blob(b, inner->data, inner->len), 0));
}

/* A request: one resource, one scope, the given Profile bytes. */
static void wrap_profile(const kiln_buf *prof, kiln_buf *req)
{
    kiln_buf scope = KILN_BUF_INIT, res = KILN_BUF_INIT;
    put_msg(&scope, 2, prof);
    put_msg(&res, 2, &scope);
    kiln_buf_reset(req);
    put_msg(req, 1, &res);
    kiln_buf_free(&scope);
    kiln_buf_free(&res);
}

Test(writer_otlp, older_layout_with_tables_per_profile_is_refused)
{
    /* opentelemetry-proto v1.4.0-v1.6.0: Profile.mapping_table = 3; v1.7.0:
     * Profile.location_indices = 3 (packed): both length-delimited where
     * v1.8.0 on has time_unix_nano (fixed64). */
    kiln_buf prof = KILN_BUF_INIT, map = KILN_BUF_INIT, req = KILN_BUF_INIT;
    put_key(&map, 1, KILN_PB_VARINT);
    put_uvarint(&map, 0x400000);
    put_msg(&prof, 3, &map);
    wrap_profile(&prof, &req);
    kiln_writer *w = new_writer(NULL, NULL);
    kiln_otlp_layout l;
    cr_assert(eq(int, kiln_otlp_detect(&l, req.data, req.len), KILN_EINPUT));
    cr_assert(eq(int, kiln_writer_add_otlp(w, req.data, req.len, NULL, 0),
                 KILN_EINPUT));
    const char *m = kiln_error_last();
    cr_assert(strstr(m, "profile 0: field 3 is length-delimited") != NULL, "%s", m);
    cr_assert(strstr(m, "v1.7.0 or earlier") != NULL, "%s", m);
    cr_assert(strstr(m, "kiln reads the layouts of opentelemetry-proto "
                        "v1.8.0-v1.9.0 and v1.10.0-v1.11.0") != NULL, "%s", m);
    cr_assert(strchr(m, '\n') == NULL, "one line: %s", m);
    kiln_writer_stats st;
    kiln_writer_stats_get(w, &st);
    cr_assert(eq(u64, st.rows, 0));
    kiln_writer_free(w);
    kiln_buf_free(&prof);
    kiln_buf_free(&map);
    kiln_buf_free(&req);
}

/* A Profile holding one Sample with the given bytes. */
static void one_sample(const kiln_buf *sample, kiln_buf *req)
{
    kiln_buf prof = KILN_BUF_INIT;
    put_msg(&prof, 2, sample);
    wrap_profile(&prof, req);
    kiln_buf_free(&prof);
}

static kiln_otlp_layout layout_of(const kiln_buf *sample)
{
    kiln_buf req = KILN_BUF_INIT;
    one_sample(sample, &req);
    kiln_otlp_layout l;
    cr_assert(eq(int, kiln_otlp_detect(&l, req.data, req.len), 0), "%s",
              kiln_error_last());
    kiln_buf_free(&req);
    return l;
}

Test(writer_otlp, sample_wire_types_decide_the_layout)
{
    kiln_buf s = KILN_BUF_INIT, packed = KILN_BUF_INIT;
    put_uvarint(&packed, 3);
    put_uvarint(&packed, 5);
    /* field 3 packed: v1.9 attribute_indices */
    put_key(&s, 1, KILN_PB_VARINT); put_uvarint(&s, 1);
    put_msg(&s, 3, &packed);
    cr_assert(eq(int, (int)layout_of(&s), (int)KILN_OTLP_V1_9));
    /* field 4 packed: v1.11 values */
    kiln_buf_reset(&s);
    put_key(&s, 1, KILN_PB_VARINT); put_uvarint(&s, 1);
    put_key(&s, 3, KILN_PB_VARINT); put_uvarint(&s, 1);
    put_msg(&s, 4, &packed);
    cr_assert(eq(int, (int)layout_of(&s), (int)KILN_OTLP_V1_11));
    /* only field 2, no timestamps: values (v1.9), as v1.11 would be a
     * sample with neither values nor timestamps */
    kiln_buf_reset(&s);
    put_msg(&s, 2, &packed);
    cr_assert(eq(int, (int)layout_of(&s), (int)KILN_OTLP_V1_9));
    /* field 2 with a different count than the timestamps: v1.11 */
    kiln_buf ts = KILN_BUF_INIT;
    uint8_t t8[8] = {1};
    kiln_buf_append(&ts, t8, 8);
    kiln_buf_reset(&s);
    put_msg(&s, 2, &packed);
    put_msg(&s, 5, &ts);
    cr_assert(eq(int, (int)layout_of(&s), (int)KILN_OTLP_V1_11));

    /* two samples that disagree: refused, naming both */
    kiln_buf a = KILN_BUF_INIT, b = KILN_BUF_INIT, prof = KILN_BUF_INIT,
             req = KILN_BUF_INIT;
    put_msg(&a, 3, &packed);
    put_msg(&b, 4, &packed);
    put_msg(&prof, 2, &a);
    put_msg(&prof, 2, &b);
    wrap_profile(&prof, &req);
    kiln_otlp_layout l;
    cr_assert(eq(int, kiln_otlp_detect(&l, req.data, req.len), KILN_EINPUT));
    cr_assert(strstr(kiln_error_last(), "samples disagree") != NULL, "%s",
              kiln_error_last());
    cr_assert(strstr(kiln_error_last(), "profile 0 sample 1") != NULL, "%s",
              kiln_error_last());
    kiln_buf_free(&s);
    kiln_buf_free(&packed);
    kiln_buf_free(&ts);
    kiln_buf_free(&a);
    kiln_buf_free(&b);
    kiln_buf_free(&prof);
    kiln_buf_free(&req);
}

/* Damaged requests in either layout: every cut and every byte flip of the
 * example is added whole or refused whole with KILN_EINPUT naming "otlp",
 * never a crash (the sanitizer build runs this too). */
Test(writer_otlp, every_cut_and_flip_is_taken_or_refused_whole, .timeout = 120)
{
    static otlp_example x;
    otlp_example_init(&x);
    for (int layout = KILN_OTLP_V1_9; layout <= KILN_OTLP_V1_11; layout++) {
        kiln_buf b = KILN_BUF_INIT, d = KILN_BUF_INIT;
        cr_assert(eq(int, otlp_pack(&x.req, (kiln_otlp_layout)layout, &b), 0));
        size_t refused = 0;
        for (size_t k = 0; k < 2 * b.len; k++) {
            kiln_buf_reset(&d);
            cr_assert(eq(int, kiln_buf_append(&d, b.data, b.len), 0));
            if (k < b.len)
                d.len = k; /* cut */
            else
                d.data[k - b.len] ^= 0xff; /* flip */
            kiln_writer *w = new_writer(NULL, NULL);
            int rc = kiln_writer_add_otlp(w, d.data, d.len, NULL, 0);
            kiln_writer_stats st;
            kiln_writer_stats_get(w, &st);
            if (rc != 0) {
                cr_assert(eq(int, rc, KILN_EINPUT), "case %zu: rc %d: %s", k,
                          rc, kiln_error_last());
                cr_assert(strstr(kiln_error_last(), "otlp") != NULL, "%s",
                          kiln_error_last());
                cr_assert(eq(u64, st.rows, 0), "case %zu: rows after refusal", k);
                refused++;
            }
            kiln_writer_free(w);
        }
        cr_assert(gt(sz, refused, b.len / 2), "only %zu of %zu refused",
                  refused, 2 * b.len);
        kiln_buf_free(&b);
        kiln_buf_free(&d);
    }
}

/* A request whose one Sample is `sample`, with a dictionary of nattr
 * attribute_table entries. */
static kiln_otlp_layout layout_with_attrs(const kiln_buf *sample, int nattr)
{
    kiln_buf prof = KILN_BUF_INIT, dict = KILN_BUF_INIT, req = KILN_BUF_INIT,
             empty = KILN_BUF_INIT;
    put_msg(&prof, 2, sample);
    wrap_profile(&prof, &req);
    for (int i = 0; i < nattr; i++)
        put_msg(&dict, 6, &empty);
    put_msg(&req, 2, &dict);
    kiln_otlp_layout l;
    cr_assert(eq(int, kiln_otlp_detect(&l, req.data, req.len), 0), "%s",
              kiln_error_last());
    kiln_buf_free(&prof);
    kiln_buf_free(&dict);
    kiln_buf_free(&req);
    return l;
}

Test(writer_otlp, one_field_2_entry_per_timestamp_is_told_by_the_attribute_table)
{
    /* fields 1, 2 (packed) and 5 with as many entries: v1.9 values with
     * timestamps, or v1.11 attribute indices with timestamps */
    kiln_buf s = KILN_BUF_INIT, f2 = KILN_BUF_INIT, ts = KILN_BUF_INIT;
    uint8_t t8[16] = {1, 0, 0, 0, 0, 0, 0, 0, 2};
    kiln_buf_append(&ts, t8, 16);
    put_uvarint(&f2, 2);
    put_uvarint(&f2, 1);
    put_key(&s, 1, KILN_PB_VARINT); put_uvarint(&s, 1);
    put_msg(&s, 2, &f2);
    put_msg(&s, 5, &ts);
    /* every entry a valid attribute index: the current layout */
    cr_assert(eq(int, (int)layout_with_attrs(&s, 3), (int)KILN_OTLP_V1_11));
    /* entry 2 is past a table of 2: values, so v1.9 */
    cr_assert(eq(int, (int)layout_with_attrs(&s, 2), (int)KILN_OTLP_V1_9));
    /* a cpu time is no attribute index */
    kiln_buf_reset(&f2);
    kiln_buf_reset(&s);
    put_uvarint(&f2, 10000000);
    put_uvarint(&f2, 20000000);
    put_key(&s, 1, KILN_PB_VARINT); put_uvarint(&s, 1);
    put_msg(&s, 2, &f2);
    put_msg(&s, 5, &ts);
    cr_assert(eq(int, (int)layout_with_attrs(&s, 4), (int)KILN_OTLP_V1_9));
    kiln_buf_free(&s);
    kiln_buf_free(&f2);
    kiln_buf_free(&ts);
}
