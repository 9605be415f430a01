/* tests/s3/test_mem_store.c: a backend written outside the library
 * (mem_store.c, public headers only, linked against libkiln.so) passes the
 * store conformance checks the directory and S3 backends pass, and serves
 * the writer and reader like any store. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <string.h>

#include <kiln/kiln.h>

#include "mem_store.h"
#include "store_conformance.h"

static kiln_store *conf_st; /* the store of the running test */

static kiln_store *conf_open(void)
{
    int rc = mem_store_open(&conf_st, "mem://conformance");

    cr_assert(eq(int, rc, 0), "%s", kiln_error_last());
    return conf_st;
}

static void conf_close(void)
{
    kiln_store_free(conf_st);
    conf_st = NULL;
}

KILN_STORE_CONFORMANCE(s3_mem_conformance, conf_open, conf_close)

Test(s3_mem, holds_blocks_the_writer_flushes_and_the_reader_queries)
{
    static const char folded[] = "main;work;leaf 7\nmain;idle 3\n";
    kiln_folded_opts fo = KILN_FOLDED_OPTS_INIT;
    kiln_query_opts qo = KILN_QUERY_OPTS_INIT;
    kiln_label lab = {"service_name", "mem"};
    kiln_writer *w = NULL;
    kiln_result *r = NULL;
    kiln_buf out = KILN_BUF_INIT;
    char key[KILN_KEY_MAX];

    cr_assert(eq(int, mem_store_open(&conf_st, "mem://blocks"), 0));
    fo.time_ns = 1700000000000000000;
    fo.duration_ns = 10000000000;
    cr_assert(eq(int, kiln_writer_new(&w, NULL), 0), "%s", kiln_error_last());
    cr_assert(eq(int, kiln_writer_add_folded(w, folded, strlen(folded), &lab,
                                             1, &fo), 0), "%s",
              kiln_error_last());
    cr_assert(eq(int, kiln_writer_flush(w, conf_st, key), 0), "%s",
              kiln_error_last());
    cr_assert(eq(int, kiln_query(&r, conf_st, NULL, &qo), 0), "%s",
              kiln_error_last());
    cr_assert(eq(int, kiln_result_folded(r, 0, &out), 0));
    cr_assert(eq(sz, out.len, strlen("main;idle 3\nmain;work;leaf 7\n")));
    cr_assert(eq(int, memcmp(out.data, "main;idle 3\nmain;work;leaf 7\n",
                             out.len), 0));
    kiln_buf_free(&out);
    kiln_result_free(r);
    kiln_writer_free(w);
    conf_close();
}
