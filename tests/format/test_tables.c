/* test_tables.c: string table, symbols, stacks and series: interning
 * deduplicates, encodings round-trip, and decoders refuse truncation,
 * dangling references and garbage with KILN_ECORRUPT. */
#include "fmt_test.h"

/* Decode every proper prefix and a few thousand single-byte corruptions of
 * an encoding; a prefix must be KILN_ECORRUPT, a flip KILN_ECORRUPT or a
 * clean decode (a flipped id may still be in range). */
typedef int (*decode_fn)(const uint8_t *p, size_t n);

static void hammer(const kiln_buf *enc, decode_fn dec)
{
    for (size_t len = 0; len < enc->len; len++) {
        uint8_t *p = dup_exact(enc->data, len);
        cr_assert(eq(int, dec(p, len), KILN_ECORRUPT), "prefix %zu of %zu: %s",
                  len, enc->len, kiln_error_last());
        free(p);
    }
    uint64_t s = enc->len;
    size_t flips = enc->len * 8 < 4000 ? enc->len * 8 : 4000;
    for (size_t k = 0; k < flips; k++) {
        uint8_t *p = dup_exact(enc->data, enc->len);
        size_t at = (size_t)(rng_next(&s) % enc->len);
        p[at] ^= (uint8_t)(1u << (rng_next(&s) % 8));
        int rc = dec(p, enc->len);
        cr_assert(rc == 0 || rc == KILN_ECORRUPT, "flip at %zu gave %d", at, rc);
        free(p);
    }
    uint8_t *p = dup_exact(enc->data, enc->len + 1);
    free(p);
    /* A trailing byte is refused too. */
    p = malloc(enc->len + 1);
    memcpy(p, enc->data, enc->len);
    p[enc->len] = 0;
    cr_assert(eq(int, dec(p, enc->len + 1), KILN_ECORRUPT));
    free(p);
}

/* ---- string table ---- */

Test(format_strtab, interning_deduplicates_and_keeps_bytes)
{
    kiln_strtab t;
    uint32_t a, b, c, e;

    cr_assert(eq(int, strtab_init(&t), 0));
    cr_assert(eq(int, strtab_intern(&t, "", 0, &e), 0));
    cr_assert(eq(u32, e, 0));
    cr_assert(eq(int, strtab_intern(&t, "abc", 3, &a), 0));
    cr_assert(eq(int, strtab_intern(&t, "a\0\xff", 3, &b), 0));
    cr_assert(eq(int, strtab_intern(&t, "abc", 3, &c), 0));
    cr_assert(eq(u32, a, 1));
    cr_assert(eq(u32, b, 2));
    cr_assert(eq(u32, c, a));
    cr_assert(eq(sz, t.n, 3));
    cr_assert(eq(str, (char *)strtab_get(&t, a), "abc"));
    cr_assert(eq(int, memcmp(strtab_get(&t, b), "a\0\xff\0", 4), 0));
    cr_assert(eq(int, strtab_lookup(&t, "abc", 3, &c), 1));
    cr_assert(eq(int, strtab_lookup(&t, "abd", 3, &c), 0));
    /* Many strings force the index to grow. */
    for (int i = 0; i < 5000; i++) {
        char s[32];
        int n = snprintf(s, sizeof s, "fn_%d", i);
        cr_assert(eq(int, strtab_intern(&t, s, (size_t)n, &c), 0));
        cr_assert(eq(u32, c, (uint32_t)(3 + i)));
    }
    cr_assert(eq(int, strtab_intern(&t, "fn_77", 5, &c), 0));
    cr_assert(eq(u32, c, 80));
    strtab_free(&t);
}

static int dec_strtab(const uint8_t *p, size_t n)
{
    kiln_strtab t;
    kiln_cur c;
    cur_init(&c, p, n, "strings");
    int rc = strtab_decode(&t, &c);
    if (rc < 0)
        return rc;
    strtab_free(&t);
    if (cur_left(&c) != 0)
        rc = corrupt("strings", cur_off(&c), "trailing bytes");
    return rc;
}

