/* kiln/writer.h: build blocks from profiles (pprof, OTLP, folded stacks) or
 * from another block's rows (copies, merges), and write them whole to a
 * store. A writer holds one block under construction: the
 * block's distinct symbols and stacks, and a few integer columns per sample,
 * never a copy of an input profile. */
#ifndef KILN_WRITER_H
#define KILN_WRITER_H

#include <kiln/common.h>
#include <kiln/rows.h>
#include <kiln/store.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct kiln_writer kiln_writer;

typedef struct kiln_writer_opts {
    unsigned version;      /* KILN_WRITER_OPTS_VERSION */
    const char *tenant;    /* NULL = "default"; [A-Za-z0-9_.-]{1,64} */
    const char *trace_key; /* pprof label with trace ids; NULL = "trace_id" */
    const char *span_key;  /* pprof label with span ids; NULL = "span_id"
                            * (Pyroscope's "profile_id" stays a label) */
    uint32_t page_rows;    /* most rows per sample page; 0 = 4096 */
    int zstd_level;        /* 0 = 3 */
    /* Version 2 (version 1 callers never have these read): what the
     * footer says of every block this writer makes. */
    int64_t resolution;    /* ns the rows' times are rounded to (a
                            * downsampled block); 0 = raw, >= 0 */
    uint32_t level;        /* compaction level; 0 = as ingested */
    const char *const *sources; /* ids of the blocks these blocks replace
                            * (26 characters each, copied); readers skip
                            * a source once a block naming it exists */
    size_t nsources;
} kiln_writer_opts;

#define KILN_WRITER_OPTS_VERSION 2
#define KILN_WRITER_OPTS_INIT \
    {KILN_WRITER_OPTS_VERSION, NULL, NULL, NULL, 0, 0, 0, 0, NULL, 0}

/* A new, empty writer; opts NULL = the defaults. Errors: KILN_EINVAL
 * (opts->version not KILN_WRITER_OPTS_VERSION, a tenant that is not
 * kiln_tenant_valid, page_rows over 1,048,576 (2^20), zstd_level out of
 * zstd's range), KILN_ENOMEM. *out is NULL on failure. */
KILN_API int kiln_writer_new(kiln_writer **out, const kiln_writer_opts *opts);
KILN_API void kiln_writer_free(kiln_writer *w); /* accepts NULL */

/* Add one pprof profile, gzip'd or not, with the caller's series labels
 * (service_name, host, ...; borrowed for the call). The profile is checked
 * whole before anything is added: on KILN_EINPUT the writer is unchanged and
 * kiln_error_last() says what is wrong and where. Sample labels named by
 * trace_key/span_key become the sample's link (trace_id 32 hex digits, either
 * case; span_id 16, optional: a zero span means none). Malformed ids (wrong
 * length, not hex, all zero) make no link and are counted in
 * stats.bad_links. A link label is dropped from the sample's labels only
 * when the link rebuilds it byte for byte (the only label under its key,
 * lowercase hex); otherwise it stays a sample label verbatim, beside the
 * link. Readers render a link as trace_key=<hex> unless the sample's labels
 * have trace_key already, and span_key=<hex> when the span is non-zero
 * unless they have span_key already: the input comes back exactly.
 * Errors: KILN_EINPUT (malformed profile, damaged gzip), KILN_EINVAL (a
 * label without a name, labels NULL with nlabels > 0), KILN_ELIMIT (over
 * 1 GiB inflated, or the block would pass a documented limit: stack nodes,
 * links), KILN_ENOMEM. On every failure the writer is as it was before the
 * call. */
KILN_API int kiln_writer_add_pprof(kiln_writer *w, const void *data, size_t len,
                                   const kiln_label *labels, size_t nlabels);

/* How to read folded text, whose lines carry no time or type. */
typedef struct kiln_folded_opts {
    unsigned version;    /* KILN_FOLDED_OPTS_VERSION */
    int64_t time_ns;     /* time of every sample, ns since epoch */
    int64_t duration_ns; /* profile duration, ns */
    const char *type;    /* sample type; NULL = "samples" */
    const char *unit;    /* NULL = "count" */
} kiln_folded_opts;

