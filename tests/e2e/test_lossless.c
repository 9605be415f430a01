/* test_lossless.c: the corner cases of "nothing the input carries is lost",
 * each in a small profile built here: samples whose values are all zero,
 * label values that look like trace links but are not valid ones, numeric
 * labels with units, repeated keys, bytes that are not UTF-8, empty type
 * strings. Each is written to a block through the public API, queried back
 * as pprof with labels kept, and compared through canon.h. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kiln/kiln.h>

#include "canon.h"
#include "profile.pb-c.h"
#include "util.h"

/* ---- a tiny pprof builder: fixed capacities are plenty here ---- */

#define MAXS 64

typedef struct pbb {
    ProtobufCBinaryData str[MAXS];
    size_t nstr;
    Perftools__Profiles__ValueType vt[4], *vtp[4], period;
    size_t nvt;
    Perftools__Profiles__Mapping map, *mapp[1];
    Perftools__Profiles__Function fn[MAXS], *fnp[MAXS];
    Perftools__Profiles__Line ln[MAXS], *lnp[MAXS];
    Perftools__Profiles__Location loc[MAXS], *locp[MAXS];
    size_t nloc;
    Perftools__Profiles__Sample sm[MAXS], *smp[MAXS];
    uint64_t smloc[MAXS][8];
    int64_t smval[MAXS][4];
    Perftools__Profiles__Label lab[MAXS][6], *labp[MAXS][6];
    size_t nsm;
    Perftools__Profiles__Profile p;
} pbb;

static int64_t str(pbb *b, const char *s)
{
    for (size_t i = 0; i < b->nstr; i++)
        if (b->str[i].len == strlen(s) && memcmp(b->str[i].data, s, b->str[i].len) == 0)
            return (int64_t)i;
    cr_assert(lt(sz, b->nstr, MAXS));
    b->str[b->nstr] = (ProtobufCBinaryData){strlen(s), (uint8_t *)s};
    return (int64_t)b->nstr++;
}

/* types: "type/unit" strings. */
static void pbb_init(pbb *b, size_t ntypes, const char *const types[][2])
{
    memset(b, 0, sizeof *b);
    str(b, "");
    for (size_t i = 0; i < ntypes; i++) {
        perftools__profiles__value_type__init(&b->vt[i]);
        b->vt[i].type = str(b, types[i][0]);
        b->vt[i].unit = str(b, types[i][1]);
        b->vtp[i] = &b->vt[i];
    }
    b->nvt = ntypes;
    perftools__profiles__value_type__init(&b->period);
    b->period.type = b->vt[0].type;
    b->period.unit = b->vt[0].unit;
    perftools__profiles__mapping__init(&b->map);
    b->map.id = 1, b->map.memory_start = 0x400000, b->map.memory_limit = 0x800000;
    b->map.filename = str(b, "/usr/bin/app");
    b->map.has_functions = 1;
    b->mapp[0] = &b->map;
}

/* A location of one line in function `name`; returns its id. */
static uint64_t pbb_loc(pbb *b, const char *name)
{
    size_t i = b->nloc++;
    cr_assert(lt(sz, i, MAXS));
    perftools__profiles__function__init(&b->fn[i]);
    b->fn[i].id = i + 1;
    b->fn[i].name = b->fn[i].system_name = str(b, name);
    b->fn[i].filename = str(b, "app.c");
    b->fnp[i] = &b->fn[i];
    perftools__profiles__line__init(&b->ln[i]);
    b->ln[i].function_id = i + 1, b->ln[i].line = 100 + (int64_t)i;
    b->lnp[i] = &b->ln[i];
    perftools__profiles__location__init(&b->loc[i]);
    b->loc[i].id = i + 1, b->loc[i].mapping_id = 1;
    b->loc[i].address = 0x401000 + 16 * i;
    b->loc[i].n_line = 1, b->loc[i].line = &b->lnp[i];
    b->locp[i] = &b->loc[i];
    return i + 1;
}

/* A sample: leaf-first locations (0-terminated), values, and labels as
 * "key", "str" pairs, or "key", "#123 unit" for numbers, NULL-terminated. */
