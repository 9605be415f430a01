/* test_garbage.c: every decoder fed random bytes and damaged valid
 * encodings returns KILN_ECORRUPT (or decodes), never crashes, leaks or
 * reads outside its buffer (run under AddressSanitizer). */
#include "fmt_test.h"

typedef int (*decode_fn)(const uint8_t *p, size_t n);

static int d_symtab(const uint8_t *p, size_t n)
{
    kiln_symtab st;
    int rc = symtab_decode(&st, p, n);
    if (rc == 0)
        symtab_free(&st);
    return rc;
}

static int d_stacks(const uint8_t *p, size_t n)
{
    kiln_stacks t;
    int rc = stacks_decode(&t, p, n, 1000);
    if (rc == 0)
        stacks_free(&t);
    return rc;
}

static int d_series(const uint8_t *p, size_t n)
{
    kiln_seriestab t;
    int rc = seriestab_decode(&t, p, n);
    if (rc == 0)
        seriestab_free(&t);
    return rc;
}

static int d_pageindex(const uint8_t *p, size_t n)
{
    kiln_page_meta *pg;
    size_t np;
    int rc = pageindex_decode(&pg, &np, p, n, 1 << 20, 100);
    if (rc == 0)
        free(pg);
    return rc;
}

static int d_page(const uint8_t *p, size_t n)
{
    kiln_page_rows r;
    kiln_page_meta m = {0};
    m.nrows = 1 + (n % 50);
    m.ntypes = (uint8_t)(n % 3);
    int rc = page_decode(&r, p, n, &m, 1000, 1000, 1000);
    if (rc == 0)
        page_rows_free(&r);
    return rc;
}

static int d_links(const uint8_t *p, size_t n)
{
    kiln_link *l;
    size_t nl;
    int rc = links_decode(&l, &nl, p, n);
    if (rc == 0)
        free(l);
    return rc;
}

static int d_traceindex(const uint8_t *p, size_t n)
{
    kiln_link l[4];
    memset(l, 0, sizeof l);
    for (int i = 0; i < 4; i++)
        l[i].trace_id[0] = (uint8_t)i;
    kiln_trace_index ti;
    int rc = trace_index_decode(&ti, p, n, l, 4, 10);
    if (rc == 0)
        trace_index_free(&ti);
    return rc;
}

static int d_bloom(const uint8_t *p, size_t n)
{
    kiln_bloom b;
    int rc = bloom_decode(&b, p, n);
    if (rc == 0)
        bloom_free(&b);
    return rc;
}

static int d_footer(const uint8_t *p, size_t n)
{
    kiln_section *s;
    size_t ns;
    kiln_meta m;
    int rc = footer_decode(p, n, 1 << 20, &s, &ns, &m);
    if (rc == 0) {
        free(s);
        meta_free(&m);
    }
    if (rc == KILN_EVERSION) /* an unknown codec byte */
        rc = KILN_ECORRUPT;
    return rc;
}

static void random_inputs(decode_fn dec, uint64_t seed)
{
    uint64_t s = seed;
    for (int iter = 0; iter < 3000; iter++) {
        size_t len = (size_t)(rng_next(&s) % 200);
        uint8_t *p = malloc(len ? len : 1);
        /* Mostly small bytes so counts and widths are plausible. */
        for (size_t i = 0; i < len; i++) {
            uint64_t r = rng_next(&s);
            p[i] = (uint8_t)(r % 4 == 0 ? r >> 8 : (r >> 8) % 8);
        }
        int rc = dec(p, len);
        cr_assert(rc == 0 || rc == KILN_ECORRUPT, "iteration %d: %d (%s)", iter, rc,
                  kiln_error_last());
        free(p);
    }
}

Test(format_garbage, random_bytes_into_every_decoder)
{
    decode_fn all[] = {d_symtab, d_stacks, d_series, d_pageindex, d_page,
                       d_links, d_traceindex, d_bloom, d_footer};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        random_inputs(all[i], 100 + i);
}

Test(format_garbage, zstd_garbage_with_valid_checksum_is_corrupt)
{
    kiln_buf blk = KILN_BUF_INIT, out = KILN_BUF_INIT;
    kiln_section sec;
    uint64_t s = 9;
    char text[3000];

    for (size_t i = 0; i < sizeof text; i++)
        text[i] = (char)('a' + rng_next(&s) % 3);
    cr_assert(eq(int, section_pack(&blk, &sec, KILN_SEC_SERIES, KILN_CODEC_ZSTD, 3,
                                        text, sizeof text, NULL), 0));
    for (int k = 0; k < 500; k++) {
        uint8_t *p = dup_exact(blk.data + sec.offset, sec.stored);
        size_t at = (size_t)(rng_next(&s) % sec.stored);
        p[at] ^= (uint8_t)(1 + rng_next(&s) % 255);
        kiln_section forged = sec;
        forged.checksum = hash64(p, sec.stored, 0); /* get past the checksum */
        int rc = section_unpack(&forged, p, &out, "section series", NULL);
        if (rc == 0) /* zstd's own checksum is off by default; a flip may decode */
            cr_assert(eq(sz, out.len, sizeof text));
        else
            cr_assert(eq(int, rc, KILN_ECORRUPT), "%s", kiln_error_last());
        free(p);
    }
    kiln_buf_free(&blk);
    kiln_buf_free(&out);
}
