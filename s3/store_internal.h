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

/* The S3 backend (s3/s3.c), only when built with KILN_HAVE_S3: url is the
 * whole "s3://BUCKET/PREFIX..." string as given to kiln_store_open. */
int store_open_s3(kiln_store **out, const char *url);

#endif
