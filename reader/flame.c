/* flame.c: flame graphs of query results (SVG, or an HTML page with a
 * top-functions table), differential graphs of two results and the table
 * of functions whose share changed: an output over the result's call tree,
 * like render.c's, that draws itself with inline script (flame.js). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <kiln/flame.h>

#include "output_internal.h"

extern const char rd_flame_js[]; /* flame.js, embedded at build time */

static int64_t add64(int64_t a, int64_t b)
{
    return (int64_t)((uint64_t)a + (uint64_t)b);
}

/* ---- the frame tree: one frame per function name on a path ---- */

typedef struct fgraph {
    kiln_strtab names;   /* frame names; id 0 = "" (the root) */
    uint32_t *parent;    /* per frame; parent[0] = 0 */
    uint32_t *name;      /* per frame: id in names */
    int64_t *val[2];     /* per frame and side: self while adding, then
                          * cumulative (fg_sum) */
    size_t n, cap;       /* frames, allocated */
    kiln_htab index;     /* (parent, name) -> frame */
    int sides;           /* 1, or 2 in a diff: side 0 base, 1 target */
    int64_t total[2];    /* per side: the root's cumulative value */
} fgraph;

typedef struct fkey {
    uint32_t parent, name;
} fkey;

static bool fkey_eq(const void *ctx, uint32_t id, const void *key)
{
    const fgraph *g = ctx;
    const fkey *k = key;
    return g->parent[id] == k->parent && g->name[id] == k->name;
}

static int fg_init(fgraph *g, int sides)
{
    int rc;

    memset(g, 0, sizeof *g);
    g->sides = sides;
    if ((rc = strtab_init(&g->names)) < 0)
        return rc;
    g->cap = 1024;
    g->parent = malloc(g->cap * sizeof *g->parent);
    g->name = malloc(g->cap * sizeof *g->name);
    g->val[0] = calloc(g->cap, sizeof *g->val[0]);
    g->val[1] = calloc(g->cap, sizeof *g->val[1]);
    if (!g->parent || !g->name || !g->val[0] || !g->val[1])
        return nomem();
    g->parent[0] = 0;
    g->name[0] = 0;
    g->n = 1;
    return 0;
}

static void fg_free(fgraph *g)
{
    strtab_free(&g->names);
    free(g->parent);
    free(g->name);
    free(g->val[0]);
    free(g->val[1]);
    htab_free(&g->index);
}

/* The child of frame `parent` named `name` (created when new). */
static int fg_child(fgraph *g, uint32_t parent, uint32_t name, uint32_t *out)
{
    fkey k = {parent, name};
    uint64_t h = hash64(&k, sizeof k, 0x666c616d65);
    size_t slot;
    uint32_t id;
    int rc;

    if ((rc = htab_find(&g->index, h, fkey_eq, g, &k, &id, &slot)) < 0)
        return rc;
    if (rc == 1) {
        *out = id;
        return 0;
    }
    if (g->n == g->cap) {
        size_t cap = g->cap * 2;
        uint32_t *p = realloc(g->parent, cap * sizeof *p);
        if (p)
            g->parent = p;
        uint32_t *nm = realloc(g->name, cap * sizeof *nm);
        if (nm)
            g->name = nm;
        int64_t *v0 = realloc(g->val[0], cap * sizeof *v0);
        if (v0)
            g->val[0] = v0;
        int64_t *v1 = realloc(g->val[1], cap * sizeof *v1);
        if (v1)
            g->val[1] = v1;
        if (!p || !nm || !v0 || !v1)
            return nomem();
        memset(g->val[0] + g->cap, 0, (cap - g->cap) * sizeof *v0);
        memset(g->val[1] + g->cap, 0, (cap - g->cap) * sizeof *v1);
        g->cap = cap;
    }
    id = (uint32_t)g->n++;
    g->parent[id] = parent;
    g->name[id] = name;
    if ((rc = htab_insert(&g->index, h, slot, id)) < 0)
        return rc;
    *out = id;
    return 0;
}

static int check_type(const kiln_result *r, size_t type, const char *what)
{
    if (r->ntypes && type >= r->ntypes)
        return kiln_error_set(KILN_EINVAL, "flame: %s sample type %zu of %zu",
                              what, type, r->ntypes);
    return 0;
}

/* Add r's values of `type` to side `side`: each result node's frames
 * (inlined lines outermost first) become a path of named frames. */
