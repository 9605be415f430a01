/* ingest_pprof.c: kiln_writer_add_pprof. A profile is unpacked into a
 * scratch arena, checked whole (every index and id it holds), and only then
 * interned, so a bad profile leaves the writer exactly as it was. */
#include <stdlib.h>
#include <string.h>

#include "otlp_util.h" /* otlp_unhex, shared with the OTLP paths */
#include "profile.pb-c.h"
#include "writer_internal.h"

typedef Perftools__Profiles__Profile Profile;
typedef Perftools__Profiles__Sample Sample;
typedef Perftools__Profiles__Location Location;
typedef Perftools__Profiles__Function Function;
typedef Perftools__Profiles__Mapping Mapping;
typedef Perftools__Profiles__Label Label;

#define EIN(...) kiln_error_set(KILN_EINPUT, "pprof: " __VA_ARGS__)

/* ---- pprof id -> table index ------------------------------------------
 * pprof ids are arbitrary non-zero uint64. Most profilers number them
 * 1..n in table order; then the index is id - 1 and no table is built. A
 * table whose ids are all 0 is read the same way (references are 1-based
 * positions, as Pyroscope reads it). Otherwise an open-addressing table
 * maps id -> index; entries with id 0 then cannot be referenced (0 means
 * "none") and are left out. */

typedef struct idmap {
    size_t n;        /* table entries */
    bool dense;      /* ids are exactly 1..n in order, or positions */
    bool positional; /* ids all 0: references are 1-based positions */
    uint64_t *keys;  /* slots: id, 0 = empty */
    uint32_t *vals;  /* slots: index */
    size_t mask;     /* slots - 1 */
} idmap;

static inline uint64_t id_mix(uint64_t x)
{
    x ^= x >> 31;
    x *= 0x7fb5d329728ea185ULL;
    x ^= x >> 27;
    return x;
}

/* Build the map over ids[i] = *(uint64_t *)(tab[i] + off). Returns the index
 * of a duplicated id in *dup (or SIZE_MAX). */
static int idmap_build(kiln_writer *w, idmap *m, int slot, void **tab,
                       size_t n, size_t off, size_t *dup)
{
    m->n = n;
    m->dense = true;
    m->positional = false;
    *dup = SIZE_MAX;
    for (size_t i = 0; i < n; i++)
        if (*(const uint64_t *)((const char *)tab[i] + off) != i + 1) {
            m->dense = false;
            break;
        }
    if (m->dense)
        return 0;
    /* Ids left at 0 throughout the table (Pyroscope's .NET agent writes
     * functions so): entry i is referred to by its position, i + 1. */
    bool positional = n > 0;
    for (size_t i = 0; i < n && positional; i++)
        positional = *(const uint64_t *)((const char *)tab[i] + off) == 0;
    if (positional) {
        m->dense = m->positional = true;
        return 0;
    }
    size_t cap = 16;
    while (cap < n * 2)
        cap *= 2;
    uint8_t *mem = wr_scratch(w, slot, cap * (sizeof(uint64_t) + 4));
    if (!mem)
        return KILN_ENOMEM;
    m->keys = (uint64_t *)mem;
    m->vals = (uint32_t *)(mem + cap * sizeof(uint64_t));
    m->mask = cap - 1;
    memset(m->keys, 0, cap * sizeof(uint64_t));
    for (size_t i = 0; i < n; i++) {
        uint64_t id = *(const uint64_t *)((const char *)tab[i] + off);
        if (id == 0)
            continue;
        for (size_t s = id_mix(id) & m->mask;; s = (s + 1) & m->mask) {
            if (m->keys[s] == 0) {
                m->keys[s] = id;
                m->vals[s] = (uint32_t)i;
                break;
            }
            if (m->keys[s] == id) {
                *dup = i;
                return 0;
            }
        }
    }
    return 0;
}

