/* test_query.c: series selection by label matchers, time ranges (pages and
 * blocks outside the range are not read), sample type selection, tenants,
 * block listing and the JSON output, over blocks written by the writer from
 * folded stacks with known values. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format_internal.h"
#include "rutil.h"

#define T0 ((int64_t)1700000000 * 1000000000)
#define SEC ((int64_t)1000000000)
#define NPROF 10

static const char *services[] = {"api", "web", "db"};
static const char *hosts[] = {"h1", "h2"};

/* The value of every sample of (service s, host h): distinct per series so
 * sums tell which series were read. */
static int64_t unit_of(int s, int h)
{
    return (int64_t)(s == 0 ? 1 : s == 1 ? 10 : 100) * (h == 0 ? 1 : 1000);
}

/* 3 services x 2 hosts, NPROF profiles each 10 s apart from T0 + off, each
 * with two stacks (values u and 2u), 2 rows per page. */
static void write_fleet(kiln_store *st, const char *tenant, int64_t off)
{
    kiln_writer_opts wo = KILN_WRITER_OPTS_INIT;
    kiln_writer *w = NULL;
    char key[KILN_KEY_MAX];

    wo.tenant = tenant;
    wo.page_rows = 2;
    cr_assert(eq(int, kiln_writer_new(&w, &wo), 0), "%s", kiln_error_last());
    for (int s = 0; s < 3; s++) {
        for (int h = 0; h < 2; h++) {
            kiln_label lab[] = {{"service_name", services[s]},
                                {"host", hosts[h]}};
            for (int i = 0; i < NPROF; i++) {
                char text[256];
                int64_t u = unit_of(s, h);
                int n = snprintf(text, sizeof text,
                                 "main;serve;%s_work %lld\nmain;idle %lld\n",
                                 services[s], (long long)u,
                                 (long long)(2 * u));
                kiln_folded_opts fo = KILN_FOLDED_OPTS_INIT;
                fo.time_ns = T0 + off + i * 10 * SEC;
                fo.duration_ns = 10 * SEC;
                fo.type = "cpu";
                fo.unit = "nanoseconds";
                cr_assert(eq(int, kiln_writer_add_folded(w, text, (size_t)n,
                                                         lab, 2, &fo), 0),
                          "%s", kiln_error_last());
            }
        }
    }
    cr_assert(eq(int, kiln_writer_flush(w, st, key), 0), "%s",
              kiln_error_last());
    kiln_writer_free(w);
}

/* Sum of every folded line's value for type 0. */
static int64_t folded_total(const kiln_result *r)
{
    kiln_buf b = KILN_BUF_INIT;
    int64_t sum = 0;
    if (kiln_result_ntypes(r) == 0)
        return 0;
    cr_assert(eq(int, kiln_result_folded(r, 0, &b), 0), "%s",
              kiln_error_last());
    cr_assert(eq(int, kiln_buf_append(&b, "", 1), 0));
    for (char *p = (char *)b.data; *p;) {
        char *nl = strchr(p, '\n');
        cr_assert(nl != NULL, "folded lines end with a newline");
        *nl = '\0';
        char *sp = strrchr(p, ' ');
        cr_assert(sp != NULL);
        sum += strtoll(sp + 1, NULL, 10);
        p = nl + 1;
    }
    kiln_buf_free(&b);
    return sum;
}

/* Expected total over profiles [i0, i1) of the series picked by pick. */
static int64_t expect(bool (*pick)(int s, int h), int i0, int i1)
{
    int64_t sum = 0;
    for (int s = 0; s < 3; s++)
        for (int h = 0; h < 2; h++)
            if (pick(s, h))
                sum += 3 * unit_of(s, h) * (i1 - i0);
    return sum;
}

static bool all(int s, int h) { (void)s; (void)h; return true; }
static bool none(int s, int h) { (void)s; (void)h; return false; }
static bool api(int s, int h) { (void)h; return s == 0; }
static bool not_api(int s, int h) { (void)h; return s != 0; }
static bool api_or_db(int s, int h) { (void)h; return s != 1; }
static bool db(int s, int h) { (void)h; return s == 2; }
static bool db_h1(int s, int h) { return s == 2 && h == 0; }
static bool api_h2(int s, int h) { return s == 0 && h == 1; }

