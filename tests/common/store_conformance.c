/* tests/common/store_conformance.c: the checks every store backend passes
 * (store_conformance.h), through the public kiln_store_* calls only, so the
 * same file tests the directory, S3 and outside-the-library backends. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_conformance.h"

int store_listing_collect(void *ud, const char *key, uint64_t size)
{
    store_listing *l = ud;

    cr_assert(l->n < 64);
    cr_assert(strlen(key) < 256);
    strcpy(l->keys[l->n], key);
    l->sizes[l->n] = size;
    l->n++;
    if (l->reread) {
        kiln_buf b = KILN_BUF_INIT;
        uint64_t got = 0;

        cr_assert(eq(int, kiln_store_get_tail(l->st, key, 4, &b, &got), 0),
                  "%s", kiln_error_last());
        cr_assert(eq(u64, got, size));
        kiln_buf_free(&b);
    }
    return l->n == l->stop_at ? 7 : 0;
}

void store_list_into(kiln_store *st, store_listing *l, const char *prefix)
{
    int rc;

    memset(l, 0, sizeof *l);
    rc = kiln_store_list(st, prefix, store_listing_collect, l);
    cr_assert(eq(int, rc, 0), "list %s: %s", prefix, kiln_error_last());
}

void store_put_str(kiln_store *st, const char *key, const char *s)
{
    int rc = kiln_store_put(st, key, s, strlen(s));

    cr_assert(eq(int, rc, 0), "put %s: %s", key, kiln_error_last());
}

char *store_get_str(kiln_store *st, const char *key)
{
    kiln_buf b = KILN_BUF_INIT;
    uint64_t size = 0;
    char *s;
    int rc = kiln_store_get_tail(st, key, UINT64_MAX, &b, &size);

    cr_assert(eq(int, rc, 0), "get %s: %s", key, kiln_error_last());
    cr_assert(eq(u64, size, b.len));
    s = malloc(b.len + 1);
    cr_assert(s != NULL);
    if (b.len)
        memcpy(s, b.data, b.len);
    s[b.len] = '\0';
    kiln_buf_free(&b);
    return s;
}

static int contains(const char *hay, const char *needle)
{
    return strstr(hay, needle) != NULL;
}

void store_check_put_then_get_range_returns_the_bytes(kiln_store *st)
{
    kiln_buf b = KILN_BUF_INIT;

    store_put_str(st, "t/blocks/a.kiln", "0123456789");
    cr_assert(eq(int, kiln_store_get_range(st, "t/blocks/a.kiln", 3, 4, &b),
                 0), "%s", kiln_error_last());
    cr_assert(eq(sz, b.len, 4));
    cr_assert(eq(int, memcmp(b.data, "3456", 4), 0));
    kiln_buf_free(&b);
}

void store_check_get_range_appends_to_the_buffer(kiln_store *st)
{
    kiln_buf b = KILN_BUF_INIT;

    store_put_str(st, "k", "hello world");
    kiln_buf_append(&b, ">>", 2);
    cr_assert(eq(int, kiln_store_get_range(st, "k", 6, 5, &b), 0));
    cr_assert(eq(sz, b.len, 7));
    cr_assert(eq(int, memcmp(b.data, ">>world", 7), 0));
    kiln_buf_free(&b);
}

void store_check_range_past_end_is_corrupt_and_appends_nothing(kiln_store *st)
{
    kiln_buf b = KILN_BUF_INIT;
    char data[120];

    memset(data, 'x', sizeof data);
    cr_assert(eq(int, kiln_store_put(st, "obj", data, sizeof data), 0));
    kiln_buf_append(&b, "keep", 4);
    cr_assert(eq(int, kiln_store_get_range(st, "obj", 100, 50, &b),
                 KILN_ECORRUPT));
    cr_assert(contains(kiln_error_last(), "obj"), "%s", kiln_error_last());
    cr_assert(eq(sz, b.len, 4));
    cr_assert(eq(int, kiln_store_get_range(st, "obj", 121, 0, &b),
                 KILN_ECORRUPT));
    cr_assert(eq(int, kiln_store_get_range(st, "obj", UINT64_MAX - 1, 5, &b),
                 KILN_EINVAL));
    cr_assert(eq(int, kiln_store_get_range(st, "obj", 2, UINT64_MAX, &b),
                 KILN_EINVAL));
    cr_assert(eq(sz, b.len, 4));
    cr_assert(eq(int, memcmp(b.data, "keep", 4), 0));
    kiln_buf_free(&b);
}

void store_check_range_edges_at_start_and_end(kiln_store *st)
{
    kiln_buf b = KILN_BUF_INIT;

    store_put_str(st, "obj", "abcdef");
    cr_assert(eq(int, kiln_store_get_range(st, "obj", 0, 6, &b), 0));
    cr_assert(eq(sz, b.len, 6));
    cr_assert(eq(int, kiln_store_get_range(st, "obj", 5, 1, &b), 0));
    cr_assert(eq(int, memcmp(b.data + 6, "f", 1), 0));
    /* Empty ranges are fine anywhere up to the end itself. */
    cr_assert(eq(int, kiln_store_get_range(st, "obj", 6, 0, &b), 0),
              "%s", kiln_error_last());
    cr_assert(eq(int, kiln_store_get_range(st, "obj", 0, 0, &b), 0));
    cr_assert(eq(sz, b.len, 7));
    cr_assert(eq(int, kiln_store_get_range(st, "obj", 6, 1, &b),
                 KILN_ECORRUPT));
    cr_assert(eq(int, kiln_store_get_range(st, "obj", 0, 7, &b),
                 KILN_ECORRUPT));
    cr_assert(eq(sz, b.len, 7));
    kiln_buf_free(&b);
}

