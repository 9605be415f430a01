/* agg.c: a query result - its own symbols and call tree, into which each
 * block's selected rows are translated (once per id, through the one
 * interning routine, format/intern.c) and summed, by node or by (node,
 * label set, link); sample types are merged across kinds. The result is
 * what every output renders. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agg_internal.h"

/* ---- results ---- */

static bool key_eq(const void *ctx, uint32_t id, const void *key)
{
    const kiln_result *r = ctx;
    const rd_key *a = &r->keys[id], *b = key;
    return a->node == b->node && a->lset == b->lset && a->link == b->link;
}

int kiln_result_new(kiln_result **out, const kiln_query_opts *o)
{
    kiln_query_opts def = KILN_QUERY_OPTS_INIT;
    kiln_result *r;
    int rc;

    *out = NULL;
    if (!o)
        o = &def;
    rc = opts_version_check("query options", o->version, 1,
                            KILN_QUERY_OPTS_VERSION);
    if (rc < 0)
        return rc;
    r = calloc(1, sizeof *r);
    if (!r)
        return nomem();
    r->keep_labels = o->keep_labels != 0;
    if ((rc = symtab_init(&r->sym)) < 0) {
        free(r);
        return rc;
    }
    if ((rc = stacks_init(&r->stk)) < 0) {
        symtab_free(&r->sym);
        free(r);
        return rc;
    }
    if ((rc = rd_sel_init(&r->sel, o)) < 0) {
        kiln_result_free(r);
        return rc;
    }
    *out = r;
    return api_return(0);
}

void kiln_result_free(kiln_result *r)
{
    if (!r)
        return;
    rd_sel_free(&r->sel);
    symtab_free(&r->sym);
    stacks_free(&r->stk);
    free(r->types);
    free(r->dense);
    free(r->seen);
    free(r->keys);
    free(r->kvals);
    htab_free(&r->kindex);
    linktab_free(&r->links);
    free(r->comments);
    free(r);
}

void kiln_result_stats_get(const kiln_result *r, kiln_result_stats *out)
{
    *out = r->sel.stats;
    out->blocks_skipped = r->sel.nskipped;
    out->version = KILN_RESULT_STATS_VERSION;
}

void kiln_result_trace_stats_get(const kiln_result *r, kiln_trace_stats *out)
{
    *out = r->sel.tstats;
    out->version = KILN_TRACE_STATS_VERSION;
}

size_t kiln_result_ntypes(const kiln_result *r)
{
    return r->ntypes;
}

size_t kiln_result_default_type(const kiln_result *r)
{
    if (r->ntypes == 0)
        return 0;
    if (r->default_type)
        for (size_t t = 0; t < r->ntypes; t++)
            if (r->types[2 * t] == r->default_type)
                return t;
    return r->ntypes - 1;
}

void kiln_result_type(const kiln_result *r, size_t i, const char **type,
                      const char **unit)
{
    if (i >= r->ntypes) {
        *type = NULL;
        *unit = NULL;
        return;
    }
    *type = strtab_get(&r->sym.strings, r->types[2 * i]);
    *unit = strtab_get(&r->sym.strings, r->types[2 * i + 1]);
}

/* ---- per-block translation of ids into the result ---- */

typedef struct xlate {
    kiln_result *r;
    kiln_block *b;
    tabmap m;          /* the block's ids -> the result's (format/intern.c) */
    int16_t *kmap;     /* [kind * KILN_MAX_TYPES + t]: result type or -1 */
    uint8_t *kdone;    /* per kind: kmap filled */
    uint32_t *tnode;   /* per page row: result node */
    size_t captnode;
} xlate;

static const kiln_link *block_link(const void *ud, uint32_t id)
{
    return rd_block_link(ud, id);
}

static void xlate_free(xlate *x)
{
    tabmap_free(&x->m);
    free(x->kmap);
    free(x->kdone);
    free(x->tnode);
}

