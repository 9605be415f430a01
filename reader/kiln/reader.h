/* kiln/reader.h: open blocks (footer first, then only the sections a query
 * needs), verify them, and run queries whose results render as pprof,
 * folded stacks, top functions or JSON. */
#ifndef KILN_READER_H
#define KILN_READER_H

#include <kiln/common.h>
#include <kiln/rows.h>
#include <kiln/store.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct kiln_block kiln_block;

typedef struct kiln_section_info {
    const char *name;   /* "symbols", "stacks", ... */
    unsigned type;
    unsigned codec;     /* 0 none, 1 zstd */
    uint64_t offset;
    uint64_t stored;    /* bytes in the block */
    uint64_t raw;       /* bytes decompressed */
} kiln_section_info;

/* What `kiln inspect` shows. Borrowed from the block; lives as long as it. */
typedef struct kiln_block_info {
    const char *key;        /* store key it was opened from */
    const char *tenant;
    const char *id;
    uint64_t size;          /* bytes of the whole block */
    int64_t tmin, tmax;     /* ns since epoch, inclusive */
    uint64_t nseries, nsamples, nstacks, nlocations, nfunctions, nstrings;
    uint64_t nlinks, ntraces, nprofiles;
    uint64_t npages;        /* 0 until the page index is loaded (by
                             * kiln_block_load_index, a query or verify) */
    int64_t resolution;     /* ns, 0 = raw */
    uint32_t level;
    size_t nsources;
    const char *const *sources;
    size_t nlabelnames;
    const char *const *labelnames;
    const uint64_t *labelvalues; /* distinct values per name */
    size_t nsections;
    const kiln_section_info *sections;
    uint64_t bloom_bytes;   /* 0 if no filter */
    double bloom_fpp;       /* expected false-positive rate */
} kiln_block_info;

/* Open the block stored under key: one read of the last 64 KiB (footer and
 * trailer; the whole block when smaller), plus one ranged read of the footer
 * if it is larger than that. The 16-byte header is checked before any
 * section is used: at open when it is in the tail, else on the first
 * section load. Corrupt or unknown-version blocks fail with KILN_ECORRUPT /
 * KILN_ECHECKSUM / KILN_EVERSION; every message starts "block KEY: ".
 * Sections are loaded on demand and cached; st must outlive the block. A
 * block or result is used by one thread at a time (no locks inside).
 * Errors: KILN_EINVAL (a bad key), KILN_ENOTFOUND (no object under key),
 * KILN_ECORRUPT, KILN_ECHECKSUM, KILN_EVERSION, store errors, KILN_ENOMEM.
 * *out is NULL on failure. */
KILN_API int kiln_block_open(kiln_block **out, kiln_store *st,
                             const char *key);
KILN_API void kiln_block_free(kiln_block *b); /* accepts NULL */
/* The block's footer as kiln_block_info, borrowed. Never fails. */
KILN_API const kiln_block_info *kiln_block_info_get(const kiln_block *b);

/* Load (and check) the header, the series and the page index, so that
 * info.npages is known; queries do this by themselves. Errors:
 * KILN_ECORRUPT, KILN_ECHECKSUM, KILN_EVERSION naming block and section,
 * store errors, KILN_ENOMEM. On failure the block stays open and usable
 * for what it had loaded; a later call tries again. */
KILN_API int kiln_block_load_index(kiln_block *b);

/* Read every section and page, check every checksum and decode every
 * structure with its cross-references (row stacks, label sets and links in
 * range, page time ranges and order, the trace index against the rows, every
 * trace in the bloom filter, the footer's counts, time range and label
 * names against the decoded data). 0 if sound; else the first fault:
 * KILN_ECHECKSUM, KILN_ECORRUPT or KILN_EVERSION naming block and place,
 * or a store error or KILN_ENOMEM (the block could not be read whole). */
KILN_API int kiln_block_verify(kiln_block *b);