/* Index of id, or -1. */
static inline int64_t idmap_get(const idmap *m, uint64_t id)
{
    if (id == 0)
        return -1;
    if (m->dense)
        return id <= m->n ? (int64_t)(id - 1) : -1;
    for (size_t s = id_mix(id) & m->mask;; s = (s + 1) & m->mask) {
        if (m->keys[s] == id)
            return m->vals[s];
        if (m->keys[s] == 0)
            return -1;
    }
}

/* What a failed lookup in a positional table adds to its message. */
static const char *positional_note(const idmap *m)
{
    return m->positional ? " (its ids are all 0, so references are 1-based "
                           "positions)" : "";
}

/* ---- checking ----------------------------------------------------------- */

typedef struct pctx {
    Profile *p;
    size_t nstr;        /* string table entries */
    uint32_t *strmap;   /* pprof string index -> symtab string id */
    uint32_t *funcmap;  /* function index -> symtab function id */
    uint32_t *mapmap;   /* mapping index -> symtab mapping id + 1 */
    uint32_t *locmap;   /* location index -> symtab location id */
} pctx;

static inline bool str_ok(const pctx *c, int64_t i)
{
    return i == 0 || (i > 0 && (uint64_t)i < c->nstr);
}

#define CHECK_STR(idx, ...)                                                  \
    do {                                                                     \
        if (!str_ok(c, (idx)))                                               \
            return EIN(__VA_ARGS__);                                         \
    } while (0)

/* Check every reference the profile holds; rewrite ids into table indexes
 * in place (the message lives in our arena): a sample's location ids become
 * location indexes, a location's mapping_id becomes mapping index + 1, a
 * line's function_id function index + 1 (0 stays "none"). */
