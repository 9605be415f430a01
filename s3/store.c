/* s3/store.c: the front end of the store interface: opening a store by URL,
 * key validation, and the kiln_store_* wrappers that count requests and
 * bytes so --stats and the benchmark suite see every byte of I/O. */
#include <assert.h>
#include <ctype.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format_internal.h" /* hexval */
#include "kiln_config.h"
#include "store_internal.h"

/* A key's segments are checked one at a time: [p, p+n) is one segment. */
static int segment_valid(const char *p, size_t n)
{
    if (n == 0)
        return 0;
    if (n == 1 && p[0] == '.')
        return 0;
    if (n == 2 && p[0] == '.' && p[1] == '.')
        return 0;
    return 1;
}

/* Checks shared by keys and prefixes; `partial_last` lets the last segment be
 * empty or a dot segment (a prefix may stop anywhere). */
static int path_valid(const char *key, int partial_last)
{
    size_t len, i, seg = 0;

    if (key == NULL)
        return 0;
    len = strlen(key);
    if (len > KILN_STORE_KEY_LEN_MAX)
        return 0;
    if (len == 0)
        return partial_last;
    if (key[0] == '/')
        return 0;
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)key[i];
        if (c < 0x20 || c == 0x7f)
            return 0;
        if (c == '/') {
            if (!segment_valid(key + seg, i - seg))
                return 0;
            seg = i + 1;
        }
    }
    return partial_last || segment_valid(key + seg, len - seg);
}

int kiln_store_key_valid(const char *key)
{
    return path_valid(key, 0);
}

int store_prefix_valid(const char *prefix)
{
    return path_valid(prefix, 1);
}

int kiln_store_init(kiln_store *s, const kiln_store_ops *ops, const char *url)
{
    int rc;

    s->ops = NULL;
    s->url = NULL;
    memset(&s->stats, 0, sizeof s->stats);
    if (ops == NULL)
        return kiln_error_set(KILN_EINVAL, "store %s: no operations",
                              url ? url : "");
    rc = opts_version_check("store operations", ops->version,
                            KILN_STORE_OPS_VERSION, KILN_STORE_OPS_VERSION);
    if (rc < 0)
        return kiln_error_wrap(rc, "store %s: ", url ? url : "");
    if (!ops->get_range || !ops->get_tail || !ops->stat || !ops->put
        || !ops->put_if_absent || !ops->list || !ops->del || !ops->free)
        return kiln_error_set(KILN_EINVAL, "store %s: every operation of "
                              "kiln_store_ops must be set", url ? url : "");
    s->url = strdup(url ? url : "");
    if (s->url == NULL)
        return kiln_error_set(KILN_ENOMEM, "store %s: out of memory", url);
    s->ops = ops;
    return api_return(0);
}

/* ---- opening by URL ---- */

/* Percent-decode a file URL's path into a new string (*out, malloc'd). */
static int url_path_decode(char **out, const char *url, const char *path)
{
    size_t n = strlen(path), i, j = 0;
    char *p = malloc(n + 1);

    if (p == NULL)
        return kiln_error_set(KILN_ENOMEM, "store %s: out of memory", url);
    for (i = 0; i < n; i++) {
        if (path[i] == '%') {
            int hi = i + 2 < n ? hexval((unsigned char)path[i + 1]) : -1;
            int lo = i + 2 < n ? hexval((unsigned char)path[i + 2]) : -1;

            if (hi < 0 || lo < 0 || (hi | lo) == 0) {
                free(p);
                return kiln_error_set(KILN_EINVAL,
                                      "store URL %s: bad percent escape at "
                                      "byte %zu of the path", url, i);
            }
            p[j++] = (char)(hi * 16 + lo);
            i += 2;
            continue;
        }
        p[j++] = path[i];
    }
    p[j] = '\0';
    *out = p;
    return 0;
}

/* The length of a "scheme://" head of url, or 0 if it has none. */
static size_t scheme_len(const char *url)
{
    size_t i = 0;

    if (!isalpha((unsigned char)url[0]))
        return 0;
    while (isalnum((unsigned char)url[i]) || url[i] == '+' || url[i] == '-'
           || url[i] == '.')
        i++;
    if (strncmp(url + i, "://", 3) != 0)
        return 0;
    return i;
}

