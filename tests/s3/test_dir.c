/* tests/s3/test_dir.c: the directory backend and the store front end: every
 * operation, atomic replacement and conditional create under concurrency,
 * range edge cases, key checks, URLs, counters, and the fault wrapper. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <kiln/store.h>

#include "faulty_store.h"
#include "store_conformance.h"
#include "tmp_store.h"
#include "kiln_config.h"

static char root[512];  /* this test's store directory */
static kiln_store *st;      /* the store opened on root */

static void setup(void)
{
    st = tmp_store_open(root, sizeof root, "dir");
}

static void teardown(void)
{
    tmp_store_close(st, root);
    st = NULL;
}

TestSuite(s3_dir, .init = setup, .fini = teardown, .timeout = 60);
TestSuite(s3_store, .init = setup, .fini = teardown, .timeout = 60);
TestSuite(s3_fault, .init = setup, .fini = teardown, .timeout = 60);

/* ---- helpers ---- */

static void put_str(const char *key, const char *s)
{
    store_put_str(st, key, s);
}

static char *get_str(const char *key)
{
    return store_get_str(st, key);
}

typedef store_listing listing;

static void list_into(listing *l, const char *prefix)
{
    store_list_into(st, l, prefix);
}

/* Names in root/sub that look like our temp files. */
static size_t count_temp_files(const char *sub)
{
    char path[PATH_MAX];
    struct dirent *de;
    size_t n = 0;
    DIR *d;

    snprintf(path, sizeof path, "%s/%s", root, sub);
    d = opendir(path);
    if (d == NULL)
        return 0;
    while ((de = readdir(d)) != NULL)
        if (strstr(de->d_name, ".tmp.") != NULL)
            n++;
    closedir(d);
    return n;
}

static int contains(const char *hay, const char *needle)
{
    return strstr(hay, needle) != NULL;
}

/* ---- operations ---- */

Test(s3_dir, put_creates_parent_directories_as_files_on_disk)
{
    char path[PATH_MAX];
    struct stat sb;

    put_str("x/y/z/deep.kiln", "abc");
    snprintf(path, sizeof path, "%s/x/y/z/deep.kiln", root);
    cr_assert(eq(int, stat(path, &sb), 0));
    cr_assert(eq(i64, (int64_t)sb.st_size, 3));
}

/* The codes and "nothing appended" are store_conformance.c's; here the
 * directory backend's message. */
Test(s3_dir, range_past_end_is_corrupt_and_named)
{
    kiln_buf b = KILN_BUF_INIT;
    char data[120];

    memset(data, 'x', sizeof data);
    cr_assert(eq(int, kiln_store_put(st, "obj", data, sizeof data), 0));
    cr_assert(eq(int, kiln_store_get_range(st, "obj", 100, 50, &b),
                 KILN_ECORRUPT));
    cr_assert(contains(kiln_error_last(), "obj: range 100+50 past end "
                                          "(120 bytes)"),
              "%s", kiln_error_last());
    kiln_buf_free(&b);
}

/* What put and put_if_absent do is store_conformance.c's; here that the
 * directory backend leaves no temp file behind doing it. */
Test(s3_dir, put_and_put_if_absent_leave_no_temp_files)
{
    char *big = malloc(100000);

    memset(big, 'a', 100000);
    cr_assert(eq(int, kiln_store_put(st, "obj", big, 100000), 0));
    put_str("obj", "short");
    free(big);
    cr_assert(eq(sz, count_temp_files(""), 0));
    cr_assert(eq(int, kiln_store_put_if_absent(st, "t/m", "first", 5), 0));
    cr_assert(eq(int, kiln_store_put_if_absent(st, "t/m", "second", 6),
                 KILN_EEXIST));
    cr_assert(eq(sz, count_temp_files("t"), 0));
}

/* ---- list ---- */

Test(s3_dir, list_never_shows_temp_files)
{
    char path[PATH_MAX];
    listing l;
    int fd;

    put_str("t/blocks/b.kiln", "data");
    /* What a writer that crashed mid-put leaves behind. */
    snprintf(path, sizeof path, "%s/t/blocks/.b2.kiln.tmp.12345.7", root);
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
    cr_assert(fd >= 0);
    cr_assert(eq(sz, (size_t)write(fd, "half", 4), 4));
    close(fd);
    list_into(&l, "");
    cr_assert(eq(sz, l.n, 1));
    cr_assert(eq(str, l.keys[0], "t/blocks/b.kiln"));
    list_into(&l, "t/blocks/.b2");
    cr_assert(eq(sz, l.n, 0));
}