void store_check_get_tail_returns_last_bytes_and_size(kiln_store *st)
{
    kiln_buf b = KILN_BUF_INIT;
    uint64_t size = 0;

    store_put_str(st, "obj", "0123456789");
    cr_assert(eq(int, kiln_store_get_tail(st, "obj", 3, &b, &size), 0));
    cr_assert(eq(u64, size, 10));
    cr_assert(eq(sz, b.len, 3));
    cr_assert(eq(int, memcmp(b.data, "789", 3), 0));

    kiln_buf_reset(&b);
    cr_assert(eq(int, kiln_store_get_tail(st, "obj", 100, &b, &size), 0));
    cr_assert(eq(u64, size, 10));
    cr_assert(eq(sz, b.len, 10));
    cr_assert(eq(int, memcmp(b.data, "0123456789", 10), 0));

    kiln_buf_reset(&b);
    size = 0;
    cr_assert(eq(int, kiln_store_get_tail(st, "obj", 0, &b, &size), 0),
              "%s", kiln_error_last());
    cr_assert(eq(u64, size, 10));
    cr_assert(eq(sz, b.len, 0));
    kiln_buf_free(&b);
}

void store_check_empty_object_round_trips(kiln_store *st)
{
    kiln_buf b = KILN_BUF_INIT;
    uint64_t size = 99;

    cr_assert(eq(int, kiln_store_put(st, "empty", NULL, 0), 0), "%s",
              kiln_error_last());
    cr_assert(eq(int, kiln_store_stat(st, "empty", &size), 0));
    cr_assert(eq(u64, size, 0));
    size = 99;
    cr_assert(eq(int, kiln_store_get_tail(st, "empty", 16, &b, &size), 0),
              "%s", kiln_error_last());
    cr_assert(eq(u64, size, 0));
    cr_assert(eq(sz, b.len, 0));
    cr_assert(eq(int, kiln_store_get_range(st, "empty", 0, 1, &b),
                 KILN_ECORRUPT));
    cr_assert(eq(sz, b.len, 0));
    kiln_buf_free(&b);
}

void store_check_stat_reports_size_and_missing_keys(kiln_store *st)
{
    uint64_t size = 0;

    store_put_str(st, "a/b", "12345");
    cr_assert(eq(int, kiln_store_stat(st, "a/b", &size), 0));
    cr_assert(eq(u64, size, 5));
    size = 77;
    cr_assert(eq(int, kiln_store_stat(st, "a/c", &size), KILN_ENOTFOUND));
    cr_assert(contains(kiln_error_last(), "a/c"), "%s", kiln_error_last());
    cr_assert(eq(u64, size, 77)); /* untouched on failure */
    /* A prefix is not an object, and below an object is nothing. */
    cr_assert(eq(int, kiln_store_stat(st, "a", &size), KILN_ENOTFOUND));
    cr_assert(eq(int, kiln_store_stat(st, "a/b/c", &size), KILN_ENOTFOUND));
}

void store_check_missing_key_is_not_found_for_every_read(kiln_store *st)
{
    kiln_buf b = KILN_BUF_INIT;
    uint64_t size;

    cr_assert(eq(int, kiln_store_get_range(st, "none/x", 0, 1, &b),
                 KILN_ENOTFOUND));
    cr_assert(contains(kiln_error_last(), "none/x"), "%s", kiln_error_last());
    cr_assert(eq(int, kiln_store_get_tail(st, "none/x", 8, &b, &size),
                 KILN_ENOTFOUND));
    cr_assert(eq(int, kiln_store_del(st, "none/x"), KILN_ENOTFOUND));
    cr_assert(eq(sz, b.len, 0));
    kiln_buf_free(&b);
}

