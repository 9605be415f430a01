/* test_corrupt.c: damaged blocks are refused with the right code and a
 * message naming the block, never a crash; and opening or querying a block
 * reads only the tail and the sections it needs. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faulty_store.h"
#include "format_internal.h"
#include "rutil.h"

static ru_store S;
static char key[KILN_KEY_MAX];
static char path[4096];
static uint8_t *pristine;
static size_t psize;

/* Write a block of one corpus profile (or of folded text when name is
 * NULL) and keep a copy of its bytes. */
static void write_block(const char *name)
{
    kiln_writer *w = NULL;
    kiln_label lab[] = {{"service_name", "damage"}};
    cr_assert(eq(int, kiln_writer_new(&w, NULL), 0));
    if (name) {
        char p[4096];
        size_t len;
        snprintf(p, sizeof p, "%s/pprof/%s", getenv("KILN_CORPUS"), name);
        uint8_t *data = ru_slurp(p, &len);
        cr_assert(data != NULL, "%s", p);
        cr_assert(eq(int, kiln_writer_add_pprof(w, data, len, lab, 1), 0),
                  "%s", kiln_error_last());
        free(data);
    } else {
        static const char text[] = "a;b;c 3\na;b 2\na;d 1\n";
        kiln_folded_opts fo = KILN_FOLDED_OPTS_INIT;
        fo.time_ns = 1700000000000000000;
        fo.duration_ns = 1000000000;
        cr_assert(eq(int, kiln_writer_add_folded(w, text, sizeof text - 1,
                                                 lab, 1, &fo), 0));
    }
    cr_assert(eq(int, kiln_writer_flush(w, S.st, key), 0), "%s",
              kiln_error_last());
    kiln_writer_free(w);
    snprintf(path, sizeof path, "%s/%s", S.dir, key);
    free(pristine);
    pristine = ru_slurp(path, &psize);
    cr_assert(pristine != NULL);
}

static void put_file(const uint8_t *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    cr_assert(f != NULL);
    cr_assert(eq(sz, fwrite(p, 1, n, f), n));
    fclose(f);
}

/* The pristine block with byte off xor mask. */
static void flip(size_t off, uint8_t mask)
{
    uint8_t *c = malloc(psize);
    memcpy(c, pristine, psize);
    c[off] ^= mask;
    put_file(c, psize);
    free(c);
}

static void setup(void) { ru_store_open(&S); }
static void teardown(void)
{
    ru_store_close(&S);
    free(pristine);
    pristine = NULL;
}

TestSuite(reader_corrupt, .init = setup, .fini = teardown, .timeout = 300);

static void assert_names_block(void)
{
    char want[KILN_KEY_MAX + 16];
    snprintf(want, sizeof want, "block %s: ", key);
    cr_assert(strncmp(kiln_error_last(), want, strlen(want)) == 0,
              "message \"%s\" does not start with \"%s\"", kiln_error_last(),
              want);
}

static int open_rc(void)
{
    kiln_block *b = NULL;
    kiln_error_clear();
    int rc = kiln_block_open(&b, S.st, key);
    cr_assert(rc == 0 ? b != NULL : b == NULL);
    kiln_block_free(b);
    return rc;
}

static int verify_rc(void)
{
    kiln_block *b = NULL;
    kiln_error_clear();
    int rc = kiln_block_open(&b, S.st, key);
    if (rc == 0) {
        rc = kiln_block_verify(b);
        kiln_block_free(b);
    }
    return rc;
}

static int query_rc(void)
{
    kiln_query_opts o = KILN_QUERY_OPTS_INIT;
    kiln_result *r = NULL;
    kiln_error_clear();
    int rc = kiln_query(&r, S.st, NULL, &o);
    if (rc == 0) {
        kiln_buf b = KILN_BUF_INIT;
        cr_assert(eq(int, kiln_result_pprof(r, &b), 0));
        kiln_buf_free(&b);
    }
    kiln_result_free(r);
    return rc;
}

static const kiln_section_info *section(const char *name, uint64_t *size)
{
    static kiln_section_info copy;
    kiln_block *b = NULL;
    cr_assert(eq(int, kiln_block_open(&b, S.st, key), 0));
    const kiln_block_info *bi = kiln_block_info_get(b);
    *size = bi->size;
    for (size_t i = 0; i < bi->nsections; i++) {
        if (strcmp(bi->sections[i].name, name) == 0) {
            copy = bi->sections[i];
            kiln_block_free(b);
            return &copy;
        }
    }
    cr_fatal("no section %s", name);
    return NULL;
}