static int fg_add(fgraph *g, const kiln_result *r, size_t type, int side)
{
    const int64_t *vals;
    int64_t *tmp = NULL;
    uint32_t *fmap = NULL;
    size_t nt = r->ntypes;
    char hex[24];
    int rc;

    if (nt == 0 || r->stk.n == 0)
        return 0; /* an empty result adds nothing */
    if ((rc = rd_node_values(r, &vals, &tmp)) < 0)
        goto out;
    fmap = malloc(r->stk.n * sizeof *fmap);
    if (!fmap) {
        rc = nomem();
        goto out;
    }
    fmap[0] = 0;
    g->val[side][0] = add64(g->val[side][0], vals[type]);
    for (uint32_t n = 1; n < r->stk.n; n++) {
        uint32_t f = fmap[r->stk.parent[n]], loc = r->stk.loc[n];
        const kiln_location *l = &r->sym.locations[loc];
        uint32_t nl = l->nlines ? l->nlines : 1;
        for (uint32_t j = nl; j-- > 0;) {
            const char *s;
            size_t len;
            uint32_t id;
            rd_frame_name(r, loc, j, hex, &s, &len);
            if ((rc = strtab_intern(&g->names, s, len, &id)) < 0 ||
                (rc = fg_child(g, f, id, &f)) < 0)
                goto out;
        }
        fmap[n] = f;
        g->val[side][f] = add64(g->val[side][f], vals[(size_t)n * nt + type]);
    }
out:
    free(fmap);
    free(tmp);
    return rc;
}

/* Self values into cumulative ones (a child's id is above its parent's). */
static void fg_sum(fgraph *g)
{
    for (size_t f = g->n; f-- > 1;)
        for (int s = 0; s < 2; s++)
            g->val[s][g->parent[f]] = add64(g->val[s][g->parent[f]],
                                            g->val[s][f]);
    g->total[0] = g->val[0][0];
    g->total[1] = g->val[1][0];
}

/* ---- text helpers ---- */

/* XML/HTML escapes: markup characters as entities, control characters
 * (not allowed in XML 1.0) as spaces. */
static size_t xml_esc(uint8_t c, char esc[8])
{
    const char *e = c == '&' ? "&amp;" : c == '<' ? "&lt;" : c == '>' ? "&gt;"
                  : c == '"' ? "&quot;" : c == '\'' ? "&#39;"
                  : c < 0x20 || c == 0x7f ? " " : NULL;
    if (!e)
        return 0;
    memcpy(esc, e, strlen(e));
    return strlen(e);
}

/* s as XML/HTML character data or attribute value; bytes that are not
 * UTF-8 as U+FFFD. */
static int xml_text(kiln_buf *b, const char *s, size_t n)
{
    return rd_escape(b, s, n, xml_esc, "\xef\xbf\xbd");
}

static int xml_str(kiln_buf *b, const char *s)
{
    return xml_text(b, s, strlen(s));
}

/* JSON's escapes, and '<', '>', '&' as \u escapes, so that a string is
 * also safe inside a <script> element and a CDATA section. */
static size_t js_esc(uint8_t c, char esc[8])
{
    if (c == '<' || c == '>' || c == '&')
        return (size_t)snprintf(esc, 8, "\\u%04x", c);
    return rd_json_esc(c, esc);
}

static int js_str(kiln_buf *b, const char *s, size_t n)
{
    int rc;

    if ((rc = kiln_buf_append(b, "\"", 1)) < 0 ||
        (rc = rd_escape(b, s, n, js_esc, "\\ufffd")) < 0)
        return rc;
    return kiln_buf_append(b, "\"", 1);
}

static int js_cstr(kiln_buf *b, const char *s)
{
    return js_str(b, s, strlen(s));
}

