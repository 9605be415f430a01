/* test_spec_vectors.c: the test vectors printed in the spec/ documents, read at test
 * time from $KILN_SOURCE_ROOT/spec: encoding each vector's input must give
 * exactly its bytes, and decoding the bytes must give back the input, so
 * the documents and the code cannot drift apart. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>

#include <xxhash.h>

#include "fmt_test.h"

#define MAX_FIELDS 16

typedef struct vector {
    char file[64];
    int line;                   /* of the opening fence */
    int nf;
    char *key[MAX_FIELDS];
    char *val[MAX_FIELDS];      /* continuation lines joined by a space */
} vector;

static const char *field(const vector *v, const char *key)
{
    for (int i = 0; i < v->nf; i++)
        if (strcmp(v->key[i], key) == 0)
            return v->val[i];
    return NULL;
}

static const char *need(const vector *v, const char *key)
{
    const char *s = field(v, key);
    cr_assert(s != NULL, "%s:%d: vector lacks '%s'", v->file, v->line, key);
    return s;
}

static char *read_all(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    cr_assert(f != NULL, "cannot open %s: %s", path, strerror(errno));
    kiln_buf b = KILN_BUF_INIT;
    char chunk[4096];
    size_t k;
    while ((k = fread(chunk, 1, sizeof chunk, f)) > 0)
        kiln_buf_append(&b, chunk, k);
    fclose(f);
    put_u8(&b, 0);
    *n = b.len - 1;
    return (char *)b.data;
}

/* Every ```vector block of one document. */
static size_t parse_file(const char *name, vector *out, size_t max)
{
    const char *root = getenv("KILN_SOURCE_ROOT");
    char path[1024];
    size_t n, count = 0;

    cr_assert(root != NULL, "KILN_SOURCE_ROOT is not set");
    snprintf(path, sizeof path, "%s/spec/%s", root, name);
    char *text = read_all(path, &n);
    char *save = NULL;
    int lineno = 0;
    vector *cur = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        lineno++; /* blank lines are skipped by strtok: numbers are approximate */
        if (!cur) {
            if (strncmp(line, "```vector", 9) == 0) {
                cr_assert(count < max);
                cur = &out[count++];
                memset(cur, 0, sizeof *cur);
                snprintf(cur->file, sizeof cur->file, "%s", name);
                cur->line = lineno;
            }
            continue;
        }
        if (strncmp(line, "```", 3) == 0) {
            cur = NULL;
            continue;
        }
        char *colon = strchr(line, ':');
        int is_key = colon && colon > line && !isspace((unsigned char)line[0]);
        for (char *p = line; is_key && p < colon; p++)
            if (!(islower((unsigned char)*p) || *p == '_' || isdigit((unsigned char)*p)))
                is_key = 0;
        if (is_key) {
            cr_assert(cur->nf < MAX_FIELDS);
            *colon = '\0';
            char *v = colon + 1;
            while (isspace((unsigned char)*v))
                v++;
            cur->key[cur->nf] = strdup(line);
            cur->val[cur->nf] = strdup(v);
            cur->nf++;
        } else {
            cr_assert(cur->nf > 0, "%s:%d: continuation before any key", name, lineno);
            char *prev = cur->val[cur->nf - 1];
            size_t a = strlen(prev), b = strlen(line);
            prev = realloc(prev, a + b + 2);
            prev[a] = ' ';
            memcpy(prev + a + 1, line, b + 1);
            cur->val[cur->nf - 1] = prev;
        }
    }
    free(text);
    return count;
}

/* Hex bytes separated by spaces ("0a 1b") into b. */
static void parse_hex(const vector *v, const char *s, kiln_buf *b)
{
    b->len = 0;
    while (*s) {
        if (isspace((unsigned char)*s)) {
            s++;
            continue;
        }
        int ok = isxdigit((unsigned char)s[0]) && isxdigit((unsigned char)s[1]);
        cr_assert(ok, "%s:%d: bad hex near '%s'", v->file, v->line, s);
        char t[3] = {s[0], s[1], 0};
        put_u8(b, (uint8_t)strtoul(t, NULL, 16));
        s += 2;
    }
}