static int check_profile(kiln_writer *w, pctx *c)
{
    Profile *p = c->p;
    idmap fm, mm, lm;
    size_t dup;
    int rc;

    c->nstr = p->n_string_table;
    if (p->n_sample > KILN_MAX_SAMPLES || c->nstr > KILN_MAX_STRINGS)
        return kiln_error_set(KILN_ELIMIT, "pprof: %zu samples and %zu "
                              "strings (at most %zu of each)", p->n_sample,
                              c->nstr, KILN_MAX_SAMPLES);
    if (p->time_nanos == KILN_TIME_LAST + 1)
        return EIN("time_nanos %lld is past the last time kiln stores "
                   "(2^63 - 2 ns)", (long long)p->time_nanos);
    if (c->nstr > 0 && p->string_table[0].len != 0)
        return EIN("string_table[0] is not empty");
    if (c->nstr > UINT32_MAX || p->n_location > UINT32_MAX ||
        p->n_function > UINT32_MAX || p->n_mapping > UINT32_MAX ||
        p->n_sample > UINT32_MAX)
        return kiln_error_set(KILN_ELIMIT, "pprof: a table has over %u "
                              "entries", UINT32_MAX);
    if (p->n_sample_type > KILN_MAX_TYPES)
        return kiln_error_set(KILN_ELIMIT, "pprof: %zu sample types, at most "
                              "%d", p->n_sample_type, KILN_MAX_TYPES);
    if (p->n_sample > 0 && p->n_sample_type == 0)
        return EIN("%zu samples but no sample types", p->n_sample);
    if (p->n_sample_type == 0 && p->n_sample == 0 && c->nstr == 0 &&
        p->n_location == 0 && p->n_function == 0)
        return EIN("no sample types, samples or strings: not a profile");

    for (size_t i = 0; i < p->n_sample_type; i++) {
        CHECK_STR(p->sample_type[i]->type, "sample_type %zu: type string %lld "
                  "out of range", i, (long long)p->sample_type[i]->type);
        CHECK_STR(p->sample_type[i]->unit, "sample_type %zu: unit string %lld "
                  "out of range", i, (long long)p->sample_type[i]->unit);
    }
    if (p->period_type) {
        CHECK_STR(p->period_type->type, "period_type: type string %lld out "
                  "of range", (long long)p->period_type->type);
        CHECK_STR(p->period_type->unit, "period_type: unit string %lld out "
                  "of range", (long long)p->period_type->unit);
    }
    CHECK_STR(p->drop_frames, "drop_frames string %lld out of range",
              (long long)p->drop_frames);
    CHECK_STR(p->keep_frames, "keep_frames string %lld out of range",
              (long long)p->keep_frames);
    CHECK_STR(p->default_sample_type, "default_sample_type string %lld out "
              "of range", (long long)p->default_sample_type);
    CHECK_STR(p->doc_url, "doc_url string %lld out of range",
              (long long)p->doc_url);
    for (size_t i = 0; i < p->n_comment; i++)
        CHECK_STR(p->comment[i], "comment %zu: string %lld out of range", i,
                  (long long)p->comment[i]);

    /* Mappings and functions: their strings, their ids. */
    for (size_t i = 0; i < p->n_mapping; i++) {
        Mapping *m = p->mapping[i];
        CHECK_STR(m->filename, "mapping %zu: filename string %lld out of "
                  "range", i, (long long)m->filename);
        CHECK_STR(m->build_id, "mapping %zu: build_id string %lld out of "
                  "range", i, (long long)m->build_id);
    }
    for (size_t i = 0; i < p->n_function; i++) {
        Function *f = p->function[i];
        CHECK_STR(f->name, "function %zu: name string %lld out of range", i,
                  (long long)f->name);
        CHECK_STR(f->system_name, "function %zu: system_name string %lld out "
                  "of range", i, (long long)f->system_name);
        CHECK_STR(f->filename, "function %zu: filename string %lld out of "
                  "range", i, (long long)f->filename);
    }
    if ((rc = idmap_build(w, &mm, WS_MHASH, (void **)p->mapping, p->n_mapping,
                          offsetof(Mapping, id), &dup)) < 0)
        return rc;
    if (dup != SIZE_MAX)
        return EIN("mapping %zu: duplicate id %llu", dup,
                   (unsigned long long)p->mapping[dup]->id);
    if ((rc = idmap_build(w, &fm, WS_FHASH, (void **)p->function,
                          p->n_function, offsetof(Function, id), &dup)) < 0)
        return rc;
    if (dup != SIZE_MAX)
        return EIN("function %zu: duplicate id %llu", dup,
                   (unsigned long long)p->function[dup]->id);
    if ((rc = idmap_build(w, &lm, WS_LHASH, (void **)p->location,
                          p->n_location, offsetof(Location, id), &dup)) < 0)
        return rc;
    if (dup != SIZE_MAX)
        return EIN("location %zu: duplicate id %llu", dup,
                   (unsigned long long)p->location[dup]->id);

    /* Locations: mapping and function references. */
    for (size_t i = 0; i < p->n_location; i++) {
        Location *l = p->location[i];
        if (l->mapping_id != 0) {
            int64_t k = idmap_get(&mm, l->mapping_id);
            if (k < 0)
                return EIN("location %zu (id %llu): mapping id %llu not in "
                           "mapping table%s", i, (unsigned long long)l->id,
                           (unsigned long long)l->mapping_id,
                           positional_note(&mm));
            l->mapping_id = (uint64_t)k + 1;
        }
        if (l->n_line > UINT32_MAX)
            return kiln_error_set(KILN_ELIMIT, "pprof: location %zu: too "
                                  "many lines", i);
        for (size_t j = 0; j < l->n_line; j++) {
            uint64_t fid = l->line[j]->function_id;
            if (fid == 0)
                continue; /* no function: kept as KILN_NOFUNC */
            int64_t k = idmap_get(&fm, fid);
            if (k < 0)
                return EIN("location %zu (id %llu): line %zu: function id "
                           "%llu not in function table%s", i,
                           (unsigned long long)l->id, j,
                           (unsigned long long)fid, positional_note(&fm));
            l->line[j]->function_id = (uint64_t)k + 1;
        }
    }

    /* Samples: value counts, location ids, label strings. Per type, the
     * positive values and the negative ones each sum within int64, so no
     * merge of identical samples (or total) can wrap: an error naming the
     * sample, never a silent wrap. */
    int64_t pos[KILN_MAX_TYPES] = {0}, neg[KILN_MAX_TYPES] = {0};
    for (size_t i = 0; i < p->n_sample; i++) {
        Sample *s = p->sample[i];
        if (s->n_value != p->n_sample_type)
            return EIN("sample %zu: %zu values for %zu sample types", i,
                       s->n_value, p->n_sample_type);
        for (size_t t = 0; t < s->n_value; t++)
            if (__builtin_add_overflow(s->value[t] < 0 ? neg[t] : pos[t],
                                       s->value[t],
                                       s->value[t] < 0 ? &neg[t] : &pos[t]))
                return EIN("sample %zu: value %zu: the profile's values of "
                           "this type sum past the int64 range", i, t);
        if (s->n_location_id > KILN_MAX_STACK_DEPTH ||
            s->n_label > KILN_MAX_SAMPLE_LABELS)
            return kiln_error_set(KILN_ELIMIT, "pprof: sample %zu: %zu "
                                  "frames and %zu labels (at most %d and %d)",
                                  i, s->n_location_id, s->n_label,
                                  KILN_MAX_STACK_DEPTH,
                                  KILN_MAX_SAMPLE_LABELS);
        for (size_t j = 0; j < s->n_location_id; j++) {
            int64_t k = idmap_get(&lm, s->location_id[j]);
            if (k < 0)
                return EIN("sample %zu: location id %llu not in location "
                           "table%s", i, (unsigned long long)s->location_id[j],
                           positional_note(&lm));
            s->location_id[j] = (uint64_t)k;
        }
        for (size_t j = 0; j < s->n_label; j++) {
            Label *lb = s->label[j];
            CHECK_STR(lb->key, "sample %zu: label %zu: key string %lld out of "
                      "range", i, j, (long long)lb->key);
            CHECK_STR(lb->str, "sample %zu: label %zu: str string %lld out of "
                      "range", i, j, (long long)lb->str);
            CHECK_STR(lb->num_unit, "sample %zu: label %zu: num_unit string "
                      "%lld out of range", i, j, (long long)lb->num_unit);
        }
    }
    return 0;
}

