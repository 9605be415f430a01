/* make_inputs.c: `e2e_make_input MODE ...` writes the inputs real agents
 * send that kiln's own generator never makes, for real_inputs.sh: pprof
 * corners derived from a corpus profile (tables with every id left at 0,
 * lines with function id 0, and still-invalid variants), and one hand-built
 * OTLP profile in both layouts, plus an older-layout request. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format_internal.h"
#include "otlp_gen.h"
#include "otlp_util.h"
#include "profile.pb-c.h"

typedef Perftools__Profiles__Profile Profile;

static int die(const char *msg, const char *arg)
{
    fprintf(stderr, "e2e_make_input: %s%s%s\n", msg, arg ? ": " : "",
            arg ? arg : "");
    exit(1);
}

static void write_file(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(p, 1, n, f) != n || fclose(f) != 0)
        die("cannot write", path);
}

static Profile *load(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        die("cannot open", path);
    kiln_buf raw = KILN_BUF_INIT, in = KILN_BUF_INIT;
    uint8_t chunk[65536];
    size_t k;
    while ((k = fread(chunk, 1, sizeof chunk, f)) > 0)
        if (kiln_buf_append(&raw, chunk, k) < 0)
            die("out of memory", NULL);
    fclose(f);
    const kiln_buf *b = &raw;
    if (kiln_is_gzip(raw.data, raw.len)) {
        if (kiln_gunzip(raw.data, raw.len, (size_t)1 << 31, &in) < 0)
            die("bad gzip", path);
        b = &in;
    }
    Profile *p = perftools__profiles__profile__unpack(NULL, b->len, b->data);
    if (!p)
        die("not a pprof profile", path);
    kiln_buf_free(&raw);
    kiln_buf_free(&in);
    return p;
}

static void save(const Profile *p, const char *path)
{
    size_t n = perftools__profiles__profile__get_packed_size(p);
    uint8_t *b = malloc(n ? n : 1);
    if (!b)
        die("out of memory", NULL);
    perftools__profiles__profile__pack(p, b);
    write_file(path, b, n);
    free(b);
}

/* Position (1-based) of the entry with id `id` in a table of n ids; 0 when
 * absent (the reference is left as it was, and then means nothing). */
static uint64_t pos_of(const uint64_t *ids, size_t n, uint64_t id)
{
    for (size_t i = 0; i < n; i++)
        if (ids[i] == id)
            return i + 1;
    return 0;
}

/* Rewrite every reference into table `which` as a 1-based position and set
 * the table's ids to 0: the same profile as Pyroscope's .NET agent writes
 * it. Returns the table's size. */
static size_t ids_zero(Profile *p, const char *which)
{
    size_t n;
    uint64_t *ids;
    if (strcmp(which, "function") == 0) {
        n = p->n_function;
        ids = calloc(n + 1, sizeof *ids);
        for (size_t i = 0; i < n; i++)
            ids[i] = p->function[i]->id;
        for (size_t i = 0; i < p->n_location; i++)
            for (size_t j = 0; j < p->location[i]->n_line; j++) {
                Perftools__Profiles__Line *l = p->location[i]->line[j];
                if (l->function_id)
                    l->function_id = pos_of(ids, n, l->function_id);
            }
        for (size_t i = 0; i < n; i++)
            p->function[i]->id = 0;
    } else if (strcmp(which, "location") == 0) {
        n = p->n_location;
        ids = calloc(n + 1, sizeof *ids);
        for (size_t i = 0; i < n; i++)
            ids[i] = p->location[i]->id;
        for (size_t i = 0; i < p->n_sample; i++)
            for (size_t j = 0; j < p->sample[i]->n_location_id; j++)
                p->sample[i]->location_id[j] =
                    pos_of(ids, n, p->sample[i]->location_id[j]);
        for (size_t i = 0; i < n; i++)
            p->location[i]->id = 0;
    } else if (strcmp(which, "mapping") == 0) {
        n = p->n_mapping;
        ids = calloc(n + 1, sizeof *ids);
        for (size_t i = 0; i < n; i++)
            ids[i] = p->mapping[i]->id;
        for (size_t i = 0; i < p->n_location; i++)
            if (p->location[i]->mapping_id)
                p->location[i]->mapping_id =
                    pos_of(ids, n, p->location[i]->mapping_id);
        for (size_t i = 0; i < n; i++)
            p->mapping[i]->id = 0;
    } else {
        die("unknown table (function, location, mapping)", which);
        return 0;
    }
    free(ids);
    return n;
}

