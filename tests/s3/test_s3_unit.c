/* test_s3_unit.c: the S3 backend's parts that need no server: the SigV4
 * signer against AWS's published examples, URI encoding, the XML reader
 * (entities, empty elements, truncation) and s3:// URL + environment
 * parsing. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdlib.h>
#include <string.h>

#include "s3_internal.h"
#include "store_internal.h"

static char *sign(const char *method, const char *uri, const char *query,
                  const char *const *hn, const char *const *hv, size_t n,
                  const char *payload, const char *date, const char *region,
                  const char *service)
{
    kiln_buf out = KILN_BUF_INIT;
    s3_sigv4_req r = {method, uri, query, hn, hv, n, payload, date, region,
                      service, "AKIAIOSFODNN7EXAMPLE",
                      "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"};
    cr_assert(eq(int, s3_sigv4_authorization(&out, &r), 0));
    return (char *)out.data;
}

/* AWS S3 documentation, "Example: GET Object" (Range bytes=0-9). */
Test(s3_sigv4, matches_aws_get_object_example)
{
    const char *hn[] = {"host", "range", "x-amz-content-sha256",
                        "x-amz-date"};
    const char *hv[] = {
        "examplebucket.s3.amazonaws.com", "bytes=0-9",
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "20130524T000000Z"};
    char *a = sign("GET", "/test.txt", "", hn, hv, 4, hv[2],
                   "20130524T000000Z", "us-east-1", "s3");
    cr_assert(eq(str, a,
                 "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/"
                 "us-east-1/s3/aws4_request, SignedHeaders=host;range;"
                 "x-amz-content-sha256;x-amz-date, Signature="
                 "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c60"
                 "36bdb41"));
    free(a);
}

/* AWS S3 documentation, "Example: GET Bucket (List Objects)" with a sorted
 * query string max-keys=2&prefix=J. */
Test(s3_sigv4, matches_aws_list_objects_example)
{
    const char *hn[] = {"host", "x-amz-content-sha256", "x-amz-date"};
    const char *hv[] = {
        "examplebucket.s3.amazonaws.com",
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "20130524T000000Z"};
    char *a = sign("GET", "/", "max-keys=2&prefix=J", hn, hv, 3, hv[1],
                   "20130524T000000Z", "us-east-1", "s3");
    cr_assert(eq(str, strstr(a, "Signature=") + 10,
                 "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69"
                 "dc6f7"));
    free(a);
}

Test(s3_sigv4, sha256_and_md5_of_known_input)
{
    char hex[65], b64[25], mhex[33];
    s3_sha256_hex("abc", 3, hex);
    cr_assert(eq(str, hex,
                 "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f"
                 "20015ad"));
    s3_md5("", 0, b64, mhex);
    cr_assert(eq(str, b64, "1B2M2Y8AsgTpgAmY7PhCfg=="));
    cr_assert(eq(str, mhex, "d41d8cd98f00b204e9800998ecf8427e"));
}

Test(s3_sigv4, uri_encoding_keeps_unreserved_and_optionally_slash)
{
    kiln_buf b = KILN_BUF_INIT;
    cr_assert(eq(int, s3_uri_encode(&b, "a b/c~d+é=", 1), 0));
    cr_assert(eq(str, (char *)b.data, "a%20b/c~d%2B%C3%A9%3D"));
    b.len = 0;
    cr_assert(eq(int, s3_uri_encode(&b, "t/blocks/", 0), 0));
    cr_assert(eq(str, (char *)b.data, "t%2Fblocks%2F"));
    kiln_buf_free(&b);
}

Test(s3_xml, decodes_entities_in_keys)
{
    const char *doc = "<L><Contents><Key>a&amp;b&lt;&gt;&quot;&apos;&#65;"
                      "&#x263A;</Key><Size>12</Size></Contents>"
                      "<Contents><Key>second</Key></Contents></L>";
    s3_xml *x = NULL;
    cr_assert(eq(int, s3_xml_parse(&x, doc, strlen(doc), "t"), 0));
    cr_assert(eq(str, (char *)s3_xml_root_name(x), "L"));
    const s3_xml_node *n = s3_xml_child(x, NULL, NULL, "Contents");
    cr_assert(ne(ptr, (void *)n, NULL));
    char *k = s3_xml_text(x, n, "Key"), *sz = s3_xml_text(x, n, "Size");
    cr_assert(eq(str, k, "a&b<>\"'A\xe2\x98\xba"));
    cr_assert(eq(str, sz, "12"));
    free(k);
    free(sz);
    n = s3_xml_child(x, NULL, n, "Contents");
    cr_assert(ne(ptr, (void *)n, NULL));
    k = s3_xml_text(x, n, "Key");
    cr_assert(eq(str, k, "second"));
    free(k);
    cr_assert(eq(ptr, s3_xml_text(x, n, "Size"), NULL));
    cr_assert(eq(ptr, (void *)s3_xml_child(x, NULL, n, "Contents"), NULL));
    s3_xml_free(x);
}

