/* test_roundtrip.c: every corpus profile written into a block and read back
 * through the reader's pprof output gives the input's per-stack values per
 * sample type (identical samples merged), its symbols, sample types, period
 * and duration; folded and top outputs agree with each other. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format_internal.h"
#include "rutil.h"

/* Write one profile as a block of its own store; 0 or the writer's error.
 * A block written is also checked whole by kiln_block_verify. */
static int write_profile(kiln_store *st, const uint8_t *data, size_t len)
{
    kiln_writer *w = NULL;
    kiln_label lab[] = {{"service_name", "roundtrip"}};
    char key[KILN_KEY_MAX];
    int rc = kiln_writer_new(&w, NULL);
    cr_assert(eq(int, rc, 0), "%s", kiln_error_last());
    rc = kiln_writer_add_pprof(w, data, len, lab, 1);
    if (rc == 0)
        rc = kiln_writer_flush(w, st, key);
    kiln_writer_free(w);
    if (rc == 0) {
        kiln_block *b = NULL;
        cr_assert(eq(int, kiln_block_open(&b, st, key), 0), "%s",
                  kiln_error_last());
        cr_assert(eq(int, kiln_block_verify(b), 0), "%s",
                  kiln_error_last());
        const kiln_block_info *bi = kiln_block_info_get(b);
        cr_assert(gt(u64, bi->npages, 0), "verify loads the page index");
        kiln_block_free(b);
    }
    return rc;
}

static bool bin_eq(const ProtobufCBinaryData *a, const ProtobufCBinaryData *b)
{
    return a->len == b->len && (a->len == 0 || memcmp(a->data, b->data,
                                                      a->len) == 0);
}

static const ProtobufCBinaryData *pstr(const Perftools__Profiles__Profile *p,
                                       int64_t i)
{
    static const ProtobufCBinaryData empty = {0, NULL};
    if (i < 0 || (size_t)i >= p->n_string_table)
        return &empty;
    return &p->string_table[i];
}

/* Compare in (the input) with out (kiln's pprof) for one file. */
static void compare(const char *name, const Perftools__Profiles__Profile *in,
                    const Perftools__Profiles__Profile *out, bool labels)
{
    ru_sums a, b;
    cr_assert(eq(sz, out->n_sample_type, in->n_sample_type), "%s: types",
              name);
    for (size_t t = 0; t < in->n_sample_type; t++) {
        cr_assert(bin_eq(pstr(in, in->sample_type[t]->type),
                         pstr(out, out->sample_type[t]->type)),
                  "%s: type %zu name", name, t);
        cr_assert(bin_eq(pstr(in, in->sample_type[t]->unit),
                         pstr(out, out->sample_type[t]->unit)),
                  "%s: type %zu unit", name, t);
    }
    cr_assert(eq(i64, out->period, in->period), "%s: period", name);
    cr_assert(eq(i64, out->duration_nanos, in->duration_nanos),
              "%s: duration", name);
    if (in->period_type) {
        cr_assert(out->period_type != NULL || (in->period_type->type == 0 &&
                                               in->period_type->unit == 0),
                  "%s: period type", name);
        if (out->period_type) {
            cr_assert(bin_eq(pstr(in, in->period_type->type),
                             pstr(out, out->period_type->type)),
                      "%s: period type", name);
            cr_assert(bin_eq(pstr(in, in->period_type->unit),
                             pstr(out, out->period_type->unit)),
                      "%s: period unit", name);
        }
    }
    cr_assert(eq(sz, out->n_comment, in->n_comment), "%s: comments", name);
    cr_assert(out->n_string_table > 0 && out->string_table[0].len == 0,
              "%s: string_table[0] must be empty", name);
    ru_sums_pprof(&a, in, labels);
    ru_sums_pprof(&b, out, labels);
    const char *d = ru_sums_diff(&a, &b);
    cr_assert(d == NULL, "%s (labels %d): %s", name, labels, d);
    ru_sums_free(&a);
    ru_sums_free(&b);
}

