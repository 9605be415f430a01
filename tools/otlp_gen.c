/* otlp_gen.c: pprof -> OTLP profiles (ExportProfilesServiceRequest of
 * profiles v1development, in the layout of opentelemetry-proto v1.9.0 or of
 * v1.11.0). Lets `kiln gen` and the tests write the same data in every
 * format kiln reads, so all ingest paths are checked on the same data:
 * trace/span labels become link_table entries. It reads the pprof through
 * format/'s pprof_decode, so it accepts and refuses exactly what ingest
 * does, and its tables keep the pprof's order (entry k at index k + 1). */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "format_internal.h"
#include "otlp_gen.h"
#include "otlp_keys.h"
#include "otlp_profiles_service.pb-c.h"
#include "otlp_util.h"

#define ANY(x) OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_##x

typedef struct gen {
    const pprof_doc *d; /* the decoded pprof */
    kiln_otlp_arena ar; /* every message of the request; freed at once */
    /* Dictionary tables under construction (index 0 = zero value). */
    ProtobufCBinaryData *strs; size_t nstrs, capstrs;
    o_attr **attrs;   size_t nattrs, capattrs;
    o_stack **stacks; size_t nstacks, capstacks;
    o_link **links;   size_t nlinks, caplinks;
    /* Dedup indexes: open addressing, slot = index + 1, 0 = empty. */
    uint32_t *attr_slots; uint64_t *attr_keys; size_t attr_cap; /* 4 keys/slot */
    uint32_t *stack_slots; size_t stack_cap;
    uint32_t *link_slots; size_t link_cap;
} gen;

static void *galloc(gen *g, size_t n)
{
    return otlp_arena_alloc(&g->ar, n);
}

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 0;
    size_t c = *cap ? *cap : 64;
    while (c < need)
        c *= 2;
    void *q = realloc(*p, c * elem);
    if (!q)
        return nomem();
    *p = q;
    *cap = c;
    return 0;
}

/* pprof string idx (checked by pprof_decode), with its length. */
static const char *pstr(const gen *g, uint32_t idx, size_t *len)
{
    *len = g->d->sym.strings.len[idx];
    return strtab_get(&g->d->sym.strings, idx);
}

static bool str_is(const gen *g, uint32_t idx, const char *want)
{
    size_t len, n = strlen(want);
    const char *s = pstr(g, idx, &len);
    return idx != 0 && len == n && memcmp(s, want, n) == 0;
}

/* A NUL-terminated copy of pprof string idx. */
static char *cstr(gen *g, uint32_t idx)
{
    size_t len;
    const char *b = pstr(g, idx, &len);
    char *s = galloc(g, len + 1);
    if (!s)
        return NULL;
    memcpy(s, b, len + 1); /* strtab strings end with a NUL */
    return s;
}

/* A string kiln adds to the dictionary (attribute keys); few, so a scan. */
static int extra_str(gen *g, const char *s, int32_t *out)
{
    size_t n = strlen(s);
    for (size_t i = g->d->sym.strings.n; i < g->nstrs; i++)
        if (g->strs[i].len == n && memcmp(g->strs[i].data, s, n) == 0) {
            *out = (int32_t)i;
            return 0;
        }
    if (grow((void **)&g->strs, &g->capstrs, g->nstrs + 1, sizeof(*g->strs)) < 0)
        return KILN_ENOMEM;
    g->strs[g->nstrs] = (ProtobufCBinaryData){n, (uint8_t *)s};
    *out = (int32_t)g->nstrs++;
    return 0;
}

static uint64_t mix(uint64_t h, uint64_t v)
{
    h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    return h * 0xff51afd7ed558ccdULL;
}

/* The attribute (kind, key, a, b), interned. Kinds: 1 string value = pprof
 * string a; 2 int value a with unit string b; 3 boolean true; 4 string value
 * from C string (char *)(uintptr_t)a, not deduplicated. */
