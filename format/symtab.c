/* symtab.c: the symbols section (spec/symbols.md): strings, mappings,
 * functions, locations with their lines, and sample label sets, each
 * deduplicated across the block and stored column-wise. The decoder checks
 * every cross-reference so readers index the arrays without checks. */
#include <stdlib.h>
#include <string.h>

#include "format_internal.h"

/* Limits (spec/symbols.md, "Limits"): entries per table and in total. */
#define MAX_TABLE (1u << 26)
#define MAX_TOTAL (1u << 28)

#define GROW(arr, n, cap)                                                   \
    do {                                                                    \
        if ((n) == (cap)) {                                                 \
            size_t ncap_ = (cap) ? (cap) * 2 : 64;                          \
            void *p_ = realloc((arr), ncap_ * sizeof *(arr));               \
            if (!p_) {                                                      \
                rc = kiln_error_set(KILN_ENOMEM, "symbols: %zu entries",    \
                                    ncap_);                                 \
                goto out;                                                   \
            }                                                               \
            (arr) = p_;                                                     \
            (cap) = ncap_;                                                  \
        }                                                                   \
    } while (0)

int symtab_init(kiln_symtab *st)
{
    int rc;

    memset(st, 0, sizeof *st);
    if ((rc = strtab_init(&st->strings)) < 0)
        return rc;
    /* Label set 0 is the empty set. */
    st->lsets = calloc(64, sizeof *st->lsets);
    if (!st->lsets) {
        strtab_free(&st->strings);
        return kiln_error_set(KILN_ENOMEM, "symbols: label sets");
    }
    st->caplsets = 64;
    st->nlsets = 1;
    return 0;
}

void symtab_free(kiln_symtab *st)
{
    if (!st)
        return;
    strtab_free(&st->strings);
    free(st->mappings);
    free(st->functions);
    free(st->lines);
    free(st->locations);
    free(st->labels);
    free(st->lsets);
    htab_free(&st->mapping_index);
    htab_free(&st->function_index);
    htab_free(&st->location_index);
    htab_free(&st->lset_index);
    memset(st, 0, sizeof *st);
}

/* ---- hashing and equality of each entry kind ---- */

static uint64_t hash_mapping(const kiln_mapping *m)
{
    uint64_t k[5] = {m->memory_start, m->memory_limit, m->file_offset,
                     (uint64_t)m->filename << 32 | m->build_id, m->flags};
    return hash64(k, sizeof k, 1);
}

static bool mapping_eq(const void *ctx, uint32_t id, const void *key)
{
    const kiln_mapping *a = &((const kiln_symtab *)ctx)->mappings[id];
    const kiln_mapping *b = key;

    return a->memory_start == b->memory_start &&
           a->memory_limit == b->memory_limit &&
           a->file_offset == b->file_offset && a->filename == b->filename &&
           a->build_id == b->build_id && a->flags == b->flags;
}

static uint64_t hash_function(const kiln_function *f)
{
    uint64_t k[3] = {(uint64_t)f->name << 32 | f->system_name, f->filename,
                     (uint64_t)f->start_line};
    return hash64(k, sizeof k, 2);
}

static bool function_eq(const void *ctx, uint32_t id, const void *key)
{
    const kiln_function *a = &((const kiln_symtab *)ctx)->functions[id];
    const kiln_function *b = key;

    return a->name == b->name && a->system_name == b->system_name &&
           a->filename == b->filename && a->start_line == b->start_line;
}

typedef struct lockey {
    uint64_t address;
    uint32_t mapping, is_folded, nlines;
    const kiln_line *lines;
} lockey;

static uint64_t hash_location(const lockey *k)
{
    uint64_t h[3] = {k->address, (uint64_t)k->mapping << 32 | k->is_folded,
                     k->nlines};
    uint64_t x = hash64(h, sizeof h, 3);

    for (uint32_t i = 0; i < k->nlines; i++) {
        uint64_t l[3] = {k->lines[i].function, (uint64_t)k->lines[i].line,
                         (uint64_t)k->lines[i].column};
        x = hash64(l, sizeof l, x);
    }
    return x;
}

