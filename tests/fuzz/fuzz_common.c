/* fuzz_common.c: the memory store and the block reader of the fuzz targets,
 * and (without libFuzzer) a main() that replays files and directories of
 * inputs through the target, so every corpus and crasher stays a
 * regression test in the normal and sanitizer builds. */
#include "fuzz_common.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "store_internal.h"

#define MEM_MAX 8

typedef struct mem_store {
    kiln_store base; /* first: a kiln_store * is a mem_store * */
    char *keys[MEM_MAX];
    kiln_buf vals[MEM_MAX];
    size_t n;
} mem_store;

static int find(mem_store *m, const char *key)
{
    for (size_t i = 0; i < m->n; i++)
        if (strcmp(m->keys[i], key) == 0)
            return (int)i;
    return -1;
}

static int m_get_range(kiln_store *s, const char *key, uint64_t off,
                       uint64_t len, kiln_buf *out)
{
    mem_store *m = (mem_store *)s;
    int i = find(m, key);
    if (i < 0)
        return kiln_error_set(KILN_ENOTFOUND, "mem: %s not found", key);
    if (off > m->vals[i].len || len > m->vals[i].len - off)
        return kiln_error_set(KILN_ECORRUPT, "mem: %s: range past end", key);
    if (len == 0) /* an empty object's data is NULL: no NULL + 0 */
        return 0;
    return kiln_buf_append(out, m->vals[i].data + off, (size_t)len);
}

static int m_get_tail(kiln_store *s, const char *key, uint64_t n,
                      kiln_buf *out, uint64_t *size)
{
    mem_store *m = (mem_store *)s;
    int i = find(m, key);
    if (i < 0)
        return kiln_error_set(KILN_ENOTFOUND, "mem: %s not found", key);
    *size = m->vals[i].len;
    if (n > *size)
        n = *size;
    if (n == 0)
        return 0;
    return kiln_buf_append(out, m->vals[i].data + (*size - n), (size_t)n);
}

static int m_stat(kiln_store *s, const char *key, uint64_t *size)
{
    mem_store *m = (mem_store *)s;
    int i = find(m, key);
    if (i < 0)
        return kiln_error_set(KILN_ENOTFOUND, "mem: %s not found", key);
    *size = m->vals[i].len;
    return 0;
}

static int m_put_any(kiln_store *s, const char *key, const void *data,
                     size_t len, int exclusive)
{
    mem_store *m = (mem_store *)s;
    int i = find(m, key);
    if (i >= 0 && exclusive)
        return kiln_error_set(KILN_EEXIST, "mem: %s exists", key);
    if (i < 0) {
        if (m->n == MEM_MAX)
            return kiln_error_set(KILN_EIO, "mem: full");
        if ((m->keys[m->n] = strdup(key)) == NULL)
            return kiln_error_set(KILN_ENOMEM, "mem: out of memory");
        m->vals[m->n] = (kiln_buf)KILN_BUF_INIT;
        i = (int)m->n++;
    }
    kiln_buf_reset(&m->vals[i]);
    return kiln_buf_append(&m->vals[i], data, len);
}

static int m_put(kiln_store *s, const char *key, const void *d, size_t n)
{
    return m_put_any(s, key, d, n, 0);
}

static int m_put_if_absent(kiln_store *s, const char *key, const void *d,
                           size_t n)
{
    return m_put_any(s, key, d, n, 1);
}

static int m_list(kiln_store *s, const char *prefix, kiln_store_list_cb cb,
                  void *ud)
{
    mem_store *m = (mem_store *)s;
    int rc;
    /* keys in byte order, as every backend lists them */
    for (size_t i = 1; i < m->n; i++)
        for (size_t j = i; j > 0 && strcmp(m->keys[j - 1], m->keys[j]) > 0;
             j--) {
            char *k = m->keys[j];
            kiln_buf v = m->vals[j];
            m->keys[j] = m->keys[j - 1];
            m->vals[j] = m->vals[j - 1];
            m->keys[j - 1] = k;
            m->vals[j - 1] = v;
        }
    for (size_t i = 0; i < m->n; i++)
        if (strncmp(m->keys[i], prefix, strlen(prefix)) == 0 &&
            (rc = cb(ud, m->keys[i], m->vals[i].len)) != 0)
            return rc;
    return 0;
}

static int m_del(kiln_store *s, const char *key)
{
    mem_store *m = (mem_store *)s;
    int i = find(m, key);
    if (i < 0)
        return kiln_error_set(KILN_ENOTFOUND, "mem: %s not found", key);
    free(m->keys[i]);
    kiln_buf_free(&m->vals[i]);
    m->keys[i] = m->keys[m->n - 1];
    m->vals[i] = m->vals[m->n - 1];
    m->n--;
    return 0;
}

static void m_free(kiln_store *s)
{
    mem_store *m = (mem_store *)s;
    for (size_t i = 0; i < m->n; i++) {
        free(m->keys[i]);
        kiln_buf_free(&m->vals[i]);
    }
    free(m); /* kiln_store_free frees base.url */
}

static const kiln_store_ops mem_ops = {
    KILN_STORE_OPS_VERSION, m_get_range, m_get_tail, m_stat, m_put,
    m_put_if_absent, m_list, m_del, m_free,
};

kiln_store *fz_mem_store(void)
{
    mem_store *m = calloc(1, sizeof *m);
    if (m == NULL || kiln_store_init(&m->base, &mem_ops, "mem:") != 0)
        abort(); /* the harness, not the input, is broken */
    return &m->base;
}

void fz_mem_put(kiln_store *s, const char *key, const void *data, size_t n)
{
    if (m_put(s, key, data, n) != 0)
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
