/* otlp_gen.h: pprof -> OTLP profiles conversion, used by `kiln gen --otlp`
 * and by the tests that check the OTLP and pprof ingest paths agree. */
#ifndef KILN_OTLP_GEN_H
#define KILN_OTLP_GEN_H

#include <stddef.h>
#include <stdint.h>

#include <kiln/common.h>
#include <kiln/writer.h> /* kiln_otlp_layout */

/* Convert one pprof profile (gzip'd or raw) into an ExportProfilesServiceRequest
 * (profiles v1development, opentelemetry-proto v1.9.0) written into out
 * (replaced): one resource with `resource_attrs` as string attributes (e.g.
 * service.name, host.name), one scope, and one Profile per sample type
 * sharing one dictionary. Sample labels trace_id (32 hex) and span_id (16
 * hex) become a link_table entry and the sample's link_index where the
 * writer's pprof path would absorb them into a link (one of each, lowercase,
 * not all zero); every other label, Pyroscope's profile_id included, becomes
 * an attribute unchanged. KILN_EINPUT on a malformed pprof. */
int pprof_to_otlp(const void *pprof, size_t n,
                       const kiln_label *resource_attrs, size_t nattrs,
                       kiln_buf *out);

/* The same, in the given layout (KILN_OTLP_V1_9: opentelemetry-proto
 * v1.8.0-v1.9.0; KILN_OTLP_V1_11: v1.10.0-v1.11.0). */
int pprof_to_otlp_layout(const void *pprof, size_t n,
                              const kiln_label *resource_attrs, size_t nattrs,
                              kiln_otlp_layout layout, kiln_buf *out);

/* Pack an ExportProfilesServiceRequest built with the v1.9 types
 * (Opentelemetry__Proto__Collector__Profiles__V1development__
 * ExportProfilesServiceRequest, passed as void * so this header needs no
 * generated one) in the given layout into out (replaced): for the v1.11
 * layout the messages from ResourceProfiles to Sample are made again from
 * the v1.11 types, everything else shared. KILN_ENOMEM. */
int otlp_pack(const void *request, kiln_otlp_layout layout,
                   kiln_buf *out);

/* The time of the first profile of an ExportProfilesServiceRequest (raw, not
 * gzip'd; either layout), ns since epoch; 0 if it holds none or does not
 * parse. For picking a block window before the request is added. */
int64_t otlp_time(const void *data, size_t n);

#endif
