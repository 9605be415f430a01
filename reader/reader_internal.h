/* reader_internal.h: what block.c, query.c and render.c share: the open
 * block with its cached sections, and the query result with its own symbols,
 * call tree and value arrays. Not installed. */
#ifndef KILN_READER_INTERNAL_H
#define KILN_READER_INTERNAL_H

#include <regex.h>
#include <stdbool.h>

#include <kiln/reader.h>

#include "format_internal.h"

/* ---- blocks (block.c) ---- */

#define RD_HAVE_SERIES 0x01
#define RD_HAVE_PAGES 0x02
#define RD_HAVE_SYMBOLS 0x04
#define RD_HAVE_STACKS 0x08
#define RD_HAVE_LINKS 0x10
#define RD_HAVE_TRACEINDEX 0x40
#define RD_HAVE_CHUNKS 0x80

struct kiln_block {
    kiln_store *st;            /* borrowed; outlives the block */
    char *key;                 /* owned copy of the store key */
    uint64_t size;             /* bytes of the whole object */
    kiln_buf tail;             /* the object's last tail.len bytes */
    uint64_t tail_off;         /* object offset of tail.data[0] */
    kiln_section *secs;        /* from the footer */
    size_t nsecs;
    kiln_meta meta;            /* from the footer */
    kiln_section_info *sinfo;  /* nsecs entries, for kiln_block_info */
    kiln_block_info info;      /* public view; points into meta/sinfo */
    bool header_ok;            /* header read and accepted */
    uint64_t flags;            /* header feature flags, once header_ok */
    unsigned have;             /* RD_HAVE_* bits: decoded and cached */
    kiln_seriestab series;     /* valid with RD_HAVE_SERIES */
    kiln_page_meta *pages;     /* valid with RD_HAVE_PAGES */
    size_t npages;
    kiln_symtab sym;           /* valid with RD_HAVE_SYMBOLS */
    kiln_stacks stacks;        /* valid with RD_HAVE_STACKS */
    kiln_link *links;          /* valid with RD_HAVE_LINKS (NULL if none) */
    size_t nlinks;
    kiln_trace_index ti;       /* valid with RD_HAVE_TRACEINDEX */
    kiln_link_chunk *chunks;   /* valid with RD_HAVE_CHUNKS: the link
                                * chunk index (traceindex section) */
    size_t nchunks;
    size_t cur_chunk;          /* chunk decoded in clinks/cti; meaningful
                                * only while clinks != NULL */
    kiln_link *clinks;         /* that chunk's links (local ids), or NULL */
    kiln_trace_index cti;      /* its trace index (local link ids, page ids
                                * not yet checked against the page count) */
};

/* Each loads and decodes its section once (checksum checked), after the
 * header check; errors name the block. */
int rd_block_series(kiln_block *b);
int rd_block_pages(kiln_block *b);  /* also loads series */
int rd_block_symbols(kiln_block *b);
int rd_block_stacks(kiln_block *b); /* also loads symbols */
/* Every link and the whole trace index (every chunk, each checked; loads
 * the page index first); sets RD_HAVE_LINKS and RD_HAVE_TRACEINDEX. */
int rd_block_links(kiln_block *b);
/* Test a trace id against the bloom filter: 1 maybe here, 0 absent, < 0
 * error. Reads the one group of the filter that holds the id (checked by
 * its own checksum; the layout follows from the section's length), from
 * the cached tail when it lies there. A block without the section answers 0 when it has
 * no links. */
int rd_block_bloom_test(kiln_block *b, const uint8_t trace[16]);
/* The trace index (= rd_block_links). */
int rd_block_traceindex(kiln_block *b);
/* The link chunk index alone (one small section; totals checked against
 * the footer). */
int rd_block_chunks(kiln_block *b);
/* Decode and cache the one chunk that can hold `trace` (reads the chunk
 * index and that chunk only); *ch = NULL when no chunk can. */
int rd_block_trace_chunk(kiln_block *b, const uint8_t trace[16],
                         const kiln_link_chunk **ch);
/* Link `id` (global) from the whole links when loaded, else from the
 * decoded chunk; NULL when neither holds it. */
const kiln_link *rd_block_link(const kiln_block *b, uint32_t id);
/* Bound on row link ids: the decoded links' count, else the footer's
 * (checked against the chunk index when that was read). */
