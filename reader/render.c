/* render.c: a query result as gzip'd pprof, folded stacks, top functions
 * (flat and cumulative, as `pprof -top` counts them) and JSON. Every output
 * walks the result's call tree; none changes the result. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profile.pb-c.h"
#include "reader_internal.h"


/* 0 if type is one of the result's, 1 if the result is empty (no types:
 * nothing to render), else KILN_EINVAL. */
static int check_type(const kiln_result *r, size_t type)
{
    if (r->ntypes == 0)
        return 1;
    if (type >= r->ntypes)
        return kiln_error_set(KILN_EINVAL, "result: sample type %zu of %zu",
                              type, r->ntypes);
    return 0;
}

static int64_t add64(int64_t a, int64_t b)
{
    return (int64_t)((uint64_t)a + (uint64_t)b);
}

/* ---- frame names ---- */

/* The name of line j of location loc (function name), or the location's
 * address in hex when it has no lines, the line no function (KILN_NOFUNC)
 * or the function no name. A nameless frame at address 0 (an empty frame of
 * folded input) stays empty: "0x0" would name nothing and break the folded
 * round trip. */
void rd_frame_name(const kiln_result *r, uint32_t loc, uint32_t j,
                   char hex[24], const char **s, size_t *n)
{
    const kiln_location *l = &r->sym.locations[loc];

    uint32_t fid = j < l->nlines ? r->sym.lines[l->line_off + j].function
                                 : KILN_NOFUNC;
    if (j < l->nlines && fid == KILN_NOFUNC && l->address == 0) {
        *s = ""; /* no function at no address: nothing to name */
        *n = 0;
        return;
    }
    if (fid != KILN_NOFUNC) {
        const kiln_function *f = &r->sym.functions[fid];
        if (r->sym.strings.len[f->name] || l->address == 0) {
            *s = kiln_strtab_get(&r->sym.strings, f->name);
            *n = r->sym.strings.len[f->name];
            return;
        }
    }
    *n = (size_t)snprintf(hex, 24, "0x%" PRIx64, l->address);
    *s = hex;
}

/* Append a frame name, with line breaks and ';' turned into spaces so a
 * folded line stays one line of ';'-separated frames. */
static int put_frame(kiln_buf *b, const char *s, size_t n)
{
    int rc;
    size_t at = b->len;

    if ((rc = kiln_buf_append(b, s, n)) < 0)
        return rc;
    for (size_t i = at; i < b->len; i++)
        if (b->data[i] == '\n' || b->data[i] == '\r' || b->data[i] == ';')
            b->data[i] = ' ';
    return 0;
}

/* Root-first frames of node n, joined by sep, appended to b. */
static int put_stack(const kiln_result *r, uint32_t n, kiln_buf *b,
                     uint32_t *path, bool json)
{
    size_t depth = 0;
    bool first = true;
    char hex[24];
    int rc;

    while (n) {
        path[depth++] = n;
        n = r->stk.parent[n];
    }
    while (depth) {
        uint32_t loc = r->stk.loc[path[--depth]];
        const kiln_location *l = &r->sym.locations[loc];
        uint32_t nl = l->nlines ? l->nlines : 1;
        for (uint32_t j = nl; j-- > 0;) {
            const char *s;
            size_t len;
            rd_frame_name(r, loc, j, hex, &s, &len);
            if (!first && (rc = kiln_buf_append(b, json ? "," : ";", 1)) < 0)
                return rc;
            first = false;
            if ((rc = json ? rd_json_str(b, s, len) : put_frame(b, s, len)) < 0)
                return rc;
        }
    }
    return 0;
}

int rd_folded_stack(const kiln_result *r, uint32_t n, kiln_buf *b,
                    uint32_t *path)
{
    return put_stack(r, n, b, path, false);
}

/* ---- folded ---- */

typedef struct fline {
    size_t off, len; /* of the frames text in the pool */
    int64_t v;
} fline;

static _Thread_local const uint8_t *fpool; /* qsort context */

static int cmp_fline(const void *a, const void *b)
{
    const fline *x = a, *y = b;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(fpool + x->off, fpool + y->off, n);
    if (c)
        return c;
    return x->len < y->len ? -1 : x->len > y->len;
}

int kiln_result_folded(const kiln_result *r, size_t type, kiln_buf *out)
{
    const int64_t *vals;
    int64_t *tmp = NULL;
    uint32_t *path = NULL;
    fline *lines = NULL;
    size_t nlines = 0, nt = r->ntypes;
    kiln_buf pool = KILN_BUF_INIT;
    int rc;

    if ((rc = check_type(r, type)) != 0)
        return api_return(rc < 0 ? rc : 0);
    if ((rc = rd_node_values(r, &vals, &tmp)) < 0)
        goto out;
    path = malloc(r->stk.n * sizeof *path);
    lines = malloc(r->stk.n * sizeof *lines);
    if (!path || !lines) {
        rc = nomem();
        goto out;
    }
    for (uint32_t n = 1; n < r->stk.n; n++) {
        int64_t v = vals[(size_t)n * nt + type];
        if (!v)
            continue;
        lines[nlines].off = pool.len;
        if ((rc = put_stack(r, n, &pool, path, false)) < 0)
            goto out;
        lines[nlines].len = pool.len - lines[nlines].off;
        lines[nlines].v = v;
        nlines++;
    }
    fpool = pool.data;
    qsort(lines, nlines, sizeof *lines, cmp_fline);
    for (size_t i = 0; i < nlines;) {
        int64_t v = lines[i].v;
        size_t j = i + 1;
        char num[32];
        while (j < nlines && cmp_fline(&lines[i], &lines[j]) == 0)
            v = add64(v, lines[j++].v);
        if (v) {
            int k = snprintf(num, sizeof num, " %" PRId64 "\n", v);
            if ((rc = kiln_buf_append(out, pool.data + lines[i].off,
                                      lines[i].len)) < 0 ||
                (rc = kiln_buf_append(out, num, (size_t)k)) < 0)
                goto out;
        }
        i = j;
    }
out:
    free(tmp);
    free(path);
    free(lines);
    kiln_buf_free(&pool);
    return api_return(rc);
}