static int xlate_init(xlate *x, kiln_result *r, kiln_block *b)
{
    int rc;

    memset(x, 0, sizeof *x);
    x->r = r;
    x->b = b;
    if ((rc = tabmap_init(&x->m, &b->sym, &b->stacks, rd_block_nlinks(b),
                          &r->sym, &r->stk, &r->links)) < 0)
        return rc;
#define ZALLOC(f, n) (x->f = calloc((n) > 0 ? (size_t)(n) : 1, sizeof *x->f))
    if (!ZALLOC(kdone, b->series.nkinds) ||
        !ZALLOC(kmap, b->series.nkinds * KILN_MAX_TYPES))
        return nomem();
#undef ZALLOC
    return 0;
}

/* ---- types ---- */

static int intern_series_str(kiln_result *r, const kiln_strtab *t,
                             uint32_t id, uint32_t *out)
{
    return strtab_intern(&r->sym.strings, strtab_get(t, id),
                              t->len[id], out);
}

/* Re-lay value arrays from ntypes old to nt columns. */
static int restride(kiln_result *r, size_t old, size_t nt)
{
    if (r->dense_nodes) {
        int64_t *d = calloc(r->dense_nodes * nt, sizeof *d);
        if (!d)
            return nomem();
        for (size_t i = 0; i < r->dense_nodes; i++)
            memcpy(d + i * nt, r->dense + i * old, old * sizeof *d);
        free(r->dense);
        r->dense = d;
    }
    if (r->capkeys) {
        int64_t *d = calloc(r->capkeys * nt, sizeof *d);
        if (!d)
            return nomem();
        for (size_t i = 0; i < r->nkeys; i++)
            memcpy(d + i * nt, r->kvals + i * old, old * sizeof *d);
        free(r->kvals);
        r->kvals = d;
    }
    return 0;
}

int rd_kind_map(kiln_result *r, const kiln_seriestab *st, uint32_t kind,
                int16_t *m)
{
    const kiln_kind *k = &st->kinds[kind];
    size_t old = r->ntypes;
    int rc;

    for (uint32_t t = 0; t < k->ntypes && t < KILN_MAX_TYPES; t++) {
        uint32_t ty, un;
        size_t j;

        m[t] = -1;
        if (!rd_type_wanted(&r->sel, &st->strings, k->types[2 * t],
                         k->types[2 * t + 1]))
            continue;
        if ((rc = intern_series_str(r, &st->strings, k->types[2 * t],
                                    &ty)) < 0 ||
            (rc = intern_series_str(r, &st->strings, k->types[2 * t + 1],
                                    &un)) < 0)
            return rc;
        for (j = 0; j < r->ntypes; j++)
            if (r->types[2 * j] == ty && r->types[2 * j + 1] == un)
                break;
        if (j == r->ntypes) {
            if (r->ntypes == RD_MAX_TYPES)
                return kiln_error_set(KILN_ELIMIT, "query: more than %d "
                                      "sample types", RD_MAX_TYPES);
            uint32_t *nt = realloc(r->types, 2 * (r->ntypes + 1) * sizeof *nt);
            if (!nt)
                return nomem();
            r->types = nt;
            r->types[2 * j] = ty;
            r->types[2 * j + 1] = un;
            r->ntypes++;
        }
        m[t] = (int16_t)j;
    }
    if (r->ntypes != old && old && (rc = restride(r, old, r->ntypes)) < 0)
        return rc;
    return 0;
}

static int kind_map(xlate *x, uint32_t kind, const int16_t **out)
{
    int16_t *m = x->kmap + (size_t)kind * KILN_MAX_TYPES;
    int rc;

    *out = m;
    if (x->kdone[kind])
        return 0;
    if ((rc = rd_kind_map(x->r, &x->b->series, kind, m)) < 0)
        return rc;
    x->kdone[kind] = 1;
    return 0;
}

