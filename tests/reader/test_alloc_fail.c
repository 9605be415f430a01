/* test_alloc_fail.c: SQLite's allocation-failure loop over every operation
 * of the library: ingest (pprof, OTLP, folded) and flush to a store, block
 * open and verify, queries (totals, pprof, top, trace, trace list, rows).
 * The 1st, 2nd, 3rd ... allocation fails until the operation completes;
 * each failure must be a clean KILN_ENOMEM, free everything it allocated,
 * and leave the store with whole blocks or none. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kiln/kiln.h>

#include "alloc_fault.h"
#include "rutil.h"

/* A fleet of one profile, written by `kiln gen` (pprof and OTLP of the
 * same samples, 10% of them with trace ids). */
static char gen_dir[256];
static uint8_t *pprof_bytes, *otlp_bytes;
static size_t pprof_len, otlp_len;

static void find_inputs(const char *dir)
{
    char cmd[1200], path[1024];
    snprintf(cmd, sizeof cmd, "find %.1000s -name '*.pb.gz' | head -n 1", dir);
    FILE *f = popen(cmd, "r");
    cr_assert(f != NULL);
    cr_assert(fgets(path, sizeof path, f) != NULL, "no profile in %s", dir);
    pclose(f);
    path[strcspn(path, "\n")] = '\0';
    pprof_bytes = ru_slurp(path, &pprof_len);
    cr_assert(pprof_bytes != NULL, "%s", path);
    strcpy(strstr(path, ".pb.gz"), ".otlp.pb");
    otlp_bytes = ru_slurp(path, &otlp_len);
    cr_assert(otlp_bytes != NULL, "%s", path);
}

static void setup(void)
{
    const char *bin = getenv("KILN_BIN");
    char cmd[2048];
    cr_assert(bin != NULL, "KILN_BIN not set");
    snprintf(gen_dir, sizeof gen_dir, "/tmp/kiln-allocfail-XXXXXX");
    cr_assert(mkdtemp(gen_dir) != NULL);
    snprintf(cmd, sizeof cmd,
             "%s gen --quiet --out %s/g --services 1 --hosts 1 "
             "--duration 10s --end 2026-11-24T01:00:00Z --seed 5 --otlp "
             "--trace-fraction 0.3",
             bin, gen_dir);
    cr_assert(eq(int, system(cmd), 0), "%s", cmd);
    snprintf(cmd, 300, "%s/g", gen_dir);
    find_inputs(cmd);
}

static void teardown(void)
{
    char cmd[512];
    free(pprof_bytes);
    free(otlp_bytes);
    snprintf(cmd, sizeof cmd, "rm -rf %s", gen_dir);
    (void)system(cmd);
}

TestSuite(alloc_fail, .init = setup, .fini = teardown, .timeout = 600);

/* One operation under test: run it (allocations armed), then undo what a
 * success made (allocations disarmed); ctx is the test's. */
typedef struct op {
    const char *name;
    int (*run)(void *ctx);
    void (*undo)(void *ctx);   /* free what run produced; may be NULL */
    void (*check)(void *ctx, int rc); /* after run, before undo; may be NULL */
} op;

/* The loop: fail allocation n = 1, 2, ... until run succeeds with no
 * failure injected; at least `min` allocation points must have been
 * failed (or the hook did not reach the operation). */
static void fail_each_allocation(const op *o, void *ctx, uint64_t min)
{
    uint64_t n;
    for (n = 1;; n++) {
        size_t live0 = alloc_fault_live();
        kiln_error_clear();
        alloc_fault_arm(n);
        int rc = o->run(ctx);
        int fired = alloc_fault_fired();
        alloc_fault_disarm();
        if (fired)
            cr_assert(rc == KILN_ENOMEM || rc == 0,
                      "%s: allocation %llu failed: want KILN_ENOMEM (or a "
                      "success that did without), got %d (%s)", o->name,
                      (unsigned long long)n, rc, kiln_error_last());
        else
            cr_assert(eq(int, rc, 0), "%s: no failure injected: %s", o->name,
                      kiln_error_last());
        if (rc == KILN_ENOMEM)
            cr_assert(strlen(kiln_error_last()) > 0,
                      "%s: allocation %llu: KILN_ENOMEM with no message",
                      o->name, (unsigned long long)n);
        if (o->check)
            o->check(ctx, rc);
        if (o->undo)
            o->undo(ctx);
        cr_assert(eq(sz, alloc_fault_live(), live0),
                  "%s: allocation %llu failed (rc %d): %zu blocks leaked",
                  o->name, (unsigned long long)n, rc,
                  alloc_fault_live() - live0);
        if (!fired)
            break;
    }
    cr_assert(gt(u64, n - 1, min), "%s: only %llu allocations", o->name,
              (unsigned long long)(n - 1));
    cr_log_info("%s: %llu allocation failures, each clean", o->name,
                (unsigned long long)(n - 1));
}

