/* s3_v4.c: the S3 store on libcurl with AWS Signature V4 (sigv4.c): ranged
 * and suffix-ranged GET, PUT with Content-MD5, conditional create, multipart
 * upload for large objects, ListObjectsV2, HEAD and DELETE, each retried
 * with backoff on throttling, 5xx and dropped connections. A small pool of
 * keep-alive easy handles per store lets threads read concurrently. */
#include "s3_internal.h"
#include "store_internal.h"

#include <curl/curl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define EMPTY_SHA256 \
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define ERR_BODY_MAX 65536 /* bytes of an error body kept */

#define POOL_MAX 8 /* easy handles (connections) per store */

/* One easy handle and the keep-alive connection it holds. */
typedef struct conn {
    CURL *h;                      /* NULL until first needed */
    int busy;                     /* lent to a request (under s3v4.mu) */
    char errbuf[CURL_ERROR_SIZE]; /* curl's detail of a transport failure */
} conn;

typedef struct s3v4 {
    kiln_store base;       /* first: the common store head */
    s3_conf c;             /* parsed URL and environment */
    conn pool[POOL_MAX];   /* a serial caller always gets pool[0] */
    pthread_mutex_t mu;    /* guards pool[].busy and pool[].h creation */
    pthread_cond_t freed;  /* signalled when a handle is returned */
} s3v4;

/* One HTTP request (all its attempts). */
typedef struct req {
    const char *op;       /* "GET", "PUT", … for messages */
    const char *method;   /* HTTP method */
    const char *key;      /* store-relative key, NULL for the bucket */
    const char *query;    /* canonical query (sorted, encoded) or "" */
    const char *range;    /* "bytes=…" or NULL */
    const void *body;     /* request payload (PUT/POST) or NULL */
    size_t body_len;      /* bytes of body */
    const char *sha;      /* hex SHA-256 of body, NULL for empty */
    const char *md5;      /* base64 Content-MD5 or NULL */
    int if_none_match;    /* send If-None-Match: * */
    kiln_buf *out;        /* a 2xx body is appended here; may be NULL */
} req;

/* What came back from the last attempt. */
typedef struct resp {
    long status;          /* HTTP status, 0 before the status line */
    uint64_t clen;        /* Content-Length, if has_clen */
    int has_clen;
    uint64_t total;       /* object size from Content-Range, if has_total */
    int has_total;
    char etag[96];        /* ETag header, with its quotes, or "" */
    kiln_buf err;         /* body of a non-2xx answer (bounded) */
    kiln_buf *out;        /* where a 2xx body goes */
    size_t out0;          /* out->len before the request */
    int oom;              /* an append failed */
    unsigned attempts;    /* attempts made */
} resp;

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static void curl_init(void) { curl_global_init(CURL_GLOBAL_DEFAULT); }

/* ------------------------------------------------------------ callbacks */

static size_t on_header(char *p, size_t sz, size_t n, void *ud)
{
    resp *r = ud;
    size_t len = sz * n;
    char line[256];
    size_t l = len < sizeof line - 1 ? len : sizeof line - 1;

    memcpy(line, p, l);
    line[l] = '\0';
    while (l && (line[l - 1] == '\r' || line[l - 1] == '\n'))
        line[--l] = '\0';
    if (strncmp(line, "HTTP/", 5) == 0) {
        const char *sp = strchr(line, ' ');
        r->status = sp ? strtol(sp + 1, NULL, 10) : 0;
        r->has_clen = r->has_total = 0;
        r->etag[0] = '\0';
    } else if (strncasecmp(line, "content-length:", 15) == 0) {
        r->clen = strtoull(line + 15, NULL, 10);
        r->has_clen = 1;
    } else if (strncasecmp(line, "content-range:", 14) == 0) {
        const char *sl = strchr(line, '/');
        if (sl && sl[1] >= '0' && sl[1] <= '9') {
            r->total = strtoull(sl + 1, NULL, 10);
            r->has_total = 1;
        }
    } else if (strncasecmp(line, "etag:", 5) == 0) {
        const char *v = line + 5;
        while (*v == ' ')
            v++;
        size_t el = strlen(v);
        if (el >= sizeof r->etag)
            el = sizeof r->etag - 1;
        memcpy(r->etag, v, el);
        r->etag[el] = '\0';
    }
    return len;
}

static size_t on_body(char *p, size_t sz, size_t n, void *ud)
{
    resp *r = ud;
    size_t len = sz * n;
    if (r->status >= 200 && r->status < 300) {
        if (r->out && kiln_buf_append(r->out, p, len)) {
            r->oom = 1;
            return 0;
        }
    } else if (r->err.len < ERR_BODY_MAX) {
        if (kiln_buf_append(&r->err, p, len)) {
            r->oom = 1;
            return 0;
        }
    }
    return len;
}