static int attr(gen *g, int kind, int32_t key, int64_t a, int64_t b,
                int32_t *out)
{
    uint64_t k[4] = {(uint64_t)kind, (uint64_t)(uint32_t)key, (uint64_t)a,
                     (uint64_t)b};
    size_t slot = 0;
    if (kind != 4) {
        if (g->nattrs * 2 >= g->attr_cap) {
            size_t cap = g->attr_cap ? 2 * g->attr_cap : 1024;
            uint32_t *s = calloc(cap, sizeof(*s));
            uint64_t *ks = calloc(cap * 4, sizeof(*ks));
            if (!s || !ks) {
                free(s);
                free(ks);
                return nomem();
            }
            for (size_t i = 0; i < g->attr_cap; i++) {
                if (!g->attr_slots[i])
                    continue;
                uint64_t *ok = &g->attr_keys[4 * i];
                size_t j = mix(mix(mix(mix(0, ok[0]), ok[1]), ok[2]), ok[3]) &
                           (cap - 1);
                while (s[j])
                    j = (j + 1) & (cap - 1);
                s[j] = g->attr_slots[i];
                memcpy(&ks[4 * j], ok, sizeof(k));
            }
            free(g->attr_slots);
            free(g->attr_keys);
            g->attr_slots = s;
            g->attr_keys = ks;
            g->attr_cap = cap;
        }
        slot = mix(mix(mix(mix(0, k[0]), k[1]), k[2]), k[3]) & (g->attr_cap - 1);
        while (g->attr_slots[slot]) {
            if (memcmp(&g->attr_keys[4 * slot], k, sizeof(k)) == 0) {
                *out = (int32_t)(g->attr_slots[slot] - 1);
                return 0;
            }
            slot = (slot + 1) & (g->attr_cap - 1);
        }
    }
    if (g->nattrs >= INT32_MAX)
        return kiln_error_set(KILN_ELIMIT, "pprof->otlp: too many attributes");
    if (grow((void **)&g->attrs, &g->capattrs, g->nattrs + 1,
             sizeof(*g->attrs)) < 0)
        return KILN_ENOMEM;
    o_attr *at = galloc(g, sizeof(*at));
    o_any *v = galloc(g, sizeof(*v));
    if (!at || !v)
        return nomem();
    opentelemetry__proto__profiles__v1development__key_value_and_unit__init(at);
    opentelemetry__proto__common__v1__any_value__init(v);
    at->key_strindex = key;
    at->value = v;
    switch (kind) {
    case 1:
        v->value_case = ANY(STRING_VALUE);
        if (!(v->string_value = cstr(g, a)))
            return nomem();
        break;
    case 2:
        v->value_case = ANY(INT_VALUE);
        v->int_value = a;
        at->unit_strindex = (int32_t)b;
        break;
    case 3:
        v->value_case = ANY(BOOL_VALUE);
        v->bool_value = 1;
        break;
    default:
        v->value_case = ANY(STRING_VALUE);
        v->string_value = (char *)(uintptr_t)a;
        break;
    }
    g->attrs[g->nattrs] = at;
    if (kind != 4) {
        g->attr_slots[slot] = (uint32_t)g->nattrs + 1;
        memcpy(&g->attr_keys[4 * slot], k, sizeof(k));
    }
    *out = (int32_t)g->nattrs++;
    return 0;
}

static uint64_t ints_hash(const int32_t *v, size_t n)
{
    uint64_t h = mix(0, n);
    for (size_t i = 0; i < n; i++)
        h = mix(h, (uint32_t)v[i]);
    return h;
}

/* The stack of location indexes v[0..n), interned (v is copied). */
static int stack(gen *g, const int32_t *v, size_t n, int32_t *out)
{
    if (g->nstacks * 2 >= g->stack_cap) {
        size_t cap = g->stack_cap ? 2 * g->stack_cap : 1024;
        uint32_t *s = calloc(cap, sizeof(*s));
        if (!s)
            return nomem();
        for (size_t i = 0; i < g->stack_cap; i++) {
            uint32_t id = g->stack_slots[i];
            if (!id)
                continue;
            const o_stack *st = g->stacks[id - 1];
            size_t j = ints_hash(st->location_indices, st->n_location_indices) &
                       (cap - 1);
            while (s[j])
                j = (j + 1) & (cap - 1);
            s[j] = id;
        }
        free(g->stack_slots);
        g->stack_slots = s;
        g->stack_cap = cap;
    }
    size_t slot = ints_hash(v, n) & (g->stack_cap - 1);
    while (g->stack_slots[slot]) {
        const o_stack *st = g->stacks[g->stack_slots[slot] - 1];
        if (st->n_location_indices == n &&
            (n == 0 || memcmp(st->location_indices, v, n * sizeof(*v)) == 0)) {
            *out = (int32_t)(g->stack_slots[slot] - 1);
            return 0;
        }
        slot = (slot + 1) & (g->stack_cap - 1);
    }
    if (grow((void **)&g->stacks, &g->capstacks, g->nstacks + 1,
             sizeof(*g->stacks)) < 0)
        return KILN_ENOMEM;
    o_stack *st = galloc(g, sizeof(*st));
    int32_t *copy = galloc(g, n * sizeof(*copy));
    if (!st || !copy)
        return nomem();
    opentelemetry__proto__profiles__v1development__stack__init(st);
    if (n)
        memcpy(copy, v, n * sizeof(*v));
    st->location_indices = copy;
    st->n_location_indices = n;
    g->stacks[g->nstacks] = st;
    g->stack_slots[slot] = (uint32_t)g->nstacks + 1;
    *out = (int32_t)g->nstacks++;
    return 0;
}

