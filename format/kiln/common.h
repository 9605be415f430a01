/* kiln/common.h: error codes, the thread-local error message, growable byte
 * buffers and labels, shared by every kiln module and by callers. */
#ifndef KILN_COMMON_H
#define KILN_COMMON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define KILN_VERSION_MAJOR 0
#define KILN_VERSION_MINOR 1
#define KILN_VERSION_PATCH 0
#define KILN_VERSION_STRING "0.1.0"

/* KILN_API marks every function libkiln exports. The library is built with
 * -fvisibility=hidden, so libkiln.so exports exactly the declarations of
 * the installed headers that carry it (tests/install/exports.sh checks). */
#if defined(__GNUC__) || defined(__clang__)
#define KILN_API __attribute__((visibility("default")))
#else
#define KILN_API
#endif

/* Error codes: 0 is success, failures are negative and never change value.
 *
 * The contract of every function below (LMDB's habit): its comment names
 * the codes it returns and what its out-parameters hold when it fails. A
 * function returning int returns 0 (or the documented non-negative value)
 * or one of these; the detail is in kiln_error_last(). A call that
 * succeeds clears the message (kiln_buf_*, kiln_tenant_valid and the error
 * calls themselves leave it alone). KILN_ENOMEM may come from any call that
 * allocates and is not repeated in each comment; nor are the store errors
 * (KILN_EIO, KILN_EAUTH, KILN_ENOTFOUND for an object gone missing) of
 * calls that read or write a store, which pass them on with the block or
 * key named. Options and ops tables carry a version: one outside what this
 * library reads is KILN_EINVAL with a message, in every build. */
#define KILN_OK 0
#define KILN_ENOTFOUND (-1) /* object, block, key or id not present */
#define KILN_ECORRUPT (-2)  /* a block's structure is malformed */
#define KILN_ECHECKSUM (-3) /* stored bytes do not match their checksum */
#define KILN_EVERSION (-4)  /* unknown format version or must-understand flag */
#define KILN_EIO (-5)       /* the store or the OS failed */
#define KILN_ENOMEM (-6)    /* an allocation failed */
#define KILN_EINVAL (-7)    /* a bad argument, option, URL or selector */
#define KILN_ITEROVER (-8)  /* an iterator has no more items (not a failure) */
#define KILN_EEXIST (-9)    /* conditional create found the object present */
#define KILN_EINPUT (-10)   /* a malformed input profile (pprof, OTLP, folded) */
#define KILN_ELIMIT (-11)   /* a documented limit was exceeded */
#define KILN_EAUTH (-12)    /* the store refused our credentials */

/* A fixed English description of an error code ("unknown error" for a
 * value that is none). Never NULL, never fails. */
KILN_API const char *kiln_strerror(int err);

/* The detail of the last failed call on this thread ("block 01J…: section
 * samples: checksum mismatch"); "" after a call that succeeded, or when
 * nothing failed yet. Valid until the next kiln call on this thread. */
KILN_API const char *kiln_error_last(void);

/* Forget the last error message of this thread (kiln_error_last() = ""). */
KILN_API void kiln_error_clear(void);

/* Set this thread's error message (printf-style, cut at 1023 bytes) and
 * return `err`, unchanged; for backends and callers that extend kiln
 * (stores). Never fails. */
KILN_API int kiln_error_set(int err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Prefix the current message with more context ("block X: " + message) and
 * return `err`, unchanged. With no message set, the prefix goes before
 * kiln_strerror(err). Never fails. */
KILN_API int kiln_error_wrap(int err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* A growable byte buffer. Zero-initialise (KILN_BUF_INIT) before first use. */
typedef struct kiln_buf {
    uint8_t *data; /* owned; NULL when cap == 0 */
    size_t len;    /* bytes in use */
    size_t cap;    /* bytes allocated */
} kiln_buf;

#define KILN_BUF_INIT {NULL, 0, 0}

/* Make cap >= len + extra. KILN_ENOMEM (the size overflows, or realloc
 * fails) leaves b as it was. */
KILN_API int kiln_buf_reserve(kiln_buf *b, size_t extra);
/* Append n bytes of p. KILN_ENOMEM leaves b as it was. */
KILN_API int kiln_buf_append(kiln_buf *b, const void *p, size_t n);
KILN_API void kiln_buf_reset(kiln_buf *b); /* len = 0, keeps memory */
KILN_API void kiln_buf_free(kiln_buf *b);  /* releases memory, back to
                                            * KILN_BUF_INIT */

/* 1 if t names a tenant: 1 to 64 of [A-Za-z0-9_.-], not "." or "..".
 * Tenants are the first segment of every store key, so writers and readers
 * must agree on this one rule. NULL is 0. */
KILN_API int kiln_tenant_valid(const char *t);

/* One label: a name and a value, both NUL-terminated, borrowed. */
typedef struct kiln_label {
    const char *name;
    const char *value;
} kiln_label;

#ifdef __cplusplus
}
#endif

#endif