/* The pprof-level metadata of the first series that gives rows. */
static int take_kind(xlate *x, uint32_t kind)
{
    kiln_result *r = x->r;
    const kiln_seriestab *st = &x->b->series;
    const kiln_kind *k = &st->kinds[kind];
    int rc;

    if (r->have_kind)
        return 0;
    r->comments = calloc(k->ncomments ? k->ncomments : 1, sizeof(uint32_t));
    if (!r->comments)
        return nomem();
    for (uint32_t i = 0; i < k->ncomments; i++)
        if ((rc = intern_series_str(r, &st->strings, k->comments[i],
                                    &r->comments[i])) < 0)
            return rc;
    r->ncomments = k->ncomments;
    r->period = k->period;
    if ((rc = intern_series_str(r, &st->strings, k->period_type[0],
                                &r->period_type[0])) < 0 ||
        (rc = intern_series_str(r, &st->strings, k->period_type[1],
                                &r->period_type[1])) < 0 ||
        (rc = intern_series_str(r, &st->strings, k->default_type,
                                &r->default_type)) < 0 ||
        (rc = intern_series_str(r, &st->strings, k->drop_frames,
                                &r->drop_frames)) < 0 ||
        (rc = intern_series_str(r, &st->strings, k->keep_frames,
                                &r->keep_frames)) < 0 ||
        (rc = intern_series_str(r, &st->strings, k->doc_url,
                                &r->doc_url)) < 0)
        return rc;
    r->have_kind = true;
    return 0;
}

/* ---- accumulation ---- */

static int grow_dense(kiln_result *r)
{
    size_t need = r->stk.n, nt = r->ntypes ? r->ntypes : 1;
    size_t n = r->dense_nodes ? r->dense_nodes : 1024;
    int64_t *d;

    if (need <= r->dense_nodes && r->dense)
        return 0;
    while (n < need)
        n *= 2;
    d = realloc(r->dense, n * nt * sizeof *d);
    if (!d)
        return nomem();
    memset(d + r->dense_nodes * nt, 0, (n - r->dense_nodes) * nt * sizeof *d);
    r->dense = d;
    uint8_t *sn = realloc(r->seen, n);
    if (!sn)
        return nomem();
    memset(sn + r->dense_nodes, 0, n - r->dense_nodes);
    r->seen = sn;
    r->dense_nodes = n;
    return 0;
}

/* The row of (node, lset, link) in keys/kvals, created zeroed. */
static int key_slot(kiln_result *r, const rd_key *k, size_t *out)
{
    uint64_t h = hash64(k, sizeof *k, 0);
    uint32_t id;
    size_t slot;
    int rc;

    rc = htab_find(&r->kindex, h, key_eq, r, k, &id, &slot);
    if (rc < 0)
        return rc;
    if (rc == 0) {
        size_t nt = r->ntypes;
        if (r->nkeys == r->capkeys) {
            size_t nc = r->capkeys ? r->capkeys * 2 : 1024;
            rd_key *nk = realloc(r->keys, nc * sizeof *nk);
            if (!nk)
                return nomem();
            r->keys = nk;
            int64_t *nv = realloc(r->kvals, nc * nt * sizeof *nv);
            if (!nv)
                return nomem();
            r->kvals = nv;
            r->capkeys = nc;
        }
        id = (uint32_t)r->nkeys++;
        r->keys[id] = *k;
        memset(r->kvals + (size_t)id * nt, 0, nt * sizeof *r->kvals);
        if ((rc = htab_insert(&r->kindex, h, slot, id)) < 0)
            return rc;
    }
    *out = id;
    return 0;
}

/* The selected rows [lo, hi) of a page into r: translated (stacks, and
 * label sets and links with keep_labels) and summed. */
