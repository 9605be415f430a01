/* test_block_damage.c: a damaged block is always refused, never read and
 * never a crash. A small block (a corpus profile plus a profile with trace
 * links, so every section is present) is written to a directory store; then
 * every byte of it is flipped in place, one at a time (xor 0xff and 0x01),
 * and kiln_block_open + kiln_block_verify must fail with a message. Also:
 * truncations, an unknown format version, and `kiln verify` on both. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <kiln/kiln.h>

#include "profile.pb-c.h"
#include "util.h"

/* A small pprof with links: two traced samples and one plain, two strings
 * labels and a numeric one. Returns malloc'd protobuf bytes. */
static uint8_t *linked_profile(size_t *len)
{
    static const char *strs[] = {
        "", "samples", "count", "cpu", "nanoseconds", "main", "handler",
        "work", "app.go", "trace_id", "span_id",
        "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7",
        "0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331", "region",
        "eu", "bytes", "/bin/app", "abc123"};
    enum { NS = sizeof strs / sizeof strs[0] };
    ProtobufCBinaryData st[NS];
    for (size_t i = 0; i < NS; i++)
        st[i] = (ProtobufCBinaryData){strlen(strs[i]), (uint8_t *)strs[i]};

    Perftools__Profiles__ValueType vt[2] = {
        PERFTOOLS__PROFILES__VALUE_TYPE__INIT,
        PERFTOOLS__PROFILES__VALUE_TYPE__INIT};
    vt[0].type = 1, vt[0].unit = 2, vt[1].type = 3, vt[1].unit = 4;
    Perftools__Profiles__ValueType *vtp[2] = {&vt[0], &vt[1]};
    Perftools__Profiles__ValueType period = PERFTOOLS__PROFILES__VALUE_TYPE__INIT;
    period.type = 3, period.unit = 4;

    Perftools__Profiles__Mapping map = PERFTOOLS__PROFILES__MAPPING__INIT;
    map.id = 1, map.memory_start = 0x400000, map.memory_limit = 0x500000;
    map.filename = 18, map.build_id = 19, map.has_functions = 1;
    Perftools__Profiles__Mapping *mapp[1] = {&map};

    Perftools__Profiles__Function fn[3];
    Perftools__Profiles__Function *fnp[3];
    Perftools__Profiles__Line ln[3];
    Perftools__Profiles__Line *lnp[3];
    Perftools__Profiles__Location loc[3];
    Perftools__Profiles__Location *locp[3];
    for (int i = 0; i < 3; i++) {
        perftools__profiles__function__init(&fn[i]);
        fn[i].id = (uint64_t)i + 1, fn[i].name = 5 + i, fn[i].system_name = 5 + i;
        fn[i].filename = 8, fn[i].start_line = 10 * (i + 1);
        fnp[i] = &fn[i];
        perftools__profiles__line__init(&ln[i]);
        ln[i].function_id = (uint64_t)i + 1, ln[i].line = 10 * (i + 1) + 3;
        lnp[i] = &ln[i];
        perftools__profiles__location__init(&loc[i]);
        loc[i].id = (uint64_t)i + 1, loc[i].mapping_id = 1;
        loc[i].address = 0x401000 + 0x100 * (uint64_t)i;
        loc[i].n_line = 1, loc[i].line = &lnp[i];
        locp[i] = &loc[i];
    }

    Perftools__Profiles__Label lab[7];
    for (int i = 0; i < 7; i++)
        perftools__profiles__label__init(&lab[i]);
    lab[0].key = 9, lab[0].str = 11;  /* trace_id */
    lab[1].key = 10, lab[1].str = 12; /* span_id */
    lab[2].key = 15, lab[2].str = 16; /* region=eu */
    lab[3].key = 9, lab[3].str = 13;
    lab[4].key = 10, lab[4].str = 14;
    lab[5].key = 17, lab[5].num = 4096, lab[5].num_unit = 17;
    Perftools__Profiles__Label *l0[3] = {&lab[0], &lab[1], &lab[2]};
    Perftools__Profiles__Label *l1[3] = {&lab[3], &lab[4], &lab[5]};

    uint64_t s0loc[3] = {3, 2, 1}, s1loc[2] = {2, 1}, s2loc[1] = {1};
    int64_t s0v[2] = {1, 10000000}, s1v[2] = {2, 20000000},
            s2v[2] = {5, 50000000};
    Perftools__Profiles__Sample sm[3];
    Perftools__Profiles__Sample *smp[3];
    for (int i = 0; i < 3; i++) {
        perftools__profiles__sample__init(&sm[i]);
        smp[i] = &sm[i];
    }
    sm[0].n_location_id = 3, sm[0].location_id = s0loc, sm[0].n_value = 2;
    sm[0].value = s0v, sm[0].n_label = 3, sm[0].label = l0;
    sm[1].n_location_id = 2, sm[1].location_id = s1loc, sm[1].n_value = 2;
    sm[1].value = s1v, sm[1].n_label = 3, sm[1].label = l1;
    sm[2].n_location_id = 1, sm[2].location_id = s2loc, sm[2].n_value = 2;
    sm[2].value = s2v;

    Perftools__Profiles__Profile p = PERFTOOLS__PROFILES__PROFILE__INIT;
    p.n_sample_type = 2, p.sample_type = vtp;
    p.n_sample = 3, p.sample = smp;
    p.n_mapping = 1, p.mapping = mapp;
    p.n_location = 3, p.location = locp;
    p.n_function = 3, p.function = fnp;
    p.n_string_table = NS, p.string_table = st;
    p.time_nanos = INT64_C(1700000000000000000);
    p.duration_nanos = INT64_C(10000000000);
    p.period_type = &period, p.period = 10000000;

    *len = perftools__profiles__profile__get_packed_size(&p);
    uint8_t *out = malloc(*len);
    perftools__profiles__profile__pack(&p, out);
    return out;
}

