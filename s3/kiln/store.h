/* kiln/store.h: the one small interface every byte of kiln's I/O goes
 * through (after SQLite's VFS), and the constructors of its backends. */
#ifndef KILN_STORE_H
#define KILN_STORE_H

#include <kiln/common.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct kiln_store kiln_store;

/* Called once per listed key, in lexicographic (byte) order; key is borrowed
 * for the call only. Return non-zero to stop listing; that value is returned
 * by list(). */
typedef int (*kiln_store_list_cb)(void *ud, const char *key, uint64_t size);

/* The operations of a backend. Keys are '/'-separated relative paths
 * ("tenant/blocks/01J….kiln"), never starting with '/' and never holding
 * "." or ".." segments. Every operation returns 0 or a negative KILN_E* code
 * and sets kiln_error_last() on failure. */
typedef struct kiln_store_ops {
    unsigned version; /* KILN_STORE_OPS_VERSION */
    /* Read `len` bytes at `off` into out (appended). Reading past the end of
     * the object is KILN_ECORRUPT (a truncated object); a missing key is
     * KILN_ENOTFOUND. */
    int (*get_range)(kiln_store *s, const char *key, uint64_t off,
                     uint64_t len, kiln_buf *out);
    /* Read the last min(n, size) bytes into out (appended) and report the
     * object's whole size, in one request where the backend can. */
    int (*get_tail)(kiln_store *s, const char *key, uint64_t n, kiln_buf *out,
                    uint64_t *size);
    /* The object's size; KILN_ENOTFOUND when absent. */
    int (*stat)(kiln_store *s, const char *key, uint64_t *size);
    /* Write a whole object atomically: readers see all of it or nothing,
     * replacing any previous object under the key. */
    int (*put)(kiln_store *s, const char *key, const void *data, size_t len);
    /* Like put, but KILN_EEXIST (and nothing written) if the key exists. */
    int (*put_if_absent)(kiln_store *s, const char *key, const void *data,
                         size_t len);
    /* List keys starting with prefix. */
    int (*list)(kiln_store *s, const char *prefix, kiln_store_list_cb cb,
                void *ud);
    /* Remove a key; removing an absent key is KILN_ENOTFOUND. */
    int (*del)(kiln_store *s, const char *key);
    /* Release the backend. */
    void (*free)(kiln_store *s);
} kiln_store_ops;

#define KILN_STORE_OPS_VERSION 1

/* Counters kept by every store, for --stats and the benchmark suite. */
typedef struct kiln_store_stats {
    uint64_t requests;   /* operations issued to the backend */
    uint64_t bytes_read; /* payload bytes returned by get_range/get_tail */
    uint64_t bytes_written;
} kiln_store_stats;

/* The common head of every store; a backend embeds it first. */
struct kiln_store {
    const kiln_store_ops *ops;
    kiln_store_stats stats; /* updated (atomically) by the kiln_store_*
                             * wrappers below */
    char *url;              /* the URL it was opened with, credentials-free;
                             * malloc'd, freed by kiln_store_free() after
                             * ops->free */
};

/* For backends written outside kiln (the directory and S3 backends use it
 * too): fill the common head of a freshly allocated store, whose first
 * member is a kiln_store: ops (borrowed: must outlive the store), zeroed
 * stats and a malloc'd copy of url, the name messages show (it must hold no
 * credentials; NULL = ""). Call it before anything else can fail, then fill
 * the backend's own fields; kiln_store_free() calls ops->free, then frees
 * url, so ops->free releases only what the backend allocated (and the
 * memory of the store itself).
 * Errors: KILN_EINVAL when ops is NULL, ops->version is not
 * KILN_STORE_OPS_VERSION or an operation is NULL; KILN_ENOMEM. On failure
 * s->ops and s->url are NULL: free only what the backend allocated. */
KILN_API int kiln_store_init(kiln_store *s, const kiln_store_ops *ops,
                             const char *url);