static void pbb_sample(pbb *b, const uint64_t *locs, const int64_t *vals,
                       const char *const *labels)
{
    size_t i = b->nsm++;
    cr_assert(lt(sz, i, MAXS));
    Perftools__Profiles__Sample *s = &b->sm[i];
    perftools__profiles__sample__init(s);
    size_t n = 0;
    while (locs[n])
        b->smloc[i][n] = locs[n], n++;
    s->n_location_id = n, s->location_id = b->smloc[i];
    memcpy(b->smval[i], vals, b->nvt * sizeof *vals);
    s->n_value = b->nvt, s->value = b->smval[i];
    size_t nl = 0;
    for (; labels && labels[2 * nl]; nl++) {
        Perftools__Profiles__Label *l = &b->lab[i][nl];
        perftools__profiles__label__init(l);
        l->key = str(b, labels[2 * nl]);
        const char *v = labels[2 * nl + 1];
        if (v[0] == '#') {
            char unit[32] = "";
            long long num = 0;
            sscanf(v + 1, "%lld %31s", &num, unit);
            l->num = num;
            /* units live as long as the builder: intern a static copy */
            l->num_unit = unit[0] ? str(b, strcmp(unit, "bytes") == 0 ? "bytes" : "count") : 0;
        } else {
            l->str = str(b, v);
        }
        b->labp[i][nl] = l;
    }
    s->n_label = nl, s->label = b->labp[i];
    b->smp[i] = s;
}

static uint8_t *pbb_pack(pbb *b, size_t *len)
{
    Perftools__Profiles__Profile *p = &b->p;
    perftools__profiles__profile__init(p);
    p->n_sample_type = b->nvt, p->sample_type = b->vtp;
    p->n_sample = b->nsm, p->sample = b->smp;
    p->n_mapping = 1, p->mapping = b->mapp;
    p->n_location = b->nloc, p->location = b->locp;
    p->n_function = b->nloc, p->function = b->fnp;
    p->n_string_table = b->nstr, p->string_table = b->str;
    p->time_nanos = INT64_C(1700000000123456789);
    p->duration_nanos = INT64_C(10000000000);
    p->period_type = &b->period, p->period = 10000000;
    *len = perftools__profiles__profile__get_packed_size(p);
    uint8_t *out = malloc(*len);
    perftools__profiles__profile__pack(p, out);
    return out;
}

/* Write the profile to a block, query it back with labels kept, and
 * compare; failing with the differing lines. */
static void assert_round_trip(pbb *b, const char *what)
{
    size_t len;
    uint8_t *pb = pbb_pack(b, &len);
    char *dir = e2e_tmpdir("lossless");
    kiln_store *st = NULL;
    kiln_writer *w = NULL;
    kiln_result *r = NULL;
    kiln_buf out = KILN_BUF_INIT;
    char key[KILN_KEY_MAX], err[512];
    kiln_writer_opts wo = KILN_WRITER_OPTS_INIT;
    kiln_query_opts qo = KILN_QUERY_OPTS_INIT;
    qo.keep_labels = 1;

    cr_assert(eq(int, kiln_store_open_dir(&st, dir), 0), "%s", kiln_error_last());
    cr_assert(eq(int, kiln_writer_new(&w, &wo), 0), "%s", kiln_error_last());
    int rc = kiln_writer_add_pprof(w, pb, len, NULL, 0);
    cr_assert(eq(int, rc, 0), "%s: add_pprof: %s", what, kiln_error_last());
    cr_assert(eq(int, kiln_writer_flush(w, st, key), 0), "%s", kiln_error_last());
    cr_assert(eq(int, kiln_query(&r, st, NULL, &qo), 0), "%s", kiln_error_last());
    cr_assert(eq(int, kiln_result_pprof(r, &out), 0), "%s", kiln_error_last());

    canon a, c;
    cr_assert(eq(int, canon_load(&a, pb, len, err, sizeof err), 0), "%s", err);
    cr_assert(eq(int, canon_load(&c, out.data, out.len, err, sizeof err), 0),
              "%s: kiln's output: %s", what, err);
    char diff[4096] = "";
    FILE *f = fmemopen(diff, sizeof diff - 1, "w");
    size_t nd = canon_diff(&a, &c, f, 8);
    fclose(f);
    cr_expect(eq(sz, nd, 0), "%s: %zu lines differ (- input, + kiln):\n%s",
              what, nd, diff);
    cr_expect(eq(i64, a.time_nanos, c.time_nanos), "%s: time", what);

    canon_free(&a);
    canon_free(&c);
    kiln_result_free(r);
    kiln_writer_free(w);
    kiln_store_free(st);
    kiln_buf_free(&out);
    e2e_rmtree(dir);
    free(dir);
    free(pb);
}