/* ---- atomicity under failure ---- */

Test(s3_dir, failed_write_leaves_old_object_and_no_temp_file)
{
    struct rlimit rl = {4096, 4096};
    char *big = malloc(65536), *got;
    listing l;

    put_str("t/obj", "old contents");
    /* Writing past RLIMIT_FSIZE fails with EFBIG half-way through the
     * temp file (SIGXFSZ ignored): the put must fail cleanly. */
    signal(SIGXFSZ, SIG_IGN);
    cr_assert(eq(int, setrlimit(RLIMIT_FSIZE, &rl), 0));
    memset(big, 'n', 65536);
    cr_assert(eq(int, kiln_store_put(st, "t/obj", big, 65536), KILN_EIO));
    cr_assert(contains(kiln_error_last(), "t/obj"), "%s", kiln_error_last());
    cr_assert(eq(int, kiln_store_put_if_absent(st, "t/new", big, 65536),
                 KILN_EIO));
    got = get_str("t/obj");
    cr_assert(eq(str, got, "old contents"));
    free(got);
    cr_assert(eq(sz, count_temp_files("t"), 0));
    list_into(&l, "");
    cr_assert(eq(sz, l.n, 1));
    free(big);
}

Test(s3_dir, put_if_absent_of_a_stored_object_needs_no_space)
{
    struct rlimit rl = {0, 0};
    char *big = calloc(1, 65536);

    /* A rerun on a full disk: the objects stored the first time are found
     * before any temp file is written, so they are "already there", not
     * an I/O error; a new object still fails cleanly. */
    cr_assert(eq(int, kiln_store_put_if_absent(st, "t/blk", big, 65536), 0));
    signal(SIGXFSZ, SIG_IGN);
    cr_assert(eq(int, setrlimit(RLIMIT_FSIZE, &rl), 0));
    cr_assert(eq(int, kiln_store_put_if_absent(st, "t/blk", big, 65536),
                 KILN_EEXIST), "%s", kiln_error_last());
    cr_assert(eq(int, kiln_store_put_if_absent(st, "t/other", big, 65536),
                 KILN_EIO));
    cr_assert(eq(sz, count_temp_files("t"), 0));
    free(big);
}

Test(s3_dir, put_below_an_object_fails_without_residue)
{
    listing l;

    put_str("a", "file");
    cr_assert(eq(int, kiln_store_put(st, "a/b", "x", 1), KILN_EIO));
    cr_assert(contains(kiln_error_last(), "a/b"), "%s", kiln_error_last());
    list_into(&l, "");
    cr_assert(eq(sz, l.n, 1));
    cr_assert(eq(sz, count_temp_files(""), 0));
}

Test(s3_dir, put_over_a_prefix_directory_fails)
{
    put_str("a/b", "x");
    cr_assert(eq(int, kiln_store_put(st, "a", "y", 1), KILN_EIO));
    cr_assert(eq(int, kiln_store_put_if_absent(st, "a", "y", 1), KILN_EIO));
    cr_assert(eq(sz, count_temp_files(""), 0));
}

Test(s3_dir, overlong_segment_is_refused_cleanly)
{
    char key[300];

    memset(key, 'n', 299);
    key[299] = '\0';
    cr_assert(eq(int, kiln_store_put(st, key, "x", 1), KILN_EINVAL));
    cr_assert(eq(sz, count_temp_files(""), 0));
}

/* ---- concurrency ---- */

#define RACERS 8

/* Each racer process tries to create the same key with its own content;
 * exit status 0 = won, 1 = lost with KILN_EEXIST, 2 = other failure. */
static int race_child(const char *key, int id)
{
    kiln_store *s = NULL;
    char body[64];
    int rc;

    if (kiln_store_open_dir(&s, root) != 0)
        return 2;
    snprintf(body, sizeof body, "winner is racer %d", id);
    rc = kiln_store_put_if_absent(s, key, body, strlen(body));
    kiln_store_free(s);
    return rc == 0 ? 0 : rc == KILN_EEXIST ? 1 : 2;
}

