/* out_common.c: what every output shares: naming a frame (function, or
 * hex address), a stack as root-first frames for folded lines and JSON,
 * escaping (JSON, and what flame.c needs for XML), printf into a buffer,
 * and the sample-type check. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output_internal.h"

/* 0 if type is one of the result's, 1 if the result is empty (no types:
 * nothing to render), else KILN_EINVAL. */
int out_check_type(const kiln_result *r, size_t type)
{
    if (r->ntypes == 0)
        return 1;
    if (type >= r->ntypes)
        return kiln_error_set(KILN_EINVAL, "result: sample type %zu of %zu",
                              type, r->ntypes);
    return 0;
}

/* ---- frame names ---- */

/* The name of line j of location loc (function name), or the location's
 * address in hex when it has no lines, the line no function (KILN_NOFUNC)
 * or the function no name. A nameless frame at address 0 (an empty frame of
 * folded input) stays empty: "0x0" would name nothing and break the folded
 * round trip. */
void rd_frame_name(const kiln_result *r, uint32_t loc, uint32_t j,
                   char hex[24], const char **s, size_t *n)
{
    const kiln_location *l = &r->sym.locations[loc];

    uint32_t fid = j < l->nlines ? r->sym.lines[l->line_off + j].function
                                 : KILN_NOFUNC;
    if (j < l->nlines && fid == KILN_NOFUNC && l->address == 0) {
        *s = ""; /* no function at no address: nothing to name */
        *n = 0;
        return;
    }
    if (fid != KILN_NOFUNC) {
        const kiln_function *f = &r->sym.functions[fid];
        if (r->sym.strings.len[f->name] || l->address == 0) {
            *s = strtab_get(&r->sym.strings, f->name);
            *n = r->sym.strings.len[f->name];
            return;
        }
    }
    *n = (size_t)snprintf(hex, 24, "0x%" PRIx64, l->address);
    *s = hex;
}

/* Append a frame name, with line breaks and ';' turned into spaces so a
 * folded line stays one line of ';'-separated frames. */
int out_put_frame(kiln_buf *b, const char *s, size_t n)
{
    int rc;
    size_t at = b->len;

    if ((rc = kiln_buf_append(b, s, n)) < 0)
        return rc;
    for (size_t i = at; i < b->len; i++)
        if (b->data[i] == '\n' || b->data[i] == '\r' || b->data[i] == ';')
            b->data[i] = ' ';
    return 0;
}

/* Root-first frames of node n, joined by sep, appended to b. */
int out_put_stack(const kiln_result *r, uint32_t n, kiln_buf *b,
                  uint32_t *path, bool json)
{
    size_t depth = 0;
    bool first = true;
    char hex[24];
    int rc;

    while (n) {
        path[depth++] = n;
        n = r->stk.parent[n];
    }
    while (depth) {
        uint32_t loc = r->stk.loc[path[--depth]];
        const kiln_location *l = &r->sym.locations[loc];
        uint32_t nl = l->nlines ? l->nlines : 1;
        for (uint32_t j = nl; j-- > 0;) {
            const char *s;
            size_t len;
            rd_frame_name(r, loc, j, hex, &s, &len);
            if (!first && (rc = kiln_buf_append(b, json ? "," : ";", 1)) < 0)
                return rc;
            first = false;
            if ((rc = json ? rd_json_str(b, s, len) : out_put_frame(b, s, len)) < 0)
                return rc;
        }
    }
    return 0;
}

int rd_bprintf(kiln_buf *b, const char *fmt, ...)
{
    va_list ap;
    int n, rc;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return kiln_error_set(KILN_EINVAL, "render: bad format");
    if ((rc = kiln_buf_reserve(b, (size_t)n + 1)) < 0)
        return rc;
    va_start(ap, fmt);
    vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
}

/* Length of the valid UTF-8 sequence at s (n bytes left), or 0. */
size_t rd_utf8_len(const uint8_t *s, size_t n)
{
    uint8_t c = s[0];
    size_t len;
    uint32_t cp;

    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2;
        cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3f);
    }
    if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
        (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
        return 0;
    return len;
}

int rd_escape(kiln_buf *b, const char *str, size_t n, rd_escape_fn esc,
              const char *bad)
{
    const uint8_t *s = (const uint8_t *)str;
    size_t nbad = strlen(bad);
    int rc = 0;

    for (size_t i = 0; i < n && rc == 0;) {
        char e[8];
        size_t k = s[i] < 0x80 ? esc(s[i], e) : 0;
        if (k) {
            rc = kiln_buf_append(b, e, k);
            i++;
        } else if (s[i] < 0x80) {
            rc = kiln_buf_append(b, s + i, 1);
            i++;
        } else {
            size_t len = rd_utf8_len(s + i, n - i);
            rc = len ? kiln_buf_append(b, s + i, len)
                     : kiln_buf_append(b, bad, nbad);
            i += len ? len : 1;
        }
    }
    return rc;
}

size_t rd_json_esc(uint8_t c, char esc[8])
{
    if (c == '"' || c == '\\') {
        esc[0] = '\\';
        esc[1] = (char)c;
        return 2;
    }
    if (c < 0x20 || c == 0x7f)
        return (size_t)snprintf(esc, 8, "\\u%04x", c);
    return 0;
}

/* A JSON string: quotes, escapes, bytes that are not UTF-8 as U+FFFD. */
int rd_json_str(kiln_buf *b, const char *str, size_t n)
{
    int rc;

    if ((rc = kiln_buf_append(b, "\"", 1)) < 0 ||
        (rc = rd_escape(b, str, n, rd_json_esc, "\\ufffd")) < 0)
        return rc;
    return kiln_buf_append(b, "\"", 1);
}
