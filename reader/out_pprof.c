/* out_pprof.c: a result as gzip'd profile.proto - one Sample per stack
 * (and label set and link with keep_labels), only the referenced symbols,
 * the kind metadata of the first contributing series. This file chooses
 * and numbers what is written (a pprof_doc); format/pprof_encode.c writes
 * it. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output_internal.h"

typedef struct pctx {
    const kiln_result *r;
    uint32_t *str_out;   /* result string id -> output index (0 = unused) */
    size_t nstr;         /* output strings so far */
    uint32_t *loc_out;   /* location -> output id (1-based), 0 unused */
    uint32_t *fn_out;
    uint32_t *map_out;
    size_t nloc, nfn, nmap;
    size_t nrows;            /* rows of the result: nodes, or keys */
    const int64_t *rowvals;  /* their values, ntypes each */
} pctx;

static void use_str(pctx *p, uint32_t id)
{
    if (id && !p->str_out[id])
        p->str_out[id] = (uint32_t)++p->nstr;
}

static void use_loc(pctx *p, uint32_t loc)
{
    const kiln_symtab *s = &p->r->sym;
    const kiln_location *l = &s->locations[loc];

    if (p->loc_out[loc])
        return;
    p->loc_out[loc] = (uint32_t)++p->nloc;
    if (l->mapping && !p->map_out[l->mapping - 1]) {
        const kiln_mapping *m = &s->mappings[l->mapping - 1];
        p->map_out[l->mapping - 1] = (uint32_t)++p->nmap;
        use_str(p, m->filename);
        use_str(p, m->build_id);
    }
    for (uint32_t j = 0; j < l->nlines; j++) {
        uint32_t f = s->lines[l->line_off + j].function;
        if (f != KILN_NOFUNC && !p->fn_out[f]) {
            const kiln_function *fn = &s->functions[f];
            p->fn_out[f] = (uint32_t)++p->nfn;
            use_str(p, fn->name);
            use_str(p, fn->system_name);
            use_str(p, fn->filename);
        }
    }
}


/* What the output holds, numbered in order of first use. */
static int choose(pctx *p, uint32_t *depth, uint8_t *lset_keys,
                  uint8_t *lset_used, uint8_t *link_used, size_t *nsamples,
                  size_t *nlocids, size_t *nlabels)
{
    const kiln_result *r = p->r;
    const kiln_symtab *s = &r->sym;
    size_t nt = r->ntypes;
    uint8_t *node_done = calloc(r->stk.n + 1, 1);

    if (!node_done)
        return nomem();
    for (uint32_t n = 1; n < r->stk.n; n++)
        depth[n] = depth[r->stk.parent[n]] + 1;

    /* Strings in a stable order: types, then kind metadata, then symbols
     * as samples reach them. */
    for (size_t t = 0; t < nt; t++) {
        use_str(p, r->types[2 * t]);
        use_str(p, r->types[2 * t + 1]);
    }
    use_str(p, r->period_type[0]);
    use_str(p, r->period_type[1]);
    use_str(p, r->default_type);
    use_str(p, r->drop_frames);
    use_str(p, r->keep_frames);
    use_str(p, r->doc_url);
    for (size_t i = 0; i < r->ncomments; i++)
        use_str(p, r->comments[i]);

    /* Label sets that already carry "trace_id" / "span_id" verbatim (the
     * writer keeps such labels when the link cannot give them back byte for
     * byte), or "profile_id", from which the writer took the span: bit 1 and
     * bit 2. */
    for (size_t l = 0; l < s->nlsets; l++) {
        for (uint32_t k = 0; k < s->lsets[l].n; k++) {
            uint32_t key = s->labels[s->lsets[l].off + k].key;
            const char *ks = strtab_get(&s->strings, key);
            if (s->strings.len[key] == 8 && memcmp(ks, "trace_id", 8) == 0)
                lset_keys[l] |= 1;
            if ((s->strings.len[key] == 7 && memcmp(ks, "span_id", 7) == 0) ||
                (s->strings.len[key] == 10 &&
                 memcmp(ks, "profile_id", 10) == 0))
                lset_keys[l] |= 2; /* profile_id: the writer's span alias */
        }
    }
    for (size_t i = 0; i < p->nrows; i++) {
        if (!r->keep_labels && !r->seen[i])
            continue;
        uint32_t node = r->keep_labels ? r->keys[i].node : (uint32_t)i;
        (*nsamples)++;
        *nlocids += depth[node];
        for (uint32_t c = node; c && !node_done[c]; c = r->stk.parent[c]) {
            node_done[c] = 1;
            use_loc(p, r->stk.loc[c]);
        }
        if (r->keep_labels) {
            const kiln_labelset *ls = &s->lsets[r->keys[i].lset];
            *nlabels += ls->n + 2;
            if (!lset_used[r->keys[i].lset]) {
                lset_used[r->keys[i].lset] = 1;
                for (uint32_t k = 0; k < ls->n; k++) {
                    const kiln_label_ent *e = &s->labels[ls->off + k];
                    use_str(p, e->key);
                    use_str(p, e->str);
                    use_str(p, e->num_unit);
                }
            }
            if (r->keys[i].link)
                link_used[r->keys[i].link - 1] = 1;
        }
    }
    free(node_done);
    return 0;
}

