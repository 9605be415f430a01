/* s3_v2.c: the S3 store on libs3 2.0 (AWS Signature V2), for endpoints that
 * still take V2 (Ceph, MinIO, older deployments). libs3 2.0 has no multipart
 * upload, no session tokens and no custom headers, so: puts are capped at
 * max-put bytes, put_if_absent is HEAD-then-PUT (not atomic; see README) and
 * get_tail is HEAD plus a ranged GET. Retries follow the V4 path's policy. */
#include "s3_internal.h"
#include "store_internal.h"

#include <inttypes.h>
#include <libs3.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct s3v2 {
    kiln_store base;    /* first: the common store head */
    s3_conf c;          /* parsed URL and environment */
    S3BucketContext bc; /* points into c; read-only after open, so
                         * threads may share the store (libs3 is
                         * thread-safe past S3_initialize) */
} s3v2;

/* The state of one libs3 request (one attempt). */
typedef struct call {
    S3Status status;     /* from the complete callback */
    char msg[256];       /* the endpoint's error message, or "" */
    uint64_t clen;       /* Content-Length from the properties callback */
    int has_props;       /* properties arrived */
    char etag[96];       /* ETag, with quotes, or "" */
    kiln_buf *out;       /* GET body destination */
    int oom;             /* an append failed */
    const uint8_t *p;    /* PUT: next byte to send */
    size_t left;         /* PUT: bytes still to send */
    kiln_buf keys;       /* LIST: NUL-separated keys of this page */
    kiln_buf sizes;      /* LIST: uint64_t per key */
    size_t nkeys;        /* LIST: keys in this page */
    int truncated;       /* LIST: more pages follow */
    char *next_marker;   /* LIST: where the next page starts (malloc'd) */
} call;

static pthread_once_t s3_once = PTHREAD_ONCE_INIT;
static S3Status s3_init_status = S3StatusOK;
static void libs3_init(void)
{
    s3_init_status = S3_initialize("kiln/" KILN_VERSION_STRING, S3_INIT_ALL,
                                   NULL);
}

/* ------------------------------------------------------------ callbacks */

static S3Status on_props(const S3ResponseProperties *p, void *ud)
{
    call *cl = ud;
    cl->has_props = 1;
    cl->clen = p->contentLength;
    snprintf(cl->etag, sizeof cl->etag, "%s", p->eTag ? p->eTag : "");
    return S3StatusOK;
}

static void on_complete(S3Status st, const S3ErrorDetails *e, void *ud)
{
    call *cl = ud;
    cl->status = st;
    if (e && e->message)
        snprintf(cl->msg, sizeof cl->msg, "%s", e->message);
}

static S3Status on_get(int n, const char *buf, void *ud)
{
    call *cl = ud;
    if (n > 0 && kiln_buf_append(cl->out, buf, (size_t)n)) {
        cl->oom = 1;
        return S3StatusAbortedByCallback;
    }
    return S3StatusOK;
}

static int on_put(int n, char *buf, void *ud)
{
    call *cl = ud;
    size_t k = (size_t)n < cl->left ? (size_t)n : cl->left;
    memcpy(buf, cl->p, k);
    cl->p += k;
    cl->left -= k;
    return (int)k;
}

static S3Status on_list(int truncated, const char *next, int n,
                        const S3ListBucketContent *cs, int np,
                        const char **prefixes, void *ud)
{
    call *cl = ud;
    (void)np;
    (void)prefixes;
    cl->truncated = truncated;
    for (int i = 0; i < n; i++) {
        uint64_t sz = cs[i].size;
        if (kiln_buf_append(&cl->keys, cs[i].key, strlen(cs[i].key) + 1) ||
            kiln_buf_append(&cl->sizes, &sz, sizeof sz)) {
            cl->oom = 1;
            return S3StatusAbortedByCallback;
        }
        cl->nkeys++;
    }
    /* the next page starts after the last key seen */
    free(cl->next_marker);
    cl->next_marker = NULL;
    if (next && *next)
        cl->next_marker = strdup(next);
    else if (n > 0)
        cl->next_marker = strdup(cs[n - 1].key);
    if ((next && *next) || n > 0)
        if (!cl->next_marker) {
            cl->oom = 1;
            return S3StatusAbortedByCallback;
        }
    return S3StatusOK;
}

/* -------------------------------------------------------------- errors */

