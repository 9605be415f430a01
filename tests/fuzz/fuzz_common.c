/* fuzz_common.c: the block reader of the fuzz targets (over the test
 * suite's memory store, tests/s3/mem_store.c),
 * and (without libFuzzer) a main() that replays files and directories of
 * inputs through the target, so every corpus and crasher stays a
 * regression test in the normal and sanitizer builds. */
#include "fuzz_common.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mem_store.h"

kiln_store *fz_mem_store(void)
{
    kiln_store *s = NULL;
    if (mem_store_open(&s, "mem:") != 0)
        abort(); /* the harness, not the input, is broken */
    return s;
}

void fz_mem_put(kiln_store *s, const char *key, const void *data, size_t n)
{
    if (kiln_store_put(s, key, data, n) != 0)
        abort();
}

static int count_row(void *ud, const kiln_rows_schema *s, const kiln_row *r)
{
    (void)s;
    if (r != NULL)
        (*(size_t *)ud)++;
    return 0;
}

void fz_read_block(kiln_store *s, const char *key)
{
    kiln_block *b = NULL;
    kiln_result *r = NULL;
    kiln_buf out = KILN_BUF_INIT;
    kiln_query_opts o = KILN_QUERY_OPTS_INIT;
    static const uint8_t trace[16] = {1, 2, 3, 4, 5, 6, 7, 8,
                                      9, 10, 11, 12, 13, 14, 15, 16};

    if (kiln_block_open(&b, s, key) == 0) {
        (void)kiln_block_info_get(b);
        (void)kiln_block_load_index(b);
        (void)kiln_block_verify(b);
        (void)kiln_block_trace_maybe(b, trace);
        (void)kiln_block_trace_links(b, trace);
        kiln_block_free(b);
    }
    o.keep_labels = 1;
    if (kiln_query(&r, s, "default", &o) == 0) {
        for (size_t t = 0; t < kiln_result_ntypes(r); t++) {
            kiln_buf_reset(&out);
            (void)kiln_result_folded(r, t, &out);
            kiln_buf_reset(&out);
            (void)kiln_result_top_text(r, t, 10, &out);
        }
        kiln_buf_reset(&out);
        (void)kiln_result_pprof(r, &out);
        kiln_buf_reset(&out);
        (void)kiln_result_json(r, &out);
    }
    kiln_result_free(r);
    r = NULL;
    o.from = 1000;
    o.to = 2000000000000000000LL;
    o.trace_id = trace;
    if (kiln_query(&r, s, "default", &o) == 0) {
        kiln_buf_reset(&out);
        (void)kiln_result_pprof(r, &out);
    }
    kiln_result_free(r);
    r = NULL;
    kiln_trace_entry *e = NULL;
    size_t n = 0;
    kiln_query_opts all = KILN_QUERY_OPTS_INIT;
    if (kiln_list_traces(s, "default", &all, 5, &e, &n) == 0)
        free(e);
    if (kiln_result_new(&r, &all) == 0) {
        size_t rows = 0;
        (void)kiln_query_rows(r, s, "default", NULL, 0, count_row, &rows);
    }
    kiln_result_free(r);
    kiln_buf_free(&out);
}

/* A failure that is kiln's own bug, not the input's: the fuzzer's crash. */
static void fz_bug(const char *what)
{
    fprintf(stderr, "fuzz: %s: %s\n", what, kiln_error_last());
    abort();
}

/* A block kiln wrote from an input it accepted must open, verify and
 * answer a query with every row kept apart, as pprof; only a sum past
 * int64 (KILN_ELIMIT) may refuse the query. The range, trace and row paths
 * over hostile blocks are fuzz_block's. */
static void check_written(kiln_store *s, const char *key)
{
    kiln_block *b = NULL;
    kiln_result *r = NULL;
    kiln_buf out = KILN_BUF_INIT;
    kiln_query_opts o = KILN_QUERY_OPTS_INIT;
    int rc;

    if (kiln_block_open(&b, s, key) != 0)
        fz_bug("a block kiln wrote does not open");
    if (kiln_block_verify(b) != 0)
        fz_bug("a block kiln wrote does not verify");
    kiln_block_free(b);
    o.keep_labels = 1;
    if ((rc = kiln_query(&r, s, "default", &o)) == 0)
        rc = kiln_result_pprof(r, &out);
    if (rc != 0 && rc != KILN_ELIMIT)
        fz_bug("a query of a block kiln wrote failed");
    kiln_result_free(r);
    kiln_buf_free(&out);
}

void fz_flush_and_read(kiln_writer *w)
{
    kiln_store *s = fz_mem_store();
    char key[KILN_KEY_MAX];
    if (kiln_writer_flush(w, s, key) == 0)
        check_written(s, key);
    kiln_store_free(s);
}

#ifndef KILN_LIBFUZZER
/* Replay: each argument is an input file or a directory of them (sorted,
 * not recursive). Prints how many inputs ran; a crash is the test's
 * failure. */
static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    kiln_buf b = KILN_BUF_INIT;
    char chunk[65536];
    size_t n;
    if (f == NULL) {
        fprintf(stderr, "replay: cannot open %s\n", path);
        return -1;
    }
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        if (kiln_buf_append(&b, chunk, n) != 0)
            abort();
    fclose(f);
    LLVMFuzzerTestOneInput(b.len ? b.data : (const uint8_t *)"", b.len);
    kiln_buf_free(&b);
    return 0;
}

static int name_cmp(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

int main(int argc, char **argv)
{
    size_t ran = 0;
    int bad = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "replay: %s: no such file or directory\n",
                    argv[i]);
            bad = 1;
            continue;
        }
        if (!S_ISDIR(st.st_mode)) {
            bad |= replay_file(argv[i]) != 0;
            ran++;
            continue;
        }
        struct dirent **ents = NULL;
        int n = scandir(argv[i], &ents, NULL, name_cmp);
        for (int j = 0; j < n; j++) {
            char p[4096];
            snprintf(p, sizeof p, "%s/%s", argv[i], ents[j]->d_name);
            if (ents[j]->d_name[0] != '.' && stat(p, &st) == 0 &&
                S_ISREG(st.st_mode)) {
                bad |= replay_file(p) != 0;
                ran++;
            }
            free(ents[j]);
        }
        free(ents);
    }
    printf("replayed %zu inputs\n", ran);
    return bad || ran == 0 ? 1 : 0;
}
#endif