/* ---- interning ------------------------------------------------------------ */

static inline const ProtobufCBinaryData *pstr(const pctx *c, int64_t i)
{
    static const ProtobufCBinaryData empty = {0, NULL};
    return (c->nstr == 0) ? &empty : &c->p->string_table[i];
}

/* protobuf-c leaves data NULL for an empty bytes field. */
static inline const void *bytes_of(const ProtobufCBinaryData *s)
{
    return s->data ? (const void *)s->data : (const void *)"";
}

static int sym_str(kiln_writer *w, pctx *c, int64_t i, uint32_t *id)
{
    if (i == 0) {
        *id = 0;
        return 0;
    }
    uint32_t v = c->strmap[i];
    if (v == WR_NONE) {
        const ProtobufCBinaryData *s = &c->p->string_table[i];
        int rc = strtab_intern(&w->sym.strings, bytes_of(s), s->len, &v);
        if (rc < 0)
            return rc;
        c->strmap[i] = v;
    }
    *id = v;
    return 0;
}

static int ser_str(kiln_writer *w, pctx *c, int64_t i, uint32_t *id)
{
    const ProtobufCBinaryData *s = pstr(c, i);
    if (i == 0) {
        *id = 0;
        return 0;
    }
    return strtab_intern(&w->ser.strings, bytes_of(s), s->len, id);
}

