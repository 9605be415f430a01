/* out_pprof.c: a result as gzip'd profile.proto - one Sample per stack
 * (and label set and link with keep_labels), only the referenced symbols,
 * the kind metadata of the first contributing series. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profile.pb-c.h"
#include "output_internal.h"

typedef struct pctx {
    const kiln_result *r;
    uint32_t *str_out;   /* result string id -> output index (0 = unused) */
    size_t nstr;         /* output strings so far */
    uint32_t *loc_out;   /* location -> output id (1-based), 0 unused */
    uint32_t *fn_out;
    uint32_t *map_out;
    size_t nloc, nfn, nmap;
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


int kiln_result_pprof(const kiln_result *r, kiln_buf *out)
{
    const kiln_symtab *s = &r->sym;
    size_t nt = r->ntypes, nsamples = 0, nlocids = 0, nlabptrs = 0;
    pctx p;
    Perftools__Profiles__Profile prof = PERFTOOLS__PROFILES__PROFILE__INIT;
    Perftools__Profiles__ValueType *vt = NULL, **vtp = NULL, period_type =
        PERFTOOLS__PROFILES__VALUE_TYPE__INIT;
    Perftools__Profiles__Sample *samp = NULL, **sampp = NULL;
    Perftools__Profiles__Location *locs = NULL, **locp = NULL;
    Perftools__Profiles__Line *lines = NULL, **linep = NULL;
    Perftools__Profiles__Function *fns = NULL, **fnp = NULL;
    Perftools__Profiles__Mapping *maps = NULL, **mapp = NULL;
    Perftools__Profiles__Label *lsl = NULL, **labp = NULL;
    ProtobufCBinaryData *strs = NULL;
    uint32_t *depth = NULL, *lsl_off = NULL, *link_lab = NULL;
    uint8_t *lset_keys = NULL;
    uint64_t *locids = NULL;
    int64_t *svals = NULL, *comments = NULL;
    char *hexpool = NULL;
    uint8_t *packed = NULL;
    kiln_buf gz = KILN_BUF_INIT;
    uint32_t key_trace = 0, key_span = 0;
    int rc = 0;

    memset(&p, 0, sizeof p);
    p.r = r;
    /* Which samples: (node, values) rows, or keys with any value. */
    size_t nrows = r->keep_labels ? r->nkeys : r->stk.n;
    const int64_t *rowvals = r->keep_labels ? r->kvals : r->dense;
    if (!r->keep_labels && (!r->dense || r->dense_nodes < r->stk.n))
        nrows = 0; /* nothing accumulated */
    p.str_out = calloc(s->strings.n + 1, sizeof *p.str_out);
    p.loc_out = calloc(s->nlocations + 1, sizeof *p.loc_out);
    p.fn_out = calloc(s->nfunctions + 1, sizeof *p.fn_out);
    p.map_out = calloc(s->nmappings + 1, sizeof *p.map_out);
    depth = calloc(r->stk.n + 1, sizeof *depth);
    if (!p.str_out || !p.loc_out || !p.fn_out || !p.map_out || !depth) {
        rc = nomem();
        goto out;
    }
    for (uint32_t n = 1; n < r->stk.n; n++)
        depth[n] = depth[r->stk.parent[n]] + 1;

    /* Strings in a stable order: types, then kind metadata, then symbols
     * as samples reach them. */
    for (size_t t = 0; t < nt; t++) {
        use_str(&p, r->types[2 * t]);
        use_str(&p, r->types[2 * t + 1]);
    }
    use_str(&p, r->period_type[0]);
    use_str(&p, r->period_type[1]);
    use_str(&p, r->default_type);
    use_str(&p, r->drop_frames);
    use_str(&p, r->keep_frames);
    use_str(&p, r->doc_url);
    for (size_t i = 0; i < r->ncomments; i++)
        use_str(&p, r->comments[i]);

    /* Label sets that already carry "trace_id" / "span_id" verbatim (the
     * writer keeps such labels when the link cannot give them back byte for
     * byte), or "profile_id", from which the writer took the span: bit 1 and
     * bit 2. */
    lset_keys = calloc(s->nlsets + 1, 1);
    if (!lset_keys) {
        rc = nomem();
        goto out;
    }
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
    uint8_t *lset_used = calloc(s->nlsets + 1, 1);
    uint8_t *link_used = calloc(r->links.n + 1, 1);
    uint8_t *node_done = calloc(r->stk.n + 1, 1);
    if (!lset_used || !link_used || !node_done) {
        free(lset_used);
        free(link_used);
        free(node_done);
        rc = nomem();
        goto out;
    }
    for (size_t i = 0; i < nrows; i++) {
        if (!r->keep_labels && !r->seen[i])
            continue;
        uint32_t node = r->keep_labels ? r->keys[i].node : (uint32_t)i;
        nsamples++;
        nlocids += depth[node];
        for (uint32_t c = node; c && !node_done[c]; c = r->stk.parent[c]) {
            node_done[c] = 1;
            use_loc(&p, r->stk.loc[c]);
        }
        if (r->keep_labels) {
            const kiln_labelset *ls = &s->lsets[r->keys[i].lset];
            nlabptrs += ls->n + 2;
            if (!lset_used[r->keys[i].lset]) {
                lset_used[r->keys[i].lset] = 1;
                for (uint32_t k = 0; k < ls->n; k++) {
                    const kiln_label_ent *e = &s->labels[ls->off + k];
                    use_str(&p, e->key);
                    use_str(&p, e->str);
                    use_str(&p, e->num_unit);
                }
            }
            if (r->keys[i].link)
                link_used[r->keys[i].link - 1] = 1;
        }
    }
    free(node_done);

    /* Link labels: "trace_id"/"span_id" with hex values, strings added
     * after the symbols'. */
    size_t nlinkused = 0;
    for (size_t l = 0; l < r->links.n; l++)
        nlinkused += link_used[l];
    size_t nstr_sym = p.nstr;
    size_t nstr_total = 1 + nstr_sym + (nlinkused ? 2 + 2 * nlinkused : 0);
    strs = calloc(nstr_total, sizeof *strs);
    hexpool = malloc(nlinkused * (33 + 17) + 1);
    link_lab = calloc(r->links.n + 1, sizeof *link_lab);
    if (!strs || !hexpool || !link_lab) {
        free(lset_used);
        free(link_used);
        rc = nomem();
        goto out;
    }
    strs[0].data = (uint8_t *)"";
    strs[0].len = 0;
    for (uint32_t id = 1; id < s->strings.n; id++) {
        if (!p.str_out[id])
            continue;
        strs[p.str_out[id]].data = (uint8_t *)strtab_get(&s->strings, id);
        strs[p.str_out[id]].len = s->strings.len[id];
    }
    size_t si = 1 + nstr_sym;
    if (nlinkused) {
        key_trace = (uint32_t)si;
        strs[si].data = (uint8_t *)"trace_id";
        strs[si++].len = 8;
        key_span = (uint32_t)si;
        strs[si].data = (uint8_t *)"span_id";
        strs[si++].len = 7;
        char *hp = hexpool;
        for (size_t l = 0; l < r->links.n; l++) {
            if (!link_used[l])
                continue;
            link_lab[l] = (uint32_t)si; /* trace at si, span at si + 1 */
            kiln_trace_id_format(r->links.links[l].trace_id, hp);
            strs[si].data = (uint8_t *)hp;
            strs[si++].len = 32;
            hp += 33;
            kiln_span_id_format(r->links.links[l].span_id, hp);
            strs[si].data = (uint8_t *)hp;
            strs[si++].len = 16;
            hp += 17;
        }
    }

    /* Label structs shared per label set and per link. */
    size_t nlabstructs = 0;
    lsl_off = calloc(s->nlsets + 1, sizeof *lsl_off);
    if (!lsl_off) {
        free(lset_used);
        free(link_used);
        rc = nomem();
        goto out;
    }
    for (size_t l = 0; l < s->nlsets; l++) {
        lsl_off[l] = (uint32_t)nlabstructs;
        if (lset_used[l])
            nlabstructs += s->lsets[l].n;
    }
    size_t link_lsl = nlabstructs;
    nlabstructs += 2 * nlinkused;
    lsl = calloc(nlabstructs + 1, sizeof *lsl);
    labp = calloc(nlabptrs + 1, sizeof *labp);
    if (!lsl || !labp) {
        free(lset_used);
        free(link_used);
        rc = nomem();
        goto out;
    }
    for (size_t l = 0; l < s->nlsets; l++) {
        if (!lset_used[l])
            continue;
        for (uint32_t k = 0; k < s->lsets[l].n; k++) {
            const kiln_label_ent *e = &s->labels[s->lsets[l].off + k];
            Perftools__Profiles__Label *lb = &lsl[lsl_off[l] + k];
            perftools__profiles__label__init(lb);
            lb->key = p.str_out[e->key];
            lb->str = e->str ? p.str_out[e->str] : 0;
            lb->num = e->num;
            lb->num_unit = e->num_unit ? p.str_out[e->num_unit] : 0;
        }
    }
    {
        size_t k = link_lsl;
        for (size_t l = 0; l < r->links.n; l++) {
            if (!link_used[l])
                continue;
            perftools__profiles__label__init(&lsl[k]);
            lsl[k].key = key_trace;
            lsl[k].str = link_lab[l];
            perftools__profiles__label__init(&lsl[k + 1]);
            lsl[k + 1].key = key_span;
            lsl[k + 1].str = link_lab[l] + 1;
            link_lab[l] = (uint32_t)k; /* now: index of its label pair */
            k += 2;
        }
    }
    free(lset_used);
    free(link_used);

    /* Samples. */
    samp = calloc(nsamples + 1, sizeof *samp);
    sampp = calloc(nsamples + 1, sizeof *sampp);
    locids = malloc((nlocids + 1) * sizeof *locids);
    svals = malloc((nsamples * nt + 1) * sizeof *svals);
    if (!samp || !sampp || !locids || !svals) {
        rc = nomem();
        goto out;
    }
    size_t si2 = 0, li = 0, lp = 0;
    for (size_t i = 0; i < nrows; i++) {
        const int64_t *v = rowvals + i * nt;
        if (!r->keep_labels && !r->seen[i])
            continue;
        uint32_t node = r->keep_labels ? r->keys[i].node : (uint32_t)i;
        Perftools__Profiles__Sample *sm = &samp[si2];
        perftools__profiles__sample__init(sm);
        sm->n_location_id = depth[node];
        sm->location_id = locids + li;
        for (uint32_t c = node; c; c = r->stk.parent[c])
            locids[li++] = p.loc_out[r->stk.loc[c]];
        sm->n_value = nt;
        sm->value = svals + si2 * nt;
        memcpy(sm->value, v, nt * sizeof *v);
        if (r->keep_labels) {
            const kiln_labelset *ls = &s->lsets[r->keys[i].lset];
            sm->label = labp + lp;
            for (uint32_t k = 0; k < ls->n; k++)
                labp[lp++] = &lsl[lsl_off[r->keys[i].lset] + k];
            if (r->keys[i].link) {
                /* trace_id unless the set has it; span_id when the span is
                 * not zero ("no span") and the set lacks it. */
                static const uint8_t zero[8];
                uint32_t li = r->keys[i].link - 1;
                uint8_t has = lset_keys[r->keys[i].lset];
                if (!(has & 1))
                    labp[lp++] = &lsl[link_lab[li]];
                if (!(has & 2) && memcmp(r->links.links[li].span_id, zero, 8) != 0)
                    labp[lp++] = &lsl[link_lab[li] + 1];
            }
            sm->n_label = (size_t)(labp + lp - sm->label);
        }
        sampp[si2] = sm;
        si2++;
    }

    /* Locations, functions, mappings, in output id order. */
    locs = calloc(p.nloc + 1, sizeof *locs);
    locp = calloc(p.nloc + 1, sizeof *locp);
    lines = calloc(s->nlines + 1, sizeof *lines);
    linep = calloc(s->nlines + 1, sizeof *linep);
    fns = calloc(p.nfn + 1, sizeof *fns);
    fnp = calloc(p.nfn + 1, sizeof *fnp);
    maps = calloc(p.nmap + 1, sizeof *maps);
    mapp = calloc(p.nmap + 1, sizeof *mapp);
    vt = calloc(nt + 1, sizeof *vt);
    vtp = calloc(nt + 1, sizeof *vtp);
    comments = calloc(r->ncomments + 1, sizeof *comments);
    if (!locs || !locp || !lines || !linep || !fns || !fnp || !maps ||
        !mapp || !vt || !vtp || !comments) {
        rc = nomem();
        goto out;
    }
    size_t lno = 0;
    for (uint32_t l = 0; l < s->nlocations; l++) {
        if (!p.loc_out[l])
            continue;
        const kiln_location *sl = &s->locations[l];
        Perftools__Profiles__Location *pl = &locs[p.loc_out[l] - 1];
        perftools__profiles__location__init(pl);
        pl->id = p.loc_out[l];
        pl->mapping_id = sl->mapping ? p.map_out[sl->mapping - 1] : 0;
        pl->address = sl->address;
        pl->is_folded = sl->is_folded != 0;
        pl->n_line = sl->nlines;
        pl->line = linep + lno;
        for (uint32_t j = 0; j < sl->nlines; j++) {
            const kiln_line *kl = &s->lines[sl->line_off + j];
            Perftools__Profiles__Line *pn = &lines[lno];
            perftools__profiles__line__init(pn);
            pn->function_id = kl->function == KILN_NOFUNC
                                  ? 0 /* no function, as it came in */
                                  : p.fn_out[kl->function];
            pn->line = kl->line;
            pn->column = kl->column;
            linep[lno++] = pn;
        }
        locp[p.loc_out[l] - 1] = pl;
    }
    for (uint32_t f = 0; f < s->nfunctions; f++) {
        if (!p.fn_out[f])
            continue;
        const kiln_function *sf = &s->functions[f];
        Perftools__Profiles__Function *pf = &fns[p.fn_out[f] - 1];
        perftools__profiles__function__init(pf);
        pf->id = p.fn_out[f];
        pf->name = p.str_out[sf->name];
        pf->system_name = p.str_out[sf->system_name];
        pf->filename = p.str_out[sf->filename];
        pf->start_line = sf->start_line;
        fnp[p.fn_out[f] - 1] = pf;
    }
    for (uint32_t m = 0; m < s->nmappings; m++) {
        if (!p.map_out[m])
            continue;
        const kiln_mapping *sm = &s->mappings[m];
        Perftools__Profiles__Mapping *pm = &maps[p.map_out[m] - 1];
        perftools__profiles__mapping__init(pm);
        pm->id = p.map_out[m];
        pm->memory_start = sm->memory_start;
        pm->memory_limit = sm->memory_limit;
        pm->file_offset = sm->file_offset;
        pm->filename = p.str_out[sm->filename];
        pm->build_id = p.str_out[sm->build_id];
        pm->has_functions = (sm->flags & KILN_MAP_HAS_FUNCTIONS) != 0;
        pm->has_filenames = (sm->flags & KILN_MAP_HAS_FILENAMES) != 0;
        pm->has_line_numbers = (sm->flags & KILN_MAP_HAS_LINE_NUMBERS) != 0;
        pm->has_inline_frames = (sm->flags & KILN_MAP_HAS_INLINE_FRAMES) != 0;
        mapp[p.map_out[m] - 1] = pm;
    }
    for (size_t t = 0; t < nt; t++) {
        perftools__profiles__value_type__init(&vt[t]);
        vt[t].type = p.str_out[r->types[2 * t]];
        vt[t].unit = p.str_out[r->types[2 * t + 1]];
        vtp[t] = &vt[t];
    }
    for (size_t i = 0; i < r->ncomments; i++)
        comments[i] = p.str_out[r->comments[i]];

    prof.n_sample_type = nt;
    prof.sample_type = vtp;
    prof.n_sample = nsamples;
    prof.sample = sampp;
    prof.n_mapping = p.nmap;
    prof.mapping = mapp;
    prof.n_location = p.nloc;
    prof.location = locp;
    prof.n_function = p.nfn;
    prof.function = fnp;
    prof.n_string_table = nstr_total;
    prof.string_table = strs;
    prof.drop_frames = p.str_out[r->drop_frames];
    prof.keep_frames = p.str_out[r->keep_frames];
    prof.time_nanos = r->sel.stats.rows ? r->sel.stats.tmin : 0;
    prof.duration_nanos = r->sel.stats.rows ? r->tend - r->sel.stats.tmin : 0;
    if (r->period_type[0] || r->period_type[1]) {
        period_type.type = p.str_out[r->period_type[0]];
        period_type.unit = p.str_out[r->period_type[1]];
        prof.period_type = &period_type;
    }
    prof.period = r->period;
    prof.n_comment = r->ncomments;
    prof.comment = comments;
    prof.default_sample_type = p.str_out[r->default_type];
    prof.doc_url = p.str_out[r->doc_url];

    size_t sz = perftools__profiles__profile__get_packed_size(&prof);
    packed = malloc(sz ? sz : 1);
    if (!packed) {
        rc = nomem();
        goto out;
    }
    perftools__profiles__profile__pack(&prof, packed);
    if ((rc = gzip_deflate(packed, sz, 6, &gz)) < 0 ||
        (rc = kiln_buf_append(out, gz.data, gz.len)) < 0)
        goto out;
out:
    free(p.str_out);
    free(p.loc_out);
    free(p.fn_out);
    free(p.map_out);
    free(depth);
    free(strs);
    free(hexpool);
    free(link_lab);
    free(lsl_off);
    free(lset_keys);
    free(lsl);
    free(labp);
    free(samp);
    free(sampp);
    free(locids);
    free(svals);
    free(locs);
    free(locp);
    free(lines);
    free(linep);
    free(fns);
    free(fnp);
    free(maps);
    free(mapp);
    free(vt);
    free(vtp);
    free(comments);
    free(packed);
    kiln_buf_free(&gz);
    return api_return(rc);
}
