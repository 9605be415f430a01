/* pprof_decode.c: profile.proto bytes -> a pprof_doc. The message is
 * unpacked into a reusable arena, checked whole (every string index, id and
 * count), and only then copied into the doc's flat tables, so a caller
 * (ingest, pprof -> OTLP) never sees a half-valid profile. */
#include <stdlib.h>
#include <string.h>

#include "format_internal.h"
#include "profile.pb-c.h"

typedef Perftools__Profiles__Profile Profile;
typedef Perftools__Profiles__Sample Sample;
typedef Perftools__Profiles__Location Location;
typedef Perftools__Profiles__Function Function;
typedef Perftools__Profiles__Mapping Mapping;
typedef Perftools__Profiles__Label Label;

#define EIN(...) kiln_error_set(KILN_EINPUT, "pprof: " __VA_ARGS__)

static int grow(void **arr, size_t *cap, size_t need, size_t esz);

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

/* Build the map over ids[i] = *(uint64_t *)(tab[i] + off), its slots in
 * the arena. Returns the index of a duplicated id in *dup (or SIZE_MAX). */
static int idmap_build(pb_arena *a, idmap *m, void **tab, size_t n,
                       size_t off, size_t *dup)
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
    uint8_t *mem = pb_arena_alloc(a, cap * (sizeof(uint64_t) + 4));
    if (!mem)
        return nomem();
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

/* idmap_build, and a duplicated id is an error naming the table (`what`),
 * the entry and the id. */
