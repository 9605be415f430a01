/* test_trace.c: trace-id queries against the generated fleet, checked
 * against the input files decoded here with protobuf-c and zlib alone:
 * a trace's (or span's) folded stacks equal the sum of the input samples
 * labeled with it, through pprof and OTLP ingest and the scan baseline; an
 * absent id is an empty answer; the bloom filters keep to 1 %. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include <kiln/kiln.h>

#include "profile.pb-c.h"
#include "util.h"

/* One traced input sample, reduced to what a folded line shows. */
typedef struct tsample {
    char trace[33];  /* lowercase hex */
    char span[17];
    char *stack;     /* root-first frames joined by ';' (malloc'd) */
    int64_t cpu;     /* value of the "cpu" sample type */
} tsample;

typedef struct fleet {
    char *dir;            /* temporary directory */
    char pb_store[512], otlp_store[512];
    tsample *s;
    size_t n, cap;
} fleet;

static char *xstrdup(const char *s)
{
    char *p = strdup(s);
    cr_assert(p != NULL);
    return p;
}

static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    cr_assert(f != NULL, "open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *p = malloc(n > 0 ? (size_t)n : 1);
    cr_assert(p != NULL);
    cr_assert(fread(p, 1, (size_t)n, f) == (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return p;
}

/* gunzip with zlib alone. */
static uint8_t *gunzip(const uint8_t *in, size_t n, size_t *outlen)
{
    z_stream z;
    size_t cap = n * 8 + 1024, len = 0;
    uint8_t *out = malloc(cap);
    cr_assert(out != NULL);
    memset(&z, 0, sizeof z);
    cr_assert(inflateInit2(&z, 16 + MAX_WBITS) == Z_OK);
    z.next_in = (Bytef *)in;
    z.avail_in = (uInt)n;
    for (;;) {
        if (len == cap) {
            cap *= 2;
            out = realloc(out, cap);
            cr_assert(out != NULL);
        }
        z.next_out = out + len;
        z.avail_out = (uInt)(cap - len);
        int rc = inflate(&z, Z_NO_FLUSH);
        len = cap - z.avail_out;
        if (rc == Z_STREAM_END)
            break;
        cr_assert(rc == Z_OK || rc == Z_BUF_ERROR, "inflate: %d", rc);
    }
    inflateEnd(&z);
    *outlen = len;
    return out;
}

/* String i of the profile, NUL-terminated in one of 4 rotating buffers
 * (strings are bytes in profile.proto). */
static const char *pstr(const Perftools__Profiles__Profile *p, int64_t i)
{
    static char *buf[4];
    static size_t cap[4];
    static unsigned next;
    unsigned k = next++ % 4;
    cr_assert(i >= 0 && (size_t)i < p->n_string_table);
    const ProtobufCBinaryData *b = &p->string_table[i];
    if (b->len + 1 > cap[k]) {
        cap[k] = b->len + 1;
        buf[k] = realloc(buf[k], cap[k]);
        cr_assert(buf[k] != NULL);
    }
    if (b->len)
        memcpy(buf[k], b->data, b->len);
    buf[k][b->len] = 0;
    return buf[k];
}

static void add_frame(char **buf, size_t *len, size_t *cap, const char *s)
{
    size_t n = strlen(s);
    if (*len + n + 2 > *cap) {
        *cap = (*len + n + 2) * 2;
        *buf = realloc(*buf, *cap);
        cr_assert(buf[0] != NULL);
    }
    if (*len)
        (*buf)[(*len)++] = ';';
    for (size_t i = 0; i < n; i++)
        (*buf)[(*len)++] = (s[i] == ';' || s[i] == '\n' || s[i] == '\r')
                               ? ' ' : s[i];
    (*buf)[*len] = 0;
}

/* The traced samples of one pprof file. */
static void decode_file(fleet *f, const char *path)
{
    size_t zn, n;
    uint8_t *z = slurp(path, &zn);
    uint8_t *raw = gunzip(z, zn, &n);
    Perftools__Profiles__Profile *p =
        perftools__profiles__profile__unpack(NULL, n, raw);
    cr_assert(p != NULL, "%s: not a profile", path);
    int cpu = -1;
    for (size_t t = 0; t < p->n_sample_type; t++)
        if (strcmp(pstr(p, p->sample_type[t]->type), "cpu") == 0)
            cpu = (int)t;
    cr_assert(cpu >= 0, "%s: no cpu type", path);
    for (size_t i = 0; i < p->n_sample; i++) {
        const Perftools__Profiles__Sample *s = p->sample[i];
        char trace[33] = "", span[17] = "";
        for (size_t l = 0; l < s->n_label; l++) {
            const char *k = pstr(p, s->label[l]->key);
            bool is_t = strcmp(k, "trace_id") == 0;
            bool is_s = strcmp(k, "span_id") == 0;
            if (!is_t && !is_s)
                continue;
            const char *v = pstr(p, s->label[l]->str);
            cr_assert(strlen(v) == (is_t ? 32u : 16u), "%s: %s", path, v);
            for (size_t c = 0; v[c]; c++)
                (is_t ? trace : span)[c] = (char)(v[c] | 0x20);
            (is_t ? trace : span)[is_t ? 32 : 16] = 0;
        }
        if (!trace[0])
            continue;
        if (f->n == f->cap) {
            f->cap = f->cap ? 2 * f->cap : 4096;
            f->s = realloc(f->s, f->cap * sizeof *f->s);
            cr_assert(f->s != NULL);
        }
        tsample *ts = &f->s[f->n++];
        memset(ts, 0, sizeof *ts);
        memcpy(ts->trace, trace, 33);
        memcpy(ts->span, span, 17);
        ts->cpu = s->value[cpu];
        /* Root first: locations leaf-first, lines innermost-first. */
        char *buf = NULL;
        size_t len = 0, cap = 0;
        for (size_t j = s->n_location_id; j-- > 0;) {
            const Perftools__Profiles__Location *loc = NULL;
            for (size_t k = 0; k < p->n_location; k++)
                if (p->location[k]->id == s->location_id[j])
                    loc = p->location[k];
            cr_assert(loc != NULL);
            if (loc->n_line == 0) {
                char hex[24];
                snprintf(hex, sizeof hex, "0x%llx",
                         (unsigned long long)loc->address);
                add_frame(&buf, &len, &cap, hex);
            }
            for (size_t m = loc->n_line; m-- > 0;) {
                const Perftools__Profiles__Function *fn = NULL;
                for (size_t k = 0; k < p->n_function; k++)
                    if (p->function[k]->id == loc->line[m]->function_id)
                        fn = p->function[k];
                cr_assert(fn != NULL);
                add_frame(&buf, &len, &cap, pstr(p, fn->name));
            }
        }
        ts->stack = buf ? buf : xstrdup("");
    }
    perftools__profiles__profile__free_unpacked(p, NULL);
    free(raw);
    free(z);
}

/* Files under dir ending in suffix, recursively, appended to v. */
static void find_files(const char *dir, const char *suffix, char ***v,
                       size_t *n)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    cr_assert(d != NULL, "opendir %s", dir);
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        size_t ln = strlen(path), ls = strlen(suffix);
        if (e->d_type == DT_DIR) {
            find_files(path, suffix, v, n);
        } else if (ln > ls && strcmp(path + ln - ls, suffix) == 0) {
            *v = realloc(*v, (*n + 1) * sizeof **v);
            cr_assert(v[0] != NULL);
            (*v)[(*n)++] = xstrdup(path);
        }
    }
    closedir(d);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void ingest(const char *store, char **files, size_t n)
{
    const char *bin = e2e_env("KILN_BIN");
    char **argv = calloc(n + 8, sizeof *argv);
    char msg[4096];
    size_t a = 0;
    cr_assert(argv != NULL);
    argv[a++] = (char *)bin;
    argv[a++] = "ingest";
    argv[a++] = "--store";
    argv[a++] = (char *)store;
    argv[a++] = "--path-labels";
    argv[a++] = "service_name/host";
    for (size_t i = 0; i < n; i++)
        argv[a++] = files[i];
    argv[a] = NULL;
    int rc = e2e_run(argv, "/dev/null", msg, sizeof msg);
    cr_assert(eq(int, rc, 0), "ingest: %s", msg);
    free(argv);
}

static void fleet_setup(fleet *f)
{
    const char *bin = e2e_env("KILN_BIN");
    char out[512], msg[4096];
    char **pb = NULL, **ot = NULL;
    size_t npb = 0, not = 0;

    memset(f, 0, sizeof *f);
    f->dir = e2e_tmpdir("trace");
    snprintf(out, sizeof out, "%s/fleet", f->dir);
    char *gen[] = {(char *)bin, "gen", "--out", out, "--services", "3",
                   "--hosts", "2", "--duration", "10m", "--seed", "11",
                   "--trace-fraction", "0.2", "--end", "2026-11-24T00:00:00Z",
                   "--otlp", NULL};
    int rc = e2e_run(gen, "/dev/null", msg, sizeof msg);
    cr_assert(eq(int, rc, 0), "gen: %s", msg);
    find_files(out, ".pb.gz", &pb, &npb);
    find_files(out, ".otlp.pb", &ot, &not);
    cr_assert(eq(sz, npb, 360));
    cr_assert(eq(sz, not, 360));
    qsort(pb, npb, sizeof *pb, cmp_str);
    qsort(ot, not, sizeof *ot, cmp_str);
    for (size_t i = 0; i < npb; i++)
        decode_file(f, pb[i]);
    cr_assert(f->n > 1000, "only %zu traced samples", f->n);
    snprintf(f->pb_store, sizeof f->pb_store, "%s/st-pprof", f->dir);
    snprintf(f->otlp_store, sizeof f->otlp_store, "%s/st-otlp", f->dir);
    ingest(f->pb_store, pb, npb);
    ingest(f->otlp_store, ot, not);
    for (size_t i = 0; i < npb; i++)
        free(pb[i]);
    for (size_t i = 0; i < not; i++)
        free(ot[i]);
    free(pb);
    free(ot);
}

static void fleet_free(fleet *f)
{
    for (size_t i = 0; i < f->n; i++)
        free(f->s[i].stack);
    free(f->s);
    e2e_rmtree(f->dir);
    free(f->dir);
}

/* Sorted "stack value" lines of a text, one per line (malloc'd copies). */
typedef struct lines {
    char **v;
    size_t n;
} lines;

static void lines_push(lines *l, char *s)
{
    l->v = realloc(l->v, (l->n + 1) * sizeof *l->v);
    cr_assert(l->v != NULL);
    l->v[l->n++] = s;
}

static void lines_free(lines *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof *l);
}