static void fmt_time(int64_t ns, char out[32])
{
    time_t t = (time_t)(ns / 1000000000 - (ns % 1000000000 < 0));
    struct tm tm;
    if (gmtime_r(&t, &tm) == NULL ||
        strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(out, 32, "%" PRId64 "ns", ns);
}

/* "FROM .. TO" of a side: the asked range, or the matched rows' own. */
static int put_range(kiln_buf *b, const kiln_result *r, int64_t from,
                     int64_t to)
{
    kiln_result_stats st;
    char a[32], z[32];

    kiln_result_stats_get(r, &st);
    if (st.rows == 0 && (from == KILN_TIME_MIN || to == KILN_TIME_MAX))
        return rd_bprintf(b, "no samples");
    fmt_time(from == KILN_TIME_MIN ? st.tmin : from, a);
    fmt_time(to == KILN_TIME_MAX ? st.tmax : to, z);
    return rd_bprintf(b, "%s .. %s", a, z);
}

static void type_of(const kiln_result *r, size_t type, const char **ty,
                    const char **un)
{
    *ty = "none";
    *un = "";
    if (r->ntypes)
        kiln_result_type(r, type, ty, un);
}

/* ---- what the page draws ---- */

typedef struct fpage {
    const kiln_flame_opts *o;
    const kiln_result *r[2];   /* side 0 base (diff only), 1 target */
    fgraph g;
    kiln_strtab onames;        /* names as emitted; the index in KF.names */
    kiln_buf frames;           /* the KF.f array's body */
    size_t nframes;            /* emitted */
    uint32_t maxdepth;
    uint64_t merged;           /* frames merged into "other" frames */
    int64_t merged_val;        /* their target-side value */
    kiln_buf sub;              /* the subtitle */
} fpage;

static void fpage_free(fpage *p)
{
    fg_free(&p->g);
    strtab_free(&p->onames);
    kiln_buf_free(&p->frames);
    kiln_buf_free(&p->sub);
}

static int opts_check(const kiln_flame_opts *o)
{
    int rc = opts_version_check("flame options", o->version, 1,
                                KILN_FLAME_OPTS_VERSION);

    if (rc < 0)
        return rc;
    if (!(o->min_frame >= 0 && o->min_frame < 1))
        return kiln_error_set(KILN_EINVAL, "flame: min_frame %g is not in "
                              "[0, 1)", o->min_frame);
    return 0;
}

static _Thread_local uint32_t *g_kids_ctx_name; /* qsort context */
static _Thread_local const kiln_strtab *g_kids_ctx_tab;

static int cmp_kid(const void *a, const void *b)
{
    uint32_t x = g_kids_ctx_name[*(const uint32_t *)a];
    uint32_t y = g_kids_ctx_name[*(const uint32_t *)b];
    const kiln_strtab *t = g_kids_ctx_tab;
    size_t lx = t->len[x], ly = t->len[y];
    int c = memcmp(strtab_get(t, x), strtab_get(t, y),
                   lx < ly ? lx : ly);
    return c ? c : (lx > ly) - (lx < ly);
}

/* One frame of KF.f: name index, depth, target value[, base value]. */
static int emit_frame(fpage *p, const char *name, size_t len, uint32_t depth,
                      int64_t v1, int64_t v0)
{
    uint32_t id;
    int rc;

    if ((rc = strtab_intern(&p->onames, name, len, &id)) < 0)
        return rc;
    if (depth > p->maxdepth)
        p->maxdepth = depth;
    p->nframes++;
    if (p->g.sides == 2)
        return rd_bprintf(&p->frames, "%s%u,%u,%" PRId64 ",%" PRId64,
                          p->nframes > 1 ? "," : "", id, depth, v1, v0);
    return rd_bprintf(&p->frames, "%s%u,%u,%" PRId64,
                      p->nframes > 1 ? "," : "", id, depth, v1);
}

/* A frame is drawn when it has a value on some side; it is small when it
 * is below the threshold on every side. */
static bool fr_zero(const fgraph *g, uint32_t f)
{
    return g->val[1][f] == 0 && g->val[0][f] == 0;
}

static bool fr_small(const fgraph *g, uint32_t f, const double thr[2])
{
    for (int s = 2 - g->sides; s < 2; s++) {
        double v = (double)g->val[s][f];
        if ((v < 0 ? -v : v) >= thr[s])
            return false;
    }
    return true;
}

/* Walk the tree in preorder, children by name, emitting every frame with
 * a value and merging each parent's small children into one "other". */
static int emit_tree(fpage *p)
{
    fgraph *g = &p->g;
    uint32_t *cnt = NULL, *off = NULL, *kids = NULL, *sz = NULL;
    struct walk { uint32_t f, depth, next; } *st = NULL;
    size_t nst = 0;
    double thr[2];
    char other[96];
    int rc = 0;

    for (int s = 0; s < 2; s++) {
        double t = (double)g->total[s];
        thr[s] = p->o->min_frame * (t < 0 ? -t : t);
    }
    cnt = calloc(g->n + 1, sizeof *cnt);
    off = calloc(g->n + 1, sizeof *off);
    kids = malloc(g->n * sizeof *kids);
    sz = malloc(g->n * sizeof *sz);
    st = malloc(g->n * sizeof *st);
    if (!cnt || !off || !kids || !sz || !st) {
        rc = nomem();
        goto out;
    }
    for (size_t f = 1; f < g->n; f++)
        cnt[g->parent[f]]++;
    for (size_t f = 0; f < g->n; f++)
        off[f + 1] = off[f] + cnt[f];
    memset(cnt, 0, (g->n + 1) * sizeof *cnt);
    for (size_t f = 1; f < g->n; f++) {
        uint32_t pa = g->parent[f];
        kids[off[pa] + cnt[pa]++] = (uint32_t)f;
    }
    g_kids_ctx_name = g->name;
    g_kids_ctx_tab = &g->names;
    for (size_t f = 0; f < g->n; f++)
        if (cnt[f] > 1)
            qsort(kids + off[f], cnt[f], sizeof *kids, cmp_kid);
    for (size_t f = g->n; f-- > 0;) {
        sz[f] = fr_zero(g, (uint32_t)f) ? 0 : 1;
        for (uint32_t k = off[f]; k < off[f + 1]; k++)
            sz[f] += sz[kids[k]];
    }
    if ((rc = emit_frame(p, "", 0, 0, g->val[1][0], g->val[0][0])) < 0)
        goto out;
    st[nst++] = (struct walk){0, 0, off[0]};
    while (nst) {
        struct walk *w = &st[nst - 1];
        if (w->next == off[w->f + 1]) {
            /* Children done: their small siblings' "other" frame. */
            uint64_t nm = 0;
            int64_t o1 = 0, o0 = 0;
            for (uint32_t k = off[w->f]; k < off[w->f + 1]; k++) {
                uint32_t c = kids[k];
                if (fr_zero(g, c) || !fr_small(g, c, thr))
                    continue;
                nm += sz[c];
                o1 = add64(o1, g->val[1][c]);
                o0 = add64(o0, g->val[0][c]);
            }
            if (nm) {
                int len = snprintf(other, sizeof other,
                                   "other (%" PRIu64 " frame%s below %g%%)",
                                   nm, nm == 1 ? "" : "s",
                                   p->o->min_frame * 100);
                if ((rc = emit_frame(p, other, (size_t)len, w->depth + 1, o1,
                                     o0)) < 0)
                    goto out;
                p->merged += nm;
                p->merged_val = add64(p->merged_val, o1);
            }
            nst--;
            continue;
        }
        uint32_t c = kids[w->next++];
        if (fr_zero(g, c) || fr_small(g, c, thr))
            continue;
        uint32_t d = w->depth + 1;
        if ((rc = emit_frame(p, strtab_get(&g->names, g->name[c]),
                             g->names.len[g->name[c]], d, g->val[1][c],
                             g->val[0][c])) < 0)
            goto out;
        st[nst++] = (struct walk){c, d, off[c]};
    }
out:
    free(cnt);
    free(off);
    free(kids);
    free(sz);
    free(st);
    return rc;
}

/* The colour key of a name: a hash of its package or module, so a
 * package keeps its colour across graphs ("net/http" of
 * "net/http.(*conn).serve", "std" of "std::vector<int>::push_back",
 * "runtime" of "runtime.mallocgc"; a hex address has none). */
static uint32_t colour_key(const char *s, size_t n)
{
    size_t end = n, start = 0;
    uint64_t h = 1469598103934665603ULL;

    if (n >= 2 && s[0] == '0' && s[1] == 'x')
        return 0;
    const char *cc = NULL;
    for (size_t i = 0; i + 1 < n; i++)
        if (s[i] == ':' && s[i + 1] == ':') {
            cc = s + i;
            break;
        }
    if (cc) {
        end = (size_t)(cc - s);
    } else {
        for (size_t i = 0; i < n; i++)
            if (s[i] == '/')
                start = i + 1;
        for (size_t i = start; i < n; i++)
            if (s[i] == '.' || s[i] == '(' || s[i] == ' ') {
                end = i;
                break;
            }
    }
    for (size_t i = 0; i < end; i++) {
        h ^= (uint8_t)s[i];
        h *= 1099511628211ULL;
    }
    return (uint32_t)(h % 9973) + 1;
}

/* The steps the script labels values with (kiln_value_format's), as
 * [size in the sample unit, label] pairs. */
static int unit_steps(kiln_buf *b, const char *unit)
{
    size_t n;
    double factor;
    const rd_unit_step *st = rd_unit_family(unit, &n, &factor);
    int rc = rd_bprintf(b, "[");

    for (size_t i = 0; rc == 0 && i < n; i++) {
        rc = rd_bprintf(b, "%s[%.17g,", i ? "," : "", st[i].size / factor);
        if (rc == 0)
            rc = js_cstr(b, st[i].label);
        if (rc == 0)
            rc = rd_bprintf(b, "]");
    }
    return rc ? rc : rd_bprintf(b, "],\"count\":%d", st[0].label[0] == 0);
}

/* var KF = {...}; the data the script draws. */
static int emit_data(fpage *p, kiln_buf *b)
{
    const char *ty, *un;
    int rc;

    type_of(p->r[1], p->o->type, &ty, &un);
    unsigned width = p->o->width ? p->o->width : 1200;
    if (width < 200)
        width = 200;
    if ((rc = rd_bprintf(b, "var KF={\"diff\":%d,\"icicle\":%d,\"width\":%u,"
                         "\"s\":%d,\"total\":%" PRId64 ",\"btotal\":%" PRId64
                         ",\"unit\":", p->g.sides == 2, p->o->icicle != 0,
                         width, p->g.sides == 2 ? 4 : 3, p->g.total[1],
                         p->g.total[0])) < 0 ||
        (rc = js_cstr(b, un)) < 0 ||
        (rc = rd_bprintf(b, ",\"steps\":")) < 0 ||
        (rc = unit_steps(b, un)) < 0 ||
        (rc = rd_bprintf(b, ",\n\"names\":[")) < 0)
        return rc;
    for (uint32_t i = 0; i < p->onames.n; i++) {
        if ((i && (rc = kiln_buf_append(b, ",", 1)) < 0) ||
            (rc = js_str(b, strtab_get(&p->onames, i),
                         p->onames.len[i])) < 0)
            return rc;
    }
    if ((rc = rd_bprintf(b, "],\n\"cols\":[")) < 0)
        return rc;
    for (uint32_t i = 0; i < p->onames.n; i++)
        if ((rc = rd_bprintf(b, "%s%u", i ? "," : "",
                             colour_key(strtab_get(&p->onames, i),
                                        p->onames.len[i]))) < 0)
            return rc;
    if ((rc = rd_bprintf(b, "],\n\"f\":[")) < 0 ||
        (rc = kiln_buf_append(b, p->frames.data, p->frames.len)) < 0)
        return rc;
    return rd_bprintf(b, "]};\n");
}

/* The subtitle: range, type, total, what merged; a diff names both
 * sides. */
static int make_sub(fpage *p)
{
    const kiln_flame_opts *o = p->o;
    kiln_buf *b = &p->sub;
    const char *ty, *un;
    char v[KILN_VALUE_MAX];
    int rc;

    type_of(p->r[1], o->type, &ty, &un);
    if (p->g.sides == 2) {
        kiln_value_format(v, p->g.total[0], un, 0);
        if ((rc = rd_bprintf(b, "base %s, ", o->base_title ? o->base_title
                                                           : "base")) < 0 ||
            (rc = put_range(b, p->r[0], o->base_from, o->base_to)) < 0 ||
            (rc = rd_bprintf(b, ", total %s  |  target: ", v)) < 0)
            return rc;
    }
    kiln_value_format(v, p->g.total[1], un, 0);
    if ((rc = put_range(b, p->r[1], o->from, o->to)) < 0 ||
        (rc = rd_bprintf(b, "  |  %s (%s)  |  total %s", ty, un, v)) < 0)
        return rc;
    if (p->g.sides == 2 &&
        (rc = rd_bprintf(b, "  |  red: share grew, blue: shrank")) < 0)
        return rc;
    if (p->merged) {
        double t = (double)p->g.total[1];
        kiln_value_format(v, p->merged_val, un, 0);
        rc = rd_bprintf(b, "  |  %" PRIu64 " frame%s below %g%% merged into "
                        "\"other\": %s, %.2f%% of the total", p->merged,
                        p->merged == 1 ? "" : "s", o->min_frame * 100, v,
                        t != 0 ? 100.0 * (double)p->merged_val / t : 0.0);
    }
    return rc;
}

static int fpage_build(fpage *p, const kiln_result *base,
                       const kiln_result *target, const kiln_flame_opts *o)
{
    int rc;

    memset(p, 0, sizeof *p);
    p->o = o;
    p->r[0] = base;
    p->r[1] = target;
    if ((rc = fg_init(&p->g, base ? 2 : 1)) < 0 ||
        (rc = strtab_init(&p->onames)) < 0 ||
        (rc = opts_check(o)) < 0 ||
        (rc = check_type(target, o->type, base ? "target" : "the")) < 0)
        return rc;
    if (base) {
        const char *t0, *u0, *t1, *u1;
        if ((rc = check_type(base, o->base_type, "base")) < 0)
            return rc;
        type_of(base, o->base_type, &t0, &u0);
        type_of(target, o->type, &t1, &u1);
        if (base->ntypes && target->ntypes && strcmp(u0, u1) != 0)
            return kiln_error_set(KILN_EINVAL, "flame: base unit \"%s\" "
                                  "and target unit \"%s\" differ", u0, u1);
        if ((rc = fg_add(&p->g, base, o->base_type, 0)) < 0)
            return rc;
    }
    if ((rc = fg_add(&p->g, target, o->type, 1)) < 0)
        return rc;
    fg_sum(&p->g);
    if ((rc = emit_tree(p)) < 0)
        return rc;
    return make_sub(p);
}

static const char CSS[] =
    "text{font-family:Verdana,sans-serif}"
    ".kf-h{font-size:17px}.kf-s{font-size:12px;fill:#444}"
    ".f text{font-size:12px;fill:#000;pointer-events:none}"
    ".f{cursor:pointer}.f:hover rect{stroke:#000;stroke-width:.6}"
    ".dim rect{fill-opacity:.55}"
    ".kf-btn{font-size:12px;fill:#1a5fb4;cursor:pointer}"
    ".kf-info{font-size:12px;fill:#222}";

static const char PAGE_CSS[] =
    "body{font-family:Verdana,sans-serif;margin:16px;color:#222}"
    "h1{font-size:19px;margin:0 0 4px}#kf-sub{font-size:12px;color:#444;"
    "margin:0 0 8px}h2{font-size:16px}"
    "table{border-collapse:collapse;font-size:12px}"
    "th,td{padding:2px 8px;border-bottom:1px solid #ddd;text-align:right}"
    "th{cursor:pointer;background:#eee;user-select:none}"
    "td:last-child,th:last-child{text-align:left;font-family:monospace}";

static int svg_page(fpage *p, kiln_buf *out)
{
    const char *title = p->o->title ? p->o->title : "all samples";
    unsigned width = p->o->width ? p->o->width : 1200;
    unsigned height = 72 + (p->maxdepth + 1) * 16 + 28;
    int rc;

    if (width < 200)
        width = 200;
    if ((rc = rd_bprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\" "
                         "standalone=\"no\"?>\n<svg xmlns=\"http://www.w3.org/"
                         "2000/svg\" version=\"1.1\" id=\"kf\" width=\"%u\" "
                         "height=\"%u\" viewBox=\"0 0 %u %u\">\n<title>",
                         width, height, width, height)) < 0 ||
        (rc = xml_str(out, p->g.sides == 2 ? "Differential flame graph: "
                                           : "Flame graph: ")) < 0 ||
        (rc = xml_str(out, title)) < 0 ||
        (rc = rd_bprintf(out, "</title>\n<style>%s</style>\n<rect x=\"0\" "
                         "y=\"0\" width=\"100%%\" height=\"100%%\" "
                         "fill=\"#fbfbf8\"/>\n<text id=\"kf-title\" "
                         "class=\"kf-h\" x=\"%u\" y=\"24\" text-anchor="
                         "\"middle\">", CSS, width / 2)) < 0 ||
        (rc = xml_str(out, title)) < 0 ||
        (rc = rd_bprintf(out, "</text>\n<text id=\"kf-sub\" class=\"kf-s\" "
                         "x=\"%u\" y=\"42\" text-anchor=\"middle\">",
                         width / 2)) < 0 ||
        (rc = xml_text(out, (const char *)p->sub.data, p->sub.len)) < 0 ||
        (rc = rd_bprintf(out, "</text>\n<script type=\"text/ecmascript\">"
                         "<![CDATA[\n")) < 0 ||
        (rc = emit_data(p, out)) < 0 ||
        (rc = rd_bprintf(out, "%s]]></script>\n</svg>\n", rd_flame_js)) < 0)
        return rc;
    return 0;
}

