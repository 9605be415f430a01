/* s3.c: the S3 backend's common half: s3://BUCKET/PREFIX URLs and the AWS_*
 * environment, the retry policy (bounded exponential backoff with jitter),
 * error messages that name the endpoint's code but never a credential, and
 * a minimal reader for the flat XML S3 answers with. */
#include "s3_internal.h"
#include "store_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

/* ---------------------------------------------------------------- conf */

static char *dupn(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

static const char *env(const char *name)
{
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

static int parse_u64(const char *s, size_t n, uint64_t *out)
{
    uint64_t v = 0;
    if (n == 0 || n > 19)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    *out = v;
    return 0;
}

/* One "name=value" option of the URL's query. */
static int conf_option(s3_conf *c, const char *url, const char *opt,
                       size_t n)
{
    const char *eq = memchr(opt, '=', n);
    size_t kl = eq ? (size_t)(eq - opt) : n;
    const char *v = eq ? eq + 1 : opt + n;
    size_t vl = (size_t)(opt + n - v);
    uint64_t u = 0;
#define IS(name) (kl == strlen(name) && memcmp(opt, name, kl) == 0)
#define VAL(s) (vl == strlen(s) && memcmp(v, s, vl) == 0)
    if (IS("addressing") && VAL("path")) {
        c->path_style = 1;
    } else if (IS("addressing") && VAL("virtual")) {
        c->path_style = 0;
    } else if (IS("sigv") && VAL("2")) {
        c->sigv = 2;
    } else if (IS("sigv") && VAL("4")) {
        c->sigv = 4;
    } else if (IS("region") && vl > 0) {
        free(c->region);
        if (!(c->region = dupn(v, vl)))
            return kiln_error_set(KILN_ENOMEM, "s3: out of memory");
    } else if (IS("max-keys") && !parse_u64(v, vl, &u) && u >= 1 &&
               u <= 1000) {
        c->max_keys = (unsigned)u;
    } else if (IS("tries") && !parse_u64(v, vl, &u) && u >= 1 && u <= 20) {
        c->max_tries = (unsigned)u;
    } else if (IS("timeout") && !parse_u64(v, vl, &u) && u >= 1 &&
               u <= 3600) {
        c->timeout_s = (unsigned)u;
    } else if (IS("budget") && !parse_u64(v, vl, &u) && u >= 1 &&
               u <= 3600) {
        c->budget_ms = (unsigned)(u * 1000);
    } else if (IS("multipart-threshold") && !parse_u64(v, vl, &u) &&
               u >= 1) {
        c->mp_threshold = u;
    } else if (IS("part-size") && !parse_u64(v, vl, &u) &&
               u >= 1024 * 1024) {
        c->part_size = u;
    } else if (IS("max-put") && !parse_u64(v, vl, &u) && u >= 1) {
        c->max_put = u;
    } else if (IS("v2-unverified-tls") && VAL("1")) {
        c->v2_unverified_tls = 1;
    } else {
        return kiln_error_set(KILN_EINVAL,
                              "%s: bad option '%.*s' (known: addressing="
                              "path|virtual, sigv=2|4, region=, max-keys=, "
                              "tries=, timeout=, budget=, "
                              "multipart-threshold=, part-size=, max-put=, "
                              "v2-unverified-tls=1)",
                              url, (int)n, opt);
    }
#undef IS
#undef VAL
    return 0;
}

/* AWS_ENDPOINT_URL: http[s]://host[:port][/] */
static int conf_endpoint(s3_conf *c, const char *ep)
{
    const char *h;
    size_t n;
    if (strncasecmp(ep, "https://", 8) == 0) {
        c->https = 1;
        h = ep + 8;
    } else if (strncasecmp(ep, "http://", 7) == 0) {
        c->https = 0;
        h = ep + 7;
    } else {
        return kiln_error_set(KILN_EINVAL,
                              "AWS_ENDPOINT_URL '%s': must start with "
                              "http:// or https://", ep);
    }
    n = strcspn(h, "/?#");
    if (n == 0 || (h[n] && strcmp(h + n, "/") != 0) || memchr(h, '@', n))
        return kiln_error_set(KILN_EINVAL,
                              "AWS_ENDPOINT_URL '%s': want scheme://host"
                              "[:port] with no path or user", ep);
    if (!(c->host = dupn(h, n)))
        return kiln_error_set(KILN_ENOMEM, "s3: out of memory");
    return 0;
}

int s3_conf_parse(s3_conf *c, const char *url)
{
    const char *p, *slash, *q, *v;
    char pre[1024];
    size_t bl, pl = 0;
    int rc;

    memset(c, 0, sizeof *c);
    c->sigv = 4;
    c->max_tries = 5;
    c->budget_ms = 30000;
    c->timeout_s = 20;
    c->max_keys = 1000;
    c->mp_threshold = (uint64_t)64 << 20;
    c->part_size = (uint64_t)16 << 20;
    c->max_put = (uint64_t)5 << 30;
    c->path_style = -1;

    if (strncmp(url, "s3://", 5) != 0)
        return kiln_error_set(KILN_EINVAL, "%s: not an s3:// URL", url);
    p = url + 5;
    if (memchr(p, '@', strcspn(p, "/?"))) /* never echo what may be a key */
        return kiln_error_set(KILN_EINVAL,
                              "s3:// URL with credentials in it: keys "
                              "belong in AWS_ACCESS_KEY_ID and "
                              "AWS_SECRET_ACCESS_KEY, not in the URL");
    q = strchr(p, '?');
    if (!q)
        q = p + strlen(p);
    slash = memchr(p, '/', (size_t)(q - p));
    bl = slash ? (size_t)(slash - p) : (size_t)(q - p);
    if (bl == 0 || bl > 63)
        return kiln_error_set(KILN_EINVAL, "%s: want s3://BUCKET/PREFIX",
                              url);
    for (size_t i = 0; i < bl; i++) {
        char ch = p[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
              (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' ||
              ch == '_'))
            return kiln_error_set(KILN_EINVAL, "%s: bad bucket name", url);
    }
    if (slash) {
        /* prefix without leading/trailing '/', then one '/' appended */
        const char *a = slash, *b = q;
        while (a < b && *a == '/')
            a++;
        while (b > a && b[-1] == '/')
            b--;
        pl = (size_t)(b - a);
        if (pl + 2 > sizeof pre)
            return kiln_error_set(KILN_EINVAL, "%s: prefix too long", url);
        memcpy(pre, a, pl);
        pre[pl] = '\0';
        if (pl && !kiln_store_key_valid(pre))
            return kiln_error_set(KILN_EINVAL,
                                  "%s: bad prefix (empty, '.' or '..' "
                                  "segments)", url);
        if (pl)
            pre[pl++] = '/';
        pre[pl] = '\0';
    } else {
        pre[0] = '\0';
    }
    if (!(c->bucket = dupn(p, bl)) || !(c->prefix = dupn(pre, pl)))
        goto nomem;

    if ((v = env("AWS_SIGNATURE_VERSION"))) {
        if (strcmp(v, "2") == 0)
            c->sigv = 2;
        else if (strcmp(v, "4") == 0)
            c->sigv = 4;
        else
            return kiln_error_set(KILN_EINVAL,
                                  "AWS_SIGNATURE_VERSION '%s': want 2 or 4",
                                  v);
    }
    v = env("AWS_REGION");
    if (!v)
        v = env("AWS_DEFAULT_REGION");
    if (!(c->region = strdup(v ? v : "us-east-1")))
        goto nomem;

    /* options override the environment */
    if (*q == '?') {
        const char *o = q + 1;
        while (*o) {
            size_t n = strcspn(o, "&");
            if (n && (rc = conf_option(c, url, o, n)))
                return rc;
            o += n;
            if (*o == '&')
                o++;
        }
    }

    if ((v = env("AWS_ENDPOINT_URL_S3")) || (v = env("AWS_ENDPOINT_URL"))) {
        if ((rc = conf_endpoint(c, v)))
            return rc;
        if (c->path_style < 0)
            c->path_style = 1;
    } else {
        char h[128];
        snprintf(h, sizeof h, "s3.%s.amazonaws.com", c->region);
        if (!(c->host = strdup(h)))
            goto nomem;
        c->https = 1;
        if (c->path_style < 0)
            c->path_style = strchr(c->bucket, '.') ? 1 : 0;
    }

    v = env("AWS_ACCESS_KEY_ID");
    if (!v || !env("AWS_SECRET_ACCESS_KEY"))
        return kiln_error_set(KILN_EAUTH,
                              "%s: no credentials: set AWS_ACCESS_KEY_ID "
                              "and AWS_SECRET_ACCESS_KEY", url);
    if (!(c->akid = strdup(v)) ||
        !(c->secret = strdup(env("AWS_SECRET_ACCESS_KEY"))))
        goto nomem;
    if ((v = env("AWS_SESSION_TOKEN")) && !(c->token = strdup(v)))
        goto nomem;
    if ((v = env("AWS_CA_BUNDLE")) && !(c->ca_bundle = strdup(v)))
        goto nomem;

    {
        size_t dl = 5 + strlen(c->bucket) + 1 + strlen(c->prefix) + 1;
        if (!(c->display = malloc(dl)))
            goto nomem;
        snprintf(c->display, dl, "s3://%s/%s", c->bucket, c->prefix);
    }
    if (c->part_size > c->mp_threshold)
        c->part_size = c->mp_threshold < ((uint64_t)5 << 20)
                           ? (uint64_t)5 << 20
                           : c->mp_threshold;
    return 0;
nomem:
    return kiln_error_set(KILN_ENOMEM, "s3: out of memory");
}

static void free_secret(char *s)
{
    if (s) {
        volatile char *p = s;
        while (*p)
            *p++ = 0;
        free(s);
    }
}

void s3_conf_free(s3_conf *c)
{
    if (!c)
        return;
    free(c->bucket);
    free(c->prefix);
    free(c->host);
    free(c->region);
    free(c->akid);
    free_secret(c->secret);
    free_secret(c->token);
    free(c->display);
    free(c->ca_bundle);
    memset(c, 0, sizeof *c);
}

int kiln_s3_module_open(kiln_store **out, const char *url)
{
    s3_conf c;
    int rc;

    *out = NULL;
    if ((rc = s3_conf_parse(&c, url))) {
        s3_conf_free(&c);
        return rc;
    }
    return c.sigv == 2 ? s3_open_v2(out, &c) : s3_open_v4(out, &c);
}

/* --------------------------------------------------------------- retry */

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void s3_retry_start(s3_retry *r)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    r->attempt = 0;
    r->t0_ms = now_ms();
    r->rng = ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)getpid() ^
             (uint64_t)(uintptr_t)r;
    if (!r->rng)
        r->rng = 0x9e3779b97f4a7c15u;
}

