/* test_rows.c: kiln_query_rows hands out every stored row once, with its
 * own time, series labels, folded stack and values: checked against a
 * fleet written from folded stacks with values that name their series and
 * profile, and, over corpus profiles, summing the rows by stack gives
 * exactly kiln_result_folded's output for every sample type; with
 * keep_labels a row carries its trace link. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rutil.h"

#define T0 ((int64_t)1700000000 * 1000000000)
#define SEC ((int64_t)1000000000)
#define NPROF 6

static const char *services[] = {"api", "web", "db"};
static const char *hosts[] = {"h1", "h2"};

/* Series (s, h), profile i: stack "main;serve;<svc>_work" has value
 * base and "main;idle" 2 * base, base = 1000000 * (s + 1) + 1000 * (h + 1)
 * + i + 1: a row's value tells its series and profile. */
static int64_t base_of(int s, int h, int i)
{
    return 1000000 * (int64_t)(s + 1) + 1000 * (int64_t)(h + 1) + i + 1;
}

/* Two blocks (api+web in one, db in the other) in the store, pages of 3
 * rows. */
static void write_fleet(kiln_store *st)
{
    for (int blk = 0; blk < 2; blk++) {
        kiln_writer_opts wo = KILN_WRITER_OPTS_INIT;
        kiln_writer *w = NULL;
        char key[KILN_KEY_MAX];
        wo.page_rows = 3;
        cr_assert(eq(int, kiln_writer_new(&w, &wo), 0), "%s",
                  kiln_error_last());
        for (int s = blk ? 2 : 0; s < (blk ? 3 : 2); s++)
            for (int h = 0; h < 2; h++) {
                kiln_label lab[] = {{"service_name", services[s]},
                                    {"host", hosts[h]}};
                for (int i = 0; i < NPROF; i++) {
                    char text[256];
                    int64_t v = base_of(s, h, i);
                    int n = snprintf(text, sizeof text,
                                     "main;serve;%s_work %lld\n"
                                     "main;idle %lld\n", services[s],
                                     (long long)v, (long long)(2 * v));
                    kiln_folded_opts fo = KILN_FOLDED_OPTS_INIT;
                    fo.time_ns = T0 + i * 10 * SEC;
                    fo.duration_ns = 10 * SEC;
                    fo.type = "cpu";
                    fo.unit = "nanoseconds";
                    cr_assert(eq(int, kiln_writer_add_folded(
                                          w, text, (size_t)n, lab, 2, &fo),
                                 0), "%s", kiln_error_last());
                }
            }
        cr_assert(eq(int, kiln_writer_flush(w, st, key), 0), "%s",
                  kiln_error_last());
        kiln_writer_free(w);
    }
}

/* Rows as the callback saw them (copies), and the schema's. */
typedef struct got_row {
    int64_t time, duration;
    char **labels;
    char *stack;
    int64_t *values;
} got_row;

typedef struct got {
    int schema_calls;
    size_t nlabels, ntypes;
    char **labels, **types, **units;
    got_row *rows;
    size_t n, cap;
} got;

static int collect(void *ud, const kiln_rows_schema *s, const kiln_row *row)
{
    got *g = ud;
    if (row == NULL) {
        cr_assert(eq(int, g->schema_calls, 0), "one schema call");
        cr_assert(eq(sz, g->n, 0), "the schema comes before any row");
        g->schema_calls++;
        g->nlabels = s->nlabels;
        g->ntypes = s->ntypes;
        g->labels = calloc(s->nlabels + 1, sizeof *g->labels);
        g->types = calloc(s->ntypes + 1, sizeof *g->types);
        g->units = calloc(s->ntypes + 1, sizeof *g->units);
        for (size_t i = 0; i < s->nlabels; i++)
            g->labels[i] = strdup(s->labels[i]);
        for (size_t i = 0; i < s->ntypes; i++) {
            g->types[i] = strdup(s->types[i]);
            g->units[i] = strdup(s->units[i]);
        }
        return 0;
    }
    cr_assert(eq(int, g->schema_calls, 1), "rows come after the schema");
    cr_assert(eq(sz, s->nlabels, g->nlabels));
    cr_assert(eq(sz, s->ntypes, g->ntypes));
    cr_assert(eq(sz, strlen(row->stack), row->stack_len));
    if (g->n == g->cap) {
        g->cap = g->cap ? 2 * g->cap : 64;
        g->rows = realloc(g->rows, g->cap * sizeof *g->rows);
        cr_assert(g->rows != NULL);
    }
    got_row *r = &g->rows[g->n++];
    r->time = row->time;
    r->duration = row->duration;
    r->labels = calloc(s->nlabels + 1, sizeof *r->labels);
    for (size_t i = 0; i < s->nlabels; i++)
        r->labels[i] = strdup(row->labels[i]);
    r->stack = strdup(row->stack);
    r->values = calloc(s->ntypes + 1, sizeof *r->values);
    memcpy(r->values, row->values, s->ntypes * sizeof *r->values);
    return 0;
}