/* ---- OTLP ------------------------------------------------------------------ */

/* One profile by hand: two stacks (main -> work, main -> idle), a link on
 * some samples, a string attribute, per-sample timestamps (one sample with
 * values per timestamp, one with timestamps only, one aggregated), resource
 * service.name. Built with the v1.9 types; kiln_otlp_pack writes either
 * layout from it. */
#define T0 1764547200000000000LL /* 2025-12-01T00:00:00Z */
static void otlp_pair(const char *v19, const char *v111)
{
    static ProtobufCBinaryData st[12];
    static const char *const strs[12] = {
        "", "cpu", "nanoseconds", "main", "work", "idle", "/srv/app",
        "thread.name", "worker-1", "app.go", "samples", "count"};
    for (int i = 0; i < 12; i++)
        st[i] = (ProtobufCBinaryData){strlen(strs[i]), (uint8_t *)strs[i]};

    o_function fn[4], *fnp[4];
    for (int i = 0; i < 4; i++) {
        opentelemetry__proto__profiles__v1development__function__init(&fn[i]);
        fnp[i] = &fn[i];
    }
    fn[1].name_strindex = 3;
    fn[1].filename_strindex = 9;
    fn[2].name_strindex = 4;
    fn[2].filename_strindex = 9;
    fn[3].name_strindex = 5;
    o_mapping mp[2], *mpp[2] = {&mp[0], &mp[1]};
    opentelemetry__proto__profiles__v1development__mapping__init(&mp[0]);
    opentelemetry__proto__profiles__v1development__mapping__init(&mp[1]);
    mp[1].memory_start = 0x400000;
    mp[1].memory_limit = 0x800000;
    mp[1].filename_strindex = 6;
    o_line ln[4], *lnp[4];
    o_location lc[4], *lcp[4];
    for (int i = 0; i < 4; i++) {
        opentelemetry__proto__profiles__v1development__line__init(&ln[i]);
        opentelemetry__proto__profiles__v1development__location__init(&lc[i]);
        lnp[i] = &ln[i];
        lcp[i] = &lc[i];
        if (i == 0)
            continue;
        ln[i].function_index = i;
        ln[i].line = 10 * i;
        lc[i].mapping_index = 1;
        lc[i].address = 0x401000 + 0x100 * (uint64_t)i;
        lc[i].lines = &lnp[i];
        lc[i].n_lines = 1;
    }
    int32_t s1[2] = {2, 1}, s2[2] = {3, 1}; /* leaf first */
    o_stack sk[3], *skp[3] = {&sk[0], &sk[1], &sk[2]};
    for (int i = 0; i < 3; i++)
        opentelemetry__proto__profiles__v1development__stack__init(&sk[i]);
    sk[1].location_indices = s1;
    sk[1].n_location_indices = 2;
    sk[2].location_indices = s2;
    sk[2].n_location_indices = 2;
    static uint8_t trace[16], span[8];
    for (int i = 0; i < 16; i++)
        trace[i] = (uint8_t)(0x11 * (i + 1));
    for (int i = 0; i < 8; i++)
        span[i] = (uint8_t)(0xa1 + i);
    o_link lk[2], *lkp[2] = {&lk[0], &lk[1]};
    opentelemetry__proto__profiles__v1development__link__init(&lk[0]);
    opentelemetry__proto__profiles__v1development__link__init(&lk[1]);
    lk[1].trace_id = (ProtobufCBinaryData){16, trace};
    lk[1].span_id = (ProtobufCBinaryData){8, span};
    o_any av;
    opentelemetry__proto__common__v1__any_value__init(&av);
    av.value_case = OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_STRING_VALUE;
    av.string_value = (char *)"worker-1";
    o_attr at[2], *atp[2] = {&at[0], &at[1]};
    opentelemetry__proto__profiles__v1development__key_value_and_unit__init(&at[0]);
    opentelemetry__proto__profiles__v1development__key_value_and_unit__init(&at[1]);
    at[1].key_strindex = 7;
    at[1].value = &av;

    o_dict d = OPENTELEMETRY__PROTO__PROFILES__V1DEVELOPMENT__PROFILES_DICTIONARY__INIT;
    d.string_table = st;
    d.n_string_table = 12;
    d.function_table = fnp;
    d.n_function_table = 4;
    d.mapping_table = mpp;
    d.n_mapping_table = 2;
    d.location_table = lcp;
    d.n_location_table = 4;
    d.stack_table = skp;
    d.n_stack_table = 3;
    d.link_table = lkp;
    d.n_link_table = 2;
    d.attribute_table = atp;
    d.n_attribute_table = 2;

    /* sample 0: work, linked, values 10/20/30 ms at +1 s, +2 s, +3 s;
     * sample 1: idle, attribute, timestamps only at +1 s and +4 s;
     * sample 2: work, aggregated 5 ms at the profile's time. */
    static uint64_t ts0[3] = {T0 + 1000000000LL, T0 + 2000000000LL,
                              T0 + 3000000000LL};
    static int64_t v0[3] = {10000000, 20000000, 30000000};
    static uint64_t ts1[2] = {T0 + 1000000000LL, T0 + 4000000000LL};
    static int64_t v2[1] = {5000000};
    static int32_t a1[1] = {1};
    o_sample sm[3], *smp[3] = {&sm[0], &sm[1], &sm[2]};
    for (int i = 0; i < 3; i++)
        opentelemetry__proto__profiles__v1development__sample__init(&sm[i]);
    sm[0].stack_index = 1;
    sm[0].link_index = 1;
    sm[0].values = v0;
    sm[0].n_values = 3;
    sm[0].timestamps_unix_nano = ts0;
    sm[0].n_timestamps_unix_nano = 3;
    sm[1].stack_index = 2;
    sm[1].attribute_indices = a1;
    sm[1].n_attribute_indices = 1;
    sm[1].timestamps_unix_nano = ts1;
    sm[1].n_timestamps_unix_nano = 2;
    sm[2].stack_index = 1;
    sm[2].values = v2;
    sm[2].n_values = 1;

    o_vtype vt = OPENTELEMETRY__PROTO__PROFILES__V1DEVELOPMENT__VALUE_TYPE__INIT,
            pt = OPENTELEMETRY__PROTO__PROFILES__V1DEVELOPMENT__VALUE_TYPE__INIT;
    vt.type_strindex = 1;
    vt.unit_strindex = 2;
    pt.type_strindex = 1;
    pt.unit_strindex = 2;
    o_profile pr = OPENTELEMETRY__PROTO__PROFILES__V1DEVELOPMENT__PROFILE__INIT,
              *prp = &pr;
    pr.sample_type = &vt;
    pr.period_type = &pt;
    pr.period = 10000000;
    pr.time_unix_nano = (uint64_t)T0;
    pr.duration_nano = 5000000000ULL;
    pr.samples = smp;
    pr.n_samples = 3;
    o_scope sc = OPENTELEMETRY__PROTO__PROFILES__V1DEVELOPMENT__SCOPE_PROFILES__INIT,
            *scp = &sc;
    sc.profiles = &prp;
    sc.n_profiles = 1;
    o_any sv;
    opentelemetry__proto__common__v1__any_value__init(&sv);
    sv.value_case = OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_STRING_VALUE;
    sv.string_value = (char *)"ebpf-app";
    o_kv kv, *kvp = &kv;
    opentelemetry__proto__common__v1__key_value__init(&kv);
    kv.key = (char *)"service.name";
    kv.value = &sv;
    o_res res = OPENTELEMETRY__PROTO__RESOURCE__V1__RESOURCE__INIT;
    res.attributes = &kvp;
    res.n_attributes = 1;
    o_resource rp = OPENTELEMETRY__PROTO__PROFILES__V1DEVELOPMENT__RESOURCE_PROFILES__INIT,
               *rpp = &rp;
    rp.resource = &res;
    rp.scope_profiles = &scp;
    rp.n_scope_profiles = 1;
    o_request req =
        OPENTELEMETRY__PROTO__COLLECTOR__PROFILES__V1DEVELOPMENT__EXPORT_PROFILES_SERVICE_REQUEST__INIT;
    req.resource_profiles = &rpp;
    req.n_resource_profiles = 1;
    req.dictionary = &d;

    kiln_buf b = KILN_BUF_INIT;
    if (kiln_otlp_pack(&req, KILN_OTLP_V1_9, &b) < 0)
        die("pack v1.9", kiln_error_last());
    write_file(v19, b.data, b.len);
    if (kiln_otlp_pack(&req, KILN_OTLP_V1_11, &b) < 0)
        die("pack v1.11", kiln_error_last());
    write_file(v111, b.data, b.len);
    kiln_buf_free(&b);
}