Test(s3_xml, refuses_malformed_answers_and_dtds)
{
    const char *bad[] = {
        "<K>x&bogus;y</K>", "<K>x&#;</K>", "<K>x&#0;</K>", "<K>x&#xD800;</K>",
        "<K>x&amp</K>", "<Key>unterminated", "", "not xml at all",
        "<A><B></A></B>",
        /* entity expansion (a billion laughs, an external file) is never
         * reached: an answer with a DTD is refused */
        "<?xml version=\"1.0\"?><!DOCTYPE L [<!ENTITY a \"aaaa\">"
        "<!ENTITY b \"&a;&a;&a;&a;\">]><L><Key>&b;</Key></L>",
        "<?xml version=\"1.0\"?><!DOCTYPE L [<!ENTITY x SYSTEM "
        "\"file:///etc/passwd\">]><L><Key>&x;</Key></L>",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        s3_xml *x = (s3_xml *)1;
        cr_assert(eq(int, s3_xml_parse(&x, bad[i], strlen(bad[i]), "ep"),
                     KILN_ECORRUPT), "accepted: %s", bad[i]);
        cr_assert(eq(ptr, x, NULL));
        cr_assert(strstr(kiln_error_last(), "ep: ") != NULL, "%s",
                  kiln_error_last());
        cr_assert(eq(ptr, s3_xml_get(bad[i], strlen(bad[i]), "Key"), NULL));
    }
    /* a tag whose name merely starts like the wanted one is not it */
    const char *u = "<L><KeyCount>3</KeyCount><Key>k</Key></L>";
    char *k = s3_xml_get(u, strlen(u), "Key");
    cr_assert(eq(str, k, "k"));
    free(k);
}

Test(s3_xml, reads_code_message_and_empty_elements)
{
    const char *e = "<?xml version=\"1.0\"?><Error><Code>NoSuchBucket</Code>"
                    "<Message>it &amp; is gone</Message><Resource/></Error>";
    char *code = s3_xml_get(e, strlen(e), "Code");
    char *msg = s3_xml_get(e, strlen(e), "Message");
    char *res = s3_xml_get(e, strlen(e), "Resource");
    cr_assert(eq(str, code, "NoSuchBucket"));
    cr_assert(eq(str, msg, "it & is gone"));
    cr_assert(eq(str, res, ""));
    cr_assert(eq(ptr, s3_xml_get(e, strlen(e), "Missing"), NULL));
    free(code);
    free(msg);
    free(res);
}

static void creds(void)
{
    setenv("AWS_ACCESS_KEY_ID", "AKIDTEST", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "secret", 1);
    unsetenv("AWS_SESSION_TOKEN");
    unsetenv("AWS_ENDPOINT_URL");
    unsetenv("AWS_ENDPOINT_URL_S3");
    unsetenv("AWS_SIGNATURE_VERSION");
    unsetenv("AWS_REGION");
    unsetenv("AWS_DEFAULT_REGION");
}

Test(s3_conf, aws_defaults_are_https_virtual_host_v4)
{
    s3_conf c;
    creds();
    cr_assert(eq(int, s3_conf_parse(&c, "s3://bkt/some/prefix/"), 0));
    cr_assert(eq(str, c.bucket, "bkt"));
    cr_assert(eq(str, c.prefix, "some/prefix/"));
    cr_assert(eq(str, c.host, "s3.us-east-1.amazonaws.com"));
    cr_assert(eq(int, c.https, 1));
    cr_assert(eq(int, c.path_style, 0));
    cr_assert(eq(int, c.sigv, 4));
    s3_conf_free(&c);
}

