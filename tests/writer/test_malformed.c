/* test_malformed.c: bad pprof input (empty, truncated, gzip garbage, bad
 * references, value count mismatches, the corpus' damaged file) is refused
 * with KILN_EINPUT naming the fault, and leaves the writer exactly as it
 * was: same stats, and finish gives the same bytes as without the bad add. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"

static uint8_t *good;
static size_t goodlen;
static kiln_buf baseline; /* block of `good` alone */

static void setup(void)
{
    size_t n;
    char **files = th_corpus_files("pprof", &n);
    for (size_t i = 0; i < n; i++)
        if (strstr(files[i], "heap.after.pprof"))
            good = th_slurp(files[i], &goodlen);
    th_free_list(files, n);
    cr_assert(good != NULL);
    kiln_writer *w = NULL;
    cr_assert(eq(int, kiln_writer_new(&w, NULL), 0));
    cr_assert(eq(int, kiln_writer_add_pprof(w, good, goodlen, NULL, 0), 0));
    char id[27];
    memset(&baseline, 0, sizeof baseline);
    th_finish(w, &baseline, id);
    kiln_writer_free(w);
}

static void teardown(void)
{
    free(good);
    kiln_buf_free(&baseline);
}

/* Add `bad` to a writer holding `good`: KILN_EINPUT with a message holding
 * `msg`, nothing changed. */
static void refuse(const void *bad, size_t len, const char *msg)
{
    kiln_writer *w = NULL;
    cr_assert(eq(int, kiln_writer_new(&w, NULL), 0));
    cr_assert(eq(int, kiln_writer_add_pprof(w, good, goodlen, NULL, 0), 0));
    kiln_writer_stats before, after;
    kiln_writer_stats_get(w, &before);
    kiln_label lab[] = {{"service_name", "bad"}};
    int rc = kiln_writer_add_pprof(w, bad, len, lab, 1);
    cr_assert(eq(int, rc, KILN_EINPUT), "rc %d: %s", rc, kiln_error_last());
    if (msg)
        cr_assert(strstr(kiln_error_last(), msg) != NULL,
                  "message \"%s\" lacks \"%s\"", kiln_error_last(), msg);
    kiln_writer_stats_get(w, &after);
    cr_assert(eq(int, memcmp(&before, &after, sizeof before), 0),
              "stats changed");
    kiln_buf block = KILN_BUF_INIT;
    char id[27];
    th_finish(w, &block, id);
    cr_assert(eq(sz, block.len, baseline.len));
    cr_assert(eq(int, memcmp(block.data, baseline.data, block.len), 0),
              "block differs from one without the bad add");
    kiln_buf_free(&block);
    kiln_writer_free(w);
}

static void refuse_prof(th_prof *t, const char *msg)
{
    size_t len;
    uint8_t *data = th_prof_pack(t, &len);
    refuse(data, len, msg);
    free(data);
}

TestSuite(writer, .init = setup, .fini = teardown);

Test(writer, empty_input_is_refused)
{
    refuse("", 0, "empty input");
    uint8_t empty_gz[64];
    kiln_buf gz = KILN_BUF_INIT;
    cr_assert(eq(int, gzip_deflate("", 0, 6, &gz), 0));
    cr_assert(le(sz, gz.len, sizeof empty_gz));
    memcpy(empty_gz, gz.data, gz.len);
    refuse(empty_gz, gz.len, "empty input");
    kiln_buf_free(&gz);
}

Test(writer, gzip_garbage_is_refused)
{
    uint8_t junk[256];
    junk[0] = 0x1f;
    junk[1] = 0x8b;
    junk[2] = 8;
    for (size_t i = 3; i < sizeof junk; i++)
        junk[i] = (uint8_t)(i * 7 + 3);
    refuse(junk, sizeof junk, "pprof: gzip");
}

Test(writer, truncated_gzip_is_refused)
{
    kiln_buf gz = KILN_BUF_INIT;
    cr_assert(eq(int, gzip_deflate(good, goodlen, 6, &gz), 0));
    refuse(gz.data, gz.len / 2, "pprof: gzip");
    refuse(gz.data, gz.len - 1, NULL);
    kiln_buf_free(&gz);
}

Test(writer, truncated_pprof_is_refused)
{
    /* cut in the middle of the sample, location and string tables */
    for (size_t cut = 7; cut < goodlen * 3 / 4; cut += goodlen / 11)
        refuse(good, cut, "pprof: ");
}

