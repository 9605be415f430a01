/* arena.c: the bump allocator protobuf-c decodes pprof and OTLP messages
 * into: no malloc per message, and running out of memory is known (failed)
 * so a decoder can say KILN_ENOMEM instead of "not a valid message". Reset,
 * not freed, between messages, so its chunks are reused. */
#include <stdlib.h>
#include <string.h>

#include "format_internal.h"

#define ARENA_ALIGN 16
#define ARENA_MIN ((size_t)64 << 10)

void *pb_arena_alloc(void *ud, size_t n)
{
    pb_arena *a = ud;
    n = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    while (a->cur < a->nchunks) {
        if (a->sizes[a->cur] - a->used >= n) {
            void *p = a->chunks[a->cur] + a->used;
            a->used += n;
            return p;
        }
        a->cur++;
        a->used = 0;
    }
    size_t sz = a->nchunks ? a->sizes[a->nchunks - 1] * 2 : ARENA_MIN;
    if (sz < n)
        sz = n;
    if (a->nchunks == a->capchunks) {
        size_t cap = a->capchunks ? 2 * a->capchunks : 8;
        uint8_t **chunks = realloc(a->chunks, cap * sizeof *chunks);
        if (!chunks)
            goto nomem;
        a->chunks = chunks;
        size_t *sizes = realloc(a->sizes, cap * sizeof *sizes);
        if (!sizes)
            goto nomem;
        a->sizes = sizes;
        a->capchunks = cap;
    }
    uint8_t *c = malloc(sz);
    if (!c)
        goto nomem;
    a->chunks[a->nchunks] = c;
    a->sizes[a->nchunks] = sz;
    a->cur = a->nchunks++;
    a->used = n;
    a->total += sz;
    return c;
nomem:
    a->failed = 1; /* protobuf-c says only "no message": this says why */
    return NULL;
}

void pb_arena_nofree(void *ud, void *p)
{
    (void)ud;
    (void)p;
}

void pb_arena_free(pb_arena *a)
{
    for (size_t i = 0; i < a->nchunks; i++)
        free(a->chunks[i]);
    free(a->chunks);
    free(a->sizes);
    memset(a, 0, sizeof *a);
}

void pb_arena_reset(pb_arena *a)
{
    a->cur = 0;
    a->used = 0;
    a->failed = 0;
}