Test(reader_corrupt, sound_blocks_verify)
{
    write_block("DataDog__libdatadog__libdd-profiling__tests__wordpress.pprof");
    cr_assert(eq(int, verify_rc(), 0), "%s", kiln_error_last());
    write_block(NULL);
    cr_assert(eq(int, verify_rc(), 0), "%s", kiln_error_last());
}

Test(reader_corrupt, missing_block_is_not_found)
{
    strcpy(key, "default/blocks/nothere.kiln");
    cr_assert(eq(int, open_rc(), KILN_ENOTFOUND));
    assert_names_block();
}

Test(reader_corrupt, bad_trailer_is_corrupt)
{
    write_block(NULL);
    flip(psize - 1, 0x20); /* trailer magic */
    cr_assert(eq(int, open_rc(), KILN_ECORRUPT));
    assert_names_block();
    flip(psize - 32, 0x01); /* footer offset: the trailer's own checksum */
    int rc = open_rc();
    cr_assert(rc == KILN_ECORRUPT || rc == KILN_ECHECKSUM, "%d", rc);
    assert_names_block();
}

Test(reader_corrupt, bad_footer_checksum_is_detected)
{
    write_block("DataDog__libdatadog__libdd-profiling__tests__wordpress.pprof");
    uint64_t foff = load_u64le(pristine + psize - 32);
    flip((size_t)foff + 3, 0x01);
    cr_assert(eq(int, open_rc(), KILN_ECHECKSUM));
    assert_names_block();
    cr_assert(strstr(kiln_error_last(), "footer") != NULL);
}

Test(reader_corrupt, unknown_version_is_refused)
{
    /* Small block: the header is in the tail, refused at open. */
    write_block(NULL);
    flip(4, 1 ^ 7); /* version 1 -> 7 */
    cr_assert(eq(int, open_rc(), KILN_EVERSION));
    assert_names_block();
    cr_assert(strstr(kiln_error_last(), "format version 7 is not supported")
              != NULL, "%s", kiln_error_last());
    /* A must-understand flag. */
    flip(8, 0x04);
    cr_assert(eq(int, open_rc(), KILN_EVERSION));
    /* An ignorable flag: read, but verify cannot vouch for it. */
    flip(12, 0x01);
    cr_assert(eq(int, open_rc(), 0));
    cr_assert(eq(int, query_rc(), 0), "%s", kiln_error_last());
    cr_assert(eq(int, verify_rc(), KILN_EVERSION));
}

Test(reader_corrupt, unknown_version_of_a_large_block_is_refused_before_use)
{
    write_block("DataDog__libdatadog__libdd-profiling__tests__wordpress.pprof");
    cr_assert(gt(sz, psize, 65536), "the header must lie outside the tail");
    flip(4, 1 ^ 7);
    cr_assert(eq(int, verify_rc(), KILN_EVERSION));
    assert_names_block();
    cr_assert(eq(int, query_rc(), KILN_EVERSION));
    assert_names_block();
}

Test(reader_corrupt, bad_section_checksum_is_detected)
{
    uint64_t size;
    write_block("DataDog__libdatadog__libdd-profiling__tests__wordpress.pprof");
    const kiln_section_info *s = section("symbols", &size);
    flip((size_t)(s->offset + s->stored / 2), 0x10);
    cr_assert(eq(int, open_rc(), 0), "open reads no section");
    cr_assert(eq(int, verify_rc(), KILN_ECHECKSUM));
    assert_names_block();
    cr_assert(strstr(kiln_error_last(), "section symbols") != NULL, "%s",
              kiln_error_last());
    cr_assert(eq(int, query_rc(), KILN_ECHECKSUM));
    assert_names_block();
}

Test(reader_corrupt, bad_page_checksum_is_detected)
{
    uint64_t size;
    write_block("DataDog__libdatadog__libdd-profiling__tests__wordpress.pprof");
    const kiln_section_info *s = section("samples", &size);
    flip((size_t)(s->offset + 1), 0x10);
    cr_assert(eq(int, verify_rc(), KILN_ECHECKSUM));
    assert_names_block();
    cr_assert(eq(int, query_rc(), KILN_ECHECKSUM));
    assert_names_block();
    cr_assert(strstr(kiln_error_last(), "page") != NULL, "%s",
              kiln_error_last());
}