static size_t parse_ints(const char *s, int64_t *out, size_t max)
{
    size_t n = 0;
    char *end;
    while (*s) {
        while (isspace((unsigned char)*s) || *s == ',')
            s++;
        if (!*s)
            break;
        cr_assert(n < max);
        errno = 0;
        if (*s == '-')
            out[n++] = strtoll(s, &end, 0);
        else
            out[n++] = (int64_t)strtoull(s, &end, 0);
        int bad = end == s || errno != 0;
        cr_assert(bad == 0, "bad integer near '%s'", s);
        s = end;
    }
    return n;
}

static int expect_code(const vector *v)
{
    const char *e = field(v, "expect");
    if (!e || strcmp(e, "ok") == 0)
        return 0;
    if (strcmp(e, "corrupt") == 0)
        return KILN_ECORRUPT;
    if (strcmp(e, "eversion") == 0)
        return KILN_EVERSION;
    if (strcmp(e, "echecksum") == 0)
        return KILN_ECHECKSUM;
    cr_fail("%s:%d: unknown expect '%s'", v->file, v->line, e);
    return 0;
}

static void same_bytes(const vector *v, const kiln_buf *got, const kiln_buf *want)
{
    cr_assert(eq(sz, got->len, want->len), "%s:%d (%s): encoded %zu bytes, spec says %zu",
              v->file, v->line, need(v, "name"), got->len, want->len);
    for (size_t i = 0; i < got->len; i++)
        cr_assert(eq(u8, got->data[i], want->data[i]), "%s:%d (%s): byte %zu differs",
                  v->file, v->line, need(v, "name"), i);
}

/* ---- one runner per kind ---- */

static void run_varint(const vector *v, bool sig)
{
    kiln_buf want = KILN_BUF_INIT, got = KILN_BUF_INIT;
    parse_hex(v, need(v, "hex"), &want);
    uint8_t *p = dup_exact(want.data, want.len);
    kiln_cur c;
    cur_init(&c, p, want.len, "vector");
    int code = expect_code(v);
    if (code) {
        uint64_t u;
        int64_t s;
        cr_assert(eq(int, sig ? get_svarint(&c, &s) : get_uvarint(&c, &u), code),
                  "%s:%d", v->file, v->line);
    } else {
        int64_t x;
        cr_assert(eq(sz, parse_ints(need(v, "value"), &x, 1), 1));
        if (sig) {
            int64_t s;
            put_svarint(&got, x);
            cr_assert(eq(int, get_svarint(&c, &s), 0));
            cr_assert(eq(i64, s, x));
        } else {
            uint64_t u;
            put_uvarint(&got, (uint64_t)x);
            cr_assert(eq(int, get_uvarint(&c, &u), 0));
            cr_assert(eq(u64, u, (uint64_t)x));
        }
        cr_assert(eq(sz, cur_left(&c), 0));
        same_bytes(v, &got, &want);
    }
    free(p);
    kiln_buf_free(&want);
    kiln_buf_free(&got);
}

static void run_column(const vector *v)
{
    kiln_buf want = KILN_BUF_INIT, got = KILN_BUF_INIT;
    int64_t vals[256], back[256];
    size_t n = parse_ints(need(v, "values"), vals, 256);
    const char *m = need(v, "mode");
    int mode = strcmp(m, "delta") == 0 ? KILN_COL_DELTA : KILN_COL_PLAIN;
    cr_assert(mode == KILN_COL_DELTA || strcmp(m, "plain") == 0);
    parse_hex(v, need(v, "hex"), &want);
    cr_assert(eq(int, col_encode(&got, vals, n, mode), 0));
    same_bytes(v, &got, &want);
    uint8_t *p = dup_exact(want.data, want.len);
    kiln_cur c;
    cur_init(&c, p, want.len, "vector");
    cr_assert(eq(int, col_decode(&c, back, n), 0), "%s", kiln_error_last());
    cr_assert(eq(sz, cur_left(&c), 0));
    for (size_t i = 0; i < n; i++)
        cr_assert(eq(i64, back[i], vals[i]));
    free(p);
    kiln_buf_free(&want);
    kiln_buf_free(&got);
}

