/* s3_internal.h: what the S3 backend's files share: the parsed URL and
 * environment (s3_conf), the retry policy, the AWS SigV4 signer, a minimal
 * XML reader for S3 responses, and the constructors of the V4 and V2 stores. */
#ifndef KILN_S3_INTERNAL_H
#define KILN_S3_INTERNAL_H

#include <kiln/store.h>
#include <stddef.h>
#include <stdint.h>

/* Everything an S3 store needs to know, from the URL and the environment. */
typedef struct s3_conf {
    char *bucket;          /* bucket name, non-empty */
    char *prefix;          /* "" or a key prefix ending in '/' */
    char *host;            /* endpoint host[:port], no scheme, no path */
    int https;             /* 1 = https (default), 0 = plain http */
    int path_style;        /* 1 = host/bucket/key, 0 = bucket.host/key */
    int sigv;              /* 2 (libs3) or 4 (libcurl + OpenSSL) */
    char *region;          /* SigV4 region, default us-east-1 */
    char *akid;            /* access key id; never printed */
    char *secret;          /* secret key; never printed */
    char *token;           /* session token or NULL; never printed */
    unsigned max_tries;    /* attempts per request, >= 1 */
    unsigned budget_ms;    /* wall time allowed for one request's retries */
    unsigned timeout_s;    /* an attempt fails after this long with no data */
    unsigned max_keys;     /* ListObjects page size, 1..1000 */
    uint64_t mp_threshold; /* bytes; larger puts use multipart (V4 only) */
    uint64_t part_size;    /* bytes per multipart part, >= 5 MiB on AWS */
    uint64_t max_put;      /* bytes; largest single PUT (V2 refuses more) */
    char *display;         /* "s3://bucket/prefix" for messages */
    char *ca_bundle;       /* AWS_CA_BUNDLE: PEM file of trusted CAs, or NULL */
    int v2_unverified_tls; /* 1: accept that libs3 does not check certs */
} s3_conf;

/* Parse url and the AWS_* environment into c. KILN_EINVAL with a message
 * naming the bad part. */
int s3_conf_parse(s3_conf *c, const char *url);
void s3_conf_free(s3_conf *c);

/* Retry state of one logical request (all attempts of it). */
typedef struct s3_retry {
    unsigned attempt;  /* attempts made so far */
    uint64_t t0_ms;    /* monotonic start of the first attempt, ms */
    uint64_t rng;      /* xorshift state for jitter, never 0 */
} s3_retry;

void s3_retry_start(s3_retry *r);
/* After a failed attempt: 1 (having slept a jittered exponential backoff)
 * when another attempt fits the policy, else 0. */
int s3_retry_again(const s3_conf *c, s3_retry *r);

/* Error reporting: "s3://bucket/key: GET: HTTP 403 AccessDenied: msg". The
 * code decides the KILN_E* value; message may be NULL. Returns the code. */
int s3_error_http(const s3_conf *c, const char *op, const char *key,
                  long status, const char *code, const char *message,
                  unsigned attempts);
/* Map an S3 error code (and HTTP status) to a KILN_E* value. */
int s3_error_kind(long status, const char *code);
/* A hint for the user for well-known codes, or "". */
const char *s3_error_hint(const char *code);

/* ---- XML (s3/xml.c): S3 answers through libxml2 ----
 * A listing, an error or a multipart answer is parsed by libxml2 with
 * network access off and no DTD allowed (so no entity of the endpoint's is
 * ever expanded); a document that is not well-formed is KILN_ECORRUPT. */

typedef struct s3_xml s3_xml;           /* a parsed answer */
typedef struct s3_xml_node s3_xml_node; /* an element of it (borrowed) */

/* Parse len bytes. 0, KILN_ECORRUPT (not well-formed, a DTD, too big) or
 * KILN_ENOMEM, with what in the message; *out is NULL on failure. */
int s3_xml_parse(s3_xml **out, const void *doc, size_t len, const char *what);
void s3_xml_free(s3_xml *x); /* accepts NULL */
/* The root element's name ("ListBucketResult", "Error"). */
const char *s3_xml_root_name(const s3_xml *x);
/* The next child element of parent (NULL: the root) named tag, after prev
 * (NULL: the first); NULL when there is no more. */
const s3_xml_node *s3_xml_child(const s3_xml *x, const s3_xml_node *parent,
                                const s3_xml_node *prev, const char *tag);
/* The text of parent's first child element named tag (parent NULL: the
 * root), entities decoded, as a malloc'd string; NULL when absent (or out
 * of memory). */
char *s3_xml_text(const s3_xml *x, const s3_xml_node *parent, const char *tag);
/* Convenience for error bodies: parse, the root's child tag's text, free.
 * NULL when the body is not XML or has no such element. */
char *s3_xml_get(const char *doc, size_t len, const char *tag);

/* ---- SigV4 ---- */

/* Hex SHA-256 of data into out[65]. */
void s3_sha256_hex(const void *data, size_t len, char out[65]);
/* Base64 of the MD5 of data into out[25] and its hex into hex[33]. */
void s3_md5(const void *data, size_t len, char out[25], char hex[33]);

/* One request to sign. Headers are lowercase names, sorted, values trimmed. */
typedef struct s3_sigv4_req {
    const char *method;          /* "GET" */
    const char *canonical_uri;   /* "/bucket/key" already URI-encoded */
    const char *canonical_query; /* "a=1&b=2" sorted and encoded, or "" */
    const char *const *hnames;   /* signed header names, sorted */
    const char *const *hvalues;  /* their values */
    size_t nheaders;
    const char *payload_hash;    /* hex SHA-256 or "UNSIGNED-PAYLOAD" */
    const char *amz_date;        /* "20150830T123600Z" */
    const char *region;
    const char *service;         /* "s3" */
    const char *akid;
    const char *secret;
} s3_sigv4_req;

/* The Authorization header's value appended to out (NUL-terminated). */
int s3_sigv4_authorization(kiln_buf *out, const s3_sigv4_req *r);

/* RFC 3986 encoding of s as AWS wants it: unreserved bytes kept, '/' kept
 * when keep_slash, everything else %XX. Appended with a NUL not counted. */
int s3_uri_encode(kiln_buf *out, const char *s, int keep_slash);

/* ---- the two backends ---- */

/* Both take ownership of *c (moved; *c zeroed) whatever they return. */
int s3_open_v4(kiln_store **out, s3_conf *c);
int s3_open_v2(kiln_store **out, s3_conf *c);

#endif
