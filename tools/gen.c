/* gen.c: `kiln gen`, a deterministic fleet of CPU profiles (Go services,
 * composed here, or with --mix a polyglot fleet, gen_mix.c) written as
 * DIR/<service>/<host>/<unix-seconds>.pb.gz, for the demo, the tests and
 * the benchmarks. Every byte is a function of the arguments: a service's
 * model comes from (seed, service), a profile from (seed, service, host,
 * window start), so two runs are byte-identical and overlapping runs agree. */
#include "cli_util.h"
#include "otlp_gen.h"
#include "gen_model.h"
#include "gen_vocab.h"
#include "gen_mix.h"
#include "format_internal.h" /* pprof_doc, pprof_pack, gzip_deflate */

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define NSEC 1000000000LL

/* ---- Go services: the binaries a Go program maps ---- */

static const struct {
    const char *file;
    uint32_t size;   /* bytes of text */
    uint32_t fileoff; /* file offset of the text mapping */
} LIBS[LIB_COUNT] = {
    [LIB_MAIN] = {NULL, 0, 0x1000},
    [LIB_C] = {"/usr/lib/x86_64-linux-gnu/libc.so.6", 0x165000, 0x28000},
    [LIB_SSL] = {"/usr/lib/x86_64-linux-gnu/libssl.so.3", 0x98000, 0x1f000},
    [LIB_CRYPTO] = {"/usr/lib/x86_64-linux-gnu/libcrypto.so.3", 0x36a000, 0xc9000},
    [LIB_Z] = {"/usr/lib/x86_64-linux-gnu/libz.so.1.2.13", 0x17000, 0x3000},
    [LIB_RDKAFKA] = {"/usr/lib/x86_64-linux-gnu/librdkafka.so.1", 0x1d0000, 0x4a000},
    [LIB_VDSO] = {"[vdso]", 0x2000, 0},
};

/* The source file of a Go function, as a non-trimmed container build shows
 * it: the standard library under GOROOT, modules in the module cache, the
 * service's own code under /app. */
static void go_file(const gsvc *m, const char *name, const char *fname,
                    char *out, size_t cap)
{
    const char *slash = strrchr(name, '/');
    const char *dot = strchr(slash ? slash : name, '.');
    size_t plen = dot ? (size_t)(dot - name) : strlen(name);
    char pkg[256], base[128];
    snprintf(pkg, sizeof pkg, "%.*s", (int)plen, name);
    if (fname == NULL) {
        const char *last = strrchr(pkg, '/');
        sfmt(base, sizeof base, "%s.go", last ? last + 1 : pkg);
        fname = base;
    }
    char acme[96];
    snprintf(acme, sizeof acme, "github.com/acme/%s", m->name);
    if (strncmp(pkg, "github.com/acme/", 16) == 0) {
        /* this service's module, or a peer's generated client */
        const char *rest = pkg + 16;
        const char *after = strchr(rest, '/');
        if (strncmp(pkg, acme, strlen(acme)) == 0 &&
            (pkg[strlen(acme)] == '/' || pkg[strlen(acme)] == '\0'))
            snprintf(out, cap, "/app%s/%s", pkg + strlen(acme), fname);
        else
            snprintf(out, cap, "/go/pkg/mod/github.com/acme/%.*s@v1.%u.0%s/%s",
                     (int)(after ? (size_t)(after - rest) : strlen(rest)), rest,
                     (unsigned)(hash_str(pkg) % 40),
                     after ? after : "", fname);
        return;
    }
    for (size_t i = 0; i < sizeof GEN_MODULES / sizeof GEN_MODULES[0]; i++) {
        size_t ml = strlen(GEN_MODULES[i][0]);
        if (strncmp(pkg, GEN_MODULES[i][0], ml) == 0 &&
            (pkg[ml] == '/' || pkg[ml] == '\0')) {
            snprintf(out, cap, "/go/pkg/mod/%s@%s%s/%s", GEN_MODULES[i][0],
                     GEN_MODULES[i][1], pkg + ml, fname);
            return;
        }
    }
    snprintf(out, cap, "/usr/local/go/src/%s/%s", pkg, fname);
}

/* The function for a frame spec ("!cname": native, in the binary of
 * library letter c; "pkg.Func@file.go": Go, in the main binary). */
static uint32_t model_fn(gsvc *m, const char *spec)
{
    if (spec[0] == '!')
        return model_fn_add(m, spec + 2, NULL, NULL, 0,
                            model_map_of(m, spec[1]), LINES_NONE);
    char name[512], file[512];
    const char *at = strchr(spec, '@');
    snprintf(name, sizeof name, "%.*s",
             (int)(at ? (size_t)(at - spec) : strlen(spec)), spec);
    go_file(m, name, at ? at + 1 : NULL, file, sizeof file);
    return model_fn_add(m, name, NULL, file,
                        (int32_t)(20 + hash_str(name) % 900),
                        model_map_of(m, 'M'), LINES_CALL);
}

/* Placeholder values while composing one stack. */
typedef struct gvars {
    const char *svc, *svcid, *Svc, *pkg, *Ep, *Noun, *noun, *SVerb, *helper;
    const char *peer, *peerid, *Peer, *PeerEp, *Ext, *ext;
    uint32_t alloc[4]; /* GEN_ALLOC picks for successive "@alloc" */
    unsigned nalloc;
} gvars;

