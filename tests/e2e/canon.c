/* canon.c: the reference reading of a pprof profile for the end-to-end
 * tests. It shares no code with libkiln (protobuf-c and zlib only), so a
 * round trip compared through it checks kiln against an independent reader. */
#include "canon.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "profile.pb-c.h"

typedef Perftools__Profiles__Profile Profile;
typedef Perftools__Profiles__Location Location;
typedef Perftools__Profiles__Function Function;
typedef Perftools__Profiles__Mapping Mapping;

/* ---- a growable string ---- */

typedef struct sb {
    char *p;    /* NUL-terminated when cap > 0 */
    size_t n;   /* bytes in use, without the NUL */
    size_t cap; /* bytes allocated */
} sb;

static void sb_need(sb *s, size_t extra)
{
    if (s->n + extra + 1 <= s->cap)
        return;
    size_t cap = s->cap ? s->cap : 64;
    while (cap < s->n + extra + 1)
        cap *= 2;
    char *p = realloc(s->p, cap);
    if (!p) {
        perror("canon: realloc");
        abort();
    }
    s->p = p;
    s->cap = cap;
}

static void sb_add(sb *s, const char *p, size_t n)
{
    sb_need(s, n);
    memcpy(s->p + s->n, p, n);
    s->n += n;
    s->p[s->n] = 0;
}

static void sb_printf(sb *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void sb_printf(sb *s, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (k < 0)
        abort();
    if ((size_t)k < sizeof tmp) {
        sb_add(s, tmp, (size_t)k);
        return;
    }
    sb_need(s, (size_t)k);
    va_start(ap, fmt);
    vsnprintf(s->p + s->n, (size_t)k + 1, fmt, ap);
    va_end(ap);
    s->n += (size_t)k;
}

/* Bytes as text: printable ASCII as is, the rest (and the characters the
 * canonical lines use as separators) as \xNN, so invalid UTF-8 compares
 * byte for byte. */
static void sb_esc(sb *s, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t ch = p[i];
        if (ch < 0x20 || ch >= 0x7f || ch == '\\' || ch == '|' ||
            ch == '{' || ch == '}' || ch == '"')
            sb_printf(s, "\\x%02x", ch);
        else
            sb_add(s, (const char *)&ch, 1);
    }
}

static uint64_t fnv64(const char *p, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= (uint8_t)p[i];
        h *= 1099511628211ULL;
    }
    return h;
}

/* ---- the canon ---- */

static void add_line(canon *c, const char *p, size_t n)
{
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 256;
        char **l = realloc(c->lines, cap * sizeof *l);
        if (!l) {
            perror("canon: realloc");
            abort();
        }
        c->lines = l;
        c->cap = cap;
    }
    char *d = malloc(n + 1);
    if (!d) {
        perror("canon: malloc");
        abort();
    }
    memcpy(d, p, n);
    d[n] = 0;
    c->lines[c->n++] = d;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sort and drop duplicate lines. */
static void sort_unique(canon *c)
{
    qsort(c->lines, c->n, sizeof *c->lines, cmp_str);
    size_t k = 0;
    for (size_t i = 0; i < c->n; i++) {
        if (k > 0 && strcmp(c->lines[k - 1], c->lines[i]) == 0) {
            free(c->lines[i]);
            continue;
        }
        c->lines[k++] = c->lines[i];
    }
    c->n = k;
}

void canon_free(canon *c)
{
    for (size_t i = 0; i < c->n; i++)
        free(c->lines[i]);
    free(c->lines);
    memset(c, 0, sizeof *c);
}

int canon_slurp(const char *path, uint8_t **data, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    size_t cap = 1 << 16, n = 0;
    uint8_t *buf = malloc(cap);
    if (!buf) {
        fclose(f);
        return -1;
    }
    for (;;) {
        if (n == cap) {
            uint8_t *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                fclose(f);
                return -1;
            }
            buf = nb;
            cap *= 2;
        }
        size_t k = fread(buf + n, 1, cap - n, f);
        n += k;
        if (k == 0)
            break;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        errno = EIO;
        return -1;
    }
    *data = buf;
    *len = n;
    return 0;
}

