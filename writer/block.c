/* block.c: turn the block under construction into block bytes: sort the
 * sample rows by (series, time, stack), cut them into pages, and lay out
 * header, sections, footer and trailer (spec/block.md). The same input
 * always gives the same bytes, hence the same block id. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include <zstd.h>

#include "writer_internal.h"

/* Stable LSD radix sort of (key, val) pairs by key, skipping the bytes in
 * which every key agrees. */
static int radix_sort(uint64_t *k, uint32_t *v, size_t n)
{
    uint64_t *k2 = NULL;
    uint32_t *v2 = NULL;
    size_t (*cnt)[256] = NULL;
    int rc = 0;

    if (n < 2)
        return 0;
    k2 = malloc(n * sizeof *k2);
    v2 = malloc(n * sizeof *v2);
    cnt = calloc(8, sizeof *cnt);
    if (!k2 || !v2 || !cnt) {
        rc = kiln_error_set(KILN_ENOMEM, "writer: out of memory sorting %zu "
                            "rows", n);
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        for (int b = 0; b < 8; b++)
            cnt[b][(k[i] >> (8 * b)) & 255]++;
    uint64_t *ka = k, *kb = k2;
    uint32_t *va = v, *vb = v2;
    for (int b = 0; b < 8; b++) {
        size_t *c = cnt[b];
        if (c[(k[0] >> (8 * b)) & 255] == n)
            continue; /* every key has the same byte here */
        size_t sum = 0;
        for (int j = 0; j < 256; j++) {
            size_t t = c[j];
            c[j] = sum;
            sum += t;
        }
        for (size_t i = 0; i < n; i++) {
            size_t d = c[(ka[i] >> (8 * b)) & 255]++;
            kb[d] = ka[i];
            vb[d] = va[i];
        }
        uint64_t *tk = ka; ka = kb; kb = tk;
        uint32_t *tv = va; va = vb; vb = tv;
    }
    if (ka != k) {
        memcpy(k, ka, n * sizeof *k);
        memcpy(v, va, n * sizeof *v);
    }
out:
    free(k2);
    free(v2);
    free(cnt);
    return rc;
}

/* qsort_r (glibc, _GNU_SOURCE) so that writers on several threads never
 * share a comparison context. */
static int prof_cmp(const void *a, const void *b, void *ctx)
{
    const wr_profile *prof = ctx;
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    const wr_profile *p = &prof[x], *q = &prof[y];
    if (p->series != q->series)
        return p->series < q->series ? -1 : 1;
    if (p->time != q->time)
        return p->time < q->time ? -1 : 1;
    return x < y ? -1 : x > y;
}

static int link_cmp(const void *a, const void *b, void *ctx)
{
    const kiln_link *links = ctx;
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return memcmp(&links[x], &links[y], sizeof(kiln_link));
}

typedef struct name_count {
    const char *name;
    uint64_t values;
} name_count;

static int u64_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(((const name_count *)a)->name,
                  ((const name_count *)b)->name);
}

/* Series label names, sorted, with their number of distinct values. */
static int label_names(const kiln_seriestab *t, name_count **out, size_t *n)
{
    size_t npairs = t->nlabs / 2, k = 0;
    uint64_t *pairs = malloc((npairs ? npairs : 1) * sizeof *pairs);
    name_count *nc = malloc((npairs ? npairs : 1) * sizeof *nc);
    if (!pairs || !nc) {
        free(pairs);
        free(nc);
        return kiln_error_set(KILN_ENOMEM, "writer: out of memory");
    }
    for (size_t i = 0; i < npairs; i++)
        pairs[i] = (uint64_t)t->labs[2 * i] << 32 | t->labs[2 * i + 1];
    qsort(pairs, npairs, sizeof *pairs, u64_cmp);
    for (size_t i = 0; i < npairs; i++) {
        if (i > 0 && pairs[i] == pairs[i - 1])
            continue;
        uint32_t name = (uint32_t)(pairs[i] >> 32);
        if (k > 0 && nc[k - 1].name == strtab_get(&t->strings, name)) {
            nc[k - 1].values++;
            continue;
        }
        nc[k].name = strtab_get(&t->strings, name);
        nc[k].values = 1;
        k++;
    }
    free(pairs);
    qsort(nc, k, sizeof *nc, name_cmp);
    *out = nc;
    *n = k;
    return 0;
}