static int idmap_table(pb_arena *a, idmap *m, void **tab, size_t n,
                       size_t off, const char *what)
{
    size_t dup;
    int rc = idmap_build(a, m, tab, n, off, &dup);

    if (rc < 0)
        return rc;
    if (dup != SIZE_MAX)
        return EIN("%s %zu: duplicate id %llu", what, dup,
                   (unsigned long long)*(const uint64_t *)(
                       (const char *)tab[dup] + off));
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

static inline bool str_ok(size_t nstr, int64_t i)
{
    return i == 0 || (i > 0 && (uint64_t)i < nstr);
}

#define CHECK_STR(idx, ...)                                                  \
    do {                                                                     \
        if (!str_ok(nstr, (idx)))                                            \
            return EIN(__VA_ARGS__);                                         \
    } while (0)

/* Check every reference the profile holds; rewrite ids into table indexes
 * in place (the message lives in the arena): a sample's location ids
 * become location indexes, a location's mapping_id becomes mapping index
 * + 1, a line's function_id function index + 1 (0 stays "none"). */
static int check_profile(pb_arena *a, Profile *p)
{
    size_t nstr = p->n_string_table;
    idmap fm, mm, lm;
    int rc;

    if (p->n_sample > KILN_MAX_SAMPLES || nstr > KILN_MAX_STRINGS)
        return kiln_error_set(KILN_ELIMIT, "pprof: %zu samples and %zu "
                              "strings (at most %zu of each)", p->n_sample,
                              nstr, KILN_MAX_SAMPLES);
    if (p->time_nanos == KILN_TIME_LAST + 1)
        return EIN("time_nanos %lld is past the last time kiln stores "
                   "(2^63 - 2 ns)", (long long)p->time_nanos);
    if (nstr > 0 && p->string_table[0].len != 0)
        return EIN("string_table[0] is not empty");
    if (nstr > UINT32_MAX || p->n_location > UINT32_MAX ||
        p->n_function > UINT32_MAX || p->n_mapping > UINT32_MAX ||
        p->n_sample > UINT32_MAX)
        return kiln_error_set(KILN_ELIMIT, "pprof: a table has over %u "
                              "entries", UINT32_MAX);
    if (p->n_sample_type > KILN_MAX_TYPES)
        return kiln_error_set(KILN_ELIMIT, "pprof: %zu sample types, at most "
                              "%d", p->n_sample_type, KILN_MAX_TYPES);
    if (p->n_sample > 0 && p->n_sample_type == 0)
        return EIN("%zu samples but no sample types", p->n_sample);
    if (p->n_sample_type == 0 && p->n_sample == 0 && nstr == 0 &&
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
    if ((rc = idmap_table(a, &mm, (void **)p->mapping, p->n_mapping,
                          offsetof(Mapping, id), "mapping")) < 0 ||
        (rc = idmap_table(a, &fm, (void **)p->function, p->n_function,
                          offsetof(Function, id), "function")) < 0 ||
        (rc = idmap_table(a, &lm, (void **)p->location, p->n_location,
                          offsetof(Location, id), "location")) < 0)
        return rc;

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

/* ---- the checked message -> the doc ------------------------------------ */

/* The string table by position, in one pass: the pool and the id arrays
 * are sized first (strtab_append per string cost about 1 % of ingest).
 * The ids are < KILN_MAX_STRINGS (checked). */
static int fill_strings(pprof_doc *d, const Profile *p)
{
    kiln_strtab *t = &d->sym.strings;
    size_t n = p->n_string_table, bytes = 0, cap = t->cap;
    int rc;

    if (n <= 1)
        return 0; /* pprof_doc_reset left "" */
    for (size_t i = 1; i < n; i++) {
        if (p->string_table[i].len > UINT32_MAX - 1)
            return kiln_error_set(KILN_ELIMIT, "pprof: string %zu of %zu "
                                  "bytes", i, p->string_table[i].len);
        bytes += p->string_table[i].len + 1;
    }
    if ((rc = kiln_buf_reserve(&t->pool, bytes)) < 0 ||
        (rc = grow((void **)&t->off, &cap, n, sizeof *t->off)) < 0)
        return rc;
    cap = t->cap;
    if ((rc = grow((void **)&t->len, &cap, n, sizeof *t->len)) < 0)
        return rc;
    t->cap = cap;
    uint8_t *pool = t->pool.data;
    size_t at = t->pool.len;
    for (size_t i = 1; i < n; i++) {
        size_t len = p->string_table[i].len;
        t->off[i] = at;
        t->len[i] = (uint32_t)len;
        if (len)
            memcpy(pool + at, p->string_table[i].data, len);
        pool[at + len] = '\0';
        at += len + 1;
    }
    t->pool.len = at;
    t->n = n;
    return 0;
}

static int fill_symbols(pprof_doc *d, const Profile *p)
{
    kiln_symtab *s = &d->sym;
    size_t nlines = 0;
    int rc;

    for (size_t i = 0; i < p->n_location; i++)
        nlines += p->location[i]->n_line;
    if (nlines > UINT32_MAX)
        return kiln_error_set(KILN_ELIMIT, "pprof: over %u lines",
                              UINT32_MAX);
    if ((rc = pprof_doc_reserve_symbols(d, p->n_mapping, p->n_function,
                                        p->n_location, nlines)) < 0)
        return rc;
    for (size_t i = 0; i < p->n_mapping; i++) {
        const Mapping *pm = p->mapping[i];
        kiln_mapping *m = &s->mappings[i];
        m->memory_start = pm->memory_start;
        m->memory_limit = pm->memory_limit;
        m->file_offset = pm->file_offset;
        m->filename = (uint32_t)pm->filename;
        m->build_id = (uint32_t)pm->build_id;
        m->flags = (pm->has_functions ? KILN_MAP_HAS_FUNCTIONS : 0) |
                   (pm->has_filenames ? KILN_MAP_HAS_FILENAMES : 0) |
                   (pm->has_line_numbers ? KILN_MAP_HAS_LINE_NUMBERS : 0) |
                   (pm->has_inline_frames ? KILN_MAP_HAS_INLINE_FRAMES : 0);
    }
    for (size_t i = 0; i < p->n_function; i++) {
        const Function *pf = p->function[i];
        kiln_function *f = &s->functions[i];
        f->name = (uint32_t)pf->name;
        f->system_name = (uint32_t)pf->system_name;
        f->filename = (uint32_t)pf->filename;
        f->start_line = pf->start_line;
    }
    nlines = 0;
    for (size_t i = 0; i < p->n_location; i++) {
        const Location *pl = p->location[i];
        kiln_location *l = &s->locations[i];
        l->address = pl->address;
        l->mapping = (uint32_t)pl->mapping_id; /* index + 1, or 0 */
        l->line_off = (uint32_t)nlines;
        l->nlines = (uint32_t)pl->n_line;
        l->is_folded = pl->is_folded ? 1 : 0;
        for (size_t j = 0; j < pl->n_line; j++) {
            kiln_line *ln = &s->lines[nlines++];
            uint64_t f1 = pl->line[j]->function_id; /* index + 1, or 0 */
            ln->function = f1 ? (uint32_t)(f1 - 1) : KILN_NOFUNC;
            ln->line = pl->line[j]->line;
            ln->column = pl->line[j]->column;
        }
    }
    s->nmappings = p->n_mapping;
    s->nfunctions = p->n_function;
    s->nlocations = p->n_location;
    s->nlines = nlines;
    return 0;
}

static int fill_kind(pprof_doc *d, const Profile *p)
{
    kiln_kind *k = &d->kind;
    size_t nt = p->n_sample_type;
    int rc;

    if ((rc = pprof_doc_set_kind(d, nt, p->n_comment)) < 0)
        return rc;
    for (size_t i = 0; i < nt; i++) {
        k->types[2 * i] = (uint32_t)p->sample_type[i]->type;
        k->types[2 * i + 1] = (uint32_t)p->sample_type[i]->unit;
    }
    for (size_t i = 0; i < p->n_comment; i++)
        k->comments[i] = (uint32_t)p->comment[i];
    d->has_period_type = p->period_type != NULL;
    if (p->period_type) {
        k->period_type[0] = (uint32_t)p->period_type->type;
        k->period_type[1] = (uint32_t)p->period_type->unit;
    }
    k->period = p->period;
    k->default_type = (uint32_t)p->default_sample_type;
    k->drop_frames = (uint32_t)p->drop_frames;
    k->keep_frames = (uint32_t)p->keep_frames;
    k->doc_url = (uint32_t)p->doc_url;
    return 0;
}

/* Samples borrow their frames (location ids, which check_profile made
 * indexes) and values from the message; labels are copied. */
static int fill_samples(pprof_doc *d, const Profile *p)
{
    size_t nlabels = 0;
    int rc;

    for (size_t i = 0; i < p->n_sample; i++)
        nlabels += p->sample[i]->n_label;
    if (nlabels > UINT32_MAX)
        return kiln_error_set(KILN_ELIMIT, "pprof: over %u labels in all",
                              UINT32_MAX);
    if ((rc = pprof_doc_reserve_samples(d, p->n_sample, 0, 0, nlabels)) < 0)
        return rc;
    nlabels = 0;
    for (size_t i = 0; i < p->n_sample; i++) {
        const Sample *ps = p->sample[i];
        pprof_sample *s = &d->samples[i];
        s->locs = ps->location_id;
        s->nlocs = (uint32_t)ps->n_location_id;
        s->values = ps->value;
        s->lab_off = (uint32_t)nlabels;
        s->nlabels = (uint32_t)ps->n_label;
        for (size_t j = 0; j < ps->n_label; j++) {
            const Label *lb = ps->label[j];
            kiln_label_ent *e = &d->labels[nlabels++];
            e->key = (uint32_t)lb->key;
            e->str = (uint32_t)lb->str;
            e->num = lb->num;
            e->num_unit = (uint32_t)lb->num_unit;
        }
    }
    d->nsamples = p->n_sample;
    d->nlabels = nlabels;
    d->time = p->time_nanos;
    d->duration = p->duration_nanos;
    return 0;
}

int pprof_decode(pprof_doc *doc, const void *data, size_t n)
{
    ProtobufCAllocator alloc = {pb_arena_alloc, pb_arena_nofree, &doc->arena};
    Profile *p;
    int rc;

    pb_arena_reset(&doc->arena);
    p = perftools__profiles__profile__unpack(&alloc, n, data);
    if (!p) {
        rc = doc->arena.failed
                 ? kiln_error_set(KILN_ENOMEM, "pprof: out of memory "
                                  "decoding %zu bytes", n)
                 : EIN("not a valid profile.proto message");
        goto out;
    }
    if ((rc = check_profile(&doc->arena, p)) < 0 ||
        (rc = pprof_doc_reset(doc)) < 0 || (rc = fill_strings(doc, p)) < 0 ||
        (rc = fill_symbols(doc, p)) < 0 || (rc = fill_kind(doc, p)) < 0 ||
        (rc = fill_samples(doc, p)) < 0)
        goto out;
out:
    return rc; /* the arena holds the samples' frames and values */
}

/* ---- the doc's memory --------------------------------------------------- */

/* Grow *arr (of *cap elements of esz bytes) to hold need. */
static int grow(void **arr, size_t *cap, size_t need, size_t esz)
{
    if (need <= *cap && *arr)
        return 0;
    size_t c = *cap ? *cap : 16;
    while (c < need)
        c *= 2;
    if (c > SIZE_MAX / esz)
        return nomem();
    void *q = realloc(*arr, c * esz);
    if (!q)
        return nomem();
    *arr = q;
    *cap = c;
    return 0;
}

#define GROW(arr, cap, need) \
    grow((void **)&(arr), &(cap), (need), sizeof *(arr))

int pprof_doc_reserve_symbols(pprof_doc *d, size_t nmappings,
                              size_t nfunctions, size_t nlocations,
                              size_t nlines)
{
    kiln_symtab *s = &d->sym;
    int rc;

    if ((rc = GROW(s->mappings, s->capmappings, nmappings)) < 0 ||
        (rc = GROW(s->functions, s->capfunctions, nfunctions)) < 0 ||
        (rc = GROW(s->locations, s->caplocations, nlocations)) < 0 ||
        (rc = GROW(s->lines, s->caplines, nlines)) < 0)
        return rc;
    return 0;
}

int pprof_doc_reserve_samples(pprof_doc *d, size_t nsamples, size_t ntypes,
                              size_t nlocs, size_t nlabels)
{
    int rc;

    if (ntypes && nsamples > SIZE_MAX / ntypes)
        return nomem();
    if ((rc = GROW(d->samples, d->capsamples, nsamples)) < 0 ||
        (rc = GROW(d->locs, d->caplocs, nlocs)) < 0 ||
        (rc = GROW(d->values, d->capvalues, nsamples * ntypes)) < 0 ||
        (rc = GROW(d->labels, d->caplabels, nlabels)) < 0)
        return rc;
    return 0;
}

int pprof_doc_set_kind(pprof_doc *d, size_t ntypes, size_t ncomments)
{
    kiln_kind *k = &d->kind;
    int rc;

    if ((rc = GROW(d->kind_ids, d->capkind_ids, 2 * ntypes + ncomments)) < 0)
        return rc;
    memset(k, 0, sizeof *k);
    k->ntypes = (uint32_t)ntypes;
    k->types = d->kind_ids;
    k->comments = d->kind_ids + 2 * ntypes;
    k->ncomments = (uint32_t)ncomments;
    return 0;
}

int pprof_doc_reset(pprof_doc *d)
{
    kiln_symtab *s = &d->sym;

    s->strings.n = 0;
    s->strings.pool.len = 0;
    s->nmappings = s->nfunctions = s->nlocations = s->nlines = 0;
    d->nsamples = d->nlocs = d->nvalues = d->nlabels = 0;
    memset(&d->kind, 0, sizeof d->kind);
    d->has_period_type = false;
    d->time = d->duration = 0;
    return strtab_append(&s->strings, "", 0);
}

void pprof_doc_free(pprof_doc *d)
{
    if (!d)
        return;
    symtab_free(&d->sym);
    free(d->samples);
    free(d->locs);
    free(d->values);
    free(d->labels);
    free(d->kind_ids);
    pb_arena_free(&d->arena);
    memset(d, 0, sizeof *d);
}

void pprof_doc_trim(pprof_doc *d, size_t keep)
{
    const kiln_symtab *s = &d->sym;
    size_t held = d->arena.total + s->strings.pool.cap +
                  s->strings.cap * (sizeof(uint64_t) + sizeof(uint32_t)) +
                  s->capmappings * sizeof *s->mappings +
                  s->capfunctions * sizeof *s->functions +
                  s->caplocations * sizeof *s->locations +
                  s->caplines * sizeof *s->lines +
                  d->capsamples * sizeof *d->samples +
                  d->caplocs * sizeof *d->locs +
                  d->capvalues * sizeof *d->values +
                  d->caplabels * sizeof *d->labels;
    if (held > keep)
        pprof_doc_free(d);
}