/* <td data-v="exact">shown</td> */
static int td_value(kiln_buf *b, int64_t v, const char *unit)
{
    char s[KILN_VALUE_MAX];
    kiln_value_format(s, v, unit, 0);
    return rd_bprintf(b, "<td data-v=\"%" PRId64 "\">%s</td>", v, s);
}

static int td_pct(kiln_buf *b, double pct, bool sign)
{
    return rd_bprintf(b, sign ? "<td data-v=\"%.6f\">%+.2f</td>"
                              : "<td data-v=\"%.6f\">%.2f%%</td>",
                      pct, pct);
}

/* The row's last cell, a function name, and the row's end. */
static int td_last(kiln_buf *b, const char *name)
{
    int rc;

    if ((rc = rd_bprintf(b, "<td>")) < 0 || (rc = xml_str(b, name)) < 0)
        return rc;
    return rd_bprintf(b, "</td></tr>\n");
}

static double share(int64_t v, int64_t total)
{
    return total ? 100.0 * (double)v / (double)total : 0.0;
}

static int top_table(fpage *p, kiln_buf *out)
{
    kiln_top_entry *e = NULL;
    size_t n = 0, rows = p->o->table_rows ? p->o->table_rows : 1000;
    const char *ty, *un;
    int64_t tot = p->g.total[1];
    int rc;

    type_of(p->r[1], p->o->type, &ty, &un);
    if ((rc = kiln_result_top(p->r[1], p->o->type, &e, &n)) < 0)
        return rc;
    if (rows > n)
        rows = n;
    if ((rc = rd_bprintf(out, "<h2>Top functions</h2>\n<p>%zu of %zu "
                         "functions; click a heading to sort.</p>\n<table "
                         "class=\"kf-sort\"><thead><tr><th>flat</th>"
                         "<th>flat%%</th><th>cum</th><th>cum%%</th>"
                         "<th>function</th></tr></thead><tbody>\n", rows,
                         n)) < 0)
        goto out;
    for (size_t i = 0; i < rows; i++) {
        if ((rc = rd_bprintf(out, "<tr>")) < 0 ||
            (rc = td_value(out, e[i].flat, un)) < 0 ||
            (rc = td_pct(out, share(e[i].flat, tot), false)) < 0 ||
            (rc = td_value(out, e[i].cum, un)) < 0 ||
            (rc = td_pct(out, share(e[i].cum, tot), false)) < 0 ||
            (rc = td_last(out, e[i].name)) < 0)
            goto out;
    }
    rc = rd_bprintf(out, "</tbody></table>\n");
out:
    free(e);
    return rc;
}