size_t rd_block_nlinks(const kiln_block *b);
/* The samples section, or NULL (it is required: callers report). */
const kiln_section *rd_block_section(const kiln_block *b, unsigned type);

/* Called with each decoded page, in page-offset order. */
typedef int (*rd_page_cb)(void *ud, uint32_t page, const kiln_page_meta *pm,
                          const kiln_page_rows *rows);
/* Read, check and decode the pages ids[0..n) (ids are sorted here by
 * offset; adjacent pages are fetched in one ranged read). nlinks bounds the
 * rows' link ids. */
int rd_block_read_pages(kiln_block *b, uint32_t *ids, size_t n, size_t nlinks,
                        rd_page_cb cb, void *ud);
/* Drop the cached tail (the footer's metadata stays); later section reads
 * go to the store. */
void rd_block_release(kiln_block *b);
/* Set the message "block KEY: <current message>" and return err. */
int rd_block_err(const kiln_block *b, int err);

/* ---- results (query.c, render.c) ---- */

enum { RD_EQ, RD_NE, RD_RE, RD_NRE };

typedef struct rd_matcher {
    char *name;    /* label name */
    char *value;   /* unescaped value, or the regex source */
    int op;        /* RD_EQ, RD_NE, RD_RE, RD_NRE */
    bool has_re;   /* re compiled (RD_RE, RD_NRE) */
    regex_t re;    /* anchored ^(value)$, POSIX extended */
} rd_matcher;

typedef struct rd_key {
    uint32_t node; /* result stack node */
    uint32_t lset; /* result label set id */
    uint32_t link; /* result link id + 1; 0 = none */
} rd_key;

#define RD_MAX_TYPES 256

struct kiln_result {
    int64_t from, to;          /* ns, from <= t < to */
    int keep_labels;           /* see kiln_query_opts */
    rd_matcher *m;             /* parsed selector */
    size_t nm;
    char *want_type;           /* NULL = every type */
    char *want_unit;           /* NULL = any unit */
    kiln_symtab sym;           /* the result's own symbols */
    kiln_stacks stk;           /* the result's call tree */
    uint32_t *types;           /* 2 * ntypes string ids: type, unit */
    size_t ntypes;
    /* keep_labels == 0: values by node, [node * ntypes + t] */
    int64_t *dense;
    uint8_t *seen;             /* per node: 1 if any row reached it (a
                                * stack whose values sum to 0 still counts) */
    size_t dense_nodes;        /* nodes allocated in dense and seen */
    /* keep_labels == 1: values by (node, lset, link) */
    rd_key *keys;
    int64_t *kvals;            /* [key * ntypes + t] */
    size_t nkeys, capkeys;
    kiln_htab kindex;
    kiln_link *links;          /* result links; key.link - 1 indexes it */
    size_t nlinks, caplinks;
    kiln_htab lindex;
    /* Kind metadata of the first series that contributed rows (ids in sym) */
    bool have_kind;
    uint32_t period_type[2];   /* type, unit */
    int64_t period;
    uint32_t default_type, drop_frames, keep_frames, doc_url;
    uint32_t *comments;
    size_t ncomments;
    int64_t tend;              /* max(t + duration) of matched rows */
    kiln_result_stats stats;
    /* Trace filter (trace.c); has_trace false = none. */
    bool has_trace, has_span, trace_scan;
    uint8_t trace_id[16];
    uint8_t span_id[8];
    uint32_t tr_lo, tr_hi;     /* this block: rows with link (id + 1) in
                                * [tr_lo, tr_hi) are kept */
    kiln_page_rows tr_rows;    /* scratch: the kept rows of a page */
    size_t tr_cap;             /* rows allocated in tr_rows' arrays */
    size_t tr_capv;            /* values allocated in tr_rows.values */
    kiln_trace_stats tstats;
    struct rd_rows *rows;      /* kiln_query_rows' context while it runs:
                                * rows are handed out, not summed; else
                                * NULL */
};

/* query.c, shared with trace.c */
/* sel[sid] = 1 for the series that match the selector and type. */
int rd_select_series(const kiln_result *r, const kiln_seriestab *t,
                     uint8_t *sel);
/* Type (and unit) string ids of strtab t match the query's type (any
 * type when it has none). */
bool rd_type_wanted(const kiln_result *r, const kiln_strtab *t,
                    uint32_t type, uint32_t unit);