/* The doc's string table: the symbols' strings in output order, then, for
 * the links, "trace_id", "span_id" and each used link's two hex ids
 * (link_lab[l]: the index of its trace string, its span's follows). */
static int put_strings(pctx *p, pprof_doc *d, const uint8_t *link_used,
                       uint32_t *link_lab, uint32_t *key_trace,
                       uint32_t *key_span)
{
    const kiln_result *r = p->r;
    const kiln_strtab *st = &r->sym.strings;
    uint32_t *ord = malloc((p->nstr + 1) * sizeof *ord);
    char hex[33];
    int rc = 0;

    if (!ord)
        return nomem();
    for (uint32_t id = 1; id < st->n; id++)
        if (p->str_out[id])
            ord[p->str_out[id]] = id;
    for (size_t k = 1; k <= p->nstr && rc == 0; k++)
        rc = strtab_append(&d->sym.strings, strtab_get(st, ord[k]),
                           st->len[ord[k]]);
    free(ord);
    size_t si = 1 + p->nstr;
    bool any = false;
    for (size_t l = 0; l < r->links.n && rc == 0; l++) {
        if (!link_used[l])
            continue;
        if (!any) {
            any = true;
            *key_trace = (uint32_t)si++;
            *key_span = (uint32_t)si++;
            if ((rc = strtab_append(&d->sym.strings, "trace_id", 8)) < 0 ||
                (rc = strtab_append(&d->sym.strings, "span_id", 7)) < 0)
                break;
        }
        link_lab[l] = (uint32_t)si;
        si += 2;
        kiln_trace_id_format(r->links.links[l].trace_id, hex);
        if ((rc = strtab_append(&d->sym.strings, hex, 32)) < 0)
            break;
        kiln_span_id_format(r->links.links[l].span_id, hex);
        rc = strtab_append(&d->sym.strings, hex, 16);
    }
    return rc;
}