static void got_free(got *g)
{
    for (size_t i = 0; i < g->n; i++) {
        for (size_t j = 0; j < g->nlabels; j++)
            free(g->rows[i].labels[j]);
        free(g->rows[i].labels);
        free(g->rows[i].stack);
        free(g->rows[i].values);
    }
    for (size_t j = 0; j < g->nlabels; j++)
        free(g->labels[j]);
    for (size_t j = 0; j < g->ntypes; j++) {
        free(g->types[j]);
        free(g->units[j]);
    }
    free(g->labels);
    free(g->types);
    free(g->units);
    free(g->rows);
    memset(g, 0, sizeof *g);
}

/* Run a rows query; returns its stats. */
static kiln_result_stats run_rows(kiln_store *st, int64_t from, int64_t to,
                                  const char *sel, const char *type,
                                  const char *const *labels, size_t nlabels,
                                  got *g)
{
    kiln_query_opts o = KILN_QUERY_OPTS_INIT;
    kiln_result *r = NULL;
    kiln_result_stats rs;
    o.from = from;
    o.to = to;
    o.selector = sel;
    o.type = type;
    memset(g, 0, sizeof *g);
    cr_assert(eq(int, kiln_result_new(&r, &o), 0), "%s", kiln_error_last());
    cr_assert(eq(int, kiln_query_rows(r, st, NULL, labels, nlabels, collect,
                                      g), 0), "%s", kiln_error_last());
    kiln_result_stats_get(r, &rs);
    kiln_result_free(r);
    return rs;
}

/* Every row of (s, h, i) is there once per stack, with the right time,
 * duration, labels and value. */
static void check_fleet_rows(const got *g, int svc_lo, int svc_hi,
                             int h_lo, int h_hi, int i_lo, int i_hi,
                             int li_svc, int li_host)
{
    int count[3][2][NPROF][2];
    memset(count, 0, sizeof count);
    for (size_t k = 0; k < g->n; k++) {
        const got_row *r = &g->rows[k];
        int64_t v = r->values[0];
        bool idle = strcmp(r->stack, "main;idle") == 0;
        if (idle)
            v /= 2;
        int s = (int)(v / 1000000) - 1, h = (int)(v / 1000 % 1000) - 1;
        int i = (int)(v % 1000) - 1;
        cr_assert(s >= svc_lo && s < svc_hi && h >= h_lo && h < h_hi &&
                  i >= i_lo && i < i_hi, "row %zu: value %lld out of the "
                  "selection", k, (long long)r->values[0]);
        cr_assert(eq(i64, r->time, T0 + i * 10 * SEC), "row %zu time", k);
        cr_assert(eq(i64, r->duration, 10 * SEC));
        if (li_svc >= 0)
            cr_assert(eq(str, r->labels[li_svc], (char *)services[s]));
        if (li_host >= 0)
            cr_assert(eq(str, r->labels[li_host], (char *)hosts[h]));
        if (!idle) {
            char want[64];
            snprintf(want, sizeof want, "main;serve;%s_work", services[s]);
            cr_assert(eq(str, r->stack, want), "row %zu stack", k);
        }
        count[s][h][i][idle]++;
    }
    size_t want = 0;
    for (int s = svc_lo; s < svc_hi; s++)
        for (int h = h_lo; h < h_hi; h++)
            for (int i = i_lo; i < i_hi; i++)
                for (int t = 0; t < 2; t++) {
                    cr_assert(eq(int, count[s][h][i][t], 1),
                              "series %d/%d profile %d stack %d: %d rows",
                              s, h, i, t, count[s][h][i][t]);
                    want++;
                }
    cr_assert(eq(sz, g->n, want));
}

