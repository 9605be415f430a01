/* intern.c: the one routine that adds a block's symbols, stacks and links
 * into another set of tables (a query's result, a block being written, a
 * merge's output) and keeps the id mapping, so each source id is translated
 * once and every later row costs an array lookup. Also the link table. */
#include <stdlib.h>
#include <string.h>

#include "format_internal.h"

/* ---- links ---- */

static bool link_eq(const void *ctx, uint32_t id, const void *key)
{
    const linktab *t = ctx;
    return memcmp(&t->links[id], key, sizeof(kiln_link)) == 0;
}

int linktab_add(linktab *t, const kiln_link *l, uint32_t *id)
{
    uint64_t h = hash64(l, sizeof *l, 0);
    size_t slot;
    uint32_t got;
    int rc = htab_find(&t->index, h, link_eq, t, l, &got, &slot);

    if (rc < 0)
        return rc;
    if (rc == 1) {
        *id = got + 1;
        return 0;
    }
    if (t->n >= UINT32_MAX - 1)
        return kiln_error_set(KILN_ELIMIT, "links: more than %u", UINT32_MAX - 1);
    if (t->n == t->cap) {
        size_t nc = t->cap ? t->cap * 2 : 64;
        kiln_link *nl = realloc(t->links, nc * sizeof *nl);
        if (!nl)
            return kiln_error_set(KILN_ENOMEM, "links: out of memory (%zu)",
                                  nc);
        t->links = nl;
        t->cap = nc;
    }
    if ((rc = htab_insert(&t->index, h, slot, (uint32_t)t->n)) < 0)
        return rc;
    t->links[t->n] = *l;
    *id = (uint32_t)++t->n;
    return 0;
}

void linktab_free(linktab *t)
{
    free(t->links);
    htab_free(&t->index);
    memset(t, 0, sizeof *t);
}

/* ---- the id mapping ---- */

/* *a (*cap entries) holds at least n zeroed entries; KILN_ENOMEM leaves it
 * as it was. */
static int zarray(uint32_t **a, size_t *cap, size_t n)
{
    if (n > *cap || !*a) {
        size_t c = n > 0 ? n : 1;
        uint32_t *na = calloc(c, sizeof *na);
        if (!na)
            return nomem();
        free(*a);
        *a = na;
        *cap = c;
        return 0;
    }
    memset(*a, 0, n * sizeof **a);
    return 0;
}

int tabmap_reuse(tabmap *m, const kiln_symtab *ssym, const kiln_stacks *sstk,
                 size_t nlinks, kiln_symtab *dsym, kiln_stacks *dstk,
                 linktab *dlinks)
{
    size_t nnodes = sstk ? sstk->n : 0;
    int rc;

    m->ssym = ssym;
    m->sstk = sstk;
    m->nlinks = nlinks;
    m->dsym = dsym;
    m->dstk = dstk;
    m->dlinks = dlinks;
    if ((rc = zarray(&m->str, &m->cap[0], ssym->strings.n)) < 0 ||
        (rc = zarray(&m->fn, &m->cap[1], ssym->nfunctions)) < 0 ||
        (rc = zarray(&m->map, &m->cap[2], ssym->nmappings)) < 0 ||
        (rc = zarray(&m->loc, &m->cap[3], ssym->nlocations)) < 0 ||
        (rc = zarray(&m->lset, &m->cap[4], ssym->nlsets)) < 0 ||
        (rc = zarray(&m->link, &m->cap[5], nlinks)) < 0 ||
        (rc = zarray(&m->node, &m->cap[6], nnodes)) < 0 ||
        (rc = zarray(&m->path, &m->cap[7], nnodes)) < 0)
        return rc;
    return 0;
}

int tabmap_init(tabmap *m, const kiln_symtab *ssym, const kiln_stacks *sstk,
               size_t nlinks, kiln_symtab *dsym, kiln_stacks *dstk,
               linktab *dlinks)
{
    int rc;

    memset(m, 0, sizeof *m);
    if ((rc = tabmap_reuse(m, ssym, sstk, nlinks, dsym, dstk, dlinks)) < 0)
        tabmap_free(m);
    return rc;
}

size_t tabmap_bytes(const tabmap *m)
{
    size_t n = 0;
    for (size_t i = 0; i < sizeof m->cap / sizeof m->cap[0]; i++)
        n += m->cap[i] * sizeof(uint32_t);
    return n + m->caplines * sizeof *m->lines + m->capents * sizeof *m->ents;
}

void tabmap_free(tabmap *m)
{
    free(m->str);
    free(m->fn);
    free(m->map);
    free(m->loc);
    free(m->lset);
    free(m->link);
    free(m->node);
    free(m->path);
    free(m->lines);
    free(m->ents);
    free(m->sstr);
    free(m->kind);
    free(m->series);
    memset(m, 0, sizeof *m);
}

/* String id of table src -> dst through memo (0 = not yet: a non-empty
 * string never maps to 0, which is ""). */
