/* format_internal.h: the in-memory model of a block and the encoders and
 * decoders of every on-disk structure (spec/). No I/O happens here: writer/
 * and reader/ hand bytes in and take bytes out. Not installed. */
#ifndef KILN_FORMAT_INTERNAL_H
#define KILN_FORMAT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <kiln/common.h>
#include <kiln/rows.h>

/* ---------------------------------------------------------------------
 * Errors (format/error.c)
 * ------------------------------------------------------------------- */

/* KILN_ECORRUPT with "<what>: <detail> at offset <off>". */
int corrupt(const char *what, uint64_t off, const char *detail);

/* KILN_ENOMEM with "<func>: out of memory". The one out-of-memory report
 * of the library: code writes `return nomem();` and the message names the
 * function that ran out. */
int nomem_at(const char *func);
#define nomem() nomem_at(__func__)

/* The zstd contexts of an object that packs or unpacks many sections (a
 * writer, an open block), made on first use and kept: making one runs
 * cpuid, which traps to the hypervisor on a virtual machine and costs more
 * than decoding a small section. NULL where a caller passes one: a context
 * for the call alone. */
typedef struct zctx {
    struct ZSTD_CCtx_s *c;
    struct ZSTD_DCtx_s *d;
} zctx;
void zctx_free(zctx *z);

/* kiln_buf_reserve without the doubling: room for exactly `extra` more
 * bytes, for a buffer whose size is bounded and known (a 32 MiB inflation
 * must not take 64). */
int buf_reserve_exact(kiln_buf *b, size_t extra);

/* Where every public call that returns a status leaves on a normal exit
 * (the rule for a new public function: `return api_return(rc);` on every
 * path that can succeed): a success (rc >= 0) clears this thread's
 * error message, so after any call kiln_error_last() is that call's
 * failure or "", and no kiln_error_wrap prefixes a message an earlier call
 * left (a lookup that failed and was recovered from, say). kiln_buf_* and
 * the error calls do not: the library calls them between setting an error
 * and returning it. */
static inline int api_return(int rc)
{
    if (rc >= 0)
        kiln_error_clear();
    return rc;
}
static inline int64_t api_return64(int64_t rc)
{
    if (rc >= 0)
        kiln_error_clear();
    return rc;
}

/* The one check of a versioned struct a caller hands in (options, a store's
 * ops): 0 when oldest <= version <= newest, else KILN_EINVAL with "<what>:
 * version V is not supported (this libkiln reads OLDEST..NEWEST)". Not an
 * assert: a program built against another kiln gets the message in
 * release builds too. */
int opts_version_check(const char *what, unsigned version, unsigned oldest,
                       unsigned newest);

/* ---------------------------------------------------------------------
 * Little-endian, varints, zigzag (format/bytes.c) — spec/conventions.md
 * ------------------------------------------------------------------- */

/* 2*n lowercase hex digits of p[0..n) and a NUL into out[2*n+1]. */
static inline void hex_lower(char *out, const uint8_t *p, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    out[2 * n] = '\0';
}