Test(format_strtab, roundtrip_and_lazy_index_after_decode)
{
    kiln_strtab t, d;
    kiln_buf b = KILN_BUF_INIT;
    uint32_t id;
    const char *words[] = {"main", "runtime.mallocgc", "", "x", "main"};

    strtab_init(&t);
    for (int i = 0; i < 5; i++)
        strtab_intern(&t, words[i], strlen(words[i]), &id);
    cr_assert(eq(int, strtab_encode(&t, &b), 0));
    kiln_cur c;
    cur_init(&c, b.data, b.len, "strings");
    cr_assert(eq(int, strtab_decode(&d, &c), 0));
    cr_assert(eq(sz, d.n, 4));
    for (uint32_t i = 0; i < 4; i++) {
        cr_assert(eq(u32, d.len[i], t.len[i]));
        cr_assert(eq(str, (char *)strtab_get(&d, i), (char *)strtab_get(&t, i)));
    }
    /* Lookup works without an index; interning builds one. */
    cr_assert(eq(int, strtab_lookup(&d, "x", 1, &id), 1));
    cr_assert(eq(u32, id, 3));
    cr_assert(eq(int, strtab_intern(&d, "runtime.mallocgc", 16, &id), 0));
    cr_assert(eq(u32, id, 2));
    cr_assert(eq(int, strtab_intern(&d, "new", 3, &id), 0));
    cr_assert(eq(u32, id, 4));
    hammer(&b, dec_strtab);
    strtab_free(&t);
    strtab_free(&d);
    kiln_buf_free(&b);
}

Test(format_strtab, zero_count_is_corrupt)
{
    uint8_t z[] = {0};
    cr_assert(eq(int, dec_strtab(z, 1), KILN_ECORRUPT));
}

/* ---- symbols ---- */

static void build_symtab(kiln_symtab *st)
{
    uint32_t s[6], m, f[3], l;
    const char *strs[] = {"/usr/bin/app", "abc123", "main", "app/main.go",
                          "handler", "bytes"};

    cr_assert(eq(int, symtab_init(st), 0));
    for (int i = 0; i < 6; i++)
        strtab_intern(&st->strings, strs[i], strlen(strs[i]), &s[i]);
    kiln_mapping mp = {0x400000, 0x800000, 0x1000, s[0], s[1],
                       KILN_MAP_HAS_FUNCTIONS | KILN_MAP_HAS_LINE_NUMBERS};
    cr_assert(eq(int, symtab_mapping(st, &mp, &m), 0));
    kiln_function fn[3] = {{s[2], s[2], s[3], 10}, {s[4], s[4], s[3], 40},
                           {s[4], 0, 0, -1}};
    for (int i = 0; i < 3; i++)
        cr_assert(eq(int, symtab_function(st, &fn[i], &f[i]), 0));
    for (uint64_t a = 0; a < 200; a++) {
        kiln_line ln[3] = {{f[a % 3], (int64_t)a, 0}, {f[(a + 1) % 3], 7, 2},
                           {f[0], -5, 1}};
        cr_assert(eq(int, symtab_location(st, 0x401000 + a * 16, a % 5 ? m + 1 : 0,
                                               ln, (uint32_t)(a % 4), a % 7 == 0, &l), 0));
    }
    kiln_label_ent e[2] = {{s[5], 0, 4096, s[5]}, {s[2], s[4], 0, 0}};
    cr_assert(eq(int, symtab_labelset(st, e, 2, &l), 0));
    cr_assert(eq(int, symtab_labelset(st, e, 1, &l), 0));
}

static int dec_symtab(const uint8_t *p, size_t n)
{
    kiln_symtab st;
    int rc = symtab_decode(&st, p, n);
    if (rc == 0)
        symtab_free(&st);
    return rc;
}