/* The link (trace, span; span may be absent), interned. */
static int link_of(gen *g, const uint8_t trace[16], const uint8_t *span,
                   int32_t *out)
{
    uint8_t key[25] = {0};
    memcpy(key, trace, 16);
    if (span) {
        memcpy(key + 16, span, 8);
        key[24] = 1;
    }
    if (g->nlinks * 2 >= g->link_cap) {
        size_t cap = g->link_cap ? 2 * g->link_cap : 1024;
        uint32_t *s = calloc(cap, sizeof(*s));
        if (!s)
            return nomem();
        for (size_t i = 0; i < g->link_cap; i++) {
            uint32_t id = g->link_slots[i];
            if (!id)
                continue;
            const o_link *l = g->links[id - 1];
            uint8_t k2[25] = {0};
            memcpy(k2, l->trace_id.data, 16);
            if (l->span_id.len) {
                memcpy(k2 + 16, l->span_id.data, 8);
                k2[24] = 1;
            }
            size_t j = hash64(k2, sizeof(k2), 0) & (cap - 1);
            while (s[j])
                j = (j + 1) & (cap - 1);
            s[j] = id;
        }
        free(g->link_slots);
        g->link_slots = s;
        g->link_cap = cap;
    }
    size_t slot = hash64(key, sizeof(key), 0) & (g->link_cap - 1);
    while (g->link_slots[slot]) {
        const o_link *l = g->links[g->link_slots[slot] - 1];
        if (memcmp(l->trace_id.data, trace, 16) == 0 &&
            (span ? l->span_id.len == 8 && memcmp(l->span_id.data, span, 8) == 0
                  : l->span_id.len == 0)) {
            *out = (int32_t)(g->link_slots[slot] - 1);
            return 0;
        }
        slot = (slot + 1) & (g->link_cap - 1);
    }
    if (grow((void **)&g->links, &g->caplinks, g->nlinks + 1,
             sizeof(*g->links)) < 0)
        return KILN_ENOMEM;
    o_link *l = galloc(g, sizeof(*l));
    uint8_t *bytes = galloc(g, 24);
    if (!l || !bytes)
        return nomem();
    opentelemetry__proto__profiles__v1development__link__init(l);
    memcpy(bytes, trace, 16);
    l->trace_id = (ProtobufCBinaryData){16, bytes};
    if (span) {
        memcpy(bytes + 16, span, 8);
        l->span_id = (ProtobufCBinaryData){8, bytes + 16};
    }
    g->links[g->nlinks] = l;
    g->link_slots[slot] = (uint32_t)g->nlinks + 1;
    *out = (int32_t)g->nlinks++;
    return 0;
}

/* A trace or span label the writer turns into a link and drops: a string of
 * exactly 2*n lowercase hex digits, not all zero, nothing numeric. */
static bool link_label(const gen *g, const kiln_label_ent *l, uint8_t *out,
                       size_t n)
{
    size_t len;
    if (l->str == 0 || l->num != 0 || l->num_unit != 0)
        return false;
    const char *s = pstr(g, l->str, &len);
    for (size_t i = 0; i < len; i++)
        if (s[i] >= 'A' && s[i] <= 'F')
            return false;
    if (!otlp_unhex((const uint8_t *)s, len, out, n))
        return false;
    uint8_t any = 0;
    for (size_t i = 0; i < n; i++)
        any |= out[i];
    return any != 0;
}