static int map_string(const kiln_strtab *src, kiln_strtab *dst,
                      uint32_t *memo, uint32_t id, uint32_t *out)
{
    int rc;

    if (id == 0) {
        *out = 0;
        return 0;
    }
    if (!memo[id] &&
        (rc = strtab_intern(dst, strtab_get(src, id), src->len[id],
                                 &memo[id])) < 0)
        return rc;
    *out = memo[id];
    return 0;
}

int tabmap_str(tabmap *m, uint32_t id, uint32_t *out)
{
    return map_string(&m->ssym->strings, &m->dsym->strings, m->str, id, out);
}

int tabmap_function(tabmap *m, uint32_t id, uint32_t *out)
{
    const kiln_function *f = &m->ssym->functions[id];
    kiln_function nf;
    int rc;

    if (!m->fn[id]) {
        uint32_t nid;
        nf.start_line = f->start_line;
        if ((rc = tabmap_str(m, f->name, &nf.name)) < 0 ||
            (rc = tabmap_str(m, f->system_name, &nf.system_name)) < 0 ||
            (rc = tabmap_str(m, f->filename, &nf.filename)) < 0 ||
            (rc = symtab_function(m->dsym, &nf, &nid)) < 0)
            return rc;
        m->fn[id] = nid + 1;
    }
    *out = m->fn[id] - 1;
    return 0;
}

int tabmap_mapping(tabmap *m, uint32_t id, uint32_t *out)
{
    const kiln_mapping *s = &m->ssym->mappings[id];
    kiln_mapping nm;
    int rc;

    if (!m->map[id]) {
        uint32_t nid;
        nm = *s;
        if ((rc = tabmap_str(m, s->filename, &nm.filename)) < 0 ||
            (rc = tabmap_str(m, s->build_id, &nm.build_id)) < 0 ||
            (rc = symtab_mapping(m->dsym, &nm, &nid)) < 0)
            return rc;
        m->map[id] = nid + 1;
    }
    *out = m->map[id] - 1;
    return 0;
}

int tabmap_location_add(tabmap *m, uint32_t id, uint32_t *out)
{
    const kiln_location *l = &m->ssym->locations[id];
    uint32_t mapping = 0, nid;
    int rc;

    if (l->nlines > m->caplines) {
        kiln_line *nl = realloc(m->lines, l->nlines * sizeof *nl);
        if (!nl)
            return nomem();
        m->lines = nl;
        m->caplines = l->nlines;
    }
    /* The mapping before the lines' functions: the order strings have
     * always been added in at ingest, so a block's bytes do not depend on
     * which path (pprof, rows) filled it. */
    if (l->mapping) {
        if ((rc = tabmap_mapping(m, l->mapping - 1, &mapping)) < 0)
            return rc;
        mapping++;
    }
    for (uint32_t i = 0; i < l->nlines; i++) {
        const kiln_line *sl = &m->ssym->lines[l->line_off + i];
        m->lines[i] = *sl;
        if (sl->function != KILN_NOFUNC &&
            (rc = tabmap_function(m, sl->function, &m->lines[i].function)) < 0)
            return rc; /* a line without a function stays without one */
    }
    if ((rc = symtab_location(m->dsym, l->address, mapping, m->lines,
                                   l->nlines, l->is_folded, &nid)) < 0)
        return rc;
    m->loc[id] = nid + 1;
    *out = nid;
    return 0;
}

/* Climb to the nearest translated ancestor, then intern the path back
 * down. */
int tabmap_stack(tabmap *m, uint32_t n, uint32_t *out)
{
    const kiln_stacks *ss = m->sstk;
    size_t depth = 0;
    uint32_t cur, c = n;
    int rc;

    if (n == 0 || m->node[n]) {
        *out = n ? m->node[n] : 0;
        return 0;
    }
    while (c != 0 && !m->node[c]) {
        m->path[depth++] = c;
        c = ss->parent[c];
    }
    cur = c ? m->node[c] : 0;
    while (depth) {
        uint32_t loc = 0;
        c = m->path[--depth];
        if ((rc = tabmap_location(m, ss->loc[c], &loc)) < 0 ||
            (rc = stacks_child(m->dstk, cur, loc, &cur)) < 0)
            return rc;
        m->node[c] = cur;
    }
    *out = cur;
    return 0;
}

int tabmap_lset(tabmap *m, uint32_t id, uint32_t *out)
{
    const kiln_labelset *ls = &m->ssym->lsets[id];
    uint32_t nid;
    int rc;

    if (id == 0) {
        *out = 0;
        return 0;
    }
    if (m->lset[id]) {
        *out = m->lset[id] - 1;
        return 0;
    }
    if (ls->n > m->capents) {
        kiln_label_ent *ne = realloc(m->ents, ls->n * sizeof *ne);
        if (!ne)
            return nomem();
        m->ents = ne;
        m->capents = ls->n;
    }
    for (uint32_t i = 0; i < ls->n; i++) {
        const kiln_label_ent *e = &m->ssym->labels[ls->off + i];
        m->ents[i] = *e;
        if ((rc = tabmap_str(m, e->key, &m->ents[i].key)) < 0 ||
            (rc = tabmap_str(m, e->str, &m->ents[i].str)) < 0 ||
            (rc = tabmap_str(m, e->num_unit, &m->ents[i].num_unit)) < 0)
            return rc;
    }
    if ((rc = symtab_labelset(m->dsym, m->ents, ls->n, &nid)) < 0)
        return rc;
    m->lset[id] = nid + 1;
    *out = nid;
    return 0;
}

