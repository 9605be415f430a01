/* test_container.c: header, footer, trailer and sections of a block: every
 * field round-trips, versions and must-understand flags are refused,
 * ignorable flags accepted, checksums and extents enforced. */
#include "fmt_test.h"

Test(format_container, header_roundtrip_and_layout)
{
    kiln_buf b = KILN_BUF_INIT;
    uint64_t flags = 0;

    cr_assert(eq(int, header_encode(&b, 0), 0));
    cr_assert(eq(sz, b.len, KILN_HEADER_SIZE));
    static const uint8_t want[16] = {0x89, 'K', 'L', 'N', 1, 0, 0, 0};
    cr_assert(eq(int, memcmp(b.data, want, 16), 0));
    cr_assert(eq(int, header_decode(b.data, b.len, &flags), 0));
    cr_assert(eq(u64, flags, 0));
    for (size_t len = 0; len < 16; len++)
        cr_assert(eq(int, header_decode(b.data, len, &flags), KILN_ECORRUPT));
    kiln_buf_free(&b);
}

Test(format_container, unknown_version_is_eversion)
{
    kiln_buf b = KILN_BUF_INIT;

    header_encode(&b, 0);
    b.data[4] = 2;
    cr_assert(eq(int, header_decode(b.data, b.len, NULL), KILN_EVERSION));
    cr_assert(ne(ptr, strstr(kiln_error_last(), "version 2"), NULL), "%s", kiln_error_last());
    b.data[4] = 0;
    b.data[5] = 1; /* version 256 */
    cr_assert(eq(int, header_decode(b.data, b.len, NULL), KILN_EVERSION));
    kiln_buf_free(&b);
}

Test(format_container, must_understand_flags_refused_ignorable_accepted)
{
    kiln_buf b = KILN_BUF_INIT;
    uint64_t flags;

    header_encode(&b, 1ULL << 3);
    cr_assert(eq(int, header_decode(b.data, b.len, &flags), KILN_EVERSION));
    cr_assert(ne(ptr, strstr(kiln_error_last(), "0x8"), NULL), "%s", kiln_error_last());
    kiln_buf_reset(&b);
    header_encode(&b, 1ULL << 31);
    cr_assert(eq(int, header_decode(b.data, b.len, &flags), KILN_EVERSION));
    kiln_buf_reset(&b);
    header_encode(&b, (1ULL << 32) | (1ULL << 63));
    cr_assert(eq(int, header_decode(b.data, b.len, &flags), 0));
    cr_assert(eq(u64, flags, (1ULL << 32) | (1ULL << 63)));
    kiln_buf_free(&b);
}

Test(format_container, bad_magic_and_reserved_are_corrupt)
{
    kiln_buf b = KILN_BUF_INIT;

    header_encode(&b, 0);
    b.data[6] = 1;
    cr_assert(eq(int, header_decode(b.data, b.len, NULL), KILN_ECORRUPT));
    b.data[6] = 0;
    b.data[0] = 'P';
    cr_assert(eq(int, header_decode(b.data, b.len, NULL), KILN_ECORRUPT));
    kiln_buf_free(&b);
}

/* A small block: header, two sections, footer, trailer. */
static void build_block(kiln_buf *blk, kiln_section secs[2], kiln_meta *m)
{
    static char text[4000];
    memset(secs, 0, 2 * sizeof *secs); /* padding too: the test memcmp's them */
    for (size_t i = 0; i < sizeof text; i++)
        text[i] = (char)('a' + i % 7);
    cr_assert(eq(int, header_encode(blk, 0), 0));
    cr_assert(eq(int, section_pack(blk, &secs[0], KILN_SEC_SYMBOLS,
                                        KILN_CODEC_ZSTD, 3, text, sizeof text, NULL), 0));
    cr_assert(lt(u64, secs[0].stored, secs[0].raw));
    cr_assert(eq(int, section_pack(blk, &secs[1], KILN_SEC_BLOOM,
                                        KILN_CODEC_NONE, 0, text, 100, NULL), 0));
    uint64_t off = blk->len;
    cr_assert(eq(int, footer_encode(blk, secs, 2, m), 0));
    uint64_t len = blk->len - off;
    cr_assert(eq(int, trailer_encode(blk, off, len, hash64(blk->data + off, len, 0)), 0));
}

static kiln_meta sample_meta(void)
{
    static char *sources[] = {"01HF7YAT00041061050R3GG28A", "01HF7YAT00041061050R3GG28B"};
    static char *names[] = {"host", "service_name"};
    static uint64_t values[] = {12, 3};
    kiln_meta m = {0};
    m.tenant = "acme";
    m.id = "01HF7YAT00041061050R3GG28C";
    m.tmin = 1700000000000000000LL;
    m.tmax = 1700003599000000000LL;
    m.nseries = 36;
    m.nsamples = 123456;
    m.nstacks = 999;
    m.nlocations = 500;
    m.nfunctions = 400;
    m.nstrings = 800;
    m.nlinks = 77;
    m.ntraces = 20;
    m.nprofiles = 360;
    m.resolution = 300000000000LL;
    m.level = 2;
    m.nsources = 2;
    m.sources = sources;
    m.nlabelnames = 2;
    m.labelnames = names;
    m.labelvalues = values;
    return m;
}

