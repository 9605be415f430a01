/* otlp_util.h: what both directions of the OTLP <-> pprof conversion share
 * (writer/otlp.c reads OTLP, tools/otlp_gen.c writes it): short names for
 * the generated OTLP message types of both layouts, a bump arena for the messages of one
 * conversion, and hex for trace, span and build ids. Header only (static
 * inline) so writer/ and tools/ share it without depending on each other. */
#ifndef KILN_OTLP_UTIL_H
#define KILN_OTLP_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "format_internal.h" /* hexval */
#include "otlp_profiles_service.pb-c.h"
#include "otlp_profiles_v1_11.pb-c.h"

typedef Opentelemetry__Proto__Collector__Profiles__V1development__ExportProfilesServiceRequest
    o_request;
typedef Opentelemetry__Proto__Profiles__V1development__ProfilesDictionary o_dict;
typedef Opentelemetry__Proto__Profiles__V1development__ResourceProfiles o_resource;
typedef Opentelemetry__Proto__Profiles__V1development__ScopeProfiles o_scope;
typedef Opentelemetry__Proto__Profiles__V1development__Profile o_profile;
typedef Opentelemetry__Proto__Profiles__V1development__Sample o_sample;
typedef Opentelemetry__Proto__Profiles__V1development__Location o_location;
typedef Opentelemetry__Proto__Profiles__V1development__Line o_line;
typedef Opentelemetry__Proto__Profiles__V1development__Mapping o_mapping;
typedef Opentelemetry__Proto__Profiles__V1development__Function o_function;
typedef Opentelemetry__Proto__Profiles__V1development__Link o_link;
typedef Opentelemetry__Proto__Profiles__V1development__Stack o_stack;
typedef Opentelemetry__Proto__Profiles__V1development__KeyValueAndUnit o_attr;
typedef Opentelemetry__Proto__Profiles__V1development__ValueType o_vtype;
typedef Opentelemetry__Proto__Common__V1__AnyValue o_any;
typedef Opentelemetry__Proto__Common__V1__ArrayValue o_array;
typedef Opentelemetry__Proto__Common__V1__KeyValue o_kv;
typedef Opentelemetry__Proto__Common__V1__InstrumentationScope o_iscope;
typedef Opentelemetry__Proto__Resource__V1__Resource o_res;

/* The v1.10.0-v1.11.0 layout (otlp_profiles_v1_11.proto): the messages down
 * to Sample; the dictionary and its tables are the types above. */
typedef Kiln__OtlpV111__ExportProfilesServiceRequest o11_request;
typedef Kiln__OtlpV111__ResourceProfiles o11_resource;
typedef Kiln__OtlpV111__ScopeProfiles o11_scope;
typedef Kiln__OtlpV111__Profile o11_profile;
typedef Kiln__OtlpV111__Sample o11_sample;

/* A bump allocator: everything allocated is freed at once. */
typedef struct kiln_otlp_arena_chunk {
    struct kiln_otlp_arena_chunk *next;
    size_t size, used; /* bytes in data, bytes handed out */
    max_align_t data[];
} kiln_otlp_arena_chunk;

typedef struct kiln_otlp_arena {
    kiln_otlp_arena_chunk *head; /* chunk being filled; older ones follow */
} kiln_otlp_arena;

/* n bytes aligned for any type (at least one unit when n is 0), or NULL
 * when memory runs out. Chunks are 64 KiB, or n when larger. */
static inline void *otlp_arena_alloc(kiln_otlp_arena *a, size_t n)
{
    n = (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
    if (n == 0)
        n = sizeof(max_align_t);
    if (!a->head || a->head->size - a->head->used < n) {
        size_t size = n > ((size_t)1 << 16) ? n : ((size_t)1 << 16);
        kiln_otlp_arena_chunk *c = malloc(sizeof(*c) + size);
        if (!c)
            return NULL;
        c->next = a->head;
        c->size = size;
        c->used = 0;
        a->head = c;
    }
    void *p = (char *)a->head->data + a->head->used;
    a->head->used += n;
    return p;
}

/* Forget every allocation; keep the newest chunk for reuse. */
static inline void otlp_arena_reset(kiln_otlp_arena *a)
{
    if (!a->head)
        return;
    kiln_otlp_arena_chunk *c = a->head->next;
    while (c) {
        kiln_otlp_arena_chunk *next = c->next;
        free(c);
        c = next;
    }
    a->head->next = NULL;
    a->head->used = 0;
}

static inline void otlp_arena_free(kiln_otlp_arena *a)
{
    otlp_arena_reset(a);
    free(a->head);
    a->head = NULL;
}

/* Decode s[0..len), exactly 2*n hex digits of either case, into out[0..n);
 * false if it is anything else (out is then partly written). */
static inline bool otlp_unhex(const uint8_t *s, size_t len, uint8_t *out,
                                   size_t n)
{
    if (len != 2 * n)
        return false;
    for (size_t i = 0; i < n; i++) {
        int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return false;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return true;
}

#endif