/* Mappings, functions and locations: index k + 1 holds the pprof entry k. */
static int symbols(gen *g, o_dict *d)
{
    const kiln_symtab *ps = &g->d->sym;
    int rc;

    o_mapping **mt = galloc(g, (ps->nmappings + 1) * sizeof(*mt));
    o_function **ft = galloc(g, (ps->nfunctions + 1) * sizeof(*ft));
    o_location **lt = galloc(g, (ps->nlocations + 1) * sizeof(*lt));
    o_mapping *ms = galloc(g, (ps->nmappings + 1) * sizeof(*ms));
    o_function *fs = galloc(g, (ps->nfunctions + 1) * sizeof(*fs));
    o_location *ls = galloc(g, (ps->nlocations + 1) * sizeof(*ls));
    if (!mt || !ft || !lt || !ms || !fs || !ls)
        return nomem();
    opentelemetry__proto__profiles__v1development__mapping__init(&ms[0]);
    opentelemetry__proto__profiles__v1development__function__init(&fs[0]);
    opentelemetry__proto__profiles__v1development__location__init(&ls[0]);
    mt[0] = &ms[0];
    ft[0] = &fs[0];
    lt[0] = &ls[0];

    for (size_t i = 0; i < ps->nmappings; i++) {
        const kiln_mapping *pm = &ps->mappings[i];
        o_mapping *om = &ms[i + 1];
        opentelemetry__proto__profiles__v1development__mapping__init(om);
        om->memory_start = pm->memory_start;
        om->memory_limit = pm->memory_limit;
        om->file_offset = pm->file_offset;
        om->filename_strindex = (int32_t)pm->filename;
        int32_t *ai = galloc(g, 5 * sizeof(*ai));
        if (!ai)
            return nomem();
        size_t na = 0;
        int32_t key;
        const bool flag[4] = {pm->flags & KILN_MAP_HAS_FUNCTIONS,
                              pm->flags & KILN_MAP_HAS_FILENAMES,
                              pm->flags & KILN_MAP_HAS_LINE_NUMBERS,
                              pm->flags & KILN_MAP_HAS_INLINE_FRAMES};
        static const char *const flag_key[4] = {
            KILN_OTLP_HAS_FUNCTIONS, KILN_OTLP_HAS_FILENAMES,
            KILN_OTLP_HAS_LINE_NUMBERS, KILN_OTLP_HAS_INLINE_FRAMES};
        for (int f = 0; f < 4; f++) {
            if (!flag[f])
                continue;
            if ((rc = extra_str(g, flag_key[f], &key)) < 0 ||
                (rc = attr(g, 3, key, 0, 0, &ai[na])) < 0)
                return rc;
            na++;
        }
        if (pm->build_id) {
            size_t len;
            const char *b = pstr(g, pm->build_id, &len);
            uint8_t tmp[64];
            bool is_hex = len % 2 == 0 && len / 2 <= sizeof(tmp) &&
                          otlp_unhex((const uint8_t *)b, len, tmp, len / 2);
            if ((rc = extra_str(g, is_hex ? KILN_OTLP_BUILD_ID_GNU
                                          : KILN_OTLP_BUILD_ID_GO, &key)) < 0 ||
                (rc = attr(g, 1, key, pm->build_id, 0, &ai[na])) < 0)
                return rc;
            na++;
        }
        om->attribute_indices = ai;
        om->n_attribute_indices = na;
        mt[i + 1] = om;
    }
    for (size_t i = 0; i < ps->nfunctions; i++) {
        const kiln_function *pf = &ps->functions[i];
        o_function *of = &fs[i + 1];
        opentelemetry__proto__profiles__v1development__function__init(of);
        of->name_strindex = (int32_t)pf->name;
        of->system_name_strindex = (int32_t)pf->system_name;
        of->filename_strindex = (int32_t)pf->filename;
        of->start_line = pf->start_line;
        ft[i + 1] = of;
    }
    for (size_t i = 0; i < ps->nlocations; i++) {
        const kiln_location *pl = &ps->locations[i];
        o_location *ol = &ls[i + 1];
        opentelemetry__proto__profiles__v1development__location__init(ol);
        ol->mapping_index = (int32_t)pl->mapping; /* index + 1, 0 = none */
        ol->address = pl->address;
        if (pl->nlines) {
            o_line *lines = galloc(g, pl->nlines * sizeof(*lines));
            o_line **lp = galloc(g, pl->nlines * sizeof(*lp));
            if (!lines || !lp)
                return nomem();
            for (size_t k = 0; k < pl->nlines; k++) {
                const kiln_line *kl = &ps->lines[pl->line_off + k];
                opentelemetry__proto__profiles__v1development__line__init(&lines[k]);
                lines[k].function_index = kl->function == KILN_NOFUNC
                                              ? 0 : (int32_t)kl->function + 1;
                lines[k].line = kl->line;
                lines[k].column = kl->column;
                lp[k] = &lines[k];
            }
            ol->lines = lp;
            ol->n_lines = pl->nlines;
        }
        if (pl->is_folded) {
            int32_t key, *ai = galloc(g, sizeof(*ai));
            if (!ai)
                return nomem();
            if ((rc = extra_str(g, KILN_OTLP_IS_FOLDED, &key)) < 0 ||
                (rc = attr(g, 3, key, 0, 0, ai)) < 0)
                return rc;
            ol->attribute_indices = ai;
            ol->n_attribute_indices = 1;
        }
        lt[i + 1] = ol;
    }
    d->mapping_table = mt;
    d->n_mapping_table = ps->nmappings + 1;
    d->function_table = ft;
    d->n_function_table = ps->nfunctions + 1;
    d->location_table = lt;
    d->n_location_table = ps->nlocations + 1;
    return 0;
}

/* Per pprof sample: its stack, attributes and link, shared by the OTLP
 * samples of every sample type. */
typedef struct shape {
    int32_t stack;   /* stack_table index */
    int32_t link;    /* link_table index, 0 = none */
    int32_t *attrs;  /* attribute_table indexes */
    size_t nattrs;
} shape;

