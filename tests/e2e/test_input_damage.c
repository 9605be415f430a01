/* test_input_damage.c: the writer refuses every damaged profile whole. A
 * small corpus profile, raw and gzip'd, is cut at every length and has
 * every byte flipped; whenever the independent reader (canon.h) finds the
 * result invalid, kiln_writer_add_pprof must return KILN_EINPUT with a
 * message and leave the writer as it was: the block written afterwards is
 * byte-identical to one written without the attempts. Never a crash (the
 * suite also runs under ASan/UBSan). */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include <kiln/kiln.h>

#include "canon.h"
#include "util.h"

static uint8_t *load_corpus(const char *name, size_t *n)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/pprof/%s", e2e_env("KILN_CORPUS"), name);
    uint8_t *d;
    cr_assert(eq(int, canon_slurp(path, &d, n), 0), "read %s", path);
    return d;
}

static uint8_t *gunzip_all(const uint8_t *p, size_t n, size_t *outn)
{
    size_t cap = 1 << 20;
    uint8_t *out = malloc(cap);
    z_stream z;
    memset(&z, 0, sizeof z);
    cr_assert(eq(int, inflateInit2(&z, 16 + MAX_WBITS), Z_OK));
    z.next_in = (uint8_t *)p, z.avail_in = (uInt)n;
    z.next_out = out, z.avail_out = (uInt)cap;
    cr_assert(eq(int, inflate(&z, Z_FINISH), Z_STREAM_END));
    *outn = z.total_out;
    inflateEnd(&z);
    return out;
}

static const kiln_label labels[] = {{"service_name", "damage"}};

/* The block from adding `good` alone. */
static void block_of(const uint8_t *good, size_t n, kiln_buf *blk)
{
    kiln_writer *w = NULL;
    kiln_writer_opts o = KILN_WRITER_OPTS_INIT;
    char id[27];
    cr_assert(eq(int, kiln_writer_new(&w, &o), 0));
    cr_assert(eq(int, kiln_writer_add_pprof(w, good, n, labels, 1), 0), "%s",
              kiln_error_last());
    cr_assert(eq(int, kiln_writer_finish(w, blk, id), 0), "%s",
              kiln_error_last());
    kiln_writer_free(w);
}

typedef struct tally {
    size_t invalid;  /* damaged inputs the reference reader refuses */
    size_t accepted; /* ... that kiln accepted anyway: the failures */
    size_t nomsg;    /* refusals without a message */
    size_t wrongcode;
    size_t valid_refused; /* still-valid inputs kiln refused (info only) */
} tally;

/* Try one damaged input on a writer that already holds `good`. */
static void try_one(kiln_writer *w, const uint8_t *p, size_t n, tally *t,
                    const char *what, size_t where)
{
    canon c;
    char err[512];
    int invalid = canon_load(&c, p, n, err, sizeof err) < 0;
    if (!invalid)
        canon_free(&c);
    kiln_writer_stats before, after;
    kiln_writer_stats_get(w, &before);
    kiln_error_clear();
    int rc = kiln_writer_add_pprof(w, p, n, labels, 1);
    kiln_writer_stats_get(w, &after);
    if (!invalid) { /* e.g. a cut on a field boundary: kiln may take it */
        if (rc < 0)
            t->valid_refused++;
        return;
    }
    t->invalid++;
    if (rc >= 0) {
        if (t->accepted++ < 10)
            cr_log_error("%s %zu: accepted, but the reference reader says: %s",
                         what, where, err);
        return;
    }
    if (rc != KILN_EINPUT && t->wrongcode++ < 10)
        cr_log_error("%s %zu: error %d (%s), want KILN_EINPUT", what, where,
                     rc, kiln_strerror(rc));
    if (kiln_error_last()[0] == 0 && t->nomsg++ < 10)
        cr_log_error("%s %zu: refused without a message", what, where);
    cr_assert(eq(u64, after.profiles, before.profiles),
              "%s %zu: a refused profile changed the writer's profile count",
              what, where);
    cr_assert(eq(u64, after.rows, before.rows),
              "%s %zu: a refused profile changed the writer's rows", what,
              where);
}

static void finish_and_compare(kiln_writer *w, const uint8_t *good, size_t n,
                               const tally *t, const char *what)
{
    /* Only invalid inputs were tried, so the block must be that of `good`
     * alone, byte for byte. */
    kiln_buf got = KILN_BUF_INIT, want = KILN_BUF_INIT;
    char id[27];
    cr_assert(eq(int, kiln_writer_finish(w, &got, id), 0), "%s",
              kiln_error_last());
    block_of(good, n, &want);
    cr_log_info("%s: %zu invalid inputs tried; %zu valid ones refused", what,
                t->invalid, t->valid_refused);
    cr_expect(eq(sz, t->wrongcode, 0), "%s: %zu refusals with a code other "
              "than KILN_EINPUT", what, t->wrongcode);
    cr_expect(eq(sz, t->nomsg, 0), "%s: %zu refusals without a message",
              what, t->nomsg);
    cr_assert(eq(sz, t->accepted, 0), "%s: %zu of %zu invalid inputs were "
              "accepted", what, t->accepted, t->invalid);
    cr_assert(gt(sz, t->invalid, 50), "%s: too few invalid cases", what);
    cr_assert(eq(sz, got.len, want.len), "%s: the block changed size after "
              "refused inputs (%zu, alone %zu)", what, got.len, want.len);
    cr_assert(memcmp(got.data, want.data, got.len) == 0,
              "%s: the block's bytes changed after refused inputs", what);
    kiln_buf_free(&got);
    kiln_buf_free(&want);
}