#define KILN_FOLDED_OPTS_VERSION 1
#define KILN_FOLDED_OPTS_INIT {KILN_FOLDED_OPTS_VERSION, 0, 0, NULL, NULL}

/* Add folded/collapsed stacks: lines "root;caller;leaf COUNT". Blank lines
 * are skipped; any other malformed line is KILN_EINPUT naming the line, and
 * nothing is added. fo NULL = the defaults. Errors: KILN_EINPUT (a
 * malformed line, or no stack line at all), KILN_EINVAL (fo->version not
 * KILN_FOLDED_OPTS_VERSION, bad labels), KILN_ELIMIT, KILN_ENOMEM. On
 * every failure the writer is as it was before the call. */
KILN_API int kiln_writer_add_folded(kiln_writer *w, const char *text,
                                    size_t len, const kiln_label *labels,
                                    size_t nlabels,
                                    const kiln_folded_opts *fo);

/* Add rows as a block stores them (kiln/rows.h), their ids referring to
 * the source tables src (a block's: kiln_block_tables); the rows of one
 * page from kiln_page_iter_next, or any subset of them. The series,
 * symbols, stacks, label sets and links they use are interned into the
 * block under construction through the one interning routine, each
 * source id once while src stays the same (the writer keeps the mapping
 * of the last src; src must stay alive and unchanged between such calls).
 * The first rows of a src bring its whole stack tree, in its order, so a
 * copy keeps the source's row order. Rows are added as they are, not
 * merged (a source block's rows are); rows with equal time and duration
 * form one profile. Every id is checked against src before anything is
 * added: KILN_EINVAL names the row and field out of range, and no row is
 * added. KILN_ENOMEM / KILN_ELIMIT (flush first) may leave the rows of
 * the call's earlier profiles added. */
KILN_API int kiln_writer_add_rows(kiln_writer *w, const kiln_tables *src,
                                  const kiln_rows *rows);

/* Returned stats structs carry a version, as options do: the getter sets
 * it to the layout it filled (fields are only ever added at the end, with
 * a new version), so a caller built against a newer kiln can tell which
 * fields an older library left zero. */
typedef struct kiln_writer_stats {
    unsigned version;     /* KILN_WRITER_STATS_VERSION, set by the getter */
    uint64_t profiles;    /* profiles added since the last cut */
    uint64_t rows;        /* sample rows (identical samples merged) */
    uint64_t series;
    uint64_t stacks;      /* distinct stack nodes */
    uint64_t bad_links;   /* samples whose trace/span label was malformed */
    int64_t tmin, tmax;   /* profile times, ns; tmin > tmax when empty */
    size_t mem_bytes;     /* bytes held by the block under construction */
} kiln_writer_stats;

#define KILN_WRITER_STATS_VERSION 1

/* Fill *out (version included) with the writer's counters. Never fails. */
KILN_API void kiln_writer_stats_get(const kiln_writer *w,
                                    kiln_writer_stats *out);

/* Encode the block built so far into `block` (replaced) and its id into
 * id (NUL-terminated), then reset the writer to empty. Errors:
 * KILN_ENOTFOUND (nothing was added), KILN_ELIMIT (a section over 2 GiB
 * decompressed), KILN_ENOMEM. On failure the writer keeps what was
 * added (the call can be retried), id is unspecified and block holds
 * unspecified bytes (free it as usual). */
KILN_API int kiln_writer_finish(kiln_writer *w, kiln_buf *block, char id[27]);

/* finish, giving the store key the block belongs under instead of its
 * id: "<tenant>/blocks/<key name>.kiln", the one key kiln_writer_flush
 * writes (at most KILN_KEY_MAX bytes with the NUL; "" on failure). For
 * callers that store blocks later or elsewhere. KILN_ENOTFOUND if nothing
 * was added. */
#define KILN_KEY_MAX 256
KILN_API int kiln_writer_finish_key(kiln_writer *w, kiln_buf *block,
                                    char key[KILN_KEY_MAX]);