static int cmp_tsample(const void *a, const void *b)
{
    const tsample *x = *(tsample *const *)a, *y = *(tsample *const *)b;
    return strcmp(x->stack, y->stack);
}

/* The expected folded lines of a trace (span NULL = all spans). */
static lines expected(const fleet *f, const char *trace, const char *span)
{
    lines l = {NULL, 0};
    tsample **m = malloc((f->n ? f->n : 1) * sizeof *m);
    size_t k = 0;
    cr_assert(m != NULL);
    for (size_t i = 0; i < f->n; i++)
        if (strcmp(f->s[i].trace, trace) == 0 &&
            (!span || strcmp(f->s[i].span, span) == 0))
            m[k++] = &f->s[i];
    qsort(m, k, sizeof *m, cmp_tsample);
    for (size_t i = 0; i < k;) {
        int64_t sum = 0;
        size_t j = i;
        while (j < k && strcmp(m[j]->stack, m[i]->stack) == 0)
            sum += m[j++]->cpu;
        if (sum != 0 && m[i]->stack[0]) {
            size_t n = strlen(m[i]->stack) + 32;
            char *s = malloc(n);
            cr_assert(s != NULL);
            snprintf(s, n, "%s %lld", m[i]->stack, (long long)sum);
            lines_push(&l, s);
        }
        i = j;
    }
    free(m);
    qsort(l.v, l.n, sizeof *l.v, cmp_str);
    return l;
}