Test(format_symtab, interning_deduplicates_every_kind)
{
    kiln_symtab st;
    uint32_t id, id2;

    build_symtab(&st);
    cr_assert(eq(sz, st.nmappings, 1));
    cr_assert(eq(sz, st.nfunctions, 3));
    cr_assert(eq(sz, st.nlocations, 200));
    cr_assert(eq(sz, st.nlsets, 3));
    kiln_mapping mp = st.mappings[0];
    cr_assert(eq(int, symtab_mapping(&st, &mp, &id), 0));
    cr_assert(eq(u32, id, 0));
    kiln_line ln[1] = {{1, 7, 0}};
    cr_assert(eq(int, symtab_location(&st, 9, 0, ln, 1, 0, &id), 0));
    cr_assert(eq(int, symtab_location(&st, 9, 0, ln, 1, 0, &id2), 0));
    cr_assert(eq(u32, id, id2));
    cr_assert(eq(u32, id, 200));
    /* Label sets are sorted by the callee, so order does not matter. */
    kiln_label_ent a[2] = {{2, 3, 0, 0}, {1, 2, 0, 0}};
    kiln_label_ent b[2] = {{1, 2, 0, 0}, {2, 3, 0, 0}};
    cr_assert(eq(int, symtab_labelset(&st, a, 2, &id), 0));
    cr_assert(eq(int, symtab_labelset(&st, b, 2, &id2), 0));
    cr_assert(eq(u32, id, id2));
    cr_assert(eq(int, symtab_labelset(&st, b, 0, &id), 0));
    cr_assert(eq(u32, id, 0));
    /* Dangling references are programming errors reported as EINVAL. */
    kiln_line bad[1] = {{99, 0, 0}};
    cr_assert(eq(int, symtab_location(&st, 1, 0, bad, 1, 0, &id), KILN_EINVAL));
    symtab_free(&st);
}

Test(format_symtab, roundtrip_preserves_everything)
{
    kiln_symtab st, d;
    kiln_buf b = KILN_BUF_INIT;

    build_symtab(&st);
    cr_assert(eq(int, symtab_encode(&st, &b), 0));
    cr_assert(eq(int, symtab_decode(&d, b.data, b.len), 0), "%s", kiln_error_last());
    cr_assert(eq(sz, d.strings.n, st.strings.n));
    cr_assert(eq(sz, d.nmappings, st.nmappings));
    for (size_t i = 0; i < st.nmappings; i++) { /* field by field: padding differs */
        const kiln_mapping *x = &st.mappings[i], *y = &d.mappings[i];
        cr_assert(eq(u64, x->memory_start, y->memory_start));
        cr_assert(eq(u64, x->memory_limit, y->memory_limit));
        cr_assert(eq(u64, x->file_offset, y->file_offset));
        cr_assert(eq(u32, x->filename, y->filename));
        cr_assert(eq(u32, x->build_id, y->build_id));
        cr_assert(eq(u32, x->flags, y->flags));
    }
    cr_assert(eq(sz, d.nfunctions, st.nfunctions));
    for (size_t i = 0; i < st.nfunctions; i++) {
        const kiln_function *x = &st.functions[i], *y = &d.functions[i];
        cr_assert(eq(u32, x->name, y->name));
        cr_assert(eq(u32, x->system_name, y->system_name));
        cr_assert(eq(u32, x->filename, y->filename));
        cr_assert(eq(i64, x->start_line, y->start_line));
    }
    cr_assert(eq(sz, d.nlocations, st.nlocations));
    for (size_t i = 0; i < st.nlocations; i++) {
        const kiln_location *x = &st.locations[i], *y = &d.locations[i];
        cr_assert(eq(u64, x->address, y->address));
        cr_assert(eq(u32, x->mapping, y->mapping));
        cr_assert(eq(u32, x->nlines, y->nlines));
        cr_assert(eq(u32, x->is_folded, y->is_folded));
        for (uint32_t j = 0; j < x->nlines; j++) {
            const kiln_line *p = &st.lines[x->line_off + j], *q = &d.lines[y->line_off + j];
            cr_assert(eq(u32, p->function, q->function));
            cr_assert(eq(i64, p->line, q->line));
            cr_assert(eq(i64, p->column, q->column));
        }
    }
    cr_assert(eq(sz, d.nlsets, st.nlsets));
    cr_assert(eq(sz, d.nlabels, st.nlabels));
    for (size_t i = 0; i < st.nlsets; i++) {
        cr_assert(eq(u32, d.lsets[i].n, st.lsets[i].n));
        for (uint32_t j = 0; j < st.lsets[i].n; j++) {
            const kiln_label_ent *p = &st.labels[st.lsets[i].off + j];
            const kiln_label_ent *q = &d.labels[d.lsets[i].off + j];
            cr_assert(eq(u32, p->key, q->key));
            cr_assert(eq(u32, p->str, q->str));
            cr_assert(eq(i64, p->num, q->num));
            cr_assert(eq(u32, p->num_unit, q->num_unit));
        }
    }
    /* A decoded table accepts further interning (indexes built lazily). */
    uint32_t id;
    kiln_function f0 = st.functions[1];
    cr_assert(eq(int, symtab_function(&d, &f0, &id), 0));
    cr_assert(eq(u32, id, 1));
    hammer(&b, dec_symtab);
    symtab_free(&st);
    symtab_free(&d);
    kiln_buf_free(&b);
}