typedef struct fixture {
    char *dir;        /* the directory store's root */
    kiln_store *st;
    char key[KILN_KEY_MAX]; /* the block's key */
    char path[4096];  /* the block's file */
    uint8_t *block;   /* its pristine bytes */
    size_t size;
} fixture;

static fixture fx;

/* Read the block file into fx.block. */
static int slurp_block(void)
{
    FILE *f = fopen(fx.path, "rb");
    if (!f)
        return -1;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    fx.block = malloc((size_t)n);
    fx.size = fread(fx.block, 1, (size_t)n, f);
    fclose(f);
    return fx.size == (size_t)n ? 0 : -1;
}

static void write_block(void)
{
    fx.dir = e2e_tmpdir("damage");
    cr_assert(eq(int, kiln_store_open_dir(&fx.st, fx.dir), 0), "%s",
              kiln_error_last());

    kiln_writer *w = NULL;
    kiln_writer_opts o = KILN_WRITER_OPTS_INIT;
    o.page_rows = 4; /* several pages per series: page index is exercised */
    cr_assert(eq(int, kiln_writer_new(&w, &o), 0), "%s", kiln_error_last());

    char corpus[4096];
    snprintf(corpus, sizeof corpus, "%s/pprof/jerrinot__ap-query__testdata__cpu.pb.gz",
             e2e_env("KILN_CORPUS"));
    FILE *f = fopen(corpus, "rb");
    cr_assert(f != NULL, "open %s: %s", corpus, strerror(errno));
    uint8_t buf[65536];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    kiln_label la[] = {{"service_name", "checkout"}, {"host", "web-1"}};
    cr_assert(eq(int, kiln_writer_add_pprof(w, buf, n, la, 2), 0), "%s",
              kiln_error_last());

    size_t plen;
    uint8_t *lp = linked_profile(&plen);
    kiln_label lb[] = {{"service_name", "cart"}, {"host", "web-2"}};
    cr_assert(eq(int, kiln_writer_add_pprof(w, lp, plen, lb, 2), 0), "%s",
              kiln_error_last());
    free(lp);

    cr_assert(eq(int, kiln_writer_flush(w, fx.st, fx.key), 0), "%s",
              kiln_error_last());
    kiln_writer_free(w);

    snprintf(fx.path, sizeof fx.path, "%s/%s", fx.dir, fx.key);
    cr_assert(eq(int, slurp_block(), 0), "read %s", fx.path);
}