static ru_store S;
static void setup(void) { ru_store_open(&S); write_fleet(S.st, NULL, 0); }
static void teardown(void) { ru_store_close(&S); }

TestSuite(reader_query, .init = setup, .fini = teardown);

Test(reader_query, selects_series_by_label_matchers)
{
    struct {
        const char *sel;
        bool (*pick)(int, int);
    } cases[] = {
        {NULL, all},
        {"{}", all},
        {"{service_name=\"api\"}", api},
        {"service_name=\"api\"", api},
        {"{service_name!=\"api\"}", not_api},
        {"{service_name=~\"api|db\"}", api_or_db},
        {"{service_name=~\"a\"}", none}, /* anchored: "a" is not "api" */
        {"{service_name=~\"a.*\"}", api},
        {"{service_name!~\"web|api\", host=\"h1\"}", db_h1},
        {"{ host = \"h2\" , service_name = \"api\" , }", api_h2},
        {"{service_name=\"api\", service_name=\"web\"}", none},
        {"{absent=\"\"}", all},         /* a missing label reads as "" */
        {"{absent!=\"\"}", none},
        {"{absent=\"x\"}", none},
        {"{host=\"h3\"}", none},
        {"{host=~\"h[12]\", service_name=~\".*b\"}", not_api},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        kiln_result *r = ru_query(S.st, NULL, KILN_TIME_MIN, KILN_TIME_MAX,
                                  cases[i].sel, NULL, 0);
        cr_assert(eq(i64, folded_total(r), expect(cases[i].pick, 0, NPROF)),
                  "selector %s", cases[i].sel ? cases[i].sel : "(none)");
        kiln_result_stats st;
        kiln_result_stats_get(r, &st);
        cr_assert(eq(u64, st.rows, (uint64_t)(expect(cases[i].pick, 0, NPROF) ?
                  st.rows : 0)), "no rows without matches");
        kiln_result_free(r);
    }
}

Test(reader_query, skips_pages_outside_the_time_range)
{
    /* Profiles 3 and 4 of the two api series: with 2 rows (one profile) per
     * page, exactly 4 pages are read. */
    kiln_result *r = ru_query(S.st, NULL, T0 + 30 * SEC, T0 + 50 * SEC,
                              "{service_name=\"api\"}", NULL, 0);
    kiln_result_stats st;
    kiln_result_stats_get(r, &st);
    cr_assert(eq(u64, st.blocks_total, 1));
    cr_assert(eq(u64, st.blocks_read, 1));
    cr_assert(eq(u64, st.pages_total, 3 * 2 * NPROF));
    cr_assert(eq(u64, st.pages_read, 4));
    cr_assert(eq(u64, st.rows, 8));
    cr_assert(eq(i64, st.tmin, T0 + 30 * SEC));
    cr_assert(eq(i64, st.tmax, T0 + 40 * SEC));
    cr_assert(eq(i64, folded_total(r), expect(api, 3, 5)));
    kiln_result_free(r);

    /* from is inclusive, to exclusive. */
    r = ru_query(S.st, NULL, T0 + 30 * SEC, T0 + 30 * SEC + 1, NULL, NULL, 0);
    cr_assert(eq(i64, folded_total(r), expect(all, 3, 4)));
    kiln_result_free(r);
    r = ru_query(S.st, NULL, T0 + 29 * SEC, T0 + 30 * SEC, NULL, NULL, 0);
    kiln_result_stats_get(r, &st);
    cr_assert(eq(u64, st.rows, 0));
    cr_assert(eq(u64, st.pages_read, 0));
    kiln_result_free(r);
}

