/* test_s3_store.c: the S3 backend against a real S3 server (RADOS Gateway on
 * loopback, started by tests/s3/run_rgw.sh, which runs this program once per
 * signature version). KILN_S3_URL names the store under test (its sigv=
 * option picks V2 or V4), KILN_S3_URL_OTHER the same bucket through the
 * other signature version, KILN_S3_BUCKET the bucket. Each test uses its own
 * prefix so that tests do not see each other's keys. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <kiln/store.h>

#include "store_conformance.h"

static char *url_for(const char *base, const char *prefix)
{
    /* base "s3://bucket/root?opts" -> "s3://bucket/root/<prefix>?opts" */
    const char *q = strchr(base, '?');
    size_t bl = q ? (size_t)(q - base) : strlen(base);
    size_t n = bl + strlen(prefix) + (q ? strlen(q) : 0) + 8;
    char *u = malloc(n);
    cr_assert(not(eq(ptr, u, NULL)));
    snprintf(u, n, "%.*s/%s%s", (int)bl, base, prefix, q ? q : "");
    return u;
}

static const char *env_or_skip(const char *name)
{
    const char *v = getenv(name);
    if (!v || !*v)
        cr_skip_test("%s not set: run through tests/s3/run_rgw.sh", name);
    return v;
}

static kiln_store *open_at(const char *var, const char *prefix,
                           const char *extra)
{
    const char *base = env_or_skip(var);
    char *u = url_for(base, prefix);
    char full[1024];
    kiln_store *s = NULL;
    if (extra)
        snprintf(full, sizeof full, "%s%s%s", u, strchr(u, '?') ? "&" : "?",
                 extra);
    else
        snprintf(full, sizeof full, "%s", u);
    int rc = kiln_store_open(&s, full);
    cr_assert(eq(int, rc, 0), "open %s: %s", full, kiln_error_last());
    free(u);
    return s;
}

static kiln_store *open_via(const char *endpoint_var, const char *prefix,
                            const char *extra);

static int is_v2(void)
{
    const char *u = getenv("KILN_S3_URL");
    return u && strstr(u, "sigv=2") != NULL;
}

/* A prefix unique to this test run and test. */
static const char *uniq(const char *name)
{
    static char buf[128];
    snprintf(buf, sizeof buf, "%s-%ld-%d", name, (long)getpid(), rand());
    return buf;
}

static void fill(uint8_t *p, size_t n, uint32_t seed)
{
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1664525u + 1013904223u;
        p[i] = (uint8_t)(seed >> 24);
    }
}

Test(s3_store, put_then_ranged_suffix_and_whole_reads)
{
    kiln_store *s = open_at("KILN_S3_URL", uniq("rw"), NULL);
    uint8_t data[10000];
    kiln_buf b = KILN_BUF_INIT;
    uint64_t size = 0;

    fill(data, sizeof data, 1);
    cr_assert(eq(int, kiln_store_put(s, "t/blocks/a.kiln", data, sizeof data),
                 0), "%s", kiln_error_last());
    cr_assert(eq(int, kiln_store_get_range(s, "t/blocks/a.kiln", 1234, 100,
                                           &b), 0), "%s", kiln_error_last());
    cr_assert(eq(u64, b.len, 100));
    cr_assert(eq(int, memcmp(b.data, data + 1234, 100), 0));
    b.len = 0;
    cr_assert(eq(int, kiln_store_get_tail(s, "t/blocks/a.kiln", 64, &b,
                                          &size), 0), "%s", kiln_error_last());
    cr_assert(eq(u64, size, sizeof data));
    cr_assert(eq(u64, b.len, 64));
    cr_assert(eq(int, memcmp(b.data, data + sizeof data - 64, 64), 0));
    /* a suffix longer than the object returns the whole object */
    b.len = 0;
    cr_assert(eq(int, kiln_store_get_tail(s, "t/blocks/a.kiln", 1 << 20, &b,
                                          &size), 0));
    cr_assert(eq(u64, b.len, sizeof data));
    cr_assert(eq(int, memcmp(b.data, data, sizeof data), 0));
    b.len = 0;
    cr_assert(eq(int, kiln_store_get_range(s, "t/blocks/a.kiln", 0,
                                           sizeof data, &b), 0));
    cr_assert(eq(int, memcmp(b.data, data, sizeof data), 0));
    cr_assert(eq(int, kiln_store_stat(s, "t/blocks/a.kiln", &size), 0));
    cr_assert(eq(u64, size, sizeof data));
    kiln_buf_free(&b);
    kiln_store_free(s);
}

