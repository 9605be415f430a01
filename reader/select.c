/* select.c: what a query reads - label selectors parsed into matchers,
 * series matched through the postings, pages pruned by series and time,
 * the store walk with the visible-block rule, and the scan that hands a
 * block's selected rows to its caller (aggregation, trace listing, row
 * export), so none of them is a mode of another. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "select_internal.h"

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
        return nomem();
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

/* POSIX regex engines expand bounded repetitions by copying (glibc's
 * ((a{200}){200}){200} took 1.6 GB and 4 s to compile) and stacked
 * repetition operators blow up (a++++...+, found by fuzz_parse): a
 * selector's regex is refused before regcomp when it is longer than
 * RE_MAX_BYTES, puts two repetition operators on one atom (undefined in
 * POSIX), or would expand to more than RE_MAX_SIZE positions. */
#define RE_MAX_BYTES 4096
#define RE_MAX_SIZE 10000
#define RE_MAX_DEPTH 64

static int re_refuse(const rd_matcher *m, size_t pos, const char *why)
{
    return kiln_error_set(KILN_EINVAL, "selector: regular expression \"%.64s%s\" "
                          "at position %zu: %s", m->value,
                          strlen(m->value) > 64 ? "..." : "", pos + 1, why);
}

static int re_check(const rd_matcher *m, size_t pos)
{
    const char *re = m->value;
    size_t n = strlen(re);
    /* Per open group: positions so far, and the size of its last atom. */
    uint64_t total[RE_MAX_DEPTH + 1] = {0}, atom[RE_MAX_DEPTH + 1] = {0};
    bool quantified = false, have_atom = false;
    int d = 0;

    if (n > RE_MAX_BYTES)
        return re_refuse(m, pos, "longer than 4096 bytes");
    for (size_t i = 0; i < n; i++) {
        char c = re[i];
        uint64_t mult = 0;

        if (c == '*' || c == '+' || c == '?') {
            mult = c == '+' ? 2 : 1;
        } else if (c == '{' && i + 1 < n && re[i + 1] >= '0' &&
                   re[i + 1] <= '9') {
            uint64_t lo = 0, hi;
            size_t j = i + 1;
            while (j < n && re[j] >= '0' && re[j] <= '9' && lo <= RE_MAX_SIZE)
                lo = lo * 10 + (uint64_t)(re[j++] - '0');
            hi = lo;
            if (j < n && re[j] == ',') {
                j++;
                hi = lo + 1; /* {m,}: m copies and a loop */
                if (j < n && re[j] >= '0' && re[j] <= '9') {
                    hi = 0;
                    while (j < n && re[j] >= '0' && re[j] <= '9' &&
                           hi <= RE_MAX_SIZE)
                        hi = hi * 10 + (uint64_t)(re[j++] - '0');
                }
            }
            while (j < n && re[j] != '}')
                j++;
            i = j;
            mult = (hi > lo ? hi : lo) + 1;
        }
        if (mult) {
            if (quantified)
                return re_refuse(m, pos, "two repetition operators in a "
                                 "row (undefined in POSIX)");
            if (have_atom) {
                uint64_t grown = atom[d] * mult;
                total[d] += grown - atom[d];
                atom[d] = grown;
            }
            quantified = true;
        } else {
            uint64_t size = 1;
            quantified = false;
            if (c == '(') {
                if (d == RE_MAX_DEPTH)
                    return re_refuse(m, pos, "groups nested deeper than 64");
                d++;
                total[d] = atom[d] = 0;
                have_atom = false;
                continue;
            }
            if (c == ')' && d > 0) {
                size = total[d] ? total[d] : 1;
                d--;
            } else if (c == '|') {
                have_atom = false;
                continue;
            } else if (c == '\\' && i + 1 < n) {
                i++;
            } else if (c == '[') {
                /* A bracket expression: "]" first is literal; [:x:], [=x=]
                 * and [.x.] hold brackets of their own. */
                size_t j = i + 1;
                if (j < n && re[j] == '^')
                    j++;
                if (j < n && re[j] == ']')
                    j++;
                while (j < n && re[j] != ']') {
                    if (re[j] == '[' && j + 1 < n &&
                        (re[j + 1] == ':' || re[j + 1] == '=' ||
                         re[j + 1] == '.')) {
                        char end = re[j + 1];
                        j += 2;
                        while (j + 1 < n && !(re[j] == end && re[j + 1] == ']'))
                            j++;
                        j += 2;
                    } else {
                        j++;
                    }
                }
                i = j < n ? j : n;
            }
            total[d] += size;
            atom[d] = size;
            have_atom = true;
        }
        if (total[d] > RE_MAX_SIZE)
            return re_refuse(m, pos, "its repetitions expand past 10000 "
                             "positions");
    }
    return 0;
}