Test(format_symtab, dangling_references_are_corrupt)
{
    kiln_symtab st;
    kiln_buf b = KILN_BUF_INIT;
    kiln_symtab d;

    /* A function naming string 5 in a table of 3 strings. */
    build_symtab(&st);
    st.functions[0].name = (uint32_t)st.strings.n + 2;
    cr_assert(eq(int, symtab_encode(&st, &b), 0));
    cr_assert(eq(int, symtab_decode(&d, b.data, b.len), KILN_ECORRUPT));
    cr_assert(ne(ptr, strstr(kiln_error_last(), "function name"), NULL),
              "%s", kiln_error_last());
    st.functions[0].name = 0;
    /* A line naming a missing function (nfunctions itself means "none"). */
    st.lines[0].function = (uint32_t)st.nfunctions + 1;
    kiln_buf_reset(&b);
    cr_assert(eq(int, symtab_encode(&st, &b), 0));
    cr_assert(eq(int, symtab_decode(&d, b.data, b.len), KILN_ECORRUPT));
    st.lines[0].function = 0;
    /* A line without a function is stored as nfunctions and read back as
     * KILN_NOFUNC. */
    st.lines[0].function = KILN_NOFUNC;
    kiln_buf_reset(&b);
    cr_assert(eq(int, symtab_encode(&st, &b), 0));
    cr_assert(eq(int, symtab_decode(&d, b.data, b.len), 0), "%s",
              kiln_error_last());
    cr_assert(eq(u32, d.lines[0].function, KILN_NOFUNC));
    cr_assert(eq(u32, d.lines[1].function, st.lines[1].function));
    symtab_free(&d);
    st.lines[0].function = 0;
    /* A location naming mapping 2 (only mapping id+1 = 1 exists). */
    st.locations[1].mapping = 2;
    kiln_buf_reset(&b);
    cr_assert(eq(int, symtab_encode(&st, &b), 0));
    cr_assert(eq(int, symtab_decode(&d, b.data, b.len), KILN_ECORRUPT));
    symtab_free(&st);
    kiln_buf_free(&b);
}

/* ---- stacks ---- */

static int dec_stacks(const uint8_t *p, size_t n)
{
    kiln_stacks t;
    int rc = stacks_decode(&t, p, n, 50);
    if (rc == 0)
        stacks_free(&t);
    return rc;
}