Test(reader_corrupt, truncated_blocks_are_refused)
{
    write_block(NULL);
    size_t cuts[] = {0, 1, 15, 16, 47, 48, psize / 2, psize - 33, psize - 32,
                     psize - 1};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        put_file(pristine, cuts[i]);
        int rc = verify_rc();
        cr_assert(lt(int, rc, 0), "cut to %zu bytes", cuts[i]);
        assert_names_block();
    }
}

Test(reader_corrupt, every_byte_flip_of_a_small_block_is_detected)
{
    write_block(NULL);
    size_t missed = 0;
    for (size_t off = 0; off < psize; off++) {
        flip(off, 0x01);
        int rc = verify_rc();
        if (rc >= 0) {
            cr_log_error("flip at %zu of %zu not detected", off, psize);
            missed++;
        } else {
            assert_names_block();
        }
        (void)query_rc(); /* may succeed or fail; must not crash */
    }
    cr_assert(eq(sz, missed, 0));
}

Test(reader_corrupt, open_and_queries_read_only_what_they_need)
{
    write_block("DataDog__libdatadog__libdd-profiling__tests__wordpress.pprof");
    kiln_store_stats before = S.st->stats;
    kiln_block *b = NULL;
    cr_assert(eq(int, kiln_block_open(&b, S.st, key), 0));
    cr_assert(eq(u64, S.st->stats.requests - before.requests, 1),
              "open is one tail read");
    cr_assert(le(u64, S.st->stats.bytes_read - before.bytes_read, 65536));
    const kiln_block_info *bi = kiln_block_info_get(b);
    cr_assert(eq(u64, bi->npages, 0));
    cr_assert(eq(int, kiln_block_load_index(b), 0));
    cr_assert(gt(u64, bi->npages, 0));

    /* A selector that matches nothing reads the series and page index,
     * never symbols, stacks or samples. */
    kiln_query_opts o = KILN_QUERY_OPTS_INIT;
    kiln_result *r = NULL;
    o.selector = "{service_name=\"other\"}";
    cr_assert(eq(int, kiln_result_new(&r, &o), 0));
    before = S.st->stats;
    cr_assert(eq(int, kiln_result_add_block(r, b), 0));
    cr_assert(eq(u64, S.st->stats.requests, before.requests),
              "sections already cached are not read again");
    kiln_result_stats rs;
    kiln_result_stats_get(r, &rs);
    cr_assert(eq(u64, rs.pages_read, 0));
    cr_assert(eq(u64, rs.blocks_read, 0));
    kiln_result_free(r);
    kiln_block_free(b);

    /* A fresh open and a matching query: every byte it reads is at most the
     * block once. */
    before = S.st->stats;
    cr_assert(eq(int, kiln_block_open(&b, S.st, key), 0));
    o.selector = "{service_name=\"damage\"}";
    cr_assert(eq(int, kiln_result_new(&r, &o), 0));
    cr_assert(eq(int, kiln_result_add_block(r, b), 0));
    kiln_result_stats_get(r, &rs);
    cr_assert(gt(u64, rs.pages_read, 0));
    cr_assert(le(u64, S.st->stats.bytes_read - before.bytes_read, psize));
    kiln_result_free(r);
    kiln_block_free(b);
}

/* The SQLite way: fail the 1st, 2nd, 3rd ... read of an open + verify and
 * of an open + query until they complete; every failure is an error with a
 * message naming the block, never a crash or a leak. */
Test(reader_corrupt, every_failed_store_read_is_reported)
{
    write_block("DataDog__libdatadog__libdd-profiling__tests__wordpress.pprof");
    for (int what = 0; what < 2; what++) {
        uint64_t n;
        for (n = 1; n < 100; n++) {
            kiln_store *fs = NULL;
            kiln_fault_opts fo = KILN_FAULT_OPTS_INIT;
            fo.ops = KILN_FAULT_READS;
            fo.fail_nth = n;
            cr_assert(eq(int, faulty_store_wrap(&fs, S.st, &fo), 0));
            kiln_block *b = NULL;
            kiln_result *r = NULL;
            kiln_error_clear();
            int rc = kiln_block_open(&b, fs, key);
            if (rc == 0 && what == 0)
                rc = kiln_block_verify(b);
            if (rc == 0 && what == 1) {
                kiln_query_opts o = KILN_QUERY_OPTS_INIT;
                cr_assert(eq(int, kiln_result_new(&r, &o), 0));
                rc = kiln_result_add_block(r, b);
            }
            uint64_t failed = faulty_store_failures(fs);
            kiln_result_free(r);
            kiln_block_free(b);
            kiln_store_free(fs);
            if (failed == 0) {
                cr_assert(eq(int, rc, 0), "read %llu: %s",
                          (unsigned long long)n, kiln_error_last());
                break;
            }
            cr_assert(eq(int, rc, KILN_EIO), "read %llu failed but the "
                      "operation returned %d", (unsigned long long)n, rc);
            assert_names_block();
        }
        cr_assert(gt(u64, n, 2), "at least the tail and one section are read");
        cr_assert(lt(u64, n, 100));
    }
}