/* ---- top ---- */

typedef struct topc {
    kiln_strtab names;  /* function names and hex addresses -> key ids */
    int64_t *flat, *cum; /* per key */
    uint32_t *stamp;     /* per key: last node counted (dedup per stack) */
} topc;

static void topc_free(topc *t)
{
    kiln_strtab_free(&t->names);
    free(t->flat);
    free(t->cum);
    free(t->stamp);
}

/* Key of frame (loc, line j). */
static int frame_key(const kiln_result *r, topc *t, uint32_t *lkey,
                     uint32_t *akey, uint32_t loc, uint32_t j, uint32_t *out)
{
    const kiln_location *l = &r->sym.locations[loc];
    uint32_t *slot = j < l->nlines ? &lkey[l->line_off + j] : &akey[loc];
    char hex[24];
    const char *s;
    size_t n;
    int rc;

    if (!*slot) {
        uint32_t id;
        rd_frame_name(r, loc, j, hex, &s, &n);
        if ((rc = kiln_strtab_intern(&t->names, s, n, &id)) < 0)
            return rc;
        *slot = id + 1;
    }
    *out = *slot - 1;
    return 0;
}

static int cmp_top(const void *a, const void *b)
{
    const kiln_top_entry *x = a, *y = b;
    int64_t fx = x->flat < 0 ? -x->flat : x->flat;
    int64_t fy = y->flat < 0 ? -y->flat : y->flat;
    if (fx != fy)
        return fx > fy ? -1 : 1;
    int c = strcmp(x->name, y->name);
    if (c)
        return c;
    return x->cum > y->cum ? -1 : x->cum < y->cum;
}

int kiln_result_top(const kiln_result *r, size_t type, kiln_top_entry **out,
                    size_t *nout)
{
    const int64_t *vals;
    int64_t *tmp = NULL;
    uint32_t *lkey = NULL, *akey = NULL;
    size_t nt = r->ntypes, nkeys, cap = 0;
    kiln_top_entry *res = NULL;
    topc t;
    int rc;

    *out = NULL;
    *nout = 0;
    memset(&t, 0, sizeof t);
    if ((rc = check_type(r, type)) != 0)
        return api_return(rc < 0 ? rc : 0);
    if ((rc = kiln_strtab_init(&t.names)) < 0)
        return rc;
    if ((rc = rd_node_values(r, &vals, &tmp)) < 0)
        goto out;
    lkey = calloc(r->sym.nlines + 1, sizeof *lkey);
    akey = calloc(r->sym.nlocations + 1, sizeof *akey);
    if (!lkey || !akey) {
        rc = nomem();
        goto out;
    }
    /* Keys first (names of every frame in a stack with a value). */
    for (uint32_t n = 1; n < r->stk.n; n++) {
        if (!vals[(size_t)n * nt + type])
            continue;
        for (uint32_t c = n; c; c = r->stk.parent[c]) {
            uint32_t loc = r->stk.loc[c], k;
            const kiln_location *l = &r->sym.locations[loc];
            uint32_t nl = l->nlines ? l->nlines : 1;
            for (uint32_t j = 0; j < nl; j++)
                if ((rc = frame_key(r, &t, lkey, akey, loc, j, &k)) < 0)
                    goto out;
        }
    }
    nkeys = t.names.n;
    t.flat = calloc(nkeys, sizeof *t.flat);
    t.cum = calloc(nkeys, sizeof *t.cum);
    t.stamp = calloc(nkeys, sizeof *t.stamp);
    if (!t.flat || !t.cum || !t.stamp) {
        rc = nomem();
        goto out;
    }
    for (uint32_t n = 1; n < r->stk.n; n++) {
        int64_t v = vals[(size_t)n * nt + type];
        uint32_t k;
        if (!v)
            continue;
        for (uint32_t c = n; c; c = r->stk.parent[c]) {
            uint32_t loc = r->stk.loc[c];
            const kiln_location *l = &r->sym.locations[loc];
            uint32_t nl = l->nlines ? l->nlines : 1;
            for (uint32_t j = 0; j < nl; j++) {
                if ((rc = frame_key(r, &t, lkey, akey, loc, j, &k)) < 0)
                    goto out;
                if (c == n && j == 0)
                    t.flat[k] = add64(t.flat[k], v);
                if (t.stamp[k] != n) {
                    t.stamp[k] = n;
                    t.cum[k] = add64(t.cum[k], v);
                }
            }
        }
    }
    /* One allocation: entries, then their names. */
    size_t count = 0, bytes = 0;
    for (size_t k = 1; k < nkeys; k++) {
        if (!t.flat[k] && !t.cum[k])
            continue;
        count++;
        bytes += t.names.len[k] + 1;
    }
    cap = count * sizeof *res + bytes;
    res = malloc(cap ? cap : 1);
    if (!res) {
        rc = nomem();
        goto out;
    }
    char *names = (char *)(res + count);
    size_t i = 0;
    for (size_t k = 1; k < nkeys; k++) {
        if (!t.flat[k] && !t.cum[k])
            continue;
        memcpy(names, kiln_strtab_get(&t.names, (uint32_t)k),
               t.names.len[k] + 1);
        res[i].name = names;
        res[i].flat = t.flat[k];
        res[i].cum = t.cum[k];
        names += t.names.len[k] + 1;
        i++;
    }
    qsort(res, count, sizeof *res, cmp_top);
    *out = res;
    *nout = count;
    res = NULL;
out:
    free(res);
    free(tmp);
    free(lkey);
    free(akey);
    topc_free(&t);
    return api_return(rc);
}

