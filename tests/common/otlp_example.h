/* otlp_example.h: one OTLP profile built by hand the way the OpenTelemetry
 * eBPF profiler sends them (not by kiln's pprof -> OTLP conversion): tables
 * in the dictionary, a mapping with a build id attribute, location
 * attributes, a sample attribute, a trace link, per-sample timestamps. Built
 * with the v1.9 types; otlp_pack (tools/otlp_gen.h) writes it in
 * either layout. Used by tests/writer/test_otlp.c and tests/e2e. */
#ifndef KILN_TEST_OTLP_EXAMPLE_H
#define KILN_TEST_OTLP_EXAMPLE_H

#include "otlp_util.h"

#define OTLP_EXAMPLE_T0 1764547200000000000LL /* 2025-12-01T00:00:00Z */
#define OTLP_EXAMPLE_S 1000000000LL           /* one second, ns */

/* Contents (times relative to T0; "work" and "idle" are called by "main"):
 *   sample 0: main;work, link (trace 11 22 .. ff 10, span a1 .. a8), values
 *             10/20/30 ms at +1/+2/+3 s
 *   sample 1: main;idle, attribute thread.name=worker-1, timestamps only:
 *             +1 s and +4 s (1 each)
 *   sample 2: main;work, 5 ms without timestamps (at the profile's time)
 * Profile: cpu/nanoseconds, period 10 ms, 5 s from T0. Resource:
 * service.name=ebpf-app. Mapping /usr/bin/app 0x400000-0x800000 with
 * process.executable.build_id.htlhash=9f86d081884c7d65; locations 0x401100
 * (main, app.go:10), 0x401200 (work, app.go:20), 0x401300 (idle, :30), each
 * with profile.frame.type=native. */
typedef struct otlp_example {
    o_request req;                 /* the request; everything below is its */
    o_resource rp, *rpp;
    o_res res;
    o_kv kv, *kvp;
    o_any sv, av[3];
    o_scope sc, *scp;
    o_profile pr, *prp;
    o_vtype vt, pt;
    o_sample sm[3], *smp[3];
    o_dict d;
    ProtobufCBinaryData st[11];
    o_attr at[4], *atp[4];
    o_mapping mp[2], *mpp[2];
    o_function fn[4], *fnp[4];
    o_line ln[4], *lnp[4];
    o_location lc[4], *lcp[4];
    o_stack sk[3], *skp[3];
    o_link lk[2], *lkp[2];
    int32_t stacks[2][2], attr_map[1], attr_loc[1], attr_smp[1];
    uint8_t trace[16], span[8];
    uint64_t ts0[3], ts1[2];
    int64_t v0[3], v2[1];
} otlp_example;

void otlp_example_init(otlp_example *x);

#endif
