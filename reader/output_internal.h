/* output_internal.h: the reader's top layer - one file per output of a
 * result (out_pprof.c, out_folded.c, out_top.c, out_json.c) and the row
 * export (out_rows.c), sharing the frame naming and buffer helpers of
 * out_common.c. Not installed. */
#ifndef KILN_READER_OUTPUT_INTERNAL_H
#define KILN_READER_OUTPUT_INTERNAL_H

#include "agg_internal.h"

int out_nomem(void);
/* 0 if type is one of the result's, 1 if the result is empty (no types:
 * nothing to render), else KILN_EINVAL. */
int out_check_type(const kiln_result *r, size_t type);
/* The name of line j of location loc, or its address in hex (hex is the
 * storage); *s, *n point at it. */
void out_frame_name(const kiln_result *r, uint32_t loc, uint32_t j,
                    char hex[24], const char **s, size_t *n);
/* Append a frame name with line breaks and ';' made spaces. */
int out_put_frame(kiln_buf *b, const char *s, size_t n);
/* Root-first frames of result node n appended to b: ';'-joined as a
 * folded line's stack, or as JSON strings joined by ','; path is scratch
 * of r->stk.n entries. */
int out_put_stack(const kiln_result *r, uint32_t n, kiln_buf *b,
                  uint32_t *path, bool json);
/* A JSON string: quotes, escapes, bytes that are not UTF-8 as U+FFFD. */
int out_json_str(kiln_buf *b, const char *s, size_t n);
int out_printf(kiln_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