/* Run `kiln query` with extra args; stdout split into sorted lines. */
static int query(const fleet *f, const char *store, char *const *extra,
                 lines *out, char *msg, size_t msglen)
{
    const char *bin = e2e_env("KILN_BIN");
    char *argv[32], path[600];
    size_t a = 0;
    argv[a++] = (char *)bin;
    argv[a++] = "query";
    argv[a++] = "--store";
    argv[a++] = (char *)store;
    for (size_t i = 0; extra[i]; i++)
        argv[a++] = extra[i];
    argv[a] = NULL;
    snprintf(path, sizeof path, "%s/out.txt", f->dir);
    int rc = e2e_run(argv, path, msg, msglen);
    size_t n;
    uint8_t *p = slurp(path, &n);
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && p[j] != '\n')
            j++;
        char *s = malloc(j - i + 1);
        cr_assert(s != NULL);
        memcpy(s, p + i, j - i);
        s[j - i] = 0;
        lines_push(out, s);
        i = j + 1;
    }
    free(p);
    qsort(out->v, out->n, sizeof *out->v, cmp_str);
    return rc;
}

static void assert_same(const lines *want, const lines *got, const char *what)
{
    cr_assert(eq(sz, got->n, want->n), "%s: %zu folded lines, expected %zu",
              what, got->n, want->n);
    for (size_t i = 0; i < want->n; i++)
        cr_assert(eq(str, got->v[i], want->v[i]), "%s: line %zu", what, i);
}

