/* ingest_pprof.c: kiln_writer_add_pprof. format/pprof_decode.c unpacks and
 * checks the profile whole into a pprof_doc, so a bad profile leaves the
 * writer exactly as it was; this file adds the doc to the block: symbols
 * through the one interning routine (tabmap), stacks, labels and links,
 * the kind and series. */
#include <stdlib.h>
#include <string.h>

#include "otlp_util.h" /* otlp_unhex, shared with the OTLP paths */
#include "writer_internal.h"

#define EIN(...) kiln_error_set(KILN_EINPUT, "pprof: " __VA_ARGS__)

/* The doc and the mapping of its tables into the block's. */
typedef struct pctx {
    const pprof_doc *d;
    tabmap *m;          /* doc symbols -> w->sym (w->pmap) */
} pctx;

/* Doc string i. */
static inline const char *dstr(const pctx *c, uint32_t i, size_t *len)
{
    *len = c->d->sym.strings.len[i];
    return strtab_get(&c->d->sym.strings, i);
}

/* ---- links --------------------------------------------------------------- */

/* Decode exactly 2*n hex digits into out; false if malformed or all zero
 * (an all-zero trace or span id is invalid in W3C trace context). */
static bool hex_id(const pctx *c, uint32_t str, uint8_t *out, size_t n)
{
    size_t len;
    const char *s = dstr(c, str, &len);
    if (!otlp_unhex((const uint8_t *)s, len, out, n))
        return false;
    uint8_t any = 0;
    for (size_t i = 0; i < n; i++)
        any |= out[i];
    return any != 0;
}

static inline bool key_is(const pctx *c, uint32_t key, const char *s,
                          size_t n)
{
    size_t len;
    const char *k = dstr(c, key, &len);
    return len == n && n > 0 && memcmp(k, s, n) == 0;
}

static bool same_labels(const pctx *c, const pprof_sample *a,
                        const pprof_sample *b)
{
    if (a->nlabels != b->nlabels)
        return false;
    for (size_t j = 0; j < a->nlabels; j++) {
        const kiln_label_ent *x = &c->d->labels[a->lab_off + j],
                             *y = &c->d->labels[b->lab_off + j];
        if (x->key != y->key || x->str != y->str || x->num != y->num ||
            x->num_unit != y->num_unit)
            return false;
    }
    return true;
}

/* A link label that a reader rebuilds byte for byte from the link alone:
 * the only label under its key, a string of lowercase hex digits (already
 * checked to be a well-formed id), nothing numeric. */
static bool absorbable(const pctx *c, const kiln_label_ent *lb, int nkey)
{
    size_t len;
    if (nkey != 1 || lb->num != 0 || lb->num_unit != 0)
        return false;
    const char *v = dstr(c, lb->str, &len);
    for (size_t i = 0; i < len; i++)
        if (v[i] >= 'A' && v[i] <= 'F')
            return false;
    return true;
}

/* The sample's label set and link.
 *
 * A link needs a well-formed trace id (trace_key: 32 hex digits, either
 * case, not all zero); its span comes from span_key (16 hex digits, not all
 * zero) and is zero, meaning "no span", when the sample has none. A
 * malformed trace or span id gives no link and is counted in bad_links.
 *
 * Nothing is lost and no label is invented: a trace or span label leaves
 * the sample's label set only when a reader rebuilds it exactly from the
 * link (key trace_key or span_key, lowercase hex; see absorbable). Every
 * other such label (upper case, repeated keys, malformed) stays in the label
 * set verbatim, beside the link when there is one. So a reader renders a
 * link as trace_key=<hex> unless the label set already has trace_key, and
 * span_key=<hex> when the span is non-zero unless the label set already has
 * span_key. Pyroscope's "profile_id" (its name for the span id) gives the
 * link its span when there is no span_key label and it holds 16 hex digits;
 * it always stays in the label set verbatim, and a reader writes no span_key
 * label for a label set that has profile_id, so nothing is invented. */