void store_check_put_replaces_the_whole_object(kiln_store *st)
{
    char *big = malloc(100000), *got;

    cr_assert(big != NULL);
    memset(big, 'a', 100000);
    cr_assert(eq(int, kiln_store_put(st, "obj", big, 100000), 0));
    store_put_str(st, "obj", "short");
    got = store_get_str(st, "obj");
    cr_assert(eq(str, got, "short"));
    free(got);
    free(big);
}

void store_check_put_if_absent_creates_once(kiln_store *st)
{
    char *got;

    cr_assert(eq(int, kiln_store_put_if_absent(st, "t/m", "first", 5), 0),
              "%s", kiln_error_last());
    cr_assert(eq(int, kiln_store_put_if_absent(st, "t/m", "second", 6),
                 KILN_EEXIST));
    cr_assert(contains(kiln_error_last(), "t/m"), "%s", kiln_error_last());
    got = store_get_str(st, "t/m");
    cr_assert(eq(str, got, "first"));
    free(got);
}

void store_check_del_removes_and_then_reports_not_found(kiln_store *st)
{
    uint64_t size;
    store_listing l;

    store_put_str(st, "a/1", "x");
    store_put_str(st, "a/2", "y");
    cr_assert(eq(int, kiln_store_del(st, "a/1"), 0));
    cr_assert(eq(int, kiln_store_stat(st, "a/1", &size), KILN_ENOTFOUND));
    cr_assert(eq(int, kiln_store_del(st, "a/1"), KILN_ENOTFOUND));
    cr_assert(eq(int, kiln_store_del(st, "a"), KILN_ENOTFOUND));
    store_list_into(st, &l, "");
    cr_assert(eq(sz, l.n, 1));
    cr_assert(eq(str, l.keys[0], "a/2"));
}

void store_check_list_yields_keys_in_byte_order_with_sizes(kiln_store *st)
{
    /* "a-b" < "a/x" < "a0" in byte order ('-' < '/' < '0'), which a walk
     * sorting directory names alone would get wrong. */
    static const char *const keys[] = {"a0", "a/x", "a-b", "a/y/z", "b",
                                       "a/y0", "A", "a/y/a"};
    static const char *const want[] = {"A", "a-b", "a/x", "a/y/a", "a/y/z",
                                       "a/y0", "a0", "b"};
    store_listing l;
    size_t i;

    for (i = 0; i < sizeof keys / sizeof keys[0]; i++)
        store_put_str(st, keys[i], keys[i]);
    store_list_into(st, &l, "");
    cr_assert(eq(sz, l.n, 8));
    for (i = 0; i < 8; i++) {
        cr_assert(eq(str, l.keys[i], (char *)want[i]));
        cr_assert(eq(u64, l.sizes[i], strlen(want[i])));
    }
}

void store_check_list_filters_by_prefix(kiln_store *st)
{
    store_listing l;

    store_put_str(st, "t1/blocks/01A.kiln", "1");
    store_put_str(st, "t1/blocks/01B.kiln", "22");
    store_put_str(st, "t1/blocks/02C.kiln", "333");
    store_put_str(st, "t1/markers/01A", "m");
    store_put_str(st, "t10/blocks/01A.kiln", "x");

    store_list_into(st, &l, "t1/blocks/");
    cr_assert(eq(sz, l.n, 3));
    cr_assert(eq(str, l.keys[2], "t1/blocks/02C.kiln"));
    cr_assert(eq(u64, l.sizes[2], 3));

    store_list_into(st, &l, "t1/blocks/01");
    cr_assert(eq(sz, l.n, 2));
    cr_assert(eq(str, l.keys[0], "t1/blocks/01A.kiln"));
    cr_assert(eq(str, l.keys[1], "t1/blocks/01B.kiln"));

    /* A prefix stops anywhere: "t1" also matches "t10/...". */
    store_list_into(st, &l, "t1");
    cr_assert(eq(sz, l.n, 5));
    cr_assert(eq(str, l.keys[4], "t10/blocks/01A.kiln"));

    store_list_into(st, &l, "t1/");
    cr_assert(eq(sz, l.n, 4));

    store_list_into(st, &l, "nothing/here/");
    cr_assert(eq(sz, l.n, 0));
    store_list_into(st, &l, "t1/blocks/01A.kiln");
    cr_assert(eq(sz, l.n, 1));
    store_list_into(st, &l, "t1/blocks/01A.kiln/");
    cr_assert(eq(sz, l.n, 0));
}

void store_check_list_stops_when_the_callback_says_so(kiln_store *st)
{
    store_listing l;
    int rc;

    store_put_str(st, "k1", "a");
    store_put_str(st, "k2", "b");
    store_put_str(st, "k3", "c");
    memset(&l, 0, sizeof l);
    l.stop_at = 2;
    rc = kiln_store_list(st, "", store_listing_collect, &l);
    cr_assert(eq(int, rc, 7));
    cr_assert(eq(sz, l.n, 2));
}

