/* container.c: the block container (spec/block.md): header, sections
 * (compressed and checksummed one by one), footer with the table of
 * contents and metadata, and the fixed trailer a reader fetches first. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>
#include <zstd.h>
#include <zstd_errors.h>

#include "format_internal.h"

#define MAX_SECTION_RAW KILN_MAX_SECTION_RAW
#define MAX_SECTIONS 256
#define MAX_META_STRING 4096

const char *section_name(unsigned type)
{
    switch (type) {
    case KILN_SEC_SYMBOLS: return "symbols";
    case KILN_SEC_STACKS: return "stacks";
    case KILN_SEC_SERIES: return "series";
    case KILN_SEC_SAMPLES: return "samples";
    case KILN_SEC_PAGEINDEX: return "pageindex";
    case KILN_SEC_LINKS: return "links";
    case KILN_SEC_TRACEINDEX: return "traceindex";
    case KILN_SEC_BLOOM: return "bloom";
    default: return "unknown";
    }
}

/* ---- header ---- */

int header_encode(kiln_buf *out, uint64_t flags)
{
    uint8_t h[KILN_HEADER_SIZE];

    memcpy(h, KILN_MAGIC, 4);
    h[4] = KILN_FORMAT_VERSION & 0xff;
    h[5] = KILN_FORMAT_VERSION >> 8;
    h[6] = 0;
    h[7] = 0;
    set_u64le(h + 8, flags);
    return kiln_buf_append(out, h, sizeof h);
}

int header_decode(const void *p, size_t n, uint64_t *flags)
{
    const uint8_t *h = p;
    unsigned version;
    uint64_t f, unknown;

    if (n < KILN_HEADER_SIZE)
        return corrupt("header", n, "truncated (16 bytes needed)");
    if (memcmp(h, KILN_MAGIC, 4) != 0)
        return corrupt("header", 0, "bad magic, not a kiln block");
    version = (unsigned)h[4] | (unsigned)h[5] << 8;
    if (version != KILN_FORMAT_VERSION)
        return kiln_error_set(KILN_EVERSION,
                              "header: format version %u is not supported (this kiln reads version %d)",
                              version, KILN_FORMAT_VERSION);
    if (h[6] != 0 || h[7] != 0)
        return corrupt("header", 6, "reserved bytes are not zero");
    f = load_u64le(h + 8);
    unknown = f & KILN_FLAGS_MUST_MASK & ~KILN_FLAGS_KNOWN;
    if (unknown)
        return kiln_error_set(KILN_EVERSION,
                              "header: unknown must-understand feature flags 0x%llx",
                              (unsigned long long)unknown);
    if (flags)
        *flags = f;
    return 0;
}

/* ---- footer ---- */

void meta_free(kiln_meta *m)
{
    if (!m)
        return;
    free(m->tenant);
    free(m->id);
    for (size_t i = 0; i < m->nsources; i++)
        free(m->sources[i]);
    free(m->sources);
    for (size_t i = 0; i < m->nlabelnames; i++)
        free(m->labelnames[i]);
    free(m->labelnames);
    free(m->labelvalues);
    memset(m, 0, sizeof *m);
}

static int put_str(kiln_buf *out, const char *s)
{
    size_t n = s ? strlen(s) : 0;

    if (n > MAX_META_STRING)
        return kiln_error_set(KILN_ELIMIT, "footer: string of %zu bytes (max %d)",
                              n, MAX_META_STRING);
    return put_blob(out, s ? s : "", n);
}

