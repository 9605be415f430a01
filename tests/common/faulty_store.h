/* tests/common/faulty_store.h: a store that wraps another and fails chosen
 * calls, so every module's tests can fail the 1st, 2nd, 3rd ... store call
 * of an operation (the SQLite way) and check nothing half-done is visible. */
#ifndef KILN_TEST_FAULTY_STORE_H
#define KILN_TEST_FAULTY_STORE_H

#include <kiln/store.h>

/* Operations, as bits of a mask. */
#define KILN_FAULT_GET_RANGE 0x01u
#define KILN_FAULT_GET_TAIL 0x02u
#define KILN_FAULT_STAT 0x04u
#define KILN_FAULT_PUT 0x08u
#define KILN_FAULT_PUT_IF_ABSENT 0x10u
#define KILN_FAULT_LIST 0x20u
#define KILN_FAULT_DEL 0x40u
#define KILN_FAULT_READS (KILN_FAULT_GET_RANGE | KILN_FAULT_GET_TAIL | \
                          KILN_FAULT_STAT | KILN_FAULT_LIST)
#define KILN_FAULT_WRITES (KILN_FAULT_PUT | KILN_FAULT_PUT_IF_ABSENT | \
                           KILN_FAULT_DEL)
#define KILN_FAULT_ALL 0x7fu

typedef struct kiln_fault_opts {
    unsigned ops;       /* which operations may fail (KILN_FAULT_*); 0 = all */
    uint64_t fail_nth;  /* fail the Nth call (1-based) among `ops`; 0 = off */
    int fail_after;     /* 1: fail every call among `ops` from the Nth on,
                         * not only the Nth (a store that went away) */
    double fail_share;  /* also fail this share (0..1) of calls among `ops`,
                         * chosen by a PRNG seeded with `seed` */
    uint64_t seed;      /* PRNG seed for fail_share; same seed, same calls */
    int err;            /* code a failed call returns; 0 = KILN_EIO */
    int lost_reply;     /* 1: a failing put/put_if_absent/del still reaches
                         * the inner store, then reports failure (a reply lost
                         * after the write happened) */
} kiln_fault_opts;

#define KILN_FAULT_OPTS_INIT {0, 0, 0, 0.0, 1, 0, 0}

/* Wrap `inner` (borrowed: free the wrapper first, then inner) failing calls
 * as `o` says (NULL: never fail, just count). Both stores share no stats. */
int faulty_store_wrap(kiln_store **out, kiln_store *inner,
                           const kiln_fault_opts *o);

/* Replace the failure rules and restart counting the calls seen by them. */
void faulty_store_set(kiln_store *s, const kiln_fault_opts *o);

/* Calls that reached the wrapper, for the operations in mask (0 = all),
 * since creation, failed or not. */
uint64_t faulty_store_calls(const kiln_store *s, unsigned mask);

/* Calls the wrapper failed on purpose since creation. */
uint64_t faulty_store_failures(const kiln_store *s);

#endif