static int compile_re(rd_matcher *m, size_t pos)
{
    size_t n = strlen(m->value);
    char *pat = malloc(n + 5);
    int rc;

    if (!pat)
        return nomem();
    if ((rc = re_check(m, pos)) < 0) {
        free(pat);
        return rc;
    }
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

/* {name="v", name!="v", name=~"re", name!~"re"}, braces optional; a name
 * may be double-quoted ({"hôst"="x"}), with the value's escapes. */
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
        memset(&m, 0, sizeof m);
        start = i;
        if (s[i] == '"') {
            /* a quoted name, as Prometheus 3 reads them: any label name
             * ingest accepts (spaces, non-ASCII) can be selected */
            if ((rc = parse_value(s, &i, &m.name)) < 0)
                goto out;
            if (m.name[0] == '\0') {
                free(m.name);
                rc = sel_err("empty label name", start);
                goto out;
            }
        } else if (!name_start(s[i])) {
            rc = sel_err(s[i] ? "expected a label name" :
                         "expected a label name or '}'", i);
            goto out;
        } else {
            while (name_char(s[i]))
                i++;
            m.name = strndup(s + start, i - start);
            if (!m.name) {
                rc = nomem();
                goto out;
            }
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
                rc = nomem();
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

/* ---- the selection of a query ---- */

int rd_sel_init(rd_sel *s, const kiln_query_opts *o)
{
    int rc;

    memset(s, 0, sizeof *s);
    s->from = o->from;
    s->to = o->to;
    if (o->selector && (rc = parse_selector(o->selector, &s->m, &s->nm)) < 0)
        return rc;
    if ((rc = rd_trace_init(s, o)) < 0)
        return rc;
    if (o->version >= 3) {
        s->on_skip = o->on_skip;
        s->skip_ud = o->skip_ud;
    }
    if (o->type && o->type[0]) {
        const char *colon = strrchr(o->type, ':');
        if (!(s->want_type = strdup(o->type)))
            return nomem();
        if (colon && colon != o->type && colon[1] &&
            !(s->want_unit = strdup(colon + 1)))
            return nomem();
    }
    return 0;
}

void rd_sel_free(rd_sel *s)
{
    for (size_t i = 0; i < s->nm; i++)
        matcher_free(&s->m[i]);
    free(s->m);
    free(s->want_type);
    free(s->want_unit);
    rd_trace_free(s);
    for (size_t i = 0; i < s->nskipped; i++)
        free(s->skipped[i]);
    free(s->skipped);
    memset(s, 0, sizeof *s);
}

static bool was_skipped(const rd_sel *s, const char *key)
{
    for (size_t i = 0; i < s->nskipped; i++)
        if (strcmp(s->skipped[i], key) == 0)
            return true;
    return false;
}

int rd_sel_skip(rd_sel *s, const char *key, int err)
{
    char **nk;

    if (!s || !s->on_skip || err == KILN_ENOMEM)
        return err;
    if (was_skipped(s, key)) {
        kiln_error_clear();
        return 0;
    }
    if (!(nk = realloc(s->skipped, (s->nskipped + 1) * sizeof *nk)) ||
        !(nk[s->nskipped] = strdup(key))) {
        if (nk)
            s->skipped = nk;
        return nomem();
    }
    s->skipped = nk;
    s->nskipped++;
    s->on_skip(s->skip_ud, key, err, kiln_error_last());
    kiln_error_clear();
    return 0;
}

/* ---- types ---- */

static bool str_is(const kiln_strtab *t, uint32_t id, const char *s)
{
    size_t n = strlen(s);
    return t->len[id] == n && memcmp(strtab_get(t, id), s, n) == 0;
}

bool rd_type_wanted(const rd_sel *s, const kiln_strtab *t,
                    uint32_t type, uint32_t unit)
{
    if (!s->want_type)
        return true;
    if (str_is(t, type, s->want_type))
        return true;
    if (s->want_unit) {
        size_t n = strlen(s->want_type) - strlen(s->want_unit) - 1;
        return t->len[type] == n &&
               memcmp(strtab_get(t, type), s->want_type, n) == 0 &&
               str_is(t, unit, s->want_unit);
    }
    return false;
}

static bool kind_wanted(const rd_sel *s, const kiln_seriestab *st,
                        uint32_t kind)
{
    const kiln_kind *k = &st->kinds[kind];
    for (uint32_t t = 0; t < k->ntypes; t++)
        if (rd_type_wanted(s, &st->strings, k->types[2 * t],
                        k->types[2 * t + 1]))
            return true;
    return false;
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
    int c = memcmp(strtab_get(t, a), s, la < n ? la : n);
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
int rd_select_series(const rd_sel *s, const kiln_seriestab *t,
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
        kok[k] = kind_wanted(s, t, (uint32_t)k);
    for (size_t i = 0; i < s->nm; i++) {
        const rd_matcher *m = &s->m[i];
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
        for (size_t i = 0; i < s->nm && ok; i++) {
            const rd_matcher *m = &s->m[i];
            if (m->op == RD_EQ && m->value[0])
                continue; /* decided by the postings */
            ok = matches(m, series_label(t, (uint32_t)sid, m->name));
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
int rd_block_candidates(rd_sel *s, kiln_block *b, const uint8_t *mask,
                        bool links_only, uint32_t **ids, size_t *n)
{
    uint8_t *sel = NULL;
    int rc;

    *ids = NULL;
    *n = 0;
    if ((rc = rd_block_pages(b)) < 0)
        return rc;
    s->stats.pages_total += b->npages;
    sel = calloc(b->series.nseries ? b->series.nseries : 1, 1);
    *ids = malloc((b->npages ? b->npages : 1) * sizeof **ids);
    if (!sel || !*ids) {
        rc = nomem();
        goto out;
    }
    if ((rc = rd_select_series(s, &b->series, sel)) < 0)
        goto out;
    for (size_t i = 0; i < b->npages; i++) {
        const kiln_page_meta *pm = &b->pages[i];
        if (sel[pm->series] && pm->tmax >= s->from && pm->tmin < s->to &&
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

/* ---- the whole store ---- */

typedef struct keylist {
    char **keys;
    uint64_t *sizes;
    size_t n, cap;
} keylist;

static int collect_key(void *ud, const char *key, uint64_t size)
{
    keylist *kl = ud;
    if (kl->n == kl->cap) {
        size_t nc = kl->cap ? kl->cap * 2 : 16;
        char **nk = realloc(kl->keys, nc * sizeof *nk);
        if (!nk)
            return nomem();
        kl->keys = nk;
        uint64_t *ns = realloc(kl->sizes, nc * sizeof *ns);
        if (!ns)
            return nomem();
        kl->sizes = ns;
        kl->cap = nc;
    }
    if (!(kl->keys[kl->n] = strdup(key)))
        return nomem();
    kl->sizes[kl->n] = size;
    kl->n++;
    return 0;
}

/* 1 if block i's id is a source of another open block (it was replaced). */
static bool superseded(kiln_block *const *bl, size_t n, size_t i)
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

/* The visible-block rule (spec/block.md, DESIGN's compaction rule 2): a
 * block named as a source by another block of the tenant was replaced by
 * it. The store walk and `kiln ls` both apply it through here. */
void kiln_blocks_replaced(kiln_block *const *blocks, size_t n,
                          uint8_t *replaced)
{
    for (size_t i = 0; i < n; i++)
        replaced[i] = blocks[i] && superseded(blocks, n, i);
}

/* The tenant's blocks, listed and opened for their footers, and which
 * are replaced. Blocks whose key or footer puts them outside [from, to)
 * keep only their metadata (memory stays flat however many blocks the
 * tenant has); a key naming its range outside is not even opened (a
 * block's range covers its sources', spec/block.md, so it replaces no
 * block in range either): bl[i] NULL. A listing opens every
 * block for its metadata only, and a block that does not open is NULL
 * too, not an error (its key is still listed). */
typedef struct tenant_blocks {
    keylist kl;
    kiln_block **bl;
    uint8_t *replaced;
} tenant_blocks;

static void tenant_free(tenant_blocks *t)
{
    for (size_t i = 0; t->bl && i < t->kl.n; i++)
        kiln_block_free(t->bl[i]);
    free(t->bl);
    free(t->replaced);
    for (size_t i = 0; i < t->kl.n; i++)
        free(t->kl.keys[i]);
    free(t->kl.keys);
    free(t->kl.sizes);
    memset(t, 0, sizeof *t);
}

/* sel NULL: a listing. */
static int tenant_open(tenant_blocks *t, kiln_store *st, const char *tenant,
                       rd_sel *sel)
{
    bool listing = sel == NULL;
    int64_t from = sel ? sel->from : KILN_TIME_MIN;
    int64_t to = sel ? sel->to : KILN_TIME_MAX;
    int rc;

    memset(t, 0, sizeof *t);
    if ((rc = kiln_blocks_list(st, tenant, collect_key, &t->kl)) < 0)
        return rc;
    t->bl = calloc(t->kl.n ? t->kl.n : 1, sizeof *t->bl);
    t->replaced = calloc(t->kl.n ? t->kl.n : 1, 1);
    if (!t->bl || !t->replaced)
        return nomem();
    for (size_t i = 0; i < t->kl.n; i++) {
        int64_t lo, hi;
        if (!listing && ((block_key_range(t->kl.keys[i], &lo, &hi) &&
                          (hi < from || lo >= to)) ||
                         was_skipped(sel, t->kl.keys[i])))
            continue;
        if ((rc = kiln_block_open(&t->bl[i], st, t->kl.keys[i])) < 0) {
            if (!listing && (rc = rd_sel_skip(sel, t->kl.keys[i], rc)) < 0)
                return rc;
            kiln_error_clear();
            continue;
        }
        if (listing || t->bl[i]->meta.tmax < from || t->bl[i]->meta.tmin >= to)
            rd_block_release(t->bl[i]);
    }
    /* Decide which blocks are replaced before any is freed. */
    kiln_blocks_replaced(t->bl, t->kl.n, t->replaced);
    return 0;
}

int rd_each_block(kiln_store *st, const char *tenant, rd_sel *s,
                  int (*fn)(void *ud, kiln_block *b), void *ud)
{
    tenant_blocks t;
    int rc;

    if ((rc = tenant_open(&t, st, tenant, s)) < 0)
        goto out;
    for (size_t i = 0; i < t.kl.n; i++) {
        if (!t.bl[i] || t.replaced[i])
            s->stats.blocks_total++;
        else if ((rc = fn(ud, t.bl[i])) < 0)
            goto out;
        /* Its sections are no longer needed: keep memory flat. */
        kiln_block_free(t.bl[i]);
        t.bl[i] = NULL;
    }
out:
    tenant_free(&t);
    return rc;
}

int kiln_blocks_visible(kiln_store *st, const char *tenant,
                        kiln_block_list_cb cb, void *ud)
{
    tenant_blocks t;
    int rc;

    if ((rc = tenant_open(&t, st, tenant, NULL)) < 0)
        goto out;
    for (size_t i = 0; i < t.kl.n && rc == 0; i++)
        if (!t.replaced[i])
            rc = cb(ud, t.kl.keys[i], t.kl.sizes[i]);
out:
    tenant_free(&t);
    return api_return(rc);
}

/* ---- the scan of one block ---- */

typedef struct scan_ctx {
    rd_sel *s;
    kiln_block *b;
    const rd_scan_ops *ops;
    void *ud;
} scan_ctx;

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

static int scan_page(void *ud, uint32_t pid, const kiln_page_meta *pm,
                     const kiln_page_rows *rows)
{
    scan_ctx *c = ud;
    rd_sel *s = c->s;
    uint32_t lo, hi;
    int rc;

    (void)pid;
    s->stats.pages_read++;
    if (s->has_trace && (rc = rd_trace_rows(s, rows, &rows)) < 0)
        return rc;
    lo = s->from == KILN_TIME_MIN ? 0 : lower_bound(rows->time, rows->n,
                                                    s->from);
    hi = s->to == KILN_TIME_MAX ? rows->n : lower_bound(rows->time, rows->n,
                                                        s->to);
    if (lo >= hi)
        return 0;
    /* Time range of what matched. */
    if (!s->stats.rows || rows->time[lo] < s->stats.tmin)
        s->stats.tmin = rows->time[lo];
    if (!s->stats.rows || rows->time[hi - 1] > s->stats.tmax)
        s->stats.tmax = rows->time[hi - 1];
    s->stats.rows += hi - lo;
    return c->ops->page(c->ud, c->b, pm, rows, lo, hi);
}

int rd_scan_block(rd_sel *s, kiln_block *b, const rd_scan_ops *ops, void *ud)
{
    uint8_t *tmask = NULL;
    uint32_t *ids = NULL;
    size_t n = 0;
    scan_ctx c = {s, b, ops, ud};
    rd_staged staged;
    int rc;

    memset(&staged, 0, sizeof staged);
    s->stats.blocks_total++;
    if (b->meta.tmax < s->from || b->meta.tmin >= s->to ||
        (ops->links_only && !b->meta.nlinks))
        return 0; /* from the footer alone */
    /* Everything of the block this scan uses is read and checked before
     * the first row goes to the caller, so an unreadable block is left out
     * whole (rd_sel_skip) or fails the query, never half counted. */
    /* A trace query asks the bloom filter and the links first, then keeps
     * only the pages its trace index names. */
    if (s->has_trace) {
        if ((rc = rd_trace_block(s, b)) <= 0)
            goto unreadable;
        if ((rc = rd_block_pages(b)) < 0)
            goto unreadable;
        if (!(tmask = calloc(b->npages ? b->npages : 1, 1))) {
            rc = nomem();
            goto out;
        }
        if ((rc = rd_trace_pages(s, b, tmask)) < 0)
            goto unreadable;
    }
    if ((rc = rd_block_candidates(s, b, tmask, ops->links_only, &ids,
                                  &n)) < 0)
        goto unreadable;
    if (n == 0)
        goto out;
    /* A trace lookup has its links in the chunk rd_trace_block decoded. */
    if ((rc = rd_block_stacks(b)) < 0 ||
        (ops->need_links && !s->has_trace && (rc = rd_block_links(b)) < 0) ||
        (rc = rd_block_stage_pages(b, ids, n, &staged)) < 0)
        goto unreadable;
    s->stats.blocks_read++;
    if (ops->begin && (rc = ops->begin(ud, b)) < 0)
        goto out;
    /* Link ids are bounds-checked against what is loaded. A page that
     * passed its checksum but does not decode (a writer's bug or a crafted
     * block) fails the query even when blocks may be skipped: its earlier
     * pages were counted already. */
    rc = rd_block_decode_staged(b, &staged, rd_block_nlinks(b), scan_page, &c);
    goto out;
unreadable:
    if (rc < 0)
        rc = rd_sel_skip(s, b->key, rc);
out:
    rd_staged_free(&staged);
    free(tmask);
    free(ids);
    return rc;
}