static int add_rows(void *ud, kiln_block *b, const kiln_page_meta *pm,
                    const kiln_page_rows *rows, uint32_t lo, uint32_t hi)
{
    xlate *x = ud;
    kiln_result *r = x->r;
    const kiln_series *s = &b->series.series[pm->series];
    const int16_t *tm;
    int rc;

    if ((rc = kind_map(x, s->kind, &tm)) < 0 || (rc = take_kind(x, s->kind)) < 0)
        return rc;
    if ((rc = tabmap_stacks(&x->m, rows->stack + lo, hi - lo, &x->tnode,
                            &x->captnode)) < 0)
        return rc;

    size_t nt = r->ntypes;
    uint32_t ncols = rd_page_cols(b, s->kind, rows);
    if (!r->keep_labels) {
        if ((rc = grow_dense(r)) < 0)
            return rc;
        for (uint32_t i = 0; i < hi - lo; i++)
            r->seen[x->tnode[i]] = 1;
        for (uint32_t t = 0; t < ncols; t++) {
            if (tm[t] < 0)
                continue;
            int64_t *d = r->dense + tm[t];
            const int64_t *v = rows->values + (size_t)t * rows->n;
            const uint32_t *tn = x->tnode - lo;
            for (uint32_t i = lo; i < hi; i++)
                d[(size_t)tn[i] * nt] = rd_add64(d[(size_t)tn[i] * nt], v[i]);
        }
    } else {
        for (uint32_t i = lo; i < hi; i++) {
            rd_key k;
            size_t slot = 0;
            k.node = x->tnode[i - lo];
            if ((rc = tabmap_lset(&x->m, rows->lset[i], &k.lset)) < 0)
                return rc;
            if ((rc = tabmap_link(&x->m, rows->link[i], block_link, b,
                                  &k.link)) < 0)
                return rc == KILN_ECORRUPT ? rd_block_err(b, rc) : rc;
            if ((rc = key_slot(r, &k, &slot)) < 0)
                return rc;
            int64_t *d = r->kvals + slot * nt;
            for (uint32_t t = 0; t < ncols; t++)
                if (tm[t] >= 0)
                    d[tm[t]] = rd_add64(d[tm[t]],
                                        rows->values[(size_t)t * rows->n + i]);
        }
    }
    /* The end of what matched (the pprof's duration). */
    bool first = r->sel.stats.rows == hi - lo; /* the first rows (the scan
                                                * counted them already) */
    for (uint32_t i = lo; i < hi; i++) {
        int64_t t = rows->time[i], d = rows->duration[i];
        int64_t e = (d > 0 && t > INT64_MAX - d) ? INT64_MAX : t + (d > 0 ? d : 0);
        if ((first && i == lo) || e > r->tend)
            r->tend = e;
    }
    return 0;
}

/* The block has pages to read (stacks loaded): its translation tables. */
static int add_begin(void *ud, kiln_block *b)
{
    xlate *x = ud;
    return xlate_init(x, x->r, b);
}

int kiln_result_add_block(kiln_result *r, kiln_block *b)
{
    rd_scan_ops ops = {false, r->keep_labels != 0, add_begin, add_rows};
    xlate x;
    int rc;

    memset(&x, 0, sizeof x);
    x.r = r;
    rc = rd_scan_block(&r->sel, b, &ops, &x);
    xlate_free(&x);
    return api_return(rc);
}

/* ---- the whole store ---- */

static int add_one(void *ud, kiln_block *b)
{
    return kiln_result_add_block(ud, b);
}

int kiln_query(kiln_result **out, kiln_store *st, const char *tenant,
               const kiln_query_opts *o)
{
    kiln_result *r = NULL;
    int rc;

    *out = NULL;
    if ((rc = kiln_result_new(&r, o)) < 0 ||
        (rc = rd_each_block(st, tenant, &r->sel, add_one, r)) < 0) {
        kiln_result_free(r);
        return rc;
    }
    *out = r;
    return api_return(0);
}

/* ---- values by node ---- */

int rd_node_values(const kiln_result *r, const int64_t **vals, int64_t **tmp)
{
    size_t nt = r->ntypes;

    *tmp = NULL;
    if (!r->keep_labels && r->dense && r->dense_nodes >= r->stk.n) {
        *vals = r->dense;
        return 0;
    }
    *tmp = calloc((r->stk.n ? r->stk.n : 1) * (nt ? nt : 1), sizeof **tmp);
    if (!*tmp)
        return nomem();
    if (r->keep_labels)
        for (size_t i = 0; i < r->nkeys; i++)
            for (size_t t = 0; t < nt; t++)
                (*tmp)[(size_t)r->keys[i].node * nt + t] = rd_add64(
                    (*tmp)[(size_t)r->keys[i].node * nt + t],
                    r->kvals[i * nt + t]);
    *vals = *tmp;
    return 0;
}
