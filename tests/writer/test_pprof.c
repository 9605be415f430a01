/* test_pprof.c: blocks built from real pprof files (the corpus) and from
 * hand-made profiles give back, through the format decoders, the input's
 * per-stack values per sample type, its symbols, kind, time and duration;
 * the same input always gives the same bytes. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"

static kiln_writer *new_writer(void)
{
    kiln_writer *w = NULL;
    int rc = kiln_writer_new(&w, NULL);
    cr_assert(eq(int, rc, 0), "%s", kiln_error_last());
    return w;
}

static bool strtab_eq(const kiln_strtab *t, uint32_t id,
                      const ProtobufCBinaryData *s)
{
    return t->len[id] == s->len &&
           (s->len == 0 || memcmp(strtab_get(t, id), s->data, s->len) == 0);
}

static const ProtobufCBinaryData *pstr(const Perftools__Profiles__Profile *p,
                                       int64_t i)
{
    static const ProtobufCBinaryData empty = {0, NULL};
    return p->n_string_table ? &p->string_table[i] : &empty;
}

/* One file, one block: decode and compare everything we keep. */
static void check_file(const char *path)
{
    size_t len;
    uint8_t *data = th_slurp(path, &len);
    cr_assert(data != NULL, "%s", path);
    Perftools__Profiles__Profile *p = th_unpack(data, len);
    cr_assert(p != NULL, "%s does not unpack", path);

    kiln_writer *w = new_writer();
    kiln_label lab[] = {{"service_name", "corpus"}, {"file", path}};
    int rc = kiln_writer_add_pprof(w, data, len, lab, 2);
    cr_assert(eq(int, rc, 0), "%s: %s", path, kiln_error_last());
    kiln_buf block = KILN_BUF_INIT;
    char id[27];
    th_finish(w, &block, id);
    cr_assert(eq(sz, strlen(id), 26));

    tblock b;
    th_block_open(&b, &block);
    cr_assert(eq(u64, b.meta.nprofiles, 1));
    cr_assert(eq(u64, b.meta.nseries, 1));
    cr_assert(eq(i64, b.meta.tmin, p->time_nanos));
    cr_assert(eq(i64, b.meta.tmax, p->time_nanos));
    cr_assert(eq(str, b.meta.id, id));
    cr_assert(eq(str, b.meta.tenant, "default"));

    /* kind: sample types, period, period type */
    const kiln_kind *k = &b.ser.kinds[b.ser.series[0].kind];
    cr_assert(eq(u32, k->ntypes, (uint32_t)p->n_sample_type), "%s", path);
    for (size_t t = 0; t < p->n_sample_type; t++) {
        cr_assert(strtab_eq(&b.ser.strings, k->types[2 * t],
                            pstr(p, p->sample_type[t]->type)));
        cr_assert(strtab_eq(&b.ser.strings, k->types[2 * t + 1],
                            pstr(p, p->sample_type[t]->unit)));
    }
    cr_assert(eq(i64, k->period, p->period));
    if (p->period_type)
        cr_assert(strtab_eq(&b.ser.strings, k->period_type[0],
                            pstr(p, p->period_type->type)));
    cr_assert(eq(str, (char *)series_label(&b.ser, 0, "file"),
                 (char *)path));

    /* rows: time and duration of the profile, ordered by stack */
    uint64_t rows = 0;
    for (size_t pg = 0; pg < b.npages; pg++) {
        const kiln_page_rows *r = &b.rows[pg];
        for (uint32_t i = 0; i < r->n; i++) {
            cr_assert(eq(i64, r->time[i], p->time_nanos));
            cr_assert(eq(i64, r->duration[i], p->duration_nanos));
            if (i > 0)
                cr_assert(le(u32, r->stack[i - 1], r->stack[i]));
        }
        rows += r->n;
    }
    cr_assert(eq(u64, rows, b.meta.nsamples));
    cr_assert(le(u64, rows, p->n_sample));

    /* per-stack sums, with every frame's symbols in the stack's name */
    th_sums want, got;
    th_sums_pprof(&want, p);
    th_sums_block(&got, &b);
    th_sums_assert_eq(&got, &want, path);
    th_sums_free(&want);
    th_sums_free(&got);

    th_block_free(&b);
    kiln_buf_free(&block);
    kiln_writer_free(w);
    perftools__profiles__profile__free_unpacked(p, NULL);
    free(data);
}

Test(writer, corpus_files_keep_per_stack_values_and_symbols, .timeout = 240)
{
    size_t n;
    char **files = th_corpus_files("pprof", &n);
    cr_assert(gt(sz, n, 50));
    for (size_t i = 0; i < n; i++)
        check_file(files[i]);
    th_free_list(files, n);
}