static bool location_eq(const void *ctx, uint32_t id, const void *key)
{
    const kiln_symtab *st = ctx;
    const kiln_location *a = &st->locations[id];
    const lockey *b = key;

    if (a->address != b->address || a->mapping != b->mapping ||
        a->is_folded != b->is_folded || a->nlines != b->nlines)
        return false;
    for (uint32_t i = 0; i < b->nlines; i++) {
        const kiln_line *x = &st->lines[a->line_off + i], *y = &b->lines[i];
        if (x->function != y->function || x->line != y->line ||
            x->column != y->column)
            return false;
    }
    return true;
}

typedef struct lskey {
    const kiln_label_ent *ents;
    uint32_t n;
} lskey;

static uint64_t hash_lset(const lskey *k)
{
    uint64_t x = hash64(&k->n, sizeof k->n, 4);

    for (uint32_t i = 0; i < k->n; i++) {
        uint64_t e[3] = {(uint64_t)k->ents[i].key << 32 | k->ents[i].str,
                         (uint64_t)k->ents[i].num, k->ents[i].num_unit};
        x = hash64(e, sizeof e, x);
    }
    return x;
}

static bool lset_eq(const void *ctx, uint32_t id, const void *key)
{
    const kiln_symtab *st = ctx;
    const kiln_labelset *a = &st->lsets[id];
    const lskey *b = key;

    if (a->n != b->n)
        return false;
    for (uint32_t i = 0; i < b->n; i++) {
        const kiln_label_ent *x = &st->labels[a->off + i], *y = &b->ents[i];
        if (x->key != y->key || x->str != y->str || x->num != y->num ||
            x->num_unit != y->num_unit)
            return false;
    }
    return true;
}

/* ---- lazy indexes: a decoded table has none until the first intern ---- */

static int reindex(kiln_symtab *st, int which)
{
    kiln_htab *h;
    size_t n;
    uint32_t dummy;
    size_t slot;
    int rc;

    switch (which) {
    case 0: h = &st->mapping_index; n = st->nmappings; break;
    case 1: h = &st->function_index; n = st->nfunctions; break;
    case 2: h = &st->location_index; n = st->nlocations; break;
    default: h = &st->lset_index; n = st->nlsets; break;
    }
    if (h->cap != 0 || n == 0) /* built, and kept complete by each intern */
        return 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t hv;
        switch (which) {
        case 0:
            hv = hash_mapping(&st->mappings[i]);
            rc = htab_find(h, hv, mapping_eq, st, &st->mappings[i], &dummy, &slot);
            break;
        case 1:
            hv = hash_function(&st->functions[i]);
            rc = htab_find(h, hv, function_eq, st, &st->functions[i], &dummy, &slot);
            break;
        case 2: {
            const kiln_location *l = &st->locations[i];
            lockey k = {l->address, l->mapping, l->is_folded, l->nlines,
                        st->lines + l->line_off};
            hv = hash_location(&k);
            rc = htab_find(h, hv, location_eq, st, &k, &dummy, &slot);
            break;
        }
        default: {
            /* no labels at all: NULL, not NULL + 0 (undefined in C) */
            lskey k = {st->labels ? st->labels + st->lsets[i].off : NULL,
                       st->lsets[i].n};
            hv = hash_lset(&k);
            rc = htab_find(h, hv, lset_eq, st, &k, &dummy, &slot);
            break;
        }
        }
        if (rc < 0)
            return rc;
        if (rc == 0 && (rc = htab_insert(h, hv, slot, (uint32_t)i)) < 0)
            return rc;
    }
    return 0;
}

/* ---- interning ---- */

int symtab_mapping(kiln_symtab *st, const kiln_mapping *m, uint32_t *id)
{
    uint64_t h = hash_mapping(m);
    size_t slot;
    int rc;

    if (m->filename >= st->strings.n || m->build_id >= st->strings.n)
        return kiln_error_set(KILN_EINVAL, "symbols: mapping string id out of range");
    if ((rc = reindex(st, 0)) < 0)
        return rc;
    rc = htab_find(&st->mapping_index, h, mapping_eq, st, m, id, &slot);
    if (rc != 0)
        return rc < 0 ? rc : 0;
    if (st->nmappings >= MAX_TABLE)
        return kiln_error_set(KILN_ELIMIT, "symbols: more than %u mappings", MAX_TABLE);
    GROW(st->mappings, st->nmappings, st->capmappings);
    st->mappings[st->nmappings] = *m;
    *id = (uint32_t)st->nmappings++;
    rc = htab_insert(&st->mapping_index, h, slot, *id);
out:
    return rc;
}

