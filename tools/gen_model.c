/* gen_model.c: the model of one generated service (strings, binaries,
 * functions, locations, weighted stack templates) and the PRNG every part of
 * `kiln gen` draws from; shared by the Go composer (gen.c) and the other
 * runtimes' (gen_mix.c), so both write profiles through one path. */
#include "gen_model.h"
#include "cli_util.h"

#include <assert.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uint64_t gen_mix64(uint64_t z)
{
    z ^= z >> 30;
    z *= 0xbf58476d1ce4e5b9ULL;
    z ^= z >> 27;
    z *= 0x94d049bb133111ebULL;
    z ^= z >> 31;
    return z;
}

rng rng_for(uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
    rng r = {gen_mix64(a ^ gen_mix64(b ^ gen_mix64(c ^ gen_mix64(d + 0x632be59bd9b4e019ULL))))};
    return r;
}

uint64_t rng_next(rng *r)
{
    r->s += 0x9e3779b97f4a7c15ULL;
    return gen_mix64(r->s);
}

double rng_unit(rng *r)
{
    return (double)(rng_next(r) >> 11) * 0x1p-53;
}

uint32_t rng_below(rng *r, uint32_t n)
{
    return n ? (uint32_t)(rng_next(r) % n) : 0;
}

double rng_gauss(rng *r)
{
    double u1 = rng_unit(r), u2 = rng_unit(r);
    return sqrt(-2.0 * log(1.0 - u1)) * cos(6.283185307179586 * u2);
}

uint64_t hash_str(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 0x100000001b3ULL;
    return gen_mix64(h);
}

void sfmt(char *dst, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(dst, cap, fmt, ap);
    va_end(ap);
}

void gen_oom(void)
{
    fprintf(stderr, "kiln gen: out of memory\n");
    exit(CLI_EXIT_IO);
}

/* ---- strings ---- */

uint32_t intern(gsvc *m, const char *s)
{
    if (m->nstr * 2 >= m->nstrslot) {
        size_t ns = m->nstrslot ? m->nstrslot * 2 : 1024;
        uint32_t *slots = calloc(ns, sizeof *slots);
        if (slots == NULL)
            gen_oom();
        for (size_t i = 0; i < m->nstr; i++) {
            size_t j = hash_str(m->str[i]) & (ns - 1);
            while (slots[j])
                j = (j + 1) & (ns - 1);
            slots[j] = (uint32_t)i + 1;
        }
        free(m->strslot);
        m->strslot = slots;
        m->nstrslot = ns;
    }
    size_t j = hash_str(s) & (m->nstrslot - 1);
    while (m->strslot[j]) {
        if (strcmp(m->str[m->strslot[j] - 1], s) == 0)
            return m->strslot[j] - 1;
        j = (j + 1) & (m->nstrslot - 1);
    }
    GROW(m->str, m->nstr, m->capstr);
    m->str[m->nstr] = strdup(s);
    if (m->str[m->nstr] == NULL)
        gen_oom();
    m->strslot[j] = (uint32_t)++m->nstr;
    return (uint32_t)m->nstr - 1;
}

void model_init(gsvc *m, rng *r, const char *name)
{
    memset(m, 0, sizeof *m);
    snprintf(m->name, sizeof m->name, "%s", name);
    size_t o = 0;
    for (const char *p = m->name; *p; p++)
        if (*p != '-')
            m->svcid[o++] = *p;
    m->svcid[o] = '\0';
    camel(m->name, m->Svc, sizeof m->Svc);
    m->cpu_base = 0.35 + 0.6 * rng_unit(r);
    m->phase_day = 6.283185307179586 * rng_unit(r);
    m->phase_hour = 6.283185307179586 * rng_unit(r);
    intern(m, "");
    m->s_fixed[0] = intern(m, "samples");
    m->s_fixed[1] = intern(m, "count");
    m->s_fixed[2] = intern(m, "cpu");
    m->s_fixed[3] = intern(m, "nanoseconds");
    m->s_trace = intern(m, "trace_id");
    m->s_span = intern(m, "span_id");
}

void model_free(gsvc *m)
{
    for (size_t i = 0; i < m->nstr; i++)
        free(m->str[i]);
    free(m->str);
    free(m->strslot);
    free(m->fn_of_str);
    free(m->fn);
    free(m->loc);
    free(m->locslot);
    free(m->lockey);
    free(m->lfn);
    free(m->lline);
    free(m->t);
    free(m->tloc);
}

/* ---- binaries ---- */

