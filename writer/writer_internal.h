/* writer_internal.h: the state of a block under construction, shared by the
 * writer's files (writer.c: lifecycle and rows; ingest_pprof.c and
 * ingest_folded.c: inputs; block.c: encoding the block). Not installed. */
#ifndef KILN_WRITER_INTERNAL_H
#define KILN_WRITER_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <kiln/writer.h>

#include "format_internal.h"


/* One added profile. Its rows are contiguous in the row columns, and its
 * values contiguous in vals (nrows * ntypes, row-major). */
typedef struct wr_profile {
    uint32_t series;  /* series id in kiln_writer.ser */
    uint32_t ntypes;  /* values per row, = the series kind's ntypes */
    int64_t time;     /* profile time, ns since epoch */
    int64_t duration; /* ns */
    size_t row0;      /* first row */
    size_t nrows;     /* rows (identical samples merged) */
    size_t val0;      /* first value in kiln_writer.vals */
} wr_profile;

struct kiln_writer {
    char tenant[65];          /* validated, NUL-terminated */
    char *trace_key;          /* owned */
    char *span_key;           /* owned */
    size_t trace_key_len, span_key_len;
    uint32_t page_rows;       /* > 0 */
    int zstd_level;
    int64_t resolution;       /* ns, >= 0; footer of every block */
    uint32_t level;           /* compaction level; footer */
    char **sources;           /* owned copies of source block ids */
    size_t nsources;

    /* The block under construction. */
    kiln_symtab sym;
    kiln_stacks stacks;       /* nodes appended by wr_stack_child */
    kiln_seriestab ser;
    linktab links;            /* distinct links, in order of first use */
    wr_profile *prof;
    size_t nprof, capprof;
    uint32_t *r_stack;        /* per row: stack node id */
    uint32_t *r_lset;         /* per row: label set id, 0 = none */
    uint32_t *r_link;         /* per row: link index + 1, 0 = none */
    size_t nrows, caprows;
    int64_t *vals;            /* values of every row, see wr_profile */
    size_t nvals, capvals;
    uint64_t bad_links;       /* samples with a malformed trace/span label */
    int64_t tmin, tmax;       /* over profile times; tmin > tmax if empty */

    /* kiln_writer_add_rows: the mapping of the last source's tables into
     * the block (reset with the block). */
    tabmap rmap;
    uint64_t rmap_serial;     /* serial of the tables rmap maps; 0 = none */

    /* Scratch reused across add calls (never part of the block). */
    kiln_buf inflated;        /* gunzipped pprof */
    pprof_doc pdoc;           /* the pprof being added */
    tabmap pmap;              /* its symbols -> sym (arrays reused) */
    uint32_t *path;           /* nodes of the previous sample, root first */
    size_t cappath;
    zctx zstd;                /* for every page and section it packs */
    uint32_t *merge;          /* open-addressing slots: row - row0 + 1 */
    size_t mergecap;          /* allocated slots */
    size_t mergeuse;          /* slots in use for this profile, power of 2 */
    size_t cur_row0, cur_val0; /* first row/value of the profile being added */
    void *scratch[12];        /* growable arrays, WS_* below */
    size_t scratchcap[12];    /* bytes */
};

/* Scratch slots (indexes into kiln_writer.scratch). */
enum {
    WS_LABELS,   /* kiln_label_ent[] for one sample, then the previous one */
    WS_MISC,     /* kind type ids, comments, ... */
    WS_COUNT
};

/* Ensure scratch slot `k` holds at least `bytes`; returns it or NULL. */
void *wr_scratch(kiln_writer *w, int k, size_t bytes);

/* Release scratch buffers grown past a threshold (called after each add
 * and at every cut). */
void wr_scratch_trim(kiln_writer *w);

/* Grow *p (of *cap elements of size `esz`) to hold at least `need`. */
int wr_grow(void **p, size_t *cap, size_t need, size_t esz);

/* Rows of one profile being added. wr_begin reserves room for up to
 * `maxrows` rows of `ntypes` values and a profile record, so no allocation
 * after it can fail; wr_row merges identical (stack, lset, link) rows by summing;
 * wr_commit appends the profile record, wr_abort drops the rows. */
int wr_begin(kiln_writer *w, size_t maxrows, uint32_t ntypes);
/* KILN_EINPUT (message "values of identical samples sum past the int64
 * range", for the caller to prefix with where) when merging overflows. */
int wr_row(kiln_writer *w, uint32_t stack, uint32_t lset, uint32_t link,
           const int64_t *v, uint32_t ntypes);
/* wr_row without merging: the row is appended as it is (rows of a stored
 * block, already merged: nothing is summed, nothing can overflow). */
void wr_row_append(kiln_writer *w, uint32_t stack, uint32_t lset,
                   uint32_t link, const int64_t *v, uint32_t ntypes);
void wr_commit(kiln_writer *w, uint32_t series, uint32_t ntypes, int64_t time,
               int64_t duration);
void wr_abort(kiln_writer *w);

/* The node for `loc` under `parent` in the block's stack tree, added if
 * new. */
static inline int wr_stack_child(kiln_writer *w, uint32_t parent,
                                 uint32_t loc, uint32_t *node)
{
    return stacks_child(&w->stacks, parent, loc, node);
}

/* Intern a link, returning its index + 1 in *id. */
static inline int wr_link(kiln_writer *w, const kiln_link *l, uint32_t *id)
{
    return linktab_add(&w->links, l, id);
}

/* Check caller labels: names and values non-NULL, names non-empty and
 * distinct. KILN_EINVAL naming the label. */
int wr_check_labels(const kiln_label *labels, size_t n);

/* Release the block under construction and start an empty one. */
int wr_reset(kiln_writer *w);

/* When *p..*n is gzip'd, inflate it into buf (bounded by KILN_MAX_INFLATE)
 * and point *p, *n there; errors are prefixed with `what`. */
int wr_gunzip_input(const uint8_t **p, size_t *n, kiln_buf *buf,
                    const char *what);

/* kiln_otlp_detect over bytes already inflated (otlp_layout.c). */
int otlp_layout_of(const void *data, size_t len, kiln_otlp_layout *out);

/* Encode the block (block.c); does not reset the writer. */
int wr_encode(kiln_writer *w, kiln_buf *block, char id[27]);

#endif