/* The used mappings, functions and locations, in output id order. */
static int put_symbols(pctx *p, pprof_doc *d)
{
    const kiln_symtab *s = &p->r->sym;
    kiln_symtab *o = &d->sym;
    size_t nlines = 0;
    int rc;

    for (uint32_t l = 0; l < s->nlocations; l++)
        if (p->loc_out[l])
            nlines += s->locations[l].nlines;
    if ((rc = pprof_doc_reserve_symbols(d, p->nmap, p->nfn, p->nloc,
                                        nlines)) < 0)
        return rc;
    for (uint32_t m = 0; m < s->nmappings; m++) {
        if (!p->map_out[m])
            continue;
        kiln_mapping *om = &o->mappings[p->map_out[m] - 1];
        *om = s->mappings[m];
        om->filename = p->str_out[om->filename];
        om->build_id = p->str_out[om->build_id];
    }
    for (uint32_t f = 0; f < s->nfunctions; f++) {
        if (!p->fn_out[f])
            continue;
        kiln_function *of = &o->functions[p->fn_out[f] - 1];
        *of = s->functions[f];
        of->name = p->str_out[of->name];
        of->system_name = p->str_out[of->system_name];
        of->filename = p->str_out[of->filename];
    }
    nlines = 0;
    for (uint32_t l = 0; l < s->nlocations; l++) {
        if (!p->loc_out[l])
            continue;
        const kiln_location *sl = &s->locations[l];
        kiln_location *ol = &o->locations[p->loc_out[l] - 1];
        *ol = *sl;
        ol->mapping = sl->mapping ? p->map_out[sl->mapping - 1] : 0;
        ol->line_off = (uint32_t)nlines;
        for (uint32_t j = 0; j < sl->nlines; j++) {
            kiln_line *ln = &o->lines[nlines++];
            *ln = s->lines[sl->line_off + j];
            if (ln->function != KILN_NOFUNC)
                ln->function = p->fn_out[ln->function] - 1;
        }
    }
    o->nmappings = p->nmap;
    o->nfunctions = p->nfn;
    o->nlocations = p->nloc;
    o->nlines = nlines;
    return 0;
}

/* One sample per row: frames, values, and with keep_labels the label set
 * then the link's labels (trace_id unless the set has it; span_id when the
 * span is not zero, "no span", and the set lacks it). */
static int put_samples(pctx *p, pprof_doc *d, const uint32_t *depth,
                       const uint8_t *lset_keys, const uint32_t *link_lab,
                       uint32_t key_trace, uint32_t key_span,
                       size_t nsamples, size_t nlocids, size_t nlabels)
{
    static const uint8_t zero[8];
    const kiln_result *r = p->r;
    const kiln_symtab *s = &r->sym;
    size_t nt = r->ntypes, k = 0;
    int rc;

    if ((rc = pprof_doc_reserve_samples(d, nsamples, nt, nlocids,
                                        nlabels)) < 0)
        return rc;
    for (size_t i = 0; i < p->nrows; i++) {
        if (!r->keep_labels && !r->seen[i])
            continue;
        uint32_t node = r->keep_labels ? r->keys[i].node : (uint32_t)i;
        pprof_sample *sm = &d->samples[k];
        sm->locs = d->locs + d->nlocs;
        sm->nlocs = depth[node];
        for (uint32_t c = node; c; c = r->stk.parent[c])
            d->locs[d->nlocs++] = p->loc_out[r->stk.loc[c]] - 1;
        sm->values = d->values + k * nt;
        memcpy(d->values + k * nt, p->rowvals + i * nt, nt * sizeof(int64_t));
        sm->lab_off = (uint32_t)d->nlabels;
        if (r->keep_labels) {
            const kiln_labelset *ls = &s->lsets[r->keys[i].lset];
            for (uint32_t j = 0; j < ls->n; j++) {
                kiln_label_ent *e = &d->labels[d->nlabels++];
                *e = s->labels[ls->off + j];
                e->key = p->str_out[e->key];
                e->str = p->str_out[e->str];
                e->num_unit = p->str_out[e->num_unit];
            }
            if (r->keys[i].link) {
                uint32_t li = r->keys[i].link - 1;
                uint8_t has = lset_keys[r->keys[i].lset];
                if (!(has & 1))
                    d->labels[d->nlabels++] =
                        (kiln_label_ent){key_trace, link_lab[li], 0, 0};
                if (!(has & 2) &&
                    memcmp(r->links.links[li].span_id, zero, 8) != 0)
                    d->labels[d->nlabels++] =
                        (kiln_label_ent){key_span, link_lab[li] + 1, 0, 0};
            }
        }
        sm->nlabels = (uint32_t)(d->nlabels - sm->lab_off);
        k++;
    }
    d->nsamples = k;
    d->nvalues = k * nt;
    return 0;
}