uint8_t model_map(gsvc *m, char letter, const char *file, uint64_t size,
                  uint64_t fileoff, int place, int debug, const char *buildid)
{
    assert(m->nmap < GEN_MAX_MAPS);
    gmap *g = &m->map[m->nmap];
    g->file = intern(m, file);
    g->size = size;
    g->fileoff = fileoff;
    g->place = (uint8_t)place;
    g->debug = (uint8_t)debug;
    char bid[48] = "";
    if (buildid) {
        snprintf(bid, sizeof bid, "%s", buildid);
    } else if (place != PLACE_VDSO) {
        uint64_t h = hash_str(file);
        for (int i = 0; i < 5; i++) {
            h = gen_mix64(h + (uint64_t)i);
            snprintf(bid + 8 * i, 9, "%08x", (unsigned)(h >> 32));
        }
    }
    g->buildid = intern(m, bid);
    if (letter)
        m->map_of[(unsigned char)letter & 127] = (uint8_t)(m->nmap + 1);
    return (uint8_t)m->nmap++;
}

uint8_t model_map_of(const gsvc *m, char letter)
{
    uint8_t k = m->map_of[(unsigned char)letter & 127];
    assert(k != 0 && "unknown library letter");
    return (uint8_t)(k - 1);
}

/* ---- functions ---- */

/* Keep fn_of_str as long as the string table, new entries zero. */
static void fos_fit(gsvc *m)
{
    if (m->capfos >= m->nstr)
        return;
    size_t nc = m->capfos ? m->capfos * 2 : 1024;
    while (nc < m->nstr)
        nc *= 2;
    uint32_t *p = realloc(m->fn_of_str, nc * sizeof *p);
    if (p == NULL)
        gen_oom();
    memset(p + m->capfos, 0, (nc - m->capfos) * sizeof *p);
    m->fn_of_str = p;
    m->capfos = nc;
}

uint32_t model_fn_add(gsvc *m, const char *name, const char *sysname,
                      const char *file, int32_t start, uint8_t map, int lines)
{
    uint32_t sid = intern(m, name);
    fos_fit(m);
    if (m->fn_of_str[sid] != 0)
        return m->fn_of_str[sid] - 1;
    gfn f = {sid, sid, 0, start, map, (uint8_t)lines, 0};
    if (sysname)
        f.sysname = intern(m, sysname);
    if (file)
        f.file = intern(m, file);
    uint64_t h = hash_str(name);
    if (map != GEN_NOMAP) {
        const gmap *g = &m->map[map];
        if (g->place == PLACE_EXE_FIXED || g->place == PLACE_EXE_PIE)
            f.off = (uint32_t)((0x1000 + (gen_mix64(h ^ hash_str(m->name)) %
                                           (g->size - 0x2000))) & ~0xfULL);
        else
            f.off = (uint32_t)((h % (g->size - 0x800)) & ~0xfULL);
    }
    GROW(m->fn, m->nfn, m->capfn);
    m->fn[m->nfn] = f;
    fos_fit(m);
    m->fn_of_str[sid] = (uint32_t)++m->nfn;
    return (uint32_t)m->nfn - 1;
}

/* ---- locations ---- */

static uint64_t loc_hash(const uint32_t *fns, const int32_t *lines, size_t n,
                         uint64_t salt)
{
    uint64_t h = 0x51ed270b7d2c5a39ULL ^ salt;
    for (size_t i = 0; i < n; i++)
        h = gen_mix64(h ^ ((uint64_t)fns[i] << 32 | (uint32_t)lines[i]));
    return h;
}

static void locslot_grow(gsvc *m)
{
    size_t ns = m->nlocslot ? m->nlocslot * 2 : 1024;
    uint32_t *slots = calloc(ns, sizeof *slots);
    if (slots == NULL)
        gen_oom();
    for (size_t i = 0; i < m->nloc; i++) {
        const gloc *l = &m->loc[i];
        size_t j = loc_hash(m->lfn + l->line0, m->lline + l->line0,
                            l->nlines, m->lockey[i]) & (ns - 1);
        while (slots[j])
            j = (j + 1) & (ns - 1);
        slots[j] = (uint32_t)i + 1;
    }
    free(m->locslot);
    m->locslot = slots;
    m->nlocslot = ns;
}