int symtab_function(kiln_symtab *st, const kiln_function *f,
                         uint32_t *id)
{
    uint64_t h = hash_function(f);
    size_t slot;
    int rc;

    if (f->name >= st->strings.n || f->system_name >= st->strings.n ||
        f->filename >= st->strings.n)
        return kiln_error_set(KILN_EINVAL, "symbols: function string id out of range");
    if ((rc = reindex(st, 1)) < 0)
        return rc;
    rc = htab_find(&st->function_index, h, function_eq, st, f, id, &slot);
    if (rc != 0)
        return rc < 0 ? rc : 0;
    if (st->nfunctions >= MAX_TABLE)
        return kiln_error_set(KILN_ELIMIT, "symbols: more than %u functions", MAX_TABLE);
    GROW(st->functions, st->nfunctions, st->capfunctions);
    st->functions[st->nfunctions] = *f;
    *id = (uint32_t)st->nfunctions++;
    rc = htab_insert(&st->function_index, h, slot, *id);
out:
    return rc;
}

int symtab_location(kiln_symtab *st, uint64_t address, uint32_t mapping,
                         const kiln_line *lines, uint32_t nlines,
                         uint32_t is_folded, uint32_t *id)
{
    lockey k = {address, mapping, is_folded ? 1 : 0, nlines, lines};
    uint64_t h = hash_location(&k);
    size_t slot;
    int rc;

    if (mapping > st->nmappings)
        return kiln_error_set(KILN_EINVAL, "symbols: location mapping %u out of range", mapping);
    for (uint32_t i = 0; i < nlines; i++)
        if (lines[i].function >= st->nfunctions &&
            lines[i].function != KILN_NOFUNC)
            return kiln_error_set(KILN_EINVAL, "symbols: line function %u out of range",
                                  lines[i].function);
    if ((rc = reindex(st, 2)) < 0)
        return rc;
    rc = htab_find(&st->location_index, h, location_eq, st, &k, id, &slot);
    if (rc != 0)
        return rc < 0 ? rc : 0;
    if (st->nlocations >= MAX_TABLE || st->nlines + nlines > MAX_TOTAL)
        return kiln_error_set(KILN_ELIMIT, "symbols: too many locations or lines");
    GROW(st->locations, st->nlocations, st->caplocations);
    if (st->nlines + nlines > st->caplines) {
        size_t cap = st->caplines ? st->caplines : 64;
        while (cap < st->nlines + nlines)
            cap *= 2;
        kiln_line *p = realloc(st->lines, cap * sizeof *p);
        if (!p)
            return kiln_error_set(KILN_ENOMEM, "symbols: %zu lines", cap);
        st->lines = p;
        st->caplines = cap;
    }
    if (nlines)
        memcpy(st->lines + st->nlines, lines, nlines * sizeof *lines);
    kiln_location *l = &st->locations[st->nlocations];
    l->address = address;
    l->mapping = mapping;
    l->line_off = (uint32_t)st->nlines;
    l->nlines = nlines;
    l->is_folded = k.is_folded;
    st->nlines += nlines;
    *id = (uint32_t)st->nlocations++;
    rc = htab_insert(&st->location_index, h, slot, *id);
out:
    return rc;
}

static int ent_cmp(const void *pa, const void *pb)
{
    const kiln_label_ent *a = pa, *b = pb;

    if (a->key != b->key) return a->key < b->key ? -1 : 1;
    if (a->str != b->str) return a->str < b->str ? -1 : 1;
    if (a->num != b->num) return a->num < b->num ? -1 : 1;
    if (a->num_unit != b->num_unit) return a->num_unit < b->num_unit ? -1 : 1;
    return 0;
}

