/* block_internal.h: the reader's bottom layer - an open block with its
 * cached sections (block.c), its pages and rows (pages.c) and trace ids
 * (traceid.c). Everything above (selection, aggregation, outputs) reaches
 * a block only through this. Not installed. */
#ifndef KILN_READER_BLOCK_INTERNAL_H
#define KILN_READER_BLOCK_INTERNAL_H

#include <stdbool.h>

#include <kiln/reader.h>

#include "format_internal.h"

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
    kiln_tables tables;        /* kiln_block_tables' view; serial 0 until
                                * then */
    zctx zstd;                 /* for every section and page it unpacks */
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
/* The stored bytes of pages ids[0..n) (ids sorted here by offset), fetched
 * as rd_block_read_pages fetches them and each checked against its
 * checksum before any is decoded: a scan that must take a block whole or
 * not at all stages it first (memory: the selected pages as stored). On
 * failure st is freed and the error names the block and page. */
typedef struct rd_staged {
    kiln_buf bytes;        /* the fetched runs, back to back */
    size_t *at;            /* per ids[k]: where its page starts in bytes */
    const uint32_t *ids;   /* borrowed: the caller's sorted ids */
    size_t n;
} rd_staged;
int rd_block_stage_pages(kiln_block *b, uint32_t *ids, size_t n,
                         rd_staged *st);
/* Decode the staged pages in offset order, calling cb with each. */
int rd_block_decode_staged(kiln_block *b, const rd_staged *st, size_t nlinks,
                           rd_page_cb cb, void *ud);
void rd_staged_free(rd_staged *st);
/* Read, check and decode page id alone into rows (free them with
 * page_rows_free; zeroed on failure). */
int rd_block_read_page(kiln_block *b, uint32_t id, size_t nlinks,
                       kiln_page_rows *rows);
/* Drop the cached tail (the footer's metadata stays); later section reads
 * go to the store. */
void rd_block_release(kiln_block *b);
/* Set the message "block KEY: <current message>" and return err. */
int rd_block_err(const kiln_block *b, int err);

/* The link ids [*lo, *hi) of the trace (and span; span NULL = any) in
 * links[0..n), which are sorted by (trace, span). */
void rd_links_range(const kiln_link *links, size_t n, const uint8_t *trace,
                    const uint8_t *span, size_t *lo, size_t *hi);

#endif