Test(reader_query, skips_blocks_outside_the_time_range)
{
    write_fleet(S.st, NULL, 3600 * SEC); /* a second block, an hour later */
    kiln_result *r = ru_query(S.st, NULL, T0 + 3600 * SEC, KILN_TIME_MAX,
                              NULL, NULL, 0);
    kiln_result_stats st;
    kiln_result_stats_get(r, &st);
    cr_assert(eq(u64, st.blocks_total, 2));
    cr_assert(eq(u64, st.blocks_read, 1));
    cr_assert(eq(u64, st.pages_total, 3 * 2 * NPROF), "the early block's "
              "page index is not even read");
    cr_assert(eq(i64, folded_total(r), expect(all, 0, NPROF)));
    kiln_result_free(r);

    r = ru_query(S.st, NULL, KILN_TIME_MIN, KILN_TIME_MAX, NULL, NULL, 0);
    cr_assert(eq(i64, folded_total(r), 2 * expect(all, 0, NPROF)));
    kiln_result_free(r);
}

/* The key names the block's seconds (spec/block.md, "Object keys"): a
 * block outside the query's range is pruned from the listing, not a byte
 * of it read; a key whose seconds do not hold the block's samples is
 * refused once the block is opened; an <id>.kiln key is opened to learn
 * its range. */
static int collect_keys(void *ud, const char *key, uint64_t size)
{
    (void)size;
    char (*keys)[KILN_KEY_MAX] = ud;
    int i = keys[0][0] ? 1 : 0;
    cr_assert(keys[1][0] == 0, "more than two blocks");
    snprintf(keys[i], KILN_KEY_MAX, "%s", key);
    return 0;
}

Test(reader_query, prunes_blocks_by_the_range_in_their_key)
{
    write_fleet(S.st, NULL, 3600 * SEC);
    char keys[2][KILN_KEY_MAX] = {{0}};
    cr_assert(eq(int, kiln_blocks_list(S.st, NULL, collect_keys, keys), 0));
    int64_t lo, hi;
    for (int i = 0; i < 2; i++) {
        cr_assert(eq(int, block_key_range(keys[i], &lo, &hi), 1), "%s", keys[i]);
        cr_assert(eq(i64, hi - lo, (NPROF - 1) * 10 * SEC + SEC - 1), "%s", keys[i]);
    }
    uint64_t before = S.st->stats.bytes_read, reqs = S.st->stats.requests;
    kiln_result *r = ru_query(S.st, NULL, T0 + 3600 * SEC, KILN_TIME_MAX, NULL, NULL, 0);
    uint64_t one = S.st->stats.bytes_read - before;
    uint64_t one_reqs = S.st->stats.requests - reqs;
    kiln_result_stats st;
    kiln_result_stats_get(r, &st);
    cr_assert(eq(u64, st.blocks_total, 2));
    cr_assert(eq(u64, st.blocks_read, 1));
    kiln_result_free(r);
    /* Both blocks: twice the bytes and reads (the same fleet, shifted) but
     * one listing, so the pruned block cost none of either above. */
    before = S.st->stats.bytes_read;
    reqs = S.st->stats.requests;
    r = ru_query(S.st, NULL, KILN_TIME_MIN, KILN_TIME_MAX, NULL, NULL, 0);
    kiln_result_free(r);
    cr_assert(eq(u64, S.st->stats.bytes_read - before, 2 * one));
    cr_assert(eq(u64, S.st->stats.requests - reqs, 2 * one_reqs - 1));

    /* The late block renamed to claim the early hour's seconds: a query of
     * the early hour opens it and refuses it; renamed to <id>.kiln it is
     * opened and answers. */
    char path[2][4096], *late = strcmp(keys[0], keys[1]) > 0 ? keys[0] : keys[1];
    cr_assert(eq(int, block_key_range(late, &lo, &hi), 1));
    if (lo < T0 + 3600 * SEC) /* keys sort by id, not time: pick the late one */
        late = late == keys[0] ? keys[1] : keys[0];
    const char *id = strrchr(late, '/') + 1;
    snprintf(path[0], sizeof path[0], "%s/%s", S.dir, late);
    snprintf(path[1], sizeof path[1], "%s/default/blocks/%.26s_%lld_%lld.kiln", S.dir, id,
             (long long)(T0 / SEC), (long long)(T0 / SEC + 60));
    cr_assert(eq(int, rename(path[0], path[1]), 0));
    r = NULL;
    kiln_query_opts o = KILN_QUERY_OPTS_INIT;
    o.from = T0;
    o.to = T0 + 61 * SEC;
    cr_assert(eq(int, kiln_query(&r, S.st, NULL, &o), KILN_ECORRUPT));
    cr_assert(strstr(kiln_error_last(), "outside the seconds its key names") != NULL,
              "%s", kiln_error_last());
    snprintf(path[0], sizeof path[0], "%s/default/blocks/%.26s.kiln", S.dir, id);
    cr_assert(eq(int, rename(path[1], path[0]), 0));
    r = ru_query(S.st, NULL, KILN_TIME_MIN, KILN_TIME_MAX, NULL, NULL, 0);
    cr_assert(eq(i64, folded_total(r), 2 * expect(all, 0, NPROF)));
    kiln_result_free(r);
}

