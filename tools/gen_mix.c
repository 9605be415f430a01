/* gen_mix.c: the services of a polyglot `kiln gen --mix` fleet that do not
 * run Go: JVM, Python, Node and native Rust models composed from the
 * frameworks and libraries of gen_mix_vocab.h under code named from each
 * service's own vocabulary, so a fleet's symbols grow with its services. */
#include "gen_mix.h"
#include "gen_mix_vocab.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define POOL 96 /* helper functions of one service's own code */

typedef struct mix_rt {
    const mix_lib *libs;
    size_t nlibs;
    const char *entry;       /* thread root to the framework's dispatch */
    const char *entry_async; /* the same after an await, or NULL */
    const char *invoke;      /* dispatch to the handler */
    const char *proxy;       /* handler to a service method */
    const char *interp;      /* the interpreter itself, on top of app code */
    const mix_chain *respond; /* the response, from the dispatch after the
                               * handler returns or (in_handler) from it */
    int in_handler;
    const mix_chain *chains;
    size_t nchains;
    const mix_bg *bg;
    size_t nbg;
} mix_rt;

static const mix_rt RT[RT_COUNT] = {
    [RT_JVM] = {MIX_JVM_LIBS, N(MIX_JVM_LIBS), MIX_JVM_ENTRY, NULL, MIX_JVM_INVOKE,
                MIX_JVM_PROXY, "=Interpreter", &MIX_JVM_RESPOND, 0, MIX_JVM_CHAINS,
                N(MIX_JVM_CHAINS), MIX_JVM_BG, N(MIX_JVM_BG)},
    [RT_PYTHON] = {MIX_PY_LIBS, N(MIX_PY_LIBS), MIX_PY_ENTRY, NULL, MIX_PY_INVOKE,
                   MIX_PY_PROXY, "!p_PyEval_EvalFrameDefault", &MIX_PY_RESPOND, 0,
                   MIX_PY_CHAINS, N(MIX_PY_CHAINS), MIX_PY_BG, N(MIX_PY_BG)},
    [RT_NODE] = {MIX_NODE_LIBS, N(MIX_NODE_LIBS), MIX_NODE_ENTRY,
                 MIX_NODE_ENTRY_ASYNC, MIX_NODE_INVOKE, MIX_NODE_PROXY,
                 "!nBuiltins_InterpreterEntryTrampoline", &MIX_NODE_RESPOND, 1,
                 MIX_NODE_CHAINS, N(MIX_NODE_CHAINS), MIX_NODE_BG, N(MIX_NODE_BG)},
    [RT_NATIVE] = {MIX_RUST_LIBS, N(MIX_RUST_LIBS), MIX_RUST_ENTRY, NULL,
                   MIX_RUST_INVOKE, MIX_RUST_PROXY, "!e?", &MIX_RUST_RESPOND, 0,
                   MIX_RUST_CHAINS, N(MIX_RUST_CHAINS), MIX_RUST_BG, N(MIX_RUST_BG)},
};

int gen_mix_runtime(uint64_t seed, uint32_t idx)
{
    static const int first[] = {RT_JVM, RT_NODE, RT_GO, RT_PYTHON, RT_NATIVE};
    if (idx < N(first))
        return first[idx];
    rng r = rng_for(seed, idx, 0x2017, 5);
    double u = rng_unit(&r); /* JVM 35 %, Go 30 %, Python 15 %, Node 12 %, native 8 % */
    return u < 0.35 ? RT_JVM : u < 0.65 ? RT_GO : u < 0.80 ? RT_PYTHON
                                       : u < 0.92 ? RT_NODE : RT_NATIVE;
}

/* ---- names ---- */

static void lower_first(const char *s, char *out, size_t cap)
{
    sfmt(out, cap, "%s", s);
    if (out[0] >= 'A' && out[0] <= 'Z')
        out[0] = (char)(out[0] + 32);
}

static void snake(const char *s, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; s[i] && o + 2 < cap; i++) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z') {
            if (i > 0)
                out[o++] = '_';
            c = (char)(c + 32);
        } else if (c == '-') {
            c = '_';
        }
        out[o++] = c;
    }
    out[o] = '\0';
}

