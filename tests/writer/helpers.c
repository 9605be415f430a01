/* helpers.c: shared code of the writer tests (see helpers.h): corpus
 * access, full block decoding, and an independent per-stack sum of pprof
 * inputs and of decoded blocks. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "file_list.h"
#include "helpers.h"

uint8_t *th_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    uint8_t *b = malloc(cap);
    for (;;) {
        if (n == cap)
            b = realloc(b, cap *= 2);
        size_t k = fread(b + n, 1, cap - n, f);
        if (k == 0)
            break;
        n += k;
    }
    fclose(f);
    *len = n;
    return b;
}

char **th_corpus_files(const char *sub, size_t *n)
{
    const char *root = getenv("KILN_CORPUS");
    cr_assert(root != NULL, "KILN_CORPUS is not set");
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/%s", root, sub);
    char **v = kt_list_dir(dir, n);
    cr_assert(v != NULL, "cannot open %s", dir);
    return v;
}

void th_free_list(char **v, size_t n)
{
    kt_free_list(v, n);
}

/* ---- block decoding ---------------------------------------------------- */

const kiln_section *th_section(const tblock *b, unsigned type)
{
    for (size_t i = 0; i < b->nsecs; i++)
        if (b->secs[i].type == type)
            return &b->secs[i];
    return NULL;
}

static void unpack(const tblock *b, const kiln_buf *block, unsigned type,
                   kiln_buf *out)
{
    const kiln_section *s = th_section(b, type);
    cr_assert(s != NULL, "block has no %s section", section_name(type));
    cr_assert(s->offset + s->stored <= block->len);
    int rc = section_unpack(s, block->data + s->offset, out,
                                 section_name(type), NULL);
    cr_assert(eq(int, rc, 0), "unpack %s: %s", section_name(type),
              kiln_error_last());
}

void th_block_open(tblock *b, const kiln_buf *block)
{
    uint64_t foff, flen, fsum;
    kiln_buf raw = KILN_BUF_INIT;
    int rc;

    memset(b, 0, sizeof *b);
    cr_assert(block->len >= KILN_HEADER_SIZE + KILN_TRAILER_SIZE);
    uint64_t flags;
    rc = header_decode(block->data, block->len, &flags);
    cr_assert(eq(int, rc, 0), "header: %s", kiln_error_last());
    rc = trailer_decode(block->data + block->len - KILN_TRAILER_SIZE,
                             block->len, &foff, &flen, &fsum);
    cr_assert(eq(int, rc, 0), "trailer: %s", kiln_error_last());
    cr_assert(foff + flen <= block->len);
    cr_assert(eq(u64, hash64(block->data + foff, flen, 0), fsum));
    rc = footer_decode(block->data + foff, flen, foff, &b->secs,
                            &b->nsecs, &b->meta);
    cr_assert(eq(int, rc, 0), "footer: %s", kiln_error_last());

    unpack(b, block, KILN_SEC_SYMBOLS, &raw);
    rc = symtab_decode(&b->sym, raw.data, raw.len);
    cr_assert(eq(int, rc, 0), "symbols: %s", kiln_error_last());
    unpack(b, block, KILN_SEC_STACKS, &raw);
    rc = stacks_decode(&b->stacks, raw.data, raw.len,
                            b->sym.nlocations);
    cr_assert(eq(int, rc, 0), "stacks: %s", kiln_error_last());
    unpack(b, block, KILN_SEC_SERIES, &raw);
    rc = seriestab_decode(&b->ser, raw.data, raw.len);
    cr_assert(eq(int, rc, 0), "series: %s", kiln_error_last());
    const kiln_section *samples = th_section(b, KILN_SEC_SAMPLES);
    cr_assert(samples != NULL);
    cr_assert(eq(u8, samples->codec, KILN_CODEC_NONE));
    unpack(b, block, KILN_SEC_PAGEINDEX, &raw);
    rc = pageindex_decode(&b->pages, &b->npages, raw.data, raw.len,
                               samples->stored, b->ser.nseries);
    cr_assert(eq(int, rc, 0), "pageindex: %s", kiln_error_last());
    /* Links: chunks in the links section, their index in traceindex. */
    unpack(b, block, KILN_SEC_TRACEINDEX, &raw);
    const kiln_section *ls = th_section(b, KILN_SEC_LINKS);
    cr_assert(ls != NULL);
    cr_assert(eq(u8, ls->codec, KILN_CODEC_NONE));
    kiln_link_chunk *chunks;
    size_t nchunks;
    uint64_t nl, nt;
    rc = link_chunks_decode(&chunks, &nchunks, raw.data, raw.len,
                                 ls->stored, &nl, &nt);
    cr_assert(eq(int, rc, 0), "traceindex: %s", kiln_error_last());
    cr_assert(eq(u64, nl, b->meta.nlinks));
    cr_assert(eq(u64, nt, b->meta.ntraces));
    rc = links_chunked_decode(chunks, nchunks, block->data + ls->offset,
                                   ls->stored, b->npages, &b->links,
                                   &b->nlinks, &b->ti);
    free(chunks);
    cr_assert(eq(int, rc, 0), "links: %s", kiln_error_last());
    unpack(b, block, KILN_SEC_BLOOM, &raw);
    rc = bloom_decode(&b->bloom, raw.data, raw.len);
    cr_assert(eq(int, rc, 0), "bloom: %s", kiln_error_last());

    b->rows = calloc(b->npages ? b->npages : 1, sizeof *b->rows);
    for (size_t i = 0; i < b->npages; i++) {
        const kiln_page_meta *m = &b->pages[i];
        kiln_section s;
        memset(&s, 0, sizeof s);
        s.type = KILN_SEC_SAMPLES;
        s.codec = m->codec;
        s.offset = samples->offset + m->offset;
        s.stored = m->stored;
        s.raw = m->raw;
        s.checksum = m->checksum;
        rc = section_unpack(&s, block->data + s.offset, &raw, "page", NULL);
        cr_assert(eq(int, rc, 0), "page %zu: %s", i, kiln_error_last());
        rc = page_decode(&b->rows[i], raw.data, raw.len, m,
                              b->stacks.n, b->sym.nlsets, b->nlinks);
        cr_assert(eq(int, rc, 0), "page %zu: %s", i, kiln_error_last());
    }
    kiln_buf_free(&raw);
}

