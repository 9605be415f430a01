/* rutil.c: helpers of the reader tests: temporary stores, corpus files and
 * per-stack sums of pprof profiles by frame content, written apart from the
 * reader so that a round trip is checked by independent code. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "format_internal.h"
#include "file_list.h"
#include "rutil.h"
#include "tmp_store.h"

void ru_store_open(ru_store *s)
{
    char dir[512];

    s->st = tmp_store_open(dir, sizeof dir, "reader");
    s->dir = strdup(dir);
    cr_assert(s->dir != NULL);
}

void ru_store_close(ru_store *s)
{
    if (s->dir) {
        tmp_store_close(s->st, s->dir);
        free(s->dir);
        s->dir = NULL;
    } else {
        kiln_store_free(s->st);
    }
    s->st = NULL;
}

uint8_t *ru_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    size_t n = 0, cap = 0;

    if (!f)
        return NULL;
    for (;;) {
        if (n == cap) {
            cap = cap ? cap * 2 : 65536;
            buf = realloc(buf, cap);
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    fclose(f);
    *len = n;
    return buf;
}

char **ru_corpus_files(size_t *n)
{
    const char *root = getenv("KILN_CORPUS");
    char dir[4096];

    cr_assert(root != NULL, "KILN_CORPUS is not set");
    snprintf(dir, sizeof dir, "%s/pprof", root);
    char **v = kt_list_dir(dir, n);
    cr_assert(v != NULL, "cannot open %s", dir);
    return v;
}

void ru_free_list(char **v, size_t n)
{
    kt_free_list(v, n);
}

Perftools__Profiles__Profile *ru_unpack(const uint8_t *data, size_t len)
{
    kiln_buf raw = KILN_BUF_INIT;
    Perftools__Profiles__Profile *p;

    if (is_gzip(data, len)) {
        if (gzip_inflate(data, len, KILN_MAX_INFLATE, &raw) < 0) {
            kiln_buf_free(&raw);
            return NULL;
        }
        p = perftools__profiles__profile__unpack(NULL, raw.len, raw.data);
    } else {
        p = perftools__profiles__profile__unpack(NULL, len, data);
    }
    kiln_buf_free(&raw);
    return p;
}

/* ---- sums ---- */

typedef struct idx {
    uint64_t id;
    size_t i;
} idx;

static int cmp_idx(const void *a, const void *b)
{
    const idx *x = a, *y = b;
    return x->id < y->id ? -1 : x->id > y->id;
}

static const idx *find_idx(const idx *v, size_t n, uint64_t id)
{
    idx k = {id, 0};
    return bsearch(&k, v, n, sizeof *v, cmp_idx);
}

typedef struct kb {
    char *p;
    size_t n, cap;
} kb;

static void kb_put(kb *b, const void *p, size_t n)
{
    if (n == 0)
        return;
    if (b->n + n + 1 > b->cap) {
        b->cap = (b->n + n + 1) * 2;
        b->p = realloc(b->p, b->cap);
    }
    memcpy(b->p + b->n, p, n);
    b->n += n;
}