int symtab_labelset(kiln_symtab *st, const kiln_label_ent *ents,
                         uint32_t n, uint32_t *id)
{
    kiln_label_ent *copy = NULL;
    size_t slot;
    int rc;

    for (uint32_t i = 0; i < n; i++)
        if (ents[i].key >= st->strings.n || ents[i].str >= st->strings.n ||
            ents[i].num_unit >= st->strings.n)
            return kiln_error_set(KILN_EINVAL, "symbols: label string id out of range");
    if (n == 0) {
        *id = 0;
        return 0;
    }
    copy = malloc(n * sizeof *copy);
    if (!copy)
        return kiln_error_set(KILN_ENOMEM, "symbols: label set of %u", n);
    memcpy(copy, ents, n * sizeof *copy);
    qsort(copy, n, sizeof *copy, ent_cmp);
    lskey k = {copy, n};
    uint64_t h = hash_lset(&k);
    if ((rc = reindex(st, 3)) < 0)
        goto out;
    rc = htab_find(&st->lset_index, h, lset_eq, st, &k, id, &slot);
    if (rc != 0) {
        rc = rc < 0 ? rc : 0;
        goto out;
    }
    if (st->nlsets >= MAX_TABLE || st->nlabels + n > MAX_TOTAL) {
        rc = kiln_error_set(KILN_ELIMIT, "symbols: too many label sets");
        goto out;
    }
    GROW(st->lsets, st->nlsets, st->caplsets);
    if (st->nlabels + n > st->caplabels) {
        size_t cap = st->caplabels ? st->caplabels : 64;
        while (cap < st->nlabels + n)
            cap *= 2;
        kiln_label_ent *p = realloc(st->labels, cap * sizeof *p);
        if (!p) {
            rc = kiln_error_set(KILN_ENOMEM, "symbols: %zu labels", cap);
            goto out;
        }
        st->labels = p;
        st->caplabels = cap;
    }
    memcpy(st->labels + st->nlabels, copy, n * sizeof *copy);
    st->lsets[st->nlsets].off = (uint32_t)st->nlabels;
    st->lsets[st->nlsets].n = n;
    st->nlabels += n;
    *id = (uint32_t)st->nlsets++;
    rc = htab_insert(&st->lset_index, h, slot, *id);
out:
    free(copy);
    return rc;
}

/* ---- encoding ---- */

/* Gather one uint32 field of n structs into a column. */
#define COL_U32(out, arr, n, field, tmp)                                    \
    do {                                                                    \
        for (size_t i_ = 0; i_ < (n); i_++)                                 \
            (tmp)[i_] = (arr)[i_].field;                                    \
        if ((rc = col_encode_u32((out), (tmp), (n), KILN_COL_PLAIN)) < 0) \
            goto out;                                                       \
    } while (0)
#define COL_I64(out, arr, n, expr, tmp)                                     \
    do {                                                                    \
        for (size_t i_ = 0; i_ < (n); i_++)                                 \
            (tmp)[i_] = (int64_t)(expr);                                    \
        if ((rc = col_encode((out), (tmp), (n), KILN_COL_PLAIN)) < 0)  \
            goto out;                                                       \
    } while (0)

