/* otlp_example.c: the hand-built OTLP profile of otlp_example.h, one for
 * the unit and the end-to-end tests, so both check the same contents. */
#include "otlp_example.h"

#include <string.h>

#define INIT(fn, p) opentelemetry__proto__##fn##__init(p)

static void string_value(o_any *v, const char *s)
{
    INIT(common__v1__any_value, v);
    v->value_case = OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_STRING_VALUE;
    v->string_value = (char *)s;
}

/* The dictionary: strings, attributes, mapping, functions, locations,
 * stacks, link. */
static void dictionary(otlp_example *x)
{
    static const char *const strs[11] = {
        "", "cpu", "nanoseconds", "main", "work", "idle", "/usr/bin/app",
        "thread.name", "process.executable.build_id.htlhash",
        "profile.frame.type", "app.go"};
    for (int i = 0; i < 11; i++)
        x->st[i] = (ProtobufCBinaryData){strlen(strs[i]), (uint8_t *)strs[i]};
    static const char *const vals[3] = {"worker-1", "9f86d081884c7d65",
                                        "native"};
    for (int i = 0; i < 4; i++) {
        INIT(profiles__v1development__key_value_and_unit, &x->at[i]);
        x->atp[i] = &x->at[i];
        if (i == 0)
            continue;
        string_value(&x->av[i - 1], vals[i - 1]);
        x->at[i].key_strindex = 6 + i; /* thread.name, build id, frame type */
        x->at[i].value = &x->av[i - 1];
    }
    x->attr_map[0] = 2;
    x->attr_loc[0] = 3;
    x->attr_smp[0] = 1;
    for (int i = 0; i < 2; i++) {
        INIT(profiles__v1development__mapping, &x->mp[i]);
        x->mpp[i] = &x->mp[i];
    }
    x->mp[1].memory_start = 0x400000;
    x->mp[1].memory_limit = 0x800000;
    x->mp[1].filename_strindex = 6;
    x->mp[1].attribute_indices = x->attr_map;
    x->mp[1].n_attribute_indices = 1;
    for (int i = 0; i < 4; i++) {
        INIT(profiles__v1development__function, &x->fn[i]);
        INIT(profiles__v1development__line, &x->ln[i]);
        INIT(profiles__v1development__location, &x->lc[i]);
        x->fnp[i] = &x->fn[i];
        x->lnp[i] = &x->ln[i];
        x->lcp[i] = &x->lc[i];
        if (i == 0)
            continue;
        x->fn[i].name_strindex = 2 + i; /* main, work, idle */
        x->fn[i].filename_strindex = i < 3 ? 10 : 0;
        x->ln[i].function_index = i;
        x->ln[i].line = 10 * i;
        x->lc[i].mapping_index = 1;
        x->lc[i].address = 0x401000 + 0x100 * (uint64_t)i;
        x->lc[i].lines = &x->lnp[i];
        x->lc[i].n_lines = 1;
        x->lc[i].attribute_indices = x->attr_loc;
        x->lc[i].n_attribute_indices = 1;
    }
    x->stacks[0][0] = 2; /* leaf first: work, main */
    x->stacks[0][1] = 1;
    x->stacks[1][0] = 3; /* idle, main */
    x->stacks[1][1] = 1;
    for (int i = 0; i < 3; i++) {
        INIT(profiles__v1development__stack, &x->sk[i]);
        x->skp[i] = &x->sk[i];
        if (i == 0)
            continue;
        x->sk[i].location_indices = x->stacks[i - 1];
        x->sk[i].n_location_indices = 2;
    }
    for (int i = 0; i < 16; i++)
        x->trace[i] = (uint8_t)(0x11 * (i + 1));
    for (int i = 0; i < 8; i++)
        x->span[i] = (uint8_t)(0xa1 + i);
    for (int i = 0; i < 2; i++) {
        INIT(profiles__v1development__link, &x->lk[i]);
        x->lkp[i] = &x->lk[i];
    }
    x->lk[1].trace_id = (ProtobufCBinaryData){16, x->trace};
    x->lk[1].span_id = (ProtobufCBinaryData){8, x->span};

    INIT(profiles__v1development__profiles_dictionary, &x->d);
    x->d.string_table = x->st;
    x->d.n_string_table = 11;
    x->d.attribute_table = x->atp;
    x->d.n_attribute_table = 4;
    x->d.mapping_table = x->mpp;
    x->d.n_mapping_table = 2;
    x->d.function_table = x->fnp;
    x->d.n_function_table = 4;
    x->d.location_table = x->lcp;
    x->d.n_location_table = 4;
    x->d.stack_table = x->skp;
    x->d.n_stack_table = 3;
    x->d.link_table = x->lkp;
    x->d.n_link_table = 2;
}