void th_block_free(tblock *b)
{
    free(b->secs);
    meta_free(&b->meta);
    symtab_free(&b->sym);
    stacks_free(&b->stacks);
    seriestab_free(&b->ser);
    free(b->pages);
    for (size_t i = 0; i < b->npages; i++)
        page_rows_free(&b->rows[i]);
    free(b->rows);
    free(b->links);
    trace_index_free(&b->ti);
    bloom_free(&b->bloom);
    memset(b, 0, sizeof *b);
}

/* ---- per-stack sums ------------------------------------------------------ */

static void put(kiln_buf *k, const void *p, size_t n)
{
    uint64_t len = n;
    kiln_buf_append(k, &len, sizeof len);
    if (n)
        kiln_buf_append(k, p, n);
}

static void put_i(kiln_buf *k, int64_t v)
{
    kiln_buf_append(k, &v, sizeof v);
}

static void sums_add(th_sums *s, const kiln_buf *key, const int64_t *v,
                     size_t vstride, uint32_t nt)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 64;
        s->e = realloc(s->e, s->cap * sizeof *s->e);
    }
    th_sum *e = &s->e[s->n++];
    memset(e, 0, sizeof *e);
    e->key = malloc(key->len + 1);
    if (key->len)
        memcpy(e->key, key->data, key->len);
    e->klen = key->len;
    e->ntypes = nt;
    for (uint32_t t = 0; t < nt; t++)
        e->v[t] = v[t * vstride];
}

static int sum_cmp(const void *a, const void *b)
{
    const th_sum *x = a, *y = b;
    size_t n = x->klen < y->klen ? x->klen : y->klen;
    int c = memcmp(x->key, y->key, n);
    if (c)
        return c;
    return x->klen < y->klen ? -1 : x->klen > y->klen;
}