/* Flips spread over a block larger than the tail read (so the header and
 * the first sections come from ranged reads): each is detected by verify,
 * and a query over the damaged block fails cleanly or reads only sound
 * sections. */
Test(reader_corrupt, flips_across_a_large_block_are_detected)
{
    write_block("DataDog__libdatadog__libdd-profiling__tests__wordpress.pprof");
    uint64_t x = 0x9e3779b97f4a7c15ULL;
    size_t missed = 0;
    for (int i = 0; i < 400; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        size_t off = (size_t)(x % psize);
        flip(off, (uint8_t)(1u << (x >> 61)));
        if (verify_rc() >= 0) {
            cr_log_error("flip at %zu of %zu not detected", off, psize);
            missed++;
        } else {
            assert_names_block();
        }
        (void)query_rc();
    }
    cr_assert(eq(sz, missed, 0));
}

/* The library's side of partial answers: without an on_skip callback a
 * damaged block fails kiln_query (naming it); with one, the block is left
 * out whole, the callback hears its key and error once, the stats count
 * it, and the answer equals the one over the sound blocks alone. Out of
 * memory is never skipped (test_alloc_fail's loop). */
typedef struct skips_seen {
    size_t n;
    int err;
    char key[KILN_KEY_MAX];
} skips_seen;

static void note_skip(void *ud, const char *k, int err, const char *msg)
{
    skips_seen *s = ud;
    s->n++;
    s->err = err;
    snprintf(s->key, sizeof s->key, "%s", k);
    cr_assert(msg != NULL && strstr(msg, k) != NULL, "message names it: %s",
              msg ? msg : "(null)");
}

static char *folded_of(const kiln_query_opts *o)
{
    kiln_result *r = NULL;
    kiln_buf out = KILN_BUF_INIT;
    cr_assert(eq(int, kiln_query(&r, S.st, "default", o), 0), "%s",
              kiln_error_last());
    cr_assert(eq(int, kiln_result_folded(r, 0, &out), 0));
    kiln_result_free(r);
    cr_assert(eq(int, kiln_buf_append(&out, "", 1), 0));
    return (char *)out.data;
}

Test(reader_corrupt, a_damaged_block_is_skipped_only_when_asked)
{
    char sound[KILN_KEY_MAX];
    kiln_query_opts o = KILN_QUERY_OPTS_INIT;
    skips_seen seen = {0};
    kiln_result *r = NULL;
    kiln_result_stats rs;

    write_block(NULL);                 /* the folded block: stays sound */
    snprintf(sound, sizeof sound, "%s", key);
    char *want = folded_of(&o);
    write_block("DataDog__libdatadog__libdd-profiling__tests__wordpress.pprof");     /* the one to damage */
    cr_assert(strcmp(key, sound) != 0);
    uint8_t *bad = malloc(psize);
    cr_assert(bad != NULL);
    memcpy(bad, pristine, psize);
    bad[psize / 3] ^= 0x55;            /* inside a section */
    put_file(bad, psize);
    free(bad);

    cr_assert(lt(int, kiln_query(&r, S.st, "default", &o), 0));
    cr_assert(r == NULL);
    cr_assert(strstr(kiln_error_last(), key) != NULL, "%s",
              kiln_error_last());

    o.on_skip = note_skip;
    o.skip_ud = &seen;
    cr_assert(eq(int, kiln_query(&r, S.st, "default", &o), 0), "%s",
              kiln_error_last());
    cr_assert(eq(sz, seen.n, 1));
    cr_assert(eq(str, seen.key, key));
    cr_assert(lt(int, seen.err, 0));
    kiln_result_stats_get(r, &rs);
    cr_assert(eq(u64, rs.blocks_skipped, 1));
    cr_assert(eq(uint, rs.version, KILN_RESULT_STATS_VERSION));
    kiln_result_free(r);
    char *got = folded_of(&o);
    cr_assert(eq(str, got, want), "the answer of the sound block alone");
    cr_assert(eq(str, (char *)kiln_error_last(), ""), "a partial answer is a success");
    free(got);
    free(want);
}