Test(s3_dir, put_if_absent_race_between_processes_has_one_winner)
{
    int round;

    for (round = 0; round < 5; round++) {
        pid_t pids[RACERS];
        char key[64], want[64], *got;
        int i, wins = 0, losses = 0, winner = -1;

        snprintf(key, sizeof key, "race/r%d/block.kiln", round);
        for (i = 0; i < RACERS; i++) {
            pids[i] = fork();
            cr_assert(pids[i] >= 0);
            if (pids[i] == 0)
                _exit(race_child(key, i));
        }
        for (i = 0; i < RACERS; i++) {
            int status;
            cr_assert(eq(int, (int)waitpid(pids[i], &status, 0), (int)pids[i]));
            cr_assert(eq(int, WIFEXITED(status) ? 1 : 0, 1));
            if (WEXITSTATUS(status) == 0) {
                wins++;
                winner = i;
            } else if (WEXITSTATUS(status) == 1) {
                losses++;
            }
        }
        cr_assert(eq(int, wins, 1));
        cr_assert(eq(int, losses, RACERS - 1));
        snprintf(want, sizeof want, "winner is racer %d", winner);
        got = get_str(key);
        cr_assert(eq(str, got, want));
        free(got);
    }
    cr_assert(eq(sz, count_temp_files("race/r0"), 0));
}

typedef struct racer {
    int id;     /* racer number */
    char key[64];
    int rc;     /* put_if_absent's result */
} racer;

static void *race_thread(void *arg)
{
    racer *r = arg;
    char body[64];

    snprintf(body, sizeof body, "thread %d", r->id);
    r->rc = kiln_store_put_if_absent(st, r->key, body, strlen(body));
    return NULL;
}

Test(s3_dir, put_if_absent_race_between_threads_has_one_winner)
{
    pthread_t th[RACERS];
    racer r[RACERS];
    char want[64], *got;
    int i, wins = 0, winner = -1;

    for (i = 0; i < RACERS; i++) {
        r[i].id = i;
        strcpy(r[i].key, "threads/one.kiln");
        cr_assert(eq(int, pthread_create(&th[i], NULL, race_thread, &r[i]),
                     0));
    }
    for (i = 0; i < RACERS; i++) {
        pthread_join(th[i], NULL);
        if (r[i].rc == 0) {
            wins++;
            winner = i;
        } else {
            cr_assert(eq(int, r[i].rc, KILN_EEXIST));
        }
    }
    cr_assert(eq(int, wins, 1));
    snprintf(want, sizeof want, "thread %d", winner);
    got = get_str("threads/one.kiln");
    cr_assert(eq(str, got, want));
    free(got);
    /* Every request was counted, from every thread. */
    cr_assert(eq(u64, st->stats.requests, RACERS + 1));
}

/* A reader never sees a mix of two versions while a writer replaces the
 * object over and over. */
Test(s3_dir, readers_see_whole_objects_during_replacement)
{
    enum { A_LEN = 65536, B_LEN = 24576, ROUNDS = 200 };
    char *a = malloc(A_LEN), *b = malloc(B_LEN);
    kiln_buf got = KILN_BUF_INIT;
    pid_t pid;
    int i, status;

    memset(a, 'A', A_LEN);
    memset(b, 'B', B_LEN);
    cr_assert(eq(int, kiln_store_put(st, "hot", a, A_LEN), 0));
    pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0) {
        kiln_store *s = NULL;
        int bad = kiln_store_open_dir(&s, root) != 0;
        for (i = 0; i < ROUNDS && !bad; i++)
            bad = kiln_store_put(s, "hot", (i & 1) ? a : b,
                                 (i & 1) ? A_LEN : B_LEN) != 0;
        kiln_store_free(s);
        _exit(bad);
    }
    for (i = 0; i < ROUNDS; i++) {
        uint64_t size = 0;
        size_t j;
        kiln_buf_reset(&got);
        cr_assert(eq(int, kiln_store_get_tail(st, "hot", UINT64_MAX, &got,
                                              &size), 0));
        cr_assert(size == A_LEN || size == B_LEN, "size %llu",
                  (unsigned long long)size);
        for (j = 0; j < got.len; j++)
            cr_assert(got.data[j] == (size == A_LEN ? 'A' : 'B'));
    }
    cr_assert(eq(int, (int)waitpid(pid, &status, 0), (int)pid));
    cr_assert(eq(int, WIFEXITED(status) ? WEXITSTATUS(status) : -1, 0));
    cr_assert(eq(sz, count_temp_files(""), 0));
    kiln_buf_free(&got);
    free(a);
    free(b);
}