static int64_t total_of(const kiln_result *r, const int64_t *vals,
                        size_t type)
{
    int64_t s = 0;
    for (size_t n = 0; n < r->stk.n; n++) {
        int64_t v = vals[n * r->ntypes + type];
        s = add64(s, v < 0 ? -v : v);
    }
    return s;
}

int rd_bprintf(kiln_buf *b, const char *fmt, ...)
{
    va_list ap;
    int n, rc;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return kiln_error_set(KILN_EINVAL, "render: bad format");
    if ((rc = kiln_buf_reserve(b, (size_t)n + 1)) < 0)
        return rc;
    va_start(ap, fmt);
    vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
}

/* A share as pprof's -top prints it: "  100%" and "    0%" without
 * decimals, "%5.2f%%" from 1 %, two significant digits below. */
static void pct(char out[16], int64_t v, int64_t total)
{
    double r = total ? 100.0 * (double)v / (double)total : 0.0;
    double a = r < 0 ? -r : r;
    if (a >= 99.95 && a <= 100.05)
        snprintf(out, 16, "%s100%%", r < 0 ? " -" : "  ");
    else if (a >= 1.0)
        snprintf(out, 16, "%5.2f%%", r);
    else
        snprintf(out, 16, "%5.2g%%", r);
}

/* The smallest non-zero |value| of the rows shown and the total: the one
 * step every value of the table is labelled in (pprof's "minimum"). */
static int64_t smallest(const kiln_top_entry *e, size_t n, int64_t total)
{
    uint64_t m = total < 0 ? 0 - (uint64_t)total : (uint64_t)total;
    for (size_t i = 0; i < n; i++) {
        int64_t v[2] = {e[i].flat, e[i].cum};
        for (int k = 0; k < 2; k++) {
            uint64_t a = v[k] < 0 ? 0 - (uint64_t)v[k] : (uint64_t)v[k];
            if (a && (a < m || m == 0))
                m = a;
        }
    }
    return m > INT64_MAX ? INT64_MAX : (int64_t)m;
}

int kiln_result_top_text(const kiln_result *r, size_t type, size_t limit,
                         kiln_buf *out)
{
    kiln_top_entry *e = NULL;
    const int64_t *vals;
    int64_t *tmp = NULL, total, sum = 0, ref;
    size_t n = 0;
    const char *ty, *un;
    char a[KILN_VALUE_MAX], b[KILN_VALUE_MAX], p1[16], p2[16], p3[16];
    int rc;

    if ((rc = kiln_result_top(r, type, &e, &n)) < 0)
        return rc;
    if (r->ntypes == 0)
        return api_return(rd_bprintf(out, "No samples.\n"));
    if ((rc = rd_node_values(r, &vals, &tmp)) < 0)
        goto out;
    total = total_of(r, vals, type);
    kiln_result_type(r, type, &ty, &un);
    size_t shown = limit && limit < n ? limit : n;
    for (size_t i = 0; i < shown; i++)
        sum = add64(sum, e[i].flat);
    /* Time and bytes share one step, as pprof prints them; counts are
     * labelled one by one (pprof leaves them raw, which is unreadable at
     * millions of samples). */
    size_t nsteps;
    double factor;
    bool counts = rd_unit_family(un, &nsteps, &factor)[0].label[0] == 0;
    ref = counts ? 0 : smallest(e, shown, total);
    kiln_value_format(a, sum, un, ref);
    kiln_value_format(b, total, un, ref);
    pct(p1, sum, total);
    if ((rc = rd_bprintf(out, "Type: %s (%s)\nShowing %zu of %zu functions, "
                         "accounting for %s, %s of %s total (%" PRId64
                         " %s)\n%10s %6s %6s %10s %6s\n", ty, un, shown, n,
                         a, p1 + strspn(p1, " "), b, total, un, "flat",
                         "flat%", "sum%", "cum", "cum%")) < 0)
        goto out;
    sum = 0;
    for (size_t i = 0; i < shown; i++) {
        sum = add64(sum, e[i].flat);
        kiln_value_format(a, e[i].flat, un, ref);
        kiln_value_format(b, e[i].cum, un, ref);
        pct(p1, e[i].flat, total);
        pct(p2, sum, total);
        pct(p3, e[i].cum, total);
        if ((rc = rd_bprintf(out, "%10s %s %s %10s %s  ", a, p1, p2, b,
                             p3)) < 0 ||
            (rc = put_frame(out, e[i].name, strlen(e[i].name))) < 0 ||
            (rc = kiln_buf_append(out, "\n", 1)) < 0)
            goto out;
    }
out:
    free(e);
    free(tmp);
    return api_return(rc);
}

