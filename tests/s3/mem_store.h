/* tests/s3/mem_store.h: a store backend kept in memory, written the way a
 * user outside kiln writes one: against kiln/store.h alone. */
#ifndef KILN_TEST_MEM_STORE_H
#define KILN_TEST_MEM_STORE_H

#include <kiln/store.h>

/* An empty in-memory store named `name` (its URL in messages). 0,
 * KILN_EINVAL from kiln_store_init, or KILN_ENOMEM; *out is NULL on
 * failure. Safe to share between threads. */
int mem_store_open(kiln_store **out, const char *name);

#endif