Test(format_stacks, prefix_tree_shares_prefixes_and_roundtrips)
{
    kiln_stacks t, d;
    kiln_buf b = KILN_BUF_INIT;
    uint32_t a, x, y, z;

    cr_assert(eq(int, stacks_init(&t), 0));
    cr_assert(eq(sz, t.n, 1));
    stacks_child(&t, 0, 3, &a);
    stacks_child(&t, a, 4, &x);
    stacks_child(&t, a, 5, &y);
    stacks_child(&t, a, 4, &z);
    cr_assert(eq(u32, x, z));
    cr_assert(eq(sz, t.n, 4));
    uint64_t s = 1;
    for (int i = 0; i < 3000; i++) {
        uint32_t parent = (uint32_t)(rng_next(&s) % t.n), node;
        cr_assert(eq(int, stacks_child(&t, parent, (uint32_t)(rng_next(&s) % 50), &node), 0));
        cr_assert(eq(u32, t.parent[node], parent));
    }
    cr_assert(eq(int, stacks_encode(&t, &b), 0));
    cr_assert(eq(int, stacks_decode(&d, b.data, b.len, 50), 0), "%s", kiln_error_last());
    cr_assert(eq(sz, d.n, t.n));
    cr_assert(eq(int, memcmp(d.parent, t.parent, t.n * 4), 0));
    cr_assert(eq(int, memcmp(d.loc + 1, t.loc + 1, (t.n - 1) * 4), 0));
    /* Interning into a decoded tree finds existing nodes. */
    cr_assert(eq(int, stacks_child(&d, a, 5, &z), 0));
    cr_assert(eq(u32, z, y));
    cr_assert(eq(sz, d.n, t.n));
    kiln_stacks bad;
    cr_assert(eq(int, stacks_decode(&bad, b.data, b.len, 49), KILN_ECORRUPT));
    hammer(&b, dec_stacks);
    stacks_free(&t);
    stacks_free(&d);
    kiln_buf_free(&b);
}

Test(format_stacks, parent_not_before_node_is_corrupt)
{
    /* count 2, distances [2] (node 1 would have parent -1), locs [0]. */
    kiln_buf b = KILN_BUF_INIT;
    uint32_t dist[1] = {2}, loc[1] = {0};
    put_uvarint(&b, 2);
    col_encode_u32(&b, dist, 1, KILN_COL_PLAIN);
    col_encode_u32(&b, loc, 1, KILN_COL_PLAIN);
    cr_assert(eq(int, dec_stacks(b.data, b.len), KILN_ECORRUPT));
    b.len = 0;
    dist[0] = 0; /* a node that is its own parent */
    put_uvarint(&b, 2);
    col_encode_u32(&b, dist, 1, KILN_COL_PLAIN);
    col_encode_u32(&b, loc, 1, KILN_COL_PLAIN);
    cr_assert(eq(int, dec_stacks(b.data, b.len), KILN_ECORRUPT));
    uint8_t zero[] = {0};
    cr_assert(eq(int, dec_stacks(zero, 1), KILN_ECORRUPT));
    kiln_buf_free(&b);
}

/* ---- series ---- */

