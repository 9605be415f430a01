/* otlp.c: OTLP profiles ingest, both layouts in use (v1.8-v1.9, v1.10-v1.11;
 * otlp_layout.c tells them apart). Each Profile becomes the equivalent pprof
 * (a pprof_doc, packed by format/pprof_encode.c) for kiln_writer_add_pprof,
 * so one set of checks serves every format. */
/*
 * How an OTLP Profile becomes pprof (tools/otlp_gen.c does the reverse):
 *
 *   sample_type, period_type, period   -> the same (profiles of one scope
 *     with the same time, duration, period, attributes and, sample by
 *     sample, stack, link, attributes and timestamps, but different sample
 *     types, are joined into one pprof with several sample types)
 *   time_unix_nano, duration_nano      -> time_nanos, duration_nanos of the
 *     pprof of the samples without timestamps
 *   Sample.timestamps_unix_nano        -> one pprof per distinct timestamp
 *     (time_nanos = it, duration 0) holding a row per sample and timestamp
 *   Sample.stack_index -> stack_table  -> location ids, leaf first
 *   Sample.values                      -> the value (one without
 *     timestamps; with them, the one of that timestamp, or 1 when absent)
 *   Sample.attribute_indices           -> labels (string, or number + unit;
 *     bool, double and bytes become strings; arrays and maps are refused)
 *   Sample.link_index -> link_table    -> labels trace_key=<32 hex> and
 *     span_key=<16 hex> (lowercase), which the pprof path makes the link
 *   Location, Line, Function, Mapping  -> the same fields; only entries the
 *     samples reach, renumbered from 1 in order of first use
 *   Mapping attribute process.executable.build_id.* -> build_id
 *   pprof.* attributes (format/otlp/otlp_keys.h) -> pprof fields OTLP lacks
 *   Resource service.name, host.name   -> series labels service_name, host
 *   string_value_strindex, key_strindex (v1.10.0 on) -> the dictionary
 *     string they name */
#include <assert.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "writer_internal.h"

#include "otlp_keys.h"
#include "otlp_profiles_service.pb-c.h"
#include "otlp_util.h"

#define UNMAPPED UINT32_MAX

/* One string of the pprof being built: borrowed from the request or made
 * here (then stored in conv.pool, whose address may move until packing). */
typedef struct pstr {
    const uint8_t *p; /* borrowed bytes, or NULL when pooled */
    size_t off;       /* offset in conv.pool when pooled */
    size_t len;
} pstr;

/* Conversion state for one request; the per-profile parts are reset after
 * each pprof is packed. */
typedef struct conv {
    const o_dict *d;
    size_t nstr, nmap, nloc, nfun, nlink, nattr, nstack; /* table sizes */
    const char *trace_key, *span_key; /* the writer's link label keys */
    size_t pidx;                      /* request-wide profile number */

    /* dictionary index -> pprof string index / mapping, location, function
     * id; UNMAPPED until first use. */
    uint32_t *smap, *mmap, *lmap, *fmap;
    /* pprof side, in id order: dictionary index of each entry. */
    uint32_t *sused, *mused, *lused, *fused;
    size_t nsused, nmused, nlused, nfused;

    pstr *strs;       /* pprof string table */
    size_t nstrs, capstrs;
    kiln_buf pool;    /* bytes of strings made here */
    pprof_doc doc;    /* the pprof being built: its mapping, function and
                       * location tables have room for nmap, nfun, nloc */
    kiln_otlp_arena ar; /* per-profile scratch; reset per profile */
} conv;

/* A request of either layout seen through one shape: the generated types
 * of the two layouts differ from Sample up to the request, so their fields
 * are copied into these views once and everything below reads only them. */
typedef struct sview {
    int32_t stack_index;   /* into stack_table */
    int32_t link_index;    /* into link_table; 0 = none */
    const int64_t *values; /* [n_values] */
    const int32_t *attrs;  /* [n_attrs], into attribute_table */
    const uint64_t *ts;    /* [n_ts], ns since epoch */
    size_t n_values, n_attrs, n_ts;
} sview;

typedef struct pview {
    const o_vtype *sample_type, *period_type; /* NULL when absent */
    int64_t period;
    uint64_t time_unix_nano, duration_nano;
    ProtobufCBinaryData profile_id;
    const int32_t *attrs;  /* [n_attrs], into attribute_table */
    size_t n_attrs;
    const sview *samples;  /* [n_samples] */
    size_t n_samples;
    size_t res;            /* its resource (index into rview.res) */
    size_t scope;          /* request-wide scope number */
} pview;

typedef struct rview {
    const o_dict *dict;    /* NULL when the request has none */
    const o_res **res;     /* [nres], entries NULL when absent */
    size_t nres;
    pview *prof;           /* [nprof], in request order */
    size_t nprof;
    sview *samp;           /* every sample, in request order */
} rview;

/* One row to be: sample `samp` of a profile group at time t, its k-th
 * timestamp, or the sample as a whole at the profile's time (k == NO_TS). */
#define NO_TS SIZE_MAX
typedef struct entry {
    int64_t t;   /* ns since epoch */
    size_t samp; /* sample index in the profile */
    size_t k;    /* timestamp index, or NO_TS */
} entry;