int s3_retry_again(const s3_conf *c, s3_retry *r)
{
    uint64_t cap, delay, elapsed;
    unsigned shift;

    if (r->attempt >= c->max_tries)
        return 0;
    /* 200 ms, 400 ms, 800 ms … capped at 5 s; half fixed, half jitter */
    shift = r->attempt > 5 ? 5 : r->attempt - 1;
    cap = (uint64_t)200 << shift;
    if (cap > 5000)
        cap = 5000;
    r->rng ^= r->rng << 13;
    r->rng ^= r->rng >> 7;
    r->rng ^= r->rng << 17;
    delay = cap / 2 + r->rng % (cap / 2 + 1);
    elapsed = now_ms() - r->t0_ms;
    if (elapsed + delay >= c->budget_ms)
        return 0;
    {
        struct timespec ts = {(time_t)(delay / 1000),
                              (long)(delay % 1000) * 1000000L};
        while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
            ;
    }
    return 1;
}

/* -------------------------------------------------------------- errors */

int s3_error_kind(long status, const char *code)
{
    static const char *const auth[] = {
        "AccessDenied", "SignatureDoesNotMatch", "InvalidAccessKeyId",
        "ExpiredToken", "InvalidToken", "TokenRefreshRequired",
        "RequestTimeTooSkewed", "InvalidSecurity", "AccountProblem",
        "AuthorizationHeaderMalformed", "MissingSecurityHeader", NULL};
    if (code)
        for (size_t i = 0; auth[i]; i++)
            if (strcmp(code, auth[i]) == 0)
                return KILN_EAUTH;
    if (status == 401 || status == 403)
        return KILN_EAUTH;
    if (status == 404)
        return KILN_ENOTFOUND;
    if (status == 412)
        return KILN_EEXIST;
    return KILN_EIO;
}