static void build_series(kiln_seriestab *t)
{
    uint32_t ids[6], k1, k2, sid;

    cr_assert(eq(int, seriestab_init(t), 0));
    const char *s[] = {"cpu", "nanoseconds", "samples", "count", "alloc_space", "bytes"};
    for (int i = 0; i < 6; i++)
        strtab_intern(&t->strings, s[i], strlen(s[i]), &ids[i]);
    uint32_t cpu_types[4] = {ids[2], ids[3], ids[0], ids[1]};
    uint32_t comments[1] = {ids[3]};
    kiln_kind cpu = {2, cpu_types, {ids[0], ids[1]}, 10000000, ids[0], 0, 0, 0, 1, comments};
    uint32_t mem_types[2] = {ids[4], ids[5]};
    kiln_kind mem = {1, mem_types, {ids[4], ids[5]}, 524288, 0, 0, 0, 0, 0, NULL};
    cr_assert(eq(int, seriestab_kind(t, &cpu, &k1), 0));
    cr_assert(eq(int, seriestab_kind(t, &mem, &k2), 0));
    cr_assert(eq(int, seriestab_kind(t, &cpu, &sid), 0));
    cr_assert(eq(u32, sid, k1));
    const char *svc[] = {"checkout", "cart", "search"};
    for (int i = 0; i < 12; i++) {
        char host[16];
        snprintf(host, sizeof host, "web-%d", i % 4);
        kiln_label l[3] = {{"service_name", svc[i % 3]}, {"host", host},
                           {"__name__", i % 2 ? "cpu" : "memory"}};
        cr_assert(eq(int, seriestab_series(t, l, 3, i % 2 ? k1 : k2, &sid), 0));
    }
    cr_assert(eq(int, seriestab_postings(t), 0));
}

static int dec_series(const uint8_t *p, size_t n)
{
    kiln_seriestab t;
    int rc = seriestab_decode(&t, p, n);
    if (rc == 0)
        seriestab_free(&t);
    return rc;
}

Test(format_series, series_are_interned_with_sorted_labels)
{
    kiln_seriestab t;
    uint32_t a, b;

    build_series(&t);
    cr_assert(eq(sz, t.nseries, 12));
    kiln_label l1[2] = {{"a", "1"}, {"b", "2"}};
    kiln_label l2[2] = {{"b", "2"}, {"a", "1"}};
    cr_assert(eq(int, seriestab_series(&t, l1, 2, 0, &a), 0));
    cr_assert(eq(int, seriestab_series(&t, l2, 2, 0, &b), 0));
    cr_assert(eq(u32, a, b));
    cr_assert(eq(int, seriestab_series(&t, l1, 2, 1, &b), 0));
    cr_assert(ne(u32, a, b));
    kiln_label dup[2] = {{"a", "1"}, {"a", "2"}};
    cr_assert(eq(int, seriestab_series(&t, dup, 2, 0, &b), KILN_EINVAL));
    cr_assert(eq(int, seriestab_series(&t, l1, 2, 9, &b), KILN_EINVAL));
    cr_assert(eq(str, (char *)series_label(&t, a, "b"), "2"));
    cr_assert(eq(ptr, (void *)series_label(&t, a, "c"), NULL));
    /* Labels are stored sorted by name. */
    const kiln_series *s = &t.series[0];
    cr_assert(eq(str, (char *)strtab_get(&t.strings, t.labs[2 * s->lab_off]), "__name__"));
    cr_assert(eq(str, (char *)strtab_get(&t.strings, t.labs[2 * s->lab_off + 2]), "host"));
    seriestab_free(&t);
}

Test(format_series, postings_list_every_series_of_a_pair)
{
    kiln_seriestab t;

    build_series(&t);
    /* pairs: __name__ x2, host x4, service_name x3 = 9 postings */
    cr_assert(eq(sz, t.npostings, 9));
    cr_assert(eq(sz, t.npost_ids, 36));
    for (size_t i = 0; i < t.npostings; i++) {
        const kiln_posting *p = &t.postings[i];
        const char *name = strtab_get(&t.strings, p->name);
        const char *value = strtab_get(&t.strings, p->value);
        for (uint32_t j = 0; j < p->n; j++) {
            uint32_t sid = t.post_ids[p->off + j];
            if (j)
                cr_assert(gt(u32, sid, t.post_ids[p->off + j - 1]));
            cr_assert(eq(str, (char *)series_label(&t, sid, name), (char *)value));
        }
        if (i) {
            const kiln_posting *q = &t.postings[i - 1];
            int c = strcmp(strtab_get(&t.strings, q->name), name);
            if (c == 0)
                c = strcmp(strtab_get(&t.strings, q->value), value);
            cr_assert(lt(int, c, 0));
        }
    }
    seriestab_free(&t);
}

