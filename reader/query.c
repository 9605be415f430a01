/* query.c: label selectors, series and page selection, and aggregation of
 * the matching rows into a result with its own symbols and call tree. Each
 * block's ids are translated once (memo arrays), so the per-row work is an
 * array lookup and an add. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reader_internal.h"

/* ---- selector parsing ---- */

static int sel_err(const char *what, size_t pos)
{
    return kiln_error_set(KILN_EINVAL, "selector: %s at position %zu", what,
                          pos + 1);
}

static void skip_ws(const char *s, size_t *i)
{
    while (s[*i] == ' ' || s[*i] == '\t' || s[*i] == '\n' || s[*i] == '\r')
        (*i)++;
}

static bool name_start(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool name_char(char c)
{
    return name_start(c) || (c >= '0' && c <= '9') || c == '.';
}

static void matcher_free(rd_matcher *m)
{
    free(m->name);
    free(m->value);
    if (m->has_re)
        regfree(&m->re);
}

/* A double-quoted value with \" \\ \n \t escapes, unescaped into *out. */
static int parse_value(const char *s, size_t *i, char **out)
{
    size_t start = *i, n = 0;
    char *v;

    if (s[*i] != '"')
        return sel_err("expected '\"' to open a value", *i);
    v = malloc(strlen(s + *i) + 1);
    if (!v)
        return kiln_error_set(KILN_ENOMEM, "selector: out of memory");
    (*i)++;
    for (;;) {
        char c = s[*i];
        if (c == '\0') {
            free(v);
            return sel_err("unterminated value", start);
        }
        (*i)++;
        if (c == '"')
            break;
        if (c == '\\') {
            char e = s[*i];
            switch (e) {
            case '"': case '\\': v[n++] = e; break;
            case 'n': v[n++] = '\n'; break;
            case 't': v[n++] = '\t'; break;
            default:
                free(v);
                return sel_err("unknown escape in value", *i - 1);
            }
            (*i)++;
            continue;
        }
        v[n++] = c;
    }
    v[n] = '\0';
    *out = v;
    return 0;
}

static int compile_re(rd_matcher *m, size_t pos)
{
    size_t n = strlen(m->value);
    char *pat = malloc(n + 5);
    int rc;

    if (!pat)
        return kiln_error_set(KILN_ENOMEM, "selector: out of memory");
    if (n)
        snprintf(pat, n + 5, "^(%s)$", m->value);
    else
        strcpy(pat, "^$");
    rc = regcomp(&m->re, pat, REG_EXTENDED | REG_NOSUB);
    free(pat);
    if (rc != 0) {
        char msg[128];
        regerror(rc, &m->re, msg, sizeof msg);
        return kiln_error_set(KILN_EINVAL, "selector: bad regular expression "
                              "\"%s\" at position %zu: %s", m->value, pos + 1,
                              msg);
    }
    m->has_re = true;
    return 0;
}

/* {name="v", name!="v", name=~"re", name!~"re"}, braces optional. */
static int parse_selector(const char *s, rd_matcher **out, size_t *nout)
{
    rd_matcher *ms = NULL;
    size_t n = 0, cap = 0, i = 0;
    bool braces = false;
    int rc = 0;

    skip_ws(s, &i);
    if (s[i] == '{') {
        braces = true;
        i++;
    }
    for (;;) {
        rd_matcher m;
        size_t start;

        skip_ws(s, &i);
        if (braces && s[i] == '}') {
            i++;
            break;
        }
        if (!braces && s[i] == '\0')
            break;
        if (!name_start(s[i])) {
            rc = sel_err(s[i] ? "expected a label name" :
                         "expected a label name or '}'", i);
            goto out;
        }
        memset(&m, 0, sizeof m);
        start = i;
        while (name_char(s[i]))
            i++;
        m.name = strndup(s + start, i - start);
        if (!m.name) {
            rc = kiln_error_set(KILN_ENOMEM, "selector: out of memory");
            goto out;
        }
        skip_ws(s, &i);
        size_t oppos = i;
        if (s[i] == '=' && s[i + 1] == '~') {
            m.op = RD_RE;
            i += 2;
        } else if (s[i] == '!' && s[i + 1] == '=') {
            m.op = RD_NE;
            i += 2;
        } else if (s[i] == '!' && s[i + 1] == '~') {
            m.op = RD_NRE;
            i += 2;
        } else if (s[i] == '=') {
            m.op = RD_EQ;
            i += 1;
        } else {
            free(m.name);
            rc = sel_err("expected one of = != =~ !~", i);
            goto out;
        }
        skip_ws(s, &i);
        if ((rc = parse_value(s, &i, &m.value)) < 0) {
            free(m.name);
            goto out;
        }
        if ((m.op == RD_RE || m.op == RD_NRE) &&
            (rc = compile_re(&m, oppos)) < 0) {
            matcher_free(&m);
            goto out;
        }
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 4;
            rd_matcher *nm = realloc(ms, nc * sizeof *nm);
            if (!nm) {
                matcher_free(&m);
                rc = kiln_error_set(KILN_ENOMEM, "selector: out of memory");
                goto out;
            }
            ms = nm;
            cap = nc;
        }
        ms[n++] = m;
        skip_ws(s, &i);
        if (s[i] == ',') {
            i++;
            continue;
        }
        if (braces && s[i] == '}') {
            i++;
            break;
        }
        if (!braces && s[i] == '\0')
            break;
        rc = sel_err(braces ? "expected ',' or '}'" : "expected ','", i);
        goto out;
    }
    skip_ws(s, &i);
    if (s[i] != '\0') {
        rc = sel_err("unexpected text after the selector", i);
        goto out;
    }
out:
    if (rc < 0) {
        for (size_t k = 0; k < n; k++)
            matcher_free(&ms[k]);
        free(ms);
        ms = NULL;
        n = 0;
    }
    *out = ms;
    *nout = n;
    return rc;
}