/* Open a store by URL: a plain path or file:///path (directory backend), or
 * s3://BUCKET/PREFIX when built with S3 support. The directory is created if
 * missing; an S3 store sends no request until it is used.
 * Errors: KILN_EINVAL (empty URL, unknown scheme, a file URL naming a host
 * or a bad percent escape, s3:// without S3 support, a bad S3 option or
 * AWS_* variable); KILN_EAUTH (S3 credentials missing); KILN_EIO (the
 * directory cannot be created or opened, or is a file); KILN_ENOMEM.
 * *out is NULL on failure. */
KILN_API int kiln_store_open(kiln_store **out, const char *url);

/* The directory backend rooted at `dir` (created if missing). Errors:
 * KILN_EINVAL (empty path), KILN_EIO, KILN_ENOMEM; *out is NULL on
 * failure. */
KILN_API int kiln_store_open_dir(kiln_store **out, const char *dir);

/* The calls through which all I/O goes: each validates the key (a bad one
 * is KILN_EINVAL before any request), counts the request and the payload
 * bytes in s->stats, then calls the backend's operation. Besides the codes
 * named, each may return KILN_EIO (the store or the OS failed) or
 * KILN_EAUTH (the store refused the credentials). */

/* Append bytes [off, off+len) of the object to out. Errors: KILN_EINVAL
 * (bad key, off+len overflows), KILN_ENOTFOUND (no such object),
 * KILN_ECORRUPT (the range passes the end of the object, or the backend
 * answered a different length). out is as it was on failure. */
KILN_API int kiln_store_get_range(kiln_store *s, const char *key,
                                  uint64_t off, uint64_t len, kiln_buf *out);
/* Append the last min(n, size) bytes of the object to out and set *size
 * (size may be NULL) to the object's size. Errors: KILN_EINVAL,
 * KILN_ENOTFOUND, KILN_ECORRUPT (a backend answered a wrong length). On
 * failure out is as it was and *size untouched. */
KILN_API int kiln_store_get_tail(kiln_store *s, const char *key, uint64_t n,
                                 kiln_buf *out, uint64_t *size);
/* The object's size into *size (may be NULL). Errors: KILN_EINVAL,
 * KILN_ENOTFOUND; *size untouched on failure. */
KILN_API int kiln_store_stat(kiln_store *s, const char *key, uint64_t *size);
/* Write the whole object, replacing any under the key; readers see the old
 * or the new object, never a part. Errors: KILN_EINVAL, KILN_ELIMIT (larger
 * than the backend's single write, e.g. S3 with Signature V2). On failure
 * the previous object, if any, is still there, whole. */
KILN_API int kiln_store_put(kiln_store *s, const char *key, const void *data,
                            size_t len);
/* put, unless the key exists: then KILN_EEXIST and nothing is written.
 * Other errors and the state on failure as put. */
KILN_API int kiln_store_put_if_absent(kiln_store *s, const char *key,
                                      const void *data, size_t len);
/* Call cb for every key starting with prefix (NULL = ""), in byte order,
 * with its size. Returns 0, cb's first non-zero return (the listing stops
 * there), KILN_EINVAL (a bad prefix) or a store error; keys already handed
 * to cb stay handed. */
KILN_API int kiln_store_list(kiln_store *s, const char *prefix,
                             kiln_store_list_cb cb, void *ud);
/* Remove the object. Errors: KILN_EINVAL, KILN_ENOTFOUND (no such
 * object: nothing removed). */
KILN_API int kiln_store_del(kiln_store *s, const char *key);
/* ops->free, then the url. Accepts NULL; never fails. */
KILN_API void kiln_store_free(kiln_store *s);

/* 1 if key is a valid store key (see above), else 0 (also for NULL). */
KILN_API int kiln_store_key_valid(const char *key);

#ifdef __cplusplus
}
#endif

#endif
