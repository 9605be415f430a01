/* links.c: the block's distinct (trace id, span id) pairs, sorted, and the
 * trace index (distinct trace -> pages holding it), stored as independent
 * chunks with a small chunk index so "where is trace X?" decodes one chunk,
 * not every link of the block; spec/links.md. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format_internal.h"

static int link_cmp(const kiln_link *a, const kiln_link *b)
{
    int c = memcmp(a->trace_id, b->trace_id, sizeof a->trace_id);

    return c ? c : memcmp(a->span_id, b->span_id, sizeof a->span_id);
}

int links_encode(const kiln_link *links, size_t n, kiln_buf *out)
{
    int rc;

    for (size_t i = 1; i < n; i++)
        if (link_cmp(&links[i - 1], &links[i]) >= 0)
            return kiln_error_set(KILN_EINVAL, "links: link %zu not after link %zu", i, i - 1);
    if ((rc = put_uvarint(out, n)) < 0)
        return rc;
    /* Column-wise: every trace id, then every span id. */
    for (size_t i = 0; i < n; i++)
        if ((rc = kiln_buf_append(out, links[i].trace_id, 16)) < 0)
            return rc;
    for (size_t i = 0; i < n; i++)
        if ((rc = kiln_buf_append(out, links[i].span_id, 8)) < 0)
            return rc;
    return 0;
}

/* Count, trace ids, span ids from c (no trailing check): sorted and
 * distinct. */
static int links_get(kiln_cur *c, kiln_link **links, size_t *n)
{
    kiln_link *l = NULL;
    const uint8_t *tr, *sp;
    uint64_t cnt;
    int rc;

    *links = NULL;
    *n = 0;
    if ((rc = get_count(c, cur_left(c) / 24, "link count", &cnt)) < 0)
        goto out;
    size_t m = (size_t)cnt;
    if ((rc = get_bytes(c, 16 * m, &tr)) < 0 ||
        (rc = get_bytes(c, 8 * m, &sp)) < 0)
        goto out;
    l = malloc((m ? m : 1) * sizeof *l);
    if (!l) {
        rc = kiln_error_set(KILN_ENOMEM, "links: %zu links", m);
        goto out;
    }
    for (size_t i = 0; i < m; i++) {
        memcpy(l[i].trace_id, tr + 16 * i, 16);
        memcpy(l[i].span_id, sp + 8 * i, 8);
        if (i > 0 && link_cmp(&l[i - 1], &l[i]) >= 0) {
            rc = kiln_error_set(KILN_ECORRUPT, "%s: link %zu not after link %zu (sorted, distinct)",
                                c->what, i, i - 1);
            goto out;
        }
    }
    *links = l;
    *n = m;
    l = NULL;
    rc = 0;
out:
    free(l);
    return rc;
}

int links_decode(kiln_link **links, size_t *n, const void *p, size_t len)
{
    kiln_cur c;
    int rc;

    cur_init(&c, p, len, "section links");
    if ((rc = links_get(&c, links, n)) < 0)
        return rc;
    if (cur_left(&c) != 0) {
        free(*links);
        *links = NULL;
        *n = 0;
        return corrupt(c.what, cur_off(&c), "trailing bytes");
    }
    return 0;
}

int trace_index_encode(const kiln_trace_index *ti, kiln_buf *out)
{
    size_t nt = ti->ntraces, nids = nt ? ti->pg_off[nt] : 0;
    size_t most = nt > nids ? nt : nids;
    uint32_t *tmp = malloc((most + 1) * sizeof *tmp);
    int rc;

    if (!tmp)
        return kiln_error_set(KILN_ENOMEM, "trace index: encode");
    if ((rc = put_uvarint(out, nt)) < 0)
        goto out;
    if ((rc = col_encode_u32(out, ti->first_link, nt, KILN_COL_DELTA)) < 0)
        goto out;
    for (size_t i = 0; i < nt; i++)
        tmp[i] = ti->pg_off[i + 1] - ti->pg_off[i];
    if ((rc = col_encode_u32(out, tmp, nt, KILN_COL_PLAIN)) < 0)
        goto out;
    /* Page ids per trace as gaps: first id, then id - previous - 1. */
    size_t m = 0;
    for (size_t i = 0; i < nt; i++)
        for (uint32_t j = ti->pg_off[i]; j < ti->pg_off[i + 1]; j++)
            tmp[m++] = j == ti->pg_off[i] ? ti->pg_ids[j]
                                          : ti->pg_ids[j] - ti->pg_ids[j - 1] - 1;
    rc = col_encode_u32(out, tmp, m, KILN_COL_PLAIN);
out:
    free(tmp);
    return rc;
}