Test(reader_query, duration_spans_the_matched_profiles)
{
    kiln_result *r = ru_query(S.st, NULL, KILN_TIME_MIN, KILN_TIME_MAX, NULL,
                              NULL, 0);
    kiln_buf b = KILN_BUF_INIT;
    cr_assert(eq(int, kiln_result_pprof(r, &b), 0));
    Perftools__Profiles__Profile *p = ru_unpack(b.data, b.len);
    cr_assert(p != NULL);
    cr_assert(eq(i64, p->time_nanos, T0));
    cr_assert(eq(i64, p->duration_nanos, NPROF * 10 * SEC));
    cr_assert(eq(sz, p->n_sample_type, 1));
    perftools__profiles__profile__free_unpacked(p, NULL);
    kiln_buf_free(&b);
    kiln_result_free(r);
}

Test(reader_query, keeps_tenants_apart)
{
    write_fleet(S.st, "other", 0);
    write_fleet(S.st, "other", 100 * SEC);
    kiln_result *r = ru_query(S.st, "other", KILN_TIME_MIN, KILN_TIME_MAX,
                              "{service_name=\"db\"}", NULL, 0);
    kiln_result_stats st;
    kiln_result_stats_get(r, &st);
    cr_assert(eq(u64, st.blocks_total, 2));
    cr_assert(eq(i64, folded_total(r), 2 * expect(db, 0, NPROF)));
    kiln_result_free(r);
    r = ru_query(S.st, "nobody", KILN_TIME_MIN, KILN_TIME_MAX, NULL, NULL, 0);
    kiln_result_stats_get(r, &st);
    cr_assert(eq(u64, st.blocks_total, 0));
    cr_assert(eq(sz, kiln_result_ntypes(r), 0));
    kiln_result_free(r);
}

static int count_cb(void *ud, const char *key, uint64_t size)
{
    (void)size;
    cr_assert(strncmp(key, "default/blocks/", 15) == 0, "%s", key);
    (*(int *)ud)++;
    return 0;
}

Test(reader_query, lists_only_block_objects)
{
    cr_assert(eq(int, kiln_store_put(S.st, "default/blocks/x.kiln.tmp", "x",
                                     1), 0));
    cr_assert(eq(int, kiln_store_put(S.st, "default/blocks/sub/y.kiln", "x",
                                     1), 0));
    cr_assert(eq(int, kiln_store_put(S.st, "default/z.kiln", "x", 1), 0));
    cr_assert(eq(int, kiln_store_put(S.st, "default2/blocks/w.kiln", "x", 1),
                 0));
    int n = 0;
    cr_assert(eq(int, kiln_blocks_list(S.st, NULL, count_cb, &n), 0));
    cr_assert(eq(int, n, 1));
}