static const char *const cpu_types[][2] = {{"samples", "count"},
                                           {"cpu", "nanoseconds"}};

Test(e2e_lossless, plain_profile_round_trips)
{
    pbb b;
    pbb_init(&b, 2, cpu_types);
    uint64_t m = pbb_loc(&b, "main"), h = pbb_loc(&b, "handler");
    pbb_sample(&b, (uint64_t[]){h, m, 0}, (int64_t[]){3, 30000000}, NULL);
    pbb_sample(&b, (uint64_t[]){m, 0}, (int64_t[]){1, 10000000}, NULL);
    assert_round_trip(&b, "plain profile");
}

/* Bug (reader/render.c, the pprof renderer): a row whose values are all
 * zero is skipped, so such samples (common in Go heap and delta profiles:
 * 21 corpus files) and the symbols only they use do not come back. */
Test(e2e_lossless, samples_whose_values_are_all_zero_come_back)
{
    pbb b;
    pbb_init(&b, 2, cpu_types);
    uint64_t m = pbb_loc(&b, "main"), h = pbb_loc(&b, "freed_alloc");
    pbb_sample(&b, (uint64_t[]){m, 0}, (int64_t[]){1, 10000000}, NULL);
    pbb_sample(&b, (uint64_t[]){h, m, 0}, (int64_t[]){0, 0}, NULL);
    assert_round_trip(&b, "all-zero sample");
}

Test(e2e_lossless, valid_trace_links_come_back_as_labels)
{
    pbb b;
    pbb_init(&b, 2, cpu_types);
    uint64_t m = pbb_loc(&b, "main");
    pbb_sample(&b, (uint64_t[]){m, 0}, (int64_t[]){1, 10000000},
               (const char *const[]){"trace_id", "4bf92f3577b34da6a3ce929d0e0e4736",
                                     "span_id", "00f067aa0ba902b7", NULL});
    pbb_sample(&b, (uint64_t[]){m, 0}, (int64_t[]){2, 20000000},
               (const char *const[]){"trace_id", "4bf92f3577b34da6a3ce929d0e0e4736",
                                     "span_id", "53995c3f42cd8ad8", NULL});
    assert_round_trip(&b, "valid links");
}

/* Bug (writer/ingest_pprof.c sample_labels makes a link with a zero span
 * when span_id is absent; reader/render.c then writes span_id
 * "0000000000000000"): a label is invented. */
Test(e2e_lossless, trace_id_without_span_id_comes_back_alone)
{
    pbb b;
    pbb_init(&b, 2, cpu_types);
    uint64_t m = pbb_loc(&b, "main");
    pbb_sample(&b, (uint64_t[]){m, 0}, (int64_t[]){1, 10000000},
               (const char *const[]){"trace_id", "4bf92f3577b34da6a3ce929d0e0e4736", NULL});
    assert_round_trip(&b, "trace without span");
}

Test(e2e_lossless, malformed_trace_ids_stay_labels_byte_for_byte)
{
    pbb b;
    pbb_init(&b, 2, cpu_types);
    uint64_t m = pbb_loc(&b, "main"), h = pbb_loc(&b, "handler");
    pbb_sample(&b, (uint64_t[]){m, 0}, (int64_t[]){1, 10000000},
               (const char *const[]){"trace_id", "not-a-trace", "span_id", "xyz", NULL});
    pbb_sample(&b, (uint64_t[]){h, m, 0}, (int64_t[]){2, 20000000},
               (const char *const[]){"trace_id", "4bf92f3577b34da6a3ce929d0e0e47", NULL}); /* 30 digits */
    pbb_sample(&b, (uint64_t[]){h, 0}, (int64_t[]){3, 30000000},
               (const char *const[]){"trace_id", "00000000000000000000000000000000",
                                     "span_id", "0000000000000000", NULL});
    assert_round_trip(&b, "malformed links");
}