/* Copy block `key` from src to dst, byte for byte: written with
 * kiln_store_put_if_absent (an object already there is kept and
 * *existed set to 1), then read back and compared with the source's bytes
 * and verified whole (kiln_block_verify). 0 when dst holds a sound copy.
 * Errors: the stores' (KILN_ENOTFOUND when src has no such key, KILN_EIO,
 * KILN_EAUTH), KILN_ECORRUPT when dst's object differs from src's (an
 * older object under the key), kiln_block_verify's, KILN_ENOMEM. *existed
 * is meaningful only on success. Nothing is deleted either way. */
KILN_API int kiln_block_copy(kiln_store *src, kiln_store *dst,
                             const char *key, int *existed);

/* Call cb for every block key of a tenant ("<tenant>/blocks/<id>.kiln"), in
 * key order; tenant NULL = "default". A non-zero return of cb stops the
 * listing and is returned. Errors: KILN_EINVAL (a tenant that is not
 * kiln_tenant_valid), store errors; keys already handed to cb stay
 * handed. */
typedef int (*kiln_block_list_cb)(void *ud, const char *key, uint64_t size);
KILN_API int kiln_blocks_list(kiln_store *st, const char *tenant,
                              kiln_block_list_cb cb, void *ud);

/* ---- rows (reader/pages.c) ----
 *
 * A block's stored rows as ids into its tables, nothing translated or
 * summed: what kiln_writer_add_rows takes to copy or merge blocks. */

/* The block's tables (symbols, stacks, series, every link), loaded and
 * checked on the first call (several sections); *out is borrowed from the
 * block. On failure *out is NULL and the message names the block. */
KILN_API int kiln_block_tables(kiln_block *b, const kiln_tables **out);

typedef struct kiln_page_iter kiln_page_iter;

/* An iterator over every page of b in page order (series, then time);
 * loads the tables and the page index first. b outlives the iterator. On
 * failure *out is NULL. */
KILN_API int kiln_page_iter_new(kiln_page_iter **out, kiln_block *b);
/* The next page's rows into *out (borrowed until the next call or the
 * free); KILN_ITEROVER after the last page; a damaged page is
 * KILN_ECHECKSUM / KILN_ECORRUPT naming block and page. */
KILN_API int kiln_page_iter_next(kiln_rows *out, kiln_page_iter *it);
KILN_API void kiln_page_iter_free(kiln_page_iter *it); /* accepts NULL */

/* The visible-block rule: replaced[i] = 1 for each of blocks[0..n) (the
 * opened blocks of one tenant; NULL entries are skipped) that another of
 * them names as a source - it was replaced by that block, so queries
 * (kiln_query and every store-wide call) and `kiln ls` skip it. */
KILN_API void kiln_blocks_replaced(kiln_block *const *blocks, size_t n,
                          uint8_t *replaced);
/* kiln_blocks_list without the replaced blocks: every block's footer is
 * read (a block that does not open is listed, for the caller to report;
 * its error is cleared). A non-zero return of cb stops the listing and is
 * returned; else 0, or the listing's error (KILN_EIO, KILN_ENOTFOUND for
 * a missing store, KILN_ENOMEM) before any cb call. */
KILN_API int kiln_blocks_visible(kiln_store *st, const char *tenant,
                        kiln_block_list_cb cb, void *ud);

/* ---- queries ---- */

#define KILN_TIME_MIN INT64_MIN
#define KILN_TIME_MAX INT64_MAX

/* Told about a block a query leaves out because it cannot be read (see
 * kiln_query_opts.on_skip): its key, the error code and its message (valid
 * during the call). */
typedef void (*kiln_skip_cb)(void *ud, const char *key, int err,
                             const char *message);

