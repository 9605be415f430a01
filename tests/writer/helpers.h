/* helpers.h: what the writer tests share: reading corpus files, decoding a
 * whole block back with the format decoders, per-stack sums computed
 * independently from a pprof input and from a block, and small pprof
 * profiles built in memory. */
#ifndef KILN_TEST_WRITER_HELPERS_H
#define KILN_TEST_WRITER_HELPERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <kiln/writer.h>

#include "format_internal.h"
#include "profile.pb-c.h"

/* The whole file at path (malloc'd); NULL if unreadable. */
uint8_t *th_slurp(const char *path, size_t *len);
/* $KILN_CORPUS/<sub>; the files of a corpus folder, sorted (malloc'd
 * strings in a malloc'd array). */
char **th_corpus_files(const char *sub, size_t *n);
void th_free_list(char **v, size_t n);

/* A decoded block: every section, each page's rows. */
typedef struct tblock {
    kiln_section *secs;
    size_t nsecs;
    kiln_meta meta;
    kiln_symtab sym;
    kiln_stacks stacks;
    kiln_seriestab ser;
    kiln_page_meta *pages;
    size_t npages;
    kiln_page_rows *rows; /* per page */
    kiln_link *links;
    size_t nlinks;
    kiln_trace_index ti;
    kiln_bloom bloom;
} tblock;

/* Decode everything; asserts (Criterion) on any failure. */
void th_block_open(tblock *b, const kiln_buf *block);
void th_block_free(tblock *b);
/* The section of this type, or NULL. */
const kiln_section *th_section(const tblock *b, unsigned type);

/* Per-stack sums: a stack is named by a canonical byte string of its
 * frames (leaf first: address, mapping, lines with function fields), so a
 * pprof input and a block can be compared without sharing any ids. */
typedef struct th_sum {
    char *key;
    size_t klen;
    uint32_t ntypes;
    int64_t v[KILN_MAX_TYPES];
} th_sum;

typedef struct th_sums {
    th_sum *e;
    size_t n, cap;
} th_sums;

/* Sums of an unpacked pprof profile, sorted by key, equal keys merged. */
void th_sums_pprof(th_sums *s, const Perftools__Profiles__Profile *p);
/* Sums of every row of a decoded block. */
void th_sums_block(th_sums *s, const tblock *b);
void th_sums_free(th_sums *s);
/* Asserts equal; `what` names the input in failure messages. */
void th_sums_assert_eq(const th_sums *a, const th_sums *b, const char *what);

/* Unpack a pprof file, gzip'd or not (protobuf-c's own allocator). */
Perftools__Profiles__Profile *th_unpack(const uint8_t *data, size_t len);

/* A small pprof profile for hand-made cases: nfuncs functions named
 * f0..f{n-1}, one location each (ids 1..n), samples given by the caller. */
typedef struct th_prof {
    Perftools__Profiles__Profile p;
    Perftools__Profiles__ValueType st[2], pt;
    Perftools__Profiles__ValueType *stp[2];
    Perftools__Profiles__Function fn[8], *fnp[8];
    Perftools__Profiles__Location loc[8], *locp[8];
    Perftools__Profiles__Line line[8], *linep[8];
    Perftools__Profiles__Sample smp[8], *smpp[8];
    Perftools__Profiles__Label lab[16], *labp[8][4];
    uint64_t locids[8][8];
    int64_t vals[8][2];
    ProtobufCBinaryData strs[64];
    char strbuf[64][48];
} th_prof;

/* Profile with 2 sample types (samples/count, cpu/nanoseconds), 4
 * functions/locations, no samples; time 1700000000e9, duration 10 s. */
void th_prof_init(th_prof *t);
/* Append a string, return its index. */
int64_t th_prof_str(th_prof *t, const char *s);
/* Append a sample with n leaf-first location ids and values (a, b). */
Perftools__Profiles__Sample *th_prof_sample(th_prof *t, const uint64_t *ids,
                                            size_t n, int64_t a, int64_t b);
/* Add a string label to the sample. */
void th_prof_label(th_prof *t, Perftools__Profiles__Sample *s,
                   const char *key, const char *val);
/* Serialise (malloc'd). */
uint8_t *th_prof_pack(th_prof *t, size_t *len);
/* Serialise and add to w, asserting it is accepted. */
void th_prof_add(kiln_writer *w, th_prof *t);

/* finish into a fresh buffer and assert success. */
void th_finish(kiln_writer *w, kiln_buf *out, char id[27]);

#endif
