/* writer.c: the writer's lifecycle (options, reset, stats, finish, flush) and
 * the integer columns every input lands in: per-profile records, sample rows
 * with identical samples merged, and the link table. */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zstd.h>

#include "writer_internal.h"

#define DEFAULT_PAGE_ROWS 4096
#define DEFAULT_ZSTD_LEVEL 3
#define SCRATCH_KEEP ((size_t)32 << 20) /* scratch above this is released */

int wr_gunzip_input(const uint8_t **p, size_t *n, kiln_buf *buf,
                    const char *what)
{
    if (!is_gzip(*p, *n))
        return 0;
    int rc = gzip_inflate(*p, *n, KILN_MAX_INFLATE, buf);
    if (rc < 0)
        return kiln_error_wrap(rc, "%s: ", what);
    *p = buf->data;
    *n = buf->len;
    return 0;
}

int wr_grow(void **p, size_t *cap, size_t need, size_t esz)
{
    if (need <= *cap)
        return 0;
    size_t n = *cap ? *cap : 16;
    while (n < need) {
        if (n > SIZE_MAX / 2)
            return kiln_error_set(KILN_ENOMEM, "writer: array too large");
        n *= 2;
    }
    if (n > SIZE_MAX / esz)
        return kiln_error_set(KILN_ENOMEM, "writer: array too large");
    void *q = realloc(*p, n * esz);
    if (!q)
        return kiln_error_set(KILN_ENOMEM, "writer: out of memory (%zu bytes)",
                              n * esz);
    *p = q;
    *cap = n;
    return 0;
}

void *wr_scratch(kiln_writer *w, int k, size_t bytes)
{
    if (wr_grow(&w->scratch[k], &w->scratchcap[k], bytes ? bytes : 1, 1) < 0)
        return NULL;
    return w->scratch[k];
}

/* ---- rows ------------------------------------------------------------- */

int wr_begin(kiln_writer *w, size_t maxrows, uint32_t ntypes)
{
    int rc;
    size_t need = w->nrows + maxrows;
    if (need > UINT32_MAX)
        return kiln_error_set(KILN_ELIMIT,
                              "writer: block over %u sample rows; flush first",
                              UINT32_MAX);
    size_t cap = w->caprows;
    if ((rc = wr_grow((void **)&w->r_stack, &cap, need, sizeof(uint32_t))) < 0)
        return rc;
    cap = w->caprows;
    if ((rc = wr_grow((void **)&w->r_lset, &cap, need, sizeof(uint32_t))) < 0)
        return rc;
    cap = w->caprows;
    if ((rc = wr_grow((void **)&w->r_link, &cap, need, sizeof(uint32_t))) < 0)
        return rc;
    w->caprows = cap;
    if (ntypes && maxrows > (SIZE_MAX - w->nvals) / ntypes)
        return kiln_error_set(KILN_ENOMEM, "writer: too many values");
    if ((rc = wr_grow((void **)&w->vals, &w->capvals,
                      w->nvals + maxrows * ntypes, sizeof(int64_t))) < 0)
        return rc;
    if ((rc = wr_grow((void **)&w->prof, &w->capprof, w->nprof + 1,
                      sizeof *w->prof)) < 0)
        return rc;
    size_t use = 16;
    while (use < maxrows * 2)
        use *= 2;
    if ((rc = wr_grow((void **)&w->merge, &w->mergecap, use,
                      sizeof(uint32_t))) < 0)
        return rc;
    w->mergeuse = use;
    memset(w->merge, 0, use * sizeof(uint32_t));
    w->cur_row0 = w->nrows;
    w->cur_val0 = w->nvals;
    return 0;
}

void wr_row_append(kiln_writer *w, uint32_t stack, uint32_t lset,
                   uint32_t link, const int64_t *v, uint32_t ntypes)
{
    size_t r = w->nrows++;
    assert(r < w->caprows);
    w->r_stack[r] = stack;
    w->r_lset[r] = lset;
    w->r_link[r] = link;
    memcpy(w->vals + w->nvals, v, ntypes * sizeof(int64_t));
    w->nvals += ntypes;
}

int wr_row(kiln_writer *w, uint32_t stack, uint32_t lset, uint32_t link,
           const int64_t *v, uint32_t ntypes)
{
    size_t mask = w->mergeuse - 1;
    size_t h = (size_t)hash_mix64(((uint64_t)stack << 32 | lset) ^
                             ((uint64_t)link * 0x9e3779b97f4a7c15ULL));
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        uint32_t s = w->merge[i];
        if (s == 0) {
            w->merge[i] = (uint32_t)(w->nrows - w->cur_row0 + 1);
            wr_row_append(w, stack, lset, link, v, ntypes);
            return 0;
        }
        size_t r = w->cur_row0 + s - 1;
        if (w->r_stack[r] == stack && w->r_lset[r] == lset &&
            w->r_link[r] == link) {
            int64_t *d = w->vals + w->cur_val0 + (s - 1) * (size_t)ntypes;
            int64_t sum;
            for (uint32_t t = 0; t < ntypes; t++) /* check all, then add */
                if (__builtin_add_overflow(d[t], v[t], &sum))
                    return kiln_error_set(KILN_EINPUT,
                                          "values of identical samples sum "
                                          "past the int64 range");
            for (uint32_t t = 0; t < ntypes; t++)
                d[t] += v[t];
            return 0;
        }
    }
}