/* Inflate every gzip member; a stream that stops early is an error. */
static int gunzip(const uint8_t *p, size_t n, uint8_t **out, size_t *outn,
                  char *err, size_t errlen)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) {
        snprintf(err, errlen, "zlib init failed");
        return -1;
    }
    size_t cap = n * 4 + 4096, len = 0;
    uint8_t *buf = malloc(cap);
    int rc = -1;
    z.next_in = (uint8_t *)p;
    z.avail_in = (uInt)n;
    for (;;) {
        if (len == cap) {
            if (cap >= ((size_t)1 << 30)) {
                snprintf(err, errlen, "gzip: inflates past 1 GiB");
                goto out;
            }
            cap *= 2;
            uint8_t *nb = realloc(buf, cap);
            if (!nb) {
                snprintf(err, errlen, "out of memory");
                goto out;
            }
            buf = nb;
        }
        z.next_out = buf + len;
        z.avail_out = (uInt)(cap - len);
        int r = inflate(&z, Z_NO_FLUSH);
        len = cap - z.avail_out;
        if (r == Z_STREAM_END) {
            if (z.avail_in == 0)
                break;
            inflateReset(&z); /* next member */
            continue;
        }
        if (r == Z_BUF_ERROR && z.avail_in == 0) {
            snprintf(err, errlen, "gzip: truncated stream");
            goto out;
        }
        if (r != Z_OK && r != Z_BUF_ERROR) {
            snprintf(err, errlen, "gzip: %s", z.msg ? z.msg : "bad data");
            goto out;
        }
    }
    *out = buf;
    *outn = len;
    buf = NULL;
    rc = 0;
out:
    free(buf);
    inflateEnd(&z);
    return rc;
}

/* Reference resolution: ids to indexes by binary search. */
typedef struct idx {
    uint64_t id; /* the message's id */
    size_t i;    /* its index in the profile's array */
} idx;