uint32_t model_loc(gsvc *m, const uint32_t *fns, const int32_t *lines,
                   size_t n, uint64_t salt, uint8_t map)
{
    if (m->nloc * 2 >= m->nlocslot)
        locslot_grow(m);
    uint64_t h = loc_hash(fns, lines, n, salt);
    size_t j = h & (m->nlocslot - 1);
    while (m->locslot[j]) {
        uint32_t k = m->locslot[j] - 1;
        const gloc *l = &m->loc[k];
        if (l->nlines == n && m->lockey[k] == salt &&
            memcmp(m->lfn + l->line0, fns, n * sizeof *fns) == 0 &&
            memcmp(m->lline + l->line0, lines, n * sizeof *lines) == 0)
            return k;
        j = (j + 1) & (m->nlocslot - 1);
    }
    gloc l = {(uint32_t)m->nline, (uint32_t)n, 0, 0};
    for (size_t i = 0; i < n; i++) {
        GROW(m->lfn, m->nline, m->capline);
        GROW(m->lline, m->nline, m->capline2);
        m->lfn[m->nline] = fns[i];
        m->lline[m->nline] = lines[i];
        m->nline++;
    }
    if (salt != 0) {
        l.map = map;
        if (map != GEN_NOMAP)
            l.off = (uint32_t)((gen_mix64(salt) % (m->map[map].size - 0x10)) | 1);
    } else {
        /* The PC lies in the outermost function (the last line). */
        const gfn *outer = &m->fn[fns[n - 1]];
        l.map = outer->map;
        if (l.map != GEN_NOMAP)
            l.off = outer->off + (uint32_t)((h % 0x600) & ~3ULL) + 5;
    }
    GROW(m->loc, m->nloc, m->caploc);
    GROW(m->lockey, m->nloc, m->caplockey);
    m->loc[m->nloc] = l;
    m->lockey[m->nloc] = salt;
    m->locslot[j] = (uint32_t)++m->nloc;
    return (uint32_t)m->nloc - 1;
}

/* ---- stacks and templates ---- */

void stack_push(gstack *st, uint32_t fn, int inl, uint8_t map, uint64_t salt)
{
    if (st->n >= MAX_FRAMES)
        return;
    gframe *f = &st->f[st->n];
    f->fn = fn;
    f->inl = inl && st->n > 0;
    f->map = map;
    f->salt = salt;
    st->n++;
}

static int32_t call_line(const gsvc *m, uint32_t fn, uint64_t salt)
{
    const gfn *f = &m->fn[fn];
    switch (f->lines) {
    case LINES_CALL:
        return f->start + 1 +
               (int32_t)(gen_mix64(hash_str(m->str[f->name]) ^ salt) % 70);
    case LINES_FIXED:
        return f->start;
    default:
        return 0;
    }
}

void add_template(gsvc *m, const gstack *st, double w, int32_t ep,
                  int32_t step, unsigned leaf_variant)
{
    uint32_t locs[MAX_FRAMES];
    size_t nl = 0;
    int32_t lines[MAX_FRAMES];
    for (size_t k = 0; k < st->n; k++) {
        uint64_t salt = k + 1 < st->n
                            ? hash_str(m->str[m->fn[st->f[k + 1].fn].name])
                            : 0x1eaf0000ULL + leaf_variant;
        lines[k] = call_line(m, st->f[k].fn, salt);
    }
    for (size_t i = 0; i < st->n;) {
        size_t j = i;
        while (j + 1 < st->n && st->f[j + 1].inl)
            j++;
        uint32_t fns[MAX_FRAMES];
        int32_t ls[MAX_FRAMES];
        size_t n = 0;
        for (size_t k = j + 1; k-- > i;) { /* innermost first */
            fns[n] = st->f[k].fn;
            ls[n] = lines[k];
            n++;
        }
        locs[nl++] = model_loc(m, fns, ls, n, st->f[i].salt, st->f[i].map);
        i = j + 1;
    }
    GROW(m->t, m->nt, m->capt);
    m->t[m->nt] = (gtmpl){(uint32_t)m->ntloc, (uint32_t)nl, w, ep, step};
    m->nt++;
    for (size_t k = nl; k-- > 0;) {
        GROW(m->tloc, m->ntloc, m->captloc);
        m->tloc[m->ntloc++] = locs[k];
    }
}

void chain_each(const char *chain, gen_frame_cb cb, void *ctx)
{
    char buf[32768];
    if (chain == NULL || chain[0] == '\0')
        return;
    snprintf(buf, sizeof buf, "%s", chain);
    char *save = NULL;
    for (char *tok = strtok_r(buf, ";", &save); tok;
         tok = strtok_r(NULL, ";", &save)) {
        int inl = tok[0] == '~';
        cb(ctx, tok + inl, inl);
    }
}

/* ---- small helpers ---- */

size_t count_leaves(const char *const *leaves)
{
    size_t n = 0;
    while (n < 8 && leaves[n])
        n++;
    return n;
}

size_t split_list(const char *list, char out[][48], size_t max)
{
    size_t n = 0;
    const char *p = list;
    while (p && *p && n < max) {
        const char *c = strchr(p, ',');
        size_t l = c ? (size_t)(c - p) : strlen(p);
        snprintf(out[n++], 48, "%.*s", (int)(l < 47 ? l : 47), p);
        p = c ? c + 1 : NULL;
    }
    return n;
}