Test(s3_conf, endpoint_and_options)
{
    s3_conf c;
    creds();
    setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:17480/", 1);
    setenv("AWS_REGION", "eu-west-3", 1);
    cr_assert(eq(int, s3_conf_parse(&c, "s3://bkt?sigv=2&max-keys=7"), 0));
    cr_assert(eq(str, c.prefix, ""));
    cr_assert(eq(str, c.host, "127.0.0.1:17480"));
    cr_assert(eq(int, c.https, 0));
    cr_assert(eq(int, c.path_style, 1));
    cr_assert(eq(int, c.sigv, 2));
    cr_assert(eq(u32, c.max_keys, 7));
    cr_assert(eq(str, c.region, "eu-west-3"));
    s3_conf_free(&c);
    cr_assert(eq(int, s3_conf_parse(&c, "s3://bkt/p?addressing=virtual"),
                 0));
    cr_assert(eq(int, c.path_style, 0));
    cr_assert(eq(int, c.v2_unverified_tls, 0));
    s3_conf_free(&c);
    cr_assert(eq(int, s3_conf_parse(&c, "s3://bkt/p?tries=2&timeout=3&"
                                        "budget=4&part-size=5242880&"
                                        "multipart-threshold=6000000&"
                                        "max-put=99&v2-unverified-tls=1"),
                 0));
    cr_assert(eq(u32, c.max_tries, 2));
    cr_assert(eq(u32, c.timeout_s, 3));
    cr_assert(eq(u32, c.budget_ms, 4000));
    cr_assert(eq(u64, c.part_size, 5242880));
    cr_assert(eq(u64, c.mp_threshold, 6000000));
    cr_assert(eq(u64, c.max_put, 99));
    cr_assert(eq(int, c.v2_unverified_tls, 1));
    s3_conf_free(&c);
    /* an https endpoint is https; V2 over it is refused unless accepted */
    setenv("AWS_ENDPOINT_URL", "https://minio.example:9000", 1);
    kiln_store *st = NULL;
    cr_assert(eq(int, kiln_s3_module_open(&st, "s3://bkt/p?sigv=2"),
                 KILN_EINVAL));
    cr_assert(not(eq(ptr, strstr(kiln_error_last(), "v2-unverified-tls"),
                     NULL)));
    cr_assert(eq(int, s3_conf_parse(&c, "s3://bkt"), 0));
    cr_assert(eq(int, c.https, 1));
    cr_assert(eq(str, c.host, "minio.example:9000"));
    s3_conf_free(&c);
}

Test(s3_conf, rejects_bad_urls_and_missing_credentials)
{
    s3_conf c;
    const char *bad[] = {"s3://", "s3:///x", "s3://b/a/../c", "s3://b?x=1",
                         "s3://b?sigv=3", "s3://b?max-keys=0", "s3://b c/x",
                         "http://b/x"};
    creds();
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cr_assert(eq(int, s3_conf_parse(&c, bad[i]), KILN_EINVAL), "%s",
                  bad[i]);
        s3_conf_free(&c);
    }
    cr_assert(eq(int, s3_conf_parse(&c, "s3://AKID:SECRETVALUE@bkt/p"),
                 KILN_EINVAL));
    cr_assert(eq(ptr, strstr(kiln_error_last(), "SECRETVALUE"), NULL));
    s3_conf_free(&c);
    setenv("AWS_ENDPOINT_URL", "ftp://x", 1);
    cr_assert(eq(int, s3_conf_parse(&c, "s3://b"), KILN_EINVAL));
    s3_conf_free(&c);
    unsetenv("AWS_ENDPOINT_URL");
    unsetenv("AWS_SECRET_ACCESS_KEY");
    cr_assert(eq(int, s3_conf_parse(&c, "s3://b"), KILN_EAUTH));
    cr_assert(not(eq(ptr, strstr(kiln_error_last(), "AWS_SECRET_ACCESS_KEY"),
                     NULL)));
    s3_conf_free(&c);
}

Test(s3_conf, errors_name_code_and_hint_never_the_secret)
{
    s3_conf c;
    creds();
    setenv("AWS_SECRET_ACCESS_KEY", "TOPSECRETVALUE", 1);
    setenv("AWS_SESSION_TOKEN", "TOKENVALUE", 1);
    cr_assert(eq(int, s3_conf_parse(&c, "s3://b/p"), 0));
    cr_assert(eq(int, s3_error_http(&c, "GET", "k", 403,
                                    "SignatureDoesNotMatch", "bad\nsig", 1),
                 KILN_EAUTH));
    const char *m = kiln_error_last();
    cr_assert(not(eq(ptr, strstr(m, "check AWS_SECRET_ACCESS_KEY"), NULL)));
    cr_assert(eq(ptr, strchr(m, '\n'), NULL));
    cr_assert(eq(ptr, strstr(m, "TOPSECRET"), NULL));
    cr_assert(eq(ptr, strstr(m, "TOKENVALUE"), NULL));
    cr_assert(eq(int, s3_error_kind(404, "NoSuchBucket"), KILN_ENOTFOUND));
    cr_assert(eq(int, s3_error_kind(400, "ExpiredToken"), KILN_EAUTH));
    cr_assert(eq(int, s3_error_kind(500, "InternalError"), KILN_EIO));
    s3_conf_free(&c);
}
