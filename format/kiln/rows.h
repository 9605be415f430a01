/* kiln/rows.h: sample rows as a block stores them - symbol, stack and link
 * ids into the block's tables - and read access to those tables. The
 * reader's page iterator hands these out (kiln_page_iter_next) and the
 * writer takes them back (kiln_writer_add_rows), so blocks can be copied,
 * merged or filtered without going through pprof bytes. */
#ifndef KILN_ROWS_H
#define KILN_ROWS_H

#include <kiln/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A block's symbols (strings, mappings, functions, locations with their
 * inlined lines, sample label sets), stack tree, series and links.
 * Opaque; borrowed from the block that gives it (kiln_block_tables) and
 * valid as long as that block. */
typedef struct kiln_tables kiln_tables;

/* The rows of one page: one series, times non-decreasing, columns of n
 * entries (values type-major: values[t * n + i]). Ids refer to the
 * kiln_tables of the same block. Borrowed: valid until the next call on
 * the iterator that gave them. */
typedef struct kiln_rows {
    uint32_t series;         /* series id in the tables */
    uint32_t n;              /* rows */
    uint32_t ntypes;         /* value columns: the series' sample types */
    const int64_t *time;     /* ns since epoch */
    const int64_t *duration; /* ns, of the profile the row came from */
    const uint32_t *stack;   /* leaf stack node; 0 = the empty stack */
    const uint32_t *lset;    /* sample label set id; 0 = none */
    const uint32_t *link;    /* link id + 1; 0 = none */
    const int64_t *values;   /* ntypes * n */
} kiln_rows;

/* Counts of the tables' entries: stack nodes (with the root, node 0),
 * locations, series, links. */
typedef struct kiln_tables_counts {
    size_t nstacks, nlocations, nseries, nlinks;
} kiln_tables_counts;
KILN_API void kiln_tables_counts_get(const kiln_tables *t, kiln_tables_counts *out);

/* Stack node `node`: its parent node (the caller's frame; 0 at the root)
 * and its location id. KILN_EINVAL for node 0 or out of range. */
KILN_API int kiln_tables_stack(const kiln_tables *t, uint32_t node, uint32_t *parent,
                      uint32_t *location);

/* A location: its address, the mapping it lies in (strings "" when it
 * has none) and its number of lines (inlined frames; 0 when unsymbolised).
 * Strings are borrowed from the tables. */
typedef struct kiln_location_info {
    uint64_t address;
    const char *mapping_file;
    const char *build_id;
    uint64_t memory_start, memory_limit, file_offset;
    size_t nlines;
    int is_folded;
} kiln_location_info;
/* KILN_EINVAL for an id out of range (*out then unchanged). */
KILN_API int kiln_tables_location(const kiln_tables *t, uint32_t location,
                         kiln_location_info *out);

/* Line i of a location, i = 0 the innermost (leaf) inlined frame. */
typedef struct kiln_line_info {
    const char *function;
    const char *system_name;
    const char *filename;
    int64_t start_line, line, column;
} kiln_line_info;
/* KILN_EINVAL for an id or i out of range (*out then unchanged). */
KILN_API int kiln_tables_line(const kiln_tables *t, uint32_t location, size_t i,
                     kiln_line_info *out);

/* The trace and span id (16 and 8 bytes, borrowed) of a row's link
 * reference (id + 1). KILN_EINVAL for 0 or out of range. */
KILN_API int kiln_tables_link(const kiln_tables *t, uint32_t ref,
                     const uint8_t **trace_id, const uint8_t **span_id);

/* The value of series label `name`, or NULL (also for a series out of
 * range). */
KILN_API const char *kiln_tables_series_label(const kiln_tables *t, uint32_t series,
                                     const char *name);

#ifdef __cplusplus
}
#endif

#endif
