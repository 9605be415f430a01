/* pages.c: sample pages and the page index (spec/samples.md). A page holds
 * the rows of one series as integer columns; the index gives each page's
 * series, time range and extent so a range query reads only what overlaps. */
#include <stdlib.h>
#include <string.h>

#include "format_internal.h"

#define MAX_PAGE_ROWS KILN_MAX_PAGE_ROWS
#define MAX_PAGE_RAW KILN_MAX_SECTION_RAW

int page_encode(const kiln_page_rows *r, kiln_buf *out)
{
    size_t n = r->n;
    int rc;

    if (r->n > MAX_PAGE_ROWS)
        return kiln_error_set(KILN_ELIMIT, "page: %u rows (max %u)", r->n, MAX_PAGE_ROWS);
    if (r->ntypes > KILN_MAX_TYPES)
        return kiln_error_set(KILN_ELIMIT, "page: %u sample types", r->ntypes);
    if ((rc = col_encode(out, r->time, n, KILN_COL_DELTA)) < 0 ||
        (rc = col_encode(out, r->duration, n, KILN_COL_PLAIN)) < 0 ||
        (rc = col_encode_u32(out, r->stack, n, KILN_COL_PLAIN)) < 0 ||
        (rc = col_encode_u32(out, r->lset, n, KILN_COL_PLAIN)) < 0 ||
        (rc = col_encode_u32(out, r->link, n, KILN_COL_PLAIN)) < 0)
        return rc;
    for (uint32_t t = 0; t < r->ntypes; t++)
        if ((rc = col_encode(out, r->values + (size_t)t * n, n,
                                  KILN_COL_PLAIN)) < 0)
            return rc;
    return 0;
}

void page_rows_free(kiln_page_rows *r)
{
    if (!r)
        return;
    free(r->time);
    free(r->duration);
    free(r->stack);
    free(r->lset);
    free(r->link);
    free(r->values);
    memset(r, 0, sizeof *r);
}

static int check_u32(kiln_cur *c, uint64_t off, const uint32_t *v, size_t n,
                     size_t limit, const char *field)
{
    for (size_t i = 0; i < n; i++)
        if (v[i] >= limit)
            return kiln_error_set(KILN_ECORRUPT,
                                  "%s: row %zu: %s %u out of range (%zu) in column at offset %llu",
                                  c->what, i, field, v[i], limit,
                                  (unsigned long long)off);
    return 0;
}

int page_decode(kiln_page_rows *r, const void *p, size_t n,
                     const kiln_page_meta *meta, size_t nstacks,
                     size_t nlsets, size_t nlinks)
{
    kiln_cur c;
    size_t rows = meta->nrows;
    uint64_t off;
    int rc;

    memset(r, 0, sizeof *r);
    cur_init(&c, p, n, "page");
    if (meta->nrows > MAX_PAGE_ROWS || meta->ntypes > KILN_MAX_TYPES) {
        rc = corrupt(c.what, 0, "page rows or types above the limit");
        goto out;
    }
    r->n = meta->nrows;
    r->ntypes = meta->ntypes;
    size_t m = rows ? rows : 1;
    r->time = malloc(m * sizeof *r->time);
    r->duration = malloc(m * sizeof *r->duration);
    r->stack = malloc(m * sizeof *r->stack);
    r->lset = malloc(m * sizeof *r->lset);
    r->link = malloc(m * sizeof *r->link);
    r->values = malloc((meta->ntypes ? meta->ntypes : 1) * m * sizeof *r->values);
    if (!r->time || !r->duration || !r->stack || !r->lset || !r->link || !r->values) {
        rc = kiln_error_set(KILN_ENOMEM, "page: %zu rows", rows);
        goto out;
    }
    if ((rc = col_decode(&c, r->time, rows)) < 0)
        goto out;
    for (size_t i = 1; i < rows; i++) {
        if (r->time[i] < r->time[i - 1]) {
            rc = kiln_error_set(KILN_ECORRUPT, "%s: row %zu: time goes backwards", c.what, i);
            goto out;
        }
    }
    if (rows && (r->time[0] != meta->tmin || r->time[rows - 1] != meta->tmax)) {
        rc = kiln_error_set(KILN_ECORRUPT, "%s: times disagree with the page index", c.what);
        goto out;
    }
    if ((rc = col_decode(&c, r->duration, rows)) < 0)
        goto out;
    off = cur_off(&c);
    if ((rc = col_decode_u32(&c, r->stack, rows)) < 0 ||
        (rc = check_u32(&c, off, r->stack, rows, nstacks, "stack")) < 0)
        goto out;
    off = cur_off(&c);
    if ((rc = col_decode_u32(&c, r->lset, rows)) < 0 ||
        (rc = check_u32(&c, off, r->lset, rows, nlsets, "label set")) < 0)
        goto out;
    off = cur_off(&c);
    if ((rc = col_decode_u32(&c, r->link, rows)) < 0 ||
        (rc = check_u32(&c, off, r->link, rows, nlinks + 1, "link")) < 0)
        goto out;
    for (uint32_t t = 0; t < meta->ntypes; t++)
        if ((rc = col_decode(&c, r->values + (size_t)t * rows, rows)) < 0)
            goto out;
    if (cur_left(&c) != 0) {
        rc = corrupt(c.what, cur_off(&c), "trailing bytes");
        goto out;
    }
    rc = 0;
out:
    if (rc < 0)
        page_rows_free(r);
    return rc;
}