static void run_strings(const vector *v)
{
    kiln_buf want = KILN_BUF_INIT, got = KILN_BUF_INIT;
    kiln_strtab t, d;
    char *list = strdup(need(v, "strings")), *save = NULL;
    uint32_t id;

    strtab_init(&t);
    for (char *w = strtok_r(list, " ", &save); w; w = strtok_r(NULL, " ", &save))
        strtab_intern(&t, w, strlen(w), &id);
    parse_hex(v, need(v, "hex"), &want);
    strtab_encode(&t, &got);
    same_bytes(v, &got, &want);
    kiln_cur c;
    cur_init(&c, want.data, want.len, "vector");
    cr_assert(eq(int, strtab_decode(&d, &c), 0));
    cr_assert(eq(sz, d.n, t.n));
    for (uint32_t i = 0; i < t.n; i++)
        cr_assert(eq(str, (char *)strtab_get(&d, i), (char *)strtab_get(&t, i)));
    strtab_free(&t);
    strtab_free(&d);
    free(list);
    kiln_buf_free(&want);
    kiln_buf_free(&got);
}

static void run_stacks(const vector *v)
{
    kiln_buf want = KILN_BUF_INIT, got = KILN_BUF_INIT;
    int64_t parents[64], locs[64];
    size_t np = parse_ints(need(v, "parents"), parents, 64);
    size_t nl = parse_ints(need(v, "locations"), locs, 64);
    int64_t nloc;
    parse_ints(need(v, "nlocations"), &nloc, 1);
    cr_assert(eq(sz, np, nl));
    kiln_stacks t, d;
    stacks_init(&t);
    for (size_t i = 0; i < np; i++) {
        uint32_t node;
        cr_assert(eq(int, stacks_child(&t, (uint32_t)parents[i], (uint32_t)locs[i], &node), 0));
        cr_assert(eq(u32, node, (uint32_t)(i + 1)), "%s:%d: nodes must be new, in order",
                  v->file, v->line);
    }
    parse_hex(v, need(v, "hex"), &want);
    stacks_encode(&t, &got);
    same_bytes(v, &got, &want);
    cr_assert(eq(int, stacks_decode(&d, want.data, want.len, (size_t)nloc), 0));
    cr_assert(eq(sz, d.n, np + 1));
    for (size_t i = 0; i < np; i++) {
        cr_assert(eq(u32, d.parent[i + 1], (uint32_t)parents[i]));
        cr_assert(eq(u32, d.loc[i + 1], (uint32_t)locs[i]));
    }
    stacks_free(&t);
    stacks_free(&d);
    kiln_buf_free(&want);
    kiln_buf_free(&got);
}

static void run_header(const vector *v)
{
    kiln_buf want = KILN_BUF_INIT, got = KILN_BUF_INIT;
    uint64_t flags;
    int code = expect_code(v);

    parse_hex(v, need(v, "hex"), &want);
    cr_assert(eq(int, header_decode(want.data, want.len, &flags), code),
              "%s:%d: %s", v->file, v->line, kiln_error_last());
    if (code == 0) {
        int64_t f;
        parse_ints(need(v, "flags"), &f, 1);
        cr_assert(eq(u64, flags, (uint64_t)f));
        header_encode(&got, (uint64_t)f);
        same_bytes(v, &got, &want);
    }
    kiln_buf_free(&want);
    kiln_buf_free(&got);
}

static void run_trailer(const vector *v)
{
    kiln_buf want = KILN_BUF_INIT, got = KILN_BUF_INIT;
    int64_t off, len, sum, size;
    uint64_t o, l, s;
    int code = expect_code(v);

    parse_ints(need(v, "footer_offset"), &off, 1);
    parse_ints(need(v, "footer_length"), &len, 1);
    parse_ints(need(v, "footer_checksum"), &sum, 1);
    parse_ints(need(v, "block_size"), &size, 1);
    parse_hex(v, need(v, "hex"), &want);
    cr_assert(eq(sz, want.len, KILN_TRAILER_SIZE));
    cr_assert(eq(int, trailer_decode(want.data, (uint64_t)size, &o, &l, &s), code),
              "%s:%d: %s", v->file, v->line, kiln_error_last());
    if (code == 0) {
        cr_assert(eq(u64, o, (uint64_t)off));
        cr_assert(eq(u64, l, (uint64_t)len));
        cr_assert(eq(u64, s, (uint64_t)sum));
        trailer_encode(&got, (uint64_t)off, (uint64_t)len, (uint64_t)sum);
        same_bytes(v, &got, &want);
    }
    kiln_buf_free(&want);
    kiln_buf_free(&got);
}