void trace_index_free(kiln_trace_index *ti)
{
    if (!ti)
        return;
    free(ti->first_link);
    free(ti->pg_off);
    free(ti->pg_ids);
    memset(ti, 0, sizeof *ti);
}

int trace_index_decode(kiln_trace_index *ti, const void *p, size_t len,
                            const kiln_link *links, size_t nlinks,
                            size_t npages)
{
    kiln_cur c;
    uint32_t *cnts = NULL;
    uint64_t cnt, off;
    int rc;

    memset(ti, 0, sizeof *ti);
    cur_init(&c, p, len, "section traceindex");
    /* There is one entry per distinct trace of the links. */
    size_t distinct = 0;
    for (size_t i = 0; i < nlinks; i++)
        if (i == 0 || memcmp(links[i - 1].trace_id, links[i].trace_id, 16) != 0)
            distinct++;
    off = cur_off(&c);
    if ((rc = get_count(&c, distinct, "trace count", &cnt)) < 0)
        goto out;
    if (cnt != distinct) {
        rc = kiln_error_set(KILN_ECORRUPT, "%s: %llu traces but the links hold %zu at offset %llu",
                            c.what, (unsigned long long)cnt, distinct,
                            (unsigned long long)off);
        goto out;
    }
    size_t nt = distinct;
    ti->first_link = malloc((nt + 1) * sizeof *ti->first_link);
    ti->pg_off = malloc((nt + 1) * sizeof *ti->pg_off);
    cnts = malloc((nt + 1) * sizeof *cnts);
    if (!ti->first_link || !ti->pg_off || !cnts) {
        rc = kiln_error_set(KILN_ENOMEM, "trace index: %zu traces", nt);
        goto out;
    }
    off = cur_off(&c);
    if ((rc = col_decode_u32(&c, ti->first_link, nt)) < 0)
        goto out;
    size_t k = 0;
    for (size_t i = 0; i < nlinks; i++) {
        if (i == 0 || memcmp(links[i - 1].trace_id, links[i].trace_id, 16) != 0) {
            if (ti->first_link[k] != i) {
                rc = kiln_error_set(KILN_ECORRUPT, "%s: trace %zu starts at link %u, not %zu (column at offset %llu)",
                                    c.what, k, ti->first_link[k], i, (unsigned long long)off);
                goto out;
            }
            k++;
        }
    }
    off = cur_off(&c);
    if ((rc = col_decode_u32(&c, cnts, nt)) < 0)
        goto out;
    uint64_t total = 0;
    for (size_t i = 0; i < nt; i++) {
        ti->pg_off[i] = (uint32_t)total;
        if (cnts[i] > npages) {
            rc = kiln_error_set(KILN_ECORRUPT, "%s: trace %zu in %u pages of %zu (column at offset %llu)",
                                c.what, i, cnts[i], npages, (unsigned long long)off);
            goto out;
        }
        total += cnts[i];
        if (total > UINT32_MAX) {
            rc = corrupt(c.what, off, "too many page entries");
            goto out;
        }
    }
    ti->pg_off[nt] = (uint32_t)total;
    ti->pg_ids = malloc(((size_t)total + 1) * sizeof *ti->pg_ids);
    if (!ti->pg_ids) {
        rc = kiln_error_set(KILN_ENOMEM, "trace index: %llu entries", (unsigned long long)total);
        goto out;
    }
    off = cur_off(&c);
    if ((rc = col_decode_u32(&c, ti->pg_ids, (size_t)total)) < 0)
        goto out;
    for (size_t i = 0; i < nt; i++) {
        uint64_t prev = 0;
        for (uint32_t j = ti->pg_off[i]; j < ti->pg_off[i + 1]; j++) {
            uint64_t v = ti->pg_ids[j];
            if (j > ti->pg_off[i])
                v += prev + 1;
            if (v >= npages) {
                rc = kiln_error_set(KILN_ECORRUPT, "%s: trace %zu lists page %llu of %zu (column at offset %llu)",
                                    c.what, i, (unsigned long long)v, npages, (unsigned long long)off);
                goto out;
            }
            ti->pg_ids[j] = (uint32_t)v;
            prev = v;
        }
    }
    if (cur_left(&c) != 0) {
        rc = corrupt(c.what, cur_off(&c), "trailing bytes");
        goto out;
    }
    ti->ntraces = nt;
    rc = 0;
out:
    free(cnts);
    if (rc < 0)
        trace_index_free(ti);
    return rc;
}