/* ---- page index ---- */

int pageindex_encode(const kiln_page_meta *pages, size_t n,
                          kiln_buf *out)
{
    int64_t *v = malloc((n ? n : 1) * sizeof *v);
    int rc;

    if (!v)
        return kiln_error_set(KILN_ENOMEM, "page index: %zu pages", n);
    if ((rc = put_uvarint(out, n)) < 0)
        goto out;
#define COL(expr, mode)                                                     \
    do {                                                                    \
        for (size_t i = 0; i < n; i++)                                      \
            v[i] = (int64_t)(expr);                                         \
        if ((rc = col_encode(out, v, n, (mode))) < 0)                  \
            goto out;                                                       \
    } while (0)
    COL(pages[i].series, KILN_COL_PLAIN);
    COL(pages[i].nrows, KILN_COL_PLAIN);
    COL(pages[i].tmin, KILN_COL_DELTA);
    COL((uint64_t)pages[i].tmax - (uint64_t)pages[i].tmin, KILN_COL_PLAIN);
    COL(pages[i].offset, KILN_COL_DELTA);
    COL(pages[i].stored, KILN_COL_PLAIN);
    COL(pages[i].raw, KILN_COL_PLAIN);
    COL(pages[i].codec, KILN_COL_PLAIN);
    COL(pages[i].ntypes, KILN_COL_PLAIN);
    COL(pages[i].has_links, KILN_COL_PLAIN);
#undef COL
    for (size_t i = 0; i < n; i++)
        if ((rc = put_u64le(out, pages[i].checksum)) < 0)
            goto out;
out:
    free(v);
    return rc;
}

int pageindex_decode(kiln_page_meta **pages, size_t *n, const void *p,
                          size_t len, uint64_t samples_len, size_t nseries)
{
    kiln_cur c;
    kiln_page_meta *pg = NULL;
    int64_t *v = NULL;
    uint64_t cnt, off;
    int rc;

    *pages = NULL;
    *n = 0;
    cur_init(&c, p, len, "section pageindex");
    /* Each page carries an 8-byte checksum. */
    if ((rc = get_count(&c, cur_left(&c) / 8, "page count", &cnt)) < 0)
        goto out;
    size_t np = (size_t)cnt;
    pg = calloc(np ? np : 1, sizeof *pg);
    v = malloc((np ? np : 1) * sizeof *v);
    if (!pg || !v) {
        rc = kiln_error_set(KILN_ENOMEM, "page index: %zu pages", np);
        goto out;
    }
    /* field, limit (inclusive) */
    static const struct { const char *name; uint64_t max; } f[10] = {
        {"series", UINT32_MAX}, {"rows", MAX_PAGE_ROWS}, {"tmin", 0},
        {"time span", 0}, {"offset", 0}, {"stored", 0},
        {"raw", MAX_PAGE_RAW}, {"codec", KILN_CODEC_ZSTD},
        {"types", KILN_MAX_TYPES}, {"has links", 1},
    };
    for (int k = 0; k < 10; k++) {
        off = cur_off(&c);
        if ((rc = col_decode(&c, v, np)) < 0)
            goto out;
        for (size_t i = 0; i < np; i++) {
            uint64_t x = (uint64_t)v[i];
            if (f[k].max && x > f[k].max) {
                rc = kiln_error_set(KILN_ECORRUPT,
                                    "%s: page %zu: %s %llu above %llu (column at offset %llu)",
                                    c.what, i, f[k].name, (unsigned long long)x,
                                    (unsigned long long)f[k].max, (unsigned long long)off);
                goto out;
            }
            switch (k) {
            case 0: pg[i].series = (uint32_t)x; break;
            case 1: pg[i].nrows = (uint32_t)x; break;
            case 2: pg[i].tmin = v[i]; break;
            case 3: pg[i].tmax = (int64_t)((uint64_t)pg[i].tmin + x); break;
            case 4: pg[i].offset = x; break;
            case 5: pg[i].stored = x; break;
            case 6: pg[i].raw = x; break;
            case 7: pg[i].codec = (uint8_t)x; break;
            case 8: pg[i].ntypes = (uint8_t)x; break;
            default: pg[i].has_links = (uint8_t)x; break;
            }
        }
    }
    for (size_t i = 0; i < np; i++)
        if ((rc = get_u64le(&c, &pg[i].checksum)) < 0)
            goto out;
    if (cur_left(&c) != 0) {
        rc = corrupt(c.what, cur_off(&c), "trailing bytes");
        goto out;
    }
    for (size_t i = 0; i < np; i++) {
        const kiln_page_meta *m = &pg[i];
        const char *bad = NULL;
        if (m->series >= nseries)
            bad = "series out of range";
        else if (m->nrows == 0)
            bad = "no rows";
        else if (m->tmax < m->tmin || (int64_t)((uint64_t)m->tmax - (uint64_t)m->tmin) < 0)
            bad = "tmax before tmin";
        else if (m->offset > samples_len || m->stored > samples_len - m->offset)
            bad = "extent outside the samples section";
        else
            bad = stored_sizes_bad(m->codec, m->stored, m->raw);
        if (bad) {
            rc = kiln_error_set(KILN_ECORRUPT, "%s: page %zu: %s", c.what, i, bad);
            goto out;
        }
    }
    *pages = pg;
    *n = np;
    pg = NULL;
    rc = 0;
out:
    free(pg);
    free(v);
    return rc;
}