int footer_encode(kiln_buf *out, const kiln_section *secs, size_t nsecs,
                       const kiln_meta *m)
{
    int rc = 0;

    if (nsecs > MAX_SECTIONS)
        return kiln_error_set(KILN_ELIMIT, "footer: %zu sections", nsecs);
    if ((rc = put_uvarint(out, nsecs)) < 0)
        return rc;
    for (size_t i = 0; i < nsecs; i++) {
        const kiln_section *s = &secs[i];
        if ((rc = put_u8(out, s->type)) < 0 ||
            (rc = put_u8(out, s->codec)) < 0 ||
            (rc = put_uvarint(out, s->offset)) < 0 ||
            (rc = put_uvarint(out, s->stored)) < 0 ||
            (rc = put_uvarint(out, s->raw)) < 0 ||
            (rc = put_u64le(out, s->checksum)) < 0)
            return rc;
    }
    const uint64_t counts[9] = {m->nseries, m->nsamples, m->nstacks,
                                m->nlocations, m->nfunctions, m->nstrings,
                                m->nlinks, m->ntraces, m->nprofiles};
    if ((rc = put_str(out, m->tenant)) < 0 || (rc = put_str(out, m->id)) < 0 ||
        (rc = put_svarint(out, m->tmin)) < 0 ||
        (rc = put_svarint(out, m->tmax)) < 0)
        return rc;
    for (int i = 0; i < 9; i++)
        if ((rc = put_uvarint(out, counts[i])) < 0)
            return rc;
    if ((rc = put_svarint(out, m->resolution)) < 0 ||
        (rc = put_uvarint(out, m->level)) < 0 ||
        (rc = put_uvarint(out, m->nsources)) < 0)
        return rc;
    for (size_t i = 0; i < m->nsources; i++)
        if ((rc = put_str(out, m->sources[i])) < 0)
            return rc;
    if ((rc = put_uvarint(out, m->nlabelnames)) < 0)
        return rc;
    for (size_t i = 0; i < m->nlabelnames; i++)
        if ((rc = put_str(out, m->labelnames[i])) < 0 ||
            (rc = put_uvarint(out, m->labelvalues ? m->labelvalues[i] : 0)) < 0)
            return rc;
    /* Extension area: empty in v1; readers skip what is there. */
    return put_uvarint(out, 0);
}

static int get_str(kiln_cur *c, char **s)
{
    uint64_t off = cur_off(c);
    const uint8_t *p;
    size_t n;
    int rc;

    *s = NULL;
    if ((rc = get_blob(c, &p, &n)) < 0)
        return rc;
    if (n > MAX_META_STRING)
        return corrupt(c->what, off, "string longer than 4096 bytes");
    if (memchr(p, 0, n))
        return corrupt(c->what, off, "string holds a NUL byte");
    *s = malloc(n + 1);
    if (!*s)
        return kiln_error_set(KILN_ENOMEM, "footer: string");
    memcpy(*s, p, n);
    (*s)[n] = '\0';
    return 0;
}

const char *stored_sizes_bad(uint8_t codec, uint64_t stored, uint64_t raw)
{
    if (raw > MAX_SECTION_RAW)
        return "raw size above the 2 GiB limit";
    if (codec == KILN_CODEC_NONE && stored != raw)
        return "uncompressed but stored size != raw size";
    /* No zstd frame of raw bytes is larger than its bound: a bigger claim
     * would only make a reader fetch bytes it cannot use. */
    if (codec == KILN_CODEC_ZSTD && stored > ZSTD_COMPRESSBOUND(raw))
        return "stored size above zstd's bound for its raw size";
    return NULL;
}

