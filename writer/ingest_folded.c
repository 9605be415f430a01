/* ingest_folded.c: kiln_writer_add_folded, for collapsed stacks text
 * ("root;caller;leaf 42" per line, as written by Brendan Gregg's
 * stackcollapse scripts, async-profiler and others). Every line is checked
 * before anything is interned, so a malformed line adds nothing. */
#include <stdlib.h>
#include <string.h>

#include "writer_internal.h"

#define EIN(...) kiln_error_set(KILN_EINPUT, "folded: " __VA_ARGS__)

typedef struct fline {
    const char *stack; /* first byte of the stack */
    size_t len;        /* bytes of the stack; 0 for a blank line */
    int64_t count;
} fline;

static inline bool is_blank(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r';
}

/* Parse one line [p, end) (without its '\n'). Returns 0 with l->len == 0
 * for a blank line. */
static int parse_line(const char *p, const char *end, size_t lineno,
                      fline *l)
{
    while (end > p && is_blank(end[-1]))
        end--;
    l->stack = p;
    l->len = 0;
    l->count = 0;
    if (end == p)
        return 0;
    const char *sp = end;
    while (sp > p && sp[-1] != ' ' && sp[-1] != '\t')
        sp--;
    if (sp == p)
        return EIN("line %zu: no sample count", lineno);
    const char *q = sp;
    /* Folded counts are sample counts: a sign other than '+' is refused
     * rather than stored as a negative weight nobody asked for. */
    if (*q == '-' && q + 1 < end)
        return EIN("line %zu: sample count \"%.*s\" is negative", lineno,
                   (int)(end - sp > 40 ? 40 : end - sp), sp);
    if (*q == '+' || *q == '-')
        q++;
    if (q == end)
        return EIN("line %zu: no sample count", lineno);
    uint64_t v = 0;
    for (; q < end; q++) {
        if (*q < '0' || *q > '9')
            return EIN("line %zu: sample count \"%.*s\" is not an integer",
                       lineno, (int)(end - sp > 40 ? 40 : end - sp), sp);
        v = v * 10 + (uint64_t)(*q - '0');
        if (v > (uint64_t)INT64_MAX)
            return EIN("line %zu: sample count out of range", lineno);
    }
    const char *se = sp;
    while (se > p && is_blank(se[-1]))
        se--;
    if (se == p)
        return EIN("line %zu: no stack before the count", lineno);
    size_t depth = 1;
    for (const char *f = p; f < se; f++)
        depth += *f == ';';
    if (depth > KILN_MAX_STACK_DEPTH)
        return kiln_error_set(KILN_ELIMIT, "folded: line %zu: %zu frames (at "
                              "most %d)", lineno, depth, KILN_MAX_STACK_DEPTH);
    l->len = (size_t)(se - p);
    l->count = (int64_t)v;
    return 0;
}

/* One frame -> a function named after it and a location with one line. */
static int intern_frame(kiln_writer *w, const char *s, size_t n, uint32_t *loc)
{
    kiln_function f = {0, 0, 0, 0};
    kiln_line line = {0, 0, 0};
    int rc;
    if ((rc = strtab_intern(&w->sym.strings, s, n, &f.name)) < 0)
        return rc;
    f.system_name = f.name;
    if ((rc = symtab_function(&w->sym, &f, &line.function)) < 0)
        return rc;
    return symtab_location(&w->sym, 0, 0, &line, 1, 0, loc);
}

int kiln_writer_add_folded(kiln_writer *w, const char *text, size_t len,
                           const kiln_label *labels, size_t nlabels,
                           const kiln_folded_opts *fo)
{
    kiln_folded_opts def = KILN_FOLDED_OPTS_INIT;
    uint32_t kid, sid, types[2];
    size_t nlines = 0, nsamples = 0;
    fline l;
    int rc;

    if (!fo)
        fo = &def;
    if ((rc = opts_version_check("folded options", fo->version,
                                 KILN_FOLDED_OPTS_VERSION,
                                 KILN_FOLDED_OPTS_VERSION)) < 0)
        return rc;
    if ((rc = wr_check_labels(labels, nlabels)) < 0)
        return rc;
    if (fo->time_ns == KILN_TIME_LAST + 1)
        return kiln_error_set(KILN_EINVAL, "folded: time %lld is past the "
                              "last time kiln stores (2^63 - 2 ns)",
                              (long long)fo->time_ns);
    if (!text && len)
        return kiln_error_set(KILN_EINVAL, "folded: NULL text");

    /* Pass 1: check every line, and that the counts sum within int64 (so
     * no merge of identical stacks, and no total, can wrap). */
    const char *p = text, *end = text + len;
    int64_t total = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        nlines++;
        if ((rc = parse_line(p, le, nlines, &l)) < 0)
            return rc;
        if (__builtin_add_overflow(total, l.count, &total))
            return EIN("line %zu: the counts sum past the int64 range",
                       nlines);
        nsamples += l.len != 0;
        p = nl ? nl + 1 : end;
    }

    if (nsamples == 0)
        return EIN("empty input (no stack lines)");

    /* Pass 2: intern. Only allocation can fail from here (wr_row's overflow
     * check cannot fire after pass 1's). */
    const char *type = fo->type ? fo->type : "samples";
    const char *unit = fo->unit ? fo->unit : "count";
    kiln_kind k;
    memset(&k, 0, sizeof k);
    k.ntypes = 1;
    k.types = types;
    if ((rc = strtab_intern(&w->ser.strings, type, strlen(type),
                                 &types[0])) < 0 ||
        (rc = strtab_intern(&w->ser.strings, unit, strlen(unit),
                                 &types[1])) < 0)
        return rc;
    if ((rc = seriestab_kind(&w->ser, &k, &kid)) < 0)
        return rc;
    if ((rc = seriestab_series(&w->ser, labels, nlabels, kid, &sid)) < 0)
        return rc;
    if ((rc = wr_begin(w, nsamples, 1)) < 0)
        return rc;
    p = text;
    nlines = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        nlines++;
        rc = parse_line(p, le, nlines, &l);
        p = nl ? nl + 1 : end;
        if (rc < 0)
            goto fail; /* cannot happen: checked above */
        if (l.len == 0)
            continue;
        uint32_t node = 0;
        const char *f = l.stack, *fe = l.stack + l.len;
        for (;;) { /* "a;;b" has an empty middle frame, kept as "" */
            const char *semi = memchr(f, ';', (size_t)(fe - f));
            const char *e = semi ? semi : fe;
            uint32_t loc;
            if ((rc = intern_frame(w, f, (size_t)(e - f), &loc)) < 0 ||
                (rc = wr_stack_child(w, node, loc, &node)) < 0)
                goto fail;
            if (!semi)
                break;
            f = semi + 1;
        }
        if ((rc = wr_row(w, node, 0, 0, &l.count, 1)) < 0) {
            kiln_error_wrap(rc, "folded: line %zu: ", nlines);
            goto fail;
        }
    }
    wr_commit(w, sid, 1, fo->time_ns, fo->duration_ns);
    return api_return(0);
fail:
    wr_abort(w);
    return api_return(rc);
}