/* Everything wr_encode allocates, freed on its one way out. */
typedef struct enc {
    uint32_t *rprof;     /* per row: profile index */
    uint32_t *porder;    /* profiles sorted by (series, time) */
    uint32_t *pgroup;    /* per profile: rank of its (series, time) */
    uint64_t *keys;      /* per row: group << 32 | stack */
    uint32_t *perm;      /* rows in block order */
    uint32_t *linkmap;   /* old link index -> new link id + 1, 0 unused */
    uint32_t *lorder;    /* used old link indexes, sorted */
    kiln_link *links;    /* sorted used links */
    uint32_t *ltrace;    /* per new link: its trace number */
    uint32_t *lastpage;  /* per trace: last page seen + 1 */
    uint32_t *tpairs;    /* (trace, page) pairs, page order */
    size_t ntpairs, captpairs;
    kiln_page_meta *pages;
    size_t npages, cappages;
    kiln_trace_index ti;
    kiln_bloom bloom;
    name_count *names;
    size_t nnames;
    /* one page, column-wise */
    int64_t *ptime, *pdur, *pvals;
    uint32_t *pstack, *plset, *plink;
    kiln_buf raw, samples, tmp;
} enc;

static void enc_free(enc *e)
{
    free(e->rprof);
    free(e->porder);
    free(e->pgroup);
    free(e->keys);
    free(e->perm);
    free(e->linkmap);
    free(e->lorder);
    free(e->links);
    free(e->ltrace);
    free(e->lastpage);
    free(e->tpairs);
    free(e->pages);
    free(e->ti.first_link);
    free(e->ti.pg_off);
    free(e->ti.pg_ids);
    bloom_free(&e->bloom);
    free(e->names);
    free(e->ptime);
    free(e->pdur);
    free(e->pvals);
    free(e->pstack);
    free(e->plset);
    free(e->plink);
    kiln_buf_free(&e->raw);
    kiln_buf_free(&e->samples);
    kiln_buf_free(&e->tmp);
}

#define ALLOC(p, n)                                                          \
    do {                                                                     \
        (p) = malloc(((n) ? (n) : 1) * sizeof *(p));                         \
        if (!(p)) {                                                          \
            rc = kiln_error_set(KILN_ENOMEM, "writer: out of memory");       \
            goto out;                                                        \
        }                                                                    \
    } while (0)

/* Sort rows into block order: by series, then time, then stack; rows that
 * tie keep the order they were added in. */
static int order_rows(kiln_writer *w, enc *e)
{
    int rc = 0;
    size_t nr = w->nrows, np = w->nprof;
    ALLOC(e->rprof, nr);
    ALLOC(e->porder, np);
    ALLOC(e->pgroup, np);
    ALLOC(e->keys, nr);
    ALLOC(e->perm, nr);
    for (size_t i = 0; i < np; i++) {
        e->porder[i] = (uint32_t)i;
        for (size_t r = 0; r < w->prof[i].nrows; r++)
            e->rprof[w->prof[i].row0 + r] = (uint32_t)i;
    }
    qsort_r(e->porder, np, sizeof *e->porder, prof_cmp, w->prof);
    uint32_t g = 0;
    for (size_t i = 0; i < np; i++) {
        const wr_profile *p = &w->prof[e->porder[i]];
        if (i > 0) {
            const wr_profile *q = &w->prof[e->porder[i - 1]];
            if (p->series != q->series || p->time != q->time)
                g++;
        }
        e->pgroup[e->porder[i]] = g;
    }
    for (size_t r = 0; r < nr; r++) {
        e->keys[r] = (uint64_t)e->pgroup[e->rprof[r]] << 32 | w->r_stack[r];
        e->perm[r] = (uint32_t)r;
    }
    rc = radix_sort(e->keys, e->perm, nr);
out:
    return rc;
}