static const char *var_of(const gvars *v, const char *k, size_t n)
{
#define VAR(name)                                                             \
    if (n == strlen(#name) && memcmp(k, #name, n) == 0)                       \
        return v->name ? v->name : "x";
    VAR(svc) VAR(svcid) VAR(Svc) VAR(pkg) VAR(Ep) VAR(Noun) VAR(noun)
    VAR(SVerb) VAR(helper) VAR(peer) VAR(peerid) VAR(Peer) VAR(PeerEp)
    VAR(Ext) VAR(ext)
#undef VAR
    assert(0 && "unknown placeholder");
    return "";
}

static void expand(const char *tpl, const gvars *v, char *out, size_t cap)
{
    size_t o = 0;
    for (const char *p = tpl; *p && o + 1 < cap; p++) {
        if (*p == '{') {
            const char *e = strchr(p, '}');
            assert(e != NULL);
            const char *val = var_of(v, p + 1, (size_t)(e - p - 1));
            size_t vl = strlen(val);
            if (o + vl >= cap)
                break;
            memcpy(out + o, val, vl);
            o += vl;
            p = e;
        } else {
            out[o++] = *p;
        }
    }
    out[o] = '\0';
}

typedef struct gpush {
    gsvc *m;
    gstack *st;
    gvars *v;
} gpush;

static void push_chain(gsvc *m, gstack *st, const char *chain, gvars *v);

static void push_frame(void *ctx, char *tok, int inl)
{
    gpush *p = ctx;
    if (strcmp(tok, "@alloc") == 0) {
        uint32_t pick = p->v->alloc[p->v->nalloc++ % 4];
        push_chain(p->m, p->st, GEN_ALLOC[pick], p->v);
        return;
    }
    stack_push(p->st, model_fn(p->m, tok), inl, 0, 0);
}

static void push_chain(gsvc *m, gstack *st, const char *chain, gvars *v)
{
    char buf[8192];
    if (chain == NULL || chain[0] == '\0')
        return;
    expand(chain, v, buf, sizeof buf);
    gpush p = {m, st, v};
    chain_each(buf, push_frame, &p);
}

/* The definition of service number idx: from the list, or made up. */
static void service_def(uint64_t seed, uint32_t idx, gen_svcdef *d,
                        char *name, char *nouns, char *eps, char *pkgs,
                        char *peers)
{
    size_t nbase = sizeof GEN_SERVICES / sizeof GEN_SERVICES[0];
    size_t nmore = sizeof GEN_MORE_NAMES / sizeof GEN_MORE_NAMES[0];
    if (idx < nbase) {
        *d = GEN_SERVICES[idx];
        snprintf(name, 48, "%s", d->name);
        return;
    }
    uint32_t k = idx - (uint32_t)nbase;
    const char *base = GEN_MORE_NAMES[k % nmore];
    if (k / nmore == 0)
        snprintf(name, 48, "%s", base);
    else
        snprintf(name, 48, "%s-%u", base, (unsigned)(k / nmore + 1));
    char noun[48];
    camel(base, noun, sizeof noun);
    size_t nl = strlen(noun);
    if (nl > 2 && noun[nl - 1] == 's')
        noun[nl - 1] = '\0';
    snprintf(nouns, 256, "%s,Record,Batch,Entry", noun);
    snprintf(eps, 512, "Get%s,List%ss,Create%s,Update%s,Delete%s,Sync%ss",
             noun, noun, noun, noun, noun, noun);
    char pk[48];
    size_t o = 0;
    for (const char *p = base; *p && o < 40; p++)
        if (*p != '-')
            pk[o++] = *p;
    pk[o] = '\0';
    snprintf(pkgs, 256, "%s,workflow,policy", pk);
    rng r = rng_for(seed, idx, 0xdef, 0);
    unsigned feat = 0;
    static const unsigned opt[] = {F_SQL, F_REDIS, F_KAFKA, F_REGEX, F_HASH,
                                   F_GRPC, F_ZLIB, F_RANK, F_TMPL};
    for (size_t i = 0; i < sizeof opt / sizeof opt[0]; i++)
        if (rng_unit(&r) < 0.4)
            feat |= opt[i];
    uint32_t p1 = rng_below(&r, (uint32_t)nbase), p2 = rng_below(&r, (uint32_t)nbase);
    snprintf(peers, 256, "%s,%s", GEN_SERVICES[p1].name, GEN_SERVICES[p2].name);
    feat |= F_PEERS;
    d->name = name;
    d->nouns = nouns;
    d->eps = eps;
    d->pkgs = pkgs;
    d->peers = peers;
    d->ext = "";
    d->feat = feat;
}

static const char *peer_endpoint(const char *peer, rng *r, char *buf)
{
    for (size_t i = 0; i < sizeof GEN_SERVICES / sizeof GEN_SERVICES[0]; i++)
        if (strcmp(GEN_SERVICES[i].name, peer) == 0) {
            char eps[16][48];
            size_t n = split_list(GEN_SERVICES[i].eps, eps, 16);
            sfmt(buf, 48, "%s", eps[rng_below(r, (uint32_t)n)]);
            return buf;
        }
    snprintf(buf, 48, "Get");
    return buf;
}

/* A Go service: the library chains of GEN_CHAINS under the entry of each
 * endpoint's transport, and the Go runtime's background work. */
static void go_build(gsvc *m, uint64_t seed, uint32_t idx, const gen_svcdef *dp)
{
    const gen_svcdef d = *dp;
    size_t o;
    rng r = rng_for(seed, idx, 0x5e7c, 1);
    uint64_t text_size = 0x1200000 + (rng_below(&r, 0x800) << 12);
    char buildid[48];
    for (int i = 0; i < 5; i++) {
        uint64_t b = rng_next(&r);
        snprintf(buildid + 8 * i, 9, "%08x", (unsigned)(b >> 32));
    }
    model_init(m, &r, d.name);
    m->feat = d.feat;
    char mainfile[96];
    snprintf(mainfile, sizeof mainfile, "/usr/local/bin/%s", m->name);
    static const char letter[LIB_COUNT] = {'M', 'c', 's', 'k', 'z', 'r', 'v'};
    for (int l = 0; l < LIB_COUNT; l++) {
        int has = l == LIB_MAIN || l == LIB_C || l == LIB_VDSO ||
                  ((l == LIB_SSL || l == LIB_CRYPTO) && (d.feat & (F_SSL | F_FIPS))) ||
                  (l == LIB_Z && (d.feat & F_ZLIB)) ||
                  (l == LIB_RDKAFKA && (d.feat & F_KAFKA));
        if (!has)
            continue;
        if (l == LIB_MAIN)
            model_map(m, letter[l], mainfile, text_size, LIBS[l].fileoff,
                      PLACE_EXE_FIXED, 1, buildid);
        else
            model_map(m, letter[l], LIBS[l].file, LIBS[l].size, LIBS[l].fileoff,
                      l == LIB_VDSO ? PLACE_VDSO : PLACE_LIB, 0, NULL);
    }

    char nouns[16][48], eps[16][48], pkgs[16][48], peers[16][48];
    size_t nnoun = split_list(d.nouns, nouns, 16);
    size_t nep = split_list(d.eps, eps, 12);
    size_t npkg = split_list(d.pkgs, pkgs, 16);
    size_t npeer = split_list(d.peers, peers, 16);
    unsigned tr[MAX_EPS];
    for (size_t e = 0; e < nep; e++)
        tr[e] = (d.feat & F_GRPC) ? TR_GRPC : TR_HTTP;
    if (d.feat & F_KAFKA) {
        static const char *const evts[] = {"Created", "Updated"};
        for (size_t k = 0; k < 2 && nep < MAX_EPS; k++) {
            sfmt(eps[nep], 48, "On%s%s", nouns[k % nnoun], evts[k]);
            tr[nep++] = TR_EVENT;
        }
    }
    m->nep = (uint32_t)nep;
    double epw[MAX_EPS];
    zipf(&r, epw, nep, 1.0);

    const double bg_share_gc = 0.06 + 0.12 * rng_unit(&r);
    size_t nchains = sizeof GEN_CHAINS / sizeof GEN_CHAINS[0];
    double reqw = 0;
    for (size_t e = 0; e < nep; e++) {
        m->ep_first[e] = (uint32_t)m->nt;
        size_t elig[64], ne = 0;
        for (size_t c = 0; c < nchains; c++) {
            const gen_chain *ch = &GEN_CHAINS[c];
            if ((ch->need & d.feat) == ch->need && (ch->transport & tr[e]) &&
                !((ch->site == 'T' || ch->site == 'U') && tr[e] == TR_EVENT))
                elig[ne++] = c;
        }
        size_t want = pick_some(&r, elig, ne, 3, 4);
        for (size_t s = 0; s < want; s++) {
            const gen_chain *ch = &GEN_CHAINS[elig[s]];
            double stepw = exp(0.9 * rng_gauss(&r)) * ch->scale;
            char helper[48], noun_l[48], peerep[48], Peer[48], ext_l[48];
            const char *noun = nouns[rng_below(&r, (uint32_t)nnoun)];
            sfmt(noun_l, sizeof noun_l, "%s", noun);
            for (char *p = noun_l; *p; p++)
                if (*p >= 'A' && *p <= 'Z')
                    *p = (char)(*p + 32);
            snprintf(helper, sizeof helper, "%s",
                     GEN_VERBS[rng_below(&r, sizeof GEN_VERBS / sizeof GEN_VERBS[0])]);
            const char *peer = npeer ? peers[rng_below(&r, (uint32_t)npeer)] : "core";
            camel(peer, Peer, sizeof Peer);
            char peerid[48];
            o = 0;
            for (const char *p = peer; *p; p++)
                if (*p != '-')
                    peerid[o++] = *p;
            peerid[o] = '\0';
            snprintf(ext_l, sizeof ext_l, "%s", d.ext[0] ? d.ext : "Partner");
            for (char *p = ext_l; *p; p++)
                if (*p >= 'A' && *p <= 'Z')
                    *p = (char)(*p + 32);
            gvars v = {m->name, m->svcid, m->Svc, pkgs[e % npkg], eps[e], noun,
                       noun_l,
                       GEN_STORE_VERBS[rng_below(&r, sizeof GEN_STORE_VERBS /
                                                         sizeof GEN_STORE_VERBS[0])],
                       helper, peer, peerid, Peer,
                       peer_endpoint(peer, &r, peerep),
                       d.ext[0] ? d.ext : "Partner", ext_l, {0}, 0};
            int use_helper = rng_unit(&r) < 0.5;
            size_t nleaf = count_leaves(ch->leaves);
            double leafw[8];
            zipf(&r, leafw, nleaf, 1.3);
            for (size_t li = 0; li < nleaf; li++) {
                unsigned reps[2];
                size_t nrep = 1;
                reps[0] = ch->rmin + rng_below(&r, ch->rmax - ch->rmin + 1);
                if (ch->rep && ch->rmax > ch->rmin) {
                    reps[1] = ch->rmin + rng_below(&r, ch->rmax - ch->rmin + 1);
                    nrep = reps[1] != reps[0] ? 2 : 1;
                }
                int has_alloc = strstr(ch->leaves[li], "@alloc") != NULL;
                size_t nalloc = has_alloc ? 2 : 1;
                for (size_t ri = 0; ri < nrep; ri++)
                    for (size_t ai = 0; ai < nalloc; ai++) {
                        gstack st = {.n = 0};
                        for (int k = 0; k < 4; k++)
                            v.alloc[k] = rng_below(&r, sizeof GEN_ALLOC /
                                                           sizeof GEN_ALLOC[0]);
                        v.nalloc = 0;
                        const char *prefix = tr[e] == TR_GRPC ? GEN_GRPC_PREFIX
                                             : tr[e] == TR_EVENT ? GEN_EVENT_PREFIX
                                                                 : GEN_HTTP_PREFIX;
                        if (ch->site == 'T' || ch->site == 'U') {
                            char cut[4096];
                            size_t keep = tr[e] == TR_GRPC ? GEN_GRPC_CUT : GEN_HTTP_CUT;
                            if (ch->site == 'U')
                                keep++; /* through the generated handler */
                            const char *p = prefix;
                            for (size_t k = 0; k < keep && p; k++) {
                                p = strchr(p, ';');
                                if (p)
                                    p++;
                            }
                            size_t len = p ? (size_t)(p - prefix - 1) : strlen(prefix);
                            snprintf(cut, sizeof cut, "%.*s", (int)len, prefix);
                            push_chain(m, &st, cut, &v);
                        } else {
                            push_chain(m, &st, prefix, &v);
                        }
                        if (ch->site == 'S') {
                            push_chain(m, &st, GEN_SERVICE_FRAME, &v);
                            if (use_helper)
                                push_chain(m, &st, GEN_HELPER_FRAME, &v);
                        }
                        push_chain(m, &st, ch->glue, &v);
                        push_chain(m, &st, ch->body, &v);
                        for (unsigned k = 0; k < reps[ri]; k++)
                            push_chain(m, &st, ch->rep, &v);
                        push_chain(m, &st, ch->leaves[li], &v);
                        double w = epw[e] * stepw * leafw[li] / (double)nrep /
                                   (double)nalloc;
                        add_template(m, &st, w, (int32_t)e, (int32_t)s,
                                     rng_below(&r, 3));
                        reqw += w;
                    }
            }
        }
        m->ep_steps[e] = (uint32_t)want;
        m->ep_end[e] = (uint32_t)m->nt;
    }
    m->nreq = (uint32_t)m->nt;

    /* Background work, as shares of the whole. */
    double bgw = 0;
    size_t nbg = sizeof GEN_BACKGROUND / sizeof GEN_BACKGROUND[0];
    for (size_t b = 0; b < nbg; b++) {
        const gen_background *bg = &GEN_BACKGROUND[b];
        if ((bg->need & d.feat) != bg->need)
            continue;
        double share = (b == 0 ? bg_share_gc : bg->share) *
                       (0.6 + 0.8 * rng_unit(&r));
        double leafw[8];
        size_t nleaf = leaf_shares(&r, bg->leaves, share, leafw);
        for (size_t li = 0; li < nleaf; li++) {
            gvars v = {m->name, m->svcid, m->Svc, pkgs[0], eps[0], nouns[0],
                       "x", "Find", "load", "core", "core", "Core", "Get",
                       "Partner", "partner", {0}, 0};
            for (int k = 0; k < 4; k++)
                v.alloc[k] = rng_below(&r, sizeof GEN_ALLOC / sizeof GEN_ALLOC[0]);
            gstack st = {.n = 0};
            push_chain(m, &st, bg->body, &v);
            push_chain(m, &st, bg->leaves[li], &v);
            add_template(m, &st, leafw[li], -1, -1, rng_below(&r, 3));
            bgw += leafw[li];
        }
    }
    model_share_requests(m, reqw, bgw);
}

/* Service idx: Go everywhere, or with mix the runtime a polyglot fleet
 * gives it (gen_mix.c). */
static void model_build(gsvc *m, uint64_t seed, uint32_t idx, int mix)
{
    char name[48], nouns_s[256] = "", eps_s[512] = "", pkgs_s[256] = "",
         peers_s[256] = "";
    gen_svcdef d;
    service_def(seed, idx, &d, name, nouns_s, eps_s, pkgs_s, peers_s);
    int rt = mix ? gen_mix_runtime(seed, idx) : RT_GO;
    if (rt == RT_GO)
        go_build(m, seed, idx, &d);
    else
        gen_mix_build(m, seed, idx, rt, &d);
}

/* ---- one profile ---- */

typedef struct gjob_cfg {
    const char *out;
    uint64_t seed;
    uint32_t nsvc, nhost, nwin;
    int64_t t0;        /* first window start, ns */
    int64_t interval;  /* ns */
    double rate;       /* Hz */
    double trace_frac;
    int otlp;          /* also write <t>.otlp.pb (tools/otlp_gen.c) */
    gsvc *svc;
    ghost *host;       /* [svc * nhost + host] */
} gjob_cfg;

typedef struct gtick {
    uint32_t tmpl;
    uint32_t trace; /* 0 = none, else 1 + trace number in this profile */
    uint32_t span;
} gtick;

typedef struct gscratch {
    gtick *ticks;
    size_t cap_ticks;
    double *cum;
    size_t cap_cum;
    uint32_t *str_local, *fn_local, *loc_local;
    size_t cap_sl, cap_fl, cap_ll;
    struct gstr { const char *p; size_t n; } *pstr; /* the string table */
    size_t nstr, cap_pstr;
    char *hex;                  /* trace and span ids of this profile */
    size_t cap_hex;
    size_t nploc;               /* locations emitted */
    uint32_t *ploc_model;       /* model loc of each emitted location */
    size_t cap_plm;
    size_t npfn;                /* functions emitted */
    pprof_doc doc;              /* the profile, packed by pprof_pack */
    kiln_buf pb, gz;            /* its bytes, and gzip'd */
} gscratch;

static void scratch_free(gscratch *s)
{
    free(s->ticks); free(s->cum); free(s->str_local); free(s->fn_local);
    free(s->loc_local); free(s->pstr); free(s->hex); free(s->ploc_model);
    pprof_doc_free(&s->doc);
    kiln_buf_free(&s->pb);
    kiln_buf_free(&s->gz);
}

static int tick_cmp(const void *a, const void *b)
{
    const gtick *x = a, *y = b;
    if (x->trace != y->trace)
        return x->trace < y->trace ? -1 : 1;
    if (x->tmpl != y->tmpl)
        return x->tmpl < y->tmpl ? -1 : 1;
    return x->span < y->span ? -1 : x->span > y->span;
}

static uint32_t draw(const double *cum, uint32_t lo, uint32_t hi, double u)
{
    /* the first index in [lo, hi) whose cumulative weight exceeds u */
    uint32_t a = lo, b = hi - 1;
    while (a < b) {
        uint32_t mid = a + (b - a) / 2;
        if (cum[mid] > u)
            b = mid;
        else
            a = mid + 1;
    }
    return a;
}

static uint32_t str_loc(gscratch *s, const gsvc *m, uint32_t id)
{
    if (id == 0)
        return 0;
    if (s->str_local[id] == 0) {
        GROW(s->pstr, s->nstr, s->cap_pstr);
        s->pstr[s->nstr].p = m->str[id];
        s->pstr[s->nstr].n = strlen(m->str[id]);
        s->str_local[id] = (uint32_t)s->nstr++;
    }
    return s->str_local[id];
}

static uint32_t str_raw(gscratch *s, const char *p, size_t n)
{
    GROW(s->pstr, s->nstr, s->cap_pstr);
    s->pstr[s->nstr].p = p;
    s->pstr[s->nstr].n = n;
    return (uint32_t)s->nstr++;
}

/* Whether window tsec of (service, host) lies in an incident: a few minutes
 * of one endpoint step burning far more CPU, on one host or all. */
static int incident(const gjob_cfg *c, uint32_t si, uint32_t hi, int64_t tsec,
                    int32_t *ep, int32_t *step, double *share, double *cpu)
{
    const gsvc *m = &c->svc[si];
    int64_t hour = tsec >= 0 ? tsec / 3600 : (tsec - 3599) / 3600;
    rng r = rng_for(c->seed, si, (uint64_t)hour, 0x1c1d);
    if (rng_unit(&r) >= 0.6 || m->nep == 0)
        return 0;
    int64_t start = hour * 3600 + rng_below(&r, 3000);
    int64_t len = 180 + rng_below(&r, 420);
    *ep = (int32_t)rng_below(&r, m->nep);
    *step = (int32_t)rng_below(&r, m->ep_steps[*ep] ? m->ep_steps[*ep] : 1);
    *share = 0.2 + 0.3 * rng_unit(&r);
    *cpu = 1.3 + 0.5 * rng_unit(&r);
    int all = rng_unit(&r) < 0.5;
    uint32_t one = rng_below(&r, c->nhost);
    if (tsec < start || tsec >= start + len)
        return 0;
    return all || one == hi;
}

static int write_all(const char *path, const void *p, size_t n)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return kiln_error_set(KILN_EIO, "%s: %s", path, strerror(errno));
    const uint8_t *b = p;
    while (n > 0) {
        ssize_t k = write(fd, b, n);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            int e = errno;
            close(fd);
            return kiln_error_set(KILN_EIO, "%s: %s", path, strerror(e));
        }
        b += k;
        n -= (size_t)k;
    }
    if (close(fd) != 0)
        return kiln_error_set(KILN_EIO, "%s: %s", path, strerror(errno));
    return 0;
}