Test(s3_store, past_the_end_is_corrupt_and_missing_is_not_found)
{
    kiln_store *s = open_at("KILN_S3_URL", uniq("edge"), NULL);
    kiln_buf b = KILN_BUF_INIT;
    uint64_t size = 7;

    cr_assert(eq(int, kiln_store_put(s, "k", "0123456789", 10), 0));
    cr_assert(eq(int, kiln_store_get_range(s, "k", 5, 10, &b),
                 KILN_ECORRUPT));
    cr_assert(eq(u64, b.len, 0));
    cr_assert(eq(int, kiln_store_get_range(s, "k", 10, 1, &b),
                 KILN_ECORRUPT));
    cr_assert(eq(int, kiln_store_get_range(s, "k", 10, 0, &b), 0));
    cr_assert(eq(int, kiln_store_get_range(s, "k", 11, 0, &b),
                 KILN_ECORRUPT));
    cr_assert(eq(int, kiln_store_get_range(s, "nope", 0, 1, &b),
                 KILN_ENOTFOUND));
    cr_assert(eq(int, kiln_store_get_tail(s, "nope", 8, &b, &size),
                 KILN_ENOTFOUND));
    cr_assert(eq(int, kiln_store_stat(s, "nope", &size), KILN_ENOTFOUND));
    cr_assert(eq(int, kiln_store_del(s, "nope"), KILN_ENOTFOUND));
    /* an empty object */
    cr_assert(eq(int, kiln_store_put(s, "empty", "", 0), 0));
    cr_assert(eq(int, kiln_store_get_tail(s, "empty", 8, &b, &size), 0),
              "%s", kiln_error_last());
    cr_assert(eq(u64, size, 0));
    cr_assert(eq(u64, b.len, 0));
    cr_assert(eq(int, kiln_store_del(s, "k"), 0));
    cr_assert(eq(int, kiln_store_stat(s, "k", &size), KILN_ENOTFOUND));
    kiln_buf_free(&b);
    kiln_store_free(s);
}

typedef struct listed {
    char keys[64][128]; /* keys seen, in order */
    uint64_t sizes[64];
    size_t n;           /* keys seen */
    size_t stop_at;     /* return 5 after this many, 0 = never */
} listed;

static int collect(void *ud, const char *key, uint64_t size)
{
    listed *l = ud;
    cr_assert(lt(sz, l->n, 64));
    snprintf(l->keys[l->n], sizeof l->keys[0], "%s", key);
    l->sizes[l->n++] = size;
    return l->stop_at && l->n == l->stop_at ? 5 : 0;
}

Test(s3_store, list_pages_in_key_order_with_entities_in_keys)
{
    /* 3 keys per page forces continuation tokens (V4) or markers (V2) */
    kiln_store *s = open_at("KILN_S3_URL", uniq("list"), "max-keys=3");
    static listed l;
    char key[64];

    memset(&l, 0, sizeof l);
    for (int i = 0; i < 10; i++) {
        snprintf(key, sizeof key, "t/blocks/%02d&<'\">.kiln", i);
        cr_assert(eq(int, kiln_store_put(s, key, key, (size_t)i), 0), "%s",
                  kiln_error_last());
    }
    cr_assert(eq(int, kiln_store_put(s, "u/blocks/other", "x", 1), 0));
    cr_assert(eq(int, kiln_store_list(s, "t/", collect, &l), 0), "%s",
              kiln_error_last());
    cr_assert(eq(sz, l.n, 10));
    for (int i = 0; i < 10; i++) {
        snprintf(key, sizeof key, "t/blocks/%02d&<'\">.kiln", i);
        cr_assert(eq(str, l.keys[i], key));
        cr_assert(eq(u64, l.sizes[i], (uint64_t)i));
    }
    /* the whole store, and stopping early */
    memset(&l, 0, sizeof l);
    cr_assert(eq(int, kiln_store_list(s, "", collect, &l), 0));
    cr_assert(eq(sz, l.n, 11));
    cr_assert(eq(str, l.keys[10], "u/blocks/other"));
    memset(&l, 0, sizeof l);
    l.stop_at = 4;
    cr_assert(eq(int, kiln_store_list(s, "", collect, &l), 5));
    cr_assert(eq(sz, l.n, 4));
    kiln_store_free(s);
}

typedef struct reenter {
    kiln_store *s; /* the store being listed */
    size_t n;      /* keys read back from inside the callback */
} reenter;

static int read_back(void *ud, const char *key, uint64_t size)
{
    reenter *r = ud;
    kiln_buf b = KILN_BUF_INIT;
    uint64_t got = 0;
    cr_assert(eq(int, kiln_store_get_tail(r->s, key, 4, &b, &got), 0), "%s",
              kiln_error_last());
    cr_assert(eq(u64, got, size));
    kiln_buf_free(&b);
    r->n++;
    return 0;
}