/* The links rows use, sorted by (trace, span); traces numbered in order. */
static int order_links(kiln_writer *w, enc *e, size_t *nlinks,
                       size_t *ntraces)
{
    int rc = 0;
    size_t nl = w->links.n, used = 0;
    ALLOC(e->linkmap, nl);
    memset(e->linkmap, 0, (nl ? nl : 1) * sizeof *e->linkmap);
    for (size_t r = 0; r < w->nrows; r++)
        if (w->r_link[r])
            e->linkmap[w->r_link[r] - 1] = 1;
    ALLOC(e->lorder, nl);
    for (size_t i = 0; i < nl; i++)
        if (e->linkmap[i])
            e->lorder[used++] = (uint32_t)i;
    qsort_r(e->lorder, used, sizeof *e->lorder, link_cmp, w->links.links);
    ALLOC(e->links, used);
    ALLOC(e->ltrace, used);
    size_t nt = 0;
    for (size_t i = 0; i < used; i++) {
        e->links[i] = w->links.links[e->lorder[i]];
        e->linkmap[e->lorder[i]] = (uint32_t)i + 1;
        if (i > 0 && memcmp(e->links[i].trace_id, e->links[i - 1].trace_id,
                            16) == 0)
            e->ltrace[i] = e->ltrace[i - 1];
        else
            e->ltrace[i] = (uint32_t)nt++;
    }
    e->ti.ntraces = nt;
    ALLOC(e->ti.first_link, nt);
    ALLOC(e->lastpage, nt);
    memset(e->lastpage, 0, (nt ? nt : 1) * sizeof *e->lastpage);
    for (size_t i = 0; i < used; i++)
        if (i == 0 || e->ltrace[i] != e->ltrace[i - 1])
            e->ti.first_link[e->ltrace[i]] = (uint32_t)i;
    *nlinks = used;
    *ntraces = nt;
out:
    return rc;
}

/* Encode and compress rows perm[a..b) (one series) as the next page. */
static int put_page(kiln_writer *w, enc *e, size_t a, size_t b)
{
    int rc;
    size_t n = b - a;
    const wr_profile *p0 = &w->prof[e->rprof[e->perm[a]]];
    uint32_t nt = p0->ntypes;
    bool links = false;

    for (size_t i = 0; i < n; i++) {
        uint32_t r = e->perm[a + i];
        const wr_profile *p = &w->prof[e->rprof[r]];
        assert(p->ntypes == nt && p->series == p0->series);
        e->ptime[i] = p->time;
        e->pdur[i] = p->duration;
        e->pstack[i] = w->r_stack[r];
        e->plset[i] = w->r_lset[r];
        uint32_t l = w->r_link[r] ? e->linkmap[w->r_link[r] - 1] : 0;
        e->plink[i] = l;
        const int64_t *v = w->vals + p->val0 + (r - p->row0) * (size_t)nt;
        for (uint32_t t = 0; t < nt; t++)
            e->pvals[(size_t)t * n + i] = v[t];
        if (l) {
            links = true;
            uint32_t tr = e->ltrace[l - 1];
            if (e->lastpage[tr] != e->npages + 1) {
                e->lastpage[tr] = (uint32_t)e->npages + 1;
                if ((rc = wr_grow((void **)&e->tpairs, &e->captpairs,
                                  2 * (e->ntpairs + 1), sizeof(uint32_t))) < 0)
                    return rc;
                e->tpairs[2 * e->ntpairs] = tr;
                e->tpairs[2 * e->ntpairs + 1] = (uint32_t)e->npages;
                e->ntpairs++;
            }
        }
    }
    kiln_page_rows pr = {(uint32_t)n, nt, e->ptime, e->pdur, e->pstack,
                         e->plset, e->plink, e->pvals};
    kiln_buf_reset(&e->raw);
    if ((rc = page_encode(&pr, &e->raw)) < 0)
        return rc;
    /* Each page is its own zstd frame, made with one reused context (a
     * fresh context per page costs more than compressing a small page). */
    if (!w->zstd.c && !(w->zstd.c = ZSTD_createCCtx()))
        return kiln_error_set(KILN_ENOMEM, "writer: no zstd context");
    size_t bound = ZSTD_compressBound(e->raw.len);
    if ((rc = kiln_buf_reserve(&e->samples, bound)) < 0)
        return rc;
    uint8_t *dst = e->samples.data + e->samples.len;
    size_t z = ZSTD_compressCCtx(w->zstd.c, dst, bound, e->raw.data, e->raw.len,
                                 w->zstd_level);
    if (ZSTD_isError(z))
        return kiln_error_set(KILN_EINVAL, "writer: page %zu: zstd: %s",
                              e->npages, ZSTD_getErrorName(z));
    if ((rc = wr_grow((void **)&e->pages, &e->cappages, e->npages + 1,
                      sizeof *e->pages)) < 0)
        return rc;
    kiln_page_meta *m = &e->pages[e->npages++];
    memset(m, 0, sizeof *m);
    m->series = p0->series;
    m->nrows = (uint32_t)n;
    m->tmin = e->ptime[0];
    m->tmax = e->ptime[n - 1];
    m->offset = e->samples.len;
    m->stored = z;
    m->raw = e->raw.len;
    m->checksum = hash64(dst, z, 0);
    m->codec = KILN_CODEC_ZSTD;
    e->samples.len += z;
    m->ntypes = (uint8_t)nt;
    m->has_links = links;
    return 0;
}