typedef struct gstats {
    uint64_t files, samples, ticks, bytes;
} gstats;

static int gen_profile(const gjob_cfg *c, gscratch *s, uint32_t si,
                       uint32_t hi, uint32_t wi, gstats *out)
{
    const gsvc *m = &c->svc[si];
    const ghost *h = &c->host[(size_t)si * c->nhost + hi];
    int64_t t = c->t0 + (int64_t)wi * c->interval;
    int64_t tsec = t >= 0 ? t / NSEC : (t - NSEC + 1) / NSEC;
    rng r = rng_for(c->seed, ((uint64_t)si << 32) | hi, (uint64_t)t, 0x9f0f);

    /* CPU: service base x host x daily and hourly swings x noise x incident */
    double day = sin(6.283185307179586 * (double)(tsec % 86400) / 86400.0 +
                     m->phase_day);
    double hr = sin(6.283185307179586 * (double)(tsec % 3600) / 3600.0 +
                    m->phase_hour);
    double cpu = m->cpu_base * h->cpu * (1.0 + 0.3 * day) * (1.0 + 0.12 * hr) *
                 (0.9 + 0.2 * rng_unit(&r));
    int32_t iep = -1, istep = -1;
    double ishare = 0, icpu = 1;
    int inc = incident(c, si, hi, tsec, &iep, &istep, &ishare, &icpu);
    if (inc)
        cpu *= icpu;
    if (cpu < 0.2)
        cpu = 0.2;
    if (cpu > 1.8)
        cpu = 1.8;
    double secs = (double)c->interval / 1e9;
    uint32_t nticks = (uint32_t)llround(cpu * c->rate * secs);
    if (nticks == 0)
        nticks = 1;

    /* Per-window weights. */
    GROW(s->cum, m->nt, s->cap_cum);
    double hot = 0, all = 0;
    for (size_t k = 0; k < m->nt; k++) {
        double w = m->t[k].w * h->wmul[k];
        all += w;
        if (inc && m->t[k].ep == iep && m->t[k].step == istep)
            hot += w;
    }
    double hotf = inc && hot > 0 ? ishare * (all - hot) / ((1 - ishare) * hot) : 1;
    if (hotf < 1)
        hotf = 1;
    double acc = 0;
    for (size_t k = 0; k < m->nt; k++) {
        double w = m->t[k].w * h->wmul[k];
        if (inc && m->t[k].ep == iep && m->t[k].step == istep)
            w *= hotf;
        acc += w;
        s->cum[k] = acc;
    }

    /* Ticks: traced requests first (runs of consecutive samples of one
     * endpoint), then everything else. */
    GROW(s->ticks, nticks, s->cap_ticks);
    uint32_t budget = (uint32_t)llround(c->trace_frac * nticks);
    uint32_t n = 0, ntraces = 0;
    while (n < budget && m->nreq > 0) {
        uint32_t len = 2 + (uint32_t)(-log(1.0 - rng_unit(&r)) * 6.0);
        if (len > budget - n)
            len = budget - n;
        uint32_t nspans = 1 + rng_below(&r, 3);
        uint32_t first = draw(s->cum, 0, m->nreq,
                              rng_unit(&r) * s->cum[m->nreq - 1]);
        int32_t ep = m->t[first].ep;
        uint32_t lo = m->ep_first[ep], hi2 = m->ep_end[ep];
        double clo = lo ? s->cum[lo - 1] : 0, chi = s->cum[hi2 - 1];
        ntraces++;
        for (uint32_t k = 0; k < len; k++) {
            uint32_t tm = k == 0 ? first
                                 : draw(s->cum, lo, hi2,
                                        clo + rng_unit(&r) * (chi - clo));
            s->ticks[n++] = (gtick){tm, ntraces, k * nspans / len};
        }
    }
    for (; n < nticks; n++)
        s->ticks[n] = (gtick){draw(s->cum, 0, (uint32_t)m->nt,
                                   rng_unit(&r) * s->cum[m->nt - 1]), 0, 0};
    qsort(s->ticks, nticks, sizeof *s->ticks, tick_cmp);

    /* Trace and span ids: unique across the fleet by construction (the
     * high half is a bijection of (service, host, trace number), the low
     * half a bijection of the window time). */
    size_t hexlen = (size_t)ntraces * (32 + 3 * 16);
    GROW(s->hex, hexlen + 1, s->cap_hex);
    for (uint32_t k = 0; k < ntraces; k++) {
        uint64_t hi64 = gen_mix64(((uint64_t)si << 48) ^ ((uint64_t)hi << 32) ^ k ^
                              gen_mix64(c->seed + 0x7ace));
        uint64_t lo64 = gen_mix64((uint64_t)t ^ gen_mix64(c->seed + 0x5eed));
        char *p = s->hex + (size_t)k * 80;
        char tmp[40];
        snprintf(tmp, sizeof tmp, "%016llx%016llx", (unsigned long long)hi64,
                 (unsigned long long)lo64);
        memcpy(p, tmp, 32);
        for (int j = 0; j < 3; j++) {
            snprintf(tmp, sizeof tmp, "%016llx",
                     (unsigned long long)gen_mix64(hi64 ^ gen_mix64(lo64 + (uint64_t)j + 1)));
            memcpy(p + 32 + 16 * j, tmp, 16);
        }
    }

    /* Local tables. */
    GROW(s->str_local, m->nstr, s->cap_sl);
    GROW(s->fn_local, m->nfn, s->cap_fl);
    GROW(s->loc_local, m->nloc, s->cap_ll);
    memset(s->str_local, 0, m->nstr * sizeof *s->str_local);
    memset(s->fn_local, 0, m->nfn * sizeof *s->fn_local);
    memset(s->loc_local, 0, m->nloc * sizeof *s->loc_local);
    pprof_doc *d = &s->doc;
    if (pprof_doc_reset(d) < 0 ||
        pprof_doc_reserve_symbols(d, m->nmap, m->nfn, m->nloc, 0) < 0)
        gen_oom();
    s->nstr = 0;
    str_raw(s, "", 0);
    for (int k = 0; k < 4; k++)
        str_loc(s, m, m->s_fixed[k]);
    s->nploc = 0;
    s->npfn = 0;

    /* Samples: merge identical (stack, labels). */
    size_t nsmp = 0, nlocs = 0;
    for (uint32_t i = 0; i < nticks; i++)
        nlocs += m->t[s->ticks[i].tmpl].nloc;
    if (pprof_doc_reserve_samples(d, nticks, 2, nlocs, 2 * (size_t)nticks) < 0)
        gen_oom();
    for (uint32_t i = 0; i < nticks;) {
        uint32_t j = i;
        while (j < nticks && s->ticks[j].tmpl == s->ticks[i].tmpl &&
               s->ticks[j].trace == s->ticks[i].trace &&
               s->ticks[j].span == s->ticks[i].span)
            j++;
        const gtick *tk = &s->ticks[i];
        const gtmpl *tp = &m->t[tk->tmpl];
        pprof_sample *sm = &d->samples[nsmp];
        sm->values = d->values + 2 * nsmp;
        d->values[2 * nsmp] = j - i;
        d->values[2 * nsmp + 1] = (int64_t)(j - i) * (int64_t)llround(1e9 / c->rate);
        sm->lab_off = (uint32_t)d->nlabels;
        sm->nlabels = 0;
        if (tk->trace) {
            const char *p = s->hex + (size_t)(tk->trace - 1) * 80;
            kiln_label_ent *lt = &d->labels[d->nlabels++];
            kiln_label_ent *ls = &d->labels[d->nlabels++];
            memset(lt, 0, sizeof *lt);
            memset(ls, 0, sizeof *ls);
            lt->key = str_loc(s, m, m->s_trace);
            lt->str = str_raw(s, p, 32);
            ls->key = str_loc(s, m, m->s_span);
            ls->str = str_raw(s, p + 32 + 16 * tk->span, 16);
            sm->nlabels = 2;
        }
        sm->locs = d->locs + d->nlocs;
        size_t loc_off = d->nlocs;
        for (uint32_t k = 0; k < tp->nloc; k++) {
            uint32_t ml = m->tloc[tp->loc0 + k];
            if (s->loc_local[ml] == 0) {
                GROW(s->ploc_model, s->nploc, s->cap_plm);
                s->ploc_model[s->nploc++] = ml;
                s->loc_local[ml] = (uint32_t)s->nploc;
                const gloc *gl = &m->loc[ml];
                for (uint32_t q = 0; q < gl->nlines; q++) {
                    uint32_t f = m->lfn[gl->line0 + q];
                    if (s->fn_local[f] == 0) {
                        kiln_function *pf = &d->sym.functions[s->npfn];
                        pf->name = str_loc(s, m, m->fn[f].name);
                        pf->system_name = str_loc(s, m, m->fn[f].sysname);
                        pf->filename = str_loc(s, m, m->fn[f].file);
                        pf->start_line = m->fn[f].start;
                        s->fn_local[f] = (uint32_t)++s->npfn;
                    }
                }
            }
            d->locs[d->nlocs++] = s->loc_local[ml] - 1; /* an index */
        }
        sm->nlocs = (uint32_t)(d->nlocs - loc_off);
        nsmp++;
        i = j;
    }
    d->nsamples = nsmp;
    d->nvalues = 2 * nsmp;
    d->sym.nfunctions = s->npfn;

    /* Locations and their lines. */
    size_t nlines = 0;
    for (size_t k = 0; k < s->nploc; k++)
        nlines += m->loc[s->ploc_model[k]].nlines;
    if (pprof_doc_reserve_symbols(d, m->nmap, m->nfn, s->nploc, nlines) < 0)
        gen_oom();
    size_t li = 0;
    for (size_t k = 0; k < s->nploc; k++) {
        const gloc *gl = &m->loc[s->ploc_model[k]];
        kiln_location *pl = &d->sym.locations[k];
        memset(pl, 0, sizeof *pl);
        if (gl->map != GEN_NOMAP) {
            pl->mapping = gl->map + 1u;
            pl->address = h->base[gl->map] + gl->off;
        }
        pl->line_off = (uint32_t)li;
        pl->nlines = gl->nlines;
        for (uint32_t q = 0; q < gl->nlines; q++) {
            kiln_line *ln = &d->sym.lines[li++];
            ln->function = s->fn_local[m->lfn[gl->line0 + q]] - 1;
            ln->line = m->lline[gl->line0 + q];
            ln->column = 0;
        }
    }
    d->sym.nlocations = s->nploc;
    d->sym.nlines = li;

    /* Mappings, then the profile. */
    for (uint32_t k = 0; k < m->nmap; k++) {
        const gmap *g = &m->map[k];
        kiln_mapping *mp = &d->sym.mappings[k];
        mp->memory_start = h->base[k];
        mp->memory_limit = h->base[k] + g->size;
        mp->file_offset = g->fileoff;
        mp->filename = str_loc(s, m, g->file);
        mp->build_id = str_loc(s, m, g->buildid);
        mp->flags = KILN_MAP_HAS_FUNCTIONS |
                    (g->debug ? KILN_MAP_HAS_FILENAMES |
                                    KILN_MAP_HAS_LINE_NUMBERS |
                                    KILN_MAP_HAS_INLINE_FRAMES
                              : 0);
    }
    d->sym.nmappings = m->nmap;
    if (pprof_doc_set_kind(d, 2, 0) < 0)
        gen_oom();
    d->kind.types[0] = str_loc(s, m, m->s_fixed[0]);
    d->kind.types[1] = str_loc(s, m, m->s_fixed[1]);
    d->kind.types[2] = str_loc(s, m, m->s_fixed[2]);
    d->kind.types[3] = str_loc(s, m, m->s_fixed[3]);
    d->kind.period_type[0] = d->kind.types[2];
    d->kind.period_type[1] = d->kind.types[3];
    d->has_period_type = true;
    d->kind.period = llround(1e9 / c->rate);
    d->time = t;
    d->duration = c->interval;
    for (size_t k = 1; k < s->nstr; k++) /* pstr[0] is "", as in the doc */
        if (strtab_append(&d->sym.strings, s->pstr[k].p, s->pstr[k].n) < 0)
            gen_oom();

    /* gzip at level 1, as Go's runtime/pprof writes it. */
    kiln_buf_reset(&s->pb);
    kiln_buf_reset(&s->gz);
    if (pprof_pack(d, &s->pb) < 0 ||
        gzip_deflate(s->pb.data, s->pb.len, 1, &s->gz) < 0)
        return kiln_error_wrap(KILN_EIO, "gzip of a %zu-byte profile: ",
                               s->pb.len);
    size_t pblen = s->pb.len, gzlen = s->gz.len;

    char path[4096];
    snprintf(path, sizeof path, "%s/%s/%s/%lld.pb.gz", c->out, m->name, h->name,
             (long long)tsec);
    int rc = write_all(path, s->gz.data, gzlen);
    if (rc != 0)
        return rc;
    if (c->otlp) {
        kiln_label res[] = {{"service.name", m->name}, {"host.name", h->name}};
        kiln_buf ob = KILN_BUF_INIT;
        snprintf(path, sizeof path, "%s/%s/%s/%lld.otlp.pb", c->out, m->name,
                 h->name, (long long)tsec);
        rc = pprof_to_otlp(s->pb.data, pblen, res, 2, &ob);
        if (rc == 0)
            rc = write_all(path, ob.data, ob.len);
        out->bytes += ob.len;
        kiln_buf_free(&ob);
        if (rc != 0)
            return rc;
        out->files++;
    }
    out->files++;
    out->samples += nsmp;
    out->ticks += nticks;
    out->bytes += gzlen;
    return 0;
}