/* The pages of b that can hold rows for r (series, time, mask[i] when
 * mask is given, has_links with links_only); *ids malloc'd. */
int rd_block_candidates(kiln_result *r, kiln_block *b, const uint8_t *mask,
                        bool links_only, uint32_t **ids, size_t *n);
/* Call fn for every block of the tenant that no other block replaces, in
 * key order, each freed after its call (blocks outside r's time range are
 * released at open); replaced blocks only count in r's stats. */
int rd_each_block(kiln_store *st, const char *tenant, kiln_result *r,
                  int (*fn)(void *ud, kiln_block *b), void *ud);

/* trace.c, called by query.c */
/* Copy the trace filter of o (version >= 2) into r; KILN_EINVAL for a span
 * without a trace. */
int rd_trace_init(kiln_result *r, const kiln_query_opts *o);
/* Before the block's pages are looked at: 0 = the trace is not here (block
 * done), 1 = it may be (tr_lo/tr_hi set). Reads the bloom filter and links
 * only. */
int rd_trace_block(kiln_result *r, kiln_block *b);
/* After the page index is loaded: mask[p] = 1 for the pages to read
 * (all of them when scanning). */
int rd_trace_pages(kiln_result *r, kiln_block *b, uint8_t *mask);
/* The rows of `in` linked to the trace, into r->tr_rows (*out points to it). */
int rd_trace_rows(kiln_result *r, const kiln_page_rows *in,
                  const kiln_page_rows **out);
void rd_trace_free(kiln_result *r);

/* Register the wanted sample types of the kind's columns in r (as a
 * query's first row of that kind would). */
int rd_kind_types(kiln_result *r, const kiln_seriestab *st, uint32_t kind);

/* rows.c, called by query.c for a page of a rows query: rows [lo, hi) of
 * series sid, tnode[i - lo] their result stack nodes, tm the page's value
 * columns -> result types (-1 = not wanted), ncols columns. */
int rd_rows_page(kiln_result *r, kiln_block *b, uint32_t sid,
                 const kiln_page_rows *rows, uint32_t lo, uint32_t hi,
                 const uint32_t *tnode, const int16_t *tm, uint32_t ncols);

/* render.c: the root-first frames of result node n as a folded line's
 * stack ("a;b;c", the naming of kiln_result_folded), appended to b; path
 * is scratch of r->stk.n entries. */
int rd_folded_stack(const kiln_result *r, uint32_t n, kiln_buf *b,
                    uint32_t *path);

/* Values per node (ntypes per node, r->stk.n nodes): r->dense, or a sum
 * over labels and links in *tmp (free it). */
int rd_node_values(const kiln_result *r, const int64_t **vals, int64_t **tmp);

/* render.c, shared with the flame graph output (flame.c): */
/* The name of line j (0 = innermost) of location loc: the function name,
 * or "0x<addr>" in hex[] when it has none. *s is borrowed. */
void rd_frame_name(const kiln_result *r, uint32_t loc, uint32_t j,
                   char hex[24], const char **s, size_t *n);
/* printf onto the end of b. */
int rd_bprintf(kiln_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Length of the valid UTF-8 sequence at s (n bytes left), or 0. */
size_t rd_utf8_len(const uint8_t *s, size_t n);
/* The escape of ASCII byte c into esc (its length), or 0: c stands as is. */
typedef size_t (*rd_escape_fn)(uint8_t c, char esc[8]);
/* str with each ASCII byte escaped by esc, valid UTF-8 sequences copied,
 * and every other byte written as `bad`, appended to b. */
int rd_escape(kiln_buf *b, const char *str, size_t n, rd_escape_fn esc,
              const char *bad);
/* JSON's escapes: quote, backslash, control characters (\u00XX). */
size_t rd_json_esc(uint8_t c, char esc[8]);
/* A JSON string: quotes, escapes, bytes that are not UTF-8 as U+FFFD. */
int rd_json_str(kiln_buf *b, const char *str, size_t n);

/* units.c: the steps kiln_value_format labels a unit's values with. */
typedef struct rd_unit_step {
    const char *label; /* suffix printed after the number */
    double size;       /* in the family's base unit */
} rd_unit_step;
/* The steps of `unit`'s family (time, bytes, else counts: *n of them,
 * ascending) and what one `unit` is in the family's base (*factor). */
const rd_unit_step *rd_unit_family(const char *unit, size_t *n,
                                   double *factor);

#endif
