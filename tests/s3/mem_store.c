/* tests/s3/mem_store.c: an in-memory store backend built outside libkiln
 * from the public store API only (kiln_store_init, the ops table, the error
 * and buffer calls), to show the interface suffices: it passes the same
 * conformance checks as the directory and S3 backends. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "mem_store.h"

typedef struct mem_obj {
    char *key;     /* owned, NUL-terminated */
    uint8_t *data; /* owned; NULL when len == 0 */
    size_t len;
} mem_obj;

typedef struct mem_store {
    kiln_store base;      /* must be first: kiln_store_init fills it */
    pthread_mutex_t lock; /* guards objs and n */
    mem_obj *objs;        /* sorted by key, bytewise */
    size_t n, cap;
} mem_store;

/* The index of key in m->objs, or where it would go (*found = 0). */
static size_t find(const mem_store *m, const char *key, int *found)
{
    size_t lo = 0, hi = m->n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(m->objs[mid].key, key);
        if (c == 0) {
            *found = 1;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = 0;
    return lo;
}

static int not_found(const kiln_store *s, const char *key)
{
    return kiln_error_set(KILN_ENOTFOUND, "store %s: object %s: not found",
                          s->url, key);
}

static int mem_get_range(kiln_store *s, const char *key, uint64_t off,
                         uint64_t len, kiln_buf *out)
{
    mem_store *m = (mem_store *)s;
    int found, rc = 0;
    size_t i;

    pthread_mutex_lock(&m->lock);
    i = find(m, key, &found);
    if (!found)
        rc = not_found(s, key);
    else if (off > m->objs[i].len || len > m->objs[i].len - off)
        rc = kiln_error_set(KILN_ECORRUPT, "store %s: object %s: range "
                            "%llu+%llu past end (%zu bytes)", s->url, key,
                            (unsigned long long)off, (unsigned long long)len,
                            m->objs[i].len);
    else if (len > 0)
        rc = kiln_buf_append(out, m->objs[i].data + off, (size_t)len);
    pthread_mutex_unlock(&m->lock);
    return rc;
}

static int mem_get_tail(kiln_store *s, const char *key, uint64_t n,
                        kiln_buf *out, uint64_t *size)
{
    mem_store *m = (mem_store *)s;
    int found, rc = 0;
    size_t i;

    pthread_mutex_lock(&m->lock);
    i = find(m, key, &found);
    if (!found) {
        rc = not_found(s, key);
    } else {
        size_t len = m->objs[i].len, take = n < len ? (size_t)n : len;
        if (take > 0)
            rc = kiln_buf_append(out, m->objs[i].data + len - take, take);
        *size = len;
    }
    pthread_mutex_unlock(&m->lock);
    return rc;
}

static int mem_stat(kiln_store *s, const char *key, uint64_t *size)
{
    mem_store *m = (mem_store *)s;
    int found, rc = 0;
    size_t i;

    pthread_mutex_lock(&m->lock);
    i = find(m, key, &found);
    if (found)
        *size = m->objs[i].len;
    else
        rc = not_found(s, key);
    pthread_mutex_unlock(&m->lock);
    return rc;
}

/* Store a copy of data under key: replace when present unless excl. */
static int store_obj(kiln_store *s, const char *key, const void *data,
                     size_t len, int excl)
{
    mem_store *m = (mem_store *)s;
    uint8_t *copy = NULL;
    char *k;
    int found, rc = 0;
    size_t i;

    if (len > 0 && (copy = malloc(len)) == NULL)
        return kiln_error_set(KILN_ENOMEM, "store %s: out of memory", s->url);
    if (len > 0)
        memcpy(copy, data, len);
    pthread_mutex_lock(&m->lock);
    i = find(m, key, &found);
    if (found && excl) {
        rc = kiln_error_set(KILN_EEXIST, "store %s: object %s: already "
                            "exists", s->url, key);
        goto out;
    }
    if (found) {
        free(m->objs[i].data);
        m->objs[i].data = copy;
        m->objs[i].len = len;
        copy = NULL;
        goto out;
    }
    if (m->n == m->cap) {
        size_t cap = m->cap ? 2 * m->cap : 16;
        mem_obj *o = realloc(m->objs, cap * sizeof *o);
        if (o == NULL) {
            rc = kiln_error_set(KILN_ENOMEM, "store %s: out of memory",
                                s->url);
            goto out;
        }
        m->objs = o;
        m->cap = cap;
    }
    k = strdup(key);
    if (k == NULL) {
        rc = kiln_error_set(KILN_ENOMEM, "store %s: out of memory", s->url);
        goto out;
    }
    memmove(m->objs + i + 1, m->objs + i, (m->n - i) * sizeof *m->objs);
    m->objs[i] = (mem_obj){k, copy, len};
    m->n++;
    copy = NULL;
out:
    pthread_mutex_unlock(&m->lock);
    free(copy);
    return rc;
}

static int mem_put(kiln_store *s, const char *key, const void *data,
                   size_t len)
{
    return store_obj(s, key, data, len, 0);
}

static int mem_put_if_absent(kiln_store *s, const char *key, const void *data,
                             size_t len)
{
    return store_obj(s, key, data, len, 1);
}

/* The callback may use the store (a lister opens what it lists), so the
 * matching keys are copied out under the lock and handed over without it. */
static int mem_list(kiln_store *s, const char *prefix, kiln_store_list_cb cb,
                    void *ud)
{
    mem_store *m = (mem_store *)s;
    size_t plen = strlen(prefix), i, n = 0, start;
    char **keys = NULL;
    uint64_t *sizes = NULL;
    int found, rc = 0;

    pthread_mutex_lock(&m->lock);
    start = find(m, prefix, &found);
    for (i = start; i < m->n && strncmp(m->objs[i].key, prefix, plen) == 0;)
        i++;
    n = i - start;
    if (n > 0) {
        keys = calloc(n, sizeof *keys);
        sizes = calloc(n, sizeof *sizes);
    }
    if (n > 0 && (keys == NULL || sizes == NULL)) {
        rc = kiln_error_set(KILN_ENOMEM, "store %s: out of memory", s->url);
        n = 0;
    }
    for (i = 0; i < n; i++) {
        keys[i] = strdup(m->objs[start + i].key);
        sizes[i] = m->objs[start + i].len;
        if (keys[i] == NULL && rc == 0)
            rc = kiln_error_set(KILN_ENOMEM, "store %s: out of memory",
                                s->url);
    }
    pthread_mutex_unlock(&m->lock);
    for (i = 0; i < n && rc == 0; i++)
        rc = cb(ud, keys[i], sizes[i]);
    for (i = 0; i < n; i++)
        free(keys[i]);
    free(keys);
    free(sizes);
    return rc;
}

static int mem_del(kiln_store *s, const char *key)
{
    mem_store *m = (mem_store *)s;
    int found, rc = 0;
    size_t i;

    pthread_mutex_lock(&m->lock);
    i = find(m, key, &found);
    if (found) {
        free(m->objs[i].key);
        free(m->objs[i].data);
        memmove(m->objs + i, m->objs + i + 1,
                (m->n - i - 1) * sizeof *m->objs);
        m->n--;
    } else {
        rc = not_found(s, key);
    }
    pthread_mutex_unlock(&m->lock);
    return rc;
}

/* kiln_store_free frees base.url after this: release only our own. */
static void mem_free(kiln_store *s)
{
    mem_store *m = (mem_store *)s;
    size_t i;

    for (i = 0; i < m->n; i++) {
        free(m->objs[i].key);
        free(m->objs[i].data);
    }
    free(m->objs);
    pthread_mutex_destroy(&m->lock);
    free(m);
}

static const kiln_store_ops mem_ops = {
    KILN_STORE_OPS_VERSION, mem_get_range, mem_get_tail, mem_stat, mem_put,
    mem_put_if_absent, mem_list, mem_del, mem_free,
};

int mem_store_open(kiln_store **out, const char *name)
{
    mem_store *m = calloc(1, sizeof *m);
    int rc;

    *out = NULL;
    if (m == NULL)
        return kiln_error_set(KILN_ENOMEM, "store %s: out of memory", name);
    rc = kiln_store_init(&m->base, &mem_ops, name);
    if (rc < 0) {
        free(m);
        return rc;
    }
    pthread_mutex_init(&m->lock, NULL);
    *out = &m->base;
    return 0;
}