/* finish, then write the block whole to the store under
 * "<tenant>/blocks/<id>.kiln" (key copied into key, at most
 * KILN_KEY_MAX bytes with the NUL). Nothing is visible unless all is. The
 * same content gives the same id: a block already stored under the key is
 * success. Errors: those of kiln_writer_finish, and the store's
 * (KILN_EIO, KILN_EAUTH, KILN_ELIMIT, ...) prefixed "writer: storing KEY:
 * ". On any failure key is "" and the writer keeps the block under
 * construction, so the call can be retried. */
KILN_API int kiln_writer_flush(kiln_writer *w, kiln_store *st,
                               char key[KILN_KEY_MAX]);

/* The OTLP profiles layouts kiln reads (package profiles/v1development). */
typedef enum kiln_otlp_layout {
    KILN_OTLP_V1_9 = 1,  /* opentelemetry-proto v1.8.0-v1.9.0: Sample values=2,
                            attribute_indices=3, link_index=4 */
    KILN_OTLP_V1_11 = 2, /* v1.10.0-v1.11.0: Sample attribute_indices=2,
                            link_index=3, values=4 */
} kiln_otlp_layout;

/* Which layout an ExportProfilesServiceRequest or ProfilesData (gzip'd or
 * not) is in, from the wire types of its fields: a repeated field 3 of a
 * Sample is v1.9's attribute_indices, a repeated field 4 v1.11's values. When
 * no sample decides it, a sample whose other reading would be invalid does
 * (field 2 without timestamps or values elsewhere: v1.9 values; a field-2
 * count unlike the timestamps': v1.11 attributes; a field-2 entry past the
 * dictionary's attribute_table: v1.9 values); a request that says nothing
 * either way (no samples, or field-2 entries that are all valid attribute
 * indices, one per timestamp) is read as the current layout, v1.11.
 * *out is KILN_OTLP_V1_11 on error. KILN_EINPUT (one line) for an older
 * layout (v1.7.0 and before: tables inside each Profile,
 * recognised by Profile field 3 not being fixed64), samples that disagree,
 * or bytes that are not protobuf; KILN_ENOMEM, KILN_ELIMIT (gzip). */
KILN_API int kiln_otlp_detect(kiln_otlp_layout *out, const void *data,
                              size_t len);

/* Add an OpenTelemetry profiles export request (ExportProfilesServiceRequest
 * or ProfilesData of profiles v1development, in either layout above, told
 * apart by kiln_otlp_detect; gzip'd or not). Each Profile becomes the
 * equivalent pprof (profiles of the same shape that differ only in sample
 * type are joined into one pprof with several) and is added through
 * kiln_writer_add_pprof. A sample with timestamps_unix_nano lands at those
 * times, one row per timestamp (its values, one per timestamp, or a count
 * of 1 each); a sample without them at the profile's time_unix_nano. A
 * sample's link (link_index into the dictionary's link_table) becomes its
 * trace/span labels under trace_key and span_key. The resource attributes
 * service.name and host.name become the series labels service_name and host
 * unless `labels` has them. The whole request is converted and checked
 * before any profile is added: KILN_EINPUT names the profile, sample and
 * field at fault ("otlp: profile 0: sample 3: link_index 9 out of range
 * (link_table has 4)"); a link whose trace_id is not 16 bytes or is all
 * zero, or whose span_id is neither 8 bytes nor empty, is such a fault,
 * never a silently wrong id (an all-zero span_id means no span). Should the
 * pprof checks refuse a converted profile after earlier ones of the request
 * were added, the message says how many were. Errors: KILN_EINPUT
 * (malformed request, an older layout, or a fault named as above),
 * KILN_EINVAL, KILN_ELIMIT, KILN_ENOMEM, as kiln_writer_add_pprof. On
 * failure the writer is as it was before the call, except for the profiles
 * of the request the message counts as added. */
KILN_API int kiln_writer_add_otlp(kiln_writer *w, const void *data, size_t len,
                                  const kiln_label *labels, size_t nlabels);

#ifdef __cplusplus
}
#endif

#endif