/* The value of one hex digit (either case), or -1. */
static inline int hexval(int ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

static inline uint64_t zigzag(int64_t v)
{
    return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}
static inline int64_t unzigzag(uint64_t v)
{
    return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

int put_u8(kiln_buf *b, uint8_t v);
int put_u32le(kiln_buf *b, uint32_t v);
int put_u64le(kiln_buf *b, uint64_t v);
int put_uvarint(kiln_buf *b, uint64_t v); /* LEB128, at most 10 bytes */
int put_svarint(kiln_buf *b, int64_t v);  /* zigzag then uvarint */
int put_blob(kiln_buf *b, const void *p, size_t n); /* uvarint n, bytes */

static inline uint32_t load_u32le(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}
static inline uint64_t load_u64le(const uint8_t *p)
{
    return (uint64_t)load_u32le(p) | (uint64_t)load_u32le(p + 4) << 32;
}
static inline void set_u32le(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24);
}
static inline void set_u64le(uint8_t *p, uint64_t v)
{
    set_u32le(p, (uint32_t)v);
    set_u32le(p + 4, (uint32_t)(v >> 32));
}

/* A bounds-checked decoding cursor (SQLite's aDataEnd habit). Every read
 * checks against `end` first; a short or malformed field is KILN_ECORRUPT
 * naming `what` and the offset from `base`. */
typedef struct kiln_cur {
    const uint8_t *p;    /* next byte to read */
    const uint8_t *end;  /* one past the last readable byte */
    const uint8_t *base; /* start of the structure, for offsets in errors */
    const char *what;    /* "section symbols", "footer", ... */
} kiln_cur;

void cur_init(kiln_cur *c, const void *p, size_t n, const char *what);
static inline size_t cur_left(const kiln_cur *c)
{
    return (size_t)(c->end - c->p);
}
static inline uint64_t cur_off(const kiln_cur *c)
{
    return (uint64_t)(c->p - c->base);
}
int get_u8(kiln_cur *c, uint8_t *v);
int get_u32le(kiln_cur *c, uint32_t *v);
int get_u64le(kiln_cur *c, uint64_t *v);
int get_uvarint(kiln_cur *c, uint64_t *v);
int get_svarint(kiln_cur *c, int64_t *v);
/* A uvarint that must be <= max (counts, indexes): KILN_ECORRUPT otherwise,
 * naming `field`. */
int get_count(kiln_cur *c, uint64_t max, const char *field, uint64_t *v);
int get_bytes(kiln_cur *c, size_t n, const uint8_t **p);
int get_blob(kiln_cur *c, const uint8_t **p, size_t *n);

/* ---------------------------------------------------------------------
 * Protobuf wire format (format/protowire.c): the fields of one message, by
 * wire type, without a schema. Used where input bytes must be looked at
 * before choosing how to decode them (OTLP layout, a profile's time).
 * ------------------------------------------------------------------- */

#define KILN_PB_VARINT 0
#define KILN_PB_I64 1
#define KILN_PB_LEN 2
#define KILN_PB_I32 5

typedef struct kiln_pbfield {
    uint32_t num;     /* field number, >= 1 */
    uint8_t wt;       /* wire type, KILN_PB_* */
    uint64_t v;       /* VARINT, I64 and I32 values */
    const uint8_t *p; /* LEN payload (inside the cursor's buffer) */
    size_t len;       /* LEN payload bytes */
} kiln_pbfield;

/* The next field at c: 0, KILN_ITEROVER at the end of the message, or
 * KILN_ECORRUPT (a truncated field, a group, an unknown wire type). */
int pb_next(kiln_cur *c, kiln_pbfield *f);
/* Varints in a packed repeated field's payload. */
size_t pb_count_varints(const uint8_t *p, size_t len);

/* ---------------------------------------------------------------------
 * Integer columns (format/column.c) — spec/columns.md
 *
 * One encoding for every integer column: a mode byte (0 = values,
 * 1 = deltas of consecutive values), the frame of reference (the minimum,
 * zigzag varint), a bit width 0..64 (u8), then ceil(n*width/8) bytes of
 * (value - min) packed LSB first. n is known from context and not stored.
 * A constant column costs 3 bytes.
 * ------------------------------------------------------------------- */

#define KILN_COL_PLAIN 0
#define KILN_COL_DELTA 1

int col_encode(kiln_buf *out, const int64_t *v, size_t n, int mode);
int col_decode(kiln_cur *c, int64_t *v, size_t n);
/* Same, for uint32 arrays (ids); values outside uint32 are KILN_ECORRUPT. */
int col_encode_u32(kiln_buf *out, const uint32_t *v, size_t n, int mode);
int col_decode_u32(kiln_cur *c, uint32_t *v, size_t n);

/* ---------------------------------------------------------------------
 * Hash index (format/htab.c): open addressing over uint32 ids, keyed by a
 * 64-bit hash, equality decided by the caller. Used for interning.
 * ------------------------------------------------------------------- */

typedef struct kiln_htab {
    uint64_t *hashes; /* per slot; 0 = empty (hashes are forced non-zero) */
    uint32_t *ids;    /* per slot */
    size_t cap;       /* power of two */
    size_t n;         /* occupied slots */
} kiln_htab;

typedef bool (*kiln_htab_eq)(const void *ctx, uint32_t id, const void *key);

/* Find key; on hit return 1 and *id. On miss return 0 and leave a slot
 * reserved through *slot for htab_insert. Negative on ENOMEM. */
int htab_find(kiln_htab *h, uint64_t hash, kiln_htab_eq eq,
                   const void *ctx, const void *key, uint32_t *id,
                   size_t *slot);
int htab_insert(kiln_htab *h, uint64_t hash, size_t slot, uint32_t id);
void htab_free(kiln_htab *h);

uint64_t hash64(const void *p, size_t n, uint64_t seed); /* xxh64 */

/* A 64-bit finaliser (MurmurHash3's fmix64): spreads an integer key over
 * a power-of-two table in a few cycles, for hot integer-keyed indexes. */
static inline uint64_t hash_mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

/* ---------------------------------------------------------------------
 * String table (format/strtab.c): interned byte strings, id 0 = "".
 * Strings may hold any bytes (pprof strings are not always UTF-8), and are
 * stored NUL-terminated for convenience.
 * ------------------------------------------------------------------- */

typedef struct kiln_strtab {
    kiln_buf pool;    /* bytes of every string, each followed by a NUL */
    uint64_t *off;    /* per id: offset of its first byte in pool */
    uint32_t *len;    /* per id: length without the NUL */
    size_t n, cap;    /* ids in use, allocated */
    kiln_htab index;
} kiln_strtab;

int strtab_init(kiln_strtab *t); /* interns "" as id 0 */
void strtab_free(kiln_strtab *t);
int strtab_intern(kiln_strtab *t, const void *s, size_t n, uint32_t *id);
/* Look up without inserting: 1 found, 0 absent. */
int strtab_lookup(const kiln_strtab *t, const void *s, size_t n,
                       uint32_t *id);
static inline const char *strtab_get(const kiln_strtab *t, uint32_t id)
{
    return (const char *)t->pool.data + t->off[id];
}
/* Encoding: count, then count-1 uvarint lengths (id 0 is implicit), then
 * the bytes concatenated; spec/symbols.md. */
int strtab_encode(const kiln_strtab *t, kiln_buf *out);
int strtab_decode(kiln_strtab *t, kiln_cur *c); /* t uninitialised */

/* ---------------------------------------------------------------------
 * Symbols (format/symtab.c): everything a stack refers to, deduplicated.
 * Ids are dense, 0-based indexes in each array. A location's mapping is
 * mapping index + 1, 0 meaning none. Label sets are the non-link sample
 * labels of pprof (key, string or number+unit); set 0 is the empty set.
 * ------------------------------------------------------------------- */

#define KILN_MAP_HAS_FUNCTIONS 0x01
#define KILN_MAP_HAS_FILENAMES 0x02
#define KILN_MAP_HAS_LINE_NUMBERS 0x04
#define KILN_MAP_HAS_INLINE_FRAMES 0x08

typedef struct kiln_mapping {
    uint64_t memory_start; /* address where the binary is loaded */
    uint64_t memory_limit; /* one past its end */
    uint64_t file_offset;  /* offset in the file of memory_start */
    uint32_t filename;     /* string id */
    uint32_t build_id;     /* string id */
    uint32_t flags;        /* KILN_MAP_HAS_* */
} kiln_mapping;

typedef struct kiln_function {
    uint32_t name;        /* string id */
    uint32_t system_name; /* string id */
    uint32_t filename;    /* string id */
    int64_t start_line;
} kiln_function;

/* A line without a function (pprof function_id 0): kept as such, never as
 * a function with empty fields, so it is written back the same way. In the
 * symbols section it is stored as nfunctions (spec/symbols.md). */
#define KILN_NOFUNC UINT32_MAX

typedef struct kiln_line {
    uint32_t function; /* function id, or KILN_NOFUNC */
    int64_t line;
    int64_t column;
} kiln_line;

typedef struct kiln_location {
    uint64_t address;
    uint32_t mapping;   /* mapping id + 1; 0 = none */
    uint32_t line_off;  /* first entry in kiln_symtab.lines */
    uint32_t nlines;    /* entries; lines[0] is the innermost (leaf) frame */
    uint32_t is_folded; /* 0 or 1 */
} kiln_location;

typedef struct kiln_label_ent {
    uint32_t key;      /* string id */
    uint32_t str;      /* string id, 0 when numeric */
    int64_t num;       /* numeric value when str == 0 */
    uint32_t num_unit; /* string id, 0 = none */
} kiln_label_ent;

typedef struct kiln_labelset {
    uint32_t off; /* first entry in kiln_symtab.labels */
    uint32_t n;   /* entries */
} kiln_labelset;

typedef struct kiln_symtab {
    kiln_strtab strings;
    kiln_mapping *mappings;   size_t nmappings, capmappings;
    kiln_function *functions; size_t nfunctions, capfunctions;
    kiln_line *lines;         size_t nlines, caplines;
    kiln_location *locations; size_t nlocations, caplocations;
    kiln_label_ent *labels;   size_t nlabels, caplabels;
    kiln_labelset *lsets;     size_t nlsets, caplsets; /* [0] = empty */
    kiln_htab mapping_index, function_index, location_index, lset_index;
} kiln_symtab;

int symtab_init(kiln_symtab *st);
void symtab_free(kiln_symtab *st);
/* Each intern returns the id of an equal existing entry or appends one.
 * Referenced string/function/mapping ids must already exist. */
int symtab_mapping(kiln_symtab *st, const kiln_mapping *m, uint32_t *id);
int symtab_function(kiln_symtab *st, const kiln_function *f,
                         uint32_t *id);
/* lines[0..nlines) are copied. */
int symtab_location(kiln_symtab *st, uint64_t address, uint32_t mapping,
                         const kiln_line *lines, uint32_t nlines,
                         uint32_t is_folded, uint32_t *id);
/* ents are sorted by (key, str, num, num_unit) by the callee (a copy). */
int symtab_labelset(kiln_symtab *st, const kiln_label_ent *ents,
                         uint32_t n, uint32_t *id);
/* The symbols section: strings, mappings, functions, locations with their
 * lines, label sets; spec/symbols.md. decode validates every reference
 * (string, mapping, function ids in range). */
int symtab_encode(const kiln_symtab *st, kiln_buf *out);
int symtab_decode(kiln_symtab *st, const void *p, size_t n);

/* ---------------------------------------------------------------------
 * Stacks (format/stacks.c): a prefix tree as a parent-pointer array, root
 * (caller) to leaf. Node 0 is the empty stack; node i > 0 has a parent
 * < i and a location id. A stack id is the node id of its leaf frame.
 * ------------------------------------------------------------------- */

/* One slot of the (parent, loc) -> node index. */
typedef struct kiln_stack_slot {
    uint64_t key;  /* (parent << 32 | loc) + 1; 0 = empty */
    uint32_t node;
    uint32_t pad;
} kiln_stack_slot;

typedef struct kiln_stacks {
    uint32_t *parent; /* per node; parent[0] = 0 */
    uint32_t *loc;    /* per node: location id; loc[0] unused (0) */
    size_t n, cap;    /* nodes including the root */
    kiln_stack_slot *idx; /* (parent, loc) -> node, for interning; open
                           * addressing, idxcap slots (a power of two) */
    size_t idxcap;
    size_t nindexed;  /* nodes the index holds (< n for a decoded tree
                       * until the first stacks_child) */
} kiln_stacks;

int stacks_init(kiln_stacks *t); /* creates the root */
void stacks_free(kiln_stacks *t);
int stacks_child(kiln_stacks *t, uint32_t parent, uint32_t loc,
                      uint32_t *node);
/* Encoding: node count, then columns (node - parent) and loc, for nodes
 * 1..n-1. decode checks parent < node and loc < nlocations, and builds no
 * index (call stacks_reindex to intern into a decoded tree). */
int stacks_encode(const kiln_stacks *t, kiln_buf *out);
int stacks_decode(kiln_stacks *t, const void *p, size_t n,
                       size_t nlocations);

/* ---------------------------------------------------------------------
 * Series (format/series.c): label sets with their profile kind, and
 * postings (label pair -> series ids). Strings are the section's own.
 * ------------------------------------------------------------------- */

typedef struct kiln_kind {
    uint32_t ntypes;          /* sample types, <= KILN_MAX_TYPES */
    uint32_t *types;          /* 2*ntypes string ids: type, unit, ... */
    uint32_t period_type[2];  /* type, unit string ids */
    int64_t period;
    uint32_t default_type;    /* string id */
    uint32_t drop_frames;     /* string id */
    uint32_t keep_frames;     /* string id */
    uint32_t doc_url;         /* string id */
    uint32_t ncomments;
    uint32_t *comments;       /* string ids */
} kiln_kind;

typedef struct kiln_series {
    uint32_t kind;    /* kind id */
    uint32_t lab_off; /* first entry in kiln_seriestab.labs (2 ids each) */
    uint32_t nlabs;   /* label pairs, sorted by name then value */
} kiln_series;

typedef struct kiln_posting {
    uint32_t name, value; /* string ids */
    uint32_t off, n;      /* series ids in kiln_seriestab.post_ids */
} kiln_posting;

typedef struct kiln_seriestab {
    kiln_strtab strings;
    kiln_kind *kinds;     size_t nkinds, capkinds;
    kiln_series *series;  size_t nseries, capseries;
    uint32_t *labs;       size_t nlabs, caplabs;  /* name,value id pairs */
    /* Postings: built by seriestab_postings (writer) or decoded. */
    kiln_posting *postings; size_t npostings;   /* sorted by (name, value) */
    uint32_t *post_ids;     size_t npost_ids;   /* ascending per posting */
    kiln_htab kind_index, series_index;
} kiln_seriestab;

#define KILN_MAX_TYPES 64
/* The last sample time a block holds: INT64_MAX is the open end of every
 * query range (from <= t < to), so a sample there could never be selected
 * (spec/README.md, "Limits"). */
#define KILN_TIME_LAST (INT64_MAX - 1)
/* Input limits (spec/README.md, "Limits"): far above what real profilers
 * write (stacks of a few hundred frames, a handful of labels), low enough
 * that a hostile profile is refused by name instead of costing memory. */
#define KILN_MAX_STACK_DEPTH 16384    /* frames of one sample */
#define KILN_MAX_SERIES_LABELS 64     /* labels of one series */
#define KILN_MAX_SAMPLE_LABELS 256    /* labels of one sample */
#define KILN_MAX_LABEL_NAME 1024      /* bytes of a label name */
#define KILN_MAX_LABEL_VALUE 65536    /* bytes of a series label value */
#define KILN_MAX_SAMPLES ((size_t)1 << 24)  /* samples of one profile */
#define KILN_MAX_STRINGS ((size_t)1 << 24)  /* strings of one profile */

int seriestab_init(kiln_seriestab *t);
void seriestab_free(kiln_seriestab *t);
/* Intern a kind (ids refer to t->strings) and a series (labels as strings,
 * any order; sorted, duplicates by name refused with KILN_EINVAL). */
int seriestab_kind(kiln_seriestab *t, const kiln_kind *k, uint32_t *id);
int seriestab_series(kiln_seriestab *t, const kiln_label *labels,
                          size_t n, uint32_t kind, uint32_t *id);
int seriestab_postings(kiln_seriestab *t);
int seriestab_encode(const kiln_seriestab *t, kiln_buf *out);
int seriestab_decode(kiln_seriestab *t, const void *p, size_t n);
/* The value of label `name` on series `sid`, or NULL. */
const char *series_label(const kiln_seriestab *t, uint32_t sid,
                              const char *name);

/* ---------------------------------------------------------------------
 * Sample pages (format/pages.c): the samples section is a sequence of
 * pages, each one series, each compressed and checksummed on its own; the
 * page index section says where each is and its time range.
 * ------------------------------------------------------------------- */

typedef struct kiln_page_meta {
    uint32_t series;    /* series id; every row of the page has it */
    uint32_t nrows;
    int64_t tmin, tmax; /* first and last sample time, ns since epoch */
    uint64_t offset;    /* from the start of the samples section */
    uint64_t stored;    /* stored bytes */
    uint64_t raw;       /* bytes after decompression */
    uint64_t checksum;  /* xxh64 (seed 0) of the stored bytes */
    uint8_t codec;      /* KILN_CODEC_* */
    uint8_t ntypes;     /* value columns, = the series kind's ntypes */
    uint8_t has_links;  /* 1 if any row has a link */
} kiln_page_meta;

/* Rows of one page, column-wise. Arrays are owned by the caller when
 * encoding and by the struct (page_rows_free) when decoding. */
typedef struct kiln_page_rows {
    uint32_t n;         /* rows */
    uint32_t ntypes;
    int64_t *time;      /* ns since epoch, non-decreasing */
    int64_t *duration;  /* ns, the duration of the source profile */
    uint32_t *stack;    /* node ids */
    uint32_t *lset;     /* label set ids, 0 = none */
    uint32_t *link;     /* link id + 1, 0 = none */
    int64_t *values;    /* ntypes * n, type-major: values[t*n + i] */
} kiln_page_rows;

int page_encode(const kiln_page_rows *r, kiln_buf *out); /* raw bytes */
/* Decode raw bytes of a page with meta->nrows rows; checks stack < nstacks,
 * lset < nlsets, link <= nlinks. */
int page_decode(kiln_page_rows *r, const void *p, size_t n,
                     const kiln_page_meta *meta, size_t nstacks,
                     size_t nlsets, size_t nlinks);
void page_rows_free(kiln_page_rows *r);

int pageindex_encode(const kiln_page_meta *pages, size_t n,
                          kiln_buf *out);
/* Checks page extents lie inside a samples section of `samples_len` bytes,
 * series < nseries, tmin <= tmax. *pages is malloc'd. */
int pageindex_decode(kiln_page_meta **pages, size_t *n, const void *p,
                          size_t len, uint64_t samples_len, size_t nseries);

/* ---------------------------------------------------------------------
 * Links (format/links.c): the block's distinct (trace_id, span_id) pairs
 * sorted by trace then span; a trace index (distinct trace -> pages that
 * hold it); the split-block bloom filter over trace ids (format/bloom.c).
 * ------------------------------------------------------------------- */

typedef struct kiln_link {
    uint8_t trace_id[16];
    uint8_t span_id[8];
} kiln_link;

int links_encode(const kiln_link *links, size_t n, kiln_buf *out);
int links_decode(kiln_link **links, size_t *n, const void *p,
                      size_t len); /* checks sorted and distinct */

/* Trace index: for the k-th distinct trace id of the links (in order),
 * the ascending page ids that contain a row of it. */
typedef struct kiln_trace_index {
    size_t ntraces;
    uint32_t *first_link; /* per trace: its first link id */
    uint32_t *pg_off;     /* per trace: first entry in pg_ids; [ntraces] = end */
    uint32_t *pg_ids;
} kiln_trace_index;

int trace_index_encode(const kiln_trace_index *ti, kiln_buf *out);
int trace_index_decode(kiln_trace_index *ti, const void *p, size_t len,
                            const kiln_link *links, size_t nlinks,
                            size_t npages);
void trace_index_free(kiln_trace_index *ti);

/* Chunked storage (spec/links.md): the links section is a run of chunks,
 * each whole traces' links (links_encode) followed by their trace
 * index (trace_index_encode), both with link ids counted from the
 * chunk's first link, compressed and checksummed on its own. The
 * traceindex section is the chunk index. A lookup decodes the index, then
 * the one chunk whose first trace is the last <= the wanted trace. Link
 * ids in pages stay global: chunk first_link + position. */
#define KILN_LINK_CHUNK_LINKS 2048 /* a chunk ends at the first trace
                                    * boundary at or past this many links */

typedef struct kiln_link_chunk {
    uint8_t first_trace[16]; /* trace id of the chunk's first link */
    uint32_t first_link;     /* global id of its first link (sum of the
                              * previous chunks' nlinks, not stored) */
    uint32_t first_trace_no; /* global number of its first trace (derived) */
    uint32_t nlinks;         /* links, >= 1 */
    uint32_t ntraces;        /* distinct trace ids, 1..nlinks */
    uint64_t offset;         /* from the start of the links section (sum of
                              * the previous chunks' stored, not stored) */
    uint64_t stored;         /* stored bytes */
    uint64_t raw;            /* bytes after decompression */
    uint64_t checksum;       /* xxh64 (seed 0) of the stored bytes */
    uint8_t codec;           /* KILN_CODEC_* */
} kiln_link_chunk;

/* Writer: links sorted and distinct, ti over them (global link ids).
 * Appends the chunks to `section` (the links section's bytes, offsets
 * relative to its start) and the chunk index to `index` (the traceindex
 * section's raw bytes). per_chunk 0 = KILN_LINK_CHUNK_LINKS. */
int links_chunked_encode(const kiln_link *links, size_t n,
                              const kiln_trace_index *ti, size_t per_chunk,
                              uint8_t codec, int level, kiln_buf *section,
                              kiln_buf *index, zctx *z);
/* The chunk index: checks first traces ascend, counts and extents are
 * sane and the chunks tile [0, section_len) exactly. Returns the totals of
 * links and traces for the caller to compare with the footer. *chunks is
 * malloc'd (NULL when n is 0). */
int link_chunks_decode(kiln_link_chunk **chunks, size_t *n,
                            const void *p, size_t len, uint64_t section_len,
                            uint64_t *nlinks, uint64_t *ntraces);
/* The only chunk that can hold trace: the last one whose first trace is
 * <= it; n when it sorts before every chunk. */
size_t link_chunk_find(const kiln_link_chunk *chunks, size_t n,
                            const uint8_t trace[16]);
/* Check (checksum) and decode chunk `idx` from its stored bytes: *links
 * (malloc'd, ch->nlinks, local ids) and *ti (local first_link, page ids
 * checked < npages). The chunk must start with ch->first_trace, hold
 * ch->ntraces traces, and every link must sort before next_trace (the
 * following chunk's first trace; NULL for the last chunk). */
int link_chunk_decode(const kiln_link_chunk *ch, size_t idx,
                           const void *stored, const uint8_t *next_trace,
                           size_t npages, kiln_link **links,
                           kiln_trace_index *ti, zctx *z);
/* Every chunk of a links section of section_len bytes into one global
 * array and one global trace index (first_link global). */
int links_chunked_decode(const kiln_link_chunk *chunks, size_t n,
                              const void *section, size_t section_len,
                              size_t npages, kiln_link **links,
                              size_t *nlinks, kiln_trace_index *ti);

/* Split-block bloom filter (Parquet SBBF): 32-byte blocks of eight 32-bit
 * words, eight salted bits per insert, block chosen by the upper 32 bits of
 * xxh64(id, seed 0). */
typedef struct kiln_bloom {
    uint32_t *words; /* 8 * nblocks */
    uint32_t nblocks;
} kiln_bloom;

/* Blocks for `nitems` at false-positive rate `fpp` (power of two count). */
uint32_t bloom_blocks_for(uint64_t nitems, double fpp);
int bloom_init(kiln_bloom *b, uint32_t nblocks);
void bloom_free(kiln_bloom *b);
void bloom_insert(kiln_bloom *b, const void *id, size_t n);
bool bloom_contains(const kiln_bloom *b, const void *id, size_t n);
/* Expected false-positive rate of a filter of nblocks holding nitems. */
double bloom_expected_fpp(uint32_t nblocks, uint64_t nitems);
/* The section (spec/links.md): u32 nblocks, u32 group, then per group of
 * `group` filter blocks their words (LE) and the xxh64 of those bytes, so a
 * lookup reads and checks one group, not the whole filter. */
int bloom_encode(const kiln_bloom *b, kiln_buf *out);
/* The whole section: every group's checksum is checked. */
int bloom_decode(kiln_bloom *b, const void *p, size_t len);

#define KILN_BLOOM_HEAD 8       /* bytes before the first group */
#define KILN_BLOOM_GROUP 128    /* filter blocks per group (4 KiB) at most */

/* Stored bytes of the section for a filter of nblocks (groups of
 * min(nblocks, KILN_BLOOM_GROUP)); and back: the block count a section
 * length stands for, 0 if none. */
uint64_t bloom_section_size(uint32_t nblocks);
uint32_t bloom_blocks_in(uint64_t section_len);

/* Where one lookup reads: the group of the id's filter block. */
typedef struct kiln_bloom_layout {
    uint32_t nblocks;     /* filter blocks, a power of two */
    uint32_t group;       /* filter blocks per group: min(nblocks, 128) */
    uint64_t group_bytes; /* stored bytes of a group: 32 * group + 8 */
} kiln_bloom_layout;

/* Decode the head (KILN_BLOOM_HEAD bytes at p) of a section of section_len
 * bytes, checking the counts and that they account for section_len. */
int bloom_head(const void *p, size_t len, uint64_t section_len,
                    kiln_bloom_layout *l);
/* The layout a section of section_len bytes must have (the group size is
 * fixed by the block count, so the length alone tells both): a lookup
 * need not read the head. KILN_ECORRUPT for a length no filter has. */
int bloom_layout_of(uint64_t section_len, kiln_bloom_layout *l);
/* The offset (from the section's start) of the group holding id's block. */
uint64_t bloom_locate(const kiln_bloom_layout *l, const void *id, size_t n);
/* Test id against its group's stored bytes (group_bytes of them, read
 * from bloom_locate's offset): 1 maybe present, 0 absent, or
 * KILN_ECHECKSUM when the group's checksum fails. */
int bloom_test_group(const kiln_bloom_layout *l, const void *group,
                          size_t len, const void *id, size_t n);

/* ---------------------------------------------------------------------
 * The container (format/container.c) — spec/block.md
 *
 *   header (16 B) | section stored bytes ... | footer | trailer (32 B)
 * ------------------------------------------------------------------- */

#define KILN_MAGIC "\x89KLN"            /* 4 bytes at offset 0 */
#define KILN_TRAILER_MAGIC "KLN\x1a"    /* last 4 bytes of a block */
#define KILN_FORMAT_VERSION 1
#define KILN_HEADER_SIZE 16
#define KILN_TRAILER_SIZE 32
/* Feature flags: bits 0..31 must be understood, 32..63 may be ignored. */
#define KILN_FLAGS_MUST_MASK 0x00000000ffffffffULL
#define KILN_FLAGS_KNOWN 0ULL /* v1 defines none */

#define KILN_CODEC_NONE 0
#define KILN_CODEC_ZSTD 1

enum kiln_section_type {
    KILN_SEC_SYMBOLS = 1,
    KILN_SEC_STACKS = 2,
    KILN_SEC_SERIES = 3,
    KILN_SEC_SAMPLES = 4,    /* pages; codec is per page, section codec 0 */
    KILN_SEC_PAGEINDEX = 5,
    KILN_SEC_LINKS = 6,
    KILN_SEC_TRACEINDEX = 7,
    KILN_SEC_BLOOM = 8,
};
const char *section_name(unsigned type); /* "symbols", ... "unknown" */

typedef struct kiln_section {
    uint8_t type;      /* kiln_section_type; unknown types are skipped */
    uint8_t codec;     /* KILN_CODEC_* */
    uint64_t offset;   /* from the start of the block */
    uint64_t stored;   /* bytes in the block */
    uint64_t raw;      /* bytes after decompression */
    uint64_t checksum; /* xxh64 (seed 0) of the stored bytes */
} kiln_section;

/* The block's metadata, in the footer (the public view is kiln_block_info
 * in kiln/reader.h). Strings are owned (malloc'd). */
typedef struct kiln_meta {
    char *tenant;
    char *id;              /* 26-char ULID-like id, see block_id */
    int64_t tmin, tmax;    /* ns since epoch, inclusive */
    uint64_t nseries, nsamples, nstacks, nlocations, nfunctions, nstrings;
    uint64_t nlinks, ntraces, nprofiles;
    int64_t resolution;    /* ns; 0 = raw */
    uint32_t level;        /* compaction level; 0 = as ingested */
    size_t nsources;
    char **sources;        /* ids of the blocks this one replaces */
    size_t nlabelnames;
    char **labelnames;     /* series label names, sorted */
    uint64_t *labelvalues; /* per name: distinct values */
} kiln_meta;

void meta_free(kiln_meta *m);

/* Header: magic, u16 version, u16 reserved (0), u64 flags. */
int header_encode(kiln_buf *out, uint64_t flags);
/* Checks magic, version (KILN_EVERSION naming it), must-understand flags. */
int header_decode(const void *p, size_t n, uint64_t *flags);

/* Footer: sections then metadata (spec/block.md). */
int footer_encode(kiln_buf *out, const kiln_section *secs, size_t nsecs,
                       const kiln_meta *meta);
/* Checks every section lies within [KILN_HEADER_SIZE, footer_off). */
int footer_decode(const void *p, size_t n, uint64_t footer_off,
                       kiln_section **secs, size_t *nsecs, kiln_meta *meta);

/* Trailer: u64 footer offset, u64 footer length, u64 xxh64 of footer,
 * u32 low half of xxh64 of the preceding 24 trailer bytes, magic. */
int trailer_encode(kiln_buf *out, uint64_t footer_off,
                        uint64_t footer_len, uint64_t footer_sum);
int trailer_decode(const void *p, uint64_t block_size,
                        uint64_t *footer_off, uint64_t *footer_len,
                        uint64_t *footer_sum);

/* Compress `raw` with codec, append to block, fill sec (offset = block
 * length before the append). */
int section_pack(kiln_buf *block, kiln_section *sec, uint8_t type,
                      uint8_t codec, int level, const void *raw, size_t n,
                      zctx *z);
/* Why a section's or page's claimed sizes cannot be right (raw above
 * KILN_MAX_SECTION_RAW, stored != raw uncompressed, stored above zstd's
 * bound for raw), or NULL: checked where the sizes are decoded, before
 * anything is fetched. */
const char *stored_sizes_bad(uint8_t codec, uint64_t stored, uint64_t raw);
/* Check the stored bytes' sizes against the limits and their checksum
 * (KILN_ELIMIT, KILN_ECHECKSUM); `what` names the thing in errors
 * ("section symbols", "page 12"). */
int section_check(const kiln_section *sec, const void *stored,
                  const char *what);
/* section_check, then decompress into out (replacing its contents); raw
 * length must equal sec->raw. */
int section_unpack(const kiln_section *sec, const void *stored,
                        kiln_buf *out, const char *what, zctx *z);

/* A block id: 26 chars of Crockford base32 over 48 bits of time (ms) and
 * 80 bits from `entropy` (hash of content), NUL-terminated in out[27]. */
void block_id(char out[27], int64_t time_ms, const uint8_t entropy[10]);

/* A block's object key (spec/block.md, "Object keys"):
 * <tenant>/blocks/<id>_<s0>_<s1>.kiln, s0 and s1 the whole seconds of its
 * first and last sample time (rounded down), so a reader prunes by time
 * from the listing alone; <tenant>/blocks/<id>.kiln when tmin > tmax (no
 * samples). KILN_ELIMIT when it does not fit in cap bytes. */
int block_key(char *key, size_t cap, const char *tenant, const char *id,
                   int64_t tmin, int64_t tmax);
/* The time range a key's name vouches for: 1 with [*lo, *hi] in ns
 * (every sample time of the block lies within), 0 for a name without one
 * (an <id>.kiln key, or one that does not parse: the block is opened). */
int block_key_range(const char *key, int64_t *lo, int64_t *hi);

/* ---------------------------------------------------------------------
 * Interning (format/intern.c): one link table, and the id mapping that
 * adds a block's symbols, stacks and links into other tables (a query's
 * result, a block being written, a merge's output), each id once.
 * ------------------------------------------------------------------- */

/* Distinct links in order of first use; ids handed out are index + 1 (0
 * is "no link" in a row). */
typedef struct linktab {
    kiln_link *links;
    size_t n, cap;
    kiln_htab index;
} linktab;

/* The id + 1 of link l, appended if new. */
int linktab_add(linktab *t, const kiln_link *l, uint32_t *id);
void linktab_free(linktab *t); /* leaves an empty table */

/* Source ids -> destination ids, filled lazily: an id is translated (and
 * interned into the destination) the first time it is asked for. */
typedef struct tabmap {
    const kiln_symtab *ssym;   /* source tables (borrowed) */
    const kiln_stacks *sstk;
    size_t nlinks;             /* source link ids are < nlinks */
    kiln_symtab *dsym;         /* destination tables (borrowed) */
    kiln_stacks *dstk;
    linktab *dlinks;
    uint32_t *str;             /* string id -> id (0 = not yet) */
    uint32_t *fn, *map, *loc;  /* function/mapping/location id -> id + 1 */
    uint32_t *lset;            /* label set id -> id + 1 */
    uint32_t *link;            /* link id -> destination link id + 1 */
    uint32_t *node;            /* stack node -> node (0 = not yet) */
    uint32_t *path;            /* scratch, sstk->n entries */
    size_t cap[8];             /* entries allocated: str, fn, map, loc,
                                * lset, link, node, path */
    kiln_line *lines;          /* scratch for one location */
    size_t caplines;
    kiln_label_ent *ents;      /* scratch for one label set */
    size_t capents;
    /* With tabmap_use_series: */
    const kiln_seriestab *sser; /* source series (borrowed) */
    kiln_seriestab *dser;      /* destination series (borrowed) */
    uint32_t *sstr;            /* series string id -> id (0 = not yet) */
    uint32_t *kind;            /* kind id -> id + 1 */
    uint32_t *series;          /* series id -> id + 1 */
} tabmap;

/* sstk may be NULL for a mapping of symbols only; dlinks may be NULL when
 * no link is asked for. */
int tabmap_init(tabmap *m, const kiln_symtab *ssym, const kiln_stacks *sstk,
               size_t nlinks, kiln_symtab *dsym, kiln_stacks *dstk,
               linktab *dlinks);
void tabmap_free(tabmap *m);
/* tabmap_init over a mapping already initialised: its arrays are kept
 * where they are large enough (a writer maps one profile after another
 * without a calloc of fresh pages each time); on failure m is still valid
 * for tabmap_free. Series mapping (tabmap_use_series) is not reset. */
int tabmap_reuse(tabmap *m, const kiln_symtab *ssym, const kiln_stacks *sstk,
                 size_t nlinks, kiln_symtab *dsym, kiln_stacks *dstk,
                 linktab *dlinks);
/* Bytes its arrays hold (to release them past a limit). */
size_t tabmap_bytes(const tabmap *m);
/* Each gives the destination id of source id `id`; ids must be in range
 * of the source tables (decoders have checked them). */
int tabmap_str(tabmap *m, uint32_t id, uint32_t *out);
int tabmap_function(tabmap *m, uint32_t id, uint32_t *out);
int tabmap_mapping(tabmap *m, uint32_t id, uint32_t *out);
/* Locations are asked for once per stack step (ingest maps a profile's
 * frames one by one), so the lookup of an already mapped one is inline. */
int tabmap_location_add(tabmap *m, uint32_t id, uint32_t *out);
static inline int tabmap_location(tabmap *m, uint32_t id, uint32_t *out)
{
    if (m->loc[id]) {
        *out = m->loc[id] - 1;
        return 0;
    }
    return tabmap_location_add(m, id, out);
}
int tabmap_stack(tabmap *m, uint32_t node, uint32_t *out);
/* The stacks src[0..n) into (*dst)[0..n), growing *dst (*cap entries). */
int tabmap_stacks(tabmap *m, const uint32_t *src, size_t n, uint32_t **dst,
                  size_t *cap);
int tabmap_lset(tabmap *m, uint32_t id, uint32_t *out);
/* Map series too (kinds with their sample types, and label sets), from
 * src into dst; then tabmap_series gives a source series' id in dst. */
int tabmap_use_series(tabmap *m, const kiln_seriestab *src,
                      kiln_seriestab *dst);
int tabmap_series(tabmap *m, uint32_t sid, uint32_t *out);
/* The source's link `id` (< nlinks), or NULL when it is not at hand. */
typedef const kiln_link *(*tabmap_link_get)(const void *ud, uint32_t id);
/* A row's link reference (id + 1, 0 = none) -> the destination's; get is
 * asked only the first time (NULL from it is KILN_ECORRUPT). */
int tabmap_link(tabmap *m, uint32_t ref, tabmap_link_get get, const void *ud,
               uint32_t *out);

/* A block's tables as kiln/rows.h shows them (format/tables.c): borrowed
 * pointers into a decoded block. serial is unique per filling, so a
 * writer's cached id mapping is never applied to other tables that reuse
 * the same address. */
struct kiln_tables {
    const kiln_symtab *sym;
    const kiln_stacks *stacks;
    const kiln_seriestab *series;
    const kiln_link *links;    /* every link, sorted; nlinks entries */
    size_t nlinks;
    uint64_t serial;           /* from tables_serial_next(); 0 = unset */
};
uint64_t tables_serial_next(void);

/* ---------------------------------------------------------------------
 * pprof (format/pprof.c): gzip detection and inflation with a size limit.
 * format/pprof_decode.c and format/pprof_encode.c are the only files that
 * know profile.proto (its protobuf-c code is generated at build time):
 * everything else sees a pprof_doc.
 * ------------------------------------------------------------------- */

/* Input limits (spec/README.md, "Limits"): a gzip'd profile inflates to at
 * most 32 MiB (real profiles are a few MB at most: the largest of the
 * corpus is 2.4 MB), so a gzip bomb is refused after 32 MiB, not 1 GiB; a
 * file read whole (raw pprof, OTLP, folded text) is at most 256 MiB. */
#define KILN_MAX_INFLATE ((size_t)32 << 20)
#define KILN_MAX_INPUT_FILE ((size_t)256 << 20)

/* 1 if data starts with the gzip magic. */
int is_gzip(const void *p, size_t n);
/* Inflate gzip (possibly multi-member) into out; KILN_EINPUT on damage,
 * KILN_ELIMIT past max bytes. */
int gzip_inflate(const void *p, size_t n, size_t max, kiln_buf *out);
/* Deflate into gzip format at `level`. */
int gzip_deflate(const void *p, size_t n, int level, kiln_buf *out);

/* One sample of a pprof_doc. A decoded doc's locs and values point into
 * the unpacked message (its arena), a filled one's into pprof_doc.locs and
 * .values: not copied, as they are most of a profile's bytes. */
typedef struct pprof_sample {
    const uint64_t *locs;  /* nlocs location indexes of sym, leaf first */
    const int64_t *values; /* kind.ntypes values */
    uint32_t nlocs;
    uint32_t lab_off;      /* first entry in pprof_doc.labels */
    uint32_t nlabels;
} pprof_sample;

/* The bump allocator protobuf-c unpacks into (format/arena.c), as its
 * ProtobufCAllocator {pb_arena_alloc, pb_arena_nofree, &arena}. Zero-
 * initialise; pb_arena_reset keeps the chunks for the next message,
 * pb_arena_free releases them. */
typedef struct pb_arena {
    uint8_t **chunks; /* owned */
    size_t *sizes;    /* per chunk, bytes */
    size_t nchunks, capchunks;
    size_t cur;       /* chunk being filled */
    size_t used;      /* bytes used in chunks[cur] */
    size_t total;     /* bytes held by all chunks */
    int failed;       /* an allocation failed since the last reset */
} pb_arena;

void *pb_arena_alloc(void *ud, size_t n);
void pb_arena_nofree(void *ud, void *p);
void pb_arena_reset(pb_arena *a);
void pb_arena_free(pb_arena *a);

/* A profile.proto message with every reference resolved: what
 * pprof_decode gives and pprof_encode takes. Tables are in pprof order
 * (entry i has pprof id i + 1 when encoded), nothing is deduplicated:
 *   sym.strings  the string table by position (id = pprof index, 0 = ""),
 *                appended without hashing (pprof tables are positional,
 *                and may repeat a string);
 *   sym.mappings, functions, locations, lines: kiln_symtab's shapes, a
 *                location's mapping is index + 1 (0 none), a line's
 *                function an index or KILN_NOFUNC; no label sets.
 *   kind         sample types, period, comments ... as string ids;
 *   samples      frames (location indexes, leaf first), kind.ntypes values,
 *                raw labels (string ids, not interned, in the order the
 *                profile has them).
 * Zero-initialise before the first use; decoding again reuses the memory
 * (and ends the last decode's samples); pprof_doc_free releases it. */
typedef struct pprof_doc {
    kiln_symtab sym;
    kiln_kind kind;
    bool has_period_type;   /* a period_type message is written/was read */
    int64_t time;           /* time_nanos */
    int64_t duration;       /* duration_nanos */
    pprof_sample *samples;  size_t nsamples, capsamples;
    uint64_t *locs;         size_t nlocs, caplocs;   /* room for */
    int64_t *values;        size_t nvalues, capvalues; /* filled docs */
    kiln_label_ent *labels; size_t nlabels, caplabels;
    uint32_t *kind_ids;     size_t capkind_ids; /* kind.types, comments */
    pb_arena arena;         /* decoding scratch */
} pprof_doc;

/* Unpack and check the (not gzip'd) profile.proto message p[0..n) into
 * doc. Every string index, id and count is checked before doc is filled:
 * KILN_EINPUT "pprof: <what, where>" for a malformed profile (ids are
 * pprof's: any non-zero uint64; a table whose ids are all 0 is referred
 * to by 1-based position), KILN_ELIMIT past the input limits, KILN_ENOMEM.
 * On failure doc's contents are unspecified (free or decode again). */
int pprof_decode(pprof_doc *doc, const void *p, size_t n);
/* Release memory held above `keep` bytes (after a large profile). */
void pprof_doc_trim(pprof_doc *doc, size_t keep);
void pprof_doc_free(pprof_doc *doc);
/* Empty doc (one string, ""), keeping its memory, for a caller to fill:
 * strings with strtab_append, the rest in arrays sized by the calls below
 * (which leave the counts for the caller to set as it fills them). */
int pprof_doc_reset(pprof_doc *doc);
/* Room for the symbol tables (sym.mappings, functions, locations, lines). */
int pprof_doc_reserve_symbols(pprof_doc *doc, size_t nmappings,
                              size_t nfunctions, size_t nlocations,
                              size_t nlines);
/* Room for nsamples samples of ntypes values, nlocs frames and nlabels
 * labels in all. */
int pprof_doc_reserve_samples(pprof_doc *doc, size_t nsamples, size_t ntypes,
                              size_t nlocs, size_t nlabels);
/* kind.types (2 * ntypes ids) and kind.comments, with their counts. */
int pprof_doc_set_kind(pprof_doc *doc, size_t ntypes, size_t ncomments);

/* The profile.proto message of doc, appended to out: pprof_pack raw,
 * pprof_encode gzip'd (level 6, as kiln query writes it). Ids are table
 * index + 1; a period_type is written when has_period_type is set.
 * Every reference in doc must be in range (a programming error if not). */
int pprof_pack(const pprof_doc *doc, kiln_buf *out);
int pprof_encode(const pprof_doc *doc, kiln_buf *out);

/* Append s[0..n) as the next id of t without looking for an equal string
 * (positional tables: pprof's). t must have no index yet (never interned
 * into); a later strtab_intern builds one over every id. */
int strtab_append(kiln_strtab *t, const void *s, size_t n);

/* ---------------------------------------------------------------------
 * Additions (format/ owner): declared here, at the end, so the contract
 * above is unchanged.
 * ------------------------------------------------------------------- */

/* Build the (parent, loc) index of a decoded tree so stacks_child can
 * intern into it (stacks_child also does this by itself when needed). */
int stacks_reindex(kiln_stacks *t);

/* Integer columns, as written: widths are rounded up to whole bytes, and a
 * common factor of the quantities is divided out (mode bit 0x02, then a
 * uvarint scale) when that narrows them; col_decode reads both.
 * spec/columns.md has the byte layout. */

/* Limits enforced by encoders (KILN_ELIMIT) and decoders (KILN_ECORRUPT);
 * spec/README.md, "Limits". */
#define KILN_MAX_PAGE_ROWS (1u << 20)   /* rows in one page */
#define KILN_MAX_SECTION_RAW ((uint64_t)1 << 31) /* 2 GiB decompressed */

#endif