Test(reader_query, selects_sample_types)
{
    char path[4096];
    size_t len;
    snprintf(path, sizeof path, "%s/pprof/%s", getenv("KILN_CORPUS"),
             "google__pprof__internal__report__testdata__sample.cpu");
    uint8_t *data = ru_slurp(path, &len);
    cr_assert(data != NULL);
    kiln_writer_opts wo = KILN_WRITER_OPTS_INIT;
    wo.tenant = "types";
    kiln_writer *w = NULL;
    char key[KILN_KEY_MAX];
    cr_assert(eq(int, kiln_writer_new(&w, &wo), 0));
    cr_assert(eq(int, kiln_writer_add_pprof(w, data, len, NULL, 0), 0), "%s",
              kiln_error_last());
    cr_assert(eq(int, kiln_writer_flush(w, S.st, key), 0));
    kiln_writer_free(w);
    Perftools__Profiles__Profile *in = ru_unpack(data, len);
    cr_assert(eq(sz, in->n_sample_type, 2));
    int64_t want[2] = {0, 0};
    for (size_t i = 0; i < in->n_sample; i++)
        for (size_t t = 0; t < 2; t++)
            want[t] += in->sample[i]->value[t];
    perftools__profiles__profile__free_unpacked(in, NULL);
    free(data);

    struct {
        const char *type;
        size_t ntypes;
        const char *name;
        int64_t total;
    } cases[] = {
        {NULL, 2, "samples", want[0]},
        {"samples", 1, "samples", want[0]},
        {"cpu", 1, "cpu", want[1]},
        {"cpu:nanoseconds", 1, "cpu", want[1]},
        {"cpu:seconds", 0, NULL, 0},
        {"nope", 0, NULL, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        kiln_result *r = ru_query(S.st, "types", KILN_TIME_MIN, KILN_TIME_MAX,
                                  NULL, cases[i].type, 0);
        cr_assert(eq(sz, kiln_result_ntypes(r), cases[i].ntypes), "type %s",
                  cases[i].type ? cases[i].type : "(all)");
        if (cases[i].ntypes) {
            const char *ty, *un;
            kiln_result_type(r, 0, &ty, &un);
            cr_assert(eq(str, (char *)ty, (char *)cases[i].name));
            cr_assert(eq(i64, folded_total(r), cases[i].total));
        }
        if (!cases[i].type) {
            const char *ty, *un;
            cr_assert(eq(sz, kiln_result_default_type(r), 1),
                      "no default_sample_type: the last, as pprof");
            kiln_result_type(r, 1, &ty, &un);
            cr_assert(eq(str, (char *)ty, "cpu"));
            cr_assert(eq(str, (char *)un, "nanoseconds"));
        }
        kiln_result_free(r);
    }
}

/* ---- JSON ---- */

typedef struct jp {
    const unsigned char *p, *end;
} jp;

static void jws(jp *j)
{
    while (j->p < j->end && (*j->p == ' ' || *j->p == '\n' || *j->p == '\t' ||
                             *j->p == '\r'))
        j->p++;
}

static bool jvalue(jp *j);

/* A JSON string whose bytes are valid UTF-8 with no raw control chars. */
static bool jstring(jp *j)
{
    if (j->p >= j->end || *j->p != '"')
        return false;
    j->p++;
    while (j->p < j->end && *j->p != '"') {
        unsigned char c = *j->p;
        if (c < 0x20)
            return false;
        if (c == '\\') {
            j->p++;
            if (j->p >= j->end || !strchr("\"\\/bfnrtu", *j->p))
                return false;
            if (*j->p == 'u') {
                for (int k = 1; k <= 4; k++)
                    if (j->p + k >= j->end || !strchr("0123456789abcdefABCDEF",
                                                       j->p[k]))
                        return false;
                j->p += 4;
            }
            j->p++;
            continue;
        }
        int n = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3
                : (c & 0xf8) == 0xf0 ? 4 : 0;
        if (n == 0 || j->p + n > j->end)
            return false;
        for (int k = 1; k < n; k++)
            if ((j->p[k] & 0xc0) != 0x80)
                return false;
        j->p += n;
    }
    if (j->p >= j->end)
        return false;
    j->p++;
    return true;
}

static bool jvalue(jp *j)
{
    jws(j);
    if (j->p >= j->end)
        return false;
    if (*j->p == '"')
        return jstring(j);
    if (*j->p == '{' || *j->p == '[') {
        bool obj = *j->p == '{';
        j->p++;
        jws(j);
        if (j->p < j->end && *j->p == (obj ? '}' : ']')) {
            j->p++;
            return true;
        }
        for (;;) {
            jws(j);
            if (obj) {
                if (!jstring(j))
                    return false;
                jws(j);
                if (j->p >= j->end || *j->p != ':')
                    return false;
                j->p++;
            }
            if (!jvalue(j))
                return false;
            jws(j);
            if (j->p < j->end && *j->p == ',') {
                j->p++;
                continue;
            }
            if (j->p < j->end && *j->p == (obj ? '}' : ']')) {
                j->p++;
                return true;
            }
            return false;
        }
    }
    const unsigned char *s = j->p;
    if (*j->p == '-')
        j->p++;
    while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
        j->p++;
    return j->p > s;
}

Test(reader_query, json_is_valid_and_escapes_names)
{
    /* A function name with a quote, a backslash, a tab and a byte that is
     * not UTF-8. */
    kiln_writer_opts wo = KILN_WRITER_OPTS_INIT;
    wo.tenant = "json";
    kiln_writer *w = NULL;
    char key[KILN_KEY_MAX];
    const char text[] = "main;we\"ird\\na\tme\xff\xfe;leaf 7\nmain 3\n";
    kiln_folded_opts fo = KILN_FOLDED_OPTS_INIT;
    fo.time_ns = T0;
    fo.duration_ns = SEC;
    cr_assert(eq(int, kiln_writer_new(&w, &wo), 0));
    cr_assert(eq(int, kiln_writer_add_folded(w, text, sizeof text - 1, NULL,
                                             0, &fo), 0), "%s",
              kiln_error_last());
    cr_assert(eq(int, kiln_writer_flush(w, S.st, key), 0));
    kiln_writer_free(w);

    kiln_result *r = ru_query(S.st, "json", KILN_TIME_MIN, KILN_TIME_MAX,
                              NULL, NULL, 0);
    kiln_buf b = KILN_BUF_INIT;
    cr_assert(eq(int, kiln_result_json(r, &b), 0), "%s", kiln_error_last());
    jp j = {b.data, b.data + b.len};
    cr_assert(jvalue(&j), "invalid JSON near byte %td: %.*s",
              (ptrdiff_t)(j.p - b.data), (int)b.len, (char *)b.data);
    jws(&j);
    cr_assert(eq(ptr, (void *)j.p, (void *)(b.data + b.len)),
              "trailing bytes after the JSON value");
    cr_assert(kiln_buf_append(&b, "", 1) == 0);
    const char *s = (const char *)b.data;
    cr_assert(strstr(s, "\"types\":[{\"type\":\"samples\",\"unit\":"
                        "\"count\"}]") != NULL, "%s", s);
    cr_assert(strstr(s, "\"frames\":[\"main\",\"we\\\"ird\\\\na\\u0009me"
                        "\\ufffd\\ufffd\",\"leaf\"],\"values\":[7]") != NULL,
              "%s", s);
    cr_assert(strstr(s, "\"frames\":[\"main\"],\"values\":[3]") != NULL,
              "%s", s);
    cr_assert(strstr(s, "\"time_ns\":1700000000000000000") != NULL,
              "%s", s);
    cr_assert(strstr(s, "{\"name\":\"leaf\",\"flat\":7,\"cum\":7}") != NULL,
              "%s", s);
    cr_assert(strstr(s, "{\"name\":\"main\",\"flat\":3,\"cum\":10}") != NULL,
              "%s", s);
    kiln_buf_free(&b);
    kiln_result_free(r);
}

Test(reader_query, empty_result_renders)
{
    kiln_result *r = ru_query(S.st, NULL, KILN_TIME_MIN, KILN_TIME_MAX,
                              "{service_name=\"none\"}", NULL, 0);
    kiln_buf b = KILN_BUF_INIT;
    cr_assert(eq(int, kiln_result_pprof(r, &b), 0));
    Perftools__Profiles__Profile *p = ru_unpack(b.data, b.len);
    cr_assert(p != NULL);
    cr_assert(eq(sz, p->n_sample, 0));
    perftools__profiles__profile__free_unpacked(p, NULL);
    kiln_buf_reset(&b);
    cr_assert(eq(int, kiln_result_json(r, &b), 0));
    jp j = {b.data, b.data + b.len};
    cr_assert(jvalue(&j));
    kiln_buf_reset(&b);
    cr_assert(eq(int, kiln_result_folded(r, 0, &b), 0));
    cr_assert(eq(sz, b.len, 0), "an empty result folds to nothing");
    kiln_top_entry *top = NULL;
    size_t ntop = 1;
    cr_assert(eq(int, kiln_result_top(r, 0, &top, &ntop), 0));
    cr_assert(eq(sz, ntop, 0));
    free(top);
    kiln_result_free(r);
    r = ru_query(S.st, NULL, KILN_TIME_MIN, KILN_TIME_MAX, NULL, NULL, 0);
    cr_assert(eq(int, kiln_result_folded(r, 1, &b), KILN_EINVAL),
              "type 1 of a one-type result");
    kiln_buf_free(&b);
    kiln_result_free(r);
}

static int first_key(void *ud, const char *key, uint64_t size)
{
    (void)size;
    snprintf(ud, KILN_KEY_MAX, "%s", key);
    return 1; /* stop */
}

Test(reader_query, skips_blocks_replaced_by_another)
{
    /* A copy of the fleet block that names it as its source, as a
     * compaction would: the old block must not be counted twice. */
    char key[KILN_KEY_MAX], path[4096];
    size_t len;
    kiln_blocks_list(S.st, NULL, first_key, key);
    snprintf(path, sizeof path, "%s/%s", S.dir, key);
    uint8_t *old = ru_slurp(path, &len);
    cr_assert(old != NULL);
    uint64_t foff, flen, fsum;
    cr_assert(eq(int, trailer_decode(old + len - KILN_TRAILER_SIZE, len,
                                          &foff, &flen, &fsum), 0));
    kiln_section *secs = NULL;
    size_t nsecs = 0;
    kiln_meta meta;
    memset(&meta, 0, sizeof meta);
    cr_assert(eq(int, footer_decode(old + foff, flen, foff, &secs,
                                         &nsecs, &meta), 0), "%s",
              kiln_error_last());
    kiln_meta m2 = meta;
    char newid[] = "01ZZZZZZZZZZZZZZZZZZZZZZZZ";
    char *srcs[] = {meta.id};
    m2.id = newid;
    m2.sources = srcs;
    m2.nsources = 1;
    m2.level = 1;
    kiln_buf nb = KILN_BUF_INIT, foot = KILN_BUF_INIT;
    cr_assert(eq(int, kiln_buf_append(&nb, old, foff), 0));
    cr_assert(eq(int, footer_encode(&foot, secs, nsecs, &m2), 0));
    cr_assert(eq(int, kiln_buf_append(&nb, foot.data, foot.len), 0));
    cr_assert(eq(int, trailer_encode(&nb, foff, foot.len,
                                          hash64(foot.data, foot.len, 0)),
                 0));
    char nkey[KILN_KEY_MAX];
    snprintf(nkey, sizeof nkey, "default/blocks/%s.kiln", newid);
    cr_assert(eq(int, kiln_store_put(S.st, nkey, nb.data, nb.len), 0));

    kiln_block *b = NULL;
    cr_assert(eq(int, kiln_block_open(&b, S.st, nkey), 0), "%s",
              kiln_error_last());
    cr_assert(eq(int, kiln_block_verify(b), 0), "%s", kiln_error_last());
    const kiln_block_info *bi = kiln_block_info_get(b);
    cr_assert(eq(sz, bi->nsources, 1));
    cr_assert(eq(str, (char *)bi->sources[0], meta.id));
    kiln_block_free(b);

    kiln_result *r = ru_query(S.st, NULL, KILN_TIME_MIN, KILN_TIME_MAX, NULL,
                              NULL, 0);
    kiln_result_stats st;
    kiln_result_stats_get(r, &st);
    cr_assert(eq(u64, st.blocks_total, 2));
    cr_assert(eq(u64, st.blocks_read, 1));
    cr_assert(eq(i64, folded_total(r), expect(all, 0, NPROF)));
    kiln_result_free(r);
    kiln_buf_free(&nb);
    kiln_buf_free(&foot);
    free(secs);
    meta_free(&meta);
    free(old);
}