/* Every corpus file in one block, one series each: symbols are shared,
 * each series still sums to its own input. */
Test(writer, corpus_in_one_block_keeps_each_series, .timeout = 240)
{
    size_t n;
    char **files = th_corpus_files("pprof", &n);
    kiln_writer *w = new_writer();
    kiln_writer_opts o = KILN_WRITER_OPTS_INIT;
    o.page_rows = 500; /* several pages per big series */
    kiln_writer_free(w);
    cr_assert(eq(int, kiln_writer_new(&w, &o), 0));
    for (size_t i = 0; i < n; i++) {
        size_t len;
        uint8_t *data = th_slurp(files[i], &len);
        kiln_label lab[] = {{"file", files[i]}};
        int rc = kiln_writer_add_pprof(w, data, len, lab, 1);
        cr_assert(eq(int, rc, 0), "%s: %s", files[i], kiln_error_last());
        free(data);
    }
    kiln_writer_stats st;
    kiln_writer_stats_get(w, &st);
    cr_assert(eq(u64, st.profiles, n));
    cr_assert(eq(u64, st.series, n));
    kiln_buf block = KILN_BUF_INIT;
    char id[27];
    th_finish(w, &block, id);
    tblock b;
    th_block_open(&b, &block);
    cr_assert(eq(u64, b.meta.nseries, n));
    cr_assert(eq(u64, b.meta.nsamples, st.rows));
    cr_assert(eq(sz, b.meta.nlabelnames, 1));
    cr_assert(eq(str, b.meta.labelnames[0], "file"));
    cr_assert(eq(u64, b.meta.labelvalues[0], n));

    /* pages: one series each, sorted by series, at most page_rows rows */
    for (size_t pg = 0; pg < b.npages; pg++) {
        cr_assert(le(u32, b.pages[pg].nrows, 500));
        if (pg > 0)
            cr_assert(le(u32, b.pages[pg - 1].series, b.pages[pg].series));
    }

    for (size_t i = 0; i < n; i++) {
        size_t len;
        uint8_t *data = th_slurp(files[i], &len);
        Perftools__Profiles__Profile *p = th_unpack(data, len);
        uint32_t sid = UINT32_MAX;
        for (uint32_t s = 0; s < b.ser.nseries; s++) {
            const char *v = series_label(&b.ser, s, "file");
            if (v && strcmp(v, files[i]) == 0)
                sid = s;
        }
        cr_assert(ne(u32, sid, UINT32_MAX), "%s: no series", files[i]);
        /* a block with only this series' pages */
        tblock one = b;
        size_t np = 0;
        kiln_page_rows *rows = calloc(b.npages, sizeof *rows);
        for (size_t pg = 0; pg < b.npages; pg++)
            if (b.pages[pg].series == sid)
                rows[np++] = b.rows[pg];
        one.rows = rows;
        one.npages = np;
        th_sums want, got;
        th_sums_pprof(&want, p);
        th_sums_block(&got, &one);
        th_sums_assert_eq(&got, &want, files[i]);
        th_sums_free(&want);
        th_sums_free(&got);
        free(rows);
        perftools__profiles__profile__free_unpacked(p, NULL);
        free(data);
    }
    th_block_free(&b);
    kiln_buf_free(&block);
    kiln_writer_free(w);
    th_free_list(files, n);
}

static void build(const char *const *paths, size_t n, kiln_buf *out,
                  char id[27])
{
    kiln_writer *w = new_writer();
    for (size_t i = 0; i < n; i++) {
        size_t len;
        uint8_t *data = th_slurp(paths[i], &len);
        kiln_label lab[] = {{"host", i % 2 ? "a" : "b"}};
        cr_assert(eq(int, kiln_writer_add_pprof(w, data, len, lab, 1), 0));
        free(data);
    }
    th_finish(w, out, id);
    kiln_writer_free(w);
}

Test(writer, same_input_gives_same_bytes_and_id)
{
    size_t n;
    char **files = th_corpus_files("pprof", &n);
    const char *pick[] = {files[0], files[5], files[n / 2], files[n - 1]};
    kiln_buf a = KILN_BUF_INIT, b = KILN_BUF_INIT;
    char ida[27], idb[27];
    build(pick, 4, &a, ida);
    build(pick, 4, &b, idb);
    cr_assert(eq(sz, a.len, b.len));
    cr_assert(eq(int, memcmp(a.data, b.data, a.len), 0));
    cr_assert(eq(str, ida, idb));
    /* different content, different id */
    kiln_buf c = KILN_BUF_INIT;
    char idc[27];
    build(pick, 3, &c, idc);
    cr_assert(ne(str, ida, idc));
    kiln_buf_free(&a);
    kiln_buf_free(&b);
    kiln_buf_free(&c);
    th_free_list(files, n);
}