static int intern_func(kiln_writer *w, pctx *c, uint64_t fi1, uint32_t *id)
{
    int rc;
    if (fi1 == 0) { /* a line without a function, kept as such */
        *id = KILN_NOFUNC;
        return 0;
    }
    size_t fi = fi1 - 1;
    if (c->funcmap[fi] == WR_NONE) {
        Function *pf = c->p->function[fi];
        kiln_function f;
        if ((rc = sym_str(w, c, pf->name, &f.name)) < 0 ||
            (rc = sym_str(w, c, pf->system_name, &f.system_name)) < 0 ||
            (rc = sym_str(w, c, pf->filename, &f.filename)) < 0)
            return rc;
        f.start_line = pf->start_line;
        if ((rc = symtab_function(&w->sym, &f, &c->funcmap[fi])) < 0)
            return rc;
    }
    *id = c->funcmap[fi];
    return 0;
}

static int intern_mapping(kiln_writer *w, pctx *c, uint64_t mi1,
                          uint32_t *id1)
{
    int rc;
    if (mi1 == 0) {
        *id1 = 0;
        return 0;
    }
    size_t mi = mi1 - 1;
    if (c->mapmap[mi] == WR_NONE) {
        Mapping *pm = c->p->mapping[mi];
        kiln_mapping m;
        uint32_t id;
        m.memory_start = pm->memory_start;
        m.memory_limit = pm->memory_limit;
        m.file_offset = pm->file_offset;
        if ((rc = sym_str(w, c, pm->filename, &m.filename)) < 0 ||
            (rc = sym_str(w, c, pm->build_id, &m.build_id)) < 0)
            return rc;
        m.flags = (pm->has_functions ? KILN_MAP_HAS_FUNCTIONS : 0) |
                  (pm->has_filenames ? KILN_MAP_HAS_FILENAMES : 0) |
                  (pm->has_line_numbers ? KILN_MAP_HAS_LINE_NUMBERS : 0) |
                  (pm->has_inline_frames ? KILN_MAP_HAS_INLINE_FRAMES : 0);
        if ((rc = symtab_mapping(&w->sym, &m, &id)) < 0)
            return rc;
        c->mapmap[mi] = id + 1;
    }
    *id1 = c->mapmap[mi];
    return 0;
}

static int intern_loc(kiln_writer *w, pctx *c, size_t li, uint32_t *id)
{
    Location *l = c->p->location[li];
    uint32_t map1;
    int rc;
    if ((rc = intern_mapping(w, c, l->mapping_id, &map1)) < 0)
        return rc;
    kiln_line *lines = wr_scratch(w, WS_LINES, l->n_line * sizeof(kiln_line));
    if (!lines)
        return KILN_ENOMEM;
    for (size_t j = 0; j < l->n_line; j++) {
        if ((rc = intern_func(w, c, l->line[j]->function_id,
                              &lines[j].function)) < 0)
            return rc;
        lines[j].line = l->line[j]->line;
        lines[j].column = l->line[j]->column;
    }
    if ((rc = symtab_location(&w->sym, l->address, map1, lines,
                                   (uint32_t)l->n_line, l->is_folded ? 1 : 0,
                                   &c->locmap[li])) < 0)
        return rc;
    *id = c->locmap[li];
    return 0;
}

/* ---- links --------------------------------------------------------------- */

/* Decode exactly 2*n hex digits into out; false if malformed or all zero
 * (an all-zero trace or span id is invalid in W3C trace context). */
static bool hex_id(const ProtobufCBinaryData *s, uint8_t *out, size_t n)
{
    if (!otlp_unhex(s->data, s->len, out, n))
        return false;
    uint8_t any = 0;
    for (size_t i = 0; i < n; i++)
        any |= out[i];
    return any != 0;
}

static inline bool key_is(const ProtobufCBinaryData *k, const char *s,
                          size_t n)
{
    return k->len == n && n > 0 && memcmp(k->data, s, n) == 0;
}