void camel(const char *s, char *out, size_t cap)
{
    size_t o = 0;
    int up = 1;
    for (; *s && o + 1 < cap; s++) {
        if (*s == '-') {
            up = 1;
            continue;
        }
        out[o++] = up && *s >= 'a' && *s <= 'z' ? (char)(*s - 32) : *s;
        up = 0;
    }
    out[o] = '\0';
}

size_t pick_some(rng *r, size_t *v, size_t n, size_t lo, uint32_t span)
{
    size_t want = lo + rng_below(r, span);
    if (want > n)
        want = n;
    for (size_t s = 0; s < want; s++) { /* partial shuffle */
        size_t j = s + rng_below(r, (uint32_t)(n - s));
        size_t t = v[s];
        v[s] = v[j];
        v[j] = t;
    }
    return want;
}

size_t leaf_shares(rng *r, const char *const *leaves, double share, double *w)
{
    size_t n = count_leaves(leaves);
    double sum = 0;
    zipf(r, w, n, 1.2);
    for (size_t i = 0; i < n; i++)
        sum += w[i];
    for (size_t i = 0; i < n; i++)
        w[i] = share * w[i] / sum;
    return n;
}

void model_share_requests(gsvc *m, double reqw, double bgw)
{
    for (size_t t = 0; t < m->nreq; t++)
        m->t[t].w *= (1.0 - bgw) / reqw;
}

void zipf(rng *r, double *w, size_t n, double s)
{
    uint32_t rank[64];
    assert(n <= 64);
    for (size_t i = 0; i < n; i++)
        rank[i] = (uint32_t)i;
    for (size_t i = n; i > 1; i--) {
        uint32_t j = rng_below(r, (uint32_t)i);
        uint32_t t = rank[i - 1];
        rank[i - 1] = rank[j];
        rank[j] = t;
    }
    for (size_t i = 0; i < n; i++)
        w[i] = 1.0 / pow((double)rank[i] + 1.0, s);
}

/* ---- hosts ---- */

void host_build(ghost *h, const gsvc *m, uint64_t seed, uint32_t si,
                uint32_t hi, const ghost *prev, uint32_t nprev)
{
    static const char alnum[] = "bcdfghjklmnpqrstvwxz2456789";
    rng rs = rng_for(seed, si, 0x4057, 0);
    char rsname[16];
    for (int i = 0; i < 10; i++)
        rsname[i] = alnum[rng_below(&rs, 27)];
    rsname[10] = '\0';
    rng r = rng_for(seed, si, hi, 0x4057);
    for (;;) {
        char pod[6];
        for (int i = 0; i < 5; i++)
            pod[i] = alnum[rng_below(&r, 27)];
        pod[5] = '\0';
        sfmt(h->name, sizeof h->name, "%s-%s-%s", m->name, rsname, pod);
        uint32_t k = 0;
        while (k < nprev && strcmp(prev[k].name, h->name) != 0)
            k++;
        if (k == nprev)
            break;
    }
    h->cpu = 0.7 + 0.6 * rng_unit(&r);
    h->wmul = malloc((m->nt ? m->nt : 1) * sizeof *h->wmul);
    if (h->wmul == NULL)
        gen_oom();
    for (size_t t = 0; t < m->nt; t++)
        h->wmul[t] = (float)exp(0.35 * rng_gauss(&r));
    uint64_t next = 0x7f0000000000ULL + ((uint64_t)rng_below(&r, 0x800000) << 12);
    uint64_t pie = 0x550000000000ULL + ((uint64_t)rng_below(&r, 0x1000000) << 12);
    for (uint32_t k = 0; k < m->nmap; k++) {
        const gmap *g = &m->map[k];
        switch (g->place) {
        case PLACE_EXE_FIXED:
            h->base[k] = 0x401000;
            break;
        case PLACE_EXE_PIE:
            h->base[k] = pie;
            pie += (g->size + 0x1000000) & ~0xfffULL;
            break;
        case PLACE_VDSO:
            h->base[k] = 0x7ffc00000000ULL + ((uint64_t)rng_below(&r, 0x3ffff) << 12);
            break;
        case PLACE_KERNEL:
            h->base[k] = 0xffffffff81000000ULL + ((uint64_t)rng_below(&r, 0x1f0) << 21);
            break;
        default:
            h->base[k] = next;
            next += (g->size + 0x200000 + ((uint64_t)rng_below(&r, 64) << 12)) &
                    ~0xfffULL;
        }
    }
}
