/* tests/common/faulty_store.c: a wrapper store that fails the Nth call, every
 * call from the Nth on, or a seeded share of calls, and counts every call,
 * so tests can walk an operation through each of its failure points. */
#include <assert.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "faulty_store.h"

enum { OP_GET_RANGE, OP_GET_TAIL, OP_STAT, OP_PUT, OP_PUT_IF_ABSENT, OP_LIST,
       OP_DEL, OP_COUNT };

static const char *const op_names[OP_COUNT] = {
    "get_range", "get_tail", "stat", "put", "put_if_absent", "list", "del",
};

typedef struct faulty_store {
    kiln_store base;          /* must be first */
    kiln_store *inner;        /* borrowed; outlives the wrapper */
    pthread_mutex_t lock;     /* guards everything below */
    kiln_fault_opts o;        /* current rules; o.ops != 0 */
    uint64_t seen;            /* calls among o.ops since the rules were set */
    uint64_t rng;             /* splitmix64 state for o.fail_share */
    uint64_t calls[OP_COUNT]; /* calls per operation since creation */
    uint64_t failures;        /* calls failed on purpose since creation */
} faulty_store;

static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Count a call of op and decide whether it fails (1) or passes (0). */
static int should_fail(faulty_store *f, int op)
{
    int fail = 0;

    pthread_mutex_lock(&f->lock);
    f->calls[op]++;
    if (f->o.ops & (1u << op)) {
        f->seen++;
        if (f->o.fail_nth != 0
            && (f->seen == f->o.fail_nth
                || (f->o.fail_after && f->seen > f->o.fail_nth)))
            fail = 1;
        if (!fail && f->o.fail_share > 0.0) {
            double u = (double)(splitmix64(&f->rng) >> 11) * 0x1.0p-53;
            fail = u < f->o.fail_share;
        }
        if (fail)
            f->failures++;
    }
    pthread_mutex_unlock(&f->lock);
    return fail;
}

static int injected(const faulty_store *f, int op, const char *key)
{
    return kiln_error_set(f->o.err, "store %s: %s %s: injected fault",
                          f->base.url, op_names[op], key);
}

static int f_get_range(kiln_store *s, const char *key, uint64_t off,
                       uint64_t len, kiln_buf *out)
{
    faulty_store *f = (faulty_store *)s;

    if (should_fail(f, OP_GET_RANGE))
        return injected(f, OP_GET_RANGE, key);
    return kiln_store_get_range(f->inner, key, off, len, out);
}

static int f_get_tail(kiln_store *s, const char *key, uint64_t n,
                      kiln_buf *out, uint64_t *size)
{
    faulty_store *f = (faulty_store *)s;

    if (should_fail(f, OP_GET_TAIL))
        return injected(f, OP_GET_TAIL, key);
    return kiln_store_get_tail(f->inner, key, n, out, size);
}

static int f_stat(kiln_store *s, const char *key, uint64_t *size)
{
    faulty_store *f = (faulty_store *)s;

    if (should_fail(f, OP_STAT))
        return injected(f, OP_STAT, key);
    return kiln_store_stat(f->inner, key, size);
}

static int f_put(kiln_store *s, const char *key, const void *data, size_t len)
{
    faulty_store *f = (faulty_store *)s;

    /* With lost_reply the write happens, then the caller hears failure. */
    if (should_fail(f, OP_PUT)) {
        if (f->o.lost_reply)
            (void)kiln_store_put(f->inner, key, data, len);
        return injected(f, OP_PUT, key);
    }
    return kiln_store_put(f->inner, key, data, len);
}

static int f_put_if_absent(kiln_store *s, const char *key, const void *data,
                           size_t len)
{
    faulty_store *f = (faulty_store *)s;

    if (should_fail(f, OP_PUT_IF_ABSENT)) {
        if (f->o.lost_reply)
            (void)kiln_store_put_if_absent(f->inner, key, data, len);
        return injected(f, OP_PUT_IF_ABSENT, key);
    }
    return kiln_store_put_if_absent(f->inner, key, data, len);
}

static int f_list(kiln_store *s, const char *prefix, kiln_store_list_cb cb,
                  void *ud)
{
    faulty_store *f = (faulty_store *)s;

    if (should_fail(f, OP_LIST))
        return injected(f, OP_LIST, prefix);
    return kiln_store_list(f->inner, prefix, cb, ud);
}

static int f_del(kiln_store *s, const char *key)
{
    faulty_store *f = (faulty_store *)s;

    if (should_fail(f, OP_DEL)) {
        if (f->o.lost_reply)
            (void)kiln_store_del(f->inner, key);
        return injected(f, OP_DEL, key);
    }
    return kiln_store_del(f->inner, key);
}

static void f_free(kiln_store *s)
{
    faulty_store *f = (faulty_store *)s;

    pthread_mutex_destroy(&f->lock);
    free(f);
}

static const kiln_store_ops faulty_ops = {
    KILN_STORE_OPS_VERSION, f_get_range, f_get_tail, f_stat, f_put,
    f_put_if_absent,        f_list,      f_del,      f_free,
};

static void set_rules(faulty_store *f, const kiln_fault_opts *o)
{
    kiln_fault_opts def = KILN_FAULT_OPTS_INIT;

    f->o = o ? *o : def;
    if (f->o.ops == 0)
        f->o.ops = KILN_FAULT_ALL;
    if (f->o.err == 0)
        f->o.err = KILN_EIO;
    assert(f->o.err < 0);
    f->seen = 0;
    f->rng = f->o.seed;
}

int faulty_store_wrap(kiln_store **out, kiln_store *inner,
                           const kiln_fault_opts *o)
{
    faulty_store *f = calloc(1, sizeof *f);
    static const char prefix[] = "faulty+";
    char *url = malloc(sizeof prefix + strlen(inner->url));
    int rc;

    *out = NULL;
    if (f == NULL || url == NULL) {
        free(f);
        free(url);
        return kiln_error_set(KILN_ENOMEM, "faulty store: out of memory");
    }
    memcpy(url, prefix, sizeof prefix - 1);
    strcpy(url + sizeof prefix - 1, inner->url);
    /* Through the public constructor, as any backend outside kiln. */
    rc = kiln_store_init(&f->base, &faulty_ops, url);
    free(url);
    if (rc < 0) {
        free(f);
        return rc;
    }
    f->inner = inner;
    pthread_mutex_init(&f->lock, NULL);
    set_rules(f, o);
    *out = &f->base;
    return 0;
}

void faulty_store_set(kiln_store *s, const kiln_fault_opts *o)
{
    faulty_store *f = (faulty_store *)s;

    assert(s->ops == &faulty_ops);
    pthread_mutex_lock(&f->lock);
    set_rules(f, o);
    pthread_mutex_unlock(&f->lock);
}

uint64_t faulty_store_calls(const kiln_store *s, unsigned mask)
{
    faulty_store *f = (faulty_store *)s;
    uint64_t n = 0;
    int op;

    assert(s->ops == &faulty_ops);
    if (mask == 0)
        mask = KILN_FAULT_ALL;
    pthread_mutex_lock(&f->lock);
    for (op = 0; op < OP_COUNT; op++)
        if (mask & (1u << op))
            n += f->calls[op];
    pthread_mutex_unlock(&f->lock);
    return n;
}

uint64_t faulty_store_failures(const kiln_store *s)
{
    faulty_store *f = (faulty_store *)s;
    uint64_t n;

    assert(s->ops == &faulty_ops);
    pthread_mutex_lock(&f->lock);
    n = f->failures;
    pthread_mutex_unlock(&f->lock);
    return n;
}