static bool same_labels(const Sample *a, const Sample *b)
{
    if (a->n_label != b->n_label)
        return false;
    for (size_t j = 0; j < a->n_label; j++) {
        const Label *x = a->label[j], *y = b->label[j];
        if (x->key != y->key || x->str != y->str || x->num != y->num ||
            x->num_unit != y->num_unit)
            return false;
    }
    return true;
}

/* A link label that a reader rebuilds byte for byte from the link alone:
 * the only label under its key, a string of lowercase hex digits (already
 * checked to be a well-formed id), nothing numeric. */
static bool absorbable(pctx *c, const Label *lb, int nkey)
{
    if (nkey != 1 || lb->num != 0 || lb->num_unit != 0)
        return false;
    const ProtobufCBinaryData *v = pstr(c, lb->str);
    for (size_t i = 0; i < v->len; i++)
        if (v->data[i] >= 'A' && v->data[i] <= 'F')
            return false;
    return true;
}

/* The sample's label set and link.
 *
 * A link needs a well-formed trace id (trace_key: 32 hex digits, either
 * case, not all zero); its span comes from span_key (16 hex digits, not all
 * zero) and is zero, meaning "no span", when the sample has none. A
 * malformed trace or span id gives no link and is counted in bad_links.
 *
 * Nothing is lost and no label is invented: a trace or span label leaves
 * the sample's label set only when a reader rebuilds it exactly from the
 * link (key trace_key or span_key, lowercase hex; see absorbable). Every
 * other such label (upper case, repeated keys, malformed) stays in the label
 * set verbatim, beside the link when there is one. So a reader renders a
 * link as trace_key=<hex> unless the label set already has trace_key, and
 * span_key=<hex> when the span is non-zero unless the label set already has
 * span_key. Pyroscope's "profile_id" (its name for the span id) gives the
 * link its span when there is no span_key label and it holds 16 hex digits;
 * it always stays in the label set verbatim, and a reader writes no span_key
 * label for a label set that has profile_id, so nothing is invented. */
static int sample_labels(kiln_writer *w, pctx *c, const Sample *s,
                         uint32_t *lset, uint32_t *link, bool *bad)
{
    int64_t tl = -1, sl = -1, pl = -1;
    int ntl = 0, nsl = 0;
    bool tabs = false, sabs = false;
    int rc;
    *bad = false;
    *link = 0;
    for (size_t j = 0; j < s->n_label; j++) {
        const ProtobufCBinaryData *k = pstr(c, s->label[j]->key);
        if (key_is(k, w->trace_key, w->trace_key_len)) {
            if (tl < 0)
                tl = (int64_t)j;
            ntl++;
        } else if (key_is(k, w->span_key, w->span_key_len)) {
            if (sl < 0)
                sl = (int64_t)j;
            nsl++;
        } else if (key_is(k, "profile_id", 10) && pl < 0) {
            pl = (int64_t)j;
        }
    }
    if (tl >= 0) {
        kiln_link l;
        memset(&l, 0, sizeof l);
        bool ok = hex_id(pstr(c, s->label[tl]->str), l.trace_id, 16);
        if (ok && sl >= 0)
            ok = hex_id(pstr(c, s->label[sl]->str), l.span_id, 8);
        else if (ok && pl >= 0 &&
                 !hex_id(pstr(c, s->label[pl]->str), l.span_id, 8))
            memset(l.span_id, 0, sizeof l.span_id); /* not an id: no span */
        if (ok) {
            if ((rc = wr_link(w, &l, link)) < 0)
                return rc;
            tabs = absorbable(c, s->label[tl], ntl);
            sabs = sl >= 0 && absorbable(c, s->label[sl], nsl);
        } else {
            *bad = true;
        }
    }

    kiln_label_ent *ents =
        wr_scratch(w, WS_LABELS, s->n_label * sizeof(kiln_label_ent));
    if (!ents)
        return KILN_ENOMEM;
    uint32_t n = 0;
    for (size_t j = 0; j < s->n_label; j++) {
        if ((tabs && (int64_t)j == tl) || (sabs && (int64_t)j == sl))
            continue;
        const Label *lb = s->label[j];
        kiln_label_ent *e = &ents[n++];
        if ((rc = sym_str(w, c, lb->key, &e->key)) < 0 ||
            (rc = sym_str(w, c, lb->str, &e->str)) < 0 ||
            (rc = sym_str(w, c, lb->num_unit, &e->num_unit)) < 0)
            return rc;
        e->num = lb->num;
    }
    *lset = 0;
    if (n && (rc = symtab_labelset(&w->sym, ents, n, lset)) < 0)
        return rc;
    return 0;
}