Test(writer, symbols_are_shared_across_profiles)
{
    size_t n;
    char **files = th_corpus_files("pprof", &n);
    size_t len;
    uint8_t *data = th_slurp(files[0], &len);
    kiln_writer *w = new_writer();
    kiln_label l1[] = {{"host", "a"}}, l2[] = {{"host", "b"}};
    cr_assert(eq(int, kiln_writer_add_pprof(w, data, len, l1, 1), 0));
    kiln_writer_stats s1, s2;
    kiln_writer_stats_get(w, &s1);
    cr_assert(eq(int, kiln_writer_add_pprof(w, data, len, l2, 1), 0));
    kiln_writer_stats_get(w, &s2);
    cr_assert(eq(u64, s2.stacks, s1.stacks), "stacks are not shared");
    cr_assert(eq(u64, s2.rows, 2 * s1.rows));
    cr_assert(eq(u64, s2.series, 2));
    cr_assert(eq(u64, s2.profiles, 2));
    kiln_buf one = KILN_BUF_INIT, two = KILN_BUF_INIT;
    char id[27];
    th_finish(w, &two, id);
    cr_assert(eq(int, kiln_writer_add_pprof(w, data, len, l1, 1), 0));
    th_finish(w, &one, id);
    tblock a, b;
    th_block_open(&a, &one);
    th_block_open(&b, &two);
    cr_assert(eq(u64, a.meta.nfunctions, b.meta.nfunctions));
    cr_assert(eq(u64, a.meta.nlocations, b.meta.nlocations));
    cr_assert(eq(u64, a.meta.nstrings, b.meta.nstrings));
    cr_assert(eq(u64, 2 * a.meta.nsamples, b.meta.nsamples));
    th_block_free(&a);
    th_block_free(&b);
    kiln_buf_free(&one);
    kiln_buf_free(&two);
    kiln_writer_free(w);
    free(data);
    th_free_list(files, n);
}

Test(writer, identical_samples_are_merged_by_summing)
{
    th_prof t;
    th_prof_init(&t);
    uint64_t s1[] = {3, 2, 1}, s2[] = {4, 1};
    th_prof_sample(&t, s1, 3, 1, 10);
    th_prof_sample(&t, s2, 2, 2, 20);
    th_prof_sample(&t, s1, 3, 3, 30);
    kiln_writer *w = new_writer();
    th_prof_add(w, &t);
    kiln_writer_stats st;
    kiln_writer_stats_get(w, &st);
    cr_assert(eq(u64, st.rows, 2));
    cr_assert(eq(u64, st.stacks, 1 + 3 + 1)); /* root, 1-2-3, 1-4 */
    cr_assert(eq(i64, st.tmin, t.p.time_nanos));
    kiln_buf block = KILN_BUF_INIT;
    char id[27];
    th_finish(w, &block, id);
    tblock b;
    th_block_open(&b, &block);
    cr_assert(eq(sz, b.npages, 1));
    const kiln_page_rows *r = &b.rows[0];
    cr_assert(eq(u32, r->n, 2));
    int64_t tot0 = r->values[0] + r->values[1];
    int64_t tot1 = r->values[2] + r->values[3];
    cr_assert(eq(i64, tot0, 6));
    cr_assert(eq(i64, tot1, 60));
    /* leaf of the 3-frame stack is f2 (location id 3) */
    for (uint32_t i = 0; i < 2; i++) {
        uint32_t node = r->stack[i];
        const kiln_location *l = &b.sym.locations[b.stacks.loc[node]];
        const kiln_function *f =
            &b.sym.functions[b.sym.lines[l->line_off].function];
        const char *name = strtab_get(&b.sym.strings, f->name);
        if (r->values[i] == 4)
            cr_assert(eq(str, (char *)name, "f2"));
        else
            cr_assert(eq(str, (char *)name, "f3"));
    }
    th_block_free(&b);
    kiln_buf_free(&block);
    kiln_writer_free(w);
}