/* ---- workers ---- */

typedef struct gwork {
    const gjob_cfg *cfg;
    atomic_uint_fast64_t next; /* next job index */
    uint64_t njobs;
    atomic_int failed;         /* first failure stops everyone */
    pthread_mutex_t mu;        /* guards err, errmsg, stats */
    int err;
    char errmsg[512];
    gstats stats;
} gwork;

static void *worker(void *arg)
{
    gwork *w = arg;
    gscratch s;
    gstats st = {0};
    memset(&s, 0, sizeof s);
    const gjob_cfg *c = w->cfg;
    for (;;) {
        uint64_t j = atomic_fetch_add(&w->next, 1);
        if (j >= w->njobs || atomic_load(&w->failed))
            break;
        /* window-major order keeps every directory's files near in time */
        uint32_t wi = (uint32_t)(j / ((uint64_t)c->nsvc * c->nhost));
        uint32_t rest = (uint32_t)(j % ((uint64_t)c->nsvc * c->nhost));
        int rc = gen_profile(c, &s, rest / c->nhost, rest % c->nhost, wi, &st);
        if (rc != 0) {
            pthread_mutex_lock(&w->mu);
            if (!atomic_load(&w->failed)) {
                w->err = rc;
                snprintf(w->errmsg, sizeof w->errmsg, "%s", kiln_error_last());
                atomic_store(&w->failed, 1);
            }
            pthread_mutex_unlock(&w->mu);
            break;
        }
    }
    pthread_mutex_lock(&w->mu);
    w->stats.files += st.files;
    w->stats.samples += st.samples;
    w->stats.ticks += st.ticks;
    w->stats.bytes += st.bytes;
    pthread_mutex_unlock(&w->mu);
    scratch_free(&s);
    return NULL;
}