int footer_decode(const void *p, size_t n, uint64_t footer_off,
                       kiln_section **secs_out, size_t *nsecs_out,
                       kiln_meta *m)
{
    kiln_cur c;
    kiln_section *secs = NULL;
    uint64_t cnt, off;
    int rc;

    *secs_out = NULL;
    *nsecs_out = 0;
    memset(m, 0, sizeof *m);
    cur_init(&c, p, n, "footer");
    if ((rc = get_count(&c, MAX_SECTIONS, "section count", &cnt)) < 0)
        goto out;
    size_t ns = (size_t)cnt;
    secs = calloc(ns ? ns : 1, sizeof *secs);
    if (!secs) {
        rc = kiln_error_set(KILN_ENOMEM, "footer: sections");
        goto out;
    }
    uint64_t prev_end = KILN_HEADER_SIZE;
    uint32_t seen = 0; /* known types already listed */
    for (size_t i = 0; i < ns; i++) {
        kiln_section *s = &secs[i];
        off = cur_off(&c);
        if ((rc = get_u8(&c, &s->type)) < 0 ||
            (rc = get_u8(&c, &s->codec)) < 0 ||
            (rc = get_uvarint(&c, &s->offset)) < 0 ||
            (rc = get_uvarint(&c, &s->stored)) < 0 ||
            (rc = get_uvarint(&c, &s->raw)) < 0 ||
            (rc = get_u64le(&c, &s->checksum)) < 0)
            goto out;
        const char *name = section_name(s->type);
        if (s->codec > KILN_CODEC_ZSTD) {
            rc = kiln_error_set(KILN_EVERSION, "footer: section %zu (%s): unknown codec %u",
                                i, name, s->codec);
            goto out;
        }
        if (s->offset < prev_end || s->offset > footer_off ||
            s->stored > footer_off - s->offset) {
            rc = kiln_error_set(KILN_ECORRUPT,
                                "footer: section %zu (%s): extent [%llu, +%llu) outside [%llu, %llu) or overlapping the previous one, entry at offset %llu",
                                i, name, (unsigned long long)s->offset,
                                (unsigned long long)s->stored,
                                (unsigned long long)prev_end,
                                (unsigned long long)footer_off,
                                (unsigned long long)off);
            goto out;
        }
        const char *bad = stored_sizes_bad(s->codec, s->stored, s->raw);
        if (bad) {
            rc = kiln_error_set(KILN_ECORRUPT, "footer: section %zu (%s): %s "
                                "(stored %llu, raw %llu)", i, name, bad,
                                (unsigned long long)s->stored,
                                (unsigned long long)s->raw);
            goto out;
        }
        if (s->type >= KILN_SEC_SYMBOLS && s->type <= KILN_SEC_BLOOM) {
            if (seen & (1u << s->type)) {
                rc = kiln_error_set(KILN_ECORRUPT, "footer: section %s listed twice", name);
                goto out;
            }
            seen |= 1u << s->type;
        }
        prev_end = s->offset + s->stored;
    }

    if ((rc = get_str(&c, &m->tenant)) < 0 || (rc = get_str(&c, &m->id)) < 0 ||
        (rc = get_svarint(&c, &m->tmin)) < 0 ||
        (rc = get_svarint(&c, &m->tmax)) < 0)
        goto out;
    uint64_t *counts[9] = {&m->nseries, &m->nsamples, &m->nstacks,
                           &m->nlocations, &m->nfunctions, &m->nstrings,
                           &m->nlinks, &m->ntraces, &m->nprofiles};
    for (int i = 0; i < 9; i++)
        if ((rc = get_uvarint(&c, counts[i])) < 0)
            goto out;
    uint64_t x;
    if ((rc = get_svarint(&c, &m->resolution)) < 0 ||
        (rc = get_count(&c, UINT32_MAX, "level", &x)) < 0)
        goto out;
    m->level = (uint32_t)x;
    if (m->tmax < m->tmin && m->nsamples > 0) {
        rc = corrupt(c.what, cur_off(&c), "tmax before tmin");
        goto out;
    }
    if ((rc = get_count(&c, cur_left(&c), "source count", &x)) < 0)
        goto out;
    m->sources = calloc(x ? x : 1, sizeof *m->sources);
    if (!m->sources) {
        rc = kiln_error_set(KILN_ENOMEM, "footer: sources");
        goto out;
    }
    for (uint64_t i = 0; i < x; i++) {
        m->nsources = (size_t)i + 1;
        if ((rc = get_str(&c, &m->sources[i])) < 0)
            goto out;
    }
    if ((rc = get_count(&c, cur_left(&c) / 2, "label name count", &x)) < 0)
        goto out;
    m->labelnames = calloc(x ? x : 1, sizeof *m->labelnames);
    m->labelvalues = calloc(x ? x : 1, sizeof *m->labelvalues);
    if (!m->labelnames || !m->labelvalues) {
        rc = kiln_error_set(KILN_ENOMEM, "footer: label names");
        goto out;
    }
    for (uint64_t i = 0; i < x; i++) {
        m->nlabelnames = (size_t)i + 1;
        if ((rc = get_str(&c, &m->labelnames[i])) < 0 ||
            (rc = get_uvarint(&c, &m->labelvalues[i])) < 0)
            goto out;
    }
    const uint8_t *ext;
    size_t next;
    if ((rc = get_blob(&c, &ext, &next)) < 0)
        goto out;
    if (cur_left(&c) != 0) {
        rc = corrupt(c.what, cur_off(&c), "trailing bytes");
        goto out;
    }
    *secs_out = secs;
    *nsecs_out = ns;
    secs = NULL;
    rc = 0;
out:
    free(secs);
    if (rc < 0)
        meta_free(m);
    return rc;
}