/* ---- results ---- */

static bool key_eq(const void *ctx, uint32_t id, const void *key)
{
    const kiln_result *r = ctx;
    const rd_key *a = &r->keys[id], *b = key;
    return a->node == b->node && a->lset == b->lset && a->link == b->link;
}

static bool link_eq(const void *ctx, uint32_t id, const void *key)
{
    const kiln_result *r = ctx;
    return memcmp(&r->links[id], key, sizeof(kiln_link)) == 0;
}

int kiln_result_new(kiln_result **out, const kiln_query_opts *o)
{
    kiln_query_opts def = KILN_QUERY_OPTS_INIT;
    kiln_result *r;
    int rc;

    *out = NULL;
    if (!o)
        o = &def;
    rc = opts_version_check("query options", o->version, 1,
                            KILN_QUERY_OPTS_VERSION);
    if (rc < 0)
        return rc;
    r = calloc(1, sizeof *r);
    if (!r)
        return kiln_error_set(KILN_ENOMEM, "query: out of memory");
    r->from = o->from;
    r->to = o->to;
    r->keep_labels = o->keep_labels != 0;
    if ((rc = kiln_symtab_init(&r->sym)) < 0) {
        free(r);
        return rc;
    }
    if ((rc = kiln_stacks_init(&r->stk)) < 0) {
        kiln_symtab_free(&r->sym);
        free(r);
        return rc;
    }
    if (o->selector && (rc = parse_selector(o->selector, &r->m, &r->nm)) < 0)
        goto out;
    if ((rc = rd_trace_init(r, o)) < 0)
        goto out;
    if (o->type && o->type[0]) {
        const char *colon = strrchr(o->type, ':');
        if (!(r->want_type = strdup(o->type))) {
            rc = kiln_error_set(KILN_ENOMEM, "query: out of memory");
            goto out;
        }
        if (colon && colon != o->type && colon[1]) {
            if (!(r->want_unit = strdup(colon + 1))) {
                rc = kiln_error_set(KILN_ENOMEM, "query: out of memory");
                goto out;
            }
        }
    }
    rc = 0;
out:
    if (rc < 0) {
        kiln_result_free(r);
        return rc;
    }
    *out = r;
    return api_return(0);
}

void kiln_result_free(kiln_result *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->nm; i++)
        matcher_free(&r->m[i]);
    free(r->m);
    free(r->want_type);
    free(r->want_unit);
    kiln_symtab_free(&r->sym);
    kiln_stacks_free(&r->stk);
    free(r->types);
    free(r->dense);
    free(r->seen);
    free(r->keys);
    free(r->kvals);
    kiln_htab_free(&r->kindex);
    free(r->links);
    kiln_htab_free(&r->lindex);
    free(r->comments);
    rd_trace_free(r);
    free(r);
}

void kiln_result_stats_get(const kiln_result *r, kiln_result_stats *out)
{
    *out = r->stats;
    out->version = KILN_RESULT_STATS_VERSION;
}

size_t kiln_result_ntypes(const kiln_result *r)
{
    return r->ntypes;
}

size_t kiln_result_default_type(const kiln_result *r)
{
    if (r->ntypes == 0)
        return 0;
    if (r->default_type)
        for (size_t t = 0; t < r->ntypes; t++)
            if (r->types[2 * t] == r->default_type)
                return t;
    return r->ntypes - 1;
}

void kiln_result_type(const kiln_result *r, size_t i, const char **type,
                      const char **unit)
{
    if (i >= r->ntypes) {
        *type = NULL;
        *unit = NULL;
        return;
    }
    *type = kiln_strtab_get(&r->sym.strings, r->types[2 * i]);
    *unit = kiln_strtab_get(&r->sym.strings, r->types[2 * i + 1]);
}

/* ---- per-block translation of ids into the result ---- */

typedef struct xlate {
    kiln_result *r;
    kiln_block *b;
    uint32_t *str;     /* block string id -> result id (0 = not yet) */
    uint32_t *fn;      /* function id -> result id + 1 */
    uint32_t *map;     /* mapping id -> result id + 1 */
    uint32_t *loc;     /* location id -> result id + 1 */
    uint32_t *lset;    /* label set id -> result id + 1 */
    uint32_t *link;    /* block link id -> result link id + 1 */
    uint32_t *node;    /* block node -> result node (0 = not yet, n > 0) */
    int16_t *kmap;     /* [kind * KILN_MAX_TYPES + t]: result type or -1 */
    uint8_t *kdone;    /* per kind: kmap filled */
    uint32_t *tnode;   /* per page row: result node */
    size_t captnode;
    uint32_t *path;    /* scratch for node translation, nstacks entries */
    kiln_line *lines;  /* scratch for location translation */
    size_t caplines;
    kiln_label_ent *ents; /* scratch for label set translation */
    size_t capents;
} xlate;

