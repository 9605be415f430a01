/* agg_traces.c: kiln_list_traces, the trace ids of a selection with their
 * rows, samples and value, heaviest first: a caller of the selection's
 * scan (linked pages only) that sums per trace id instead of per stack. */
#include <stdlib.h>
#include <string.h>

#include "agg_internal.h"

typedef struct tl_ctx {
    rd_sel sel;                /* selector, type and range */
    kiln_trace_entry *e;       /* entries, in first-seen order */
    size_t n, cap;
    kiln_htab index;           /* trace id -> entry */
    kiln_block *b;             /* the block being read */
    uint32_t *lmap;            /* per link of b: entry index */
    int16_t *vcol, *scol;      /* per kind of b: value / samples column,
                                * -1 = none */
} tl_ctx;

static bool entry_eq(const void *ctx, uint32_t id, const void *key)
{
    const tl_ctx *c = ctx;
    return memcmp(c->e[id].trace_id, key, 16) == 0;
}

static int entry_of(tl_ctx *c, const uint8_t *trace, uint32_t *out)
{
    uint64_t h = hash64(trace, 16, 0);
    size_t slot = 0;
    uint32_t id;
    int rc = htab_find(&c->index, h, entry_eq, c, trace, &id, &slot);

    if (rc < 0)
        return rc;
    if (rc == 0) {
        if (c->n == c->cap) {
            size_t nc = c->cap ? 2 * c->cap : 256;
            kiln_trace_entry *ne = realloc(c->e, nc * sizeof *ne);
            if (!ne)
                return nomem();
            c->e = ne;
            c->cap = nc;
        }
        if (c->n >= UINT32_MAX)
            return kiln_error_set(KILN_ELIMIT, "trace list: too many traces");
        id = (uint32_t)c->n++;
        memset(&c->e[id], 0, sizeof c->e[id]);
        memcpy(c->e[id].trace_id, trace, 16);
        if ((rc = htab_insert(&c->index, h, slot, id)) < 0)
            return rc;
    }
    *out = id;
    return 0;
}

static bool sstr_is(const kiln_strtab *t, uint32_t id, const char *s)
{
    size_t n = strlen(s);
    return t->len[id] == n && memcmp(strtab_get(t, id), s, n) == 0;
}

/* Value and samples columns of each kind of the block. */
static int tl_kinds(tl_ctx *c)
{
    const kiln_seriestab *st = &c->b->series;
    size_t nk = st->nkinds ? st->nkinds : 1;

    free(c->vcol);
    free(c->scol);
    c->vcol = malloc(nk * sizeof *c->vcol);
    c->scol = malloc(nk * sizeof *c->scol);
    if (!c->vcol || !c->scol)
        return nomem();
    for (size_t k = 0; k < st->nkinds; k++) {
        const kiln_kind *kd = &st->kinds[k];
        int16_t v = -1, s = -1;
        for (uint32_t t = 0; t < kd->ntypes && t < KILN_MAX_TYPES; t++) {
            uint32_t ty = kd->types[2 * t], un = kd->types[2 * t + 1];
            if (c->sel.want_type && v < 0 &&
                rd_type_wanted(&c->sel, &st->strings, ty, un))
                v = (int16_t)t;
            if (!c->sel.want_type && kd->default_type &&
                ty == kd->default_type)
                v = (int16_t)t;
            if (s < 0 && sstr_is(&st->strings, ty, "samples"))
                s = (int16_t)t;
        }
        if (v < 0 && !c->sel.want_type && kd->ntypes)
            v = (int16_t)(kd->ntypes - 1);
        c->vcol[k] = v;
        c->scol[k] = s;
    }
    return 0;
}