Test(writer, profile_without_samples_is_recorded)
{
    th_prof t;
    th_prof_init(&t);
    kiln_writer *w = new_writer();
    th_prof_add(w, &t);
    kiln_writer_stats st;
    kiln_writer_stats_get(w, &st);
    cr_assert(eq(u64, st.profiles, 1));
    cr_assert(eq(u64, st.rows, 0));
    kiln_buf block = KILN_BUF_INIT;
    char id[27];
    th_finish(w, &block, id);
    tblock b;
    th_block_open(&b, &block);
    cr_assert(eq(u64, b.meta.nprofiles, 1));
    cr_assert(eq(u64, b.meta.nsamples, 0));
    cr_assert(eq(sz, b.npages, 0));
    cr_assert(eq(i64, b.meta.tmin, t.p.time_nanos));
    th_block_free(&b);
    kiln_buf_free(&block);
    kiln_writer_free(w);
}

Test(writer, finish_resets_and_empty_writer_has_nothing_to_finish)
{
    kiln_writer *w = new_writer();
    kiln_buf block = KILN_BUF_INIT;
    char id[27];
    cr_assert(eq(int, kiln_writer_finish(w, &block, id), KILN_ENOTFOUND));
    th_prof t;
    th_prof_init(&t);
    uint64_t s1[] = {1};
    th_prof_sample(&t, s1, 1, 1, 1);
    th_prof_add(w, &t);
    th_finish(w, &block, id);
    kiln_writer_stats st;
    kiln_writer_stats_get(w, &st);
    cr_assert(eq(u64, st.profiles, 0));
    cr_assert(eq(u64, st.rows, 0));
    cr_assert(eq(u64, st.series, 0));
    cr_assert(gt(i64, st.tmin, st.tmax));
    cr_assert(eq(int, kiln_writer_finish(w, &block, id), KILN_ENOTFOUND));
    kiln_buf_free(&block);
    kiln_writer_free(w);
}

/* Rows sort by series, time, stack; pages cut where the time changes. */
Test(writer, pages_hold_one_series_sorted_by_time)
{
    kiln_writer_opts o = KILN_WRITER_OPTS_INIT;
    o.page_rows = 4;
    kiln_writer *w = NULL;
    cr_assert(eq(int, kiln_writer_new(&w, &o), 0));
    int64_t times[] = {30, 10, 20};
    for (int i = 0; i < 3; i++) {
        th_prof t;
        th_prof_init(&t);
        t.p.time_nanos = times[i] * 1000000000LL;
        uint64_t a[] = {1}, b[] = {2}, c[] = {3, 1};
        th_prof_sample(&t, c, 2, 1, 1);
        th_prof_sample(&t, a, 1, 1, 1);
        th_prof_sample(&t, b, 1, 1, 1);
        th_prof_add(w, &t);
    }
    kiln_buf block = KILN_BUF_INIT;
    char id[27];
    th_finish(w, &block, id);
    tblock b;
    th_block_open(&b, &block);
    /* 9 rows, 3 per time, page_rows 4: cut at time changes -> 3 pages */
    cr_assert(eq(sz, b.npages, 3));
    int64_t prev = INT64_MIN;
    for (size_t pg = 0; pg < b.npages; pg++) {
        cr_assert(eq(i64, b.pages[pg].tmin, b.pages[pg].tmax));
        cr_assert(gt(i64, b.pages[pg].tmin, prev));
        prev = b.pages[pg].tmin;
        const kiln_page_rows *r = &b.rows[pg];
        for (uint32_t i = 1; i < r->n; i++)
            cr_assert(lt(u32, r->stack[i - 1], r->stack[i]));
    }
    cr_assert(eq(i64, b.meta.tmin, 10 * 1000000000LL));
    cr_assert(eq(i64, b.meta.tmax, 30 * 1000000000LL));
    th_block_free(&b);
    kiln_buf_free(&block);
    kiln_writer_free(w);
}

/* Section order puts the small index structures at the tail, the bloom
 * filter last before the footer. */
Test(writer, sections_are_laid_out_samples_first_bloom_last)
{
    th_prof t;
    th_prof_init(&t);
    uint64_t s1[] = {1};
    th_prof_sample(&t, s1, 1, 1, 1);
    kiln_writer *w = new_writer();
    th_prof_add(w, &t);
    kiln_buf block = KILN_BUF_INIT;
    char id[27];
    th_finish(w, &block, id);
    tblock b;
    th_block_open(&b, &block);
    unsigned want[] = {KILN_SEC_SAMPLES, KILN_SEC_SYMBOLS, KILN_SEC_STACKS,
                       KILN_SEC_SERIES, KILN_SEC_PAGEINDEX, KILN_SEC_LINKS,
                       KILN_SEC_TRACEINDEX, KILN_SEC_BLOOM};
    cr_assert(eq(sz, b.nsecs, 8));
    uint64_t off = KILN_HEADER_SIZE;
    for (size_t i = 0; i < 8; i++) {
        cr_assert(eq(u8, b.secs[i].type, (uint8_t)want[i]));
        cr_assert(eq(u64, b.secs[i].offset, off));
        off += b.secs[i].stored;
    }
    cr_assert(eq(u8, th_section(&b, KILN_SEC_BLOOM)->codec, KILN_CODEC_NONE));
    th_block_free(&b);
    kiln_buf_free(&block);
    kiln_writer_free(w);
}