static int cmp_idx(const void *a, const void *b)
{
    const idx *x = a, *y = b;
    if (x->id != y->id)
        return x->id < y->id ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

static long find_id(const idx *v, size_t n, uint64_t id)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (v[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && v[lo].id == id ? (long)v[lo].i : -1;
}

typedef struct ctx {
    const Profile *p;
    idx *locs, *fns, *maps;
    char *err;
    size_t errlen;
    int bad;
} ctx;

static int str_ok(ctx *x, int64_t s, const char *what)
{
    if (s < 0 || (uint64_t)s >= x->p->n_string_table) {
        if (!x->bad)
            snprintf(x->err, x->errlen,
                     "%s: string index %" PRId64 " out of range (table has %zu)",
                     what, s, x->p->n_string_table);
        x->bad = 1;
        return 0;
    }
    return 1;
}

static void add_str(ctx *x, sb *s, int64_t i, const char *what)
{
    if (!str_ok(x, i, what))
        return;
    const ProtobufCBinaryData *b = &x->p->string_table[i];
    sb_esc(s, b->data, b->len);
}

static void desc_vt(ctx *x, sb *s, const Perftools__Profiles__ValueType *vt)
{
    if (vt) {
        add_str(x, s, vt->type, "value type");
        sb_add(s, "/", 1);
        add_str(x, s, vt->unit, "value type unit");
    } else {
        sb_add(s, "/", 1);
    }
}

static void desc_function(ctx *x, sb *s, const Function *f)
{
    sb_add(s, "{", 1);
    add_str(x, s, f->name, "function name");
    sb_add(s, "|", 1);
    add_str(x, s, f->system_name, "function system_name");
    sb_add(s, "|", 1);
    add_str(x, s, f->filename, "function filename");
    sb_printf(s, "|%" PRId64 "}", f->start_line);
}

static void desc_mapping(ctx *x, sb *s, const Mapping *m)
{
    sb_add(s, "{", 1);
    add_str(x, s, m->filename, "mapping filename");
    sb_add(s, "|", 1);
    add_str(x, s, m->build_id, "mapping build_id");
    sb_printf(s, "|0x%" PRIx64 "-0x%" PRIx64 "+0x%" PRIx64 "|%d%d%d%d}",
              m->memory_start, m->memory_limit, m->file_offset,
              m->has_functions, m->has_filenames, m->has_line_numbers,
              m->has_inline_frames);
}

static void desc_location(ctx *x, sb *s, const Location *l, canon *c)
{
    sb_printf(s, "0x%" PRIx64 " folded=%d map=", l->address, l->is_folded);
    if (l->mapping_id == 0) {
        sb_add(s, "-", 1);
    } else {
        long mi = find_id(x->maps, x->p->n_mapping, l->mapping_id);
        if (mi < 0) {
            if (!x->bad)
                snprintf(x->err, x->errlen,
                         "location %" PRIu64 ": mapping %" PRIu64 " not found",
                         l->id, l->mapping_id);
            x->bad = 1;
            return;
        }
        sb tmp = {0};
        desc_mapping(x, &tmp, x->p->mapping[mi]);
        sb_add(s, tmp.p, tmp.n);
        sb line = {0};
        sb_add(&line, "M ", 2);
        sb_add(&line, tmp.p, tmp.n);
        add_line(c, line.p, line.n);
        free(line.p);
        free(tmp.p);
    }
    sb_add(s, " lines=", 7);
    for (size_t j = 0; j < l->n_line; j++) {
        const Perftools__Profiles__Line *ln = l->line[j];
        if (j)
            sb_add(s, ",", 1);
        if (ln->function_id == 0) {
            sb_add(s, "{}", 2); /* no function: how Go's reader takes id 0 */
        } else {
            long fi = find_id(x->fns, x->p->n_function, ln->function_id);
            if (fi < 0) {
                if (!x->bad)
                    snprintf(x->err, x->errlen,
                             "location %" PRIu64 ": function %" PRIu64
                             " not found", l->id, ln->function_id);
                x->bad = 1;
                return;
            }
            sb tmp = {0};
            desc_function(x, &tmp, x->p->function[fi]);
            sb_add(s, tmp.p, tmp.n);
            sb line = {0};
            sb_add(&line, "F ", 2);
            sb_add(&line, tmp.p, tmp.n);
            add_line(c, line.p, line.n);
            free(line.p);
            free(tmp.p);
        }
        sb_printf(s, ":%" PRId64 ":%" PRId64, ln->line, ln->column);
    }
}

typedef struct srow {
    char *key;       /* labels | location hashes */
    int64_t *values; /* one per sample type */
} srow;

static int cmp_srow(const void *a, const void *b)
{
    return strcmp(((const srow *)a)->key, ((const srow *)b)->key);
}

static int cmp_cstr(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Build the sample key: sorted labels, then leaf-first location hashes. */
static char *sample_key(ctx *x, const Perftools__Profiles__Sample *sm,
                        char **lochash, canon *c)
{
    sb k = {0};
    char **labs = calloc(sm->n_label + 1, sizeof *labs);
    for (size_t j = 0; j < sm->n_label; j++) {
        const Perftools__Profiles__Label *lb = sm->label[j];
        sb l = {0};
        add_str(x, &l, lb->key, "label key");
        if (lb->str != 0) {
            sb_add(&l, "=\"", 2);
            add_str(x, &l, lb->str, "label str");
            sb_add(&l, "\"", 1);
        } else {
            sb_printf(&l, "=#%" PRId64 "[", lb->num);
            add_str(x, &l, lb->num_unit, "label num_unit");
            sb_add(&l, "]", 1);
        }
        labs[j] = l.p ? l.p : strdup("");
        c->nlabels++;
    }
    qsort(labs, sm->n_label, sizeof *labs, cmp_cstr);
    for (size_t j = 0; j < sm->n_label; j++) {
        sb_add(&k, labs[j], strlen(labs[j]));
        sb_add(&k, " ", 1);
        free(labs[j]);
    }
    free(labs);
    sb_add(&k, "|", 1);
    for (size_t j = 0; j < sm->n_location_id; j++) {
        long li = find_id(x->locs, x->p->n_location, sm->location_id[j]);
        if (li < 0) {
            if (!x->bad)
                snprintf(x->err, x->errlen,
                         "sample: location %" PRIu64 " not found",
                         sm->location_id[j]);
            x->bad = 1;
            break;
        }
        sb_add(&k, " ", 1);
        sb_add(&k, lochash[li], strlen(lochash[li]));
    }
    if (!k.p)
        sb_add(&k, "", 0);
    return k.p;
}

int canon_load(canon *c, const void *data, size_t len, char *err,
               size_t errlen)
{
    memset(c, 0, sizeof *c);
    uint8_t *raw = NULL;
    size_t rawn = 0;
    const uint8_t *bytes = data;
    Profile *p = NULL;
    ctx x = {0};
    char **lochash = NULL;
    srow *rows = NULL;
    int rc = -1;

    x.err = err;
    x.errlen = errlen;
    if (len >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b) {
        if (gunzip(bytes, len, &raw, &rawn, err, errlen) < 0)
            goto out;
        bytes = raw;
        len = rawn;
    }
    p = perftools__profiles__profile__unpack(NULL, len, bytes);
    if (!p) {
        snprintf(err, errlen, "protobuf: not a well-formed Profile message");
        goto out;
    }
    x.p = p;
    if (p->n_string_table == 0 || p->string_table[0].len != 0) {
        snprintf(err, errlen, "string_table[0] is not \"\"");
        goto out;
    }

    x.locs = calloc(p->n_location + 1, sizeof *x.locs);
    x.fns = calloc(p->n_function + 1, sizeof *x.fns);
    x.maps = calloc(p->n_mapping + 1, sizeof *x.maps);
    /* A table whose ids are all 0 is referred to by 1-based position
     * (Pyroscope's reading; go tool pprof refuses such files). */
    bool lpos = true, fpos = true, mpos = true;
    for (size_t i = 0; i < p->n_location; i++)
        lpos = lpos && p->location[i]->id == 0;
    for (size_t i = 0; i < p->n_function; i++)
        fpos = fpos && p->function[i]->id == 0;
    for (size_t i = 0; i < p->n_mapping; i++)
        mpos = mpos && p->mapping[i]->id == 0;
    for (size_t i = 0; i < p->n_location; i++)
        x.locs[i] = (idx){lpos ? i + 1 : p->location[i]->id, i};
    for (size_t i = 0; i < p->n_function; i++)
        x.fns[i] = (idx){fpos ? i + 1 : p->function[i]->id, i};
    for (size_t i = 0; i < p->n_mapping; i++)
        x.maps[i] = (idx){mpos ? i + 1 : p->mapping[i]->id, i};
    qsort(x.locs, p->n_location, sizeof *x.locs, cmp_idx);
    qsort(x.fns, p->n_function, sizeof *x.fns, cmp_idx);
    qsort(x.maps, p->n_mapping, sizeof *x.maps, cmp_idx);

    /* Header. */
    sb h = {0};
    sb_add(&h, "H period_type ", 14);
    desc_vt(&x, &h, p->period_type);
    add_line(c, h.p, h.n);
    h.n = 0;
    sb_printf(&h, "H period %" PRId64, p->period);
    add_line(c, h.p, h.n);
    h.n = 0;
    sb_printf(&h, "H duration_nanos %" PRId64, p->duration_nanos);
    add_line(c, h.p, h.n);
    h.n = 0;
    sb_printf(&h, "H sample_types %zu", p->n_sample_type);
    add_line(c, h.p, h.n);
    for (size_t i = 0; i < p->n_sample_type; i++) {
        h.n = 0;
        sb_printf(&h, "H sample_type[%zu] ", i);
        desc_vt(&x, &h, p->sample_type[i]);
        add_line(c, h.p, h.n);
    }
    /* The rest of the header, strings by value. */
    static const char *const names[] = {"drop_frames", "keep_frames",
                                        "default_sample_type", "doc_url"};
    const int64_t idxs[] = {p->drop_frames, p->keep_frames,
                            p->default_sample_type, p->doc_url};
    for (size_t i = 0; i < 4; i++) {
        h.n = 0;
        sb_printf(&h, "H %s \"", names[i]);
        add_str(&x, &h, idxs[i], names[i]);
        sb_add(&h, "\"", 1);
        add_line(c, h.p, h.n);
    }
    h.n = 0;
    sb_printf(&h, "H comments %zu", p->n_comment);
    for (size_t i = 0; i < p->n_comment; i++) {
        sb_add(&h, " \"", 2);
        add_str(&x, &h, p->comment[i], "comment");
        sb_add(&h, "\"", 1);
    }
    add_line(c, h.p, h.n);
    free(h.p);
    if (x.bad)
        goto out;
    c->time_nanos = p->time_nanos;

    /* Locations: content hash, and an L line for each referenced one. */
    lochash = calloc(p->n_location + 1, sizeof *lochash);
    char *used = calloc(p->n_location + 1, 1);
    for (size_t i = 0; i < p->n_sample; i++)
        for (size_t j = 0; j < p->sample[i]->n_location_id; j++) {
            long li = find_id(x.locs, p->n_location,
                              p->sample[i]->location_id[j]);
            if (li >= 0)
                used[li] = 1;
        }
    for (size_t i = 0; i < p->n_location && !x.bad; i++) {
        if (!used[i])
            continue;
        sb d = {0};
        desc_location(&x, &d, p->location[i], c);
        if (x.bad) {
            free(d.p);
            break;
        }
        char hx[24];
        snprintf(hx, sizeof hx, "L%016" PRIx64, fnv64(d.p, d.n));
        lochash[i] = strdup(hx);
        sb line = {0};
        sb_printf(&line, "%s %s", hx, d.p);
        add_line(c, line.p, line.n);
        free(line.p);
        free(d.p);
    }
    free(used);
    if (x.bad)
        goto out;

    /* Samples, merged by key. */
    rows = calloc(p->n_sample + 1, sizeof *rows);
    size_t nt = p->n_sample_type;
    for (size_t i = 0; i < p->n_sample; i++) {
        const Perftools__Profiles__Sample *sm = p->sample[i];
        if (sm->n_value != nt) {
            snprintf(err, errlen, "sample %zu has %zu values for %zu types",
                     i, sm->n_value, nt);
            goto out;
        }
        rows[i].key = sample_key(&x, sm, lochash, c);
        rows[i].values = calloc(nt + 1, sizeof(int64_t));
        memcpy(rows[i].values, sm->value, nt * sizeof(int64_t));
        if (x.bad)
            goto out;
    }
    c->nsamples = p->n_sample;
    qsort(rows, p->n_sample, sizeof *rows, cmp_srow);
    for (size_t i = 0; i < p->n_sample;) {
        size_t j = i + 1;
        while (j < p->n_sample && strcmp(rows[i].key, rows[j].key) == 0) {
            for (size_t t = 0; t < nt; t++)
                rows[i].values[t] =
                    (int64_t)((uint64_t)rows[i].values[t] +
                              (uint64_t)rows[j].values[t]);
            j++;
        }
        sb line = {0};
        sb_printf(&line, "S %s =", rows[i].key);
        for (size_t t = 0; t < nt; t++)
            sb_printf(&line, " %" PRId64, rows[i].values[t]);
        add_line(c, line.p, line.n);
        free(line.p);
        c->nmerged++;
        i = j;
    }
    sort_unique(c);
    for (size_t i = 0; i < c->n; i++)
        if (c->lines[i][0] == 'F')
            c->nfunctions++;
    rc = 0;
out:
    if (rows) {
        for (size_t i = 0; i < p->n_sample; i++) {
            free(rows[i].key);
            free(rows[i].values);
        }
        free(rows);
    }
    if (lochash) {
        for (size_t i = 0; i < p->n_location; i++)
            free(lochash[i]);
        free(lochash);
    }
    free(x.locs);
    free(x.fns);
    free(x.maps);
    if (p)
        perftools__profiles__profile__free_unpacked(p, NULL);
    free(raw);
    if (rc < 0) {
        int64_t t = c->time_nanos;
        canon_free(c);
        c->time_nanos = t;
    }
    return rc;
}

int canon_load_file(canon *c, const char *path, char *err, size_t errlen)
{
    uint8_t *d;
    size_t n;
    if (canon_slurp(path, &d, &n) < 0) {
        memset(c, 0, sizeof *c);
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    int rc = canon_load(c, d, n, err, errlen);
    free(d);
    return rc;
}

size_t canon_diff(const canon *a, const canon *b, FILE *f, size_t limit)
{
    size_t i = 0, j = 0, nd = 0;
    while (i < a->n || j < b->n) {
        int cmp = i >= a->n ? 1 : j >= b->n ? -1
                                            : strcmp(a->lines[i], b->lines[j]);
        if (cmp == 0) {
            i++;
            j++;
            continue;
        }
        const char *l = cmp < 0 ? a->lines[i++] : b->lines[j++];
        if (nd++ < limit && f)
            fprintf(f, "%s %.400s%s\n", cmp < 0 ? "-" : "+", l,
                    strlen(l) > 400 ? "..." : "");
    }
    return nd;
}

static int all_zero_sample(const char *l)
{
    const char *eq = strstr(l, " =");
    const char *last = eq;
    while (eq) { /* the last " =" starts the values */
        last = eq;
        eq = strstr(eq + 2, " =");
    }
    if (!last)
        return 0;
    for (const char *p = last + 2; *p; p++)
        if (*p != ' ' && *p != '0')
            return 0;
    return 1;
}

int canon_explain(const canon *a, const canon *b, char *out, size_t len)
{
    size_t i = 0, j = 0, zero = 0, sym = 0;
    while (i < a->n || j < b->n) {
        int c = i >= a->n ? 1 : j >= b->n ? -1
                                          : strcmp(a->lines[i], b->lines[j]);
        if (c == 0) {
            i++;
            j++;
            continue;
        }
        if (c > 0)
            return 0; /* kiln has something the input lacks */
        const char *l = a->lines[i++];
        if (l[0] == 'S' && all_zero_sample(l))
            zero++;
        else if (l[0] == 'F' || l[0] == 'L' || l[0] == 'M')
            sym++;
        else
            return 0;
    }
    if (zero == 0)
        return 0;
    snprintf(out, len, "kiln dropped the %zu stacks whose values are all zero "
             "(and %zu symbol lines only they used); nothing else differs",
             zero, sym);
    return 1;
}
