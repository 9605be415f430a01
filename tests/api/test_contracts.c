/* tests/api/test_contracts.c: the written contracts of the public API,
 * checked through libkiln.so with the installed headers only: a successful
 * call clears the last error, a failure names its own fault, every options
 * struct refuses a wrong version the same way, returned stats carry their
 * version, and out-parameters hold what the comments say after a failure. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kiln/kiln.h>

#include "tmp_store.h"

#define T0 1700000000000000000LL /* ns */

static char root[512];  /* this test's store directory */
static kiln_store *st;  /* the store opened on root */

static void setup(void)
{
    st = tmp_store_open(root, sizeof root, "api");
}

static void teardown(void)
{
    tmp_store_close(st, root);
    st = NULL;
}

TestSuite(api_contract, .init = setup, .fini = teardown, .timeout = 60);

/* A message a previous call left behind. */
static void stale(void)
{
    kiln_error_set(KILN_EIO, "stale message from an earlier call");
}

/* Call `expr` after a stale message: it must succeed (>= 0) and leave no
 * message. */
#define CLEARS(expr)                                                      \
    do {                                                                  \
        stale();                                                          \
        long long rc_ = (long long)(expr);                                \
        cr_assert(rc_ >= 0, "%s: %lld: %s", #expr, rc_,                   \
                  kiln_error_last());                                     \
        cr_assert(eq(str, (char *)kiln_error_last(), ""),                 \
                  "%s left \"%s\"", #expr, kiln_error_last());            \
    } while (0)

static int count_key(void *ud, const char *key, uint64_t size)
{
    (void)key;
    (void)size;
    ++*(int *)ud;
    return 0;
}

static int count_row(void *ud, const kiln_rows_schema *s, const kiln_row *row)
{
    (void)s;
    if (row)
        ++*(int *)ud;
    return 0;
}

/* Write one block of folded stacks, one linked to a trace, and return its
 * key in key. */
static void write_block(kiln_writer *w, char key[KILN_KEY_MAX])
{
    static const char folded[] = "main;work;leaf 7\nmain;idle 3\n";
    kiln_folded_opts fo = KILN_FOLDED_OPTS_INIT;
    kiln_label lab = {"service_name", "api"};

    fo.time_ns = T0;
    fo.duration_ns = 10000000000LL;
    CLEARS(kiln_writer_add_folded(w, folded, strlen(folded), &lab, 1, &fo));
    CLEARS(kiln_writer_flush(w, st, key));
}

Test(api_contract, a_successful_call_clears_the_last_error)
{
    kiln_query_opts qo = KILN_QUERY_OPTS_INIT;
    kiln_buf b = KILN_BUF_INIT, pprof = KILN_BUF_INIT;
    kiln_writer *w = NULL;
    kiln_block *blk = NULL;
    kiln_result *r = NULL, *r2 = NULL, *rr = NULL;
    kiln_top_entry *top = NULL;
    kiln_trace_entry *traces = NULL;
    kiln_store *st2 = NULL, probe;
    char key[KILN_KEY_MAX], id[27];
    uint8_t trace[16], span[8];
    uint64_t size;
    size_t n;
    int keys = 0, rows = 0;

    /* stores */
    CLEARS(kiln_store_open(&st2, root));
    kiln_store_free(st2);
    CLEARS(kiln_store_init(&probe, st->ops, "probe://"));
    free(probe.url);
    CLEARS(kiln_store_put(st, "x/a", "0123456789", 10));
    CLEARS(kiln_store_put_if_absent(st, "x/b", "01", 2));
    CLEARS(kiln_store_get_range(st, "x/a", 2, 3, &b));
    CLEARS(kiln_store_get_tail(st, "x/a", 4, &b, &size));
    CLEARS(kiln_store_stat(st, "x/a", &size));
    CLEARS(kiln_store_list(st, "x/", count_key, &keys));
    CLEARS(kiln_store_del(st, "x/b"));

    /* writer */
    CLEARS(kiln_writer_new(&w, NULL));
    write_block(w, key);
    /* writer: a block that is already stored is success, message cleared
     * (the conditional create's "already exists" is not left behind) */
    write_block(w, key);

    /* reader */
    CLEARS(kiln_blocks_list(st, NULL, count_key, &keys));
    CLEARS(kiln_block_open(&blk, st, key));
    CLEARS(kiln_block_load_index(blk));
    CLEARS(kiln_block_verify(blk));
    CLEARS(kiln_result_new(&r, &qo));
    CLEARS(kiln_result_add_block(r, blk));
    CLEARS(kiln_query(&r2, st, NULL, &qo));
    kiln_buf_reset(&b);
    CLEARS(kiln_result_folded(r2, 0, &b));
    CLEARS(kiln_result_json(r2, &b));
    CLEARS(kiln_result_top_text(r2, 0, 5, &b));
    CLEARS(kiln_result_top(r2, 0, &top, &n));
    free(top);
    CLEARS(kiln_result_pprof(r2, &pprof));
    CLEARS(kiln_trace_id_parse(trace, "0123456789abcdef0123456789abcdef"));
    CLEARS(kiln_span_id_parse(span, "0123456789abcdef"));
    CLEARS(kiln_block_trace_maybe(blk, trace));
    CLEARS(kiln_block_trace_links(blk, trace));
    CLEARS(kiln_list_traces(st, NULL, &qo, 0, &traces, &n));
    free(traces);
    CLEARS(kiln_result_new(&rr, &qo));
    CLEARS(kiln_query_rows(rr, st, NULL, NULL, 0, count_row, &rows));
    cr_assert(eq(int, rows, 2));

    /* the writer again: pprof in, finish out */
    CLEARS(kiln_writer_add_pprof(w, pprof.data, pprof.len, NULL, 0));
    kiln_buf_reset(&b);
    CLEARS(kiln_writer_finish(w, &b, id));

    kiln_result_free(rr);
    kiln_result_free(r2);
    kiln_result_free(r);
    kiln_block_free(blk);
    kiln_writer_free(w);
    kiln_buf_free(&pprof);
    kiln_buf_free(&b);
}

Test(api_contract, a_failure_names_its_own_fault_never_a_stale_one)
{
    kiln_block *blk = (kiln_block *)&blk;
    kiln_buf b = KILN_BUF_INIT;

    stale();
    cr_assert(eq(int, kiln_block_open(&blk, st, "default/blocks/none.kiln"),
                 KILN_ENOTFOUND));
    cr_assert(eq(ptr, blk, NULL));
    cr_assert(not(eq(str, (char *)kiln_error_last(), "")));
    cr_assert(eq(ptr, strstr(kiln_error_last(), "stale"), NULL), "%s",
              kiln_error_last());
    cr_assert(not(eq(ptr, strstr(kiln_error_last(), "none.kiln"), NULL)),
              "%s", kiln_error_last());
    stale();
    cr_assert(eq(int, kiln_store_get_range(st, "no/such", 0, 1, &b),
                 KILN_ENOTFOUND));
    cr_assert(eq(ptr, strstr(kiln_error_last(), "stale"), NULL), "%s",
              kiln_error_last());
    /* kiln_error_wrap prefixes the message of this failure */
    kiln_error_wrap(KILN_ENOTFOUND, "outer: ");
    cr_assert(eq(int, strncmp(kiln_error_last(), "outer: object no/such",
                              21), 0), "%s", kiln_error_last());
    kiln_error_clear();
    kiln_error_wrap(KILN_EIO, "outer: ");
    cr_assert(eq(str, (char *)kiln_error_last(), "outer: I/O error"));
    kiln_buf_free(&b);
}

/* rc is KILN_EINVAL and the message names the struct and the version. */
static void refused(int rc, const char *what, unsigned version)
{
    char want[128];

    snprintf(want, sizeof want, "%s: version %u is not supported", what,
             version);
    cr_assert(eq(int, rc, KILN_EINVAL), "%s", kiln_error_last());
    cr_assert(not(eq(ptr, strstr(kiln_error_last(), want), NULL)),
              "want \"%s\" in \"%s\"", want, kiln_error_last());
}

Test(api_contract, every_options_struct_refuses_a_wrong_version_the_same_way)
{
    static const unsigned bad[] = {0, 4, 99};
    kiln_writer_opts wo = KILN_WRITER_OPTS_INIT;
    kiln_folded_opts fo = KILN_FOLDED_OPTS_INIT;
    kiln_query_opts qo = KILN_QUERY_OPTS_INIT;
    kiln_store_ops ops = *st->ops;
    kiln_flame_opts fl = KILN_FLAME_OPTS_INIT;
    kiln_buf out = KILN_BUF_INIT;
    kiln_trace_entry *traces = (kiln_trace_entry *)&traces;
    kiln_writer *w = NULL;
    kiln_result *r = (kiln_result *)&r;
    kiln_store probe;
    size_t n = 7;

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        unsigned v = bad[i];

        wo.version = v;
        w = (kiln_writer *)&w;
        refused(kiln_writer_new(&w, &wo), "writer options", v);
        cr_assert(eq(ptr, w, NULL));

        cr_assert(eq(int, kiln_writer_new(&w, NULL), 0));
        fo.version = v;
        refused(kiln_writer_add_folded(w, "a 1\n", 4, NULL, 0, &fo),
                "folded options", v);
        kiln_writer_free(w);

        qo.version = v;
        r = (kiln_result *)&r;
        refused(kiln_result_new(&r, &qo), "query options", v);
        cr_assert(eq(ptr, r, NULL));
        r = (kiln_result *)&r;
        refused(kiln_query(&r, st, NULL, &qo), "query options", v);
        cr_assert(eq(ptr, r, NULL));
        refused(kiln_list_traces(st, NULL, &qo, 0, &traces, &n),
                "query options", v);
        cr_assert(eq(ptr, traces, NULL));
        cr_assert(eq(sz, n, 0));

        ops.version = v;
        refused(kiln_store_init(&probe, &ops, "probe://"),
                "store operations", v);
        cr_assert(eq(ptr, probe.url, NULL));

        cr_assert(eq(int, kiln_result_new(&r, NULL), 0));
        kiln_buf_reset(&out);
        fl.version = v;
        refused(kiln_flame_svg(r, &fl, &out), "flame options", v);
        refused(kiln_diff_text(r, r, &fl, 0, &out), "flame options", v);
        kiln_result_free(r);
    }
    kiln_buf_free(&out);
}