/* ---- trailer ---- */

int trailer_encode(kiln_buf *out, uint64_t footer_off,
                        uint64_t footer_len, uint64_t footer_sum)
{
    uint8_t t[KILN_TRAILER_SIZE];

    set_u64le(t, footer_off);
    set_u64le(t + 8, footer_len);
    set_u64le(t + 16, footer_sum);
    set_u32le(t + 24, (uint32_t)XXH64(t, 24, 0));
    memcpy(t + 28, KILN_TRAILER_MAGIC, 4);
    return kiln_buf_append(out, t, sizeof t);
}

int trailer_decode(const void *p, uint64_t block_size,
                        uint64_t *footer_off, uint64_t *footer_len,
                        uint64_t *footer_sum)
{
    const uint8_t *t = p;
    uint32_t want, got;
    uint64_t off, len;

    if (block_size < KILN_HEADER_SIZE + KILN_TRAILER_SIZE)
        return kiln_error_set(KILN_ECORRUPT, "block of %llu bytes is shorter than header and trailer (48 bytes)",
                              (unsigned long long)block_size);
    if (memcmp(t + 28, KILN_TRAILER_MAGIC, 4) != 0)
        return corrupt("trailer", block_size - 4, "bad magic, not a kiln block or truncated");
    want = load_u32le(t + 24);
    got = (uint32_t)XXH64(t, 24, 0);
    if (want != got)
        return kiln_error_set(KILN_ECHECKSUM,
                              "trailer: checksum mismatch (stored %08x, computed %08x)",
                              want, got);
    off = load_u64le(t);
    len = load_u64le(t + 8);
    if (off < KILN_HEADER_SIZE || off > block_size - KILN_TRAILER_SIZE ||
        len != block_size - KILN_TRAILER_SIZE - off)
        return kiln_error_set(KILN_ECORRUPT,
                              "trailer: footer at %llu of %llu bytes does not end where the trailer starts (%llu)",
                              (unsigned long long)off, (unsigned long long)len,
                              (unsigned long long)(block_size - KILN_TRAILER_SIZE));
    *footer_off = off;
    *footer_len = len;
    *footer_sum = load_u64le(t + 16);
    return 0;
}

/* ---- sections ---- */

void zctx_free(zctx *z)
{
    ZSTD_freeCCtx(z->c);
    ZSTD_freeDCtx(z->d);
    z->c = NULL;
    z->d = NULL;
}