/* ---- the front end: keys, URLs, counters ---- */

/* That every call refuses these before any request is
 * store_conformance.c's; here the rule itself. */
Test(s3_store, key_valid_refuses_bad_keys_and_takes_1024_bytes)
{
    static const char *const bad[] = {
        "", "/abs", "a//b", "a/./b", "./a", "../x", "a/..", "a/", ".", "..",
        "tab\there", "new\nline", "del\x7f",
    };
    char longkey[1100];
    size_t i;

    for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_assert(eq(int, kiln_store_key_valid(bad[i]), 0), "%s", bad[i]);
    cr_assert(eq(int, kiln_store_key_valid(NULL), 0));
    memset(longkey, 'k', sizeof longkey);
    for (i = 200; i < sizeof longkey; i += 200)
        longkey[i] = '/';
    longkey[1025] = '\0';
    cr_assert(eq(int, kiln_store_key_valid(longkey), 0));
    longkey[1024] = '\0';
    cr_assert(eq(int, kiln_store_key_valid(longkey), 1));
}

static int never_called(kiln_store *s, const char *key, uint64_t *size)
{
    (void)s;
    (void)key;
    (void)size;
    cr_fatal("an operation of a refused store ran");
    return 0;
}

Test(s3_store, init_refuses_bad_ops_with_a_message)
{
    kiln_store_ops ops = *st->ops;
    kiln_store s;

    ops.version = KILN_STORE_OPS_VERSION + 1;
    cr_assert(eq(int, kiln_store_init(&s, &ops, "x://"), KILN_EINVAL));
    cr_assert(contains(kiln_error_last(), "version 2 is not supported"),
              "%s", kiln_error_last());
    cr_assert(eq(ptr, s.url, NULL));
    ops.version = KILN_STORE_OPS_VERSION;
    ops.stat = NULL;
    cr_assert(eq(int, kiln_store_init(&s, &ops, "x://"), KILN_EINVAL));
    cr_assert(contains(kiln_error_last(), "every operation"), "%s",
              kiln_error_last());
    cr_assert(eq(int, kiln_store_init(&s, NULL, "x://"), KILN_EINVAL));
    ops.stat = never_called;
    cr_assert(eq(int, kiln_store_init(&s, &ops, "x://"), 0));
    cr_assert(eq(str, s.url, "x://"));
    cr_assert(eq(u64, s.stats.requests, 0));
    free(s.url);
}

Test(s3_store, open_accepts_paths_and_file_urls)
{
    char url[PATH_MAX + 64], path[PATH_MAX];
    kiln_store *s = NULL;
    struct stat sb;
    char *got;

    put_str("shared/k", "seen by all");

    snprintf(url, sizeof url, "file://%s", root);
    cr_assert(eq(int, kiln_store_open(&s, url), 0), "%s", kiln_error_last());
    cr_assert(eq(str, s->url, url));
    kiln_store_free(s);

    snprintf(url, sizeof url, "file://localhost%s/", root);
    cr_assert(eq(int, kiln_store_open(&s, url), 0), "%s", kiln_error_last());
    kiln_store_free(st);
    st = s;
    got = get_str("shared/k");
    cr_assert(eq(str, got, "seen by all"));
    free(got);

    /* Percent escapes in file URLs; missing directories are created by
     * the first write, not by opening (reads of a missing store are
     * KILN_ENOTFOUND). */
    snprintf(url, sizeof url, "file://%s/new%%20dir/sub", root);
    cr_assert(eq(int, kiln_store_open(&s, url), 0), "%s", kiln_error_last());
    snprintf(path, sizeof path, "%s/new dir/sub", root);
    cr_assert(eq(int, stat(path, &sb), -1));
    listing none = {0};
    cr_assert(eq(int, kiln_store_list(s, "", store_listing_collect, &none),
                 KILN_ENOTFOUND));
    cr_assert(eq(sz, none.n, 0));
    cr_assert(eq(int, kiln_store_put(s, "k", "v", 1), 0), "%s",
              kiln_error_last());
    kiln_store_free(s);
    cr_assert(eq(int, stat(path, &sb), 0));
    cr_assert(eq(int, S_ISDIR(sb.st_mode) ? 1 : 0, 1));

    snprintf(url, sizeof url, "%s/plain/a/b", root);
    cr_assert(eq(int, kiln_store_open(&s, url), 0), "%s", kiln_error_last());
    cr_assert(eq(str, s->url, url));
    kiln_store_free(s);
}

