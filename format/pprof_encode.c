/* pprof_encode.c: a pprof_doc -> profile.proto bytes (gzip'd or not). The
 * doc already holds only what is to be written, in order; this file only
 * lays protobuf-c's messages over it (ids are table index + 1) and packs. */
#include <stdlib.h>
#include <string.h>

#include "format_internal.h"
#include "profile.pb-c.h"

typedef struct msgs {
    Perftools__Profiles__ValueType *vt, **vtp, period_type;
    Perftools__Profiles__Sample *samp, **sampp;
    Perftools__Profiles__Label *lab, **labp;
    Perftools__Profiles__Location *locs, **locp;
    Perftools__Profiles__Line *lines, **linep;
    Perftools__Profiles__Function *fns, **fnp;
    Perftools__Profiles__Mapping *maps, **mapp;
    ProtobufCBinaryData *strs;
    uint64_t *locids;
    int64_t *comments;
} msgs;

static void msgs_free(msgs *m)
{
    free(m->vt);
    free(m->vtp);
    free(m->samp);
    free(m->sampp);
    free(m->lab);
    free(m->labp);
    free(m->locs);
    free(m->locp);
    free(m->lines);
    free(m->linep);
    free(m->fns);
    free(m->fnp);
    free(m->maps);
    free(m->mapp);
    free(m->strs);
    free(m->locids);
    free(m->comments);
}

#define ALLOC(f, n) (m->f = calloc((n) + 1, sizeof *m->f))

static int lay_symbols(const pprof_doc *d, msgs *m)
{
    const kiln_symtab *s = &d->sym;

    if (!ALLOC(strs, s->strings.n) || !ALLOC(maps, s->nmappings) ||
        !ALLOC(mapp, s->nmappings) || !ALLOC(fns, s->nfunctions) ||
        !ALLOC(fnp, s->nfunctions) || !ALLOC(locs, s->nlocations) ||
        !ALLOC(locp, s->nlocations) || !ALLOC(lines, s->nlines) ||
        !ALLOC(linep, s->nlines))
        return nomem();
    for (size_t i = 0; i < s->strings.n; i++) {
        m->strs[i].data = (uint8_t *)strtab_get(&s->strings, (uint32_t)i);
        m->strs[i].len = s->strings.len[i];
    }
    for (size_t i = 0; i < s->nmappings; i++) {
        const kiln_mapping *sm = &s->mappings[i];
        Perftools__Profiles__Mapping *pm = &m->maps[i];
        perftools__profiles__mapping__init(pm);
        pm->id = i + 1;
        pm->memory_start = sm->memory_start;
        pm->memory_limit = sm->memory_limit;
        pm->file_offset = sm->file_offset;
        pm->filename = sm->filename;
        pm->build_id = sm->build_id;
        pm->has_functions = (sm->flags & KILN_MAP_HAS_FUNCTIONS) != 0;
        pm->has_filenames = (sm->flags & KILN_MAP_HAS_FILENAMES) != 0;
        pm->has_line_numbers = (sm->flags & KILN_MAP_HAS_LINE_NUMBERS) != 0;
        pm->has_inline_frames = (sm->flags & KILN_MAP_HAS_INLINE_FRAMES) != 0;
        m->mapp[i] = pm;
    }
    for (size_t i = 0; i < s->nfunctions; i++) {
        const kiln_function *sf = &s->functions[i];
        Perftools__Profiles__Function *pf = &m->fns[i];
        perftools__profiles__function__init(pf);
        pf->id = i + 1;
        pf->name = sf->name;
        pf->system_name = sf->system_name;
        pf->filename = sf->filename;
        pf->start_line = sf->start_line;
        m->fnp[i] = pf;
    }
    for (size_t i = 0; i < s->nlocations; i++) {
        const kiln_location *sl = &s->locations[i];
        Perftools__Profiles__Location *pl = &m->locs[i];
        perftools__profiles__location__init(pl);
        pl->id = i + 1;
        pl->mapping_id = sl->mapping; /* index + 1 = id, 0 = none */
        pl->address = sl->address;
        pl->is_folded = sl->is_folded != 0;
        pl->n_line = sl->nlines;
        pl->line = m->linep + sl->line_off;
        for (uint32_t j = 0; j < sl->nlines; j++) {
            const kiln_line *kl = &s->lines[sl->line_off + j];
            Perftools__Profiles__Line *ln = &m->lines[sl->line_off + j];
            perftools__profiles__line__init(ln);
            ln->function_id = kl->function == KILN_NOFUNC
                                  ? 0 /* no function, as it came in */
                                  : (uint64_t)kl->function + 1;
            ln->line = kl->line;
            ln->column = kl->column;
            m->linep[sl->line_off + j] = ln;
        }
        m->locp[i] = pl;
    }
    return 0;
}