/* Sort and merge equal keys by summing. */
static void sums_close(th_sums *s)
{
    qsort(s->e, s->n, sizeof *s->e, sum_cmp);
    size_t k = 0;
    for (size_t i = 0; i < s->n; i++) {
        if (k > 0 && sum_cmp(&s->e[k - 1], &s->e[i]) == 0) {
            for (uint32_t t = 0; t < s->e[i].ntypes; t++)
                s->e[k - 1].v[t] = (int64_t)((uint64_t)s->e[k - 1].v[t] +
                                             (uint64_t)s->e[i].v[t]);
            free(s->e[i].key);
            continue;
        }
        s->e[k++] = s->e[i];
    }
    s->n = k;
}

void th_sums_free(th_sums *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->e[i].key);
    free(s->e);
    memset(s, 0, sizeof *s);
}

static const ProtobufCBinaryData *pstr(const Perftools__Profiles__Profile *p,
                                       int64_t i)
{
    static const ProtobufCBinaryData empty = {0, NULL};
    if (p->n_string_table == 0)
        return &empty;
    return &p->string_table[i];
}

/* id -> table entry by binary search over a sorted copy of the ids. */
typedef struct idx {
    uint64_t id;
    void *ent;
} idx;

static int idx_cmp(const void *a, const void *b)
{
    uint64_t x = ((const idx *)a)->id, y = ((const idx *)b)->id;
    return x < y ? -1 : x > y;
}

static idx *idx_build(void **tab, size_t n, size_t off)
{
    idx *v = malloc((n ? n : 1) * sizeof *v);
    for (size_t i = 0; i < n; i++) {
        v[i].id = *(uint64_t *)((char *)tab[i] + off);
        v[i].ent = tab[i];
    }
    qsort(v, n, sizeof *v, idx_cmp);
    return v;
}