int section_pack(kiln_buf *block, kiln_section *sec, uint8_t type,
                      uint8_t codec, int level, const void *raw, size_t n,
                      zctx *z)
{
    size_t stored;
    int rc;

    if ((uint64_t)n > MAX_SECTION_RAW)
        return kiln_error_set(KILN_ELIMIT, "section %s: %zu bytes (max 2 GiB)",
                              section_name(type), n);
    sec->type = type;
    sec->codec = codec;
    sec->offset = block->len;
    sec->raw = n;
    if (codec == KILN_CODEC_NONE) {
        if ((rc = kiln_buf_append(block, raw, n)) < 0)
            return rc;
        stored = n;
    } else if (codec == KILN_CODEC_ZSTD) {
        size_t bound = ZSTD_compressBound(n);
        if ((rc = kiln_buf_reserve(block, bound)) < 0)
            return rc;
        if (z && !z->c && !(z->c = ZSTD_createCCtx()))
            return nomem_at("zstd compression context");
        stored = z ? ZSTD_compressCCtx(z->c, block->data + block->len, bound,
                                       raw, n, level)
                   : ZSTD_compress(block->data + block->len, bound, raw, n,
                                   level);
        if (ZSTD_isError(stored))
            return kiln_error_set(KILN_EINVAL, "section %s: zstd: %s",
                                  section_name(type), ZSTD_getErrorName(stored));
        block->len += stored;
    } else {
        return kiln_error_set(KILN_EINVAL, "section %s: unknown codec %u",
                              section_name(type), codec);
    }
    sec->stored = stored;
    sec->checksum = XXH64(block->data + sec->offset, stored, 0);
    return 0;
}

int section_check(const kiln_section *sec, const void *stored,
                  const char *what)
{
    uint64_t sum;

    if (sec->raw > MAX_SECTION_RAW)
        return kiln_error_set(KILN_ELIMIT, "%s: raw size %llu above the 2 GiB limit",
                              what, (unsigned long long)sec->raw);
    if (sec->stored > SIZE_MAX)
        return kiln_error_set(KILN_ELIMIT, "%s: stored size too large", what);
    sum = XXH64(stored, (size_t)sec->stored, 0);
    if (sum != sec->checksum)
        return kiln_error_set(KILN_ECHECKSUM,
                              "%s: checksum mismatch (stored %016llx, computed %016llx)",
                              what, (unsigned long long)sec->checksum,
                              (unsigned long long)sum);
    return 0;
}

int section_unpack(const kiln_section *sec, const void *stored,
                        kiln_buf *out, const char *what, zctx *z)
{
    int rc;

    if ((rc = section_check(sec, stored, what)) < 0)
        return rc;
    out->len = 0;
    if ((rc = kiln_buf_reserve(out, (size_t)sec->raw + 1)) < 0)
        return rc;
    if (sec->codec == KILN_CODEC_NONE) {
        if (sec->stored != sec->raw)
            return kiln_error_set(KILN_ECORRUPT, "%s: uncompressed but stored %llu != raw %llu",
                                  what, (unsigned long long)sec->stored,
                                  (unsigned long long)sec->raw);
        if (sec->raw)
            memcpy(out->data, stored, (size_t)sec->raw);
        out->len = (size_t)sec->raw;
        return 0;
    }
    if (sec->codec != KILN_CODEC_ZSTD)
        return kiln_error_set(KILN_EVERSION, "%s: unknown codec %u", what, sec->codec);
    /* One byte of slack tells "more than raw" apart from "exactly raw". */
    if (z && !z->d && !(z->d = ZSTD_createDCtx()))
        return nomem_at(what);
    size_t got = z ? ZSTD_decompressDCtx(z->d, out->data, (size_t)sec->raw + 1,
                                         stored, (size_t)sec->stored)
                   : ZSTD_decompress(out->data, (size_t)sec->raw + 1, stored,
                                     (size_t)sec->stored);
    /* zstd allocates its context itself: running out of memory there is
     * not damage (a query that skips damaged blocks must not skip it). */
    if (ZSTD_isError(got) &&
        ZSTD_getErrorCode(got) == ZSTD_error_memory_allocation)
        return nomem_at(what);
    if (ZSTD_isError(got))
        return kiln_error_set(KILN_ECORRUPT, "%s: zstd: %s", what,
                              ZSTD_getErrorName(got));
    if (got != sec->raw)
        return kiln_error_set(KILN_ECORRUPT, "%s: decompressed to %zu bytes, expected %llu",
                              what, got, (unsigned long long)sec->raw);
    out->len = got;
    return 0;
}