/* ---- JSON ---- */

/* Length of the valid UTF-8 sequence at s (n bytes left), or 0. */
size_t rd_utf8_len(const uint8_t *s, size_t n)
{
    uint8_t c = s[0];
    size_t len;
    uint32_t cp;

    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2;
        cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3f);
    }
    if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
        (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
        return 0;
    return len;
}

int rd_escape(kiln_buf *b, const char *str, size_t n, rd_escape_fn esc,
              const char *bad)
{
    const uint8_t *s = (const uint8_t *)str;
    size_t nbad = strlen(bad);
    int rc = 0;

    for (size_t i = 0; i < n && rc == 0;) {
        char e[8];
        size_t k = s[i] < 0x80 ? esc(s[i], e) : 0;
        if (k) {
            rc = kiln_buf_append(b, e, k);
            i++;
        } else if (s[i] < 0x80) {
            rc = kiln_buf_append(b, s + i, 1);
            i++;
        } else {
            size_t len = rd_utf8_len(s + i, n - i);
            rc = len ? kiln_buf_append(b, s + i, len)
                     : kiln_buf_append(b, bad, nbad);
            i += len ? len : 1;
        }
    }
    return rc;
}

size_t rd_json_esc(uint8_t c, char esc[8])
{
    if (c == '"' || c == '\\') {
        esc[0] = '\\';
        esc[1] = (char)c;
        return 2;
    }
    if (c < 0x20 || c == 0x7f)
        return (size_t)snprintf(esc, 8, "\\u%04x", c);
    return 0;
}

/* A JSON string: quotes, escapes, bytes that are not UTF-8 as U+FFFD. */
int rd_json_str(kiln_buf *b, const char *str, size_t n)
{
    int rc;

    if ((rc = kiln_buf_append(b, "\"", 1)) < 0 ||
        (rc = rd_escape(b, str, n, rd_json_esc, "\\ufffd")) < 0)
        return rc;
    return kiln_buf_append(b, "\"", 1);
}

static int json_sym(kiln_buf *b, const kiln_result *r, uint32_t id)
{
    return rd_json_str(b, kiln_strtab_get(&r->sym.strings, id),
                       r->sym.strings.len[id]);
}

int kiln_result_json(const kiln_result *r, kiln_buf *out)
{
    const int64_t *vals;
    int64_t *tmp = NULL;
    uint32_t *path = NULL;
    kiln_top_entry *e = NULL;
    size_t nt = r->ntypes, n;
    bool first = true;
    int rc;

    if ((rc = rd_node_values(r, &vals, &tmp)) < 0)
        goto out;
    path = malloc((r->stk.n ? r->stk.n : 1) * sizeof *path);
    if (!path) {
        rc = nomem();
        goto out;
    }
    if ((rc = rd_bprintf(out, "{\"types\":[")) < 0)
        goto out;
    for (size_t t = 0; t < nt; t++) {
        if ((rc = rd_bprintf(out, "%s{\"type\":", t ? "," : "")) < 0 ||
            (rc = json_sym(out, r, r->types[2 * t])) < 0 ||
            (rc = rd_bprintf(out, ",\"unit\":")) < 0 ||
            (rc = json_sym(out, r, r->types[2 * t + 1])) < 0 ||
            (rc = rd_bprintf(out, "}")) < 0)
            goto out;
    }
    if ((rc = rd_bprintf(out, "],\"time_ns\":%" PRId64 ",\"duration_ns\":%"
                      PRId64 ",\"period\":%" PRId64 ",\"period_type\":{"
                      "\"type\":", r->stats.rows ? r->stats.tmin : 0,
                      r->stats.rows ? r->tend - r->stats.tmin : 0,
                      r->period)) < 0 ||
        (rc = json_sym(out, r, r->period_type[0])) < 0 ||
        (rc = rd_bprintf(out, ",\"unit\":")) < 0 ||
        (rc = json_sym(out, r, r->period_type[1])) < 0 ||
        (rc = rd_bprintf(out, "},\"stats\":{\"blocks_total\":%" PRIu64
                      ",\"blocks_read\":%" PRIu64 ",\"pages_total\":%" PRIu64
                      ",\"pages_read\":%" PRIu64 ",\"rows\":%" PRIu64
                      "},\"stacks\":[", r->stats.blocks_total,
                      r->stats.blocks_read, r->stats.pages_total,
                      r->stats.pages_read, r->stats.rows)) < 0)
        goto out;
    for (uint32_t nd = 0; nd < r->stk.n; nd++) {
        const int64_t *v = vals + (size_t)nd * nt;
        size_t t;
        for (t = 0; t < nt && !v[t]; t++)
            ;
        if (t == nt)
            continue;
        if ((rc = rd_bprintf(out, "%s{\"frames\":[", first ? "" : ",")) < 0 ||
            (rc = put_stack(r, nd, out, path, true)) < 0 ||
            (rc = rd_bprintf(out, "],\"values\":[")) < 0)
            goto out;
        first = false;
        for (t = 0; t < nt; t++)
            if ((rc = rd_bprintf(out, "%s%" PRId64, t ? "," : "", v[t])) < 0)
                goto out;
        if ((rc = rd_bprintf(out, "]}")) < 0)
            goto out;
    }
    if ((rc = rd_bprintf(out, "],\"top\":[")) < 0)
        goto out;
    for (size_t t = 0; t < nt; t++) {
        if ((rc = kiln_result_top(r, t, &e, &n)) < 0 ||
            (rc = rd_bprintf(out, "%s[", t ? "," : "")) < 0)
            goto out;
        for (size_t i = 0; i < n; i++) {
            if ((rc = rd_bprintf(out, "%s{\"name\":", i ? "," : "")) < 0 ||
                (rc = rd_json_str(out, e[i].name, strlen(e[i].name))) < 0 ||
                (rc = rd_bprintf(out, ",\"flat\":%" PRId64 ",\"cum\":%" PRId64
                              "}", e[i].flat, e[i].cum)) < 0)
                goto out;
        }
        free(e);
        e = NULL;
        if ((rc = rd_bprintf(out, "]")) < 0)
            goto out;
    }
    rc = rd_bprintf(out, "]}\n");
out:
    free(e);
    free(tmp);
    free(path);
    return api_return(rc);
}