const char *s3_error_hint(const char *code)
{
    static const char *const hints[][2] = {
        {"SignatureDoesNotMatch", "check AWS_SECRET_ACCESS_KEY"},
        {"InvalidAccessKeyId", "check AWS_ACCESS_KEY_ID"},
        {"ExpiredToken", "the session token has expired: refresh "
                         "AWS_SESSION_TOKEN"},
        {"InvalidToken", "AWS_SESSION_TOKEN is not valid: refresh it or "
                         "unset it"},
        {"TokenRefreshRequired", "refresh AWS_SESSION_TOKEN"},
        {"NoSuchBucket", "the bucket does not exist: create it or fix the "
                         "URL"},
        {"RequestTimeTooSkewed", "check the system clock"},
        {"AccessDenied", "check AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY "
                         "and the bucket's permissions"},
        {"Forbidden", "check AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and "
                      "the bucket's permissions"},
        {"AuthorizationHeaderMalformed", "check AWS_REGION"},
        {"PermanentRedirect", "the bucket lives elsewhere: check AWS_REGION "
                              "or AWS_ENDPOINT_URL"},
    };
    if (code)
        for (size_t i = 0; i < sizeof hints / sizeof hints[0]; i++)
            if (strcmp(code, hints[i][0]) == 0)
                return hints[i][1];
    return "";
}