/* Deterministic pick of distinct traces: every step-th in input order. */
static size_t pick_traces(const fleet *f, char (*out)[33], size_t want)
{
    size_t n = 0;
    size_t step = f->n / (want * 2) ? f->n / (want * 2) : 1;
    for (size_t i = 0; i < f->n && n < want; i += step) {
        bool dup = false;
        for (size_t k = 0; k < n && !dup; k++)
            dup = strcmp(out[k], f->s[i].trace) == 0;
        if (!dup)
            memcpy(out[n++], f->s[i].trace, 33);
    }
    return n;
}

Test(trace, folded_equals_input_sum_pprof_otlp_and_scan)
{
    fleet f;
    char ids[50][33], msg[4096];
    fleet_setup(&f);
    size_t n = pick_traces(&f, ids, 50);
    cr_assert(n >= 40, "picked %zu traces", n);
    for (size_t i = 0; i < n; i++) {
        lines want = expected(&f, ids[i], NULL), got;
        cr_assert(want.n > 0);
        char *args[] = {"--trace-id", ids[i], "--type", "cpu", "--format",
                        "folded", NULL};
        cr_assert(eq(int, query(&f, f.pb_store, args, &got, msg, sizeof msg),
                     0), "%s", msg);
        assert_same(&want, &got, ids[i]);
        lines_free(&got);
        cr_assert(eq(int, query(&f, f.otlp_store, args, &got, msg,
                                sizeof msg), 0), "%s", msg);
        assert_same(&want, &got, "otlp");
        lines_free(&got);
        char *scan[] = {"--trace-id", ids[i], "--type", "cpu", "--format",
                        "folded", "--scan-traces", NULL};
        cr_assert(eq(int, query(&f, f.pb_store, scan, &got, msg, sizeof msg),
                     0), "%s", msg);
        assert_same(&want, &got, "scan");
        lines_free(&got);
        lines_free(&want);
    }
    fleet_free(&f);
}