static void setup(void)
{
    memset(&fx, 0, sizeof fx);
    write_block();
}

static void teardown(void)
{
    kiln_store_free(fx.st);
    if (fx.dir) {
        e2e_rmtree(fx.dir);
        free(fx.dir);
    }
    free(fx.block);
}

/* Open and verify the block under fx.key: 0 if sound, else the error. */
static int open_verify(int *stage)
{
    kiln_block *b = NULL;
    kiln_error_clear();
    int rc = kiln_block_open(&b, fx.st, fx.key);
    *stage = 0;
    if (rc == 0) {
        *stage = 1;
        rc = kiln_block_verify(b);
        kiln_block_free(b);
    }
    return rc;
}

/* Replace the block file's bytes (in place: truncating to 0 first would
 * make ext4 flush on every close). */
static void put_bytes(const uint8_t *p, size_t n)
{
    int fd = open(fx.path, O_WRONLY);
    cr_assert(fd >= 0, "open %s: %s", fx.path, strerror(errno));
    cr_assert(eq(i64, (int64_t)pwrite(fd, p, n, 0), (int64_t)n));
    cr_assert(eq(int, ftruncate(fd, (off_t)n), 0));
    close(fd);
}

/* Overwrite one byte of the block file in place. */
static void put_byte(size_t off, uint8_t v)
{
    int fd = open(fx.path, O_WRONLY);
    cr_assert(fd >= 0, "open %s: %s", fx.path, strerror(errno));
    cr_assert(eq(i64, (int64_t)pwrite(fd, &v, 1, (off_t)off), 1));
    close(fd);
}

/* Where offset `off` lies, for messages: header, a section, footer... */
static void region(const kiln_block_info *bi, size_t off, char *out,
                   size_t len)
{
    snprintf(out, len, "footer/trailer");
    if (off < 16) {
        snprintf(out, len, "header");
        return;
    }
    for (size_t i = 0; i < bi->nsections; i++) {
        const kiln_section_info *s = &bi->sections[i];
        if (off >= s->offset && off < s->offset + s->stored) {
            snprintf(out, len, "section %s", s->name);
            return;
        }
    }
    if (off >= fx.size - 32)
        snprintf(out, len, "trailer");
}

TestSuite(e2e_damage, .init = setup, .fini = teardown);

Test(e2e_damage, pristine_block_verifies_and_has_every_section)
{
    int stage;
    int rc = open_verify(&stage);
    cr_assert(eq(int, rc, 0), "pristine block fails (stage %d): %s", stage,
              kiln_error_last());
    kiln_block *b = NULL;
    cr_assert(eq(int, kiln_block_open(&b, fx.st, fx.key), 0));
    const kiln_block_info *bi = kiln_block_info_get(b);
    cr_assert(eq(u64, bi->size, (uint64_t)fx.size));
    cr_assert(eq(u64, bi->nseries, 2));
    cr_assert(ge(u64, bi->nlinks, 2), "links: %" PRIu64, bi->nlinks);
    cr_assert(eq(u64, bi->ntraces, 2), "traces: %" PRIu64, bi->ntraces);
    cr_assert(ge(sz, bi->nsections, 5), "sections: %zu", bi->nsections);
    cr_log_info("block of %zu bytes, %zu sections", fx.size, bi->nsections);
    kiln_block_free(b);
}

