/* gen_model.h: the layer under every `kiln gen` runtime: a deterministic
 * PRNG, and the model of one service (interned strings, binaries mapped into
 * its processes, functions, locations, weighted stack templates) that the
 * runtime composers (gen.c for Go, gen_mix.c for JVM, Python, Node and native
 * code) fill and gen.c turns into profiles. Private to tools/. */
#ifndef KILN_GEN_MODEL_H
#define KILN_GEN_MODEL_H

#include <stddef.h>
#include <stdint.h>

#define MAX_FRAMES 256 /* deepest composed stack */
#define MAX_EPS 16     /* endpoints per service */
#define GEN_MAX_MAPS 16 /* binaries mapped into one service's processes */
#define GEN_NOMAP 0xff  /* interpreted or JIT frame: no mapping, no address */

/* ---- PRNG: splitmix64, seeded by hashing the coordinates of a thing ---- */

typedef struct rng {
    uint64_t s; /* splitmix64 state */
} rng;

uint64_t gen_mix64(uint64_t z); /* bijective */
rng rng_for(uint64_t a, uint64_t b, uint64_t c, uint64_t d);
uint64_t rng_next(rng *r);
double rng_unit(rng *r); /* [0, 1) */
uint32_t rng_below(rng *r, uint32_t n);
double rng_gauss(rng *r);
uint64_t hash_str(const char *s);