static int tl_page(void *ud, kiln_block *b, const kiln_page_meta *pm,
                   const kiln_page_rows *rows, uint32_t lo, uint32_t hi)
{
    tl_ctx *c = ud;
    uint32_t kind = b->series.series[pm->series].kind;
    int16_t vc = c->vcol[kind], sc = c->scol[kind];

    if (vc >= 0 && (uint32_t)vc >= rows->ntypes)
        vc = -1;
    if (sc >= 0 && (uint32_t)sc >= rows->ntypes)
        sc = -1;
    for (uint32_t i = lo; i < hi; i++) {
        int64_t t = rows->time[i];
        if (!rows->link[i])
            continue;
        kiln_trace_entry *e = &c->e[c->lmap[rows->link[i] - 1]];
        if (!e->rows || t < e->tmin)
            e->tmin = t;
        if (!e->rows || t > e->tmax)
            e->tmax = t;
        e->rows++;
        if (vc >= 0)
            e->value += rows->values[(size_t)vc * rows->n + i];
        e->samples += sc >= 0 ? rows->values[(size_t)sc * rows->n + i] : 1;
    }
    return 0;
}

/* A block with pages to read: its kinds' columns, and each of its links'
 * entry. */
static int tl_begin(void *ud, kiln_block *b)
{
    tl_ctx *c = ud;
    int rc;

    c->b = b;
    if ((rc = tl_kinds(c)) < 0)
        return rc;
    free(c->lmap);
    c->lmap = malloc((b->nlinks ? b->nlinks : 1) * sizeof *c->lmap);
    if (!c->lmap)
        return nomem();
    for (size_t l = 0; l < b->nlinks; l++) {
        if (l && memcmp(b->links[l].trace_id, b->links[l - 1].trace_id,
                        16) == 0)
            c->lmap[l] = c->lmap[l - 1];
        else if ((rc = entry_of(c, b->links[l].trace_id, &c->lmap[l])) < 0)
            return rc;
    }
    return 0;
}

static int tl_block(void *ud, kiln_block *b)
{
    static const rd_scan_ops ops = {true, true, tl_begin, tl_page};
    tl_ctx *c = ud;
    return rd_scan_block(&c->sel, b, &ops, c);
}

static int cmp_entry(const void *pa, const void *pb)
{
    const kiln_trace_entry *a = pa, *b = pb;
    if (a->value != b->value)
        return a->value > b->value ? -1 : 1;
    if (a->samples != b->samples)
        return a->samples > b->samples ? -1 : 1;
    return memcmp(a->trace_id, b->trace_id, 16);
}

int kiln_list_traces(kiln_store *st, const char *tenant,
                     const kiln_query_opts *o, size_t limit,
                     kiln_trace_entry **out, size_t *nout)
{
    kiln_query_opts q = KILN_QUERY_OPTS_INIT;
    tl_ctx c;
    int rc;

    *out = NULL;
    *nout = 0;
    memset(&c, 0, sizeof c);
    if (o) {
        rc = opts_version_check("query options", o->version, 1,
                                KILN_QUERY_OPTS_VERSION);
        if (rc < 0)
            return rc;
        q.from = o->from;
        q.to = o->to;
        q.selector = o->selector;
        q.type = o->type;
        if (o->version >= 3) {
            q.on_skip = o->on_skip;
            q.skip_ud = o->skip_ud;
        }
    }
    if ((rc = rd_sel_init(&c.sel, &q)) < 0)
        goto out;
    rc = rd_each_block(st, tenant, &c.sel, tl_block, &c);
    if (rc < 0)
        goto out;
    /* Traces whose rows all fell outside the selection are not listed. */
    size_t m = 0;
    for (size_t i = 0; i < c.n; i++)
        if (c.e[i].rows)
            c.e[m++] = c.e[i];
    c.n = m;
    if (c.n > 1)
        qsort(c.e, c.n, sizeof *c.e, cmp_entry);
    *nout = limit && limit < c.n ? limit : c.n;
    *out = c.e;
    c.e = NULL;
out:
    free(c.e);
    free(c.lmap);
    free(c.vcol);
    free(c.scol);
    htab_free(&c.index);
    rd_sel_free(&c.sel);
    return api_return(rc);
}