/* Cut the sorted rows into pages: one series per page, at most page_rows
 * rows, and where a page must split a series, preferably where the time
 * changes (so a time-range query skips whole profiles). */
static int cut_pages(kiln_writer *w, enc *e)
{
    int rc = 0;
    size_t pr = w->page_rows, nr = w->nrows;
    uint32_t maxt = 0;
    for (size_t i = 0; i < w->nprof; i++)
        if (w->prof[i].ntypes > maxt)
            maxt = w->prof[i].ntypes;
    size_t cap = pr < nr ? pr : nr;
    ALLOC(e->ptime, cap);
    ALLOC(e->pdur, cap);
    ALLOC(e->pstack, cap);
    ALLOC(e->plset, cap);
    ALLOC(e->plink, cap);
    size_t nv = cap * (maxt ? maxt : 1);
    ALLOC(e->pvals, nv);

#define SERIES(i) (w->prof[e->rprof[e->perm[i]]].series)
#define TIME(i) (w->prof[e->rprof[e->perm[i]]].time)
    size_t a = 0;
    while (a < nr) {
        uint32_t s = SERIES(a);
        size_t b = a + 1;
        while (b < nr && b - a < pr && SERIES(b) == s)
            b++;
        if (b - a == pr && b < nr && SERIES(b) == s &&
            TIME(b) == TIME(b - 1)) {
            /* Cutting inside one time: back up to the last time change in
             * the second half of the page, if there is one. */
            for (size_t c = b - 1; c > a + pr / 2; c--)
                if (TIME(c) != TIME(c - 1)) {
                    b = c;
                    break;
                }
        }
        if ((rc = put_page(w, e, a, b)) < 0)
            goto out;
        a = b;
    }
#undef SERIES
#undef TIME
out:
    return rc;
}

/* Trace index: for each trace, the ascending pages holding it. */
static int build_trace_index(enc *e)
{
    int rc = 0;
    size_t nt = e->ti.ntraces;
    ALLOC(e->ti.pg_off, nt + 1);
    ALLOC(e->ti.pg_ids, e->ntpairs);
    memset(e->ti.pg_off, 0, (nt + 1) * sizeof(uint32_t));
    for (size_t i = 0; i < e->ntpairs; i++)
        e->ti.pg_off[e->tpairs[2 * i] + 1]++;
    for (size_t t = 0; t < nt; t++)
        e->ti.pg_off[t + 1] += e->ti.pg_off[t];
    /* pairs are in page order, so each trace's pages come out ascending */
    uint32_t *fill = e->lastpage; /* reuse: per trace next slot */
    for (size_t t = 0; t < nt; t++)
        fill[t] = e->ti.pg_off[t];
    for (size_t i = 0; i < e->ntpairs; i++)
        e->ti.pg_ids[fill[e->tpairs[2 * i]]++] = e->tpairs[2 * i + 1];
out:
    return rc;
}