/* snprintf that may truncate on purpose (names are bounded by design). */
void sfmt(char *dst, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
_Noreturn void gen_oom(void);

#define GROW(p, n, cap)                                                       \
    do {                                                                      \
        if ((size_t)(n) >= (size_t)(cap)) {                                   \
            size_t nc_ = (cap) ? (size_t)(cap) * 2 : 64;                      \
            while (nc_ <= (size_t)(n))                                        \
                nc_ *= 2;                                                     \
            void *np_ = realloc((p), nc_ * sizeof *(p));                      \
            if (np_ == NULL)                                                  \
                gen_oom();                                                    \
            (p) = np_;                                                        \
            (cap) = nc_;                                                      \
        }                                                                     \
    } while (0)

/* ---- what a service does (its words and the libraries it uses) ---- */

/* Service features: which library chains a service's code uses. */
enum {
    F_SQL = 1 << 0, F_REDIS = 1 << 1, F_KAFKA = 1 << 2, F_SSL = 1 << 3,
    F_FIPS = 1 << 4, F_ZLIB = 1 << 5, F_REGEX = 1 << 6, F_TMPL = 1 << 7,
    F_RANK = 1 << 8, F_JWT = 1 << 9, F_BCRYPT = 1 << 10, F_GRPC = 1 << 11,
    F_HASH = 1 << 12, F_PEERS = 1 << 13,
};

typedef struct gen_svcdef {
    const char *name;
    const char *nouns; /* comma-separated domain nouns */
    const char *eps;   /* endpoint (method) names */
    const char *pkgs;  /* internal packages */
    const char *peers; /* services it calls over gRPC */
    const char *ext;   /* external partner reached over TLS (libssl) */
    unsigned feat;
} gen_svcdef;

/* ---- the model of one service ---- */

/* Where a binary lies in a process's address space. */
enum { PLACE_EXE_FIXED, PLACE_EXE_PIE, PLACE_LIB, PLACE_VDSO, PLACE_KERNEL };

/* How a function's frames carry line numbers. */
enum {
    LINES_NONE,  /* native code without debug info: line 0 */
    LINES_CALL,  /* the call site, varying with the callee (Go, Java) */
    LINES_FIXED, /* the function's own start line (names that carry it) */
};

typedef struct gmap {
    uint32_t file, buildid; /* model string ids */
    uint64_t size;          /* bytes of text */
    uint64_t fileoff;       /* file offset of the text mapping */
    uint8_t place;          /* PLACE_* */
    uint8_t debug;          /* file names, lines and inline frames known */
} gmap;

typedef struct gfn {
    uint32_t name, sysname, file; /* model string ids */
    int32_t start;                /* first line; 0 when unknown */
    uint8_t map;                  /* index in gsvc.map, GEN_NOMAP */
    uint8_t lines;                /* LINES_* */
    uint32_t off;                 /* entry offset in its binary's text */
} gfn;

typedef struct gloc {
    uint32_t line0;  /* first of nlines in lfn/lline, innermost first */
    uint32_t nlines; /* > 1 when calls were inlined */
    uint8_t map;     /* GEN_NOMAP: address 0 */
    uint32_t off;    /* address offset in the binary's text */
} gloc;

typedef struct gtmpl {
    uint32_t loc0, nloc; /* locations in tloc, leaf first */
    double w;            /* share of the service's CPU, sums to 1 */
    int32_t ep;          /* endpoint, -1 for background work */
    int32_t step;        /* step within the endpoint */
} gtmpl;

typedef struct gsvc {
    char name[48], svcid[48], Svc[48];
    unsigned feat;
    char **str;             /* interned strings; [0] = "" */
    size_t nstr, capstr;
    uint32_t *strslot;      /* open addressing: id + 1, 0 = empty */
    size_t nstrslot;        /* power of two */
    uint32_t *fn_of_str;    /* per string: function id + 1, 0 = none */
    size_t capfos;
    gfn *fn;
    size_t nfn, capfn;
    gloc *loc;
    size_t nloc, caploc;
    uint32_t *locslot;      /* open addressing over loc: id + 1 */
    size_t nlocslot;
    uint64_t *lockey;       /* per location: its salt (see model_loc) */
    size_t caplockey;
    uint32_t *lfn;          /* line function ids */
    int32_t *lline;         /* line numbers */
    size_t nline, capline, capline2;
    gtmpl *t;
    size_t nt, capt;
    uint32_t *tloc;
    size_t ntloc, captloc;
    uint32_t nreq;          /* templates [0, nreq) serve requests */
    uint32_t nep;
    uint32_t ep_first[MAX_EPS], ep_end[MAX_EPS], ep_steps[MAX_EPS];
    gmap map[GEN_MAX_MAPS]; /* in the order a profile lists them */
    uint32_t nmap;
    uint8_t map_of[128];    /* library letter -> map index + 1 */
    double cpu_base;        /* cores used at mean load */
    double phase_day, phase_hour; /* radians */
    uint32_t s_fixed[4];    /* "samples" "count" "cpu" "nanoseconds" */
    uint32_t s_trace, s_span;
} gsvc;

/* Name, load shape and the fixed strings of service idx; r continues to
 * serve the composer. */
void model_init(gsvc *m, rng *r, const char *name);
void model_free(gsvc *m);
uint32_t intern(gsvc *m, const char *s);
/* A binary, reachable as letter (0 for none); its build id is buildid, or
 * derived from the file name when NULL. Returns its index. */
uint8_t model_map(gsvc *m, char letter, const char *file, uint64_t size,
                  uint64_t fileoff, int place, int debug, const char *buildid);
/* The map of a library letter; asserts it exists. */
uint8_t model_map_of(const gsvc *m, char letter);
/* The function named name (interned once per name): sysname NULL = name,
 * file NULL = none, map GEN_NOMAP for code without an address. */
uint32_t model_fn_add(gsvc *m, const char *name, const char *sysname,
                      const char *file, int32_t start, uint8_t map,
                      int lines);
/* A location for the inlined chain fns/lines (innermost first), in the
 * binary of its outermost function; a non-zero salt makes it a location of
 * its own in binary map, at an address drawn from the salt (an [unknown]
 * frame: one function, many addresses). */
uint32_t model_loc(gsvc *m, const uint32_t *fns, const int32_t *lines,
                   size_t n, uint64_t salt, uint8_t map);

typedef struct gframe {
    uint32_t fn;
    uint8_t inl;   /* inlined into the frame before it */
    uint8_t map;   /* with salt: the binary of the address */
    uint64_t salt; /* see model_loc; 0 for most frames */
} gframe;

typedef struct gstack {
    gframe f[MAX_FRAMES];
    size_t n;
} gstack;

void stack_push(gstack *st, uint32_t fn, int inl, uint8_t map, uint64_t salt);
/* Turn the composed frames (root first) into locations and add a template. */
void add_template(gsvc *m, const gstack *st, double w, int32_t ep,
                  int32_t step, unsigned leaf_variant);

/* Each ';'-separated frame of chain (in a copy of at most 32 KB): tok with a
 * leading '~' removed and inl set. */
typedef void (*gen_frame_cb)(void *ctx, char *tok, int inl);
void chain_each(const char *chain, gen_frame_cb cb, void *ctx);

/* Small helpers for composers. */
size_t count_leaves(const char *const *leaves); /* up to 8, NULL-ended */
size_t split_list(const char *list, char out[][48], size_t max);
void camel(const char *s, char *out, size_t cap);
/* The weights of alternative leaves (up to 8, NULL-ended) that together
 * take share of the CPU, Zipf-distributed; returns how many. */
size_t leaf_shares(rng *r, const char *const *leaves, double share, double *w);
/* Scale the request templates [0, nreq), of weight reqw in all, to take
 * what background work (bgw) leaves of the CPU. */
void model_share_requests(gsvc *m, double reqw, double bgw);
/* Move lo + (a draw below span) of v[0, n) (at most n) to its front, in a
 * random order; returns how many. */
size_t pick_some(rng *r, size_t *v, size_t n, size_t lo, uint32_t span);
/* Permuted Zipf weights: w[i] = 1/(rank_i+1)^s over a shuffled ranking. */
void zipf(rng *r, double *w, size_t n, double s);

/* ---- hosts: where each binary is mapped on one host ---- */

typedef struct ghost {
    char name[64];               /* pod-style host name */
    double cpu;                  /* this host's load factor, ~0.7..1.3 */
    float *wmul;                 /* per template weight factor */
    uint64_t base[GEN_MAX_MAPS]; /* where each binary is mapped (ASLR) */
} ghost;

void host_build(ghost *h, const gsvc *m, uint64_t seed, uint32_t si,
                uint32_t hi, const ghost *prev, uint32_t nprev);

#endif
