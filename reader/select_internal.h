/* select_internal.h: the reader's selection layer - which blocks, pages and
 * rows a query reads. select.c: selector parsing, series and type
 * matching, page pruning, the store walk with the visible-block rule, and
 * the scan that hands a block's selected rows to a caller; select_trace.c:
 * the trace filter (bloom filter, link chunk, trace index, row filter).
 * Above: aggregation and outputs. Below: block access. Not installed. */
#ifndef KILN_READER_SELECT_INTERNAL_H
#define KILN_READER_SELECT_INTERNAL_H

#include <regex.h>

#include "block_internal.h"

enum { RD_EQ, RD_NE, RD_RE, RD_NRE };

typedef struct rd_matcher {
    char *name;    /* label name */
    char *value;   /* unescaped value, or the regex source */
    int op;        /* RD_EQ, RD_NE, RD_RE, RD_NRE */
    bool has_re;   /* re compiled (RD_RE, RD_NRE) */
    regex_t re;    /* anchored ^(value)$, POSIX extended */
} rd_matcher;

/* What a query selects, and what selecting it cost. */
typedef struct rd_sel {
    int64_t from, to;          /* ns, from <= t < to */
    rd_matcher *m;             /* parsed selector */
    size_t nm;
    char *want_type;           /* NULL = every type */
    char *want_unit;           /* NULL = any unit */
    kiln_result_stats stats;   /* blocks and pages considered and read,
                                * rows selected and their time range */
    /* The trace filter (select_trace.c); has_trace false = none. */
    bool has_trace, has_span, trace_scan;
    uint8_t trace_id[16];
    uint8_t span_id[8];
    uint32_t tr_lo, tr_hi;     /* this block: rows with link (id + 1) in
                                * [tr_lo, tr_hi) are kept */
    kiln_page_rows tr_rows;    /* scratch: the kept rows of a page */
    size_t tr_cap;             /* rows allocated in tr_rows' arrays */
    size_t tr_capv;            /* values allocated in tr_rows.values */
    kiln_trace_stats tstats;
    /* Unreadable blocks (rd_sel_skip): left out and reported through
     * on_skip when the caller gave one; else they fail the query. */
    kiln_skip_cb on_skip;
    void *skip_ud;
    char **skipped;            /* keys left out so far */
    size_t nskipped;
} rd_sel;

/* Parse o's selector (KILN_EINVAL with the position of a syntax error),
 * type and trace filter into s (zeroed first; free it either way). */
int rd_sel_init(rd_sel *s, const kiln_query_opts *o);
void rd_sel_free(rd_sel *s);
/* Block `key` could not be read (err, with its message set): with an
 * on_skip callback, and unless err is KILN_ENOMEM, note it as left out,
 * tell the callback, clear the error and return 0 (the walk goes on
 * without it); else return err. */
int rd_sel_skip(rd_sel *s, const char *key, int err);

/* Type (and unit) string ids of strtab t match the query's type (any
 * type when it has none). */
bool rd_type_wanted(const rd_sel *s, const kiln_strtab *t, uint32_t type,
                    uint32_t unit);
/* sel[sid] = 1 for the series that match the selector and type. */
int rd_select_series(const rd_sel *s, const kiln_seriestab *t, uint8_t *sel);
/* The pages of b that can hold selected rows (series, time, mask[i] when
 * mask is given, has_links with links_only); *ids malloc'd. Counts
 * pages_total. */
int rd_block_candidates(rd_sel *s, kiln_block *b, const uint8_t *mask,
                        bool links_only, uint32_t **ids, size_t *n);
/* Call fn for every visible block of the tenant (the rule of
 * kiln_blocks_replaced), in key order, each freed after its call (blocks
 * outside s's time range are released at open); replaced blocks only
 * count in s's stats. */
int rd_each_block(kiln_store *st, const char *tenant, rd_sel *s,
                  int (*fn)(void *ud, kiln_block *b), void *ud);

/* A scan of one block: what a caller of rd_scan_block is handed. */
typedef struct rd_scan_ops {
    bool links_only;   /* only pages that hold linked rows */
    bool need_links;   /* load every link of the block first (a trace
                        * query has its chunk's links whatever this says) */
    /* Once, when the block has pages to read: its stacks (and links as
     * asked) are loaded. May be NULL. */
    int (*begin)(void *ud, kiln_block *b);
    /* Per page read: rows[lo, hi) are the selected ones (time range, and
     * trace when filtered), lo < hi; already counted in stats. */
    int (*page)(void *ud, kiln_block *b, const kiln_page_meta *pm,
                const kiln_page_rows *rows, uint32_t lo, uint32_t hi);
} rd_scan_ops;

/* The selected rows of b, page by page: the block skipped by its time
 * range, then by the trace filter, then pages pruned by series, time and
 * trace index. Counts blocks_total, blocks_read, pages and rows. */
int rd_scan_block(rd_sel *s, kiln_block *b, const rd_scan_ops *ops,
                  void *ud);

/* ---- the trace filter (select_trace.c) ---- */

/* Copy the trace filter of o (version >= 2) into s; KILN_EINVAL for a
 * span without a trace. */
int rd_trace_init(rd_sel *s, const kiln_query_opts *o);
void rd_trace_free(rd_sel *s);
/* Before the block's pages are looked at: 0 = the trace is not here (block
 * done), 1 = it may be (tr_lo/tr_hi set). Reads the bloom filter and links
 * only. */
int rd_trace_block(rd_sel *s, kiln_block *b);
/* After the page index is loaded: mask[p] = 1 for the pages to read
 * (all of them when scanning). */
int rd_trace_pages(rd_sel *s, kiln_block *b, uint8_t *mask);
/* The rows of `in` linked to the trace, into s->tr_rows (*out points to
 * it). */
int rd_trace_rows(rd_sel *s, const kiln_page_rows *in,
                  const kiln_page_rows **out);

#endif