static int diff_table(fpage *p, kiln_buf *out)
{
    kiln_diff_entry *e = NULL;
    size_t n = 0, rows = p->o->table_rows ? p->o->table_rows : 1000;
    int64_t bt, tt;
    int rc;

    if ((rc = kiln_diff_functions(p->r[0], p->o->base_type, p->r[1],
                                  p->o->type, &e, &n, &bt, &tt)) < 0)
        return rc;
    if (rows > n)
        rows = n;
    if ((rc = rd_bprintf(out, "<h2>Functions whose share changed most</h2>\n"
                         "<p>%zu of %zu functions; shares of each side's "
                         "total, changes in percentage points; click a "
                         "heading to sort.</p>\n<table class=\"kf-sort\">"
                         "<thead><tr><th>base flat%%</th><th>target flat%%"
                         "</th><th>flat change</th><th>base cum%%</th><th>"
                         "target cum%%</th><th>cum change</th><th>function"
                         "</th></tr></thead><tbody>\n", rows, n)) < 0)
        goto out;
    for (size_t i = 0; i < rows; i++) {
        if ((rc = rd_bprintf(out, "<tr>")) < 0 ||
            (rc = td_pct(out, share(e[i].base_flat, bt), false)) < 0 ||
            (rc = td_pct(out, share(e[i].target_flat, tt), false)) < 0 ||
            (rc = td_pct(out, e[i].d_flat, true)) < 0 ||
            (rc = td_pct(out, share(e[i].base_cum, bt), false)) < 0 ||
            (rc = td_pct(out, share(e[i].target_cum, tt), false)) < 0 ||
            (rc = td_pct(out, e[i].d_cum, true)) < 0 ||
            (rc = td_last(out, e[i].name)) < 0)
            goto out;
    }
    rc = rd_bprintf(out, "</tbody></table>\n");
out:
    free(e);
    return rc;
}