Test(s3_store, a_list_callback_may_use_the_store)
{
    /* kiln_blocks_list callers open each block as it is listed */
    kiln_store *s = open_at("KILN_S3_URL", uniq("reenter"), "max-keys=2");
    reenter r = {s, 0};
    for (int i = 0; i < 5; i++) {
        char key[32];
        snprintf(key, sizeof key, "b/%d", i);
        cr_assert(eq(int, kiln_store_put(s, key, "0123456789", 10), 0));
    }
    cr_assert(eq(int, kiln_store_list(s, "b/", read_back, &r), 0), "%s",
              kiln_error_last());
    cr_assert(eq(sz, r.n, 5));
    kiln_store_free(s);
}

static int count_keys(void *ud, const char *key, uint64_t size)
{
    (void)key;
    (void)size;
    ++*(size_t *)ud;
    return 0;
}

Test(s3_store, list_more_than_one_default_page, .timeout = 240)
{
    if (is_v2())
        cr_skip_test("one run (V4) is enough for 1100 objects");
    kiln_store *s = open_at("KILN_S3_URL", uniq("big"), NULL);
    char key[64];
    size_t n = 0;
    for (int i = 0; i < 1100; i++) {
        snprintf(key, sizeof key, "k/%05d", i);
        cr_assert(eq(int, kiln_store_put(s, key, "", 0), 0), "%s",
                  kiln_error_last());
    }
    cr_assert(eq(int, kiln_store_list(s, "k/", count_keys, &n), 0), "%s",
              kiln_error_last());
    cr_assert(eq(sz, n, 1100));
    kiln_store_free(s);
}

Test(s3_store, put_if_absent_refuses_an_existing_key)
{
    kiln_store *s = open_at("KILN_S3_URL", uniq("pia"), NULL);
    kiln_buf b = KILN_BUF_INIT;
    cr_assert(eq(int, kiln_store_put_if_absent(s, "x", "first", 5), 0), "%s",
              kiln_error_last());
    cr_assert(eq(int, kiln_store_put_if_absent(s, "x", "second", 6),
                 KILN_EEXIST));
    cr_assert(eq(int, kiln_store_get_range(s, "x", 0, 5, &b), 0));
    cr_assert(eq(int, memcmp(b.data, "first", 5), 0));
    kiln_buf_free(&b);
    kiln_store_free(s);
}

typedef struct racer {
    const char *prefix; /* shared by all racers */
    int id;             /* what this racer writes */
    int rc;             /* put_if_absent's result */
    pthread_barrier_t *go;
} racer;

static void *race(void *arg)
{
    racer *r = arg;
    kiln_store *s = open_at("KILN_S3_URL", r->prefix, NULL);
    char body[32];
    snprintf(body, sizeof body, "writer-%02d", r->id);
    pthread_barrier_wait(r->go);
    r->rc = kiln_store_put_if_absent(s, "race", body, strlen(body));
    kiln_store_free(s);
    return NULL;
}

Test(s3_store, put_if_absent_race_has_exactly_one_winner)
{
    if (is_v2())
        cr_skip_test("V2 put_if_absent is HEAD+PUT (documented): no race "
                     "guarantee");
    enum { N = 8 };
    pthread_t th[N];
    racer r[N];
    pthread_barrier_t go;
    char prefix[128];
    int wins = 0, winner = -1;
    snprintf(prefix, sizeof prefix, "%s", uniq("race"));
    pthread_barrier_init(&go, NULL, N);
    for (int i = 0; i < N; i++) {
        r[i] = (racer){prefix, i, 1, &go};
        pthread_create(&th[i], NULL, race, &r[i]);
    }
    for (int i = 0; i < N; i++)
        pthread_join(th[i], NULL);
    for (int i = 0; i < N; i++) {
        if (r[i].rc == 0) {
            wins++;
            winner = i;
        } else {
            cr_assert(eq(int, r[i].rc, KILN_EEXIST));
        }
    }
    cr_assert(eq(int, wins, 1));
    kiln_store *s = open_at("KILN_S3_URL", prefix, NULL);
    kiln_buf b = KILN_BUF_INIT;
    char want[32];
    snprintf(want, sizeof want, "writer-%02d", winner);
    cr_assert(eq(int, kiln_store_get_range(s, "race", 0, strlen(want), &b),
                 0));
    cr_assert(eq(int, memcmp(b.data, want, strlen(want)), 0));
    kiln_buf_free(&b);
    kiln_store_free(s);
    pthread_barrier_destroy(&go);
}

