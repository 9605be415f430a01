/* out_folded.c: a result as folded stacks ("root;caller;leaf VALUE"), the
 * input of flame-graph tools: lines sorted bytewise, equal ones merged. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output_internal.h"

typedef struct fline {
    size_t off, len; /* of the frames text in the pool */
    int64_t v;
} fline;

static _Thread_local const uint8_t *fpool; /* qsort context */

static int cmp_fline(const void *a, const void *b)
{
    const fline *x = a, *y = b;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(fpool + x->off, fpool + y->off, n);
    if (c)
        return c;
    return x->len < y->len ? -1 : x->len > y->len;
}

int kiln_result_folded(const kiln_result *r, size_t type, kiln_buf *out)
{
    const int64_t *vals;
    int64_t *tmp = NULL;
    uint32_t *path = NULL;
    fline *lines = NULL;
    size_t nlines = 0, nt = r->ntypes;
    kiln_buf pool = KILN_BUF_INIT;
    int rc;

    if ((rc = out_check_type(r, type)) != 0)
        return api_return(rc < 0 ? rc : 0);
    if ((rc = rd_node_values(r, &vals, &tmp)) < 0)
        goto out;
    path = malloc(r->stk.n * sizeof *path);
    lines = malloc(r->stk.n * sizeof *lines);
    if (!path || !lines) {
        rc = nomem();
        goto out;
    }
    for (uint32_t n = 1; n < r->stk.n; n++) {
        int64_t v = vals[(size_t)n * nt + type];
        if (!v)
            continue;
        lines[nlines].off = pool.len;
        if ((rc = out_put_stack(r, n, &pool, path, false)) < 0)
            goto out;
        lines[nlines].len = pool.len - lines[nlines].off;
        lines[nlines].v = v;
        nlines++;
    }
    fpool = pool.data;
    qsort(lines, nlines, sizeof *lines, cmp_fline);
    for (size_t i = 0; i < nlines;) {
        int64_t v = lines[i].v;
        size_t j = i + 1;
        char num[32];
        while (j < nlines && cmp_fline(&lines[i], &lines[j]) == 0)
            v = rd_add64(v, lines[j++].v);
        if (v) {
            int k = snprintf(num, sizeof num, " %" PRId64 "\n", v);
            if ((rc = kiln_buf_append(out, pool.data + lines[i].off,
                                      lines[i].len)) < 0 ||
                (rc = kiln_buf_append(out, num, (size_t)k)) < 0)
                goto out;
        }
        i = j;
    }
out:
    free(tmp);
    free(path);
    free(lines);
    kiln_buf_free(&pool);
    return api_return(rc);
}