Test(reader_rows, every_row_once_with_its_time_labels_stack_and_value)
{
    ru_store s;
    got g;
    ru_store_open(&s);
    write_fleet(s.st);

    kiln_result_stats rs = run_rows(s.st, KILN_TIME_MIN, KILN_TIME_MAX, NULL,
                                    NULL, NULL, 0, &g);
    /* Every label name of the selection, sorted; the one sample type. */
    cr_assert(eq(sz, g.nlabels, 2));
    cr_assert(eq(str, g.labels[0], "host"));
    cr_assert(eq(str, g.labels[1], "service_name"));
    cr_assert(eq(sz, g.ntypes, 1));
    cr_assert(eq(str, g.types[0], "cpu"));
    cr_assert(eq(str, g.units[0], "nanoseconds"));
    check_fleet_rows(&g, 0, 3, 0, 2, 0, NPROF, 1, 0);
    cr_assert(eq(u64, rs.rows, 3 * 2 * NPROF * 2));
    cr_assert(eq(u64, rs.blocks_read, 2));
    /* Within a page, times do not go back. */
    for (size_t k = 1; k < g.n; k++)
        if (strcmp(g.rows[k].labels[0], g.rows[k - 1].labels[0]) == 0 &&
            strcmp(g.rows[k].labels[1], g.rows[k - 1].labels[1]) == 0)
            cr_assert(ge(i64, g.rows[k].time, g.rows[k - 1].time));
    got_free(&g);
    ru_store_close(&s);
}

Test(reader_rows, selector_time_range_and_named_columns)
{
    ru_store s;
    got g;
    ru_store_open(&s);
    write_fleet(s.st);

    /* One service, profiles 2..4: only its rows, and only the one block
     * holding it is read. Columns as asked, a missing label as "". */
    static const char *const cols[] = {"service_name", "zone", "host"};
    kiln_result_stats rs = run_rows(s.st, T0 + 2 * 10 * SEC,
                                    T0 + 5 * 10 * SEC,
                                    "{service_name=\"db\"}", "cpu", cols, 3,
                                    &g);
    cr_assert(eq(sz, g.nlabels, 3));
    cr_assert(eq(str, g.labels[0], "service_name"));
    cr_assert(eq(str, g.labels[1], "zone"));
    cr_assert(eq(str, g.labels[2], "host"));
    check_fleet_rows(&g, 2, 3, 0, 2, 2, 5, 0, 2);
    for (size_t k = 0; k < g.n; k++)
        cr_assert(eq(str, g.rows[k].labels[1], ""));
    cr_assert(eq(u64, rs.blocks_read, 1));
    cr_assert(eq(u64, rs.rows, g.n));
    got_free(&g);

    /* No label columns at all; a type no series has: no rows, no types. */
    run_rows(s.st, KILN_TIME_MIN, KILN_TIME_MAX, "{host=\"h2\"}", NULL, cols,
             0, &g);
    cr_assert(eq(sz, g.nlabels, 0));
    check_fleet_rows(&g, 0, 3, 1, 2, 0, NPROF, -1, -1);
    got_free(&g);
    run_rows(s.st, KILN_TIME_MIN, KILN_TIME_MAX, NULL, "alloc_space", NULL, 0,
             &g);
    cr_assert(eq(int, g.schema_calls, 1));
    cr_assert(eq(sz, g.ntypes, 0));
    cr_assert(eq(sz, g.n, 0));
    got_free(&g);
    ru_store_close(&s);
}

static int stop_at_three(void *ud, const kiln_rows_schema *s,
                         const kiln_row *row)
{
    int *n = ud;
    (void)s;
    return row && ++*n == 3 ? 7 : 0;
}

