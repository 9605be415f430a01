/* test_flush.c: kiln_writer_flush writes the finished block whole under
 * "<tenant>/blocks/<id>_<first>_<last>.kiln" (the seconds of its samples);
 * writing an identical block again succeeds
 * (same content, same key); a failed store write keeps the block under
 * construction so the caller can retry. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "faulty_store.h"
#include "helpers.h"

static char dir[64];

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/kiln-writer-test-XXXXXX");
    cr_assert(mkdtemp(dir) != NULL);
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
}

TestSuite(writer, .init = setup, .fini = teardown);

static uint8_t *profile(size_t *len, int64_t t_sec)
{
    th_prof t;
    th_prof_init(&t);
    t.p.time_nanos = t_sec * 1000000000LL;
    uint64_t l1[] = {2, 1};
    th_prof_sample(&t, l1, 2, 5, 50);
    return th_prof_pack(&t, len);
}

static kiln_writer *writer_with(const char *tenant, int64_t t_sec)
{
    kiln_writer_opts o = KILN_WRITER_OPTS_INIT;
    o.tenant = tenant;
    kiln_writer *w = NULL;
    cr_assert(eq(int, kiln_writer_new(&w, &o), 0));
    size_t len;
    uint8_t *data = profile(&len, t_sec);
    kiln_label lab[] = {{"service_name", "api"}};
    cr_assert(eq(int, kiln_writer_add_pprof(w, data, len, lab, 1), 0));
    free(data);
    return w;
}

Test(writer, flush_stores_the_finished_block_under_its_id)
{
    kiln_store *st = NULL;
    cr_assert(eq(int, kiln_store_open_dir(&st, dir), 0));
    kiln_writer *w = writer_with("acme", 1700000000);
    char key[KILN_KEY_MAX];
    int rc = kiln_writer_flush(w, st, key);
    cr_assert(eq(int, rc, 0), "%s", kiln_error_last());
    kiln_writer_free(w);

    /* the same input through finish: same bytes, same key */
    w = writer_with("acme", 1700000000);
    kiln_buf block = KILN_BUF_INIT;
    char id[27];
    th_finish(w, &block, id);
    char want[KILN_KEY_MAX];
    snprintf(want, sizeof want, "acme/blocks/%s_1700000000_1700000000.kiln", id);
    cr_assert(eq(str, key, want));
    kiln_buf got = KILN_BUF_INIT;
    uint64_t size;
    cr_assert(eq(int, kiln_store_stat(st, key, &size), 0));
    cr_assert(eq(u64, size, block.len));
    cr_assert(eq(int, kiln_store_get_range(st, key, 0, size, &got), 0));
    cr_assert(eq(int, memcmp(got.data, block.data, block.len), 0));

    /* the id starts with the time: 1700000000000 ms in Crockford base32 */
    tblock b;
    th_block_open(&b, &got);
    cr_assert(eq(str, b.meta.tenant, "acme"));
    cr_assert(eq(str, b.meta.id, id));
    th_block_free(&b);
    kiln_buf_free(&got);
    kiln_buf_free(&block);
    kiln_writer_free(w);
    kiln_store_free(st);
}

Test(writer, flushing_an_identical_block_again_succeeds)
{
    kiln_store *st = NULL;
    cr_assert(eq(int, kiln_store_open_dir(&st, dir), 0));
    char k1[KILN_KEY_MAX], k2[KILN_KEY_MAX];
    kiln_writer *w = writer_with("default", 1700000100);
    cr_assert(eq(int, kiln_writer_flush(w, st, k1), 0));
    kiln_writer_free(w);
    w = writer_with("default", 1700000100);
    int rc = kiln_writer_flush(w, st, k2);
    cr_assert(eq(int, rc, 0), "%s", kiln_error_last());
    cr_assert(eq(str, k1, k2));
    kiln_writer_stats s;
    kiln_writer_stats_get(w, &s);
    cr_assert(eq(u64, s.profiles, 0));
    kiln_writer_free(w);
    kiln_store_free(st);
}

Test(writer, flush_with_nothing_added_is_enotfound)
{
    kiln_store *st = NULL;
    cr_assert(eq(int, kiln_store_open_dir(&st, dir), 0));
    kiln_writer *w = NULL;
    cr_assert(eq(int, kiln_writer_new(&w, NULL), 0));
    char key[KILN_KEY_MAX];
    cr_assert(eq(int, kiln_writer_flush(w, st, key), KILN_ENOTFOUND));
    cr_assert(eq(str, key, ""));
    cr_assert(gt(sz, strlen(kiln_error_last()), 0));
    kiln_writer_free(w);
    kiln_store_free(st);
}

Test(writer, failed_store_write_keeps_the_block_for_a_retry)
{
    kiln_store *inner = NULL, *st = NULL;
    cr_assert(eq(int, kiln_store_open_dir(&inner, dir), 0));
    kiln_fault_opts fo = KILN_FAULT_OPTS_INIT;
    fo.ops = KILN_FAULT_WRITES;
    fo.fail_nth = 1;
    cr_assert(eq(int, faulty_store_wrap(&st, inner, &fo), 0));
    kiln_writer *w = writer_with("default", 1700000200);
    kiln_writer_stats before, after;
    kiln_writer_stats_get(w, &before);
    char key[KILN_KEY_MAX];
    int rc = kiln_writer_flush(w, st, key);
    cr_assert(lt(int, rc, 0));
    cr_assert(eq(str, key, ""));
    kiln_writer_stats_get(w, &after);
    cr_assert(eq(u64, after.profiles, before.profiles));
    cr_assert(eq(u64, after.rows, before.rows));
    uint64_t size;
    cr_assert(eq(int, kiln_store_stat(inner, key[0] ? key : "default/x",
                                      &size), KILN_ENOTFOUND));
    /* the retry goes through and stores the same block */
    rc = kiln_writer_flush(w, st, key);
    cr_assert(eq(int, rc, 0), "%s", kiln_error_last());
    cr_assert(eq(int, kiln_store_stat(inner, key, &size), 0));
    kiln_writer_stats_get(w, &after);
    cr_assert(eq(u64, after.profiles, 0));
    kiln_writer_free(w);
    kiln_store_free(st);
    kiln_store_free(inner);
}