typedef struct upload {
    const uint8_t *base; /* the whole payload */
    const uint8_t *p;    /* next byte to send */
    size_t left;      /* bytes still to send */
} upload;

static size_t on_read(char *buf, size_t sz, size_t n, void *ud)
{
    upload *u = ud;
    size_t k = sz * n < u->left ? sz * n : u->left;
    memcpy(buf, u->p, k);
    u->p += k;
    u->left -= k;
    return k;
}

/* curl rewinds the payload when it must resend it on a new connection */
static int on_seek(void *ud, curl_off_t off, int origin)
{
    upload *u = ud;
    size_t total = (size_t)(u->p - u->base) + u->left;
    if (origin != SEEK_SET || off < 0 || (uint64_t)off > total)
        return CURL_SEEKFUNC_FAIL;
    u->p = u->base + off;
    u->left = total - (size_t)off;
    return CURL_SEEKFUNC_OK;
}

/* -------------------------------------------------------------- request */

/* Borrow a handle: the first idle one, a new one while fewer than
 * POOL_MAX exist, else wait for one. NULL only if curl cannot make one. */
static conn *acquire(s3v4 *s)
{
    conn *got = NULL;
    pthread_mutex_lock(&s->mu);
    while (!got) {
        for (size_t i = 0; i < POOL_MAX && !got; i++) {
            conn *k = &s->pool[i];
            if (k->busy)
                continue;
            if (!k->h && !(k->h = curl_easy_init()))
                break;
            got = k;
        }
        if (!got) {
            int any_busy = 0;
            for (size_t i = 0; i < POOL_MAX; i++)
                any_busy |= s->pool[i].busy;
            if (!any_busy)
                break; /* curl_easy_init failed with nothing to wait for */
            pthread_cond_wait(&s->freed, &s->mu);
        }
    }
    if (got)
        got->busy = 1;
    pthread_mutex_unlock(&s->mu);
    return got;
}

static void release(s3v4 *s, conn *k)
{
    pthread_mutex_lock(&s->mu);
    k->busy = 0;
    pthread_cond_signal(&s->freed);
    pthread_mutex_unlock(&s->mu);
}

/* One attempt. Returns a KILN_E* for local failures (memory), else 0 with
 * *cc the transport outcome and r filled in. */
