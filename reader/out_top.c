/* out_top.c: a result's top functions, flat and cumulative as `pprof -top`
 * counts them at function granularity, as entries and as a text table
 * (values labelled as pprof labels them, units.c). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output_internal.h"

typedef struct topc {
    kiln_strtab names;  /* function names and hex addresses -> key ids */
    int64_t *flat, *cum; /* per key */
    uint32_t *stamp;     /* per key: last node counted (dedup per stack) */
} topc;

static void topc_free(topc *t)
{
    strtab_free(&t->names);
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
        if ((rc = strtab_intern(&t->names, s, n, &id)) < 0)
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
    if ((rc = out_check_type(r, type)) != 0)
        return api_return(rc < 0 ? rc : 0);
    if ((rc = strtab_init(&t.names)) < 0)
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
                    t.flat[k] = rd_add64(t.flat[k], v);
                if (t.stamp[k] != n) {
                    t.stamp[k] = n;
                    t.cum[k] = rd_add64(t.cum[k], v);
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
        memcpy(names, strtab_get(&t.names, (uint32_t)k),
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
        s = rd_add64(s, v < 0 ? -v : v);
    }
    return s;
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
        sum = rd_add64(sum, e[i].flat);
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
        sum = rd_add64(sum, e[i].flat);
        kiln_value_format(a, e[i].flat, un, ref);
        kiln_value_format(b, e[i].cum, un, ref);
        pct(p1, e[i].flat, total);
        pct(p2, sum, total);
        pct(p3, e[i].cum, total);
        if ((rc = rd_bprintf(out, "%10s %s %s %10s %s  ", a, p1, p2, b,
                             p3)) < 0 ||
            (rc = out_put_frame(out, e[i].name, strlen(e[i].name))) < 0 ||
            (rc = kiln_buf_append(out, "\n", 1)) < 0)
            goto out;
    }
out:
    free(e);
    free(tmp);
    return api_return(rc);
}