Test(format_container, block_roundtrip_through_trailer_footer_sections)
{
    kiln_buf blk = KILN_BUF_INIT, raw = KILN_BUF_INIT;
    kiln_section secs[2], *ds;
    size_t nds;
    kiln_meta m = sample_meta(), dm;
    uint64_t off, len, sum;

    build_block(&blk, secs, &m);
    cr_assert(eq(int, header_decode(blk.data, blk.len, NULL), 0));
    cr_assert(eq(int, trailer_decode(blk.data + blk.len - 32, blk.len, &off, &len, &sum), 0));
    cr_assert(eq(u64, sum, hash64(blk.data + off, len, 0)));
    cr_assert(eq(int, footer_decode(blk.data + off, len, off, &ds, &nds, &dm), 0),
              "%s", kiln_error_last());
    cr_assert(eq(sz, nds, 2));
    cr_assert(eq(int, memcmp(ds, secs, sizeof secs), 0));
    cr_assert(eq(str, dm.tenant, "acme"));
    cr_assert(eq(str, dm.id, m.id));
    cr_assert(eq(i64, dm.tmin, m.tmin));
    cr_assert(eq(i64, dm.tmax, m.tmax));
    cr_assert(eq(u64, dm.nsamples, 123456));
    cr_assert(eq(u64, dm.nprofiles, 360));
    cr_assert(eq(u64, dm.ntraces, 20));
    cr_assert(eq(i64, dm.resolution, m.resolution));
    cr_assert(eq(u32, dm.level, 2));
    cr_assert(eq(sz, dm.nsources, 2));
    cr_assert(eq(str, dm.sources[1], m.sources[1]));
    cr_assert(eq(sz, dm.nlabelnames, 2));
    cr_assert(eq(str, dm.labelnames[1], "service_name"));
    cr_assert(eq(u64, dm.labelvalues[0], 12));
    for (int i = 0; i < 2; i++) {
        char what[32];
        snprintf(what, sizeof what, "section %s", section_name(ds[i].type));
        uint8_t *stored = dup_exact(blk.data + ds[i].offset, ds[i].stored);
        cr_assert(eq(int, section_unpack(&ds[i], stored, &raw, what, NULL), 0), "%s",
                  kiln_error_last());
        cr_assert(eq(sz, raw.len, ds[i].raw));
        cr_assert(eq(u8, raw.data[0], 'a'));
        free(stored);
    }
    /* Truncated footers are refused. */
    for (uint64_t l = 0; l < len; l++) {
        kiln_section *x;
        size_t nx;
        kiln_meta mx;
        uint8_t *q = dup_exact(blk.data + off, l);
        cr_assert(eq(int, footer_decode(q, l, off, &x, &nx, &mx), KILN_ECORRUPT));
        free(q);
    }
    meta_free(&dm);
    free(ds);
    kiln_buf_free(&blk);
    kiln_buf_free(&raw);
}

Test(format_container, checksum_mismatch_is_echecksum)
{
    kiln_buf blk = KILN_BUF_INIT, raw = KILN_BUF_INIT;
    kiln_section secs[2];
    kiln_meta m = sample_meta();

    build_block(&blk, secs, &m);
    blk.data[secs[0].offset + 3] ^= 0x10;
    cr_assert(eq(int, section_unpack(&secs[0], blk.data + secs[0].offset, &raw,
                                          "section symbols", NULL), KILN_ECHECKSUM));
    cr_assert(eq(int, strncmp(kiln_error_last(), "section symbols: checksum mismatch (stored ", 43), 0),
              "%s", kiln_error_last());
    /* The trailer protects itself. */
    blk.data[blk.len - 32 + 2] ^= 1;
    uint64_t a, b, c;
    cr_assert(eq(int, trailer_decode(blk.data + blk.len - 32, blk.len, &a, &b, &c),
                 KILN_ECHECKSUM));
    blk.data[blk.len - 1] = 0;
    cr_assert(eq(int, trailer_decode(blk.data + blk.len - 32, blk.len, &a, &b, &c),
                 KILN_ECORRUPT));
    kiln_buf_free(&blk);
    kiln_buf_free(&raw);
}

Test(format_container, raw_size_lies_are_caught)
{
    kiln_buf blk = KILN_BUF_INIT, raw = KILN_BUF_INIT;
    kiln_section secs[2];
    kiln_meta m = sample_meta();

    build_block(&blk, secs, &m);
    kiln_section s = secs[0];
    s.raw -= 1;
    cr_assert(eq(int, section_unpack(&s, blk.data + s.offset, &raw, "section symbols", NULL),
                 KILN_ECORRUPT));
    s.raw += 2;
    cr_assert(eq(int, section_unpack(&s, blk.data + s.offset, &raw, "section symbols", NULL),
                 KILN_ECORRUPT));
    s.raw = (1ULL << 31) + 1;
    cr_assert(eq(int, section_unpack(&s, blk.data + s.offset, &raw, "section symbols", NULL),
                 KILN_ELIMIT));
    kiln_buf_free(&blk);
    kiln_buf_free(&raw);
}

