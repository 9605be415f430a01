/* out_rows.c: kiln_query_rows, the stored sample rows of a selection one
 * by one (for exports such as CSV into a data warehouse): a first pass over
 * the series and page indexes fixes the columns, a second - a caller of
 * the selection's scan, nothing summed - hands out rows with their stack
 * folded into a string, memoised per result stack node. */
#include <stdlib.h>
#include <string.h>

#include "output_internal.h"

typedef struct rd_rows {
    kiln_result *r;           /* the query: selection, types, and the
                               * tables stacks are translated into */
    kiln_rows_cb cb;
    void *ud;
    char **names;             /* label columns, owned copies */
    size_t nnames, capnames;
    bool all_labels;          /* no label names given: collect them */
    char **types, **units;    /* schema's type columns, owned copies (the
                               * result's strings move as it grows) */
    kiln_rows_schema schema;  /* handed to cb */
    const char **lvals;       /* nnames values of the current series */
    const kiln_block *lblock; /* block and series lvals hold, or NULL */
    uint32_t lsid;
    int64_t *vals;            /* schema.ntypes values of one row */
    uint64_t *fold;           /* per result node: offset + 1 of its folded
                                * stack in pool, 0 = not yet */
    size_t capfold;           /* nodes allocated in fold */
    uint32_t *path;           /* scratch for rd_folded_stack, capfold
                                * entries */
    kiln_buf pool;            /* folded stacks, each NUL-terminated */
    uint8_t *seen;            /* pass 1: series of the current block seen */
    int stop;                 /* cb's non-zero return, which stopped the
                               * walk (0 = it did not) */
    /* The block being read: */
    tabmap m;                 /* its ids -> the result's */
    int16_t *kmap;            /* [kind * KILN_MAX_TYPES + t]: column or -1 */
    uint8_t *kdone;           /* per kind: kmap filled */
    uint32_t *tnode;          /* per page row: result node */
    size_t captnode;
} rd_rows;