Test(reader_rows, callback_stops_the_walk_and_result_must_be_fresh)
{
    ru_store s;
    int n = 0;
    kiln_result *r = NULL;
    ru_store_open(&s);
    write_fleet(s.st);
    cr_assert(eq(int, kiln_result_new(&r, NULL), 0));
    cr_assert(eq(int, kiln_query_rows(r, s.st, NULL, NULL, 0, stop_at_three,
                                      &n), 7));
    cr_assert(eq(int, n, 3));
    kiln_result_free(r);
    /* A result that already holds a query is refused. */
    r = ru_query(s.st, NULL, KILN_TIME_MIN, KILN_TIME_MAX, NULL, NULL, 0);
    cr_assert(eq(int, kiln_query_rows(r, s.st, NULL, NULL, 0, stop_at_three,
                                      &n), KILN_EINVAL));
    kiln_result_free(r);
    ru_store_close(&s);
}

/* (stack, value) pairs summed by stack into folded text: sorted, zero
 * sums and the empty stack left out, as kiln_result_folded does. */
typedef struct sv {
    const char *stack;
    int64_t v;
} sv;

static int cmp_sv(const void *a, const void *b)
{
    return strcmp(((const sv *)a)->stack, ((const sv *)b)->stack);
}

static void fold_rows(const got *g, size_t type, kiln_buf *out)
{
    sv *p = malloc((g->n + 1) * sizeof *p);
    for (size_t k = 0; k < g->n; k++) {
        p[k].stack = g->rows[k].stack;
        p[k].v = g->rows[k].values[type];
    }
    qsort(p, g->n, sizeof *p, cmp_sv);
    for (size_t i = 0; i < g->n;) {
        size_t j = i;
        int64_t v = 0;
        while (j < g->n && strcmp(p[j].stack, p[i].stack) == 0)
            v = (int64_t)((uint64_t)v + (uint64_t)p[j++].v);
        if (v && p[i].stack[0]) {
            char num[32];
            int n = snprintf(num, sizeof num, " %lld\n", (long long)v);
            cr_assert(kiln_buf_append(out, p[i].stack, strlen(p[i].stack)) ==
                      0);
            cr_assert(kiln_buf_append(out, num, (size_t)n) == 0);
        }
        i = j;
    }
    free(p);
}

Test(reader_rows, rows_summed_by_stack_equal_folded_for_every_type)
{
    static const char *names[] = {
        "google__pprof__internal__report__testdata__sample.cpu",
        "dundee__gdu__default.pgo",
        "DataDog__libdatadog__libdd-profiling__tests__wordpress.pprof",
        "parca-dev__parca__pkg__symbolizer__testdata__profile.pb.gz",
        "DataDog__dd-trace-go__profiler__internal__fastdelta__testdata__heap.pprof",
    };
    ru_store s;
    got g;
    size_t nrows_total = 0;
    ru_store_open(&s);
    /* Each profile a service of its own, all in one block. */
    kiln_writer *w = NULL;
    char key[KILN_KEY_MAX];
    cr_assert(eq(int, kiln_writer_new(&w, NULL), 0));
    for (size_t f = 0; f < sizeof names / sizeof names[0]; f++) {
        char path[4096], svc[16];
        size_t len;
        snprintf(path, sizeof path, "%s/pprof/%s", getenv("KILN_CORPUS"),
                 names[f]);
        snprintf(svc, sizeof svc, "svc%zu", f);
        uint8_t *data = ru_slurp(path, &len);
        cr_assert(data != NULL, "%s", path);
        kiln_label lab[] = {{"service_name", svc}};
        cr_assert(eq(int, kiln_writer_add_pprof(w, data, len, lab, 1), 0),
                  "%s: %s", path, kiln_error_last());
        free(data);
    }
    cr_assert(eq(int, kiln_writer_flush(w, s.st, key), 0), "%s",
              kiln_error_last());
    kiln_writer_free(w);

    for (size_t f = 0; f <= sizeof names / sizeof names[0]; f++) {
        char sel[64];
        snprintf(sel, sizeof sel, "{service_name=\"svc%zu\"}", f);
        const char *selector = f < sizeof names / sizeof names[0] ? sel : NULL;
        kiln_result_stats rs = run_rows(s.st, KILN_TIME_MIN, KILN_TIME_MAX,
                                        selector, NULL, NULL, 0, &g);
        kiln_result *r = ru_query(s.st, NULL, KILN_TIME_MIN, KILN_TIME_MAX,
                                  selector, NULL, 0);
        kiln_result_stats qs;
        kiln_result_stats_get(r, &qs);
        cr_assert(eq(u64, rs.rows, qs.rows), "%s: rows", sel);
        cr_assert(eq(sz, g.n, qs.rows), "%s: one callback per row", sel);
        cr_assert(gt(sz, g.n, 0), "%s: rows", sel);
        cr_assert(eq(sz, g.ntypes, kiln_result_ntypes(r)), "%s: types", sel);
        for (size_t t = 0; t < kiln_result_ntypes(r); t++) {
            const char *type, *unit;
            kiln_result_type(r, t, &type, &unit);
            size_t gt_ = g.ntypes;
            for (size_t k = 0; k < g.ntypes; k++)
                if (strcmp(g.types[k], type) == 0 &&
                    strcmp(g.units[k], unit) == 0)
                    gt_ = k;
            cr_assert(lt(sz, gt_, g.ntypes), "%s: type %s:%s in the rows",
                      sel, type, unit);
            kiln_buf want = KILN_BUF_INIT, have = KILN_BUF_INIT;
            cr_assert(eq(int, kiln_result_folded(r, t, &want), 0));
            fold_rows(&g, gt_, &have);
            cr_assert(gt(sz, want.len, 0), "%s %s: folded output", sel,
                      type);
            cr_assert(eq(sz, have.len, want.len), "%s %s: folded lengths",
                      sel, type);
            cr_assert(memcmp(have.data, want.data, want.len) == 0,
                      "%s %s: rows summed by stack equal folded", sel, type);
            kiln_buf_free(&want);
            kiln_buf_free(&have);
        }
        if (selector)
            nrows_total += g.n;
        else
            cr_assert(eq(sz, g.n, nrows_total), "all = sum of services");
        kiln_result_free(r);
        got_free(&g);
    }
    ru_store_close(&s);
}

