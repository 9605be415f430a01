/* error.c: kiln's error codes, their fixed descriptions, and the per-thread
 * message that says what failed and where. Every module reports through
 * here so a caller gets one string naming block, section and offset. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "format_internal.h"

#define MSG_MAX 1024

static _Thread_local char last_msg[MSG_MAX]; /* NUL-terminated, "" = none */

const char *kiln_strerror(int err)
{
    switch (err) {
    case KILN_OK: return "success";
    case KILN_ENOTFOUND: return "not found";
    case KILN_ECORRUPT: return "corrupt block";
    case KILN_ECHECKSUM: return "checksum mismatch";
    case KILN_EVERSION: return "unsupported format version or feature";
    case KILN_EIO: return "I/O error";
    case KILN_ENOMEM: return "out of memory";
    case KILN_EINVAL: return "invalid argument";
    case KILN_ITEROVER: return "iteration over";
    case KILN_EEXIST: return "already exists";
    case KILN_EINPUT: return "malformed input profile";
    case KILN_ELIMIT: return "limit exceeded";
    case KILN_EAUTH: return "access denied by the store";
    default: return "unknown error";
    }
}

const char *kiln_error_last(void)
{
    return last_msg;
}

void kiln_error_clear(void)
{
    last_msg[0] = '\0';
}

int kiln_error_set(int err, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(last_msg, sizeof last_msg, fmt, ap);
    va_end(ap);
    return err;
}

int kiln_error_wrap(int err, const char *fmt, ...)
{
    char msg[MSG_MAX];
    const char *rest = last_msg[0] ? last_msg : kiln_strerror(err);
    size_t n, r;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    n = strlen(msg);
    r = strlen(rest);
    if (r > sizeof msg - 1 - n)
        r = sizeof msg - 1 - n;
    memcpy(msg + n, rest, r);
    msg[n + r] = '\0';
    memcpy(last_msg, msg, n + r + 1);
    return err;
}

int corrupt(const char *what, uint64_t off, const char *detail)
{
    return kiln_error_set(KILN_ECORRUPT, "%s: %s at offset %llu",
                          what ? what : "block", detail,
                          (unsigned long long)off);
}

int nomem_at(const char *func)
{
    return kiln_error_set(KILN_ENOMEM, "%s: out of memory", func);
}

int opts_version_check(const char *what, unsigned version, unsigned oldest,
                       unsigned newest)
{
    if (version >= oldest && version <= newest)
        return 0;
    if (oldest == newest)
        return kiln_error_set(KILN_EINVAL, "%s: version %u is not supported "
                              "(this libkiln reads version %u; start from "
                              "the _INIT macro)", what, version, newest);
    return kiln_error_set(KILN_EINVAL, "%s: version %u is not supported "
                          "(this libkiln reads versions %u..%u; start from "
                          "the _INIT macro)", what, version, oldest, newest);
}
