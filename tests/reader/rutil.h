/* rutil.h: what the reader tests share: a temporary directory store,
 * corpus files, writing blocks with the writer, and per-stack sums of a
 * pprof profile computed independently of kiln's reader (stacks named by
 * the content of their frames, never by ids). */
#ifndef KILN_TEST_READER_RUTIL_H
#define KILN_TEST_READER_RUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <kiln/kiln.h>

#include "profile.pb-c.h"

/* A temporary directory and a directory store on it. */
typedef struct ru_store {
    char *dir;       /* malloc'd path */
    kiln_store *st;
} ru_store;

void ru_store_open(ru_store *s);  /* asserts */
void ru_store_close(ru_store *s); /* removes the directory */

uint8_t *ru_slurp(const char *path, size_t *len); /* NULL if unreadable */
/* The files of $KILN_CORPUS/pprof, sorted; full paths (malloc'd). */
char **ru_corpus_files(size_t *n);
void ru_free_list(char **v, size_t n);

/* Unpack pprof bytes, gzip'd or not; NULL if not a profile. Free with
 * perftools__profiles__profile__free_unpacked(p, NULL). */
Perftools__Profiles__Profile *ru_unpack(const uint8_t *data, size_t len);

/* Per-stack sums: sorted by key, equal keys merged, all-zero rows
 * dropped. A key is the leaf-first frames (address, mapping fields, every
 * line with its function's fields); with labels, also the sample's labels
 * sorted (trace_id/span_id included, values lowercased). */
typedef struct ru_row {
    char *key;
    size_t klen;
    int64_t *v;   /* ntypes values */
} ru_row;

typedef struct ru_sums {
    ru_row *rows;
    size_t n, cap;
    size_t ntypes;
} ru_sums;

void ru_sums_pprof(ru_sums *s, const Perftools__Profiles__Profile *p,
                   bool labels);
void ru_sums_free(ru_sums *s);
/* NULL if equal, else a static description of the first difference. */
const char *ru_sums_diff(const ru_sums *a, const ru_sums *b);

/* For profiles built by hand: n functions named by string ids name0 ..
 * name0 + n - 1, each with one location of one line (ids 1..n), set as
 * p's functions and locations. f must outlive p's use. */
#define RU_FRAMES_MAX 8
typedef struct ru_frames {
    Perftools__Profiles__Function fn[RU_FRAMES_MAX], *fnp[RU_FRAMES_MAX];
    Perftools__Profiles__Location loc[RU_FRAMES_MAX], *locp[RU_FRAMES_MAX];
    Perftools__Profiles__Line line[RU_FRAMES_MAX], *linep[RU_FRAMES_MAX];
} ru_frames;
void ru_frames_set(ru_frames *f, size_t n, int64_t name0,
                   Perftools__Profiles__Profile *p);

/* Pack p and add it to w with the extra labels el[0..nel) (asserts). */
void ru_add_profile(kiln_writer *w, const Perftools__Profiles__Profile *p,
                    const kiln_label *el, size_t nel);

/* Trace t of block k as 32 hex digits: bytes k, t, then a fixed tail;
 * span s of trace t: t, s. */
void ru_trace_hex(char out[33], unsigned k, unsigned t);
void ru_span_hex(char out[17], unsigned t, unsigned s);
/* Add a profile of `ntraces` traces x 3 spans to w: sample (t, s) has
 * stack main;work<t%3>;leaf<s>, samples 1 and cpu 10*(t+1) + s, linked
 * to trace (k, t) span (t, s); plus one untraced sample. time = 1.7e18 ns
 * + k seconds; series label service_name odd/even by k. */
void ru_add_traced(kiln_writer *w, unsigned k, unsigned ntraces);

/* Query helpers: run a query over the store and return the result. */
kiln_result *ru_query(kiln_store *st, const char *tenant, int64_t from,
                      int64_t to, const char *selector, const char *type,
                      int keep_labels);

#endif