static Perftools__Profiles__Profile *query_pprof(kiln_store *st, int keep)
{
    kiln_result *r = ru_query(st, NULL, KILN_TIME_MIN, KILN_TIME_MAX, NULL,
                              NULL, keep);
    kiln_buf out = KILN_BUF_INIT;
    int rc = kiln_result_pprof(r, &out);
    cr_assert(eq(int, rc, 0), "pprof: %s", kiln_error_last());
    cr_assert(is_gzip(out.data, out.len), "pprof output is gzip'd");
    Perftools__Profiles__Profile *p = ru_unpack(out.data, out.len);
    cr_assert(p != NULL, "kiln's pprof output does not decode");
    kiln_buf_free(&out);
    kiln_result_free(r);
    return p;
}

Test(reader_roundtrip, every_corpus_profile_reads_back_identical)
{
    size_t n, done = 0, refused = 0;
    char **files = ru_corpus_files(&n);
    cr_assert(gt(sz, n, 10), "corpus has %zu files", n);
    for (size_t i = 0; i < n; i++) {
        size_t len;
        uint8_t *data = ru_slurp(files[i], &len);
        cr_assert(data != NULL, "%s", files[i]);
        Perftools__Profiles__Profile *in = ru_unpack(data, len);
        ru_store s;
        ru_store_open(&s);
        int rc = write_profile(s.st, data, len);
        if (rc < 0 || !in) {
            /* The writer refuses what it cannot store losslessly; that is
             * its suite's business. */
            cr_log_warn("%s: not written (%s)", files[i], kiln_error_last());
            refused++;
        } else {
            for (int keep = 0; keep < 2; keep++) {
                Perftools__Profiles__Profile *out = query_pprof(s.st, keep);
                compare(files[i], in, out, keep);
                perftools__profiles__profile__free_unpacked(out, NULL);
            }
            done++;
        }
        ru_store_close(&s);
        if (in)
            perftools__profiles__profile__free_unpacked(in, NULL);
        free(data);
    }
    ru_free_list(files, n);
    (void)refused;
    cr_assert(ge(sz, done, n - 2), "only %zu of %zu profiles were written",
              done, n);
}

/* flat and cum computed from folded text, by frame name. */
typedef struct fentry {
    char *name;
    int64_t flat, cum;
} fentry;

static fentry *fe_get(fentry **v, size_t *n, const char *s, size_t len)
{
    for (size_t i = 0; i < *n; i++)
        if (strlen((*v)[i].name) == len && memcmp((*v)[i].name, s, len) == 0)
            return &(*v)[i];
    *v = realloc(*v, (*n + 1) * sizeof **v);
    (*v)[*n].name = strndup(s, len);
    (*v)[*n].flat = (*v)[*n].cum = 0;
    return &(*v)[(*n)++];
}