/* ---- chunked storage: the links section as chunks, the traceindex
 * section as their index (spec/links.md) ---- */

#define CHUNK_RAW_MAX ((uint64_t)1 << 31) /* as any section */

/* The trace index of traces [t0, t1) of ti, link ids minus base. */
static int ti_slice(const kiln_trace_index *ti, size_t t0, size_t t1,
                    uint32_t base, kiln_trace_index *out)
{
    size_t nt = t1 - t0;
    uint32_t p0 = ti->pg_off[t0], np = ti->pg_off[t1] - p0;

    memset(out, 0, sizeof *out);
    out->first_link = malloc((nt + 1) * sizeof *out->first_link);
    out->pg_off = malloc((nt + 1) * sizeof *out->pg_off);
    out->pg_ids = malloc(((size_t)np + 1) * sizeof *out->pg_ids);
    if (!out->first_link || !out->pg_off || !out->pg_ids) {
        trace_index_free(out);
        return kiln_error_set(KILN_ENOMEM, "links: chunk of %zu traces", nt);
    }
    for (size_t k = 0; k < nt; k++) {
        out->first_link[k] = ti->first_link[t0 + k] - base;
        out->pg_off[k] = ti->pg_off[t0 + k] - p0;
    }
    out->pg_off[nt] = np;
    if (np)
        memcpy(out->pg_ids, ti->pg_ids + p0, np * sizeof *out->pg_ids);
    out->ntraces = nt;
    return 0;
}

int links_chunked_encode(const kiln_link *links, size_t n,
                              const kiln_trace_index *ti, size_t per_chunk,
                              uint8_t codec, int level, kiln_buf *section,
                              kiln_buf *index, zctx *z)
{
    kiln_buf raw = KILN_BUF_INIT, rows = KILN_BUF_INIT;
    kiln_trace_index part;
    size_t nchunks = 0;
    int rc = 0;

    memset(&part, 0, sizeof part);
    if (!per_chunk)
        per_chunk = KILN_LINK_CHUNK_LINKS;
    if (n > UINT32_MAX)
        return kiln_error_set(KILN_ELIMIT, "links: %zu links", n);
    if ((n == 0) != (ti->ntraces == 0) ||
        (n && (ti->first_link[0] != 0 || ti->first_link[ti->ntraces - 1] >= n)))
        return kiln_error_set(KILN_EINVAL, "links: trace index does not "
                              "cover the %zu links", n);
    for (size_t t = 0; t < ti->ntraces;) {
        /* Whole traces until the chunk holds per_chunk links. */
        size_t t1 = t + 1;
        uint32_t l0 = ti->first_link[t], l1;
        for (;;) {
            l1 = t1 < ti->ntraces ? ti->first_link[t1] : (uint32_t)n;
            if (l1 <= l0) {
                rc = kiln_error_set(KILN_EINVAL, "links: trace %zu has no "
                                    "links", t1 - 1);
                goto out;
            }
            if (t1 == ti->ntraces || l1 - l0 >= per_chunk)
                break;
            t1++;
        }
        kiln_buf_reset(&raw);
        if ((rc = links_encode(links + l0, l1 - l0, &raw)) < 0 ||
            (rc = ti_slice(ti, t, t1, l0, &part)) < 0 ||
            (rc = trace_index_encode(&part, &raw)) < 0)
            goto out;
        trace_index_free(&part);
        kiln_section sec;
        if ((rc = section_pack(section, &sec, KILN_SEC_LINKS, codec,
                                    level, raw.data, raw.len, z)) < 0)
            goto out;
        if ((rc = kiln_buf_append(&rows, links[l0].trace_id, 16)) < 0 ||
            (rc = put_uvarint(&rows, l1 - l0)) < 0 ||
            (rc = put_uvarint(&rows, t1 - t)) < 0 ||
            (rc = put_u8(&rows, codec)) < 0 ||
            (rc = put_uvarint(&rows, sec.stored)) < 0 ||
            (rc = put_uvarint(&rows, sec.raw)) < 0 ||
            (rc = put_u64le(&rows, sec.checksum)) < 0)
            goto out;
        nchunks++;
        t = t1;
    }
    if ((rc = put_uvarint(index, nchunks)) < 0 ||
        (rc = kiln_buf_append(index, rows.data, rows.len)) < 0)
        goto out;
out:
    trace_index_free(&part);
    kiln_buf_free(&raw);
    kiln_buf_free(&rows);
    return rc;
}