int tabmap_link(tabmap *m, uint32_t ref, tabmap_link_get get, const void *ud,
               uint32_t *out)
{
    const kiln_link *l;
    int rc;

    if (ref == 0) {
        *out = 0;
        return 0;
    }
    if (!m->link[ref - 1]) {
        if (!(l = get(ud, ref - 1)))
            return kiln_error_set(KILN_ECORRUPT, "a row names link %u, which "
                                  "is not loaded", ref - 1);
        if ((rc = linktab_add(m->dlinks, l, &m->link[ref - 1])) < 0)
            return rc;
    }
    *out = m->link[ref - 1];
    return 0;
}

/* ---- series ---- */

int tabmap_use_series(tabmap *m, const kiln_seriestab *src,
                      kiln_seriestab *dst)
{
    m->sser = src;
    m->dser = dst;
    free(m->sstr);
    free(m->kind);
    free(m->series);
    m->sstr = calloc(src->strings.n ? src->strings.n : 1, sizeof *m->sstr);
    m->kind = calloc(src->nkinds ? src->nkinds : 1, sizeof *m->kind);
    m->series = calloc(src->nseries ? src->nseries : 1, sizeof *m->series);
    if (!m->sstr || !m->kind || !m->series)
        return nomem();
    return 0;
}

/* A string of the source's series table -> the destination's. */
static int sstr(tabmap *m, uint32_t id, uint32_t *out)
{
    return map_string(&m->sser->strings, &m->dser->strings, m->sstr, id, out);
}

static int skind(tabmap *m, uint32_t id, uint32_t *out)
{
    const kiln_kind *k = &m->sser->kinds[id];
    uint32_t ids[2 * KILN_MAX_TYPES], *com = NULL;
    kiln_kind nk;
    int rc = 0;

    if (m->kind[id]) {
        *out = m->kind[id] - 1;
        return 0;
    }
    nk = *k;
    nk.types = ids;
    if (k->ncomments && !(com = malloc(k->ncomments * sizeof *com)))
        return nomem();
    nk.comments = com;
    for (uint32_t t = 0; t < 2 * k->ntypes && rc == 0; t++)
        rc = sstr(m, k->types[t], &ids[t]);
    for (uint32_t c = 0; c < k->ncomments && rc == 0; c++)
        rc = sstr(m, k->comments[c], &com[c]);
    if (rc < 0 ||
        (rc = sstr(m, k->period_type[0], &nk.period_type[0])) < 0 ||
        (rc = sstr(m, k->period_type[1], &nk.period_type[1])) < 0 ||
        (rc = sstr(m, k->default_type, &nk.default_type)) < 0 ||
        (rc = sstr(m, k->drop_frames, &nk.drop_frames)) < 0 ||
        (rc = sstr(m, k->keep_frames, &nk.keep_frames)) < 0 ||
        (rc = sstr(m, k->doc_url, &nk.doc_url)) < 0 ||
        (rc = seriestab_kind(m->dser, &nk, out)) < 0)
        goto out;
    m->kind[id] = *out + 1;
out:
    free(com);
    return rc;
}

int tabmap_series(tabmap *m, uint32_t sid, uint32_t *out)
{
    const kiln_series *s = &m->sser->series[sid];
    const kiln_strtab *t = &m->sser->strings;
    kiln_label *labs = NULL;
    uint32_t kind;
    int rc;

    if (m->series[sid]) {
        *out = m->series[sid] - 1;
        return 0;
    }
    if ((rc = skind(m, s->kind, &kind)) < 0)
        return rc;
    if (!(labs = malloc((s->nlabs ? s->nlabs : 1) * sizeof *labs)))
        return nomem();
    for (uint32_t i = 0; i < s->nlabs; i++) {
        const uint32_t *pair = &m->sser->labs[2 * ((size_t)s->lab_off + i)];
        labs[i].name = strtab_get(t, pair[0]);
        labs[i].value = strtab_get(t, pair[1]);
    }
    rc = seriestab_series(m->dser, labs, s->nlabs, kind, out);
    free(labs);
    if (rc < 0)
        return rc;
    m->series[sid] = *out + 1;
    return 0;
}

int tabmap_stacks(tabmap *m, const uint32_t *src, size_t n, uint32_t **dst,
                  size_t *cap)
{
    int rc;

    if (n > *cap) {
        uint32_t *d = realloc(*dst, n * sizeof *d);
        if (!d)
            return nomem();
        *dst = d;
        *cap = n;
    }
    for (size_t i = 0; i < n; i++)
        if ((rc = tabmap_stack(m, src[i], &(*dst)[i])) < 0)
            return rc;
    return 0;
}