static int sample_shape(gen *g, size_t i, int32_t *locbuf, shape *sh)
{
    const pprof_sample *s = &g->d->samples[i];
    const kiln_label_ent *lab = g->d->labels + s->lab_off;
    int rc;
    for (size_t k = 0; k < s->nlocs; k++)
        locbuf[k] = (int32_t)s->locs[k] + 1;
    if ((rc = stack(g, locbuf, s->nlocs, &sh->stack)) < 0)
        return rc;

    /* A link only where the writer's pprof path would absorb the labels
     * into one (writer.h): exactly one trace_id label and at most one
     * span_id label, lowercase hex, not all zero. Anything else stays as
     * attributes, so both paths see the same labels. */
    ssize_t ti = -1, si = -1;
    int ntrace = 0, nspan = 0;
    for (size_t k = 0; k < s->nlabels; k++) {
        const kiln_label_ent *l = &lab[k];
        if (str_is(g, l->key, "trace_id")) {
            ntrace++;
            ti = (ssize_t)k;
        } else if (str_is(g, l->key, "span_id")) {
            nspan++;
            si = (ssize_t)k;
        }
    }
    uint8_t trace[16], span[8];
    bool linked = ntrace == 1 && nspan <= 1 &&
                  link_label(g, &lab[ti], trace, 16) &&
                  (nspan == 0 || link_label(g, &lab[si], span, 8));
    sh->link = 0;
    if (linked &&
        (rc = link_of(g, trace, nspan ? span : NULL, &sh->link)) < 0)
        return rc;

    sh->attrs = galloc(g, (s->nlabels ? s->nlabels : 1) * sizeof(*sh->attrs));
    if (!sh->attrs)
        return nomem();
    sh->nattrs = 0;
    for (size_t k = 0; k < s->nlabels; k++) {
        const kiln_label_ent *l = &lab[k];
        if (linked && ((ssize_t)k == ti || (ssize_t)k == si))
            continue;
        if (l->str)
            rc = attr(g, 1, (int32_t)l->key, l->str, 0, &sh->attrs[sh->nattrs]);
        else
            rc = attr(g, 2, (int32_t)l->key, l->num, l->num_unit,
                      &sh->attrs[sh->nattrs]);
        if (rc < 0)
            return rc;
        sh->nattrs++;
    }
    return 0;
}

/* pprof's profile-level fields without an OTLP field, as attributes. */
static int profile_attrs(gen *g, int32_t **out, size_t *nout)
{
    const kiln_kind *kd = &g->d->kind;
    int rc;
    int32_t *ai = galloc(g, 5 * sizeof(*ai)), key;
    if (!ai)
        return nomem();
    size_t n = 0;
    const uint32_t idx[4] = {kd->default_type, kd->drop_frames,
                             kd->keep_frames, kd->doc_url};
    static const char *const keys[4] = {KILN_OTLP_DEFAULT_TYPE,
                                        KILN_OTLP_DROP_FRAMES,
                                        KILN_OTLP_KEEP_FRAMES, KILN_OTLP_DOC_URL};
    for (int k = 0; k < 4; k++) {
        if (idx[k] == 0)
            continue;
        if ((rc = extra_str(g, keys[k], &key)) < 0 ||
            (rc = attr(g, 1, key, idx[k], 0, &ai[n])) < 0)
            return rc;
        n++;
    }
    if (kd->ncomments) {
        o_array *arr = galloc(g, sizeof(*arr));
        o_any **vals = galloc(g, kd->ncomments * sizeof(*vals));
        o_any *vs = galloc(g, kd->ncomments * sizeof(*vs));
        if (!arr || !vals || !vs)
            return nomem();
        opentelemetry__proto__common__v1__array_value__init(arr);
        for (size_t k = 0; k < kd->ncomments; k++) {
            opentelemetry__proto__common__v1__any_value__init(&vs[k]);
            vs[k].value_case = ANY(STRING_VALUE);
            if (!(vs[k].string_value = cstr(g, kd->comments[k])))
                return nomem();
            vals[k] = &vs[k];
        }
        arr->values = vals;
        arr->n_values = kd->ncomments;
        if ((rc = extra_str(g, KILN_OTLP_COMMENT, &key)) < 0 ||
            (rc = attr(g, 4, key, (int64_t)(uintptr_t)"", 0, &ai[n])) < 0)
            return rc;
        o_any *v = g->attrs[ai[n]]->value;
        v->value_case = ANY(ARRAY_VALUE);
        v->array_value = arr;
        n++;
    }
    *out = ai;
    *nout = n;
    return 0;
}

/* The v1.9 request req written in the v1.11 layout: the same dictionary
 * and resources, the messages from ResourceProfiles down to Sample made
 * again from the v1.11 types (otlp_profiles_v1_11.proto). */