Test(api_contract, returned_stats_carry_their_version)
{
    kiln_writer_stats ws;
    kiln_result_stats rs;
    kiln_trace_stats ts;
    kiln_writer *w = NULL;
    kiln_result *r = NULL;

    memset(&ws, 0xff, sizeof ws);
    memset(&rs, 0xff, sizeof rs);
    memset(&ts, 0xff, sizeof ts);
    cr_assert(eq(int, kiln_writer_new(&w, NULL), 0));
    cr_assert(eq(int, kiln_result_new(&r, NULL), 0));
    kiln_writer_stats_get(w, &ws);
    kiln_result_stats_get(r, &rs);
    kiln_result_trace_stats_get(r, &ts);
    cr_assert(eq(uint, ws.version, KILN_WRITER_STATS_VERSION));
    cr_assert(eq(uint, rs.version, KILN_RESULT_STATS_VERSION));
    cr_assert(eq(uint, ts.version, KILN_TRACE_STATS_VERSION));
    cr_assert(eq(u64, ws.profiles, 0));
    cr_assert(eq(u64, rs.rows, 0));
    cr_assert(eq(u64, ts.blocks_searched, 0));
    kiln_result_free(r);
    kiln_writer_free(w);
}

Test(api_contract, out_parameters_after_a_failure_are_as_written)
{
    kiln_store *s = (kiln_store *)&s;
    kiln_writer *w = NULL;
    kiln_result *r = NULL;
    kiln_top_entry *top = (kiln_top_entry *)&top;
    kiln_buf b = KILN_BUF_INIT;
    kiln_query_opts qo = KILN_QUERY_OPTS_INIT;
    char key[KILN_KEY_MAX] = "unchanged?";
    uint64_t size = 42;
    size_t n = 9;

    cr_assert(eq(int, kiln_store_open(&s, "nosuch://x"), KILN_EINVAL));
    cr_assert(eq(ptr, s, NULL));
    kiln_buf_append(&b, "keep", 4);
    cr_assert(eq(int, kiln_store_get_range(st, "nope", 0, 1, &b),
                 KILN_ENOTFOUND));
    cr_assert(eq(int, kiln_store_get_tail(st, "nope", 1, &b, &size),
                 KILN_ENOTFOUND));
    cr_assert(eq(int, kiln_store_stat(st, "nope", &size), KILN_ENOTFOUND));
    cr_assert(eq(sz, b.len, 4));
    cr_assert(eq(u64, size, 42));

    cr_assert(eq(int, kiln_writer_new(&w, NULL), 0));
    cr_assert(eq(int, kiln_writer_flush(w, st, key), KILN_ENOTFOUND));
    cr_assert(eq(str, key, ""));
    write_block(w, key);
    kiln_writer_free(w);

    qo.selector = "{service_name=";
    r = (kiln_result *)&r;
    cr_assert(eq(int, kiln_result_new(&r, &qo), KILN_EINVAL));
    cr_assert(eq(ptr, r, NULL));
    cr_assert(eq(int, kiln_query(&r, st, NULL, NULL), 0));
    cr_assert(eq(int, kiln_result_top(r, 3, &top, &n), KILN_EINVAL));
    cr_assert(eq(ptr, top, NULL));
    cr_assert(eq(sz, n, 0));
    kiln_result_free(r);
    cr_assert(eq(int, kiln_tenant_valid(NULL), 0));
    kiln_buf_free(&b);
}