Test(s3_store, open_refuses_bad_urls_with_a_reason)
{
    kiln_store *s = (kiln_store *)1;

    cr_assert(eq(int, kiln_store_open(&s, ""), KILN_EINVAL));
    cr_assert(s == NULL);
    cr_assert(eq(int, kiln_store_open(&s, "gs://bucket/x"), KILN_EINVAL));
    cr_assert(contains(kiln_error_last(), "'gs'"), "%s", kiln_error_last());
    cr_assert(eq(int, kiln_store_open(&s, "file://otherhost/data"),
                 KILN_EINVAL));
    cr_assert(contains(kiln_error_last(), "otherhost"), "%s",
              kiln_error_last());
    cr_assert(eq(int, kiln_store_open(&s, "file:relative"), KILN_EINVAL));
    cr_assert(eq(int, kiln_store_open(&s, "file:///tmp/bad%zzescape"),
                 KILN_EINVAL));
    cr_assert(eq(int, kiln_store_open(&s, "file:///tmp/nul%00"),
                 KILN_EINVAL));
#if !KILN_HAVE_S3
    cr_assert(eq(int, kiln_store_open(&s, "s3://bucket/prefix"),
                 KILN_EINVAL));
    cr_assert(contains(kiln_error_last(), "S3 support"), "%s",
              kiln_error_last());
#endif
}

Test(s3_store, open_fails_when_the_path_is_a_file)
{
    char path[PATH_MAX];
    kiln_store *s = NULL;
    int fd;

    snprintf(path, sizeof path, "%s/afile", root);
    fd = open(path, O_WRONLY | O_CREAT, 0644);
    cr_assert(fd >= 0);
    close(fd);
    cr_assert(eq(int, kiln_store_open_dir(&s, path), KILN_EIO));
    cr_assert(contains(kiln_error_last(), "afile"), "%s", kiln_error_last());
    cr_assert(s == NULL);
}

Test(s3_store, relative_root_survives_chdir)
{
    char cwd[PATH_MAX], *got;
    kiln_store *s = NULL;

    cr_assert(getcwd(cwd, sizeof cwd) != NULL);
    cr_assert(eq(int, chdir(root), 0));
    cr_assert(eq(int, kiln_store_open(&s, "rel/store"), 0), "%s",
              kiln_error_last());
    cr_assert(eq(int, chdir("/"), 0));
    cr_assert(eq(int, kiln_store_put(s, "k", "v", 1), 0), "%s",
              kiln_error_last());
    kiln_store_free(s);
    cr_assert(eq(int, chdir(cwd), 0));
    cr_assert(eq(int, kiln_store_open_dir(&s, root), 0));
    kiln_store_free(st);
    st = s;
    got = get_str("rel/store/k");
    cr_assert(eq(str, got, "v"));
    free(got);
}

Test(s3_store, free_accepts_null)
{
    kiln_store_free(NULL);
}

/* ---- the fault wrapper every module's tests use ---- */

Test(s3_fault, fails_exactly_the_nth_call_and_counts)
{
    kiln_fault_opts o = KILN_FAULT_OPTS_INIT;
    kiln_store *f = NULL;
    uint64_t size;

    o.fail_nth = 2;
    cr_assert(eq(int, faulty_store_wrap(&f, st, &o), 0));
    cr_assert(eq(int, kiln_store_put(f, "a", "1", 1), 0));
    cr_assert(eq(int, kiln_store_put(f, "b", "2", 1), KILN_EIO));
    cr_assert(contains(kiln_error_last(), "injected"), "%s",
              kiln_error_last());
    cr_assert(eq(int, kiln_store_put(f, "c", "3", 1), 0));
    cr_assert(eq(int, kiln_store_stat(st, "b", &size), KILN_ENOTFOUND));
    cr_assert(eq(int, kiln_store_stat(st, "c", &size), 0));
    cr_assert(eq(u64, faulty_store_calls(f, 0), 3));
    cr_assert(eq(u64, faulty_store_calls(f, KILN_FAULT_PUT), 3));
    cr_assert(eq(u64, faulty_store_calls(f, KILN_FAULT_STAT), 0));
    cr_assert(eq(u64, faulty_store_failures(f), 1));
    cr_assert(eq(u64, f->stats.requests, 3));
    kiln_store_free(f);
}