static const char *pick(rng *r, const char *const *v, size_t n)
{
    return v[rng_below(r, (uint32_t)n)];
}

/* The words of one service: its nouns, modules and endpoints. */
typedef struct mix_words {
    char id[48];                /* the service as an identifier (no '-') */
    char nouns[16][48];
    size_t nnoun;
    char mods[16][48];
    size_t nmod;
    char eps[16][48];
    size_t nep;
    char pool[POOL][192];       /* helper frames of its own code */
} mix_words;

/* One function of the service's own code, as a frame of runtime rt. */
static void app_frame(const mix_words *w, int rt, rng *r, char *out,
                      size_t cap)
{
    const char *mod = w->mods[rng_below(r, (uint32_t)w->nmod)];
    const char *noun = w->nouns[rng_below(r, (uint32_t)w->nnoun)];
    const char *noun2 = w->nouns[rng_below(r, (uint32_t)w->nnoun)];
    const char *verb = pick(r, MIX_VERBS, N(MIX_VERBS));
    char sn2[64], ln[64];
    snake(noun2, sn2, sizeof sn2);
    lower_first(noun, ln, sizeof ln);
    switch (rt) {
    case RT_JVM:
        sfmt(out, cap, "com/acme/%s/%s/%s%s.%s%s", w->id, mod, noun,
             pick(r, MIX_JVM_SUFFIX, N(MIX_JVM_SUFFIX)), verb, noun2);
        break;
    case RT_PYTHON:
        sfmt(out, cap, "%s_%s@/app/%s/%s/%s.py", verb, sn2, w->id, mod,
             pick(r, MIX_PY_FILE, N(MIX_PY_FILE)));
        break;
    case RT_NODE:
        sfmt(out, cap, "%s%s@/app/src/%s/%s%s.js", verb, noun2, mod, ln,
             pick(r, MIX_NODE_SUFFIX, N(MIX_NODE_SUFFIX)));
        break;
    default:
        sfmt(out, cap, "%s::%s::%s::%s_%s%s", w->id, mod,
             pick(r, MIX_RUST_MOD, N(MIX_RUST_MOD)), verb, sn2,
             rng_unit(r) < 0.5 ? "::{{closure}}" : "");
    }
}

/* The handler of endpoint e (where = 0) or the service method behind it
 * (where = 1). */
static void ep_frame(const mix_words *w, int rt, size_t e, int where,
                     char *out, size_t cap)
{
    const char *ep = w->eps[e];
    const char *noun = w->nouns[e % w->nnoun];
    const char *mod = w->mods[e % w->nmod];
    char lc[64], sn[64], nl[64];
    lower_first(ep, lc, sizeof lc);
    snake(ep, sn, sizeof sn);
    lower_first(noun, nl, sizeof nl);
    switch (rt) {
    case RT_JVM:
        if (where == 0)
            sfmt(out, cap, "com/acme/%s/api/%sController.%s", w->id, noun, lc);
        else
            sfmt(out, cap, "com/acme/%s/%s/%sService.%s", w->id, mod, noun, lc);
        break;
    case RT_PYTHON:
        if (where == 0)
            sfmt(out, cap, "%s@/app/%s/api/views.py", sn, w->id);
        else
            sfmt(out, cap, "%s@/app/%s/%s/services.py", sn, w->id, mod);
        break;
    case RT_NODE:
        if (where == 0)
            sfmt(out, cap, "%s@/app/src/routes/%s.js", lc, mod);
        else
            sfmt(out, cap, "%s@/app/src/%s/%sService.js", lc, mod, nl);
        break;
    default:
        if (where == 0)
            sfmt(out, cap, "%s::api::%s::{{closure}}", w->id, sn);
        else
            sfmt(out, cap, "%s::%s::service::%s::{{closure}}", w->id, mod, sn);
    }
}