/* A profile of stack main;work with samples (trace, span) = (0xa1..,
 * 0x01..), (0xa1.., 0x02..), (0xb2.., 0x01..) and one without labels,
 * values 1, 2, 4, 8. */
static void write_linked(kiln_store *st)
{
    static const char *strs[] = {"", "cpu", "nanoseconds", "main", "work",
                                 "trace_id", "span_id",
                                 "a1000000000000000000000000000001",
                                 "b2000000000000000000000000000002",
                                 "0100000000000001", "0200000000000002"};
    enum { NSTR = sizeof strs / sizeof strs[0] };
    ProtobufCBinaryData tab[NSTR];
    for (size_t i = 0; i < NSTR; i++) {
        tab[i].data = (uint8_t *)strs[i];
        tab[i].len = strlen(strs[i]);
    }
    Perftools__Profiles__Profile p = PERFTOOLS__PROFILES__PROFILE__INIT;
    Perftools__Profiles__ValueType vt = PERFTOOLS__PROFILES__VALUE_TYPE__INIT;
    Perftools__Profiles__ValueType *vtp = &vt;
    vt.type = 1;
    vt.unit = 2;
    /* Functions 1..2 = strings 3..4, one location each. */
    ru_frames frames;
    ru_frames_set(&frames, 2, 3, &p);
    static const int trace[4] = {7, 7, 8, 0}, span[4] = {9, 10, 9, 0};
    Perftools__Profiles__Sample smp[4], *smpp[4];
    Perftools__Profiles__Label lab[8], *labp[8];
    uint64_t locs[2] = {2, 1}; /* leaf first: work, main */
    int64_t vals[4] = {1, 2, 4, 8};
    for (int i = 0; i < 4; i++) {
        perftools__profiles__sample__init(&smp[i]);
        smp[i].n_location_id = 2;
        smp[i].location_id = locs;
        smp[i].n_value = 1;
        smp[i].value = &vals[i];
        smpp[i] = &smp[i];
        if (!trace[i])
            continue;
        for (int j = 0; j < 2; j++) {
            perftools__profiles__label__init(&lab[2 * i + j]);
            lab[2 * i + j].key = 5 + j;
            lab[2 * i + j].str = j ? span[i] : trace[i];
            labp[2 * i + j] = &lab[2 * i + j];
        }
        smp[i].n_label = 2;
        smp[i].label = &labp[2 * i];
    }
    p.n_sample_type = 1;
    p.sample_type = &vtp;
    p.n_sample = 4;
    p.sample = smpp;
    p.n_string_table = NSTR;
    p.string_table = tab;
    p.time_nanos = T0;
    p.duration_nanos = 10 * SEC;
    size_t len = perftools__profiles__profile__get_packed_size(&p);
    uint8_t *buf = malloc(len);
    perftools__profiles__profile__pack(&p, buf);
    kiln_writer *w = NULL;
    char key[KILN_KEY_MAX];
    kiln_label sl[] = {{"service_name", "linked"}};
    cr_assert(eq(int, kiln_writer_new(&w, NULL), 0));
    cr_assert(eq(int, kiln_writer_add_pprof(w, buf, len, sl, 1), 0), "%s",
              kiln_error_last());
    cr_assert(eq(int, kiln_writer_flush(w, st, key), 0), "%s",
              kiln_error_last());
    kiln_writer_free(w);
    free(buf);
}