static void every_cut(const uint8_t *src, size_t n, const char *what)
{
    kiln_writer *w = NULL;
    kiln_writer_opts o = KILN_WRITER_OPTS_INIT;
    cr_assert(eq(int, kiln_writer_new(&w, &o), 0));
    tally t = {0};
    for (size_t cut = 0; cut < n; cut++)
        try_one(w, src, cut, &t, what, cut);
    cr_log_info("%s: %zu cuts, %zu invalid, %zu still valid", what, n,
                t.invalid, n - t.invalid);
    cr_expect(eq(sz, t.wrongcode, 0), "%s: %zu refusals with a code other "
              "than KILN_EINPUT", what, t.wrongcode);
    cr_expect(eq(sz, t.nomsg, 0), "%s: refusals without a message", what);
    cr_assert(eq(sz, t.accepted, 0), "%s: %zu of %zu invalid cuts accepted",
              what, t.accepted, t.invalid);
    kiln_writer_free(w);
}

static void every_flip(const uint8_t *src, size_t n, const char *what)
{
    uint8_t *copy = malloc(n);
    static const uint8_t masks[] = {0xff, 0x01, 0x80};
    for (size_t m = 0; m < sizeof masks; m++) {
        kiln_writer *w = NULL;
        kiln_writer_opts o = KILN_WRITER_OPTS_INIT;
        cr_assert(eq(int, kiln_writer_new(&w, &o), 0));
        cr_assert(eq(int, kiln_writer_add_pprof(w, src, n, labels, 1), 0));
        tally t = {0};
        for (size_t off = 0; off < n; off++) {
            memcpy(copy, src, n);
            copy[off] ^= masks[m];
            canon c;
            char err[512];
            if (canon_load(&c, copy, n, err, sizeof err) == 0) {
                canon_free(&c);
                continue; /* still valid: adding it would change the block */
            }
            try_one(w, copy, n, &t, what, off);
        }
        finish_and_compare(w, src, n, &t, what);
        kiln_writer_free(w);
    }
    free(copy);
}

TestSuite(e2e_input_damage);

#define SMALL "jerrinot__ap-query__testdata__cpu2.pb.gz"

Test(e2e_input_damage, every_cut_of_a_raw_profile_is_refused)
{
    size_t gn, n;
    uint8_t *gz = load_corpus(SMALL, &gn);
    uint8_t *raw = gunzip_all(gz, gn, &n);
    every_cut(raw, n, "raw pprof cut to");
    free(raw);
    free(gz);
}

Test(e2e_input_damage, every_cut_of_a_gzipped_profile_is_refused)
{
    size_t n;
    uint8_t *gz = load_corpus(SMALL, &n);
    every_cut(gz, n, "gzip'd pprof cut to");
    free(gz);
}

Test(e2e_input_damage, every_invalid_byte_flip_of_a_raw_profile_is_refused_whole)
{
    size_t gn, n;
    uint8_t *gz = load_corpus(SMALL, &gn);
    uint8_t *raw = gunzip_all(gz, gn, &n);
    every_flip(raw, n, "raw pprof flipped at");
    free(raw);
    free(gz);
}

Test(e2e_input_damage, every_byte_flip_of_a_gzipped_profile_is_refused_whole)
{
    size_t n;
    uint8_t *gz = load_corpus(SMALL, &n);
    every_flip(gz, n, "gzip'd pprof flipped at");
    free(gz);
}

Test(e2e_input_damage, refused_profiles_leave_the_block_byte_identical)
{
    size_t gn, n;
    uint8_t *gz = load_corpus(SMALL, &gn);
    uint8_t *raw = gunzip_all(gz, gn, &n);
    kiln_writer *w = NULL;
    kiln_writer_opts o = KILN_WRITER_OPTS_INIT;
    cr_assert(eq(int, kiln_writer_new(&w, &o), 0));
    cr_assert(eq(int, kiln_writer_add_pprof(w, gz, gn, labels, 1), 0));
    /* Damaged inputs in between: each refused. */
    for (size_t cut = n / 3; cut < n; cut += n / 7) {
        int rc = kiln_writer_add_pprof(w, raw, cut, labels, 1);
        canon c;
        char err[256];
        if (canon_load(&c, raw, cut, err, sizeof err) == 0) {
            canon_free(&c);
            continue;
        }
        cr_assert(eq(int, rc, KILN_EINPUT), "cut %zu accepted", cut);
    }
    kiln_buf got = KILN_BUF_INIT, want = KILN_BUF_INIT;
    char id1[27], id2[27];
    cr_assert(eq(int, kiln_writer_finish(w, &got, id1), 0));
    kiln_writer_free(w);
    cr_assert(eq(int, kiln_writer_new(&w, &o), 0));
    cr_assert(eq(int, kiln_writer_add_pprof(w, gz, gn, labels, 1), 0));
    cr_assert(eq(int, kiln_writer_finish(w, &want, id2), 0));
    kiln_writer_free(w);
    cr_assert(eq(sz, got.len, want.len), "block sizes differ after refused "
              "inputs: %zu vs %zu", got.len, want.len);
    cr_assert(memcmp(got.data, want.data, got.len) == 0,
              "block bytes differ after refused inputs");
    cr_assert(eq(str, id1, id2));
    kiln_buf_free(&got);
    kiln_buf_free(&want);
    free(raw);
    free(gz);
}