int link_chunks_decode(kiln_link_chunk **chunks, size_t *n,
                            const void *p, size_t len, uint64_t section_len,
                            uint64_t *nlinks, uint64_t *ntraces)
{
    kiln_cur c;
    kiln_link_chunk *ch = NULL;
    uint64_t cnt, v, links = 0, traces = 0, off = 0;
    int rc;

    *chunks = NULL;
    *n = 0;
    *nlinks = *ntraces = 0;
    cur_init(&c, p, len, "section traceindex");
    /* A chunk takes at least 16 + 1 + 1 + 1 + 1 + 1 + 8 bytes. */
    if ((rc = get_count(&c, cur_left(&c) / 29, "chunk count",
                             &cnt)) < 0)
        goto out;
    ch = calloc(cnt ? (size_t)cnt : 1, sizeof *ch);
    if (!ch) {
        rc = kiln_error_set(KILN_ENOMEM, "links: %llu chunks",
                            (unsigned long long)cnt);
        goto out;
    }
    for (size_t i = 0; i < cnt; i++) {
        kiln_link_chunk *k = &ch[i];
        const uint8_t *tr;
        uint64_t at = cur_off(&c);
        if ((rc = get_bytes(&c, 16, &tr)) < 0)
            goto out;
        memcpy(k->first_trace, tr, 16);
        if (i && memcmp(ch[i - 1].first_trace, k->first_trace, 16) >= 0) {
            rc = kiln_error_set(KILN_ECORRUPT, "%s: chunk %zu's first trace "
                                "is not after chunk %zu's at offset %llu",
                                c.what, i, i - 1, (unsigned long long)at);
            goto out;
        }
        if ((rc = get_count(&c, UINT32_MAX - links, "chunk links",
                                 &v)) < 0)
            goto out;
        if (v == 0) {
            rc = corrupt(c.what, at, "chunk without links");
            goto out;
        }
        k->nlinks = (uint32_t)v;
        if ((rc = get_count(&c, k->nlinks, "chunk traces", &v)) < 0)
            goto out;
        if (v == 0) {
            rc = corrupt(c.what, at, "chunk without traces");
            goto out;
        }
        k->ntraces = (uint32_t)v;
        if ((rc = get_u8(&c, &k->codec)) < 0 ||
            (rc = get_count(&c, section_len - off, "chunk stored",
                                 &k->stored)) < 0 ||
            (rc = get_count(&c, CHUNK_RAW_MAX, "chunk raw",
                                 &k->raw)) < 0 ||
            (rc = get_u64le(&c, &k->checksum)) < 0)
            goto out;
        k->first_link = (uint32_t)links;
        k->first_trace_no = (uint32_t)traces;
        k->offset = off;
        links += k->nlinks;
        traces += k->ntraces;
        off += k->stored;
    }
    if (off != section_len) {
        rc = kiln_error_set(KILN_ECORRUPT, "%s: chunks hold %llu bytes, the "
                            "links section %llu", c.what,
                            (unsigned long long)off,
                            (unsigned long long)section_len);
        goto out;
    }
    if (cur_left(&c) != 0) {
        rc = corrupt(c.what, cur_off(&c), "trailing bytes");
        goto out;
    }
    *chunks = cnt ? ch : NULL;
    if (cnt)
        ch = NULL;
    *n = (size_t)cnt;
    *nlinks = links;
    *ntraces = traces;
    rc = 0;
out:
    free(ch);
    return rc;
}