static int transport(S3Status st)
{
    return st == S3StatusNameLookupError || st == S3StatusFailedToConnect ||
           st == S3StatusConnectionFailed ||
           st == S3StatusServerFailedVerification;
}

static int retryable(S3Status st)
{
    if (st == S3StatusNameLookupError || st == S3StatusServerFailedVerification)
        return 0;
    return S3_status_is_retryable(st) || st == S3StatusErrorSlowDown ||
           st == S3StatusErrorInternalError || st == S3StatusErrorUnknown ||
           st == S3StatusHttpErrorUnknown || st == S3StatusFailedToConnect ||
           /* libs3's word for a transfer curl could not finish */
           st == S3StatusInternalError ||
           st == S3StatusConnectionFailed;
}

/* "ErrorNoSuchKey" -> "NoSuchKey", with a pseudo HTTP status. */
static const char *code_of(S3Status st, long *status)
{
    const char *n = S3_get_status_name(st);
    *status = 500;
    switch (st) {
    case S3StatusHttpErrorNotFound:
        *status = 404;
        return "NotFound";
    case S3StatusHttpErrorForbidden:
        *status = 403;
        return "Forbidden";
    case S3StatusHttpErrorBadRequest:
        *status = 400;
        return "BadRequest";
    case S3StatusHttpErrorConflict:
        *status = 409;
        return "Conflict";
    case S3StatusErrorNoSuchKey:
    case S3StatusErrorNoSuchBucket:
        *status = 404;
        break;
    default:
        break;
    }
    if (n && strncmp(n, "Error", 5) == 0)
        n += 5;
    return n ? n : "Unknown";
}

static int v2_fail(s3v2 *s, const char *op, const char *key, const call *cl,
                   unsigned attempts)
{
    long status;
    const char *code = code_of(cl->status, &status);
    const char *hint = s3_error_hint(code);
    char tries[48] = "";
    int kind = s3_error_kind(status, code);

    if (attempts > 1)
        snprintf(tries, sizeof tries, " (after %u tries)", attempts);
    if (cl->oom)
        return kiln_error_set(KILN_ENOMEM, "%s%s: %s: out of memory",
                              s->c.display, key ? key : "", op);
    if (transport(cl->status) || cl->status == S3StatusHttpErrorUnknown ||
        cl->status == S3StatusInternalError)
        kind = KILN_EIO;
    if (transport(cl->status))
        return kiln_error_set(kind, "%s%s: %s: cannot reach %s://%s: %s%s",
                              s->c.display, key ? key : "", op,
                              s->c.https ? "https" : "http", s->c.host, code,
                              tries);
    return kiln_error_set(kind, "%s%s: %s: %s%s%s%s%s%s%s", s->c.display,
                          key ? key : "", op, code, cl->msg[0] ? ": " : "",
                          cl->msg, *hint ? " (" : "", hint,
                          *hint ? ")" : "", tries);
}

/* ------------------------------------------------------------- requests */

typedef enum { OP_HEAD, OP_GET, OP_PUT, OP_LIST, OP_DEL } v2_op;

typedef struct v2_args {
    v2_op op;
    const char *key;      /* full key (with prefix) */
    uint64_t off, len;    /* GET range */
    const void *data;     /* PUT payload */
    size_t dlen;
    const char *md5;      /* PUT Content-MD5 */
    const char *marker;   /* LIST */
} v2_args;

static void issue(s3v2 *s, const v2_args *a, call *cl)
{
    S3ResponseHandler rh = {on_props, on_complete};
    switch (a->op) {
    case OP_HEAD:
        S3_head_object(&s->bc, a->key, NULL, &rh, cl);
        break;
    case OP_GET: {
        S3GetObjectHandler gh = {rh, on_get};
        S3_get_object(&s->bc, a->key, NULL, a->off, a->len, NULL, &gh, cl);
        break;
    }
    case OP_PUT: {
        S3PutProperties pp = {"application/octet-stream", a->md5, NULL, NULL,
                              NULL, -1, S3CannedAclPrivate, 0, NULL};
        S3PutObjectHandler ph = {rh, on_put};
        cl->p = a->data;
        cl->left = a->dlen;
        S3_put_object(&s->bc, a->key, a->dlen, &pp, NULL, &ph, cl);
        break;
    }
    case OP_LIST: {
        S3ListBucketHandler lh = {rh, on_list};
        S3_list_bucket(&s->bc, a->key, a->marker, NULL, (int)s->c.max_keys,
                       NULL, &lh, cl);
        break;
    }
    case OP_DEL:
        S3_delete_object(&s->bc, a->key, NULL, &rh, cl);
        break;
    }
}