Test(s3_store, the_other_signature_version_reads_what_this_one_wrote)
{
    const char *p = uniq("cross");
    kiln_store *a = open_at("KILN_S3_URL", p, NULL);
    kiln_store *b = open_at("KILN_S3_URL_OTHER", p, NULL);
    uint8_t data[5000];
    kiln_buf got = KILN_BUF_INIT;
    uint64_t size = 0;
    fill(data, sizeof data, 7);
    cr_assert(eq(int, kiln_store_put(a, "t/blocks/c.kiln", data,
                                     sizeof data), 0));
    cr_assert(eq(int, kiln_store_get_tail(b, "t/blocks/c.kiln", 100, &got,
                                          &size), 0), "%s", kiln_error_last());
    cr_assert(eq(u64, size, sizeof data));
    cr_assert(eq(int, memcmp(got.data, data + sizeof data - 100, 100), 0));
    cr_assert(eq(int, kiln_store_put(b, "t/blocks/d.kiln", data, 10), 0));
    got.len = 0;
    cr_assert(eq(int, kiln_store_get_range(a, "t/blocks/d.kiln", 0, 10,
                                           &got), 0));
    cr_assert(eq(int, memcmp(got.data, data, 10), 0));
    kiln_buf_free(&got);
    kiln_store_free(a);
    kiln_store_free(b);
}

Test(s3_store, multipart_upload_of_a_large_object, .timeout = 120)
{
    size_t n = 13u << 20; /* 13 MiB: three parts of 5 MiB */
    uint8_t *data = malloc(n);
    kiln_buf b = KILN_BUF_INIT;
    uint64_t size = 0;
    kiln_store *s;

    cr_assert(not(eq(ptr, data, NULL)));
    fill(data, n, 3);
    if (is_v2()) {
        /* V2 has no multipart: a put over max-put is refused up front */
        s = open_at("KILN_S3_URL", uniq("mp"), "max-put=1048576");
        cr_assert(eq(int, kiln_store_put(s, "big", data, n), KILN_ELIMIT));
        cr_assert(eq(int, kiln_store_stat(s, "big", &size), KILN_ENOTFOUND));
    } else {
        s = open_at("KILN_S3_URL", uniq("mp"),
                    "multipart-threshold=6291456&part-size=5242880");
        cr_assert(eq(int, kiln_store_put(s, "big", data, n), 0), "%s",
                  kiln_error_last());
        cr_assert(eq(int, kiln_store_stat(s, "big", &size), 0));
        cr_assert(eq(u64, size, n));
        cr_assert(eq(int, kiln_store_get_range(s, "big", (5u << 20) - 10, 20,
                                               &b), 0));
        cr_assert(eq(int, memcmp(b.data, data + (5u << 20) - 10, 20), 0));
        b.len = 0;
        cr_assert(eq(int, kiln_store_get_tail(s, "big", 1000, &b, &size), 0));
        cr_assert(eq(int, memcmp(b.data, data + n - 1000, 1000), 0));
        /* conditional create of a large object */
        cr_assert(eq(int, kiln_store_put_if_absent(s, "big", data, n),
                     KILN_EEXIST));
    }
    kiln_buf_free(&b);
    kiln_store_free(s);
    free(data);
}

typedef struct sharer {
    kiln_store *s;     /* shared by every thread */
    int id;            /* this thread's objects are "<id>/<n>" */
    int failures;      /* operations that did not do what they should */
} sharer;

static void *share(void *arg)
{
    sharer *t = arg;
    uint8_t data[2000], back[2000];
    char key[32];
    kiln_buf b = KILN_BUF_INIT;
    for (int n = 0; n < 20; n++) {
        fill(data, sizeof data, (uint32_t)(t->id * 100 + n));
        snprintf(key, sizeof key, "%d/%d", t->id, n);
        b.len = 0;
        if (kiln_store_put(t->s, key, data, sizeof data) ||
            kiln_store_get_range(t->s, key, 10, 1000, &b) || b.len != 1000)
            t->failures++;
        else {
            memcpy(back, b.data, 1000);
            if (memcmp(back, data + 10, 1000) != 0)
                t->failures++;
        }
    }
    kiln_buf_free(&b);
    return NULL;
}