static int xstr(xlate *x, uint32_t id, uint32_t *out)
{
    const kiln_strtab *t = &x->b->sym.strings;
    int rc;

    if (id == 0) {
        *out = 0;
        return 0;
    }
    if (!x->str[id]) {
        if ((rc = kiln_strtab_intern(&x->r->sym.strings,
                                     kiln_strtab_get(t, id), t->len[id],
                                     &x->str[id])) < 0)
            return rc;
    }
    *out = x->str[id];
    return 0;
}

static int xfn(xlate *x, uint32_t id, uint32_t *out)
{
    const kiln_function *f = &x->b->sym.functions[id];
    kiln_function nf;
    int rc;

    if (!x->fn[id]) {
        uint32_t nid;
        nf.start_line = f->start_line;
        if ((rc = xstr(x, f->name, &nf.name)) < 0 ||
            (rc = xstr(x, f->system_name, &nf.system_name)) < 0 ||
            (rc = xstr(x, f->filename, &nf.filename)) < 0 ||
            (rc = kiln_symtab_function(&x->r->sym, &nf, &nid)) < 0)
            return rc;
        x->fn[id] = nid + 1;
    }
    *out = x->fn[id] - 1;
    return 0;
}

static int xmap(xlate *x, uint32_t id, uint32_t *out)
{
    const kiln_mapping *m = &x->b->sym.mappings[id];
    kiln_mapping nm;
    int rc;

    if (!x->map[id]) {
        uint32_t nid;
        nm = *m;
        if ((rc = xstr(x, m->filename, &nm.filename)) < 0 ||
            (rc = xstr(x, m->build_id, &nm.build_id)) < 0 ||
            (rc = kiln_symtab_mapping(&x->r->sym, &nm, &nid)) < 0)
            return rc;
        x->map[id] = nid + 1;
    }
    *out = x->map[id] - 1;
    return 0;
}

static int xloc(xlate *x, uint32_t id, uint32_t *out)
{
    const kiln_location *l = &x->b->sym.locations[id];
    uint32_t mapping = 0, nid;
    int rc;

    if (x->loc[id]) {
        *out = x->loc[id] - 1;
        return 0;
    }
    if (l->nlines > x->caplines) {
        kiln_line *nl = realloc(x->lines, l->nlines * sizeof *nl);
        if (!nl)
            return nomem();
        x->lines = nl;
        x->caplines = l->nlines;
    }
    for (uint32_t i = 0; i < l->nlines; i++) {
        const kiln_line *bl = &x->b->sym.lines[l->line_off + i];
        x->lines[i] = *bl;
        if (bl->function != KILN_NOFUNC &&
            (rc = xfn(x, bl->function, &x->lines[i].function)) < 0)
            return rc;
    }
    if (l->mapping) {
        if ((rc = xmap(x, l->mapping - 1, &mapping)) < 0)
            return rc;
        mapping++;
    }
    if ((rc = kiln_symtab_location(&x->r->sym, l->address, mapping, x->lines,
                                   l->nlines, l->is_folded, &nid)) < 0)
        return rc;
    x->loc[id] = nid + 1;
    *out = nid;
    return 0;
}

/* Block node -> result node: climb to the nearest translated ancestor,
 * then intern the path back down. */
static int xnode(xlate *x, uint32_t n, uint32_t *out)
{
    const kiln_stacks *bs = &x->b->stacks;
    size_t depth = 0;
    uint32_t cur, c = n;
    int rc;

    if (n == 0 || x->node[n]) {
        *out = n ? x->node[n] : 0;
        return 0;
    }
    while (c != 0 && !x->node[c]) {
        x->path[depth++] = c;
        c = bs->parent[c];
    }
    cur = c ? x->node[c] : 0;
    while (depth) {
        uint32_t loc = 0;
        c = x->path[--depth];
        if ((rc = xloc(x, bs->loc[c], &loc)) < 0 ||
            (rc = kiln_stacks_child(&x->r->stk, cur, loc, &cur)) < 0)
            return rc;
        x->node[c] = cur;
    }
    *out = cur;
    return 0;
}

static int xlset(xlate *x, uint32_t id, uint32_t *out)
{
    const kiln_labelset *ls = &x->b->sym.lsets[id];
    uint32_t nid;
    int rc;

    if (id == 0) {
        *out = 0;
        return 0;
    }
    if (x->lset[id]) {
        *out = x->lset[id] - 1;
        return 0;
    }
    if (ls->n > x->capents) {
        kiln_label_ent *ne = realloc(x->ents, ls->n * sizeof *ne);
        if (!ne)
            return nomem();
        x->ents = ne;
        x->capents = ls->n;
    }
    for (uint32_t i = 0; i < ls->n; i++) {
        const kiln_label_ent *e = &x->b->sym.labels[ls->off + i];
        x->ents[i] = *e;
        if ((rc = xstr(x, e->key, &x->ents[i].key)) < 0 ||
            (rc = xstr(x, e->str, &x->ents[i].str)) < 0 ||
            (rc = xstr(x, e->num_unit, &x->ents[i].num_unit)) < 0)
            return rc;
    }
    if ((rc = kiln_symtab_labelset(&x->r->sym, x->ents, ls->n, &nid)) < 0)
        return rc;
    x->lset[id] = nid + 1;
    *out = nid;
    return 0;
}

