/* s3/store_internal.h: what the store front end (store.c) and its backends
 * (dir.c, and the S3 backend when built) share, and nothing else includes. */
#ifndef KILN_STORE_INTERNAL_H
#define KILN_STORE_INTERNAL_H

#include <kiln/store.h>

/* Longest key or list prefix a store accepts, in bytes without the NUL. */
#define KILN_STORE_KEY_LEN_MAX 1024

/* 1 if prefix is acceptable to list(): empty, or key-like where every
 * complete segment (one followed by '/') is valid; the last, partial segment
 * may be empty or any bytes other than '/' and control characters. */
int store_prefix_valid(const char *prefix);

/* The S3 backend (s3/s3.c, in the kiln-s3.so module; store.c loads it):
 * url is the whole "s3://BUCKET/PREFIX..." string as given to
 * kiln_store_open. The module's one exported symbol. */
#define KILN_S3_MODULE_ENTRY "kiln_s3_module_open"
__attribute__((visibility("default")))
int kiln_s3_module_open(kiln_store **out, const char *url);

#endif