void wr_commit(kiln_writer *w, uint32_t series, uint32_t ntypes, int64_t time,
               int64_t duration)
{
    assert(w->nprof < w->capprof);
    wr_profile *p = &w->prof[w->nprof++];
    p->series = series;
    p->ntypes = ntypes;
    p->time = time;
    p->duration = duration;
    p->row0 = w->cur_row0;
    p->nrows = w->nrows - w->cur_row0;
    p->val0 = w->cur_val0;
    if (time < w->tmin)
        w->tmin = time;
    if (time > w->tmax)
        w->tmax = time;
}

void wr_abort(kiln_writer *w)
{
    w->nrows = w->cur_row0;
    w->nvals = w->cur_val0;
}

/* ---- labels, options, lifecycle --------------------------------------- */

int wr_check_labels(const kiln_label *labels, size_t n)
{
    if (n && !labels)
        return kiln_error_set(KILN_EINVAL, "labels: NULL array of %zu", n);
    if (n > KILN_MAX_SERIES_LABELS)
        return kiln_error_set(KILN_ELIMIT, "labels: %zu series labels (at "
                              "most %d)", n, KILN_MAX_SERIES_LABELS);
    for (size_t i = 0; i < n; i++) {
        if (!labels[i].name || !labels[i].name[0])
            return kiln_error_set(KILN_EINVAL, "labels: label %zu has no name",
                                  i);
        if (!labels[i].value)
            return kiln_error_set(KILN_EINVAL,
                                  "labels: label \"%s\" has no value",
                                  labels[i].name);
        if (strlen(labels[i].name) > KILN_MAX_LABEL_NAME ||
            strlen(labels[i].value) > KILN_MAX_LABEL_VALUE)
            return kiln_error_set(KILN_ELIMIT, "labels: label \"%.40s\": "
                                  "name or value too long (at most %d and "
                                  "%d bytes)", labels[i].name,
                                  KILN_MAX_LABEL_NAME, KILN_MAX_LABEL_VALUE);
        for (size_t j = 0; j < i; j++)
            if (strcmp(labels[i].name, labels[j].name) == 0)
                return kiln_error_set(KILN_EINVAL,
                                      "labels: \"%s\" given twice",
                                      labels[i].name);
    }
    return 0;
}

static void block_free(kiln_writer *w)
{
    symtab_free(&w->sym);
    stacks_free(&w->stacks);
    seriestab_free(&w->ser);
    linktab_free(&w->links);
    tabmap_free(&w->rmap);
    w->rmap_serial = 0;
    free(w->prof);
    free(w->r_stack);
    free(w->r_lset);
    free(w->r_link);
    free(w->vals);
    memset(&w->sym, 0, sizeof w->sym);
    memset(&w->stacks, 0, sizeof w->stacks);
    memset(&w->ser, 0, sizeof w->ser);
    w->prof = NULL;
    w->nprof = w->capprof = 0;
    w->r_stack = w->r_lset = w->r_link = NULL;
    w->nrows = w->caprows = 0;
    w->vals = NULL;
    w->nvals = w->capvals = 0;
    w->bad_links = 0;
    w->tmin = INT64_MAX;
    w->tmax = INT64_MIN;
}

int wr_reset(kiln_writer *w)
{
    int rc;
    block_free(w);
    if ((rc = symtab_init(&w->sym)) < 0)
        return rc;
    if ((rc = stacks_init(&w->stacks)) < 0)
        return rc;
    if ((rc = seriestab_init(&w->ser)) < 0)
        return rc;
    return 0;
}

/* Version 2's footer fields: a resolution >= 0, and source ids of 26
 * characters of the id alphabet (block_id), each named once. */