Test(e2e_damage, every_single_byte_flip_is_detected)
{
    kiln_block *b = NULL;
    cr_assert(eq(int, kiln_block_open(&b, fx.st, fx.key), 0), "%s",
              kiln_error_last());
    const kiln_block_info *bi = kiln_block_info_get(b);

    static const uint8_t masks[2] = {0xff, 0x01};
    size_t missed = 0, nomsg = 0, tried = 0;
    char where[64];
    for (int m = 0; m < 2; m++) {
        for (size_t off = 0; off < fx.size; off++) {
            put_byte(off, fx.block[off] ^ masks[m]);
            int stage;
            int rc = open_verify(&stage);
            put_byte(off, fx.block[off]);
            tried++;
            if (rc >= 0) {
                region(bi, off, where, sizeof where);
                if (missed++ < 40)
                    cr_log_error("flip ^0x%02x at offset %zu (%s) not "
                                 "detected", masks[m], off, where);
                continue;
            }
            if (kiln_error_last()[0] == 0) {
                region(bi, off, where, sizeof where);
                if (nomsg++ < 20)
                    cr_log_error("flip ^0x%02x at offset %zu (%s): error %d "
                                 "(%s) without a message", masks[m], off,
                                 where, rc, kiln_strerror(rc));
            }
        }
    }
    kiln_block_free(b);
    cr_log_info("%zu flips tried on a %zu-byte block", tried, fx.size);
    cr_expect(eq(sz, nomsg, 0), "%zu detected flips had no error message",
              nomsg);
    cr_assert(eq(sz, missed, 0), "%zu of %zu single-byte flips were not "
              "detected", missed, tried);
}

Test(e2e_damage, every_truncation_is_detected)
{
    size_t missed = 0;
    for (size_t n = 0; n < fx.size; n++) {
        put_bytes(fx.block, n);
        int stage;
        int rc = open_verify(&stage);
        if (rc >= 0 && missed++ < 20)
            cr_log_error("block cut to %zu of %zu bytes not detected", n,
                         fx.size);
        else if (rc < 0)
            cr_expect(kiln_error_last()[0] != 0,
                      "cut to %zu: error %d without a message", n, rc);
    }
    put_bytes(fx.block, fx.size);
    cr_assert(eq(sz, missed, 0), "%zu truncations not detected", missed);
}

Test(e2e_damage, appended_bytes_are_detected)
{
    uint8_t *copy = malloc(fx.size + 64);
    memcpy(copy, fx.block, fx.size);
    memset(copy + fx.size, 0, 64);
    put_bytes(copy, fx.size + 1);
    int stage;
    int rc = open_verify(&stage);
    cr_expect(lt(int, rc, 0), "one zero byte appended: not detected");
    put_bytes(copy, fx.size + 64);
    rc = open_verify(&stage);
    cr_expect(lt(int, rc, 0), "64 zero bytes appended: not detected");
    free(copy);
}

/* Header bytes 4-5: the u16 format version. Patched to v, nothing else
 * recomputed: KILN_EVERSION naming the version. */
static void check_version(unsigned v)
{
    uint8_t *copy = malloc(fx.size);
    memcpy(copy, fx.block, fx.size);
    cr_assert(eq(int, copy[4] | copy[5] << 8, 1), "format version is not 1");
    copy[4] = (uint8_t)v;
    copy[5] = (uint8_t)(v >> 8);
    put_bytes(copy, fx.size);
    free(copy);
    int stage;
    int rc = open_verify(&stage);
    const char *msg = kiln_error_last();
    cr_assert(eq(int, rc, KILN_EVERSION),
              "version %u: got %d (%s) at %s, message \"%s\"", v, rc,
              kiln_strerror(rc), stage ? "verify" : "open", msg);
    char num[16];
    snprintf(num, sizeof num, "%u", v);
    cr_assert(strstr(msg, num) != NULL,
              "version %u: message does not name it: \"%s\"", v, msg);
}

Test(e2e_damage, unknown_version_2_is_refused_naming_it)
{
    check_version(2);
}

Test(e2e_damage, unknown_version_65535_is_refused_naming_it)
{
    check_version(65535);
}