/* Block link id + 1 -> result link id + 1. */
static int xlink(xlate *x, uint32_t l, uint32_t *out)
{
    kiln_result *r = x->r;
    const kiln_link *k;
    uint32_t id;
    size_t slot;
    int rc;

    if (l == 0) {
        *out = 0;
        return 0;
    }
    if (x->link[l - 1]) {
        *out = x->link[l - 1];
        return 0;
    }
    if (!(k = rd_block_link(x->b, l - 1)))
        return kiln_error_set(KILN_ECORRUPT, "block %s: a row names link %u, "
                              "which is not loaded", x->b->key, l - 1);
    rc = kiln_htab_find(&r->lindex, kiln_hash(k, sizeof *k, 0), link_eq, r, k,
                        &id, &slot);
    if (rc < 0)
        return rc;
    if (rc == 0) {
        if (r->nlinks == r->caplinks) {
            size_t nc = r->caplinks ? r->caplinks * 2 : 64;
            kiln_link *nl = realloc(r->links, nc * sizeof *nl);
            if (!nl)
                return nomem();
            r->links = nl;
            r->caplinks = nc;
        }
        id = (uint32_t)r->nlinks;
        r->links[r->nlinks++] = *k;
        if ((rc = kiln_htab_insert(&r->lindex, kiln_hash(k, sizeof *k, 0),
                                   slot, id)) < 0)
            return rc;
    }
    x->link[l - 1] = id + 1;
    *out = id + 1;
    return 0;
}

static void xlate_free(xlate *x)
{
    free(x->str);
    free(x->fn);
    free(x->map);
    free(x->loc);
    free(x->lset);
    free(x->link);
    free(x->node);
    free(x->kmap);
    free(x->kdone);
    free(x->tnode);
    free(x->path);
    free(x->lines);
    free(x->ents);
}

static int xlate_init(xlate *x, kiln_result *r, kiln_block *b)
{
    const kiln_symtab *s = &b->sym;

    memset(x, 0, sizeof *x);
    x->r = r;
    x->b = b;
#define ZALLOC(f, n) (x->f = calloc((n) > 0 ? (size_t)(n) : 1, sizeof *x->f))
    if (!ZALLOC(str, s->strings.n) || !ZALLOC(fn, s->nfunctions) ||
        !ZALLOC(map, s->nmappings) || !ZALLOC(loc, s->nlocations) ||
        !ZALLOC(lset, s->nlsets) || !ZALLOC(link, rd_block_nlinks(b)) ||
        !ZALLOC(node, b->stacks.n) || !ZALLOC(path, b->stacks.n) ||
        !ZALLOC(kdone, b->series.nkinds) ||
        !ZALLOC(kmap, b->series.nkinds * KILN_MAX_TYPES))
        return nomem();
#undef ZALLOC
    return 0;
}

/* ---- types ---- */

static bool str_is(const kiln_strtab *t, uint32_t id, const char *s)
{
    size_t n = strlen(s);
    return t->len[id] == n && memcmp(kiln_strtab_get(t, id), s, n) == 0;
}

bool rd_type_wanted(const kiln_result *r, const kiln_strtab *t,
                    uint32_t type, uint32_t unit)
{
    if (!r->want_type)
        return true;
    if (str_is(t, type, r->want_type))
        return true;
    if (r->want_unit) {
        size_t n = strlen(r->want_type) - strlen(r->want_unit) - 1;
        return t->len[type] == n &&
               memcmp(kiln_strtab_get(t, type), r->want_type, n) == 0 &&
               str_is(t, unit, r->want_unit);
    }
    return false;
}

static bool kind_wanted(const kiln_result *r, const kiln_seriestab *st,
                        uint32_t kind)
{
    const kiln_kind *k = &st->kinds[kind];
    for (uint32_t t = 0; t < k->ntypes; t++)
        if (rd_type_wanted(r, &st->strings, k->types[2 * t],
                        k->types[2 * t + 1]))
            return true;
    return false;
}

static int intern_series_str(kiln_result *r, const kiln_strtab *t,
                             uint32_t id, uint32_t *out)
{
    return kiln_strtab_intern(&r->sym.strings, kiln_strtab_get(t, id),
                              t->len[id], out);
}

/* Re-lay value arrays from ntypes old to nt columns. */
static int restride(kiln_result *r, size_t old, size_t nt)
{
    if (r->dense_nodes) {
        int64_t *d = calloc(r->dense_nodes * nt, sizeof *d);
        if (!d)
            return nomem();
        for (size_t i = 0; i < r->dense_nodes; i++)
            memcpy(d + i * nt, r->dense + i * old, old * sizeof *d);
        free(r->dense);
        r->dense = d;
    }
    if (r->capkeys) {
        int64_t *d = calloc(r->capkeys * nt, sizeof *d);
        if (!d)
            return nomem();
        for (size_t i = 0; i < r->nkeys; i++)
            memcpy(d + i * nt, r->kvals + i * old, old * sizeof *d);
        free(r->kvals);
        r->kvals = d;
    }
    return 0;
}

/* The kind's type columns -> result types in m (-1 = not wanted), adding
 * new ones in order. */