static int open_file_url(kiln_store **out, const char *url)
{
    const char *rest = url + strlen("file:");
    char *path = NULL;
    int rc;

    if (strncmp(rest, "//", 2) == 0) {
        const char *auth = rest + 2;
        const char *slash = strchr(auth, '/');
        size_t alen = slash ? (size_t)(slash - auth) : strlen(auth);

        if (slash == NULL || slash[1] == '\0')
            return kiln_error_set(KILN_EINVAL,
                                  "store URL %s: no directory path "
                                  "(use file:///path/to/dir)", url);
        if (alen != 0 && !(alen == 9 && strncmp(auth, "localhost", 9) == 0))
            return kiln_error_set(KILN_EINVAL,
                                  "store URL %s: names host '%.*s'; a "
                                  "directory store is local "
                                  "(use file:///path/to/dir)",
                                  url, (int)alen, auth);
        rest = slash;
    } else if (rest[0] != '/') {
        return kiln_error_set(KILN_EINVAL,
                              "store URL %s: not an absolute path "
                              "(use file:///path/to/dir)", url);
    }
    rc = url_path_decode(&path, url, rest);
    if (rc < 0)
        return rc;
    rc = kiln_store_open_dir(out, path);
    if (rc == 0) {
        /* Keep the URL the caller named the store by. */
        char *u = strdup(url);
        if (u == NULL) {
            kiln_store_free(*out);
            *out = NULL;
            rc = kiln_error_set(KILN_ENOMEM, "store %s: out of memory", url);
        } else {
            free((*out)->url);
            (*out)->url = u;
        }
    }
    free(path);
    return rc;
}

#if KILN_HAVE_S3
/* The S3 backend is a module loaded for the first s3:// URL (s3/meson.build
 * says why), once per process and never unloaded. */
typedef int (*s3_open_fn)(kiln_store **out, const char *url);
static pthread_once_t s3_once = PTHREAD_ONCE_INIT;
static s3_open_fn s3_open;
static char s3_why[768]; /* why it could not be loaded */

static void load_s3(void)
{
    const char *env = getenv("KILN_S3_MODULE");
    const char *paths[] = {env && env[0] ? env : NULL, KILN_S3_MODULE_INSTALLED,
                           KILN_S3_MODULE_BUILD};
    size_t used = 0;

    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        void *h;
        if (!paths[i])
            continue;
        if (!(h = dlopen(paths[i], RTLD_NOW | RTLD_LOCAL))) {
            const char *e = dlerror();
            int k = snprintf(s3_why + used, sizeof s3_why - used, "%s%s",
                             used ? "; " : "", e ? e : paths[i]);
            if (k > 0 && (size_t)k < sizeof s3_why - used)
                used += (size_t)k;
            if (env && env[0])
                break; /* asked for that one */
            continue;
        }
        *(void **)&s3_open = dlsym(h, KILN_S3_MODULE_ENTRY);
        if (!s3_open) {
            snprintf(s3_why, sizeof s3_why, "%s: no %s", paths[i],
                     KILN_S3_MODULE_ENTRY);
            dlclose(h);
        }
        return;
    }
}

static int open_s3(kiln_store **out, const char *url)
{
    pthread_once(&s3_once, load_s3);
    if (!s3_open)
        return kiln_error_set(KILN_EIO, "store URL %s: cannot load the S3 "
                              "module kiln-s3.so (%s); set KILN_S3_MODULE to "
                              "its path", url, s3_why);
    return s3_open(out, url);
}
#endif

int kiln_store_open(kiln_store **out, const char *url)
{
    size_t sl;

    *out = NULL;
    if (url == NULL || url[0] == '\0')
        return kiln_error_set(KILN_EINVAL, "store URL is empty");
    if (strncmp(url, "file:", 5) == 0)
        return api_return(open_file_url(out, url));
    sl = scheme_len(url);
    if (sl == 0)
        return api_return(kiln_store_open_dir(out, url));
    if (sl == 2 && strncmp(url, "s3", 2) == 0) {
#if KILN_HAVE_S3
        return api_return(open_s3(out, url));
#else
        return kiln_error_set(KILN_EINVAL,
                              "store URL %s: s3:// stores need kiln built "
                              "with S3 support (meson -Ds3=enabled)", url);
#endif
    }
    return kiln_error_set(KILN_EINVAL,
                          "store URL %s: unknown scheme '%.*s' (use a "
                          "directory path, file:///path or s3://BUCKET/PREFIX)",
                          url, (int)sl, url);
}

/* ---- the counting wrappers ---- */

static void count(uint64_t *counter, uint64_t n)
{
    /* Section reads may run on a small thread pool: count atomically. */
    __atomic_fetch_add(counter, n, __ATOMIC_RELAXED);
}