Test(s3_fault, counts_only_the_chosen_operations)
{
    kiln_fault_opts o = KILN_FAULT_OPTS_INIT;
    kiln_buf b = KILN_BUF_INIT;
    kiln_store *f = NULL;
    uint64_t size;

    put_str("k", "value");
    o.ops = KILN_FAULT_GET_RANGE;
    o.fail_nth = 1;
    o.err = KILN_ENOTFOUND;
    cr_assert(eq(int, faulty_store_wrap(&f, st, &o), 0));
    cr_assert(eq(int, kiln_store_stat(f, "k", &size), 0));
    cr_assert(eq(int, kiln_store_get_tail(f, "k", 2, &b, &size), 0));
    cr_assert(eq(int, kiln_store_get_range(f, "k", 0, 2, &b), KILN_ENOTFOUND));
    cr_assert(eq(sz, b.len, 2)); /* the tail only */
    cr_assert(eq(int, kiln_store_get_range(f, "k", 0, 2, &b), 0));
    kiln_buf_free(&b);
    kiln_store_free(f);
}

Test(s3_fault, fail_after_models_a_store_that_went_away)
{
    kiln_fault_opts o = KILN_FAULT_OPTS_INIT;
    kiln_store *f = NULL;
    int i;

    o.fail_nth = 3;
    o.fail_after = 1;
    cr_assert(eq(int, faulty_store_wrap(&f, st, &o), 0));
    for (i = 0; i < 10; i++)
        cr_assert(eq(int, kiln_store_put(f, "k", "v", 1),
                     i < 2 ? 0 : KILN_EIO));
    cr_assert(eq(u64, faulty_store_failures(f), 8));
    /* New rules restart the count. */
    faulty_store_set(f, NULL);
    cr_assert(eq(int, kiln_store_put(f, "k", "v", 1), 0));
    kiln_store_free(f);
}

Test(s3_fault, share_fails_some_calls_reproducibly)
{
    kiln_fault_opts o = KILN_FAULT_OPTS_INIT;
    kiln_store *f = NULL;
    uint64_t size, first;
    int i, fails1 = 0, fails2 = 0;

    put_str("k", "v");
    o.fail_share = 0.5;
    o.seed = 42;
    cr_assert(eq(int, faulty_store_wrap(&f, st, &o), 0));
    for (i = 0; i < 200; i++)
        fails1 += kiln_store_stat(f, "k", &size) != 0;
    first = faulty_store_failures(f);
    faulty_store_set(f, &o);
    for (i = 0; i < 200; i++)
        fails2 += kiln_store_stat(f, "k", &size) != 0;
    cr_assert(eq(int, fails1, fails2));
    cr_assert(eq(u64, first, (uint64_t)fails1));
    cr_assert(fails1 > 0 && fails1 < 200, "%d of 200 failed", fails1);
    o.fail_share = 1.0;
    faulty_store_set(f, &o);
    cr_assert(eq(int, kiln_store_stat(f, "k", &size), KILN_EIO));
    kiln_store_free(f);
}

Test(s3_fault, lost_reply_writes_but_reports_failure)
{
    kiln_fault_opts o = KILN_FAULT_OPTS_INIT;
    kiln_store *f = NULL;
    char *got;

    o.fail_nth = 1;
    o.lost_reply = 1;
    cr_assert(eq(int, faulty_store_wrap(&f, st, &o), 0));
    cr_assert(eq(int, kiln_store_put_if_absent(f, "k", "v", 1), KILN_EIO));
    got = get_str("k");
    cr_assert(eq(str, got, "v"));
    free(got);
    /* The retry now finds the object there. */
    cr_assert(eq(int, kiln_store_put_if_absent(f, "k", "v", 1),
                 KILN_EEXIST));
    kiln_store_free(f);
}

/* The SQLite way: fail call 1, 2, 3 ... of an operation until it passes;
 * after every failure nothing half-written is visible. */
static int copy_all(kiln_store *s)
{
    static const char *const keys[] = {"src/a", "src/b", "src/c"};
    kiln_buf b = KILN_BUF_INIT;
    char dst[32];
    size_t i;
    int rc = 0;

    for (i = 0; i < 3 && rc == 0; i++) {
        uint64_t size;
        kiln_buf_reset(&b);
        rc = kiln_store_get_tail(s, keys[i], UINT64_MAX, &b, &size);
        if (rc == 0) {
            snprintf(dst, sizeof dst, "dst/%c", 'a' + (int)i);
            rc = kiln_store_put_if_absent(s, dst, b.data, b.len);
            if (rc == KILN_EEXIST)
                rc = 0;
        }
    }
    kiln_buf_free(&b);
    return rc;
}

