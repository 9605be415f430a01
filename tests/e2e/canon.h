/* canon.h: load a pprof profile (gzip'd or not) with protobuf-c and zlib
 * alone, independent of libkiln, and reduce it to sorted text lines that two
 * profiles share exactly when they hold the same data: header fields
 * (period, duration, sample types, drop/keep frames, default sample type,
 * doc url, comments), per-stack values per sample type (identical samples
 * merged), and the
 * symbols the samples refer to. Ids, order and string-table layout vanish. */
#ifndef KILN_E2E_CANON_H
#define KILN_E2E_CANON_H

#include <stddef.h>
#include <stdint.h>

typedef struct canon {
    char **lines;        /* malloc'd, sorted, distinct */
    size_t n, cap;       /* lines in use, allocated */
    int64_t time_nanos;  /* Profile.time_nanos (compared apart: see below) */
    size_t nsamples;     /* Sample messages before merging */
    size_t nmerged;      /* sample lines after merging */
    size_t nfunctions;   /* distinct functions referenced by samples */
    size_t nlabels;      /* sample labels seen */
} canon;

/* Parse `len` bytes of pprof (gzip'd or not). 0 on success; -1 with a
 * message in err when the bytes are not a well-formed profile: not gzip or
 * protobuf, or a reference (string index, location, function or mapping id)
 * that does not resolve, or a sample whose value count differs from the
 * sample types. */
int canon_load(canon *c, const void *data, size_t len, char *err,
               size_t errlen);
int canon_load_file(canon *c, const char *path, char *err, size_t errlen);
void canon_free(canon *c);

/* Print lines present in only one of a and b ("- " in a only, "+ " in b
 * only), at most `limit` of them, to f; return the number of differing
 * lines. */
#include <stdio.h>
size_t canon_diff(const canon *a, const canon *b, FILE *f, size_t limit);

/* Explain a difference in one line, when it has a known shape: every
 * differing line is in `a` only, and is a sample whose merged values are all
 * zero or a symbol (F/L/M) line. Writes into out and returns 1 then; else 0.
 */
int canon_explain(const canon *a, const canon *b, char *out, size_t len);

/* Read a whole file into a malloc'd buffer. 0 or -1 (errno set). */
int canon_slurp(const char *path, uint8_t **data, size_t *len);

#endif