Test(writer, options_are_checked)
{
    kiln_writer *w = NULL;
    kiln_writer_opts o = KILN_WRITER_OPTS_INIT;
    o.tenant = "bad/tenant";
    cr_assert(eq(int, kiln_writer_new(&w, &o), KILN_EINVAL));
    cr_assert(w == NULL);
    o.tenant = "";
    cr_assert(eq(int, kiln_writer_new(&w, &o), KILN_EINVAL));
    o.tenant = "..";
    cr_assert(eq(int, kiln_writer_new(&w, &o), KILN_EINVAL));
    char longt[80];
    memset(longt, 'a', 65);
    longt[65] = '\0';
    o.tenant = longt;
    cr_assert(eq(int, kiln_writer_new(&w, &o), KILN_EINVAL));
    longt[64] = '\0';
    cr_assert(eq(int, kiln_writer_new(&w, &o), 0));
    kiln_writer_free(w);
    o.tenant = "Team_1.prod-x";
    cr_assert(eq(int, kiln_writer_new(&w, &o), 0));
    kiln_writer_free(w);
    o.version = 99;
    cr_assert(eq(int, kiln_writer_new(&w, &o), KILN_EINVAL));
}

/* The block of t alone. */
static void block_of(th_prof *t, kiln_buf *out)
{
    kiln_writer *w = NULL;
    cr_assert(eq(int, kiln_writer_new(&w, NULL), 0));
    th_prof_add(w, t);
    char id[27];
    th_finish(w, out, id);
    kiln_writer_free(w);
}

static void two_samples(th_prof *t)
{
    th_prof_init(t);
    uint64_t s1[] = {1, 2, 3}, s2[] = {4, 2, 3};
    th_prof_sample(t, s1, 3, 5, 50);
    th_prof_sample(t, s2, 3, 2, 20);
}

Test(writer, ids_left_at_zero_throughout_a_table_mean_positions)
{
    th_prof t;
    kiln_buf want = KILN_BUF_INIT, got = KILN_BUF_INIT;
    two_samples(&t);
    block_of(&t, &want);
    /* functions: the lines already name 1..4 = their positions */
    two_samples(&t);
    for (int i = 0; i < 4; i++)
        t.fn[i].id = 0;
    block_of(&t, &got);
    cr_assert(eq(sz, got.len, want.len));
    cr_assert(eq(int, memcmp(got.data, want.data, got.len), 0),
              "function ids at 0: not the same block");
    /* locations, in another order: the samples name positions */
    two_samples(&t);
    for (int i = 0; i < 4; i++)
        t.loc[i].id = 0;
    kiln_buf_reset(&got);
    block_of(&t, &got);
    cr_assert(eq(int, memcmp(got.data, want.data, got.len), 0),
              "location ids at 0: not the same block");
    kiln_buf_free(&want);
    kiln_buf_free(&got);
}

Test(writer, a_line_without_function_stays_without_one)
{
    th_prof t;
    two_samples(&t);
    t.line[1].function_id = 0; /* location 2: an address, no function */
    kiln_buf b = KILN_BUF_INIT;
    block_of(&t, &b);
    tblock tb;
    th_block_open(&tb, &b);
    bool seen = false;
    for (size_t i = 0; i < tb.sym.nlocations; i++) {
        const kiln_location *l = &tb.sym.locations[i];
        cr_assert(eq(u32, l->nlines, 1));
        uint32_t f = tb.sym.lines[l->line_off].function;
        if (l->address == 0x1001) {
            cr_assert(eq(u32, f, KILN_NOFUNC));
            seen = true;
        } else {
            cr_assert(lt(u32, f, (uint32_t)tb.sym.nfunctions));
        }
    }
    cr_assert(seen);
    /* no function with empty fields was made for it */
    for (size_t i = 0; i < tb.sym.nfunctions; i++)
        cr_assert(ne(u32, tb.sym.functions[i].name, 0));
    th_block_free(&tb);
    kiln_buf_free(&b);
}