static int html_page(fpage *p, kiln_buf *out)
{
    const char *title = p->o->title ? p->o->title : "all samples";
    const char *kind = p->g.sides == 2 ? "Differential flame graph: "
                                       : "Flame graph: ";
    int rc;

    if ((rc = rd_bprintf(out, "<!DOCTYPE html>\n<html lang=\"en\"><head>"
                         "<meta charset=\"utf-8\"><title>")) < 0 ||
        (rc = xml_str(out, kind)) < 0 || (rc = xml_str(out, title)) < 0 ||
        (rc = rd_bprintf(out, "</title>\n<style>%s%s</style></head>\n<body>"
                         "\n<h1 id=\"kf-title\">", PAGE_CSS, CSS)) < 0 ||
        (rc = xml_str(out, kind)) < 0 || (rc = xml_str(out, title)) < 0 ||
        (rc = rd_bprintf(out, "</h1>\n<p id=\"kf-sub\">")) < 0 ||
        (rc = xml_text(out, (const char *)p->sub.data, p->sub.len)) < 0 ||
        (rc = rd_bprintf(out, "</p>\n<div id=\"kf-host\"></div>\n")) < 0 ||
        (rc = p->g.sides == 2 ? diff_table(p, out) : top_table(p, out)) < 0 ||
        (rc = rd_bprintf(out, "<script>\n")) < 0 ||
        (rc = emit_data(p, out)) < 0 ||
        (rc = rd_bprintf(out, "%s</script>\n</body></html>\n",
                         rd_flame_js)) < 0)
        return rc;
    return 0;
}