static void call_reset(call *cl, kiln_buf *out, size_t out0)
{
    cl->status = S3StatusOK;
    cl->msg[0] = '\0';
    cl->clen = 0;
    cl->has_props = 0;
    cl->etag[0] = '\0';
    cl->out = out;
    if (out)
        out->len = out0;
    cl->oom = 0;
    cl->keys.len = 0;
    cl->sizes.len = 0;
    cl->nkeys = 0;
    cl->truncated = 0;
    free(cl->next_marker);
    cl->next_marker = NULL;
}

/* Every attempt of one request; the outcome is in cl->status. Returns the
 * number of attempts. */
static unsigned run(s3v2 *s, const v2_args *a, call *cl, kiln_buf *out)
{
    size_t out0 = out ? out->len : 0;
    s3_retry rt;
    s3_retry_start(&rt);
    for (;;) {
        rt.attempt++;
        call_reset(cl, out, out0);
        issue(s, a, cl);
        /* libs3 reports a body cut short by the network as success: hold
         * it against the Content-Length the server announced */
        if (cl->status == S3StatusOK && a->op == OP_GET && cl->has_props &&
            out->len - out0 < cl->clen)
            cl->status = S3StatusConnectionFailed;
        if (cl->status == S3StatusOK || cl->oom || !retryable(cl->status) ||
            !s3_retry_again(&s->c, &rt))
            break;
    }
    if (cl->status != S3StatusOK && out)
        out->len = out0;
    return rt.attempt;
}

static void call_free(call *cl)
{
    kiln_buf_free(&cl->keys);
    kiln_buf_free(&cl->sizes);
    free(cl->next_marker);
}

static char *full_key(const s3v2 *s, const char *key)
{
    size_t pl = strlen(s->c.prefix), kl = strlen(key);
    char *f = malloc(pl + kl + 1);
    if (f) {
        memcpy(f, s->c.prefix, pl);
        memcpy(f + pl, key, kl + 1);
    }
    return f;
}

static int not_found(S3Status st)
{
    return st == S3StatusHttpErrorNotFound || st == S3StatusErrorNoSuchKey;
}

/* HEAD: 0 with size, KILN_ENOTFOUND, or another failure. */
static int do_stat(s3v2 *s, const char *key, const char *fk, uint64_t *size,
                   char *etag, size_t etagsz)
{
    v2_args a = {OP_HEAD, fk, 0, 0, NULL, 0, NULL, NULL};
    call cl = {0};
    unsigned n = run(s, &a, &cl, NULL);
    int rc = 0;
    if (cl.status == S3StatusOK) {
        *size = cl.clen;
        if (etag)
            snprintf(etag, etagsz, "%s", cl.etag);
    } else if (not_found(cl.status)) {
        rc = kiln_error_set(KILN_ENOTFOUND, "%s%s: no such object",
                            s->c.display, key);
    } else {
        rc = v2_fail(s, "HEAD", key, &cl, n);
    }
    call_free(&cl);
    return rc;
}

/* ----------------------------------------------------------- operations */

#define FULL_KEY(s, key, fk)                                         \
    char *fk = full_key(s, key);                                     \
    if (!fk)                                                         \
        return kiln_error_set(KILN_ENOMEM, "s3: out of memory")

static int get(s3v2 *s, const char *key, const char *fk, uint64_t off,
               uint64_t len, kiln_buf *out)
{
    v2_args a = {OP_GET, fk, off, len, NULL, 0, NULL, NULL};
    call cl = {0};
    size_t out0 = out->len;
    unsigned n = run(s, &a, &cl, out);
    int rc = 0;
    if (cl.status == S3StatusOK) {
        if (out->len - out0 != len) {
            out->len = out0;
            rc = kiln_error_set(KILN_ECORRUPT,
                                "%s%s: bytes %" PRIu64 "+%" PRIu64
                                " reach past the end of the object",
                                s->c.display, key, off, len);
        }
    } else if (cl.status == S3StatusErrorInvalidRange) {
        rc = kiln_error_set(KILN_ECORRUPT,
                            "%s%s: bytes %" PRIu64 "+%" PRIu64
                            " are past the end of the object",
                            s->c.display, key, off, len);
    } else if (not_found(cl.status)) {
        rc = kiln_error_set(KILN_ENOTFOUND, "%s%s: no such object",
                            s->c.display, key);
    } else {
        rc = v2_fail(s, "GET", key, &cl, n);
    }
    call_free(&cl);
    return rc;
}