static int add_name(rd_rows *x, const char *s)
{
    for (size_t i = 0; i < x->nnames; i++)
        if (strcmp(x->names[i], s) == 0)
            return 0;
    if (x->nnames == x->capnames) {
        size_t nc = x->capnames ? x->capnames * 2 : 8;
        char **nn = realloc(x->names, nc * sizeof *nn);
        if (!nn)
            return nomem();
        x->names = nn;
        x->capnames = nc;
    }
    if (!(x->names[x->nnames] = strdup(s)))
        return nomem();
    x->nnames++;
    return 0;
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Pass 1, per block: the sample types (and, with every label asked for,
 * the label names) of the series whose pages the query would read. */
static int schema_block(void *ud, kiln_block *b)
{
    rd_rows *x = ud;
    kiln_result *r = x->r;
    uint32_t *ids = NULL;
    size_t n = 0;
    int rc;

    if (b->meta.tmax < r->sel.from || b->meta.tmin >= r->sel.to)
        return 0;
    if ((rc = rd_block_candidates(&r->sel, b, NULL, false, &ids, &n)) < 0)
        goto out;
    free(x->seen);
    if (!(x->seen = calloc(b->series.nseries ? b->series.nseries : 1, 1))) {
        rc = nomem();
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        uint32_t sid = b->pages[ids[i]].series;
        const kiln_series *s = &b->series.series[sid];
        if (x->seen[sid])
            continue;
        x->seen[sid] = 1;
        int16_t m[KILN_MAX_TYPES];
        if ((rc = rd_kind_map(r, &b->series, s->kind, m)) < 0)
            goto out;
        for (uint32_t j = 0; x->all_labels && j < s->nlabs; j++) {
            uint32_t name = b->series.labs[2 * ((size_t)s->lab_off + j)];
            if ((rc = add_name(x, strtab_get(&b->series.strings,
                                                  name))) < 0)
                goto out;
        }
    }
out:
    free(ids);
    return rc;
}

/* The folded stack of result node n, from the memo. */
static int folded(rd_rows *x, uint32_t n, const char **s, size_t *len)
{
    const kiln_result *r = x->r;
    int rc;

    if (r->stk.n > x->capfold) {
        size_t nc = x->capfold ? x->capfold : 1024;
        while (nc < r->stk.n)
            nc *= 2;
        uint64_t *nf = realloc(x->fold, nc * sizeof *nf);
        if (!nf)
            return nomem();
        memset(nf + x->capfold, 0, (nc - x->capfold) * sizeof *nf);
        x->fold = nf;
        uint32_t *np = realloc(x->path, nc * sizeof *np);
        if (!np)
            return nomem();
        x->path = np;
        x->capfold = nc;
    }
    if (!x->fold[n]) {
        size_t at = x->pool.len;
        if ((rc = out_put_stack(r, n, &x->pool, x->path, false)) < 0 ||
            (rc = kiln_buf_append(&x->pool, "", 1)) < 0)
            return rc;
        x->fold[n] = at + 1;
    }
    *s = (const char *)x->pool.data + (x->fold[n] - 1);
    *len = strlen(*s);
    return 0;
}

static void block_done(rd_rows *x)
{
    tabmap_free(&x->m);
    free(x->kmap);
    free(x->kdone);
    x->kmap = NULL;
    x->kdone = NULL;
}

/* The block has pages to read (stacks loaded): its translation tables. */
static int rows_begin(void *ud, kiln_block *b)
{
    rd_rows *x = ud;
    kiln_result *r = x->r;
    size_t nk = b->series.nkinds ? b->series.nkinds : 1;
    int rc;

    block_done(x);
    if ((rc = tabmap_init(&x->m, &b->sym, &b->stacks, rd_block_nlinks(b),
                          &r->sym, &r->stk, NULL)) < 0)
        return rc;
    x->kmap = calloc(nk * KILN_MAX_TYPES, sizeof *x->kmap);
    x->kdone = calloc(nk, 1);
    if (!x->kmap || !x->kdone)
        return nomem();
    return 0;
}

static int rows_page(void *ud, kiln_block *b, const kiln_page_meta *pm,
                     const kiln_page_rows *rows, uint32_t lo, uint32_t hi)
{
    rd_rows *x = ud;
    kiln_result *r = x->r;
    uint32_t sid = pm->series, kind = b->series.series[sid].kind;
    int16_t *tm = x->kmap + (size_t)kind * KILN_MAX_TYPES;
    size_t nt = x->schema.ntypes;
    int rc;

    if (!x->kdone[kind]) {
        if ((rc = rd_kind_map(r, &b->series, kind, tm)) < 0)
            return rc;
        x->kdone[kind] = 1;
    }
    if (r->ntypes != nt)
        return rd_block_err(b, kiln_error_set(KILN_EINVAL, "query rows: "
                            "a sample type appeared after the columns were "
                            "fixed (was the store written to meanwhile?)"));
    uint32_t ncols = rd_page_cols(b, kind, rows);
    if ((rc = tabmap_stacks(&x->m, rows->stack + lo, hi - lo, &x->tnode,
                            &x->captnode)) < 0)
        return rc;
    if (x->lblock != b || x->lsid != sid) {
        for (size_t i = 0; i < x->nnames; i++) {
            const char *v = series_label(&b->series, sid, x->names[i]);
            x->lvals[i] = v ? v : "";
        }
        x->lblock = b;
        x->lsid = sid;
    }
    for (uint32_t i = lo; i < hi; i++) {
        kiln_row row;
        memset(x->vals, 0, (nt ? nt : 1) * sizeof *x->vals);
        for (uint32_t t = 0; t < ncols; t++)
            if (tm[t] >= 0)
                x->vals[tm[t]] = rows->values[(size_t)t * rows->n + i];
        row.time = rows->time[i];
        row.duration = rows->duration[i];
        row.labels = x->lvals;
        row.values = x->vals;
        row.trace_id = row.span_id = NULL;
        if (r->keep_labels && rows->link[i]) {
            const kiln_link *k = rd_block_link(b, rows->link[i] - 1);
            if (!k)
                return rd_block_err(b, kiln_error_set(KILN_ECORRUPT,
                                    "a row names link %u, which is not "
                                    "loaded", rows->link[i] - 1));
            row.trace_id = k->trace_id;
            row.span_id = k->span_id;
        }
        if ((rc = folded(x, x->tnode[i - lo], &row.stack,
                         &row.stack_len)) < 0)
            return rc;
        if ((rc = x->cb(x->ud, &x->schema, &row)) != 0) {
            /* The store walk stops on a negative code only. */
            x->stop = rc;
            return KILN_EINVAL;
        }
    }
    return 0;
}

static int rows_block(void *ud, kiln_block *b)
{
    rd_rows *x = ud;
    rd_scan_ops ops = {false, x->r->keep_labels != 0, rows_begin, rows_page};
    x->lblock = NULL; /* b may reuse a freed block's address */
    return rd_scan_block(&x->r->sel, b, &ops, x);
}

int kiln_query_rows(kiln_result *r, kiln_store *st, const char *tenant,
                    const char *const *labels, size_t nlabels,
                    kiln_rows_cb cb, void *ud)
{
    rd_rows x;
    kiln_result_stats zero;
    int rc;

    memset(&x, 0, sizeof x);
    memset(&zero, 0, sizeof zero);
    if (r->ntypes || r->sel.stats.blocks_total || r->nkeys)
        return kiln_error_set(KILN_EINVAL, "query rows: the result is not "
                              "fresh from kiln_result_new");
    x.r = r;
    x.cb = cb;
    x.ud = ud;
    for (size_t i = 0; labels && i < nlabels; i++)
        if ((rc = add_name(&x, labels[i])) < 0)
            goto out;
    x.all_labels = labels == NULL;
    if ((rc = rd_each_block(st, tenant, &r->sel, schema_block, &x)) < 0)
        goto out;
    r->sel.stats = zero;
    if (!labels && x.nnames)
        qsort(x.names, x.nnames, sizeof *x.names, cmp_name);
    size_t nt = r->ntypes;
    x.types = calloc(nt ? nt : 1, sizeof *x.types);
    x.units = calloc(nt ? nt : 1, sizeof *x.units);
    x.vals = calloc(nt ? nt : 1, sizeof *x.vals);
    x.lvals = calloc(x.nnames ? x.nnames : 1, sizeof *x.lvals);
    if (!x.types || !x.units || !x.vals || !x.lvals) {
        rc = nomem();
        goto out;
    }
    x.schema.ntypes = nt; /* entries in types and units */
    for (size_t i = 0; i < nt; i++) {
        const char *t, *u;
        kiln_result_type(r, i, &t, &u);
        if (!(x.types[i] = strdup(t)) || !(x.units[i] = strdup(u))) {
            rc = nomem();
            goto out;
        }
    }
    x.schema.nlabels = x.nnames;
    x.schema.labels = (const char *const *)x.names;
    x.schema.types = (const char *const *)x.types;
    x.schema.units = (const char *const *)x.units;
    if ((rc = cb(ud, &x.schema, NULL)) != 0)
        goto out;
    rc = rd_each_block(st, tenant, &r->sel, rows_block, &x);
    if (x.stop)
        rc = x.stop;
out:
    for (size_t i = 0; i < x.nnames; i++)
        free(x.names[i]);
    free(x.names);
    for (size_t i = 0; x.types && i < x.schema.ntypes; i++) {
        free(x.types[i]);
        free(x.units[i]);
    }
    free(x.types);
    free(x.units);
    free(x.vals);
    free(x.lvals);
    free(x.fold);
    free(x.path);
    free(x.seen);
    kiln_buf_free(&x.pool);
    block_done(&x);
    free(x.tnode);
    return api_return(rc);
}