static int check_v2(const kiln_writer_opts *o)
{
    if (o->resolution < 0)
        return kiln_error_set(KILN_EINVAL, "writer: resolution %lld ns is "
                              "negative", (long long)o->resolution);
    if (o->nsources && !o->sources)
        return kiln_error_set(KILN_EINVAL, "writer: %zu sources in a NULL "
                              "array", o->nsources);
    for (size_t i = 0; i < o->nsources; i++) {
        const char *id = o->sources[i];
        if (!id || strlen(id) != 26 ||
            strspn(id, "0123456789ABCDEFGHJKMNPQRSTVWXYZ") != 26)
            return kiln_error_set(KILN_EINVAL, "writer: source %zu \"%.40s\" "
                                  "is not a block id (26 of 0-9A-Z)", i,
                                  id ? id : "(null)");
        for (size_t j = 0; j < i; j++)
            if (strcmp(o->sources[j], id) == 0)
                return kiln_error_set(KILN_EINVAL, "writer: source %s named "
                                      "twice", id);
    }
    return 0;
}

static int take_v2(kiln_writer *w, const kiln_writer_opts *o)
{
    w->resolution = o->resolution;
    w->level = o->level;
    if (!o->nsources)
        return 0;
    if (!(w->sources = calloc(o->nsources, sizeof *w->sources)))
        return kiln_error_set(KILN_ENOMEM, "writer: out of memory");
    w->nsources = o->nsources;
    for (size_t i = 0; i < o->nsources; i++)
        if (!(w->sources[i] = strdup(o->sources[i])))
            return kiln_error_set(KILN_ENOMEM, "writer: out of memory");
    return 0;
}

int kiln_writer_new(kiln_writer **out, const kiln_writer_opts *opts)
{
    kiln_writer_opts def = KILN_WRITER_OPTS_INIT;
    kiln_writer *w = NULL;
    int rc;

    *out = NULL;
    if (!opts)
        opts = &def;
    rc = opts_version_check("writer options", opts->version,
                            1,
                            KILN_WRITER_OPTS_VERSION);
    if (rc < 0)
        return rc;
    const char *tenant = opts->tenant ? opts->tenant : "default";
    if (!kiln_tenant_valid(tenant))
        return kiln_error_set(KILN_EINVAL,
                              "writer: tenant \"%.80s\" is not 1-64 of "
                              "[A-Za-z0-9_.-]",
                              tenant);
    const char *tk = opts->trace_key ? opts->trace_key : "trace_id";
    const char *sk = opts->span_key ? opts->span_key : "span_id";
    if (!tk[0] || !sk[0] || strcmp(tk, sk) == 0)
        return kiln_error_set(KILN_EINVAL,
                              "writer: trace and span keys must be non-empty "
                              "and differ");
    if (opts->page_rows > KILN_MAX_PAGE_ROWS)
        return kiln_error_set(KILN_EINVAL, "writer: page_rows %u over the "
                              "format's limit %u", opts->page_rows,
                              KILN_MAX_PAGE_ROWS);
    if (opts->zstd_level < -7 || opts->zstd_level > 22)
        return kiln_error_set(KILN_EINVAL, "writer: zstd level %d not in "
                              "-7..22", opts->zstd_level);

    if (opts->version >= 2 && (rc = check_v2(opts)) < 0)
        return rc;

    w = calloc(1, sizeof *w);
    if (!w)
        return kiln_error_set(KILN_ENOMEM, "writer: out of memory");
    strcpy(w->tenant, tenant);
    if (opts->version >= 2 && (rc = take_v2(w, opts)) < 0)
        goto out;
    w->trace_key = strdup(tk);
    w->span_key = strdup(sk);
    if (!w->trace_key || !w->span_key) {
        rc = kiln_error_set(KILN_ENOMEM, "writer: out of memory");
        goto out;
    }
    w->trace_key_len = strlen(tk);
    w->span_key_len = strlen(sk);
    w->page_rows = opts->page_rows ? opts->page_rows : DEFAULT_PAGE_ROWS;
    w->zstd_level = opts->zstd_level ? opts->zstd_level : DEFAULT_ZSTD_LEVEL;
    if ((rc = wr_reset(w)) < 0)
        goto out;
    *out = w;
    w = NULL;
    rc = 0;
out:
    kiln_writer_free(w);
    return api_return(rc);
}

void kiln_writer_free(kiln_writer *w)
{
    if (!w)
        return;
    block_free(w);
    free(w->trace_key);
    free(w->span_key);
    for (size_t i = 0; i < w->nsources; i++)
        free(w->sources[i]);
    free(w->sources);
    kiln_buf_free(&w->inflated);
    pprof_doc_free(&w->pdoc);
    tabmap_free(&w->pmap);
    free(w->path);
    zctx_free(&w->zstd);
    free(w->merge);
    for (size_t i = 0; i < sizeof w->scratch / sizeof w->scratch[0]; i++)
        free(w->scratch[i]);
    free(w);
}

static size_t htab_bytes(const kiln_htab *h)
{
    return h->cap * (sizeof(uint64_t) + sizeof(uint32_t));
}

static size_t strtab_bytes(const kiln_strtab *t)
{
    return t->pool.cap + t->cap * (sizeof(uint64_t) + sizeof(uint32_t)) +
           htab_bytes(&t->index);
}

