/* roundtrip_common.h: what the two corpus round trips (roundtrip.c through
 * the command, roundtrip_api.c through the library) share: the TAP driver
 * over the corpus and the report of how two canonical profiles differ. */
#ifndef KILN_E2E_ROUNDTRIP_COMMON_H
#define KILN_E2E_ROUNDTRIP_COMMON_H

#include <stddef.h>

#include "canon.h"

/* Compare the input `a` with kiln's output `b`: 0 if they are the same
 * profile; else 1, after printing why as TAP diagnostics (the first 12
 * differing canonical lines, or the time_nanos mismatch). */
int rt_compare(const canon *a, const canon *b);

/* One file: 0 pass, 1 fail (reason already printed as TAP diagnostics);
 * a one-line summary of a pass goes into summary. */
typedef int (*rt_check_fn)(void *ctx, const char *file, char *summary,
                           size_t sumlen);

/* Run check over the files named in argv[1..] or else every file of
 * $KILN_CORPUS/pprof, as TAP test points "<what> <base name>: <summary>";
 * `how` ends the closing "# N of M profiles round-trip losslessly" line.
 * The exit status: nonzero only for failures with E2E_STRICT=1. */
int rt_main(int argc, char **argv, const char *what, const char *how,
            rt_check_fn check, void *ctx);

#endif