static int mkdir_p(const char *path)
{
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0755) != 0 && errno != EEXIST)
            return kiln_error_set(KILN_EIO, "mkdir %s: %s", buf, strerror(errno));
        *p = '/';
    }
    if (mkdir(buf, 0755) != 0 && errno != EEXIST)
        return kiln_error_set(KILN_EIO, "mkdir %s: %s", buf, strerror(errno));
    return 0;
}

const char cmd_gen_help[] =
    "Usage: kiln gen --out DIR [options]\n"
    "\n"
    "Generate a realistic fleet of CPU profiles, one gzip'd pprof per host\n"
    "every interval, as DIR/<service>/<host>/<unix-seconds>.pb.gz (read it back\n"
    "with `kiln ingest --path-labels service_name/host DIR`). Every service is\n"
    "a Go program unless --mix is given. The output is byte-identical for the\n"
    "same arguments (give --end to pin the time).\n"
    "\n"
    "Options:\n"
    "  -o, --out DIR            output directory (created; files are replaced)\n"
    "  -s, --services N         services (default 3; names continue past the\n"
    "                           built-in list: checkout, cart, payments, ...)\n"
    "  -H, --hosts N            hosts per service (default 3)\n"
    "  -d, --duration DUR       time covered, ending at --end (default 1h)\n"
    "      --seed S             random seed (default 1)\n"
    "      --trace-fraction F   share of samples labeled trace_id/span_id\n"
    "                           (default 0.1)\n"
    "      --end T              end of the last window (default: now, rounded\n"
    "                           down to the minute); RFC 3339, unix seconds, now-1h\n"
    "      --interval DUR       profile period (default 10s)\n"
    "      --rate HZ            sampling rate (default 100)\n"
    "  -j, --jobs N             worker threads (default: online CPUs, at most 8)\n"
    "      --mix                a polyglot fleet, as real ones are: services 1-5\n"
    "                           run on the JVM (Spring on Tomcat, async-profiler\n"
    "                           style: com/acme/Foo.bar names, system names\n"
    "                           Lcom/acme/Foo;.bar, deep framework\n"
    "                           stacks, Interpreter and [unknown] frames), Node\n"
    "                           (Express; V8 frames named \"fn (file:line:col)\"),\n"
    "                           Go, Python (Django under gunicorn; \"fn (file:line)\")\n"
    "                           and native Rust (tokio/axum); later ones draw a\n"
    "                           runtime (JVM 35 %, Go 30 %, Python 15 %, Node 12 %,\n"
    "                           native 8 %). Non-Go services are recorded eBPF\n"
    "                           style: native frames of the runtime, libc and the\n"
    "                           kernel with mappings and build ids, some left\n"
    "                           unsymbolized as [unknown]. Each service's own code\n"
    "                           is named from words drawn per service, so the\n"
    "                           fleet's distinct functions grow with --services\n"
    "      --otlp               also write each profile as OpenTelemetry\n"
    "                           (<unix-seconds>.otlp.pb, an OTLP profiles\n"
    "                           export request; ingest one kind or the other)\n"
    "  -q, --quiet              no summary line\n"
    "  -h, --help               this help\n"
    "\n"
    "Examples:\n"
    "  kiln gen --out fleet --services 3 --hosts 3 --duration 1h --seed 1\n"
    "  kiln gen --out poly --mix --services 5 --hosts 2 --duration 10m\n"
    "  kiln gen --out day --services 10 --hosts 5 --duration 24h \\\n"
    "           --end 2026-11-24T00:00:00Z --trace-fraction 0.2\n";