/* ---- ingest: a writer, one input, a flush into a fresh store ---- */

typedef struct ingest_ctx {
    int kind;              /* 0 pprof, 1 OTLP, 2 folded */
    ru_store s;
    char key[KILN_KEY_MAX];
    char want_key[KILN_KEY_MAX];
} ingest_ctx;

static const char folded_text[] =
    "main;serve;handle;parse 40\n"
    "main;serve;handle;render 25\n"
    "main;gc;mark 7\n"
    "main;serve;handle;parse 3\n";

static int ingest_run(void *p)
{
    ingest_ctx *c = p;
    kiln_writer *w = NULL;
    kiln_label lab[] = {{"service_name", "alloc"}, {"host", "h1"}};
    int rc = kiln_writer_new(&w, NULL);
    if (rc != 0)
        return rc;
    if (c->kind == 0) {
        rc = kiln_writer_add_pprof(w, pprof_bytes, pprof_len, lab, 2);
    } else if (c->kind == 1) {
        rc = kiln_writer_add_otlp(w, otlp_bytes, otlp_len, lab, 2);
    } else {
        kiln_folded_opts fo = KILN_FOLDED_OPTS_INIT;
        fo.time_ns = 1795482000LL * 1000000000LL;
        fo.duration_ns = 10LL * 1000000000LL;
        rc = kiln_writer_add_folded(w, folded_text, sizeof folded_text - 1,
                                    lab, 2, &fo);
    }
    if (rc == 0)
        rc = kiln_writer_flush(w, c->s.st, c->key);
    kiln_writer_free(w);
    return rc;
}

static int count_key(void *ud, const char *key, uint64_t size)
{
    (void)key;
    (void)size;
    (*(size_t *)ud)++;
    return 0;
}

/* The store holds the whole block (success) or nothing at all. */
static void ingest_check(void *p, int rc)
{
    ingest_ctx *c = p;
    size_t nkeys = 0;
    int lrc = kiln_store_list(c->s.st, "", count_key, &nkeys);
    if (rc != 0) {
        /* the old state (nothing) or the new (the whole block, as a
         * success writes it: a rerun converges), never a part */
        cr_assert(lrc == 0 || lrc == KILN_ENOTFOUND);
        cr_assert(le(sz, nkeys, 1), "a failed ingest left %zu objects",
                  nkeys);
        if (nkeys == 0)
            return;
        char key[KILN_KEY_MAX];
        snprintf(key, sizeof key, "%s", c->want_key);
        kiln_block *b = NULL;
        cr_assert(eq(int, kiln_block_open(&b, c->s.st, key), 0),
                  "a failed ingest left an object that is not its block: %s",
                  kiln_error_last());
        cr_assert(eq(int, kiln_block_verify(b), 0), "%s", kiln_error_last());
        kiln_block_free(b);
        return;
    }
    cr_assert(eq(int, lrc, 0));
    cr_assert(eq(sz, nkeys, 1));
    cr_assert(eq(str, c->key, c->want_key));
    kiln_block *b = NULL;
    cr_assert(eq(int, kiln_block_open(&b, c->s.st, c->key), 0), "%s",
              kiln_error_last());
    cr_assert(eq(int, kiln_block_verify(b), 0), "%s", kiln_error_last());
    kiln_block_free(b);
}

static void ingest_undo(void *p)
{
    ingest_ctx *c = p;
    ru_store_close(&c->s);
    ru_store_open(&c->s);
    c->key[0] = '\0';
}

