/* tests/common/store_conformance.h: what every store backend must do,
 * written once against the public API (kiln/store.h) and run against the
 * directory backend (tests/s3/test_dir.c), the S3 backend
 * (tests/s3/test_s3_store.c) and a backend written outside the library
 * (tests/s3/test_mem_store.c). */
#ifndef KILN_TEST_STORE_CONFORMANCE_H
#define KILN_TEST_STORE_CONFORMANCE_H

#include <criterion/criterion.h>

#include <kiln/store.h>

/* The keys (at most 64 of under 256 bytes) a listing handed over. */
typedef struct store_listing {
    size_t n;
    char keys[64][256];
    uint64_t sizes[64];
    size_t stop_at;  /* return 7 from the callback at this entry (1-based) */
    kiln_store *st;  /* with reread: read each key back from the callback */
    int reread;
} store_listing;

/* The kiln_store_list_cb filling a store_listing (ud). */
int store_listing_collect(void *ud, const char *key, uint64_t size);
/* Reset l and list prefix of st into it; fails the test on an error. */
void store_list_into(kiln_store *st, store_listing *l, const char *prefix);

/* Put the string s (without its NUL) under key; fails the test on an
 * error. */
void store_put_str(kiln_store *st, const char *key, const char *s);
/* The whole object as a NUL-terminated malloc'd string; fails the test on
 * an error. */
char *store_get_str(kiln_store *st, const char *key);

/* The checks, by name. Each takes a fresh, empty store and works on keys
 * relative to it; a failed check fails the Criterion test it runs in. */
#define KILN_STORE_CHECKS(X, ...)                                         \
    X(__VA_ARGS__, put_then_get_range_returns_the_bytes)                  \
    X(__VA_ARGS__, get_range_appends_to_the_buffer)                       \
    X(__VA_ARGS__, range_past_end_is_corrupt_and_appends_nothing)         \
    X(__VA_ARGS__, range_edges_at_start_and_end)                          \
    X(__VA_ARGS__, get_tail_returns_last_bytes_and_size)                  \
    X(__VA_ARGS__, empty_object_round_trips)                              \
    X(__VA_ARGS__, stat_reports_size_and_missing_keys)                    \
    X(__VA_ARGS__, missing_key_is_not_found_for_every_read)               \
    X(__VA_ARGS__, put_replaces_the_whole_object)                         \
    X(__VA_ARGS__, put_if_absent_creates_once)                            \
    X(__VA_ARGS__, del_removes_and_then_reports_not_found)                \
    X(__VA_ARGS__, list_yields_keys_in_byte_order_with_sizes)             \
    X(__VA_ARGS__, list_filters_by_prefix)                                \
    X(__VA_ARGS__, list_stops_when_the_callback_says_so)                  \
    X(__VA_ARGS__, a_list_callback_may_use_the_store)                     \
    X(__VA_ARGS__, unusual_but_valid_keys_work)                           \
    X(__VA_ARGS__, bad_keys_are_refused_before_any_request)               \
    X(__VA_ARGS__, stats_count_requests_and_bytes)

#define KILN_STORE_CHECK_DECL_(unused, name) \
    void store_check_##name(kiln_store *st);
KILN_STORE_CHECKS(KILN_STORE_CHECK_DECL_, _)

#define KILN_STORE_CHECK_TEST_(suite, open_fn, close_fn, name)            \
    Test(suite, name, .fini = close_fn)                                   \
    {                                                                     \
        store_check_##name(open_fn());                                    \
    }

/* One Criterion test per check in `suite`: open_fn() returns a fresh, empty
 * store (it may cr_skip_test when the backend is not reachable) and
 * close_fn() (run even when the check fails) frees it and what it holds. */
#define KILN_STORE_CONFORMANCE(suite, open_fn, close_fn)                  \
    KILN_STORE_CHECKS(KILN_STORE_CHECK_TEST_, suite, open_fn, close_fn)

#endif