static int kind_types(kiln_result *r, const kiln_seriestab *st, uint32_t kind,
                      int16_t *m)
{
    const kiln_kind *k = &st->kinds[kind];
    size_t old = r->ntypes;
    int rc;

    for (uint32_t t = 0; t < k->ntypes && t < KILN_MAX_TYPES; t++) {
        uint32_t ty, un;
        size_t j;

        m[t] = -1;
        if (!rd_type_wanted(r, &st->strings, k->types[2 * t],
                         k->types[2 * t + 1]))
            continue;
        if ((rc = intern_series_str(r, &st->strings, k->types[2 * t],
                                    &ty)) < 0 ||
            (rc = intern_series_str(r, &st->strings, k->types[2 * t + 1],
                                    &un)) < 0)
            return rc;
        for (j = 0; j < r->ntypes; j++)
            if (r->types[2 * j] == ty && r->types[2 * j + 1] == un)
                break;
        if (j == r->ntypes) {
            if (r->ntypes == RD_MAX_TYPES)
                return kiln_error_set(KILN_ELIMIT, "query: more than %d "
                                      "sample types", RD_MAX_TYPES);
            uint32_t *nt = realloc(r->types, 2 * (r->ntypes + 1) * sizeof *nt);
            if (!nt)
                return nomem();
            r->types = nt;
            r->types[2 * j] = ty;
            r->types[2 * j + 1] = un;
            r->ntypes++;
        }
        m[t] = (int16_t)j;
    }
    if (r->ntypes != old && old && (rc = restride(r, old, r->ntypes)) < 0)
        return rc;
    return 0;
}

int rd_kind_types(kiln_result *r, const kiln_seriestab *st, uint32_t kind)
{
    int16_t m[KILN_MAX_TYPES];
    return kind_types(r, st, kind, m);
}

static int kind_map(xlate *x, uint32_t kind, const int16_t **out)
{
    int16_t *m = x->kmap + (size_t)kind * KILN_MAX_TYPES;
    int rc;

    *out = m;
    if (x->kdone[kind])
        return 0;
    if ((rc = kind_types(x->r, &x->b->series, kind, m)) < 0)
        return rc;
    x->kdone[kind] = 1;
    return 0;
}

/* The pprof-level metadata of the first series that gives rows. */
static int take_kind(xlate *x, uint32_t kind)
{
    kiln_result *r = x->r;
    const kiln_seriestab *st = &x->b->series;
    const kiln_kind *k = &st->kinds[kind];
    int rc;

    if (r->have_kind)
        return 0;
    r->comments = calloc(k->ncomments ? k->ncomments : 1, sizeof(uint32_t));
    if (!r->comments)
        return nomem();
    for (uint32_t i = 0; i < k->ncomments; i++)
        if ((rc = intern_series_str(r, &st->strings, k->comments[i],
                                    &r->comments[i])) < 0)
            return rc;
    r->ncomments = k->ncomments;
    r->period = k->period;
    if ((rc = intern_series_str(r, &st->strings, k->period_type[0],
                                &r->period_type[0])) < 0 ||
        (rc = intern_series_str(r, &st->strings, k->period_type[1],
                                &r->period_type[1])) < 0 ||
        (rc = intern_series_str(r, &st->strings, k->default_type,
                                &r->default_type)) < 0 ||
        (rc = intern_series_str(r, &st->strings, k->drop_frames,
                                &r->drop_frames)) < 0 ||
        (rc = intern_series_str(r, &st->strings, k->keep_frames,
                                &r->keep_frames)) < 0 ||
        (rc = intern_series_str(r, &st->strings, k->doc_url,
                                &r->doc_url)) < 0)
        return rc;
    r->have_kind = true;
    return 0;
}

/* ---- accumulation ---- */

static int grow_dense(kiln_result *r)
{
    size_t need = r->stk.n, nt = r->ntypes ? r->ntypes : 1;
    size_t n = r->dense_nodes ? r->dense_nodes : 1024;
    int64_t *d;

    if (need <= r->dense_nodes && r->dense)
        return 0;
    while (n < need)
        n *= 2;
    d = realloc(r->dense, n * nt * sizeof *d);
    if (!d)
        return nomem();
    memset(d + r->dense_nodes * nt, 0, (n - r->dense_nodes) * nt * sizeof *d);
    r->dense = d;
    uint8_t *sn = realloc(r->seen, n);
    if (!sn)
        return nomem();
    memset(sn + r->dense_nodes, 0, n - r->dense_nodes);
    r->seen = sn;
    r->dense_nodes = n;
    return 0;
}

static inline int64_t add64(int64_t a, int64_t b)
{
    return (int64_t)((uint64_t)a + (uint64_t)b); /* wraps, never traps */
}