Test(e2e_damage, kiln_verify_exit_codes)
{
    const char *kiln = e2e_env("KILN_BIN");
    char msg[4096];
    char *argv[] = {(char *)kiln, "verify", fx.path, NULL};
    int rc = e2e_run(argv, NULL, msg, sizeof msg);
    cr_assert(eq(int, rc, 0), "kiln verify on a sound block: exit %d: %s", rc,
              msg);

    uint8_t *copy = malloc(fx.size);
    memcpy(copy, fx.block, fx.size);
    copy[4] = 2; /* version 2 */
    put_bytes(copy, fx.size);
    rc = e2e_run(argv, NULL, msg, sizeof msg);
    cr_assert(eq(int, rc, 2), "kiln verify on a version-2 block: exit %d: %s",
              rc, msg);
    cr_assert(strstr(msg, "version") != NULL && strstr(msg, "2") != NULL,
              "kiln verify's message does not name the version: %s", msg);

    memcpy(copy, fx.block, fx.size);
    copy[fx.size / 2] ^= 0xff; /* a section's byte */
    put_bytes(copy, fx.size);
    rc = e2e_run(argv, NULL, msg, sizeof msg);
    cr_assert(eq(int, rc, 2), "kiln verify on a damaged block: exit %d: %s",
              rc, msg);
    cr_assert(strlen(msg) > 10, "kiln verify says too little: \"%s\"", msg);
    free(copy);
}

Test(e2e_damage, query_refuses_a_damaged_block)
{
    /* A query must not return data read from a block it cannot trust: by
     * default it leaves the block out and says so (exit 6, the block named,
     * nothing printed from it); with --strict it fails (exit 2). */
    const char *kiln = e2e_env("KILN_BIN");
    char msg[4096], out[4200];
    snprintf(out, sizeof out, "%s/q.out", fx.dir);
    char *argv[] = {(char *)kiln, "query", "--store", fx.dir, "--format",
                    "folded", "-o", out, NULL, NULL};
    int rc = e2e_run(argv, NULL, msg, sizeof msg);
    cr_assert(eq(int, rc, 0), "query on a sound store: exit %d: %s", rc, msg);

    uint8_t *copy = malloc(fx.size);
    for (int damage = 0; damage < 2; damage++) {
        memcpy(copy, fx.block, fx.size);
        if (damage == 0)
            copy[4] = 2; /* unknown version */
        else
            copy[20] ^= 0xff; /* inside the first section */
        put_bytes(copy, fx.size);
        argv[8] = NULL;
        rc = e2e_run(argv, NULL, msg, sizeof msg);
        cr_expect(eq(int, rc, 6), "query over a %s block: exit %d: %s",
                  damage ? "damaged" : "version-2", rc, msg);
        cr_expect(strstr(msg, "left out block default/blocks/") != NULL,
                  "the block is named: %s", msg);
        FILE *f = fopen(out, "rb");
        cr_assert(f != NULL);
        cr_expect(eq(int, fgetc(f), EOF), "nothing of the block printed");
        fclose(f);
        argv[8] = "--strict";
        rc = e2e_run(argv, NULL, msg, sizeof msg);
        cr_expect(eq(int, rc, 2), "--strict query over a %s block: exit %d: "
                  "%s", damage ? "damaged" : "version-2", rc, msg);
    }
    free(copy);
}

/* A bigger block: ten corpus profiles under different series and the linked
 * profile, with small pages so the page index and trace index have many
 * entries; 4000 flips at seeded random offsets (masks vary), every one
 * detected. */