static void run_bloom(const vector *v)
{
    kiln_buf want = KILN_BUF_INIT, got = KILN_BUF_INIT, id = KILN_BUF_INIT;
    int64_t nb;
    kiln_bloom b, d;

    parse_ints(need(v, "blocks"), &nb, 1);
    cr_assert(eq(int, bloom_init(&b, (uint32_t)nb), 0));
    char *list = strdup(need(v, "insert")), *save = NULL;
    for (char *w = strtok_r(list, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
        parse_hex(v, w, &id);
        bloom_insert(&b, id.data, id.len);
    }
    free(list);
    const char *h = field(v, "xxh64");
    if (h) { /* the hash of the first inserted id, for readers checking by hand */
        int64_t x;
        char *first = strdup(need(v, "insert"));
        *strchrnul(first, ' ') = '\0';
        parse_hex(v, first, &id);
        parse_ints(h, &x, 1);
        cr_assert(eq(u64, XXH64(id.data, id.len, 0), (uint64_t)x), "%s:%d: xxh64", v->file, v->line);
        free(first);
    }
    parse_hex(v, need(v, "hex"), &want);
    bloom_encode(&b, &got);
    same_bytes(v, &got, &want);
    cr_assert(eq(int, bloom_decode(&d, want.data, want.len), 0));
    list = strdup(need(v, "insert"));
    for (char *w = strtok_r(list, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
        parse_hex(v, w, &id);
        cr_assert(bloom_contains(&d, id.data, id.len));
    }
    free(list);
    const char *absent = field(v, "absent");
    if (absent) {
        list = strdup(absent);
        for (char *w = strtok_r(list, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
            parse_hex(v, w, &id);
            cr_assert(not(bloom_contains(&d, id.data, id.len)), "%s:%d: %s reported present",
                      v->file, v->line, w);
        }
        free(list);
    }
    bloom_free(&b);
    bloom_free(&d);
    kiln_buf_free(&want);
    kiln_buf_free(&got);
    kiln_buf_free(&id);
}

static void run_links(const vector *v)
{
    kiln_buf want = KILN_BUF_INIT, got = KILN_BUF_INIT, t = KILN_BUF_INIT;
    kiln_link l[16], *d;
    size_t n = 0, nd;
    char *list = strdup(need(v, "links")), *save = NULL;

    for (char *w = strtok_r(list, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
        char *slash = strchr(w, '/');
        cr_assert(slash != NULL && n < 16);
        *slash = '\0';
        parse_hex(v, w, &t);
        cr_assert(eq(sz, t.len, 16));
        memcpy(l[n].trace_id, t.data, 16);
        parse_hex(v, slash + 1, &t);
        cr_assert(eq(sz, t.len, 8));
        memcpy(l[n].span_id, t.data, 8);
        n++;
    }
    free(list);
    parse_hex(v, need(v, "hex"), &want);
    cr_assert(eq(int, links_encode(l, n, &got), 0));
    same_bytes(v, &got, &want);
    cr_assert(eq(int, links_decode(&d, &nd, want.data, want.len), 0));
    cr_assert(eq(sz, nd, n));
    cr_assert(eq(int, memcmp(d, l, n * sizeof *l), 0));
    free(d);
    kiln_buf_free(&want);
    kiln_buf_free(&got);
    kiln_buf_free(&t);
}

static int64_t num(const vector *v, const char *key)
{
    int64_t x;
    cr_assert(eq(sz, parse_ints(need(v, key), &x, 1), 1), "%s:%d: %s", v->file, v->line, key);
    return x;
}

static void run_pageindex(const vector *v)
{
    kiln_buf want = KILN_BUF_INIT, got = KILN_BUF_INIT;
    kiln_page_meta m, *d;
    size_t nd;

    memset(&m, 0, sizeof m);
    m.series = (uint32_t)num(v, "series");
    m.nrows = (uint32_t)num(v, "nrows");
    m.tmin = num(v, "tmin");
    m.tmax = num(v, "tmax");
    m.offset = (uint64_t)num(v, "offset");
    m.stored = (uint64_t)num(v, "stored");
    m.raw = (uint64_t)num(v, "raw");
    m.codec = (uint8_t)num(v, "codec");
    m.ntypes = (uint8_t)num(v, "ntypes");
    m.has_links = (uint8_t)num(v, "has_links");
    m.checksum = (uint64_t)num(v, "checksum");
    parse_hex(v, need(v, "hex"), &want);
    cr_assert(eq(int, pageindex_encode(&m, 1, &got), 0));
    same_bytes(v, &got, &want);
    cr_assert(eq(int, pageindex_decode(&d, &nd, want.data, want.len,
                                            m.offset + m.stored, m.series + 1), 0),
              "%s", kiln_error_last());
    cr_assert(eq(sz, nd, 1));
    cr_assert(eq(int, memcmp(d, &m, sizeof m), 0));
    free(d);
    kiln_buf_free(&want);
    kiln_buf_free(&got);
}

/* Space-separated words of a field, each a malloc'd string; returns count. */
static size_t words(const char *s, char **out, size_t max)
{
    char *copy = strdup(s), *save = NULL;
    size_t n = 0;
    for (char *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
        cr_assert(n < max);
        out[n++] = strdup(w);
    }
    free(copy);
    return n;
}

static void run_footer(const vector *v)
{
    kiln_buf want = KILN_BUF_INIT, got = KILN_BUF_INIT;
    kiln_section secs[8], *ds = NULL;
    size_t nsecs, nds;
    char *w[16], *src[8], *names[8];
    uint64_t values[8];
    kiln_meta m, dm;
    int code = expect_code(v);

    memset(&m, 0, sizeof m);
    nsecs = words(need(v, "sections"), w, 8);
    for (size_t i = 0; i < nsecs; i++) {
        int64_t f[6];
        for (char *p = w[i]; *p; p++)
            if (*p == ',')
                *p = ' ';
        cr_assert(eq(sz, parse_ints(w[i], f, 6), 6));
        memset(&secs[i], 0, sizeof secs[i]); /* padding too, for memcmp below */
        secs[i].type = (uint8_t)f[0];
        secs[i].codec = (uint8_t)f[1];
        secs[i].offset = (uint64_t)f[2];
        secs[i].stored = (uint64_t)f[3];
        secs[i].raw = (uint64_t)f[4];
        secs[i].checksum = (uint64_t)f[5];
        free(w[i]);
    }
    m.tenant = (char *)need(v, "tenant");
    m.id = (char *)need(v, "id");
    m.tmin = num(v, "tmin");
    m.tmax = num(v, "tmax");
    int64_t c[9];
    cr_assert(eq(sz, parse_ints(need(v, "counts"), c, 9), 9));
    uint64_t *cp[9] = {&m.nseries, &m.nsamples, &m.nstacks, &m.nlocations, &m.nfunctions,
                       &m.nstrings, &m.nlinks, &m.ntraces, &m.nprofiles};
    for (int i = 0; i < 9; i++)
        *cp[i] = (uint64_t)c[i];
    m.resolution = num(v, "resolution");
    m.level = (uint32_t)num(v, "level");
    m.nsources = words(need(v, "sources"), src, 8);
    m.sources = src;
    m.nlabelnames = words(need(v, "labels"), names, 8);
    for (size_t i = 0; i < m.nlabelnames; i++) {
        char *eqs = strchr(names[i], '=');
        cr_assert(eqs != NULL);
        *eqs = '\0';
        values[i] = strtoull(eqs + 1, NULL, 10);
    }
    m.labelnames = names;
    m.labelvalues = values;
    int64_t foff = num(v, "footer_offset");
    parse_hex(v, need(v, "hex"), &want);
    cr_assert(eq(int, footer_encode(&got, secs, nsecs, &m), 0));
    same_bytes(v, &got, &want);
    cr_assert(eq(int, footer_decode(want.data, want.len, (uint64_t)foff, &ds, &nds, &dm),
                 code), "%s:%d: %s", v->file, v->line, kiln_error_last());
    if (code == 0) {
        cr_assert(eq(sz, nds, nsecs));
        cr_assert(eq(int, memcmp(ds, secs, nsecs * sizeof *secs), 0));
        cr_assert(eq(str, dm.tenant, m.tenant));
        cr_assert(eq(str, dm.id, m.id));
        cr_assert(eq(i64, dm.tmin, m.tmin));
        cr_assert(eq(i64, dm.tmax, m.tmax));
        for (int i = 0; i < 9; i++) {
            uint64_t *dp[9] = {&dm.nseries, &dm.nsamples, &dm.nstacks, &dm.nlocations,
                               &dm.nfunctions, &dm.nstrings, &dm.nlinks, &dm.ntraces,
                               &dm.nprofiles};
            cr_assert(eq(u64, *dp[i], *cp[i]));
        }
        cr_assert(eq(i64, dm.resolution, m.resolution));
        cr_assert(eq(u32, dm.level, m.level));
        cr_assert(eq(sz, dm.nsources, m.nsources));
        for (size_t i = 0; i < m.nsources; i++)
            cr_assert(eq(str, dm.sources[i], m.sources[i]));
        cr_assert(eq(sz, dm.nlabelnames, m.nlabelnames));
        for (size_t i = 0; i < m.nlabelnames; i++) {
            cr_assert(eq(str, dm.labelnames[i], m.labelnames[i]));
            cr_assert(eq(u64, dm.labelvalues[i], values[i]));
        }
        meta_free(&dm);
        free(ds);
    }
    for (size_t i = 0; i < m.nsources; i++)
        free(src[i]);
    for (size_t i = 0; i < m.nlabelnames; i++)
        free(names[i]);
    kiln_buf_free(&want);
    kiln_buf_free(&got);
}

/* An object key: built from tenant, id and sample times; the range read
 * back from it holds those times. A vector with only `key` and `range:
 * none` is a name that vouches for no range. */
static void run_key(const vector *v)
{
    const char *want = need(v, "key"), *range = need(v, "range");
    int64_t lo, hi;

    if (strcmp(range, "none") == 0) {
        cr_assert(eq(int, block_key_range(want, &lo, &hi), 0),
                  "%s:%d: %s names a range", v->file, v->line, want);
        return;
    }
    int64_t t[2], r[2];
    char got[256];
    parse_ints(need(v, "times"), t, 2);
    parse_ints(range, r, 2);
    cr_assert(eq(int, block_key(got, sizeof got, need(v, "tenant"), need(v, "id"),
                                     t[0], t[1]), 0));
    cr_assert(eq(str, got, (char *)want), "%s:%d", v->file, v->line);
    cr_assert(eq(int, block_key_range(want, &lo, &hi), 1), "%s:%d", v->file, v->line);
    cr_assert(eq(i64, lo, r[0]), "%s:%d: range start", v->file, v->line);
    cr_assert(eq(i64, hi, r[1]), "%s:%d: range end", v->file, v->line);
    cr_assert(lo <= t[0] && t[1] <= hi);
}

Test(format_spec, vectors_in_the_spec_match_the_code)
{
    static const char *docs[] = {"README.md", "block.md", "columns.md", "symbols.md",
                                 "stacks.md", "series.md", "samples.md", "links.md"};
    static vector vs[256];
    size_t n = 0;
    int seen[12] = {0};
    static const char *kinds[12] = {"uvarint", "svarint", "column", "strings", "stacks",
                                    "header", "trailer", "bloom", "links", "pageindex",
                                    "footer", "key"};

    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++)
        n += parse_file(docs[i], vs + n, 256 - n);
    for (size_t i = 0; i < n; i++) {
        const vector *v = &vs[i];
        const char *k = need(v, "kind");
        need(v, "name");
        int which = -1;
        for (int j = 0; j < 12; j++)
            if (strcmp(k, kinds[j]) == 0)
                which = j;
        cr_assert(ge(int, which, 0), "%s:%d: unknown kind '%s'", v->file, v->line, k);
        seen[which]++;
        switch (which) {
        case 0: run_varint(v, false); break;
        case 1: run_varint(v, true); break;
        case 2: run_column(v); break;
        case 3: run_strings(v); break;
        case 4: run_stacks(v); break;
        case 5: run_header(v); break;
        case 6: run_trailer(v); break;
        case 7: run_bloom(v); break;
        case 8: run_links(v); break;
        case 9: run_pageindex(v); break;
        case 10: run_footer(v); break;
        default: run_key(v); break;
        }
    }
    for (int j = 0; j < 12; j++)
        cr_assert(gt(int, seen[j], 0), "the spec has no '%s' vector", kinds[j]);
    for (size_t i = 0; i < n; i++)
        for (int j = 0; j < vs[i].nf; j++) {
            free(vs[i].key[j]);
            free(vs[i].val[j]);
        }
}