/* The row of (node, lset, link) in keys/kvals, created zeroed. */
static int key_slot(kiln_result *r, const rd_key *k, size_t *out)
{
    uint64_t h = kiln_hash(k, sizeof *k, 0);
    uint32_t id;
    size_t slot;
    int rc;

    rc = kiln_htab_find(&r->kindex, h, key_eq, r, k, &id, &slot);
    if (rc < 0)
        return rc;
    if (rc == 0) {
        size_t nt = r->ntypes;
        if (r->nkeys == r->capkeys) {
            size_t nc = r->capkeys ? r->capkeys * 2 : 1024;
            rd_key *nk = realloc(r->keys, nc * sizeof *nk);
            if (!nk)
                return nomem();
            r->keys = nk;
            int64_t *nv = realloc(r->kvals, nc * nt * sizeof *nv);
            if (!nv)
                return nomem();
            r->kvals = nv;
            r->capkeys = nc;
        }
        id = (uint32_t)r->nkeys++;
        r->keys[id] = *k;
        memset(r->kvals + (size_t)id * nt, 0, nt * sizeof *r->kvals);
        if ((rc = kiln_htab_insert(&r->kindex, h, slot, id)) < 0)
            return rc;
    }
    *out = id;
    return 0;
}

/* First index in [0, n) with time >= t (times are non-decreasing). */
static uint32_t lower_bound(const int64_t *time, uint32_t n, int64_t t)
{
    uint32_t lo = 0, hi = n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (time[mid] < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int add_page(void *ud, uint32_t pid, const kiln_page_meta *pm,
                    const kiln_page_rows *rows)
{
    xlate *x = ud;
    kiln_result *r = x->r;
    const kiln_series *s = &x->b->series.series[pm->series];
    const int16_t *tm;
    uint32_t lo, hi;
    int rc;

    (void)pid;
    r->stats.pages_read++;
    if (r->has_trace && (rc = rd_trace_rows(r, rows, &rows)) < 0)
        return rc;
    lo = r->from == KILN_TIME_MIN ? 0 : lower_bound(rows->time, rows->n,
                                                    r->from);
    hi = r->to == KILN_TIME_MAX ? rows->n : lower_bound(rows->time, rows->n,
                                                        r->to);
    if (lo >= hi)
        return 0;
    if ((rc = kind_map(x, s->kind, &tm)) < 0 || (rc = take_kind(x, s->kind)) < 0)
        return rc;
    if (hi - lo > x->captnode) {
        uint32_t *nt = realloc(x->tnode, (hi - lo) * sizeof *nt);
        if (!nt)
            return nomem();
        x->tnode = nt;
        x->captnode = hi - lo;
    }
    for (uint32_t i = lo; i < hi; i++)
        if ((rc = xnode(x, rows->stack[i], &x->tnode[i - lo])) < 0)
            return rc;

    size_t nt = r->ntypes;
    uint32_t ncols = x->b->series.kinds[s->kind].ntypes;
    if (rows->ntypes < ncols)
        ncols = rows->ntypes;
    if (ncols > KILN_MAX_TYPES)
        ncols = KILN_MAX_TYPES;
    if (r->rows) {
        /* kiln_query_rows: each row goes out as it is, nothing summed. */
        if ((rc = rd_rows_page(r, x->b, pm->series, rows, lo, hi, x->tnode,
                               tm, ncols)) < 0)
            return rc;
    } else if (!r->keep_labels) {
        if ((rc = grow_dense(r)) < 0)
            return rc;
        for (uint32_t i = 0; i < hi - lo; i++)
            r->seen[x->tnode[i]] = 1;
        for (uint32_t t = 0; t < ncols; t++) {
            if (tm[t] < 0)
                continue;
            int64_t *d = r->dense + tm[t];
            const int64_t *v = rows->values + (size_t)t * rows->n;
            const uint32_t *tn = x->tnode - lo;
            for (uint32_t i = lo; i < hi; i++)
                d[(size_t)tn[i] * nt] = add64(d[(size_t)tn[i] * nt], v[i]);
        }
    } else {
        for (uint32_t i = lo; i < hi; i++) {
            rd_key k;
            size_t slot = 0;
            k.node = x->tnode[i - lo];
            if ((rc = xlset(x, rows->lset[i], &k.lset)) < 0 ||
                (rc = xlink(x, rows->link[i], &k.link)) < 0 ||
                (rc = key_slot(r, &k, &slot)) < 0)
                return rc;
            int64_t *d = r->kvals + slot * nt;
            for (uint32_t t = 0; t < ncols; t++)
                if (tm[t] >= 0)
                    d[tm[t]] = add64(d[tm[t]],
                                     rows->values[(size_t)t * rows->n + i]);
        }
    }
    /* Time range of what matched. */
    if (!r->stats.rows || rows->time[lo] < r->stats.tmin)
        r->stats.tmin = rows->time[lo];
    if (!r->stats.rows || rows->time[hi - 1] > r->stats.tmax)
        r->stats.tmax = rows->time[hi - 1];
    for (uint32_t i = lo; i < hi; i++) {
        int64_t t = rows->time[i], d = rows->duration[i];
        int64_t e = (d > 0 && t > INT64_MAX - d) ? INT64_MAX : t + (d > 0 ? d : 0);
        if ((!r->stats.rows && i == lo) || e > r->tend)
            r->tend = e;
    }
    r->stats.rows += hi - lo;
    return 0;
}

/* ---- series selection ---- */

static bool matches(const rd_matcher *m, const char *v)
{
    if (!v)
        v = "";
    switch (m->op) {
    case RD_EQ: return strcmp(v, m->value) == 0;
    case RD_NE: return strcmp(v, m->value) != 0;
    case RD_RE: return regexec(&m->re, v, 0, NULL, 0) == 0;
    default: return regexec(&m->re, v, 0, NULL, 0) != 0;
    }
}

/* Bytewise order of string id a against (s, n), shorter first on a tie:
 * the order of the postings (by name string, then value string). */
static int str_order(const kiln_strtab *t, uint32_t a, const char *s,
                     size_t n)
{
    size_t la = t->len[a];
    int c = memcmp(kiln_strtab_get(t, a), s, la < n ? la : n);
    if (c)
        return c;
    return la < n ? -1 : la > n;
}

static const kiln_posting *find_posting(const kiln_seriestab *t,
                                        const char *name, const char *value)
{
    size_t nn = strlen(name), nv = strlen(value);
    size_t lo = 0, hi = t->npostings;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const kiln_posting *p = &t->postings[mid];
        int c = str_order(&t->strings, p->name, name, nn);
        if (c == 0)
            c = str_order(&t->strings, p->value, value, nv);
        if (c == 0)
            return p;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* sel[sid] = 1 for the series that match every matcher and hold a wanted
 * sample type. */
int rd_select_series(const kiln_result *r, const kiln_seriestab *t,
                     uint8_t *sel)
{
    uint32_t *cnt = NULL;
    uint8_t *kok = NULL;
    uint32_t neq = 0;
    int rc = 0;

    cnt = calloc(t->nseries ? t->nseries : 1, sizeof *cnt);
    kok = calloc(t->nkinds ? t->nkinds : 1, 1);
    if (!cnt || !kok) {
        rc = nomem();
        goto out;
    }
    for (size_t k = 0; k < t->nkinds; k++)
        kok[k] = kind_wanted(r, t, (uint32_t)k);
    for (size_t i = 0; i < r->nm; i++) {
        const rd_matcher *m = &r->m[i];
        if (m->op != RD_EQ || !m->value[0])
            continue;
        const kiln_posting *p = find_posting(t, m->name, m->value);
        neq++;
        if (!p)
            goto out; /* nothing can match */
        for (uint32_t j = 0; j < p->n; j++) {
            uint32_t sid = t->post_ids[p->off + j];
            if (sid < t->nseries)
                cnt[sid]++;
        }
    }
    for (size_t sid = 0; sid < t->nseries; sid++) {
        if (cnt[sid] != neq || !kok[t->series[sid].kind])
            continue;
        bool ok = true;
        for (size_t i = 0; i < r->nm && ok; i++) {
            const rd_matcher *m = &r->m[i];
            if (m->op == RD_EQ && m->value[0])
                continue; /* decided by the postings */
            ok = matches(m, kiln_series_label(t, (uint32_t)sid, m->name));
        }
        sel[sid] = ok;
    }
out:
    free(cnt);
    free(kok);
    return rc;
}

/* The pages of b that can hold rows for r: series selected, time range
 * overlapping, mask[i] set (when mask is given) and, with links_only, some
 * row linked. Loads the series and page index and counts pages_total.
 * *ids is malloc'd (free it); *n may be 0. */
int rd_block_candidates(kiln_result *r, kiln_block *b, const uint8_t *mask,
                        bool links_only, uint32_t **ids, size_t *n)
{
    uint8_t *sel = NULL;
    int rc;

    *ids = NULL;
    *n = 0;
    if ((rc = rd_block_pages(b)) < 0)
        return rc;
    r->stats.pages_total += b->npages;
    sel = calloc(b->series.nseries ? b->series.nseries : 1, 1);
    *ids = malloc((b->npages ? b->npages : 1) * sizeof **ids);
    if (!sel || !*ids) {
        rc = nomem();
        goto out;
    }
    if ((rc = rd_select_series(r, &b->series, sel)) < 0)
        goto out;
    for (size_t i = 0; i < b->npages; i++) {
        const kiln_page_meta *pm = &b->pages[i];
        if (sel[pm->series] && pm->tmax >= r->from && pm->tmin < r->to &&
            (!mask || mask[i]) && (!links_only || pm->has_links))
            (*ids)[(*n)++] = (uint32_t)i;
    }
out:
    free(sel);
    if (rc < 0) {
        free(*ids);
        *ids = NULL;
        *n = 0;
    }
    return rc;
}

int kiln_result_add_block(kiln_result *r, kiln_block *b)
{
    uint8_t *tmask = NULL;
    uint32_t *ids = NULL;
    size_t n = 0;
    xlate x;
    bool have_x = false;
    int rc;

    r->stats.blocks_total++;
    if (b->meta.tmax < r->from || b->meta.tmin >= r->to)
        return api_return(0);
    /* A trace query asks the bloom filter and the links first, then keeps
     * only the pages its trace index names. */
    if (r->has_trace) {
        if ((rc = rd_trace_block(r, b)) <= 0)
            return api_return(rc);
        if ((rc = rd_block_pages(b)) < 0)
            goto out;
        if (!(tmask = calloc(b->npages ? b->npages : 1, 1))) {
            rc = nomem();
            goto out;
        }
        if ((rc = rd_trace_pages(r, b, tmask)) < 0)
            goto out;
    }
    if ((rc = rd_block_candidates(r, b, tmask, false, &ids, &n)) < 0)
        goto out;
    if (n == 0)
        goto out;
    r->stats.blocks_read++;
    /* A trace lookup has its links in the chunk rd_trace_block decoded;
     * labels kept without one need every link. */
    if ((rc = rd_block_stacks(b)) < 0 ||
        (r->keep_labels && !r->has_trace && (rc = rd_block_links(b)) < 0))
        goto out;
    if ((rc = xlate_init(&x, r, b)) < 0) {
        xlate_free(&x);
        goto out;
    }
    have_x = true;
    /* Without keep_labels the link ids are only bounds-checked. */
    rc = rd_block_read_pages(b, ids, n, rd_block_nlinks(b), add_page, &x);
out:
    if (have_x)
        xlate_free(&x);
    free(tmask);
    free(ids);
    return api_return(rc);
}

/* ---- the whole store ---- */

typedef struct keylist {
    char **keys;
    size_t n, cap;
} keylist;

static int collect_key(void *ud, const char *key, uint64_t size)
{
    keylist *kl = ud;
    (void)size;
    if (kl->n == kl->cap) {
        size_t nc = kl->cap ? kl->cap * 2 : 16;
        char **nk = realloc(kl->keys, nc * sizeof *nk);
        if (!nk)
            return nomem();
        kl->keys = nk;
        kl->cap = nc;
    }
    if (!(kl->keys[kl->n] = strdup(key)))
        return nomem();
    kl->n++;
    return 0;
}

/* 1 if block i's id is a source of another open block (it was replaced). */
static bool superseded(kiln_block **bl, size_t n, size_t i)
{
    const char *id = bl[i]->meta.id;
    if (!id)
        return false;
    for (size_t j = 0; j < n; j++) {
        if (j == i || !bl[j])
            continue;
        for (size_t k = 0; k < bl[j]->meta.nsources; k++)
            if (strcmp(bl[j]->meta.sources[k], id) == 0)
                return true;
    }
    return false;
}

int rd_each_block(kiln_store *st, const char *tenant, kiln_result *r,
                  int (*fn)(void *ud, kiln_block *b), void *ud)
{
    keylist kl = {NULL, 0, 0};
    kiln_block **bl = NULL;
    uint8_t *skip = NULL;
    int rc;

    if ((rc = kiln_blocks_list(st, tenant, collect_key, &kl)) < 0)
        goto out;
    bl = calloc(kl.n ? kl.n : 1, sizeof *bl);
    if (!bl) {
        rc = nomem();
        goto out;
    }
    for (size_t i = 0; i < kl.n; i++) {
        /* A key naming its time range outside the query's is not opened:
         * a block's range covers its sources' (spec/block.md), so it
         * replaces no block the query reads either. */
        int64_t lo, hi;
        if (kiln_block_key_range(kl.keys[i], &lo, &hi) &&
            (hi < r->from || lo >= r->to))
            continue;
        if ((rc = kiln_block_open(&bl[i], st, kl.keys[i])) < 0)
            goto out;
        /* Only its metadata is needed (for the sources check): memory
         * stays flat however many blocks the tenant has. */
        if (bl[i]->meta.tmax < r->from || bl[i]->meta.tmin >= r->to)
            rd_block_release(bl[i]);
    }
    /* Decide which blocks are replaced before any is freed. */
    skip = calloc(kl.n ? kl.n : 1, 1);
    if (!skip) {
        rc = nomem();
        goto out;
    }
    for (size_t i = 0; i < kl.n; i++)
        skip[i] = !bl[i] || superseded(bl, kl.n, i);
    for (size_t i = 0; i < kl.n; i++) {
        if (skip[i])
            r->stats.blocks_total++;
        else if ((rc = fn(ud, bl[i])) < 0)
            goto out;
        /* Its sections are no longer needed: keep memory flat. */
        kiln_block_free(bl[i]);
        bl[i] = NULL;
    }
out:
    if (bl)
        for (size_t i = 0; i < kl.n; i++)
            kiln_block_free(bl[i]);
    free(bl);
    free(skip);
    for (size_t i = 0; i < kl.n; i++)
        free(kl.keys[i]);
    free(kl.keys);
    return rc;
}

static int add_one(void *ud, kiln_block *b)
{
    return kiln_result_add_block(ud, b);
}

int kiln_query(kiln_result **out, kiln_store *st, const char *tenant,
               const kiln_query_opts *o)
{
    kiln_result *r = NULL;
    int rc;

    *out = NULL;
    if ((rc = kiln_result_new(&r, o)) < 0 ||
        (rc = rd_each_block(st, tenant, r, add_one, r)) < 0) {
        kiln_result_free(r);
        return rc;
    }
    *out = r;
    return api_return(0);
}

/* ---- values by node ---- */

int rd_node_values(const kiln_result *r, const int64_t **vals, int64_t **tmp)
{
    size_t nt = r->ntypes;

    *tmp = NULL;
    if (!r->keep_labels && r->dense && r->dense_nodes >= r->stk.n) {
        *vals = r->dense;
        return 0;
    }
    *tmp = calloc((r->stk.n ? r->stk.n : 1) * (nt ? nt : 1), sizeof **tmp);
    if (!*tmp)
        return nomem();
    if (r->keep_labels)
        for (size_t i = 0; i < r->nkeys; i++)
            for (size_t t = 0; t < nt; t++)
                (*tmp)[(size_t)r->keys[i].node * nt + t] = add64(
                    (*tmp)[(size_t)r->keys[i].node * nt + t],
                    r->kvals[i * nt + t]);
    *vals = *tmp;
    return 0;
}