void store_check_a_list_callback_may_use_the_store(kiln_store *st)
{
    /* kiln_blocks_list callers open each block as it is listed. */
    store_listing l;
    char key[32];
    int i;

    for (i = 0; i < 5; i++) {
        snprintf(key, sizeof key, "b/%d", i);
        store_put_str(st, key, "0123456789");
    }
    memset(&l, 0, sizeof l);
    l.st = st;
    l.reread = 1;
    cr_assert(eq(int, kiln_store_list(st, "b/", store_listing_collect, &l), 0), "%s",
              kiln_error_last());
    cr_assert(eq(sz, l.n, 5));
}

void store_check_unusual_but_valid_keys_work(kiln_store *st)
{
    static const char *const good[] = {".hidden", "a/..b", "...", "a/.x/b",
                                       "sp ace/\xc3\xbc.kiln", "k-1_2.3~"};
    size_t i;
    store_listing l;

    for (i = 0; i < sizeof good / sizeof good[0]; i++) {
        char *got;
        cr_assert(eq(int, kiln_store_key_valid(good[i]), 1), "%s", good[i]);
        store_put_str(st, good[i], good[i]);
        got = store_get_str(st, good[i]);
        cr_assert(eq(str, got, (char *)good[i]));
        free(got);
    }
    store_list_into(st, &l, "");
    cr_assert(eq(sz, l.n, sizeof good / sizeof good[0]));
}

void store_check_bad_keys_are_refused_before_any_request(kiln_store *st)
{
    static const char *const bad[] = {
        "", "/abs", "a//b", "a/./b", "./a", "../x", "a/..", "a/", ".", "..",
        "tab\there", "new\nline", "del\x7f",
    };
    char longkey[1100];
    kiln_buf b = KILN_BUF_INIT;
    uint64_t size;
    size_t i;
    store_listing l;

    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cr_assert(eq(int, kiln_store_put(st, bad[i], "x", 1), KILN_EINVAL));
        cr_assert(eq(int, kiln_store_put_if_absent(st, bad[i], "x", 1),
                     KILN_EINVAL));
        cr_assert(eq(int, kiln_store_get_range(st, bad[i], 0, 1, &b),
                     KILN_EINVAL));
        cr_assert(eq(int, kiln_store_get_tail(st, bad[i], 1, &b, &size),
                     KILN_EINVAL));
        cr_assert(eq(int, kiln_store_stat(st, bad[i], &size), KILN_EINVAL));
        cr_assert(eq(int, kiln_store_del(st, bad[i]), KILN_EINVAL));
    }
    memset(longkey, 'k', sizeof longkey);
    for (i = 200; i < sizeof longkey; i += 200)
        longkey[i] = '/';
    longkey[1025] = '\0';
    cr_assert(eq(int, kiln_store_put(st, longkey, "x", 1), KILN_EINVAL));
    cr_assert(contains(kiln_error_last(), "invalid key"), "%s",
              kiln_error_last());
    cr_assert(eq(int, kiln_store_list(st, "/abs", store_listing_collect, &l), KILN_EINVAL));
    cr_assert(eq(int, kiln_store_list(st, "a//", store_listing_collect, &l), KILN_EINVAL));
    cr_assert(eq(int, kiln_store_list(st, "../", store_listing_collect, &l), KILN_EINVAL));
    cr_assert(eq(u64, st->stats.requests, 0));
    store_list_into(st, &l, "");
    cr_assert(eq(sz, l.n, 0));
    kiln_buf_free(&b);
}

void store_check_stats_count_requests_and_bytes(kiln_store *st)
{
    kiln_buf b = KILN_BUF_INIT;
    uint64_t size;
    store_listing l;

    store_put_str(st, "k", "0123456789");
    cr_assert(eq(int, kiln_store_put_if_absent(st, "k", "zz", 2),
                 KILN_EEXIST));
    cr_assert(eq(int, kiln_store_get_range(st, "k", 2, 3, &b), 0));
    cr_assert(eq(int, kiln_store_get_tail(st, "k", 4, &b, &size), 0));
    cr_assert(eq(int, kiln_store_stat(st, "k", &size), 0));
    cr_assert(eq(int, kiln_store_get_range(st, "k", 9, 3, &b),
                 KILN_ECORRUPT));
    store_list_into(st, &l, "");
    cr_assert(eq(u64, st->stats.requests, 7));
    cr_assert(eq(u64, st->stats.bytes_read, 7));
    cr_assert(eq(u64, st->stats.bytes_written, 10));
    kiln_buf_free(&b);
}