static int pack_v1_11(gen *g, const o_request *req, kiln_buf *out)
{
    o11_request *r = galloc(g, sizeof(*r));
    o11_resource **rps = galloc(g, (req->n_resource_profiles + 1) * sizeof(*rps));
    if (!r || !rps)
        return nomem();
    kiln__otlp_v1_11__export_profiles_service_request__init(r);
    r->dictionary = req->dictionary;
    r->resource_profiles = rps;
    r->n_resource_profiles = req->n_resource_profiles;
    for (size_t i = 0; i < req->n_resource_profiles; i++) {
        const o_resource *a = req->resource_profiles[i];
        o11_resource *b = rps[i] = galloc(g, sizeof(*b));
        o11_scope **scs = galloc(g, (a->n_scope_profiles + 1) * sizeof(*scs));
        if (!b || !scs)
            return nomem();
        kiln__otlp_v1_11__resource_profiles__init(b);
        b->resource = a->resource;
        b->schema_url = a->schema_url;
        b->scope_profiles = scs;
        b->n_scope_profiles = a->n_scope_profiles;
        for (size_t j = 0; j < a->n_scope_profiles; j++) {
            const o_scope *sa = a->scope_profiles[j];
            o11_scope *sb = scs[j] = galloc(g, sizeof(*sb));
            o11_profile **ps = galloc(g, (sa->n_profiles + 1) * sizeof(*ps));
            if (!sb || !ps)
                return nomem();
            kiln__otlp_v1_11__scope_profiles__init(sb);
            sb->scope = sa->scope;
            sb->schema_url = sa->schema_url;
            sb->profiles = ps;
            sb->n_profiles = sa->n_profiles;
            for (size_t k = 0; k < sa->n_profiles; k++) {
                const o_profile *pa = sa->profiles[k];
                o11_profile *pb = ps[k] = galloc(g, sizeof(*pb));
                o11_sample *ss = galloc(g, (pa->n_samples + 1) * sizeof(*ss));
                o11_sample **sp = galloc(g, (pa->n_samples + 1) * sizeof(*sp));
                if (!pb || !ss || !sp)
                    return nomem();
                kiln__otlp_v1_11__profile__init(pb);
                pb->sample_type = pa->sample_type;
                pb->time_unix_nano = pa->time_unix_nano;
                pb->duration_nano = pa->duration_nano;
                pb->period_type = pa->period_type;
                pb->period = pa->period;
                pb->profile_id = pa->profile_id;
                pb->dropped_attributes_count = pa->dropped_attributes_count;
                pb->original_payload_format = pa->original_payload_format;
                pb->original_payload = pa->original_payload;
                pb->attribute_indices = pa->attribute_indices;
                pb->n_attribute_indices = pa->n_attribute_indices;
                pb->samples = sp;
                pb->n_samples = pa->n_samples;
                for (size_t m = 0; m < pa->n_samples; m++) {
                    const o_sample *x = pa->samples[m];
                    o11_sample *y = sp[m] = &ss[m];
                    kiln__otlp_v1_11__sample__init(y);
                    y->stack_index = x->stack_index;
                    y->attribute_indices = x->attribute_indices;
                    y->n_attribute_indices = x->n_attribute_indices;
                    y->link_index = x->link_index;
                    y->values = x->values;
                    y->n_values = x->n_values;
                    y->timestamps_unix_nano = x->timestamps_unix_nano;
                    y->n_timestamps_unix_nano = x->n_timestamps_unix_nano;
                }
            }
        }
    }
    size_t size = kiln__otlp_v1_11__export_profiles_service_request__get_packed_size(r);
    kiln_buf_reset(out);
    if (kiln_buf_reserve(out, size) < 0)
        return nomem();
    out->len = kiln__otlp_v1_11__export_profiles_service_request__pack(r, out->data);
    return 0;
}

int otlp_pack(const void *request, kiln_otlp_layout layout,
                   kiln_buf *out)
{
    const o_request *req = request;
    if (layout == KILN_OTLP_V1_11) {
        gen g;
        memset(&g, 0, sizeof(g));
        int rc = pack_v1_11(&g, req, out);
        otlp_arena_free(&g.ar);
        return rc;
    }
    size_t size =
        opentelemetry__proto__collector__profiles__v1development__export_profiles_service_request__get_packed_size(req);
    kiln_buf_reset(out);
    if (kiln_buf_reserve(out, size) < 0)
        return nomem();
    out->len =
        opentelemetry__proto__collector__profiles__v1development__export_profiles_service_request__pack(
            req, out->data);
    return 0;
}

int pprof_to_otlp(const void *pprof, size_t n,
                       const kiln_label *resource_attrs, size_t nattrs,
                       kiln_buf *out)
{
    return pprof_to_otlp_layout(pprof, n, resource_attrs, nattrs,
                                     KILN_OTLP_V1_9, out);
}