void kiln_writer_stats_get(const kiln_writer *w, kiln_writer_stats *out)
{
    memset(out, 0, sizeof *out);
    out->version = KILN_WRITER_STATS_VERSION;
    out->profiles = w->nprof;
    out->rows = w->nrows;
    out->series = w->ser.nseries;
    out->stacks = w->stacks.n;
    out->bad_links = w->bad_links;
    out->tmin = w->tmin;
    out->tmax = w->tmax;

    const kiln_symtab *s = &w->sym;
    size_t m = strtab_bytes(&s->strings);
    m += s->capmappings * sizeof *s->mappings;
    m += s->capfunctions * sizeof *s->functions;
    m += s->caplines * sizeof *s->lines;
    m += s->caplocations * sizeof *s->locations;
    m += s->caplabels * sizeof *s->labels;
    m += s->caplsets * sizeof *s->lsets;
    m += htab_bytes(&s->mapping_index) + htab_bytes(&s->function_index) +
         htab_bytes(&s->location_index) + htab_bytes(&s->lset_index);
    m += w->stacks.cap * 2 * sizeof(uint32_t) +
         w->stacks.idxcap * sizeof *w->stacks.idx;
    m += strtab_bytes(&w->ser.strings);
    m += w->ser.capkinds * sizeof *w->ser.kinds;
    m += w->ser.capseries * sizeof *w->ser.series;
    m += w->ser.caplabs * sizeof(uint32_t);
    m += htab_bytes(&w->ser.kind_index) + htab_bytes(&w->ser.series_index);
    m += w->links.cap * sizeof *w->links.links + htab_bytes(&w->links.index);
    m += w->capprof * sizeof *w->prof;
    m += w->caprows * 3 * sizeof(uint32_t);
    m += w->capvals * sizeof(int64_t);
    out->mem_bytes = m;
}

/* Scratch is kept between adds for speed, but not without bound: after a
 * large profile it is released, so the writer holds no copy of it. */
void wr_scratch_trim(kiln_writer *w)
{
    if (w->inflated.cap > SCRATCH_KEEP)
        kiln_buf_free(&w->inflated);
    pprof_doc_trim(&w->pdoc, SCRATCH_KEEP);
    if (tabmap_bytes(&w->pmap) > SCRATCH_KEEP)
        tabmap_free(&w->pmap);
    if (w->mergecap * sizeof(uint32_t) > SCRATCH_KEEP) {
        free(w->merge);
        w->merge = NULL;
        w->mergecap = 0;
    }
    for (size_t i = 0; i < sizeof w->scratch / sizeof w->scratch[0]; i++)
        if (w->scratchcap[i] > SCRATCH_KEEP) {
            free(w->scratch[i]);
            w->scratch[i] = NULL;
            w->scratchcap[i] = 0;
        }
}

int kiln_writer_finish(kiln_writer *w, kiln_buf *block, char id[27])
{
    int rc = wr_encode(w, block, id);
    if (rc < 0)
        return rc;
    wr_scratch_trim(w);
    return api_return(wr_reset(w));
}

/* Encode the block and name its key: the one place a block's key is
 * built. Does not reset the writer. */
static int encode_keyed(kiln_writer *w, kiln_buf *block,
                        char key[KILN_KEY_MAX])
{
    char id[27];
    int64_t tmin = w->tmin, tmax = w->tmax;
    int rc;

    key[0] = '\0';
    if ((rc = wr_encode(w, block, id)) < 0 ||
        (rc = block_key(key, KILN_KEY_MAX, w->tenant, id, tmin, tmax)) < 0)
        key[0] = '\0';
    return rc;
}

int kiln_writer_finish_key(kiln_writer *w, kiln_buf *block,
                           char key[KILN_KEY_MAX])
{
    int rc = encode_keyed(w, block, key);
    if (rc < 0)
        return rc;
    wr_scratch_trim(w);
    return api_return(wr_reset(w));
}

int kiln_writer_flush(kiln_writer *w, kiln_store *st, char key[KILN_KEY_MAX])
{
    kiln_buf block = KILN_BUF_INIT;
    int rc;

    if ((rc = encode_keyed(w, &block, key)) < 0)
        goto out;
    rc = kiln_store_put_if_absent(st, key, block.data, block.len);
    if (rc == KILN_EEXIST) {
        /* Same content gives the same id: the block is already stored. */
        kiln_error_clear();
        rc = 0;
    }
    if (rc < 0) {
        /* Keep the block under construction so the caller can retry. */
        kiln_error_wrap(rc, "writer: storing %s: ", key);
        key[0] = '\0';
        goto out;
    }
    wr_scratch_trim(w);
    rc = wr_reset(w);
out:
    kiln_buf_free(&block);
    return api_return(rc);
}
