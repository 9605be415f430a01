/* agg_internal.h: the reader's aggregation layer - a query result with its
 * own symbols, call tree and value arrays (agg.c), and per-trace sums
 * (agg_traces.c). It consumes the selection layer's scans; outputs read
 * what it built. Not installed. */
#ifndef KILN_READER_AGG_INTERNAL_H
#define KILN_READER_AGG_INTERNAL_H

#include "select_internal.h"

typedef struct rd_key {
    uint32_t node; /* result stack node */
    uint32_t lset; /* result label set id */
    uint32_t link; /* result link id + 1; 0 = none */
} rd_key;

#define RD_MAX_TYPES 256

struct kiln_result {
    rd_sel sel;                /* what is selected, with the stats */
    int keep_labels;           /* see kiln_query_opts */
    kiln_symtab sym;           /* the result's own symbols */
    kiln_stacks stk;           /* the result's call tree */
    linktab links;             /* result links; key.link - 1 indexes it */
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
    /* Kind metadata of the first series that contributed rows (ids in sym) */
    bool have_kind;
    uint32_t period_type[2];   /* type, unit */
    int64_t period;
    uint32_t default_type, drop_frames, keep_frames, doc_url;
    uint32_t *comments;
    size_t ncomments;
    int64_t tend;              /* max(t + duration) of matched rows */
};

static inline int64_t rd_add64(int64_t a, int64_t b)
{
    return (int64_t)((uint64_t)a + (uint64_t)b); /* wraps, never traps */
}

/* The value columns of a page of b whose series has `kind` that a kind
 * map covers: the kind's types, at most the page's and KILN_MAX_TYPES. */
static inline uint32_t rd_page_cols(const kiln_block *b, uint32_t kind,
                                    const kiln_page_rows *rows)
{
    uint32_t n = b->series.kinds[kind].ntypes;
    if (rows->ntypes < n)
        n = rows->ntypes;
    return n > KILN_MAX_TYPES ? KILN_MAX_TYPES : n;
}

/* The kind's type columns -> result types in m[0..ntypes) (-1 = not
 * wanted), registering new types in r in order (as a query's first row of
 * that kind does). */
int rd_kind_map(kiln_result *r, const kiln_seriestab *st, uint32_t kind,
                int16_t *m);

/* Values per node (ntypes per node, r->stk.n nodes): r->dense, or a sum
 * over labels and links in *tmp (free it). */
int rd_node_values(const kiln_result *r, const int64_t **vals, int64_t **tmp);

#endif