Test(writer, non_profile_bytes_are_refused)
{
    const char *text = "main;work;leaf 42\n";
    refuse(text, strlen(text), "pprof: ");
}

Test(writer, broken_corpus_file_is_refused)
{
    size_t n;
    char **files = th_corpus_files("broken", &n);
    cr_assert(gt(sz, n, 0));
    for (size_t i = 0; i < n; i++) {
        size_t len;
        uint8_t *data = th_slurp(files[i], &len);
        refuse(data, len, "pprof: ");
        free(data);
    }
    th_free_list(files, n);
}

Test(writer, unknown_location_id_is_named)
{
    th_prof t;
    th_prof_init(&t);
    uint64_t ok[] = {1, 2}, bad[] = {1, 99};
    th_prof_sample(&t, ok, 2, 1, 1);
    th_prof_sample(&t, bad, 2, 1, 1);
    refuse_prof(&t, "pprof: sample 1: location id 99 not in location table");
}

Test(writer, value_count_mismatch_is_named)
{
    th_prof t;
    th_prof_init(&t);
    uint64_t ok[] = {1};
    Perftools__Profiles__Sample *s = th_prof_sample(&t, ok, 1, 1, 1);
    s->n_value = 1;
    refuse_prof(&t, "pprof: sample 0: 1 values for 2 sample types");
}

Test(writer, values_summing_past_int64_are_named)
{
    /* two identical samples whose merge would wrap to a negative row */
    th_prof t;
    th_prof_init(&t);
    uint64_t loc[] = {1};
    th_prof_sample(&t, loc, 1, INT64_MAX, 1);
    th_prof_sample(&t, loc, 1, 1, 1);
    refuse_prof(&t, "pprof: sample 1: value 0: the profile's values of this "
                    "type sum past the int64 range");
    /* and below: negative values each side of the range */
    th_prof_init(&t);
    th_prof_sample(&t, loc, 1, 1, INT64_MIN);
    th_prof_sample(&t, loc, 1, 1, -1);
    refuse_prof(&t, "pprof: sample 1: value 1:");
}

Test(writer, a_time_no_query_could_select_is_refused)
{
    /* INT64_MAX is the open end of every query range */
    th_prof t;
    th_prof_init(&t);
    uint64_t loc[] = {1};
    th_prof_sample(&t, loc, 1, 1, 1);
    t.p.time_nanos = INT64_MAX;
    refuse_prof(&t, "time_nanos 9223372036854775807 is past the last time "
                    "kiln stores");
}

Test(writer, samples_without_sample_types_are_refused)
{
    th_prof t;
    th_prof_init(&t);
    uint64_t ok[] = {1};
    Perftools__Profiles__Sample *s = th_prof_sample(&t, ok, 1, 1, 1);
    s->n_value = 0;
    t.p.n_sample_type = 0;
    refuse_prof(&t, "no sample types");
}

Test(writer, string_index_out_of_range_is_named)
{
    th_prof t;
    th_prof_init(&t);
    uint64_t ok[] = {1};
    th_prof_sample(&t, ok, 1, 1, 1);
    t.fn[2].name = 500;
    refuse_prof(&t, "function 2: name string 500 out of range");

    th_prof_init(&t);
    t.st[1].unit = -1;
    refuse_prof(&t, "sample_type 1: unit string -1 out of range");

    th_prof_init(&t);
    Perftools__Profiles__Sample *s = th_prof_sample(&t, ok, 1, 1, 1);
    th_prof_label(&t, s, "k", "v");
    t.lab[0].key = 77;
    refuse_prof(&t, "sample 0: label 0: key string 77 out of range");
}

Test(writer, string_table_must_start_empty)
{
    th_prof t;
    th_prof_init(&t);
    t.strs[0].data = (uint8_t *)"x";
    t.strs[0].len = 1;
    refuse_prof(&t, "string_table[0] is not empty");
}

Test(writer, duplicate_ids_are_refused)
{
    th_prof t;
    th_prof_init(&t);
    t.loc[3].id = 2;
    refuse_prof(&t, "location 3: duplicate id 2");
    th_prof_init(&t);
    t.fn[1].id = 1;
    t.fn[1].id = 7; /* not dense: the hashed path */
    t.fn[3].id = 7;
    t.line[1].function_id = 7;
    t.line[3].function_id = 7;
    refuse_prof(&t, "function 3: duplicate id 7");
}