int pprof_to_otlp_layout(const void *pprof, size_t n,
                              const kiln_label *resource_attrs, size_t nattrs,
                              kiln_otlp_layout layout, kiln_buf *out)
{
    int rc = 0;
    kiln_buf inflated = KILN_BUF_INIT;
    pprof_doc doc;
    gen g;
    memset(&doc, 0, sizeof(doc));
    memset(&g, 0, sizeof(g));
    int32_t *locbuf = NULL;
    shape *shapes = NULL;

    const uint8_t *p = pprof;
    if (is_gzip(p, n)) {
        if ((rc = gzip_inflate(p, n, KILN_MAX_INFLATE, &inflated)) < 0) {
            rc = kiln_error_wrap(rc, "pprof->otlp: ");
            goto out;
        }
        p = inflated.data;
        n = inflated.len;
    }
    if (n == 0) {
        rc = kiln_error_set(KILN_EINPUT, "pprof->otlp: %zu bytes are not a "
                            "pprof profile", n);
        goto out;
    }
    if ((rc = pprof_decode(&doc, p, n)) < 0) {
        rc = kiln_error_wrap(rc, "pprof->otlp: ");
        goto out;
    }
    g.d = &doc;
    const kiln_symtab *ps = &doc.sym;
    if (ps->strings.n >= INT32_MAX || ps->nlocations >= INT32_MAX ||
        ps->nfunctions >= INT32_MAX || ps->nmappings >= INT32_MAX) {
        rc = kiln_error_set(KILN_ELIMIT, "pprof->otlp: profile too large for "
                            "OTLP's int32 indexes");
        goto out;
    }
    if ((rc = grow((void **)&g.strs, &g.capstrs, ps->strings.n + 16,
                   sizeof(*g.strs))) < 0)
        goto out;
    for (size_t i = 0; i < ps->strings.n; i++)
        g.strs[i] = (ProtobufCBinaryData){
            ps->strings.len[i],
            (uint8_t *)strtab_get(&ps->strings, (uint32_t)i)};
    g.nstrs = ps->strings.n;

    o_dict *d = galloc(&g, sizeof(*d));
    o_attr *attr0 = galloc(&g, sizeof(*attr0));
    o_link *link0 = galloc(&g, sizeof(*link0));
    if (!d || !attr0 || !link0) {
        rc = nomem();
        goto out;
    }
    opentelemetry__proto__profiles__v1development__profiles_dictionary__init(d);
    opentelemetry__proto__profiles__v1development__key_value_and_unit__init(attr0);
    opentelemetry__proto__profiles__v1development__link__init(link0);
    if ((rc = grow((void **)&g.attrs, &g.capattrs, 1, sizeof(*g.attrs))) < 0 ||
        (rc = grow((void **)&g.links, &g.caplinks, 1, sizeof(*g.links))) < 0)
        goto out;
    g.attrs[g.nattrs++] = attr0;
    g.links[g.nlinks++] = link0;
    {
        int32_t empty; /* the empty stack is stack_table[0] */
        if ((rc = stack(&g, NULL, 0, &empty)) < 0)
            goto out;
    }

    if ((rc = symbols(&g, d)) < 0)
        goto out;

    size_t maxloc = 1, nsample = doc.nsamples;
    for (size_t i = 0; i < nsample; i++)
        if (doc.samples[i].nlocs > maxloc)
            maxloc = doc.samples[i].nlocs;
    locbuf = malloc(maxloc * sizeof(*locbuf));
    shapes = malloc((nsample ? nsample : 1) * sizeof(*shapes));
    if (!locbuf || !shapes) {
        rc = nomem();
        goto out;
    }
    size_t ntypes = doc.kind.ntypes;
    for (size_t i = 0; i < nsample; i++) {
        if ((rc = sample_shape(&g, i, locbuf, &shapes[i])) < 0)
            goto out;
    }
    int32_t *pattrs = NULL;
    size_t npattrs = 0;
    if ((rc = profile_attrs(&g, &pattrs, &npattrs)) < 0)
        goto out;
    if (doc.time < 0 || doc.duration < 0) {
        rc = kiln_error_set(KILN_EINPUT, "pprof->otlp: negative time or "
                            "duration");
        goto out;
    }

    /* One Profile per sample type, samples in the same order in each. */
    uint8_t *pid = galloc(&g, 16);
    o_profile **profs = galloc(&g, (ntypes ? ntypes : 1) * sizeof(*profs));
    o_vtype *vts = galloc(&g, (ntypes + 1) * sizeof(*vts));
    if (!pid || !profs || !vts) {
        rc = nomem();
        goto out;
    }
    set_u64le(pid, hash64(p, n, 1));
    set_u64le(pid + 8, hash64(p, n, 2));
    o_vtype *period_type = NULL;
    if (doc.has_period_type) {
        period_type = &vts[ntypes];
        opentelemetry__proto__profiles__v1development__value_type__init(period_type);
        period_type->type_strindex = (int32_t)doc.kind.period_type[0];
        period_type->unit_strindex = (int32_t)doc.kind.period_type[1];
    }
    for (size_t t = 0; t < ntypes; t++) {
        opentelemetry__proto__profiles__v1development__value_type__init(&vts[t]);
        vts[t].type_strindex = (int32_t)doc.kind.types[2 * t];
        vts[t].unit_strindex = (int32_t)doc.kind.types[2 * t + 1];
        o_profile *op = galloc(&g, sizeof(*op));
        o_sample *ss = galloc(&g, (nsample ? nsample : 1) * sizeof(*ss));
        o_sample **sp = galloc(&g, (nsample ? nsample : 1) * sizeof(*sp));
        if (!op || !ss || !sp) {
            rc = nomem();
            goto out;
        }
        opentelemetry__proto__profiles__v1development__profile__init(op);
        op->sample_type = &vts[t];
        op->time_unix_nano = (uint64_t)doc.time;
        op->duration_nano = (uint64_t)doc.duration;
        op->period_type = period_type;
        op->period = doc.kind.period;
        op->profile_id = (ProtobufCBinaryData){16, pid};
        op->attribute_indices = pattrs;
        op->n_attribute_indices = npattrs;
        for (size_t i = 0; i < nsample; i++) {
            o_sample *s = &ss[i];
            opentelemetry__proto__profiles__v1development__sample__init(s);
            s->stack_index = shapes[i].stack;
            s->link_index = shapes[i].link;
            s->attribute_indices = shapes[i].attrs;
            s->n_attribute_indices = shapes[i].nattrs;
            s->values = (int64_t *)&doc.samples[i].values[t];
            s->n_values = 1;
            sp[i] = s;
        }
        op->samples = sp;
        op->n_samples = nsample;
        profs[t] = op;
    }

    d->string_table = g.strs;
    d->n_string_table = g.nstrs;
    d->attribute_table = g.attrs;
    d->n_attribute_table = g.nattrs;
    d->stack_table = g.stacks;
    d->n_stack_table = g.nstacks;
    d->link_table = g.links;
    d->n_link_table = g.nlinks;

    o_kv *kvs = galloc(&g, (nattrs ? nattrs : 1) * sizeof(*kvs));
    o_kv **kvp = galloc(&g, (nattrs ? nattrs : 1) * sizeof(*kvp));
    o_any *kva = galloc(&g, (nattrs ? nattrs : 1) * sizeof(*kva));
    o_res *res = galloc(&g, sizeof(*res));
    o_iscope *isc = galloc(&g, sizeof(*isc));
    o_scope *sc = galloc(&g, sizeof(*sc));
    o_resource *rp = galloc(&g, sizeof(*rp));
    o_request *req = galloc(&g, sizeof(*req));
    if (!kvs || !kvp || !kva || !res || !isc || !sc || !rp || !req) {
        rc = nomem();
        goto out;
    }
    for (size_t i = 0; i < nattrs; i++) {
        opentelemetry__proto__common__v1__key_value__init(&kvs[i]);
        opentelemetry__proto__common__v1__any_value__init(&kva[i]);
        kvs[i].key = (char *)resource_attrs[i].name;
        kva[i].value_case = ANY(STRING_VALUE);
        kva[i].string_value = (char *)resource_attrs[i].value;
        kvs[i].value = &kva[i];
        kvp[i] = &kvs[i];
    }
    opentelemetry__proto__resource__v1__resource__init(res);
    res->attributes = kvp;
    res->n_attributes = nattrs;
    opentelemetry__proto__common__v1__instrumentation_scope__init(isc);
    isc->name = (char *)"kiln";
    isc->version = (char *)KILN_VERSION_STRING;
    opentelemetry__proto__profiles__v1development__scope_profiles__init(sc);
    sc->scope = isc;
    sc->profiles = profs;
    sc->n_profiles = ntypes;
    opentelemetry__proto__profiles__v1development__resource_profiles__init(rp);
    rp->resource = res;
    rp->scope_profiles = &sc;
    rp->n_scope_profiles = 1;
    opentelemetry__proto__collector__profiles__v1development__export_profiles_service_request__init(req);
    req->resource_profiles = &rp;
    req->n_resource_profiles = 1;
    req->dictionary = d;

    rc = otlp_pack(req, layout, out);

out:
    free(locbuf);
    free(shapes);
    free(g.strs);
    free(g.attrs);
    free(g.stacks);
    free(g.links);
    free(g.attr_slots);
    free(g.attr_keys);
    free(g.stack_slots);
    free(g.link_slots);
    otlp_arena_free(&g.ar);
    pprof_doc_free(&doc);
    kiln_buf_free(&inflated);
    return rc;
}

/* Field `num` (length-delimited) of the message at c, into sub; false when
 * absent or malformed. */
static bool first_message(kiln_cur *c, uint32_t num, kiln_cur *sub)
{
    kiln_pbfield f;
    while (pb_next(c, &f) == 0)
        if (f.num == num && f.wt == KILN_PB_LEN) {
            cur_init(sub, f.p, f.len, "otlp");
            return true;
        }
    return false;
}

int64_t otlp_time(const void *data, size_t n)
{
    /* request.resource_profiles(1) -> scope_profiles(2) -> profiles(2) ->
     * time_unix_nano(3, fixed64): the same numbers in every layout kiln
     * reads, so the bytes are walked, not decoded. The first resource and
     * scope holding a profile give it. */
    kiln_cur req, res, scope, prof;
    kiln_pbfield f;
    cur_init(&req, data, n, "otlp");
    while (first_message(&req, 1, &res)) {
        while (first_message(&res, 2, &scope)) {
            if (!first_message(&scope, 2, &prof))
                continue;
            while (pb_next(&prof, &f) == 0)
                if (f.num == 3 && f.wt == KILN_PB_I64)
                    return f.v <= INT64_MAX ? (int64_t)f.v : 0;
            return 0;
        }
    }
    return 0;
}