typedef struct kiln_query_opts {
    unsigned version;     /* KILN_QUERY_OPTS_VERSION */
    int64_t from, to;     /* ns since epoch, samples with from <= t < to */
    const char *selector; /* {name="v", name!="v", name=~"re", name!~"re"}
                           * or NULL for every series. Braces optional,
                           * "{}" = all; values double-quoted with \" \\
                           * \n \t escapes; a missing label reads as "";
                           * regexes are POSIX extended, fully anchored */
    const char *type;     /* sample type "cpu" or "cpu:nanoseconds"; NULL =
                           * every type of the selection */
    int keep_labels;      /* keep sample labels and links apart (pprof
                           * output); 0 sums them away (faster) */
    /* Version 2 (version 1 callers never have these read): */
    const uint8_t *trace_id; /* 16 bytes: only samples linked to this trace
                              * (kiln_trace_id_parse); NULL = no filter */
    const uint8_t *span_id;  /* 8 bytes, with trace_id: only that span;
                              * NULL = every span of the trace */
    int trace_scan;          /* with trace_id: find it by decoding every
                              * page in range (no bloom filter, no trace
                              * index) - the baseline of existing stores */
    /* Version 3: */
    kiln_skip_cb on_skip;    /* NULL: a block that cannot be read fails the
                              * query with an error naming it. Set: such a
                              * block (it does not open, or a section or a
                              * selected page it needs fails its checksum or
                              * does not decode) is left out of the answer
                              * whole, on_skip is told, and the query goes
                              * on: the answer is partial
                              * (kiln_result_stats.blocks_skipped). Checked
                              * before any row of the block is used; a page
                              * that passes its checksum yet does not decode
                              * still fails the query. KILN_ENOMEM is never
                              * skipped. */
    void *skip_ud;
} kiln_query_opts;

#define KILN_QUERY_OPTS_VERSION 3
#define KILN_QUERY_OPTS_INIT \
    {KILN_QUERY_OPTS_VERSION, KILN_TIME_MIN, KILN_TIME_MAX, NULL, NULL, 0, \
     NULL, NULL, 0, NULL, NULL}

typedef struct kiln_result kiln_result;

/* An empty result for the options (selector parsed and checked here:
 * KILN_EINVAL with the 1-based position of a syntax error). o NULL = the
 * defaults. Errors: KILN_EINVAL (o->version not 1..KILN_QUERY_OPTS_VERSION,
 * a selector or regex that does not parse, a span id without its trace
 * id), KILN_ENOMEM. *out is NULL on failure. */
KILN_API int kiln_result_new(kiln_result **out, const kiln_query_opts *o);
KILN_API void kiln_result_free(kiln_result *r); /* accepts NULL */

/* Add the block's samples that match. Reads the footer's time range and
 * series first and skips the block, or pages, that cannot match. Errors:
 * those of kiln_block_load_index (KILN_ECORRUPT, KILN_ECHECKSUM,
 * KILN_EVERSION, store errors) for the sections and pages it reads,
 * KILN_ENOMEM. On failure r may hold part of the block's rows: free it
 * rather than render it. */
KILN_API int kiln_result_add_block(kiln_result *r, kiln_block *b);

/* The whole store: every block of the tenant overlapping the range (tenant
 * NULL = "default"). Blocks named as a source by another block of the
 * tenant are skipped (they were replaced by it). Errors: those of
 * kiln_result_new, kiln_blocks_list and kiln_result_add_block (the first
 * block that fails stops the query, named in the message). *out is NULL
 * on failure. */
KILN_API int kiln_query(kiln_result **out, kiln_store *st, const char *tenant,
                        const kiln_query_opts *o);

/* Versioned like kiln_writer_stats: the getter sets version to the layout
 * it filled. */
typedef struct kiln_result_stats {
    unsigned version;                   /* KILN_RESULT_STATS_VERSION, set
                                         * by the getter */
    uint64_t blocks_total, blocks_read; /* considered, and whose pages were
                                         * read */
    uint64_t pages_total, pages_read;   /* in the blocks that overlap the
                                         * range, and fetched */
    uint64_t rows;                      /* rows that matched */
    int64_t tmin, tmax;                 /* of matched rows; 0 if none */
    /* Version 2: */
    uint64_t blocks_skipped;            /* left out as unreadable
                                         * (kiln_query_opts.on_skip) */
} kiln_result_stats;

