/* output_internal.h: the reader's top layer - one file per output of a
 * result (out_pprof.c, out_folded.c, out_top.c, out_json.c, flame.c), the
 * row export (out_rows.c), and what they share: frame naming, escaping and
 * buffer helpers (out_common.c) and value labels (units.c). Not
 * installed. */
#ifndef KILN_READER_OUTPUT_INTERNAL_H
#define KILN_READER_OUTPUT_INTERNAL_H

#include "agg_internal.h"

/* ---- out_common.c ---- */
/* 0 if type is one of the result's, 1 if the result is empty (no types:
 * nothing to render), else KILN_EINVAL. */
int out_check_type(const kiln_result *r, size_t type);
/* The name of line j (0 = innermost) of location loc: the function name,
 * or "0x<addr>" in hex[] when it has none. *s is borrowed. */
void rd_frame_name(const kiln_result *r, uint32_t loc, uint32_t j,
                   char hex[24], const char **s, size_t *n);
/* Append a frame name with line breaks and ';' made spaces. */
int out_put_frame(kiln_buf *b, const char *s, size_t n);
/* Root-first frames of result node n appended to b: ';'-joined as a
 * folded line's stack, or as JSON strings joined by ','; path is scratch
 * of r->stk.n entries. */
int out_put_stack(const kiln_result *r, uint32_t n, kiln_buf *b,
                  uint32_t *path, bool json);
/* printf onto the end of b. */
int rd_bprintf(kiln_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Length of the valid UTF-8 sequence at s (n bytes left), or 0. */
size_t rd_utf8_len(const uint8_t *s, size_t n);
/* The escape of ASCII byte c into esc (its length), or 0: c stands as is. */
typedef size_t (*rd_escape_fn)(uint8_t c, char esc[8]);
/* str with each ASCII byte escaped by esc, valid UTF-8 sequences copied,
 * and every other byte written as `bad`, appended to b. */
int rd_escape(kiln_buf *b, const char *str, size_t n, rd_escape_fn esc,
              const char *bad);
/* JSON's escapes: quote, backslash, control characters (\u00XX). */
size_t rd_json_esc(uint8_t c, char esc[8]);
/* A JSON string: quotes, escapes, bytes that are not UTF-8 as U+FFFD. */
int rd_json_str(kiln_buf *b, const char *str, size_t n);

/* ---- units.c: the steps kiln_value_format labels a unit's values with ---- */

typedef struct rd_unit_step {
    const char *label; /* suffix printed after the number */
    double size;       /* in the family's base unit */
} rd_unit_step;
/* The steps of `unit`'s family (time, bytes, else counts: *n of them,
 * ascending) and what one `unit` is in the family's base (*factor). */
const rd_unit_step *rd_unit_family(const char *unit, size_t *n,
                                   double *factor);

#endif