static int sample_labels(kiln_writer *w, pctx *c, const pprof_sample *s,
                         uint32_t *lset, uint32_t *link, bool *bad)
{
    const kiln_label_ent *lab = c->d->labels + s->lab_off;
    int64_t tl = -1, sl = -1, pl = -1;
    int ntl = 0, nsl = 0;
    bool tabs = false, sabs = false;
    int rc;
    *bad = false;
    *link = 0;
    for (size_t j = 0; j < s->nlabels; j++) {
        uint32_t k = lab[j].key;
        if (key_is(c, k, w->trace_key, w->trace_key_len)) {
            if (tl < 0)
                tl = (int64_t)j;
            ntl++;
        } else if (key_is(c, k, w->span_key, w->span_key_len)) {
            if (sl < 0)
                sl = (int64_t)j;
            nsl++;
        } else if (key_is(c, k, "profile_id", 10) && pl < 0) {
            pl = (int64_t)j;
        }
    }
    if (tl >= 0) {
        kiln_link l;
        memset(&l, 0, sizeof l);
        bool ok = hex_id(c, lab[tl].str, l.trace_id, 16);
        if (ok && sl >= 0)
            ok = hex_id(c, lab[sl].str, l.span_id, 8);
        else if (ok && pl >= 0 && !hex_id(c, lab[pl].str, l.span_id, 8))
            memset(l.span_id, 0, sizeof l.span_id); /* not an id: no span */
        if (ok) {
            if ((rc = wr_link(w, &l, link)) < 0)
                return rc;
            tabs = absorbable(c, &lab[tl], ntl);
            sabs = sl >= 0 && absorbable(c, &lab[sl], nsl);
        } else {
            *bad = true;
        }
    }

    kiln_label_ent *ents =
        wr_scratch(w, WS_LABELS, s->nlabels * sizeof(kiln_label_ent));
    if (!ents)
        return KILN_ENOMEM;
    uint32_t n = 0;
    for (size_t j = 0; j < s->nlabels; j++) {
        if ((tabs && (int64_t)j == tl) || (sabs && (int64_t)j == sl))
            continue;
        const kiln_label_ent *lb = &lab[j];
        kiln_label_ent *e = &ents[n++];
        if ((rc = tabmap_str(c->m, lb->key, &e->key)) < 0 ||
            (rc = tabmap_str(c->m, lb->str, &e->str)) < 0 ||
            (rc = tabmap_str(c->m, lb->num_unit, &e->num_unit)) < 0)
            return rc;
        e->num = lb->num;
    }
    *lset = 0;
    if (n && (rc = symtab_labelset(&w->sym, ents, n, lset)) < 0)
        return rc;
    return 0;
}

/* ---- the profile --------------------------------------------------------- */

/* A doc string -> the series table's strings (kinds live there). */
static int ser_str(kiln_writer *w, const pctx *c, uint32_t i, uint32_t *id)
{
    size_t len;
    const char *s = dstr(c, i, &len);
    if (i == 0) {
        *id = 0;
        return 0;
    }
    return strtab_intern(&w->ser.strings, s, len, id);
}

static int intern_kind(kiln_writer *w, const pctx *c, uint32_t *kid)
{
    const kiln_kind *dk = &c->d->kind;
    kiln_kind k = *dk;
    int rc;
    size_t nt = dk->ntypes;
    uint32_t *ids = wr_scratch(w, WS_MISC,
                               (2 * nt + dk->ncomments) * sizeof(uint32_t));
    if (!ids)
        return KILN_ENOMEM;
    k.types = ids;
    k.comments = ids + 2 * nt;
    for (size_t i = 0; i < 2 * nt; i++)
        if ((rc = ser_str(w, c, dk->types[i], &ids[i])) < 0)
            return rc;
    for (size_t i = 0; i < dk->ncomments; i++)
        if ((rc = ser_str(w, c, dk->comments[i], &k.comments[i])) < 0)
            return rc;
    if ((rc = ser_str(w, c, dk->period_type[0], &k.period_type[0])) < 0 ||
        (rc = ser_str(w, c, dk->period_type[1], &k.period_type[1])) < 0 ||
        (rc = ser_str(w, c, dk->default_type, &k.default_type)) < 0 ||
        (rc = ser_str(w, c, dk->drop_frames, &k.drop_frames)) < 0 ||
        (rc = ser_str(w, c, dk->keep_frames, &k.keep_frames)) < 0 ||
        (rc = ser_str(w, c, dk->doc_url, &k.doc_url)) < 0)
        return rc;
    return seriestab_kind(&w->ser, &k, kid);
}

