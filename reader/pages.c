/* pages.c: the public page iterator of one block - every stored row, page
 * by page in page order, as ids into the block's tables (kiln/rows.h). It
 * is the bottom of the reader's row path: what a copy, a merge or an
 * export reads when it wants rows rather than aggregates. */
#include <stdlib.h>
#include <string.h>

#include "block_internal.h"

struct kiln_page_iter {
    kiln_block *b;        /* borrowed; outlives the iterator */
    size_t next;          /* page to read next */
    kiln_page_rows rows;  /* the page handed out last (owned) */
};

int kiln_page_iter_new(kiln_page_iter **out, kiln_block *b)
{
    const kiln_tables *t;
    kiln_page_iter *it;
    int rc;

    *out = NULL;
    if ((rc = kiln_block_tables(b, &t)) < 0 || (rc = rd_block_pages(b)) < 0)
        return rc;
    if (!(it = calloc(1, sizeof *it)))
        return nomem();
    it->b = b;
    *out = it;
    return api_return(0);
}

int kiln_page_iter_next(kiln_rows *out, kiln_page_iter *it)
{
    const kiln_page_meta *pm;
    int rc;

    page_rows_free(&it->rows);
    if (it->next >= it->b->npages)
        return api_return(KILN_ITEROVER);
    pm = &it->b->pages[it->next];
    if ((rc = rd_block_read_page(it->b, (uint32_t)it->next, it->b->nlinks,
                                 &it->rows)) < 0)
        return rc;
    it->next++;
    out->series = pm->series;
    out->n = it->rows.n;
    out->ntypes = it->rows.ntypes;
    out->time = it->rows.time;
    out->duration = it->rows.duration;
    out->stack = it->rows.stack;
    out->lset = it->rows.lset;
    out->link = it->rows.link;
    out->values = it->rows.values;
    return api_return(0);
}

void kiln_page_iter_free(kiln_page_iter *it)
{
    if (!it)
        return;
    page_rows_free(&it->rows);
    free(it);
}