static int perform(s3v4 *s, conn *k, const req *q, resp *r, CURLcode *cc)
{
    const s3_conf *c = &s->c;
    kiln_buf path = KILN_BUF_INIT, url = KILN_BUF_INIT,
             auth = KILN_BUF_INIT, hostv = KILN_BUF_INIT;
    struct curl_slist *hl = NULL, *t;
    char date[20];
    const char *hn[4], *hv[4];
    size_t nh = 0;
    const char *sha = q->sha ? q->sha : EMPTY_SHA256;
    upload up = {q->body, q->body, q->body_len};
    time_t now = time(NULL);
    struct tm tm;
    int rc = KILN_ENOMEM;
    char line[1200];

    gmtime_r(&now, &tm);
    strftime(date, sizeof date, "%Y%m%dT%H%M%SZ", &tm);

    /* canonical URI, Host header and URL */
    if (kiln_buf_append(&path, "/", 1))
        goto out;
    if (c->path_style) {
        if (s3_uri_encode(&path, c->bucket, 0))
            goto out;
        if (q->key && kiln_buf_append(&path, "/", 1))
            goto out;
        if (kiln_buf_append(&hostv, c->host, strlen(c->host) + 1))
            goto out;
    } else {
        if (kiln_buf_append(&hostv, c->bucket, strlen(c->bucket)) ||
            kiln_buf_append(&hostv, ".", 1) ||
            kiln_buf_append(&hostv, c->host, strlen(c->host) + 1))
            goto out;
    }
    if (q->key) {
        kiln_buf full = KILN_BUF_INIT;
        int e = kiln_buf_append(&full, c->prefix, strlen(c->prefix)) ||
                kiln_buf_append(&full, q->key, strlen(q->key) + 1) ||
                s3_uri_encode(&path, (const char *)full.data, 1);
        kiln_buf_free(&full);
        if (e)
            goto out;
    } else if (kiln_buf_reserve(&path, 1)) {
        goto out;
    }
    path.data[path.len] = '\0';
    {
        const char *scheme = c->https ? "https://" : "http://";
        if (kiln_buf_append(&url, scheme, strlen(scheme)) ||
            kiln_buf_append(&url, hostv.data, hostv.len - 1) ||
            kiln_buf_append(&url, path.data, path.len) ||
            (*q->query && (kiln_buf_append(&url, "?", 1) ||
                           kiln_buf_append(&url, q->query,
                                           strlen(q->query)))) ||
            kiln_buf_append(&url, "", 1))
            goto out;
    }

    /* sign */
    hn[nh] = "host", hv[nh++] = (const char *)hostv.data;
    hn[nh] = "x-amz-content-sha256", hv[nh++] = sha;
    hn[nh] = "x-amz-date", hv[nh++] = date;
    if (c->token)
        hn[nh] = "x-amz-security-token", hv[nh++] = c->token;
    {
        s3_sigv4_req sr = {q->method, (const char *)path.data, q->query,
                           hn, hv, nh, sha, date, c->region, "s3",
                           c->akid, c->secret};
        if ((rc = s3_sigv4_authorization(&auth, &sr)))
            goto out;
        rc = KILN_ENOMEM;
    }

    /* headers; the token and signature only ever go to curl, never to a
     * message */
#define ADDH(...)                                               \
    do {                                                        \
        snprintf(line, sizeof line, __VA_ARGS__);               \
        if (!(t = curl_slist_append(hl, line)))                 \
            goto out;                                           \
        hl = t;                                                 \
    } while (0)
    ADDH("Host: %s", (const char *)hostv.data);
    ADDH("x-amz-content-sha256: %s", sha);
    ADDH("x-amz-date: %s", date);
    if (c->token) {
        size_t tl = strlen(c->token) + 32;
        char *tk = malloc(tl);
        if (!tk)
            goto out;
        snprintf(tk, tl, "x-amz-security-token: %s", c->token);
        t = curl_slist_append(hl, tk);
        free(tk);
        if (!t)
            goto out;
        hl = t;
    }
    {
        /* curl copies the line; wipe our copy of it afterwards */
        kiln_buf a = KILN_BUF_INIT;
        int e = kiln_buf_append(&a, "Authorization: ", 15) ||
                kiln_buf_append(&a, auth.data, auth.len + 1);
        t = e ? NULL : curl_slist_append(hl, (const char *)a.data);
        if (a.data)
            memset(a.data, 0, a.len);
        kiln_buf_free(&a);
        if (!t)
            goto out;
        hl = t;
    }
    if (q->range)
        ADDH("Range: %s", q->range);
    if (q->md5)
        ADDH("Content-MD5: %s", q->md5);
    if (q->if_none_match)
        ADDH("If-None-Match: *");
    ADDH("Expect:");
    if (q->body)
        ADDH("Content-Type: application/octet-stream");
#undef ADDH

    curl_easy_reset(k->h);
    k->errbuf[0] = '\0';
    curl_easy_setopt(k->h, CURLOPT_URL, (const char *)url.data);
    curl_easy_setopt(k->h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(k->h, CURLOPT_PATH_AS_IS, 1L);
    curl_easy_setopt(k->h, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(k->h, CURLOPT_ERRORBUFFER, k->errbuf);
    curl_easy_setopt(k->h, CURLOPT_CONNECTTIMEOUT, (long)(c->timeout_s < 5
                                                              ? c->timeout_s
                                                              : 5));
    curl_easy_setopt(k->h, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(k->h, CURLOPT_LOW_SPEED_TIME, (long)c->timeout_s);
    curl_easy_setopt(k->h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(k->h, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(k->h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(k->h, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(k->h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(k->h, CURLOPT_TCP_KEEPALIVE, 1L);
    if (c->ca_bundle)
        curl_easy_setopt(k->h, CURLOPT_CAINFO, c->ca_bundle);
    if (strcmp(q->method, "HEAD") == 0) {
        curl_easy_setopt(k->h, CURLOPT_NOBODY, 1L);
    } else if (strcmp(q->method, "PUT") == 0) {
        curl_easy_setopt(k->h, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(k->h, CURLOPT_READFUNCTION, on_read);
        curl_easy_setopt(k->h, CURLOPT_READDATA, &up);
        curl_easy_setopt(k->h, CURLOPT_SEEKFUNCTION, on_seek);
        curl_easy_setopt(k->h, CURLOPT_SEEKDATA, &up);
        curl_easy_setopt(k->h, CURLOPT_INFILESIZE_LARGE,
                         (curl_off_t)q->body_len);
    } else if (strcmp(q->method, "POST") == 0) {
        curl_easy_setopt(k->h, CURLOPT_POST, 1L);
        curl_easy_setopt(k->h, CURLOPT_POSTFIELDS,
                         q->body ? (const char *)q->body : "");
        curl_easy_setopt(k->h, CURLOPT_POSTFIELDSIZE_LARGE,
                         (curl_off_t)q->body_len);
    } else if (strcmp(q->method, "GET") != 0) {
        curl_easy_setopt(k->h, CURLOPT_CUSTOMREQUEST, q->method);
    }
    *cc = curl_easy_perform(k->h);
    if (r->oom) {
        rc = kiln_error_set(KILN_ENOMEM, "%s%s: %s: out of memory",
                            c->display, q->key ? q->key : "", q->op);
        goto out;
    }
    if (*cc == CURLE_OK && r->status == 0)
        curl_easy_getinfo(k->h, CURLINFO_RESPONSE_CODE, &r->status);
    rc = 0;
out:
    curl_slist_free_all(hl);
    if (auth.data)
        memset(auth.data, 0, auth.len);
    kiln_buf_free(&auth);
    kiln_buf_free(&path);
    kiln_buf_free(&url);
    kiln_buf_free(&hostv);
    if (rc == KILN_ENOMEM && !r->oom)
        return kiln_error_set(KILN_ENOMEM, "s3: out of memory");
    return rc;
}

static int transient_curl(CURLcode cc)
{
    switch (cc) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_SEND_FAIL_REWIND:
        return 1;
    default:
        return 0;
    }
}

static int transient_status(const resp *r)
{
    if (r->status >= 500 || r->status == 429 || r->status == 408)
        return 1;
    if (r->status == 400 || r->status == 409) {
        char *code = s3_xml_get((const char *)r->err.data, r->err.len,
                                "Code");
        int t = code && (strcmp(code, "RequestTimeout") == 0 ||
                         strcmp(code, "SlowDown") == 0 ||
                         strcmp(code, "ConditionalRequestConflict") == 0);
        free(code);
        return t;
    }
    return 0;
}

static int attempts(s3v4 *s, conn *k, const req *q, resp *r);

/* All attempts of q. 0 with r describing the last answer (any status: the
 * caller decides), or a KILN_E* when the endpoint could not be reached. */
static int request(s3v4 *s, const req *q, resp *r)
{
    conn *k = acquire(s);
    int rc;

    if (!k)
        return kiln_error_set(KILN_ENOMEM, "s3: cannot create a curl handle");
    rc = attempts(s, k, q, r);
    release(s, k);
    return rc;
}

/* request()'s loop, on the borrowed handle k. */
static int attempts(s3v4 *s, conn *k, const req *q, resp *r)
{
    s3_retry rt;
    CURLcode cc = CURLE_OK;
    int rc;

    r->out = q->out;
    r->out0 = q->out ? q->out->len : 0;
    s3_retry_start(&rt);
    for (;;) {
        rt.attempt++;
        r->status = 0;
        r->has_clen = r->has_total = 0;
        r->etag[0] = '\0';
        r->err.len = 0;
        if (r->out)
            r->out->len = r->out0; /* forget a partial body */
        if ((rc = perform(s, k, q, r, &cc)))
            return rc;
        r->attempts = rt.attempt;
        if (cc == CURLE_OK && !transient_status(r))
            return 0;
        if ((cc != CURLE_OK ? transient_curl(cc) : 1) &&
            s3_retry_again(&s->c, &rt))
            continue;
        if (r->out)
            r->out->len = r->out0;
        if (cc != CURLE_OK)
            return s3_error_http(&s->c, q->op, q->key, 0, NULL,
                                 k->errbuf[0] ? k->errbuf
                                              : curl_easy_strerror(cc),
                                 rt.attempt);
        return 0; /* a transient status outlasted the budget */
    }
}

/* The error of a non-2xx answer, with the endpoint's Code and Message. */
static int fail(s3v4 *s, const req *q, const resp *r)
{
    char *code = s3_xml_get((const char *)r->err.data, r->err.len, "Code");
    char *msg = s3_xml_get((const char *)r->err.data, r->err.len, "Message");
    int rc;
    if (!code && r->status == 404)
        code = strdup(q->key ? "NoSuchKey" : "NoSuchBucket");
    rc = s3_error_http(&s->c, q->op, q->key, r->status, code, msg,
                       r->attempts);
    free(code);
    free(msg);
    return rc;
}

static void resp_free(resp *r) { kiln_buf_free(&r->err); }

/* ------------------------------------------------------------ operations */

static int do_stat(s3v4 *s, const char *key, uint64_t *size, char *etag,
                   size_t etagsz)
{
    req q = {"HEAD", "HEAD", key, "", NULL, NULL, 0, NULL, NULL, 0, NULL};
    resp r = {0};
    int rc = request(s, &q, &r);
    if (rc)
        goto out;
    if (r.status == 200) {
        *size = r.has_clen ? r.clen : 0;
        if (etag)
            snprintf(etag, etagsz, "%s", r.etag);
    } else if (r.status == 404) {
        rc = kiln_error_set(KILN_ENOTFOUND, "%s%s: no such object",
                            s->c.display, key);
    } else if (r.status >= 400 && r.status < 500 && r.status != 416) {
        /* HEAD answers carry no body: ask again with a GET to learn why */
        kiln_buf tmp = KILN_BUF_INIT;
        req g = {"HEAD", "GET", key, "", "bytes=0-0", NULL, 0, NULL, NULL,
                 0, &tmp};
        resp r2 = {0};
        rc = request(s, &g, &r2);
        if (!rc)
            rc = r2.status / 100 == 2 ? fail(s, &q, &r) : fail(s, &g, &r2);
        resp_free(&r2);
        kiln_buf_free(&tmp);
    } else {
        rc = fail(s, &q, &r);
    }
out:
    resp_free(&r);
    return rc;
}

static int v4_stat(kiln_store *st, const char *key, uint64_t *size)
{
    s3v4 *s = (s3v4 *)st;
    int rc = do_stat(s, key, size, NULL, 0);
    return rc;
}

static int v4_get_range(kiln_store *st, const char *key, uint64_t off,
                        uint64_t len, kiln_buf *out)
{
    s3v4 *s = (s3v4 *)st;
    char range[64];
    req q = {"GET", "GET", key, "", range, NULL, 0, NULL, NULL, 0, out};
    resp r = {0};
    size_t out0 = out->len;
    int rc;

    if (len == 0 || off + len < off) {
        uint64_t size = 0;
        if (len && off + len < off) {
            rc = kiln_error_set(KILN_EINVAL, "%s%s: range overflows",
                                s->c.display, key);
        } else if (!(rc = do_stat(s, key, &size, NULL, 0)) && off > size) {
            rc = kiln_error_set(KILN_ECORRUPT,
                                "%s%s: offset %" PRIu64 " past the end "
                                "(%" PRIu64 " bytes)",
                                s->c.display, key, off, size);
        }
        goto out;
    }
    snprintf(range, sizeof range, "bytes=%" PRIu64 "-%" PRIu64, off,
             off + len - 1);
    if ((rc = request(s, &q, &r)))
        goto out;
    if (r.status == 206 || r.status == 200) {
        size_t got = out->len - out0;
        if (r.status == 200) {
            /* the whole object came back: keep the slice asked for */
            if (off > got || len > got - off)
                goto short_read;
            memmove(out->data + out0, out->data + out0 + off, len);
            out->len = out0 + len;
        } else if (got != len) {
            goto short_read;
        }
    } else if (r.status == 416) {
        rc = kiln_error_set(KILN_ECORRUPT,
                            "%s%s: bytes %" PRIu64 "+%" PRIu64
                            " are past the end of the object",
                            s->c.display, key, off, len);
    } else {
        rc = fail(s, &q, &r);
    }
    goto out;
short_read:
    out->len = out0;
    rc = kiln_error_set(KILN_ECORRUPT,
                        "%s%s: bytes %" PRIu64 "+%" PRIu64
                        " reach past the end of the object (truncated?)",
                        s->c.display, key, off, len);
out:
    resp_free(&r);
    return rc;
}

static int v4_get_tail(kiln_store *st, const char *key, uint64_t n,
                       kiln_buf *out, uint64_t *size)
{
    s3v4 *s = (s3v4 *)st;
    char range[48];
    req q = {"GET", "GET", key, "", range, NULL, 0, NULL, NULL, 0, out};
    resp r = {0};
    size_t out0 = out->len;
    int rc;

    if (n == 0) {
        rc = do_stat(s, key, size, NULL, 0);
        goto out;
    }
    snprintf(range, sizeof range, "bytes=-%" PRIu64, n);
    if ((rc = request(s, &q, &r)))
        goto out;
    if (r.status == 206) {
        size_t got = out->len - out0;
        if (!r.has_total || r.total < got ||
            got != (n < r.total ? n : r.total)) {
            out->len = out0;
            rc = kiln_error_set(KILN_EIO,
                                "%s%s: suffix read: unexpected answer "
                                "(%zu bytes, Content-Range total %s)",
                                s->c.display, key, got,
                                r.has_total ? "present" : "missing");
            goto out;
        }
        *size = r.total;
    } else if (r.status == 200) {
        size_t got = out->len - out0;
        *size = got;
        if (got > n) {
            memmove(out->data + out0, out->data + out0 + (got - n), n);
            out->len = out0 + n;
        }
    } else if (r.status == 416) {
        /* an empty object has no suffix to serve */
        rc = do_stat(s, key, size, NULL, 0);
        if (!rc && *size != 0)
            rc = kiln_error_set(KILN_EIO, "%s%s: suffix read refused (416)",
                                s->c.display, key);
    } else {
        rc = fail(s, &q, &r);
    }
out:
    resp_free(&r);
    return rc;
}

/* Abort a multipart upload; keeps the caller's error message. */
static void mp_abort(s3v4 *s, const char *key, const char *qid)
{
    char saved[512];
    snprintf(saved, sizeof saved, "%s", kiln_error_last());
    req q = {"DELETE", "DELETE", key, qid, NULL, NULL, 0, NULL, NULL, 0,
             NULL};
    resp r = {0};
    (void)request(s, &q, &r);
    resp_free(&r);
    kiln_error_set(KILN_EIO, "%s", saved); /* code is the caller's */
}

static int put_multipart(s3v4 *s, const char *key, const void *data,
                         size_t len, int if_none_match)
{
    const s3_conf *c = &s->c;
    kiln_buf body = KILN_BUF_INIT, qid = KILN_BUF_INIT, xml = KILN_BUF_INIT;
    kiln_buf qs = KILN_BUF_INIT;
    char *upload_id = NULL;
    size_t nparts = (len + c->part_size - 1) / c->part_size;
    int rc, started = 0;

    /* 1. initiate */
    {
        req q = {"PUT (initiate multipart)", "POST", key, "uploads=", NULL,
                 NULL, 0, NULL, NULL, 0, &body};
        resp r = {0};
        rc = request(s, &q, &r);
        if (!rc && r.status != 200)
            rc = fail(s, &q, &r);
        resp_free(&r);
        if (rc)
            goto out;
        upload_id = s3_xml_get((const char *)body.data, body.len,
                               "UploadId");
        if (!upload_id || !*upload_id) {
            rc = kiln_error_set(KILN_EIO, "%s%s: multipart: no UploadId in "
                                "the answer", c->display, key);
            goto out;
        }
    }
    started = 1;
    if (kiln_buf_append(&qid, "uploadId=", 9) ||
        s3_uri_encode(&qid, upload_id, 0)) {
        rc = kiln_error_set(KILN_ENOMEM, "s3: out of memory");
        goto out;
    }
    if (kiln_buf_append(&xml, "<CompleteMultipartUpload>", 25))
        goto nomem;

    /* 2. parts */
    for (size_t i = 0; i < nparts; i++) {
        size_t off = i * c->part_size;
        size_t pl = len - off < c->part_size ? len - off : c->part_size;
        char sha[65], md5[25], md5hex[33], num[80];
        s3_sha256_hex((const uint8_t *)data + off, pl, sha);
        s3_md5((const uint8_t *)data + off, pl, md5, md5hex);
        qs.len = 0;
        snprintf(num, sizeof num, "partNumber=%zu&", i + 1);
        if (kiln_buf_append(&qs, num, strlen(num)) ||
            kiln_buf_append(&qs, qid.data, qid.len + 1))
            goto nomem;
        req q = {"PUT (multipart part)", "PUT", key, (const char *)qs.data,
                 NULL, (const uint8_t *)data + off, pl, sha, md5, 0, NULL};
        resp r = {0};
        rc = request(s, &q, &r);
        if (!rc && r.status != 200)
            rc = fail(s, &q, &r);
        if (!rc && !r.etag[0])
            rc = kiln_error_set(KILN_EIO, "%s%s: multipart part %zu: no "
                                "ETag in the answer", c->display, key,
                                i + 1);
        if (!rc) {
            char part[200];
            snprintf(part, sizeof part,
                     "<Part><PartNumber>%zu</PartNumber><ETag>%s</ETag>"
                     "</Part>", i + 1, r.etag);
            if (kiln_buf_append(&xml, part, strlen(part)))
                rc = kiln_error_set(KILN_ENOMEM, "s3: out of memory");
        }
        resp_free(&r);
        if (rc)
            goto out;
    }
    if (kiln_buf_append(&xml, "</CompleteMultipartUpload>", 26))
        goto nomem;

    /* 3. complete: the object appears whole, or not at all */
    {
        char sha[65];
        s3_sha256_hex(xml.data, xml.len, sha);
        body.len = 0;
        req q = {"PUT (complete multipart)", "POST", key,
                 (const char *)qid.data, NULL, xml.data, xml.len, sha, NULL,
                 if_none_match, &body};
        resp r = {0};
        rc = request(s, &q, &r);
        if (!rc && r.status == 200) {
            /* S3 may answer 200 and put the error in the body */
            s3_xml *x = NULL;
            int is_error = body.len &&
                           s3_xml_parse(&x, body.data, body.len,
                                        c->display) == 0 &&
                           strcmp(s3_xml_root_name(x), "Error") == 0;
            s3_xml_free(x);
            kiln_error_clear();
            if (is_error) {
                r.status = 500;
                kiln_buf_reset(&r.err);
                kiln_buf_append(&r.err, body.data, body.len);
                rc = fail(s, &q, &r);
            }
        } else if (!rc && r.status == 412) {
            rc = kiln_error_set(KILN_EEXIST, "%s%s: already exists",
                                c->display, key);
        } else if (!rc && r.status == 404 && r.attempts > 1) {
            /* a retried complete after one that landed */
            uint64_t sz = 0;
            if (do_stat(s, key, &sz, NULL, 0) || sz != len)
                rc = fail(s, &q, &r);
            else
                started = 0;
        } else if (!rc) {
            rc = fail(s, &q, &r);
        }
        resp_free(&r);
        if (!rc)
            started = 0;
    }
    goto out;
nomem:
    rc = kiln_error_set(KILN_ENOMEM, "s3: out of memory");
out:
    if (rc && started) {
        int code = rc;
        mp_abort(s, key, (const char *)qid.data);
        rc = code;
        /* mp_abort re-set the message under EIO; the code is ours */
    }
    free(upload_id);
    kiln_buf_free(&body);
    kiln_buf_free(&qid);
    kiln_buf_free(&qs);
    kiln_buf_free(&xml);
    return rc;
}

static int do_put(s3v4 *s, const char *key, const void *data, size_t len,
                  int if_none_match)
{
    char sha[65], md5[25], md5hex[33];
    resp r = {0};
    int rc;

    if (len > s->c.mp_threshold) {
        if (if_none_match) {
            uint64_t sz;
            rc = do_stat(s, key, &sz, NULL, 0);
            if (rc == 0)
                return kiln_error_set(KILN_EEXIST, "%s%s: already exists",
                                      s->c.display, key);
            if (rc != KILN_ENOTFOUND)
                return rc;
            kiln_error_clear();
        }
        return put_multipart(s, key, data, len, if_none_match);
    }
    s3_sha256_hex(data, len, sha);
    s3_md5(data, len, md5, md5hex);
    req q = {"PUT", "PUT", key, "", NULL, data ? data : "", len, sha, md5,
             if_none_match, NULL};
    if ((rc = request(s, &q, &r)))
        goto out;
    if (r.status == 200 || r.status == 201 || r.status == 204) {
        rc = 0;
    } else if (r.status == 412 && if_none_match) {
        /* after a retry, 412 may be our own earlier attempt that landed */
        char etag[96] = "", want[40];
        uint64_t sz = 0;
        snprintf(want, sizeof want, "\"%s\"", md5hex);
        if (r.attempts > 1 && !do_stat(s, key, &sz, etag, sizeof etag) &&
            sz == len && strcmp(etag, want) == 0)
            rc = 0;
        else
            rc = kiln_error_set(KILN_EEXIST, "%s%s: already exists",
                                s->c.display, key);
    } else {
        rc = fail(s, &q, &r);
    }
out:
    resp_free(&r);
    return rc;
}

static int v4_put(kiln_store *st, const char *key, const void *data,
                  size_t len)
{
    s3v4 *s = (s3v4 *)st;
    int rc = do_put(s, key, data, len, 0);
    return rc;
}

static int v4_put_if_absent(kiln_store *st, const char *key,
                            const void *data, size_t len)
{
    s3v4 *s = (s3v4 *)st;
    int rc = do_put(s, key, data, len, 1);
    return rc;
}

static int v4_list(kiln_store *st, const char *prefix, kiln_store_list_cb cb,
                   void *ud)
{
    s3v4 *s = (s3v4 *)st;
    const s3_conf *c = &s->c;
    kiln_buf body = KILN_BUF_INIT, qs = KILN_BUF_INIT, full = KILN_BUF_INIT;
    char *token = NULL;
    s3_xml *x = NULL;
    size_t plen = strlen(c->prefix);
    int rc = 0;
    unsigned pages = 0;

    /* the lock covers requests only: a callback may use the store (open
     * the block it was just told about) */
    if (kiln_buf_append(&full, c->prefix, plen) ||
        kiln_buf_append(&full, prefix, strlen(prefix) + 1))
        goto nomem;
    for (;;) {
        char mk[40];
        char *trunc;
        int more;

        qs.len = 0;
        if (token && (kiln_buf_append(&qs, "continuation-token=", 19) ||
                      s3_uri_encode(&qs, token, 0) ||
                      kiln_buf_append(&qs, "&", 1)))
            goto nomem;
        snprintf(mk, sizeof mk, "list-type=2&max-keys=%u&prefix=",
                 c->max_keys);
        if (kiln_buf_append(&qs, mk, strlen(mk)) ||
            s3_uri_encode(&qs, (const char *)full.data, 0))
            goto nomem;
        body.len = 0;
        req q = {"LIST", "GET", NULL, (const char *)qs.data, NULL, NULL, 0,
                 NULL, NULL, 0, &body};
        resp r = {0};
        rc = request(s, &q, &r);
        if (!rc && r.status != 200)
            rc = fail(s, &q, &r);
        resp_free(&r);
        if (rc)
            goto out;
        pages++;

        if ((rc = s3_xml_parse(&x, body.data, body.len, c->display)))
            goto out;
        for (const s3_xml_node *n = s3_xml_child(x, NULL, NULL, "Contents");
             n != NULL; n = s3_xml_child(x, NULL, n, "Contents")) {
            char *k = s3_xml_text(x, n, "Key"), *sz = s3_xml_text(x, n, "Size");
            uint64_t size = 0;
            int ours;
            for (const char *d = sz; d && *d >= '0' && *d <= '9'; d++)
                size = size * 10 + (uint64_t)(*d - '0');
            free(sz);
            if (k == NULL) {
                rc = kiln_error_set(KILN_EIO, "%s: LIST: a <Contents> "
                                    "without <Key>", c->display);
                goto out;
            }
            /* keys outside the store's prefix, or not kiln keys, are not
             * ours to report */
            ours = strlen(k) > plen && memcmp(k, c->prefix, plen) == 0 &&
                   kiln_store_key_valid(k + plen);
            rc = ours ? cb(ud, k + plen, size) : 0;
            free(k);
            if (rc)
                goto out;
        }
        trunc = s3_xml_text(x, NULL, "IsTruncated");
        more = trunc && strcmp(trunc, "true") == 0;
        free(trunc);
        free(token);
        token = NULL;
        if (more)
            token = s3_xml_text(x, NULL, "NextContinuationToken");
        s3_xml_free(x);
        x = NULL;
        if (!more)
            break;
        if (!token || !*token || pages > 10000000) {
            rc = kiln_error_set(KILN_EIO, "%s: LIST: truncated answer "
                                "without a continuation token",
                                c->display);
            goto out;
        }
    }
    goto out;
nomem:
    rc = kiln_error_set(KILN_ENOMEM, "s3: out of memory");
out:
    s3_xml_free(x);
    free(token);
    kiln_buf_free(&body);
    kiln_buf_free(&qs);
    kiln_buf_free(&full);
    return rc;
}

static int v4_del(kiln_store *st, const char *key)
{
    s3v4 *s = (s3v4 *)st;
    req q = {"DELETE", "DELETE", key, "", NULL, NULL, 0, NULL, NULL, 0,
             NULL};
    resp r = {0};
    uint64_t sz;
    int rc;

    if ((rc = do_stat(s, key, &sz, NULL, 0)))
        goto out;
    if ((rc = request(s, &q, &r)))
        goto out;
    if (r.status != 204 && r.status != 200)
        rc = fail(s, &q, &r);
out:
    resp_free(&r);
    return rc;
}

static void v4_free(kiln_store *st)
{
    s3v4 *s = (s3v4 *)st;
    if (!s)
        return;
    for (size_t i = 0; i < POOL_MAX; i++)
        if (s->pool[i].h)
            curl_easy_cleanup(s->pool[i].h);
    pthread_cond_destroy(&s->freed);
    pthread_mutex_destroy(&s->mu);
    s3_conf_free(&s->c);
    free(s); /* base.url belongs to kiln_store_free */
}

static const kiln_store_ops v4_ops = {
    KILN_STORE_OPS_VERSION, v4_get_range, v4_get_tail, v4_stat, v4_put,
    v4_put_if_absent,       v4_list,      v4_del,      v4_free,
};

int s3_open_v4(kiln_store **out, s3_conf *c)
{
    s3v4 *s = calloc(1, sizeof *s);
    if (!s) {
        s3_conf_free(c);
        return kiln_error_set(KILN_ENOMEM, "s3: out of memory");
    }
    s->c = *c;
    memset(c, 0, sizeof *c);
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->freed, NULL);
    pthread_once(&curl_once, curl_init);
    if (kiln_store_init(&s->base, &v4_ops, s->c.display)) {
        v4_free(&s->base);
        return KILN_ENOMEM;
    }
    if (!(s->pool[0].h = curl_easy_init())) {
        kiln_store_free(&s->base);
        return kiln_error_set(KILN_ENOMEM, "s3: cannot create a curl handle");
    }
    *out = &s->base;
    return 0;
}