Test(e2e_damage, random_flips_in_a_bigger_block_are_detected)
{
    static const char *const names[] = {
        "parca-dev__parca__pkg__query__testdata__many__1644509272337470000.pb.gz",
        "parca-dev__parca__pkg__query__testdata__many__1644509275338070000.pb.gz",
        "parca-dev__parca__pkg__query__testdata__many__1644509278338696000.pb.gz",
        "parca-dev__parca__pkg__query__testdata__many__1644509281339135000.pb.gz",
        "parca-dev__parca__pkg__query__testdata__fib.pb.gz",
        "parca-dev__parca__pkg__query__testdata__cpu_labels.pb.gz",
        "grafana__pyroscope__pkg__convert__pprof__testdata__cpu-mux.pb.gz",
        "jerrinot__ap-query__testdata__alloc.pb.gz",
        "felixge__pprofutils__examples__labelframes.in.pprof",
        "DataDog__libdatadog__libdd-profiling__tests__profile.pprof"};
    kiln_writer *w = NULL;
    kiln_writer_opts o = KILN_WRITER_OPTS_INIT;
    o.page_rows = 16;
    cr_assert(eq(int, kiln_writer_new(&w, &o), 0));
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char path[4096], host[16];
        snprintf(path, sizeof path, "%s/pprof/%s", e2e_env("KILN_CORPUS"), names[i]);
        snprintf(host, sizeof host, "h%zu", i);
        FILE *f = fopen(path, "rb");
        cr_assert(f != NULL, "open %s", path);
        static uint8_t buf[1 << 20];
        size_t n = fread(buf, 1, sizeof buf, f);
        fclose(f);
        kiln_label la[] = {{"service_name", i % 2 ? "odd" : "even"}, {"host", host}};
        cr_assert(eq(int, kiln_writer_add_pprof(w, buf, n, la, 2), 0), "%s: %s",
                  names[i], kiln_error_last());
    }
    size_t plen;
    uint8_t *lp = linked_profile(&plen);
    kiln_label lb[] = {{"service_name", "cart"}};
    cr_assert(eq(int, kiln_writer_add_pprof(w, lp, plen, lb, 1), 0));
    free(lp);
    char key[KILN_KEY_MAX];
    cr_assert(eq(int, kiln_writer_flush(w, fx.st, key), 0), "%s", kiln_error_last());
    kiln_writer_free(w);
    /* Point the fixture at the big block. */
    snprintf(fx.key, sizeof fx.key, "%s", key);
    snprintf(fx.path, sizeof fx.path, "%s/%s", fx.dir, fx.key);
    free(fx.block);
    cr_assert(eq(int, slurp_block(), 0));

    int stage;
    cr_assert(eq(int, open_verify(&stage), 0), "pristine big block: %s",
              kiln_error_last());
    kiln_block *b = NULL;
    cr_assert(eq(int, kiln_block_open(&b, fx.st, fx.key), 0));
    cr_assert(eq(int, kiln_block_load_index(b), 0), "%s", kiln_error_last());
    const kiln_block_info *bi = kiln_block_info_get(b);
    cr_log_info("big block: %zu bytes, %" PRIu64 " pages, %" PRIu64 " links",
                fx.size, bi->npages, bi->nlinks);
    cr_assert(gt(u64, bi->npages, 20));

    uint64_t x = 0x9e3779b97f4a7c15ULL; /* xorshift64, fixed seed */
    size_t missed = 0;
    char where[64];
    for (int i = 0; i < 4000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        size_t off = (size_t)(x % fx.size);
        uint8_t mask = (uint8_t)(1u << ((x >> 32) % 8));
        if ((x >> 40) % 4 == 0)
            mask = 0xff;
        put_byte(off, fx.block[off] ^ mask);
        int rc = open_verify(&stage);
        put_byte(off, fx.block[off]);
        if (rc >= 0) {
            region(bi, off, where, sizeof where);
            if (missed++ < 40)
                cr_log_error("flip ^0x%02x at offset %zu (%s) not detected",
                             mask, off, where);
        } else {
            cr_expect(kiln_error_last()[0] != 0,
                      "flip at %zu: error %d without a message", off, rc);
        }
    }
    kiln_block_free(b);
    cr_assert(eq(sz, missed, 0), "%zu of 4000 random flips not detected",
              missed);
}