int symtab_encode(const kiln_symtab *st, kiln_buf *out)
{
    size_t most = st->nmappings;
    uint32_t *t32 = NULL;
    int64_t *t64 = NULL;
    int rc;

    if (st->nfunctions > most) most = st->nfunctions;
    if (st->nlocations > most) most = st->nlocations;
    if (st->nlines > most) most = st->nlines;
    if (st->nlabels > most) most = st->nlabels;
    if (st->nlsets > most) most = st->nlsets;
    t32 = malloc((most + 1) * sizeof *t32);
    t64 = malloc((most + 1) * sizeof *t64);
    if (!t32 || !t64) {
        rc = kiln_error_set(KILN_ENOMEM, "symbols: encode %zu entries", most);
        goto out;
    }
    if ((rc = strtab_encode(&st->strings, out)) < 0)
        goto out;

    const kiln_mapping *m = st->mappings;
    if ((rc = put_uvarint(out, st->nmappings)) < 0)
        goto out;
    COL_I64(out, m, st->nmappings, m[i_].memory_start, t64);
    COL_I64(out, m, st->nmappings, m[i_].memory_limit - m[i_].memory_start, t64);
    COL_I64(out, m, st->nmappings, m[i_].file_offset, t64);
    COL_U32(out, m, st->nmappings, filename, t32);
    COL_U32(out, m, st->nmappings, build_id, t32);
    COL_U32(out, m, st->nmappings, flags, t32);

    const kiln_function *f = st->functions;
    if ((rc = put_uvarint(out, st->nfunctions)) < 0)
        goto out;
    COL_U32(out, f, st->nfunctions, name, t32);
    COL_U32(out, f, st->nfunctions, system_name, t32);
    COL_U32(out, f, st->nfunctions, filename, t32);
    COL_I64(out, f, st->nfunctions, f[i_].start_line, t64);

    const kiln_location *l = st->locations;
    if ((rc = put_uvarint(out, st->nlocations)) < 0)
        goto out;
    COL_I64(out, l, st->nlocations, l[i_].address, t64);
    COL_U32(out, l, st->nlocations, mapping, t32);
    COL_U32(out, l, st->nlocations, nlines, t32);
    COL_U32(out, l, st->nlocations, is_folded, t32);
    /* Lines in location order (line_off is implied by the counts). */
    size_t nl = 0;
    for (size_t i = 0; i < st->nlocations; i++)
        for (uint32_t j = 0; j < l[i].nlines; j++)
            t32[nl++] = st->lines[l[i].line_off + j].function == KILN_NOFUNC
                            ? (uint32_t)st->nfunctions /* "none", see spec */
                            : st->lines[l[i].line_off + j].function;
    if ((rc = col_encode_u32(out, t32, nl, KILN_COL_PLAIN)) < 0)
        goto out;
    nl = 0;
    for (size_t i = 0; i < st->nlocations; i++)
        for (uint32_t j = 0; j < l[i].nlines; j++)
            t64[nl++] = st->lines[l[i].line_off + j].line;
    if ((rc = col_encode(out, t64, nl, KILN_COL_PLAIN)) < 0)
        goto out;
    nl = 0;
    for (size_t i = 0; i < st->nlocations; i++)
        for (uint32_t j = 0; j < l[i].nlines; j++)
            t64[nl++] = st->lines[l[i].line_off + j].column;
    if ((rc = col_encode(out, t64, nl, KILN_COL_PLAIN)) < 0)
        goto out;

    const kiln_labelset *s = st->lsets;
    size_t nls = st->nlsets ? st->nlsets : 1;
    if ((rc = put_uvarint(out, nls - 1)) < 0)
        goto out;
    COL_U32(out, s + 1, nls - 1, n, t32);
    nl = 0;
    for (size_t i = 1; i < nls; i++)
        for (uint32_t j = 0; j < s[i].n; j++)
            t32[nl++] = st->labels[s[i].off + j].key;
    if ((rc = col_encode_u32(out, t32, nl, KILN_COL_PLAIN)) < 0)
        goto out;
    nl = 0;
    for (size_t i = 1; i < nls; i++)
        for (uint32_t j = 0; j < s[i].n; j++)
            t32[nl++] = st->labels[s[i].off + j].str;
    if ((rc = col_encode_u32(out, t32, nl, KILN_COL_PLAIN)) < 0)
        goto out;
    nl = 0;
    for (size_t i = 1; i < nls; i++)
        for (uint32_t j = 0; j < s[i].n; j++)
            t64[nl++] = st->labels[s[i].off + j].num;
    if ((rc = col_encode(out, t64, nl, KILN_COL_PLAIN)) < 0)
        goto out;
    nl = 0;
    for (size_t i = 1; i < nls; i++)
        for (uint32_t j = 0; j < s[i].n; j++)
            t32[nl++] = st->labels[s[i].off + j].num_unit;
    if ((rc = col_encode_u32(out, t32, nl, KILN_COL_PLAIN)) < 0)
        goto out;
    rc = 0;
out:
    free(t32);
    free(t64);
    return rc;
}

/* ---- decoding ---- */

static int check_ids(kiln_cur *c, uint64_t off, const uint32_t *v, size_t n,
                     size_t limit, const char *field)
{
    for (size_t i = 0; i < n; i++)
        if (v[i] >= limit)
            return kiln_error_set(KILN_ECORRUPT,
                                  "%s: %s %u of entry %zu out of range (%zu) in column at offset %llu",
                                  c->what, field, v[i], i, limit,
                                  (unsigned long long)off);
    return 0;
}