static int v2_get_range(kiln_store *st, const char *key, uint64_t off,
                        uint64_t len, kiln_buf *out)
{
    s3v2 *s = (s3v2 *)st;
    uint64_t size = 0;
    int rc;
    FULL_KEY(s, key, fk);
    if (len == 0) {
        /* libs3 reads to the end when asked for 0 bytes: stat instead */
        rc = do_stat(s, key, fk, &size, NULL, 0);
        if (!rc && off > size)
            rc = kiln_error_set(KILN_ECORRUPT, "%s%s: offset %" PRIu64
                                " past the end", s->c.display, key, off);
    } else {
        rc = get(s, key, fk, off, len, out);
    }
    free(fk);
    return rc;
}

static int v2_get_tail(kiln_store *st, const char *key, uint64_t n,
                       kiln_buf *out, uint64_t *size)
{
    s3v2 *s = (s3v2 *)st;
    int rc;
    FULL_KEY(s, key, fk);
    /* no suffix ranges in libs3 2.0: learn the size, then read the end */
    rc = do_stat(s, key, fk, size, NULL, 0);
    if (!rc && n && *size) {
        uint64_t k = n < *size ? n : *size;
        rc = get(s, key, fk, *size - k, k, out);
    }
    free(fk);
    return rc;
}

static int v2_stat(kiln_store *st, const char *key, uint64_t *size)
{
    s3v2 *s = (s3v2 *)st;
    int rc;
    FULL_KEY(s, key, fk);
    rc = do_stat(s, key, fk, size, NULL, 0);
    free(fk);
    return rc;
}

static int put(s3v2 *s, const char *key, const char *fk, const void *data,
               size_t len)
{
    char md5[25], hex[33];
    v2_args a = {OP_PUT, fk, 0, 0, data, len, md5, NULL};
    call cl = {0};
    unsigned n;
    int rc = 0;

    if (len > s->c.max_put)
        return kiln_error_set(KILN_ELIMIT,
                              "%s%s: %zu bytes exceed the single-PUT limit "
                              "of %" PRIu64 " bytes of signature V2 (libs3 "
                              "has no multipart upload): use signature V4 "
                              "or smaller blocks",
                              s->c.display, key, len, s->c.max_put);
    s3_md5(data, len, md5, hex);
    n = run(s, &a, &cl, NULL);
    if (cl.status != S3StatusOK)
        rc = v2_fail(s, "PUT", key, &cl, n);
    call_free(&cl);
    return rc;
}

static int v2_put(kiln_store *st, const char *key, const void *data,
                  size_t len)
{
    s3v2 *s = (s3v2 *)st;
    int rc;
    FULL_KEY(s, key, fk);
    rc = put(s, key, fk, data ? data : "", len);
    free(fk);
    return rc;
}

static int v2_put_if_absent(kiln_store *st, const char *key,
                            const void *data, size_t len)
{
    s3v2 *s = (s3v2 *)st;
    uint64_t size;
    int rc;
    FULL_KEY(s, key, fk);
    /* libs3 2.0 cannot send If-None-Match: HEAD, then PUT. Two writers
     * racing on the same key may both succeed; kiln only races writers of
     * identical content (compaction), so the outcome is the same object. */
    rc = do_stat(s, key, fk, &size, NULL, 0);
    if (rc == 0) {
        rc = kiln_error_set(KILN_EEXIST, "%s%s: already exists",
                            s->c.display, key);
    } else if (rc == KILN_ENOTFOUND) {
        kiln_error_clear();
        rc = put(s, key, fk, data ? data : "", len);
    }
    free(fk);
    return rc;
}