/* ---- pprof ---- */

typedef struct pctx {
    const kiln_result *r;
    uint32_t *str_out;   /* result string id -> output index (0 = unused) */
    size_t nstr;         /* output strings so far */
    uint32_t *loc_out;   /* location -> output id (1-based), 0 unused */
    uint32_t *fn_out;
    uint32_t *map_out;
    size_t nloc, nfn, nmap;
} pctx;

static void use_str(pctx *p, uint32_t id)
{
    if (id && !p->str_out[id])
        p->str_out[id] = (uint32_t)++p->nstr;
}

static void use_loc(pctx *p, uint32_t loc)
{
    const kiln_symtab *s = &p->r->sym;
    const kiln_location *l = &s->locations[loc];

    if (p->loc_out[loc])
        return;
    p->loc_out[loc] = (uint32_t)++p->nloc;
    if (l->mapping && !p->map_out[l->mapping - 1]) {
        const kiln_mapping *m = &s->mappings[l->mapping - 1];
        p->map_out[l->mapping - 1] = (uint32_t)++p->nmap;
        use_str(p, m->filename);
        use_str(p, m->build_id);
    }
    for (uint32_t j = 0; j < l->nlines; j++) {
        uint32_t f = s->lines[l->line_off + j].function;
        if (f != KILN_NOFUNC && !p->fn_out[f]) {
            const kiln_function *fn = &s->functions[f];
            p->fn_out[f] = (uint32_t)++p->nfn;
            use_str(p, fn->name);
            use_str(p, fn->system_name);
            use_str(p, fn->filename);
        }
    }
}