Test(s3_store, threads_may_share_one_store)
{
    enum { T = 12 };
    kiln_store *s = open_at("KILN_S3_URL", uniq("threads"), NULL);
    pthread_t th[T];
    sharer t[T];
    size_t n = 0;
    for (int i = 0; i < T; i++) {
        t[i] = (sharer){s, i, 0};
        pthread_create(&th[i], NULL, share, &t[i]);
    }
    for (int i = 0; i < T; i++) {
        pthread_join(th[i], NULL);
        cr_assert(eq(int, t[i].failures, 0), "thread %d", i);
    }
    cr_assert(eq(int, kiln_store_list(s, "", count_keys, &n), 0));
    cr_assert(eq(sz, n, (size_t)T * 20));
    cr_assert(eq(u64, s->stats.requests, (uint64_t)T * 40 + 1));
    kiln_store_free(s);
}

Test(s3_store, virtual_host_addressing_reaches_the_same_objects)
{
    /* the gateway knows "localhost" as its DNS name, and curl resolves
     * BUCKET.localhost to loopback */
    char prefix[160];
    snprintf(prefix, sizeof prefix, "%s", uniq("vhost"));
    kiln_store *v = open_via("KILN_S3_VHOST_ENDPOINT", prefix,
                             "addressing=virtual");
    kiln_store *p = open_at("KILN_S3_URL", prefix, "addressing=path");
    kiln_buf b = KILN_BUF_INIT;
    size_t n = 0;
    cr_assert(eq(int, kiln_store_put(v, "t/blocks/v.kiln", "virtual", 7), 0),
              "%s", kiln_error_last());
    cr_assert(eq(int, kiln_store_get_range(p, "t/blocks/v.kiln", 0, 7, &b),
                 0), "%s", kiln_error_last());
    cr_assert(eq(int, memcmp(b.data, "virtual", 7), 0));
    cr_assert(eq(int, kiln_store_list(v, "t/", count_keys, &n), 0), "%s",
              kiln_error_last());
    cr_assert(eq(sz, n, 1));
    kiln_buf_free(&b);
    kiln_store_free(v);
    kiln_store_free(p);
}

Test(s3_store, https_trusts_only_the_ca_it_is_given)
{
    /* the gateway's HTTPS port has a self-signed certificate */
    char prefix[160];
    kiln_store *s;
    uint64_t size = 0;
    snprintf(prefix, sizeof prefix, "%s", uniq("tls"));
    unsetenv("AWS_CA_BUNDLE");
    if (is_v2()) {
        /* libs3 2.0 never checks certificates: refused unless accepted */
        const char *ep = env_or_skip("KILN_RGW_HTTPS_ENDPOINT");
        char *saved = strdup(env_or_skip("AWS_ENDPOINT_URL"));
        char u[512];
        s = NULL;
        setenv("AWS_ENDPOINT_URL", ep, 1);
        snprintf(u, sizeof u, "s3://%s/%s?sigv=2",
                 env_or_skip("KILN_S3_BUCKET"), prefix);
        cr_assert(eq(int, kiln_store_open(&s, u), KILN_EINVAL));
        cr_assert(not(eq(ptr, strstr(kiln_error_last(), "v2-unverified-tls"),
                         NULL)), "%s", kiln_error_last());
        snprintf(u, sizeof u, "s3://%s/%s?sigv=2&v2-unverified-tls=1",
                 env_or_skip("KILN_S3_BUCKET"), prefix);
        cr_assert(eq(int, kiln_store_open(&s, u), 0), "%s",
                  kiln_error_last());
        setenv("AWS_ENDPOINT_URL", saved, 1);
        free(saved);
        cr_assert(eq(int, kiln_store_put(s, "k", "tls", 3), 0), "%s",
                  kiln_error_last());
        kiln_store_free(s);
        return;
    }
    s = open_via("KILN_RGW_HTTPS_ENDPOINT", prefix, NULL);
    cr_assert(eq(int, kiln_store_put(s, "k", "tls", 3), KILN_EIO));
    cr_assert(not(eq(ptr, strstr(kiln_error_last(), "https://"), NULL)),
              "%s", kiln_error_last());
    cr_assert(eq(ptr, strstr(kiln_error_last(), "tries"), NULL),
              "a certificate failure is not retried: %s", kiln_error_last());
    kiln_store_free(s);
    setenv("AWS_CA_BUNDLE", env_or_skip("KILN_RGW_CA"), 1);
    s = open_via("KILN_RGW_HTTPS_ENDPOINT", prefix, NULL);
    unsetenv("AWS_CA_BUNDLE");
    cr_assert(eq(int, kiln_store_put(s, "k", "tls", 3), 0), "%s",
              kiln_error_last());
    cr_assert(eq(int, kiln_store_stat(s, "k", &size), 0));
    cr_assert(eq(u64, size, 3));
    kiln_store_free(s);
}

/* ---- failures: one clear line, the right code, no secret ---- */