static void ingest_loop(int kind, const char *name)
{
    ingest_ctx c = {.kind = kind};
    ru_store_open(&c.s);
    cr_assert(eq(int, ingest_run(&c), 0), "%s", kiln_error_last());
    strcpy(c.want_key, c.key);
    ingest_undo(&c);
    op o = {name, ingest_run, ingest_undo, ingest_check};
    fail_each_allocation(&o, &c, 10);
    ru_store_close(&c.s);
}

Test(alloc_fail, ingest_pprof_and_flush)
{
    ingest_loop(0, "ingest pprof");
}

Test(alloc_fail, ingest_otlp_and_flush)
{
    ingest_loop(1, "ingest OTLP");
}

Test(alloc_fail, ingest_folded_and_flush)
{
    ingest_loop(2, "ingest folded");
}

/* ---- reads: one stored block, every read operation over it ---- */

typedef struct read_ctx {
    ru_store s;
    char key[KILN_KEY_MAX];
    uint8_t trace[16];
    kiln_buf out, want;
    int what;
} read_ctx;

enum { R_VERIFY, R_PPROF, R_TOP, R_TRACE, R_TRACES, R_ROWS, R_FOLDED_SEL };

static int rows_cb(void *ud, const kiln_rows_schema *s, const kiln_row *row)
{
    kiln_buf *b = ud;
    (void)s;
    if (row == NULL)
        return 0;
    char line[64];
    int n = snprintf(line, sizeof line, "%lld %zu %lld\n",
                     (long long)row->time, row->stack_len,
                     (long long)row->values[0]);
    return kiln_buf_append(b, line, (size_t)n);
}

static int read_run(void *p)
{
    read_ctx *c = p;
    kiln_query_opts o = KILN_QUERY_OPTS_INIT;
    kiln_result *r = NULL;
    kiln_block *b = NULL;
    int rc;

    kiln_buf_reset(&c->out);
    switch (c->what) {
    case R_VERIFY:
        if ((rc = kiln_block_open(&b, c->s.st, c->key)) == 0)
            rc = kiln_block_verify(b);
        kiln_block_free(b);
        return rc;
    case R_TRACES: {
        kiln_trace_entry *e = NULL;
        size_t n = 0;
        rc = kiln_list_traces(c->s.st, "default", &o, 0, &e, &n);
        if (rc == 0)
            rc = kiln_buf_append(&c->out, e, n * sizeof *e);
        free(e);
        return rc;
    }
    case R_ROWS:
        o.keep_labels = 1;
        if ((rc = kiln_result_new(&r, &o)) == 0)
            rc = kiln_query_rows(r, c->s.st, "default", NULL, 0, rows_cb,
                                 &c->out);
        kiln_result_free(r);
        return rc;
    case R_TRACE:
        o.trace_id = c->trace;
        o.keep_labels = 1;
        break;
    case R_PPROF:
        o.keep_labels = 1;
        break;
    case R_FOLDED_SEL:
        o.selector = "{service_name=~\"al.*\", host!=\"h2\"}";
        break;
    }
    rc = kiln_query(&r, c->s.st, "default", &o);
    if (rc == 0 && (c->what == R_PPROF || c->what == R_TRACE))
        rc = kiln_result_pprof(r, &c->out);
    else if (rc == 0 && c->what == R_TOP)
        rc = kiln_result_top_text(r, kiln_result_default_type(r), 20,
                                  &c->out);
    else if (rc == 0)
        rc = kiln_result_folded(r, kiln_result_default_type(r), &c->out);
    kiln_result_free(r);
    return rc;
}

/* A read that succeeded (even with an allocation failed and worked
 * around) gives the same bytes as one that never failed. */
static void read_check(void *p, int rc)
{
    read_ctx *c = p;
    if (rc != 0 || c->what == R_VERIFY)
        return;
    cr_assert(eq(sz, c->out.len, c->want.len));
    cr_assert(memcmp(c->out.data, c->want.data, c->want.len) == 0);
}