static void words_build(mix_words *w, const gsvc *m, const gen_svcdef *d,
                        int rt, rng *r)
{
    memset(w, 0, sizeof *w);
    /* a Java package drops the '-' (as svcid does), the others spell it '_' */
    if (rt == RT_JVM)
        sfmt(w->id, sizeof w->id, "%s", m->svcid);
    else
        snake(m->name, w->id, sizeof w->id);
    w->nnoun = split_list(d->nouns, w->nouns, 10);
    size_t want = w->nnoun + 4 + rng_below(r, 4);
    while (w->nnoun < want && w->nnoun < 16)
        sfmt(w->nouns[w->nnoun++], 48, "%s", pick(r, MIX_NOUNS, N(MIX_NOUNS)));
    w->nmod = split_list(d->pkgs, w->mods, 8);
    for (size_t k = 0; k < 3 && w->nmod < 16; k++)
        sfmt(w->mods[w->nmod++], 48, "%s", pick(r, MIX_MODULES, N(MIX_MODULES)));
    w->nep = split_list(d->eps, w->eps, 12);
    for (size_t k = 0; k < POOL; k++)
        app_frame(w, rt, r, w->pool[k], sizeof w->pool[k]);
}

/* ---- frames ---- */

/* The short path a Python or Node frame shows: below site-packages,
 * node_modules, the standard library or /app. */
static const char *short_path(const char *path)
{
    static const char *const roots[] = {
        "/usr/local/lib/python3.11/site-packages/", "/usr/local/lib/python3.11/",
        "/app/node_modules/", "/app/", "/usr/local/bin/",
    };
    for (size_t i = 0; i < N(roots); i++)
        if (strncmp(path, roots[i], strlen(roots[i])) == 0)
            return path + strlen(roots[i]);
    return path;
}

/* The function of one frame token of runtime rt (syntax: gen_mix_vocab.h);
 * next is the callee's token ("" for a leaf), which fixes the line that
 * Python and Node names carry. *map and *salt are set for [unknown]. The
 * system name is left empty as profilers that read demangled names leave
 * it (pprof would otherwise shorten "a::b(int)" to "a::b" for display), but
 * for JVM frames, where it is HotSpot's own spelling. */
static uint32_t mix_fn(gsvc *m, int rt, const char *tok, const char *prev,
                       const char *next, size_t pos, uint8_t *map,
                       uint64_t *salt)
{
    *map = 0;
    *salt = 0;
    if (tok[0] == '!') {
        uint8_t mp = model_map_of(m, tok[1]);
        if (strcmp(tok + 2, "?") == 0) {
            *map = mp;
            *salt = gen_mix64(hash_str(prev) ^ gen_mix64(hash_str(next) + pos) ^
                              (uint64_t)(unsigned char)tok[1]) | 1;
            return model_fn_add(m, "[unknown]", "", NULL, 0, mp, LINES_NONE);
        }
        return model_fn_add(m, tok + 2, "", NULL, 0, mp, LINES_NONE);
    }
    if (tok[0] == '=')
        return model_fn_add(m, tok + 1, "", NULL, 0, GEN_NOMAP, LINES_NONE);
    char name[1024], sys[1024], file[512];
    uint64_t h = hash_str(tok);
    if (rt == RT_JVM) {
        const char *dot = strrchr(tok, '.');
        const char *slash = strrchr(tok, '/');
        const char *cls = slash ? slash + 1 : tok;
        size_t cl = dot && dot > cls ? (size_t)(dot - cls) : strlen(cls);
        size_t outer = strcspn(cls, "$");
        if (outer < cl)
            cl = outer;
        sfmt(file, sizeof file, "%.*s.java", (int)cl, cls);
        /* HotSpot's own spelling of the frame: the class descriptor */
        sfmt(sys, sizeof sys, "L%.*s;%s", (int)(dot ? (size_t)(dot - tok) : strlen(tok)),
             tok, dot ? dot : "");
        return model_fn_add(m, tok, sys, file, (int32_t)(20 + h % 600),
                            GEN_NOMAP, LINES_CALL);
    }
    if (rt == RT_NATIVE)
        return model_fn_add(m, tok, "", NULL, 0, model_map_of(m, 'e'),
                            LINES_NONE);
    /* Python, Node: "func@path", named with the executing line */
    const char *at = strchr(tok, '@');
    size_t fl = at ? (size_t)(at - tok) : strlen(tok);
    const char *path = at ? at + 1 : "<unknown>";
    int32_t line = (int32_t)(8 + h % 500 + gen_mix64(h ^ hash_str(next)) % 24);
    if (rt == RT_PYTHON)
        sfmt(name, sizeof name, "%.*s (%s:%d)", (int)fl, tok, short_path(path),
             (int)line);
    else
        sfmt(name, sizeof name, "%.*s (%s:%d:%d)", (int)fl, tok,
             short_path(path), (int)line, (int)(1 + gen_mix64(h + 7) % 40));
    return model_fn_add(m, name, "", path, line, GEN_NOMAP, LINES_FIXED);
}