static void kb_printf(kb *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void kb_printf(kb *b, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    kb_put(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

static void kb_str(kb *b, const Perftools__Profiles__Profile *p, int64_t i)
{
    if (i < 0 || (size_t)i >= p->n_string_table) {
        kb_printf(b, "<bad %lld>", (long long)i);
        return;
    }
    kb_printf(b, "%zu:", p->string_table[i].len);
    kb_put(b, p->string_table[i].data, p->string_table[i].len);
}

typedef struct lab {
    char *s;
    size_t n;
} lab;

static int cmp_lab(const void *a, const void *b)
{
    const lab *x = a, *y = b;
    size_t n = x->n < y->n ? x->n : y->n;
    int c = memcmp(x->s, y->s, n);
    return c ? c : (x->n < y->n ? -1 : x->n > y->n);
}

static int cmp_row(const void *a, const void *b)
{
    const ru_row *x = a, *y = b;
    size_t n = x->klen < y->klen ? x->klen : y->klen;
    int c = memcmp(x->key, y->key, n);
    return c ? c : (x->klen < y->klen ? -1 : x->klen > y->klen);
}

static bool str_eq(const Perftools__Profiles__Profile *p, int64_t i,
                   const char *s)
{
    size_t n = strlen(s);
    return i >= 0 && (size_t)i < p->n_string_table &&
           p->string_table[i].len == n &&
           memcmp(p->string_table[i].data, s, n) == 0;
}

void ru_sums_pprof(ru_sums *s, const Perftools__Profiles__Profile *p,
                   bool labels)
{
    idx *li = malloc((p->n_location + 1) * sizeof *li);
    idx *fi = malloc((p->n_function + 1) * sizeof *fi);
    idx *mi = malloc((p->n_mapping + 1) * sizeof *mi);
    kb b = {NULL, 0, 0};

    memset(s, 0, sizeof *s);
    s->ntypes = p->n_sample_type;
    for (size_t i = 0; i < p->n_location; i++)
        li[i] = (idx){p->location[i]->id, i};
    for (size_t i = 0; i < p->n_function; i++)
        fi[i] = (idx){p->function[i]->id, i};
    for (size_t i = 0; i < p->n_mapping; i++)
        mi[i] = (idx){p->mapping[i]->id, i};
    qsort(li, p->n_location, sizeof *li, cmp_idx);
    qsort(fi, p->n_function, sizeof *fi, cmp_idx);
    qsort(mi, p->n_mapping, sizeof *mi, cmp_idx);

    for (size_t si = 0; si < p->n_sample; si++) {
        const Perftools__Profiles__Sample *sm = p->sample[si];
        b.n = 0;
        for (size_t k = 0; k < sm->n_location_id; k++) {
            const idx *x = find_idx(li, p->n_location, sm->location_id[k]);
            if (!x) {
                kb_printf(&b, "[missing loc]");
                continue;
            }
            const Perftools__Profiles__Location *l = p->location[x->i];
            kb_printf(&b, "[%llx f%d ", (unsigned long long)l->address,
                      (int)l->is_folded);
            const idx *mx = l->mapping_id ?
                find_idx(mi, p->n_mapping, l->mapping_id) : NULL;
            if (mx) {
                const Perftools__Profiles__Mapping *m = p->mapping[mx->i];
                kb_printf(&b, "m%llx-%llx+%llx %d%d%d%d ",
                          (unsigned long long)m->memory_start,
                          (unsigned long long)m->memory_limit,
                          (unsigned long long)m->file_offset,
                          m->has_functions, m->has_filenames,
                          m->has_line_numbers, m->has_inline_frames);
                kb_str(&b, p, m->filename);
                kb_str(&b, p, m->build_id);
            } else {
                kb_printf(&b, "m- ");
            }
            for (size_t j = 0; j < l->n_line; j++) {
                const Perftools__Profiles__Line *ln = l->line[j];
                const idx *fx = find_idx(fi, p->n_function, ln->function_id);
                kb_printf(&b, " (l%lld c%lld ", (long long)ln->line,
                          (long long)ln->column);
                if (fx) {
                    const Perftools__Profiles__Function *f =
                        p->function[fx->i];
                    kb_str(&b, p, f->name);
                    kb_str(&b, p, f->system_name);
                    kb_str(&b, p, f->filename);
                    kb_printf(&b, "s%lld", (long long)f->start_line);
                } else {
                    kb_printf(&b, "?");
                }
                kb_printf(&b, ")");
            }
            kb_printf(&b, "]");
        }
        if (labels && sm->n_label) {
            lab *ls = calloc(sm->n_label, sizeof *ls);
            for (size_t k = 0; k < sm->n_label; k++) {
                const Perftools__Profiles__Label *lb = sm->label[k];
                kb t = {NULL, 0, 0};
                bool link = str_eq(p, lb->key, "trace_id") ||
                            str_eq(p, lb->key, "span_id");
                kb_str(&t, p, lb->key);
                if (lb->str) {
                    size_t at = t.n;
                    kb_str(&t, p, lb->str);
                    for (size_t c = at; link && c < t.n; c++)
                        if (t.p[c] >= 'A' && t.p[c] <= 'F')
                            t.p[c] = (char)(t.p[c] - 'A' + 'a');
                } else {
                    kb_printf(&t, "=%lld", (long long)lb->num);
                    kb_str(&t, p, lb->num_unit);
                }
                ls[k].s = t.p;
                ls[k].n = t.n;
            }
            qsort(ls, sm->n_label, sizeof *ls, cmp_lab);
            kb_printf(&b, " {");
            for (size_t k = 0; k < sm->n_label; k++) {
                kb_put(&b, ls[k].s, ls[k].n);
                kb_printf(&b, ",");
                free(ls[k].s);
            }
            kb_printf(&b, "}");
            free(ls);
        }
        if (s->n == s->cap) {
            s->cap = s->cap ? s->cap * 2 : 256;
            s->rows = realloc(s->rows, s->cap * sizeof *s->rows);
        }
        ru_row *r = &s->rows[s->n++];
        r->key = malloc(b.n + 1);
        if (b.n)
            memcpy(r->key, b.p, b.n);
        r->klen = b.n;
        r->v = calloc(s->ntypes + 1, sizeof *r->v);
        for (size_t t = 0; t < s->ntypes && t < sm->n_value; t++)
            r->v[t] = sm->value[t];
    }
    free(b.p);
    free(li);
    free(fi);
    free(mi);

    /* Sort, merge equal keys, drop all-zero rows. */
    qsort(s->rows, s->n, sizeof *s->rows, cmp_row);
    size_t w = 0;
    for (size_t i = 0; i < s->n;) {
        size_t j = i + 1;
        while (j < s->n && cmp_row(&s->rows[i], &s->rows[j]) == 0) {
            for (size_t t = 0; t < s->ntypes; t++)
                s->rows[i].v[t] += s->rows[j].v[t];
            free(s->rows[j].key);
            free(s->rows[j].v);
            j++;
        }
        bool zero = true;
        for (size_t t = 0; t < s->ntypes; t++)
            zero = zero && s->rows[i].v[t] == 0;
        if (zero) {
            free(s->rows[i].key);
            free(s->rows[i].v);
        } else {
            s->rows[w++] = s->rows[i];
        }
        i = j;
    }
    s->n = w;
}

void ru_sums_free(ru_sums *s)
{
    for (size_t i = 0; i < s->n; i++) {
        free(s->rows[i].key);
        free(s->rows[i].v);
    }
    free(s->rows);
    memset(s, 0, sizeof *s);
}

const char *ru_sums_diff(const ru_sums *a, const ru_sums *b)
{
    static char msg[1024];

    if (a->ntypes != b->ntypes) {
        snprintf(msg, sizeof msg, "%zu types vs %zu", a->ntypes, b->ntypes);
        return msg;
    }
    size_t n = a->n < b->n ? a->n : b->n;
    for (size_t i = 0; i < n; i++) {
        if (cmp_row(&a->rows[i], &b->rows[i]) != 0) {
            snprintf(msg, sizeof msg, "stack %zu differs: %.*s VS %.*s", i,
                     (int)(a->rows[i].klen < 400 ? a->rows[i].klen : 400),
                     a->rows[i].key,
                     (int)(b->rows[i].klen < 400 ? b->rows[i].klen : 400),
                     b->rows[i].key);
            return msg;
        }
        for (size_t t = 0; t < a->ntypes; t++) {
            if (a->rows[i].v[t] != b->rows[i].v[t]) {
                snprintf(msg, sizeof msg, "stack %zu type %zu: %lld vs %lld",
                         i, t, (long long)a->rows[i].v[t],
                         (long long)b->rows[i].v[t]);
                return msg;
            }
        }
    }
    if (a->n != b->n) {
        snprintf(msg, sizeof msg, "%zu stacks vs %zu", a->n, b->n);
        return msg;
    }
    return NULL;
}

kiln_result *ru_query(kiln_store *st, const char *tenant, int64_t from,
                      int64_t to, const char *selector, const char *type,
                      int keep_labels)
{
    kiln_query_opts o = KILN_QUERY_OPTS_INIT;
    kiln_result *r = NULL;

    o.from = from;
    o.to = to;
    o.selector = selector;
    o.type = type;
    o.keep_labels = keep_labels;
    int rc = kiln_query(&r, st, tenant, &o);
    cr_assert(rc == 0, "query failed (%d): %s", rc, kiln_error_last());
    return r;
}

void ru_frames_set(ru_frames *f, size_t n, int64_t name0,
                   Perftools__Profiles__Profile *p)
{
    cr_assert(n <= RU_FRAMES_MAX);
    for (size_t i = 0; i < n; i++) {
        perftools__profiles__function__init(&f->fn[i]);
        f->fn[i].id = (uint64_t)i + 1;
        f->fn[i].name = name0 + (int64_t)i;
        f->fnp[i] = &f->fn[i];
        perftools__profiles__line__init(&f->line[i]);
        f->line[i].function_id = (uint64_t)i + 1;
        f->linep[i] = &f->line[i];
        perftools__profiles__location__init(&f->loc[i]);
        f->loc[i].id = (uint64_t)i + 1;
        f->loc[i].n_line = 1;
        f->loc[i].line = &f->linep[i];
        f->locp[i] = &f->loc[i];
    }
    p->n_function = n;
    p->function = f->fnp;
    p->n_location = n;
    p->location = f->locp;
}

void ru_add_profile(kiln_writer *w, const Perftools__Profiles__Profile *p,
                    const kiln_label *el, size_t nel)
{
    size_t len = perftools__profiles__profile__get_packed_size(p);
    uint8_t *buf = malloc(len ? len : 1);
    cr_assert(buf != NULL);
    perftools__profiles__profile__pack(p, buf);
    int rc = kiln_writer_add_pprof(w, buf, len, el, nel);
    cr_assert(rc == 0, "%s", kiln_error_last());
    free(buf);
}

/* Trace t of block k: bytes k, t, then a fixed tail; span s: t, s. */
void ru_trace_hex(char out[33], unsigned k, unsigned t)
{
    snprintf(out, 33, "%02x%02x%04x0000000000000000000000ab", k & 255u,
             t & 255u, (t >> 8) & 0xffffu);
}
void ru_span_hex(char out[17], unsigned t, unsigned s)
{
    snprintf(out, 17, "%02x%02x0000000000cd", t & 255u, s & 255u);
}

/* A profile of `ntraces` traces x 3 spans; sample (t, s) has stack
 * main;work<t%3>;leaf<s> and cpu value 10*(t+1) + s; plus one untraced
 * sample. time = base + k seconds. */
void ru_add_traced(kiln_writer *w, unsigned k, unsigned ntraces)
{
    Perftools__Profiles__Profile p = PERFTOOLS__PROFILES__PROFILE__INIT;
    static const char *strs[] = {"", "samples", "count", "cpu", "nanoseconds",
                                 "main", "work0", "work1", "work2", "leaf0",
                                 "leaf1", "leaf2", "trace_id", "span_id"};
    enum { S_N = 14 };
    char (*hexes)[33] = malloc((size_t)2 * 3 * (ntraces + 1) * 33);
    size_t nstr = S_N;
    ProtobufCBinaryData *st = malloc((S_N + (size_t)2 * 3 * (ntraces + 1)) *
                                     sizeof *st);
    cr_assert(hexes && st);
    for (size_t i = 0; i < S_N; i++) {
        st[i].data = (uint8_t *)strs[i];
        st[i].len = strlen(strs[i]);
    }
    Perftools__Profiles__ValueType vt[2];
    Perftools__Profiles__ValueType *vtp[2] = {&vt[0], &vt[1]};
    perftools__profiles__value_type__init(&vt[0]);
    perftools__profiles__value_type__init(&vt[1]);
    vt[0].type = 1; vt[0].unit = 2; vt[1].type = 3; vt[1].unit = 4;
    p.n_sample_type = 2;
    p.sample_type = vtp;
    /* Functions 1..7 = strings 5..11, one location each. */
    ru_frames frames;
    ru_frames_set(&frames, 7, 5, &p);
    size_t ns = (size_t)ntraces * 3 + 1;
    Perftools__Profiles__Sample *smp = calloc(ns, sizeof *smp);
    Perftools__Profiles__Sample **smpp = calloc(ns, sizeof *smpp);
    Perftools__Profiles__Label *lab = calloc(2 * ns, sizeof *lab);
    Perftools__Profiles__Label **labp = calloc(2 * ns, sizeof *labp);
    uint64_t *locs = calloc(3 * ns, sizeof *locs);
    int64_t *vals = calloc(2 * ns, sizeof *vals);
    cr_assert(smp && smpp && lab && labp && locs && vals);
    for (size_t i = 0; i < ns; i++) {
        perftools__profiles__sample__init(&smp[i]);
        smpp[i] = &smp[i];
        unsigned t = (unsigned)(i / 3), s = (unsigned)(i % 3);
        /* leaf first */
        locs[3 * i] = 5 + s;                 /* leaf<s> */
        locs[3 * i + 1] = 2 + (t % 3);       /* work<t%3> */
        locs[3 * i + 2] = 1;                 /* main */
        smp[i].n_location_id = 3;
        smp[i].location_id = &locs[3 * i];
        vals[2 * i] = 1;
        vals[2 * i + 1] = 10 * (int64_t)(t + 1) + s;
        smp[i].n_value = 2;
        smp[i].value = &vals[2 * i];
        if (i + 1 == ns) /* the untraced one */
            continue;
        ru_trace_hex(hexes[nstr - S_N], k, t);
        st[nstr].data = (uint8_t *)hexes[nstr - S_N];
        st[nstr].len = 32;
        nstr++;
        ru_span_hex(hexes[nstr - S_N], t, s);
        st[nstr].data = (uint8_t *)hexes[nstr - S_N];
        st[nstr].len = 16;
        nstr++;
        for (int j = 0; j < 2; j++) {
            perftools__profiles__label__init(&lab[2 * i + j]);
            lab[2 * i + j].key = 12 + j;
            lab[2 * i + j].str = (int64_t)nstr - 2 + j;
            labp[2 * i + j] = &lab[2 * i + j];
        }
        smp[i].n_label = 2;
        smp[i].label = &labp[2 * i];
    }
    p.n_sample = ns;
    p.sample = smpp;
    p.n_string_table = nstr;
    p.string_table = st;
    p.time_nanos = 1700000000000000000 + (int64_t)k * 1000000000;
    p.duration_nanos = 1000000000;
    p.period = 10000000;
    kiln_label el[] = {{"service_name", k % 2 ? "odd" : "even"}};
    ru_add_profile(w, &p, el, 1);
    free(smp);
    free(smpp);
    free(lab);
    free(labp);
    free(locs);
    free(vals);
    free(hexes);
    free(st);
}