int cmd_gen(int argc, char **argv)
{
    static const struct option opts[] = {
        {"out", required_argument, NULL, 'o'},
        {"services", required_argument, NULL, 's'},
        {"hosts", required_argument, NULL, 'H'},
        {"duration", required_argument, NULL, 'd'},
        {"seed", required_argument, NULL, 'S'},
        {"trace-fraction", required_argument, NULL, 'F'},
        {"end", required_argument, NULL, 'E'},
        {"interval", required_argument, NULL, 'I'},
        {"rate", required_argument, NULL, 'R'},
        {"jobs", required_argument, NULL, 'j'},
        {"otlp", no_argument, NULL, 'O'},
        {"mix", no_argument, NULL, 'M'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *out = NULL, *end_s = NULL;
    uint64_t nsvc = 3, nhost = 3, seed = 1, jobs = 0;
    int64_t duration = 3600 * NSEC, interval = 10 * NSEC, end;
    double frac = 0.1, rate = 100;
    int quiet = 0, mix = 0, rc = 0, exit_code = CLI_EXIT_OK;
    gjob_cfg cfg;
    memset(&cfg, 0, sizeof cfg);
    int c;
    optind = 0;
    while ((c = getopt_long(argc, argv, "o:s:H:d:j:qh", opts, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 's': rc = cli_parse_u64(optarg, 1, 65535, "--services", &nsvc); break;
        case 'H': rc = cli_parse_u64(optarg, 1, 65535, "--hosts", &nhost); break;
        case 'd': rc = cli_parse_duration(optarg, &duration); break;
        case 'S': rc = cli_parse_u64(optarg, 0, UINT64_MAX, "--seed", &seed); break;
        case 'F': rc = cli_parse_double(optarg, 0, 1, "--trace-fraction", &frac); break;
        case 'E': end_s = optarg; break;
        case 'I': rc = cli_parse_duration(optarg, &interval); break;
        case 'R': rc = cli_parse_double(optarg, 1, 10000, "--rate", &rate); break;
        case 'j': rc = cli_parse_u64(optarg, 1, 256, "--jobs", &jobs); break;
        case 'q': quiet = 1; break;
        case 'O': cfg.otlp = 1; break;
        case 'M': mix = 1; break;
        case 'h': fputs(cmd_gen_help, stdout); return CLI_EXIT_OK;
        default: return cli_usage_error("gen", "bad option");
        }
        if (rc != 0)
            return cli_usage_error("gen", "%s", kiln_error_last());
    }
    if (optind < argc)
        return cli_usage_error("gen", "unexpected argument \"%s\"", argv[optind]);
    if (out == NULL)
        return cli_usage_error("gen", "--out DIR is required");
    if (interval < NSEC / 100)
        return cli_usage_error("gen", "--interval must be at least 10ms");
    if (duration < interval)
        return cli_usage_error("gen", "--duration must be at least one --interval");
    int64_t now = cli_now_ns();
    if (end_s) {
        if (cli_parse_time(end_s, now, &end) != 0)
            return cli_usage_error("gen", "%s", kiln_error_last());
    } else {
        end = now - now % (60 * NSEC);
    }
    uint64_t nwin = (uint64_t)(duration / interval);
    if (nwin * nsvc * nhost > 100000000ULL)
        return cli_usage_error("gen", "that is more than 100 million profiles");

    cfg.out = out;
    cfg.seed = seed;
    cfg.nsvc = (uint32_t)nsvc;
    cfg.nhost = (uint32_t)nhost;
    cfg.nwin = (uint32_t)nwin;
    cfg.interval = interval;
    cfg.t0 = end - (int64_t)nwin * interval;
    cfg.rate = rate;
    cfg.trace_frac = frac;
    cfg.svc = calloc(nsvc, sizeof *cfg.svc);
    cfg.host = calloc(nsvc * nhost, sizeof *cfg.host);
    if (cfg.svc == NULL || cfg.host == NULL)
        gen_oom();
    for (uint32_t si = 0; si < nsvc; si++) {
        model_build(&cfg.svc[si], seed, si, mix);
        for (uint32_t hi = 0; hi < nhost; hi++)
            host_build(&cfg.host[(size_t)si * nhost + hi], &cfg.svc[si], seed,
                       si, hi, &cfg.host[(size_t)si * nhost], hi);
    }
    for (uint32_t si = 0; si < nsvc && rc == 0; si++)
        for (uint32_t hi = 0; hi < nhost && rc == 0; hi++) {
            char dir[4096];
            snprintf(dir, sizeof dir, "%s/%s/%s", out, cfg.svc[si].name,
                     cfg.host[(size_t)si * nhost + hi].name);
            rc = mkdir_p(dir);
        }
    if (rc != 0) {
        exit_code = cli_fail("gen", rc);
        goto out;
    }

    if (jobs == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        jobs = n < 1 ? 1 : n > 8 ? 8 : (uint64_t)n;
    }
    gwork w;
    memset(&w, 0, sizeof w);
    w.cfg = &cfg;
    w.njobs = nwin * nsvc * nhost;
    atomic_init(&w.next, 0);
    atomic_init(&w.failed, 0);
    pthread_mutex_init(&w.mu, NULL);
    pthread_t th[256];
    uint64_t started = 0;
    for (; started < jobs; started++)
        if (pthread_create(&th[started], NULL, worker, &w) != 0)
            break;
    if (started == 0)
        worker(&w);
    for (uint64_t i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    pthread_mutex_destroy(&w.mu);
    if (atomic_load(&w.failed)) {
        cli_errorf("gen", "%s", w.errmsg);
        exit_code = cli_exit_code(w.err);
        goto out;
    }
    if (!quiet) {
        char b[32], t0[48], t1[48];
        cli_format_bytes(w.stats.bytes, b);
        cli_format_time(cfg.t0, t0);
        cli_format_time(end, t1);
        printf("kiln gen: %llu files (%llu services x %llu hosts x %llu windows, "
               "%s .. %s), %llu samples (%llu pprof sample records), %s "
               "(%llu bytes) in %s\n",
               (unsigned long long)w.stats.files, (unsigned long long)nsvc,
               (unsigned long long)nhost, (unsigned long long)nwin, t0, t1,
               (unsigned long long)w.stats.ticks,
               (unsigned long long)w.stats.samples, b,
               (unsigned long long)w.stats.bytes, out);
    }
out:
    for (uint32_t si = 0; si < nsvc && cfg.svc; si++) {
        for (uint32_t hi = 0; hi < nhost && cfg.host; hi++)
            free(cfg.host[(size_t)si * nhost + hi].wmul);
        model_free(&cfg.svc[si]);
    }
    free(cfg.svc);
    free(cfg.host);
    return exit_code;
}