static int v2_list(kiln_store *st, const char *prefix, kiln_store_list_cb cb,
                   void *ud)
{
    s3v2 *s = (s3v2 *)st;
    size_t plen = strlen(s->c.prefix);
    char *marker = NULL;
    call cl = {0};
    int rc = 0;
    char *fp = full_key(s, prefix);
    if (!fp)
        return kiln_error_set(KILN_ENOMEM, "s3: out of memory");
    /* a callback may use the store (open the block it was just told
     * about): nothing is held while it runs */
    for (unsigned page = 0;; page++) {
        v2_args a = {OP_LIST, fp, 0, 0, NULL, 0, NULL, marker};
        unsigned n = run(s, &a, &cl, NULL);
        const char *k;
        if (cl.status != S3StatusOK) {
            rc = v2_fail(s, "LIST", prefix, &cl, n);
            goto out;
        }
        /* report a page only once it arrived whole: a retried page must
         * not repeat keys */
        k = (const char *)cl.keys.data;
        for (size_t i = 0; i < cl.nkeys; i++) {
            uint64_t sz;
            size_t kl = strlen(k);
            memcpy(&sz, cl.sizes.data + i * sizeof sz, sizeof sz);
            if (kl > plen && memcmp(k, s->c.prefix, plen) == 0 &&
                kiln_store_key_valid(k + plen) &&
                (rc = cb(ud, k + plen, sz)))
                goto out;
            k += kl + 1;
        }
        if (!cl.truncated)
            break;
        if (!cl.next_marker || page > 10000000 ||
            (marker && strcmp(marker, cl.next_marker) == 0)) {
            rc = kiln_error_set(KILN_EIO, "%s: LIST: truncated answer "
                                "without a way to continue", s->c.display);
            goto out;
        }
        free(marker);
        marker = cl.next_marker;
        cl.next_marker = NULL;
    }
out:
    free(marker);
    call_free(&cl);
    free(fp);
    return rc;
}

static int v2_del(kiln_store *st, const char *key)
{
    s3v2 *s = (s3v2 *)st;
    uint64_t size;
    call cl = {0};
    int rc;
    FULL_KEY(s, key, fk);
    if (!(rc = do_stat(s, key, fk, &size, NULL, 0))) {
        v2_args a = {OP_DEL, fk, 0, 0, NULL, 0, NULL, NULL};
        unsigned n = run(s, &a, &cl, NULL);
        if (cl.status != S3StatusOK && !not_found(cl.status))
            rc = v2_fail(s, "DELETE", key, &cl, n);
    }
    call_free(&cl);
    free(fk);
    return rc;
}

static void v2_free(kiln_store *st)
{
    s3v2 *s = (s3v2 *)st;
    if (!s)
        return;
    s3_conf_free(&s->c);
    free(s); /* base.url belongs to kiln_store_free */
}

static const kiln_store_ops v2_ops = {
    KILN_STORE_OPS_VERSION, v2_get_range, v2_get_tail, v2_stat, v2_put,
    v2_put_if_absent,       v2_list,      v2_del,      v2_free,
};

int s3_open_v2(kiln_store **out, s3_conf *c)
{
    s3v2 *s;

    if (c->token) {
        int rc = kiln_error_set(KILN_EINVAL,
                                "%s: AWS_SESSION_TOKEN is set, but signature "
                                "V2 (libs3 2.0) cannot send session tokens: "
                                "use signature V4", c->display);
        s3_conf_free(c);
        return rc;
    }
    if (c->https && !c->v2_unverified_tls) {
        /* libs3 2.0 turns off curl's certificate check (VERIFYPEER 0) and
         * offers no way back: refuse unless the user accepts it */
        int rc = kiln_error_set(KILN_EINVAL,
                                "%s: signature V2 over HTTPS goes through "
                                "libs3 2.0, which does not verify the "
                                "server's certificate: use signature V4, or "
                                "accept the risk with ?v2-unverified-tls=1",
                                c->display);
        s3_conf_free(c);
        return rc;
    }
    pthread_once(&s3_once, libs3_init);
    if (s3_init_status != S3StatusOK) {
        s3_conf_free(c);
        return kiln_error_set(KILN_EIO, "s3: libs3 failed to initialise: %s",
                              S3_get_status_name(s3_init_status));
    }
    if (!(s = calloc(1, sizeof *s))) {
        s3_conf_free(c);
        return kiln_error_set(KILN_ENOMEM, "s3: out of memory");
    }
    s->c = *c;
    memset(c, 0, sizeof *c);
    s->bc.hostName = s->c.host;
    s->bc.bucketName = s->c.bucket;
    s->bc.protocol = s->c.https ? S3ProtocolHTTPS : S3ProtocolHTTP;
    s->bc.uriStyle = s->c.path_style ? S3UriStylePath : S3UriStyleVirtualHost;
    s->bc.accessKeyId = s->c.akid;
    s->bc.secretAccessKey = s->c.secret;
    if (kiln_store_init(&s->base, &v2_ops, s->c.display)) {
        v2_free(&s->base);
        return KILN_ENOMEM;
    }
    *out = &s->base;
    return 0;
}