Test(trace, span_query_equals_input_sum)
{
    fleet f;
    char msg[4096];
    fleet_setup(&f);
    size_t done = 0;
    size_t step = f.n / 40 ? f.n / 40 : 1;
    for (size_t i = 0; i < f.n && done < 30; i += step) {
        if (!f.s[i].span[0])
            continue;
        char trace[33], span[17];
        memcpy(trace, f.s[i].trace, 33);
        memcpy(span, f.s[i].span, 17);
        lines want = expected(&f, trace, span), all = expected(&f, trace, NULL);
        lines got;
        char *args[] = {"--trace-id", trace, "--span-id", span, "--type",
                        "cpu", "--format", "folded", NULL};
        cr_assert(eq(int, query(&f, f.pb_store, args, &got, msg, sizeof msg),
                     0), "%s", msg);
        assert_same(&want, &got, span);
        lines_free(&got);
        cr_assert(eq(int, query(&f, f.otlp_store, args, &got, msg,
                                sizeof msg), 0), "%s", msg);
        assert_same(&want, &got, "otlp span");
        lines_free(&got);
        lines_free(&want);
        lines_free(&all);
        done++;
    }
    cr_assert(done >= 20, "only %zu spans checked", done);
    fleet_free(&f);
}

Test(trace, absent_id_is_empty_exit_0_and_bad_hex_exit_1)
{
    fleet f;
    char msg[4096];
    lines got;
    fleet_setup(&f);
    char absent[] = "0123456789abcdef0123456789abcdef";
    for (size_t i = 0; i < f.n; i++)
        cr_assert(strcmp(f.s[i].trace, absent) != 0);
    const char *fmts[] = {"folded", "top", "json"};
    for (size_t k = 0; k < 3; k++) {
        char *args[] = {"--trace-id", absent, "--format", (char *)fmts[k],
                        NULL};
        cr_assert(eq(int, query(&f, f.pb_store, args, &got, msg, sizeof msg),
                     0), "%s", msg);
        cr_assert(strstr(msg, "no samples for trace " "0123456789abcdef"
                         "0123456789abcdef") != NULL, "stderr: %s", msg);
        if (k == 0)
            cr_assert(eq(sz, got.n, 0));
        lines_free(&got);
    }
    /* A real trace with a span it does not have. */
    char *span[] = {"--trace-id", f.s[0].trace, "--span-id",
                    "00000000000000ff", "--format", "folded", NULL};
    cr_assert(eq(int, query(&f, f.pb_store, span, &got, msg, sizeof msg), 0));
    cr_assert(eq(sz, got.n, 0));
    cr_assert(strstr(msg, "no samples for trace") != NULL, "%s", msg);
    lines_free(&got);
    const char *bad[] = {"abc", "0123456789abcdef0123456789abcdeg",
                         "0123456789abcdef0123456789abcdef00",
                         "00000000000000000000000000000000"};
    for (size_t k = 0; k < 4; k++) {
        char *args[] = {"--trace-id", (char *)bad[k], NULL};
        cr_assert(eq(int, query(&f, f.pb_store, args, &got, msg, sizeof msg),
                     1), "%s: %s", bad[k], msg);
        cr_assert(strstr(msg, "trace id") != NULL, "%s", msg);
        lines_free(&got);
    }
    char *badspan[] = {"--trace-id", absent, "--span-id", "xyz", NULL};
    cr_assert(eq(int, query(&f, f.pb_store, badspan, &got, msg, sizeof msg),
                 1));
    cr_assert(strstr(msg, "span id") != NULL, "%s", msg);
    lines_free(&got);
    fleet_free(&f);
}