Test(s3_fault, every_failure_point_of_an_operation_is_reachable)
{
    kiln_fault_opts o = KILN_FAULT_OPTS_INIT;
    kiln_store *f = NULL;
    uint64_t n;
    int rc;

    put_str("src/a", "alpha");
    put_str("src/b", "beta");
    put_str("src/c", "gamma");
    cr_assert(eq(int, faulty_store_wrap(&f, st, NULL), 0));
    for (n = 1;; n++) {
        listing l;
        size_t i;
        o.fail_nth = n;
        faulty_store_set(f, &o);
        rc = copy_all(f);
        list_into(&l, "dst/");
        for (i = 0; i < l.n; i++) {
            char *got = get_str(l.keys[i]);
            char src[16];
            char *want;
            snprintf(src, sizeof src, "src/%s", l.keys[i] + 4);
            want = get_str(src);
            cr_assert(eq(str, got, want));
            free(got);
            free(want);
        }
        if (rc == 0)
            break;
        cr_assert(eq(int, rc, KILN_EIO));
        cr_assert(n < 100);
    }
    /* Six calls: each of them failed once, then the seventh run passed. */
    cr_assert(eq(u64, n, 7));
    kiln_store_free(f);
}

/* ---- a backend that misbehaves ---- */

/* Answers every read with one byte too few, as a server cutting a response
 * short might. */
static int short_get_range(kiln_store *s, const char *key, uint64_t off,
                           uint64_t len, kiln_buf *out)
{
    (void)s;
    (void)key;
    (void)off;
    return len ? kiln_buf_append(out, "xxxxxxxx", (size_t)len - 1) : 0;
}

static int short_get_tail(kiln_store *s, const char *key, uint64_t n,
                          kiln_buf *out, uint64_t *size)
{
    (void)s;
    (void)key;
    *size = 8;
    return kiln_buf_append(out, "xxxxxxxx", (size_t)(n < 8 ? n : 8) / 2);
}

/* The operations this test does not reach. */
static int short_stat(kiln_store *s, const char *key, uint64_t *size)
{
    (void)s;
    (void)key;
    (void)size;
    return KILN_EIO;
}

static int short_put(kiln_store *s, const char *key, const void *data,
                     size_t len)
{
    (void)s;
    (void)key;
    (void)data;
    (void)len;
    return KILN_EIO;
}

static int short_list(kiln_store *s, const char *prefix,
                      kiln_store_list_cb cb, void *ud)
{
    (void)s;
    (void)prefix;
    (void)cb;
    (void)ud;
    return KILN_EIO;
}

static int short_del(kiln_store *s, const char *key)
{
    (void)s;
    (void)key;
    return KILN_EIO;
}

static void short_free(kiln_store *s)
{
    free(s);
}

static const kiln_store_ops short_ops = {
    KILN_STORE_OPS_VERSION, short_get_range, short_get_tail, short_stat,
    short_put, short_put, short_list, short_del, short_free,
};

Test(s3_store, short_answer_from_a_backend_is_corrupt_not_a_crash)
{
    kiln_store *s = calloc(1, sizeof *s);
    kiln_buf b = KILN_BUF_INIT;
    uint64_t size;

    cr_assert(eq(int, kiln_store_init(s, &short_ops, "short://"), 0));
    kiln_buf_append(&b, "ab", 2);
    cr_assert(eq(int, kiln_store_get_range(s, "k", 0, 4, &b), KILN_ECORRUPT));
    cr_assert(contains(kiln_error_last(), "returned 3 bytes"), "%s",
              kiln_error_last());
    cr_assert(eq(int, kiln_store_get_tail(s, "k", 6, &b, &size),
                 KILN_ECORRUPT));
    cr_assert(eq(sz, b.len, 2)); /* nothing appended */
    cr_assert(eq(u64, s->stats.bytes_read, 0));
    kiln_store_free(s);
    kiln_buf_free(&b);
}

/* ---- the conformance checks every backend passes ---- */

static kiln_store *conf_open(void)
{
    setup();
    return st;
}

KILN_STORE_CONFORMANCE(s3_dir_conformance, conf_open, teardown)