static void assert_one_line_without_secrets(const char *m)
{
    cr_assert(eq(ptr, strchr(m, '\n'), NULL), "%s", m);
    const char *secret = getenv("AWS_SECRET_ACCESS_KEY");
    if (secret && *secret)
        cr_assert(eq(ptr, strstr(m, secret), NULL), "%s", m);
}

Test(s3_store, wrong_secret_is_an_auth_error_naming_the_variable)
{
    const char *good = env_or_skip("AWS_SECRET_ACCESS_KEY");
    char *saved = strdup(good);
    setenv("AWS_SECRET_ACCESS_KEY", "not-the-secret-at-all", 1);
    kiln_store *s = open_at("KILN_S3_URL", uniq("auth"), NULL);
    uint64_t size;
    int rc = kiln_store_put(s, "k", "x", 1);
    cr_assert(eq(int, rc, KILN_EAUTH), "%d %s", rc, kiln_error_last());
    /* S3 and Ceph say SignatureDoesNotMatch; Ceph with STS enabled (as in
     * the test server) says AccessDenied */
    cr_assert(strstr(kiln_error_last(), "SignatureDoesNotMatch") ||
                  strstr(kiln_error_last(), "AccessDenied"),
              "%s", kiln_error_last());
    cr_assert(not(eq(ptr, strstr(kiln_error_last(), "AWS_SECRET_ACCESS_KEY"),
                     NULL)), "%s", kiln_error_last());
    assert_one_line_without_secrets(kiln_error_last());
    cr_assert(eq(ptr, strstr(kiln_error_last(), "not-the-secret"), NULL));
    /* HEAD has no error body; stat still names the cause */
    cr_assert(eq(int, kiln_store_stat(s, "k", &size), KILN_EAUTH));
    cr_assert(not(eq(ptr, strstr(kiln_error_last(), "AWS_SECRET_ACCESS_KEY"),
                     NULL)), "%s", kiln_error_last());
    kiln_store_free(s);
    setenv("AWS_SECRET_ACCESS_KEY", saved, 1);
    free(saved);
}

Test(s3_store, unknown_bucket_is_not_found_with_its_code)
{
    const char *base = env_or_skip("KILN_S3_URL");
    const char *q = strchr(base, '?');
    char u[512];
    kiln_store *s = NULL;
    size_t n = 0;
    snprintf(u, sizeof u, "s3://no-such-bucket-kiln/x%s", q ? q : "");
    cr_assert(eq(int, kiln_store_open(&s, u), 0));
    int rc = kiln_store_list(s, "", count_keys, &n);
    cr_assert(eq(int, rc, KILN_ENOTFOUND), "%s", kiln_error_last());
    cr_assert(not(eq(ptr, strstr(kiln_error_last(), "NoSuchBucket"), NULL)),
              "%s", kiln_error_last());
    assert_one_line_without_secrets(kiln_error_last());
    rc = kiln_store_put(s, "k", "x", 1);
    cr_assert(eq(int, rc, KILN_ENOTFOUND), "%s", kiln_error_last());
    kiln_store_free(s);
}

Test(s3_store, unreachable_endpoint_fails_after_a_bounded_few_tries)
{
    const char *ep = env_or_skip("KILN_S3_CLOSED_ENDPOINT");
    const char *base = env_or_skip("KILN_S3_URL");
    char *saved = strdup(env_or_skip("AWS_ENDPOINT_URL"));
    kiln_store *s = NULL;
    size_t n = 0;
    setenv("AWS_ENDPOINT_URL", ep, 1);
    cr_assert(eq(int, kiln_store_open(&s, base), 0));
    int rc = kiln_store_list(s, "", count_keys, &n);
    cr_assert(eq(int, rc, KILN_EIO), "%s", kiln_error_last());
    cr_assert(not(eq(ptr, strstr(kiln_error_last(), "cannot reach"), NULL)),
              "%s", kiln_error_last());
    cr_assert(not(eq(ptr, strstr(kiln_error_last(), "after 5 tries"), NULL)),
              "%s", kiln_error_last());
    assert_one_line_without_secrets(kiln_error_last());
    kiln_store_free(s);
    setenv("AWS_ENDPOINT_URL", saved, 1);
    free(saved);
}