static int bad(const conv *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int bad(const conv *c, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return kiln_error_set(KILN_EINPUT, "otlp: profile %zu: %s", c->pidx, msg);
}

/* On error *out is 0 (the empty string), so callers never read garbage. */
static int str_push(conv *c, const uint8_t *p, size_t off, size_t len,
                    uint32_t *out)
{
    *out = 0;
    if (c->nstrs == c->capstrs) {
        size_t cap = c->capstrs ? 2 * c->capstrs : 256;
        pstr *s = realloc(c->strs, cap * sizeof(*s));
        if (!s)
            return nomem();
        c->strs = s;
        c->capstrs = cap;
    }
    if (c->nstrs >= INT64_MAX / 2)
        return kiln_error_set(KILN_ELIMIT, "otlp: too many strings");
    c->strs[c->nstrs] = (pstr){p, off, len};
    *out = (uint32_t)c->nstrs++;
    return 0;
}

/* A string that lives as long as the request (or is static). */
static int str_borrow(conv *c, const char *s, uint32_t *out)
{
    if (!s || !*s) {
        *out = 0;
        return 0;
    }
    return str_push(c, (const uint8_t *)s, 0, strlen(s), out);
}

static int str_make(conv *c, const void *p, size_t n, uint32_t *out)
{
    size_t off = c->pool.len;
    if (kiln_buf_append(&c->pool, p, n) < 0)
        return nomem();
    return str_push(c, NULL, off, n, out);
}

/* Dictionary string `idx` as a pprof string index. */
static int str_dict(conv *c, int32_t idx, const char *what, uint32_t *out)
{
    if (idx == 0) {
        *out = 0;
        return 0;
    }
    if (idx < 0 || (size_t)idx >= c->nstr)
        return bad(c, "%s: string index %" PRId32 " out of range "
                   "(string_table has %zu)", what, idx, c->nstr);
    if (c->smap[idx] == UNMAPPED) {
        const ProtobufCBinaryData *b = &c->d->string_table[idx];
        uint32_t id;
        int rc = str_push(c, b->data, 0, b->len, &id);
        if (rc < 0)
            return rc;
        c->smap[idx] = id;
        c->sused[c->nsused++] = (uint32_t)idx;
    }
    *out = c->smap[idx];
    return 0;
}

static bool key_is(const conv *c, int32_t key, const char *want)
{
    if (key <= 0 || (size_t)key >= c->nstr)
        return false;
    const ProtobufCBinaryData *b = &c->d->string_table[key];
    size_t n = strlen(want);
    return b->len == n && memcmp(b->data, want, n) == 0;
}

static bool key_has_prefix(const conv *c, int32_t key, const char *prefix)
{
    if (key <= 0 || (size_t)key >= c->nstr)
        return false;
    const ProtobufCBinaryData *b = &c->d->string_table[key];
    size_t n = strlen(prefix);
    return b->len > n && memcmp(b->data, prefix, n) == 0;
}

/* Attribute `idx` of the dictionary, range-checked; *out is NULL on error. */
static int attr_get(conv *c, int32_t idx, const char *what, const o_attr **out)
{
    *out = NULL;
    if (idx < 0 || (size_t)idx >= c->nattr)
        return bad(c, "%s: attribute index %" PRId32 " out of range "
                   "(attribute_table has %zu)", what, idx, c->nattr);
    const o_attr *a = c->d->attribute_table[idx];
    if (a->key_strindex < 0 || (size_t)a->key_strindex >= c->nstr)
        return bad(c, "%s: attribute %" PRId32 ": key string index %" PRId32
                   " out of range (string_table has %zu)", what, idx,
                   a->key_strindex, c->nstr);
    *out = a;
    return 0;
}

static bool any_true(const o_any *v)
{
    return v && v->value_case ==
                    OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_BOOL_VALUE &&
           v->bool_value;
}

/* A string value: string_value, or string_value_strindex (v1.10.0 on) when
 * it is in the dictionary's string_table; the bytes live as long as the
 * request. */
static bool any_string(const conv *c, const o_any *v, const uint8_t **p,
                       size_t *n)
{
    if (v && v->value_case ==
                 OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_STRING_VALUE &&
        v->string_value) {
        *p = (const uint8_t *)v->string_value;
        *n = strlen(v->string_value);
        return true;
    }
    if (v && v->value_case ==
                 OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_STRING_VALUE_STRINDEX &&
        v->string_value_strindex >= 0 &&
        (size_t)v->string_value_strindex < c->nstr) {
        const ProtobufCBinaryData *b = &c->d->string_table[v->string_value_strindex];
        *p = b->data ? b->data : (const uint8_t *)"";
        *n = b->len;
        return true;
    }
    return false;
}

static int map_mapping(conv *c, int32_t mi, uint64_t *id)
{
    if (mi == 0) { /* mapping_table[0] is the "unset" zero value */
        *id = 0;
        return 0;
    }
    if (mi < 0 || (size_t)mi >= c->nmap)
        return bad(c, "mapping_index %" PRId32 " out of range "
                   "(mapping_table has %zu)", mi, c->nmap);
    if (c->mmap[mi] == UNMAPPED) {
        const o_mapping *om = c->d->mapping_table[mi];
        kiln_mapping *pm = &c->doc.sym.mappings[c->nmused];
        memset(pm, 0, sizeof *pm);
        pm->memory_start = om->memory_start;
        pm->memory_limit = om->memory_limit;
        pm->file_offset = om->file_offset;
        uint32_t s;
        int rc = str_dict(c, om->filename_strindex, "mapping filename", &s);
        if (rc < 0)
            return rc;
        pm->filename = s;
        for (size_t i = 0; i < om->n_attribute_indices; i++) {
            const o_attr *a;
            const uint8_t *sp;
            size_t sn;
            rc = attr_get(c, om->attribute_indices[i], "mapping", &a);
            if (rc < 0)
                return rc;
            uint32_t flag = 0;
            if (key_is(c, a->key_strindex, KILN_OTLP_HAS_FUNCTIONS))
                flag = KILN_MAP_HAS_FUNCTIONS;
            else if (key_is(c, a->key_strindex, KILN_OTLP_HAS_FILENAMES))
                flag = KILN_MAP_HAS_FILENAMES;
            else if (key_is(c, a->key_strindex, KILN_OTLP_HAS_LINE_NUMBERS))
                flag = KILN_MAP_HAS_LINE_NUMBERS;
            else if (key_is(c, a->key_strindex, KILN_OTLP_HAS_INLINE_FRAMES))
                flag = KILN_MAP_HAS_INLINE_FRAMES;
            if (flag)
                pm->flags = any_true(a->value) ? pm->flags | flag
                                               : pm->flags & ~flag;
            else if (pm->build_id == 0 &&
                     key_has_prefix(c, a->key_strindex,
                                    KILN_OTLP_BUILD_ID_PREFIX) &&
                     any_string(c, a->value, &sp, &sn) && sn > 0) {
                rc = str_push(c, sp, 0, sn, &s);
                if (rc < 0)
                    return rc;
                pm->build_id = s;
            }
        }
        c->mmap[mi] = (uint32_t)(c->nmused + 1);
        c->mused[c->nmused++] = (uint32_t)mi;
    }
    *id = c->mmap[mi];
    return 0;
}

static int map_function(conv *c, int32_t fi, uint64_t *id)
{
    if (fi == 0) { /* function_table[0] is the "unset" zero value */
        *id = 0;
        return 0;
    }
    if (fi < 0 || (size_t)fi >= c->nfun)
        return bad(c, "function_index %" PRId32 " out of range "
                   "(function_table has %zu)", fi, c->nfun);
    if (c->fmap[fi] == UNMAPPED) {
        const o_function *of = c->d->function_table[fi];
        kiln_function *pf = &c->doc.sym.functions[c->nfused];
        uint32_t s;
        int rc = str_dict(c, of->name_strindex, "function name", &s);
        if (rc < 0)
            return rc;
        pf->name = s;
        rc = str_dict(c, of->system_name_strindex, "function system_name", &s);
        if (rc < 0)
            return rc;
        pf->system_name = s;
        rc = str_dict(c, of->filename_strindex, "function filename", &s);
        if (rc < 0)
            return rc;
        pf->filename = s;
        pf->start_line = of->start_line;
        c->fmap[fi] = (uint32_t)(c->nfused + 1);
        c->fused[c->nfused++] = (uint32_t)fi;
    }
    *id = c->fmap[fi];
    return 0;
}

/* Location `li` (already range-checked) as a pprof location id. */
static int map_location(conv *c, int32_t li, uint64_t *id)
{
    if (c->lmap[li] == UNMAPPED) {
        const o_location *ol = c->d->location_table[li];
        kiln_symtab *ds = &c->doc.sym;
        uint64_t mapping = 0;
        int rc = map_mapping(c, ol->mapping_index, &mapping);
        if (rc < 0)
            return rc;
        if (ol->n_lines > UINT32_MAX - ds->nlines)
            return kiln_error_set(KILN_ELIMIT, "otlp: over %u lines",
                                  UINT32_MAX);
        if ((rc = pprof_doc_reserve_symbols(&c->doc, c->nmap, c->nfun,
                                            c->nloc,
                                            ds->nlines + ol->n_lines)) < 0)
            return rc;
        kiln_location *pl = &ds->locations[c->nlused];
        memset(pl, 0, sizeof *pl);
        pl->address = ol->address;
        pl->mapping = (uint32_t)mapping; /* id = index + 1, 0 = none */
        pl->line_off = (uint32_t)ds->nlines;
        pl->nlines = (uint32_t)ol->n_lines;
        for (size_t i = 0; i < ol->n_lines; i++) {
            kiln_line *ln = &ds->lines[ds->nlines + i];
            uint64_t fid = 0;
            rc = map_function(c, ol->lines[i]->function_index, &fid);
            if (rc < 0)
                return rc;
            ln->function = fid ? (uint32_t)(fid - 1) : KILN_NOFUNC;
            ln->line = ol->lines[i]->line;
            ln->column = ol->lines[i]->column;
        }
        ds->nlines += ol->n_lines;
        for (size_t i = 0; i < ol->n_attribute_indices; i++) {
            const o_attr *a;
            rc = attr_get(c, ol->attribute_indices[i], "location", &a);
            if (rc < 0)
                return rc;
            if (key_is(c, a->key_strindex, KILN_OTLP_IS_FOLDED))
                pl->is_folded = any_true(a->value);
        }
        c->lmap[li] = (uint32_t)(c->nlused + 1);
        c->lused[c->nlused++] = (uint32_t)li;
    }
    *id = c->lmap[li];
    return 0;
}

/* A sample's values and timestamps: one value without timestamps; with
 * them, one value per timestamp or none (each timestamp counts 1). */
static int sample_check(conv *c, const sview *s, size_t i)
{
    if (s->n_values == 0 && s->n_ts == 0)
        return bad(c, "sample %zu: neither values nor timestamps", i);
    if (s->n_ts == 0 && s->n_values != 1)
        return bad(c, "sample %zu: %zu values without timestamps (a profile "
                   "has one sample_type: want 1)", i, s->n_values);
    if (s->n_ts && s->n_values && s->n_values != s->n_ts)
        return bad(c, "sample %zu: %zu values but %zu timestamps", i,
                   s->n_values, s->n_ts);
    for (size_t k = 0; k < s->n_ts; k++)
        if (s->ts[k] > INT64_MAX)
            return bad(c, "sample %zu: timestamps_unix_nano[%zu] %" PRIu64
                       " beyond int64", i, k, s->ts[k]);
    return 0;
}

/* The value of entry k of a checked sample. */
static int64_t sample_value(const sview *s, size_t k)
{
    if (k == NO_TS)
        return s->values[0];
    return s->n_values ? s->values[k] : 1;
}

/* The labels of sample i: its attributes (except link keys when it has a
 * link) and its link as trace/span hex labels under the writer's keys. */
static int sample_labels(conv *c, const sview *s, size_t i, pprof_sample *ps)
{
    /* Room for s->n_attrs + 2 labels was reserved by build_pprof. */
    kiln_label_ent *labs = c->doc.labels + c->doc.nlabels;
    size_t n = 0;
    int rc;
    bool linked = false;
    if (s->link_index != 0) {
        if (s->link_index < 0 || (size_t)s->link_index >= c->nlink)
            return bad(c, "sample %zu: link_index %" PRId32 " out of range "
                       "(link_table has %zu)", i, s->link_index, c->nlink);
        const o_link *lk = c->d->link_table[s->link_index];
        if (lk->trace_id.len != 16)
            return bad(c, "sample %zu: link %" PRId32 ": trace_id is %zu "
                       "bytes, want 16", i, s->link_index, lk->trace_id.len);
        if (lk->span_id.len != 8 && lk->span_id.len != 0)
            return bad(c, "sample %zu: link %" PRId32 ": span_id is %zu "
                       "bytes, want 8", i, s->link_index, lk->span_id.len);
        static const uint8_t zero[16];
        if (memcmp(lk->trace_id.data, zero, 16) == 0)
            return bad(c, "sample %zu: link %" PRId32 ": trace_id is all "
                       "zero (invalid)", i, s->link_index);
        char hex[33];
        uint32_t k, v;
        hex_lower(hex, lk->trace_id.data, 16);
        if ((rc = str_borrow(c, c->trace_key, &k)) < 0 ||
            (rc = str_make(c, hex, 32, &v)) < 0)
            return rc;
        labs[n] = (kiln_label_ent){k, v, 0, 0};
        n++;
        static const uint8_t zspan[8];
        if (lk->span_id.len == 8 && memcmp(lk->span_id.data, zspan, 8) != 0) {
            hex_lower(hex, lk->span_id.data, 8);
            if ((rc = str_borrow(c, c->span_key, &k)) < 0 ||
                (rc = str_make(c, hex, 16, &v)) < 0)
                return rc;
            labs[n] = (kiln_label_ent){k, v, 0, 0};
            n++;
        }
        linked = true;
    }
    for (size_t j = 0; j < s->n_attrs; j++) {
        const o_attr *a;
        char what[64];
        snprintf(what, sizeof(what), "sample %zu", i);
        if ((rc = attr_get(c, s->attrs[j], what, &a)) < 0)
            return rc;
        const o_any *v = a->value;
        if (a->key_strindex == 0 || !v ||
            v->value_case ==
                OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE__NOT_SET)
            continue; /* the zero attribute, or no value */
        if (linked && (key_is(c, a->key_strindex, c->trace_key) ||
                       key_is(c, a->key_strindex, c->span_key)))
            continue; /* the link says it */
        kiln_label_ent *l = &labs[n];
        memset(l, 0, sizeof *l);
        uint32_t k, sv = 0;
        if ((rc = str_dict(c, a->key_strindex, "attribute key", &k)) < 0)
            return rc;
        l->key = k;
        char buf[64];
        switch (v->value_case) {
        case OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_STRING_VALUE:
            rc = str_borrow(c, v->string_value, &sv);
            break;
        case OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_STRING_VALUE_STRINDEX:
            rc = str_dict(c, v->string_value_strindex, "attribute value", &sv);
            break;
        case OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_BOOL_VALUE:
            rc = str_borrow(c, v->bool_value ? "true" : "false", &sv);
            break;
        case OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_INT_VALUE:
            l->num = v->int_value;
            rc = str_dict(c, a->unit_strindex, "attribute unit", &sv);
            l->num_unit = sv;
            sv = 0;
            break;
        case OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_DOUBLE_VALUE:
            snprintf(buf, sizeof(buf), "%.17g", v->double_value);
            rc = str_make(c, buf, strlen(buf), &sv);
            break;
        case OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_BYTES_VALUE: {
            size_t bl = v->bytes_value.len;
            char *hex = otlp_arena_alloc(&c->ar, 2 * bl + 1);
            if (!hex)
                return nomem();
            hex_lower(hex, v->bytes_value.data, bl);
            rc = str_make(c, hex, 2 * bl, &sv);
            break;
        }
        default:
            return bad(c, "sample %zu: attribute %" PRId32 ": array and map "
                       "values cannot be sample labels", i, s->attrs[j]);
        }
        if (rc < 0)
            return rc;
        l->str = sv;
        n++;
    }
    ps->lab_off = (uint32_t)c->doc.nlabels;
    ps->nlabels = (uint32_t)n;
    c->doc.nlabels += n;
    return 0;
}

/* pprof's profile-level fields that OTLP has no field for, from the
 * profile's attributes (otlp_keys.h). */
static int profile_attrs(conv *c, const pview *p, kiln_kind *k)
{
    int rc;
    for (size_t i = 0; i < p->n_attrs; i++) {
        const o_attr *a;
        if ((rc = attr_get(c, p->attrs[i], "profile", &a)) < 0)
            return rc;
        const uint8_t *sp;
        size_t sn;
        bool s = any_string(c, a->value, &sp, &sn);
        uint32_t id;
        if (s && key_is(c, a->key_strindex, KILN_OTLP_DEFAULT_TYPE)) {
            if ((rc = str_push(c, sp, 0, sn, &id)) < 0)
                return rc;
            k->default_type = id;
        } else if (s && key_is(c, a->key_strindex, KILN_OTLP_DROP_FRAMES)) {
            if ((rc = str_push(c, sp, 0, sn, &id)) < 0)
                return rc;
            k->drop_frames = id;
        } else if (s && key_is(c, a->key_strindex, KILN_OTLP_KEEP_FRAMES)) {
            if ((rc = str_push(c, sp, 0, sn, &id)) < 0)
                return rc;
            k->keep_frames = id;
        } else if (s && key_is(c, a->key_strindex, KILN_OTLP_DOC_URL)) {
            if ((rc = str_push(c, sp, 0, sn, &id)) < 0)
                return rc;
            k->doc_url = id;
        } else if (key_is(c, a->key_strindex, KILN_OTLP_COMMENT) && a->value &&
                   a->value->value_case ==
                       OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_ARRAY_VALUE &&
                   a->value->array_value) {
            const Opentelemetry__Proto__Common__V1__ArrayValue *arr =
                a->value->array_value;
            uint32_t *cm = otlp_arena_alloc(&c->ar, (arr->n_values + 1) * sizeof(*cm));
            if (!cm)
                return nomem();
            size_t n = 0;
            for (size_t j = 0; j < arr->n_values; j++) {
                if (!any_string(c, arr->values[j], &sp, &sn))
                    continue;
                if ((rc = str_push(c, sp, 0, sn, &id)) < 0)
                    return rc;
                cm[n++] = id;
            }
            k->comments = cm;
            k->ncomments = (uint32_t)n;
        }
    }
    return 0;
}

/* Forget the per-profile maps (only the entries this profile touched). */
static void conv_reset(conv *c)
{
    for (size_t i = 0; i < c->nsused; i++)
        c->smap[c->sused[i]] = UNMAPPED;
    for (size_t i = 0; i < c->nmused; i++)
        c->mmap[c->mused[i]] = UNMAPPED;
    for (size_t i = 0; i < c->nlused; i++)
        c->lmap[c->lused[i]] = UNMAPPED;
    for (size_t i = 0; i < c->nfused; i++)
        c->fmap[c->fused[i]] = UNMAPPED;
    c->nsused = c->nmused = c->nlused = c->nfused = 0;
    c->nstrs = 0;
    kiln_buf_reset(&c->pool);
    otlp_arena_reset(&c->ar);
}

static bool vtype_eq(const o_vtype *a, const o_vtype *b)
{
    int32_t at = a ? a->type_strindex : 0, au = a ? a->unit_strindex : 0;
    int32_t bt = b ? b->type_strindex : 0, bu = b ? b->unit_strindex : 0;
    return at == bt && au == bu;
}

static bool ints_eq(const int32_t *a, size_t na, const int32_t *b, size_t nb)
{
    return na == nb && (na == 0 || memcmp(a, b, na * sizeof(*a)) == 0);
}

/* Whether q is another sample type of the same pprof as the group g[0..ng):
 * same scope, time window, period, attributes and, sample by sample, the
 * same stack, link, attributes and timestamps. Then one pprof with ng+1
 * sample types says exactly what the ng+1 profiles say. */
static bool same_shape(const pview *const *g, size_t ng, const pview *q)
{
    const pview *p = g[0];
    if (ng >= KILN_MAX_TYPES || q->scope != p->scope ||
        q->time_unix_nano != p->time_unix_nano ||
        q->duration_nano != p->duration_nano || q->period != p->period ||
        !vtype_eq(q->period_type, p->period_type) ||
        q->n_samples != p->n_samples ||
        q->profile_id.len != p->profile_id.len ||
        (p->profile_id.len &&
         memcmp(q->profile_id.data, p->profile_id.data, p->profile_id.len)) ||
        !ints_eq(q->attrs, q->n_attrs, p->attrs, p->n_attrs))
        return false;
    for (size_t t = 0; t < ng; t++)
        if (vtype_eq(g[t]->sample_type, q->sample_type))
            return false;
    for (size_t i = 0; i < p->n_samples; i++) {
        const sview *a = &p->samples[i], *b = &q->samples[i];
        if (a->stack_index != b->stack_index ||
            a->link_index != b->link_index ||
            !ints_eq(a->attrs, a->n_attrs, b->attrs, b->n_attrs) ||
            a->n_ts != b->n_ts ||
            (a->n_ts && memcmp(a->ts, b->ts, a->n_ts * sizeof(*a->ts))))
            return false;
    }
    return true;
}

/* The sample types and period of the group, into k (types in the arena)
 * and the doc's has_period_type. */
static int build_types(conv *c, const pview *const *g, size_t ng,
                       kiln_kind *k)
{
    const pview *p0 = g[0];
    int rc;
    uint32_t *vt = otlp_arena_alloc(&c->ar, (2 * ng + 1) * sizeof(*vt));
    if (!vt)
        return nomem();
    memset(vt, 0, 2 * ng * sizeof(*vt));
    for (size_t t = 0; t < ng; t++) {
        const o_vtype *ov = g[t]->sample_type;
        if (ov && ((rc = str_dict(c, ov->type_strindex, "sample_type",
                                  &vt[2 * t])) < 0 ||
                   (rc = str_dict(c, ov->unit_strindex, "sample_type",
                                  &vt[2 * t + 1])) < 0))
            return rc;
    }
    k->types = vt;
    k->ntypes = (uint32_t)ng;
    c->doc.has_period_type = p0->period_type != NULL;
    if (p0->period_type &&
        ((rc = str_dict(c, p0->period_type->type_strindex, "period_type",
                        &k->period_type[0])) < 0 ||
         (rc = str_dict(c, p0->period_type->unit_strindex, "period_type",
                        &k->period_type[1])) < 0))
        return rc;
    k->period = p0->period;
    return 0;
}

/* The locations of sample i's stack into ps (room reserved by
 * build_pprof). */
static int build_stack(conv *c, const sview *s, size_t i, pprof_sample *ps)
{
    int rc;
    ps->locs = c->doc.locs + c->doc.nlocs;
    ps->nlocs = 0;
    if (s->stack_index < 0 || (size_t)s->stack_index >= c->nstack)
        return bad(c, "sample %zu: stack_index %" PRId32 " out of range "
                   "(stack_table has %zu)", i, s->stack_index, c->nstack);
    const o_stack *st = c->d->stack_table[s->stack_index];
    uint64_t *ids = c->doc.locs + c->doc.nlocs;
    for (size_t k = 0; k < st->n_location_indices; k++) {
        int32_t li = st->location_indices[k];
        if (li < 0 || (size_t)li >= c->nloc)
            return bad(c, "sample %zu: stack %" PRId32 ": location index %"
                       PRId32 " out of range (location_table has %zu)", i,
                       s->stack_index, li, c->nloc);
        uint64_t id = 0;
        if ((rc = map_location(c, li, &id)) < 0)
            return rc;
        ids[k] = id - 1; /* a location id is its index + 1 */
    }
    ps->nlocs = (uint32_t)st->n_location_indices;
    c->doc.nlocs += st->n_location_indices;
    return 0;
}

/* The string table of the pprof being built, and the counts of the tables
 * its samples used. */
static int build_tables(conv *c)
{
    pprof_doc *d = &c->doc;
    int rc;

    for (size_t i = 1; i < c->nstrs; i++) { /* strs[0] is "", as in doc */
        const pstr *s = &c->strs[i];
        /* An empty pooled string may come with no pool at all. */
        const void *bytes = s->p ? (const void *)s->p
                                  : s->len ? (const void *)(c->pool.data + s->off)
                                           : (const void *)"";
        if ((rc = strtab_append(&d->sym.strings, bytes, s->len)) < 0)
            return rc;
    }
    d->sym.nmappings = c->nmused;
    d->sym.nlocations = c->nlused;
    d->sym.nfunctions = c->nfused;
    return 0;
}

/* Room for the frames and labels of the entries e[0..ne) (stacks out of
 * range count nothing here: build_stack refuses them). */
static int reserve_samples(conv *c, const pview *p0, size_t ng,
                           const entry *e, size_t ne)
{
    size_t nlocs = 0, nlabels = 0;
    for (size_t j = 0; j < ne; j++) {
        const sview *s = &p0->samples[e[j].samp];
        if (s->stack_index >= 0 && (size_t)s->stack_index < c->nstack)
            nlocs += c->d->stack_table[s->stack_index]->n_location_indices;
        nlabels += s->n_attrs + 2;
    }
    return pprof_doc_reserve_samples(&c->doc, ne, ng, nlocs, nlabels);
}

/* Build the pprof of the entries e[0..ne) of the group g[0..ng) (one
 * profile per sample type, same shape), at time `time` for `duration`, and
 * pack it into out. */
static int build_pprof(conv *c, const pview *const *g, size_t ng,
                       const entry *e, size_t ne, int64_t time,
                       int64_t duration, kiln_buf *out)
{
    const pview *p0 = g[0];
    pprof_doc *d = &c->doc;
    kiln_kind k;
    int rc;
    uint32_t id;

    memset(&k, 0, sizeof k);
    if ((rc = pprof_doc_reset(d)) < 0 ||
        (rc = str_push(c, (const uint8_t *)"", 0, 0, &id)) < 0)
        return rc;
    if (c->nstr > 0) { /* dictionary "" is pprof "" */
        c->smap[0] = 0;
        c->sused[c->nsused++] = 0;
    }
    if ((rc = build_types(c, g, ng, &k)) < 0)
        return rc;
    d->time = time;
    d->duration = duration;
    if ((rc = profile_attrs(c, p0, &k)) < 0)
        return rc;

    if ((rc = reserve_samples(c, p0, ng, e, ne)) < 0)
        return rc;
    for (size_t j = 0; j < ne; j++) {
        size_t i = e[j].samp;
        const sview *s = &p0->samples[i];
        pprof_sample *ps = &d->samples[j];
        if ((rc = build_stack(c, s, i, ps)) < 0)
            return rc;
        for (size_t t = 0; t < ng; t++)
            d->values[j * ng + t] = sample_value(&g[t]->samples[i], e[j].k);
        ps->values = d->values + j * ng;
        if ((rc = sample_labels(c, s, i, ps)) < 0)
            return rc;
    }
    d->nsamples = ne;
    d->nvalues = ne * ng;
    if ((rc = build_tables(c)) < 0 ||
        (rc = pprof_doc_set_kind(d, ng, k.ncomments)) < 0)
        return rc;
    const uint32_t *types = k.types, *comments = k.comments;
    k.types = d->kind.types;
    k.comments = d->kind.comments;
    memcpy(k.types, types, 2 * ng * sizeof *types);
    if (k.ncomments)
        memcpy(k.comments, comments, k.ncomments * sizeof *comments);
    d->kind = k;

    kiln_buf_reset(out);
    return pprof_pack(d, out);
}

/* Samples without timestamps first (at the profile's time), then by time. */
static int entry_cmp(const void *pa, const void *pb)
{
    const entry *a = pa, *b = pb;
    int ta = a->k != NO_TS, tb = b->k != NO_TS;
    if (ta != tb)
        return ta - tb;
    if (a->t != b->t)
        return a->t < b->t ? -1 : 1;
    if (a->samp != b->samp)
        return a->samp < b->samp ? -1 : 1;
    return (a->k > b->k) - (a->k < b->k);
}

/* The pprofs being built from a request, each with its resource and the
 * request-wide number of its first profile. */
typedef struct pending {
    kiln_buf pprof;
    size_t res, pidx;
} pending;

typedef struct pendlist {
    pending *v;
    size_t n, cap;
} pendlist;

/* The group g[0..ng) as pprofs appended to pl: one at the profile's time
 * for its samples without timestamps (or for none at all), then one per
 * distinct timestamp of the others, holding the rows taken then. */
static int convert_group(conv *c, const pview *const *g, size_t ng,
                         pendlist *pl, entry **ents, size_t *capents)
{
    const pview *p0 = g[0];
    size_t ne = 0;
    int rc;

    if (p0->time_unix_nano > INT64_MAX)
        return bad(c, "time_unix_nano %" PRIu64 " beyond int64",
                   p0->time_unix_nano);
    if (p0->duration_nano > INT64_MAX)
        return bad(c, "duration_nano %" PRIu64 " beyond int64",
                   p0->duration_nano);
    int64_t time = (int64_t)p0->time_unix_nano;
    for (size_t i = 0; i < p0->n_samples; i++) {
        for (size_t t = 0; t < ng; t++)
            if ((rc = sample_check(c, &g[t]->samples[i], i)) < 0)
                return rc;
        size_t k = p0->samples[i].n_ts ? p0->samples[i].n_ts : 1;
        if (__builtin_add_overflow(ne, k, &ne))
            return kiln_error_set(KILN_ELIMIT, "otlp: too many timestamps");
    }
    if ((rc = wr_grow((void **)ents, capents, ne ? ne : 1, sizeof(**ents))) < 0)
        return nomem();
    entry *e = *ents;
    ne = 0;
    for (size_t i = 0; i < p0->n_samples; i++) {
        const sview *s = &p0->samples[i];
        if (s->n_ts == 0)
            e[ne++] = (entry){time, i, NO_TS};
        for (size_t k = 0; k < s->n_ts; k++)
            e[ne++] = (entry){(int64_t)s->ts[k], i, k};
    }
    qsort(e, ne, sizeof(*e), entry_cmp);

    size_t a = 0;
    do {
        size_t b = a;
        while (b < ne && (e[b].k == NO_TS) == (e[a].k == NO_TS) &&
               e[b].t == e[a].t)
            b++;
        bool at_profile = a == ne || e[a].k == NO_TS;
        if ((rc = wr_grow((void **)&pl->v, &pl->cap, pl->n + 1,
                          sizeof(*pl->v))) < 0)
            return nomem();
        pending *pd = &pl->v[pl->n];
        memset(pd, 0, sizeof(*pd));
        rc = build_pprof(c, g, ng, e + a, b - a,
                         at_profile ? time : e[a].t,
                         at_profile ? (int64_t)p0->duration_nano : 0,
                         &pd->pprof);
        conv_reset(c);
        pl->n++; /* owned by the list from here, so freed on error too */
        if (rc < 0)
            return rc;
        a = b;
    } while (a < ne);
    return 0;
}

static int conv_init(conv *c, const o_dict *d, const kiln_writer *w)
{
    memset(c, 0, sizeof(*c));
    c->d = d;
    if (d) {
        c->nstr = d->n_string_table;
        c->nmap = d->n_mapping_table;
        c->nloc = d->n_location_table;
        c->nfun = d->n_function_table;
        c->nlink = d->n_link_table;
        c->nattr = d->n_attribute_table;
        c->nstack = d->n_stack_table;
    }
    c->trace_key = w->trace_key ? w->trace_key : "trace_id";
    c->span_key = w->span_key ? w->span_key : "span_id";
    if (c->nstr > 0 && d->string_table[0].len != 0)
        return kiln_error_set(KILN_EINPUT, "otlp: dictionary string_table[0] "
                              "is not empty");
    size_t sizes[4] = {c->nstr, c->nmap, c->nloc, c->nfun};
    uint32_t **maps[4] = {&c->smap, &c->mmap, &c->lmap, &c->fmap};
    uint32_t **used[4] = {&c->sused, &c->mused, &c->lused, &c->fused};
    for (int k = 0; k < 4; k++) {
        size_t n = sizes[k] ? sizes[k] : 1;
        *maps[k] = malloc(n * sizeof(uint32_t));
        *used[k] = malloc(n * sizeof(uint32_t));
        if (!*maps[k] || !*used[k])
            return nomem();
        memset(*maps[k], 0xff, n * sizeof(uint32_t));
    }
    return pprof_doc_reserve_symbols(&c->doc, c->nmap, c->nfun, c->nloc, 0);
}

static void conv_free(conv *c)
{
    free(c->smap); free(c->mmap); free(c->lmap); free(c->fmap);
    free(c->sused); free(c->mused); free(c->lused); free(c->fused);
    free(c->strs);
    pprof_doc_free(&c->doc);
    kiln_buf_free(&c->pool);
    otlp_arena_free(&c->ar);
}

/* Whether a resource attribute's key (key, or key_strindex from v1.10.0
 * on) is `want`. */
static bool kv_key_is(const conv *c, const o_kv *kv, const char *want)
{
    if (kv->key && *kv->key)
        return strcmp(kv->key, want) == 0;
    return key_is(c, kv->key_strindex, want);
}

/* Series labels of one resource: the caller's, plus service.name and
 * host.name as service_name and host where the caller has none. Values
 * from the dictionary are copied (labels are C strings) into own[]. */
typedef struct reslabels {
    kiln_label *l;
    size_t n;
    char *own[2];
} reslabels;

static int resource_labels(const conv *c, const o_res *r,
                           const kiln_label *labels, size_t nlabels,
                           reslabels *out)
{
    kiln_label *l = malloc((nlabels + 2) * sizeof(*l));
    if (!l)
        return nomem();
    out->l = l;
    if (nlabels)
        memcpy(l, labels, nlabels * sizeof(*l));
    size_t n = nlabels;
    static const char *const from[2] = {KILN_OTLP_SERVICE_NAME,
                                        KILN_OTLP_HOST_NAME};
    static const char *const to[2] = {"service_name", "host"};
    for (int k = 0; k < 2; k++) {
        bool have = false;
        for (size_t i = 0; i < nlabels; i++)
            if (labels[i].name && strcmp(labels[i].name, to[k]) == 0)
                have = true;
        if (have || !r)
            continue;
        for (size_t i = 0; i < r->n_attributes; i++) {
            const o_kv *kv = r->attributes[i];
            const uint8_t *vp;
            size_t vn;
            if (!kv_key_is(c, kv, from[k]) ||
                !any_string(c, kv->value, &vp, &vn) || vn == 0)
                continue;
            if (!(out->own[k] = malloc(vn + 1)))
                return nomem();
            memcpy(out->own[k], vp, vn);
            out->own[k][vn] = '\0';
            l[n++] = (kiln_label){to[k], out->own[k]};
            break;
        }
    }
    out->n = n;
    return 0;
}

/* Copy the fields of a request of either layout into views. The generated
 * types of the two layouts have the same member names, so one body serves
 * both (a macro, as C has no generics over struct types). */
#define REQ_SCOPE(req, r, s) ((req)->resource_profiles[r]->scope_profiles[s])
#define DEFINE_VIEW(fn, req_t)                                                 \
    static int fn(const req_t *req, rview *v)                                  \
    {                                                                          \
        size_t np = 0, ns = 0, sc = 0;                                         \
        v->dict = req->dictionary;                                             \
        v->nres = req->n_resource_profiles;                                    \
        for (size_t r = 0; r < v->nres; r++)                                   \
            for (size_t s = 0;                                                 \
                 s < req->resource_profiles[r]->n_scope_profiles; s++)         \
                for (size_t i = 0; i < REQ_SCOPE(req, r, s)->n_profiles; i++) {\
                    np++;                                                      \
                    ns += REQ_SCOPE(req, r, s)->profiles[i]->n_samples;        \
                }                                                              \
        v->res = calloc(v->nres ? v->nres : 1, sizeof(*v->res));               \
        v->prof = calloc(np ? np : 1, sizeof(*v->prof));                       \
        v->samp = calloc(ns ? ns : 1, sizeof(*v->samp));                       \
        if (!v->res || !v->prof || !v->samp)                                   \
            return nomem();                                                    \
        v->nprof = np;                                                         \
        np = ns = 0;                                                           \
        for (size_t r = 0; r < v->nres; r++) {                                 \
            v->res[r] = req->resource_profiles[r]->resource;                   \
            for (size_t s = 0;                                                 \
                 s < req->resource_profiles[r]->n_scope_profiles; s++, sc++)   \
                for (size_t i = 0; i < REQ_SCOPE(req, r, s)->n_profiles; i++) {\
                    const __typeof__(*REQ_SCOPE(req, r, s)->profiles[i]) *p =  \
                        REQ_SCOPE(req, r, s)->profiles[i];                     \
                    pview *pv = &v->prof[np++];                                \
                    pv->sample_type = p->sample_type;                          \
                    pv->period_type = p->period_type;                          \
                    pv->period = p->period;                                    \
                    pv->time_unix_nano = p->time_unix_nano;                    \
                    pv->duration_nano = p->duration_nano;                      \
                    pv->profile_id = p->profile_id;                            \
                    pv->attrs = p->attribute_indices;                          \
                    pv->n_attrs = p->n_attribute_indices;                      \
                    pv->samples = &v->samp[ns];                                \
                    pv->n_samples = p->n_samples;                              \
                    pv->res = r;                                               \
                    pv->scope = sc;                                            \
                    for (size_t k = 0; k < p->n_samples; k++) {                \
                        const __typeof__(*p->samples[k]) *q = p->samples[k];   \
                        v->samp[ns++] = (sview){                               \
                            q->stack_index, q->link_index, q->values,          \
                            q->attribute_indices, q->timestamps_unix_nano,     \
                            q->n_values, q->n_attribute_indices,               \
                            q->n_timestamps_unix_nano};                        \
                    }                                                          \
                }                                                              \
        }                                                                      \
        return 0;                                                              \
    }

DEFINE_VIEW(view_v1_9, o_request)
DEFINE_VIEW(view_v1_11, o11_request)

int kiln_writer_add_otlp(kiln_writer *w, const void *data, size_t len,
                         const kiln_label *labels, size_t nlabels)
{
    assert(w);
    if ((!data && len) || (!labels && nlabels))
        return kiln_error_set(KILN_EINVAL, "otlp: NULL data or labels");
    int rc = 0;
    kiln_buf inflated = KILN_BUF_INIT;
    kiln_otlp_layout layout = KILN_OTLP_V1_11;
    o_request *req9 = NULL;     /* the request, in the layout it has */
    o11_request *req11 = NULL;
    rview v;
    conv c;
    bool conv_ready = false;
    pendlist pl = {NULL, 0, 0};
    reslabels *rlab = NULL;     /* series labels per resource */
    entry *ents = NULL;
    size_t capents = 0;
    const pview **grp = NULL;
    /* The request's own arena (the writer's serves the pprof ingest this
     * calls): protobuf-c allocates through kiln, so running out of memory
     * is KILN_ENOMEM, not "not a valid request", and tests can fail it. */
    pb_arena arena;
    ProtobufCAllocator alloc = {pb_arena_alloc, pb_arena_nofree, &arena};

    memset(&arena, 0, sizeof arena);
    memset(&v, 0, sizeof(v));
    const uint8_t *p = data;
    size_t n = len;
    if ((rc = wr_gunzip_input(&p, &n, &inflated, "otlp")) < 0)
        goto out;
    if (n == 0) {
        rc = kiln_error_set(KILN_EINPUT, "otlp: empty input");
        goto out;
    }
    if ((rc = otlp_layout_of(p, n, &layout)) < 0)
        goto out;
    if (layout == KILN_OTLP_V1_9) {
        req9 = opentelemetry__proto__collector__profiles__v1development__export_profiles_service_request__unpack(
            &alloc, n, p);
        rc = req9 ? view_v1_9(req9, &v) : 0;
    } else {
        req11 = kiln__otlp_v1_11__export_profiles_service_request__unpack(
            &alloc, n, p);
        rc = req11 ? view_v1_11(req11, &v) : 0;
    }
    if (!req9 && !req11 && arena.failed) {
        rc = kiln_error_set(KILN_ENOMEM, "otlp: out of memory decoding %zu "
                            "bytes", n);
        goto out;
    }
    if (!req9 && !req11) {
        rc = kiln_error_set(KILN_EINPUT, "otlp: %zu bytes are not a valid "
                            "ExportProfilesServiceRequest protobuf (read as "
                            "the %s layout)", n,
                            layout == KILN_OTLP_V1_9 ? "v1.9" : "v1.11");
        goto out;
    }
    if (rc < 0)
        goto out;
    if (v.nprof == 0) {
        rc = kiln_error_set(KILN_EINPUT, "otlp: the request holds no profile");
        goto out;
    }
    conv_ready = true;
    if ((rc = conv_init(&c, v.dict, w)) < 0)
        goto out;

    rlab = calloc(v.nres ? v.nres : 1, sizeof(*rlab));
    grp = calloc(v.nprof, sizeof(*grp));
    if (!rlab || !grp) {
        rc = nomem();
        goto out;
    }
    for (size_t r = 0; r < v.nres; r++)
        if ((rc = resource_labels(&c, v.res[r], labels, nlabels,
                                  &rlab[r])) < 0)
            goto out;

    /* Convert everything first: a malformed profile anywhere refuses the
     * whole request before the writer sees any of it. */
    for (size_t i = 0; i < v.nprof;) {
        size_t ng = 1;
        grp[0] = &v.prof[i];
        while (i + ng < v.nprof && same_shape(grp, ng, &v.prof[i + ng])) {
            grp[ng] = &v.prof[i + ng];
            ng++;
        }
        size_t first = pl.n;
        c.pidx = i;
        if ((rc = convert_group(&c, grp, ng, &pl, &ents, &capents)) < 0)
            goto out;
        for (size_t k = first; k < pl.n; k++) {
            pl.v[k].res = v.prof[i].res;
            pl.v[k].pidx = i;
        }
        i += ng;
    }

    for (size_t k = 0; k < pl.n; k++) {
        const reslabels *rl = &rlab[pl.v[k].res];
        rc = kiln_writer_add_pprof(w, pl.v[k].pprof.data, pl.v[k].pprof.len,
                                   rl->l, rl->n);
        if (rc < 0) {
            rc = kiln_error_wrap(rc, "otlp: profile %zu (%zu of %zu pprofs "
                                 "already added): ", pl.v[k].pidx, k, pl.n);
            goto out;
        }
    }
    rc = 0;

out:
    for (size_t k = 0; k < pl.n; k++)
        kiln_buf_free(&pl.v[k].pprof);
    free(pl.v);
    if (rlab)
        for (size_t r = 0; r < v.nres; r++) {
            free(rlab[r].l);
            free(rlab[r].own[0]);
            free(rlab[r].own[1]);
        }
    free(rlab);
    free(grp);
    free(ents);
    if (conv_ready)
        conv_free(&c);
    free(v.res);
    free(v.prof);
    free(v.samp);
    pb_arena_free(&arena); /* the request with it */
    kiln_buf_free(&inflated);
    return api_return(rc);
}