int s3_error_http(const s3_conf *c, const char *op, const char *key,
                  long status, const char *code, const char *message,
                  unsigned attempts)
{
    char msg[256];
    const char *hint = s3_error_hint(code);
    char tries[48] = "";
    size_t i;
    int kind = status ? s3_error_kind(status, code) : KILN_EIO;

    /* one line, bounded, whatever the endpoint sent */
    snprintf(msg, sizeof msg, "%s", message ? message : "");
    for (i = 0; msg[i]; i++)
        if ((unsigned char)msg[i] < 0x20 || msg[i] == 0x7f)
            msg[i] = ' ';
    if (attempts > 1)
        snprintf(tries, sizeof tries, " (after %u tries)", attempts);
    /* a refused session token shows up as a bare InvalidArgument (Ceph) or
     * AccessDenied: say what to look at */
    if (c->token && status >= 400 && status < 500 && !*hint &&
        (kind == KILN_EAUTH ||
         (code && strcmp(code, "InvalidArgument") == 0 && !*msg))) {
        kind = KILN_EAUTH;
        hint = "AWS_SESSION_TOKEN is set: check that it is valid and not "
               "expired";
    }
    if (!status)
        return kiln_error_set(kind, "%s%s: %s: cannot reach %s://%s: %s%s",
                              c->display, key ? key : "", op,
                              c->https ? "https" : "http", c->host, msg,
                              tries);
    return kiln_error_set(kind, "%s%s: %s: HTTP %ld%s%s%s%s%s%s%s%s",
                          c->display, key ? key : "", op, status,
                          code ? " " : "", code ? code : "",
                          *msg ? ": " : "", msg, *hint ? " (" : "", hint,
                          *hint ? ")" : "", tries);
}