Test(s3_store, invalid_session_token_is_an_auth_error)
{
    if (is_v2()) {
        /* libs3 2.0 cannot send a token: refused at open, clearly */
        kiln_store *s = NULL;
        setenv("AWS_SESSION_TOKEN", "bogus-session-token", 1);
        int rc = kiln_store_open(&s, env_or_skip("KILN_S3_URL"));
        unsetenv("AWS_SESSION_TOKEN");
        cr_assert(eq(int, rc, KILN_EINVAL));
        cr_assert(not(eq(ptr, strstr(kiln_error_last(), "AWS_SESSION_TOKEN"),
                         NULL)));
        cr_assert(eq(ptr, strstr(kiln_error_last(), "bogus-session"), NULL));
        return;
    }
    setenv("AWS_SESSION_TOKEN", "bogus-session-token", 1);
    kiln_store *s = open_at("KILN_S3_URL", uniq("token"), NULL);
    int rc = kiln_store_put(s, "k", "x", 1);
    unsetenv("AWS_SESSION_TOKEN");
    cr_assert(eq(int, rc, KILN_EAUTH), "%d %s", rc, kiln_error_last());
    assert_one_line_without_secrets(kiln_error_last());
    cr_assert(eq(ptr, strstr(kiln_error_last(), "bogus-session"), NULL));
    kiln_store_free(s);
}

/* ---- fault injection: tests/s3/faultproxy.py between kiln and the server.
 * KILN_S3_FLAKY_ENDPOINT drops, cuts, 503s, 500s and delays a share of the
 * requests; KILN_S3_DEAD_ENDPOINT answers 503 to everything;
 * KILN_S3_PARTFAIL_ENDPOINT fails multipart part 2; KILN_S3_EXPIRED_ENDPOINT
 * answers ExpiredToken. The direct endpoint (AWS_ENDPOINT_URL) checks what
 * became visible. ---- */

static kiln_store *open_via(const char *endpoint_var, const char *prefix,
                            const char *extra)
{
    const char *ep = env_or_skip(endpoint_var);
    char *saved = strdup(env_or_skip("AWS_ENDPOINT_URL"));
    setenv("AWS_ENDPOINT_URL", ep, 1);
    kiln_store *s = open_at("KILN_S3_URL", prefix, extra);
    setenv("AWS_ENDPOINT_URL", saved, 1);
    free(saved);
    return s;
}

Test(s3_fault, operations_succeed_through_injected_faults, .timeout = 300)
{
    char prefix[128];
    snprintf(prefix, sizeof prefix, "%s", uniq("flaky"));
    kiln_store *f = open_via("KILN_S3_FLAKY_ENDPOINT", prefix,
                             "tries=12&timeout=1&budget=300&max-keys=4&"
                             "multipart-threshold=6291456&part-size=5242880");
    kiln_store *d = open_at("KILN_S3_URL", prefix, NULL);
    static uint8_t data[30][3000];
    kiln_buf b = KILN_BUF_INIT;
    char key[64];
    uint64_t size = 0;
    size_t n = 0;

    for (int i = 0; i < 30; i++) {
        fill(data[i], sizeof data[i], (uint32_t)i + 100);
        snprintf(key, sizeof key, "t/blocks/%02d.kiln", i);
        cr_assert(eq(int, kiln_store_put(f, key, data[i], sizeof data[i]),
                     0), "%s", kiln_error_last());
    }
    cr_assert(eq(int, kiln_store_list(f, "t/", count_keys, &n), 0), "%s",
              kiln_error_last());
    cr_assert(eq(sz, n, 30));
    for (int i = 0; i < 30; i++) {
        snprintf(key, sizeof key, "t/blocks/%02d.kiln", i);
        b.len = 0;
        cr_assert(eq(int, kiln_store_get_range(f, key, 100, 1000, &b), 0),
                  "%s", kiln_error_last());
        cr_assert(eq(int, memcmp(b.data, data[i] + 100, 1000), 0));
        b.len = 0;
        cr_assert(eq(int, kiln_store_get_tail(f, key, 500, &b, &size), 0),
                  "%s", kiln_error_last());
        cr_assert(eq(u64, size, sizeof data[i]));
        cr_assert(eq(int, memcmp(b.data, data[i] + sizeof data[i] - 500,
                                 500), 0));
    }
    for (int i = 0; i < 10; i++) {
        snprintf(key, sizeof key, "t/new/%02d", i);
        cr_assert(eq(int, kiln_store_put_if_absent(f, key, data[i], 64), 0),
                  "%s", kiln_error_last());
        /* other bytes: a retried attempt that finds its own identical
         * object counts as success, a different one never does */
        cr_assert(eq(int, kiln_store_put_if_absent(f, key, data[i + 1], 64),
                     KILN_EEXIST), "%s", kiln_error_last());
    }
    if (!is_v2()) {
        size_t big = 11u << 20;
        uint8_t *p = malloc(big);
        fill(p, big, 9);
        cr_assert(eq(int, kiln_store_put(f, "big", p, big), 0), "%s",
                  kiln_error_last());
        b.len = 0;
        cr_assert(eq(int, kiln_store_get_range(d, "big", 0, big, &b), 0));
        cr_assert(eq(int, memcmp(b.data, p, big), 0));
        free(p);
    }
    for (int i = 0; i < 30; i += 3) {
        snprintf(key, sizeof key, "t/blocks/%02d.kiln", i);
        cr_assert(eq(int, kiln_store_del(f, key), 0), "%s",
                  kiln_error_last());
        cr_assert(eq(int, kiln_store_stat(d, key, &size), KILN_ENOTFOUND));
    }
    /* what the server holds, read without the proxy */
    n = 0;
    cr_assert(eq(int, kiln_store_list(d, "t/blocks/", count_keys, &n), 0));
    cr_assert(eq(sz, n, 20));
    kiln_buf_free(&b);
    kiln_store_free(f);
    kiln_store_free(d);
}