#define KILN_RESULT_STATS_VERSION 2
/* Fill *out (version included). Never fails. */
KILN_API void kiln_result_stats_get(const kiln_result *r,
                                    kiln_result_stats *out);

/* The result's sample types: the one asked for, or (type NULL) the union
 * of the contributing series' types in first-seen order. These three never
 * fail. */
KILN_API size_t kiln_result_ntypes(const kiln_result *r);
/* The type `go tool pprof` shows by default: the profile's default sample
 * type when it has one, else the last (0 for an empty result). */
KILN_API size_t kiln_result_default_type(const kiln_result *r);
/* Sample type i as "type" and "unit" (borrowed; NULL if i is out of
 * range). */
KILN_API void kiln_result_type(const kiln_result *r, size_t i,
                               const char **type, const char **unit);

/* Renderings, appended to out. folded, top and top_text take a type index
 * (< kiln_result_ntypes, else KILN_EINVAL); an empty result (no types)
 * renders as nothing ("No samples." for top_text).
 *
 * pprof: gzip'd profile.proto with the result's sample types, one Sample per
 * stack (per stack, label set and link with keep_labels) that a matched row
 * reached (values summing to zero included: nothing is lost), leaf-first
 * location ids, only the referenced locations, functions,
 * mappings and strings (ids from 1), time_nanos = first matched sample,
 * duration_nanos = max(t + duration) - time_nanos, and period, period type,
 * comments, drop/keep frames, default sample type and doc_url of the first
 * series that gave rows. With keep_labels, links become "trace_id" and
 * "span_id" labels (lowercase hex).
 *
 * folded: "root;caller;leaf VALUE\n" lines for sample type `type`, inlined
 * frames expanded (caller first), frames named by function (or "0x<addr>"
 * when a location has no symbol), ';' and line breaks in names turned into
 * spaces, lines sorted bytewise, equal lines merged, zero values skipped.
 * The empty stack is not shown.
 *
 * json: one object:
 *   {"types":[{"type":"cpu","unit":"nanoseconds"},...],
 *    "time_ns":N, "duration_ns":N, "period":N,
 *    "period_type":{"type":"...","unit":"..."},
 *    "stats":{"blocks_total":N,"blocks_read":N,"pages_total":N,
 *             "pages_read":N,"rows":N},
 *    "stacks":[{"frames":["root",...,"leaf"],"values":[N,...]},...],
 *    "top":[[{"name":"...","flat":N,"cum":N},...],...]}
 * "stacks" holds every stack with a non-zero value (labels summed away),
 * "values" and "top" follow "types" (one top list per type, ordered as
 * kiln_result_top). Strings are escaped; bytes that are not UTF-8 become
 * U+FFFD.
 *
 * Errors of the three: KILN_EINVAL (type out of range), KILN_ENOMEM. On
 * failure out may hold part of the rendering after what it held before:
 * cut it back to its old length, or drop it. */
KILN_API int kiln_result_pprof(const kiln_result *r, kiln_buf *out);
KILN_API int kiln_result_folded(const kiln_result *r, size_t type,
                                kiln_buf *out);
KILN_API int kiln_result_json(const kiln_result *r, kiln_buf *out);

typedef struct kiln_top_entry {
    const char *name; /* function name (borrowed from the result) */
    int64_t flat;     /* where it is the leaf frame */
    int64_t cum;      /* where it is on the stack, counted once per stack */
} kiln_top_entry;

/* All functions for sample type `type`, as `pprof -top` counts them at
 * function granularity: flat where the function is the innermost frame of
 * the leaf location, cum once per stack where it appears (inlined frames
 * included). Ordered by |flat| descending, then name, then cum. *out is one
 * malloc'd block holding the names too (free(*out)). Errors: KILN_EINVAL
 * (type out of range), KILN_ENOMEM; *out is NULL and *n 0 on failure (and
 * for an empty result). */