/* ---- stacks -------------------------------------------------------------- */

/* The child of `parent` for doc location loc. */
static inline int stack_step(kiln_writer *w, pctx *c, uint32_t parent,
                             uint32_t loc, uint32_t *node)
{
    int rc;
    if ((rc = tabmap_location(c->m, loc, &loc)) < 0)
        return rc;
    return wr_stack_child(w, parent, loc, node);
}

static int ingest(kiln_writer *w, pctx *c, const kiln_label *labels,
                  size_t nlabels)
{
    const pprof_doc *d = c->d;
    uint32_t kid, sid;
    uint32_t nt = d->kind.ntypes;
    int rc;

    if ((rc = intern_kind(w, c, &kid)) < 0)
        return rc;
    if ((rc = seriestab_series(&w->ser, labels, nlabels, kid, &sid)) < 0)
        return rc;
    if ((rc = wr_begin(w, d->nsamples, nt)) < 0)
        return rc;

    const pprof_sample *prev = NULL;
    uint32_t lset = 0, link = 0;
    bool bad = false;
    uint64_t nbad = 0;
    for (size_t i = 0; i < d->nsamples; i++) {
        const pprof_sample *s = &d->samples[i];
        size_t n = s->nlocs, k = 0;
        const uint64_t *locs = s->locs;
        if ((rc = wr_grow((void **)&w->path, &w->cappath, n + 1,
                          sizeof *w->path)) < 0)
            goto fail;
        /* Reuse the root part this stack shares with the previous one
         * (pprof frames are leaf first: compare from the end). */
        if (prev && n > 0 && prev->nlocs > 0) {
            size_t pn = prev->nlocs, m = n < pn ? n : pn;
            const uint64_t *a = locs + n, *b = prev->locs + pn;
            while (k < m && a[-1 - (ptrdiff_t)k] == b[-1 - (ptrdiff_t)k])
                k++;
        }
        uint32_t node = k ? w->path[k - 1] : 0;
        for (size_t j = k; j < n; j++) {
            if ((rc = stack_step(w, c, node, (uint32_t)locs[n - 1 - j],
                                 &node)) < 0)
                goto fail;
            w->path[j] = node;
        }
        if (s->nlabels == 0) {
            lset = link = 0;
            bad = false;
        } else if (!prev || !same_labels(c, prev, s)) {
            if ((rc = sample_labels(w, c, s, &lset, &link, &bad)) < 0)
                goto fail;
        }
        nbad += bad;
        prev = s;
        if ((rc = wr_row(w, node, lset, link, s->values, nt)) < 0) {
            kiln_error_wrap(rc, "pprof: sample %zu: ", i);
            goto fail;
        }
    }
    wr_commit(w, sid, nt, d->time, d->duration);
    w->bad_links += nbad;
    return 0;
fail:
    wr_abort(w);
    return rc;
}

int kiln_writer_add_pprof(kiln_writer *w, const void *data, size_t len,
                          const kiln_label *labels, size_t nlabels)
{
    const uint8_t *msg = data;
    size_t n = len;
    pctx c;
    int rc;

    memset(&c, 0, sizeof c);
    c.d = &w->pdoc;
    c.m = &w->pmap;
    if ((rc = wr_check_labels(labels, nlabels)) < 0)
        goto out;
    if (!data || len == 0) {
        rc = EIN("empty input");
        goto out;
    }
    bool gz = is_gzip(data, len);
    if ((rc = wr_gunzip_input(&msg, &n, &w->inflated, "pprof")) < 0)
        goto out;
    if (gz && n == 0) {
        rc = EIN("empty input (gzip of nothing)");
        goto out;
    }
    if ((rc = pprof_decode(&w->pdoc, msg, n)) < 0 ||
        (rc = tabmap_reuse(&w->pmap, &w->pdoc.sym, NULL, 0, &w->sym, NULL,
                           NULL)) < 0)
        goto out;
    rc = ingest(w, &c, labels, nlabels);
out:
    wr_scratch_trim(w);
    return api_return(rc);
}