/* Bug (writer/ingest_pprof.c hexval accepts A-F; reader/render.c writes
 * lowercase): the label value changes case. */
Test(e2e_lossless, uppercase_hex_trace_id_comes_back_byte_for_byte)
{
    pbb b;
    pbb_init(&b, 2, cpu_types);
    uint64_t m = pbb_loc(&b, "main");
    pbb_sample(&b, (uint64_t[]){m, 0}, (int64_t[]){1, 10000000},
               (const char *const[]){"trace_id", "4BF92F3577B34DA6A3CE929D0E0E4736",
                                     "span_id", "00F067AA0BA902B7", NULL});
    assert_round_trip(&b, "uppercase link");
}

Test(e2e_lossless, pyroscope_profile_id_label_comes_back)
{
    pbb b;
    pbb_init(&b, 2, cpu_types);
    uint64_t m = pbb_loc(&b, "main");
    pbb_sample(&b, (uint64_t[]){m, 0}, (int64_t[]){1, 10000000},
               (const char *const[]){"profile_id", "65e21bd818465bae", NULL});
    assert_round_trip(&b, "profile_id label");
}

/* Bug (writer/ingest_pprof.c sample_labels takes profile_id as the span;
 * reader/render.c names every span "span_id"). Pyroscope's span key: with
 * a trace_id beside it, the pair becomes a link,
 * and must come back under the key it came in with. */
Test(e2e_lossless, trace_id_with_profile_id_comes_back_under_profile_id)
{
    pbb b;
    pbb_init(&b, 2, cpu_types);
    uint64_t m = pbb_loc(&b, "main");
    pbb_sample(&b, (uint64_t[]){m, 0}, (int64_t[]){1, 10000000},
               (const char *const[]){"trace_id", "4bf92f3577b34da6a3ce929d0e0e4736",
                                     "profile_id", "65e21bd818465bae", NULL});
    assert_round_trip(&b, "trace_id + profile_id");
}

Test(e2e_lossless, numeric_and_repeated_labels_come_back)
{
    pbb b;
    pbb_init(&b, 2, cpu_types);
    uint64_t m = pbb_loc(&b, "main");
    pbb_sample(&b, (uint64_t[]){m, 0}, (int64_t[]){1, 10000000},
               (const char *const[]){"bytes", "#4096 bytes", "region", "eu",
                                     "region", "us", "count", "#-3", NULL});
    pbb_sample(&b, (uint64_t[]){m, 0}, (int64_t[]){1, 10000000},
               (const char *const[]){"bytes", "#8192 bytes", NULL});
    assert_round_trip(&b, "numeric and repeated labels");
}

Test(e2e_lossless, bytes_that_are_not_utf8_come_back)
{
    pbb b;
    pbb_init(&b, 2, cpu_types);
    uint64_t m = pbb_loc(&b, "main\xff\xfe"), h = pbb_loc(&b, "caf\xe9");
    pbb_sample(&b, (uint64_t[]){h, m, 0}, (int64_t[]){1, 10000000},
               (const char *const[]){"k\xc3", "v\x80", NULL});
    assert_round_trip(&b, "invalid UTF-8");
}

Test(e2e_lossless, empty_sample_type_strings_come_back)
{
    static const char *const types[][2] = {{"", ""}, {"", "count"}};
    pbb b;
    pbb_init(&b, 2, types);
    uint64_t m = pbb_loc(&b, "main");
    pbb_sample(&b, (uint64_t[]){m, 0}, (int64_t[]){1, 2}, NULL);
    assert_round_trip(&b, "empty type strings");
}

Test(e2e_lossless, negative_values_come_back)
{
    pbb b;
    pbb_init(&b, 2, cpu_types);
    uint64_t m = pbb_loc(&b, "main"), h = pbb_loc(&b, "diff");
    pbb_sample(&b, (uint64_t[]){h, m, 0}, (int64_t[]){-5, -50000000}, NULL);
    pbb_sample(&b, (uint64_t[]){m, 0}, (int64_t[]){7, INT64_C(9000000000000000000)}, NULL);
    assert_round_trip(&b, "negative and large values");
}