Test(format_container, footer_refuses_bad_extents_and_codecs)
{
    kiln_meta m = sample_meta(), dm;
    kiln_section s[2] = {{KILN_SEC_SYMBOLS, KILN_CODEC_ZSTD, 16, 100, 300, 1},
                         {KILN_SEC_STACKS, KILN_CODEC_ZSTD, 116, 50, 80, 2}};
    kiln_section *ds;
    size_t nds;
    kiln_buf f = KILN_BUF_INIT;

    footer_encode(&f, s, 2, &m);
    cr_assert(eq(int, footer_decode(f.data, f.len, 166, &ds, &nds, &dm), 0));
    meta_free(&dm);
    free(ds);
    /* The footer starts before the second section ends. */
    cr_assert(eq(int, footer_decode(f.data, f.len, 165, &ds, &nds, &dm), KILN_ECORRUPT));
    /* Overlapping sections. */
    s[1].offset = 115;
    kiln_buf_reset(&f);
    footer_encode(&f, s, 2, &m);
    cr_assert(eq(int, footer_decode(f.data, f.len, 1000, &ds, &nds, &dm), KILN_ECORRUPT));
    /* A section inside the header. */
    s[1].offset = 116;
    s[0].offset = 8;
    kiln_buf_reset(&f);
    footer_encode(&f, s, 2, &m);
    cr_assert(eq(int, footer_decode(f.data, f.len, 1000, &ds, &nds, &dm), KILN_ECORRUPT));
    /* An unknown codec. */
    s[0].offset = 16;
    s[0].codec = 9;
    kiln_buf_reset(&f);
    footer_encode(&f, s, 2, &m);
    cr_assert(eq(int, footer_decode(f.data, f.len, 1000, &ds, &nds, &dm), KILN_EVERSION));
    /* An offset so large that offset + stored wraps. */
    s[0].codec = KILN_CODEC_ZSTD;
    s[1].offset = UINT64_MAX - 10;
    kiln_buf_reset(&f);
    footer_encode(&f, s, 2, &m);
    cr_assert(eq(int, footer_decode(f.data, f.len, 1000, &ds, &nds, &dm), KILN_ECORRUPT));
    kiln_buf_free(&f);
}

Test(format_container, unknown_section_types_are_kept_for_skipping)
{
    kiln_meta m = sample_meta(), dm;
    kiln_section s[1] = {{200, KILN_CODEC_NONE, 16, 10, 10, 0}};
    kiln_section *ds;
    size_t nds;
    kiln_buf f = KILN_BUF_INIT;

    footer_encode(&f, s, 1, &m);
    cr_assert(eq(int, footer_decode(f.data, f.len, 26, &ds, &nds, &dm), 0));
    cr_assert(eq(u8, ds[0].type, 200));
    cr_assert(eq(str, (char *)section_name(200), "unknown"));
    meta_free(&dm);
    free(ds);
    kiln_buf_free(&f);
}

Test(format_container, trailer_layout_and_extent)
{
    kiln_buf t = KILN_BUF_INIT;
    uint64_t a, b, c;

    cr_assert(eq(int, trailer_encode(&t, 1000, 200, 0x1122334455667788ULL), 0));
    cr_assert(eq(sz, t.len, KILN_TRAILER_SIZE));
    cr_assert(eq(int, memcmp(t.data + 28, "KLN\x1a", 4), 0));
    cr_assert(eq(int, trailer_decode(t.data, 1232, &a, &b, &c), 0));
    cr_assert(eq(u64, a, 1000));
    cr_assert(eq(u64, b, 200));
    cr_assert(eq(u64, c, 0x1122334455667788ULL));
    /* The footer must end where the trailer starts. */
    cr_assert(eq(int, trailer_decode(t.data, 1233, &a, &b, &c), KILN_ECORRUPT));
    cr_assert(eq(int, trailer_decode(t.data, 1231, &a, &b, &c), KILN_ECORRUPT));
    cr_assert(eq(int, trailer_decode(t.data, 40, &a, &b, &c), KILN_ECORRUPT));
    kiln_buf_free(&t);
}

Test(format_container, block_id_is_sortable_crockford)
{
    char a[27], b[27];
    uint8_t e[10] = {0};

    block_id(a, 0, e);
    cr_assert(eq(str, a, "00000000000000000000000000"));
    memset(e, 0xff, 10);
    block_id(a, (1LL << 48) - 1, e);
    cr_assert(eq(str, a, "7ZZZZZZZZZZZZZZZZZZZZZZZZZ"));
    uint8_t e2[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    block_id(a, 1700000000000LL, e2);
    block_id(b, 1700000000001LL, e2);
    cr_assert(eq(sz, strlen(a), 26));
    cr_assert(lt(int, strcmp(a, b), 0));
    cr_assert(eq(str, a, "01HF7YAT00041061050R3GG28A"));
}