Test(reader_roundtrip, folded_and_top_agree)
{
    static const char *names[] = {
        "google__pprof__internal__report__testdata__sample.cpu",
        "dundee__gdu__default.pgo",
        "DataDog__libdatadog__libdd-profiling__tests__wordpress.pprof",
        "parca-dev__parca__pkg__symbolizer__testdata__profile.pb.gz",
    };
    for (size_t f = 0; f < sizeof names / sizeof names[0]; f++) {
        char path[4096];
        size_t len;
        snprintf(path, sizeof path, "%s/pprof/%s", getenv("KILN_CORPUS"),
                 names[f]);
        uint8_t *data = ru_slurp(path, &len);
        cr_assert(data != NULL, "%s", path);
        ru_store s;
        ru_store_open(&s);
        cr_assert(eq(int, write_profile(s.st, data, len), 0), "%s: %s", path,
                  kiln_error_last());
        kiln_result *r = ru_query(s.st, NULL, KILN_TIME_MIN, KILN_TIME_MAX,
                                  NULL, NULL, 0);
        for (size_t t = 0; t < kiln_result_ntypes(r); t++) {
            kiln_buf folded = KILN_BUF_INIT;
            cr_assert(eq(int, kiln_result_folded(r, t, &folded), 0));
            cr_assert(kiln_buf_append(&folded, "", 1) == 0);
            fentry *fe = NULL;
            size_t nfe = 0;
            int64_t total = 0;
            char *save = NULL;
            const char *prev = NULL;
            for (char *line = strtok_r((char *)folded.data, "\n", &save); line;
                 line = strtok_r(NULL, "\n", &save)) {
                if (prev)
                    cr_assert(le(int, strcmp(prev, line), 0),
                              "folded lines are sorted");
                prev = line;
                char *sp = strrchr(line, ' ');
                cr_assert(sp != NULL);
                int64_t v = strtoll(sp + 1, NULL, 10);
                cr_assert(ne(i64, v, 0), "zero values are skipped");
                total += v;
                /* frames: cum once per line, flat for the last */
                size_t nf = 0;
                fentry **seen = NULL;
                char *p = line;
                while (p < sp) {
                    char *e = memchr(p, ';', (size_t)(sp - p));
                    if (!e)
                        e = sp;
                    fentry *x = fe_get(&fe, &nfe, p, (size_t)(e - p));
                    size_t idx = (size_t)(x - fe);
                    bool dup = false;
                    for (size_t k = 0; k < nf; k++)
                        dup = dup || seen[k] == (fentry *)(uintptr_t)idx;
                    if (!dup) {
                        seen = realloc(seen, (nf + 1) * sizeof *seen);
                        seen[nf++] = (fentry *)(uintptr_t)idx;
                        fe[idx].cum += v;
                    }
                    if (e == sp)
                        fe[idx].flat += v;
                    p = e + 1;
                }
                free(seen);
            }
            kiln_top_entry *top = NULL;
            size_t ntop = 0;
            cr_assert(eq(int, kiln_result_top(r, t, &top, &ntop), 0));
            cr_assert(gt(sz, ntop, 0), "%s: top is empty", names[f]);
            int64_t flat_sum = 0;
            for (size_t i = 0; i < ntop; i++) {
                char *nm = strdup(top[i].name);
                for (char *c = nm; *c; c++)
                    if (*c == ';' || *c == '\n' || *c == '\r')
                        *c = ' ';
                fentry *x = fe_get(&fe, &nfe, nm, strlen(nm));
                cr_assert(eq(i64, top[i].flat, x->flat), "%s: flat of %s",
                          names[f], nm);
                cr_assert(eq(i64, top[i].cum, x->cum), "%s: cum of %s",
                          names[f], nm);
                flat_sum += top[i].flat;
                if (i)
                    cr_assert(ge(i64, llabs(top[i - 1].flat),
                                 llabs(top[i].flat)), "top is by flat");
                free(nm);
            }
            cr_assert(eq(sz, nfe, ntop), "%s: folded has %zu functions, top "
                      "%zu", names[f], nfe, ntop);
            cr_assert(eq(i64, flat_sum, total), "flat sums to the total");
            kiln_buf txt = KILN_BUF_INIT;
            cr_assert(eq(int, kiln_result_top_text(r, t, 5, &txt), 0));
            cr_assert(kiln_buf_append(&txt, "", 1) == 0);
            cr_assert(strstr((char *)txt.data, "flat%") != NULL);
            cr_assert(strstr((char *)txt.data, top[0].name) != NULL);
            kiln_buf_free(&txt);
            free(top);
            for (size_t i = 0; i < nfe; i++)
                free(fe[i].name);
            free(fe);
            kiln_buf_free(&folded);
        }
        kiln_result_free(r);
        ru_store_close(&s);
        free(data);
    }
}