Test(trace, list_traces_heaviest_first_with_input_sums)
{
    fleet f;
    char msg[4096];
    lines got;
    fleet_setup(&f);
    char *args[] = {"--list-traces", "--type", "cpu", "--limit", "0",
                    "--format", "json", NULL};
    cr_assert(eq(int, query(&f, f.pb_store, args, &got, msg, sizeof msg), 0),
              "%s", msg);
    cr_assert(eq(sz, got.n, 1));
    /* Walk the JSON array: each entry's value is the input's cpu sum. */
    const char *p = got.v[0];
    size_t entries = 0;
    long long prev = -1;
    while ((p = strstr(p, "{\"trace_id\":\"")) != NULL) {
        char id[33];
        long long samples, value;
        memcpy(id, p + 13, 32);
        id[32] = 0;
        const char *q = strstr(p, "\"samples\":");
        cr_assert(q && sscanf(q, "\"samples\":%lld,\"value\":%lld",
                              &samples, &value) == 2);
        int64_t sum = 0;
        for (size_t i = 0; i < f.n; i++)
            if (strcmp(f.s[i].trace, id) == 0)
                sum += f.s[i].cpu;
        cr_assert(eq(i64, value, sum), "trace %s", id);
        if (prev >= 0)
            cr_assert(value <= prev, "not heaviest first at %zu", entries);
        prev = value;
        entries++;
        p += 13;
    }
    /* Every distinct input trace is listed once. */
    size_t distinct = 0;
    char **ids = malloc(f.n * sizeof *ids);
    for (size_t i = 0; i < f.n; i++)
        ids[i] = f.s[i].trace;
    qsort(ids, f.n, sizeof *ids, cmp_str);
    for (size_t i = 0; i < f.n; i++)
        distinct += i == 0 || strcmp(ids[i], ids[i - 1]) != 0;
    free(ids);
    cr_assert(eq(sz, entries, distinct));
    lines_free(&got);
    /* The same list through OTLP ingest. */
    lines got2;
    cr_assert(eq(int, query(&f, f.otlp_store, args, &got2, msg, sizeof msg),
                 0));
    cr_assert(eq(str, got2.v[0], got.v ? got.v[0] : got2.v[0]));
    lines_free(&got2);
    fleet_free(&f);
}

/* Bloom: >= 10,000 random ids per block, at most 1 % "maybe" for ids the
 * block lacks; inspect shows the filter. */
Test(trace, bloom_false_positive_rate_at_most_1_percent)
{
    fleet f;
    char msg[4096];
    kiln_store *st = NULL;
    fleet_setup(&f);
    cr_assert(eq(int, kiln_store_open(&st, f.pb_store), 0));
    char bdir[600];
    snprintf(bdir, sizeof bdir, "%s/default/blocks", f.pb_store);
    DIR *d = opendir(bdir);
    cr_assert(d != NULL);
    struct dirent *e;
    size_t blocks = 0;
    uint64_t seed = 11;
    while ((e = readdir(d)) != NULL) {
        if (!strstr(e->d_name, ".kiln"))
            continue;
        char key[300];
        snprintf(key, sizeof key, "default/blocks/%s", e->d_name);
        kiln_block *b = NULL;
        cr_assert(eq(int, kiln_block_open(&b, st, key), 0), "%s",
                  kiln_error_last());
        const kiln_block_info *in = kiln_block_info_get(b);
        cr_assert(in->ntraces > 0);
        cr_assert(in->bloom_bytes > 0);
        cr_assert(in->bloom_fpp > 0 && in->bloom_fpp <= 0.005);
        size_t fp = 0, tests = 20000;
        for (size_t i = 0; i < tests; i++) {
            uint8_t id[16];
            for (int k = 0; k < 16; k++) {
                seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
                id[k] = (uint8_t)(seed >> 56);
            }
            int m = kiln_block_trace_maybe(b, id);
            cr_assert(m == 0 || m == 1);
            if (m)
                fp += kiln_block_trace_links(b, id) == 0;
        }
        cr_assert(fp * 100 <= tests, "block %s: %zu false positives in %zu",
                  key, fp, tests);
        /* Every trace in the inputs answers "maybe" (no false negatives). */
        for (size_t i = 0; i < f.n; i += 7) {
            uint8_t id[16];
            cr_assert(eq(int, kiln_trace_id_parse(id, f.s[i].trace), 0));
            cr_assert(eq(int, kiln_block_trace_maybe(b, id), 1));
            cr_assert(kiln_block_trace_links(b, id) > 0);
        }
        /* inspect shows the filter's size and expected rate. */
        const char *bin = e2e_env("KILN_BIN");
        char path[700];
        cr_assert(snprintf(path, sizeof path, "%s/%s", bdir, e->d_name) <
                  (int)sizeof path);
        char *argv[] = {(char *)bin, "inspect", path, NULL};
        cr_assert(eq(int, e2e_run(argv, NULL, msg, sizeof msg), 0));
        cr_assert(strstr(msg, "bloom") && strstr(msg, "false-positive rate"),
                  "%s", msg);
        kiln_block_free(b);
        blocks++;
    }
    closedir(d);
    cr_assert(blocks >= 1);
    kiln_store_free(st);
    fleet_free(&f);
}