Test(writer, unknown_function_and_mapping_ids_are_named)
{
    th_prof t;
    th_prof_init(&t);
    t.line[2].function_id = 42;
    refuse_prof(&t, "location 2 (id 3): line 0: function id 42 not in "
                    "function table");
    th_prof_init(&t);
    t.loc[1].mapping_id = 5;
    refuse_prof(&t, "location 1 (id 2): mapping id 5 not in mapping table");
}

Test(writer, positional_references_past_the_table_are_named)
{
    th_prof t;
    th_prof_init(&t);
    for (int i = 0; i < 4; i++)
        t.fn[i].id = 0;
    t.line[2].function_id = 5;
    refuse_prof(&t, "location 2 (id 3): line 0: function id 5 not in "
                    "function table (its ids are all 0, so references are "
                    "1-based positions)");
    th_prof_init(&t);
    uint64_t s[] = {1, 9};
    th_prof_sample(&t, s, 2, 1, 1);
    for (int i = 0; i < 4; i++)
        t.loc[i].id = 0;
    refuse_prof(&t, "sample 0: location id 9 not in location table (its "
                    "ids are all 0");
    /* ids 0 among non-zero ones are no positions: unreachable entries */
    th_prof_init(&t);
    th_prof_sample(&t, s, 1, 1, 1);
    t.loc[0].id = 0;
    refuse_prof(&t, "sample 0: location id 1 not in location table");
}

Test(writer, bad_caller_labels_are_refused_without_change)
{
    kiln_writer *w = NULL;
    cr_assert(eq(int, kiln_writer_new(&w, NULL), 0));
    kiln_label dup[] = {{"host", "a"}, {"host", "b"}};
    cr_assert(eq(int, kiln_writer_add_pprof(w, good, goodlen, dup, 2),
                 KILN_EINVAL));
    kiln_label noname[] = {{"", "a"}};
    cr_assert(eq(int, kiln_writer_add_pprof(w, good, goodlen, noname, 1),
                 KILN_EINVAL));
    kiln_writer_stats st;
    kiln_writer_stats_get(w, &st);
    cr_assert(eq(u64, st.profiles, 0));
    cr_assert(eq(u64, st.series, 0));
    kiln_writer_free(w);
}

/* Every single-byte flip and every truncation of a real profile is either
 * taken whole or refused whole: never a crash, never a half-added profile
 * (ASan/UBSan runs make "never a crash" strict). */
Test(writer, every_flip_and_cut_is_taken_or_refused_whole, .timeout = 120)
{
    kiln_writer *w = NULL;
    cr_assert(eq(int, kiln_writer_new(&w, NULL), 0));
    uint8_t *buf = malloc(goodlen);
    size_t taken = 0, refused = 0;
    for (size_t i = 0; i < 2 * goodlen; i++) {
        size_t len = goodlen;
        memcpy(buf, good, goodlen);
        if (i < goodlen)
            buf[i] ^= 0xff;
        else
            len = i - goodlen; /* cut */
        kiln_writer_stats before, after;
        kiln_writer_stats_get(w, &before);
        int rc = kiln_writer_add_pprof(w, buf, len, NULL, 0);
        kiln_writer_stats_get(w, &after);
        if (rc == 0) {
            taken++;
            cr_assert(eq(u64, after.profiles, before.profiles + 1));
        } else {
            refused++;
            cr_assert(rc == KILN_EINPUT || rc == KILN_ELIMIT, "byte %zu: rc %d",
                      i, rc);
            cr_assert(eq(int, memcmp(&before, &after, sizeof before), 0),
                      "byte %zu: refused but changed", i);
        }
        if (after.profiles >= 256) { /* keep blocks small */
            kiln_buf block = KILN_BUF_INIT;
            char id[27];
            th_finish(w, &block, id);
            tblock b; /* what was taken makes a sound block */
            th_block_open(&b, &block);
            th_block_free(&b);
            kiln_buf_free(&block);
        }
    }
    cr_assert(gt(sz, refused, goodlen / 2));
    cr_assert(gt(sz, taken, 0));
    kiln_buf block = KILN_BUF_INIT;
    char id[27];
    int rc = kiln_writer_finish(w, &block, id);
    cr_assert(rc == 0 || rc == KILN_ENOTFOUND);
    if (rc == 0) {
        tblock b;
        th_block_open(&b, &block);
        th_block_free(&b);
    }
    kiln_buf_free(&block);
    free(buf);
    kiln_writer_free(w);
}
