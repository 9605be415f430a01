/* ingest_rows.c: rows whose ids refer to another block's tables
 * (kiln/rows.h) - the input of a block copy, a merge or a filter, with no
 * pprof bytes in between. Ids go through the one interning routine
 * (format/intern.c), each source id once per source. */
#include <stdlib.h>
#include <string.h>

#include "writer_internal.h"

/* Every id of the rows is in range of src (checked before anything is
 * added, so a bad call leaves the writer unchanged). */
static int check_rows(const kiln_tables *src, const kiln_rows *rows)
{
    const kiln_seriestab *ser = src->series;

    if (rows->series >= ser->nseries)
        return kiln_error_set(KILN_EINVAL, "writer: rows: series %u of %zu",
                              rows->series, ser->nseries);
    uint32_t nt = ser->kinds[ser->series[rows->series].kind].ntypes;
    if (rows->ntypes != nt)
        return kiln_error_set(KILN_EINVAL, "writer: rows: %u value columns, "
                              "the series has %u sample types", rows->ntypes,
                              nt);
    if (rows->n && (!rows->time || !rows->duration || !rows->stack ||
                    !rows->lset || !rows->link || (nt && !rows->values)))
        return kiln_error_set(KILN_EINVAL, "writer: rows: a NULL column");
    for (uint32_t i = 0; i < rows->n; i++) {
        const char *bad = NULL;
        if (rows->stack[i] >= src->stacks->n)
            bad = "stack";
        else if (rows->lset[i] >= src->sym->nlsets)
            bad = "label set";
        else if (rows->link[i] > src->nlinks)
            bad = "link";
        if (bad)
            return kiln_error_set(KILN_EINVAL, "writer: rows: row %u: %s id "
                                  "out of range of the source tables", i, bad);
    }
    return 0;
}

static const kiln_link *src_link(const void *ud, uint32_t id)
{
    const kiln_tables *t = ud;
    return id < t->nlinks ? &t->links[id] : NULL;
}

/* The mapping of src into the block, made on src's first rows: the whole
 * stack tree in its order, so that stack ids keep their order and a copy
 * sorts its rows as the source did. */
static int map_for(kiln_writer *w, const kiln_tables *src)
{
    uint32_t node;
    int rc;

    if (w->rmap_serial && w->rmap_serial == src->serial)
        return 0;
    tabmap_free(&w->rmap);
    w->rmap_serial = 0;
    if ((rc = tabmap_init(&w->rmap, src->sym, src->stacks, src->nlinks,
                          &w->sym, &w->stacks, &w->links)) < 0 ||
        (rc = tabmap_use_series(&w->rmap, src->series, &w->ser)) < 0)
        goto out;
    for (size_t n = 1; n < src->stacks->n; n++)
        if ((rc = tabmap_stack(&w->rmap, (uint32_t)n, &node)) < 0)
            goto out;
    w->rmap_serial = src->serial;
out:
    if (rc < 0)
        tabmap_free(&w->rmap);
    return rc;
}

/* Rows [a, b) share a time and duration: one profile. */
static int add_profile(kiln_writer *w, const kiln_tables *src,
                       uint32_t series, const kiln_rows *rows, uint32_t a,
                       uint32_t b)
{
    uint32_t nt = rows->ntypes;
    int64_t *v = wr_scratch(w, WS_MISC, (nt ? nt : 1) * sizeof *v);
    uint32_t stack, lset, link;
    int rc;

    if (!v)
        return kiln_error_set(KILN_ENOMEM, "writer: out of memory");
    if ((rc = wr_begin(w, b - a, nt)) < 0)
        return rc;
    for (uint32_t i = a; i < b; i++) {
        if ((rc = tabmap_stack(&w->rmap, rows->stack[i], &stack)) < 0 ||
            (rc = tabmap_lset(&w->rmap, rows->lset[i], &lset)) < 0 ||
            (rc = tabmap_link(&w->rmap, rows->link[i], src_link,
                              src, &link)) < 0) {
            wr_abort(w);
            return rc;
        }
        for (uint32_t t = 0; t < nt; t++)
            v[t] = rows->values[(size_t)t * rows->n + i];
        wr_row_append(w, stack, lset, link, v, nt);
    }
    wr_commit(w, series, nt, rows->time[a], rows->duration[a]);
    return 0;
}

int kiln_writer_add_rows(kiln_writer *w, const kiln_tables *src,
                         const kiln_rows *rows)
{
    uint32_t series;
    int rc;

    if (!src || !rows)
        return kiln_error_set(KILN_EINVAL, "writer: rows: NULL %s",
                              src ? "rows" : "tables");
    if ((rc = check_rows(src, rows)) < 0 || (rc = map_for(w, src)) < 0)
        return rc;
    if ((rc = tabmap_series(&w->rmap, rows->series, &series)) < 0)
        return rc;
    for (uint32_t a = 0; a < rows->n;) {
        uint32_t b = a + 1;
        while (b < rows->n && rows->time[b] == rows->time[a] &&
               rows->duration[b] == rows->duration[a])
            b++;
        if ((rc = add_profile(w, src, series, rows, a, b)) < 0)
            return rc;
        a = b;
    }
    return api_return(0);
}