/* Through the command: a byte flipped inside links, traceindex or bloom
 * makes `kiln verify` fail and `kiln query --trace-id` refuse, naming the
 * block and the section (for links: a query of a trace in the damaged
 * chunk; other chunks are not read by a lookup; for bloom: every group
 * damaged, since a lookup reads one). */
Test(trace, damaged_sections_fail_verify_and_trace_query)
{
    fleet f;
    char msg[8192], bdir[600], path[900];
    fleet_setup(&f);
    const char *bin = e2e_env("KILN_BIN");
    snprintf(bdir, sizeof bdir, "%s/default/blocks", f.pb_store);
    DIR *d = opendir(bdir);
    struct dirent *e;
    cr_assert(d != NULL);
    path[0] = 0;
    while ((e = readdir(d)) != NULL)
        if (strstr(e->d_name, ".kiln"))
            snprintf(path, sizeof path, "%s/%s", bdir, e->d_name);
    closedir(d);
    cr_assert(strlen(path) > 0, "no block in %s", bdir);
    char *insp[] = {(char *)bin, "inspect", path, NULL};
    cr_assert(eq(int, e2e_run(insp, NULL, msg, sizeof msg), 0), "%s", msg);
    size_t size;
    uint8_t *pristine = slurp(path, &size);
    static const char *names[] = {"links", "traceindex", "bloom"};
    for (int k = 0; k < 3; k++) {
        /* "  links        zstd        424373       113014 ..." */
        char pat[32];
        unsigned long long off = 0, stored = 0;
        snprintf(pat, sizeof pat, "\n  %s ", names[k]);
        const char *p = strstr(msg, pat);
        cr_assert(p != NULL, "inspect shows no %s section", names[k]);
        char codec[16];
        cr_assert(eq(int, sscanf(p + strlen(pat), "%15s %llu %llu", codec, &off,
                                 &stored), 3));
        cr_assert(off + stored <= size);
        uint8_t *c = malloc(size);
        memcpy(c, pristine, size);
        /* links is a run of chunks read one at a time (spec/links.md):
         * damage the first, which holds the smallest trace id, and ask
         * for that trace. */
        const char *want = f.s[0].trace;
        if (k == 0) {
            for (size_t i = 1; i < f.n; i++)
                if (strcmp(f.s[i].trace, want) < 0)
                    want = f.s[i].trace;
            cr_assert(stored > 8);
            c[off + 8] ^= 0x04;
        } else if (k == 2) {
            /* A lookup reads the filter's 8-byte head and one group of
             * up to 128 blocks (4096 + 8 bytes, spec/links.md): damage
             * every group so the query's group is among them. */
            for (unsigned long long g = off + 8 + 5; g < off + stored; g += 4104)
                c[g] ^= 0x04;
        } else {
            c[off + stored / 2] ^= 0x04;
        }
        FILE *fp = fopen(path, "wb");
        cr_assert(fp != NULL);
        cr_assert(eq(sz, fwrite(c, 1, size, fp), size));
        fclose(fp);
        free(c);
        char vmsg[2048];
        char *ver[] = {(char *)bin, "verify", path, NULL};
        cr_assert(e2e_run(ver, NULL, vmsg, sizeof vmsg) != 0,
                  "verify passed a damaged %s", names[k]);
        cr_assert(strstr(vmsg, names[k]) != NULL, "%s: %s", names[k], vmsg);
        lines got;
        char *args[] = {"--trace-id", (char *)want, "--format", "folded",
                        NULL};
        int rc = query(&f, f.pb_store, args, &got, vmsg, sizeof vmsg);
        cr_assert(rc != 0 && rc != 1, "%s: trace query gave %d", names[k], rc);
        cr_assert(strstr(vmsg, "block") && strstr(vmsg, names[k]), "%s: %s",
                  names[k], vmsg);
        cr_assert(eq(sz, got.n, 0));
        lines_free(&got);
    }
    free(pristine);
    fleet_free(&f);
}