size_t link_chunk_find(const kiln_link_chunk *chunks, size_t n,
                            const uint8_t trace[16])
{
    size_t lo = 0, hi = n; /* first chunk whose first trace is > trace */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (memcmp(chunks[mid].first_trace, trace, 16) <= 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo ? lo - 1 : n;
}

int link_chunk_decode(const kiln_link_chunk *ch, size_t idx,
                           const void *stored, const uint8_t *next_trace,
                           size_t npages, kiln_link **links,
                           kiln_trace_index *ti, zctx *z)
{
    kiln_buf raw = KILN_BUF_INIT;
    kiln_section sec;
    kiln_cur c;
    kiln_link *l = NULL;
    size_t m = 0;
    char what[48];
    int rc;

    *links = NULL;
    memset(ti, 0, sizeof *ti);
    snprintf(what, sizeof what, "section links: chunk %zu", idx);
    memset(&sec, 0, sizeof sec);
    sec.type = KILN_SEC_LINKS;
    sec.codec = ch->codec;
    sec.offset = ch->offset;
    sec.stored = ch->stored;
    sec.raw = ch->raw;
    sec.checksum = ch->checksum;
    if ((rc = section_unpack(&sec, stored, &raw, what, z)) < 0)
        goto out;
    cur_init(&c, raw.data, raw.len, what);
    if ((rc = links_get(&c, &l, &m)) < 0)
        goto out;
    if (m == 0 || m != ch->nlinks || memcmp(l[0].trace_id, ch->first_trace, 16) != 0 ||
        (next_trace && memcmp(l[m - 1].trace_id, next_trace, 16) >= 0)) {
        rc = kiln_error_set(KILN_ECORRUPT, "%s: %zu links differ from the "
                            "chunk index (%u links from its first trace, "
                            "all before the next chunk's)", what, m,
                            ch->nlinks);
        goto out;
    }
    if ((rc = trace_index_decode(ti, c.p, cur_left(&c), l, m,
                                      npages)) < 0) {
        kiln_error_wrap(rc, "%s: ", what);
        goto out;
    }
    if (ti->ntraces != ch->ntraces) {
        rc = kiln_error_set(KILN_ECORRUPT, "%s: %zu traces, the chunk index "
                            "says %u", what, ti->ntraces, ch->ntraces);
        goto out;
    }
    *links = l;
    l = NULL;
    rc = 0;
out:
    if (rc < 0)
        trace_index_free(ti);
    free(l);
    kiln_buf_free(&raw);
    return rc;
}

int links_chunked_decode(const kiln_link_chunk *chunks, size_t n,
                              const void *section, size_t section_len,
                              size_t npages, kiln_link **links,
                              size_t *nlinks, kiln_trace_index *ti)
{
    const uint8_t *sec = section;
    kiln_link *all = NULL, *part = NULL;
    kiln_trace_index one;
    zctx z = {NULL, NULL}; /* one context for every chunk */
    size_t nl = 0, nt = 0, np = 0;
    int rc = 0;

    *links = NULL;
    *nlinks = 0;
    memset(ti, 0, sizeof *ti);
    memset(&one, 0, sizeof one);
    if (n) {
        nl = (size_t)chunks[n - 1].first_link + chunks[n - 1].nlinks;
        nt = (size_t)chunks[n - 1].first_trace_no + chunks[n - 1].ntraces;
    }
    all = malloc((nl ? nl : 1) * sizeof *all);
    ti->first_link = malloc((nt + 1) * sizeof *ti->first_link);
    ti->pg_off = malloc((nt + 1) * sizeof *ti->pg_off);
    if (!all || !ti->first_link || !ti->pg_off) {
        rc = kiln_error_set(KILN_ENOMEM, "links: %zu links", nl);
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        const kiln_link_chunk *k = &chunks[i];
        if (k->offset > section_len || k->stored > section_len - k->offset) {
            rc = kiln_error_set(KILN_ECORRUPT, "section links: chunk %zu lies "
                                "past the section", i);
            goto out;
        }
        if ((rc = link_chunk_decode(k, i, sec + k->offset,
                                         i + 1 < n ? chunks[i + 1].first_trace
                                                   : NULL,
                                         npages, &part, &one, &z)) < 0)
            goto out;
        memcpy(all + k->first_link, part, k->nlinks * sizeof *part);
        free(part);
        part = NULL;
        uint32_t add = one.pg_off[one.ntraces];
        if ((uint64_t)np + add > UINT32_MAX) {
            rc = kiln_error_set(KILN_ECORRUPT, "section links: chunk %zu: "
                                "too many page entries", i);
            goto out;
        }
        uint32_t *ids = realloc(ti->pg_ids, (np + add + 1) * sizeof *ids);
        if (!ids) {
            rc = kiln_error_set(KILN_ENOMEM, "links: page entries");
            goto out;
        }
        ti->pg_ids = ids;
        for (size_t t = 0; t < one.ntraces; t++) {
            ti->first_link[k->first_trace_no + t] = one.first_link[t] +
                                                    k->first_link;
            ti->pg_off[k->first_trace_no + t] = (uint32_t)np + one.pg_off[t];
        }
        if (add)
            memcpy(ids + np, one.pg_ids, add * sizeof *ids);
        np += add;
        trace_index_free(&one);
    }
    ti->pg_off[nt] = (uint32_t)np;
    if (!ti->pg_ids && !(ti->pg_ids = malloc(sizeof *ti->pg_ids))) {
        rc = kiln_error_set(KILN_ENOMEM, "links: page entries");
        goto out;
    }
    ti->ntraces = nt;
    *links = all;
    *nlinks = nl;
    all = NULL;
out:
    zctx_free(&z);
    free(all);
    free(part);
    trace_index_free(&one);
    if (rc < 0)
        trace_index_free(ti);
    return rc;
}
