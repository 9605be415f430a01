/* tests/common/alloc_fault.h: fail the Nth allocation made by the code
 * linked into a test program, SQLite's way: a loop fails the 1st, 2nd, 3rd
 * ... allocation of an operation until it completes, and checks each
 * failure is a clean KILN_ENOMEM that leaks nothing.
 *
 * The hook is the linker's --wrap (see alloc_fault_link_args in
 * tests/meson.build): malloc, calloc, realloc, strdup, strndup and free of
 * every object linked statically into the program (libkiln.a and the test)
 * go through it. protobuf-c decodes pprof and OTLP into kiln's arenas, so
 * its allocations do too; allocations inside other shared libraries (libc,
 * zstd, libxml2) do not (zstd's running out is still KILN_ENOMEM, never
 * "damage": format/container.c). It tracks the blocks it handed out, so a test can check that an
 * operation that failed freed everything it allocated. */
#ifndef KILN_TEST_ALLOC_FAULT_H
#define KILN_TEST_ALLOC_FAULT_H

#include <stddef.h>
#include <stdint.h>

/* Fail the nth allocation (1-based) from now on; 0 = never (just count). */
void alloc_fault_arm(uint64_t nth);
/* Stop failing; the counts stay readable. */
void alloc_fault_disarm(void);
/* Allocation calls seen since the last arm. */
uint64_t alloc_fault_calls(void);
/* 1 if the armed failure happened since the last arm. */
int alloc_fault_fired(void);
/* Blocks handed out through the hook and not yet freed. */
size_t alloc_fault_live(void);

#endif