Test(format_series, roundtrip_and_garbage)
{
    kiln_seriestab t, d;
    kiln_buf b = KILN_BUF_INIT;

    build_series(&t);
    cr_assert(eq(int, seriestab_encode(&t, &b), 0));
    cr_assert(eq(int, seriestab_decode(&d, b.data, b.len), 0), "%s", kiln_error_last());
    cr_assert(eq(sz, d.nkinds, 2));
    cr_assert(eq(u32, d.kinds[0].ntypes, 2));
    cr_assert(eq(i64, d.kinds[0].period, 10000000));
    cr_assert(eq(u32, d.kinds[0].ncomments, 1));
    cr_assert(eq(int, memcmp(d.kinds[0].types, t.kinds[0].types, 16), 0));
    cr_assert(eq(i64, d.kinds[1].period, 524288));
    cr_assert(eq(sz, d.nseries, t.nseries));
    cr_assert(eq(int, memcmp(d.series, t.series, t.nseries * sizeof *d.series), 0));
    cr_assert(eq(int, memcmp(d.labs, t.labs, t.nlabs * 4), 0));
    cr_assert(eq(sz, d.npostings, t.npostings));
    cr_assert(eq(int, memcmp(d.postings, t.postings, t.npostings * sizeof *d.postings), 0));
    cr_assert(eq(int, memcmp(d.post_ids, t.post_ids, t.npost_ids * 4), 0));
    cr_assert(eq(str, (char *)series_label(&d, 5, "host"), "web-1"));
    /* Interning into the decoded table finds the existing series. */
    uint32_t sid;
    kiln_label l[3] = {{"service_name", "search"}, {"host", "web-1"}, {"__name__", "cpu"}};
    cr_assert(eq(int, seriestab_series(&d, l, 3, 0, &sid), 0));
    cr_assert(eq(u32, sid, 5));
    hammer(&b, dec_series);
    seriestab_free(&t);
    seriestab_free(&d);
    kiln_buf_free(&b);
}

Test(format_series, unsorted_postings_are_corrupt)
{
    kiln_seriestab t, d;
    kiln_buf b = KILN_BUF_INIT;

    build_series(&t);
    kiln_posting tmp = t.postings[0];
    t.postings[0] = t.postings[1];
    t.postings[1] = tmp;
    cr_assert(eq(int, seriestab_encode(&t, &b), 0));
    cr_assert(eq(int, seriestab_decode(&d, b.data, b.len), KILN_ECORRUPT));
    seriestab_free(&t);
    kiln_buf_free(&b);
}

Test(format_strtab, decoded_table_with_duplicates_interns_consistently)
{
    /* count 3: "a", "a" (kiln never writes this, but readers must cope). */
    uint8_t enc[] = {3, 1, 1, 'a', 'a'};
    kiln_strtab t;
    kiln_cur c;
    uint32_t id;

    cur_init(&c, enc, sizeof enc, "strings");
    cr_assert(eq(int, strtab_decode(&t, &c), 0));
    cr_assert(eq(int, strtab_lookup(&t, "a", 1, &id), 1));
    cr_assert(eq(u32, id, 1));
    cr_assert(eq(int, strtab_intern(&t, "a", 1, &id), 0));
    cr_assert(eq(u32, id, 1));
    cr_assert(eq(int, strtab_intern(&t, "b", 1, &id), 0));
    cr_assert(eq(u32, id, 3));
    cr_assert(eq(int, strtab_intern(&t, "b", 1, &id), 0));
    cr_assert(eq(u32, id, 3));
    cr_assert(eq(int, strtab_lookup(&t, "b", 1, &id), 1));
    cr_assert(eq(u32, id, 3));
    cr_assert(eq(sz, t.n, 4));
    strtab_free(&t);
}