static void *idx_find(const idx *v, size_t n, uint64_t id)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (v[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && v[lo].id == id ? v[lo].ent : NULL;
}

void th_sums_pprof(th_sums *s, const Perftools__Profiles__Profile *p)
{
    kiln_buf key = KILN_BUF_INIT;
    memset(s, 0, sizeof *s);
    idx *li = idx_build((void **)p->location, p->n_location,
                        offsetof(Perftools__Profiles__Location, id));
    idx *mi = idx_build((void **)p->mapping, p->n_mapping,
                        offsetof(Perftools__Profiles__Mapping, id));
    idx *fi = idx_build((void **)p->function, p->n_function,
                        offsetof(Perftools__Profiles__Function, id));
    for (size_t i = 0; i < p->n_sample; i++) {
        const Perftools__Profiles__Sample *sm = p->sample[i];
        kiln_buf_reset(&key);
        for (size_t j = 0; j < sm->n_location_id; j++) {
            const Perftools__Profiles__Location *l =
                idx_find(li, p->n_location, sm->location_id[j]);
            cr_assert(l != NULL);
            put_i(&key, (int64_t)l->address);
            put_i(&key, l->is_folded);
            const Perftools__Profiles__Mapping *m =
                l->mapping_id ? idx_find(mi, p->n_mapping, l->mapping_id)
                              : NULL;
            if (m) {
                put_i(&key, 1);
                put_i(&key, (int64_t)m->memory_start);
                put_i(&key, (int64_t)m->memory_limit);
                put_i(&key, (int64_t)m->file_offset);
                put(&key, pstr(p, m->filename)->data,
                    pstr(p, m->filename)->len);
                put(&key, pstr(p, m->build_id)->data,
                    pstr(p, m->build_id)->len);
            } else {
                put_i(&key, 0);
            }
            put_i(&key, (int64_t)l->n_line);
            for (size_t k = 0; k < l->n_line; k++) {
                const Perftools__Profiles__Line *ln = l->line[k];
                const Perftools__Profiles__Function *f =
                    ln->function_id
                        ? idx_find(fi, p->n_function, ln->function_id)
                        : NULL;
                const ProtobufCBinaryData *e = pstr(p, 0);
                put(&key, f ? pstr(p, f->name)->data : e->data,
                    f ? pstr(p, f->name)->len : 0);
                put(&key, f ? pstr(p, f->system_name)->data : e->data,
                    f ? pstr(p, f->system_name)->len : 0);
                put(&key, f ? pstr(p, f->filename)->data : e->data,
                    f ? pstr(p, f->filename)->len : 0);
                put_i(&key, f ? f->start_line : 0);
                put_i(&key, ln->line);
                put_i(&key, ln->column);
            }
        }
        sums_add(s, &key, sm->value, 1, (uint32_t)p->n_sample_type);
    }
    free(li);
    free(mi);
    free(fi);
    kiln_buf_free(&key);
    sums_close(s);
}

static void put_sym(kiln_buf *key, const kiln_strtab *t, uint32_t id)
{
    put(key, strtab_get(t, id), t->len[id]);
}

void th_sums_block(th_sums *s, const tblock *b)
{
    kiln_buf key = KILN_BUF_INIT;
    const kiln_symtab *sy = &b->sym;
    memset(s, 0, sizeof *s);
    for (size_t pg = 0; pg < b->npages; pg++) {
        const kiln_page_rows *r = &b->rows[pg];
        for (uint32_t i = 0; i < r->n; i++) {
            kiln_buf_reset(&key);
            for (uint32_t node = r->stack[i]; node != 0;
                 node = b->stacks.parent[node]) {
                const kiln_location *l = &sy->locations[b->stacks.loc[node]];
                put_i(&key, (int64_t)l->address);
                put_i(&key, l->is_folded);
                if (l->mapping) {
                    const kiln_mapping *m = &sy->mappings[l->mapping - 1];
                    put_i(&key, 1);
                    put_i(&key, (int64_t)m->memory_start);
                    put_i(&key, (int64_t)m->memory_limit);
                    put_i(&key, (int64_t)m->file_offset);
                    put_sym(&key, &sy->strings, m->filename);
                    put_sym(&key, &sy->strings, m->build_id);
                } else {
                    put_i(&key, 0);
                }
                put_i(&key, l->nlines);
                for (uint32_t k = 0; k < l->nlines; k++) {
                    const kiln_line *ln = &sy->lines[l->line_off + k];
                    const kiln_function *f = &sy->functions[ln->function];
                    put_sym(&key, &sy->strings, f->name);
                    put_sym(&key, &sy->strings, f->system_name);
                    put_sym(&key, &sy->strings, f->filename);
                    put_i(&key, f->start_line);
                    put_i(&key, ln->line);
                    put_i(&key, ln->column);
                }
            }
            sums_add(s, &key, r->values + i, r->n, r->ntypes);
        }
    }
    kiln_buf_free(&key);
    sums_close(s);
}

void th_sums_assert_eq(const th_sums *a, const th_sums *b, const char *what)
{
    cr_assert(eq(sz, a->n, b->n), "%s: %zu distinct stacks, want %zu", what,
              a->n, b->n);
    for (size_t i = 0; i < a->n; i++) {
        cr_assert(eq(int, sum_cmp(&a->e[i], &b->e[i]), 0),
                  "%s: stack %zu differs", what, i);
        cr_assert(eq(u32, a->e[i].ntypes, b->e[i].ntypes));
        for (uint32_t t = 0; t < a->e[i].ntypes; t++)
            cr_assert(eq(i64, a->e[i].v[t], b->e[i].v[t]),
                      "%s: stack %zu type %u", what, i, t);
    }
}

Perftools__Profiles__Profile *th_unpack(const uint8_t *data, size_t len)
{
    kiln_buf out = KILN_BUF_INIT;
    if (is_gzip(data, len)) {
        if (gzip_inflate(data, len, KILN_MAX_INFLATE, &out) < 0)
            return NULL;
        data = out.data;
        len = out.len;
    }
    Perftools__Profiles__Profile *p =
        perftools__profiles__profile__unpack(NULL, len, data);
    kiln_buf_free(&out);
    return p;
}

/* ---- hand-made profiles ---------------------------------------------------- */

int64_t th_prof_str(th_prof *t, const char *s)
{
    size_t i = t->p.n_string_table;
    cr_assert(i < 64);
    snprintf(t->strbuf[i], sizeof t->strbuf[i], "%s", s);
    t->strs[i].data = (uint8_t *)t->strbuf[i];
    t->strs[i].len = strlen(t->strbuf[i]);
    t->p.n_string_table++;
    return (int64_t)i;
}

void th_prof_init(th_prof *t)
{
    memset(t, 0, sizeof *t);
    perftools__profiles__profile__init(&t->p);
    t->p.string_table = t->strs;
    th_prof_str(t, "");
    for (int i = 0; i < 2; i++) {
        perftools__profiles__value_type__init(&t->st[i]);
        t->stp[i] = &t->st[i];
    }
    t->st[0].type = th_prof_str(t, "samples");
    t->st[0].unit = th_prof_str(t, "count");
    t->st[1].type = th_prof_str(t, "cpu");
    t->st[1].unit = th_prof_str(t, "nanoseconds");
    t->p.sample_type = t->stp;
    t->p.n_sample_type = 2;
    perftools__profiles__value_type__init(&t->pt);
    t->pt.type = t->st[1].type;
    t->pt.unit = t->st[1].unit;
    t->p.period_type = &t->pt;
    t->p.period = 10000000;
    t->p.time_nanos = 1700000000LL * 1000000000LL;
    t->p.duration_nanos = 10LL * 1000000000LL;
    for (int i = 0; i < 4; i++) {
        char name[16];
        snprintf(name, sizeof name, "f%d", i);
        perftools__profiles__function__init(&t->fn[i]);
        t->fn[i].id = (uint64_t)i + 1;
        t->fn[i].name = th_prof_str(t, name);
        t->fnp[i] = &t->fn[i];
        perftools__profiles__line__init(&t->line[i]);
        t->line[i].function_id = (uint64_t)i + 1;
        t->line[i].line = 10 + i;
        t->linep[i] = &t->line[i];
        perftools__profiles__location__init(&t->loc[i]);
        t->loc[i].id = (uint64_t)i + 1;
        t->loc[i].address = 0x1000 + (uint64_t)i;
        t->loc[i].n_line = 1;
        t->loc[i].line = &t->linep[i];
        t->locp[i] = &t->loc[i];
    }
    t->p.function = t->fnp;
    t->p.n_function = 4;
    t->p.location = t->locp;
    t->p.n_location = 4;
    t->p.sample = t->smpp;
}

Perftools__Profiles__Sample *th_prof_sample(th_prof *t, const uint64_t *ids,
                                            size_t n, int64_t a, int64_t b)
{
    size_t i = t->p.n_sample;
    cr_assert(i < 8 && n <= 8);
    Perftools__Profiles__Sample *s = &t->smp[i];
    perftools__profiles__sample__init(s);
    memcpy(t->locids[i], ids, n * sizeof *ids);
    s->location_id = t->locids[i];
    s->n_location_id = n;
    t->vals[i][0] = a;
    t->vals[i][1] = b;
    s->value = t->vals[i];
    s->n_value = 2;
    s->label = t->labp[i];
    t->smpp[i] = s;
    t->p.n_sample++;
    return s;
}

void th_prof_label(th_prof *t, Perftools__Profiles__Sample *s,
                   const char *key, const char *val)
{
    size_t used = 0;
    for (size_t i = 0; i < t->p.n_sample; i++)
        used += t->smp[i].n_label;
    cr_assert(used < 16 && s->n_label < 4);
    Perftools__Profiles__Label *l = &t->lab[used];
    perftools__profiles__label__init(l);
    l->key = th_prof_str(t, key);
    l->str = th_prof_str(t, val);
    s->label[s->n_label++] = l;
}

uint8_t *th_prof_pack(th_prof *t, size_t *len)
{
    size_t n = perftools__profiles__profile__get_packed_size(&t->p);
    uint8_t *b = malloc(n ? n : 1);
    *len = perftools__profiles__profile__pack(&t->p, b);
    cr_assert(eq(sz, *len, n));
    return b;
}

void th_prof_add(kiln_writer *w, th_prof *t)
{
    size_t len;
    uint8_t *data = th_prof_pack(t, &len);
    cr_assert(eq(int, kiln_writer_add_pprof(w, data, len, NULL, 0), 0), "%s",
              kiln_error_last());
    free(data);
}

void th_finish(kiln_writer *w, kiln_buf *out, char id[27])
{
    int rc = kiln_writer_finish(w, out, id);
    cr_assert(eq(int, rc, 0), "finish: %s", kiln_error_last());
}
