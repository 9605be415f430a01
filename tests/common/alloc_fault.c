/* alloc_fault.c: the --wrap allocator of tests/common/alloc_fault.h. Real
 * allocations go to glibc's (or AddressSanitizer's) through __real_*; the
 * blocks handed out are kept in an open-addressed pointer set, so free() of
 * a block libc allocated (getcwd(NULL, 0)) is not miscounted as ours. */
#include "alloc_fault.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static uint64_t fail_nth;  /* 0 = never */
static uint64_t calls;     /* since arm */
static int fired;
static size_t live;

/* The set of live blocks: linear probing; EMPTY and GONE slots. */
#define GONE ((uintptr_t)1)
static uintptr_t *set;
static size_t set_cap, set_used; /* used counts live and GONE slots */

static size_t slot_of(uintptr_t p, size_t cap)
{
    uint64_t h = (uint64_t)p * 0x9e3779b97f4a7c15ull;
    return (size_t)(h >> 20) & (cap - 1);
}

static void set_grow(void)
{
    size_t ncap = set_cap ? set_cap * 2 : 4096;
    uintptr_t *n = __real_calloc(ncap, sizeof *n);
    if (n == NULL)
        abort(); /* the test harness itself is out of memory */
    for (size_t i = 0; i < set_cap; i++)
        if (set[i] > GONE) {
            size_t j = slot_of(set[i], ncap);
            while (n[j])
                j = (j + 1) & (ncap - 1);
            n[j] = set[i];
        }
    __real_free(set);
    set = n;
    set_cap = ncap;
    set_used = live;
}

static void track(void *p)
{
    if (p == NULL)
        return;
    if ((set_used + 1) * 2 > set_cap)
        set_grow();
    size_t j = slot_of((uintptr_t)p, set_cap);
    while (set[j] > GONE)
        j = (j + 1) & (set_cap - 1);
    if (set[j] == 0)
        set_used++;
    set[j] = (uintptr_t)p;
    live++;
}

static void untrack(void *p)
{
    if (p == NULL || set_cap == 0)
        return;
    size_t j = slot_of((uintptr_t)p, set_cap);
    while (set[j] != 0) {
        if (set[j] == (uintptr_t)p) {
            set[j] = GONE;
            live--;
            return;
        }
        j = (j + 1) & (set_cap - 1);
    }
}

/* Count one allocation call; 1 if it is the one to fail. */
static int should_fail(void)
{
    calls++;
    if (fail_nth != 0 && calls == fail_nth) {
        fired = 1;
        return 1;
    }
    return 0;
}

void *__wrap_malloc(size_t n)
{
    void *p = NULL;
    pthread_mutex_lock(&mu);
    if (!should_fail() && (p = __real_malloc(n)) != NULL)
        track(p);
    pthread_mutex_unlock(&mu);
    if (p == NULL)
        errno = ENOMEM;
    return p;
}

void *__wrap_calloc(size_t n, size_t size)
{
    void *p = NULL;
    pthread_mutex_lock(&mu);
    if (!should_fail() && (p = __real_calloc(n, size)) != NULL)
        track(p);
    pthread_mutex_unlock(&mu);
    if (p == NULL)
        errno = ENOMEM;
    return p;
}

void *__wrap_realloc(void *old, size_t n)
{
    void *p = NULL;
    pthread_mutex_lock(&mu);
    if (old != NULL && n == 0) { /* glibc frees it */
        untrack(old);
        __real_free(old);
    } else if (!should_fail() && (p = __real_realloc(old, n)) != NULL) {
        untrack(old);
        track(p);
    }
    pthread_mutex_unlock(&mu);
    if (p == NULL && n != 0)
        errno = ENOMEM; /* old is untouched */
    return p;
}

void __wrap_free(void *p)
{
    if (p == NULL)
        return;
    pthread_mutex_lock(&mu);
    untrack(p);
    __real_free(p);
    pthread_mutex_unlock(&mu);
}

char *__wrap_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = __wrap_malloc(n);
    if (p != NULL)
        memcpy(p, s, n);
    return p;
}

char *__wrap_strndup(const char *s, size_t max)
{
    size_t n = strnlen(s, max);
    char *p = __wrap_malloc(n + 1);
    if (p != NULL) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

void alloc_fault_arm(uint64_t nth)
{
    pthread_mutex_lock(&mu);
    fail_nth = nth;
    calls = 0;
    fired = 0;
    pthread_mutex_unlock(&mu);
}

void alloc_fault_disarm(void)
{
    pthread_mutex_lock(&mu);
    fail_nth = 0;
    pthread_mutex_unlock(&mu);
}

uint64_t alloc_fault_calls(void)
{
    pthread_mutex_lock(&mu);
    uint64_t c = calls;
    pthread_mutex_unlock(&mu);
    return c;
}

int alloc_fault_fired(void)
{
    pthread_mutex_lock(&mu);
    int f = fired;
    pthread_mutex_unlock(&mu);
    return f;
}

size_t alloc_fault_live(void)
{
    pthread_mutex_lock(&mu);
    size_t n = live;
    pthread_mutex_unlock(&mu);
    return n;
}