static const kiln_flame_opts DEFAULTS = KILN_FLAME_OPTS_INIT;

static int render(const kiln_result *base, const kiln_result *target,
                  const kiln_flame_opts *o, bool html, kiln_buf *out)
{
    fpage p;
    int rc;

    if ((rc = fpage_build(&p, base, target, o ? o : &DEFAULTS)) == 0)
        rc = html ? html_page(&p, out) : svg_page(&p, out);
    fpage_free(&p);
    return rc;
}

int kiln_flame_svg(const kiln_result *r, const kiln_flame_opts *o,
                   kiln_buf *out)
{
    return api_return(render(NULL, r, o, false, out));
}

int kiln_flame_html(const kiln_result *r, const kiln_flame_opts *o,
                    kiln_buf *out)
{
    return api_return(render(NULL, r, o, true, out));
}

int kiln_flame_diff_svg(const kiln_result *base, const kiln_result *target,
                        const kiln_flame_opts *o, kiln_buf *out)
{
    return api_return(render(base, target, o, false, out));
}

int kiln_flame_diff_html(const kiln_result *base, const kiln_result *target,
                         const kiln_flame_opts *o, kiln_buf *out)
{
    return api_return(render(base, target, o, true, out));
}

/* ---- functions whose share changed ---- */

/* The sum of every stack's value of `type`. */
static int result_total(const kiln_result *r, size_t type, int64_t *total)
{
    const int64_t *vals;
    int64_t *tmp = NULL;
    int rc;

    *total = 0;
    if (r->ntypes == 0)
        return 0;
    if ((rc = rd_node_values(r, &vals, &tmp)) < 0)
        return rc;
    for (size_t n = 0; n < r->stk.n; n++)
        *total = add64(*total, vals[n * r->ntypes + type]);
    free(tmp);
    return 0;
}

static int cmp_top_name(const void *a, const void *b)
{
    return strcmp(((const kiln_top_entry *)a)->name,
                  ((const kiln_top_entry *)b)->name);
}

static double dmag(const kiln_diff_entry *e)
{
    double f = e->d_flat < 0 ? -e->d_flat : e->d_flat;
    double c = e->d_cum < 0 ? -e->d_cum : e->d_cum;
    return f > c ? f : c;
}

static int cmp_diff(const void *a, const void *b)
{
    const kiln_diff_entry *x = a, *y = b;
    double mx = dmag(x), my = dmag(y);
    if (mx != my)
        return mx > my ? -1 : 1;
    return strcmp(x->name, y->name);
}