KILN_API int kiln_result_top(const kiln_result *r, size_t type,
                             kiln_top_entry **out, size_t *n);
/* A text table of the first `limit` entries (0 = all), like pprof -top,
 * appended to out. Errors and out on failure as kiln_result_folded. */
KILN_API int kiln_result_top_text(const kiln_result *r, size_t type,
                                  size_t limit, kiln_buf *out);

/* ---- values as people read them (reader/units.c) ---- */

#define KILN_VALUE_MAX 48

/* v, a value of sample unit `unit`, as `go tool pprof` labels values:
 * time units ("nanoseconds", "microseconds", "milliseconds", "seconds") as
 * ns, us, ms, s, mins, hrs, days; "bytes" as B, kB, MB, GB, TB, PB (powers
 * of 1024); anything else as a count with SI suffixes k, M, G, T, P, E
 * (counts below 1000 print as exact integers). The step is the largest at
 * which |ref| is at least 1: ref = v labels a value on its own, a table
 * passes its smallest non-zero value so that every row shares one step.
 * Two decimals, a ".00" dropped ("1.96s", "2.50MB", "3070ms", "12.35k").
 * Writes a NUL-terminated string; returns its length. */
KILN_API size_t kiln_value_format(char out[KILN_VALUE_MAX], int64_t v,
                                  const char *unit, int64_t ref);

/* ---- traces (reader/select_trace.c, agg_traces.c) ----
 *
 * A query with opts.trace_id finds the trace block by block: blocks outside
 * the time range are skipped from their footer; then one small read of the
 * bloom section answers "absent" (nothing else of the block is read) or
 * "maybe"; then the links section is binary-searched for the trace's links
 * (and the span's, if given); then the trace index names the pages holding
 * them, and only those pages are read, keeping only rows linked to the
 * trace (or span). The rows aggregate like any query, so every rendering
 * works on the result. */

/* 32 hex digits (either case) into 16 bytes; 16 hex digits into 8 bytes.
 * 0, or KILN_EINVAL with a message naming the length or the bad character
 * (an all-zero id is not a valid W3C id and is refused too). On failure
 * out holds unspecified bytes. */
KILN_API int kiln_trace_id_parse(uint8_t out[16], const char *hex);
KILN_API int kiln_span_id_parse(uint8_t out[8], const char *hex);
/* Lowercase hex, NUL-terminated. Never fail. */
KILN_API void kiln_trace_id_format(const uint8_t id[16], char out[33]);
KILN_API void kiln_span_id_format(const uint8_t id[8], char out[17]);

typedef struct kiln_trace_stats {
    unsigned version;           /* KILN_TRACE_STATS_VERSION, set by the
                                 * getter */
    uint64_t blocks_searched;   /* blocks in the time range asked about the
                                 * trace */
    uint64_t blocks_bloom_pruned; /* the filter said "absent": nothing but
                                   * the filter was read */
    uint64_t bloom_false_positives; /* the filter said "maybe", the links
                                     * said no */
    uint64_t blocks_hit;        /* blocks holding links of the trace/span */
    uint64_t links_matched;     /* (trace, span) links matched, summed over
                                 * blocks */
} kiln_trace_stats;

#define KILN_TRACE_STATS_VERSION 1
/* Fill *out (version included); zero counters for a query without a
 * trace filter. Never fails. */
KILN_API void kiln_result_trace_stats_get(const kiln_result *r,
                                          kiln_trace_stats *out);

/* The block's bloom filter on a trace id (one small read, cached): 1 "maybe
 * here", 0 "certainly not" (also for a block without links), or a negative
 * error (a damaged filter: KILN_ECHECKSUM / KILN_ECORRUPT naming the
 * block; store errors; KILN_ENOMEM). */
KILN_API int kiln_block_trace_maybe(kiln_block *b,
                                    const uint8_t trace_id[16]);