static int lay_samples(const pprof_doc *d, msgs *m)
{
    size_t nt = d->kind.ntypes, nlocs = 0;

    for (size_t i = 0; i < d->nsamples; i++)
        nlocs += d->samples[i].nlocs;
    if (!ALLOC(samp, d->nsamples) || !ALLOC(sampp, d->nsamples) ||
        !ALLOC(locids, nlocs) || !ALLOC(lab, d->nlabels) ||
        !ALLOC(labp, d->nlabels))
        return nomem();
    for (size_t i = 0; i < d->nlabels; i++) {
        const kiln_label_ent *e = &d->labels[i];
        Perftools__Profiles__Label *lb = &m->lab[i];
        perftools__profiles__label__init(lb);
        lb->key = e->key;
        lb->str = e->str;
        lb->num = e->num;
        lb->num_unit = e->num_unit;
        m->labp[i] = lb;
    }
    nlocs = 0;
    for (size_t i = 0; i < d->nsamples; i++) {
        const pprof_sample *s = &d->samples[i];
        Perftools__Profiles__Sample *sm = &m->samp[i];
        perftools__profiles__sample__init(sm);
        sm->n_location_id = s->nlocs;
        sm->location_id = m->locids + nlocs;
        for (uint32_t j = 0; j < s->nlocs; j++)
            m->locids[nlocs++] = s->locs[j] + 1; /* id = index + 1 */
        sm->n_value = nt;
        sm->value = (int64_t *)s->values;
        sm->n_label = s->nlabels;
        sm->label = m->labp + s->lab_off;
        m->sampp[i] = sm;
    }
    return 0;
}

static int lay_kind(const pprof_doc *d, msgs *m,
                    Perftools__Profiles__Profile *prof)
{
    const kiln_kind *k = &d->kind;

    if (!ALLOC(vt, k->ntypes) || !ALLOC(vtp, k->ntypes) ||
        !ALLOC(comments, k->ncomments))
        return nomem();
    for (size_t t = 0; t < k->ntypes; t++) {
        perftools__profiles__value_type__init(&m->vt[t]);
        m->vt[t].type = k->types[2 * t];
        m->vt[t].unit = k->types[2 * t + 1];
        m->vtp[t] = &m->vt[t];
    }
    for (size_t i = 0; i < k->ncomments; i++)
        m->comments[i] = k->comments[i];
    prof->n_sample_type = k->ntypes;
    prof->sample_type = m->vtp;
    if (d->has_period_type) {
        perftools__profiles__value_type__init(&m->period_type);
        m->period_type.type = k->period_type[0];
        m->period_type.unit = k->period_type[1];
        prof->period_type = &m->period_type;
    }
    prof->period = k->period;
    prof->n_comment = k->ncomments;
    prof->comment = m->comments;
    prof->drop_frames = k->drop_frames;
    prof->keep_frames = k->keep_frames;
    prof->default_sample_type = k->default_type;
    prof->doc_url = k->doc_url;
    return 0;
}

int pprof_pack(const pprof_doc *d, kiln_buf *out)
{
    Perftools__Profiles__Profile prof = PERFTOOLS__PROFILES__PROFILE__INIT;
    msgs m;
    int rc;

    memset(&m, 0, sizeof m);
    if ((rc = lay_symbols(d, &m)) < 0 || (rc = lay_samples(d, &m)) < 0 ||
        (rc = lay_kind(d, &m, &prof)) < 0)
        goto out;
    prof.n_sample = d->nsamples;
    prof.sample = m.sampp;
    prof.n_mapping = d->sym.nmappings;
    prof.mapping = m.mapp;
    prof.n_location = d->sym.nlocations;
    prof.location = m.locp;
    prof.n_function = d->sym.nfunctions;
    prof.function = m.fnp;
    prof.n_string_table = d->sym.strings.n;
    prof.string_table = m.strs;
    prof.time_nanos = d->time;
    prof.duration_nanos = d->duration;

    size_t sz = perftools__profiles__profile__get_packed_size(&prof);
    if ((rc = kiln_buf_reserve(out, sz + 1)) < 0)
        goto out;
    out->len += perftools__profiles__profile__pack(&prof, out->data + out->len);
out:
    msgs_free(&m);
    return rc;
}

int pprof_encode(const pprof_doc *d, kiln_buf *out)
{
    kiln_buf raw = KILN_BUF_INIT;
    int rc;

    if ((rc = pprof_pack(d, &raw)) < 0 ||
        (rc = gzip_deflate(raw.data, raw.len, 6, out)) < 0)
        goto out;
out:
    kiln_buf_free(&raw);
    return rc;
}
