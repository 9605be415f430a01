/* fuzz_common.h: what the fuzz targets share: a store held in memory (a
 * fuzzer runs millions of inputs; a directory store would spend them on
 * fsync), and the replay driver that makes each target a plain program. */
#ifndef KILN_FUZZ_COMMON_H
#define KILN_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include <kiln/kiln.h>

/* Every target defines this (libFuzzer's entry point). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An empty memory store (tests/s3/mem_store.c). */
kiln_store *fz_mem_store(void);
/* Put an object (a block the fuzzer made up). */
void fz_mem_put(kiln_store *s, const char *key, const void *data, size_t n);

/* Flush what w holds into a fresh memory store (nothing more when the
 * flush refuses) and read the block back: it must open, verify and answer
 * a query as pprof, else abort() (kiln wrote a block it cannot read). */
void fz_flush_and_read(kiln_writer *w);

/* Run a block through everything a reader does with one: open, info,
 * verify, index, a range query rendered every way, a trace lookup, rows. */
void fz_read_block(kiln_store *s, const char *key);

#endif