/* The exact number of links (distinct spans) of the trace in the block,
 * from the links section (0 for a block without one); on error a negative
 * KILN_E* code: KILN_ECHECKSUM, KILN_ECORRUPT, store errors, KILN_ENOMEM. */
KILN_API int64_t kiln_block_trace_links(kiln_block *b,
                                        const uint8_t trace_id[16]);

typedef struct kiln_trace_entry {
    uint8_t trace_id[16];
    uint64_t rows;      /* stored rows linked to the trace */
    int64_t samples;    /* sum of the "samples" type where the series has
                         * one, else rows */
    int64_t value;      /* sum of the value type (see kiln_list_traces) */
    int64_t tmin, tmax; /* ns, first and last sample time */
} kiln_trace_entry;

/* The trace ids of the samples selected by o (time range, selector; any
 * trace filter in o is ignored), heaviest first: by value, then samples,
 * then trace id. value sums o->type when given (series without it are not
 * selected), else each series' default sample type (pprof's: the
 * profile's default_sample_type, else its last type). At most `limit`
 * entries (0 = all). *out is malloc'd (free it); *n entries. Reads only
 * pages that hold links. Errors: those of kiln_query. *out is NULL and *n
 * 0 on failure. */
KILN_API int kiln_list_traces(kiln_store *st, const char *tenant,
                              const kiln_query_opts *o, size_t limit,
                              kiln_trace_entry **out, size_t *n);

/* ---- row export (reader/out_rows.c) ----
 *
 * The stored sample rows of a selection one by one, nothing summed: for
 * exports (CSV into a data warehouse) and for checking aggregates. */

typedef struct kiln_rows_schema {
    size_t nlabels;
    const char *const *labels; /* series label names, the columns' order */
    size_t ntypes;
    const char *const *types;  /* sample types, as kiln_result_type */
    const char *const *units;
} kiln_rows_schema;

typedef struct kiln_row {
    int64_t time;              /* ns since epoch */
    int64_t duration;          /* ns, of the profile the row came from */
    const char *const *labels; /* schema.nlabels values of the row's series
                                * ("" where it has no such label) */
    const char *stack;         /* NUL-terminated folded frames, root first,
                                * ';'-joined, named as kiln_result_folded
                                * names them; "" for the empty stack */
    size_t stack_len;          /* strlen(stack) */
    const int64_t *values;     /* schema.ntypes; 0 for a type the row's
                                * series does not have */
    const uint8_t *trace_id;   /* 16 bytes: the row's trace link when the
                                * query keeps labels (keep_labels); NULL =
                                * none or not asked for */
    const uint8_t *span_id;    /* 8 bytes, with trace_id */
} kiln_row;

/* Called once with row NULL (the schema, before any row), then once per
 * row. Pointers are borrowed for the call. A non-zero return stops the
 * walk and is returned. */
typedef int (*kiln_rows_cb)(void *ud, const kiln_rows_schema *s,
                            const kiln_row *row);

/* Every stored row of the tenant's blocks that r's options select (time
 * range, selector, type, trace), in store order: block key, then page
 * order within a block, times ascending within a page (not globally
 * sorted). r comes fresh from kiln_result_new (KILN_EINVAL otherwise) and
 * holds the stats and sample types afterwards; it is not aggregated (its
 * renderings stay empty). A row carries its trace link when the options
 * had keep_labels (the links section is read then); sample labels are not
 * part of a row.
 * labels names the label columns; NULL = every label name of the selected
 * series, sorted bytewise. Two passes: the series and page indexes first
 * (for the schema), then the pages. Returns 0, cb's first non-zero return
 * (the walk stops there), or an error: KILN_EINVAL (r not fresh), and
 * those of kiln_query. Rows already handed to
 * cb stay handed; r's stats count what was read. */
KILN_API int kiln_query_rows(kiln_result *r, kiln_store *st,
                             const char *tenant, const char *const *labels,
                             size_t nlabels, kiln_rows_cb cb, void *ud);

#ifdef __cplusplus
}
#endif

#endif