static void read_loop(int what, const char *name)
{
    read_ctx c = {.what = what};
    kiln_writer *w = NULL;
    kiln_label lab[] = {{"service_name", "alloc"}, {"host", "h1"}};
    kiln_trace_entry *e = NULL;
    size_t n = 0;
    kiln_query_opts o = KILN_QUERY_OPTS_INIT;

    ru_store_open(&c.s);
    cr_assert(eq(int, kiln_writer_new(&w, NULL), 0));
    cr_assert(eq(int, kiln_writer_add_pprof(w, pprof_bytes, pprof_len, lab,
                                            2), 0), "%s", kiln_error_last());
    cr_assert(eq(int, kiln_writer_flush(w, c.s.st, c.key), 0));
    kiln_writer_free(w);
    cr_assert(eq(int, kiln_list_traces(c.s.st, "default", &o, 1, &e, &n), 0));
    cr_assert(eq(sz, n, 1), "the generated profile has no trace");
    memcpy(c.trace, e[0].trace_id, 16);
    free(e);
    cr_assert(eq(int, read_run(&c), 0), "%s", kiln_error_last());
    cr_assert(c.what == R_VERIFY || c.out.len > 0);
    kiln_buf_append(&c.want, c.out.data, c.out.len);

    op op = {name, read_run, NULL, read_check};
    fail_each_allocation(&op, &c, 3);
    kiln_buf_free(&c.out);
    kiln_buf_free(&c.want);
    ru_store_close(&c.s);
}

Test(alloc_fail, open_and_verify) { read_loop(R_VERIFY, "verify"); }
Test(alloc_fail, query_pprof) { read_loop(R_PPROF, "query pprof"); }
Test(alloc_fail, query_top) { read_loop(R_TOP, "query top"); }
Test(alloc_fail, query_selector_folded)
{
    read_loop(R_FOLDED_SEL, "query selector folded");
}
Test(alloc_fail, query_trace) { read_loop(R_TRACE, "query trace"); }
Test(alloc_fail, list_traces) { read_loop(R_TRACES, "list traces"); }
Test(alloc_fail, query_rows) { read_loop(R_ROWS, "query rows"); }

/* ---- cp: one block to a fresh store, read back and verified ---- */

typedef struct cp_ctx {
    ru_store src, dst;
    char key[KILN_KEY_MAX];
} cp_ctx;

static int cp_run(void *p)
{
    cp_ctx *c = p;
    int existed = 0;
    return kiln_block_copy(c->src.st, c->dst.st, c->key, &existed);
}

/* The destination holds the whole block or nothing; after a success, a
 * verified copy. */
static void cp_check(void *p, int rc)
{
    cp_ctx *c = p;
    size_t nkeys = 0;
    int lrc = kiln_store_list(c->dst.st, "", count_key, &nkeys);
    cr_assert(lrc == 0 || lrc == KILN_ENOTFOUND);
    cr_assert(le(sz, nkeys, 1), "cp left %zu objects", nkeys);
    if (rc != 0 && nkeys == 0)
        return;
    cr_assert(eq(sz, nkeys, 1));
    kiln_block *b = NULL;
    cr_assert(eq(int, kiln_block_open(&b, c->dst.st, c->key), 0),
              "cp (rc %d) left an object that is not the block: %s", rc,
              kiln_error_last());
    cr_assert(eq(int, kiln_block_verify(b), 0), "%s", kiln_error_last());
    kiln_block_free(b);
}

static void cp_undo(void *p)
{
    cp_ctx *c = p;
    ru_store_close(&c->dst);
    ru_store_open(&c->dst);
}

Test(alloc_fail, cp)
{
    cp_ctx c;
    kiln_writer *w = NULL;
    kiln_label lab[] = {{"service_name", "alloc"}, {"host", "h1"}};

    memset(&c, 0, sizeof c);
    ru_store_open(&c.src);
    ru_store_open(&c.dst);
    cr_assert(eq(int, kiln_writer_new(&w, NULL), 0));
    cr_assert(eq(int, kiln_writer_add_pprof(w, pprof_bytes, pprof_len, lab,
                                            2), 0), "%s", kiln_error_last());
    cr_assert(eq(int, kiln_writer_flush(w, c.src.st, c.key), 0));
    kiln_writer_free(w);
    op o = {"cp", cp_run, cp_undo, cp_check};
    fail_each_allocation(&o, &c, 10);
    ru_store_close(&c.src);
    ru_store_close(&c.dst);
}