/* The three samples of otlp_example.h. */
static void samples(otlp_example *x)
{
    const int64_t t0 = OTLP_EXAMPLE_T0, s = OTLP_EXAMPLE_S;
    for (int i = 0; i < 3; i++) {
        x->ts0[i] = (uint64_t)(t0 + (i + 1) * s);
        x->v0[i] = 10000000 * (i + 1);
        INIT(profiles__v1development__sample, &x->sm[i]);
        x->smp[i] = &x->sm[i];
    }
    x->ts1[0] = (uint64_t)(t0 + s);
    x->ts1[1] = (uint64_t)(t0 + 4 * s);
    x->v2[0] = 5000000;
    x->sm[0].stack_index = 1;
    x->sm[0].link_index = 1;
    x->sm[0].values = x->v0;
    x->sm[0].n_values = 3;
    x->sm[0].timestamps_unix_nano = x->ts0;
    x->sm[0].n_timestamps_unix_nano = 3;
    x->sm[1].stack_index = 2;
    x->sm[1].attribute_indices = x->attr_smp;
    x->sm[1].n_attribute_indices = 1;
    x->sm[1].timestamps_unix_nano = x->ts1;
    x->sm[1].n_timestamps_unix_nano = 2;
    x->sm[2].stack_index = 1;
    x->sm[2].values = x->v2;
    x->sm[2].n_values = 1;
}

void otlp_example_init(otlp_example *x)
{
    memset(x, 0, sizeof(*x));
    dictionary(x);
    samples(x);
    INIT(profiles__v1development__value_type, &x->vt);
    INIT(profiles__v1development__value_type, &x->pt);
    x->vt.type_strindex = x->pt.type_strindex = 1;
    x->vt.unit_strindex = x->pt.unit_strindex = 2;
    INIT(profiles__v1development__profile, &x->pr);
    x->prp = &x->pr;
    x->pr.sample_type = &x->vt;
    x->pr.period_type = &x->pt;
    x->pr.period = 10000000;
    x->pr.time_unix_nano = (uint64_t)OTLP_EXAMPLE_T0;
    x->pr.duration_nano = 5 * (uint64_t)OTLP_EXAMPLE_S;
    x->pr.samples = x->smp;
    x->pr.n_samples = 3;
    INIT(profiles__v1development__scope_profiles, &x->sc);
    x->scp = &x->sc;
    x->sc.profiles = &x->prp;
    x->sc.n_profiles = 1;
    string_value(&x->sv, "ebpf-app");
    INIT(common__v1__key_value, &x->kv);
    x->kvp = &x->kv;
    x->kv.key = (char *)"service.name";
    x->kv.value = &x->sv;
    INIT(resource__v1__resource, &x->res);
    x->res.attributes = &x->kvp;
    x->res.n_attributes = 1;
    INIT(profiles__v1development__resource_profiles, &x->rp);
    x->rpp = &x->rp;
    x->rp.resource = &x->res;
    x->rp.scope_profiles = &x->scp;
    x->rp.n_scope_profiles = 1;
    INIT(collector__profiles__v1development__export_profiles_service_request,
         &x->req);
    x->req.resource_profiles = &x->rpp;
    x->req.n_resource_profiles = 1;
    x->req.dictionary = &x->d;
}