static int bad_key(const kiln_store *s, const char *what, const char *key)
{
    char shown[201]; /* the key, cut to 200 bytes, control chars as '?' */
    size_t i;

    if (key == NULL)
        return kiln_error_set(KILN_EINVAL, "store %s: %s: key is NULL",
                              s->url, what);
    for (i = 0; key[i] != '\0' && i < sizeof shown - 1; i++) {
        unsigned char c = (unsigned char)key[i];
        shown[i] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
    }
    shown[i] = '\0';
    return kiln_error_set(KILN_EINVAL,
                          "store %s: %s: invalid key \"%s%s\" (keys are "
                          "1-%d bytes, relative, '/'-separated, without "
                          "empty, '.' or '..' segments or control "
                          "characters)",
                          s->url, what, shown, key[i] ? "..." : "",
                          KILN_STORE_KEY_LEN_MAX);
}

int kiln_store_get_range(kiln_store *s, const char *key, uint64_t off,
                         uint64_t len, kiln_buf *out)
{
    size_t before = out->len;
    int rc;

    if (!kiln_store_key_valid(key))
        return bad_key(s, "get_range", key);
    if (off > UINT64_MAX - len)
        return kiln_error_set(KILN_EINVAL,
                              "store %s: object %s: range %llu+%llu "
                              "overflows", s->url, key,
                              (unsigned long long)off,
                              (unsigned long long)len);
    count(&s->stats.requests, 1);
    rc = s->ops->get_range(s, key, off, len, out);
    if (rc < 0) {
        out->len = before; /* nothing appended on failure */
        return rc;
    }
    if (out->len - before != len) {
        /* A short answer from a server is a truncated object, not a crash. */
        size_t got = out->len - before;
        out->len = before;
        return kiln_error_set(KILN_ECORRUPT,
                              "store %s: object %s: range %llu+%llu returned "
                              "%zu bytes", s->url, key,
                              (unsigned long long)off,
                              (unsigned long long)len, got);
    }
    count(&s->stats.bytes_read, len);
    return api_return(0);
}

int kiln_store_get_tail(kiln_store *s, const char *key, uint64_t n,
                        kiln_buf *out, uint64_t *size)
{
    size_t before = out->len;
    uint64_t sz = 0;
    int rc;

    if (!kiln_store_key_valid(key))
        return bad_key(s, "get_tail", key);
    count(&s->stats.requests, 1);
    rc = s->ops->get_tail(s, key, n, out, &sz);
    if (rc < 0) {
        out->len = before;
        return rc;
    }
    if (out->len - before != (n < sz ? n : sz)) {
        size_t got = out->len - before;
        out->len = before;
        return kiln_error_set(KILN_ECORRUPT,
                              "store %s: object %s: tail of %llu bytes of "
                              "%llu returned %zu bytes", s->url, key,
                              (unsigned long long)n, (unsigned long long)sz,
                              got);
    }
    count(&s->stats.bytes_read, out->len - before);
    if (size != NULL)
        *size = sz;
    return api_return(0);
}

int kiln_store_stat(kiln_store *s, const char *key, uint64_t *size)
{
    uint64_t sz = 0;
    int rc;

    if (!kiln_store_key_valid(key))
        return bad_key(s, "stat", key);
    count(&s->stats.requests, 1);
    rc = s->ops->stat(s, key, &sz);
    if (rc == 0 && size != NULL)
        *size = sz;
    return api_return(rc);
}

int kiln_store_put(kiln_store *s, const char *key, const void *data,
                   size_t len)
{
    int rc;

    if (!kiln_store_key_valid(key))
        return bad_key(s, "put", key);
    assert(data != NULL || len == 0);
    count(&s->stats.requests, 1);
    rc = s->ops->put(s, key, data, len);
    if (rc == 0)
        count(&s->stats.bytes_written, len);
    return api_return(rc);
}

int kiln_store_put_if_absent(kiln_store *s, const char *key, const void *data,
                             size_t len)
{
    int rc;

    if (!kiln_store_key_valid(key))
        return bad_key(s, "put_if_absent", key);
    assert(data != NULL || len == 0);
    count(&s->stats.requests, 1);
    rc = s->ops->put_if_absent(s, key, data, len);
    if (rc == 0)
        count(&s->stats.bytes_written, len);
    return api_return(rc);
}

int kiln_store_list(kiln_store *s, const char *prefix, kiln_store_list_cb cb,
                    void *ud)
{
    if (prefix == NULL)
        prefix = "";
    if (!store_prefix_valid(prefix))
        return bad_key(s, "list", prefix);
    assert(cb != NULL);
    count(&s->stats.requests, 1);
    return api_return(s->ops->list(s, prefix, cb, ud));
}

int kiln_store_del(kiln_store *s, const char *key)
{
    if (!kiln_store_key_valid(key))
        return bad_key(s, "del", key);
    count(&s->stats.requests, 1);
    return api_return(s->ops->del(s, key));
}

void kiln_store_free(kiln_store *s)
{
    char *url;

    if (s == NULL)
        return;
    url = s->url;
    s->ops->free(s);
    free(url);
}