/* ---- the profile --------------------------------------------------------- */

static int intern_kind(kiln_writer *w, pctx *c, uint32_t *kid)
{
    Profile *p = c->p;
    kiln_kind k;
    int rc;
    size_t nt = p->n_sample_type;
    uint32_t *ids = wr_scratch(w, WS_MISC,
                               (2 * nt + p->n_comment) * sizeof(uint32_t));
    if (!ids)
        return KILN_ENOMEM;
    memset(&k, 0, sizeof k);
    k.ntypes = (uint32_t)nt;
    k.types = ids;
    k.comments = ids + 2 * nt;
    k.ncomments = (uint32_t)p->n_comment;
    for (size_t i = 0; i < nt; i++)
        if ((rc = ser_str(w, c, p->sample_type[i]->type, &ids[2 * i])) < 0 ||
            (rc = ser_str(w, c, p->sample_type[i]->unit, &ids[2 * i + 1])) < 0)
            return rc;
    for (size_t i = 0; i < p->n_comment; i++)
        if ((rc = ser_str(w, c, p->comment[i], &k.comments[i])) < 0)
            return rc;
    if (p->period_type &&
        ((rc = ser_str(w, c, p->period_type->type, &k.period_type[0])) < 0 ||
         (rc = ser_str(w, c, p->period_type->unit, &k.period_type[1])) < 0))
        return rc;
    k.period = p->period;
    if ((rc = ser_str(w, c, p->default_sample_type, &k.default_type)) < 0 ||
        (rc = ser_str(w, c, p->drop_frames, &k.drop_frames)) < 0 ||
        (rc = ser_str(w, c, p->keep_frames, &k.keep_frames)) < 0 ||
        (rc = ser_str(w, c, p->doc_url, &k.doc_url)) < 0)
        return rc;
    return seriestab_kind(&w->ser, &k, kid);
}

/* ---- stacks -------------------------------------------------------------- */

/* The child of `parent` for pprof location index li. */
static inline int stack_step(kiln_writer *w, pctx *c, uint32_t parent,
                             size_t li, uint32_t *node)
{
    uint32_t loc = c->locmap[li];
    int rc;
    if (loc == WR_NONE && (rc = intern_loc(w, c, li, &loc)) < 0)
        return rc;
    return wr_stack_child(w, parent, loc, node);
}