/* Tokens of one composed stack, kept until each knows its callee. */
typedef struct mix_toks {
    char buf[32768];
    size_t used;
    const char *tok[MAX_FRAMES];
    size_t n;
} mix_toks;

static void collect(void *ctx, char *tok, int inl)
{
    mix_toks *t = ctx;
    size_t l = strlen(tok) + 1;
    (void)inl;
    if (t->n >= MAX_FRAMES || t->used + l > sizeof t->buf || tok[0] == '\0')
        return;
    memcpy(t->buf + t->used, tok, l);
    t->tok[t->n++] = t->buf + t->used;
    t->used += l;
}

/* A string builder for one stack's chain. */
typedef struct sb {
    char s[32768];
    size_t n;
} sb;

static void sb_add(sb *b, const char *part)
{
    if (part == NULL || part[0] == '\0')
        return;
    int k = snprintf(b->s + b->n, sizeof b->s - b->n, "%s%s", b->n ? ";" : "", part);
    if (k > 0 && b->n + (size_t)k < sizeof b->s)
        b->n += (size_t)k;
}

static void add_chain(gsvc *m, int rt, const sb *b, double w, int32_t ep,
                      int32_t step, unsigned variant)
{
    static _Thread_local mix_toks t;
    t.used = 0;
    t.n = 0;
    chain_each(b->s, collect, &t);
    gstack st = {.n = 0};
    for (size_t k = 0; k < t.n; k++) {
        uint8_t map;
        uint64_t salt;
        uint32_t fn = mix_fn(m, rt, t.tok[k], k ? t.tok[k - 1] : "",
                             k + 1 < t.n ? t.tok[k + 1] : "", k, &map, &salt);
        stack_push(&st, fn, 0, map, salt);
    }
    add_template(m, &st, w, ep, step, variant);
}

/* ---- the model ---- */

static void add_maps(gsvc *m, const mix_rt *R, rng *r)
{
    for (size_t k = 0; k < R->nlibs; k++) {
        const mix_lib *l = &R->libs[k];
        char file[160], bid[48];
        sfmt(file, sizeof file, l->file, m->name);
        const char *b = NULL;
        if (strchr(l->file, '%')) { /* the service's own binary */
            for (int i = 0; i < 5; i++)
                snprintf(bid + 8 * i, 9, "%08x", (unsigned)(rng_next(r) >> 32));
            b = bid;
        }
        model_map(m, l->letter, file, l->size, l->fileoff, l->place, 0, b);
    }
}

/* One step of endpoint e: chain ch (or the response) under the handler,
 * one template per leaf plus one ending in the service's own code (or its
 * interpreter). Returns the weight added. */
