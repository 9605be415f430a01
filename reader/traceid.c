/* traceid.c: trace and span ids as W3C hex strings, parsed (strictly:
 * length, digits, not all zero) and formatted; the reader's public id
 * helpers, at the bottom layer so every layer above may use them. */
#include <string.h>

#include "block_internal.h"

/* Exactly 2*n hex digits into n bytes, not all zero. */
static int parse_hex(uint8_t *out, size_t n, const char *hex,
                     const char *what)
{
    size_t len;
    uint8_t any = 0;

    if (!hex)
        return kiln_error_set(KILN_EINVAL, "%s: missing", what);
    len = strlen(hex);
    if (len != 2 * n)
        return kiln_error_set(KILN_EINVAL, "%s \"%.80s\": %zu characters, "
                              "expected %zu hex digits", what, hex, len,
                              2 * n);
    for (size_t i = 0; i < n; i++) {
        int hi = hexval((unsigned char)hex[2 * i]),
            lo = hexval((unsigned char)hex[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            size_t at = hi < 0 ? 2 * i : 2 * i + 1;
            return kiln_error_set(KILN_EINVAL, "%s \"%s\": '%c' at position "
                                  "%zu is not a hex digit", what, hex,
                                  hex[at], at + 1);
        }
        out[i] = (uint8_t)(hi << 4 | lo);
        any |= out[i];
    }
    if (!any)
        return kiln_error_set(KILN_EINVAL, "%s \"%s\": all zeros is not a "
                              "valid id", what, hex);
    return 0;
}

int kiln_trace_id_parse(uint8_t out[16], const char *hex)
{
    return api_return(parse_hex(out, 16, hex, "trace id"));
}

int kiln_span_id_parse(uint8_t out[8], const char *hex)
{
    return api_return(parse_hex(out, 8, hex, "span id"));
}

void kiln_trace_id_format(const uint8_t id[16], char out[33])
{
    hex_lower(out, id, 16);
}

void kiln_span_id_format(const uint8_t id[8], char out[17])
{
    hex_lower(out, id, 8);
}