static int put_kind(pctx *p, pprof_doc *d)
{
    const kiln_result *r = p->r;
    kiln_kind *k = &d->kind;
    size_t nt = r->ntypes;
    int rc;

    if ((rc = pprof_doc_set_kind(d, nt, r->ncomments)) < 0)
        return rc;
    for (size_t t = 0; t < 2 * nt; t++)
        k->types[t] = p->str_out[r->types[t]];
    for (size_t i = 0; i < r->ncomments; i++)
        k->comments[i] = p->str_out[r->comments[i]];
    k->period_type[0] = p->str_out[r->period_type[0]];
    k->period_type[1] = p->str_out[r->period_type[1]];
    d->has_period_type = r->period_type[0] || r->period_type[1];
    k->period = r->period;
    k->default_type = p->str_out[r->default_type];
    k->drop_frames = p->str_out[r->drop_frames];
    k->keep_frames = p->str_out[r->keep_frames];
    k->doc_url = p->str_out[r->doc_url];
    d->time = r->sel.stats.rows ? r->sel.stats.tmin : 0;
    d->duration = r->sel.stats.rows ? r->tend - r->sel.stats.tmin : 0;
    return 0;
}

int kiln_result_pprof(const kiln_result *r, kiln_buf *out)
{
    const kiln_symtab *s = &r->sym;
    size_t nsamples = 0, nlocids = 0, nlabels = 0;
    uint32_t *depth = NULL, *link_lab = NULL, key_trace = 0, key_span = 0;
    uint8_t *lset_keys = NULL, *lset_used = NULL, *link_used = NULL;
    pprof_doc d;
    pctx p;
    int rc = 0;

    memset(&p, 0, sizeof p);
    memset(&d, 0, sizeof d);
    p.r = r;
    /* Which samples: (node, values) rows, or keys with any value. */
    p.nrows = r->keep_labels ? r->nkeys : r->stk.n;
    p.rowvals = r->keep_labels ? r->kvals : r->dense;
    if (!r->keep_labels && (!r->dense || r->dense_nodes < r->stk.n))
        p.nrows = 0; /* nothing accumulated */
    p.str_out = calloc(s->strings.n + 1, sizeof *p.str_out);
    p.loc_out = calloc(s->nlocations + 1, sizeof *p.loc_out);
    p.fn_out = calloc(s->nfunctions + 1, sizeof *p.fn_out);
    p.map_out = calloc(s->nmappings + 1, sizeof *p.map_out);
    depth = calloc(r->stk.n + 1, sizeof *depth);
    lset_keys = calloc(s->nlsets + 1, 1);
    lset_used = calloc(s->nlsets + 1, 1);
    link_used = calloc(r->links.n + 1, 1);
    link_lab = calloc(r->links.n + 1, sizeof *link_lab);
    if (!p.str_out || !p.loc_out || !p.fn_out || !p.map_out || !depth ||
        !lset_keys || !lset_used || !link_used || !link_lab) {
        rc = nomem();
        goto out;
    }
    if ((rc = choose(&p, depth, lset_keys, lset_used, link_used, &nsamples,
                     &nlocids, &nlabels)) < 0 ||
        (rc = pprof_doc_reset(&d)) < 0 ||
        (rc = put_strings(&p, &d, link_used, link_lab, &key_trace,
                          &key_span)) < 0 ||
        (rc = put_symbols(&p, &d)) < 0 ||
        (rc = put_samples(&p, &d, depth, lset_keys, link_lab, key_trace,
                          key_span, nsamples, nlocids, nlabels)) < 0 ||
        (rc = put_kind(&p, &d)) < 0 || (rc = pprof_encode(&d, out)) < 0)
        goto out;
out:
    free(p.str_out);
    free(p.loc_out);
    free(p.fn_out);
    free(p.map_out);
    free(depth);
    free(lset_keys);
    free(lset_used);
    free(link_used);
    free(link_lab);
    pprof_doc_free(&d);
    return api_return(rc);
}