static double add_step(gsvc *m, int rt, const mix_words *w, rng *r, size_t e,
                       int32_t s, const mix_chain *ch, int respond, double epw)
{
    const mix_rt *R = &RT[rt];
    double stepw = exp(0.9 * rng_gauss(r)) * (respond ? 0.7 : 1.0);
    size_t nhelp = rng_below(r, 4);
    const char *help[3];
    for (size_t k = 0; k < nhelp; k++)
        help[k] = w->pool[rng_below(r, POOL)];
    int async = R->entry_async && rng_unit(r) < 0.5;
    size_t nleaf = count_leaves(ch->leaves);
    double leafw[9], added = 0;
    zipf(r, leafw, nleaf + 1, 1.3);
    for (size_t li = 0; li <= nleaf; li++) {
        /* the last "leaf" is the code itself, or its interpreter */
        unsigned reps = ch->rmin + rng_below(r, ch->rmax - ch->rmin + 1);
        if (rng_unit(r) < 0.4) /* another path through the service's code */
            for (size_t k = 0; k < nhelp; k++)
                help[k] = w->pool[rng_below(r, POOL)];
        sb b;
        b.n = 0;
        char hf[192], sf[192];
        ep_frame(w, rt, e, 0, hf, sizeof hf);
        ep_frame(w, rt, e, 1, sf, sizeof sf);
        sb_add(&b, async ? R->entry_async : R->entry);
        if (respond && !async && !R->in_handler) {
            sb_add(&b, ch->body);
        } else {
            if (!async)
                sb_add(&b, R->invoke);
            sb_add(&b, hf);
            if (rng_unit(r) < 0.6) {
                sb_add(&b, R->proxy);
                sb_add(&b, sf);
            }
            for (size_t k = 0; k < nhelp; k++)
                sb_add(&b, help[k]);
            if (li < nleaf)
                sb_add(&b, ch->body);
        }
        if (li < nleaf) {
            for (unsigned k = 0; k < reps; k++)
                sb_add(&b, ch->rep);
            sb_add(&b, ch->leaves[li]);
        } else if (rng_unit(r) < 0.3) {
            sb_add(&b, R->interp);
        }
        double tw = epw * stepw * leafw[li] * (li < nleaf ? 1.0 : 0.4);
        add_chain(m, rt, &b, tw, (int32_t)e, s, rng_below(r, 3));
        added += tw;
    }
    return added;
}

void gen_mix_build(gsvc *m, uint64_t seed, uint32_t idx, int rt,
                   const gen_svcdef *d)
{
    assert(rt > RT_GO && rt < RT_COUNT);
    const mix_rt *R = &RT[rt];
    rng r = rng_for(seed, idx, 0x5e7c, 2 + (uint64_t)rt);
    model_init(m, &r, d->name);
    m->feat = d->feat;
    add_maps(m, R, &r);
    mix_words *w = malloc(sizeof *w);
    if (w == NULL)
        gen_oom();
    words_build(w, m, d, rt, &r);

    m->nep = (uint32_t)w->nep;
    double epw[MAX_EPS], reqw = 0;
    zipf(&r, epw, w->nep, 1.0);
    for (size_t e = 0; e < w->nep; e++) {
        m->ep_first[e] = (uint32_t)m->nt;
        size_t elig[32], ne = 0;
        for (size_t c = 0; c < R->nchains && ne < N(elig); c++)
            if ((R->chains[c].need & d->feat) == R->chains[c].need)
                elig[ne++] = c;
        size_t want = pick_some(&r, elig, ne, 3, 4);
        for (size_t s = 0; s < want; s++)
            reqw += add_step(m, rt, w, &r, e, (int32_t)s, &R->chains[elig[s]],
                             0, epw[e]);
        reqw += add_step(m, rt, w, &r, e, (int32_t)want, R->respond, 1, epw[e]);
        m->ep_steps[e] = (uint32_t)want + 1;
        m->ep_end[e] = (uint32_t)m->nt;
    }
    m->nreq = (uint32_t)m->nt;

    /* Background work, as shares of the whole. */
    double bgw = 0;
    for (size_t k = 0; k < R->nbg; k++) {
        const mix_bg *bg = &R->bg[k];
        if ((bg->need & d->feat) != bg->need)
            continue;
        double share = bg->share * (0.6 + 0.8 * rng_unit(&r));
        double leafw[8];
        size_t nleaf = leaf_shares(&r, bg->leaves, share, leafw);
        for (size_t li = 0; li < nleaf; li++) {
            sb b;
            b.n = 0;
            sb_add(&b, bg->body);
            sb_add(&b, bg->leaves[li]);
            add_chain(m, rt, &b, leafw[li], -1, -1, rng_below(&r, 3));
            bgw += leafw[li];
        }
    }
    model_share_requests(m, reqw, bgw);
    free(w);
}