typedef struct linked_seen {
    int schema;
    size_t n;
    char link[8][64];  /* "trace/span value" per row, "-" for none */
} linked_seen;

static int collect_links(void *ud, const kiln_rows_schema *s,
                         const kiln_row *row)
{
    linked_seen *g = ud;
    (void)s;
    if (!row) {
        g->schema++;
        return 0;
    }
    cr_assert(lt(sz, g->n, 8));
    cr_assert(eq(str, (char *)row->stack, "main;work"));
    if (row->trace_id) {
        char t[33], sp[17];
        kiln_trace_id_format(row->trace_id, t);
        kiln_span_id_format(row->span_id, sp);
        snprintf(g->link[g->n++], 64, "%s/%s %lld", t, sp,
                 (long long)row->values[0]);
    } else {
        snprintf(g->link[g->n++], 64, "- %lld", (long long)row->values[0]);
    }
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

Test(reader_rows, rows_carry_their_trace_links_with_keep_labels)
{
    ru_store s;
    ru_store_open(&s);
    write_linked(s.st);
    for (int keep = 0; keep < 2; keep++) {
        kiln_query_opts o = KILN_QUERY_OPTS_INIT;
        kiln_result *r = NULL;
        linked_seen g;
        memset(&g, 0, sizeof g);
        o.keep_labels = keep;
        cr_assert(eq(int, kiln_result_new(&r, &o), 0));
        cr_assert(eq(int, kiln_query_rows(r, s.st, NULL, NULL, 0,
                                          collect_links, &g), 0), "%s",
                  kiln_error_last());
        kiln_result_free(r);
        cr_assert(eq(sz, g.n, 4));
        qsort(g.link, g.n, sizeof g.link[0], cmp_str);
        if (keep) {
            cr_assert(eq(str, g.link[0], "- 8"));
            cr_assert(eq(str, g.link[1],
                         "a1000000000000000000000000000001/0100000000000001 1"));
            cr_assert(eq(str, g.link[2],
                         "a1000000000000000000000000000001/0200000000000002 2"));
            cr_assert(eq(str, g.link[3],
                         "b2000000000000000000000000000002/0100000000000001 4"));
        } else {
            for (size_t i = 0; i < 4; i++)
                cr_assert(eq(int, g.link[i][0], '-'), "no links asked for");
        }
    }
    /* A trace query hands out only that trace's rows, links included. */
    uint8_t id[16];
    kiln_query_opts o = KILN_QUERY_OPTS_INIT;
    kiln_result *r = NULL;
    linked_seen g;
    memset(&g, 0, sizeof g);
    cr_assert(eq(int, kiln_trace_id_parse(id,
                 "a1000000000000000000000000000001"), 0));
    o.trace_id = id;
    o.keep_labels = 1;
    cr_assert(eq(int, kiln_result_new(&r, &o), 0));
    cr_assert(eq(int, kiln_query_rows(r, s.st, NULL, NULL, 0, collect_links,
                                      &g), 0), "%s", kiln_error_last());
    kiln_result_free(r);
    qsort(g.link, g.n, sizeof g.link[0], cmp_str);
    cr_assert(eq(sz, g.n, 2));
    cr_assert(eq(str, g.link[0],
                 "a1000000000000000000000000000001/0100000000000001 1"));
    cr_assert(eq(str, g.link[1],
                 "a1000000000000000000000000000001/0200000000000002 2"));
    ru_store_close(&s);
}