/* ---- block ids ---- */

void block_id(char out[27], int64_t time_ms, const uint8_t entropy[10])
{
    static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    uint64_t t = time_ms < 0 ? 0 : (uint64_t)time_ms & 0xffffffffffffULL;

    /* 48 bits of time in 10 characters (the top two bits are zero). */
    for (int i = 9; i >= 0; i--) {
        out[i] = alphabet[t & 31];
        t >>= 5;
    }
    /* 80 bits of entropy in 16 characters, most significant first. */
    uint64_t hi = 0, lo = 0; /* hi: top 16 bits, lo: low 64 */
    hi = (uint64_t)entropy[0] << 8 | entropy[1];
    for (int i = 2; i < 10; i++)
        lo = lo << 8 | entropy[i];
    for (int i = 25; i >= 10; i--) {
        out[i] = alphabet[lo & 31];
        lo = lo >> 5 | (hi & 31) << 59;
        hi >>= 5;
    }
    out[26] = '\0';
}

int kiln_tenant_valid(const char *t)
{
    if (t == NULL)
        return 0;
    size_t n = strlen(t);
    if (n < 1 || n > 64)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = t[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
              (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-'))
            return 0;
    }
    /* "." and ".." are not valid store key segments. */
    return strcmp(t, ".") != 0 && strcmp(t, "..") != 0;
}

/* ---- object keys ---- */

#define NS 1000000000LL
#define KEY_SEC_MAX 9223372035LL /* s * NS + NS - 1 still fits an int64 */

static long long floor_sec(int64_t t)
{
    return t >= 0 ? t / NS : -((-(t + 1)) / NS) - 1;
}

int block_key(char *key, size_t cap, const char *tenant, const char *id,
                   int64_t tmin, int64_t tmax)
{
    int n;

    if (tmin <= tmax)
        n = snprintf(key, cap, "%s/blocks/%s_%lld_%lld.kiln", tenant, id,
                     floor_sec(tmin), floor_sec(tmax));
    else
        n = snprintf(key, cap, "%s/blocks/%s.kiln", tenant, id);
    if (n < 0 || (size_t)n >= cap)
        return kiln_error_set(KILN_ELIMIT, "block key for tenant \"%.64s\" "
                              "longer than %zu bytes", tenant, cap - 1);
    return 0;
}

/* A decimal second count at *p, ending at stop; advances *p past stop. */
static int parse_sec(const char **p, char stop, long long *out)
{
    char *end;

    if (!isdigit((unsigned char)**p) && **p != '-')
        return -1;
    errno = 0;
    *out = strtoll(*p, &end, 10);
    if (errno || end == *p || *end != stop || *out > KEY_SEC_MAX ||
        *out < -KEY_SEC_MAX)
        return -1;
    *p = end + 1;
    return 0;
}

int block_key_range(const char *key, int64_t *lo, int64_t *hi)
{
    const char *name = strrchr(key, '/');
    const char *p, *us = NULL;
    long long s0, s1;

    name = name ? name + 1 : key;
    p = strchr(name, '_');
    if (!p)
        return 0;
    us = p + 1;
    if (parse_sec(&us, '_', &s0) < 0 || parse_sec(&us, '.', &s1) < 0 ||
        strcmp(us, "kiln") != 0 || s0 > s1)
        return 0;
    *lo = s0 * NS;
    *hi = s1 * NS + (NS - 1);
    return 1;
}