int kiln_diff_functions(const kiln_result *base, size_t base_type,
                        const kiln_result *target, size_t target_type,
                        kiln_diff_entry **out, size_t *nout,
                        int64_t *base_total, int64_t *target_total)
{
    kiln_top_entry *e[2] = {NULL, NULL};
    size_t n[2] = {0, 0}, count = 0, bytes = 0;
    int64_t tot[2] = {0, 0};
    kiln_diff_entry *res = NULL;
    int rc;

    *out = NULL;
    *nout = 0;
    if ((rc = check_type(base, base_type, "base")) < 0 ||
        (rc = check_type(target, target_type, "target")) < 0)
        return rc;
    if (base->ntypes && target->ntypes) {
        const char *t0, *u0, *t1, *u1;
        kiln_result_type(base, base_type, &t0, &u0);
        kiln_result_type(target, target_type, &t1, &u1);
        if (strcmp(u0, u1) != 0)
            return kiln_error_set(KILN_EINVAL, "diff: base unit \"%s\" and "
                                  "target unit \"%s\" differ", u0, u1);
    }
    if ((rc = kiln_result_top(base, base_type, &e[0], &n[0])) < 0 ||
        (rc = kiln_result_top(target, target_type, &e[1], &n[1])) < 0 ||
        (rc = result_total(base, base_type, &tot[0])) < 0 ||
        (rc = result_total(target, target_type, &tot[1])) < 0)
        goto out;
    for (int s = 0; s < 2; s++) {
        qsort(e[s], n[s], sizeof *e[s], cmp_top_name);
        for (size_t i = 0; i < n[s]; i++)
            bytes += strlen(e[s][i].name) + 1;
    }
    res = malloc((n[0] + n[1]) * sizeof *res + bytes + 1);
    if (!res) {
        rc = nomem();
        goto out;
    }
    char *names = (char *)(res + n[0] + n[1]);
    for (size_t i = 0, j = 0; i < n[0] || j < n[1];) {
        int c = i == n[0] ? 1 : j == n[1] ? -1
                                          : strcmp(e[0][i].name, e[1][j].name);
        kiln_diff_entry *d = &res[count++];
        const char *nm = c <= 0 ? e[0][i].name : e[1][j].name;
        memset(d, 0, sizeof *d);
        if (c <= 0) {
            d->base_flat = e[0][i].flat;
            d->base_cum = e[0][i].cum;
            i++;
        }
        if (c >= 0) {
            d->target_flat = e[1][j].flat;
            d->target_cum = e[1][j].cum;
            j++;
        }
        size_t len = strlen(nm) + 1;
        memcpy(names, nm, len);
        d->name = names;
        names += len;
        d->d_flat = share(d->target_flat, tot[1]) - share(d->base_flat, tot[0]);
        d->d_cum = share(d->target_cum, tot[1]) - share(d->base_cum, tot[0]);
        /* Equal shares are exactly unchanged (no rounding residue). */
        if ((__int128)d->target_flat * tot[0] ==
            (__int128)d->base_flat * tot[1])
            d->d_flat = 0;
        if ((__int128)d->target_cum * tot[0] == (__int128)d->base_cum * tot[1])
            d->d_cum = 0;
    }
    qsort(res, count, sizeof *res, cmp_diff);
    *out = res;
    *nout = count;
    res = NULL;
    if (base_total)
        *base_total = tot[0];
    if (target_total)
        *target_total = tot[1];
out:
    free(res);
    free(e[0]);
    free(e[1]);
    return api_return(rc);
}

int kiln_diff_text(const kiln_result *base, const kiln_result *target,
                   const kiln_flame_opts *o, size_t limit, kiln_buf *out)
{
    kiln_diff_entry *e = NULL;
    size_t n = 0;
    int64_t bt, tt;
    const char *ty, *un;
    char vb[KILN_VALUE_MAX], vt[KILN_VALUE_MAX];
    int rc;

    if (!o)
        o = &DEFAULTS;
    if ((rc = opts_check(o)) < 0 ||
        (rc = kiln_diff_functions(base, o->base_type, target, o->type, &e,
                                  &n, &bt, &tt)) < 0)
        return rc;
    type_of(target->ntypes ? target : base,
            target->ntypes ? o->type : o->base_type, &ty, &un);
    kiln_value_format(vb, bt, un, 0);
    kiln_value_format(vt, tt, un, 0);
    size_t shown = limit && limit < n ? limit : n;
    if ((rc = rd_bprintf(out, "Type: %s (%s)\nBase:   %s, ", ty, un,
                         o->base_title ? o->base_title : "base")) < 0 ||
        (rc = put_range(out, base, o->base_from, o->base_to)) < 0 ||
        (rc = rd_bprintf(out, ", total %s\nTarget: %s, ", vb,
                         o->title ? o->title : "target")) < 0 ||
        (rc = put_range(out, target, o->from, o->to)) < 0 ||
        (rc = rd_bprintf(out, ", total %s\nShowing %zu of %zu functions, "
                         "shares of each side's total, changes in "
                         "percentage points\n%10s %10s %8s %10s %10s %8s  "
                         "%s\n", vt, shown, n, "base flat", "tgt flat",
                         "change", "base cum", "tgt cum", "change",
                         "function")) < 0)
        goto out;
    for (size_t i = 0; i < shown; i++)
        if ((rc = rd_bprintf(out, "%9.2f%% %9.2f%% %+8.2f %9.2f%% %9.2f%% "
                             "%+8.2f  %s\n", share(e[i].base_flat, bt),
                             share(e[i].target_flat, tt), e[i].d_flat,
                             share(e[i].base_cum, bt),
                             share(e[i].target_cum, tt), e[i].d_cum,
                             e[i].name)) < 0)
            goto out;
out:
    free(e);
    return api_return(rc);
}