int kiln_result_pprof(const kiln_result *r, kiln_buf *out)
{
    const kiln_symtab *s = &r->sym;
    size_t nt = r->ntypes, nsamples = 0, nlocids = 0, nlabptrs = 0;
    pctx p;
    Perftools__Profiles__Profile prof = PERFTOOLS__PROFILES__PROFILE__INIT;
    Perftools__Profiles__ValueType *vt = NULL, **vtp = NULL, period_type =
        PERFTOOLS__PROFILES__VALUE_TYPE__INIT;
    Perftools__Profiles__Sample *samp = NULL, **sampp = NULL;
    Perftools__Profiles__Location *locs = NULL, **locp = NULL;
    Perftools__Profiles__Line *lines = NULL, **linep = NULL;
    Perftools__Profiles__Function *fns = NULL, **fnp = NULL;
    Perftools__Profiles__Mapping *maps = NULL, **mapp = NULL;
    Perftools__Profiles__Label *lsl = NULL, **labp = NULL;
    ProtobufCBinaryData *strs = NULL;
    uint32_t *depth = NULL, *lsl_off = NULL, *link_lab = NULL;
    uint8_t *lset_keys = NULL;
    uint64_t *locids = NULL;
    int64_t *svals = NULL, *comments = NULL;
    char *hexpool = NULL;
    uint8_t *packed = NULL;
    kiln_buf gz = KILN_BUF_INIT;
    uint32_t key_trace = 0, key_span = 0;
    int rc = 0;

    memset(&p, 0, sizeof p);
    p.r = r;
    /* Which samples: (node, values) rows, or keys with any value. */
    size_t nrows = r->keep_labels ? r->nkeys : r->stk.n;
    const int64_t *rowvals = r->keep_labels ? r->kvals : r->dense;
    if (!r->keep_labels && (!r->dense || r->dense_nodes < r->stk.n))
        nrows = 0; /* nothing accumulated */
    p.str_out = calloc(s->strings.n + 1, sizeof *p.str_out);
    p.loc_out = calloc(s->nlocations + 1, sizeof *p.loc_out);
    p.fn_out = calloc(s->nfunctions + 1, sizeof *p.fn_out);
    p.map_out = calloc(s->nmappings + 1, sizeof *p.map_out);
    depth = calloc(r->stk.n + 1, sizeof *depth);
    if (!p.str_out || !p.loc_out || !p.fn_out || !p.map_out || !depth) {
        rc = nomem();
        goto out;
    }
    for (uint32_t n = 1; n < r->stk.n; n++)
        depth[n] = depth[r->stk.parent[n]] + 1;

    /* Strings in a stable order: types, then kind metadata, then symbols
     * as samples reach them. */
    for (size_t t = 0; t < nt; t++) {
        use_str(&p, r->types[2 * t]);
        use_str(&p, r->types[2 * t + 1]);
    }
    use_str(&p, r->period_type[0]);
    use_str(&p, r->period_type[1]);
    use_str(&p, r->default_type);
    use_str(&p, r->drop_frames);
    use_str(&p, r->keep_frames);
    use_str(&p, r->doc_url);
    for (size_t i = 0; i < r->ncomments; i++)
        use_str(&p, r->comments[i]);

    /* Label sets that already carry "trace_id" / "span_id" verbatim (the
     * writer keeps such labels when the link cannot give them back byte for
     * byte), or "profile_id", from which the writer took the span: bit 1 and
     * bit 2. */
    lset_keys = calloc(s->nlsets + 1, 1);
    if (!lset_keys) {
        rc = nomem();
        goto out;
    }
    for (size_t l = 0; l < s->nlsets; l++) {
        for (uint32_t k = 0; k < s->lsets[l].n; k++) {
            uint32_t key = s->labels[s->lsets[l].off + k].key;
            const char *ks = kiln_strtab_get(&s->strings, key);
            if (s->strings.len[key] == 8 && memcmp(ks, "trace_id", 8) == 0)
                lset_keys[l] |= 1;
            if ((s->strings.len[key] == 7 && memcmp(ks, "span_id", 7) == 0) ||
                (s->strings.len[key] == 10 &&
                 memcmp(ks, "profile_id", 10) == 0))
                lset_keys[l] |= 2; /* profile_id: the writer's span alias */
        }
    }
    uint8_t *lset_used = calloc(s->nlsets + 1, 1);
    uint8_t *link_used = calloc(r->nlinks + 1, 1);
    uint8_t *node_done = calloc(r->stk.n + 1, 1);
    if (!lset_used || !link_used || !node_done) {
        free(lset_used);
        free(link_used);
        free(node_done);
        rc = nomem();
        goto out;
    }
    for (size_t i = 0; i < nrows; i++) {
        if (!r->keep_labels && !r->seen[i])
            continue;
        uint32_t node = r->keep_labels ? r->keys[i].node : (uint32_t)i;
        nsamples++;
        nlocids += depth[node];
        for (uint32_t c = node; c && !node_done[c]; c = r->stk.parent[c]) {
            node_done[c] = 1;
            use_loc(&p, r->stk.loc[c]);
        }
        if (r->keep_labels) {
            const kiln_labelset *ls = &s->lsets[r->keys[i].lset];
            nlabptrs += ls->n + 2;
            if (!lset_used[r->keys[i].lset]) {
                lset_used[r->keys[i].lset] = 1;
                for (uint32_t k = 0; k < ls->n; k++) {
                    const kiln_label_ent *e = &s->labels[ls->off + k];
                    use_str(&p, e->key);
                    use_str(&p, e->str);
                    use_str(&p, e->num_unit);
                }
            }
            if (r->keys[i].link)
                link_used[r->keys[i].link - 1] = 1;
        }
    }
    free(node_done);

    /* Link labels: "trace_id"/"span_id" with hex values, strings added
     * after the symbols'. */
    size_t nlinkused = 0;
    for (size_t l = 0; l < r->nlinks; l++)
        nlinkused += link_used[l];
    size_t nstr_sym = p.nstr;
    size_t nstr_total = 1 + nstr_sym + (nlinkused ? 2 + 2 * nlinkused : 0);
    strs = calloc(nstr_total, sizeof *strs);
    hexpool = malloc(nlinkused * (33 + 17) + 1);
    link_lab = calloc(r->nlinks + 1, sizeof *link_lab);
    if (!strs || !hexpool || !link_lab) {
        free(lset_used);
        free(link_used);
        rc = nomem();
        goto out;
    }
    strs[0].data = (uint8_t *)"";
    strs[0].len = 0;
    for (uint32_t id = 1; id < s->strings.n; id++) {
        if (!p.str_out[id])
            continue;
        strs[p.str_out[id]].data = (uint8_t *)kiln_strtab_get(&s->strings, id);
        strs[p.str_out[id]].len = s->strings.len[id];
    }
    size_t si = 1 + nstr_sym;
    if (nlinkused) {
        key_trace = (uint32_t)si;
        strs[si].data = (uint8_t *)"trace_id";
        strs[si++].len = 8;
        key_span = (uint32_t)si;
        strs[si].data = (uint8_t *)"span_id";
        strs[si++].len = 7;
        char *hp = hexpool;
        for (size_t l = 0; l < r->nlinks; l++) {
            if (!link_used[l])
                continue;
            link_lab[l] = (uint32_t)si; /* trace at si, span at si + 1 */
            kiln_trace_id_format(r->links[l].trace_id, hp);
            strs[si].data = (uint8_t *)hp;
            strs[si++].len = 32;
            hp += 33;
            kiln_span_id_format(r->links[l].span_id, hp);
            strs[si].data = (uint8_t *)hp;
            strs[si++].len = 16;
            hp += 17;
        }
    }

    /* Label structs shared per label set and per link. */
    size_t nlabstructs = 0;
    lsl_off = calloc(s->nlsets + 1, sizeof *lsl_off);
    if (!lsl_off) {
        free(lset_used);
        free(link_used);
        rc = nomem();
        goto out;
    }
    for (size_t l = 0; l < s->nlsets; l++) {
        lsl_off[l] = (uint32_t)nlabstructs;
        if (lset_used[l])
            nlabstructs += s->lsets[l].n;
    }
    size_t link_lsl = nlabstructs;
    nlabstructs += 2 * nlinkused;
    lsl = calloc(nlabstructs + 1, sizeof *lsl);
    labp = calloc(nlabptrs + 1, sizeof *labp);
    if (!lsl || !labp) {
        free(lset_used);
        free(link_used);
        rc = nomem();
        goto out;
    }
    for (size_t l = 0; l < s->nlsets; l++) {
        if (!lset_used[l])
            continue;
        for (uint32_t k = 0; k < s->lsets[l].n; k++) {
            const kiln_label_ent *e = &s->labels[s->lsets[l].off + k];
            Perftools__Profiles__Label *lb = &lsl[lsl_off[l] + k];
            perftools__profiles__label__init(lb);
            lb->key = p.str_out[e->key];
            lb->str = e->str ? p.str_out[e->str] : 0;
            lb->num = e->num;
            lb->num_unit = e->num_unit ? p.str_out[e->num_unit] : 0;
        }
    }
    {
        size_t k = link_lsl;
        for (size_t l = 0; l < r->nlinks; l++) {
            if (!link_used[l])
                continue;
            perftools__profiles__label__init(&lsl[k]);
            lsl[k].key = key_trace;
            lsl[k].str = link_lab[l];
            perftools__profiles__label__init(&lsl[k + 1]);
            lsl[k + 1].key = key_span;
            lsl[k + 1].str = link_lab[l] + 1;
            link_lab[l] = (uint32_t)k; /* now: index of its label pair */
            k += 2;
        }
    }
    free(lset_used);
    free(link_used);

    /* Samples. */
    samp = calloc(nsamples + 1, sizeof *samp);
    sampp = calloc(nsamples + 1, sizeof *sampp);
    locids = malloc((nlocids + 1) * sizeof *locids);
    svals = malloc((nsamples * nt + 1) * sizeof *svals);
    if (!samp || !sampp || !locids || !svals) {
        rc = nomem();
        goto out;
    }
    size_t si2 = 0, li = 0, lp = 0;
    for (size_t i = 0; i < nrows; i++) {
        const int64_t *v = rowvals + i * nt;
        if (!r->keep_labels && !r->seen[i])
            continue;
        uint32_t node = r->keep_labels ? r->keys[i].node : (uint32_t)i;
        Perftools__Profiles__Sample *sm = &samp[si2];
        perftools__profiles__sample__init(sm);
        sm->n_location_id = depth[node];
        sm->location_id = locids + li;
        for (uint32_t c = node; c; c = r->stk.parent[c])
            locids[li++] = p.loc_out[r->stk.loc[c]];
        sm->n_value = nt;
        sm->value = svals + si2 * nt;
        memcpy(sm->value, v, nt * sizeof *v);
        if (r->keep_labels) {
            const kiln_labelset *ls = &s->lsets[r->keys[i].lset];
            sm->label = labp + lp;
            for (uint32_t k = 0; k < ls->n; k++)
                labp[lp++] = &lsl[lsl_off[r->keys[i].lset] + k];
            if (r->keys[i].link) {
                /* trace_id unless the set has it; span_id when the span is
                 * not zero ("no span") and the set lacks it. */
                static const uint8_t zero[8];
                uint32_t li = r->keys[i].link - 1;
                uint8_t has = lset_keys[r->keys[i].lset];
                if (!(has & 1))
                    labp[lp++] = &lsl[link_lab[li]];
                if (!(has & 2) && memcmp(r->links[li].span_id, zero, 8) != 0)
                    labp[lp++] = &lsl[link_lab[li] + 1];
            }
            sm->n_label = (size_t)(labp + lp - sm->label);
        }
        sampp[si2] = sm;
        si2++;
    }

    /* Locations, functions, mappings, in output id order. */
    locs = calloc(p.nloc + 1, sizeof *locs);
    locp = calloc(p.nloc + 1, sizeof *locp);
    lines = calloc(s->nlines + 1, sizeof *lines);
    linep = calloc(s->nlines + 1, sizeof *linep);
    fns = calloc(p.nfn + 1, sizeof *fns);
    fnp = calloc(p.nfn + 1, sizeof *fnp);
    maps = calloc(p.nmap + 1, sizeof *maps);
    mapp = calloc(p.nmap + 1, sizeof *mapp);
    vt = calloc(nt + 1, sizeof *vt);
    vtp = calloc(nt + 1, sizeof *vtp);
    comments = calloc(r->ncomments + 1, sizeof *comments);
    if (!locs || !locp || !lines || !linep || !fns || !fnp || !maps ||
        !mapp || !vt || !vtp || !comments) {
        rc = nomem();
        goto out;
    }
    size_t lno = 0;
    for (uint32_t l = 0; l < s->nlocations; l++) {
        if (!p.loc_out[l])
            continue;
        const kiln_location *sl = &s->locations[l];
        Perftools__Profiles__Location *pl = &locs[p.loc_out[l] - 1];
        perftools__profiles__location__init(pl);
        pl->id = p.loc_out[l];
        pl->mapping_id = sl->mapping ? p.map_out[sl->mapping - 1] : 0;
        pl->address = sl->address;
        pl->is_folded = sl->is_folded != 0;
        pl->n_line = sl->nlines;
        pl->line = linep + lno;
        for (uint32_t j = 0; j < sl->nlines; j++) {
            const kiln_line *kl = &s->lines[sl->line_off + j];
            Perftools__Profiles__Line *pn = &lines[lno];
            perftools__profiles__line__init(pn);
            pn->function_id = kl->function == KILN_NOFUNC
                                  ? 0 /* no function, as it came in */
                                  : p.fn_out[kl->function];
            pn->line = kl->line;
            pn->column = kl->column;
            linep[lno++] = pn;
        }
        locp[p.loc_out[l] - 1] = pl;
    }
    for (uint32_t f = 0; f < s->nfunctions; f++) {
        if (!p.fn_out[f])
            continue;
        const kiln_function *sf = &s->functions[f];
        Perftools__Profiles__Function *pf = &fns[p.fn_out[f] - 1];
        perftools__profiles__function__init(pf);
        pf->id = p.fn_out[f];
        pf->name = p.str_out[sf->name];
        pf->system_name = p.str_out[sf->system_name];
        pf->filename = p.str_out[sf->filename];
        pf->start_line = sf->start_line;
        fnp[p.fn_out[f] - 1] = pf;
    }
    for (uint32_t m = 0; m < s->nmappings; m++) {
        if (!p.map_out[m])
            continue;
        const kiln_mapping *sm = &s->mappings[m];
        Perftools__Profiles__Mapping *pm = &maps[p.map_out[m] - 1];
        perftools__profiles__mapping__init(pm);
        pm->id = p.map_out[m];
        pm->memory_start = sm->memory_start;
        pm->memory_limit = sm->memory_limit;
        pm->file_offset = sm->file_offset;
        pm->filename = p.str_out[sm->filename];
        pm->build_id = p.str_out[sm->build_id];
        pm->has_functions = (sm->flags & KILN_MAP_HAS_FUNCTIONS) != 0;
        pm->has_filenames = (sm->flags & KILN_MAP_HAS_FILENAMES) != 0;
        pm->has_line_numbers = (sm->flags & KILN_MAP_HAS_LINE_NUMBERS) != 0;
        pm->has_inline_frames = (sm->flags & KILN_MAP_HAS_INLINE_FRAMES) != 0;
        mapp[p.map_out[m] - 1] = pm;
    }
    for (size_t t = 0; t < nt; t++) {
        perftools__profiles__value_type__init(&vt[t]);
        vt[t].type = p.str_out[r->types[2 * t]];
        vt[t].unit = p.str_out[r->types[2 * t + 1]];
        vtp[t] = &vt[t];
    }
    for (size_t i = 0; i < r->ncomments; i++)
        comments[i] = p.str_out[r->comments[i]];

    prof.n_sample_type = nt;
    prof.sample_type = vtp;
    prof.n_sample = nsamples;
    prof.sample = sampp;
    prof.n_mapping = p.nmap;
    prof.mapping = mapp;
    prof.n_location = p.nloc;
    prof.location = locp;
    prof.n_function = p.nfn;
    prof.function = fnp;
    prof.n_string_table = nstr_total;
    prof.string_table = strs;
    prof.drop_frames = p.str_out[r->drop_frames];
    prof.keep_frames = p.str_out[r->keep_frames];
    prof.time_nanos = r->stats.rows ? r->stats.tmin : 0;
    prof.duration_nanos = r->stats.rows ? r->tend - r->stats.tmin : 0;
    if (r->period_type[0] || r->period_type[1]) {
        period_type.type = p.str_out[r->period_type[0]];
        period_type.unit = p.str_out[r->period_type[1]];
        prof.period_type = &period_type;
    }
    prof.period = r->period;
    prof.n_comment = r->ncomments;
    prof.comment = comments;
    prof.default_sample_type = p.str_out[r->default_type];
    prof.doc_url = p.str_out[r->doc_url];

    size_t sz = perftools__profiles__profile__get_packed_size(&prof);
    packed = malloc(sz ? sz : 1);
    if (!packed) {
        rc = nomem();
        goto out;
    }
    perftools__profiles__profile__pack(&prof, packed);
    if ((rc = kiln_gzip(packed, sz, 6, &gz)) < 0 ||
        (rc = kiln_buf_append(out, gz.data, gz.len)) < 0)
        goto out;
out:
    free(p.str_out);
    free(p.loc_out);
    free(p.fn_out);
    free(p.map_out);
    free(depth);
    free(strs);
    free(hexpool);
    free(link_lab);
    free(lsl_off);
    free(lset_keys);
    free(lsl);
    free(labp);
    free(samp);
    free(sampp);
    free(locids);
    free(svals);
    free(locs);
    free(locp);
    free(lines);
    free(linep);
    free(fns);
    free(fnp);
    free(maps);
    free(mapp);
    free(vt);
    free(vtp);
    free(comments);
    free(packed);
    kiln_buf_free(&gz);
    return api_return(rc);
}