static void put_field(kiln_buf *b, uint32_t num, int wt)
{
    kiln_put_uvarint(b, (uint64_t)num << 3 | (unsigned)wt);
}

static void put_msg(kiln_buf *b, uint32_t num, const kiln_buf *m)
{
    put_field(b, num, KILN_PB_LEN);
    kiln_put_blob(b, m->data, m->len);
}

/* A request as opentelemetry-proto v1.4.0-v1.6.0 laid it out: a Profile
 * with its own sample_type (1), samples (2) and mapping_table (3), and no
 * dictionary. */
static void otlp_older(const char *path)
{
    kiln_buf vt = KILN_BUF_INIT, smp = KILN_BUF_INIT, map = KILN_BUF_INIT,
             prof = KILN_BUF_INIT, scope = KILN_BUF_INIT, res = KILN_BUF_INIT,
             req = KILN_BUF_INIT;
    put_field(&vt, 1, KILN_PB_VARINT);
    kiln_put_uvarint(&vt, 1);
    put_field(&smp, 1, KILN_PB_VARINT); /* locations_start_index */
    kiln_put_uvarint(&smp, 0);
    put_field(&map, 1, KILN_PB_VARINT); /* memory_start */
    kiln_put_uvarint(&map, 0x400000);
    put_msg(&prof, 1, &vt);
    put_msg(&prof, 2, &smp);
    put_msg(&prof, 3, &map);
    put_msg(&scope, 2, &prof);
    put_msg(&res, 2, &scope);
    put_msg(&req, 1, &res);
    write_file(path, req.data, req.len);
    kiln_buf *all[] = {&vt, &smp, &map, &prof, &scope, &res, &req};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        kiln_buf_free(all[i]);
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    if (strcmp(mode, "otlp-pair") == 0 && argc == 4) {
        otlp_pair(argv[2], argv[3]);
        return 0;
    }
    if (strcmp(mode, "otlp-older") == 0 && argc == 3) {
        otlp_older(argv[2]);
        return 0;
    }
    if (strcmp(mode, "ids-zero") == 0 && argc == 5) {
        Profile *p = load(argv[3]);
        if (ids_zero(p, argv[2]) == 0)
            return 3; /* the table is empty: nothing to test */
        save(p, argv[4]);
        perftools__profiles__profile__free_unpacked(p, NULL);
        return 0;
    }
    if (strcmp(mode, "nofunc-lines") == 0 && argc == 4) {
        /* every third line (and at least the first) loses its function */
        Profile *p = load(argv[2]);
        size_t k = 0, changed = 0;
        for (size_t i = 0; i < p->n_location; i++)
            for (size_t j = 0; j < p->location[i]->n_line; j++, k++)
                if (k % 3 == 0 && p->location[i]->line[j]->function_id) {
                    p->location[i]->line[j]->function_id = 0;
                    changed++;
                }
        if (changed == 0)
            return 3;
        save(p, argv[3]);
        perftools__profiles__profile__free_unpacked(p, NULL);
        return 0;
    }
    if (strcmp(mode, "bad-position") == 0 && argc == 4) {
        /* function ids all 0, and one line naming position n + 1 */
        Profile *p = load(argv[2]);
        size_t n = ids_zero(p, "function");
        for (size_t i = 0; i < p->n_location; i++)
            if (p->location[i]->n_line) {
                p->location[i]->line[0]->function_id = n + 1;
                printf("location %zu line 0 function id %zu\n", i, n + 1);
                break;
            }
        save(p, argv[3]);
        perftools__profiles__profile__free_unpacked(p, NULL);
        return 0;
    }
    if (strcmp(mode, "bad-mixed") == 0 && argc == 4) {
        /* one location id left at 0 among others: it cannot be referred
         * to, and the samples that did refer to it name a missing id */
        Profile *p = load(argv[2]);
        if (p->n_location < 2)
            return 3;
        printf("location id %" PRIu64 "\n", p->location[0]->id);
        p->location[0]->id = 0;
        save(p, argv[3]);
        perftools__profiles__profile__free_unpacked(p, NULL);
        return 0;
    }
    fprintf(stderr, "usage: e2e_make_input otlp-pair V19 V111 | otlp-older OUT |\n"
                    "  ids-zero function|location|mapping IN OUT |\n"
                    "  nofunc-lines IN OUT | bad-position IN OUT | bad-mixed IN OUT\n");
    return 2;
}
