/* links.c: the links section (distinct (trace id, span id) pairs, sorted)
 * and the trace index (distinct trace -> pages holding it); spec/links.md.
 * Together with the bloom filter they make "where is trace X?" cheap. */
#include <stdlib.h>
#include <string.h>

#include "format_internal.h"

static int link_cmp(const kiln_link *a, const kiln_link *b)
{
    int c = memcmp(a->trace_id, b->trace_id, sizeof a->trace_id);

    return c ? c : memcmp(a->span_id, b->span_id, sizeof a->span_id);
}

int kiln_links_encode(const kiln_link *links, size_t n, kiln_buf *out)
{
    int rc;

    for (size_t i = 1; i < n; i++)
        if (link_cmp(&links[i - 1], &links[i]) >= 0)
            return kiln_error_set(KILN_EINVAL, "links: link %zu not after link %zu", i, i - 1);
    if ((rc = kiln_put_uvarint(out, n)) < 0)
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

int kiln_links_decode(kiln_link **links, size_t *n, const void *p, size_t len)
{
    kiln_cur c;
    kiln_link *l = NULL;
    const uint8_t *tr, *sp;
    uint64_t cnt;
    int rc;

    *links = NULL;
    *n = 0;
    kiln_cur_init(&c, p, len, "section links");
    if ((rc = kiln_get_count(&c, kiln_cur_left(&c) / 24, "link count", &cnt)) < 0)
        goto out;
    size_t m = (size_t)cnt;
    if ((rc = kiln_get_bytes(&c, 16 * m, &tr)) < 0 ||
        (rc = kiln_get_bytes(&c, 8 * m, &sp)) < 0)
        goto out;
    if (kiln_cur_left(&c) != 0) {
        rc = kiln_corrupt(c.what, kiln_cur_off(&c), "trailing bytes");
        goto out;
    }
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
                                c.what, i, i - 1);
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

int kiln_trace_index_encode(const kiln_trace_index *ti, kiln_buf *out)
{
    size_t nt = ti->ntraces, nids = nt ? ti->pg_off[nt] : 0;
    size_t most = nt > nids ? nt : nids;
    uint32_t *tmp = malloc((most + 1) * sizeof *tmp);
    int rc;

    if (!tmp)
        return kiln_error_set(KILN_ENOMEM, "trace index: encode");
    if ((rc = kiln_put_uvarint(out, nt)) < 0)
        goto out;
    if ((rc = kiln_col_encode_u32(out, ti->first_link, nt, KILN_COL_DELTA)) < 0)
        goto out;
    for (size_t i = 0; i < nt; i++)
        tmp[i] = ti->pg_off[i + 1] - ti->pg_off[i];
    if ((rc = kiln_col_encode_u32(out, tmp, nt, KILN_COL_PLAIN)) < 0)
        goto out;
    /* Page ids per trace as gaps: first id, then id - previous - 1. */
    size_t m = 0;
    for (size_t i = 0; i < nt; i++)
        for (uint32_t j = ti->pg_off[i]; j < ti->pg_off[i + 1]; j++)
            tmp[m++] = j == ti->pg_off[i] ? ti->pg_ids[j]
                                          : ti->pg_ids[j] - ti->pg_ids[j - 1] - 1;
    rc = kiln_col_encode_u32(out, tmp, m, KILN_COL_PLAIN);
out:
    free(tmp);
    return rc;
}

void kiln_trace_index_free(kiln_trace_index *ti)
{
    if (!ti)
        return;
    free(ti->first_link);
    free(ti->pg_off);
    free(ti->pg_ids);
    memset(ti, 0, sizeof *ti);
}

int kiln_trace_index_decode(kiln_trace_index *ti, const void *p, size_t len,
                            const kiln_link *links, size_t nlinks,
                            size_t npages)
{
    kiln_cur c;
    uint32_t *cnts = NULL;
    uint64_t cnt, off;
    int rc;

    memset(ti, 0, sizeof *ti);
    kiln_cur_init(&c, p, len, "section traceindex");
    /* There is one entry per distinct trace of the links. */
    size_t distinct = 0;
    for (size_t i = 0; i < nlinks; i++)
        if (i == 0 || memcmp(links[i - 1].trace_id, links[i].trace_id, 16) != 0)
            distinct++;
    off = kiln_cur_off(&c);
    if ((rc = kiln_get_count(&c, distinct, "trace count", &cnt)) < 0)
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
    off = kiln_cur_off(&c);
    if ((rc = kiln_col_decode_u32(&c, ti->first_link, nt)) < 0)
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
    off = kiln_cur_off(&c);
    if ((rc = kiln_col_decode_u32(&c, cnts, nt)) < 0)
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
            rc = kiln_corrupt(c.what, off, "too many page entries");
            goto out;
        }
    }
    ti->pg_off[nt] = (uint32_t)total;
    ti->pg_ids = malloc(((size_t)total + 1) * sizeof *ti->pg_ids);
    if (!ti->pg_ids) {
        rc = kiln_error_set(KILN_ENOMEM, "trace index: %llu entries", (unsigned long long)total);
        goto out;
    }
    off = kiln_cur_off(&c);
    if ((rc = kiln_col_decode_u32(&c, ti->pg_ids, (size_t)total)) < 0)
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
    if (kiln_cur_left(&c) != 0) {
        rc = kiln_corrupt(c.what, kiln_cur_off(&c), "trailing bytes");
        goto out;
    }
    ti->ntraces = nt;
    rc = 0;
out:
    free(cnts);
    if (rc < 0)
        kiln_trace_index_free(ti);
    return rc;
}
