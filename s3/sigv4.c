/* sigv4.c: AWS Signature Version 4 on OpenSSL's HMAC-SHA256, written by hand
 * rather than through CURLOPT_AWS_SIGV4 because Debian's curl 7.88 neither
 * sorts query parameters nor writes `uploads=`; plus the hashes S3 wants. */
#include "s3_internal.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <openssl/md5.h>
#include <stdio.h>
#include <string.h>

static const char hexdig[] = "0123456789abcdef";

static void to_hex(const unsigned char *p, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hexdig[p[i] >> 4];
        out[2 * i + 1] = hexdig[p[i] & 15];
    }
    out[2 * n] = '\0';
}

void s3_sha256_hex(const void *data, size_t len, char out[65])
{
    unsigned char d[32];
    unsigned int dl = 0;
    EVP_Digest(data, len, d, &dl, EVP_sha256(), NULL);
    to_hex(d, 32, out);
}

void s3_md5(const void *data, size_t len, char out[25], char hex[33])
{
    unsigned char d[16];
    unsigned int dl = 0;
    EVP_Digest(data, len, d, &dl, EVP_md5(), NULL);
    EVP_EncodeBlock((unsigned char *)out, d, 16); /* 24 chars + NUL */
    to_hex(d, 16, hex);
}

static void hmac(const void *key, size_t klen, const char *msg,
                 unsigned char out[32])
{
    unsigned int ol = 32;
    HMAC(EVP_sha256(), key, (int)klen, (const unsigned char *)msg,
         strlen(msg), out, &ol);
}

int s3_uri_encode(kiln_buf *out, const char *s, int keep_slash)
{
    int rc;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        unsigned char c = *p;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
            c == '~' || (c == '/' && keep_slash)) {
            rc = kiln_buf_append(out, p, 1);
        } else {
            char e[3] = {'%', "0123456789ABCDEF"[c >> 4],
                         "0123456789ABCDEF"[c & 15]};
            rc = kiln_buf_append(out, e, 3);
        }
        if (rc)
            return rc;
    }
    if ((rc = kiln_buf_reserve(out, 1)))
        return rc;
    out->data[out->len] = '\0';
    return 0;
}

static int appends(kiln_buf *b, const char *s)
{
    return kiln_buf_append(b, s, strlen(s));
}

int s3_sigv4_authorization(kiln_buf *out, const s3_sigv4_req *r)
{
    kiln_buf creq = KILN_BUF_INIT, sts = KILN_BUF_INIT, sh = KILN_BUF_INIT;
    char date[9], hash[65], sig[65], scope[160];
    unsigned char k1[32], k2[32], k3[32], k4[32], s[32];
    int rc = KILN_ENOMEM;

    memcpy(date, r->amz_date, 8);
    date[8] = '\0';
    /* signed header list "host;x-amz-date" */
    for (size_t i = 0; i < r->nheaders; i++)
        if ((i && appends(&sh, ";")) || appends(&sh, r->hnames[i]))
            goto out;
    if (kiln_buf_append(&sh, "", 1))
        goto out;

    /* canonical request */
    if (appends(&creq, r->method) || appends(&creq, "\n") ||
        appends(&creq, r->canonical_uri) || appends(&creq, "\n") ||
        appends(&creq, r->canonical_query) || appends(&creq, "\n"))
        goto out;
    for (size_t i = 0; i < r->nheaders; i++)
        if (appends(&creq, r->hnames[i]) || appends(&creq, ":") ||
            appends(&creq, r->hvalues[i]) || appends(&creq, "\n"))
            goto out;
    if (appends(&creq, "\n") || appends(&creq, (const char *)sh.data) ||
        appends(&creq, "\n") || appends(&creq, r->payload_hash))
        goto out;
    s3_sha256_hex(creq.data, creq.len, hash);

    /* string to sign */
    snprintf(scope, sizeof scope, "%s/%s/%s/aws4_request", date, r->region,
             r->service);
    if (appends(&sts, "AWS4-HMAC-SHA256\n") || appends(&sts, r->amz_date) ||
        appends(&sts, "\n") || appends(&sts, scope) || appends(&sts, "\n") ||
        appends(&sts, hash) || kiln_buf_append(&sts, "", 1))
        goto out;

    /* signing key: HMAC chain from "AWS4" + secret */
    {
        kiln_buf k = KILN_BUF_INIT;
        if (appends(&k, "AWS4") || appends(&k, r->secret)) {
            kiln_buf_free(&k);
            goto out;
        }
        hmac(k.data, k.len, date, k1);
        OPENSSL_cleanse(k.data, k.len);
        kiln_buf_free(&k);
    }
    hmac(k1, 32, r->region, k2);
    hmac(k2, 32, r->service, k3);
    hmac(k3, 32, "aws4_request", k4);
    hmac(k4, 32, (const char *)sts.data, s);
    to_hex(s, 32, sig);

    if (appends(out, "AWS4-HMAC-SHA256 Credential=") ||
        appends(out, r->akid) || appends(out, "/") || appends(out, scope) ||
        appends(out, ", SignedHeaders=") ||
        appends(out, (const char *)sh.data) ||
        appends(out, ", Signature=") || appends(out, sig) ||
        kiln_buf_reserve(out, 1))
        goto out;
    out->data[out->len] = '\0';
    rc = 0;
out:
    OPENSSL_cleanse(k1, sizeof k1);
    OPENSSL_cleanse(k4, sizeof k4);
    kiln_buf_free(&creq);
    kiln_buf_free(&sts);
    kiln_buf_free(&sh);
    if (rc)
        return kiln_error_set(rc, "s3: out of memory signing a request");
    return 0;
}
