/* kiln/reader.h: open blocks (footer first, then only the sections a query
 * needs), verify them, and run queries whose results render as pprof,
 * folded stacks, top functions or JSON. */
#ifndef KILN_READER_H
#define KILN_READER_H

#include <kiln/common.h>
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
    uint64_t nlinks, ntraces, nprofiles, npages;
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

/* Open the block stored under key: one read of the tail (footer and
 * trailer), nothing else. Corrupt or unknown-version blocks fail with
 * KILN_ECORRUPT / KILN_ECHECKSUM / KILN_EVERSION naming the block. */
int kiln_block_open(kiln_block **out, kiln_store *st, const char *key);
void kiln_block_free(kiln_block *b); /* accepts NULL */
const kiln_block_info *kiln_block_info_get(const kiln_block *b);

/* Read every section and page, check every checksum and decode every
 * structure with its cross-references. 0 if sound; else the first fault. */
int kiln_block_verify(kiln_block *b);

/* Call cb for every block key of a tenant ("<tenant>/blocks/<id>.kiln"), in
 * key order. */
typedef int (*kiln_block_list_cb)(void *ud, const char *key, uint64_t size);
int kiln_blocks_list(kiln_store *st, const char *tenant, kiln_block_list_cb cb,
                     void *ud);

/* ---- queries ---- */

#define KILN_TIME_MIN INT64_MIN
#define KILN_TIME_MAX INT64_MAX

typedef struct kiln_query_opts {
    unsigned version;     /* KILN_QUERY_OPTS_VERSION */
    int64_t from, to;     /* ns since epoch, samples with from <= t < to */
    const char *selector; /* {name="v", name!="v", name=~"re", name!~"re"}
                           * or NULL for every series */
    const char *type;     /* sample type "cpu" or "cpu:nanoseconds"; NULL =
                           * every type of the selection */
    int keep_labels;      /* keep sample labels and links apart (pprof
                           * output); 0 sums them away (faster) */
} kiln_query_opts;

#define KILN_QUERY_OPTS_VERSION 1
#define KILN_QUERY_OPTS_INIT \
    {KILN_QUERY_OPTS_VERSION, KILN_TIME_MIN, KILN_TIME_MAX, NULL, NULL, 0}

typedef struct kiln_result kiln_result;

/* An empty result for the options (selector parsed and checked here:
 * KILN_EINVAL with the position of a syntax error). */
int kiln_result_new(kiln_result **out, const kiln_query_opts *o);
void kiln_result_free(kiln_result *r); /* accepts NULL */

/* Add the block's samples that match. Reads the footer's time range and
 * series first and skips the block, or pages, that cannot match. */
int kiln_result_add_block(kiln_result *r, kiln_block *b);

/* The whole store: every block of the tenant overlapping the range. */
int kiln_query(kiln_result **out, kiln_store *st, const char *tenant,
               const kiln_query_opts *o);

typedef struct kiln_result_stats {
    uint64_t blocks_total, blocks_read; /* considered, and read from */
    uint64_t pages_total, pages_read;
    uint64_t rows;                      /* rows that matched */
    int64_t tmin, tmax;                 /* of matched rows */
} kiln_result_stats;
void kiln_result_stats_get(const kiln_result *r, kiln_result_stats *out);

size_t kiln_result_ntypes(const kiln_result *r);
/* Sample type i as "type" and "unit" (borrowed). */
void kiln_result_type(const kiln_result *r, size_t i, const char **type,
                      const char **unit);

/* Renderings, appended to out. */
int kiln_result_pprof(const kiln_result *r, kiln_buf *out); /* gzip'd */
int kiln_result_folded(const kiln_result *r, size_t type, kiln_buf *out);
int kiln_result_json(const kiln_result *r, kiln_buf *out);

typedef struct kiln_top_entry {
    const char *name; /* function name (borrowed from the result) */
    int64_t flat;     /* where it is the leaf frame */
    int64_t cum;      /* where it is on the stack, counted once per stack */
} kiln_top_entry;

/* All functions for sample type `type`, by flat descending then name;
 * *out is malloc'd (free()). */
int kiln_result_top(const kiln_result *r, size_t type, kiln_top_entry **out,
                    size_t *n);
/* A text table of the first `limit` entries (0 = all), like pprof -top. */
int kiln_result_top_text(const kiln_result *r, size_t type, size_t limit,
                         kiln_buf *out);

#ifdef __cplusplus
}
#endif

#endif