static int ingest(kiln_writer *w, pctx *c, const kiln_label *labels,
                  size_t nlabels)
{
    Profile *p = c->p;
    uint32_t kid, sid;
    uint32_t nt = (uint32_t)p->n_sample_type;
    int rc;

    c->strmap = wr_scratch(w, WS_STRMAP, c->nstr * sizeof(uint32_t));
    c->funcmap = wr_scratch(w, WS_FUNCMAP, p->n_function * sizeof(uint32_t));
    c->mapmap = wr_scratch(w, WS_MAPMAP, p->n_mapping * sizeof(uint32_t));
    c->locmap = wr_scratch(w, WS_LOCMAP, p->n_location * sizeof(uint32_t));
    if (!c->strmap || !c->funcmap || !c->mapmap || !c->locmap)
        return KILN_ENOMEM;
    memset(c->strmap, 0xff, c->nstr * sizeof(uint32_t));
    memset(c->funcmap, 0xff, p->n_function * sizeof(uint32_t));
    memset(c->mapmap, 0xff, p->n_mapping * sizeof(uint32_t));
    memset(c->locmap, 0xff, p->n_location * sizeof(uint32_t));

    if ((rc = intern_kind(w, c, &kid)) < 0)
        return rc;
    if ((rc = seriestab_series(&w->ser, labels, nlabels, kid, &sid)) < 0)
        return rc;
    if ((rc = wr_begin(w, p->n_sample, nt)) < 0)
        return rc;

    const Sample *prev = NULL;
    uint32_t lset = 0, link = 0;
    bool bad = false;
    uint64_t nbad = 0;
    for (size_t i = 0; i < p->n_sample; i++) {
        const Sample *s = p->sample[i];
        size_t n = s->n_location_id, k = 0;
        if ((rc = wr_grow((void **)&w->path, &w->cappath, n + 1,
                          sizeof *w->path)) < 0)
            goto fail;
        /* Reuse the root part this stack shares with the previous one
         * (pprof ids are leaf first: compare from the end). */
        if (prev && n > 0 && prev->n_location_id > 0) {
            size_t pn = prev->n_location_id, m = n < pn ? n : pn;
            const uint64_t *a = s->location_id + n, *b = prev->location_id + pn;
            while (k < m && a[-1 - (ptrdiff_t)k] == b[-1 - (ptrdiff_t)k])
                k++;
        }
        uint32_t node = k ? w->path[k - 1] : 0;
        for (size_t d = k; d < n; d++) {
            if ((rc = stack_step(w, c, node, (size_t)s->location_id[n - 1 - d],
                                 &node)) < 0)
                goto fail;
            w->path[d] = node;
        }
        if (s->n_label == 0) {
            lset = link = 0;
            bad = false;
        } else if (!prev || !same_labels(prev, s)) {
            if ((rc = sample_labels(w, c, s, &lset, &link, &bad)) < 0)
                goto fail;
        }
        nbad += bad;
        prev = s;
        if ((rc = wr_row(w, node, lset, link, s->value, nt)) < 0) {
            kiln_error_wrap(rc, "pprof: sample %zu: ", i);
            goto fail;
        }
    }
    wr_commit(w, sid, nt, p->time_nanos, p->duration_nanos);
    w->bad_links += nbad;
    return 0;
fail:
    wr_abort(w);
    return rc;
}

int kiln_writer_add_pprof(kiln_writer *w, const void *data, size_t len,
                          const kiln_label *labels, size_t nlabels)
{
    ProtobufCAllocator alloc = {wr_arena_alloc, wr_arena_nofree, &w->arena};
    const uint8_t *msg = data;
    size_t n = len;
    pctx c;
    int rc;

    memset(&c, 0, sizeof c);
    if ((rc = wr_check_labels(labels, nlabels)) < 0)
        goto out;
    if (!data || len == 0) {
        rc = EIN("empty input");
        goto out;
    }
    bool gz = is_gzip(data, len);
    if ((rc = wr_gunzip_input(&msg, &n, &w->inflated, "pprof")) < 0)
        goto out;
    if (gz && n == 0) {
        rc = EIN("empty input (gzip of nothing)");
        goto out;
    }
    c.p = perftools__profiles__profile__unpack(&alloc, n, msg);
    if (!c.p) {
        rc = w->arena.failed
                 ? kiln_error_set(KILN_ENOMEM, "pprof: out of memory "
                                  "decoding %zu bytes", n)
                 : EIN("not a valid profile.proto message");
        goto out;
    }
    if ((rc = check_profile(w, &c)) < 0)
        goto out;
    rc = ingest(w, &c, labels, nlabels);
out:
    wr_arena_reset(&w->arena);
    wr_scratch_trim(w);
    return api_return(rc);
}