Test(s3_fault, a_put_outlasting_the_retry_budget_leaves_nothing_visible)
{
    char prefix[128];
    snprintf(prefix, sizeof prefix, "%s", uniq("dead"));
    kiln_store *f = open_via("KILN_S3_DEAD_ENDPOINT", prefix, "tries=3");
    kiln_store *d = open_at("KILN_S3_URL", prefix, NULL);
    uint64_t size;
    int rc = kiln_store_put(f, "t/blocks/x.kiln", "abc", 3);
    cr_assert(eq(int, rc, KILN_EIO), "%s", kiln_error_last());
    cr_assert(not(eq(ptr, strstr(kiln_error_last(), "after 3 tries"), NULL)),
              "%s", kiln_error_last());
    cr_assert(not(eq(ptr, strstr(kiln_error_last(), "SlowDown"), NULL)),
              "%s", kiln_error_last());
    assert_one_line_without_secrets(kiln_error_last());
    cr_assert(eq(int, kiln_store_stat(d, "t/blocks/x.kiln", &size),
                 KILN_ENOTFOUND));
    kiln_store_free(f);
    kiln_store_free(d);
}

Test(s3_fault, a_multipart_upload_failing_midway_is_aborted_unseen)
{
    if (is_v2())
        cr_skip_test("no multipart upload on V2");
    /* run_rgw.sh checks afterwards that no upload under "partfail-" is
     * left pending on the server */
    char prefix[160];
    snprintf(prefix, sizeof prefix, "partfail-%s", uniq("mp"));
    kiln_store *f = open_via("KILN_S3_PARTFAIL_ENDPOINT", prefix,
                             "tries=2&multipart-threshold=6291456&"
                             "part-size=5242880");
    kiln_store *d = open_at("KILN_S3_URL", prefix, NULL);
    size_t big = 12u << 20;
    uint8_t *p = calloc(1, big);
    uint64_t size;
    int rc = kiln_store_put(f, "big", p, big);
    cr_assert(eq(int, rc, KILN_EIO), "%d %s", rc, kiln_error_last());
    cr_assert(not(eq(ptr, strstr(kiln_error_last(), "multipart part"),
                     NULL)), "%s", kiln_error_last());
    cr_assert(eq(int, kiln_store_stat(d, "big", &size), KILN_ENOTFOUND));
    free(p);
    kiln_store_free(f);
    kiln_store_free(d);
}

Test(s3_fault, an_expired_token_fails_at_once_with_a_clear_message)
{
    kiln_store *f = open_via("KILN_S3_EXPIRED_ENDPOINT", uniq("exp"), NULL);
    int rc = kiln_store_put(f, "k", "x", 1);
    cr_assert(eq(int, rc, KILN_EAUTH), "%s", kiln_error_last());
    cr_assert(not(eq(ptr, strstr(kiln_error_last(), "ExpiredToken"), NULL)),
              "%s", kiln_error_last());
    cr_assert(not(eq(ptr, strstr(kiln_error_last(), "AWS_SESSION_TOKEN"),
                     NULL)), "%s", kiln_error_last());
    cr_assert(eq(ptr, strstr(kiln_error_last(), "tries"), NULL), "%s",
              kiln_error_last());
    kiln_store_free(f);
}

/* ---- the conformance checks every backend passes ---- */

static kiln_store *conf_st; /* the store of the running test */

static kiln_store *conf_open(void)
{
    conf_st = open_at("KILN_S3_URL", uniq("conf"), NULL);
    return conf_st;
}

static void conf_close(void)
{
    kiln_store_free(conf_st);
    conf_st = NULL;
}

KILN_STORE_CONFORMANCE(s3_conformance, conf_open, conf_close)