/* Decode a u32 column into a scratch array, check ids < limit. */
#define GET_U32(field_name, n, limit)                                       \
    do {                                                                    \
        coloff = cur_off(&c);                                          \
        if ((rc = col_decode_u32(&c, t32, (n))) < 0)                   \
            goto out;                                                       \
        if ((rc = check_ids(&c, coloff, t32, (n), (limit), field_name)) < 0) \
            goto out;                                                       \
    } while (0)
#define GET_I64(n)                                                          \
    do {                                                                    \
        if ((rc = col_decode(&c, t64, (n))) < 0)                       \
            goto out;                                                       \
    } while (0)

/* A table's entries are distinct, so n of them need at least log2(n) bits
 * each: n <= 8 * bytes left + 256 is a safe bound that stops a forged count
 * from allocating gigabytes before the columns are read. */
static int get_table_count(kiln_cur *c, const char *field, uint64_t *n)
{
    uint64_t max = (uint64_t)cur_left(c) * 8 + 256;

    return get_count(c, max < MAX_TABLE ? max : MAX_TABLE, field, n);
}

int symtab_decode(kiln_symtab *st, const void *p, size_t n)
{
    kiln_cur c;
    uint32_t *t32 = NULL;
    int64_t *t64 = NULL;
    size_t tcap = 0;
    uint64_t cnt, coloff;
    int rc;

    memset(st, 0, sizeof *st);
    cur_init(&c, p, n, "section symbols");
    if ((rc = strtab_decode(&st->strings, &c)) < 0)
        goto out;
    size_t nstr = st->strings.n;

#define SCRATCH(k)                                                          \
    do {                                                                    \
        if ((k) + 1 > tcap) {                                               \
            tcap = (k) + 1;                                                 \
            free(t32); free(t64);                                           \
            t32 = malloc(tcap * sizeof *t32);                               \
            t64 = malloc(tcap * sizeof *t64);                               \
            if (!t32 || !t64) {                                             \
                rc = kiln_error_set(KILN_ENOMEM, "symbols: %zu entries", tcap); \
                goto out;                                                   \
            }                                                               \
        }                                                                   \
    } while (0)
#define ALLOC(arr, k, capf)                                                 \
    do {                                                                    \
        (arr) = calloc((k) ? (k) : 1, sizeof *(arr));                       \
        if (!(arr)) {                                                       \
            rc = kiln_error_set(KILN_ENOMEM, "symbols: %zu entries", (size_t)(k)); \
            goto out;                                                       \
        }                                                                   \
        (capf) = (k) ? (k) : 1;                                             \
    } while (0)

    /* mappings */
    if ((rc = get_table_count(&c, "mapping count", &cnt)) < 0)
        goto out;
    size_t nm = (size_t)cnt;
    SCRATCH(nm);
    ALLOC(st->mappings, nm, st->capmappings);
    GET_I64(nm);
    for (size_t i = 0; i < nm; i++) st->mappings[i].memory_start = (uint64_t)t64[i];
    GET_I64(nm);
    for (size_t i = 0; i < nm; i++)
        st->mappings[i].memory_limit = st->mappings[i].memory_start + (uint64_t)t64[i];
    GET_I64(nm);
    for (size_t i = 0; i < nm; i++) st->mappings[i].file_offset = (uint64_t)t64[i];
    GET_U32("mapping filename", nm, nstr);
    for (size_t i = 0; i < nm; i++) st->mappings[i].filename = t32[i];
    GET_U32("mapping build id", nm, nstr);
    for (size_t i = 0; i < nm; i++) st->mappings[i].build_id = t32[i];
    GET_U32("mapping flags", nm, 16);
    for (size_t i = 0; i < nm; i++) st->mappings[i].flags = t32[i];
    st->nmappings = nm;

    /* functions */
    if ((rc = get_table_count(&c, "function count", &cnt)) < 0)
        goto out;
    size_t nf = (size_t)cnt;
    SCRATCH(nf);
    ALLOC(st->functions, nf, st->capfunctions);
    GET_U32("function name", nf, nstr);
    for (size_t i = 0; i < nf; i++) st->functions[i].name = t32[i];
    GET_U32("function system name", nf, nstr);
    for (size_t i = 0; i < nf; i++) st->functions[i].system_name = t32[i];
    GET_U32("function filename", nf, nstr);
    for (size_t i = 0; i < nf; i++) st->functions[i].filename = t32[i];
    GET_I64(nf);
    for (size_t i = 0; i < nf; i++) st->functions[i].start_line = t64[i];
    st->nfunctions = nf;

    /* locations and their lines */
    if ((rc = get_table_count(&c, "location count", &cnt)) < 0)
        goto out;
    size_t nlo = (size_t)cnt;
    SCRATCH(nlo);
    ALLOC(st->locations, nlo, st->caplocations);
    GET_I64(nlo);
    for (size_t i = 0; i < nlo; i++) st->locations[i].address = (uint64_t)t64[i];
    GET_U32("location mapping", nlo, nm + 1);
    for (size_t i = 0; i < nlo; i++) st->locations[i].mapping = t32[i];
    GET_U32("location line count", nlo, MAX_TOTAL);
    uint64_t total = 0;
    for (size_t i = 0; i < nlo; i++) {
        st->locations[i].line_off = (uint32_t)total;
        st->locations[i].nlines = t32[i];
        total += t32[i];
        if (total > MAX_TOTAL) {
            rc = kiln_error_set(KILN_ECORRUPT, "%s: more than %u lines",
                                c.what, MAX_TOTAL);
            goto out;
        }
    }
    GET_U32("location folded flag", nlo, 2);
    for (size_t i = 0; i < nlo; i++) st->locations[i].is_folded = t32[i];
    st->nlocations = nlo;
    size_t nli = (size_t)total;
    SCRATCH(nli);
    ALLOC(st->lines, nli, st->caplines);
    GET_U32("line function", nli, nf + 1); /* nf: no function */
    for (size_t i = 0; i < nli; i++)
        st->lines[i].function = t32[i] == nf ? KILN_NOFUNC : t32[i];
    GET_I64(nli);
    for (size_t i = 0; i < nli; i++) st->lines[i].line = t64[i];
    GET_I64(nli);
    for (size_t i = 0; i < nli; i++) st->lines[i].column = t64[i];
    st->nlines = nli;

    /* label sets (set 0, the empty one, is implicit) */
    if ((rc = get_table_count(&c, "label set count", &cnt)) < 0)
        goto out;
    if (cnt >= MAX_TABLE) {
        rc = corrupt(c.what, cur_off(&c), "too many label sets");
        goto out;
    }
    size_t nls = (size_t)cnt + 1;
    SCRATCH(nls);
    ALLOC(st->lsets, nls, st->caplsets);
    GET_U32("label set size", nls - 1, MAX_TOTAL);
    total = 0;
    for (size_t i = 1; i < nls; i++) {
        st->lsets[i].off = (uint32_t)total;
        st->lsets[i].n = t32[i - 1];
        total += t32[i - 1];
        if (total > MAX_TOTAL) {
            rc = kiln_error_set(KILN_ECORRUPT, "%s: more than %u labels",
                                c.what, MAX_TOTAL);
            goto out;
        }
    }
    st->nlsets = nls;
    size_t nlab = (size_t)total;
    SCRATCH(nlab);
    ALLOC(st->labels, nlab, st->caplabels);
    GET_U32("label key", nlab, nstr);
    for (size_t i = 0; i < nlab; i++) st->labels[i].key = t32[i];
    GET_U32("label string", nlab, nstr);
    for (size_t i = 0; i < nlab; i++) st->labels[i].str = t32[i];
    GET_I64(nlab);
    for (size_t i = 0; i < nlab; i++) st->labels[i].num = t64[i];
    GET_U32("label unit", nlab, nstr);
    for (size_t i = 0; i < nlab; i++) st->labels[i].num_unit = t32[i];
    st->nlabels = nlab;

    if (cur_left(&c) != 0) {
        rc = corrupt(c.what, cur_off(&c), "trailing bytes");
        goto out;
    }
    rc = 0;
out:
    free(t32);
    free(t64);
    if (rc < 0)
        symtab_free(st);
    return rc;
}