static int pack(zctx *z, kiln_buf *block, kiln_section *secs, size_t *nsecs,
                uint8_t type, uint8_t codec, int level, const kiln_buf *raw)
{
    int rc = section_pack(block, &secs[*nsecs], type, codec, level,
                          raw->data, raw->len, z);
    if (rc < 0)
        return kiln_error_wrap(rc, "writer: section %s: ",
                               section_name(type));
    (*nsecs)++;
    return 0;
}

int wr_encode(kiln_writer *w, kiln_buf *block, char id[27])
{
    enc e;
    kiln_section secs[8];
    size_t nsecs = 0, nlinks = 0, ntraces = 0;
    int lvl = w->zstd_level;
    int rc;

    memset(&e, 0, sizeof e);
    id[0] = '\0';
    if (w->nprof == 0)
        return kiln_error_set(KILN_ENOTFOUND,
                              "writer: no profile added since the last cut");

    if ((rc = order_rows(w, &e)) < 0 ||
        (rc = order_links(w, &e, &nlinks, &ntraces)) < 0 ||
        (rc = cut_pages(w, &e)) < 0 || (rc = build_trace_index(&e)) < 0)
        goto out;
    if ((rc = seriestab_postings(&w->ser)) < 0)
        goto out;

    kiln_buf_reset(block);
    if ((rc = header_encode(&e.tmp, 0)) < 0 ||
        (rc = kiln_buf_append(block, e.tmp.data, e.tmp.len)) < 0)
        goto out;
    if ((rc = pack(&w->zstd, block, secs, &nsecs, KILN_SEC_SAMPLES, KILN_CODEC_NONE, 0,
                   &e.samples)) < 0)
        goto out;
#define SECTION(type, codec, level, call)                                    \
    do {                                                                     \
        kiln_buf_reset(&e.raw);                                              \
        if ((rc = (call)) < 0 ||                                             \
            (rc = pack(&w->zstd, block, secs, &nsecs, type, codec, level, &e.raw)) < 0) \
            goto out;                                                        \
    } while (0)
    SECTION(KILN_SEC_SYMBOLS, KILN_CODEC_ZSTD, lvl,
            symtab_encode(&w->sym, &e.raw));
    SECTION(KILN_SEC_STACKS, KILN_CODEC_ZSTD, lvl,
            stacks_encode(&w->stacks, &e.raw));
    SECTION(KILN_SEC_SERIES, KILN_CODEC_ZSTD, lvl,
            seriestab_encode(&w->ser, &e.raw));
    SECTION(KILN_SEC_PAGEINDEX, KILN_CODEC_ZSTD, lvl,
            pageindex_encode(e.pages, e.npages, &e.raw));
    /* Links in chunks, each compressed on its own (the section is stored
     * as is, like samples); the chunk index is the traceindex section,
     * beside the bloom filter, so a lookup reads the index and one chunk. */
    kiln_buf_reset(&e.raw);
    kiln_buf_reset(&e.tmp);
    if ((rc = links_chunked_encode(e.links, nlinks, &e.ti, 0,
                                        KILN_CODEC_ZSTD, lvl, &e.tmp,
                                        &e.raw, &w->zstd)) < 0 ||
        (rc = pack(&w->zstd, block, secs, &nsecs, KILN_SEC_LINKS, KILN_CODEC_NONE, 0,
                   &e.tmp)) < 0 ||
        (rc = pack(&w->zstd, block, secs, &nsecs, KILN_SEC_TRACEINDEX, KILN_CODEC_ZSTD,
                   lvl, &e.raw)) < 0)
        goto out;
    /* The bloom filter goes last and uncompressed (random bits do not
     * compress), beside the footer: "is this trace here?" is one read.
     * Sized for 0.5 % expected so that measured rates keep under the 1 %
     * promised (spec/links.md). */
    if ((rc = bloom_init(&e.bloom,
                              bloom_blocks_for(ntraces, 0.005))) < 0)
        goto out;
    for (size_t i = 0; i < nlinks; i++)
        if (i == 0 || e.ltrace[i] != e.ltrace[i - 1])
            bloom_insert(&e.bloom, e.links[i].trace_id, 16);
    SECTION(KILN_SEC_BLOOM, KILN_CODEC_NONE, 0,
            bloom_encode(&e.bloom, &e.raw));
#undef SECTION

    /* The id: time, then 80 bits of a hash of every section's checksum and
     * the tenant. Same input, same bytes, same id. */
    kiln_buf_reset(&e.tmp);
    for (size_t i = 0; i < nsecs; i++)
        if ((rc = put_u64le(&e.tmp, secs[i].checksum)) < 0)
            goto out;
    if ((rc = kiln_buf_append(&e.tmp, w->tenant, strlen(w->tenant))) < 0)
        goto out;
    /* A block that is not raw, or replaces others, also hashes what its
     * footer says of that (nothing for a raw ingested block, so its id is
     * as before): a copy or merge never takes its source's id. */
    if (w->resolution || w->level || w->nsources) {
        if ((rc = put_svarint(&e.tmp, w->resolution)) < 0 ||
            (rc = put_uvarint(&e.tmp, w->level)) < 0)
            goto out;
        for (size_t i = 0; i < w->nsources; i++)
            if ((rc = put_blob(&e.tmp, w->sources[i],
                                    strlen(w->sources[i]))) < 0)
                goto out;
    }
    uint8_t ent[16];
    set_u64le(ent, hash64(e.tmp.data, e.tmp.len, 0));
    set_u64le(ent + 8, hash64(e.tmp.data, e.tmp.len, 0x6b696c6eULL));
    int64_t tms = w->tmin > 0 ? w->tmin / 1000000 : 0;
    block_id(id, tms, ent);

    if ((rc = label_names(&w->ser, &e.names, &e.nnames)) < 0)
        goto out;
    char **names = malloc((e.nnames ? e.nnames : 1) * sizeof *names);
    uint64_t *values = malloc((e.nnames ? e.nnames : 1) * sizeof *values);
    if (!names || !values) {
        free(names);
        free(values);
        rc = kiln_error_set(KILN_ENOMEM, "writer: out of memory");
        goto out;
    }
    for (size_t i = 0; i < e.nnames; i++) {
        names[i] = (char *)e.names[i].name;
        values[i] = e.names[i].values;
    }
    kiln_meta meta;
    memset(&meta, 0, sizeof meta);
    meta.tenant = w->tenant;
    meta.id = id;
    meta.tmin = w->tmin;
    meta.tmax = w->tmax;
    meta.nseries = w->ser.nseries;
    meta.nsamples = w->nrows;
    meta.nstacks = w->stacks.n;
    meta.nlocations = w->sym.nlocations;
    meta.nfunctions = w->sym.nfunctions;
    meta.nstrings = w->sym.strings.n;
    meta.nlinks = nlinks;
    meta.ntraces = ntraces;
    meta.nprofiles = w->nprof;
    meta.resolution = w->resolution;
    meta.level = w->level;
    meta.nsources = w->nsources;
    meta.sources = w->sources;
    meta.nlabelnames = e.nnames;
    meta.labelnames = names;
    meta.labelvalues = values;

    uint64_t footer_off = block->len;
    kiln_buf_reset(&e.tmp);
    rc = footer_encode(&e.tmp, secs, nsecs, &meta);
    free(names);
    free(values);
    if (rc < 0)
        goto out;
    uint64_t footer_len = e.tmp.len;
    uint64_t footer_sum = hash64(e.tmp.data, e.tmp.len, 0);
    if ((rc = kiln_buf_append(block, e.tmp.data, e.tmp.len)) < 0)
        goto out;
    kiln_buf_reset(&e.tmp);
    if ((rc = trailer_encode(&e.tmp, footer_off, footer_len,
                                  footer_sum)) < 0 ||
        (rc = kiln_buf_append(block, e.tmp.data, e.tmp.len)) < 0)
        goto out;
    rc = 0;
out:
    if (rc < 0)
        id[0] = '\0';
    enc_free(&e);
    return rc;
}
